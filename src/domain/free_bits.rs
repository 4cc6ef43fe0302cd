//! One bit per seat, set while the seat is free: the per-block free bitset of the design. Best
//! available asks it whether a block has a run of `quantity` adjacent free seats with a few
//! word operations, before reading the block's statuses seat by seat, so a search through a
//! nearly sold-out house skips the blocks whose free seats are scattered.
//!
//! # Caveats
//! - A pre-filter only: it says whether a run can be there, never which window is best.
//! - Kept by `Performance::set_seat`; whatever writes a seat's status another way must leave
//!   its freedom unchanged (compaction moves held and sold seats to new slots only).

use std::ops::Range;

/// The free seats of a performance, by seat index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct FreeBits {
    words: Vec<u64>,
}

impl FreeBits {
    /// `seats` seats, every one free.
    pub(super) fn all_free(seats: u32) -> Self {
        let mut words = vec![u64::MAX; seats.div_ceil(64) as usize];
        if let Some(last) = words.last_mut()
            && !seats.is_multiple_of(64)
        {
            *last = (1 << (seats % 64)) - 1;
        }
        Self { words }
    }

    /// Marks `seat` free or not.
    pub(super) fn set(&mut self, seat: u32, free: bool) {
        let (word, bit) = ((seat / 64) as usize, seat % 64);
        if free {
            self.words[word] |= 1 << bit;
        } else {
            self.words[word] &= !(1 << bit);
        }
    }

    /// True when `seat`'s bit says free.
    pub(super) fn is_free(&self, seat: u32) -> bool {
        self.words[(seat / 64) as usize] >> (seat % 64) & 1 == 1
    }

    /// True when `seats` holds `quantity` adjacent free seats somewhere (any `quantity` over 64
    /// is answered by counting the longest run word by word, which is still exact).
    pub(super) fn has_run(&self, seats: Range<u32>, quantity: u32) -> bool {
        if quantity == 0 || seats.is_empty() {
            return quantity == 0;
        }
        // The run of free seats that reaches the end of the words read so far.
        let mut run = 0_u32;
        let (first, last) = (seats.start / 64, (seats.end - 1) / 64);
        for index in first..=last {
            let mut word = self.words[index as usize];
            if index == first {
                word &= u64::MAX << (seats.start % 64);
            }
            if index == last && !seats.end.is_multiple_of(64) {
                word &= (1 << (seats.end % 64)) - 1;
            }
            if word == u64::MAX {
                run += 64;
                if run >= quantity {
                    return true;
                }
                continue;
            }
            // A run crossing in from the words before, continued by this word's low bits.
            if run + word.trailing_ones() >= quantity {
                return true;
            }
            if quantity <= 64 && has_run_within(word, quantity) {
                return true;
            }
            run = word.leading_ones();
        }
        false
    }
}

/// True when `word` has `quantity` (1 to 64) adjacent set bits: each step halves what is left
/// to match, so a run of any length costs about log2(quantity) shifts.
fn has_run_within(word: u64, quantity: u32) -> bool {
    let mut ones = word;
    let mut matched = 1;
    while matched < quantity && ones != 0 {
        let shift = matched.min(quantity - matched);
        ones &= ones >> shift;
        matched += shift;
    }
    ones != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The longest run of free seats in `seats`, read bit by bit.
    fn longest(bits: &FreeBits, seats: Range<u32>) -> u32 {
        let (mut best, mut run) = (0, 0);
        for seat in seats {
            run = if bits.is_free(seat) { run + 1 } else { 0 };
            best = best.max(run);
        }
        best
    }

    #[test]
    fn a_run_is_found_exactly_when_the_seats_hold_one() {
        let mut random = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            random ^= random << 13;
            random ^= random >> 7;
            random ^= random << 17;
            random
        };
        for round in 0..400 {
            let seats = 1 + (next() % 300) as u32;
            let mut bits = FreeBits::all_free(seats);
            let taken = next() % 100;
            for seat in 0..seats {
                bits.set(seat, next() % 100 >= taken);
            }
            let start = (next() % u64::from(seats)) as u32;
            let end = start + 1 + (next() % u64::from(seats - start)) as u32;
            let longest = longest(&bits, start..end);
            for quantity in [1, 2, 3, 4, 7, 8, 63, 64, 65, 100] {
                assert_eq!(
                    bits.has_run(start..end, quantity),
                    longest >= quantity,
                    "round {round}: {start}..{end} of {seats}, quantity {quantity}, longest {longest}"
                );
            }
        }
    }

    #[test]
    fn a_new_house_is_all_free_and_no_further() {
        let bits = FreeBits::all_free(70);
        assert!(bits.has_run(0..70, 70));
        assert!(bits.has_run(3..70, 67));
        assert!(!bits.has_run(3..70, 68));
        assert_eq!(bits.words[1], (1 << 6) - 1);
    }
}
