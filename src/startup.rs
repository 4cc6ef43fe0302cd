//! Building and running the application: the store, the engine and the HTTP server, wired
//! from configuration so port 0 works. This is the one place that opens the sled store; the
//! HTTP layer knows only the engine it is handed.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::web;
use tokio::sync::watch;

use crate::actor::{Clock, Engine, Limits, Registry, SnapshotPolicy};
use crate::config::Config;
use crate::http::widget_rate::WidgetRate;
use crate::http::{AppState, HttpConfig};
use crate::metrics::Metrics;
use crate::persistence::{Durability, FailureHook, JournalFaults, SledStore, Store, StoreConfig};

/// A built application: bound, its HTTP workers started and its performances recovered onto
/// them, serving until stopped.
pub struct Application {
    address: std::net::SocketAddr,
    server: ServerHandle,
    running: actix_rt::task::JoinHandle<std::io::Result<()>>,
    closing: Arc<watch::Sender<bool>>,
    engine: Arc<Engine>,
    store: Arc<SledStore>,
    generated_admin_key: Option<String>,
    demo_widget_key: Option<String>,
}

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Binding or serving failed.
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
    /// The store could not be opened or read.
    #[error("cannot open the data directory: {0}")]
    Storage(#[from] crate::persistence::StorageError),
    /// The engine refused the start-up catalogue or keys.
    #[error("cannot start the engine: {0}")]
    Engine(#[from] crate::actor::EngineError),
}

impl Application {
    /// Builds the engine, registers the admin key, loads the demo when configured, and binds.
    /// Must run inside an actix system (`#[actix_web::main]` or `#[actix_web::test]`).
    ///
    /// # Errors
    /// When the address cannot be bound or the start-up catalogue is refused.
    pub async fn build(config: Config, clock: Arc<dyn Clock>) -> Result<Self, StartError> {
        Self::build_with_faults(config, clock, None).await
    }

    /// As [`Self::build`], with `faults` injected into the journal: for fault drills, which
    /// pause or fail the real store's commits. The binary never passes any.
    ///
    /// # Errors
    /// As [`Self::build`].
    pub async fn build_with_faults(
        config: Config,
        clock: Arc<dyn Clock>,
        faults: Option<JournalFaults>,
    ) -> Result<Self, StartError> {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        let metrics = Arc::new(Metrics::new());
        let store = open_store(&config, faults)?;
        // 0: actors run on the HTTP workers, which register once they start; the registry's
        // own arbiter only serves until then (it never does in the binary).
        let actors_on_workers = config.actor_threads == 0;
        let threads = config.actor_threads.max(1);
        let snapshots = SnapshotPolicy {
            every_entries: config.snapshot_every_entries,
            every: Duration::from_secs(config.snapshot_every_seconds),
        };
        let shared_store: Arc<dyn Store> = store.clone();
        let registry = Registry::new(
            threads,
            config.admission_max,
            Arc::clone(&shared_store),
            Arc::clone(&clock),
            Arc::clone(&metrics),
            snapshots,
        );
        let limits = Limits {
            widget_tickets_max: config.widget_max_tickets as usize,
            tickets_per_request_max: config.tickets_per_request_max,
            seats_per_plan_max: config.seats_per_plan_max,
        };
        let engine = Arc::new(
            Engine::new(registry, shared_store, Arc::clone(&clock), limits)
                .with_payment_methods(config.payment_methods.clone()),
        );
        let closing = Arc::new(watch::Sender::new(false));
        let serving = Arc::new(AtomicBool::new(false));
        let state = web::Data::new(AppState {
            engine: Arc::clone(&engine),
            metrics: Arc::clone(&metrics),
            config: HttpConfig {
                body_limit_bytes: config.body_limit_bytes,
                body_read_timeout: Duration::from_secs(config.body_read_timeout_seconds),
                public_reads: config.public_reads,
                trust_forwarded_for: config.trust_forwarded_for,
                default_hold_seconds: config.hold_seconds,
            },
            widget_rate: WidgetRate::new(config.widget_holds_per_minute),
            closing: closing.subscribe(),
            serving: Arc::clone(&serving),
        });
        let listener = TcpListener::bind(&config.bind)?;
        let address = listener.local_addr()?;
        let workers = if config.http_workers == 0 {
            cores
        } else {
            config.http_workers
        };
        let server = crate::http::serve(state, metrics, listener, workers, actors_on_workers)?;
        let handle = server.handle();
        // Its first poll starts the workers (each registers its arbiter) and the accept loop;
        // requests are answered 503 `unavailable` until `serving` turns true below.
        let running = actix_rt::spawn(server);
        let started = async {
            if actors_on_workers {
                wait_for_workers(&engine, workers).await?;
            }
            Self::recover(&config, &engine, &store, &clock).await
        };
        let (generated_admin_key, demo_widget_key) = match started.await {
            Ok(keys) => keys,
            Err(error) => {
                handle.stop(false).await;
                return Err(error);
            }
        };
        serving.store(true, Ordering::Release);
        Ok(Self {
            address,
            server: handle,
            running,
            closing,
            engine,
            store,
            generated_admin_key,
            demo_widget_key,
        })
    }

    /// Recovers every performance from the store (onto the HTTP workers when they run the
    /// actors), then registers the admin key and loads the demo on a fresh data directory;
    /// returns the keys generated at this start.
    async fn recover(
        config: &Config,
        engine: &Arc<Engine>,
        store: &Arc<SledStore>,
        clock: &Arc<dyn Clock>,
    ) -> Result<(Option<String>, Option<String>), StartError> {
        let started = Instant::now();
        let recovered = store.load()?;
        let fresh = recovered.performances.is_empty() && recovered.clients.is_empty();
        let report = engine.recover(recovered);
        tracing::info!(
            performances = report.performances,
            halted = report.halted,
            from_snapshots = report.from_snapshots,
            replayed = report.replayed,
            orders = report.orders,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "recovered from {}",
            config.data_dir.display()
        );
        spawn_answer_sweeper(engine);
        let generated_admin_key = engine.ensure_admin(config.admin_key.as_deref()).await?;
        let demo_widget_key = if config.demo && fresh {
            Some(crate::demo::load(engine, clock.now()).await?)
        } else {
            None
        };
        Ok((generated_admin_key, demo_widget_key))
    }

    /// Returns the bound port.
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Returns the bound address.
    pub fn address(&self) -> std::net::SocketAddr {
        self.address
    }

    /// Returns the admin key when it was generated at this start (to be shown once).
    pub fn generated_admin_key(&self) -> Option<&str> {
        self.generated_admin_key.as_deref()
    }

    /// Returns the demo's widget key when the demo was loaded at this start (to be shown
    /// once, with the widget's address).
    pub fn demo_widget_key(&self) -> Option<&str> {
        self.demo_widget_key.as_deref()
    }

    /// Returns the engine.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// Returns a handle that stops the server as SIGTERM would; [`Self::run_until_stopped`]
    /// then returns once the store is closed and the data directory released.
    pub fn server_handle(&self) -> Stopper {
        Stopper {
            server: self.server.clone(),
            closing: Arc::clone(&self.closing),
        }
    }

    /// Serves until SIGTERM or Ctrl-C (or the server handle stops it), then finishes
    /// in-flight requests and stops the actors.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let stopper = self.server_handle();
        let signals = actix_rt::spawn(async move {
            stop_signal().await;
            tracing::info!("stop signal: finishing in-flight requests");
            stopper.stop(true).await;
        });
        let result = self
            .running
            .await
            .unwrap_or_else(|error| Err(std::io::Error::other(error.to_string())));
        signals.abort();
        self.engine.registry().stop();
        // Everything acknowledged is already durable; closing drains what is still queued.
        self.store.close();
        result
    }
}

/// Stops the server: ends the answers that never end (seat streams), then stops accepting,
/// finishes in-flight requests (gracefully) and returns.
#[derive(Clone)]
pub struct Stopper {
    server: ServerHandle,
    closing: Arc<watch::Sender<bool>>,
}

impl Stopper {
    /// Stops the server; `graceful` lets in-flight requests finish (up to 10 s).
    pub async fn stop(&self, graceful: bool) {
        self.closing.send_replace(true);
        self.server.stop(graceful).await;
    }
}

/// Waits for SIGTERM or Ctrl-C (SIGINT).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = terminate.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM; Ctrl-C only");
                drop(tokio::signal::ctrl_c().await);
            }
        }
    }
    #[cfg(not(unix))]
    drop(tokio::signal::ctrl_c().await);
}

/// How long the HTTP workers may take to start before start-up gives up.
const WORKERS_START_WITHIN: Duration = Duration::from_secs(30);

/// Waits until `workers` HTTP workers have registered their arbiters with the registry, so
/// the performances recovered next run on them.
async fn wait_for_workers(engine: &Engine, workers: usize) -> Result<(), StartError> {
    let deadline = Instant::now() + WORKERS_START_WITHIN;
    while engine.registry().workers_adopted() < workers {
        if Instant::now() > deadline {
            return Err(StartError::Io(std::io::Error::other(
                "the HTTP workers did not start",
            )));
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    Ok(())
}

/// How often remembered answers past their retention are swept out of memory.
const ANSWER_SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// Sweeps remembered idempotency answers past their retention out of memory, once a minute,
/// for as long as the engine lives.
fn spawn_answer_sweeper(engine: &Arc<Engine>) {
    let engine = Arc::downgrade(engine);
    actix_rt::spawn(async move {
        let mut every = tokio::time::interval(ANSWER_SWEEP_INTERVAL);
        loop {
            every.tick().await;
            let Some(engine) = engine.upgrade() else {
                break;
            };
            let forgotten = engine.forget_expired_answers();
            if forgotten > 0 {
                tracing::debug!(forgotten, "forgot idempotency answers past their retention");
            }
        }
    });
}

/// Opens the sled store in the data directory; in the binary a storage failure ends the
/// process (fail-stop), so the restart recovers from what is on disk.
fn open_store(
    config: &Config,
    faults: Option<JournalFaults>,
) -> Result<Arc<SledStore>, StartError> {
    if config.durability == Durability::None {
        tracing::warn!(
            "durability = none: acknowledged changes are NOT on disk; for benchmarks only"
        );
    }
    let hook: Option<FailureHook> = config.exit_on_storage_failure.then(|| {
        Box::new(|error: &crate::persistence::StorageError| {
            tracing::error!(%error, "storage failed: exiting so a restart recovers from disk");
            // Give the 503 answers to waiting requests a moment to leave, then stop.
            std::thread::spawn(|| {
                std::thread::sleep(Duration::from_millis(200));
                std::process::exit(70);
            });
        }) as FailureHook
    });
    let store_config = StoreConfig {
        path: config.data_dir.clone(),
        durability: config.durability,
        cache_capacity_bytes: config.cache_capacity_bytes,
        disk_reserve_bytes: config.disk_reserve_bytes,
        faults,
    };
    Ok(SledStore::open(&store_config, hook)?)
}
