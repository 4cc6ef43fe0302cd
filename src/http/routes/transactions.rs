//! Transactions: hold, check out, complete, read, release.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::json;
use crate::actor::{Role, TransactionChange};
use crate::domain::TransactionId;
use crate::http::dto::ChangeTransaction;
use crate::http::dto::{
    CreateTransaction, OrderAnswer, TransactionDto, TransactionStep, TransactionUpdate,
    UpdateTransaction, UpdateTransactionAnswer,
};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::remembered::{IdempotencyKeyHeader, remembered, written};
use crate::http::request::{Body, caller, idempotency_key, idempotency_key_without_body};
use crate::http::responses::{BodyTimedOut, BodyTooLarge, Busy, Unauthorized, WidgetRateExceeded};
use crate::http::state::AppState;

pub(super) fn transaction_id(text: &str) -> Result<TransactionId, ApiError> {
    uuid::Uuid::parse_str(text)
        .map(|id| TransactionId(id.as_u128()))
        .map_err(|_| ApiError::not_found(format!("transaction {text:.80} not found")))
}

/// Holds tickets and opens a transaction (sales).
///
/// The body is one of three forms: specific seats (all or nothing), best available, or general
/// admission. A retry with the same `Idempotency-Key` and body returns the first answer and
/// holds nothing more, also after a restart; a request whose answer was lost may have been
/// applied, so retry it with the same key.
#[utoipa::path(
    post,
    path = "/transactions",
    tag = "transactions",
    operation_id = "create_transaction",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: \
        1 to 255 printable ASCII characters, scoped to the client. The same key with the same \
        body answers the first (successful) answer again; with a different body, 422.",
        nullable = false, min_length = 1, max_length = 255, pattern = "^[\\x20-\\x7E]{1,255}$",
        example = "order-7f3a-attempt")),
    request_body(content = CreateTransaction, examples(
        ("specific_seats" = (summary = "Specific seats",
            value = json!({"tickets": ["revue-1:STALLS-A3", "revue-1:STALLS-A4"]}))),
        ("best_available" = (summary = "Best available", value = json!({
            "performance": "revue-1", "quantity": 2, "price_band": "A",
            "preferred": ["revue-1:STALLS-D7"]
        }))),
        ("general_admission" = (summary = "General admission",
            value = json!({"performance": "revue-1", "general_admission": {"STANDING": 2}}))),
    )),
    responses(
        (status = 201, description = "The transaction, holding its tickets until \
            `lock_expires`.", body = TransactionDto),
        (status = 400, description = "`invalid_request`: malformed JSON, wrong types, unknown \
            fields, an unknown body form, malformed or repeated ticket ids, or a bad \
            `Idempotency-Key`.", body = ErrorBody),
        (status = 401, response = Unauthorized),
        (status = 404, description = "`not_found`: unknown performance, seat, price band or \
            general-admission pool.", body = ErrorBody),
        (status = 408, response = BodyTimedOut),
        (status = 409, description = "`seat_unavailable` (a requested seat is held, sold or \
            withheld; `tickets` names them), `insufficient_availability` (best available or \
            general admission cannot satisfy the quantity), or `invalid_state` (the \
            performance has started, or a request with this `Idempotency-Key` is still in \
            progress).", body = ErrorBody),
        (status = 413, response = BodyTooLarge),
        (status = 422, description = "`rule_violation`: a quantity not in `valid_quantities`, \
            seats not contiguous where the performance demands it, a selection that would leave \
            a single-seat gap, too many tickets in one request (or, for a widget key, more than \
            `widget_max_tickets`), a ticket named by two items or a preferred ticket at another \
            performance (`tickets` names it), or an `Idempotency-Key` reused with a different \
            body.", body = ErrorBody),
        (status = 429, response = WidgetRateExceeded),
        (status = 503, response = Busy),
    ),
    security(("api_key" = [])),
)]
pub async fn create(
    request: HttpRequest,
    body: Body,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let parsed: Option<CreateTransaction> = body.json(&request)?;
    let hold = parsed.map(CreateTransaction::into_parts).transpose()?;
    let idempotency = idempotency_key(&request, &body)?;
    let caller = caller(&request, &state, Role::Widget)?;

    body.check_size()?;
    let Some((hold, metadata)) = hold else {
        return Err(ApiError::invalid_request("missing body"));
    };
    if caller.role == Role::Widget {
        state.widget_rate.check(&caller.ip)?;
    }
    let view = state
        .engine
        .open_transaction(&caller, hold, metadata, idempotency)
        .await?;
    Ok(json(StatusCode::CREATED, &TransactionDto::placed(&view)))
}

/// Reads a transaction: its state, tickets, `lock_expires`, `locked_by` and `locked_ip`.
#[utoipa::path(
    get,
    path = "/transactions/{id}",
    tag = "transactions",
    operation_id = "get_transaction",
    params(("id" = String, Path, description = "The transaction id.",
        example = "0193a0d2-6f1c-7c4e-9a51-2f7f0f5b1c11")),
    responses(
        (status = 200, description = "The transaction with `state`, `locked_by` and \
            `locked_ip`.", body = TransactionDto),
        (status = 401, response = Unauthorized),
        (status = 403, description = "`forbidden`: another client's transaction (only its \
            client or an admin may read or change it, and a sales client one that a widget key \
            opened), or a widget key's call that needs a sales key.", body = ErrorBody),
        (status = 404, description = "`not_found`: unknown transaction.", body = ErrorBody),
        (status = 503, response = Busy),
    ),
    security(("api_key" = [])),
)]
pub async fn get(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let caller = caller(&request, &state, Role::Widget)?;
    let view = state
        .engine
        .transaction(&caller, transaction_id(&path)?)
        .await?;
    Ok(json(StatusCode::OK, &TransactionDto::full(&view)))
}

/// Checks out or completes a transaction.
///
/// `checkout` resets the lock to now plus the performance's `hold_seconds` and answers the
/// transaction. `complete` marks every ticket sold, creates an order, creates or updates the
/// customer's people record (keyed by email) when a customer is named, and answers the order
/// with the sold tickets also at the top level. One transaction gives at most one order:
/// completes sent at once or retried all answer it, and a transaction over several
/// performances completes atomically. Completing again for another customer is 409. Both may
/// repeat `tickets` and `id`, which must then match the transaction.
#[utoipa::path(
    post,
    path = "/transactions/{id}",
    tag = "transactions",
    operation_id = "update_transaction",
    params(("id" = String, Path, description = "The transaction id.",
        example = "0193a0d2-6f1c-7c4e-9a51-2f7f0f5b1c11"), IdempotencyKeyHeader),
    request_body(content = UpdateTransaction, examples(
        ("checkout" = (summary = "Check out", value = json!({"status": "checkout"}))),
        ("complete" = (summary = "Complete", value = json!({
            "status": "complete", "customer": {"name": "Joe User", "email": "joe@example.com"}
        }))),
        ("complete_paid" = (summary = "Complete with a payment", value = json!({
            "status": "complete", "customer": {"name": "Joe User", "email": "joe@example.com"},
            "payment": {"method": "card", "reference": "ch_1", "amount": "130.00",
                "currency": "GBP"}
        }))),
    )),
    responses(
        (status = 200, description = "After `checkout`, the transaction (as on creation); \
            after `complete`, the order with barcodes.", body = UpdateTransactionAnswer),
        (status = 400, description = "`invalid_request`: malformed JSON, wrong types, unknown \
            fields, a status other than `checkout` or `complete`, a customer given with \
            `checkout`, a bad customer name or email, or malformed ticket ids.", body = ErrorBody),
        (status = 401, response = Unauthorized),
        (status = 403, description = "`forbidden`: another client's transaction (only its \
            client or an admin may read or change it, and a sales client one that a widget key \
            opened), or a widget key's call that needs a sales key.", body = ErrorBody),
        (status = 404, description = "`not_found`: unknown transaction.", body = ErrorBody),
        (status = 408, response = BodyTimedOut),
        (status = 409, description = "`invalid_state`: the transaction cannot take this step, \
            e.g. checking out a completed one, completing a released one, completing again \
            for another customer or with another payment, or releasing or checking out one \
            whose completion is under way.", body = ErrorBody),
        (status = 410, description = "`lock_expired`: the transaction's lock expired and its \
            tickets were released.", body = ErrorBody),
        (status = 413, response = BodyTooLarge),
        (status = 422, description = "`rule_violation`: the repeated `tickets` or `id` do not \
            match the transaction, the checkout past `max_renewals`, or a payment whose method \
            is not one of `GET /payment-methods` or whose amount and currency are not the \
            transaction's total (nothing is sold).", body = ErrorBody),
        (status = 503, response = Busy),
    ),
    security(("api_key" = [])),
)]
pub async fn update(
    request: HttpRequest,
    path: web::Path<String>,
    body: Body,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let parsed: Option<UpdateTransaction> = body.json(&request)?;
    let update = parsed.map(TransactionUpdate::try_from).transpose()?;
    let key = idempotency_key(&request, &body)?;
    let caller = caller(&request, &state, Role::Widget)?;
    let id = transaction_id(&path)?;
    body.check_size()?;
    let Some(update) = update else {
        return Err(ApiError::invalid_request("missing body"));
    };
    if caller.role == Role::Widget && matches!(update.step, TransactionStep::Complete(..)) {
        return Err(ApiError::forbidden(
            "a widget key cannot complete a transaction: the shop completes it with a sales key",
        ));
    }
    if update
        .id
        .as_deref()
        .is_some_and(|given| transaction_id(given).ok() != Some(id))
    {
        return Err(ApiError::rule_violation(
            "the id in the body does not match the transaction",
        ));
    }
    let engine = &state.engine;
    let client = caller.client.clone();
    remembered(&request, &state, &client, key, move || async move {
        match update.step {
            TransactionStep::Checkout => {
                let view = engine.checkout(&caller, id, update.tickets).await?;
                written(StatusCode::OK, &TransactionDto::brief(&view))
            }
            TransactionStep::Complete(customer, payment) => {
                let order = engine
                    .complete(&caller, id, customer, payment, update.tickets)
                    .await?;
                written(StatusCode::OK, &OrderAnswer::from(&order))
            }
        }
    })
    .await
}

/// Changes a held or checked-out transaction, all or nothing: add items, give up tickets or
/// places, move (both in one change), merge metadata.
///
/// Additions are decided like new holds; the performance's rules are judged on the result at
/// each performance it touches. `lock_expires` is not changed. The change is made at the
/// performances that only gain tickets first and at the one that gives some up last (one
/// change gives up tickets at one performance at most), so a refusal undoes the rest.
#[utoipa::path(
    patch,
    path = "/transactions/{id}",
    tag = "transactions",
    operation_id = "change_transaction",
    params(("id" = String, Path, description = "The transaction id.",
        example = "0193a0d2-6f1c-7c4e-9a51-2f7f0f5b1c11"), IdempotencyKeyHeader),
    request_body(content = ChangeTransaction, examples(
        ("move" = (summary = "Move a seat", value = json!({
            "remove": ["revue-1:STALLS-A3"], "add": [{"tickets": ["revue-1:STALLS-A5"]}]
        }))),
        ("add_places" = (summary = "Add standing places", value = json!({
            "add": [{"performance": "revue-1", "general_admission": {"STANDING": 2}}]
        }))),
        ("metadata" = (summary = "Merge metadata", value = json!({
            "metadata": {"note": "gift", "promo": null}
        }))),
    )),
    responses(
        (status = 200, description = "The transaction after the change (as on `GET`).",
            body = TransactionDto),
        (status = 400, description = "`invalid_request`: malformed JSON, wrong types, unknown \
            fields, nothing to change, malformed or repeated ticket ids, bad metadata.",
            body = ErrorBody),
        (status = 401, response = Unauthorized),
        (status = 403, description = "`forbidden`: another client's transaction.",
            body = ErrorBody),
        (status = 404, description = "`not_found`: unknown transaction, performance, seat, \
            price band or pool.", body = ErrorBody),
        (status = 408, description = "`request_timeout`: the body did not arrive within the \
            configured time; the connection is closed.", body = ErrorBody),
        (status = 409, description = "`invalid_state` (the transaction is complete or \
            released, or another request is completing or changing it), `seat_unavailable` or \
            `insufficient_availability` for an addition.", body = ErrorBody),
        (status = 410, description = "`lock_expired`: the transaction's lock passed.",
            body = ErrorBody),
        (status = 413, response = BodyTooLarge),
        (status = 422, description = "`rule_violation`: the result breaks a rule (quantity, \
            contiguity, a single-seat gap), a removed ticket or place is not the \
            transaction's, tickets are given up at two performances, a ticket is named by two \
            items, or too many tickets.",
            body = ErrorBody),
        (status = 503, response = Busy),
    ),
    security(("api_key" = [])),
)]
pub async fn change(
    request: HttpRequest,
    path: web::Path<String>,
    body: Body,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let parsed: Option<ChangeTransaction> = body.json(&request)?;
    let change = parsed.map(TransactionChange::try_from).transpose()?;
    let key = idempotency_key(&request, &body)?;
    let caller = caller(&request, &state, Role::Sales)?;
    let id = transaction_id(&path)?;
    body.check_size()?;
    let Some(change) = change else {
        return Err(ApiError::invalid_request("missing body"));
    };
    let engine = &state.engine;
    let client = caller.client.clone();
    remembered(&request, &state, &client, key, move || async move {
        let view = engine.change_transaction(&caller, id, change).await?;
        written(StatusCode::OK, &TransactionDto::full(&view))
    })
    .await
}

/// Releases every lock of a transaction; idempotent.
///
/// A sale is never undone: on a completed transaction it answers 200 and releases nothing.
#[utoipa::path(
    delete,
    path = "/transactions/{id}",
    tag = "transactions",
    operation_id = "release_transaction",
    params(("id" = String, Path, description = "The transaction id.",
        example = "0193a0d2-6f1c-7c4e-9a51-2f7f0f5b1c11"), IdempotencyKeyHeader),
    responses(
        (status = 200, description = "The transaction after the release, with its `state`.",
            body = TransactionDto),
        (status = 400, description = "`invalid_request`: a bad `Idempotency-Key`.",
            body = ErrorBody),
        (status = 401, response = Unauthorized),
        (status = 403, description = "`forbidden`: another client's transaction (only its \
            client or an admin may read or change it, and a sales client one that a widget key \
            opened), or a widget key's call that needs a sales key.", body = ErrorBody),
        (status = 404, description = "`not_found`: unknown transaction.", body = ErrorBody),
        (status = 409, description = "`invalid_state`: a request with this \
            `Idempotency-Key` is still in progress, or a completion of the transaction is under \
            way.", body = ErrorBody),
        (status = 422, description = "`rule_violation`: the `Idempotency-Key` was used with \
            another request.", body = ErrorBody),
        (status = 503, response = Busy),
    ),
    security(("api_key" = [])),
)]
pub async fn release(
    request: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key_without_body(&request)?;
    let caller = caller(&request, &state, Role::Widget)?;
    let id = transaction_id(&path)?;
    let engine = &state.engine;
    let client = caller.client.clone();
    remembered(&request, &state, &client, key, move || async move {
        let view = engine.release(&caller, id).await?;
        written(StatusCode::OK, &TransactionDto::full(&view))
    })
    .await
}
