//! Where accepted changes go before they are acknowledged.
//!
//! A [`Journal`] takes the entries of one performance, in sequence order, and reports when
//! they are durable. The actor replies to a client only after that report, so an
//! acknowledged change is never lost; what was applied in memory but never reported durable
//! was never acknowledged, and losing it on a crash is correct.
//!
//! This build keeps the journal in memory ([`MemoryJournal`]): everything is lost at exit.
//! The sled journal with group commit, snapshots and recovery is the next step (issue 3);
//! it implements the same trait, so nothing above this module changes.
//!
//! # Caveats
//! - The memory journal reports every append durable at once; it is for tests and for
//!   serving without a disk, never a promise of durability.

mod codec;
mod error;
mod memory_store;

use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

use crate::domain::{Change, PerformanceId, Timestamp};

pub use codec::{
    FORMAT_VERSION, Header, Kind, decode, encode, entry_key, entry_prefix, seq_of_key,
};
pub use error::StorageError;
pub use memory_store::MemoryJournal;

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

/// Completes with `Ok(())` once the appended entries are durable, or with the storage error
/// that stopped them.
pub type Durable = oneshot::Receiver<Result<(), StorageError>>;

/// The write-ahead log of every performance.
///
/// Contract: entries of one performance become durable in the order they were appended, and
/// a [`Durable`] completes `Ok` only when its entries, and every entry appended before them,
/// survive a crash of the process (to the degree the implementation promises: see each one).
pub trait Journal: Send + Sync + 'static {
    /// Appends `entries` of `performance` and returns the signal of their durability.
    fn append(&self, performance: &PerformanceId, entries: Vec<Entry>) -> Durable;
}
