//! `spawn_app()` builds the real application on port 0 with a fresh temporary data directory
//! and a manual clock, serves it on the test's runtime, and returns a [`TestApp`] with typed
//! methods for the calls tests make. [`TestApp::restart`] stops it as SIGTERM would and
//! starts a new one on the same data directory.

use std::path::PathBuf;
use std::sync::Arc;

use holdfast::actor::ManualClock;
use holdfast::config::Config;
use holdfast::domain::Timestamp;
use holdfast::persistence::JournalFaults;
use holdfast::startup::{Application, Stopper};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The admin key every test app uses.
pub const ADMIN_KEY: &str = "test-admin-key-0123456789";
/// 2026-11-01T00:00:00Z, the manual clock's start.
pub const START: Timestamp = Timestamp(1_793_491_200_000);

/// A running application and what tests need to talk to it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub clock: ManualClock,
    /// The configuration it was built with, for a restart.
    pub config: Config,
    server: Stopper,
    running: actix_web::rt::task::JoinHandle<std::io::Result<()>>,
    /// Removed when the last application on it is dropped; `None` for a directory the test
    /// owns (a tmpfs).
    temp_dir: Option<tempfile::TempDir>,
}

/// An answer: status, headers and JSON body (`Value::Null` when the body is not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    /// Asserts the contract's error body with `status` and `code`, and returns the body.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) -> &Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.body["status"], "error", "body: {}", self.body);
        assert_eq!(self.body["code"], code, "body: {}", self.body);
        let errors = self.body["errors"].as_array().expect("errors is an array");
        assert!(
            !errors.is_empty() && errors.iter().all(Value::is_string),
            "body: {}",
            self.body
        );
        &self.body
    }

    /// Asserts `status` and returns the body.
    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        &self.body
    }
}

/// Starts the application with test defaults: no demo, a fixed admin key, a manual clock.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the application after `adjust` has changed the test configuration.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_with_faults(adjust, None).await
}

/// Starts the application with `faults` injected into its journal (and storage failures
/// not ending the test process).
pub async fn spawn_app_with_faults(
    adjust: impl FnOnce(&mut Config),
    faults: Option<JournalFaults>,
) -> TestApp {
    let temp_dir = tempfile::tempdir().expect("a temporary directory");
    let mut config = test_config(temp_dir.path().to_path_buf());
    adjust(&mut config);
    start(config, ManualClock::new(START), faults, Some(temp_dir)).await
}

/// Starts the application on `data_dir`, which the caller owns and cleans up.
pub async fn spawn_app_in(data_dir: PathBuf, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let mut config = test_config(data_dir);
    adjust(&mut config);
    start(config, ManualClock::new(START), None, None).await
}

/// The test defaults: port 0, no demo, a fixed admin key, two threads of each kind, and a
/// storage failure answered with 503s instead of ending the test process.
fn test_config(data_dir: PathBuf) -> Config {
    Config {
        bind: "127.0.0.1:0".into(),
        data_dir,
        admin_key: Some(ADMIN_KEY.into()),
        demo: false,
        actor_threads: 2,
        http_workers: 2,
        exit_on_storage_failure: false,
        ..Config::default()
    }
}

async fn start(
    config: Config,
    clock: ManualClock,
    faults: Option<JournalFaults>,
    temp_dir: Option<tempfile::TempDir>,
) -> TestApp {
    if std::env::var_os("TEST_LOG").is_some() {
        holdfast::telemetry::init();
    }
    let app = Application::build_with_faults(config.clone(), Arc::new(clock.clone()), faults)
        .await
        .expect("the application builds");
    let address = format!("http://{}", app.address());
    let server = app.server_handle();
    let running = actix_web::rt::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        clock,
        config,
        server,
        running,
        temp_dir,
    }
}

/// A performance body: one section `STALLS` with rows of the given blocks, in band `A`
/// (65.00 GBP), band `B` (45.00 GBP) for a 10-place `STANDING` pool, starting a month after
/// [`START`].
/// Starts the application with performances `ids`, each of rows A and B (seats 1-10) and the
/// pool `STANDING`, under `rules`.
pub async fn spawn_app_with_performances(ids: &[&str], rules: Value) -> TestApp {
    spawn_configured_app_with_performances(ids, rules, |_| {}).await
}

/// As [`spawn_app_with_performances`], after `adjust` has changed the test configuration.
pub async fn spawn_configured_app_with_performances(
    ids: &[&str],
    rules: Value,
    adjust: impl FnOnce(&mut Config),
) -> TestApp {
    let app = spawn_app_with(adjust).await;
    for id in ids {
        app.create_performance(&performance_body(
            id,
            &[&[(1, 10)], &[(1, 10)]],
            rules.clone(),
        ))
        .await;
    }
    app
}

pub fn performance_body(id: &str, rows: &[&[(u32, u32)]], rules: Value) -> Value {
    let letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let rows: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(index, blocks)| {
            let blocks: Vec<Value> = blocks
                .iter()
                .map(|(from, to)| json!({"from": from, "to": to, "price_band": "A"}))
                .collect();
            json!({"row": &letters[index..=index], "blocks": blocks})
        })
        .collect();
    json!({
        "id": id,
        "event": {"id": "jersey-boys", "name": "Jersey Boys", "venue": "Piccadilly Theatre", "city": "London"},
        "starts_at": "2026-12-04T19:30:00Z",
        "hold_seconds": 180,
        "rules": rules,
        "price_bands": [
            {"code": "A", "price": "65.00", "currency": "GBP"},
            {"code": "B", "price": "45.00", "currency": "GBP"}
        ],
        "sections": [{"name": "STALLS", "rows": rows}],
        "general_admission": [{"code": "STANDING", "capacity": 10, "price_band": "B"}]
    })
}

/// Rules without constraints beyond quantities 1 to 10.
pub fn free_rules() -> Value {
    json!({"contiguous_seats_only": false, "no_single_seat_gaps": false, "valid_quantities": [1,2,3,4,5,6,7,8,9,10]})
}

/// The contract's example rules.
pub fn strict_rules() -> Value {
    json!({"contiguous_seats_only": true, "no_single_seat_gaps": true, "valid_quantities": [1,2,3,4,5,6]})
}

impl TestApp {
    /// Stops the application as SIGTERM would (in-flight requests finish, the journal is
    /// closed) and waits until its data directory is released.
    pub async fn stop(self) -> (Config, ManualClock, Option<tempfile::TempDir>) {
        self.server.stop(true).await;
        self.running
            .await
            .expect("the server task ends")
            .expect("the server stops cleanly");
        (self.config, self.clock, self.temp_dir)
    }

    /// Stops the application and starts a new one on the same data directory, configuration
    /// and clock, with no faults: a restart.
    pub async fn restart(self) -> TestApp {
        let (config, clock, temp_dir) = self.stop().await;
        start(config, clock, None, temp_dir).await
    }

    /// Sends a request with an optional key and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> Answer {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address));
        if let Some(key) = key {
            request = request.header("X-API-Key", key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        Self::answer(request.send().await.expect("the request is sent")).await
    }

    /// Turns a response into an [`Answer`].
    pub async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("the body is read");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            headers,
            body,
        }
    }

    /// GET without a key.
    pub async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None, None).await
    }

    /// GET as admin.
    pub async fn get_as_admin(&self, path: &str) -> Answer {
        self.call(Method::GET, path, Some(ADMIN_KEY), None).await
    }

    /// POST as admin.
    pub async fn post_as_admin(&self, path: &str, body: &Value) -> Answer {
        self.call(Method::POST, path, Some(ADMIN_KEY), Some(body))
            .await
    }

    /// Creates a performance (admin) and asserts 201.
    pub async fn create_performance(&self, body: &Value) -> Value {
        self.post_as_admin("/performances", body)
            .await
            .assert_status(201)
            .clone()
    }

    /// Creates a sales client and returns its key.
    pub async fn create_sales_client(&self, name: &str) -> String {
        let answer = self
            .post_as_admin("/clients", &json!({"name": name, "role": "sales"}))
            .await;
        answer.assert_status(201)["key"]
            .as_str()
            .expect("a key")
            .to_owned()
    }

    /// `POST /transactions` with `key`.
    pub async fn place_hold(&self, key: &str, body: &Value) -> Answer {
        self.call(Method::POST, "/transactions", Some(key), Some(body))
            .await
    }

    /// `POST /transactions` with `key` and an `Idempotency-Key`.
    pub async fn place_hold_idempotently(
        &self,
        key: &str,
        idempotency_key: &str,
        body: &Value,
    ) -> Answer {
        let request = self
            .client
            .post(format!("{}/transactions", self.address))
            .header("X-API-Key", key)
            .header("Idempotency-Key", idempotency_key)
            .json(body);
        Self::answer(request.send().await.expect("the request is sent")).await
    }

    /// `POST /transactions/{id}` with `{"status": "checkout"}`.
    pub async fn checkout(&self, key: &str, transaction: &str) -> Answer {
        let path = format!("/transactions/{transaction}");
        self.call(
            Method::POST,
            &path,
            Some(key),
            Some(&json!({"status": "checkout"})),
        )
        .await
    }

    /// `POST /transactions/{id}` with `complete` for Joe User.
    pub async fn complete(&self, key: &str, transaction: &str) -> Answer {
        let path = format!("/transactions/{transaction}");
        let body = json!({"status": "complete", "customer": {"name": "Joe User", "email": "joe@example.com"}});
        self.call(Method::POST, &path, Some(key), Some(&body)).await
    }

    /// `GET /transactions/{id}`.
    pub async fn transaction(&self, key: &str, transaction: &str) -> Answer {
        self.call(
            Method::GET,
            &format!("/transactions/{transaction}"),
            Some(key),
            None,
        )
        .await
    }

    /// `DELETE /transactions/{id}`.
    pub async fn release(&self, key: &str, transaction: &str) -> Answer {
        self.call(
            Method::DELETE,
            &format!("/transactions/{transaction}"),
            Some(key),
            None,
        )
        .await
    }

    /// The status of every seat of a performance, by ticket id, and the map's version.
    pub async fn seat_statuses(
        &self,
        performance: &str,
    ) -> (std::collections::BTreeMap<String, String>, u64) {
        let answer = self
            .get(&format!("/performances/{performance}/seats"))
            .await;
        let body = answer.assert_status(200);
        let statuses = body["seats"]
            .as_array()
            .expect("seats")
            .iter()
            .map(|seat| {
                (
                    seat["id"].as_str().unwrap().to_owned(),
                    seat["status"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        (statuses, body["version"].as_u64().expect("a version"))
    }

    /// The journal's write count: the store's `holdfast_journal_requests_total` from
    /// `/metrics`. Every accepted change, record or snapshot is one write, counted before its
    /// request is answered, so a request that changed nothing leaves it as it was.
    pub async fn journal_writes(&self) -> u64 {
        self.metric("holdfast_journal_requests_total").await
    }

    /// The value of the unlabelled metric `name` in `/metrics`.
    pub async fn metric(&self, name: &str) -> u64 {
        let text = self
            .client
            .get(format!("{}/metrics", self.address))
            .send()
            .await
            .expect("the metrics request is sent")
            .text()
            .await
            .expect("the metrics are text");
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
            .and_then(|value| value.parse().ok())
            .unwrap_or_else(|| panic!("{name} in {text}"))
    }

    /// The performance's seat counts.
    pub async fn counts(&self, performance: &str) -> Value {
        self.get(&format!("/performances/{performance}"))
            .await
            .assert_status(200)["counts"]
            .clone()
    }
}

/// The ticket ids of a transaction answer.
pub fn ticket_ids(body: &Value) -> Vec<String> {
    body["tickets"]
        .as_array()
        .expect("tickets")
        .iter()
        .map(|ticket| ticket["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// The transaction id of a transaction answer.
pub fn transaction_id(body: &Value) -> String {
    body["transaction_id"]
        .as_str()
        .expect("a transaction id")
        .to_owned()
}

/// Raw requests and a few more typed calls, for the error, catalogue and transaction tests.
impl TestApp {
    /// Sends `body` as it is, with an optional key and `Content-Type`.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        content_type: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> Answer {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address))
            .body(body);
        if let Some(key) = key {
            request = request.header("X-API-Key", key);
        }
        if let Some(content_type) = content_type {
            request = request.header(reqwest::header::CONTENT_TYPE, content_type);
        }
        Self::answer(request.send().await.expect("the request is sent")).await
    }

    /// Creates a client with a chosen id and role (admin) and returns its key.
    pub async fn create_client_with_id(&self, id: &str, role: &str) -> String {
        let answer = self
            .post_as_admin("/clients", &json!({"id": id, "name": id, "role": role}))
            .await;
        answer.assert_status(201)["key"]
            .as_str()
            .expect("a key")
            .to_owned()
    }

    /// `POST /performances/{id}/holdbacks` with `key`.
    pub async fn holdbacks(&self, key: &str, performance: &str, body: &Value) -> Answer {
        let path = format!("/performances/{performance}/holdbacks");
        self.call(Method::POST, &path, Some(key), Some(body)).await
    }

    /// `POST /transactions/{id}` with `key` and any body.
    pub async fn update_transaction(&self, key: &str, transaction: &str, body: &Value) -> Answer {
        let path = format!("/transactions/{transaction}");
        self.call(Method::POST, &path, Some(key), Some(body)).await
    }
}
