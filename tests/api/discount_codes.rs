//! Discount codes: defined by an admin, applied with `PATCH`, priced on the tickets they cover
//! (never on fees), counted when orders complete, never past their cap under concurrent
//! completions, refused with the reason said and nothing changed, kept across a restart.

use futures::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

/// `p1`: rows A and B (band A), standing places (band B); adults at 65.00 (A) and 45.00 (B),
/// children at 30.00 in band A only, a 1.50 booking fee per ticket.
async fn setup() -> (TestApp, String) {
    let app = spawn_app().await;
    let mut body = performance_body("p1", &[&[(1, 10)], &[(1, 10)]], free_rules());
    body["ticket_types"] = json!([
        {"code": "ADULT", "name": "Adult", "prices": {"A": "65.00", "B": "45.00"}},
        {"code": "CHILD", "name": "Child", "prices": {"A": "30.00"}}
    ]);
    body["fees"] = json!([{"code": "booking", "per_ticket": "1.50"}]);
    app.create_performance(&body).await;
    let shop = app.create_sales_client("shop").await;
    (app, shop)
}

async fn create_code(app: &TestApp, body: Value) -> Answer {
    app.post_as_admin("/discount-codes", &body).await
}

async fn patch(app: &TestApp, key: &str, transaction: &str, body: &Value) -> Answer {
    let path = format!("/transactions/{transaction}");
    app.call(Method::PATCH, &path, Some(key), Some(body)).await
}

async fn held(app: &TestApp, key: &str, tickets: Value) -> String {
    let answer = app.place_hold(key, &json!({"tickets": tickets})).await;
    transaction_id(answer.assert_status(201))
}

async fn uses(app: &TestApp, code: &str) -> u64 {
    let listed = app.get_as_admin("/discount-codes").await;
    let listed = listed.assert_status(200)["discount_codes"].clone();
    listed
        .as_array()
        .expect("codes")
        .iter()
        .find(|listed| listed["code"] == code)
        .and_then(|listed| listed["uses"].as_u64())
        .unwrap_or_else(|| panic!("{code} in {listed}"))
}

fn message(answer: &Answer) -> String {
    answer.body["errors"][0]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[actix_web::test]
async fn a_code_is_created_once_listed_and_refused_when_malformed() {
    let (app, shop) = setup().await;
    let created = create_code(
        &app,
        json!({"code": "early10", "percent": "10", "max_uses": 100,
               "valid_until": "2099-01-01T00:00:00Z", "scope": {"price_bands": ["A"]}}),
    )
    .await;
    let created = created.assert_status(201).clone();
    assert_eq!(created["code"], "EARLY10", "codes are kept upper-cased");
    assert_eq!(
        (
            &created["percent"],
            &created["amount_off"],
            &created["uses"]
        ),
        (&json!("10"), &Value::Null, &json!(0))
    );
    assert_eq!(created["scope"]["price_bands"], json!(["A"]));
    // The same code in another case is taken.
    create_code(&app, json!({"code": "Early10", "percent": "5"}))
        .await
        .assert_error(409, "already_exists");
    for bad in [
        json!({"code": "X", "percent": "100.5"}),
        json!({"code": "X", "percent": "10", "amount_off": "5.00", "currency": "GBP"}),
        json!({"code": "X", "amount_off": "5.00"}),
        json!({"code": "X"}),
        json!({"code": "no spaces", "percent": "10"}),
        json!({"code": "X", "percent": "10", "scope": {"ticket_types": ["A", "A"]}}),
    ] {
        create_code(&app, bad.clone())
            .await
            .assert_error(400, "invalid_request");
    }
    create_code(
        &app,
        json!({"code": "X", "percent": "10", "valid_from": "2099-01-02T00:00:00Z",
               "valid_until": "2099-01-01T00:00:00Z"}),
    )
    .await
    .assert_error(422, "rule_violation");
    app.call(
        Method::POST,
        "/discount-codes",
        Some(&shop),
        Some(&json!({"code": "MINE", "percent": "10"})),
    )
    .await
    .assert_error(403, "forbidden");
    let listed = app.get_as_admin("/discount-codes").await;
    let codes = listed.assert_status(200)["discount_codes"].clone();
    assert_eq!(codes.as_array().map(Vec::len), Some(1), "{codes}");
}

#[actix_web::test]
async fn a_code_takes_off_the_nominal_of_the_tickets_it_covers_and_counts_its_uses() {
    let (app, shop) = setup().await;
    create_code(
        &app,
        json!({"code": "KIDS", "percent": "50", "max_uses": 3,
               "scope": {"ticket_types": ["CHILD"]}}),
    )
    .await
    .assert_status(201);
    let id = held(
        &app,
        &shop,
        json!(["p1:STALLS-A1", {"id": "p1:STALLS-A2", "ticket_type": "CHILD"}]),
    )
    .await;
    let applied = patch(&app, &shop, &id, &json!({"discount_code": "kids"})).await;
    let applied = applied.assert_status(200).clone();
    assert_eq!(applied["discount_code"], "KIDS");
    let tickets = applied["tickets"].as_array().expect("tickets");
    assert_eq!(
        (&tickets[0]["discount"], &tickets[0]["full"]),
        (&json!("0.00"), &json!("66.50")),
        "the adult is not covered"
    );
    assert_eq!(
        (&tickets[1]["discount"], &tickets[1]["full"]),
        (&json!("15.00"), &json!("16.50")),
        "half of the child's 30.00, the fee untouched"
    );
    assert_eq!(
        applied["totals"],
        json!([{"currency": "GBP", "amount": "83.00", "nominal": "95.00", "extra": "3.00",
                "discount": "15.00", "full": "83.00"}])
    );
    // The payment must equal the discounted total.
    let paid = |amount: &str| {
        json!({"status": "complete", "payment": {"method": "card", "reference": "ch_1",
               "amount": amount, "currency": "GBP"}})
    };
    app.update_transaction(&shop, &id, &paid("98.00"))
        .await
        .assert_error(422, "rule_violation");
    assert_eq!(
        uses(&app, "KIDS").await,
        0,
        "a refused completion uses nothing"
    );
    let order = app.update_transaction(&shop, &id, &paid("83.00")).await;
    let order = order.assert_status(200)["order"].clone();
    assert_eq!(order["discount_code"], "KIDS");
    assert_eq!(order["totals"][0]["discount"], "15.00");
    assert_eq!(uses(&app, "KIDS").await, 1, "one covered ticket, one use");
    // Kept across a restart: the code, its uses, and the order's prices.
    let number = order["number"].as_str().expect("a number").to_owned();
    let app = app.restart().await;
    assert_eq!(uses(&app, "KIDS").await, 1);
    let again = app
        .call(Method::GET, &format!("/orders/{number}"), Some(&shop), None)
        .await;
    assert_eq!(again.assert_status(200)["order"]["totals"], order["totals"]);
    // `null` removes a code: the tickets cost what they did.
    let other = held(
        &app,
        &shop,
        json!([{"id": "p1:STALLS-B1", "ticket_type": "CHILD"}]),
    )
    .await;
    patch(&app, &shop, &other, &json!({"discount_code": "KIDS"}))
        .await
        .assert_status(200);
    let removed = patch(&app, &shop, &other, &json!({"discount_code": null})).await;
    let removed = removed.assert_status(200);
    assert_eq!(removed["discount_code"], Value::Null);
    assert_eq!(removed["totals"][0]["full"], "31.50");
}

#[actix_web::test]
async fn a_code_that_cannot_be_used_is_refused_saying_why_and_changes_nothing() {
    let (app, shop) = setup().await;
    for code in [
        json!({"code": "LATER", "percent": "10", "valid_from": "2099-01-01T00:00:00Z"}),
        json!({"code": "GONE", "percent": "10", "valid_until": "2000-01-01T00:00:00Z"}),
        json!({"code": "STANDING", "percent": "10", "scope": {"price_bands": ["B"]}}),
        json!({"code": "ONCE", "amount_off": "5.00", "currency": "GBP", "max_uses": 1}),
        json!({"code": "DOLLARS", "amount_off": "5.00", "currency": "USD"}),
    ] {
        create_code(&app, code).await.assert_status(201);
    }
    let id = held(&app, &shop, json!(["p1:STALLS-A1", "p1:STALLS-A2"])).await;
    patch(&app, &shop, &id, &json!({"discount_code": "NOPE"}))
        .await
        .assert_error(404, "not_found");
    for (code, reason) in [
        ("LATER", "not yet valid"),
        ("GONE", "expired"),
        ("STANDING", "out of scope"),
        ("DOLLARS", "out of scope"),
        ("ONCE", "used up"),
    ] {
        let refused = patch(&app, &shop, &id, &json!({"discount_code": code})).await;
        refused.assert_error(422, "rule_violation");
        assert!(message(&refused).contains(reason), "{code}: {refused:?}");
    }
    // Refused with a seat added in the same change: the seat is not held.
    let refused = patch(
        &app,
        &shop,
        &id,
        &json!({"add": [{"tickets": ["p1:STALLS-A3"]}], "discount_code": "STANDING"}),
    )
    .await;
    refused.assert_error(422, "rule_violation");
    let after = app.transaction(&shop, &id).await;
    let after = after.assert_status(200);
    assert_eq!(ticket_ids(after).len(), 2, "{after}");
    assert_eq!(after["discount_code"], Value::Null);
    // Applied when it covers a seat the same change adds: the standing place.
    let added = patch(
        &app,
        &shop,
        &id,
        &json!({"add": [{"performance": "p1", "general_admission": {"STANDING": 1}}],
                "discount_code": "STANDING"}),
    )
    .await;
    let added = added.assert_status(200);
    assert_eq!(added["general_admission"][0]["discount"], "4.50");
}

#[actix_web::test]
async fn concurrent_completions_never_use_a_code_past_its_cap() {
    let (app, shop) = setup().await;
    create_code(
        &app,
        json!({"code": "FEW", "amount_off": "10.00", "currency": "GBP", "max_uses": 3}),
    )
    .await
    .assert_status(201);
    let mut transactions = Vec::new();
    for seat in 1..=6 {
        let id = held(&app, &shop, json!([format!("p1:STALLS-A{seat}")])).await;
        patch(&app, &shop, &id, &json!({"discount_code": "FEW"}))
            .await
            .assert_status(200);
        transactions.push(id);
    }
    let complete = json!({"status": "complete"});
    let answers = join_all(
        transactions
            .iter()
            .map(|id| app.update_transaction(&shop, id, &complete)),
    )
    .await;
    let sold = answers.iter().filter(|a| a.status == 200).count();
    let used_up = answers
        .iter()
        .filter(|a| a.status == 422 && message(a).contains("used up"))
        .count();
    assert_eq!((sold, used_up), (3, 3), "{answers:?}");
    assert_eq!(uses(&app, "FEW").await, 3);
    let app = app.restart().await;
    assert_eq!(
        uses(&app, "FEW").await,
        3,
        "uses are those of the durable orders"
    );
}
