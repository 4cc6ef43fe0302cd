//! Sales and takings reports against the real app: grouped rows that add up to the orders'
//! totals (per-order fees once, in the row of the order's first ticket), filters, CSV with a
//! header line, and the admin-only rule.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

/// `p1` and `p2` with adult and child types and a booking and a handling fee; an adult and a
/// child sold at `p1` paid by card (100.00), two standing places at `p2` sold without a
/// payment (45.00 + 45.00 + 3.00 + 2.00 = 95.00).
async fn sold() -> (TestApp, String) {
    let app = spawn_app().await;
    for id in ["p1", "p2"] {
        let mut body = performance_body(id, &[&[(1, 10)], &[(1, 10)]], free_rules());
        body["ticket_types"] = json!([
            {"code": "ADULT", "name": "Adult", "prices": {"A": "65.00", "B": "45.00"}},
            {"code": "CHILD", "name": "Child", "prices": {"A": "30.00"}}
        ]);
        body["fees"] = json!([
            {"code": "booking", "per_ticket": "1.50"},
            {"code": "handling", "per_order": "2.00"}
        ]);
        app.create_performance(&body).await;
    }
    let shop = app.create_client_with_id("shop", "sales").await;
    let first = app
        .place_hold(
            &shop,
            &json!({"tickets": ["p1:STALLS-A1", {"id": "p1:STALLS-A2", "ticket_type": "CHILD"}]}),
        )
        .await;
    let first = transaction_id(first.assert_status(201));
    let paid = json!({"status": "complete", "payment":
        {"method": "card", "reference": "ch_1", "amount": "100.00", "currency": "GBP"}});
    app.update_transaction(&shop, &first, &paid)
        .await
        .assert_status(200);
    let second = app
        .place_hold(
            &shop,
            &json!({"performance": "p2", "general_admission": {"STANDING": 2}}),
        )
        .await;
    let second = transaction_id(second.assert_status(201));
    app.update_transaction(&shop, &second, &json!({"status": "complete"}))
        .await
        .assert_status(200);
    (app, shop)
}

async fn report(app: &TestApp, path: &str) -> Value {
    app.get_as_admin(path).await.assert_status(200).clone()
}

fn row(key: &str, tickets: u64, money: [&str; 4]) -> Value {
    json!({"key": key, "currency": "GBP", "tickets": tickets, "nominal": money[0],
           "extra": money[1], "discount": money[2], "full": money[3],
           "refunded_tickets": 0, "refunded": "0.00"})
}

#[actix_web::test]
async fn sales_are_grouped_and_add_up_to_the_orders() {
    let (app, _) = sold().await;
    let by_performance = report(&app, "/reports/sales").await;
    assert_eq!(
        by_performance["rows"],
        json!([
            row("p1", 2, ["95.00", "5.00", "0.00", "100.00"]),
            row("p2", 2, ["90.00", "5.00", "0.00", "95.00"])
        ])
    );
    let by_type = report(&app, "/reports/sales?group_by=ticket_type").await;
    assert_eq!(
        by_type["rows"],
        json!([
            // The adult at p1 is its order's first ticket: the handling fee is in its row,
            // and the standing order's too.
            row("ADULT", 3, ["155.00", "8.50", "0.00", "163.50"]),
            row("CHILD", 1, ["30.00", "1.50", "0.00", "31.50"])
        ])
    );
    let by_method = report(&app, "/reports/sales?group_by=payment_method").await;
    let keys: Vec<&str> = by_method["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["key"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(keys, ["card", "unrecorded"]);
    let by_day = report(&app, "/reports/sales?group_by=day").await;
    assert_eq!(by_day["rows"][0]["key"], "2026-11-01");
    assert_eq!(by_day["rows"][0]["full"], "195.00");
    let by_client = report(&app, "/reports/sales?group_by=client&performance=p2").await;
    assert_eq!(
        by_client["rows"],
        json!([row("shop", 2, ["90.00", "5.00", "0.00", "95.00"])])
    );
    let before = report(&app, "/reports/sales?to=2026-11-01T00:00:00Z").await;
    assert_eq!(before["rows"], json!([]), "nothing was sold before then");
}

#[actix_web::test]
async fn takings_count_recorded_payments_by_method() {
    let (app, _) = sold().await;
    let takings = report(&app, "/reports/takings").await;
    assert_eq!(
        takings["rows"],
        json!([{"payment_method": "card", "currency": "GBP", "received": "100.00", "refunded": "0.00"}])
    );
    let elsewhere = report(&app, "/reports/takings?performance=p2").await;
    assert_eq!(
        elsewhere["rows"],
        json!([]),
        "p2's order recorded no payment"
    );
}

/// GETs `path` as admin with `Accept: text/csv`; returns the content type and the text.
async fn csv(app: &TestApp, path: &str) -> (String, String) {
    let response = app
        .client
        .get(format!("{}{path}", app.address))
        .header("X-API-Key", ADMIN_KEY)
        .header("Accept", "text/csv")
        .send()
        .await
        .expect("the request is sent");
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (content_type, response.text().await.expect("a body"))
}

#[actix_web::test]
async fn reports_are_csv_on_request_with_a_header_line() {
    let (app, _) = sold().await;
    let (content_type, text) = csv(&app, "/reports/sales?group_by=ticket_type").await;
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    assert_eq!(
        text,
        "key,currency,tickets,nominal,extra,discount,full,refunded_tickets,refunded\n\
         ADULT,GBP,3,155.00,8.50,0.00,163.50,0,0.00\n\
         CHILD,GBP,1,30.00,1.50,0.00,31.50,0,0.00\n"
    );
    let (_, empty) = csv(&app, "/reports/takings?to=2026-01-01T00:00:00Z").await;
    assert_eq!(empty, "payment_method,currency,received,refunded\n");
}

#[actix_web::test]
async fn reports_are_for_admins_and_refuse_bad_filters() {
    let (app, shop) = sold().await;
    let as_shop = app
        .call(Method::GET, "/reports/sales", Some(&shop), None)
        .await;
    as_shop.assert_error(403, "forbidden");
    app.get("/reports/takings")
        .await
        .assert_error(401, "unauthorized");
    for (path, status, code) in [
        ("/reports/sales?performance=nope", 404, "not_found"),
        ("/reports/sales?event=nope", 404, "not_found"),
        ("/reports/sales?group_by=seat", 400, "invalid_request"),
        ("/reports/sales?from=yesterday", 400, "invalid_request"),
        ("/reports/takings?page=2", 400, "invalid_request"),
    ] {
        app.get_as_admin(path).await.assert_error(status, code);
    }
}
