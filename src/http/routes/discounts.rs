//! `POST /discount-codes` and `GET /discount-codes` (admin): defining discount codes and
//! listing them with their uses. Applying a code is `PATCH /transactions/{id}`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::json;
use crate::actor::{Caller, Role};
use crate::domain::DiscountCode;
use crate::http::dto::{CreateDiscountCode, DiscountCodeDto, DiscountCodeList};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::remembered::{IdempotencyKeyHeader, remembered, written};
use crate::http::request::{Body, caller, idempotency_key};
use crate::http::responses::{BodyTimedOut, BodyTooLarge, NotAdminOrOrganizer, Unauthorized};
use crate::http::state::AppState;

/// Defines a discount code: a percent or an amount off each ticket it covers (admin, or an
/// organizer for a code naming only its own events or performances).
///
/// A code is applied to a transaction with `PATCH /transactions/{id}`; its uses (tickets sold
/// with it) are counted when orders complete and never pass `max_uses`, also under
/// concurrent completions. A code cannot be changed once created.
#[utoipa::path(
    post,
    path = "/discount-codes",
    tag = "orders",
    operation_id = "create_discount_code",
    params(IdempotencyKeyHeader),
    request_body = CreateDiscountCode,
    responses(
        (status = 201, description = "The code, durable.", body = DiscountCodeDto),
        (status = 400, description = "`invalid_request`: malformed JSON, wrong types, unknown \
            fields, a bad code, amount, percent, time or scope entry, or not exactly one of \
            `percent` and `amount_off` (with `currency`).", body = ErrorBody),
        (status = 401, response = Unauthorized),
        (status = 403, response = NotAdminOrOrganizer),
        (status = 408, response = BodyTimedOut),
        (status = 409, description = "`already_exists`: the code is taken (in any case); \
            `invalid_state`: a request with this `Idempotency-Key` is still in progress.",
            body = ErrorBody),
        (status = 413, response = BodyTooLarge),
        (status = 422, description = "`rule_violation`: `valid_until` is not after \
            `valid_from`, or the `Idempotency-Key` was used with another request.",
            body = ErrorBody),
        (status = 503, description = "`unavailable`: the server cannot record the code \
            right now.", body = ErrorBody),
    ),
    security(("api_key" = [])),
)]
pub async fn create(
    request: HttpRequest,
    body: Body,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let parsed: Option<CreateDiscountCode> = body.json(&request)?;
    let code = parsed.map(CreateDiscountCode::into_code).transpose()?;
    let idempotency = idempotency_key(&request, &body)?;
    let admin = caller(&request, &state, Role::Organizer)?;
    body.check_size()?;
    let Some(code) = code else {
        return Err(ApiError::invalid_request("missing body"));
    };
    if !keeps_to_events(&admin, &code) {
        return Err(ApiError::forbidden(
            "an organizer's discount code names only its own events or performances",
        ));
    }
    let engine = &state.engine;
    remembered(
        &request,
        &state,
        &admin.client,
        idempotency,
        move || async move {
            let listing = engine.create_discount_code(code).await?;
            written(StatusCode::CREATED, &DiscountCodeDto::from(&listing))
        },
    )
    .await
}

/// Lists the discount codes with their uses, in code order: every code for an admin, an
/// organizer's those that keep to its events.
#[utoipa::path(
    get,
    path = "/discount-codes",
    tag = "orders",
    operation_id = "discount_codes",
    responses(
        (status = 200, description = "Every code.", body = DiscountCodeList),
        (status = 401, response = Unauthorized),
        (status = 403, response = NotAdminOrOrganizer),
    ),
    security(("api_key" = [])),
)]
pub async fn list(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let reader = caller(&request, &state, Role::Organizer)?;
    let mut codes = state.engine.discount_codes();
    codes.retain(|listing| keeps_to_events(&reader, &listing.code));
    Ok(json(StatusCode::OK, &DiscountCodeList::new(&codes)))
}

/// True when `code` keeps to the caller's events: always for a key limited to no event; for
/// an organizer, a code that names events or performances, all of them its own.
fn keeps_to_events(caller: &Caller, code: &DiscountCode) -> bool {
    if caller.events.is_empty() {
        return true;
    }
    let scope = &code.scope;
    (!scope.events.is_empty() || !scope.performances.is_empty())
        && scope
            .events
            .iter()
            .all(|event| caller.events.contains(event))
        && scope
            .performances
            .iter()
            .all(|performance| caller.reaches(performance))
}
