//! The actor shell around the domain: one [`PerformanceActor`] per performance, the
//! [`Registry`] that finds it, the [`Coordinator`] (a synchronous state machine for
//! transactions, orders and completions over several performances), the [`Engine`] that runs
//! it and routes requests, the client directory, and the engine clock.
//!
//! Every decision about a performance's seats is made inside its actor, one message at a
//! time, so no lock is taken around an inventory and no seat is given twice.

mod clients;
mod clock;
mod coordinator;
mod engine;
mod error;
mod idempotency;
pub mod messages;
mod performance_actor;
mod performance_core;
mod registry;
mod seat_feed;

pub use clients::{Client, ClientDirectory, ClientScope, Role, generate_key};
pub use clock::{Clock, EngineClock, ManualClock, SystemClock};
pub use coordinator::{
    Before, Begin, Caller, ChangeStep, Completion, Coordinator, DiscountListing, Ending, EventOf,
    FIRST_ORDER_NUMBER, HoldAction, METADATA_KEYS_MAX, METADATA_TEXT_MAX, Metadata, Modification,
    OrderTicket, PlaceStep, Placement, Planned, Reach, Refund, RefundRequest, RefundStep,
    Resolution, Route, Step, StoredRecords, check_changeable, customer_of, plan_parts,
};
pub use engine::{
    ANSWER_RETENTION_MILLIS, DEFAULT_PAYMENT_METHODS, Engine, EventUpdate, HistoryLine,
    HoldRequest, Holdbacks, IdempotencyKey, Limits, Order, Page, PerformanceUpdate, RecoveryReport,
    RefundAsked, StoredAnswer, TransactionChange, TransactionView,
};
pub use error::EngineError;
pub use idempotency::{Claim, ClaimGuard, IdempotencyTable, Scope};
pub use messages::{
    AvailabilityView, DurableTicket, HoldView, IdempotencyStub, PerformanceView, Reply, ScanView,
    SeatMapView, SeatSubscription,
};
pub use performance_actor::{PerformanceActor, SnapshotPolicy};
pub use performance_core::{
    PerformanceCore, Rebuilt, SettleAction, Settlement, Unservable, rebuild,
};
pub use registry::{PerformanceHandle, Registry};
pub use seat_feed::{
    FeedStart, FeedSubscription, RESUME_EVENTS, SUBSCRIBER_BUFFER, SeatEvent, SeatFeed,
};

#[cfg(test)]
mod tests;
