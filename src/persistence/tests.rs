//! Persistence tests: round trips on both stores, corruption and gaps detected with a typed
//! error, the 64 KiB value bound at the largest case, snapshot generations and fallback, the
//! sync seam, and the property that snapshot + tail = full replay = live state.

use std::sync::Arc;

use proptest::prelude::*;

use super::layout::VALUE_SIZE_MAX;
use super::*;
use crate::domain::test::plan_spec;
use crate::domain::{
    ClientId, Command, EventId, EventInfo, Performance, PerformanceId, PerformanceInfo, PlanSpec,
    Rules, SeatingPlan, Selection, Timestamp, TransactionId,
};

const NOW: Timestamp = Timestamp(1_000_000);

fn info(id: &str) -> PerformanceInfo {
    PerformanceInfo {
        id: PerformanceId::parse(id).unwrap(),
        event: EventInfo {
            id: EventId::parse("show").unwrap(),
            name: "Show".into(),
            venue: "Hall".into(),
            city: "Town".into(),
        },
        starts_at: Timestamp(i64::MAX / 2),
        hold_seconds: 180,
        rules: Rules {
            contiguous_seats_only: false,
            no_single_seat_gaps: false,
            valid_quantities: (1..=10).collect(),
            ..Rules::default()
        },
        ticket_types: Vec::new(),
        fees: Vec::new(),
    }
}

/// A performance over `spec` and the entries that `holds` best-available holds of `size`
/// produce, every third one sold.
fn history(id: &str, spec: &PlanSpec, holds: u32, size: u32) -> (Performance, Vec<Entry>) {
    let plan = SeatingPlan::build(spec.clone(), usize::MAX).unwrap();
    let mut performance = Performance::new(info(id), plan);
    let mut entries = Vec::new();
    let run = |performance: &mut Performance, command: Command, entries: &mut Vec<Entry>| {
        if let Ok(Some(change)) = performance.decide(&command, NOW) {
            performance.apply(&change);
            entries.push(Entry {
                seq: entries.len() as u64 + 1,
                at: NOW,
                change,
            });
        }
    };
    for index in 0..holds {
        let transaction = TransactionId(u128::from(index));
        let selection = Selection::BestAvailable {
            quantity: size,
            price_band: None,
            preferred: Vec::new(),
            ticket_type: None,
            filters: Default::default(),
        };
        let owner = ClientId::parse("shop").unwrap();
        run(
            &mut performance,
            Command::PlaceHold {
                transaction,
                owner,
                ip: "127.0.0.1".into(),
                selection,
                lock_until: None,
                access: Default::default(),
            },
            &mut entries,
        );
        if index % 3 == 0 {
            let sell = Command::SellHold {
                transaction,
                order_number: crate::domain::OrderNumber(u64::from(index)),
                barcode_seed: 7,
            };
            run(&mut performance, sell, &mut entries);
        }
    }
    (performance, entries)
}

fn record(id: &str, spec: &PlanSpec) -> Record {
    Record::Performance(PerformanceRecord {
        info: info(id),
        plan: spec.clone(),
    })
}

fn write_all(store: &dyn Store, id: &str, spec: &PlanSpec, entries: &[Entry]) {
    let mut batch = Batch {
        records: vec![record(id, spec)],
        ..Batch::default()
    };
    let performance = PerformanceId::parse(id).unwrap();
    batch.entries = entries
        .iter()
        .map(|e| (performance.clone(), e.clone()))
        .collect();
    block_on(store.write(batch)).unwrap().unwrap();
}

/// Waits for a memory-store write, which completes before `write` returns.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    futures_util::FutureExt::now_or_never(future).expect("the memory store answers at once")
}

/// Rebuilds a performance the way start-up does.
fn rebuild(found: &RecoveredPerformance) -> Performance {
    let plan = SeatingPlan::build(found.record.plan.clone(), usize::MAX).unwrap();
    let mut performance = match &found.snapshot {
        Some(snapshot) => {
            Performance::restore(found.record.info.clone(), plan, snapshot.state.clone())
        }
        None => Performance::new(found.record.info.clone(), plan),
    };
    for entry in &found.tail {
        performance.apply(&entry.change);
    }
    performance
}

#[test]
fn journal_entries_come_back_in_order_for_each_performance() {
    let store = MemoryStore::new();
    let spec = plan_spec(&[&[(1, 10)], &[(1, 10)]]);
    let (live_a, entries_a) = history("a", &spec, 6, 2);
    let (live_b, entries_b) = history("a-2", &spec, 3, 3);
    write_all(&store, "a", &spec, &entries_a[..4]);
    write_all(&store, "a-2", &spec, &entries_b);
    let performance = PerformanceId::parse("a").unwrap();
    let rest = entries_a[4..]
        .iter()
        .map(|e| (performance.clone(), e.clone()))
        .collect();
    block_on(store.write(Batch {
        entries: rest,
        ..Batch::default()
    }))
    .unwrap()
    .unwrap();

    let recovered = store.load().unwrap();
    assert_eq!(recovered.performances.len(), 2);
    let a = recovered
        .performances
        .iter()
        .find(|p| p.record.info.id.as_str() == "a")
        .unwrap();
    let b = recovered
        .performances
        .iter()
        .find(|p| p.record.info.id.as_str() == "a-2")
        .unwrap();
    assert_eq!(a.tail, entries_a);
    assert_eq!(b.tail, entries_b);
    assert!(a.corruption.is_none() && b.corruption.is_none());
    assert_eq!(rebuild(a), live_a);
    assert_eq!(rebuild(b), live_b);
}

#[test]
fn a_damaged_entry_halts_only_its_performance_with_a_typed_error() {
    let store = MemoryStore::new();
    let spec = plan_spec(&[&[(1, 10)]]);
    let (_, entries) = history("a", &spec, 5, 1);
    write_all(&store, "a", &spec, &entries);
    write_all(&store, "b", &spec, &entries);
    store.tamper(|map| {
        let key = map
            .keys()
            .find(|k| k.starts_with(b"j/a\0"))
            .unwrap()
            .clone();
        let value = map.get_mut(&key).unwrap();
        let middle = value.len() / 2;
        value[middle] ^= 0x40;
    });
    let recovered = store.load().unwrap();
    let a = recovered
        .performances
        .iter()
        .find(|p| p.record.info.id.as_str() == "a")
        .unwrap();
    let b = recovered
        .performances
        .iter()
        .find(|p| p.record.info.id.as_str() == "b")
        .unwrap();
    assert!(
        matches!(&a.corruption, Some(StorageError::Corrupt { reason, .. }) if reason.contains("checksum")),
        "{:?}",
        a.corruption
    );
    assert!(a.tail.is_empty(), "nothing after the damage is replayed");
    assert!(b.corruption.is_none());
    assert_eq!(b.tail.len(), entries.len());
}

#[test]
fn a_gap_in_sequence_numbers_is_corruption() {
    let store = MemoryStore::new();
    let spec = plan_spec(&[&[(1, 10)]]);
    let (_, entries) = history("a", &spec, 5, 1);
    // One write per entry, so each is a journal value of its own (one write's entries of a
    // performance share one value).
    write_all(&store, "a", &spec, &entries[..1]);
    let performance = PerformanceId::parse("a").unwrap();
    for entry in &entries[1..] {
        block_on(store.write(Batch {
            entries: vec![(performance.clone(), entry.clone())],
            ..Batch::default()
        }))
        .unwrap()
        .unwrap();
    }
    store.tamper(|map| {
        map.remove(&[b"j/".as_slice(), &entry_key("a", 3)].concat());
    });
    let recovered = store.load().unwrap();
    let a = &recovered.performances[0];
    assert!(
        matches!(&a.corruption, Some(StorageError::Corrupt { reason, .. }) if reason.contains("gap")),
        "{:?}",
        a.corruption
    );
    assert_eq!(a.tail.len(), 2, "the entries before the gap are intact");
}

#[test]
fn a_snapshot_inside_a_journal_group_is_followed_by_the_rest_of_the_group() {
    let store = MemoryStore::new();
    let spec = plan_spec(&[&[(1, 10)]]);
    let (live, entries) = history("a", &spec, 6, 1);
    // One write: the six entries are one journal value, keyed by the last.
    write_all(&store, "a", &spec, &entries);
    let plan = SeatingPlan::build(spec.clone(), usize::MAX).unwrap();
    let mut covered = Performance::new(info("a"), plan);
    for entry in &entries[..4] {
        covered.apply(&entry.change);
    }
    block_on(store.write(Batch {
        snapshot: Some(Snapshot {
            performance: PerformanceId::parse("a").unwrap(),
            seq: 4,
            at: NOW,
            state: covered.state(),
        }),
        ..Batch::default()
    }))
    .unwrap()
    .unwrap();
    let mut journal_values = 0;
    store.tamper(|map| journal_values = map.keys().filter(|k| k.starts_with(b"j/a\0")).count());
    assert_eq!(journal_values, 1, "one journal value");
    let recovered = store.load().unwrap();
    let found = &recovered.performances[0];
    assert!(found.corruption.is_none(), "{:?}", found.corruption);
    assert_eq!(found.snapshot.as_ref().map(|s| s.seq), Some(4));
    assert_eq!(
        found.tail,
        entries[4..],
        "the group's entries after the snapshot"
    );
    assert_eq!(rebuild(found), live);
    let history = store.journal(&PerformanceId::parse("a").unwrap()).unwrap();
    assert_eq!(
        history, entries,
        "the whole history reads through the group"
    );
}

#[test]
fn archiving_a_hold_ends_its_basket_intent_and_no_other() {
    let store = MemoryStore::new();
    let spec = plan_spec(&[&[(1, 10)]]);
    let (live, entries) = history("a", &spec, 2, 1);
    write_all(&store, "a", &spec, &entries);
    let basket = |n: u128| {
        Record::Basket(BasketRecord {
            transaction: TransactionId(n),
            performances: vec![PerformanceId::parse("a").unwrap()],
        })
    };
    block_on(store.write(Batch {
        records: vec![basket(0), basket(7)],
        ..Batch::default()
    }))
    .unwrap()
    .unwrap();
    let archived = |n: u128| {
        Record::Archived(ArchivedHold {
            performance: PerformanceId::parse("a").unwrap(),
            hold: Arc::new(live.hold(TransactionId(n)).unwrap().clone()),
        })
    };
    // Transaction 0 is a basket; transaction 1 never was one.
    block_on(store.write(Batch {
        records: vec![archived(0), archived(1)],
        ..Batch::default()
    }))
    .unwrap()
    .unwrap();
    let recovered = store.load().unwrap();
    let left: Vec<TransactionId> = recovered.baskets.iter().map(|b| b.transaction).collect();
    assert_eq!(
        left,
        [TransactionId(7)],
        "only the archived basket's intent ended"
    );
    assert_eq!(store.archived_holds(TransactionId(0)).unwrap().len(), 1);
    assert_eq!(store.archived_holds(TransactionId(1)).unwrap().len(), 1);
}

/// A 50,000-seat stadium: 250 rows of two 100-seat blocks.
fn stadium() -> PlanSpec {
    let mut spec = plan_spec(&[]);
    spec.sections[0].rows = (0..250)
        .map(|row| crate::domain::RowSpec {
            row: format!("R{row}-"),
            blocks: vec![
                crate::domain::BlockSpec::new(1, 100, "A"),
                crate::domain::BlockSpec::new(101, 200, "A"),
            ],
            y: None,
        })
        .collect();
    spec
}

#[test]
fn no_stored_value_is_over_64_kib_for_a_50000_seat_performance_with_many_holds() {
    let store = MemoryStore::new();
    let spec = stadium();
    let (live, entries) = history("stadium", &spec, 12_000, 4);
    assert!(entries.len() > 15_000);
    write_all(&store, "stadium", &spec, &entries);
    let snapshot = Snapshot {
        performance: PerformanceId::parse("stadium").unwrap(),
        seq: entries.len() as u64,
        at: NOW,
        state: live.state(),
    };
    block_on(store.write(Batch {
        snapshot: Some(snapshot),
        ..Batch::default()
    }))
    .unwrap()
    .unwrap();
    let sizes = store.value_sizes();
    assert!(
        sizes[0] <= VALUE_SIZE_MAX,
        "largest value is {} bytes",
        sizes[0]
    );
    let recovered = store.load().unwrap();
    let found = &recovered.performances[0];
    assert!(found.snapshot.is_some());
    assert!(found.tail.is_empty());
    assert_eq!(rebuild(found), live);
}

#[test]
fn two_snapshot_generations_are_kept_and_a_damaged_newest_falls_back_to_the_older() {
    let store = MemoryStore::new();
    let spec = plan_spec(&[&[(1, 20)], &[(1, 20)]]);
    let (live, entries) = history("a", &spec, 12, 2);
    let id = PerformanceId::parse("a").unwrap();
    block_on(store.write(Batch {
        records: vec![record("a", &spec)],
        ..Batch::default()
    }))
    .unwrap()
    .unwrap();
    // Replay in three stretches with a snapshot after each.
    let mut replica = Performance::new(
        info("a"),
        SeatingPlan::build(spec.clone(), usize::MAX).unwrap(),
    );
    for stretch in entries.chunks(entries.len() / 3 + 1) {
        for entry in stretch {
            replica.apply(&entry.change);
        }
        let seq = stretch.last().unwrap().seq;
        let batch = Batch {
            entries: stretch.iter().map(|e| (id.clone(), e.clone())).collect(),
            snapshot: Some(Snapshot {
                performance: id.clone(),
                seq,
                at: NOW,
                state: replica.state(),
            }),
            ..Batch::default()
        };
        block_on(store.write(batch)).unwrap().unwrap();
    }
    let manifests = |store: &MemoryStore| {
        let mut count = 0;
        store.tamper(|map| count = map.keys().filter(|k| k.starts_with(b"m/a\0")).count());
        count
    };
    assert_eq!(manifests(&store), 2, "two generations are kept");
    let loaded = store.load().unwrap();
    assert_eq!(rebuild(&loaded.performances[0]), live);
    // The journal is kept whole, as history, while a restart reads only the newest
    // snapshot's tail.
    assert_eq!(store.journal(&id).unwrap(), entries);
    assert!(loaded.performances[0].tail.len() < entries.len());

    store.tamper(|map| {
        let newest = map
            .keys()
            .filter(|k| k.starts_with(b"m/a\0"))
            .max()
            .unwrap()
            .clone();
        let value = map.get_mut(&newest).unwrap();
        value[10] ^= 1;
    });
    let recovered = store.load().unwrap();
    let found = &recovered.performances[0];
    assert!(found.corruption.is_none(), "{:?}", found.corruption);
    assert!(
        !found.tail.is_empty(),
        "the journal after the older snapshot is still there"
    );
    assert_eq!(rebuild(found), live);
}

#[test]
fn records_other_than_entries_round_trip() {
    let store = MemoryStore::new();
    let client = ClientRecord {
        id: ClientId::parse("shop").unwrap(),
        name: "Shop".into(),
        role: "sales".into(),
        key_digest: [7; 32],
        channel: None,
        created_by: None,
        events: Vec::new(),
    };
    let order = OrderRecord {
        number: crate::domain::OrderNumber(100_001),
        transaction: TransactionId(9),
        performances: vec![PerformanceId::parse("a").unwrap()],
        client: client.id.clone(),
        customer_name: "Joe".into(),
        customer_email: "joe@example.com".into(),
        created_at: NOW,
        payment: None,
        discount_code: None,
        discount_uses: 0,
    };
    let batch = Batch {
        records: vec![Record::Client(client.clone()), Record::Order(order.clone())],
        ..Batch::default()
    };
    block_on(store.write(batch)).unwrap().unwrap();
    let recovered = store.load().unwrap();
    assert_eq!(recovered.clients, [client]);
    assert_eq!(recovered.orders, [order]);
}

#[test]
fn the_sled_store_syncs_before_it_acknowledges_and_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let config = StoreConfig {
        path: dir.path().to_path_buf(),
        durability: Durability::Fsync,
        cache_capacity_bytes: 8 << 20,
        disk_reserve_bytes: 0,
        faults: None,
    };
    let spec = plan_spec(&[&[(1, 10)], &[(1, 10)]]);
    let (live, entries) = history("a", &spec, 8, 2);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    {
        let store = SledStore::open(&config, None).unwrap();
        runtime.block_on(async {
            store
                .write(Batch {
                    records: vec![record("a", &spec)],
                    ..Batch::default()
                })
                .await
                .unwrap()
                .unwrap();
            let id = PerformanceId::parse("a").unwrap();
            for entry in &entries {
                let before = store.stats();
                store
                    .write(Batch {
                        entries: vec![(id.clone(), entry.clone())],
                        ..Batch::default()
                    })
                    .await
                    .unwrap()
                    .unwrap();
                let after = store.stats();
                assert!(
                    after.syncs > before.syncs,
                    "a reply came only after a data-file sync"
                );
            }
        });
        let stats = store.stats();
        assert_eq!(
            stats.syncs, stats.commits,
            "every commit in fsync mode syncs once"
        );
        store.close();
    }
    let reopened = SledStore::open(&config, None).unwrap();
    let recovered = reopened.load().unwrap();
    assert_eq!(recovered.performances[0].tail, entries);
    assert_eq!(rebuild(&recovered.performances[0]), live);
}

#[test]
fn concurrent_writes_are_group_committed() {
    let dir = tempfile::tempdir().unwrap();
    let config = StoreConfig {
        path: dir.path().to_path_buf(),
        durability: Durability::Fsync,
        cache_capacity_bytes: 8 << 20,
        disk_reserve_bytes: 0,
        faults: None,
    };
    let store = SledStore::open(&config, None).unwrap();
    let id = PerformanceId::parse("a").unwrap();
    let spec = plan_spec(&[&[(1, 10)]]);
    let (_, entries) = history("a", &spec, 300, 1);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let pending: Vec<Durable> = entries
            .iter()
            .map(|e| {
                store.write(Batch {
                    entries: vec![(id.clone(), e.clone())],
                    ..Batch::default()
                })
            })
            .collect();
        for durable in pending {
            durable.await.unwrap().unwrap();
        }
    });
    let stats = store.stats();
    assert_eq!(stats.requests, entries.len() as u64);
    assert!(
        stats.commits < stats.requests,
        "{stats:?}: requests queued during a flush share the next one"
    );
}

fn sled_config(path: &std::path::Path, faults: Option<JournalFaults>) -> StoreConfig {
    StoreConfig {
        path: path.to_path_buf(),
        durability: Durability::Fsync,
        cache_capacity_bytes: 8 << 20,
        disk_reserve_bytes: 0,
        faults,
    }
}

fn entry_batch(id: &PerformanceId, entry: &Entry) -> Batch {
    Batch {
        entries: vec![(id.clone(), entry.clone())],
        ..Batch::default()
    }
}

#[test]
fn a_failed_commit_stops_the_sled_store_and_a_reopen_finds_only_what_was_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let faults = JournalFaults::new();
    let spec = plan_spec(&[&[(1, 10)], &[(1, 10)]]);
    let (_, entries) = history("a", &spec, 6, 2);
    let id = PerformanceId::parse("a").unwrap();
    let failures = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let hook: FailureHook = Box::new({
        let failures = Arc::clone(&failures);
        move |_| {
            failures.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let acknowledged = 4;
    let store =
        SledStore::open(&sled_config(dir.path(), Some(faults.clone())), Some(hook)).unwrap();
    runtime.block_on(async {
        store
            .write(Batch {
                records: vec![record("a", &spec)],
                ..Batch::default()
            })
            .await
            .unwrap()
            .unwrap();
        for entry in &entries[..acknowledged] {
            store.write(entry_batch(&id, entry)).await.unwrap().unwrap();
        }
        faults.fail_next_commit();
        let failed = store.write(entry_batch(&id, &entries[acknowledged])).await;
        assert!(matches!(failed, Ok(Err(StorageError::Io(_)))), "{failed:?}");
        // Fail-stop: the next write is refused without reaching sled, though the injected
        // fault is spent and the disk is fine.
        let later = store.write(entry_batch(&id, &entries[acknowledged])).await;
        assert!(matches!(later, Ok(Err(StorageError::Stopped))), "{later:?}");
    });
    assert!(store.has_failed());
    assert_eq!(
        failures.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "the failure hook runs once"
    );
    store.close();
    let reopened = SledStore::open(&sled_config(dir.path(), None), None).unwrap();
    let recovered = reopened.load().unwrap();
    assert_eq!(recovered.performances[0].tail, entries[..acknowledged]);
    assert!(recovered.performances[0].corruption.is_none());
}

#[test]
fn paused_commits_acknowledge_nothing_until_resumed() {
    let dir = tempfile::tempdir().unwrap();
    let faults = JournalFaults::new();
    let store = SledStore::open(&sled_config(dir.path(), Some(faults.clone())), None).unwrap();
    let spec = plan_spec(&[&[(1, 10)]]);
    let (_, entries) = history("a", &spec, 5, 1);
    let id = PerformanceId::parse("a").unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    faults.pause();
    let before = store.stats();
    let mut pending: Vec<Durable> = entries
        .iter()
        .map(|e| store.write(entry_batch(&id, e)))
        .collect();
    runtime.block_on(faults.wait_for_writes(entries.len() as u64));
    for durable in &mut pending {
        assert!(
            matches!(
                durable.try_recv(),
                Err(tokio::sync::oneshot::error::TryRecvError::Empty)
            ),
            "nothing is acknowledged while commits are held"
        );
    }
    assert_eq!(store.stats(), before);
    faults.resume();
    runtime.block_on(async {
        for durable in pending {
            durable.await.unwrap().unwrap();
        }
    });
    assert!(!store.has_failed());
}

#[test]
fn closing_the_sled_store_releases_its_directory_while_handles_remain() {
    let dir = tempfile::tempdir().unwrap();
    let first = SledStore::open(&sled_config(dir.path(), None), None).unwrap();
    // An actor that has not stopped yet still holds the store.
    let lingering: Arc<dyn Store> = first.clone();
    first.close();
    let second = SledStore::open(&sled_config(dir.path(), None), None)
        .expect("the directory is free once the first store is closed");
    assert!(second.load().unwrap().performances.is_empty());
    assert!(matches!(lingering.load(), Err(StorageError::Stopped)));
}

#[test]
fn snapshots_queued_behind_a_slow_write_are_written_once_as_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    let faults = JournalFaults::new();
    let store = SledStore::open(&sled_config(dir.path(), Some(faults.clone())), None).unwrap();
    let spec = plan_spec(&[&[(1, 10)], &[(1, 10)]]);
    let (live, entries) = history("a", &spec, 6, 2);
    let id = PerformanceId::parse("a").unwrap();
    let mut batch = Batch {
        records: vec![record("a", &spec)],
        ..Batch::default()
    };
    batch.entries = entries.iter().map(|e| (id.clone(), e.clone())).collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(store.write(batch)).unwrap().unwrap();
    let mut replica = Performance::new(
        info("a"),
        SeatingPlan::build(spec.clone(), usize::MAX).unwrap(),
    );
    let snapshots: Vec<Batch> = entries
        .iter()
        .map(|entry| {
            replica.apply(&entry.change);
            Batch {
                snapshot: Some(Snapshot {
                    performance: id.clone(),
                    seq: entry.seq,
                    at: NOW,
                    state: replica.state(),
                }),
                ..Batch::default()
            }
        })
        .collect();
    let count = snapshots.len() as u64;

    // Held commits make the snapshots queue up, as a slow disk under load would.
    faults.pause();
    let before = store.stats().commits;
    let pending: Vec<Durable> = snapshots.into_iter().map(|b| store.write(b)).collect();
    faults.resume();
    runtime.block_on(async {
        for durable in pending {
            durable.await.unwrap().unwrap();
        }
    });
    // At most the first snapshot, taken before the others queued, and then the newest,
    // each behind one journal barrier; one commit per snapshot would be twice `count`.
    let commits = store.stats().commits - before;
    assert!(
        commits <= 4,
        "{commits} commits for {count} queued snapshots"
    );
    // Superseded snapshots were never written: two generations at most, as always.
    let generations = store.count_keys(b"m/a\0");
    assert!(generations <= 2, "{generations} snapshot generations kept");
    store.close();
    let reopened = SledStore::open(&sled_config(dir.path(), None), None).unwrap();
    let recovered = reopened.load().unwrap();
    let found = &recovered.performances[0];
    assert_eq!(found.snapshot.as_ref().map(|s| s.seq), Some(count));
    assert!(found.tail.is_empty());
    assert_eq!(rebuild(found), live);
}

#[derive(Clone, Debug)]
enum Step {
    Hold { quantity: u32 },
    Sell { back: usize },
    Release { back: usize },
    Extend { back: usize },
    Advance { seconds: u32 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (1_u32..4).prop_map(|quantity| Step::Hold { quantity }),
        (0_usize..6).prop_map(|back| Step::Sell { back }),
        (0_usize..6).prop_map(|back| Step::Release { back }),
        (0_usize..6).prop_map(|back| Step::Extend { back }),
        (1_u32..200).prop_map(|seconds| Step::Advance { seconds }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn snapshot_plus_tail_equals_full_replay_equals_live(steps in prop::collection::vec(step(), 1..60), cut in 0_usize..60) {
        let spec = plan_spec(&[&[(1, 6), (7, 12)], &[(1, 8)]]);
        let plan = Arc::new(SeatingPlan::build(spec.clone(), usize::MAX).unwrap());
        let mut live = Performance::new(info("p"), Arc::clone(&plan));
        let mut now = NOW;
        let mut changes = Vec::new();
        let mut snapshot = None;
        let mut placed: Vec<TransactionId> = Vec::new();
        for (index, step) in steps.iter().enumerate() {
            if index == cut {
                snapshot = Some((changes.len(), live.state()));
            }
            let pick = |back: usize| placed.iter().rev().nth(back).copied();
            let command = match step {
                Step::Hold { quantity } => {
                    let transaction = TransactionId(index as u128);
                    placed.push(transaction);
                    Some(Command::PlaceHold { transaction, owner: ClientId::parse("c").unwrap(), ip: String::new(), selection: Selection::BestAvailable { quantity: *quantity, price_band: None, preferred: Vec::new(), ticket_type: None, filters: Default::default() }, lock_until: None, access: Default::default() })
                }
                Step::Sell { back } => pick(*back).map(|transaction| Command::SellHold { transaction, order_number: crate::domain::OrderNumber(index as u64), barcode_seed: index as u64 }),
                Step::Release { back } => pick(*back).map(|transaction| Command::ReleaseHold { transaction }),
                Step::Extend { back } => pick(*back).map(|transaction| Command::ExtendHold { transaction }),
                Step::Advance { seconds } => {
                    now = now.plus_seconds(*seconds);
                    Some(Command::ExpireHolds)
                }
            };
            for command in [Some(Command::ExpireHolds), command].into_iter().flatten() {
                if let Ok(Some(change)) = live.decide(&command, now) {
                    live.apply(&change);
                    changes.push(change);
                }
            }
        }
        let mut replayed = Performance::new(info("p"), Arc::clone(&plan));
        for change in &changes {
            replayed.apply(change);
        }
        prop_assert!(replayed == live, "full replay differs from the live state");
        let (covered, state) = snapshot.unwrap_or((0, Performance::new(info("p"), Arc::clone(&plan)).state()));
        // Through the store's encoding, as start-up would read it.
        let store = MemoryStore::new();
        let id = PerformanceId::parse("p").unwrap();
        let entries: Vec<(PerformanceId, Entry)> = changes.iter().enumerate().map(|(i, c)| (id.clone(), Entry { seq: i as u64 + 1, at: NOW, change: c.clone() })).collect();
        block_on(store.write(Batch { records: vec![record("p", &spec)], entries: entries[..covered].to_vec(), ..Batch::default() })).unwrap().unwrap();
        if covered > 0 {
            block_on(store.write(Batch { snapshot: Some(Snapshot { performance: id.clone(), seq: covered as u64, at: NOW, state }), ..Batch::default() })).unwrap().unwrap();
        }
        block_on(store.write(Batch { entries: entries[covered..].to_vec(), ..Batch::default() })).unwrap().unwrap();
        let recovered = store.load().unwrap();
        prop_assert!(recovered.performances[0].corruption.is_none());
        prop_assert!(rebuild(&recovered.performances[0]) == live, "snapshot + tail differs from the live state");
    }
}
