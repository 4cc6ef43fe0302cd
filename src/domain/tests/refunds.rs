//! Refunds at a performance: a refunded seat is free again (or withheld), a refunded place is
//! back in its pool, its barcode admits no more; refunding twice changes nothing; and the
//! inventory after refunds survives a snapshot and a compaction, also when a refunded seat
//! was sold again.

use super::*;

fn refund(number: u128, tickets: &[u32], withhold: bool) -> Command {
    Command::RefundTickets {
        transaction: transaction(number),
        tickets: tickets.to_vec(),
        withhold,
    }
}

fn barcodes_of(performance: &Performance, number: u128) -> Vec<String> {
    let hold = performance.hold(transaction(number)).expect("the hold");
    hold.sale.as_ref().expect("sold").barcodes.clone()
}

fn scan(barcode: &str) -> Command {
    Command::ScanTicket {
        barcode: barcode.to_owned(),
    }
}

#[test]
fn a_refunded_seat_is_on_sale_again_and_its_barcode_admits_no_more() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A1", "S-A2"])), NOW);
    accept(&mut performance, &sell(1), NOW);
    let barcodes = barcodes_of(&performance, 1);
    let sold = performance.counts().sold;
    accept(&mut performance, &refund(1, &[1], false), NOW);
    assert_eq!(status(&performance, "S-A2"), SeatStatus::Free);
    assert!(matches!(status(&performance, "S-A1"), SeatStatus::Sold(_)));
    assert_eq!(performance.counts().sold, sold - 1);
    let ticket = TicketRef {
        transaction: transaction(1),
        index: 1,
    };
    assert_eq!(performance.refunded_at(ticket), Some(NOW));
    // Its barcode is still known, but a scan records nothing.
    accept_unchanged(&mut performance, &scan(&barcodes[1]), NOW);
    assert_eq!(performance.scanned_at(ticket), None);
    // Refunding it again changes nothing; the hold stays sold, with its seats.
    accept_unchanged(&mut performance, &refund(1, &[1], false), NOW);
    assert_eq!(hold_state(&performance, 1), HoldState::Sold);
    assert_eq!(hold_seat_ids(&performance, 1), ["S-A1", "S-A2"]);
    // The seat sells again, under a new hold and barcode.
    accept(&mut performance, &place(2, seats(&["S-A2"])), NOW);
    accept(&mut performance, &sell(2), NOW);
    let again = barcodes_of(&performance, 2);
    let (found, _) = performance.find_barcode(&again[0]).expect("known");
    assert_eq!(found.transaction, transaction(2));
}

#[test]
fn a_withheld_refund_takes_the_seat_off_sale_and_places_go_back_to_their_pool() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A1"])), NOW);
    accept(&mut performance, &sell(1), NOW);
    accept(&mut performance, &refund(1, &[0], true), NOW);
    assert_eq!(status(&performance, "S-A1"), SeatStatus::Withheld);
    refuse(&mut performance, &place(2, seats(&["S-A1"])), NOW);
    accept(&mut performance, &place(3, places(&[("GA", 3)])), NOW);
    accept(&mut performance, &sell(3), NOW);
    let pool_before = performance.pool_available(0);
    accept(&mut performance, &refund(3, &[0, 2], false), NOW);
    assert_eq!(performance.pool_available(0), pool_before + 2);
}

#[test]
fn only_sold_tickets_of_the_hold_are_refunded() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A1"])), NOW);
    assert!(matches!(
        refuse(&mut performance, &refund(1, &[0], false), NOW),
        Rejection::InvalidState { .. }
    ));
    accept(&mut performance, &sell(1), NOW);
    assert!(matches!(
        refuse(&mut performance, &refund(1, &[1], false), NOW),
        Rejection::NotInTransaction { .. }
    ));
    assert_eq!(
        refuse(&mut performance, &refund(9, &[0], false), NOW),
        Rejection::UnknownTransaction
    );
}

#[test]
fn refunds_survive_a_snapshot_and_a_compaction_when_the_seat_sold_again() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A1", "S-A2"])), NOW);
    accept(&mut performance, &sell(1), NOW);
    accept(&mut performance, &refund(1, &[0], false), NOW);
    // A released hold before the resale makes the compaction move slots.
    accept(&mut performance, &place(2, seats(&["S-A4"])), NOW);
    accept(&mut performance, &release(2), NOW);
    accept(&mut performance, &place(3, seats(&["S-A1"])), NOW);
    accept(&mut performance, &sell(3), NOW);
    accept(&mut performance, &place(4, places(&[("GA", 2)])), NOW);
    accept(&mut performance, &sell(4), NOW);
    accept(&mut performance, &refund(4, &[1], false), NOW);
    let restored = Performance::restore(
        performance.info().clone(),
        performance.shared_plan(),
        performance.state(),
    );
    assert_eq!(restored, performance);
    let mut compacted = performance.clone();
    assert_eq!(compacted.compact().len(), 1, "the released hold leaves");
    let owner = |performance: &Performance| match status(performance, "S-A1") {
        SeatStatus::Sold(slot) => performance.holds()[slot as usize].transaction,
        other => panic!("S-A1 reads {other:?}"),
    };
    assert_eq!(
        owner(&compacted),
        transaction(3),
        "the resale owns the seat"
    );
    assert_eq!(compacted.counts(), performance.counts());
    let restored = Performance::restore(
        compacted.info().clone(),
        compacted.shared_plan(),
        compacted.state(),
    );
    assert_eq!(restored, compacted);
}
