//! What both benches share: a deterministic generator, the fixture performance's
//! description, and an on-sale history (holds, then most released, some sold) of any length.
//! Each bench uses a part of it, hence `dead_code` is allowed here.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::Arc;

use holdfast::domain::{
    Change, ClientId, EventId, EventInfo, Hold, HoldState, OrderNumber, Performance, PerformanceId,
    PerformanceInfo, Rules, Sale, SeatRequestStatus, SeatStatus, SeatingPlan, Timestamp,
    TransactionId,
};

pub const NOW: Timestamp = Timestamp(1_700_000_000_000);

pub const HOLD_SECONDS: u32 = 600;

pub const SEED: u64 = 0x9E37_79B9_7F4A_7C15;

/// At most this many holds are live at once while the journal is generated.
pub const LIVE_HOLDS: usize = 1_000;

/// A seeded xorshift64: deterministic inputs for every run.
pub struct XorShift(pub u64);

impl XorShift {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, bound: u32) -> u32 {
        (self.next() % u64::from(bound)) as u32
    }
}

pub fn performance_id() -> PerformanceId {
    PerformanceId::parse("bench").expect("a valid id")
}

pub fn owner() -> ClientId {
    ClientId::parse("web-shop").expect("a valid id")
}

pub fn info() -> PerformanceInfo {
    PerformanceInfo {
        id: performance_id(),
        event: EventInfo {
            id: EventId::parse("show").expect("a valid id"),
            name: "Show".into(),
            venue: "Hall".into(),
            city: "Town".into(),
        },
        starts_at: Timestamp(NOW.0 + 30 * 24 * 3_600_000),
        hold_seconds: HOLD_SECONDS,
        rules: Rules {
            contiguous_seats_only: true,
            no_single_seat_gaps: true,
            valid_quantities: (1..=10).collect(),
            ..Rules::default()
        },
        ticket_types: Vec::new(),
        fees: Vec::new(),
    }
}

pub fn hold(transaction: TransactionId, seats: Vec<u32>) -> Hold {
    Hold {
        transaction,
        owner: owner(),
        ip: "203.0.113.7".into(),
        seats,
        places: Vec::new(),
        created_at: NOW,
        expires_at: NOW.plus_seconds(HOLD_SECONDS),
        state: HoldState::Held,
        seat_request_status: SeatRequestStatus::NotRequested,
        sale: None,
        renewals: 0,
        ticket_types: Vec::new(),
    }
}

pub fn sale(order: u64, tickets: usize) -> Sale {
    Sale {
        order_number: OrderNumber(order),
        sold_at: NOW,
        barcodes: (0..tickets)
            .map(|ticket| format!("{:016}", order * 100 + ticket as u64))
            .collect(),
    }
}

/// The on-sale journal of `benches/domain.rs` (keep the two in step): holds of 1 to 4
/// adjacent seats at random free places; each ends 1,000 holds later, released (70%),
/// expired (27%) or checked out and sold (3%, until 60% of the seats are sold).
pub struct OnSale {
    performance: Performance,
    changes: Vec<Change>,
    live: VecDeque<(TransactionId, usize)>,
    random: XorShift,
    holds: u128,
    sold_seats: usize,
}

impl OnSale {
    pub fn generate(plan: Arc<SeatingPlan>, records: usize) -> (Performance, Vec<Change>) {
        let mut on_sale = Self {
            performance: Performance::new(info(), plan),
            changes: Vec::with_capacity(records + 2),
            live: VecDeque::with_capacity(LIVE_HOLDS + 1),
            random: XorShift(SEED),
            holds: 0,
            sold_seats: 0,
        };
        while on_sale.changes.len() < records {
            on_sale.place();
            if on_sale.live.len() > LIVE_HOLDS {
                on_sale.end_oldest();
            }
        }
        (on_sale.performance, on_sale.changes)
    }

    pub fn record(&mut self, change: Change) {
        self.performance.apply(&change);
        self.changes.push(change);
    }

    pub fn place(&mut self) {
        let quantity = 1 + self.random.below(4);
        let seat_count = self.performance.plan().seat_count();
        let first = loop {
            let seat = self.random.below(seat_count);
            let fits = seat + quantity <= self.performance.plan().block(seat).seats.end
                && (seat..seat + quantity)
                    .all(|s| self.performance.seat_status(s) == SeatStatus::Free);
            if fits {
                break seat;
            }
        };
        // Real transaction ids are UUIDs; spreading the bits keeps the hash map honest.
        let transaction = TransactionId(
            self.holds
                .wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835),
        );
        self.holds += 1;
        let mut placed = hold(transaction, (first..first + quantity).collect());
        placed.created_at = Timestamp(NOW.0 + self.holds as i64);
        placed.expires_at = placed.created_at.plus_seconds(HOLD_SECONDS);
        self.record(Change::HoldPlaced(placed));
        self.live.push_back((transaction, quantity as usize));
    }

    pub fn end_oldest(&mut self) {
        let Some((transaction, seats)) = self.live.pop_front() else {
            return;
        };
        let roll = self.random.below(100);
        let seats_max = self.performance.plan().seat_count() as usize * 60 / 100;
        if roll < 3 && self.sold_seats + seats <= seats_max {
            let at = Timestamp(NOW.0 + self.holds as i64);
            self.record(Change::HoldExtended {
                transaction,
                expires_at: at.plus_seconds(HOLD_SECONDS),
            });
            let order = self.holds as u64;
            self.record(Change::HoldSold {
                transaction,
                sale: sale(order, seats),
            });
            self.sold_seats += seats;
        } else if roll < 30 {
            self.record(Change::HoldsExpired {
                transactions: vec![transaction],
            });
        } else {
            self.record(Change::HoldReleased { transaction });
        }
    }
}
