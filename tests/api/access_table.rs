//! Who may call what: a penetration tester's table of every route of `src/http/router.rs`
//! against seven callers (no key, a widget key, an unscoped sales key, a sales key organizer A
//! made, organizer A, organizer B, the admin) and, where a route names a resource, against
//! organizer A's resource and organizer B's (contract v2, "Channels, organizers and catalogue
//! operations"). Every refused write is also checked to have written nothing.
//!
//! The world is built through the API once per test: events `ev-a` (organizer A's) and `ev-b`
//! (organizer B's), one performance of each, a completed order and a held transaction at each
//! (opened by a sales key of that organizer, which is none of the callers), a discount code and
//! a channel's allocation at each, and, at A's performance, a held transaction of the widget
//! key and the order of another that the unscoped sales key completed.
//! A route that would use a resource up (a release, a refund, a revocation, the end of an
//! allocation) gets a fresh one for every call.
//!
//! Left out on purpose: `/performances/{id}/seats/stream` is only checked for its status line,
//! since the stream never ends. Where the code answers otherwise than a serious ticketing
//! engine should, the expectation pins today's answer and says `DISCREPANCY`.

use std::cell::Cell;
use std::collections::HashMap;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{ADMIN_KEY, TestApp, free_rules, performance_body, spawn_app_with};

/// The callers, in the order of the columns of [`Expected`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Who {
    NoKey,
    Widget,
    Sales,
    SalesOfA,
    OrganizerA,
    OrganizerB,
    Admin,
}

const CALLERS: [Who; 7] = [
    Who::NoKey,
    Who::Widget,
    Who::Sales,
    Who::SalesOfA,
    Who::OrganizerA,
    Who::OrganizerB,
    Who::Admin,
];

/// Whose resource a route's path and body name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Owner {
    /// Organizer A's: event `ev-a`, performance `p-a`, what its keys sold and made.
    A,
    /// Organizer B's.
    B,
    /// A transaction the widget key opened at A's performance, and the order of one the
    /// unscoped sales key completed.
    W,
    /// Nobody's: a route that names no resource, or the admin's key.
    Any,
}

/// The expected status per caller: no key, widget, sales, sales of A, organizer A,
/// organizer B, admin.
type Expected = [u16; 7];

/// One line of the table: a route and method, with `<name>` placeholders in its path and body
/// (see [`World::value_of`]; a null body is none), and the statuses expected for each owner
/// of what it names.
struct Row(Method, &'static str, Value, Vec<(Owner, Expected)>);

fn row(method: Method, path: &'static str, body: Value, cases: &[(Owner, Expected)]) -> Row {
    Row(method, path, body, cases.to_vec())
}

/// A route for an admin or the organizer of what it names, answering `ok` to them.
fn managed(ok: u16) -> [(Owner, Expected); 2] {
    [
        (Owner::A, [401, 403, 403, 403, ok, 403, ok]),
        (Owner::B, [401, 403, 403, 403, 403, ok, ok]),
    ]
}

/// A public read of A's and B's resource.
const PUBLIC: [(Owner, Expected); 2] = [(Owner::A, [200; 7]), (Owner::B, [200; 7])];

/// A call on the transactions of A's and B's box offices (owners, never callers) and on the
/// widget's; `widget` is the widget's answer for its own, `sales` the answer of a sales key
/// that reaches A's performance for the widget's.
fn transaction_route(widget: u16, sales: u16) -> [(Owner, Expected); 3] {
    let [a, b] = managed(200);
    [a, b, (Owner::W, [401, widget, sales, sales, 200, 403, 200])]
}

/// Every route and method of the router, with the statuses the rules expect; laid out by
/// hand as the table it is.
#[rustfmt::skip]
fn table() -> Vec<Row> {
    use Method as M;
    use Owner::Any;
    const NO: Value = Value::Null;
    let any = |expected: Expected| [(Any, expected)];
    let for_a_and_b = |expected: Expected| [(Owner::A, expected), (Owner::B, expected)];
    let admin_only = [401, 403, 403, 403, 403, 403, 200];
    let admin_creates = [401, 403, 403, 403, 403, 403, 201];
    let an_organizer = [401, 403, 403, 403, 200, 200, 200];
    let a_sales_key = [401, 403, 200, 200, 200, 200, 200];
    let organizer_creates = [401, 403, 403, 403, 201, 201, 201];
    let key = |role: &str, to: Value| json!({"name": "k<unique>", "role": role, "events": to});
    let standing = json!({"performance": "<perf>", "general_admission": {"STANDING": 1}});
    let code = |scope: Value| json!({"code": "C<unique>", "percent": "10", "scope": scope});
    let copy = json!({"id": "copy-<unique>", "starts_at": "2026-12-24T19:30:00Z"});
    let allocation = json!({"channel": "extra-<unique>", "general_admission": {"STANDING": 1}});
    let withhold = json!({"withhold_general_admission": {"STANDING": 1}});
    let new_performance = performance_of("new-<unique>", "<event>", "<venue>");
    let (checkout, complete) = (json!({"status": "checkout"}), json!({"status": "complete"}));
    let metadata = json!({"metadata": {"note": "seen"}});
    // The order of the widget's transaction that the shop completed is the widget's: the
    // widget reads no orders; a sales key made by the widget's own maker (here the admin: the
    // unscoped shop) reads it, so the shop fetches the tickets it sold, while a key organizer
    // A made does not read the buyers of a widget it did not make.
    let order_route = |ok: u16| {
        let [a, b] = managed(ok);
        [a, b, (Owner::W, [401, 403, ok, 403, ok, 403, ok])]
    };
    let key_route = |ok: u16, by_admin: Expected| {
        let [a, b] = managed(ok);
        [a, b, (Any, by_admin)]
    };
    vec![
        row(M::GET, "/health", NO, &any([200; 7])),
        row(M::GET, "/metrics", NO, &any([200; 7])),
        row(M::GET, "/events", NO, &any([200; 7])),
        row(M::GET, "/programme", NO, &any([200; 7])),
        row(M::GET, "/openapi.json", NO, &any([200; 7])),
        row(M::GET, "/docs", NO, &any([200; 7])),
        row(M::GET, "/events/<event>", NO, &PUBLIC),
        row(M::GET, "/events/<event>/performances", NO, &PUBLIC),
        row(M::GET, "/performances/<perf>", NO, &PUBLIC),
        row(M::GET, "/performances/<perf>/availability", NO, &PUBLIC),
        row(M::GET, "/performances/<perf>/seats", NO, &PUBLIC),
        row(M::GET, "/performances/<perf>/seats/stream", NO, &PUBLIC),
        row(M::GET, "/performances/<perf>/widget", NO, &PUBLIC),
        // Keys: an organizer makes sales and widget keys in its events and manages those only
        // (`<fresh_client>` is a sales key its organizer made; Any's, one the admin made).
        row(M::GET, "/clients", NO, &any(an_organizer)),
        row(M::POST, "/clients", key("sales", json!(["<event>"])), &managed(201)),
        row(M::POST, "/clients", key("widget", json!([])), &any(organizer_creates)),
        row(M::POST, "/clients", key("organizer", json!(["<event>"])), &for_a_and_b(admin_creates)),
        row(M::POST, "/clients", key("admin", json!([])), &any(admin_creates)),
        row(M::DELETE, "/clients/<fresh_client>", NO, &key_route(200, admin_only)),
        row(M::POST, "/clients/<fresh_client>/key", NO, &key_route(201, admin_creates)),
        // Catalogue operations.
        row(M::POST, "/performances", new_performance, &managed(201)),
        row(M::PATCH, "/events/<event>", json!({"venue": "<venue>"}), &managed(200)),
        row(M::PATCH, "/performances/<perf>", json!({"hold_seconds": 600}), &managed(200)),
        row(M::POST, "/performances/<perf>/copy", copy, &managed(201)),
        row(M::POST, "/performances/<perf>/holdbacks", withhold, &managed(200)),
        row(M::GET, "/performances/<perf>/allocations", NO, &managed(200)),
        row(M::POST, "/performances/<perf>/allocations", allocation, &managed(201)),
        row(M::DELETE, "/performances/<perf>/allocations/<fresh_channel>", NO, &managed(200)),
        row(M::GET, "/performances/<perf>/history?seat=<perf>:STALLS-A1", NO, &[
            (Owner::A, [401, 403, 200, 200, 200, 403, 200]),
            (Owner::B, [401, 403, 200, 403, 403, 200, 200]),
        ]),
        // Transactions. The widget's own are its to hold, check out, read and release; any
        // sales key that reaches the performance may act on a widget's transaction too
        // (contract v2, "Seat-selection widgets"), not only the shop behind the widget.
        row(M::POST, "/transactions", standing, &[
            (Owner::A, [401, 201, 201, 201, 201, 403, 201]),
            (Owner::B, [401, 201, 201, 403, 403, 201, 201]),
        ]),
        row(M::GET, "/transactions/<txn>", NO, &transaction_route(200, 200)),
        row(M::POST, "/transactions/<fresh_txn>", checkout, &transaction_route(200, 200)),
        row(M::POST, "/transactions/<fresh_txn>", complete, &transaction_route(403, 200)),
        row(M::PATCH, "/transactions/<fresh_txn>", metadata, &transaction_route(403, 200)),
        row(M::DELETE, "/transactions/<fresh_txn>", NO, &transaction_route(200, 200)),
        row(M::GET, "/transactions/<txn>/history", NO, &transaction_route(403, 200)),
        // Orders, people, payments, discount codes, scans.
        row(M::GET, "/orders/<order>", NO, &order_route(200)),
        row(M::GET, "/orders/<order>/tickets.pdf", NO, &order_route(200)),
        row(M::POST, "/orders/<fresh_order>/refunds", json!({}), &managed(201)),
        row(M::GET, "/people?email=<email>", NO, &for_a_and_b(admin_only)),
        row(M::GET, "/payment-methods", NO, &any(a_sales_key)),
        row(M::GET, "/discount-codes", NO, &any(an_organizer)),
        row(M::POST, "/discount-codes", code(json!({"events": ["<event>"]})), &managed(201)),
        row(M::POST, "/discount-codes", code(json!({"performances": ["<perf>"]})), &managed(201)),
        row(M::POST, "/discount-codes", code(json!({})), &any(admin_creates)),
        // Always 200 with a key that may scan; what a door of other events learns is checked
        // in `a_door_of_one_organizer_finds_another_organizers_tickets_unknown`.
        row(M::POST, "/scans", json!({"barcode": "<barcode>"}), &for_a_and_b(a_sales_key)),
        // Reports: an organizer's names one of its events or performances.
        row(M::GET, "/reports/sales?event=<event>", NO, &managed(200)),
        row(M::GET, "/reports/sales?performance=<perf>", NO, &managed(200)),
        row(M::GET, "/reports/sales", NO, &any(admin_only)),
        row(M::GET, "/reports/sales?event=ev-a&performance=p-b", NO, &any(admin_only)),
        row(M::GET, "/reports/takings?event=<event>", NO, &managed(200)),
        row(M::GET, "/reports/takings?performance=<perf>", NO, &managed(200)),
        row(M::GET, "/reports/takings", NO, &any(admin_only)),
    ]
}

/// A performance body of `event` at `venue`, with 20 seats and 500 standing places.
fn performance_of(id: &str, event: &str, venue: &str) -> Value {
    let mut body = performance_body(id, &[&[(1, 10)], &[(1, 10)]], free_rules());
    body["event"] = json!({"id": event, "name": format!("Show {event}"), "venue": venue,
                           "city": "London"});
    body["general_admission"][0]["capacity"] = json!(500);
    body
}

/// One organizer's part of the world.
#[derive(Clone)]
struct Side {
    event: &'static str,
    perf: &'static str,
    venue: &'static str,
    email: &'static str,
    channel: &'static str,
    /// The organizer's key.
    organizer: String,
    /// The key that opens this side's transactions: a sales key the organizer made (the
    /// widget's key for [`Owner::W`]).
    holder: String,
    /// A held transaction of `holder`.
    txn: String,
    /// A completed order of `holder` (seat STALLS-A1) and its barcode.
    order: String,
    barcode: String,
}

/// The application and everything the table names.
struct World {
    app: TestApp,
    keys: HashMap<Who, String>,
    a: Side,
    b: Side,
    widget_at_a: Side,
    serial: Cell<u32>,
}

impl World {
    async fn build() -> World {
        let app = spawn_app_with(|config| {
            // A refused write is told by the journal not moving: no snapshot may write on
            // its own meanwhile, and the widget's many holds are not a flood.
            config.snapshot_every_seconds = 86_400;
            config.widget_holds_per_minute = 10_000;
        })
        .await;
        let admin = ADMIN_KEY.to_owned();
        let organizer_a =
            json!({"id": "org-a", "name": "A", "role": "organizer", "events": ["ev-a"]});
        let organizer_a = client(&app, &admin, organizer_a).await;
        let organizer_b =
            json!({"id": "org-b", "name": "B", "role": "organizer", "events": ["ev-b"]});
        let organizer_b = client(&app, &admin, organizer_b).await;
        let sales_of_a = json!({"id": "sales-a", "name": "sales-a", "role": "sales"});
        let sales_of_a = client(&app, &organizer_a, sales_of_a).await;
        let sales = json!({"id": "shop", "name": "shop", "role": "sales"});
        let sales = client(&app, &admin, sales).await;
        let widget = json!({"id": "widget", "name": "widget", "role": "widget"});
        let widget = client(&app, &admin, widget).await;
        let a = side(&app, organizer_a.clone(), "a").await;
        let b = side(&app, organizer_b.clone(), "b").await;
        let mut widget_at_a = a.clone();
        widget_at_a.holder = widget.clone();
        widget_at_a.txn = hold(&app, &widget, a.perf).await;
        let sold = hold(&app, &widget, a.perf).await;
        (widget_at_a.order, widget_at_a.barcode) = complete(&app, &sales, &sold, a.email).await;
        let keys = HashMap::from([
            (Who::Widget, widget),
            (Who::Sales, sales),
            (Who::SalesOfA, sales_of_a),
            (Who::OrganizerA, organizer_a),
            (Who::OrganizerB, organizer_b),
            (Who::Admin, admin),
        ]);
        World {
            app,
            keys,
            a,
            b,
            widget_at_a,
            serial: Cell::new(0),
        }
    }

    fn key(&self, who: Who) -> Option<&str> {
        self.keys.get(&who).map(String::as_str)
    }

    fn next_serial(&self) -> u32 {
        self.serial.set(self.serial.get() + 1);
        self.serial.get()
    }

    fn side(&self, owner: Owner) -> &Side {
        match owner {
            Owner::A => &self.a,
            Owner::B => &self.b,
            Owner::W => &self.widget_at_a,
            Owner::Any => panic!("a row of no owner names an owner's resource"),
        }
    }

    /// Replaces every `<name>` in `text` by its [`World::value_of`].
    async fn fill(&self, text: &str, owner: Owner) -> String {
        let mut filled = text.to_owned();
        while let Some(start) = filled.find('<') {
            let end = start + filled[start..].find('>').expect("a closed placeholder");
            let value = self.value_of(&filled[start + 1..end], owner).await;
            filled.replace_range(start..=end, &value);
        }
        filled
    }

    /// A placeholder's value for `owner`; the `fresh_` ones are made anew for every call.
    async fn value_of(&self, name: &str, owner: Owner) -> String {
        let app = &self.app;
        if name == "unique" {
            return self.next_serial().to_string();
        }
        if name == "fresh_client" {
            let maker = match owner {
                Owner::Any => ADMIN_KEY,
                owner => self.side(owner).organizer.as_str(),
            };
            let body = json!({"name": "fresh", "role": "sales"});
            let made = app
                .call(Method::POST, "/clients", Some(maker), Some(&body))
                .await;
            return made.assert_status(201)["id"].as_str().unwrap().to_owned();
        }
        let side = self.side(owner);
        match name {
            "event" => side.event.to_owned(),
            "perf" => side.perf.to_owned(),
            "venue" => side.venue.to_owned(),
            "email" => side.email.to_owned(),
            "txn" => side.txn.clone(),
            "order" => side.order.clone(),
            "barcode" => side.barcode.clone(),
            "fresh_txn" => hold(app, &side.holder, side.perf).await,
            "fresh_order" => {
                let txn = hold(app, &side.holder, side.perf).await;
                complete(app, &side.holder, &txn, side.email).await.0
            }
            "fresh_channel" => {
                let channel = format!("fresh-{}", self.next_serial());
                let body = json!({"channel": channel, "general_admission": {"STANDING": 1}});
                let path = format!("/performances/{}/allocations", side.perf);
                app.post_as_admin(&path, &body).await.assert_status(201);
                channel
            }
            other => panic!("no placeholder <{other}>"),
        }
    }

    /// Sends one call of the table; the seat stream is read up to its status line only.
    async fn send(&self, method: Method, path: &str, who: Who, body: Option<&Value>) -> u16 {
        if path.ends_with("/seats/stream") {
            let mut request = self.app.client.get(format!("{}{path}", self.app.address));
            if let Some(key) = self.key(who) {
                request = request.header("X-API-Key", key);
            }
            let response = actix_web::rt::time::timeout(Duration::from_secs(5), request.send())
                .await
                .expect("the stream's status line within 5 s")
                .expect("the stream opens");
            return response.status().as_u16();
        }
        let answer = self.app.call(method, path, self.key(who), body).await;
        answer.status.as_u16()
    }

    /// Runs every row for every owner and caller; returns the disagreements and the number
    /// of calls made.
    async fn run(&self, rows: &[Row]) -> (Vec<String>, usize) {
        let mut mismatches = Vec::new();
        let mut calls = 0;
        for row in rows {
            for (owner, expected) in &row.3 {
                for (who, expected) in CALLERS.into_iter().zip(*expected) {
                    calls += 1;
                    mismatches.extend(self.check(row, *owner, who, expected).await);
                }
            }
        }
        (mismatches, calls)
    }

    /// Makes one call of `row`; describes how it disagrees with `expected`, if it does.
    async fn check(&self, row: &Row, owner: Owner, who: Who, expected: u16) -> Option<String> {
        let Row(method, template, body, _) = row;
        let path = self.fill(template, owner).await;
        let body = match body {
            Value::Null => None,
            body => {
                let text = self.fill(&body.to_string(), owner).await;
                Some(serde_json::from_str::<Value>(&text).expect("a JSON body"))
            }
        };
        // A refused write must leave the journal as it was.
        let refused_write = *method != Method::GET && expected >= 400;
        let writes = if refused_write {
            self.app.journal_writes().await
        } else {
            0
        };
        let status = self.send(method.clone(), &path, who, body.as_ref()).await;
        let what = format!("{method} {template} ({path}) by {who:?} on {owner:?}'s");
        if status != expected {
            Some(format!("{what}: expected {expected}, got {status}"))
        } else if refused_write && self.app.journal_writes().await != writes {
            Some(format!("{what}: refused with {status} but wrote"))
        } else {
            None
        }
    }
}

/// Creates a client with `maker`'s key and returns the new key.
async fn client(app: &TestApp, maker: &str, body: Value) -> String {
    let made = app
        .call(Method::POST, "/clients", Some(maker), Some(&body))
        .await;
    made.assert_status(201)["key"].as_str().unwrap().to_owned()
}

/// Holds one standing place at `perf` with `key`; returns the transaction id.
async fn hold(app: &TestApp, key: &str, perf: &str) -> String {
    let body = json!({"performance": perf, "general_admission": {"STANDING": 1}});
    let held = app.place_hold(key, &body).await;
    held.assert_status(201)["transaction_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Completes `txn` for the customer `email`; returns the order number and its first barcode.
async fn complete(app: &TestApp, key: &str, txn: &str, email: &str) -> (String, String) {
    let body = json!({"status": "complete", "customer": {"name": "A Buyer", "email": email}});
    let done = app.update_transaction(key, txn, &body).await;
    let order = &done.assert_status(200)["order"];
    let barcode = order["tickets"][0]["barcode"]
        .as_str()
        .or_else(|| order["general_admission"][0]["barcodes"][0].as_str())
        .expect("a barcode")
        .to_owned();
    let number = order["number"].as_str().expect("a number").to_owned();
    (number, barcode)
}

/// Builds organizer `name`'s side with its own key: its performance, a box office's sales
/// key, an order of seat STALLS-A1, a held transaction, an allocation and a discount code.
async fn side(app: &TestApp, organizer: String, name: &'static str) -> Side {
    let (event, perf, venue, email, channel) = match name {
        "a" => ("ev-a", "p-a", "Venue A", "a@example.com", "chan-a"),
        _ => ("ev-b", "p-b", "Venue B", "b@example.com", "chan-b"),
    };
    let post = |path: &'static str, body: Value| {
        let organizer = organizer.clone();
        async move {
            let answer = app
                .call(Method::POST, path, Some(&organizer), Some(&body))
                .await;
            answer.assert_status(201).clone()
        }
    };
    post("/performances", performance_of(perf, event, venue)).await;
    let holder = json!({"id": format!("box-{name}"), "name": "box office", "role": "sales"});
    let holder = post("/clients", holder).await["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let seat = json!({"tickets": [format!("{perf}:STALLS-A1")]});
    let sold = app.place_hold(&holder, &seat).await;
    let sold = sold.assert_status(201)["transaction_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (order, barcode) = complete(app, &holder, &sold, email).await;
    let txn = hold(app, &holder, perf).await;
    let path = format!("/performances/{perf}/allocations");
    let allocation = json!({"channel": channel, "tickets": [format!("{perf}:STALLS-B1")],
                            "general_admission": {"STANDING": 5}});
    let allocated = app
        .call(Method::POST, &path, Some(&organizer), Some(&allocation))
        .await;
    allocated.assert_status(201);
    let code = json!({"code": format!("{}-CODE", name.to_uppercase()), "percent": "10",
                      "scope": {"events": [event]}});
    post("/discount-codes", code).await;
    Side {
        event,
        perf,
        venue,
        email,
        channel,
        organizer,
        holder,
        txn,
        order,
        barcode,
    }
}

/// What must survive the table untouched: B's performance (time, status, seat counts,
/// event), its event, its discount code and its channel's allocation.
async fn b_as_it_stands(world: &World) -> Value {
    let app = &world.app;
    let b = &world.b;
    let perf = app.get(&format!("/performances/{}", b.perf)).await;
    let perf = perf.assert_status(200);
    let event = app.get(&format!("/events/{}", b.event)).await;
    let codes = app.get_as_admin("/discount-codes").await;
    let code = codes.assert_status(200)["discount_codes"]
        .as_array()
        .expect("codes")
        .iter()
        .find(|code| code["code"] == "B-CODE")
        .cloned();
    let path = format!("/performances/{}/allocations", b.perf);
    let allocations = app.get_as_admin(&path).await;
    let allocation = allocations.assert_status(200)["allocations"]
        .as_array()
        .expect("allocations")
        .iter()
        .find(|allocation| allocation["channel"] == b.channel)
        .cloned();
    json!({
        "starts_at": perf["starts_at"], "status": perf["status"], "counts": perf["counts"],
        "event": perf["event"], "event_read": event.body, "code": code,
        "allocation": allocation,
    })
}

#[actix_web::test]
async fn every_route_answers_each_caller_as_the_access_rules_say_and_refusals_change_nothing() {
    let world = World::build().await;
    let before = b_as_it_stands(&world).await;

    let (mismatches, calls) = world.run(&table()).await;
    assert!(
        mismatches.is_empty(),
        "{} of {calls} calls disagree with the access table:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );

    assert_eq!(
        b_as_it_stands(&world).await,
        before,
        "B's catalogue is unchanged"
    );
    let app = &world.app;
    let b = &world.b;
    let read = app.transaction(&b.holder, &b.txn).await;
    assert_eq!(
        read.assert_status(200)["state"],
        "held",
        "B's key still works"
    );
    let order = format!("/orders/{}", b.order);
    let order = app.call(Method::GET, &order, Some(&b.holder), None).await;
    assert_eq!(order.assert_status(200)["order"]["state"], "complete");
    let listed = app
        .call(Method::GET, "/clients", Some(&b.organizer), None)
        .await;
    let listed = listed.assert_status(200);
    let clients = listed["clients"].as_array().expect("clients");
    let box_b = clients.iter().find(|client| client["id"] == "box-b");
    assert_eq!(box_b.expect("B's box office")["revoked"], false, "{listed}");
}

/// The ids under `field` of a list answer, each read from `key`.
fn ids(body: &Value, field: &str, key: &str) -> Vec<String> {
    let items = body[field].as_array().expect("a list");
    items
        .iter()
        .map(|item| item[key].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn an_organizer_lists_and_manages_only_the_keys_and_codes_of_its_own_events() {
    let world = World::build().await;
    let app = &world.app;
    let organizer_a = world.a.organizer.as_str();
    let clients = app
        .call(Method::GET, "/clients", Some(organizer_a), None)
        .await;
    let clients = ids(clients.assert_status(200), "clients", "id");
    assert_eq!(clients, ["box-a", "sales-a"]);
    let codes = app
        .call(Method::GET, "/discount-codes", Some(organizer_a), None)
        .await;
    let codes = ids(codes.assert_status(200), "discount_codes", "code");
    assert_eq!(codes, ["A-CODE"]);
    let codes = app.get_as_admin("/discount-codes").await;
    let codes = ids(codes.assert_status(200), "discount_codes", "code");
    assert_eq!(codes, ["A-CODE", "B-CODE"]);

    // Keys it did not make, its own included, are not its to revoke or rotate.
    let writes = app.journal_writes().await;
    for id in ["admin", "org-b", "org-a", "shop", "widget", "box-b"] {
        for (method, path) in [
            (Method::DELETE, format!("/clients/{id}")),
            (Method::POST, format!("/clients/{id}/key")),
        ] {
            let answer = app
                .call(method.clone(), &path, Some(organizer_a), None)
                .await;
            assert_eq!(answer.status, 403, "{method} {path} by organizer A");
        }
    }
    // A key it makes stays within its events.
    for events in [json!(["ev-b"]), json!(["ev-a", "ev-b"])] {
        let body = json!({"name": "mine", "role": "sales", "events": events});
        let refused = app
            .call(Method::POST, "/clients", Some(organizer_a), Some(&body))
            .await;
        refused.assert_error(403, "forbidden");
    }
    assert_eq!(app.journal_writes().await, writes, "refusals wrote nothing");
    let body = json!({"name": "mine", "role": "sales"});
    let made = app
        .call(Method::POST, "/clients", Some(organizer_a), Some(&body))
        .await;
    assert_eq!(made.assert_status(201)["events"], json!(["ev-a"]));
}

#[actix_web::test]
async fn a_door_of_one_organizer_finds_another_organizers_tickets_unknown() {
    let world = World::build().await;
    let app = &world.app;
    let b = &world.b;
    let txn = hold(app, &b.holder, b.perf).await;
    let (_, barcode) = complete(app, &b.holder, &txn, b.email).await;
    let body = json!({"barcode": barcode});
    for who in [Who::SalesOfA, Who::OrganizerA, Who::OrganizerB] {
        let scan = app
            .call(Method::POST, "/scans", world.key(who), Some(&body))
            .await;
        let scan = scan.assert_status(200);
        if who == Who::OrganizerB {
            assert_eq!(
                scan["valid"], true,
                "not scanned by the other doors: {scan}"
            );
        } else {
            assert_eq!(scan["valid"], false, "{who:?}: {scan}");
            assert_eq!(scan["reason"], "unknown", "{who:?}: {scan}");
        }
    }
}

#[actix_web::test]
async fn a_key_of_one_organizers_events_cannot_reach_anothers_through_a_basket_or_a_change() {
    let world = World::build().await;
    let app = &world.app;
    let (a, b) = (&world.a, &world.b);
    let writes = app.journal_writes().await;
    let place = |perf: &str| json!({"performance": perf, "general_admission": {"STANDING": 1}});
    let basket = json!({"items": [place(a.perf), place(b.perf)]});
    let add = json!({"add": [place(b.perf)]});
    let path = format!("/transactions/{}", a.txn);
    for key in [&a.holder, &a.organizer] {
        app.place_hold(key, &basket)
            .await
            .assert_error(403, "forbidden");
        let changed = app.call(Method::PATCH, &path, Some(key), Some(&add)).await;
        changed.assert_error(403, "forbidden");
    }
    assert_eq!(app.journal_writes().await, writes, "refusals wrote nothing");
    let read = app.transaction(&a.holder, &a.txn).await;
    assert_eq!(read.assert_status(200)["state"], "held");
}

/// Taking seats off sale is a holdback, an admin's or organizer's call (403 to a sales key at
/// `/holdbacks`), and so is a refund that withholds its seats: a sales key may refund its own
/// order, never take the seats off sale with it.
#[actix_web::test]
async fn a_sales_key_cannot_take_seats_off_sale_by_refunding_with_withhold() {
    let world = World::build().await;
    let app = &world.app;
    let a = &world.a;
    let holdback = json!({"withhold": ["p-a:STALLS-A5"]});
    let refused = app.holdbacks(&a.holder, a.perf, &holdback).await;
    refused.assert_error(403, "forbidden");
    let sold = app
        .place_hold(&a.holder, &json!({"tickets": ["p-a:STALLS-A5"]}))
        .await;
    let sold = sold.assert_status(201)["transaction_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (order, _) = complete(app, &a.holder, &sold, a.email).await;
    let path = format!("/orders/{order}/refunds");
    let withhold = json!({"withhold": true});
    let refund = app
        .call(Method::POST, &path, Some(&a.holder), Some(&withhold))
        .await;
    refund.assert_error(403, "forbidden");
    let (seats, _) = app.seat_statuses(a.perf).await;
    assert_eq!(seats["p-a:STALLS-A5"], "sold");
    let organizer = Some(a.organizer.as_str());
    let refund = app
        .call(Method::POST, &path, organizer, Some(&withhold))
        .await;
    refund.assert_status(201);
    let (seats, _) = app.seat_statuses(a.perf).await;
    assert_eq!(seats["p-a:STALLS-A5"], "withheld");
}

/// An order's payment is one sum: an organizer's takings leave out an order shared with
/// another organizer's events (the admin's takings have it whole), while its sales report
/// shows its own tickets of it.
#[actix_web::test]
async fn an_organizers_takings_leave_out_an_order_shared_with_another_organizer() {
    let world = World::build().await;
    let app = &world.app;
    let shop = world.key(Who::Sales).unwrap();
    let basket = json!({"items": [{"tickets": ["p-a:STALLS-A7"]}, {"tickets": ["p-b:STALLS-A7"]}]});
    let held = app.place_hold(shop, &basket).await;
    let held = held.assert_status(201)["transaction_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let payment = json!({"method": "card", "amount": "130.00", "currency": "GBP"});
    let complete = json!({"status": "complete", "payment": payment});
    app.update_transaction(shop, &held, &complete)
        .await
        .assert_status(200);
    let organizer_a = Some(world.a.organizer.as_str());
    let sales = "/reports/sales?event=ev-a&group_by=client";
    let sales = app.call(Method::GET, sales, organizer_a, None).await;
    let rows = sales.assert_status(200)["rows"].as_array().unwrap().clone();
    let by_shop = rows
        .iter()
        .find(|row| row["key"] == "shop")
        .expect("the shop's row");
    assert_eq!(
        by_shop["full"], "65.00",
        "the sales report keeps to A's seat"
    );
    let takings = "/reports/takings?event=ev-a";
    let takings = app.call(Method::GET, takings, organizer_a, None).await;
    let takings = takings.assert_status(200);
    let shared = |rows: &Value| {
        rows.as_array()
            .unwrap()
            .iter()
            .any(|row| row["received"] == "130.00")
    };
    assert!(!shared(&takings["rows"]), "{takings}");
    let admin = app
        .call(
            Method::GET,
            "/reports/takings?event=ev-a",
            Some(ADMIN_KEY),
            None,
        )
        .await;
    let admin = admin.assert_status(200);
    assert!(shared(&admin["rows"]), "{admin}");
}
