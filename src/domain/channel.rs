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
//! - A channel client's decision clones the inventory to build its view (`allocating`).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::hold::PoolPlaces;

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
