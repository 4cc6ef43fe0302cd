//! History: every state change of a transaction or of a seat, derived from a performance's
//! journal of changes, in the order they were made.
//!
//! The journal already records every change with its time, so history is a reading of it,
//! not a second record: [`history`] replays the changes, tracking each hold's seats, places
//! and state, and keeps the events that touch what was asked for. Nothing here decides
//! anything, so a history can never disagree with the inventory the same changes built.
//!
//! A transaction's states are `held`, `checked_out`, `complete`, `partially_refunded`,
//! `refunded`, `released` and `expired`; a seat's are `free`, `held`, `sold` and
//! `withheld`. Preparing a hold for a completion over several performances is internal to
//! the completion and is not an event.
//!
//! # Caveats
//! - `client` is the transaction's owner, also for an expiry (the engine's timer) and a
//!   refund (which an admin may have made); a holdback names no client.
//! - A change whose hold was placed before the oldest entry kept (a data directory from
//!   before the journal was kept whole) has no known state before it: `from` is `None`.

use std::collections::HashMap;

use super::change::Change;
use super::hold::PoolPlaces;
use super::ids::{ClientId, Timestamp, TransactionId};

/// What kind of change an event is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryKind {
    /// A hold was placed.
    Held,
    /// A hold's seats or places changed.
    Modified,
    /// A hold was checked out (its lock reset).
    CheckedOut,
    /// A hold was sold.
    Completed,
    /// A hold was released by its client, a seat's holdback released, or its allocation ended.
    Released,
    /// A hold's lock ran out.
    Expired,
    /// Sold tickets were refunded.
    Refunded,
    /// A seat was taken off sale.
    Withheld,
    /// A ticket was scanned at the door.
    Scanned,
    /// A seat was set aside for a channel's allocation.
    Allocated,
}

impl HistoryKind {
    /// The contract's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Held => "held",
            Self::Modified => "modified",
            Self::CheckedOut => "checked_out",
            Self::Completed => "completed",
            Self::Released => "released",
            Self::Expired => "expired",
            Self::Refunded => "refunded",
            Self::Withheld => "withheld",
            Self::Scanned => "scanned",
            Self::Allocated => "allocated",
        }
    }
}

/// One state change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEvent {
    /// When.
    pub at: Timestamp,
    /// What.
    pub kind: HistoryKind,
    /// The state before (`None` when unknown).
    pub from: Option<&'static str>,
    /// The state after.
    pub to: &'static str,
    /// The transaction, for a hold's change.
    pub transaction: Option<TransactionId>,
    /// The transaction's client.
    pub client: Option<ClientId>,
    /// The seats it concerns, by index.
    pub seats: Vec<u32>,
    /// The places it concerns, by pool.
    pub places: Vec<PoolPlaces>,
}

/// Whose history is wanted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wanted {
    /// A transaction's, at this performance.
    Transaction(TransactionId),
    /// A seat's, by index.
    Seat(u32),
}

/// A hold as the replay knows it.
#[derive(Debug)]
struct Tracked {
    owner: ClientId,
    seats: Vec<u32>,
    places: Vec<PoolPlaces>,
    state: &'static str,
    refunded: u64,
}

impl Tracked {
    fn tickets(&self) -> u64 {
        self.seats.len() as u64
            + self
                .places
                .iter()
                .map(|p| u64::from(p.quantity))
                .sum::<u64>()
    }

    /// The seats and places of barcode `indexes` (seats first, then places).
    fn tickets_at(&self, indexes: &[u32]) -> (Vec<u32>, Vec<PoolPlaces>) {
        let mut seats = Vec::new();
        let mut places: Vec<PoolPlaces> = Vec::new();
        for &index in indexes {
            let index = index as usize;
            if let Some(&seat) = self.seats.get(index) {
                seats.push(seat);
                continue;
            }
            let mut first = self.seats.len();
            for run in &self.places {
                if index < first + run.quantity as usize {
                    match places.iter_mut().find(|p| p.pool == run.pool) {
                        Some(place) => place.quantity += 1,
                        None => places.push(PoolPlaces {
                            pool: run.pool,
                            quantity: 1,
                        }),
                    }
                    break;
                }
                first += run.quantity as usize;
            }
        }
        (seats, places)
    }
}

/// The events of `wanted` among `changes`, a performance's journal in order.
pub fn history<'a>(
    changes: impl IntoIterator<Item = (Timestamp, &'a Change)>,
    wanted: Wanted,
) -> Vec<HistoryEvent> {
    let mut holds: HashMap<TransactionId, Tracked> = HashMap::new();
    let mut events = Vec::new();
    let mut seat = SeatTrack {
        allocated_to: None,
        status: "free",
    };
    for (at, change) in changes {
        let mut replay = Replay {
            at,
            wanted,
            holds: &mut holds,
            events: &mut events,
            seat: &mut seat,
        };
        replay.apply(change);
    }
    events
}

struct Replay<'r> {
    at: Timestamp,
    wanted: Wanted,
    holds: &'r mut HashMap<TransactionId, Tracked>,
    events: &'r mut Vec<HistoryEvent>,
    seat: &'r mut SeatTrack,
}

/// What the wanted seat is now, for a seat's history: its status, and the channel whose
/// allocation it returns to when nobody holds it.
struct SeatTrack {
    allocated_to: Option<String>,
    status: &'static str,
}

impl Replay<'_> {
    /// The status the wanted seat takes when nobody holds it: its allocation's, or free.
    fn resting(&self) -> &'static str {
        if self.seat.allocated_to.is_some() {
            "allocated"
        } else {
            "free"
        }
    }

    fn apply(&mut self, change: &Change) {
        match change {
            Change::HoldPlaced(hold) | Change::HoldPlacedInChannel { hold, .. } => {
                self.holds.insert(
                    hold.transaction,
                    Tracked {
                        owner: hold.owner.clone(),
                        seats: hold.seats.clone(),
                        places: hold.places.clone(),
                        state: "held",
                        refunded: 0,
                    },
                );
                let seats = hold.seats.clone();
                let places = hold.places.clone();
                let resting = self.resting();
                self.hold_event(
                    hold.transaction,
                    HistoryKind::Held,
                    "held",
                    seats,
                    places,
                    (resting, "held"),
                );
            }
            Change::HoldExtended { transaction, .. } => {
                self.transaction_event(*transaction, HistoryKind::CheckedOut, "checked_out");
            }
            Change::HoldModified {
                transaction,
                seats,
                places,
                ..
            } => self.modified(*transaction, seats, places),
            Change::HoldSold { transaction, .. } => {
                self.ended(*transaction, HistoryKind::Completed, "complete", "sold");
            }
            Change::HoldReleased { transaction } => {
                let resting = self.resting();
                self.ended(*transaction, HistoryKind::Released, "released", resting);
            }
            Change::HoldsExpired { transactions } => {
                let resting = self.resting();
                for transaction in transactions {
                    self.ended(*transaction, HistoryKind::Expired, "expired", resting);
                }
            }
            Change::HoldPrepared { .. } | Change::HoldUnprepared { .. } => {}
            Change::AllocationAdded { channel, seats, .. } => {
                if let Wanted::Seat(seat) = self.wanted
                    && seats.contains(&seat)
                {
                    self.seat.allocated_to = Some(channel.clone());
                    self.seat_event(HistoryKind::Allocated, None, ("free", "allocated"));
                }
            }
            Change::AllocationRemoved { channel } => {
                if self.seat.allocated_to.as_ref() == Some(channel) {
                    self.seat.allocated_to = None;
                    if self.seat.status == "allocated" {
                        self.seat_event(HistoryKind::Released, None, ("allocated", "free"));
                    }
                }
            }
            Change::StatusChanged { .. } => {}
            Change::HoldbacksChanged { withheld, returned }
            | Change::HoldbacksChangedWithPlaces {
                withheld, returned, ..
            } => {
                if let Wanted::Seat(seat) = self.wanted {
                    if withheld.contains(&seat) {
                        self.seat_event(HistoryKind::Withheld, None, ("free", "withheld"));
                    }
                    if returned.contains(&seat) {
                        let resting = self.resting();
                        self.seat_event(HistoryKind::Released, None, ("withheld", resting));
                    }
                }
            }
            Change::TicketScanned {
                transaction, index, ..
            } => {
                let Some(hold) = self.holds.get(transaction) else {
                    return;
                };
                let (seats, places) = hold.tickets_at(&[*index]);
                let state = hold.state;
                self.hold_event(
                    *transaction,
                    HistoryKind::Scanned,
                    state,
                    seats,
                    places,
                    ("sold", "sold"),
                );
            }
            Change::TicketsRefunded {
                transaction,
                tickets,
                withhold,
                ..
            } => {
                let Some(hold) = self.holds.get_mut(transaction) else {
                    return;
                };
                hold.refunded += tickets.len() as u64;
                let to = if hold.refunded >= hold.tickets() {
                    "refunded"
                } else {
                    "partially_refunded"
                };
                let (seats, places) = hold.tickets_at(tickets);
                let seat_to = if *withhold {
                    "withheld"
                } else {
                    self.resting()
                };
                self.hold_event(
                    *transaction,
                    HistoryKind::Refunded,
                    to,
                    seats,
                    places,
                    ("sold", seat_to),
                );
            }
        }
    }

    /// An event of a hold's state with these tickets: for a transaction, its state moves to
    /// `to`; for a seat among `seats`, its status moves as `seat_move` says.
    fn hold_event(
        &mut self,
        transaction: TransactionId,
        kind: HistoryKind,
        to: &'static str,
        seats: Vec<u32>,
        places: Vec<PoolPlaces>,
        seat_move: (&'static str, &'static str),
    ) {
        let Some(hold) = self.holds.get_mut(&transaction) else {
            return;
        };
        let client = Some(hold.owner.clone());
        match self.wanted {
            Wanted::Transaction(wanted) if wanted == transaction => {
                let from = (kind != HistoryKind::Held).then_some(hold.state);
                hold.state = to;
                self.events.push(HistoryEvent {
                    at: self.at,
                    kind,
                    from,
                    to,
                    transaction: Some(transaction),
                    client,
                    seats,
                    places,
                });
            }
            Wanted::Seat(seat) if seats.contains(&seat) => {
                hold.state = to;
                self.seat.status = seat_move.1;
                self.events.push(HistoryEvent {
                    at: self.at,
                    kind,
                    from: Some(seat_move.0),
                    to: seat_move.1,
                    transaction: Some(transaction),
                    client,
                    seats: vec![seat],
                    places: Vec::new(),
                });
            }
            _ => hold.state = to,
        }
    }

    /// A change of a transaction's state that moves no seat (a checkout).
    fn transaction_event(
        &mut self,
        transaction: TransactionId,
        kind: HistoryKind,
        to: &'static str,
    ) {
        let Some(hold) = self.holds.get(&transaction) else {
            return;
        };
        let (seats, places) = match self.wanted {
            Wanted::Transaction(_) => (hold.seats.clone(), hold.places.clone()),
            // A checkout leaves every seat as it was: not a seat's event.
            Wanted::Seat(_) => (Vec::new(), Vec::new()),
        };
        self.hold_event(transaction, kind, to, seats, places, ("held", "held"));
    }

    /// A hold's end: its seats become `seat_to`.
    fn ended(
        &mut self,
        transaction: TransactionId,
        kind: HistoryKind,
        to: &'static str,
        seat_to: &'static str,
    ) {
        let Some(hold) = self.holds.get(&transaction) else {
            return;
        };
        let (seats, places) = (hold.seats.clone(), hold.places.clone());
        self.hold_event(transaction, kind, to, seats, places, ("held", seat_to));
    }

    /// A live hold's new seats and places: for a seat, given up or gained.
    fn modified(&mut self, transaction: TransactionId, seats: &[u32], places: &[PoolPlaces]) {
        let Some(hold) = self.holds.get_mut(&transaction) else {
            return;
        };
        let before = std::mem::replace(&mut hold.seats, seats.to_vec());
        hold.places = places.to_vec();
        let state = hold.state;
        match self.wanted {
            Wanted::Transaction(_) => {
                self.hold_event(
                    transaction,
                    HistoryKind::Modified,
                    state,
                    seats.to_vec(),
                    places.to_vec(),
                    ("held", "held"),
                );
            }
            Wanted::Seat(seat) => {
                let (had, has) = (before.contains(&seat), seats.contains(&seat));
                let resting = self.resting();
                let seat_move = match (had, has) {
                    (true, false) => ("held", resting),
                    (false, true) => (resting, "held"),
                    _ => return,
                };
                self.hold_event(
                    transaction,
                    HistoryKind::Modified,
                    state,
                    vec![seat],
                    Vec::new(),
                    seat_move,
                );
            }
        }
    }

    fn seat_event(
        &mut self,
        kind: HistoryKind,
        transaction: Option<TransactionId>,
        seat_move: (&'static str, &'static str),
    ) {
        if let Wanted::Seat(seat) = self.wanted {
            self.seat.status = seat_move.1;
            self.events.push(HistoryEvent {
                at: self.at,
                kind,
                from: Some(seat_move.0),
                to: seat_move.1,
                transaction,
                client: None,
                seats: vec![seat],
                places: Vec::new(),
            });
        }
    }
}
