//! Payments recorded at completion: the method from the configured list, the amount exactly
//! the transaction's total (in its currency, at one performance or several), shown on the
//! order and kept across a restart; a payment that does not settle sells nothing.

use serde_json::{Value, json};

use crate::helpers::*;

/// An app with `p1` and `p2` (rows A and B, seats 1-10 each, band A at 65.00 GBP; standing
/// places at 45.00 GBP).
async fn setup() -> TestApp {
    spawn_app_with_performances(&["p1", "p2"], free_rules()).await
}

fn paid(method: &str, amount: &str, currency: &str) -> Value {
    json!({
        "status": "complete",
        "customer": {"name": "Joe User", "email": "joe@example.com"},
        "payment": {"method": method, "reference": "ch_1", "amount": amount, "currency": currency}
    })
}

async fn held(app: &TestApp, key: &str, body: Value) -> String {
    transaction_id(app.place_hold(key, &body).await.assert_status(201))
}

#[actix_web::test]
async fn a_payment_of_the_total_is_recorded_on_the_order_and_kept_across_a_restart() {
    let app = setup().await;
    let shop = app.create_sales_client("shop").await;
    let basket = json!({"items": [
        {"tickets": ["p1:STALLS-A1", "p1:STALLS-A2"]},
        {"performance": "p2", "general_admission": {"STANDING": 1}}
    ]});
    let id = held(&app, &shop, basket).await;
    // 2 × 65.00 + 45.00, written with one fraction digit: the same number.
    let answer = app
        .update_transaction(&shop, &id, &paid("card", "175.0", "GBP"))
        .await;
    let order = answer.assert_status(200)["order"].clone();
    assert_eq!(
        order["payment"],
        json!({"method": "card", "reference": "ch_1", "amount": "175.0", "currency": "GBP"})
    );
    assert_eq!(
        order["totals"],
        json!([{"currency": "GBP", "amount": "175.00", "nominal": "175.00", "extra": "0.00",
                "discount": "0.00", "full": "175.00"}])
    );
    let number = order["number"].as_str().expect("a number").to_owned();
    let app = app.restart().await;
    let again = app
        .call(
            reqwest::Method::GET,
            &format!("/orders/{number}"),
            Some(&shop),
            None,
        )
        .await;
    assert_eq!(
        again.assert_status(200)["order"]["payment"],
        order["payment"]
    );
}

#[actix_web::test]
async fn a_payment_that_does_not_settle_the_total_sells_nothing() {
    let app = setup().await;
    let shop = app.create_sales_client("shop").await;
    let id = held(
        &app,
        &shop,
        json!({"tickets": ["p1:STALLS-A1", "p1:STALLS-A2"]}),
    )
    .await;
    for (amount, currency) in [("129.99", "GBP"), ("130.01", "GBP"), ("130.00", "EUR")] {
        let answer = app
            .update_transaction(&shop, &id, &paid("card", amount, currency))
            .await;
        answer.assert_error(422, "rule_violation");
        assert!(
            answer.body["errors"][0]
                .as_str()
                .is_some_and(|text| text.contains("130.00 GBP")),
            "the refusal says what is due: {}",
            answer.body
        );
    }
    let state = app.transaction(&shop, &id).await;
    assert_eq!(state.assert_status(200)["state"], "held");
    assert_eq!(app.counts("p1").await["sold"], 0);
    // The right amount then completes it.
    app.update_transaction(&shop, &id, &paid("cash", "130", "GBP"))
        .await
        .assert_status(200);
    assert_eq!(app.counts("p1").await["sold"], 2);
}

#[actix_web::test]
async fn a_basket_in_two_currencies_cannot_be_paid_with_one_payment() {
    let app = spawn_app().await;
    let mut euro = performance_body("p3", &[&[(1, 4)]], free_rules());
    euro["price_bands"][0]["currency"] = json!("EUR");
    app.create_performance(&performance_body("p1", &[&[(1, 4)]], free_rules()))
        .await;
    app.create_performance(&euro).await;
    let shop = app.create_sales_client("shop").await;
    let basket = json!({"items": [{"tickets": ["p1:STALLS-A1"]}, {"tickets": ["p3:STALLS-A1"]}]});
    let id = held(&app, &shop, basket).await;
    let answer = app
        .update_transaction(&shop, &id, &paid("card", "65.00", "GBP"))
        .await;
    answer.assert_error(422, "rule_violation");
    assert!(
        answer.body["errors"][0]
            .as_str()
            .is_some_and(|text| text.contains("2 currencies"))
    );
    // Without a payment it completes.
    let body = json!({"status": "complete"});
    app.update_transaction(&shop, &id, &body)
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn the_method_must_be_one_the_server_accepts() {
    let app = spawn_configured_app_with_performances(&["p1"], free_rules(), |config| {
        config.payment_methods = vec!["card".into(), "gift-card".into()];
    })
    .await;
    let shop = app.create_sales_client("shop").await;
    let methods = app
        .call(reqwest::Method::GET, "/payment-methods", Some(&shop), None)
        .await;
    assert_eq!(
        methods.assert_status(200),
        &json!({"payment_methods": ["card", "gift-card"]})
    );
    app.call(reqwest::Method::GET, "/payment-methods", None, None)
        .await
        .assert_error(401, "unauthorized");
    let id = held(&app, &shop, json!({"tickets": ["p1:STALLS-A1"]})).await;
    let answer = app
        .update_transaction(&shop, &id, &paid("cash", "65.00", "GBP"))
        .await;
    answer.assert_error(422, "rule_violation");
    assert_eq!(app.counts("p1").await["sold"], 0);
    app.update_transaction(&shop, &id, &paid("gift-card", "65.00", "GBP"))
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn a_retry_must_repeat_the_payment_and_a_checkout_takes_none() {
    let app = setup().await;
    let shop = app.create_sales_client("shop").await;
    let id = held(&app, &shop, json!({"tickets": ["p1:STALLS-A1"]})).await;
    let checkout = json!({
        "status": "checkout",
        "payment": {"method": "card", "amount": "65.00", "currency": "GBP"}
    });
    app.update_transaction(&shop, &id, &checkout)
        .await
        .assert_error(400, "invalid_request");
    let first = app
        .update_transaction(&shop, &id, &paid("card", "65.00", "GBP"))
        .await;
    let number = first.assert_status(200)["order"]["number"].clone();
    let retry = app
        .update_transaction(&shop, &id, &paid("card", "65.00", "GBP"))
        .await;
    assert_eq!(retry.assert_status(200)["order"]["number"], number);
    app.update_transaction(&shop, &id, &paid("cash", "65.00", "GBP"))
        .await
        .assert_error(409, "invalid_state");
    for bad in [
        json!({"method": "", "amount": "65.00", "currency": "GBP"}),
        json!({"method": "card", "amount": "-65.00", "currency": "GBP"}),
        json!({"method": "card", "amount": "65.00", "currency": "gbp"}),
        json!({"method": "card", "amount": 65, "currency": "GBP"}),
        json!({"method": "card", "currency": "GBP"}),
    ] {
        let id = held(&app, &shop, json!({"tickets": ["p1:STALLS-B1"]})).await;
        let body = json!({"status": "complete", "payment": bad});
        app.update_transaction(&shop, &id, &body)
            .await
            .assert_error(400, "invalid_request");
        app.release(&shop, &id).await.assert_status(200);
    }
}
