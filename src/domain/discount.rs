//! Discount codes: a percent or an amount off each ticket a code covers, within a validity
//! window, up to a number of uses, for the events, performances, bands and ticket types of its
//! scope.
//!
//! A code takes money off a ticket's `nominal` only, never its fees: a percent is rounded per
//! ticket like every other amount ([`Amount::percent_of`]); an amount off is taken in its own
//! currency only and never below zero. A **use** is one ticket sold with the code, so a code
//! with `max_uses: 100` discounts at most a hundred tickets, however they are grouped into
//! orders. Whether uses are left is decided by whoever serialises completions (the
//! coordinator); this module only says what a code covers, what it takes off, and whether a
//! given count of uses still fits.
//!
//! # Caveats
//! - Codes are matched without regard to case: they are kept upper-cased.
//! - A code of 0% (or 0.00 off) is allowed: it takes nothing off and still counts its uses,
//!   which is how a campaign is tracked.
//! - A code cannot be changed once created, so what a sold ticket's discount was is derived
//!   from the definition rather than copied into the sale (as prices are).
//! - An empty list in the scope means "any"; a scope naming an event and a band covers the
//!   tickets of that band at that event only (every list given must match).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::ids::{EventId, PerformanceId, Timestamp};
use super::money::{Amount, Currency};
use super::performance_info::PerformanceInfo;

/// The longest discount code.
pub const DISCOUNT_CODE_LENGTH_MAX: usize = 32;
/// The most entries each list of a scope may have.
pub const SCOPE_ENTRIES_MAX: usize = 64;

/// What a code takes off each ticket it covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reduction {
    /// This percent of the ticket's nominal price, at most 100.
    Percent(Amount),
    /// This amount, in this currency, at most the ticket's nominal price.
    AmountOff {
        /// The amount.
        amount: Amount,
        /// Its currency: tickets in other currencies are not covered.
        currency: Currency,
    },
}

/// The tickets a code covers; an empty list does not restrict.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountScope {
    /// Events.
    pub events: Vec<EventId>,
    /// Performances.
    pub performances: Vec<PerformanceId>,
    /// Price band codes.
    pub price_bands: Vec<String>,
    /// Ticket type codes.
    pub ticket_types: Vec<String>,
}

/// A discount code as defined.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountCode {
    /// The code, upper-cased.
    pub code: String,
    /// What it takes off.
    pub reduction: Reduction,
    /// It may not be used before this time.
    pub valid_from: Option<Timestamp>,
    /// It may not be used from this time on.
    pub valid_until: Option<Timestamp>,
    /// The most tickets it may be sold with.
    pub max_uses: Option<u32>,
    /// What it covers.
    pub scope: DiscountScope,
}

/// Why a definition is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidDiscount {
    /// A code that is not 1 to 32 letters, digits, `-` or `_`.
    #[error("a discount code is 1 to {DISCOUNT_CODE_LENGTH_MAX} letters, digits, '-' or '_'")]
    BadCode,
    /// A percent above 100.
    #[error("percent must be at most 100")]
    PercentOutOfRange,
    /// A window that ends before it begins.
    #[error("valid_until must be after valid_from")]
    EmptyWindow,
    /// A cap of no use.
    #[error("max_uses must be at least 1")]
    NoUses,
    /// A scope list that is too long or names something twice.
    #[error("scope.{list} may have at most {SCOPE_ENTRIES_MAX} entries, each once")]
    BadScope {
        /// Which list.
        list: &'static str,
    },
}

/// Why a code cannot be used for a transaction now; each is a 422 `rule_violation`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DiscountRefusal {
    /// Its window has not begun.
    #[error("discount code {code} is not yet valid: it is valid from {from}")]
    NotYetValid {
        /// The code.
        code: String,
        /// When it becomes valid.
        from: Timestamp,
    },
    /// Its window has ended.
    #[error("discount code {code} has expired: it was valid until {until}")]
    Expired {
        /// The code.
        code: String,
        /// When it stopped being valid.
        until: Timestamp,
    },
    /// It covers none of the transaction's tickets.
    #[error("discount code {code} is out of scope: it covers none of this transaction's tickets")]
    OutOfScope {
        /// The code.
        code: String,
    },
    /// Fewer uses are left than the transaction's covered tickets.
    #[error(
        "discount code {code} is used up: {left} of its {max} uses left, and this transaction has {wanted} tickets it covers"
    )]
    UsedUp {
        /// The code.
        code: String,
        /// Its cap.
        max: u32,
        /// Uses left.
        left: u32,
        /// The tickets that would use it.
        wanted: u32,
    },
}

/// Upper-cases a code as given and checks its characters.
///
/// # Errors
/// [`InvalidDiscount::BadCode`].
pub fn normalized_code(text: &str) -> Result<String, InvalidDiscount> {
    let good = !text.is_empty()
        && text.len() <= DISCOUNT_CODE_LENGTH_MAX
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'));
    if good {
        Ok(text.to_ascii_uppercase())
    } else {
        Err(InvalidDiscount::BadCode)
    }
}

fn check_list<T: PartialEq>(list: &'static str, items: &[T]) -> Result<(), InvalidDiscount> {
    let repeated = items
        .iter()
        .enumerate()
        .any(|(at, item)| items[..at].contains(item));
    if items.len() > SCOPE_ENTRIES_MAX || repeated {
        return Err(InvalidDiscount::BadScope { list });
    }
    Ok(())
}

impl DiscountCode {
    /// Builds a code, checking every part.
    ///
    /// # Errors
    /// [`InvalidDiscount`] for a bad code, percent, amount, window, cap or scope.
    pub fn new(
        code: &str,
        reduction: Reduction,
        valid_from: Option<Timestamp>,
        valid_until: Option<Timestamp>,
        max_uses: Option<u32>,
        scope: DiscountScope,
    ) -> Result<Self, InvalidDiscount> {
        let code = normalized_code(code)?;
        if let Reduction::Percent(percent) = &reduction {
            let hundred = Amount::parse("100").map_err(|_| InvalidDiscount::PercentOutOfRange)?;
            if percent.min(hundred) != *percent {
                return Err(InvalidDiscount::PercentOutOfRange);
            }
        }
        if let (Some(from), Some(until)) = (valid_from, valid_until)
            && until <= from
        {
            return Err(InvalidDiscount::EmptyWindow);
        }
        if max_uses == Some(0) {
            return Err(InvalidDiscount::NoUses);
        }
        check_list("events", &scope.events)?;
        check_list("performances", &scope.performances)?;
        check_list("price_bands", &scope.price_bands)?;
        check_list("ticket_types", &scope.ticket_types)?;
        Ok(Self {
            code,
            reduction,
            valid_from,
            valid_until,
            max_uses,
            scope,
        })
    }

    /// Refuses a code outside its window at `now`.
    ///
    /// # Errors
    /// [`DiscountRefusal::NotYetValid`] or [`DiscountRefusal::Expired`].
    pub fn check_window(&self, now: Timestamp) -> Result<(), DiscountRefusal> {
        if let Some(from) = self.valid_from
            && now < from
        {
            return Err(DiscountRefusal::NotYetValid {
                code: self.code.clone(),
                from,
            });
        }
        if let Some(until) = self.valid_until
            && now >= until
        {
            return Err(DiscountRefusal::Expired {
                code: self.code.clone(),
                until,
            });
        }
        Ok(())
    }

    /// Refuses `wanted` more uses when `used` are taken and they would pass the cap.
    ///
    /// # Errors
    /// [`DiscountRefusal::UsedUp`].
    pub fn check_uses(&self, used: u32, wanted: u32) -> Result<(), DiscountRefusal> {
        let Some(max) = self.max_uses else {
            return Ok(());
        };
        let left = max.saturating_sub(used);
        if wanted > left {
            return Err(DiscountRefusal::UsedUp {
                code: self.code.clone(),
                max,
                left,
                wanted,
            });
        }
        Ok(())
    }

    /// True when the code covers a ticket of type `ticket_type` in band `price_band` (in
    /// `currency`) at the performance `info` describes.
    pub fn covers(
        &self,
        info: &PerformanceInfo,
        price_band: &str,
        currency: Currency,
        ticket_type: &str,
    ) -> bool {
        let scope = &self.scope;
        let in_currency = match &self.reduction {
            Reduction::Percent(_) => true,
            Reduction::AmountOff { currency: own, .. } => *own == currency,
        };
        in_currency
            && (scope.events.is_empty() || scope.events.contains(&info.event.id))
            && (scope.performances.is_empty() || scope.performances.contains(&info.id))
            && (scope.price_bands.is_empty() || scope.price_bands.iter().any(|b| b == price_band))
            && (scope.ticket_types.is_empty()
                || scope.ticket_types.iter().any(|t| t == ticket_type))
    }

    /// What the code takes off a covered ticket of `nominal`, rounded to `scale` digits.
    pub fn discount_on(&self, nominal: Amount, scale: u8) -> Amount {
        match &self.reduction {
            Reduction::Percent(percent) => nominal.percent_of(*percent, scale),
            Reduction::AmountOff { amount, .. } => amount.rounded(scale).min(nominal),
        }
    }
}

impl fmt::Display for Reduction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Percent(percent) => write!(f, "{percent}%"),
            Self::AmountOff { amount, currency } => write!(f, "{amount} {currency}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{EventInfo, Rules};

    fn amount(text: &str) -> Amount {
        Amount::parse(text).expect("an amount")
    }

    fn gbp() -> Currency {
        Currency::parse("GBP").expect("a currency")
    }

    fn info(event: &str, performance: &str) -> PerformanceInfo {
        PerformanceInfo {
            id: PerformanceId::parse(performance).expect("an id"),
            event: EventInfo {
                id: EventId::parse(event).expect("an id"),
                name: "E".into(),
                venue: String::new(),
                city: String::new(),
            },
            starts_at: Timestamp(0),
            hold_seconds: 60,
            rules: Rules::default(),
            ticket_types: Vec::new(),
            fees: Vec::new(),
        }
    }

    fn code(reduction: Reduction, scope: DiscountScope) -> DiscountCode {
        DiscountCode::new("early10", reduction, None, None, Some(3), scope).expect("a code")
    }

    #[test]
    fn definitions_are_checked() {
        let percent = |text: &str| Reduction::Percent(amount(text));
        let new = |code: &str, reduction, from, until, max| {
            DiscountCode::new(code, reduction, from, until, max, DiscountScope::default())
        };
        assert_eq!(
            new("early10", percent("10"), None, None, None).map(|c| c.code),
            Ok("EARLY10".to_owned())
        );
        assert_eq!(
            new("no spaces", percent("10"), None, None, None),
            Err(InvalidDiscount::BadCode)
        );
        assert_eq!(
            new("X", percent("100.01"), None, None, None),
            Err(InvalidDiscount::PercentOutOfRange)
        );
        assert!(
            new("X", percent("0"), None, None, None).is_ok(),
            "a tracking code"
        );
        assert!(new("X", percent("100"), None, None, None).is_ok());
        assert_eq!(
            new(
                "X",
                percent("5"),
                Some(Timestamp(10)),
                Some(Timestamp(10)),
                None
            ),
            Err(InvalidDiscount::EmptyWindow)
        );
        assert_eq!(
            new("X", percent("5"), None, None, Some(0)),
            Err(InvalidDiscount::NoUses)
        );
        let twice = DiscountScope {
            price_bands: vec!["A".into(), "A".into()],
            ..DiscountScope::default()
        };
        assert_eq!(
            DiscountCode::new("X", percent("5"), None, None, None, twice),
            Err(InvalidDiscount::BadScope {
                list: "price_bands"
            })
        );
    }

    #[test]
    fn the_window_is_half_open() {
        let code = DiscountCode::new(
            "X",
            Reduction::Percent(amount("5")),
            Some(Timestamp(100)),
            Some(Timestamp(200)),
            None,
            DiscountScope::default(),
        )
        .expect("a code");
        assert!(matches!(
            code.check_window(Timestamp(99)),
            Err(DiscountRefusal::NotYetValid { .. })
        ));
        assert_eq!(code.check_window(Timestamp(100)), Ok(()));
        assert_eq!(code.check_window(Timestamp(199)), Ok(()));
        assert!(matches!(
            code.check_window(Timestamp(200)),
            Err(DiscountRefusal::Expired { .. })
        ));
    }

    #[test]
    fn uses_never_pass_the_cap() {
        let code = code(Reduction::Percent(amount("10")), DiscountScope::default());
        assert_eq!(code.check_uses(0, 3), Ok(()));
        assert_eq!(code.check_uses(2, 1), Ok(()));
        assert_eq!(
            code.check_uses(2, 2),
            Err(DiscountRefusal::UsedUp {
                code: "EARLY10".into(),
                max: 3,
                left: 1,
                wanted: 2
            })
        );
        assert!(code.check_uses(5, 1).is_err());
    }

    #[test]
    fn every_list_of_the_scope_must_match() {
        let scope = DiscountScope {
            events: vec![EventId::parse("ev-1").expect("an id")],
            price_bands: vec!["A".into()],
            ticket_types: vec!["ADULT".into()],
            ..DiscountScope::default()
        };
        let code = code(Reduction::Percent(amount("10")), scope);
        let here = info("ev-1", "p-1");
        assert!(code.covers(&here, "A", gbp(), "ADULT"));
        assert!(!code.covers(&here, "B", gbp(), "ADULT"));
        assert!(!code.covers(&here, "A", gbp(), "CHILD"));
        assert!(!code.covers(&info("ev-2", "p-1"), "A", gbp(), "ADULT"));
    }

    #[test]
    fn an_amount_off_keeps_to_its_currency_and_never_goes_below_zero() {
        let off = Reduction::AmountOff {
            amount: amount("5"),
            currency: gbp(),
        };
        let code = code(off, DiscountScope::default());
        let usd = Currency::parse("USD").expect("a currency");
        assert!(!code.covers(&info("e", "p"), "A", usd, "STANDARD"));
        assert_eq!(code.discount_on(amount("65.00"), 2).to_string(), "5.00");
        assert_eq!(code.discount_on(amount("3.00"), 2).to_string(), "3.00");
        let percent = self::code(Reduction::Percent(amount("12.5")), DiscountScope::default());
        // 12.5% of 32.50 is 4.0625, rounded half up to 4.06.
        assert_eq!(percent.discount_on(amount("32.50"), 2).to_string(), "4.06");
    }
}
