//! Changes (`PATCH`) in a seeded run: planned and begun by the coordinator as the engine does,
//! then driven one step at a time, with crashes and I/O errors between any two.

use super::*;

impl World {
    /// Plans and begins a change as the engine's `change_transaction`; `None` when it began
    /// (its run answers it).
    pub(super) fn serve_change(
        &mut self,
        caller: &Caller,
        request: &Request,
        id: u64,
        client: usize,
    ) -> Option<Served> {
        let Request::Change {
            transaction,
            add,
            remove,
            discount,
        } = request
        else {
            return Some(Err(EngineError::Unavailable));
        };
        let begun = self.begin_change(caller, *transaction, add, remove, *discount);
        match begun {
            Err(error) => Some(Err(error)),
            Ok(change) => {
                let step = self.node.coordinator.change_step(&change);
                self.node.changes.push(ChangeRun {
                    change,
                    step: Some(step),
                    pending: None,
                    caller: (id, client),
                    by: caller.clone(),
                });
                None
            }
        }
    }

    fn begin_change(
        &mut self,
        caller: &Caller,
        transaction: TransactionId,
        add: &[(usize, SelectionKey)],
        remove: &[(usize, String)],
        discount: Option<Option<&'static str>>,
    ) -> Result<Modification, EngineError> {
        let route = self.node.coordinator.route(caller, transaction)?;
        let mut adds: BTreeMap<PerformanceId, Vec<Selection>> = BTreeMap::new();
        for (performance, selection) in add {
            adds.entry(performance_id(*performance)?)
                .or_default()
                .push(selection.selection());
        }
        let remove = remove
            .iter()
            .map(|(performance, seat)| {
                Ok(TicketId {
                    performance: performance_id(*performance)?,
                    seat: seat.clone(),
                })
            })
            .collect::<Result<Vec<_>, EngineError>>()?;
        // As the engine: the transaction is read first, and must be live.
        let (answer, _, _) = self.each_hold(caller, transaction, |core| {
            core.get_hold(msg::GetHold { transaction })
        })?;
        let Answer::Transaction(holds) = &answer else {
            return Err(EngineError::Unavailable);
        };
        let lock = holds
            .iter()
            .map(|hold| hold.expires_at)
            .min()
            .unwrap_or_default();
        let held_count = holds
            .iter()
            .map(|hold| hold.seats.len() as u64 + place_count(&hold.places))
            .sum();
        let parts = plan_parts(
            &route.performances,
            held_count,
            lock,
            adds,
            remove,
            Vec::new(),
        )?;
        let now = self.node.cores[0].now();
        check_changeable(
            HoldState::summed(holds.iter().map(|hold| hold.state)),
            lock,
            now,
        )?;
        self.node.coordinator.begin_modification(
            caller,
            transaction,
            parts,
            &BTreeMap::new(),
            discount,
            now,
        )
    }

    /// Carries out the next step of a change in flight whose last step is settled.
    pub(super) fn drive_change(&mut self) {
        let ready: Vec<usize> = (0..self.node.changes.len())
            .filter(|&index| self.node.changes[index].step.is_some())
            .collect();
        if ready.is_empty() {
            return;
        }
        let index = ready[self.rng.below(ready.len())];
        let Some(step) = self.node.changes[index].step.take() else {
            return;
        };
        self.note(("change", index, format!("{step:?}")));
        let transaction = self.node.changes[index].change.transaction();
        let owner = self.node.changes[index].by.client.clone();
        let access = self.node.changes[index].by.access();
        let pending = match step {
            ChangeStep::Finished(outcome) => {
                self.finish_change(index, outcome);
                return;
            }
            ChangeStep::CheckDiscount { performances, code } => {
                let covered = self
                    .quote(transaction, &performances, Some(&code))
                    .map(|quoted| quoted.discounted);
                let run = &mut self.node.changes[index];
                run.step = Some(
                    self.node
                        .coordinator
                        .advance_discount_check(&mut run.change, covered),
                );
                return;
            }
            ChangeStep::Write(record) => Ok((
                Pending::Commit(self.node.journal.write(Batch {
                    records: vec![Record::Transaction(record)],
                    ..Batch::default()
                })),
                Before::default(),
            )),
            ChangeStep::Apply {
                performance,
                planned,
            } => self.apply_part(&performance, transaction, (owner, access), planned),
            ChangeStep::Restore {
                performance,
                before,
            } => index_of(&performance).and_then(|at| {
                let (view, ticket) = self.node.cores[at].restore_hold(msg::RestoreHold {
                    transaction,
                    seats: before.seats,
                    places: before.places,
                    ticket_types: before.ticket_types,
                })?;
                Ok((Pending::Hold(ticket, Box::new(view)), Before::default()))
            }),
        };
        let run = &mut self.node.changes[index];
        match pending {
            Ok(pending) => run.pending = Some(pending),
            Err(error) => {
                run.step = Some(
                    self.node
                        .coordinator
                        .advance_change(&mut run.change, Err(error)),
                );
            }
        }
    }

    fn apply_part(
        &mut self,
        performance: &PerformanceId,
        transaction: TransactionId,
        (owner, access): (ClientId, Access),
        planned: Planned,
    ) -> Result<(Pending, Before), EngineError> {
        let core = &mut self.node.cores[index_of(performance)?];
        match planned {
            Planned::Modify {
                add,
                remove_seats,
                remove_places,
            } => {
                let (modified, ticket) = core.modify_hold(msg::ModifyHold {
                    transaction,
                    add,
                    remove_seats,
                    remove_places,
                    access: access.clone(),
                })?;
                let before = Before {
                    seats: modified.before.seats,
                    places: modified.before.places,
                    ticket_types: modified.before.ticket_types,
                };
                Ok((Pending::Hold(ticket, Box::new(modified.after)), before))
            }
            Planned::Place {
                selection,
                lock_until,
            } => {
                let (view, ticket) = core.place_hold(msg::PlaceHold {
                    transaction,
                    owner,
                    ip: "203.0.113.7".into(),
                    selection,
                    idempotency: None,
                    records: Vec::new(),
                    lock_until: Some(lock_until),
                    access,
                })?;
                Ok((Pending::Hold(ticket, Box::new(view)), Before::default()))
            }
        }
    }

    /// Moves every change whose step settled to its next step.
    pub(super) fn settle_changes(&mut self) {
        for run in &mut self.node.changes {
            let outcome = match &mut run.pending {
                None => continue,
                Some((Pending::Hold(ticket, _), _)) => ticket.settled(),
                Some((Pending::Commit(durable), _)) => match durable.try_recv() {
                    Ok(written) => Some(written.map_err(EngineError::from)),
                    Err(tokio::sync::oneshot::error::TryRecvError::Empty) => None,
                    Err(_) => Some(Err(EngineError::Unavailable)),
                },
            };
            let Some(outcome) = outcome else {
                continue;
            };
            let before = run
                .pending
                .take()
                .map(|(_, before)| before)
                .unwrap_or_default();
            run.step = Some(
                self.node
                    .coordinator
                    .advance_change(&mut run.change, outcome.map(|()| before)),
            );
        }
    }

    /// Answers a finished change: the transaction as it is now, once durable.
    fn finish_change(&mut self, index: usize, outcome: Result<(), EngineError>) {
        let run = self.node.changes.swap_remove(index);
        let (id, client) = run.caller;
        let transaction = run.change.transaction();
        let served = outcome.and_then(|()| {
            self.each_hold(&run.by, transaction, |core| {
                core.get_hold(msg::GetHold { transaction })
            })
        });
        self.answer(id, client, served);
    }
}

fn performance_id(index: usize) -> Result<PerformanceId, EngineError> {
    Ok(PerformanceId::parse(&format!("p{index}"))?)
}
