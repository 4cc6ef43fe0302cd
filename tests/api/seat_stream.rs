//! `GET /performances/{id}/seats/stream`: the live seat map as server-sent events (contract
//! v2, "Seat-selection widgets"), against the real app.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, free_rules, performance_body, spawn_app};

/// One server-sent event.
#[derive(Debug)]
struct Event {
    name: String,
    id: u64,
    data: Value,
}

/// A stream being read.
struct Stream {
    response: reqwest::Response,
    buffer: String,
}

impl Stream {
    async fn open(app: &TestApp, query: &str, last_event_id: Option<u64>) -> Stream {
        let mut request = app.client.get(format!(
            "{}/performances/p/seats/stream{query}",
            app.address
        ));
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        let response = request.send().await.expect("the stream opens");
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "text/event-stream",
            "a server-sent event stream"
        );
        Stream {
            response,
            buffer: String::new(),
        }
    }

    /// The next event, skipping comments; fails after five seconds.
    async fn next(&mut self) -> Event {
        tokio::time::timeout(Duration::from_secs(5), self.read())
            .await
            .expect("an event within 5 s")
    }

    /// True when no event comes within `wait`.
    async fn is_quiet_for(&mut self, wait: Duration) -> bool {
        tokio::time::timeout(wait, self.read()).await.is_err()
    }

    async fn read(&mut self) -> Event {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut name, mut id, mut data) = (String::new(), None, Value::Null);
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("event: ") {
                        name = value.to_owned();
                    } else if let Some(value) = line.strip_prefix("id: ") {
                        id = Some(value.parse().expect("a numeric id"));
                    } else if let Some(value) = line.strip_prefix("data: ") {
                        data = serde_json::from_str(value).expect("JSON data");
                    }
                }
                if let Some(id) = id {
                    return Event { name, id, data };
                }
                continue;
            }
            let chunk = self.response.chunk().await.expect("the stream reads");
            let chunk = chunk.expect("the stream stays open");
            self.buffer
                .push_str(std::str::from_utf8(&chunk).expect("UTF-8"));
        }
    }
}

fn statuses(event: &Event) -> Vec<(String, String)> {
    event.data["seats"]
        .as_array()
        .expect("seats")
        .iter()
        .map(|seat| {
            (
                seat["id"].as_str().expect("an id").to_owned(),
                seat["status"].as_str().expect("a status").to_owned(),
            )
        })
        .collect()
}

fn pair(status: &str) -> Vec<(String, String)> {
    vec![
        ("p:STALLS-A1".into(), status.into()),
        ("p:STALLS-A2".into(), status.into()),
    ]
}

async fn app_with_performance() -> (TestApp, String) {
    let app = spawn_app().await;
    app.create_performance(&performance_body("p", &[&[(1, 8)]], free_rules()))
        .await;
    let key = app.create_sales_client("shop").await;
    (app, key)
}

async fn hold_pair(app: &TestApp, key: &str) -> String {
    let answer = app
        .place_hold(key, &json!({"tickets": ["p:STALLS-A1", "p:STALLS-A2"]}))
        .await;
    answer.assert_status(201)["transaction_id"]
        .as_str()
        .expect("an id")
        .to_owned()
}

#[actix_web::test]
async fn a_follower_gets_the_snapshot_then_one_event_per_durable_change() {
    let (app, key) = app_with_performance().await;
    let mut stream = Stream::open(&app, "", None).await;
    let snapshot = stream.next().await;
    assert_eq!(snapshot.name, "snapshot");
    let map = app.get("/performances/p/seats").await;
    assert_eq!(&snapshot.data, map.assert_status(200), "the v1 seat map");
    assert_eq!(snapshot.id, snapshot.data["version"].as_u64().expect("v"));

    let transaction = hold_pair(&app, &key).await;
    let held = stream.next().await;
    assert_eq!((held.name.as_str(), held.id), ("seats", snapshot.id + 1));
    assert_eq!(held.data["version"], held.id);
    assert_eq!(
        statuses(&held),
        pair("held"),
        "a hold of two seats is one event"
    );

    // A checkout changes no seat's status: no event.
    app.checkout(&key, &transaction).await.assert_status(200);
    assert!(stream.is_quiet_for(Duration::from_millis(300)).await);

    app.complete(&key, &transaction).await.assert_status(200);
    let sold = stream.next().await;
    assert_eq!(sold.id, held.id + 2, "the checkout took a version");
    assert_eq!(statuses(&sold), pair("sold"));
}

#[actix_web::test]
async fn expiries_by_the_timer_appear_like_any_change() {
    let (app, key) = app_with_performance().await;
    let mut stream = Stream::open(&app, "", None).await;
    stream.next().await;
    hold_pair(&app, &key).await;
    assert_eq!(statuses(&stream.next().await), pair("held"));
    app.clock.advance_millis(181_000);
    let expired = stream.next().await;
    assert_eq!(statuses(&expired), pair("free"));
}

#[actix_web::test]
async fn a_follower_resumes_after_the_version_it_names_with_the_header_winning() {
    let (app, key) = app_with_performance().await;
    let mut first = Stream::open(&app, "", None).await;
    let start = first.next().await.id;
    let transaction = hold_pair(&app, &key).await;
    app.call(
        reqwest::Method::DELETE,
        &format!("/transactions/{transaction}"),
        Some(&key),
        None,
    )
    .await
    .assert_status(200);

    // `?since=` resumes: the hold, then the release; no snapshot.
    let mut resumed = Stream::open(&app, &format!("?since={start}"), None).await;
    let (held, freed) = (resumed.next().await, resumed.next().await);
    assert_eq!((held.name.as_str(), held.id), ("seats", start + 1));
    assert_eq!((statuses(&freed), freed.id), (pair("free"), start + 2));

    // Last-Event-ID wins over `since`: only the release.
    let mut by_header = Stream::open(&app, &format!("?since={start}"), Some(start + 1)).await;
    let freed = by_header.next().await;
    assert_eq!((freed.name.as_str(), freed.id), ("seats", start + 2));

    // A version the server never had: a snapshot.
    let mut ahead = Stream::open(&app, "?since=999999", None).await;
    let snapshot = ahead.next().await;
    assert_eq!(
        (snapshot.name.as_str(), snapshot.id),
        ("snapshot", start + 2)
    );
}

#[actix_web::test]
async fn after_a_restart_the_current_version_resumes_and_older_ones_get_a_snapshot() {
    let (app, key) = app_with_performance().await;
    hold_pair(&app, &key).await;
    let version = app.get("/performances/p/seats").await.body["version"]
        .as_u64()
        .expect("a version");
    let app = app.restart().await;
    let mut current = Stream::open(&app, &format!("?since={version}"), None).await;
    let mut older = Stream::open(&app, &format!("?since={}", version - 1), None).await;
    assert_eq!(older.next().await.name, "snapshot");
    app.clock.advance_millis(181_000);
    let expired = current.next().await;
    assert_eq!((expired.name.as_str(), expired.id), ("seats", version + 1));
    assert_eq!(statuses(&expired), pair("free"));
}

#[actix_web::test]
async fn an_unknown_performance_or_a_bad_since_is_refused() {
    let app = spawn_app().await;
    app.get("/performances/nope/seats/stream")
        .await
        .assert_error(404, "not_found");
    app.create_performance(&performance_body("p", &[&[(1, 8)]], free_rules()))
        .await;
    app.get("/performances/p/seats/stream?since=yesterday")
        .await
        .assert_error(400, "invalid_request");
}

#[actix_web::test]
async fn a_stop_ends_open_streams_instead_of_waiting_for_them() {
    let (app, _) = app_with_performance().await;
    let mut stream = Stream::open(&app, "", None).await;
    stream.next().await;
    let started = std::time::Instant::now();
    let app = app.restart().await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the stop waited {:?} for an open stream",
        started.elapsed()
    );
    let end = tokio::time::timeout(Duration::from_secs(5), stream.response.chunk()).await;
    assert!(
        matches!(end, Ok(Ok(None)) | Ok(Err(_))),
        "the stream ended: {end:?}"
    );
    drop(app);
}
