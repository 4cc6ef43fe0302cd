//! Counts per band and pool, the version, and the free runs availability lists.

use super::*;

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
            allocated: 0,
        }
    );
    assert_eq!(
        performance.band_counts()[2],
        Counts {
            available: 4,
            held: 1,
            sold: 0,
            withheld: 1,
            allocated: 0,
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
