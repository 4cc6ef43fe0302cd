//! Comparing the performance's outcome with the prediction, applying accepted changes to the
//! model, and the invariants checked after every step.

use super::*;

impl Runner {
    pub(super) fn compare(
        &self,
        command: &Command,
        expected: &Expected,
        outcome: &Result<Option<Change>, Rejection>,
    ) -> Check {
        let context = format!(
            "{command:?} at {:?}: expected {expected:?}, got {outcome:?}",
            self.now
        );
        match (expected, outcome) {
            (Expected::Change(change), Ok(Some(actual))) => {
                prop_assert_eq!(&**change, actual, "{}", context)
            }
            (Expected::Nothing, Ok(None)) => {}
            (Expected::Rejection(rejection), Err(actual)) => {
                prop_assert_eq!(rejection, actual, "{}", context);
            }
            (Expected::Gap(lone), Err(Rejection::SingleSeatGap { ticket })) => {
                prop_assert!(lone.contains(ticket), "{}", context);
            }
            (Expected::Duplicate(repeated), Err(Rejection::DuplicateTicket { ticket })) => {
                prop_assert!(repeated.contains(ticket), "{}", context);
            }
            (Expected::Reopened, Err(Rejection::InvalidState { .. })) => {}
            (
                Expected::Hold {
                    transaction,
                    seats,
                    places,
                    status,
                },
                Ok(Some(Change::HoldPlaced(hold))),
            ) => {
                prop_assert_eq!(hold.transaction, *transaction, "{}", context);
                prop_assert_eq!(&hold.seats, seats, "{}", context);
                prop_assert_eq!(&hold.places, places, "{}", context);
                prop_assert_eq!(hold.seat_request_status, *status, "{}", context);
            }
            (
                Expected::Sale {
                    transaction,
                    order_number,
                    count,
                },
                Ok(Some(Change::HoldSold {
                    transaction: sold,
                    sale,
                })),
            ) => {
                prop_assert_eq!(sold, transaction, "{}", context);
                prop_assert_eq!(sale.order_number, *order_number, "{}", context);
                prop_assert_eq!(sale.sold_at, self.now, "{}", context);
                prop_assert_eq!(sale.barcodes.len(), *count, "{}", context);
            }
            _ => prop_assert!(false, "{}", context),
        }
        Ok(())
    }

    /// Checks that `change` is legal in the model's state, then makes it there.
    pub(super) fn model_apply(&mut self, change: &Change) -> Check {
        let now = self.now;
        match change {
            Change::HoldPlaced(hold) => self.model_place(hold)?,
            Change::HoldPlacedInChannel { .. }
            | Change::HoldbacksChangedWithPlaces { .. }
            | Change::AllocationAdded { .. }
            | Change::AllocationRemoved { .. }
            | Change::StatusChanged { .. } => {
                prop_assert!(
                    false,
                    "the generator makes no allocations, place holdbacks or status changes: {:?}",
                    change
                );
            }
            Change::HoldExtended {
                transaction,
                expires_at,
            } => {
                let hold = self.model.holds.get_mut(transaction).expect("a known hold");
                prop_assert!(hold.state.is_locking() && now < hold.expires_at);
                prop_assert_eq!(*expires_at, now.plus_seconds(HOLD_SECONDS));
                hold.expires_at = *expires_at;
                hold.state = HoldState::CheckedOut;
            }
            Change::HoldSold { transaction, sale } => {
                for barcode in &sale.barcodes {
                    prop_assert!(
                        barcode.len() == 16 && barcode.bytes().all(|b| b.is_ascii_digit())
                    );
                }
                let hold = &self.model.holds[transaction];
                prop_assert!(
                    hold.state == HoldState::Prepared
                        || (hold.state.is_locking() && now < hold.expires_at)
                );
                self.model_end(*transaction, HoldState::Sold);
            }
            Change::HoldReleased { transaction } => {
                prop_assert!(self.model.holds[transaction].state.is_expiring());
                self.model_end(*transaction, HoldState::Released);
            }
            Change::HoldsExpired { transactions } => {
                for transaction in transactions {
                    let hold = &self.model.holds[transaction];
                    prop_assert!(hold.state.is_expiring() && hold.expires_at <= now);
                    self.model_end(*transaction, HoldState::Expired);
                }
            }
            Change::HoldModified { .. } => {
                unreachable!("the generator makes no changes to a hold")
            }
            Change::TicketScanned { .. } => {
                unreachable!("the generator scans nothing: scans are tested in domain::scan")
            }
            Change::TicketsRefunded { .. } => {
                unreachable!("the generator refunds nothing: refunds are tested in domain::tests")
            }
            Change::HoldPrepared { transaction } => {
                let hold = self.model.holds.get_mut(transaction).expect("a known hold");
                prop_assert!(hold.state.is_expiring() && now < hold.expires_at);
                hold.state = HoldState::Prepared;
            }
            Change::HoldUnprepared { transaction } => {
                let hold = self.model.holds.get_mut(transaction).expect("a known hold");
                prop_assert_eq!(hold.state, HoldState::Prepared);
                hold.state = HoldState::CheckedOut;
            }
            Change::HoldbacksChanged { withheld, returned } => {
                for &seat in withheld {
                    prop_assert!(self.model.is_free(seat));
                    self.model.seats[seat as usize] = ModelSeat::Withheld;
                }
                for &seat in returned {
                    prop_assert_eq!(self.model.seats[seat as usize], ModelSeat::Withheld);
                    self.model.seats[seat as usize] = ModelSeat::Free;
                }
            }
        }
        Ok(())
    }

    pub(super) fn model_place(&mut self, hold: &Hold) -> Check {
        prop_assert!(self.now < self.starts_at);
        prop_assert!(!self.model.holds.contains_key(&hold.transaction));
        prop_assert_eq!(hold.state, HoldState::Held);
        prop_assert_eq!(hold.created_at, self.now);
        prop_assert_eq!(hold.expires_at, self.now.plus_seconds(HOLD_SECONDS));
        prop_assert!(hold.sale.is_none());
        prop_assert!(hold.seats.windows(2).all(|pair| pair[0] < pair[1]));
        prop_assert!(hold.seats.is_empty() || hold.places.is_empty());
        let quantity = hold.seats.len() as u64
            + hold
                .places
                .iter()
                .map(|p| u64::from(p.quantity))
                .sum::<u64>();
        prop_assert!(
            self.check_quantity(quantity).is_ok(),
            "quantity {}",
            quantity
        );
        for &seat in &hold.seats {
            prop_assert!(self.model.is_free(seat), "seat {} is not free", seat);
        }
        if self.rules.contiguous_seats_only {
            prop_assert!(
                self.is_one_run(&hold.seats),
                "not one run: {:?}",
                hold.seats
            );
        }
        if self.rules.no_single_seat_gaps {
            let lone = self.model.lone_seats_made(&self.geometry, &hold.seats);
            prop_assert!(lone.is_empty(), "{:?} leaves {:?} alone", hold.seats, lone);
        }
        for place in &hold.places {
            let pool = usize::from(place.pool);
            prop_assert!(place.quantity <= self.model.pool_available(&self.geometry, pool));
            self.model.pool_held[pool] += place.quantity;
        }
        for &seat in &hold.seats {
            self.model.seats[seat as usize] = ModelSeat::Held(hold.transaction);
        }
        self.model.holds.insert(
            hold.transaction,
            ModelHold {
                seats: hold.seats.clone(),
                places: hold.places.clone(),
                expires_at: hold.expires_at,
                state: HoldState::Held,
                placed: self.model.holds.len(),
            },
        );
        Ok(())
    }

    pub(super) fn model_end(&mut self, transaction: TransactionId, state: HoldState) {
        let hold = self
            .model
            .holds
            .get_mut(&transaction)
            .expect("a known hold");
        hold.state = state;
        for &seat in &hold.seats {
            self.model.seats[seat as usize] = if state == HoldState::Sold {
                ModelSeat::Sold(transaction)
            } else {
                ModelSeat::Free
            };
        }
        for place in &hold.places {
            let pool = usize::from(place.pool);
            self.model.pool_held[pool] -= place.quantity;
            if state == HoldState::Sold {
                self.model.pool_sold[pool] += place.quantity;
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Invariants
    // -----------------------------------------------------------------------------------------

    pub(super) fn check_invariants(&self) -> Check {
        let performance = &self.performance;
        prop_assert_eq!(performance.version(), self.changes.len() as u64);
        let transaction_of = |slot: u32| performance.holds()[slot as usize].transaction;
        let mut band_counts = [Counts::default(); 3];
        for seat in 0..self.geometry.seat_count() {
            let actual = match performance.seat_status(seat) {
                SeatStatus::Free => ModelSeat::Free,
                SeatStatus::Held(slot) => ModelSeat::Held(transaction_of(slot)),
                SeatStatus::Sold(slot) => ModelSeat::Sold(transaction_of(slot)),
                SeatStatus::Withheld => ModelSeat::Withheld,
                SeatStatus::Allocated => {
                    prop_assert!(false, "the generator allocates no seat");
                    ModelSeat::Withheld
                }
            };
            prop_assert_eq!(actual, self.model.seats[seat as usize], "seat {}", seat);
            let counts = &mut band_counts[usize::from(self.geometry.block(seat).band)];
            match actual {
                ModelSeat::Free => counts.available += 1,
                ModelSeat::Held(_) => counts.held += 1,
                ModelSeat::Sold(_) => counts.sold += 1,
                ModelSeat::Withheld => counts.withheld += 1,
            }
        }
        prop_assert_eq!(performance.band_counts(), &band_counts[..]);
        for (band, counts) in performance.band_counts().iter().enumerate() {
            prop_assert_eq!(counts.total(), self.geometry.band_capacity[band]);
        }
        prop_assert_eq!(performance.counts().total(), self.geometry.seat_count());
        for pool in 0..POOLS.len() {
            let counts = performance.pool_counts()[pool];
            prop_assert_eq!(counts.held, self.model.pool_held[pool]);
            prop_assert_eq!(counts.sold, self.model.pool_sold[pool]);
            prop_assert!(counts.held + counts.sold <= self.geometry.pool_capacity[pool]);
        }
        self.check_holds()
    }

    pub(super) fn check_holds(&self) -> Check {
        let performance = &self.performance;
        prop_assert_eq!(
            performance.holds().len() + self.archive.len(),
            self.model.holds.len()
        );
        for archived in self.archive.values() {
            let model = &self.model.holds[&archived.transaction];
            prop_assert_eq!(archived.state, model.state);
        }
        let mut locked = HashSet::new();
        let mut next_expiry: Option<Timestamp> = None;
        for hold in performance.holds() {
            let model = &self.model.holds[&hold.transaction];
            prop_assert_eq!(hold.state, model.state);
            prop_assert_eq!(hold.expires_at, model.expires_at);
            prop_assert_eq!(&hold.seats, &model.seats);
            prop_assert_eq!(&hold.places, &model.places);
            prop_assert_eq!(hold.sale.is_some(), hold.state == HoldState::Sold);
            if hold.state.is_expiring() {
                next_expiry =
                    Some(next_expiry.map_or(hold.expires_at, |at| at.min(hold.expires_at)));
            }
            if hold.state.is_locking() || hold.state == HoldState::Sold {
                for &seat in &hold.seats {
                    prop_assert!(
                        locked.insert(seat),
                        "seat {} is in two live holds or sales",
                        seat
                    );
                }
            }
        }
        prop_assert_eq!(performance.next_expiry(), next_expiry);
        Ok(())
    }

    pub(super) fn check_replay(&self) -> Check {
        let mut replayed = fresh_performance(&self.shape);
        for change in &self.changes {
            replayed.apply(change);
        }
        prop_assert!(
            replayed == self.performance,
            "replaying the changes gave another state"
        );
        Ok(())
    }

    /// Replays the changes before `cut`, takes a snapshot, restores it on a fresh plan and
    /// applies the rest: the result must equal the live performance.
    pub(super) fn check_snapshot_and_tail(&self, cut: prop::sample::Index) -> Check {
        let cut = cut.index(self.changes.len() + 1);
        let mut head = fresh_performance(&self.shape);
        for change in &self.changes[..cut] {
            head.apply(change);
        }
        let fresh = fresh_performance(&self.shape);
        let mut restored =
            Performance::restore(fresh.info().clone(), fresh.shared_plan(), head.state());
        prop_assert!(
            restored == head,
            "a restored snapshot differs from its source"
        );
        for change in &self.changes[cut..] {
            restored.apply(change);
        }
        prop_assert!(
            restored == self.performance,
            "snapshot after {} changes + tail gave another state",
            cut
        );
        Ok(())
    }
}
