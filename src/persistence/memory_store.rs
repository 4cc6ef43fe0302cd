//! A store in memory with the same key layout and recovery as the sled store: for tests and
//! the simulation. It reports every write durable at once, and can be told to fail.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use super::Entry;
use super::layout::{self, KvBatch, ReadKv, Visit};
use super::{
    ArchivedHold, Batch, Durable, Recovered, StorageError, Store, StoreStats, TransactionRecord,
};
use crate::domain::{PerformanceId, TransactionId};

/// An ordered map behind a mutex.
#[derive(Debug, Default)]
pub struct MemoryStore {
    map: Arc<Mutex<BTreeMap<Vec<u8>, Vec<u8>>>>,
    /// The generation of the newest handle; an older handle's writes are refused, as a
    /// crashed process's would never land.
    generation: Arc<AtomicU64>,
    handle_generation: u64,
    failed: AtomicBool,
    commits: AtomicU64,
}

struct Locked<'a>(&'a BTreeMap<Vec<u8>, Vec<u8>>);

impl ReadKv for Locked<'_> {
    fn scan(&self, prefix: &[u8], visit: &mut Visit<'_>) -> Result<(), StorageError> {
        for (key, value) in self.0.range(prefix.to_vec()..) {
            if !key.starts_with(prefix) {
                break;
            }
            visit(key, value)?;
        }
        Ok(())
    }

    fn scan_from(
        &self,
        prefix: &[u8],
        from: &[u8],
        visit: &mut Visit<'_>,
    ) -> Result<(), StorageError> {
        for (key, value) in self.0.range(from.max(prefix).to_vec()..) {
            if !key.starts_with(prefix) {
                break;
            }
            visit(key, value)?;
        }
        Ok(())
    }

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self.0.get(key).cloned())
    }
}

impl MemoryStore {
    /// Creates an empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns a new handle on the same data, as a restarted process would open it; this
    /// handle's later writes are refused, as a crashed process's would never land.
    pub fn reopen(&self) -> Self {
        let handle_generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        Self {
            map: Arc::clone(&self.map),
            generation: Arc::clone(&self.generation),
            handle_generation,
            failed: AtomicBool::new(false),
            commits: AtomicU64::new(0),
        }
    }

    /// Makes every later write fail, as a disk error would.
    pub fn fail(&self) {
        self.failed.store(true, Ordering::SeqCst);
    }

    /// Runs `change` on the raw key space, to damage it in tests.
    pub fn tamper(&self, change: impl FnOnce(&mut BTreeMap<Vec<u8>, Vec<u8>>)) {
        if let Ok(mut map) = self.map.lock() {
            change(&mut map);
        }
    }

    /// Returns how many keys the store holds.
    pub fn key_count(&self) -> usize {
        self.map.lock().map_or(0, |map| map.len())
    }

    /// Returns the size of every stored value, largest first.
    pub fn value_sizes(&self) -> Vec<usize> {
        let mut sizes: Vec<usize> = self
            .map
            .lock()
            .map(|map| map.values().map(Vec::len).collect())
            .unwrap_or_default();
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        sizes
    }

    fn apply(&self, batch: &Batch) -> Result<(), StorageError> {
        let fenced = self.generation.load(Ordering::SeqCst) != self.handle_generation;
        if self.failed.load(Ordering::SeqCst) || fenced {
            return Err(StorageError::Stopped);
        }
        let mut map = self.map.lock().map_err(|_| StorageError::Stopped)?;
        let KvBatch { puts, deletes } = layout::encode_batch(&Locked(&map), batch)?;
        for key in deletes {
            map.remove(&key);
        }
        map.extend(puts);
        self.commits.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

impl Store for MemoryStore {
    fn write(&self, mut batch: Batch) -> Durable {
        let (sender, receiver) = oneshot::channel();
        let outcome = self.apply(&batch);
        if let Some(hook) = batch.on_durable.take() {
            hook.call(&outcome);
        }
        // The caller may have stopped waiting; there is nobody to tell then.
        let _ = sender.send(outcome);
        receiver
    }

    fn load(&self) -> Result<Recovered, StorageError> {
        let map = self.map.lock().map_err(|_| StorageError::Stopped)?;
        layout::load(&Locked(&map))
    }

    fn archived_holds(
        &self,
        transaction: TransactionId,
    ) -> Result<Vec<ArchivedHold>, StorageError> {
        let map = self.map.lock().map_err(|_| StorageError::Stopped)?;
        layout::archived_holds(&Locked(&map), transaction)
    }

    fn transaction_record(
        &self,
        transaction: TransactionId,
    ) -> Result<Option<TransactionRecord>, StorageError> {
        let map = self.map.lock().map_err(|_| StorageError::Stopped)?;
        layout::transaction_record(&Locked(&map), transaction)
    }

    fn journal(&self, performance: &PerformanceId) -> Result<Vec<Entry>, StorageError> {
        let map = self.map.lock().map_err(|_| StorageError::Stopped)?;
        layout::journal(&Locked(&map), performance)
    }

    fn has_failed(&self) -> bool {
        self.failed.load(Ordering::SeqCst)
    }

    fn is_low_on_space(&self) -> bool {
        false
    }

    fn stats(&self) -> StoreStats {
        let commits = self.commits.load(Ordering::Relaxed);
        StoreStats {
            commits,
            requests: commits,
            syncs: 0,
            last_snapshot_bytes: 0,
        }
    }
}
