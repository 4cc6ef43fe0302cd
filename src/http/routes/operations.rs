//! `/health`, `/metrics` and `/clients`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::json;
use crate::actor::{Role, generate_key};
use crate::domain::ClientId;
use crate::http::app::AppState;
use crate::http::dto::{ClientCreated, CreateClient};
use crate::http::error::ApiError;
use crate::http::request::{Body, caller};

/// `GET /health`: 200 while serving.
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "OK"}))
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render())
}

/// `POST /clients` (admin): creates a client and shows its key once.
pub async fn create_client(
    request: HttpRequest,
    body: Body,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let parsed: Option<CreateClient> = body.json(&request)?;
    caller(&request, &state, Role::Admin)?;
    body.check_size()?;
    let Some(parsed) = parsed else {
        return Err(ApiError::invalid_request("missing body"));
    };
    let role = Role::parse(&parsed.role)
        .ok_or_else(|| ApiError::invalid_request("role must be \"admin\" or \"sales\""))?;
    let name = parsed.name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ApiError::invalid_request(
            "name must be 1 to 100 characters without control characters",
        ));
    }
    let id = match parsed.id {
        Some(id) => id,
        None => format!(
            "client-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        ),
    };
    let id = ClientId::parse(&id).map_err(|error| ApiError::invalid_request(error.to_string()))?;
    let key = generate_key()?;
    let client = state.clients.register(id, name.to_owned(), role, &key)?;
    Ok(json(
        StatusCode::CREATED,
        &ClientCreated {
            id: client.id.to_string(),
            name: client.name,
            role: client.role.as_str(),
            key,
        },
    ))
}
