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
use super::command::Selection;
use super::hold::{HoldState, PoolPlaces, place_count};
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
        remove_places: &[(String, u32)],
        now: Timestamp,
    ) -> Result<Change, Rejection> {
        let hold = self.live_hold(transaction, now, "change")?;
        if hold.state == HoldState::Prepared {
            return Err(Rejection::InvalidState {
                state: hold.state,
                action: "change",
            });
        }
        let removed = self.resolve_seats(remove_seats)?;
        if let Some(&stranger) = removed.iter().find(|seat| !hold.seats.contains(seat)) {
            return Err(Rejection::NotInTransaction {
                ticket: self.ticket_id(stranger),
            });
        }
        let mut places = hold.places.clone();
        for (code, quantity) in remove_places {
            let pool = self
                .plan()
                .pool_index(code)
                .ok_or_else(|| Rejection::UnknownPool { code: code.clone() })?;
            let held = places.iter_mut().find(|place| place.pool == pool);
            match held {
                Some(place) if place.quantity >= *quantity && *quantity > 0 => {
                    place.quantity -= quantity;
                }
                _ => {
                    return Err(Rejection::PlacesNotInTransaction {
                        code: code.clone(),
                        quantity: *quantity,
                    });
                }
            }
        }
        places.retain(|place| place.quantity > 0);
        let mut seats: Vec<u32> = hold
            .seats
            .iter()
            .copied()
            .filter(|seat| removed.binary_search(seat).is_err())
            .collect();
        // The copy holds what is kept, and nothing of what is given up.
        let mut without = self.without_rules();
        without.apply(&Change::HoldModified {
            transaction,
            seats: seats.clone(),
            places: places.clone(),
        });
        if !add.is_empty() {
            let (added_seats, added_places) =
                without.decide_additions(transaction, &hold.owner, &hold.ip, add, now)?;
            seats.extend(added_seats);
            seats.sort_unstable();
            merge_places(&mut places, &added_places);
        }
        let mut base = self.clone();
        base.apply(&Change::HoldModified {
            transaction,
            seats: Vec::new(),
            places: Vec::new(),
        });
        base.check_result(&seats, &places)?;
        Ok(Change::HoldModified {
            transaction,
            seats,
            places,
        })
    }

    /// Decides `add` as one hold on `self` (a copy without rules); returns its seats and places.
    fn decide_additions(
        &self,
        transaction: TransactionId,
        owner: &ClientId,
        ip: &str,
        add: &[Selection],
        now: Timestamp,
    ) -> Result<(Vec<u32>, Vec<PoolPlaces>), Rejection> {
        let selection = match add {
            [single] => single.clone(),
            many => Selection::Items(many.to_vec()),
        };
        // A scratch id: the copy already holds `transaction`.
        let scratch = TransactionId(!transaction.0);
        let hold = self.decide_place_hold(scratch, owner, ip, &selection, now)?;
        Ok((hold.seats, hold.places))
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
    ) -> Result<Option<Change>, Rejection> {
        let hold = self
            .hold(transaction)
            .ok_or(Rejection::UnknownTransaction)?;
        if !hold.state.is_expiring() {
            // Ended meanwhile (expired, released): nothing to put back.
            return Ok(None);
        }
        if hold.seats == seats && hold.places == places {
            return Ok(None);
        }
        for &seat in seats {
            if hold.seats.binary_search(&seat).is_err()
                && self.seat_status(seat) != SeatStatus::Free
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
            if place.quantity > holding + self.pool_available(place.pool) {
                return Err(Rejection::InsufficientAvailability {
                    requested: place.quantity,
                    available: holding + self.pool_available(place.pool),
                    what: "places",
                });
            }
        }
        Ok(Some(Change::HoldModified {
            transaction,
            seats: seats.to_vec(),
            places: places.to_vec(),
        }))
    }
}

/// Adds `more` to `places`, pool by pool, keeping them sorted by pool.
fn merge_places(places: &mut Vec<PoolPlaces>, more: &[PoolPlaces]) {
    for place in more {
        match places.iter_mut().find(|held| held.pool == place.pool) {
            Some(held) => held.quantity += place.quantity,
            None => places.push(*place),
        }
    }
    places.sort_by_key(|place| place.pool);
}
