//! What a performance is, apart from its seats: its event, start, hold time, the rules every
//! hold must satisfy, and its price list. Stored as the performance's definition.
//!
//! # Caveats
//! - Nothing here can be changed after creation.

use serde::{Deserialize, Serialize};

use super::ids::{EventId, PerformanceId, Timestamp};
use super::price_list::{Fee, TicketType, TicketTypes, check_price_list};
use super::seat_map::{InvalidPlan, SeatingPlan};

/// The longest lock a performance may configure: one day.
pub const HOLD_SECONDS_MAX: u32 = 86_400;
/// The largest quantity `valid_quantities` may name.
pub const QUANTITY_MAX: u32 = 100;

/// The catalogue entry of the event a performance shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventInfo {
    /// The event's id.
    pub id: EventId,
    /// Its name, e.g. `Jersey Boys`.
    pub name: String,
    /// Where it plays.
    pub venue: String,
    /// The venue's city.
    pub city: String,
}

/// The rules every hold at a performance must satisfy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rules {
    /// Seats held together must be adjacent in one block.
    pub contiguous_seats_only: bool,
    /// A hold may not leave a lone free seat between taken seats or at a block end.
    pub no_single_seat_gaps: bool,
    /// The numbers of seats (or places) one request may hold; sorted, without repeats.
    pub valid_quantities: Vec<u32>,
    /// No lock lasts past its hold's creation plus this, however often it is checked out.
    pub max_hold_seconds: u32,
    /// How many checkouts one hold may have; the one past it is refused.
    pub max_renewals: u32,
}

/// The default of [`Rules::max_hold_seconds`]: half an hour.
pub const MAX_HOLD_SECONDS_DEFAULT: u32 = 1_800;
/// The default of [`Rules::max_renewals`].
pub const MAX_RENEWALS_DEFAULT: u32 = 5;
/// The most checkouts a performance may allow one hold.
pub const MAX_RENEWALS_MAX: u32 = 1_000;

impl Default for Rules {
    /// No seat rule, every quantity from 1 to 10, and the default hold caps.
    fn default() -> Self {
        Self {
            contiguous_seats_only: false,
            no_single_seat_gaps: false,
            valid_quantities: (1..=10).collect(),
            max_hold_seconds: MAX_HOLD_SECONDS_DEFAULT,
            max_renewals: MAX_RENEWALS_DEFAULT,
        }
    }
}

/// What a performance is, apart from its seats.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerformanceInfo {
    /// The performance's id.
    pub id: PerformanceId,
    /// The event it shows.
    pub event: EventInfo,
    /// When it starts; nothing can be held from then on.
    pub starts_at: Timestamp,
    /// How long a lock lasts after a hold or a checkout.
    pub hold_seconds: u32,
    /// The rules of holds.
    pub rules: Rules,
    /// The ticket types it sells; none declared means one, `STANDARD`, at the band prices.
    pub ticket_types: Vec<TicketType>,
    /// The fees it charges.
    pub fees: Vec<Fee>,
}

impl PerformanceInfo {
    /// Checks the hold time and the quantities, sorting and de-duplicating the latter.
    ///
    /// # Errors
    /// Returns [`InvalidPlan::BadRule`] for a hold time outside 1 s to one day, or quantities
    /// that are empty or outside 1 to 100.
    pub fn validate(mut self) -> Result<Self, InvalidPlan> {
        if self.hold_seconds == 0 || self.hold_seconds > HOLD_SECONDS_MAX {
            return Err(InvalidPlan::BadRule(format!(
                "hold_seconds must be from 1 to {HOLD_SECONDS_MAX}"
            )));
        }
        let quantities = &mut self.rules.valid_quantities;
        quantities.sort_unstable();
        quantities.dedup();
        if quantities.is_empty()
            || quantities[0] == 0
            || quantities[quantities.len() - 1] > QUANTITY_MAX
        {
            return Err(InvalidPlan::BadRule(format!(
                "valid_quantities must list numbers from 1 to {QUANTITY_MAX}"
            )));
        }
        if self.rules.max_hold_seconds == 0 || self.rules.max_hold_seconds > HOLD_SECONDS_MAX {
            return Err(InvalidPlan::BadRule(format!(
                "max_hold_seconds must be from 1 to {HOLD_SECONDS_MAX}"
            )));
        }
        if self.rules.max_renewals > MAX_RENEWALS_MAX {
            return Err(InvalidPlan::BadRule(format!(
                "max_renewals must be from 0 to {MAX_RENEWALS_MAX}"
            )));
        }
        Ok(self)
    }

    /// Checks the ticket types and fees against the plan they price.
    ///
    /// # Errors
    /// [`InvalidPlan`] for more than 16 types or 8 fees, a code used twice, or a type priced for
    /// another number of bands than the plan has.
    pub fn check_price_list(&self, plan: &SeatingPlan) -> Result<(), InvalidPlan> {
        check_price_list(&self.ticket_types, &self.fees, plan.price_bands().len())
    }

    /// Returns the ticket types it sells, priced in `plan`'s bands.
    pub fn ticket_types<'a>(&'a self, plan: &'a SeatingPlan) -> TicketTypes<'a> {
        TicketTypes::new(&self.ticket_types, plan.price_bands())
    }
}
