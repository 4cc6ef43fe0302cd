//! `POST /orders/{number}/refunds` (owner or admin): refunding some or all of an order's
//! tickets.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::orders::order_number;
use crate::actor::{RefundAsked, Role};
use crate::http::dto::{RefundAnswer, RefundBody};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::remembered::{IdempotencyKeyHeader, remembered, written};
use crate::http::request::{Body, caller, idempotency_key};
use crate::http::responses::{BodyTimedOut, BodyTooLarge, Unauthorized};
use crate::http::state::AppState;

/// Refunds tickets of an order (all of them when `tickets` is left out).
///
/// Each refunded seat goes back on sale (or is withheld, with `withhold`), each refunded
/// standing place back to its pool, and their barcodes stop admitting (`POST /scans` answers
/// `refunded`). A refund pays back each ticket's `full`, and the order's per-order fees with
/// its last tickets in that currency. The refund is durable before it is answered, and the
/// order then shows it in `refunds` with its `state`.
#[utoipa::path(
    post,
    path = "/orders/{number}/refunds",
    tag = "orders",
    operation_id = "refund_order",
    params(
        ("number" = String, Path, description = "The order number.", example = "100001"),
        IdempotencyKeyHeader,
    ),
    request_body = RefundBody,
    responses(
        (status = 201, description = "The refund, and the order after it.", body = RefundAnswer),
        (status = 400, description = "`invalid_request`: malformed JSON, wrong types, unknown \
            fields, a ticket that is neither a ticket id nor a barcode or is named twice, a \
            bad reason or payment.", body = ErrorBody),
        (status = 401, response = Unauthorized),
        (status = 403, description = "`forbidden`: another client's order, or `withhold` \
            asked with a key that is neither an admin's nor an organizer's.", body = ErrorBody),
        (status = 404, description = "`not_found`: unknown order.", body = ErrorBody),
        (status = 408, response = BodyTimedOut),
        (status = 409, description = "`invalid_state`: a ticket was refunded before, every \
            ticket is, or the order is being refunded or completed right now.",
            body = ErrorBody),
        (status = 413, response = BodyTooLarge),
        (status = 422, description = "`rule_violation`: a ticket is not the order's, the \
            tickets are in two currencies, the payment method is not accepted or its amount \
            is not what the refund pays back, or the `Idempotency-Key` was used with another \
            request.", body = ErrorBody),
        (status = 503, description = "`overloaded` (retry after `Retry-After` seconds): a \
            performance of the order is busy; or `unavailable`.", body = ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds to wait before retrying; \
                set with `overloaded`."))),
    ),
    security(("api_key" = [])),
)]
pub async fn refund(
    request: HttpRequest,
    path: web::Path<String>,
    body: Body,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let parsed: Option<RefundBody> = body.json(&request)?;
    let asked = RefundAsked::try_from(parsed.unwrap_or_default())?;
    let idempotency = idempotency_key(&request, &body)?;
    let caller = caller(&request, &state, Role::Sales)?;
    if asked.withhold && caller.role.rank() < Role::Organizer.rank() {
        // Taking seats off sale is a holdback: the box office's call, never a shop's.
        return Err(ApiError::forbidden(
            "withholding refunded seats needs an admin or organizer key",
        ));
    }
    body.check_size()?;
    let number = order_number(&path)?;
    let engine = &state.engine;
    let client = caller.client.clone();
    remembered(&request, &state, &client, idempotency, move || async move {
        let (order, record) = engine.refund(&caller, number, asked).await?;
        written(StatusCode::CREATED, &RefundAnswer::new(&order, &record))
    })
    .await
}
