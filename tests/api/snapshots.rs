//! Reviewed snapshots of the responses clients rely on, kept in the top-level `snapshots/`.
//! The manual clock and explicit client ids make almost everything deterministic; only the
//! random parts (transaction ids, barcodes, keys) are redacted.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

fn snapshot(name: &str, value: &Value) {
    insta::with_settings!({snapshot_path => "../../snapshots", prepend_module_to_snapshot => false}, {
        insta::assert_json_snapshot!(name, value, {
            ".transaction_id" => "[transaction_id]",
            ".order.transaction_id" => "[transaction_id]",
            ".**.barcode" => "[barcode]",
            ".**.barcodes[]" => "[barcode]",
            ".key" => "[key]",
        });
    });
}

async fn create_client(app: &TestApp, id: &str) -> String {
    let body = json!({"id": id, "name": id, "role": "sales"});
    let answer = app.post_as_admin("/clients", &body).await;
    snapshot("client_created", answer.assert_status(201));
    answer.body["key"].as_str().expect("a key").to_owned()
}

#[actix_web::test]
async fn the_main_responses_keep_their_shape() {
    let app = spawn_app().await;
    let mut body = performance_body("jb-1204", &[&[(1, 4), (5, 8)], &[(1, 6)]], strict_rules());
    body["rules"]["valid_quantities"] = json!([1, 2, 3, 4]);
    let created = app.create_performance(&body).await;
    snapshot("performance_created", &created);
    let shop = create_client(&app, "webshop").await;

    let hold = app
        .place_hold(
            &shop,
            &json!({"tickets": ["jb-1204:STALLS-A3", "jb-1204:STALLS-A4"]}),
        )
        .await;
    snapshot("transaction_held", hold.assert_status(201));
    let id = transaction_id(&hold.body);

    snapshot(
        "availability",
        app.get("/performances/jb-1204/availability?quantity=2")
            .await
            .assert_status(200),
    );
    snapshot(
        "seat_map",
        app.get("/performances/jb-1204/seats")
            .await
            .assert_status(200),
    );
    snapshot(
        "performance",
        app.get("/performances/jb-1204").await.assert_status(200),
    );
    snapshot(
        "events",
        app.get("/events?q=jersey").await.assert_status(200),
    );
    snapshot(
        "event_performances",
        app.get("/events/jersey-boys/performances")
            .await
            .assert_status(200),
    );

    let taken = app
        .place_hold(&shop, &json!({"tickets": ["jb-1204:STALLS-A4"]}))
        .await;
    snapshot(
        "error_seat_unavailable",
        taken.assert_error(409, "seat_unavailable"),
    );
    let gap = app
        .place_hold(&shop, &json!({"tickets": ["jb-1204:STALLS-A2"]}))
        .await;
    snapshot(
        "error_single_seat_gap",
        gap.assert_error(422, "rule_violation"),
    );

    app.clock.advance_millis(60_000);
    snapshot(
        "transaction_checked_out",
        app.checkout(&shop, &id).await.assert_status(200),
    );
    snapshot(
        "transaction_state",
        app.transaction(&shop, &id).await.assert_status(200),
    );
    let completed = app.complete(&shop, &id).await;
    snapshot("transaction_completed", completed.assert_status(200));
    let number = completed.body["order"]["number"]
        .as_str()
        .expect("a number")
        .to_owned();
    let order = app
        .call(Method::GET, &format!("/orders/{number}"), Some(&shop), None)
        .await;
    snapshot("order", order.assert_status(200));
    snapshot(
        "person",
        app.get_as_admin("/people?email=joe@example.com")
            .await
            .assert_status(200),
    );
    let released = app.release(&shop, &id).await;
    snapshot(
        "transaction_released_after_sale",
        released.assert_status(200),
    );
}

/// The demo after the README's sales: two adults by card, an adult and a child with 10% off
/// by cash (the child's ticket then refunded), and a basket over both performances with no
/// payment recorded.
#[actix_web::test]
async fn the_demo_sales_report_after_the_walk_through() {
    let app = spawn_app_with(|config| config.demo = true).await;
    let shop = app.create_client_with_id("webshop", "sales").await;
    app.post_as_admin(
        "/discount-codes",
        &json!({"code": "EARLY10", "percent": "10", "max_uses": 100,
                "scope": {"price_bands": ["A"]}}),
    )
    .await
    .assert_status(201);
    let sell = |body: serde_json::Value, payment: Option<(&'static str, &'static str)>| {
        let (app, shop) = (&app, &shop);
        async move {
            let held = app.place_hold(shop, &body).await;
            let id = transaction_id(held.assert_status(201));
            if payment.is_some_and(|(method, _)| method == "cash") {
                app.call(
                    reqwest::Method::PATCH,
                    &format!("/transactions/{id}"),
                    Some(shop),
                    Some(&json!({"discount_code": "early10"})),
                )
                .await
                .assert_status(200);
            }
            let mut complete = json!({"status": "complete"});
            if let Some((method, amount)) = payment {
                complete["payment"] = json!({"method": method, "reference": "r-1",
                    "amount": amount, "currency": "GBP"});
            }
            app.update_transaction(shop, &id, &complete)
                .await
                .assert_status(200);
        }
    };
    sell(
        json!({"performance": "revue-1", "quantity": 2, "price_band": "A"}),
        Some(("card", "135.00")),
    )
    .await;
    sell(
        json!({"tickets": ["revue-1:STALLS-C12", {"id": "revue-1:STALLS-C13", "ticket_type": "CHILD"}]}),
        Some(("cash", "92.75")),
    )
    .await;
    app.call(
        reqwest::Method::POST,
        "/orders/100002/refunds",
        Some(&shop),
        Some(&json!({"tickets": ["revue-1:STALLS-C13"], "reason": "the child is ill"})),
    )
    .await
    .assert_status(201);
    sell(
        json!({"tickets": ["revue-1:STALLS-D12", "revue-2:STALLS-D12"]}),
        None,
    )
    .await;
    for (name, path) in [
        ("report_sales_demo", "/reports/sales"),
        (
            "report_sales_demo_by_ticket_type",
            "/reports/sales?group_by=ticket_type",
        ),
        ("report_takings_demo", "/reports/takings"),
    ] {
        snapshot(name, app.get_as_admin(path).await.assert_status(200));
    }
}
