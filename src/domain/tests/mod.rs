//! Unit tests of the domain through its public face: `decide` a command at a fixed time,
//! `apply` what was accepted, and look at seats, holds, counts and the version.
//!
//! Every test builds its own performance from `plan_spec` (one section `S`, rows `A`, `B`, …,
//! band `A` for seats, band `B` for the 10-place pool `GA`), so no state is shared.

use super::test::{band, plan_spec};
use super::*;

mod allocations;
mod best_available;
mod best_filters;
mod counts;
mod history;
mod hold_life;
mod places_and_holdbacks;
mod refunds;
mod scans;
mod selection;
mod ticket_types;

const NOW: Timestamp = Timestamp(1_000_000);
const STARTS_AT: Timestamp = Timestamp(100_000_000);
const HOLD_SECONDS: u32 = 600;
const OTHER: u128 = 99;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn rules(contiguous_seats_only: bool, no_single_seat_gaps: bool, quantities: &[u32]) -> Rules {
    Rules {
        contiguous_seats_only,
        no_single_seat_gaps,
        valid_quantities: quantities.to_vec(),
        max_hold_seconds: HOLD_SECONDS_MAX,
        max_renewals: crate::domain::MAX_RENEWALS_MAX,
    }
}

/// Any quantity from 1 to 12, no adjacency rules.
fn relaxed() -> Rules {
    rules(false, false, &(1..=12).collect::<Vec<_>>())
}

/// Any quantity from 1 to 12, both adjacency rules.
fn strict() -> Rules {
    rules(true, true, &(1..=12).collect::<Vec<_>>())
}

/// Any quantity from 1 to 12, only the gap rule.
fn gaps_only() -> Rules {
    rules(false, true, &(1..=12).collect::<Vec<_>>())
}

fn performance_from(spec: PlanSpec, rules: Rules) -> Performance {
    let info = PerformanceInfo {
        id: PerformanceId::parse("perf").unwrap(),
        event: EventInfo {
            id: EventId::parse("show").unwrap(),
            name: "The Show".into(),
            venue: "The Hall".into(),
            city: "Leeds".into(),
        },
        starts_at: STARTS_AT,
        hold_seconds: HOLD_SECONDS,
        rules,
        ticket_types: Vec::new(),
        fees: Vec::new(),
    }
    .validate()
    .unwrap();
    Performance::new(info, SeatingPlan::build(spec, 100_000).unwrap())
}

fn performance(rows: &[&[(u32, u32)]], rules: Rules) -> Performance {
    performance_from(plan_spec(rows), rules)
}

fn transaction(number: u128) -> TransactionId {
    TransactionId(number)
}

fn place(number: u128, selection: Selection) -> Command {
    Command::PlaceHold {
        transaction: transaction(number),
        owner: ClientId::parse("box-office").unwrap(),
        ip: "192.0.2.1".into(),
        selection,
        lock_until: None,
        access: Default::default(),
    }
}

fn seats(ids: &[&str]) -> Selection {
    Selection::seats(ids.iter().copied())
}

fn best(quantity: u32, price_band: Option<&str>, preferred: &[&str]) -> Selection {
    Selection::BestAvailable {
        quantity,
        price_band: price_band.map(str::to_owned),
        preferred: preferred.iter().map(|id| (*id).to_owned()).collect(),
        ticket_type: None,
        filters: Default::default(),
    }
}

fn places(requests: &[(&str, u32)]) -> Selection {
    Selection::places(
        requests
            .iter()
            .map(|&(code, quantity)| (code.to_owned(), quantity))
            .collect(),
    )
}

fn extend(number: u128) -> Command {
    Command::ExtendHold {
        transaction: transaction(number),
    }
}

fn sell(number: u128) -> Command {
    Command::SellHold {
        transaction: transaction(number),
        order_number: OrderNumber(100_000 + number as u64),
        barcode_seed: 42 + number as u64,
    }
}

fn release(number: u128) -> Command {
    Command::ReleaseHold {
        transaction: transaction(number),
    }
}

fn holdbacks(withhold: &[&str], release: &[&str]) -> Command {
    Command::ChangeHoldbacks {
        withhold: withhold.iter().map(|id| (*id).to_owned()).collect(),
        release: release.iter().map(|id| (*id).to_owned()).collect(),
        release_places: Vec::new(),
        withhold_places: Vec::new(),
    }
}

/// Decides `command` at `now` and applies what was accepted, as the actor does.
fn run(
    performance: &mut Performance,
    command: &Command,
    now: Timestamp,
) -> Result<Option<Change>, Rejection> {
    let outcome = performance.decide(command, now);
    if let Ok(Some(change)) = &outcome {
        performance.apply(change);
    }
    outcome
}

/// Runs a command that must be accepted with a change, and returns the change.
fn accept(performance: &mut Performance, command: &Command, now: Timestamp) -> Change {
    match run(performance, command, now) {
        Ok(Some(change)) => change,
        other => panic!("expected {command:?} to be accepted with a change, got {other:?}"),
    }
}

/// Runs a command that must be accepted without a change, and checks nothing changed.
fn accept_unchanged(performance: &mut Performance, command: &Command, now: Timestamp) {
    let before = performance.clone();
    assert_eq!(run(performance, command, now), Ok(None), "{command:?}");
    assert!(
        *performance == before,
        "an accepted no-op changed the state"
    );
}

/// Runs a command that must be refused, checks nothing changed, and returns the rejection.
fn refuse(performance: &mut Performance, command: &Command, now: Timestamp) -> Rejection {
    let before = performance.clone();
    let rejection = match run(performance, command, now) {
        Err(rejection) => rejection,
        other => panic!("expected {command:?} to be refused, got {other:?}"),
    };
    assert!(
        *performance == before,
        "a refused command changed the state"
    );
    rejection
}

fn seat(performance: &Performance, id: &str) -> u32 {
    performance
        .plan()
        .find_seat(id)
        .unwrap_or_else(|| panic!("no seat {id}"))
}

fn status(performance: &Performance, id: &str) -> SeatStatus {
    performance.seat_status(seat(performance, id))
}

/// The seat ids a transaction's hold lists.
fn hold_seat_ids(performance: &Performance, number: u128) -> Vec<String> {
    let hold = performance.hold(transaction(number)).expect("a hold");
    hold.seats
        .iter()
        .map(|&seat| performance.plan().seat_id(seat))
        .collect()
}

fn hold_state(performance: &Performance, number: u128) -> HoldState {
    performance.hold(transaction(number)).expect("a hold").state
}

fn ticket(id: &str) -> String {
    format!("perf:{id}")
}

/// Sells `ids` to transaction [`OTHER`], as another buyer would.
fn sell_to_another_buyer(performance: &mut Performance, ids: &[&str]) {
    accept(performance, &place(OTHER, seats(ids)), NOW);
    accept(performance, &sell(OTHER), NOW);
}

fn is_held(status: SeatStatus) -> bool {
    matches!(status, SeatStatus::Held(_))
}

fn is_sold(status: SeatStatus) -> bool {
    matches!(status, SeatStatus::Sold(_))
}

fn two_band_spec() -> PlanSpec {
    // Row A in band A (65.00), row B in band C (30.00), pool GA in band B.
    let mut spec = plan_spec(&[&[(1, 6)], &[(1, 6)]]);
    spec.price_bands.push(band("C", "30.00"));
    spec.sections[0].rows[1].blocks[0].price_band = "C".into();
    spec
}
