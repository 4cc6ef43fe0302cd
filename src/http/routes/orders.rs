//! Orders, people records and the payment methods an order may record.

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};

use super::json;
use crate::actor::Role;
use crate::domain::OrderNumber;
use crate::http::dto::{OrderAnswer, PaymentMethods, PeopleQuery, PersonDto};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::request::caller;
use crate::http::responses::{NotAdmin, Unauthorized};
use crate::http::state::AppState;
use crate::http::ticket_pdf;

/// The order number in a path; anything else names no order (404).
pub(super) fn order_number(path: &str) -> Result<OrderNumber, ApiError> {
    path.parse::<u64>()
        .map(OrderNumber)
        .map_err(|_| ApiError::not_found(format!("order {path:.80} not found")))
}

/// Reads an order with its tickets, barcodes, customer and totals (owner or admin).
#[utoipa::path(
    get,
    path = "/orders/{number}",
    tag = "orders",
    operation_id = "get_order",
    params(("number" = String, Path, description = "The order number.", example = "100001")),
    responses(
        (status = 200, description = "The order.", body = OrderAnswer),
        (status = 401, response = Unauthorized),
        (status = 403, description = "`forbidden`: another client's order.", body = ErrorBody),
        (status = 404, description = "`not_found`: unknown order.", body = ErrorBody),
        (status = 503, description = "`overloaded` (retry after `Retry-After` seconds): a \
            performance of the order is busy; or `unavailable`.", body = ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds to wait before retrying; \
                set with `overloaded`."))),
    ),
    security(("api_key" = [])),
)]
pub async fn order(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller(&request, &state, Role::Sales)?;
    let number = order_number(&path)?;
    let order = state.engine.order(&caller, number).await?;
    Ok(json(StatusCode::OK, &OrderAnswer::from(&order)))
}

/// A PDF file, as the OpenAPI description names it.
pub(crate) struct PdfFile;

impl utoipa::PartialSchema for PdfFile {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .description(Some("A PDF document, one page per ticket."))
            .into()
    }
}

impl utoipa::ToSchema for PdfFile {}

/// The order's tickets as a PDF, one page per ticket with a QR code of its barcode (owner or
/// admin).
///
/// Each page shows the event, venue, performance time, seat or standing place, ticket type
/// and price paid, the order number, and the barcode as digits and as a QR code.
#[utoipa::path(
    get,
    path = "/orders/{number}/tickets.pdf",
    tag = "orders",
    operation_id = "get_order_tickets_pdf",
    params(("number" = String, Path, description = "The order number.", example = "100001")),
    responses(
        (status = 200, description = "The tickets.", content((PdfFile = "application/pdf"))),
        (status = 401, response = Unauthorized),
        (status = 403, description = "`forbidden`: another client's order.", body = ErrorBody),
        (status = 404, description = "`not_found`: unknown order.", body = ErrorBody),
        (status = 503, description = "`overloaded` (retry after `Retry-After` seconds): a \
            performance of the order is busy; or `unavailable`.", body = ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds to wait before retrying; \
                set with `overloaded`."))),
    ),
    security(("api_key" = [])),
)]
pub async fn tickets_pdf(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller(&request, &state, Role::Sales)?;
    let number = order_number(&path)?;
    let order = state.engine.order(&caller, number).await?;
    let pdf = ticket_pdf::render(&ticket_pdf::ticket_pages(&order))
        .map_err(|error| ApiError::new(crate::domain::ErrorCode::Unavailable, error.to_string()))?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/pdf"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("inline; filename=\"order-{number}.pdf\""),
        ))
        .body(pdf))
}

/// Reads the people record of an email address (admin).
#[utoipa::path(
    get,
    path = "/people",
    tag = "orders",
    operation_id = "get_person",
    params(PeopleQuery),
    responses(
        (status = 200, description = "The people record.", body = PersonDto),
        (status = 400, description = "`invalid_request`: `email` missing, or an unknown query \
            parameter.", body = ErrorBody),
        (status = 401, response = Unauthorized),
        (status = 403, response = NotAdmin),
        (status = 404, description = "`not_found`: no record for this email.",
            body = ErrorBody),
    ),
    security(("api_key" = [])),
)]
pub async fn person(
    request: HttpRequest,
    query: web::Query<PeopleQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller(&request, &state, Role::Admin)?;
    let person = state.engine.person(&query.email.trim().to_lowercase())?;
    Ok(json(StatusCode::OK, &PersonDto::from(&person)))
}

/// Lists the payment methods a completion may record, in the server's configured order.
#[utoipa::path(
    get,
    path = "/payment-methods",
    tag = "orders",
    operation_id = "list_payment_methods",
    responses(
        (status = 200, description = "The methods.", body = PaymentMethods),
        (status = 401, response = Unauthorized),
    ),
    security(("api_key" = [])),
)]
pub async fn payment_methods(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller(&request, &state, Role::Sales)?;
    let methods = state.engine.payment_methods().to_vec();
    Ok(json(
        StatusCode::OK,
        &PaymentMethods {
            payment_methods: methods,
        },
    ))
}
