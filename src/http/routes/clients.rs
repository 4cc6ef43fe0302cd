//! `/clients`: API clients and their keys. An admin creates a client (its key shown once),
//! lists clients (never a key or its digest), revokes one (its key answers 401 from then on)
//! or rotates its key (the new one shown once, the old one refused at once).
//!
//! An organizer does the same for the keys it made: `sales` and `widget` keys limited to its
//! own events. Another organizer's keys, or the admin's, are 403 to it.
//!
//! # Caveats
//! - The admin client is neither listed apart nor revocable here: its key is replaced by
//!   starting the server with another `--admin-key`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::actor::{Caller, ClientScope, Role};
use crate::domain::{ClientId, EventId};
use crate::http::dto::{ClientCreated, ClientDto, ClientList, CreateClient, NewClient};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::remembered::{IdempotencyKeyHeader, remembered, written};
use crate::http::request::{Body, caller, idempotency_key, idempotency_key_without_body};
use crate::http::responses::{BodyTimedOut, BodyTooLarge, NotAdminOrOrganizer, Unauthorized};
use crate::http::state::AppState;

/// Parses a client id from the path; a malformed id cannot exist, so it is not found.
fn client_id(text: &str) -> Result<ClientId, ApiError> {
    ClientId::parse(text).map_err(|_| ApiError::not_found(format!("client {text:.80} not found")))
}

/// Creates a client and shows its API key once (admin, or an organizer for its own events).
///
/// A client is a box office, a web shop, a reseller, a seat widget or an organizer; its role
/// is `admin`, `organizer`, `sales` or `widget`, optionally limited to `events` and selling
/// for a `channel`. An organizer makes `sales` and `widget` keys within its own events.
#[utoipa::path(
    post,
    path = "/clients",
    tag = "operations",
    operation_id = "create_client",
    params(IdempotencyKeyHeader),
    request_body = CreateClient,
    responses(
        (status = 201, description = "The client with its key; the key is shown only here.",
            body = ClientCreated, example = json!({
                "id": "webshop", "name": "webshop", "role": "sales",
                "key": "5c1d0e9a7b3f4a2e8d6c0b1a9f8e7d6c5c1d0e9a7b3f4a2e8d6c0b1a9f8e7d6c"
            })),
        (status = 400, description = "`invalid_request`: malformed JSON, wrong types, missing or \
            unknown fields, an unknown role, or a bad id or name.", body = ErrorBody),
        (status = 401, response = Unauthorized),
        (status = 403, response = NotAdminOrOrganizer),
        (status = 408, response = BodyTimedOut),
        (status = 409, description = "`already_exists`: the client id is taken; \
            `invalid_state`: a request with this `Idempotency-Key` is still in progress.",
            body = ErrorBody),
        (status = 413, response = BodyTooLarge),
        (status = 422, description = "`rule_violation`: the `Idempotency-Key` was used with \
            another request.", body = ErrorBody),
        (status = 503, description = "`unavailable`: the server cannot record the client \
            right now.", body = ErrorBody),
    ),
    security(("api_key" = [])),
)]
pub async fn create_client(
    request: HttpRequest,
    body: Body,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let parsed: Option<CreateClient> = body.json(&request)?;
    let new_client = parsed.map(NewClient::try_from).transpose()?;
    let idempotency = idempotency_key(&request, &body)?;
    let maker = caller(&request, &state, Role::Organizer)?;
    body.check_size()?;
    let Some(new_client) = new_client else {
        return Err(ApiError::invalid_request("missing body"));
    };
    let NewClient {
        id,
        name,
        role,
        events,
        channel,
    } = new_client;
    let scope = scope_of_new_key(&maker, role, events, channel)?;
    let engine = &state.engine;
    remembered(
        &request,
        &state,
        &maker.client,
        idempotency,
        move || async move {
            let (client, key) = engine.create_client(id, name, role, scope).await?;
            let created = ClientCreated::new(&client, key);
            // A retry gets the client without its key, which is shown only once.
            Ok(written(StatusCode::CREATED, &created)?.hiding("key"))
        },
    )
    .await
}

/// What a new key is limited to: an organizer makes `sales` and `widget` keys within its own
/// events (all of them when the body names none); an organizer key must name its events.
fn scope_of_new_key(
    maker: &Caller,
    role: Role,
    events: Vec<EventId>,
    channel: Option<String>,
) -> Result<ClientScope, ApiError> {
    if maker.role == Role::Organizer {
        if !matches!(role, Role::Sales | Role::Widget) {
            return Err(ApiError::forbidden(
                "an organizer makes sales and widget keys only",
            ));
        }
        if let Some(outside) = events.iter().find(|event| !maker.events.contains(event)) {
            return Err(ApiError::forbidden(format!(
                "event {outside} is not one of this organizer's"
            )));
        }
        let events = if events.is_empty() {
            maker.events.clone()
        } else {
            events
        };
        return Ok(ClientScope {
            events,
            channel,
            created_by: Some(maker.client.clone()),
        });
    }
    if role == Role::Organizer && events.is_empty() {
        return Err(ApiError::rule_violation(
            "an organizer key names the events it manages",
        ));
    }
    if role == Role::Admin && (!events.is_empty() || channel.is_some()) {
        return Err(ApiError::rule_violation(
            "an admin key acts on every event, through no channel",
        ));
    }
    Ok(ClientScope {
        events,
        channel,
        created_by: None,
    })
}

/// Checks that `manager` may manage the key of client `id`: an admin any, an organizer those
/// it made.
fn may_manage_key(state: &AppState, manager: &Caller, id: &ClientId) -> Result<(), ApiError> {
    if manager.is_admin() {
        return Ok(());
    }
    let client = state
        .engine
        .clients()
        .into_iter()
        .find(|client| client.id == *id)
        .ok_or_else(|| ApiError::not_found(format!("client {id} not found")))?;
    if client.scope.created_by.as_ref() == Some(&manager.client) {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "client {id} was not made by this organizer"
        )))
    }
}

/// Lists the API clients (admin; an organizer, the keys it made): ids, names, roles, scopes
/// and whether revoked, never a key.
#[utoipa::path(
    get,
    path = "/clients",
    tag = "operations",
    operation_id = "list_clients",
    responses(
        (status = 200, description = "Every client, revoked ones included, by id.",
            body = ClientList),
        (status = 401, response = Unauthorized),
        (status = 403, response = NotAdminOrOrganizer),
    ),
    security(("api_key" = [])),
)]
pub async fn list(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let lister = caller(&request, &state, Role::Organizer)?;
    let mut clients = state.engine.clients();
    if !lister.is_admin() {
        clients.retain(|client| client.scope.created_by.as_ref() == Some(&lister.client));
    }
    Ok(HttpResponse::Ok().json(ClientList::new(&clients)))
}

/// Revokes a client (admin, or the organizer that made it): its key answers 401 from then
/// on, and so do the keys it made; its transactions and orders stay, and its id is never given
/// to another client. Revoking again answers the same.
#[utoipa::path(
    delete,
    path = "/clients/{id}",
    tag = "operations",
    operation_id = "revoke_client",
    params(("id" = String, Path, description = "The client id.", example = "webshop"),
        IdempotencyKeyHeader),
    responses(
        (status = 200, description = "The client, revoked.", body = ClientDto),
        (status = 400, description = "`invalid_request`: a bad `Idempotency-Key`.",
            body = ErrorBody),
        (status = 401, response = Unauthorized),
        (status = 403, response = NotAdminOrOrganizer),
        (status = 404, description = "`not_found`: unknown client.", body = ErrorBody),
        (status = 409, description = "`invalid_state`: the admin client (start the server \
            with another `--admin-key` to replace its key), or a request with this \
            `Idempotency-Key` still in progress.", body = ErrorBody),
        (status = 422, description = "`rule_violation`: the `Idempotency-Key` was used with \
            another request.", body = ErrorBody),
        (status = 503, description = "`unavailable`: the server cannot record it right now.",
            body = ErrorBody),
    ),
    security(("api_key" = [])),
)]
pub async fn revoke(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key_without_body(&request)?;
    let manager = caller(&request, &state, Role::Organizer)?;
    let id = client_id(&path)?;
    may_manage_key(&state, &manager, &id)?;
    let engine = &state.engine;
    remembered(&request, &state, &manager.client, key, move || async move {
        let client = engine.revoke_client(&id).await?;
        written(StatusCode::OK, &ClientDto::from(&client))
    })
    .await
}

/// Gives a client a new key (admin, or the organizer that made it), shown once; the old key
/// is refused at once.
#[utoipa::path(
    post,
    path = "/clients/{id}/key",
    tag = "operations",
    operation_id = "rotate_client_key",
    params(("id" = String, Path, description = "The client id.", example = "webshop"),
        IdempotencyKeyHeader),
    responses(
        (status = 201, description = "The client with its new key; the key is shown only \
            here.", body = ClientCreated),
        (status = 400, description = "`invalid_request`: a bad `Idempotency-Key`.",
            body = ErrorBody),
        (status = 401, response = Unauthorized),
        (status = 403, response = NotAdminOrOrganizer),
        (status = 404, description = "`not_found`: unknown client.", body = ErrorBody),
        (status = 409, description = "`invalid_state`: the client is revoked, or a request \
            with this `Idempotency-Key` is still in progress.", body = ErrorBody),
        (status = 422, description = "`rule_violation`: the `Idempotency-Key` was used with \
            another request.", body = ErrorBody),
        (status = 503, description = "`unavailable`: the server cannot record it right now.",
            body = ErrorBody),
    ),
    security(("api_key" = [])),
)]
pub async fn rotate(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let idempotency = idempotency_key_without_body(&request)?;
    let manager = caller(&request, &state, Role::Organizer)?;
    let id = client_id(&path)?;
    may_manage_key(&state, &manager, &id)?;
    let engine = &state.engine;
    remembered(
        &request,
        &state,
        &manager.client,
        idempotency,
        move || async move {
            let (client, key) = engine.rotate_key(&id).await?;
            let rotated = ClientCreated::new(&client, key);
            // A retry gets the client without its key, which is shown only once.
            Ok(written(StatusCode::CREATED, &rotated)?.hiding("key"))
        },
    )
    .await
}
