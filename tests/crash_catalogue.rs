//! Catalogue operations survive SIGKILL: a box office allocates seats to a channel, withholds
//! standing places, changes a performance's hold time and moves its event while the real
//! binary is killed at random moments; after every restart each acknowledged change is there,
//! and of the one in flight when the process died, either all or nothing.
//!
//! Cycles: 8 by default, `HOLDFAST_CRASH_CYCLES` for more; `HOLDFAST_CRASH_SEED` replays a
//! run (the seed is printed).

#[path = "common/server.rs"]
mod server;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use server::{ADMIN_KEY, Server, crash_cycles, crash_seed, send};

const PERFORMANCE: &str = "cat";
const SEATS: u32 = 60;

/// One change of the box office, and what it leaves when acknowledged.
#[derive(Clone, Debug, PartialEq)]
enum Change {
    /// Seat `A<n>` set aside for the channel.
    Allocate(u32),
    /// One more standing place withheld.
    Withhold,
    /// The performance's hold time.
    HoldSeconds(u32),
    /// The event's venue.
    Venue(String),
}

/// What the server acknowledged, and the change whose answer the crash took.
#[derive(Debug, Default)]
struct Model {
    allocated: Vec<u32>,
    withheld: u64,
    hold_seconds: Option<u32>,
    venue: Option<String>,
    in_flight: Option<Change>,
    next: u32,
}

impl Model {
    fn acknowledge(&mut self, change: Change) {
        match change {
            Change::Allocate(seat) => self.allocated.push(seat),
            Change::Withhold => self.withheld += 1,
            Change::HoldSeconds(seconds) => self.hold_seconds = Some(seconds),
            Change::Venue(venue) => self.venue = Some(venue),
        }
    }
}

fn performance_body() -> Value {
    json!({
        "id": PERFORMANCE,
        "event": {"id": "ev", "name": "The Show", "venue": "First Hall", "city": "Leeds"},
        "starts_at": "2099-01-01T19:30:00Z",
        "hold_seconds": 600,
        "rules": {"valid_quantities": [1, 2]},
        "price_bands": [{"code": "A", "price": "10.00", "currency": "GBP"}],
        "sections": [{"name": "STALLS", "rows": [
            {"row": "A", "blocks": [{"from": 1, "to": SEATS, "price_band": "A"}]}]}],
        "general_admission": [{"code": "STANDING", "capacity": 10000, "price_band": "A"}]
    })
}

/// The request that makes `change`.
fn request(change: &Change) -> (Method, String, Value) {
    let performance = format!("/performances/{PERFORMANCE}");
    match change {
        Change::Allocate(seat) => (
            Method::POST,
            format!("{performance}/allocations"),
            json!({"channel": "redchair", "tickets": [format!("{PERFORMANCE}:STALLS-A{seat}")]}),
        ),
        Change::Withhold => (
            Method::POST,
            format!("{performance}/holdbacks"),
            json!({"withhold_general_admission": {"STANDING": 1}}),
        ),
        Change::HoldSeconds(seconds) => {
            (Method::PATCH, performance, json!({"hold_seconds": seconds}))
        }
        Change::Venue(venue) => (Method::PATCH, "/events/ev".into(), json!({"venue": venue})),
    }
}

/// The box office: one change after another, as the organizer, until the server dies.
async fn box_office(address: String, organizer: String, model: Arc<Mutex<Model>>) {
    let http = reqwest::Client::new();
    loop {
        let change = {
            let mut model = model.lock().unwrap();
            model.next += 1;
            let n = model.next;
            let change = match n % 4 {
                0 if n / 4 < SEATS => Change::Allocate(n / 4 + 1),
                0 | 1 => Change::Withhold,
                2 => Change::HoldSeconds(100 + n),
                _ => Change::Venue(format!("Hall {n}")),
            };
            model.in_flight = Some(change.clone());
            change
        };
        let (method, path, body) = request(&change);
        let answer = send(
            &http,
            method,
            format!("{address}{path}"),
            &organizer,
            Some(body),
        )
        .await;
        let mut model = model.lock().unwrap();
        match answer {
            Some((status, _)) if status < 300 => {
                model.in_flight = None;
                model.acknowledge(change);
            }
            Some((status, body)) if status < 500 => {
                panic!("{change:?} was refused: {status} {body}")
            }
            // The server is gone: the change may or may not have been made.
            _ => return,
        }
    }
}

/// Checks that every acknowledged change is there and the one in flight is whole or absent,
/// then takes what the server shows as the model's truth.
async fn verify(address: &str, organizer: &str, model: &mut Model) {
    let http = reqwest::Client::new();
    let get = |path: String| {
        let http = http.clone();
        async move {
            send(&http, Method::GET, path, organizer, None)
                .await
                .expect("the restarted server answers")
                .1
        }
    };
    let in_flight = model.in_flight.take();
    let performance = get(format!("{address}/performances/{PERFORMANCE}")).await;
    let seats = get(format!("{address}/performances/{PERFORMANCE}/seats")).await;
    let allocated: Vec<u32> = seats["seats"]
        .as_array()
        .expect("seats")
        .iter()
        .filter(|seat| seat["status"] == "allocated")
        .map(|seat| seat["number"].as_str().unwrap().parse().unwrap())
        .collect();
    for seat in &model.allocated {
        assert!(
            allocated.contains(seat),
            "acknowledged seat A{seat} lost: {allocated:?}"
        );
    }
    let extra: Vec<&u32> = allocated
        .iter()
        .filter(|seat| !model.allocated.contains(seat))
        .collect();
    match (&in_flight, extra.as_slice()) {
        (_, []) => {}
        (Some(Change::Allocate(seat)), [found]) if *found == seat => {}
        (_, extra) => panic!("seats allocated that nothing acknowledged: {extra:?}"),
    }
    model.allocated = allocated;
    let withheld = performance["general_admission"][0]["withheld"]
        .as_u64()
        .expect("withheld places");
    let could = model.withheld + u64::from(in_flight == Some(Change::Withhold));
    assert!(
        (model.withheld..=could).contains(&withheld),
        "{withheld} places withheld; acknowledged {}, in flight {in_flight:?}",
        model.withheld
    );
    model.withheld = withheld;
    let hold_seconds = performance["hold_seconds"].as_u64().expect("a hold time") as u32;
    let expected_hold = model.hold_seconds.unwrap_or(600);
    assert!(
        hold_seconds == expected_hold || in_flight == Some(Change::HoldSeconds(hold_seconds)),
        "hold time {hold_seconds}; acknowledged {expected_hold}, in flight {in_flight:?}"
    );
    model.hold_seconds = Some(hold_seconds);
    let venue = performance["event"]["venue"]
        .as_str()
        .expect("a venue")
        .to_owned();
    let event = get(format!("{address}/events/ev")).await;
    assert_eq!(
        event["venue"],
        venue.as_str(),
        "the event and its performance agree"
    );
    let expected_venue = model.venue.clone().unwrap_or_else(|| "First Hall".into());
    assert!(
        venue == expected_venue || in_flight == Some(Change::Venue(venue.clone())),
        "venue {venue}; acknowledged {expected_venue}, in flight {in_flight:?}"
    );
    model.venue = Some(venue);
    let allocations = get(format!("{address}/performances/{PERFORMANCE}/allocations")).await;
    let counted = &allocations["allocations"][0]["seats"]["allocated"];
    assert_eq!(
        counted.as_u64(),
        Some(model.allocated.len() as u64),
        "{allocations}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_catalogue_changes_survive_sigkill() {
    let cycles = crash_cycles(8);
    let seed = crash_seed();
    println!(
        "catalogue crash seed {seed} (HOLDFAST_CRASH_SEED={seed} replays it), {cycles} cycles"
    );
    let mut random = seed | 1;
    let mut next_pause = move || {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        Duration::from_millis(30 + random % 300)
    };
    let data_dir = tempfile::tempdir().unwrap();
    let http = reqwest::Client::new();
    let mut model = Model::default();
    let mut organizer = String::new();
    for cycle in 0..cycles {
        let server = Server::start(data_dir.path());
        let address = server.address.clone();
        if cycle == 0 {
            let url = |path: &str| format!("{address}{path}");
            let created = send(
                &http,
                Method::POST,
                url("/performances"),
                ADMIN_KEY,
                Some(performance_body()),
            )
            .await;
            assert_eq!(created.map(|(status, _)| status), Some(201));
            let body = json!({"id": "org", "name": "org", "role": "organizer", "events": ["ev"]});
            let made = send(&http, Method::POST, url("/clients"), ADMIN_KEY, Some(body)).await;
            let (status, made) = made.expect("an answer");
            assert_eq!(status, 201);
            organizer = made["key"].as_str().unwrap().to_owned();
        } else {
            verify(&address, &organizer, &mut model).await;
        }
        let shared = Arc::new(Mutex::new(std::mem::take(&mut model)));
        let office = tokio::spawn(box_office(address, organizer.clone(), Arc::clone(&shared)));
        tokio::time::sleep(next_pause()).await;
        server.kill();
        office.await.expect("the box office ends without a refusal");
        model = Arc::try_unwrap(shared)
            .expect("the box office is done")
            .into_inner()
            .unwrap();
    }
    let server = Server::start(data_dir.path());
    verify(&server.address, &organizer, &mut model).await;
    println!(
        "{cycles} kills: {} seats allocated, {} places withheld, all acknowledged changes kept",
        model.allocated.len(),
        model.withheld
    );
    assert!(
        model.next as usize > cycles,
        "the box office made progress between kills"
    );
}
