//! Door scans: a sold ticket's barcode admits once, survives a snapshot, and an unknown or
//! unsold barcode admits nothing.

use super::*;

fn scan(barcode: &str) -> Command {
    Command::ScanTicket {
        barcode: barcode.to_owned(),
    }
}

fn barcodes_of(performance: &Performance, number: u128) -> Vec<String> {
    let hold = performance.hold(transaction(number)).expect("the hold");
    hold.sale.as_ref().expect("sold").barcodes.clone()
}

#[test]
fn a_sold_ticket_admits_once_and_then_says_when() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A1", "S-A2"])), NOW);
    accept(&mut performance, &sell(1), NOW);
    let barcodes = barcodes_of(&performance, 1);
    let (ticket, scanned) = performance.find_barcode(&barcodes[1]).expect("known");
    assert_eq!(
        (ticket, scanned),
        (
            TicketRef {
                transaction: transaction(1),
                index: 1
            },
            None
        )
    );
    let at = Timestamp(NOW.0 + 60_000);
    accept(&mut performance, &scan(&barcodes[1]), at);
    assert_eq!(
        performance.find_barcode(&barcodes[1]),
        Some((ticket, Some(at)))
    );
    // Again, later: nothing changes, and the first scan's time is kept.
    accept_unchanged(&mut performance, &scan(&barcodes[1]), Timestamp(at.0 + 5));
    assert_eq!(performance.scanned_at(ticket), Some(at));
    // The other ticket of the order is its own.
    assert_eq!(
        performance.find_barcode(&barcodes[0]).map(|f| f.1),
        Some(None)
    );
}

#[test]
fn unknown_and_unsold_barcodes_admit_nothing() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, seats(&["S-A1"])), NOW);
    accept_unchanged(&mut performance, &scan("0000000000000000"), NOW);
    assert_eq!(performance.find_barcode("0000000000000000"), None);
    // A held (unsold) hold has no barcodes to find.
    assert!(
        performance
            .hold(transaction(1))
            .expect("held")
            .sale
            .is_none()
    );
}

#[test]
fn scans_and_the_barcode_index_survive_a_snapshot() {
    let mut performance = performance(&[&[(1, 4)]], relaxed());
    accept(&mut performance, &place(1, places(&[("GA", 2)])), NOW);
    accept(&mut performance, &sell(1), NOW);
    let barcodes = barcodes_of(&performance, 1);
    accept(&mut performance, &scan(&barcodes[0]), NOW);
    let restored = Performance::restore(
        performance.info().clone(),
        performance.shared_plan(),
        performance.state(),
    );
    assert_eq!(restored, performance);
    assert_eq!(
        restored.find_barcode(&barcodes[0]).map(|f| f.1),
        Some(Some(NOW))
    );
    assert_eq!(restored.find_barcode(&barcodes[1]).map(|f| f.1), Some(None));
}

#[test]
fn only_sixteen_digits_are_a_barcode_key() {
    assert_eq!(barcode_key("0000000000000042"), Some(42));
    assert_eq!(barcode_key("9999999999999999"), Some(9_999_999_999_999_999));
    for text in [
        "42",
        "00000000000000042",
        "000000000000004a",
        "+000000000000042",
        "",
    ] {
        assert_eq!(barcode_key(text), None, "{text:?}");
    }
}
