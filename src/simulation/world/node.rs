//! Starting a server process on the simulated disk, as `holdfast serve` does: the
//! performances' definitions, then recovery (each performance rebuilt, the coordinator from
//! every hold and order, the archive hooks wired), then each core's start.

use super::*;

pub(super) fn definition(
    index: usize,
    hold_seconds: u32,
    rules: Rules,
) -> Result<PerformanceRecord, Failure> {
    let invalid = |error: crate::domain::InvalidId| Failure::new(error.to_string());
    let info = PerformanceInfo {
        id: PerformanceId::parse(&format!("p{index}")).map_err(invalid)?,
        event: EventInfo {
            id: EventId::parse("show").map_err(invalid)?,
            name: "The Show".into(),
            venue: "The Hall".into(),
            city: "Leeds".into(),
        },
        starts_at: START.plus_seconds(30 * 86_400),
        hold_seconds,
        rules,
        ticket_types: Vec::new(),
        fees: Vec::new(),
    }
    .validate()
    .and_then(|info| if index == 0 { priced(info) } else { Ok(info) })
    .map_err(|error| Failure::new(error.to_string()))?;
    Ok(PerformanceRecord {
        info,
        plan: plan_spec(ROWS),
    })
}

/// Performance 0's price list: adults everywhere, children in band A only (the seats), a
/// booking fee per ticket and a handling fee per order. The other performances declare none.
fn priced(info: PerformanceInfo) -> Result<PerformanceInfo, InvalidPlan> {
    let amount = |text: &str| Amount::parse(text).map_err(|e| InvalidPlan::BadRule(e.to_string()));
    let bands = plan_spec(ROWS).price_bands;
    Ok(PerformanceInfo {
        ticket_types: vec![
            TicketType::resolve(
                "ADULT".into(),
                "Adult".into(),
                vec![
                    ("A".into(), amount("65.00")?),
                    ("B".into(), amount("45.00")?),
                ],
                &bands,
            )?,
            TicketType::resolve(
                "CHILD".into(),
                "Child".into(),
                vec![("A".into(), amount("32.505")?)],
                &bands,
            )?,
        ],
        fees: vec![
            Fee::new("booking".into(), Some(amount("1.50")?), None)?,
            Fee::new("handling".into(), None, Some(amount("2.00")?))?,
        ],
        ..info
    })
}

/// Starts a server process on the disk: the engine's recovery, then each actor's start.
pub(super) fn start(
    disk: &MemoryStore,
    log: &DurableLog,
    wall: &ManualClock,
    metrics: &Arc<Metrics>,
    snapshot_every_entries: u64,
) -> Result<Node, Failure> {
    let journal = Arc::new(SimJournal::open(disk, Arc::clone(log)));
    let recovered = crate::persistence::Store::load(&*journal)
        .map_err(|error| Failure::new(format!("load: {error}")))?;
    let mut cores = Vec::with_capacity(PERFORMANCES);
    let mut infos = BTreeMap::new();
    let archived: Archived = Arc::default();
    for found in recovered.performances {
        let found: RecoveredPerformance = found;
        let rebuilt = rebuild(found).map_err(|error| Failure::new(format!("rebuild: {error}")))?;
        infos.insert(rebuilt.performance.info().id.clone(), cores.len());
        let clock = EngineClock::new(Arc::new(wall.clone()), rebuilt.floor);
        let store: Arc<dyn crate::persistence::Store> = journal.clone();
        let mut core = PerformanceCore::new(
            rebuilt.performance,
            rebuilt.seq,
            store,
            clock,
            Arc::clone(metrics),
            snapshot_every_entries,
        );
        let report = Arc::clone(&archived);
        core.set_on_archived(Arc::new(move |performance, transactions| {
            report
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push((performance.clone(), transactions.to_vec()));
        }));
        cores.push(core);
    }
    // Subscribed before the server changes anything: all it shows is durable.
    let followers = cores.iter().map(super::stream::Follower::of).collect();
    let idempotency = IdempotencyTable::default();
    for record in recovered.idempotency {
        let holds: Option<Vec<HoldAnswer>> = record
            .holds
            .iter()
            .map(|(id, hold)| infos.get(id).map(|&index| HoldAnswer::of(index, hold)))
            .collect();
        if let Some(holds) = holds {
            idempotency.complete(
                (record.client, record.key),
                record.fingerprint,
                Answer::Transaction(holds),
                crate::actor::Clock::now(wall),
            );
        }
    }
    // As the engine's recovery: the coordinator from every hold and order, then each core
    // ends its prepared holds before it expires a lock.
    let (coordinator, resolutions) = {
        let holds = cores.iter().flat_map(|core: &PerformanceCore| {
            let id = &core.performance().info().id;
            core.performance()
                .holds()
                .iter()
                .map(move |hold| (id, hold.as_ref()))
        });
        Coordinator::recover(
            holds,
            crate::actor::StoredRecords {
                orders: recovered.orders,
                transactions: recovered.transactions,
                baskets: recovered.baskets,
                discount_codes: recovered.discount_codes,
                refunds: recovered.refunds,
            },
            &|performance, ticket| {
                cores.iter().any(|core| {
                    core.performance().info().id == *performance
                        && core.performance().is_refunded(ticket)
                })
            },
            journal.clone(),
        )
        .map_err(|error| Failure::new(format!("recover: {error}")))?
    };
    for resolution in resolutions {
        let index = index_of(&resolution.performance).map_err(|e| Failure::new(e.to_string()))?;
        let seed = (resolution.transaction.0 as u64) ^ 0x5EED;
        let action = match resolution.ending {
            Ending::Sell(order) => SettleAction::Sell {
                order,
                barcode_seed: seed,
            },
            Ending::RollBack => SettleAction::RollBack,
            Ending::Release => SettleAction::Release,
            Ending::Refund { tickets, withhold } => SettleAction::Refund { tickets, withhold },
        };
        cores[index].settle(vec![Settlement {
            transaction: resolution.transaction,
            action,
        }]);
    }
    for core in &mut cores {
        core.expire_due();
    }
    Ok(Node {
        journal,
        cores,
        idempotency,
        coordinator,
        archived,
        runs: Vec::new(),
        changes: Vec::new(),
        refunds: Vec::new(),
        joined: Vec::new(),
        followers,
    })
}
