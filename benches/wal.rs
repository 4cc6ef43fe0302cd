//! Benchmarks of the journal on sled: group-commit append throughput with many writers in
//! flight, and the worst-case restart, a million journal records and no snapshot.
//!
//! Every store lives in its own temporary directory. The journal records are the same kind
//! of on-sale history that `benches/domain.rs` replays (generated here again, because a bench
//! target cannot share a module with another without a third file).
//!
//! Results and the commands that produce them are in `docs/BENCHMARKS.md`. Two environment
//! variables change what is measured: `HOLDFAST_BENCH_MIMALLOC` (at build time) allocates
//! through mimalloc, as the server does, and `HOLDFAST_BENCH_JOURNAL_DIR` keeps the recovery
//! journal in that directory, so a second run restarts in a fresh process from what the first
//! one wrote.
//!
//! Left out on purpose: snapshots (they bound the tail to about two generations of
//! `snapshot_every_entries` in production), and the engine's own start-up work after the
//! rebuild (the transaction index, orders, idempotency answers, the actors).

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group};

use holdfast::domain::{
    Amount, BlockSpec, Change, Currency, Performance, PlanSpec, PriceBand, RowSpec, SeatingPlan,
    SectionSpec, TransactionId,
};
use holdfast::persistence::{
    Batch, Durability, Entry, PerformanceRecord, Record, SledStore, Store, StoreConfig,
};

mod common;

use common::*;

/// The recovery benchmark's journal has this many records.
const JOURNAL_RECORDS: usize = 1_000_000;
/// Records per batch while the recovery journal is written.
const LOAD_BATCH: usize = 10_000;

/// Built with `HOLDFAST_BENCH_MIMALLOC` set, the benchmarks allocate through mimalloc, as the
/// server binary does; otherwise through the system allocator (glibc).
const USES_MIMALLOC: bool = option_env!("HOLDFAST_BENCH_MIMALLOC").is_some();

/// The allocator [`USES_MIMALLOC`] chooses.
struct ChosenAllocator;

#[global_allocator]
static ALLOCATOR: ChosenAllocator = ChosenAllocator;

// SAFETY: every call is forwarded unchanged to one allocator, fixed at compile time.
unsafe impl GlobalAlloc for ChosenAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if USES_MIMALLOC {
            unsafe { mimalloc::MiMalloc.alloc(layout) }
        } else {
            unsafe { System.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if USES_MIMALLOC {
            unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
        } else {
            unsafe { System.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        if USES_MIMALLOC {
            unsafe { mimalloc::MiMalloc.dealloc(pointer, layout) }
        } else {
            unsafe { System.dealloc(pointer, layout) }
        }
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if USES_MIMALLOC {
            unsafe { mimalloc::MiMalloc.realloc(pointer, layout, new_size) }
        } else {
            unsafe { System.realloc(pointer, layout, new_size) }
        }
    }
}

fn band(code: &str, price: &str) -> PriceBand {
    PriceBand {
        code: code.into(),
        price: Amount::parse(price).expect("a valid price"),
        currency: Currency::parse("GBP").expect("a valid currency"),
    }
}

/// The 50,000-seat stadium of `benches/domain.rs`: 250 rows of two 100-seat blocks.
fn stadium_spec() -> PlanSpec {
    let block = |from, to, tier: &str| BlockSpec::new(from, to, tier);
    let rows = (0..250)
        .map(|row| {
            let tier = match row {
                0..50 => "A",
                50..150 => "B",
                _ => "C",
            };
            RowSpec {
                row: format!("R{row}-"),
                blocks: vec![block(1, 100, tier), block(101, 200, tier)],
                y: None,
            }
        })
        .collect();
    PlanSpec {
        price_bands: vec![band("A", "120.00"), band("B", "80.00"), band("C", "40.00")],
        sections: vec![SectionSpec {
            name: "BOWL".into(),
            rows,
        }],
        general_admission: Vec::new(),
    }
}

/// True when the arguments ask for a quick check (`cargo test --benches`, `--list`) rather than
/// measurements, so the large fixtures shrink.
fn is_quick_run() -> bool {
    std::env::args().any(|argument| argument == "--test" || argument == "--list")
}

fn store_config(path: &Path, durability: Durability) -> StoreConfig {
    // The defaults of config/default.toml.
    StoreConfig {
        path: path.to_owned(),
        durability,
        cache_capacity_bytes: 256 * 1024 * 1024,
        disk_reserve_bytes: 64 * 1024 * 1024,
        faults: None,
    }
}

fn durability_name(durability: Durability) -> &'static str {
    match durability {
        Durability::Fsync => "fsync",
        Durability::Flush => "flush",
        Durability::None => "none",
    }
}

/// Appends `iterations` single-entry batches with `in_flight` writes outstanding: a new write
/// goes out as soon as the oldest is durable, as with that many clients waiting on one
/// performance. Batches complete in the order written, so waiting on the oldest is exact.
async fn append(
    store: &SledStore,
    change: &Change,
    next_seq: &mut u64,
    in_flight: usize,
    iterations: u64,
) -> Duration {
    let mut pending = VecDeque::with_capacity(in_flight);
    let started = Instant::now();
    for _ in 0..iterations {
        if pending.len() == in_flight
            && let Some(durable) = pending.pop_front()
        {
            wait(durable).await;
        }
        *next_seq += 1;
        let entry = Entry {
            seq: *next_seq,
            at: NOW,
            change: change.clone(),
        };
        pending.push_back(store.write(Batch {
            entries: vec![(performance_id(), entry)],
            ..Batch::default()
        }));
    }
    for durable in pending {
        wait(durable).await;
    }
    started.elapsed()
}

async fn wait(durable: holdfast::persistence::Durable) {
    durable
        .await
        .expect("the journal thread answers")
        .expect("the write is durable");
}

fn append_throughput(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let change = Change::HoldPlaced(hold(TransactionId(7), vec![4_100, 4_101]));
    let mut group = c.benchmark_group("wal_append");
    group.throughput(Throughput::Elements(1));
    for durability in [Durability::Fsync, Durability::None] {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let store = SledStore::open(&store_config(directory.path(), durability), None)
            .expect("the store opens");
        let mut next_seq = 0;
        for in_flight in [16, 64, 256] {
            let before = store.stats();
            let id = BenchmarkId::new(durability_name(durability), in_flight);
            group.bench_function(id, |b| {
                b.iter_custom(|iterations| {
                    runtime.block_on(append(
                        &store,
                        &change,
                        &mut next_seq,
                        in_flight,
                        iterations,
                    ))
                })
            });
            let after = store.stats();
            let requests = after.requests - before.requests;
            let commits = after.commits - before.commits;
            if requests == 0 {
                continue;
            }
            println!(
                "wal_append/{}/{in_flight}: {requests} writes in {commits} group commits \
                 ({:.1} per commit), {} fdatasyncs",
                durability_name(durability),
                requests as f64 / commits.max(1) as f64,
                after.syncs - before.syncs,
            );
        }
        store.close();
    }
    group.finish();
}

/// Writes the performance record and the journal in large batches without syncing, then
/// closes the store, which flushes it.
fn write_journal(path: &Path, changes: &[Change]) {
    let store =
        SledStore::open(&store_config(path, Durability::None), None).expect("the store opens");
    let record = Record::Performance(PerformanceRecord {
        info: info(),
        plan: stadium_spec(),
    });
    let mut batch = Batch {
        records: vec![record],
        ..Batch::default()
    };
    for (index, chunk) in changes.chunks(LOAD_BATCH).enumerate() {
        let first_seq = (index * LOAD_BATCH) as u64 + 1;
        batch.entries = chunk
            .iter()
            .zip(first_seq..)
            .map(|(change, seq)| {
                let entry = Entry {
                    seq,
                    at: NOW,
                    change: change.clone(),
                };
                (performance_id(), entry)
            })
            .collect();
        let durable = store.write(std::mem::take(&mut batch));
        futures::executor::block_on(durable)
            .expect("the journal thread answers")
            .expect("the batch is written");
    }
    store.close();
}

/// How long each step of one restart took.
struct Restart {
    open: Duration,
    load: Duration,
    plan: Duration,
    replay: Duration,
    records: usize,
}

impl Restart {
    fn total(&self) -> Duration {
        self.open + self.load + self.plan + self.replay
    }
}

/// Opens the store, loads it, rebuilds the plan and replays the whole tail onto a new
/// performance, as start-up does without a snapshot. The store and what was loaded are
/// dropped after the clock stops.
fn restart(path: &Path) -> (Restart, Performance) {
    let started = Instant::now();
    let store =
        SledStore::open(&store_config(path, Durability::Fsync), None).expect("the store opens");
    let opened = Instant::now();
    let mut recovered = store.load().expect("the store loads");
    let loaded = Instant::now();
    let found = recovered.performances.pop().expect("one performance");
    assert!(found.corruption.is_none(), "{:?}", found.corruption);
    assert!(found.snapshot.is_none(), "the worst case has no snapshot");
    let plan = SeatingPlan::build(found.record.plan, usize::MAX).expect("the plan builds");
    let planned = Instant::now();
    let mut performance = Performance::new(found.record.info, plan);
    for entry in &found.tail {
        performance.apply(&entry.change);
    }
    let replayed = Instant::now();
    let timings = Restart {
        open: opened - started,
        load: loaded - opened,
        plan: planned - loaded,
        replay: replayed - planned,
        records: found.tail.len(),
    };
    drop(found.tail);
    store.close();
    (timings, performance)
}

/// Where the recovery journal lives: a temporary directory, or the directory named by
/// `HOLDFAST_BENCH_JOURNAL_DIR`, which is kept so that a second process can restart from what
/// the first one wrote, as a real restart does.
struct JournalDirectory {
    path: PathBuf,
    _temporary: Option<tempfile::TempDir>,
}

/// Generates the journal and writes it to a new store (or finds it already written in
/// `HOLDFAST_BENCH_JOURNAL_DIR`), then prints three timed restarts step by step. The first
/// restart of a process is printed apart: its heap is fresh, as after a crash.
fn prepare_journal(records: usize) -> JournalDirectory {
    let plan = Arc::new(SeatingPlan::build(stadium_spec(), usize::MAX).expect("a valid plan"));
    let (live, changes) = OnSale::generate(plan, records);
    let directory = match std::env::var_os("HOLDFAST_BENCH_JOURNAL_DIR") {
        Some(path) => JournalDirectory {
            path: PathBuf::from(path),
            _temporary: None,
        },
        None => {
            let temporary = tempfile::tempdir().expect("a temporary directory");
            JournalDirectory {
                path: temporary.path().to_owned(),
                _temporary: Some(temporary),
            }
        }
    };
    if directory.path.join("db").exists() {
        println!(
            "recovery: reusing the journal in {}",
            directory.path.display()
        );
    } else {
        let started = Instant::now();
        write_journal(&directory.path, &changes);
        println!(
            "recovery: wrote {} journal records in batches of {LOAD_BATCH} (durability none) \
             in {:.2?}",
            changes.len(),
            started.elapsed()
        );
    }
    drop(changes);
    for run in 1..=3 {
        let (timings, performance) = restart(&directory.path);
        assert!(performance == live, "the restart rebuilds the live state");
        println!(
            "recovery run {run}: {} records: open {:.2?}, load {:.2?}, plan {:.2?}, \
             replay {:.2?} ({:.0} records/s), total {:.2?}",
            timings.records,
            timings.open,
            timings.load,
            timings.plan,
            timings.replay,
            timings.records as f64 / timings.replay.as_secs_f64(),
            timings.total(),
        );
    }
    directory
}

fn recovery(c: &mut Criterion) {
    let records = if is_quick_run() {
        20_000
    } else {
        JOURNAL_RECORDS
    };
    // Built on the first call only, so a run filtered to other benchmarks skips it.
    let mut journal: Option<JournalDirectory> = None;
    let mut group = c.benchmark_group("recovery");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .throughput(Throughput::Elements(records as u64));
    let id = BenchmarkId::new("open_load_replay_no_snapshot", records);
    group.bench_function(id, |b| {
        let directory = journal.get_or_insert_with(|| prepare_journal(records));
        b.iter_custom(|iterations| {
            (0..iterations)
                .map(|_| restart(&directory.path).0.total())
                .sum()
        })
    });
    group.finish();
}

criterion_group!(benches, append_throughput, recovery);

fn main() {
    println!(
        "allocator: {}",
        if USES_MIMALLOC { "mimalloc" } else { "system" }
    );
    benches();
    Criterion::default().configure_from_args().final_summary();
}
