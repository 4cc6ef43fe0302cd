//! Ended transactions leave memory: a released or expired hold leaves its performance's
//! inventory at the next snapshot and the coordinator forgets the transaction once every
//! hold of it is archived, yet it reads and answers exactly as before, also after a restart.

use serde_json::{Value, json};

use crate::helpers::*;

/// `p1` and `p12` (one id a prefix of the other), with a snapshot, and so an archive, after
/// every journal entry.
async fn setup() -> TestApp {
    spawn_configured_app_with_performances(&["p1", "p12"], free_rules(), |config| {
        config.snapshot_every_entries = 1;
    })
    .await
}

/// Waits (up to two seconds) until the coordinator indexes `expected` transactions: a
/// snapshot's archive is written after the answers that caused it.
async fn assert_indexed(app: &TestApp, expected: u64) {
    let mut seen = app.metric("holdfast_transactions_indexed").await;
    for _ in 0..200 {
        if seen == expected {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        seen = app.metric("holdfast_transactions_indexed").await;
    }
    panic!("{seen} transactions indexed, expected {expected}");
}

fn state_and_tickets(body: &Value) -> (String, Vec<String>) {
    (
        body["state"].as_str().unwrap_or_default().to_owned(),
        ticket_ids(body),
    )
}

#[actix_web::test]
async fn a_released_basket_leaves_memory_and_reads_and_answers_as_before() {
    let app = setup().await;
    let shop = app.create_sales_client("shop").await;
    let basket = app
        .place_hold(
            &shop,
            &json!({"tickets": ["p1:STALLS-A1", "p12:STALLS-A1"]}),
        )
        .await;
    let id = transaction_id(basket.assert_status(201));
    let kept = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-B1"]}))
        .await;
    let kept = transaction_id(kept.assert_status(201));
    let released = app.release(&shop, &id).await;
    let released = state_and_tickets(released.assert_status(200));
    assert_eq!(released.0, "released");
    assert_eq!(released.1, ["p1:STALLS-A1", "p12:STALLS-A1"]);
    // More entries at both performances: snapshots that archive the released holds.
    for performance in ["p1", "p12"] {
        let other = app
            .place_hold(
                &shop,
                &json!({"tickets": [format!("{performance}:STALLS-A9")]}),
            )
            .await;
        let other = transaction_id(other.assert_status(201));
        app.release(&shop, &other).await.assert_status(200);
    }
    app.place_hold(
        &shop,
        &json!({"tickets": ["p1:STALLS-A8", "p12:STALLS-A8"]}),
    )
    .await
    .assert_status(201);
    // Only the live transactions stay indexed.
    assert_indexed(&app, 2).await;

    let app = app.restart().await;
    for app_state in ["before a restart", "after it"] {
        let read = app.transaction(&shop, &id).await;
        assert_eq!(
            state_and_tickets(read.assert_status(200)),
            released,
            "{app_state}"
        );
        app.release(&shop, &id).await.assert_status(200);
        app.checkout(&shop, &id)
            .await
            .assert_error(409, "invalid_state");
        app.complete(&shop, &id)
            .await
            .assert_error(409, "invalid_state");
        let other = app
            .create_sales_client(&format!("other-{}", app_state.len()))
            .await;
        app.transaction(&other, &id)
            .await
            .assert_error(403, "forbidden");
    }
    let read = app.transaction(&shop, &kept).await;
    assert_eq!(read.assert_status(200)["state"], "held");
    assert_indexed(&app, 2).await;
}

#[actix_web::test]
async fn an_expired_hold_leaves_memory_and_still_reads_expired() {
    let app = setup().await;
    let shop = app.create_sales_client("shop").await;
    let hold = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await;
    let id = transaction_id(hold.assert_status(201));
    app.clock.advance_millis(181_000);
    let other = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A2"]}))
        .await;
    other.assert_status(201);
    app.place_hold(&shop, &json!({"tickets": ["p1:STALLS-A3"]}))
        .await
        .assert_status(201);
    assert_indexed(&app, 2).await;
    let read = app.transaction(&shop, &id).await;
    assert_eq!(read.assert_status(200)["state"], "expired");
    app.checkout(&shop, &id)
        .await
        .assert_error(410, "lock_expired");
    let app = app.restart().await;
    let read = app.transaction(&shop, &id).await;
    assert_eq!(read.assert_status(200)["state"], "expired");
}
