//! Why the domain refused a command. A rejection is deterministic: the same command against
//! the same state is refused the same way, and a refused command changed nothing.

use super::error_code::ErrorCode;
use super::hold::HoldState;

/// Why a seat could not be taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unavailability {
    /// Another transaction holds it.
    Held,
    /// It is sold.
    Sold,
    /// It is off sale (a holdback).
    Withheld,
    /// It is set aside for a channel the caller is not of.
    Allocated,
}

/// A command the domain refuses, with the facts that explain it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// A seat id that the plan does not have.
    #[error("unknown seat {ticket}")]
    UnknownSeat {
        /// The ticket id as given.
        ticket: String,
    },
    /// A price band code that the performance does not have.
    #[error("unknown price band {code:?}")]
    UnknownPriceBand {
        /// The code as given.
        code: String,
    },
    /// A ticket type code that the performance does not sell.
    #[error("unknown ticket type {code:?}")]
    UnknownTicketType {
        /// The code as given.
        code: String,
    },
    /// A ticket type asked for in a band it has no price in.
    #[error("ticket type {ticket_type} is not sold in price band {price_band}")]
    TicketTypeNotSold {
        /// The type's code.
        ticket_type: String,
        /// The band's code.
        price_band: String,
        /// The tickets asked for in that band, when specific seats were.
        tickets: Vec<String>,
    },
    /// A general-admission pool code that the performance does not have.
    #[error("unknown general-admission pool {code:?}")]
    UnknownPool {
        /// The code as given.
        code: String,
    },
    /// No hold of this transaction at this performance.
    #[error("unknown transaction")]
    UnknownTransaction,
    /// The same ticket twice in one request.
    #[error("ticket {ticket} appears more than once")]
    DuplicateTicket {
        /// The repeated ticket id.
        ticket: String,
    },
    /// A change names a ticket its transaction does not hold.
    #[error("{ticket} is not held by this transaction")]
    NotInTransaction {
        /// The ticket.
        ticket: String,
    },
    /// A change gives up more places of a pool than its transaction holds there.
    #[error("this transaction does not hold {quantity} places of {code}")]
    PlacesNotInTransaction {
        /// The pool.
        code: String,
        /// How many were to be given up.
        quantity: u32,
    },
    /// A checkout past the performance's `max_renewals`.
    #[error("this hold was checked out the most times allowed ({max}); complete or release it")]
    TooManyRenewals {
        /// The performance's `max_renewals`.
        max: u32,
    },
    /// A request of several items named none, or nested them.
    #[error("items must list at least one item, and an item cannot list items")]
    EmptyOrNestedItems,
    /// More tickets in one request than allowed.
    #[error("{requested} tickets requested; at most {max} are allowed in one request")]
    TooManyTickets {
        /// How many were asked for.
        requested: usize,
        /// The limit.
        max: usize,
    },
    /// A quantity that the performance's `valid_quantities` does not allow.
    #[error("quantity {requested} is not allowed; valid quantities are {allowed:?}")]
    QuantityNotAllowed {
        /// The quantity asked for.
        requested: u64,
        /// The allowed quantities.
        allowed: Vec<u32>,
    },
    /// Seats that are not adjacent in one block, at a performance that demands it.
    #[error("seats must be adjacent in one block at this performance")]
    NotContiguous {
        /// The ticket ids as given.
        tickets: Vec<String>,
    },
    /// Seats that are held, sold or withheld.
    #[error("{}", describe_unavailable(.seats))]
    SeatUnavailable {
        /// Each unavailable ticket id and why.
        seats: Vec<(String, Unavailability)>,
    },
    /// Best available or general admission cannot satisfy the quantity.
    #[error("cannot find {requested} {what} together; {available} available")]
    InsufficientAvailability {
        /// How many were asked for.
        requested: u32,
        /// How many are free, in total, where the request looked.
        available: u32,
        /// `"seats"` or `"places"`.
        what: &'static str,
    },
    /// A best-available request requires an attribute no seat of the performance has.
    #[error("no seat of this performance is {attribute}, so none can be required to be")]
    NoSeatHasAttribute {
        /// The attribute.
        attribute: String,
    },
    /// The selection would leave a lone free seat between taken seats or at a block end.
    #[error("Seat {} would be left as a single-seat gap", seat_of(.ticket))]
    SingleSeatGap {
        /// The ticket id of the seat that would be left alone.
        ticket: String,
    },
    /// The transaction's lock expired and its seats were released.
    #[error("the lock expired and its tickets were released")]
    LockExpired,
    /// The command does not apply to a hold in this state.
    #[error("cannot {action} a transaction that is {state}")]
    InvalidState {
        /// The hold's state.
        state: HoldState,
        /// What was attempted.
        action: &'static str,
    },
    /// A holdback release names seats that are not withheld.
    #[error("{} not withheld, so cannot be released", plural_seats(.tickets))]
    NotWithheld {
        /// Their ticket ids.
        tickets: Vec<String>,
    },
    /// The performance has started; nothing more can be held.
    #[error("the performance has started")]
    PerformanceStarted,
    /// A holdback release asks for more places than are withheld.
    #[error("only {withheld} places of {pool} are withheld, so {requested} cannot be released")]
    PlacesNotWithheld {
        /// The pool's code.
        pool: String,
        /// Places asked to release.
        requested: u32,
        /// Places withheld.
        withheld: u32,
    },
    /// The performance is off sale or cancelled: nothing new can be held.
    #[error("the performance is {status}: nothing can be held")]
    NotOnSale {
        /// `off_sale` or `cancelled`.
        status: &'static str,
    },
    /// The performance is cancelled.
    #[error("the performance is cancelled: cannot {action} it")]
    Cancelled {
        /// What was attempted.
        action: &'static str,
    },
}

/// The seat part of a ticket id, as messages name it.
fn seat_of(ticket: &str) -> &str {
    ticket.split_once(':').map_or(ticket, |(_, seat)| seat)
}

fn describe_unavailable(seats: &[(String, Unavailability)]) -> String {
    let parts: Vec<String> = seats
        .iter()
        .map(|(ticket, why)| {
            let seat = seat_of(ticket);
            match why {
                Unavailability::Held => format!("Seat {seat} is held by another transaction"),
                Unavailability::Sold => format!("Seat {seat} is sold"),
                Unavailability::Withheld => format!("Seat {seat} is not on sale"),
                Unavailability::Allocated => {
                    format!("Seat {seat} is set aside for another sales channel")
                }
            }
        })
        .collect();
    parts.join("; ")
}

impl Rejection {
    /// Returns the stable snake_case code of the API's error table. Part of the API: never
    /// rename or reuse one.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::UnknownSeat { .. }
            | Self::UnknownPriceBand { .. }
            | Self::UnknownPool { .. }
            | Self::UnknownTicketType { .. }
            | Self::UnknownTransaction => ErrorCode::NotFound,
            Self::DuplicateTicket { .. } | Self::EmptyOrNestedItems => ErrorCode::InvalidRequest,
            Self::TooManyTickets { .. }
            | Self::QuantityNotAllowed { .. }
            | Self::NotContiguous { .. }
            | Self::SingleSeatGap { .. }
            | Self::NotInTransaction { .. }
            | Self::PlacesNotInTransaction { .. }
            | Self::TicketTypeNotSold { .. }
            | Self::TooManyRenewals { .. } => ErrorCode::RuleViolation,
            Self::SeatUnavailable { .. } => ErrorCode::SeatUnavailable,
            Self::InsufficientAvailability { .. } | Self::NoSeatHasAttribute { .. } => {
                ErrorCode::InsufficientAvailability
            }
            Self::LockExpired => ErrorCode::LockExpired,
            Self::InvalidState { .. }
            | Self::PerformanceStarted
            | Self::NotWithheld { .. }
            | Self::PlacesNotWithheld { .. }
            | Self::NotOnSale { .. }
            | Self::Cancelled { .. } => ErrorCode::InvalidState,
        }
    }

    /// Returns the ticket ids that caused the rejection, when specific tickets did.
    pub fn tickets(&self) -> Vec<String> {
        match self {
            Self::UnknownSeat { ticket }
            | Self::DuplicateTicket { ticket }
            | Self::SingleSeatGap { ticket }
            | Self::NotInTransaction { ticket } => vec![ticket.clone()],
            Self::NotContiguous { tickets }
            | Self::TicketTypeNotSold { tickets, .. }
            | Self::NotWithheld { tickets } => tickets.clone(),
            Self::SeatUnavailable { seats } => seats.iter().map(|(t, _)| t.clone()).collect(),
            _ => Vec::new(),
        }
    }
}

/// "Seat S-A1 is" or "Seats S-A1, S-A2 are", the seat ids without their performance.
fn plural_seats(tickets: &[String]) -> String {
    let seats: Vec<&str> = tickets.iter().map(|ticket| seat_of(ticket)).collect();
    match seats.as_slice() {
        [one] => format!("Seat {one} is"),
        many => format!("Seats {} are", many.join(", ")),
    }
}
