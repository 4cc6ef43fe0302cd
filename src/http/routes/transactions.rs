//! Transactions: hold, check out, complete, read, release.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::json;
use crate::actor::{HoldRequest, Role};
use crate::domain::TransactionId;
use crate::http::app::AppState;
use crate::http::dto::{CreateTransaction, OrderAnswer, TransactionDto, UpdateTransaction};
use crate::http::error::ApiError;
use crate::http::request::{Body, caller, idempotency_key};

fn transaction_id(text: &str) -> Result<TransactionId, ApiError> {
    uuid::Uuid::parse_str(text)
        .map(|id| TransactionId(id.as_u128()))
        .map_err(|_| ApiError::not_found(format!("transaction {text:.80} not found")))
}

/// `POST /transactions` (sales): holds tickets and opens a transaction.
pub async fn create(
    request: HttpRequest,
    body: Body,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let parsed: Option<CreateTransaction> = body.json(&request)?;
    let hold = parsed.map(HoldRequest::try_from).transpose()?;
    let idempotency = idempotency_key(&request, &body)?;
    let caller = caller(&request, &state, Role::Sales)?;
    if let Some(performance) = hold.as_ref().and_then(first_performance) {
        state.engine.registry().get(performance)?;
    }
    body.check_size()?;
    let Some(hold) = hold else {
        return Err(ApiError::invalid_request("missing body"));
    };
    let view = state
        .engine
        .open_transaction(&caller, hold, idempotency)
        .await?;
    Ok(json(StatusCode::CREATED, &TransactionDto::brief(&view)))
}

fn first_performance(request: &HoldRequest) -> Option<&crate::domain::PerformanceId> {
    match request {
        HoldRequest::Tickets(tickets) => tickets.first().map(|t| &t.performance),
        HoldRequest::BestAvailable { performance, .. }
        | HoldRequest::GeneralAdmission { performance, .. } => Some(performance),
    }
}

/// `GET /transactions/{id}`.
pub async fn get(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller(&request, &state, Role::Sales)?;
    let view = state
        .engine
        .transaction(&caller, transaction_id(&path)?)
        .await?;
    Ok(json(StatusCode::OK, &TransactionDto::full(&view)))
}

/// `POST /transactions/{id}`: `checkout` or `complete`.
pub async fn update(
    request: HttpRequest,
    path: web::Path<String>,
    body: Body,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let parsed: Option<UpdateTransaction> = body.json(&request)?;
    let tickets = parsed
        .as_ref()
        .map(UpdateTransaction::tickets)
        .transpose()?
        .flatten();
    let caller = caller(&request, &state, Role::Sales)?;
    let id = transaction_id(&path)?;
    body.check_size()?;
    let Some(parsed) = parsed else {
        return Err(ApiError::invalid_request("missing body"));
    };
    if parsed
        .id
        .as_deref()
        .is_some_and(|given| transaction_id(given).ok() != Some(id))
    {
        return Err(ApiError::rule_violation(
            "the id in the body does not match the transaction",
        ));
    }
    match (parsed.status.as_str(), parsed.customer) {
        ("checkout", None) => {
            let view = state.engine.checkout(&caller, id, tickets).await?;
            Ok(json(StatusCode::OK, &TransactionDto::brief(&view)))
        }
        ("checkout", Some(_)) => Err(ApiError::invalid_request("checkout takes no customer")),
        ("complete", Some(customer)) => {
            let order = state
                .engine
                .complete(&caller, id, customer.try_into()?, tickets)
                .await?;
            Ok(json(StatusCode::OK, &OrderAnswer::from(&order)))
        }
        ("complete", None) => Err(ApiError::invalid_request(
            "complete needs a customer with name and email",
        )),
        _ => Err(ApiError::invalid_request(
            "status must be \"checkout\" or \"complete\"",
        )),
    }
}

/// `DELETE /transactions/{id}`: releases every lock; idempotent; never undoes a sale.
pub async fn release(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller(&request, &state, Role::Sales)?;
    let view = state
        .engine
        .release(&caller, transaction_id(&path)?)
        .await?;
    Ok(json(StatusCode::OK, &TransactionDto::full(&view)))
}
