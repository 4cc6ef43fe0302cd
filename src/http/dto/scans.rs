//! `POST /scans`: a barcode read at the door, and what the door should do.

use super::*;

/// The longest barcode accepted.
const BARCODE_LENGTH_MAX: usize = 64;

/// `POST /scans`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"barcode": "4830291746501123"})))]
pub struct ScanBody {
    /// The barcode as read: 1 to 64 printable ASCII characters without spaces (holdfast's
    /// own barcodes are 16 digits).
    #[schema(pattern = r"^[\x21-\x7E]{1,64}$", examples("4830291746501123"))]
    barcode: String,
}

impl ScanBody {
    /// The barcode, checked.
    ///
    /// # Errors
    /// 400 for an empty, long or unprintable barcode.
    pub fn into_barcode(self) -> Result<String, ApiError> {
        let fits = !self.barcode.is_empty()
            && self.barcode.len() <= BARCODE_LENGTH_MAX
            && self.barcode.bytes().all(|b| b.is_ascii_graphic());
        if fits {
            Ok(self.barcode)
        } else {
            Err(ApiError::invalid_request(
                "barcode must be 1 to 64 printable ASCII characters without spaces",
            ))
        }
    }
}

/// Why a scan does not admit.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub(crate) enum ScanRefusal {
    AlreadyScanned,
    Refunded,
    Unknown,
}

/// The ticket a barcode belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScannedTicketDto {
    #[schema(examples("4830291746501123"))]
    barcode: String,
    /// The order that bought it.
    #[schema(examples("100001"))]
    order: String,
    #[schema(format = "uuid", examples("0193a0d2-6f1c-7c4e-9a51-2f7f0f5b1c11"))]
    transaction_id: String,
    #[schema(examples("revue-1"))]
    performance: String,
    /// The seat, for a seated ticket.
    #[serde(skip_serializing_if = "Option::is_none")]
    seat: Option<TicketDto>,
    /// The pool and its one place, for a general-admission ticket.
    #[serde(skip_serializing_if = "Option::is_none")]
    general_admission: Option<PlacesDto>,
}

/// The answer to `POST /scans`: admit when `valid`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(
    json!({"valid": true, "scanned_at": "2026-12-20T19:02:11.532Z", "ticket": {
        "barcode": "4830291746501123", "order": "100001",
        "transaction_id": "0193a0d2-6f1c-7c4e-9a51-2f7f0f5b1c11", "performance": "revue-1",
        "seat": {"id": "revue-1:STALLS-A7", "performance": "revue-1", "section": "STALLS",
            "row": "A", "number": "7", "price_band": "A", "price": "65.00", "currency": "GBP",
            "barcode": "4830291746501123"}}}),
    json!({"valid": false, "reason": "already_scanned", "scanned_at": "2026-12-20T19:02:11.532Z"}),
    json!({"valid": false, "reason": "refunded", "refunded_at": "2026-12-19T10:00:00Z"}),
    json!({"valid": false, "reason": "unknown"})
))]
pub struct ScanAnswer {
    /// True the first time a sold ticket is scanned: admit.
    valid: bool,
    /// Why not, when not valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<ScanRefusal>)]
    reason: Option<&'static str>,
    /// When the ticket was first scanned: this scan when valid. RFC 3339 in UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    scanned_at: Option<String>,
    /// When the ticket was refunded, for `refunded`. RFC 3339 in UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    refunded_at: Option<String>,
    /// The ticket, when the barcode is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    ticket: Option<ScannedTicketDto>,
}

impl ScanAnswer {
    /// Renders what a scan of `barcode` found.
    pub fn new(barcode: &str, view: &ScanView) -> Self {
        let mut refunded_at = None;
        let (valid, reason, at, ticket) = match view.verdict {
            ScanVerdict::Admitted { ticket, at } => (true, None, Some(at), Some(ticket)),
            ScanVerdict::AlreadyScanned { ticket, at } => {
                (false, Some("already_scanned"), Some(at), Some(ticket))
            }
            ScanVerdict::Refunded { ticket, at } => {
                refunded_at = Some(format_time(at));
                (false, Some("refunded"), None, Some(ticket))
            }
            ScanVerdict::Unknown => (false, Some("unknown"), None, None),
        };
        let ticket = ticket.zip(view.hold.as_ref()).map(|(ticket, hold)| {
            let (seat, general_admission) = ticket_at(hold, view.discount.as_deref(), ticket.index);
            ScannedTicketDto {
                barcode: barcode.to_owned(),
                order: hold
                    .hold
                    .sale
                    .as_ref()
                    .map(|sale| sale.order_number.to_string())
                    .unwrap_or_default(),
                transaction_id: ticket.transaction.to_string(),
                performance: hold.performance.id.to_string(),
                seat,
                general_admission,
            }
        });
        Self {
            valid,
            reason,
            scanned_at: at.map(format_time),
            refunded_at,
            ticket,
        }
    }
}
