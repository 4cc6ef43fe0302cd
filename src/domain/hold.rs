//! A hold: one transaction's expiring lock on seats and general-admission places at one
//! performance, and what became of it.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::ids::{ClientId, OrderNumber, Timestamp, TransactionId};

/// Where a hold is in its life. `Held` and `CheckedOut` are live until `expires_at`;
/// `Prepared` is live until the coordinator sells it or rolls it back, whatever the time; the
/// others are final.
///
/// Variants are only ever appended: the state is stored (bincode numbers variants in order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HoldState {
    /// Locked, not yet checked out.
    Held,
    /// Locked and checked out: the buyer is paying.
    CheckedOut,
    /// Sold: the tickets belong to an order.
    Sold,
    /// Released by the client.
    Released,
    /// Released because the lock passed `expires_at`.
    Expired,
    /// Part of a completion over several performances: it no longer expires, and only the
    /// coordinator ends it, by selling it (the order was committed) or by rolling it back to
    /// `CheckedOut` (it was not).
    Prepared,
}

impl HoldState {
    /// Returns the contract's name of the state.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Held => "held",
            Self::CheckedOut | Self::Prepared => "checkout",
            Self::Sold => "complete",
            Self::Released => "released",
            Self::Expired => "expired",
        }
    }

    /// Returns true while the hold locks its seats (before its expiry is checked).
    pub fn is_locking(self) -> bool {
        matches!(self, Self::Held | Self::CheckedOut | Self::Prepared)
    }

    /// Returns the state of a transaction whose holds are in `states`: complete when all are
    /// sold; otherwise expired, then released, when any is; otherwise checked out when any is
    /// checked out or prepared; otherwise held.
    pub fn summed(states: impl IntoIterator<Item = Self>) -> Self {
        let (mut all_sold, mut expired, mut released, mut checked_out) =
            (true, false, false, false);
        for state in states {
            all_sold &= state == Self::Sold;
            expired |= state == Self::Expired;
            released |= state == Self::Released;
            checked_out |= matches!(state, Self::CheckedOut | Self::Prepared);
        }
        if all_sold {
            Self::Sold
        } else if expired {
            Self::Expired
        } else if released {
            Self::Released
        } else if checked_out {
            Self::CheckedOut
        } else {
            Self::Held
        }
    }

    /// Returns true while the lock can run out (a prepared hold cannot).
    pub fn is_expiring(self) -> bool {
        matches!(self, Self::Held | Self::CheckedOut)
    }
}

impl fmt::Display for HoldState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Clients see it as checked out; a refusal says why it cannot be touched.
            Self::Prepared => f.write_str("being completed"),
            other => f.write_str(other.as_str()),
        }
    }
}

/// How a best-available request's preferred seats fared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SeatRequestStatus {
    /// Every preferred seat was given.
    GotAll,
    /// Some preferred seats were given.
    GotSome,
    /// Other seats than the preferred ones were given.
    GotNone,
    /// No preference was given.
    NotRequested,
}

impl SeatRequestStatus {
    /// Returns the weaker of two outcomes (got none < got some < got all < not requested),
    /// which is what a request of several items reports.
    pub fn weakest(self, other: Self) -> Self {
        let rank = |status| match status {
            Self::GotNone => 0,
            Self::GotSome => 1,
            Self::GotAll => 2,
            Self::NotRequested => 3,
        };
        if rank(other) < rank(self) {
            other
        } else {
            self
        }
    }

    /// Returns the contract's name of the status.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GotAll => "got_all",
            Self::GotSome => "got_some",
            Self::GotNone => "got_none",
            Self::NotRequested => "not_requested",
        }
    }
}

/// General-admission places of one pool in a hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolPlaces {
    /// The pool's index in the plan.
    pub pool: u16,
    /// How many places.
    pub quantity: u32,
}

/// One transaction's hold at one performance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    /// The transaction that owns the hold.
    pub transaction: TransactionId,
    /// The client that opened the transaction.
    pub owner: ClientId,
    /// The caller's IP address as the HTTP front saw it.
    pub ip: String,
    /// The held seats, as seat indexes in ascending order.
    pub seats: Vec<u32>,
    /// The held general-admission places.
    pub places: Vec<PoolPlaces>,
    /// When the hold was placed.
    pub created_at: Timestamp,
    /// The lock is live while `now < expires_at`.
    pub expires_at: Timestamp,
    /// Where the hold is in its life.
    pub state: HoldState,
    /// How the request's preferred seats fared.
    pub seat_request_status: SeatRequestStatus,
    /// The order that bought the hold, once sold.
    pub sale: Option<Sale>,
    /// How many times it was checked out.
    pub renewals: u32,
    /// The ticket type of each ticket, in barcode order (see [`TypedTickets::pack`]); empty
    /// when every ticket is of the performance's first type, as it is for most holds.
    pub ticket_types: Vec<u8>,
}

/// Returns how many places `places` hold in all.
pub fn place_count(places: &[PoolPlaces]) -> u64 {
    places.iter().map(|place| u64::from(place.quantity)).sum()
}

impl Hold {
    /// Returns the hold's places by pool less those `refunded` says were refunded, by their
    /// barcode index (places follow the seats in barcode order).
    pub fn places_kept(&self, refunded: impl Fn(u32) -> bool) -> Vec<PoolPlaces> {
        let mut index = self.seats.len() as u32;
        self.places
            .iter()
            .map(|place| {
                let gone = (index..index + place.quantity)
                    .filter(|&at| refunded(at))
                    .count() as u32;
                index += place.quantity;
                PoolPlaces {
                    pool: place.pool,
                    quantity: place.quantity - gone,
                }
            })
            .collect()
    }

    /// Returns how many tickets the hold has: its seats and its places.
    pub fn ticket_count(&self) -> u64 {
        self.seats.len() as u64 + place_count(&self.places)
    }

    /// Returns the type of the ticket with barcode index `index`.
    pub fn ticket_type(&self, index: usize) -> u8 {
        self.ticket_types.get(index).copied().unwrap_or(0)
    }

    /// Returns the pool of the `place`-th place (counting places only, in barcode order).
    pub fn pool_of_place(&self, place: usize) -> Option<u16> {
        let mut first = 0;
        for run in &self.places {
            let count = run.quantity as usize;
            if place < first + count {
                return Some(run.pool);
            }
            first += count;
        }
        None
    }

    /// Returns the hold's tickets with their types, to change them.
    pub fn typed(&self) -> TypedTickets {
        TypedTickets::unpack(&self.seats, &self.places, &self.ticket_types)
    }

    /// Returns true when the hold locks its seats at `now`.
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.state == HoldState::Prepared || (self.state.is_expiring() && now < self.expires_at)
    }
}

/// General-admission places of one pool and one ticket type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TypedPlaces {
    /// The pool's index in the plan.
    pub pool: u16,
    /// The ticket type's index.
    pub ticket_type: u8,
    /// How many places.
    pub quantity: u32,
}

/// A hold's tickets with the type of each, in a form that is easy to change: seats as
/// (seat index, type), places as [`TypedPlaces`]. [`TypedTickets::pack`] turns it into the
/// hold's compact form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TypedTickets {
    /// Seats and their types, in any order.
    pub seats: Vec<(u32, u8)>,
    /// Places by pool and type, in any order, possibly with repeats.
    pub places: Vec<TypedPlaces>,
}

impl TypedTickets {
    /// Unpacks a hold's seats, places and types (as [`Hold::ticket_types`]).
    pub fn unpack(seats: &[u32], places: &[PoolPlaces], types: &[u8]) -> Self {
        let type_at = |index: usize| types.get(index).copied().unwrap_or(0);
        let typed_seats = seats
            .iter()
            .enumerate()
            .map(|(index, &seat)| (seat, type_at(index)))
            .collect();
        let mut typed_places: Vec<TypedPlaces> = Vec::new();
        let mut index = seats.len();
        for place in places {
            for _ in 0..place.quantity {
                let ticket_type = type_at(index);
                match typed_places.last_mut() {
                    Some(last) if last.pool == place.pool && last.ticket_type == ticket_type => {
                        last.quantity += 1;
                    }
                    _ => typed_places.push(TypedPlaces {
                        pool: place.pool,
                        ticket_type,
                        quantity: 1,
                    }),
                }
                index += 1;
            }
        }
        Self {
            seats: typed_seats,
            places: typed_places,
        }
    }

    /// Packs the tickets into a hold's form: seats ascending, one entry per pool ascending,
    /// and the types in barcode order (the seats', then each pool's places by type), or no
    /// types when all are the first.
    pub fn pack(mut self) -> (Vec<u32>, Vec<PoolPlaces>, Vec<u8>) {
        self.seats.sort_unstable();
        self.places
            .sort_unstable_by_key(|p| (p.pool, p.ticket_type));
        let mut types: Vec<u8> = self.seats.iter().map(|&(_, t)| t).collect();
        let mut places: Vec<PoolPlaces> = Vec::new();
        for typed in self.places.iter().filter(|p| p.quantity > 0) {
            match places.last_mut() {
                Some(last) if last.pool == typed.pool => {
                    last.quantity = last.quantity.saturating_add(typed.quantity);
                }
                _ => places.push(PoolPlaces {
                    pool: typed.pool,
                    quantity: typed.quantity,
                }),
            }
            types.extend(std::iter::repeat_n(
                typed.ticket_type,
                typed.quantity as usize,
            ));
        }
        if types.iter().all(|&t| t == 0) {
            types = Vec::new();
        }
        let seats = self.seats.into_iter().map(|(seat, _)| seat).collect();
        (seats, places, types)
    }

    /// Adds `other`'s tickets to these.
    pub fn extend(&mut self, other: Self) {
        self.seats.extend(other.seats);
        self.places.extend(other.places);
    }
}

/// What a sale records on the hold: the order and one barcode per ticket and place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sale {
    /// The order the hold became part of.
    pub order_number: OrderNumber,
    /// When it was sold.
    pub sold_at: Timestamp,
    /// One barcode per seat, in the order of `Hold::seats`, then one per place, in the order of
    /// `Hold::places`.
    pub barcodes: Vec<String>,
}

/// A ticket of a sold hold: its transaction, and its place among the hold's barcodes (seats
/// first, then places, as [`Sale::barcodes`](Sale::barcodes)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TicketRef {
    /// The transaction that bought it.
    pub transaction: TransactionId,
    /// Its index among the hold's barcodes.
    pub index: u32,
}

/// Derives `count` 16-digit barcodes from `seed` (SplitMix64), so the randomness is chosen
/// once outside the domain and the change records the result.
pub(super) fn issue_barcodes(seed: u64, count: usize) -> Vec<String> {
    let mut state = seed;
    (0..count)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            format!(
                "{:0width$}",
                z % 10_u64.pow(BARCODE_DIGITS as u32),
                width = BARCODE_DIGITS
            )
        })
        .collect()
}

/// How many digits a barcode has.
pub const BARCODE_DIGITS: usize = 16;
