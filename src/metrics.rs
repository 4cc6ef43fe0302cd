//! Counters and histograms served at `/metrics` in the Prometheus text format.
//!
//! One [`Metrics`] per application, shared by the HTTP front (requests and latency by route)
//! and the actors (holds, sales, scans, releases, expiries, admission rejections).

use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry};

use crate::domain::Change;

/// The application's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    holds: IntCounter,
    sales: IntCounter,
    scans: IntCounter,
    refunds: IntCounter,
    releases: IntCounter,
    expiries: IntCounter,
    admission_rejections: IntCounter,
}

impl Metrics {
    /// Creates and registers every metric.
    ///
    /// # Panics
    /// Panics if a metric's definition is invalid, which is a programming error caught by
    /// every test that builds an application.
    pub fn new() -> Self {
        let registry = Registry::new();
        let counter = |name: &str, help: &str| {
            let counter = IntCounter::new(name, help).expect("a valid metric definition");
            registry
                .register(Box::new(counter.clone()))
                .expect("each metric is registered once");
            counter
        };
        let requests = IntCounterVec::new(
            Opts::new(
                "holdfast_http_requests_total",
                "HTTP requests by route, method and status",
            ),
            &["route", "method", "status"],
        )
        .expect("a valid metric definition");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "holdfast_http_request_duration_seconds",
                "HTTP request latency by route",
            )
            .buckets(vec![
                0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                0.5, 1.0,
            ]),
            &["route"],
        )
        .expect("a valid metric definition");
        registry
            .register(Box::new(requests.clone()))
            .expect("each metric is registered once");
        registry
            .register(Box::new(latency.clone()))
            .expect("each metric is registered once");
        Self {
            holds: counter("holdfast_holds_total", "Holds placed"),
            sales: counter("holdfast_sales_total", "Holds sold"),
            scans: counter("holdfast_scans_total", "Tickets admitted at the door"),
            refunds: counter("holdfast_refunded_tickets_total", "Tickets refunded"),
            releases: counter("holdfast_releases_total", "Holds released by their client"),
            expiries: counter(
                "holdfast_expiries_total",
                "Holds released because their lock expired",
            ),
            admission_rejections: counter(
                "holdfast_admission_rejections_total",
                "Requests refused at once because a performance's admission bound was full",
            ),
            requests,
            latency,
            registry,
        }
    }

    /// Counts one finished HTTP request.
    pub fn record_request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.requests
            .with_label_values(&[route, method, itoa(status).as_str()])
            .inc();
        self.latency.with_label_values(&[route]).observe(seconds);
    }

    /// Counts what an applied change did.
    pub fn record_change(&self, change: &Change) {
        match change {
            Change::HoldPlaced(_) | Change::HoldPlacedInChannel { .. } => self.holds.inc(),
            Change::HoldSold { .. } => self.sales.inc(),
            Change::TicketScanned { .. } => self.scans.inc(),
            Change::TicketsRefunded { tickets, .. } => self.refunds.inc_by(tickets.len() as u64),
            Change::HoldReleased { .. } => self.releases.inc(),
            Change::HoldsExpired { transactions } => {
                self.expiries.inc_by(transactions.len() as u64)
            }
            Change::HoldExtended { .. }
            | Change::HoldbacksChanged { .. }
            | Change::HoldPrepared { .. }
            | Change::HoldUnprepared { .. }
            | Change::HoldModified { .. }
            | Change::HoldbacksChangedWithPlaces { .. }
            | Change::AllocationAdded { .. }
            | Change::AllocationRemoved { .. }
            | Change::StatusChanged { .. } => {}
        }
    }

    /// Counts one request refused by an admission bound.
    pub fn record_admission_rejection(&self) {
        self.admission_rejections.inc();
    }

    /// Renders every metric in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        if let Err(error) =
            prometheus::TextEncoder::new().encode(&self.registry.gather(), &mut buffer)
        {
            tracing::error!(%error, "encoding metrics failed");
        }
        String::from_utf8(buffer).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

fn itoa(value: u16) -> String {
    value.to_string()
}
