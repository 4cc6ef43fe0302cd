//! The storage guard rails seen through the API: fail-stop after a storage error, the
//! disk-space reserve on a real small disk, and the journal counters.

use holdfast::persistence::JournalFaults;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::tmpfs::Tmpfs;

#[actix_web::test]
async fn below_the_disk_reserve_new_holds_are_refused_while_reads_keep_working() {
    // A reserve no disk can meet: the store reports low space from its first check.
    let app = spawn_app_with(|config| config.disk_reserve_bytes = u64::MAX).await;
    app.create_performance(&performance_body("p1", &[&[(1, 10)]], free_rules()))
        .await;
    let shop = app.create_sales_client("shop").await;
    let before = app.seat_statuses("p1").await;

    let refused = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await;
    refused.assert_error(503, "unavailable");
    assert!(
        refused.body["errors"][0]
            .as_str()
            .unwrap()
            .contains("disk space")
    );
    assert_eq!(app.seat_statuses("p1").await, before, "nothing was held");
    app.get("/performances/p1/availability")
        .await
        .assert_status(200);
    app.get("/health").await.assert_status(200);
}

#[actix_web::test]
async fn metrics_count_group_commits_and_syncs() {
    let app = spawn_app().await;
    app.create_performance(&performance_body("p1", &[&[(1, 10)]], free_rules()))
        .await;
    let text = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let value = |name: &str| -> u64 {
        text.lines()
            .find_map(|line| line.strip_prefix(&format!("{name} ")))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} in {text}"))
    };
    let commits = value("holdfast_journal_commits_total");
    assert!(
        commits >= 2,
        "the admin client and the performance were written"
    );
    assert_eq!(
        value("holdfast_journal_syncs_total"),
        commits,
        "fsync mode syncs every commit"
    );
    assert!(value("holdfast_journal_requests_total") >= commits);
}

// ---- Fail-stop after a storage error ----

/// Everything the tests compare across a restart: the seat maps (with their versions), the
/// transactions, the order and the customer's people record.
async fn acknowledged_state(
    app: &TestApp,
    shop: &str,
    transactions: &[&str],
    order: &str,
) -> Value {
    let mut seat_maps = Vec::new();
    for performance in ["p1", "p2"] {
        seat_maps.push(json!(app.seat_statuses(performance).await));
    }
    let mut read = Vec::new();
    for id in transactions {
        read.push(app.transaction(shop, id).await.assert_status(200).clone());
    }
    json!({
        "seat_maps": seat_maps,
        "transactions": read,
        "order": app.call(Method::GET, &format!("/orders/{order}"), Some(shop), None).await.assert_status(200),
        "person": app.get_as_admin("/people?email=joe@example.com").await.assert_status(200),
    })
}

#[actix_web::test]
async fn after_a_failed_commit_nothing_more_is_acknowledged_and_a_restart_recovers_exactly_what_was()
 {
    let faults = JournalFaults::new();
    let app = spawn_app_with_faults(|_| {}, Some(faults.clone())).await;
    for id in ["p1", "p2"] {
        app.create_performance(&performance_body(id, &[&[(1, 10)]], free_rules()))
            .await;
    }
    let shop = app.create_sales_client("shop").await;
    let hold = |tickets: &[&str]| {
        let body = json!({"tickets": tickets});
        let app = &app;
        let shop = &shop;
        async move { transaction_id(app.place_hold(shop, &body).await.assert_status(201)) }
    };
    // Acknowledged work of every kind: a sale with its order and people record, a lock, a
    // release, a checkout, and a lock at a second performance.
    let sold = hold(&["p1:STALLS-A1", "p1:STALLS-A2"]).await;
    let order = app.complete(&shop, &sold).await.assert_status(200)["order"]["number"]
        .as_str()
        .expect("an order number")
        .to_owned();
    let held = hold(&["p1:STALLS-A3"]).await;
    let released = hold(&["p1:STALLS-A4"]).await;
    app.release(&shop, &released).await.assert_status(200);
    let checked_out = hold(&["p1:STALLS-A5"]).await;
    app.checkout(&shop, &checked_out).await.assert_status(200);
    let elsewhere = hold(&["p2:STALLS-A1"]).await;
    let transactions = [&*sold, &*held, &*released, &*checked_out, &*elsewhere];
    let before = acknowledged_state(&app, &shop, &transactions, &order).await;

    faults.fail_next_commit();
    // The sale whose batch failed is not acknowledged.
    app.complete(&shop, &held)
        .await
        .assert_error(503, "unavailable");

    // Fail-stop: the disk is fine again, but no later change is acknowledged, whatever it
    // touches, and the server says it is unhealthy.
    app.place_hold(&shop, &json!({"tickets": ["p1:STALLS-A6"]}))
        .await
        .assert_error(503, "unavailable");
    app.place_hold(&shop, &json!({"tickets": ["p2:STALLS-A2"]}))
        .await
        .assert_error(503, "unavailable");
    app.release(&shop, &checked_out)
        .await
        .assert_error(503, "unavailable");
    app.checkout(&shop, &elsewhere)
        .await
        .assert_error(503, "unavailable");
    app.post_as_admin(
        "/performances",
        &performance_body("p3", &[&[(1, 4)]], free_rules()),
    )
    .await
    .assert_error(503, "unavailable");
    app.post_as_admin("/clients", &json!({"name": "late", "role": "sales"}))
        .await
        .assert_error(503, "unavailable");
    app.get("/health").await.assert_error(503, "unavailable");
    // p1 applied the failed sale in memory; no read may show it as if it were durable.
    app.get("/performances/p1/seats")
        .await
        .assert_error(503, "unavailable");

    let app = app.restart().await;
    app.get("/health").await.assert_status(200);
    assert_eq!(
        acknowledged_state(&app, &shop, &transactions, &order).await,
        before,
        "exactly what was acknowledged, nothing more"
    );
    app.get("/performances/p3")
        .await
        .assert_error(404, "not_found");
    // The refused sale was never made, so it can be made now.
    let retried = app.complete(&shop, &held).await;
    assert_ne!(
        retried.assert_status(200)["order"]["number"],
        order.as_str()
    );
}

// ---- The disk reserve on a real small disk ----

const MIB: u64 = 1024 * 1024;

/// A performance of 20 rows of 100 seats, each row holdable in one request.
fn filler_body() -> Value {
    let row: &[(u32, u32)] = &[(1, 100)];
    let mut body = performance_body("fill", &[row; 20], free_rules());
    body["rules"]["valid_quantities"] = json!([1, 100]);
    body
}

fn row_tickets(row: usize) -> Value {
    let letter = char::from(b'A' + row as u8);
    let tickets: Vec<String> = (1..=100)
        .map(|seat| format!("fill:STALLS-{letter}{seat}"))
        .collect();
    json!({ "tickets": tickets })
}

/// The seat map and every transaction, to compare across the restart.
async fn fill_state(app: &TestApp, shop: &str, transactions: &[String]) -> Value {
    let mut read = Vec::new();
    for id in transactions {
        read.push(app.transaction(shop, id).await.assert_status(200)["state"].clone());
    }
    json!({"seats": app.seat_statuses("fill").await, "transactions": read})
}

#[actix_web::test]
async fn the_reserve_refuses_holds_before_a_small_disk_fills_and_a_restart_recovers_everything() {
    const SIZE: u64 = 16 * MIB;
    const RESERVE: u64 = 8 * MIB;
    let Some(disk) = Tmpfs::mount(SIZE) else {
        return;
    };
    // What fills sled: journal entries are a few hundred bytes, and sled grows its file by
    // whole 512 KiB segments, reusing freed ones lazily. A snapshot rewrites every hold the
    // performance has ever placed (released ones too), so with a snapshot after every
    // entry, holding and releasing whole rows uses space fast and steadily.
    let app = spawn_app_in(disk.path().join("data"), |config| {
        config.disk_reserve_bytes = RESERVE;
        config.snapshot_every_entries = 1;
        config.snapshot_every_seconds = 3600;
    })
    .await;
    app.create_performance(&filler_body()).await;
    let shop = app.create_sales_client("shop").await;
    let kept = transaction_id(
        app.place_hold(&shop, &json!({"tickets": ["fill:STALLS-T100"]}))
            .await
            .assert_status(201),
    );
    let mut transactions = vec![kept.clone()];

    let refused = loop {
        assert!(transactions.len() < 20_000, "the reserve never tripped");
        let row = transactions.len() % 19;
        let answer = app.place_hold(&shop, &row_tickets(row)).await;
        if answer.status == 503 {
            break answer;
        }
        let id = transaction_id(answer.assert_status(201));
        app.release(&shop, &id).await.assert_status(200);
        transactions.push(id);
    };
    refused.assert_error(503, "unavailable");
    let message = refused.body["errors"][0].as_str().unwrap_or_default();
    assert!(message.contains("disk space"), "{message}");
    let free = disk.free_bytes();
    assert!(free > 0, "the reserve tripped before the disk was full");
    // Free space moves both ways as sled reclaims segments, so this is a report, not a
    // check: the refusal's message says the reserve, not something else, answered.
    eprintln!(
        "reserve tripped after {} holds: {free} bytes free",
        transactions.len()
    );
    assert_eq!(
        app.counts("fill").await["held"],
        1,
        "the refused hold took nothing"
    );

    // Reads and the sale of a lock already held keep working, and the store has not
    // failed: sled never met a full disk.
    app.get("/health").await.assert_status(200);
    app.get("/performances/fill/availability")
        .await
        .assert_status(200);
    app.complete(&shop, &kept).await.assert_status(200);
    let acknowledged = fill_state(&app, &shop, &transactions).await;

    let app = app.restart().await;
    assert_eq!(fill_state(&app, &shop, &transactions).await, acknowledged);
    app.get("/health").await.assert_status(200);
    assert!(disk.free_bytes() > 0);
    // The server must let go of the tmpfs before the guard unmounts it.
    app.stop().await;
}
