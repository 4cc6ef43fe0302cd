//! The engine: the async shell that routes requests to the performance actors and runs the
//! [`Coordinator`](super::Coordinator) for what spans them.
//!
//! A transaction is one hold at each performance it touches. Almost every transaction touches
//! one performance, and then its actor alone decides its holds; the coordinator only records
//! who owns it. Placing a basket, completing and changing a transaction follow the
//! coordinator's step machines (`Placement`, `Completion`, `Modification`): the engine
//! executes the steps they ask for, completions and changes in a task of their own, so a
//! client that disconnects mid-way cannot leave a basket half sold or half changed, and every
//! concurrent or repeated completion answers the one order.
//!
//! Everything the engine acknowledges is durable first: a performance's definition and a
//! client before their 201, an idempotency answer in the same batch as its hold, an order in
//! the same batch as its sale (one performance) or as the commit record before the sales
//! (several). The transaction index, orders and people are rebuilt at start-up
//! ([`Engine::recover`]).
//!
//! The parts: `catalogue` (events and performances), `clients`, `recovery`, `transactions`
//! (holds, checkouts, completions, releases), `changes` (`PATCH`: adding, giving up, moving,
//! metadata), `orders` (orders and people).
//!
//! # Caveats
//! - A hold over several performances that is refused at the second leaves a place-and-release
//!   pair in the first's journal; nobody but the caller ever saw it held.
//! - A placement runs in the request's own future: a client that disconnects between two
//!   placements leaves the first hold to expire (a crash there is undone at start-up).
//! - Finished transactions stay in their actors' memory and snapshots.

mod catalogue;
mod catalogue_operations;
mod changes;
mod clients;
mod discounts;
mod history;
mod orders;
mod recovery;
mod refunds;
mod reports;
mod scans;
mod transactions;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use dashmap::DashMap;

use super::clients::{ClientDirectory, Role};
use super::clock::Clock;
use super::coordinator::{Caller, Coordinator, Metadata};
use super::error::EngineError;
use super::idempotency::IdempotencyTable;
use super::messages::HoldView;
use super::registry::Registry;
use crate::domain::{
    ClientId, EventId, EventInfo, HoldState, OrderNumber, PerformanceId, TicketId, Timestamp,
    TransactionId,
};
use crate::domain::{Customer, DiscountCode, Payment, SeatFilters};
use crate::persistence::{AnswerRecord, Batch, Record, RefundRecord, Store};

pub use catalogue_operations::{EventUpdate, Holdbacks, PerformanceUpdate};
pub use changes::TransactionChange;
pub use history::HistoryLine;
pub use recovery::RecoveryReport;
pub use refunds::RefundAsked;

/// Limits the engine enforces on every request.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The most tickets (seats or places) one request may name or ask for.
    pub tickets_per_request_max: usize,
    /// The most seats one plan may have.
    pub seats_per_plan_max: usize,
    /// The most tickets (seats or places) a widget key may hold in one transaction.
    pub widget_tickets_max: usize,
}

/// What a new transaction should hold.
#[derive(Clone, Debug)]
pub enum HoldRequest {
    /// These tickets, all or nothing, each with its ticket type (the performance's first when
    /// `None`); they may span performances.
    Tickets(Vec<(TicketId, Option<String>)>),
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
        /// The ticket type of every seat.
        ticket_type: Option<String>,
        /// Attributes every seat must have or must not have.
        filters: SeatFilters,
    },
    /// General-admission places at one performance: (pool code, quantity).
    GeneralAdmission {
        /// The performance.
        performance: PerformanceId,
        /// Pool codes and quantities.
        places: Vec<(String, u32)>,
        /// The ticket type of every place.
        ticket_type: Option<String>,
    },
    /// A basket: several of the forms above, at one or several performances, all or
    /// nothing. Items at the same performance become one hold there.
    Items(Vec<HoldRequest>),
}

impl HoldRequest {
    /// How many tickets (seats and places) the request names or asks for.
    pub fn ticket_count(&self) -> usize {
        match self {
            Self::Tickets(tickets) => tickets.len(),
            Self::BestAvailable { quantity, .. } => *quantity as usize,
            Self::GeneralAdmission { places, .. } => {
                places.iter().fold(0_usize, |sum, (_, quantity)| {
                    sum.saturating_add(*quantity as usize)
                })
            }
            Self::Items(items) => items
                .iter()
                .fold(0_usize, |sum, item| sum.saturating_add(item.ticket_count())),
        }
    }
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
    /// The client's metadata.
    pub metadata: Metadata,
    /// The discount code its tickets are priced with.
    pub discount: Option<Arc<DiscountCode>>,
}

impl TransactionView {
    /// Returns the transaction's state, summed over its holds.
    pub fn state(&self) -> HoldState {
        HoldState::summed(self.holds.iter().map(|view| view.hold.state))
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

/// What a completed transaction leaves.
#[derive(Clone, Debug)]
pub struct Order {
    /// The order number.
    pub number: OrderNumber,
    /// The transaction it completed, with its sold holds (barcodes included).
    pub transaction: TransactionView,
    /// The client that sold it.
    pub client: ClientId,
    /// The buyer, when one was named (a cash sale at the box office names none).
    pub customer: Option<Customer>,
    /// When it was created.
    pub created_at: Timestamp,
    /// How it was paid, when the completion said.
    pub payment: Option<Payment>,
    /// Its refunds, oldest first.
    pub refunds: Vec<RefundRecord>,
}

/// The first answer to a keyed write, as the HTTP front sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAnswer {
    /// Its HTTP status.
    pub status: u16,
    /// Its body.
    pub body: Arc<Vec<u8>>,
}

/// How long a keyed write's answer (a hold's included) is remembered: a retry later than this
/// runs afresh.
pub const ANSWER_RETENTION_MILLIS: i64 = 24 * 3_600_000;

/// A page of a listing.
#[derive(Clone, Debug)]
pub struct Page<T> {
    /// The items on the page.
    pub items: Vec<T>,
    /// How many items match in all.
    pub total: usize,
}

/// The coordinator with the completions running in this process: a run's sender is dropped
/// when it ends, which wakes every request that joined it.
#[derive(Default)]
struct Coordination {
    coordinator: Coordinator,
    runs: std::collections::HashMap<TransactionId, tokio::sync::watch::Receiver<()>>,
}

/// The catalogue and the transaction coordinator.
pub struct Engine {
    registry: Registry,
    store: Arc<dyn Store>,
    clients: ClientDirectory,
    events: DashMap<EventId, EventInfo>,
    /// Held only for synchronous steps, never across an await.
    coordination: Arc<Mutex<Coordination>>,
    idempotency: IdempotencyTable<TransactionView>,
    /// Remembered answers to keyed writes other than holds.
    answers: IdempotencyTable<StoredAnswer>,
    /// Serializes catalogue writes (creating, changing and copying performances and events),
    /// so an id is checked, stored and started as one step and a description's record and
    /// its copies in memory stay in step.
    creating: tokio::sync::Mutex<()>,
    /// Serializes client writes, so a key an organizer makes never outlives its revocation.
    changing_clients: tokio::sync::Mutex<()>,
    clock: Arc<dyn Clock>,
    limits: Limits,
    /// The payment methods a completion may record.
    payment_methods: Vec<String>,
}

/// The payment methods a server accepts unless configured otherwise.
pub const DEFAULT_PAYMENT_METHODS: [&str; 4] = ["card", "cash", "voucher", "invoice"];

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
        mut registry: Registry,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        limits: Limits,
    ) -> Self {
        let coordination = Arc::new(Mutex::new(Coordination {
            coordinator: Coordinator::with_archive(Arc::clone(&store)),
            runs: std::collections::HashMap::new(),
        }));
        // Cores report archived holds on the journal's thread; the coordinator forgets the
        // transactions they ended. A weak handle: the engine owns the coordinator.
        let weak = Arc::downgrade(&coordination);
        registry.set_on_archived(Arc::new(move |performance, transactions| {
            if let Some(coordination) = weak.upgrade() {
                coordination
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .coordinator
                    .forget_archived(performance, transactions);
            }
        }));
        Self {
            registry,
            store,
            clients: ClientDirectory::new(),
            creating: tokio::sync::Mutex::new(()),
            changing_clients: tokio::sync::Mutex::new(()),
            events: DashMap::new(),
            coordination,
            idempotency: IdempotencyTable::default(),
            answers: IdempotencyTable::default(),
            clock,
            limits,
            payment_methods: DEFAULT_PAYMENT_METHODS.map(String::from).to_vec(),
        }
    }

    /// Sets the payment methods a completion may record (instead of the defaults).
    #[must_use]
    pub fn with_payment_methods(mut self, methods: Vec<String>) -> Self {
        self.payment_methods = methods;
        self
    }

    /// Returns the payment methods a completion may record, in the configured order.
    pub fn payment_methods(&self) -> &[String] {
        &self.payment_methods
    }

    /// Returns the engine's limits.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Returns the registry of performance actors.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Locks the coordinator for one synchronous step.
    fn coordination(&self) -> MutexGuard<'_, Coordination> {
        // Every coordinator method leaves it consistent before it could panic (a panic aborts
        // the process in release builds anyway), so a poisoned lock is still usable.
        self.coordination
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Writes `batch` and waits until it is durable.
    async fn write(&self, batch: Batch) -> Result<(), EngineError> {
        self.store
            .write(batch)
            .await
            .map_err(|_| EngineError::Unavailable)??;
        Ok(())
    }

    /// Returns the remembered answers to keyed writes other than holds.
    pub fn answers(&self) -> &IdempotencyTable<StoredAnswer> {
        &self.answers
    }

    /// Makes a keyed write's first answer durable, so a retry after a crash gets it too.
    ///
    /// # Errors
    /// `Storage` or `Unavailable` when the store fails.
    pub async fn remember_answer(
        &self,
        client: ClientId,
        key: String,
        fingerprint: [u8; 32],
        answer: &StoredAnswer,
    ) -> Result<(), EngineError> {
        let record = AnswerRecord {
            client,
            key,
            fingerprint,
            status: answer.status,
            body: answer.body.as_ref().clone(),
            at: self.clock.now(),
        };
        self.write(Batch {
            records: vec![Record::Answer(record)],
            ..Batch::default()
        })
        .await
    }

    /// Returns the engine time now.
    pub fn now(&self) -> crate::domain::Timestamp {
        self.clock.now()
    }

    /// Forgets the idempotency answers (holds' and other writes') given more than
    /// [`ANSWER_RETENTION_MILLIS`] ago; their records are dropped at the next start-up.
    /// Returns how many were forgotten.
    pub fn forget_expired_answers(&self) -> usize {
        let cutoff =
            crate::domain::Timestamp(self.clock.now().0.saturating_sub(ANSWER_RETENTION_MILLIS));
        self.idempotency.forget_before(cutoff) + self.answers.forget_before(cutoff)
    }

    /// Returns how many transactions the coordinator indexes in memory.
    pub fn transactions_indexed(&self) -> usize {
        self.coordination().coordinator.indexed()
    }

    /// Returns the store's counters.
    pub fn store_stats(&self) -> crate::persistence::StoreStats {
        self.store.stats()
    }

    /// Returns true while the store accepts writes.
    pub fn is_healthy(&self) -> bool {
        !self.store.has_failed()
    }

    /// Refuses a widget key's request for more tickets than a widget may hold at once.
    fn check_widget_tickets(
        &self,
        caller: &Caller,
        request: &HoldRequest,
    ) -> Result<(), EngineError> {
        let max = self.limits.widget_tickets_max;
        let requested = request.ticket_count();
        if caller.role == Role::Widget && requested > max {
            return Err(EngineError::WidgetTicketCap { requested, max });
        }
        Ok(())
    }

    fn check_ticket_count(&self, requested: usize) -> Result<(), EngineError> {
        let max = self.limits.tickets_per_request_max;
        if requested > max {
            return Err(crate::domain::Rejection::TooManyTickets { requested, max }.into());
        }
        Ok(())
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
