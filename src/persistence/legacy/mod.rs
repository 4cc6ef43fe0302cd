//! The payload layouts of older format versions, and how each becomes today's type.
//!
//! bincode numbers fields and variants by position, so a field added to a stored type changes
//! the layout: the envelope's format version says which layout a record has, and the decoder
//! ([`codec::decode_evolving`](super::codec::decode_evolving)) reads an older one into the
//! type here, then converts it. Only the types whose layout changed have an old twin; types
//! that merely contain one (an idempotency answer holds holds) have one too.
//!
//! The rule for changing the format: add fields at the end of a struct and variants at the end
//! of an enum, bump `FORMAT_VERSION`, copy the previous layout here as `...V{n}` with a `From`
//! into today's type (filling the new fields with what old data meant), and commit the new
//! version's fixture (`format_tests`). Never change an old twin.
//!
//! Each stored type says, by its [`Layout`] implementation below, the first version with its
//! current layout and the twin to read older records as; the decoder follows that chain as far
//! back as a record needs. A new variant at the end of an enum, or a new record kind, changes
//! no existing layout: old records decode as they are, and `SINCE` stays.
//!
//! - Version 1 (until the baskets work): `Rules` had no hold caps (`max_hold_seconds`,
//!   `max_renewals`) and `Hold` no `renewals`; version 2 adds them. Old holds count as never
//!   checked out and old performances take the default caps.
//! - Version 3 (payments): `OrderRecord` gains `payment`; older orders were completed
//!   without one.
//! - Version 4 (door scans): `PerformanceState` (in snapshots) gains `scans`; nothing was
//!   scanned before. `Change` gains `TicketScanned` at its end.
//! - Version 5 (ticket types and fees): `Hold` gains `ticket_types` (so every record holding
//!   holds changes: `Change`, `IdempotencyRecord`, `Snapshot`, `ArchivedHold`),
//!   `Change::HoldModified` gains `ticket_types`, and `PerformanceInfo` gains `ticket_types`
//!   and `fees`. Older holds sold the one type there was; older performances declared none.
//!   Their twins are in `v4`.
//! - Version 6 (discount codes and refunds): `OrderRecord` gains `discount_code` and
//!   `discount_uses`, `TransactionRecord` gains `discount_code`, `PerformanceState` (in
//!   snapshots) gains `refunds`, `Change` gains `TicketsRefunded` at its end, and `Record`
//!   gains kinds of their own for discount codes and refunds. Older orders and transactions
//!   had no code, and nothing was refunded. Their twins are in `v5`.
//! - Version 7 (seat geometry): `RowSpec` gains `y`, `BlockSpec` gains `x`, `step` and
//!   `attributes`, so `PerformanceRecord` changes. Older plans are laid out from plan order
//!   and no seat had an attribute. The twins are in `v6`; the older performance twins hold the
//!   old plan too.
//! - Version 8 (organizers, channels and allocations): `PerformanceState` (in snapshots)
//!   gains `allocations`, `hold_channels`, `pool_withheld` and `status`; `ClientRecord` gains
//!   `events`, `channel` and `created_by`; `Change` gains `HoldPlacedInChannel`,
//!   `HoldbacksChangedWithPlaces`, `AllocationAdded`, `AllocationRemoved` and `StatusChanged`
//!   at its end. Older performances had no allocation, withheld no place and were on sale;
//!   older clients acted on every event through no channel. The twins are in `v7`.
//! - Version 9 (group commit as one value): a new record kind, `EntryGroup`, holds the
//!   consecutive journal entries of one performance that one write gathered (see
//!   `journal_values`). No payload layout changed and no twin was needed: single entries of
//!   older versions are read as they are, beside groups.

mod v4;
mod v5;
mod v6;
mod v7;

use std::sync::Arc;

use serde::Deserialize;

pub use v4::{ArchivedHoldV4, ChangeV4, IdempotencyRecordV4, PerformanceRecordV4, SnapshotV4};
use v4::{HoldV4, PerformanceInfoV4, PerformanceStateV4};
pub use v5::{OrderRecordV5, SnapshotV5, TransactionRecordV5};
pub use v6::{PerformanceRecordV6, PlanSpecV6};
pub use v7::{ClientRecordV7, SnapshotV7};

use super::codec::Layout;
use super::records::{
    AnswerRecord, ArchivedHold, BasketRecord, ClientRecord, DiscountCodeRecord, IdempotencyRecord,
    OrderRecord, PerformanceRecord, RefundRecord, Snapshot, TransactionRecord,
};
use crate::domain::{
    Change, ClientId, EventInfo, HoldState, MAX_HOLD_SECONDS_DEFAULT, MAX_RENEWALS_DEFAULT,
    OrderNumber, PerformanceId, PoolPlaces, Rules, Sale, SeatRequestStatus, Timestamp,
    TransactionId,
};

/// `Hold` in format 1: without `renewals`.
#[derive(Deserialize)]
pub struct HoldV1 {
    transaction: TransactionId,
    owner: ClientId,
    ip: String,
    seats: Vec<u32>,
    places: Vec<PoolPlaces>,
    created_at: Timestamp,
    expires_at: Timestamp,
    state: HoldState,
    seat_request_status: SeatRequestStatus,
    sale: Option<Sale>,
}

impl From<HoldV1> for HoldV4 {
    fn from(old: HoldV1) -> Self {
        Self {
            transaction: old.transaction,
            owner: old.owner,
            ip: old.ip,
            seats: old.seats,
            places: old.places,
            created_at: old.created_at,
            expires_at: old.expires_at,
            state: old.state,
            seat_request_status: old.seat_request_status,
            sale: old.sale,
            renewals: 0,
        }
    }
}

/// `Change` in format 1: the six kinds of then, a placed hold in its old layout.
#[derive(Deserialize)]
pub enum ChangeV1 {
    /// See [`Change::HoldPlaced`].
    HoldPlaced(HoldV1),
    /// See [`Change::HoldExtended`].
    HoldExtended {
        /// The transaction.
        transaction: TransactionId,
        /// The new end of the lock.
        expires_at: Timestamp,
    },
    /// See [`Change::HoldSold`].
    HoldSold {
        /// The transaction.
        transaction: TransactionId,
        /// The order and barcodes.
        sale: Sale,
    },
    /// See [`Change::HoldReleased`].
    HoldReleased {
        /// The transaction.
        transaction: TransactionId,
    },
    /// See [`Change::HoldsExpired`].
    HoldsExpired {
        /// The transactions.
        transactions: Vec<TransactionId>,
    },
    /// See [`Change::HoldbacksChanged`].
    HoldbacksChanged {
        /// Withheld seats.
        withheld: Vec<u32>,
        /// Seats back on sale.
        returned: Vec<u32>,
    },
}

impl From<ChangeV1> for ChangeV4 {
    fn from(old: ChangeV1) -> Self {
        match old {
            ChangeV1::HoldPlaced(hold) => Self::HoldPlaced(hold.into()),
            ChangeV1::HoldExtended {
                transaction,
                expires_at,
            } => Self::HoldExtended {
                transaction,
                expires_at,
            },
            ChangeV1::HoldSold { transaction, sale } => Self::HoldSold { transaction, sale },
            ChangeV1::HoldReleased { transaction } => Self::HoldReleased { transaction },
            ChangeV1::HoldsExpired { transactions } => Self::HoldsExpired { transactions },
            ChangeV1::HoldbacksChanged { withheld, returned } => {
                Self::HoldbacksChanged { withheld, returned }
            }
        }
    }
}

/// `Rules` in format 1: without the hold caps.
#[derive(Deserialize)]
struct RulesV1 {
    contiguous_seats_only: bool,
    no_single_seat_gaps: bool,
    valid_quantities: Vec<u32>,
}

/// `PerformanceInfo` in format 1.
#[derive(Deserialize)]
struct PerformanceInfoV1 {
    id: PerformanceId,
    event: EventInfo,
    starts_at: Timestamp,
    hold_seconds: u32,
    rules: RulesV1,
}

/// `PerformanceRecord` in format 1.
#[derive(Deserialize)]
pub struct PerformanceRecordV1 {
    info: PerformanceInfoV1,
    plan: PlanSpecV6,
}

impl From<PerformanceRecordV1> for PerformanceRecordV4 {
    fn from(old: PerformanceRecordV1) -> Self {
        let info = old.info;
        Self {
            info: PerformanceInfoV4 {
                id: info.id,
                event: info.event,
                starts_at: info.starts_at,
                hold_seconds: info.hold_seconds,
                rules: Rules {
                    contiguous_seats_only: info.rules.contiguous_seats_only,
                    no_single_seat_gaps: info.rules.no_single_seat_gaps,
                    valid_quantities: info.rules.valid_quantities,
                    max_hold_seconds: MAX_HOLD_SECONDS_DEFAULT,
                    max_renewals: MAX_RENEWALS_DEFAULT,
                },
            },
            plan: old.plan,
        }
    }
}

/// `IdempotencyRecord` in format 1: its holds in their old layout.
#[derive(Deserialize)]
pub struct IdempotencyRecordV1 {
    client: ClientId,
    key: String,
    fingerprint: [u8; 32],
    transaction: TransactionId,
    holds: Vec<(PerformanceId, HoldV1)>,
}

impl From<IdempotencyRecordV1> for IdempotencyRecordV4 {
    fn from(old: IdempotencyRecordV1) -> Self {
        Self {
            client: old.client,
            key: old.key,
            fingerprint: old.fingerprint,
            transaction: old.transaction,
            holds: old
                .holds
                .into_iter()
                .map(|(performance, hold)| (performance, hold.into()))
                .collect(),
        }
    }
}

/// `PerformanceState` in format 1.
#[derive(Deserialize)]
struct PerformanceStateV1 {
    holds: Vec<HoldV1>,
    withheld: Vec<u32>,
    version: u64,
}

/// `PerformanceState` in formats 2 and 3: without scans.
#[derive(Deserialize)]
struct PerformanceStateV3 {
    holds: Vec<Arc<HoldV4>>,
    withheld: Vec<u32>,
    version: u64,
}

/// `Snapshot` in formats 2 and 3: nothing was scanned yet.
#[derive(Deserialize)]
pub struct SnapshotV3 {
    performance: PerformanceId,
    seq: u64,
    at: Timestamp,
    state: PerformanceStateV3,
}

impl From<SnapshotV3> for SnapshotV4 {
    fn from(old: SnapshotV3) -> Self {
        Self {
            performance: old.performance,
            seq: old.seq,
            at: old.at,
            state: PerformanceStateV4 {
                holds: old.state.holds,
                withheld: old.state.withheld,
                version: old.state.version,
                scans: Vec::new(),
            },
        }
    }
}

/// `Snapshot` in format 1: its holds in their old layout.
#[derive(Deserialize)]
pub struct SnapshotV1 {
    performance: PerformanceId,
    seq: u64,
    at: Timestamp,
    state: PerformanceStateV1,
}

impl From<SnapshotV1> for SnapshotV3 {
    fn from(old: SnapshotV1) -> Self {
        Self {
            performance: old.performance,
            seq: old.seq,
            at: old.at,
            state: PerformanceStateV3 {
                holds: old
                    .state
                    .holds
                    .into_iter()
                    .map(|hold| Arc::new(hold.into()))
                    .collect(),
                withheld: old.state.withheld,
                version: old.state.version,
            },
        }
    }
}

/// `OrderRecord` in formats 1 and 2: without `payment`.
#[derive(Deserialize)]
pub struct OrderRecordV2 {
    number: OrderNumber,
    transaction: TransactionId,
    performances: Vec<PerformanceId>,
    client: ClientId,
    customer_name: String,
    customer_email: String,
    created_at: Timestamp,
}

impl From<OrderRecordV2> for OrderRecordV5 {
    fn from(old: OrderRecordV2) -> Self {
        Self {
            number: old.number,
            transaction: old.transaction,
            performances: old.performances,
            client: old.client,
            customer_name: old.customer_name,
            customer_email: old.customer_email,
            created_at: old.created_at,
            payment: None,
        }
    }
}

/// Declares the first format version of a stored type's current layout and the twin that
/// older records are read as.
macro_rules! layout {
    ($($stored:ty: since $since:literal, older $older:ty;)*) => {
        $(impl Layout for $stored {
            const SINCE: u16 = $since;
            type Older = $older;
        })*
    };
}

layout! {
    // Changed in format 8.
    Snapshot: since 8, older SnapshotV7;
    ClientRecord: since 8, older ClientRecordV7;
    // Changed in format 7.
    PerformanceRecord: since 7, older PerformanceRecordV6;
    // Changed in format 6.
    OrderRecord: since 6, older OrderRecordV5;
    TransactionRecord: since 6, older TransactionRecordV5;
    SnapshotV7: since 6, older SnapshotV5;
    // Changed in format 5.
    Change: since 5, older ChangeV4;
    PerformanceRecordV6: since 5, older PerformanceRecordV4;
    IdempotencyRecord: since 5, older IdempotencyRecordV4;
    SnapshotV5: since 5, older SnapshotV4;
    ArchivedHold: since 5, older ArchivedHoldV4;
    // Changed in format 2.
    ChangeV4: since 2, older ChangeV1;
    PerformanceRecordV4: since 2, older PerformanceRecordV1;
    IdempotencyRecordV4: since 2, older IdempotencyRecordV1;
    SnapshotV3: since 2, older SnapshotV1;
    // Changed in format 3.
    OrderRecordV5: since 3, older OrderRecordV2;
    // Changed in format 4.
    SnapshotV4: since 4, older SnapshotV3;
    // The old layouts, each the first of its chain (archived holds began in format 2).
    ArchivedHoldV4: since 2, older ArchivedHoldV4;
    ChangeV1: since 1, older ChangeV1;
    PerformanceRecordV1: since 1, older PerformanceRecordV1;
    IdempotencyRecordV1: since 1, older IdempotencyRecordV1;
    SnapshotV1: since 1, older SnapshotV1;
    OrderRecordV2: since 1, older OrderRecordV2;
    // Never changed.
    ClientRecordV7: since 1, older ClientRecordV7;
    TransactionRecordV5: since 1, older TransactionRecordV5;
    DiscountCodeRecord: since 6, older DiscountCodeRecord;
    RefundRecord: since 6, older RefundRecord;
    AnswerRecord: since 1, older AnswerRecord;
    BasketRecord: since 1, older BasketRecord;
}
