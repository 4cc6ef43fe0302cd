//! The OpenAPI 3.1 description of the HTTP contract (`docs/API.md`), served at `GET /openapi.json`,
//! and a small HTML index of the operations at `GET /docs`.
//!
//! The description is derived from the DTOs (`ToSchema`, `IntoParams`) and the `#[utoipa::path]`
//! annotations on the routes, so a changed field or route changes the document. It is built
//! once, on first use, and never changes while the server runs.
//!
//! Left out on purpose: the description documents the contract, it does not validate requests
//! (the routes do). `/docs` loads nothing from elsewhere (the server may have no internet), so
//! it lists the operations and links to the JSON rather than embedding a viewer.

use std::sync::LazyLock;

use actix_web::HttpResponse;
use utoipa::openapi::RefOr;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::Response;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayItems, KnownFormat, Schema, SchemaFormat,
};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::{Modify, Number, OpenApi};

use super::routes::{
    allocations, catalogue, catalogue_operations, clients, discounts, history, operations, orders,
    refunds, reports, scans, seat_stream, transactions, widget,
};
use super::{responses, schema_rules};

/// The name of the security scheme that calls needing a key refer to.
const API_KEY_SCHEME: &str = "api_key";

/// The document's description: the contract's conventions that no single operation carries.
const DESCRIPTION: &str = "\
Seat reservation: hold seats or general-admission places, check out, complete, release.

- JSON in and out (`Content-Type: application/json`). Times are RFC 3339 in UTC with `Z` \
  (fractional seconds allowed): parse them, never compare strings. Money is a decimal string \
  (`\"65.00\"`) with a currency code, never a float.
- Ids are strings. Performance, event and client ids are slugs `[A-Za-z0-9_-]{1,64}`. A ticket \
  id names one seat at one performance: `<performance_id>:<seat_id>`.
- Authentication: header `X-API-Key`. Keys belong to clients with a role: `admin` (catalogue, \
  keys, holdbacks, people) or `sales` (its own transactions and orders); an admin key may do \
  everything a sales key may. Catalogue and availability reads need no key unless the server \
  is configured to require one.
- Every error answers `{\"status\": \"error\", \"code\": ..., \"errors\": [...]}`, with \
  `tickets` when specific tickets caused it. When a request has several faults, the first in \
  this order answers: 400 (body), 401, 403, 404, 413, 422 for the shape of the request, 409, \
  422 for a single-seat gap, then 503. A rejected request changes nothing.
- Malformed JSON (400) includes invalid UTF-8, lone surrogate escapes, `NaN`, numbers out of \
  range for their field, an integer written with a fraction or an exponent (`2.0`, `2e0`: \
  every number of this API is an integer), and an object that names a key twice. Names (clients, events, \
  customers) refuse control characters and invisible formatting characters such as the \
  zero-width space and bidirectional overrides.
- `overloaded`: the contract allows 429 or 503; this server answers 503 with `Retry-After`.
- Two codes beyond the contract's table: `unavailable` (503), the server cannot serve or \
  acknowledge the request right now; and `request_timeout` (408), the body did not arrive \
  within `body_read_timeout_seconds` (10 s by default) of the request's head. A 408 is \
  answered as soon as the time is up, whatever else is wrong with the request, and the \
  connection is closed.
- A method a route does not have answers 405 with `invalid_request` and an `Allow` header \
  naming the methods it has; an unknown route answers 404 `not_found`.
- Default limits: a 64 KiB body (413 beyond) arriving within 10 s (408 beyond), JSON nesting \
  up to 128 (400 beyond), 100 tickets per request and 100,000 seats per plan (422 beyond).
- Request examples name the demo catalogue that a server loads into a new data directory \
  (event `holdfast-revue`, performances `revue-1` and `revue-2`; the first order is `100001`), \
  so they can be sent to such a server as they are; `POST /performances` creates `jb-1204`.";

/// The description, built on first use.
static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(ApiDoc::openapi);

/// The description as served: [`DOCUMENT`] with the rules that span fields
/// ([`schema_rules`]), built on first use.
static SERVED: LazyLock<serde_json::Value> = LazyLock::new(served_document);

/// The `/docs` page, rendered from [`DOCUMENT`] on first use.
static DOCS_PAGE: LazyLock<String> = LazyLock::new(|| render_docs_page(&DOCUMENT));

/// The OpenAPI description: every route of `app::routes`, their schemas and the key scheme.
#[derive(OpenApi)]
#[openapi(
    info(title = "holdfast", version = env!("CARGO_PKG_VERSION"), description = DESCRIPTION),
    paths(
        operations::health,
        operations::metrics,
        clients::create_client,
        clients::list,
        clients::revoke,
        clients::rotate,
        catalogue::events,
        catalogue::event,
        catalogue_operations::update_event,
        catalogue::event_performances,
        catalogue::programme,
        catalogue::create_performance,
        catalogue::performance,
        catalogue_operations::update_performance,
        catalogue_operations::copy_performance,
        catalogue::availability,
        catalogue::seats,
        seat_stream::stream_seats,
        widget::widget,
        catalogue_operations::holdbacks,
        allocations::allocate,
        allocations::allocations,
        allocations::deallocate,
        transactions::create,
        transactions::get,
        transactions::update,
        transactions::change,
        transactions::release,
        history::transaction,
        history::seat,
        orders::order,
        orders::tickets_pdf,
        refunds::refund,
        orders::person,
        orders::payment_methods,
        discounts::create,
        discounts::list,
        scans::scan,
        reports::sales,
        reports::takings,
        openapi_json,
        docs,
    ),
    components(responses(
        responses::Unauthorized,
        responses::UnauthorizedRead,
        responses::NotAdmin,
        responses::NotAdminOrOrganizer,
        responses::BodyTimedOut,
        responses::BodyTooLarge,
        responses::Busy,
        responses::WidgetRateExceeded,
    )),
    modifiers(&ApiKeyScheme, &UnsignedIntegers),
    tags(
        (name = "catalogue", description = "Events and performances with their seating plans."),
        (name = "availability", description = "Free seats, for search pages and seat-selection \
            widgets."),
        (name = "transactions", description = "Hold, change, check out, complete, release."),
        (name = "orders", description = "Orders, people records, payment methods and discount \
            codes."),
        (name = "reports", description = "Sales and takings, as JSON or CSV."),
        (name = "operations", description = "Clients, holdbacks, health, metrics and this \
            description."),
    ),
)]
struct ApiDoc;

/// Adds the `X-API-Key` header scheme that operations needing a key refer to.
struct ApiKeyScheme;

impl Modify for ApiKeyScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                API_KEY_SCHEME,
                SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                    "X-API-Key",
                    "A client's API key, as shown once by `POST /clients` (or the admin key \
                     given at start).",
                ))),
            );
    }
}

/// Describes the API's unsigned 32-bit integers (quantities, counts, seat numbers, capacities)
/// as what they are: `uint32` (OpenAPI format registry: 0 to 4,294,967,295), with that maximum
/// spelled out for tools that do not know the format.
///
/// utoipa 5 describes a `u32` as the signed `int32` with `minimum: 0`, which tells clients that
/// values from 2^31 on are refused, while the server takes and answers every `u32` (schemathesis
/// found `GET /performances/{id}/availability?quantity=2147483648` answered 200). Its
/// `non_strict_integers` feature would name the format `u-int32`, which no tool knows. utoipa
/// gives every `u32` a minimum (0 unless the field declares one); no DTO field is `u8`, `u16`
/// or an `i32` with a minimum, so an `int32` with a minimum of 0 or more is a `u32`. A declared
/// maximum is kept.
struct UnsignedIntegers;

impl Modify for UnsignedIntegers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.schemas.values_mut().for_each(describe_u32);
            components
                .responses
                .values_mut()
                .for_each(describe_response_u32s);
        }
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.options,
                &mut item.head,
                &mut item.patch,
                &mut item.trace,
            ];
            for operation in operations.into_iter().flatten() {
                let parameters = operation.parameters.iter_mut().flatten();
                parameters
                    .filter_map(|p| p.schema.as_mut())
                    .for_each(describe_u32);
                let bodies = operation.request_body.iter_mut();
                let contents = bodies.flat_map(|body| body.content.values_mut());
                contents
                    .filter_map(|c| c.schema.as_mut())
                    .for_each(describe_u32);
                operation
                    .responses
                    .responses
                    .values_mut()
                    .for_each(describe_response_u32s);
            }
        }
    }
}

/// Rewrites the `u32`s of a response's headers and contents (a reference is rewritten where
/// it points, in `components/responses`).
fn describe_response_u32s(response: &mut RefOr<Response>) {
    let RefOr::T(response) = response else {
        return;
    };
    let headers = response.headers.values_mut();
    headers.for_each(|header| describe_u32(&mut header.schema));
    let contents = response.content.values_mut();
    contents
        .filter_map(|c| c.schema.as_mut())
        .for_each(describe_u32);
}

/// Rewrites every `u32` in `schema`, and in the schemas it contains, as `uint32`.
fn describe_u32(schema: &mut RefOr<Schema>) {
    let RefOr::T(schema) = schema else {
        return;
    };
    match schema {
        Schema::Object(object) => {
            let is_int32 = matches!(
                object.format,
                Some(SchemaFormat::KnownFormat(KnownFormat::Int32))
            );
            let unsigned = match object.minimum {
                Some(Number::Int(minimum)) => minimum >= 0,
                Some(Number::UInt(_)) => true,
                Some(Number::Float(minimum)) => minimum >= 0.0,
                None => false,
            };
            if is_int32 && unsigned {
                object.format = Some(SchemaFormat::Custom("uint32".to_owned()));
                object
                    .maximum
                    .get_or_insert(Number::UInt(u32::MAX as usize));
            }
            object.properties.values_mut().for_each(describe_u32);
            if let Some(AdditionalProperties::RefOr(values)) =
                object.additional_properties.as_deref_mut()
            {
                describe_u32(values);
            }
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                describe_u32(items);
            }
        }
        Schema::OneOf(one_of) => one_of.items.iter_mut().for_each(describe_u32),
        Schema::AllOf(all_of) => all_of.items.iter_mut().for_each(describe_u32),
        Schema::AnyOf(any_of) => any_of.items.iter_mut().for_each(describe_u32),
        _ => {}
    }
}

/// Returns the OpenAPI description as derived (without the cross-field rules).
#[cfg(test)]
pub(crate) fn document() -> &'static utoipa::openapi::OpenApi {
    &DOCUMENT
}

/// [`DOCUMENT`] as JSON with the cross-field rules added. A rule that finds no component is a
/// bug the tests catch; should one ship, the description is served without the rules.
fn served_document() -> serde_json::Value {
    let mut json = match serde_json::to_value(&*DOCUMENT) {
        Ok(json) => json,
        Err(error) => {
            tracing::error!(%error, "the OpenAPI description does not serialize");
            return serde_json::Value::Null;
        }
    };
    let plain = json.clone();
    match schema_rules::apply(&mut json) {
        Ok(()) => json,
        Err(error) => {
            tracing::error!(%error, "a cross-field rule of the OpenAPI description failed");
            plain
        }
    }
}

/// Returns the `/docs` page.
pub(crate) fn docs_page() -> &'static str {
    &DOCS_PAGE
}

/// Renders a self-contained HTML page: one table row per operation, and a link to the JSON.
fn render_docs_page(document: &utoipa::openapi::OpenApi) -> String {
    let title = format!("{} {}", document.info.title, document.info.version);
    let mut rows = String::new();
    for (path, item) in &document.paths.paths {
        let operations = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
        ];
        let present = operations
            .into_iter()
            .filter_map(|(method, operation)| Some((method, operation.as_ref()?)));
        for (method, operation) in present {
            rows.push_str(&format!(
                "<tr><td>{method}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
                escape_html(path),
                key_needed(operation),
                render_summary(operation.summary.as_deref().unwrap_or("")),
            ));
        }
    }
    format!(
        "<!doctype html>
<html lang=\"en\">
<head>
<meta charset=\"utf-8\">
<title>{title}</title>
<style>
body {{ font-family: sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }}
th, td {{ text-align: left; vertical-align: top; padding: 0.2rem 0.6rem; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>The full description, with every request and response schema, status and error code, is
<a href=\"openapi.json\">openapi.json</a> (OpenAPI 3.1): open it in any OpenAPI viewer or client
generator. The key column says whether a call needs an <code>X-API-Key</code> header.</p>
<table>
<thead><tr><th>Method</th><th>Path</th><th>Key</th><th>Summary</th></tr></thead>
<tbody>
{rows}</tbody>
</table>
</body>
</html>
",
        title = escape_html(&title),
    )
}

/// Says whether an operation needs a key: `required`, `optional` (reads, by configuration) or
/// `no`.
fn key_needed(operation: &Operation) -> &'static str {
    match &operation.security {
        None => "no",
        Some(requirements) if requirements.contains(&SecurityRequirement::default()) => "optional",
        Some(_) => "required",
    }
}

/// Renders a one-line Markdown summary as HTML: escaped, with `` `code` `` spans.
fn render_summary(text: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(index, part)| {
            if index % 2 == 1 {
                format!("<code>{}</code>", escape_html(part))
            } else {
                escape_html(part)
            }
        })
        .collect()
}

/// Escapes text for HTML element content and attribute values.
fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Serves the OpenAPI 3.1 description of this API.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "operations",
    operation_id = "openapi",
    responses((status = 200, description = "This document.", body = Object,
        content_type = "application/json")),
)]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(&*SERVED)
}

/// Serves a small HTML page that lists the operations and links to `/openapi.json`.
#[utoipa::path(
    get,
    path = "/docs",
    tag = "operations",
    operation_id = "docs",
    responses((status = 200, description = "The page.", body = String,
        content_type = "text/html; charset=utf-8")),
)]
pub async fn docs() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(docs_page())
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    /// The codes of `docs/API.md`'s error table.
    const CONTRACT_ERROR_CODES: [&str; 12] = [
        "invalid_request",
        "unauthorized",
        "forbidden",
        "not_found",
        "seat_unavailable",
        "insufficient_availability",
        "lock_expired",
        "invalid_state",
        "already_exists",
        "payload_too_large",
        "rule_violation",
        "overloaded",
    ];

    fn document_json() -> Value {
        let mut json = serde_json::to_value(document()).expect("the document serializes to JSON");
        schema_rules::apply(&mut json).expect("every cross-field rule finds its component");
        assert_eq!(json, *SERVED);
        json
    }

    fn strings(value: &Value) -> Vec<&str> {
        value
            .as_array()
            .expect("an array")
            .iter()
            .map(|item| item.as_str().expect("a string"))
            .collect()
    }

    #[test]
    fn the_document_is_openapi_3_1() {
        let json = document_json();
        let version = json["openapi"].as_str().expect("an openapi version");
        assert!(version.starts_with("3.1."), "version {version}");
        assert_eq!(json["info"]["title"], "holdfast");
        assert_eq!(json["info"]["version"], env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn the_document_has_every_route_of_the_app() {
        let json = document_json();
        let routes = [
            ("/health", "get"),
            ("/metrics", "get"),
            ("/clients", "post"),
            ("/clients", "get"),
            ("/clients/{id}", "delete"),
            ("/clients/{id}/key", "post"),
            ("/events", "get"),
            ("/events/{id}", "get"),
            ("/events/{id}", "patch"),
            ("/events/{id}/performances", "get"),
            ("/programme", "get"),
            ("/performances", "post"),
            ("/performances/{id}", "get"),
            ("/performances/{id}", "patch"),
            ("/performances/{id}/copy", "post"),
            ("/performances/{id}/allocations", "post"),
            ("/performances/{id}/allocations", "get"),
            ("/performances/{id}/allocations/{channel}", "delete"),
            ("/performances/{id}/availability", "get"),
            ("/performances/{id}/seats", "get"),
            ("/performances/{id}/seats/stream", "get"),
            ("/performances/{id}/widget", "get"),
            ("/performances/{id}/holdbacks", "post"),
            ("/transactions", "post"),
            ("/transactions/{id}", "get"),
            ("/transactions/{id}", "post"),
            ("/transactions/{id}", "patch"),
            ("/transactions/{id}", "delete"),
            ("/transactions/{id}/history", "get"),
            ("/performances/{id}/history", "get"),
            ("/orders/{number}", "get"),
            ("/orders/{number}/tickets.pdf", "get"),
            ("/orders/{number}/refunds", "post"),
            ("/people", "get"),
            ("/openapi.json", "get"),
            ("/docs", "get"),
            ("/payment-methods", "get"),
            ("/discount-codes", "post"),
            ("/discount-codes", "get"),
            ("/scans", "post"),
            ("/reports/sales", "get"),
            ("/reports/takings", "get"),
        ];
        for (path, method) in routes {
            assert!(
                json["paths"][path][method].is_object(),
                "{method} {path} is missing"
            );
        }
        let documented: usize = json["paths"]
            .as_object()
            .expect("paths")
            .values()
            .map(|item| item.as_object().expect("a path item").len())
            .sum();
        assert_eq!(
            documented,
            routes.len(),
            "operations beyond the app's routes"
        );
    }

    #[test]
    fn the_error_code_enum_lists_every_code_of_the_contract() {
        let json = document_json();
        let codes = strings(&json["components"]["schemas"]["ErrorCode"]["enum"]);
        for code in CONTRACT_ERROR_CODES {
            assert!(codes.contains(&code), "{code} is missing from {codes:?}");
        }
        let body = &json["components"]["schemas"]["ErrorBody"];
        assert_eq!(
            strings(&body["required"]),
            ["status", "code", "errors"],
            "tickets is optional"
        );
    }

    #[test]
    fn calls_that_need_a_key_name_the_api_key_scheme() {
        let json = document_json();
        let scheme = &json["components"]["securitySchemes"][API_KEY_SCHEME];
        assert_eq!(scheme["type"], "apiKey");
        assert_eq!(scheme["in"], "header");
        assert_eq!(scheme["name"], "X-API-Key");
        let create = &json["paths"]["/transactions"]["post"];
        assert_eq!(
            create["security"],
            serde_json::json!([{API_KEY_SCHEME: []}])
        );
        let header = create["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .find(|p| p["name"] == "Idempotency-Key")
            .expect("the Idempotency-Key header");
        assert_eq!(header["in"], "header");
        assert_eq!(json["paths"]["/health"]["get"]["security"], Value::Null);
    }

    #[test]
    fn the_transaction_body_is_one_of_three_forms_or_a_basket_of_them() {
        let json = document_json();
        let forms = json["components"]["schemas"]["CreateTransaction"]["oneOf"]
            .as_array()
            .expect("oneOf");
        assert_eq!(forms.len(), 4);
        for form in forms {
            let name = form["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .expect("a reference to a component");
            assert_eq!(
                json["components"]["schemas"][name]["additionalProperties"], false,
                "{name} refuses unknown fields, as the route does"
            );
        }
    }

    #[test]
    fn every_overloaded_answer_documents_retry_after() {
        let json = document_json();
        for (path, item) in json["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("a path item") {
                let answer = &operation["responses"]["503"];
                let retries = answer["description"]
                    .as_str()
                    .is_some_and(|d| d.contains("overloaded"));
                if retries {
                    assert!(
                        answer["headers"]["Retry-After"].is_object(),
                        "{method} {path}"
                    );
                }
            }
        }
    }

    #[test]
    fn unsigned_32_bit_integers_are_described_as_uint32_up_to_their_maximum() {
        let json = document_json();
        let text = json.to_string();
        assert!(
            !text.contains("\"int32\""),
            "a u32 left as the signed int32"
        );
        let quantity = json["paths"]["/performances/{id}/availability"]["get"]["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .find(|p| p["name"] == "quantity")
            .expect("the quantity parameter");
        let expected = serde_json::json!({
            "type": "integer", "format": "uint32", "minimum": 0, "maximum": 4_294_967_295_u64
        });
        assert_eq!(quantity["schema"], expected);
        let counts = &json["components"]["schemas"]["CountsDto"]["properties"]["available"];
        assert_eq!(counts["format"], "uint32");
        let busy = &json["paths"]["/transactions"]["post"]["responses"]["503"];
        assert_eq!(busy["$ref"], "#/components/responses/Busy");
        let retry = &json["components"]["responses"]["Busy"]["headers"];
        assert_eq!(retry["Retry-After"]["schema"]["format"], "uint32");
    }

    #[test]
    fn the_documented_plan_limits_are_the_domain_limits() {
        use crate::domain::{HOLD_SECONDS_MAX, QUANTITY_MAX};

        let json = document_json();
        let schemas = &json["components"]["schemas"];
        let hold_seconds = &schemas["CreatePerformance"]["properties"]["hold_seconds"];
        assert_eq!(hold_seconds["maximum"], HOLD_SECONDS_MAX);
        let quantities = &schemas["RulesBody"]["properties"]["valid_quantities"]["items"];
        assert_eq!(quantities["maximum"], QUANTITY_MAX);
    }

    #[test]
    fn the_docs_page_lists_every_operation_and_links_the_document() {
        let page = docs_page();
        assert!(page.contains("href=\"openapi.json\""));
        assert!(page.contains("<code>/transactions/{id}</code>"));
        assert_eq!(page.matches("<tr><td>").count(), 42);
        assert_eq!(
            render_summary("Lists `q` & <b>"),
            "Lists <code>q</code> &amp; &lt;b&gt;"
        );
        assert_eq!(
            escape_html("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
