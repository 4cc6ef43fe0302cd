//! One file per resource. A route reads its request in the contract's order of faults,
//! converts the body into an engine request, calls the engine and renders the answer; no
//! business rule lives here.

pub mod allocations;
pub mod catalogue;
pub mod catalogue_operations;
pub mod clients;
pub mod discounts;
pub mod history;
pub mod operations;
pub mod orders;
pub mod refunds;
pub mod reports;
pub mod scans;
pub mod seat_stream;
pub mod transactions;
pub mod widget;

use actix_web::HttpResponse;
use serde::Serialize;

/// Answers `status` with `body` as JSON.
fn json<T: Serialize>(status: actix_web::http::StatusCode, body: &T) -> HttpResponse {
    HttpResponse::build(status).json(body)
}
