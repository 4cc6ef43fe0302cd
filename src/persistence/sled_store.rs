//! The sled store: the only file that names sled.
//!
//! One journal thread owns every write. It blocks for the first request, takes everything
//! that queued meanwhile, writes it all as one `sled::Batch` (the entries of each
//! performance as one value: `journal_values`), calls the blocking
//! `Db::flush()`, then `fdatasync`s sled's data file itself, and only then completes every
//! waiting request: group commit, with batches as large as the load makes them and no timer.
//! sled 0.34's `flush()` uses `sync_file_range`, which survives a process crash but not a
//! power cut; the explicit fdatasync is what makes `fsync` mode mean "on disk".
//! `flush_async` is never called (it can deadlock in 0.34), and no value over 64 KiB is
//! written (sled puts those in blob files it never fsyncs; see [`super::layout`]).
//!
//! Any error is fail-stop: the store marks itself failed, answers every waiting and later
//! request with an error, and calls the failure hook (the binary exits non-zero; a restart
//! recovers from what is on disk).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::sync::oneshot;

use super::Entry;
use super::faults::JournalFaults;
use super::layout::{self, KvBatch, ReadKv, Visit};
use super::{
    ArchivedHold, Batch, Durable, Recovered, StorageError, Store, StoreStats, TransactionRecord,
};
use crate::domain::{PerformanceId, TransactionId};

/// How far "durable" goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Durability {
    /// `Db::flush()` and `fdatasync` of the data file: survives a power cut.
    #[default]
    Fsync,
    /// `Db::flush()` only: survives a process crash, not a power cut.
    Flush,
    /// Neither: for benchmarks only.
    None,
}

/// How to open the store.
#[derive(Clone, Debug)]
pub struct StoreConfig {
    /// The directory sled keeps its files in.
    pub path: PathBuf,
    /// How far "durable" goes.
    pub durability: Durability,
    /// sled's page cache, in bytes.
    pub cache_capacity_bytes: u64,
    /// Below this much free disk space, [`Store::is_low_on_space`] turns true.
    pub disk_reserve_bytes: u64,
    /// Faults a test injects into the journal; `None` outside fault drills.
    pub faults: Option<JournalFaults>,
}

/// Called once, from the journal thread, when the store fails.
pub type FailureHook = Box<dyn Fn(&StorageError) + Send + Sync>;

struct Request {
    batch: Batch,
    /// The batch's snapshot, encoded by the snapshot thread.
    encoded: Option<layout::EncodedSnapshot>,
    reply: oneshot::Sender<Result<(), StorageError>>,
}

#[derive(Default)]
struct Shared {
    failed: AtomicBool,
    /// Set when sled itself returned an error (not an injected fault).
    sled_failed: AtomicBool,
    low_on_space: AtomicBool,
    commits: AtomicU64,
    requests: AtomicU64,
    syncs: AtomicU64,
    last_snapshot_bytes: AtomicU64,
}

/// The store on sled.
pub struct SledStore {
    /// Taken by [`SledStore::close`], which releases sled's lock on the directory.
    db: Mutex<Option<sled::Db>>,
    sender: Mutex<Option<Sender<Request>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    /// Snapshots go through their own thread, which encodes them and then queues them for
    /// the journal: encoding a large performance would otherwise stall every commit.
    snapshot_sender: Mutex<Option<Sender<Request>>>,
    snapshot_thread: Mutex<Option<JoinHandle<()>>>,
    shared: Arc<Shared>,
    faults: Option<JournalFaults>,
}

impl From<sled::Error> for StorageError {
    fn from(error: sled::Error) -> Self {
        Self::Io(error.to_string())
    }
}

struct SledKv<'a>(&'a sled::Db);

impl ReadKv for SledKv<'_> {
    fn scan(&self, prefix: &[u8], visit: &mut Visit<'_>) -> Result<(), StorageError> {
        for item in self.0.scan_prefix(prefix) {
            let (key, value) = item?;
            visit(&key, &value)?;
        }
        Ok(())
    }

    fn scan_from(
        &self,
        prefix: &[u8],
        from: &[u8],
        visit: &mut Visit<'_>,
    ) -> Result<(), StorageError> {
        for item in self.0.range(from.max(prefix)..) {
            let (key, value) = item?;
            if !key.starts_with(prefix) {
                break;
            }
            visit(&key, &value)?;
        }
        Ok(())
    }

    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self.0.get(key)?.map(|value| value.to_vec()))
    }
}

/// How often free space is measured at most.
const SPACE_CHECK_INTERVAL: Duration = Duration::from_millis(250);

impl SledStore {
    /// Opens (or creates) the store and starts its journal thread.
    ///
    /// # Errors
    /// When sled cannot open the directory or its data file cannot be opened for syncing.
    pub fn open(
        config: &StoreConfig,
        on_failure: Option<FailureHook>,
    ) -> Result<Arc<Self>, StorageError> {
        std::fs::create_dir_all(&config.path)?;
        let db = sled::Config::new()
            .path(&config.path)
            .cache_capacity(config.cache_capacity_bytes)
            .mode(sled::Mode::HighThroughput)
            .open()?;
        let data_file = File::open(config.path.join("db"))?;
        // The directory entries of sled's new files must survive a power cut too.
        File::open(&config.path)?.sync_all()?;
        let shared = Arc::new(Shared::default());
        // Measured before the first request can arrive, so a restart on a nearly full disk
        // refuses holds from the start instead of after the journal thread's first look.
        measure_space(&config.path, config.disk_reserve_bytes, &shared);
        let on_failure = Arc::new(on_failure);
        let (sender, receiver) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("holdfast-journal".into())
            .spawn({
                let db = db.clone();
                let shared = Arc::clone(&shared);
                let journal = Journal {
                    writer: Writer {
                        db,
                        data_file: data_file.try_clone()?,
                        durability: config.durability,
                        shared,
                        on_failure: Arc::clone(&on_failure),
                        faults: config.faults.clone(),
                    },
                    path: config.path.clone(),
                    reserve: config.disk_reserve_bytes,
                    space_checked: Instant::now(),
                };
                move || journal.run(receiver)
            })?;
        let (snapshot_sender, snapshot_receiver) = mpsc::channel::<Request>();
        let snapshot_thread = std::thread::Builder::new()
            .name("holdfast-snapshots".into())
            .spawn({
                let journal = sender.clone();
                let writer = Writer {
                    db: db.clone(),
                    data_file,
                    durability: config.durability,
                    shared: Arc::clone(&shared),
                    on_failure,
                    faults: config.faults.clone(),
                };
                move || write_snapshots(&snapshot_receiver, &journal, &writer)
            })?;
        let store = Arc::new(Self {
            db: Mutex::new(Some(db)),
            sender: Mutex::new(Some(sender)),
            thread: Mutex::new(Some(thread)),
            snapshot_sender: Mutex::new(Some(snapshot_sender)),
            snapshot_thread: Mutex::new(Some(snapshot_thread)),
            shared,
            faults: config.faults.clone(),
        });
        Ok(store)
    }

    /// Stops the journal thread after it has written everything queued, then closes sled,
    /// which releases its lock on the directory: a new store (a restart in the same
    /// process) can open it as soon as this returns. Later writes and loads fail `Stopped`.
    /// A thread stuck in sled after an I/O error is left behind after five seconds, and sled
    /// is then left open, so a failed store never stops the process from exiting.
    pub fn close(&self) {
        let mut stuck = false;
        // The snapshot thread first: it may still queue work for the journal.
        for (sender, thread, name) in [
            (&self.snapshot_sender, &self.snapshot_thread, "snapshot"),
            (&self.sender, &self.thread, "journal"),
        ] {
            if let Ok(mut sender) = sender.lock() {
                sender.take();
            }
            let thread = thread.lock().ok().and_then(|mut thread| thread.take());
            if let Some(thread) = thread {
                stuck |= !join_within(thread, name, CLOSE_WAIT);
            }
        }
        // The threads held the only other handles, so this drop closes sled; handles still
        // held elsewhere (actors yet to stop) keep only the store, not the directory.
        let db = self.db.lock().ok().and_then(|mut db| db.take());
        if stuck || self.shared.sled_failed.load(Ordering::SeqCst) {
            // sled 0.34 flushes when its last handle drops, and after an I/O error (a full
            // disk) that flush waits forever for a write that will never complete. A failed
            // store is followed by an exit, which releases the directory anyway.
            std::mem::forget(db);
        } else {
            drop(db);
        }
    }
}

/// How long closing waits for each of the store's threads.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// Joins `thread`, or leaves it behind after `wait`: after an I/O error (a full disk) sled 0.34
/// can block a flush for ever, and a thread stuck in one must not stop the process from
/// exiting. Nothing is lost by leaving it: a write it holds was never acknowledged.
/// Returns false when it left the thread behind.
fn join_within(thread: JoinHandle<()>, name: &str, wait: Duration) -> bool {
    let deadline = Instant::now() + wait;
    while !thread.is_finished() {
        if Instant::now() >= deadline {
            tracing::error!(
                "the {name} thread is stuck (sled blocks flushes after an I/O error); exiting without it"
            );
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    if thread.join().is_err() {
        tracing::error!("the {name} thread panicked");
    }
    true
}

#[cfg(test)]
impl SledStore {
    /// Returns how many keys start with `prefix`, for tests that count what was written.
    pub(crate) fn count_keys(&self, prefix: &[u8]) -> usize {
        let db = self.db.lock().ok().and_then(|db| db.clone());
        db.map_or(0, |db| db.scan_prefix(prefix).count())
    }
}

impl Drop for SledStore {
    fn drop(&mut self) {
        self.close();
    }
}

impl SledStore {
    /// Returns the database while the store is open (a `sled::Db` is a cheap handle).
    fn open_db(&self) -> Result<sled::Db, StorageError> {
        self.db
            .lock()
            .ok()
            .and_then(|db| db.clone())
            .ok_or(StorageError::Stopped)
    }
}

impl Store for SledStore {
    fn write(&self, batch: Batch) -> Durable {
        let (reply, receiver) = oneshot::channel();
        // Snapshots (and anything written with one) go through the snapshot thread, the
        // only writer of snapshot generations and of the deletions they allow.
        let queue = if batch.snapshot.is_some() {
            &self.snapshot_sender
        } else {
            &self.sender
        };
        let request = Request {
            batch,
            encoded: None,
            reply,
        };
        let unsent = match queue.lock() {
            Ok(sender) => match sender.as_ref() {
                Some(sender) => sender.send(request).err().map(|error| error.0),
                None => Some(request),
            },
            Err(_) => None,
        };
        if let Some(request) = unsent {
            // The thread is gone (closed or failed): nothing more is acknowledged.
            let _ = request.reply.send(Err(StorageError::Stopped));
        }
        if let Some(faults) = &self.faults {
            faults.record_write();
        }
        receiver
    }

    fn load(&self) -> Result<Recovered, StorageError> {
        layout::load(&SledKv(&self.open_db()?))
    }

    fn archived_holds(
        &self,
        transaction: TransactionId,
    ) -> Result<Vec<ArchivedHold>, StorageError> {
        layout::archived_holds(&SledKv(&self.open_db()?), transaction)
    }

    fn transaction_record(
        &self,
        transaction: TransactionId,
    ) -> Result<Option<TransactionRecord>, StorageError> {
        layout::transaction_record(&SledKv(&self.open_db()?), transaction)
    }

    fn journal(&self, performance: &PerformanceId) -> Result<Vec<Entry>, StorageError> {
        layout::journal(&SledKv(&self.open_db()?), performance)
    }

    fn has_failed(&self) -> bool {
        self.shared.failed.load(Ordering::SeqCst)
    }

    fn is_low_on_space(&self) -> bool {
        self.shared.low_on_space.load(Ordering::Relaxed)
    }

    fn stats(&self) -> StoreStats {
        StoreStats {
            commits: self.shared.commits.load(Ordering::Relaxed),
            requests: self.shared.requests.load(Ordering::Relaxed),
            syncs: self.shared.syncs.load(Ordering::Relaxed),
            last_snapshot_bytes: self.shared.last_snapshot_bytes.load(Ordering::Relaxed),
        }
    }
}

/// The snapshot thread: takes every snapshot queued, drops those a newer one of the same
/// performance supersedes, encodes the rest, waits until everything queued for the journal
/// before them is durable (the entries they cover were queued before them), then writes and
/// syncs them itself, so the journal's commits never wait behind a large snapshot.
///
/// Without the dropping, a performance that snapshots faster than its snapshots can be
/// written leaves a backlog that keeps writing (and filling the disk) long after the load
/// has stopped, past the disk reserve, which only refuses new holds.
fn write_snapshots(receiver: &Receiver<Request>, journal: &Sender<Request>, writer: &Writer) {
    while let Ok(first) = receiver.recv() {
        let mut requests = vec![first];
        requests.extend(receiver.try_iter());
        drop_superseded_snapshots(&mut requests);
        for request in &mut requests {
            if let Some(snapshot) = &request.batch.snapshot {
                match layout::encode_snapshot(snapshot) {
                    Ok(encoded) => {
                        writer
                            .shared
                            .last_snapshot_bytes
                            .store(encoded.size() as u64, Ordering::Relaxed);
                        request.encoded = Some(encoded);
                    }
                    // Left unencoded, the commit encodes it again and fails stop on the error.
                    Err(error) => tracing::error!(%error, "encoding a snapshot failed"),
                }
            }
        }
        let (reply, barrier) = oneshot::channel();
        let queued = journal.send(Request {
            batch: Batch::default(),
            encoded: None,
            reply,
        });
        let covered = queued.is_ok() && matches!(barrier.blocking_recv(), Ok(Ok(())));
        let outcome = if covered && !writer.shared.failed.load(Ordering::SeqCst) {
            writer.commit(&mut requests)
        } else {
            Err(StorageError::Stopped)
        };
        writer.finish(requests, outcome);
    }
}

/// Takes the snapshot out of every request that a later one of the same performance
/// supersedes (an actor queues its snapshots in sequence order). The request itself stays,
/// so its hook and reply report the outcome of the batch that writes the newer snapshot.
fn drop_superseded_snapshots(requests: &mut [Request]) {
    let mut newer = std::collections::HashSet::new();
    for request in requests.iter_mut().rev() {
        if let Some(snapshot) = &request.batch.snapshot
            && !newer.insert(snapshot.performance.clone())
        {
            request.batch.snapshot = None;
        }
    }
}

/// Writes batches and makes them durable; one per writing thread.
struct Writer {
    db: sled::Db,
    data_file: File,
    durability: Durability,
    shared: Arc<Shared>,
    on_failure: Arc<Option<FailureHook>>,
    faults: Option<JournalFaults>,
}

/// The journal thread's state.
struct Journal {
    writer: Writer,
    path: PathBuf,
    reserve: u64,
    /// When free space was last measured ([`SledStore::open`] measures it first).
    space_checked: Instant,
}

impl Journal {
    fn run(mut self, receiver: Receiver<Request>) {
        while let Ok(first) = receiver.recv() {
            let mut requests = vec![first];
            requests.extend(receiver.try_iter());
            let outcome = if self.writer.shared.failed.load(Ordering::SeqCst) {
                Err(StorageError::Stopped)
            } else {
                self.writer.commit(&mut requests)
            };
            self.writer.finish(requests, outcome);
            self.check_space();
        }
    }
}

impl Writer {
    /// Answers every request with `outcome`; after an error, stops the store for good.
    fn finish(&self, requests: Vec<Request>, outcome: Result<(), StorageError>) {
        let newly_failed = outcome.is_err() && !self.shared.failed.swap(true, Ordering::SeqCst);
        for mut request in requests {
            if let Some(hook) = request.batch.on_durable.take() {
                hook.call(&outcome);
            }
            // A caller that gave up waiting has nobody to tell.
            let _ = request.reply.send(outcome.clone());
        }
        if let Err(error) = &outcome
            && newly_failed
        {
            self.fail(error);
        }
    }

    /// Writes every request as one batch and makes it durable.
    fn commit(&self, requests: &mut [Request]) -> Result<(), StorageError> {
        if let Some(faults) = &self.faults {
            faults.before_commit()?;
        }
        self.apply_and_sync(requests)
            .inspect_err(|_| self.shared.sled_failed.store(true, Ordering::SeqCst))
    }

    fn apply_and_sync(&self, requests: &mut [Request]) -> Result<(), StorageError> {
        let kv = SledKv(&self.db);
        let mut batch = sled::Batch::default();
        // Every entry of the commit first, one value per performance: journal keys are never
        // written by records or snapshots, so the order against them does not matter.
        let entries = requests.iter().flat_map(|request| &request.batch.entries);
        for (key, value) in layout::encode_entries(entries)?.puts {
            batch.insert(key, value);
        }
        for request in requests.iter_mut() {
            let encoded = request.encoded.take();
            let mut writes = KvBatch::default();
            layout::encode_records_with(&kv, &mut writes, &request.batch, encoded)?;
            let KvBatch { puts, deletes } = writes;
            for key in deletes {
                batch.remove(key);
            }
            for (key, value) in puts {
                batch.insert(key, value);
            }
        }
        self.db.apply_batch(batch)?;
        match self.durability {
            Durability::Fsync => {
                self.db.flush()?;
                self.data_file.sync_data()?;
                self.shared.syncs.fetch_add(1, Ordering::Relaxed);
            }
            Durability::Flush => {
                self.db.flush()?;
            }
            Durability::None => {}
        }
        self.shared.commits.fetch_add(1, Ordering::Relaxed);
        self.shared
            .requests
            .fetch_add(requests.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    fn fail(&self, error: &StorageError) {
        tracing::error!(%error, "storage failed; no further change will be acknowledged");
        if let Some(hook) = self.on_failure.as_ref() {
            hook(error);
        }
    }
}

impl Journal {
    fn check_space(&mut self) {
        if self.space_checked.elapsed() < SPACE_CHECK_INTERVAL {
            return;
        }
        self.space_checked = Instant::now();
        measure_space(&self.path, self.reserve, &self.writer.shared);
    }
}

/// Sets the low-on-space flag from the free space where `path` lives.
fn measure_space(path: &Path, reserve: u64, shared: &Shared) {
    match fs4::available_space(path) {
        Ok(free) => {
            let low = free < reserve;
            if low != shared.low_on_space.swap(low, Ordering::Relaxed) {
                tracing::warn!(free, reserve, low, "disk space reserve crossed");
            }
        }
        Err(error) => tracing::warn!(%error, "cannot measure free disk space"),
    }
}
