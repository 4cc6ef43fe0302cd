//! What a performance sells and charges besides seats: its ticket types (a price per band,
//! such as an adult and a child price) and its fees (per ticket and per order).
//!
//! A performance that declares no type sells one, `STANDARD`, at each band's price, so a
//! performance created before ticket types prices its tickets as it always did. A type's
//! prices are kept by band index, resolved once when the performance is created, so checking
//! that a type may be sold in a seat's band is an index, not a search, on the hold path.
//!
//! # Caveats
//! - A fee is charged in the currency of the ticket (or order part) it is charged on, at the
//!   amount declared, whatever the currency.
//! - Prices and fees cannot be changed after creation; a sold ticket's price is therefore
//!   derived from the definition, not copied into the sale.

use serde::{Deserialize, Serialize};

use super::money::Amount;
use super::seat_map::{InvalidPlan, PriceBand, check_name};
use super::text::is_plain_text;

/// The most ticket types a performance may declare.
pub const TICKET_TYPES_MAX: usize = 16;
/// The most fees a performance may declare.
pub const FEES_MAX: usize = 8;
/// The longest ticket type name.
pub const TICKET_TYPE_NAME_MAX: usize = 100;
/// The code of the one type of a performance that declares none.
pub const STANDARD_TYPE: &str = "STANDARD";

/// A kind of ticket (adult, child, concession) with its price in the bands it is sold in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketType {
    /// The type's code, unique within the performance, e.g. `CHILD`.
    pub code: String,
    /// Its name as shown to buyers, e.g. `Child (under 16)`.
    pub name: String,
    /// Its price in each band, by band index; `None` in a band it is not sold in.
    pub prices: Vec<Option<Amount>>,
}

/// A fee: an amount added to each ticket, to each order, or both.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    /// The fee's code, unique within the performance, e.g. `booking`.
    pub code: String,
    /// Added to every ticket.
    pub per_ticket: Option<Amount>,
    /// Added once to every order, per currency, however many tickets it has.
    pub per_order: Option<Amount>,
}

impl TicketType {
    /// Builds a type from prices by band code, against the plan's `bands`.
    ///
    /// # Errors
    /// [`InvalidPlan`] for a bad code or name, an unknown band, a band priced twice, or no
    /// price at all.
    pub fn resolve(
        code: String,
        name: String,
        prices: Vec<(String, Amount)>,
        bands: &[PriceBand],
    ) -> Result<Self, InvalidPlan> {
        check_name("ticket type", &code)?;
        if name.is_empty() || name.chars().count() > TICKET_TYPE_NAME_MAX || !is_plain_text(&name) {
            return Err(InvalidPlan::BadRule(format!(
                "ticket type {code:?} needs a name of 1 to {TICKET_TYPE_NAME_MAX} characters \
                 without control or invisible formatting characters"
            )));
        }
        if prices.is_empty() {
            return Err(InvalidPlan::BadRule(format!(
                "ticket type {code:?} needs a price in at least one band"
            )));
        }
        let mut resolved = vec![None; bands.len()];
        for (band, price) in prices {
            let index = bands
                .iter()
                .position(|known| known.code == band)
                .ok_or_else(|| InvalidPlan::UnknownPriceBand { code: band.clone() })?;
            if resolved[index].replace(price).is_some() {
                return Err(InvalidPlan::Duplicate {
                    what: "ticket type price band",
                    name: band,
                });
            }
        }
        Ok(Self {
            code,
            name,
            prices: resolved,
        })
    }
}

impl Fee {
    /// Builds a fee.
    ///
    /// # Errors
    /// [`InvalidPlan`] for a bad code, or a fee that charges nothing.
    pub fn new(
        code: String,
        per_ticket: Option<Amount>,
        per_order: Option<Amount>,
    ) -> Result<Self, InvalidPlan> {
        check_name("fee", &code)?;
        if per_ticket.is_none() && per_order.is_none() {
            return Err(InvalidPlan::BadRule(format!(
                "fee {code:?} needs per_ticket, per_order or both"
            )));
        }
        Ok(Self {
            code,
            per_ticket,
            per_order,
        })
    }
}

/// Checks a performance's types and fees together: counts, unique codes, and prices for
/// exactly `band_count` bands.
///
/// # Errors
/// [`InvalidPlan`] naming the first fault.
pub fn check_price_list(
    types: &[TicketType],
    fees: &[Fee],
    band_count: usize,
) -> Result<(), InvalidPlan> {
    if types.len() > TICKET_TYPES_MAX || fees.len() > FEES_MAX {
        return Err(InvalidPlan::BadRule(format!(
            "a performance may have at most {TICKET_TYPES_MAX} ticket types and {FEES_MAX} fees"
        )));
    }
    for (index, ticket_type) in types.iter().enumerate() {
        if types[..index].iter().any(|t| t.code == ticket_type.code) {
            return Err(InvalidPlan::Duplicate {
                what: "ticket type",
                name: ticket_type.code.clone(),
            });
        }
        if ticket_type.prices.len() != band_count {
            return Err(InvalidPlan::BadRule(format!(
                "ticket type {:?} is priced for {} bands; the plan has {band_count}",
                ticket_type.code,
                ticket_type.prices.len()
            )));
        }
    }
    for (index, fee) in fees.iter().enumerate() {
        if fees[..index].iter().any(|f| f.code == fee.code) {
            return Err(InvalidPlan::Duplicate {
                what: "fee",
                name: fee.code.clone(),
            });
        }
    }
    Ok(())
}

/// The types a performance sells: those it declares, or `STANDARD` at the band prices.
#[derive(Clone, Copy, Debug)]
pub struct TicketTypes<'a> {
    declared: &'a [TicketType],
    bands: &'a [PriceBand],
}

impl<'a> TicketTypes<'a> {
    /// The types of a performance with these declared types and bands.
    pub fn new(declared: &'a [TicketType], bands: &'a [PriceBand]) -> Self {
        Self { declared, bands }
    }

    /// How many types there are (at least one).
    pub fn len(self) -> usize {
        self.declared.len().max(1)
    }

    /// Never true: a performance always sells at least one type.
    pub fn is_empty(self) -> bool {
        false
    }

    /// Returns the index of the type with this code.
    pub fn index_of(self, code: &str) -> Option<u8> {
        if self.declared.is_empty() {
            return (code == STANDARD_TYPE).then_some(0);
        }
        self.declared
            .iter()
            .position(|t| t.code == code)
            .and_then(|index| u8::try_from(index).ok())
    }

    /// Returns the code of type `index`.
    pub fn code(self, index: u8) -> &'a str {
        self.declared
            .get(usize::from(index))
            .map_or(STANDARD_TYPE, |t| t.code.as_str())
    }

    /// Returns the name of type `index`.
    pub fn name(self, index: u8) -> &'a str {
        self.declared
            .get(usize::from(index))
            .map_or("Standard", |t| t.name.as_str())
    }

    /// True when type `index` is sold in every band.
    pub fn is_all_sold(self, index: u8) -> bool {
        self.declared
            .get(usize::from(index))
            .is_none_or(|t| t.prices.iter().all(Option::is_some))
    }

    /// Returns the price of type `index` in band `band`, or `None` when it is not sold there.
    pub fn price(self, index: u8, band: u16) -> Option<Amount> {
        if self.declared.is_empty() {
            return self.bands.get(usize::from(band)).map(|b| b.price);
        }
        self.declared
            .get(usize::from(index))
            .and_then(|t| t.prices.get(usize::from(band)).copied().flatten())
    }
}
