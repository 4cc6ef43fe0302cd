//! `Idempotency-Key` on every write: a retry with the same key and request answers the first
//! answer with its status (also after a restart) and does nothing again; the same key with
//! another request is 422.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

async fn keyed(
    app: &TestApp,
    method: Method,
    path: &str,
    api_key: &str,
    idempotency_key: &str,
    body: Option<&Value>,
) -> Answer {
    let mut request = app
        .client
        .request(method, format!("{}{path}", app.address))
        .header("X-API-Key", api_key)
        .header("Idempotency-Key", idempotency_key);
    if let Some(body) = body {
        request = request.json(body);
    }
    TestApp::answer(request.send().await.expect("the request is sent")).await
}

#[actix_web::test]
async fn a_retried_client_creation_answers_the_client_without_its_key() {
    let app = spawn_app().await;
    let body = json!({"name": "web shop", "role": "sales"});
    let first = keyed(
        &app,
        Method::POST,
        "/clients",
        ADMIN_KEY,
        "c-1",
        Some(&body),
    )
    .await;
    let first = first.assert_status(201).clone();
    assert!(first["key"].is_string());
    let again = keyed(
        &app,
        Method::POST,
        "/clients",
        ADMIN_KEY,
        "c-1",
        Some(&body),
    )
    .await;
    let again = again.assert_status(201);
    assert_eq!(
        again["id"], first["id"],
        "the same client, not a second one"
    );
    assert!(again.get("key").is_none(), "the key is shown once: {again}");
    let other = json!({"name": "box office", "role": "sales"});
    keyed(
        &app,
        Method::POST,
        "/clients",
        ADMIN_KEY,
        "c-1",
        Some(&other),
    )
    .await
    .assert_error(422, "rule_violation");
}

#[actix_web::test]
async fn retried_writes_answer_the_first_answer_also_after_a_restart() {
    let app = spawn_app().await;
    let performance = performance_body("p1", &[&[(1, 10)]], free_rules());
    let created = keyed(
        &app,
        Method::POST,
        "/performances",
        ADMIN_KEY,
        "p-1",
        Some(&performance),
    )
    .await;
    let created = created.assert_status(201).clone();
    let shop = app.create_sales_client("shop").await;
    let hold = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await;
    let id = transaction_id(hold.assert_status(201));
    let path = format!("/transactions/{id}");
    let add = json!({"add": [{"tickets": ["p1:STALLS-A2"]}]});
    let changed = keyed(&app, Method::PATCH, &path, &shop, "x-1", Some(&add)).await;
    let changed = changed.assert_status(200).clone();
    let withhold = json!({"withhold": ["p1:STALLS-A9"]});
    let holdbacks = "/performances/p1/holdbacks";
    keyed(
        &app,
        Method::POST,
        holdbacks,
        ADMIN_KEY,
        "h-1",
        Some(&withhold),
    )
    .await
    .assert_status(200);
    let complete = json!({"status": "complete"});
    let order = keyed(&app, Method::POST, &path, &shop, "x-2", Some(&complete)).await;
    let order = order.assert_status(200).clone();

    let app = app.restart().await;
    let again = keyed(
        &app,
        Method::POST,
        "/performances",
        ADMIN_KEY,
        "p-1",
        Some(&performance),
    )
    .await;
    assert_eq!(
        again.assert_status(201)["id"],
        created["id"],
        "201 again, not already_exists"
    );
    let again = keyed(&app, Method::PATCH, &path, &shop, "x-1", Some(&add)).await;
    assert_eq!(
        *again.assert_status(200),
        changed,
        "the first answer, and no seat added twice"
    );
    let again = keyed(
        &app,
        Method::POST,
        holdbacks,
        ADMIN_KEY,
        "h-1",
        Some(&withhold),
    )
    .await;
    again.assert_status(200);
    let again = keyed(&app, Method::POST, &path, &shop, "x-2", Some(&complete)).await;
    assert_eq!(
        again.assert_status(200)["order"]["number"],
        order["order"]["number"]
    );
    assert_eq!(app.counts("p1").await["sold"], 2);
    assert_eq!(app.counts("p1").await["withheld"], 1);
    keyed(&app, Method::PATCH, &path, &shop, "x-2", Some(&add))
        .await
        .assert_error(422, "rule_violation");
}

#[actix_web::test]
async fn a_retried_release_answers_its_first_answer() {
    let app = spawn_app().await;
    app.create_performance(&performance_body("p1", &[&[(1, 10)]], free_rules()))
        .await;
    let shop = app.create_sales_client("shop").await;
    let hold = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await;
    let id = transaction_id(hold.assert_status(201));
    let path = format!("/transactions/{id}");
    let first = keyed(&app, Method::DELETE, &path, &shop, "r-1", None).await;
    let first = first.assert_status(200).clone();
    let again = keyed(&app, Method::DELETE, &path, &shop, "r-1", None).await;
    assert_eq!(*again.assert_status(200), first);
    let too_long = "k".repeat(256);
    keyed(&app, Method::DELETE, &path, &shop, &too_long, None)
        .await
        .assert_error(400, "invalid_request");
}

#[actix_web::test]
async fn every_write_documents_the_idempotency_key() {
    let app = spawn_app().await;
    let document = app.get("/openapi.json").await;
    let document = document.assert_status(200);
    for (path, method) in [
        ("/clients", "post"),
        ("/performances", "post"),
        ("/performances/{id}/holdbacks", "post"),
        ("/transactions", "post"),
        ("/transactions/{id}", "post"),
        ("/transactions/{id}", "patch"),
        ("/transactions/{id}", "delete"),
    ] {
        let parameters = document["paths"][path][method]["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(
            parameters
                .iter()
                .any(|p| p["name"] == "Idempotency-Key" && p["in"] == "header"),
            "{method} {path}: {parameters:?}"
        );
    }
}

#[actix_web::test]
async fn a_hold_key_is_remembered_for_a_day_and_then_is_a_new_request_also_across_a_restart() {
    let app = spawn_app_with_performances(&["p1"], free_rules()).await;
    let shop = app.create_sales_client("shop").await;
    let first = json!({"tickets": ["p1:STALLS-A1"]});
    let other = json!({"tickets": ["p1:STALLS-A2"]});
    let held = app.place_hold_idempotently(&shop, "day-key", &first).await;
    let held = transaction_id(held.assert_status(201));

    app.clock.advance_millis(23 * 3_600_000);
    let app = app.restart().await;
    let replayed = app.place_hold_idempotently(&shop, "day-key", &first).await;
    assert_eq!(transaction_id(replayed.assert_status(201)), held);
    app.place_hold_idempotently(&shop, "day-key", &other)
        .await
        .assert_error(422, "rule_violation");

    app.clock.advance_millis(3_600_001);
    let app = app.restart().await;
    let fresh = app.place_hold_idempotently(&shop, "day-key", &other).await;
    assert_ne!(transaction_id(fresh.assert_status(201)), held);
}
