//! `/health`, `/metrics`, and the API's own description: `/openapi.json` and `/docs`.

use actix_web::{HttpResponse, ResponseError, web};

use crate::domain::ErrorCode;
use crate::http::dto::Health;
use crate::http::error::{ApiError, ErrorBody};
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
