//! A journal in memory, with the same contract as the sled journal, for tests and for
//! serving without a disk.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::oneshot;

use super::{Durable, Entry, Journal};
use crate::domain::PerformanceId;

/// Keeps every appended entry in memory and reports it durable at once.
#[derive(Debug, Default)]
pub struct MemoryJournal {
    entries: Mutex<HashMap<PerformanceId, Vec<Entry>>>,
}

impl MemoryJournal {
    /// Creates an empty journal.
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns a copy of the entries appended for `performance`, in order.
    pub fn entries(&self, performance: &PerformanceId) -> Vec<Entry> {
        self.entries
            .lock()
            .map(|map| map.get(performance).cloned().unwrap_or_default())
            .unwrap_or_default()
    }

    /// Returns how many entries were appended for `performance`.
    pub fn len(&self, performance: &PerformanceId) -> usize {
        self.entries
            .lock()
            .map(|map| map.get(performance).map_or(0, Vec::len))
            .unwrap_or(0)
    }

    /// Returns true when nothing was appended for `performance`.
    pub fn is_empty(&self, performance: &PerformanceId) -> bool {
        self.len(performance) == 0
    }
}

impl Journal for MemoryJournal {
    fn append(&self, performance: &PerformanceId, entries: Vec<Entry>) -> Durable {
        let (sender, receiver) = oneshot::channel();
        let result = match self.entries.lock() {
            Ok(mut map) => {
                let log = map.entry(performance.clone()).or_default();
                debug_assert!(
                    entries
                        .iter()
                        .zip(log.len() as u64 + 1..)
                        .all(|(entry, seq)| entry.seq == seq),
                    "sequence numbers grow by exactly one"
                );
                log.extend(entries);
                Ok(())
            }
            Err(_) => Err(super::StorageError::Stopped),
        };
        // The receiver may have been dropped by a caller that gave up; nothing to tell then.
        let _ = sender.send(result);
        receiver
    }
}
