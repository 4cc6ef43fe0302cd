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

use actix_web::dev::{Server, Service};
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
        let metrics = Arc::clone(&metrics);
        let serving = Arc::clone(&state.serving);
        App::new()
            .app_data(state.clone())
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
    })
    .workers(workers)
    // SIGTERM and Ctrl-C are handled by the application, which ends the seat streams first.
    .disable_signals()
    .shutdown_timeout(10)
    .listen(listener)?
    .run();
    Ok(server)
}
