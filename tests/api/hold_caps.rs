//! Hold caps in a performance's rules: `max_hold_seconds` bounds a lock from the hold's
//! creation however often it is checked out, and `max_renewals` caps the checkouts.

use serde_json::{Value, json};

use crate::helpers::*;

fn millis(time: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(time.as_str().expect("a time"))
        .expect("RFC 3339")
        .timestamp_millis()
}

async fn setup(rules: Value) -> (TestApp, String, String) {
    let app = spawn_app().await;
    app.create_performance(&performance_body("p1", &[&[(1, 10)]], rules))
        .await;
    let shop = app.create_sales_client("shop").await;
    let answer = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await;
    let id = transaction_id(answer.assert_status(201));
    (app, shop, id)
}

#[actix_web::test]
async fn the_checkout_past_max_renewals_is_refused_and_changes_nothing() {
    let (app, shop, id) = setup(json!({"max_renewals": 2})).await;
    app.checkout(&shop, &id).await.assert_status(200);
    let second = app.checkout(&shop, &id).await;
    let lock = second.assert_status(200)["lock_expires"].clone();
    let refused = app.checkout(&shop, &id).await;
    let body = refused.assert_error(422, "rule_violation");
    assert!(
        body["errors"][0].as_str().unwrap_or_default().contains('2'),
        "names the cap: {body}"
    );
    let read = app.transaction(&shop, &id).await;
    assert_eq!(read.assert_status(200)["lock_expires"], lock);
    app.complete(&shop, &id).await.assert_status(200);
}

#[actix_web::test]
async fn no_lock_outlasts_max_hold_seconds_from_the_hold() {
    let (app, shop, id) = setup(json!({"max_hold_seconds": 300})).await;
    let created = app.transaction(&shop, &id).await;
    let first_lock = millis(&created.assert_status(200)["lock_expires"]);
    let created_at = first_lock - 180_000;
    app.clock.advance_millis(100_000);
    let checked_out = app.checkout(&shop, &id).await;
    let lock = millis(&checked_out.assert_status(200)["lock_expires"]);
    assert_eq!(
        lock,
        created_at + 280_000,
        "now + 180 s while under the cap"
    );
    app.clock.advance_millis(150_000);
    let checked_out = app.checkout(&shop, &id).await;
    let lock = millis(&checked_out.assert_status(200)["lock_expires"]);
    assert_eq!(
        lock,
        created_at + 300_000,
        "capped at creation + 300 s, not now + 180 s"
    );
    app.clock.advance_millis(51_000);
    app.checkout(&shop, &id)
        .await
        .assert_error(410, "lock_expired");
}

#[actix_web::test]
async fn the_caps_default_and_are_shown_and_bad_caps_are_refused() {
    let app = spawn_app().await;
    let created = app
        .create_performance(&performance_body("p1", &[&[(1, 10)]], json!({})))
        .await;
    assert_eq!(created["rules"]["max_hold_seconds"], 1800, "{created}");
    assert_eq!(created["rules"]["max_renewals"], 5);
    for rules in [
        json!({"max_hold_seconds": 0}),
        json!({"max_hold_seconds": 86_401}),
        json!({"max_renewals": 1_001}),
        json!({"max_renewals": -1}),
    ] {
        let body = performance_body("p2", &[&[(1, 10)]], rules);
        app.post_as_admin("/performances", &body)
            .await
            .assert_error(400, "invalid_request");
    }
}
