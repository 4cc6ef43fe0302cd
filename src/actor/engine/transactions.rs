//! Transactions: holding, checking out, completing (through the coordinator) and releasing.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use super::orders::order_of;
use super::{Engine, HoldRequest, IdempotencyKey, Order, TransactionView, random_u64};
use crate::actor::coordinator::{
    Begin, Caller, Completion, HoldAction, Metadata, PlaceStep, Placement, Route, Step,
};
use crate::actor::error::EngineError;
use crate::actor::idempotency::{Claim, ClaimGuard};
use crate::actor::messages::{
    ExtendHold, GetHold, HoldView, IdempotencyStub, PrepareHold, ReleaseHold, SellHold,
    UnprepareHold,
};
use crate::actor::registry::PerformanceHandle;
use crate::domain::{
    Customer, DiscountCode, HoldState, Payment, PerformanceId, Quote, Rejection, SeatChoice,
    Selection, TicketId, TransactionId, quote,
};
use crate::persistence::{Batch, Record};

/// What a request to complete does once the coordinator's lock is released.
enum Next {
    Answer(crate::persistence::OrderRecord),
    Join(Option<tokio::sync::watch::Receiver<()>>),
    Run(
        Completion,
        tokio::sync::watch::Sender<()>,
        tokio::sync::watch::Receiver<()>,
    ),
}

impl Engine {
    /// Opens a transaction holding what `request` asks for.
    ///
    /// # Errors
    /// `NotFound` for unknown performances or seats, the domain's rejections, `Mismatch` for
    /// an idempotency key reused with another body, `InProgress` while the first request with
    /// that key runs, `Overloaded` when a performance's bound is full.
    pub async fn open_transaction(
        &self,
        caller: &Caller,
        request: HoldRequest,
        metadata: Metadata,
        idempotency: Option<IdempotencyKey>,
    ) -> Result<TransactionView, EngineError> {
        let Some(idempotency) = idempotency else {
            return self.hold(caller, request, metadata, None).await;
        };
        let scope = (caller.client.clone(), idempotency.key.clone());
        match self
            .idempotency
            .claim(scope.clone(), idempotency.fingerprint)
        {
            Claim::Fresh => {}
            Claim::Replay(answer) => return Ok(answer),
            Claim::InProgress => return Err(EngineError::InProgress),
            Claim::Mismatch => {
                return Err(EngineError::IdempotencyKeyReused);
            }
        }
        // A request abandoned mid-way (its connection dropped) must not leave the key claimed
        // for ever: the guard drops the claim unless the answer is remembered.
        let claim = ClaimGuard::new(&self.idempotency, scope);
        let stub = IdempotencyStub {
            client: caller.client.clone(),
            key: idempotency.key.clone(),
            fingerprint: idempotency.fingerprint,
            earlier_holds: Vec::new(),
        };
        let answer = self.hold(caller, request, metadata, Some(stub)).await?;
        claim.complete(idempotency.fingerprint, answer.clone(), self.clock.now());
        Ok(answer)
    }

    /// Places the holds of a new transaction; the last one carries the idempotency record,
    /// with the holds placed before it, and the metadata, so the answer is remembered in the
    /// same batch as the hold that completes it.
    async fn hold(
        &self,
        caller: &Caller,
        request: HoldRequest,
        metadata: Metadata,
        idempotency: Option<IdempotencyStub>,
    ) -> Result<TransactionView, EngineError> {
        self.check_widget_tickets(caller, &request)?;
        let groups = self.route_hold(request)?;
        for (handle, _) in &groups {
            caller.check_reach(&handle.info().id)?;
        }
        // After routing, so unknown performances (404) and shape errors (422) rank first.
        if self.store.is_low_on_space() {
            return Err(EngineError::LowOnSpace);
        }
        let transaction = TransactionId(uuid::Uuid::now_v7().as_u128());
        let (handles, parts): (Vec<PerformanceHandle>, Vec<(PerformanceId, Selection)>) = groups
            .into_iter()
            .map(|(handle, selection)| {
                let performance = handle.info().id.clone();
                (handle, (performance, selection))
            })
            .unzip();
        let handle_of = |performance: &PerformanceId| {
            handles
                .iter()
                .find(|handle| handle.info().id == *performance)
                .ok_or(EngineError::Unavailable)
        };
        let mut placement = Placement::new(
            transaction,
            caller.client.clone(),
            caller.ip.clone(),
            parts,
            idempotency,
            metadata.clone(),
        )
        .with_access(caller.access());
        let mut holds: Vec<HoldView> = Vec::with_capacity(handles.len());
        let mut step = placement.step();
        loop {
            let outcome = match step {
                PlaceStep::Finished(Ok(())) => break,
                PlaceStep::Finished(Err(error)) => return Err(error),
                PlaceStep::Intent(record) => {
                    // Not waited for: the journal keeps its order (see `Placement`).
                    drop(self.store.write(Batch {
                        records: vec![Record::Basket(record)],
                        ..Batch::default()
                    }));
                    Ok(None)
                }
                PlaceStep::Place {
                    performance,
                    message,
                } => match handle_of(&performance) {
                    Ok(handle) => handle.send(*message).await.map(|view| {
                        let hold = view.hold.clone();
                        holds.push(view);
                        Some(hold)
                    }),
                    Err(error) => Err(error),
                },
                PlaceStep::Release { performance } => {
                    let released = match handle_of(&performance) {
                        Ok(handle) => handle
                            .send_unbounded(ReleaseHold { transaction })
                            .await
                            .map(|_| None),
                        Err(error) => Err(error),
                    };
                    holds.retain(|view| view.performance.id != performance);
                    released
                }
            };
            step = placement.advance(outcome);
        }
        self.coordination().coordinator.open(
            transaction,
            Route {
                owner: caller.client.clone(),
                performances: holds.iter().map(|h| h.performance.id.clone()).collect(),
            },
            metadata.clone(),
        );
        Ok(TransactionView {
            id: transaction,
            holds,
            metadata,
            discount: None,
        })
    }

    /// Resolves the performances a request touches, in id order, and what to hold at each.
    pub(super) fn route_hold(
        &self,
        request: HoldRequest,
    ) -> Result<Vec<(PerformanceHandle, Selection)>, EngineError> {
        let items = match request {
            HoldRequest::Items(items) if items.is_empty() => {
                return Err(Rejection::EmptyOrNestedItems.into());
            }
            HoldRequest::Items(items) => items,
            single => vec![single],
        };
        let mut groups: BTreeMap<PerformanceId, Vec<Selection>> = BTreeMap::new();
        let mut count = 0_usize;
        let mut named: HashSet<TicketId> = HashSet::new();
        // Faults between items are answered after every performance is found, so an unknown
        // performance (404) ranks before them (422), as the contract orders faults.
        let mut between_items: Option<EngineError> = None;
        for item in items {
            match item {
                HoldRequest::Tickets(tickets) => {
                    count = count.saturating_add(tickets.len());
                    let mut by_performance: BTreeMap<PerformanceId, Vec<SeatChoice>> =
                        BTreeMap::new();
                    for (ticket, ticket_type) in tickets {
                        if !named.insert(ticket.clone()) && between_items.is_none() {
                            between_items = Some(EngineError::TicketInTwoItems {
                                ticket: ticket.clone(),
                            });
                        }
                        by_performance
                            .entry(ticket.performance)
                            .or_default()
                            .push(SeatChoice {
                                id: ticket.seat,
                                ticket_type,
                            });
                    }
                    for (performance, seats) in by_performance {
                        groups
                            .entry(performance)
                            .or_default()
                            .push(Selection::Seats(seats));
                    }
                }
                HoldRequest::BestAvailable {
                    performance,
                    quantity,
                    price_band,
                    preferred,
                    ticket_type,
                    filters,
                } => {
                    count = count.saturating_add(preferred.len().max(quantity as usize));
                    let mut seats = Vec::with_capacity(preferred.len());
                    for ticket in preferred {
                        if ticket.performance == performance {
                            seats.push(ticket.seat);
                        } else if between_items.is_none() {
                            between_items = Some(EngineError::TicketNotAtPerformance {
                                ticket,
                                performance: performance.clone(),
                            });
                        }
                    }
                    let preferred = seats;
                    groups
                        .entry(performance)
                        .or_default()
                        .push(Selection::BestAvailable {
                            quantity,
                            price_band,
                            preferred,
                            ticket_type,
                            filters,
                        });
                }
                HoldRequest::GeneralAdmission {
                    performance,
                    places,
                    ticket_type,
                } => {
                    let total: u64 = places.iter().map(|(_, q)| u64::from(*q)).sum();
                    count = count.saturating_add(usize::try_from(total).unwrap_or(usize::MAX));
                    groups
                        .entry(performance)
                        .or_default()
                        .push(Selection::GeneralAdmission {
                            places,
                            ticket_type,
                        });
                }
                HoldRequest::Items(_) => return Err(Rejection::EmptyOrNestedItems.into()),
            }
        }
        let routed = groups
            .into_iter()
            .map(|(performance, mut selections)| {
                let handle = self.registry.get(&performance)?;
                let selection = if selections.len() == 1 {
                    selections.remove(0)
                } else {
                    Selection::Items(selections)
                };
                Ok((handle, selection))
            })
            .collect::<Result<Vec<_>, EngineError>>()?;
        if let Some(fault) = between_items {
            return Err(fault);
        }
        self.check_ticket_count(count)?;
        Ok(routed)
    }

    /// A transaction's holds with its metadata.
    pub(super) fn view(
        &self,
        transaction: TransactionId,
        holds: Vec<HoldView>,
    ) -> Result<TransactionView, EngineError> {
        let coordination = self.coordination();
        let metadata = coordination.coordinator.metadata(transaction)?;
        let discount = coordination.coordinator.discount_of(transaction)?;
        Ok(TransactionView {
            id: transaction,
            holds,
            metadata,
            discount,
        })
    }

    /// Finds a transaction the caller may see.
    pub(super) fn route(
        &self,
        caller: &Caller,
        transaction: TransactionId,
    ) -> Result<Route, EngineError> {
        self.coordination().coordinator.route(caller, transaction)
    }

    /// Sends one message per hold of the transaction, in performance order.
    pub(super) async fn each_hold<M>(
        &self,
        route: &Route,
        message: impl Fn() -> M,
    ) -> Result<Vec<HoldView>, EngineError>
    where
        M: actix::Message<Result = crate::actor::messages::Reply<HoldView>> + Send + 'static,
        crate::actor::PerformanceActor: actix::Handler<M>,
    {
        let mut holds = Vec::with_capacity(route.performances.len());
        for id in &route.performances {
            holds.push(self.registry.get(id)?.send(message()).await?);
        }
        Ok(holds)
    }

    /// Reads a transaction.
    ///
    /// # Errors
    /// `NotFound` for an unknown transaction, `Forbidden` for another client's.
    pub async fn transaction(
        &self,
        caller: &Caller,
        transaction: TransactionId,
    ) -> Result<TransactionView, EngineError> {
        let route = self.route(caller, transaction)?;
        let holds = self.each_hold(&route, || GetHold { transaction }).await?;
        self.view(transaction, holds)
    }

    /// Checks that tickets a client repeated in its request are the transaction's.
    async fn check_tickets(
        &self,
        caller: &Caller,
        transaction: TransactionId,
        tickets: Option<Vec<TicketId>>,
    ) -> Result<(), EngineError> {
        let Some(tickets) = tickets else {
            return Ok(());
        };
        let mut given: Vec<String> = tickets.iter().map(ToString::to_string).collect();
        given.sort();
        let current = self.transaction(caller, transaction).await?;
        if given != current.ticket_ids() {
            return Err(EngineError::TicketsDoNotMatch);
        }
        Ok(())
    }

    /// Checks a transaction out: every lock is reset to now + its performance's hold time.
    ///
    /// # Errors
    /// `LockExpired` when a lock has expired (the rest are then released), `InvalidState`
    /// for a completed or released transaction, `Mismatch` for tickets that are not its own.
    pub async fn checkout(
        &self,
        caller: &Caller,
        transaction: TransactionId,
        tickets: Option<Vec<TicketId>>,
    ) -> Result<TransactionView, EngineError> {
        let route = self.route(caller, transaction)?;
        self.check_tickets(caller, transaction, tickets).await?;
        let holds = self.extend_all(&route, transaction).await?;
        self.view(transaction, holds)
    }

    async fn extend_all(
        &self,
        route: &Route,
        transaction: TransactionId,
    ) -> Result<Vec<HoldView>, EngineError> {
        match self.each_hold(route, || ExtendHold { transaction }).await {
            Ok(holds) => Ok(holds),
            Err(error) => {
                if route.performances.len() > 1
                    && matches!(error, EngineError::Rejected(Rejection::LockExpired))
                {
                    // One lock is gone, so the transaction cannot complete: free the rest now
                    // rather than when they expire.
                    let released = self.each_hold(route, || ReleaseHold { transaction }).await;
                    if let Err(error) = released {
                        tracing::warn!(%error, "releasing the rest of an expired transaction failed");
                    }
                }
                Err(error)
            }
        }
    }

    /// Completes a transaction: its tickets are sold under one order, and the customer's
    /// people record (when a customer is named) is created or updated. Completing again, or
    /// at the same time, answers the same order.
    ///
    /// With a payment, it is recorded on the order, and must settle exactly what the
    /// transaction costs.
    ///
    /// # Errors
    /// As [`Engine::checkout`]; `CompletedDifferently` when the transaction was completed for
    /// another customer or payment; `UnknownPaymentMethod`, `PaymentMismatch`.
    pub async fn complete(
        self: &Arc<Self>,
        caller: &Caller,
        transaction: TransactionId,
        customer: Option<Customer>,
        payment: Option<Payment>,
        tickets: Option<Vec<TicketId>>,
    ) -> Result<Order, EngineError> {
        if let Some(payment) = &payment
            && !self.payment_methods.iter().any(|m| m == payment.method())
        {
            return Err(EngineError::UnknownPaymentMethod {
                method: payment.method().to_owned(),
            });
        }
        self.check_tickets(caller, transaction, tickets).await?;
        loop {
            let now = self.clock.now();
            let next = {
                let mut coordination = self.coordination();
                let begin = coordination.coordinator.begin_completion(
                    caller,
                    transaction,
                    customer.clone(),
                    payment.clone(),
                    now,
                )?;
                match begin {
                    Begin::Done(order) => Next::Answer(order),
                    Begin::Join => Next::Join(coordination.runs.get(&transaction).cloned()),
                    Begin::Run(run) => {
                        let (done, waiting) = tokio::sync::watch::channel(());
                        coordination.runs.insert(transaction, waiting.clone());
                        Next::Run(run, done, waiting)
                    }
                }
            };
            match next {
                Next::Answer(order) => return self.order_view(order).await,
                Next::Run(run, done, mine) => {
                    // The run goes on in a task of its own, so a client that disconnects
                    // cannot stop a completion half-way.
                    let engine = Arc::clone(self);
                    let task = actix_rt::spawn(async move {
                        let outcome = engine.run_completion(run).await;
                        let mut coordination = engine.coordination();
                        // A later run of the same transaction may have begun meanwhile.
                        if coordination
                            .runs
                            .get(&transaction)
                            .is_some_and(|running| running.same_channel(&mine))
                        {
                            coordination.runs.remove(&transaction);
                        }
                        drop(coordination);
                        drop(done);
                        outcome
                    });
                    return task.await.map_err(|_| EngineError::Unavailable)?;
                }
                // Wakes when the run's sender is dropped, as it ends; then ask again.
                Next::Join(Some(mut waiting)) => while waiting.changed().await.is_ok() {},
                // The run belongs to no task of this process: it stalled after its commit
                // and is resumed by the next request; yield and ask again.
                Next::Join(None) => actix_rt::task::yield_now().await,
            }
        }
    }

    /// Executes a completion's steps until it finishes.
    async fn run_completion(&self, mut run: Completion) -> Result<Order, EngineError> {
        let mut step = self.coordination().coordinator.step(&run);
        let mut sold: Vec<HoldView> = Vec::new();
        loop {
            let outcome = match step {
                Step::Finished(Ok(order)) => {
                    let transaction = self.view(order.transaction, sold)?;
                    return Ok(order_of(order, transaction));
                }
                Step::Finished(Err(error)) => return Err(error),
                Step::Quote {
                    performances,
                    discount,
                } => {
                    let due = self
                        .quote(run.transaction(), performances, discount.as_deref())
                        .await;
                    step = self
                        .coordination()
                        .coordinator
                        .advance_quoted(&mut run, due);
                    continue;
                }
                Step::Commit(order) => {
                    self.write(Batch {
                        records: vec![Record::Order(order)],
                        ..Batch::default()
                    })
                    .await
                }
                Step::Perform {
                    performance,
                    action,
                    bounded,
                } => {
                    let view = self
                        .perform(&performance, run.transaction(), action, bounded)
                        .await;
                    view.map(|view| {
                        if view.hold.state == HoldState::Sold {
                            sold.push(view);
                        }
                    })
                }
            };
            step = self.coordination().coordinator.advance(&mut run, outcome);
        }
    }

    /// What a transaction's holds at `performances` cost with `discount`, and the tickets it
    /// covers.
    pub(super) async fn quote(
        &self,
        transaction: TransactionId,
        performances: Vec<PerformanceId>,
        discount: Option<&DiscountCode>,
    ) -> Result<Quote, EngineError> {
        let mut views = Vec::with_capacity(performances.len());
        for performance in performances {
            let view = self
                .registry
                .get(&performance)?
                .send(GetHold { transaction })
                .await?;
            views.push(view);
        }
        Ok(quote(
            views
                .iter()
                .map(|view| (view.performance.as_ref(), view.plan.as_ref(), &view.hold)),
            discount,
        ))
    }

    /// Carries out one coordinator step at a performance.
    async fn perform(
        &self,
        performance: &PerformanceId,
        transaction: TransactionId,
        action: HoldAction,
        bounded: bool,
    ) -> Result<HoldView, EngineError> {
        let handle = self.registry.get(performance)?;
        macro_rules! send {
            ($message:expr) => {
                if bounded {
                    handle.send($message).await
                } else {
                    handle.send_unbounded($message).await
                }
            };
        }
        match action {
            HoldAction::Prepare => send!(PrepareHold { transaction }),
            HoldAction::Unprepare => send!(UnprepareHold { transaction }),
            HoldAction::Release => send!(ReleaseHold { transaction }),
            HoldAction::Sell { number, order } => send!(SellHold {
                transaction,
                order_number: number,
                order: order.map(|order| *order),
                barcode_seed: random_u64(),
            }),
        }
    }

    /// Releases every lock of a transaction; a sale is never undone. Idempotent.
    ///
    /// # Errors
    /// `NotFound` for an unknown transaction, `Forbidden` for another client's.
    pub async fn release(
        &self,
        caller: &Caller,
        transaction: TransactionId,
    ) -> Result<TransactionView, EngineError> {
        let route = self.route(caller, transaction)?;
        let holds = self
            .each_hold(&route, || ReleaseHold { transaction })
            .await?;
        self.view(transaction, holds)
    }
}
