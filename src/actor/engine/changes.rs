//! Changing a transaction (`PATCH /transactions/{id}`): adding items, giving up tickets or
//! places, moving, and merging metadata, all or nothing, through the coordinator's
//! [`Modification`].

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Engine, HoldRequest, TransactionView};
use crate::actor::coordinator::{
    Before, Caller, ChangeStep, Modification, Planned, check_changeable, plan_parts,
};
use crate::actor::error::EngineError;
use crate::actor::messages::{GetHold, ModifyHold, PlaceHold, RestoreHold};
use crate::domain::{Access, PerformanceId, PlacesGivenUp, Selection, TicketId, TransactionId};
use crate::persistence::{Batch, Record};

/// What a `PATCH` asks for; every part optional.
#[derive(Clone, Debug, Default)]
pub struct TransactionChange {
    /// Items to add, in any of the three forms, at any performance.
    pub add: Vec<HoldRequest>,
    /// Tickets to give up.
    pub remove: Vec<TicketId>,
    /// Places to give up: (performance, pool code, quantity).
    pub remove_general_admission: Vec<(PerformanceId, PlacesGivenUp)>,
    /// Metadata to merge; `None` removes the key.
    pub metadata: BTreeMap<String, Option<String>>,
    /// The discount code to apply (`Some(None)` removes the one applied).
    pub discount_code: Option<Option<String>>,
}

impl Engine {
    /// Changes a held or checked-out transaction, all or nothing; its lock is not extended.
    ///
    /// # Errors
    /// `NotFound`/`Forbidden` for the transaction; `InvalidState` (409) for a complete or
    /// released one and `LockExpired` (410) for one past its lock; `Conflict` while another
    /// request completes or changes it; the domain's rejections for the parts.
    pub async fn change_transaction(
        self: &Arc<Self>,
        caller: &Caller,
        transaction: TransactionId,
        change: TransactionChange,
    ) -> Result<TransactionView, EngineError> {
        let route = self.route(caller, transaction)?;
        let holds = self.each_hold(&route, || GetHold { transaction }).await?;
        let current = self.view(transaction, holds)?;
        let held_count = current
            .holds
            .iter()
            .map(|view| view.hold.ticket_count())
            .sum();
        let parts = self.plan_change(
            &route.performances,
            held_count,
            current.lock_expires(),
            change.add,
            change.remove,
            change.remove_general_admission,
        )?;
        for (performance, _) in &parts {
            caller.check_reach(performance)?;
        }
        check_changeable(current.state(), current.lock_expires(), self.clock.now())?;
        let run = self.coordination().coordinator.begin_modification(
            caller,
            transaction,
            parts,
            &change.metadata,
            change.discount_code.as_ref().map(Option::as_deref),
            self.clock.now(),
        )?;
        let engine = Arc::clone(self);
        let owner = route.owner;
        let ip = caller.ip.clone();
        let access = caller.access();
        // In a task of its own, so a client that disconnects cannot leave it half made.
        let task = actix_rt::spawn(async move { engine.run_change(run, owner, ip, access).await });
        task.await.map_err(|_| EngineError::Unavailable)??;
        self.transaction(caller, transaction).await
    }

    /// Splits a change into one part per performance.
    fn plan_change(
        &self,
        held_at: &[PerformanceId],
        held_count: u64,
        lock_until: crate::domain::Timestamp,
        add: Vec<HoldRequest>,
        remove: Vec<TicketId>,
        remove_places: Vec<(PerformanceId, PlacesGivenUp)>,
    ) -> Result<Vec<(PerformanceId, Planned)>, EngineError> {
        let mut adds: BTreeMap<PerformanceId, Vec<Selection>> = BTreeMap::new();
        if !add.is_empty() {
            for (handle, selection) in self.route_hold(HoldRequest::Items(add))? {
                let items = match selection {
                    Selection::Items(items) => items,
                    single => vec![single],
                };
                adds.insert(handle.info().id.clone(), items);
            }
        }
        self.check_ticket_count(remove.len())?;
        plan_parts(held_at, held_count, lock_until, adds, remove, remove_places)
    }

    /// Executes a change's steps until it finishes.
    async fn run_change(
        &self,
        mut change: Modification,
        owner: crate::domain::ClientId,
        ip: String,
        access: Access,
    ) -> Result<(), EngineError> {
        let transaction = change.transaction();
        let mut step = self.coordination().coordinator.change_step(&change);
        loop {
            let outcome = match step {
                ChangeStep::Finished(result) => return result,
                ChangeStep::CheckDiscount { performances, code } => {
                    let quoted = self.quote(transaction, performances, Some(&code)).await;
                    step = self
                        .coordination()
                        .coordinator
                        .advance_discount_check(&mut change, quoted.map(|q| q.discounted));
                    continue;
                }
                ChangeStep::Write(record) => self
                    .write(Batch {
                        records: vec![Record::Transaction(record)],
                        ..Batch::default()
                    })
                    .await
                    .map(|()| Before::default()),
                ChangeStep::Apply {
                    performance,
                    planned,
                } => {
                    let handle = self.registry.get(&performance);
                    match (handle, planned) {
                        (Err(error), _) => Err(error),
                        (
                            Ok(handle),
                            Planned::Modify {
                                add,
                                remove_seats,
                                remove_places,
                            },
                        ) => handle
                            .send(ModifyHold {
                                transaction,
                                add,
                                remove_seats,
                                remove_places,
                                access: access.clone(),
                            })
                            .await
                            .map(|modified| Before {
                                seats: modified.before.seats,
                                places: modified.before.places,
                                ticket_types: modified.before.ticket_types,
                            }),
                        (
                            Ok(handle),
                            Planned::Place {
                                selection,
                                lock_until,
                            },
                        ) => handle
                            .send(PlaceHold {
                                transaction,
                                owner: owner.clone(),
                                ip: ip.clone(),
                                selection,
                                idempotency: None,
                                records: Vec::new(),
                                lock_until: Some(lock_until),
                                access: access.clone(),
                            })
                            .await
                            .map(|_| Before::default()),
                    }
                }
                ChangeStep::Restore {
                    performance,
                    before,
                } => match self.registry.get(&performance) {
                    Ok(handle) => handle
                        .send_unbounded(RestoreHold {
                            transaction,
                            seats: before.seats,
                            places: before.places,
                            ticket_types: before.ticket_types,
                        })
                        .await
                        .map(|_| Before::default()),
                    Err(error) => Err(error),
                },
            };
            step = self
                .coordination()
                .coordinator
                .advance_change(&mut change, outcome);
        }
    }
}
