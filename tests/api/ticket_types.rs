//! Ticket types and fees: a performance's price list, chosen per ticket or per item, priced
//! per ticket (`nominal`, `extra`, `discount`, `full`) and totalled per currency with the
//! order's per-order fees; a payment must equal the total `full`; bad price lists are 400 and
//! create nothing; everything survives a restart.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

/// `p1` or `p2`: rows A and B (band A), standing places (band B), adult everywhere, child in
/// band A only, a booking fee of 1.50 per ticket and a handling fee of 2.00 per order.
fn priced_body(id: &str) -> Value {
    let mut body = performance_body(id, &[&[(1, 10)], &[(1, 10)]], free_rules());
    body["ticket_types"] = json!([
        {"code": "ADULT", "name": "Adult", "prices": {"A": "65.00", "B": "45.00"}},
        {"code": "CHILD", "name": "Child", "prices": {"A": "30.00"}}
    ]);
    body["fees"] = json!([
        {"code": "booking", "per_ticket": "1.50"},
        {"code": "handling", "per_order": "2.00"}
    ]);
    body
}

async fn setup() -> (TestApp, String) {
    let app = spawn_app().await;
    for id in ["p1", "p2"] {
        app.create_performance(&priced_body(id)).await;
    }
    let shop = app.create_sales_client("shop").await;
    (app, shop)
}

fn money(ticket: &Value) -> [&str; 5] {
    ["ticket_type", "nominal", "extra", "discount", "full"].map(|field| {
        ticket[field]
            .as_str()
            .unwrap_or_else(|| panic!("{field} in {ticket}"))
    })
}

fn total(body: &Value) -> Value {
    let totals = body["totals"].as_array().expect("totals");
    assert_eq!(totals.len(), 1, "one currency: {totals:?}");
    totals[0].clone()
}

#[actix_web::test]
async fn a_performance_answers_its_ticket_types_and_fees() {
    let (app, _) = setup().await;
    let performance = app.get("/performances/p1").await;
    let performance = performance.assert_status(200);
    assert_eq!(
        performance["ticket_types"],
        json!([
            {"code": "ADULT", "name": "Adult", "prices": {"A": "65.00", "B": "45.00"}},
            {"code": "CHILD", "name": "Child", "prices": {"A": "30.00"}}
        ])
    );
    assert_eq!(
        performance["fees"],
        json!([
            {"code": "booking", "per_ticket": "1.50"},
            {"code": "handling", "per_order": "2.00"}
        ])
    );
}

#[actix_web::test]
async fn each_ticket_carries_its_type_and_breakdown_and_the_order_fee_is_in_the_totals() {
    let (app, shop) = setup().await;
    let held = app
        .place_hold(
            &shop,
            &json!({"tickets": ["p1:STALLS-A1", {"id": "p1:STALLS-A2", "ticket_type": "CHILD"}]}),
        )
        .await;
    let held = held.assert_status(201).clone();
    let tickets = held["tickets"].as_array().expect("tickets");
    assert_eq!(
        money(&tickets[0]),
        ["ADULT", "65.00", "1.50", "0.00", "66.50"]
    );
    assert_eq!(
        money(&tickets[1]),
        ["CHILD", "30.00", "1.50", "0.00", "31.50"]
    );
    assert_eq!(tickets[1]["price"], "30.00", "price is the nominal price");
    // 95.00 of tickets, 3.00 of booking fees and 2.00 of handling.
    assert_eq!(
        total(&held),
        json!({"currency": "GBP", "amount": "100.00", "nominal": "95.00", "extra": "5.00",
               "discount": "0.00", "full": "100.00"})
    );
}

#[actix_web::test]
async fn best_available_and_places_take_an_item_type_and_only_where_it_is_sold() {
    let (app, shop) = setup().await;
    let children = app
        .place_hold(
            &shop,
            &json!({"performance": "p1", "quantity": 2, "ticket_type": "CHILD"}),
        )
        .await;
    let children = children.assert_status(201).clone();
    for ticket in children["tickets"].as_array().expect("tickets") {
        assert_eq!(money(ticket)[..2], ["CHILD", "30.00"]);
    }
    let standing = app
        .place_hold(
            &shop,
            &json!({"performance": "p1", "general_admission": {"STANDING": 2}, "ticket_type": "CHILD"}),
        )
        .await;
    let refusal = standing.assert_error(422, "rule_violation");
    assert_eq!(
        refusal["errors"],
        json!(["ticket type CHILD is not sold in price band B"])
    );
    let unknown = app
        .place_hold(
            &shop,
            &json!({"performance": "p1", "quantity": 1, "ticket_type": "SENIOR"}),
        )
        .await;
    unknown.assert_error(404, "not_found");
    let twice = |second: Value| json!({"tickets": ["p1:STALLS-B1", second]});
    let in_two_forms = app
        .place_hold(&shop, &twice(json!({"id": "p1:STALLS-B1"})))
        .await;
    in_two_forms.assert_error(422, "rule_violation");
    let same_form = app.place_hold(&shop, &twice(json!("p1:STALLS-B1"))).await;
    same_form.assert_error(400, "invalid_request");
    let counts = app.counts("p1").await;
    assert_eq!(counts["held"], 2, "the refusals held nothing: {counts}");
}

#[actix_web::test]
async fn places_of_two_types_are_listed_apart_and_given_up_by_type() {
    let (app, shop) = setup().await;
    let mut body = priced_body("p3");
    body["ticket_types"][1]["prices"]["B"] = json!("20.00");
    app.create_performance(&body).await;
    let held = app
        .place_hold(
            &shop,
            &json!({"items": [
                {"performance": "p3", "general_admission": {"STANDING": 2}},
                {"performance": "p3", "general_admission": {"STANDING": 1}, "ticket_type": "CHILD"}
            ]}),
        )
        .await;
    let held = held.assert_status(201).clone();
    let places = held["general_admission"].as_array().expect("places");
    let summary: Vec<(u64, [&str; 5])> = places
        .iter()
        .map(|p| (p["quantity"].as_u64().unwrap_or(0), money(p)))
        .collect();
    assert_eq!(
        summary,
        [
            (2, ["ADULT", "45.00", "1.50", "0.00", "46.50"]),
            (1, ["CHILD", "20.00", "1.50", "0.00", "21.50"])
        ]
    );
    let id = transaction_id(&held);
    let path = format!("/transactions/{id}");
    let change = json!({"remove_general_admission": [
        {"performance": "p3", "code": "STANDING", "quantity": 1, "ticket_type": "ADULT"}
    ]});
    let changed = app
        .call(Method::PATCH, &path, Some(&shop), Some(&change))
        .await;
    let changed = changed.assert_status(200).clone();
    let quantities: Vec<(&str, u64)> = changed["general_admission"]
        .as_array()
        .expect("places")
        .iter()
        .map(|p| {
            (
                p["ticket_type"].as_str().unwrap_or(""),
                p["quantity"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(quantities, [("ADULT", 1), ("CHILD", 1)]);
    let too_many = json!({"remove_general_admission": [
        {"performance": "p3", "code": "STANDING", "quantity": 2, "ticket_type": "CHILD"}
    ]});
    let refused = app
        .call(Method::PATCH, &path, Some(&shop), Some(&too_many))
        .await;
    refused.assert_error(422, "rule_violation");
}

#[actix_web::test]
async fn a_basket_over_two_performances_pays_the_order_fee_once() {
    let (app, shop) = setup().await;
    let held = app
        .place_hold(
            &shop,
            &json!({"items": [
                {"tickets": ["p1:STALLS-A1"]},
                {"tickets": [{"id": "p2:STALLS-A1", "ticket_type": "CHILD"}]}
            ]}),
        )
        .await;
    let held = held.assert_status(201).clone();
    assert_eq!(total(&held)["full"], "100.00", "66.50 + 31.50 + 2.00");
    let id = transaction_id(&held);
    let short = json!({
        "status": "complete",
        "payment": {"method": "card", "reference": "ch_1", "amount": "95.00", "currency": "GBP"}
    });
    let refused = app.update_transaction(&shop, &id, &short).await;
    refused.assert_error(422, "rule_violation");
    let paid = json!({
        "status": "complete",
        "payment": {"method": "card", "reference": "ch_1", "amount": "100.00", "currency": "GBP"}
    });
    let completed = app.update_transaction(&shop, &id, &paid).await;
    let order = completed.assert_status(200)["order"].clone();
    assert_eq!(total(&order)["extra"], "5.00");
    let number = order["number"].as_str().expect("a number").to_owned();
    let app = app.restart().await;
    let read = app
        .call(Method::GET, &format!("/orders/{number}"), Some(&shop), None)
        .await;
    let read = read.assert_status(200).clone();
    let types: Vec<&str> = read["order"]["tickets"]
        .as_array()
        .expect("tickets")
        .iter()
        .map(|t| t["ticket_type"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(types, ["ADULT", "CHILD"], "kept across a restart");
    assert_eq!(total(&read["order"])["full"], "100.00");
}

#[actix_web::test]
async fn a_bad_price_list_is_400_and_creates_nothing() {
    let app = spawn_app().await;
    let cases = [
        (
            "ticket_types",
            json!([{"code": "ADULT", "name": "Adult", "prices": {"Z": "1.00"}}]),
        ),
        (
            "ticket_types",
            json!([{"code": "ADULT", "name": "Adult", "prices": {"A": "-1.00"}}]),
        ),
        (
            "ticket_types",
            json!([{"code": "ADULT", "name": "Adult", "prices": {}}]),
        ),
        (
            "ticket_types",
            json!([{"code": "ADULT", "name": "", "prices": {"A": "1.00"}}]),
        ),
        (
            "ticket_types",
            json!([
                {"code": "ADULT", "name": "Adult", "prices": {"A": "1.00"}},
                {"code": "ADULT", "name": "Again", "prices": {"B": "1.00"}}
            ]),
        ),
        ("fees", json!([{"code": "booking"}])),
        ("fees", json!([{"code": "booking", "per_ticket": "1.5e1"}])),
        (
            "fees",
            json!([{"code": "a", "per_order": "1"}, {"code": "a", "per_ticket": "1"}]),
        ),
    ];
    for (field, value) in cases {
        let mut body = performance_body("bad", &[&[(1, 4)]], free_rules());
        body[field] = value.clone();
        let answer = app.post_as_admin("/performances", &body).await;
        answer.assert_error(400, "invalid_request");
        app.get("/performances/bad")
            .await
            .assert_error(404, "not_found");
    }
}
