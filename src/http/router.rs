//! The route table: every path with the methods it has and its handlers, feeding the router
//! (and its 405s, whose `Allow` names those methods) and the metrics labels. The OpenAPI
//! description lists the same operations; a test compares the two.
//!
//! # Caveats
//! - The OpenAPI paths come from the handlers' annotations (utoipa lists them at compile
//!   time), so they are checked against this table rather than read from it.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, Resource, ResponseError, web};

use super::error::ApiError;
use super::openapi;
use super::routes::{
    allocations, catalogue, catalogue_operations, clients, discounts, history, operations, orders,
    refunds, reports, scans, seat_stream, transactions, widget,
};

/// One route: its pattern, the methods it has (the `Allow` of its 405), and its handlers.
struct Route {
    pattern: &'static str,
    allow: &'static str,
    handlers: fn(Resource) -> Resource,
}

/// Every route, in one table: the router, the 405s' `Allow` and the metrics labels read it.
const ROUTES: [Route; 34] = [
    Route {
        pattern: "/health",
        allow: "GET",
        handlers: |r| r.route(web::get().to(operations::health)),
    },
    Route {
        pattern: "/metrics",
        allow: "GET",
        handlers: |r| r.route(web::get().to(operations::metrics)),
    },
    Route {
        pattern: "/clients",
        allow: "GET, POST",
        handlers: |r| {
            r.route(web::get().to(clients::list))
                .route(web::post().to(clients::create_client))
        },
    },
    Route {
        pattern: "/clients/{id}",
        allow: "DELETE",
        handlers: |r| r.route(web::delete().to(clients::revoke)),
    },
    Route {
        pattern: "/clients/{id}/key",
        allow: "POST",
        handlers: |r| r.route(web::post().to(clients::rotate)),
    },
    Route {
        pattern: "/events",
        allow: "GET",
        handlers: |r| r.route(web::get().to(catalogue::events)),
    },
    Route {
        pattern: "/events/{id}",
        allow: "GET, PATCH",
        handlers: |r| {
            r.route(web::get().to(catalogue::event))
                .route(web::patch().to(catalogue_operations::update_event))
        },
    },
    Route {
        pattern: "/programme",
        allow: "GET",
        handlers: |r| r.route(web::get().to(catalogue::programme)),
    },
    Route {
        pattern: "/events/{id}/performances",
        allow: "GET",
        handlers: |r| r.route(web::get().to(catalogue::event_performances)),
    },
    Route {
        pattern: "/performances",
        allow: "POST",
        handlers: |r| r.route(web::post().to(catalogue::create_performance)),
    },
    Route {
        pattern: "/performances/{id}",
        allow: "GET, PATCH",
        handlers: |r| {
            r.route(web::get().to(catalogue::performance))
                .route(web::patch().to(catalogue_operations::update_performance))
        },
    },
    Route {
        pattern: "/performances/{id}/copy",
        allow: "POST",
        handlers: |r| r.route(web::post().to(catalogue_operations::copy_performance)),
    },
    Route {
        pattern: "/performances/{id}/allocations",
        allow: "GET, POST",
        handlers: |r| {
            r.route(web::get().to(allocations::allocations))
                .route(web::post().to(allocations::allocate))
        },
    },
    Route {
        pattern: "/performances/{id}/allocations/{channel}",
        allow: "DELETE",
        handlers: |r| r.route(web::delete().to(allocations::deallocate)),
    },
    Route {
        pattern: "/performances/{id}/availability",
        allow: "GET",
        handlers: |r| r.route(web::get().to(catalogue::availability)),
    },
    Route {
        pattern: "/performances/{id}/seats",
        allow: "GET",
        handlers: |r| r.route(web::get().to(catalogue::seats)),
    },
    Route {
        pattern: "/performances/{id}/seats/stream",
        allow: "GET",
        handlers: |r| r.route(web::get().to(seat_stream::stream_seats)),
    },
    Route {
        pattern: "/performances/{id}/widget",
        allow: "GET",
        handlers: |r| r.route(web::get().to(widget::widget)),
    },
    Route {
        pattern: "/performances/{id}/history",
        allow: "GET",
        handlers: |r| r.route(web::get().to(history::seat)),
    },
    Route {
        pattern: "/performances/{id}/holdbacks",
        allow: "POST",
        handlers: |r| r.route(web::post().to(catalogue_operations::holdbacks)),
    },
    Route {
        pattern: "/transactions",
        allow: "POST",
        handlers: |r| r.route(web::post().to(transactions::create)),
    },
    Route {
        pattern: "/transactions/{id}",
        allow: "GET, POST, PATCH, DELETE",
        handlers: |r| {
            r.route(web::get().to(transactions::get))
                .route(web::post().to(transactions::update))
                .route(web::patch().to(transactions::change))
                .route(web::delete().to(transactions::release))
        },
    },
    Route {
        pattern: "/transactions/{id}/history",
        allow: "GET",
        handlers: |r| r.route(web::get().to(history::transaction)),
    },
    Route {
        pattern: "/orders/{number}",
        allow: "GET",
        handlers: |r| r.route(web::get().to(orders::order)),
    },
    Route {
        pattern: "/orders/{number}/tickets.pdf",
        allow: "GET",
        handlers: |r| r.route(web::get().to(orders::tickets_pdf)),
    },
    Route {
        pattern: "/orders/{number}/refunds",
        allow: "POST",
        handlers: |r| r.route(web::post().to(refunds::refund)),
    },
    Route {
        pattern: "/people",
        allow: "GET",
        handlers: |r| r.route(web::get().to(orders::person)),
    },
    Route {
        pattern: "/payment-methods",
        allow: "GET",
        handlers: |r| r.route(web::get().to(orders::payment_methods)),
    },
    Route {
        pattern: "/discount-codes",
        allow: "GET, POST",
        handlers: |r| {
            r.route(web::get().to(discounts::list))
                .route(web::post().to(discounts::create))
        },
    },
    Route {
        pattern: "/scans",
        allow: "POST",
        handlers: |r| r.route(web::post().to(scans::scan)),
    },
    Route {
        pattern: "/reports/sales",
        allow: "GET",
        handlers: |r| r.route(web::get().to(reports::sales)),
    },
    Route {
        pattern: "/reports/takings",
        allow: "GET",
        handlers: |r| r.route(web::get().to(reports::takings)),
    },
    Route {
        pattern: "/openapi.json",
        allow: "GET",
        handlers: |r| r.route(web::get().to(openapi::openapi_json)),
    },
    Route {
        pattern: "/docs",
        allow: "GET",
        handlers: |r| r.route(web::get().to(openapi::docs)),
    },
];

/// The metrics label of a path: the pattern of its route, or `unmatched`. A segment-by-segment
/// comparison against the table, without the router's regex matching (which cost several per
/// cent of CPU per request when done twice).
pub(crate) fn route_label(path: &str) -> &'static str {
    ROUTES
        .iter()
        .find(|route| matches_pattern(route.pattern, path))
        .map_or("unmatched", |route| route.pattern)
}

/// True when `path` has the segments of `pattern`, a `{parameter}` standing for any one.
fn matches_pattern(pattern: &str, path: &str) -> bool {
    let mut expected = pattern.trim_start_matches('/').split('/');
    let mut given = path.trim_start_matches('/').split('/');
    loop {
        match (expected.next(), given.next()) {
            (None, None) => return true,
            (Some(segment), Some(part)) if segment.starts_with('{') || segment == part => {}
            _ => return false,
        }
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

/// Registers every route of the table, each answering 405 with its `Allow` for the methods
/// it does not have, and 404 for any other path.
///
/// Routes that share a first segment go in one scope of that prefix: actix-web tries
/// resources in order and matches every pattern with a parameter by regex, so a flat table
/// put a dozen regex matches in front of `DELETE /transactions/{id}` (4% of the server's CPU
/// under the peers kit's churn). A scope's prefix is compared as a string, so a request now
/// meets only the patterns of its own first segment.
pub(crate) fn routes(config: &mut web::ServiceConfig) {
    let mut registered: Vec<&str> = Vec::new();
    for route in &ROUTES {
        let prefix = first_segment(route.pattern);
        if registered.contains(&prefix) {
            continue;
        }
        registered.push(prefix);
        let group: Vec<&Route> = ROUTES
            .iter()
            .filter(|route| first_segment(route.pattern) == prefix)
            .collect();
        if let [only] = group.as_slice()
            && only.pattern == prefix
        {
            config.service(resource(only, only.pattern));
            continue;
        }
        let mut scope = web::scope(prefix);
        for route in group {
            scope = scope.service(resource(route, &route.pattern[prefix.len()..]));
        }
        config.service(scope);
    }
    config.default_service(web::to(no_route));
}

/// The resource of `route` at `path` (its pattern, or the rest of it inside a scope).
fn resource(route: &Route, path: &str) -> Resource {
    let allow = route.allow;
    let resource = web::resource(path).default_service(web::to(move |request: HttpRequest| {
        method_not_allowed(request, allow)
    }));
    (route.handlers)(resource)
}

/// `/performances` of `/performances/{id}/seats`: the part a scope matches as a string.
fn first_segment(pattern: &str) -> &str {
    let end = pattern[1..].find('/').map_or(pattern.len(), |at| at + 1);
    &pattern[..end]
}

#[cfg(test)]
mod tests {
    use super::{ROUTES, openapi, route_label};

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

    #[test]
    fn the_route_table_and_the_openapi_description_list_the_same_operations() {
        let mut table: Vec<String> = ROUTES
            .iter()
            .flat_map(|route| {
                route
                    .allow
                    .split(", ")
                    .map(move |method| format!("{method} {}", route.pattern))
            })
            .collect();
        table.sort();
        let mut described: Vec<String> = Vec::new();
        for (path, item) in &openapi::document().paths.paths {
            let methods = [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
            ];
            for (method, present) in methods {
                if present {
                    described.push(format!("{method} {path}"));
                }
            }
        }
        described.sort();
        assert_eq!(table, described);
    }
}
