//! Errors of the engine as the HTTP front sees them.

use crate::domain::Rejection;
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
    /// The request is well formed but names something that conflicts with what exists.
    #[error("{what} {id} already exists")]
    AlreadyExists {
        /// What kind of thing.
        what: &'static str,
        /// The id.
        id: String,
    },
    /// The request does not fit the transaction or the engine's limits.
    #[error("{0}")]
    Invalid(String),
    /// The request breaks a limit or rule that is not a seat rule (a plan over the seat limit).
    #[error("{0}")]
    RuleViolation(String),
    /// The request contradicts what it refers to (a checkout naming other tickets).
    #[error("{0}")]
    Mismatch(String),
    /// The performance's admission bound is full: retry after a moment.
    #[error("performance {performance} is busy; retry shortly")]
    Overloaded {
        /// The busy performance.
        performance: String,
    },
    /// The request conflicts with the state of what it names in a way no retry fixes
    /// (completing a transaction again for another customer).
    #[error("{0}")]
    Conflict(String),
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
    /// The actor that owns the performance is gone.
    #[error("the performance's actor is not running")]
    Unavailable,
}

impl EngineError {
    /// Builds a not-found error.
    pub fn not_found(what: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            what,
            id: id.to_string(),
        }
    }
}
