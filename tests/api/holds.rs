//! The buyer flow end to end, the race for one seat, expiry and idempotent retries.

use futures::future::join_all;
use reqwest::Method;
use serde_json::json;

use crate::helpers::*;

#[actix_web::test]
async fn the_buyer_flow_holds_checks_out_and_completes_with_an_order_and_a_people_record() {
    let app = spawn_app().await;
    app.create_performance(&performance_body(
        "jb-1204",
        &[&[(1, 12), (13, 24)]],
        strict_rules(),
    ))
    .await;
    let shop = app.create_sales_client("webshop").await;

    let availability = app
        .get("/performances/jb-1204/availability?quantity=2&price_band=A")
        .await;
    assert_eq!(
        availability.assert_status(200)["price_bands"][0]["available"],
        24
    );

    let hold = app
        .place_hold(
            &shop,
            &json!({"tickets": ["jb-1204:STALLS-A5", "jb-1204:STALLS-A6"]}),
        )
        .await;
    let hold = hold.assert_status(201);
    assert_eq!(hold["status"], "OK");
    assert_eq!(ticket_ids(hold), ["jb-1204:STALLS-A5", "jb-1204:STALLS-A6"]);
    assert_eq!(hold["tickets"][0]["price"], "65.00");
    assert_eq!(hold["lock_expires"], "2026-11-01T00:03:00Z");
    let id = transaction_id(hold);

    app.clock.advance_millis(60_000);
    let checkout = app.checkout(&shop, &id).await;
    assert_eq!(
        checkout.assert_status(200)["lock_expires"],
        "2026-11-01T00:04:00Z"
    );

    let read = app.transaction(&shop, &id).await;
    let read = read.assert_status(200);
    assert_eq!(read["state"], "checkout");
    assert_eq!(read["locked_ip"], "127.0.0.1");
    assert!(
        read["locked_by"].as_str().unwrap().starts_with("client-"),
        "the client id, never the key"
    );

    let completed = app.complete(&shop, &id).await;
    let order = completed.assert_status(200)["order"].clone();
    let number = order["number"].as_str().unwrap().to_owned();
    assert_eq!(
        order["totals"],
        json!([{"currency": "GBP", "amount": "130.00", "nominal": "130.00", "extra": "0.00",
                "discount": "0.00", "full": "130.00"}])
    );
    let barcodes: Vec<&str> = order["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["barcode"].as_str().unwrap())
        .collect();
    assert_eq!(barcodes.len(), 2);
    assert_ne!(barcodes[0], barcodes[1]);

    let again = app.complete(&shop, &id).await;
    assert_eq!(
        again.assert_status(200)["order"],
        order,
        "completing twice answers the same order"
    );

    let (seats, _) = app.seat_statuses("jb-1204").await;
    assert_eq!(seats["jb-1204:STALLS-A5"], "sold");
    assert_eq!(seats["jb-1204:STALLS-A6"], "sold");
    assert_eq!(
        app.transaction(&shop, &id).await.assert_status(200)["state"],
        "complete"
    );

    let stored = app
        .call(Method::GET, &format!("/orders/{number}"), Some(&shop), None)
        .await;
    assert_eq!(stored.assert_status(200)["order"], order);
    let person = app.get_as_admin("/people?email=JOE@example.com").await;
    let person = person.assert_status(200);
    assert_eq!(person["name"], "Joe User");
    assert_eq!(person["orders"], json!([number]));

    let released = app.release(&shop, &id).await;
    assert_eq!(
        released.assert_status(200)["state"],
        "complete",
        "a sale is never undone by a release"
    );
    assert_eq!(
        app.counts("jb-1204").await,
        json!({"available": 22, "held": 0, "sold": 2, "withheld": 0, "allocated": 0})
    );
}

#[actix_web::test]
async fn a_release_frees_the_seats_and_is_idempotent() {
    let app = spawn_app().await;
    app.create_performance(&performance_body("p1", &[&[(1, 10)]], free_rules()))
        .await;
    let shop = app.create_sales_client("shop").await;
    let hold = app
        .place_hold(&shop, &json!({"performance": "p1", "quantity": 3}))
        .await;
    let id = transaction_id(hold.assert_status(201));
    assert_eq!(app.counts("p1").await["held"], 3);
    for _ in 0..2 {
        assert_eq!(
            app.release(&shop, &id).await.assert_status(200)["state"],
            "released"
        );
    }
    assert_eq!(
        app.counts("p1").await,
        json!({"available": 10, "held": 0, "sold": 0, "withheld": 0, "allocated": 0})
    );
    app.checkout(&shop, &id)
        .await
        .assert_error(409, "invalid_state");
    app.complete(&shop, &id)
        .await
        .assert_error(409, "invalid_state");
}

#[actix_web::test]
async fn sixty_four_clients_racing_for_the_same_seats_leave_exactly_one_winner_per_seat() {
    let app = spawn_app().await;
    app.create_performance(&performance_body("race", &[&[(1, 8)]], free_rules()))
        .await;
    let mut keys = Vec::new();
    for index in 0..8 {
        keys.push(app.create_sales_client(&format!("shop{index}")).await);
    }
    // Every client wants two pairs that overlap the neighbours' pairs.
    let attempts = (0..64).map(|index| {
        let key = &keys[index % keys.len()];
        let first = 1 + index % 7;
        let body = json!({"tickets": [format!("race:STALLS-A{first}"), format!("race:STALLS-A{}", first + 1)]});
        let app = &app;
        async move { app.place_hold(key, &body).await }
    });
    let answers = join_all(attempts).await;
    let mut holders = std::collections::BTreeMap::new();
    for answer in &answers {
        match answer.status.as_u16() {
            201 => {
                for ticket in ticket_ids(&answer.body) {
                    assert!(
                        holders
                            .insert(ticket.clone(), transaction_id(&answer.body))
                            .is_none(),
                        "{ticket} given twice"
                    );
                }
            }
            409 => assert_eq!(answer.body["code"], "seat_unavailable"),
            other => panic!("unexpected {other}: {}", answer.body),
        }
    }
    assert!(!holders.is_empty());
    let (seats, _) = app.seat_statuses("race").await;
    let held: Vec<&String> = seats
        .iter()
        .filter(|(_, status)| *status == "held")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(
        held.len(),
        holders.len(),
        "the seat map agrees with the winners"
    );
}

#[actix_web::test]
async fn a_lock_past_its_time_is_expired_and_its_seats_are_free_again() {
    let app = spawn_app().await;
    let mut body = performance_body("p1", &[&[(1, 10)]], free_rules());
    body["hold_seconds"] = json!(30);
    app.create_performance(&body).await;
    let shop = app.create_sales_client("shop").await;
    let hold = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await;
    let id = transaction_id(hold.assert_status(201));

    app.clock.advance_millis(29_999);
    assert_eq!(
        app.transaction(&shop, &id).await.assert_status(200)["state"],
        "held"
    );
    app.clock.advance_millis(1);
    assert_eq!(
        app.transaction(&shop, &id).await.assert_status(200)["state"],
        "expired"
    );
    app.checkout(&shop, &id)
        .await
        .assert_error(410, "lock_expired");
    app.complete(&shop, &id)
        .await
        .assert_error(410, "lock_expired");
    assert_eq!(app.counts("p1").await["available"], 10);
    let again = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await;
    again.assert_status(201);
}

#[actix_web::test]
async fn the_expiry_timer_releases_a_lock_without_any_request_touching_it() {
    let app = spawn_app().await;
    app.create_performance(&performance_body("p1", &[&[(1, 10)]], free_rules()))
        .await;
    let shop = app.create_sales_client("shop").await;
    app.place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await
        .assert_status(201);
    app.clock.advance_millis(180_000);
    // /metrics does not touch the actor, so only its timer can count the expiry. The timer
    // ticks every 200 ms; poll for up to ten seconds rather than sleep a fixed time.
    let expired = async {
        loop {
            let text = app
                .client
                .get(format!("{}/metrics", app.address))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if text.lines().any(|line| line == "holdfast_expiries_total 1") {
                return;
            }
            actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    };
    actix_web::rt::time::timeout(std::time::Duration::from_secs(10), expired)
        .await
        .expect("the timer expired the lock");
}

#[actix_web::test]
async fn a_retry_with_the_same_idempotency_key_returns_the_first_answer_and_holds_nothing_more() {
    let app = spawn_app().await;
    app.create_performance(&performance_body("p1", &[&[(1, 10)]], free_rules()))
        .await;
    let shop = app.create_sales_client("shop").await;
    let other = app.create_sales_client("other").await;
    let body = json!({"performance": "p1", "quantity": 2});
    let first = app.place_hold_idempotently(&shop, "order-77", &body).await;
    let second = app.place_hold_idempotently(&shop, "order-77", &body).await;
    assert_eq!(first.assert_status(201), second.assert_status(201));
    assert_eq!(app.counts("p1").await["held"], 2);

    let reformatted = json!({"quantity": 2, "performance": "p1"});
    let third = app
        .place_hold_idempotently(&shop, "order-77", &reformatted)
        .await;
    assert_eq!(
        third.assert_status(201),
        first.assert_status(201),
        "key order does not matter"
    );

    let different = app
        .place_hold_idempotently(
            &shop,
            "order-77",
            &json!({"performance": "p1", "quantity": 3}),
        )
        .await;
    different.assert_error(422, "rule_violation");

    let scoped = app.place_hold_idempotently(&other, "order-77", &body).await;
    assert_ne!(
        transaction_id(scoped.assert_status(201)),
        transaction_id(&first.body),
        "keys are scoped to the client"
    );
    assert_eq!(app.counts("p1").await["held"], 4);
}

#[actix_web::test]
async fn a_refused_request_is_judged_afresh_on_retry_with_the_same_key() {
    let app = spawn_app().await;
    app.create_performance(&performance_body("p1", &[&[(1, 4)]], free_rules()))
        .await;
    let shop = app.create_sales_client("shop").await;
    let blocker = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await;
    let body = json!({"tickets": ["p1:STALLS-A1"]});
    app.place_hold_idempotently(&shop, "k1", &body)
        .await
        .assert_error(409, "seat_unavailable");
    app.release(&shop, &transaction_id(&blocker.body))
        .await
        .assert_status(200);
    app.place_hold_idempotently(&shop, "k1", &body)
        .await
        .assert_status(201);
}

#[actix_web::test]
async fn best_available_and_general_admission_hold_what_the_rules_allow() {
    let app = spawn_app().await;
    app.create_performance(&performance_body(
        "p1",
        &[&[(1, 5), (6, 15), (16, 20)], &[(1, 20)]],
        strict_rules(),
    ))
    .await;
    let shop = app.create_sales_client("shop").await;
    let best = app
        .place_hold(&shop, &json!({"performance": "p1", "quantity": 4}))
        .await;
    let best = best.assert_status(201);
    assert_eq!(
        ticket_ids(best),
        [
            "p1:STALLS-A9",
            "p1:STALLS-A10",
            "p1:STALLS-A11",
            "p1:STALLS-A12"
        ],
        "front row, centred"
    );
    assert_eq!(best["seat_request_status"], "not_requested");

    let preferred =
        json!({"performance": "p1", "quantity": 2, "preferred": ["p1:STALLS-B1", "p1:STALLS-B2"]});
    let got = app.place_hold(&shop, &preferred).await;
    assert_eq!(got.assert_status(201)["seat_request_status"], "got_all");
    assert_eq!(ticket_ids(&got.body), ["p1:STALLS-B1", "p1:STALLS-B2"]);

    let ga = app
        .place_hold(
            &shop,
            &json!({"performance": "p1", "general_admission": {"STANDING": 2}}),
        )
        .await;
    let ga = ga.assert_status(201);
    assert_eq!(
        ga["general_admission"],
        json!([{"performance": "p1", "code": "STANDING", "quantity": 2, "price_band": "B", "price": "45.00", "currency": "GBP",
                "ticket_type": "STANDARD", "nominal": "45.00", "extra": "0.00", "discount": "0.00", "full": "45.00"}])
    );
    let order = app.complete(&shop, &transaction_id(ga)).await;
    let order = &order.assert_status(200)["order"];
    assert_eq!(
        order["general_admission"][0]["barcodes"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        order["totals"],
        json!([{"currency": "GBP", "amount": "90.00", "nominal": "90.00", "extra": "0.00",
                "discount": "0.00", "full": "90.00"}])
    );
    let availability = app.get("/performances/p1/availability").await;
    assert_eq!(
        availability.assert_status(200)["general_admission"],
        json!([{"code": "STANDING", "price_band": "B", "available": 8}])
    );

    let too_many = app
        .place_hold(
            &shop,
            &json!({"performance": "p1", "general_admission": {"STANDING": 9}}),
        )
        .await;
    too_many.assert_error(422, "rule_violation");
    let none_left = app
        .place_hold(
            &shop,
            &json!({"performance": "p1", "general_admission": {"STANDING": 6}}),
        )
        .await;
    none_left.assert_status(201);
    let sold_out = app
        .place_hold(
            &shop,
            &json!({"performance": "p1", "general_admission": {"STANDING": 3}}),
        )
        .await;
    sold_out.assert_error(409, "insufficient_availability");
}

#[actix_web::test]
async fn a_transaction_over_two_performances_is_all_or_nothing() {
    let app = spawn_app().await;
    app.create_performance(&performance_body("p1", &[&[(1, 4)]], free_rules()))
        .await;
    app.create_performance(&performance_body("p2", &[&[(1, 4)]], free_rules()))
        .await;
    let shop = app.create_sales_client("shop").await;
    app.place_hold(&shop, &json!({"tickets": ["p2:STALLS-A1"]}))
        .await
        .assert_status(201);

    let refused = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1", "p2:STALLS-A1"]}))
        .await;
    assert_eq!(
        refused.assert_error(409, "seat_unavailable")["tickets"],
        json!(["p2:STALLS-A1"])
    );
    assert_eq!(
        app.counts("p1").await["held"],
        0,
        "the hold at p1 was undone"
    );

    let both = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A2", "p2:STALLS-A2"]}))
        .await;
    let id = transaction_id(both.assert_status(201));
    let order = app.complete(&shop, &id).await;
    assert_eq!(
        order.assert_status(200)["order"]["tickets"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(app.counts("p1").await["sold"], 1);
    assert_eq!(app.counts("p2").await["sold"], 1);
}
