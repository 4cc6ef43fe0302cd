//! Transactions after the hold: check out, complete, read, release, and how best available
//! treats preferred seats, price bands and the contiguity rule.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

/// Parses an RFC 3339 time in UTC (`Z`) into milliseconds since the epoch.
#[track_caller]
fn millis(time: &Value) -> i64 {
    let text = time.as_str().expect("a time");
    assert!(text.ends_with('Z'), "UTC with Z: {text}");
    chrono::DateTime::parse_from_rfc3339(text)
        .expect("RFC 3339")
        .timestamp_millis()
}

/// An app with `p1` (rows A and B, seats 1-10) under `rules`.
async fn setup(rules: Value) -> TestApp {
    let app = spawn_app().await;
    app.create_performance(&performance_body("p1", &[&[(1, 10)], &[(1, 10)]], rules))
        .await;
    app
}

async fn hold(app: &TestApp, key: &str, tickets: &[&str]) -> String {
    let answer = app.place_hold(key, &json!({"tickets": tickets})).await;
    transaction_id(answer.assert_status(201))
}

async fn state_of(app: &TestApp, key: &str, transaction: &str) -> Value {
    app.transaction(key, transaction).await.assert_status(200)["state"].clone()
}

#[actix_web::test]
async fn checkout_resets_the_lock_to_now_plus_hold_seconds() {
    let app = spawn_app().await;
    let mut body = performance_body("p1", &[&[(1, 10)]], free_rules());
    body["hold_seconds"] = json!(120);
    app.create_performance(&body).await;
    let shop = app.create_sales_client("shop").await;
    let held = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1", "p1:STALLS-A2"]}))
        .await;
    let held = held.assert_status(201).clone();
    assert_eq!(millis(&held["lock_expires"]), START.0 + 120_000);
    let id = transaction_id(&held);

    app.clock.advance_millis(90_000);
    let checkout = app.checkout(&shop, &id).await;
    let checkout = checkout.assert_status(200).clone();
    assert_eq!(
        millis(&checkout["lock_expires"]),
        START.0 + 90_000 + 120_000,
        "now + hold_seconds"
    );
    let mut same_shape = held.clone();
    same_shape["lock_expires"] = checkout["lock_expires"].clone();
    assert_eq!(checkout, same_shape, "the same body as creation");
    let read = app.transaction(&shop, &id).await;
    let read = read.assert_status(200);
    assert_eq!(read["state"], "checkout");
    assert_eq!(read["lock_expires"], checkout["lock_expires"]);

    // Past the original lock, still locked by the reset one.
    app.clock.advance_millis(119_999);
    assert_eq!(state_of(&app, &shop, &id).await, "checkout");
    assert_eq!(app.counts("p1").await["held"], 2);
    app.clock.advance_millis(1);
    assert_eq!(state_of(&app, &shop, &id).await, "expired");
    assert_eq!(app.counts("p1").await["held"], 0);
}

#[actix_web::test]
async fn a_checkout_can_be_repeated_and_resets_the_lock_each_time() {
    let app = setup(free_rules()).await;
    let shop = app.create_sales_client("shop").await;
    let id = hold(&app, &shop, &["p1:STALLS-A1"]).await;
    for step in 1..=3 {
        app.clock.advance_millis(170_000);
        let checkout = app.checkout(&shop, &id).await;
        assert_eq!(
            millis(&checkout.assert_status(200)["lock_expires"]),
            START.0 + step * 170_000 + 180_000
        );
    }
    assert_eq!(state_of(&app, &shop, &id).await, "checkout");
}

#[actix_web::test]
async fn a_held_transaction_can_be_completed_without_checking_out() {
    let app = setup(strict_rules()).await;
    let shop = app.create_sales_client("shop").await;
    let id = hold(&app, &shop, &["p1:STALLS-B1", "p1:STALLS-B2"]).await;
    let answer = app.complete(&shop, &id).await;
    let body = answer.assert_status(200);
    assert_eq!(body["status"], "OK");
    assert_eq!(body["transaction_id"], id.as_str());
    let order = &body["order"];
    assert!(order["number"].as_str().is_some_and(|n| !n.is_empty()));
    assert_eq!(order["transaction_id"], id.as_str());
    assert_eq!(
        order["customer"],
        json!({"name": "Joe User", "email": "joe@example.com"})
    );
    assert_eq!(ticket_ids(order), ["p1:STALLS-B1", "p1:STALLS-B2"]);
    for ticket in order["tickets"].as_array().unwrap() {
        assert!(
            ticket["barcode"].as_str().is_some_and(|b| !b.is_empty()),
            "{ticket}"
        );
        assert_eq!(ticket["price"], "65.00");
    }
    assert_eq!(
        order["totals"],
        json!([{"currency": "GBP", "amount": "130.00", "nominal": "130.00", "extra": "0.00",
                "discount": "0.00", "full": "130.00"}])
    );
    assert_eq!(state_of(&app, &shop, &id).await, "complete");
    let (seats, _) = app.seat_statuses("p1").await;
    assert_eq!(seats["p1:STALLS-B1"], "sold");
    assert_eq!(seats["p1:STALLS-B2"], "sold");
    assert_eq!(
        app.counts("p1").await,
        json!({"available": 18, "held": 0, "sold": 2, "withheld": 0, "allocated": 0})
    );
}

#[actix_web::test]
async fn a_bad_customer_is_an_invalid_request() {
    let app = setup(free_rules()).await;
    let shop = app.create_sales_client("shop").await;
    let id = hold(&app, &shop, &["p1:STALLS-A1"]).await;
    let before = app.seat_statuses("p1").await;
    for body in [
        json!({"status": "complete", "customer": {"name": "", "email": "joe@example.com"}}),
        json!({"status": "complete", "customer": {"name": "   ", "email": "joe@example.com"}}),
    ] {
        app.update_transaction(&shop, &id, &body)
            .await
            .assert_error(400, "invalid_request");
    }
    assert_eq!(app.seat_statuses("p1").await, before);
    assert_eq!(state_of(&app, &shop, &id).await, "held");
    app.complete(&shop, &id).await.assert_status(200);
}

#[actix_web::test]
async fn complete_with_a_bad_email_is_an_invalid_request() {
    let app = setup(free_rules()).await;
    let shop = app.create_sales_client("shop").await;
    let id = hold(&app, &shop, &["p1:STALLS-A1"]).await;
    let before = app.seat_statuses("p1").await;
    for email in [
        "",
        "joe",
        "joe@",
        "@example.com",
        "joe@example",
        "joe@.com",
        "joe user@example.com",
        "joe@exa@mple.com",
        "joe@example.com.",
    ] {
        let body = json!({"status": "complete", "customer": {"name": "Joe User", "email": email}});
        let answer = app.update_transaction(&shop, &id, &body).await;
        answer.assert_error(400, "invalid_request");
        assert!(answer.body.get("tickets").is_none(), "{email}");
    }
    assert_eq!(app.seat_statuses("p1").await, before);
    assert_eq!(state_of(&app, &shop, &id).await, "held");
    app.get_as_admin("/people?email=joe")
        .await
        .assert_error(404, "not_found");

    let body =
        json!({"status": "complete", "customer": {"name": "Joe User", "email": "Joe@Example.COM"}});
    let order = app.update_transaction(&shop, &id, &body).await;
    assert_eq!(
        order.assert_status(200)["order"]["customer"]["email"],
        "joe@example.com",
        "emails are kept lower-cased"
    );
    let person = app.get_as_admin("/people?email=joe@example.com").await;
    assert_eq!(person.assert_status(200)["name"], "Joe User");
}

#[actix_web::test]
async fn older_clients_may_repeat_matching_tickets_and_id() {
    let app = setup(free_rules()).await;
    let shop = app.create_sales_client("shop").await;
    let tickets = ["p1:STALLS-A1", "p1:STALLS-A2"];
    let id = hold(&app, &shop, &tickets).await;
    for extra in [
        json!({"tickets": tickets}),
        json!({"id": id}),
        json!({"tickets": tickets, "id": id}),
    ] {
        let mut checkout = extra.clone();
        checkout["status"] = json!("checkout");
        let answer = app.update_transaction(&shop, &id, &checkout).await;
        let body = answer.assert_status(200);
        assert_eq!(ticket_ids(body), tickets, "{checkout}");
        assert_eq!(body["transaction_id"], id.as_str());
    }
    let complete = json!({
        "status": "complete",
        "id": id,
        "tickets": tickets,
        "customer": {"name": "Joe User", "email": "joe@example.com"}
    });
    let answer = app.update_transaction(&shop, &id, &complete).await;
    assert_eq!(ticket_ids(&answer.assert_status(200)["order"]), tickets);
    assert_eq!(state_of(&app, &shop, &id).await, "complete");
}

#[actix_web::test]
async fn an_admin_may_read_change_and_complete_another_clients_transaction() {
    let app = setup(free_rules()).await;
    let shop = app.create_client_with_id("webshop", "sales").await;
    let rival = app.create_sales_client("rival").await;
    let id = hold(&app, &shop, &["p1:STALLS-A1", "p1:STALLS-A2"]).await;

    let read = app.transaction(ADMIN_KEY, &id).await;
    let read = read.assert_status(200);
    assert_eq!(read["state"], "held");
    assert_eq!(read["locked_by"], "webshop", "still the opening client");
    app.checkout(ADMIN_KEY, &id).await.assert_status(200);
    assert_eq!(state_of(&app, &shop, &id).await, "checkout");
    let completed = app.complete(ADMIN_KEY, &id).await;
    let order = completed.assert_status(200)["order"].clone();
    assert_eq!(ticket_ids(&order), ["p1:STALLS-A1", "p1:STALLS-A2"]);
    assert_eq!(state_of(&app, &shop, &id).await, "complete");

    let path = format!("/orders/{}", order["number"].as_str().unwrap());
    let owner = app.call(Method::GET, &path, Some(&shop), None).await;
    assert_eq!(owner.assert_status(200)["order"], order);
    let admin = app.get_as_admin(&path).await;
    assert_eq!(admin.assert_status(200)["order"], order);
    app.call(Method::GET, &path, Some(&rival), None)
        .await
        .assert_error(403, "forbidden");

    let other = hold(&app, &shop, &["p1:STALLS-B1"]).await;
    let released = app.release(ADMIN_KEY, &other).await;
    assert_eq!(released.assert_status(200)["state"], "released");
    assert_eq!(app.seat_statuses("p1").await.0["p1:STALLS-B1"], "free");
}

#[actix_web::test]
async fn a_transaction_shows_its_state_its_client_id_and_the_callers_ip() {
    let app = setup(free_rules()).await;
    let key = app.create_client_with_id("webshop", "sales").await;

    let id = hold(&app, &key, &["p1:STALLS-A1"]).await;
    let read = app.transaction(&key, &id).await;
    let read = read.assert_status(200);
    assert_eq!(read["state"], "held");
    assert_eq!(read["transaction_id"], id.as_str());
    assert_eq!(read["locked_by"], "webshop");
    assert_eq!(read["locked_ip"], "127.0.0.1");
    assert_eq!(ticket_ids(read), ["p1:STALLS-A1"]);
    assert_eq!(millis(&read["lock_expires"]), START.0 + 180_000);
    assert!(
        !read.to_string().contains(&key),
        "the key is never shown again"
    );
    app.checkout(&key, &id).await.assert_status(200);
    assert_eq!(state_of(&app, &key, &id).await, "checkout");
    app.complete(&key, &id).await.assert_status(200);
    assert_eq!(state_of(&app, &key, &id).await, "complete");

    let released = hold(&app, &key, &["p1:STALLS-A2"]).await;
    app.release(&key, &released).await.assert_status(200);
    assert_eq!(state_of(&app, &key, &released).await, "released");

    let expired = hold(&app, &key, &["p1:STALLS-A3"]).await;
    app.clock.advance_millis(180_000);
    let read = app.transaction(&key, &expired).await;
    let read = read.assert_status(200);
    assert_eq!(read["state"], "expired");
    assert_eq!(read["locked_by"], "webshop");
    assert_eq!(ticket_ids(read), ["p1:STALLS-A3"]);
}

#[actix_web::test]
async fn releasing_a_completed_transaction_answers_200_and_keeps_the_sale() {
    let app = setup(free_rules()).await;
    let shop = app.create_sales_client("shop").await;
    let id = hold(&app, &shop, &["p1:STALLS-A1", "p1:STALLS-A2"]).await;
    let order = app.complete(&shop, &id).await.assert_status(200).clone();
    let before = app.seat_statuses("p1").await;
    for _ in 0..2 {
        let released = app.release(&shop, &id).await;
        let released = released.assert_status(200);
        assert_eq!(released["state"], "complete");
        assert_eq!(ticket_ids(released), ["p1:STALLS-A1", "p1:STALLS-A2"]);
    }
    assert_eq!(
        app.seat_statuses("p1").await,
        before,
        "nothing was released"
    );
    assert_eq!(app.counts("p1").await["sold"], 2);
    assert_eq!(
        app.complete(&shop, &id).await.assert_status(200),
        &order,
        "the order stands"
    );
    app.place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await
        .assert_error(409, "seat_unavailable");
}

#[actix_web::test]
async fn releasing_an_expired_transaction_answers_200_and_changes_nothing() {
    let app = setup(free_rules()).await;
    let shop = app.create_sales_client("shop").await;
    let id = hold(&app, &shop, &["p1:STALLS-A1"]).await;
    app.clock.advance_millis(180_000);
    assert_eq!(state_of(&app, &shop, &id).await, "expired");
    let before = app.seat_statuses("p1").await;
    let released = app.release(&shop, &id).await;
    assert_eq!(released.assert_status(200)["state"], "expired");
    assert_eq!(app.seat_statuses("p1").await, before);
}

#[actix_web::test]
async fn preferred_seats_partly_taken_give_got_some() {
    let app = setup(strict_rules()).await;
    let shop = app.create_sales_client("shop").await;
    let rival = app.create_sales_client("rival").await;
    hold(&app, &rival, &["p1:STALLS-A3"]).await;
    let answer = app
        .place_hold(
            &shop,
            &json!({"performance": "p1", "quantity": 2, "preferred": ["p1:STALLS-A2", "p1:STALLS-A3"]}),
        )
        .await;
    let body = answer.assert_status(201);
    assert_eq!(body["seat_request_status"], "got_some");
    assert_eq!(ticket_ids(body), ["p1:STALLS-A1", "p1:STALLS-A2"]);
}

#[actix_web::test]
async fn preferred_seats_all_taken_give_got_none_and_other_seats() {
    let app = setup(strict_rules()).await;
    let shop = app.create_sales_client("shop").await;
    let rival = app.create_sales_client("rival").await;
    hold(&app, &rival, &["p1:STALLS-A3"]).await;
    let answer = app
        .place_hold(
            &shop,
            &json!({"performance": "p1", "quantity": 2, "preferred": ["p1:STALLS-A3"]}),
        )
        .await;
    let body = answer.assert_status(201);
    assert_eq!(body["seat_request_status"], "got_none");
    let tickets = body["tickets"].as_array().unwrap();
    assert_eq!(tickets.len(), 2);
    assert!(
        tickets.iter().all(|t| t["row"] == "A"),
        "still the front row: {body}"
    );
    let numbers: Vec<u32> = tickets
        .iter()
        .map(|t| t["number"].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(numbers[1], numbers[0] + 1, "adjacent: {body}");
    assert!(!numbers.contains(&3));

    let free_preferred = app
        .place_hold(
            &shop,
            &json!({"performance": "p1", "quantity": 2, "preferred": ["p1:STALLS-B5", "p1:STALLS-B6"]}),
        )
        .await;
    let body = free_preferred.assert_status(201);
    assert_eq!(body["seat_request_status"], "got_all");
    assert_eq!(ticket_ids(body), ["p1:STALLS-B5", "p1:STALLS-B6"]);
}

#[actix_web::test]
async fn best_available_keeps_to_the_requested_price_band() {
    let app = spawn_app().await;
    let mut body = performance_body("p1", &[&[(1, 6)], &[(1, 6)]], free_rules());
    body["sections"][0]["rows"][1]["blocks"][0]["price_band"] = json!("B");
    app.create_performance(&body).await;
    let shop = app.create_sales_client("shop").await;

    let band_b = app
        .place_hold(
            &shop,
            &json!({"performance": "p1", "quantity": 2, "price_band": "B"}),
        )
        .await;
    let band_b = band_b.assert_status(201);
    for ticket in band_b["tickets"].as_array().unwrap() {
        assert_eq!(ticket["row"], "B", "{ticket}");
        assert_eq!(ticket["price_band"], "B");
        assert_eq!(ticket["price"], "45.00");
    }
    let any = app
        .place_hold(&shop, &json!({"performance": "p1", "quantity": 2}))
        .await;
    for ticket in any.assert_status(201)["tickets"].as_array().unwrap() {
        assert_eq!(ticket["row"], "A", "the front row without a band");
        assert_eq!(ticket["price_band"], "A");
    }
    app.place_hold(
        &shop,
        &json!({"tickets": ["p1:STALLS-B1", "p1:STALLS-B2", "p1:STALLS-B5", "p1:STALLS-B6"]}),
    )
    .await
    .assert_status(201);
    let before = app.seat_statuses("p1").await;
    app.place_hold(
        &shop,
        &json!({"performance": "p1", "quantity": 1, "price_band": "B"}),
    )
    .await
    .assert_error(409, "insufficient_availability");
    app.place_hold(
        &shop,
        &json!({"performance": "p1", "quantity": 1, "price_band": "Z"}),
    )
    .await
    .assert_error(404, "not_found");
    assert_eq!(app.seat_statuses("p1").await, before);
    assert_eq!(
        app.counts("p1").await["available"],
        4,
        "band A is still free"
    );
}

#[actix_web::test]
async fn without_contiguous_seats_only_non_adjacent_seats_may_be_held() {
    let app = setup(free_rules()).await;
    app.create_performance(&performance_body("strict", &[&[(1, 10)]], strict_rules()))
        .await;
    let shop = app.create_sales_client("shop").await;

    let apart = ["p1:STALLS-A1", "p1:STALLS-A5", "p1:STALLS-B9"];
    let answer = app.place_hold(&shop, &json!({"tickets": apart})).await;
    assert_eq!(ticket_ids(answer.assert_status(201)), apart);

    let preferred = app
        .place_hold(
            &shop,
            &json!({"performance": "p1", "quantity": 2, "preferred": ["p1:STALLS-A3", "p1:STALLS-A8"]}),
        )
        .await;
    let preferred = preferred.assert_status(201);
    assert_eq!(preferred["seat_request_status"], "got_all");
    assert_eq!(ticket_ids(preferred), ["p1:STALLS-A3", "p1:STALLS-A8"]);

    app.place_hold(
        &shop,
        &json!({"tickets": ["strict:STALLS-A1", "strict:STALLS-A5"]}),
    )
    .await
    .assert_error(422, "rule_violation");
}
