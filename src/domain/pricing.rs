//! What a hold costs: each seat at its block's price band, each general-admission place at
//! its pool's, summed per currency. Amounts are exact decimals; a sum keeps the scale of the
//! band prices it adds.
//!
//! # Caveats
//! - One price per band: ticket types, fees and discounts are not priced yet.

use std::collections::BTreeMap;

use super::hold::Hold;
use super::money::{Amount, Currency};
use super::seat_map::SeatingPlan;

impl Hold {
    /// Returns the nominal price of every seat and place of the hold, summed per currency.
    pub fn totals(&self, plan: &SeatingPlan) -> BTreeMap<Currency, Amount> {
        let mut totals: BTreeMap<Currency, Amount> = BTreeMap::new();
        let mut add = |currency: Currency, price: Amount, count: u32| {
            let total = totals.entry(currency).or_insert(Amount::zero(price.scale));
            for _ in 0..count {
                *total = *total + price;
            }
        };
        for &seat in &self.seats {
            let band = plan.locate(seat).price_band;
            add(band.currency, band.price, 1);
        }
        for place in &self.places {
            let pool = &plan.pools()[usize::from(place.pool)];
            let band = &plan.price_bands()[usize::from(pool.price_band)];
            add(band.currency, band.price, place.quantity);
        }
        totals
    }
}

/// Adds `more` into `totals`, currency by currency.
pub fn add_totals(totals: &mut BTreeMap<Currency, Amount>, more: BTreeMap<Currency, Amount>) {
    for (currency, amount) in more {
        let total = totals.entry(currency).or_insert(Amount::zero(amount.scale));
        *total = *total + amount;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test::plan_spec;
    use crate::domain::{
        ClientId, HoldState, PoolPlaces, SeatRequestStatus, Timestamp, TransactionId,
    };

    #[test]
    fn a_hold_costs_its_seats_and_places_at_their_band_prices() {
        let plan = SeatingPlan::build(plan_spec(&[&[(1, 4)]]), usize::MAX).expect("a plan");
        let hold = Hold {
            transaction: TransactionId(1),
            owner: ClientId::parse("shop").expect("an id"),
            ip: String::new(),
            seats: vec![0, 1],
            places: vec![PoolPlaces {
                pool: 0,
                quantity: 3,
            }],
            created_at: Timestamp(0),
            expires_at: Timestamp(1),
            state: HoldState::Held,
            seat_request_status: SeatRequestStatus::NotRequested,
            sale: None,
            renewals: 0,
        };
        let totals = hold.totals(&plan);
        let gbp = Currency::parse("GBP").expect("a currency");
        // Two seats at 65.00 (band A) and three places at 45.00 (band B).
        assert_eq!(totals[&gbp].to_string(), "265.00");
        let mut sum = totals.clone();
        add_totals(&mut sum, totals);
        assert_eq!(sum[&gbp].to_string(), "530.00");
    }
}
