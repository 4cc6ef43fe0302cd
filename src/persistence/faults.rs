//! A seam for fault drills on the real journal: pause the sled store's commits, make one fail.
//!
//! A [`JournalFaults`] handle is given to the store when it opens ([`super::StoreConfig`]);
//! the test keeps a clone. Pausing holds every write in flight, so a test can fill a
//! performance's admission bound without racing the journal; an injected failure stops the
//! store through the same fail-stop path as a disk error, so what the test sees is what a
//! real I/O error would cause. The binary never builds one: the field is `None` unless a
//! test sets it, and then the journal pays one branch per commit and per write.
//!
//! Left out on purpose: failing after sled has taken a batch (a failed `fdatasync`). Then
//! the batch may or may not reach the disk, as with a crash, and only its idempotency key
//! tells a client which; a failure before the write keeps the outcome exact, which is what
//! the recovery tests compare against.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use tokio::sync::watch;

use super::StorageError;

/// Faults a test injects into the sled store's journal. Cloning shares the faults.
#[derive(Clone)]
pub struct JournalFaults(Arc<FaultState>);

struct FaultState {
    /// True while commits are held.
    paused: Mutex<bool>,
    resumed: Condvar,
    /// Fail the next commit with an I/O error.
    fail_next: AtomicBool,
    /// Batches handed to the store so far.
    writes: watch::Sender<u64>,
}

impl Default for JournalFaults {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for JournalFaults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JournalFaults")
            .field("paused", &self.0.paused.lock().map(|paused| *paused).ok())
            .field("fail_next", &self.0.fail_next.load(Ordering::SeqCst))
            .field("writes", &self.writes())
            .finish()
    }
}

impl JournalFaults {
    /// Creates faults that do nothing until told.
    pub fn new() -> Self {
        Self(Arc::new(FaultState {
            paused: Mutex::new(false),
            resumed: Condvar::new(),
            fail_next: AtomicBool::new(false),
            writes: watch::Sender::new(0),
        }))
    }

    /// Holds every commit from now until [`Self::resume`]: writes queue, nothing becomes
    /// durable, and every caller waiting for durability keeps waiting.
    pub fn pause(&self) {
        if let Ok(mut paused) = self.0.paused.lock() {
            *paused = true;
        }
    }

    /// Lets the held commits go.
    pub fn resume(&self) {
        if let Ok(mut paused) = self.0.paused.lock() {
            *paused = false;
        }
        self.0.resumed.notify_all();
    }

    /// Makes the next commit fail with an I/O error before it reaches sled; the store then
    /// fails stop, as it would on a disk error.
    pub fn fail_next_commit(&self) {
        self.0.fail_next.store(true, Ordering::SeqCst);
    }

    /// Returns how many batches have been handed to the store.
    pub fn writes(&self) -> u64 {
        *self.0.writes.borrow()
    }

    /// Waits until `count` batches in all have been handed to the store: the signal that
    /// requests have reached the journal (and so hold their admission slots).
    pub async fn wait_for_writes(&self, count: u64) {
        let mut writes = self.0.writes.subscribe();
        // The sender lives in `self`, so the channel cannot close while this waits.
        let _ = writes.wait_for(|&written| written >= count).await;
    }

    /// Counts a batch handed to the store.
    pub(crate) fn record_write(&self) {
        self.0.writes.send_modify(|written| *written += 1);
    }

    /// Runs on the writing thread before each commit: blocks while paused, then fails the
    /// commit when a failure is armed.
    pub(crate) fn before_commit(&self) -> Result<(), StorageError> {
        let paused = self.0.paused.lock().map_err(|_| poisoned())?;
        let _resumed = self
            .0
            .resumed
            .wait_while(paused, |paused| *paused)
            .map_err(|_| poisoned())?;
        if self.0.fail_next.swap(false, Ordering::SeqCst) {
            return Err(StorageError::Io("injected fault: the commit failed".into()));
        }
        Ok(())
    }
}

fn poisoned() -> StorageError {
    StorageError::Io("the journal fault lock is poisoned".into())
}
