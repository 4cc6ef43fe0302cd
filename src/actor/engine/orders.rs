//! Orders and people, as the coordinator keeps them.

use super::{Engine, Order, TransactionView};
use crate::actor::coordinator::{Caller, Route, customer_of};
use crate::actor::error::EngineError;
use crate::actor::messages::GetHold;
use crate::domain::OrderNumber;
use crate::domain::Person;
use crate::persistence::OrderRecord;

impl Engine {
    /// Reads an order.
    ///
    /// # Errors
    /// `NotFound` for an unknown order, `Forbidden` for another client's.
    pub async fn order(&self, caller: &Caller, number: OrderNumber) -> Result<Order, EngineError> {
        let record = {
            let coordination = self.coordination();
            let record = coordination
                .coordinator
                .order(number)
                .cloned()
                .ok_or_else(|| EngineError::not_found("order", number))?;
            if !coordination
                .coordinator
                .may_see_order(caller, &record.client, &record.performances)
            {
                return Err(EngineError::Forbidden { what: "order" });
            }
            record
        };
        self.order_view(record).await
    }

    /// Renders an order with its holds as the performances hold them now.
    pub(super) async fn order_view(&self, record: OrderRecord) -> Result<Order, EngineError> {
        let route = Route {
            owner: record.client.clone(),
            performances: record.performances.clone(),
        };
        let transaction = record.transaction;
        let holds = self.each_hold(&route, || GetHold { transaction }).await?;
        let refunds = self
            .coordination()
            .coordinator
            .refunds_of(record.number)
            .to_vec();
        let mut order = order_of(record, self.view(transaction, holds)?);
        order.refunds = refunds;
        Ok(order)
    }

    /// Reads the people record of `email` (lower-cased).
    ///
    /// # Errors
    /// `NotFound` when there is none.
    pub fn person(&self, email: &str) -> Result<Person, EngineError> {
        self.coordination()
            .coordinator
            .person(email)
            .cloned()
            .ok_or_else(|| EngineError::not_found("person", email))
    }
}

/// An order record with its transaction's holds.
pub(super) fn order_of(record: OrderRecord, transaction: TransactionView) -> Order {
    Order {
        customer: customer_of(&record),
        number: record.number,
        transaction,
        client: record.client,
        created_at: record.created_at,
        payment: record.payment,
        refunds: Vec::new(),
    }
}
