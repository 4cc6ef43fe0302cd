//! What clients were told, and the model of it: updated only from acknowledged answers.

use super::*;

impl World {
    // ---- What clients were told ----

    pub(super) fn told(
        &mut self,
        client: usize,
        request: &Request,
        outcome: Result<Answer, EngineError>,
    ) -> Result<(), Failure> {
        let answer = match outcome {
            Ok(answer) => answer,
            Err(error) => return self.told_refusal(request, &error),
        };
        self.stats.acknowledged += 1;

        match (request, answer) {
            (Request::Hold { .. }, Answer::Transaction(holds)) => {
                let allocated = |hold: &HoldAnswer| {
                    let performance = self.node.cores[hold.performance].performance();
                    performance.allocation_list().iter().any(|allocation| {
                        hold.seats
                            .iter()
                            .any(|seat| allocation.seats.contains(seat))
                    })
                };
                if holds.iter().any(allocated) {
                    self.stats.allocated_held += 1;
                }
                let metadata = metadata_of(request);
                let Some(first) = holds.first() else {
                    return Err(Failure::new("a hold was acknowledged with no holds"));
                };
                self.known
                    .entry(first.transaction)
                    .or_insert_with(|| Known {
                        holds: holds.iter().map(HoldAnswer::told).collect(),
                        client,
                        expires_at: holds
                            .iter()
                            .map(|hold| hold.expires_at)
                            .min()
                            .unwrap_or_default(),
                        told: Told::Held,
                        uncertain: false,
                        in_flight: 0,
                        metadata,
                    });
            }
            (Request::Extend { transaction }, Answer::Transaction(holds)) => {
                if let Some(known) = self.known.get_mut(transaction)
                    && holds.iter().all(|hold| hold.state.is_locking())
                    && let Some(expires_at) = holds.iter().map(|hold| hold.expires_at).min()
                {
                    known.expires_at = known.expires_at.max(expires_at);
                }
            }
            (
                Request::Complete {
                    payment: Paying::Short,
                    ..
                },
                Answer::Order { number, .. },
            ) => {
                return Err(Failure::new(format!(
                    "a payment short of what is due was answered with order {number:?}"
                )));
            }
            (
                Request::Complete {
                    transaction,
                    payment,
                    ..
                },
                Answer::Order { number, holds },
            ) => {
                self.told_order(*transaction, number, &holds)?;
                for barcode in holds.iter().flat_map(|hold| &hold.barcodes) {
                    self.barcodes_told.entry(barcode.clone()).or_insert(false);
                }
                if *payment == Paying::Exact {
                    self.stats.paid += 1;
                }
                if self
                    .node
                    .coordinator
                    .order(number)
                    .is_some_and(|order| order.discount_uses > 0)
                {
                    self.stats.discounted_sold += 1;
                }
            }
            (Request::Release { transaction }, Answer::Transaction(holds)) => {
                if let Some(known) = self.known.get_mut(transaction)
                    && known.told == Told::Held
                {
                    known.told = match holds.first().and_then(|hold| hold.order) {
                        Some(order) => {
                            // Sold before the release: what was sold is what this says.
                            known.holds = holds.iter().map(HoldAnswer::told).collect();
                            Told::Sold(order)
                        }
                        None => Told::Released,
                    };
                    known.uncertain = false;
                }
            }
            (Request::Change { transaction, .. }, Answer::Transaction(holds)) => {
                self.stats.changes += 1;
                if let Some(known) = self.known.get_mut(transaction)
                    && known.told == Told::Held
                {
                    known.holds = holds.iter().map(HoldAnswer::told).collect();
                }
            }
            (Request::Scan { barcode }, Answer::Scan { admitted }) => {
                if !admitted && self.barcodes_told.get(barcode) == Some(&true) {
                    self.stats.scanned_again += 1;
                }
                if admitted {
                    self.stats.admitted += 1;
                    if self.barcodes_told.insert(barcode.clone(), true) == Some(true) {
                        return Err(Failure::new(format!(
                            "barcode {barcode} was told to admit twice"
                        )));
                    }
                }
            }
            (Request::Refund { .. }, Answer::Refunded { order, tickets }) => {
                self.stats.refunds += 1;
                let transaction = self.node.coordinator.order(order).map(|o| o.transaction);
                if let Some(transaction) = transaction {
                    for (performance, index) in tickets {
                        self.refunds_told.insert((performance, transaction, index));
                    }
                }
            }
            (Request::Manage { .. }, _) => self.stats.managed += 1,
            (Request::Read { .. } | Request::Holdbacks { .. }, _) => {}
            (request, answer) => {
                return Err(Failure::new(format!(
                    "{request:?} was answered with {answer:?}"
                )));
            }
        }
        Ok(())
    }

    /// One transaction, one order: a second number for it, or a number told for two
    /// transactions, breaks the promise.
    pub(super) fn told_order(
        &mut self,
        transaction: TransactionId,
        number: OrderNumber,
        holds: &[HoldAnswer],
    ) -> Result<(), Failure> {
        if holds.is_empty()
            || holds
                .iter()
                .any(|hold| hold.state != HoldState::Sold || hold.order != Some(number))
        {
            return Err(Failure::new(format!(
                "order {number} of {transaction:?} was acknowledged with holds {holds:?}"
            )));
        }
        if let Some(other) = self.orders_told.insert(number, transaction)
            && other != transaction
        {
            return Err(Failure::new(format!(
                "order {number} was acknowledged for {other:?} and {transaction:?}"
            )));
        }
        if let Some(earlier) = self.order_told_for.insert(transaction, number)
            && earlier != number
        {
            return Err(Failure::new(format!(
                "{transaction:?} was acknowledged as order {earlier} and as order {number}"
            )));
        }
        self.stats.sold += 1;
        if holds.iter().any(|hold| !hold.ticket_types.is_empty()) {
            self.stats.typed_sold += 1;
        }
        if holds.len() > 1 {
            self.stats.baskets_sold += 1;
        }
        if let Some(known) = self.known.get_mut(&transaction) {
            known.told = Told::Sold(number);
            known.uncertain = false;
            // What was sold is what the order says (a change whose answer was lost may have
            // moved seats before).
            known.holds = holds.iter().map(HoldAnswer::told).collect();
        }
        Ok(())
    }

    pub(super) fn told_refusal(
        &mut self,
        request: &Request,
        error: &EngineError,
    ) -> Result<(), Failure> {
        let deterministic = matches!(
            error,
            EngineError::Rejected(_)
                | EngineError::InProgress
                | EngineError::IdempotencyKeyReused
                | EngineError::TransactionBusy { .. }
                | EngineError::CompletedDifferently { .. }
                | EngineError::PaymentMismatch(_)
                | EngineError::Discount(_)
                | EngineError::TicketNotInOrder { .. }
                | EngineError::RefundInTwoCurrencies
        );
        if let (
            Request::Extend { transaction }
            | Request::Complete { transaction, .. }
            | Request::Release { transaction }
            | Request::Read { transaction }
            | Request::Change { transaction, .. },
            EngineError::NotFound { .. },
        ) = (request, error)
            && self.known.contains_key(transaction)
        {
            // Ended transactions leave memory, never the store.
            return Err(Failure::new(format!(
                "{transaction:?} was acknowledged, but {request:?} was told it does not exist"
            )));
        }
        if matches!(error, EngineError::PaymentMismatch(_)) {
            self.stats.payments_refused += 1;
        }
        if let EngineError::Discount(refusal) = error {
            if matches!(refusal, crate::domain::DiscountRefusal::UsedUp { .. }) {
                self.stats.codes_used_up += 1;
            } else {
                self.stats.codes_refused += 1;
            }
        }
        if matches!(
            error,
            EngineError::Rejected(
                Rejection::TicketTypeNotSold { .. } | Rejection::UnknownTicketType { .. }
            )
        ) {
            self.stats.types_refused += 1;
        }
        if !deterministic {
            // The journal failed: the change may or may not be on disk.
            self.answer_lost(request);
            return Ok(());
        }
        if let (
            Request::Extend { transaction } | Request::Complete { transaction, .. },
            EngineError::Rejected(Rejection::LockExpired),
        ) = (request, error)
            && let Some(known) = self.known.get(transaction)
            && known.told == Told::Held
            && known.is_settled()
        {
            // The performance that refused judged by its own clock, which never runs back.
            let now = known
                .holds
                .iter()
                .map(|(performance, _, _)| self.node.cores[*performance].now())
                .max()
                .unwrap_or_default();
            if now < known.expires_at {
                let holds: Vec<_> = self
                    .node
                    .cores
                    .iter()
                    .map(|core| core.performance().hold(*transaction).cloned())
                    .collect();
                return Err(Failure::new(format!(
                    "{transaction:?} was refused as expired at {now:?}, before its lock's time {:?}: {request:?} {holds:?}",
                    known.expires_at
                )));
            }
        }
        Ok(())
    }

    pub(super) fn check_replay(&mut self, answer: &Answer) -> Result<(), Failure> {
        let Answer::Transaction(holds) = answer else {
            return Ok(());
        };
        for answer in holds {
            let core = &self.node.cores[answer.performance];
            // The hold may have changed since (a PATCH), or ended and been archived, so only its
            // existence is checked: the replay names a transaction placed there, not one invented.
            match core.find_hold(answer.transaction) {
                Ok(Some(_)) => {}
                other => {
                    return Err(Failure::new(format!(
                        "a replayed answer names {:?}, but the performance holds {other:?}",
                        answer.transaction
                    )));
                }
            }
        }
        Ok(())
    }
}
