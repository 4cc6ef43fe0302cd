//! Every status and code of the contract's error table, with its exact body, the order in which
//! several faults are reported, and the promise that a refused request changes nothing.
//! `catalogue` sends the hostile and malformed requests, one named case each.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

mod catalogue;

/// The default body limit, 64 KiB.
const BODY_LIMIT: usize = 64 * 1024;

/// What a refused request must leave as it was: every seat's status and the map's version,
/// and the performance with its counts, per band and per pool.
#[derive(Debug, PartialEq)]
struct State {
    seats: BTreeMap<String, String>,
    version: u64,
    performance: Value,
}

async fn state(app: &TestApp, performance: &str) -> State {
    let (seats, version) = app.seat_statuses(performance).await;
    let performance = app
        .get(&format!("/performances/{performance}"))
        .await
        .assert_status(200)
        .clone();
    State {
        seats,
        version,
        performance,
    }
}

/// Asserts the contract's error body exactly: `status`, `code`, `errors` (strings) and, only
/// when specific tickets caused the error, `tickets`; served as JSON.
#[track_caller]
fn assert_error_body(answer: &Answer, status: u16, code: &str, tickets: &[&str]) {
    answer.assert_error(status, code);
    let mut keys: Vec<&str> = answer
        .body
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    if tickets.is_empty() {
        assert_eq!(keys, ["code", "errors", "status"], "body: {}", answer.body);
    } else {
        assert_eq!(
            keys,
            ["code", "errors", "status", "tickets"],
            "body: {}",
            answer.body
        );
        assert_eq!(
            answer.body["tickets"],
            json!(tickets),
            "body: {}",
            answer.body
        );
    }
    let content_type = answer
        .headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    assert!(
        content_type.starts_with("application/json"),
        "content type {content_type:?}"
    );
}

/// The first error message.
fn message(answer: &Answer) -> &str {
    answer.body["errors"][0].as_str().expect("a message")
}

/// An app with `p1` (row A: 1-12 | 13-24, row B: 1-10) under `rules`, a sales key `shop`
/// and another sales key `rival` that holds A20 so the state is not trivially empty.
async fn setup(rules: Value) -> (TestApp, String, String) {
    let app = spawn_app().await;
    app.create_performance(&performance_body(
        "p1",
        &[&[(1, 12), (13, 24)], &[(1, 10)]],
        rules,
    ))
    .await;
    let shop = app.create_sales_client("shop").await;
    let rival = app.create_sales_client("rival").await;
    app.place_hold(&rival, &json!({"tickets": ["p1:STALLS-A20"]}))
        .await
        .assert_status(201);
    (app, shop, rival)
}

async fn post_json_text(app: &TestApp, key: Option<&str>, text: &str) -> Answer {
    app.send_raw(
        Method::POST,
        "/transactions",
        key,
        Some("application/json"),
        text.to_owned(),
    )
    .await
}

/// A body of `size` bytes: a valid hold of A1, padded with JSON white space.
fn padded_hold(size: usize) -> String {
    let body = r#"{"tickets": ["p1:STALLS-A1"]}"#;
    format!("{body}{}", " ".repeat(size - body.len()))
}

// ---- 400 invalid_request ----

#[actix_web::test]
async fn malformed_or_truncated_json_is_an_invalid_request_and_holds_nothing() {
    let (app, shop, _) = setup(free_rules()).await;
    let before = state(&app, "p1").await;
    for text in [
        "{",
        r#"{"tickets": ["p1:STALLS-A1"]"#,
        r#"{"tickets": ["p1:STALLS-A1"#,
        "not json",
        r#"{"tickets": ["p1:STALLS-A1"],}"#,
        r#"{'tickets': ['p1:STALLS-A1']}"#,
        "",
    ] {
        let answer = post_json_text(&app, Some(&shop), text).await;
        assert_error_body(&answer, 400, "invalid_request", &[]);
    }
    assert_eq!(
        state(&app, "p1").await,
        before,
        "a refused request changes nothing"
    );
}

#[actix_web::test]
async fn wrong_types_are_an_invalid_request() {
    let (app, shop, _) = setup(free_rules()).await;
    let before = state(&app, "p1").await;
    for text in [
        r#"{"performance": "p1", "quantity": "2"}"#,
        r#"{"performance": "p1", "quantity": -1}"#,
        r#"{"performance": "p1", "quantity": 4294967296}"#,
        r#"{"performance": "p1", "quantity": 1e400}"#,
        r#"{"performance": "p1", "quantity": 2.5}"#,
        r#"{"performance": "p1", "quantity": true}"#,
        r#"{"performance": 1, "quantity": 2}"#,
        r#"{"tickets": "p1:STALLS-A1"}"#,
        r#"{"tickets": [1]}"#,
        r#"{"tickets": {"p1:STALLS-A1": 1}}"#,
        r#"{"performance": "p1", "general_admission": {"STANDING": "2"}}"#,
        r#"{"performance": "p1", "general_admission": ["STANDING"]}"#,
        r#"["p1:STALLS-A1"]"#,
        r#""p1:STALLS-A1""#,
    ] {
        let answer = post_json_text(&app, Some(&shop), text).await;
        assert_error_body(&answer, 400, "invalid_request", &[]);
    }
    assert_eq!(state(&app, "p1").await, before);
}

#[actix_web::test]
async fn missing_fields_are_an_invalid_request() {
    let (app, shop, _) = setup(free_rules()).await;
    let hold = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await;
    let id = transaction_id(hold.assert_status(201));
    let before = state(&app, "p1").await;

    let no_role = app.post_as_admin("/clients", &json!({"name": "x"})).await;
    assert_error_body(&no_role, 400, "invalid_request", &[]);
    let no_name = app
        .post_as_admin("/clients", &json!({"role": "sales"}))
        .await;
    assert_error_body(&no_name, 400, "invalid_request", &[]);

    let mut no_event = performance_body("p2", &[&[(1, 4)]], free_rules());
    no_event.as_object_mut().unwrap().remove("event");
    let answer = app.post_as_admin("/performances", &no_event).await;
    assert_error_body(&answer, 400, "invalid_request", &[]);
    let mut no_start = performance_body("p2", &[&[(1, 4)]], free_rules());
    no_start.as_object_mut().unwrap().remove("starts_at");
    let answer = app.post_as_admin("/performances", &no_start).await;
    assert_error_body(&answer, 400, "invalid_request", &[]);
    app.get("/performances/p2")
        .await
        .assert_error(404, "not_found");

    for body in [
        json!({}),
        json!({"customer": {"name": "Joe User", "email": "joe@example.com"}}),
        json!({"status": "complete", "customer": {"name": "Joe User"}}),
        json!({"status": "complete", "customer": {"email": "joe@example.com"}}),
    ] {
        let answer = app.update_transaction(&shop, &id, &body).await;
        assert_error_body(&answer, 400, "invalid_request", &[]);
    }
    let withhold = app
        .holdbacks(ADMIN_KEY, "p1", &json!({"withhold": [{"seat": "A1"}]}))
        .await;
    assert_error_body(&withhold, 400, "invalid_request", &[]);

    assert_eq!(state(&app, "p1").await, before);
    assert_eq!(
        app.transaction(&shop, &id).await.assert_status(200)["state"],
        "held"
    );
}

#[actix_web::test]
async fn unknown_fields_are_an_invalid_request() {
    let (app, shop, _) = setup(free_rules()).await;
    let before = state(&app, "p1").await;
    let answer = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1"], "seats": 1}))
        .await;
    assert_error_body(&answer, 400, "invalid_request", &[]);
    let answer = app
        .place_hold(
            &shop,
            &json!({"performance": "p1", "quantity": 2, "section": "STALLS"}),
        )
        .await;
    assert_error_body(&answer, 400, "invalid_request", &[]);
    let answer = app
        .post_as_admin(
            "/clients",
            &json!({"name": "x", "role": "sales", "colour": "red"}),
        )
        .await;
    assert_error_body(&answer, 400, "invalid_request", &[]);
    let mut body = performance_body("p2", &[&[(1, 4)]], free_rules());
    body["event"]["genre"] = json!("musical");
    let answer = app.post_as_admin("/performances", &body).await;
    assert_error_body(&answer, 400, "invalid_request", &[]);
    app.get("/performances/p2")
        .await
        .assert_error(404, "not_found");
    assert_eq!(state(&app, "p1").await, before);
}

#[actix_web::test]
async fn an_unknown_body_form_is_an_invalid_request() {
    let (app, shop, _) = setup(free_rules()).await;
    let hold = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await;
    let id = transaction_id(hold.assert_status(201));
    let before = state(&app, "p1").await;
    for body in [
        json!({"performance": "p1"}),
        json!({}),
        json!({"quantity": 2}),
        json!({"tickets": []}),
        json!({"tickets": ["p1:STALLS-A2"], "performance": "p1"}),
        json!({"tickets": ["p1:STALLS-A2"], "quantity": 1}),
        json!({"performance": "p1", "quantity": 2, "general_admission": {"STANDING": 2}}),
        json!({"performance": "p1", "general_admission": {}}),
        json!({"performance": "p1", "general_admission": {"STANDING": 2}, "price_band": "B"}),
        json!({"tickets": ["STALLS-A2"]}),
        json!({"tickets": ["p1:"]}),
        json!(null),
    ] {
        let answer = app.place_hold(&shop, &body).await;
        assert_error_body(&answer, 400, "invalid_request", &[]);
    }
    for body in [
        json!({"status": "paid"}),
        json!({"status": "checkout", "customer": {"name": "Joe User", "email": "joe@example.com"}}),
    ] {
        let answer = app.update_transaction(&shop, &id, &body).await;
        assert_error_body(&answer, 400, "invalid_request", &[]);
    }
    let empty = app
        .holdbacks(ADMIN_KEY, "p1", &json!({"withhold": [], "release": []}))
        .await;
    assert_error_body(&empty, 400, "invalid_request", &[]);
    assert_eq!(state(&app, "p1").await, before);
}

#[actix_web::test]
async fn a_body_without_the_json_content_type_is_an_invalid_request() {
    let (app, shop, _) = setup(free_rules()).await;
    let before = state(&app, "p1").await;
    let body = r#"{"tickets": ["p1:STALLS-A1"]}"#;
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/jsonp"),
        Some("text/json"),
    ] {
        let answer = app
            .send_raw(
                Method::POST,
                "/transactions",
                Some(&shop),
                content_type,
                body,
            )
            .await;
        assert_error_body(&answer, 400, "invalid_request", &[]);
    }
    assert_eq!(state(&app, "p1").await, before);
    let charset = app
        .send_raw(
            Method::POST,
            "/transactions",
            Some(&shop),
            Some("application/json; charset=utf-8"),
            body,
        )
        .await;
    assert_eq!(
        ticket_ids(charset.assert_status(201)),
        ["p1:STALLS-A1"],
        "a charset parameter is still JSON"
    );
}

#[actix_web::test]
async fn the_same_ticket_twice_is_an_invalid_request() {
    let (app, shop, _) = setup(free_rules()).await;
    let before = state(&app, "p1").await;
    let answer = app
        .place_hold(
            &shop,
            &json!({"tickets": ["p1:STALLS-A1", "p1:STALLS-A2", "p1:STALLS-A1"]}),
        )
        .await;
    answer.assert_error(400, "invalid_request");
    assert!(message(&answer).contains("STALLS-A1"), "{}", answer.body);
    let preferred = app
        .place_hold(
            &shop,
            &json!({"performance": "p1", "quantity": 2, "preferred": ["p1:STALLS-B1", "p1:STALLS-B1"]}),
        )
        .await;
    preferred.assert_error(400, "invalid_request");
    let holdback = app
        .holdbacks(
            ADMIN_KEY,
            "p1",
            &json!({"withhold": ["p1:STALLS-B1"], "release": ["p1:STALLS-B1"]}),
        )
        .await;
    holdback.assert_error(400, "invalid_request");
    assert_eq!(state(&app, "p1").await, before);
}

#[actix_web::test]
async fn the_same_ticket_twice_names_the_ticket_in_the_error() {
    let (app, shop, _) = setup(free_rules()).await;
    let answer = app
        .place_hold(
            &shop,
            &json!({"tickets": ["p1:STALLS-A1", "p1:STALLS-A2", "p1:STALLS-A1"]}),
        )
        .await;
    // The contract: `tickets` is present when specific tickets caused the error.
    assert_error_body(&answer, 400, "invalid_request", &["p1:STALLS-A1"]);
}

#[actix_web::test]
async fn json_nested_far_deeper_than_the_limit_is_an_invalid_request() {
    let (app, shop, _) = setup(free_rules()).await;
    let before = state(&app, "p1").await;
    let deep = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let texts = [
        deep(200),
        format!(r#"{{"tickets": {}}}"#, deep(200)),
        format!(r#"{{"performance": "p1", "general_admission": {}}}"#, {
            let open = r#"{"a":"#.repeat(200);
            format!("{open}1{}", "}".repeat(200))
        }),
        "[".repeat(200),
    ];
    for text in &texts {
        let answer = post_json_text(&app, Some(&shop), text).await;
        assert_error_body(&answer, 400, "invalid_request", &[]);
    }
    assert_eq!(state(&app, "p1").await, before);
    app.place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await
        .assert_status(201);
}

#[actix_web::test]
async fn a_bad_idempotency_key_is_an_invalid_request() {
    let (app, shop, _) = setup(free_rules()).await;
    let before = state(&app, "p1").await;
    let body = json!({"tickets": ["p1:STALLS-A1"]});
    let too_long = app
        .place_hold_idempotently(&shop, &"k".repeat(256), &body)
        .await;
    assert_error_body(&too_long, 400, "invalid_request", &[]);
    for bytes in ["clé-1".as_bytes(), "ключ".as_bytes(), b"tab\there"] {
        let request = app
            .client
            .post(format!("{}/transactions", app.address))
            .header("X-API-Key", &shop)
            .header(
                "Idempotency-Key",
                reqwest::header::HeaderValue::from_bytes(bytes).expect("a header value"),
            )
            .json(&body);
        let answer = TestApp::answer(request.send().await.expect("sent")).await;
        assert_error_body(&answer, 400, "invalid_request", &[]);
    }
    assert_eq!(state(&app, "p1").await, before);
    let longest = app
        .place_hold_idempotently(&shop, &"k".repeat(255), &body)
        .await;
    assert_eq!(
        ticket_ids(longest.assert_status(201)),
        ["p1:STALLS-A1"],
        "255 printable ASCII characters are allowed"
    );
}

// ---- 401 unauthorized ----

#[actix_web::test]
async fn a_missing_or_unknown_key_is_unauthorized() {
    let (app, shop, _) = setup(free_rules()).await;
    let hold = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await;
    let id = transaction_id(hold.assert_status(201));
    let order = app
        .complete(
            &shop,
            &transaction_id(
                app.place_hold(&shop, &json!({"tickets": ["p1:STALLS-B5"]}))
                    .await
                    .assert_status(201),
            ),
        )
        .await;
    let number = order.assert_status(200)["order"]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = state(&app, "p1").await;
    let hold_body = json!({"tickets": ["p1:STALLS-A2"]});
    let checkout = json!({"status": "checkout"});
    let performance = performance_body("p2", &[&[(1, 4)]], free_rules());
    for key in [None, Some("not-a-key"), Some(&shop[1..]), Some("")] {
        let calls = [
            (Method::POST, "/transactions".to_owned(), Some(&hold_body)),
            (Method::GET, format!("/transactions/{id}"), None),
            (Method::POST, format!("/transactions/{id}"), Some(&checkout)),
            (Method::DELETE, format!("/transactions/{id}"), None),
            (Method::GET, format!("/orders/{number}"), None),
            (
                Method::GET,
                "/people?email=joe@example.com".to_owned(),
                None,
            ),
            (Method::POST, "/performances".to_owned(), Some(&performance)),
        ];
        for (method, path, body) in calls {
            let answer = app.call(method, &path, key, body).await;
            assert_error_body(&answer, 401, "unauthorized", &[]);
        }
    }
    assert_eq!(state(&app, "p1").await, before);
    assert_eq!(
        app.transaction(&shop, &id).await.assert_status(200)["state"],
        "held"
    );
}

// ---- 403 forbidden ----

#[actix_web::test]
async fn a_sales_key_cannot_use_the_admin_calls() {
    let (app, shop, _) = setup(free_rules()).await;
    let before = state(&app, "p1").await;
    let answer = app
        .call(
            Method::POST,
            "/performances",
            Some(&shop),
            Some(&performance_body("p2", &[&[(1, 4)]], free_rules())),
        )
        .await;
    assert_error_body(&answer, 403, "forbidden", &[]);
    let answer = app
        .call(
            Method::POST,
            "/clients",
            Some(&shop),
            Some(&json!({"id": "friend", "name": "friend", "role": "admin"})),
        )
        .await;
    assert_error_body(&answer, 403, "forbidden", &[]);
    let answer = app
        .holdbacks(&shop, "p1", &json!({"withhold": ["p1:STALLS-A1"]}))
        .await;
    assert_error_body(&answer, 403, "forbidden", &[]);
    let answer = app
        .call(
            Method::GET,
            "/people?email=joe@example.com",
            Some(&shop),
            None,
        )
        .await;
    assert_error_body(&answer, 403, "forbidden", &[]);

    assert_eq!(state(&app, "p1").await, before);
    app.get("/performances/p2")
        .await
        .assert_error(404, "not_found");
    app.create_client_with_id("friend", "sales").await;
}

#[actix_web::test]
async fn another_clients_transaction_is_forbidden() {
    let (app, shop, rival) = setup(free_rules()).await;
    let hold = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1", "p1:STALLS-A2"]}))
        .await;
    let id = transaction_id(hold.assert_status(201));
    let read_before = app.transaction(&shop, &id).await.assert_status(200).clone();
    let before = state(&app, "p1").await;

    assert_error_body(&app.transaction(&rival, &id).await, 403, "forbidden", &[]);
    assert_error_body(&app.checkout(&rival, &id).await, 403, "forbidden", &[]);
    assert_error_body(&app.complete(&rival, &id).await, 403, "forbidden", &[]);
    assert_error_body(&app.release(&rival, &id).await, 403, "forbidden", &[]);

    assert_eq!(state(&app, "p1").await, before);
    assert_eq!(
        app.transaction(&shop, &id).await.assert_status(200),
        &read_before,
        "the owner's transaction is untouched"
    );
}

#[actix_web::test]
async fn another_clients_order_is_forbidden() {
    let (app, shop, rival) = setup(free_rules()).await;
    let hold = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await;
    let completed = app
        .complete(&shop, &transaction_id(hold.assert_status(201)))
        .await;
    let number = completed.assert_status(200)["order"]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/orders/{number}");
    let answer = app.call(Method::GET, &path, Some(&rival), None).await;
    assert_error_body(&answer, 403, "forbidden", &[]);
    app.call(Method::GET, &path, Some(&shop), None)
        .await
        .assert_status(200);
}

// ---- 404 not_found ----

#[actix_web::test]
async fn unknown_performances_and_seats_are_not_found() {
    let (app, shop, _) = setup(free_rules()).await;
    let before = state(&app, "p1").await;
    for path in [
        "/performances/nope",
        "/performances/nope/seats",
        "/performances/nope/availability",
        "/performances/bad%20id",
        "/performances/bad%20id/seats",
    ] {
        assert_error_body(&app.get(path).await, 404, "not_found", &[]);
    }
    for body in [
        json!({"tickets": ["nope:STALLS-A1"]}),
        json!({"performance": "nope", "quantity": 1}),
        json!({"performance": "nope", "general_admission": {"STANDING": 1}}),
    ] {
        let answer = app.place_hold(&shop, &body).await;
        assert_error_body(&answer, 404, "not_found", &[]);
    }
    let answer = app
        .holdbacks(ADMIN_KEY, "nope", &json!({"withhold": ["nope:STALLS-A1"]}))
        .await;
    assert_error_body(&answer, 404, "not_found", &[]);

    for ticket in [
        "p1:STALLS-Z1",
        "p1:STALLS-A99",
        "p1:CIRCLE-A1",
        "p1:STALLS-A0",
    ] {
        let answer = app.place_hold(&shop, &json!({"tickets": [ticket]})).await;
        assert_error_body(&answer, 404, "not_found", &[ticket]);
    }
    let answer = app
        .place_hold(
            &shop,
            &json!({"tickets": ["p1:STALLS-A1", "p1:STALLS-A2", "p1:STALLS-A77"]}),
        )
        .await;
    assert_error_body(&answer, 404, "not_found", &["p1:STALLS-A77"]);
    let answer = app
        .holdbacks(ADMIN_KEY, "p1", &json!({"withhold": ["p1:STALLS-Q1"]}))
        .await;
    assert_error_body(&answer, 404, "not_found", &["p1:STALLS-Q1"]);
    let answer = app
        .place_hold(
            &shop,
            &json!({"performance": "p1", "general_admission": {"BALCONY": 1}}),
        )
        .await;
    assert_error_body(&answer, 404, "not_found", &[]);
    assert_eq!(state(&app, "p1").await, before);
}

#[actix_web::test]
async fn unknown_transactions_orders_events_people_and_routes_are_not_found() {
    let (app, shop, _) = setup(free_rules()).await;
    let before = state(&app, "p1").await;
    let unknown = "0193a0d2-6f1c-7c4e-9a51-2f7f0f5b1c11";
    for id in [unknown, "not-a-uuid", "12345"] {
        assert_error_body(&app.transaction(&shop, id).await, 404, "not_found", &[]);
        assert_error_body(&app.checkout(&shop, id).await, 404, "not_found", &[]);
        assert_error_body(&app.complete(&shop, id).await, 404, "not_found", &[]);
        assert_error_body(&app.release(&shop, id).await, 404, "not_found", &[]);
        assert_error_body(&app.release(ADMIN_KEY, id).await, 404, "not_found", &[]);
    }
    for number in ["999999", "100001", "abc"] {
        let answer = app
            .call(Method::GET, &format!("/orders/{number}"), Some(&shop), None)
            .await;
        assert_error_body(&answer, 404, "not_found", &[]);
    }
    for path in [
        "/events/nope/performances",
        "/events/bad%20id/performances",
        "/no/such/route",
        "/performances/p1/nope",
        "/transactions/a/b",
    ] {
        assert_error_body(&app.get(path).await, 404, "not_found", &[]);
    }
    let person = app.get_as_admin("/people?email=nobody@example.com").await;
    assert_error_body(&person, 404, "not_found", &[]);
    assert_eq!(state(&app, "p1").await, before);
}

// ---- 409 seat_unavailable, insufficient_availability, invalid_state, already_exists ----

#[actix_web::test]
async fn a_taken_seat_is_unavailable_and_the_error_names_it() {
    let (app, shop, rival) = setup(free_rules()).await;
    let sold = app
        .place_hold(&rival, &json!({"tickets": ["p1:STALLS-B1"]}))
        .await;
    app.complete(&rival, &transaction_id(sold.assert_status(201)))
        .await
        .assert_status(200);
    app.holdbacks(ADMIN_KEY, "p1", &json!({"withhold": ["p1:STALLS-B9"]}))
        .await
        .assert_status(200);
    let before = state(&app, "p1").await;

    let held = app
        .place_hold(
            &shop,
            &json!({"tickets": ["p1:STALLS-A19", "p1:STALLS-A20"]}),
        )
        .await;
    assert_error_body(&held, 409, "seat_unavailable", &["p1:STALLS-A20"]);
    assert_eq!(
        message(&held),
        "Seat STALLS-A20 is held by another transaction"
    );
    let sold = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-B1", "p1:STALLS-B2"]}))
        .await;
    assert_error_body(&sold, 409, "seat_unavailable", &["p1:STALLS-B1"]);
    assert!(message(&sold).contains("STALLS-B1"), "{}", sold.body);
    let withheld = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-B9"]}))
        .await;
    assert_error_body(&withheld, 409, "seat_unavailable", &["p1:STALLS-B9"]);
    let own = app
        .place_hold(&rival, &json!({"tickets": ["p1:STALLS-A20"]}))
        .await;
    assert_error_body(&own, 409, "seat_unavailable", &["p1:STALLS-A20"]);
    assert_eq!(state(&app, "p1").await, before, "A19 and B2 stay free");
}

#[actix_web::test]
async fn more_than_is_free_is_insufficient_availability() {
    let app = spawn_app().await;
    app.create_performance(&performance_body("p1", &[&[(1, 4)]], free_rules()))
        .await;
    let shop = app.create_sales_client("shop").await;
    app.place_hold(&shop, &json!({"tickets": ["p1:STALLS-A2"]}))
        .await
        .assert_status(201);
    app.place_hold(
        &shop,
        &json!({"performance": "p1", "general_admission": {"STANDING": 8}}),
    )
    .await
    .assert_status(201);
    let before = state(&app, "p1").await;
    for body in [
        json!({"performance": "p1", "quantity": 3}),
        json!({"performance": "p1", "quantity": 4}),
        json!({"performance": "p1", "quantity": 1, "price_band": "B"}),
        json!({"performance": "p1", "general_admission": {"STANDING": 3}}),
    ] {
        let answer = app.place_hold(&shop, &body).await;
        assert_error_body(&answer, 409, "insufficient_availability", &[]);
    }
    assert_eq!(state(&app, "p1").await, before);
}

#[actix_web::test]
async fn an_expired_lock_is_lock_expired() {
    let (app, shop, _) = setup(free_rules()).await;
    let hold = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1", "p1:STALLS-A2"]}))
        .await;
    let id = transaction_id(hold.assert_status(201));
    app.clock.advance_millis(180_000 + 1);
    assert_error_body(&app.checkout(&shop, &id).await, 410, "lock_expired", &[]);
    let after_checkout = state(&app, "p1").await;
    assert_error_body(&app.complete(&shop, &id).await, 410, "lock_expired", &[]);
    assert_eq!(state(&app, "p1").await, after_checkout);
    let (seats, _) = app.seat_statuses("p1").await;
    assert_eq!(seats["p1:STALLS-A1"], "free");
    assert_eq!(seats["p1:STALLS-A2"], "free");
    assert_eq!(
        seats["p1:STALLS-A20"], "free",
        "the rival's lock expired too"
    );
}

#[actix_web::test]
async fn acting_on_a_released_transaction_is_an_invalid_state() {
    let (app, shop, _) = setup(free_rules()).await;
    let hold = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await;
    let id = transaction_id(hold.assert_status(201));
    app.release(&shop, &id).await.assert_status(200);
    let before = state(&app, "p1").await;
    assert_error_body(&app.complete(&shop, &id).await, 409, "invalid_state", &[]);
    assert_error_body(&app.checkout(&shop, &id).await, 409, "invalid_state", &[]);
    assert_eq!(state(&app, "p1").await, before);
    assert_eq!(
        app.transaction(&shop, &id).await.assert_status(200)["state"],
        "released"
    );
}

#[actix_web::test]
async fn holding_at_a_performance_that_has_started_is_an_invalid_state() {
    let (app, shop, _) = setup(free_rules()).await;
    let mut past = performance_body("past", &[&[(1, 4)]], free_rules());
    past["starts_at"] = json!("2026-10-31T20:00:00Z");
    app.create_performance(&past).await;
    let before = state(&app, "past").await;
    for body in [
        json!({"tickets": ["past:STALLS-A1"]}),
        json!({"performance": "past", "quantity": 1}),
        json!({"performance": "past", "general_admission": {"STANDING": 1}}),
    ] {
        let answer = app.place_hold(&shop, &body).await;
        assert_error_body(&answer, 409, "invalid_state", &[]);
    }
    assert_eq!(state(&app, "past").await, before);

    // p1 starts at 2026-12-04T19:30:00Z, 33 days and 19.5 hours after START.
    let starts_at = START.0 + (33 * 86_400 + 19 * 3_600 + 30 * 60) * 1_000;
    app.clock.set(holdfast::domain::Timestamp(starts_at - 1));
    app.place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await
        .assert_status(201);
    app.clock.set(holdfast::domain::Timestamp(starts_at));
    let before = state(&app, "p1").await;
    let answer = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A2"]}))
        .await;
    assert_error_body(&answer, 409, "invalid_state", &[]);
    assert_eq!(state(&app, "p1").await, before);
}

#[actix_web::test]
async fn a_taken_performance_id_already_exists() {
    let (app, _, _) = setup(free_rules()).await;
    let before = state(&app, "p1").await;
    let mut again = performance_body("p1", &[&[(1, 4)]], strict_rules());
    again["event"]["name"] = json!("Something Else");
    let answer = app.post_as_admin("/performances", &again).await;
    assert_error_body(&answer, 409, "already_exists", &[]);
    assert_eq!(
        state(&app, "p1").await,
        before,
        "the first performance stays"
    );
    assert_eq!(before.performance["event"]["name"], "Jersey Boys");
}

#[actix_web::test]
async fn a_taken_client_id_already_exists() {
    let (app, _, _) = setup(free_rules()).await;
    let key = app.create_client_with_id("webshop", "sales").await;
    let answer = app
        .post_as_admin(
            "/clients",
            &json!({"id": "webshop", "name": "impostor", "role": "admin"}),
        )
        .await;
    assert_error_body(&answer, 409, "already_exists", &[]);
    let answer = app
        .post_as_admin(
            "/clients",
            &json!({"id": "admin", "name": "admin", "role": "admin"}),
        )
        .await;
    assert_error_body(&answer, 409, "already_exists", &[]);
    let hold = app
        .place_hold(&key, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await;
    let id = transaction_id(hold.assert_status(201));
    assert_eq!(
        app.transaction(&key, &id).await.assert_status(200)["locked_by"],
        "webshop",
        "the first client keeps its id and key"
    );
    let forbidden = app
        .holdbacks(&key, "p1", &json!({"withhold": ["p1:STALLS-B1"]}))
        .await;
    assert_error_body(&forbidden, 403, "forbidden", &[]);
}

// ---- 413 payload_too_large ----

#[actix_web::test]
async fn a_body_over_the_limit_is_payload_too_large() {
    let (app, shop, _) = setup(free_rules()).await;
    let before = state(&app, "p1").await;
    for size in [BODY_LIMIT + 1, BODY_LIMIT * 4] {
        let answer = post_json_text(&app, Some(&shop), &padded_hold(size)).await;
        assert_error_body(&answer, 413, "payload_too_large", &[]);
    }
    let mut big = performance_body("p2", &[&[(1, 4)]], free_rules());
    big["event"]["name"] = json!("x".repeat(BODY_LIMIT));
    let answer = app.post_as_admin("/performances", &big).await;
    assert_error_body(&answer, 413, "payload_too_large", &[]);
    assert_eq!(state(&app, "p1").await, before);

    let at_limit = post_json_text(&app, Some(&shop), &padded_hold(BODY_LIMIT)).await;
    assert_eq!(
        ticket_ids(at_limit.assert_status(201)),
        ["p1:STALLS-A1"],
        "a body of exactly the limit is accepted"
    );
}

/// Sends a hold of A1 padded to `size` bytes as one chunk of a chunked body (no
/// `Content-Length`) over a plain TCP connection, and returns the status and JSON body.
async fn post_chunked(app: &TestApp, key: &str, size: usize) -> (u16, Value) {
    use std::io::{Read, Write};
    let address = app.address.trim_start_matches("http://").to_owned();
    let key = key.to_owned();
    let body = padded_hold(size);
    let response = actix_web::rt::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(&address).expect("connected");
        let head = format!(
            "POST /transactions HTTP/1.1\r\nHost: {address}\r\nX-API-Key: {key}\r\n\
             Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\
             Connection: close\r\n\r\n{:x}\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).expect("written");
        stream.write_all(body.as_bytes()).expect("written");
        stream.write_all(b"\r\n0\r\n\r\n").expect("written");
        let mut response = Vec::new();
        stream.read_to_end(&mut response).expect("read");
        String::from_utf8(response).expect("UTF-8")
    })
    .await
    .expect("the request ran");
    let status = response
        .get(9..12)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("a status line: {response}"));
    let (_, body) = response.split_once("\r\n\r\n").expect("a head");
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[actix_web::test]
async fn a_chunked_body_over_the_limit_is_payload_too_large() {
    let (app, shop, _) = setup(free_rules()).await;
    let before = state(&app, "p1").await;
    let (status, body) = post_chunked(&app, &shop, BODY_LIMIT + 1).await;
    assert_eq!(status, 413, "body: {body}");
    assert_eq!(body["code"], "payload_too_large");
    assert_eq!(body["status"], "error");
    assert_eq!(state(&app, "p1").await, before);
    let (status, body) = post_chunked(&app, &shop, BODY_LIMIT).await;
    assert_eq!(status, 201, "body: {body}");
}

// ---- 422 rule_violation ----

#[actix_web::test]
async fn a_quantity_outside_valid_quantities_is_a_rule_violation() {
    let (app, shop, _) = setup(strict_rules()).await;
    let before = state(&app, "p1").await;
    let seven: Vec<String> = (1..=7).map(|n| format!("p1:STALLS-A{n}")).collect();
    for body in [
        json!({"performance": "p1", "quantity": 7}),
        json!({"performance": "p1", "quantity": 0}),
        json!({"tickets": seven}),
        json!({"performance": "p1", "general_admission": {"STANDING": 7}}),
        json!({"performance": "p1", "general_admission": {"STANDING": 0}}),
    ] {
        let answer = app.place_hold(&shop, &body).await;
        assert_error_body(&answer, 422, "rule_violation", &[]);
    }
    assert_eq!(state(&app, "p1").await, before);
}

#[actix_web::test]
async fn non_adjacent_seats_at_a_strict_performance_are_a_rule_violation() {
    let (app, shop, _) = setup(strict_rules()).await;
    let before = state(&app, "p1").await;
    let apart = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A3", "p1:STALLS-A1"]}))
        .await;
    assert_error_body(
        &apart,
        422,
        "rule_violation",
        &["p1:STALLS-A1", "p1:STALLS-A3"],
    );
    let across_the_aisle = app
        .place_hold(
            &shop,
            &json!({"tickets": ["p1:STALLS-A12", "p1:STALLS-A13"]}),
        )
        .await;
    assert_error_body(
        &across_the_aisle,
        422,
        "rule_violation",
        &["p1:STALLS-A12", "p1:STALLS-A13"],
    );
    let two_rows = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A5", "p1:STALLS-B5"]}))
        .await;
    assert_error_body(
        &two_rows,
        422,
        "rule_violation",
        &["p1:STALLS-A5", "p1:STALLS-B5"],
    );
    assert_eq!(state(&app, "p1").await, before);
}

#[actix_web::test]
async fn a_selection_leaving_a_single_seat_gap_is_a_rule_violation_naming_the_lone_seat() {
    let (app, shop, _) = setup(strict_rules()).await;
    let before = state(&app, "p1").await;
    let at_block_end = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A2", "p1:STALLS-A3"]}))
        .await;
    assert_error_body(&at_block_end, 422, "rule_violation", &["p1:STALLS-A1"]);
    assert!(
        message(&at_block_end).contains("STALLS-A1"),
        "{}",
        at_block_end.body
    );
    // The rival holds A20, so taking A18 would leave A19 alone between two taken seats.
    let between = app
        .place_hold(
            &shop,
            &json!({"tickets": ["p1:STALLS-A17", "p1:STALLS-A18"]}),
        )
        .await;
    assert_error_body(&between, 422, "rule_violation", &["p1:STALLS-A19"]);
    assert!(message(&between).contains("STALLS-A19"), "{}", between.body);
    assert_eq!(state(&app, "p1").await, before);
    app.place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1", "p1:STALLS-A2"]}))
        .await
        .assert_status(201);
}

#[actix_web::test]
async fn more_than_one_hundred_tickets_in_one_request_is_a_rule_violation() {
    let app = spawn_app().await;
    let rules = json!({"contiguous_seats_only": false, "no_single_seat_gaps": false, "valid_quantities": [1, 100]});
    app.create_performance(&performance_body("p1", &[&[(1, 250)]], rules))
        .await;
    let shop = app.create_sales_client("shop").await;
    let before = state(&app, "p1").await;
    let many: Vec<String> = (1..=101).map(|n| format!("p1:STALLS-A{n}")).collect();
    let answer = app.place_hold(&shop, &json!({"tickets": many})).await;
    assert_error_body(&answer, 422, "rule_violation", &[]);
    assert!(message(&answer).contains("100"), "{}", answer.body);
    let answer = app
        .place_hold(&shop, &json!({"performance": "p1", "quantity": 101}))
        .await;
    assert_error_body(&answer, 422, "rule_violation", &[]);
    let withhold: Vec<String> = (1..=101).map(|n| format!("p1:STALLS-A{n}")).collect();
    let answer = app
        .holdbacks(ADMIN_KEY, "p1", &json!({"withhold": withhold}))
        .await;
    assert_error_body(&answer, 422, "rule_violation", &[]);
    assert_eq!(state(&app, "p1").await, before);

    let hundred: Vec<String> = (101..=200).map(|n| format!("p1:STALLS-A{n}")).collect();
    let answer = app.place_hold(&shop, &json!({"tickets": hundred})).await;
    assert_eq!(
        ticket_ids(answer.assert_status(201)).len(),
        100,
        "exactly 100 is allowed"
    );
}

#[actix_web::test]
async fn a_plan_over_one_hundred_thousand_seats_is_a_rule_violation() {
    let app = spawn_app().await;
    let too_big = performance_body("big", &[&[(1, 99_999)], &[(1, 2)]], free_rules());
    let answer = app.post_as_admin("/performances", &too_big).await;
    assert_error_body(&answer, 422, "rule_violation", &[]);
    app.get("/performances/big")
        .await
        .assert_error(404, "not_found");
    let events = app.get("/events").await;
    assert_eq!(events.assert_status(200)["meta"]["total_results"], 0);

    let largest = performance_body("big", &[&[(1, 99_999)], &[(1, 1)]], free_rules());
    let created = app.create_performance(&largest).await;
    assert_eq!(created["counts"]["available"], 100_000);
}

#[actix_web::test]
async fn checkout_or_complete_naming_other_tickets_or_another_id_is_a_rule_violation() {
    let (app, shop, _) = setup(free_rules()).await;
    let hold = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1", "p1:STALLS-A2"]}))
        .await;
    let id = transaction_id(hold.assert_status(201));
    let other = transaction_id(
        app.place_hold(&shop, &json!({"tickets": ["p1:STALLS-B1"]}))
            .await
            .assert_status(201),
    );
    let read_before = app.transaction(&shop, &id).await.assert_status(200).clone();
    let before = state(&app, "p1").await;
    let customer = json!({"name": "Joe User", "email": "joe@example.com"});
    let mismatches = [
        json!({"tickets": ["p1:STALLS-A1"]}),
        json!({"tickets": ["p1:STALLS-A1", "p1:STALLS-A2", "p1:STALLS-A3"]}),
        json!({"tickets": ["p1:STALLS-A1", "p1:STALLS-B1"]}),
        json!({"tickets": ["p1:STALLS-A1", "p1:STALLS-A2"], "id": other}),
        json!({"id": other}),
        json!({"id": "not-a-uuid"}),
    ];
    for extra in &mismatches {
        let mut checkout = extra.clone();
        checkout["status"] = json!("checkout");
        let answer = app.update_transaction(&shop, &id, &checkout).await;
        assert_error_body(&answer, 422, "rule_violation", &[]);
        let mut complete = extra.clone();
        complete["status"] = json!("complete");
        complete["customer"] = customer.clone();
        let answer = app.update_transaction(&shop, &id, &complete).await;
        assert_error_body(&answer, 422, "rule_violation", &[]);
    }
    assert_eq!(state(&app, "p1").await, before);
    assert_eq!(
        app.transaction(&shop, &id).await.assert_status(200),
        &read_before,
        "still held, lock unchanged"
    );
    assert_eq!(
        app.transaction(&shop, &other).await.assert_status(200)["state"],
        "held"
    );
    app.get_as_admin("/people?email=joe@example.com")
        .await
        .assert_error(404, "not_found");
}

// ---- The order of faults ----

#[actix_web::test]
async fn a_malformed_body_without_a_key_answers_400() {
    let (app, _, _) = setup(free_rules()).await;
    let before = state(&app, "p1").await;
    let answer = post_json_text(&app, None, r#"{"tickets": ["p1:STALLS-A1""#).await;
    assert_error_body(&answer, 400, "invalid_request", &[]);
    let duplicate = app
        .call(
            Method::POST,
            "/transactions",
            Some("unknown-key"),
            Some(&json!({"tickets": ["p1:STALLS-A1", "p1:STALLS-A1"]})),
        )
        .await;
    duplicate.assert_error(400, "invalid_request");
    let answer = app
        .send_raw(
            Method::POST,
            "/performances",
            None,
            Some("application/json"),
            "{",
        )
        .await;
    assert_error_body(&answer, 400, "invalid_request", &[]);
    assert_eq!(state(&app, "p1").await, before);
}

#[actix_web::test]
async fn a_valid_body_without_a_key_answers_401() {
    let (app, _, _) = setup(free_rules()).await;
    let before = state(&app, "p1").await;
    let answer = app
        .call(
            Method::POST,
            "/transactions",
            None,
            Some(&json!({"tickets": ["p1:STALLS-A20"]})),
        )
        .await;
    assert_error_body(&answer, 401, "unauthorized", &[]);
    let unknown_too = app
        .call(
            Method::POST,
            "/transactions",
            None,
            Some(&json!({"tickets": ["nope:STALLS-A1"]})),
        )
        .await;
    assert_error_body(&unknown_too, 401, "unauthorized", &[]);
    let transaction = app
        .call(
            Method::GET,
            "/transactions/0193a0d2-6f1c-7c4e-9a51-2f7f0f5b1c11",
            None,
            None,
        )
        .await;
    assert_error_body(&transaction, 401, "unauthorized", &[]);
    assert_eq!(state(&app, "p1").await, before);
}

#[actix_web::test]
async fn a_sales_key_is_forbidden_before_an_unknown_performance_or_an_oversized_body() {
    let (app, shop, _) = setup(free_rules()).await;
    let before = state(&app, "p1").await;
    let big = format!(
        r#"{{"id": "p2", "event": {{"id": "e", "name": "{}"}}}}"#,
        "x".repeat(BODY_LIMIT)
    );
    for path in ["/performances", "/clients", "/performances/p1/holdbacks"] {
        let answer = app
            .send_raw(
                Method::POST,
                path,
                Some(&shop),
                Some("application/json"),
                big.clone(),
            )
            .await;
        assert_error_body(&answer, 403, "forbidden", &[]);
    }
    let unknown = app
        .holdbacks(&shop, "nope", &json!({"withhold": ["nope:STALLS-A1"]}))
        .await;
    assert_error_body(&unknown, 403, "forbidden", &[]);
    assert_eq!(state(&app, "p1").await, before);
}

#[actix_web::test]
async fn an_unknown_performance_is_reported_before_an_oversized_body() {
    let (app, _, _) = setup(free_rules()).await;
    let big = format!(
        r#"{{"withhold": ["nope:STALLS-A1"]}}{}"#,
        " ".repeat(BODY_LIMIT)
    );
    let answer = app
        .send_raw(
            Method::POST,
            "/performances/nope/holdbacks",
            Some(ADMIN_KEY),
            Some("application/json"),
            big.clone(),
        )
        .await;
    assert_error_body(&answer, 404, "not_found", &[]);
    let answer = app
        .send_raw(
            Method::POST,
            "/performances/p1/holdbacks",
            Some(ADMIN_KEY),
            Some("application/json"),
            big,
        )
        .await;
    assert_error_body(&answer, 413, "payload_too_large", &[]);
}

#[actix_web::test]
async fn an_invalid_quantity_or_shape_is_reported_before_a_taken_seat() {
    let (app, shop, _) = setup(strict_rules()).await;
    let before = state(&app, "p1").await;
    // A20 is held by the rival: seven seats is not a valid quantity.
    let seven: Vec<String> = (15..=21).map(|n| format!("p1:STALLS-A{n}")).collect();
    let answer = app.place_hold(&shop, &json!({"tickets": seven})).await;
    assert_error_body(&answer, 422, "rule_violation", &[]);
    // Not contiguous, and A20 is taken.
    let apart = app
        .place_hold(
            &shop,
            &json!({"tickets": ["p1:STALLS-A15", "p1:STALLS-A20"]}),
        )
        .await;
    assert_error_body(
        &apart,
        422,
        "rule_violation",
        &["p1:STALLS-A15", "p1:STALLS-A20"],
    );
    assert_eq!(state(&app, "p1").await, before);
}

#[actix_web::test]
async fn a_taken_seat_is_reported_before_a_single_seat_gap() {
    let (app, shop, _) = setup(strict_rules()).await;
    let before = state(&app, "p1").await;
    // A20 is held: A21-A23 alone would leave A24 as a single-seat gap at the block's end.
    let gap_only = app
        .place_hold(
            &shop,
            &json!({"tickets": ["p1:STALLS-A21", "p1:STALLS-A22", "p1:STALLS-A23"]}),
        )
        .await;
    assert_error_body(&gap_only, 422, "rule_violation", &["p1:STALLS-A24"]);
    let both = app
        .place_hold(
            &shop,
            &json!({"tickets": ["p1:STALLS-A20", "p1:STALLS-A21", "p1:STALLS-A22", "p1:STALLS-A23"]}),
        )
        .await;
    assert_error_body(&both, 409, "seat_unavailable", &["p1:STALLS-A20"]);
    assert_eq!(state(&app, "p1").await, before);
}
