//! Channels and allocations (contract v2, "Channels, organizers and catalogue operations"): an
//! organizer sets seats and standing places aside for a reseller's channel; only that
//! channel's keys (and admins) may hold them, everyone else is refused or passed by; counts
//! follow each allocation; ending it returns its unsold part to general sale; and all of it
//! is durable across a restart.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{ADMIN_KEY, TestApp, free_rules, performance_body, spawn_app};

/// An app with the performance `p1` of `jersey-boys` (rows A and B of seats 1-10, the pool
/// `STANDING` of 10), the organizer of that event, a reseller key of channel `redchair` the
/// organizer made, and a web shop of no channel. Returns the app and the three keys.
async fn box_office() -> (TestApp, String, String, String) {
    let app = spawn_app().await;
    app.create_performance(&performance_body(
        "p1",
        &[&[(1, 10)], &[(1, 10)]],
        free_rules(),
    ))
    .await;
    let organizer = json!({"id": "producer", "name": "The Producer", "role": "organizer",
                           "events": ["jersey-boys"]});
    let organizer = key_of(app.post_as_admin("/clients", &organizer).await.body);
    let reseller = json!({"id": "redchair", "name": "Red Chair Tickets", "role": "sales",
                          "channel": "redchair"});
    let reseller = app
        .call(Method::POST, "/clients", Some(&organizer), Some(&reseller))
        .await;
    let reseller_body = reseller.assert_status(201);
    assert_eq!(reseller_body["events"], json!(["jersey-boys"]));
    assert_eq!(reseller_body["channel"], "redchair");
    let reseller = key_of(reseller_body.clone());
    let shop = app.create_client_with_id("webshop", "sales").await;
    (app, organizer, reseller, shop)
}

fn key_of(body: Value) -> String {
    body["key"].as_str().expect("a key").to_owned()
}

async fn allocate(app: &TestApp, key: &str, body: &Value) -> crate::helpers::Answer {
    app.call(
        Method::POST,
        "/performances/p1/allocations",
        Some(key),
        Some(body),
    )
    .await
}

#[actix_web::test]
async fn a_reseller_sells_from_its_allocation_and_nobody_else_can() {
    let (app, organizer, reseller, shop) = box_office().await;
    let body = json!({"channel": "redchair", "tickets": ["p1:STALLS-A5", "p1:STALLS-A6"],
                      "general_admission": {"STANDING": 4}});
    let made = allocate(&app, &organizer, &body).await;
    assert_eq!(
        made.assert_status(201),
        &json!({"channel": "redchair",
                "seats": {"allocated": 2, "available": 2, "held": 0, "sold": 0, "withheld": 0},
                "general_admission": {"STANDING":
                    {"allocated": 4, "available": 4, "held": 0, "sold": 0}}})
    );
    let (seats, _) = app.seat_statuses("p1").await;
    assert_eq!(seats["p1:STALLS-A5"], "allocated");
    // The shop is refused the allocated seats by name, and best available passes them by.
    let refused = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A5"]}))
        .await;
    assert_eq!(
        refused.assert_error(409, "seat_unavailable")["tickets"],
        json!(["p1:STALLS-A5"])
    );
    let best = app
        .place_hold(&shop, &json!({"performance": "p1", "quantity": 2}))
        .await;
    let best = crate::helpers::ticket_ids(best.assert_status(201));
    assert!(!best.contains(&"p1:STALLS-A5".to_owned()), "{best:?}");
    // The public may hold the six general standing places, not the reseller's four.
    let standing = |n: u32| json!({"performance": "p1", "general_admission": {"STANDING": n}});
    app.place_hold(&shop, &standing(7))
        .await
        .assert_error(409, "insufficient_availability");
    // The reseller holds and sells its seats and places.
    let held = app
        .place_hold(
            &reseller,
            &json!({"items": [{"tickets": ["p1:STALLS-A5"]},
                              {"performance": "p1", "general_admission": {"STANDING": 3}}]}),
        )
        .await;
    let transaction = crate::helpers::transaction_id(held.assert_status(201));
    app.complete(&reseller, &transaction)
        .await
        .assert_status(200);
    let counts = app
        .call(
            Method::GET,
            "/performances/p1/allocations",
            Some(&organizer),
            None,
        )
        .await;
    assert_eq!(
        counts.assert_status(200)["allocations"],
        json!([{"channel": "redchair",
                "seats": {"allocated": 2, "available": 1, "held": 0, "sold": 1, "withheld": 0},
                "general_admission": {"STANDING":
                    {"allocated": 4, "available": 1, "held": 0, "sold": 3}}}])
    );
    // All of it is durable: after a restart the allocation holds and counts as before.
    let app = app.restart().await;
    let (seats, _) = app.seat_statuses("p1").await;
    assert_eq!(seats["p1:STALLS-A6"], "allocated");
    assert_eq!(seats["p1:STALLS-A5"], "sold");
    let performance = app.get("/performances/p1").await;
    let performance = performance.assert_status(200);
    assert_eq!(performance["counts"]["allocated"], 1);
    assert_eq!(performance["general_admission"][0]["allocated"], 1);
    // Ending the allocation returns its unsold seat and place to general sale.
    let ended = app
        .call(
            Method::DELETE,
            "/performances/p1/allocations/redchair",
            Some(&organizer),
            None,
        )
        .await;
    assert_eq!(ended.assert_status(200)["allocations"], json!([]));
    app.place_hold(&shop, &json!({"tickets": ["p1:STALLS-A6"]}))
        .await
        .assert_status(201);
    app.call(
        Method::DELETE,
        "/performances/p1/allocations/redchair",
        Some(&organizer),
        None,
    )
    .await
    .assert_error(404, "not_found");
}

#[actix_web::test]
async fn an_allocation_takes_only_free_seats_and_places() {
    let (app, organizer, _, shop) = box_office().await;
    app.place_hold(&shop, &json!({"tickets": ["p1:STALLS-B1"]}))
        .await
        .assert_status(201);
    let taken = json!({"channel": "redchair", "tickets": ["p1:STALLS-B1", "p1:STALLS-B2"]});
    let refused = allocate(&app, &organizer, &taken).await;
    assert_eq!(
        refused.assert_error(409, "seat_unavailable")["tickets"],
        json!(["p1:STALLS-B1"])
    );
    let too_many = json!({"channel": "redchair", "general_admission": {"STANDING": 11}});
    allocate(&app, &organizer, &too_many)
        .await
        .assert_error(409, "insufficient_availability");
    let unknown = json!({"channel": "redchair", "general_admission": {"BALCONY": 1}});
    allocate(&app, &organizer, &unknown)
        .await
        .assert_error(404, "not_found");
    let bad = json!({"channel": "red chair", "tickets": ["p1:STALLS-B2"]});
    allocate(&app, &organizer, &bad)
        .await
        .assert_error(400, "invalid_request");
    let (seats, _) = app.seat_statuses("p1").await;
    assert_eq!(seats["p1:STALLS-B2"], "free", "nothing changed");
    let listed = app
        .call(
            Method::GET,
            "/performances/p1/allocations",
            Some(ADMIN_KEY),
            None,
        )
        .await;
    assert_eq!(listed.assert_status(200)["allocations"], json!([]));
}

#[actix_web::test]
async fn an_admin_holds_allocated_seats_and_another_channel_does_not() {
    let (app, organizer, _, _) = box_office().await;
    let body = json!({"channel": "redchair", "tickets": ["p1:STALLS-A1", "p1:STALLS-A2"]});
    allocate(&app, &organizer, &body).await.assert_status(201);
    let other = json!({"id": "bluechair", "name": "Blue Chair", "role": "sales",
                       "channel": "bluechair"});
    let other = key_of(app.post_as_admin("/clients", &other).await.body);
    app.place_hold(&other, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await
        .assert_error(409, "seat_unavailable");
    app.place_hold(ADMIN_KEY, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await
        .assert_status(201);
}
