//! Channels' allocations, the sale status and holdbacks of places: an allocated seat is its
//! channel's (and admins') alone and returns to the allocation when given back; a quota of
//! places keeps them from everyone else until the channel's holds use them; ending an
//! allocation returns its unsold part; off sale and cancelled refuse what they must; and all
//! of it survives a snapshot and a compaction.

use super::*;

fn allocate(channel: &str, seats: &[&str], places: &[(&str, u32)]) -> Command {
    Command::Allocate {
        channel: channel.to_owned(),
        seats: seats.iter().map(|id| (*id).to_owned()).collect(),
        places: places
            .iter()
            .map(|&(code, quantity)| (code.to_owned(), quantity))
            .collect(),
    }
}

fn deallocate(channel: &str) -> Command {
    Command::Deallocate {
        channel: channel.to_owned(),
    }
}

fn place_as(number: u128, selection: Selection, access: Access) -> Command {
    match place(number, selection) {
        Command::PlaceHold {
            transaction,
            owner,
            ip,
            selection,
            lock_until,
            ..
        } => Command::PlaceHold {
            transaction,
            owner,
            ip,
            selection,
            lock_until,
            access,
        },
        _ => unreachable!("place makes a PlaceHold"),
    }
}

fn channel(name: &str) -> Access {
    Access::Channel(name.to_owned())
}

fn status_to(status: SaleStatus) -> Command {
    Command::SetStatus { status }
}

fn place_holdbacks(withhold: &[(&str, u32)], release: &[(&str, u32)]) -> Command {
    let pairs = |list: &[(&str, u32)]| {
        list.iter()
            .map(|&(code, quantity)| (code.to_owned(), quantity))
            .collect()
    };
    Command::ChangeHoldbacks {
        withhold: Vec::new(),
        release: Vec::new(),
        withhold_places: pairs(withhold),
        release_places: pairs(release),
    }
}

/// Captures and restores the inventory, as a restart from a snapshot does.
fn restarted(performance: &Performance) -> Performance {
    Performance::restore(
        performance.info().clone(),
        performance.shared_plan(),
        performance.state(),
    )
}

#[test]
fn an_allocated_seat_is_its_channels_alone_and_comes_back_to_it() {
    let mut performance = performance(&[&[(1, 6)]], relaxed());
    accept(
        &mut performance,
        &allocate("redchair", &["S-A3", "S-A4"], &[]),
        NOW,
    );
    assert_eq!(status(&performance, "S-A3"), SeatStatus::Allocated);
    assert_eq!(performance.counts().allocated, 2);
    assert_eq!(performance.counts().available, 4);
    // The public, and another channel, are refused it by name.
    for access in [Access::Public, channel("bluechair")] {
        let rejection = refuse(
            &mut performance,
            &place_as(1, seats(&["S-A3"]), access),
            NOW,
        );
        assert_eq!(
            rejection,
            Rejection::SeatUnavailable {
                seats: vec![("perf:S-A3".into(), Unavailability::Allocated)]
            }
        );
    }
    // Its channel holds it, and an admin may too.
    accept(
        &mut performance,
        &place_as(1, seats(&["S-A3"]), channel("redchair")),
        NOW,
    );
    accept(
        &mut performance,
        &place_as(2, seats(&["S-A4"]), Access::Everything),
        NOW,
    );
    assert!(matches!(status(&performance, "S-A3"), SeatStatus::Held(_)));
    // Given back, it is the allocation's again, not general sale's.
    accept(&mut performance, &release(1), NOW);
    assert_eq!(status(&performance, "S-A3"), SeatStatus::Allocated);
    let counts = &performance.allocation_counts()[0];
    assert_eq!(
        (counts.seats_available, counts.seats_held, counts.seats_sold),
        (1, 1, 0)
    );
    // Sold, it stays counted in the allocation.
    accept(&mut performance, &sell(2), NOW);
    assert_eq!(performance.allocation_counts()[0].seats_sold, 1);
}

#[test]
fn best_available_passes_other_channels_seats_by_and_takes_ones_own() {
    let mut performance = performance(&[&[(1, 6)], &[(1, 6)]], relaxed());
    accept(
        &mut performance,
        &allocate(
            "redchair",
            &["S-A1", "S-A2", "S-A3", "S-A4", "S-A5", "S-A6"],
            &[],
        ),
        NOW,
    );
    // The front row is all allocated: the public's best pair is in row B.
    accept(
        &mut performance,
        &place_as(1, best(2, None, &[]), Access::Public),
        NOW,
    );
    assert_eq!(hold_seat_ids(&performance, 1), ["S-B3", "S-B4"]);
    // The channel's best pair is in the front row.
    accept(
        &mut performance,
        &place_as(2, best(2, None, &[]), channel("redchair")),
        NOW,
    );
    assert_eq!(hold_seat_ids(&performance, 2), ["S-A3", "S-A4"]);
}

#[test]
fn a_quota_of_places_keeps_them_for_its_channel_until_its_holds_use_them() {
    // The pool `GA` has 10 places.
    let mut performance = performance(&[&[(1, 2)]], relaxed());
    accept(
        &mut performance,
        &allocate("redchair", &[], &[("GA", 4)]),
        NOW,
    );
    assert_eq!(performance.pool_available(0), 6);
    // The public may take the other six only.
    let rejection = refuse(&mut performance, &place(1, places(&[("GA", 7)])), NOW);
    assert!(matches!(
        rejection,
        Rejection::InsufficientAvailability { available: 6, .. }
    ));
    // The channel may take its four and the six besides.
    accept(
        &mut performance,
        &place_as(2, places(&[("GA", 3)]), channel("redchair")),
        NOW,
    );
    assert_eq!(performance.pool_available(0), 6, "the quota paid for them");
    let quota = performance.allocation_counts()[0].places[0];
    assert_eq!((quota.size, quota.available, quota.held), (4, 1, 3));
    accept(
        &mut performance,
        &place_as(3, places(&[("GA", 3)]), channel("redchair")),
        NOW,
    );
    assert_eq!(
        performance.pool_available(0),
        4,
        "one from the quota, two general"
    );
    // A release gives the channel's quota back first.
    accept(&mut performance, &release(2), NOW);
    assert_eq!(performance.allocation_counts()[0].places[0].available, 1);
    assert_eq!(performance.pool_available(0), 6);
    // It survives a restart from a snapshot, and a compaction.
    assert!(restarted(&performance) == performance);
    performance.compact();
    assert_eq!(performance.allocation_counts()[0].places[0].available, 1);
    assert!(restarted(&performance) == performance);
    // Ending the allocation returns the quota's remainder to general sale.
    accept(&mut performance, &deallocate("redchair"), NOW);
    assert_eq!(performance.pool_available(0), 7);
    assert!(performance.allocation_counts().is_empty());
    accept_unchanged(&mut performance, &deallocate("redchair"), NOW);
}

#[test]
fn ending_an_allocation_frees_its_unheld_seats_and_leaves_its_sales() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(
        &mut performance,
        &allocate("redchair", &["S-A1", "S-A2"], &[]),
        NOW,
    );
    accept(
        &mut performance,
        &place_as(1, seats(&["S-A1"]), channel("redchair")),
        NOW,
    );
    accept(&mut performance, &deallocate("redchair"), NOW);
    assert_eq!(status(&performance, "S-A2"), SeatStatus::Free);
    assert!(matches!(status(&performance, "S-A1"), SeatStatus::Held(_)));
    // Given back now, the seat is general sale's.
    accept(&mut performance, &release(1), NOW);
    assert_eq!(status(&performance, "S-A1"), SeatStatus::Free);
}

#[test]
fn only_free_seats_and_places_are_allocated() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A1"])), NOW);
    accept(
        &mut performance,
        &allocate("bluechair", &["S-A2"], &[]),
        NOW,
    );
    let rejection = refuse(
        &mut performance,
        &allocate("redchair", &["S-A1", "S-A2", "S-A3"], &[]),
        NOW,
    );
    assert_eq!(
        rejection,
        Rejection::SeatUnavailable {
            seats: vec![
                ("perf:S-A1".into(), Unavailability::Held),
                ("perf:S-A2".into(), Unavailability::Allocated),
            ]
        }
    );
    let rejection = refuse(
        &mut performance,
        &allocate("redchair", &[], &[("GA", 11)]),
        NOW,
    );
    assert!(matches!(
        rejection,
        Rejection::InsufficientAvailability { available: 10, .. }
    ));
    // Allocating a seat the channel has already changes nothing.
    accept_unchanged(
        &mut performance,
        &allocate("bluechair", &["S-A2"], &[]),
        NOW,
    );
}

#[test]
fn off_sale_refuses_new_holds_and_cancelled_refuses_completion_for_good() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A1"])), NOW);
    accept(&mut performance, &place(2, seats(&["S-A2"])), NOW);
    accept(&mut performance, &status_to(SaleStatus::OffSale), NOW);
    assert_eq!(
        refuse(&mut performance, &place(3, seats(&["S-A3"])), NOW),
        Rejection::NotOnSale { status: "off_sale" }
    );
    // A hold placed before still checks out and completes.
    accept(&mut performance, &extend(1), NOW);
    accept(&mut performance, &sell(1), NOW);
    accept(&mut performance, &status_to(SaleStatus::Cancelled), NOW);
    assert_eq!(
        refuse(&mut performance, &sell(2), NOW),
        Rejection::Cancelled { action: "complete" }
    );
    assert_eq!(
        refuse(&mut performance, &extend(2), NOW),
        Rejection::Cancelled {
            action: "check out"
        }
    );
    // Releasing still works; cancelled is final.
    accept(&mut performance, &release(2), NOW);
    assert!(matches!(
        refuse(&mut performance, &status_to(SaleStatus::OnSale), NOW),
        Rejection::Cancelled { .. }
    ));
    accept_unchanged(&mut performance, &status_to(SaleStatus::Cancelled), NOW);
    assert_eq!(restarted(&performance).sale_status(), SaleStatus::Cancelled);
}

#[test]
fn places_are_withheld_and_released_but_never_more_than_were_withheld() {
    let mut performance = performance(&[&[(1, 2)]], relaxed());
    accept(&mut performance, &place(1, places(&[("GA", 6)])), NOW);
    let rejection = refuse(&mut performance, &place_holdbacks(&[("GA", 5)], &[]), NOW);
    assert!(matches!(
        rejection,
        Rejection::InsufficientAvailability { available: 4, .. }
    ));
    accept(&mut performance, &place_holdbacks(&[("GA", 3)], &[]), NOW);
    assert_eq!(performance.pool_available(0), 1);
    assert_eq!(performance.pools_withheld(), [3]);
    assert_eq!(
        refuse(&mut performance, &place_holdbacks(&[], &[("GA", 4)]), NOW),
        Rejection::PlacesNotWithheld {
            pool: "GA".into(),
            requested: 4,
            withheld: 3
        }
    );
    assert!(restarted(&performance) == performance);
    accept(&mut performance, &place_holdbacks(&[], &[("GA", 3)]), NOW);
    assert_eq!(performance.pool_available(0), 4);
    assert!(matches!(
        refuse(&mut performance, &place_holdbacks(&[("NOPE", 1)], &[]), NOW),
        Rejection::UnknownPool { .. }
    ));
}

#[test]
fn an_allocated_seats_history_returns_to_its_allocation_until_the_allocation_ends() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    let mut journal: Vec<Change> = Vec::new();
    let mut step = |performance: &mut Performance, command: Command| {
        journal.push(accept(performance, &command, NOW));
    };
    step(&mut performance, allocate("redchair", &["S-A2"], &[]));
    step(
        &mut performance,
        place_as(1, seats(&["S-A2"]), channel("redchair")),
    );
    step(&mut performance, release(1));
    step(&mut performance, deallocate("redchair"));
    step(&mut performance, place(2, seats(&["S-A2"])));
    let seat = seat(&performance, "S-A2");
    let events = history(
        journal.iter().map(|change| (NOW, change)),
        Wanted::Seat(seat),
    );
    let moves: Vec<(&str, Option<&str>, &str)> = events
        .iter()
        .map(|event| (event.kind.as_str(), event.from, event.to))
        .collect();
    assert_eq!(
        moves,
        [
            ("allocated", Some("free"), "allocated"),
            ("held", Some("allocated"), "held"),
            ("released", Some("held"), "allocated"),
            ("released", Some("allocated"), "free"),
            ("held", Some("free"), "held"),
        ]
    );
}

#[test]
fn a_sale_prepared_before_a_cancellation_is_still_carried_out() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A1"])), NOW);
    let prepare = Command::PrepareHold {
        transaction: transaction(1),
    };
    accept(&mut performance, &prepare, NOW);
    accept(&mut performance, &status_to(SaleStatus::Cancelled), NOW);
    // Its order was committed before the cancellation: the sale stands.
    accept(&mut performance, &sell(1), NOW);
    assert!(matches!(status(&performance, "S-A1"), SeatStatus::Sold(_)));
}

#[test]
fn another_channel_changing_a_channels_hold_never_spends_its_own_quota_on_it() {
    let mut performance = performance(&[&[(1, 2)]], relaxed());
    accept(
        &mut performance,
        &allocate("redchair", &[], &[("GA", 3)]),
        NOW,
    );
    accept(
        &mut performance,
        &allocate("bluechair", &[], &[("GA", 2)]),
        NOW,
    );
    accept(
        &mut performance,
        &place_as(1, places(&[("GA", 2)]), channel("redchair")),
        NOW,
    );
    // Of the pool's 10, red chair's hold has 2 and keeps 1 more, blue chair keeps 2: 5 are
    // general sale's. Blue chair adding to red chair's hold may take those, never its quota.
    let add = |quantity: u32| Command::ModifyHold {
        transaction: transaction(1),
        add: vec![places(&[("GA", quantity)])],
        remove_seats: Vec::new(),
        remove_places: Vec::new(),
        access: channel("bluechair"),
    };
    assert!(matches!(
        refuse(&mut performance, &add(6), NOW),
        Rejection::InsufficientAvailability { available: 5, .. }
    ));
    accept(&mut performance, &add(5), NOW);
    performance.check_allocations().expect("the quotas add up");
    let blue = &performance.allocation_counts()[0];
    assert_eq!(
        (blue.channel.as_str(), blue.places[0].available),
        ("bluechair", 2)
    );
    // Red chair's hold now uses its whole quota, so its last kept place is general sale's.
    assert_eq!(performance.pool_available(0), 1);
}

#[test]
fn places_returned_and_withheld_in_one_request_are_both_done() {
    let mut performance = performance(&[&[(1, 2)]], relaxed());
    accept(&mut performance, &place_holdbacks(&[("GA", 4)], &[]), NOW);
    accept(&mut performance, &place(1, places(&[("GA", 6)])), NOW);
    // Nothing is free: the four returned are what is withheld again, plus none more.
    accept(
        &mut performance,
        &place_holdbacks(&[("GA", 4)], &[("GA", 4)]),
        NOW,
    );
    assert_eq!(performance.pools_withheld(), [4]);
    assert!(matches!(
        refuse(
            &mut performance,
            &place_holdbacks(&[("GA", 5)], &[("GA", 4)]),
            NOW
        ),
        Rejection::InsufficientAvailability { .. }
    ));
}
