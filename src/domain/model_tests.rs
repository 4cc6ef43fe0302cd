//! A property test of [`Performance`] against a reference model.
//!
//! Proptest draws a small plan (1 to 4 rows of 1 to 3 blocks of 1 to 8 seats, in bands `A`
//! and `C`, pools `GA` and `GB`), random rules, and up to 60 steps. A step moves `now`
//! forward, expires due holds as the actor does, then decides one command: a hold of specific
//! seats, best available or general admission, an extension, a sale, a release, a change of
//! holdbacks, or an explicit expiry.
//!
//! The model is a plain map from seat to status and from transaction to hold, written from the
//! rules in `mod.rs` without looking at how `Performance` finds seats. Before each command it
//! predicts the outcome (the exact change or rejection); after an accepted change it checks the
//! change is legal and updates itself from the change alone. After every step the invariants
//! are checked: the statuses agree, no seat is in two live holds or sales, counts add up per
//! band, pools stay within capacity, the version counts the changes, and a refusal changed
//! nothing. At the end the changes are replayed on a fresh performance, and a snapshot taken
//! at a random point, restored and followed by the rest of the changes, gives the same state.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::test::{band, plan_spec};
use super::*;

const START: Timestamp = Timestamp(1_000_000);
const HOLD_SECONDS: u32 = 30;
const BANDS: [&str; 3] = ["A", "B", "C"];
const POOLS: [&str; 2] = ["GA", "GB"];
const GA_CAPACITY: u32 = 10;
/// A seat pick that names no seat of any plan drawn here.
const UNKNOWN_SEAT: u16 = u16::MAX;
const UNKNOWN_SEAT_ID: &str = "S-Z9";

type Check = Result<(), TestCaseError>;

// ---------------------------------------------------------------------------------------------
// What proptest draws
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
struct BlockShape {
    length: u32,
    /// Skip one seat number before the block, so numbering has a hole at the aisle.
    skip_number: bool,
    /// The block is in band `C` instead of `A`.
    in_band_c: bool,
}

#[derive(Clone, Debug)]
struct Shape {
    rows: Vec<Vec<BlockShape>>,
    contiguous_seats_only: bool,
    no_single_seat_gaps: bool,
    valid_quantities: Vec<u32>,
    gb_capacity: u32,
    starts_after_ms: i64,
}

#[derive(Clone, Debug)]
enum Op {
    Prepare {
        pick: u8,
    },
    Unprepare {
        pick: u8,
    },
    SeatRun {
        start: u16,
        length: u8,
        reuse: Option<u8>,
    },
    SeatPicks {
        picks: Vec<u16>,
    },
    Best {
        quantity: u32,
        band: Option<u8>,
        preferred: Vec<u16>,
    },
    General {
        ga: Option<u32>,
        gb: Option<u32>,
        /// Names `GA` a second time, with this quantity.
        ga_again: Option<u32>,
        unknown: bool,
        reversed: bool,
    },
    Extend {
        pick: u8,
    },
    Sell {
        pick: u8,
        seed: u64,
    },
    Release {
        pick: u8,
    },
    Holdbacks {
        withhold: Vec<u16>,
        release: Vec<u16>,
    },
    Expire,
    /// Ended holds leave the inventory; commands about them are decided by `decide_ended`.
    Compact,
}

#[derive(Clone, Copy, Debug)]
enum Advance {
    By(i64),
    ToNextExpiry,
    JustBeforeNextExpiry,
}

fn shape() -> impl Strategy<Value = Shape> {
    let block = (1u32..=8, any::<bool>(), prop::bool::weighted(0.3)).prop_map(
        |(length, skip_number, in_band_c)| BlockShape {
            length,
            skip_number,
            in_band_c,
        },
    );
    (
        prop::collection::vec(prop::collection::vec(block, 1..=3), 1..=4),
        any::<bool>(),
        any::<bool>(),
        prop::sample::subsequence(vec![1u32, 2, 3, 4, 5], 1..=5),
        1u32..=6,
        60_000i64..=1_500_000,
    )
        .prop_map(
            |(rows, contiguous, gaps, valid_quantities, gb_capacity, starts_after_ms)| Shape {
                rows,
                contiguous_seats_only: contiguous,
                no_single_seat_gaps: gaps,
                valid_quantities,
                gb_capacity,
                starts_after_ms,
            },
        )
}

fn seat_pick() -> impl Strategy<Value = u16> {
    prop_oneof![12 => 0u16..64, 1 => Just(UNKNOWN_SEAT)]
}

fn op() -> impl Strategy<Value = Op> {
    let quantity = prop_oneof![1 => Just(0u32), 12 => 1u32..=6];
    let places = prop::option::weighted(0.7, prop_oneof![1 => Just(0u32), 10 => 1u32..=7]);
    prop_oneof![
        6 => (any::<u16>(), 0u8..=6, prop::option::weighted(0.1, any::<u8>()))
            .prop_map(|(start, length, reuse)| Op::SeatRun { start, length, reuse }),
        2 => prop::collection::vec(seat_pick(), 0..=4).prop_map(|picks| Op::SeatPicks { picks }),
        5 => (quantity, prop::option::weighted(0.4, 0u8..4), prop::collection::vec(seat_pick(), 0..=3))
            .prop_map(|(quantity, band, preferred)| Op::Best { quantity, band, preferred }),
        3 => (
            places.clone(),
            places,
            prop::option::weighted(0.2, 1u32..=7),
            prop::bool::weighted(0.1),
            any::<bool>(),
        )
            .prop_map(|(ga, gb, ga_again, unknown, reversed)| Op::General {
                ga,
                gb,
                ga_again,
                unknown,
                reversed,
            }),
        3 => any::<u8>().prop_map(|pick| Op::Extend { pick }),
        3 => (any::<u8>(), any::<u64>()).prop_map(|(pick, seed)| Op::Sell { pick, seed }),
        2 => any::<u8>().prop_map(|pick| Op::Release { pick }),
        2 => any::<u8>().prop_map(|pick| Op::Prepare { pick }),
        1 => any::<u8>().prop_map(|pick| Op::Unprepare { pick }),
        2 => (prop::collection::vec(seat_pick(), 0..=3), prop::collection::vec(seat_pick(), 0..=3))
            .prop_map(|(withhold, release)| Op::Holdbacks { withhold, release }),
        1 => Just(Op::Expire),
        1 => Just(Op::Compact),
    ]
}

fn advance() -> impl Strategy<Value = Advance> {
    prop_oneof![
        3 => Just(Advance::By(0)),
        8 => (1i64..=20_000).prop_map(Advance::By),
        2 => Just(Advance::ToNextExpiry),
        2 => Just(Advance::JustBeforeNextExpiry),
    ]
}

// ---------------------------------------------------------------------------------------------
// The plan as the model sees it, computed from the shape rather than read from the plan
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
struct GeometryBlock {
    row: usize,
    seats: Range<u32>,
    first_number: u32,
    band: u16,
}

#[derive(Clone, Debug)]
struct Geometry {
    blocks: Vec<GeometryBlock>,
    block_of: Vec<usize>,
    centre_x2: Vec<i64>,
    ids: Vec<String>,
    seat_by_id: HashMap<String, u32>,
    band_capacity: [u32; 3],
    pool_capacity: [u32; 2],
}

impl Geometry {
    fn new(shape: &Shape) -> Self {
        let mut geometry = Self {
            blocks: Vec::new(),
            block_of: Vec::new(),
            centre_x2: Vec::new(),
            ids: Vec::new(),
            seat_by_id: HashMap::new(),
            band_capacity: [0; 3],
            pool_capacity: [GA_CAPACITY, shape.gb_capacity],
        };
        for (row, blocks) in shape.rows.iter().enumerate() {
            let letter = char::from(b'A' + row as u8);
            for (from, to, block) in numbered(blocks) {
                let start = geometry.ids.len() as u32;
                let band = if block.in_band_c { 2 } else { 0 };
                for number in from..=to {
                    let id = format!("S-{letter}{number}");
                    geometry
                        .seat_by_id
                        .insert(id.clone(), geometry.ids.len() as u32);
                    geometry.ids.push(id);
                    geometry.block_of.push(geometry.blocks.len());
                }
                geometry.band_capacity[usize::from(band)] += block.length;
                geometry.blocks.push(GeometryBlock {
                    row,
                    seats: start..geometry.ids.len() as u32,
                    first_number: from,
                    band,
                });
            }
            let numbers = numbered(blocks);
            let low = numbers.first().map_or(0, |n| n.0);
            let high = numbers.last().map_or(0, |n| n.1);
            geometry.centre_x2.push(i64::from(low) + i64::from(high));
        }
        geometry
    }

    fn seat_count(&self) -> u32 {
        self.ids.len() as u32
    }

    fn ticket(&self, seat: u32) -> String {
        format!("perf:{}", self.ids[seat as usize])
    }

    fn block(&self, seat: u32) -> &GeometryBlock {
        &self.blocks[self.block_of[seat as usize]]
    }

    /// The seat id for a pick: a seat of the plan, or one it does not have.
    fn seat_id(&self, pick: u16) -> String {
        if pick == UNKNOWN_SEAT {
            UNKNOWN_SEAT_ID.to_owned()
        } else {
            self.ids[usize::from(pick) % self.ids.len()].clone()
        }
    }
}

/// The (from, to) seat numbers of a row's blocks, left to right.
fn numbered(blocks: &[BlockShape]) -> Vec<(u32, u32, &BlockShape)> {
    let mut next = 1;
    blocks
        .iter()
        .map(|block| {
            let from = next + u32::from(block.skip_number);
            let to = from + block.length - 1;
            next = to + 1;
            (from, to, block)
        })
        .collect()
}

fn spec_of(shape: &Shape) -> PlanSpec {
    let rows: Vec<Vec<(u32, u32)>> = shape
        .rows
        .iter()
        .map(|blocks| numbered(blocks).iter().map(|&(f, t, _)| (f, t)).collect())
        .collect();
    let row_slices: Vec<&[(u32, u32)]> = rows.iter().map(Vec::as_slice).collect();
    let mut spec = plan_spec(&row_slices);
    spec.price_bands.push(band("C", "30.00"));
    for (row, blocks) in shape.rows.iter().enumerate() {
        for (index, block) in blocks.iter().enumerate() {
            if block.in_band_c {
                spec.sections[0].rows[row].blocks[index].price_band = "C".into();
            }
        }
    }
    spec.general_admission.push(PoolSpec {
        code: "GB".into(),
        capacity: shape.gb_capacity,
        price_band: "B".into(),
    });
    spec
}

fn rules_of(shape: &Shape) -> Rules {
    Rules {
        contiguous_seats_only: shape.contiguous_seats_only,
        no_single_seat_gaps: shape.no_single_seat_gaps,
        valid_quantities: shape.valid_quantities.clone(),
        max_hold_seconds: crate::domain::HOLD_SECONDS_MAX,
        max_renewals: crate::domain::MAX_RENEWALS_MAX,
    }
}

fn fresh_performance(shape: &Shape) -> Performance {
    let info = PerformanceInfo {
        id: PerformanceId::parse("perf").unwrap(),
        event: EventInfo {
            id: EventId::parse("show").unwrap(),
            name: "The Show".into(),
            venue: "The Hall".into(),
            city: "Leeds".into(),
        },
        starts_at: Timestamp(START.0 + shape.starts_after_ms),
        hold_seconds: HOLD_SECONDS,
        rules: rules_of(shape),
    }
    .validate()
    .unwrap();
    Performance::new(info, SeatingPlan::build(spec_of(shape), 100_000).unwrap())
}

// ---------------------------------------------------------------------------------------------
// The reference model
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ModelSeat {
    Free,
    Held(TransactionId),
    Sold(TransactionId),
    Withheld,
}

#[derive(Clone, Debug)]
struct ModelHold {
    seats: Vec<u32>,
    places: Vec<PoolPlaces>,
    expires_at: Timestamp,
    state: HoldState,
    /// The order in which the hold was placed.
    placed: usize,
}

#[derive(Clone, Debug)]
struct Model {
    seats: Vec<ModelSeat>,
    holds: HashMap<TransactionId, ModelHold>,
    pool_held: [u32; 2],
    pool_sold: [u32; 2],
}

impl Model {
    fn is_free(&self, seat: u32) -> bool {
        self.seats[seat as usize] == ModelSeat::Free
    }

    /// The seats that taking `selection` would leave alone: free afterwards, and with a taken
    /// seat or a block end on both sides, where they were not alone before.
    fn lone_seats_made(&self, geometry: &Geometry, selection: &[u32]) -> Vec<u32> {
        let chosen: HashSet<u32> = selection.iter().copied().collect();
        let is_lone = |seat: u32, with_selection: bool| {
            let taken = |s: u32| !self.is_free(s) || (with_selection && chosen.contains(&s));
            let block = &geometry.block(seat).seats;
            !taken(seat)
                && (seat == block.start || taken(seat - 1))
                && (seat + 1 == block.end || taken(seat + 1))
        };
        let mut blocks: Vec<usize> = selection
            .iter()
            .map(|&s| geometry.block_of[s as usize])
            .collect();
        blocks.sort_unstable();
        blocks.dedup();
        blocks
            .iter()
            .flat_map(|&b| geometry.blocks[b].seats.clone())
            .filter(|&seat| is_lone(seat, true) && !is_lone(seat, false))
            .collect()
    }

    fn free_in_band(&self, geometry: &Geometry, band: Option<u16>) -> u32 {
        (0..geometry.seat_count())
            .filter(|&s| self.is_free(s) && band.is_none_or(|b| geometry.block(s).band == b))
            .count() as u32
    }

    fn pool_available(&self, geometry: &Geometry, pool: usize) -> u32 {
        geometry.pool_capacity[pool] - self.pool_held[pool] - self.pool_sold[pool]
    }
}

/// What the model predicts for one command.
#[derive(Clone, Debug)]
enum Expected {
    Change(Box<Change>),
    Nothing,
    Rejection(Rejection),
    /// A single-seat gap naming one of these tickets.
    Gap(Vec<String>),
    /// A duplicate naming one of these tickets.
    Duplicate(Vec<String>),
    /// A transaction that already has a hold.
    Reopened,
    Hold {
        transaction: TransactionId,
        seats: Vec<u32>,
        places: Vec<PoolPlaces>,
        status: SeatRequestStatus,
    },
    Sale {
        transaction: TransactionId,
        order_number: OrderNumber,
        count: usize,
    },
}

fn expect_change(change: Change) -> Expected {
    Expected::Change(Box::new(change))
}

/// A best-available window: rank (row, centre distance, start) and its seats.
type Window = ((usize, i64, u32), Vec<u32>);

struct Runner {
    shape: Shape,
    geometry: Geometry,
    rules: Rules,
    starts_at: Timestamp,
    performance: Performance,
    model: Model,
    now: Timestamp,
    changes: Vec<Change>,
    placed: Vec<TransactionId>,
    next_transaction: u128,
    /// Holds compaction took out, as the store archives them.
    archive: HashMap<TransactionId, Arc<Hold>>,
}

impl Runner {
    fn new(shape: Shape) -> Self {
        let geometry = Geometry::new(&shape);
        let performance = fresh_performance(&shape);
        Self {
            rules: rules_of(&shape),
            starts_at: performance.info().starts_at,
            model: Model {
                seats: vec![ModelSeat::Free; geometry.ids.len()],
                holds: HashMap::new(),
                pool_held: [0; 2],
                pool_sold: [0; 2],
            },
            geometry,
            performance,
            shape,
            now: START,
            changes: Vec::new(),
            placed: Vec::new(),
            next_transaction: 1,
            archive: HashMap::new(),
        }
    }

    fn check_plan(&self) -> Check {
        let plan = self.performance.plan();
        prop_assert_eq!(plan.seat_count(), self.geometry.seat_count());
        for seat in 0..plan.seat_count() {
            prop_assert_eq!(&plan.seat_id(seat), &self.geometry.ids[seat as usize]);
            prop_assert_eq!(
                plan.find_seat(&self.geometry.ids[seat as usize]),
                Some(seat)
            );
        }
        prop_assert_eq!(plan.find_seat(UNKNOWN_SEAT_ID), None);
        Ok(())
    }

    fn step(&mut self, advance: Advance, op: &Op) -> Check {
        let next_expiry = self.performance.next_expiry();
        self.now = match (advance, next_expiry) {
            (Advance::By(ms), _) => Timestamp(self.now.0 + ms),
            (Advance::ToNextExpiry, Some(at)) => self.now.max(at),
            (Advance::JustBeforeNextExpiry, Some(at)) => self.now.max(Timestamp(at.0 - 1)),
            (_, None) => self.now,
        };
        self.run(&Command::ExpireHolds)?;
        for hold in self.performance.holds() {
            if hold.state.is_locking() {
                prop_assert!(hold.is_live(self.now), "a due hold survived expiry");
            }
        }
        if matches!(op, Op::Compact) {
            return self.compact();
        }
        let command = self.command(op);
        self.run(&command)
    }

    /// Takes the ended holds out, as a snapshot does: the inventory must not change.
    fn compact(&mut self) -> Check {
        let before = self.performance.clone();
        for hold in self.performance.compact() {
            prop_assert!(
                hold.state.is_ended(),
                "compaction took a {:?} hold",
                hold.state
            );
            self.archive.insert(hold.transaction, hold);
        }
        prop_assert!(
            self.performance == before,
            "compaction changed the inventory"
        );
        self.check_invariants()
    }

    /// Decides `command` as the performance's owner does: a transaction the inventory no
    /// longer has is looked up in the archive.
    fn decide(&self, command: &Command) -> Result<Option<Change>, Rejection> {
        match self.performance.decide(command, self.now) {
            Err(Rejection::UnknownTransaction) => {
                match command.transaction().and_then(|t| self.archive.get(&t)) {
                    Some(hold) => decide_ended(hold, command),
                    None => Err(Rejection::UnknownTransaction),
                }
            }
            outcome => outcome,
        }
    }

    /// Picks a transaction that has a hold, or now and then one that has none.
    fn pick_transaction(&self, pick: u8) -> TransactionId {
        let index = usize::from(pick) % (self.placed.len() + 1);
        self.placed
            .get(index)
            .copied()
            .unwrap_or(TransactionId(1_000_000))
    }

    fn new_transaction(&mut self) -> TransactionId {
        self.next_transaction += 1;
        TransactionId(self.next_transaction)
    }

    fn place(&mut self, reuse: Option<u8>, selection: Selection) -> Command {
        // The coordinator never places again for a transaction whose hold was archived.
        let transaction = match reuse {
            Some(pick) if !self.placed.is_empty() => Some(self.pick_transaction(pick)),
            _ => None,
        }
        .filter(|transaction| !self.archive.contains_key(transaction))
        .unwrap_or_else(|| self.new_transaction());
        Command::PlaceHold {
            transaction,
            owner: ClientId::parse("client").unwrap(),
            ip: "198.51.100.7".into(),
            selection,
            lock_until: None,
        }
    }

    fn command(&mut self, op: &Op) -> Command {
        let ids = |picks: &[u16]| -> Vec<String> {
            picks.iter().map(|&p| self.geometry.seat_id(p)).collect()
        };
        match op {
            Op::SeatRun {
                start,
                length,
                reuse,
            } => {
                let count = self.geometry.seat_count();
                let start = u32::from(*start) % count;
                let end = (start + u32::from(*length)).min(count);
                let seats = (start..end)
                    .map(|s| self.geometry.ids[s as usize].clone())
                    .collect();
                self.place(*reuse, Selection::Seats(seats))
            }
            Op::SeatPicks { picks } => {
                let seats = ids(picks);
                self.place(None, Selection::Seats(seats))
            }
            Op::Best {
                quantity,
                band,
                preferred,
            } => {
                let preferred = ids(preferred);
                let price_band = band.map(|b| ["A", "B", "C", "Z"][usize::from(b)].to_owned());
                self.place(
                    None,
                    Selection::BestAvailable {
                        quantity: *quantity,
                        price_band,
                        preferred,
                    },
                )
            }
            Op::General {
                ga,
                gb,
                ga_again,
                unknown,
                reversed,
            } => {
                let mut requests: Vec<(String, u32)> =
                    [("GA", *ga), ("GB", *gb), ("GA", *ga_again)]
                        .iter()
                        .filter_map(|&(code, quantity)| quantity.map(|q| (code.to_owned(), q)))
                        .collect();
                if *unknown {
                    requests.push(("ZZ".to_owned(), 1));
                }
                if *reversed {
                    requests.reverse();
                }
                self.place(None, Selection::GeneralAdmission(requests))
            }
            Op::Extend { pick } => Command::ExtendHold {
                transaction: self.pick_transaction(*pick),
            },
            Op::Sell { pick, seed } => Command::SellHold {
                transaction: self.pick_transaction(*pick),
                order_number: OrderNumber(*seed % 1_000_000),
                barcode_seed: *seed,
            },
            Op::Release { pick } => Command::ReleaseHold {
                transaction: self.pick_transaction(*pick),
            },
            Op::Holdbacks { withhold, release } => Command::ChangeHoldbacks {
                withhold: ids(withhold),
                release: ids(release),
            },
            // `step` compacts without a command.
            Op::Expire | Op::Compact => Command::ExpireHolds,
            Op::Prepare { pick } => Command::PrepareHold {
                transaction: self.pick_transaction(*pick),
            },
            Op::Unprepare { pick } => Command::UnprepareHold {
                transaction: self.pick_transaction(*pick),
            },
        }
    }

    /// Decides `command`, compares the outcome with the model's prediction, applies what was
    /// accepted to both, and checks the invariants.
    fn run(&mut self, command: &Command) -> Check {
        let expected = self.expect(command);
        let before = self.performance.clone();
        let outcome = self.decide(command);
        self.compare(command, &expected, &outcome)?;
        match outcome {
            Ok(Some(change)) => {
                self.model_apply(&change)?;
                self.performance.apply(&change);
                if let Change::HoldPlaced(hold) = &change {
                    self.placed.push(hold.transaction);
                }
                self.changes.push(change);
            }
            Ok(None) | Err(_) => {
                prop_assert!(
                    self.performance == before,
                    "{:?} changed the state",
                    command
                );
                prop_assert_eq!(self.performance.version(), before.version());
            }
        }
        self.check_invariants()
    }

    // -----------------------------------------------------------------------------------------
    // Predictions
    // -----------------------------------------------------------------------------------------

    fn expect(&self, command: &Command) -> Expected {
        match command {
            Command::PlaceHold {
                transaction,
                selection,
                ..
            } => self
                .expect_place(*transaction, selection)
                .unwrap_or_else(|expected| expected),
            Command::ExtendHold { transaction } => self.expect_extend(*transaction),
            Command::SellHold {
                transaction,
                order_number,
                ..
            } => self.expect_sell(*transaction, *order_number),
            Command::ReleaseHold { transaction } => match self.model.holds.get(transaction) {
                None => Expected::Rejection(Rejection::UnknownTransaction),
                Some(hold) if hold.state == HoldState::Prepared => {
                    Expected::Rejection(Rejection::InvalidState {
                        state: HoldState::Prepared,
                        action: "release",
                    })
                }
                Some(hold) if hold.state.is_locking() => expect_change(Change::HoldReleased {
                    transaction: *transaction,
                }),
                Some(_) => Expected::Nothing,
            },
            Command::ExpireHolds => self.expect_expiry(),
            Command::PrepareHold { transaction } => match self.model.holds.get(transaction) {
                None => Expected::Rejection(Rejection::UnknownTransaction),
                Some(hold) if hold.state == HoldState::Prepared => Expected::Nothing,
                Some(hold) if hold.state.is_expiring() && self.now < hold.expires_at => {
                    expect_change(Change::HoldPrepared {
                        transaction: *transaction,
                    })
                }
                Some(hold) if hold.state.is_locking() || hold.state == HoldState::Expired => {
                    Expected::Rejection(Rejection::LockExpired)
                }
                Some(hold) => Expected::Rejection(Rejection::InvalidState {
                    state: hold.state,
                    action: "complete",
                }),
            },
            Command::UnprepareHold { transaction } => match self.model.holds.get(transaction) {
                None => Expected::Rejection(Rejection::UnknownTransaction),
                Some(hold) if hold.state == HoldState::Prepared => {
                    expect_change(Change::HoldUnprepared {
                        transaction: *transaction,
                    })
                }
                Some(_) => Expected::Nothing,
            },
            Command::ChangeHoldbacks { withhold, release } => self
                .expect_holdbacks(withhold, release)
                .unwrap_or_else(|expected| expected),
            // Changes to a hold are checked by `domain::modify`'s tests and the simulation.
            Command::ModifyHold { .. } | Command::RestoreHold { .. } => {
                unreachable!("the generator makes no changes to a hold")
            }
        }
    }

    /// Returns the prediction as `Ok`, or a refusal found early as `Err`.
    fn expect_place(
        &self,
        transaction: TransactionId,
        selection: &Selection,
    ) -> Result<Expected, Expected> {
        if self.now >= self.starts_at {
            return Err(Expected::Rejection(Rejection::PerformanceStarted));
        }
        if self.model.holds.contains_key(&transaction) {
            return Err(Expected::Reopened);
        }
        let (seats, places, status) = match selection {
            Selection::Seats(ids) => (
                self.expect_seats(ids)?,
                Vec::new(),
                SeatRequestStatus::NotRequested,
            ),
            Selection::BestAvailable {
                quantity,
                price_band,
                preferred,
            } => {
                let (seats, status) =
                    self.expect_best(*quantity, price_band.as_deref(), preferred)?;
                (seats, Vec::new(), status)
            }
            Selection::GeneralAdmission(requests) => (
                Vec::new(),
                self.expect_places(requests)?,
                SeatRequestStatus::NotRequested,
            ),
            // The model judges one form per hold; items are checked by `domain::tests` and
            // the simulation, which places them.
            Selection::Items(_) => unreachable!("the generator makes no items"),
        };
        Ok(Expected::Hold {
            transaction,
            seats,
            places,
            status,
        })
    }

    /// Resolves seat ids: the first unknown one, then any repeated one, is refused.
    fn resolve(&self, ids: &[String]) -> Result<Vec<u32>, Expected> {
        let mut seats = Vec::new();
        for id in ids {
            match self.geometry.seat_by_id.get(id) {
                Some(&seat) => seats.push(seat),
                None => {
                    return Err(Expected::Rejection(Rejection::UnknownSeat {
                        ticket: format!("perf:{id}"),
                    }));
                }
            }
        }
        seats.sort_unstable();
        let repeated: Vec<String> = seats
            .windows(2)
            .filter(|pair| pair[0] == pair[1])
            .map(|pair| self.geometry.ticket(pair[0]))
            .collect();
        if repeated.is_empty() {
            Ok(seats)
        } else {
            Err(Expected::Duplicate(repeated))
        }
    }

    fn check_quantity(&self, quantity: u64) -> Result<(), Expected> {
        let allowed = &self.rules.valid_quantities;
        if allowed.iter().any(|&q| u64::from(q) == quantity) {
            Ok(())
        } else {
            Err(Expected::Rejection(Rejection::QuantityNotAllowed {
                requested: quantity,
                allowed: allowed.clone(),
            }))
        }
    }

    fn is_one_run(&self, seats: &[u32]) -> bool {
        seats.windows(2).all(|pair| {
            pair[1] == pair[0] + 1
                && self.geometry.block_of[pair[0] as usize]
                    == self.geometry.block_of[pair[1] as usize]
        })
    }

    fn why_taken(&self, seat: u32) -> Option<Unavailability> {
        match self.model.seats[seat as usize] {
            ModelSeat::Free => None,
            ModelSeat::Held(_) => Some(Unavailability::Held),
            ModelSeat::Sold(_) => Some(Unavailability::Sold),
            ModelSeat::Withheld => Some(Unavailability::Withheld),
        }
    }

    fn expect_seats(&self, ids: &[String]) -> Result<Vec<u32>, Expected> {
        let seats = self.resolve(ids)?;
        self.check_quantity(seats.len() as u64)?;
        if self.rules.contiguous_seats_only && !self.is_one_run(&seats) {
            return Err(Expected::Rejection(Rejection::NotContiguous {
                tickets: seats.iter().map(|&s| self.geometry.ticket(s)).collect(),
            }));
        }
        let taken: Vec<(String, Unavailability)> = seats
            .iter()
            .filter_map(|&s| self.why_taken(s).map(|why| (self.geometry.ticket(s), why)))
            .collect();
        if !taken.is_empty() {
            return Err(Expected::Rejection(Rejection::SeatUnavailable {
                seats: taken,
            }));
        }
        let lone = self.model.lone_seats_made(&self.geometry, &seats);
        if self.rules.no_single_seat_gaps && !lone.is_empty() {
            return Err(Expected::Gap(
                lone.iter().map(|&s| self.geometry.ticket(s)).collect(),
            ));
        }
        Ok(seats)
    }

    /// Every window of `quantity` free adjacent seats in one block of `band` that the gap rule
    /// allows.
    fn windows(&self, quantity: u32, band: Option<u16>) -> Vec<Window> {
        let mut windows = Vec::new();
        for block in &self.geometry.blocks {
            if band.is_some_and(|b| b != block.band) || block.seats.len() < quantity as usize {
                continue;
            }
            for start in block.seats.start..=block.seats.end - quantity {
                let seats: Vec<u32> = (start..start + quantity).collect();
                let free = seats.iter().all(|&s| self.model.is_free(s));
                let gap = self.rules.no_single_seat_gaps
                    && !self
                        .model
                        .lone_seats_made(&self.geometry, &seats)
                        .is_empty();
                if free && !gap {
                    let number = i64::from(block.first_number + (start - block.seats.start));
                    let distance =
                        (2 * number + i64::from(quantity) - 1 - self.geometry.centre_x2[block.row])
                            .abs();
                    windows.push(((block.row, distance, start), seats));
                }
            }
        }
        windows
    }

    fn expect_best(
        &self,
        quantity: u32,
        price_band: Option<&str>,
        preferred: &[String],
    ) -> Result<(Vec<u32>, SeatRequestStatus), Expected> {
        self.check_quantity(u64::from(quantity))?;
        let band = match price_band {
            None => None,
            Some(code) => Some(BANDS.iter().position(|b| *b == code).ok_or_else(|| {
                Expected::Rejection(Rejection::UnknownPriceBand {
                    code: code.to_owned(),
                })
            })? as u16),
        };
        let preferred = self.resolve(preferred)?;
        let windows = self.windows(quantity, band);
        if !preferred.is_empty() {
            let exactly = !self.rules.contiguous_seats_only
                && preferred.len() == quantity as usize
                && preferred.iter().all(|&s| {
                    self.model.is_free(s) && band.is_none_or(|b| self.geometry.block(s).band == b)
                })
                && (!self.rules.no_single_seat_gaps
                    || self
                        .model
                        .lone_seats_made(&self.geometry, &preferred)
                        .is_empty());
            if exactly {
                return Ok((preferred, SeatRequestStatus::GotAll));
            }
            let covered = |seats: &[u32]| preferred.iter().filter(|s| seats.contains(s)).count();
            let best = windows
                .iter()
                .filter(|(_, seats)| covered(seats) > 0)
                .min_by_key(|(rank, seats)| (std::cmp::Reverse(covered(seats)), *rank));
            if let Some((_, seats)) = best {
                let status = if covered(seats) == preferred.len() {
                    SeatRequestStatus::GotAll
                } else {
                    SeatRequestStatus::GotSome
                };
                return Ok((seats.clone(), status));
            }
        }
        let status = if preferred.is_empty() {
            SeatRequestStatus::NotRequested
        } else {
            SeatRequestStatus::GotNone
        };
        match windows.into_iter().min_by_key(|(rank, _)| *rank) {
            Some((_, seats)) => Ok((seats, status)),
            None => Err(Expected::Rejection(Rejection::InsufficientAvailability {
                requested: quantity,
                available: self.model.free_in_band(&self.geometry, band),
                what: "seats",
            })),
        }
    }

    fn expect_places(&self, requests: &[(String, u32)]) -> Result<Vec<PoolPlaces>, Expected> {
        let mut places: Vec<PoolPlaces> = Vec::new();
        for (code, quantity) in requests {
            let pool = POOLS.iter().position(|p| p == code).ok_or_else(|| {
                Expected::Rejection(Rejection::UnknownPool { code: code.clone() })
            })?;
            places.push(PoolPlaces {
                pool: pool as u16,
                quantity: *quantity,
            });
        }
        if places.iter().any(|p| p.quantity == 0) {
            self.check_quantity(0)?;
        }
        self.check_quantity(places.iter().map(|p| u64::from(p.quantity)).sum())?;
        // A pool named twice is one request for the sum of its quantities.
        let mut merged: Vec<PoolPlaces> = Vec::new();
        for pool in 0..POOLS.len() as u16 {
            let quantity: u32 = places
                .iter()
                .filter(|p| p.pool == pool)
                .map(|p| p.quantity)
                .sum();
            if places.iter().any(|p| p.pool == pool) {
                merged.push(PoolPlaces { pool, quantity });
            }
        }
        let places = merged;
        for place in &places {
            let available = self
                .model
                .pool_available(&self.geometry, usize::from(place.pool));
            if place.quantity > available {
                return Err(Expected::Rejection(Rejection::InsufficientAvailability {
                    requested: place.quantity,
                    available,
                    what: "places",
                }));
            }
        }
        Ok(places)
    }

    fn expect_extend(&self, transaction: TransactionId) -> Expected {
        match self.model.holds.get(&transaction) {
            None => Expected::Rejection(Rejection::UnknownTransaction),
            Some(hold) if hold.state == HoldState::Prepared => {
                Expected::Rejection(Rejection::InvalidState {
                    state: hold.state,
                    action: "check out",
                })
            }
            Some(hold) if hold.state.is_locking() && self.now < hold.expires_at => {
                expect_change(Change::HoldExtended {
                    transaction,
                    expires_at: self.now.plus_seconds(HOLD_SECONDS),
                })
            }
            Some(hold) if hold.state.is_locking() || hold.state == HoldState::Expired => {
                Expected::Rejection(Rejection::LockExpired)
            }
            Some(hold) => Expected::Rejection(Rejection::InvalidState {
                state: hold.state,
                action: "check out",
            }),
        }
    }

    fn expect_sell(&self, transaction: TransactionId, order_number: OrderNumber) -> Expected {
        match self.model.holds.get(&transaction) {
            None => Expected::Rejection(Rejection::UnknownTransaction),
            Some(hold) if hold.state == HoldState::Sold => Expected::Nothing,
            Some(hold)
                if hold.state == HoldState::Prepared
                    || (hold.state.is_locking() && self.now < hold.expires_at) =>
            {
                Expected::Sale {
                    transaction,
                    order_number,
                    count: hold.seats.len()
                        + hold
                            .places
                            .iter()
                            .map(|p| p.quantity as usize)
                            .sum::<usize>(),
                }
            }
            Some(hold) if hold.state.is_locking() || hold.state == HoldState::Expired => {
                Expected::Rejection(Rejection::LockExpired)
            }
            Some(hold) => Expected::Rejection(Rejection::InvalidState {
                state: hold.state,
                action: "complete",
            }),
        }
    }

    fn expect_expiry(&self) -> Expected {
        let mut due: Vec<(Timestamp, usize, TransactionId)> = self
            .model
            .holds
            .iter()
            .filter(|(_, h)| h.state.is_expiring() && h.expires_at <= self.now)
            .map(|(t, h)| (h.expires_at, h.placed, *t))
            .collect();
        due.sort_unstable();
        if due.is_empty() {
            Expected::Nothing
        } else {
            expect_change(Change::HoldsExpired {
                transactions: due.into_iter().map(|(_, _, t)| t).collect(),
            })
        }
    }

    fn expect_holdbacks(
        &self,
        withhold: &[String],
        release: &[String],
    ) -> Result<Expected, Expected> {
        let withhold = self.resolve(withhold)?;
        let release = self.resolve(release)?;
        let both: Vec<String> = withhold
            .iter()
            .filter(|s| release.contains(s))
            .map(|&s| self.geometry.ticket(s))
            .collect();
        if !both.is_empty() {
            return Err(Expected::Duplicate(both));
        }
        let mut conflicts = Vec::new();
        let mut pick = |seats: &[u32], from: ModelSeat, to: ModelSeat| -> Vec<u32> {
            let mut picked = Vec::new();
            for &seat in seats {
                match self.model.seats[seat as usize] {
                    status if status == from => picked.push(seat),
                    status if status == to => {}
                    ModelSeat::Sold(_) => {
                        conflicts.push((self.geometry.ticket(seat), Unavailability::Sold));
                    }
                    _ => conflicts.push((self.geometry.ticket(seat), Unavailability::Held)),
                }
            }
            picked
        };
        let withheld = pick(&withhold, ModelSeat::Free, ModelSeat::Withheld);
        let returned = pick(&release, ModelSeat::Withheld, ModelSeat::Free);
        if !conflicts.is_empty() {
            return Err(Expected::Rejection(Rejection::SeatUnavailable {
                seats: conflicts,
            }));
        }
        if withheld.is_empty() && returned.is_empty() {
            Ok(Expected::Nothing)
        } else {
            Ok(expect_change(Change::HoldbacksChanged {
                withheld,
                returned,
            }))
        }
    }

    // -----------------------------------------------------------------------------------------
    // Comparing and applying
    // -----------------------------------------------------------------------------------------

    fn compare(
        &self,
        command: &Command,
        expected: &Expected,
        outcome: &Result<Option<Change>, Rejection>,
    ) -> Check {
        let context = format!(
            "{command:?} at {:?}: expected {expected:?}, got {outcome:?}",
            self.now
        );
        match (expected, outcome) {
            (Expected::Change(change), Ok(Some(actual))) => {
                prop_assert_eq!(&**change, actual, "{}", context)
            }
            (Expected::Nothing, Ok(None)) => {}
            (Expected::Rejection(rejection), Err(actual)) => {
                prop_assert_eq!(rejection, actual, "{}", context);
            }
            (Expected::Gap(lone), Err(Rejection::SingleSeatGap { ticket })) => {
                prop_assert!(lone.contains(ticket), "{}", context);
            }
            (Expected::Duplicate(repeated), Err(Rejection::DuplicateTicket { ticket })) => {
                prop_assert!(repeated.contains(ticket), "{}", context);
            }
            (Expected::Reopened, Err(Rejection::InvalidState { .. })) => {}
            (
                Expected::Hold {
                    transaction,
                    seats,
                    places,
                    status,
                },
                Ok(Some(Change::HoldPlaced(hold))),
            ) => {
                prop_assert_eq!(hold.transaction, *transaction, "{}", context);
                prop_assert_eq!(&hold.seats, seats, "{}", context);
                prop_assert_eq!(&hold.places, places, "{}", context);
                prop_assert_eq!(hold.seat_request_status, *status, "{}", context);
            }
            (
                Expected::Sale {
                    transaction,
                    order_number,
                    count,
                },
                Ok(Some(Change::HoldSold {
                    transaction: sold,
                    sale,
                })),
            ) => {
                prop_assert_eq!(sold, transaction, "{}", context);
                prop_assert_eq!(sale.order_number, *order_number, "{}", context);
                prop_assert_eq!(sale.sold_at, self.now, "{}", context);
                prop_assert_eq!(sale.barcodes.len(), *count, "{}", context);
            }
            _ => prop_assert!(false, "{}", context),
        }
        Ok(())
    }

    /// Checks that `change` is legal in the model's state, then makes it there.
    fn model_apply(&mut self, change: &Change) -> Check {
        let now = self.now;
        match change {
            Change::HoldPlaced(hold) => self.model_place(hold)?,
            Change::HoldExtended {
                transaction,
                expires_at,
            } => {
                let hold = self.model.holds.get_mut(transaction).expect("a known hold");
                prop_assert!(hold.state.is_locking() && now < hold.expires_at);
                prop_assert_eq!(*expires_at, now.plus_seconds(HOLD_SECONDS));
                hold.expires_at = *expires_at;
                hold.state = HoldState::CheckedOut;
            }
            Change::HoldSold { transaction, sale } => {
                for barcode in &sale.barcodes {
                    prop_assert!(
                        barcode.len() == 16 && barcode.bytes().all(|b| b.is_ascii_digit())
                    );
                }
                let hold = &self.model.holds[transaction];
                prop_assert!(
                    hold.state == HoldState::Prepared
                        || (hold.state.is_locking() && now < hold.expires_at)
                );
                self.model_end(*transaction, HoldState::Sold);
            }
            Change::HoldReleased { transaction } => {
                prop_assert!(self.model.holds[transaction].state.is_expiring());
                self.model_end(*transaction, HoldState::Released);
            }
            Change::HoldsExpired { transactions } => {
                for transaction in transactions {
                    let hold = &self.model.holds[transaction];
                    prop_assert!(hold.state.is_expiring() && hold.expires_at <= now);
                    self.model_end(*transaction, HoldState::Expired);
                }
            }
            Change::HoldModified { .. } => {
                unreachable!("the generator makes no changes to a hold")
            }
            Change::HoldPrepared { transaction } => {
                let hold = self.model.holds.get_mut(transaction).expect("a known hold");
                prop_assert!(hold.state.is_expiring() && now < hold.expires_at);
                hold.state = HoldState::Prepared;
            }
            Change::HoldUnprepared { transaction } => {
                let hold = self.model.holds.get_mut(transaction).expect("a known hold");
                prop_assert_eq!(hold.state, HoldState::Prepared);
                hold.state = HoldState::CheckedOut;
            }
            Change::HoldbacksChanged { withheld, returned } => {
                for &seat in withheld {
                    prop_assert!(self.model.is_free(seat));
                    self.model.seats[seat as usize] = ModelSeat::Withheld;
                }
                for &seat in returned {
                    prop_assert_eq!(self.model.seats[seat as usize], ModelSeat::Withheld);
                    self.model.seats[seat as usize] = ModelSeat::Free;
                }
            }
        }
        Ok(())
    }

    fn model_place(&mut self, hold: &Hold) -> Check {
        prop_assert!(self.now < self.starts_at);
        prop_assert!(!self.model.holds.contains_key(&hold.transaction));
        prop_assert_eq!(hold.state, HoldState::Held);
        prop_assert_eq!(hold.created_at, self.now);
        prop_assert_eq!(hold.expires_at, self.now.plus_seconds(HOLD_SECONDS));
        prop_assert!(hold.sale.is_none());
        prop_assert!(hold.seats.windows(2).all(|pair| pair[0] < pair[1]));
        prop_assert!(hold.seats.is_empty() || hold.places.is_empty());
        let quantity = hold.seats.len() as u64
            + hold
                .places
                .iter()
                .map(|p| u64::from(p.quantity))
                .sum::<u64>();
        prop_assert!(
            self.check_quantity(quantity).is_ok(),
            "quantity {}",
            quantity
        );
        for &seat in &hold.seats {
            prop_assert!(self.model.is_free(seat), "seat {} is not free", seat);
        }
        if self.rules.contiguous_seats_only {
            prop_assert!(
                self.is_one_run(&hold.seats),
                "not one run: {:?}",
                hold.seats
            );
        }
        if self.rules.no_single_seat_gaps {
            let lone = self.model.lone_seats_made(&self.geometry, &hold.seats);
            prop_assert!(lone.is_empty(), "{:?} leaves {:?} alone", hold.seats, lone);
        }
        for place in &hold.places {
            let pool = usize::from(place.pool);
            prop_assert!(place.quantity <= self.model.pool_available(&self.geometry, pool));
            self.model.pool_held[pool] += place.quantity;
        }
        for &seat in &hold.seats {
            self.model.seats[seat as usize] = ModelSeat::Held(hold.transaction);
        }
        self.model.holds.insert(
            hold.transaction,
            ModelHold {
                seats: hold.seats.clone(),
                places: hold.places.clone(),
                expires_at: hold.expires_at,
                state: HoldState::Held,
                placed: self.model.holds.len(),
            },
        );
        Ok(())
    }

    fn model_end(&mut self, transaction: TransactionId, state: HoldState) {
        let hold = self
            .model
            .holds
            .get_mut(&transaction)
            .expect("a known hold");
        hold.state = state;
        for &seat in &hold.seats {
            self.model.seats[seat as usize] = if state == HoldState::Sold {
                ModelSeat::Sold(transaction)
            } else {
                ModelSeat::Free
            };
        }
        for place in &hold.places {
            let pool = usize::from(place.pool);
            self.model.pool_held[pool] -= place.quantity;
            if state == HoldState::Sold {
                self.model.pool_sold[pool] += place.quantity;
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Invariants
    // -----------------------------------------------------------------------------------------

    fn check_invariants(&self) -> Check {
        let performance = &self.performance;
        prop_assert_eq!(performance.version(), self.changes.len() as u64);
        let transaction_of = |slot: u32| performance.holds()[slot as usize].transaction;
        let mut band_counts = [Counts::default(); 3];
        for seat in 0..self.geometry.seat_count() {
            let actual = match performance.seat_status(seat) {
                SeatStatus::Free => ModelSeat::Free,
                SeatStatus::Held(slot) => ModelSeat::Held(transaction_of(slot)),
                SeatStatus::Sold(slot) => ModelSeat::Sold(transaction_of(slot)),
                SeatStatus::Withheld => ModelSeat::Withheld,
            };
            prop_assert_eq!(actual, self.model.seats[seat as usize], "seat {}", seat);
            let counts = &mut band_counts[usize::from(self.geometry.block(seat).band)];
            match actual {
                ModelSeat::Free => counts.available += 1,
                ModelSeat::Held(_) => counts.held += 1,
                ModelSeat::Sold(_) => counts.sold += 1,
                ModelSeat::Withheld => counts.withheld += 1,
            }
        }
        prop_assert_eq!(performance.band_counts(), &band_counts[..]);
        for (band, counts) in performance.band_counts().iter().enumerate() {
            prop_assert_eq!(counts.total(), self.geometry.band_capacity[band]);
        }
        prop_assert_eq!(performance.counts().total(), self.geometry.seat_count());
        for pool in 0..POOLS.len() {
            let counts = performance.pool_counts()[pool];
            prop_assert_eq!(counts.held, self.model.pool_held[pool]);
            prop_assert_eq!(counts.sold, self.model.pool_sold[pool]);
            prop_assert!(counts.held + counts.sold <= self.geometry.pool_capacity[pool]);
        }
        self.check_holds()
    }

    fn check_holds(&self) -> Check {
        let performance = &self.performance;
        prop_assert_eq!(
            performance.holds().len() + self.archive.len(),
            self.model.holds.len()
        );
        for archived in self.archive.values() {
            let model = &self.model.holds[&archived.transaction];
            prop_assert_eq!(archived.state, model.state);
        }
        let mut locked = HashSet::new();
        let mut next_expiry: Option<Timestamp> = None;
        for hold in performance.holds() {
            let model = &self.model.holds[&hold.transaction];
            prop_assert_eq!(hold.state, model.state);
            prop_assert_eq!(hold.expires_at, model.expires_at);
            prop_assert_eq!(&hold.seats, &model.seats);
            prop_assert_eq!(&hold.places, &model.places);
            prop_assert_eq!(hold.sale.is_some(), hold.state == HoldState::Sold);
            if hold.state.is_expiring() {
                next_expiry =
                    Some(next_expiry.map_or(hold.expires_at, |at| at.min(hold.expires_at)));
            }
            if hold.state.is_locking() || hold.state == HoldState::Sold {
                for &seat in &hold.seats {
                    prop_assert!(
                        locked.insert(seat),
                        "seat {} is in two live holds or sales",
                        seat
                    );
                }
            }
        }
        prop_assert_eq!(performance.next_expiry(), next_expiry);
        Ok(())
    }

    fn check_replay(&self) -> Check {
        let mut replayed = fresh_performance(&self.shape);
        for change in &self.changes {
            replayed.apply(change);
        }
        prop_assert!(
            replayed == self.performance,
            "replaying the changes gave another state"
        );
        Ok(())
    }

    /// Replays the changes before `cut`, takes a snapshot, restores it on a fresh plan and
    /// applies the rest: the result must equal the live performance.
    fn check_snapshot_and_tail(&self, cut: prop::sample::Index) -> Check {
        let cut = cut.index(self.changes.len() + 1);
        let mut head = fresh_performance(&self.shape);
        for change in &self.changes[..cut] {
            head.apply(change);
        }
        let fresh = fresh_performance(&self.shape);
        let mut restored =
            Performance::restore(fresh.info().clone(), fresh.shared_plan(), head.state());
        prop_assert!(
            restored == head,
            "a restored snapshot differs from its source"
        );
        for change in &self.changes[cut..] {
            restored.apply(change);
        }
        prop_assert!(
            restored == self.performance,
            "snapshot after {} changes + tail gave another state",
            cut
        );
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn a_performance_agrees_with_the_reference_model_under_random_commands(
        shape in shape(),
        steps in prop::collection::vec((advance(), op()), 0..=60),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut runner = Runner::new(shape);
        runner.check_plan()?;
        for (advance, op) in &steps {
            runner.step(*advance, op)?;
        }
        runner.check_replay()?;
        runner.check_snapshot_and_tail(cut)?;
    }
}
