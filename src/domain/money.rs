//! Money as exact decimals: an amount in minor units with its scale and currency. Never a float.
//!
//! The one rounding rule: a ticket's money is rounded to its currency's minor unit (the ISO
//! 4217 exponent: 2 for GBP, 0 for JPY, 3 for KWD; 2 for a code the standard does not give
//! one), half away from zero, once per ticket ([`Amount::rounded`]); sums of rounded amounts
//! are exact.
//!
//! # Caveats
//! - A currency code the standard does not know (any three upper-case letters are accepted)
//!   is rounded to two digits.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The most fraction digits a price may have.
pub const SCALE_MAX: u8 = 4;

/// An exact decimal amount: `units / 10^scale`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amount {
    /// The amount in the smallest unit that `scale` allows.
    pub units: i64,
    /// How many digits follow the decimal point when the amount is written.
    pub scale: u8,
}

/// Text that is not a decimal amount or a currency code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what}: {text:?}")]
pub struct InvalidMoney {
    /// What was expected.
    pub what: &'static str,
    /// The offending text, cut to 40 characters.
    pub text: String,
}

impl Amount {
    /// Parses a non-negative decimal string such as `"65.00"` or `"7"`.
    ///
    /// ```
    /// use holdfast::domain::Amount;
    ///
    /// let price = Amount::parse("65.00").unwrap();
    /// assert_eq!((price + price).to_string(), "130.00");
    /// assert!(Amount::parse("1e3").is_err(), "never a float");
    /// ```
    ///
    /// # Errors
    /// Returns [`InvalidMoney`] for signs, exponents, more than four fraction digits, or values
    /// that do not fit.
    pub fn parse(text: &str) -> Result<Self, InvalidMoney> {
        let invalid = || InvalidMoney {
            what: "decimal amount",
            text: text.chars().take(40).collect(),
        };
        let (whole, fraction) = match text.split_once('.') {
            Some((whole, fraction)) if !fraction.is_empty() => (whole, fraction),
            Some(_) => return Err(invalid()),
            None => (text, ""),
        };
        let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits_only(whole) || !digits_only(fraction) {
            return Err(invalid());
        }
        let scale = u8::try_from(fraction.len()).map_err(|_| invalid())?;
        if scale > SCALE_MAX || whole.len() > 12 {
            return Err(invalid());
        }
        let units: i64 = format!("{whole}{fraction}")
            .parse()
            .map_err(|_| invalid())?;
        Ok(Self { units, scale })
    }

    /// Returns this amount written with `scale` fraction digits (`scale` ≥ `self.scale`).
    fn rescaled(self, scale: u8) -> i64 {
        self.units * 10_i64.pow(u32::from(scale.saturating_sub(self.scale)))
    }

    /// Returns zero with the given scale.
    pub fn zero(scale: u8) -> Self {
        Self { units: 0, scale }
    }
}

impl std::ops::Add for Amount {
    type Output = Self;

    /// Adds two amounts exactly, keeping the larger scale.
    fn add(self, other: Self) -> Self {
        let scale = self.scale.max(other.scale);
        Self {
            units: self.rescaled(scale) + other.rescaled(scale),
            scale,
        }
    }
}

impl std::ops::Sub for Amount {
    type Output = Self;

    /// Subtracts exactly, keeping the larger scale; the result may be negative.
    fn sub(self, other: Self) -> Self {
        let scale = self.scale.max(other.scale);
        Self {
            units: self.rescaled(scale) - other.rescaled(scale),
            scale,
        }
    }
}

impl Amount {
    /// Returns the amount rounded to `scale` fraction digits, half away from zero; more digits
    /// than it has are added as zeros.
    ///
    /// ```
    /// use holdfast::domain::Amount;
    ///
    /// assert_eq!(Amount::parse("4.555").unwrap().rounded(2).to_string(), "4.56");
    /// assert_eq!(Amount::parse("4.554").unwrap().rounded(2).to_string(), "4.55");
    /// assert_eq!(Amount::parse("65").unwrap().rounded(2).to_string(), "65.00");
    /// ```
    pub fn rounded(self, scale: u8) -> Self {
        if scale >= self.scale {
            return Self {
                units: self.rescaled(scale),
                scale,
            };
        }
        let divisor = 10_i64.pow(u32::from(self.scale - scale));
        let half = divisor / 2;
        let magnitude = (self.units.abs() + half) / divisor;
        Self {
            units: if self.units < 0 {
                -magnitude
            } else {
                magnitude
            },
            scale,
        }
    }

    /// Returns `percent` per cent of the amount, rounded to `scale` digits as
    /// [`Amount::rounded`] does. `percent` is at most 100, so the result fits.
    pub fn percent_of(self, percent: Amount, scale: u8) -> Self {
        // amount × percent / 100 is exact at scale self.scale + percent.scale + 2.
        let exact_scale = u32::from(self.scale) + u32::from(percent.scale) + 2;
        let product = i128::from(self.units) * i128::from(percent.units);
        let target = u32::from(scale);
        let units = if target >= exact_scale {
            product * 10_i128.pow(target - exact_scale)
        } else {
            let divisor = 10_i128.pow(exact_scale - target);
            let magnitude = (product.abs() + divisor / 2) / divisor;
            if product < 0 { -magnitude } else { magnitude }
        };
        Self {
            units: i64::try_from(units).unwrap_or(if units < 0 { i64::MIN } else { i64::MAX }),
            scale,
        }
    }

    /// The smaller of two amounts, as the exact value (whatever their scales).
    pub fn min(self, other: Self) -> Self {
        let scale = self.scale.max(other.scale);
        if self.rescaled(scale) <= other.rescaled(scale) {
            self
        } else {
            other
        }
    }

    /// True when the amount is above zero.
    pub fn is_positive(self) -> bool {
        self.units > 0
    }
}

impl Amount {
    /// True when both amounts are the same number, whatever their scales (`65.0` and `65.00`).
    pub fn same_value(self, other: Self) -> bool {
        let scale = self.scale.max(other.scale);
        self.rescaled(scale) == other.rescaled(scale)
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scale == 0 {
            return write!(f, "{}", self.units);
        }
        let divisor = 10_i64.pow(u32::from(self.scale));
        write!(
            f,
            "{}.{:0width$}",
            self.units / divisor,
            self.units % divisor,
            width = usize::from(self.scale)
        )
    }
}

/// An ISO 4217-shaped currency code: three upper-case ASCII letters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Currency([u8; 3]);

impl Currency {
    /// Parses three upper-case letters such as `GBP`.
    ///
    /// # Errors
    /// Returns [`InvalidMoney`] for anything else.
    pub fn parse(text: &str) -> Result<Self, InvalidMoney> {
        let bytes = text.as_bytes();
        if bytes.len() == 3 && bytes.iter().all(u8::is_ascii_uppercase) {
            Ok(Self([bytes[0], bytes[1], bytes[2]]))
        } else {
            Err(InvalidMoney {
                what: "currency code",
                text: text.chars().take(40).collect(),
            })
        }
    }

    /// Returns how many fraction digits the currency's minor unit has (the ISO 4217 exponent;
    /// 2 for a code the standard gives none).
    pub fn minor_unit(self) -> u8 {
        iso_currency::Currency::from_code(self.as_str())
            .and_then(iso_currency::Currency::exponent)
            .and_then(|exponent| u8::try_from(exponent).ok())
            .unwrap_or(2)
    }

    /// Returns the code as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_round_trip_through_text() {
        for text in ["65.00", "0.5", "7", "1234.5678"] {
            assert_eq!(Amount::parse(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn amounts_refuse_floats_signs_and_exponents() {
        for text in ["-1.00", "1e3", "1.", ".5", "1.23456", "", "NaN", "1,00"] {
            assert!(Amount::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn adding_keeps_the_larger_scale() {
        let sum = Amount::parse("65.00").unwrap() + Amount::parse("0.125").unwrap();
        assert_eq!(sum.to_string(), "65.125");
    }

    #[test]
    fn rounding_is_half_away_from_zero_at_the_minor_unit() {
        let amount = |text| Amount::parse(text).unwrap();
        assert_eq!(amount("0.005").rounded(2).to_string(), "0.01");
        assert_eq!(amount("0.004").rounded(2).to_string(), "0.00");
        assert_eq!((amount("1.00") - amount("1.005")).rounded(2).units, -1);
        assert_eq!(amount("10").rounded(0).to_string(), "10");
        // 10 % of 45.55 is 4.555, which rounds up.
        assert_eq!(
            amount("45.55").percent_of(amount("10"), 2).to_string(),
            "4.56"
        );
        let code = |text| Currency::parse(text).unwrap().minor_unit();
        assert_eq!(
            (code("GBP"), code("JPY"), code("KWD"), code("QQQ")),
            (2, 0, 3, 2)
        );
    }

    #[test]
    fn currencies_are_three_upper_case_letters() {
        assert_eq!(Currency::parse("GBP").unwrap().as_str(), "GBP");
        assert!(Currency::parse("gbp").is_err());
        assert!(Currency::parse("GB").is_err());
    }
}
