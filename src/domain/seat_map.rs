//! The seating plan of one performance: sections, rows, blocks of adjacent seats, price bands
//! and general-admission pools, frozen at creation.
//!
//! Seats live in dense arrays indexed by a `u32` seat index, in plan order (section, row,
//! block, seat). A block is a run of physically adjacent seats; blocks are separated by aisles,
//! so two seats are adjacent exactly when they are neighbours in the same block. Seat ids are
//! not stored per seat: `<section>-<row><number>` is rendered on demand and parsed back through
//! a small row table, which keeps a seat to a few bytes.
//!
//! Each seat also has a place to be drawn (a row's `y`, a block's `x` and `step`, laid out
//! from plan order where the spec gives none) and attributes (wheelchair places, restricted
//! view), kept one bit per attribute by the `geometry` module's table.
//!
//! Left out on purpose: custom seat ids.

use std::collections::HashMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::geometry::{
    ATTRIBUTES_MAX, AttributeFault, BlockAttributes, COORDINATE_MAX, SeatAttributes,
};
use super::money::{Amount, Currency};

/// The most seats a plan may have unless configured otherwise.
pub const SEATS_PER_PLAN_MAX: usize = 100_000;
/// The most general-admission places one pool may have.
pub const POOL_CAPACITY_MAX: u32 = 1_000_000;
const NAME_LENGTH_MAX: usize = 32;
const SEAT_NUMBER_MAX: u32 = 99_999;

/// A price band: a code such as `A`, a price and its currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceBand {
    /// The band's code, unique within the performance.
    pub code: String,
    /// The price of one ticket in this band.
    pub price: Amount,
    /// The currency of `price`.
    pub currency: Currency,
}

/// The creation form of a block: seat numbers `from..=to` in one price band.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BlockSpec {
    /// The first seat number.
    pub from: u32,
    /// The last seat number, inclusive.
    pub to: u32,
    /// The code of the block's price band.
    pub price_band: String,
    /// Where its first seat is drawn (format 7 on); laid out from plan order when `None`.
    pub x: Option<f64>,
    /// The x distance from one seat number to the next (format 7 on); 1 when `None`.
    pub step: Option<f64>,
    /// Attribute name to the seat numbers that have it (format 7 on).
    pub attributes: BlockAttributes,
}

impl BlockSpec {
    /// A block of seats `from..=to` in `price_band`, laid out from plan order, without
    /// attributes.
    pub fn new(from: u32, to: u32, price_band: &str) -> Self {
        Self {
            from,
            to,
            price_band: price_band.to_owned(),
            x: None,
            step: None,
            attributes: BlockAttributes::new(),
        }
    }
}

/// The creation form of a row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowSpec {
    /// The row's name, e.g. `A`.
    pub row: String,
    /// The row's blocks, left to right.
    pub blocks: Vec<BlockSpec>,
    /// Where the row is drawn (format 7 on); one unit behind the row before when `None`.
    pub y: Option<f64>,
}

/// The creation form of a section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SectionSpec {
    /// The section's name, e.g. `STALLS`.
    pub name: String,
    /// The section's rows, front to back.
    pub rows: Vec<RowSpec>,
}

/// The creation form of a general-admission pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolSpec {
    /// The pool's code, e.g. `STANDING`.
    pub code: String,
    /// How many places the pool has.
    pub capacity: u32,
    /// The code of the pool's price band.
    pub price_band: String,
}

/// Everything needed to build a [`SeatingPlan`]; it is also what the journal stores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanSpec {
    /// The price bands.
    pub price_bands: Vec<PriceBand>,
    /// The sections, in plan order.
    pub sections: Vec<SectionSpec>,
    /// The general-admission pools.
    pub general_admission: Vec<PoolSpec>,
}

/// Why a plan could not be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidPlan {
    /// A name is empty, too long, or has characters that would make seat ids ambiguous.
    #[error("invalid {what} name {name:?}: use 1 to 32 letters, digits, '_', '.' or '-'")]
    BadName {
        /// Which kind of name.
        what: &'static str,
        /// The name, cut to 40 characters.
        name: String,
    },
    /// Two things that must differ share a name.
    #[error("duplicate {what} {name:?}")]
    Duplicate {
        /// Which kind of name.
        what: &'static str,
        /// The repeated name.
        name: String,
    },
    /// A block or pool names a price band that the plan does not have.
    #[error("unknown price band {code:?}")]
    UnknownPriceBand {
        /// The missing code.
        code: String,
    },
    /// A block runs backwards, starts at 0, or overlaps another block of its row.
    #[error("bad block {from}..{to} in row {row:?}")]
    BadBlock {
        /// The row's seat-id prefix.
        row: String,
        /// The block's first number.
        from: u32,
        /// The block's last number.
        to: u32,
    },
    /// The plan has more seats than allowed.
    #[error("the plan has {seats} seats; at most {max} are allowed")]
    TooManySeats {
        /// How many seats the plan has (at least).
        seats: usize,
        /// The limit.
        max: usize,
    },
    /// A pool's capacity is 0 or too large.
    #[error("general-admission pool {code:?} needs a capacity from 1 to {max}")]
    BadCapacity {
        /// The pool's code.
        code: String,
        /// The limit.
        max: u32,
    },
    /// The plan has neither seats nor general-admission places.
    #[error("the plan has no seats and no general-admission pools")]
    Empty,
    /// A rule of the performance is out of range.
    #[error("{0}")]
    BadRule(String),
    /// A coordinate or step is out of range, or a step is 0.
    #[error("{0}")]
    BadGeometry(String),
    /// An attribute names a seat outside its block, or the plan names too many attributes.
    #[error("{0}")]
    BadAttribute(String),
    /// An attribute's name is not 1 to 32 lower-case letters, digits or `_`.
    #[error(
        "invalid attribute name {name:?}: use 1 to 32 lower-case letters, digits or '_', starting with a letter"
    )]
    BadAttributeName {
        /// The name, cut to 40 characters.
        name: String,
    },
}

/// One section of the plan.
#[derive(Clone, Debug)]
pub struct Section {
    /// The section's name.
    pub name: String,
}

/// One row of the plan.
#[derive(Clone, Debug)]
pub struct Row {
    /// The index of the row's section.
    pub section: u32,
    /// The row's name.
    pub name: String,
    /// The row's blocks, as indexes into [`SeatingPlan::blocks`].
    pub blocks: Range<u32>,
    /// Twice the row's centre seat number, so centre distances stay in integers.
    pub centre_x2: i64,
    /// Where the row is drawn.
    pub y: f64,
}

/// One block: adjacent seats with consecutive numbers, between aisles.
#[derive(Clone, Debug)]
pub struct Block {
    /// The index of the block's row.
    pub row: u32,
    /// The block's seats, as seat indexes.
    pub seats: Range<u32>,
    /// The number of the block's first seat.
    pub first_number: u32,
    /// The index of the block's price band.
    pub price_band: u16,
    /// Where the block's first seat is drawn.
    pub x: f64,
    /// The x distance from one seat to the next.
    pub step: f64,
}

/// A general-admission pool.
#[derive(Clone, Debug)]
pub struct Pool {
    /// The pool's code.
    pub code: String,
    /// How many places it has.
    pub capacity: u32,
    /// The index of its price band.
    pub price_band: u16,
}

/// The frozen seating plan of a performance.
#[derive(Clone, Debug)]
pub struct SeatingPlan {
    spec: PlanSpec,
    sections: Vec<Section>,
    rows: Vec<Row>,
    blocks: Vec<Block>,
    /// The block of each seat, by seat index.
    seat_blocks: Vec<u32>,
    pools: Vec<Pool>,
    /// `"<section>-<row>"` to row index, for parsing seat ids.
    row_lookup: HashMap<String, u32>,
    attributes: SeatAttributes,
}

fn is_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= NAME_LENGTH_MAX
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

pub(super) fn check_name(what: &'static str, name: &str) -> Result<(), InvalidPlan> {
    if is_name(name) {
        Ok(())
    } else {
        Err(InvalidPlan::BadName {
            what,
            name: name.chars().take(40).collect(),
        })
    }
}

impl SeatingPlan {
    /// Builds and validates a plan.
    ///
    /// # Errors
    /// Returns [`InvalidPlan`] for bad or duplicate names, unknown price bands, overlapping or
    /// backwards blocks, seat ids that would be ambiguous, or more than `seats_max` seats.
    pub fn build(spec: PlanSpec, seats_max: usize) -> Result<Self, InvalidPlan> {
        let mut band_index = HashMap::new();
        for (index, band) in spec.price_bands.iter().enumerate() {
            check_name("price band", &band.code)?;
            if band_index.insert(band.code.clone(), index as u16).is_some() || index > 255 {
                return Err(InvalidPlan::Duplicate {
                    what: "price band",
                    name: band.code.clone(),
                });
            }
        }
        let band_of = |code: &str| {
            band_index
                .get(code)
                .copied()
                .ok_or_else(|| InvalidPlan::UnknownPriceBand {
                    code: code.chars().take(40).collect(),
                })
        };
        let mut plan = Self {
            sections: Vec::new(),
            rows: Vec::new(),
            blocks: Vec::new(),
            seat_blocks: Vec::new(),
            pools: Vec::new(),
            row_lookup: HashMap::new(),
            attributes: SeatAttributes::default(),
            spec: PlanSpec {
                price_bands: Vec::new(),
                sections: Vec::new(),
                general_admission: Vec::new(),
            },
        };
        for section in &spec.sections {
            check_name("section", &section.name)?;
            if plan.sections.iter().any(|s| s.name == section.name) {
                return Err(InvalidPlan::Duplicate {
                    what: "section",
                    name: section.name.clone(),
                });
            }
            let section_index = plan.sections.len() as u32;
            plan.sections.push(Section {
                name: section.name.clone(),
            });
            for row in &section.rows {
                plan.add_row(section_index, row, &band_of, seats_max)?;
            }
        }
        for pool in &spec.general_admission {
            check_name("general-admission pool", &pool.code)?;
            if plan.pools.iter().any(|p| p.code == pool.code) {
                return Err(InvalidPlan::Duplicate {
                    what: "general-admission pool",
                    name: pool.code.clone(),
                });
            }
            if pool.capacity == 0 || pool.capacity > POOL_CAPACITY_MAX {
                return Err(InvalidPlan::BadCapacity {
                    code: pool.code.clone(),
                    max: POOL_CAPACITY_MAX,
                });
            }
            plan.pools.push(Pool {
                code: pool.code.clone(),
                capacity: pool.capacity,
                price_band: band_of(&pool.price_band)?,
            });
        }
        if plan.seat_blocks.is_empty() && plan.pools.is_empty() {
            return Err(InvalidPlan::Empty);
        }
        lay_out(&spec.sections, &mut plan.rows, &mut plan.blocks)?;
        plan.attributes = read_attributes(&spec.sections, &plan.blocks, plan.seat_count())?;
        plan.spec = spec;
        plan.check_seat_ids_are_unambiguous()?;
        Ok(plan)
    }

    fn add_row(
        &mut self,
        section: u32,
        spec: &RowSpec,
        band_of: &impl Fn(&str) -> Result<u16, InvalidPlan>,
        seats_max: usize,
    ) -> Result<(), InvalidPlan> {
        check_name("row", &spec.row)?;
        let prefix = format!("{}-{}", self.sections[section as usize].name, spec.row);
        let row_index = self.rows.len() as u32;
        if self.row_lookup.insert(prefix.clone(), row_index).is_some() {
            return Err(InvalidPlan::Duplicate {
                what: "row",
                name: prefix,
            });
        }
        let first_block = self.blocks.len() as u32;
        let mut numbers: Vec<(u32, u32)> = Vec::new();
        for block in &spec.blocks {
            let overlaps = numbers
                .iter()
                .any(|&(from, to)| block.from <= to && from <= block.to);
            if block.from == 0 || block.from > block.to || block.to > SEAT_NUMBER_MAX || overlaps {
                return Err(InvalidPlan::BadBlock {
                    row: prefix,
                    from: block.from,
                    to: block.to,
                });
            }
            numbers.push((block.from, block.to));
            let length = (block.to - block.from + 1) as usize;
            if self.seat_blocks.len() + length > seats_max {
                return Err(InvalidPlan::TooManySeats {
                    seats: self.seat_blocks.len() + length,
                    max: seats_max,
                });
            }
            let start = self.seat_blocks.len() as u32;
            let block_index = self.blocks.len() as u32;
            self.seat_blocks
                .extend(std::iter::repeat_n(block_index, length));
            self.blocks.push(Block {
                row: row_index,
                seats: start..start + length as u32,
                first_number: block.from,
                price_band: band_of(&block.price_band)?,
                x: 0.0,
                step: 1.0,
            });
        }
        let low = numbers.iter().map(|n| n.0).min().unwrap_or(0);
        let high = numbers.iter().map(|n| n.1).max().unwrap_or(0);
        self.rows.push(Row {
            section,
            name: spec.row.clone(),
            blocks: first_block..self.blocks.len() as u32,
            centre_x2: i64::from(low) + i64::from(high),
            y: 0.0,
        });
        Ok(())
    }

    /// A row named `A1` with seat 2 and a row `A` with seat 12 would both be `S-A12`.
    fn check_seat_ids_are_unambiguous(&self) -> Result<(), InvalidPlan> {
        for seat in 0..self.seat_count() {
            let id = self.seat_id(seat);
            if self.find_seat(&id) != Some(seat) {
                return Err(InvalidPlan::Duplicate {
                    what: "seat id",
                    name: id,
                });
            }
        }
        Ok(())
    }

    /// Returns the specification the plan was built from.
    pub fn spec(&self) -> &PlanSpec {
        &self.spec
    }

    /// Returns how many seats the plan has.
    pub fn seat_count(&self) -> u32 {
        self.seat_blocks.len() as u32
    }

    /// Returns the sections in plan order.
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// Returns the rows in plan order: front to back, section by section.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// Returns the blocks in plan order.
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// Returns the price bands.
    pub fn price_bands(&self) -> &[PriceBand] {
        &self.spec.price_bands
    }

    /// Returns the general-admission pools.
    pub fn pools(&self) -> &[Pool] {
        &self.pools
    }

    /// Returns the index of the price band with `code`.
    pub fn price_band_index(&self, code: &str) -> Option<u16> {
        self.spec
            .price_bands
            .iter()
            .position(|band| band.code == code)
            .map(|index| index as u16)
    }

    /// Returns the index of the general-admission pool with `code`.
    pub fn pool_index(&self, code: &str) -> Option<u16> {
        self.pools
            .iter()
            .position(|pool| pool.code == code)
            .map(|index| index as u16)
    }

    /// Returns the block index of `seat`.
    pub fn block_of(&self, seat: u32) -> u32 {
        self.seat_blocks[seat as usize]
    }

    /// Returns the block of `seat`.
    pub fn block(&self, seat: u32) -> &Block {
        &self.blocks[self.block_of(seat) as usize]
    }

    /// Returns the seat number of `seat`, e.g. 7 for `STALLS-A7`.
    pub fn seat_number(&self, seat: u32) -> u32 {
        let block = self.block(seat);
        block.first_number + (seat - block.seats.start)
    }

    /// Returns the seat's section, row, number and price band.
    pub fn locate(&self, seat: u32) -> SeatLocation<'_> {
        let block = self.block(seat);
        let row = &self.rows[block.row as usize];
        SeatLocation {
            section: &self.sections[row.section as usize].name,
            row: &row.name,
            number: block.first_number + (seat - block.seats.start),
            price_band: &self.spec.price_bands[usize::from(block.price_band)],
        }
    }

    /// Returns where `seat` is drawn: its `x` and `y`.
    pub fn position(&self, seat: u32) -> (f64, f64) {
        let block = self.block(seat);
        let x = block.x + block.step * f64::from(seat - block.seats.start);
        (x, self.rows[block.row as usize].y)
    }

    /// Returns the attributes of every seat.
    pub fn attributes(&self) -> &SeatAttributes {
        &self.attributes
    }

    /// Renders the seat id `<section>-<row><number>` of `seat`.
    pub fn seat_id(&self, seat: u32) -> String {
        let location = self.locate(seat);
        format!("{}-{}{}", location.section, location.row, location.number)
    }

    /// Finds the seat index for a seat id such as `STALLS-A7`.
    pub fn find_seat(&self, seat_id: &str) -> Option<u32> {
        // The number is a run of trailing digits; a row name may end in digits too, so every
        // split that leaves a digit suffix is tried (build() refused plans where two agree).
        let digits = seat_id.bytes().rev().take_while(u8::is_ascii_digit).count();
        (1..=digits.min(5)).find_map(|length| {
            let (prefix, number) = seat_id.split_at(seat_id.len() - length);
            if number.starts_with('0') {
                return None;
            }
            let row = *self.row_lookup.get(prefix)?;
            let number: u32 = number.parse().ok()?;
            self.rows[row as usize]
                .blocks
                .clone()
                .map(|b| &self.blocks[b as usize])
                .find(|b| {
                    number >= b.first_number
                        && number - b.first_number < b.seats.end - b.seats.start
                })
                .map(|b| b.seats.start + (number - b.first_number))
        })
    }
}

/// Lays out the rows and blocks of a built plan: fills in every `y`, `x` and `step` the spec
/// left out, and checks the ones it gave.
fn lay_out(
    sections: &[SectionSpec],
    rows: &mut [Row],
    blocks: &mut [Block],
) -> Result<(), InvalidPlan> {
    let mut next_y = 0.0;
    let mut row_index = 0;
    for (section_index, section) in sections.iter().enumerate() {
        if section_index > 0 {
            next_y += 1.0;
        }
        for spec in &section.rows {
            let row = &mut rows[row_index];
            row_index += 1;
            let y = match spec.y {
                Some(y) => check_coordinate("y", &row.name, y)?,
                None => next_y,
            };
            row.y = y;
            next_y = y + 1.0;
            let mut next_x = 0.0;
            let centred = spec.blocks.iter().all(|b| b.x.is_none());
            let row_blocks = row.blocks.clone();
            for (block_spec, index) in spec.blocks.iter().zip(row_blocks.clone()) {
                let block = &mut blocks[index as usize];
                let step = match block_spec.step {
                    Some(0.0) => {
                        return Err(InvalidPlan::BadGeometry(format!(
                            "row {:?}: a block's step must not be 0",
                            row.name
                        )));
                    }
                    Some(step) => check_coordinate("step", &row.name, step)?,
                    None => 1.0,
                };
                let span = step * f64::from(block.seats.end - block.seats.start - 1);
                let x = match block_spec.x {
                    Some(x) => check_coordinate("x", &row.name, x)?,
                    // Numbered right to left: the first seat is the rightmost.
                    None if step < 0.0 => next_x - span,
                    None => next_x,
                };
                let last = x + span;
                block.x = x;
                block.step = step;
                next_x = x.max(last) + 2.0;
            }
            if centred {
                let width = next_x - 2.0;
                for index in row_blocks {
                    blocks[index as usize].x -= width / 2.0;
                }
            }
        }
    }
    Ok(())
}

fn check_coordinate(what: &str, row: &str, value: f64) -> Result<f64, InvalidPlan> {
    if value.is_finite() && value.abs() <= COORDINATE_MAX {
        Ok(value)
    } else {
        Err(InvalidPlan::BadGeometry(format!(
            "row {row:?}: {what} must be a number from -{COORDINATE_MAX} to {COORDINATE_MAX}"
        )))
    }
}

/// Reads the attributes of every block of the spec; `blocks` are the built blocks in the same
/// order.
fn read_attributes(
    sections: &[SectionSpec],
    blocks: &[Block],
    seat_count: u32,
) -> Result<SeatAttributes, InvalidPlan> {
    let mut table = SeatAttributes::default();
    let specs = sections
        .iter()
        .flat_map(|section| &section.rows)
        .flat_map(|row| row.blocks.iter().map(move |block| (row, block)));
    for ((row, spec), block) in specs.zip(blocks) {
        for (name, numbers) in &spec.attributes {
            let bit = table.bit_for(name).map_err(|fault| match fault {
                AttributeFault::BadName => InvalidPlan::BadAttributeName {
                    name: name.chars().take(40).collect(),
                },
                AttributeFault::TooMany => InvalidPlan::BadAttribute(format!(
                    "a plan may name at most {ATTRIBUTES_MAX} distinct attributes"
                )),
            })?;
            for &number in numbers {
                if number < spec.from || number > spec.to {
                    return Err(InvalidPlan::BadAttribute(format!(
                        "row {:?}: attribute {name:?} names seat {number}, which is not in the block {}..{}",
                        row.row, spec.from, spec.to
                    )));
                }
                table.mark(block.seats.start + (number - spec.from), bit, seat_count);
            }
        }
    }
    Ok(table)
}

/// Where a seat is and what it costs.
#[derive(Clone, Copy, Debug)]
pub struct SeatLocation<'a> {
    /// The section's name.
    pub section: &'a str,
    /// The row's name.
    pub row: &'a str,
    /// The seat's number within its row.
    pub number: u32,
    /// The seat's price band.
    pub price_band: &'a PriceBand,
}

#[cfg(test)]
pub(crate) mod test {
    //! Plans for tests in this crate.

    use super::*;

    /// A band helper: `band("A", "65.00")` in GBP.
    pub(crate) fn band(code: &str, price: &str) -> PriceBand {
        PriceBand {
            code: code.into(),
            price: Amount::parse(price).unwrap(),
            currency: Currency::parse("GBP").unwrap(),
        }
    }

    /// A plan of one section `S` whose rows are given as lists of (from, to) blocks, all in
    /// band `A`, with band `B` for a 10-place pool `GA`.
    pub(crate) fn plan_spec(rows: &[&[(u32, u32)]]) -> PlanSpec {
        let letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        PlanSpec {
            price_bands: vec![band("A", "65.00"), band("B", "45.00")],
            sections: vec![SectionSpec {
                name: "S".into(),
                rows: rows
                    .iter()
                    .enumerate()
                    .map(|(i, blocks)| RowSpec {
                        row: letters[i..=i].into(),
                        blocks: blocks
                            .iter()
                            .map(|&(from, to)| BlockSpec::new(from, to, "A"))
                            .collect(),
                        y: None,
                    })
                    .collect(),
            }],
            general_admission: vec![PoolSpec {
                code: "GA".into(),
                capacity: 10,
                price_band: "B".into(),
            }],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test::*;
    use super::*;

    #[test]
    fn seats_are_numbered_in_plan_order_and_ids_round_trip() {
        let plan = SeatingPlan::build(plan_spec(&[&[(1, 3), (4, 6)], &[(1, 2)]]), 100).unwrap();
        assert_eq!(plan.seat_count(), 8);
        assert_eq!(plan.seat_id(0), "S-A1");
        assert_eq!(plan.seat_id(3), "S-A4");
        assert_eq!(plan.seat_id(7), "S-B2");
        for seat in 0..plan.seat_count() {
            assert_eq!(plan.find_seat(&plan.seat_id(seat)), Some(seat));
        }
        assert_eq!(plan.find_seat("S-A7"), None);
        assert_eq!(plan.find_seat("S-A01"), None);
        assert_eq!(plan.find_seat("S-Z1"), None);
        assert_ne!(
            plan.block_of(2),
            plan.block_of(3),
            "an aisle separates A3 and A4"
        );
    }

    #[test]
    fn ambiguous_seat_ids_are_refused() {
        let mut spec = plan_spec(&[&[(1, 12)]]);
        spec.sections[0].rows.push(RowSpec {
            row: "A1".into(),
            blocks: vec![BlockSpec::new(2, 2, "A")],
            y: None,
        });
        assert!(matches!(
            SeatingPlan::build(spec, 100),
            Err(InvalidPlan::Duplicate {
                what: "seat id",
                ..
            })
        ));
    }

    #[test]
    fn bad_plans_are_refused() {
        let overlapping = plan_spec(&[&[(1, 5), (5, 8)]]);
        assert!(matches!(
            SeatingPlan::build(overlapping, 100),
            Err(InvalidPlan::BadBlock { .. })
        ));
        let backwards = plan_spec(&[&[(5, 1)]]);
        assert!(SeatingPlan::build(backwards, 100).is_err());
        let too_big = plan_spec(&[&[(1, 50)], &[(1, 51)]]);
        assert!(matches!(
            SeatingPlan::build(too_big, 100),
            Err(InvalidPlan::TooManySeats { .. })
        ));
        let mut unknown_band = plan_spec(&[&[(1, 5)]]);
        unknown_band.sections[0].rows[0].blocks[0].price_band = "Z".into();
        assert!(matches!(
            SeatingPlan::build(unknown_band, 100),
            Err(InvalidPlan::UnknownPriceBand { .. })
        ));
        let mut bad_name = plan_spec(&[&[(1, 5)]]);
        bad_name.sections[0].name = "STALLS LEFT".into();
        assert!(matches!(
            SeatingPlan::build(bad_name, 100),
            Err(InvalidPlan::BadName { .. })
        ));
    }
}
