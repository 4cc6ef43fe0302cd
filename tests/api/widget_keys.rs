//! Keys of role `widget`: publishable keys for seat-selection widgets that may hold, check
//! out, read and release, within a per-transaction ticket cap and a per-IP hold rate, while a
//! sales key completes what they held (contract v2, "Seat-selection widgets").

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, free_rules, spawn_configured_app_with_performances};

async fn widget_key(app: &TestApp) -> String {
    let answer = app
        .post_as_admin(
            "/clients",
            &json!({"name": "seat widget", "role": "widget"}),
        )
        .await;
    let body = answer.assert_status(201);
    assert_eq!(body["role"], "widget");
    body["key"].as_str().expect("a key").to_owned()
}

fn seats(numbers: &[u32]) -> Value {
    let tickets: Vec<String> = numbers.iter().map(|n| format!("p:STALLS-A{n}")).collect();
    json!({ "tickets": tickets })
}

async fn app(adjust: impl FnOnce(&mut holdfast::config::Config)) -> TestApp {
    spawn_configured_app_with_performances(&["p"], free_rules(), adjust).await
}

fn id_of(answer: &crate::helpers::Answer) -> String {
    answer.assert_status(201)["transaction_id"]
        .as_str()
        .expect("an id")
        .to_owned()
}

#[actix_web::test]
async fn a_widget_holds_checks_out_and_releases_and_a_sales_key_completes_what_it_held() {
    let app = app(|_| {}).await;
    let widget = widget_key(&app).await;
    let shop = app.create_sales_client("shop").await;
    let other_shop = app.create_sales_client("other-shop").await;

    let held = id_of(&app.place_hold(&widget, &seats(&[1, 2])).await);
    app.checkout(&widget, &held).await.assert_status(200);
    let read = app.transaction(&widget, &held).await;
    assert_eq!(read.assert_status(200)["state"], "checkout");

    // A widget never completes; nothing changes when it tries.
    app.complete(&widget, &held)
        .await
        .assert_error(403, "forbidden");
    assert_eq!(
        app.transaction(&widget, &held).await.body["state"],
        "checkout"
    );

    // The shop's server completes it by its id, with its own sales key, also after a
    // restart (the widget's role is stored with its client).
    let app = app.restart().await;
    let sold = app.complete(&shop, &held).await;
    assert!(sold.assert_status(200)["order"]["number"].is_string());
    assert_eq!(
        app.transaction(&widget, &held).await.body["state"],
        "complete"
    );

    // A sales client's own transaction stays its own.
    let shops = id_of(&app.place_hold(&shop, &seats(&[5])).await);
    app.complete(&other_shop, &shops)
        .await
        .assert_error(403, "forbidden");

    let released = id_of(&app.place_hold(&widget, &seats(&[3, 4])).await);
    app.release(&widget, &released).await.assert_status(200);
    assert_eq!(
        app.transaction(&widget, &released).await.body["state"],
        "released"
    );
}

#[actix_web::test]
async fn a_widget_key_is_refused_everything_but_holding() {
    let app = app(|_| {}).await;
    let widget = widget_key(&app).await;
    let held = id_of(&app.place_hold(&widget, &seats(&[1])).await);
    let calls: [(Method, String, Value); 6] = [
        (
            Method::PATCH,
            format!("/transactions/{held}"),
            json!({"metadata": {"a": "b"}}),
        ),
        (
            Method::GET,
            format!("/transactions/{held}/history"),
            Value::Null,
        ),
        (Method::POST, "/scans".into(), json!({"barcode": "123"})),
        (Method::GET, "/orders/100000".into(), Value::Null),
        (
            Method::POST,
            "/clients".into(),
            json!({"name": "x", "role": "sales"}),
        ),
        (Method::GET, "/discount-codes".into(), Value::Null),
    ];
    for (method, path, body) in calls {
        let body = (!body.is_null()).then_some(&body);
        let answer = app.call(method.clone(), &path, Some(&widget), body).await;
        assert_eq!(answer.status, 403, "{method} {path}: {}", answer.body);
    }
    // The PATCH changed nothing.
    let read = app.transaction(&widget, &held).await;
    assert_eq!(read.assert_status(200)["metadata"], json!({}));
}

#[actix_web::test]
async fn a_widget_holds_at_most_its_ticket_cap_in_one_transaction() {
    let app = app(|config| config.widget_max_tickets = 2).await;
    let widget = widget_key(&app).await;
    let refused = app.place_hold(&widget, &seats(&[1, 2, 3])).await;
    let body = refused.assert_error(422, "rule_violation");
    assert!(
        body["errors"][0]
            .as_str()
            .expect("a message")
            .contains("at most 2")
    );
    let best = app
        .place_hold(&widget, &json!({"performance": "p", "quantity": 3}))
        .await;
    best.assert_error(422, "rule_violation");
    let statuses = app.get("/performances/p").await;
    assert_eq!(statuses.body["counts"]["held"], 0, "nothing was held");
    // A sales key is not a widget.
    let shop = app.create_sales_client("shop").await;
    id_of(&app.place_hold(&shop, &seats(&[1, 2, 3])).await);
}

#[actix_web::test]
async fn holds_past_the_widget_rate_of_one_address_are_429_with_retry_after() {
    let app = app(|config| config.widget_holds_per_minute = 2).await;
    let widget = widget_key(&app).await;
    for seat in [1, 2] {
        id_of(&app.place_hold(&widget, &seats(&[seat])).await);
    }
    let refused = app.place_hold(&widget, &seats(&[3])).await;
    refused.assert_error(429, "overloaded");
    let retry: u64 = refused.headers["retry-after"]
        .to_str()
        .expect("ASCII")
        .parse()
        .expect("seconds");
    assert!((1..=30).contains(&retry), "one hold per 30 s: {retry}");
    let statuses = app.get("/performances/p").await;
    assert_eq!(
        statuses.body["counts"]["held"], 2,
        "the refused hold held nothing"
    );
    // Sales keys are not limited by it, and a widget may still release.
    let shop = app.create_sales_client("shop").await;
    for seat in [3, 4, 5] {
        id_of(&app.place_hold(&shop, &seats(&[seat])).await);
    }
}

#[actix_web::test]
async fn the_widget_page_is_served_self_contained_and_refuses_secret_keys() {
    let app = app(|_| {}).await;
    let widget = widget_key(&app).await;
    let shop = app.create_sales_client("shop").await;
    let page = app
        .client
        .get(format!(
            "{}/performances/p/widget?key={widget}",
            app.address
        ))
        .send()
        .await
        .expect("the page answers");
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    assert!(
        headers["content-type"]
            .to_str()
            .expect("ASCII")
            .starts_with("text/html")
    );
    let policy = headers["content-security-policy"].to_str().expect("ASCII");
    assert!(policy.contains("default-src 'none'") && policy.contains("connect-src 'self'"));
    let html = page.text().await.expect("a page");
    assert!(
        html.contains("<svg") || html.contains("createElementNS"),
        "draws SVG"
    );

    app.get("/performances/p/widget").await.assert_status(200);
    app.get(&format!("/performances/p/widget?key={shop}"))
        .await
        .assert_error(403, "forbidden");
    app.get("/performances/p/widget?key=not-a-key")
        .await
        .assert_error(401, "unauthorized");
    app.get(&format!("/performances/nope/widget?key={widget}"))
        .await
        .assert_error(404, "not_found");
}

/// The shop behind an organizer's widget reads and refunds the orders its widget's buyers
/// placed; a sales key the organizer did not make completes them (the contract lets any sales
/// key reaching the performance) but never reads the buyer's order.
#[actix_web::test]
async fn a_widgets_orders_are_read_by_the_keys_of_its_own_maker_only() {
    let app = app(|_| {}).await;
    let organizer = json!({"id": "org", "name": "org", "role": "organizer",
                           "events": ["jersey-boys"]});
    let organizer = app.post_as_admin("/clients", &organizer).await.body["key"]
        .as_str()
        .expect("a key")
        .to_owned();
    let make = |body: Value| {
        let app = &app;
        let organizer = organizer.clone();
        async move {
            let made = app
                .call(Method::POST, "/clients", Some(&organizer), Some(&body))
                .await;
            made.assert_status(201)["key"]
                .as_str()
                .expect("a key")
                .to_owned()
        }
    };
    let widget = make(json!({"name": "widget", "role": "widget"})).await;
    let shop = make(json!({"name": "shop", "role": "sales"})).await;
    let reseller = app.create_client_with_id("reseller", "sales").await;
    for (number, completer, readers) in [
        (1, &shop, [(&shop, 200), (&reseller, 403)]),
        (2, &reseller, [(&shop, 200), (&reseller, 403)]),
    ] {
        let held = app.place_hold(&widget, &seats(&[number])).await;
        let transaction = id_of(&held);
        let completed = app.complete(completer, &transaction).await;
        let order = completed.assert_status(200)["order"]["number"]
            .as_str()
            .expect("an order")
            .to_owned();
        for (reader, status) in readers {
            let read = app
                .call(Method::GET, &format!("/orders/{order}"), Some(reader), None)
                .await;
            assert_eq!(read.status.as_u16(), status, "order {order}: {}", read.body);
        }
    }
}
