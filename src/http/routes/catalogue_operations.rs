//! What a box office changes after creating a performance: holdbacks, its time, hold time,
//! rules and sale status, a copy of it, and its event's name and place. An admin may change
//! anything; an organizer what belongs to its events (403 elsewhere).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::catalogue::{event_id, performance_id};
use crate::actor::Role;
use crate::http::dto::{
    CopyPerformance, EventDto, EventPatch, Holdbacks, PerformanceDto, PerformancePatch,
};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::remembered::{IdempotencyKeyHeader, remembered, written};
use crate::http::request::{Body, caller, idempotency_key, reaching, reaching_event};
use crate::http::responses::{BodyTimedOut, BodyTooLarge, Busy, NotAdminOrOrganizer, Unauthorized};
use crate::http::state::AppState;

/// Takes seats and standing places off sale or puts them back (admin, organizer).
///
/// For house seats, a fringe allocation or a closed standing area. Answers with the
/// performance and its counts.
#[utoipa::path(
    post,
    path = "/performances/{id}/holdbacks",
    tag = "operations",
    operation_id = "change_holdbacks",
    params(("id" = String, Path, description = "The performance id.", example = "revue-1"), IdempotencyKeyHeader),
    request_body = Holdbacks,
    responses(
        (status = 200, description = "The performance after the change.", body = PerformanceDto),
        (status = 400, description = "`invalid_request`: malformed JSON, wrong types, unknown \
            fields, malformed or repeated ticket ids, tickets of another performance, or a \
            body that names nothing.", body = ErrorBody),
        (status = 401, response = Unauthorized),
        (status = 403, response = NotAdminOrOrganizer),
        (status = 404, description = "`not_found`: unknown performance, seat or pool.",
            body = ErrorBody),
        (status = 408, response = BodyTimedOut),
        (status = 409, description = "`seat_unavailable`: a seat to withhold is held, sold or \
            allocated; `insufficient_availability`: fewer places free than asked to withhold; \
            `invalid_state`: a seat to release is not withheld (`tickets` names them), or \
            fewer places are withheld than asked to release.", body = ErrorBody),
        (status = 413, response = BodyTooLarge),
        (status = 422, description = "`rule_violation`: more tickets than one request may \
            name, or the `Idempotency-Key` was used with another request.", body = ErrorBody),
        (status = 503, response = Busy),
    ),
    security(("api_key" = [])),
)]
pub async fn holdbacks(
    request: HttpRequest,
    path: web::Path<String>,
    body: Body,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let parsed: Option<Holdbacks> = body.json(&request)?;
    let holdbacks = parsed.map(Holdbacks::into_holdbacks).transpose()?;
    let key = idempotency_key(&request, &body)?;
    let manager = caller(&request, &state, Role::Organizer)?;
    let id = performance_id(&path)?;
    state.engine.registry().get(&id)?;
    reaching(&manager, &id)?;
    body.check_size()?;
    let Some(holdbacks) = holdbacks else {
        return Err(ApiError::invalid_request("missing body"));
    };
    let engine = &state.engine;
    remembered(&request, &state, &manager.client, key, move || async move {
        let view = engine.change_holdbacks(&id, holdbacks).await?;
        written(StatusCode::OK, &PerformanceDto::from(&view))
    })
    .await
}

/// Changes a performance's time, hold time, rules or sale status (admin, organizer).
///
/// Locks already taken keep their expiry. `off_sale` refuses new holds (409 `invalid_state`)
/// while holds placed may still complete; `cancelled` is final and also refuses checkouts and
/// completions, while releases and refunds still work.
#[utoipa::path(
    patch,
    path = "/performances/{id}",
    tag = "operations",
    operation_id = "update_performance",
    params(("id" = String, Path, description = "The performance id.", example = "revue-1"), IdempotencyKeyHeader),
    request_body = PerformancePatch,
    responses(
        (status = 200, description = "The performance after the change.", body = PerformanceDto),
        (status = 400, description = "`invalid_request`: malformed JSON, wrong types, unknown \
            fields, a bad time or status, a bad hold time or rules, or a body that changes \
            nothing.", body = ErrorBody),
        (status = 401, response = Unauthorized),
        (status = 403, response = NotAdminOrOrganizer),
        (status = 404, description = "`not_found`: unknown performance.", body = ErrorBody),
        (status = 408, response = BodyTimedOut),
        (status = 409, description = "`invalid_state`: the performance is cancelled, which is \
            final.", body = ErrorBody),
        (status = 413, response = BodyTooLarge),
        (status = 422, description = "`rule_violation`: the `Idempotency-Key` was used with \
            another request.", body = ErrorBody),
        (status = 503, response = Busy),
    ),
    security(("api_key" = [])),
)]
pub async fn update_performance(
    request: HttpRequest,
    path: web::Path<String>,
    body: Body,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let parsed: Option<PerformancePatch> = body.json(&request)?;
    let update = parsed.map(PerformancePatch::into_update).transpose()?;
    let key = idempotency_key(&request, &body)?;
    let manager = caller(&request, &state, Role::Organizer)?;
    let id = performance_id(&path)?;
    state.engine.registry().get(&id)?;
    reaching(&manager, &id)?;
    body.check_size()?;
    let Some(update) = update else {
        return Err(ApiError::invalid_request("missing body"));
    };
    let engine = &state.engine;
    remembered(&request, &state, &manager.client, key, move || async move {
        let view = engine.update_performance(&id, update).await?;
        written(StatusCode::OK, &PerformanceDto::from(&view))
    })
    .await
}

/// Copies a performance (admin, organizer): the same event, plan, bands, ticket types, fees,
/// hold time and rules, at another time, with every seat free.
///
/// Holdbacks and allocations are not copied: they are the source's inventory, not its plan.
#[utoipa::path(
    post,
    path = "/performances/{id}/copy",
    tag = "operations",
    operation_id = "copy_performance",
    params(("id" = String, Path, description = "The performance to copy.", example = "revue-1"), IdempotencyKeyHeader),
    request_body = CopyPerformance,
    responses(
        (status = 201, description = "The copy.", body = PerformanceDto),
        (status = 400, description = "`invalid_request`: malformed JSON, wrong types, missing \
            or unknown fields, or a bad id or time.", body = ErrorBody),
        (status = 401, response = Unauthorized),
        (status = 403, response = NotAdminOrOrganizer),
        (status = 404, description = "`not_found`: unknown performance.", body = ErrorBody),
        (status = 408, response = BodyTimedOut),
        (status = 409, description = "`already_exists`: the copy's id is taken.",
            body = ErrorBody),
        (status = 413, response = BodyTooLarge),
        (status = 422, description = "`rule_violation`: the `Idempotency-Key` was used with \
            another request.", body = ErrorBody),
        (status = 503, response = Busy),
    ),
    security(("api_key" = [])),
)]
pub async fn copy_performance(
    request: HttpRequest,
    path: web::Path<String>,
    body: Body,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let parsed: Option<CopyPerformance> = body.json(&request)?;
    let parts = parsed.map(CopyPerformance::into_parts).transpose()?;
    let key = idempotency_key(&request, &body)?;
    let manager = caller(&request, &state, Role::Organizer)?;
    let id = performance_id(&path)?;
    state.engine.registry().get(&id)?;
    reaching(&manager, &id)?;
    body.check_size()?;
    let Some((new_id, starts_at)) = parts else {
        return Err(ApiError::invalid_request("missing body"));
    };
    let engine = &state.engine;
    remembered(&request, &state, &manager.client, key, move || async move {
        let view = engine.copy_performance(&id, new_id, starts_at).await?;
        written(StatusCode::CREATED, &PerformanceDto::from(&view))
    })
    .await
}

/// Renames an event or moves it to another venue or city (admin, organizer): every one of its
/// performances shows the change, at once and after a restart.
#[utoipa::path(
    patch,
    path = "/events/{id}",
    tag = "operations",
    operation_id = "update_event",
    params(("id" = String, Path, description = "The event id.", example = "holdfast-revue"), IdempotencyKeyHeader),
    request_body = EventPatch,
    responses(
        (status = 200, description = "The event after the change.", body = EventDto),
        (status = 400, description = "`invalid_request`: malformed JSON, wrong types, unknown \
            fields, text too long or not plain, an empty name, or a body that changes \
            nothing.", body = ErrorBody),
        (status = 401, response = Unauthorized),
        (status = 403, response = NotAdminOrOrganizer),
        (status = 404, description = "`not_found`: unknown event.", body = ErrorBody),
        (status = 408, response = BodyTimedOut),
        (status = 413, response = BodyTooLarge),
        (status = 422, description = "`rule_violation`: the `Idempotency-Key` was used with \
            another request.", body = ErrorBody),
        (status = 503, response = Busy),
    ),
    security(("api_key" = [])),
)]
pub async fn update_event(
    request: HttpRequest,
    path: web::Path<String>,
    body: Body,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let parsed: Option<EventPatch> = body.json(&request)?;
    let update = parsed.map(EventPatch::into_update).transpose()?;
    let key = idempotency_key(&request, &body)?;
    let manager = caller(&request, &state, Role::Organizer)?;
    let id = event_id(&path)?;
    state.engine.event(&id)?;
    reaching_event(&manager, &id)?;
    body.check_size()?;
    let Some(update) = update else {
        return Err(ApiError::invalid_request("missing body"));
    };
    let engine = &state.engine;
    remembered(&request, &state, &manager.client, key, move || async move {
        let event = engine.update_event(&id, update).await?;
        written(StatusCode::OK, &EventDto::from(&event))
    })
    .await
}
