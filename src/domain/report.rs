//! Sales and takings reports: sold tickets summed by a key (performance, band, ticket type,
//! payment method, client or day), per currency, from the orders as sold.
//!
//! A report is a pure function of the sold orders, so it is the same however often it is
//! asked for, and its rows always add up to the orders' totals: each ticket counts once, at
//! its `nominal` / `extra` / `discount` / `full`, and an order's per-order fees count once, in
//! the row of its first ticket (barcode order at its first performance). Takings are the
//! payments recorded with the orders, by method and currency.
//!
//! # Caveats
//! - Refunds are not built yet: `refunded_tickets` and `refunded` are always zero.
//! - An order completed without a payment counts under the method `unrecorded` in sales,
//!   and not at all in takings: the engine does not know what it received.
//! - Filters by event or performance keep the tickets there; takings then count the whole
//!   payment of every order with a ticket kept.

use std::collections::BTreeMap;

use super::discount::DiscountCode;
use super::hold::Hold;
use super::ids::{ClientId, EventId, OrderNumber, PerformanceId, Timestamp};
use super::money::{Amount, Currency};
use super::payment::Payment;
use super::performance_info::PerformanceInfo;
#[cfg(test)]
use super::pricing::transaction_totals;
use super::pricing::{Breakdown, order_fees};
use super::seat_map::SeatingPlan;

/// The method of an order completed without a payment.
pub const UNRECORDED_METHOD: &str = "unrecorded";

const DAY_MILLIS: i64 = 86_400_000;

/// What a sales report groups by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    /// The performance id.
    Performance,
    /// The price band code.
    PriceBand,
    /// The ticket type code.
    TicketType,
    /// The order's payment method.
    PaymentMethod,
    /// The client that sold it.
    Client,
    /// The day (UTC) the order was completed.
    Day,
}

/// Which sales a report counts; every part optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportFilter {
    /// Only tickets of this event's performances.
    pub event: Option<EventId>,
    /// Only tickets of this performance.
    pub performance: Option<PerformanceId>,
    /// Only orders completed at or after this.
    pub from: Option<Timestamp>,
    /// Only orders completed before this.
    pub to: Option<Timestamp>,
    /// When not empty, takings count only orders whose every ticket is at these events'
    /// performances: an organizer's takings never include what was paid for another
    /// organizer's tickets in the same basket (its sales report shows its own tickets of such
    /// an order).
    pub whole_orders_within: Vec<EventId>,
}

impl ReportFilter {
    fn keeps_order(&self, at: Timestamp) -> bool {
        self.from.is_none_or(|from| at >= from) && self.to.is_none_or(|to| at < to)
    }

    fn keeps_ticket_at(&self, info: &PerformanceInfo) -> bool {
        self.event
            .as_ref()
            .is_none_or(|event| *event == info.event.id)
            && self.performance.as_ref().is_none_or(|id| *id == info.id)
    }
}

/// A sold order with its holds, as a report reads it.
#[derive(Clone, Debug)]
pub struct SoldOrder<'a> {
    /// The order's number.
    pub number: OrderNumber,
    /// The client that completed it.
    pub client: &'a ClientId,
    /// When it was completed.
    pub created_at: Timestamp,
    /// How it was paid, when the completion said.
    pub payment: Option<&'a Payment>,
    /// The discount code its tickets were priced with.
    pub discount: Option<&'a DiscountCode>,
    /// Its refunds.
    pub refunds: Vec<RefundLine<'a>>,
    /// Its holds, one per performance, in performance id order.
    pub parts: Vec<(&'a PerformanceInfo, &'a SeatingPlan, &'a Hold)>,
}

/// A refund of some of an order's tickets, as a report reads it.
#[derive(Clone, Debug)]
pub struct RefundLine<'a> {
    /// The tickets: (performance, index among its hold's barcodes).
    pub tickets: &'a [(PerformanceId, u32)],
    /// The per-order fees it paid back.
    pub order_fees: Amount,
    /// Its currency.
    pub currency: Currency,
    /// What it paid back in all.
    pub amount: Amount,
    /// How, when known.
    pub payment: Option<&'a Payment>,
}

impl SoldOrder<'_> {
    fn is_refunded(&self, performance: &PerformanceId, index: usize) -> bool {
        self.refunds.iter().any(|refund| {
            refund
                .tickets
                .iter()
                .any(|(at, ticket)| at == performance && *ticket as usize == index)
        })
    }
}

/// A row's key: text, or a day (days since 1970-01-01, UTC) that the caller writes as a date.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReportKey {
    /// A code, id or method.
    Text(String),
    /// A day.
    Day(i64),
}

/// One row of a sales report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SalesRow {
    /// What the row sums.
    pub key: ReportKey,
    /// In this currency.
    pub currency: Currency,
    /// Tickets sold.
    pub tickets: u64,
    /// Their money, with the per-order fees of orders whose first ticket is here.
    pub money: Breakdown,
    /// Tickets refunded (always 0: refunds are not built yet).
    pub refunded_tickets: u64,
    /// Money refunded.
    pub refunded: Amount,
}

/// One row of a takings report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TakingsRow {
    /// The payment method.
    pub payment_method: String,
    /// In this currency.
    pub currency: Currency,
    /// What the payments recorded.
    pub received: Amount,
    /// What refunds paid back.
    pub refunded: Amount,
}

/// Sums the sold tickets of `orders` that `filter` keeps, by `group_by` and currency, sorted
/// by key then currency.
pub fn sales_report(
    orders: &[SoldOrder<'_>],
    filter: &ReportFilter,
    group_by: GroupBy,
) -> Vec<SalesRow> {
    let mut rows: BTreeMap<(ReportKey, Currency), SalesRow> = BTreeMap::new();
    for order in orders
        .iter()
        .filter(|order| filter.keeps_order(order.created_at))
    {
        let method = order
            .payment
            .map_or(UNRECORDED_METHOD, |payment| payment.method());
        let order_fees = per_order_fees(order);
        let mut fees_counted = false;
        for &(info, plan, hold) in &order.parts {
            let priced = hold.priced(info, plan, order.discount);
            for (index, ticket) in priced.iter().enumerate() {
                let first_of_order = !fees_counted;
                fees_counted = true;
                if !filter.keeps_ticket_at(info) {
                    continue;
                }
                let key = match group_by {
                    GroupBy::Performance => ReportKey::Text(info.id.to_string()),
                    GroupBy::PriceBand => {
                        let band = band_of(hold, plan, index);
                        ReportKey::Text(plan.price_bands()[usize::from(band)].code.clone())
                    }
                    GroupBy::TicketType => {
                        ReportKey::Text(info.ticket_types(plan).code(ticket.ticket_type).to_owned())
                    }
                    GroupBy::PaymentMethod => ReportKey::Text(method.to_owned()),
                    GroupBy::Client => ReportKey::Text(order.client.to_string()),
                    GroupBy::Day => ReportKey::Day(order.created_at.0.div_euclid(DAY_MILLIS)),
                };
                let refunded = order.is_refunded(&info.id, index);
                let mut add = |currency: Currency, tickets: u64, money: Breakdown, back: Amount| {
                    let scale = currency.minor_unit();
                    let row = rows
                        .entry((key.clone(), currency))
                        .or_insert_with(|| SalesRow {
                            key: key.clone(),
                            currency,
                            tickets: 0,
                            money: Breakdown::zero(scale),
                            refunded_tickets: 0,
                            refunded: Amount::zero(scale),
                        });
                    row.tickets += tickets;
                    row.money.add(money);
                    row.refunded = row.refunded + back;
                    if refunded && tickets > 0 {
                        row.refunded_tickets += 1;
                    }
                };
                let back = if refunded {
                    ticket.price.full
                } else {
                    Amount::zero(ticket.currency.minor_unit())
                };
                add(ticket.currency, 1, ticket.price, back);
                if first_of_order {
                    for (&currency, &fees) in &order_fees {
                        let mut money = Breakdown::zero(currency.minor_unit());
                        money.extra = fees;
                        money.full = fees;
                        let fees_back = order
                            .refunds
                            .iter()
                            .filter(|refund| refund.currency == currency)
                            .fold(Amount::zero(currency.minor_unit()), |sum, refund| {
                                sum + refund.order_fees
                            });
                        add(currency, 0, money, fees_back);
                    }
                }
            }
        }
    }
    rows.into_values().collect()
}

/// Sums the payments of the orders `filter` keeps (those with a kept ticket), by method and
/// currency.
pub fn takings_report(orders: &[SoldOrder<'_>], filter: &ReportFilter) -> Vec<TakingsRow> {
    let mut rows: BTreeMap<(String, Currency), TakingsRow> = BTreeMap::new();
    for order in orders
        .iter()
        .filter(|order| filter.keeps_order(order.created_at))
    {
        let kept = order
            .parts
            .iter()
            .any(|&(info, _, hold)| filter.keeps_ticket_at(info) && hold.ticket_count() > 0);
        let shared = !filter.whole_orders_within.is_empty()
            && order.parts.iter().any(|&(info, _, hold)| {
                hold.ticket_count() > 0 && !filter.whole_orders_within.contains(&info.event.id)
            });
        if !kept || shared {
            continue;
        }
        if let Some(payment) = order.payment {
            let row = takings_row(&mut rows, payment);
            row.received = row.received + payment.amount();
        }
        for payment in order.refunds.iter().filter_map(|refund| refund.payment) {
            let row = takings_row(&mut rows, payment);
            row.refunded = row.refunded + payment.amount();
        }
    }
    rows.into_values().collect()
}

/// The takings row of `payment`'s method and currency.
fn takings_row<'r>(
    rows: &'r mut BTreeMap<(String, Currency), TakingsRow>,
    payment: &Payment,
) -> &'r mut TakingsRow {
    let currency = payment.currency();
    rows.entry((payment.method().to_owned(), currency))
        .or_insert_with(|| TakingsRow {
            payment_method: payment.method().to_owned(),
            currency,
            received: Amount::zero(currency.minor_unit()),
            refunded: Amount::zero(currency.minor_unit()),
        })
}

/// The order's per-order fees per currency.
fn per_order_fees(order: &SoldOrder<'_>) -> BTreeMap<Currency, Amount> {
    order_fees(order.parts.iter().copied(), order.discount)
}

/// The band of the hold's ticket with barcode index `index`.
fn band_of(hold: &Hold, plan: &SeatingPlan, index: usize) -> u16 {
    if let Some(&seat) = hold.seats.get(index) {
        return plan.block(seat).price_band;
    }
    let mut first = hold.seats.len();
    for place in &hold.places {
        if index < first + place.quantity as usize {
            return plan.pools()[usize::from(place.pool)].price_band;
        }
        first += place.quantity as usize;
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::test::plan_spec;
    use crate::domain::{
        EventInfo, Fee, HoldState, PoolPlaces, Rules, SeatRequestStatus, TicketType, TransactionId,
    };

    fn amount(text: &str) -> Amount {
        Amount::parse(text).expect("an amount")
    }

    fn info(id: &str, plan: &SeatingPlan) -> PerformanceInfo {
        let bands = &plan.spec().price_bands;
        let prices = vec![("A".into(), amount("65")), ("B".into(), amount("45"))];
        PerformanceInfo {
            id: PerformanceId::parse(id).expect("an id"),
            event: EventInfo {
                id: EventId::parse("show").expect("an id"),
                name: "Show".into(),
                venue: String::new(),
                city: String::new(),
            },
            starts_at: Timestamp(10 * DAY_MILLIS),
            hold_seconds: 60,
            rules: Rules::default(),
            ticket_types: vec![
                TicketType::resolve("ADULT".into(), "Adult".into(), prices, bands).expect("a type"),
                TicketType::resolve(
                    "CHILD".into(),
                    "Child".into(),
                    vec![("A".into(), amount("30"))],
                    bands,
                )
                .expect("a type"),
            ],
            fees: vec![
                Fee::new("booking".into(), Some(amount("1.50")), None).expect("a fee"),
                Fee::new("handling".into(), None, Some(amount("2.00"))).expect("a fee"),
            ],
        }
    }

    fn sold(seats: Vec<u32>, places: u32, ticket_types: Vec<u8>) -> Hold {
        Hold {
            transaction: TransactionId(1),
            owner: ClientId::parse("shop").expect("an id"),
            ip: String::new(),
            seats,
            places: if places > 0 {
                vec![PoolPlaces {
                    pool: 0,
                    quantity: places,
                }]
            } else {
                Vec::new()
            },
            created_at: Timestamp(0),
            expires_at: Timestamp(1),
            state: HoldState::Sold,
            seat_request_status: SeatRequestStatus::NotRequested,
            sale: None,
            renewals: 0,
            ticket_types,
        }
    }

    #[test]
    fn every_grouping_adds_up_to_the_orders_totals_with_order_fees_once() {
        let plan = SeatingPlan::build(plan_spec(&[&[(1, 4)]]), usize::MAX).expect("a plan");
        let (first, second) = (info("p1", &plan), info("p2", &plan));
        let shop = ClientId::parse("shop").expect("an id");
        let card = Payment::new(
            "card",
            "ch_1",
            amount("133.00"),
            Currency::parse("GBP").expect("GBP"),
        )
        .expect("a payment");
        let ten_percent = DiscountCode::new(
            "TEN",
            crate::domain::Reduction::Percent(amount("10")),
            None,
            None,
            None,
            crate::domain::DiscountScope::default(),
        )
        .expect("a code");
        // An adult and a child at p1 with two standing places at p2, paid by card; then a
        // seat at p2 on the next day, with no payment and 10% off.
        let (adult_and_child, standing, later) = (
            sold(vec![0, 1], 0, vec![0, 1]),
            sold(Vec::new(), 2, Vec::new()),
            sold(vec![2], 0, Vec::new()),
        );
        let orders = [
            SoldOrder {
                number: OrderNumber(1),
                client: &shop,
                created_at: Timestamp(0),
                payment: Some(&card),
                discount: None,
                refunds: Vec::new(),
                parts: vec![
                    (&first, &plan, &adult_and_child),
                    (&second, &plan, &standing),
                ],
            },
            SoldOrder {
                number: OrderNumber(2),
                client: &shop,
                created_at: Timestamp(DAY_MILLIS),
                payment: None,
                discount: Some(&ten_percent),
                refunds: Vec::new(),
                parts: vec![(&second, &plan, &later)],
            },
        ];
        let expected: Amount = orders
            .iter()
            .map(|order| transaction_totals(order.parts.iter().copied(), order.discount))
            .flat_map(BTreeMap::into_values)
            .fold(Amount::zero(2), |sum, total| sum + total.full);
        // 66.50 + 31.50 + 2 × 46.50 + 2.00, and 66.50 − 6.50 (10% off 65.00) + 2.00.
        assert_eq!(expected.to_string(), "255.00");
        let all = ReportFilter::default();
        for group_by in [
            GroupBy::Performance,
            GroupBy::PriceBand,
            GroupBy::TicketType,
            GroupBy::PaymentMethod,
            GroupBy::Client,
            GroupBy::Day,
        ] {
            let rows = sales_report(&orders, &all, group_by);
            let full = rows
                .iter()
                .fold(Amount::zero(2), |sum, row| sum + row.money.full);
            assert_eq!(full, expected, "{group_by:?}");
            assert_eq!(rows.iter().map(|row| row.tickets).sum::<u64>(), 5);
        }
        // The first order's handling fee is with its first ticket, at p1.
        let by_performance = sales_report(&orders, &all, GroupBy::Performance);
        assert_eq!(by_performance[0].money.extra.to_string(), "5.00");
        assert_eq!(by_performance[1].money.extra.to_string(), "6.50");
        // Filtered to p2, the first order's fee stays out with its first ticket.
        let p2 = ReportFilter {
            performance: Some(second.id.clone()),
            ..ReportFilter::default()
        };
        let rows = sales_report(&orders, &p2, GroupBy::Day);
        assert_eq!(rows[0].key, ReportKey::Day(0));
        assert_eq!(rows[0].money.full.to_string(), "93.00");
        assert_eq!(rows[1].money.full.to_string(), "62.00");
        assert_eq!(rows[1].money.discount.to_string(), "6.50");
        let takings = takings_report(&orders, &all);
        assert_eq!(takings.len(), 1, "the unpaid order is not takings");
        assert_eq!(takings[0].received.to_string(), "133.00");
    }
}
