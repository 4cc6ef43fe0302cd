//! The HTTP server: every worker gets the shared state, the query-error mapping, the metrics
//! middleware (one label per route pattern) and the route table. Each worker registers its
//! arbiter with the engine's registry as it starts, so performance actors run on the HTTP
//! workers (see `actor::registry`); until start-up has recovered them, every request is
//! answered 503 `unavailable`.

use std::future::ready;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, Service, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, HttpServer, web};
use futures_util::future::Either;

use super::error::ApiError;
use super::router::{route_label, routes};
use super::state::AppState;
use crate::domain::ErrorCode;
use crate::metrics::Metrics;

/// Starts serving `listener` with `workers` threads; the returned server runs when awaited.
/// With `actors_on_workers`, each worker hands its arbiter to the registry as it starts.
///
/// # Errors
/// When the listener cannot be used.
pub fn serve(
    state: web::Data<AppState>,
    metrics: Arc<Metrics>,
    listener: TcpListener,
    workers: usize,
    actors_on_workers: bool,
) -> std::io::Result<Server> {
    let server = HttpServer::new(move || {
        // Runs on the worker's own thread, once, before it serves anything.
        if actors_on_workers {
            state
                .engine
                .registry()
                .adopt_worker(actix_rt::Arbiter::current());
        }
        app(state.clone(), Arc::clone(&metrics))
    })
    .workers(workers)
    // SIGTERM and Ctrl-C are handled by the application, which ends the seat streams first.
    .disable_signals()
    .shutdown_timeout(10)
    .listen(listener)?
    .run();
    Ok(server)
}

/// The application every worker serves: the shared state, the query-error mapping, the
/// start-up gate, the metrics middleware and the route table.
fn app(
    state: web::Data<AppState>,
    metrics: Arc<Metrics>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let serving = Arc::clone(&state.serving);
    App::new()
        .app_data(state)
        .app_data(
            web::QueryConfig::default().error_handler(|error, _| ApiError::from(error).into()),
        )
        .wrap_fn(move |request, service| {
            if !serving.load(Ordering::Acquire) {
                let starting = ApiError::new(
                    ErrorCode::Unavailable,
                    "starting: the server is recovering its performances",
                );
                return Either::Left(ready(Ok(request.error_response(starting))));
            }
            let route = route_label(request.path());
            let method = request.method().as_str().to_owned();
            let started = Instant::now();
            let metrics = Arc::clone(&metrics);
            let response = service.call(request);
            Either::Right(async move {
                let response = response.await?;
                metrics.record_request(
                    route,
                    &method,
                    response.status().as_u16(),
                    started.elapsed().as_secs_f64(),
                );
                Ok(response)
            })
        })
        .configure(routes)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::Ordering;
    use std::time::Duration;

    use actix_web::test::{TestRequest, call_service, init_service, read_body_json};
    use actix_web::web;

    use super::app;
    use crate::actor::{Engine, Limits, ManualClock, Registry, SnapshotPolicy};
    use crate::domain::Timestamp;
    use crate::http::widget_rate::WidgetRate;
    use crate::http::{AppState, HttpConfig};
    use crate::metrics::Metrics;
    use crate::persistence::{MemoryStore, Store};

    fn state() -> web::Data<AppState> {
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let clock = Arc::new(ManualClock::new(Timestamp(1_800_000_000_000)));
        let metrics = Arc::new(Metrics::new());
        let snapshots = SnapshotPolicy {
            every_entries: 1_000,
            every: Duration::from_secs(3_600),
        };
        let registry = Registry::new(
            1,
            64,
            Arc::clone(&store),
            clock.clone(),
            metrics.clone(),
            snapshots,
        );
        let limits = Limits {
            widget_tickets_max: 10,
            tickets_per_request_max: 100,
            seats_per_plan_max: 1_000,
        };
        let (_, closing) = tokio::sync::watch::channel(false);
        web::Data::new(AppState {
            engine: Arc::new(Engine::new(registry, store, clock, limits)),
            metrics,
            config: HttpConfig {
                body_limit_bytes: 65_536,
                body_read_timeout: Duration::from_secs(10),
                public_reads: true,
                trust_forwarded_for: false,
                default_hold_seconds: 180,
            },
            widget_rate: WidgetRate::new(60),
            closing,
            serving: Arc::new(std::sync::atomic::AtomicBool::new(false)),
        })
    }

    #[actix_rt::test]
    async fn every_request_is_503_unavailable_until_start_up_has_recovered() {
        let state = state();
        let metrics = Arc::clone(&state.metrics);
        let service = init_service(app(state.clone(), metrics)).await;
        for path in ["/health", "/programme", "/performances/p1/seats"] {
            let answer = call_service(&service, TestRequest::get().uri(path).to_request()).await;
            assert_eq!(answer.status(), 503, "{path}");
            let body: serde_json::Value = read_body_json(answer).await;
            assert_eq!(body["code"], "unavailable", "{path}");
        }
        state.serving.store(true, Ordering::Release);
        let answer = call_service(&service, TestRequest::get().uri("/health").to_request()).await;
        assert_eq!(answer.status(), 200);
    }
}
