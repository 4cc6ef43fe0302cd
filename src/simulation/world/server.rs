//! The server side of a seeded run: serving each request as the engine does, driving the
//! coordinator's completions step by step, and settling answers once they are durable.

use super::*;

impl World {
    // ---- The server ----

    /// Serves one request as the engine does: answers at once when refused, after the
    /// journal reports it durable otherwise.
    pub(super) fn serve(&mut self, envelope: Envelope) -> Result<(), Failure> {
        let Envelope {
            id,
            client,
            request,
        } = envelope;
        let caller = Caller {
            client: self.clients[client].id.clone(),
            // Client 0 is also the box office, whose refunds are an admin's.
            role: if client == 0 && matches!(request, Request::Refund { .. }) {
                crate::actor::Role::Admin
            } else {
                crate::actor::Role::Sales
            },
            ip: "203.0.113.7".into(),
            channel: self.is_channel_client(client).then(|| CHANNEL.to_owned()),
            events: Vec::new(),
            reach: Default::default(),
            maker: None,
        };
        let served = match &request {
            Request::Hold { parts, key } => {
                self.serve_hold(&caller, parts, key.as_deref(), &request)?
            }
            Request::Scan { barcode } => self.serve_scan(barcode),
            Request::Extend { transaction } => self.each_hold(&caller, *transaction, |core| {
                core.extend_hold(msg::ExtendHold {
                    transaction: *transaction,
                })
            }),
            Request::Complete {
                transaction,
                customer,
                payment,
            } => {
                let envelope = Envelope {
                    id,
                    client,
                    request: request.clone(),
                };
                match self.serve_complete(&caller, *transaction, *customer, *payment, envelope) {
                    Some(served) => served,
                    None => return Ok(()),
                }
            }
            Request::Release { transaction } => self.each_hold(&caller, *transaction, |core| {
                core.release_hold(msg::ReleaseHold {
                    transaction: *transaction,
                })
            }),
            Request::Refund { .. } => match self.serve_refund(&caller, &request, id, client) {
                Some(served) => served,
                None => return Ok(()),
            },
            Request::Change { .. } => match self.serve_change(&caller, &request, id, client) {
                Some(served) => served,
                None => return Ok(()),
            },
            Request::Read { transaction } => self.each_hold(&caller, *transaction, |core| {
                core.get_hold(msg::GetHold {
                    transaction: *transaction,
                })
            }),
            Request::Holdbacks {
                performance,
                withhold,
                release,
            } => self.node.cores[*performance]
                .change_holdbacks(msg::ChangeHoldbacks {
                    withhold: withhold.clone(),
                    release: release.clone(),
                    release_places: Vec::new(),
                    withhold_places: Vec::new(),
                })
                .map(|(view, ticket)| {
                    (
                        Answer::Inventory {
                            version: view.version,
                        },
                        vec![ticket],
                        AfterDurable::Nothing,
                    )
                }),
            Request::Manage {
                performance,
                management,
            } => self.node.cores[*performance]
                .manage(msg::ManagePerformance {
                    command: management.command(),
                })
                .map(|(view, ticket)| {
                    (
                        Answer::Inventory {
                            version: view.version,
                        },
                        vec![ticket],
                        AfterDurable::Nothing,
                    )
                }),
        };
        self.answer(id, client, served);
        Ok(())
    }

    /// True for the client that sells for [`CHANNEL`]: the last of three or more.
    pub(super) fn is_channel_client(&self, client: usize) -> bool {
        self.clients.len() >= 3 && client == self.clients.len() - 1
    }

    pub(super) fn answer(&mut self, id: u64, client: usize, served: Served) {
        match served {
            Ok((answer, tickets, then)) => self.awaiting.push(Awaiting {
                id,
                client,
                answer,
                tickets,
                failure: None,
                then,
            }),
            Err(error) => self.outbox.push(Response {
                id,
                client,
                outcome: Err(error),
            }),
        }
    }

    /// Sends one command per hold of a transaction, in performance order, as the engine's
    /// `each_hold`: the route comes from the coordinator's index.
    pub(super) fn each_hold(
        &mut self,
        caller: &Caller,
        transaction: TransactionId,
        mut command: impl FnMut(&mut PerformanceCore) -> Reply<HoldView>,
    ) -> Served {
        let route = self.node.coordinator.route(caller, transaction)?;
        let mut answers = Vec::new();
        let mut tickets = Vec::new();
        for performance in &route.performances {
            let index = index_of(performance)?;
            let (view, ticket) = command(&mut self.node.cores[index])?;
            answers.push(HoldAnswer::of(index, &view.hold));
            tickets.push(ticket);
        }
        Ok((Answer::Transaction(answers), tickets, AfterDurable::Nothing))
    }

    pub(super) fn serve_hold(
        &mut self,
        caller: &Caller,
        parts: &[(usize, SelectionKey)],
        key: Option<&str>,
        request: &Request,
    ) -> Result<Served, Failure> {
        let owner = &caller.client;
        let transaction = TransactionId(u128::from(self.rng.next_u64()) << 32 | 1);
        let fingerprint = fingerprint(request);
        let mut stub = match key {
            None => None,
            Some(key) => {
                let scope: Scope = (owner.clone(), key.to_owned());
                match self.node.idempotency.claim(scope.clone(), fingerprint) {
                    Claim::Fresh => {}
                    Claim::Replay(answer) => {
                        self.stats.replays += 1;
                        self.check_replay(&answer)?;
                        // As the engine's: a remembered answer was durable before it was remembered,
                        // so it leaves at once, without touching the performance.
                        let durable = msg::Watermark::new(0).ticket(0);
                        return Ok(Ok((answer, vec![durable], AfterDurable::Nothing)));
                    }
                    Claim::InProgress => return Ok(Err(EngineError::InProgress)),
                    Claim::Mismatch => return Ok(Err(EngineError::IdempotencyKeyReused)),
                }
                Some(IdempotencyStub {
                    client: owner.clone(),
                    key: key.to_owned(),
                    fingerprint,
                    earlier_holds: Vec::new(),
                })
            }
        };
        let scope = stub
            .as_ref()
            .map(|stub| (stub.client.clone(), stub.key.clone()));
        if parts.len() > 1 {
            self.baskets_begun.insert(transaction, parts.len());
        }
        // As the engine's `hold`: the coordinator's `Placement` says what to do, step by step.
        let parts_by_id = parts
            .iter()
            .map(|(performance, selection)| {
                PerformanceId::parse(&format!("p{performance}"))
                    .map(|id| (id, selection.selection()))
                    .map_err(|error| Failure::new(error.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut placement = Placement::new(
            transaction,
            owner.clone(),
            "203.0.113.7".into(),
            parts_by_id,
            stub.take(),
            metadata_of(request),
        )
        .with_access(caller.access());
        let mut placed: Vec<(usize, HoldView, DurableTicket)> = Vec::new();
        let mut step = placement.step();
        let refusal = loop {
            let outcome = match step {
                PlaceStep::Finished(Ok(())) => break None,
                PlaceStep::Finished(Err(error)) => break Some(error),
                PlaceStep::Intent(record) => {
                    drop(self.node.journal.write(Batch {
                        records: vec![Record::Basket(record)],
                        ..Batch::default()
                    }));
                    Ok(None)
                }
                PlaceStep::Place {
                    performance,
                    message,
                } => index_of(&performance).and_then(|index| {
                    let (view, ticket) = self.node.cores[index].place_hold(*message)?;
                    let hold = view.hold.clone();
                    placed.push((index, view, ticket));
                    Ok(Some(hold))
                }),
                PlaceStep::Release { performance } => index_of(&performance).and_then(|index| {
                    placed.retain(|(at, _, _)| *at != index);
                    self.node.cores[index]
                        .release_hold(msg::ReleaseHold { transaction })
                        .map(|_| None)
                }),
            };
            step = placement.advance(outcome);
        };
        if let Some(error) = refusal {
            if let Some(scope) = scope {
                self.node.idempotency.abandon(&scope);
            }
            return Ok(Err(error));
        }
        self.node.coordinator.open(
            transaction,
            Route {
                owner: owner.clone(),
                performances: placed
                    .iter()
                    .map(|(_, view, _)| view.performance.id.clone())
                    .collect(),
            },
            metadata_of(request),
        );
        let answer = Answer::Transaction(
            placed
                .iter()
                .map(|(performance, view, _)| HoldAnswer::of(*performance, &view.hold))
                .collect(),
        );
        let tickets = placed.into_iter().map(|(_, _, ticket)| ticket).collect();
        Ok(Ok(match scope {
            Some(scope) => {
                self.opened_under
                    .entry(scope.clone())
                    .or_default()
                    .push((transaction, parts.len()));
                (
                    answer,
                    tickets,
                    AfterDurable::Remember { scope, fingerprint },
                )
            }
            None => (answer, tickets, AfterDurable::Nothing),
        }))
    }

    /// Asks the coordinator how a completion proceeds; `None` when the request joined a run
    /// in flight (it is served again once the run ends) or began one (the run answers it).
    pub(super) fn serve_complete(
        &mut self,
        caller: &Caller,
        transaction: TransactionId,
        customer: u8,
        paying: Paying,
        envelope: Envelope,
    ) -> Option<Served> {
        let customer = (customer > 0).then(|| {
            Customer::parse(
                &format!("Customer {customer}"),
                &format!("{}-{customer}@example.com", caller.client),
            )
            .expect("a valid customer")
        });
        let payment = self.payment(caller, transaction, paying);
        let now = self.node.cores[0].now();
        let begin =
            self.node
                .coordinator
                .begin_completion(caller, transaction, customer, payment, now);
        match begin {
            Err(error) => Some(Err(error)),
            Ok(Begin::Done(order)) => Some(self.order_answer(caller, &order)),
            Ok(Begin::Join) => {
                self.node.joined.push(envelope);
                None
            }
            Ok(Begin::Run(run)) => {
                let step = self.node.coordinator.step(&run);
                self.node.runs.push(Run {
                    run,
                    step: Some(step),
                    pending: None,
                    callers: vec![(envelope.id, envelope.client)],
                    sold: Vec::new(),
                });
                None
            }
        }
    }

    /// An order's answer: its holds as the performances hold them, once durable.
    pub(super) fn order_answer(&mut self, caller: &Caller, order: &OrderRecord) -> Served {
        let number = order.number;
        let (answer, tickets, then) = self.each_hold(caller, order.transaction, |core| {
            core.get_hold(msg::GetHold {
                transaction: order.transaction,
            })
        })?;
        let Answer::Transaction(holds) = answer else {
            return Err(EngineError::Unavailable);
        };
        Ok((Answer::Order { number, holds }, tickets, then))
    }

    /// Scans a barcode at the performance that sold it, as the engine routes it by the
    /// registry's barcode directory (here: the core that finds it).
    fn serve_scan(&mut self, barcode: &str) -> Served {
        let core = self
            .node
            .cores
            .iter_mut()
            .find(|core| core.performance().find_barcode(barcode).is_some());
        let Some(core) = core else {
            return Ok((
                Answer::Scan { admitted: false },
                Vec::new(),
                AfterDurable::Nothing,
            ));
        };
        let (view, ticket) = core.scan_ticket(msg::ScanTicket {
            barcode: barcode.to_owned(),
        })?;
        let admitted = matches!(view.verdict, ScanVerdict::Admitted { .. });
        Ok((
            Answer::Scan { admitted },
            vec![ticket],
            AfterDurable::Nothing,
        ))
    }

    /// The payment a completion reports: the transaction's cost as its holds stand now, or a
    /// penny.
    fn payment(
        &self,
        caller: &Caller,
        transaction: TransactionId,
        paying: Paying,
    ) -> Option<Payment> {
        let gbp = Currency::parse("GBP").ok()?;
        let amount = match paying {
            Paying::Nothing => return None,
            Paying::Short => Amount::parse("0.01").ok()?,
            Paying::Exact => {
                let route = self.node.coordinator.route(caller, transaction).ok()?;
                let code = self.node.coordinator.discount_of(transaction).ok()?;
                let quoted = self
                    .quote(transaction, &route.performances, code.as_deref())
                    .ok()?;
                quoted.due.get(&gbp).copied().unwrap_or(Amount::zero(2))
            }
        };
        Payment::new("card", "sim", amount, gbp).ok()
    }

    /// What a transaction's holds at `performances` cost with `discount`, and the tickets it
    /// covers, as the engine's quote reads them.
    pub(super) fn quote(
        &self,
        transaction: TransactionId,
        performances: &[PerformanceId],
        discount: Option<&crate::domain::DiscountCode>,
    ) -> Result<crate::domain::Quote, EngineError> {
        let mut parts = Vec::with_capacity(performances.len());
        for performance in performances {
            let performance = self.node.cores[index_of(performance)?].performance();
            let hold = performance
                .hold(transaction)
                .ok_or(EngineError::Rejected(Rejection::UnknownTransaction))?;
            parts.push((performance.info(), performance.plan(), hold));
        }
        Ok(quote(parts, discount))
    }

    /// Carries out the next step of a completion in flight whose last step is settled.
    pub(super) fn drive_run(&mut self) {
        let ready: Vec<usize> = (0..self.node.runs.len())
            .filter(|&index| self.node.runs[index].step.is_some())
            .collect();
        if ready.is_empty() {
            return;
        }
        let index = ready[self.rng.below(ready.len())];
        let Some(step) = self.node.runs[index].step.take() else {
            return;
        };
        self.note(("drive", index, format!("{step:?}")));
        let transaction = self.node.runs[index].run.transaction();
        let pending = match step {
            Step::Finished(outcome) => {
                self.finish_run(index, outcome);
                return;
            }
            Step::Quote {
                performances,
                discount,
            } => {
                let due = self.quote(transaction, &performances, discount.as_deref());
                let run = &mut self.node.runs[index];
                run.step = Some(self.node.coordinator.advance_quoted(&mut run.run, due));
                return;
            }
            Step::Commit(order) => Ok(Pending::Commit(self.node.journal.write(Batch {
                records: vec![Record::Order(order)],
                ..Batch::default()
            }))),
            Step::Perform {
                performance,
                action,
                ..
            } => self.perform(&performance, transaction, action),
        };
        match pending {
            Ok(pending) => self.node.runs[index].pending = Some(pending),
            Err(error) => {
                let run = &mut self.node.runs[index];
                run.step = Some(self.node.coordinator.advance(&mut run.run, Err(error)));
            }
        }
    }

    /// Carries out one coordinator step at a performance, as the engine's `perform`.
    pub(super) fn perform(
        &mut self,
        performance: &PerformanceId,
        transaction: TransactionId,
        action: HoldAction,
    ) -> Result<Pending, EngineError> {
        let core = &mut self.node.cores[index_of(performance)?];
        let (view, ticket) = match action {
            HoldAction::Prepare => core.prepare_hold(msg::PrepareHold { transaction }),
            HoldAction::Unprepare => core.unprepare_hold(msg::UnprepareHold { transaction }),
            HoldAction::Release => core.release_hold(msg::ReleaseHold { transaction }),
            HoldAction::Sell { number, order } => core.sell_hold(msg::SellHold {
                transaction,
                order_number: number,
                order: order.map(|order| *order),
                barcode_seed: self.rng.next_u64(),
            }),
        }?;
        Ok(Pending::Hold(ticket, Box::new(view)))
    }

    /// Answers everyone waiting on a finished run, and serves again the completes that
    /// joined it.
    pub(super) fn finish_run(&mut self, index: usize, outcome: Result<OrderRecord, EngineError>) {
        let run = self.node.runs.swap_remove(index);
        let outcome = outcome.map(|order| Answer::Order {
            number: order.number,
            holds: run
                .sold
                .iter()
                .map(|view| {
                    let performance = index_of(&view.performance.id).unwrap_or(usize::MAX);
                    HoldAnswer::of(performance, &view.hold)
                })
                .collect(),
        });
        for (id, client) in run.callers {
            let outcome = match &outcome {
                Ok(answer) => Ok(answer.clone()),
                Err(error) => Err(replicate(error)),
            };
            self.outbox.push(Response {
                id,
                client,
                outcome,
            });
        }
        self.network.append(&mut self.node.joined);
    }

    /// Moves every answer whose changes are durable (or failed) to the way back, and every
    /// completion whose step settled to its next step.
    pub(super) fn settle(&mut self) {
        self.settle_changes();
        self.settle_refunds();
        let mut index = 0;
        while index < self.awaiting.len() {
            let waiting = &mut self.awaiting[index];
            let Some(outcome) = settled_all(&mut waiting.tickets, &mut waiting.failure) else {
                index += 1;
                continue;
            };
            let awaiting = self.awaiting.swap_remove(index);
            let outcome = match outcome {
                Ok(()) => {
                    if let AfterDurable::Remember { scope, fingerprint } = awaiting.then {
                        let at = crate::actor::Clock::now(&self.wall);
                        self.node.idempotency.complete(
                            scope,
                            fingerprint,
                            awaiting.answer.clone(),
                            at,
                        );
                    }
                    Ok(awaiting.answer)
                }
                Err(error) => {
                    if let AfterDurable::Remember { scope, .. } = &awaiting.then {
                        self.node.idempotency.abandon(scope);
                    }
                    Err(error)
                }
            };
            self.outbox.push(Response {
                id: awaiting.id,
                client: awaiting.client,
                outcome,
            });
        }
        for run in &mut self.node.runs {
            let outcome = match &mut run.pending {
                None => continue,
                Some(Pending::Hold(ticket, _)) => ticket.settled(),
                Some(Pending::Commit(durable)) => match durable.try_recv() {
                    Ok(written) => Some(written.map_err(EngineError::from)),
                    Err(tokio::sync::oneshot::error::TryRecvError::Empty) => None,
                    Err(_) => Some(Err(EngineError::Unavailable)),
                },
            };
            let Some(outcome) = outcome else {
                continue;
            };
            if let (Ok(()), Some(Pending::Hold(_, view))) = (&outcome, run.pending.take())
                && view.hold.state == HoldState::Sold
            {
                run.sold.push(*view);
            }
            run.pending = None;
            run.step = Some(self.node.coordinator.advance(&mut run.run, outcome));
        }
    }
}
