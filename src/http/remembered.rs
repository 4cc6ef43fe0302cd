//! `Idempotency-Key` on every write besides `POST /transactions` (which remembers its answer
//! in the same batch as its hold): the first successful answer to a key is remembered, with
//! its status, durably, before it is sent; a retry with the same key and request gets it
//! again, also after a restart; the same key with another request is 422; a retry while the
//! first still runs is 409. A refused request is not remembered (it changed nothing).
//!
//! The fingerprint covers the method, the path and the canonical body, so a key reused on
//! another route is a different request.
//!
//! # Caveats
//! - The answer is written right after the write it answers, not in the same batch: a crash
//!   between the two leaves the write done and the key unknown, and a retry runs again. For
//!   the writes this covers that is harmless or refused (checkouts and releases repeat,
//!   completes answer the one order, a performance or client id given is taken), except a
//!   client created without an id, or a `PATCH` that adds.
//! - A secret an answer shows once (a new API key) is left out of the remembered answer.
//! - Answers are kept for [`ANSWER_RETENTION_MILLIS`](crate::actor::ANSWER_RETENTION_MILLIS)
//!   across restarts.

use std::future::Future;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::state::AppState;
use crate::actor::{Claim, ClaimGuard, EngineError, IdempotencyKey, StoredAnswer};
use crate::domain::ClientId;

/// An answer about to be sent.
pub struct Written {
    status: StatusCode,
    body: Vec<u8>,
    /// A top-level field shown only in the first answer.
    secret: Option<&'static str>,
}

impl Written {
    /// Leaves `field` out of the answer a retry gets.
    pub fn hiding(mut self, field: &'static str) -> Self {
        self.secret = Some(field);
        self
    }

    fn remembered(&self) -> Vec<u8> {
        let Some(field) = self.secret else {
            return self.body.clone();
        };
        match serde_json::from_slice::<serde_json::Value>(&self.body) {
            Ok(serde_json::Value::Object(mut object)) => {
                object.remove(field);
                serde_json::to_vec(&object).unwrap_or_default()
            }
            _ => self.body.clone(),
        }
    }
}

/// Renders `value` as the JSON answer with `status`.
///
/// # Errors
/// 500 `internal` if the value cannot be rendered.
pub fn written<T: Serialize>(status: StatusCode, value: &T) -> Result<Written, ApiError> {
    let body = serde_json::to_vec(value).map_err(|error| {
        tracing::error!(%error, "rendering an answer failed");
        ApiError::from(EngineError::Unavailable)
    })?;
    Ok(Written {
        status,
        body,
        secret: None,
    })
}

fn respond(status: u16, body: Vec<u8>) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
        .content_type("application/json")
        .body(body)
}

/// Runs `write` once per key: the first time for real, later from the remembered answer.
///
/// # Errors
/// What `write` returns; 409 `invalid_state` while the first request with the key runs; 422
/// `rule_violation` for a key reused with another request; 503 when the answer cannot be made
/// durable.
pub async fn remembered<F, Fut>(
    request: &HttpRequest,
    state: &AppState,
    client: &ClientId,
    key: Option<IdempotencyKey>,
    write: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Written, ApiError>>,
{
    let Some(key) = key else {
        let answer = write().await?;
        return Ok(respond(answer.status.as_u16(), answer.body));
    };
    let mut digest = Sha256::new();
    digest.update(request.method().as_str());
    digest.update([0]);
    digest.update(request.path());
    digest.update([0]);
    digest.update(key.fingerprint);
    let fingerprint: [u8; 32] = digest.finalize().into();
    let answers = state.engine.answers();
    let scope = (client.clone(), key.key.clone());
    match answers.claim(scope.clone(), fingerprint) {
        Claim::Fresh => {}
        Claim::Replay(answer) => return Ok(respond(answer.status, answer.body.to_vec())),
        Claim::InProgress => return Err(EngineError::InProgress.into()),
        Claim::Mismatch => {
            return Err(ApiError::rule_violation(
                "this Idempotency-Key was used with a different request",
            ));
        }
    }
    let claim = ClaimGuard::new(answers, scope);
    let answer = write().await?;
    let stored = StoredAnswer {
        status: answer.status.as_u16(),
        body: Arc::new(answer.remembered()),
    };
    state
        .engine
        .remember_answer(client.clone(), key.key, fingerprint, &stored)
        .await?;
    claim.complete(fingerprint, stored, state.engine.now());
    Ok(respond(answer.status.as_u16(), answer.body))
}

/// The `Idempotency-Key` header of a write, as the OpenAPI description states it.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[expect(
    dead_code,
    reason = "documentation only: `idempotency_key` reads the header"
)]
pub(crate) struct IdempotencyKeyHeader {
    /// Makes a retry safe: 1 to 255 printable ASCII characters, scoped to the client. The
    /// same key with the same request answers the first (successful) answer again, with its
    /// status, also after a restart; with a different request, 422; while the first still
    /// runs, 409. Answers are remembered for 24 hours; after that the key is a new request.
    #[serde(rename = "Idempotency-Key")]
    #[param(
        nullable = false,
        min_length = 1,
        max_length = 255,
        pattern = "^[\\x20-\\x7E]{1,255}$",
        example = "order-7f3a-attempt"
    )]
    idempotency_key: Option<String>,
}
