//! Holding specific seats: the plan's seat ids, all-or-nothing selections, and the three rules
//! (`valid_quantities`, `contiguous_seats_only`, `no_single_seat_gaps`) in the contract's order
//! of errors.

use super::*;

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
    assert_eq!(rejection.code(), ErrorCode::SeatUnavailable);
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
    assert_eq!(rejection.code(), ErrorCode::NotFound);
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
    assert_eq!(rejection.code(), ErrorCode::InvalidRequest);
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
    assert_eq!(rejection.code(), ErrorCode::RuleViolation);
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
    assert_eq!(rejection.code(), ErrorCode::RuleViolation);
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
    assert_eq!(rejection.code(), ErrorCode::RuleViolation);
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
