//! Which seats a change turned to another status: what a live seat stream sends for it.
//!
//! The seats a change may touch are read off the change and the holds it names before it is
//! applied; after applying, only those whose public status (`free`, `held`, `sold`, `withheld`,
//! `allocated`) differs are reported. Reading statuses before and after, instead of deriving
//! them from the change's kind, keeps this right for every change the domain will grow.
//!
//! # Caveats
//! - General-admission counters are not reported; a pool's availability is read from the
//!   performance.

use super::change::Change;
use super::performance::{Performance, SeatStatus};

impl Performance {
    /// Applies `change`, as [`Performance::apply`], and returns each seat whose public status
    /// it changed with its new status, in seat order.
    pub fn apply_reporting_seats(&mut self, change: &Change) -> Vec<(u32, SeatStatus)> {
        let mut involved = self.seats_involved(change);
        involved.sort_unstable();
        involved.dedup();
        let before: Vec<&'static str> = involved
            .iter()
            .map(|&seat| self.seat_status(seat).as_str())
            .collect();
        self.apply(change);
        involved
            .into_iter()
            .zip(before)
            .filter_map(|(seat, was)| {
                let now = self.seat_status(seat);
                (now.as_str() != was).then_some((seat, now))
            })
            .collect()
    }

    /// Every seat `change` may touch: those of the holds it names, as they are now, and those
    /// it names itself.
    fn seats_involved(&self, change: &Change) -> Vec<u32> {
        let held_by = |transaction| {
            self.hold(transaction)
                .map(|hold| hold.seats.clone())
                .unwrap_or_default()
        };
        match change {
            Change::HoldPlaced(hold) | Change::HoldPlacedInChannel { hold, .. } => {
                hold.seats.clone()
            }
            Change::AllocationAdded { seats, .. } => seats.clone(),
            Change::AllocationRemoved { channel } => self
                .allocations
                .get(channel)
                .map(|allocation| allocation.seats.iter().copied().collect())
                .unwrap_or_default(),
            Change::HoldModified {
                transaction, seats, ..
            } => {
                let mut all = held_by(*transaction);
                all.extend_from_slice(seats);
                all
            }
            Change::HoldsExpired { transactions } => {
                transactions.iter().flat_map(|&t| held_by(t)).collect()
            }
            Change::HoldbacksChanged { withheld, returned }
            | Change::HoldbacksChangedWithPlaces {
                withheld, returned, ..
            } => withheld.iter().chain(returned).copied().collect(),
            Change::HoldSold { transaction, .. }
            | Change::HoldReleased { transaction }
            | Change::TicketsRefunded { transaction, .. }
            | Change::HoldPrepared { transaction }
            | Change::HoldUnprepared { transaction }
            | Change::HoldExtended { transaction, .. } => held_by(*transaction),
            Change::TicketScanned { .. } | Change::StatusChanged { .. } => Vec::new(),
        }
    }
}
