//! Refunds (`POST /orders/{number}/refunds`): the tickets named are found in the order's sold
//! holds and priced as sold, the coordinator decides the refund, and its steps (the record,
//! then each performance) run in a task of their own, so a client that disconnects cannot
//! leave one half made.

use std::sync::Arc;

use super::{Engine, Order};
use crate::actor::coordinator::{Caller, OrderTicket, Refund, RefundRequest, RefundStep};
use crate::actor::error::EngineError;
use crate::actor::messages::{HoldView, RefundTickets};
use crate::domain::{OrderNumber, Payment, PerformanceId, TicketId, barcode_key, order_fees};
use crate::persistence::{Batch, Record, RefundRecord};

/// What a caller asks to refund, as given.
#[derive(Clone, Debug)]
pub struct RefundAsked {
    /// Seat ticket ids or barcodes; every ticket not refunded yet when `None`.
    pub tickets: Option<Vec<String>>,
    /// How it is paid back.
    pub payment: Option<Payment>,
    /// Why.
    pub reason: String,
    /// Withhold the seats rather than put them back on sale.
    pub withhold: bool,
}

impl Engine {
    /// Refunds tickets of an order (all of them when none are named); answers the order as
    /// it is after and the refund made, once both are durable.
    ///
    /// # Errors
    /// As [`Engine::order`]; `RuleViolation` for a ticket not of the order, a payment method
    /// not accepted or an amount not what is paid back; `InvalidState` for a ticket refunded
    /// before or while the order is being refunded.
    pub async fn refund(
        self: &Arc<Self>,
        caller: &Caller,
        number: OrderNumber,
        asked: RefundAsked,
    ) -> Result<(Order, RefundRecord), EngineError> {
        if let Some(payment) = &asked.payment
            && !self.payment_methods.iter().any(|m| m == payment.method())
        {
            return Err(EngineError::UnknownPaymentMethod {
                method: payment.method().to_owned(),
            });
        }
        let order = self.order(caller, number).await?;
        let holds = &order.transaction.holds;
        let discount = order.transaction.discount.as_deref();
        let tickets = asked
            .tickets
            .as_ref()
            .map(|tickets| {
                tickets
                    .iter()
                    .map(|ticket| find_ticket(holds, ticket, number))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        let priced: Vec<OrderTicket> = holds
            .iter()
            .flat_map(|view| {
                view.hold
                    .priced(&view.performance, &view.plan, discount)
                    .into_iter()
                    .enumerate()
                    .map(|(index, ticket)| OrderTicket {
                        performance: view.performance.id.clone(),
                        index: index as u32,
                        currency: ticket.currency,
                        full: ticket.price.full,
                    })
            })
            .collect();
        let fees = order_fees(
            holds
                .iter()
                .map(|view| (view.performance.as_ref(), view.plan.as_ref(), &view.hold)),
            discount,
        );
        let request = RefundRequest {
            tickets,
            payment: asked.payment,
            reason: asked.reason,
            withhold: asked.withhold,
        };
        let run = self.coordination().coordinator.begin_refund(
            caller,
            number,
            request,
            &priced,
            &fees,
            self.clock.now(),
        )?;
        let engine = Arc::clone(self);
        let task = actix_rt::spawn(async move { engine.run_refund(run).await });
        let record = task.await.map_err(|_| EngineError::Unavailable)??;
        Ok((self.order(caller, number).await?, record))
    }

    /// Executes a refund's steps until it finishes.
    async fn run_refund(&self, mut run: Refund) -> Result<RefundRecord, EngineError> {
        let mut step = self.coordination().coordinator.refund_step(&run);
        loop {
            let outcome = match step {
                RefundStep::Finished(result) => return result,
                RefundStep::Commit(record) => {
                    self.write(Batch {
                        records: vec![Record::Refund(record)],
                        ..Batch::default()
                    })
                    .await
                }
                RefundStep::Perform {
                    performance,
                    transaction,
                    tickets,
                    withhold,
                } => match self.registry.get(&performance) {
                    Ok(handle) => handle
                        .send_unbounded(RefundTickets {
                            transaction,
                            tickets,
                            withhold,
                        })
                        .await
                        .map(|_| ()),
                    Err(error) => Err(error),
                },
            };
            step = self
                .coordination()
                .coordinator
                .advance_refund(&mut run, outcome);
        }
    }
}

/// Finds a ticket of an order's holds by its seat ticket id or its barcode.
fn find_ticket(
    holds: &[HoldView],
    ticket: &str,
    order: OrderNumber,
) -> Result<(PerformanceId, u32), EngineError> {
    let not_in_order = || EngineError::TicketNotInOrder { order };
    if barcode_key(ticket).is_some() {
        for view in holds {
            let sale = view.hold.sale.as_ref();
            if let Some(index) =
                sale.and_then(|sale| sale.barcodes.iter().position(|b| b == ticket))
            {
                return Ok((view.performance.id.clone(), index as u32));
            }
        }
        return Err(not_in_order());
    }
    let id = TicketId::parse(ticket)?;
    let view = holds
        .iter()
        .find(|view| view.performance.id == id.performance)
        .ok_or_else(not_in_order)?;
    let seat = view.plan.find_seat(&id.seat).ok_or_else(not_in_order)?;
    let index = view
        .hold
        .seats
        .iter()
        .position(|&held| held == seat)
        .ok_or_else(not_in_order)?;
    Ok((id.performance, index as u32))
}
