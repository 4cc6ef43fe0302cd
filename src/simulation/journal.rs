//! The journal seam of the simulation: a [`Store`] whose batches wait until the simulation
//! flushes them, so journal latency, lost unflushed batches and I/O errors happen exactly when
//! a seed says so.
//!
//! What is flushed lands in a [`MemoryStore`], which shares the key layout and the recovery
//! procedure with the sled store; what is pending at a crash is lost, as a batch that never
//! reached the disk is.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::oneshot;

use crate::domain::{PerformanceId, TransactionId};
use crate::persistence::{
    ArchivedHold, Batch, Durable, Entry, MemoryStore, Recovered, StorageError, Store, StoreStats,
    TransactionRecord,
};

/// A batch the core handed over, not yet on disk.
struct Pending {
    batch: Batch,
    done: oneshot::Sender<Result<(), StorageError>>,
}

/// Every journal entry that reached the disk, in the order it did, across every crash.
pub type DurableLog = Arc<Mutex<Vec<(PerformanceId, Entry)>>>;

/// One process's handle on the simulated disk.
pub struct SimJournal {
    disk: MemoryStore,
    pending: Mutex<VecDeque<Pending>>,
    failed: AtomicBool,
    log: DurableLog,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock already fails the seed; keep reporting, not poisoning.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl SimJournal {
    /// Opens the disk as a new process would; writes of earlier handles are fenced off.
    pub fn open(disk: &MemoryStore, log: DurableLog) -> Self {
        Self {
            disk: disk.reopen(),
            pending: Mutex::new(VecDeque::new()),
            failed: AtomicBool::new(false),
            log,
        }
    }

    /// Returns how many batches wait for a flush.
    pub fn pending(&self) -> usize {
        lock(&self.pending).len()
    }

    /// Writes the `count` oldest pending batches to disk, in order, and reports them durable.
    pub fn flush(&self, count: usize) {
        for _ in 0..count {
            let Some(pending) = lock(&self.pending).pop_front() else {
                return;
            };
            self.land(pending);
        }
    }

    /// An I/O error during a flush: the oldest pending batch reaches the disk or not, as
    /// `lands` says (its writer is told it failed either way: nobody can know); every other
    /// pending and later batch fails, and the store stops.
    pub fn fail(&self, lands: bool) {
        let mut queue = std::mem::take(&mut *lock(&self.pending));
        if let Some(first) = queue.pop_front() {
            if lands {
                let entries = first.batch.entries.clone();
                let mut batch = first.batch;
                let hook = batch.on_durable.take();
                let outcome = self.disk.write(batch);
                drop(outcome);
                lock(&self.log).extend(entries);
                self.stop(hook, first.done);
            } else {
                queue.push_front(first);
            }
        }
        self.failed.store(true, Ordering::SeqCst);
        self.disk.fail();
        for mut pending in queue {
            let hook = pending.batch.on_durable.take();
            self.stop(hook, pending.done);
        }
    }

    fn stop(
        &self,
        hook: Option<crate::persistence::DurableHook>,
        done: oneshot::Sender<Result<(), StorageError>>,
    ) {
        let error = Err(StorageError::Stopped);
        if let Some(hook) = hook {
            hook.call(&error);
        }
        let _ = done.send(error);
    }

    fn land(&self, pending: Pending) {
        let entries = pending.batch.entries.clone();
        let mut outcome = self.disk.write(pending.batch);
        let outcome = outcome.try_recv().unwrap_or(Err(StorageError::Stopped));
        if outcome.is_ok() {
            lock(&self.log).extend(entries);
        }
        let _ = pending.done.send(outcome);
    }
}

impl Store for SimJournal {
    fn write(&self, mut batch: Batch) -> Durable {
        let (done, receiver) = oneshot::channel();
        if self.failed.load(Ordering::SeqCst) {
            let hook = batch.on_durable.take();
            self.stop(hook, done);
        } else {
            lock(&self.pending).push_back(Pending { batch, done });
        }
        receiver
    }

    fn load(&self) -> Result<Recovered, StorageError> {
        self.disk.load()
    }

    fn archived_holds(
        &self,
        transaction: TransactionId,
    ) -> Result<Vec<ArchivedHold>, StorageError> {
        self.disk.archived_holds(transaction)
    }

    fn transaction_record(
        &self,
        transaction: TransactionId,
    ) -> Result<Option<TransactionRecord>, StorageError> {
        self.disk.transaction_record(transaction)
    }

    fn journal(
        &self,
        performance: &PerformanceId,
    ) -> Result<Vec<crate::persistence::Entry>, StorageError> {
        self.disk.journal(performance)
    }

    fn has_failed(&self) -> bool {
        self.failed.load(Ordering::SeqCst)
    }

    fn is_low_on_space(&self) -> bool {
        false
    }

    fn stats(&self) -> StoreStats {
        self.disk.stats()
    }
}
