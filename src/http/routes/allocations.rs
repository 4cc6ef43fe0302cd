//! `/performances/{id}/allocations`: seats and standing places set aside for a sales channel
//! (a reseller, a partner's box office). Keys of that channel (and admins) may hold them;
//! everyone else finds allocated seats unavailable. An admin or the performance's organizer
//! makes, reads and ends allocations.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::catalogue::performance_id;
use super::json;
use crate::actor::Role;
use crate::http::dto::{AllocationDto, AllocationList, CreateAllocation, channel_name};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::remembered::{IdempotencyKeyHeader, remembered, written};
use crate::http::request::{Body, caller, idempotency_key, idempotency_key_without_body, reaching};
use crate::http::responses::{BodyTimedOut, BodyTooLarge, Busy, NotAdminOrOrganizer, Unauthorized};
use crate::http::state::AppState;

/// Sets free seats and places aside for a channel, adding to its allocation (admin,
/// organizer).
#[utoipa::path(
    post,
    path = "/performances/{id}/allocations",
    tag = "operations",
    operation_id = "allocate",
    params(("id" = String, Path, description = "The performance id.", example = "revue-1"), IdempotencyKeyHeader),
    request_body = CreateAllocation,
    responses(
        (status = 201, description = "The channel's allocation after the change.",
            body = AllocationDto),
        (status = 400, description = "`invalid_request`: malformed JSON, wrong types, missing \
            or unknown fields, a bad channel, or malformed, repeated or other performances' \
            ticket ids.", body = ErrorBody),
        (status = 401, response = Unauthorized),
        (status = 403, response = NotAdminOrOrganizer),
        (status = 404, description = "`not_found`: unknown performance, seat or pool.",
            body = ErrorBody),
        (status = 408, response = BodyTimedOut),
        (status = 409, description = "`seat_unavailable`: a seat is held, sold, withheld or \
            another channel's (`tickets` names them); `insufficient_availability`: fewer \
            places free than asked for.", body = ErrorBody),
        (status = 413, response = BodyTooLarge),
        (status = 422, description = "`rule_violation`: more tickets than one request may \
            name, or the `Idempotency-Key` was used with another request.", body = ErrorBody),
        (status = 503, response = Busy),
    ),
    security(("api_key" = [])),
)]
pub async fn allocate(
    request: HttpRequest,
    path: web::Path<String>,
    body: Body,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let parsed: Option<CreateAllocation> = body.json(&request)?;
    let allocation = parsed.map(CreateAllocation::into_allocation).transpose()?;
    let key = idempotency_key(&request, &body)?;
    let manager = caller(&request, &state, Role::Organizer)?;
    let id = performance_id(&path)?;
    state.engine.registry().get(&id)?;
    reaching(&manager, &id)?;
    body.check_size()?;
    let Some(allocation) = allocation else {
        return Err(ApiError::invalid_request("missing body"));
    };
    let engine = &state.engine;
    remembered(&request, &state, &manager.client, key, move || async move {
        let channel = allocation.channel.clone();
        let view = engine
            .allocate(
                &id,
                allocation.channel,
                allocation.tickets,
                allocation.places,
            )
            .await?;
        let answer = AllocationList::one(&view, &channel)
            .ok_or_else(|| ApiError::from(crate::actor::EngineError::Unavailable))?;
        written(StatusCode::CREATED, &answer)
    })
    .await
}

/// Lists a performance's allocations with their counts (admin, organizer).
#[utoipa::path(
    get,
    path = "/performances/{id}/allocations",
    tag = "operations",
    operation_id = "allocations",
    params(("id" = String, Path, description = "The performance id.", example = "revue-1")),
    responses(
        (status = 200, description = "Every channel's allocation, by channel.",
            body = AllocationList),
        (status = 401, response = Unauthorized),
        (status = 403, response = NotAdminOrOrganizer),
        (status = 404, description = "`not_found`: unknown performance.", body = ErrorBody),
        (status = 503, response = Busy),
    ),
    security(("api_key" = [])),
)]
pub async fn allocations(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let manager = caller(&request, &state, Role::Organizer)?;
    let id = performance_id(&path)?;
    state.engine.registry().get(&id)?;
    reaching(&manager, &id)?;
    let view = state.engine.performance(&id).await?;
    Ok(json(StatusCode::OK, &AllocationList::new(&view)))
}

/// Ends a channel's allocation (admin, organizer): its unheld seats and places go back to
/// general sale; what the channel holds or sold stays its buyers'.
#[utoipa::path(
    delete,
    path = "/performances/{id}/allocations/{channel}",
    tag = "operations",
    operation_id = "deallocate",
    params(("id" = String, Path, description = "The performance id.", example = "revue-1"),
        ("channel" = String, Path, description = "The channel.", example = "redchair"),
        IdempotencyKeyHeader),
    responses(
        (status = 200, description = "The performance's remaining allocations.",
            body = AllocationList),
        (status = 400, description = "`invalid_request`: a bad `Idempotency-Key`.",
            body = ErrorBody),
        (status = 401, response = Unauthorized),
        (status = 403, response = NotAdminOrOrganizer),
        (status = 404, description = "`not_found`: unknown performance, or no allocation for \
            the channel there.", body = ErrorBody),
        (status = 409, description = "`invalid_state`: a request with this \
            `Idempotency-Key` is still in progress.", body = ErrorBody),
        (status = 422, description = "`rule_violation`: the `Idempotency-Key` was used with \
            another request.", body = ErrorBody),
        (status = 503, response = Busy),
    ),
    security(("api_key" = [])),
)]
pub async fn deallocate(
    request: HttpRequest,
    path: web::Path<(String, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key_without_body(&request)?;
    let manager = caller(&request, &state, Role::Organizer)?;
    let (id, channel) = path.into_inner();
    let id = performance_id(&id)?;
    let channel = channel_name(&channel)
        .map_err(|_| ApiError::not_found(format!("no allocation for channel {channel:.80}")))?;
    state.engine.registry().get(&id)?;
    reaching(&manager, &id)?;
    let engine = &state.engine;
    remembered(&request, &state, &manager.client, key, move || async move {
        let view = engine.deallocate(&id, channel).await?;
        written(StatusCode::OK, &AllocationList::new(&view))
    })
    .await
}
