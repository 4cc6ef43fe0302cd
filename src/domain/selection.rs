//! Deciding what a new hold takes: specific seats, the best available, general-admission
//! places, or several of them at once, in the contract's order of faults (404 unknown → 422
//! quantity and contiguity → 409 taken → 422 gap), and what a holdback change takes.
//!
//! # Caveats
//! - Items at one performance are decided one after another on a copy of the inventory, so
//!   an earlier item may take the seats a later one would have preferred.

use super::change::Change;
use super::command::{SeatChoice, Selection};
use super::hold::{Hold, HoldState, PoolPlaces, SeatRequestStatus, TypedTickets, place_count};
use super::ids::{ClientId, Timestamp, TransactionId};
use super::performance::{Performance, SeatStatus, unavailability};
use super::rejection::{Rejection, Unavailability};

impl Performance {
    pub(super) fn decide_place_hold(
        &self,
        transaction: TransactionId,
        owner: &ClientId,
        ip: &str,
        selection: &Selection,
        now: Timestamp,
    ) -> Result<Hold, Rejection> {
        if now >= self.info.starts_at {
            return Err(Rejection::PerformanceStarted);
        }
        if let Some(existing) = self.hold(transaction) {
            return Err(Rejection::InvalidState {
                state: existing.state,
                action: "open again",
            });
        }
        // Single forms come out packed; only items go through `TypedTickets`.
        let (seats, places, ticket_types, seat_request_status) = match selection {
            Selection::Seats(choices) => {
                let (seats, types) = self.select_seats(choices)?;
                (seats, Vec::new(), types, SeatRequestStatus::NotRequested)
            }
            Selection::BestAvailable {
                quantity,
                price_band,
                preferred,
                ticket_type,
                filters,
            } => {
                let ticket_type = self.resolve_ticket_type(ticket_type.as_deref())?;
                let (seats, status) = self.select_best(
                    *quantity,
                    price_band.as_deref(),
                    preferred,
                    ticket_type,
                    filters,
                )?;
                let types = all_of(ticket_type, seats.len());
                (seats, Vec::new(), types, status)
            }
            Selection::GeneralAdmission {
                places,
                ticket_type,
            } => {
                let ticket_type = self.resolve_ticket_type(ticket_type.as_deref())?;
                let places = self.select_places(places, ticket_type)?;
                let types = all_of(ticket_type, place_count(&places) as usize);
                (Vec::new(), places, types, SeatRequestStatus::NotRequested)
            }
            Selection::Items(items) => {
                let (typed, status) = self.select_items(transaction, owner, ip, items, now)?;
                let (seats, places, types) = typed.pack();
                (seats, places, types, status)
            }
        };
        Ok(Hold {
            transaction,
            owner: owner.clone(),
            ip: ip.to_owned(),
            seats,
            places,
            created_at: now,
            expires_at: self.lock_end(now, now),
            state: HoldState::Held,
            seat_request_status,
            sale: None,
            renewals: 0,
            ticket_types,
        })
    }

    /// Several items at once: each decided on a scratch copy that already holds the items
    /// before it, so no seat is given twice and each item's rules see what the others took.
    /// The copy costs a clone of the inventory, paid only by requests of several items.
    fn select_items(
        &self,
        transaction: TransactionId,
        owner: &ClientId,
        ip: &str,
        items: &[Selection],
        now: Timestamp,
    ) -> Result<(TypedTickets, SeatRequestStatus), Rejection> {
        if items.is_empty() || items.iter().any(|item| matches!(item, Selection::Items(_))) {
            return Err(Rejection::EmptyOrNestedItems);
        }
        let mut scratch = self.clone();
        let mut typed = TypedTickets::default();
        let mut status = SeatRequestStatus::NotRequested;
        for (index, item) in items.iter().enumerate() {
            // A scratch transaction per item; the copy is dropped, so the ids never leak.
            let part = TransactionId(transaction.0 ^ (index as u128 + 1) << 100);
            let hold = scratch.decide_place_hold(part, owner, ip, item, now)?;
            typed.extend(hold.typed());
            status = status.weakest(hold.seat_request_status);
            scratch.apply(&Change::HoldPlaced(hold));
        }
        Ok((typed, status))
    }

    /// Returns the index of the ticket type `code`, or the first type when `None`.
    pub(super) fn resolve_ticket_type(&self, code: Option<&str>) -> Result<u8, Rejection> {
        match code {
            None => Ok(0),
            Some(code) => self
                .info
                .ticket_types(&self.plan)
                .index_of(code)
                .ok_or_else(|| Rejection::UnknownTicketType {
                    code: code.to_owned(),
                }),
        }
    }

    /// Refuses a seat whose band has no price for its ticket type. A performance that declares
    /// no types sells its one type everywhere.
    fn check_types_sold(
        &self,
        seats: impl Iterator<Item = (u32, u8)> + Clone,
    ) -> Result<(), Rejection> {
        if self.info.ticket_types.is_empty() {
            return Ok(());
        }
        let types = self.info.ticket_types(&self.plan);
        let band_of = |seat: u32| self.plan.block(seat).price_band;
        let Some((seat, ticket_type)) = seats
            .clone()
            .find(|&(seat, t)| types.price(t, band_of(seat)).is_none())
        else {
            return Ok(());
        };
        let band = band_of(seat);
        Err(Rejection::TicketTypeNotSold {
            ticket_type: types.code(ticket_type).to_owned(),
            price_band: self.plan.price_bands()[usize::from(band)].code.clone(),
            tickets: seats
                .filter(|&(other, t)| t == ticket_type && band_of(other) == band)
                .map(|(other, _)| self.ticket_id(other))
                .collect(),
        })
    }

    /// Resolves seat ids to seat indexes, refusing unknown and repeated ones.
    pub(super) fn resolve_seats<'a>(
        &self,
        ids: impl ExactSizeIterator<Item = &'a str>,
    ) -> Result<Vec<u32>, Rejection> {
        let mut seats = Vec::with_capacity(ids.len());
        for id in ids {
            let seat = self
                .plan
                .find_seat(id)
                .ok_or_else(|| Rejection::UnknownSeat {
                    ticket: format!("{}:{id}", self.info.id),
                })?;
            seats.push(seat);
        }
        let mut sorted = seats.clone();
        sorted.sort_unstable();
        if let Some(pair) = sorted.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(Rejection::DuplicateTicket {
                ticket: self.ticket_id(pair[0]),
            });
        }
        Ok(sorted)
    }

    pub(super) fn check_quantity(&self, quantity: u64) -> Result<(), Rejection> {
        let allowed = &self.info.rules.valid_quantities;
        if u32::try_from(quantity).is_ok_and(|q| allowed.binary_search(&q).is_ok()) {
            Ok(())
        } else {
            Err(Rejection::QuantityNotAllowed {
                requested: quantity,
                allowed: allowed.clone(),
            })
        }
    }

    /// Specific seats: 404 unknown → 422 quantity, contiguity and ticket types → 409 taken →
    /// 422 gap.
    /// Returns the seats ascending, and their types (empty when all are the first).
    fn select_seats(&self, choices: &[SeatChoice]) -> Result<(Vec<u32>, Vec<u8>), Rejection> {
        let seats = self.resolve_seats(choices.iter().map(|choice| choice.id.as_str()))?;
        let typed: Vec<(u32, u8)> = if choices.iter().all(|c| c.ticket_type.is_none()) {
            Vec::new()
        } else {
            let mut typed = Vec::with_capacity(choices.len());
            for choice in choices {
                let ticket_type = self.resolve_ticket_type(choice.ticket_type.as_deref())?;
                // Always found: resolve_seats found every id.
                if let Some(seat) = self.plan.find_seat(&choice.id) {
                    typed.push((seat, ticket_type));
                }
            }
            typed.sort_unstable();
            typed
        };
        self.check_quantity(seats.len() as u64)?;
        if self.info.rules.contiguous_seats_only && !self.is_one_run(&seats) {
            return Err(Rejection::NotContiguous {
                tickets: seats.iter().map(|&s| self.ticket_id(s)).collect(),
            });
        }
        if typed.is_empty() {
            self.check_types_sold(seats.iter().map(|&seat| (seat, 0)))?;
        } else {
            self.check_types_sold(typed.iter().copied())?;
        }
        let taken: Vec<(String, Unavailability)> = seats
            .iter()
            .filter_map(|&seat| match self.seats[seat as usize] {
                SeatStatus::Free => None,
                status => Some((self.ticket_id(seat), unavailability(status))),
            })
            .collect();
        if !taken.is_empty() {
            return Err(Rejection::SeatUnavailable { seats: taken });
        }
        if self.info.rules.no_single_seat_gaps
            && let Some(lone) = self.lone_seat_after(&seats)
        {
            return Err(Rejection::SingleSeatGap {
                ticket: self.ticket_id(lone),
            });
        }
        let mut types: Vec<u8> = typed.into_iter().map(|(_, t)| t).collect();
        if types.iter().all(|&t| t == 0) {
            types = Vec::new();
        }
        Ok((seats, types))
    }

    /// True when sorted `seats` are consecutive seats of one block.
    pub(super) fn is_one_run(&self, seats: &[u32]) -> bool {
        let Some(&first) = seats.first() else {
            return true;
        };
        let block = self.plan.block_of(first);
        seats
            .iter()
            .enumerate()
            .all(|(i, &seat)| seat == first + i as u32 && self.plan.block_of(seat) == block)
    }

    /// Returns a free seat that taking sorted `taken` would leave alone: free, next to a
    /// newly taken seat, and with a taken seat or a block end on its other side.
    pub(super) fn lone_seat_after(&self, taken: &[u32]) -> Option<u32> {
        let is_taken = |seat: u32| {
            self.seats[seat as usize] != SeatStatus::Free || taken.binary_search(&seat).is_ok()
        };
        for &seat in taken {
            let block = &self.plan.block(seat).seats;
            let left = (seat > block.start).then(|| seat - 1);
            let right = (seat + 1 < block.end).then_some(seat + 1);
            for neighbour in [left, right].into_iter().flatten() {
                if is_taken(neighbour) {
                    continue;
                }
                let beyond = if neighbour < seat {
                    (neighbour > block.start).then(|| neighbour - 1)
                } else {
                    (neighbour + 1 < block.end).then_some(neighbour + 1)
                };
                if beyond.is_none_or(is_taken) {
                    return Some(neighbour);
                }
            }
        }
        None
    }

    /// General-admission places, all of one ticket type: 404 unknown → 422 quantity and ticket
    /// type → insufficient availability.
    fn select_places(
        &self,
        requests: &[(String, u32)],
        ticket_type: u8,
    ) -> Result<Vec<PoolPlaces>, Rejection> {
        let mut places: Vec<PoolPlaces> = Vec::with_capacity(requests.len());
        for (code, quantity) in requests {
            let pool = self
                .plan
                .pool_index(code)
                .ok_or_else(|| Rejection::UnknownPool { code: code.clone() })?;
            places.push(PoolPlaces {
                pool,
                quantity: *quantity,
            });
        }
        let total: u64 = places.iter().map(|p| u64::from(p.quantity)).sum();
        if places.iter().any(|p| p.quantity == 0) {
            return Err(Rejection::QuantityNotAllowed {
                requested: 0,
                allowed: self.info.rules.valid_quantities.clone(),
            });
        }
        self.check_quantity(total)?;
        let types = self.info.ticket_types(&self.plan);
        for place in &places {
            let band = self.plan.pools()[usize::from(place.pool)].price_band;
            if types.price(ticket_type, band).is_none() {
                return Err(Rejection::TicketTypeNotSold {
                    ticket_type: types.code(ticket_type).to_owned(),
                    price_band: self.plan.price_bands()[usize::from(band)].code.clone(),
                    tickets: Vec::new(),
                });
            }
        }
        // A pool named twice counts once, with the quantities added, so its capacity holds.
        places.sort_by_key(|p| p.pool);
        places.dedup_by(|later, earlier| {
            let same = later.pool == earlier.pool;
            if same {
                earlier.quantity = earlier.quantity.saturating_add(later.quantity);
            }
            same
        });
        self.check_places_free(&places, |_| 0)?;
        Ok(places)
    }

    /// Checks that each of `places` is free: within its pool's general availability plus what
    /// `also_free` adds for the pool.
    ///
    /// # Errors
    /// `InsufficientAvailability` for the first pool that has too few.
    pub(super) fn check_places_free(
        &self,
        places: &[PoolPlaces],
        also_free: impl Fn(u16) -> u32,
    ) -> Result<(), Rejection> {
        for place in places {
            let available = self.pool_available(place.pool) + also_free(place.pool);
            if place.quantity > available {
                return Err(Rejection::InsufficientAvailability {
                    requested: place.quantity,
                    available,
                    what: "places",
                });
            }
        }
        Ok(())
    }

    /// Resolves (pool code, quantity) pairs to places by pool, ascending, a pool named twice
    /// counted once with the quantities added; a quantity of 0 is left out.
    ///
    /// # Errors
    /// `UnknownPool` for a code the plan does not have.
    pub(super) fn resolve_pool_quantities(
        &self,
        requests: &[(String, u32)],
    ) -> Result<Vec<PoolPlaces>, Rejection> {
        let mut places: Vec<PoolPlaces> = Vec::with_capacity(requests.len());
        for (code, quantity) in requests {
            let pool = self
                .plan
                .pool_index(code)
                .ok_or_else(|| Rejection::UnknownPool { code: code.clone() })?;
            match places.iter_mut().find(|place| place.pool == pool) {
                Some(place) => place.quantity = place.quantity.saturating_add(*quantity),
                None => places.push(PoolPlaces {
                    pool,
                    quantity: *quantity,
                }),
            }
        }
        places.retain(|place| place.quantity > 0);
        places.sort_by_key(|place| place.pool);
        Ok(places)
    }

    pub(super) fn decide_holdbacks(
        &self,
        withhold: &[String],
        release: &[String],
        withhold_places: &[(String, u32)],
        release_places: &[(String, u32)],
    ) -> Result<Option<Change>, Rejection> {
        let places_withheld = self.resolve_pool_quantities(withhold_places)?;
        let places_returned = self.resolve_pool_quantities(release_places)?;
        let withhold = self.resolve_seats(withhold.iter().map(String::as_str))?;
        let release = self.resolve_seats(release.iter().map(String::as_str))?;
        if let Some(&seat) = withhold.iter().find(|s| release.binary_search(s).is_ok()) {
            return Err(Rejection::DuplicateTicket {
                ticket: self.ticket_id(seat),
            });
        }
        let mut conflicts = Vec::new();
        let mut pick = |seats: &[u32], wanted: SeatStatus, done: SeatStatus| -> Vec<u32> {
            let mut picked = Vec::new();
            for &seat in seats {
                match self.seats[seat as usize] {
                    status if status == wanted => picked.push(seat),
                    status if status == done => {}
                    status => conflicts.push((self.ticket_id(seat), unavailability(status))),
                }
            }
            picked
        };
        let withheld = pick(&withhold, SeatStatus::Free, SeatStatus::Withheld);
        let not_withheld: Vec<String> = release
            .iter()
            .filter(|&&seat| self.seats[seat as usize] != SeatStatus::Withheld)
            .map(|&seat| self.ticket_id(seat))
            .collect();
        if !conflicts.is_empty() {
            return Err(Rejection::SeatUnavailable { seats: conflicts });
        }
        if !not_withheld.is_empty() {
            return Err(Rejection::NotWithheld {
                tickets: not_withheld,
            });
        }
        for place in &places_returned {
            let withheld = self.pool_withheld[usize::from(place.pool)];
            if place.quantity > withheld {
                return Err(Rejection::PlacesNotWithheld {
                    pool: self.plan.pools()[usize::from(place.pool)].code.clone(),
                    requested: place.quantity,
                    withheld,
                });
            }
        }
        // Places returned in the same request are free for it to withhold again.
        self.check_places_free(&places_withheld, |pool| {
            places_returned
                .iter()
                .find(|returned| returned.pool == pool)
                .map_or(0, |returned| returned.quantity)
        })?;
        let returned = release;
        if places_withheld.is_empty() && places_returned.is_empty() {
            let changes = !(withheld.is_empty() && returned.is_empty());
            return Ok(changes.then_some(Change::HoldbacksChanged { withheld, returned }));
        }
        Ok(Some(Change::HoldbacksChangedWithPlaces {
            withheld,
            returned,
            places_withheld,
            places_returned,
        }))
    }

    /// Withholds free seats and puts withheld ones back on sale.
    pub(super) fn apply_holdbacks(&mut self, withheld: &[u32], returned: &[u32]) {
        for &seat in withheld {
            self.set_seat(seat, SeatStatus::Withheld);
        }
        for &seat in returned {
            let status = self.resting_status(seat);
            self.set_seat(seat, status);
        }
    }
}

/// The types of `count` tickets all of `ticket_type`, as a hold stores them (none for the
/// first type).
fn all_of(ticket_type: u8, count: usize) -> Vec<u8> {
    if ticket_type == 0 {
        Vec::new()
    } else {
        vec![ticket_type; count]
    }
}
