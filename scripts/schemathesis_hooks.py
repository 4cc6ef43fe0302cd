"""Hooks for scripts/schemathesis.sh.

Every generated request that carries a valid Idempotency-Key gets a fresh one. The contract
answers a key reused with a different body with 422, by design; schemathesis builds many
requests from the description's one example key, so without this most keyed requests would
test only that refusal (tests/api covers replays and reuse). Keys the description calls
invalid are left as generated, and so are requests generated to break the description
(negative mode): editing those makes schemathesis revalidate them as positive and send the
headers they were built to leave out.

Two kinds of body are not generated, because the description's prose refuses them and no
JSON Schema can: strings with lone surrogates (half of a UTF-16 pair, as Python strings may
hold; I-JSON, RFC 7493 section 2.1), and integers written as floats (`2.0`, which JSON Schema
counts as an integer and this API, all of whose numbers are integers, refuses).
"""

import re
import uuid

import schemathesis

VALID_KEY = re.compile(r"^[\x20-\x7E]{1,255}$")


@schemathesis.hook
def before_call(context, case, kwargs):
    meta = case.meta
    if meta is not None and meta.generation.mode.is_negative:
        return
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() != "idempotency-key":
            continue
        value = headers[name]
        if isinstance(value, str) and VALID_KEY.match(value):
            headers[name] = f"schemathesis-{uuid.uuid4()}"


def refused_by_prose(value):
    if isinstance(value, str):
        return any(0xD800 <= ord(c) <= 0xDFFF for c in value)
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, dict):
        return any(refused_by_prose(k) or refused_by_prose(v) for k, v in value.items())
    if isinstance(value, list):
        return any(refused_by_prose(item) for item in value)
    return False


@schemathesis.hook
def filter_body(context, body):
    return not refused_by_prose(body)
