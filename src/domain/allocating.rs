//! How a performance's inventory keeps channels' allocations, its sale status and its
//! withheld places: deciding and applying their changes, the views a channel's client and an
//! admin decide holds on, and the checks the simulation runs (see `channel` for the model).
//!
//! # Caveats
//! - A channel client's decision clones the inventory to build its view: a cost in proportion to
//!   the performance's size, paid only by channels that have an allocation there.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::change::Change;
use super::channel::{Access, Allocation, AllocationCounts, PlaceAllocationCounts};
use super::hold::{HoldState, PoolPlaces, TicketRef};
use super::ids::TransactionId;
use super::performance::{Performance, SeatStatus, unavailability};
use super::rejection::Rejection;

impl Performance {
    /// Returns the view `access` decides on: this inventory with the allocated seats it may
    /// take made free and, with `with_quota`, its channel's quotas open to it; `None` when it
    /// may take nothing more than general sale.
    pub(super) fn view_for(&self, access: &Access, with_quota: bool) -> Option<Performance> {
        let freed: Vec<String> = match access {
            Access::Public => return None,
            Access::Channel(channel) if self.allocations.contains_key(channel) => {
                vec![channel.clone()]
            }
            Access::Channel(_) => return None,
            Access::Everything if self.allocations.is_empty() => return None,
            Access::Everything => self.allocations.keys().cloned().collect(),
        };
        let mut view = self.clone();
        for channel in freed {
            let Some(allocation) = view.allocations.get_mut(&channel) else {
                continue;
            };
            let seats = std::mem::take(&mut allocation.seats);
            if with_quota && matches!(access, Access::Channel(_)) {
                view.allocations.remove(&channel);
            }
            for seat in seats {
                if view.seats[seat as usize] == SeatStatus::Allocated {
                    view.set_seat(seat, SeatStatus::Free);
                }
            }
        }
        Some(view)
    }

    /// The channel whose quotas a hold placed with `access` counts against: its own, when it
    /// has places allocated here.
    pub(super) fn quota_channel(&self, access: &Access) -> Option<String> {
        match access {
            Access::Channel(channel) => self
                .allocations
                .get(channel)
                .filter(|allocation| !allocation.size.is_empty())
                .map(|_| channel.clone()),
            Access::Public | Access::Everything => None,
        }
    }

    /// Places of `pool` that the hold of `transaction` could take besides those it holds:
    /// general sale, and its channel's quota when the hold counts against one.
    pub(super) fn places_open_to(&self, transaction: TransactionId, pool: u16) -> u32 {
        let quota = self
            .slots
            .get(&transaction)
            .and_then(|slot| self.hold_channels.get(slot))
            .and_then(|channel| self.allocations.get(channel))
            .map_or(0, |allocation| allocation.remaining(pool));
        self.pool_available(pool) + quota
    }

    pub(super) fn decide_allocate(
        &self,
        channel: &str,
        seats: &[String],
        places: &[(String, u32)],
    ) -> Result<Option<Change>, Rejection> {
        let seats = self.resolve_seats(seats.iter().map(String::as_str))?;
        let allocated = self.allocations.get(channel);
        let mut conflicts = Vec::new();
        let mut taken = Vec::new();
        for seat in seats {
            match self.seats[seat as usize] {
                SeatStatus::Free => taken.push(seat),
                _ if allocated.is_some_and(|a| a.seats.contains(&seat)) => {}
                status => conflicts.push((self.ticket_id(seat), unavailability(status))),
            }
        }
        if !conflicts.is_empty() {
            return Err(Rejection::SeatUnavailable { seats: conflicts });
        }
        let places = self.resolve_pool_quantities(places)?;
        self.check_places_free(&places, |_| 0)?;
        let new = allocated.is_none();
        Ok(
            (new || !taken.is_empty() || !places.is_empty()).then(|| Change::AllocationAdded {
                channel: channel.to_owned(),
                seats: taken,
                places,
            }),
        )
    }

    pub(super) fn apply_allocation_added(
        &mut self,
        channel: &str,
        seats: &[u32],
        places: &[PoolPlaces],
    ) {
        for &seat in seats {
            debug_assert_eq!(self.seats[seat as usize], SeatStatus::Free);
            self.set_seat(seat, SeatStatus::Allocated);
        }
        let allocation = self.allocations.entry(channel.to_owned()).or_default();
        allocation.seats.extend(seats.iter().copied());
        for place in places {
            *allocation.size.entry(place.pool).or_insert(0) += place.quantity;
        }
        for place in places {
            debug_assert!(self.pool_available_checked(place.pool));
        }
    }

    pub(super) fn apply_allocation_removed(&mut self, channel: &str) {
        let Some(allocation) = self.allocations.remove(channel) else {
            return;
        };
        for seat in allocation.seats {
            if self.seats[seat as usize] == SeatStatus::Allocated {
                self.set_seat(seat, SeatStatus::Free);
            }
        }
        self.hold_channels.retain(|_, tagged| tagged != channel);
    }

    /// The status a seat takes when nobody holds it any more: allocated while an allocation
    /// has it, free otherwise.
    pub(super) fn resting_status(&self, seat: u32) -> SeatStatus {
        if self.allocations.values().any(|a| a.seats.contains(&seat)) {
            SeatStatus::Allocated
        } else {
            SeatStatus::Free
        }
    }

    /// Tags the hold in `slot` with its channel, counting its places against the quotas.
    pub(super) fn tag_hold(&mut self, slot: u32, channel: &str) {
        self.hold_channels.insert(slot, channel.to_owned());
        let places = self.holds[slot as usize].places.clone();
        self.count_channel_use(slot, &places, true);
        for place in &places {
            debug_assert!(self.pool_available_checked(place.pool));
        }
    }

    /// Counts `places` of the hold in `slot` for (or, with `add` false, against) its
    /// channel's quotas' use, when it is tagged.
    pub(super) fn count_channel_use(&mut self, slot: u32, places: &[PoolPlaces], add: bool) {
        let Some(channel) = self.hold_channels.get(&slot) else {
            return;
        };
        if let Some(allocation) = self.allocations.get_mut(channel) {
            allocation.count_use(places, add);
        }
    }

    /// The places of `pool` every channel's quota still keeps from general sale.
    pub fn reserved_places(&self, pool: u16) -> u32 {
        self.allocations
            .values()
            .map(|allocation| allocation.remaining(pool))
            .sum()
    }

    /// Returns the allocations as a snapshot stores them, by channel.
    pub fn allocation_list(&self) -> Vec<Allocation> {
        self.allocations
            .iter()
            .map(|(channel, allocation)| Allocation {
                channel: channel.clone(),
                seats: allocation.seats.iter().copied().collect(),
                places: allocation
                    .size
                    .iter()
                    .map(|(&pool, &quantity)| PoolPlaces { pool, quantity })
                    .collect(),
            })
            .collect()
    }

    /// Sets the allocations of a snapshot on a new inventory, before its holds.
    pub(super) fn restore_allocations(&mut self, allocations: &[Allocation]) {
        for allocation in allocations {
            self.apply_allocation_added(&allocation.channel, &allocation.seats, &[]);
            let live = self
                .allocations
                .entry(allocation.channel.clone())
                .or_default();
            for place in &allocation.places {
                live.size.insert(place.pool, place.quantity);
            }
        }
    }

    /// Tags a snapshot's channel holds, after its holds, counting what they hold or bought and
    /// have not had refunded.
    pub(super) fn restore_hold_channels(&mut self, tagged: &[(TransactionId, String)]) {
        for (transaction, channel) in tagged {
            let Some(&slot) = self.slots.get(transaction) else {
                continue;
            };
            self.hold_channels.insert(slot, channel.clone());
            let hold = Arc::clone(&self.holds[slot as usize]);
            if !(hold.state.is_locking() || hold.state == HoldState::Sold) {
                continue;
            }
            let places = hold.places_kept(|index| {
                self.refunds.contains_key(&TicketRef {
                    transaction: *transaction,
                    index,
                })
            });
            self.count_channel_use(slot, &places, true);
        }
    }

    /// Returns the channels with an allocation here, in order.
    pub fn channels(&self) -> impl Iterator<Item = &str> {
        self.allocations.keys().map(String::as_str)
    }

    /// Returns each allocation's counts, by channel.
    pub fn allocation_counts(&self) -> Vec<AllocationCounts> {
        self.allocations
            .iter()
            .map(|(channel, allocation)| {
                let mut counts = AllocationCounts {
                    channel: channel.clone(),
                    ..AllocationCounts::default()
                };
                for &seat in &allocation.seats {
                    match self.seats[seat as usize] {
                        SeatStatus::Held(_) => counts.seats_held += 1,
                        SeatStatus::Sold(_) => counts.seats_sold += 1,
                        SeatStatus::Withheld => counts.seats_withheld += 1,
                        SeatStatus::Free | SeatStatus::Allocated => counts.seats_available += 1,
                    }
                }
                let mut held_by_pool: BTreeMap<u16, u32> = BTreeMap::new();
                for (&slot, tagged) in &self.hold_channels {
                    let hold = &self.holds[slot as usize];
                    if tagged == channel && hold.state.is_locking() {
                        for place in &hold.places {
                            *held_by_pool.entry(place.pool).or_insert(0) += place.quantity;
                        }
                    }
                }
                for (&pool, &size) in &allocation.size {
                    let used = allocation.used.get(&pool).copied().unwrap_or(0);
                    let held = held_by_pool.get(&pool).copied().unwrap_or(0);
                    // What the quota covered: sales first, then holds, up to its size.
                    let sold = used.saturating_sub(held).min(size);
                    counts.places.push(PlaceAllocationCounts {
                        pool,
                        size,
                        available: allocation.remaining(pool),
                        held: held.min(size - sold),
                        sold,
                    });
                }
                counts
            })
            .collect()
    }
}

impl Performance {
    /// Checks the allocations against the inventory, for the simulation and the tests: an
    /// allocated seat is in exactly one allocation and an allocation's seat is never free;
    /// each quota's use is what its channel's holds hold or bought and have not had refunded;
    /// and no pool gives more than its capacity.
    ///
    /// # Errors
    /// What does not add up.
    pub fn check_allocations(&self) -> Result<(), String> {
        for (seat, status) in self.seats.iter().enumerate() {
            let owners = self
                .allocations
                .iter()
                .filter(|(_, allocation)| allocation.seats.contains(&(seat as u32)))
                .count();
            match (status, owners) {
                (SeatStatus::Allocated, 1) | (SeatStatus::Held(_) | SeatStatus::Sold(_), _) => {}
                (SeatStatus::Withheld, 0 | 1) | (SeatStatus::Free, 0) => {}
                _ => return Err(format!("seat {seat} is {status:?} in {owners} allocations")),
            }
        }
        let mut used: BTreeMap<&str, BTreeMap<u16, u32>> = BTreeMap::new();
        for (&slot, channel) in &self.hold_channels {
            let hold = &self.holds[slot as usize];
            if !(hold.state.is_locking() || hold.state == HoldState::Sold) {
                continue;
            }
            let kept = hold.places_kept(|index| {
                self.refunds.contains_key(&TicketRef {
                    transaction: hold.transaction,
                    index,
                })
            });
            if !self.allocations.contains_key(channel) {
                continue;
            }
            for place in kept.into_iter().filter(|place| place.quantity > 0) {
                *used
                    .entry(channel.as_str())
                    .or_default()
                    .entry(place.pool)
                    .or_insert(0) += place.quantity;
            }
        }
        for (channel, allocation) in &self.allocations {
            let expected = used.remove(channel.as_str()).unwrap_or_default();
            if allocation.used != expected {
                return Err(format!(
                    "channel {channel} counts {:?} places used, its holds {expected:?}",
                    allocation.used
                ));
            }
        }
        for pool in 0..self.plan.pools().len() as u16 {
            if !self.pool_available_checked(pool) {
                return Err(format!("pool {pool} gives more than its capacity"));
            }
        }
        Ok(())
    }
}
