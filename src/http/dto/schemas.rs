//! Documentation-only schemas.
//!
//! These types are never built. They name the string vocabularies that the DTOs carry as
//! `&'static str` or `String`, and the alternative body forms that the flat request types
//! accept, so the OpenAPI description can list them.

use super::*;

/// A client's role: `admin` (manage catalogue, keys, holdbacks, reports), `sales` (hold,
/// check out, complete, release its own transactions) or `widget` (a publishable key for
/// seat-selection widgets: hold, check out, read and release its own transactions).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub(crate) enum ClientRole {
    Admin,
    Organizer,
    Sales,
    Widget,
}

/// A seat attribute's name: 1 to 32 lower-case letters, digits or `_`, starting with a letter
/// (`accessible`, `companion`, `restricted_view`, `aisle`, or a plan's own).
#[derive(ToSchema)]
#[schema(pattern = "^[a-z][a-z0-9_]{0,31}$", examples("accessible"))]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub(crate) struct AttributeName(String);

/// A ticket id: `<performance_id>:<seat_id>`, a performance slug, a colon, and a seat id of 1
/// to 64 printable ASCII characters other than the colon and the space.
#[derive(ToSchema)]
#[schema(
    pattern = r"^[A-Za-z0-9_-]{1,64}:[\x21-\x39\x3B-\x7E]{1,64}$",
    examples("revue-1:STALLS-A3")
)]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub(crate) struct TicketIdText(String);

/// A ticket of the tickets form: its id, or its id with the ticket type to sell it as.
pub(crate) struct TicketChoice;

impl PartialSchema for TicketChoice {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .description(Some(
                "A ticket id (its type is the item's `ticket_type`, or the performance's \
                 first), or an object with the id and its `ticket_type`.",
            ))
            .item(Ref::from_schema_name(TicketIdText::name()))
            .item(Ref::from_schema_name(TypedTicket::name()))
            .into()
    }
}

impl ToSchema for TicketChoice {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.extend([
            (TicketIdText::name().into_owned(), TicketIdText::schema()),
            (TypedTicket::name().into_owned(), TypedTicket::schema()),
        ]);
    }
}

/// A ticket id with the ticket type to sell it as.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"id": "revue-1:STALLS-A4", "ticket_type": "CHILD"})))]
#[expect(
    dead_code,
    reason = "documentation only: `CreateTransaction` parses this form"
)]
pub(crate) struct TypedTicket {
    #[schema(value_type = TicketIdText)]
    id: String,
    /// One of the performance's ticket type codes; left out, the item's `ticket_type` or the
    /// performance's first type.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", examples("CHILD"))]
    ticket_type: Option<String>,
}

/// A seat's status in the seat map: `allocated` is set aside for a sales channel's allocation
/// and held by nobody (only that channel's keys, and admins, may hold it).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub(crate) enum SeatStatus {
    Free,
    Held,
    Sold,
    Withheld,
    Allocated,
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
    /// Ticket ids `<performance_id>:<seat_id>` (or objects with an id and a ticket type),
    /// each at most once.
    #[schema(min_items = 1, value_type = Vec<TicketChoice>)]
    tickets: Vec<String>,
    /// The ticket type of every ticket given as a plain id; the performance's first when
    /// left out.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", examples("ADULT"))]
    ticket_type: Option<String>,
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
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$", examples("revue-1"))]
    performance: String,
    /// How many seats; must be one of the performance's `valid_quantities`.
    quantity: u32,
    /// Only seats of this price band.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", examples("A"))]
    price_band: Option<String>,
    /// Ticket ids to try first, each at most once.
    #[schema(value_type = Option<Vec<TicketIdText>>)]
    preferred: Option<Vec<String>>,
    /// The ticket type of every seat (only bands that sell it are searched); the
    /// performance's first when left out.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", examples("CHILD"))]
    ticket_type: Option<String>,
    /// Seat attributes every seat given must have, e.g. `["accessible"]`.
    #[schema(value_type = Option<Vec<AttributeName>>, max_items = 32)]
    require: Option<Vec<String>>,
    /// Seat attributes no seat given may have, e.g. `["restricted_view"]`.
    #[schema(value_type = Option<Vec<AttributeName>>, max_items = 32)]
    avoid: Option<Vec<String>>,
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
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$", examples("revue-1"))]
    performance: String,
    /// Places wanted, by pool code; at least one pool.
    #[schema(schema_with = places_by_pool_schema)]
    general_admission: BTreeMap<String, u32>,
    /// The ticket type of every place; the performance's first when left out.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", examples("CHILD"))]
    ticket_type: Option<String>,
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
    /// Ticket ids `<performance_id>:<seat_id>` (or objects with an id and a ticket type),
    /// each at most once.
    #[schema(min_items = 1, value_type = Vec<TicketChoice>)]
    tickets: Vec<String>,
    /// The ticket type of every ticket given as a plain id; the performance's first when
    /// left out.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", examples("ADULT"))]
    ticket_type: Option<String>,
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
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$", examples("revue-1"))]
    performance: String,
    /// How many seats; must be one of the performance's `valid_quantities`.
    quantity: u32,
    /// Only seats of this price band.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", examples("A"))]
    price_band: Option<String>,
    /// Ticket ids to try first, each at most once.
    #[schema(value_type = Option<Vec<TicketIdText>>)]
    preferred: Option<Vec<String>>,
    /// The ticket type of every seat (only bands that sell it are searched); the
    /// performance's first when left out.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", examples("CHILD"))]
    ticket_type: Option<String>,
    /// Seat attributes every seat given must have, e.g. `["accessible"]`.
    #[schema(value_type = Option<Vec<AttributeName>>, max_items = 32)]
    require: Option<Vec<String>>,
    /// Seat attributes no seat given may have, e.g. `["restricted_view"]`.
    #[schema(value_type = Option<Vec<AttributeName>>, max_items = 32)]
    avoid: Option<Vec<String>>,
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
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$", examples("revue-1"))]
    performance: String,
    /// Places wanted, by pool code; at least one pool.
    #[schema(schema_with = places_by_pool_schema)]
    general_admission: BTreeMap<String, u32>,
    /// The ticket type of every place; the performance's first when left out.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", examples("CHILD"))]
    ticket_type: Option<String>,
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
    let values = ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(0))
        .max_length(Some(METADATA_TEXT_MAX));
    metadata_object(
        "The client's own keys and values (at most 32; keys 1 to 255 characters, values \
         strings of at most 255), shown on the transaction and its order.",
        values,
    )
}

/// The schema of `PATCH /transactions/{id}`'s metadata: keys of 1 to 255 characters, each set
/// to a string of at most 255 or removed with `null`. (The limit of 32 keys applies to the
/// merged metadata, which the server judges.)
pub(crate) fn metadata_changes_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    let values = ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .max_length(Some(METADATA_TEXT_MAX));
    metadata_object(
        "Keys to set, or to remove with `null`; merged into the transaction's metadata (at \
         most 32 keys after the merge; keys 1 to 255 characters, values at most 255).",
        values,
    )
}

/// Metadata as an object (or `null`) of at most 32 keys of 1 to 255 characters, with `values`.
fn metadata_object(
    description: &str,
    values: utoipa::openapi::schema::ObjectBuilder,
) -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Object, Type::Null]))
        .description(Some(description))
        .max_properties(Some(METADATA_KEYS_MAX))
        .property_names(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(METADATA_TEXT_MAX)),
        ))
        .additional_properties(Some(values))
        .build()
}

/// The schema of an object keyed by plan codes (pools, bands): at least one key, each a code
/// as the plan writes it, each value as `values` says.
pub(crate) fn by_code_schema(
    description: &str,
    values: utoipa::openapi::schema::ObjectBuilder,
) -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(description))
        .min_properties(Some(1))
        .property_names(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^[A-Za-z0-9_.-]{1,32}$")),
        ))
        .additional_properties(Some(values))
        .build()
}

/// The schema of places wanted by pool code: at least one pool, codes as in the plan, each
/// quantity at least 1.
fn places_by_pool_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
    by_code_schema(
        "Places wanted, by pool code; at least one pool.",
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
            .minimum(Some(1)),
    )
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
