//! Where seats are drawn and what they are like: the `x`/`y` of every seat and its attributes
//! (`accessible`, `companion`, `restricted_view`, `aisle`, or a plan's own), for widgets that
//! draw the house and for best available's `require` / `avoid` filters.
//!
//! A plan may give a row's `y`, a block's `x` (the x of its first seat) and `step` (the x
//! distance from one seat number to the next, negative for seats numbered right to left).
//! What it leaves out is laid out from plan order, so a plan without geometry still draws like
//! a house: each row one unit behind the one before (two between sections), a row's blocks
//! left to right with one empty seat's width for each aisle, and a row whose blocks give no
//! `x` centred on `x = 0`. The stage is towards smaller `y`.
//!
//! Attributes are kept as one bit per attribute per seat, so a filter is a mask test. The
//! plan ([`SeatingPlan::build`](super::SeatingPlan::build)) reads both from its spec.
//!
//! # Caveats
//! - Coordinates are drawing units, not metres: only their proportions mean anything.
//! - A plan may name at most [`ATTRIBUTES_MAX`] distinct attributes.
//! - Nothing checks that two seats are not drawn on top of each other.

use std::collections::BTreeMap;

/// The attributes every client knows; a plan may add its own.
pub const KNOWN_ATTRIBUTES: [&str; 4] = ["accessible", "companion", "restricted_view", "aisle"];
/// The most distinct attributes one plan may name.
pub const ATTRIBUTES_MAX: usize = 32;
/// The largest coordinate or step a plan may give, either sign.
pub const COORDINATE_MAX: f64 = 1_000_000.0;
const ATTRIBUTE_NAME_MAX: usize = 32;

/// A set of attributes of one plan, one bit per attribute.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AttributeSet(u32);

impl AttributeSet {
    /// The empty set.
    pub const EMPTY: Self = Self(0);

    /// Whether every attribute of `other` is in `self`.
    pub fn contains_all(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether any attribute of `other` is in `self`.
    pub fn contains_any(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }

    /// The attributes of both sets.
    pub fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    fn with(self, bit: usize) -> Self {
        Self(self.0 | 1 << bit)
    }
}

/// The attributes of every seat, and their names.
#[derive(Clone, Debug, Default)]
pub struct SeatAttributes {
    names: Vec<String>,
    /// By seat index; empty when no seat has an attribute.
    seats: Vec<AttributeSet>,
}

impl SeatAttributes {
    /// Returns the set of `seat`.
    pub fn of(&self, seat: u32) -> AttributeSet {
        self.seats
            .get(seat as usize)
            .copied()
            .unwrap_or(AttributeSet::EMPTY)
    }

    /// Returns the names in `set`, in the order the plan first named them.
    pub fn names(&self, set: AttributeSet) -> impl Iterator<Item = &str> {
        self.names
            .iter()
            .enumerate()
            .filter(move |(bit, _)| set.0 & 1 << bit != 0)
            .map(|(_, name)| name.as_str())
    }

    /// Returns the bit of `name`, naming it when it is new.
    pub(super) fn bit_for(&mut self, name: &str) -> Result<usize, AttributeFault> {
        if !is_attribute_name(name) {
            return Err(AttributeFault::BadName);
        }
        if let Some(bit) = self.names.iter().position(|known| known == name) {
            return Ok(bit);
        }
        if self.names.len() == ATTRIBUTES_MAX {
            return Err(AttributeFault::TooMany);
        }
        self.names.push(name.to_owned());
        Ok(self.names.len() - 1)
    }

    /// Gives `seat`, of a plan of `seat_count` seats, the attribute of `bit`.
    pub(super) fn mark(&mut self, seat: u32, bit: usize, seat_count: u32) {
        if self.seats.is_empty() {
            self.seats = vec![AttributeSet::EMPTY; seat_count as usize];
        }
        let set = &mut self.seats[seat as usize];
        *set = set.with(bit);
    }

    /// Returns the set named by `names`; `Err` with the first name no seat of the plan has.
    /// (An attribute no seat has can never be required, and avoiding it avoids nothing.)
    pub fn set_of<'a>(
        &self,
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<AttributeSet, &'a str> {
        names
            .into_iter()
            .try_fold(AttributeSet::EMPTY, |set, name| {
                self.names
                    .iter()
                    .position(|known| known == name)
                    .map(|bit| set.with(bit))
                    .ok_or(name)
            })
    }
}

/// Why an attribute cannot be named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum AttributeFault {
    /// Not 1 to 32 lower-case letters, digits or `_`, starting with a letter.
    BadName,
    /// The plan names [`ATTRIBUTES_MAX`] already.
    TooMany,
}

/// Whether `name` may name an attribute: 1 to 32 lower-case letters, digits or `_`, starting
/// with a letter.
pub fn is_attribute_name(name: &str) -> bool {
    name.len() <= ATTRIBUTE_NAME_MAX
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The attributes of a block in its creation form: attribute name to seat numbers.
pub type BlockAttributes = BTreeMap<String, Vec<u32>>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::seat_map::test::plan_spec;
    use crate::domain::{InvalidPlan, SeatingPlan, SectionSpec};

    fn build(spec: crate::domain::PlanSpec) -> Result<SeatingPlan, InvalidPlan> {
        SeatingPlan::build(spec, 1000)
    }

    #[test]
    fn a_plan_without_geometry_is_laid_out_row_behind_row_centred_with_aisles() {
        let plan = build(plan_spec(&[&[(1, 3), (4, 6)], &[(1, 2)]])).unwrap();
        let at = |id: &str| plan.position(plan.find_seat(id).unwrap());
        // Row A: 1..3 at 0..2, an aisle, 4..6 at 4..6, centred: -3..-1 and 1..3.
        assert_eq!(at("S-A1"), (-3.0, 0.0));
        assert_eq!(at("S-A3"), (-1.0, 0.0));
        assert_eq!(at("S-A4"), (1.0, 0.0));
        assert_eq!(at("S-A6"), (3.0, 0.0));
        assert_eq!(at("S-B1"), (-0.5, 1.0));
        assert_eq!(at("S-B2"), (0.5, 1.0));
        assert!(plan.attributes().of(0).is_empty());
    }

    #[test]
    fn given_geometry_wins_and_the_rest_follows_it() {
        let mut spec = plan_spec(&[&[(1, 3), (4, 6)], &[(1, 2)]]);
        spec.sections.push(SectionSpec {
            name: "T".into(),
            rows: plan_spec(&[&[(1, 1)]]).sections[0].rows.clone(),
        });
        let row_a = &mut spec.sections[0].rows[0];
        row_a.y = Some(5.0);
        row_a.blocks[0].x = Some(10.0);
        row_a.blocks[0].step = Some(-2.0);
        let plan = build(spec).unwrap();
        let at = |id: &str| plan.position(plan.find_seat(id).unwrap());
        // Numbered right to left from x = 10; the next block starts after the aisle at the
        // block's rightmost seat, and a row with any x given is not centred.
        assert_eq!(at("S-A1"), (10.0, 5.0));
        assert_eq!(at("S-A3"), (6.0, 5.0));
        assert_eq!(at("S-A4"), (12.0, 5.0));
        // The next row follows the given y; a new section leaves a row's gap.
        assert_eq!(at("S-B1").1, 6.0);
        assert_eq!(at("T-A1"), (0.0, 8.0));
    }

    #[test]
    fn attributes_are_kept_per_seat_and_filtered_by_mask() {
        let mut spec = plan_spec(&[&[(1, 4)]]);
        let block = &mut spec.sections[0].rows[0].blocks[0];
        block.attributes.insert("accessible".into(), vec![1, 2]);
        block.attributes.insert("restricted_view".into(), vec![2]);
        let plan = build(spec).unwrap();
        let table = plan.attributes();
        let names = |seat| table.names(table.of(seat)).collect::<Vec<_>>();
        assert_eq!(names(0), ["accessible"]);
        assert_eq!(names(1), ["accessible", "restricted_view"]);
        assert!(names(2).is_empty());
        let accessible = table.set_of(["accessible"]).unwrap();
        let restricted = table.set_of(["restricted_view"]).unwrap();
        assert!(table.of(1).contains_all(accessible));
        assert!(table.of(1).contains_any(restricted));
        assert!(!table.of(0).contains_any(restricted));
        assert_eq!(table.set_of(["companion"]), Err("companion"));
    }

    #[test]
    fn bad_geometry_and_attributes_are_refused() {
        let with = |change: &dyn Fn(&mut crate::domain::BlockSpec)| {
            let mut spec = plan_spec(&[&[(1, 4)]]);
            change(&mut spec.sections[0].rows[0].blocks[0]);
            build(spec)
        };
        assert!(matches!(
            with(&|b| b.step = Some(0.0)),
            Err(InvalidPlan::BadGeometry(_))
        ));
        assert!(matches!(
            with(&|b| b.x = Some(2e6)),
            Err(InvalidPlan::BadGeometry(_))
        ));
        assert!(matches!(
            with(&|b| drop(b.attributes.insert("aisle".into(), vec![5]))),
            Err(InvalidPlan::BadAttribute(_))
        ));
        assert!(matches!(
            with(&|b| drop(b.attributes.insert("Wheel chair".into(), vec![1]))),
            Err(InvalidPlan::BadAttributeName { .. })
        ));
        let too_many = with(&|b| {
            for n in 0..=ATTRIBUTES_MAX {
                b.attributes.insert(format!("a{n}"), vec![1]);
            }
        });
        assert!(matches!(too_many, Err(InvalidPlan::BadAttribute(_))));
    }
}
