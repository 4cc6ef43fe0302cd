//! Identifiers and time: the newtypes that cross module boundaries instead of bare strings
//! and integers.
//!
//! Every constructor validates, so a value of one of these types is always well formed.
//! Randomness and the clock stay outside the domain: ids that need randomness (transactions)
//! and the current time are made by the actor layer and passed in.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The longest performance, event or client id accepted.
pub const ID_LENGTH_MAX: usize = 64;

/// Checks the contract's slug form `[A-Za-z0-9_-]{1,64}`.
fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= ID_LENGTH_MAX
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub struct $name(String);

        impl $name {
            /// Parses a slug `[A-Za-z0-9_-]{1,64}`.
            ///
            /// # Errors
            /// Returns [`InvalidId`] when the text is empty, too long or has other characters.
            pub fn parse(text: &str) -> Result<Self, InvalidId> {
                if is_slug(text) {
                    Ok(Self(text.to_owned()))
                } else {
                    Err(InvalidId { what: $what, text: text.chars().take(80).collect() })
                }
            }

            /// Returns the id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

slug_id!(
    /// A performance id: one showing of an event, and the key of its actor.
    PerformanceId,
    "performance id"
);
slug_id!(
    /// An event id: a show in the catalogue.
    EventId,
    "event id"
);
slug_id!(
    /// A client id: the box office, web shop or reseller that owns an API key.
    ClientId,
    "client id"
);

/// Text that is not a valid id of the named kind.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what}: {text:?}")]
pub struct InvalidId {
    /// Which kind of id was expected.
    pub what: &'static str,
    /// The offending text, cut to 80 characters.
    pub text: String,
}

/// A ticket id `"<performance_id>:<seat_id>"`: one seat at one performance.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TicketId {
    /// The performance that owns the seat, so the ticket routes without a lookup.
    pub performance: PerformanceId,
    /// The seat id within that performance's plan, e.g. `STALLS-A7`.
    pub seat: String,
}

impl TicketId {
    /// Parses `"<performance_id>:<seat_id>"`.
    ///
    /// ```
    /// use holdfast::domain::TicketId;
    ///
    /// let ticket = TicketId::parse("jb-1204:STALLS-A7").unwrap();
    /// assert_eq!(ticket.performance.as_str(), "jb-1204");
    /// assert_eq!(ticket.seat, "STALLS-A7");
    /// assert!(TicketId::parse("no-colon").is_err());
    /// ```
    ///
    /// # Errors
    /// Returns [`InvalidId`] without a colon, with a bad performance id, or with a seat id
    /// that is empty, longer than 64 bytes or not printable ASCII.
    pub fn parse(text: &str) -> Result<Self, InvalidId> {
        let invalid = || InvalidId {
            what: "ticket id",
            text: text.chars().take(80).collect(),
        };
        let (performance, seat) = text.split_once(':').ok_or_else(invalid)?;
        let performance = PerformanceId::parse(performance).map_err(|_| invalid())?;
        let seat_ok = !seat.is_empty()
            && seat.len() <= ID_LENGTH_MAX
            && seat.bytes().all(|b| b.is_ascii_graphic() && b != b':');
        if !seat_ok {
            return Err(invalid());
        }
        Ok(Self {
            performance,
            seat: seat.to_owned(),
        })
    }
}

impl fmt::Display for TicketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.performance, self.seat)
    }
}

/// A transaction id: 128 bits chosen by the actor layer (a UUID v7 in practice).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TransactionId(pub u128);

impl fmt::Display for TransactionId {
    /// The hyphenated UUID form clients see, e.g. `0190f3a2-7c4e-7d1a-9b2c-3d4e5f6a7b8c`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = format!("{:032x}", self.0);
        write!(
            f,
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    }
}

/// A point in engine time, in milliseconds since the Unix epoch (UTC).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Returns this time plus `seconds`.
    pub fn plus_seconds(self, seconds: u32) -> Self {
        Self(self.0.saturating_add(i64::from(seconds) * 1000))
    }

    /// Returns the milliseconds since the Unix epoch.
    pub fn as_millis(self) -> i64 {
        self.0
    }
}

/// An order number, shown to customers as decimal digits (`"100045"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OrderNumber(pub u64);

impl fmt::Display for OrderNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transaction_id_is_written_as_a_hyphenated_uuid() {
        let id = TransactionId(0x0190_f3a2_7c4e_7d1a_9b2c_3d4e_5f6a_7b8c);
        assert_eq!(id.to_string(), "0190f3a2-7c4e-7d1a-9b2c-3d4e5f6a7b8c");
        assert_eq!(
            TransactionId(1).to_string(),
            "00000000-0000-0000-0000-000000000001"
        );
    }

    #[test]
    fn slugs_accept_the_contract_alphabet_only() {
        assert!(PerformanceId::parse("jb-1204_x").is_ok());
        assert!(PerformanceId::parse("").is_err());
        assert!(PerformanceId::parse(&"a".repeat(65)).is_err());
        assert!(PerformanceId::parse("a/b").is_err());
        assert!(PerformanceId::parse("..%2F").is_err());
        assert!(PerformanceId::parse("caf\u{e9}").is_err());
    }

    #[test]
    fn a_ticket_id_splits_at_the_first_colon() {
        let ticket = TicketId::parse("jb-1204:STALLS-A7").unwrap();
        assert_eq!(ticket.performance.as_str(), "jb-1204");
        assert_eq!(ticket.seat, "STALLS-A7");
        assert_eq!(ticket.to_string(), "jb-1204:STALLS-A7");
        assert!(TicketId::parse("jb-1204").is_err());
        assert!(TicketId::parse("jb-1204:").is_err());
        assert!(TicketId::parse(":A1").is_err());
        assert!(TicketId::parse("jb:A 1").is_err());
    }
}
