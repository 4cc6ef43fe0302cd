//! One seeded run: a server (the performance cores, the idempotency table, order numbering)
//! over the simulated journal, simulated clients, the network between them, the wall clock,
//! and the reference model of what clients were told.
//!
//! The model changes only on acknowledged outcomes: a request whose answer never arrived may
//! have happened or not, so the transaction it touched becomes uncertain rather than assumed
//! either way.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use super::checks::{Known, Told, ToldHold, check_inventory, check_known};
use super::journal::{DurableLog, SimJournal};
use super::{Failure, Rng, Stats};
use crate::actor::Ending;
use crate::actor::{
    Before, ChangeStep, Modification, PlaceStep, Placement, Planned, check_changeable, plan_parts,
};
use crate::actor::{
    Begin, Caller, Claim, Completion, Coordinator, EngineClock, EngineError, HoldAction,
    IdempotencyStub, IdempotencyTable, ManualClock, Metadata, PerformanceCore, Route, Scope,
    SettleAction, Settlement, Step, rebuild,
};
use crate::actor::{DurableTicket, HoldView, Reply, messages as msg};
use crate::domain::test::plan_spec;
use crate::domain::{
    Access, Amount, ClientId, Command, Currency, Customer, EventId, EventInfo, Fee, Hold,
    HoldState, InvalidPlan, OrderNumber, Payment, Performance, PerformanceId, PerformanceInfo,
    PoolPlaces, Rejection, Rules, SaleStatus, ScanVerdict, SeatChoice, SeatStatus, SeatingPlan,
    Selection, TicketId, TicketType, Timestamp, TransactionId, place_count, quote,
};
use crate::metrics::Metrics;
use crate::persistence::{
    Batch, Durable, MemoryStore, OrderRecord, PerformanceRecord, Record, RecoveredPerformance,
    Store,
};

mod changes;
mod clients;
mod discounts;
mod node;
mod promises;
mod refunds;
mod server;
mod stream;
mod told;

use clients::{CHANNEL, Management};
use node::{definition, start};

/// 2026-11-01T00:00:00Z, the simulated wall clock's start.
const START: Timestamp = Timestamp(1_793_491_200_000);
/// How often the actor's timer looks for locks past their time.
const TICK_MILLIS: i64 = 200;
/// The promise: no lock outlives its time by more than this.
const EXPIRY_SLACK_MILLIS: i64 = 1_000;
const PERFORMANCES: usize = 2;
/// Seats of each performance: rows of blocks, small so that clients fight over them.
const ROWS: &[&[(u32, u32)]] = &[&[(1, 6), (7, 12)], &[(1, 5), (6, 10)], &[(1, 8)]];

/// What a client was told about one hold.
#[derive(Clone, Debug, PartialEq, Eq)]
struct HoldAnswer {
    transaction: TransactionId,
    performance: usize,
    seats: Vec<u32>,
    places: Vec<PoolPlaces>,
    expires_at: Timestamp,
    state: HoldState,
    order: Option<OrderNumber>,
    barcodes: Vec<String>,
    ticket_types: Vec<u8>,
}

impl HoldAnswer {
    /// What the client was told of this hold: where, which seats, of which types.
    fn told(&self) -> ToldHold {
        (
            self.performance,
            self.seats.clone(),
            self.ticket_types.clone(),
        )
    }

    fn of(performance: usize, hold: &Hold) -> Self {
        Self {
            transaction: hold.transaction,
            performance,
            seats: hold.seats.clone(),
            places: hold.places.clone(),
            expires_at: hold.expires_at,
            state: hold.state,
            order: hold.sale.as_ref().map(|sale| sale.order_number),
            barcodes: hold
                .sale
                .as_ref()
                .map(|sale| sale.barcodes.clone())
                .unwrap_or_default(),
            ticket_types: hold.ticket_types.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Answer {
    /// A transaction's holds, by performance.
    Transaction(Vec<HoldAnswer>),
    /// A completed transaction's order, with its sold holds.
    Order {
        number: OrderNumber,
        holds: Vec<HoldAnswer>,
    },
    Inventory {
        version: u64,
    },
    /// What a door scan found: admitted (the first scan), or not.
    Scan {
        admitted: bool,
    },
    /// A refund made: the tickets (performance, barcode index) it refunded.
    Refunded {
        order: OrderNumber,
        tickets: Vec<(usize, u32)>,
    },
}

/// The payment a simulated completion reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Paying {
    /// None.
    Nothing,
    /// What the transaction costs as its holds stand when the request is served (a client
    /// that read its basket before paying).
    Exact,
    /// A penny, less than any ticket costs: must be refused, with nothing sold.
    Short,
}

#[derive(Clone, Debug, Hash)]
enum Request {
    /// A barcode read at the door.
    Scan {
        barcode: String,
    },
    /// A new transaction: one part per performance (a basket when there are two).
    Hold {
        parts: Vec<(usize, SelectionKey)>,
        key: Option<String>,
    },
    Extend {
        transaction: TransactionId,
    },
    Complete {
        transaction: TransactionId,
        /// Which of the client's customers it names (0: none); clients almost always repeat
        /// the same one.
        customer: u8,
        /// What payment it reports.
        payment: Paying,
    },
    Release {
        transaction: TransactionId,
    },
    Read {
        transaction: TransactionId,
    },
    /// A `PATCH`: items to add (performance, selection) and seats to give up
    /// (performance, seat id).
    Change {
        transaction: TransactionId,
        add: Vec<(usize, SelectionKey)>,
        remove: Vec<(usize, String)>,
        /// A code to apply (`Some(None)` removes the one applied).
        discount: Option<Option<&'static str>>,
    },
    Holdbacks {
        performance: usize,
        withhold: Vec<String>,
        release: Vec<String>,
    },
    /// The box office manages a performance: the channel's allocation, holdbacks of places,
    /// or its sale status.
    Manage {
        performance: usize,
        management: Management,
    },
    /// A refund of an order's tickets (performance, barcode index), or all of them.
    Refund {
        order: OrderNumber,
        tickets: Option<Vec<(usize, u32)>>,
        withhold: bool,
    },
}

/// A ticket type a client asks for: none (the performance's first), one performance 0
/// declares (`CHILD` is not sold in band B, where its places are), or one nobody declares.
type TypeKey = Option<&'static str>;

/// A selection in a hashable form (the fingerprint of a hold request).
#[derive(Clone, Debug, Hash)]
enum SelectionKey {
    Seats(Vec<String>, TypeKey),
    Best(u32, TypeKey),
    Places(u32, TypeKey),
    /// Several items at one performance, decided as one hold.
    Items(Vec<SelectionKey>),
}

impl SelectionKey {
    fn selection(&self) -> Selection {
        match self {
            Self::Seats(seats, ticket_type) => Selection::Seats(
                seats
                    .iter()
                    .map(|id| SeatChoice {
                        id: id.clone(),
                        ticket_type: ticket_type.map(str::to_owned),
                    })
                    .collect(),
            ),
            Self::Best(quantity, ticket_type) => Selection::BestAvailable {
                quantity: *quantity,
                price_band: None,
                preferred: Vec::new(),
                ticket_type: ticket_type.map(str::to_owned),
                filters: Default::default(),
            },
            Self::Places(quantity, ticket_type) => Selection::GeneralAdmission {
                places: vec![("GA".into(), *quantity)],
                ticket_type: ticket_type.map(str::to_owned),
            },
            Self::Items(items) => Selection::Items(items.iter().map(Self::selection).collect()),
        }
    }
}

struct Envelope {
    id: u64,
    client: usize,
    request: Request,
}

/// What to do once an answer is durable, before it leaves the server.
enum AfterDurable {
    Nothing,
    Remember { scope: Scope, fingerprint: [u8; 32] },
}

struct Awaiting {
    id: u64,
    client: usize,
    answer: Answer,
    /// One per performance the answer shows; it leaves when all are durable.
    tickets: Vec<DurableTicket>,
    /// The first of them that failed.
    failure: Option<EngineError>,
    then: AfterDurable,
}

/// What a completion's current step waits for.
enum Pending {
    /// A performance's answer to become durable, with the hold it shows.
    Hold(DurableTicket, Box<HoldView>),
    /// The commit record's write.
    Commit(Durable),
}

/// A change in flight, driven by the coordinator's steps.
struct ChangeRun {
    change: Modification,
    step: Option<ChangeStep>,
    pending: Option<(Pending, Before)>,
    /// The request that began it.
    caller: (u64, usize),
    /// Who asked, to read the transaction for the answer.
    by: Caller,
}

/// A completion in flight, driven by the coordinator's steps.
struct Run {
    run: Completion,
    /// The step to carry out next, when nothing is pending.
    step: Option<Step>,
    pending: Option<Pending>,
    /// The requests that began it, answered when it finishes.
    callers: Vec<(u64, usize)>,
    /// The holds its sales answered.
    sold: Vec<HoldView>,
}

struct Response {
    id: u64,
    client: usize,
    outcome: Result<Answer, EngineError>,
}

struct Outstanding {
    id: u64,
    request: Request,
}

struct SimClient {
    id: ClientId,
    waiting: Option<Outstanding>,
    keys: u64,
}

/// What the cores' archive hooks report, as the engine's hook reports it to its coordinator.
type Archived = Arc<std::sync::Mutex<Vec<(PerformanceId, Vec<TransactionId>)>>>;

/// The server process: what `holdfast serve` keeps in memory.
struct Node {
    journal: Arc<SimJournal>,
    cores: Vec<PerformanceCore>,
    idempotency: IdempotencyTable<Answer>,
    /// The engine's coordinator: transactions, orders, completions.
    coordinator: Coordinator,
    /// Holds the cores archived durably, not yet told to the coordinator.
    archived: Archived,
    /// Completions in flight.
    runs: Vec<Run>,
    /// Changes in flight.
    changes: Vec<ChangeRun>,
    /// Refunds in flight.
    refunds: Vec<refunds::RefundRun>,
    /// Completes that joined a run in flight; they are served again once it ends.
    joined: Vec<Envelope>,
    /// One follower of each performance's seat stream, subscribed as the server started.
    followers: Vec<stream::Follower>,
}

/// One seeded run.
pub struct World {
    rng: Rng,
    wall: ManualClock,
    last_tick: Timestamp,
    disk: MemoryStore,
    log: DurableLog,
    metrics: Arc<Metrics>,
    definitions: Vec<PerformanceRecord>,
    snapshot_every_entries: u64,
    node: Node,
    /// The journal failed: the process stops (fail-stop) and restarts after this many steps.
    restart_in: Option<u32>,
    clients: Vec<SimClient>,
    network: Vec<Envelope>,
    awaiting: Vec<Awaiting>,
    outbox: Vec<Response>,
    known: BTreeMap<TransactionId, Known>,
    orders_told: BTreeMap<OrderNumber, TransactionId>,
    /// The order each completed transaction was told, to catch a second one.
    order_told_for: BTreeMap<TransactionId, OrderNumber>,
    /// Every barcode clients were told of, and whether a door was told it admits (once).
    barcodes_told: BTreeMap<String, bool>,
    /// Every ticket (performance, transaction, barcode index) whose refund was acknowledged.
    refunds_told: std::collections::BTreeSet<(usize, TransactionId, u32)>,
    /// Every transaction the server opened under each idempotency key (the simulation's
    /// observation, not the engine's state).
    opened_under: BTreeMap<Scope, Vec<(TransactionId, usize)>>,
    /// Every basket the server began to place, with its number of performances (the
    /// simulation's observation).
    baskets_begun: BTreeMap<TransactionId, usize>,
    next_id: u64,
    trace: DefaultHasher,
    stats: Stats,
}

/// The digest a keyed retry must match: the same request, byte for byte.
fn fingerprint(request: &Request) -> [u8; 32] {
    Sha256::digest(format!("{request:?}")).into()
}

impl World {
    /// Sets up the seed's world: its rules, clients and journal settings.
    pub fn new(seed: u64) -> Result<Self, Failure> {
        let mut rng = Rng::new(seed);
        let wall = ManualClock::new(START);
        let disk = MemoryStore::new();
        let log: DurableLog = Arc::new(Mutex::new(Vec::new()));
        let hold_seconds = [2, 5, 30, 180][rng.below(4)];
        let rules = Rules {
            contiguous_seats_only: rng.chance(50),
            no_single_seat_gaps: rng.chance(50),
            valid_quantities: if rng.chance(70) {
                vec![1, 2, 3, 4]
            } else {
                vec![2, 4]
            },
            max_hold_seconds: [10, 60, 1_800, 86_400][rng.below(4)],
            max_renewals: [0, 1, 5, 1_000][rng.below(4)],
        };
        let definitions: Vec<PerformanceRecord> = (0..PERFORMANCES)
            .map(|index| definition(index, hold_seconds, rules.clone()))
            .collect::<Result<_, _>>()?;
        let created = disk.write(Batch {
            records: definitions
                .iter()
                .cloned()
                .map(Record::Performance)
                .chain(
                    discounts::discount_codes()?
                        .into_iter()
                        .map(Record::DiscountCode),
                )
                .collect(),
            ..Batch::default()
        });
        drop(created);
        let clients = (0..2 + rng.below(7))
            .map(|index| {
                Ok(SimClient {
                    id: ClientId::parse(&format!("c{index}"))
                        .map_err(|error| Failure::new(error.to_string()))?,
                    waiting: None,
                    keys: 0,
                })
            })
            .collect::<Result<_, Failure>>()?;
        let snapshot_every_entries = 3 + rng.below(40) as u64;
        let metrics = Arc::new(Metrics::new());
        let node = start(&disk, &log, &wall, &metrics, snapshot_every_entries)?;
        Ok(Self {
            rng,
            wall,
            last_tick: START,
            disk,
            log,
            metrics,
            definitions,
            snapshot_every_entries,
            node,
            restart_in: None,
            clients,
            network: Vec::new(),
            awaiting: Vec::new(),
            outbox: Vec::new(),
            known: BTreeMap::new(),
            orders_told: BTreeMap::new(),
            order_told_for: BTreeMap::new(),
            barcodes_told: BTreeMap::new(),
            refunds_told: std::collections::BTreeSet::new(),
            opened_under: BTreeMap::new(),
            baskets_begun: BTreeMap::new(),
            next_id: 1,
            trace: DefaultHasher::new(),
            stats: Stats::default(),
        })
    }

    /// Runs `steps` steps, checking every promise after each; returns the trace digest.
    pub fn run(&mut self, steps: usize) -> Result<u64, Failure> {
        for step in 0..steps {
            self.step()
                .and_then(|()| self.check())
                .map_err(|Failure(why)| Failure::new(format!("step {step}: {why}")))?;
        }
        self.stats.steps += steps as u64;
        Ok(self.trace.finish())
    }

    /// Returns what the run did.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    fn note(&mut self, event: impl Hash) {
        event.hash(&mut self.trace);
    }

    fn step(&mut self) -> Result<(), Failure> {
        self.forget_archived();
        if let Some(left) = self.restart_in {
            if left == 0 {
                self.restart(Restart::AfterFailure)?;
            } else {
                self.restart_in = Some(left - 1);
            }
        }
        let roll = self.rng.below(1_000);
        match roll {
            0..300 => self.client_acts(),
            300..480 => self.deliver_request()?,
            480..550 => match self.rng.below(5) {
                0..2 => self.drive_run(),
                2..4 => self.drive_change(),
                _ => self.drive_refund(),
            },
            550..700 => {
                let count = 1 + self.rng.below(self.node.journal.pending().max(1));
                self.note(("flush", count));
                self.node.journal.flush(count);
                self.forget_archived();
            }
            700..820 => self.deliver_response()?,
            820..960 => self.move_clock(),
            960..990 => {
                let performance = self.rng.below(PERFORMANCES);
                self.note(("snapshot", performance));
                self.node.cores[performance].snapshot_now();
            }
            990..994 => self.restart(Restart::Crash)?,
            994..996 => self.restart(Restart::Graceful)?,
            _ => {
                if self.restart_in.is_none() {
                    let lands = self.rng.chance(50);
                    self.note(("io error", lands));
                    self.stats.io_errors += 1;
                    self.node.journal.fail(lands);
                    self.restart_in = Some(self.rng.below(6) as u32);
                }
            }
        }
        self.settle();
        Ok(())
    }

    // ---- The clock ----

    fn move_clock(&mut self) {
        let roll = self.rng.below(100);
        let millis = match roll {
            0..80 => self.rng.below(400) as i64,
            80..90 => 1_000 + self.rng.below(900_000) as i64,
            _ => -(1_000 + self.rng.below(600_000) as i64),
        };
        self.note(("clock", millis));
        self.wall.advance_millis(millis);
        let now = crate::actor::Clock::now(&self.wall);
        // The actor's timer fires every 200 ms of real time: after any jump, and whenever
        // 200 ms have passed since the last tick.
        if roll >= 80 || now.0 - self.last_tick.0 >= TICK_MILLIS || now < self.last_tick {
            self.last_tick = now;
            for core in &mut self.node.cores {
                core.expire_due();
            }
        }
    }

    // ---- Clients ----

    fn client_acts(&mut self) {
        let client = self.rng.below(self.clients.len());
        if self.clients[client].waiting.is_some() {
            if self.rng.chance(10) {
                self.give_up(client);
            }
            return;
        }
        let request = self.choose_request(client);
        self.send(client, request);
    }

    /// The client stops waiting; a keyed hold is retried with the same key, as a careful
    /// client does.
    fn give_up(&mut self, client: usize) {
        let Some(outstanding) = self.clients[client].waiting.take() else {
            return;
        };
        self.note(("give up", client, outstanding.id));
        self.stats.abandoned += 1;
        self.answer_lost(&outstanding.request);
        if matches!(&outstanding.request, Request::Hold { key: Some(_), .. }) && self.rng.chance(70)
        {
            self.stats.retries += 1;
            self.send(client, outstanding.request);
        }
    }

    /// A request's answer never arrived: what it touched may have changed.
    fn answer_lost(&mut self, request: &Request) {
        if let Some(known) = self.known_mut(request) {
            known.in_flight = known.in_flight.saturating_sub(1);
            known.uncertain = true;
        }
    }

    /// The transaction a release or completion touches.
    fn known_mut(&mut self, request: &Request) -> Option<&mut Known> {
        match request {
            Request::Release { transaction }
            | Request::Complete { transaction, .. }
            | Request::Change { transaction, .. } => self.known.get_mut(transaction),
            _ => None,
        }
    }

    fn send(&mut self, client: usize, request: Request) {
        let id = self.next_id;
        self.next_id += 1;
        self.note(("send", client, id, &request));
        if let Some(known) = self.known_mut(&request) {
            known.in_flight += 1;
        }
        self.network.push(Envelope {
            id,
            client,
            request: request.clone(),
        });
        self.clients[client].waiting = Some(Outstanding { id, request });
    }

    // ---- The network ----

    fn deliver_request(&mut self) -> Result<(), Failure> {
        if self.network.is_empty() {
            return Ok(());
        }
        let index = self.rng.below(self.network.len());
        // Networks duplicate: a copy may stay behind and arrive again later.
        let envelope = if self.rng.chance(8) {
            self.stats.duplicates += 1;
            let original = &self.network[index];
            let copy = Envelope {
                id: original.id,
                client: original.client,
                request: original.request.clone(),
            };
            // The copy may take effect after the client heard back from the original.
            if let Some(known) = self.known_mut(&copy.request) {
                known.uncertain = true;
            }
            copy
        } else {
            self.network.swap_remove(index)
        };
        self.note(("deliver", envelope.id));
        self.serve(envelope)
    }

    fn deliver_response(&mut self) -> Result<(), Failure> {
        if self.outbox.is_empty() {
            return Ok(());
        }
        let index = self.rng.below(self.outbox.len());
        let response = self.outbox.swap_remove(index);
        let client = &mut self.clients[response.client];
        let Some(outstanding) = client.waiting.take_if(|waiting| waiting.id == response.id) else {
            // Nobody waits for it any more: the client gave up, or it answers a duplicate.
            return Ok(());
        };
        self.note(("answer", response.id, format!("{:?}", response.outcome)));
        if let Some(known) = self.known_mut(&outstanding.request) {
            known.in_flight = known.in_flight.saturating_sub(1);
        }
        self.told(response.client, &outstanding.request, response.outcome)
    }

    // ---- Restarts ----

    /// Tells the coordinator what the cores archived durably, as the engine's hook does the
    /// moment the journal reports it.
    fn forget_archived(&mut self) {
        let reported = std::mem::take(
            &mut *self
                .node
                .archived
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for (performance, transactions) in reported {
            self.node
                .coordinator
                .forget_archived(&performance, &transactions);
        }
    }

    fn restart(&mut self, how: Restart) -> Result<(), Failure> {
        self.note(("restart", how as u8));
        match how {
            Restart::Crash => self.stats.crashes += 1,
            Restart::Graceful => {
                self.stats.graceful += 1;
                // SIGTERM: in-flight requests finish and the journal is flushed.
                let pending = self.node.journal.pending();
                self.node.journal.flush(pending);
                self.settle();
                while !self.outbox.is_empty() {
                    self.deliver_response()?;
                }
            }
            Restart::AfterFailure => self.stats.restarts_after_failure += 1,
        }
        let lost_nothing = self.node.journal.pending() == 0 && !self.node.journal.has_failed();
        let live: Vec<Performance> = self
            .node
            .cores
            .iter()
            .map(|core| core.performance().clone())
            .collect();
        // The process is gone: whatever was not durable is lost, and so are its connections.
        self.network.clear();
        self.awaiting.clear();
        self.outbox.clear();
        let waiting: Vec<Request> = self
            .clients
            .iter_mut()
            .filter_map(|client| client.waiting.take().map(|waiting| waiting.request))
            .collect();
        for request in &waiting {
            self.answer_lost(request);
        }
        self.restart_in = None;
        self.check_recovery(lost_nothing.then_some(&live))?;
        self.check_stream()?;
        self.node = start(
            &self.disk,
            &self.log,
            &self.wall,
            &self.metrics,
            self.snapshot_every_entries,
        )?;
        self.last_tick = crate::actor::Clock::now(&self.wall);
        self.check_orders()
    }
}

type Served = Result<(Answer, Vec<DurableTicket>, AfterDurable), EngineError>;

#[derive(Clone, Copy, Debug)]
enum Restart {
    Crash = 1,
    Graceful = 2,
    AfterFailure = 3,
}

/// Drops the tickets that have settled (a ticket reports its outcome once), keeping the
/// first failure; returns the outcome once none is left.
fn settled_all(
    tickets: &mut Vec<DurableTicket>,
    failure: &mut Option<EngineError>,
) -> Option<Result<(), EngineError>> {
    tickets.retain_mut(|ticket| match ticket.settled() {
        None => true,
        Some(outcome) => {
            if let Err(error) = outcome
                && failure.is_none()
            {
                *failure = Some(error);
            }
            false
        }
    });
    tickets
        .is_empty()
        .then(|| failure.take().map_or(Ok(()), Err))
}

/// The metadata a hold request carries: keyed holds name their key, as a shop's basket id.
fn metadata_of(request: &Request) -> Metadata {
    match request {
        Request::Hold { key: Some(key), .. } => Metadata::from([("basket".into(), key.clone())]),
        _ => Metadata::new(),
    }
}

/// The index of a simulated performance (`p0`, `p1`).
fn index_of(performance: &PerformanceId) -> Result<usize, EngineError> {
    performance
        .as_str()
        .strip_prefix('p')
        .and_then(|index| index.parse().ok())
        .filter(|&index| index < PERFORMANCES)
        .ok_or_else(|| EngineError::not_found("performance", performance))
}

/// The same refusal again, for every caller of a run (an engine error is not `Clone`).
fn replicate(error: &EngineError) -> EngineError {
    match error {
        EngineError::Rejected(rejection) => EngineError::Rejected(rejection.clone()),
        EngineError::PaymentMismatch(mismatch) => EngineError::PaymentMismatch(mismatch.clone()),
        EngineError::TransactionBusy { transaction } => EngineError::TransactionBusy {
            transaction: *transaction,
        },
        EngineError::CompletedDifferently { transaction } => EngineError::CompletedDifferently {
            transaction: *transaction,
        },
        EngineError::Storage(_) => EngineError::Storage(crate::persistence::StorageError::Stopped),
        EngineError::NotFound { what, id } => EngineError::NotFound {
            what,
            id: id.clone(),
        },
        _ => EngineError::Unavailable,
    }
}
