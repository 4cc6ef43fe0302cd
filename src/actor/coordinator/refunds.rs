//! Refunds: the step machine that gives back some or all of an order's tickets, at one
//! performance or several, and the record of every refund made.
//!
//! # The protocol
//!
//! A refund is decided here, under the coordinator's lock, against the refunds already
//! recorded: a ticket refunded before is 409, a refund of an order already being refunded or
//! completed is 409, and what is paid back is computed from the tickets' prices (each
//! ticket's `full`, and the order's per-order fees in a currency once its last ticket there is
//! refunded). Then:
//!
//! 1. the [`RefundRecord`] is written: that write is the commit point;
//! 2. each performance with tickets refunds them ([`RefundStep::Perform`], past the admission
//!    bound: it finishes what was committed), which puts their seats back on sale (or
//!    withholds them) and stops their barcodes.
//!
//! A stop between the two is finished at start-up: [`Coordinator::recover`] asks each
//! performance to refund what a record names and it has not refunded (carrying a refund out
//! twice changes nothing). So an acknowledged refund is never lost, and a refund whose record
//! was written is carried out in full.
//!
//! # Caveats
//! - One refund per order runs at a time; a second one asked meanwhile is 409 and may be
//!   retried.
//! - A refund covers tickets of one currency: an order sold in two is refunded in two steps.

use std::collections::{BTreeMap, HashSet};

use super::{Caller, Coordinator, EngineError};
use crate::domain::{
    Amount, Currency, HoldState, OrderNumber, Payment, PerformanceId, Rejection, TicketRef,
    Timestamp, TransactionId,
};
use crate::persistence::RefundRecord;

/// A ticket of an order as a refund sees it: where it is and what was paid for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderTicket {
    /// Its performance.
    pub performance: PerformanceId,
    /// Its index among its hold's barcodes.
    pub index: u32,
    /// Its currency.
    pub currency: Currency,
    /// What was paid for it (`full`).
    pub full: Amount,
}

/// What a caller asks to refund.
#[derive(Clone, Debug)]
pub struct RefundRequest {
    /// The tickets (performance, barcode index); every ticket of the order when `None`.
    pub tickets: Option<Vec<(PerformanceId, u32)>>,
    /// How it is paid back; the order's payment method (for the amount due) when `None`.
    pub payment: Option<Payment>,
    /// Why.
    pub reason: String,
    /// Withhold the seats rather than put them back on sale.
    pub withhold: bool,
}

/// The next thing a refund needs done.
#[derive(Debug)]
pub enum RefundStep {
    /// Write the refund's record and report when durable.
    Commit(RefundRecord),
    /// Refund `tickets` of `transaction`'s hold at `performance`, past the admission bound,
    /// and report when durable.
    Perform {
        /// The performance.
        performance: PerformanceId,
        /// The order's transaction.
        transaction: TransactionId,
        /// Barcode indexes.
        tickets: Vec<u32>,
        /// Withhold the seats.
        withhold: bool,
    },
    /// The refund is over: its record, or why not.
    Finished(Result<RefundRecord, EngineError>),
}

#[derive(Debug)]
enum Phase {
    Committing,
    Performing { next: usize },
    Finished,
}

/// One refund in flight, driven step by step by whoever executes its [`RefundStep`]s.
#[derive(Debug)]
pub struct Refund {
    record: RefundRecord,
    transaction: TransactionId,
    /// The tickets by performance, in performance order.
    parts: Vec<(PerformanceId, Vec<u32>)>,
    phase: Phase,
}

impl Refund {
    /// Returns the order being refunded.
    pub fn order(&self) -> OrderNumber {
        self.record.order
    }
}

/// The refunds recorded, by order, and the tickets they refunded.
#[derive(Debug, Default)]
pub(super) struct RefundBook {
    by_order: BTreeMap<OrderNumber, Vec<RefundRecord>>,
    refunded: HashSet<(OrderNumber, PerformanceId, u32)>,
    /// Orders a refund is running for.
    running: HashSet<OrderNumber>,
}

impl RefundBook {
    fn remember(&mut self, record: RefundRecord) {
        for (performance, index) in &record.tickets {
            self.refunded
                .insert((record.order, performance.clone(), *index));
        }
        self.by_order.entry(record.order).or_default().push(record);
    }
}

impl Coordinator {
    /// Returns the refunds of an order, oldest first.
    pub fn refunds_of(&self, order: OrderNumber) -> &[RefundRecord] {
        self.refunds.by_order.get(&order).map_or(&[], Vec::as_slice)
    }

    /// Returns every refund recorded, by order then seq.
    pub fn all_refunds(&self) -> impl Iterator<Item = &RefundRecord> {
        self.refunds.by_order.values().flatten()
    }

    /// True when the ticket at `index` of the order's hold at `performance` was refunded.
    pub fn is_refunded(&self, order: OrderNumber, performance: &PerformanceId, index: u32) -> bool {
        self.refunds
            .refunded
            .contains(&(order, performance.clone(), index))
    }

    /// Adds refund records read at start-up, and returns what each performance has still to
    /// refund (`refunded` says what it has): per record, per performance, the indexes.
    pub(super) fn recover_refunds(
        &mut self,
        records: Vec<RefundRecord>,
        refunded: &dyn Fn(&PerformanceId, TicketRef) -> bool,
    ) -> Vec<(PerformanceId, TransactionId, Vec<u32>, bool)> {
        let mut unfinished = Vec::new();
        for record in records {
            let Some(transaction) = self.order(record.order).map(|order| order.transaction) else {
                continue;
            };
            for (performance, tickets) in by_performance(&record.tickets) {
                let left: Vec<u32> = tickets
                    .into_iter()
                    .filter(|&index| !refunded(&performance, TicketRef { transaction, index }))
                    .collect();
                if !left.is_empty() {
                    unfinished.push((performance, transaction, left, record.withhold));
                }
            }
            self.refunds.remember(record);
        }
        unfinished
    }

    /// Decides a refund of order `number`'s tickets; `tickets` are every ticket of the order
    /// with what was paid for it, `order_fees` its per-order fees per currency.
    ///
    /// # Errors
    /// `NotFound` for an unknown order; `Forbidden` for another client's; `RuleViolation` for
    /// a ticket not of the order, tickets in two currencies, or a payment that is not what is
    /// paid back; `InvalidState` (409) for a ticket refunded before, or while the order is
    /// being refunded or completed.
    pub fn begin_refund(
        &mut self,
        caller: &Caller,
        number: OrderNumber,
        request: RefundRequest,
        tickets: &[OrderTicket],
        order_fees: &BTreeMap<Currency, Amount>,
        now: Timestamp,
    ) -> Result<Refund, EngineError> {
        let order = self
            .order(number)
            .ok_or_else(|| EngineError::not_found("order", number))?;
        if !self.may_see_order(caller, &order.client, &order.performances) {
            return Err(EngineError::Forbidden { what: "order" });
        }
        let transaction = order.transaction;
        let order_payment = order.payment.clone();
        if self.refunds.running.contains(&number) || self.completing.contains_key(&transaction) {
            return Err(EngineError::TransactionBusy { transaction });
        }
        let unrefunded = |ticket: &&OrderTicket| {
            !self
                .refunds
                .refunded
                .contains(&(number, ticket.performance.clone(), ticket.index))
        };
        let chosen: Vec<&OrderTicket> = match &request.tickets {
            None => tickets.iter().filter(unrefunded).collect(),
            Some(asked) => {
                let mut chosen = Vec::with_capacity(asked.len());
                for (performance, index) in asked {
                    let named_before = chosen
                        .iter()
                        .any(|t: &&OrderTicket| t.performance == *performance && t.index == *index);
                    if named_before {
                        continue;
                    }
                    let ticket = tickets
                        .iter()
                        .find(|t| t.performance == *performance && t.index == *index)
                        .ok_or(EngineError::TicketNotInOrder { order: number })?;
                    if !unrefunded(&ticket) {
                        return Err(Rejection::InvalidState {
                            state: HoldState::Sold,
                            action: "refund a refunded ticket",
                        }
                        .into());
                    }
                    chosen.push(ticket);
                }
                chosen
            }
        };
        let Some(first) = chosen.first() else {
            return Err(Rejection::InvalidState {
                state: HoldState::Sold,
                action: "refund an order refunded in full",
            }
            .into());
        };
        let currency = first.currency;
        if chosen.iter().any(|ticket| ticket.currency != currency) {
            return Err(EngineError::RefundInTwoCurrencies);
        }
        let scale = currency.minor_unit();
        let paid_back = chosen
            .iter()
            .fold(Amount::zero(scale), |sum, ticket| sum + ticket.full);
        // The order's per-order fees in this currency go back with its last tickets there.
        let left_after = tickets
            .iter()
            .filter(unrefunded)
            .filter(|ticket| ticket.currency == currency)
            .filter(|ticket| !chosen.contains(ticket))
            .count();
        let fees = match left_after {
            0 => order_fees
                .get(&currency)
                .copied()
                .unwrap_or(Amount::zero(scale)),
            _ => Amount::zero(scale),
        };
        let amount = paid_back + fees;
        let payment = match request.payment {
            Some(payment) => {
                payment.settles(&BTreeMap::from([(currency, amount)]))?;
                Some(payment)
            }
            None => order_payment
                .and_then(|paid| Payment::new(paid.method(), "", amount, currency).ok()),
        };
        let mut asked: Vec<(PerformanceId, u32)> = chosen
            .iter()
            .map(|ticket| (ticket.performance.clone(), ticket.index))
            .collect();
        asked.sort();
        let record = RefundRecord {
            order: number,
            seq: self.refunds_of(number).len() as u32 + 1,
            tickets: asked,
            amount,
            order_fees: fees,
            currency,
            payment,
            reason: request.reason,
            withhold: request.withhold,
            at: now,
            by: caller.client.clone(),
        };
        self.refunds.running.insert(number);
        Ok(Refund {
            parts: by_performance(&record.tickets),
            record,
            transaction,
            phase: Phase::Committing,
        })
    }

    /// Returns what `run` needs done next.
    pub fn refund_step(&self, run: &Refund) -> RefundStep {
        match &run.phase {
            Phase::Committing => RefundStep::Commit(run.record.clone()),
            Phase::Performing { next } => match run.parts.get(*next) {
                Some((performance, tickets)) => RefundStep::Perform {
                    performance: performance.clone(),
                    transaction: run.transaction,
                    tickets: tickets.clone(),
                    withhold: run.record.withhold,
                },
                None => RefundStep::Finished(Ok(run.record.clone())),
            },
            Phase::Finished => RefundStep::Finished(Err(EngineError::Unavailable)),
        }
    }

    /// Takes the outcome of the step [`Coordinator::refund_step`] returned and returns the
    /// next one; [`RefundStep::Finished`] ends the run.
    pub fn advance_refund(
        &mut self,
        run: &mut Refund,
        outcome: Result<(), EngineError>,
    ) -> RefundStep {
        let phase = std::mem::replace(&mut run.phase, Phase::Finished);
        run.phase = match (phase, outcome) {
            (Phase::Committing, Ok(())) => {
                self.refunds.remember(run.record.clone());
                Phase::Performing { next: 0 }
            }
            (Phase::Performing { next }, Ok(())) if next + 1 < run.parts.len() => {
                Phase::Performing { next: next + 1 }
            }
            (Phase::Performing { .. }, Ok(())) => {
                self.refunds.running.remove(&run.record.order);
                return RefundStep::Finished(Ok(run.record.clone()));
            }
            // The store failed (fail-stop): what reached the disk is finished at start-up.
            (_, Err(error)) => {
                self.refunds.running.remove(&run.record.order);
                return RefundStep::Finished(Err(error));
            }
            (Phase::Finished, Ok(())) => {
                return RefundStep::Finished(Err(EngineError::Unavailable));
            }
        };
        self.refund_step(run)
    }
}

/// Groups tickets by performance, in performance order, indexes ascending.
fn by_performance(tickets: &[(PerformanceId, u32)]) -> Vec<(PerformanceId, Vec<u32>)> {
    let mut parts: BTreeMap<PerformanceId, Vec<u32>> = BTreeMap::new();
    for (performance, index) in tickets {
        parts.entry(performance.clone()).or_default().push(*index);
    }
    for indexes in parts.values_mut() {
        indexes.sort_unstable();
        indexes.dedup();
    }
    parts.into_iter().collect()
}
