//! Orders and people records.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::json;
use crate::actor::Role;
use crate::domain::OrderNumber;
use crate::http::app::AppState;
use crate::http::dto::{OrderAnswer, PeopleQuery, PersonDto};
use crate::http::error::ApiError;
use crate::http::request::caller;

/// `GET /orders/{number}` (owner or admin).
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
    let order = state.engine.order(&caller, number)?;
    Ok(json(StatusCode::OK, &OrderAnswer::from(&order)))
}

/// `GET /people?email=` (admin).
pub async fn person(
    request: HttpRequest,
    query: web::Query<PeopleQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller(&request, &state, Role::Admin)?;
    let person = state.engine.person(&query.email.trim().to_lowercase())?;
    Ok(json(StatusCode::OK, &PersonDto::from(&person)))
}
