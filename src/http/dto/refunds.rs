//! Refunds over HTTP: the body of `POST /orders/{number}/refunds`, a refund as an order shows
//! it, and the order's state that its refunds make.

use super::*;
use crate::actor::RefundAsked;
use crate::domain::barcode_key;
use crate::persistence::RefundRecord;

/// The longest refund reason, in characters.
pub const REFUND_REASON_MAX: usize = 500;

/// `POST /orders/{number}/refunds`: every field optional.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"tickets": ["revue-1:STALLS-C13"], "reason": "customer cannot come",
    "payment": {"method": "card", "reference": "re_1", "amount": "31.00", "currency": "GBP"}})))]
pub struct RefundBody {
    /// The tickets to refund: seat ticket ids, or barcodes (for standing places); every
    /// ticket not refunded yet when left out. Of one currency.
    #[schema(min_items = 1, value_type = Option<Vec<RefundTicketText>>)]
    tickets: Option<Vec<String>>,
    /// Why, for the record: at most 500 characters without control or invisible formatting
    /// characters.
    #[schema(max_length = 500, examples("customer cannot come"))]
    reason: Option<String>,
    /// How the money went back; when given, `amount` must be what the refund pays back (422
    /// otherwise). Left out: recorded against the order's payment method.
    payment: Option<PaymentBody>,
    /// Take the refunded seats off sale (a holdback) instead of putting them back on sale.
    #[serde(default)]
    withhold: bool,
}

/// A ticket to refund: a seat's ticket id, or a ticket's 16-digit barcode.
#[derive(ToSchema)]
#[schema(
    pattern = r"^([0-9]{16}|[A-Za-z0-9_-]{1,64}:[\x21-\x39\x3B-\x7E]{1,64})$",
    examples("revue-1:STALLS-C13")
)]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub(crate) struct RefundTicketText(String);

impl TryFrom<RefundBody> for RefundAsked {
    type Error = ApiError;

    /// Judges the body on its own (400 for anything malformed).
    fn try_from(body: RefundBody) -> Result<Self, ApiError> {
        let reason = body.reason.unwrap_or_default();
        if reason.chars().count() > REFUND_REASON_MAX || !is_plain_text(&reason) {
            return Err(ApiError::invalid_request(
                "reason must be at most 500 characters without control or invisible formatting characters",
            ));
        }
        if let Some(tickets) = &body.tickets {
            if tickets.is_empty() {
                return Err(ApiError::invalid_request(
                    "tickets must name at least one ticket; leave it out to refund the order",
                ));
            }
            for (at, ticket) in tickets.iter().enumerate() {
                if tickets[..at].contains(ticket) {
                    return Err(ApiError::invalid_request(format!(
                        "ticket {ticket:.80} is named twice"
                    )));
                }
                if barcode_key(ticket).is_none() {
                    TicketId::parse(ticket)
                        .map_err(|error| ApiError::invalid_request(error.to_string()))?;
                }
            }
        }
        Ok(Self {
            tickets: body.tickets,
            payment: body.payment.map(Payment::try_from).transpose()?,
            reason,
            withhold: body.withhold,
        })
    }
}

/// A refund as an order shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(examples(json!({"tickets": ["revue-1:STALLS-C13"], "amount": "31.00",
    "currency": "GBP", "payment": {"method": "card", "reference": "re_1", "amount": "31.00",
    "currency": "GBP"}, "reason": "customer cannot come", "withheld": false,
    "at": "2026-12-19T10:00:00Z"})))]
pub struct RefundDto {
    /// The tickets refunded: seat ticket ids, and barcodes for standing places.
    tickets: Vec<String>,
    /// What was paid back: the tickets' `full`, and the order's per-order fees with its
    /// last tickets.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$", examples("31.00"))]
    amount: String,
    #[schema(examples("GBP"))]
    currency: String,
    /// How it was paid back; `null` when the order recorded no payment and none was given.
    payment: Option<PaymentDto>,
    reason: String,
    /// True when the seats were taken off sale instead of put back on it.
    withheld: bool,
    /// RFC 3339 in UTC.
    #[schema(format = DateTime)]
    at: String,
}

impl RefundDto {
    /// Renders `record`, naming its tickets as the order's `holds` do.
    pub fn new(record: &RefundRecord, holds: &[HoldView]) -> Self {
        let tickets = record
            .tickets
            .iter()
            .map(|(performance, index)| ticket_label(holds, performance, *index))
            .collect();
        Self {
            tickets,
            amount: record.amount.to_string(),
            currency: record.currency.to_string(),
            payment: record.payment.as_ref().map(PaymentDto::from),
            reason: record.reason.clone(),
            withheld: record.withhold,
            at: format_time(record.at),
        }
    }
}

/// A seat's ticket id, or a place's barcode.
fn ticket_label(holds: &[HoldView], performance: &PerformanceId, index: u32) -> String {
    let Some(view) = holds
        .iter()
        .find(|view| view.performance.id == *performance)
    else {
        return String::new();
    };
    let index = index as usize;
    match view.hold.seats.get(index) {
        Some(&seat) => format!("{performance}:{}", view.plan.seat_id(seat)),
        None => view
            .hold
            .sale
            .as_ref()
            .and_then(|sale| sale.barcodes.get(index).cloned())
            .unwrap_or_default(),
    }
}

/// An order's state: `complete`, `partially_refunded` or `refunded`.
pub fn order_state(holds: &[HoldView], refunds: &[RefundRecord]) -> &'static str {
    let tickets: u64 = holds.iter().map(|view| view.hold.ticket_count()).sum();
    let refunded: u64 = refunds.iter().map(|r| r.tickets.len() as u64).sum();
    match refunded {
        0 => "complete",
        n if n >= tickets => "refunded",
        _ => "partially_refunded",
    }
}

/// The answer to `POST /orders/{number}/refunds`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefundAnswer {
    #[schema(value_type = OkStatus)]
    status: &'static str,
    /// The refund made.
    refund: RefundDto,
    /// The order after it.
    order: OrderDto,
}

impl RefundAnswer {
    /// The answer for `order` after `record`.
    pub fn new(order: &Order, record: &RefundRecord) -> Self {
        Self {
            status: "OK",
            refund: RefundDto::new(record, &order.transaction.holds),
            order: OrderDto::from(order),
        }
    }
}
