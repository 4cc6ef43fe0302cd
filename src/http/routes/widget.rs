//! `GET /performances/{id}/widget`: the seat-selection page the engine serves itself.
//!
//! The page (`src/http/widget/widget.html`) is one self-contained file compiled into the
//! binary: inline script and style, nothing fetched from anywhere else, so a shop embeds it
//! with an `<iframe>` and no build step. It reads the performance, follows the seat stream,
//! and holds with the widget key given as `?key=`. The answer carries a Content Security
//! Policy that allows only this origin, so even a page changed by mistake cannot reach out.
//!
//! # Caveats
//! - The key is checked here only to keep secret keys out of pages: an `admin` or `sales`
//!   key in `?key=` is refused (403), since a page's URL is public. Without a key the page
//!   shows the house live but cannot hold.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::catalogue::performance_id;
use crate::actor::Role;
use crate::http::error::{ApiError, ErrorBody};
use crate::http::request::reader;
use crate::http::responses::Busy;
use crate::http::state::AppState;

/// The page, as built into the binary.
const PAGE: &str = include_str!("../widget/widget.html");

/// What the page may load and reach: this origin only; its own inline script and style.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'unsafe-inline'; \
    style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; \
    form-action 'none'";

/// The query of `GET /performances/{id}/widget`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct WidgetQuery {
    /// A key of role `widget`, with which the page holds; without it the page only shows
    /// the house.
    key: Option<String>,
}

/// The seat-selection page of a performance (HTML).
///
/// A self-contained page: the house drawn from the seat map's geometry, coloured by status
/// and band, kept live by the seat stream; a buyer picks seats and holds them with the widget
/// key of `?key=`, sees the lock's countdown and can release. A reload resumes the buyer's
/// transaction. It loads nothing from anywhere else.
#[utoipa::path(
    get,
    path = "/performances/{id}/widget",
    tag = "availability",
    operation_id = "get_widget",
    params(
        ("id" = String, Path, description = "The performance id.", example = "revue-1"),
        WidgetQuery,
    ),
    responses(
        (status = 200, description = "The page.", content_type = "text/html", body = String),
        (status = 401, description = "`unauthorized`: `key` is not a known key (or reads need \
            a key and none was sent).", body = ErrorBody),
        (status = 403, description = "`forbidden`: `key` is an `admin` or `sales` key, which \
            must never be published in a page; use a `widget` key.", body = ErrorBody),
        (status = 404, description = "`not_found`: unknown performance.", body = ErrorBody),
        (status = 503, response = Busy),
    ),
    security((), ("api_key" = [])),
)]
pub async fn widget(
    request: HttpRequest,
    path: web::Path<String>,
    query: web::Query<WidgetQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    reader(&request, &state)?;
    if let Some(key) = &query.key {
        let client = state
            .engine
            .authenticate(key)
            .ok_or_else(|| ApiError::unauthorized("unknown API key in ?key="))?;
        if client.role != Role::Widget {
            return Err(ApiError::forbidden(
                "only a widget key may be given to the page: its URL is public",
            ));
        }
    }
    state.engine.performance(&performance_id(&path)?).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(PAGE))
}

#[cfg(test)]
mod tests {
    use super::PAGE;

    #[test]
    fn the_page_names_no_external_url() {
        let mut rest = PAGE;
        while let Some(at) = rest.find("http") {
            let tail = &rest[at..];
            assert!(
                tail.starts_with("http://www.w3.org/2000/svg\"")
                    || !(tail.starts_with("http://") || tail.starts_with("https://")),
                "an external URL in the page: {}",
                &tail[..tail.len().min(60)]
            );
            rest = &rest[at + 4..];
        }
        // The one link is an empty icon, so browsers do not ask for /favicon.ico.
        let without_icon = PAGE.replace(r#"<link rel="icon" href="data:,">"#, "");
        for loader in ["<script src", "<link", "@import", "url("] {
            assert!(
                !without_icon.contains(loader),
                "the page loads something: {loader}"
            );
        }
    }
}
