//! Baskets: `items` mixing the three forms at one or several performances, all or nothing,
//! with metadata shown on the transaction and its order.

use serde_json::{Value, json};

use crate::helpers::*;

/// An app with `p1` and `p2` (rows A and B, seats 1-10 each, and the pool `STANDING`).
async fn setup() -> TestApp {
    spawn_app_with_performances(&["p1", "p2"], free_rules()).await
}

fn pools(body: &Value) -> Vec<(String, String, u64)> {
    body["general_admission"]
        .as_array()
        .expect("general_admission")
        .iter()
        .map(|places| {
            (
                places["performance"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                places["code"].as_str().unwrap_or_default().to_owned(),
                places["quantity"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn a_basket_mixes_seats_best_available_and_places_at_two_performances() {
    let app = setup().await;
    let shop = app.create_sales_client("shop").await;
    let body = json!({
        "items": [
            {"tickets": ["p1:STALLS-A1"]},
            {"performance": "p1", "general_admission": {"STANDING": 2}},
            {"performance": "p2", "quantity": 2},
            {"tickets": ["p2:STALLS-B5"]}
        ],
        "metadata": {"basket": "b-1029", "channel": "web"}
    });
    let answer = app.place_hold(&shop, &body).await;
    let created = answer.assert_status(201).clone();
    let tickets = ticket_ids(&created);
    assert_eq!(tickets.len(), 4, "{created}");
    assert!(tickets.contains(&"p1:STALLS-A1".to_owned()));
    assert!(tickets.contains(&"p2:STALLS-B5".to_owned()));
    assert_eq!(pools(&created), [("p1".into(), "STANDING".into(), 2)]);
    assert_eq!(created["seat_request_status"], "not_requested");
    assert_eq!(app.counts("p1").await["held"], 1);
    assert_eq!(app.counts("p2").await["held"], 3);

    let id = transaction_id(&created);
    let read = app.transaction(&shop, &id).await;
    assert_eq!(
        read.assert_status(200)["metadata"],
        json!({"basket": "b-1029", "channel": "web"})
    );
    let order = app
        .update_transaction(&shop, &id, &json!({"status": "complete"}))
        .await;
    let order = order.assert_status(200);
    assert_eq!(order["order"]["metadata"]["basket"], "b-1029");
    assert_eq!(ticket_ids(&order["order"]).len(), 4);

    let app = app.restart().await;
    let read = app.transaction(&shop, &id).await;
    assert_eq!(read.assert_status(200)["metadata"]["channel"], "web");
}

#[actix_web::test]
async fn a_basket_is_all_or_nothing() {
    let app = setup().await;
    let shop = app.create_sales_client("shop").await;
    app.place_hold(&shop, &json!({"tickets": ["p2:STALLS-A3"]}))
        .await
        .assert_status(201);
    let before = (
        app.seat_statuses("p1").await.0,
        app.seat_statuses("p2").await.0,
    );
    let body = json!({"items": [
        {"tickets": ["p1:STALLS-A1", "p1:STALLS-A2"]},
        {"performance": "p1", "general_admission": {"STANDING": 1}},
        {"tickets": ["p2:STALLS-A3"]}
    ]});
    app.place_hold(&shop, &body)
        .await
        .assert_error(409, "seat_unavailable");
    // Every seat as it was (p1's hold was placed and released: the version moved on).
    assert_eq!(
        (
            app.seat_statuses("p1").await.0,
            app.seat_statuses("p2").await.0
        ),
        before
    );
    assert_eq!(app.counts("p1").await["held"], 0);
    assert_eq!(
        app.get("/performances/p1").await.assert_status(200)["general_admission"][0]["held"],
        0
    );
}

#[actix_web::test]
async fn bad_baskets_and_metadata_are_invalid_requests() {
    let app = setup().await;
    let shop = app.create_sales_client("shop").await;
    let long = "x".repeat(256);
    let many: serde_json::Map<String, Value> =
        (0..33).map(|i| (format!("k{i}"), json!("v"))).collect();
    for body in [
        json!({"items": []}),
        json!({"items": [{"tickets": ["p1:STALLS-A1"]}], "tickets": ["p1:STALLS-A2"]}),
        json!({"items": [{"items": [{"tickets": ["p1:STALLS-A1"]}]}]}),
        json!({"items": [{"tickets": ["p1:STALLS-A1"], "metadata": {"a": "b"}}]}),
        json!({"tickets": ["p1:STALLS-A1"], "metadata": {"k": long}}),
        json!({"tickets": ["p1:STALLS-A1"], "metadata": {"": "v"}}),
        json!({"tickets": ["p1:STALLS-A1"], "metadata": {"k": 1}}),
        json!({"tickets": ["p1:STALLS-A1"], "metadata": many}),
    ] {
        app.place_hold(&shop, &body)
            .await
            .assert_error(400, "invalid_request");
    }
    assert_eq!(app.counts("p1").await["held"], 0);
}

/// A ticket named by two items breaks no field's own shape (the description cannot forbid it,
/// so it is not a 400): the contract ranks duplicate tickets among the 422 faults of a
/// request's shape, after an unknown performance (404).
#[actix_web::test]
async fn a_ticket_in_two_items_is_a_rule_violation_after_unknown_performances() {
    let app = setup().await;
    let shop = app.create_sales_client("shop").await;
    let twice = json!({"items": [{"tickets": ["p1:STALLS-A1"]}, {"tickets": ["p1:STALLS-A1"]}]});
    let answer = app.place_hold(&shop, &twice).await;
    answer.assert_error(422, "rule_violation");
    assert_eq!(answer.body["tickets"], json!(["p1:STALLS-A1"]));
    let with_unknown = json!({"items": [
        {"tickets": ["p1:STALLS-A1"]}, {"tickets": ["p1:STALLS-A1"]}, {"tickets": ["nope:X1"]}
    ]});
    app.place_hold(&shop, &with_unknown)
        .await
        .assert_error(404, "not_found");
    let elsewhere = json!({"performance": "p1", "quantity": 2, "preferred": ["p2:STALLS-A1"]});
    app.place_hold(&shop, &elsewhere)
        .await
        .assert_error(422, "rule_violation");
    assert_eq!(app.counts("p1").await["held"], 0);
}

#[actix_web::test]
async fn a_keyed_basket_retry_answers_the_first_basket() {
    let app = setup().await;
    let shop = app.create_sales_client("shop").await;
    let body = json!({"items": [
        {"tickets": ["p1:STALLS-A1"]},
        {"performance": "p2", "general_admission": {"STANDING": 1}}
    ], "metadata": {"k": "v"}});
    let first = app.place_hold_idempotently(&shop, "basket-1", &body).await;
    let first = first.assert_status(201).clone();
    let app = app.restart().await;
    let again = app.place_hold_idempotently(&shop, "basket-1", &body).await;
    assert_eq!(
        again.assert_status(201)["transaction_id"],
        first["transaction_id"]
    );
    assert_eq!(app.counts("p1").await["held"], 1);
}
