//! Performances, events, availability and seat maps: creating and reading them.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::json;
use std::sync::Arc;

use crate::actor::{Page, Role};
use crate::domain::{EventId, PerformanceId, PerformanceInfo, Timestamp};
use crate::http::dto::{
    AvailabilityDto, AvailabilityQuery, CreatePerformance, EventDto, EventList, EventsQuery, Meta,
    PerformanceDto, PerformanceList, PerformanceSummary, PerformancesQuery, SeatMapDto, parse_time,
};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::remembered::{IdempotencyKeyHeader, remembered, written};
use crate::http::request::{Body, caller, idempotency_key, reaching_event, reader};
use crate::http::responses::{
    BodyTimedOut, BodyTooLarge, Busy, NotAdminOrOrganizer, Unauthorized, UnauthorizedRead,
};
use crate::http::state::AppState;

const PAGE_LENGTH_DEFAULT: usize = 50;
const PAGE_LENGTH_MAX: usize = 500;

fn paging(page: Option<u32>, page_length: Option<usize>) -> Result<(usize, usize), ApiError> {
    let page_length = page_length.unwrap_or(PAGE_LENGTH_DEFAULT);
    if page_length == 0 || page_length > PAGE_LENGTH_MAX {
        return Err(ApiError::invalid_request(format!(
            "page_length must be from 1 to {PAGE_LENGTH_MAX}"
        )));
    }
    Ok((page.map_or(0, |page| page as usize), page_length))
}

/// Parses an event id from the path; a malformed id cannot exist, so it is not found.
pub(crate) fn event_id(text: &str) -> Result<EventId, ApiError> {
    EventId::parse(text).map_err(|_| ApiError::not_found(format!("event {text:.80} not found")))
}

/// Parses a performance id from the path; a malformed id cannot exist, so it is not found.
pub(crate) fn performance_id(text: &str) -> Result<PerformanceId, ApiError> {
    PerformanceId::parse(text)
        .map_err(|_| ApiError::not_found(format!("performance {text:.80} not found")))
}

/// Creates a performance with its seating plan (admin, or an organizer of its event).
///
/// Seat ids default to `<section>-<row><number>` (`STALLS-A7`). Answers 201 with the created
/// performance, its plan and counts.
#[utoipa::path(
    post,
    path = "/performances",
    tag = "catalogue",
    operation_id = "create_performance",
    params(IdempotencyKeyHeader),
    request_body = CreatePerformance,
    responses(
        (status = 201, description = "The performance, created.", body = PerformanceDto),
        (status = 400, description = "`invalid_request`: malformed JSON, wrong types, missing or \
            unknown fields, or a bad id, time, price, currency or plan.", body = ErrorBody),
        (status = 401, response = Unauthorized),
        (status = 403, response = NotAdminOrOrganizer),
        (status = 408, response = BodyTimedOut),
        (status = 409, description = "`already_exists`: the performance id is taken.",
            body = ErrorBody),
        (status = 413, response = BodyTooLarge),
        (status = 422, description = "`rule_violation`: the plan has more seats than allowed, \
            or the `Idempotency-Key` was used with another request.",
            body = ErrorBody),
        (status = 503, response = Busy),
    ),
    security(("api_key" = [])),
)]
pub async fn create_performance(
    request: HttpRequest,
    body: Body,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let parsed: Option<CreatePerformance> = body.json(&request)?;
    // Ids, times, prices and names are body faults (400), judged before the key; whether the
    // plan itself holds together is the engine's to judge, after it.
    let parts = parsed
        .map(|parsed| {
            let generated = format!("perf-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
            parsed.into_parts(generated, state.config.default_hold_seconds)
        })
        .transpose()?;
    let key = idempotency_key(&request, &body)?;
    let maker = caller(&request, &state, Role::Organizer)?;
    body.check_size()?;
    let Some((info, spec)) = parts else {
        return Err(ApiError::invalid_request("missing body"));
    };
    reaching_event(&maker, &info.event.id)?;
    let engine = &state.engine;
    remembered(&request, &state, &maker.client, key, move || async move {
        let view = engine.create_performance(info, spec).await?;
        written(StatusCode::CREATED, &PerformanceDto::from(&view))
    })
    .await
}

/// Reads a performance with its plan and counts.
///
/// `counts` are seats only (`available`, `held`, `sold`, `withheld`), also given per price
/// band; general admission is reported per pool.
#[utoipa::path(
    get,
    path = "/performances/{id}",
    tag = "catalogue",
    operation_id = "get_performance",
    params(("id" = String, Path, description = "The performance id.", example = "revue-1")),
    responses(
        (status = 200, description = "The performance.", body = PerformanceDto),
        (status = 401, response = UnauthorizedRead),
        (status = 404, description = "`not_found`: unknown performance.", body = ErrorBody),
        (status = 503, response = Busy),
    ),
    security((), ("api_key" = [])),
)]
pub async fn performance(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    reader(&request, &state)?;
    let view = state.engine.performance(&performance_id(&path)?).await?;
    Ok(json(StatusCode::OK, &PerformanceDto::from(&view)))
}

/// Lists a performance's free seat blocks, for search pages and seat-selection widgets.
///
/// A seat block is a maximal run of free adjacent seats, seats in seat order. With
/// `quantity`, only blocks from which that many seats can be held under the performance's
/// rules are listed.
#[utoipa::path(
    get,
    path = "/performances/{id}/availability",
    tag = "availability",
    operation_id = "get_availability",
    params(
        ("id" = String, Path, description = "The performance id.", example = "revue-1"),
        AvailabilityQuery,
    ),
    responses(
        (status = 200, description = "The free seat blocks per price band, and the free \
            general-admission places per pool.", body = AvailabilityDto),
        (status = 400, description = "`invalid_request`: a malformed or unknown query \
            parameter.", body = ErrorBody),
        (status = 401, response = UnauthorizedRead),
        (status = 404, description = "`not_found`: unknown performance or price band.",
            body = ErrorBody),
        (status = 503, response = Busy),
    ),
    security((), ("api_key" = [])),
)]
pub async fn availability(
    request: HttpRequest,
    path: web::Path<String>,
    query: web::Query<AvailabilityQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    reader(&request, &state)?;
    let query = query.into_inner();
    let view = state
        .engine
        .availability(&performance_id(&path)?, query.quantity, query.price_band)
        .await?;
    Ok(json(StatusCode::OK, &AvailabilityDto::from(&view)))
}

/// Lists every seat of a performance with its status, in plan order.
///
/// `version` increases with every change to the performance.
#[utoipa::path(
    get,
    path = "/performances/{id}/seats",
    tag = "availability",
    operation_id = "get_seats",
    params(("id" = String, Path, description = "The performance id.", example = "revue-1")),
    responses(
        (status = 200, description = "The seat map.", body = SeatMapDto),
        (status = 401, response = UnauthorizedRead),
        (status = 404, description = "`not_found`: unknown performance.", body = ErrorBody),
        (status = 503, response = Busy),
    ),
    security((), ("api_key" = [])),
)]
pub async fn seats(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    reader(&request, &state)?;
    let view = state.engine.seat_map(&performance_id(&path)?).await?;
    Ok(json(StatusCode::OK, &SeatMapDto::from(&view)))
}

/// Lists events, matching `q` case-insensitively on name, venue and city.
///
/// Sorted by name, with paging metadata.
#[utoipa::path(
    get,
    path = "/events",
    tag = "catalogue",
    operation_id = "list_events",
    params(EventsQuery),
    responses(
        (status = 200, description = "A page of events.", body = EventList),
        (status = 400, description = "`invalid_request`: a malformed or unknown query \
            parameter, or `page_length` out of range.", body = ErrorBody),
        (status = 401, response = UnauthorizedRead),
    ),
    security((), ("api_key" = [])),
)]
pub async fn events(
    request: HttpRequest,
    query: web::Query<EventsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    reader(&request, &state)?;
    let (page, page_length) = paging(query.page, query.page_length)?;
    let found = state
        .engine
        .events(query.q.as_deref(), query.city.as_deref(), page, page_length);
    Ok(json(
        StatusCode::OK,
        &EventList {
            events: found.items.iter().map(EventDto::from).collect(),
            meta: Meta::new(page, page_length, found.total),
        },
    ))
}

/// Lists an event's performances starting within `[from, to]`, soonest first.
///
/// With paging metadata.
#[utoipa::path(
    get,
    path = "/events/{id}/performances",
    tag = "catalogue",
    operation_id = "list_event_performances",
    params(
        ("id" = String, Path, description = "The event id.", example = "holdfast-revue"),
        PerformancesQuery,
    ),
    responses(
        (status = 200, description = "A page of performances.", body = PerformanceList),
        (status = 400, description = "`invalid_request`: a malformed or unknown query \
            parameter, a time that is not RFC 3339, or `page_length` out of range.",
            body = ErrorBody),
        (status = 401, response = UnauthorizedRead),
        (status = 404, description = "`not_found`: unknown event.", body = ErrorBody),
        (status = 503, response = Busy),
    ),
    security((), ("api_key" = [])),
)]
pub async fn event_performances(
    request: HttpRequest,
    path: web::Path<String>,
    query: web::Query<PerformancesQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    reader(&request, &state)?;
    let event = event_id(&path)?;
    let (page, page_length) = paging(query.page, query.page_length)?;
    let (from, to) = time_range(&query)?;
    let found = state
        .engine
        .event_performances(&event, from, to, page, page_length)?;
    listing(&state, found, page, page_length).await
}

/// A page of performances with their counts, read from each one's actor.
async fn listing(
    state: &AppState,
    found: Page<Arc<PerformanceInfo>>,
    page: usize,
    page_length: usize,
) -> Result<HttpResponse, ApiError> {
    let mut performances = Vec::with_capacity(found.items.len());
    for info in &found.items {
        let view = state.engine.performance(&info.id).await?;
        performances.push(PerformanceSummary::from(&view));
    }
    Ok(json(
        StatusCode::OK,
        &PerformanceList {
            performances,
            meta: Meta::new(page, page_length, found.total),
        },
    ))
}

fn time_range(
    query: &PerformancesQuery,
) -> Result<(Option<Timestamp>, Option<Timestamp>), ApiError> {
    let parse = |field: &str, text: &Option<String>| {
        text.as_deref().map(|t| parse_time(field, t)).transpose()
    };
    Ok((parse("from", &query.from)?, parse("to", &query.to)?))
}

/// The programme: performances of every event, soonest first, with their counts.
///
/// From `from` (now when left out, so what is still on sale) to `to`, with paging metadata
/// as `/events`; each as in `/events/{id}/performances`, with its event and seat counts.
#[utoipa::path(
    get,
    path = "/programme",
    tag = "catalogue",
    operation_id = "programme",
    params(PerformancesQuery),
    responses(
        (status = 200, description = "A page of performances.", body = PerformanceList),
        (status = 400, description = "`invalid_request`: a malformed or unknown query \
            parameter, a time that is not RFC 3339, or `page_length` out of range.",
            body = ErrorBody),
        (status = 401, response = UnauthorizedRead),
        (status = 503, response = Busy),
    ),
    security((), ("api_key" = [])),
)]
pub async fn programme(
    request: HttpRequest,
    query: web::Query<PerformancesQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    reader(&request, &state)?;
    let (page, page_length) = paging(query.page, query.page_length)?;
    let (from, to) = time_range(&query)?;
    let found = state.engine.programme(from, to, page, page_length);
    listing(&state, found, page, page_length).await
}

/// Reads an event, as `/events` lists it.
#[utoipa::path(
    get,
    path = "/events/{id}",
    tag = "catalogue",
    operation_id = "get_event",
    params(("id" = String, Path, description = "The event id.", example = "holdfast-revue")),
    responses(
        (status = 200, description = "The event.", body = EventDto),
        (status = 401, response = UnauthorizedRead),
        (status = 404, description = "`not_found`: unknown event.", body = ErrorBody),
    ),
    security((), ("api_key" = [])),
)]
pub async fn event(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    reader(&request, &state)?;
    let id = event_id(&path)?;
    let event = state.engine.event(&id)?;
    Ok(json(StatusCode::OK, &EventDto::from(&event)))
}
