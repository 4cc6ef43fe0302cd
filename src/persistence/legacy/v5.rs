//! The layouts of formats 1 to 5 that format 6 (discount codes and refunds) changed: an order
//! without its discount code and uses, a transaction record without its applied code, and a
//! snapshot without refunds. Each converts into today's type as what it meant: no code was
//! ever applied, no ticket refunded.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;

use super::v7::{PerformanceStateV7, SnapshotV7};
use crate::domain::{
    ClientId, Hold, OrderNumber, Payment, PerformanceId, TicketRef, Timestamp, TransactionId,
};
use crate::persistence::records::{OrderRecord, TransactionRecord};

/// `OrderRecord` in formats 3 to 5: without the discount code.
#[derive(Deserialize)]
pub struct OrderRecordV5 {
    pub(super) number: OrderNumber,
    pub(super) transaction: TransactionId,
    pub(super) performances: Vec<PerformanceId>,
    pub(super) client: ClientId,
    pub(super) customer_name: String,
    pub(super) customer_email: String,
    pub(super) created_at: Timestamp,
    pub(super) payment: Option<Payment>,
}

impl From<OrderRecordV5> for OrderRecord {
    fn from(old: OrderRecordV5) -> Self {
        Self {
            number: old.number,
            transaction: old.transaction,
            performances: old.performances,
            client: old.client,
            customer_name: old.customer_name,
            customer_email: old.customer_email,
            created_at: old.created_at,
            payment: old.payment,
            discount_code: None,
            discount_uses: 0,
        }
    }
}

/// `TransactionRecord` in formats 1 to 5: metadata only.
#[derive(Deserialize)]
pub struct TransactionRecordV5 {
    transaction: TransactionId,
    metadata: BTreeMap<String, String>,
}

impl From<TransactionRecordV5> for TransactionRecord {
    fn from(old: TransactionRecordV5) -> Self {
        Self {
            transaction: old.transaction,
            metadata: old.metadata,
            discount_code: None,
        }
    }
}

/// `PerformanceState` in format 5: without refunds.
#[derive(Deserialize)]
pub struct PerformanceStateV5 {
    pub(super) holds: Vec<Arc<Hold>>,
    pub(super) withheld: Vec<u32>,
    pub(super) version: u64,
    pub(super) scans: Vec<(TicketRef, Timestamp)>,
}

/// `Snapshot` in format 5: nothing was refunded yet.
#[derive(Deserialize)]
pub struct SnapshotV5 {
    pub(super) performance: PerformanceId,
    pub(super) seq: u64,
    pub(super) at: Timestamp,
    pub(super) state: PerformanceStateV5,
}

impl From<SnapshotV5> for SnapshotV7 {
    fn from(old: SnapshotV5) -> Self {
        Self {
            performance: old.performance,
            seq: old.seq,
            at: old.at,
            state: PerformanceStateV7 {
                holds: old.state.holds,
                withheld: old.state.withheld,
                version: old.state.version,
                scans: old.state.scans,
                refunds: Vec::new(),
            },
        }
    }
}
