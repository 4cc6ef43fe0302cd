//! Changes: accepted outcomes, the payload of the write-ahead log. Each names exactly what it
//! does (seat indexes, absolute times, barcodes), so applying it needs no decision and
//! replaying the same changes rebuilds the same state.

use serde::{Deserialize, Serialize};

use super::hold::{Hold, PoolPlaces, Sale};
use super::ids::{Timestamp, TransactionId};
use super::sale_status::SaleStatus;

/// An accepted change to one performance's inventory.
///
/// Variants are only ever appended: changes are stored (bincode numbers variants in order).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    /// A new hold locks its seats and places.
    HoldPlaced(Hold),
    /// A hold was checked out; its lock now ends at `expires_at`.
    HoldExtended {
        /// The transaction.
        transaction: TransactionId,
        /// The new end of the lock.
        expires_at: Timestamp,
    },
    /// A hold was sold.
    HoldSold {
        /// The transaction.
        transaction: TransactionId,
        /// The order and barcodes.
        sale: Sale,
    },
    /// A hold was released by its client.
    HoldReleased {
        /// The transaction.
        transaction: TransactionId,
    },
    /// Holds whose locks passed their time were released.
    HoldsExpired {
        /// The transactions, in expiry order.
        transactions: Vec<TransactionId>,
    },
    /// Seats were taken off sale or put back.
    HoldbacksChanged {
        /// Seat indexes now withheld (they were free).
        withheld: Vec<u32>,
        /// Seat indexes back on sale (they were withheld).
        returned: Vec<u32>,
    },
    /// A hold was prepared for a completion over several performances: it stops expiring.
    HoldPrepared {
        /// The transaction.
        transaction: TransactionId,
    },
    /// A prepared hold was rolled back: it is checked out again, with its old expiry.
    HoldUnprepared {
        /// The transaction.
        transaction: TransactionId,
    },
    /// A live hold now has these seats and places (its expiry is kept).
    HoldModified {
        /// The transaction.
        transaction: TransactionId,
        /// Its seat indexes, ascending.
        seats: Vec<u32>,
        /// Its places by pool, ascending.
        places: Vec<PoolPlaces>,
        /// Their ticket types, as [`Hold::ticket_types`].
        ticket_types: Vec<u8>,
    },
    /// A sold ticket was scanned at the door for the first time.
    TicketScanned {
        /// The transaction that bought it.
        transaction: TransactionId,
        /// Its index among the hold's barcodes.
        index: u32,
        /// When.
        at: Timestamp,
    },
    /// Sold tickets were refunded: their seats are free again (withheld, when `withhold`),
    /// their places back in their pools, their barcodes no longer admit.
    TicketsRefunded {
        /// The transaction that bought them.
        transaction: TransactionId,
        /// Their indexes among the hold's barcodes, ascending, none refunded before.
        tickets: Vec<u32>,
        /// True when the seats are taken off sale rather than put back on it.
        withhold: bool,
        /// When.
        at: Timestamp,
    },
    /// A new hold of a channel's client locks its seats and places; its places count
    /// against the channel's quotas first (format 8 on).
    HoldPlacedInChannel {
        /// The hold.
        hold: Hold,
        /// The channel.
        channel: String,
    },
    /// Seats and places were taken off sale or put back (format 8 on; seats alone are
    /// still [`Change::HoldbacksChanged`]).
    HoldbacksChangedWithPlaces {
        /// Seat indexes now withheld (they were free).
        withheld: Vec<u32>,
        /// Seat indexes back on sale (they were withheld).
        returned: Vec<u32>,
        /// Places now withheld, by pool, ascending.
        places_withheld: Vec<PoolPlaces>,
        /// Places back on sale, by pool, ascending.
        places_returned: Vec<PoolPlaces>,
    },
    /// Free seats and places were set aside for a channel (format 8 on).
    AllocationAdded {
        /// The channel.
        channel: String,
        /// Seat indexes, ascending, free until now.
        seats: Vec<u32>,
        /// Places by pool, ascending.
        places: Vec<PoolPlaces>,
    },
    /// A channel's allocation ended: its unheld seats and its quotas' remainder are on general
    /// sale again (format 8 on).
    AllocationRemoved {
        /// The channel.
        channel: String,
    },
    /// The performance went on sale, off sale, or was cancelled (format 8 on).
    StatusChanged {
        /// The new status.
        status: SaleStatus,
    },
}

impl Change {
    /// Returns the hold a change places, if it places one.
    pub fn placed_hold(&self) -> Option<&Hold> {
        match self {
            Self::HoldPlaced(hold) | Self::HoldPlacedInChannel { hold, .. } => Some(hold),
            _ => None,
        }
    }

    /// Returns the kind of change as a short name, for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::HoldPlaced(_) => "hold_placed",
            Self::HoldExtended { .. } => "hold_extended",
            Self::HoldSold { .. } => "hold_sold",
            Self::HoldReleased { .. } => "hold_released",
            Self::HoldsExpired { .. } => "holds_expired",
            Self::HoldbacksChanged { .. } => "holdbacks_changed",
            Self::HoldPrepared { .. } => "hold_prepared",
            Self::HoldUnprepared { .. } => "hold_unprepared",
            Self::HoldModified { .. } => "hold_modified",
            Self::TicketScanned { .. } => "ticket_scanned",
            Self::TicketsRefunded { .. } => "tickets_refunded",
            Self::HoldPlacedInChannel { .. } => "hold_placed",
            Self::HoldbacksChangedWithPlaces { .. } => "holdbacks_changed",
            Self::AllocationAdded { .. } => "allocation_added",
            Self::AllocationRemoved { .. } => "allocation_removed",
            Self::StatusChanged { .. } => "status_changed",
        }
    }
}
