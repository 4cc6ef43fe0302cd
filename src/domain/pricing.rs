//! What tickets cost: each ticket's `nominal` (its type's price in its band), `extra` (its
//! per-ticket fees), `discount` and `full` (= nominal + extra − discount), and a transaction's
//! totals per currency, which add the per-order fees.
//!
//! Money is rounded once, per ticket, to its currency's minor unit (half away from zero, see
//! [`Amount::rounded`]); totals are exact sums of rounded amounts, so a total always equals the
//! sum of the tickets shown plus the order's fees.
//!
//! A per-order fee is charged once per currency of the transaction: the fee codes of every
//! performance the transaction has tickets at in that currency, each code once, at the highest
//! amount any of those performances declares.
//!
//! A transaction's discount code ([`DiscountCode`]) takes money off the `nominal` of each
//! ticket it covers, never off fees; `full` never goes below the fees.
//!
//! # Caveats
//! - Every function here prices with the code it is given: whether the code may be used (its
//!   window, its uses left) is decided before, by whoever applies or completes with it.

use std::collections::BTreeMap;

use super::discount::DiscountCode;
use super::hold::Hold;
use super::money::{Amount, Currency};
use super::performance_info::PerformanceInfo;
use super::seat_map::SeatingPlan;

/// One ticket's money, or a sum of them, in one currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Breakdown {
    /// The ticket type's price.
    pub nominal: Amount,
    /// Fees.
    pub extra: Amount,
    /// What a discount takes off.
    pub discount: Amount,
    /// What the buyer pays: nominal + extra − discount.
    pub full: Amount,
}

impl Breakdown {
    /// Nothing, written with `scale` fraction digits.
    pub fn zero(scale: u8) -> Self {
        let zero = Amount::zero(scale);
        Self {
            nominal: zero,
            extra: zero,
            discount: zero,
            full: zero,
        }
    }

    /// Adds `other` into this sum.
    pub fn add(&mut self, other: Self) {
        self.nominal = self.nominal + other.nominal;
        self.extra = self.extra + other.extra;
        self.discount = self.discount + other.discount;
        self.full = self.full + other.full;
    }

    /// Adds a fee: to `extra` and to `full`.
    fn add_fee(&mut self, fee: Amount) {
        self.extra = self.extra + fee;
        self.full = self.full + fee;
    }
}

/// A priced ticket: its type, its currency and its money.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PricedTicket {
    /// The ticket type's index.
    pub ticket_type: u8,
    /// The currency of its band.
    pub currency: Currency,
    /// Its money.
    pub price: Breakdown,
    /// True when the discount code covers it: it is one use of the code.
    pub discounted: bool,
}

/// Prices one ticket of `ticket_type` in band `band` at a performance, with the transaction's
/// discount code if it has one.
pub fn price_ticket(
    info: &PerformanceInfo,
    plan: &SeatingPlan,
    ticket_type: u8,
    band: u16,
    discount: Option<&DiscountCode>,
) -> PricedTicket {
    let spec = &plan.price_bands()[usize::from(band)];
    let scale = spec.currency.minor_unit();
    // A hold only ever has types sold in its bands; the band price stands in otherwise.
    let types = info.ticket_types(plan);
    let nominal = types
        .price(ticket_type, band)
        .unwrap_or(spec.price)
        .rounded(scale);
    let mut price = Breakdown {
        nominal,
        extra: Amount::zero(scale),
        discount: Amount::zero(scale),
        full: nominal,
    };
    let discounted = discount
        .filter(|code| code.covers(info, &spec.code, spec.currency, types.code(ticket_type)));
    if let Some(code) = discounted {
        price.discount = code.discount_on(nominal, scale);
        price.full = nominal - price.discount;
    }
    for fee in info.fees.iter().filter_map(|fee| fee.per_ticket) {
        price.add_fee(fee.rounded(scale));
    }
    PricedTicket {
        ticket_type,
        currency: spec.currency,
        price,
        discounted: discounted.is_some(),
    }
}

impl Hold {
    /// Prices every ticket of the hold, in barcode order: its seats, then each place.
    pub fn priced(
        &self,
        info: &PerformanceInfo,
        plan: &SeatingPlan,
        discount: Option<&DiscountCode>,
    ) -> Vec<PricedTicket> {
        let mut priced = Vec::with_capacity(self.ticket_count() as usize);
        for (index, &seat) in self.seats.iter().enumerate() {
            let band = plan.block(seat).price_band;
            priced.push(price_ticket(
                info,
                plan,
                self.ticket_type(index),
                band,
                discount,
            ));
        }
        let mut index = self.seats.len();
        for place in &self.places {
            let band = plan.pools()[usize::from(place.pool)].price_band;
            for _ in 0..place.quantity {
                priced.push(price_ticket(
                    info,
                    plan,
                    self.ticket_type(index),
                    band,
                    discount,
                ));
                index += 1;
            }
        }
        priced
    }
}

/// One performance's part of a transaction, for [`transaction_totals`].
pub type PricedPart<'a> = (&'a PerformanceInfo, &'a SeatingPlan, &'a Hold);

/// Returns a transaction's totals per currency: its tickets summed (with `discount`, the
/// transaction's code), and each currency's per-order fees in `extra` and `full`.
pub fn transaction_totals<'a>(
    parts: impl IntoIterator<Item = PricedPart<'a>>,
    discount: Option<&DiscountCode>,
) -> BTreeMap<Currency, Breakdown> {
    let mut totals: BTreeMap<Currency, Breakdown> = BTreeMap::new();
    let mut order_fees: BTreeMap<(Currency, &'a str), Amount> = BTreeMap::new();
    for (info, plan, hold) in parts {
        for ticket in hold.priced(info, plan, discount) {
            let scale = ticket.currency.minor_unit();
            totals
                .entry(ticket.currency)
                .or_insert_with(|| Breakdown::zero(scale))
                .add(ticket.price);
            for fee in &info.fees {
                let Some(amount) = fee.per_order else {
                    continue;
                };
                let amount = amount.rounded(scale);
                order_fees
                    .entry((ticket.currency, fee.code.as_str()))
                    .and_modify(|highest| *highest = highest_of(*highest, amount))
                    .or_insert(amount);
            }
        }
    }
    for ((currency, _), fee) in order_fees {
        if let Some(total) = totals.get_mut(&currency) {
            total.add_fee(fee);
        }
    }
    totals
}

/// A transaction's per-order fees per currency: its totals' `extra` less its tickets' `extra`
/// (currencies without any left out).
pub fn order_fees<'a>(
    parts: impl IntoIterator<Item = PricedPart<'a>> + Clone,
    discount: Option<&DiscountCode>,
) -> BTreeMap<Currency, Amount> {
    let mut fees: BTreeMap<Currency, Amount> = transaction_totals(parts.clone(), discount)
        .iter()
        .map(|(&currency, total)| (currency, total.extra))
        .collect();
    for (info, plan, hold) in parts {
        for ticket in hold.priced(info, plan, discount) {
            if let Some(fee) = fees.get_mut(&ticket.currency) {
                *fee = *fee - ticket.price.extra;
            }
        }
    }
    fees.retain(|_, fee| fee.is_positive());
    fees
}

/// What a transaction costs at completion: the `full` total per currency, and how many of its
/// tickets its discount code covers (the uses the sale would count).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Quote {
    /// What is due, per currency.
    pub due: BTreeMap<Currency, Amount>,
    /// The tickets the code covers.
    pub discounted: u32,
}

/// Quotes a transaction's parts with its discount code.
pub fn quote<'a>(
    parts: impl IntoIterator<Item = PricedPart<'a>> + Clone,
    discount: Option<&DiscountCode>,
) -> Quote {
    let discounted = match discount {
        None => 0,
        Some(_) => parts
            .clone()
            .into_iter()
            .flat_map(|(info, plan, hold)| hold.priced(info, plan, discount))
            .filter(|ticket| ticket.discounted)
            .count() as u32,
    };
    let due = transaction_totals(parts, discount)
        .into_iter()
        .map(|(currency, total)| (currency, total.full))
        .collect();
    Quote { due, discounted }
}

fn highest_of(a: Amount, b: Amount) -> Amount {
    if a.min(b) == a { b } else { a }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test::plan_spec;
    use crate::domain::{
        ClientId, DiscountScope, EventId, EventInfo, Fee, HoldState, PerformanceId, PoolPlaces,
        Reduction, Rules, SeatRequestStatus, TicketType, Timestamp, TransactionId,
    };

    fn hold(seats: Vec<u32>, places: Vec<PoolPlaces>, ticket_types: Vec<u8>) -> Hold {
        Hold {
            transaction: TransactionId(1),
            owner: ClientId::parse("shop").expect("an id"),
            ip: String::new(),
            seats,
            places,
            created_at: Timestamp(0),
            expires_at: Timestamp(1),
            state: HoldState::Held,
            seat_request_status: SeatRequestStatus::NotRequested,
            sale: None,
            renewals: 0,
            ticket_types,
        }
    }

    fn info(types: Vec<TicketType>, fees: Vec<Fee>) -> PerformanceInfo {
        PerformanceInfo {
            id: PerformanceId::parse("p").expect("an id"),
            event: EventInfo {
                id: EventId::parse("e").expect("an id"),
                name: "E".into(),
                venue: String::new(),
                city: String::new(),
            },
            starts_at: Timestamp(1_000),
            hold_seconds: 60,
            rules: Rules::default(),
            ticket_types: types,
            fees,
        }
    }

    fn amount(text: &str) -> Amount {
        Amount::parse(text).expect("an amount")
    }

    #[test]
    fn without_types_or_fees_a_hold_costs_its_band_prices() {
        let plan = SeatingPlan::build(plan_spec(&[&[(1, 4)]]), usize::MAX).expect("a plan");
        let places = vec![PoolPlaces {
            pool: 0,
            quantity: 3,
        }];
        let info = info(Vec::new(), Vec::new());
        let hold = hold(vec![0, 1], places, Vec::new());
        let totals = transaction_totals([(&info, &plan, &hold)], None);
        let gbp = Currency::parse("GBP").expect("a currency");
        // Two seats at 65.00 (band A) and three places at 45.00 (band B).
        assert_eq!(totals[&gbp].full.to_string(), "265.00");
        assert_eq!(totals[&gbp].extra.to_string(), "0.00");
    }

    #[test]
    fn types_fees_and_per_order_fees_add_up_exactly() {
        let plan = SeatingPlan::build(plan_spec(&[&[(1, 4)]]), usize::MAX).expect("a plan");
        let bands = &plan.spec().price_bands;
        let types = vec![
            TicketType::resolve(
                "ADULT".into(),
                "Adult".into(),
                vec![("A".into(), amount("65")), ("B".into(), amount("45"))],
                bands,
            )
            .expect("a type"),
            TicketType::resolve(
                "CHILD".into(),
                "Child".into(),
                vec![("A".into(), amount("32.505"))],
                bands,
            )
            .expect("a type"),
        ];
        let fees = vec![
            Fee::new("booking".into(), Some(amount("1.5")), None).expect("a fee"),
            Fee::new("handling".into(), None, Some(amount("2.00"))).expect("a fee"),
        ];
        let info = info(types, fees);
        // An adult and a child seat in band A.
        let hold = hold(vec![0, 1], Vec::new(), vec![0, 1]);
        let priced = hold.priced(&info, &plan, None);
        assert_eq!(priced[1].ticket_type, 1);
        // 32.505 rounds half up to 32.51; the fee is written at the minor unit.
        assert_eq!(priced[1].price.nominal.to_string(), "32.51");
        assert_eq!(priced[1].price.extra.to_string(), "1.50");
        assert_eq!(priced[1].price.full.to_string(), "34.01");
        let totals = transaction_totals([(&info, &plan, &hold), (&info, &plan, &hold)], None);
        let gbp = Currency::parse("GBP").expect("a currency");
        // Twice (65.00 + 1.50 + 32.51 + 1.50), and the handling fee once.
        assert_eq!(totals[&gbp].nominal.to_string(), "195.02");
        assert_eq!(totals[&gbp].extra.to_string(), "8.00");
        assert_eq!(totals[&gbp].full.to_string(), "203.02");
        let empty = self::hold(Vec::new(), Vec::new(), Vec::new());
        assert!(transaction_totals([(&info, &plan, &empty)], None).is_empty());
    }

    #[test]
    fn a_code_takes_off_the_nominal_of_the_tickets_it_covers_and_never_the_fees() {
        let plan = SeatingPlan::build(plan_spec(&[&[(1, 4)]]), usize::MAX).expect("a plan");
        let bands = &plan.spec().price_bands;
        let types = vec![
            TicketType::resolve(
                "ADULT".into(),
                "Adult".into(),
                vec![("A".into(), amount("65"))],
                bands,
            )
            .expect("a type"),
            TicketType::resolve(
                "CHILD".into(),
                "Child".into(),
                vec![("A".into(), amount("32.50"))],
                bands,
            )
            .expect("a type"),
        ];
        let fees = vec![Fee::new("booking".into(), Some(amount("1.50")), None).expect("a fee")];
        let info = info(types, fees);
        let hold = hold(vec![0, 1], Vec::new(), vec![0, 1]);
        let children = DiscountCode::new(
            "KIDS",
            Reduction::Percent(amount("12.5")),
            None,
            None,
            None,
            DiscountScope {
                ticket_types: vec!["CHILD".into()],
                ..DiscountScope::default()
            },
        )
        .expect("a code");
        let priced = hold.priced(&info, &plan, Some(&children));
        assert!(!priced[0].discounted);
        assert!(priced[1].discounted);
        // 12.5% of 32.50 is 4.0625: 4.06 off, the fee untouched.
        assert_eq!(priced[1].price.discount.to_string(), "4.06");
        assert_eq!(priced[1].price.full.to_string(), "29.94");
        let quoted = quote([(&info, &plan, &hold)], Some(&children));
        assert_eq!(quoted.discounted, 1);
        let gbp = Currency::parse("GBP").expect("a currency");
        // 66.50 + 34.00 − 4.06.
        assert_eq!(quoted.due[&gbp].to_string(), "96.44");
        // An amount off larger than a price takes the price, not the fee.
        let big = DiscountCode::new(
            "BIG",
            Reduction::AmountOff {
                amount: amount("40"),
                currency: gbp,
            },
            None,
            None,
            None,
            DiscountScope::default(),
        )
        .expect("a code");
        let priced = hold.priced(&info, &plan, Some(&big));
        assert_eq!(priced[1].price.discount.to_string(), "32.50");
        assert_eq!(priced[1].price.full.to_string(), "1.50");
        let totals = transaction_totals([(&info, &plan, &hold)], Some(&big));
        assert_eq!(totals[&gbp].discount.to_string(), "72.50");
    }
}
