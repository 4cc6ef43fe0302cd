//! The coordinator: everything about a transaction that is not one performance's seats.
//!
//! A performance's actor decides its seats. What spans performances or outlives a hold lives
//! here: the transaction index (who owns a transaction, which performances it holds at),
//! order numbers, orders and people, and the completions in flight. Like
//! [`PerformanceCore`](super::PerformanceCore) it is synchronous and deterministic: it never
//! waits, never reads a clock (`now` is an argument) and draws no randomness. The engine runs
//! it behind a mutex that is never held across an await, and executes the [`Step`]s it asks
//! for; the simulation executes the same steps against the same cores, one at a time, with
//! crashes between any two, so what the simulation checks is this code.
//!
//! # The commit protocol
//!
//! A transaction completes once, with one order, decided here:
//!
//! - **One performance.** The order number is taken and the order record rides in the same
//!   batch as the sale ([`Step::Perform`] with [`HoldAction::Sell`] carrying the order): the
//!   sale and its order are durable together or not at all.
//! - **Several performances.** Each hold is *prepared* in turn (its lock must be live; a
//!   prepared hold no longer expires and its client can no longer release it). When all are
//!   prepared, the order number is taken and the order is written alone: that write is the
//!   commit point ([`Step::Commit`]). Then each prepared hold is sold, past the admission
//!   bound. If a prepare is refused, the holds prepared so far are rolled back to checked-out
//!   locks with their old expiry (and, when a lock had expired, every hold is released, since
//!   the transaction can no longer complete).
//! - **Recovery** ([`Coordinator::recover`]) finishes what the store says: a prepared hold
//!   whose transaction has an order is sold (rolled forward), any other prepared hold is rolled
//!   back. The engine applies these before a performance serves a request or expires a lock.
//!
//! Concurrent and repeated completions of one transaction meet here: the first begins a
//! [`Completion`]; the others are told to [`Begin::Join`] it and ask again once it finishes,
//! when they find its order (or, if it failed, begin afresh and are refused as it was).
//! A completion naming another customer than the order's is refused.
//!
//! # Ended transactions leave memory
//!
//! A transaction released or expired at every performance it held at is forgotten once each
//! performance has archived its hold ([`Coordinator::forget_archived`], told by the cores when
//! the archive is durable). Asked about again, the coordinator finds its route (owner and
//! performances) and metadata in the store's archive, so it answers as before; only live and
//! sold transactions are indexed in memory.
//!
//! # Caveats
//! - The archive is the one thing read from the store here: a lookup of durable records by
//!   transaction, which changes nothing, so the coordinator stays deterministic over a given
//!   store.
//! - A transaction whose last hold is archived while a change or completion of it runs stays
//!   indexed (a few bytes) rather than lose the route that change may extend.
//! - An order number taken for a single-performance sale that the performance then refuses is
//!   given back only when no later number was taken meanwhile; numbers may have gaps, and are
//!   never reused once answered.
//! - Orders and people are rebuilt at start-up from every order record and held in memory in
//!   full; they grow with sales, which each performance's capacity bounds. Every metadata
//!   record is read at start-up, and kept only for the transactions still indexed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use super::clients::Role;
use super::error::EngineError;
use crate::domain::Access;
use crate::domain::{
    ClientId, Customer, EventId, Hold, HoldState, OrderNumber, PerformanceId, Person, TicketRef,
    TransactionId,
};
use crate::persistence::{
    BasketRecord, DiscountCodeRecord, OrderRecord, RefundRecord, StorageError, Store,
    TransactionRecord,
};

/// A transaction's metadata: the client's own keys and values.
pub type Metadata = BTreeMap<String, String>;

/// The most keys a transaction's metadata may have.
pub const METADATA_KEYS_MAX: usize = 32;
/// The longest key or value of a transaction's metadata, in characters.
pub const METADATA_TEXT_MAX: usize = 255;

/// The first order number handed out.
pub const FIRST_ORDER_NUMBER: u64 = 100_001;

/// The records the coordinator is rebuilt from at start-up.
#[derive(Debug, Default)]
pub struct StoredRecords {
    /// Every order.
    pub orders: Vec<OrderRecord>,
    /// Every transaction's metadata and applied code.
    pub transactions: Vec<TransactionRecord>,
    /// Every basket's intent.
    pub baskets: Vec<BasketRecord>,
    /// Every discount code.
    pub discount_codes: Vec<DiscountCodeRecord>,
    /// Every refund.
    pub refunds: Vec<RefundRecord>,
}

/// Who is asking.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The client behind the API key.
    pub client: ClientId,
    /// What the key may do: an admin acts on every client's transactions, a sales client
    /// also on those a widget key opened.
    pub role: Role,
    /// The caller's IP address.
    pub ip: String,
    /// The sales channel its key sells for, if any.
    pub channel: Option<String>,
    /// The performances it may act on.
    pub reach: Reach,
    /// The events it may act on; empty for every event.
    pub events: Vec<EventId>,
    /// The organizer that made its key; none for a key an admin made.
    pub maker: Option<ClientId>,
}

/// Says which event a performance shows (the engine's registry), so that a key limited to
/// events is checked per performance it names, never by listing every performance.
pub trait EventOf: Send + Sync {
    /// The event `performance` shows; `None` for an unknown performance.
    fn event_of(&self, performance: &PerformanceId) -> Option<EventId>;
}

/// The performances a caller may act on: those of the events its key is limited to.
#[derive(Clone, Default)]
pub enum Reach {
    /// Every performance: a key limited to no event.
    #[default]
    Everywhere,
    /// The performances of the caller's `events`, told by this lookup.
    Events(Arc<dyn EventOf>),
}

impl std::fmt::Debug for Reach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Everywhere => "Everywhere",
            Self::Events(_) => "Events",
        })
    }
}

impl Caller {
    /// True for an admin key.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// True when the caller may act on `performance`.
    pub fn reaches(&self, performance: &PerformanceId) -> bool {
        match &self.reach {
            Reach::Everywhere => true,
            Reach::Events(lookup) => lookup
                .event_of(performance)
                .is_some_and(|event| self.events.contains(&event)),
        }
    }

    /// Checks that the caller may act on `performance`.
    ///
    /// # Errors
    /// `OutOfReach` for a key limited to other events.
    pub fn check_reach(&self, performance: &PerformanceId) -> Result<(), EngineError> {
        if self.reaches(performance) {
            Ok(())
        } else {
            Err(EngineError::OutOfReach {
                performance: performance.clone(),
            })
        }
    }

    /// True when the caller may act on `event`: a key limited to no event, or to this one.
    pub fn covers_event(&self, event: &EventId) -> bool {
        self.events.is_empty() || self.events.contains(event)
    }

    /// True when the caller may act on every one of `performances`.
    pub fn reaches_all(&self, performances: &[PerformanceId]) -> bool {
        performances
            .iter()
            .all(|performance| self.reaches(performance))
    }

    /// True when the caller manages what `owner` sold or holds at `performances`: it is
    /// the owner, an admin, or an organizer of every one of those performances.
    pub fn manages(&self, owner: &ClientId, performances: &[PerformanceId]) -> bool {
        *owner == self.client || self.oversees(performances)
    }

    /// True when the caller sees everything at `performances`, whoever sold there: an admin,
    /// or an organizer of every one of them.
    pub fn oversees(&self, performances: &[PerformanceId]) -> bool {
        self.is_admin() || (self.role == Role::Organizer && self.reaches_all(performances))
    }

    /// Which allocations the caller may hold from (contract v2): an admin's every one, a
    /// channel's client its channel's, anyone else none.
    pub fn access(&self) -> Access {
        match (self.role, &self.channel) {
            (Role::Admin, _) => Access::Everything,
            (_, Some(channel)) => Access::Channel(channel.clone()),
            (_, None) => Access::Public,
        }
    }
}

/// Who owns a transaction and where it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The client that opened it.
    pub owner: ClientId,
    /// The performances it holds at, in id order.
    pub performances: Vec<PerformanceId>,
}

/// A hold that recovery must finish, because a stop interrupted what it was part of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolution {
    /// The performance.
    pub performance: PerformanceId,
    /// The transaction.
    pub transaction: TransactionId,
    /// How it ends.
    pub ending: Ending,
}

/// How recovery ends an interrupted hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// A prepared hold whose order was committed: sell it as that order.
    Sell(OrderNumber),
    /// A prepared hold whose order was not: roll it back.
    RollBack,
    /// A hold of a basket placed only in part: release it.
    Release,
    /// A sold hold whose refund was recorded but not carried out here: refund these tickets.
    Refund {
        /// Barcode indexes.
        tickets: Vec<u32>,
        /// Withhold the seats.
        withhold: bool,
    },
}

/// Transactions, orders and people, and the completions in flight.
pub struct Coordinator {
    transactions: HashMap<TransactionId, Route>,
    /// Where ended transactions are found once forgotten.
    archive: Option<Arc<dyn Store>>,
    /// The performances that archived an indexed transaction's hold, until all of them have.
    archived_parts: HashMap<TransactionId, Vec<PerformanceId>>,
    /// Transactions' metadata; most have none and no entry.
    metadata: HashMap<TransactionId, Metadata>,
    orders: BTreeMap<OrderNumber, OrderRecord>,
    order_of: HashMap<TransactionId, OrderNumber>,
    completing: HashMap<TransactionId, Completing>,
    /// Transactions a change is running for.
    modifying: HashSet<TransactionId>,
    people: HashMap<String, Person>,
    next_order: u64,
    discounts: DiscountBook,
    /// The discount code applied to each indexed transaction that has one.
    applied: HashMap<TransactionId, String>,
    /// The uses reserved by each completion in flight that has a code: (code, uses).
    reservations: HashMap<TransactionId, (String, u32)>,
    refunds: RefundBook,
    /// The clients with widget keys: a sales client may complete what they opened.
    /// The clients with widget keys, each with the organizer that made it (none: an admin):
    /// sales clients may complete what they open.
    widget_clients: HashMap<ClientId, Option<ClientId>>,
}

impl std::fmt::Debug for Coordinator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Coordinator")
            .field("transactions", &self.transactions.len())
            .field("orders", &self.orders.len())
            .field("completing", &self.completing.len())
            .finish_non_exhaustive()
    }
}

impl Default for Coordinator {
    fn default() -> Self {
        Self {
            transactions: HashMap::new(),
            archive: None,
            archived_parts: HashMap::new(),
            metadata: HashMap::new(),
            orders: BTreeMap::new(),
            order_of: HashMap::new(),
            completing: HashMap::new(),
            modifying: HashSet::new(),
            people: HashMap::new(),
            next_order: FIRST_ORDER_NUMBER,
            discounts: DiscountBook::default(),
            applied: HashMap::new(),
            reservations: HashMap::new(),
            refunds: RefundBook::default(),
            widget_clients: HashMap::new(),
        }
    }
}

impl Coordinator {
    /// Creates an empty coordinator that finds forgotten transactions in `archive`.
    pub fn with_archive(archive: Arc<dyn Store>) -> Self {
        Self {
            archive: Some(archive),
            ..Self::default()
        }
    }

    /// Rebuilds the coordinator from what the store holds: every hold in the performances'
    /// inventories, every order record, the metadata and basket records, the discount codes
    /// (whose uses are those the orders count), the refunds, and the archive; returns it with
    /// the holds recovery must finish: prepared holds and partly placed baskets in transaction
    /// then performance order, then the refunds a performance has not carried out (`refunded`
    /// says which tickets a performance has refunded).
    ///
    /// # Errors
    /// When the archive cannot be read.
    pub fn recover<'a>(
        holds: impl IntoIterator<Item = (&'a PerformanceId, &'a Hold)>,
        stored: StoredRecords,
        refunded: &dyn Fn(&PerformanceId, TicketRef) -> bool,
        archive: Arc<dyn Store>,
    ) -> Result<(Self, Vec<Resolution>), StorageError> {
        let StoredRecords {
            orders,
            transactions,
            baskets,
            discount_codes,
            refunds,
        } = stored;
        let mut coordinator = Self::with_archive(archive);
        for record in discount_codes {
            coordinator.define_discount(record);
        }
        let mut orders = orders;
        orders.sort_by_key(|order| order.number);
        for order in orders {
            coordinator.remember_order(order);
        }
        let mut resolutions = Vec::new();
        let mut live: HashSet<(TransactionId, PerformanceId)> = HashSet::new();
        let mut sold: HashSet<TransactionId> = HashSet::new();
        for (performance, hold) in holds {
            coordinator.register_hold(performance, hold);
            if hold.state == HoldState::Sold {
                sold.insert(hold.transaction);
            }
            if hold.state.is_expiring() {
                live.insert((hold.transaction, performance.clone()));
            }
            if hold.state == HoldState::Prepared {
                let ending = match coordinator.order_of.get(&hold.transaction) {
                    Some(&order) => Ending::Sell(order),
                    None => Ending::RollBack,
                };
                resolutions.push(Resolution {
                    performance: performance.clone(),
                    transaction: hold.transaction,
                    ending,
                });
            }
        }
        for basket in baskets {
            let Some(route) = coordinator.transactions.get(&basket.transaction) else {
                continue;
            };
            let placed = basket
                .performances
                .iter()
                .filter(|performance| route.performances.contains(performance))
                .count();
            if placed == basket.performances.len() {
                continue;
            }
            // A stop cut its placement short: nobody was told of it, so release what stands.
            for performance in &basket.performances {
                if live.contains(&(basket.transaction, performance.clone())) {
                    resolutions.push(Resolution {
                        performance: performance.clone(),
                        transaction: basket.transaction,
                        ending: Ending::Release,
                    });
                }
            }
        }
        resolutions
            .sort_by(|a, b| (a.transaction, &a.performance).cmp(&(b.transaction, &b.performance)));
        // After the sales they may follow (a refund needs its tickets sold).
        for (performance, transaction, tickets, withhold) in
            coordinator.recover_refunds(refunds, refunded)
        {
            resolutions.push(Resolution {
                performance,
                transaction,
                ending: Ending::Refund { tickets, withhold },
            });
        }
        // Some holds of a transaction may have been archived before the stop while others
        // stand (a release over several performances cut short): its route is made whole
        // again, and it is forgotten once the rest are archived too. A sold transaction has
        // none archived (every hold of it was live when it sold), so only the unsold are
        // looked up, and those are bounded by the locks that can be live at once.
        let unsold: Vec<TransactionId> = coordinator
            .transactions
            .keys()
            .filter(|transaction| !sold.contains(transaction))
            .copied()
            .collect();
        for transaction in unsold {
            for archived in coordinator.archived_holds(transaction)? {
                if let Some(route) = coordinator.transactions.get_mut(&transaction)
                    && let Err(at) = route.performances.binary_search(&archived.performance)
                {
                    route.performances.insert(at, archived.performance.clone());
                }
                coordinator
                    .archived_parts
                    .entry(transaction)
                    .or_default()
                    .push(archived.performance);
            }
        }
        for record in transactions {
            if coordinator.transactions.contains_key(&record.transaction) {
                coordinator.set_metadata(record);
            }
        }
        Ok((coordinator, resolutions))
    }

    fn archived_holds(
        &self,
        transaction: TransactionId,
    ) -> Result<Vec<crate::persistence::ArchivedHold>, StorageError> {
        match &self.archive {
            Some(archive) => archive.archived_holds(transaction),
            None => Ok(Vec::new()),
        }
    }

    /// Forgets the transactions whose holds at `performance` are durably archived, once all
    /// their holds are.
    pub fn forget_archived(&mut self, performance: &PerformanceId, transactions: &[TransactionId]) {
        for transaction in transactions {
            let Some(route) = self.transactions.get(transaction) else {
                continue;
            };
            let parts = self.archived_parts.entry(*transaction).or_default();
            if !parts.contains(performance) {
                parts.push(performance.clone());
            }
            let whole = route.performances.iter().all(|p| parts.contains(p));
            let busy = self.completing.contains_key(transaction)
                || self.modifying.contains(transaction)
                || self.order_of.contains_key(transaction);
            if whole && !busy {
                self.transactions.remove(transaction);
                self.metadata.remove(transaction);
                self.applied.remove(transaction);
                self.archived_parts.remove(transaction);
            }
        }
    }

    /// Returns how many transactions are indexed in memory.
    pub fn indexed(&self) -> usize {
        self.transactions.len()
    }

    fn register_hold(&mut self, performance: &PerformanceId, hold: &Hold) {
        let route = self
            .transactions
            .entry(hold.transaction)
            .or_insert_with(|| Route {
                owner: hold.owner.clone(),
                performances: Vec::new(),
            });
        if let Err(at) = route.performances.binary_search(performance) {
            route.performances.insert(at, performance.clone());
        }
    }

    /// Records a new transaction once its holds (and its metadata) are durable.
    pub fn open(&mut self, transaction: TransactionId, route: Route, metadata: Metadata) {
        self.transactions.insert(transaction, route);
        if !metadata.is_empty() {
            self.metadata.insert(transaction, metadata);
        }
    }

    /// Returns a transaction's metadata (empty when it has none), from the archive once the
    /// transaction is forgotten.
    ///
    /// # Errors
    /// When the archive cannot be read.
    pub fn metadata(&self, transaction: TransactionId) -> Result<Metadata, StorageError> {
        if self.transactions.contains_key(&transaction) {
            return Ok(self.metadata.get(&transaction).cloned().unwrap_or_default());
        }
        let record = match &self.archive {
            Some(archive) => archive.transaction_record(transaction)?,
            None => None,
        };
        Ok(record.map(|record| record.metadata).unwrap_or_default())
    }

    /// Sets a transaction's metadata and discount code once its record is durable.
    fn set_metadata(&mut self, record: TransactionRecord) {
        match record.discount_code {
            Some(code) => self.applied.insert(record.transaction, code),
            None => self.applied.remove(&record.transaction),
        };
        if record.metadata.is_empty() {
            self.metadata.remove(&record.transaction);
        } else {
            self.metadata.insert(record.transaction, record.metadata);
        }
    }

    /// Notes that `client` has a widget key, made by `maker` (an organizer; none for an
    /// admin): sales clients may complete what it opens.
    pub fn add_widget_client(&mut self, client: ClientId, maker: Option<ClientId>) {
        self.widget_clients.insert(client, maker);
    }

    /// Finds a transaction the caller may see: its own, any as an admin, and one a widget key
    /// opened as a sales client.
    ///
    /// # Errors
    /// `NotFound` for an unknown transaction, `Forbidden` for another client's.
    pub fn route(&self, caller: &Caller, transaction: TransactionId) -> Result<Route, EngineError> {
        let route = match self.transactions.get(&transaction) {
            Some(route) => route.clone(),
            None => self
                .archived_route(transaction)?
                .ok_or_else(|| EngineError::not_found("transaction", transaction))?,
        };
        if !self.may_act_for(caller, &route.owner, &route.performances) {
            return Err(EngineError::Forbidden {
                what: "transaction",
            });
        }
        Ok(route)
    }

    /// True when `caller` may act on a transaction `owner` holds at `performances`: its own,
    /// an admin's or organizer's oversight ([`Caller::manages`]), and one a widget key opened
    /// as any sales key reaching every one of the performances (contract v2: the shop's server
    /// completes what the browser held).
    pub fn may_act_for(
        &self,
        caller: &Caller,
        owner: &ClientId,
        performances: &[PerformanceId],
    ) -> bool {
        caller.manages(owner, performances)
            || (matches!(caller.role, Role::Sales | Role::Organizer)
                && self.widget_clients.contains_key(owner)
                && caller.reaches_all(performances))
    }

    /// True when `caller` may read or refund an order `owner` sold at `performances`: as for
    /// its transaction, except that of a widget's orders (a buyer's name and email) only the
    /// keys made by the widget's own maker (the shop behind the widget) read them.
    pub fn may_see_order(
        &self,
        caller: &Caller,
        owner: &ClientId,
        performances: &[PerformanceId],
    ) -> bool {
        caller.manages(owner, performances)
            || (matches!(caller.role, Role::Sales | Role::Organizer)
                && self
                    .widget_clients
                    .get(owner)
                    .is_some_and(|maker| *maker == caller.maker)
                && caller.reaches_all(performances))
    }

    /// The route of a forgotten transaction, from its archived holds.
    fn archived_route(&self, transaction: TransactionId) -> Result<Option<Route>, StorageError> {
        let archived = self.archived_holds(transaction)?;
        let Some(first) = archived.first() else {
            return Ok(None);
        };
        let owner = first.hold.owner.clone();
        let mut performances: Vec<PerformanceId> = archived
            .into_iter()
            .map(|archived| archived.performance)
            .collect();
        performances.sort();
        Ok(Some(Route {
            owner,
            performances,
        }))
    }

    /// Returns the order of a transaction, once it is committed.
    pub fn order_of(&self, transaction: TransactionId) -> Option<&OrderRecord> {
        self.orders.get(self.order_of.get(&transaction)?)
    }

    /// Returns every order, in number order.
    pub fn orders(&self) -> impl Iterator<Item = &OrderRecord> {
        self.orders.values()
    }

    /// Returns an order by number.
    pub fn order(&self, number: OrderNumber) -> Option<&OrderRecord> {
        self.orders.get(&number)
    }

    /// Returns the orders with these numbers (those that exist), in number order.
    pub fn orders_numbered(
        &self,
        numbers: impl IntoIterator<Item = OrderNumber>,
    ) -> Vec<OrderRecord> {
        numbers
            .into_iter()
            .filter_map(|number| self.orders.get(&number).cloned())
            .collect()
    }

    /// Returns the people record of `email` (lower-cased).
    pub fn person(&self, email: &str) -> Option<&Person> {
        self.people.get(email)
    }

    /// Adds an order to the index and its customer's people record.
    fn remember_order(&mut self, order: OrderRecord) {
        self.next_order = self.next_order.max(order.number.0 + 1);
        self.count_uses(&order);
        self.order_of.insert(order.transaction, order.number);
        if !order.customer_email.is_empty() {
            self.people
                .entry(order.customer_email.clone())
                .and_modify(|person| {
                    person.name.clone_from(&order.customer_name);
                    // Orders arrive in ascending number at recovery and are unique, so no
                    // search for a repeat is needed.
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
        }
        self.orders.insert(order.number, order);
    }
}

/// The customer an order was completed for.
pub fn customer_of(order: &OrderRecord) -> Option<Customer> {
    // Stored customers were checked when their order was made.
    Customer::parse(&order.customer_name, &order.customer_email).ok()
}

mod completion;
mod discounts;
mod modification;
mod placement;
mod refunds;

use completion::Completing;
pub use completion::{Begin, Completion, HoldAction, Step};
use discounts::DiscountBook;
pub use discounts::DiscountListing;
pub use modification::{Before, ChangeStep, Modification, Planned, check_changeable, plan_parts};
pub use placement::{PlaceStep, Placement};
use refunds::RefundBook;
pub use refunds::{OrderTicket, Refund, RefundRequest, RefundStep};

#[cfg(test)]
mod tests;
