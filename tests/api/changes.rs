//! `PATCH /transactions/{id}`: adding, giving up, moving and metadata, all or nothing, with
//! the rules judged on the result and the lock left as it was.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

/// An app with `p1` and `p2` (rows A and B, seats 1-10 each, and the pool `STANDING`).
async fn setup(rules: Value) -> TestApp {
    spawn_app_with_performances(&["p1", "p2"], rules).await
}

async fn patch(app: &TestApp, key: &str, transaction: &str, body: &Value) -> Answer {
    let path = format!("/transactions/{transaction}");
    app.call(Method::PATCH, &path, Some(key), Some(body)).await
}

async fn hold(app: &TestApp, key: &str, tickets: &[&str]) -> (String, Value) {
    let answer = app.place_hold(key, &json!({"tickets": tickets})).await;
    let body = answer.assert_status(201).clone();
    (transaction_id(&body), body)
}

fn sorted(mut tickets: Vec<String>) -> Vec<String> {
    tickets.sort();
    tickets
}

#[actix_web::test]
async fn a_move_gives_up_one_seat_and_takes_another_and_keeps_the_lock() {
    let app = setup(free_rules()).await;
    let shop = app.create_sales_client("shop").await;
    let (id, created) = hold(&app, &shop, &["p1:STALLS-A3", "p1:STALLS-A4"]).await;
    app.clock.advance_millis(20_000);
    let moved = patch(
        &app,
        &shop,
        &id,
        &json!({"remove": ["p1:STALLS-A3"], "add": [{"tickets": ["p1:STALLS-A5"]}]}),
    )
    .await;
    let moved = moved.assert_status(200).clone();
    assert_eq!(sorted(ticket_ids(&moved)), ["p1:STALLS-A4", "p1:STALLS-A5"]);
    assert_eq!(
        moved["lock_expires"], created["lock_expires"],
        "the lock is kept"
    );
    assert_eq!(moved["state"], "held");
    let (statuses, _) = app.seat_statuses("p1").await;
    assert_eq!(statuses["p1:STALLS-A3"], "free");
    assert_eq!(statuses["p1:STALLS-A5"], "held");
    assert_eq!(app.counts("p1").await["held"], 2);
}

#[actix_web::test]
async fn places_and_a_new_performance_can_be_added_and_places_given_up() {
    let app = setup(free_rules()).await;
    let shop = app.create_sales_client("shop").await;
    let (id, _) = hold(&app, &shop, &["p1:STALLS-A1"]).await;
    let body = json!({"add": [
        {"performance": "p1", "general_admission": {"STANDING": 3}},
        {"performance": "p2", "quantity": 2}
    ]});
    let grown = patch(&app, &shop, &id, &body).await;
    let grown = grown.assert_status(200).clone();
    assert_eq!(ticket_ids(&grown).len(), 3, "{grown}");
    assert_eq!(app.counts("p2").await["held"], 2);
    let shrunk = patch(
        &app,
        &shop,
        &id,
        &json!({"remove_general_admission": [{"performance": "p1", "code": "STANDING", "quantity": 2}]}),
    )
    .await;
    let places = &shrunk.assert_status(200)["general_admission"];
    assert_eq!(places[0]["quantity"], 1, "{places}");
    // The basket, now over two performances, completes as one order.
    let order = app
        .update_transaction(&shop, &id, &json!({"status": "complete"}))
        .await;
    assert_eq!(ticket_ids(order.assert_status(200)).len(), 3);
}

#[actix_web::test]
async fn a_refused_part_undoes_the_parts_already_made() {
    let app = setup(free_rules()).await;
    let shop = app.create_sales_client("shop").await;
    let (_, _) = hold(&app, &shop, &["p2:STALLS-A1"]).await;
    let (id, _) = hold(&app, &shop, &["p1:STALLS-A1"]).await;
    let before = (
        app.seat_statuses("p1").await.0,
        app.seat_statuses("p2").await.0,
    );
    let body = json!({"add": [{"tickets": ["p1:STALLS-A2", "p2:STALLS-A1"]}]});
    patch(&app, &shop, &id, &body)
        .await
        .assert_error(409, "seat_unavailable");
    assert_eq!(
        (
            app.seat_statuses("p1").await.0,
            app.seat_statuses("p2").await.0
        ),
        before,
        "p1's addition was undone"
    );
    let read = app.transaction(&shop, &id).await;
    assert_eq!(ticket_ids(read.assert_status(200)), ["p1:STALLS-A1"]);
}

#[actix_web::test]
async fn the_rules_are_judged_on_the_result() {
    let app = setup(strict_rules()).await;
    let shop = app.create_sales_client("shop").await;
    let (id, _) = hold(&app, &shop, &["p1:STALLS-A1", "p1:STALLS-A2"]).await;
    // Not one run any more.
    patch(
        &app,
        &shop,
        &id,
        &json!({"remove": ["p1:STALLS-A1"], "add": [{"tickets": ["p1:STALLS-A5"]}]}),
    )
    .await
    .assert_error(422, "rule_violation");
    // One run again, and no lone seat left: allowed.
    let grown = patch(
        &app,
        &shop,
        &id,
        &json!({"add": [{"tickets": ["p1:STALLS-A3"]}]}),
    )
    .await;
    assert_eq!(ticket_ids(grown.assert_status(200)).len(), 3);
    // Giving up the middle seat would split the run and strand it.
    patch(&app, &shop, &id, &json!({"remove": ["p1:STALLS-A2"]}))
        .await
        .assert_error(422, "rule_violation");
    // A ticket the transaction does not hold.
    patch(&app, &shop, &id, &json!({"remove": ["p1:STALLS-B1"]}))
        .await
        .assert_error(422, "rule_violation");
    let read = app.transaction(&shop, &id).await;
    assert_eq!(ticket_ids(read.assert_status(200)).len(), 3);
}

#[actix_web::test]
async fn metadata_merges_and_null_removes_a_key() {
    let app = setup(free_rules()).await;
    let shop = app.create_sales_client("shop").await;
    let answer = app
        .place_hold(
            &shop,
            &json!({"tickets": ["p1:STALLS-A1"], "metadata": {"a": "1", "b": "2"}}),
        )
        .await;
    let id = transaction_id(answer.assert_status(201));
    let changed = patch(
        &app,
        &shop,
        &id,
        &json!({"metadata": {"b": null, "c": "3"}}),
    )
    .await;
    assert_eq!(
        changed.assert_status(200)["metadata"],
        json!({"a": "1", "c": "3"})
    );
    let app = app.restart().await;
    let read = app.transaction(&shop, &id).await;
    assert_eq!(
        read.assert_status(200)["metadata"],
        json!({"a": "1", "c": "3"})
    );
}

#[actix_web::test]
async fn a_finished_transaction_cannot_change() {
    let app = setup(free_rules()).await;
    let shop = app.create_sales_client("shop").await;
    let add = json!({"add": [{"tickets": ["p1:STALLS-B1"]}]});
    let (sold, _) = hold(&app, &shop, &["p1:STALLS-A1"]).await;
    app.complete(&shop, &sold).await.assert_status(200);
    patch(&app, &shop, &sold, &add)
        .await
        .assert_error(409, "invalid_state");
    patch(&app, &shop, &sold, &json!({"metadata": {"k": "v"}}))
        .await
        .assert_error(409, "invalid_state");
    let (released, _) = hold(&app, &shop, &["p1:STALLS-A2"]).await;
    app.release(&shop, &released).await.assert_status(200);
    patch(&app, &shop, &released, &add)
        .await
        .assert_error(409, "invalid_state");
    let (expired, _) = hold(&app, &shop, &["p1:STALLS-A3"]).await;
    app.clock.advance_millis(181_000);
    patch(&app, &shop, &expired, &add)
        .await
        .assert_error(410, "lock_expired");
    assert_eq!(app.counts("p1").await["held"], 0);
}

#[actix_web::test]
async fn bad_changes_are_refused_and_change_nothing() {
    let app = setup(free_rules()).await;
    let shop = app.create_sales_client("shop").await;
    let other = app.create_sales_client("other").await;
    let (id, _) = hold(&app, &shop, &["p1:STALLS-A1", "p2:STALLS-A1"]).await;
    for body in [
        json!({}),
        json!({"remove": ["p1:STALLS-A1", "p1:STALLS-A1"]}),
        json!({"remove_general_admission": [{"performance": "p1", "code": "STANDING", "quantity": 0}]}),
        json!({"add": [{"items": []}]}),
        json!({"unknown": 1}),
    ] {
        patch(&app, &shop, &id, &body)
            .await
            .assert_error(400, "invalid_request");
    }
    patch(
        &app,
        &shop,
        &id,
        &json!({"remove": ["p1:STALLS-A1", "p2:STALLS-A1"]}),
    )
    .await
    .assert_error(422, "rule_violation");
    patch(&app, &other, &id, &json!({"metadata": {"k": "v"}}))
        .await
        .assert_error(403, "forbidden");
    let read = app.transaction(&shop, &id).await;
    assert_eq!(ticket_ids(read.assert_status(200)).len(), 2);
}
