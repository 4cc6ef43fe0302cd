//! The JSON shapes of the API, separate from domain types, one file per resource. Requests
//! refuse unknown fields and convert into engine requests; responses are rendered from actor
//! views. Every shape is re-exported here, so routes name `dto::X` whatever file holds it.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::fmt;
use std::marker::PhantomData;

use chrono::{DateTime, Utc};
use serde::de::{self, MapAccess};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::openapi::schema::{OneOfBuilder, Schema};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use super::error::ApiError;
use crate::actor::{
    AvailabilityView, Client, EventUpdate, HoldRequest, HoldView, METADATA_KEYS_MAX,
    METADATA_TEXT_MAX, Metadata, Order, PerformanceUpdate, PerformanceView, Role, ScanView,
    SeatEvent, SeatMapView, TransactionView,
};
use crate::domain::{
    ATTRIBUTES_MAX, AllocationCounts, Amount, BlockSpec, ClientId, Counts, Currency, Customer,
    DiscountCode, EventId, EventInfo, HoldState, MAX_HOLD_SECONDS_DEFAULT, MAX_RENEWALS_DEFAULT,
    Payment, PerformanceId, PerformanceInfo, Person, PlacesGivenUp, PlanSpec, PoolSpec, PriceBand,
    RowSpec, Rules, SaleStatus, ScanVerdict, SeatFilters, SeatingPlan, SectionSpec, TicketId,
    Timestamp, is_attribute_name, is_plain_text, normalized_code, price_ticket,
};

mod catalogue_operations;
mod changes;
mod clients;
mod discounts;
mod explanation;
mod history;
mod listings;
mod money;
mod orders;
mod parse;
mod performances;
mod price_list;
mod refunds;
mod reports;
mod scans;
mod schemas;
mod seats;
mod transactions;

pub use catalogue_operations::*;
pub use changes::*;
pub use clients::*;
pub use discounts::*;
pub use explanation::*;
pub use history::*;
pub use listings::*;
use money::*;
pub use orders::*;
pub use parse::*;
pub use performances::*;
pub use price_list::*;
pub use refunds::*;
pub use reports::*;
pub use scans::*;
pub(crate) use schemas::*;
pub use seats::*;
pub use transactions::*;
