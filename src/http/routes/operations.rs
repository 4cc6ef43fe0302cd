//! `/health`, `/metrics`, `/clients`, and the API's own description: `/openapi.json` and
//! `/docs`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use crate::actor::Role;
use crate::domain::ErrorCode;
use crate::http::dto::{ClientCreated, CreateClient, Health, NewClient};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::remembered::{IdempotencyKeyHeader, remembered, written};
use crate::http::request::{Body, caller, idempotency_key};
use crate::http::responses::{BodyTimedOut, BodyTooLarge, NotAdmin, Unauthorized};
use crate::http::state::AppState;

/// Answers 200 while serving.
///
/// Answers 503 `unavailable` once storage has failed and the server acknowledges nothing more.
#[utoipa::path(
    get,
    path = "/health",
    tag = "operations",
    operation_id = "health",
    responses(
        (status = 200, description = "The server is serving.", body = Health,
            example = json!({"status": "OK"})),
        (status = 503, description = "`unavailable`: storage failed; the server is stopping.",
            body = ErrorBody),
    ),
)]
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    if state.engine.is_healthy() {
        HttpResponse::Ok().json(serde_json::json!({"status": "OK"}))
    } else {
        ApiError::new(
            ErrorCode::Unavailable,
            "storage failed; the server acknowledges nothing more and is stopping",
        )
        .error_response()
    }
}

/// Renders the metrics in the Prometheus text format.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    operation_id = "metrics",
    responses((status = 200, description = "Metrics in the Prometheus text format 0.0.4.",
        body = String, content_type = "text/plain; version=0.0.4")),
)]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(
            state.metrics.render()
                + &journal_metrics(state.engine.store_stats())
                + &engine_metrics(state.engine.transactions_indexed()),
        )
}

/// What the engine keeps in memory besides the inventories.
fn engine_metrics(transactions_indexed: usize) -> String {
    let name = "holdfast_transactions_indexed";
    format!(
        "# HELP {name} Live and sold transactions the coordinator indexes in memory (ended ones are read from the archive)\n# TYPE {name} gauge\n{name} {transactions_indexed}\n"
    )
}

/// Creates a client and shows its API key once (admin).
///
/// A client is a box office, a web shop or a reseller; its role is `admin` or `sales`.
#[utoipa::path(
    post,
    path = "/clients",
    tag = "operations",
    operation_id = "create_client",
    params(IdempotencyKeyHeader),
    request_body = CreateClient,
    responses(
        (status = 201, description = "The client with its key; the key is shown only here.",
            body = ClientCreated, example = json!({
                "id": "webshop", "name": "webshop", "role": "sales",
                "key": "5c1d0e9a7b3f4a2e8d6c0b1a9f8e7d6c5c1d0e9a7b3f4a2e8d6c0b1a9f8e7d6c"
            })),
        (status = 400, description = "`invalid_request`: malformed JSON, wrong types, missing or \
            unknown fields, an unknown role, or a bad id or name.", body = ErrorBody),
        (status = 401, response = Unauthorized),
        (status = 403, response = NotAdmin),
        (status = 408, response = BodyTimedOut),
        (status = 409, description = "`already_exists`: the client id is taken; \
            `invalid_state`: a request with this `Idempotency-Key` is still in progress.",
            body = ErrorBody),
        (status = 413, response = BodyTooLarge),
        (status = 422, description = "`rule_violation`: the `Idempotency-Key` was used with \
            another request.", body = ErrorBody),
        (status = 503, description = "`unavailable`: the server cannot record the client \
            right now.", body = ErrorBody),
    ),
    security(("api_key" = [])),
)]
pub async fn create_client(
    request: HttpRequest,
    body: Body,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let parsed: Option<CreateClient> = body.json(&request)?;
    let new_client = parsed.map(NewClient::try_from).transpose()?;
    let idempotency = idempotency_key(&request, &body)?;
    let admin = caller(&request, &state, Role::Admin)?;
    body.check_size()?;
    let Some(NewClient { id, name, role }) = new_client else {
        return Err(ApiError::invalid_request("missing body"));
    };
    let engine = &state.engine;
    remembered(
        &request,
        &state,
        &admin.client,
        idempotency,
        move || async move {
            let (client, key) = engine.create_client(id, name, role).await?;
            let created = ClientCreated {
                id: client.id.to_string(),
                name: client.name,
                role: client.role.as_str(),
                key,
            };
            // A retry gets the client without its key, which is shown only once.
            Ok(written(StatusCode::CREATED, &created)?.hiding("key"))
        },
    )
    .await
}

/// The store's counters in the Prometheus text format: the average group-commit size is
/// `holdfast_journal_requests_total / holdfast_journal_commits_total`.
fn journal_metrics(stats: crate::persistence::StoreStats) -> String {
    let mut text = String::new();
    for (name, help, value) in [
        (
            "holdfast_journal_commits_total",
            "Group commits written to the store",
            stats.commits,
        ),
        (
            "holdfast_journal_requests_total",
            "Write requests carried by those commits",
            stats.requests,
        ),
        (
            "holdfast_journal_syncs_total",
            "fdatasync calls on the store's data file",
            stats.syncs,
        ),
    ] {
        text.push_str(&format!(
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n"
        ));
    }
    let name = "holdfast_store_last_snapshot_bytes";
    text.push_str(&format!(
        "# HELP {name} Size of the last snapshot encoded\n# TYPE {name} gauge\n{name} {}\n",
        stats.last_snapshot_bytes
    ));
    text
}
