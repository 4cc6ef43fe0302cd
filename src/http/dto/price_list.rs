//! A performance's price list over HTTP: the `ticket_types` and `fees` of
//! `POST /performances`, and as `GET /performances/{id}` answers them.
//!
//! # Caveats
//! - A performance that declares no types is shown with its one type, `STANDARD`, at the band
//!   prices, so a client always finds the type codes it may send.

use super::*;
use crate::domain::{Fee, SeatingPlan, TicketType, TicketTypes};

/// A ticket type of `POST /performances`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"code": "CHILD", "name": "Child", "prices": {"A": "30.00"}})))]
pub struct TicketTypeBody {
    /// 1 to 32 letters, digits, `_`, `.` or `-`; unique within the performance.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", examples("CHILD"))]
    code: String,
    /// As buyers see it: 1 to 100 characters without control or invisible formatting
    /// characters.
    #[schema(min_length = 1, max_length = 100, examples("Child"))]
    name: String,
    /// The type's price in each band it is sold in, by band code; at least one. A band left
    /// out does not sell the type (422 `rule_violation` when asked).
    #[schema(schema_with = prices_by_band_schema)]
    prices: UniqueKeys<String>,
}

/// A fee of `POST /performances`: per ticket, per order, or both.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"code": "booking", "per_ticket": "1.50"})))]
pub struct FeeBody {
    /// 1 to 32 letters, digits, `_`, `.` or `-`; unique within the performance.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", examples("booking"))]
    code: String,
    /// Added to every ticket, in its currency.
    #[schema(pattern = r"^[0-9]{1,12}(\.[0-9]{1,4})?$", examples("1.50"))]
    per_ticket: Option<String>,
    /// Added once to every order (per currency), in its extra.
    #[schema(pattern = r"^[0-9]{1,12}(\.[0-9]{1,4})?$", examples("2.00"))]
    per_order: Option<String>,
}

fn prices_by_band_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    by_code_schema(
        "Prices by band code: non-negative decimal strings with at most four fraction digits; \
         never floats.",
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(r"^[0-9]{1,12}(\.[0-9]{1,4})?$")),
    )
}

/// Parses a price list against the plan's bands.
///
/// # Errors
/// 400 for a bad amount, code or name, or a band the plan lacks.
pub(super) fn parse_price_list(
    types: Vec<TicketTypeBody>,
    fees: Vec<FeeBody>,
    bands: &[PriceBand],
) -> Result<(Vec<TicketType>, Vec<Fee>), ApiError> {
    let invalid = |error: &dyn std::fmt::Display| ApiError::invalid_request(error.to_string());
    let amount = |text: Option<String>| {
        text.map(|text| Amount::parse(&text).map_err(|e| invalid(&e)))
            .transpose()
    };
    let types = types
        .into_iter()
        .map(|body| {
            let prices = body
                .prices
                .into_inner()
                .into_iter()
                .map(|(band, price)| Ok((band, Amount::parse(&price).map_err(|e| invalid(&e))?)))
                .collect::<Result<Vec<_>, ApiError>>()?;
            TicketType::resolve(body.code, body.name, prices, bands).map_err(|e| invalid(&e))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let fees = fees
        .into_iter()
        .map(|body| {
            Fee::new(body.code, amount(body.per_ticket)?, amount(body.per_order)?)
                .map_err(|e| invalid(&e))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok((types, fees))
}

/// A ticket type as answered.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct TicketTypeDto {
    #[schema(examples("CHILD"))]
    code: String,
    #[schema(examples("Child"))]
    name: String,
    /// The type's price by band code, in the band's currency; bands without one do not sell
    /// the type.
    #[schema(value_type = BTreeMap<String, String>)]
    prices: BTreeMap<String, String>,
}

/// A fee as answered.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct FeeDto {
    #[schema(examples("booking"))]
    code: String,
    /// Added to every ticket.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, examples("1.50"))]
    per_ticket: Option<String>,
    /// Added once to every order, per currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, examples("2.00"))]
    per_order: Option<String>,
}

/// The types a performance sells, `STANDARD` included when it declares none.
pub(super) fn ticket_types_of(info: &PerformanceInfo, plan: &SeatingPlan) -> Vec<TicketTypeDto> {
    let types: TicketTypes<'_> = info.ticket_types(plan);
    (0..types.len())
        .filter_map(|index| u8::try_from(index).ok())
        .map(|index| TicketTypeDto {
            code: types.code(index).to_owned(),
            name: types.name(index).to_owned(),
            prices: plan
                .price_bands()
                .iter()
                .enumerate()
                .filter_map(|(band, spec)| {
                    let price = types.price(index, u16::try_from(band).ok()?)?;
                    Some((spec.code.clone(), price.to_string()))
                })
                .collect(),
        })
        .collect()
}

/// The fees a performance charges.
pub(super) fn fees_of(info: &PerformanceInfo) -> Vec<FeeDto> {
    info.fees
        .iter()
        .map(|fee| FeeDto {
            code: fee.code.clone(),
            per_ticket: fee.per_ticket.map(|amount| amount.to_string()),
            per_order: fee.per_order.map(|amount| amount.to_string()),
        })
        .collect()
}
