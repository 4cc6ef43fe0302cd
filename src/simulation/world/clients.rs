//! What simulated clients ask for: holds (single, baskets over both performances, items at
//! one), checkouts, completions (now and then naming another customer), releases, reads,
//! changes (add, give up, move, apply or remove a discount code) and holdbacks.

use super::*;

impl World {
    pub(super) fn choose_request(&mut self, client: usize) -> Request {
        let mine: Vec<TransactionId> = self
            .known
            .iter()
            .filter(|(_, known)| known.client == client && known.told == Told::Held)
            .map(|(transaction, _)| *transaction)
            .collect();
        if !mine.is_empty() && self.rng.chance(60) {
            let transaction = mine[self.rng.below(mine.len())];
            return match self.rng.below(12) {
                0..2 => Request::Extend { transaction },
                2..6 => Request::Complete {
                    transaction,
                    // A client names the same customer every time, but now and then another
                    // (a bug in a shop), which must be refused, not sold twice.
                    customer: if self.rng.chance(3) { 2 } else { 1 },
                    payment: match self.rng.below(10) {
                        0..5 => Paying::Nothing,
                        5..9 => Paying::Exact,
                        _ => Paying::Short,
                    },
                },
                6..8 => Request::Release { transaction },
                8 => self.choose_change(transaction),
                9..11 => Request::Change {
                    transaction,
                    add: Vec::new(),
                    remove: Vec::new(),
                    discount: Some(self.choose_code()),
                },
                _ => Request::Read { transaction },
            };
        }
        if client == 1 && !self.barcodes_told.is_empty() && self.rng.chance(20) {
            // A door: mostly tickets it was shown, now and then one it was shown before, or
            // a barcode no one sold.
            let admitted: Vec<&String> = self
                .barcodes_told
                .iter()
                .filter_map(|(barcode, admitted)| admitted.then_some(barcode))
                .collect();
            let barcode = if !admitted.is_empty() && self.rng.chance(33) {
                admitted[self.rng.below(admitted.len())].clone()
            } else {
                let index = self.rng.below(self.barcodes_told.len() + 1);
                self.barcodes_told
                    .keys()
                    .nth(index)
                    .cloned()
                    .unwrap_or_else(|| "0000000000000000".to_owned())
            };
            return Request::Scan { barcode };
        }
        if self.rng.chance(30)
            && let Some(refund) = self.choose_refund(client)
        {
            return refund;
        }
        let performance = self.rng.below(PERFORMANCES);
        if self.is_channel_client(client)
            && self.rng.chance(50)
            && let Some(seat) = self.an_allocated_seat(performance)
        {
            // A reseller sells what it was allocated.
            let selection = SelectionKey::Seats(vec![seat], None);
            return Request::Hold {
                parts: vec![(performance, selection)],
                key: None,
            };
        }
        if client == 0 && self.rng.chance(5) {
            return self.holdbacks(performance);
        }
        if client == 0 && self.rng.chance(4) {
            return self.management(performance);
        }
        let mut parts = vec![(performance, self.choose_selection(performance))];
        if self.rng.chance(30) {
            // A basket: seats or places at the other performance too, in performance order.
            let other = 1 - performance;
            let selection = self.choose_selection(other);
            parts.push((other, selection));
            parts.sort_by_key(|(index, _)| *index);
        }
        let key = if self.rng.chance(50) {
            let record = &mut self.clients[client];
            record.keys += 1;
            Some(format!("key-{}", record.keys))
        } else {
            None
        };
        Request::Hold { parts, key }
    }

    /// A change: add something somewhere, give up one known seat, or both (a move).
    fn choose_change(&mut self, transaction: TransactionId) -> Request {
        let mut add = Vec::new();
        let mut remove = Vec::new();
        let roll = self.rng.below(3);
        if roll != 1 {
            let performance = self.rng.below(PERFORMANCES);
            let selection = self.choose_single(performance);
            add.push((performance, selection));
        }
        if roll != 0
            && let Some(known) = self.known.get(&transaction)
        {
            let seats: Vec<(usize, u32)> = known
                .holds
                .iter()
                .flat_map(|(performance, seats, _)| {
                    seats.iter().map(move |seat| (*performance, *seat))
                })
                .collect();
            if !seats.is_empty() {
                let (performance, seat) = seats[self.rng.below(seats.len())];
                let plan = self.node.cores[performance].performance().plan();
                remove.push((performance, plan.seat_id(seat)));
            }
        }
        let discount = self.rng.chance(30).then(|| self.choose_code());
        Request::Change {
            transaction,
            add,
            remove,
            discount,
        }
    }

    /// A code to apply: mostly one that can be used, now and then one not yet valid, or
    /// none (a removal).
    fn choose_code(&mut self) -> Option<&'static str> {
        match self.rng.below(10) {
            0 => None,
            1 => Some("LATER"),
            2..6 => Some("HALF"),
            _ => Some("FIVE"),
        }
    }

    fn choose_selection(&mut self, performance: usize) -> SelectionKey {
        if self.rng.chance(10) {
            let first = self.choose_single(performance);
            let second = self.choose_single(performance);
            return SelectionKey::Items(vec![first, second]);
        }
        self.choose_single(performance)
    }

    fn choose_single(&mut self, performance: usize) -> SelectionKey {
        const TYPES: [TypeKey; 6] = [
            None,
            None,
            Some("ADULT"),
            Some("CHILD"),
            Some("STANDARD"),
            Some("SENIOR"),
        ];
        let ticket_type = TYPES[self.rng.below(TYPES.len())];
        match self.rng.below(10) {
            0..5 => {
                let plan = self.node.cores[performance].performance().plan();
                let blocks = plan.blocks();
                let block = &blocks[self.rng.below(blocks.len())];
                let length = 1 + self.rng.below(3) as u32;
                let first = block.seats.start + self.rng.below(block.seats.len()) as u32;
                let last = (first + length).min(block.seats.end);
                SelectionKey::Seats(
                    (first..last).map(|seat| plan.seat_id(seat)).collect(),
                    ticket_type,
                )
            }
            5..8 => SelectionKey::Best(1 + self.rng.below(4) as u32, ticket_type),
            _ => SelectionKey::Places(1 + self.rng.below(3) as u32, ticket_type),
        }
    }

    /// The box office: allocations to the channel (seats and places), holdbacks of places,
    /// and now and then a spell off sale.
    fn management(&mut self, performance: usize) -> Request {
        let inventory = self.node.cores[performance].performance();
        let management = match self.rng.below(10) {
            0..4 => {
                let plan = inventory.plan();
                let seats = (0..1 + self.rng.below(3))
                    .map(|_| plan.seat_id(self.rng.below(plan.seat_count() as usize) as u32))
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect();
                Management::Allocate(seats, self.rng.below(3) as u32)
            }
            4 | 5 => Management::Deallocate,
            6 | 7 => Management::HoldPlaces(self.rng.chance(50), 1 + self.rng.below(2) as u32),
            _ => Management::Selling(inventory.sale_status() != SaleStatus::OnSale),
        };
        Request::Manage {
            performance,
            management,
        }
    }

    /// A seat allocated to the channel and held by nobody, if there is one.
    fn an_allocated_seat(&mut self, performance: usize) -> Option<String> {
        let inventory = self.node.cores[performance].performance();
        let seats: Vec<u32> = inventory
            .allocation_list()
            .into_iter()
            .flat_map(|allocation| allocation.seats)
            .filter(|&seat| inventory.seat_status(seat) == SeatStatus::Allocated)
            .collect();
        (!seats.is_empty()).then(|| inventory.plan().seat_id(seats[self.rng.below(seats.len())]))
    }

    fn holdbacks(&mut self, performance: usize) -> Request {
        let inventory = self.node.cores[performance].performance();
        let seat = self.rng.below(inventory.plan().seat_count() as usize) as u32;
        let id = inventory.plan().seat_id(seat);
        let (withhold, release) = match inventory.seat_status(seat) {
            SeatStatus::Withheld => (Vec::new(), vec![id]),
            _ => (vec![id], Vec::new()),
        };
        Request::Holdbacks {
            performance,
            withhold,
            release,
        }
    }
}

/// What the box office changes about a performance, in a hashable form.
#[derive(Clone, Debug, Hash)]
pub(super) enum Management {
    /// Set these seats and places aside for the channel.
    Allocate(Vec<String>, u32),
    /// End the channel's allocation.
    Deallocate,
    /// Withhold (or, when false, release) this many places.
    HoldPlaces(bool, u32),
    /// Put the performance on sale (true) or off sale.
    Selling(bool),
}

impl Management {
    pub(super) fn command(&self) -> Command {
        match self {
            Self::Allocate(seats, places) => Command::Allocate {
                channel: CHANNEL.into(),
                seats: seats.clone(),
                places: vec![("GA".into(), *places)],
            },
            Self::Deallocate => Command::Deallocate {
                channel: CHANNEL.into(),
            },
            Self::HoldPlaces(withhold, quantity) => {
                let places = vec![("GA".into(), *quantity)];
                let (withhold_places, release_places) = if *withhold {
                    (places, Vec::new())
                } else {
                    (Vec::new(), places)
                };
                Command::ChangeHoldbacks {
                    withhold: Vec::new(),
                    release: Vec::new(),
                    withhold_places,
                    release_places,
                }
            }
            Self::Selling(on) => Command::SetStatus {
                status: if *on {
                    SaleStatus::OnSale
                } else {
                    SaleStatus::OffSale
                },
            },
        }
    }
}

/// The sales channel of the last client (when there are three or more): it may hold what the
/// box office allocates to it.
pub(super) const CHANNEL: &str = "redchair";
