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
//! Everything the engine acknowledges is durable first: a performance's definition and a
//! client before their 201, an idempotency answer in the same batch as its hold, an order in
//! the same batch as its sale. The transaction index and the people records are not stored:
//! start-up rebuilds them from the holds and the orders ([`Engine::recover`]).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use dashmap::DashMap;

use super::clients::{Client, ClientDirectory, Role, generate_key};
use super::clock::Clock;
use super::error::EngineError;
use super::idempotency::{Claim, IdempotencyTable, Scope};
use super::messages::{
    AvailabilityView, ChangeHoldbacks, ExtendHold, GetAvailability, GetHold, GetPerformance,
    GetSeatMap, HoldView, IdempotencyStub, PerformanceView, PlaceHold, ReleaseHold, SeatMapView,
    SellHold,
};
use super::performance_core::{Rebuilt, rebuild};
use super::registry::{PerformanceHandle, Registry};
use crate::domain::{
    ClientId, EventId, EventInfo, HoldState, InvalidPlan, OrderNumber, Performance, PerformanceId,
    PerformanceInfo, PlanSpec, Rejection, SeatingPlan, Selection, TicketId, Timestamp,
    TransactionId,
};
use crate::persistence::{
    Batch, ClientRecord, OrderRecord, PerformanceRecord, Record, Recovered, Store,
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

/// Drops an idempotency claim unless its request completes.
struct ClaimGuard<'a> {
    table: &'a IdempotencyTable<TransactionView>,
    scope: Option<Scope>,
}

impl ClaimGuard<'_> {
    fn complete(mut self, fingerprint: [u8; 32], answer: TransactionView) {
        if let Some(scope) = self.scope.take() {
            self.table.complete(scope, fingerprint, answer);
        }
    }
}

impl Drop for ClaimGuard<'_> {
    fn drop(&mut self) {
        if let Some(scope) = self.scope.take() {
            self.table.abandon(&scope);
        }
    }
}

/// The catalogue and the transaction coordinator.
pub struct Engine {
    registry: Registry,
    store: Arc<dyn Store>,
    clients: ClientDirectory,
    events: DashMap<EventId, EventInfo>,
    transactions: DashMap<TransactionId, Route>,
    idempotency: IdempotencyTable<TransactionView>,
    orders: DashMap<OrderNumber, OrderRecord>,
    people: DashMap<String, Person>,
    next_order: AtomicU64,
    /// Serializes performance creation, so an id is checked, stored and started as one step.
    creating: tokio::sync::Mutex<()>,
    clock: Arc<dyn Clock>,
    limits: Limits,
}

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
    /// Creates an engine over `registry`, writing to `store`.
    pub fn new(
        registry: Registry,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        limits: Limits,
    ) -> Self {
        Self {
            registry,
            store,
            clients: ClientDirectory::new(),
            creating: tokio::sync::Mutex::new(()),
            events: DashMap::new(),
            transactions: DashMap::new(),
            idempotency: IdempotencyTable::default(),
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

    /// Writes `batch` and waits until it is durable.
    async fn write(&self, batch: Batch) -> Result<(), EngineError> {
        self.store
            .write(batch)
            .await
            .map_err(|_| EngineError::Unavailable)??;
        Ok(())
    }

    /// Returns the store's counters.
    pub fn store_stats(&self) -> crate::persistence::StoreStats {
        self.store.stats()
    }

    /// Returns true while the store accepts writes.
    pub fn is_healthy(&self) -> bool {
        !self.store.has_failed()
    }

    // ---- Clients ----

    /// Returns the client whose key is `key`.
    pub fn authenticate(&self, key: &str) -> Option<Client> {
        self.clients.authenticate(key)
    }

    /// Creates a client with a fresh key, durably, and returns it with the key.
    ///
    /// # Errors
    /// `AlreadyExists` for a taken id; `Unavailable` when the store fails.
    pub async fn create_client(
        &self,
        id: ClientId,
        name: String,
        role: Role,
    ) -> Result<(Client, String), EngineError> {
        let key = generate_key()?;
        let client = self.clients.register(id, name, role, &key)?;
        let record = client_record(&client);
        if let Err(error) = self
            .write(Batch {
                records: vec![Record::Client(record)],
                ..Batch::default()
            })
            .await
        {
            self.clients.remove(&client.id);
            return Err(error);
        }
        Ok((client, key))
    }

    /// Makes sure the admin client exists: with `key` when given (replacing a stored one), or
    /// with a generated key, which is returned so it can be shown once.
    ///
    /// # Errors
    /// `Unavailable` when the store fails.
    pub async fn ensure_admin(&self, key: Option<&str>) -> Result<Option<String>, EngineError> {
        let id =
            ClientId::parse("admin").map_err(|error| EngineError::Invalid(error.to_string()))?;
        let exists = self.clients.get(&id).is_some();
        let (key, generated) = match (key, exists) {
            (Some(key), _) => (key.to_owned(), None),
            (None, true) => return Ok(None),
            (None, false) => {
                let key = generate_key()?;
                (key.clone(), Some(key))
            }
        };
        if self
            .clients
            .get(&id)
            .is_some_and(|admin| admin.has_key(&key))
        {
            return Ok(None);
        }
        self.clients.remove(&id);
        let client = self
            .clients
            .register(id, "admin".into(), Role::Admin, &key)?;
        self.write(Batch {
            records: vec![Record::Client(client_record(&client))],
            ..Batch::default()
        })
        .await?;
        Ok(generated)
    }

    // ---- Recovery ----

    /// Rebuilds the engine from what the store holds: clients, every performance (newest
    /// valid snapshot plus the journal after it; a damaged one is halted, never served cut
    /// short), the transaction index from the holds, orders, people and idempotency answers.
    /// Actors release locks that fell due while the server was down as they start.
    pub fn recover(&self, recovered: Recovered) -> RecoveryReport {
        let mut report = RecoveryReport::default();
        for record in recovered.clients {
            if let Some(role) = Role::parse(&record.role) {
                self.clients
                    .restore(record.id, record.name, role, record.key_digest);
            }
        }
        let mut plans: std::collections::HashMap<PerformanceId, Arc<SeatingPlan>> =
            std::collections::HashMap::new();
        for found in recovered.performances {
            let id = found.record.info.id.clone();
            self.events.insert(
                found.record.info.event.id.clone(),
                found.record.info.event.clone(),
            );
            let replayed = found.tail.len();
            let rebuilt = match rebuild(found) {
                Ok(rebuilt) => rebuilt,
                Err(reason) => {
                    tracing::error!(performance = %id, %reason, "stored history cannot be served: this performance is halted");
                    self.registry.halt(id, reason.to_string());
                    report.halted += 1;
                    continue;
                }
            };
            report.from_snapshots += usize::from(rebuilt.from_snapshot);
            let Rebuilt {
                performance,
                plan,
                seq,
                floor,
                ..
            } = rebuilt;
            report.replayed += replayed;
            self.index_holds(&performance);
            plans.insert(id.clone(), plan);
            match self.registry.start(performance, seq, floor) {
                Ok(_) => report.performances += 1,
                Err(error) => {
                    tracing::error!(performance = %id, %error, "cannot start a recovered performance")
                }
            }
        }
        for record in recovered.idempotency {
            self.restore_idempotency(record, &plans);
        }
        report.orders = recovered.orders.len();
        let mut orders = recovered.orders;
        orders.sort_by_key(|order| order.number);
        for order in orders {
            self.remember_order(order);
        }
        report
    }

    fn index_holds(&self, performance: &Performance) {
        for hold in performance.holds() {
            let mut route = self
                .transactions
                .entry(hold.transaction)
                .or_insert_with(|| Route {
                    owner: hold.owner.clone(),
                    performances: Vec::new(),
                });
            route.performances.push(performance.info().id.clone());
            route.performances.sort();
        }
    }

    fn restore_idempotency(
        &self,
        record: crate::persistence::IdempotencyRecord,
        plans: &std::collections::HashMap<PerformanceId, Arc<SeatingPlan>>,
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
            });
        }
        let answer = TransactionView {
            id: record.transaction,
            holds,
        };
        self.idempotency
            .complete((record.client, record.key), record.fingerprint, answer);
    }

    /// Adds an order to the index and the customer's people record.
    fn remember_order(&self, order: OrderRecord) {
        self.next_order
            .fetch_max(order.number.0 + 1, Ordering::Relaxed);
        self.people
            .entry(order.customer_email.clone())
            .and_modify(|person| {
                person.name.clone_from(&order.customer_name);
                // Order numbers are unique and arrive in ascending order at recovery, so no
                // search for a repeat is needed (it was quadratic for a busy customer).
                person.orders.push(order.number);
                person.updated_at = person.updated_at.max(order.created_at);
            })
            .or_insert_with(|| Person {
                email: order.customer_email.clone(),
                name: order.customer_name.clone(),
                orders: vec![order.number],
                created_at: order.created_at,
                updated_at: order.created_at,
            });
        self.orders.insert(order.number, order);
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
        let plan =
            SeatingPlan::build(spec.clone(), self.limits.seats_per_plan_max).map_err(plan_error)?;
        let _creating = self.creating.lock().await;
        if self.registry.contains(&info.id) {
            return Err(EngineError::AlreadyExists {
                what: "performance",
                id: info.id.to_string(),
            });
        }
        let record = PerformanceRecord {
            info: info.clone(),
            plan: spec,
        };
        self.write(Batch {
            records: vec![Record::Performance(record)],
            ..Batch::default()
        })
        .await?;
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
            return self.hold(caller, request, None).await;
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
                return Err(EngineError::Mismatch(
                    "this Idempotency-Key was used with a different request body".into(),
                ));
            }
        }
        // A request abandoned mid-way (its connection dropped) must not leave the key claimed
        // for ever: the guard drops the claim unless the answer is remembered.
        let claim = ClaimGuard {
            table: &self.idempotency,
            scope: Some(scope),
        };
        let stub = IdempotencyStub {
            client: caller.client.clone(),
            key: idempotency.key.clone(),
            fingerprint: idempotency.fingerprint,
            earlier_holds: Vec::new(),
        };
        let answer = self.hold(caller, request, Some(stub)).await?;
        claim.complete(idempotency.fingerprint, answer.clone());
        Ok(answer)
    }

    fn check_ticket_count(&self, requested: usize) -> Result<(), EngineError> {
        let max = self.limits.tickets_per_request_max;
        if requested > max {
            return Err(Rejection::TooManyTickets { requested, max }.into());
        }
        Ok(())
    }

    /// Places the holds of a new transaction; the last one carries the idempotency record,
    /// with the holds placed before it, so the answer is remembered in the same batch as the
    /// hold that completes it.
    async fn hold(
        &self,
        caller: &Caller,
        request: HoldRequest,
        idempotency: Option<IdempotencyStub>,
    ) -> Result<TransactionView, EngineError> {
        let groups = self.route_hold(request)?;
        // After routing, so unknown performances (404) and shape errors (422) rank first.
        if self.store.is_low_on_space() {
            return Err(EngineError::LowOnSpace);
        }
        let count = groups.len();
        let transaction = TransactionId(uuid::Uuid::now_v7().as_u128());
        let mut holds: Vec<HoldView> = Vec::with_capacity(count);
        for (index, (handle, selection)) in groups.into_iter().enumerate() {
            let idempotency = idempotency
                .clone()
                .filter(|_| index + 1 == count)
                .map(|mut stub| {
                    stub.earlier_holds = holds
                        .iter()
                        .map(|h| (h.performance.id.clone(), h.hold.clone()))
                        .collect();
                    stub
                });
            let message = PlaceHold {
                transaction,
                owner: caller.client.clone(),
                ip: caller.ip.clone(),
                selection,
                idempotency,
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
        M: actix::Message<Result = super::messages::Reply<HoldView>> + Send + 'static,
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
        if route.performances.len() > 1 {
            // Checking out first would refuse a transaction already sold: look first.
            let current = self.transaction(caller, transaction).await?;
            if let Some(order) = self.existing_order(&current) {
                return Ok(order);
            }
            self.extend_all(&route, transaction).await?;
        }
        let record = OrderRecord {
            number: OrderNumber(self.next_order.fetch_add(1, Ordering::Relaxed)),
            transaction,
            performances: route.performances.clone(),
            client: route.owner.clone(),
            customer_name: customer.name.clone(),
            customer_email: customer.email.clone(),
            created_at: self.clock.now(),
        };
        let holds = self
            .each_hold(&route, || SellHold {
                transaction,
                order: record.clone(),
                barcode_seed: random_u64(),
            })
            .await?;
        let view = TransactionView {
            id: transaction,
            holds,
        };
        let sold_as = view
            .holds
            .first()
            .and_then(|h| h.hold.sale.as_ref())
            .map(|sale| sale.order_number);
        if sold_as != Some(record.number)
            && let Some(order) = self.existing_order(&view)
        {
            // Completed before, or concurrently under its own number: answer that order.
            return Ok(order);
        }
        self.remember_order(record.clone());
        Ok(order_of(record, view))
    }

    /// The order of a transaction already sold, if its order is known.
    fn existing_order(&self, view: &TransactionView) -> Option<Order> {
        let number = view.holds.first()?.hold.sale.as_ref()?.order_number;
        let record = self.orders.get(&number)?.value().clone();
        Some(order_of(record, view.clone()))
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
    pub async fn order(&self, caller: &Caller, number: OrderNumber) -> Result<Order, EngineError> {
        let record = self
            .orders
            .get(&number)
            .map(|entry| entry.value().clone())
            .ok_or_else(|| EngineError::not_found("order", number))?;
        if !caller.is_admin && record.client != caller.client {
            return Err(EngineError::Forbidden { what: "order" });
        }
        let route = Route {
            owner: record.client.clone(),
            performances: record.performances.clone(),
        };
        let transaction = record.transaction;
        let holds = self.each_hold(&route, || GetHold { transaction }).await?;
        Ok(order_of(
            record,
            TransactionView {
                id: transaction,
                holds,
            },
        ))
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

fn order_of(record: OrderRecord, transaction: TransactionView) -> Order {
    Order {
        number: record.number,
        transaction,
        client: record.client,
        customer: Customer {
            name: record.customer_name,
            email: record.customer_email,
        },
        created_at: record.created_at,
    }
}

fn client_record(client: &Client) -> ClientRecord {
    ClientRecord {
        id: client.id.clone(),
        name: client.name.clone(),
        role: client.role.as_str().to_owned(),
        key_digest: client.key_digest(),
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
