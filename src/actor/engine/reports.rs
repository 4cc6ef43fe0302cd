//! Reports of sales and takings: every performance's sold holds, read in one message per
//! performance, joined with the orders the coordinator keeps, then summed by the domain
//! (`domain::report`), which is where the rules of a report live.
//!
//! # Caveats
//! - A report reads every sold hold of every performance: its cost grows with the sales on
//!   record, and it is meant for an admin, not for a page that polls.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::Engine;
use crate::actor::error::EngineError;
use crate::actor::messages::{GetSoldHolds, SoldHolds};
use crate::domain::{
    DiscountCode, GroupBy, OrderNumber, RefundLine, ReportFilter, SalesRow, SoldOrder, TakingsRow,
    sales_report, takings_report,
};
use crate::persistence::{OrderRecord, RefundRecord};

impl Engine {
    /// Sums the sales `filter` keeps by `group_by` and currency.
    ///
    /// # Errors
    /// `NotFound` for a filter's unknown event or performance; an error when a performance
    /// cannot be read (halted, shutting down).
    pub async fn sales_report(
        &self,
        filter: &ReportFilter,
        group_by: GroupBy,
    ) -> Result<Vec<SalesRow>, EngineError> {
        self.check_filter(filter)?;
        let sales = self.sold().await?;
        Ok(sales_report(&sales.orders(), filter, group_by))
    }

    /// Sums the payments of the orders `filter` keeps by method and currency.
    ///
    /// # Errors
    /// As [`Engine::sales_report`].
    pub async fn takings_report(
        &self,
        filter: &ReportFilter,
    ) -> Result<Vec<TakingsRow>, EngineError> {
        self.check_filter(filter)?;
        let sales = self.sold().await?;
        Ok(takings_report(&sales.orders(), filter))
    }

    /// Refuses a filter that names an event or performance the catalogue lacks.
    fn check_filter(&self, filter: &ReportFilter) -> Result<(), EngineError> {
        if let Some(event) = &filter.event
            && !self.events.contains_key(event)
        {
            return Err(EngineError::not_found("event", event));
        }
        if let Some(performance) = &filter.performance
            && !self.registry.contains(performance)
        {
            return Err(EngineError::not_found("performance", performance));
        }
        Ok(())
    }

    /// Every performance's sold holds, in performance id order, the orders they belong to, and
    /// the discount codes those were priced with.
    async fn sold(&self) -> Result<Sales, EngineError> {
        let mut infos = self.registry.infos();
        infos.sort_by(|a, b| a.id.cmp(&b.id));
        let mut sold = Vec::with_capacity(infos.len());
        for info in infos {
            sold.push(self.registry.get(&info.id)?.send(GetSoldHolds).await?);
        }
        let mut numbers: Vec<OrderNumber> = sold
            .iter()
            .flat_map(|performance| &performance.holds)
            .filter_map(|hold| hold.sale.as_ref().map(|sale| sale.order_number))
            .collect();
        numbers.sort_unstable();
        numbers.dedup();
        let coordination = self.coordination();
        let orders = coordination.coordinator.orders_numbered(numbers);
        let codes = orders
            .iter()
            .filter_map(|order| order.discount_code.as_deref())
            .filter_map(|code| coordination.coordinator.discount(code))
            .map(|code| (code.code.clone(), code))
            .collect();
        let refunds = orders
            .iter()
            .map(|order| {
                let refunds = coordination.coordinator.refunds_of(order.number).to_vec();
                (order.number, refunds)
            })
            .filter(|(_, refunds)| !refunds.is_empty())
            .collect();
        Ok(Sales {
            sold,
            orders,
            codes,
            refunds,
        })
    }
}

/// What a report reads: sold holds, their orders, the orders' discount codes by code, and
/// their refunds by order.
struct Sales {
    sold: Vec<SoldHolds>,
    orders: Vec<OrderRecord>,
    codes: BTreeMap<String, Arc<DiscountCode>>,
    refunds: BTreeMap<OrderNumber, Vec<RefundRecord>>,
}

impl Sales {
    /// Joins sold holds to their orders: one [`SoldOrder`] per order, its parts in performance
    /// id order, orders in number order.
    fn orders(&self) -> Vec<SoldOrder<'_>> {
        sold_orders(&self.sold, &self.orders, &self.codes, &self.refunds)
    }
}

fn sold_orders<'a>(
    sold: &'a [SoldHolds],
    orders: &'a [OrderRecord],
    codes: &'a BTreeMap<String, Arc<DiscountCode>>,
    refunds: &'a BTreeMap<OrderNumber, Vec<RefundRecord>>,
) -> Vec<SoldOrder<'a>> {
    let mut by_number: BTreeMap<OrderNumber, SoldOrder<'a>> = orders
        .iter()
        .map(|order| {
            let sold_order = SoldOrder {
                number: order.number,
                client: &order.client,
                created_at: order.created_at,
                payment: order.payment.as_ref(),
                discount: order
                    .discount_code
                    .as_ref()
                    .and_then(|code| codes.get(code))
                    .map(AsRef::as_ref),
                refunds: refunds
                    .get(&order.number)
                    .into_iter()
                    .flatten()
                    .map(|refund| RefundLine {
                        tickets: &refund.tickets,
                        order_fees: refund.order_fees,
                        currency: refund.currency,
                        amount: refund.amount,
                        payment: refund.payment.as_ref(),
                    })
                    .collect(),
                parts: Vec::new(),
            };
            (order.number, sold_order)
        })
        .collect();
    for performance in sold {
        for hold in &performance.holds {
            let number = hold.sale.as_ref().map(|sale| sale.order_number);
            if let Some(order) = number.and_then(|number| by_number.get_mut(&number)) {
                order
                    .parts
                    .push((&performance.performance, &performance.plan, hold));
            }
        }
    }
    by_number.into_values().collect()
}
