//! Errors of the engine as the HTTP front sees them: facts (which ticket, which transaction,
//! which limit), each rendered to prose once by its `#[error]` line and given its contract
//! code once by [`EngineError::code`], so the HTTP layer only copies them into a body.
//!
//! # Caveats
//! - The prose is for people; clients branch on the code. Changing a message is not a
//!   contract change, changing a variant's code is.

use crate::domain::{
    ClientId, DiscountRefusal, ErrorCode, InvalidDiscount, InvalidId, InvalidMoney, InvalidPlan,
    OrderNumber, PaymentMismatch, PerformanceId, Rejection, TicketId, TransactionId,
};
use crate::persistence::StorageError;

/// Why the engine did not carry out a request.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The domain refused the command; deterministic, nothing changed.
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// No such performance, event, transaction or order.
    #[error("{what} {id} not found")]
    NotFound {
        /// What kind of thing.
        what: &'static str,
        /// The id as given.
        id: String,
    },
    /// The caller's client may not see or change this.
    #[error("this {what} belongs to another client")]
    Forbidden {
        /// What kind of thing.
        what: &'static str,
    },
    /// The caller's key is limited to other events than the performance's.
    #[error("this key is limited to other events than performance {performance}'s")]
    OutOfReach {
        /// The performance.
        performance: PerformanceId,
    },
    /// The request is well formed but names something that conflicts with what exists.
    #[error("{what} {id} already exists")]
    AlreadyExists {
        /// What kind of thing.
        what: &'static str,
        /// The id.
        id: String,
    },
    /// A ticket named for one performance belongs to another (a preferred seat of a best
    /// available item, a holdback at the performance of the path).
    #[error("ticket {ticket} is not at performance {performance}")]
    TicketNotAtPerformance {
        /// The ticket as given.
        ticket: TicketId,
        /// The performance the request is about.
        performance: PerformanceId,
    },
    /// Two items of one request name the same ticket.
    #[error("ticket {ticket} is named by two items of the request")]
    TicketInTwoItems {
        /// The ticket.
        ticket: TicketId,
    },
    /// The tickets a request names are not the transaction's tickets.
    #[error("the tickets given do not match the transaction's tickets")]
    TicketsDoNotMatch,
    /// A change would leave a transaction with no ticket.
    #[error("a change cannot give up every ticket of a transaction; release it instead")]
    WouldGiveUpEveryTicket,
    /// A change gives up tickets at more than one performance.
    #[error("one change may give up tickets at one performance only")]
    GivesUpAtSeveralPerformances,
    /// A metadata change would leave more keys than allowed.
    #[error("metadata may have at most {max} keys; this change would leave {would_leave}")]
    TooManyMetadataKeys {
        /// The limit.
        max: usize,
        /// How many keys the change would leave.
        would_leave: usize,
    },
    /// An idempotency key was used before with a different request.
    #[error("this Idempotency-Key was used with a different request body")]
    IdempotencyKeyReused,
    /// The payment does not settle what the transaction costs.
    #[error(transparent)]
    PaymentMismatch(#[from] PaymentMismatch),
    /// A refund names a ticket that is not the order's.
    #[error("a ticket given is not one of order {order}'s tickets")]
    TicketNotInOrder {
        /// The order.
        order: OrderNumber,
    },
    /// The admin client cannot be revoked: start the server with another admin key.
    #[error(
        "the admin client cannot be revoked; start the server with another --admin-key to replace its key"
    )]
    AdminNotRevocable,
    /// A revoked client's key cannot be rotated.
    #[error("client {id} is revoked")]
    ClientRevoked {
        /// The client.
        id: ClientId,
    },
    /// A widget key asked for more tickets than a widget may hold in one transaction.
    #[error(
        "a widget key may hold at most {max} tickets in one transaction; {requested} were asked for"
    )]
    WidgetTicketCap {
        /// How many were asked for.
        requested: usize,
        /// The limit.
        max: usize,
    },
    /// A refund names tickets in two currencies.
    #[error("a refund pays back tickets of one currency; refund each currency's apart")]
    RefundInTwoCurrencies,
    /// A discount code that cannot be used for the transaction now (which reason, said).
    #[error(transparent)]
    Discount(#[from] DiscountRefusal),
    /// A discount code definition that is not valid.
    #[error(transparent)]
    InvalidDiscount(#[from] InvalidDiscount),
    /// The payment method is not one the server accepts.
    #[error("payment method {method:?} is not accepted here; see GET /payment-methods")]
    UnknownPaymentMethod {
        /// The method as given.
        method: String,
    },
    /// The key given for a client cannot be told apart from another client's key.
    #[error("that key cannot be used; choose another")]
    KeyUnusable,
    /// A seating plan that cannot be built.
    #[error(transparent)]
    Plan(#[from] InvalidPlan),
    /// Text that is not an id of the kind expected.
    #[error(transparent)]
    Id(#[from] InvalidId),
    /// Text that is not an amount or a currency.
    #[error(transparent)]
    Money(#[from] InvalidMoney),
    /// The performance's admission bound is full: retry after a moment.
    #[error("performance {performance} is busy; retry shortly")]
    Overloaded {
        /// The busy performance.
        performance: String,
    },
    /// Another request is completing or changing the transaction right now.
    #[error("transaction {transaction} is being completed or changed by another request")]
    TransactionBusy {
        /// The transaction.
        transaction: TransactionId,
    },
    /// The transaction is completed, or being completed, for another customer or payment.
    #[error(
        "transaction {transaction} is completed (or being completed) for another customer or payment"
    )]
    CompletedDifferently {
        /// The transaction.
        transaction: TransactionId,
    },
    /// A request with the same idempotency key is still being carried out.
    #[error("a request with this Idempotency-Key is still in progress")]
    InProgress,
    /// Storage failed; the engine stops acknowledging.
    #[error("storage failed: {0}")]
    Storage(#[from] StorageError),
    /// The performance's stored history is damaged; it is not served until repaired.
    #[error("performance {performance} is halted: {reason}")]
    Halted {
        /// The performance.
        performance: String,
        /// What is damaged.
        reason: String,
    },
    /// Free disk space is below the reserve: new holds are refused, reads still work.
    #[error("the server is low on disk space; new holds are refused until space is freed")]
    LowOnSpace,
    /// The operating system gave no randomness (for a new key).
    #[error("no randomness for a key: {reason}")]
    NoRandomness {
        /// What the operating system said.
        reason: String,
    },
    /// The actor that owns the performance is gone.
    #[error("the performance's actor is not running")]
    Unavailable,
}

impl EngineError {
    /// The contract's code for this error; its HTTP status follows from the code.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Rejected(rejection) => rejection.code(),
            Self::NotFound { .. } => ErrorCode::NotFound,
            Self::Forbidden { .. } | Self::OutOfReach { .. } => ErrorCode::Forbidden,
            Self::AlreadyExists { .. } => ErrorCode::AlreadyExists,
            // The one fault of a definition that its schema cannot state.
            Self::InvalidDiscount(InvalidDiscount::EmptyWindow) => ErrorCode::RuleViolation,
            Self::TooManyMetadataKeys { .. }
            | Self::KeyUnusable
            | Self::Id(_)
            | Self::Money(_)
            | Self::InvalidDiscount(_) => ErrorCode::InvalidRequest,
            Self::Plan(
                InvalidPlan::TooManySeats { .. }
                | InvalidPlan::BadGeometry(_)
                | InvalidPlan::BadAttribute(_),
            ) => ErrorCode::RuleViolation,
            Self::Plan(_) => ErrorCode::InvalidRequest,
            Self::TicketNotAtPerformance { .. }
            | Self::TicketInTwoItems { .. }
            | Self::TicketsDoNotMatch
            | Self::WouldGiveUpEveryTicket
            | Self::GivesUpAtSeveralPerformances
            | Self::IdempotencyKeyReused
            | Self::PaymentMismatch(_)
            | Self::Discount(_)
            | Self::TicketNotInOrder { .. }
            | Self::RefundInTwoCurrencies
            | Self::WidgetTicketCap { .. }
            | Self::UnknownPaymentMethod { .. } => ErrorCode::RuleViolation,
            Self::TransactionBusy { .. }
            | Self::CompletedDifferently { .. }
            | Self::InProgress
            | Self::AdminNotRevocable
            | Self::ClientRevoked { .. } => ErrorCode::InvalidState,
            Self::Overloaded { .. } => ErrorCode::Overloaded,
            Self::Storage(_)
            | Self::Halted { .. }
            | Self::LowOnSpace
            | Self::NoRandomness { .. }
            | Self::Unavailable => ErrorCode::Unavailable,
        }
    }

    /// The tickets that caused the error, for the error body's `tickets`.
    pub fn tickets(&self) -> Vec<String> {
        match self {
            Self::Rejected(rejection) => rejection.tickets(),
            Self::TicketNotAtPerformance { ticket, .. } | Self::TicketInTwoItems { ticket } => {
                vec![ticket.to_string()]
            }
            _ => Vec::new(),
        }
    }

    /// Whether the engine, not the request, is at fault: such errors are logged, and their
    /// prose (which may name storage internals) is not shown to the client.
    pub fn is_server_fault(&self) -> bool {
        matches!(
            self,
            Self::Storage(_) | Self::Unavailable | Self::NoRandomness { .. }
        )
    }

    /// Builds a not-found error.
    pub fn not_found(what: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            what,
            id: id.to_string(),
        }
    }
}
