//! The HTTP front (actix-web): routes, authentication, request and response shapes, and the
//! one mapping from engine errors to the contract's error body.
//!
//! A request is parsed, authenticated, routed by performance id (a ticket id carries its
//! performance) to the engine, and answered. Requests are judged in the contract's order of
//! faults: body (400), key (401, 403), what the path names (404), size (413), then the engine.

mod dto;
mod error;
mod openapi;
mod remembered;
mod request;
mod responses;
mod router;
mod routes;
mod schema_rules;
mod server;
mod state;
mod ticket_pdf;
pub mod widget_rate;

pub use error::ApiError;
pub use server::serve;
pub use state::{AppState, HttpConfig};
