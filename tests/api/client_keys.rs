//! Key management (contract v2): `GET /clients` lists clients without their keys,
//! `DELETE /clients/{id}` revokes one (401 after, also across a restart) and
//! `POST /clients/{id}/key` rotates a key (the old one refused at once).

use reqwest::Method;
use serde_json::json;

use crate::helpers::{ADMIN_KEY, TestApp, spawn_app};

/// Creates the sales client `shop` and returns its key.
async fn shop(app: &TestApp) -> String {
    let answer = app
        .post_as_admin(
            "/clients",
            &json!({"id": "shop", "name": "shop", "role": "sales"}),
        )
        .await;
    answer.assert_status(201)["key"]
        .as_str()
        .expect("a key")
        .to_owned()
}

async fn can_read_transactions(app: &TestApp, key: &str) -> u16 {
    let answer = app
        .call(
            Method::GET,
            "/transactions/0193a0d2-6f1c-7c4e-9a51-2f7f0f5b1c11",
            Some(key),
            None,
        )
        .await;
    answer.status.as_u16()
}

#[actix_web::test]
async fn clients_are_listed_without_keys_and_only_to_an_admin() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    let list = app.get_as_admin("/clients").await;
    let body = list.assert_status(200);
    assert_eq!(
        body["clients"],
        json!([
            {"id": "admin", "name": "admin", "role": "admin", "revoked": false,
             "events": [], "channel": null, "created_by": null},
            {"id": "shop", "name": "shop", "role": "sales", "revoked": false,
             "events": [], "channel": null, "created_by": null}
        ])
    );
    let text = body.to_string();
    assert!(!text.contains(&shop) && !text.contains("key"), "{text}");
    app.call(Method::GET, "/clients", Some(&shop), None)
        .await
        .assert_error(403, "forbidden");
}

#[actix_web::test]
async fn a_revoked_key_is_refused_for_good_and_its_id_is_never_reused() {
    let app = spawn_app().await;
    let shop = shop(&app).await;
    assert_eq!(
        can_read_transactions(&app, &shop).await,
        404,
        "the key works"
    );

    let revoked = app
        .call(Method::DELETE, "/clients/shop", Some(ADMIN_KEY), None)
        .await;
    assert_eq!(revoked.assert_status(200)["revoked"], true);
    assert_eq!(can_read_transactions(&app, &shop).await, 401);
    let again = app
        .call(Method::DELETE, "/clients/shop", Some(ADMIN_KEY), None)
        .await;
    assert_eq!(
        again.assert_status(200)["revoked"],
        true,
        "revoking twice answers the same"
    );
    app.post_as_admin(
        "/clients",
        &json!({"id": "shop", "name": "new shop", "role": "sales"}),
    )
    .await
    .assert_error(409, "already_exists");
    app.call(Method::POST, "/clients/shop/key", Some(ADMIN_KEY), None)
        .await
        .assert_error(409, "invalid_state");

    let app = app.restart().await;
    assert_eq!(
        can_read_transactions(&app, &shop).await,
        401,
        "also after a restart"
    );
    let listed = app.get_as_admin("/clients").await;
    assert_eq!(listed.body["clients"][1]["revoked"], true);

    app.call(Method::DELETE, "/clients/nobody", Some(ADMIN_KEY), None)
        .await
        .assert_error(404, "not_found");
    app.call(Method::DELETE, "/clients/admin", Some(ADMIN_KEY), None)
        .await
        .assert_error(409, "invalid_state");
    assert_eq!(
        can_read_transactions(&app, ADMIN_KEY).await,
        404,
        "the admin key still works"
    );
}

#[actix_web::test]
async fn a_rotated_key_replaces_the_old_one_at_once_and_across_a_restart() {
    let app = spawn_app().await;
    let old = shop(&app).await;
    let rotated = app
        .call(Method::POST, "/clients/shop/key", Some(ADMIN_KEY), None)
        .await;
    let body = rotated.assert_status(201);
    assert_eq!(
        (&body["id"], &body["role"]),
        (&json!("shop"), &json!("sales"))
    );
    let new = body["key"].as_str().expect("a new key").to_owned();
    assert_ne!(new, old);
    assert_eq!(can_read_transactions(&app, &old).await, 401);
    assert_eq!(can_read_transactions(&app, &new).await, 404);

    let app = app.restart().await;
    assert_eq!(can_read_transactions(&app, &old).await, 401);
    assert_eq!(can_read_transactions(&app, &new).await, 404);
    app.call(Method::POST, "/clients/nobody/key", Some(ADMIN_KEY), None)
        .await
        .assert_error(404, "not_found");
    app.call(Method::POST, "/clients/shop/key", Some(&new), None)
        .await
        .assert_error(403, "forbidden");
}

#[actix_web::test]
async fn an_organizer_makes_keys_within_its_events_and_they_go_when_it_is_revoked() {
    let app = spawn_app().await;
    let needs_events = json!({"id": "org", "name": "Producer", "role": "organizer"});
    app.post_as_admin("/clients", &needs_events)
        .await
        .assert_error(422, "rule_violation");
    let organizer = json!({"id": "org", "name": "Producer", "role": "organizer",
                           "events": ["revue", "revue"]});
    let made = app.post_as_admin("/clients", &organizer).await;
    assert_eq!(made.assert_status(201)["events"], json!(["revue"]));
    let organizer = made.body["key"].as_str().expect("a key").to_owned();
    let by_organizer = |body: serde_json::Value| {
        let app = &app;
        let organizer = organizer.clone();
        async move {
            app.call(Method::POST, "/clients", Some(&organizer), Some(&body))
                .await
        }
    };
    // Only sales and widget keys, only within its events.
    by_organizer(json!({"name": "boss", "role": "admin"}))
        .await
        .assert_error(403, "forbidden");
    by_organizer(json!({"name": "other", "role": "organizer", "events": ["revue"]}))
        .await
        .assert_error(403, "forbidden");
    by_organizer(json!({"name": "shop", "role": "sales", "events": ["cats"]}))
        .await
        .assert_error(403, "forbidden");
    let shop = by_organizer(json!({"id": "box", "name": "box", "role": "sales"})).await;
    let shop_body = shop.assert_status(201);
    assert_eq!(
        shop_body["events"],
        json!(["revue"]),
        "its events by default"
    );
    let shop = shop_body["key"].as_str().expect("a key").to_owned();
    let listed = app
        .call(Method::GET, "/clients", Some(&organizer), None)
        .await;
    let listed = listed.assert_status(200)["clients"].clone();
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(listed[0]["created_by"], "org");
    // Revoking the organizer revokes the keys it made, for good.
    app.call(Method::DELETE, "/clients/org", Some(ADMIN_KEY), None)
        .await
        .assert_status(200);
    let app = app.restart().await;
    assert_eq!(can_read_transactions(&app, &shop).await, 401);
    assert_eq!(can_read_transactions(&app, &organizer).await, 401);
    let all = app.get_as_admin("/clients").await;
    let revoked: Vec<bool> = all.body["clients"]
        .as_array()
        .expect("clients")
        .iter()
        .filter(|client| client["id"] != "admin")
        .map(|client| client["revoked"].as_bool().expect("a flag"))
        .collect();
    assert_eq!(revoked, [true, true]);
}
