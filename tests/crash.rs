//! Crash recovery with the real binary: run it under concurrent load, kill it with SIGKILL at
//! a random moment, restart it on the same data directory, and check that nothing
//! acknowledged was lost and nothing unacknowledged was invented. A third of the buyers hold
//! baskets over two performances: after every restart a basket is sold whole or not at all,
//! and every acknowledged order is readable with all its tickets. And the crash the server
//! causes itself: a storage failure (a real full disk) ends the process with code 70, and
//! the restart recovers.
//!
//! The model is updated only from answers the server gave. A request whose answer was lost
//! in the crash may or may not have happened, so its transaction may be in either state.
//! Cycles: 20 by default, `HOLDFAST_CRASH_CYCLES=200` for a long run; `HOLDFAST_CRASH_SEED`
//! replays a run (the seed is printed).

#[path = "common/server.rs"]
mod server;
#[path = "common/tmpfs.rs"]
mod tmpfs;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use server::{ADMIN_KEY, Server, crash_cycles, crash_seed, send};

const PERFORMANCE: &str = "crash";
/// The second performance of baskets: a pair at each, completed atomically.
const SECOND: &str = "crash2";
const ROWS: u32 = 26;
const SEATS_PER_ROW: u32 = 40;
const CLIENTS: usize = 16;

/// What the server acknowledged about one transaction, and what was in flight.
#[derive(Clone, Debug)]
struct Known {
    tickets: Vec<String>,
    state: &'static str,
    /// The order number a complete was answered with.
    order: Option<String>,
    /// A complete or release sent whose answer never came.
    pending: Option<&'static str>,
}

#[derive(Default)]
struct Model {
    transactions: BTreeMap<String, Known>,
}

/// A small deterministic generator (xorshift), so a failing seed replays.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

/// One buyer: hold a random pair, then complete or release it, until told to stop.
async fn buyer(
    address: String,
    key: String,
    model: Arc<Mutex<Model>>,
    seed: u64,
    stop: Arc<std::sync::atomic::AtomicBool>,
) {
    let client = reqwest::Client::new();
    let mut random = Random(seed | 1);
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        let row = (b'A' + random.below(u64::from(ROWS)) as u8) as char;
        let seat = 1 + random.below(u64::from(SEATS_PER_ROW - 1)) as u32;
        let mut tickets = vec![
            format!("{PERFORMANCE}:STALLS-{row}{seat}"),
            format!("{PERFORMANCE}:STALLS-{row}{}", seat + 1),
        ];
        if random.below(3) == 0 {
            // A basket: the same pair at the second performance too.
            tickets.push(format!("{SECOND}:STALLS-{row}{seat}"));
            tickets.push(format!("{SECOND}:STALLS-{row}{}", seat + 1));
        }
        let body = json!({"tickets": tickets});
        let Some((201, answer)) = send(
            &client,
            reqwest::Method::POST,
            format!("{address}/transactions"),
            &key,
            Some(body),
        )
        .await
        else {
            continue;
        };
        let id = answer["transaction_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let complete = random.below(2) == 0;
        let (op, target) = if complete {
            ("complete", "complete")
        } else {
            ("release", "released")
        };
        model.lock().unwrap().transactions.insert(
            id.clone(),
            Known {
                tickets,
                state: "held",
                order: None,
                pending: Some(target),
            },
        );
        let url = format!("{address}/transactions/{id}");
        let result = if complete {
            let body = json!({"status": "complete", "customer": {"name": "Crash Test", "email": "crash@example.com"}});
            send(&client, reqwest::Method::POST, url, &key, Some(body)).await
        } else {
            send(&client, reqwest::Method::DELETE, url, &key, None).await
        };
        let mut model = model.lock().unwrap();
        let known = model.transactions.get_mut(&id).expect("recorded above");
        match result {
            Some((200, answer)) => {
                known.state = target;
                known.pending = None;
                known.order = answer["order"]["number"].as_str().map(str::to_owned);
            }
            Some((status, body)) => panic!("{op} of {id} answered {status}: {body}"),
            None => {} // Lost in the crash: either state is possible.
        }
    }
}

/// Checks the restarted server against everything it acknowledged.
async fn verify(address: &str, key: &str, model: &mut Model) {
    let client = reqwest::Client::new();
    let mut status: BTreeMap<String, String> = BTreeMap::new();
    for performance in [PERFORMANCE, SECOND] {
        let seats = client
            .get(format!("{address}/performances/{performance}/seats"))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap();
        status.extend(seats["seats"].as_array().unwrap().iter().map(|s| {
            (
                s["id"].as_str().unwrap().to_owned(),
                s["status"].as_str().unwrap().to_owned(),
            )
        }));
    }
    let mut covered_by_acknowledged = BTreeSet::new();
    for (id, known) in &mut model.transactions {
        let (code, body) = send(
            &client,
            reqwest::Method::GET,
            format!("{address}/transactions/{id}"),
            key,
            None,
        )
        .await
        .expect("the server answers");
        assert_eq!(
            code, 200,
            "acknowledged transaction {id} is readable: {body}"
        );
        // A basket whose completion a crash interrupted before its commit is rolled back to
        // a checked-out lock: for this model, still held.
        let state = match body["state"].as_str().unwrap() {
            "checkout" => "held",
            other => other,
        };
        let allowed: Vec<&str> = std::iter::once(known.state).chain(known.pending).collect();
        assert!(
            allowed.contains(&state),
            "transaction {id}: state {state}, acknowledged {known:?}"
        );
        // A basket is sold whole or not at all, also after a crash mid-completion: a
        // transaction that is not complete still holds every ticket (or none, once released),
        // and a complete one has sold every ticket.
        for ticket in &known.tickets {
            let expected = match state {
                "complete" => "sold",
                "held" | "checkout" => "held",
                _ => "free-or-reused",
            };
            if expected != "free-or-reused" {
                assert_eq!(status[ticket], expected, "{ticket} of {id} ({state})");
            }
        }
        if let Some(number) = &known.order {
            let (code, order) = send(
                &client,
                reqwest::Method::GET,
                format!("{address}/orders/{number}"),
                key,
                None,
            )
            .await
            .expect("the server answers");
            assert_eq!(code, 200, "acknowledged order {number} of {id}: {order}");
            let mut sold: Vec<&str> = order["order"]["tickets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|ticket| ticket["id"].as_str().unwrap())
                .collect();
            sold.sort_unstable();
            let mut expected: Vec<&str> = known.tickets.iter().map(String::as_str).collect();
            expected.sort_unstable();
            assert_eq!(sold, expected, "order {number} of {id} has every ticket");
        }
        if matches!(state, "complete" | "held" | "checkout") {
            covered_by_acknowledged.extend(known.tickets.iter().cloned());
        }
        known.state = match state {
            "complete" => "complete",
            "released" => "released",
            _ => "held",
        };
        known.pending = None;
    }
    for (ticket, seat_status) in &status {
        if seat_status == "sold" {
            assert!(
                covered_by_acknowledged.contains(ticket),
                "{ticket} is sold but no acknowledged lock covered it"
            );
        }
    }
    let counts = client
        .get(format!("{address}/performances/{PERFORMANCE}"))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["counts"]
        .clone();
    let total: u64 = ["available", "held", "sold", "withheld"]
        .iter()
        .map(|k| counts[k].as_u64().unwrap())
        .sum();
    assert_eq!(
        total,
        u64::from(ROWS * SEATS_PER_ROW),
        "counts add up: {counts}"
    );
    // A held transaction is still completable after the restart.
    let held = model
        .transactions
        .iter()
        .find(|(_, k)| k.state == "held")
        .map(|(id, _)| id.clone());
    if let Some(id) = held {
        let body = json!({"status": "complete", "customer": {"name": "After Crash", "email": "after@example.com"}});
        let (code, answer) = send(
            &client,
            reqwest::Method::POST,
            format!("{address}/transactions/{id}"),
            key,
            Some(body),
        )
        .await
        .unwrap();
        assert_eq!(
            code, 200,
            "a held transaction completes after a restart: {answer}"
        );
        let known = model.transactions.get_mut(&id).unwrap();
        known.state = "complete";
        known.order = answer["order"]["number"].as_str().map(str::to_owned);
    }
}

fn performance_body(id: &str) -> Value {
    let rows: Vec<Value> = (0..ROWS)
        .map(|row| json!({"row": ((b'A' + row as u8) as char).to_string(), "blocks": [{"from": 1, "to": SEATS_PER_ROW, "price_band": "A"}]}))
        .collect();
    json!({
        "id": id,
        "event": {"id": "crash-show", "name": "Crash Show"},
        "starts_at": "2099-01-01T19:30:00Z",
        "hold_seconds": 3600,
        "rules": {"valid_quantities": [1, 2]},
        "price_bands": [{"code": "A", "price": "10.00", "currency": "GBP"}],
        "sections": [{"name": "STALLS", "rows": rows}]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_changes_survive_sigkill_at_random_moments() {
    let cycles = crash_cycles(20);
    let seed = crash_seed();
    println!("crash test seed {seed} (HOLDFAST_CRASH_SEED={seed} replays it), {cycles} cycles");
    let mut random = Random(seed | 1);
    let data_dir = tempfile::tempdir().unwrap();
    let mut model = Model::default();
    let http = reqwest::Client::new();
    let mut sales_key = String::new();
    let started = Instant::now();
    for cycle in 0..cycles {
        let server = Server::start(data_dir.path());
        if cycle == 0 {
            for id in [PERFORMANCE, SECOND] {
                let (code, _) = send(
                    &http,
                    reqwest::Method::POST,
                    format!("{}/performances", server.address),
                    ADMIN_KEY,
                    Some(performance_body(id)),
                )
                .await
                .unwrap();
                assert_eq!(code, 201);
            }
            let (code, client) = send(
                &http,
                reqwest::Method::POST,
                format!("{}/clients", server.address),
                ADMIN_KEY,
                Some(json!({"id": "loader", "name": "loader", "role": "sales"})),
            )
            .await
            .unwrap();
            assert_eq!(code, 201);
            sales_key = client["key"].as_str().unwrap().to_owned();
        } else {
            verify(&server.address, &sales_key, &mut model).await;
        }
        let model_shared = Arc::new(Mutex::new(std::mem::take(&mut model)));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let buyers: Vec<_> = (0..CLIENTS)
            .map(|index| {
                tokio::spawn(buyer(
                    server.address.clone(),
                    sales_key.clone(),
                    Arc::clone(&model_shared),
                    random.next() ^ index as u64,
                    Arc::clone(&stop),
                ))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(50 + random.below(400))).await;
        server.kill();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for buyer in buyers {
            buyer
                .await
                .expect("a buyer ends without a contract violation");
        }
        model = Arc::try_unwrap(model_shared)
            .ok()
            .expect("every buyer is done")
            .into_inner()
            .unwrap();
    }
    let server = Server::start(data_dir.path());
    verify(&server.address, &sales_key, &mut model).await;
    let acknowledged = model.transactions.len();
    println!(
        "{cycles} crash cycles, {acknowledged} acknowledged transactions checked, {:?}",
        started.elapsed()
    );
    assert!(
        acknowledged > cycles,
        "the load made progress between crashes"
    );
}

// ---- A full disk ----

const MIB: u64 = 1024 * 1024;

/// A performance of 20 rows (A to T) of 100 seats, each row holdable in one request.
fn filler_body() -> Value {
    let rows: Vec<Value> = (0..20_u8)
        .map(|row| json!({"row": char::from(b'A' + row).to_string(), "blocks": [{"from": 1, "to": 100, "price_band": "A"}]}))
        .collect();
    json!({
        "id": "fill",
        "event": {"id": "fill-show", "name": "Fill Show"},
        "starts_at": "2099-01-01T19:30:00Z",
        "hold_seconds": 3600,
        "rules": {"valid_quantities": [1, 100]},
        "price_bands": [{"code": "A", "price": "10.00", "currency": "GBP"}],
        "sections": [{"name": "STALLS", "rows": rows}]
    })
}

/// Every seat of one of the rows A to S.
fn row_tickets(row: usize) -> Value {
    let letter = char::from(b'A' + row as u8);
    let tickets: Vec<String> = (1..=100)
        .map(|seat| format!("fill:STALLS-{letter}{seat}"))
        .collect();
    json!({ "tickets": tickets })
}

async fn hold_idempotently(
    client: &reqwest::Client,
    address: &str,
    key: &str,
    idempotency: &str,
    body: &Value,
) -> Option<(u16, Value)> {
    let response = client
        .post(format!("{address}/transactions"))
        .header("X-API-Key", key)
        .header("Idempotency-Key", idempotency)
        .json(body)
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .ok()?;
    let status = response.status().as_u16();
    Some((status, response.json().await.ok()?))
}

/// The change in flight when storage failed: answered 503 or not at all, so it may or may
/// not have been made.
enum Unanswered {
    Hold { idempotency: String, body: Value },
    Release { transaction: String },
}

/// True for the answers a change may get once storage has failed: 503 `unavailable`, or
/// none because the process is gone.
fn is_unavailable(answer: &Option<(u16, Value)>) -> bool {
    match answer {
        None => true,
        Some((status, body)) => *status == 503 && body["code"] == "unavailable",
    }
}

/// Writes the full-disk tests' configuration outside the tmpfs, so only the server's data
/// fills it: no reserve, so the disk really fills; a snapshot after every entry, so it fills
/// fast (a snapshot carries every hold the performance ever placed).
fn full_disk_config(dir: &Path, exit_on_storage_failure: bool) -> std::path::PathBuf {
    let config = dir.join("full-disk.toml");
    std::fs::write(
        &config,
        format!(
            "disk_reserve_bytes = 0\nsnapshot_every_entries = 1\nsnapshot_every_seconds = 3600\n\
             exit_on_storage_failure = {exit_on_storage_failure}\n"
        ),
    )
    .expect("the config is written");
    config
}

/// A client of a full-disk test's server: its sales key and the one sale made first.
struct Filler {
    http: reqwest::Client,
    address: String,
    key: String,
    sold: String,
}

impl Filler {
    /// Creates the performance and a sales client, and sells seat T100.
    async fn set_up(address: &str) -> Self {
        let http = reqwest::Client::new();
        let url = |path: &str| format!("{address}{path}");
        let post = reqwest::Method::POST;
        let created = send(
            &http,
            post.clone(),
            url("/performances"),
            ADMIN_KEY,
            Some(filler_body()),
        )
        .await;
        assert_eq!(created.map(|(status, _)| status), Some(201));
        let client = json!({"name": "filler", "role": "sales"});
        let (_, client) = send(
            &http,
            post.clone(),
            url("/clients"),
            ADMIN_KEY,
            Some(client),
        )
        .await
        .expect("a client is created");
        let key = client["key"].as_str().expect("a key").to_owned();
        let seat = json!({"tickets": ["fill:STALLS-T100"]});
        let (_, held) = send(&http, post.clone(), url("/transactions"), &key, Some(seat))
            .await
            .expect("a seat is held");
        let sold = held["transaction_id"].as_str().expect("an id").to_owned();
        let customer = json!({"status": "complete", "customer": {"name": "Full Disk", "email": "full@example.com"}});
        let path = url(&format!("/transactions/{sold}"));
        let completed = send(&http, post, path, &key, Some(customer)).await;
        assert_eq!(completed.map(|(status, _)| status), Some(200));
        Self {
            http,
            address: address.to_owned(),
            key,
            sold,
        }
    }

    /// Holds and releases whole rows until storage fails; returns the transactions
    /// acknowledged released and the change that was in flight.
    async fn fill_until_storage_fails(&self) -> (Vec<String>, Unanswered) {
        let mut released = Vec::new();
        loop {
            assert!(released.len() < 20_000, "the disk never filled");
            let idempotency = format!("fill-{}", released.len());
            let body = row_tickets(released.len() % 19);
            let answer =
                hold_idempotently(&self.http, &self.address, &self.key, &idempotency, &body).await;
            let transaction = match answer {
                Some((201, answer)) => answer["transaction_id"].as_str().expect("an id").to_owned(),
                answer if is_unavailable(&answer) => {
                    return (released, Unanswered::Hold { idempotency, body });
                }
                answer => panic!("a hold answered {answer:?}"),
            };
            let path = format!("{}/transactions/{transaction}", self.address);
            match send(&self.http, reqwest::Method::DELETE, path, &self.key, None).await {
                Some((200, _)) => released.push(transaction),
                answer if is_unavailable(&answer) => {
                    return (released, Unanswered::Release { transaction });
                }
                answer => panic!("a release answered {answer:?}"),
            }
        }
    }

    /// Checks that nothing more is acknowledged: a new hold and `/health` answer 503 or
    /// not at all.
    async fn assert_nothing_more_is_acknowledged(&self) {
        let seat = json!({"tickets": ["fill:STALLS-T1"]});
        let late = hold_idempotently(&self.http, &self.address, &self.key, "late", &seat).await;
        assert!(is_unavailable(&late), "a hold after the failure: {late:?}");
        let health = send(
            &self.http,
            reqwest::Method::GET,
            format!("{}/health", self.address),
            &self.key,
            None,
        )
        .await;
        assert!(
            is_unavailable(&health),
            "health after the failure: {health:?}"
        );
    }

    /// Returns the state of a transaction on the server at `address`.
    async fn state(&self, address: &str, transaction: &str) -> String {
        let path = format!("{address}/transactions/{transaction}");
        let (status, body) = send(&self.http, reqwest::Method::GET, path, &self.key, None)
            .await
            .expect("an answer");
        assert_eq!(status, 200, "{transaction}: {body}");
        body["state"].as_str().expect("a state").to_owned()
    }

    /// Checks the restarted server at `address` against everything acknowledged, settles
    /// the change that was in flight, and checks the seat counts.
    async fn verify(&self, address: &str, released: &[String], unanswered: Unanswered) {
        assert_eq!(self.state(address, &self.sold).await, "complete");
        for transaction in released {
            assert_eq!(
                self.state(address, transaction).await,
                "released",
                "{transaction}"
            );
        }
        let mut held_seats = 0;
        match unanswered {
            Unanswered::Hold { idempotency, body } => {
                // It may or may not have been made: the retry with its key gets the first
                // answer or holds afresh, and never holds twice.
                let retried =
                    hold_idempotently(&self.http, address, &self.key, &idempotency, &body).await;
                let Some((201, answer)) = retried else {
                    panic!("the retried hold: {retried:?}")
                };
                let transaction = answer["transaction_id"].as_str().expect("an id");
                assert_eq!(self.state(address, transaction).await, "held");
                held_seats = 100;
            }
            Unanswered::Release { transaction } => {
                let before = self.state(address, &transaction).await;
                assert!(
                    ["held", "released"].contains(&before.as_str()),
                    "{transaction}: {before}"
                );
                let path = format!("{address}/transactions/{transaction}");
                let again = send(&self.http, reqwest::Method::DELETE, path, &self.key, None).await;
                assert_eq!(again.map(|(status, _)| status), Some(200));
            }
        }
        let path = format!("{address}/performances/fill");
        let (_, performance) = send(&self.http, reqwest::Method::GET, path, &self.key, None)
            .await
            .expect("the performance is read");
        let counts = &performance["counts"];
        assert_eq!(counts["sold"], 1, "{counts}");
        assert_eq!(counts["held"], held_seats, "nothing else is held: {counts}");
        assert_eq!(counts["available"], 2000 - 1 - held_seats, "{counts}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_ends_the_process_with_code_70_and_the_restart_recovers_what_was_acknowledged()
{
    let Some(disk) = tmpfs::Tmpfs::mount(8 * MIB) else {
        return;
    };
    let started = Instant::now();
    let data_dir = disk.path().join("data");
    let config_dir = tempfile::tempdir().expect("a config directory");
    let config = full_disk_config(config_dir.path(), true);
    let server = Server::start_with(&data_dir, &config);
    let filler = Filler::set_up(&server.address).await;
    let (released, unanswered) = filler.fill_until_storage_fails().await;
    filler.assert_nothing_more_is_acknowledged().await;
    let status = server.wait_for_exit(Duration::from_secs(30));
    assert_eq!(
        status.code(),
        Some(70),
        "exit code 70 after a storage failure: {status}"
    );
    let free = disk.free_bytes();
    assert!(
        free < MIB,
        "the failure was the full disk: {free} bytes free"
    );

    // An operator frees space; the restart recovers from what is on disk.
    disk.resize(32 * MIB);
    let server = Server::start_with(&data_dir, &config);
    filler.verify(&server.address, &released, unanswered).await;
    println!(
        "{} holds and releases acknowledged before the disk filled; {:?}",
        released.len(),
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_left_running_after_a_full_disk_still_stops_on_sigterm_and_recovers() {
    let Some(disk) = tmpfs::Tmpfs::mount(8 * MIB) else {
        return;
    };
    let data_dir = disk.path().join("data");
    let config_dir = tempfile::tempdir().expect("a config directory");
    let config = full_disk_config(config_dir.path(), false);
    let server = Server::start_with(&data_dir, &config);
    let filler = Filler::set_up(&server.address).await;
    let (released, unanswered) = filler.fill_until_storage_fails().await;
    // Kept running, it answers, and acknowledges nothing.
    let health = send(
        &filler.http,
        reqwest::Method::GET,
        format!("{}/health", server.address),
        ADMIN_KEY,
        None,
    )
    .await;
    assert_eq!(health.map(|(status, _)| status), Some(503));
    filler.assert_nothing_more_is_acknowledged().await;

    // sled 0.34 hangs flushing a failed database on close, so closing must not try.
    let terminated = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(terminated.success());
    let status = server.wait_for_exit(Duration::from_secs(30));
    assert!(status.success(), "SIGTERM stops it cleanly: {status}");

    disk.resize(32 * MIB);
    let server = Server::start_with(&data_dir, &config);
    filler.verify(&server.address, &released, unanswered).await;
}
