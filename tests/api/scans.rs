//! Door scanning: a sold ticket's barcode admits once (also when two doors scan it at once,
//! and across a restart), then says when it was first scanned; unknown barcodes admit
//! nothing; seats and general-admission places alike.

use futures::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

async fn setup() -> TestApp {
    spawn_app_with_performances(&["p1"], free_rules()).await
}

/// Sells `body`'s tickets and returns the order's barcodes: seats first, then places.
async fn sold_barcodes(app: &TestApp, key: &str, body: Value) -> Vec<String> {
    let id = transaction_id(app.place_hold(key, &body).await.assert_status(201));
    let answer = app.complete(key, &id).await;
    let order = &answer.assert_status(200)["order"];
    let seats = order["tickets"].as_array().expect("tickets").iter();
    let mut barcodes: Vec<String> = seats
        .map(|ticket| ticket["barcode"].as_str().expect("a barcode").to_owned())
        .collect();
    for pool in order["general_admission"].as_array().expect("places") {
        for code in pool["barcodes"].as_array().expect("barcodes") {
            barcodes.push(code.as_str().expect("a barcode").to_owned());
        }
    }
    barcodes
}

async fn scan(app: &TestApp, key: &str, barcode: &str) -> Answer {
    app.call(
        Method::POST,
        "/scans",
        Some(key),
        Some(&json!({"barcode": barcode})),
    )
    .await
}

#[actix_web::test]
async fn a_ticket_admits_once_then_says_when_it_was_scanned() {
    let app = setup().await;
    let shop = app.create_sales_client("shop").await;
    let door = app.create_sales_client("door").await;
    let barcodes = sold_barcodes(&app, &shop, json!({"tickets": ["p1:STALLS-A1"]})).await;
    let first = scan(&app, &door, &barcodes[0]).await;
    let first = first.assert_status(200).clone();
    assert_eq!(first["valid"], true);
    assert_eq!(first["ticket"]["seat"]["id"], "p1:STALLS-A1");
    assert_eq!(first["ticket"]["barcode"], barcodes[0].as_str());
    assert_eq!(first["ticket"]["performance"], "p1");
    let scanned_at = first["scanned_at"].as_str().expect("scanned_at").to_owned();
    let again = scan(&app, &door, &barcodes[0]).await;
    let again = again.assert_status(200);
    assert_eq!(again["valid"], false);
    assert_eq!(again["reason"], "already_scanned");
    assert_eq!(again["scanned_at"], scanned_at.as_str());
    assert_eq!(app.metric("holdfast_scans_total").await, 1);
}

#[actix_web::test]
async fn unknown_barcodes_admit_nothing_and_bad_ones_are_refused() {
    let app = setup().await;
    let door = app.create_sales_client("door").await;
    let unknown = scan(&app, &door, "1234567890123456").await;
    assert_eq!(
        unknown.assert_status(200),
        &json!({"valid": false, "reason": "unknown"})
    );
    for bad in [
        json!({"barcode": ""}),
        json!({"barcode": "a b"}),
        json!({"code": "1"}),
    ] {
        app.call(Method::POST, "/scans", Some(&door), Some(&bad))
            .await
            .assert_error(400, "invalid_request");
    }
    app.call(
        Method::POST,
        "/scans",
        None,
        Some(&json!({"barcode": "1234567890123456"})),
    )
    .await
    .assert_error(401, "unauthorized");
}

#[actix_web::test]
async fn general_admission_places_scan_one_by_one() {
    let app = setup().await;
    let shop = app.create_sales_client("shop").await;
    let body = json!({"performance": "p1", "general_admission": {"STANDING": 2}});
    let barcodes = sold_barcodes(&app, &shop, body).await;
    assert_eq!(barcodes.len(), 2);
    for barcode in &barcodes {
        let answer = scan(&app, &shop, barcode).await;
        let answer = answer.assert_status(200);
        assert_eq!(answer["valid"], true);
        let place = &answer["ticket"]["general_admission"];
        assert_eq!(place["code"], "STANDING");
        assert_eq!(place["quantity"], 1);
        assert_eq!(place["barcodes"], json!([barcode]));
    }
}

#[actix_web::test]
async fn two_doors_scanning_one_ticket_at_once_admit_it_once() {
    let app = setup().await;
    let shop = app.create_sales_client("shop").await;
    let barcodes = sold_barcodes(&app, &shop, json!({"tickets": ["p1:STALLS-A1"]})).await;
    let answers = join_all((0..8).map(|_| scan(&app, &shop, &barcodes[0]))).await;
    let valid = answers
        .iter()
        .filter(|answer| answer.assert_status(200)["valid"] == true)
        .count();
    assert_eq!(valid, 1, "exactly one door admits");
}

#[actix_web::test]
async fn a_scan_is_kept_across_a_restart_and_new_sales_scan_after_it() {
    let app = setup().await;
    let shop = app.create_sales_client("shop").await;
    let barcodes = sold_barcodes(&app, &shop, json!({"tickets": ["p1:STALLS-A1"]})).await;
    let first = scan(&app, &shop, &barcodes[0]).await;
    let scanned_at = first.assert_status(200)["scanned_at"].clone();
    let app = app.restart().await;
    let again = scan(&app, &shop, &barcodes[0]).await;
    let again = again.assert_status(200);
    assert_eq!(again["reason"], "already_scanned");
    assert_eq!(again["scanned_at"], scanned_at);
    // The directory of barcodes is rebuilt at start-up and grows with new sales.
    let later = sold_barcodes(&app, &shop, json!({"tickets": ["p1:STALLS-A2"]})).await;
    let answer = scan(&app, &shop, &later[0]).await;
    assert_eq!(answer.assert_status(200)["valid"], true);
}
