//! Changing the catalogue after creating it (contract v2, "Channels, organizers and catalogue
//! operations"): `PATCH` of a performance (time, hold time, rules, sale status) and of an
//! event, copies of a performance, and holdbacks of standing places; each durable before it
//! is answered, and refused with nothing changed when it cannot be made.

use reqwest::Method;
use serde_json::{Value, json};

use crate::catalogue::{JERSEY_BOYS, performance_ids, performance_of};
use crate::helpers::{ADMIN_KEY, Answer, TestApp, spawn_app, ticket_ids, transaction_id};

async fn patch(app: &TestApp, path: &str, body: &Value) -> Answer {
    app.call(Method::PATCH, path, Some(ADMIN_KEY), Some(body))
        .await
}

/// An app with `jb-1` and `jb-2` of Jersey Boys and a sales key.
async fn two_performances() -> (TestApp, String) {
    let app = spawn_app().await;
    for (id, at) in [
        ("jb-1", "2026-12-04T19:30:00Z"),
        ("jb-2", "2026-12-05T19:30:00Z"),
    ] {
        app.create_performance(&performance_of(id, JERSEY_BOYS, at))
            .await;
    }
    let key = app.create_sales_client("shop").await;
    (app, key)
}

#[actix_web::test]
async fn a_performance_moves_and_takes_a_new_hold_time_and_rules() {
    let (app, key) = two_performances().await;
    let changed = patch(
        &app,
        "/performances/jb-1",
        &json!({"starts_at": "2026-12-06T14:30:00Z", "hold_seconds": 600,
                "rules": {"valid_quantities": [2, 4]}}),
    )
    .await;
    let changed = changed.assert_status(200);
    assert_eq!(changed["starts_at"], "2026-12-06T14:30:00Z");
    assert_eq!(changed["hold_seconds"], 600);
    assert_eq!(changed["rules"]["valid_quantities"], json!([2, 4]));
    // The new rules and hold time apply to the next hold.
    app.place_hold(&key, &json!({"tickets": ["jb-1:STALLS-A1"]}))
        .await
        .assert_error(422, "rule_violation");
    let held = app
        .place_hold(
            &key,
            &json!({"tickets": ["jb-1:STALLS-A1", "jb-1:STALLS-A2"]}),
        )
        .await;
    // The test clock stands at 2026-11-01T00:00:00Z: ten minutes' lock.
    assert_eq!(
        held.assert_status(201)["lock_expires"],
        "2026-11-01T00:10:00Z"
    );
    // The programme follows the new time (jb-1 is now after jb-2), also after a restart.
    let app = app.restart().await;
    let programme = app.get("/programme").await;
    assert_eq!(
        performance_ids(programme.assert_status(200)),
        ["jb-2", "jb-1"]
    );
    let read = app.get("/performances/jb-1").await;
    assert_eq!(read.assert_status(200)["hold_seconds"], 600);
    // Bad values are refused, with nothing changed.
    for bad in [
        json!({"hold_seconds": 0}),
        json!({"starts_at": "tomorrow"}),
        json!({"status": "sold_out"}),
        json!({}),
    ] {
        patch(&app, "/performances/jb-1", &bad)
            .await
            .assert_error(400, "invalid_request");
    }
    patch(&app, "/performances/nope", &json!({"hold_seconds": 60}))
        .await
        .assert_error(404, "not_found");
    let read = app.get("/performances/jb-1").await;
    assert_eq!(read.body["hold_seconds"], 600);
}

#[actix_web::test]
async fn off_sale_refuses_holds_and_cancelled_refuses_completion_for_good() {
    let (app, key) = two_performances().await;
    let early = app
        .place_hold(&key, &json!({"tickets": ["jb-1:STALLS-A1"]}))
        .await;
    let early = transaction_id(early.assert_status(201));
    let off = patch(&app, "/performances/jb-1", &json!({"status": "off_sale"})).await;
    assert_eq!(off.assert_status(200)["status"], "off_sale");
    app.place_hold(&key, &json!({"tickets": ["jb-1:STALLS-A2"]}))
        .await
        .assert_error(409, "invalid_state");
    // Off sale leaves the programme, which lists what is on sale.
    let programme = app.get("/programme").await;
    assert_eq!(performance_ids(programme.assert_status(200)), ["jb-2"]);
    let listed = app.get("/events/jersey-boys/performances").await;
    assert_eq!(listed.body["performances"][0]["status"], "off_sale");
    // A hold placed before may still be checked out.
    app.checkout(&key, &early).await.assert_status(200);
    let cancelled = patch(&app, "/performances/jb-1", &json!({"status": "cancelled"})).await;
    assert_eq!(cancelled.assert_status(200)["status"], "cancelled");
    app.complete(&key, &early)
        .await
        .assert_error(409, "invalid_state");
    // Durable, and final.
    let app = app.restart().await;
    let read = app.get("/performances/jb-1").await;
    assert_eq!(read.assert_status(200)["status"], "cancelled");
    patch(&app, "/performances/jb-1", &json!({"status": "on_sale"}))
        .await
        .assert_error(409, "invalid_state");
    app.release(&key, &early).await.assert_status(200);
}

#[actix_web::test]
async fn an_event_is_renamed_and_moved_across_all_its_performances() {
    let (app, _) = two_performances().await;
    let moved = patch(
        &app,
        "/events/jersey-boys",
        &json!({"name": "Jersey Boys (revival)", "venue": "Trafalgar Theatre"}),
    )
    .await;
    let expected = json!({"id": "jersey-boys", "name": "Jersey Boys (revival)",
                          "venue": "Trafalgar Theatre", "city": "London"});
    assert_eq!(moved.assert_status(200), &expected);
    let app = app.restart().await;
    for id in ["jb-1", "jb-2"] {
        let read = app.get(&format!("/performances/{id}")).await;
        assert_eq!(read.assert_status(200)["event"], expected, "{id}");
    }
    let found = app.get("/events?q=trafalgar").await;
    assert_eq!(found.assert_status(200)["events"][0], expected);
    assert_eq!(
        app.get("/events?q=piccadilly").await.body["events"],
        json!([])
    );
    patch(&app, "/events/jersey-boys", &json!({"name": " "}))
        .await
        .assert_error(400, "invalid_request");
    patch(&app, "/events/cats", &json!({"name": "Cats"}))
        .await
        .assert_error(404, "not_found");
}

#[actix_web::test]
async fn a_copy_has_the_same_plan_and_prices_with_every_seat_free() {
    let (app, key) = two_performances().await;
    app.place_hold(&key, &json!({"tickets": ["jb-1:STALLS-A1"]}))
        .await
        .assert_status(201);
    let copy = app
        .post_as_admin(
            "/performances/jb-1/copy",
            &json!({"id": "jb-3", "starts_at": "2026-12-07T19:30:00Z"}),
        )
        .await;
    let copy = copy.assert_status(201).clone();
    let source = app.get("/performances/jb-1").await.body;
    assert_eq!(copy["id"], "jb-3");
    assert_eq!(copy["starts_at"], "2026-12-07T19:30:00Z");
    for same in [
        "event",
        "sections",
        "price_bands",
        "rules",
        "hold_seconds",
        "ticket_types",
    ] {
        if same == "price_bands" {
            assert_eq!(copy[same][0]["price"], source[same][0]["price"]);
        } else {
            assert_eq!(copy[same], source[same], "{same}");
        }
    }
    assert_eq!(copy["counts"]["held"], 0);
    let held = app
        .place_hold(&key, &json!({"tickets": ["jb-3:STALLS-A1"]}))
        .await;
    assert_eq!(ticket_ids(held.assert_status(201)), ["jb-3:STALLS-A1"]);
    app.post_as_admin(
        "/performances/jb-1/copy",
        &json!({"id": "jb-2", "starts_at": "2026-12-07T19:30:00Z"}),
    )
    .await
    .assert_error(409, "already_exists");
    app.post_as_admin(
        "/performances/nope/copy",
        &json!({"id": "jb-9", "starts_at": "2026-12-07T19:30:00Z"}),
    )
    .await
    .assert_error(404, "not_found");
}

#[actix_web::test]
async fn standing_places_are_withheld_and_released_but_never_more_than_withheld() {
    let (app, key) = two_performances().await;
    let withheld = app
        .holdbacks(
            ADMIN_KEY,
            "jb-1",
            &json!({"withhold_general_admission": {"STANDING": 7}}),
        )
        .await;
    let pool = &withheld.assert_status(200)["general_admission"][0];
    assert_eq!(
        (pool["available"].clone(), pool["withheld"].clone()),
        (json!(3), json!(7))
    );
    app.place_hold(
        &key,
        &json!({"performance": "jb-1", "general_admission": {"STANDING": 4}}),
    )
    .await
    .assert_error(409, "insufficient_availability");
    app.holdbacks(
        ADMIN_KEY,
        "jb-1",
        &json!({"release_general_admission": {"STANDING": 8}}),
    )
    .await
    .assert_error(409, "invalid_state");
    app.holdbacks(ADMIN_KEY, "jb-1", &json!({"release": ["jb-1:STALLS-A3"]}))
        .await
        .assert_error(409, "invalid_state");
    let app = app.restart().await;
    let read = app.get("/performances/jb-1").await;
    assert_eq!(
        read.assert_status(200)["general_admission"][0]["withheld"],
        7
    );
    let released = app
        .holdbacks(
            ADMIN_KEY,
            "jb-1",
            &json!({"release_general_admission": {"STANDING": 7}}),
        )
        .await;
    assert_eq!(
        released.assert_status(200)["general_admission"][0]["available"],
        10
    );
}
