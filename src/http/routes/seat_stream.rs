//! `GET /performances/{id}/seats/stream`: the live seat map as server-sent events.
//!
//! A follower starts from a `snapshot` event (the seat map, with its version as the event
//! id), or, when the client names a version the feed can resume from (`Last-Event-ID`, which
//! wins, or `?since=`), from the `seats` events after it. Then it sends one `seats` event per
//! durable change, each encoded once for all followers, and a comment every
//! [`KEEP_ALIVE`] so that proxies keep the connection open. A follower that falls too far
//! behind is told by the feed and starts again from a fresh snapshot; no buffer grows.
//!
//! # Caveats
//! - The stream ends when the server begins to stop (so a stop need not wait for it) or the
//!   performance's actor stops; browsers' `EventSource` reconnects by itself with
//!   `Last-Event-ID`.
//! - A `Last-Event-ID` that is not a version is ignored (the client gets a snapshot).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::time::{Instant, Interval, interval_at};
use utoipa::IntoParams;

use super::catalogue::performance_id;
use crate::actor::{Engine, FeedStart, SeatEvent, SeatMapView, SeatSubscription};
use crate::domain::{PerformanceId, SeatingPlan};
use crate::http::dto::{SeatMapDto, SeatsChangedDto};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::request::reader;
use crate::http::responses::{Busy, UnauthorizedRead};
use crate::http::state::AppState;

/// How often an idle stream sends a comment line.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The most events a follower sends in one write.
pub const EVENTS_PER_WRITE: usize = 64;

/// The query of `GET /performances/{id}/seats/stream`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StreamQuery {
    /// The last version the client saw: only what changed after it is sent, when the server
    /// still can (else a snapshot). A `Last-Event-ID` header wins over it.
    since: Option<u64>,
}

/// Follows the seat map live (server-sent events).
///
/// `event: snapshot` (data: the seat map of `GET /performances/{id}/seats`, id: its version),
/// unless the client names a version the server can resume from; then one `event: seats`
/// per durable change (data: `SeatsChangedDto`, id: the version after it); a comment line
/// every 15 s. A client too slow to keep up gets a fresh `snapshot`. Public like the seat map.
#[utoipa::path(
    get,
    path = "/performances/{id}/seats/stream",
    tag = "availability",
    operation_id = "stream_seats",
    params(
        ("id" = String, Path, description = "The performance id.", example = "revue-1"),
        ("Last-Event-ID" = Option<String>, Header, description = "The id of the last event the client received (a version); wins over `since`."),
        StreamQuery,
    ),
    responses(
        (status = 200, description = "A `text/event-stream` that does not end: `snapshot` and `seats` events (see `SeatMapDto` and `SeatsChangedDto` for their data).", content_type = "text/event-stream", body = String),
        (status = 400, description = "`invalid_request`: `since` is not a whole number.", body = ErrorBody),
        (status = 401, response = UnauthorizedRead),
        (status = 404, description = "`not_found`: unknown performance.", body = ErrorBody),
        (status = 503, response = Busy),
    ),
    security((), ("api_key" = [])),
)]
pub async fn stream_seats(
    request: HttpRequest,
    path: web::Path<String>,
    query: web::Query<StreamQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    reader(&request, &state)?;
    let performance = performance_id(&path)?;
    let since = request
        .headers()
        .get("last-event-id")
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.trim().parse().ok())
        .or(query.since);
    let subscription = state.engine.subscribe_seats(&performance, since).await?;
    let closing = state.closing.clone();
    let follower = Follower::new(
        Arc::clone(&state.engine),
        performance,
        subscription,
        since,
        closing,
    );
    let events = futures_util::stream::unfold(follower, Follower::next);
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("x-accel-buffering", "no"))
        .streaming(events))
}

/// One client's place in the stream.
struct Follower {
    engine: Arc<Engine>,
    performance: PerformanceId,
    plan: Arc<SeatingPlan>,
    /// Events to send before the live ones.
    pending: VecDeque<Bytes>,
    live: tokio::sync::broadcast::Receiver<Arc<SeatEvent>>,
    /// The version of the last event sent (or shown by the snapshot sent).
    sent: u64,
    keep_alive: Interval,
    /// Turns true when the server stops: the stream ends then.
    closing: tokio::sync::watch::Receiver<bool>,
    /// The feed told this follower it fell behind: it starts again from a snapshot.
    lagged: bool,
}

impl Follower {
    fn new(
        engine: Arc<Engine>,
        performance: PerformanceId,
        subscription: SeatSubscription,
        since: Option<u64>,
        closing: tokio::sync::watch::Receiver<bool>,
    ) -> Self {
        let mut follower = Self {
            engine,
            performance,
            plan: Arc::clone(&subscription.plan),
            pending: VecDeque::new(),
            // Replaced by `start` with the subscription's own receiver.
            live: subscription.feed.live.resubscribe(),
            sent: 0,
            keep_alive: interval_at(Instant::now() + KEEP_ALIVE, KEEP_ALIVE),
            closing,
            lagged: false,
        };
        follower.start(subscription, since);
        follower
    }

    /// Starts (again) from `subscription`.
    fn start(&mut self, subscription: SeatSubscription, since: Option<u64>) {
        self.pending.clear();
        self.live = subscription.feed.live;
        match (subscription.feed.start, subscription.snapshot) {
            (FeedStart::Resume(events), _) => {
                self.sent = since.unwrap_or(0);
                for event in events {
                    self.sent = event.version;
                    self.pending.push_back(self.encode(&event));
                }
            }
            (FeedStart::Snapshot { version }, Some(map)) => {
                self.sent = version;
                let encoded = subscription
                    .source
                    .snapshot_encoded(version, || snapshot_event(&map));
                self.pending.push_back(encoded);
            }
            // The core always sends a snapshot with a snapshot start.
            (FeedStart::Snapshot { version }, None) => self.sent = version,
        }
    }

    /// `first` and the events already waiting after it (up to [`EVENTS_PER_WRITE`]) in one
    /// chunk: under load a follower writes once per batch, not once per event. A lag found
    /// here is remembered: the next call restarts the follower from a snapshot.
    fn with_ready_events(&mut self, first: Bytes) -> Bytes {
        let mut chunk: Option<Vec<u8>> = None;
        for _ in 1..EVENTS_PER_WRITE {
            match self.live.try_recv() {
                Ok(event) if event.version > self.sent => {
                    self.sent = event.version;
                    let encoded = self.encode(&event);
                    chunk
                        .get_or_insert_with(|| first.to_vec())
                        .extend_from_slice(&encoded);
                }
                Ok(_) => {}
                Err(TryRecvError::Lagged(_)) => {
                    self.lagged = true;
                    break;
                }
                Err(_) => break,
            }
        }
        chunk.map_or(first, Bytes::from)
    }

    /// Starts again from a fresh snapshot; false when the performance cannot be followed.
    async fn restart(&mut self) -> bool {
        match self.engine.subscribe_seats(&self.performance, None).await {
            Ok(subscription) => {
                self.start(subscription, None);
                true
            }
            Err(_) => false,
        }
    }

    fn encode(&self, event: &SeatEvent) -> Bytes {
        event.encoded(|event| {
            let data = SeatsChangedDto::new(&self.performance, &self.plan, event);
            sse("seats", event.version, &data)
        })
    }

    /// The next chunk of the answer; `None` ends it.
    async fn next(mut self) -> Option<(Result<Bytes, Infallible>, Self)> {
        loop {
            if let Some(chunk) = self.pending.pop_front() {
                return Some((Ok(chunk), self));
            }
            if std::mem::take(&mut self.lagged) {
                if !self.restart().await {
                    return None;
                }
                continue;
            }
            let closing = async { drop(self.closing.wait_for(|closing| *closing).await) };
            tokio::select! {
                () = closing => return None,
                received = self.live.recv() => match received {
                    Ok(event) if event.version > self.sent => {
                        self.sent = event.version;
                        let chunk = self.encode(&event);
                        return Some((Ok(self.with_ready_events(chunk)), self));
                    }
                    // Already in the snapshot this follower started from.
                    Ok(_) => {}
                    Err(RecvError::Lagged(_)) => {
                        if !self.restart().await {
                            return None;
                        }
                    }
                    Err(RecvError::Closed) => return None,
                },
                _ = self.keep_alive.tick() => {
                    return Some((Ok(Bytes::from_static(b": keep-alive\n\n")), self));
                }
            }
        }
    }
}

fn snapshot_event(map: &SeatMapView) -> Bytes {
    sse("snapshot", map.version, &SeatMapDto::from(map))
}

/// One server-sent event: `event`, `id` and `data` (JSON, on one line) lines.
fn sse(event: &str, id: u64, data: &impl serde::Serialize) -> Bytes {
    let mut text = format!("event: {event}\nid: {id}\ndata: ").into_bytes();
    // A DTO of strings and numbers always serializes; an empty object would still be valid.
    if serde_json::to_writer(&mut text, data).is_err() {
        text.extend_from_slice(b"{}");
    }
    text.extend_from_slice(b"\n\n");
    Bytes::from(text)
}
