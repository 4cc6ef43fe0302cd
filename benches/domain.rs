//! Benchmarks of the pure domain: decide and apply on one performance, the availability query,
//! replay of a million journal records, snapshot encoding, and the memory a seat costs.
//!
//! Every input is built deterministically (a seeded xorshift picks what to sell), so two runs
//! measure the same states. Seats are sold by applying `HoldPlaced` + `HoldSold` changes, the
//! way replay would, which lets a fixture scatter single sold seats that `decide` itself would
//! refuse under `no_single_seat_gaps`: the fragmented plan is the hard case for best available.
//!
//! Results and the commands that produce them are in `docs/BENCHMARKS.md`. Built with
//! `HOLDFAST_BENCH_MIMALLOC` set, everything allocates through mimalloc, as the server does.
//!
//! Left out on purpose: the actor, the journal and HTTP (see `benches/wal.rs` for the journal).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group};

use holdfast::domain::{
    Amount, BlockSpec, Change, Command, Currency, DiscountCode, DiscountScope, Fee, Performance,
    PerformanceInfo, PlanSpec, PriceBand, Reduction, RowSpec, SeatChoice, SeatStatus, SeatingPlan,
    SectionSpec, Selection, TicketType, TransactionId, transaction_totals,
};
use holdfast::persistence::{self, Header, Kind, Snapshot};

mod common;

use common::*;

/// Fixture holds take transaction ids from here up, clear of the ids the benchmarks use.
const FIXTURE_TRANSACTIONS: u128 = 1 << 100;
/// The journal the replay benchmark applies has this many records.
const JOURNAL_RECORDS: usize = 1_000_000;

/// Built with `HOLDFAST_BENCH_MIMALLOC` set, the benchmarks allocate through mimalloc, as the
/// server binary does; otherwise through the system allocator (glibc).
const USES_MIMALLOC: bool = option_env!("HOLDFAST_BENCH_MIMALLOC").is_some();

/// Counts the bytes allocated and not yet freed while [`COUNTING`] is on.
struct CountingAllocator;

static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

impl CountingAllocator {
    fn count(&self, added: usize, removed: usize) {
        // Counting is on only while the memory report runs, so the timed benchmarks pay one
        // relaxed load per allocation and no atomic read-modify-write.
        if COUNTING.load(Ordering::Relaxed) {
            LIVE_BYTES.fetch_add(added, Ordering::Relaxed);
            LIVE_BYTES.fetch_sub(removed, Ordering::Relaxed);
        }
    }
}

// SAFETY: every call is forwarded unchanged to one allocator, fixed at compile time, which
// upholds the `GlobalAlloc` contract; the counters have no effect on the memory handed out.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = if USES_MIMALLOC {
            unsafe { mimalloc::MiMalloc.alloc(layout) }
        } else {
            unsafe { System.alloc(layout) }
        };
        if !pointer.is_null() {
            self.count(layout.size(), 0);
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let pointer = if USES_MIMALLOC {
            unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
        } else {
            unsafe { System.alloc_zeroed(layout) }
        };
        if !pointer.is_null() {
            self.count(layout.size(), 0);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        if USES_MIMALLOC {
            unsafe { mimalloc::MiMalloc.dealloc(pointer, layout) }
        } else {
            unsafe { System.dealloc(pointer, layout) }
        }
        self.count(0, layout.size());
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = if USES_MIMALLOC {
            unsafe { mimalloc::MiMalloc.realloc(pointer, layout, new_size) }
        } else {
            unsafe { System.realloc(pointer, layout, new_size) }
        };
        if !moved.is_null() {
            self.count(new_size, layout.size());
        }
        moved
    }
}

fn live_bytes() -> usize {
    LIVE_BYTES.load(Ordering::Relaxed)
}

fn band(code: &str, price: &str) -> PriceBand {
    PriceBand {
        code: code.into(),
        price: Amount::parse(price).expect("a valid price"),
        currency: Currency::parse("GBP").expect("a valid currency"),
    }
}

fn block(from: u32, to: u32, price_band: &str) -> BlockSpec {
    BlockSpec::new(from, to, price_band)
}

/// A 2,000-seat theatre: stalls and circle, 20 rows each of 50 seats in three blocks
/// (12 | 26 | 12) split by two aisles, the centre block dearer.
fn theatre_spec() -> PlanSpec {
    let letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let section = |name: &str, centre: &str, sides: &str| SectionSpec {
        name: name.into(),
        rows: (0..20)
            .map(|row| RowSpec {
                row: letters[row..=row].into(),
                blocks: vec![
                    block(1, 12, sides),
                    block(13, 38, centre),
                    block(39, 50, sides),
                ],
                y: None,
            })
            .collect(),
    };
    PlanSpec {
        price_bands: vec![band("A", "85.00"), band("B", "65.00"), band("C", "45.00")],
        sections: vec![section("STALLS", "A", "B"), section("CIRCLE", "B", "C")],
        general_admission: Vec::new(),
    }
}

/// A 50,000-seat stadium: 250 rows of two 100-seat blocks, dearer towards the front. Row names
/// end in `-` so that `BOWL-R1-23` and `BOWL-R12-3` cannot be confused.
fn stadium_spec() -> PlanSpec {
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

fn plan(spec: PlanSpec) -> Arc<SeatingPlan> {
    Arc::new(SeatingPlan::build(spec, usize::MAX).expect("the fixture plan is valid"))
}

/// Takes `percent` of the seats, chosen by a seeded shuffle so they are spread over the plan,
/// in holds of up to four seats; `sold` sells each hold, otherwise it stays live.
fn take_spread(performance: &mut Performance, percent: u32, sold: bool, seed: u64) {
    let mut free: Vec<u32> = (0..performance.plan().seat_count())
        .filter(|&seat| performance.seat_status(seat) == SeatStatus::Free)
        .collect();
    let mut random = XorShift(seed);
    for index in (1..free.len()).rev() {
        free.swap(index, random.below(index as u32 + 1) as usize);
    }
    let count = performance.plan().seat_count() as usize * percent as usize / 100;
    let first = performance.holds().len();
    for (index, group) in free[..count.min(free.len())].chunks(4).enumerate() {
        let transaction = TransactionId(FIXTURE_TRANSACTIONS + (first + index) as u128);
        let mut seats = group.to_vec();
        seats.sort_unstable();
        performance.apply(&Change::HoldPlaced(hold(transaction, seats)));
        if sold {
            let sale = sale((first + index) as u64, group.len());
            performance.apply(&Change::HoldSold { transaction, sale });
        }
    }
}

fn sold_performance(spec: PlanSpec, percent: u32) -> Performance {
    let mut performance = Performance::new(info(), plan(spec));
    take_spread(&mut performance, percent, true, SEED);
    performance
}

/// True when the arguments ask for a quick check (`cargo test --benches`, `--list`) rather than
/// measurements, so the large fixtures shrink.
fn is_quick_run() -> bool {
    std::env::args().any(|argument| argument == "--test" || argument == "--list")
}

/// The stadium's on-sale journal and the performance it leaves, generated once per run.
fn journal() -> &'static (Performance, Vec<Change>) {
    static JOURNAL: OnceLock<(Performance, Vec<Change>)> = OnceLock::new();
    JOURNAL.get_or_init(|| {
        let records = if is_quick_run() {
            20_000
        } else {
            JOURNAL_RECORDS
        };
        let started = Instant::now();
        let journal = OnSale::generate(plan(stadium_spec()), records);
        println!(
            "generated {} journal records ({} holds, {} seats sold) in {:.2?}",
            journal.1.len(),
            journal.0.holds().len(),
            journal.0.counts().sold,
            started.elapsed()
        );
        journal
    })
}

/// The transaction a place-hold command opens, so one prepared command can be reused.
fn set_transaction(command: &mut Command, id: TransactionId) {
    if let Command::PlaceHold { transaction, .. } = command {
        *transaction = id;
    }
}

/// One place-hold command per pair of seats at an even offset of each block: on an empty
/// plan each is allowed under both rules, and holding them in order fills the plan.
fn pair_commands(plan: &SeatingPlan) -> Vec<Command> {
    let mut commands = Vec::new();
    for block in plan.blocks() {
        for seat in block.seats.clone().step_by(2) {
            let ids = vec![plan.seat_id(seat), plan.seat_id(seat + 1)];
            commands.push(Command::PlaceHold {
                transaction: TransactionId(0),
                owner: owner(),
                ip: "203.0.113.7".into(),
                selection: Selection::seats(ids),
                lock_until: None,
                access: Default::default(),
            });
        }
    }
    commands
}

/// The theatre's info with adult and child types in every band, a booking fee per ticket and
/// a handling fee per order.
fn priced_info(spec: &PlanSpec) -> PerformanceInfo {
    let amount = |text: &str| Amount::parse(text).expect("an amount");
    let prices = |scale: &str| {
        spec.price_bands
            .iter()
            .map(|band| (band.code.clone(), amount(scale)))
            .collect::<Vec<_>>()
    };
    let resolve = |code: &str, price: &str| {
        TicketType::resolve(code.into(), code.into(), prices(price), &spec.price_bands)
            .expect("a type")
    };
    PerformanceInfo {
        ticket_types: vec![resolve("ADULT", "60.00"), resolve("CHILD", "30.00")],
        fees: vec![
            Fee::new("booking".into(), Some(amount("1.50")), None).expect("a fee"),
            Fee::new("handling".into(), None, Some(amount("2.00"))).expect("a fee"),
        ],
        ..info()
    }
}

/// As [`pair_commands`], with the second seat of each pair a child's.
fn typed_pair_commands(plan: &SeatingPlan) -> Vec<Command> {
    let mut commands = pair_commands(plan);
    for command in &mut commands {
        if let Command::PlaceHold {
            selection: Selection::Seats(choices),
            ..
        } = command
        {
            choices[1] = SeatChoice {
                id: choices[1].id.clone(),
                ticket_type: Some("CHILD".into()),
            };
        }
    }
    commands
}

fn place(performance: &mut Performance, command: &Command) {
    let change = performance
        .decide(command, NOW)
        .expect("the pair is free and allowed")
        .expect("a hold changes the state");
    performance.apply(&change);
}

/// Holds and releases pairs in turn. Holds stay in the slab after they end, so a fresh copy
/// of the empty performance replaces it every 100,000 holds, outside the timed part.
fn hold_and_release(base: &Performance, commands: &mut [Command], iterations: u64) -> Duration {
    const RESET_EVERY: u64 = 100_000;
    let mut elapsed = Duration::ZERO;
    let mut done = 0;
    while done < iterations {
        let chunk = (iterations - done).min(RESET_EVERY);
        let mut performance = base.clone();
        let started = Instant::now();
        for index in 0..chunk {
            let command = &mut commands[(index % commands.len() as u64) as usize];
            let transaction = TransactionId(u128::from(index));
            set_transaction(command, transaction);
            place(&mut performance, command);
            let release = Command::ReleaseHold { transaction };
            let change = performance
                .decide(&release, NOW)
                .expect("a held transaction");
            performance.apply(&change.expect("a live hold is released"));
        }
        elapsed += started.elapsed();
        black_box(&performance);
        done += chunk;
    }
    elapsed
}

/// Holds pairs until the theatre is full, then starts again on a fresh copy (untimed).
fn hold_until_full(base: &Performance, commands: &mut [Command], iterations: u64) -> Duration {
    let mut elapsed = Duration::ZERO;
    let mut done = 0;
    while done < iterations {
        let chunk = (iterations - done).min(commands.len() as u64);
        let mut performance = base.clone();
        let started = Instant::now();
        for (index, command) in commands[..chunk as usize].iter_mut().enumerate() {
            set_transaction(command, TransactionId(index as u128));
            place(&mut performance, command);
        }
        elapsed += started.elapsed();
        black_box(&performance);
        done += chunk;
    }
    elapsed
}

fn specific_seats(c: &mut Criterion) {
    let base = Performance::new(info(), plan(theatre_spec()));
    let mut commands = pair_commands(base.plan());
    let mut group = c.benchmark_group("specific_seats");
    group.throughput(Throughput::Elements(1));
    group.bench_function("theatre_2000/hold_and_release_2", |b| {
        b.iter_custom(|iterations| hold_and_release(&base, &mut commands, iterations))
    });
    group.bench_function("theatre_2000/hold_2_until_full", |b| {
        b.iter_custom(|iterations| hold_until_full(&base, &mut commands, iterations))
    });
    // The same pairs at a performance with a price list, one seat of each a child's.
    let spec = theatre_spec();
    let typed_base = Performance::new(priced_info(&spec), plan(spec));
    let mut typed = typed_pair_commands(typed_base.plan());
    group.bench_function("theatre_2000/hold_and_release_2_typed", |b| {
        b.iter_custom(|iterations| hold_and_release(&typed_base, &mut typed, iterations))
    });
    // Pricing a held pair, as every answer with tickets does: per-ticket money and totals.
    let mut priced = typed_base.clone();
    set_transaction(&mut typed[0], TransactionId(1));
    place(&mut priced, &typed[0]);
    let hold = priced.hold(TransactionId(1)).expect("held").clone();
    group.bench_function("theatre_2000/price_a_typed_pair", |b| {
        b.iter(|| {
            black_box(transaction_totals(
                [(priced.info(), priced.plan(), black_box(&hold))],
                None,
            ))
        })
    });
    // The same with a discount code whose scope covers the child's seat only.
    let code = DiscountCode::new(
        "KIDS",
        Reduction::Percent(Amount::parse("12.5").expect("a percent")),
        None,
        None,
        Some(100),
        DiscountScope {
            ticket_types: vec!["CHILD".into()],
            ..DiscountScope::default()
        },
    )
    .expect("a code");
    group.bench_function("theatre_2000/price_a_typed_pair_with_a_code", |b| {
        b.iter(|| {
            black_box(transaction_totals(
                [(priced.info(), priced.plan(), black_box(&hold))],
                Some(&code),
            ))
        })
    });
    group.finish();
}

fn describe(outcome: &Result<Option<Change>, holdfast::domain::Rejection>) -> String {
    match outcome {
        Ok(Some(Change::HoldPlaced(hold))) => format!("seats {:?}", hold.seats),
        Ok(other) => format!("{other:?}"),
        Err(rejection) => format!("rejected: {}", rejection.code()),
    }
}

fn best_available_command(quantity: u32) -> Command {
    Command::PlaceHold {
        transaction: TransactionId(1),
        owner: owner(),
        ip: "203.0.113.7".into(),
        selection: Selection::BestAvailable {
            quantity,
            price_band: None,
            preferred: Vec::new(),
            ticket_type: None,
            filters: Default::default(),
        },
        lock_until: None,
        access: Default::default(),
    }
}

/// Sells seats the way an on-sale does: requests of 1 to 6 seats through best available,
/// each sold where it was placed, until `percent` of the seats are sold or nothing fits.
fn sell_best_first(performance: &mut Performance, percent: u32, seed: u64) {
    let target = performance.plan().seat_count() * percent / 100;
    let mut random = XorShift(seed);
    let mut order = 0;
    while performance.counts().sold < target {
        let mut command = best_available_command(1 + random.below(6));
        set_transaction(&mut command, TransactionId(FIXTURE_TRANSACTIONS + order));
        let placed = match performance.decide(&command, NOW) {
            Ok(Some(change)) => change,
            _ => {
                command = best_available_command(1);
                set_transaction(&mut command, TransactionId(FIXTURE_TRANSACTIONS + order));
                match performance.decide(&command, NOW) {
                    Ok(Some(change)) => change,
                    _ => break,
                }
            }
        };
        let Change::HoldPlaced(hold) = &placed else {
            unreachable!("a place-hold command places a hold")
        };
        let sold = Change::HoldSold {
            transaction: hold.transaction,
            sale: sale(order as u64, hold.seats.len()),
        };
        performance.apply(&placed);
        performance.apply(&sold);
        order += 1;
    }
}

/// The states best available is measured on: empty, 50% and 90% sold in scattered seats (the
/// most fragmented case), and 90% sold front to back through best available itself.
fn best_available_fixtures(spec: &PlanSpec) -> Vec<(&'static str, Performance)> {
    let mut best_first = Performance::new(info(), plan(spec.clone()));
    sell_best_first(&mut best_first, 90, SEED);
    vec![
        ("0pct_sold", sold_performance(spec.clone(), 0)),
        ("50pct_sold", sold_performance(spec.clone(), 50)),
        ("90pct_sold", sold_performance(spec.clone(), 90)),
        ("90pct_sold_best_first", best_first),
    ]
}

fn best_available(c: &mut Criterion) {
    let mut group = c.benchmark_group("best_available");
    group.throughput(Throughput::Elements(1));
    for (venue, spec) in [
        ("theatre_2000", theatre_spec()),
        ("stadium_50000", stadium_spec()),
    ] {
        for (state, performance) in best_available_fixtures(&spec) {
            for quantity in [2, 4, 8] {
                let command = best_available_command(quantity);
                let name = format!("{venue}/{state}");
                let outcome = describe(&performance.decide(&command, NOW));
                println!(
                    "best_available/{name}/{quantity}: {} sold; {outcome}",
                    performance.counts().sold
                );
                let id = BenchmarkId::new(name, quantity);
                group.bench_with_input(id, &command, |b, command| {
                    b.iter(|| performance.decide(black_box(command), NOW))
                });
            }
        }
    }
    group.finish();
}

/// A door scan at a stadium with 90% of its seats sold: deciding the first scan of a ticket
/// (a barcode look-up and the change) and applying it, and a second scan (look-up only).
fn scans(c: &mut Criterion) {
    let mut group = c.benchmark_group("scan");
    group.throughput(Throughput::Elements(1));
    let performance = sold_performance(stadium_spec(), 90);
    let barcodes: Vec<String> = performance
        .holds()
        .iter()
        .filter_map(|hold| hold.sale.as_ref())
        .flat_map(|sale| sale.barcodes.iter().cloned())
        .collect();
    println!("scan/stadium_50000: {} sold barcodes", barcodes.len());
    group.bench_function("stadium_50000/first_scan", |b| {
        // Every timed scan is a first one: a fresh copy for each pass over the barcodes.
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            let mut done = 0;
            while done < iterations {
                let mut fresh = performance.clone();
                let batch = (iterations - done).min(barcodes.len() as u64) as usize;
                let start = Instant::now();
                for barcode in &barcodes[..batch] {
                    let command = Command::ScanTicket {
                        barcode: barcode.clone(),
                    };
                    if let Ok(Some(change)) = fresh.decide(black_box(&command), NOW) {
                        fresh.apply(&change);
                    }
                }
                total += start.elapsed();
                done += batch as u64;
            }
            total
        })
    });
    let mut scanned = performance.clone();
    for barcode in &barcodes {
        let command = Command::ScanTicket {
            barcode: barcode.clone(),
        };
        if let Ok(Some(change)) = scanned.decide(&command, NOW) {
            scanned.apply(&change);
        }
    }
    group.bench_function("stadium_50000/second_scan", |b| {
        let mut next = 0;
        b.iter(|| {
            next += 1;
            scanned.find_barcode(black_box(&barcodes[next % barcodes.len()]))
        })
    });
    group.finish();
}

fn availability(c: &mut Criterion) {
    let performance = sold_performance(theatre_spec(), 50);
    println!(
        "availability: {} runs fit 2 seats",
        performance.free_runs(Some(2), None).len()
    );
    let mut group = c.benchmark_group("availability");
    group.throughput(Throughput::Elements(1));
    group.bench_function("theatre_2000/50pct_sold/free_runs_2", |b| {
        b.iter(|| performance.free_runs(black_box(Some(2)), None))
    });
    group.finish();
}

fn replay(c: &mut Criterion) {
    let (live, changes) = journal();
    let plan = live.shared_plan();
    let mut replayed = Performance::new(info(), Arc::clone(&plan));
    for change in changes {
        replayed.apply(change);
    }
    assert!(&replayed == live, "replay rebuilds the live state");
    drop(replayed);
    let mut group = c.benchmark_group("replay");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .throughput(Throughput::Elements(changes.len() as u64));
    group.bench_function(BenchmarkId::new("stadium_50000", changes.len()), |b| {
        b.iter_with_large_drop(|| {
            let mut performance = Performance::new(info(), Arc::clone(&plan));
            for change in changes {
                performance.apply(change);
            }
            performance
        })
    });
    group.finish();
}

/// Captures and encodes a snapshot as the store would, before it cuts it into chunks.
fn encode_snapshot(performance: &Performance) -> Vec<u8> {
    let snapshot = Snapshot {
        performance: performance.info().id.clone(),
        seq: performance.version(),
        at: NOW,
        state: performance.state(),
    };
    let header = Header {
        kind: Kind::SnapshotChunk,
        performance: performance.info().id.as_str().to_owned(),
        seq: snapshot.seq,
        at: NOW,
    };
    persistence::encode(&header, &snapshot).expect("a snapshot encodes")
}

fn decode_snapshot(bytes: &[u8], plan: &Arc<SeatingPlan>) -> Performance {
    let (_, snapshot): (Header, Snapshot) =
        persistence::decode(bytes, "snapshot").expect("the snapshot decodes");
    Performance::restore(info(), Arc::clone(plan), snapshot.state)
}

fn snapshot(c: &mut Criterion) {
    let mut on_sale = sold_performance(stadium_spec(), 80);
    take_spread(&mut on_sale, 10, false, SEED ^ 1);
    let after_journal = &journal().0;
    let mut group = c.benchmark_group("snapshot");
    group.sample_size(10);
    for (name, performance) in [
        ("stadium_on_sale", &on_sale),
        ("stadium_after_journal", after_journal),
    ] {
        let bytes = encode_snapshot(performance);
        let plan = performance.shared_plan();
        assert!(
            &decode_snapshot(&bytes, &plan) == performance,
            "restore is exact"
        );
        let counts = performance.counts();
        println!(
            "snapshot/{name}: {} holds, {} sold, {} held, {} bytes",
            performance.holds().len(),
            counts.sold,
            counts.held,
            bytes.len()
        );
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(format!("{name}/state_and_encode"), |b| {
            b.iter(|| encode_snapshot(black_box(performance)))
        });
        group.bench_function(format!("{name}/decode_and_restore"), |b| {
            b.iter_with_large_drop(|| decode_snapshot(black_box(&bytes), &plan))
        });
    }
    group.finish();
}

/// Live bytes by stage of building one performance.
struct Footprint {
    seats: usize,
    plan: usize,
    inventory: usize,
    sold_90: usize,
}

fn footprint(spec: fn() -> PlanSpec) -> Footprint {
    COUNTING.store(true, Ordering::SeqCst);
    let start = live_bytes();
    let plan = plan(spec());
    let after_plan = live_bytes();
    let mut performance = Box::new(Performance::new(info(), Arc::clone(&plan)));
    let after_inventory = live_bytes();
    take_spread(&mut performance, 90, true, SEED);
    let after_sales = live_bytes();
    COUNTING.store(false, Ordering::SeqCst);
    let footprint = Footprint {
        seats: plan.seat_count() as usize,
        plan: after_plan.wrapping_sub(start),
        inventory: after_inventory.wrapping_sub(after_plan),
        sold_90: after_sales.wrapping_sub(after_inventory),
    };
    drop(performance);
    footprint
}

/// Prints the measured heap bytes per seat of a plan and an empty inventory, and what selling
/// 90% of the seats in holds of four adds (the hold slab with orders and barcodes).
fn report_memory() {
    let allocator = if USES_MIMALLOC { "mimalloc" } else { "system" };
    println!("allocator: {allocator}");
    for (name, spec) in [
        ("theatre_2000", theatre_spec as fn() -> PlanSpec),
        ("stadium_50000", stadium_spec),
    ] {
        let f = footprint(spec);
        let per_seat = |bytes: usize| bytes as f64 / f.seats as f64;
        println!(
            "memory/{name}: {} seats; bytes per seat: plan {:.1} + inventory {:.1} = {:.1} \
             (target <= 64); selling 90% in holds of 4 adds {:.1} per seat",
            f.seats,
            per_seat(f.plan),
            per_seat(f.inventory),
            per_seat(f.plan + f.inventory),
            per_seat(f.sold_90),
        );
    }
}

criterion_group!(
    benches,
    specific_seats,
    best_available,
    scans,
    availability,
    replay,
    snapshot
);

fn main() {
    report_memory();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
