//! The actor that owns one performance: the only place its inventory changes.
//!
//! Each command handler reads the engine clock, expires due holds, asks the domain to decide,
//! applies the change in memory, hands it to the journal, and answers at once with the view
//! and a [`DurableTicket`]: the caller waits on the ticket until the journal thread reports
//! the change durable, so nothing is acknowledged before that. The actor never waits: it
//! decides later commands against the applied state, so no seat is given twice, while earlier
//! callers wait for their flush. Every answer, reads included, carries a ticket for everything
//! applied before it, so no client sees a state that a crash could take back. The journal
//! thread advances the durability watermark itself and wakes the waiting callers directly:
//! no task per write, and two fewer thread hops per request.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::{Actor, AsyncContext, Context, Handler};
use tokio::sync::watch;

use super::clock::EngineClock;
use super::error::EngineError;
use super::messages::{
    AvailabilityView, ChangeHoldbacks, DurableTicket, ExtendHold, GetAvailability, GetHold,
    GetPerformance, GetSeatMap, HoldView, PerformanceView, PlaceHold, ReleaseHold, Reply,
    SeatMapView, SellHold, Watermark,
};
use crate::domain::{
    Change, Command, Performance, PerformanceInfo, Rejection, Timestamp, TransactionId,
};
use crate::metrics::Metrics;
use crate::persistence::{Batch, DurableHook, Entry, IdempotencyRecord, Record, Snapshot, Store};

/// How often the actor looks for locks past their time; well under the promised second.
const EXPIRY_TICK: Duration = Duration::from_millis(200);

/// The owner of one performance's inventory.
pub struct PerformanceActor {
    performance: Performance,
    info: Arc<PerformanceInfo>,
    journal: Arc<dyn Store>,
    clock: EngineClock,
    metrics: Arc<Metrics>,
    /// The sequence number of the last entry appended.
    seq: u64,
    durable: watch::Sender<Watermark>,
    snapshots: SnapshotPolicy,
    entries_since_snapshot: u64,
    last_snapshot: Instant,
}

/// When an actor writes a snapshot of its performance.
#[derive(Clone, Copy, Debug)]
pub struct SnapshotPolicy {
    /// After this many journal entries.
    pub every_entries: u64,
    /// Or after this long with at least one new entry.
    pub every: Duration,
}

impl PerformanceActor {
    /// Wraps `performance`, whose journal already holds entries up to `seq`.
    pub fn new(
        performance: Performance,
        seq: u64,
        journal: Arc<dyn Store>,
        clock: EngineClock,
        metrics: Arc<Metrics>,
        snapshots: SnapshotPolicy,
    ) -> Self {
        Self {
            info: Arc::new(performance.info().clone()),
            performance,
            journal,
            clock,
            metrics,
            seq,
            durable: watch::Sender::new(Watermark { seq, failed: false }),
            snapshots,
            entries_since_snapshot: 0,
            last_snapshot: Instant::now(),
        }
    }

    /// Expires due holds, then decides and applies `command`; returns what the reply must wait
    /// for.
    fn execute(&mut self, command: &Command) -> Result<u64, Rejection> {
        self.execute_with(command, |_| Vec::new())
    }

    /// As [`Self::execute`], writing the records `records` makes from the change in the same
    /// atomic batch as the change.
    fn execute_with(
        &mut self,
        command: &Command,
        records: impl FnOnce(&Change) -> Vec<Record>,
    ) -> Result<u64, Rejection> {
        let now = self.clock.now();
        self.expire_due();
        if let Some(change) = self.performance.decide(command, now)? {
            let records = records(&change);
            self.record(change, now, records);
        }
        Ok(self.seq)
    }

    fn expire_due(&mut self) {
        let now = self.clock.now();
        if self.performance.next_expiry().is_none_or(|at| at > now) {
            return;
        }
        if let Ok(Some(change)) = self.performance.decide(&Command::ExpireHolds, now) {
            self.record(change, now, Vec::new());
        }
    }

    /// Applies `change` in memory and writes it, with `records`, to the store.
    fn record(&mut self, change: Change, at: Timestamp, records: Vec<Record>) {
        self.performance.apply(&change);
        self.metrics.record_change(&change);
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
        self.write(batch);
        if self.entries_since_snapshot >= self.snapshots.every_entries {
            self.snapshot(at);
        }
    }

    /// Writes a snapshot covering every entry so far.
    fn snapshot(&mut self, at: Timestamp) {
        self.entries_since_snapshot = 0;
        self.last_snapshot = Instant::now();
        let snapshot = Snapshot {
            performance: self.info.id.clone(),
            seq: self.seq,
            at,
            state: self.performance.state(),
        };
        self.write(Batch {
            snapshot: Some(snapshot),
            ..Batch::default()
        });
    }

    /// Hands `batch` to the store; the durability watermark advances when it is durable.
    /// Batches complete in the order written, so the watermark is the last entry's seq.
    fn write(&mut self, mut batch: Batch) {
        let seq = self.seq;
        let watermark = self.durable.clone();
        let performance = self.info.id.clone();
        batch.on_durable = Some(DurableHook::new(move |outcome| match outcome {
            Ok(()) => {
                watermark.send_if_modified(|mark| {
                    let advanced = mark.seq < seq;
                    mark.seq = mark.seq.max(seq);
                    advanced
                });
            }
            Err(error) => {
                tracing::error!(%performance, seq, %error, "journal write failed");
                watermark.send_modify(|mark| mark.failed = true);
            }
        }));
        // The hook reports durability; the returned signal is not needed here.
        drop(self.journal.write(batch));
    }

    /// Answers with `view` and the ticket for everything up to `seq` being durable.
    fn reply<T>(&self, seq: u64, view: Result<T, EngineError>) -> Reply<T> {
        view.map(|value| {
            let ticket = DurableTicket {
                watermark: self.durable.subscribe(),
                seq,
            };
            (value, ticket)
        })
    }

    fn hold_view(&self, transaction: TransactionId) -> Result<HoldView, EngineError> {
        let hold = self
            .performance
            .hold(transaction)
            .ok_or(Rejection::UnknownTransaction)?;
        Ok(HoldView {
            performance: Arc::clone(&self.info),
            plan: self.performance.shared_plan(),
            hold: hold.clone(),
        })
    }

    fn performance_view(&self) -> PerformanceView {
        PerformanceView {
            performance: Arc::clone(&self.info),
            plan: self.performance.shared_plan(),
            counts: self.performance.counts(),
            band_counts: self.performance.band_counts().to_vec(),
            pools: self.performance.pool_counts().to_vec(),
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
            .map_err(EngineError::from)
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
}

impl Actor for PerformanceActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        // Locks that fell due while the server was down are released before any request.
        self.expire_due();
        ctx.run_interval(EXPIRY_TICK, |actor, _| {
            actor.expire_due();
            if actor.entries_since_snapshot > 0
                && actor.last_snapshot.elapsed() >= actor.snapshots.every
            {
                let at = actor.clock.now();
                actor.snapshot(at);
            }
        });
    }
}

impl Handler<PlaceHold> for PerformanceActor {
    type Result = Reply<HoldView>;

    fn handle(&mut self, message: PlaceHold, _: &mut Context<Self>) -> Self::Result {
        let transaction = message.transaction;
        let command = Command::PlaceHold {
            transaction,
            owner: message.owner,
            ip: message.ip,
            selection: message.selection,
        };
        let performance = self.info.id.clone();
        let idempotency = message.idempotency;
        self.hold_command_with(transaction, command, move |change| {
            match (idempotency, change) {
                (Some(stub), Change::HoldPlaced(hold)) => {
                    let mut holds = stub.earlier_holds;
                    holds.push((performance, hold.clone()));
                    vec![Record::Idempotency(IdempotencyRecord {
                        client: stub.client,
                        key: stub.key,
                        fingerprint: stub.fingerprint,
                        transaction,
                        holds,
                    })]
                }
                _ => Vec::new(),
            }
        })
    }
}

impl Handler<ExtendHold> for PerformanceActor {
    type Result = Reply<HoldView>;

    fn handle(&mut self, message: ExtendHold, _: &mut Context<Self>) -> Self::Result {
        let transaction = message.transaction;
        self.hold_command(transaction, Command::ExtendHold { transaction })
    }
}

impl Handler<SellHold> for PerformanceActor {
    type Result = Reply<HoldView>;

    fn handle(&mut self, message: SellHold, _: &mut Context<Self>) -> Self::Result {
        let command = Command::SellHold {
            transaction: message.transaction,
            order_number: message.order.number,
            barcode_seed: message.barcode_seed,
        };
        let order = message.order;
        self.hold_command_with(message.transaction, command, move |_| {
            vec![Record::Order(order)]
        })
    }
}

impl Handler<ReleaseHold> for PerformanceActor {
    type Result = Reply<HoldView>;

    fn handle(&mut self, message: ReleaseHold, _: &mut Context<Self>) -> Self::Result {
        let transaction = message.transaction;
        self.hold_command(transaction, Command::ReleaseHold { transaction })
    }
}

impl Handler<GetHold> for PerformanceActor {
    type Result = Reply<HoldView>;

    fn handle(&mut self, message: GetHold, _: &mut Context<Self>) -> Self::Result {
        self.read(|actor| actor.hold_view(message.transaction))
    }
}

impl Handler<ChangeHoldbacks> for PerformanceActor {
    type Result = Reply<PerformanceView>;

    fn handle(&mut self, message: ChangeHoldbacks, _: &mut Context<Self>) -> Self::Result {
        let command = Command::ChangeHoldbacks {
            withhold: message.withhold,
            release: message.release,
        };
        match self.execute(&command) {
            Ok(seq) => self.reply(seq, Ok(self.performance_view())),
            Err(rejection) => self.reply(0, Err(rejection.into())),
        }
    }
}

impl Handler<GetPerformance> for PerformanceActor {
    type Result = Reply<PerformanceView>;

    fn handle(&mut self, _: GetPerformance, _: &mut Context<Self>) -> Self::Result {
        self.read(|actor| Ok(actor.performance_view()))
    }
}

impl Handler<GetSeatMap> for PerformanceActor {
    type Result = Reply<SeatMapView>;

    fn handle(&mut self, _: GetSeatMap, _: &mut Context<Self>) -> Self::Result {
        self.read(|actor| {
            Ok(SeatMapView {
                performance: Arc::clone(&actor.info),
                plan: actor.performance.shared_plan(),
                statuses: actor.performance.seat_statuses().to_vec(),
                version: actor.performance.version(),
            })
        })
    }
}

impl Handler<GetAvailability> for PerformanceActor {
    type Result = Reply<AvailabilityView>;

    fn handle(&mut self, message: GetAvailability, _: &mut Context<Self>) -> Self::Result {
        self.read(|actor| {
            let performance = &actor.performance;
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
                summary: actor.performance_view(),
                price_band,
                runs: performance.free_runs(message.quantity, price_band),
            })
        })
    }
}
