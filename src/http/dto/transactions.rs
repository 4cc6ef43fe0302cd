//! `POST /transactions` (the four body forms), `POST /transactions/{id}` (checkout and
//! complete) and the transaction as answered, with its tickets and places.

use super::*;

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
    tickets: Option<Vec<TicketChoiceBody>>,
    performance: Option<String>,
    quantity: Option<u32>,
    price_band: Option<String>,
    preferred: Option<Vec<String>>,
    general_admission: Option<UniqueKeys<u32>>,
    ticket_type: Option<String>,
    require: Option<Vec<String>>,
    avoid: Option<Vec<String>>,
    items: Option<Vec<CreateTransactionItem>>,
    metadata: Option<UniqueKeys<String>>,
}

/// One item of a basket: one of the three forms, without items or metadata of its own.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTransactionItem {
    tickets: Option<Vec<TicketChoiceBody>>,
    performance: Option<String>,
    quantity: Option<u32>,
    price_band: Option<String>,
    preferred: Option<Vec<String>>,
    general_admission: Option<UniqueKeys<u32>>,
    ticket_type: Option<String>,
    require: Option<Vec<String>>,
    avoid: Option<Vec<String>>,
}

/// A ticket of the tickets form: its id, or an object with its id and ticket type.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum TicketChoiceBody {
    /// `"revue-1:STALLS-A3"`.
    Id(String),
    /// `{"id": "revue-1:STALLS-A3", "ticket_type": "CHILD"}`.
    Typed(TypedTicketBody),
}

/// A ticket id with its ticket type.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypedTicketBody {
    id: String,
    ticket_type: Option<String>,
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
                    && self.general_admission.is_none()
                    && self.ticket_type.is_none()
                    && self.require.is_none()
                    && self.avoid.is_none();
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
                ticket_type: self.ticket_type,
                require: self.require,
                avoid: self.avoid,
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
                ticket_type,
                require: None,
                avoid: None,
            } => {
                if tickets.is_empty() {
                    return Err(ApiError::invalid_request(
                        "tickets must name at least one ticket",
                    ));
                }
                refuse_a_ticket_given_in_both_forms(&tickets)?;
                let (ids, types): (Vec<String>, Vec<Option<String>>) = tickets
                    .into_iter()
                    .map(|choice| match choice {
                        TicketChoiceBody::Id(id) => (id, ticket_type.clone()),
                        TicketChoiceBody::Typed(typed) => {
                            (typed.id, typed.ticket_type.or_else(|| ticket_type.clone()))
                        }
                    })
                    .unzip();
                let ids = parse_tickets("tickets", &ids)?;
                Ok(Self::Tickets(ids.into_iter().zip(types).collect()))
            }
            CreateTransactionItem {
                tickets: None,
                performance: Some(id),
                quantity: Some(quantity),
                price_band,
                preferred,
                general_admission: None,
                ticket_type,
                require,
                avoid,
            } => Ok(Self::BestAvailable {
                performance: performance(&id)?,
                quantity,
                price_band,
                preferred: parse_tickets("preferred", &preferred.unwrap_or_default())?,
                ticket_type,
                filters: SeatFilters {
                    require: parse_attributes("require", require)?,
                    avoid: parse_attributes("avoid", avoid)?,
                },
            }),
            CreateTransactionItem {
                tickets: None,
                performance: Some(id),
                quantity: None,
                price_band: None,
                preferred: None,
                general_admission: Some(UniqueKeys(places)),
                ticket_type,
                require: None,
                avoid: None,
            } => {
                if places.is_empty() {
                    return Err(ApiError::invalid_request(
                        "general_admission must name at least one pool",
                    ));
                }
                Ok(Self::GeneralAdmission {
                    performance: performance(&id)?,
                    places: places.into_iter().collect(),
                    ticket_type,
                })
            }
            _ => Err(ApiError::invalid_request(
                "unknown body form: send {\"tickets\": [...]}, {\"performance\", \"quantity\"} or {\"performance\", \"general_admission\"}",
            )),
        }
    }
}

/// Checks a `require` or `avoid` list: attribute names, each at most once.
fn parse_attributes(field: &str, names: Option<Vec<String>>) -> Result<Vec<String>, ApiError> {
    let names = names.unwrap_or_default();
    if names.len() > ATTRIBUTES_MAX {
        return Err(ApiError::invalid_request(format!(
            "{field} may name at most {ATTRIBUTES_MAX} attributes"
        )));
    }
    for (index, name) in names.iter().enumerate() {
        if !is_attribute_name(name) {
            return Err(ApiError::invalid_request(format!(
                "{field}: {name:.40?} is not an attribute name (1 to 32 lower-case letters, digits or '_')"
            )));
        }
        if names[..index].contains(name) {
            return Err(ApiError::invalid_request(format!(
                "{field}: {name} is named twice"
            )));
        }
    }
    Ok(names)
}

/// Refuses a ticket named twice in different forms (`"x"` and `{"id": "x"}`, or two objects
/// with different types): 422 `rule_violation`, as for a ticket named by two items. The same
/// form twice is left to [`parse_tickets`] (400): the description's `uniqueItems` forbids
/// that, but it cannot see that two different JSON values name one ticket.
fn refuse_a_ticket_given_in_both_forms(tickets: &[TicketChoiceBody]) -> Result<(), ApiError> {
    let form = |choice: &TicketChoiceBody| match choice {
        TicketChoiceBody::Id(id) => (id.clone(), None, false),
        TicketChoiceBody::Typed(typed) => (typed.id.clone(), typed.ticket_type.clone(), true),
    };
    let mut seen: BTreeMap<String, (Option<String>, bool)> = BTreeMap::new();
    for choice in tickets {
        let (id, ticket_type, object) = form(choice);
        match seen.get(&id) {
            Some(earlier) if *earlier != (ticket_type.clone(), object) => {
                return Err(ApiError::rule_violation(format!(
                    "tickets: ticket {id:.140} is named twice, in two forms"
                ))
                .with_tickets(vec![id]));
            }
            Some(_) => {}
            None => {
                seen.insert(id, (ticket_type, object));
            }
        }
    }
    Ok(())
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
    json!({"status": "complete", "customer": {"name": "Joe User", "email": "joe@example.com"}}),
    json!({
        "status": "complete",
        "customer": {"name": "Joe User", "email": "joe@example.com"},
        "payment": {"method": "card", "reference": "ch_1", "amount": "130.00", "currency": "GBP"}
    })
))]
pub struct UpdateTransaction {
    /// `checkout` or `complete`.
    #[schema(value_type = UpdateTransactionStatus)]
    pub status: String,
    /// The buyer: optional with `complete` (a cash sale names none, and no people record is
    /// written), refused with `checkout`.
    pub customer: Option<CustomerBody>,
    /// How the order was paid: optional with `complete`, refused with `checkout`. The amount
    /// must equal the transaction's total (422 otherwise) and the method be one of
    /// `GET /payment-methods` (422 otherwise).
    pub payment: Option<PaymentBody>,
    /// The transaction's tickets, as older clients repeat them; when present they must match
    /// the transaction (else 422).
    #[schema(value_type = Option<Vec<TicketIdText>>)]
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

/// A payment as the client reports it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentBody {
    /// One of `GET /payment-methods`.
    #[schema(min_length = 1, max_length = 100, examples("card"))]
    method: String,
    /// The payment provider's reference (a charge id, a voucher number); at most 100
    /// characters, none for cash.
    #[schema(max_length = 100, examples("ch_1"))]
    #[serde(default)]
    reference: String,
    /// The amount paid: the transaction's total in `currency`.
    #[schema(pattern = r"^[0-9]{1,12}(\.[0-9]{1,4})?$", examples("130.00"))]
    amount: String,
    /// An ISO 4217 code.
    #[schema(pattern = "^[A-Z]{3}$", examples("GBP"))]
    currency: String,
}

impl TryFrom<PaymentBody> for Payment {
    type Error = ApiError;

    fn try_from(body: PaymentBody) -> Result<Self, ApiError> {
        let invalid = |error: &dyn std::fmt::Display| ApiError::invalid_request(error.to_string());
        let amount = Amount::parse(&body.amount).map_err(|e| invalid(&e))?;
        let currency = Currency::parse(&body.currency).map_err(|e| invalid(&e))?;
        Payment::new(&body.method, &body.reference, amount, currency).map_err(|e| invalid(&e))
    }
}

/// The step a transaction is asked to take.
pub enum TransactionStep {
    /// Reset the lock.
    Checkout,
    /// Sell the tickets, to this customer when one is named, recording the payment when given.
    Complete(Option<Customer>, Option<Payment>),
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
        let step = match (body.status.as_str(), body.customer, body.payment) {
            ("checkout", None, None) => TransactionStep::Checkout,
            ("checkout", _, _) => {
                return Err(ApiError::invalid_request(
                    "checkout takes no customer and no payment",
                ));
            }
            ("complete", customer, payment) => TransactionStep::Complete(
                customer.map(Customer::try_from).transpose()?,
                payment.map(Payment::try_from).transpose()?,
            ),
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
    /// The nominal price (as `nominal`): a decimal string; never a float.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$", examples("65.00"))]
    price: String,
    #[schema(examples("GBP"))]
    currency: String,
    /// The ticket type's code.
    #[schema(examples("ADULT"))]
    ticket_type: String,
    /// The ticket type's price in the seat's band.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$", examples("65.00"))]
    nominal: String,
    /// The per-ticket fees.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$", examples("1.50"))]
    extra: String,
    /// What a discount takes off.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$", examples("0.00"))]
    discount: String,
    /// nominal + extra − discount.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$", examples("66.50"))]
    full: String,
    /// Present on orders only.
    #[schema(value_type = String)]
    #[serde(skip_serializing_if = "Option::is_none")]
    barcode: Option<String>,
}

/// General-admission places of one pool and ticket type in a transaction or order; the money
/// is that of one place.
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
    /// The nominal price of one place (as `nominal`): a decimal string; never a float.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$", examples("45.00"))]
    price: String,
    #[schema(examples("GBP"))]
    currency: String,
    /// The ticket type's code.
    #[schema(examples("ADULT"))]
    ticket_type: String,
    /// One place's ticket type price.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$", examples("45.00"))]
    nominal: String,
    /// One place's per-ticket fees.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$", examples("1.50"))]
    extra: String,
    /// What a discount takes off one place.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$", examples("0.00"))]
    discount: String,
    /// One place's nominal + extra − discount.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$", examples("46.50"))]
    full: String,
    /// One barcode per place; present on orders only.
    #[schema(value_type = Vec<String>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    barcodes: Option<Vec<String>>,
}

/// Renders a hold's seats and places, priced with the transaction's `discount` code, with
/// barcodes when `with_barcodes` and sold. Places are one entry per pool and ticket type, in
/// barcode order.
pub(super) fn render_hold(
    view: &HoldView,
    discount: Option<&DiscountCode>,
    with_barcodes: bool,
    tickets: &mut Vec<TicketDto>,
    places: &mut Vec<PlacesDto>,
) {
    let hold = &view.hold;
    let (info, plan) = (view.performance.as_ref(), view.plan.as_ref());
    let types = info.ticket_types(plan);
    let mut barcodes = hold
        .sale
        .as_ref()
        .filter(|_| with_barcodes)
        .map(|sale| sale.barcodes.iter());
    for (index, &seat) in hold.seats.iter().enumerate() {
        let location = plan.locate(seat);
        let priced = price_ticket(
            info,
            plan,
            hold.ticket_type(index),
            plan.block(seat).price_band,
            discount,
        );
        let [nominal, extra, discount, full] = breakdown_strings(&priced.price);
        tickets.push(TicketDto {
            id: format!(
                "{}:{}-{}{}",
                info.id, location.section, location.row, location.number
            ),
            performance: info.id.to_string(),
            section: location.section.to_owned(),
            row: location.row.to_owned(),
            number: location.number.to_string(),
            price_band: location.price_band.code.clone(),
            price: nominal.clone(),
            currency: priced.currency.to_string(),
            ticket_type: types.code(priced.ticket_type).to_owned(),
            nominal,
            extra,
            discount,
            full,
            barcode: barcodes.as_mut().and_then(|codes| codes.next().cloned()),
        });
    }
    if hold.places.is_empty() {
        return;
    }
    for typed in hold.typed().places {
        let pool = &plan.pools()[usize::from(typed.pool)];
        let band = &plan.price_bands()[usize::from(pool.price_band)];
        let priced = price_ticket(info, plan, typed.ticket_type, pool.price_band, discount);
        let [nominal, extra, discount, full] = breakdown_strings(&priced.price);
        places.push(PlacesDto {
            performance: info.id.to_string(),
            code: pool.code.clone(),
            quantity: typed.quantity,
            price_band: band.code.clone(),
            price: nominal.clone(),
            currency: band.currency.to_string(),
            ticket_type: types.code(typed.ticket_type).to_owned(),
            nominal,
            extra,
            discount,
            full,
            barcodes: barcodes.as_mut().map(|codes| {
                codes
                    .by_ref()
                    .take(typed.quantity as usize)
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
                 "number": "3", "price_band": "A", "price": "65.00", "currency": "GBP",
                 "ticket_type": "ADULT", "nominal": "65.00", "extra": "1.50", "discount": "0.00",
                 "full": "66.50"}],
    "general_admission": [],
    "totals": [{"currency": "GBP", "amount": "68.50", "nominal": "65.00", "extra": "3.50",
                "discount": "0.00", "full": "68.50"}],
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
    /// What the transaction costs, one entry per currency; its per-order fees are in
    /// `extra`.
    totals: Vec<TotalDto>,
    /// The discount code applied with `PATCH`, or `null`.
    #[schema(examples("EARLY10"))]
    discount_code: Option<String>,
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
    /// Why best available chose its seats: on the answer to a hold whose request (or one
    /// basket item) was best available; `explanations` has one per performance when several
    /// were.
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<ExplanationDto>,
    /// One explanation per best-available hold, when a basket had several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    explanations: Vec<ExplanationDto>,
}

impl TransactionDto {
    /// The contract's answer to hold and checkout.
    pub fn brief(view: &TransactionView) -> Self {
        let mut tickets = Vec::new();
        let mut places = Vec::new();
        for hold in &view.holds {
            render_hold(
                hold,
                view.discount.as_deref(),
                false,
                &mut tickets,
                &mut places,
            );
        }
        Self {
            status: "OK",
            transaction_id: view.id.to_string(),
            tickets,
            general_admission: places,
            totals: totals_of(&view.holds, view.discount.as_deref()),
            discount_code: view.discount.as_ref().map(|code| code.code.clone()),
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
            explanation: None,
            explanations: Vec::new(),
        }
    }

    /// The answer to a new hold: [`Self::brief`] with why best available chose its seats.
    pub fn placed(view: &TransactionView) -> Self {
        let mut explanations: Vec<ExplanationDto> = view
            .holds
            .iter()
            .filter_map(|hold| Some(ExplanationDto::new(hold, hold.explanation.as_deref()?)))
            .collect();
        let explanation = (explanations.len() == 1).then(|| explanations.remove(0));
        Self {
            explanation,
            explanations,
            ..Self::brief(view)
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

/// The ticket with the `index`-th barcode of a sold hold (seats first, then places, one
/// barcode each), priced with its order's `discount` code: the seat, or one place of its pool.
pub(super) fn ticket_at(
    view: &HoldView,
    discount: Option<&DiscountCode>,
    index: u32,
) -> (Option<TicketDto>, Option<PlacesDto>) {
    let mut tickets = Vec::new();
    let mut places = Vec::new();
    render_hold(view, discount, true, &mut tickets, &mut places);
    let index = index as usize;
    if index < tickets.len() {
        return (tickets.into_iter().nth(index), None);
    }
    let mut first = tickets.len();
    for mut pool in places {
        let count = pool.quantity as usize;
        if index < first + count {
            let barcode = pool
                .barcodes
                .as_ref()
                .and_then(|codes| codes.get(index - first).cloned());
            pool.quantity = 1;
            pool.barcodes = barcode.map(|code| vec![code]);
            return (None, Some(pool));
        }
        first += count;
    }
    (None, None)
}
