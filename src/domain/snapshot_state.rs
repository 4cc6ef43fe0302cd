//! Capturing a performance's inventory for a snapshot and rebuilding it from one: the holds
//! (seat statuses follow from them), the withheld seats and places, the allocations, the
//! scans and refunds, and the version. A rebuilt inventory equals the one captured.
//!
//! # Caveats
//! - A snapshot names seats, pools and slots of its plan: rebuilding it on another plan is a
//!   bug, and panics.

use std::collections::HashMap;
use std::sync::Arc;

use super::hold::{HoldState, TicketRef};
use super::ids::Timestamp;
use super::performance::{Performance, PerformanceState, SeatStatus};
use super::performance_info::PerformanceInfo;
use super::seat_map::SeatingPlan;

impl Performance {
    /// Captures the inventory for a snapshot.
    pub fn state(&self) -> PerformanceState {
        PerformanceState {
            holds: self.holds.clone(),
            withheld: (0..self.plan.seat_count())
                .filter(|&seat| self.seats[seat as usize] == SeatStatus::Withheld)
                .collect(),
            version: self.version,
            scans: self.scan_list(),
            refunds: self.refund_list(),
            allocations: self.allocation_list(),
            hold_channels: self
                .hold_channels
                .iter()
                .map(|(&slot, channel)| (self.holds[slot as usize].transaction, channel.clone()))
                .collect(),
            pool_withheld: if self.pool_withheld.iter().all(|&n| n == 0) {
                Vec::new()
            } else {
                self.pool_withheld.clone()
            },
            status: self.status,
        }
    }

    /// Rebuilds a performance from a snapshot; equal to the performance that was captured.
    ///
    /// # Panics
    /// Panics when `state` names seats or pools the plan does not have: a snapshot that
    /// passed its checksum but does not fit its plan is a bug.
    pub fn restore(
        info: PerformanceInfo,
        plan: impl Into<Arc<SeatingPlan>>,
        state: PerformanceState,
    ) -> Self {
        let mut performance = Self::new(info, plan);
        performance.restore_allocations(&state.allocations);
        for (pool, &withheld) in state.pool_withheld.iter().enumerate() {
            performance.pool_withheld[pool] = withheld;
        }
        performance.status = state.status;
        for &seat in &state.withheld {
            performance.set_seat(seat, SeatStatus::Withheld);
        }
        let refunds: Arc<HashMap<TicketRef, Timestamp>> =
            Arc::new(state.refunds.into_iter().collect());
        performance.refunds = Arc::clone(&refunds);
        for hold in state.holds {
            let slot = performance.holds.len() as u32;
            let (seat_status, locking, sold) = match hold.state {
                HoldState::Held | HoldState::CheckedOut | HoldState::Prepared => {
                    (Some(SeatStatus::Held(slot)), true, false)
                }
                HoldState::Sold => (Some(SeatStatus::Sold(slot)), false, true),
                HoldState::Released | HoldState::Expired => (None, false, false),
            };
            let refunded = |index: usize| {
                sold && refunds.contains_key(&TicketRef {
                    transaction: hold.transaction,
                    index: index as u32,
                })
            };
            if let Some(status) = seat_status {
                for (index, &seat) in hold.seats.iter().enumerate() {
                    // A refunded seat is free, withheld, or another hold's by now.
                    if !refunded(index) {
                        performance.set_seat(seat, status);
                    }
                }
            }
            for place in hold.places_kept(|at| refunded(at as usize)) {
                let counts = &mut performance.pools[usize::from(place.pool)];
                if locking {
                    counts.held += place.quantity;
                } else if sold {
                    counts.sold += place.quantity;
                }
            }
            if hold.state.is_expiring() {
                performance.expiries.insert((hold.expires_at, slot));
            }
            performance.slots.insert(hold.transaction, slot);
            performance.holds.push(hold);
            performance.index_barcodes(slot);
        }
        performance.scans = Arc::new(state.scans.into_iter().collect());
        performance.restore_hold_channels(&state.hold_channels);
        performance.version = state.version;
        performance
    }
}
