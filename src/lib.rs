//! holdfast: a seat reservation engine.
//!
//! A request takes one path, and dependencies point inward only:
//!
//! ```text
//! http         parses, authenticates, routes by performance id   (actix-web)
//!   └─ actor   one PerformanceActor per performance serializes every decision (actix)
//!        └─ persistence   the journal a change is written to before it is acknowledged
//!             └─ domain   pure Rust: decide(command, now) -> change; apply(change)
//! ```
//!
//! `main.rs` wires the layers together through [`startup::Application`].

#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod actor;
pub mod config;
pub mod demo;
pub mod domain;
pub mod http;
pub mod metrics;
pub mod persistence;
#[cfg(test)]
mod simulation;
pub mod startup;
pub mod telemetry;
