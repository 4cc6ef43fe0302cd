//! Completing transactions through the coordinator: one order per transaction whatever the
//! number of completes sent at once, baskets over two performances sold atomically, cash
//! sales without a customer, and a second customer refused.

use futures::future::join_all;
use serde_json::{Value, json};

use crate::helpers::*;

/// An app with `p1` and `p2` (rows A and B, seats 1-10 each).
async fn setup() -> TestApp {
    spawn_app_with_performances(&["p1", "p2"], free_rules()).await
}

fn complete_body(name: &str) -> Value {
    json!({"status": "complete", "customer": {"name": name, "email": format!("{}@example.com", name.to_lowercase())}})
}

/// Sends `count` completes of `transaction` at once and returns the answers.
async fn complete_at_once(
    app: &TestApp,
    key: &str,
    transaction: &str,
    count: usize,
) -> Vec<Answer> {
    let body = complete_body("Joe");
    join_all((0..count).map(|_| app.update_transaction(key, transaction, &body))).await
}

#[actix_web::test]
async fn completes_sent_at_once_all_answer_the_one_order() {
    let app = setup().await;
    let shop = app.create_sales_client("shop").await;
    for seat in 1..=6 {
        let answer = app
            .place_hold(&shop, &json!({"tickets": [format!("p1:STALLS-A{seat}")]}))
            .await;
        let id = transaction_id(answer.assert_status(201));
        let answers = complete_at_once(&app, &shop, &id, 4).await;
        let numbers: Vec<Value> = answers
            .iter()
            .map(|answer| answer.assert_status(200)["order"]["number"].clone())
            .collect();
        assert!(
            numbers.iter().all(|number| *number == numbers[0]),
            "one transaction, one order: {numbers:?}"
        );
    }
}

#[actix_web::test]
async fn a_basket_over_two_performances_completes_atomically_with_one_order() {
    let app = setup().await;
    let shop = app.create_sales_client("shop").await;
    let answer = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1", "p2:STALLS-B3"]}))
        .await;
    let id = transaction_id(answer.assert_status(201));
    let answers = complete_at_once(&app, &shop, &id, 4).await;
    let first = answers[0].assert_status(200).clone();
    for answer in &answers {
        assert_eq!(
            answer.assert_status(200)["order"]["number"],
            first["order"]["number"]
        );
    }
    let tickets = ticket_ids(&first);
    assert_eq!(tickets, ["p1:STALLS-A1", "p2:STALLS-B3"], "{first}");
    for ticket in first["tickets"].as_array().expect("top-level tickets") {
        assert!(ticket["barcode"].is_string(), "{ticket}");
    }
    for performance in ["p1", "p2"] {
        assert_eq!(app.counts(performance).await["sold"], 1);
    }
    let number = first["order"]["number"].as_str().expect("a number");
    let order = app.get_as_admin(&format!("/orders/{number}")).await;
    assert_eq!(ticket_ids(&order.assert_status(200)["order"]), tickets);

    let app = app.restart().await;
    let order = app.get_as_admin(&format!("/orders/{number}")).await;
    assert_eq!(ticket_ids(&order.assert_status(200)["order"]), tickets);
    for performance in ["p1", "p2"] {
        assert_eq!(app.counts(performance).await["sold"], 1);
    }
}

#[actix_web::test]
async fn a_basket_with_one_expired_lock_is_refused_and_sells_nothing() {
    let app = setup().await;
    let shop = app.create_sales_client("shop").await;
    let answer = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1", "p2:STALLS-A1"]}))
        .await;
    let id = transaction_id(answer.assert_status(201));
    app.clock.advance_millis(181_000);
    app.update_transaction(&shop, &id, &complete_body("Joe"))
        .await
        .assert_error(410, "lock_expired");
    for performance in ["p1", "p2"] {
        let counts = app.counts(performance).await;
        assert_eq!(
            (counts["sold"].clone(), counts["held"].clone()),
            (json!(0), json!(0))
        );
    }
}

#[actix_web::test]
async fn a_cash_sale_names_no_customer_and_lists_its_tickets_at_the_top() {
    let app = setup().await;
    let shop = app.create_sales_client("shop").await;
    let answer = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1", "p1:STALLS-A2"]}))
        .await;
    let id = transaction_id(answer.assert_status(201));
    let answer = app
        .update_transaction(&shop, &id, &json!({"status": "complete"}))
        .await;
    let body = answer.assert_status(200);
    assert!(body["order"].get("customer").is_none(), "{body}");
    assert_eq!(ticket_ids(body), ["p1:STALLS-A1", "p1:STALLS-A2"]);
    assert_eq!(body["tickets"], body["order"]["tickets"]);
    // Repeating the cash sale answers the same order; naming a customer now is a conflict.
    let again = app
        .update_transaction(&shop, &id, &json!({"status": "complete"}))
        .await;
    assert_eq!(
        again.assert_status(200)["order"]["number"],
        body["order"]["number"]
    );
    app.update_transaction(&shop, &id, &complete_body("Joe"))
        .await
        .assert_error(409, "invalid_state");
}

#[actix_web::test]
async fn completing_again_for_another_customer_is_refused_and_changes_nothing() {
    let app = setup().await;
    let shop = app.create_sales_client("shop").await;
    let answer = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1", "p2:STALLS-A1"]}))
        .await;
    let id = transaction_id(answer.assert_status(201));
    let order = app
        .update_transaction(&shop, &id, &complete_body("Joe"))
        .await;
    let number = order.assert_status(200)["order"]["number"].clone();
    app.update_transaction(&shop, &id, &complete_body("Ann"))
        .await
        .assert_error(409, "invalid_state");
    app.get_as_admin("/people?email=ann@example.com")
        .await
        .assert_error(404, "not_found");
    let again = app
        .update_transaction(&shop, &id, &complete_body("Joe"))
        .await;
    assert_eq!(again.assert_status(200)["order"]["number"], number);
}
