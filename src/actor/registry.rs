//! Finding the actor that owns a performance, and starting it.
//!
//! The registry maps performance ids to [`PerformanceHandle`]s in a `DashMap`, the only
//! shared map on the request path. Actors are spread round-robin over the HTTP workers'
//! arbiters once the server has registered them ([`Registry::adopt_worker`]): a request
//! served by the worker that runs its performance's actor crosses no thread to reach it (one
//! wake-up of another thread fewer per write). Before any worker is registered (the engine
//! alone, in tests and the simulation) they are spread over the registry's own arbiters, one
//! per core. Each handle carries the performance's admission counter: a request is refused
//! with `Overloaded` at once when the bound is full, instead of joining a queue that grows
//! until every request times out (an actix mailbox bounds nothing by itself).

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

use actix::{Actor, Addr, Arbiter, ArbiterHandle, Handler, Message};
use dashmap::DashMap;
use dashmap::mapref::entry::Entry as MapEntry;

use super::clock::{Clock, EngineClock};
use super::error::EngineError;
use super::messages::Reply;
use super::performance_actor::{PerformanceActor, SnapshotPolicy};
use super::performance_core::{ArchiveHook, BarcodeDirectory, Settlement};
use crate::domain::{Performance, PerformanceId, PerformanceInfo, SaleStatus, Timestamp};
use crate::metrics::Metrics;
use crate::persistence::Store;

/// How to reach one performance's actor.
#[derive(Clone)]
pub struct PerformanceHandle {
    addr: Addr<PerformanceActor>,
    info: Arc<PerformanceInfo>,
    /// Whether it is on sale, as last made durable: for listings, without asking the actor.
    status: Arc<AtomicU8>,
    in_flight: Arc<AtomicUsize>,
    admission_max: usize,
    metrics: Arc<Metrics>,
}

/// Decrements the admission counter when a request leaves, however it leaves.
struct Admission(Arc<AtomicUsize>);

impl Drop for Admission {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl PerformanceHandle {
    /// Returns the performance's description.
    pub fn info(&self) -> &Arc<PerformanceInfo> {
        &self.info
    }

    /// Returns whether it is on sale, as last made durable.
    pub fn status(&self) -> SaleStatus {
        match self.status.load(Ordering::Acquire) {
            1 => SaleStatus::OffSale,
            2 => SaleStatus::Cancelled,
            _ => SaleStatus::OnSale,
        }
    }

    fn set_status(&self, status: SaleStatus) {
        let code = match status {
            SaleStatus::OnSale => 0,
            SaleStatus::OffSale => 1,
            SaleStatus::Cancelled => 2,
        };
        self.status.store(code, Ordering::Release);
    }

    /// Sends `message` to the actor through the admission bound and waits for its reply.
    ///
    /// # Errors
    /// Returns `Overloaded` at once when the bound is full, `Unavailable` when the actor is
    /// gone, and otherwise whatever the actor answered.
    pub async fn send<M, T>(&self, message: M) -> Result<T, EngineError>
    where
        M: Message<Result = Reply<T>> + Send + 'static,
        T: Send + 'static,
        PerformanceActor: Handler<M>,
    {
        let admitted = Admission(Arc::clone(&self.in_flight));
        if self.in_flight.fetch_add(1, Ordering::AcqRel) >= self.admission_max {
            drop(admitted);
            self.metrics.record_admission_rejection();
            return Err(EngineError::Overloaded {
                performance: self.info.id.to_string(),
            });
        }
        let durable = self.send_unbounded(message).await;
        // Nothing is acknowledged before it is durable; the admission slot is held until then.
        drop(admitted);
        durable
    }

    /// Sends `message` past the admission bound and waits until its answer is durable. Only
    /// for the coordinator's work that must finish once begun (rolling a committed completion
    /// forward, rolling a failed one back, releasing the rest of a failed basket): refusing it
    /// under load would leave a basket half done.
    ///
    /// # Errors
    /// `Unavailable` when the actor is gone, and otherwise whatever the actor answered.
    pub async fn send_unbounded<M, T>(&self, message: M) -> Result<T, EngineError>
    where
        M: Message<Result = Reply<T>> + Send + 'static,
        T: Send + 'static,
        PerformanceActor: Handler<M>,
    {
        let reply = self.addr.send(message).await;
        let (value, ticket) = reply.map_err(|_| EngineError::Unavailable)??;
        ticket.wait().await.map(|()| value)
    }
}

/// Every running performance actor, by performance id.
pub struct Registry {
    performances: DashMap<PerformanceId, PerformanceHandle>,
    /// Performances whose stored history is damaged, with the reason; never served.
    halted: DashMap<PerformanceId, String>,
    snapshots: SnapshotPolicy,
    arbiters: Vec<ArbiterHandle>,
    /// The HTTP workers' arbiters; preferred over `arbiters` once there is one.
    workers: std::sync::Mutex<Vec<ArbiterHandle>>,
    next_arbiter: AtomicUsize,
    journal: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    metrics: Arc<Metrics>,
    admission_max: usize,
    /// Given to every core: told when archived holds are durable.
    on_archived: Option<ArchiveHook>,
    /// Every sold barcode's performance; the cores add their sales.
    barcodes: BarcodeDirectory,
}

impl Registry {
    /// Creates a registry with `arbiters` threads for actors.
    ///
    /// Must run inside an actix `System`.
    pub fn new(
        arbiters: usize,
        admission_max: usize,
        journal: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        metrics: Arc<Metrics>,
        snapshots: SnapshotPolicy,
    ) -> Self {
        Self {
            performances: DashMap::new(),
            halted: DashMap::new(),
            snapshots,
            arbiters: (0..arbiters.max(1))
                .map(|_| Arbiter::new().handle())
                .collect(),
            workers: std::sync::Mutex::new(Vec::new()),
            next_arbiter: AtomicUsize::new(0),
            journal,
            clock,
            metrics,
            admission_max: admission_max.max(1),
            on_archived: None,
            barcodes: BarcodeDirectory::default(),
        }
    }

    /// Returns the performance that sold `barcode`, if one did.
    pub fn performance_of_barcode(&self, barcode: &str) -> Option<PerformanceId> {
        let key = crate::domain::barcode_key(barcode)?;
        self.barcodes.get(&key).map(|entry| entry.value().clone())
    }

    /// Has every core started from now on call `hook` when holds it archived are durable.
    pub fn set_on_archived(&mut self, hook: ArchiveHook) {
        self.on_archived = Some(hook);
    }

    /// Starts an actor for `performance`, whose journal holds entries up to `seq` and whose
    /// last engine time was `floor`; it first ends the prepared holds `settlements` name.
    ///
    /// # Errors
    /// Returns `AlreadyExists` when the id is taken.
    pub fn start(
        &self,
        performance: Performance,
        seq: u64,
        floor: Timestamp,
        settlements: Vec<Settlement>,
    ) -> Result<PerformanceHandle, EngineError> {
        let id = performance.info().id.clone();
        let MapEntry::Vacant(slot) = self.performances.entry(id.clone()) else {
            return Err(EngineError::AlreadyExists {
                what: "performance",
                id: id.to_string(),
            });
        };
        let info = Arc::new(performance.info().clone());
        let status = performance.sale_status();
        let arbiter = self.next_arbiter_handle();
        let journal = Arc::clone(&self.journal);
        let clock = EngineClock::new(Arc::clone(&self.clock), floor);
        let metrics = Arc::clone(&self.metrics);
        let snapshots = self.snapshots;
        let on_archived = self.on_archived.clone();
        let barcodes = Arc::clone(&self.barcodes);
        let addr = PerformanceActor::start_in_arbiter(&arbiter, move |_| {
            let mut actor = PerformanceActor::new(
                performance,
                seq,
                journal,
                clock,
                metrics,
                snapshots,
                settlements,
            );
            if let Some(hook) = on_archived {
                actor.set_on_archived(hook);
            }
            actor.set_barcode_directory(barcodes);
            actor
        });
        let handle = PerformanceHandle {
            addr,
            info,
            status: Arc::new(AtomicU8::new(0)),
            in_flight: Arc::new(AtomicUsize::new(0)),
            admission_max: self.admission_max,
            metrics: Arc::clone(&self.metrics),
        };
        handle.set_status(status);
        slot.insert(handle.clone());
        Ok(handle)
    }

    /// Notes a performance's new description once it is durable, for listings and routing.
    pub fn set_info(&self, info: Arc<PerformanceInfo>) {
        if let Some(mut handle) = self.performances.get_mut(&info.id) {
            handle.info = info;
        }
    }

    /// Notes a performance's sale status once it is durable.
    pub fn set_status(&self, performance: &PerformanceId, status: SaleStatus) {
        if let Some(handle) = self.performances.get(performance) {
            handle.set_status(status);
        }
    }

    /// Returns every performance's description with its sale status.
    pub fn infos_with_status(&self) -> Vec<(Arc<PerformanceInfo>, SaleStatus)> {
        self.performances
            .iter()
            .map(|entry| (Arc::clone(&entry.value().info), entry.value().status()))
            .collect()
    }

    /// Finds the actor of `performance`.
    ///
    /// # Errors
    /// Returns `NotFound` for an unknown performance.
    pub fn get(&self, performance: &PerformanceId) -> Result<PerformanceHandle, EngineError> {
        if let Some(reason) = self.halted.get(performance) {
            return Err(EngineError::Halted {
                performance: performance.to_string(),
                reason: reason.value().clone(),
            });
        }
        self.performances
            .get(performance)
            .map(|entry| entry.value().clone())
            .ok_or_else(|| EngineError::not_found("performance", performance))
    }

    /// Marks a performance whose stored history is damaged: it is never served, and every
    /// request for it is answered with the reason.
    pub fn halt(&self, performance: PerformanceId, reason: String) {
        self.halted.insert(performance, reason);
    }

    /// Returns true when `performance` exists, served or halted.
    pub fn contains(&self, performance: &PerformanceId) -> bool {
        self.performances.contains_key(performance) || self.halted.contains_key(performance)
    }

    /// Returns the description of every performance.
    pub fn infos(&self) -> Vec<Arc<PerformanceInfo>> {
        self.performances
            .iter()
            .map(|entry| Arc::clone(&entry.value().info))
            .collect()
    }

    /// Stops every actor thread.
    pub fn stop(&self) {
        for arbiter in &self.arbiters {
            arbiter.stop();
        }
        if let Ok(workers) = self.workers.lock() {
            for arbiter in workers.iter() {
                arbiter.stop();
            }
        }
    }

    /// Registers an HTTP worker's arbiter: actors started from now on are spread over the
    /// registered workers instead of the registry's own arbiters. Called on each worker's
    /// thread as it starts.
    pub fn adopt_worker(&self, arbiter: ArbiterHandle) {
        if let Ok(mut workers) = self.workers.lock() {
            workers.push(arbiter);
        }
    }

    /// How many HTTP workers' arbiters are registered.
    pub fn workers_adopted(&self) -> usize {
        self.workers.lock().map_or(0, |workers| workers.len())
    }

    /// The arbiter for the next actor: the workers' round robin, or the registry's own.
    fn next_arbiter_handle(&self) -> ArbiterHandle {
        let turn = self.next_arbiter.fetch_add(1, Ordering::Relaxed);
        if let Ok(workers) = self.workers.lock()
            && !workers.is_empty()
        {
            return workers[turn % workers.len()].clone();
        }
        self.arbiters[turn % self.arbiters.len()].clone()
    }
}
