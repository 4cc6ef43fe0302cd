//! Performances, events, availability, seat maps and holdbacks.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::json;
use crate::actor::Role;
use crate::domain::{EventId, PerformanceId};
use crate::http::app::AppState;
use crate::http::dto::{
    AvailabilityDto, AvailabilityQuery, CreatePerformance, EventDto, EventList, EventsQuery,
    Holdbacks, Meta, PerformanceDto, PerformanceList, PerformanceSummary, PerformancesQuery,
    SeatMapDto, parse_time,
};
use crate::http::error::ApiError;
use crate::http::request::{Body, caller, reader};

const PAGE_LENGTH_DEFAULT: usize = 50;
const PAGE_LENGTH_MAX: usize = 500;

fn paging(page: Option<usize>, page_length: Option<usize>) -> Result<(usize, usize), ApiError> {
    let page_length = page_length.unwrap_or(PAGE_LENGTH_DEFAULT);
    if page_length == 0 || page_length > PAGE_LENGTH_MAX {
        return Err(ApiError::invalid_request(format!(
            "page_length must be from 1 to {PAGE_LENGTH_MAX}"
        )));
    }
    Ok((page.unwrap_or(0), page_length))
}

/// Parses a performance id from the path; a malformed id cannot exist, so it is not found.
pub(crate) fn performance_id(text: &str) -> Result<PerformanceId, ApiError> {
    PerformanceId::parse(text)
        .map_err(|_| ApiError::not_found(format!("performance {text:.80} not found")))
}

/// `POST /performances` (admin).
pub async fn create_performance(
    request: HttpRequest,
    body: Body,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let parsed: Option<CreatePerformance> = body.json(&request)?;
    caller(&request, &state, Role::Admin)?;
    body.check_size()?;
    let Some(parsed) = parsed else {
        return Err(ApiError::invalid_request("missing body"));
    };
    let generated = format!("perf-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let (info, spec) = parsed.into_parts(generated, state.config.default_hold_seconds)?;
    let view = state.engine.create_performance(info, spec).await?;
    Ok(json(StatusCode::CREATED, &PerformanceDto::from(&view)))
}

/// `GET /performances/{id}`.
pub async fn performance(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    reader(&request, &state)?;
    let view = state.engine.performance(&performance_id(&path)?).await?;
    Ok(json(StatusCode::OK, &PerformanceDto::from(&view)))
}

/// `GET /performances/{id}/availability`.
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

/// `GET /performances/{id}/seats`.
pub async fn seats(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    reader(&request, &state)?;
    let view = state.engine.seat_map(&performance_id(&path)?).await?;
    Ok(json(StatusCode::OK, &SeatMapDto::from(&view)))
}

/// `POST /performances/{id}/holdbacks` (admin).
pub async fn holdbacks(
    request: HttpRequest,
    path: web::Path<String>,
    body: Body,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let parsed: Option<Holdbacks> = body.json(&request)?;
    caller(&request, &state, Role::Admin)?;
    let id = performance_id(&path)?;
    state.engine.registry().get(&id)?;
    body.check_size()?;
    let Some(parsed) = parsed else {
        return Err(ApiError::invalid_request("missing body"));
    };
    let (withhold, release) = parsed.into_tickets()?;
    let view = state
        .engine
        .change_holdbacks(&id, withhold, release)
        .await?;
    Ok(json(StatusCode::OK, &PerformanceDto::from(&view)))
}

/// `GET /events`.
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

/// `GET /events/{id}/performances`.
pub async fn event_performances(
    request: HttpRequest,
    path: web::Path<String>,
    query: web::Query<PerformancesQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    reader(&request, &state)?;
    let event = EventId::parse(&path)
        .map_err(|_| ApiError::not_found(format!("event {:.80} not found", path.as_str())))?;
    let (page, page_length) = paging(query.page, query.page_length)?;
    let from = query
        .from
        .as_deref()
        .map(|t| parse_time("from", t))
        .transpose()?;
    let to = query
        .to
        .as_deref()
        .map(|t| parse_time("to", t))
        .transpose()?;
    let found = state
        .engine
        .event_performances(&event, from, to, page, page_length)?;
    Ok(json(
        StatusCode::OK,
        &PerformanceList {
            performances: found
                .items
                .iter()
                .map(|info| PerformanceSummary::from(info.as_ref()))
                .collect(),
            meta: Meta::new(page, page_length, found.total),
        },
    ))
}
