//! The contract's error vocabulary: the stable codes clients branch on. Every refusal, from
//! the domain's rejections to the HTTP layer's own (a bad body, a missing key), names one of
//! these; the HTTP layer gives each its status in one exhaustive match, so a new code cannot
//! be answered with a status by accident.
//!
//! # Caveats
//! - Variants are part of the contract: rename none; add new ones only with `docs/API.md`.

use std::fmt;

use serde::Serialize;

/// A stable error code of the contract (`docs/API.md`, "Errors").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: malformed JSON, wrong types, unknown fields, a bad id, time, key or parameter.
    InvalidRequest,
    /// 401: a missing or unknown API key.
    Unauthorized,
    /// 403: the key's role may not do this, or the thing is another client's.
    Forbidden,
    /// 404: no such event, performance, seat, band, pool, transaction, order or person.
    NotFound,
    /// 409: a requested seat is held, sold or withheld.
    SeatUnavailable,
    /// 409: best available or general admission cannot supply the quantity.
    InsufficientAvailability,
    /// 410: the transaction's lock passed and its tickets were released.
    LockExpired,
    /// 409: the transaction cannot take this step now.
    InvalidState,
    /// 409: the id is taken.
    AlreadyExists,
    /// 413: the body is over the limit.
    PayloadTooLarge,
    /// 422: a rule or limit, or tickets that do not match the transaction.
    RuleViolation,
    /// 503: the performance is busy; retry after `Retry-After`.
    Overloaded,
    /// 503: storage failed, a performance's history is damaged, or disk space is low.
    Unavailable,
    /// 408: the body did not arrive in time; the connection is closed.
    RequestTimeout,
}

impl ErrorCode {
    /// Returns the code as clients see it, e.g. `seat_unavailable`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::SeatUnavailable => "seat_unavailable",
            Self::InsufficientAvailability => "insufficient_availability",
            Self::LockExpired => "lock_expired",
            Self::InvalidState => "invalid_state",
            Self::AlreadyExists => "already_exists",
            Self::PayloadTooLarge => "payload_too_large",
            Self::RuleViolation => "rule_violation",
            Self::Overloaded => "overloaded",
            Self::Unavailable => "unavailable",
            Self::RequestTimeout => "request_timeout",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn the_serialized_code_is_the_contract_name() {
        for code in [
            ErrorCode::InvalidRequest,
            ErrorCode::SeatUnavailable,
            ErrorCode::InsufficientAvailability,
            ErrorCode::RequestTimeout,
        ] {
            let json = serde_json::to_string(&code).expect("a code serializes");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }
}
