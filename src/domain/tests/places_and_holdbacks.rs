//! General-admission places, and seats taken off sale and put back.

use super::*;

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
    assert_eq!(rejection.code(), ErrorCode::NotFound);
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

#[test]
fn releasing_a_seat_that_is_not_withheld_is_refused_and_changes_nothing() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &holdbacks(&["S-A1"], &[]), NOW);
    accept(&mut performance, &place(1, seats(&["S-A3"])), NOW);
    let rejection = refuse(
        &mut performance,
        &holdbacks(&[], &["S-A1", "S-A2", "S-A3"]),
        NOW,
    );
    assert_eq!(
        rejection,
        Rejection::NotWithheld {
            tickets: vec!["perf:S-A2".into(), "perf:S-A3".into()]
        }
    );
    assert_eq!(rejection.code(), ErrorCode::InvalidState);
    assert_eq!(
        rejection.to_string(),
        "Seats S-A2, S-A3 are not withheld, so cannot be released"
    );
    accept(&mut performance, &holdbacks(&[], &["S-A1"]), NOW);
}
