//! Crash recovery with the real binary: run it under concurrent load, kill it with SIGKILL at
//! a random moment, restart it on the same data directory, and check that nothing
//! acknowledged was lost and nothing unacknowledged was invented.
//!
//! The model is updated only from answers the server gave. A request whose answer was lost
//! in the crash may or may not have happened, so its transaction may be in either state.
//! Cycles: 20 by default, `HOLDFAST_CRASH_CYCLES=200` for a long run; `HOLDFAST_CRASH_SEED`
//! replays a run (the seed is printed).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ADMIN_KEY: &str = "crash-test-admin-key-0123456789";
const PERFORMANCE: &str = "crash";
const ROWS: u32 = 26;
const SEATS_PER_ROW: u32 = 40;
const CLIENTS: usize = 16;

/// A server process that is killed when dropped, so a failed test leaves nothing running.
struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start(data_dir: &Path) -> Self {
        // Snapshots every 50 entries, so kills also land around snapshot writes and
        // restarts go through snapshot + tail, not only a full replay.
        let config = data_dir.with_extension("toml");
        std::fs::write(
            &config,
            "snapshot_every_entries = 50\nsnapshot_every_seconds = 1\n",
        )
        .expect("the config is written");
        let mut child = Command::new(env!("CARGO_BIN_EXE_holdfast"))
            .args([
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--no-demo",
                "--admin-key",
                ADMIN_KEY,
            ])
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--config")
            .arg(&config)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let stdout = child.stdout.take().expect("a piped stdout");
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(address) = line.strip_prefix("listening on ") {
                    let _ = sender.send(address.to_owned());
                }
            }
        });
        let address = receiver
            .recv_timeout(Duration::from_secs(60))
            .expect("the server prints its address");
        Self { child, address }
    }

    /// SIGKILL: no flush, no goodbye.
    fn kill(mut self) {
        self.child.kill().expect("the server is killed");
        self.child.wait().expect("the server is reaped");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the server acknowledged about one transaction, and what was in flight.
#[derive(Clone, Debug)]
struct Known {
    tickets: Vec<String>,
    state: &'static str,
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

async fn send(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    key: &str,
    body: Option<Value>,
) -> Option<(u16, Value)> {
    let mut request = client
        .request(method, url)
        .header("X-API-Key", key)
        .timeout(Duration::from_secs(10));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.ok()?;
    let status = response.status().as_u16();
    let body = response.json().await.ok()?;
    Some((status, body))
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
        let tickets = vec![
            format!("{PERFORMANCE}:STALLS-{row}{seat}"),
            format!("{PERFORMANCE}:STALLS-{row}{}", seat + 1),
        ];
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
            Some((200, _)) => {
                known.state = target;
                known.pending = None;
            }
            Some((status, body)) => panic!("{op} of {id} answered {status}: {body}"),
            None => {} // Lost in the crash: either state is possible.
        }
    }
}

/// Checks the restarted server against everything it acknowledged.
async fn verify(address: &str, key: &str, model: &mut Model) {
    let client = reqwest::Client::new();
    let seats = client
        .get(format!("{address}/performances/{PERFORMANCE}/seats"))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let status: BTreeMap<String, String> = seats["seats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_owned(),
                s["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
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
        let state = body["state"].as_str().unwrap();
        let allowed: Vec<&str> = std::iter::once(known.state).chain(known.pending).collect();
        assert!(
            allowed.contains(&state),
            "transaction {id}: state {state}, acknowledged {known:?}"
        );
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
        model.transactions.get_mut(&id).unwrap().state = "complete";
    }
}

fn performance_body() -> Value {
    let rows: Vec<Value> = (0..ROWS)
        .map(|row| json!({"row": ((b'A' + row as u8) as char).to_string(), "blocks": [{"from": 1, "to": SEATS_PER_ROW, "price_band": "A"}]}))
        .collect();
    json!({
        "id": PERFORMANCE,
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
    let cycles: usize = std::env::var("HOLDFAST_CRASH_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let seed: u64 = std::env::var("HOLDFAST_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
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
            let (code, _) = send(
                &http,
                reqwest::Method::POST,
                format!("{}/performances", server.address),
                ADMIN_KEY,
                Some(performance_body()),
            )
            .await
            .unwrap();
            assert_eq!(code, 201);
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
