//! Ticket PDFs: `GET /orders/{number}/tickets.pdf` answers a PDF with one page per ticket, and
//! each page's QR code, read back from the PDF's drawing and decoded, is that ticket's barcode.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

/// The page size the PDF uses (A6 landscape, in points), drawn at one pixel per point.
const PAGE: (usize, usize) = (420, 298);

/// What one page of the PDF shows: its lines of text and the text its QR code decodes to.
struct ReadPage {
    text: Vec<String>,
    barcode: String,
}

/// Reads every page: the strings of its text operators, and its filled squares redrawn on a
/// white image and decoded as a QR code.
fn read_pdf(bytes: &[u8]) -> Vec<ReadPage> {
    let document = lopdf::Document::load_mem(bytes).expect("a PDF");
    let mut pages = Vec::new();
    for (_, id) in document.get_pages() {
        let data = document.get_page_content(id).expect("page content");
        let content = lopdf::content::Content::decode(&data).expect("content decodes");
        let mut text = Vec::new();
        let mut image = vec![255_u8; PAGE.0 * PAGE.1];
        for operation in &content.operations {
            match operation.operator.as_str() {
                "Tj" => {
                    if let Some(lopdf::Object::String(bytes, _)) = operation.operands.first() {
                        text.push(bytes.iter().map(|&b| char::from(b)).collect());
                    }
                }
                "re" => {
                    let n: Vec<f32> = operation
                        .operands
                        .iter()
                        .map(|o| o.as_float().expect("a number"))
                        .collect();
                    let (x, y, w, h) = (n[0] as usize, n[1] as usize, n[2] as usize, n[3] as usize);
                    for row in (PAGE.1 - y - h)..(PAGE.1 - y) {
                        for column in x..x + w {
                            image[row * PAGE.0 + column] = 0;
                        }
                    }
                }
                _ => {}
            }
        }
        let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(PAGE.0, PAGE.1, |x, y| {
            image[y * PAGE.0 + x]
        });
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code per page");
        let (_, barcode) = grids[0].decode().expect("the QR code decodes");
        pages.push(ReadPage { text, barcode });
    }
    pages
}

#[actix_web::test]
async fn every_ticket_has_a_page_whose_qr_code_is_its_barcode() {
    let app = spawn_app().await;
    let mut body = performance_body("p1", &[&[(1, 10)], &[(1, 10)]], free_rules());
    body["event"]["venue"] = json!("Théâtre du Port");
    body["ticket_types"] = json!([
        {"code": "ADULT", "name": "Adult", "prices": {"A": "65.00", "B": "45.00"}},
        {"code": "CHILD", "name": "Child", "prices": {"A": "30.00"}}
    ]);
    app.create_performance(&body).await;
    let shop = app.create_sales_client("shop").await;
    let held = app
        .place_hold(
            &shop,
            &json!({"items": [
                {"tickets": ["p1:STALLS-A1", {"id": "p1:STALLS-A2", "ticket_type": "CHILD"}]},
                {"performance": "p1", "general_admission": {"STANDING": 1}}
            ]}),
        )
        .await;
    let id = transaction_id(held.assert_status(201));
    let completed = app.complete(&shop, &id).await;
    let order = completed.assert_status(200)["order"].clone();
    let number = order["number"].as_str().expect("a number").to_owned();
    let mut barcodes: Vec<String> = order["tickets"]
        .as_array()
        .expect("tickets")
        .iter()
        .map(|t| t["barcode"].as_str().expect("a barcode").to_owned())
        .collect();
    barcodes.extend(
        order["general_admission"][0]["barcodes"]
            .as_array()
            .expect("barcodes")
            .iter()
            .map(|b| b.as_str().expect("a barcode").to_owned()),
    );

    let path = format!("/orders/{number}/tickets.pdf");
    let response = app
        .client
        .get(format!("{}{path}", app.address))
        .header("X-API-Key", &shop)
        .send()
        .await
        .expect("the request is sent");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().ok(),
        Some("application/pdf")
    );
    let bytes = response.bytes().await.expect("the body");
    assert!(bytes.starts_with(b"%PDF-"));
    let pages = read_pdf(&bytes);
    let read: Vec<&str> = pages.iter().map(|page| page.barcode.as_str()).collect();
    assert_eq!(read, barcodes, "one page per ticket, in the order's order");
    let first = &pages[0].text;
    assert_eq!(first[0], "Jersey Boys");
    assert_eq!(
        first[1], "Th\u{e9}\u{e2}tre du Port, London",
        "Latin-1 as it is"
    );
    assert_eq!(first[3], "STALLS row A seat 1");
    assert_eq!(first[4], "Adult  GBP 65.00");
    assert_eq!(pages[1].text[4], "Child  GBP 30.00");
    assert_eq!(pages[2].text[3], "STANDING (standing)");
    assert!(first.contains(&barcodes[0]), "the digits are printed too");
}

#[actix_web::test]
async fn another_clients_order_or_an_unknown_one_has_no_pdf() {
    let app = spawn_app_with_performances(&["p1"], free_rules()).await;
    let shop = app.create_sales_client("shop").await;
    let other = app.create_sales_client("other").await;
    let held = app
        .place_hold(&shop, &json!({"tickets": ["p1:STALLS-A1"]}))
        .await;
    let id = transaction_id(held.assert_status(201));
    let completed = app.complete(&shop, &id).await;
    let number: Value = completed.assert_status(200)["order"]["number"].clone();
    let path = format!("/orders/{}/tickets.pdf", number.as_str().expect("a number"));
    app.call(Method::GET, &path, Some(&other), None)
        .await
        .assert_error(403, "forbidden");
    app.call(Method::GET, "/orders/999999/tickets.pdf", Some(&shop), None)
        .await
        .assert_error(404, "not_found");
    let admin = app.call(Method::GET, &path, Some(ADMIN_KEY), None).await;
    assert_eq!(
        admin.status.as_u16(),
        200,
        "an admin reads any order's tickets"
    );
}
