//! Building and running the application: the engine, the client directory and the HTTP
//! server, bound from configuration so port 0 works.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::dev::{Server, ServerHandle, Service};
use actix_web::http::header::{self, HeaderValue};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, ResponseError, web};

use super::error::ApiError;
use super::routes::{catalogue, operations, orders, transactions};
use crate::actor::{Clock, Engine, Limits, Registry, SnapshotPolicy};
use crate::config::Config;
use crate::metrics::Metrics;
use crate::persistence::{Durability, FailureHook, JournalFaults, SledStore, Store, StoreConfig};

/// What the HTTP layer needs from configuration.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// The largest request body accepted.
    pub body_limit_bytes: usize,
    /// How long a request body may take to arrive.
    pub body_read_timeout: Duration,
    /// Catalogue and availability reads need no key.
    pub public_reads: bool,
    /// Take the caller's IP from `X-Forwarded-For`.
    pub trust_forwarded_for: bool,
    /// The lock time of performances created without one.
    pub default_hold_seconds: u32,
}

/// Shared by every HTTP worker.
pub struct AppState {
    /// The engine.
    pub engine: Arc<Engine>,
    /// Metrics.
    pub metrics: Arc<Metrics>,
    /// HTTP settings.
    pub config: HttpConfig,
}

/// A built application, bound and ready to run.
pub struct Application {
    address: std::net::SocketAddr,
    server: Server,
    engine: Arc<Engine>,
    store: Arc<SledStore>,
    generated_admin_key: Option<String>,
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
        let threads = if config.actor_threads == 0 {
            cores
        } else {
            config.actor_threads
        };
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
            tickets_per_request_max: config.tickets_per_request_max,
            seats_per_plan_max: config.seats_per_plan_max,
        };
        let engine = Arc::new(Engine::new(
            registry,
            shared_store,
            Arc::clone(&clock),
            limits,
        ));
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
        spawn_answer_sweeper(&engine);
        let generated_admin_key = engine.ensure_admin(config.admin_key.as_deref()).await?;
        if config.demo && fresh {
            crate::demo::load(&engine, clock.now()).await?;
        }
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
        });
        let listener = TcpListener::bind(&config.bind)?;
        let address = listener.local_addr()?;
        let workers = if config.http_workers == 0 {
            cores
        } else {
            config.http_workers
        };
        let server = HttpServer::new(move || {
            let metrics = Arc::clone(&metrics);
            App::new()
                .app_data(state.clone())
                .app_data(
                    web::QueryConfig::default()
                        .error_handler(|error, _| ApiError::from(error).into()),
                )
                .wrap_fn(move |request, service| {
                    let route = route_label(request.path());
                    let method = request.method().as_str().to_owned();
                    let started = Instant::now();
                    let metrics = Arc::clone(&metrics);
                    let response = service.call(request);
                    async move {
                        let response = response.await?;
                        metrics.record_request(
                            route,
                            &method,
                            response.status().as_u16(),
                            started.elapsed().as_secs_f64(),
                        );
                        Ok(response)
                    }
                })
                .configure(routes)
        })
        .workers(workers)
        .shutdown_timeout(10)
        .listen(listener)?
        .run();
        Ok(Self {
            address,
            server,
            engine,
            store,
            generated_admin_key,
        })
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

    /// Returns the engine.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// Returns a handle that stops the server as SIGTERM would; [`Self::run_until_stopped`]
    /// then returns once the store is closed and the data directory released.
    pub fn server_handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGTERM or Ctrl-C (or the server handle stops it), then finishes
    /// in-flight requests and stops the actors.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.engine.registry().stop();
        // Everything acknowledged is already durable; closing drains what is still queued.
        self.store.close();
        result
    }
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

/// The metrics label of a path: its route pattern. Our routes have at most three segments
/// and only the second is a parameter, so this is exact without the router's regex
/// matching (which cost several per cent of CPU per request when done twice).
fn route_label(path: &str) -> &'static str {
    let mut segments = path.trim_start_matches('/').split('/');
    let first = segments.next().unwrap_or("");
    let parameter = segments.next();
    let last = segments.next();
    if segments.next().is_some() {
        return "unmatched";
    }
    match (first, parameter.is_some(), last) {
        ("health", false, None) => "/health",
        ("metrics", false, None) => "/metrics",
        ("openapi.json", false, None) => "/openapi.json",
        ("docs", false, None) => "/docs",
        ("clients", false, None) => "/clients",
        ("people", false, None) => "/people",
        ("events", false, None) => "/events",
        ("events", true, Some("performances")) => "/events/{id}/performances",
        ("performances", false, None) => "/performances",
        ("performances", true, None) => "/performances/{id}",
        ("performances", true, Some("availability")) => "/performances/{id}/availability",
        ("performances", true, Some("seats")) => "/performances/{id}/seats",
        ("performances", true, Some("holdbacks")) => "/performances/{id}/holdbacks",
        ("transactions", false, None) => "/transactions",
        ("transactions", true, None) => "/transactions/{id}",
        ("orders", true, None) => "/orders/{number}",
        _ => "unmatched",
    }
}

/// Answers 405 for a method the route does not have, naming the methods it has in `Allow`
/// (RFC 9110 §15.5.6 requires the header with a 405).
async fn method_not_allowed(request: HttpRequest, allow: &'static str) -> HttpResponse {
    let mut response = ApiError::method_not_allowed(request.method().as_str()).error_response();
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

async fn no_route(request: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::not_found(format!(
        "no route {}",
        request.path().chars().take(100).collect::<String>()
    )))
}

fn routes(config: &mut web::ServiceConfig) {
    // `allow` lists the methods of the routes added to the resource; the API tests check it
    // against the OpenAPI description.
    let resource = |path: &str, allow: &'static str| {
        web::resource(path.to_owned()).default_service(web::to(move |request: HttpRequest| {
            method_not_allowed(request, allow)
        }))
    };
    config
        .service(resource("/health", "GET").route(web::get().to(operations::health)))
        .service(resource("/metrics", "GET").route(web::get().to(operations::metrics)))
        .service(resource("/clients", "POST").route(web::post().to(operations::create_client)))
        .service(resource("/events", "GET").route(web::get().to(catalogue::events)))
        .service(
            resource("/events/{id}/performances", "GET")
                .route(web::get().to(catalogue::event_performances)),
        )
        .service(
            resource("/performances", "POST").route(web::post().to(catalogue::create_performance)),
        )
        .service(resource("/performances/{id}", "GET").route(web::get().to(catalogue::performance)))
        .service(
            resource("/performances/{id}/availability", "GET")
                .route(web::get().to(catalogue::availability)),
        )
        .service(resource("/performances/{id}/seats", "GET").route(web::get().to(catalogue::seats)))
        .service(
            resource("/performances/{id}/holdbacks", "POST")
                .route(web::post().to(catalogue::holdbacks)),
        )
        .service(resource("/transactions", "POST").route(web::post().to(transactions::create)))
        .service(
            resource("/transactions/{id}", "GET, POST, PATCH, DELETE")
                .route(web::get().to(transactions::get))
                .route(web::post().to(transactions::update))
                .route(web::patch().to(transactions::change))
                .route(web::delete().to(transactions::release)),
        )
        .service(resource("/orders/{number}", "GET").route(web::get().to(orders::order)))
        .service(resource("/people", "GET").route(web::get().to(orders::person)))
        .service(resource("/openapi.json", "GET").route(web::get().to(operations::openapi_json)))
        .service(resource("/docs", "GET").route(web::get().to(operations::docs)))
        .default_service(web::to(no_route));
}

#[cfg(test)]
mod tests {
    use super::route_label;

    #[test]
    fn route_labels_match_the_route_patterns() {
        assert_eq!(route_label("/transactions"), "/transactions");
        assert_eq!(route_label("/transactions/0193a0d2"), "/transactions/{id}");
        assert_eq!(
            route_label("/performances/jb/seats"),
            "/performances/{id}/seats"
        );
        assert_eq!(route_label("/performances/jb/nope"), "unmatched");
        assert_eq!(route_label("/a/b/c/d"), "unmatched");
        assert_eq!(route_label("/health"), "/health");
    }
}
