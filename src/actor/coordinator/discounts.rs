//! Discount codes in the coordinator: their definitions, their uses, and the uses reserved by
//! completions in flight.
//!
//! # Why the cap lives here
//!
//! A code's `max_uses` is shared by every performance its scope covers, so no performance's
//! actor can keep it. The coordinator already serialises every completion (one run per
//! transaction, every step taken under its lock), so it is where a use is decided once:
//!
//! - a completion with a code quotes its transaction's tickets first and learns how many the
//!   code covers; the coordinator then **reserves** that many uses, or refuses the completion
//!   (422, nothing prepared or sold) when the uses counted and reserved leave too few;
//! - the uses become durable with the order (`OrderRecord::discount_uses`), which is written in
//!   the sale's batch (one performance) or as the commit record (several): the moment the
//!   order is durable is the moment the uses are, so there is no separate counter to drift;
//! - when the run ends, its reservation is dropped: counted in the order, or given back.
//!
//! At start-up the uses are the sum over the order records, so after any crash a code's uses
//! are exactly those of the orders that exist, and reservations (held only in memory) are
//! gone with the runs that made them.
//!
//! # Caveats
//! - A refund does not give a use back: the use was a sale made at the discount.
//! - Applying a code checks its uses against those counted, not those reserved: a code whose
//!   last uses are reserved by a completion in flight may still be applied, and the completion
//!   then decides.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Coordinator, EngineError};
use crate::domain::{DiscountCode, DiscountRefusal, Timestamp, TransactionId, normalized_code};
use crate::persistence::{DiscountCodeRecord, OrderRecord, StorageError};

/// A discount code with its uses, as listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscountListing {
    /// The definition.
    pub code: Arc<DiscountCode>,
    /// When it was created.
    pub created_at: Timestamp,
    /// Tickets sold with it.
    pub uses: u32,
}

/// A code and its counters.
#[derive(Debug)]
pub(super) struct CodeState {
    code: Arc<DiscountCode>,
    created_at: Timestamp,
    /// Uses counted in durable orders.
    uses: u32,
    /// Uses reserved by completions in flight.
    reserved: u32,
}

/// Every discount code, by code.
#[derive(Debug, Default)]
pub(super) struct DiscountBook {
    codes: BTreeMap<String, CodeState>,
}

impl DiscountBook {
    fn count(&mut self, code: &str, uses: u32) {
        if let Some(state) = self.codes.get_mut(code) {
            state.uses = state.uses.saturating_add(uses);
        }
    }
}

impl Coordinator {
    /// Adds a code once its record is durable.
    pub fn define_discount(&mut self, record: DiscountCodeRecord) {
        let code = record.code.code.clone();
        self.discounts.codes.entry(code).or_insert(CodeState {
            code: Arc::new(record.code),
            created_at: record.created_at,
            uses: 0,
            reserved: 0,
        });
    }

    /// Returns the code `text` names (in any case), if defined.
    pub fn discount(&self, text: &str) -> Option<Arc<DiscountCode>> {
        let code = normalized_code(text).ok()?;
        self.discounts
            .codes
            .get(&code)
            .map(|state| Arc::clone(&state.code))
    }

    /// Returns every code with its uses, in code order.
    pub fn discounts(&self) -> Vec<DiscountListing> {
        self.discounts
            .codes
            .values()
            .map(|state| DiscountListing {
                code: Arc::clone(&state.code),
                created_at: state.created_at,
                uses: state.uses,
            })
            .collect()
    }

    /// Returns the code a transaction's tickets are priced with: its order's once completed,
    /// else the one applied to it (read from the archive once it is forgotten).
    ///
    /// # Errors
    /// When the archive cannot be read.
    pub fn discount_of(
        &self,
        transaction: TransactionId,
    ) -> Result<Option<Arc<DiscountCode>>, StorageError> {
        if let Some(order) = self.order_of(transaction) {
            return Ok(order
                .discount_code
                .as_deref()
                .and_then(|code| self.discount(code)));
        }
        if self.transactions.contains_key(&transaction) {
            return Ok(self
                .applied
                .get(&transaction)
                .and_then(|code| self.discount(code)));
        }
        let record = match &self.archive {
            Some(archive) => archive.transaction_record(transaction)?,
            None => None,
        };
        Ok(record
            .and_then(|record| record.discount_code)
            .and_then(|code| self.discount(&code)))
    }

    /// The code named by a `PATCH`, checked as far as it can be without the transaction's
    /// tickets: it exists and is valid at `now`.
    ///
    /// # Errors
    /// `NotFound` for an unknown code; `Discount` outside its window.
    pub(super) fn discount_to_apply(
        &self,
        text: &str,
        now: Timestamp,
    ) -> Result<Arc<DiscountCode>, EngineError> {
        let code = self
            .discount(text)
            .ok_or_else(|| EngineError::not_found("discount code", text))?;
        code.check_window(now)?;
        Ok(code)
    }

    /// Checks that `covered` tickets may be sold with `code` as uses stand (reserved uses
    /// counted when `with_reserved`).
    pub(super) fn check_uses(
        &self,
        code: &DiscountCode,
        covered: u32,
        with_reserved: bool,
    ) -> Result<(), DiscountRefusal> {
        if covered == 0 {
            return Err(DiscountRefusal::OutOfScope {
                code: code.code.clone(),
            });
        }
        let (uses, reserved) = self
            .discounts
            .codes
            .get(&code.code)
            .map_or((0, 0), |state| (state.uses, state.reserved));
        let taken = if with_reserved {
            uses.saturating_add(reserved)
        } else {
            uses
        };
        code.check_uses(taken, covered)
    }

    /// Reserves `covered` uses of `code` for the completion of `transaction`, or refuses them
    /// when too few are left.
    pub(super) fn reserve_uses(
        &mut self,
        transaction: TransactionId,
        code: &DiscountCode,
        covered: u32,
    ) -> Result<(), DiscountRefusal> {
        if covered == 0 {
            return Ok(());
        }
        self.check_uses(code, covered, true)?;
        if let Some(state) = self.discounts.codes.get_mut(&code.code) {
            state.reserved = state.reserved.saturating_add(covered);
            self.reservations
                .insert(transaction, (code.code.clone(), covered));
        }
        Ok(())
    }

    /// Drops the reservation of `transaction`'s completion, if it has one: its uses are
    /// counted in its order by now, or given back.
    pub(super) fn drop_reservation(&mut self, transaction: TransactionId) {
        if let Some((code, covered)) = self.reservations.remove(&transaction)
            && let Some(state) = self.discounts.codes.get_mut(&code)
        {
            state.reserved = state.reserved.saturating_sub(covered);
        }
    }

    /// Counts an order's uses of its code.
    pub(super) fn count_uses(&mut self, order: &OrderRecord) {
        if let Some(code) = &order.discount_code {
            self.discounts.count(code, order.discount_uses);
        }
    }

    /// Returns the uses counted and reserved of `code`, for tests and the simulation.
    pub fn uses_of(&self, code: &str) -> (u32, u32) {
        self.discounts
            .codes
            .get(code)
            .map_or((0, 0), |state| (state.uses, state.reserved))
    }
}
