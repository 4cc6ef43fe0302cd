//! The error answers many operations share, written once: each is a reusable response in the
//! OpenAPI description (`components/responses`), referred to from the operations with
//! `(status = …, response = …)`, so its wording and headers cannot drift between routes.
//!
//! Answers whose wording depends on the route (which thing was not found, why a body is
//! refused) stay written beside their route.
//!
//! # Caveats
//! - A shared response says what every route that names it may answer; a route with a
//!   narrower case writes its own line instead of naming one of these.

use utoipa::ToResponse;

use super::error::ErrorBody;

/// 401 on routes that always need a key.
#[derive(ToResponse)]
#[response(description = "`unauthorized`: a missing or unknown API key.")]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub struct Unauthorized(ErrorBody<'static>);

/// 401 on reads that need a key only when the server is configured so.
#[derive(ToResponse)]
#[response(
    description = "`unauthorized`: only when the server requires a key for reads, and \
    the key is missing or unknown."
)]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub struct UnauthorizedRead(ErrorBody<'static>);

/// 403 on admin routes.
#[derive(ToResponse)]
#[response(description = "`forbidden`: the key is not an admin key.")]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub struct NotAdmin(ErrorBody<'static>);

/// 403 on routes an admin or an organizer of the events concerned may use.
#[derive(ToResponse)]
#[response(
    description = "`forbidden`: the key is neither an admin key nor an organizer key, or is \
    an organizer's (or a key limited to events) and what the call concerns is outside its events."
)]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub struct NotAdminOrOrganizer(ErrorBody<'static>);

/// 408 on routes with a body.
#[derive(ToResponse)]
#[response(
    description = "`request_timeout`: the body did not arrive within the configured \
    time (`body_read_timeout_seconds`, 10 s by default); the connection is closed."
)]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub struct BodyTimedOut(ErrorBody<'static>);

/// 413 on routes with a body.
#[derive(ToResponse)]
#[response(description = "`payload_too_large`: the body is over the configured limit.")]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub struct BodyTooLarge(ErrorBody<'static>);

/// 503 on routes served by a performance's actor.
#[derive(ToResponse)]
#[response(
    description = "`overloaded` (retry after `Retry-After` seconds) or `unavailable`.",
    headers(("Retry-After" = u32, description = "Seconds to wait before retrying; set with \
        `overloaded`."))
)]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub struct Busy(ErrorBody<'static>);

/// 429 on `POST /transactions` for a widget key past its address's hold rate.
#[derive(ToResponse)]
#[response(
    description = "`overloaded`: a widget key's holds from this address passed \
    `widget_holds_per_minute`; retry after `Retry-After` seconds.",
    headers(("Retry-After" = u32, description = "Seconds until the next hold is allowed."))
)]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub struct WidgetRateExceeded(ErrorBody<'static>);
