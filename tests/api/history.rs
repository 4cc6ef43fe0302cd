//! History: a transaction's every state change and a seat's, read from the journal, in time
//! order, also after snapshots and a restart; another client's transaction is 403 and its
//! events are not in a seat's history.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

fn kinds(history: &Value) -> Vec<(String, Value, String)> {
    history["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|event| {
            (
                event["kind"].as_str().expect("kind").to_owned(),
                event["from"].clone(),
                event["to"].as_str().expect("to").to_owned(),
            )
        })
        .collect()
}

fn event(kind: &str, from: Option<&str>, to: &str) -> (String, Value, String) {
    (kind.to_owned(), json!(from), to.to_owned())
}

#[actix_web::test]
async fn a_transaction_and_a_seat_tell_every_change_across_snapshots_and_a_restart() {
    let app = spawn_app_with(|config| config.snapshot_every_entries = 2).await;
    app.create_performance(&performance_body("p1", &[&[(1, 10)]], free_rules()))
        .await;
    let shop = app.create_sales_client("shop").await;
    let rival = app.create_sales_client("rival").await;
    let held = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1", "p1:STALLS-A2"]}))
        .await;
    let id = transaction_id(held.assert_status(201));
    let path = format!("/transactions/{id}");
    app.call(
        Method::PATCH,
        &path,
        Some(&shop),
        Some(&json!({"remove": ["p1:STALLS-A2"], "add": [{"tickets": ["p1:STALLS-A3"]}]})),
    )
    .await
    .assert_status(200);
    app.checkout(&shop, &id).await.assert_status(200);
    let order = app.complete(&shop, &id).await;
    let number = order.assert_status(200)["order"]["number"]
        .as_str()
        .expect("a number")
        .to_owned();
    app.call(
        Method::POST,
        &format!("/orders/{number}/refunds"),
        Some(&shop),
        Some(&json!({"tickets": ["p1:STALLS-A3"]})),
    )
    .await
    .assert_status(201);
    app.holdbacks(ADMIN_KEY, "p1", &json!({"withhold": ["p1:STALLS-A3"]}))
        .await
        .assert_status(200);
    let expected = [
        event("held", None, "held"),
        event("modified", Some("held"), "held"),
        event("checked_out", Some("held"), "checked_out"),
        event("completed", Some("checked_out"), "complete"),
        event("refunded", Some("complete"), "partially_refunded"),
    ];
    let history_path = format!("{path}/history");
    let history = app
        .call(Method::GET, &history_path, Some(&shop), None)
        .await;
    let history = history.assert_status(200).clone();
    assert_eq!(kinds(&history), expected);
    assert_eq!(
        history["history"][1]["tickets"],
        json!(["p1:STALLS-A1", "p1:STALLS-A3"])
    );
    assert!(history["history"][0]["client"].is_string());
    app.call(Method::GET, &history_path, Some(&rival), None)
        .await
        .assert_error(403, "forbidden");
    let seat_path = "/performances/p1/history?seat=p1:STALLS-A3";
    let seat_expected = [
        event("modified", Some("free"), "held"),
        event("completed", Some("held"), "sold"),
        event("refunded", Some("sold"), "free"),
        event("withheld", Some("free"), "withheld"),
    ];
    let seat = app.call(Method::GET, seat_path, Some(&shop), None).await;
    assert_eq!(kinds(seat.assert_status(200)), seat_expected);
    // Another client sees the holdback, not the shop's transaction.
    let seen_by_rival = app.call(Method::GET, seat_path, Some(&rival), None).await;
    assert_eq!(
        kinds(seen_by_rival.assert_status(200)),
        [event("withheld", Some("free"), "withheld")]
    );
    // Snapshots were taken every two entries, and the history is whole after a restart.
    let app = app.restart().await;
    let again = app
        .call(Method::GET, &history_path, Some(&shop), None)
        .await;
    assert_eq!(again.assert_status(200), &history);
    let seat = app.call(Method::GET, seat_path, Some(&shop), None).await;
    assert_eq!(kinds(seat.assert_status(200)), seat_expected);
}

#[actix_web::test]
async fn a_seat_history_names_a_seat_of_its_performance() {
    let app = spawn_app_with_performances(&["p1", "p2"], free_rules()).await;
    let shop = app.create_sales_client("shop").await;
    let call = |path: &'static str| app.call(Method::GET, path, Some(&shop), None);
    call("/performances/p1/history?seat=p2:STALLS-A1")
        .await
        .assert_error(422, "rule_violation");
    call("/performances/p1/history?seat=p1:NOWHERE-Z9")
        .await
        .assert_error(404, "not_found");
    call("/performances/p9/history?seat=p9:STALLS-A1")
        .await
        .assert_error(404, "not_found");
    call("/performances/p1/history")
        .await
        .assert_error(400, "invalid_request");
    let empty = call("/performances/p1/history?seat=p1:STALLS-A1").await;
    assert_eq!(empty.assert_status(200)["history"], json!([]));
}
