//! Commands: requested changes to one performance's inventory, decided by
//! [`Performance::decide`](super::Performance::decide).

use super::channel::Access;
use super::hold::PoolPlaces;
use super::ids::{ClientId, OrderNumber, Timestamp, TransactionId};
use super::sale_status::SaleStatus;

/// A seat asked for by id, with its ticket type (the performance's first when `None`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeatChoice {
    /// The seat id, such as `STALLS-A7`.
    pub id: String,
    /// The ticket type's code.
    pub ticket_type: Option<String>,
}

impl From<String> for SeatChoice {
    fn from(id: String) -> Self {
        Self {
            id,
            ticket_type: None,
        }
    }
}

impl From<&str> for SeatChoice {
    fn from(id: &str) -> Self {
        id.to_owned().into()
    }
}

/// Seat attributes a best-available request requires or avoids: every seat given has every
/// attribute of `require` and none of `avoid`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeatFilters {
    /// Attributes every seat must have, e.g. `accessible`.
    pub require: Vec<String>,
    /// Attributes no seat may have, e.g. `restricted_view`.
    pub avoid: Vec<String>,
}

impl SeatFilters {
    /// True when the filters exclude nothing.
    pub fn is_empty(&self) -> bool {
        self.require.is_empty() && self.avoid.is_empty()
    }
}

/// What to hold. A ticket type left out is the performance's first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    /// These seats, all or nothing.
    Seats(Vec<SeatChoice>),
    /// The best `quantity` seats under the rules, in `price_band` if given, trying `preferred`
    /// seat ids first, among the bands `ticket_type` is sold in.
    BestAvailable {
        /// How many seats.
        quantity: u32,
        /// Only seats of this band, when given.
        price_band: Option<String>,
        /// Seat ids to try first.
        preferred: Vec<String>,
        /// The ticket type of every seat.
        ticket_type: Option<String>,
        /// Attributes the seats must have or must not have.
        filters: SeatFilters,
    },
    /// General-admission places.
    GeneralAdmission {
        /// (pool code, quantity) pairs.
        places: Vec<(String, u32)>,
        /// The ticket type of every place.
        ticket_type: Option<String>,
    },
    /// Several of the forms above at once, all or nothing (a basket's items at one
    /// performance). Each is decided as a request of its own, with its own rules, against the
    /// seats the items before it took; the hold is their union.
    Items(Vec<Selection>),
}

impl Selection {
    /// These seats, of the performance's first ticket type.
    pub fn seats<S: Into<SeatChoice>>(ids: impl IntoIterator<Item = S>) -> Self {
        Self::Seats(ids.into_iter().map(Into::into).collect())
    }

    /// These places, of the performance's first ticket type.
    pub fn places(places: Vec<(String, u32)>) -> Self {
        Self::GeneralAdmission {
            places,
            ticket_type: None,
        }
    }
}

/// Places to give up: `quantity` of the pool `code`, of `ticket_type` when given (otherwise
/// the last type first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacesGivenUp {
    /// The pool's code.
    pub code: String,
    /// How many.
    pub quantity: u32,
    /// Only places of this ticket type.
    pub ticket_type: Option<String>,
}

/// A requested change to one performance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Lock seats or places for a new transaction.
    PlaceHold {
        /// The new transaction.
        transaction: TransactionId,
        /// The client opening it.
        owner: ClientId,
        /// The caller's IP address.
        ip: String,
        /// What to hold.
        selection: Selection,
        /// When the lock ends, instead of now plus the hold time: a transaction gaining a
        /// performance keeps the lock it has. Must be later than now.
        lock_until: Option<Timestamp>,
        /// Which allocations the caller may hold from.
        access: Access,
    },
    /// Check out: reset the lock to now + the performance's hold time.
    ExtendHold {
        /// The transaction.
        transaction: TransactionId,
    },
    /// Sell every ticket of the hold.
    SellHold {
        /// The transaction.
        transaction: TransactionId,
        /// The order the sale belongs to.
        order_number: OrderNumber,
        /// Randomness for the barcodes, chosen outside the domain.
        barcode_seed: u64,
    },
    /// Prepare the hold for a completion over several performances: the lock must be live,
    /// and from now on it does not expire and only the coordinator ends it.
    PrepareHold {
        /// The transaction.
        transaction: TransactionId,
    },
    /// Roll a prepared hold back to a checked-out lock with its old expiry (its completion
    /// did not commit).
    UnprepareHold {
        /// The transaction.
        transaction: TransactionId,
    },
    /// Change a live hold: add seats or places, give some up, or both (a move). All or
    /// nothing; the rules are judged on the result; the lock's expiry is kept.
    ModifyHold {
        /// The transaction.
        transaction: TransactionId,
        /// What to add, each decided as a request form of its own.
        add: Vec<Selection>,
        /// Seat ids to give up; each must be in the hold.
        remove_seats: Vec<String>,
        /// Places to give up.
        remove_places: Vec<PlacesGivenUp>,
        /// Which allocations the caller may hold from.
        access: Access,
    },
    /// Put a live hold back to these seats and places, without judging rules (the
    /// coordinator undoing a change that could not be made at every performance).
    RestoreHold {
        /// The transaction.
        transaction: TransactionId,
        /// Seat indexes, ascending.
        seats: Vec<u32>,
        /// Places by pool, ascending.
        places: Vec<PoolPlaces>,
        /// Their ticket types, as [`Hold::ticket_types`](super::Hold::ticket_types).
        ticket_types: Vec<u8>,
    },
    /// Release the hold's locks; a sale is never undone.
    ReleaseHold {
        /// The transaction.
        transaction: TransactionId,
    },
    /// Release every lock whose time has passed.
    ExpireHolds,
    /// Take free seats and places off sale and put withheld ones back.
    ChangeHoldbacks {
        /// Seat ids to withhold.
        withhold: Vec<String>,
        /// Seat ids to put back on sale.
        release: Vec<String>,
        /// (pool code, quantity) of free places to withhold.
        withhold_places: Vec<(String, u32)>,
        /// (pool code, quantity) of withheld places to put back on sale.
        release_places: Vec<(String, u32)>,
    },
    /// Set free seats and places aside for a channel, adding to its allocation.
    Allocate {
        /// The channel.
        channel: String,
        /// Seat ids.
        seats: Vec<String>,
        /// (pool code, quantity) pairs.
        places: Vec<(String, u32)>,
    },
    /// Return a channel's unsold allocation to general sale.
    Deallocate {
        /// The channel.
        channel: String,
    },
    /// Put the performance on sale, off sale, or cancel it.
    SetStatus {
        /// The new status.
        status: SaleStatus,
    },
    /// Scan a ticket's barcode at the door.
    ScanTicket {
        /// The barcode as read.
        barcode: String,
    },
    /// Refund sold tickets of a transaction, by barcode index; tickets refunded before are
    /// left as they are.
    RefundTickets {
        /// The transaction.
        transaction: TransactionId,
        /// The tickets' indexes among its hold's barcodes.
        tickets: Vec<u32>,
        /// Withhold the seats instead of putting them back on sale.
        withhold: bool,
    },
}

impl Command {
    /// Returns the transaction the command is about, if it is about one.
    pub fn transaction(&self) -> Option<TransactionId> {
        match self {
            Self::PlaceHold { transaction, .. }
            | Self::ExtendHold { transaction }
            | Self::SellHold { transaction, .. }
            | Self::ReleaseHold { transaction }
            | Self::PrepareHold { transaction }
            | Self::UnprepareHold { transaction }
            | Self::ModifyHold { transaction, .. }
            | Self::RestoreHold { transaction, .. }
            | Self::RefundTickets { transaction, .. } => Some(*transaction),
            Self::ExpireHolds
            | Self::ChangeHoldbacks { .. }
            | Self::ScanTicket { .. }
            | Self::Allocate { .. }
            | Self::Deallocate { .. }
            | Self::SetStatus { .. } => None,
        }
    }
}
