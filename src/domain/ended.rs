//! Holds that ended (released or expired): how they leave the inventory, and how commands
//! about them are still decided once they have.
//!
//! A released or expired hold locks nothing, but the slab kept it so its transaction stayed
//! readable, and every bot that holds and lets go grew the slab, and every snapshot, for
//! ever. [`Performance::compact`] takes the ended holds out (the owner archives them in the
//! store, beside the snapshot that no longer has them); sold holds stay, since they are
//! bounded by the performance's capacity and are what its seats point at.
//!
//! A command about a transaction whose hold left is decided by [`decide_ended`], which gives
//! the answer [`Performance::decide`] gave while the hold was still here (a property test
//! compares the two for every command and ending).
//!
//! Two performances are equal when their inventories are: seat statuses by the transaction
//! that holds or bought each seat (not by slot number), the live and sold holds, the lock
//! expiries, the counters and the version. Ended holds are history, not inventory: a
//! performance compacted at one point and the same performance rebuilt from an older snapshot
//! are equal.
//!
//! # Caveats
//! - Compaction renumbers slots; nothing outside [`Performance`] may keep a slot number across
//!   a compaction.
//! - Placing a hold again for a transaction whose hold left is refused as `decide` refused it
//!   before the performance started; after the start `decide` says the performance started.
//!   The coordinator never asks for either (a transaction's holds end together).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::change::Change;
use super::command::Command;
use super::hold::{Hold, HoldState, TicketRef};
use super::ids::{Timestamp, TransactionId};
use super::performance::{Performance, SeatStatus};
use super::rejection::Rejection;

impl HoldState {
    /// Returns true once the hold has ended without a sale (released or expired).
    pub fn is_ended(self) -> bool {
        matches!(self, Self::Released | Self::Expired)
    }
}

impl Hold {
    /// Why `action` cannot be done to this hold, which is not live: an expired lock (also one
    /// whose time passed before it was expired), or the state it is in.
    pub fn refusal(&self, action: &'static str) -> Rejection {
        match self.state {
            HoldState::Expired => Rejection::LockExpired,
            state if state.is_locking() => Rejection::LockExpired,
            state => Rejection::InvalidState { state, action },
        }
    }
}

/// Decides `command` about `hold`, which ended and left its performance's inventory, as
/// [`Performance::decide`] decided it while the hold was there: releasing again changes
/// nothing, and anything that needs a live lock is refused as it was.
///
/// # Errors
/// The [`Rejection`] `decide` gave.
pub fn decide_ended(hold: &Hold, command: &Command) -> Result<Option<Change>, Rejection> {
    debug_assert!(hold.state.is_ended(), "only an ended hold leaves");
    let action = match command {
        Command::ReleaseHold { .. }
        | Command::UnprepareHold { .. }
        | Command::RestoreHold { .. } => return Ok(None),
        Command::ExtendHold { .. } => "check out",
        Command::SellHold { .. } | Command::PrepareHold { .. } => "complete",
        Command::ModifyHold { .. } => "change",
        Command::PlaceHold { .. } => {
            return Err(Rejection::InvalidState {
                state: hold.state,
                action: "open again",
            });
        }
        // Not about one transaction: `decide` never refuses them as unknown.
        Command::ExpireHolds
        | Command::ChangeHoldbacks { .. }
        | Command::ScanTicket { .. }
        | Command::Allocate { .. }
        | Command::Deallocate { .. }
        | Command::SetStatus { .. } => {
            return Ok(None);
        }
        Command::RefundTickets { .. } => "refund",
    };
    Err(hold.refusal(action))
}

impl Performance {
    /// Takes every ended hold out of the inventory and returns them, in the order placed. The
    /// holds that stay keep their order and get new slots.
    pub fn compact(&mut self) -> Vec<Arc<Hold>> {
        if !self.holds.iter().any(|hold| hold.state.is_ended()) {
            return Vec::new();
        }
        // A channel's tags follow their holds to the new slots; an ended hold's use of its
        // channel's quotas was given back when it ended.
        let mut channels: HashMap<TransactionId, String> = std::mem::take(&mut self.hold_channels)
            .into_iter()
            .map(|(slot, channel)| (self.holds[slot as usize].transaction, channel))
            .collect();
        let (ended, kept): (Vec<Arc<Hold>>, Vec<Arc<Hold>>) = std::mem::take(&mut self.holds)
            .into_iter()
            .partition(|hold| hold.state.is_ended());
        self.slots.clear();
        self.expiries.clear();
        for (slot, hold) in kept.iter().enumerate() {
            let slot = slot as u32;
            let status = match hold.state {
                HoldState::Sold => SeatStatus::Sold(slot),
                _ => SeatStatus::Held(slot),
            };
            // The same kind of status with a new slot: no counter changes. A refunded seat is
            // no longer this hold's (it is free, withheld, or a later hold's).
            for (index, &seat) in hold.seats.iter().enumerate() {
                let ticket = TicketRef {
                    transaction: hold.transaction,
                    index: index as u32,
                };
                if !self.is_refunded(ticket) {
                    self.seats[seat as usize] = status;
                }
            }
            if hold.state.is_expiring() {
                self.expiries.insert((hold.expires_at, slot));
            }
            self.slots.insert(hold.transaction, slot);
            if let Some(channel) = channels.remove(&hold.transaction) {
                self.hold_channels.insert(slot, channel);
            }
        }
        self.holds = kept;
        ended
    }

    /// The inventory with slots replaced by the transactions they name.
    fn inventory(&self) -> Inventory<'_> {
        let name = |slot: u32| self.holds[slot as usize].transaction;
        Inventory {
            seats: self
                .seats
                .iter()
                .map(|status| match *status {
                    SeatStatus::Free => SeatOwner::Free,
                    SeatStatus::Withheld => SeatOwner::Withheld,
                    SeatStatus::Allocated => SeatOwner::Allocated,
                    SeatStatus::Held(slot) => SeatOwner::Held(name(slot)),
                    SeatStatus::Sold(slot) => SeatOwner::Sold(name(slot)),
                })
                .collect(),
            holds: self
                .holds
                .iter()
                .filter(|hold| !hold.state.is_ended())
                .map(|hold| (hold.transaction, hold.as_ref()))
                .collect(),
            expiries: self
                .expiries
                .iter()
                .map(|&(at, slot)| (at, name(slot)))
                .collect(),
        }
    }
}

#[derive(PartialEq)]
enum SeatOwner {
    Free,
    Withheld,
    Allocated,
    Held(TransactionId),
    Sold(TransactionId),
}

#[derive(PartialEq)]
struct Inventory<'a> {
    seats: Vec<SeatOwner>,
    holds: BTreeMap<TransactionId, &'a Hold>,
    expiries: BTreeSet<(Timestamp, TransactionId)>,
}

impl PartialEq for Performance {
    /// Two performances are equal when their inventories are (see the module doc); the plan
    /// compares by its spec.
    fn eq(&self, other: &Self) -> bool {
        self.info == other.info
            && self.plan.spec() == other.plan.spec()
            && self.block_free == other.block_free
            && self.band_counts == other.band_counts
            && self.pools == other.pools
            && self.version == other.version
            && self.scans == other.scans
            && self.refunds == other.refunds
            && self.allocations == other.allocations
            && self.pool_withheld == other.pool_withheld
            && self.status == other.status
            && self.channels_of_kept_holds() == other.channels_of_kept_holds()
            && self.inventory() == other.inventory()
    }
}

impl Performance {
    /// The channel of each tagged hold that a compaction keeps, by transaction.
    fn channels_of_kept_holds(&self) -> BTreeMap<TransactionId, &str> {
        self.hold_channels
            .iter()
            .map(|(&slot, channel)| (&self.holds[slot as usize], channel.as_str()))
            .filter(|(hold, _)| !hold.state.is_ended())
            .map(|(hold, channel)| (hold.transaction, channel))
            .collect()
    }
}
