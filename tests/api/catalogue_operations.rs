//! Catalogue operations a box office needs (contract v2, "Channels, organizers and catalogue
//! operations"): so far, that creating a performance of an existing event never changes the
//! event.

use serde_json::json;

use crate::catalogue::{JERSEY_BOYS, event_ids, performance_of};
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
