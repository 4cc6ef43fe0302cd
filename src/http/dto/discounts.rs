//! Discount codes over HTTP: the body of `POST /discount-codes` and a code as listed, with its
//! uses. Applying one is a field of `PATCH /transactions/{id}` (`changes`).
//!
//! # Caveats
//! - Scope entries are checked for their form only: a code may name an event or performance
//!   that does not exist yet (a code for a season announced later).

use super::*;
use crate::actor::{DiscountListing, EngineError};
use crate::domain::{DiscountScope, Reduction};

/// `POST /discount-codes`: `percent`, or `amount_off` with its `currency`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"code": "EARLY10", "percent": "10", "max_uses": 100,
    "valid_until": "2026-12-24T00:00:00Z", "scope": {"price_bands": ["A"]}})))]
pub struct CreateDiscountCode {
    /// 1 to 32 letters, digits, `_` or `-`; matched in any case, shown upper-cased.
    #[schema(pattern = "^[A-Za-z0-9_-]{1,32}$", examples("EARLY10"))]
    code: String,
    /// Percent off each covered ticket's nominal price, 0 to 100 (0 takes nothing off and
    /// still counts uses: a tracking code). Rounded per ticket, half up, to the currency's
    /// minor unit.
    #[schema(
        pattern = r"^(100(\.0{1,4})?|[0-9]{1,2}(\.[0-9]{1,4})?)$",
        examples("10")
    )]
    percent: Option<String>,
    /// Amount off each covered ticket's nominal price (never below zero), in `currency`;
    /// tickets in other currencies are not covered.
    #[schema(pattern = r"^[0-9]{1,12}(\.[0-9]{1,4})?$", examples("5.00"))]
    amount_off: Option<String>,
    /// The currency of `amount_off`, ISO 4217.
    #[schema(pattern = "^[A-Z]{3}$", examples("GBP"))]
    currency: Option<String>,
    /// It may not be applied or completed with before this time (RFC 3339).
    #[schema(format = DateTime, examples("2026-12-01T00:00:00Z"))]
    valid_from: Option<String>,
    /// It may not be applied or completed with from this time on (RFC 3339); after
    /// `valid_from` (422 `rule_violation` otherwise).
    #[schema(format = DateTime, examples("2026-12-24T00:00:00Z"))]
    valid_until: Option<String>,
    /// The most tickets it may be sold with, across all orders; no cap when left out.
    #[schema(minimum = 1, examples(100))]
    max_uses: Option<u32>,
    /// What it covers; every list given must match a ticket, an empty or absent list matches
    /// any.
    scope: Option<DiscountScopeBody>,
}

/// The scope of a discount code.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscountScopeBody {
    /// Event ids.
    #[schema(max_items = 64, value_type = Option<Vec<ScopeId>>)]
    events: Option<Vec<String>>,
    /// Performance ids.
    #[schema(max_items = 64, value_type = Option<Vec<ScopeId>>)]
    performances: Option<Vec<String>>,
    /// Price band codes.
    #[schema(max_items = 64, value_type = Option<Vec<ScopeCode>>)]
    price_bands: Option<Vec<String>>,
    /// Ticket type codes.
    #[schema(max_items = 64, value_type = Option<Vec<ScopeCode>>)]
    ticket_types: Option<Vec<String>>,
}

/// An event or performance id in a scope.
#[derive(ToSchema)]
#[schema(pattern = "^[A-Za-z0-9_-]{1,64}$", examples("jb-1204"))]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub struct ScopeId(String);

/// A price band or ticket type code in a scope.
#[derive(ToSchema)]
#[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", examples("A"))]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub struct ScopeCode(String);

fn invalid(error: impl ToString) -> ApiError {
    ApiError::invalid_request(error.to_string())
}

fn codes(list: Option<Vec<String>>) -> Vec<String> {
    list.unwrap_or_default()
}

impl CreateDiscountCode {
    /// Judges the body on its own (400 for anything malformed) and builds the code.
    ///
    /// # Errors
    /// 400 for a malformed field or a missing or doubled reduction; 422 for a window that ends
    /// before it begins.
    pub fn into_code(self) -> Result<DiscountCode, ApiError> {
        let reduction = match (self.percent, self.amount_off, self.currency) {
            (Some(percent), None, None) => {
                Reduction::Percent(Amount::parse(&percent).map_err(invalid)?)
            }
            (None, Some(amount), Some(currency)) => Reduction::AmountOff {
                amount: Amount::parse(&amount).map_err(invalid)?,
                currency: Currency::parse(&currency).map_err(invalid)?,
            },
            _ => {
                return Err(ApiError::invalid_request(
                    "give percent, or amount_off with its currency",
                ));
            }
        };
        let time = |field: &str, text: Option<String>| {
            text.map(|text| parse_time(field, &text)).transpose()
        };
        let valid_from = time("valid_from", self.valid_from)?;
        let valid_until = time("valid_until", self.valid_until)?;
        let scope = self.scope.unwrap_or_default();
        let scope = DiscountScope {
            events: codes(scope.events)
                .iter()
                .map(|id| EventId::parse(id).map_err(invalid))
                .collect::<Result<_, _>>()?,
            performances: codes(scope.performances)
                .iter()
                .map(|id| PerformanceId::parse(id).map_err(invalid))
                .collect::<Result<_, _>>()?,
            price_bands: check_codes("price_bands", codes(scope.price_bands))?,
            ticket_types: check_codes("ticket_types", codes(scope.ticket_types))?,
        };
        DiscountCode::new(
            &self.code,
            reduction,
            valid_from,
            valid_until,
            self.max_uses,
            scope,
        )
        .map_err(|error| ApiError::from(EngineError::from(error)))
    }
}

/// Checks band or type codes for their form.
fn check_codes(list: &str, codes: Vec<String>) -> Result<Vec<String>, ApiError> {
    let good = |code: &String| {
        !code.is_empty()
            && code.len() <= 32
            && code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    };
    match codes.iter().find(|code| !good(code)) {
        Some(bad) => Err(ApiError::invalid_request(format!(
            "scope.{list}: {bad:?} is not a code (1 to 32 letters, digits, '_', '.' or '-')"
        ))),
        None => Ok(codes),
    }
}

/// A discount code with its uses.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({"code": "EARLY10", "percent": "10", "amount_off": null,
    "currency": null, "valid_from": null, "valid_until": "2026-12-24T00:00:00Z",
    "max_uses": 100, "uses": 2, "scope": {"events": [], "performances": [],
    "price_bands": ["A"], "ticket_types": []}, "created_at": "2026-12-01T09:00:00Z"})))]
pub struct DiscountCodeDto {
    /// The code, upper-cased.
    #[schema(examples("EARLY10"))]
    code: String,
    /// Percent off, or `null` for an amount off.
    #[schema(examples("10"))]
    percent: Option<String>,
    /// Amount off, or `null` for a percent.
    #[schema(examples("5.00"))]
    amount_off: Option<String>,
    /// The currency of `amount_off`.
    #[schema(examples("GBP"))]
    currency: Option<String>,
    /// RFC 3339 in UTC, or `null`.
    #[schema(format = DateTime)]
    valid_from: Option<String>,
    /// RFC 3339 in UTC, or `null`.
    #[schema(format = DateTime)]
    valid_until: Option<String>,
    /// The cap on uses, or `null` for none.
    max_uses: Option<u32>,
    /// Tickets sold with the code (counted when their order completes; a refund does not
    /// give a use back).
    uses: u32,
    /// What it covers (empty lists match any).
    scope: DiscountScopeListed,
    /// RFC 3339 in UTC.
    #[schema(format = DateTime)]
    created_at: String,
}

/// A code's scope as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct DiscountScopeListed {
    events: Vec<String>,
    performances: Vec<String>,
    price_bands: Vec<String>,
    ticket_types: Vec<String>,
}

impl From<&DiscountListing> for DiscountCodeDto {
    fn from(listing: &DiscountListing) -> Self {
        let code = &listing.code;
        let (percent, amount_off, currency) = match &code.reduction {
            Reduction::Percent(percent) => (Some(percent.to_string()), None, None),
            Reduction::AmountOff { amount, currency } => {
                (None, Some(amount.to_string()), Some(currency.to_string()))
            }
        };
        let scope = &code.scope;
        Self {
            code: code.code.clone(),
            percent,
            amount_off,
            currency,
            valid_from: code.valid_from.map(format_time),
            valid_until: code.valid_until.map(format_time),
            max_uses: code.max_uses,
            uses: listing.uses,
            scope: DiscountScopeListed {
                events: scope.events.iter().map(ToString::to_string).collect(),
                performances: scope.performances.iter().map(ToString::to_string).collect(),
                price_bands: scope.price_bands.clone(),
                ticket_types: scope.ticket_types.clone(),
            },
            created_at: format_time(listing.created_at),
        }
    }
}

/// `GET /discount-codes`.
#[derive(Debug, Serialize, ToSchema)]
pub struct DiscountCodeList {
    /// Every code, in code order.
    discount_codes: Vec<DiscountCodeDto>,
}

impl DiscountCodeList {
    /// The listing of `codes`.
    pub fn new(codes: &[DiscountListing]) -> Self {
        Self {
            discount_codes: codes.iter().map(DiscountCodeDto::from).collect(),
        }
    }
}
