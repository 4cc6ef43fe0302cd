//! How an order was paid, as the client reports it: the engine records payments, it does not
//! take them (a card is charged by the shop's payment provider before it completes).
//!
//! A payment is judged against what is due when the completion knows the transaction's
//! totals ([`Payment::settles`]); the method against the server's configured list.
//!
//! # Caveats
//! - One payment settles one currency: a basket priced in two currencies cannot be paid with
//!   one payment, and is completed without one (or in two transactions).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::money::{Amount, Currency};
use super::text::is_plain_text;

/// The longest payment method name and payment reference.
pub const PAYMENT_TEXT_MAX: usize = 100;

/// A payment: its method (`card`, `cash`, ...), the provider's reference, and the amount paid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    method: String,
    reference: String,
    amount: Amount,
    currency: Currency,
}

/// Why a payment cannot be recorded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidPayment {
    /// The method or reference is empty, too long, or not plain text.
    #[error(
        "payment {what} must be 1 to {PAYMENT_TEXT_MAX} characters without control or invisible formatting characters"
    )]
    BadText {
        /// `method` or `reference`.
        what: &'static str,
    },
}

/// Why a payment does not settle what is due.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PaymentMismatch {
    /// The amount or currency differs from the total due.
    #[error("the payment of {paid} {paid_currency} does not equal the {due} {currency} due")]
    WrongAmount {
        /// What was paid.
        paid: Amount,
        /// In what.
        paid_currency: Currency,
        /// What is due.
        due: Amount,
        /// In what.
        currency: Currency,
    },
    /// The transaction is priced in several currencies.
    #[error("the transaction is priced in {currencies} currencies; one payment settles one")]
    SeveralCurrencies {
        /// How many.
        currencies: usize,
    },
}

impl Payment {
    /// Builds a payment; the reference may be empty (cash has none).
    ///
    /// # Errors
    /// [`InvalidPayment`] for an empty or unprintable method, or a reference that is too long
    /// or unprintable.
    pub fn new(
        method: &str,
        reference: &str,
        amount: Amount,
        currency: Currency,
    ) -> Result<Self, InvalidPayment> {
        let fits = |text: &str| text.chars().count() <= PAYMENT_TEXT_MAX && is_plain_text(text);
        if method.is_empty() || !fits(method) {
            return Err(InvalidPayment::BadText { what: "method" });
        }
        if !fits(reference) {
            return Err(InvalidPayment::BadText { what: "reference" });
        }
        Ok(Self {
            method: method.to_owned(),
            reference: reference.to_owned(),
            amount,
            currency,
        })
    }

    /// The method, e.g. `card`.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The provider's reference; empty when none was given.
    pub fn reference(&self) -> &str {
        &self.reference
    }

    /// The amount paid.
    pub fn amount(&self) -> Amount {
        self.amount
    }

    /// The currency paid in.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// Checks that the payment is exactly what is due: the transaction's totals per currency.
    ///
    /// # Errors
    /// [`PaymentMismatch`] when the amount or currency differs, or the totals are in several
    /// currencies.
    pub fn settles(&self, due: &BTreeMap<Currency, Amount>) -> Result<(), PaymentMismatch> {
        if due.len() > 1 {
            return Err(PaymentMismatch::SeveralCurrencies {
                currencies: due.len(),
            });
        }
        let (currency, amount) = due
            .iter()
            .next()
            .map_or((self.currency, Amount::zero(0)), |(c, a)| (*c, *a));
        if currency == self.currency && amount.same_value(self.amount) {
            Ok(())
        } else {
            Err(PaymentMismatch::WrongAmount {
                paid: self.amount,
                paid_currency: self.currency,
                due: amount,
                currency,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(amount: &str) -> Amount {
        Amount::parse(amount).expect("an amount")
    }

    fn gbp() -> Currency {
        Currency::parse("GBP").expect("a currency")
    }

    #[test]
    fn a_payment_settles_exactly_what_is_due_whatever_the_scale() {
        let payment = Payment::new("card", "ch_1", money("130.0"), gbp()).expect("a payment");
        let due = BTreeMap::from([(gbp(), money("130.00"))]);
        assert_eq!(payment.settles(&due), Ok(()));
        let more = BTreeMap::from([(gbp(), money("130.01"))]);
        assert!(matches!(
            payment.settles(&more),
            Err(PaymentMismatch::WrongAmount { .. })
        ));
        let euros = BTreeMap::from([(Currency::parse("EUR").expect("EUR"), money("130.00"))]);
        assert!(payment.settles(&euros).is_err());
        let both = BTreeMap::from([
            (gbp(), money("1")),
            (Currency::parse("EUR").expect("EUR"), money("1")),
        ]);
        assert_eq!(
            payment.settles(&both),
            Err(PaymentMismatch::SeveralCurrencies { currencies: 2 })
        );
    }

    #[test]
    fn method_and_reference_are_plain_text() {
        assert!(Payment::new("", "x", money("1"), gbp()).is_err());
        assert!(Payment::new("card", "a\u{202e}b", money("1"), gbp()).is_err());
        assert!(Payment::new("cash", "", money("1"), gbp()).is_ok());
        assert!(Payment::new("card", &"r".repeat(101), money("1"), gbp()).is_err());
    }
}
