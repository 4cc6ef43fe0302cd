//! The catalogue (performances, events), availability, seat maps, holdbacks, operations
//! endpoints and API clients.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

/// A performance body for `event` (id, name, venue, city) starting at `starts_at`.
pub(crate) fn performance_of(id: &str, event: (&str, &str, &str, &str), starts_at: &str) -> Value {
    let mut body = performance_body(id, &[&[(1, 4)]], free_rules());
    body["event"] = json!({"id": event.0, "name": event.1, "venue": event.2, "city": event.3});
    body["starts_at"] = json!(starts_at);
    body
}

pub(crate) const JERSEY_BOYS: (&str, &str, &str, &str) =
    ("jersey-boys", "Jersey Boys", "Piccadilly Theatre", "London");
const HAMILTON: (&str, &str, &str, &str) =
    ("hamilton", "Hamilton", "Victoria Palace Theatre", "London");
const WICKED: (&str, &str, &str, &str) = ("wicked", "Wicked", "Gershwin Theatre", "New York");

/// The event ids of a `GET /events` answer, sorted.
pub(crate) fn event_ids(body: &Value) -> Vec<String> {
    let mut ids: Vec<String> = body["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|event| event["id"].as_str().expect("an id").to_owned())
        .collect();
    ids.sort();
    ids
}

/// The performance ids of a `GET /events/{id}/performances` answer, in answer order.
pub(crate) fn performance_ids(body: &Value) -> Vec<String> {
    body["performances"]
        .as_array()
        .expect("performances")
        .iter()
        .map(|performance| performance["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// The seat blocks of one price band of an availability answer, as lists of ticket ids.
fn blocks(band: &Value) -> Vec<Vec<String>> {
    band["seat_blocks"]
        .as_array()
        .expect("seat blocks")
        .iter()
        .map(|block| {
            block["seats"]
                .as_array()
                .expect("seats")
                .iter()
                .map(|seat| seat["id"].as_str().expect("an id").to_owned())
                .collect()
        })
        .collect()
}

/// Ticket ids `p1:STALLS-<row><n>` for `numbers`.
fn run(row: &str, numbers: std::ops::RangeInclusive<u32>) -> Vec<String> {
    numbers.map(|n| format!("p1:STALLS-{row}{n}")).collect()
}

#[actix_web::test]
async fn creating_a_performance_answers_201_with_the_whole_performance() {
    let app = spawn_app().await;
    let body = performance_body(
        "jb-1204",
        &[&[(1, 12), (13, 24)], &[(1, 6)]],
        strict_rules(),
    );
    let answer = app.post_as_admin("/performances", &body).await;
    let created = answer.assert_status(201).clone();
    let zero = json!({"available": 0, "held": 0, "sold": 0, "withheld": 0, "allocated": 0});
    assert_eq!(
        created,
        json!({
            "id": "jb-1204",
            "event": {"id": "jersey-boys", "name": "Jersey Boys", "venue": "Piccadilly Theatre", "city": "London"},
            "starts_at": "2026-12-04T19:30:00Z",
            "hold_seconds": 180,
            "rules": {"contiguous_seats_only": true, "no_single_seat_gaps": true, "valid_quantities": [1, 2, 3, 4, 5, 6],
                      "max_hold_seconds": 1800, "max_renewals": 5},
            "status": "on_sale",
            "price_bands": [
                {"code": "A", "price": "65.00", "currency": "GBP",
                 "counts": {"available": 30, "held": 0, "sold": 0, "withheld": 0, "allocated": 0}},
                {"code": "B", "price": "45.00", "currency": "GBP", "counts": zero}
            ],
            "sections": [{"name": "STALLS", "rows": [
                {"row": "A", "blocks": [
                    {"from": 1, "to": 12, "price_band": "A"},
                    {"from": 13, "to": 24, "price_band": "A"}
                ]},
                {"row": "B", "blocks": [{"from": 1, "to": 6, "price_band": "A"}]}
            ]}],
            "general_admission": [
                {"code": "STANDING", "price_band": "B", "capacity": 10, "available": 10, "held": 0, "sold": 0,
                 "withheld": 0, "allocated": 0}
            ],
            "counts": {"available": 30, "held": 0, "sold": 0, "withheld": 0, "allocated": 0},
            "version": 0,
            "ticket_types": [
                {"code": "STANDARD", "name": "Standard", "prices": {"A": "65.00", "B": "45.00"}}
            ],
            "fees": []
        })
    );
    let read = app.get("/performances/jb-1204").await;
    assert_eq!(
        read.assert_status(200),
        &created,
        "GET answers what creation answered"
    );
}

#[actix_web::test]
async fn a_performance_shows_its_counts_overall_per_band_and_per_pool() {
    let app = spawn_app().await;
    let mut body = performance_body("p1", &[&[(1, 6)], &[(1, 4)]], free_rules());
    body["sections"][0]["rows"][1]["blocks"][0]["price_band"] = json!("B");
    app.create_performance(&body).await;
    let shop = app.create_sales_client("shop").await;
    let sold = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1", "p1:STALLS-B1"]}))
        .await;
    app.complete(&shop, &transaction_id(sold.assert_status(201)))
        .await
        .assert_status(200);
    app.place_hold(&shop, &json!({"tickets": ["p1:STALLS-A2", "p1:STALLS-A3"]}))
        .await
        .assert_status(201);
    app.place_hold(
        &shop,
        &json!({"performance": "p1", "general_admission": {"STANDING": 3}}),
    )
    .await
    .assert_status(201);
    app.holdbacks(ADMIN_KEY, "p1", &json!({"withhold": ["p1:STALLS-B4"]}))
        .await
        .assert_status(200);

    let performance = app.get("/performances/p1").await;
    let performance = performance.assert_status(200);
    assert_eq!(
        performance["counts"],
        json!({"available": 5, "held": 2, "sold": 2, "withheld": 1, "allocated": 0}),
        "counts are seats only"
    );
    assert_eq!(
        performance["price_bands"][0]["counts"],
        json!({"available": 3, "held": 2, "sold": 1, "withheld": 0, "allocated": 0})
    );
    assert_eq!(
        performance["price_bands"][1]["counts"],
        json!({"available": 2, "held": 0, "sold": 1, "withheld": 1, "allocated": 0})
    );
    assert_eq!(
        performance["general_admission"],
        json!([{"code": "STANDING", "price_band": "B", "capacity": 10, "available": 7, "held": 3, "sold": 0,
                 "withheld": 0, "allocated": 0}])
    );
}

#[actix_web::test]
async fn a_performance_without_an_id_gets_a_generated_one() {
    let app = spawn_app().await;
    let mut body = performance_body("unused", &[&[(1, 4)]], free_rules());
    body.as_object_mut().unwrap().remove("id");
    body.as_object_mut().unwrap().remove("hold_seconds");
    let created = app.create_performance(&body).await;
    let id = created["id"].as_str().expect("an id").to_owned();
    assert!(
        (1..=64).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'),
        "a slug: {id}"
    );
    assert_eq!(
        created["hold_seconds"], 180,
        "the configured default hold time"
    );
    let read = app.get(&format!("/performances/{id}")).await;
    assert_eq!(read.assert_status(200)["id"], id.as_str());
    let shop = app.create_sales_client("shop").await;
    let hold = app
        .place_hold(&shop, &json!({"tickets": [format!("{id}:STALLS-A1")]}))
        .await;
    assert_eq!(
        hold.assert_status(201)["tickets"][0]["performance"],
        id.as_str()
    );

    let another = app.create_performance(&body).await;
    assert_ne!(another["id"], created["id"], "every generated id is new");
}

#[actix_web::test]
async fn events_are_found_by_name_venue_or_city_case_insensitively() {
    let app = spawn_app().await;
    app.create_performance(&performance_of("jb-1", JERSEY_BOYS, "2026-12-04T19:30:00Z"))
        .await;
    app.create_performance(&performance_of("jb-2", JERSEY_BOYS, "2026-12-05T19:30:00Z"))
        .await;
    app.create_performance(&performance_of("ham-1", HAMILTON, "2026-12-04T19:30:00Z"))
        .await;
    app.create_performance(&performance_of("wic-1", WICKED, "2026-12-04T19:00:00Z"))
        .await;

    let all = app.get("/events").await;
    let all = all.assert_status(200);
    assert_eq!(event_ids(all), ["hamilton", "jersey-boys", "wicked"]);
    assert_eq!(
        all["meta"],
        json!({"page": 0, "page_length": 50, "total_results": 3}),
        "an event with two performances is listed once"
    );
    let jersey = all["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|event| event["id"] == "jersey-boys")
        .unwrap();
    assert_eq!(
        jersey,
        &json!({"id": "jersey-boys", "name": "Jersey Boys", "venue": "Piccadilly Theatre", "city": "London"})
    );

    let cases: [(&str, &[&str]); 10] = [
        ("q=jersey", &["jersey-boys"]),
        ("q=JERSEY%20boys", &["jersey-boys"]),
        ("q=palace", &["hamilton"]),
        ("q=GERSHWIN", &["wicked"]),
        ("q=new%20york", &["wicked"]),
        ("q=LonDon", &["hamilton", "jersey-boys"]),
        ("q=theatre", &["hamilton", "jersey-boys", "wicked"]),
        ("q=phantom", &[]),
        ("city=london", &["hamilton", "jersey-boys"]),
        ("q=theatre&city=NEW%20YORK", &["wicked"]),
    ];
    for (query, expected) in cases {
        let answer = app.get(&format!("/events?{query}")).await;
        let body = answer.assert_status(200);
        assert_eq!(event_ids(body), expected, "{query}");
        assert_eq!(body["meta"]["total_results"], expected.len(), "{query}");
    }
}

#[actix_web::test]
async fn events_are_paged_with_meta() {
    let app = spawn_app().await;
    for index in 0..5 {
        let event = format!("event-{index}");
        let name = format!("Show {index}");
        app.create_performance(&performance_of(
            &format!("p{index}"),
            (&event, &name, "Venue", "Leeds"),
            "2026-12-04T19:30:00Z",
        ))
        .await;
    }
    let mut seen = BTreeSet::new();
    for (page, expected) in [(0, 2), (1, 2), (2, 1), (3, 0)] {
        let answer = app.get(&format!("/events?page={page}&page_length=2")).await;
        let body = answer.assert_status(200);
        assert_eq!(
            body["meta"],
            json!({"page": page, "page_length": 2, "total_results": 5})
        );
        let ids = event_ids(body);
        assert_eq!(ids.len(), expected, "page {page}");
        for id in ids {
            assert!(seen.insert(id), "an event on two pages");
        }
    }
    assert_eq!(seen.len(), 5, "the pages cover every event");
    let filtered = app.get("/events?q=show&page=1&page_length=3").await;
    let filtered = filtered.assert_status(200);
    assert_eq!(event_ids(filtered).len(), 2);
    assert_eq!(
        filtered["meta"],
        json!({"page": 1, "page_length": 3, "total_results": 5})
    );

    for query in [
        "page_length=0",
        "page_length=100000",
        "page=-1",
        "page=first",
        "page_length=x",
    ] {
        app.get(&format!("/events?{query}"))
            .await
            .assert_error(400, "invalid_request");
    }
}

#[actix_web::test]
async fn an_events_performances_are_filtered_by_start_and_paged() {
    let app = spawn_app().await;
    for (id, starts_at) in [
        ("jb-1206", "2026-12-06T19:30:00Z"),
        ("jb-1204", "2026-12-04T19:30:00Z"),
        ("jb-1205", "2026-12-05T14:30:00Z"),
    ] {
        app.create_performance(&performance_of(id, JERSEY_BOYS, starts_at))
            .await;
    }
    app.create_performance(&performance_of("ham-1", HAMILTON, "2026-12-05T19:30:00Z"))
        .await;

    let all = app.get("/events/jersey-boys/performances").await;
    let all = all.assert_status(200);
    assert_eq!(performance_ids(all), ["jb-1204", "jb-1205", "jb-1206"]);
    assert_eq!(
        all["meta"],
        json!({"page": 0, "page_length": 50, "total_results": 3})
    );
    let first = &all["performances"][0];
    assert_eq!(first["starts_at"], "2026-12-04T19:30:00Z");
    assert_eq!(first["event"]["id"], "jersey-boys");
    assert_eq!(first["hold_seconds"], 180);
    let mut rules = free_rules();
    rules["max_hold_seconds"] = json!(1800);
    rules["max_renewals"] = json!(5);
    assert_eq!(
        first["rules"], rules,
        "the rules given, and the default hold caps"
    );

    let cases: [(&str, &[&str]); 5] = [
        ("from=2026-12-05T00:00:00Z", &["jb-1205", "jb-1206"]),
        ("to=2026-12-05T14:30:00Z", &["jb-1204", "jb-1205"]),
        (
            "from=2026-12-05T14:30:00Z&to=2026-12-05T14:30:00Z",
            &["jb-1205"],
        ),
        (
            "from=2026-12-05T15:30:00%2B01:00&to=2026-12-06T00:00:00Z",
            &["jb-1205"],
        ),
        ("from=2027-01-01T00:00:00Z", &[]),
    ];
    for (query, expected) in cases {
        let answer = app
            .get(&format!("/events/jersey-boys/performances?{query}"))
            .await;
        let body = answer.assert_status(200);
        assert_eq!(performance_ids(body), expected, "{query}");
        assert_eq!(body["meta"]["total_results"], expected.len(), "{query}");
    }

    let page = app
        .get("/events/jersey-boys/performances?page=1&page_length=2")
        .await;
    let page = page.assert_status(200);
    assert_eq!(performance_ids(page), ["jb-1206"]);
    assert_eq!(
        page["meta"],
        json!({"page": 1, "page_length": 2, "total_results": 3})
    );

    app.get("/events/cats/performances")
        .await
        .assert_error(404, "not_found");
    app.get("/events/jersey-boys/performances?from=tomorrow")
        .await
        .assert_error(400, "invalid_request");
}

#[actix_web::test]
async fn availability_lists_maximal_free_runs_split_at_aisles_in_seat_order() {
    let app = spawn_app().await;
    app.create_performance(&performance_body(
        "p1",
        &[&[(1, 5), (6, 10)], &[(1, 4)]],
        free_rules(),
    ))
    .await;
    let shop = app.create_sales_client("shop").await;
    app.place_hold(&shop, &json!({"tickets": ["p1:STALLS-A3", "p1:STALLS-A7"]}))
        .await
        .assert_status(201);

    let answer = app.get("/performances/p1/availability").await;
    let body = answer.assert_status(200);
    assert_eq!(body["performance"], "p1");
    assert_eq!(body["contiguous_seats_only"], false);
    assert_eq!(
        body["valid_quantities"],
        json!([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    );
    let band = &body["price_bands"][0];
    assert_eq!(band["code"], "A");
    assert_eq!(band["price"], "65.00");
    assert_eq!(band["currency"], "GBP");
    assert_eq!(band["available"], 12);
    assert_eq!(
        blocks(band),
        [
            run("A", 1..=2),
            run("A", 4..=5),
            run("A", 6..=6),
            run("A", 8..=10),
            run("B", 1..=4),
        ],
        "runs split at held seats and at the aisle between 5 and 6"
    );
    assert_eq!(
        band["seat_blocks"][0],
        json!({"section": "STALLS", "row": "A", "seats": [
            {"id": "p1:STALLS-A1", "number": "1"}, {"id": "p1:STALLS-A2", "number": "2"}
        ]})
    );
    assert_eq!(band["seat_blocks"][4]["row"], "B");
    assert_eq!(
        body["price_bands"][1],
        json!({"code": "B", "price": "45.00", "currency": "GBP", "available": 0, "seat_blocks": []})
    );
    assert_eq!(
        body["general_admission"],
        json!([{"code": "STANDING", "price_band": "B", "available": 10}])
    );
}

#[actix_web::test]
async fn availability_with_a_quantity_lists_only_blocks_that_fit() {
    let app = spawn_app().await;
    app.create_performance(&performance_body(
        "p1",
        &[&[(1, 5), (6, 10)], &[(1, 4)]],
        free_rules(),
    ))
    .await;
    let shop = app.create_sales_client("shop").await;
    app.place_hold(&shop, &json!({"tickets": ["p1:STALLS-A3", "p1:STALLS-A7"]}))
        .await
        .assert_status(201);

    let cases = [
        (
            1,
            vec![
                run("A", 1..=2),
                run("A", 4..=5),
                run("A", 6..=6),
                run("A", 8..=10),
                run("B", 1..=4),
            ],
        ),
        (
            2,
            vec![
                run("A", 1..=2),
                run("A", 4..=5),
                run("A", 8..=10),
                run("B", 1..=4),
            ],
        ),
        (3, vec![run("A", 8..=10), run("B", 1..=4)]),
        (4, vec![run("B", 1..=4)]),
        (5, vec![]),
    ];
    for (quantity, expected) in cases {
        let answer = app
            .get(&format!(
                "/performances/p1/availability?quantity={quantity}"
            ))
            .await;
        let band = &answer.assert_status(200)["price_bands"][0];
        assert_eq!(blocks(band), expected, "quantity {quantity}");
        assert_eq!(band["available"], 12, "available counts every free seat");
    }
    app.get("/performances/p1/availability?quantity=two")
        .await
        .assert_error(400, "invalid_request");
}

#[actix_web::test]
async fn availability_without_single_seat_gaps_omits_runs_of_exactly_quantity_plus_one() {
    let app = spawn_app().await;
    app.create_performance(&performance_body(
        "p1",
        &[&[(1, 3), (4, 8)], &[(1, 2)]],
        strict_rules(),
    ))
    .await;
    let cases = [
        (1, vec![run("A", 1..=3), run("A", 4..=8)]),
        (2, vec![run("A", 4..=8), run("B", 1..=2)]),
        (3, vec![run("A", 1..=3), run("A", 4..=8)]),
        (4, vec![]),
        (5, vec![run("A", 4..=8)]),
    ];
    for (quantity, expected) in cases {
        let answer = app
            .get(&format!(
                "/performances/p1/availability?quantity={quantity}"
            ))
            .await;
        let body = answer.assert_status(200);
        assert_eq!(body["no_single_seat_gaps"], true);
        assert_eq!(
            blocks(&body["price_bands"][0]),
            expected,
            "quantity {quantity}"
        );
    }
    // Every listed block really can seat the quantity, and an omitted one cannot.
    let shop = app.create_sales_client("shop").await;
    app.place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1", "p1:STALLS-A2"]}))
        .await
        .assert_error(422, "rule_violation");
    app.place_hold(&shop, &json!({"tickets": ["p1:STALLS-B1", "p1:STALLS-B2"]}))
        .await
        .assert_status(201);
}

#[actix_web::test]
async fn availability_filters_by_price_band() {
    let app = spawn_app().await;
    let mut body = performance_body("p1", &[&[(1, 4)], &[(1, 3)]], free_rules());
    body["sections"][0]["rows"][1]["blocks"][0]["price_band"] = json!("B");
    app.create_performance(&body).await;

    let answer = app.get("/performances/p1/availability?price_band=B").await;
    let body = answer.assert_status(200);
    let bands = body["price_bands"].as_array().unwrap();
    assert_eq!(bands.len(), 1, "only band B");
    assert_eq!(bands[0]["code"], "B");
    assert_eq!(bands[0]["price"], "45.00");
    assert_eq!(bands[0]["available"], 3);
    assert_eq!(blocks(&bands[0]), [run("B", 1..=3)]);

    let with_quantity = app
        .get("/performances/p1/availability?price_band=A&quantity=4")
        .await;
    let bands = with_quantity.assert_status(200)["price_bands"].clone();
    assert_eq!(bands.as_array().unwrap().len(), 1);
    assert_eq!(blocks(&bands[0]), [run("A", 1..=4)]);

    let unknown = app.get("/performances/p1/availability?price_band=Z").await;
    unknown.assert_error(404, "not_found");
}

#[actix_web::test]
async fn the_seat_map_lists_every_seat_in_plan_order() {
    let app = spawn_app().await;
    let mut body = performance_body("p1", &[&[(1, 2), (5, 6)], &[(1, 3)]], free_rules());
    body["sections"][0]["rows"][1]["blocks"][0]["price_band"] = json!("B");
    body["sections"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "CIRCLE", "rows": [{"row": "A", "blocks": [{"from": 10, "to": 11, "price_band": "A"}]}]}));
    app.create_performance(&body).await;

    let answer = app.get("/performances/p1/seats").await;
    let map = answer.assert_status(200);
    assert_eq!(map["performance"], "p1");
    assert_eq!(map["version"], 0);
    let ids: Vec<&str> = map["seats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|seat| seat["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "p1:STALLS-A1",
            "p1:STALLS-A2",
            "p1:STALLS-A5",
            "p1:STALLS-A6",
            "p1:STALLS-B1",
            "p1:STALLS-B2",
            "p1:STALLS-B3",
            "p1:CIRCLE-A10",
            "p1:CIRCLE-A11",
        ]
    );
    assert_eq!(
        map["seats"][4],
        json!({"id": "p1:STALLS-B1", "section": "STALLS", "row": "B", "number": "1", "price_band": "B", "status": "free",
               "x": -1.0, "y": 1.0, "attributes": []})
    );
    assert_eq!(
        map["seats"][8],
        json!({"id": "p1:CIRCLE-A11", "section": "CIRCLE", "row": "A", "number": "11", "price_band": "A", "status": "free",
               "x": 0.5, "y": 3.0, "attributes": []})
    );
}

#[actix_web::test]
async fn the_seat_map_version_increases_with_every_change() {
    let app = spawn_app().await;
    app.create_performance(&performance_body("p1", &[&[(1, 10)]], free_rules()))
        .await;
    let shop = app.create_sales_client("shop").await;
    let (_, mut version) = app.seat_statuses("p1").await;
    let mut expect_newer = async |app: &TestApp, what: &str, seat: &str, status: &str| {
        let (seats, now) = app.seat_statuses("p1").await;
        assert!(now > version, "{what}: {now} after {version}");
        assert_eq!(seats[seat], status, "{what}");
        version = now;
    };

    let hold = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await;
    let first = transaction_id(hold.assert_status(201));
    expect_newer(&app, "hold", "p1:STALLS-A1", "held").await;
    app.checkout(&shop, &first).await.assert_status(200);
    expect_newer(&app, "checkout", "p1:STALLS-A1", "held").await;
    app.complete(&shop, &first).await.assert_status(200);
    expect_newer(&app, "complete", "p1:STALLS-A1", "sold").await;

    let hold = app
        .place_hold(&shop, &json!({"performance": "p1", "quantity": 2}))
        .await;
    let second = transaction_id(hold.assert_status(201));
    let held = ticket_ids(&hold.body);
    expect_newer(&app, "best available", &held[0], "held").await;
    app.release(&shop, &second).await.assert_status(200);
    expect_newer(&app, "release", &held[0], "free").await;
    app.holdbacks(ADMIN_KEY, "p1", &json!({"withhold": ["p1:STALLS-A10"]}))
        .await
        .assert_status(200);
    expect_newer(&app, "withhold", "p1:STALLS-A10", "withheld").await;
    app.holdbacks(ADMIN_KEY, "p1", &json!({"release": ["p1:STALLS-A10"]}))
        .await
        .assert_status(200);
    expect_newer(&app, "holdback release", "p1:STALLS-A10", "free").await;
    app.place_hold(&shop, &json!({"tickets": ["p1:STALLS-A5"]}))
        .await
        .assert_status(201);
    app.clock.advance_millis(180_000);
    expect_newer(&app, "expiry", "p1:STALLS-A5", "free").await;

    // Reads and refusals change nothing, so the version stays.
    app.get("/performances/p1/availability")
        .await
        .assert_status(200);
    app.place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await
        .assert_error(409, "seat_unavailable");
    let (_, now) = app.seat_statuses("p1").await;
    assert_eq!(now, version);
    assert_eq!(
        app.get("/performances/p1").await.assert_status(200)["version"],
        version,
        "the performance shows the same version"
    );
}

#[actix_web::test]
async fn holdbacks_withhold_and_release_seats() {
    let app = spawn_app().await;
    app.create_performance(&performance_body("p1", &[&[(1, 10)]], free_rules()))
        .await;
    let withheld = app
        .holdbacks(
            ADMIN_KEY,
            "p1",
            &json!({"withhold": ["p1:STALLS-A1", "p1:STALLS-A2", "p1:STALLS-A3"]}),
        )
        .await;
    let performance = withheld.assert_status(200);
    assert_eq!(performance["id"], "p1");
    assert_eq!(
        performance["counts"],
        json!({"available": 7, "held": 0, "sold": 0, "withheld": 3, "allocated": 0})
    );
    assert_eq!(
        performance["price_bands"][0]["counts"],
        json!({"available": 7, "held": 0, "sold": 0, "withheld": 3, "allocated": 0})
    );
    let (seats, _) = app.seat_statuses("p1").await;
    assert_eq!(seats["p1:STALLS-A1"], "withheld");
    assert_eq!(seats["p1:STALLS-A3"], "withheld");
    assert_eq!(seats["p1:STALLS-A4"], "free");
    let availability = app.get("/performances/p1/availability").await;
    let band = &availability.assert_status(200)["price_bands"][0];
    assert_eq!(band["available"], 7);
    assert_eq!(blocks(band), [run("A", 4..=10)]);

    let both = app
        .holdbacks(
            ADMIN_KEY,
            "p1",
            &json!({"withhold": ["p1:STALLS-A10"], "release": ["p1:STALLS-A1", "p1:STALLS-A2"]}),
        )
        .await;
    assert_eq!(
        both.assert_status(200)["counts"],
        json!({"available": 8, "held": 0, "sold": 0, "withheld": 2, "allocated": 0})
    );
    let (seats, version) = app.seat_statuses("p1").await;
    assert_eq!(seats["p1:STALLS-A1"], "free");
    assert_eq!(seats["p1:STALLS-A3"], "withheld");
    assert_eq!(seats["p1:STALLS-A10"], "withheld");

    let again = app
        .holdbacks(ADMIN_KEY, "p1", &json!({"withhold": ["p1:STALLS-A3"]}))
        .await;
    assert_eq!(
        again.assert_status(200)["counts"]["withheld"],
        2,
        "withholding a withheld seat changes nothing"
    );
    // Releasing a seat that is not withheld is refused (issue 14), and changes nothing.
    let free = app
        .holdbacks(
            ADMIN_KEY,
            "p1",
            &json!({"release": ["p1:STALLS-A3", "p1:STALLS-A1"]}),
        )
        .await;
    assert_eq!(
        free.assert_error(409, "invalid_state")["tickets"],
        json!(["p1:STALLS-A1"])
    );
    assert_eq!(app.seat_statuses("p1").await.1, version);
}

#[actix_web::test]
async fn withheld_seats_cannot_be_held_and_held_or_sold_seats_cannot_be_withheld() {
    let app = spawn_app().await;
    app.create_performance(&performance_body("p1", &[&[(1, 4)]], free_rules()))
        .await;
    let shop = app.create_sales_client("shop").await;
    app.holdbacks(
        ADMIN_KEY,
        "p1",
        &json!({"withhold": ["p1:STALLS-A1", "p1:STALLS-A2"]}),
    )
    .await
    .assert_status(200);
    let refused = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A2", "p1:STALLS-A3"]}))
        .await;
    assert_eq!(
        refused.assert_error(409, "seat_unavailable")["tickets"],
        json!(["p1:STALLS-A2"])
    );
    let best = app
        .place_hold(&shop, &json!({"performance": "p1", "quantity": 2}))
        .await;
    assert_eq!(
        ticket_ids(best.assert_status(201)),
        ["p1:STALLS-A3", "p1:STALLS-A4"],
        "best available skips withheld seats"
    );
    app.place_hold(&shop, &json!({"performance": "p1", "quantity": 1}))
        .await
        .assert_error(409, "insufficient_availability");

    let (before, version) = app.seat_statuses("p1").await;
    let held = app
        .holdbacks(ADMIN_KEY, "p1", &json!({"withhold": ["p1:STALLS-A3"]}))
        .await;
    assert_eq!(
        held.assert_error(409, "seat_unavailable")["tickets"],
        json!(["p1:STALLS-A3"])
    );
    app.complete(&shop, &transaction_id(&best.body))
        .await
        .assert_status(200);
    let (before_sold, version_sold) = app.seat_statuses("p1").await;
    assert!(version_sold > version);
    assert_eq!(before["p1:STALLS-A3"], "held");
    let sold = app
        .holdbacks(ADMIN_KEY, "p1", &json!({"withhold": ["p1:STALLS-A4"]}))
        .await;
    assert_eq!(
        sold.assert_error(409, "seat_unavailable")["tickets"],
        json!(["p1:STALLS-A4"])
    );
    let mixed = app
        .holdbacks(
            ADMIN_KEY,
            "p1",
            &json!({"release": ["p1:STALLS-A1", "p1:STALLS-A3"]}),
        )
        .await;
    assert_eq!(
        mixed.assert_error(409, "invalid_state")["tickets"],
        json!(["p1:STALLS-A3"]),
        "a held seat is not withheld"
    );
    assert_eq!(
        app.seat_statuses("p1").await,
        (before_sold, version_sold),
        "a refused holdback changes nothing, A1 stays withheld"
    );
}

#[actix_web::test]
async fn health_answers_200() {
    let app = spawn_app().await;
    let answer = app.get("/health").await;
    answer.assert_status(200);
}

#[actix_web::test]
async fn metrics_are_prometheus_text_with_request_and_hold_counters() {
    let app = spawn_app().await;
    app.create_performance(&performance_body("p1", &[&[(1, 4)]], free_rules()))
        .await;
    let shop = app.create_sales_client("shop").await;
    app.place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await
        .assert_status(201);
    let response = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let text = response.text().await.unwrap();
    assert!(
        text.lines()
            .any(|line| line == "# TYPE holdfast_http_requests_total counter"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|line| line.starts_with("holdfast_http_requests_total{")
                && line.contains("status=\"201\"")),
        "{text}"
    );
    assert!(
        text.lines().any(|line| line == "holdfast_holds_total 1"),
        "{text}"
    );
    for line in text.lines().filter(|line| !line.starts_with('#')) {
        let value = line.rsplit(' ').next().unwrap();
        assert!(value.parse::<f64>().is_ok(), "a sample: {line}");
    }
}

#[actix_web::test]
async fn creating_a_client_answers_201_with_its_key_and_the_key_holds_seats() {
    let app = spawn_app().await;
    app.create_performance(&performance_body("p1", &[&[(1, 4)]], free_rules()))
        .await;
    let answer = app
        .post_as_admin("/clients", &json!({"name": "webshop", "role": "sales"}))
        .await;
    let client = answer.assert_status(201);
    let mut keys: Vec<&str> = client
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["channel", "events", "id", "key", "name", "role"]);
    assert_eq!(client["name"], "webshop");
    assert_eq!(client["role"], "sales");
    let id = client["id"].as_str().unwrap();
    let key = client["key"].as_str().unwrap();
    assert!(!id.is_empty() && key.len() >= 16, "{client}");
    assert_ne!(id, key);

    let hold = app
        .place_hold(key, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await;
    let transaction = transaction_id(hold.assert_status(201));
    let read = app.transaction(key, &transaction).await;
    assert_eq!(read.assert_status(200)["locked_by"], id);
    app.holdbacks(key, "p1", &json!({"withhold": ["p1:STALLS-A2"]}))
        .await
        .assert_error(403, "forbidden");

    let admin = app
        .post_as_admin(
            "/clients",
            &json!({"id": "box-office", "name": "box office", "role": "admin"}),
        )
        .await;
    let admin = admin.assert_status(201);
    assert_eq!(admin["id"], "box-office");
    assert_eq!(admin["role"], "admin");
    let admin_key = admin["key"].as_str().unwrap();
    app.holdbacks(admin_key, "p1", &json!({"withhold": ["p1:STALLS-A2"]}))
        .await
        .assert_status(200);
    app.call(
        Method::POST,
        "/clients",
        Some(admin_key),
        Some(&json!({"name": "reseller", "role": "sales"})),
    )
    .await
    .assert_status(201);
    app.post_as_admin("/clients", &json!({"name": "x", "role": "owner"}))
        .await
        .assert_error(400, "invalid_request");
}
