//! The storage guard rails seen through the API: the disk-space reserve and the journal
//! counters.

use serde_json::json;

use crate::helpers::*;

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
