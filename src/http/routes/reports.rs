//! `GET /reports/sales` and `GET /reports/takings` (admin): sales and takings summed by the
//! domain's report rules, as JSON or, for `Accept: text/csv`, as CSV.

use actix_web::http::StatusCode;
use actix_web::http::header::{ACCEPT, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};

use super::json;
use crate::actor::{Caller, Role};
use crate::domain::ReportFilter;
use crate::http::dto::{SalesQuery, SalesReportDto, TakingsQuery, TakingsReportDto};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::request::{caller, reaching, reaching_event};
use crate::http::responses::{Busy, NotAdminOrOrganizer, Unauthorized};
use crate::http::state::AppState;

/// True when the caller asked for CSV.
fn wants_csv(request: &HttpRequest) -> bool {
    request
        .headers()
        .get(ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| {
            accept.split(',').any(|range| {
                range
                    .split(';')
                    .next()
                    .is_some_and(|t| t.trim() == "text/csv")
            })
        })
}

fn csv_answer(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .body(body)
}

/// Sums the sales by performance, price band, ticket type, payment method, client or day.
///
/// Sales as sold (gross), with refunds beside them; an order's per-order fees count in the
/// row of its first ticket. `Accept: text/csv` gives the same rows as CSV with a header line.
#[utoipa::path(
    get,
    path = "/reports/sales",
    tag = "reports",
    operation_id = "sales_report",
    params(SalesQuery),
    responses(
        (status = 200, description = "One row per key and currency.", content(
            (SalesReportDto = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, description = "`invalid_request`: a malformed or unknown query \
            parameter, id or time.", body = ErrorBody),
        (status = 401, response = Unauthorized),
        (status = 403, response = NotAdminOrOrganizer),
        (status = 404, description = "`not_found`: the filter's event or performance does \
            not exist.", body = ErrorBody),
        (status = 503, response = Busy),
    ),
    security(("api_key" = [])),
)]
pub async fn sales(
    request: HttpRequest,
    query: web::Query<SalesQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let reader = caller(&request, &state, Role::Organizer)?;
    let (filter, group_by) = query.into_inner().into_parts()?;
    keeps_to_events(&reader, &filter)?;
    let rows = state.engine.sales_report(&filter, group_by).await?;
    let report = SalesReportDto::new(&rows);
    if wants_csv(&request) {
        return Ok(csv_answer(report.to_csv()?));
    }
    Ok(json(StatusCode::OK, &report))
}

/// Sums the payments recorded with the orders by method and currency.
///
/// Orders completed without a payment are not takings (the engine does not know what was
/// received). `Accept: text/csv` gives the same rows as CSV with a header line.
#[utoipa::path(
    get,
    path = "/reports/takings",
    tag = "reports",
    operation_id = "takings_report",
    params(TakingsQuery),
    responses(
        (status = 200, description = "One row per payment method and currency.", content(
            (TakingsReportDto = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, description = "`invalid_request`: a malformed or unknown query \
            parameter, id or time.", body = ErrorBody),
        (status = 401, response = Unauthorized),
        (status = 403, response = NotAdminOrOrganizer),
        (status = 404, description = "`not_found`: the filter's event or performance does \
            not exist.", body = ErrorBody),
        (status = 503, response = Busy),
    ),
    security(("api_key" = [])),
)]
pub async fn takings(
    request: HttpRequest,
    query: web::Query<TakingsQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let reader = caller(&request, &state, Role::Organizer)?;
    let mut filter = query.into_inner().into_filter()?;
    keeps_to_events(&reader, &filter)?;
    filter.whole_orders_within.clone_from(&reader.events);
    let rows = state.engine.takings_report(&filter).await?;
    let report = TakingsReportDto::new(&rows);
    if wants_csv(&request) {
        return Ok(csv_answer(report.to_csv()?));
    }
    Ok(json(StatusCode::OK, &report))
}

/// Checks that a report's filter keeps to the caller's events: an organizer's report names
/// one of its events or performances.
///
/// # Errors
/// 403 for a filter that names nothing, or something outside the caller's events.
fn keeps_to_events(reader: &Caller, filter: &ReportFilter) -> Result<(), ApiError> {
    if reader.events.is_empty() {
        return Ok(());
    }
    match (&filter.event, &filter.performance) {
        (None, None) => Err(ApiError::forbidden(
            "a report for an organizer names one of its events or performances",
        )),
        (event, performance) => {
            if let Some(event) = event {
                reaching_event(reader, event)?;
            }
            if let Some(performance) = performance {
                reaching(reader, performance)?;
            }
            Ok(())
        }
    }
}
