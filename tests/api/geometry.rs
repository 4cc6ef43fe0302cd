//! Seat geometry and attributes in the plan and the seat map (contract v2, "Seat-selection
//! widgets").

use serde_json::{Value, json};

use crate::helpers::{free_rules, performance_body, spawn_app};

fn seat<'a>(map: &'a Value, id: &str) -> &'a Value {
    map["seats"]
        .as_array()
        .expect("seats")
        .iter()
        .find(|seat| seat["id"] == id)
        .unwrap_or_else(|| panic!("{id} is in the map"))
}

#[actix_web::test]
async fn the_seat_map_draws_seats_where_the_plan_says_and_lays_out_the_rest() {
    let app = spawn_app().await;
    let mut body = performance_body("drawn", &[&[(1, 4), (5, 8)], &[(1, 4)]], free_rules());
    let row_a = &mut body["sections"][0]["rows"][0];
    row_a["y"] = json!(2.5);
    row_a["blocks"][0]["x"] = json!(-10);
    row_a["blocks"][0]["step"] = json!(1.5);
    row_a["blocks"][0]["attributes"] =
        json!({"accessible": [1, 2], "aisle": [4], "royal_box": [1]});
    row_a["blocks"][1]["attributes"] = json!({"restricted_view": [8]});
    app.create_performance(&body).await;

    let map = app.get("/performances/drawn/seats").await;
    let map = map.assert_status(200);
    let a1 = seat(map, "drawn:STALLS-A1");
    assert_eq!(
        (a1["x"].as_f64(), a1["y"].as_f64()),
        (Some(-10.0), Some(2.5))
    );
    assert_eq!(a1["attributes"], json!(["accessible", "royal_box"]));
    assert_eq!(seat(map, "drawn:STALLS-A4")["x"], json!(-5.5));
    assert_eq!(seat(map, "drawn:STALLS-A4")["attributes"], json!(["aisle"]));
    // The next block follows after an aisle; the next row one unit behind, centred.
    assert_eq!(seat(map, "drawn:STALLS-A5")["x"], json!(-3.5));
    assert_eq!(
        seat(map, "drawn:STALLS-A8")["attributes"],
        json!(["restricted_view"])
    );
    let b1 = seat(map, "drawn:STALLS-B1");
    assert_eq!(
        (b1["x"].as_f64(), b1["y"].as_f64()),
        (Some(-1.5), Some(3.5))
    );
    assert_eq!(b1["attributes"], json!([]));

    // It survives a restart as it was.
    let app = app.restart().await;
    let again = app.get("/performances/drawn/seats").await;
    assert_eq!(again.assert_status(200)["seats"], map["seats"]);
}

#[actix_web::test]
async fn bad_geometry_is_refused_with_nothing_created() {
    let app = spawn_app().await;
    let cases: [(&str, Value, u16, &str); 4] = [
        ("b0", json!({"step": 0}), 422, "rule_violation"),
        (
            "b1",
            json!({"attributes": {"accessible": [9]}}),
            422,
            "rule_violation",
        ),
        (
            "b2",
            json!({"attributes": {"Wheel chair": [1]}}),
            400,
            "invalid_request",
        ),
        ("b3", json!({"x": "left"}), 400, "invalid_request"),
    ];
    for (id, extra, status, code) in cases {
        let mut body = performance_body(id, &[&[(1, 4)]], free_rules());
        let block = body["sections"][0]["rows"][0]["blocks"][0]
            .as_object_mut()
            .expect("a block");
        block.extend(extra.as_object().expect("fields").clone());
        let answer = app.post_as_admin("/performances", &body).await;
        answer.assert_error(status, code);
        app.get(&format!("/performances/{id}"))
            .await
            .assert_error(404, "not_found");
    }
}

#[actix_web::test]
async fn best_available_requires_and_avoids_attributes_and_explains_its_choice() {
    let app = crate::helpers::spawn_app().await;
    let mut body = performance_body("filtered", &[&[(1, 8)], &[(1, 8)]], free_rules());
    body["sections"][0]["rows"][0]["blocks"][0]["attributes"] =
        json!({"restricted_view": [3, 4, 5, 6]});
    body["sections"][0]["rows"][1]["blocks"][0]["attributes"] = json!({"accessible": [7, 8]});
    app.create_performance(&body).await;
    let key = app.create_sales_client("shop").await;

    let accessible = app
        .place_hold(
            &key,
            &json!({"performance": "filtered", "quantity": 2, "require": ["accessible"]}),
        )
        .await;
    let answer = accessible.assert_status(201);
    let ids: Vec<&str> = answer["tickets"]
        .as_array()
        .expect("tickets")
        .iter()
        .map(|t| t["id"].as_str().expect("an id"))
        .collect();
    assert_eq!(ids, ["filtered:STALLS-B7", "filtered:STALLS-B8"]);
    let explanation = &answer["explanation"];
    assert_eq!(explanation["row"], "B");
    assert_eq!(explanation["row_rank"], 2);
    assert_eq!(explanation["centre_distance"], 3.0);
    assert_eq!(explanation["require"], json!(["accessible"]));
    assert_eq!(explanation["rows_passed"], json!({"filtered": 1}));
    assert_eq!(
        explanation["passed_rows"],
        json!([{"section": "STALLS", "row": "A", "reason": "filtered"}])
    );
    assert!(
        explanation["summary"]
            .as_str()
            .expect("words")
            .contains("Row B")
    );

    let clear = app
        .place_hold(
            &key,
            &json!({"performance": "filtered", "quantity": 2, "avoid": ["restricted_view"]}),
        )
        .await;
    let tickets = &clear.assert_status(201)["tickets"];
    assert_eq!(tickets[0]["id"], "filtered:STALLS-A1");
    assert_eq!(tickets[1]["id"], "filtered:STALLS-A2");

    // Filters go with best available only, and name attributes.
    app.place_hold(
        &key,
        &json!({"tickets": ["filtered:STALLS-A8"], "require": ["accessible"]}),
    )
    .await
    .assert_error(400, "invalid_request");
    app.place_hold(
        &key,
        &json!({"performance": "filtered", "quantity": 1, "avoid": ["Restricted View"]}),
    )
    .await
    .assert_error(400, "invalid_request");
    app.place_hold(
        &key,
        &json!({"performance": "filtered", "quantity": 1, "require": ["royal_box"]}),
    )
    .await
    .assert_error(409, "insufficient_availability");
}
