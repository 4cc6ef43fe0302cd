//! The promises checked after every step and every restart, against what clients were told
//! and against a full replay of the durable journal.

use super::*;

impl World {
    /// Recovery is deterministic and equals a full replay of the durable journal; after a
    /// restart that lost nothing it equals the state before.
    pub(super) fn check_recovery(&self, live: Option<&Vec<Performance>>) -> Result<(), Failure> {
        let first = self.rebuild_all()?;
        let second = self.rebuild_all()?;
        if first != second {
            return Err(Failure::new("two recoveries of the same disk differ"));
        }
        let log = self.log.lock().map_err(|_| Failure::new("log poisoned"))?;
        for (index, (recovered, definition)) in first.iter().zip(&self.definitions).enumerate() {
            let plan = SeatingPlan::build(definition.plan.clone(), usize::MAX)
                .map_err(|error| Failure::new(error.to_string()))?;
            let mut replayed = Performance::new(definition.info.clone(), plan);
            let entries = log.iter().filter(|(id, _)| *id == definition.info.id);
            for (expected, (_, entry)) in (1..).zip(entries) {
                if entry.seq != expected {
                    return Err(Failure::new(format!(
                        "performance {index}: durable entry {} where {expected} was due",
                        entry.seq
                    )));
                }
                replayed.apply(&entry.change);
            }
            if replayed != *recovered {
                return Err(Failure::new(format!(
                    "performance {index}: snapshot + tail differs from a full replay"
                )));
            }
            if let Some(live) = live
                && live[index] != *recovered
            {
                return Err(Failure::new(format!(
                    "performance {index}: a restart that lost nothing changed the state"
                )));
            }
        }
        Ok(())
    }

    pub(super) fn rebuild_all(&self) -> Result<Vec<Performance>, Failure> {
        let recovered = self
            .disk
            .load()
            .map_err(|error| Failure::new(format!("load: {error}")))?;
        recovered
            .performances
            .into_iter()
            .map(|found| {
                rebuild(found)
                    .map(|rebuilt| rebuilt.performance)
                    .map_err(|error| Failure::new(format!("rebuild: {error}")))
            })
            .collect()
    }

    /// Every acknowledged order is recovered with all its tickets sold under it, no basket
    /// is half sold, and no hold is left prepared once recovery has finished.
    pub(super) fn check_orders(&self) -> Result<(), Failure> {
        for (number, transaction) in &self.orders_told {
            match self.node.coordinator.order(*number) {
                Some(order) if order.transaction == *transaction => {
                    for performance in &order.performances {
                        let index =
                            index_of(performance).map_err(|e| Failure::new(e.to_string()))?;
                        let hold = self.node.cores[index].performance().hold(*transaction);
                        let sold = hold
                            .and_then(|hold| hold.sale.as_ref())
                            .map(|s| s.order_number);
                        if sold != Some(*number) {
                            return Err(Failure::new(format!(
                                "acknowledged order {number} recovered, but {transaction:?} at \
                                 {performance} reads {hold:?}"
                            )));
                        }
                    }
                }
                other => {
                    return Err(Failure::new(format!(
                        "acknowledged order {number} for {transaction:?} recovered as {other:?}"
                    )));
                }
            }
        }
        for (transaction, known) in &self.known {
            // Its route still reaches every performance it was told of, whatever was archived
            // (also a release over several performances that a crash cut short).
            let caller = Caller {
                client: self.clients[known.client].id.clone(),
                role: crate::actor::Role::Sales,
                ip: "203.0.113.7".into(),
                channel: None,
                events: Vec::new(),
                reach: Default::default(),
                maker: None,
            };
            let route = self
                .node
                .coordinator
                .route(&caller, *transaction)
                .map_err(|error| {
                    Failure::new(format!("{transaction:?} after recovery: {error}"))
                })?;
            for (index, _, _) in &known.holds {
                let performance = &self.node.cores[*index].performance().info().id;
                if !route.performances.contains(performance) {
                    return Err(Failure::new(format!(
                        "{transaction:?} was told of a hold at {performance}, but after recovery \
                         its route is {:?}",
                        route.performances
                    )));
                }
            }
            // A released transaction stays readable, from the archive once its hold left.
            for (index, _, _) in known.holds.iter().filter(|_| known.told == Told::Released) {
                let hold = self.node.cores[*index]
                    .find_hold(*transaction)
                    .map_err(|error| Failure::new(error.to_string()))?;
                if known.is_settled() && hold.as_ref().is_none_or(|hold| hold.state.is_locking()) {
                    return Err(Failure::new(format!(
                        "{transaction:?} was released, but after recovery reads {hold:?}"
                    )));
                }
            }
            let metadata = self
                .node
                .coordinator
                .metadata(*transaction)
                .map_err(|error| Failure::new(error.to_string()))?;
            if metadata != known.metadata {
                return Err(Failure::new(format!(
                    "{transaction:?} was opened with metadata {:?}, recovered {metadata:?}",
                    known.metadata
                )));
            }
        }
        for (transaction, parts) in &self.baskets_begun {
            let mut holds = Vec::new();
            for core in &self.node.cores {
                let found = core
                    .find_hold(*transaction)
                    .map_err(|error| Failure::new(error.to_string()))?;
                holds.extend(found);
            }
            if holds.len() < *parts && holds.iter().any(|hold| hold.state.is_locking()) {
                return Err(Failure::new(format!(
                    "{transaction:?} is a basket held at {} of its {parts} performances after \
                     recovery: {holds:?}",
                    holds.len()
                )));
            }
        }
        for core in &self.node.cores {
            if let Some(hold) = core
                .performance()
                .holds()
                .iter()
                .find(|hold| hold.state == HoldState::Prepared)
            {
                return Err(Failure::new(format!(
                    "{:?} is still prepared after recovery",
                    hold.transaction
                )));
            }
        }
        self.check_baskets()?;
        self.check_discounts()?;
        self.check_refunds()?;
        self.check_refund_records()
    }

    /// A transaction's holds are all sold under one order, or none is, unless a completion
    /// of it is in flight.
    fn check_baskets(&self) -> Result<(), Failure> {
        let mut sales: BTreeMap<TransactionId, Vec<Option<OrderNumber>>> = BTreeMap::new();
        for core in &self.node.cores {
            for hold in core.performance().holds() {
                sales
                    .entry(hold.transaction)
                    .or_default()
                    .push(hold.sale.as_ref().map(|sale| sale.order_number));
            }
        }
        for (transaction, sold) in sales {
            let first = sold[0];
            if sold.iter().any(|order| *order != first)
                && !self.node.coordinator.is_completing(transaction)
            {
                return Err(Failure::new(format!(
                    "{transaction:?} is half sold: {sold:?}"
                )));
            }
        }
        Ok(())
    }

    // ---- The promises ----

    pub(super) fn check(&mut self) -> Result<(), Failure> {
        for index in 0..PERFORMANCES {
            let now = self.node.cores[index].now();
            let performance = self.node.cores[index].performance();
            check_inventory(performance)
                .map_err(|Failure(why)| Failure::new(format!("performance {index}: {why}")))?;
            self.check_allocated_seats_are_the_channels(index)?;
            for hold in performance.holds() {
                if hold.state.is_expiring() && now.0 >= hold.expires_at.0 + EXPIRY_SLACK_MILLIS {
                    return Err(Failure::new(format!(
                        "{:?} still locks its seats at {now:?}, over a second after {:?}",
                        hold.transaction, hold.expires_at
                    )));
                }
            }
            for (transaction, known) in &self.known {
                let mut told_here = known
                    .holds
                    .iter()
                    .filter(|(at, _, _)| *at == index)
                    .peekable();
                if told_here.peek().is_none()
                    && known.told == Told::Held
                    && known.is_settled()
                    && let Some(hold) = performance.hold(*transaction)
                    && hold.state.is_locking()
                    && !(hold.seats.is_empty() && hold.places.is_empty())
                {
                    return Err(Failure::new(format!(
                        "{transaction:?} holds {hold:?} at performance {index}, where no \
                         acknowledged answer put it"
                    )));
                }
                for (_, seats, types) in told_here {
                    // Reading the archive at every step would be quadratic: a hold that left
                    // the inventory is looked for there after each recovery.
                    if let Some(hold) = performance.hold(*transaction) {
                        check_known(Some(hold), now, *transaction, seats, types, known)?;
                    } else if known.told != Told::Released {
                        check_known(None, now, *transaction, seats, types, known)?;
                    }
                }
            }
        }
        self.check_baskets()?;
        self.check_discounts()?;
        self.check_refunds()?;
        // A failed process holds changes that will never be durable; it acknowledges none of
        // them, and the restart that follows is checked.
        if self.node.journal.has_failed() {
            return Ok(());
        }
        self.check_refund_records()?;
        for core in &self.node.cores {
            for hold in core.performance().holds() {
                if hold.state == HoldState::Prepared
                    && !self.node.coordinator.is_completing(hold.transaction)
                {
                    return Err(Failure::new(format!(
                        "{:?} is prepared with no completion in flight",
                        hold.transaction
                    )));
                }
            }
        }
        for (scope, opened) in &self.opened_under {
            // Standing: a hold of it locks or sold seats. A basket a crash cut short is
            // released by recovery (its intent names performances it never reached).
            let present = opened
                .iter()
                .filter(|(transaction, _)| {
                    self.node.cores.iter().any(|core| {
                        core.performance().hold(*transaction).is_some_and(|hold| {
                            hold.state.is_locking() || hold.state == HoldState::Sold
                        })
                    })
                })
                .count();
            if present > 1 {
                let holds: Vec<_> = opened
                    .iter()
                    .map(|(t, _)| {
                        self.node
                            .cores
                            .iter()
                            .map(|core| core.performance().hold(*t).cloned())
                            .collect::<Vec<_>>()
                    })
                    .collect();
                return Err(Failure::new(format!(
                    "key {scope:?} opened {present} transactions that all stand: {holds:?}"
                )));
            }
        }
        Ok(())
    }

    /// An allocated seat is held or sold only by its channel's client: no other client was
    /// ever given one (the box office allocates free seats only, and only the channel's holds
    /// may take them).
    fn check_allocated_seats_are_the_channels(&self, index: usize) -> Result<(), Failure> {
        let performance = self.node.cores[index].performance();
        let channel_client = (0..self.clients.len())
            .find(|&client| self.is_channel_client(client))
            .map(|client| &self.clients[client].id);
        for allocation in performance.allocation_list() {
            for seat in allocation.seats {
                let (SeatStatus::Held(slot) | SeatStatus::Sold(slot)) =
                    performance.seat_status(seat)
                else {
                    continue;
                };
                let owner = &performance.holds()[slot as usize].owner;
                if Some(owner) != channel_client {
                    return Err(Failure::new(format!(
                        "performance {index}: seat {seat}, allocated to {}, is {owner}'s",
                        allocation.channel
                    )));
                }
            }
        }
        Ok(())
    }
}
