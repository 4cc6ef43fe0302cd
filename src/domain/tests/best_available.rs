//! Best available: front rows first, then the centre, in one block, within the rules, trying
//! the preferred seats first.

use super::*;

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
    assert_eq!(rejection.code(), ErrorCode::NotFound);
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
    assert_eq!(rejection.code(), ErrorCode::InsufficientAvailability);
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
