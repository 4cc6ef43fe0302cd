//! Changes: accepted outcomes, the payload of the write-ahead log. Each names exactly what it
//! does (seat indexes, absolute times, barcodes), so applying it needs no decision and
//! replaying the same changes rebuilds the same state.

use serde::{Deserialize, Serialize};

use super::hold::{Hold, PoolPlaces, Sale};
use super::ids::{Timestamp, TransactionId};

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
}

impl Change {
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
        }
    }
}
