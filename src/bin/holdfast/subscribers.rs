//! Seat-stream followers for `holdfast loadtest --subscribers N`: N connections to
//! `GET /performances/{id}/seats/stream`, opened before the workload, each reading every
//! event, as widgets on an on-sale's page would.
//!
//! Each `seats` event carries `at`, when its change was made; delivery latency is the
//! follower's clock at receipt minus `at` (the load generator and the server share this
//! machine's clock), so it includes the journal's fsync, the fan-out and the socket. Every
//! follower counts its events and keeps the last version it saw, so the report shows whether
//! all of them received every change (same count, same last version, no second snapshot).
//!
//! # Caveats
//! - `at` has millisecond resolution: latencies under a millisecond read as 0 or 1 ms.
//! - Followers parse only what they measure (event kind, id and `at`), not the seat lists.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;
use tokio::sync::watch;

use super::loadtest::Latency;

/// Latencies a follower buffers before adding them to the shared histogram.
const BATCH: usize = 256;

/// What the followers saw.
#[derive(Debug, Clone, Serialize)]
pub struct SubscriberReport {
    /// Followers asked for.
    pub subscribers: usize,
    /// Followers whose stream opened (their first snapshot arrived).
    pub connected: u64,
    /// Fewest and most `seats` events one follower received.
    pub events_min: u64,
    /// See `events_min`.
    pub events_max: u64,
    /// Lowest and highest last version among followers.
    pub last_version_min: u64,
    /// See `last_version_min`.
    pub last_version_max: u64,
    /// Snapshots beyond each follower's first (a follower that fell behind gets one).
    pub extra_snapshots: u64,
    /// Followers whose stream failed or ended early.
    pub failed: u64,
    /// From a change being made to a follower reading it, over all followers and events.
    pub delivery: Latency,
}

/// Followers at work.
pub struct Subscribers {
    count: usize,
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<Tally>>,
    connected: Arc<AtomicU64>,
    histogram: Arc<Mutex<Histogram<u64>>>,
}

#[derive(Debug, Default)]
struct Tally {
    events: u64,
    snapshots: u64,
    last_version: u64,
    failed: bool,
}

/// Followers opened at once: more at a time overflow the server's accept queue and its
/// admission bound, and a refused connection is a lost follower.
const OPEN_AT_ONCE: usize = 500;

/// Opens `count` followers of `performance`, [`OPEN_AT_ONCE`] at a time, each wave once the
/// one before has its snapshots (or after 10 s), and returns once all are open or a minute
/// has passed.
pub async fn open(url: &str, performance: &str, count: usize) -> Subscribers {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .tcp_nodelay(true)
        .build()
        .unwrap_or_default();
    let (stop, stopped) = watch::channel(false);
    let connected = Arc::new(AtomicU64::new(0));
    let histogram = Arc::new(Mutex::new(
        Histogram::new_with_bounds(1, 60_000_000, 3).expect("1 µs to 60 s at 3 digits is valid"),
    ));
    let address = format!("{url}/performances/{performance}/seats/stream");
    let mut tasks = Vec::with_capacity(count);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while tasks.len() < count && tokio::time::Instant::now() < deadline {
        let wave = OPEN_AT_ONCE.min(count - tasks.len());
        for _ in 0..wave {
            let follower = Follower {
                stopped: stopped.clone(),
                connected: Arc::clone(&connected),
                histogram: Arc::clone(&histogram),
                batch: Vec::with_capacity(BATCH),
                tally: Tally::default(),
            };
            tasks.push(tokio::spawn(follower.follow(client.get(&address))));
        }
        let wave_deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while connected.load(Ordering::Acquire) < tasks.len() as u64
            && tokio::time::Instant::now() < wave_deadline
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    Subscribers {
        count,
        stop,
        tasks,
        connected,
        histogram,
    }
}

impl Subscribers {
    /// Lets the followers read for `settle` more (the last changes' events), stops them and
    /// reports.
    pub async fn close(self, settle: Duration) -> SubscriberReport {
        tokio::time::sleep(settle).await;
        self.stop.send_replace(true);
        let mut tallies = Vec::with_capacity(self.tasks.len());
        for task in self.tasks {
            tallies.push(task.await.unwrap_or(Tally {
                failed: true,
                ..Tally::default()
            }));
        }
        let histogram = self
            .histogram
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let of = |pick: fn(&Tally) -> u64| {
            let values = tallies.iter().filter(|t| !t.failed).map(pick);
            (values.clone().min().unwrap_or(0), values.max().unwrap_or(0))
        };
        let (events_min, events_max) = of(|t| t.events);
        let (last_version_min, last_version_max) = of(|t| t.last_version);
        SubscriberReport {
            subscribers: self.count,
            connected: self.connected.load(Ordering::Acquire),
            events_min,
            events_max,
            last_version_min,
            last_version_max,
            extra_snapshots: tallies.iter().map(|t| t.snapshots.saturating_sub(1)).sum(),
            failed: tallies.iter().filter(|t| t.failed).count() as u64,
            delivery: Latency::of(&histogram),
        }
    }
}

struct Follower {
    stopped: watch::Receiver<bool>,
    connected: Arc<AtomicU64>,
    histogram: Arc<Mutex<Histogram<u64>>>,
    batch: Vec<u64>,
    tally: Tally,
}

impl Follower {
    async fn follow(mut self, request: reqwest::RequestBuilder) -> Tally {
        let Ok(mut response) = request.send().await else {
            self.tally.failed = true;
            return self.tally;
        };
        let mut buffer: Vec<u8> = Vec::new();
        loop {
            let chunk = tokio::select! {
                chunk = response.chunk() => chunk,
                _ = self.stopped.wait_for(|stop| *stop) => break,
            };
            match chunk {
                Ok(Some(bytes)) => buffer.extend_from_slice(&bytes),
                _ => {
                    self.tally.failed = true;
                    break;
                }
            }
            let mut start = 0;
            while let Some(end) = buffer[start..].windows(2).position(|pair| pair == b"\n\n") {
                let block = &buffer[start..start + end];
                if let Ok(text) = std::str::from_utf8(block) {
                    self.read_event(text);
                }
                start += end + 2;
            }
            buffer.drain(..start);
        }
        self.flush();
        self.tally
    }

    fn read_event(&mut self, block: &str) {
        let field = |name: &str| {
            block
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .map(str::trim)
        };
        let id = field("id:").and_then(|id| id.parse().ok());
        match field("event:") {
            Some("snapshot") => {
                self.tally.snapshots += 1;
                if self.tally.snapshots == 1 {
                    self.connected.fetch_add(1, Ordering::AcqRel);
                }
            }
            Some("seats") => {
                self.tally.events += 1;
                if let Some(latency) = delivery_micros(block) {
                    self.batch.push(latency);
                    if self.batch.len() == BATCH {
                        self.flush();
                    }
                }
            }
            _ => return,
        }
        if let Some(id) = id {
            self.tally.last_version = id;
        }
    }

    fn flush(&mut self) {
        let mut histogram = self
            .histogram
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for latency in self.batch.drain(..) {
            histogram.saturating_record(latency.max(1));
        }
    }
}

/// Microseconds from the event's `at` to now.
fn delivery_micros(block: &str) -> Option<u64> {
    let start = block.find("\"at\":\"")? + 6;
    let end = start + block[start..].find('"')?;
    let at = chrono::DateTime::parse_from_rfc3339(&block[start..end]).ok()?;
    let micros = (chrono::Utc::now() - at.with_timezone(&chrono::Utc)).num_microseconds()?;
    Some(u64::try_from(micros).unwrap_or(0))
}
