//! Unit tests of the domain through its public face: `decide` a command at a fixed time,
//! `apply` what was accepted, and look at seats, holds, counts and the version.
//!
//! Every test builds its own performance from `plan_spec` (one section `S`, rows `A`, `B`, …,
//! band `A` for seats, band `B` for the 10-place pool `GA`), so no state is shared.

use super::test::{band, plan_spec};
use super::*;

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
    }
}

fn seats(ids: &[&str]) -> Selection {
    Selection::Seats(ids.iter().map(|id| (*id).to_owned()).collect())
}

fn best(quantity: u32, price_band: Option<&str>, preferred: &[&str]) -> Selection {
    Selection::BestAvailable {
        quantity,
        price_band: price_band.map(str::to_owned),
        preferred: preferred.iter().map(|id| (*id).to_owned()).collect(),
    }
}

fn places(requests: &[(&str, u32)]) -> Selection {
    Selection::GeneralAdmission(
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

// ---------------------------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------------------------

#[test]
fn a_plan_with_seats_builds_and_renders_its_seat_ids() {
    let plan = SeatingPlan::build(plan_spec(&[&[(1, 3), (5, 6)], &[(2, 2)]]), 100);

    let plan = plan.expect("a valid plan");
    assert_eq!(plan.seat_count(), 6);
    assert_eq!(plan.seat_id(3), "S-A5");
    assert_eq!(plan.seat_id(5), "S-B2");
}

// ---------------------------------------------------------------------------------------------
// Specific seats
// ---------------------------------------------------------------------------------------------

#[test]
fn holding_free_seats_locks_them_until_now_plus_the_hold_time() {
    let mut performance = performance(&[&[(1, 6)]], strict());

    let change = accept(&mut performance, &place(1, seats(&["S-A4", "S-A3"])), NOW);

    let Change::HoldPlaced(hold) = change else {
        panic!("expected a placed hold, got {change:?}");
    };
    assert_eq!(hold.created_at, NOW);
    assert_eq!(hold.expires_at, NOW.plus_seconds(HOLD_SECONDS));
    assert_eq!(hold.state, HoldState::Held);
    assert_eq!(hold.seat_request_status, SeatRequestStatus::NotRequested);
    assert_eq!(hold.seats, vec![2, 3], "seat indexes in ascending order");
    assert_eq!(status(&performance, "S-A3"), SeatStatus::Held(0));
    assert_eq!(status(&performance, "S-A4"), SeatStatus::Held(0));
    assert_eq!(status(&performance, "S-A2"), SeatStatus::Free);
    assert_eq!(performance.next_expiry(), Some(hold.expires_at));
}

#[test]
fn a_selection_with_taken_seats_is_refused_whole_and_lists_exactly_the_taken_tickets() {
    let mut performance = performance(&[&[(1, 8)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A2"])), NOW);
    sell_to_another_buyer(&mut performance, &["S-A4"]);
    accept(&mut performance, &holdbacks(&["S-A6"], &[]), NOW);

    let rejection = refuse(
        &mut performance,
        &place(
            2,
            seats(&["S-A1", "S-A2", "S-A3", "S-A4", "S-A5", "S-A6", "S-A7"]),
        ),
        NOW,
    );

    assert_eq!(
        rejection,
        Rejection::SeatUnavailable {
            seats: vec![
                (ticket("S-A2"), Unavailability::Held),
                (ticket("S-A4"), Unavailability::Sold),
                (ticket("S-A6"), Unavailability::Withheld),
            ],
        }
    );
    assert_eq!(rejection.code(), "seat_unavailable");
    for free in ["S-A1", "S-A3", "S-A5", "S-A7"] {
        assert_eq!(status(&performance, free), SeatStatus::Free, "{free}");
    }
    assert!(performance.hold(transaction(2)).is_none());
}

#[test]
fn one_taken_seat_among_free_ones_refuses_the_whole_selection() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A3"])), NOW);

    let rejection = refuse(&mut performance, &place(2, seats(&["S-A1", "S-A3"])), NOW);

    assert_eq!(
        rejection,
        Rejection::SeatUnavailable {
            seats: vec![(ticket("S-A3"), Unavailability::Held)],
        }
    );
    assert_eq!(status(&performance, "S-A1"), SeatStatus::Free);
}

#[test]
fn an_unknown_seat_is_refused_as_unknown_seat_with_its_ticket_id() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());

    let rejection = refuse(&mut performance, &place(1, seats(&["S-A1", "S-A9"])), NOW);

    assert_eq!(
        rejection,
        Rejection::UnknownSeat {
            ticket: ticket("S-A9"),
        }
    );
    assert_eq!(rejection.code(), "not_found");
    for id in ["S-B1", "X-A1", "S-A0", "S-A01", ""] {
        assert!(
            matches!(
                refuse(&mut performance, &place(1, seats(&[id])), NOW),
                Rejection::UnknownSeat { .. }
            ),
            "{id:?}"
        );
    }
}

#[test]
fn the_same_seat_twice_is_refused_as_a_duplicate_ticket() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());

    let rejection = refuse(
        &mut performance,
        &place(1, seats(&["S-A2", "S-A1", "S-A2"])),
        NOW,
    );

    assert_eq!(
        rejection,
        Rejection::DuplicateTicket {
            ticket: ticket("S-A2"),
        }
    );
    assert_eq!(rejection.code(), "invalid_request");
}

#[test]
fn a_transaction_cannot_open_a_second_hold_at_the_same_performance() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A1"])), NOW);

    let rejection = refuse(&mut performance, &place(1, seats(&["S-A3"])), NOW);

    assert!(
        matches!(rejection, Rejection::InvalidState { .. }),
        "{rejection:?}"
    );
}

#[test]

fn reopening_a_released_transaction_reports_its_real_state() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A1"])), NOW);
    accept(&mut performance, &release(1), NOW);

    let rejection = refuse(&mut performance, &place(1, seats(&["S-A3"])), NOW);

    assert_eq!(
        rejection,
        Rejection::InvalidState {
            state: HoldState::Released,
            action: "open again",
        }
    );
}

// ---------------------------------------------------------------------------------------------
// valid_quantities
// ---------------------------------------------------------------------------------------------

#[test]
fn a_seat_count_outside_valid_quantities_is_refused() {
    let mut performance = performance(&[&[(1, 8)]], rules(false, false, &[4, 2]));

    let rejection = refuse(
        &mut performance,
        &place(1, seats(&["S-A1", "S-A2", "S-A3"])),
        NOW,
    );

    assert_eq!(
        rejection,
        Rejection::QuantityNotAllowed {
            requested: 3,
            allowed: vec![2, 4],
        }
    );
    assert_eq!(rejection.code(), "rule_violation");
    accept(&mut performance, &place(1, seats(&["S-A1", "S-A2"])), NOW);
    accept(
        &mut performance,
        &place(2, seats(&["S-A5", "S-A6", "S-A7", "S-A8"])),
        NOW,
    );
}

#[test]
fn an_empty_seat_selection_is_refused_as_quantity_zero() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());

    let rejection = refuse(&mut performance, &place(1, seats(&[])), NOW);

    assert!(
        matches!(
            rejection,
            Rejection::QuantityNotAllowed { requested: 0, .. }
        ),
        "{rejection:?}"
    );
}

#[test]
fn a_best_available_quantity_outside_valid_quantities_is_refused() {
    let mut performance = performance(&[&[(1, 8)]], rules(false, false, &[2, 4]));

    for quantity in [0, 1, 3, 5] {
        let rejection = refuse(&mut performance, &place(1, best(quantity, None, &[])), NOW);
        assert_eq!(
            rejection,
            Rejection::QuantityNotAllowed {
                requested: u64::from(quantity),
                allowed: vec![2, 4],
            }
        );
    }
    accept(&mut performance, &place(1, best(4, None, &[])), NOW);
}

#[test]
fn general_admission_quantities_are_checked_as_the_total_across_pools() {
    let mut spec = plan_spec(&[&[(1, 4)]]);
    spec.general_admission.push(PoolSpec {
        code: "GB".into(),
        capacity: 10,
        price_band: "B".into(),
    });
    let mut performance = performance_from(spec, rules(false, false, &[2, 5]));

    let rejection = refuse(
        &mut performance,
        &place(1, places(&[("GA", 2), ("GB", 1)])),
        NOW,
    );
    assert_eq!(
        rejection,
        Rejection::QuantityNotAllowed {
            requested: 3,
            allowed: vec![2, 5],
        }
    );
    refuse(&mut performance, &place(1, places(&[("GA", 1)])), NOW);

    let change = accept(
        &mut performance,
        &place(1, places(&[("GB", 3), ("GA", 2)])),
        NOW,
    );

    let Change::HoldPlaced(hold) = change else {
        panic!("expected a placed hold, got {change:?}");
    };
    assert_eq!(
        hold.places,
        vec![
            PoolPlaces {
                pool: 0,
                quantity: 2
            },
            PoolPlaces {
                pool: 1,
                quantity: 3
            },
        ]
    );
    assert_eq!(performance.pool_available(0), 8);
    assert_eq!(performance.pool_available(1), 7);
}

#[test]
fn a_general_admission_request_for_zero_places_is_refused() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());

    for selection in [places(&[("GA", 0)]), places(&[])] {
        let rejection = refuse(&mut performance, &place(1, selection), NOW);
        assert!(
            matches!(
                rejection,
                Rejection::QuantityNotAllowed { requested: 0, .. }
            ),
            "{rejection:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// contiguous_seats_only
// ---------------------------------------------------------------------------------------------

#[test]
fn seats_across_an_aisle_are_refused_when_seats_must_be_adjacent() {
    let mut performance = performance(&[&[(1, 4), (5, 8)]], rules(true, false, &[2, 3]));

    let rejection = refuse(&mut performance, &place(1, seats(&["S-A4", "S-A5"])), NOW);

    assert_eq!(
        rejection,
        Rejection::NotContiguous {
            tickets: vec![ticket("S-A4"), ticket("S-A5")],
        }
    );
    assert_eq!(rejection.code(), "rule_violation");
}

#[test]
fn seats_with_a_hole_inside_a_block_are_refused_when_seats_must_be_adjacent() {
    let mut performance = performance(&[&[(1, 8)]], rules(true, false, &[2, 3]));

    let rejection = refuse(
        &mut performance,
        &place(1, seats(&["S-A1", "S-A2", "S-A4"])),
        NOW,
    );

    assert!(
        matches!(rejection, Rejection::NotContiguous { .. }),
        "{rejection:?}"
    );
}

#[test]
fn seats_in_different_rows_are_refused_when_seats_must_be_adjacent() {
    let mut performance = performance(&[&[(1, 4)], &[(1, 4)]], rules(true, false, &[2]));

    let rejection = refuse(&mut performance, &place(1, seats(&["S-A4", "S-B1"])), NOW);

    assert!(
        matches!(rejection, Rejection::NotContiguous { .. }),
        "{rejection:?}"
    );
}

#[test]
fn seats_across_an_aisle_or_with_a_hole_are_allowed_when_adjacency_is_not_required() {
    let mut performance = performance(&[&[(1, 4), (5, 8)], &[(1, 4)]], relaxed());

    accept(&mut performance, &place(1, seats(&["S-A4", "S-A5"])), NOW);
    accept(
        &mut performance,
        &place(2, seats(&["S-A1", "S-A3", "S-B2"])),
        NOW,
    );

    assert_eq!(hold_seat_ids(&performance, 2), ["S-A1", "S-A3", "S-B2"]);
}

#[test]
fn adjacent_seats_in_one_block_are_allowed_when_seats_must_be_adjacent() {
    let mut performance = performance(&[&[(1, 4), (5, 8)]], rules(true, false, &[1, 4]));

    accept(
        &mut performance,
        &place(1, seats(&["S-A8", "S-A5", "S-A7", "S-A6"])),
        NOW,
    );
    accept(&mut performance, &place(2, seats(&["S-A2"])), NOW);
}

// ---------------------------------------------------------------------------------------------
// no_single_seat_gaps
// ---------------------------------------------------------------------------------------------

#[test]
fn a_selection_leaving_seat_one_alone_at_a_block_start_is_refused_and_names_it() {
    let mut performance = performance(&[&[(1, 6)]], strict());

    let rejection = refuse(&mut performance, &place(1, seats(&["S-A2", "S-A3"])), NOW);

    assert_eq!(
        rejection,
        Rejection::SingleSeatGap {
            ticket: ticket("S-A1"),
        }
    );
    assert_eq!(rejection.code(), "rule_violation");
    assert_eq!(rejection.tickets(), vec![ticket("S-A1")]);
}

#[test]
fn a_selection_leaving_the_last_seat_alone_at_a_block_end_is_refused_and_names_it() {
    let mut performance = performance(&[&[(1, 6)]], strict());

    let rejection = refuse(
        &mut performance,
        &place(1, seats(&["S-A3", "S-A4", "S-A5"])),
        NOW,
    );

    assert_eq!(
        rejection,
        Rejection::SingleSeatGap {
            ticket: ticket("S-A6"),
        }
    );
}

#[test]
fn a_selection_leaving_a_lone_seat_beside_an_aisle_is_refused_and_names_it() {
    let mut performance = performance(&[&[(1, 4), (5, 8)]], strict());

    let right_of_aisle = refuse(&mut performance, &place(1, seats(&["S-A6", "S-A7"])), NOW);
    let left_of_aisle = refuse(
        &mut performance,
        &place(1, seats(&["S-A1", "S-A2", "S-A3"])),
        NOW,
    );

    assert_eq!(
        right_of_aisle,
        Rejection::SingleSeatGap {
            ticket: ticket("S-A5"),
        }
    );
    assert_eq!(
        left_of_aisle,
        Rejection::SingleSeatGap {
            ticket: ticket("S-A4"),
        }
    );
    accept(&mut performance, &place(1, seats(&["S-A5", "S-A6"])), NOW);
}

#[test]
fn a_selection_leaving_a_lone_seat_beside_a_sold_seat_is_refused_and_names_it() {
    let mut performance = performance(&[&[(1, 8)]], strict());
    sell_to_another_buyer(&mut performance, &["S-A3", "S-A4"]);

    let rejection = refuse(&mut performance, &place(1, seats(&["S-A6", "S-A7"])), NOW);

    assert_eq!(
        rejection,
        Rejection::SingleSeatGap {
            ticket: ticket("S-A5"),
        }
    );
}

#[test]
fn a_selection_leaving_a_lone_seat_beside_a_held_seat_is_refused_and_names_it() {
    let mut performance = performance(&[&[(1, 8)]], strict());
    accept(
        &mut performance,
        &place(OTHER, seats(&["S-A1", "S-A2"])),
        NOW,
    );

    let rejection = refuse(&mut performance, &place(1, seats(&["S-A4", "S-A5"])), NOW);

    assert_eq!(
        rejection,
        Rejection::SingleSeatGap {
            ticket: ticket("S-A3"),
        }
    );
}

#[test]
fn a_selection_leaving_a_lone_seat_beside_a_withheld_seat_is_refused_and_names_it() {
    let mut performance = performance(&[&[(1, 8)]], strict());
    accept(&mut performance, &holdbacks(&["S-A8"], &[]), NOW);

    let rejection = refuse(
        &mut performance,
        &place(1, seats(&["S-A4", "S-A5", "S-A6"])),
        NOW,
    );

    assert_eq!(
        rejection,
        Rejection::SingleSeatGap {
            ticket: ticket("S-A7"),
        }
    );
}

#[test]
fn two_seats_with_one_free_seat_between_them_are_refused_under_the_gap_rule() {
    let mut performance = performance(&[&[(1, 8)]], gaps_only());

    let rejection = refuse(&mut performance, &place(1, seats(&["S-A3", "S-A5"])), NOW);

    assert_eq!(
        rejection,
        Rejection::SingleSeatGap {
            ticket: ticket("S-A4"),
        }
    );
    accept(&mut performance, &place(1, seats(&["S-A3", "S-A6"])), NOW);
}

#[test]
fn a_selection_that_leaves_no_new_lone_seat_is_allowed_beside_an_existing_one() {
    let mut performance = performance(&[&[(1, 8)]], strict());
    // Holdbacks are not holds, so withholding S-A2 may leave S-A1 alone at the block start.
    accept(&mut performance, &holdbacks(&["S-A2"], &[]), NOW);

    let new_lone_seat = refuse(&mut performance, &place(1, seats(&["S-A4", "S-A5"])), NOW);
    accept(
        &mut performance,
        &place(1, seats(&["S-A3", "S-A4", "S-A5"])),
        NOW,
    );
    accept(
        &mut performance,
        &place(2, seats(&["S-A6", "S-A7", "S-A8"])),
        NOW,
    );

    assert_eq!(
        new_lone_seat,
        Rejection::SingleSeatGap {
            ticket: ticket("S-A3"),
        }
    );
    assert_eq!(status(&performance, "S-A1"), SeatStatus::Free);
    assert_eq!(performance.counts().available, 1);
}

#[test]
fn holding_the_only_seat_of_a_one_seat_block_is_allowed_under_the_gap_rule() {
    let mut performance = performance(&[&[(1, 1), (2, 5)]], strict());

    accept(&mut performance, &place(1, seats(&["S-A1"])), NOW);

    assert!(is_held(status(&performance, "S-A1")));
}

#[test]
fn with_the_gap_rule_off_a_lone_seat_may_be_left() {
    let mut performance = performance(&[&[(1, 6)]], rules(true, false, &[2]));

    accept(&mut performance, &place(1, seats(&["S-A2", "S-A3"])), NOW);

    assert_eq!(status(&performance, "S-A1"), SeatStatus::Free);
}

// ---------------------------------------------------------------------------------------------
// The order of errors for specific seats: 404 unknown → 422 quantity, contiguity → 409 taken
// → 422 gap.
// ---------------------------------------------------------------------------------------------

#[test]
fn an_unknown_seat_is_reported_before_a_disallowed_quantity() {
    let mut performance = performance(&[&[(1, 8)]], rules(true, true, &[2]));

    let rejection = refuse(
        &mut performance,
        &place(1, seats(&["S-A1", "S-A2", "S-Z9"])),
        NOW,
    );

    assert!(
        matches!(rejection, Rejection::UnknownSeat { .. }),
        "{rejection:?}"
    );
}

#[test]
fn a_disallowed_quantity_is_reported_before_a_taken_seat() {
    let mut performance = performance(&[&[(1, 8)]], rules(true, true, &[2, 3]));
    accept(
        &mut performance,
        &place(OTHER, seats(&["S-A1", "S-A2"])),
        NOW,
    );

    let rejection = refuse(&mut performance, &place(1, seats(&["S-A2"])), NOW);

    assert!(
        matches!(
            rejection,
            Rejection::QuantityNotAllowed { requested: 1, .. }
        ),
        "{rejection:?}"
    );
}

#[test]
fn a_non_adjacent_selection_is_reported_before_a_taken_seat() {
    let mut performance = performance(&[&[(1, 8)]], rules(true, true, &[2, 3]));
    accept(
        &mut performance,
        &place(OTHER, seats(&["S-A1", "S-A2"])),
        NOW,
    );

    let rejection = refuse(&mut performance, &place(1, seats(&["S-A2", "S-A5"])), NOW);

    assert!(
        matches!(rejection, Rejection::NotContiguous { .. }),
        "{rejection:?}"
    );
}

#[test]
fn a_taken_seat_is_reported_before_a_single_seat_gap() {
    let mut performance = performance(&[&[(1, 8)]], strict());
    accept(&mut performance, &holdbacks(&["S-A3"], &[]), NOW);

    // S-A2..A3 would leave S-A1 alone, but S-A3 is withheld, which is reported first.
    let rejection = refuse(&mut performance, &place(1, seats(&["S-A2", "S-A3"])), NOW);

    assert_eq!(
        rejection,
        Rejection::SeatUnavailable {
            seats: vec![(ticket("S-A3"), Unavailability::Withheld)],
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Best available
// ---------------------------------------------------------------------------------------------

fn best_seat_ids(performance: &mut Performance, number: u128, quantity: u32) -> Vec<String> {
    accept(performance, &place(number, best(quantity, None, &[])), NOW);
    hold_seat_ids(performance, number)
}

#[test]
fn best_available_takes_the_front_row_first() {
    let mut performance = performance(&[&[(1, 6)], &[(1, 6)]], strict());

    assert_eq!(
        best_seat_ids(&mut performance, 1, 2),
        ["S-A3", "S-A4"],
        "the middle of the front row"
    );
    assert_eq!(best_seat_ids(&mut performance, 2, 2), ["S-A1", "S-A2"]);
    assert_eq!(best_seat_ids(&mut performance, 3, 2), ["S-A5", "S-A6"]);
    assert_eq!(
        best_seat_ids(&mut performance, 4, 2),
        ["S-B3", "S-B4"],
        "row B once row A is full"
    );
}

#[test]
fn best_available_centres_the_seats_in_a_row_of_odd_length() {
    let mut one = performance(&[&[(1, 9)]], relaxed());
    let mut two = performance(&[&[(1, 9)]], relaxed());
    let mut three = performance(&[&[(1, 9)]], relaxed());

    assert_eq!(best_seat_ids(&mut one, 1, 1), ["S-A5"]);
    assert_eq!(
        best_seat_ids(&mut two, 1, 2),
        ["S-A4", "S-A5"],
        "a tie goes to the left"
    );
    assert_eq!(best_seat_ids(&mut three, 1, 3), ["S-A4", "S-A5", "S-A6"]);
}

#[test]
fn best_available_centres_the_seats_in_a_row_of_even_length() {
    let mut one = performance(&[&[(1, 10)]], relaxed());
    let mut two = performance(&[&[(1, 10)]], relaxed());
    let mut three = performance(&[&[(1, 10)]], relaxed());

    assert_eq!(
        best_seat_ids(&mut one, 1, 1),
        ["S-A5"],
        "a tie goes to the left"
    );
    assert_eq!(best_seat_ids(&mut two, 1, 2), ["S-A5", "S-A6"]);
    assert_eq!(best_seat_ids(&mut three, 1, 3), ["S-A4", "S-A5", "S-A6"]);
}

#[test]
fn best_available_centres_on_the_whole_row_across_its_aisles() {
    let mut performance = performance(&[&[(1, 3), (4, 9)]], relaxed());

    // The row's centre is seat 5, which lies in the right-hand block.
    assert_eq!(
        best_seat_ids(&mut performance, 1, 3),
        ["S-A4", "S-A5", "S-A6"]
    );
}

#[test]
fn best_available_keeps_the_seats_inside_one_block() {
    let mut performance = performance(&[&[(1, 3), (4, 6)], &[(1, 4)]], relaxed());

    assert_eq!(
        best_seat_ids(&mut performance, 1, 4),
        ["S-B1", "S-B2", "S-B3", "S-B4"],
        "row A has six free seats but no four in one block"
    );
    let rejection = refuse(&mut performance, &place(2, best(4, None, &[])), NOW);
    assert_eq!(
        rejection,
        Rejection::InsufficientAvailability {
            requested: 4,
            available: 6,
            what: "seats",
        }
    );
}

fn two_band_spec() -> PlanSpec {
    // Row A in band A (65.00), row B in band C (30.00), pool GA in band B.
    let mut spec = plan_spec(&[&[(1, 6)], &[(1, 6)]]);
    spec.price_bands.push(band("C", "30.00"));
    spec.sections[0].rows[1].blocks[0].price_band = "C".into();
    spec
}

#[test]
fn best_available_only_looks_in_the_requested_price_band() {
    let mut performance = performance_from(two_band_spec(), strict());

    accept(&mut performance, &place(1, best(2, Some("C"), &[])), NOW);
    accept(&mut performance, &place(2, best(2, Some("A"), &[])), NOW);

    assert_eq!(hold_seat_ids(&performance, 1), ["S-B3", "S-B4"]);
    assert_eq!(hold_seat_ids(&performance, 2), ["S-A3", "S-A4"]);
    let rejection = refuse(&mut performance, &place(3, best(2, Some("B"), &[])), NOW);
    assert_eq!(
        rejection,
        Rejection::InsufficientAvailability {
            requested: 2,
            available: 0,
            what: "seats",
        },
        "band B has only general-admission places"
    );
}

#[test]
fn best_available_refuses_an_unknown_price_band() {
    let mut performance = performance(&[&[(1, 6)]], strict());

    let rejection = refuse(&mut performance, &place(1, best(2, Some("Z"), &[])), NOW);

    assert_eq!(rejection, Rejection::UnknownPriceBand { code: "Z".into() });
    assert_eq!(rejection.code(), "not_found");
}

#[test]
fn best_available_moves_to_another_row_rather_than_leave_a_single_seat_gap() {
    let mut performance = performance(&[&[(1, 5)], &[(1, 8)]], strict());

    assert_eq!(
        best_seat_ids(&mut performance, 1, 4),
        ["S-B3", "S-B4", "S-B5", "S-B6"],
        "four of row A's five seats would leave one alone"
    );
}

#[test]
fn best_available_refuses_when_every_window_would_leave_a_single_seat_gap() {
    let mut performance = performance(&[&[(1, 5)]], strict());

    let rejection = refuse(&mut performance, &place(1, best(4, None, &[])), NOW);

    assert_eq!(
        rejection,
        Rejection::InsufficientAvailability {
            requested: 4,
            available: 5,
            what: "seats",
        }
    );
    let mut relaxed = performance_from(plan_spec(&[&[(1, 5)]]), relaxed());
    assert_eq!(
        best_seat_ids(&mut relaxed, 1, 4),
        ["S-A1", "S-A2", "S-A3", "S-A4"]
    );
}

#[test]
fn best_available_off_centre_to_avoid_a_single_seat_gap() {
    let mut performance = performance(&[&[(1, 7)]], strict());

    // The centred window A3..A5 would leave A1-A2 and A6-A7, which is fine; for four seats the
    // centred windows A2..A5 and A3..A6 each leave one seat alone, so the block end is taken.
    assert_eq!(
        best_seat_ids(&mut performance, 1, 4),
        ["S-A1", "S-A2", "S-A3", "S-A4"]
    );
}

#[test]
fn best_available_reports_insufficient_availability_with_the_free_count() {
    let mut performance = performance(&[&[(1, 3)], &[(1, 3)]], relaxed());
    accept(&mut performance, &holdbacks(&["S-B2"], &[]), NOW);
    accept(&mut performance, &place(1, seats(&["S-A1"])), NOW);

    let rejection = refuse(&mut performance, &place(2, best(3, None, &[])), NOW);

    assert_eq!(
        rejection,
        Rejection::InsufficientAvailability {
            requested: 3,
            available: 4,
            what: "seats",
        }
    );
    assert_eq!(rejection.code(), "insufficient_availability");
}

#[test]
fn best_available_without_preferred_seats_reports_not_requested() {
    let mut performance = performance(&[&[(1, 6)]], strict());

    accept(&mut performance, &place(1, best(2, None, &[])), NOW);

    let hold = performance.hold(transaction(1)).unwrap();
    assert_eq!(hold.seat_request_status, SeatRequestStatus::NotRequested);
}

#[test]
fn best_available_reports_got_all_when_every_preferred_seat_is_given() {
    let mut performance = performance(&[&[(1, 8)], &[(1, 8)]], strict());

    accept(
        &mut performance,
        &place(1, best(2, None, &["S-B7", "S-B8"])),
        NOW,
    );

    let hold = performance.hold(transaction(1)).unwrap();
    assert_eq!(hold.seat_request_status, SeatRequestStatus::GotAll);
    assert_eq!(hold_seat_ids(&performance, 1), ["S-B7", "S-B8"]);
}

#[test]
fn best_available_gives_exactly_the_preferred_seats_apart_when_adjacency_is_not_required() {
    let mut performance = performance(&[&[(1, 8)]], relaxed());

    accept(
        &mut performance,
        &place(1, best(2, None, &["S-A8", "S-A1"])),
        NOW,
    );

    let hold = performance.hold(transaction(1)).unwrap();
    assert_eq!(hold.seat_request_status, SeatRequestStatus::GotAll);
    assert_eq!(hold_seat_ids(&performance, 1), ["S-A1", "S-A8"]);
}

#[test]
fn best_available_reports_got_some_when_only_some_preferred_seats_fit() {
    let mut performance = performance(&[&[(1, 8)]], strict());

    // A1 and A8 cannot share a window of two adjacent seats.
    accept(
        &mut performance,
        &place(1, best(2, None, &["S-A1", "S-A8"])),
        NOW,
    );

    let hold = performance.hold(transaction(1)).unwrap();
    assert_eq!(hold.seat_request_status, SeatRequestStatus::GotSome);
    assert_eq!(hold_seat_ids(&performance, 1), ["S-A1", "S-A2"]);
}

#[test]
fn best_available_reports_got_none_when_no_preferred_seat_is_free() {
    let mut performance = performance(&[&[(1, 8)], &[(1, 8)]], strict());
    sell_to_another_buyer(&mut performance, &["S-B1", "S-B2"]);

    accept(
        &mut performance,
        &place(1, best(2, None, &["S-B1", "S-B2"])),
        NOW,
    );

    let hold = performance.hold(transaction(1)).unwrap();
    assert_eq!(hold.seat_request_status, SeatRequestStatus::GotNone);
    assert_eq!(hold_seat_ids(&performance, 1), ["S-A4", "S-A5"]);
}

#[test]
fn best_available_refuses_unknown_or_repeated_preferred_seats() {
    let mut performance = performance(&[&[(1, 8)]], strict());

    let unknown = refuse(&mut performance, &place(1, best(2, None, &["S-A9"])), NOW);
    let repeated = refuse(
        &mut performance,
        &place(1, best(2, None, &["S-A2", "S-A2"])),
        NOW,
    );

    assert!(
        matches!(unknown, Rejection::UnknownSeat { .. }),
        "{unknown:?}"
    );
    assert!(
        matches!(repeated, Rejection::DuplicateTicket { .. }),
        "{repeated:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// The life of a hold
// ---------------------------------------------------------------------------------------------

#[test]
fn extending_a_hold_resets_its_expiry_to_now_plus_the_hold_time_and_checks_it_out() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A1"])), NOW);
    let later = Timestamp(NOW.0 + 250_000);

    let change = accept(&mut performance, &extend(1), later);

    let expires_at = later.plus_seconds(HOLD_SECONDS);
    assert_eq!(
        change,
        Change::HoldExtended {
            transaction: transaction(1),
            expires_at,
        }
    );
    let hold = performance.hold(transaction(1)).unwrap();
    assert_eq!(hold.expires_at, expires_at);
    assert_eq!(hold.state, HoldState::CheckedOut);
    assert_eq!(performance.next_expiry(), Some(expires_at));
}

#[test]
fn an_extended_hold_outlives_its_first_expiry() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A1"])), NOW);
    let first_expiry = NOW.plus_seconds(HOLD_SECONDS);
    accept(&mut performance, &extend(1), Timestamp(first_expiry.0 - 1));

    accept_unchanged(&mut performance, &Command::ExpireHolds, first_expiry);

    assert_eq!(hold_state(&performance, 1), HoldState::CheckedOut);
    accept(&mut performance, &sell(1), first_expiry);
}

#[test]
fn selling_a_hold_marks_its_seats_sold_with_one_16_digit_barcode_per_ticket() {
    let mut performance = performance(&[&[(1, 6)]], relaxed());
    accept(
        &mut performance,
        &place(1, seats(&["S-A1", "S-A2", "S-A3"])),
        NOW,
    );
    accept(&mut performance, &extend(1), NOW);

    let change = accept(&mut performance, &sell(1), NOW);

    let Change::HoldSold {
        transaction: sold,
        sale,
    } = change
    else {
        panic!("expected a sale, got {change:?}");
    };
    assert_eq!(sold, transaction(1));
    assert_eq!(sale.order_number, OrderNumber(100_001));
    assert_eq!(sale.sold_at, NOW);
    assert_eq!(sale.barcodes.len(), 3);
    for barcode in &sale.barcodes {
        assert_eq!(barcode.len(), 16, "{barcode}");
        assert!(barcode.bytes().all(|b| b.is_ascii_digit()), "{barcode}");
    }
    let hold = performance.hold(transaction(1)).unwrap();
    assert_eq!(hold.state, HoldState::Sold);
    assert_eq!(hold.sale, Some(sale));
    for id in ["S-A1", "S-A2", "S-A3"] {
        assert_eq!(status(&performance, id), SeatStatus::Sold(0), "{id}");
    }
    assert_eq!(performance.next_expiry(), None);
    assert_eq!(performance.counts().sold, 3);
}

#[test]
fn selling_general_admission_gives_one_barcode_per_place() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, places(&[("GA", 4)])), NOW);

    let change = accept(&mut performance, &sell(1), NOW);

    let Change::HoldSold { sale, .. } = change else {
        panic!("expected a sale, got {change:?}");
    };
    assert_eq!(sale.barcodes.len(), 4);
    assert!(sale.barcodes.iter().all(|b| b.len() == 16));
}

#[test]
fn selling_a_sold_hold_again_changes_nothing() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A1"])), NOW);
    accept(&mut performance, &sell(1), NOW);

    accept_unchanged(&mut performance, &sell(1), NOW);
    accept_unchanged(
        &mut performance,
        &sell(1),
        NOW.plus_seconds(HOLD_SECONDS * 2),
    );

    assert!(is_sold(status(&performance, "S-A1")));
}

#[test]
fn releasing_a_hold_frees_its_seats() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A1", "S-A2"])), NOW);

    let change = accept(&mut performance, &release(1), NOW);

    assert_eq!(
        change,
        Change::HoldReleased {
            transaction: transaction(1),
        }
    );
    assert_eq!(hold_state(&performance, 1), HoldState::Released);
    assert_eq!(status(&performance, "S-A1"), SeatStatus::Free);
    assert_eq!(status(&performance, "S-A2"), SeatStatus::Free);
    assert_eq!(performance.counts().available, 4);
    assert_eq!(performance.next_expiry(), None);
    accept_unchanged(&mut performance, &release(1), NOW);
}

#[test]
fn releasing_a_sold_hold_changes_nothing_and_its_seats_stay_sold() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A1", "S-A2"])), NOW);
    accept(&mut performance, &sell(1), NOW);

    accept_unchanged(&mut performance, &release(1), NOW);

    assert_eq!(hold_state(&performance, 1), HoldState::Sold);
    assert!(is_sold(status(&performance, "S-A1")));
    assert!(is_sold(status(&performance, "S-A2")));
}

#[test]
fn extending_or_selling_at_or_after_expires_at_is_refused_as_lock_expired() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A1"])), NOW);
    let expires_at = NOW.plus_seconds(HOLD_SECONDS);

    // Before the caller expires due holds, decide still refuses an overdue lock.
    for now in [expires_at, Timestamp(expires_at.0 + 1)] {
        assert_eq!(
            refuse(&mut performance, &extend(1), now),
            Rejection::LockExpired
        );
        assert_eq!(
            refuse(&mut performance, &sell(1), now),
            Rejection::LockExpired
        );
    }
    accept(&mut performance, &Command::ExpireHolds, expires_at);
    assert_eq!(
        refuse(&mut performance, &extend(1), expires_at),
        Rejection::LockExpired
    );
    let rejection = refuse(&mut performance, &sell(1), expires_at);
    assert_eq!(rejection, Rejection::LockExpired);
    assert_eq!(rejection.code(), "lock_expired");
}

#[test]
fn extending_or_selling_a_millisecond_before_expires_at_is_accepted() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A1"])), NOW);
    let last_moment = Timestamp(NOW.plus_seconds(HOLD_SECONDS).0 - 1);

    accept(&mut performance, &extend(1), last_moment);
    let last_moment = Timestamp(last_moment.plus_seconds(HOLD_SECONDS).0 - 1);
    accept(&mut performance, &sell(1), last_moment);
}

#[test]
fn expiring_holds_at_exactly_expires_at_releases_them_but_not_a_millisecond_before() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A1"])), NOW);
    accept(
        &mut performance,
        &place(2, seats(&["S-A2"])),
        Timestamp(NOW.0 + 5),
    );
    let expires_at = NOW.plus_seconds(HOLD_SECONDS);

    accept_unchanged(
        &mut performance,
        &Command::ExpireHolds,
        Timestamp(expires_at.0 - 1),
    );
    assert!(
        performance
            .hold(transaction(1))
            .unwrap()
            .is_live(Timestamp(expires_at.0 - 1))
    );
    let change = accept(&mut performance, &Command::ExpireHolds, expires_at);

    assert_eq!(
        change,
        Change::HoldsExpired {
            transactions: vec![transaction(1)],
        }
    );
    assert_eq!(hold_state(&performance, 1), HoldState::Expired);
    assert_eq!(status(&performance, "S-A1"), SeatStatus::Free);
    assert!(is_held(status(&performance, "S-A2")));
    assert_eq!(performance.next_expiry(), Some(Timestamp(expires_at.0 + 5)));
    accept_unchanged(&mut performance, &Command::ExpireHolds, expires_at);
}

#[test]
fn expiring_holds_releases_every_due_hold_in_expiry_order() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(
        &mut performance,
        &place(2, seats(&["S-A2"])),
        Timestamp(NOW.0 + 7),
    );
    accept(&mut performance, &place(1, seats(&["S-A1"])), NOW);
    accept(&mut performance, &place(3, places(&[("GA", 2)])), NOW);
    accept(&mut performance, &sell(3), NOW);

    let change = accept(
        &mut performance,
        &Command::ExpireHolds,
        NOW.plus_seconds(HOLD_SECONDS * 2),
    );

    assert_eq!(
        change,
        Change::HoldsExpired {
            transactions: vec![transaction(1), transaction(2)],
        }
    );
    assert_eq!(performance.counts().available, 4);
    assert_eq!(hold_state(&performance, 3), HoldState::Sold);
}

#[test]
fn holding_at_or_after_the_start_of_the_performance_is_refused() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());

    for now in [STARTS_AT, Timestamp(STARTS_AT.0 + 1)] {
        for selection in [seats(&["S-A1"]), best(1, None, &[]), places(&[("GA", 1)])] {
            let rejection = refuse(&mut performance, &place(1, selection), now);
            assert_eq!(rejection, Rejection::PerformanceStarted);
        }
    }
    accept(
        &mut performance,
        &place(1, seats(&["S-A1"])),
        Timestamp(STARTS_AT.0 - 1),
    );
}

#[test]
fn commands_on_an_unknown_transaction_are_refused() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());

    for command in [extend(7), sell(7), release(7)] {
        let rejection = refuse(&mut performance, &command, NOW);
        assert_eq!(rejection, Rejection::UnknownTransaction, "{command:?}");
    }
}

#[test]
fn selling_or_extending_a_released_hold_is_refused_as_an_invalid_state() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A1"])), NOW);
    accept(&mut performance, &release(1), NOW);

    assert_eq!(
        refuse(&mut performance, &sell(1), NOW),
        Rejection::InvalidState {
            state: HoldState::Released,
            action: "complete",
        }
    );
    assert_eq!(
        refuse(&mut performance, &extend(1), NOW),
        Rejection::InvalidState {
            state: HoldState::Released,
            action: "check out",
        }
    );
}

#[test]
fn extending_a_sold_hold_is_refused_as_an_invalid_state() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A1"])), NOW);
    accept(&mut performance, &sell(1), NOW);

    let rejection = refuse(&mut performance, &extend(1), NOW);

    assert!(
        matches!(
            rejection,
            Rejection::InvalidState {
                state: HoldState::Sold,
                ..
            }
        ),
        "{rejection:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// General admission
// ---------------------------------------------------------------------------------------------

#[test]
fn an_unknown_pool_is_refused_as_unknown_pool() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());

    let rejection = refuse(
        &mut performance,
        &place(1, places(&[("GA", 1), ("VIP", 1)])),
        NOW,
    );

    assert_eq!(rejection, Rejection::UnknownPool { code: "VIP".into() });
    assert_eq!(rejection.code(), "not_found");
}

#[test]
fn more_places_than_a_pool_has_free_are_refused_as_insufficient_availability() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, places(&[("GA", 7)])), NOW);

    let rejection = refuse(&mut performance, &place(2, places(&[("GA", 4)])), NOW);

    assert_eq!(
        rejection,
        Rejection::InsufficientAvailability {
            requested: 4,
            available: 3,
            what: "places",
        }
    );
    accept(&mut performance, &place(2, places(&[("GA", 3)])), NOW);
    assert_eq!(performance.pool_available(0), 0);
}

#[test]
fn selling_general_admission_moves_its_places_from_held_to_sold() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, places(&[("GA", 3)])), NOW);
    assert_eq!(
        performance.pool_counts()[0],
        PoolCounts { held: 3, sold: 0 }
    );

    accept(&mut performance, &sell(1), NOW);

    assert_eq!(
        performance.pool_counts()[0],
        PoolCounts { held: 0, sold: 3 }
    );
    assert_eq!(performance.pool_available(0), 7);
}

#[test]
fn releasing_or_expiring_general_admission_returns_its_places() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, places(&[("GA", 3)])), NOW);
    accept(
        &mut performance,
        &place(2, places(&[("GA", 5)])),
        Timestamp(NOW.0 + 1),
    );

    accept(&mut performance, &release(1), NOW);
    assert_eq!(
        performance.pool_counts()[0],
        PoolCounts { held: 5, sold: 0 }
    );
    accept(
        &mut performance,
        &Command::ExpireHolds,
        NOW.plus_seconds(HOLD_SECONDS * 2),
    );

    assert_eq!(performance.pool_counts()[0], PoolCounts::default());
    assert_eq!(performance.pool_available(0), 10);
}

#[test]

fn naming_a_pool_twice_cannot_hold_more_places_than_it_has() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());

    // 6 + 6 = 12 places of a 10-place pool: each entry alone fits, together they do not.
    let rejection = refuse(
        &mut performance,
        &place(1, places(&[("GA", 6), ("GA", 6)])),
        NOW,
    );

    assert_eq!(
        rejection,
        Rejection::InsufficientAvailability {
            requested: 12,
            available: 10,
            what: "places",
        }
    );
}

#[test]
fn a_pool_named_twice_is_held_as_one_entry_with_the_quantities_added() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());

    let change = accept(
        &mut performance,
        &place(1, places(&[("GA", 4), ("GA", 5)])),
        NOW,
    );

    let Change::HoldPlaced(hold) = change else {
        panic!("expected a placed hold, got {change:?}");
    };
    assert_eq!(
        hold.places,
        vec![PoolPlaces {
            pool: 0,
            quantity: 9
        }]
    );
    assert_eq!(performance.pool_available(0), 1);
}

// ---------------------------------------------------------------------------------------------
// Holdbacks
// ---------------------------------------------------------------------------------------------

#[test]
fn withholding_free_seats_takes_them_off_sale() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());

    let change = accept(&mut performance, &holdbacks(&["S-A3", "S-A1"], &[]), NOW);

    assert_eq!(
        change,
        Change::HoldbacksChanged {
            withheld: vec![0, 2],
            returned: vec![],
        }
    );
    assert_eq!(status(&performance, "S-A1"), SeatStatus::Withheld);
    assert_eq!(status(&performance, "S-A3"), SeatStatus::Withheld);
    assert_eq!(performance.counts().withheld, 2);
    assert_eq!(performance.counts().available, 2);
}

#[test]
fn withholding_an_already_withheld_seat_changes_nothing() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &holdbacks(&["S-A1"], &[]), NOW);

    accept_unchanged(&mut performance, &holdbacks(&["S-A1"], &[]), NOW);
    accept_unchanged(&mut performance, &holdbacks(&[], &["S-A2"]), NOW);

    let change = accept(&mut performance, &holdbacks(&["S-A1", "S-A2"], &[]), NOW);
    assert_eq!(
        change,
        Change::HoldbacksChanged {
            withheld: vec![1],
            returned: vec![],
        },
        "only the seat that was free is withheld"
    );
}

#[test]
fn withholding_a_held_or_sold_seat_is_refused() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A1"])), NOW);
    sell_to_another_buyer(&mut performance, &["S-A2"]);

    let rejection = refuse(
        &mut performance,
        &holdbacks(&["S-A1", "S-A2", "S-A3"], &[]),
        NOW,
    );

    assert_eq!(
        rejection,
        Rejection::SeatUnavailable {
            seats: vec![
                (ticket("S-A1"), Unavailability::Held),
                (ticket("S-A2"), Unavailability::Sold),
            ],
        }
    );
    assert_eq!(status(&performance, "S-A3"), SeatStatus::Free);
}

#[test]
fn releasing_a_holdback_puts_the_seat_back_on_sale() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &holdbacks(&["S-A1", "S-A2"], &[]), NOW);
    refuse(&mut performance, &place(1, seats(&["S-A1", "S-A2"])), NOW);

    let change = accept(
        &mut performance,
        &holdbacks(&["S-A4"], &["S-A2", "S-A1"]),
        NOW,
    );

    assert_eq!(
        change,
        Change::HoldbacksChanged {
            withheld: vec![3],
            returned: vec![0, 1],
        }
    );
    assert_eq!(status(&performance, "S-A1"), SeatStatus::Free);
    assert_eq!(status(&performance, "S-A2"), SeatStatus::Free);
    accept(&mut performance, &place(1, seats(&["S-A1", "S-A2"])), NOW);
}

#[test]
fn the_same_seat_to_withhold_and_to_release_is_a_duplicate_ticket() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());

    let rejection = refuse(
        &mut performance,
        &holdbacks(&["S-A1", "S-A2"], &["S-A2"]),
        NOW,
    );

    assert_eq!(
        rejection,
        Rejection::DuplicateTicket {
            ticket: ticket("S-A2"),
        }
    );
}

#[test]
fn holdbacks_of_unknown_seats_are_refused() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());

    let withhold = refuse(&mut performance, &holdbacks(&["S-A9"], &[]), NOW);
    let release = refuse(&mut performance, &holdbacks(&[], &["S-B1"]), NOW);

    assert_eq!(
        withhold,
        Rejection::UnknownSeat {
            ticket: ticket("S-A9")
        }
    );
    assert_eq!(
        release,
        Rejection::UnknownSeat {
            ticket: ticket("S-B1")
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Counts and versions
// ---------------------------------------------------------------------------------------------

#[test]
fn counts_per_band_always_add_up_to_the_band_capacity() {
    let mut performance = performance_from(two_band_spec(), relaxed());
    let check = |performance: &Performance| {
        assert_eq!(performance.band_counts()[0].total(), 6, "band A");
        assert_eq!(
            performance.band_counts()[1].total(),
            0,
            "band B has no seats"
        );
        assert_eq!(performance.band_counts()[2].total(), 6, "band C");
        assert_eq!(performance.counts().total(), 12);
    };
    check(&performance);

    accept(&mut performance, &place(1, seats(&["S-A1", "S-B1"])), NOW);
    check(&performance);
    accept(&mut performance, &place(2, seats(&["S-A2", "S-A3"])), NOW);
    accept(&mut performance, &sell(2), NOW);
    check(&performance);
    accept(&mut performance, &holdbacks(&["S-B6"], &[]), NOW);
    check(&performance);

    assert_eq!(
        performance.band_counts()[0],
        Counts {
            available: 3,
            held: 1,
            sold: 2,
            withheld: 0,
        }
    );
    assert_eq!(
        performance.band_counts()[2],
        Counts {
            available: 4,
            held: 1,
            sold: 0,
            withheld: 1,
        }
    );
    accept(&mut performance, &release(1), NOW);
    check(&performance);
    assert_eq!(performance.band_counts()[2].available, 5);
}

#[test]
fn the_version_grows_by_one_per_applied_change_only() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    assert_eq!(performance.version(), 0);

    accept(&mut performance, &place(1, seats(&["S-A1"])), NOW);
    assert_eq!(performance.version(), 1);
    refuse(&mut performance, &place(2, seats(&["S-A1"])), NOW);
    assert_eq!(performance.version(), 1);
    accept(&mut performance, &extend(1), NOW);
    accept(&mut performance, &sell(1), NOW);
    assert_eq!(performance.version(), 3);
    accept_unchanged(&mut performance, &sell(1), NOW);
    accept_unchanged(&mut performance, &release(1), NOW);
    accept_unchanged(&mut performance, &Command::ExpireHolds, NOW);
    assert_eq!(performance.version(), 3);
    accept(&mut performance, &place(2, places(&[("GA", 1)])), NOW);
    accept(&mut performance, &place(3, seats(&["S-A2"])), NOW);
    accept(
        &mut performance,
        &Command::ExpireHolds,
        NOW.plus_seconds(HOLD_SECONDS),
    );
    assert_eq!(performance.version(), 6, "one expiry change for two holds");
}

#[test]
fn replaying_the_changes_on_a_fresh_performance_gives_the_same_state() {
    let mut live = performance(&[&[(1, 6)], &[(1, 6)]], strict());
    let commands = [
        (place(1, best(2, None, &[])), NOW),
        (place(2, seats(&["S-B1", "S-B2"])), NOW),
        (holdbacks(&["S-B6"], &[]), NOW),
        (place(3, places(&[("GA", 4)])), NOW),
        (extend(1), Timestamp(NOW.0 + 10)),
        (sell(1), Timestamp(NOW.0 + 20)),
        (release(2), Timestamp(NOW.0 + 30)),
        (Command::ExpireHolds, NOW.plus_seconds(HOLD_SECONDS)),
    ];
    let changes: Vec<Change> = commands
        .iter()
        .map(|(command, now)| accept(&mut live, command, *now))
        .collect();

    let mut replayed = performance(&[&[(1, 6)], &[(1, 6)]], strict());
    for change in &changes {
        replayed.apply(change);
    }

    assert!(replayed == live);
}

// ---------------------------------------------------------------------------------------------
// Free runs
// ---------------------------------------------------------------------------------------------

#[test]
fn free_runs_lists_the_maximal_runs_block_by_block() {
    let mut performance = performance(&[&[(1, 6), (7, 8)], &[(1, 3)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A3"])), NOW);
    accept(
        &mut performance,
        &holdbacks(&["S-B1", "S-B2", "S-B3"], &[]),
        NOW,
    );

    let runs = performance.free_runs(None, None);

    assert_eq!(runs, vec![(0, 0..2), (0, 3..6), (1, 6..8)]);
}

#[test]
fn with_the_gap_rule_a_run_one_seat_longer_than_the_quantity_is_left_out() {
    // Blocks of 3, 4 and 5 free seats; a quantity of 3.
    let rows: &[&[(u32, u32)]] = &[&[(1, 3), (4, 7), (8, 12)]];
    let gaps = performance(rows, strict());
    let no_gaps = performance(rows, relaxed());

    assert_eq!(gaps.free_runs(Some(3), None), vec![(0, 0..3), (2, 7..12)]);
    assert_eq!(
        no_gaps.free_runs(Some(3), None),
        vec![(0, 0..3), (1, 3..7), (2, 7..12)]
    );
    assert_eq!(gaps.free_runs(Some(6), None), vec![]);
}

#[test]
fn free_runs_keeps_to_the_requested_price_band() {
    let performance = performance_from(two_band_spec(), relaxed());

    assert_eq!(performance.free_runs(None, Some(2)), vec![(1, 6..12)]);
    assert_eq!(performance.free_runs(None, Some(1)), vec![]);
}

#[test]
fn items_at_one_performance_hold_their_union_and_each_keeps_its_own_rules() {
    let mut performance = performance(&[&[(1, 10)], &[(1, 10)]], relaxed());
    let items = Selection::Items(vec![
        seats(&["S-A1", "S-A2"]),
        best(2, None, &[]),
        places(&[("GA", 1)]),
        places(&[("GA", 2)]),
    ]);
    accept(&mut performance, &place(1, items), NOW);
    let hold = performance.hold(transaction(1)).expect("held");
    assert_eq!(hold.seats.len(), 4, "two picked and two best, none twice");
    assert!(hold.seats.contains(&seat(&performance, "S-A1")));
    assert_eq!(hold.places.len(), 1, "places of one pool are merged");
    assert_eq!(hold.places[0].quantity, 3);
    assert_eq!(performance.counts().held, 4);
    assert_eq!(hold.seat_request_status, SeatRequestStatus::NotRequested);
}

#[test]
fn items_are_all_or_nothing_and_report_the_weakest_preference() {
    let mut performance = performance(&[&[(1, 10)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A5"])), NOW);
    let taken = Selection::Items(vec![seats(&["S-A1"]), seats(&["S-A5"])]);
    assert!(matches!(
        refuse(&mut performance, &place(2, taken), NOW),
        Rejection::SeatUnavailable { .. }
    ));
    let preferring = Selection::Items(vec![best(1, None, &["S-A9"]), best(1, None, &["S-A5"])]);
    accept(&mut performance, &place(3, preferring), NOW);
    let hold = performance.hold(transaction(3)).expect("held");
    assert_eq!(
        hold.seat_request_status,
        SeatRequestStatus::GotNone.weakest(SeatRequestStatus::GotAll)
    );
    assert!(matches!(
        refuse(
            &mut performance,
            &place(4, Selection::Items(Vec::new())),
            NOW
        ),
        Rejection::EmptyOrNestedItems
    ));
}
