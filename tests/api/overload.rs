//! Overload: a full admission bound is answered `overloaded` at once, and only for its own
//! performance. The bound is filled deterministically: the journal's commits are held, so
//! every admitted request waits for durability and keeps its slot until they are let go.

use std::time::Duration;

use actix_web::rt::task::JoinHandle;
use holdfast::persistence::JournalFaults;
use serde_json::{Value, json};

use crate::helpers::*;

const ADMISSION_MAX: usize = 4;

/// Sends a hold on its own task, so it stays in flight while the test goes on.
fn spawn_hold(app: &TestApp, key: &str, body: &Value) -> JoinHandle<Answer> {
    let request = app
        .client
        .post(format!("{}/transactions", app.address))
        .header("X-API-Key", key)
        .json(body);
    actix_web::rt::spawn(async move {
        TestApp::answer(request.send().await.expect("the request is sent")).await
    })
}

/// Awaits an answer that must not wait for the journal: while commits are held, one that
/// did would never come, and the deadline turns that hang into a failure.
async fn at_once(answer: impl Future<Output = Answer>) -> Answer {
    tokio::time::timeout(Duration::from_secs(10), answer)
        .await
        .expect("answered without waiting for the held journal")
}

#[track_caller]
fn assert_overloaded(answer: &Answer) {
    answer.assert_error(503, "overloaded");
    let retry_after = answer
        .headers
        .get(reqwest::header::RETRY_AFTER)
        .expect("a Retry-After header")
        .to_str()
        .expect("an ASCII Retry-After");
    assert!(
        retry_after.parse::<u64>().is_ok_and(|seconds| seconds > 0),
        "Retry-After in whole seconds: {retry_after}"
    );
}

#[actix_web::test]
async fn a_full_admission_bound_answers_overloaded_at_once_and_accepts_again_after_the_drain() {
    let faults = JournalFaults::new();
    let app = spawn_app_with_faults(
        |config| config.admission_max = ADMISSION_MAX,
        Some(faults.clone()),
    )
    .await;
    for id in ["p1", "p2"] {
        app.create_performance(&performance_body(id, &[&[(1, 10)]], free_rules()))
            .await;
    }
    let shop = app.create_sales_client("shop").await;

    faults.pause();
    let written = faults.writes();
    let in_flight: Vec<_> = (1..=ADMISSION_MAX)
        .map(|seat| {
            spawn_hold(
                &app,
                &shop,
                &json!({"tickets": [format!("p1:STALLS-A{seat}")]}),
            )
        })
        .collect();
    // A hold's batch reaches the store after its admission slot is taken, so once all of
    // them are written, the bound is full.
    let bound_full = written + ADMISSION_MAX as u64;
    faults.wait_for_writes(bound_full).await;

    let extra = json!({"tickets": ["p1:STALLS-A9"]});
    assert_overloaded(&at_once(app.place_hold(&shop, &extra)).await);
    // Reads reach the same actor, so they share its bound.
    assert_overloaded(&at_once(app.get("/performances/p1/seats")).await);

    // Another performance has its own bound: its reads answer, its holds are admitted.
    at_once(app.get("/performances/p2/seats"))
        .await
        .assert_status(200);
    let other = spawn_hold(&app, &shop, &json!({"tickets": ["p2:STALLS-A1"]}));
    faults.wait_for_writes(bound_full + 1).await;

    faults.resume();
    for hold in in_flight {
        hold.await.expect("the hold task ends").assert_status(201);
    }
    other.await.expect("the hold task ends").assert_status(201);
    // Every slot is free again once its request has been answered.
    app.place_hold(&shop, &extra).await.assert_status(201);
    assert_eq!(app.counts("p1").await["held"], ADMISSION_MAX + 1);
    assert_eq!(app.counts("p2").await["held"], 1);
}
