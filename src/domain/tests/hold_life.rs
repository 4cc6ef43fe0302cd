//! The life of a hold: extend, sell, release, expire, prepare and roll back, and what each
//! refuses.

use super::*;

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
    assert_eq!(rejection.code(), ErrorCode::LockExpired);
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
