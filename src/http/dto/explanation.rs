//! The `explanation` of a best-available hold: why these seats.

use super::*;
use crate::domain::{Explanation, RowVerdict};

/// How many passed-over rows an explanation names one by one; the rest are counted.
pub const ROWS_NAMED_MAX: usize = 10;

/// A row in front of the chosen one, and why it was passed over.
#[derive(Debug, Serialize, ToSchema)]
struct PassedRowDto {
    #[schema(examples("STALLS"))]
    section: String,
    #[schema(examples("A"))]
    row: String,
    /// `not_in_band` (no seat in the bands asked for), `sold_out`, `too_few_together`,
    /// `filtered` (not with `require` / without `avoid`), `single_seat_gap` (every fitting
    /// window would leave one seat alone), `behind_preferred` (preferred seats are further
    /// back) or `not_examined` (its counters could not decide it, and the explanation had
    /// read its budget of 2,048 seats on the rows before).
    #[schema(examples("too_few_together"))]
    reason: &'static str,
}

/// Why best available chose these seats: the lowest row first (front to back), then the
/// seats closest to its centre, within the rules and filters.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({
    "performance": "revue-1", "section": "STALLS", "row": "C", "row_rank": 3,
    "centre_distance": 0.5, "require": [], "avoid": ["restricted_view"],
    "rows_passed": {"sold_out": 1, "too_few_together": 1},
    "passed_rows": [{"section": "STALLS", "row": "A", "reason": "sold_out"},
                    {"section": "STALLS", "row": "B", "reason": "too_few_together"}],
    "summary": "Row C of STALLS is the first row, front to back, with 2 seats together that fit; they are the nearest to its centre (0.5 seats off). Passed over in front: 1 sold out, 1 with too few free seats together."
})))]
pub struct ExplanationDto {
    /// The performance of the seats.
    performance: String,
    section: String,
    row: String,
    /// The chosen row's place in plan order, front to back, from 1.
    row_rank: u32,
    /// How far, in seats, the seats' centre is from the row's centre.
    centre_distance: f64,
    /// The attributes every seat was required to have.
    require: Vec<String>,
    /// The attributes no seat was allowed to have.
    avoid: Vec<String>,
    /// How many rows in front were passed over, by reason (reasons with none left out).
    rows_passed: BTreeMap<&'static str, u32>,
    /// The first rows passed over (at most 10), front to back.
    passed_rows: Vec<PassedRowDto>,
    /// The same, in a sentence for people.
    summary: String,
}

impl ExplanationDto {
    /// Renders `explanation` of a hold at `view`'s performance.
    pub fn new(view: &HoldView, explanation: &Explanation) -> Self {
        let plan = &view.plan;
        let row_of = |row: u32| {
            let row = &plan.rows()[row as usize];
            (
                plan.sections()[row.section as usize].name.clone(),
                row.name.clone(),
            )
        };
        let (section, row) = row_of(explanation.row);
        let mut rows_passed: BTreeMap<&'static str, u32> = BTreeMap::new();
        for (_, verdict) in &explanation.rows_before {
            *rows_passed.entry(verdict.as_str()).or_default() += 1;
        }
        let passed_rows = explanation
            .rows_before
            .iter()
            .take(ROWS_NAMED_MAX)
            .map(|&(row, verdict)| {
                let (section, row) = row_of(row);
                PassedRowDto {
                    section,
                    row,
                    reason: verdict.as_str(),
                }
            })
            .collect();
        let centre_distance = explanation.centre_distance_x2 as f64 / 2.0;
        let quantity = view.hold.seats.len();
        let mut summary = format!(
            "Row {row} of {section} is the first row, front to back, with {quantity} seats \
             together that fit; they are the nearest to its centre ({centre_distance} seats off)."
        );
        let reasons: Vec<String> = RowVerdict::ALL
            .iter()
            .filter_map(|verdict| {
                let count = rows_passed.get(verdict.as_str())?;
                Some(format!("{count} {}", words(*verdict)))
            })
            .collect();
        if !reasons.is_empty() {
            summary.push_str(&format!(" Passed over in front: {}.", reasons.join(", ")));
        }
        Self {
            performance: view.performance.id.to_string(),
            section,
            row,
            row_rank: explanation.row + 1,
            centre_distance,
            require: explanation.filters.require.clone(),
            avoid: explanation.filters.avoid.clone(),
            rows_passed,
            passed_rows,
            summary,
        }
    }
}

fn words(verdict: RowVerdict) -> &'static str {
    match verdict {
        RowVerdict::NotInBand => "with no seat in the bands asked for",
        RowVerdict::SoldOut => "sold out",
        RowVerdict::TooFewTogether => "with too few free seats together",
        RowVerdict::Filtered => "without free seats together that fit the attribute filters",
        RowVerdict::SingleSeatGap => "where the seats would leave a single-seat gap",
        RowVerdict::BehindPreferred => "in front of the preferred seats",
        RowVerdict::NotExamined => "not examined (past the explanation's budget of seats)",
    }
}
