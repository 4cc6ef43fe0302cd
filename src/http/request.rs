//! What every handler reads from a request, in the order the contract ranks its faults:
//! the body (400), then the API key (401, 403); a body over the limit is reported later (413),
//! after the handler has checked that what the path names exists (404). A body that does not
//! arrive within the configured time is answered at once (408).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::state::AppState;
use crate::actor::{Caller, EventOf, IdempotencyKey, Reach, Role};
use crate::domain::{EventId, PerformanceId};

/// The longest `Idempotency-Key` accepted.
const IDEMPOTENCY_KEY_LENGTH_MAX: usize = 255;
/// The body limit when the app carries no configuration (as `Config::default`).
const BODY_LIMIT_DEFAULT: usize = 64 * 1024;
/// The body deadline when the app carries no configuration (as `Config::default`).
const BODY_READ_TIMEOUT_DEFAULT: Duration = Duration::from_secs(10);
/// How long the payload of a refused body (408, 413) is kept after the answer.
///
/// actix-http drains a chunked body that the handler dropped unread, so the connection can
/// carry the next request, and it puts no time limit on that: a client trickling a chunked
/// body would keep its connection, and the server reading, long after the 408 that was meant
/// to end it. A payload still held when the answer goes out counts as unread instead, and
/// actix closes the connection after the answer, lingering at most its
/// `client_disconnect_timeout` (1 s by default), so this outlasts that.
const REFUSED_PAYLOAD_HOLD: Duration = Duration::from_secs(3);

/// A request body read up to the configured limit, within the configured time.
pub struct Body {
    bytes: Bytes,
    too_large: bool,
    limit: usize,
}

impl FromRequest for Body {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    /// Reads the body, or notes that it is over the limit without reading further.
    ///
    /// A body that has not arrived within the deadline is answered at once with 408: unlike
    /// a body over the limit, whose 413 waits until the key and the path have been checked,
    /// there is nothing to wait for but the client, and holding the connection for the key
    /// checks would hand a slow client the very time the deadline takes away.
    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let (limit, deadline) = request.app_data::<web::Data<AppState>>().map_or(
            (BODY_LIMIT_DEFAULT, BODY_READ_TIMEOUT_DEFAULT),
            |state| {
                (
                    state.config.body_limit_bytes,
                    state.config.body_read_timeout,
                )
            },
        );
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            let too_large = Self {
                bytes: Bytes::new(),
                too_large: true,
                limit,
            };
            if declared.is_some_and(|length| length > limit as u64) {
                hold_until_closed(payload);
                return Ok(too_large);
            }
            // One deadline for the whole body rather than one per read: a client that sends
            // a byte now and then would otherwise hold the connection and its buffer for ever.
            let read = tokio::time::timeout(deadline, read_up_to(&mut payload, limit)).await;
            match read {
                Ok(Ok(Some(bytes))) => Ok(Self {
                    bytes,
                    too_large: false,
                    limit,
                }),
                Ok(Ok(None)) => {
                    hold_until_closed(payload);
                    Ok(too_large)
                }
                Ok(Err(error)) => Err(error),
                Err(_elapsed) => {
                    hold_until_closed(payload);
                    Err(ApiError::request_timeout(deadline))
                }
            }
        })
    }
}

/// Keeps the unread rest of a refused body past the answer, so that actix closes the
/// connection rather than drain the body (see [`REFUSED_PAYLOAD_HOLD`]).
fn hold_until_closed(payload: Payload) {
    actix_web::rt::spawn(async move {
        tokio::time::sleep(REFUSED_PAYLOAD_HOLD).await;
        drop(payload);
    });
}

/// Reads `payload` to its end; `None` as soon as it is over `limit` bytes.
async fn read_up_to(payload: &mut Payload, limit: usize) -> Result<Option<Bytes>, ApiError> {
    let mut bytes = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|error| {
            ApiError::invalid_request(format!("reading the body failed: {error}"))
        })?;
        if bytes.len() + chunk.len() > limit {
            return Ok(None);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Some(bytes.freeze()))
}

impl Body {
    /// Parses the body as JSON of type `T`; `None` when the body is over the limit, which
    /// [`Body::check_size`] reports once the earlier faults have been ruled out.
    ///
    /// # Errors
    /// 400 for a content type other than JSON, bad JSON, wrong types or unknown fields.
    pub fn json<T: DeserializeOwned>(&self, request: &HttpRequest) -> Result<Option<T>, ApiError> {
        if self.too_large {
            return Ok(None);
        }
        check_json_content_type(request)?;
        serde_json::from_slice(&self.bytes)
            .map(Some)
            .map_err(|error| ApiError::invalid_request(format!("invalid JSON body: {error}")))
    }

    /// Returns a digest of the body's canonical JSON form (keys sorted, no white space), so a
    /// retry that formats the same request differently still matches.
    pub fn fingerprint(&self) -> [u8; 32] {
        let canonical = serde_json::from_slice::<serde_json::Value>(&self.bytes)
            .map(|value| value.to_string().into_bytes())
            .unwrap_or_else(|_| self.bytes.to_vec());
        Sha256::digest(&canonical).into()
    }

    /// # Errors
    /// 413 when the body was over the limit.
    pub fn check_size(&self) -> Result<(), ApiError> {
        if self.too_large {
            Err(ApiError::payload_too_large(self.limit))
        } else {
            Ok(())
        }
    }
}

fn check_json_content_type(request: &HttpRequest) -> Result<(), ApiError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(ApiError::invalid_request(
            "the body must be JSON with Content-Type: application/json",
        ))
    }
}

/// Authenticates the caller and checks that its role allows a call that needs `role`: an
/// admin call takes an admin key, an organizer call an admin or organizer key, a sales call
/// any of those or a sales key, and a widget call any key. A key limited to events reaches
/// only their performances ([`Caller::reaches`]).
///
/// # Errors
/// 401 for a missing or unknown key, 403 for a key whose role is below the call's.
pub fn caller(request: &HttpRequest, state: &AppState, role: Role) -> Result<Caller, ApiError> {
    let key = request
        .headers()
        .get("x-api-key")
        .ok_or_else(|| ApiError::unauthorized("this call needs an X-API-Key header"))?
        .to_str()
        .map_err(|_| ApiError::unauthorized("unknown API key"))?;
    let client = state
        .engine
        .authenticate(key)
        .ok_or_else(|| ApiError::unauthorized("unknown API key"))?;
    if client.role.rank() < role.rank() {
        return Err(ApiError::forbidden(match (role, client.role) {
            (_, Role::Widget) => {
                "a widget key may only hold, check out, read and release its own transactions"
            }
            (Role::Admin, _) => "this call needs an admin key",
            _ => "this call needs an admin or organizer key",
        }));
    }
    let reach = if client.scope.events.is_empty() {
        Reach::Everywhere
    } else {
        Reach::Events(Arc::clone(&state.engine) as Arc<dyn EventOf>)
    };
    Ok(Caller {
        role: client.role,
        client: client.id,
        ip: peer_ip(request, state),
        channel: client.scope.channel,
        reach,
        events: client.scope.events,
        maker: client.scope.created_by,
    })
}

/// Checks that the caller may act on `performance`.
///
/// # Errors
/// 403 for a key limited to other events.
pub fn reaching(caller: &Caller, performance: &PerformanceId) -> Result<(), ApiError> {
    caller.check_reach(performance).map_err(ApiError::from)
}

/// Checks that the caller may act on `event`.
///
/// # Errors
/// 403 for a key limited to other events.
pub fn reaching_event(caller: &Caller, event: &EventId) -> Result<(), ApiError> {
    if caller.covers_event(event) {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "this key is limited to other events than {event}"
        )))
    }
}

/// Checks read access: public unless the server is configured to require a key.
///
/// # Errors
/// As [`caller`], when reads are not public.
pub fn reader(request: &HttpRequest, state: &AppState) -> Result<(), ApiError> {
    if state.config.public_reads {
        Ok(())
    } else {
        caller(request, state, Role::Sales).map(drop)
    }
}

fn peer_ip(request: &HttpRequest, state: &AppState) -> String {
    if state.config.trust_forwarded_for
        && let Some(forwarded) = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(',').next())
            .map(str::trim)
            .filter(|value| value.parse::<std::net::IpAddr>().is_ok())
    {
        return forwarded.to_owned();
    }
    request
        .peer_addr()
        .map(|address| address.ip().to_string())
        .unwrap_or_default()
}

/// Reads the `Idempotency-Key` header.
///
/// # Errors
/// 400 for a key that is empty, longer than 255 characters or not printable ASCII.
pub fn idempotency_key(
    request: &HttpRequest,
    body: &Body,
) -> Result<Option<IdempotencyKey>, ApiError> {
    // The fingerprint costs a parse of the body: only a keyed request pays it.
    keyed(request, || body.fingerprint())
}

/// Reads the `Idempotency-Key` header of a request without a body.
///
/// # Errors
/// As [`idempotency_key`].
pub fn idempotency_key_without_body(
    request: &HttpRequest,
) -> Result<Option<IdempotencyKey>, ApiError> {
    keyed(request, || Sha256::digest(b"").into())
}

fn keyed(
    request: &HttpRequest,
    fingerprint: impl FnOnce() -> [u8; 32],
) -> Result<Option<IdempotencyKey>, ApiError> {
    let Some(value) = request.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let key = value.as_bytes();
    let printable = key.iter().all(|b| (0x20..=0x7e).contains(b));
    if key.is_empty() || key.len() > IDEMPOTENCY_KEY_LENGTH_MAX || !printable {
        return Err(ApiError::invalid_request(
            "Idempotency-Key must be 1 to 255 printable ASCII characters",
        ));
    }
    Ok(Some(IdempotencyKey {
        key: String::from_utf8_lossy(key).into_owned(),
        fingerprint: fingerprint(),
    }))
}
