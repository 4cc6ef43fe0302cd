//! The messages a [`PerformanceActor`](super::PerformanceActor) answers: one struct per
//! request, named by its verb, and the views it answers with.

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use actix::Message;
use tokio::sync::oneshot;

use super::error::EngineError;
use crate::domain::{
    Access, AllocationCounts, ClientId, Command, Counts, DiscountCode, Explanation, Hold,
    OrderNumber, PerformanceId, PerformanceInfo, PlacesGivenUp, PoolCounts, PoolPlaces, SaleStatus,
    ScanVerdict, SeatStatus, SeatingPlan, Selection, Timestamp, TransactionId,
};
use crate::persistence::{OrderRecord, Record};

/// An answer with the ticket its caller must wait on before acknowledging anything.
pub type Reply<T> = Result<(T, DurableTicket), EngineError>;

/// How far the journal has made a performance durable, with the answers waiting for it.
///
/// The core registers a ticket per answer, in sequence order; the journal thread, as it makes
/// entries durable, completes exactly the tickets it covers, oldest first. Only those callers
/// wake: with a broadcast (a `watch` channel) every commit woke every waiter, and thousands of
/// waiting requests turned each commit into thousands of wake-ups.
#[derive(Debug)]
pub struct Watermark {
    state: Mutex<WatermarkState>,
}

#[derive(Debug)]
struct WatermarkState {
    /// The last entry known durable.
    seq: u64,
    /// True once a write failed: nothing more will become durable.
    failed: bool,
    /// Answers waiting, by the entry they depend on, in ascending order.
    waiting: VecDeque<(u64, oneshot::Sender<bool>)>,
}

impl Watermark {
    /// Starts with everything up to `seq` durable.
    pub fn new(seq: u64) -> Self {
        Self {
            state: Mutex::new(WatermarkState {
                seq,
                failed: false,
                waiting: VecDeque::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, WatermarkState> {
        // The state stays consistent through a panic (each change is one assignment or one
        // queue operation), so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Returns the ticket of an answer that depends on entries up to `seq`.
    pub fn ticket(&self, seq: u64) -> DurableTicket {
        let mut state = self.lock();
        if state.failed {
            return DurableTicket(Ticket::Settled(false));
        }
        if state.seq >= seq {
            return DurableTicket(Ticket::Settled(true));
        }
        let (sender, receiver) = oneshot::channel();
        state.waiting.push_back((seq, sender));
        DurableTicket(Ticket::Waiting(receiver))
    }

    /// Marks everything up to `seq` durable and completes the tickets it covers.
    pub fn advance(&self, seq: u64) {
        let mut state = self.lock();
        state.seq = state.seq.max(seq);
        while state.waiting.front().is_some_and(|(due, _)| *due <= seq) {
            if let Some((_, sender)) = state.waiting.pop_front() {
                // The caller may have stopped waiting; there is nobody to tell then.
                let _ = sender.send(true);
            }
        }
    }

    /// Marks the journal failed: every waiting and later ticket fails.
    pub fn fail(&self) {
        let mut state = self.lock();
        state.failed = true;
        for (_, sender) in state.waiting.drain(..) {
            let _ = sender.send(false);
        }
    }
}

/// A promise that everything an answer shows becomes durable.
#[derive(Debug)]
pub struct DurableTicket(Ticket);

#[derive(Debug)]
enum Ticket {
    /// Known at once: true when durable, false when the journal failed.
    Settled(bool),
    Waiting(oneshot::Receiver<bool>),
}

fn outcome(durable: bool) -> Result<(), EngineError> {
    if durable {
        Ok(())
    } else {
        Err(crate::persistence::StorageError::Stopped.into())
    }
}

impl DurableTicket {
    /// Waits until the journal has made everything the answer shows durable.
    ///
    /// # Errors
    /// `Storage` when a write failed, `Unavailable` when the performance is gone.
    pub async fn wait(self) -> Result<(), EngineError> {
        match self.0 {
            Ticket::Settled(durable) => outcome(durable),
            Ticket::Waiting(receiver) => {
                outcome(receiver.await.map_err(|_| EngineError::Unavailable)?)
            }
        }
    }

    /// Returns the outcome without waiting: `None` while the write is still in flight.
    pub fn settled(&mut self) -> Option<Result<(), EngineError>> {
        match &mut self.0 {
            Ticket::Settled(durable) => Some(outcome(*durable)),
            Ticket::Waiting(receiver) => match receiver.try_recv() {
                Ok(durable) => Some(outcome(durable)),
                Err(oneshot::error::TryRecvError::Empty) => None,
                Err(oneshot::error::TryRecvError::Closed) => Some(Err(EngineError::Unavailable)),
            },
        }
    }
}

/// Lock seats or places for a new transaction.
#[derive(Debug, Message)]
#[rtype(result = "Reply<HoldView>")]
pub struct PlaceHold {
    /// The new transaction.
    pub transaction: TransactionId,
    /// The client opening it.
    pub owner: ClientId,
    /// The caller's IP address.
    pub ip: String,
    /// What to hold.
    pub selection: Selection,
    /// The idempotency key to remember the answer under, in the same batch as the hold.
    pub idempotency: Option<IdempotencyStub>,
    /// Other records to write in the same batch as the hold (a transaction's metadata).
    pub records: Vec<Record>,
    /// When the lock ends, instead of now plus the hold time (a transaction gaining a
    /// performance keeps its lock).
    pub lock_until: Option<Timestamp>,
    /// Which allocations the caller may hold from.
    pub access: Access,
}

/// What a hold needs to write its request's idempotency record.
#[derive(Clone, Debug)]
pub struct IdempotencyStub {
    /// The client the key belongs to.
    pub client: ClientId,
    /// The key.
    pub key: String,
    /// A digest of the canonical request body.
    pub fingerprint: [u8; 32],
    /// The transaction's holds already placed at other performances.
    pub earlier_holds: Vec<(PerformanceId, Hold)>,
}

/// Check out: reset the lock to now + the hold time.
#[derive(Debug, Message)]
#[rtype(result = "Reply<HoldView>")]
pub struct ExtendHold {
    /// The transaction.
    pub transaction: TransactionId,
}

/// Sell every ticket of a hold.
#[derive(Debug, Message)]
#[rtype(result = "Reply<HoldView>")]
pub struct SellHold {
    /// The transaction.
    pub transaction: TransactionId,
    /// The order the sale belongs to.
    pub order_number: OrderNumber,
    /// The order's record, written in the same batch as the sale when the transaction has no
    /// other performance; `None` when the coordinator committed it before (the roll-forward of
    /// a prepared hold).
    pub order: Option<OrderRecord>,
    /// Randomness for the barcodes.
    pub barcode_seed: u64,
}

/// Prepare a hold for a completion over several performances: it stops expiring, and only
/// the coordinator ends it.
#[derive(Debug, Message)]
#[rtype(result = "Reply<HoldView>")]
pub struct PrepareHold {
    /// The transaction.
    pub transaction: TransactionId,
}

/// Refund sold tickets of a transaction (those not refunded yet); answers the sold hold.
#[derive(Debug, Message)]
#[rtype(result = "Reply<HoldView>")]
pub struct RefundTickets {
    /// The transaction.
    pub transaction: TransactionId,
    /// The tickets' indexes among the hold's barcodes.
    pub tickets: Vec<u32>,
    /// Withhold the seats rather than put them back on sale.
    pub withhold: bool,
}

/// Change a live hold: add, give up, or both; answers the hold as it was and as it is.
#[derive(Debug, Message)]
#[rtype(result = "Reply<ModifiedHold>")]
pub struct ModifyHold {
    /// The transaction.
    pub transaction: TransactionId,
    /// What to add.
    pub add: Vec<Selection>,
    /// Seat ids to give up.
    pub remove_seats: Vec<String>,
    /// Places to give up.
    pub remove_places: Vec<PlacesGivenUp>,
    /// Which allocations the caller may hold from.
    pub access: Access,
}

/// A hold before and after a change, so the change can be undone.
#[derive(Clone, Debug)]
pub struct ModifiedHold {
    /// The hold as it was.
    pub before: Hold,
    /// The hold as it is now.
    pub after: HoldView,
}

/// Put a live hold back to these seats and places (undoing a change).
#[derive(Debug, Message)]
#[rtype(result = "Reply<HoldView>")]
pub struct RestoreHold {
    /// The transaction.
    pub transaction: TransactionId,
    /// Seat indexes, ascending.
    pub seats: Vec<u32>,
    /// Places by pool, ascending.
    pub places: Vec<PoolPlaces>,
    /// Their ticket types, as [`Hold::ticket_types`].
    pub ticket_types: Vec<u8>,
}

/// Roll a prepared hold back to a checked-out lock (its completion did not commit).
#[derive(Debug, Message)]
#[rtype(result = "Reply<HoldView>")]
pub struct UnprepareHold {
    /// The transaction.
    pub transaction: TransactionId,
}

/// Release a hold's locks (a no-op on a sold, released or expired hold).
#[derive(Debug, Message)]
#[rtype(result = "Reply<HoldView>")]
pub struct ReleaseHold {
    /// The transaction.
    pub transaction: TransactionId,
}

/// Read a hold.
#[derive(Debug, Message)]
#[rtype(result = "Reply<HoldView>")]
pub struct GetHold {
    /// The transaction.
    pub transaction: TransactionId,
}

/// Read every sold hold of the performance, for reports.
#[derive(Debug, Message)]
#[rtype(result = "Reply<SoldHolds>")]
pub struct GetSoldHolds;

/// A performance's sold holds with what prices them.
#[derive(Clone, Debug)]
pub struct SoldHolds {
    /// The performance.
    pub performance: Arc<PerformanceInfo>,
    /// Its plan.
    pub plan: Arc<SeatingPlan>,
    /// Its sold holds, in the order placed.
    pub holds: Vec<Arc<Hold>>,
}

/// Scan a ticket's barcode at the door.
#[derive(Debug, Message)]
#[rtype(result = "Reply<ScanView>")]
pub struct ScanTicket {
    /// The barcode as read.
    pub barcode: String,
}

/// What a scan found, with the ticket's hold when the barcode is known.
#[derive(Clone, Debug)]
pub struct ScanView {
    /// Admitted, already scanned, or unknown.
    pub verdict: ScanVerdict,
    /// The sold hold the ticket belongs to.
    pub hold: Option<HoldView>,
    /// The discount code its order was priced with (filled in by the engine, which keeps
    /// orders; a performance answers `None`).
    pub discount: Option<Arc<DiscountCode>>,
}

/// Take seats and places off sale or put them back.
#[derive(Debug, Message)]
#[rtype(result = "Reply<PerformanceView>")]
pub struct ChangeHoldbacks {
    /// Seat ids to withhold.
    pub withhold: Vec<String>,
    /// Seat ids to put back on sale.
    pub release: Vec<String>,
    /// (pool code, quantity) of places to withhold.
    pub withhold_places: Vec<(String, u32)>,
    /// (pool code, quantity) of withheld places to put back on sale.
    pub release_places: Vec<(String, u32)>,
}

/// Change what a performance sells rather than a hold: a channel's allocation, or its sale
/// status. Only [`Command::Allocate`], [`Command::Deallocate`] and [`Command::SetStatus`].
#[derive(Debug, Message)]
#[rtype(result = "Reply<PerformanceView>")]
pub struct ManagePerformance {
    /// The command.
    pub command: Command,
}

/// Replace the performance's description (its time, hold time, rules or event), already
/// written durably by the engine.
#[derive(Debug, Message)]
#[rtype(result = "Reply<PerformanceView>")]
pub struct UpdateInfo {
    /// The new description; its id and plan-bound price list are the performance's own.
    pub info: PerformanceInfo,
}

/// Read the performance with its counts.
#[derive(Debug, Message)]
#[rtype(result = "Reply<PerformanceView>")]
pub struct GetPerformance;

/// Read every seat's status.
#[derive(Debug, Message)]
#[rtype(result = "Reply<SeatMapView>")]
pub struct GetSeatMap;

/// Read the free seat blocks.
#[derive(Debug, Message)]
#[rtype(result = "Reply<AvailabilityView>")]
pub struct GetAvailability {
    /// Only blocks that can seat this many under the rules, when given.
    pub quantity: Option<u32>,
    /// Only this price band, when given.
    pub price_band: Option<String>,
}

/// A hold as the actor last made it durable.
#[derive(Clone, Debug)]
pub struct HoldView {
    /// The performance.
    pub performance: Arc<PerformanceInfo>,
    /// Its plan, to render seats.
    pub plan: Arc<SeatingPlan>,
    /// The hold.
    pub hold: Hold,
    /// Why best available chose its seats, when it did (never stored: a replayed answer has
    /// none).
    pub explanation: Option<Arc<Explanation>>,
}

/// A performance with its counts.
#[derive(Clone, Debug)]
pub struct PerformanceView {
    /// The performance.
    pub performance: Arc<PerformanceInfo>,
    /// Its plan.
    pub plan: Arc<SeatingPlan>,
    /// Seat counts of the whole performance.
    pub counts: Counts,
    /// Seat counts by price band index.
    pub band_counts: Vec<Counts>,
    /// Place counters by pool index.
    pub pools: Vec<PoolCounts>,
    /// Places anybody may hold now, by pool index.
    pub pools_available: Vec<u32>,
    /// Withheld places by pool index.
    pub pools_withheld: Vec<u32>,
    /// Places kept for channels' allocations by pool index.
    pub pools_allocated: Vec<u32>,
    /// Whether it is selling.
    pub status: SaleStatus,
    /// Each channel's allocation with its counts.
    pub allocations: Vec<AllocationCounts>,
    /// Grows with every change.
    pub version: u64,
}

/// Every seat's status.
#[derive(Clone, Debug)]
pub struct SeatMapView {
    /// The performance.
    pub performance: Arc<PerformanceInfo>,
    /// Its plan.
    pub plan: Arc<SeatingPlan>,
    /// Status by seat index.
    pub statuses: Vec<SeatStatus>,
    /// Grows with every change.
    pub version: u64,
}

/// A new follower of a performance's live seat stream.
#[derive(Debug)]
pub struct SeatSubscription {
    /// Where it starts, and the live events.
    pub feed: super::FeedSubscription,
    /// The seat map to start from, when it does not resume.
    pub snapshot: Option<SeatMapView>,
    /// The performance's plan, to name the seats of later events.
    pub plan: Arc<SeatingPlan>,
    /// The feed, whose snapshot encoding followers share.
    pub source: Arc<super::SeatFeed>,
}

/// Follows a performance's seats: resumed after `since` when the feed still can, else from
/// a snapshot.
#[derive(Debug, Message)]
#[rtype(result = "Reply<SeatSubscription>")]
pub struct SubscribeSeats {
    /// The last version the client saw.
    pub since: Option<u64>,
}

/// The free seat blocks of a performance.
#[derive(Clone, Debug)]
pub struct AvailabilityView {
    /// The performance with its counts.
    pub summary: PerformanceView,
    /// The price band asked for, by index.
    pub price_band: Option<u16>,
    /// Maximal free runs: (block index, seat indexes), in plan order.
    pub runs: Vec<(u32, Range<u32>)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_completes_exactly_the_tickets_it_covers() {
        let watermark = Watermark::new(2);
        let mut read = watermark.ticket(2);
        let mut third = watermark.ticket(3);
        let mut fifth = watermark.ticket(5);
        assert!(matches!(read.settled(), Some(Ok(()))), "already durable");
        assert!(third.settled().is_none() && fifth.settled().is_none());
        watermark.advance(4);
        assert!(matches!(third.settled(), Some(Ok(()))));
        assert!(fifth.settled().is_none(), "entry 5 is not durable yet");
        watermark.advance(5);
        assert!(matches!(fifth.settled(), Some(Ok(()))));
    }

    #[test]
    fn a_failed_journal_fails_every_waiting_and_later_ticket() {
        let watermark = Watermark::new(0);
        let mut waiting = watermark.ticket(1);
        watermark.fail();
        assert!(matches!(
            waiting.settled(),
            Some(Err(EngineError::Storage(_)))
        ));
        assert!(matches!(
            watermark.ticket(0).settled(),
            Some(Err(EngineError::Storage(_)))
        ));
    }
}
