//! Best available: the engine picks seats for a quantity under the performance's rules.
//!
//! "Best" means the lowest row first (rows in plan order, front to back), then the seats
//! closest to the centre of the row, all adjacent in one block. Blocks whose free count is
//! below the quantity are skipped without looking at their seats, and the search stops at the
//! first row that has a fitting window. Preferred seats are tried first: the window that
//! covers the most of them wins, and the answer says how many it got.
//!
//! Attribute filters (`require`, `avoid`) narrow the seats a window may take, not the runs
//! the gap rule reads: a free seat that a filter excludes still counts as free for
//! `no_single_seat_gaps`. With filters every window of a run is tried, since the ones nearest
//! the centre may be the ones excluded.

use super::command::SeatFilters;
use super::geometry::{AttributeSet, SeatAttributes};
use super::hold::SeatRequestStatus;
use super::performance::Performance;
use super::price_list::TicketTypes;
use super::rejection::Rejection;

/// A candidate window: `quantity` adjacent seats from `start`, ranked by row, then by distance
/// from the row's centre, then from the left.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    row: u32,
    centre_distance: i64,
    start: u32,
}

/// The seats a request may take: in the band it names, if any, among those its ticket type
/// is sold in, with the attributes it requires and without those it avoids.
#[derive(Clone, Copy, Debug)]
pub(super) struct Bands<'a> {
    pub(super) only: Option<u16>,
    pub(super) ticket_type: u8,
    pub(super) types: TicketTypes<'a>,
    pub(super) require: AttributeSet,
    pub(super) avoid: AttributeSet,
    pub(super) attributes: &'a SeatAttributes,
}

impl Bands<'_> {
    pub(super) fn allows(self, band: u16) -> bool {
        self.only.is_none_or(|only| only == band)
            && self.types.price(self.ticket_type, band).is_some()
    }

    /// True when the request filters by attribute.
    pub(super) fn filters(self) -> bool {
        !(self.require.is_empty() && self.avoid.is_empty())
    }

    /// True when `seat` passes the attribute filters.
    pub(super) fn seat_fits(self, seat: u32) -> bool {
        let set = self.attributes.of(seat);
        set.contains_all(self.require) && !set.contains_any(self.avoid)
    }
}

impl Performance {
    /// Picks `quantity` seats for a best-available request.
    pub(super) fn select_best(
        &self,
        quantity: u32,
        price_band: Option<&str>,
        preferred: &[String],
        ticket_type: u8,
        filters: &SeatFilters,
    ) -> Result<(Vec<u32>, SeatRequestStatus), Rejection> {
        self.check_quantity(u64::from(quantity))?;
        let band = self.bands(price_band, ticket_type, filters)?;
        let only = band.only;
        let sold_somewhere = (0..self.plan().price_bands().len() as u16).any(|b| band.allows(b));
        if !sold_somewhere {
            let types = band.types;
            return Err(Rejection::TicketTypeNotSold {
                ticket_type: types.code(ticket_type).to_owned(),
                price_band: only.map_or_else(
                    || "any".to_owned(),
                    |b| self.plan().price_bands()[usize::from(b)].code.clone(),
                ),
                tickets: Vec::new(),
            });
        }
        let preferred = self.resolve_seats(preferred.iter().map(String::as_str))?;
        let window = |start: u32| (start..start + quantity).collect::<Vec<u32>>();
        if !preferred.is_empty() {
            if let Some(seats) = self.preferred_exactly(quantity, band, &preferred) {
                return Ok((seats, SeatRequestStatus::GotAll));
            }
            if let Some((start, got)) = self.best_window_with(quantity, band, &preferred) {
                let status = if got == preferred.len() {
                    SeatRequestStatus::GotAll
                } else {
                    SeatRequestStatus::GotSome
                };
                return Ok((window(start), status));
            }
        }
        let status = if preferred.is_empty() {
            SeatRequestStatus::NotRequested
        } else {
            SeatRequestStatus::GotNone
        };
        match self.best_window(quantity, band) {
            Some(start) => Ok((window(start), status)),
            None => Err(Rejection::InsufficientAvailability {
                requested: quantity,
                available: match band.only {
                    // Counted seat by seat: the counters know bands, not attributes.
                    _ if band.filters() => (0..self.plan().seat_count())
                        .filter(|&seat| {
                            self.seat_status(seat) == super::SeatStatus::Free
                                && band.allows(self.plan().block(seat).price_band)
                                && band.seat_fits(seat)
                        })
                        .count() as u32,
                    None if band.types.is_all_sold(ticket_type) => self.counts().available,
                    _ => self
                        .band_counts()
                        .iter()
                        .enumerate()
                        .filter(|&(b, _)| band.allows(b as u16))
                        .map(|(_, counts)| counts.available)
                        .sum(),
                },
                what: "seats",
            }),
        }
    }

    /// The seats a best-available request may take.
    pub(super) fn bands(
        &self,
        price_band: Option<&str>,
        ticket_type: u8,
        filters: &SeatFilters,
    ) -> Result<Bands<'_>, Rejection> {
        let only = match price_band {
            Some(code) => Some(self.plan().price_band_index(code).ok_or_else(|| {
                Rejection::UnknownPriceBand {
                    code: code.to_owned(),
                }
            })?),
            None => None,
        };
        let attributes = self.plan().attributes();
        // An attribute no seat has: none can be required (so none fits), none avoided.
        let require = attributes
            .set_of(filters.require.iter().map(String::as_str))
            .map_err(|name| Rejection::NoSeatHasAttribute {
                attribute: name.to_owned(),
            })?;
        let avoid = filters
            .avoid
            .iter()
            .filter_map(|name| attributes.set_of([name.as_str()]).ok())
            .fold(AttributeSet::EMPTY, AttributeSet::union);
        Ok(Bands {
            only,
            ticket_type,
            types: self.info().ticket_types(self.plan()),
            require,
            avoid,
            attributes,
        })
    }

    /// Where adjacency is not demanded, exactly the preferred seats, if they are free, in the
    /// band, as many as asked for, and leave no gap.
    fn preferred_exactly(
        &self,
        quantity: u32,
        band: Bands<'_>,
        preferred: &[u32],
    ) -> Option<Vec<u32>> {
        let rules = &self.info().rules;
        let fits = !rules.contiguous_seats_only
            && preferred.len() == quantity as usize
            && preferred.iter().all(|&seat| {
                self.seat_status(seat) == super::SeatStatus::Free
                    && band.allows(self.plan().block(seat).price_band)
                    && band.seat_fits(seat)
            })
            && !(rules.no_single_seat_gaps && self.lone_seat_after(preferred).is_some());
        fits.then(|| preferred.to_vec())
    }

    /// The best window over the whole plan.
    fn best_window(&self, quantity: u32, band: Bands<'_>) -> Option<u32> {
        for (row_index, row) in self.plan().rows().iter().enumerate() {
            let best = row
                .blocks
                .clone()
                .filter_map(|block| self.best_in_block(block, quantity, band, row_index as u32))
                .min();
            if let Some(rank) = best {
                return Some(rank.start);
            }
        }
        None
    }

    /// The window covering the most preferred seats (at least one), ranked as usual among
    /// equals; returns its start and how many preferred seats it covers.
    fn best_window_with(
        &self,
        quantity: u32,
        band: Bands<'_>,
        preferred: &[u32],
    ) -> Option<(u32, usize)> {
        let mut blocks: Vec<u32> = preferred.iter().map(|&s| self.plan().block_of(s)).collect();
        blocks.dedup();
        let mut best: Option<(usize, Rank)> = None;
        for block in blocks {
            let row = self.plan().blocks()[block as usize].row;
            self.for_each_window(block, quantity, band, row, Windows::All, |rank| {
                let covered = preferred
                    .iter()
                    .filter(|&&s| s >= rank.start && s < rank.start + quantity)
                    .count();
                let better = match best {
                    None => covered > 0,
                    Some((most, top)) => covered > most || (covered == most && rank < top),
                };
                if better {
                    best = Some((covered, rank));
                }
            });
        }
        best.map(|(covered, rank)| (rank.start, covered))
    }

    fn best_in_block(&self, block: u32, quantity: u32, band: Bands<'_>, row: u32) -> Option<Rank> {
        let mut best: Option<Rank> = None;
        let windows = if band.filters() {
            Windows::All
        } else {
            Windows::NearCentre
        };
        self.for_each_window(block, quantity, band, row, windows, |rank| {
            if best.is_none_or(|top| rank < top) {
                best = Some(rank);
            }
        });
        best
    }

    /// Calls `visit` for windows of `quantity` free adjacent seats in `block` that the gap
    /// rule allows: every one, or per run only those that can be closest to the centre.
    fn for_each_window(
        &self,
        block: u32,
        quantity: u32,
        band: Bands<'_>,
        row: u32,
        windows: Windows,
        mut visit: impl FnMut(Rank),
    ) {
        let plan = self.plan();
        let spec = &plan.blocks()[block as usize];
        if !band.allows(spec.price_band)
            || self.block_free(block) < quantity
            || !self.free_bits.has_run(spec.seats.clone(), quantity)
        {
            return;
        }
        let centre_x2 = plan.rows()[row as usize].centre_x2;
        let no_gaps = self.info().rules.no_single_seat_gaps;
        // The start whose window is centred on the row, as a seat index (may lie outside).
        let ideal = i64::from(spec.seats.start) - i64::from(spec.first_number)
            + (centre_x2 - i64::from(quantity) + 1).div_euclid(2);
        for run in self.runs_in_block(block) {
            if (run.len() as u32) < quantity {
                continue;
            }
            let (low, high) = (run.start, run.end - quantity);
            let rank_at = |start: u32| {
                let left_over = start - run.start;
                let right_over = high - start;
                if no_gaps && (left_over == 1 || right_over == 1) {
                    return None;
                }
                if band.filters() && !(start..start + quantity).all(|seat| band.seat_fits(seat)) {
                    return None;
                }
                let first_number = i64::from(spec.first_number + (start - spec.seats.start));
                let centre_distance =
                    (2 * first_number + i64::from(quantity) - 1 - centre_x2).abs();
                Some(Rank {
                    row,
                    centre_distance,
                    start,
                })
            };
            match windows {
                Windows::All => (low..=high).filter_map(rank_at).for_each(&mut visit),
                Windows::NearCentre => {
                    // The distance is V-shaped in the start and the gap rule removes at most
                    // the second and the second-to-last start, so the best start of the run
                    // is within a few seats of the clamped ideal, or at an end of the run.
                    let nearest = ideal.clamp(i64::from(low), i64::from(high));
                    let around = (nearest - 2..=nearest + 3)
                        .filter_map(|start| u32::try_from(start).ok())
                        .filter(|start| (low..=high).contains(start));
                    let ends = [low, low + 2, high, high.saturating_sub(2)]
                        .into_iter()
                        .filter(|start| (low..=high).contains(start));
                    around.chain(ends).filter_map(rank_at).for_each(&mut visit);
                }
            }
        }
    }
}

/// Which windows a search looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Windows {
    /// Every window (counting preferred seats needs them all).
    All,
    /// Per run, only those that can be the closest to the centre.
    NearCentre,
}
