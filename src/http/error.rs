//! The one mapping from engine errors to the contract's error body and status codes.
//!
//! Every error the API answers goes through [`ApiError`], so its body is always
//! `{"status": "error", "code": ..., "errors": [...], "tickets": [...]}` with the status and
//! code of the table in `docs/API.md`. Internal failures show nothing internal; their cause goes
//! to the log.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::actor::EngineError;
use crate::domain::ErrorCode;

/// Seconds a client should wait before retrying an `overloaded` answer of a busy actor.
const RETRY_AFTER_SECONDS: u64 = 1;

/// An error answer of the API.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    code: ErrorCode,
    message: String,
    tickets: Vec<String>,
    /// The `Retry-After` of an `overloaded` answer, in seconds.
    retry_after: u64,
}

/// The body of every error answer.
#[derive(Serialize, ToSchema)]
#[schema(examples(json!({
    "status": "error",
    "code": "seat_unavailable",
    "errors": ["Seat STALLS-G7 is held by another transaction"],
    "tickets": ["jb-1204:STALLS-G7"]
})))]
pub(crate) struct ErrorBody<'a> {
    /// Always `error`.
    #[schema(value_type = String, pattern = "^error$", examples("error"))]
    status: &'static str,
    code: ErrorCode,
    /// What went wrong, for people; clients branch on `code`.
    #[schema(value_type = Vec<String>)]
    errors: [&'a str; 1],
    /// The ticket ids that caused the error; present only when specific tickets did.
    #[schema(value_type = Vec<String>, examples("jb-1204:STALLS-G7"))]
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tickets: &'a [String],
}

/// The status of every code: one exhaustive match, so a code added to the vocabulary
/// cannot be answered with a status by accident.
pub(crate) fn status_of(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::InvalidRequest => StatusCode::BAD_REQUEST,
        ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
        ErrorCode::SeatUnavailable
        | ErrorCode::InsufficientAvailability
        | ErrorCode::InvalidState
        | ErrorCode::AlreadyExists => StatusCode::CONFLICT,
        ErrorCode::LockExpired => StatusCode::GONE,
        ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::RuleViolation => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::Overloaded | ErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

impl ApiError {
    /// An error with `code`, answered with the code's status.
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status: status_of(code),
            code,
            message: message.into(),
            tickets: Vec::new(),
            retry_after: RETRY_AFTER_SECONDS,
        }
    }

    /// 400 `invalid_request`: malformed JSON, wrong types, missing fields, unknown body form.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, message)
    }

    /// 401 `unauthorized`: a missing or unknown API key.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, message)
    }

    /// 403 `forbidden`: a key whose role does not allow the call.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    /// 404 `not_found`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    /// 408 `request_timeout`: the body did not arrive within `deadline`.
    pub fn request_timeout(deadline: std::time::Duration) -> Self {
        Self::new(
            ErrorCode::RequestTimeout,
            format!(
                "the request body did not arrive within {} seconds",
                deadline.as_secs()
            ),
        )
    }

    /// 413 `payload_too_large`.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            ErrorCode::PayloadTooLarge,
            format!("the request body is over the limit of {limit} bytes"),
        )
    }

    /// 422 `rule_violation`.
    pub fn rule_violation(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::RuleViolation, message)
    }

    /// 429 `overloaded`: a caller past its rate, told to wait `wait` (rounded up to whole
    /// seconds, at least one) in `Retry-After`.
    pub fn rate_limited(message: impl Into<String>, wait: std::time::Duration) -> Self {
        let mut error = Self::new(ErrorCode::Overloaded, message);
        error.status = StatusCode::TOO_MANY_REQUESTS;
        error.retry_after = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        error.retry_after = error.retry_after.max(1);
        error
    }

    /// 405 with `invalid_request`: the route exists, the method does not.
    pub fn method_not_allowed(method: &str) -> Self {
        let mut error = Self::new(
            ErrorCode::InvalidRequest,
            format!("method {method:.16} is not allowed on this route"),
        );
        error.status = StatusCode::METHOD_NOT_ALLOWED;
        error
    }

    /// Names the tickets that caused the error.
    pub fn with_tickets(mut self, tickets: Vec<String>) -> Self {
        self.tickets = tickets;
        self
    }

    /// Returns the stable error code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if self.code == ErrorCode::RequestTimeout {
            // The rest of the body may still be on its way: the connection cannot carry
            // another request, so it is closed after this answer.
            response.force_close();
        }
        if self.code == ErrorCode::Overloaded {
            response.insert_header((header::RETRY_AFTER, HeaderValue::from(self.retry_after)));
        }
        response.json(ErrorBody {
            status: "error",
            code: self.code,
            errors: [&self.message],
            tickets: &self.tickets,
        })
    }
}

impl From<EngineError> for ApiError {
    fn from(error: EngineError) -> Self {
        let code = error.code();
        if error.is_server_fault() {
            tracing::error!(error = %error, "request failed in storage or actor");
            return Self::new(
                code,
                "the engine cannot acknowledge changes right now; retry later",
            );
        }
        if let EngineError::Halted { .. } = error {
            tracing::error!(error = %error, "request for a halted performance");
        }
        Self::new(code, error.to_string()).with_tickets(error.tickets())
    }
}

impl From<actix_web::error::QueryPayloadError> for ApiError {
    fn from(error: actix_web::error::QueryPayloadError) -> Self {
        Self::invalid_request(format!("invalid query string: {error}"))
    }
}
