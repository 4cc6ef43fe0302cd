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

mod checks;
mod predictions;

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
        ticket_types: Vec::new(),
        fees: Vec::new(),
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
            access: Default::default(),
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
                let seats: Vec<String> = (start..end)
                    .map(|s| self.geometry.ids[s as usize].clone())
                    .collect();
                self.place(*reuse, Selection::seats(seats))
            }
            Op::SeatPicks { picks } => {
                let seats = ids(picks);
                self.place(None, Selection::seats(seats))
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
                        ticket_type: None,
                        filters: Default::default(),
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
                self.place(None, Selection::places(requests))
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
                release_places: Vec::new(),
                withhold_places: Vec::new(),
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
