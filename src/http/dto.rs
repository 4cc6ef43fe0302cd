//! The JSON shapes of the API, separate from domain types. Requests refuse unknown fields and
//! convert into engine requests; responses are rendered from actor views.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::fmt;
use std::marker::PhantomData;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::de::{self, MapAccess};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::openapi::schema::{OneOfBuilder, Schema};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use super::error::ApiError;
use crate::actor::{
    AvailabilityView, HoldRequest, HoldView, METADATA_KEYS_MAX, METADATA_TEXT_MAX, Metadata, Order,
    PerformanceView, Role, SeatMapView, TransactionView,
};
use crate::domain::{
    Amount, BlockSpec, ClientId, Counts, Currency, Customer, EventId, EventInfo, HoldState,
    MAX_HOLD_SECONDS_DEFAULT, MAX_RENEWALS_DEFAULT, PerformanceId, PerformanceInfo, Person,
    PlanSpec, PoolSpec, PriceBand, RowSpec, Rules, SectionSpec, TicketId, Timestamp, add_totals,
    is_plain_text,
};

/// Renders engine time as RFC 3339 in UTC with `Z`.
pub fn format_time(at: Timestamp) -> String {
    DateTime::<Utc>::from_timestamp_millis(at.as_millis())
        .map(|time| time.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        .unwrap_or_default()
}

/// Parses an RFC 3339 time with any offset.
///
/// # Errors
/// 400 for anything else.
pub fn parse_time(field: &str, text: &str) -> Result<Timestamp, ApiError> {
    DateTime::parse_from_rfc3339(text)
        .map(|time| Timestamp(time.timestamp_millis()))
        .map_err(|_| {
            ApiError::invalid_request(format!(
                "{field} must be an RFC 3339 time, e.g. 2026-12-04T19:30:00Z"
            ))
        })
}

fn parse_ticket(text: &str) -> Result<TicketId, ApiError> {
    TicketId::parse(text).map_err(|error| ApiError::invalid_request(error.to_string()))
}

/// Parses ticket ids, refusing repeats.
pub(crate) fn parse_tickets(field: &str, texts: &[String]) -> Result<Vec<TicketId>, ApiError> {
    let tickets = texts
        .iter()
        .map(|t| parse_ticket(t))
        .collect::<Result<Vec<_>, _>>()?;
    let mut sorted: Vec<&TicketId> = tickets.iter().collect();
    sorted.sort();
    if let Some(pair) = sorted.windows(2).find(|pair| pair[0] == pair[1]) {
        return Err(ApiError::invalid_request(format!(
            "{field}: ticket {} appears more than once",
            pair[0]
        ))
        .with_tickets(vec![pair[0].to_string()]));
    }
    Ok(tickets)
}

/// A JSON object read into a map that refuses a key given twice.
///
/// serde_json keeps the last of two equal keys without a word, so
/// `{"STANDING": 1, "STANDING": 9}` would hold nine places for a client that may have meant
/// one; a body that says two things is malformed (400), and the error names the key. Struct
/// fields need no such help: serde's derive already refuses a field given twice.
#[derive(Debug)]
pub struct UniqueKeys<V>(BTreeMap<String, V>);

impl<V> UniqueKeys<V> {
    /// Returns the map.
    pub fn into_inner(self) -> BTreeMap<String, V> {
        self.0
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for UniqueKeys<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(UniqueKeysVisitor(PhantomData))
    }
}

struct UniqueKeysVisitor<V>(PhantomData<V>);

impl<'de, V: Deserialize<'de>> de::Visitor<'de> for UniqueKeysVisitor<V> {
    type Value = UniqueKeys<V>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut map = BTreeMap::new();
        // One lookup per key, as building the map takes anyway: n keys cost O(n log n).
        while let Some(key) = access.next_key::<String>()? {
            match map.entry(key) {
                Entry::Occupied(entry) => {
                    let key: String = entry.key().chars().take(64).collect();
                    return Err(de::Error::custom(format_args!("duplicate key {key:?}")));
                }
                Entry::Vacant(entry) => {
                    entry.insert(access.next_value()?);
                }
            }
        }
        Ok(UniqueKeys(map))
    }
}

// ---- Requests ----
//
// The `#[schema]` attributes describe what the conversions below accept; the OpenAPI
// description (`GET /openapi.json`) is derived from these types.

/// `POST /clients`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"name": "webshop", "role": "sales"})))]
pub struct CreateClient {
    /// The client's id, a slug `[A-Za-z0-9_-]{1,64}`; generated when omitted.
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$", examples("webshop"))]
    pub id: Option<String>,
    /// A human name: 1 to 100 characters (after trimming) without control or invisible
    /// formatting characters (zero-width spaces, bidirectional overrides).
    #[schema(examples("webshop"))]
    pub name: String,
    /// `admin` or `sales`.
    #[schema(value_type = ClientRole)]
    pub role: String,
}

/// A client to create, converted from [`CreateClient`].
pub struct NewClient {
    /// The given id, or a generated one.
    pub id: ClientId,
    /// The trimmed name.
    pub name: String,
    /// The role.
    pub role: Role,
}

impl TryFrom<CreateClient> for NewClient {
    type Error = ApiError;

    /// Judges the body on its own, so its faults rank before the key's (400 before 401, 403).
    fn try_from(body: CreateClient) -> Result<Self, ApiError> {
        let role = Role::parse(&body.role)
            .ok_or_else(|| ApiError::invalid_request("role must be \"admin\" or \"sales\""))?;
        let name = body.name.trim();
        if name.is_empty() || name.chars().count() > 100 || !is_plain_text(name) {
            return Err(ApiError::invalid_request(
                "name must be 1 to 100 characters without control or invisible formatting characters",
            ));
        }
        let id = match body.id {
            Some(id) => id,
            None => format!(
                "client-{}",
                &uuid::Uuid::new_v4().simple().to_string()[..12]
            ),
        };
        Ok(Self {
            id: ClientId::parse(&id)
                .map_err(|error| ApiError::invalid_request(error.to_string()))?,
            name: name.to_owned(),
            role,
        })
    }
}

/// The event part of `POST /performances`: a show in the catalogue, recorded or updated.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBody {
    /// The event's id, a slug `[A-Za-z0-9_-]{1,64}`.
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$", examples("jersey-boys"))]
    id: String,
    /// Required; at most 200 characters without control or invisible formatting characters.
    #[schema(examples("Jersey Boys"))]
    name: String,
    /// At most 200 characters without control or invisible formatting characters.
    #[schema(examples("Piccadilly Theatre"))]
    #[serde(default)]
    venue: String,
    /// At most 200 characters without control or invisible formatting characters.
    #[schema(examples("London"))]
    #[serde(default)]
    city: String,
}

/// The rules part of `POST /performances`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesBody {
    /// Seats held together must be adjacent in one block.
    #[schema(default = false)]
    #[serde(default)]
    contiguous_seats_only: bool,
    /// A selection must not leave a single free seat between taken seats.
    #[schema(default = false)]
    #[serde(default)]
    no_single_seat_gaps: bool,
    /// How many seats, or general-admission places, one request may hold, each from 1 to 100;
    /// 1 to 10 when omitted.
    #[schema(min_items = 1, minimum = 1, maximum = 100)]
    valid_quantities: Option<Vec<u32>>,
    /// No lock lasts past its hold's creation plus this many seconds, however often it is
    /// checked out; 1800 when omitted.
    #[schema(minimum = 1, maximum = 86_400, default = 1800)]
    max_hold_seconds: Option<u32>,
    /// How many checkouts one hold may have (the one past it is 422); 5 when omitted.
    #[schema(minimum = 0, maximum = 1000, default = 5)]
    max_renewals: Option<u32>,
}

/// A price band of `POST /performances`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PriceBandBody {
    /// The band's code, referenced by blocks and pools: 1 to 32 letters, digits, `_`, `.` or
    /// `-`.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", examples("A"))]
    code: String,
    /// A non-negative decimal string with at most four fraction digits; never a float.
    #[schema(pattern = r"^[0-9]{1,12}(\.[0-9]{1,4})?$", examples("65.00"))]
    price: String,
    /// Three upper-case letters (ISO 4217).
    #[schema(pattern = "^[A-Z]{3}$", examples("GBP"))]
    currency: String,
}

/// A block of `POST /performances`: a run of physically adjacent seats, numbered `from` to
/// `to` inclusive; blocks are separated by aisles.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct BlockBody {
    /// The first seat number, from 1.
    #[schema(minimum = 1, maximum = 99_999, examples(1))]
    from: u32,
    /// The last seat number, inclusive: at least `from`, at most 99,999.
    #[schema(minimum = 1, maximum = 99_999, examples(12))]
    to: u32,
    /// The code of one of `price_bands`.
    #[schema(examples("A"))]
    price_band: String,
}

/// A row of `POST /performances`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RowBody {
    /// The row's name, e.g. `A`: 1 to 32 letters, digits, `_`, `.` or `-`; seat ids default to
    /// `<section>-<row><number>`.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", examples("A"))]
    row: String,
    blocks: Vec<BlockBody>,
}

/// A section of `POST /performances`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct SectionBody {
    /// 1 to 32 letters, digits, `_`, `.` or `-`.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", examples("STALLS"))]
    name: String,
    rows: Vec<RowBody>,
}

/// A general-admission pool of `POST /performances`: places without seat numbers.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PoolBody {
    /// 1 to 32 letters, digits, `_`, `.` or `-`.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", examples("STANDING"))]
    code: String,
    /// How many places, from 1 to 1,000,000.
    #[schema(minimum = 1, maximum = 1_000_000, examples(500))]
    capacity: u32,
    /// The code of one of `price_bands`.
    #[schema(examples("B"))]
    price_band: String,
}

/// `POST /performances`: a performance with its seating plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({
    "id": "jb-1204",
    "event": {"id": "jersey-boys", "name": "Jersey Boys", "venue": "Piccadilly Theatre", "city": "London"},
    "starts_at": "2026-12-04T19:30:00Z",
    "hold_seconds": 180,
    "rules": {"contiguous_seats_only": true, "no_single_seat_gaps": true, "valid_quantities": [1, 2, 3, 4, 5, 6]},
    "price_bands": [{"code": "A", "price": "65.00", "currency": "GBP"}, {"code": "B", "price": "45.00", "currency": "GBP"}],
    "sections": [
        {"name": "STALLS", "rows": [
            {"row": "A", "blocks": [{"from": 1, "to": 12, "price_band": "A"}, {"from": 13, "to": 24, "price_band": "A"}]}
        ]}
    ],
    "general_admission": [{"code": "STANDING", "capacity": 500, "price_band": "B"}]
})))]
pub struct CreatePerformance {
    /// The performance's id, a slug `[A-Za-z0-9_-]{1,64}`; generated when omitted.
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$", examples("jb-1204"))]
    id: Option<String>,
    event: EventBody,
    /// RFC 3339 with any offset.
    #[schema(format = DateTime, examples("2026-12-04T19:30:00Z"))]
    starts_at: String,
    /// How long a hold lasts before it expires, from 1 to 86,400 seconds; the server's
    /// default when omitted.
    #[schema(minimum = 1, maximum = 86_400, examples(180))]
    hold_seconds: Option<u32>,
    #[serde(default)]
    rules: RulesBody,
    price_bands: Vec<PriceBandBody>,
    /// The seated part of the plan.
    #[serde(default)]
    sections: Vec<SectionBody>,
    /// The pools of places without seat numbers.
    #[serde(default)]
    general_admission: Vec<PoolBody>,
}

/// The default `valid_quantities` when a performance names none.
const DEFAULT_VALID_QUANTITIES: [u32; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

impl CreatePerformance {
    /// Converts the body into a performance and its plan.
    ///
    /// # Errors
    /// 400 for bad ids, times, prices or currencies.
    pub fn into_parts(
        self,
        generated_id: String,
        default_hold_seconds: u32,
    ) -> Result<(PerformanceInfo, PlanSpec), ApiError> {
        let invalid = |error: &dyn std::fmt::Display| ApiError::invalid_request(error.to_string());
        let id = PerformanceId::parse(self.id.as_deref().unwrap_or(&generated_id))
            .map_err(|e| invalid(&e))?;
        let text_ok = |text: &str| text.chars().count() <= 200 && is_plain_text(text);
        if [&self.event.name, &self.event.venue, &self.event.city]
            .iter()
            .any(|t| !text_ok(t))
            || self.event.name.trim().is_empty()
        {
            return Err(ApiError::invalid_request(
                "event name, venue and city must be at most 200 characters without control or invisible formatting characters; name is required",
            ));
        }
        let info = PerformanceInfo {
            id,
            event: EventInfo {
                id: EventId::parse(&self.event.id).map_err(|e| invalid(&e))?,
                name: self.event.name,
                venue: self.event.venue,
                city: self.event.city,
            },
            starts_at: parse_time("starts_at", &self.starts_at)?,
            hold_seconds: self.hold_seconds.unwrap_or(default_hold_seconds),
            rules: Rules {
                contiguous_seats_only: self.rules.contiguous_seats_only,
                no_single_seat_gaps: self.rules.no_single_seat_gaps,
                valid_quantities: self
                    .rules
                    .valid_quantities
                    .unwrap_or_else(|| DEFAULT_VALID_QUANTITIES.to_vec()),
                max_hold_seconds: self
                    .rules
                    .max_hold_seconds
                    .unwrap_or(MAX_HOLD_SECONDS_DEFAULT),
                max_renewals: self.rules.max_renewals.unwrap_or(MAX_RENEWALS_DEFAULT),
            },
        };
        let price_bands = self
            .price_bands
            .into_iter()
            .map(|band| {
                Ok(PriceBand {
                    price: Amount::parse(&band.price).map_err(|e| invalid(&e))?,
                    currency: Currency::parse(&band.currency).map_err(|e| invalid(&e))?,
                    code: band.code,
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        let sections = self
            .sections
            .into_iter()
            .map(|section| SectionSpec {
                name: section.name,
                rows: section
                    .rows
                    .into_iter()
                    .map(|row| RowSpec {
                        row: row.row,
                        blocks: row
                            .blocks
                            .into_iter()
                            .map(|b| BlockSpec {
                                from: b.from,
                                to: b.to,
                                price_band: b.price_band,
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        let general_admission = self
            .general_admission
            .into_iter()
            .map(|p| PoolSpec {
                code: p.code,
                capacity: p.capacity,
                price_band: p.price_band,
            })
            .collect();
        Ok((
            info,
            PlanSpec {
                price_bands,
                sections,
                general_admission,
            },
        ))
    }
}

/// `POST /transactions`: one of three forms, or a basket of them (`items`), each with
/// optional `metadata`.
///
/// Its OpenAPI schema is `oneOf` the four forms ([`CreateTransactionSeats`],
/// [`CreateTransactionBestAvailable`], [`CreateTransactionGeneralAdmission`],
/// [`CreateTransactionItems`]) rather than this flat struct, because
/// [`CreateTransaction::into_parts`] accepts exactly those combinations of fields.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTransaction {
    tickets: Option<Vec<String>>,
    performance: Option<String>,
    quantity: Option<u32>,
    price_band: Option<String>,
    preferred: Option<Vec<String>>,
    general_admission: Option<UniqueKeys<u32>>,
    items: Option<Vec<CreateTransactionItem>>,
    metadata: Option<UniqueKeys<String>>,
}

/// One item of a basket: one of the three forms, without items or metadata of its own.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTransactionItem {
    tickets: Option<Vec<String>>,
    performance: Option<String>,
    quantity: Option<u32>,
    price_band: Option<String>,
    preferred: Option<Vec<String>>,
    general_admission: Option<UniqueKeys<u32>>,
}

impl PartialSchema for CreateTransaction {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .description(Some(
                "One of three forms (specific seats, best available, general admission), or a \
                 basket of them in `items`, at one or several performances, all or nothing. \
                 Any other combination of fields is refused with 400 `invalid_request`.",
            ))
            .item(Ref::from_schema_name(CreateTransactionSeats::name()))
            .item(Ref::from_schema_name(CreateTransactionBestAvailable::name()))
            .item(Ref::from_schema_name(
                CreateTransactionGeneralAdmission::name(),
            ))
            .item(Ref::from_schema_name(CreateTransactionItems::name()))
            .into()
    }
}

impl ToSchema for CreateTransaction {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.extend([
            (
                CreateTransactionSeats::name().into_owned(),
                CreateTransactionSeats::schema(),
            ),
            (
                CreateTransactionBestAvailable::name().into_owned(),
                CreateTransactionBestAvailable::schema(),
            ),
            (
                CreateTransactionGeneralAdmission::name().into_owned(),
                CreateTransactionGeneralAdmission::schema(),
            ),
            (
                CreateTransactionItems::name().into_owned(),
                CreateTransactionItems::schema(),
            ),
            (
                CreateTransactionItemForm::name().into_owned(),
                CreateTransactionItemForm::schema(),
            ),
            (ItemSeats::name().into_owned(), ItemSeats::schema()),
            (
                ItemBestAvailable::name().into_owned(),
                ItemBestAvailable::schema(),
            ),
            (
                ItemGeneralAdmission::name().into_owned(),
                ItemGeneralAdmission::schema(),
            ),
        ]);
    }
}

impl CreateTransaction {
    /// Splits the body into what to hold and the metadata.
    ///
    /// # Errors
    /// `invalid_request` for an unknown body form, bad ticket ids or bad metadata.
    pub fn into_parts(self) -> Result<(HoldRequest, Metadata), ApiError> {
        let metadata = parse_metadata(self.metadata)?;
        let request = match self.items {
            Some(items) => {
                let only_items = self.tickets.is_none()
                    && self.performance.is_none()
                    && self.quantity.is_none()
                    && self.price_band.is_none()
                    && self.preferred.is_none()
                    && self.general_admission.is_none();
                if !only_items {
                    return Err(ApiError::invalid_request(
                        "items cannot be combined with the fields of a single form",
                    ));
                }
                if items.is_empty() {
                    return Err(ApiError::invalid_request(
                        "items must list at least one item",
                    ));
                }
                HoldRequest::Items(
                    items
                        .into_iter()
                        .map(HoldRequest::try_from)
                        .collect::<Result<_, _>>()?,
                )
            }
            None => HoldRequest::try_from(CreateTransactionItem {
                tickets: self.tickets,
                performance: self.performance,
                quantity: self.quantity,
                price_band: self.price_band,
                preferred: self.preferred,
                general_admission: self.general_admission,
            })?,
        };
        Ok((request, metadata))
    }
}

/// Checks metadata: at most 32 keys, keys of 1 to 255 and values of at most 255 characters.
fn parse_metadata(metadata: Option<UniqueKeys<String>>) -> Result<Metadata, ApiError> {
    let Some(UniqueKeys(metadata)) = metadata else {
        return Ok(Metadata::new());
    };
    check_metadata(metadata.iter().map(|(key, value)| (key, Some(value))))?;
    Ok(metadata)
}

/// The limits every metadata key and value is checked against, on creation and on `PATCH`.
pub(crate) fn check_metadata<'a>(
    entries: impl ExactSizeIterator<Item = (&'a String, Option<&'a String>)>,
) -> Result<(), ApiError> {
    if entries.len() > METADATA_KEYS_MAX {
        return Err(ApiError::invalid_request(format!(
            "metadata may have at most {METADATA_KEYS_MAX} keys"
        )));
    }
    for (key, value) in entries {
        let length = key.chars().count();
        if length == 0 || length > METADATA_TEXT_MAX {
            return Err(ApiError::invalid_request(format!(
                "metadata keys must be 1 to {METADATA_TEXT_MAX} characters"
            )));
        }
        if value.is_some_and(|value| value.chars().count() > METADATA_TEXT_MAX) {
            return Err(ApiError::invalid_request(format!(
                "metadata value of {key:.40} is over {METADATA_TEXT_MAX} characters"
            )));
        }
    }
    Ok(())
}

impl TryFrom<CreateTransactionItem> for HoldRequest {
    type Error = ApiError;

    fn try_from(body: CreateTransactionItem) -> Result<Self, ApiError> {
        let performance = |text: &str| {
            PerformanceId::parse(text).map_err(|error| ApiError::invalid_request(error.to_string()))
        };
        match body {
            CreateTransactionItem {
                tickets: Some(tickets),
                performance: None,
                quantity: None,
                price_band: None,
                preferred: None,
                general_admission: None,
            } => {
                if tickets.is_empty() {
                    return Err(ApiError::invalid_request(
                        "tickets must name at least one ticket",
                    ));
                }
                Ok(Self::Tickets(parse_tickets("tickets", &tickets)?))
            }
            CreateTransactionItem {
                tickets: None,
                performance: Some(id),
                quantity: Some(quantity),
                price_band,
                preferred,
                general_admission: None,
            } => Ok(Self::BestAvailable {
                performance: performance(&id)?,
                quantity,
                price_band,
                preferred: parse_tickets("preferred", &preferred.unwrap_or_default())?,
            }),
            CreateTransactionItem {
                tickets: None,
                performance: Some(id),
                quantity: None,
                price_band: None,
                preferred: None,
                general_admission: Some(UniqueKeys(places)),
            } => {
                if places.is_empty() {
                    return Err(ApiError::invalid_request(
                        "general_admission must name at least one pool",
                    ));
                }
                Ok(Self::GeneralAdmission {
                    performance: performance(&id)?,
                    places: places.into_iter().collect(),
                })
            }
            _ => Err(ApiError::invalid_request(
                "unknown body form: send {\"tickets\": [...]}, {\"performance\", \"quantity\"} or {\"performance\", \"general_admission\"}",
            )),
        }
    }
}

/// The customer of `POST /transactions/{id}` with `complete`; their people record is keyed
/// by email.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerBody {
    /// 1 to 200 characters (after trimming) without control or invisible formatting
    /// characters.
    #[schema(examples("Joe User"))]
    name: String,
    /// Stored trimmed and in lower case.
    #[schema(format = Email, examples("joe@example.com"))]
    email: String,
}

impl TryFrom<CustomerBody> for Customer {
    type Error = ApiError;

    fn try_from(body: CustomerBody) -> Result<Self, ApiError> {
        Customer::parse(&body.name, &body.email)
            .map_err(|error| ApiError::invalid_request(error.to_string()))
    }
}

/// `POST /transactions/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(
    json!({"status": "checkout"}),
    json!({"status": "complete", "customer": {"name": "Joe User", "email": "joe@example.com"}})
))]
pub struct UpdateTransaction {
    /// `checkout` or `complete`.
    #[schema(value_type = UpdateTransactionStatus)]
    pub status: String,
    /// The buyer: optional with `complete` (a cash sale names none, and no people record is
    /// written), refused with `checkout`.
    pub customer: Option<CustomerBody>,
    /// The transaction's tickets, as older clients repeat them; when present they must match
    /// the transaction (else 422).
    #[schema(examples("revue-1:STALLS-A3"))]
    pub tickets: Option<Vec<String>>,
    /// The transaction's id, as older clients repeat it; when present it must match the path
    /// (else 422).
    pub id: Option<String>,
}

/// What `POST /transactions/{id}` asks for, converted from [`UpdateTransaction`].
pub struct TransactionUpdate {
    /// Check out, or complete for a customer.
    pub step: TransactionStep,
    /// The repeated tickets, if any; they must match the transaction.
    pub tickets: Option<Vec<TicketId>>,
    /// The repeated transaction id, if any; it must match the path.
    pub id: Option<String>,
}

/// The step a transaction is asked to take.
pub enum TransactionStep {
    /// Reset the lock.
    Checkout,
    /// Sell the tickets, to this customer when one is named.
    Complete(Option<Customer>),
}

impl TryFrom<UpdateTransaction> for TransactionUpdate {
    type Error = ApiError;

    /// Judges everything the body says on its own, so these faults rank as body faults (400),
    /// before the key and the transaction are looked at.
    fn try_from(body: UpdateTransaction) -> Result<Self, ApiError> {
        let tickets = body
            .tickets
            .as_deref()
            .map(|t| parse_tickets("tickets", t))
            .transpose()?;
        let step = match (body.status.as_str(), body.customer) {
            ("checkout", None) => TransactionStep::Checkout,
            ("checkout", Some(_)) => {
                return Err(ApiError::invalid_request("checkout takes no customer"));
            }
            ("complete", customer) => {
                TransactionStep::Complete(customer.map(Customer::try_from).transpose()?)
            }
            _ => {
                return Err(ApiError::invalid_request(
                    "status must be \"checkout\" or \"complete\"",
                ));
            }
        };
        Ok(Self {
            step,
            tickets,
            id: body.id,
        })
    }
}

/// `POST /performances/{id}/holdbacks`: at least one of the lists must name a ticket.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"withhold": ["revue-1:STALLS-A1", "revue-1:STALLS-A2"], "release": []})))]
pub struct Holdbacks {
    /// Ticket ids to take off sale (house seats, a fringe allocation); they must be free.
    #[serde(default)]
    withhold: Vec<String>,
    /// Withheld ticket ids to put back on sale.
    #[serde(default)]
    release: Vec<String>,
}

impl Holdbacks {
    /// Parses both lists.
    ///
    /// # Errors
    /// 400 for malformed or repeated ticket ids, or two empty lists.
    pub fn into_tickets(self) -> Result<(Vec<TicketId>, Vec<TicketId>), ApiError> {
        if self.withhold.is_empty() && self.release.is_empty() {
            return Err(ApiError::invalid_request(
                "name tickets to withhold or release",
            ));
        }
        Ok((
            parse_tickets("withhold", &self.withhold)?,
            parse_tickets("release", &self.release)?,
        ))
    }
}

/// Paging parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Text to find in name, venue or city, case-insensitively.
    #[param(example = "revue")]
    pub q: Option<String>,
    /// The city, matched case-insensitively.
    #[param(example = "London")]
    pub city: Option<String>,
    /// The page, from 0.
    #[param(minimum = 0, default = 0)]
    pub page: Option<usize>,
    /// Items per page.
    #[param(minimum = 1, maximum = 500, default = 50)]
    pub page_length: Option<usize>,
}

/// `GET /events/{id}/performances` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PerformancesQuery {
    /// Earliest start, RFC 3339.
    #[param(format = DateTime, example = "2026-12-01T00:00:00Z")]
    pub from: Option<String>,
    /// Latest start, RFC 3339.
    #[param(format = DateTime, example = "2026-12-31T23:59:59Z")]
    pub to: Option<String>,
    /// The page, from 0.
    #[param(minimum = 0, default = 0)]
    pub page: Option<usize>,
    /// Items per page.
    #[param(minimum = 1, maximum = 500, default = 50)]
    pub page_length: Option<usize>,
}

/// `GET /performances/{id}/availability` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityQuery {
    /// Only blocks from which this many seats can be held under the performance's rules.
    #[param(example = 2)]
    pub quantity: Option<u32>,
    /// Only this price band (404 when the performance has no such band).
    #[param(example = "A")]
    pub price_band: Option<String>,
}

/// `GET /people` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// The email address, matched case-insensitively.
    #[param(format = Email, example = "joe@example.com")]
    pub email: String,
}

// ---- Responses ----

/// Paging metadata.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({"page": 0, "page_length": 50, "total_results": 29})))]
pub struct Meta {
    /// The page, from 0.
    page: usize,
    /// Items per page.
    page_length: usize,
    /// Matches over all pages.
    total_results: usize,
}

impl Meta {
    /// Describes a page.
    pub fn new(page: usize, page_length: usize, total_results: usize) -> Self {
        Self {
            page,
            page_length,
            total_results,
        }
    }
}

/// A client with its key, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientCreated {
    /// The id.
    #[schema(examples("webshop"))]
    pub id: String,
    /// The name.
    #[schema(examples("webshop"))]
    pub name: String,
    /// The role.
    #[schema(value_type = ClientRole)]
    pub role: &'static str,
    /// The API key, for the `X-API-Key` header; shown only in this answer (a retry with the
    /// same `Idempotency-Key` answers the client without it).
    #[schema(required = false)]
    pub key: String,
}

/// An event in listings.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventDto {
    #[schema(examples("jersey-boys"))]
    id: String,
    #[schema(examples("Jersey Boys"))]
    name: String,
    #[schema(examples("Piccadilly Theatre"))]
    venue: String,
    #[schema(examples("London"))]
    city: String,
}

impl From<&EventInfo> for EventDto {
    fn from(event: &EventInfo) -> Self {
        Self {
            id: event.id.to_string(),
            name: event.name.clone(),
            venue: event.venue.clone(),
            city: event.city.clone(),
        }
    }
}

/// `GET /events`.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventList {
    /// The page of events.
    pub events: Vec<EventDto>,
    /// Paging.
    pub meta: Meta,
}

/// A performance's rules.
#[derive(Debug, Serialize, ToSchema)]
struct RulesDto {
    /// Seats held together must be adjacent in one block.
    contiguous_seats_only: bool,
    /// A selection must not leave a single free seat between taken seats.
    no_single_seat_gaps: bool,
    /// How many seats, or general-admission places, one request may hold.
    valid_quantities: Vec<u32>,
    /// No lock lasts past its hold's creation plus this many seconds.
    max_hold_seconds: u32,
    /// How many checkouts one hold may have.
    max_renewals: u32,
}

impl From<&Rules> for RulesDto {
    fn from(rules: &Rules) -> Self {
        Self {
            contiguous_seats_only: rules.contiguous_seats_only,
            no_single_seat_gaps: rules.no_single_seat_gaps,
            valid_quantities: rules.valid_quantities.clone(),
            max_hold_seconds: rules.max_hold_seconds,
            max_renewals: rules.max_renewals,
        }
    }
}

/// A performance in listings.
#[derive(Debug, Serialize, ToSchema)]
pub struct PerformanceSummary {
    #[schema(examples("jb-1204"))]
    id: String,
    event: EventDto,
    /// RFC 3339 in UTC.
    #[schema(format = DateTime, examples("2026-12-04T19:30:00Z"))]
    starts_at: String,
    /// How long a hold lasts before it expires.
    #[schema(examples(180))]
    hold_seconds: u32,
    rules: RulesDto,
}

impl From<&PerformanceInfo> for PerformanceSummary {
    fn from(info: &PerformanceInfo) -> Self {
        Self {
            id: info.id.to_string(),
            event: EventDto::from(&info.event),
            starts_at: format_time(info.starts_at),
            hold_seconds: info.hold_seconds,
            rules: RulesDto::from(&info.rules),
        }
    }
}

/// `GET /events/{id}/performances`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PerformanceList {
    /// The page of performances.
    pub performances: Vec<PerformanceSummary>,
    /// Paging.
    pub meta: Meta,
}

/// Seat counts (seats only; general admission is reported per pool).
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({"available": 980, "held": 12, "sold": 6, "withheld": 2})))]
struct CountsDto {
    available: u32,
    held: u32,
    sold: u32,
    withheld: u32,
}

impl From<Counts> for CountsDto {
    fn from(c: Counts) -> Self {
        Self {
            available: c.available,
            held: c.held,
            sold: c.sold,
            withheld: c.withheld,
        }
    }
}

/// A price band with its seat counts.
#[derive(Debug, Serialize, ToSchema)]
struct BandDto {
    #[schema(examples("A"))]
    code: String,
    /// A decimal string; never a float.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$", examples("65.00"))]
    price: String,
    #[schema(examples("GBP"))]
    currency: String,
    counts: CountsDto,
}

/// A general-admission pool with its counts.
#[derive(Debug, Serialize, ToSchema)]
struct PoolDto {
    #[schema(examples("STANDING"))]
    code: String,
    #[schema(examples("B"))]
    price_band: String,
    capacity: u32,
    available: u32,
    held: u32,
    sold: u32,
}

/// A block of adjacent seats numbered `from` to `to` inclusive.
#[derive(Debug, Serialize, ToSchema)]
struct BlockDto {
    from: u32,
    to: u32,
    price_band: String,
}

/// A row of the plan.
#[derive(Debug, Serialize, ToSchema)]
struct RowDto {
    row: String,
    blocks: Vec<BlockDto>,
}

/// A section of the plan.
#[derive(Debug, Serialize, ToSchema)]
struct SectionDto {
    name: String,
    rows: Vec<RowDto>,
}

/// `GET /performances/{id}`: the performance with its plan and counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct PerformanceDto {
    #[serde(flatten)]
    summary: PerformanceSummary,
    /// The price bands, each with its seat counts.
    price_bands: Vec<BandDto>,
    sections: Vec<SectionDto>,
    general_admission: Vec<PoolDto>,
    /// Seat counts over the whole performance.
    counts: CountsDto,
    /// Increases with every change to the performance.
    version: u64,
}

fn pools(view: &PerformanceView) -> Vec<PoolDto> {
    view.plan
        .pools()
        .iter()
        .zip(&view.pools)
        .map(|(pool, counts)| PoolDto {
            code: pool.code.clone(),
            price_band: view.plan.price_bands()[usize::from(pool.price_band)]
                .code
                .clone(),
            capacity: pool.capacity,
            available: pool.capacity - counts.held - counts.sold,
            held: counts.held,
            sold: counts.sold,
        })
        .collect()
}

impl From<&PerformanceView> for PerformanceDto {
    fn from(view: &PerformanceView) -> Self {
        let spec = view.plan.spec();
        Self {
            summary: PerformanceSummary::from(view.performance.as_ref()),
            price_bands: spec
                .price_bands
                .iter()
                .zip(&view.band_counts)
                .map(|(band, counts)| BandDto {
                    code: band.code.clone(),
                    price: band.price.to_string(),
                    currency: band.currency.to_string(),
                    counts: (*counts).into(),
                })
                .collect(),
            sections: spec
                .sections
                .iter()
                .map(|section| SectionDto {
                    name: section.name.clone(),
                    rows: section
                        .rows
                        .iter()
                        .map(|row| RowDto {
                            row: row.row.clone(),
                            blocks: row
                                .blocks
                                .iter()
                                .map(|b| BlockDto {
                                    from: b.from,
                                    to: b.to,
                                    price_band: b.price_band.clone(),
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
            general_admission: pools(view),
            counts: view.counts.into(),
            version: view.version,
        }
    }
}

/// A free seat in an availability block.
#[derive(Debug, Serialize, ToSchema)]
struct SeatRef {
    /// The ticket id.
    #[schema(examples("jb-1204:STALLS-A3"))]
    id: String,
    /// The seat number, as a string.
    #[schema(examples("3"))]
    number: String,
}

/// A maximal run of free adjacent seats, in seat order.
#[derive(Debug, Serialize, ToSchema)]
struct SeatBlockDto {
    #[schema(examples("STALLS"))]
    section: String,
    #[schema(examples("A"))]
    row: String,
    seats: Vec<SeatRef>,
}

/// A price band's availability.
#[derive(Debug, Serialize, ToSchema)]
struct BandAvailability {
    #[schema(examples("A"))]
    code: String,
    /// A decimal string; never a float.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$", examples("65.00"))]
    price: String,
    #[schema(examples("GBP"))]
    currency: String,
    /// Free seats in the band.
    available: u32,
    /// With `quantity`, only blocks from which that many seats can be held.
    seat_blocks: Vec<SeatBlockDto>,
}

/// A general-admission pool's availability.
#[derive(Debug, Serialize, ToSchema)]
struct PoolAvailability {
    #[schema(examples("STANDING"))]
    code: String,
    #[schema(examples("B"))]
    price_band: String,
    available: u32,
}

/// `GET /performances/{id}/availability`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({
    "performance": "jb-1204",
    "contiguous_seats_only": true,
    "no_single_seat_gaps": true,
    "valid_quantities": [1, 2, 3, 4, 5, 6],
    "price_bands": [{
        "code": "A", "price": "65.00", "currency": "GBP", "available": 21,
        "seat_blocks": [{"section": "STALLS", "row": "A", "seats": [
            {"id": "jb-1204:STALLS-A3", "number": "3"}, {"id": "jb-1204:STALLS-A4", "number": "4"}]}]
    }],
    "general_admission": [{"code": "STANDING", "price_band": "B", "available": 498}],
    "version": 18
})))]
pub struct AvailabilityDto {
    /// The performance id.
    performance: String,
    contiguous_seats_only: bool,
    no_single_seat_gaps: bool,
    valid_quantities: Vec<u32>,
    /// Every price band, or only the one asked for with `price_band`.
    price_bands: Vec<BandAvailability>,
    general_admission: Vec<PoolAvailability>,
    /// Increases with every change to the performance.
    version: u64,
}

impl From<&AvailabilityView> for AvailabilityDto {
    fn from(view: &AvailabilityView) -> Self {
        let summary = &view.summary;
        let plan = &summary.plan;
        let info = &summary.performance;
        let mut bands: Vec<BandAvailability> = plan
            .price_bands()
            .iter()
            .zip(&summary.band_counts)
            .map(|(band, counts)| BandAvailability {
                code: band.code.clone(),
                price: band.price.to_string(),
                currency: band.currency.to_string(),
                available: counts.available,
                seat_blocks: Vec::new(),
            })
            .collect();
        for (block, run) in &view.runs {
            let band = plan.blocks()[*block as usize].price_band;
            let first = plan.locate(run.start);
            bands[usize::from(band)].seat_blocks.push(SeatBlockDto {
                section: first.section.to_owned(),
                row: first.row.to_owned(),
                seats: run
                    .clone()
                    .map(|seat| SeatRef {
                        id: format!("{}:{}", info.id, plan.seat_id(seat)),
                        number: plan.seat_number(seat).to_string(),
                    })
                    .collect(),
            });
        }
        let price_bands = match view.price_band {
            Some(band) => vec![bands.swap_remove(usize::from(band))],
            None => bands,
        };
        Self {
            performance: info.id.to_string(),
            contiguous_seats_only: info.rules.contiguous_seats_only,
            no_single_seat_gaps: info.rules.no_single_seat_gaps,
            valid_quantities: info.rules.valid_quantities.clone(),
            price_bands,
            general_admission: pools(summary)
                .into_iter()
                .map(|p| PoolAvailability {
                    code: p.code,
                    price_band: p.price_band,
                    available: p.available,
                })
                .collect(),
            version: summary.version,
        }
    }
}

/// A seat of the seat map.
#[derive(Debug, Serialize, ToSchema)]
struct SeatDto {
    /// The ticket id.
    #[schema(examples("jb-1204:STALLS-A7"))]
    id: String,
    #[schema(examples("STALLS"))]
    section: String,
    #[schema(examples("A"))]
    row: String,
    /// The seat number, as a string.
    #[schema(examples("7"))]
    number: String,
    #[schema(examples("A"))]
    price_band: String,
    #[schema(value_type = SeatStatus)]
    status: &'static str,
}

/// `GET /performances/{id}/seats`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeatMapDto {
    /// The performance id.
    #[schema(examples("jb-1204"))]
    performance: String,
    /// Increases with every change to the performance.
    version: u64,
    /// Every seat, in plan order (section, row, seat).
    seats: Vec<SeatDto>,
}

impl From<&SeatMapView> for SeatMapDto {
    fn from(view: &SeatMapView) -> Self {
        let seats = view
            .statuses
            .iter()
            .enumerate()
            .map(|(seat, status)| {
                let location = view.plan.locate(seat as u32);
                SeatDto {
                    id: format!(
                        "{}:{}-{}{}",
                        view.performance.id, location.section, location.row, location.number
                    ),
                    section: location.section.to_owned(),
                    row: location.row.to_owned(),
                    number: location.number.to_string(),
                    price_band: location.price_band.code.clone(),
                    status: status.as_str(),
                }
            })
            .collect();
        Self {
            performance: view.performance.id.to_string(),
            version: view.version,
            seats,
        }
    }
}

/// One seat of a transaction or order.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TicketDto {
    /// The ticket id.
    #[schema(examples("jb-1204:STALLS-A3"))]
    id: String,
    #[schema(examples("jb-1204"))]
    performance: String,
    #[schema(examples("STALLS"))]
    section: String,
    #[schema(examples("A"))]
    row: String,
    /// The seat number, as a string.
    #[schema(examples("3"))]
    number: String,
    #[schema(examples("A"))]
    price_band: String,
    /// A decimal string; never a float.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$", examples("65.00"))]
    price: String,
    #[schema(examples("GBP"))]
    currency: String,
    /// Present on orders only.
    #[schema(value_type = String)]
    #[serde(skip_serializing_if = "Option::is_none")]
    barcode: Option<String>,
}

/// General-admission places of a transaction or order.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PlacesDto {
    #[schema(examples("jb-1204"))]
    performance: String,
    /// The pool's code.
    #[schema(examples("STANDING"))]
    code: String,
    #[schema(examples(2))]
    quantity: u32,
    #[schema(examples("B"))]
    price_band: String,
    /// The price of one place: a decimal string; never a float.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$", examples("45.00"))]
    price: String,
    #[schema(examples("GBP"))]
    currency: String,
    /// One barcode per place; present on orders only.
    #[schema(value_type = Vec<String>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    barcodes: Option<Vec<String>>,
}

/// Renders a hold's seats and places, with barcodes when `with_barcodes` and sold.
fn render_hold(
    view: &HoldView,
    with_barcodes: bool,
    tickets: &mut Vec<TicketDto>,
    places: &mut Vec<PlacesDto>,
) {
    let hold = &view.hold;
    let mut barcodes = hold
        .sale
        .as_ref()
        .filter(|_| with_barcodes)
        .map(|sale| sale.barcodes.iter());
    for &seat in &hold.seats {
        let location = view.plan.locate(seat);
        tickets.push(TicketDto {
            id: format!(
                "{}:{}-{}{}",
                view.performance.id, location.section, location.row, location.number
            ),
            performance: view.performance.id.to_string(),
            section: location.section.to_owned(),
            row: location.row.to_owned(),
            number: location.number.to_string(),
            price_band: location.price_band.code.clone(),
            price: location.price_band.price.to_string(),
            currency: location.price_band.currency.to_string(),
            barcode: barcodes.as_mut().and_then(|codes| codes.next().cloned()),
        });
    }
    for place in &hold.places {
        let pool = &view.plan.pools()[usize::from(place.pool)];
        let band = &view.plan.price_bands()[usize::from(pool.price_band)];
        places.push(PlacesDto {
            performance: view.performance.id.to_string(),
            code: pool.code.clone(),
            quantity: place.quantity,
            price_band: band.code.clone(),
            price: band.price.to_string(),
            currency: band.currency.to_string(),
            barcodes: barcodes.as_mut().map(|codes| {
                codes
                    .by_ref()
                    .take(place.quantity as usize)
                    .cloned()
                    .collect()
            }),
        });
    }
}

/// A transaction: the answer of hold, checkout and `GET /transactions/{id}`.
///
/// `state`, `locked_by` and `locked_ip` are present in the answers of `GET` and `DELETE`;
/// `order_number` once the transaction is complete.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({
    "status": "OK",
    "transaction_id": "0193a0d2-6f1c-7c4e-9a51-2f7f0f5b1c11",
    "tickets": [{"id": "jb-1204:STALLS-A3", "performance": "jb-1204", "section": "STALLS", "row": "A",
                 "number": "3", "price_band": "A", "price": "65.00", "currency": "GBP"}],
    "general_admission": [],
    "lock_expires": "2026-12-01T10:03:00Z",
    "seat_request_status": "got_all"
})))]
pub struct TransactionDto {
    #[schema(value_type = OkStatus)]
    status: &'static str,
    #[schema(format = "uuid", examples("0193a0d2-6f1c-7c4e-9a51-2f7f0f5b1c11"))]
    transaction_id: String,
    tickets: Vec<TicketDto>,
    general_admission: Vec<PlacesDto>,
    /// When the holds expire and release their seats, RFC 3339 in UTC.
    #[schema(format = DateTime, examples("2026-12-01T10:03:00Z"))]
    lock_expires: String,
    #[schema(value_type = SeatRequestStatus)]
    seat_request_status: &'static str,
    #[schema(value_type = TransactionState)]
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<&'static str>,
    /// The id of the client that opened the transaction (never its key).
    #[schema(value_type = String, examples("webshop"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    locked_by: Option<String>,
    /// The IP address of the caller that opened the transaction.
    #[schema(value_type = String, examples("203.0.113.7"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    locked_ip: Option<String>,
    /// The order's number, once the transaction is complete.
    #[schema(value_type = String, examples("100045"))]
    #[serde(skip_serializing_if = "Option::is_none")]
    order_number: Option<String>,
    /// The client's metadata, on `GET /transactions/{id}` (`{}` when there is none).
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<BTreeMap<String, String>>,
}

impl TransactionDto {
    /// The contract's answer to hold and checkout.
    pub fn brief(view: &TransactionView) -> Self {
        let mut tickets = Vec::new();
        let mut places = Vec::new();
        for hold in &view.holds {
            render_hold(hold, false, &mut tickets, &mut places);
        }
        Self {
            status: "OK",
            transaction_id: uuid::Uuid::from_u128(view.id.0).to_string(),
            tickets,
            general_admission: places,
            lock_expires: format_time(view.lock_expires()),
            seat_request_status: view
                .holds
                .iter()
                .map(|h| h.hold.seat_request_status)
                .reduce(crate::domain::SeatRequestStatus::weakest)
                .map_or("not_requested", crate::domain::SeatRequestStatus::as_str),
            state: None,
            locked_by: None,
            locked_ip: None,
            order_number: None,
            metadata: None,
        }
    }

    /// The full state of `GET /transactions/{id}`.
    pub fn full(view: &TransactionView) -> Self {
        let first = view.holds.first().map(|h| &h.hold);
        let state = view.state();
        Self {
            state: Some(state.as_str()),
            locked_by: first.map(|h| h.owner.to_string()),
            locked_ip: first.map(|h| h.ip.clone()),
            order_number: first
                .and_then(|h| h.sale.as_ref())
                .filter(|_| state == HoldState::Sold)
                .map(|sale| sale.order_number.to_string()),
            metadata: Some(view.metadata.clone()),
            ..Self::brief(view)
        }
    }
}

/// An order's customer.
#[derive(Debug, Serialize, ToSchema)]
struct CustomerDto {
    #[schema(examples("Joe User"))]
    name: String,
    #[schema(format = Email, examples("joe@example.com"))]
    email: String,
}

/// The sum of an order's prices in one currency.
#[derive(Debug, Serialize, ToSchema)]
struct TotalDto {
    #[schema(examples("GBP"))]
    currency: String,
    /// A decimal string; never a float.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$", examples("130.00"))]
    amount: String,
}

/// An order with its tickets, barcodes, customer and totals.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderDto {
    #[schema(examples("100045"))]
    number: String,
    #[schema(format = "uuid", examples("0193a0d2-6f1c-7c4e-9a51-2f7f0f5b1c11"))]
    transaction_id: String,
    /// RFC 3339 in UTC.
    #[schema(format = DateTime, examples("2026-12-01T10:02:10Z"))]
    created_at: String,
    /// The buyer; absent when the sale named none (a cash sale at the box office).
    #[serde(skip_serializing_if = "Option::is_none")]
    customer: Option<CustomerDto>,
    /// The seats, each with its barcode.
    tickets: Vec<TicketDto>,
    /// The general-admission places, with one barcode per place.
    general_admission: Vec<PlacesDto>,
    /// One total per currency.
    totals: Vec<TotalDto>,
    /// The transaction's metadata (`{}` when there is none).
    metadata: BTreeMap<String, String>,
}

impl From<&Order> for OrderDto {
    fn from(order: &Order) -> Self {
        let mut tickets = Vec::new();
        let mut places = Vec::new();
        let mut totals: BTreeMap<Currency, Amount> = BTreeMap::new();
        for view in &order.transaction.holds {
            render_hold(view, true, &mut tickets, &mut places);
            add_totals(&mut totals, view.hold.totals(&view.plan));
        }
        Self {
            number: order.number.to_string(),
            transaction_id: uuid::Uuid::from_u128(order.transaction.id.0).to_string(),
            created_at: format_time(order.created_at),
            customer: order.customer.as_ref().map(|customer| CustomerDto {
                name: customer.name().to_owned(),
                email: customer.email().to_owned(),
            }),
            tickets,
            general_admission: places,
            metadata: order.transaction.metadata.clone(),
            totals: totals
                .into_iter()
                .map(|(currency, amount)| TotalDto {
                    currency: currency.to_string(),
                    amount: amount.to_string(),
                })
                .collect(),
        }
    }
}

/// The answer to `complete` and `GET /orders/{number}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderAnswer {
    #[schema(value_type = OkStatus)]
    status: &'static str,
    #[schema(format = "uuid", examples("0193a0d2-6f1c-7c4e-9a51-2f7f0f5b1c11"))]
    transaction_id: String,
    /// The sold seats with their barcodes, as in `order.tickets` (ATHENA clients read them
    /// here).
    tickets: Vec<TicketDto>,
    /// The sold general-admission places, as in `order.general_admission`.
    general_admission: Vec<PlacesDto>,
    order: OrderDto,
}

impl From<&Order> for OrderAnswer {
    fn from(order: &Order) -> Self {
        let order_dto = OrderDto::from(order);
        Self {
            status: "OK",
            transaction_id: uuid::Uuid::from_u128(order.transaction.id.0).to_string(),
            tickets: order_dto.tickets.clone(),
            general_admission: order_dto.general_admission.clone(),
            order: order_dto,
        }
    }
}

/// `GET /people`: a people record, keyed by email.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonDto {
    #[schema(format = Email, examples("joe@example.com"))]
    email: String,
    /// The name given with the latest order.
    #[schema(examples("Joe User"))]
    name: String,
    /// The numbers of the person's orders, oldest first.
    #[schema(examples("100045"))]
    orders: Vec<String>,
    /// RFC 3339 in UTC.
    #[schema(format = DateTime)]
    created_at: String,
    /// RFC 3339 in UTC.
    #[schema(format = DateTime)]
    updated_at: String,
}

impl From<&Person> for PersonDto {
    fn from(person: &Person) -> Self {
        Self {
            email: person.email.clone(),
            name: person.name.clone(),
            orders: person.orders.iter().map(ToString::to_string).collect(),
            created_at: format_time(person.created_at),
            updated_at: format_time(person.updated_at),
        }
    }
}

// ---- Documentation-only schemas ----
//
// These types are never built. They name the string vocabularies that the DTOs above carry
// as `&'static str` or `String`, and the alternative body forms that the flat request types
// accept, so the OpenAPI description can list them.

/// A client's role: `admin` (manage catalogue, keys, holdbacks, reports) or `sales` (hold,
/// check out, complete, release its own transactions).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub(crate) enum ClientRole {
    Admin,
    Sales,
}

/// A seat's status in the seat map.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub(crate) enum SeatStatus {
    Free,
    Held,
    Sold,
    Withheld,
}

/// A transaction's state: `held` → `checkout` → `complete`, or `released` (by `DELETE`) or
/// `expired` (its lock passed `lock_expires`).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub(crate) enum TransactionState {
    Held,
    Checkout,
    Complete,
    Released,
    Expired,
}

/// How the `preferred` seats of a best-available request were met: `got_all` (all preferred
/// seats), `got_some`, `got_none` (other seats given), `not_requested` (no preference given).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub(crate) enum SeatRequestStatus {
    GotAll,
    GotSome,
    GotNone,
    NotRequested,
}

/// The step `POST /transactions/{id}` asks for: `checkout` resets the lock to now plus the
/// performance's `hold_seconds`; `complete` sells the tickets and creates an order.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub(crate) enum UpdateTransactionStatus {
    Checkout,
    Complete,
}

/// The `status` of a successful answer: always `OK`.
#[derive(ToSchema)]
#[schema(rename_all = "UPPERCASE")]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub(crate) enum OkStatus {
    Ok,
}

/// `GET /health`.
#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "documentation only: the route renders this shape inline"
)]
pub(crate) struct Health {
    status: OkStatus,
}

/// `POST /transactions`, specific seats: all or nothing.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"tickets": ["revue-1:STALLS-A3", "revue-1:STALLS-A4"]})))]
#[expect(
    dead_code,
    reason = "documentation only: `CreateTransaction` parses this form"
)]
pub(crate) struct CreateTransactionSeats {
    /// Ticket ids `<performance_id>:<seat_id>`, each at most once.
    #[schema(min_items = 1)]
    tickets: Vec<String>,
    /// The client's own keys and values (at most 32; keys 1 to 255 characters, values at most
    /// 255), shown on the transaction and its order.
    #[schema(schema_with = metadata_schema)]
    metadata: Option<BTreeMap<String, String>>,
}

/// `POST /transactions`, best available: the engine picks the best seats that satisfy the
/// performance's rules (lowest row first, then closest to the centre, in one block), trying
/// `preferred` first.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({
    "performance": "revue-1", "quantity": 2, "price_band": "A", "preferred": ["revue-1:STALLS-D7"]
})))]
#[expect(
    dead_code,
    reason = "documentation only: `CreateTransaction` parses this form"
)]
pub(crate) struct CreateTransactionBestAvailable {
    /// The performance id.
    performance: String,
    /// How many seats; must be one of the performance's `valid_quantities`.
    quantity: u32,
    /// Only seats of this price band.
    price_band: Option<String>,
    /// Ticket ids to try first, each at most once.
    preferred: Option<Vec<String>>,
    /// The client's own keys and values (at most 32; keys 1 to 255 characters, values at most
    /// 255), shown on the transaction and its order.
    #[schema(schema_with = metadata_schema)]
    metadata: Option<BTreeMap<String, String>>,
}

/// `POST /transactions`, general admission: places per pool code.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"performance": "revue-1", "general_admission": {"STANDING": 2}})))]
#[expect(
    dead_code,
    reason = "documentation only: `CreateTransaction` parses this form"
)]
pub(crate) struct CreateTransactionGeneralAdmission {
    /// The performance id.
    performance: String,
    /// Places wanted, by pool code; at least one pool.
    general_admission: BTreeMap<String, u32>,
    /// The client's own keys and values (at most 32; keys 1 to 255 characters, values at most
    /// 255), shown on the transaction and its order.
    #[schema(schema_with = metadata_schema)]
    metadata: Option<BTreeMap<String, String>>,
}

/// A basket item, specific seats: all or nothing.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"tickets": ["revue-1:STALLS-A3", "revue-1:STALLS-A4"]})))]
#[expect(
    dead_code,
    reason = "documentation only: `CreateTransactionItem` parses this form"
)]
pub(crate) struct ItemSeats {
    /// Ticket ids `<performance_id>:<seat_id>`, each at most once.
    #[schema(min_items = 1)]
    tickets: Vec<String>,
}

/// A basket item, best available: the engine picks the best seats that satisfy the
/// performance's rules (lowest row first, then closest to the centre, in one block), trying
/// `preferred` first.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({
    "performance": "revue-1", "quantity": 2, "price_band": "A", "preferred": ["revue-1:STALLS-D7"]
})))]
#[expect(
    dead_code,
    reason = "documentation only: `CreateTransactionItem` parses this form"
)]
pub(crate) struct ItemBestAvailable {
    /// The performance id.
    performance: String,
    /// How many seats; must be one of the performance's `valid_quantities`.
    quantity: u32,
    /// Only seats of this price band.
    price_band: Option<String>,
    /// Ticket ids to try first, each at most once.
    preferred: Option<Vec<String>>,
}

/// A basket item, general admission: places per pool code.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"performance": "revue-1", "general_admission": {"STANDING": 2}})))]
#[expect(
    dead_code,
    reason = "documentation only: `CreateTransactionItem` parses this form"
)]
pub(crate) struct ItemGeneralAdmission {
    /// The performance id.
    performance: String,
    /// Places wanted, by pool code; at least one pool.
    general_admission: BTreeMap<String, u32>,
}

/// `POST /transactions`, a basket: items of the three forms, at one or several performances,
/// all or nothing. Items at one performance become one hold there; each is judged by the
/// performance's rules as a request of its own. `seat_request_status` is the weakest over the
/// items.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({
    "items": [
        {"tickets": ["revue-1:STALLS-A3"]},
        {"performance": "revue-1", "general_admission": {"STANDING": 2}},
        {"performance": "revue-2", "quantity": 2}
    ],
    "metadata": {"basket": "b-1029"}
})))]
#[expect(
    dead_code,
    reason = "documentation only: `CreateTransaction` parses this form"
)]
pub(crate) struct CreateTransactionItems {
    /// The items; at least one.
    #[schema(min_items = 1)]
    items: Vec<CreateTransactionItemForm>,
    /// The client's own keys and values (at most 32; keys 1 to 255 characters, values at most
    /// 255), shown on the transaction and its order.
    #[schema(schema_with = metadata_schema)]
    metadata: Option<BTreeMap<String, String>>,
}

/// The schema of a transaction's metadata: at most 32 keys of 1 to 255 characters, string
/// values of at most 255.
fn metadata_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let text = |min: usize| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(min))
            .max_length(Some(METADATA_TEXT_MAX))
    };
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "The client's own keys and values (at most 32; keys 1 to 255 characters, values \
             strings of at most 255), shown on the transaction and its order.",
        ))
        .max_properties(Some(METADATA_KEYS_MAX))
        .property_names(Some(text(1)))
        .additional_properties(Some(text(0)))
        .build()
}

/// One item of a basket: one of the three forms.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
#[expect(
    dead_code,
    reason = "documentation only: `CreateTransactionItem` parses this form"
)]
pub(crate) enum CreateTransactionItemForm {
    /// Specific seats.
    Seats(ItemSeats),
    /// Best available.
    BestAvailable(ItemBestAvailable),
    /// General admission.
    GeneralAdmission(ItemGeneralAdmission),
}

/// The answer of `POST /transactions/{id}`: the transaction after `checkout`, the order after
/// `complete`.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[expect(
    dead_code,
    reason = "documentation only: the route answers one of the two directly"
)]
pub(crate) enum UpdateTransactionAnswer {
    /// After `checkout`.
    Checkout(TransactionDto),
    /// After `complete`.
    Complete(OrderAnswer),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_refuses_a_key_given_twice_and_names_it() {
        let error = serde_json::from_str::<UniqueKeys<u32>>(r#"{"STANDING": 1, "STANDING": 9}"#)
            .expect_err("a key given twice");
        assert!(
            error.to_string().contains(r#"duplicate key "STANDING""#),
            "{error}"
        );
        let map = serde_json::from_str::<UniqueKeys<u32>>(r#"{"STANDING": 1, "BOX": 2}"#)
            .expect("distinct keys");
        assert_eq!(
            map.0,
            BTreeMap::from([("BOX".into(), 2), ("STANDING".into(), 1)])
        );
    }

    #[test]
    fn a_struct_refuses_a_field_given_twice() {
        let error = serde_json::from_str::<CreateTransaction>(
            r#"{"tickets": ["p1:S-A1"], "tickets": ["p1:S-A2"]}"#,
        )
        .expect_err("a field given twice");
        assert!(error.to_string().contains("duplicate field"), "{error}");
    }

    #[test]
    fn plain_text_refuses_invisible_formatting_but_keeps_joiners_and_scripts() {
        for text in [
            "Joe User",
            "Zoë Ō'Brien",
            "جو",
            "می\u{200c}خواهم",
            "👩\u{200d}👩\u{200d}👧",
        ] {
            assert!(is_plain_text(text), "{text:?}");
        }
        for text in [
            "Joe\u{200b} User",
            "shop\u{202e}gnp.exe",
            "a\u{2066}b\u{2069}",
            "\u{feff}Joe",
            "Joe\u{ad}User",
            "tab\there",
        ] {
            assert!(!is_plain_text(text), "{text:?}");
        }
    }
}
