//! Why best available chose the seats it chose: the chosen row's rank, how far the seats are
//! from its centre, and for every row in front of it, what kept the search from stopping
//! there (no seat in the bands asked for, none free, too few free together, the attribute
//! filters, the single-seat-gap rule, or preferred seats further back).
//!
//! It is read off the inventory right after the hold was placed: the rows in front of the
//! chosen one hold none of the chosen seats, so their state is the state the search saw.
//!
//! It runs after every best-available hold, so its cost is bounded: a row is judged from
//! its blocks' free counters where they decide it (no seat in the band, none free, too few in
//! any block), and the seats of rows the counters cannot decide are read only up to
//! [`SEATS_EXAMINED_MAX`] in all; a row past that is reported `not_examined`.
//!
//! # Caveats
//! - Only a request of one best-available form at one performance is explained; items of a
//!   basket at one performance are decided one after another and are not.
//! - The reasons are checked in the order above and the first that holds is given; a row
//!   may have several.

use super::best_available::Bands;

/// The most seats one explanation reads, over every row it judges from their seats.
pub const SEATS_EXAMINED_MAX: u32 = 2_048;
use super::command::SeatFilters;
use super::performance::Performance;

/// Why the search passed over a row in front of the chosen one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowVerdict {
    /// No seat of the row is in a band the request may take (its `price_band`, or the bands
    /// its ticket type is sold in).
    NotInBand,
    /// No seat of those is free.
    SoldOut,
    /// Some are free, but not enough next to each other in one block.
    TooFewTogether,
    /// Enough are free together, but not with the attributes required or without those
    /// avoided.
    Filtered,
    /// Every fitting window would leave a single free seat beside it.
    SingleSeatGap,
    /// The row had room, but the request's preferred seats are further back.
    BehindPreferred,
    /// Not judged: its counters could not decide it, and the explanation had read its
    /// budget of seats ([`SEATS_EXAMINED_MAX`]) on the rows before.
    NotExamined,
}

impl RowVerdict {
    /// Every verdict, in the order they are checked.
    pub const ALL: [Self; 7] = [
        Self::NotInBand,
        Self::SoldOut,
        Self::TooFewTogether,
        Self::Filtered,
        Self::SingleSeatGap,
        Self::BehindPreferred,
        Self::NotExamined,
    ];

    /// Returns the verdict's name in answers.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotInBand => "not_in_band",
            Self::SoldOut => "sold_out",
            Self::TooFewTogether => "too_few_together",
            Self::Filtered => "filtered",
            Self::SingleSeatGap => "single_seat_gap",
            Self::BehindPreferred => "behind_preferred",
            Self::NotExamined => "not_examined",
        }
    }
}

/// Why best available chose a window of seats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explanation {
    /// The chosen row's index in plan order.
    pub row: u32,
    /// Twice the distance, in seat numbers, from the window's centre to the row's centre.
    pub centre_distance_x2: i64,
    /// Every row in front of it, in plan order, with why it was passed over.
    pub rows_before: Vec<(u32, RowVerdict)>,
    /// The attribute filters the request gave.
    pub filters: SeatFilters,
}

impl Performance {
    /// Explains a best-available choice of `seats` (a window of one row, just held) for a
    /// request in `price_band` of `ticket_type` with `filters`; `None` when `seats` is not a
    /// window of one row or the request's names do not resolve.
    pub fn explain_best(
        &self,
        price_band: Option<&str>,
        ticket_type: Option<&str>,
        filters: &SeatFilters,
        seats: &[u32],
    ) -> Option<Explanation> {
        let (&first, quantity) = (seats.first()?, seats.len() as u32);
        let ticket_type = self.resolve_ticket_type(ticket_type).ok()?;
        let band = self.bands(price_band, ticket_type, filters).ok()?;
        let plan = self.plan();
        let row = plan.block(first).row;
        let number = i64::from(plan.seat_number(first));
        let centre_x2 = plan.rows()[row as usize].centre_x2;
        let centre_distance_x2 = (2 * number + i64::from(quantity) - 1 - centre_x2).abs();
        let mut budget = SEATS_EXAMINED_MAX;
        let rows_before = (0..row)
            .map(|earlier| {
                (
                    earlier,
                    self.row_verdict(earlier, quantity, band, &mut budget),
                )
            })
            .collect();
        Some(Explanation {
            row,
            centre_distance_x2,
            rows_before,
            filters: filters.clone(),
        })
    }

    fn row_verdict(
        &self,
        row: u32,
        quantity: u32,
        band: Bands<'_>,
        budget: &mut u32,
    ) -> RowVerdict {
        let plan = self.plan();
        let no_gaps = self.info().rules.no_single_seat_gaps;
        let (mut in_band, mut free, mut together, mut fits) = (false, false, false, false);
        for block in plan.rows()[row as usize].blocks.clone() {
            let spec = &plan.blocks()[block as usize];
            if !band.allows(spec.price_band) {
                continue;
            }
            in_band = true;
            let free_in_block = self.block_free(block);
            free |= free_in_block > 0;
            if free_in_block < quantity {
                continue;
            }
            let seats = spec.seats.end - spec.seats.start;
            if *budget < seats {
                return RowVerdict::NotExamined;
            }
            *budget -= seats;
            for run in self.runs_in_block(block) {
                if (run.len() as u32) < quantity {
                    continue;
                }
                together = true;
                let last = run.end - quantity;
                for start in run.start..=last {
                    if !(start..start + quantity).all(|seat| band.seat_fits(seat)) {
                        continue;
                    }
                    fits = true;
                    let lone = start - run.start == 1 || last - start == 1;
                    if !(no_gaps && lone) {
                        return RowVerdict::BehindPreferred;
                    }
                }
            }
        }
        match (in_band, free, together, fits) {
            (false, ..) => RowVerdict::NotInBand,
            (true, false, ..) => RowVerdict::SoldOut,
            (true, true, false, _) => RowVerdict::TooFewTogether,
            (true, true, true, false) => RowVerdict::Filtered,
            (true, true, true, true) => RowVerdict::SingleSeatGap,
        }
    }
}
