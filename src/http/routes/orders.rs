//! Orders, people records and the payment methods an order may record.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::json;
use crate::actor::Role;
use crate::domain::OrderNumber;
use crate::http::dto::{OrderAnswer, PaymentMethods, PeopleQuery, PersonDto};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::request::caller;
use crate::http::responses::{NotAdmin, Unauthorized};
use crate::http::state::AppState;

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
    let number = path
        .parse::<u64>()
        .map(OrderNumber)
        .map_err(|_| ApiError::not_found(format!("order {:.80} not found", path.as_str())))?;
    let order = state.engine.order(&caller, number).await?;
    Ok(json(StatusCode::OK, &OrderAnswer::from(&order)))
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
