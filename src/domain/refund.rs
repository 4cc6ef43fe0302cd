//! Refunds at a performance: tickets of a sold hold given back. Each refunded seat goes back
//! on sale (or is withheld, when the refund asks), each refunded place goes back to its pool,
//! and the ticket's barcode stops admitting: a scan of it answers `refunded`.
//!
//! The sold hold keeps its seats, places and barcodes (its order still shows what was sold);
//! what is refunded is a set of its tickets, by barcode index ([`TicketRef`]), kept like the
//! scans: in memory, in snapshots, and rebuilt by replaying `TicketsRefunded` changes. So a
//! seat may be listed by two holds, a sold one that refunded it and a later one that holds
//! or sold it again; the seat's status names the later one.
//!
//! Whether a refund may be made (the caller owns the order, the tickets are its own and not
//! refunded before, what is paid back) is the coordinator's decision; a performance only
//! carries it out, and carrying it out twice changes nothing.
//!
//! # Caveats
//! - A scanned ticket can be refunded (an event cancelled after the doors opened); its scan
//!   stays on record.
//! - Places go back to their pool: a pool has no holdbacks, so `withhold` applies to seats.

use std::sync::Arc;

use super::hold::PoolPlaces;

use super::change::Change;
use super::hold::{HoldState, TicketRef};
use super::ids::{Timestamp, TransactionId};
use super::performance::{Performance, SeatStatus};
use super::rejection::Rejection;

impl Performance {
    /// Decides a refund of the sold tickets at barcode `indexes` of `transaction`'s hold: the
    /// change that refunds those not refunded yet, or none when every one is.
    ///
    /// # Errors
    /// `UnknownTransaction` without a hold, `InvalidState` for a hold not sold, and
    /// `NotInTransaction` for an index past its tickets.
    pub fn decide_refund(
        &self,
        transaction: TransactionId,
        indexes: &[u32],
        withhold: bool,
        now: Timestamp,
    ) -> Result<Option<Change>, Rejection> {
        let hold = self
            .hold(transaction)
            .ok_or(Rejection::UnknownTransaction)?;
        if hold.state != HoldState::Sold {
            return Err(Rejection::InvalidState {
                state: hold.state,
                action: "refund",
            });
        }
        let count = hold.ticket_count();
        if let Some(&past) = indexes.iter().find(|&&index| u64::from(index) >= count) {
            return Err(Rejection::NotInTransaction {
                ticket: format!("ticket {past}"),
            });
        }
        let mut tickets: Vec<u32> = indexes
            .iter()
            .copied()
            .filter(|&index| !self.is_refunded(TicketRef { transaction, index }))
            .collect();
        tickets.sort_unstable();
        tickets.dedup();
        Ok((!tickets.is_empty()).then_some(Change::TicketsRefunded {
            transaction,
            tickets,
            withhold,
            at: now,
        }))
    }

    /// True when `ticket` was refunded.
    pub fn is_refunded(&self, ticket: TicketRef) -> bool {
        self.refunds.contains_key(&ticket)
    }

    /// Returns when `ticket` was refunded, if it was.
    pub fn refunded_at(&self, ticket: TicketRef) -> Option<Timestamp> {
        self.refunds.get(&ticket).copied()
    }

    /// Returns every refunded ticket, by ticket, for a snapshot.
    pub(super) fn refund_list(&self) -> Vec<(TicketRef, Timestamp)> {
        let mut refunds: Vec<_> = self.refunds.iter().map(|(t, at)| (*t, *at)).collect();
        refunds.sort_unstable();
        refunds
    }

    /// Refunds tickets of a sold hold: seats free (or withheld), places back in their pool.
    pub(super) fn apply_refunded(
        &mut self,
        transaction: TransactionId,
        tickets: &[u32],
        withhold: bool,
        at: Timestamp,
    ) {
        let slot = self.slots[&transaction];
        let hold = Arc::clone(&self.holds[slot as usize]);
        assert_eq!(hold.state, HoldState::Sold, "only a sold hold refunds");
        for &index in tickets {
            let ticket = TicketRef { transaction, index };
            let first = Arc::make_mut(&mut self.refunds)
                .insert(ticket, at)
                .is_none();
            debug_assert!(first, "a ticket is refunded once");
            let index = index as usize;
            if let Some(&seat) = hold.seats.get(index) {
                debug_assert_eq!(self.seats[seat as usize], SeatStatus::Sold(slot));
                let status = if withhold {
                    SeatStatus::Withheld
                } else {
                    self.resting_status(seat)
                };
                self.set_seat(seat, status);
            } else if let Some(pool) = hold.pool_of_place(index - hold.seats.len()) {
                self.pools[usize::from(pool)].sold -= 1;
                let place = [PoolPlaces { pool, quantity: 1 }];
                self.count_channel_use(slot, &place, false);
            }
        }
    }
}
