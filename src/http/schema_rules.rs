//! The rules of request bodies that span fields, added to the OpenAPI description after it is
//! derived from the DTOs: `ToSchema` describes one field at a time, while the server also
//! refuses a change that changes nothing, a checkout that names a customer or a payment, a
//! list that names a ticket twice, and a name with a control character. Written here, each
//! rule is in the description a client (or a property-based tester) reads, so what it calls
//! valid the server accepts.
//!
//! # Caveats
//! - Rules are applied by component name; a renamed DTO must be renamed here too (the tests
//!   in `openapi.rs` fail when a rule finds no component).
//! - What no JSON Schema can say stays in prose: a plan's blocks must name its own price
//!   bands and must not overlap, `from` must not be after `to`.

use serde_json::{Value, json};

use crate::domain::{ATTRIBUTES_MAX, CUSTOMER_NAME_MAX, NOT_PLAIN_TEXT};
use crate::http::dto::REFUND_REASON_MAX;

/// What `str::trim` takes off a name's ends: the characters with Unicode's `White_Space`.
const WHITESPACE: &[(char, char)] = &[
    ('\u{0009}', '\u{000D}'),
    ('\u{0020}', '\u{0020}'),
    ('\u{0085}', '\u{0085}'),
    ('\u{00A0}', '\u{00A0}'),
    ('\u{1680}', '\u{1680}'),
    ('\u{2000}', '\u{200A}'),
    ('\u{2028}', '\u{2029}'),
    ('\u{202F}', '\u{202F}'),
    ('\u{205F}', '\u{205F}'),
    ('\u{3000}', '\u{3000}'),
];

/// The longest client name, after trimming.
const CLIENT_NAME_MAX: usize = 100;

/// The longest event name, venue or city.
const EVENT_TEXT_MAX: usize = 200;

/// Adds every rule to `document`, the OpenAPI description as JSON.
///
/// # Errors
/// Names a component a rule expected and did not find.
pub(crate) fn apply(document: &mut Value) -> Result<(), String> {
    let schemas = document
        .pointer_mut("/components/schemas")
        .ok_or("the description has no component schemas")?;
    require_one_of_non_empty(
        schemas,
        "ChangeTransaction",
        &[
            ("add", "array"),
            ("remove", "array"),
            ("remove_general_admission", "array"),
            ("metadata", "object"),
            ("discount_code", "present"),
        ],
    )?;
    // A discount code takes `percent`, or `amount_off` with its `currency`.
    add_any_of(
        schemas,
        "CreateDiscountCode",
        vec![
            json!({"required": ["percent"], "properties": {
                "percent": {"type": "string"},
                "amount_off": {"type": "null"},
                "currency": {"type": "null"},
            }}),
            json!({"required": ["amount_off", "currency"], "properties": {
                "percent": {"type": "null"},
                "amount_off": {"type": "string"},
                "currency": {"type": "string"},
            }}),
        ],
    )?;
    mark_unique(
        schemas,
        "DiscountScopeBody",
        &["events", "performances", "price_bands", "ticket_types"],
    )?;
    require_one_of_non_empty(
        schemas,
        "Holdbacks",
        &[
            ("withhold", "array"),
            ("release", "array"),
            ("withhold_general_admission", "object"),
            ("release_general_admission", "object"),
        ],
    )?;
    // A `PATCH` changes something: one field given, and not as null.
    require_one_of_non_empty(
        schemas,
        "PerformancePatch",
        &[
            ("starts_at", "string"),
            ("hold_seconds", "integer"),
            ("rules", "any object"),
            ("status", "string"),
        ],
    )?;
    require_one_of_non_empty(
        schemas,
        "EventPatch",
        &[("name", "string"), ("venue", "string"), ("city", "string")],
    )?;
    // Places by pool: a quantity of at least one each.
    for (component, field) in [
        ("Holdbacks", "withhold_general_admission"),
        ("Holdbacks", "release_general_admission"),
        ("CreateAllocation", "general_admission"),
    ] {
        count_places(schemas, component, field)?;
    }
    // A checkout names no customer and no payment: either the status is `complete`, or both
    // are absent or null.
    add_any_of(
        schemas,
        "UpdateTransaction",
        vec![
            json!({"properties": {"status": {"const": "complete"}}}),
            json!({"properties": {
                "customer": {"type": "null"},
                "payment": {"type": "null"},
            }}),
        ],
    )?;
    mark_ticket_lists_unique(schemas);
    describe_text(
        schemas,
        "CreateClient",
        "name",
        &trimmed_name(CLIENT_NAME_MAX),
        None,
    )?;
    describe_text(
        schemas,
        "CustomerBody",
        "name",
        &trimmed_name(CUSTOMER_NAME_MAX),
        None,
    )?;
    let (plain, not_blank) = (plain_text(), not_blank_text());
    describe_text(
        schemas,
        "EventBody",
        "name",
        &not_blank,
        Some(EVENT_TEXT_MAX),
    )?;
    describe_text(schemas, "EventBody", "venue", &plain, Some(EVENT_TEXT_MAX))?;
    describe_text(schemas, "EventBody", "city", &plain, Some(EVENT_TEXT_MAX))?;
    describe_text(
        schemas,
        "EventPatch",
        "name",
        &not_blank,
        Some(EVENT_TEXT_MAX),
    )?;
    describe_text(schemas, "EventPatch", "venue", &plain, Some(EVENT_TEXT_MAX))?;
    describe_text(schemas, "EventPatch", "city", &plain, Some(EVENT_TEXT_MAX))?;
    describe_text(
        schemas,
        "RefundBody",
        "reason",
        &plain,
        Some(REFUND_REASON_MAX),
    )?;
    mark_unique(schemas, "RefundBody", &["tickets"])?;
    describe_seat_attributes(schemas)?;
    // An attribute named twice in `require` or `avoid` is refused.
    for component in ["CreateTransactionBestAvailable", "ItemBestAvailable"] {
        mark_unique(schemas, component, &["require", "avoid"])?;
    }
    Ok(())
}

/// A block's `attributes`: names to lists of seat numbers (utoipa has no words for a map's
/// key pattern).
fn describe_seat_attributes(schemas: &mut Value) -> Result<(), String> {
    let property = schemas
        .pointer_mut("/BlockBody/properties/attributes")
        .and_then(Value::as_object_mut)
        .ok_or("no property BlockBody.attributes")?;
    property.insert("type".to_owned(), json!("object"));
    property.insert(
        "propertyNames".to_owned(),
        json!({"pattern": "^[a-z][a-z0-9_]{0,31}$"}),
    );
    property.insert("maxProperties".to_owned(), json!(ATTRIBUTES_MAX));
    property.insert(
        "additionalProperties".to_owned(),
        json!({"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 99_999}}),
    );
    Ok(())
}

/// A regular-expression character class of `ranges`, negated when `negated`, with every
/// character written as `\uXXXX` so that ECMA-262 and Python read it alike.
fn class(ranges: &[&[(char, char)]], negated: bool) -> String {
    let mut class = String::from(if negated { "[^" } else { "[" });
    for &(first, last) in ranges.iter().flat_map(|ranges| ranges.iter()) {
        class.push_str(&format!("\\u{:04X}", u32::from(first)));
        if last != first {
            class.push_str(&format!("-\\u{:04X}", u32::from(last)));
        }
    }
    class.push(']');
    class
}

/// Text of plain characters only, any length.
fn plain_text() -> String {
    format!("^{}*$", class(&[NOT_PLAIN_TEXT], true))
}

/// Plain text with at least one character that is not whitespace.
fn not_blank_text() -> String {
    let any = class(&[NOT_PLAIN_TEXT], true);
    let visible = class(&[NOT_PLAIN_TEXT, WHITESPACE], true);
    format!("^{any}*{visible}{any}*$")
}

/// A name the server trims: any whitespace at the ends, then 1 to `max` plain characters that
/// neither start nor end with whitespace.
fn trimmed_name(max: usize) -> String {
    let space = class(&[WHITESPACE], false);
    let any = class(&[NOT_PLAIN_TEXT], true);
    let visible = class(&[NOT_PLAIN_TEXT, WHITESPACE], true);
    let middle = max.saturating_sub(2);
    format!("^{space}*{visible}(?:{any}{{0,{middle}}}{visible})?{space}*$")
}

/// Sets the pattern (and the maximum length, if any) of `component`'s string `field`.
fn describe_text(
    schemas: &mut Value,
    component: &str,
    field: &str,
    pattern: &str,
    max_length: Option<usize>,
) -> Result<(), String> {
    let property = schemas
        .pointer_mut(&format!("/{component}/properties/{field}"))
        .and_then(Value::as_object_mut)
        .ok_or_else(|| format!("no property {component}.{field}"))?;
    property.insert("pattern".to_owned(), json!(pattern));
    if let Some(max) = max_length {
        property.insert("maxLength".to_owned(), json!(max));
    }
    Ok(())
}

/// Requires at least one of `fields` to be present, not null, and non-empty.
fn require_one_of_non_empty(
    schemas: &mut Value,
    component: &str,
    fields: &[(&str, &str)],
) -> Result<(), String> {
    let branches = fields
        .iter()
        .map(|&(field, kind)| {
            let size = match kind {
                "array" => json!({"type": "array", "minItems": 1}),
                "object" => json!({"type": "object", "minProperties": 1}),
                "string" | "integer" => json!({"type": kind}),
                "any object" => json!({"type": "object"}),
                // Given, whatever its value (`null` included).
                _ => return json!({"required": [field]}),
            };
            json!({"required": [field], "properties": {field: size}})
        })
        .collect();
    add_any_of(schemas, component, branches)
}

fn add_any_of(schemas: &mut Value, component: &str, branches: Vec<Value>) -> Result<(), String> {
    let schema = schemas
        .get_mut(component)
        .and_then(Value::as_object_mut)
        .ok_or_else(|| format!("no component schema {component}"))?;
    schema.insert("anyOf".to_owned(), Value::Array(branches));
    Ok(())
}

/// Describes `component`'s map `field` of places by pool code: each a quantity of at least 1.
fn count_places(schemas: &mut Value, component: &str, field: &str) -> Result<(), String> {
    let property = schemas
        .pointer_mut(&format!("/{component}/properties/{field}"))
        .and_then(Value::as_object_mut)
        .ok_or_else(|| format!("no property {component}.{field}"))?;
    property.insert(
        "additionalProperties".to_owned(),
        json!({"type": "integer", "minimum": 1, "maximum": u32::MAX}),
    );
    Ok(())
}

/// Marks `component`'s list `fields` `uniqueItems`: the server refuses an entry given twice.
fn mark_unique(schemas: &mut Value, component: &str, fields: &[&str]) -> Result<(), String> {
    for field in fields {
        let property = schemas
            .pointer_mut(&format!("/{component}/properties/{field}"))
            .and_then(Value::as_object_mut)
            .ok_or_else(|| format!("no property {component}.{field}"))?;
        property.insert("uniqueItems".to_owned(), Value::Bool(true));
    }
    Ok(())
}

/// Marks every list of ticket ids (or ticket choices) `uniqueItems`: the server refuses a
/// ticket named twice.
fn mark_ticket_lists_unique(value: &mut Value) {
    match value {
        Value::Object(object) => {
            let lists_tickets = object.get("type").is_some_and(|kind| {
                kind == "array" || kind.as_array().is_some_and(|k| k.contains(&json!("array")))
            }) && object
                .get("items")
                .and_then(|items| items.get("$ref"))
                .is_some_and(|target| {
                    target == "#/components/schemas/TicketIdText"
                        || target == "#/components/schemas/TicketChoice"
                });
            if lists_tickets {
                object.insert("uniqueItems".to_owned(), Value::Bool(true));
            }
            object.values_mut().for_each(mark_ticket_lists_unique);
        }
        Value::Array(items) => items.iter_mut().for_each(mark_ticket_lists_unique),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whitespace_list_is_what_trim_takes_off() {
        for c in (0..=0x10FFFF_u32).filter_map(char::from_u32) {
            let listed = WHITESPACE
                .iter()
                .any(|&(first, last)| (first..=last).contains(&c));
            assert_eq!(listed, c.is_whitespace(), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn classes_are_written_as_unicode_escapes() {
        assert_eq!(
            class(
                &[&[('\u{0000}', '\u{001F}'), ('\u{00AD}', '\u{00AD}')]],
                true
            ),
            "[^\\u0000-\\u001F\\u00AD]"
        );
        assert!(trimmed_name(100).contains("{0,98}"));
    }
}
