//! Changing a live hold: adding seats or places, giving some up, or both at once (a move).
//!
//! The additions are decided like new holds on a copy of the inventory that still holds what
//! the hold keeps, with no rule applied, so no seat is given twice; then the rules are judged
//! on the result as if it were held in one request: `valid_quantities` on its seats and on
//! its places, `contiguous_seats_only` on its seats, and `no_single_seat_gaps` against the
//! inventory without the hold. A change is all or nothing, and the lock's expiry is kept.
//!
//! # Caveats
//! - Deciding an addition clones the inventory, a cost paid only by changes that add.
//! - A hold may be left with nothing (every ticket removed): it stays, empty, until it ends,
//!   so its transaction can still gain tickets there.
//! - A transaction gaining a performance places a new hold there (`PlaceHold`), judged as a
//!   new request.

use super::change::Change;
use super::command::{PlacesGivenUp, Selection};
use super::hold::{HoldState, PoolPlaces, TypedPlaces, TypedTickets, place_count};
use super::ids::{ClientId, Timestamp, TransactionId};
use super::performance::{Performance, SeatStatus};
use super::rejection::Rejection;

impl Performance {
    /// Decides a change to the live hold of `transaction` (a transaction gaining this
    /// performance places a new hold instead). Returns the change with the hold's new seats
    /// and places.
    pub(super) fn decide_modify(
        &self,
        transaction: TransactionId,
        add: &[Selection],
        remove_seats: &[String],
        remove_places: &[PlacesGivenUp],
        now: Timestamp,
    ) -> Result<Change, Rejection> {
        let hold = self.live_hold(transaction, now, "change")?;
        if hold.state == HoldState::Prepared {
            return Err(Rejection::InvalidState {
                state: hold.state,
                action: "change",
            });
        }
        let removed = self.resolve_seats(remove_seats.iter().map(String::as_str))?;
        if let Some(&stranger) = removed.iter().find(|seat| !hold.seats.contains(seat)) {
            return Err(Rejection::NotInTransaction {
                ticket: self.ticket_id(stranger),
            });
        }
        let mut typed = hold.typed();
        typed
            .seats
            .retain(|(seat, _)| removed.binary_search(seat).is_err());
        for given_up in remove_places {
            self.give_up_places(&mut typed, given_up)?;
        }
        // The copy holds what is kept, and nothing of what is given up.
        let (kept_seats, kept_places, kept_types) = typed.clone().pack();
        let mut without = self.without_rules();
        without.apply(&Change::HoldModified {
            transaction,
            seats: kept_seats,
            places: kept_places,
            ticket_types: kept_types,
        });
        if !add.is_empty() {
            typed.extend(without.decide_additions(transaction, &hold.owner, &hold.ip, add, now)?);
        }
        let (seats, places, ticket_types) = typed.pack();
        let mut base = self.clone();
        base.apply(&Change::HoldModified {
            transaction,
            seats: Vec::new(),
            places: Vec::new(),
            ticket_types: Vec::new(),
        });
        base.check_result(&seats, &places)?;
        Ok(Change::HoldModified {
            transaction,
            seats,
            places,
            ticket_types,
        })
    }

    /// Takes `given_up` out of `typed`: places of its type, or of the last types first.
    fn give_up_places(
        &self,
        typed: &mut TypedTickets,
        given_up: &PlacesGivenUp,
    ) -> Result<(), Rejection> {
        let pool =
            self.plan()
                .pool_index(&given_up.code)
                .ok_or_else(|| Rejection::UnknownPool {
                    code: given_up.code.clone(),
                })?;
        let ticket_type = match &given_up.ticket_type {
            Some(code) => Some(self.resolve_ticket_type(Some(code))?),
            None => None,
        };
        let matches = |place: &TypedPlaces| {
            place.pool == pool && ticket_type.is_none_or(|t| t == place.ticket_type)
        };
        let holding: u64 = typed
            .places
            .iter()
            .filter(|place| matches(place))
            .map(|place| u64::from(place.quantity))
            .sum();
        if given_up.quantity == 0 || holding < u64::from(given_up.quantity) {
            return Err(Rejection::PlacesNotInTransaction {
                code: given_up.code.clone(),
                quantity: given_up.quantity,
            });
        }
        typed
            .places
            .sort_unstable_by_key(|place| (place.pool, place.ticket_type));
        let mut left = given_up.quantity;
        for place in typed.places.iter_mut().rev().filter(|place| matches(place)) {
            let taken = left.min(place.quantity);
            place.quantity -= taken;
            left -= taken;
        }
        typed.places.retain(|place| place.quantity > 0);
        Ok(())
    }

    /// Decides `add` as one hold on `self` (a copy without rules); returns its seats and places.
    fn decide_additions(
        &self,
        transaction: TransactionId,
        owner: &ClientId,
        ip: &str,
        add: &[Selection],
        now: Timestamp,
    ) -> Result<TypedTickets, Rejection> {
        let selection = match add {
            [single] => single.clone(),
            many => Selection::Items(many.to_vec()),
        };
        // A scratch id: the copy already holds `transaction`.
        let scratch = TransactionId(!transaction.0);
        let hold = self.decide_place_hold(scratch, owner, ip, &selection, now)?;
        Ok(hold.typed())
    }

    /// Judges a hold's seats and places by the rules, as if held in one request, on an
    /// inventory that does not hold them.
    pub(super) fn check_result(
        &self,
        seats: &[u32],
        places: &[PoolPlaces],
    ) -> Result<(), Rejection> {
        if !seats.is_empty() {
            self.check_quantity(seats.len() as u64)?;
        }
        let places = place_count(places);
        if places > 0 {
            self.check_quantity(places)?;
        }
        let rules = &self.info().rules;
        if rules.contiguous_seats_only && !self.is_one_run(seats) {
            return Err(Rejection::NotContiguous {
                tickets: seats.iter().map(|&s| self.ticket_id(s)).collect(),
            });
        }
        if rules.no_single_seat_gaps
            && let Some(lone) = self.lone_seat_after(seats)
        {
            return Err(Rejection::SingleSeatGap {
                ticket: self.ticket_id(lone),
            });
        }
        Ok(())
    }

    /// Decides putting a live hold back to `seats` and `places` (the coordinator undoing a
    /// change that could not be made everywhere): refused only when a seat it gave up was
    /// taken meanwhile or a pool has no room.
    pub(super) fn decide_restore(
        &self,
        transaction: TransactionId,
        seats: &[u32],
        places: &[PoolPlaces],
        ticket_types: &[u8],
    ) -> Result<Option<Change>, Rejection> {
        let hold = self
            .hold(transaction)
            .ok_or(Rejection::UnknownTransaction)?;
        if !hold.state.is_expiring() {
            // Ended meanwhile (expired, released): nothing to put back.
            return Ok(None);
        }
        if hold.seats == seats && hold.places == places && hold.ticket_types == ticket_types {
            return Ok(None);
        }
        for &seat in seats {
            if hold.seats.binary_search(&seat).is_err()
                && !matches!(
                    self.seat_status(seat),
                    SeatStatus::Free | SeatStatus::Allocated
                )
            {
                return Err(Rejection::NotInTransaction {
                    ticket: self.ticket_id(seat),
                });
            }
        }
        for place in places {
            let holding = hold
                .places
                .iter()
                .find(|held| held.pool == place.pool)
                .map_or(0, |held| held.quantity);
            let available = holding + self.places_open_to(transaction, place.pool);
            if place.quantity > available {
                return Err(Rejection::InsufficientAvailability {
                    requested: place.quantity,
                    available,
                    what: "places",
                });
            }
        }
        Ok(Some(Change::HoldModified {
            transaction,
            seats: seats.to_vec(),
            places: places.to_vec(),
            ticket_types: ticket_types.to_vec(),
        }))
    }
}
