//! Catalogue operations a box office needs (contract v2, "Channels, organizers and catalogue
//! operations"): creating a performance of an existing event never changes the event, an
//! event is read by its id, and the programme lists performances across events with counts.

use serde_json::json;

use crate::catalogue::{JERSEY_BOYS, event_ids, performance_ids, performance_of};
use crate::helpers::spawn_app;

/// Issue 14's report: a second performance of an event, created without venue and city,
/// overwrote the event's venue and city with empty strings, and the event no longer matched a
/// search for its venue.
#[actix_web::test]
async fn a_new_performance_of_an_existing_event_never_changes_the_event() {
    let app = spawn_app().await;
    app.create_performance(&performance_of("jb-1", JERSEY_BOYS, "2026-12-04T19:30:00Z"))
        .await;
    let mut second = performance_of("jb-2", JERSEY_BOYS, "2026-12-05T19:30:00Z");
    second["event"] = json!({"id": "jersey-boys", "name": "JB (renamed by mistake)"});
    let created = app.create_performance(&second).await;
    let expected = json!({"id": "jersey-boys", "name": "Jersey Boys",
                          "venue": "Piccadilly Theatre", "city": "London"});
    assert_eq!(
        created["event"], expected,
        "the new performance shows the event as it is"
    );
    let app = app.restart().await;
    let found = app.get("/events?q=piccadilly").await;
    assert_eq!(event_ids(found.assert_status(200)), ["jersey-boys"]);
    assert_eq!(found.body["events"][0], expected);
    let jb2 = app.get("/performances/jb-2").await;
    assert_eq!(jb2.assert_status(200)["event"], expected);
}

#[actix_web::test]
async fn an_event_is_read_by_its_id() {
    let app = spawn_app().await;
    app.create_performance(&performance_of("jb-1", JERSEY_BOYS, "2026-12-04T19:30:00Z"))
        .await;
    let event = app.get("/events/jersey-boys").await;
    assert_eq!(
        event.assert_status(200),
        &json!({"id": "jersey-boys", "name": "Jersey Boys",
                "venue": "Piccadilly Theatre", "city": "London"})
    );
    app.get("/events/cats").await.assert_error(404, "not_found");
}

#[actix_web::test]
async fn the_programme_lists_every_events_performances_soonest_first_with_counts() {
    let app = spawn_app().await;
    let wicked = ("wicked", "Wicked", "Gershwin Theatre", "New York");
    app.create_performance(&performance_of("jb-2", JERSEY_BOYS, "2026-12-05T19:30:00Z"))
        .await;
    app.create_performance(&performance_of("wic-1", wicked, "2026-12-04T19:00:00Z"))
        .await;
    app.create_performance(&performance_of("jb-1", JERSEY_BOYS, "2026-12-04T19:30:00Z"))
        .await;
    // Before the test clock's now (2026-11-01): no longer on sale.
    app.create_performance(&performance_of("jb-0", JERSEY_BOYS, "2026-10-01T19:30:00Z"))
        .await;
    let key = app.create_sales_client("shop").await;
    app.place_hold(&key, &json!({"tickets": ["jb-1:STALLS-A1"]}))
        .await
        .assert_status(201);

    let programme = app.get("/programme").await;
    let body = programme.assert_status(200);
    assert_eq!(performance_ids(body), ["wic-1", "jb-1", "jb-2"]);
    assert_eq!(
        body["meta"],
        json!({"page": 0, "page_length": 50, "total_results": 3})
    );
    assert_eq!(body["performances"][0]["event"]["id"], "wicked");
    assert_eq!(
        body["performances"][1]["counts"],
        json!({"available": 3, "held": 1, "sold": 0, "withheld": 0, "allocated": 0})
    );

    let earlier = app
        .get("/programme?from=2026-01-01T00:00:00Z&to=2026-12-04T23:00:00Z&page_length=2")
        .await;
    let body = earlier.assert_status(200);
    assert_eq!(performance_ids(body), ["jb-0", "wic-1"]);
    assert_eq!(body["meta"]["total_results"], 3);
    app.get("/programme?from=yesterday")
        .await
        .assert_error(400, "invalid_request");

    // An event's own listing carries the same counts.
    let listing = app.get("/events/jersey-boys/performances").await;
    assert_eq!(listing.body["performances"][1]["counts"]["held"], 1);
}
