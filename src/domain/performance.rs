//! One performance's inventory: seat statuses, holds, general-admission counters, and the two
//! functions that change them, [`Performance::decide`] and [`Performance::apply`].
//!
//! Invariants, checked by `apply` in debug builds and by the property tests:
//! - a seat is `Held` by exactly the live hold that lists it, `Sold` by exactly the sold hold
//!   that lists it and has not refunded it, or `Free` / `Withheld` and in no live hold;
//! - per price band, free + held + sold + withheld = seats in the band;
//! - per pool, 0 ≤ held + sold ≤ capacity (a refunded place counts as neither);
//! - `block_free[b]` is the number of free seats in block `b`;
//! - `expiries` holds `(expires_at, slot)` for exactly the live holds.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::change::Change;
use super::channel::{Access, Allocation, LiveAllocation};
use super::command::Command;
use super::free_bits::FreeBits;
use super::hold::{Hold, HoldState, PoolPlaces, Sale, TicketRef, issue_barcodes};
use super::ids::{Timestamp, TransactionId};
use super::performance_info::{PerformanceInfo, QUANTITY_MAX, Rules};
use super::rejection::{Rejection, Unavailability};
use super::sale_status::SaleStatus;
use super::seat_map::SeatingPlan;

/// The status of one seat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeatStatus {
    /// On sale and not taken.
    Free,
    /// Locked by the hold in this slot.
    Held(u32),
    /// Sold by the hold in this slot.
    Sold(u32),
    /// Off sale.
    Withheld,
    /// Set aside for a channel's allocation and held by nobody: free for that channel's
    /// clients (and admins) only.
    Allocated,
}

impl SeatStatus {
    /// Returns the contract's name of the status.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Free => "free",
            Self::Held(_) => "held",
            Self::Sold(_) => "sold",
            Self::Withheld => "withheld",
            Self::Allocated => "allocated",
        }
    }
}

/// Why a seat of `status` cannot be taken; a free seat is reported held.
pub(super) fn unavailability(status: SeatStatus) -> Unavailability {
    match status {
        SeatStatus::Sold(_) => Unavailability::Sold,
        SeatStatus::Withheld => Unavailability::Withheld,
        SeatStatus::Allocated => Unavailability::Allocated,
        SeatStatus::Held(_) | SeatStatus::Free => Unavailability::Held,
    }
}

/// Seat counts by status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Free seats.
    pub available: u32,
    /// Held seats.
    pub held: u32,
    /// Sold seats.
    pub sold: u32,
    /// Withheld seats.
    pub withheld: u32,
    /// Seats set aside for channels' allocations and held by nobody.
    pub allocated: u32,
}

impl Counts {
    fn slot(&mut self, status: SeatStatus) -> &mut u32 {
        match status {
            SeatStatus::Free => &mut self.available,
            SeatStatus::Held(_) => &mut self.held,
            SeatStatus::Sold(_) => &mut self.sold,
            SeatStatus::Withheld => &mut self.withheld,
            SeatStatus::Allocated => &mut self.allocated,
        }
    }

    /// Returns the number of seats counted.
    pub fn total(&self) -> u32 {
        self.available + self.held + self.sold + self.withheld + self.allocated
    }
}

/// The places of one general-admission pool by status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolCounts {
    /// Places locked by live holds.
    pub held: u32,
    /// Places sold.
    pub sold: u32,
}

/// A performance's inventory in a form that can be stored and restored: every hold ever
/// placed (seat statuses follow from them), the withheld seats, and the version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerformanceState {
    /// Every hold, in the order placed; shared with the live performance, so capturing a
    /// state copies pointers, not holds.
    pub holds: Vec<Arc<Hold>>,
    /// Withheld seats, ascending.
    pub withheld: Vec<u32>,
    /// The version after the last change.
    pub version: u64,
    /// Every ticket scanned at the door, with when (format 4 on).
    pub scans: Vec<(TicketRef, Timestamp)>,
    /// Every ticket refunded, with when (format 6 on).
    pub refunds: Vec<(TicketRef, Timestamp)>,
    /// Channels' allocations, by channel (format 8 on).
    pub allocations: Vec<Allocation>,
    /// The holds placed by a channel with an allocation, whose places count against its
    /// quota (format 8 on).
    pub hold_channels: Vec<(TransactionId, String)>,
    /// Withheld places per pool, by pool index; empty when none (format 8 on).
    pub pool_withheld: Vec<u32>,
    /// Whether the performance is selling (format 8 on).
    pub status: SaleStatus,
}

/// One performance's inventory.
#[derive(Clone, Debug)]
pub struct Performance {
    pub(super) info: PerformanceInfo,
    pub(super) plan: Arc<SeatingPlan>,
    pub(super) seats: Vec<SeatStatus>,
    /// Holds by slot; a slot is never reused, so seat statuses can name it. Shared with
    /// snapshots in flight, and copied on write.
    pub(super) holds: Vec<Arc<Hold>>,
    pub(super) slots: HashMap<TransactionId, u32>,
    pub(super) expiries: BTreeSet<(Timestamp, u32)>,
    pub(super) block_free: Vec<u32>,
    /// One bit per seat, set while it is free.
    pub(super) free_bits: FreeBits,
    pub(super) band_counts: Vec<Counts>,
    pub(super) pools: Vec<PoolCounts>,
    pub(super) version: u64,
    /// The sold tickets by barcode. Behind an `Arc` like the holds, so a scratch copy of the
    /// inventory (a basket's items, a change) does not copy them.
    pub(super) barcodes: Arc<HashMap<u64, TicketRef>>,
    /// When each scanned ticket was first scanned; shared on copy as `barcodes`.
    pub(super) scans: Arc<HashMap<TicketRef, Timestamp>>,
    /// When each refunded ticket was refunded; shared on copy as `barcodes`.
    pub(super) refunds: Arc<HashMap<TicketRef, Timestamp>>,
    /// Channels' allocations, by channel.
    pub(super) allocations: BTreeMap<String, LiveAllocation>,
    /// The channel of each hold, by slot, that counts against its channel's quotas.
    pub(super) hold_channels: HashMap<u32, String>,
    /// Withheld places, by pool index.
    pub(super) pool_withheld: Vec<u32>,
    /// Whether it is selling.
    pub(super) status: SaleStatus,
}

impl Performance {
    /// Creates a performance with every seat free.
    pub fn new(info: PerformanceInfo, plan: impl Into<Arc<SeatingPlan>>) -> Self {
        let plan = plan.into();
        let mut band_counts = vec![Counts::default(); plan.price_bands().len()];
        for block in plan.blocks() {
            band_counts[usize::from(block.price_band)].available += block.seats.len() as u32;
        }
        Self {
            seats: vec![SeatStatus::Free; plan.seat_count() as usize],
            holds: Vec::new(),
            slots: HashMap::new(),
            expiries: BTreeSet::new(),
            block_free: plan.blocks().iter().map(|b| b.seats.len() as u32).collect(),
            free_bits: FreeBits::all_free(plan.seat_count()),
            band_counts,
            pools: vec![PoolCounts::default(); plan.pools().len()],
            version: 0,
            barcodes: Arc::default(),
            scans: Arc::default(),
            refunds: Arc::default(),
            allocations: BTreeMap::new(),
            hold_channels: HashMap::new(),
            pool_withheld: vec![0; plan.pools().len()],
            status: SaleStatus::OnSale,
            info,
            plan,
        }
    }

    /// Returns a copy judged by no rule, for deciding part of a change whose result is
    /// judged as a whole.
    pub(super) fn without_rules(&self) -> Self {
        let mut copy = self.clone();
        copy.info.rules = Rules {
            valid_quantities: (1..=QUANTITY_MAX).collect(),
            ..self.info.rules.clone()
        };
        copy.info.rules.contiguous_seats_only = false;
        copy.info.rules.no_single_seat_gaps = false;
        copy
    }

    /// When a lock taken or renewed at `now` ends: a hold time from now, but never past the
    /// hold's creation plus `max_hold_seconds`.
    pub(super) fn lock_end(&self, created_at: Timestamp, now: Timestamp) -> Timestamp {
        let rules = &self.info.rules;
        now.plus_seconds(self.info.hold_seconds)
            .min(created_at.plus_seconds(rules.max_hold_seconds))
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

    /// Returns the performance's description.
    pub fn info(&self) -> &PerformanceInfo {
        &self.info
    }

    /// Returns the seating plan.
    pub fn plan(&self) -> &SeatingPlan {
        &self.plan
    }

    /// Returns a shared handle on the seating plan, which never changes.
    pub fn shared_plan(&self) -> Arc<SeatingPlan> {
        Arc::clone(&self.plan)
    }

    /// Returns every seat's status, by seat index.
    pub fn seat_statuses(&self) -> &[SeatStatus] {
        &self.seats
    }

    /// Returns a number that grows with every applied change.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Returns the status of `seat`.
    pub fn seat_status(&self, seat: u32) -> SeatStatus {
        self.seats[seat as usize]
    }

    /// Returns the seat counts of the whole performance.
    pub fn counts(&self) -> Counts {
        let mut total = Counts::default();
        for counts in &self.band_counts {
            total.available += counts.available;
            total.held += counts.held;
            total.sold += counts.sold;
            total.withheld += counts.withheld;
            total.allocated += counts.allocated;
        }
        total
    }

    /// Returns the seat counts of each price band, by band index.
    pub fn band_counts(&self) -> &[Counts] {
        &self.band_counts
    }

    /// Returns the counters of each general-admission pool, by pool index.
    pub fn pool_counts(&self) -> &[PoolCounts] {
        &self.pools
    }

    /// Returns the free places of `pool`.
    pub fn pool_available(&self, pool: u16) -> u32 {
        let counts = self.pools[usize::from(pool)];
        // Saturating, so that a broken invariant (which `apply` asserts in debug builds) can
        // never read as a pool with billions of places.
        self.plan.pools()[usize::from(pool)]
            .capacity
            .saturating_sub(counts.held + counts.sold)
            .saturating_sub(self.pool_withheld[usize::from(pool)])
            .saturating_sub(self.reserved_places(pool))
    }

    /// Returns the number of free seats in block `block`.
    pub fn block_free(&self, block: u32) -> u32 {
        self.block_free[block as usize]
    }

    /// Returns the hold of `transaction`, whatever its state.
    pub fn hold(&self, transaction: TransactionId) -> Option<&Hold> {
        self.slots
            .get(&transaction)
            .map(|&slot| self.holds[slot as usize].as_ref())
    }

    /// Returns every hold placed since the last compaction, in the order placed.
    pub fn holds(&self) -> &[Arc<Hold>] {
        &self.holds
    }

    /// Returns the earliest time at which a live hold expires.
    pub fn next_expiry(&self) -> Option<Timestamp> {
        self.expiries.first().map(|&(at, _)| at)
    }

    /// Renders the ticket id of `seat`.
    pub fn ticket_id(&self, seat: u32) -> String {
        format!("{}:{}", self.info.id, self.plan.seat_id(seat))
    }

    /// Decides `command` at `now` without changing anything. `Ok(None)` means the command is
    /// accepted and has nothing to change (a repeated release, say).
    ///
    /// The caller expires due holds first (`ExpireHolds`), so a hold past its time is seen as
    /// expired; decide still refuses to extend or sell such a hold on its own.
    ///
    /// # Errors
    /// Returns the [`Rejection`] that explains why the command cannot be carried out.
    pub fn decide(&self, command: &Command, now: Timestamp) -> Result<Option<Change>, Rejection> {
        match command {
            Command::PlaceHold {
                transaction,
                owner,
                ip,
                selection,
                lock_until,
                access,
            } => {
                self.check_selling()?;
                let view = self.view_for(access, true);
                let deciding = view.as_ref().unwrap_or(self);
                let mut hold =
                    deciding.decide_place_hold(*transaction, owner, ip, selection, now)?;
                if let Some(until) = lock_until {
                    if *until <= now {
                        return Err(Rejection::LockExpired);
                    }
                    hold.expires_at = *until;
                }
                Ok(Some(match self.quota_channel(access) {
                    Some(channel) => Change::HoldPlacedInChannel { hold, channel },
                    None => Change::HoldPlaced(hold),
                }))
            }
            Command::ExtendHold { transaction } => {
                self.check_not_cancelled("check out")?;
                let hold = self.live_hold(*transaction, now, "check out")?;
                if hold.state == HoldState::Prepared {
                    return Err(Rejection::InvalidState {
                        state: hold.state,
                        action: "check out",
                    });
                }
                let rules = &self.info.rules;
                if hold.renewals >= rules.max_renewals {
                    return Err(Rejection::TooManyRenewals {
                        max: rules.max_renewals,
                    });
                }
                Ok(Some(Change::HoldExtended {
                    transaction: hold.transaction,
                    expires_at: self.lock_end(hold.created_at, now),
                }))
            }
            Command::SellHold {
                transaction,
                order_number,
                barcode_seed,
            } => {
                if self.hold(*transaction).map(|h| h.state) == Some(HoldState::Sold) {
                    return Ok(None);
                }
                let hold = self.live_hold(*transaction, now, "complete")?;
                // A prepared hold's order is committed: its sale is only carried out, so a
                // cancellation since then must not strand it.
                if hold.state != HoldState::Prepared {
                    self.check_not_cancelled("complete")?;
                }
                let count = usize::try_from(hold.ticket_count()).unwrap_or(usize::MAX);
                Ok(Some(Change::HoldSold {
                    transaction: *transaction,
                    sale: Sale {
                        order_number: *order_number,
                        sold_at: now,
                        barcodes: issue_barcodes(*barcode_seed, count),
                    },
                }))
            }
            Command::ReleaseHold { transaction } => {
                let hold = self
                    .hold(*transaction)
                    .ok_or(Rejection::UnknownTransaction)?;
                if hold.state == HoldState::Prepared {
                    // A completion has begun: only the coordinator may end the hold now.
                    return Err(Rejection::InvalidState {
                        state: hold.state,
                        action: "release",
                    });
                }
                Ok(hold.state.is_locking().then_some(Change::HoldReleased {
                    transaction: *transaction,
                }))
            }
            Command::PrepareHold { transaction } => {
                self.check_not_cancelled("complete")?;
                let hold = self.live_hold(*transaction, now, "complete")?;
                Ok(
                    (hold.state != HoldState::Prepared).then_some(Change::HoldPrepared {
                        transaction: *transaction,
                    }),
                )
            }
            Command::UnprepareHold { transaction } => {
                let hold = self
                    .hold(*transaction)
                    .ok_or(Rejection::UnknownTransaction)?;
                Ok(
                    (hold.state == HoldState::Prepared).then_some(Change::HoldUnprepared {
                        transaction: *transaction,
                    }),
                )
            }
            Command::ExpireHolds => {
                let due: Vec<TransactionId> = self
                    .expiries
                    .iter()
                    .take_while(|&&(at, _)| at <= now)
                    .map(|&(_, slot)| self.holds[slot as usize].transaction)
                    .collect();
                Ok((!due.is_empty()).then_some(Change::HoldsExpired { transactions: due }))
            }
            Command::ChangeHoldbacks {
                withhold,
                release,
                withhold_places,
                release_places,
            } => self.decide_holdbacks(withhold, release, withhold_places, release_places),
            Command::Allocate {
                channel,
                seats,
                places,
            } => self.decide_allocate(channel, seats, places),
            Command::Deallocate { channel } => {
                Ok(self
                    .allocations
                    .contains_key(channel)
                    .then(|| Change::AllocationRemoved {
                        channel: channel.clone(),
                    }))
            }
            Command::SetStatus { status } => self.decide_status(*status),
            Command::ScanTicket { barcode } => Ok(self.decide_scan(barcode, now)),
            Command::RefundTickets {
                transaction,
                tickets,
                withhold,
            } => self.decide_refund(*transaction, tickets, *withhold, now),
            Command::ModifyHold {
                transaction,
                add,
                remove_seats,
                remove_places,
                access,
            } => {
                if !add.is_empty() {
                    self.check_selling()?;
                }
                // The channel's quota opens only to a hold that counts against it: the
                // caller's own channel's.
                let tagged = match access {
                    Access::Channel(channel) => self
                        .slots
                        .get(transaction)
                        .and_then(|slot| self.hold_channels.get(slot))
                        .is_some_and(|tagged| tagged == channel),
                    Access::Public | Access::Everything => false,
                };
                let view = self.view_for(access, tagged);
                view.as_ref()
                    .unwrap_or(self)
                    .decide_modify(*transaction, add, remove_seats, remove_places, now)
                    .map(Some)
            }
            Command::RestoreHold {
                transaction,
                seats,
                places,
                ticket_types,
            } => self.decide_restore(*transaction, seats, places, ticket_types),
        }
    }

    /// Returns the hold if it is live at `now`.
    pub(super) fn live_hold(
        &self,
        transaction: TransactionId,
        now: Timestamp,
        action: &'static str,
    ) -> Result<&Hold, Rejection> {
        let hold = self
            .hold(transaction)
            .ok_or(Rejection::UnknownTransaction)?;
        if hold.state != HoldState::Expired && hold.is_live(now) {
            Ok(hold)
        } else {
            Err(hold.refusal(action))
        }
    }

    /// Applies an accepted change. Cannot fail; replaying the same changes from the same
    /// start gives the same state.
    ///
    /// # Panics
    /// Panics when `change` does not fit the state (it names an unknown transaction, say):
    /// that is a bug or a corrupt journal, never a user error.
    pub fn apply(&mut self, change: &Change) {
        match change {
            Change::HoldPlaced(hold) => {
                self.apply_hold_placed(hold);
                for place in &hold.places {
                    debug_assert!(self.pool_available_checked(place.pool));
                }
            }
            Change::HoldPlacedInChannel { hold, channel } => {
                self.apply_hold_placed(hold);
                let slot = self.holds.len() as u32 - 1;
                self.tag_hold(slot, channel);
            }
            Change::HoldbacksChangedWithPlaces {
                withheld,
                returned,
                places_withheld,
                places_returned,
            } => {
                self.apply_holdbacks(withheld, returned);
                // Returned first: a request may withhold what it returns.
                for place in places_returned {
                    self.pool_withheld[usize::from(place.pool)] -= place.quantity;
                }
                for place in places_withheld {
                    self.pool_withheld[usize::from(place.pool)] += place.quantity;
                    debug_assert!(self.pool_available_checked(place.pool));
                }
            }
            Change::AllocationAdded {
                channel,
                seats,
                places,
            } => self.apply_allocation_added(channel, seats, places),
            Change::AllocationRemoved { channel } => self.apply_allocation_removed(channel),
            Change::StatusChanged { status } => self.status = *status,
            Change::HoldExtended {
                transaction,
                expires_at,
            } => {
                let slot = self.slot(*transaction);
                let hold = Arc::make_mut(&mut self.holds[slot as usize]);
                let removed = self.expiries.remove(&(hold.expires_at, slot));
                debug_assert!(removed, "an extended hold was live");
                hold.expires_at = *expires_at;
                hold.state = HoldState::CheckedOut;
                hold.renewals += 1;
                self.expiries.insert((*expires_at, slot));
            }
            Change::HoldSold { transaction, sale } => {
                let slot = self.end_hold(*transaction, HoldState::Sold);
                Arc::make_mut(&mut self.holds[slot as usize]).sale = Some(sale.clone());
                self.index_barcodes(slot);
            }
            Change::TicketScanned {
                transaction,
                index,
                at,
            } => {
                let ticket = TicketRef {
                    transaction: *transaction,
                    index: *index,
                };
                self.apply_ticket_scanned(ticket, *at);
            }
            Change::TicketsRefunded {
                transaction,
                tickets,
                withhold,
                at,
            } => self.apply_refunded(*transaction, tickets, *withhold, *at),
            Change::HoldReleased { transaction } => {
                self.end_hold(*transaction, HoldState::Released);
            }
            Change::HoldsExpired { transactions } => {
                for transaction in transactions {
                    self.end_hold(*transaction, HoldState::Expired);
                }
            }
            Change::HoldbacksChanged { withheld, returned } => {
                self.apply_holdbacks(withheld, returned);
            }
            Change::HoldPrepared { transaction } => {
                let slot = self.slot(*transaction);
                let hold = Arc::make_mut(&mut self.holds[slot as usize]);
                assert!(hold.state.is_expiring(), "only a live lock is prepared");
                let removed = self.expiries.remove(&(hold.expires_at, slot));
                debug_assert!(removed, "a live lock has an expiry");
                hold.state = HoldState::Prepared;
            }
            Change::HoldModified {
                transaction,
                seats,
                places,
                ticket_types,
            } => self.apply_modified(*transaction, seats, places, ticket_types),
            Change::HoldUnprepared { transaction } => {
                let slot = self.slot(*transaction);
                let hold = Arc::make_mut(&mut self.holds[slot as usize]);
                assert_eq!(
                    hold.state,
                    HoldState::Prepared,
                    "only a prepared hold rolls back"
                );
                hold.state = HoldState::CheckedOut;
                self.expiries.insert((hold.expires_at, slot));
            }
        }
        self.version += 1;
    }

    fn slot(&self, transaction: TransactionId) -> u32 {
        *self
            .slots
            .get(&transaction)
            .expect("a change names a transaction that was placed before it")
    }

    fn apply_hold_placed(&mut self, hold: &Hold) {
        let slot = self.holds.len() as u32;
        for &seat in &hold.seats {
            debug_assert!(matches!(
                self.seats[seat as usize],
                SeatStatus::Free | SeatStatus::Allocated
            ));
            self.set_seat(seat, SeatStatus::Held(slot));
        }
        for place in &hold.places {
            self.pools[usize::from(place.pool)].held += place.quantity;
        }
        self.expiries.insert((hold.expires_at, slot));
        let previous = self.slots.insert(hold.transaction, slot);
        assert!(
            previous.is_none(),
            "a transaction holds once per performance"
        );
        self.holds.push(Arc::new(hold.clone()));
    }

    /// Sets a live hold's seats and places: seats it gave up are free, seats it gained are
    /// held by it, and the pools' counters follow.
    fn apply_modified(
        &mut self,
        transaction: TransactionId,
        seats: &[u32],
        places: &[PoolPlaces],
        ticket_types: &[u8],
    ) {
        let slot = self.slot(transaction);
        let hold = Arc::clone(&self.holds[slot as usize]);
        assert!(hold.state.is_expiring(), "only a live lock is modified");
        for &seat in &hold.seats {
            if seats.binary_search(&seat).is_err() {
                debug_assert_eq!(self.seats[seat as usize], SeatStatus::Held(slot));
                self.set_seat(seat, self.resting_status(seat));
            }
        }
        for &seat in seats {
            if hold.seats.binary_search(&seat).is_err() {
                debug_assert!(matches!(
                    self.seats[seat as usize],
                    SeatStatus::Free | SeatStatus::Allocated
                ));
                self.set_seat(seat, SeatStatus::Held(slot));
            }
        }
        self.count_channel_use(slot, &hold.places, false);
        for place in &hold.places {
            self.pools[usize::from(place.pool)].held -= place.quantity;
        }
        self.count_channel_use(slot, places, true);
        for place in places {
            self.pools[usize::from(place.pool)].held += place.quantity;
            debug_assert!(self.pool_available_checked(place.pool));
        }
        let hold = Arc::make_mut(&mut self.holds[slot as usize]);
        hold.seats = seats.to_vec();
        hold.places = places.to_vec();
        hold.ticket_types = ticket_types.to_vec();
    }

    pub(super) fn pool_available_checked(&self, pool: u16) -> bool {
        let counts = self.pools[usize::from(pool)];
        counts.held
            + counts.sold
            + self.pool_withheld[usize::from(pool)]
            + self.reserved_places(pool)
            <= self.plan.pools()[usize::from(pool)].capacity
    }

    /// Ends a live hold: its seats become sold (for `Sold`) or free, and its places likewise.
    fn end_hold(&mut self, transaction: TransactionId, state: HoldState) -> u32 {
        let slot = self.slot(transaction);
        let hold = &self.holds[slot as usize];
        assert!(hold.state.is_locking(), "only a live hold can end");
        let removed = self.expiries.remove(&(hold.expires_at, slot));
        debug_assert!(
            removed != (hold.state == HoldState::Prepared),
            "a live hold has an expiry unless it is prepared"
        );
        let seats = std::mem::take(&mut Arc::make_mut(&mut self.holds[slot as usize]).seats);
        for &seat in &seats {
            debug_assert_eq!(self.seats[seat as usize], SeatStatus::Held(slot));
            let status = if state == HoldState::Sold {
                SeatStatus::Sold(slot)
            } else {
                self.resting_status(seat)
            };
            self.set_seat(seat, status);
        }
        if state != HoldState::Sold {
            let places = self.holds[slot as usize].places.clone();
            self.count_channel_use(slot, &places, false);
        }
        let hold = Arc::make_mut(&mut self.holds[slot as usize]);
        hold.seats = seats;
        hold.state = state;
        for place in &hold.places {
            let counts = &mut self.pools[usize::from(place.pool)];
            counts.held -= place.quantity;
            if state == HoldState::Sold {
                counts.sold += place.quantity;
            }
        }
        slot
    }

    pub(super) fn set_seat(&mut self, seat: u32, status: SeatStatus) {
        let old = std::mem::replace(&mut self.seats[seat as usize], status);
        let block_index = self.plan.block_of(seat);
        let band = self.plan.blocks()[block_index as usize].price_band;
        let counts = &mut self.band_counts[usize::from(band)];
        *counts.slot(old) -= 1;
        *counts.slot(status) += 1;
        let free = &mut self.block_free[block_index as usize];
        *free = *free + u32::from(status == SeatStatus::Free) - u32::from(old == SeatStatus::Free);
        self.free_bits.set(seat, status == SeatStatus::Free);
    }
}
