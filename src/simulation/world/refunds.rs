//! Refunds in a seeded run: clients refund orders they were told of (some tickets or all,
//! now and then withholding the seats), served as the engine's `refund` does and driven one
//! coordinator step at a time, with crashes and I/O errors between any two. The promise,
//! checked after every step and every recovery: every ticket whose refund was acknowledged is
//! refunded at its performance (its seat off the sale, its barcode admitting no more), and an
//! order never pays back more than it took.

use super::*;
use crate::actor::{OrderTicket, Refund, RefundRequest, RefundStep};
use crate::domain::{TicketRef, order_fees};

/// A refund in flight, driven by the coordinator's steps.
pub(super) struct RefundRun {
    refund: Refund,
    step: Option<RefundStep>,
    pending: Option<Pending>,
    /// The request that began it.
    caller: (u64, usize),
}

impl World {
    /// A refund of a told order of the client's (any told order for client 0, the box
    /// office): every ticket left, or one.
    pub(super) fn choose_refund(&mut self, client: usize) -> Option<Request> {
        let caller = &self.clients[client].id;
        let mine: Vec<OrderNumber> = self
            .orders_told
            .keys()
            .filter(|number| {
                client == 0
                    || self
                        .node
                        .coordinator
                        .order(**number)
                        .is_some_and(|order| order.client == *caller)
            })
            .copied()
            .collect();
        if mine.is_empty() {
            return None;
        }
        let order = mine[self.rng.below(mine.len())];
        let record = self.node.coordinator.order(order)?;
        let tickets = if self.rng.chance(50) {
            None
        } else {
            let performance = &record.performances[self.rng.below(record.performances.len())];
            let index = index_of(performance).ok()?;
            let hold = self.node.cores[index]
                .performance()
                .hold(record.transaction)?;
            let count = hold.ticket_count().max(1) as usize;
            Some(vec![(index, self.rng.below(count) as u32)])
        };
        Some(Request::Refund {
            order,
            tickets,
            withhold: self.rng.chance(20),
        })
    }

    /// Decides a refund as the engine's `refund`; `None` when it began (its run answers).
    pub(super) fn serve_refund(
        &mut self,
        caller: &Caller,
        request: &Request,
        id: u64,
        client: usize,
    ) -> Option<Served> {
        let Request::Refund {
            order,
            tickets,
            withhold,
        } = request
        else {
            return Some(Err(EngineError::Unavailable));
        };
        match self.begin_refund(caller, *order, tickets.as_deref(), *withhold) {
            Err(error) => Some(Err(error)),
            Ok(refund) => {
                let step = self.node.coordinator.refund_step(&refund);
                self.node.refunds.push(RefundRun {
                    refund,
                    step: Some(step),
                    pending: None,
                    caller: (id, client),
                });
                None
            }
        }
    }

    fn begin_refund(
        &mut self,
        caller: &Caller,
        number: OrderNumber,
        tickets: Option<&[(usize, u32)]>,
        withhold: bool,
    ) -> Result<Refund, EngineError> {
        let order = self
            .node
            .coordinator
            .order(number)
            .cloned()
            .ok_or_else(|| EngineError::not_found("order", number))?;
        let discount = self
            .node
            .coordinator
            .discount_of(order.transaction)
            .map_err(EngineError::from)?;
        let mut parts = Vec::new();
        for performance in &order.performances {
            let inventory = self.node.cores[index_of(performance)?].performance();
            if let Some(hold) = inventory.hold(order.transaction) {
                parts.push((inventory.info(), inventory.plan(), hold));
            }
        }
        let priced: Vec<OrderTicket> = parts
            .iter()
            .flat_map(|&(info, plan, hold)| {
                hold.priced(info, plan, discount.as_deref())
                    .into_iter()
                    .enumerate()
                    .map(|(index, ticket)| OrderTicket {
                        performance: info.id.clone(),
                        index: index as u32,
                        currency: ticket.currency,
                        full: ticket.price.full,
                    })
            })
            .collect();
        let fees = order_fees(parts.iter().copied(), discount.as_deref());
        let tickets = tickets
            .map(|tickets| {
                tickets
                    .iter()
                    .map(|&(performance, index)| Ok((performance_id(performance)?, index)))
                    .collect::<Result<Vec<_>, EngineError>>()
            })
            .transpose()?;
        let request = RefundRequest {
            tickets,
            payment: None,
            reason: "simulated".into(),
            withhold,
        };
        let now = self.node.cores[0].now();
        self.node
            .coordinator
            .begin_refund(caller, number, request, &priced, &fees, now)
    }

    /// Carries out the next step of a refund in flight whose last step is settled.
    pub(super) fn drive_refund(&mut self) {
        let ready: Vec<usize> = (0..self.node.refunds.len())
            .filter(|&index| self.node.refunds[index].step.is_some())
            .collect();
        if ready.is_empty() {
            return;
        }
        let index = ready[self.rng.below(ready.len())];
        let Some(step) = self.node.refunds[index].step.take() else {
            return;
        };
        self.note(("refund", index, format!("{step:?}")));
        let pending = match step {
            RefundStep::Finished(outcome) => {
                let run = self.node.refunds.swap_remove(index);
                let (id, client) = run.caller;
                let served = outcome.map(|record| {
                    let tickets = record
                        .tickets
                        .iter()
                        .filter_map(|(performance, index)| {
                            index_of(performance).ok().map(|at| (at, *index))
                        })
                        .collect();
                    (
                        Answer::Refunded {
                            order: record.order,
                            tickets,
                        },
                        Vec::new(),
                        AfterDurable::Nothing,
                    )
                });
                self.answer(id, client, served);
                return;
            }
            RefundStep::Commit(record) => Ok(Pending::Commit(self.node.journal.write(Batch {
                records: vec![Record::Refund(record)],
                ..Batch::default()
            }))),
            RefundStep::Perform {
                performance,
                transaction,
                tickets,
                withhold,
            } => index_of(&performance).and_then(|at| {
                let (view, ticket) = self.node.cores[at].refund_tickets(msg::RefundTickets {
                    transaction,
                    tickets,
                    withhold,
                })?;
                Ok(Pending::Hold(ticket, Box::new(view)))
            }),
        };
        let run = &mut self.node.refunds[index];
        match pending {
            Ok(pending) => run.pending = Some(pending),
            Err(error) => {
                run.step = Some(
                    self.node
                        .coordinator
                        .advance_refund(&mut run.refund, Err(error)),
                );
            }
        }
    }

    /// Moves every refund whose step settled to its next step.
    pub(super) fn settle_refunds(&mut self) {
        for run in &mut self.node.refunds {
            let outcome = match &mut run.pending {
                None => continue,
                Some(Pending::Hold(ticket, _)) => ticket.settled(),
                Some(Pending::Commit(durable)) => match durable.try_recv() {
                    Ok(written) => Some(written.map_err(EngineError::from)),
                    Err(tokio::sync::oneshot::error::TryRecvError::Empty) => None,
                    Err(_) => Some(Err(EngineError::Unavailable)),
                },
            };
            let Some(outcome) = outcome else {
                continue;
            };
            run.pending = None;
            run.step = Some(
                self.node
                    .coordinator
                    .advance_refund(&mut run.refund, outcome),
            );
        }
    }

    /// Every refund on record is carried out at its performances, unless a refund of its
    /// order is still running: after a recovery, always.
    pub(super) fn check_refund_records(&self) -> Result<(), Failure> {
        for record in self.node.coordinator.all_refunds() {
            if self
                .node
                .refunds
                .iter()
                .any(|run| run.refund.order() == record.order)
            {
                continue;
            }
            let Some(order) = self.node.coordinator.order(record.order) else {
                return Err(Failure::new(format!(
                    "refund of unknown order {}",
                    record.order
                )));
            };
            for (performance, index) in &record.tickets {
                let at = index_of(performance).map_err(|e| Failure::new(e.to_string()))?;
                let ticket = TicketRef {
                    transaction: order.transaction,
                    index: *index,
                };
                if !self.node.cores[at].performance().is_refunded(ticket) {
                    return Err(Failure::new(format!(
                        "refund {} of order {} is on record, but {ticket:?} at {performance} \
                         is not refunded",
                        record.seq, record.order
                    )));
                }
            }
        }
        Ok(())
    }

    /// Every ticket whose refund was acknowledged is refunded at its performance, and no
    /// order pays back more than its tickets and fees cost.
    pub(super) fn check_refunds(&self) -> Result<(), Failure> {
        for &(performance, transaction, index) in &self.refunds_told {
            let ticket = TicketRef { transaction, index };
            if !self.node.cores[performance]
                .performance()
                .is_refunded(ticket)
            {
                return Err(Failure::new(format!(
                    "the refund of {ticket:?} at performance {performance} was acknowledged, \
                     but the ticket is not refunded there"
                )));
            }
        }
        for order in self.node.coordinator.orders() {
            let refunds = self.node.coordinator.refunds_of(order.number);
            let tickets: usize = refunds.iter().map(|refund| refund.tickets.len()).sum();
            let mut seen = std::collections::BTreeSet::new();
            for refund in refunds {
                for ticket in &refund.tickets {
                    if !seen.insert(ticket.clone()) {
                        return Err(Failure::new(format!(
                            "order {} refunded {ticket:?} twice",
                            order.number
                        )));
                    }
                }
            }
            let sold: u64 = order
                .performances
                .iter()
                .filter_map(|performance| index_of(performance).ok())
                .filter_map(|at| self.node.cores[at].performance().hold(order.transaction))
                .map(|hold| hold.ticket_count())
                .sum();
            if tickets as u64 > sold {
                return Err(Failure::new(format!(
                    "order {} refunded {tickets} tickets of {sold}",
                    order.number
                )));
            }
        }
        Ok(())
    }
}

fn performance_id(index: usize) -> Result<PerformanceId, EngineError> {
    Ok(PerformanceId::parse(&format!("p{index}"))?)
}
