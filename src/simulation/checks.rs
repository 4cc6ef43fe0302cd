//! The promises the simulation checks on a performance after every step, against what
//! clients were told.

use super::Failure;
use crate::domain::{
    Counts, Hold, HoldState, OrderNumber, Performance, SeatStatus, TicketRef, Timestamp,
    TransactionId,
};

/// What a client was told of a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Told {
    /// Locked until `expires_at`.
    Held,
    /// Sold as this order.
    Sold(OrderNumber),
    /// Released.
    Released,
}

/// A hold a client was told of: (performance index, seats, ticket types as the hold keeps
/// them).
pub type ToldHold = (usize, Vec<u32>, Vec<u8>);

/// What the clients were told about one transaction.
#[derive(Clone, Debug)]
pub struct Known {
    /// Its holds, one per performance.
    pub holds: Vec<ToldHold>,
    /// The client that opened it.
    pub client: usize,
    /// When its lock runs out, as last acknowledged.
    pub expires_at: Timestamp,
    /// What the client was last told.
    pub told: Told,
    /// A release or completion whose effect is unknown: its answer never came, or the
    /// network delivered it twice.
    pub uncertain: bool,
    /// Releases and completions sent and not yet answered.
    pub in_flight: u32,
    /// The metadata it was opened with.
    pub metadata: crate::actor::Metadata,
}

impl Known {
    /// True when no release or completion may have changed the transaction unseen.
    pub fn is_settled(&self) -> bool {
        !self.uncertain && self.in_flight == 0
    }
}

/// Seat statuses agree with the holds, and every count adds up.
pub fn check_inventory(performance: &Performance) -> Result<(), Failure> {
    performance.check_allocations().map_err(Failure::new)?;
    if !performance.free_bits_agree() {
        return Err(Failure::new(
            "the free-seat bits disagree with the seats' statuses",
        ));
    }
    let statuses = performance.seat_statuses();
    let holds = performance.holds();
    for (slot, hold) in holds.iter().enumerate() {
        let expected = match hold.state {
            HoldState::Held | HoldState::CheckedOut | HoldState::Prepared => {
                SeatStatus::Held(slot as u32)
            }
            HoldState::Sold => SeatStatus::Sold(slot as u32),
            HoldState::Released | HoldState::Expired => continue,
        };
        for (index, &seat) in hold.seats.iter().enumerate() {
            let refunded = performance.is_refunded(TicketRef {
                transaction: hold.transaction,
                index: index as u32,
            });
            if refunded {
                // Free, withheld, or another hold's; never still this one's.
                if statuses[seat as usize] == expected {
                    return Err(Failure::new(format!(
                        "seat {seat} of {:?} was refunded but still reads {expected:?}",
                        hold.transaction
                    )));
                }
                continue;
            }
            if statuses[seat as usize] != expected {
                return Err(Failure::new(format!(
                    "seat {seat} of {:?} ({:?}) reads {:?}: two holds claim it, or none",
                    hold.transaction, hold.state, statuses[seat as usize]
                )));
            }
        }
    }
    let mut counts = Counts::default();
    for (seat, status) in statuses.iter().enumerate() {
        match status {
            SeatStatus::Free => counts.available += 1,
            SeatStatus::Withheld => counts.withheld += 1,
            SeatStatus::Allocated => counts.allocated += 1,
            SeatStatus::Held(slot) | SeatStatus::Sold(slot) => {
                let hold = holds
                    .get(*slot as usize)
                    .ok_or_else(|| Failure::new(format!("seat {seat} names no hold")))?;
                let consistent = match status {
                    SeatStatus::Held(_) => hold.state.is_locking(),
                    _ => hold.state == HoldState::Sold,
                };
                let listed = hold.seats.iter().position(|&held| held == seat as u32);
                let refunded = listed.is_some_and(|index| {
                    performance.is_refunded(TicketRef {
                        transaction: hold.transaction,
                        index: index as u32,
                    })
                });
                if !consistent || listed.is_none() || refunded {
                    return Err(Failure::new(format!(
                        "seat {seat} reads {status:?}, but that hold is {:?} over {:?}",
                        hold.state, hold.seats
                    )));
                }
                if matches!(status, SeatStatus::Held(_)) {
                    counts.held += 1;
                } else {
                    counts.sold += 1;
                }
            }
        }
    }
    if counts != performance.counts() || counts.total() != performance.plan().seat_count() {
        return Err(Failure::new(format!(
            "counts {:?} differ from the seats {counts:?}",
            performance.counts()
        )));
    }
    let mut bands = Counts::default();
    for band in performance.band_counts() {
        bands.available += band.available;
        bands.held += band.held;
        bands.sold += band.sold;
        bands.withheld += band.withheld;
        bands.allocated += band.allocated;
    }
    if bands != counts {
        return Err(Failure::new(format!(
            "price band counts add up to {bands:?}, seats to {counts:?}"
        )));
    }
    for (index, pool) in performance.plan().pools().iter().enumerate() {
        let (mut held, mut sold) = (0, 0);
        for hold in holds {
            // Places follow the seats in barcode order.
            let mut ticket = hold.seats.len() as u32;
            for places in &hold.places {
                let first = ticket;
                ticket += places.quantity;
                if usize::from(places.pool) != index {
                    continue;
                }
                match hold.state {
                    HoldState::Held | HoldState::CheckedOut | HoldState::Prepared => {
                        held += places.quantity
                    }
                    HoldState::Sold => {
                        sold += (first..ticket)
                            .filter(|&index| {
                                !performance.is_refunded(TicketRef {
                                    transaction: hold.transaction,
                                    index,
                                })
                            })
                            .count() as u32;
                    }
                    HoldState::Released | HoldState::Expired => {}
                }
            }
        }
        let counted = performance.pool_counts()[index];
        if counted.held != held || counted.sold != sold || held + sold > pool.capacity {
            return Err(Failure::new(format!(
                "pool {}: counted {counted:?}, holds say {held} held and {sold} sold of {}",
                pool.code, pool.capacity
            )));
        }
    }
    Ok(())
}

/// What a client was told still stands: `hold` is the transaction's hold at the performance,
/// from its inventory or, once ended, from the archive (`None` when it is in neither).
pub fn check_known(
    hold: Option<&Hold>,
    now: Timestamp,
    transaction: TransactionId,
    seats: &[u32],
    ticket_types: &[u8],
    known: &Known,
) -> Result<(), Failure> {
    match known.told {
        Told::Sold(order) => match hold {
            Some(hold)
                if hold.state == HoldState::Sold
                    && hold.seats == seats
                    && hold.ticket_types == ticket_types
                    && hold.sale.as_ref().map(|sale| sale.order_number) == Some(order) => {}
            other => {
                return Err(Failure::new(format!(
                    "{transaction:?} was sold as order {order}, but reads {other:?}; told {seats:?} of {known:?}"
                )));
            }
        },
        Told::Held if known.is_settled() && now < known.expires_at => match hold {
            Some(hold)
                if hold.is_live(now)
                    && hold.seats == seats
                    && hold.ticket_types == ticket_types => {}
            other => {
                return Err(Failure::new(format!(
                    "{transaction:?} was locked until {:?}, but at {now:?} reads {other:?}",
                    known.expires_at
                )));
            }
        },
        Told::Released if known.is_settled() => match hold {
            Some(hold) if hold.state.is_locking() => {
                return Err(Failure::new(format!(
                    "{transaction:?} was released, but still locks its seats"
                )));
            }
            Some(_) => {}
            None => {
                return Err(Failure::new(format!(
                    "{transaction:?} was released, and can no longer be read"
                )));
            }
        },
        Told::Held | Told::Released => {}
    }
    Ok(())
}
