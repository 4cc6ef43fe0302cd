//! Actor-tier tests: the engine over the memory store and a manual clock. A "crash" reopens
//! the store (the old engine's later writes are refused, as a dead process's would never
//! land) and a new engine recovers from it. Time moves by advancing the clock, never by
//! sleeping.

use std::sync::Arc;

use super::*;
use crate::domain::test::plan_spec;
use crate::domain::{
    ClientId, Customer, EventId, EventInfo, HoldState, PerformanceId, PerformanceInfo, Rules,
    TicketId, Timestamp,
};
use crate::metrics::Metrics;
use crate::persistence::{MemoryStore, Store};

const START: Timestamp = Timestamp(1_800_000_000_000);

fn engine_over(store: &Arc<MemoryStore>, clock: &ManualClock) -> Arc<Engine> {
    let store: Arc<dyn Store> = Arc::clone(store) as Arc<dyn Store>;
    let clock: Arc<dyn Clock> = Arc::new(clock.clone());
    let snapshots = SnapshotPolicy {
        every_entries: 4,
        every: std::time::Duration::from_secs(3600),
    };
    let registry = Registry::new(
        1,
        64,
        Arc::clone(&store),
        Arc::clone(&clock),
        Arc::new(Metrics::new()),
        snapshots,
    );
    let limits = Limits {
        widget_tickets_max: 10,
        tickets_per_request_max: 100,
        seats_per_plan_max: 1000,
    };
    Arc::new(Engine::new(registry, store, clock, limits))
}

fn restart(
    store: &Arc<MemoryStore>,
    old: &Engine,
    clock: &ManualClock,
) -> (Arc<MemoryStore>, Arc<Engine>) {
    let reopened = Arc::new(store.reopen());
    old.registry().stop();
    let engine = engine_over(&reopened, clock);
    let report = engine.recover(reopened.load().expect("the store loads"));
    assert_eq!(report.halted, 0);
    (reopened, engine)
}

fn info(hold_seconds: u32) -> PerformanceInfo {
    PerformanceInfo {
        id: PerformanceId::parse("p1").unwrap(),
        event: EventInfo {
            id: EventId::parse("show").unwrap(),
            name: "Show".into(),
            venue: String::new(),
            city: String::new(),
        },
        starts_at: Timestamp(START.0 + 86_400_000 * 30),
        hold_seconds,
        rules: Rules {
            contiguous_seats_only: false,
            no_single_seat_gaps: false,
            valid_quantities: vec![1, 2, 3, 4],
            ..Rules::default()
        },
        ticket_types: Vec::new(),
        fees: Vec::new(),
    }
}

fn caller() -> Caller {
    Caller {
        client: ClientId::parse("shop").unwrap(),
        role: crate::actor::Role::Sales,
        ip: "10.0.0.1".into(),
        channel: None,
        events: Vec::new(),
        reach: Default::default(),
        maker: None,
    }
}

fn tickets(seats: &[&str]) -> HoldRequest {
    HoldRequest::Tickets(
        seats
            .iter()
            .map(|s| (TicketId::parse(&format!("p1:{s}")).unwrap(), None))
            .collect(),
    )
}

async fn setup(hold_seconds: u32) -> (Arc<MemoryStore>, ManualClock, Arc<Engine>) {
    let store = Arc::new(MemoryStore::new());
    let clock = ManualClock::new(START);
    let engine = engine_over(&store, &clock);
    engine
        .create_performance(info(hold_seconds), plan_spec(&[&[(1, 10)], &[(1, 10)]]))
        .await
        .unwrap();
    (store, clock, engine)
}

#[actix_rt::test]
async fn locks_that_fall_due_while_the_server_is_down_are_released_at_start_up() {
    let (store, clock, engine) = setup(60).await;
    let held = engine
        .open_transaction(&caller(), tickets(&["S-A1", "S-A2"]), Metadata::new(), None)
        .await
        .unwrap();
    let kept = engine
        .open_transaction(&caller(), tickets(&["S-B1"]), Metadata::new(), None)
        .await
        .unwrap();
    clock.advance_millis(30_000);
    engine.checkout(&caller(), kept.id, None).await.unwrap();

    clock.advance_millis(31_000);
    let (store, engine) = restart(&store, &engine, &clock);
    let expired = engine.transaction(&caller(), held.id).await.unwrap();
    assert_eq!(expired.state(), HoldState::Expired);
    let alive = engine.transaction(&caller(), kept.id).await.unwrap();
    assert_eq!(
        alive.state(),
        HoldState::CheckedOut,
        "the checked-out lock runs until 90 s"
    );
    assert_eq!(
        engine
            .performance(&PerformanceId::parse("p1").unwrap())
            .await
            .unwrap()
            .counts
            .held,
        1
    );

    // The expiry was journaled: a second restart, with no time passing, still sees it.
    let (_, engine) = restart(&store, &engine, &clock);
    assert_eq!(
        engine
            .transaction(&caller(), held.id)
            .await
            .unwrap()
            .state(),
        HoldState::Expired
    );
}

#[actix_rt::test]
async fn sales_orders_people_and_idempotent_answers_survive_a_restart() {
    let (store, clock, engine) = setup(180).await;
    let key = IdempotencyKey {
        key: "k-1".into(),
        fingerprint: [3; 32],
    };
    let first = engine
        .open_transaction(
            &caller(),
            tickets(&["S-A5", "S-A6"]),
            Metadata::new(),
            Some(key.clone()),
        )
        .await
        .unwrap();
    let customer = Customer::parse("Joe User", "joe@example.com").expect("a valid customer");
    let order = engine
        .complete(&caller(), first.id, Some(customer), None, None)
        .await
        .unwrap();
    let barcodes: Vec<String> = order.transaction.holds[0]
        .hold
        .sale
        .as_ref()
        .unwrap()
        .barcodes
        .clone();

    let (_, engine) = restart(&store, &engine, &clock);
    let retry = engine
        .open_transaction(
            &caller(),
            tickets(&["S-A5", "S-A6"]),
            Metadata::new(),
            Some(key),
        )
        .await
        .unwrap();
    assert_eq!(
        retry.id, first.id,
        "the retry gets the first answer, and holds nothing"
    );
    assert_eq!(retry.holds[0].hold.seats, first.holds[0].hold.seats);
    let reread = engine.order(&caller(), order.number).await.unwrap();
    assert_eq!(reread.customer.unwrap().email(), "joe@example.com");
    assert_eq!(
        reread.transaction.holds[0]
            .hold
            .sale
            .as_ref()
            .unwrap()
            .barcodes,
        barcodes
    );
    let person = engine.person("joe@example.com").unwrap();
    assert_eq!(person.orders, [order.number]);
    let counts = engine
        .performance(&PerformanceId::parse("p1").unwrap())
        .await
        .unwrap()
        .counts;
    assert_eq!((counts.sold, counts.held), (2, 0));

    let next = engine
        .open_transaction(&caller(), tickets(&["S-A7"]), Metadata::new(), None)
        .await
        .unwrap();
    let customer = Customer::parse("Ann", "ann@example.com").expect("a valid customer");
    let second = engine
        .complete(&caller(), next.id, Some(customer), None, None)
        .await
        .unwrap();
    assert!(
        second.number > order.number,
        "order numbers continue after a restart"
    );
}

#[actix_rt::test]
async fn clients_survive_a_restart_and_a_changed_admin_key_replaces_the_old() {
    let (store, clock, engine) = setup(180).await;
    let (client, key) = engine
        .create_client(
            ClientId::parse("webshop").unwrap(),
            "webshop".into(),
            Role::Sales,
            crate::actor::ClientScope::default(),
        )
        .await
        .unwrap();
    assert!(
        engine
            .ensure_admin(Some("first-admin-key-123"))
            .await
            .unwrap()
            .is_none()
    );
    let (_, engine) = restart(&store, &engine, &clock);
    assert_eq!(engine.authenticate(&key).unwrap().id, client.id);
    assert_eq!(
        engine.authenticate("first-admin-key-123").unwrap().role,
        Role::Admin
    );
    engine
        .ensure_admin(Some("second-admin-key-456"))
        .await
        .unwrap();
    assert!(engine.authenticate("first-admin-key-123").is_none());
    assert_eq!(
        engine.authenticate("second-admin-key-456").unwrap().role,
        Role::Admin
    );
}

#[actix_rt::test]
async fn a_write_the_store_refuses_is_never_acknowledged() {
    let (store, _clock, engine) = setup(180).await;
    store.fail();
    let refused = engine
        .open_transaction(&caller(), tickets(&["S-A1"]), Metadata::new(), None)
        .await;
    assert!(
        matches!(refused, Err(EngineError::Storage(_))),
        "{refused:?}"
    );
    assert!(!engine.is_healthy());
}

#[actix_rt::test]
async fn a_damaged_journal_halts_its_performance_and_names_it() {
    let (store, clock, engine) = setup(180).await;
    engine
        .open_transaction(&caller(), tickets(&["S-A1"]), Metadata::new(), None)
        .await
        .unwrap();
    store.tamper(|map| {
        let key = map
            .keys()
            .find(|k| k.starts_with(b"j/p1\0"))
            .unwrap()
            .clone();
        map.get_mut(&key).unwrap()[12] ^= 0xff;
    });
    let reopened = Arc::new(store.reopen());
    engine.registry().stop();
    let engine = engine_over(&reopened, &clock);
    let report = engine.recover(reopened.load().unwrap());
    assert_eq!(report.halted, 1);
    let refused = engine
        .performance(&PerformanceId::parse("p1").unwrap())
        .await;
    assert!(
        matches!(&refused, Err(EngineError::Halted { performance, .. }) if performance == "p1"),
        "{refused:?}"
    );
}
