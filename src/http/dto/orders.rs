//! Orders and people as answered (`GET /orders/{number}`, the answer of a completion,
//! `GET /people`), with the totals worked out in the domain.

use super::*;

/// `GET /people` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// The email address, matched case-insensitively.
    #[param(format = Email, example = "joe@example.com")]
    pub email: String,
}

/// An order's customer.
#[derive(Debug, Serialize, ToSchema)]
struct CustomerDto {
    #[schema(examples("Joe User"))]
    name: String,
    #[schema(format = Email, examples("joe@example.com"))]
    email: String,
}

/// How an order was paid, or a refund paid back.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentDto {
    #[schema(examples("card"))]
    method: String,
    /// Empty when none was given.
    #[schema(examples("ch_1"))]
    reference: String,
    /// A decimal string; never a float.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$", examples("130.00"))]
    amount: String,
    #[schema(examples("GBP"))]
    currency: String,
}

impl From<&Payment> for PaymentDto {
    fn from(payment: &Payment) -> Self {
        Self {
            method: payment.method().to_owned(),
            reference: payment.reference().to_owned(),
            amount: payment.amount().to_string(),
            currency: payment.currency().to_string(),
        }
    }
}

/// An order's state.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub(crate) enum OrderState {
    Complete,
    PartiallyRefunded,
    Refunded,
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
    /// `complete`, `partially_refunded` or `refunded`.
    #[schema(value_type = OrderState)]
    state: &'static str,
    /// Its refunds, oldest first.
    refunds: Vec<RefundDto>,
    /// The discount code its tickets were sold with, or `null`.
    #[schema(examples("EARLY10"))]
    discount_code: Option<String>,
    /// How it was paid; absent when the completion did not say.
    #[serde(skip_serializing_if = "Option::is_none")]
    payment: Option<PaymentDto>,
    /// The transaction's metadata (`{}` when there is none).
    metadata: BTreeMap<String, String>,
}

impl From<&Order> for OrderDto {
    fn from(order: &Order) -> Self {
        let mut tickets = Vec::new();
        let mut places = Vec::new();
        for view in &order.transaction.holds {
            render_hold(
                view,
                order.transaction.discount.as_deref(),
                true,
                &mut tickets,
                &mut places,
            );
        }
        Self {
            number: order.number.to_string(),
            transaction_id: order.transaction.id.to_string(),
            created_at: format_time(order.created_at),
            customer: order.customer.as_ref().map(|customer| CustomerDto {
                name: customer.name().to_owned(),
                email: customer.email().to_owned(),
            }),
            tickets,
            general_admission: places,
            metadata: order.transaction.metadata.clone(),
            payment: order.payment.as_ref().map(PaymentDto::from),
            state: order_state(&order.transaction.holds, &order.refunds),
            refunds: order
                .refunds
                .iter()
                .map(|record| RefundDto::new(record, &order.transaction.holds))
                .collect(),
            totals: totals_of(
                &order.transaction.holds,
                order.transaction.discount.as_deref(),
            ),
            discount_code: order
                .transaction
                .discount
                .as_ref()
                .map(|code| code.code.clone()),
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
            transaction_id: order.transaction.id.to_string(),
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

/// `GET /payment-methods`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({"payment_methods": ["card", "cash", "voucher", "invoice"]})))]
pub struct PaymentMethods {
    /// What `payment.method` may be when a transaction is completed.
    pub payment_methods: Vec<String>,
}
