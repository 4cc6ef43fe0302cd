//! The layouts of formats 2 to 4 that format 5 (ticket types and fees) changed: a hold
//! without `ticket_types`, and every record that holds one; a performance without a price
//! list. Each converts into today's type as what it meant: every ticket of the one type there
//! was, no fees.

use std::sync::Arc;

use serde::Deserialize;

use super::v5::{PerformanceStateV5, SnapshotV5};
use super::v6::{PerformanceRecordV6, PlanSpecV6};
use crate::domain::{
    Change, ClientId, EventInfo, Hold, HoldState, PerformanceId, PerformanceInfo, PoolPlaces,
    Rules, Sale, SeatRequestStatus, TicketRef, Timestamp, TransactionId,
};
use crate::persistence::records::{ArchivedHold, IdempotencyRecord};

/// `Hold` in formats 2 to 4: without `ticket_types`.
#[derive(Clone, Deserialize)]
pub struct HoldV4 {
    pub(super) transaction: TransactionId,
    pub(super) owner: ClientId,
    pub(super) ip: String,
    pub(super) seats: Vec<u32>,
    pub(super) places: Vec<PoolPlaces>,
    pub(super) created_at: Timestamp,
    pub(super) expires_at: Timestamp,
    pub(super) state: HoldState,
    pub(super) seat_request_status: SeatRequestStatus,
    pub(super) sale: Option<Sale>,
    pub(super) renewals: u32,
}

impl From<HoldV4> for Hold {
    fn from(old: HoldV4) -> Self {
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
            renewals: old.renewals,
            ticket_types: Vec::new(),
        }
    }
}

/// Today's `Arc<Hold>` from a format-4 one.
fn hold_of(old: Arc<HoldV4>) -> Arc<Hold> {
    Arc::new(Arc::unwrap_or_clone(old).into())
}

/// `Change` in formats 2 to 4: holds without types, and a modification without them.
#[derive(Deserialize)]
pub enum ChangeV4 {
    /// See [`Change::HoldPlaced`].
    HoldPlaced(HoldV4),
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
    /// See [`Change::HoldPrepared`].
    HoldPrepared {
        /// The transaction.
        transaction: TransactionId,
    },
    /// See [`Change::HoldUnprepared`].
    HoldUnprepared {
        /// The transaction.
        transaction: TransactionId,
    },
    /// See [`Change::HoldModified`].
    HoldModified {
        /// The transaction.
        transaction: TransactionId,
        /// Its seats.
        seats: Vec<u32>,
        /// Its places.
        places: Vec<PoolPlaces>,
    },
    /// See [`Change::TicketScanned`].
    TicketScanned {
        /// The transaction.
        transaction: TransactionId,
        /// The ticket's barcode index.
        index: u32,
        /// When.
        at: Timestamp,
    },
}

impl From<ChangeV4> for Change {
    fn from(old: ChangeV4) -> Self {
        match old {
            ChangeV4::HoldPlaced(hold) => Self::HoldPlaced(hold.into()),
            ChangeV4::HoldExtended {
                transaction,
                expires_at,
            } => Self::HoldExtended {
                transaction,
                expires_at,
            },
            ChangeV4::HoldSold { transaction, sale } => Self::HoldSold { transaction, sale },
            ChangeV4::HoldReleased { transaction } => Self::HoldReleased { transaction },
            ChangeV4::HoldsExpired { transactions } => Self::HoldsExpired { transactions },
            ChangeV4::HoldbacksChanged { withheld, returned } => {
                Self::HoldbacksChanged { withheld, returned }
            }
            ChangeV4::HoldPrepared { transaction } => Self::HoldPrepared { transaction },
            ChangeV4::HoldUnprepared { transaction } => Self::HoldUnprepared { transaction },
            ChangeV4::HoldModified {
                transaction,
                seats,
                places,
            } => Self::HoldModified {
                transaction,
                seats,
                places,
                ticket_types: Vec::new(),
            },
            ChangeV4::TicketScanned {
                transaction,
                index,
                at,
            } => Self::TicketScanned {
                transaction,
                index,
                at,
            },
        }
    }
}

/// `PerformanceInfo` in formats 2 to 4: no ticket types, no fees.
#[derive(Deserialize)]
pub struct PerformanceInfoV4 {
    pub(super) id: PerformanceId,
    pub(super) event: EventInfo,
    pub(super) starts_at: Timestamp,
    pub(super) hold_seconds: u32,
    pub(super) rules: Rules,
}

/// `PerformanceRecord` in formats 2 to 4.
#[derive(Deserialize)]
pub struct PerformanceRecordV4 {
    pub(super) info: PerformanceInfoV4,
    pub(super) plan: PlanSpecV6,
}

impl From<PerformanceRecordV4> for PerformanceRecordV6 {
    fn from(old: PerformanceRecordV4) -> Self {
        let info = old.info;
        Self {
            info: PerformanceInfo {
                id: info.id,
                event: info.event,
                starts_at: info.starts_at,
                hold_seconds: info.hold_seconds,
                rules: info.rules,
                ticket_types: Vec::new(),
                fees: Vec::new(),
            },
            plan: old.plan,
        }
    }
}

/// `IdempotencyRecord` in formats 2 to 4: its holds without types.
#[derive(Deserialize)]
pub struct IdempotencyRecordV4 {
    pub(super) client: ClientId,
    pub(super) key: String,
    pub(super) fingerprint: [u8; 32],
    pub(super) transaction: TransactionId,
    pub(super) holds: Vec<(PerformanceId, HoldV4)>,
}

impl From<IdempotencyRecordV4> for IdempotencyRecord {
    fn from(old: IdempotencyRecordV4) -> Self {
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

/// `PerformanceState` in format 4: holds without types.
#[derive(Deserialize)]
pub struct PerformanceStateV4 {
    pub(super) holds: Vec<Arc<HoldV4>>,
    pub(super) withheld: Vec<u32>,
    pub(super) version: u64,
    pub(super) scans: Vec<(TicketRef, Timestamp)>,
}

/// `Snapshot` in format 4.
#[derive(Deserialize)]
pub struct SnapshotV4 {
    pub(super) performance: PerformanceId,
    pub(super) seq: u64,
    pub(super) at: Timestamp,
    pub(super) state: PerformanceStateV4,
}

impl From<SnapshotV4> for SnapshotV5 {
    fn from(old: SnapshotV4) -> Self {
        Self {
            performance: old.performance,
            seq: old.seq,
            at: old.at,
            state: PerformanceStateV5 {
                holds: old.state.holds.into_iter().map(hold_of).collect(),
                withheld: old.state.withheld,
                version: old.state.version,
                scans: old.state.scans,
            },
        }
    }
}

/// `ArchivedHold` in formats 2 to 4.
#[derive(Deserialize)]
pub struct ArchivedHoldV4 {
    performance: PerformanceId,
    hold: Arc<HoldV4>,
}

impl From<ArchivedHoldV4> for ArchivedHold {
    fn from(old: ArchivedHoldV4) -> Self {
        Self {
            performance: old.performance,
            hold: hold_of(old.hold),
        }
    }
}
