//! Channel allocations: seats and general-admission places a performance sets aside for one
//! sales channel (a reseller, a fringe box office), and the sale status that switches a
//! performance on or off sale.
//!
//! An allocated seat that nobody holds has status `Allocated`: it is not free, so the public's
//! picks, best available and block counters pass it by exactly as they pass a withheld seat.
//! The channel's own clients (and admins) decide on a *view* of the performance in which its
//! allocated seats are free; the hold that comes out takes them like any other seat, and a
//! seat the hold gives back returns to `Allocated` because the allocation still tags it.
//!
//! Places are a quota rather than tagged places: an allocation of 50 standing places keeps 50
//! of the pool's places from everyone else until the channel's holds use them. A hold the
//! channel places while it has an allocation is tagged with the channel (the change says so),
//! and every place a tagged hold holds or bought counts against the quota first: the
//! quota's unused remainder is `size - used`, and the pool's general availability is its
//! capacity less what is held, sold, withheld and every quota's remainder.
//!
//! # Caveats
//! - An admin holds allocated seats but only the general places of a pool.
//! - Removing an allocation returns its unheld seats and its quota's remainder to general sale;
//!   seats held or sold from it stay as they are, and are general sale's when they come back.
//! - A channel client's decision clones the inventory to build its view: a cost in proportion to
//!   the performance's size, paid only by channels that have an allocation there.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::change::Change;
use super::hold::{HoldState, PoolPlaces, TicketRef};
use super::ids::TransactionId;
use super::performance::{Performance, SeatStatus};
use super::performance_info::PerformanceInfo;
use super::rejection::{Rejection, Unavailability};

/// Who is asking to hold, as far as allocations are concerned.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Access {
    /// A client of no channel: general sale only.
    #[default]
    Public,
    /// A client of this channel: general sale and the channel's allocation.
    Channel(String),
    /// An admin: general sale and every allocation's seats.
    Everything,
}

/// Whether a performance is selling.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SaleStatus {
    /// Holds are taken.
    #[default]
    OnSale,
    /// No new holds or added seats; holds already placed may still be completed.
    OffSale,
    /// Nothing is held, checked out or completed any more; releases and refunds still work.
    /// Final.
    Cancelled,
}

impl SaleStatus {
    /// Returns the contract's name of the status.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnSale => "on_sale",
            Self::OffSale => "off_sale",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses `on_sale`, `off_sale` or `cancelled`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "on_sale" => Some(Self::OnSale),
            "off_sale" => Some(Self::OffSale),
            "cancelled" => Some(Self::Cancelled),
            _ => None,
        }
    }
}

/// One channel's allocation at one performance, as stored in a snapshot.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    /// The channel, such as `redchair`.
    pub channel: String,
    /// The seats set aside, as seat indexes, ascending (whatever their status now).
    pub seats: Vec<u32>,
    /// The places set aside per pool, ascending by pool.
    pub places: Vec<PoolPlaces>,
}

/// An allocation in a live performance: its seats and its quotas with their use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct LiveAllocation {
    pub(super) seats: BTreeSet<u32>,
    /// Places set aside per pool.
    pub(super) size: BTreeMap<u16, u32>,
    /// Places per pool that the channel's tagged holds hold or bought.
    pub(super) used: BTreeMap<u16, u32>,
}

impl LiveAllocation {
    /// The places of `pool` still kept for the channel.
    pub(super) fn remaining(&self, pool: u16) -> u32 {
        let size = self.size.get(&pool).copied().unwrap_or(0);
        let used = self.used.get(&pool).copied().unwrap_or(0);
        size.saturating_sub(used)
    }

    /// Adds (or with `add` false, takes away) a tagged hold's places from the use.
    pub(super) fn count_use(&mut self, places: &[PoolPlaces], add: bool) {
        for place in places {
            let used = self.used.entry(place.pool).or_insert(0);
            if add {
                *used += place.quantity;
            } else {
                *used -= place.quantity;
            }
        }
        self.used.retain(|_, used| *used > 0);
    }
}

/// Counts of one allocation, for `GET /performances/{id}/allocations`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AllocationCounts {
    /// The channel.
    pub channel: String,
    /// Allocated seats nobody holds.
    pub seats_available: u32,
    /// Allocated seats held.
    pub seats_held: u32,
    /// Allocated seats sold.
    pub seats_sold: u32,
    /// Allocated seats withheld (refunded into a holdback).
    pub seats_withheld: u32,
    /// Per pool: (pool index, size, remaining, used by the channel's holds and sales).
    pub places: Vec<PlaceAllocationCounts>,
}

/// One pool's quota in an allocation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlaceAllocationCounts {
    /// The pool's index.
    pub pool: u16,
    /// Places set aside.
    pub size: u32,
    /// Of them, still free for the channel.
    pub available: u32,
    /// Of them, held by the channel's holds.
    pub held: u32,
    /// Of them, sold by the channel.
    pub sold: u32,
}

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

    /// Refuses new holds unless the performance is on sale.
    pub(super) fn check_selling(&self) -> Result<(), Rejection> {
        match self.status {
            SaleStatus::OnSale => Ok(()),
            status => Err(Rejection::NotOnSale {
                status: status.as_str(),
            }),
        }
    }

    /// Refuses `action` once the performance is cancelled.
    pub(super) fn check_not_cancelled(&self, action: &'static str) -> Result<(), Rejection> {
        if self.status == SaleStatus::Cancelled {
            Err(Rejection::Cancelled { action })
        } else {
            Ok(())
        }
    }

    /// Returns the performance's sale status.
    pub fn sale_status(&self) -> SaleStatus {
        self.status
    }

    /// Returns the withheld places, by pool index.
    pub fn pools_withheld(&self) -> &[u32] {
        &self.pool_withheld
    }

    /// Replaces the performance's description; its id and plan stay.
    pub fn set_info(&mut self, info: PerformanceInfo) {
        debug_assert_eq!(info.id, self.info.id);
        self.info = info;
    }

    pub(super) fn decide_status(&self, status: SaleStatus) -> Result<Option<Change>, Rejection> {
        if self.status == status {
            return Ok(None);
        }
        self.check_not_cancelled("change the status of")?;
        Ok(Some(Change::StatusChanged { status }))
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
                status => conflicts.push((self.ticket_id(seat), Unavailability::of(status))),
            }
        }
        if !conflicts.is_empty() {
            return Err(Rejection::SeatUnavailable { seats: conflicts });
        }
        let places = self.resolve_pool_quantities(places)?;
        for place in &places {
            let available = self.pool_available(place.pool);
            if place.quantity > available {
                return Err(Rejection::InsufficientAvailability {
                    requested: place.quantity,
                    available,
                    what: "places",
                });
            }
        }
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
            let mut index = hold.seats.len() as u32;
            let mut places = Vec::new();
            for place in &hold.places {
                let refunded = (index..index + place.quantity)
                    .filter(|&at| {
                        self.refunds.contains_key(&TicketRef {
                            transaction: *transaction,
                            index: at,
                        })
                    })
                    .count() as u32;
                index += place.quantity;
                places.push(PoolPlaces {
                    pool: place.pool,
                    quantity: place.quantity - refunded,
                });
            }
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
            let mut index = hold.seats.len() as u32;
            for place in &hold.places {
                let kept = (index..index + place.quantity)
                    .filter(|&at| {
                        !self.refunds.contains_key(&TicketRef {
                            transaction: hold.transaction,
                            index: at,
                        })
                    })
                    .count() as u32;
                index += place.quantity;
                if kept > 0 && self.allocations.contains_key(channel) {
                    *used
                        .entry(channel.as_str())
                        .or_default()
                        .entry(place.pool)
                        .or_insert(0) += kept;
                }
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
