//! The owner of one performance's inventory, without the actor around it.
//!
//! Each command reads the engine clock, expires due holds, asks the domain to decide, applies
//! the change in memory, hands it to the journal, and answers at once with the view and a
//! [`DurableTicket`](super::DurableTicket): the caller waits on the ticket until the journal reports the change
//! durable, so nothing is acknowledged before that. The core never waits: it decides later
//! commands against the applied state, so no seat is given twice, while earlier callers wait
//! for their flush. Every answer, reads included, carries a ticket for everything applied
//! before it, so no client sees a state that a crash could take back. The journal advances
//! the durability watermark itself and wakes the waiting callers directly.
//!
//! Holds that end unsold leave the inventory at each snapshot ([`Performance::compact`]): they
//! are written to the store's archive in the snapshot's own batch, and the core keeps them
//! until that batch is durable. A command or read about such a transaction finds the hold
//! there and is decided as before ([`decide_ended`]). So memory and snapshots hold the live
//! and sold holds only, however many buyers came and went.
//!
//! [`PerformanceActor`](super::PerformanceActor) serves a core one message at a time; the
//! simulation drives the same core step by step with a journal it controls, so what it checks
//! is the code the server runs.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::clock::EngineClock;
use super::error::EngineError;
use super::messages::{
    AvailabilityView, ExtendHold, GetAvailability, GetHold, GetSoldHolds, HoldView, ModifiedHold,
    ModifyHold, PerformanceView, PlaceHold, PrepareHold, RefundTickets, ReleaseHold, Reply,
    RestoreHold, ScanTicket, ScanView, SeatMapView, SeatSubscription, SellHold, SoldHolds,
    UnprepareHold, Watermark,
};
use super::seat_feed::SeatFeed;

mod management;
use crate::domain::{
    Change, Command, Hold, HoldState, OrderNumber, Performance, PerformanceId, PerformanceInfo,
    Rejection, ScanVerdict, SeatingPlan, Selection, Timestamp, TransactionId, barcode_key,
    decide_ended,
};
use crate::metrics::Metrics;
use crate::persistence::{
    ArchivedHold, Batch, DurableHook, Entry, IdempotencyRecord, Record, RecoveredPerformance,
    Snapshot, StorageError, Store,
};

/// Told, on the journal's thread, which transactions' holds at a performance are durably
/// archived: whoever indexes transactions may forget them.
pub type ArchiveHook = Arc<dyn Fn(&PerformanceId, &[TransactionId]) + Send + Sync>;

/// Holds a snapshot took out of the inventory, kept until its batch is durable.
struct Archiving {
    /// The snapshot's number, counted from 1 by this core.
    generation: u64,
    holds: HashMap<TransactionId, Arc<Hold>>,
}

/// One performance's inventory, its journal and its durability watermark.
pub struct PerformanceCore {
    performance: Performance,
    info: Arc<PerformanceInfo>,
    journal: Arc<dyn Store>,
    clock: EngineClock,
    metrics: Arc<Metrics>,
    /// The sequence number of the last entry appended.
    seq: u64,
    durable: Arc<Watermark>,
    /// A snapshot is written after this many entries.
    snapshot_every_entries: u64,
    entries_since_snapshot: u64,
    /// Snapshots written by this core.
    generation: u64,
    /// The newest generation whose batch (with its archived holds) is durable.
    archived_through: Arc<AtomicU64>,
    archiving: Vec<Archiving>,
    on_archived: Option<ArchiveHook>,
    /// Where the engine finds a barcode's performance; told of every sale.
    barcodes: Option<BarcodeDirectory>,
    /// The live seat stream, told of every durable change to a seat.
    feed: Arc<SeatFeed>,
}

/// Every sold barcode's performance, shared by the cores (which add their sales) and the
/// engine (which routes a door scan by it).
pub type BarcodeDirectory = Arc<dashmap::DashMap<u64, PerformanceId>>;

/// A performance rebuilt from what start-up found: the newest valid snapshot with the journal
/// after it applied.
pub struct Rebuilt {
    /// The performance as of the last durable entry.
    pub performance: Performance,
    /// Its plan.
    pub plan: Arc<SeatingPlan>,
    /// The sequence number of the last entry applied.
    pub seq: u64,
    /// The latest engine time in its history, below which its clock must never read.
    pub floor: Timestamp,
    /// True when a snapshot was the starting point.
    pub from_snapshot: bool,
}

/// How recovery ends a hold that a stop interrupted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settlement {
    /// The transaction.
    pub transaction: TransactionId,
    /// What to do with its hold.
    pub action: SettleAction,
}

/// What recovery does with an interrupted hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SettleAction {
    /// A prepared hold whose order was committed: sell it.
    Sell {
        /// The order.
        order: OrderNumber,
        /// Randomness for the barcodes.
        barcode_seed: u64,
    },
    /// A prepared hold whose order was not: roll it back to a checked-out lock.
    RollBack,
    /// A hold of a basket that was never placed in full: release it.
    Release,
    /// A sold hold whose refund was recorded: refund these tickets (those not refunded yet).
    Refund {
        /// Barcode indexes.
        tickets: Vec<u32>,
        /// Withhold the seats.
        withhold: bool,
    },
}

/// Why a stored performance cannot be served.
#[derive(Debug)]
pub enum Unservable {
    /// The journal or snapshot is damaged; serving it would silently cut its history.
    Damaged(String),
    /// The stored plan no longer builds.
    BadPlan(String),
}

impl std::fmt::Display for Unservable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Damaged(reason) | Self::BadPlan(reason) => f.write_str(reason),
        }
    }
}

/// Rebuilds one performance from its snapshot and journal tail; the only recovery procedure,
/// used by the engine at start-up and by the simulation after every crash.
///
/// # Errors
/// [`Unservable`] when the history is damaged or the plan does not build.
pub fn rebuild(found: RecoveredPerformance) -> Result<Rebuilt, Unservable> {
    if let Some(error) = found.corruption {
        return Err(Unservable::Damaged(error.to_string()));
    }
    let plan = SeatingPlan::build(found.record.plan, usize::MAX)
        .map_err(|error| Unservable::BadPlan(error.to_string()))?;
    let plan = Arc::new(plan);
    let from_snapshot = found.snapshot.is_some();
    let (mut performance, mut seq, mut floor) = match found.snapshot {
        Some(snapshot) => (
            Performance::restore(found.record.info, Arc::clone(&plan), snapshot.state),
            snapshot.seq,
            snapshot.at,
        ),
        None => (
            Performance::new(found.record.info, Arc::clone(&plan)),
            0,
            Timestamp::default(),
        ),
    };
    for entry in &found.tail {
        performance.apply(&entry.change);
        seq = entry.seq;
        floor = floor.max(entry.at);
    }
    Ok(Rebuilt {
        performance,
        plan,
        seq,
        floor,
        from_snapshot,
    })
}

impl PerformanceCore {
    /// Wraps `performance`, whose journal already holds entries up to `seq`.
    pub fn new(
        performance: Performance,
        seq: u64,
        journal: Arc<dyn Store>,
        clock: EngineClock,
        metrics: Arc<Metrics>,
        snapshot_every_entries: u64,
    ) -> Self {
        let performance_version = performance.version();
        Self {
            info: Arc::new(performance.info().clone()),
            performance,
            journal,
            clock,
            metrics,
            seq,
            durable: Arc::new(Watermark::new(seq)),
            snapshot_every_entries,
            entries_since_snapshot: 0,
            generation: 0,
            archived_through: Arc::new(AtomicU64::new(0)),
            archiving: Vec::new(),
            on_archived: None,
            barcodes: None,
            feed: Arc::new(SeatFeed::new(performance_version)),
        }
    }

    /// Calls `hook` whenever holds this core archived are durable.
    pub fn set_on_archived(&mut self, hook: ArchiveHook) {
        self.on_archived = Some(hook);
    }

    /// Lists this performance's sold barcodes in `directory`, now and at every sale.
    pub fn set_barcode_directory(&mut self, directory: BarcodeDirectory) {
        for hold in self.performance.holds() {
            self.list_barcodes(&directory, hold);
        }
        self.barcodes = Some(directory);
    }

    fn list_barcodes(&self, directory: &BarcodeDirectory, hold: &Hold) {
        let barcodes = hold.sale.iter().flat_map(|sale| &sale.barcodes);
        for key in barcodes.filter_map(|barcode| barcode_key(barcode)) {
            directory.insert(key, self.info.id.clone());
        }
    }

    /// Finds the hold of `transaction` here, live, sold, or ended and archived.
    ///
    /// # Errors
    /// When the archive cannot be read.
    pub fn find_hold(&self, transaction: TransactionId) -> Result<Option<Arc<Hold>>, StorageError> {
        if let Some(hold) = self.performance.hold(transaction) {
            return Ok(Some(Arc::new(hold.clone())));
        }
        if let Some(hold) = self
            .archiving
            .iter()
            .find_map(|archiving| archiving.holds.get(&transaction))
        {
            return Ok(Some(Arc::clone(hold)));
        }
        Ok(self
            .journal
            .archived_holds(transaction)?
            .into_iter()
            .find(|archived| archived.performance == self.info.id)
            .map(|archived| archived.hold))
    }

    /// Drops the archived holds whose batch is durable: the store answers for them now.
    fn forget_archived(&mut self) {
        let through = self.archived_through.load(Ordering::Acquire);
        self.archiving
            .retain(|archiving| archiving.generation > through);
    }

    /// Decides `command` at `now`; a transaction that left the inventory is decided from its
    /// archived hold.
    fn decide(&self, command: &Command, now: Timestamp) -> Result<Option<Change>, EngineError> {
        match self.performance.decide(command, now) {
            Err(Rejection::UnknownTransaction) => {
                let archived = match command.transaction() {
                    Some(transaction) => self.find_hold(transaction)?,
                    None => None,
                };
                match archived {
                    Some(hold) => Ok(decide_ended(&hold, command)?),
                    None => Err(Rejection::UnknownTransaction.into()),
                }
            }
            outcome => Ok(outcome?),
        }
    }

    /// Returns the performance as applied (durable or not).
    pub fn performance(&self) -> &Performance {
        &self.performance
    }

    /// Returns the sequence number of the last entry appended.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Returns the engine time now.
    pub fn now(&mut self) -> Timestamp {
        self.clock.now()
    }

    /// Returns true when entries were appended since the last snapshot.
    pub fn has_entries_since_snapshot(&self) -> bool {
        self.entries_since_snapshot > 0
    }

    /// Ends prepared holds as recovery decided; runs before anything else when the core
    /// starts, so no prepared hold is ever seen expired or half sold.
    pub fn settle(&mut self, settlements: Vec<Settlement>) {
        let now = self.clock.now();
        for settlement in settlements {
            let transaction = settlement.transaction;
            let command = match settlement.action {
                SettleAction::Sell {
                    order,
                    barcode_seed,
                } => Command::SellHold {
                    transaction,
                    order_number: order,
                    barcode_seed,
                },
                SettleAction::RollBack => Command::UnprepareHold { transaction },
                SettleAction::Release => Command::ReleaseHold { transaction },
                SettleAction::Refund { tickets, withhold } => Command::RefundTickets {
                    transaction,
                    tickets,
                    withhold,
                },
            };
            match self.performance.decide(&command, now) {
                Ok(Some(change)) => self.record(change, now, Vec::new()),
                Ok(None) => {}
                Err(rejection) => {
                    tracing::error!(performance = %self.info.id, ?transaction, %rejection, "settling a prepared hold was refused");
                }
            }
        }
    }

    /// Releases every hold whose lock has run out.
    pub fn expire_due(&mut self) {
        let now = self.clock.now();
        if self.performance.next_expiry().is_none_or(|at| at > now) {
            return;
        }
        if let Ok(Some(change)) = self.performance.decide(&Command::ExpireHolds, now) {
            self.record(change, now, Vec::new());
        }
    }

    /// Writes a snapshot covering every entry so far.
    pub fn snapshot_now(&mut self) {
        let at = self.clock.now();
        self.snapshot(at);
    }

    /// Expires due holds, then decides and applies `command`; returns what the reply must wait
    /// for.
    fn execute(&mut self, command: &Command) -> Result<u64, EngineError> {
        self.execute_with(command, |_| Vec::new())
    }

    /// As [`Self::execute`], writing the records `records` makes from the change in the same
    /// atomic batch as the change.
    fn execute_with(
        &mut self,
        command: &Command,
        records: impl FnOnce(&Change) -> Vec<Record>,
    ) -> Result<u64, EngineError> {
        let now = self.clock.now();
        self.expire_due();
        if let Some(change) = self.decide(command, now)? {
            let records = records(&change);
            self.record(change, now, records);
        }
        Ok(self.seq)
    }

    /// Applies `change` in memory and writes it, with `records`, to the store.
    fn record(&mut self, change: Change, at: Timestamp, records: Vec<Record>) {
        let seats = self.performance.apply_reporting_seats(&change);
        let version = self.performance.version();
        self.metrics.record_change(&change);
        if let (Change::HoldSold { transaction, .. }, Some(directory)) = (&change, &self.barcodes)
            && let Some(hold) = self.performance.hold(*transaction)
        {
            self.list_barcodes(directory, hold);
        }
        self.seq += 1;
        self.entries_since_snapshot += 1;
        let batch = Batch {
            entries: vec![(
                self.info.id.clone(),
                Entry {
                    seq: self.seq,
                    at,
                    change,
                },
            )],
            records,
            snapshot: None,
            on_durable: None,
        };
        let feed = Arc::clone(&self.feed);
        self.write_then(batch, move || feed.publish(version, at, seats));
        if self.entries_since_snapshot >= self.snapshot_every_entries {
            self.snapshot(at);
        }
    }

    /// Takes the ended holds out of the inventory and writes a snapshot without them, with
    /// the holds archived in the same batch.
    fn snapshot(&mut self, at: Timestamp) {
        self.entries_since_snapshot = 0;
        self.generation += 1;
        self.forget_archived();
        let ended = self.performance.compact();
        let snapshot = Snapshot {
            performance: self.info.id.clone(),
            seq: self.seq,
            at,
            state: self.performance.state(),
        };
        let records = ended
            .iter()
            .map(|hold| {
                Record::Archived(ArchivedHold {
                    performance: self.info.id.clone(),
                    hold: Arc::clone(hold),
                })
            })
            .collect();
        let transactions: Vec<TransactionId> = ended.iter().map(|hold| hold.transaction).collect();
        if !ended.is_empty() {
            self.archiving.push(Archiving {
                generation: self.generation,
                holds: ended
                    .into_iter()
                    .map(|hold| (hold.transaction, hold))
                    .collect(),
            });
        }
        let generation = self.generation;
        let archived_through = Arc::clone(&self.archived_through);
        let on_archived = self.on_archived.clone();
        let performance = self.info.id.clone();
        self.write_then(
            Batch {
                snapshot: Some(snapshot),
                records,
                ..Batch::default()
            },
            move || {
                archived_through.fetch_max(generation, Ordering::AcqRel);
                if let Some(hook) = on_archived
                    && !transactions.is_empty()
                {
                    hook(&performance, &transactions);
                }
            },
        );
    }

    /// Hands `batch` to the store; the durability watermark advances when it is durable, and
    /// `durable` is called (on the journal's thread) then. Batches complete in the order
    /// written, so the watermark is the last entry's seq and `durable`s run in that order.
    fn write_then(&mut self, mut batch: Batch, durable: impl FnOnce() + Send + 'static) {
        let seq = self.seq;
        let watermark = Arc::clone(&self.durable);
        let performance = self.info.id.clone();
        batch.on_durable = Some(DurableHook::new(move |outcome| match outcome {
            Ok(()) => {
                durable();
                watermark.advance(seq);
            }
            Err(error) => {
                tracing::error!(%performance, seq, %error, "journal write failed");
                watermark.fail();
            }
        }));
        // The hook reports durability; the returned signal is not needed here.
        drop(self.journal.write(batch));
    }

    /// Answers with `view` and the ticket for everything up to `seq` being durable.
    fn reply<T>(&self, seq: u64, view: Result<T, EngineError>) -> Reply<T> {
        view.map(|value| (value, self.durable.ticket(seq)))
    }

    fn hold_view(&self, transaction: TransactionId) -> Result<HoldView, EngineError> {
        let hold = self
            .find_hold(transaction)?
            .ok_or(Rejection::UnknownTransaction)?;
        Ok(HoldView {
            performance: Arc::clone(&self.info),
            plan: self.performance.shared_plan(),
            hold: Arc::unwrap_or_clone(hold),
            explanation: None,
        })
    }

    fn performance_view(&self) -> PerformanceView {
        PerformanceView {
            performance: Arc::clone(&self.info),
            plan: self.performance.shared_plan(),
            counts: self.performance.counts(),
            band_counts: self.performance.band_counts().to_vec(),
            pools: self.performance.pool_counts().to_vec(),
            pools_available: (0..self.performance.plan().pools().len() as u16)
                .map(|pool| self.performance.pool_available(pool))
                .collect(),
            pools_withheld: self.performance.pools_withheld().to_vec(),
            pools_allocated: (0..self.performance.plan().pools().len() as u16)
                .map(|pool| self.performance.reserved_places(pool))
                .collect(),
            status: self.performance.sale_status(),
            allocations: self.performance.allocation_counts(),
            version: self.performance.version(),
        }
    }

    /// Runs a command on a hold and replies with the hold.
    fn hold_command(&mut self, transaction: TransactionId, command: Command) -> Reply<HoldView> {
        self.hold_command_with(transaction, command, |_| Vec::new())
    }

    /// As [`Self::hold_command`], writing `records` with the change.
    fn hold_command_with(
        &mut self,
        transaction: TransactionId,
        command: Command,
        records: impl FnOnce(&Change) -> Vec<Record>,
    ) -> Reply<HoldView> {
        let result = self
            .execute_with(&command, records)
            .and_then(|seq| Ok((seq, self.hold_view(transaction)?)));
        match result {
            Ok((seq, view)) => self.reply(seq, Ok(view)),
            Err(error) => self.reply(0, Err(error)),
        }
    }

    /// Expires due holds and replies to a read once what it shows is durable.
    fn read<T>(&mut self, view: impl FnOnce(&Self) -> Result<T, EngineError>) -> Reply<T> {
        self.expire_due();
        let view = view(self);
        self.reply(self.seq, view)
    }

    /// Locks seats or places for a new transaction; an idempotency record rides in the same
    /// batch as the hold.
    pub fn place_hold(&mut self, message: PlaceHold) -> Reply<HoldView> {
        let transaction = message.transaction;
        let best = match &message.selection {
            Selection::BestAvailable {
                price_band,
                ticket_type,
                filters,
                ..
            } => Some((price_band.clone(), ticket_type.clone(), filters.clone())),
            _ => None,
        };
        let command = Command::PlaceHold {
            transaction,
            owner: message.owner,
            ip: message.ip,
            selection: message.selection,
            lock_until: message.lock_until,
            access: message.access,
        };
        let performance = self.info.id.clone();
        let idempotency = message.idempotency;
        let mut records = message.records;
        let placed = self.hold_command_with(transaction, command, move |change| {
            if let (Some(stub), Some(hold)) = (idempotency, change.placed_hold()) {
                let mut holds = stub.earlier_holds;
                holds.push((performance, hold.clone()));
                records.push(Record::Idempotency(IdempotencyRecord {
                    client: stub.client,
                    key: stub.key,
                    fingerprint: stub.fingerprint,
                    transaction,
                    holds,
                }));
            }
            records
        });
        match (placed, best) {
            (Ok((mut view, durable)), Some((price_band, ticket_type, filters))) => {
                view.explanation = self
                    .performance
                    .explain_best(
                        price_band.as_deref(),
                        ticket_type.as_deref(),
                        &filters,
                        &view.hold.seats,
                    )
                    .map(Arc::new);
                Ok((view, durable))
            }
            (placed, _) => placed,
        }
    }

    /// Resets a hold's lock to now plus the hold time.
    pub fn extend_hold(&mut self, message: ExtendHold) -> Reply<HoldView> {
        let transaction = message.transaction;
        self.hold_command(transaction, Command::ExtendHold { transaction })
    }

    /// Sells a hold; an order given rides in the same batch as the sale.
    pub fn sell_hold(&mut self, message: SellHold) -> Reply<HoldView> {
        let command = Command::SellHold {
            transaction: message.transaction,
            order_number: message.order_number,
            barcode_seed: message.barcode_seed,
        };
        let order = message.order;
        self.hold_command_with(message.transaction, command, move |_| {
            order.map(Record::Order).into_iter().collect()
        })
    }

    /// Prepares a hold for a completion over several performances.
    pub fn prepare_hold(&mut self, message: PrepareHold) -> Reply<HoldView> {
        let transaction = message.transaction;
        self.hold_command(transaction, Command::PrepareHold { transaction })
    }

    /// Rolls a prepared hold back to a checked-out lock; a lock whose time passed while it was
    /// prepared is released at once.
    pub fn unprepare_hold(&mut self, message: UnprepareHold) -> Reply<HoldView> {
        let transaction = message.transaction;
        let reply = self.hold_command(transaction, Command::UnprepareHold { transaction });
        self.expire_due();
        reply
    }

    /// Refunds sold tickets: their seats go back on sale (or are withheld), their barcodes
    /// stop admitting.
    pub fn refund_tickets(&mut self, message: RefundTickets) -> Reply<HoldView> {
        let transaction = message.transaction;
        self.hold_command(
            transaction,
            Command::RefundTickets {
                transaction,
                tickets: message.tickets,
                withhold: message.withhold,
            },
        )
    }

    /// Releases a hold's locks.
    pub fn release_hold(&mut self, message: ReleaseHold) -> Reply<HoldView> {
        let transaction = message.transaction;
        self.hold_command(transaction, Command::ReleaseHold { transaction })
    }

    /// Changes a live hold; answers it as it was (to undo the change) and as it is.
    pub fn modify_hold(&mut self, message: ModifyHold) -> Reply<ModifiedHold> {
        let transaction = message.transaction;
        let before = match self.find_hold(transaction) {
            Ok(Some(hold)) => Arc::unwrap_or_clone(hold),
            Ok(None) => return self.reply(0, Err(Rejection::UnknownTransaction.into())),
            Err(error) => return self.reply(0, Err(error.into())),
        };
        let command = Command::ModifyHold {
            transaction,
            add: message.add,
            remove_seats: message.remove_seats,
            remove_places: message.remove_places,
            access: message.access,
        };
        self.hold_command(transaction, command)
            .map(|(after, ticket)| (ModifiedHold { before, after }, ticket))
    }

    /// Puts a live hold back to the seats and places it had.
    pub fn restore_hold(&mut self, message: RestoreHold) -> Reply<HoldView> {
        let transaction = message.transaction;
        let command = Command::RestoreHold {
            transaction,
            seats: message.seats,
            places: message.places,
            ticket_types: message.ticket_types,
        };
        self.hold_command(transaction, command)
    }

    /// Reads a hold.
    pub fn get_hold(&mut self, message: GetHold) -> Reply<HoldView> {
        self.expire_due();
        let view = self.hold_view(message.transaction);
        self.reply(self.seq, view)
    }

    /// Reads every sold hold (sold holds stay in the inventory; only unsold ones are
    /// archived).
    pub fn get_sold_holds(&mut self, _: GetSoldHolds) -> Reply<SoldHolds> {
        let holds = self
            .performance
            .holds()
            .iter()
            .filter(|hold| hold.state == HoldState::Sold)
            .cloned()
            .collect();
        let view = SoldHolds {
            performance: Arc::clone(&self.info),
            plan: self.performance.shared_plan(),
            holds,
        };
        self.reply(self.seq, Ok(view))
    }

    /// Scans a barcode at the door. The first scan of a sold ticket is written to the journal
    /// and admits once durable; a later scan answers when the first was. Nothing runs
    /// between the look-up and the write, so two scans of one ticket never both admit.
    pub fn scan_ticket(&mut self, message: ScanTicket) -> Reply<ScanView> {
        let (verdict, seq) = match self.performance.find_barcode(&message.barcode) {
            None => (ScanVerdict::Unknown, self.seq),
            Some((ticket, _)) if self.performance.is_refunded(ticket) => {
                let at = self.performance.refunded_at(ticket).unwrap_or_default();
                (ScanVerdict::Refunded { ticket, at }, self.seq)
            }
            Some((ticket, Some(at))) => (ScanVerdict::AlreadyScanned { ticket, at }, self.seq),
            Some((ticket, None)) => {
                let command = Command::ScanTicket {
                    barcode: message.barcode,
                };
                match self.execute(&command) {
                    Ok(seq) => {
                        let at = self.performance.scanned_at(ticket).unwrap_or_default();
                        (ScanVerdict::Admitted { ticket, at }, seq)
                    }
                    Err(error) => return self.reply(0, Err(error)),
                }
            }
        };
        let hold = match verdict {
            ScanVerdict::Unknown => None,
            ScanVerdict::Admitted { ticket, .. }
            | ScanVerdict::AlreadyScanned { ticket, .. }
            | ScanVerdict::Refunded { ticket, .. } => self.hold_view(ticket.transaction).ok(),
        };
        self.reply(
            seq,
            Ok(ScanView {
                verdict,
                hold,
                discount: None,
            }),
        )
    }

    /// Reads the performance with its counts.
    pub fn get_performance(&mut self) -> Reply<PerformanceView> {
        self.read(|core| Ok(core.performance_view()))
    }

    /// Reads every seat's status.
    pub fn get_seat_map(&mut self) -> Reply<SeatMapView> {
        self.read(|core| Ok(core.seat_map_view()))
    }

    /// Subscribes to the live seat stream from `since` (see [`SeatFeed::subscribe`]), with a
    /// snapshot of the seat map when the feed cannot resume from there; answered once what it
    /// shows is durable.
    pub fn subscribe_seats(&mut self, since: Option<u64>) -> Reply<SeatSubscription> {
        self.read(|core| {
            let feed = core.feed.subscribe(since, core.performance.version());
            let snapshot = match feed.start {
                super::FeedStart::Snapshot { .. } => Some(core.seat_map_view()),
                super::FeedStart::Resume(_) => None,
            };
            Ok(SeatSubscription {
                feed,
                snapshot,
                plan: core.performance.shared_plan(),
                source: Arc::clone(&core.feed),
            })
        })
    }

    /// Returns the feed of this performance's seat changes.
    pub fn seat_feed(&self) -> &Arc<SeatFeed> {
        &self.feed
    }

    fn seat_map_view(&self) -> SeatMapView {
        SeatMapView {
            performance: Arc::clone(&self.info),
            plan: self.performance.shared_plan(),
            statuses: self.performance.seat_statuses().to_vec(),
            version: self.performance.version(),
        }
    }

    /// Reads the free seat blocks.
    pub fn get_availability(&mut self, message: GetAvailability) -> Reply<AvailabilityView> {
        self.read(|core| {
            let performance = &core.performance;
            let price_band = match &message.price_band {
                Some(code) => Some(
                    performance
                        .plan()
                        .price_band_index(code)
                        .ok_or_else(|| Rejection::UnknownPriceBand { code: code.clone() })?,
                ),
                None => None,
            };
            Ok(AvailabilityView {
                summary: core.performance_view(),
                price_band,
                runs: performance.free_runs(message.quantity, price_band),
            })
        })
    }
}
