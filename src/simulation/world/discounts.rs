//! Discount codes in a seeded run: the codes every run defines, and the promise about their
//! uses checked after every step and every recovery.
//!
//! Clients apply codes with their changes and complete concurrently; the codes' caps are
//! small, so completions contend for the last uses. The promise: a code's uses are exactly
//! what its orders count, each order counts the tickets its code covers, and uses (with those
//! reserved by completions in flight) never pass the cap, whatever crashed when.

use super::*;
use crate::domain::{DiscountCode, DiscountScope, Reduction};
use crate::persistence::DiscountCodeRecord;

/// The codes a client may apply, written before the server first starts: `HALF`, half off at
/// performance 0 (two uses), `FIVE`, 5.00 off anywhere (eight uses), and `LATER`, not valid
/// until long after the run.
pub(super) fn discount_codes() -> Result<Vec<DiscountCodeRecord>, Failure> {
    let fail = |error: &dyn std::fmt::Display| Failure::new(error.to_string());
    let amount = |text: &str| Amount::parse(text).map_err(|e| fail(&e));
    let gbp = Currency::parse("GBP").map_err(|e| fail(&e))?;
    let first = PerformanceId::parse("p0").map_err(|e| fail(&e))?;
    let codes = [
        DiscountCode::new(
            "HALF",
            Reduction::Percent(amount("50")?),
            None,
            None,
            Some(2),
            DiscountScope {
                performances: vec![first],
                ..DiscountScope::default()
            },
        ),
        DiscountCode::new(
            "FIVE",
            Reduction::AmountOff {
                amount: amount("5.00")?,
                currency: gbp,
            },
            None,
            None,
            Some(8),
            DiscountScope::default(),
        ),
        DiscountCode::new(
            "LATER",
            Reduction::Percent(amount("10")?),
            Some(START.plus_seconds(365 * 86_400)),
            None,
            None,
            DiscountScope::default(),
        ),
    ];
    codes
        .into_iter()
        .map(|code| {
            Ok(DiscountCodeRecord {
                code: code.map_err(|e| fail(&e))?,
                created_at: START,
            })
        })
        .collect()
}

impl World {
    /// A code's uses are those its orders count, each order counts the tickets its code
    /// covers, and no code's uses (reserved ones included) pass its cap.
    pub(super) fn check_discounts(&self) -> Result<(), Failure> {
        let coordinator = &self.node.coordinator;
        let mut counted: BTreeMap<String, u32> = BTreeMap::new();
        for order in coordinator.orders() {
            let Some(text) = &order.discount_code else {
                continue;
            };
            *counted.entry(text.clone()).or_default() += order.discount_uses;
            let code = coordinator.discount(text).ok_or_else(|| {
                Failure::new(format!("order {} has no code {text}", order.number))
            })?;
            let mut covered = 0;
            for performance in &order.performances {
                let index = index_of(performance).map_err(|e| Failure::new(e.to_string()))?;
                let inventory = self.node.cores[index].performance();
                if let Some(hold) = inventory.hold(order.transaction) {
                    covered += hold
                        .priced(inventory.info(), inventory.plan(), Some(&code))
                        .iter()
                        .filter(|ticket| ticket.discounted)
                        .count() as u32;
                }
            }
            if covered != order.discount_uses {
                return Err(Failure::new(format!(
                    "order {} counts {} uses of {text}, but the code covers {covered} of its \
                     tickets",
                    order.number, order.discount_uses
                )));
            }
        }
        for listing in coordinator.discounts() {
            let code = &listing.code.code;
            let (uses, reserved) = coordinator.uses_of(code);
            let expected = counted.get(code).copied().unwrap_or(0);
            if uses != expected {
                return Err(Failure::new(format!(
                    "{code} counts {uses} uses, its orders {expected}"
                )));
            }
            if let Some(max) = listing.code.max_uses
                && uses + reserved > max
            {
                return Err(Failure::new(format!(
                    "{code} has {uses} uses and {reserved} reserved, over its cap of {max}"
                )));
            }
        }
        Ok(())
    }
}
