//! Start-up: rebuilding the engine from what the store holds.
//!
//! Order matters: every performance is rebuilt first (snapshot plus journal tail), then the
//! coordinator from every hold and order record, which says how each prepared hold ends
//! (sold when its order was committed, rolled back otherwise). Each actor carries out those
//! resolutions as it starts, before it expires a lock or serves a request, so no basket is
//! ever seen half sold and no prepared hold expires.

use std::collections::HashMap;
use std::sync::Arc;

use super::clients::client_of;
use super::{Engine, TransactionView, random_u64};
use crate::actor::clients::Role;
use crate::actor::coordinator::{Coordinator, Ending, StoredRecords};
use crate::actor::messages::HoldView;
use crate::actor::performance_core::{Rebuilt, SettleAction, Settlement, rebuild};
use crate::domain::{PerformanceId, SeatingPlan, Timestamp};
use crate::persistence::{Batch, Forgotten, IdempotencyRecord, Record, Recovered};

/// What start-up found and did.
#[derive(Clone, Copy, Debug, Default)]
pub struct RecoveryReport {
    /// Performances now served.
    pub performances: usize,
    /// Performances halted because their stored history is damaged.
    pub halted: usize,
    /// Journal entries replayed after snapshots.
    pub replayed: usize,
    /// Performances restored from a snapshot.
    pub from_snapshots: usize,
    /// Orders loaded.
    pub orders: usize,
    /// Remembered answers past their retention, dropped.
    pub answers_forgotten: usize,
    /// Prepared holds sold because their order was committed before the stop.
    pub rolled_forward: usize,
    /// Prepared holds rolled back because their order was not, and holds of baskets placed
    /// only in part, released.
    pub rolled_back: usize,
}

impl Engine {
    /// Rebuilds the engine from what the store holds: clients, every performance (newest
    /// valid snapshot plus the journal after it; a damaged one is halted, never served cut
    /// short), the coordinator (transaction index, orders, people) and idempotency answers.
    /// Actors finish interrupted completions, then release locks that fell due while the
    /// server was down, as they start.
    pub fn recover(&self, recovered: Recovered) -> RecoveryReport {
        let mut report = RecoveryReport::default();
        for record in recovered.clients {
            if let Some(client) = client_of(record) {
                self.clients.restore(client);
            }
        }
        let mut rebuilt_all: Vec<Rebuilt> = Vec::new();
        for found in recovered.performances {
            let id = found.record.info.id.clone();
            // Every performance of an event carries the event as it was when the event was
            // created; data from before that rule may disagree, so a field left empty by one
            // is taken from another.
            let event = &found.record.info.event;
            self.events
                .entry(event.id.clone())
                .and_modify(|known| {
                    if known.venue.is_empty() {
                        known.venue.clone_from(&event.venue);
                    }
                    if known.city.is_empty() {
                        known.city.clone_from(&event.city);
                    }
                })
                .or_insert_with(|| event.clone());
            let replayed = found.tail.len();
            match rebuild(found) {
                Ok(rebuilt) => {
                    report.from_snapshots += usize::from(rebuilt.from_snapshot);
                    report.replayed += replayed;
                    rebuilt_all.push(rebuilt);
                }
                Err(reason) => {
                    tracing::error!(performance = %id, %reason, "stored history cannot be served: this performance is halted");
                    self.registry.halt(id, reason.to_string());
                    report.halted += 1;
                }
            }
        }
        report.orders = recovered.orders.len();
        let holds = rebuilt_all.iter().flat_map(|rebuilt| {
            let id = &rebuilt.performance.info().id;
            rebuilt
                .performance
                .holds()
                .iter()
                .map(move |hold| (id, hold.as_ref()))
        });
        let (coordinator, resolutions) = match Coordinator::recover(
            holds,
            StoredRecords {
                orders: recovered.orders,
                transactions: recovered.transactions,
                baskets: recovered.baskets,
                discount_codes: recovered.discount_codes,
                refunds: recovered.refunds,
            },
            &|performance, ticket| {
                rebuilt_all.iter().any(|rebuilt| {
                    rebuilt.performance.info().id == *performance
                        && rebuilt.performance.is_refunded(ticket)
                })
            },
            Arc::clone(&self.store),
        ) {
            Ok(recovered) => recovered,
            Err(error) => {
                // Serving without the index would answer 404 for live transactions.
                tracing::error!(%error, "the archive cannot be read: no performance is served");
                for rebuilt in &rebuilt_all {
                    self.registry
                        .halt(rebuilt.performance.info().id.clone(), error.to_string());
                }
                report.halted += rebuilt_all.len();
                return report;
            }
        };
        {
            let mut coordination = self.coordination();
            coordination.coordinator = coordinator;
            for widget in self.clients.with_role(Role::Widget) {
                let maker = self
                    .clients
                    .get(&widget)
                    .and_then(|client| client.scope.created_by);
                coordination.coordinator.add_widget_client(widget, maker);
            }
        }
        let mut settlements: HashMap<PerformanceId, Vec<Settlement>> = HashMap::new();
        for resolution in resolutions {
            let action = match resolution.ending {
                Ending::Sell(order) => {
                    report.rolled_forward += 1;
                    SettleAction::Sell {
                        order,
                        barcode_seed: random_u64(),
                    }
                }
                Ending::RollBack => {
                    report.rolled_back += 1;
                    SettleAction::RollBack
                }
                Ending::Release => {
                    report.rolled_back += 1;
                    SettleAction::Release
                }
                Ending::Refund { tickets, withhold } => {
                    report.rolled_forward += 1;
                    SettleAction::Refund { tickets, withhold }
                }
            };
            settlements
                .entry(resolution.performance)
                .or_default()
                .push(Settlement {
                    transaction: resolution.transaction,
                    action,
                });
        }
        let mut plans: HashMap<PerformanceId, Arc<SeatingPlan>> = HashMap::new();
        for rebuilt in rebuilt_all {
            let Rebuilt {
                performance,
                plan,
                seq,
                floor,
                ..
            } = rebuilt;
            let id = performance.info().id.clone();
            plans.insert(id.clone(), plan);
            let settle = settlements.remove(&id).unwrap_or_default();
            match self.registry.start(performance, seq, floor, settle) {
                Ok(_) => report.performances += 1,
                Err(error) => {
                    tracing::error!(performance = %id, %error, "cannot start a recovered performance")
                }
            }
        }
        // Answers past their retention are not loaded, and their records go: nothing is
        // served yet, so no request can be claiming one of these keys meanwhile.
        let oldest = Timestamp(
            self.clock
                .now()
                .0
                .saturating_sub(super::ANSWER_RETENTION_MILLIS),
        );
        let mut forgotten = Vec::new();
        for record in recovered.idempotency {
            let given = record
                .holds
                .iter()
                .map(|(_, hold)| hold.created_at)
                .max()
                .unwrap_or_default();
            if given < oldest {
                forgotten.push(Record::Forgotten(Forgotten::Hold {
                    client: record.client,
                    key: record.key,
                }));
            } else {
                self.restore_idempotency(record, given, &plans);
            }
        }
        for record in recovered.answers {
            if record.at < oldest {
                forgotten.push(Record::Forgotten(Forgotten::Answer {
                    client: record.client,
                    key: record.key,
                }));
                continue;
            }
            let answer = super::StoredAnswer {
                status: record.status,
                body: Arc::new(record.body),
            };
            self.answers.complete(
                (record.client, record.key),
                record.fingerprint,
                answer,
                record.at,
            );
        }
        report.answers_forgotten = forgotten.len();
        if !forgotten.is_empty() {
            // Not waited for: a failure stops the store, which the first write reports.
            drop(self.store.write(Batch {
                records: forgotten,
                ..Batch::default()
            }));
        }
        if report.rolled_forward + report.rolled_back > 0 {
            tracing::info!(
                rolled_forward = report.rolled_forward,
                rolled_back = report.rolled_back,
                "finished completions interrupted by the stop"
            );
        }
        report
    }

    fn restore_idempotency(
        &self,
        record: IdempotencyRecord,
        given: Timestamp,
        plans: &HashMap<PerformanceId, Arc<SeatingPlan>>,
    ) {
        let mut holds = Vec::with_capacity(record.holds.len());
        for (performance, hold) in record.holds {
            let (Some(plan), Ok(handle)) =
                (plans.get(&performance), self.registry.get(&performance))
            else {
                return;
            };
            holds.push(HoldView {
                performance: Arc::clone(handle.info()),
                plan: Arc::clone(plan),
                hold,
                explanation: None,
            });
        }
        let answer = TransactionView {
            id: record.transaction,
            holds,
            metadata: self
                .coordination()
                .coordinator
                .metadata(record.transaction)
                .unwrap_or_else(|error| {
                    tracing::error!(%error, "reading a transaction's metadata failed");
                    crate::actor::Metadata::new()
                }),
            // A hold's first answer is given before any code can be applied.
            discount: None,
        };
        self.idempotency.complete(
            (record.client, record.key),
            record.fingerprint,
            answer,
            given,
        );
    }
}
