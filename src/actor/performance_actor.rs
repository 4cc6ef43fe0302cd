//! The actor that owns one performance: the only place its inventory changes.
//!
//! The actor is a thin shell around a [`PerformanceCore`]: it serves the core one message at a
//! time, so every decision about the performance's seats is serialized, and runs the timer
//! that releases locks past their time and writes snapshots by age. The reasoning about
//! durability (answer at once, acknowledge only after the journal reports) lives in the core.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::{Actor, AsyncContext, Context, Handler};

use super::clock::EngineClock;
use super::messages::{
    AvailabilityView, ChangeHoldbacks, ExtendHold, GetAvailability, GetHold, GetPerformance,
    GetSeatMap, GetSoldHolds, HoldView, ManagePerformance, ModifiedHold, ModifyHold,
    PerformanceView, PlaceHold, PrepareHold, RefundTickets, ReleaseHold, Reply, RestoreHold,
    ScanTicket, ScanView, SeatMapView, SeatSubscription, SellHold, SoldHolds, SubscribeSeats,
    UnprepareHold, UpdateInfo,
};
use super::performance_core::{ArchiveHook, BarcodeDirectory, PerformanceCore, Settlement};
use crate::domain::Performance;
use crate::metrics::Metrics;
use crate::persistence::Store;

/// How often the actor looks for locks past their time; well under the promised second.
const EXPIRY_TICK: Duration = Duration::from_millis(200);

/// The owner of one performance's inventory.
pub struct PerformanceActor {
    core: PerformanceCore,
    /// Prepared holds recovery decided, ended as the actor starts.
    settlements: Vec<Settlement>,
    snapshot_every: Duration,
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
        settlements: Vec<Settlement>,
    ) -> Self {
        Self {
            settlements,
            core: PerformanceCore::new(
                performance,
                seq,
                journal,
                clock,
                metrics,
                snapshots.every_entries,
            ),
            snapshot_every: snapshots.every,
            last_snapshot: Instant::now(),
        }
    }
}

impl PerformanceActor {
    /// Calls `hook` whenever holds this actor archived are durable.
    pub fn set_on_archived(&mut self, hook: ArchiveHook) {
        self.core.set_on_archived(hook);
    }

    /// Lists the performance's sold barcodes in `directory`, now and at every sale.
    pub fn set_barcode_directory(&mut self, directory: BarcodeDirectory) {
        self.core.set_barcode_directory(directory);
    }
}

impl Actor for PerformanceActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        // Interrupted completions end first, then locks that fell due while the server was down
        // are released, all before any request.
        self.core.settle(std::mem::take(&mut self.settlements));
        self.core.expire_due();
        ctx.run_interval(EXPIRY_TICK, |actor, _| {
            actor.core.expire_due();
            if actor.core.has_entries_since_snapshot()
                && actor.last_snapshot.elapsed() >= actor.snapshot_every
            {
                actor.last_snapshot = Instant::now();
                actor.core.snapshot_now();
            }
        });
    }
}

impl Handler<PlaceHold> for PerformanceActor {
    type Result = Reply<HoldView>;

    fn handle(&mut self, message: PlaceHold, _: &mut Context<Self>) -> Self::Result {
        self.core.place_hold(message)
    }
}

impl Handler<ExtendHold> for PerformanceActor {
    type Result = Reply<HoldView>;

    fn handle(&mut self, message: ExtendHold, _: &mut Context<Self>) -> Self::Result {
        self.core.extend_hold(message)
    }
}

impl Handler<SellHold> for PerformanceActor {
    type Result = Reply<HoldView>;

    fn handle(&mut self, message: SellHold, _: &mut Context<Self>) -> Self::Result {
        self.core.sell_hold(message)
    }
}

impl Handler<ModifyHold> for PerformanceActor {
    type Result = Reply<ModifiedHold>;

    fn handle(&mut self, message: ModifyHold, _: &mut Context<Self>) -> Self::Result {
        self.core.modify_hold(message)
    }
}

impl Handler<RestoreHold> for PerformanceActor {
    type Result = Reply<HoldView>;

    fn handle(&mut self, message: RestoreHold, _: &mut Context<Self>) -> Self::Result {
        self.core.restore_hold(message)
    }
}

impl Handler<PrepareHold> for PerformanceActor {
    type Result = Reply<HoldView>;

    fn handle(&mut self, message: PrepareHold, _: &mut Context<Self>) -> Self::Result {
        self.core.prepare_hold(message)
    }
}

impl Handler<RefundTickets> for PerformanceActor {
    type Result = Reply<HoldView>;

    fn handle(&mut self, message: RefundTickets, _: &mut Context<Self>) -> Self::Result {
        self.core.refund_tickets(message)
    }
}

impl Handler<UnprepareHold> for PerformanceActor {
    type Result = Reply<HoldView>;

    fn handle(&mut self, message: UnprepareHold, _: &mut Context<Self>) -> Self::Result {
        self.core.unprepare_hold(message)
    }
}

impl Handler<ReleaseHold> for PerformanceActor {
    type Result = Reply<HoldView>;

    fn handle(&mut self, message: ReleaseHold, _: &mut Context<Self>) -> Self::Result {
        self.core.release_hold(message)
    }
}

impl Handler<GetHold> for PerformanceActor {
    type Result = Reply<HoldView>;

    fn handle(&mut self, message: GetHold, _: &mut Context<Self>) -> Self::Result {
        self.core.get_hold(message)
    }
}

impl Handler<GetSoldHolds> for PerformanceActor {
    type Result = Reply<SoldHolds>;

    fn handle(&mut self, message: GetSoldHolds, _: &mut Context<Self>) -> Self::Result {
        self.core.get_sold_holds(message)
    }
}

impl Handler<ScanTicket> for PerformanceActor {
    type Result = Reply<ScanView>;

    fn handle(&mut self, message: ScanTicket, _: &mut Context<Self>) -> Self::Result {
        self.core.scan_ticket(message)
    }
}

impl Handler<ChangeHoldbacks> for PerformanceActor {
    type Result = Reply<PerformanceView>;

    fn handle(&mut self, message: ChangeHoldbacks, _: &mut Context<Self>) -> Self::Result {
        self.core.change_holdbacks(message)
    }
}

impl Handler<ManagePerformance> for PerformanceActor {
    type Result = Reply<PerformanceView>;

    fn handle(&mut self, message: ManagePerformance, _: &mut Context<Self>) -> Self::Result {
        self.core.manage(message)
    }
}

impl Handler<UpdateInfo> for PerformanceActor {
    type Result = Reply<PerformanceView>;

    fn handle(&mut self, message: UpdateInfo, _: &mut Context<Self>) -> Self::Result {
        self.core.update_info(message)
    }
}

impl Handler<GetPerformance> for PerformanceActor {
    type Result = Reply<PerformanceView>;

    fn handle(&mut self, _: GetPerformance, _: &mut Context<Self>) -> Self::Result {
        self.core.get_performance()
    }
}

impl Handler<GetSeatMap> for PerformanceActor {
    type Result = Reply<SeatMapView>;

    fn handle(&mut self, _: GetSeatMap, _: &mut Context<Self>) -> Self::Result {
        self.core.get_seat_map()
    }
}

impl Handler<GetAvailability> for PerformanceActor {
    type Result = Reply<AvailabilityView>;

    fn handle(&mut self, message: GetAvailability, _: &mut Context<Self>) -> Self::Result {
        self.core.get_availability(message)
    }
}

impl Handler<SubscribeSeats> for PerformanceActor {
    type Result = Reply<SeatSubscription>;

    fn handle(&mut self, message: SubscribeSeats, _: &mut Context<Self>) -> Self::Result {
        self.core.subscribe_seats(message.since)
    }
}
