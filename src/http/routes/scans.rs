//! `POST /scans`: door scanning.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::actor::Role;
use crate::http::dto::{ScanAnswer, ScanBody};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::remembered::{IdempotencyKeyHeader, remembered, written};
use crate::http::request::{Body, caller, idempotency_key};
use crate::http::responses::{BodyTimedOut, BodyTooLarge, Busy, Unauthorized};
use crate::http::state::AppState;

/// Scans a barcode at the door (sales or admin).
///
/// Always 200 for a well-formed body: `valid: true` the first time a sold ticket's barcode is
/// scanned (the scan is durable before the answer), then `valid: false` with `reason:
/// "already_scanned"` and the first scan's `scanned_at`; a barcode no performance sold is
/// `reason: "unknown"`. Two doors scanning one ticket at once: exactly one is told valid.
#[utoipa::path(
    post,
    path = "/scans",
    tag = "orders",
    operation_id = "scan_ticket",
    params(IdempotencyKeyHeader),
    request_body(content = ScanBody),
    responses(
        (status = 200, description = "What the door should do.", body = ScanAnswer),
        (status = 400, description = "`invalid_request`: malformed JSON, unknown fields, or a \
            barcode that is empty, longer than 64 characters or not printable ASCII.",
            body = ErrorBody),
        (status = 401, response = Unauthorized),
        (status = 408, response = BodyTimedOut),
        (status = 409, description = "`invalid_state`: a request with this `Idempotency-Key` \
            is still in progress.", body = ErrorBody),
        (status = 413, response = BodyTooLarge),
        (status = 422, description = "`rule_violation`: the `Idempotency-Key` was used with \
            another request.", body = ErrorBody),
        (status = 503, response = Busy),
    ),
    security(("api_key" = [])),
)]
pub async fn scan(
    request: HttpRequest,
    body: Body,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let parsed: Option<ScanBody> = body.json(&request)?;
    let barcode = parsed.map(ScanBody::into_barcode).transpose()?;
    let idempotency = idempotency_key(&request, &body)?;
    let caller = caller(&request, &state, Role::Sales)?;
    body.check_size()?;
    let Some(barcode) = barcode else {
        return Err(ApiError::invalid_request("missing body"));
    };
    let engine = &state.engine;
    let client = caller.client.clone();
    remembered(&request, &state, &client, idempotency, move || async move {
        let view = engine.scan(&caller, barcode.clone()).await?;
        written(StatusCode::OK, &ScanAnswer::new(&barcode, &view))
    })
    .await
}
