//! The business of selling seats, as pure synchronous Rust: no I/O, no clock, no randomness,
//! no runtime.
//!
//! A **performance** is one showing of an event. Its seating plan ([`SeatingPlan`]) is frozen
//! at creation: sections, rows front to back, blocks of physically adjacent seats separated by
//! aisles, price bands, and general-admission pools. Its inventory ([`Performance`]) says what
//! each seat is now (free, held, sold, withheld) and which **holds** lock what until when.
//!
//! Every state change goes through two steps. [`Performance::decide`] reads the state and a
//! [`Command`] at a given `now` and returns either a [`Rejection`] (nothing changes) or the
//! [`Change`] to make. [`Performance::apply`] makes it, cannot fail, and is deterministic:
//! a change names exact seat indexes, absolute times and barcodes, so replaying the journal
//! of changes from the same start rebuilds the same state, field for field.
//!
//! The rules a performance may set are enforced on every hold, manual picks included:
//! `valid_quantities` (the seats or places one request holds), `contiguous_seats_only` (one
//! run of adjacent seats in one block) and `no_single_seat_gaps` (no lone free seat between
//! taken seats or at a block end, counting only lone seats that the selection itself makes).
//!
//! # Caveats
//! - Time is an argument. A lock is live while `now < expires_at`; the caller must expire due
//!   holds (`Command::ExpireHolds`) before deciding other commands at the same `now`, or a
//!   seat of an overdue hold still reads as held (safe, never a double sale, but unhelpful).
//! - A hold that ends unsold stays in the inventory until [`Performance::compact`] takes it
//!   out; whoever owns the performance must archive it there and then, or lose it.
//! - Best available keeps to one block; where adjacency is not demanded, only exactly the
//!   preferred seats are taken apart from each other.

mod allocating;
mod best_available;
mod change;
mod channel;
mod command;
mod customer;
mod discount;
mod ended;
mod error_code;
mod explanation;
mod free_bits;
mod free_runs;
mod geometry;
mod history;
mod hold;
mod ids;
mod modify;
mod money;
mod payment;
mod performance;
mod performance_info;
mod price_list;
mod pricing;
mod refund;
mod rejection;
mod report;
mod sale_status;
mod scan;
mod seat_changes;
mod seat_map;
mod selection;
mod selling;
mod snapshot_state;
mod text;

pub use change::Change;
pub use channel::{Access, Allocation, AllocationCounts, PlaceAllocationCounts};
pub use command::{Command, PlacesGivenUp, SeatChoice, SeatFilters, Selection};
pub use customer::{CUSTOMER_NAME_MAX, Customer, EMAIL_LENGTH_MAX, InvalidCustomer, Person};
pub use discount::{
    DISCOUNT_CODE_LENGTH_MAX, DiscountCode, DiscountRefusal, DiscountScope, InvalidDiscount,
    Reduction, SCOPE_ENTRIES_MAX, normalized_code,
};
pub use ended::decide_ended;
pub use error_code::ErrorCode;
pub use explanation::{Explanation, RowVerdict, SEATS_EXAMINED_MAX};
pub use geometry::{
    ATTRIBUTES_MAX, AttributeSet, BlockAttributes, COORDINATE_MAX, KNOWN_ATTRIBUTES,
    SeatAttributes, is_attribute_name,
};
pub use history::{HistoryEvent, HistoryKind, Wanted, history};
pub use hold::{
    BARCODE_DIGITS, Hold, HoldState, PoolPlaces, Sale, SeatRequestStatus, TicketRef, TypedPlaces,
    TypedTickets, place_count,
};
pub use ids::{
    ClientId, EventId, ID_LENGTH_MAX, InvalidId, OrderNumber, PerformanceId, TicketId, Timestamp,
    TransactionId,
};
pub use money::{Amount, Currency, InvalidMoney};
pub use payment::{InvalidPayment, PAYMENT_TEXT_MAX, Payment, PaymentMismatch};
pub use performance::{Counts, Performance, PerformanceState, PoolCounts, SeatStatus};
pub use performance_info::{
    EventInfo, HOLD_SECONDS_MAX, MAX_HOLD_SECONDS_DEFAULT, MAX_RENEWALS_DEFAULT, MAX_RENEWALS_MAX,
    PerformanceInfo, QUANTITY_MAX, Rules,
};
pub use price_list::{
    FEES_MAX, Fee, STANDARD_TYPE, TICKET_TYPE_NAME_MAX, TICKET_TYPES_MAX, TicketType, TicketTypes,
};
pub use pricing::{
    Breakdown, PricedPart, PricedTicket, Quote, order_fees, price_ticket, quote, transaction_totals,
};
pub use rejection::{Rejection, Unavailability};
pub use report::{
    GroupBy, RefundLine, ReportFilter, ReportKey, SalesRow, SoldOrder, TakingsRow,
    UNRECORDED_METHOD, sales_report, takings_report,
};
pub use sale_status::SaleStatus;
pub use scan::{ScanVerdict, barcode_key};
pub use seat_map::{
    BlockSpec, InvalidPlan, PlanSpec, PoolSpec, PriceBand, RowSpec, SEATS_PER_PLAN_MAX,
    SeatLocation, SeatingPlan, SectionSpec,
};
pub use text::{NOT_PLAIN_TEXT, is_plain_text};

#[cfg(test)]
pub(crate) use seat_map::test;

#[cfg(test)]
mod model_tests;
#[cfg(test)]
mod tests;
