//! What the store keeps besides journal entries: the durable forms of performances, clients,
//! orders, idempotency answers and snapshots. Each is written in the same atomic batch as the
//! entry it belongs with, so a sale, its order and its idempotency answer land together.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::domain::{
    Amount, ClientId, Currency, DiscountCode, Hold, OrderNumber, Payment, PerformanceId,
    PerformanceInfo, PerformanceState, PlanSpec, Timestamp, TransactionId,
};

/// A performance's definition, written before its creation is acknowledged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PerformanceRecord {
    /// What the performance is.
    pub info: PerformanceInfo,
    /// Its seating plan.
    pub plan: PlanSpec,
}

/// An API client; the key itself is never stored, only its SHA-256 digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientRecord {
    /// The client's id.
    pub id: ClientId,
    /// Its name.
    pub name: String,
    /// `admin`, `organizer`, `sales` or `widget`; `revoked:<role>` once revoked.
    pub role: String,
    /// SHA-256 of its key.
    pub key_digest: [u8; 32],
    /// The events it may act on; empty for every event (format 8 on).
    pub events: Vec<String>,
    /// The sales channel it sells for, if any (format 8 on).
    pub channel: Option<String>,
    /// The organizer that made it, if an organizer did (format 8 on).
    pub created_by: Option<ClientId>,
}

/// An order; its tickets and barcodes are the sold holds of its transaction, and the
/// customer's people record is the fold of the orders with the customer's email.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRecord {
    /// The order number.
    pub number: OrderNumber,
    /// The transaction it completed.
    pub transaction: TransactionId,
    /// The performances the transaction held at, in id order.
    pub performances: Vec<PerformanceId>,
    /// The client that sold it.
    pub client: ClientId,
    /// The customer's name.
    pub customer_name: String,
    /// The customer's email, lower-cased.
    pub customer_email: String,
    /// When it was created.
    pub created_at: Timestamp,
    /// How it was paid, when the completion said (format 3 on).
    pub payment: Option<Payment>,
    /// The discount code its tickets were priced with (format 6 on).
    pub discount_code: Option<String>,
    /// How many of its tickets the code covered: the uses it counts (format 6 on).
    pub discount_uses: u32,
}

/// The first answer to a request with an idempotency key: the holds as they were placed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdempotencyRecord {
    /// The client the key belongs to.
    pub client: ClientId,
    /// The key.
    pub key: String,
    /// A digest of the canonical request body.
    pub fingerprint: [u8; 32],
    /// The transaction the request opened.
    pub transaction: TransactionId,
    /// Its holds as placed, by performance, in id order.
    pub holds: Vec<(PerformanceId, Hold)>,
}

/// What a transaction carries besides its holds: the client's metadata and its discount
/// code. Written with the transaction's last hold, and again whole when either changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionRecord {
    /// The transaction.
    pub transaction: TransactionId,
    /// The client's keys and values.
    pub metadata: BTreeMap<String, String>,
    /// The discount code applied to it (format 6 on).
    pub discount_code: Option<String>,
}

/// A discount code's definition, written before its creation is acknowledged; never changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountCodeRecord {
    /// The definition.
    pub code: DiscountCode,
    /// When it was created.
    pub created_at: Timestamp,
}

/// A refund of some of an order's tickets: written before any of them is refunded at its
/// performance, so it is the refund's commit point; recovery refunds at each performance what
/// a stop left unrefunded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRecord {
    /// The order.
    pub order: OrderNumber,
    /// Its place among the order's refunds, from 1.
    pub seq: u32,
    /// The tickets: (performance, index among its hold's barcodes), in that order.
    pub tickets: Vec<(PerformanceId, u32)>,
    /// What is paid back: the tickets' `full`, and `order_fees`.
    pub amount: Amount,
    /// The per-order fees paid back (the order's last tickets in this currency).
    pub order_fees: Amount,
    /// The currency of every ticket refunded.
    pub currency: Currency,
    /// How it was paid back, when known (given, or the order's payment method).
    pub payment: Option<Payment>,
    /// Why, as the caller said.
    pub reason: String,
    /// True when the seats were withheld rather than put back on sale.
    pub withhold: bool,
    /// When.
    pub at: Timestamp,
    /// The client that refunded.
    pub by: ClientId,
}

/// The first answer to a write other than a hold that came with an `Idempotency-Key`, as
/// sent (a secret it showed, such as a new API key, left out).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerRecord {
    /// The client the key belongs to.
    pub client: ClientId,
    /// The key.
    pub key: String,
    /// A digest of the method, path and canonical body of the request.
    pub fingerprint: [u8; 32],
    /// The HTTP status of the answer.
    pub status: u16,
    /// The answer's body.
    pub body: Vec<u8>,
    /// When it was answered; answers are kept for a retention period from then.
    pub at: Timestamp,
}

/// A basket's intent, written before its first hold: the performances it is to hold at. A
/// crash between two placements leaves a hold at some of them only; recovery releases it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasketRecord {
    /// The transaction.
    pub transaction: TransactionId,
    /// The performances of its first placement, in id order.
    pub performances: Vec<PerformanceId>,
}

/// A hold that ended unsold (released or expired) and left its performance's inventory at a
/// snapshot; written in the snapshot's batch, read when somebody asks about its transaction,
/// never loaded at start-up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedHold {
    /// The performance it was held at.
    pub performance: PerformanceId,
    /// The hold as it ended.
    pub hold: Arc<Hold>,
}

/// A remembered answer whose retention has passed: writing it deletes the answer's record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Forgotten {
    /// A hold's idempotency answer ([`IdempotencyRecord`]).
    Hold {
        /// The client the key belongs to.
        client: ClientId,
        /// The key.
        key: String,
    },
    /// Another keyed write's answer ([`AnswerRecord`]).
    Answer {
        /// The client the key belongs to.
        client: ClientId,
        /// The key.
        key: String,
    },
}

/// Anything but a journal entry.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    /// A performance's definition.
    Performance(PerformanceRecord),
    /// A client.
    Client(ClientRecord),
    /// An order.
    Order(OrderRecord),
    /// An idempotency answer.
    Idempotency(IdempotencyRecord),
    /// A transaction's metadata.
    Transaction(TransactionRecord),
    /// A remembered answer to a keyed write.
    Answer(AnswerRecord),
    /// A basket's intent.
    Basket(BasketRecord),
    /// A discount code's definition.
    DiscountCode(DiscountCodeRecord),
    /// A refund.
    Refund(RefundRecord),
    /// A hold archived at a snapshot; it also ends the transaction's basket intent, which
    /// recovery needs no more once a hold of it has ended.
    Archived(ArchivedHold),
    /// An answer past its retention, to delete.
    Forgotten(Forgotten),
}

/// A snapshot of one performance's inventory after entry `seq`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The performance.
    pub performance: PerformanceId,
    /// The last entry the snapshot covers.
    pub seq: u64,
    /// The engine time of that entry.
    pub at: Timestamp,
    /// The inventory.
    pub state: PerformanceState,
}
