//! What every HTTP worker shares: the engine, the metrics, and the settings the HTTP layer
//! reads from configuration. Routes, the request helpers and the server take it from here,
//! so none of them depends on how the application is wired.

use std::sync::Arc;
use std::time::Duration;

use super::widget_rate::WidgetRate;
use crate::actor::Engine;
use crate::metrics::Metrics;

/// What the HTTP layer needs from configuration.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// The largest request body accepted.
    pub body_limit_bytes: usize,
    /// How long a request body may take to arrive.
    pub body_read_timeout: Duration,
    /// Catalogue and availability reads need no key.
    pub public_reads: bool,
    /// Take the caller's IP from `X-Forwarded-For`.
    pub trust_forwarded_for: bool,
    /// The lock time of performances created without one.
    pub default_hold_seconds: u32,
}

/// Shared by every HTTP worker.
pub struct AppState {
    /// The engine.
    pub engine: Arc<Engine>,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// HTTP settings.
    pub config: HttpConfig,
    /// The hold rate of widget keys, per IP address.
    pub widget_rate: WidgetRate,
    /// Turns true when the server begins to stop: answers that never end (seat streams)
    /// end then, so the stop need not wait for them.
    pub closing: tokio::sync::watch::Receiver<bool>,
    /// Turns true once start-up has recovered every performance (onto the HTTP workers, which
    /// start first); until then every request is answered 503 `unavailable`.
    pub serving: Arc<std::sync::atomic::AtomicBool>,
}
