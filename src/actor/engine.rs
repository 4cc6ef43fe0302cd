//! The engine: the catalogue, and the coordinator for transactions, orders and people.
//!
//! A transaction is one hold at each performance it touches. Almost every transaction touches
//! one performance, and then its actor alone decides it. A transaction over several
//! performances is held performance by performance in id order; if one refuses, the holds
//! already placed are released before the refusal is returned, so the request changes no
//! seat (the journal keeps the place-and-release pair). Completing such a transaction first
//! checks every hold out, which both proves each lock live and pushes its expiry a full hold
//! time away, then sells each.
//!
//! The transaction index, idempotency answers, orders and people live in memory in this
//! build; the durable versions arrive with the journal (issue 3).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use dashmap::DashMap;
use dashmap::mapref::entry::Entry as MapEntry;

use super::clock::Clock;
use super::error::EngineError;
use super::messages::{
    AvailabilityView, ChangeHoldbacks, ExtendHold, GetAvailability, GetHold, GetPerformance,
    GetSeatMap, HoldView, PerformanceView, PlaceHold, ReleaseHold, SeatMapView, SellHold,
};
use super::registry::{PerformanceHandle, Registry};
use crate::domain::{
    ClientId, EventId, EventInfo, HoldState, InvalidPlan, OrderNumber, Performance, PerformanceId,
    PerformanceInfo, PlanSpec, Rejection, SeatingPlan, Selection, TicketId, Timestamp,
    TransactionId,
};

/// The first order number handed out.
const FIRST_ORDER_NUMBER: u64 = 100_001;

/// Limits the engine enforces on every request.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The most tickets (seats or places) one request may name or ask for.
    pub tickets_per_request_max: usize,
    /// The most seats one plan may have.
    pub seats_per_plan_max: usize,
}

/// Who is asking.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The client behind the API key.
    pub client: ClientId,
    /// True for an admin key, which may act on every client's transactions.
    pub is_admin: bool,
    /// The caller's IP address.
    pub ip: String,
}

/// What a new transaction should hold.
#[derive(Clone, Debug)]
pub enum HoldRequest {
    /// These tickets, all or nothing; they may span performances.
    Tickets(Vec<TicketId>),
    /// The best seats for `quantity` at one performance.
    BestAvailable {
        /// The performance.
        performance: PerformanceId,
        /// How many seats.
        quantity: u32,
        /// Only this price band, when given.
        price_band: Option<String>,
        /// Tickets to try first; they must be at `performance`.
        preferred: Vec<TicketId>,
    },
    /// General-admission places at one performance: (pool code, quantity).
    GeneralAdmission {
        /// The performance.
        performance: PerformanceId,
        /// Pool codes and quantities.
        places: Vec<(String, u32)>,
    },
}

/// An idempotency key with the fingerprint of the request body it came with.
#[derive(Clone, Debug)]
pub struct IdempotencyKey {
    /// The client's key.
    pub key: String,
    /// A digest of the canonical request body.
    pub fingerprint: [u8; 32],
}

/// A transaction: its holds, one per performance, in performance id order.
#[derive(Clone, Debug)]
pub struct TransactionView {
    /// The transaction's id.
    pub id: TransactionId,
    /// Its holds.
    pub holds: Vec<HoldView>,
}

impl TransactionView {
    /// Returns the transaction's state, summed over its holds.
    pub fn state(&self) -> HoldState {
        let states: Vec<HoldState> = self.holds.iter().map(|h| h.hold.state).collect();
        let any = |state| states.contains(&state);
        if states.iter().all(|&s| s == HoldState::Sold) {
            HoldState::Sold
        } else if any(HoldState::Expired) {
            HoldState::Expired
        } else if any(HoldState::Released) {
            HoldState::Released
        } else if any(HoldState::CheckedOut) {
            HoldState::CheckedOut
        } else {
            HoldState::Held
        }
    }

    /// Returns when the earliest lock of the transaction ends.
    pub fn lock_expires(&self) -> Timestamp {
        self.holds
            .iter()
            .map(|h| h.hold.expires_at)
            .min()
            .unwrap_or_default()
    }

    /// Returns every ticket id of the transaction, sorted.
    pub fn ticket_ids(&self) -> Vec<String> {
        let mut tickets: Vec<String> = self
            .holds
            .iter()
            .flat_map(|view| {
                view.hold.seats.iter().map(move |&seat| {
                    format!("{}:{}", view.performance.id, view.plan.seat_id(seat))
                })
            })
            .collect();
        tickets.sort();
        tickets
    }
}

/// The buyer named at completion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Customer {
    /// The customer's name.
    pub name: String,
    /// The customer's email address, lower-cased; it keys the people record.
    pub email: String,
}

/// What a completed transaction leaves.
#[derive(Clone, Debug)]
pub struct Order {
    /// The order number.
    pub number: OrderNumber,
    /// The transaction it completed, with its sold holds (barcodes included).
    pub transaction: TransactionView,
    /// The client that sold it.
    pub client: ClientId,
    /// The buyer.
    pub customer: Customer,
    /// When it was created.
    pub created_at: Timestamp,
}

/// A customer's people record, keyed by email.
#[derive(Clone, Debug)]
pub struct Person {
    /// The email address, lower-cased.
    pub email: String,
    /// The latest name given.
    pub name: String,
    /// Every order of the customer, oldest first.
    pub orders: Vec<OrderNumber>,
    /// When the record was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// A page of a listing.
#[derive(Clone, Debug)]
pub struct Page<T> {
    /// The items on the page.
    pub items: Vec<T>,
    /// How many items match in all.
    pub total: usize,
}

#[derive(Clone, Debug)]
struct Route {
    owner: ClientId,
    performances: Vec<PerformanceId>,
}

#[derive(Clone, Debug)]
enum Idempotent {
    InFlight {
        fingerprint: [u8; 32],
    },
    Done {
        fingerprint: [u8; 32],
        answer: TransactionView,
    },
}

/// The catalogue and the transaction coordinator.
pub struct Engine {
    registry: Registry,
    events: DashMap<EventId, EventInfo>,
    transactions: DashMap<TransactionId, Route>,
    idempotency: DashMap<(ClientId, String), Idempotent>,
    orders: DashMap<OrderNumber, Order>,
    people: DashMap<String, Person>,
    next_order: AtomicU64,
    clock: Arc<dyn Clock>,
    limits: Limits,
}

fn random_u64() -> u64 {
    let mut bytes = [0_u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        // Without OS randomness, fall back to a v4 UUID's bits (which also use the OS, but
        // through a different path), never to a constant.
        return uuid::Uuid::new_v4().as_u64_pair().0;
    }
    u64::from_le_bytes(bytes)
}

impl Engine {
    /// Creates an engine over `registry`.
    pub fn new(registry: Registry, clock: Arc<dyn Clock>, limits: Limits) -> Self {
        Self {
            registry,
            events: DashMap::new(),
            transactions: DashMap::new(),
            idempotency: DashMap::new(),
            orders: DashMap::new(),
            people: DashMap::new(),
            next_order: AtomicU64::new(FIRST_ORDER_NUMBER),
            clock,
            limits,
        }
    }

    /// Returns the engine's limits.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Returns the registry of performance actors.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    // ---- Catalogue ----

    /// Creates a performance and starts its actor; records or updates its event.
    ///
    /// # Errors
    /// `Invalid` for a bad plan, `RuleViolation` for a plan over the seat limit, and
    /// `AlreadyExists` for a taken id.
    pub async fn create_performance(
        &self,
        info: PerformanceInfo,
        spec: PlanSpec,
    ) -> Result<PerformanceView, EngineError> {
        let info = info.validate().map_err(plan_error)?;
        let plan = SeatingPlan::build(spec, self.limits.seats_per_plan_max).map_err(plan_error)?;
        let event = info.event.clone();
        let handle = self
            .registry
            .start(Performance::new(info, plan), 0, Timestamp::default())?;
        self.events.insert(event.id.clone(), event);
        handle.send(GetPerformance).await
    }

    /// Lists events whose name, venue or city contains `query` (case-insensitive) and whose
    /// city is `city` (case-insensitive), sorted by name.
    pub fn events(
        &self,
        query: Option<&str>,
        city: Option<&str>,
        page: usize,
        page_length: usize,
    ) -> Page<EventInfo> {
        let query = query.map(str::to_lowercase);
        let city = city.map(str::to_lowercase);
        let mut events: Vec<EventInfo> = self
            .events
            .iter()
            .map(|entry| entry.value().clone())
            .filter(|event| {
                query.as_deref().is_none_or(|q| {
                    [&event.name, &event.venue, &event.city]
                        .iter()
                        .any(|field| field.to_lowercase().contains(q))
                }) && city
                    .as_deref()
                    .is_none_or(|c| event.city.to_lowercase() == c)
            })
            .collect();
        events.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        paginate(events, page, page_length)
    }

    /// Lists the performances of `event` starting within `[from, to]`, soonest first.
    ///
    /// # Errors
    /// `NotFound` for an unknown event.
    pub fn event_performances(
        &self,
        event: &EventId,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
        page: usize,
        page_length: usize,
    ) -> Result<Page<Arc<PerformanceInfo>>, EngineError> {
        if !self.events.contains_key(event) {
            return Err(EngineError::not_found("event", event));
        }
        let mut performances: Vec<Arc<PerformanceInfo>> = self
            .registry
            .infos()
            .into_iter()
            .filter(|info| {
                info.event.id == *event
                    && from.is_none_or(|from| info.starts_at >= from)
                    && to.is_none_or(|to| info.starts_at <= to)
            })
            .collect();
        performances.sort_by(|a, b| (a.starts_at, &a.id).cmp(&(b.starts_at, &b.id)));
        Ok(paginate(performances, page, page_length))
    }

    /// Reads a performance with its counts.
    ///
    /// # Errors
    /// `NotFound` for an unknown performance.
    pub async fn performance(&self, id: &PerformanceId) -> Result<PerformanceView, EngineError> {
        self.registry.get(id)?.send(GetPerformance).await
    }

    /// Reads the free seat blocks of a performance.
    ///
    /// # Errors
    /// `NotFound` for an unknown performance or price band.
    pub async fn availability(
        &self,
        id: &PerformanceId,
        quantity: Option<u32>,
        price_band: Option<String>,
    ) -> Result<AvailabilityView, EngineError> {
        let message = GetAvailability {
            quantity,
            price_band,
        };
        self.registry.get(id)?.send(message).await
    }

    /// Reads every seat's status.
    ///
    /// # Errors
    /// `NotFound` for an unknown performance.
    pub async fn seat_map(&self, id: &PerformanceId) -> Result<SeatMapView, EngineError> {
        self.registry.get(id)?.send(GetSeatMap).await
    }

    /// Withholds and returns seats.
    ///
    /// # Errors
    /// `NotFound` for an unknown performance or seat; the domain's rejections otherwise.
    pub async fn change_holdbacks(
        &self,
        id: &PerformanceId,
        withhold: Vec<TicketId>,
        release: Vec<TicketId>,
    ) -> Result<PerformanceView, EngineError> {
        let handle = self.registry.get(id)?;
        let seats = |tickets: Vec<TicketId>| -> Result<Vec<String>, EngineError> {
            tickets
                .into_iter()
                .map(|ticket| {
                    if ticket.performance == *id {
                        Ok(ticket.seat)
                    } else {
                        Err(EngineError::Invalid(format!(
                            "ticket {ticket} is not at performance {id}"
                        )))
                    }
                })
                .collect()
        };
        let message = ChangeHoldbacks {
            withhold: seats(withhold)?,
            release: seats(release)?,
        };
        self.check_ticket_count(message.withhold.len() + message.release.len())?;
        handle.send(message).await
    }

    // ---- Transactions ----

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
        idempotency: Option<IdempotencyKey>,
    ) -> Result<TransactionView, EngineError> {
        let Some(idempotency) = idempotency else {
            return self.hold(caller, request).await;
        };
        let scope = (caller.client.clone(), idempotency.key.clone());
        match self.idempotency.entry(scope.clone()) {
            MapEntry::Occupied(entry) => {
                return match entry.get() {
                    Idempotent::Done {
                        fingerprint,
                        answer,
                    } if *fingerprint == idempotency.fingerprint => Ok(answer.clone()),
                    Idempotent::InFlight { fingerprint }
                        if *fingerprint == idempotency.fingerprint =>
                    {
                        Err(EngineError::InProgress)
                    }
                    _ => Err(EngineError::Mismatch(
                        "this Idempotency-Key was used with a different request body".into(),
                    )),
                };
            }
            MapEntry::Vacant(entry) => {
                entry.insert(Idempotent::InFlight {
                    fingerprint: idempotency.fingerprint,
                });
            }
        }
        let result = self.hold(caller, request).await;
        match &result {
            Ok(answer) => {
                self.idempotency.insert(
                    scope,
                    Idempotent::Done {
                        fingerprint: idempotency.fingerprint,
                        answer: answer.clone(),
                    },
                );
            }
            Err(_) => {
                self.idempotency.remove(&scope);
            }
        }
        result
    }

    fn check_ticket_count(&self, requested: usize) -> Result<(), EngineError> {
        let max = self.limits.tickets_per_request_max;
        if requested > max {
            return Err(Rejection::TooManyTickets { requested, max }.into());
        }
        Ok(())
    }

    async fn hold(
        &self,
        caller: &Caller,
        request: HoldRequest,
    ) -> Result<TransactionView, EngineError> {
        let groups = self.route_hold(request)?;
        let transaction = TransactionId(uuid::Uuid::now_v7().as_u128());
        let mut holds: Vec<HoldView> = Vec::with_capacity(groups.len());
        for (handle, selection) in groups {
            let message = PlaceHold {
                transaction,
                owner: caller.client.clone(),
                ip: caller.ip.clone(),
                selection,
            };
            match handle.send(message).await {
                Ok(view) => holds.push(view),
                Err(error) => {
                    self.undo_holds(transaction, &holds).await;
                    return Err(error);
                }
            }
        }
        self.transactions.insert(
            transaction,
            Route {
                owner: caller.client.clone(),
                performances: holds.iter().map(|h| h.performance.id.clone()).collect(),
            },
        );
        Ok(TransactionView {
            id: transaction,
            holds,
        })
    }

    /// Resolves the performances a request touches, in id order, and what to hold at each.
    fn route_hold(
        &self,
        request: HoldRequest,
    ) -> Result<Vec<(PerformanceHandle, Selection)>, EngineError> {
        match request {
            HoldRequest::Tickets(tickets) => {
                let mut groups: BTreeMap<PerformanceId, Vec<String>> = BTreeMap::new();
                for ticket in tickets {
                    groups
                        .entry(ticket.performance)
                        .or_default()
                        .push(ticket.seat);
                }
                let handles = groups
                    .into_iter()
                    .map(|(id, seats)| Ok((self.registry.get(&id)?, Selection::Seats(seats))))
                    .collect::<Result<Vec<_>, EngineError>>()?;
                let count = handles
                    .iter()
                    .map(|(_, s)| match s {
                        Selection::Seats(seats) => seats.len(),
                        _ => 0,
                    })
                    .sum();
                self.check_ticket_count(count)?;
                Ok(handles)
            }
            HoldRequest::BestAvailable {
                performance,
                quantity,
                price_band,
                preferred,
            } => {
                let handle = self.registry.get(&performance)?;
                self.check_ticket_count(preferred.len().max(quantity as usize))?;
                let preferred = preferred
                    .into_iter()
                    .map(|ticket| {
                        if ticket.performance == performance {
                            Ok(ticket.seat)
                        } else {
                            Err(EngineError::Invalid(format!(
                                "preferred ticket {ticket} is not at performance {performance}"
                            )))
                        }
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let selection = Selection::BestAvailable {
                    quantity,
                    price_band,
                    preferred,
                };
                Ok(vec![(handle, selection)])
            }
            HoldRequest::GeneralAdmission {
                performance,
                places,
            } => {
                let handle = self.registry.get(&performance)?;
                let total: u64 = places.iter().map(|(_, q)| u64::from(*q)).sum();
                self.check_ticket_count(usize::try_from(total).unwrap_or(usize::MAX))?;
                Ok(vec![(handle, Selection::GeneralAdmission(places))])
            }
        }
    }

    /// Releases holds placed for a transaction that could not be completed as a whole.
    async fn undo_holds(&self, transaction: TransactionId, holds: &[HoldView]) {
        for view in holds {
            let outcome = match self.registry.get(&view.performance.id) {
                Ok(handle) => handle.send(ReleaseHold { transaction }).await.map(drop),
                Err(error) => Err(error),
            };
            if let Err(error) = outcome {
                // The lock still expires by itself; log so the stray hold can be explained.
                tracing::warn!(performance = %view.performance.id, %error, "undoing a partial hold failed");
            }
        }
    }

    /// Finds a transaction the caller may see.
    fn route(&self, caller: &Caller, transaction: TransactionId) -> Result<Route, EngineError> {
        let route = self
            .transactions
            .get(&transaction)
            .map(|entry| entry.value().clone())
            .ok_or_else(|| {
                EngineError::not_found("transaction", uuid::Uuid::from_u128(transaction.0))
            })?;
        if !caller.is_admin && route.owner != caller.client {
            return Err(EngineError::Forbidden {
                what: "transaction",
            });
        }
        Ok(route)
    }

    /// Sends one message per hold of the transaction, in performance order.
    async fn each_hold<M>(
        &self,
        route: &Route,
        message: impl Fn() -> M,
    ) -> Result<Vec<HoldView>, EngineError>
    where
        M: actix::Message<Result = Result<HoldView, EngineError>> + Send + 'static,
        super::PerformanceActor: actix::Handler<M>,
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
        Ok(TransactionView {
            id: transaction,
            holds,
        })
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
            return Err(EngineError::Mismatch(
                "the tickets given do not match the transaction's tickets".into(),
            ));
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
        Ok(TransactionView {
            id: transaction,
            holds,
        })
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

    /// Completes a transaction: its tickets are sold, an order is created and the customer's
    /// people record is created or updated. Completing again answers the same order.
    ///
    /// # Errors
    /// As [`Engine::checkout`].
    pub async fn complete(
        &self,
        caller: &Caller,
        transaction: TransactionId,
        customer: Customer,
        tickets: Option<Vec<TicketId>>,
    ) -> Result<Order, EngineError> {
        let route = self.route(caller, transaction)?;
        self.check_tickets(caller, transaction, tickets).await?;
        let current = self.transaction(caller, transaction).await?;
        if let Some(order) = self.existing_order(&current) {
            return Ok(order);
        }
        if route.performances.len() > 1 {
            self.extend_all(&route, transaction).await?;
        }
        let number = OrderNumber(self.next_order.fetch_add(1, Ordering::Relaxed));
        let holds = self
            .each_hold(&route, || SellHold {
                transaction,
                order_number: number,
                barcode_seed: random_u64(),
            })
            .await?;
        let view = TransactionView {
            id: transaction,
            holds,
        };
        if let Some(order) = self.existing_order(&view) {
            // A concurrent completion sold it first under its own number.
            return Ok(order);
        }
        let now = self.clock.now();
        let order = Order {
            number,
            transaction: view,
            client: route.owner.clone(),
            customer: customer.clone(),
            created_at: now,
        };
        self.orders.insert(number, order.clone());
        self.people
            .entry(customer.email.clone())
            .and_modify(|person| {
                person.name = customer.name.clone();
                person.orders.push(number);
                person.updated_at = now;
            })
            .or_insert_with(|| Person {
                email: customer.email.clone(),
                name: customer.name.clone(),
                orders: vec![number],
                created_at: now,
                updated_at: now,
            });
        Ok(order)
    }

    /// The order of a transaction already sold under another number than this call's.
    fn existing_order(&self, view: &TransactionView) -> Option<Order> {
        let number = view.holds.first()?.hold.sale.as_ref()?.order_number;
        self.orders.get(&number).map(|entry| entry.value().clone())
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
        Ok(TransactionView {
            id: transaction,
            holds,
        })
    }

    // ---- Orders and people ----

    /// Reads an order.
    ///
    /// # Errors
    /// `NotFound` for an unknown order, `Forbidden` for another client's.
    pub fn order(&self, caller: &Caller, number: OrderNumber) -> Result<Order, EngineError> {
        let order = self
            .orders
            .get(&number)
            .map(|entry| entry.value().clone())
            .ok_or_else(|| EngineError::not_found("order", number))?;
        if !caller.is_admin && order.client != caller.client {
            return Err(EngineError::Forbidden { what: "order" });
        }
        Ok(order)
    }

    /// Reads the people record of `email` (lower-cased).
    ///
    /// # Errors
    /// `NotFound` when there is none.
    pub fn person(&self, email: &str) -> Result<Person, EngineError> {
        self.people
            .get(email)
            .map(|entry| entry.value().clone())
            .ok_or_else(|| EngineError::not_found("person", email))
    }
}

fn plan_error(error: InvalidPlan) -> EngineError {
    match error {
        InvalidPlan::TooManySeats { .. } => EngineError::RuleViolation(error.to_string()),
        other => EngineError::Invalid(other.to_string()),
    }
}

fn paginate<T>(items: Vec<T>, page: usize, page_length: usize) -> Page<T> {
    let total = items.len();
    let items = items
        .into_iter()
        .skip(page.saturating_mul(page_length))
        .take(page_length)
        .collect();
    Page { items, total }
}
