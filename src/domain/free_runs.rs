//! Runs of free adjacent seats: what availability lists and best available searches, read
//! from the seats' statuses, with the free-seat bits kept beside them (`free_bits`).
//!
//! # Caveats
//! - A run never crosses a block: blocks are separated by aisles.

use super::performance::{Performance, SeatStatus};

impl Performance {
    /// True when the free-seat bits agree with every seat's status: an invariant the
    /// simulation checks after every step.
    pub fn free_bits_agree(&self) -> bool {
        (0..self.plan.seat_count()).all(|seat| {
            self.free_bits.is_free(seat) == (self.seats[seat as usize] == SeatStatus::Free)
        })
    }

    /// Returns the maximal runs of free adjacent seats, block by block in plan order, keeping
    /// only runs from which `quantity` seats can be held under the rules (when given) and only
    /// blocks of band `price_band` (when given).
    pub fn free_runs(
        &self,
        quantity: Option<u32>,
        price_band: Option<u16>,
    ) -> Vec<(u32, std::ops::Range<u32>)> {
        let mut runs = Vec::new();
        for (index, block) in self.plan.blocks().iter().enumerate() {
            if price_band.is_some_and(|band| band != block.price_band)
                || self.block_free[index] == 0
            {
                continue;
            }
            for run in self.runs_in_block(index as u32) {
                if quantity.is_none_or(|q| self.run_fits(run.len() as u32, q)) {
                    runs.push((index as u32, run));
                }
            }
        }
        runs
    }

    /// True when `quantity` seats can be held from a maximal free run of `length` seats: it
    /// must be long enough, and with gaps forbidden it must not leave exactly one seat over.
    pub(super) fn run_fits(&self, length: u32, quantity: u32) -> bool {
        length >= quantity && !(self.info.rules.no_single_seat_gaps && length == quantity + 1)
    }

    /// Returns the maximal runs of free seats of block `block`.
    pub(super) fn runs_in_block(
        &self,
        block: u32,
    ) -> impl Iterator<Item = std::ops::Range<u32>> + '_ {
        let seats = self.plan.blocks()[block as usize].seats.clone();
        let mut next = seats.start;
        std::iter::from_fn(move || {
            while next < seats.end && self.seats[next as usize] != SeatStatus::Free {
                next += 1;
            }
            if next >= seats.end {
                return None;
            }
            let start = next;
            while next < seats.end && self.seats[next as usize] == SeatStatus::Free {
                next += 1;
            }
            Some(start..next)
        })
    }
}
