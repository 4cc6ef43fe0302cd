//! The HTTP server: every worker gets the shared state, the query-error mapping, the metrics
//! middleware (one label per route pattern) and the route table.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Instant;

use actix_web::dev::{Server, Service};
use actix_web::{App, HttpServer, web};

use super::error::ApiError;
use super::router::{route_label, routes};
use super::state::AppState;
use crate::metrics::Metrics;

/// Starts serving `listener` with `workers` threads; the returned server runs when awaited.
///
/// # Errors
/// When the listener cannot be used.
pub fn serve(
    state: web::Data<AppState>,
    metrics: Arc<Metrics>,
    listener: TcpListener,
    workers: usize,
) -> std::io::Result<Server> {
    let server = HttpServer::new(move || {
        let metrics = Arc::clone(&metrics);
        App::new()
            .app_data(state.clone())
            .app_data(
                web::QueryConfig::default().error_handler(|error, _| ApiError::from(error).into()),
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
    // SIGTERM and Ctrl-C are handled by the application, which ends the seat streams first.
    .disable_signals()
    .shutdown_timeout(10)
    .listen(listener)?
    .run();
    Ok(server)
}
