//! The buyer named at completion, and the people record the orders of one email build.
//!
//! A [`Customer`] can only be built valid: a name of 1 to 200 characters of plain text
//! (trimmed), and an email address (trimmed, lower-cased, at most 254 characters, one `@`
//! with a dotted domain after it). The email keys the people record.
//!
//! # Caveats
//! - The email check is a shape check, not a delivery check; nobody is mailed.

use super::ids::{OrderNumber, Timestamp};
use super::text::is_plain_text;

/// The longest customer name, in characters.
pub const CUSTOMER_NAME_MAX: usize = 200;
/// The longest email address, in bytes.
pub const EMAIL_LENGTH_MAX: usize = 254;

/// A buyer: a name and an email address, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Customer {
    name: String,
    email: String,
}

/// Why a customer cannot be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidCustomer {
    /// The name is empty, too long, or not plain text.
    #[error(
        "customer.name must be 1 to 200 characters without control or invisible formatting characters"
    )]
    Name,
    /// The email is not an email address.
    #[error("customer.email must be an email address")]
    Email,
}

impl Customer {
    /// Checks and normalises a name and an email address.
    ///
    /// # Errors
    /// [`InvalidCustomer`] saying which is wrong.
    pub fn parse(name: &str, email: &str) -> Result<Self, InvalidCustomer> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > CUSTOMER_NAME_MAX || !is_plain_text(name) {
            return Err(InvalidCustomer::Name);
        }
        let email = email.trim().to_lowercase();
        let valid = email.len() <= EMAIL_LENGTH_MAX
            && is_plain_text(&email)
            && !email.chars().any(char::is_whitespace)
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
            });
        if !valid {
            return Err(InvalidCustomer::Email);
        }
        Ok(Self {
            name: name.to_owned(),
            email,
        })
    }

    /// Returns the name, trimmed.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Returns the email address, trimmed and lower-cased.
    pub fn email(&self) -> &str {
        &self.email
    }
}

/// A customer's people record, keyed by email: the fold of their orders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    /// The email address, lower-cased.
    pub email: String,
    /// The latest name given.
    pub name: String,
    /// Every order of the customer, oldest first.
    pub orders: Vec<OrderNumber>,
    /// When the record was created.
    pub created_at: Timestamp,
    /// When it last changed.
    pub updated_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_is_trimmed_and_its_email_lower_cased() {
        let customer = Customer::parse("  Joe User ", " Joe@Example.COM ").expect("valid");
        assert_eq!(
            (customer.name(), customer.email()),
            ("Joe User", "joe@example.com")
        );
    }

    #[test]
    fn bad_names_and_emails_are_refused() {
        for name in ["", "   ", "Joe\u{200b} User", &"x".repeat(201)] {
            assert_eq!(
                Customer::parse(name, "joe@example.com"),
                Err(InvalidCustomer::Name)
            );
        }
        for email in [
            "joe",
            "joe@",
            "@example.com",
            "joe@example",
            "joe@.com",
            "jo e@example.com",
        ] {
            assert_eq!(
                Customer::parse("Joe", email),
                Err(InvalidCustomer::Email),
                "{email}"
            );
        }
    }
}
