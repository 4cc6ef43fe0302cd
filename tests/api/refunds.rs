//! Refunds: some or all of an order's tickets given back, each paying back its `full` and the
//! order's per-order fees with its last ticket; the seats back on sale (or withheld), the
//! barcodes answering `refunded` at the door, the order's state and refunds shown; a ticket
//! refunded twice is 409, and every refusal changes nothing; kept across a restart.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

/// `p1`: rows A and B (band A); adults at 65.00, children at 30.00, a 1.50 booking fee per
/// ticket and a 2.00 handling fee per order. A `shop` and a `rival` sales client.
async fn setup() -> (TestApp, String, String) {
    let app = spawn_app().await;
    let mut body = performance_body("p1", &[&[(1, 10)], &[(1, 10)]], free_rules());
    body["ticket_types"] = json!([
        {"code": "ADULT", "name": "Adult", "prices": {"A": "65.00", "B": "45.00"}},
        {"code": "CHILD", "name": "Child", "prices": {"A": "30.00"}}
    ]);
    body["fees"] = json!([
        {"code": "booking", "per_ticket": "1.50"},
        {"code": "handling", "per_order": "2.00"}
    ]);
    app.create_performance(&body).await;
    let shop = app.create_sales_client("shop").await;
    let rival = app.create_sales_client("rival").await;
    (app, shop, rival)
}

/// Sells `tickets` paid by card; answers the order.
async fn sold(app: &TestApp, key: &str, tickets: Value, amount: &str) -> Value {
    let held = app.place_hold(key, &json!({"tickets": tickets})).await;
    let id = transaction_id(held.assert_status(201));
    let complete = json!({"status": "complete", "payment": {"method": "card",
        "reference": "ch_1", "amount": amount, "currency": "GBP"}});
    let answer = app.update_transaction(key, &id, &complete).await;
    answer.assert_status(200)["order"].clone()
}

async fn refund(app: &TestApp, key: &str, number: &str, body: &Value) -> Answer {
    let path = format!("/orders/{number}/refunds");
    app.call(Method::POST, &path, Some(key), Some(body)).await
}

async fn scan(app: &TestApp, key: &str, barcode: &str) -> Value {
    let body = json!({"barcode": barcode});
    let answer = app
        .call(Method::POST, "/scans", Some(key), Some(&body))
        .await;
    answer.assert_status(200).clone()
}

fn barcodes(order: &Value) -> Vec<String> {
    order["tickets"]
        .as_array()
        .expect("tickets")
        .iter()
        .map(|ticket| ticket["barcode"].as_str().expect("a barcode").to_owned())
        .collect()
}

#[actix_web::test]
async fn a_partial_then_a_full_refund_pay_back_what_was_paid_and_free_the_seats() {
    let (app, shop, _) = setup().await;
    // An adult and a child: 66.50 + 31.50 + 2.00 handling = 100.00.
    let order = sold(
        &app,
        &shop,
        json!(["p1:STALLS-A1", {"id": "p1:STALLS-A2", "ticket_type": "CHILD"}]),
        "100.00",
    )
    .await;
    let number = order["number"].as_str().expect("a number").to_owned();
    let codes = barcodes(&order);
    // The child's ticket: its full, 31.50, recorded against the card.
    let partial = refund(
        &app,
        &shop,
        &number,
        &json!({"tickets": ["p1:STALLS-A2"], "reason": "ill"}),
    )
    .await;
    let partial = partial.assert_status(201).clone();
    assert_eq!(
        partial["refund"],
        json!({"tickets": ["p1:STALLS-A2"], "amount": "31.50", "currency": "GBP",
               "payment": {"method": "card", "reference": "", "amount": "31.50",
                           "currency": "GBP"},
               "reason": "ill", "withheld": false, "at": partial["refund"]["at"]})
    );
    assert_eq!(partial["order"]["state"], "partially_refunded");
    let (seats, _) = app.seat_statuses("p1").await;
    assert_eq!(seats["p1:STALLS-A2"], "free", "back on sale");
    assert_eq!(seats["p1:STALLS-A1"], "sold");
    let refused = scan(&app, &shop, &codes[1]).await;
    assert_eq!(
        (&refused["valid"], &refused["reason"]),
        (&json!(false), &json!("refunded"))
    );
    assert!(refused["refunded_at"].is_string(), "{refused}");
    assert_eq!(scan(&app, &shop, &codes[0]).await["valid"], true);
    // Twice is 409, and changes nothing.
    refund(
        &app,
        &shop,
        &number,
        &json!({"tickets": [codes[1].clone()]}),
    )
    .await
    .assert_error(409, "invalid_state");
    // The rest: the adult's 66.50 and, with the last ticket, the 2.00 handling fee, paid
    // back by bank transfer as the caller says.
    let rest = refund(
        &app,
        &shop,
        &number,
        &json!({"payment": {"method": "invoice", "reference": "cn-7", "amount": "68.50",
                            "currency": "GBP"}}),
    )
    .await;
    let rest = rest.assert_status(201).clone();
    assert_eq!(rest["refund"]["tickets"], json!(["p1:STALLS-A1"]));
    assert_eq!(rest["refund"]["amount"], "68.50");
    assert_eq!(rest["order"]["state"], "refunded");
    assert_eq!(rest["order"]["refunds"].as_array().map(Vec::len), Some(2));
    refund(&app, &shop, &number, &json!({}))
        .await
        .assert_error(409, "invalid_state");
    // Kept across a restart: the refunds, the free seats, the barcodes that no longer admit.
    let app = app.restart().await;
    let again = app
        .call(Method::GET, &format!("/orders/{number}"), Some(&shop), None)
        .await;
    let again = again.assert_status(200)["order"].clone();
    assert_eq!(again["state"], "refunded");
    assert_eq!(again["refunds"], rest["order"]["refunds"]);
    let (seats, _) = app.seat_statuses("p1").await;
    assert_eq!(
        (
            seats["p1:STALLS-A1"].as_str(),
            seats["p1:STALLS-A2"].as_str()
        ),
        ("free", "free")
    );
    assert_eq!(scan(&app, &shop, &codes[0]).await["reason"], "refunded");
    // Takings show the money that went back.
    let takings = app.get_as_admin("/reports/takings").await;
    let rows = takings.assert_status(200)["rows"].clone();
    assert!(
        rows.as_array()
            .expect("rows")
            .iter()
            .any(|row| row["payment_method"] == "card"
                && row["received"] == "100.00"
                && row["refunded"] == "31.50"),
        "{rows}"
    );
}

#[actix_web::test]
async fn a_refunded_seat_sells_again_and_a_withheld_one_does_not() {
    let (app, shop, _) = setup().await;
    let order = sold(
        &app,
        &shop,
        json!(["p1:STALLS-B1", "p1:STALLS-B2"]),
        "135.00",
    )
    .await;
    let number = order["number"].as_str().expect("a number").to_owned();
    refund(&app, &shop, &number, &json!({"tickets": ["p1:STALLS-B1"]}))
        .await
        .assert_status(201);
    // Taking the seat off sale is the box office's call, not the shop's.
    refund(
        &app,
        &shop,
        &number,
        &json!({"tickets": ["p1:STALLS-B2"], "withhold": true}),
    )
    .await
    .assert_error(403, "forbidden");
    refund(
        &app,
        ADMIN_KEY,
        &number,
        &json!({"tickets": ["p1:STALLS-B2"], "withhold": true}),
    )
    .await
    .assert_status(201);
    let (seats, _) = app.seat_statuses("p1").await;
    assert_eq!(seats["p1:STALLS-B2"], "withheld");
    app.place_hold(&shop, &json!({"tickets": ["p1:STALLS-B2"]}))
        .await
        .assert_error(409, "seat_unavailable");
    let again = sold(&app, &shop, json!(["p1:STALLS-B1"]), "68.50").await;
    let new_code = barcodes(&again)[0].clone();
    assert_eq!(scan(&app, &shop, &new_code).await["valid"], true);
    assert_eq!(
        scan(&app, &shop, &barcodes(&order)[0]).await["reason"],
        "refunded"
    );
}

#[actix_web::test]
async fn refusals_change_nothing() {
    let (app, shop, rival) = setup().await;
    let order = sold(&app, &shop, json!(["p1:STALLS-A5"]), "68.50").await;
    let number = order["number"].as_str().expect("a number").to_owned();
    let other = sold(&app, &shop, json!(["p1:STALLS-A6"]), "68.50").await;
    let before = app.seat_statuses("p1").await;
    refund(&app, &rival, &number, &json!({}))
        .await
        .assert_error(403, "forbidden");
    refund(&app, &shop, "999999", &json!({}))
        .await
        .assert_error(404, "not_found");
    refund(&app, &shop, &number, &json!({"tickets": ["p1:STALLS-A6"]}))
        .await
        .assert_error(422, "rule_violation");
    refund(
        &app,
        &shop,
        &number,
        &json!({"tickets": [barcodes(&other)[0].clone()]}),
    )
    .await
    .assert_error(422, "rule_violation");
    let short = json!({"payment": {"method": "card", "reference": "r", "amount": "1.00",
                                   "currency": "GBP"}});
    refund(&app, &shop, &number, &short)
        .await
        .assert_error(422, "rule_violation");
    let unknown = json!({"payment": {"method": "bitcoin", "reference": "r", "amount": "68.50",
                                     "currency": "GBP"}});
    refund(&app, &shop, &number, &unknown)
        .await
        .assert_error(422, "rule_violation");
    for bad in [
        json!({"tickets": []}),
        json!({"tickets": ["p1:STALLS-A5", "p1:STALLS-A5"]}),
        json!({"tickets": ["no colon"]}),
        json!({"reason": "bell\u{7}"}),
        json!({"surprise": true}),
    ] {
        refund(&app, &shop, &number, &bad)
            .await
            .assert_error(400, "invalid_request");
    }
    assert_eq!(app.seat_statuses("p1").await, before);
    let unchanged = app
        .call(Method::GET, &format!("/orders/{number}"), Some(&shop), None)
        .await;
    assert_eq!(unchanged.assert_status(200)["order"]["state"], "complete");
}
