//! Completing a transaction: the step machine that turns its holds into one order, at one
//! performance or several, as the coordinator's module doc describes (prepare, commit, sell;
//! roll back on a refusal). With a payment or a discount code, the run first quotes the
//! holds themselves: it refuses a payment that does not settle what is due, and reserves the
//! code's uses (or refuses them, see [`discounts`](super::discounts)), before anything is
//! prepared.
//!
//! The engine executes the [`Step`]s with `await`s between them; the simulation executes the
//! same steps against its cores.
//!
//! # Caveats
//! - The quote is taken while the completion blocks changes to the transaction, so the
//!   tickets it prices are the tickets sold; a lock that expires meanwhile fails the sale as
//!   it would without a payment.

use std::sync::Arc;

use super::{Coordinator, customer_of};
use crate::actor::Caller;
use crate::actor::error::EngineError;
use crate::domain::{
    Customer, DiscountCode, OrderNumber, Payment, PerformanceId, Quote, Rejection, Timestamp,
    TransactionId,
};
use crate::persistence::OrderRecord;

/// What a performance is asked to do with a transaction's hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HoldAction {
    /// Prepare it for the completion.
    Prepare,
    /// Roll a prepared hold back.
    Unprepare,
    /// Sell it as this order; the record, when given, rides in the sale's batch.
    Sell {
        /// The order number.
        number: OrderNumber,
        /// The order record, for a single-performance sale (boxed: most actions carry none).
        order: Option<Box<OrderRecord>>,
    },
    /// Release its locks.
    Release,
}

/// The next thing a completion needs done.
#[derive(Debug)]
pub enum Step {
    /// Carry out `action` on the transaction's hold at `performance`, wait until durable, and
    /// report the outcome. `bounded` steps go through the admission bound; the others must
    /// not be refused for load, since they finish or undo what was begun.
    Perform {
        /// The performance.
        performance: PerformanceId,
        /// What to do.
        action: HoldAction,
        /// True when the step may be refused as overloaded.
        bounded: bool,
    },
    /// Report what the transaction's holds at `performances` cost with `discount`, as
    /// [`crate::domain::quote`] says, to [`Coordinator::advance_quoted`] (their current holds,
    /// read without changing them).
    Quote {
        /// Every performance the transaction holds at.
        performances: Vec<PerformanceId>,
        /// The transaction's discount code.
        discount: Option<Arc<DiscountCode>>,
    },
    /// Write the order as the commit record and report when durable.
    Commit(OrderRecord),
    /// The completion is over: the order, or why not.
    Finished(Result<OrderRecord, EngineError>),
}

/// How a request to complete should proceed.
#[derive(Debug)]
pub enum Begin {
    /// The transaction was completed before: this is its order.
    Done(OrderRecord),
    /// A completion of it is in flight: wait for it, then ask again.
    Join,
    /// Run this completion.
    Run(Completion),
}

#[derive(Debug)]
enum Phase {
    Quoting,
    SellOne,
    Preparing {
        next: usize,
    },
    RollingBack {
        next: usize,
        prepared: usize,
        release: bool,
        error: Option<EngineError>,
    },
    Committing,
    Selling {
        next: usize,
    },
    Finished,
}

/// One completion in flight, driven step by step by whoever executes its [`Step`]s.
#[derive(Debug)]
pub struct Completion {
    transaction: TransactionId,
    performances: Vec<PerformanceId>,
    order: OrderRecord,
    discount: Option<Arc<DiscountCode>>,
    phase: Phase,
}

impl Completion {
    /// Returns the transaction being completed.
    pub fn transaction(&self) -> TransactionId {
        self.transaction
    }
}

#[derive(Debug)]
pub(super) struct Completing {
    customer: Option<Customer>,
    payment: Option<Payment>,
    /// False once its run ended without finishing (a storage failure after the commit was
    /// written): a new request resumes it instead of joining.
    pub(super) running: bool,
}

impl Coordinator {
    /// Returns true while a completion of `transaction` has begun and not finished.
    pub fn is_completing(&self, transaction: TransactionId) -> bool {
        self.completing.contains_key(&transaction)
    }

    /// Decides how a request to complete `transaction` for `customer` proceeds.
    ///
    /// # Errors
    /// `NotFound` and `Forbidden` as [`Coordinator::route`]; `InvalidState` when the
    /// transaction was (or is being) completed for another customer.
    pub fn begin_completion(
        &mut self,
        caller: &Caller,
        transaction: TransactionId,
        customer: Option<Customer>,
        payment: Option<Payment>,
        now: Timestamp,
    ) -> Result<Begin, EngineError> {
        let route = self.route(caller, transaction)?;
        if self.modifying.contains(&transaction) {
            return Err(EngineError::TransactionBusy { transaction });
        }
        if let Some(completing) = self.completing.get_mut(&transaction) {
            if completing.customer != customer || completing.payment != payment {
                return Err(EngineError::CompletedDifferently { transaction });
            }
            if completing.running {
                return Ok(Begin::Join);
            }
            // A run ended after its commit without selling everything: resume the roll-forward.
            completing.running = true;
            let order = self
                .order_of(transaction)
                .cloned()
                .ok_or(EngineError::Unavailable)?;
            return Ok(Begin::Run(Completion {
                transaction,
                performances: route.performances,
                order,
                discount: None,
                phase: Phase::Selling { next: 0 },
            }));
        }
        if let Some(order) = self.order_of(transaction) {
            if customer_of(order) != customer || order.payment != payment {
                return Err(EngineError::CompletedDifferently { transaction });
            }
            return Ok(Begin::Done(order.clone()));
        }
        let discount = match self.applied.get(&transaction) {
            Some(code) => {
                let code = self
                    .discount(code)
                    .ok_or_else(|| EngineError::not_found("discount code", code))?;
                code.check_window(now)?;
                Some(code)
            }
            None => None,
        };
        let (name, email) = customer
            .as_ref()
            .map(|c| (c.name().to_owned(), c.email().to_owned()))
            .unwrap_or_default();
        let order = OrderRecord {
            // Taken when the sale (one performance) or the commit (several) is next.
            number: OrderNumber(0),
            transaction,
            performances: route.performances.clone(),
            client: route.owner,
            customer_name: name,
            customer_email: email,
            created_at: now,
            payment: payment.clone(),
            discount_code: discount.as_ref().map(|code| code.code.clone()),
            // Counted from the quote.
            discount_uses: 0,
        };
        self.completing.insert(
            transaction,
            Completing {
                customer,
                payment,
                running: true,
            },
        );
        let mut run = Completion {
            transaction,
            performances: route.performances,
            order,
            discount,
            phase: Phase::Quoting,
        };
        if run.order.payment.is_none() && run.discount.is_none() {
            run.phase = self.first_sale_phase(&mut run);
        }
        Ok(Begin::Run(run))
    }

    /// The phase a run starts selling in: one performance sells at once, with the order
    /// number taken now; several are prepared first.
    fn first_sale_phase(&mut self, run: &mut Completion) -> Phase {
        if run.performances.len() == 1 {
            run.order.number = self.take_number();
            Phase::SellOne
        } else {
            Phase::Preparing { next: 0 }
        }
    }

    /// Takes what the transaction's holds cost (the outcome of [`Step::Quote`]) and returns the
    /// next step: the sale when the payment settles it and the code's uses are reserved,
    /// otherwise the run ends refused, with nothing prepared or sold.
    pub fn advance_quoted(
        &mut self,
        run: &mut Completion,
        quote: Result<Quote, EngineError>,
    ) -> Step {
        if !matches!(run.phase, Phase::Quoting) {
            return Step::Finished(Err(EngineError::Unavailable));
        }
        let settled = quote.and_then(|quote| {
            if let Some(payment) = &run.order.payment {
                payment.settles(&quote.due)?;
            }
            if let Some(code) = &run.discount {
                self.reserve_uses(run.transaction, code, quote.discounted)?;
                run.order.discount_uses = quote.discounted;
            }
            Ok(())
        });
        match settled {
            Ok(()) => {
                run.phase = self.first_sale_phase(run);
                self.step(run)
            }
            Err(error) => {
                run.phase = Phase::Finished;
                self.abandon(run, error)
            }
        }
    }

    fn take_number(&mut self) -> OrderNumber {
        let number = OrderNumber(self.next_order);
        self.next_order += 1;
        number
    }

    /// Returns what `run` needs done next.
    pub fn step(&self, run: &Completion) -> Step {
        let perform = |index: usize, action: HoldAction, bounded: bool| Step::Perform {
            performance: run.performances[index].clone(),
            action,
            bounded,
        };
        match &run.phase {
            Phase::Quoting => Step::Quote {
                performances: run.performances.clone(),
                discount: run.discount.clone(),
            },
            Phase::SellOne => perform(
                0,
                HoldAction::Sell {
                    number: run.order.number,
                    order: Some(Box::new(run.order.clone())),
                },
                true,
            ),
            Phase::Preparing { next } => perform(*next, HoldAction::Prepare, true),
            Phase::RollingBack { next, prepared, .. } => {
                if next < prepared {
                    perform(*next, HoldAction::Unprepare, false)
                } else {
                    perform(next - prepared, HoldAction::Release, false)
                }
            }
            Phase::Committing => Step::Commit(run.order.clone()),
            Phase::Selling { next } => perform(
                *next,
                HoldAction::Sell {
                    number: run.order.number,
                    order: None,
                },
                false,
            ),
            Phase::Finished => Step::Finished(Err(EngineError::Unavailable)),
        }
    }

    /// Takes the outcome of the step [`Coordinator::step`] returned and returns the next one;
    /// [`Step::Finished`] ends the run (and is returned once).
    pub fn advance(&mut self, run: &mut Completion, outcome: Result<(), EngineError>) -> Step {
        let count = run.performances.len();
        let phase = std::mem::replace(&mut run.phase, Phase::Finished);
        run.phase = match (phase, outcome) {
            (Phase::SellOne, Ok(())) => return self.finish(run),
            (Phase::SellOne, Err(error)) => {
                if self.next_order == run.order.number.0 + 1 {
                    self.next_order -= 1;
                }
                return self.abandon(run, error);
            }
            (Phase::Preparing { next }, Ok(())) if next + 1 < count => {
                Phase::Preparing { next: next + 1 }
            }
            (Phase::Preparing { .. }, Ok(())) => {
                run.order.number = self.take_number();
                Phase::Committing
            }
            (Phase::Preparing { next }, Err(error)) => {
                let release = matches!(error, EngineError::Rejected(Rejection::LockExpired));
                if next == 0 && !release {
                    return self.abandon(run, error);
                }
                Phase::RollingBack {
                    next: 0,
                    prepared: next,
                    release,
                    error: Some(error),
                }
            }
            (
                Phase::RollingBack {
                    next,
                    prepared,
                    release,
                    error,
                },
                outcome,
            ) => {
                if let Err(failure) = outcome {
                    // The hold stays prepared or locked; recovery or its expiry ends it.
                    tracing::warn!(%failure, "undoing part of a failed completion failed");
                }
                let last = if release { prepared + count } else { prepared };
                if next + 1 < last {
                    Phase::RollingBack {
                        next: next + 1,
                        prepared,
                        release,
                        error,
                    }
                } else {
                    return self.abandon(run, error.unwrap_or(EngineError::Unavailable));
                }
            }
            (Phase::Committing, Ok(())) => {
                self.remember_order(run.order.clone());
                self.drop_reservation(run.transaction);
                Phase::Selling { next: 0 }
            }
            (Phase::Committing, Err(error)) => {
                // The commit may or may not be durable: the store has failed (fail-stop),
                // nothing more is acknowledged, and recovery decides from what reached the disk.
                return self.abandon(run, error);
            }
            (Phase::Selling { next }, Ok(())) if next + 1 < count => {
                Phase::Selling { next: next + 1 }
            }
            (Phase::Selling { .. }, Ok(())) => return self.finish(run),
            (Phase::Selling { .. }, Err(error)) => return self.stall(run, error),
            (Phase::Quoting, _) => return self.abandon(run, EngineError::Unavailable),
            (Phase::Finished, _) => return Step::Finished(Err(EngineError::Unavailable)),
        };
        self.step(run)
    }

    /// Ends a run with its order.
    fn finish(&mut self, run: &Completion) -> Step {
        self.completing.remove(&run.transaction);
        if !self.order_of.contains_key(&run.transaction) {
            self.remember_order(run.order.clone());
        }
        self.drop_reservation(run.transaction);
        Step::Finished(Ok(run.order.clone()))
    }

    /// Ends a run that committed nothing.
    fn abandon(&mut self, run: &Completion, error: EngineError) -> Step {
        self.completing.remove(&run.transaction);
        self.drop_reservation(run.transaction);
        Step::Finished(Err(error))
    }

    /// Ends a run that could not finish what it committed (or may have committed): the next
    /// request resumes it.
    fn stall(&mut self, run: &Completion, error: EngineError) -> Step {
        if let Some(completing) = self.completing.get_mut(&run.transaction) {
            completing.running = false;
        }
        Step::Finished(Err(error))
    }
}
