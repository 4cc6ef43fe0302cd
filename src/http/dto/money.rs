//! Money in answers: a ticket's price breakdown and a transaction's or order's totals, as
//! decimal strings written at the currency's minor unit (never floats).

use super::*;
use crate::domain::{Breakdown, DiscountCode, transaction_totals};

/// The sum of a transaction's or order's prices in one currency.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({
    "currency": "GBP", "amount": "71.00", "nominal": "65.00", "extra": "6.00",
    "discount": "0.00", "full": "71.00"
})))]
pub(super) struct TotalDto {
    #[schema(examples("GBP"))]
    currency: String,
    /// What is due: the same as `full` (kept from contract v1).
    #[schema(pattern = r"^-?[0-9]+(\.[0-9]+)?$", examples("71.00"))]
    amount: String,
    /// The tickets' prices.
    #[schema(pattern = r"^-?[0-9]+(\.[0-9]+)?$", examples("65.00"))]
    nominal: String,
    /// Fees: every ticket's, and the order's per-order fees.
    #[schema(pattern = r"^-?[0-9]+(\.[0-9]+)?$", examples("6.00"))]
    extra: String,
    /// What discounts take off.
    #[schema(pattern = r"^-?[0-9]+(\.[0-9]+)?$", examples("0.00"))]
    discount: String,
    /// nominal + extra − discount.
    #[schema(pattern = r"^-?[0-9]+(\.[0-9]+)?$", examples("71.00"))]
    full: String,
}

/// The totals of a transaction's holds with its discount code, one per currency.
pub(super) fn totals_of(holds: &[HoldView], discount: Option<&DiscountCode>) -> Vec<TotalDto> {
    transaction_totals(
        holds
            .iter()
            .map(|view| (view.performance.as_ref(), view.plan.as_ref(), &view.hold)),
        discount,
    )
    .into_iter()
    .map(|(currency, total)| TotalDto {
        currency: currency.to_string(),
        amount: total.full.to_string(),
        nominal: total.nominal.to_string(),
        extra: total.extra.to_string(),
        discount: total.discount.to_string(),
        full: total.full.to_string(),
    })
    .collect()
}

/// A ticket's money as strings: nominal, extra, discount, full.
pub(super) fn breakdown_strings(price: &Breakdown) -> [String; 4] {
    [
        price.nominal.to_string(),
        price.extra.to_string(),
        price.discount.to_string(),
        price.full.to_string(),
    ]
}
