//! `holdfast loadtest`: an on-sale load generator that speaks the HTTP contract.
//!
//! It creates its own sales client and performance (or reuses one, `--performance`, or
//! creates many, `--performances`, asked by a Zipf law: see `loadtest_setup`) through the
//! API, then drives N
//! keep-alive clients. In a closed loop each client holds (best available or a specific
//! adjacent pair, by the mix), then completes or releases what it got, and starts again. In
//! an open loop (`--rate`) requests are issued on a fixed schedule whatever the answers, and
//! latency is measured from the scheduled moment, so queueing shows up instead of hiding
//! (coordinated omission). With `--ceiling` the same connections first run `GET /health` for
//! the same duration: the HTTP ceiling of this server on this machine, measured in the same
//! run, so the workload's ratio to it survives a noisy machine.
//!
//! The report gives requests/s, holds/s, sales, conflicts, latency percentiles per operation
//! from HDR histograms, time to sell out, answers by status, and the average group-commit
//! size from the server's journal counters. `--json` prints it for scripts. Everything stops
//! by itself after `--duration`.
//!
//! Left out on purpose: think time between requests.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use clap::Args;
use hdrhistogram::Histogram;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use serde_json::{Value, json};

use super::loadtest_setup::{PerformancePicker, setup};
use super::subscribers::{self, SubscriberReport};

/// Flags of `holdfast loadtest`.
#[derive(Debug, Clone, Args)]
pub struct LoadtestArgs {
    /// The server, e.g. http://127.0.0.1:8080 (loopback only).
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// An admin key of the server (to create the client and the performance).
    #[arg(long, env = "HOLDFAST_ADMIN_KEY", hide_env_values = true)]
    pub admin_key: String,
    /// Concurrent keep-alive clients.
    #[arg(long, default_value_t = 64)]
    pub connections: usize,
    /// How long the workload runs, in seconds.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// Use this performance, created by an earlier run with the same `--rows` and
    /// `--seats-per-row`, instead of creating one: a soak keeps one inventory across runs
    /// and restarts.
    #[arg(long)]
    pub performance: Option<String>,
    /// Performances to create, each of `--rows` × `--seats-per-row`; the holds spread over
    /// them by a Zipf law (`--zipf`).
    #[arg(long, default_value_t = 1)]
    pub performances: usize,
    /// The Zipf exponent over `--performances`: the k-th is asked k^-s times as often as the
    /// first (0 spreads the holds evenly).
    #[arg(long, default_value_t = 1.0)]
    pub zipf: f64,
    /// Rows of the performance to create.
    #[arg(long, default_value_t = 250)]
    pub rows: u32,
    /// Seats per row (one block per row).
    #[arg(long, default_value_t = 200)]
    pub seats_per_row: u32,
    /// Percentage of holds that ask for best available (the rest pick a specific pair).
    #[arg(long, default_value_t = 50)]
    pub best_available_percent: u32,
    /// Seats per best-available hold.
    #[arg(long, default_value_t = 2)]
    pub quantity: u32,
    /// Give the created performance adult and child ticket types, a booking fee per ticket
    /// and a handling fee per order, and hold every other ticket as a child's: the price
    /// list's cost on the hot path, against the same run without it.
    #[arg(long)]
    pub price_list: bool,
    /// Percentage of held transactions that are completed (the rest are released).
    #[arg(long, default_value_t = 50)]
    pub complete_percent: u32,
    /// Open loop: issue this many holds per second on a fixed schedule instead of a closed loop.
    #[arg(long)]
    pub rate: Option<u64>,
    /// First measure `GET /health` with the same connections and duration.
    #[arg(long)]
    pub ceiling: bool,
    /// Open loop: at most this many steps in flight; a step due beyond it is not sent and is
    /// counted as dropped by the client (so the client's own memory stays bounded).
    #[arg(long, default_value_t = 20_000)]
    pub max_in_flight: u64,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Client threads.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Also follow the performance's seat stream with this many connections, opened before
    /// the workload, and report delivery (see `subscribers.rs`). With `--connections 0` they
    /// only idle for `--duration`: the server's memory per idle follower.
    #[arg(long, default_value_t = 0)]
    pub subscribers: usize,
}

/// Latency percentiles of one operation, in microseconds.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    /// Requests measured.
    pub count: u64,
    /// Median.
    pub p50_us: u64,
    /// 90th percentile.
    pub p90_us: u64,
    /// 99th percentile.
    pub p99_us: u64,
    /// 99.9th percentile.
    pub p999_us: u64,
    /// Slowest.
    pub max_us: u64,
}

impl Latency {
    /// The percentiles of `histogram`.
    pub fn of(histogram: &Histogram<u64>) -> Self {
        Self {
            count: histogram.len(),
            p50_us: histogram.value_at_quantile(0.5),
            p90_us: histogram.value_at_quantile(0.9),
            p99_us: histogram.value_at_quantile(0.99),
            p999_us: histogram.value_at_quantile(0.999),
            max_us: histogram.max(),
        }
    }
}

/// What one phase measured.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseReport {
    /// `health` or `onsale`.
    pub phase: &'static str,
    /// Concurrent clients.
    pub connections: usize,
    /// Measured seconds.
    pub seconds: f64,
    /// Every request sent and answered, per second.
    pub requests_per_second: f64,
    /// Holds answered 201 per second.
    pub holds_per_second: f64,
    /// Transactions completed.
    pub sales: u64,
    /// Transactions released.
    pub releases: u64,
    /// Holds refused because seats were taken or too few were left.
    pub conflicts: u64,
    /// Requests that got no answer (connection errors, timeouts).
    pub transport_errors: u64,
    /// Open loop: steps not sent because `--max-in-flight` were already in flight.
    pub dropped_by_client: u64,
    /// Seconds from the start until best available first found too few seats.
    pub sold_out_after_seconds: Option<f64>,
    /// Answers by HTTP status.
    pub statuses: BTreeMap<u16, u64>,
    /// Latency per operation.
    pub latency: BTreeMap<&'static str, Latency>,
    /// Journal write requests per group commit during the phase, from the server's counters.
    pub average_commit_size: Option<f64>,
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The performance the workload ran against (the most-asked one, with `--performances`).
    pub performance: String,
    /// How many performances the holds spread over.
    pub performances: usize,
    /// The share of holds asked of the most-asked performance.
    pub hottest_share: f64,
    /// The `GET /health` ceiling, when measured.
    pub ceiling: Option<PhaseReport>,
    /// The on-sale workload.
    pub workload: PhaseReport,
    /// Workload requests/s over ceiling requests/s.
    pub ratio_to_ceiling: Option<f64>,
    /// What the seat-stream followers saw, with `--subscribers`.
    pub subscribers: Option<SubscriberReport>,
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum LoadtestError {
    /// The server refused the set-up.
    #[error("setting up the run failed: {0}")]
    Setup(String),
    /// The runtime could not start.
    #[error("cannot start the client runtime: {0}")]
    Runtime(#[from] std::io::Error),
}

/// Latencies a recorder buffers before folding them into its histograms.
const SAMPLES_BUFFERED: usize = 4_096;

/// What every client of a phase records.
///
/// Latencies are buffered and folded into the histograms in bulk: an HDR histogram of this
/// range is hundreds of kilobytes, and an open loop makes a recorder per step, so building
/// and adding histograms per step capped the load generator itself near 2,000 steps/s.
struct Recorder {
    histograms: BTreeMap<&'static str, Histogram<u64>>,
    samples: Vec<(&'static str, u64)>,
    statuses: BTreeMap<u16, u64>,
    holds: u64,
    sales: u64,
    releases: u64,
    conflicts: u64,
    transport_errors: u64,
    dropped: u64,
}

impl Recorder {
    fn new() -> Self {
        Self {
            histograms: BTreeMap::new(),
            samples: Vec::new(),
            statuses: BTreeMap::new(),
            holds: 0,
            sales: 0,
            releases: 0,
            conflicts: 0,
            transport_errors: 0,
            dropped: 0,
        }
    }

    fn record(&mut self, operation: &'static str, status: Option<u16>, elapsed: Duration) {
        match status {
            Some(status) => *self.statuses.entry(status).or_default() += 1,
            None => self.transport_errors += 1,
        }
        let micros = u64::try_from(elapsed.as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        self.samples.push((operation, micros));
        if self.samples.len() >= SAMPLES_BUFFERED {
            self.flush();
        }
    }

    fn histogram(&mut self, operation: &'static str) -> &mut Histogram<u64> {
        self.histograms.entry(operation).or_insert_with(|| {
            Histogram::new_with_bounds(1, 60_000_000, 3)
                .expect("bounds 1 µs to 60 s with 3 figures are valid")
        })
    }

    /// Folds the buffered latencies into the histograms.
    fn flush(&mut self) {
        let samples = std::mem::take(&mut self.samples);
        for (operation, micros) in &samples {
            self.histogram(operation).saturating_record(*micros);
        }
        self.samples = samples;
        self.samples.clear();
    }

    fn merge(&mut self, other: Recorder) {
        for (operation, histogram) in other.histograms {
            // Both histograms auto-resize, so adding cannot fail for want of range.
            let _ = self.histogram(operation).add(&histogram);
        }
        self.samples.extend(other.samples);
        if self.samples.len() >= SAMPLES_BUFFERED {
            self.flush();
        }
        for (status, count) in other.statuses {
            *self.statuses.entry(status).or_default() += count;
        }
        self.holds += other.holds;
        self.sales += other.sales;
        self.releases += other.releases;
        self.conflicts += other.conflicts;
        self.transport_errors += other.transport_errors;
        self.dropped += other.dropped;
    }
}

/// Shared by the clients of a phase.
struct Shared {
    client: reqwest::Client,
    url: String,
    key: String,
    performances: Arc<PerformancePicker>,
    args: LoadtestArgs,
    started: Instant,
    deadline: Instant,
    sent: AtomicU64,
    sold_out_millis: AtomicU64,
    stop: AtomicBool,
}

/// A small deterministic generator (xorshift) per client.
struct Random(u64);

impl Random {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound.max(1)
    }
}

async fn call(
    shared: &Shared,
    method: reqwest::Method,
    path: &str,
    body: Option<&Value>,
) -> (Option<u16>, Value, Duration) {
    let started = Instant::now();
    let mut request = shared
        .client
        .request(method, format!("{}{path}", shared.url))
        .header("X-API-Key", &shared.key)
        .timeout(Duration::from_secs(30));
    if let Some(body) = body {
        request = request.json(body);
    }
    shared.sent.fetch_add(1, Ordering::Relaxed);
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let body = response.json().await.unwrap_or(Value::Null);
            (Some(status), body, started.elapsed())
        }
        Err(_) => (None, Value::Null, started.elapsed()),
    }
}

fn hold_body(shared: &Shared, random: &mut Random) -> (&'static str, Value) {
    let args = &shared.args;
    let child = args.price_list && random.below(2) == 0;
    const UNIT: u64 = 1 << 53;
    let performance = shared
        .performances
        .pick(random.below(UNIT) as f64 / UNIT as f64);
    if random.below(100) < u64::from(args.best_available_percent) {
        let mut body = json!({"performance": performance, "quantity": args.quantity});
        if child {
            body["ticket_type"] = json!("CHILD");
        }
        ("hold_best_available", body)
    } else {
        let row = random.below(u64::from(args.rows));
        let seat = 1 + random.below(u64::from(args.seats_per_row.saturating_sub(1)));
        let seat_id = |number: u64| format!("{performance}:S-R{row}-{number}");
        let second = if child {
            json!({"id": seat_id(seat + 1), "ticket_type": "CHILD"})
        } else {
            json!(seat_id(seat + 1))
        };
        ("hold_pair", json!({"tickets": [seat_id(seat), second]}))
    }
}

/// The histogram an answer goes to: refusals for overload apart, so their latency (which
/// must stay low however loaded the server is) is not mixed with served requests.
fn label(operation: &'static str, status: Option<u16>) -> &'static str {
    if status == Some(503) {
        "overloaded"
    } else {
        operation
    }
}

/// One on-sale step: hold, then complete or release what was held. The hold's latency runs
/// from `scheduled`, so in an open loop the wait for a free slot counts.
async fn onsale_step(
    shared: &Shared,
    random: &mut Random,
    recorder: &mut Recorder,
    scheduled: Instant,
) {
    let (operation, body) = hold_body(shared, random);
    let (status, answer, _) =
        call(shared, reqwest::Method::POST, "/transactions", Some(&body)).await;
    recorder.record(label(operation, status), status, scheduled.elapsed());
    match status {
        Some(201) => recorder.holds += 1,
        Some(409) => {
            recorder.conflicts += 1;
            if answer["code"] == "insufficient_availability" {
                let millis =
                    u64::try_from(shared.started.elapsed().as_millis()).unwrap_or(u64::MAX);
                shared.sold_out_millis.fetch_min(millis, Ordering::Relaxed);
            }
            return;
        }
        _ => return,
    }
    let Some(id) = answer["transaction_id"].as_str() else {
        return;
    };
    let path = format!("/transactions/{id}");
    if random.below(100) < u64::from(shared.args.complete_percent) {
        let body = json!({"status": "complete", "customer": {"name": "Load Test", "email": "load@example.com"}});
        let (status, _, elapsed) = call(shared, reqwest::Method::POST, &path, Some(&body)).await;
        recorder.record(label("complete", status), status, elapsed);
        recorder.sales += u64::from(status == Some(200));
    } else {
        let (status, _, elapsed) = call(shared, reqwest::Method::DELETE, &path, None).await;
        recorder.record(label("release", status), status, elapsed);
        recorder.releases += u64::from(status == Some(200));
    }
}

async fn health_step(shared: &Shared, recorder: &mut Recorder) {
    let (status, _, elapsed) = call(shared, reqwest::Method::GET, "/health", None).await;
    recorder.record("health", status, elapsed);
}

/// A closed-loop client: one request at a time until the deadline.
async fn closed_loop(shared: Arc<Shared>, seed: u64, health: bool) -> Recorder {
    let mut recorder = Recorder::new();
    let mut random = Random(seed | 1);
    while Instant::now() < shared.deadline && !shared.stop.load(Ordering::Relaxed) {
        if health {
            health_step(&shared, &mut recorder).await;
        } else {
            onsale_step(&shared, &mut random, &mut recorder, Instant::now()).await;
        }
    }
    recorder
}

/// The open loop: one on-sale step (a hold, then its completion or release) started every
/// 1/rate seconds, whatever the answers.
async fn open_loop(shared: Arc<Shared>, rate: u64) -> Recorder {
    let interval = Duration::from_secs_f64(1.0 / rate.max(1) as f64);
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    let mut next = Instant::now();
    let mut index: u64 = 0;
    let in_flight = Arc::new(AtomicU64::new(0));
    let mut dropped = 0_u64;
    while next < shared.deadline {
        // A timer wait costs at least a millisecond tick even when the moment has passed, so
        // sleeping before every slot would cap the loop near 1,000 steps/s: sleep only when
        // ahead, and yield now and then when behind.
        if next > Instant::now() {
            tokio::time::sleep_until(tokio::time::Instant::from_std(next)).await;
        } else if index.is_multiple_of(256) {
            tokio::task::yield_now().await;
        }
        // Bound the client's own memory: beyond this many in flight the server is plainly
        // not keeping up, and the request is counted as a client-side drop.
        if in_flight.load(Ordering::Relaxed) >= shared.args.max_in_flight {
            dropped += 1;
        } else {
            let shared = Arc::clone(&shared);
            let sender = sender.clone();
            let in_flight = Arc::clone(&in_flight);
            let scheduled = next;
            in_flight.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(async move {
                let mut recorder = Recorder::new();
                let mut random = Random(index.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
                onsale_step(&shared, &mut random, &mut recorder, scheduled).await;
                in_flight.fetch_sub(1, Ordering::Relaxed);
                let _ = sender.send(recorder);
            });
        }
        index += 1;
        next += interval;
    }
    drop(sender);
    let mut total = Recorder::new();
    total.dropped += dropped;
    while let Some(recorder) = receiver.recv().await {
        total.merge(recorder);
    }
    total
}

async fn journal_counters(client: &reqwest::Client, url: &str) -> Option<(u64, u64)> {
    let text = client
        .get(format!("{url}/metrics"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    let value = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(&format!("{name} ")))
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    Some((
        value("holdfast_journal_requests_total")?,
        value("holdfast_journal_commits_total")?,
    ))
}

async fn run_phase(shared: Arc<Shared>, health: bool, quiet: bool) -> PhaseReport {
    let phase = if health { "health" } else { "onsale" };
    let before = journal_counters(&shared.client, &shared.url).await;
    let progress = if quiet {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::new(shared.args.duration);
        bar.set_style(
            ProgressStyle::with_template("{prefix:>8} [{bar:30}] {pos}/{len} s  {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_prefix(phase);
        bar
    };
    let ticker = {
        let shared = Arc::clone(&shared);
        let progress = progress.clone();
        tokio::spawn(async move {
            let mut last = 0;
            while Instant::now() < shared.deadline {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let sent = shared.sent.load(Ordering::Relaxed);
                progress.set_position(shared.started.elapsed().as_secs().min(shared.args.duration));
                progress.set_message(format!("{} requests, {}/s", sent, sent - last));
                last = sent;
            }
        })
    };
    let mut total = Recorder::new();
    match (health, shared.args.rate) {
        (false, Some(rate)) => total.merge(open_loop(Arc::clone(&shared), rate).await),
        _ => {
            let clients: Vec<_> = (0..shared.args.connections)
                .map(|index| {
                    tokio::spawn(closed_loop(
                        Arc::clone(&shared),
                        0x5EED + index as u64 * 7919,
                        health,
                    ))
                })
                .collect();
            for client in clients {
                if let Ok(recorder) = client.await {
                    total.merge(recorder);
                }
            }
        }
    }
    let seconds = shared.started.elapsed().as_secs_f64();
    ticker.abort();
    progress.finish_and_clear();
    let after = journal_counters(&shared.client, &shared.url).await;
    let average_commit_size = match (before, after) {
        (Some((requests_0, commits_0)), Some((requests_1, commits_1))) if commits_1 > commits_0 => {
            Some((requests_1 - requests_0) as f64 / (commits_1 - commits_0) as f64)
        }
        _ => None,
    };
    total.flush();
    let answered: u64 = total.statuses.values().sum();
    let sold_out = shared.sold_out_millis.load(Ordering::Relaxed);
    PhaseReport {
        phase,
        connections: shared.args.connections,
        seconds,
        requests_per_second: answered as f64 / seconds,
        holds_per_second: total.holds as f64 / seconds,
        sales: total.sales,
        releases: total.releases,
        conflicts: total.conflicts,
        transport_errors: total.transport_errors,
        dropped_by_client: total.dropped,
        sold_out_after_seconds: (sold_out != u64::MAX).then(|| sold_out as f64 / 1000.0),
        statuses: total.statuses,
        latency: total
            .histograms
            .iter()
            .map(|(operation, h)| (*operation, Latency::of(h)))
            .collect(),
        average_commit_size,
    }
}

fn shared(
    client: &reqwest::Client,
    args: &LoadtestArgs,
    key: &str,
    performances: &Arc<PerformancePicker>,
) -> Arc<Shared> {
    let started = Instant::now();
    Arc::new(Shared {
        client: client.clone(),
        url: args.url.clone(),
        key: key.to_owned(),
        performances: Arc::clone(performances),
        args: args.clone(),
        started,
        deadline: started + Duration::from_secs(args.duration),
        sent: AtomicU64::new(0),
        sold_out_millis: AtomicU64::new(u64::MAX),
        stop: AtomicBool::new(false),
    })
}

/// Runs the load test and prints its report.
///
/// # Errors
/// When the runtime cannot start or the server refuses the set-up.
pub fn run(args: LoadtestArgs) -> Result<Report, LoadtestError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_all()
        .build()?;
    let report = runtime.block_on(async {
        let client = reqwest::Client::builder()
            // In an open loop every step in flight holds a connection: keep them all for reuse.
            .pool_max_idle_per_host(match args.rate {
                Some(_) => usize::try_from(args.max_in_flight).unwrap_or(usize::MAX),
                None => args.connections,
            })
            .tcp_nodelay(true)
            .build()
            .map_err(|e| LoadtestError::Setup(e.to_string()))?;
        if args.performance.is_some() && args.performances > 1 {
            return Err(LoadtestError::Setup(
                "--performance reuses one performance; it cannot go with --performances".into(),
            ));
        }
        let (key, ids) = setup(&client, &args).await?;
        let performances = Arc::new(PerformancePicker::new(ids, args.zipf));
        let performance = performances.first().to_owned();
        let ceiling = if args.ceiling {
            Some(run_phase(shared(&client, &args, &key, &performances), true, args.json).await)
        } else {
            None
        };
        let followers = if args.subscribers > 0 {
            Some(subscribers::open(&args.url, &performance, args.subscribers).await)
        } else {
            None
        };
        let workload = if args.connections == 0 {
            tokio::time::sleep(Duration::from_secs(args.duration)).await;
            run_phase(
                shared(
                    &client,
                    &LoadtestArgs {
                        duration: 0,
                        connections: 1,
                        ..args.clone()
                    },
                    &key,
                    &performances,
                ),
                true,
                true,
            )
            .await
        } else {
            run_phase(
                shared(&client, &args, &key, &performances),
                false,
                args.json,
            )
            .await
        };
        let subscribers = match followers {
            Some(followers) => Some(followers.close(Duration::from_secs(2)).await),
            None => None,
        };
        let ratio_to_ceiling = ceiling
            .as_ref()
            .filter(|c| c.requests_per_second > 0.0)
            .map(|c| workload.requests_per_second / c.requests_per_second);
        Ok::<_, LoadtestError>(Report {
            performance,
            performances: performances.len(),
            hottest_share: performances.hottest_share(),
            ceiling,
            workload,
            ratio_to_ceiling,
            subscribers,
        })
    })?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    } else {
        print!("{}", render(&report));
    }
    Ok(report)
}

/// Renders a report as text.
pub fn render(report: &Report) -> String {
    let mut text = String::new();
    if report.performances > 1 {
        text.push_str(&format!(
            "\n{} performances, the most asked ({}) taking {:.1}% of the holds\n",
            report.performances,
            report.performance,
            report.hottest_share * 100.0
        ));
    }
    for phase in report
        .ceiling
        .iter()
        .chain(std::iter::once(&report.workload))
    {
        text.push_str(&format!(
            "\n{} — {} connections, {:.1} s\n  requests/s {:.0}   holds/s {:.0}   sales {}   releases {}   conflicts {}   transport errors {}   dropped by client {}\n",
            phase.phase, phase.connections, phase.seconds, phase.requests_per_second, phase.holds_per_second,
            phase.sales, phase.releases, phase.conflicts, phase.transport_errors, phase.dropped_by_client
        ));
        if let Some(seconds) = phase.sold_out_after_seconds {
            text.push_str(&format!(
                "  sold out (best available found too few seats) after {seconds:.1} s\n"
            ));
        }
        if let Some(size) = phase.average_commit_size {
            text.push_str(&format!("  average group commit: {size:.1} writes\n"));
        }
        text.push_str(&format!("  statuses {:?}\n", phase.statuses));
        text.push_str("  latency µs        count      p50      p90      p99    p99.9      max\n");
        for (operation, l) in &phase.latency {
            text.push_str(&format!(
                "  {operation:<20} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}\n",
                l.count, l.p50_us, l.p90_us, l.p99_us, l.p999_us, l.max_us
            ));
        }
    }
    if let Some(s) = &report.subscribers {
        text.push_str(&format!(
            "\nseat-stream followers: {} asked, {} connected, {} failed, {} extra snapshots\n  seats events per follower {}..{}   last version {}..{}\n  delivery µs          count      p50      p90      p99    p99.9      max\n  {:<20} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}\n",
            s.subscribers, s.connected, s.failed, s.extra_snapshots, s.events_min, s.events_max,
            s.last_version_min, s.last_version_max, "change → follower", s.delivery.count,
            s.delivery.p50_us, s.delivery.p90_us, s.delivery.p99_us, s.delivery.p999_us, s.delivery.max_us
        ));
    }
    if let Some(ratio) = report.ratio_to_ceiling {
        text.push_str(&format!("\nworkload / ceiling requests/s: {ratio:.2}\n"));
    }
    text
}
