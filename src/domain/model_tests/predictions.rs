//! What the reference model predicts for each command, from the model alone: the expected
//! change or rejection the performance must agree with.

use super::*;

impl Runner {
    pub(super) fn expect(&self, command: &Command) -> Expected {
        match command {
            Command::PlaceHold {
                transaction,
                selection,
                ..
            } => self
                .expect_place(*transaction, selection)
                .unwrap_or_else(|expected| expected),
            Command::ExtendHold { transaction } => self.expect_extend(*transaction),
            Command::SellHold {
                transaction,
                order_number,
                ..
            } => self.expect_sell(*transaction, *order_number),
            Command::ReleaseHold { transaction } => match self.model.holds.get(transaction) {
                None => Expected::Rejection(Rejection::UnknownTransaction),
                Some(hold) if hold.state == HoldState::Prepared => {
                    Expected::Rejection(Rejection::InvalidState {
                        state: HoldState::Prepared,
                        action: "release",
                    })
                }
                Some(hold) if hold.state.is_locking() => expect_change(Change::HoldReleased {
                    transaction: *transaction,
                }),
                Some(_) => Expected::Nothing,
            },
            Command::ExpireHolds => self.expect_expiry(),
            Command::ScanTicket { .. } => {
                unreachable!("the generator scans nothing: scans are tested in domain::scan")
            }
            Command::RefundTickets { .. } => {
                unreachable!("the generator refunds nothing: refunds are tested in domain::tests")
            }
            Command::PrepareHold { transaction } => match self.model.holds.get(transaction) {
                None => Expected::Rejection(Rejection::UnknownTransaction),
                Some(hold) if hold.state == HoldState::Prepared => Expected::Nothing,
                Some(hold) if hold.state.is_expiring() && self.now < hold.expires_at => {
                    expect_change(Change::HoldPrepared {
                        transaction: *transaction,
                    })
                }
                Some(hold) if hold.state.is_locking() || hold.state == HoldState::Expired => {
                    Expected::Rejection(Rejection::LockExpired)
                }
                Some(hold) => Expected::Rejection(Rejection::InvalidState {
                    state: hold.state,
                    action: "complete",
                }),
            },
            Command::UnprepareHold { transaction } => match self.model.holds.get(transaction) {
                None => Expected::Rejection(Rejection::UnknownTransaction),
                Some(hold) if hold.state == HoldState::Prepared => {
                    expect_change(Change::HoldUnprepared {
                        transaction: *transaction,
                    })
                }
                Some(_) => Expected::Nothing,
            },
            Command::ChangeHoldbacks {
                withhold, release, ..
            } => self
                .expect_holdbacks(withhold, release)
                .unwrap_or_else(|expected| expected),
            // Changes to a hold are checked by `domain::modify`'s tests and the simulation.
            Command::ModifyHold { .. } | Command::RestoreHold { .. } => {
                unreachable!("the generator makes no changes to a hold")
            }
            // Allocations and sale status are checked by `domain::tests::allocations` and the
            // simulation.
            Command::Allocate { .. } | Command::Deallocate { .. } | Command::SetStatus { .. } => {
                unreachable!("the generator makes no allocations and keeps the performance on sale")
            }
        }
    }

    /// Returns the prediction as `Ok`, or a refusal found early as `Err`.
    pub(super) fn expect_place(
        &self,
        transaction: TransactionId,
        selection: &Selection,
    ) -> Result<Expected, Expected> {
        if self.now >= self.starts_at {
            return Err(Expected::Rejection(Rejection::PerformanceStarted));
        }
        if self.model.holds.contains_key(&transaction) {
            return Err(Expected::Reopened);
        }
        let (seats, places, status) = match selection {
            Selection::Seats(choices) => (
                self.expect_seats(
                    &choices
                        .iter()
                        .map(|choice| choice.id.clone())
                        .collect::<Vec<_>>(),
                )?,
                Vec::new(),
                SeatRequestStatus::NotRequested,
            ),
            Selection::BestAvailable {
                quantity,
                price_band,
                preferred,
                ticket_type: _,
                filters: _,
            } => {
                let (seats, status) =
                    self.expect_best(*quantity, price_band.as_deref(), preferred)?;
                (seats, Vec::new(), status)
            }
            Selection::GeneralAdmission {
                places: requests,
                ticket_type: _,
            } => (
                Vec::new(),
                self.expect_places(requests)?,
                SeatRequestStatus::NotRequested,
            ),
            // The model judges one form per hold; items are checked by `domain::tests` and
            // the simulation, which places them.
            Selection::Items(_) => unreachable!("the generator makes no items"),
        };
        Ok(Expected::Hold {
            transaction,
            seats,
            places,
            status,
        })
    }

    /// Resolves seat ids: the first unknown one, then any repeated one, is refused.
    pub(super) fn resolve(&self, ids: &[String]) -> Result<Vec<u32>, Expected> {
        let mut seats = Vec::new();
        for id in ids {
            match self.geometry.seat_by_id.get(id) {
                Some(&seat) => seats.push(seat),
                None => {
                    return Err(Expected::Rejection(Rejection::UnknownSeat {
                        ticket: format!("perf:{id}"),
                    }));
                }
            }
        }
        seats.sort_unstable();
        let repeated: Vec<String> = seats
            .windows(2)
            .filter(|pair| pair[0] == pair[1])
            .map(|pair| self.geometry.ticket(pair[0]))
            .collect();
        if repeated.is_empty() {
            Ok(seats)
        } else {
            Err(Expected::Duplicate(repeated))
        }
    }

    pub(super) fn check_quantity(&self, quantity: u64) -> Result<(), Expected> {
        let allowed = &self.rules.valid_quantities;
        if allowed.iter().any(|&q| u64::from(q) == quantity) {
            Ok(())
        } else {
            Err(Expected::Rejection(Rejection::QuantityNotAllowed {
                requested: quantity,
                allowed: allowed.clone(),
            }))
        }
    }

    pub(super) fn is_one_run(&self, seats: &[u32]) -> bool {
        seats.windows(2).all(|pair| {
            pair[1] == pair[0] + 1
                && self.geometry.block_of[pair[0] as usize]
                    == self.geometry.block_of[pair[1] as usize]
        })
    }

    pub(super) fn why_taken(&self, seat: u32) -> Option<Unavailability> {
        match self.model.seats[seat as usize] {
            ModelSeat::Free => None,
            ModelSeat::Held(_) => Some(Unavailability::Held),
            ModelSeat::Sold(_) => Some(Unavailability::Sold),
            ModelSeat::Withheld => Some(Unavailability::Withheld),
        }
    }

    pub(super) fn expect_seats(&self, ids: &[String]) -> Result<Vec<u32>, Expected> {
        let seats = self.resolve(ids)?;
        self.check_quantity(seats.len() as u64)?;
        if self.rules.contiguous_seats_only && !self.is_one_run(&seats) {
            return Err(Expected::Rejection(Rejection::NotContiguous {
                tickets: seats.iter().map(|&s| self.geometry.ticket(s)).collect(),
            }));
        }
        let taken: Vec<(String, Unavailability)> = seats
            .iter()
            .filter_map(|&s| self.why_taken(s).map(|why| (self.geometry.ticket(s), why)))
            .collect();
        if !taken.is_empty() {
            return Err(Expected::Rejection(Rejection::SeatUnavailable {
                seats: taken,
            }));
        }
        let lone = self.model.lone_seats_made(&self.geometry, &seats);
        if self.rules.no_single_seat_gaps && !lone.is_empty() {
            return Err(Expected::Gap(
                lone.iter().map(|&s| self.geometry.ticket(s)).collect(),
            ));
        }
        Ok(seats)
    }

    /// Every window of `quantity` free adjacent seats in one block of `band` that the gap rule
    /// allows.
    pub(super) fn windows(&self, quantity: u32, band: Option<u16>) -> Vec<Window> {
        let mut windows = Vec::new();
        for block in &self.geometry.blocks {
            if band.is_some_and(|b| b != block.band) || block.seats.len() < quantity as usize {
                continue;
            }
            for start in block.seats.start..=block.seats.end - quantity {
                let seats: Vec<u32> = (start..start + quantity).collect();
                let free = seats.iter().all(|&s| self.model.is_free(s));
                let gap = self.rules.no_single_seat_gaps
                    && !self
                        .model
                        .lone_seats_made(&self.geometry, &seats)
                        .is_empty();
                if free && !gap {
                    let number = i64::from(block.first_number + (start - block.seats.start));
                    let distance =
                        (2 * number + i64::from(quantity) - 1 - self.geometry.centre_x2[block.row])
                            .abs();
                    windows.push(((block.row, distance, start), seats));
                }
            }
        }
        windows
    }

    pub(super) fn expect_best(
        &self,
        quantity: u32,
        price_band: Option<&str>,
        preferred: &[String],
    ) -> Result<(Vec<u32>, SeatRequestStatus), Expected> {
        self.check_quantity(u64::from(quantity))?;
        let band = match price_band {
            None => None,
            Some(code) => Some(BANDS.iter().position(|b| *b == code).ok_or_else(|| {
                Expected::Rejection(Rejection::UnknownPriceBand {
                    code: code.to_owned(),
                })
            })? as u16),
        };
        let preferred = self.resolve(preferred)?;
        let windows = self.windows(quantity, band);
        if !preferred.is_empty() {
            let exactly = !self.rules.contiguous_seats_only
                && preferred.len() == quantity as usize
                && preferred.iter().all(|&s| {
                    self.model.is_free(s) && band.is_none_or(|b| self.geometry.block(s).band == b)
                })
                && (!self.rules.no_single_seat_gaps
                    || self
                        .model
                        .lone_seats_made(&self.geometry, &preferred)
                        .is_empty());
            if exactly {
                return Ok((preferred, SeatRequestStatus::GotAll));
            }
            let covered = |seats: &[u32]| preferred.iter().filter(|s| seats.contains(s)).count();
            let best = windows
                .iter()
                .filter(|(_, seats)| covered(seats) > 0)
                .min_by_key(|(rank, seats)| (std::cmp::Reverse(covered(seats)), *rank));
            if let Some((_, seats)) = best {
                let status = if covered(seats) == preferred.len() {
                    SeatRequestStatus::GotAll
                } else {
                    SeatRequestStatus::GotSome
                };
                return Ok((seats.clone(), status));
            }
        }
        let status = if preferred.is_empty() {
            SeatRequestStatus::NotRequested
        } else {
            SeatRequestStatus::GotNone
        };
        match windows.into_iter().min_by_key(|(rank, _)| *rank) {
            Some((_, seats)) => Ok((seats, status)),
            None => Err(Expected::Rejection(Rejection::InsufficientAvailability {
                requested: quantity,
                available: self.model.free_in_band(&self.geometry, band),
                what: "seats",
            })),
        }
    }

    pub(super) fn expect_places(
        &self,
        requests: &[(String, u32)],
    ) -> Result<Vec<PoolPlaces>, Expected> {
        let mut places: Vec<PoolPlaces> = Vec::new();
        for (code, quantity) in requests {
            let pool = POOLS.iter().position(|p| p == code).ok_or_else(|| {
                Expected::Rejection(Rejection::UnknownPool { code: code.clone() })
            })?;
            places.push(PoolPlaces {
                pool: pool as u16,
                quantity: *quantity,
            });
        }
        if places.iter().any(|p| p.quantity == 0) {
            self.check_quantity(0)?;
        }
        self.check_quantity(places.iter().map(|p| u64::from(p.quantity)).sum())?;
        // A pool named twice is one request for the sum of its quantities.
        let mut merged: Vec<PoolPlaces> = Vec::new();
        for pool in 0..POOLS.len() as u16 {
            let quantity: u32 = places
                .iter()
                .filter(|p| p.pool == pool)
                .map(|p| p.quantity)
                .sum();
            if places.iter().any(|p| p.pool == pool) {
                merged.push(PoolPlaces { pool, quantity });
            }
        }
        let places = merged;
        for place in &places {
            let available = self
                .model
                .pool_available(&self.geometry, usize::from(place.pool));
            if place.quantity > available {
                return Err(Expected::Rejection(Rejection::InsufficientAvailability {
                    requested: place.quantity,
                    available,
                    what: "places",
                }));
            }
        }
        Ok(places)
    }

    pub(super) fn expect_extend(&self, transaction: TransactionId) -> Expected {
        match self.model.holds.get(&transaction) {
            None => Expected::Rejection(Rejection::UnknownTransaction),
            Some(hold) if hold.state == HoldState::Prepared => {
                Expected::Rejection(Rejection::InvalidState {
                    state: hold.state,
                    action: "check out",
                })
            }
            Some(hold) if hold.state.is_locking() && self.now < hold.expires_at => {
                expect_change(Change::HoldExtended {
                    transaction,
                    expires_at: self.now.plus_seconds(HOLD_SECONDS),
                })
            }
            Some(hold) if hold.state.is_locking() || hold.state == HoldState::Expired => {
                Expected::Rejection(Rejection::LockExpired)
            }
            Some(hold) => Expected::Rejection(Rejection::InvalidState {
                state: hold.state,
                action: "check out",
            }),
        }
    }

    pub(super) fn expect_sell(
        &self,
        transaction: TransactionId,
        order_number: OrderNumber,
    ) -> Expected {
        match self.model.holds.get(&transaction) {
            None => Expected::Rejection(Rejection::UnknownTransaction),
            Some(hold) if hold.state == HoldState::Sold => Expected::Nothing,
            Some(hold)
                if hold.state == HoldState::Prepared
                    || (hold.state.is_locking() && self.now < hold.expires_at) =>
            {
                Expected::Sale {
                    transaction,
                    order_number,
                    count: hold.seats.len()
                        + hold
                            .places
                            .iter()
                            .map(|p| p.quantity as usize)
                            .sum::<usize>(),
                }
            }
            Some(hold) if hold.state.is_locking() || hold.state == HoldState::Expired => {
                Expected::Rejection(Rejection::LockExpired)
            }
            Some(hold) => Expected::Rejection(Rejection::InvalidState {
                state: hold.state,
                action: "complete",
            }),
        }
    }

    pub(super) fn expect_expiry(&self) -> Expected {
        let mut due: Vec<(Timestamp, usize, TransactionId)> = self
            .model
            .holds
            .iter()
            .filter(|(_, h)| h.state.is_expiring() && h.expires_at <= self.now)
            .map(|(t, h)| (h.expires_at, h.placed, *t))
            .collect();
        due.sort_unstable();
        if due.is_empty() {
            Expected::Nothing
        } else {
            expect_change(Change::HoldsExpired {
                transactions: due.into_iter().map(|(_, _, t)| t).collect(),
            })
        }
    }

    pub(super) fn expect_holdbacks(
        &self,
        withhold: &[String],
        release: &[String],
    ) -> Result<Expected, Expected> {
        let withhold = self.resolve(withhold)?;
        let release = self.resolve(release)?;
        let both: Vec<String> = withhold
            .iter()
            .filter(|s| release.contains(s))
            .map(|&s| self.geometry.ticket(s))
            .collect();
        if !both.is_empty() {
            return Err(Expected::Duplicate(both));
        }
        let mut conflicts = Vec::new();
        let mut pick = |seats: &[u32], from: ModelSeat, to: ModelSeat| -> Vec<u32> {
            let mut picked = Vec::new();
            for &seat in seats {
                match self.model.seats[seat as usize] {
                    status if status == from => picked.push(seat),
                    status if status == to => {}
                    ModelSeat::Sold(_) => {
                        conflicts.push((self.geometry.ticket(seat), Unavailability::Sold));
                    }
                    _ => conflicts.push((self.geometry.ticket(seat), Unavailability::Held)),
                }
            }
            picked
        };
        let withheld = pick(&withhold, ModelSeat::Free, ModelSeat::Withheld);
        if !conflicts.is_empty() {
            return Err(Expected::Rejection(Rejection::SeatUnavailable {
                seats: conflicts,
            }));
        }
        // Only a withheld seat can be released.
        let not_withheld: Vec<String> = release
            .iter()
            .filter(|&&seat| self.model.seats[seat as usize] != ModelSeat::Withheld)
            .map(|&seat| self.geometry.ticket(seat))
            .collect();
        if !not_withheld.is_empty() {
            return Err(Expected::Rejection(Rejection::NotWithheld {
                tickets: not_withheld,
            }));
        }
        let returned = release;
        if withheld.is_empty() && returned.is_empty() {
            Ok(Expected::Nothing)
        } else {
            Ok(expect_change(Change::HoldbacksChanged {
                withheld,
                returned,
            }))
        }
    }
}
