//! Where accepted changes go before they are acknowledged, and where start-up finds them.
//!
//! A [`Store`] takes a [`Batch`] (journal entries of any performances, records such as orders
//! and clients, perhaps a snapshot) and reports when all of it is durable, atomically: a
//! sale, its order and its idempotency answer land together or not at all. Actors reply to
//! clients only after that report, so an acknowledged change is never lost; what was applied
//! in memory but never reported durable was never acknowledged, and losing it in a crash is
//! correct.
//!
//! Two stores share one key layout ([`layout`]) and one recovery procedure: [`SledStore`]
//! (sled 0.34 with a group-commit journal thread; see its module for the flush protocol) and
//! [`MemoryStore`] (an ordered map, for tests and the simulation).
//!
//! Start-up ([`Store::load`]) returns, per performance, the newest valid snapshot and the
//! journal entries after it; a bad checksum or a gap in sequence numbers is reported as the
//! performance's corruption, and the engine refuses to serve that performance rather than
//! silently cut its history.
//!
//! # Caveats
//! - "Durable" means what the configured durability mode says: `fsync` survives a power cut
//!   on a disk that honours flush commands; `flush` survives a process crash only; `none`
//!   survives nothing and is for benchmarks.
//! - Loss of the disk itself, or a disk that acknowledges flushes it has not done, is outside
//!   what any mode promises.

mod codec;
mod error;
mod faults;
mod journal_values;
pub mod layout;
mod legacy;
mod memory_store;
mod records;
mod sled_store;

use tokio::sync::oneshot;

use crate::domain::{Change, PerformanceId, Timestamp, TransactionId};

pub use codec::{
    FORMAT_VERSION, Header, Kind, Layout, decode, decode_evolving, encode, entry_key, entry_prefix,
    seq_of_key,
};
pub use error::StorageError;
pub use faults::JournalFaults;
pub use memory_store::MemoryStore;
pub use records::{
    AnswerRecord, ArchivedHold, BasketRecord, ClientRecord, DiscountCodeRecord, Forgotten,
    IdempotencyRecord, OrderRecord, PerformanceRecord, Record, RefundRecord, Snapshot,
    TransactionRecord,
};
pub use sled_store::{Durability, FailureHook, SledStore, StoreConfig};

use serde::{Deserialize, Serialize};

/// One journal entry: a change with its place in the performance's sequence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The performance's sequence number; it grows by exactly one per entry.
    pub seq: u64,
    /// The engine time at which the change was decided.
    pub at: Timestamp,
    /// The change.
    pub change: Change,
}

/// Everything one write makes durable, atomically.
#[derive(Debug, Default)]
pub struct Batch {
    /// Journal entries, each with its performance, in sequence order per performance.
    pub entries: Vec<(PerformanceId, Entry)>,
    /// Other records.
    pub records: Vec<Record>,
    /// A snapshot, which may also drop older generations and covered entries.
    pub snapshot: Option<Snapshot>,
    /// Called by the store, on its own thread, once the batch is durable or has failed; runs
    /// before the returned [`Durable`] completes.
    pub on_durable: Option<DurableHook>,
}

/// A callback for the moment a batch is durable (or failed). It must be quick: it runs on
/// the journal thread between commits.
pub struct DurableHook(Box<HookFn>);

/// The callable inside a [`DurableHook`].
type HookFn = dyn FnOnce(&Result<(), StorageError>) + Send;

impl DurableHook {
    /// Wraps `hook`.
    pub fn new(hook: impl FnOnce(&Result<(), StorageError>) + Send + 'static) -> Self {
        Self(Box::new(hook))
    }

    /// Runs the hook with the batch's outcome.
    pub fn call(self, outcome: &Result<(), StorageError>) {
        (self.0)(outcome);
    }
}

impl std::fmt::Debug for DurableHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DurableHook")
    }
}

/// Completes with `Ok(())` once a batch is durable, or with the error that stopped it.
pub type Durable = oneshot::Receiver<Result<(), StorageError>>;

/// One performance as start-up found it.
#[derive(Clone, Debug)]
pub struct RecoveredPerformance {
    /// Its definition.
    pub record: PerformanceRecord,
    /// The newest valid snapshot.
    pub snapshot: Option<Snapshot>,
    /// The entries after the snapshot, in order, up to the first damage.
    pub tail: Vec<Entry>,
    /// The damage that stopped the tail, if any: the performance must not be served.
    pub corruption: Option<StorageError>,
}

/// Everything start-up found.
#[derive(Clone, Debug, Default)]
pub struct Recovered {
    /// Every performance.
    pub performances: Vec<RecoveredPerformance>,
    /// Every client.
    pub clients: Vec<ClientRecord>,
    /// Every order.
    pub orders: Vec<OrderRecord>,
    /// Every remembered idempotency answer.
    pub idempotency: Vec<IdempotencyRecord>,
    /// Every transaction's metadata.
    pub transactions: Vec<TransactionRecord>,
    /// Every remembered answer to a keyed write.
    pub answers: Vec<AnswerRecord>,
    /// Every basket's intent.
    pub baskets: Vec<BasketRecord>,
    /// Every discount code.
    pub discount_codes: Vec<DiscountCodeRecord>,
    /// Every refund, in order then seq order.
    pub refunds: Vec<RefundRecord>,
}

/// Counters of a store's work, for metrics and for tests that check syncing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreStats {
    /// Batches written (group commits).
    pub commits: u64,
    /// Write requests those commits carried.
    pub requests: u64,
    /// Data-file syncs (`fdatasync`) performed.
    pub syncs: u64,
    /// The size of the last snapshot encoded, in bytes (0 before the first).
    pub last_snapshot_bytes: u64,
}

/// The durable store of every performance's journal and of the engine's records.
///
/// Contract: batches become durable in the order `write` was called; a [`Durable`] completes
/// `Ok` only when its batch, and every batch written before it, is durable to the degree of
/// the store's durability mode. After any storage error the store fails stop: every pending
/// and later write completes with an error.
pub trait Store: Send + Sync + 'static {
    /// Queues `batch` and returns the signal of its durability.
    fn write(&self, batch: Batch) -> Durable;

    /// Loads everything for start-up.
    ///
    /// # Errors
    /// When records outside any performance's journal are damaged, or the store cannot be read.
    fn load(&self) -> Result<Recovered, StorageError>;

    /// Reads the holds of `transaction` that were archived when they left their
    /// performances' inventories, in performance id order.
    ///
    /// # Errors
    /// When a record is damaged or the store cannot be read.
    fn archived_holds(&self, transaction: TransactionId)
    -> Result<Vec<ArchivedHold>, StorageError>;

    /// Reads the metadata record of `transaction`.
    ///
    /// # Errors
    /// When the record is damaged or the store cannot be read.
    fn transaction_record(
        &self,
        transaction: TransactionId,
    ) -> Result<Option<TransactionRecord>, StorageError>;

    /// Reads the whole journal of `performance`, in order: its history.
    ///
    /// # Errors
    /// When an entry is damaged, the sequence has a gap, or the store cannot be read.
    fn journal(&self, performance: &PerformanceId) -> Result<Vec<Entry>, StorageError>;

    /// Returns true once a storage error has stopped the store.
    fn has_failed(&self) -> bool;

    /// Returns true while free disk space is below the configured reserve.
    fn is_low_on_space(&self) -> bool;

    /// Returns the store's counters.
    fn stats(&self) -> StoreStats;
}

#[cfg(test)]
mod format_tests;
#[cfg(test)]
mod tests;
