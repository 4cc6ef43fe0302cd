//! The layouts of formats 1 to 7 that format 8 (organizers, channels and allocations)
//! changed: a snapshot's inventory without allocations, channel holds, withheld places and
//! sale status, and a client without its scope. Each converts into today's type as what it
//! meant: nothing was allocated or withheld by the place, every performance was on sale, and
//! every client could act on every event through no channel.

use std::sync::Arc;

use serde::Deserialize;

use crate::domain::{ClientId, Hold, PerformanceId, PerformanceState, TicketRef, Timestamp};
use crate::persistence::records::{ClientRecord, Snapshot};

/// `PerformanceState` in formats 6 and 7.
#[derive(Deserialize)]
pub struct PerformanceStateV7 {
    pub(super) holds: Vec<Arc<Hold>>,
    pub(super) withheld: Vec<u32>,
    pub(super) version: u64,
    pub(super) scans: Vec<(TicketRef, Timestamp)>,
    pub(super) refunds: Vec<(TicketRef, Timestamp)>,
}

/// `Snapshot` in formats 6 and 7.
#[derive(Deserialize)]
pub struct SnapshotV7 {
    pub(super) performance: PerformanceId,
    pub(super) seq: u64,
    pub(super) at: Timestamp,
    pub(super) state: PerformanceStateV7,
}

impl From<SnapshotV7> for Snapshot {
    fn from(old: SnapshotV7) -> Self {
        let state = old.state;
        Self {
            performance: old.performance,
            seq: old.seq,
            at: old.at,
            state: PerformanceState {
                holds: state.holds,
                withheld: state.withheld,
                version: state.version,
                scans: state.scans,
                refunds: state.refunds,
                allocations: Vec::new(),
                hold_channels: Vec::new(),
                pool_withheld: Vec::new(),
                status: crate::domain::SaleStatus::OnSale,
            },
        }
    }
}

/// `ClientRecord` in formats 1 to 7: without a scope.
#[derive(Deserialize)]
pub struct ClientRecordV7 {
    id: ClientId,
    name: String,
    role: String,
    key_digest: [u8; 32],
}

impl From<ClientRecordV7> for ClientRecord {
    fn from(old: ClientRecordV7) -> Self {
        Self {
            id: old.id,
            name: old.name,
            role: old.role,
            key_digest: old.key_digest,
            events: Vec::new(),
            channel: None,
            created_by: None,
        }
    }
}
