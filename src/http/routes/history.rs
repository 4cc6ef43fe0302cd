//! `GET /transactions/{id}/history` and `GET /performances/{id}/history?seat=`: every state
//! change of a transaction or of a seat, read from the journal.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::catalogue::performance_id;
use super::json;
use super::transactions::transaction_id;
use crate::actor::Role;
use crate::domain::TicketId;
use crate::http::dto::{HistoryDto, SeatHistoryQuery};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::request::caller;
use crate::http::responses::{Busy, Unauthorized};
use crate::http::state::AppState;

/// Lists every state change of a transaction, oldest first (owner or admin).
///
/// Each event has its time, `kind` (`held`, `modified`, `checked_out`, `completed`,
/// `released`, `expired`, `refunded`, `scanned`), the transaction's state `from` and `to`, the
/// tickets it concerns, the client and the transaction. Read from the performances' journals.
#[utoipa::path(
    get,
    path = "/transactions/{id}/history",
    tag = "transactions",
    operation_id = "get_transaction_history",
    params(("id" = String, Path, description = "The transaction id.",
        example = "0193a0d2-6f1c-7c4e-9a51-2f7f0f5b1c11")),
    responses(
        (status = 200, description = "The history, oldest first.", body = HistoryDto),
        (status = 401, response = Unauthorized),
        (status = 403, description = "`forbidden`: another client's transaction.",
            body = ErrorBody),
        (status = 404, description = "`not_found`: unknown transaction.", body = ErrorBody),
        (status = 503, response = Busy),
    ),
    security(("api_key" = [])),
)]
pub async fn transaction(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller(&request, &state, Role::Sales)?;
    let lines = state
        .engine
        .transaction_history(&caller, transaction_id(&path)?)
        .await?;
    Ok(json(StatusCode::OK, &HistoryDto::new(&lines)))
}

/// Lists every state change of a seat, oldest first.
///
/// `held`, `modified` (a change gave it up or took it), `completed`, `released` (a hold's, or
/// a holdback's), `expired`, `refunded`, `withheld` and `scanned`, with the seat's status
/// `from` and `to` (`free`, `held`, `sold`, `withheld`, `allocated`), and `allocated` when a
/// channel's allocation took it. An admin, and the performance's organizer, sees every event;
/// another client sees those of its own transactions and the holdbacks, and a key limited to
/// other events is 403.
#[utoipa::path(
    get,
    path = "/performances/{id}/history",
    tag = "catalogue",
    operation_id = "get_seat_history",
    params(
        ("id" = String, Path, description = "The performance id.", example = "revue-1"),
        SeatHistoryQuery,
    ),
    responses(
        (status = 200, description = "The seat's history, oldest first.", body = HistoryDto),
        (status = 400, description = "`invalid_request`: a missing, malformed or unknown \
            parameter.", body = ErrorBody),
        (status = 401, response = Unauthorized),
        (status = 403, description = "`forbidden`: a key limited to other events.",
            body = ErrorBody),
        (status = 404, description = "`not_found`: unknown performance or seat.",
            body = ErrorBody),
        (status = 422, description = "`rule_violation`: the seat is at another performance.",
            body = ErrorBody),
        (status = 503, response = Busy),
    ),
    security(("api_key" = [])),
)]
pub async fn seat(
    request: HttpRequest,
    path: web::Path<String>,
    query: web::Query<SeatHistoryQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller(&request, &state, Role::Sales)?;
    let performance = performance_id(&path)?;
    let ticket = TicketId::parse(&query.seat)
        .map_err(|error| ApiError::invalid_request(error.to_string()))?;
    if ticket.performance != performance {
        return Err(crate::actor::EngineError::TicketNotAtPerformance {
            ticket,
            performance,
        }
        .into());
    }
    let lines = state
        .engine
        .seat_history(&caller, &performance, &ticket.seat)
        .await?;
    Ok(json(StatusCode::OK, &HistoryDto::new(&lines)))
}
