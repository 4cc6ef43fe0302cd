//! The on-disk format across versions: a committed fixture of every record kind per format
//! version (`tests/fixtures/format-v*.kv`, the whole key space of a small data directory)
//! must load with today's code and mean what it meant when it was written.
//!
//! When the format changes, bump `FORMAT_VERSION`, teach the decoder the old layout (see
//! `legacy`), and write the new version's fixture with
//! `cargo test --lib format_tests::write_the_current_fixture -- --ignored`; never edit or
//! delete an older fixture.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::*;
use crate::domain::test::plan_spec;
use crate::domain::{
    Amount, ClientId, Command, Currency, DiscountCode, DiscountScope, EventId, EventInfo, Fee,
    HoldState, OrderNumber, Payment, Performance, PerformanceId, PerformanceInfo, Reduction, Rules,
    SeatChoice, SeatStatus, SeatingPlan, Selection, TicketType, Timestamp, TransactionId,
};

const AT: Timestamp = Timestamp(1_793_491_200_000);

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn info() -> PerformanceInfo {
    PerformanceInfo {
        id: PerformanceId::parse("fixture").expect("a valid id"),
        event: EventInfo {
            id: EventId::parse("show").expect("a valid id"),
            name: "The Show".into(),
            venue: "The Hall".into(),
            city: "Leeds".into(),
        },
        starts_at: Timestamp(AT.0 + 86_400_000),
        hold_seconds: 180,
        rules: Rules {
            contiguous_seats_only: true,
            no_single_seat_gaps: false,
            valid_quantities: vec![1, 2, 3, 4],
            ..Rules::default()
        },
        ticket_types: price_list().0,
        fees: price_list().1,
    }
}

/// Since format 5: adult and child types, a fee per ticket and one per order.
fn price_list() -> (Vec<TicketType>, Vec<Fee>) {
    let amount = |text: &str| Amount::parse(text).expect("an amount");
    let bands = plan_spec(&[]).price_bands;
    let adult = TicketType::resolve(
        "ADULT".into(),
        "Adult".into(),
        vec![("A".into(), amount("65.00")), ("B".into(), amount("45.00"))],
        &bands,
    );
    let child = TicketType::resolve(
        "CHILD".into(),
        "Child".into(),
        vec![("A".into(), amount("30.00"))],
        &bands,
    );
    let fees = vec![
        Fee::new("booking".into(), Some(amount("1.50")), None).expect("a fee"),
        Fee::new("handling".into(), None, Some(amount("2.00"))).expect("a fee"),
    ];
    (vec![adult.expect("a type"), child.expect("a type")], fees)
}

/// A small data directory holding every record kind and change kind: a client, a
/// performance, holds placed (seats and places), extended, sold (with its order and an
/// idempotency answer), released and expired, holdbacks, a snapshot with entries after it, and
/// (from format 2) an archived hold.
fn sample_store() -> MemoryStore {
    let store = MemoryStore::new();
    let owner = ClientId::parse("shop").expect("a valid id");
    let mut spec = plan_spec(&[&[(1, 6)], &[(1, 6)]]);
    // Geometry and attributes (format 7 on).
    spec.sections[0].rows[1].y = Some(2.5);
    let block = &mut spec.sections[0].rows[1].blocks[0];
    block.x = Some(-3.0);
    block.step = Some(1.5);
    block.attributes.insert("accessible".into(), vec![6]);
    let record = PerformanceRecord {
        info: info(),
        plan: spec.clone(),
    };
    let mut performance = Performance::new(
        info(),
        SeatingPlan::build(spec, usize::MAX).expect("a plan"),
    );
    let id = performance.info().id.clone();
    let write = |batch: Batch| drop(store.write(batch));
    write(Batch {
        records: vec![
            Record::Client(ClientRecord {
                id: owner.clone(),
                name: "Shop".into(),
                role: "sales".into(),
                key_digest: [7; 32],
                // Since format 8: a scoped reseller key an organizer made.
                channel: Some("redchair".into()),
                created_by: Some(ClientId::parse("promoter").expect("a valid id")),
                events: vec!["show".into()],
            }),
            Record::Performance(record),
        ],
        ..Batch::default()
    });
    let mut seq = 0;
    let mut run = |performance: &mut Performance, command: Command, at: Timestamp| {
        let change = performance
            .decide(&command, at)
            .expect("the sample's commands are accepted")
            .expect("and change something");
        performance.apply(&change);
        seq += 1;
        Entry { seq, at, change }
    };
    let place = |transaction: u128, selection: Selection| Command::PlaceHold {
        transaction: TransactionId(transaction),
        owner: owner.clone(),
        ip: "203.0.113.7".into(),
        selection,
        lock_until: None,
        access: Default::default(),
    };
    let seats = |ids: &[&str]| Selection::seats(ids.iter().copied());
    let mut entries = vec![
        // Since format 5: the second seat is a child's.
        run(
            &mut performance,
            place(
                1,
                Selection::Seats(vec![
                    "S-A1".into(),
                    SeatChoice {
                        id: "S-A2".into(),
                        ticket_type: Some("CHILD".into()),
                    },
                ]),
            ),
            AT,
        ),
        run(
            &mut performance,
            place(2, Selection::places(vec![("GA".into(), 2)])),
            AT,
        ),
        run(
            &mut performance,
            Command::ExtendHold {
                transaction: TransactionId(1),
            },
            Timestamp(AT.0 + 1_000),
        ),
        run(
            &mut performance,
            Command::SellHold {
                transaction: TransactionId(1),
                order_number: OrderNumber(100_001),
                barcode_seed: 42,
            },
            Timestamp(AT.0 + 2_000),
        ),
    ];
    let sold = performance
        .hold(TransactionId(1))
        .cloned()
        .expect("the sold hold");
    // Since format 4: the first ticket scanned at the door, before the snapshot.
    let first_barcode = sold.sale.as_ref().expect("sold").barcodes[0].clone();
    entries.push(run(
        &mut performance,
        Command::ScanTicket {
            barcode: first_barcode,
        },
        Timestamp(AT.0 + 2_500),
    ));
    // Since format 6: the child's ticket refunded, before the snapshot.
    entries.push(run(
        &mut performance,
        Command::RefundTickets {
            transaction: TransactionId(1),
            tickets: vec![1],
            withhold: false,
        },
        Timestamp(AT.0 + 2_500),
    ));
    // Since format 8: a channel's allocation of a seat and two places, and a live hold of the
    // channel's that takes one of those places (in the snapshot, expired after it).
    entries.push(run(
        &mut performance,
        Command::Allocate {
            channel: "redchair".into(),
            seats: vec!["S-A3".into()],
            places: vec![("GA".into(), 2)],
        },
        Timestamp(AT.0 + 2_500),
    ));
    entries.push(run(
        &mut performance,
        Command::PlaceHold {
            transaction: TransactionId(4),
            owner: owner.clone(),
            ip: "203.0.113.7".into(),
            selection: Selection::places(vec![("GA".into(), 1)]),
            lock_until: None,
            access: crate::domain::Access::Channel("redchair".into()),
        },
        Timestamp(AT.0 + 2_500),
    ));
    let refund = RefundRecord {
        order: OrderNumber(100_001),
        seq: 1,
        tickets: vec![(id.clone(), 1)],
        amount: Amount::parse("29.50").expect("an amount"),
        order_fees: Amount::parse("0.00").expect("an amount"),
        currency: Currency::parse("GBP").expect("a currency"),
        payment: None,
        reason: "ill".into(),
        withhold: false,
        at: Timestamp(AT.0 + 2_500),
        by: owner.clone(),
    };
    let covered = entries.len() as u64;
    let order = OrderRecord {
        number: OrderNumber(100_001),
        transaction: TransactionId(1),
        performances: vec![id.clone()],
        client: owner.clone(),
        customer_name: "Joe User".into(),
        customer_email: "joe@example.com".into(),
        created_at: Timestamp(AT.0 + 2_000),
        payment: Some(
            Payment::new(
                "card",
                "ch_1",
                Amount::parse("130.00").expect("an amount"),
                Currency::parse("GBP").expect("a currency"),
            )
            .expect("a payment"),
        ),
        // Since format 6: the order's child ticket was sold with a discount code.
        discount_code: Some("KIDS".into()),
        discount_uses: 1,
    };
    let kids = DiscountCode::new(
        "KIDS",
        Reduction::Percent(Amount::parse("10").expect("an amount")),
        None,
        None,
        Some(100),
        DiscountScope {
            ticket_types: vec!["CHILD".into()],
            ..DiscountScope::default()
        },
    )
    .expect("a code");
    let applied = TransactionRecord {
        transaction: TransactionId(1),
        metadata: BTreeMap::from([("note".to_owned(), "aisle".to_owned())]),
        discount_code: Some("KIDS".into()),
    };
    let idempotency = IdempotencyRecord {
        client: owner.clone(),
        key: "key-1".into(),
        fingerprint: [9; 32],
        transaction: TransactionId(1),
        holds: vec![(id.clone(), sold)],
    };
    write(Batch {
        entries: entries.drain(..).map(|entry| (id.clone(), entry)).collect(),
        records: vec![
            Record::DiscountCode(DiscountCodeRecord {
                code: kids,
                created_at: AT,
            }),
            Record::Transaction(applied),
            Record::Order(order),
            Record::Refund(refund),
            Record::Idempotency(idempotency),
        ],
        ..Batch::default()
    });
    write(Batch {
        snapshot: Some(Snapshot {
            performance: id.clone(),
            seq: covered,
            at: Timestamp(AT.0 + 2_500),
            state: performance.state(),
        }),
        ..Batch::default()
    });
    let after = vec![
        run(
            &mut performance,
            place(3, seats(&["S-B1"])),
            Timestamp(AT.0 + 3_000),
        ),
        run(
            &mut performance,
            Command::ReleaseHold {
                transaction: TransactionId(3),
            },
            Timestamp(AT.0 + 4_000),
        ),
        run(
            &mut performance,
            Command::ExpireHolds,
            Timestamp(AT.0 + 400_000),
        ),
        run(
            &mut performance,
            Command::ChangeHoldbacks {
                withhold: vec!["S-B6".into()],
                release: Vec::new(),
                // Since format 8: a standing place withheld too.
                withhold_places: vec![("GA".into(), 1)],
                release_places: Vec::new(),
            },
            Timestamp(AT.0 + 401_000),
        ),
        // Since format 8: off sale.
        run(
            &mut performance,
            Command::SetStatus {
                status: crate::domain::SaleStatus::OffSale,
            },
            Timestamp(AT.0 + 402_000),
        ),
    ];
    write(Batch {
        entries: after.into_iter().map(|entry| (id.clone(), entry)).collect(),
        ..Batch::default()
    });
    // Since format 2: a released hold archived as a snapshot would (the next snapshot's
    // batch); the performance's own state is unchanged by it.
    let released = performance
        .hold(TransactionId(3))
        .cloned()
        .expect("the released hold");
    write(Batch {
        records: vec![Record::Archived(ArchivedHold {
            performance: id.clone(),
            hold: std::sync::Arc::new(released),
        })],
        ..Batch::default()
    });
    store
}

fn dump(store: &MemoryStore) -> Vec<u8> {
    let mut bytes = Vec::new();
    store.tamper(|map| {
        for (key, value) in map.iter() {
            for part in [key, value] {
                bytes.extend_from_slice(&(part.len() as u32).to_be_bytes());
                bytes.extend_from_slice(part);
            }
        }
    });
    bytes
}

fn undump(bytes: &[u8]) -> BTreeMap<Vec<u8>, Vec<u8>> {
    fn next(bytes: &[u8], at: &mut usize) -> Vec<u8> {
        let length = u32::from_be_bytes(bytes[*at..*at + 4].try_into().expect("4 bytes")) as usize;
        let part = bytes[*at + 4..*at + 4 + length].to_vec();
        *at += 4 + length;
        part
    }
    let mut map = BTreeMap::new();
    let mut at = 0;
    while at < bytes.len() {
        let key = next(bytes, &mut at);
        let value = next(bytes, &mut at);
        map.insert(key, value);
    }
    map
}

#[test]
#[ignore = "writes the fixture of the current format version; run once per version"]
fn write_the_current_fixture() {
    let path = fixtures().join(format!("format-v{FORMAT_VERSION}.kv"));
    std::fs::create_dir_all(fixtures()).expect("the fixtures folder");
    std::fs::write(&path, dump(&sample_store())).expect("the fixture is written");
}

#[test]
fn every_committed_fixture_loads_and_means_what_it_meant() {
    let mut versions = Vec::new();
    for entry in std::fs::read_dir(fixtures()).expect("tests/fixtures exists") {
        let path = entry.expect("a directory entry").path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(version) = name
            .strip_prefix("format-v")
            .and_then(|rest| rest.strip_suffix(".kv"))
        else {
            continue;
        };
        versions.push(version.to_owned());
        let store = MemoryStore::new();
        let map = undump(&std::fs::read(&path).expect("the fixture reads"));
        store.tamper(|stored| *stored = map);
        let recovered = store
            .load()
            .unwrap_or_else(|error| panic!("format v{version} loads: {error}"));
        assert_eq!(recovered.clients.len(), 1, "v{version}");
        let client = &recovered.clients[0];
        let scoped = version.parse::<u16>().is_ok_and(|v| v >= 8);
        assert_eq!(
            (
                client.events.clone(),
                client.channel.clone(),
                client.created_by.as_ref().map(ToString::to_string)
            ),
            if scoped {
                (
                    vec!["show".to_owned()],
                    Some("redchair".to_owned()),
                    Some("promoter".to_owned()),
                )
            } else {
                (Vec::new(), None, None)
            },
            "v{version}: a client's scope from format 8, none before"
        );
        assert_eq!(recovered.orders.len(), 1, "v{version}");
        assert_eq!(recovered.orders[0].customer_email, "joe@example.com");
        let paid = recovered.orders[0].payment.as_ref();
        if version.parse::<u16>().is_ok_and(|v| v >= 3) {
            let paid = paid.unwrap_or_else(|| panic!("v{version} keeps the payment"));
            assert_eq!((paid.method(), paid.reference()), ("card", "ch_1"));
            assert_eq!(paid.amount().to_string(), "130.00");
        } else {
            assert_eq!(
                paid, None,
                "v{version} orders were completed without a payment"
            );
        }
        let discounted = version.parse::<u16>().is_ok_and(|v| v >= 6);
        assert_eq!(
            (
                recovered.orders[0].discount_code.is_some(),
                recovered.discount_codes.len(),
                recovered.transactions.len(),
            ),
            if discounted {
                (true, 1, 1)
            } else {
                (false, 0, 0)
            },
            "v{version}: a discount code, applied and sold with, from format 6"
        );
        assert_eq!(
            recovered.refunds.len(),
            usize::from(discounted),
            "v{version}: a refund from format 6"
        );
        if discounted {
            assert_eq!(recovered.orders[0].discount_uses, 1);
            assert_eq!(
                recovered.transactions[0].discount_code.as_deref(),
                Some("KIDS")
            );
            assert_eq!(recovered.discount_codes[0].code.max_uses, Some(100));
        }
        assert_eq!(recovered.idempotency.len(), 1, "v{version}");
        assert_eq!(recovered.idempotency[0].holds[0].1.seats, [0, 1]);
        let typed = version.parse::<u16>().is_ok_and(|v| v >= 5);
        let expected_types: &[u8] = if typed { &[0, 1] } else { &[] };
        assert_eq!(
            recovered.idempotency[0].holds[0].1.ticket_types, expected_types,
            "v{version}: the second seat is a child's from format 5"
        );
        let found = recovered.performances.into_iter().next().expect("one");
        assert!(found.snapshot.is_some(), "v{version} has a snapshot");
        assert_eq!(
            found.tail.len(),
            4 + usize::from(scoped),
            "v{version}: four entries after it, and a status change from format 8"
        );
        let rebuilt = crate::actor::rebuild(found).expect("it rebuilds");
        let performance = rebuilt.performance;
        assert_eq!(performance.info().rules.valid_quantities, [1, 2, 3, 4]);
        assert_eq!(
            (
                performance.info().ticket_types.len(),
                performance.info().fees.len()
            ),
            if typed { (2, 2) } else { (0, 0) },
            "v{version}: a price list from format 5"
        );
        let drawn = version.parse::<u16>().is_ok_and(|v| v >= 7);
        let plan = performance.plan();
        let back_right = plan.find_seat("S-B6").expect("seat B6");
        assert_eq!(
            (
                plan.position(back_right),
                plan.attributes()
                    .names(plan.attributes().of(back_right))
                    .collect::<Vec<_>>()
            ),
            if drawn {
                ((4.5, 2.5), vec!["accessible"])
            } else {
                ((2.5, 1.0), vec![])
            },
            "v{version}: geometry from format 7, laid out from plan order before"
        );
        let hold = |n| performance.hold(TransactionId(n)).expect("a hold").state;
        assert_eq!(
            [hold(1), hold(2), hold(3)],
            [HoldState::Sold, HoldState::Expired, HoldState::Released]
        );
        let sold = performance.hold(TransactionId(1)).expect("sold");
        assert_eq!(sold.sale.as_ref().map(|s| s.barcodes.len()), Some(2));
        assert_eq!(sold.ticket_types, expected_types, "v{version}");
        assert!(matches!(performance.seat_status(0), SeatStatus::Sold(_)));
        assert_eq!(performance.seat_status(11), SeatStatus::Withheld);
        let refunded = version.parse::<u16>().is_ok_and(|v| v >= 6);
        let counts = performance.counts();
        assert_eq!(
            (counts.sold, counts.held, counts.withheld),
            (2 - u32::from(refunded), 0, 1),
            "v{version}: the child's seat refunded from format 6"
        );
        assert_eq!(
            performance.is_refunded(crate::domain::TicketRef {
                transaction: TransactionId(1),
                index: 1,
            }),
            refunded
        );
        assert_eq!(performance.pool_counts()[0].held, 0);
        let scans = version.parse::<u16>().is_ok_and(|v| v >= 4);
        assert_eq!(
            rebuilt.seq,
            8 + u64::from(scans) + u64::from(refunded) + 3 * u64::from(scoped),
            "v{version}"
        );
        let allocated_seat = performance.plan().find_seat("S-A3").expect("seat A3");
        if scoped {
            assert_eq!(
                performance.seat_status(allocated_seat),
                SeatStatus::Allocated
            );
            let allocations = performance.allocation_counts();
            assert_eq!(allocations.len(), 1, "v{version}");
            assert_eq!(allocations[0].channel, "redchair");
            assert_eq!(allocations[0].seats_available, 1);
            assert_eq!(
                (
                    allocations[0].places[0].size,
                    allocations[0].places[0].available
                ),
                (2, 2),
                "v{version}: the channel's expired hold gave its place back to the quota"
            );
            assert_eq!(performance.pools_withheld(), [1]);
            assert_eq!(performance.pool_available(0), 10 - 2 - 1);
            assert_eq!(
                performance.sale_status(),
                crate::domain::SaleStatus::OffSale
            );
        } else {
            assert_eq!(performance.seat_status(allocated_seat), SeatStatus::Free);
            assert!(performance.allocation_counts().is_empty());
            assert_eq!(performance.pool_available(0), 10);
            assert_eq!(performance.sale_status(), crate::domain::SaleStatus::OnSale);
        }
        let sold = performance.hold(TransactionId(1)).expect("sold");
        let barcode = &sold.sale.as_ref().expect("a sale").barcodes[0];
        let (_, scanned) = performance.find_barcode(barcode).expect("a known barcode");
        assert_eq!(
            scanned.is_some(),
            scans,
            "v{version}: the first ticket was scanned"
        );
        if version != "1" {
            let archived = store
                .archived_holds(TransactionId(3))
                .unwrap_or_else(|error| panic!("v{version} archive reads: {error}"));
            assert_eq!(archived.len(), 1, "v{version}");
            assert_eq!(archived[0].performance.as_str(), "fixture");
            assert_eq!(archived[0].hold.state, HoldState::Released);
        }
    }
    for version in 1..=FORMAT_VERSION {
        assert!(
            versions.iter().any(|v| *v == version.to_string()),
            "the fixture of format v{version} is committed: {versions:?}"
        );
    }
}
