//! The messages a [`PerformanceActor`](super::PerformanceActor) answers: one struct per
//! request, named by its verb, and the views it answers with.

use std::ops::Range;
use std::sync::Arc;

use actix::Message;

use super::error::EngineError;
use crate::domain::{
    ClientId, Counts, Hold, PerformanceId, PerformanceInfo, PoolCounts, SeatStatus, SeatingPlan,
    Selection, TransactionId,
};
use crate::persistence::OrderRecord;

/// An answer with the ticket its caller must wait on before acknowledging anything.
pub type Reply<T> = Result<(T, DurableTicket), EngineError>;

/// How far the journal has made a performance durable.
#[derive(Clone, Copy, Debug, Default)]
pub struct Watermark {
    /// The last entry known durable.
    pub seq: u64,
    /// True once a write failed: nothing more will become durable.
    pub failed: bool,
}

/// A promise that everything the answer shows becomes durable at `seq`.
#[derive(Debug)]
pub struct DurableTicket {
    /// The performance's durability watermark.
    pub watermark: tokio::sync::watch::Receiver<Watermark>,
    /// The entry the answer depends on.
    pub seq: u64,
}

impl DurableTicket {
    /// Waits until the journal has made everything up to `seq` durable.
    ///
    /// # Errors
    /// `Storage` when a write failed, `Unavailable` when the actor is gone.
    pub async fn wait(mut self) -> Result<(), EngineError> {
        let seq = self.seq;
        let mark = self
            .watermark
            .wait_for(|mark| mark.failed || mark.seq >= seq)
            .await
            .map_err(|_| EngineError::Unavailable)?;
        if mark.failed {
            return Err(crate::persistence::StorageError::Stopped.into());
        }
        Ok(())
    }

    /// Returns the outcome without waiting: `None` while the write is still in flight.
    pub fn settled(&self) -> Option<Result<(), EngineError>> {
        let mark = *self.watermark.borrow();
        if mark.failed {
            Some(Err(crate::persistence::StorageError::Stopped.into()))
        } else if mark.seq >= self.seq {
            Some(Ok(()))
        } else {
            None
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
    /// The order the sale belongs to, written in the same batch as the sale.
    pub order: OrderRecord,
    /// Randomness for the barcodes.
    pub barcode_seed: u64,
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

/// Take seats off sale or put them back.
#[derive(Debug, Message)]
#[rtype(result = "Reply<PerformanceView>")]
pub struct ChangeHoldbacks {
    /// Seat ids to withhold.
    pub withhold: Vec<String>,
    /// Seat ids to put back on sale.
    pub release: Vec<String>,
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
