//! `/clients`: API clients and their keys. An admin creates a client (its key shown once),
//! lists clients (never a key or its digest), revokes one (its key answers 401 from then on)
//! or rotates its key (the new one shown once, the old one refused at once).
//!
//! # Caveats
//! - The admin client is neither listed apart nor revocable here: its key is replaced by
//!   starting the server with another `--admin-key`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::actor::Role;
use crate::domain::ClientId;
use crate::http::dto::{ClientCreated, ClientDto, ClientList, CreateClient, NewClient};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::remembered::{IdempotencyKeyHeader, remembered, written};
use crate::http::request::{Body, caller, idempotency_key, idempotency_key_without_body};
use crate::http::responses::{BodyTimedOut, BodyTooLarge, NotAdmin, Unauthorized};
use crate::http::state::AppState;

/// Parses a client id from the path; a malformed id cannot exist, so it is not found.
fn client_id(text: &str) -> Result<ClientId, ApiError> {
    ClientId::parse(text).map_err(|_| ApiError::not_found(format!("client {text:.80} not found")))
}

/// Creates a client and shows its API key once (admin).
///
/// A client is a box office, a web shop, a reseller or a seat widget; its role is `admin`,
/// `sales` or `widget`.
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
        (status = 403, response = NotAdmin),
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
    let admin = caller(&request, &state, Role::Admin)?;
    body.check_size()?;
    let Some(NewClient { id, name, role }) = new_client else {
        return Err(ApiError::invalid_request("missing body"));
    };
    let engine = &state.engine;
    remembered(
        &request,
        &state,
        &admin.client,
        idempotency,
        move || async move {
            let (client, key) = engine.create_client(id, name, role).await?;
            let created = ClientCreated {
                id: client.id.to_string(),
                name: client.name,
                role: client.role.as_str(),
                key,
            };
            // A retry gets the client without its key, which is shown only once.
            Ok(written(StatusCode::CREATED, &created)?.hiding("key"))
        },
    )
    .await
}

/// Lists the API clients (admin): ids, names, roles and whether revoked, never a key.
#[utoipa::path(
    get,
    path = "/clients",
    tag = "operations",
    operation_id = "list_clients",
    responses(
        (status = 200, description = "Every client, revoked ones included, by id.",
            body = ClientList),
        (status = 401, response = Unauthorized),
        (status = 403, response = NotAdmin),
    ),
    security(("api_key" = [])),
)]
pub async fn list(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller(&request, &state, Role::Admin)?;
    let clients = state.engine.clients();
    Ok(HttpResponse::Ok().json(ClientList::new(&clients)))
}

/// Revokes a client (admin): its key answers 401 from then on; its transactions and orders
/// stay, and its id is never given to another client. Revoking again answers the same.
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
        (status = 403, response = NotAdmin),
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
    let admin = caller(&request, &state, Role::Admin)?;
    let id = client_id(&path)?;
    let engine = &state.engine;
    remembered(&request, &state, &admin.client, key, move || async move {
        let client = engine.revoke_client(&id).await?;
        written(StatusCode::OK, &ClientDto::from(&client))
    })
    .await
}

/// Gives a client a new key (admin), shown once; the old key is refused at once.
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
        (status = 403, response = NotAdmin),
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
    let admin = caller(&request, &state, Role::Admin)?;
    let id = client_id(&path)?;
    let engine = &state.engine;
    remembered(
        &request,
        &state,
        &admin.client,
        idempotency,
        move || async move {
            let (client, key) = engine.rotate_key(&id).await?;
            let rotated = ClientCreated {
                id: client.id.to_string(),
                name: client.name,
                role: client.role.as_str(),
                key,
            };
            // A retry gets the client without its key, which is shown only once.
            Ok(written(StatusCode::CREATED, &rotated)?.hiding("key"))
        },
    )
    .await
}
