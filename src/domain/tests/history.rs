//! History derived from the changes: a transaction's every state change and a seat's, in
//! order, with the states before and after.

use super::*;

fn kinds(events: &[HistoryEvent]) -> Vec<(&'static str, Option<&'static str>, &'static str)> {
    events
        .iter()
        .map(|event| (event.kind.as_str(), event.from, event.to))
        .collect()
}

#[test]
fn a_transaction_and_its_seats_tell_their_history() {
    let mut performance = performance(&[&[(1, 6)]], relaxed());
    let mut journal: Vec<(Timestamp, Change)> = Vec::new();
    let mut step = |performance: &mut Performance, command: Command, at: i64| {
        let at = Timestamp(NOW.0 + at);
        journal.push((at, accept(performance, &command, at)));
    };
    step(&mut performance, place(1, seats(&["S-A1", "S-A2"])), 0);
    let modify = Command::ModifyHold {
        transaction: transaction(1),
        add: vec![seats(&["S-A3"])],
        remove_seats: vec!["S-A2".into()],
        remove_places: Vec::new(),
        access: Default::default(),
    };
    step(&mut performance, modify, 1_000);
    step(&mut performance, extend(1), 2_000);
    step(&mut performance, sell(1), 3_000);
    let barcode = performance
        .hold(transaction(1))
        .expect("sold")
        .sale
        .as_ref()
        .expect("sold")
        .barcodes[0]
        .clone();
    step(&mut performance, Command::ScanTicket { barcode }, 4_000);
    let refund = Command::RefundTickets {
        transaction: transaction(1),
        tickets: vec![1],
        withhold: false,
    };
    step(&mut performance, refund, 5_000);
    step(&mut performance, holdbacks(&["S-A3"], &[]), 6_000);
    step(&mut performance, holdbacks(&[], &["S-A3"]), 7_000);
    step(&mut performance, place(2, seats(&["S-A2"])), 8_000);
    step(&mut performance, release(2), 9_000);
    let changes = || journal.iter().map(|(at, change)| (*at, change));

    let of_transaction = history(changes(), Wanted::Transaction(transaction(1)));
    assert_eq!(
        kinds(&of_transaction),
        [
            ("held", None, "held"),
            ("modified", Some("held"), "held"),
            ("checked_out", Some("held"), "checked_out"),
            ("completed", Some("checked_out"), "complete"),
            ("scanned", Some("complete"), "complete"),
            ("refunded", Some("complete"), "partially_refunded"),
        ]
    );
    let [a1, a2, a3] = ["S-A1", "S-A2", "S-A3"].map(|id| seat(&performance, id));
    assert_eq!(of_transaction[0].seats, [a1, a2]);
    assert_eq!(of_transaction[1].seats, [a1, a3]);
    assert_eq!(of_transaction[4].seats, [a1], "the first barcode is A1's");
    assert_eq!(of_transaction[5].seats, [a3], "the second is A3's");
    assert_eq!(of_transaction[3].at, Timestamp(NOW.0 + 3_000));
    assert!(of_transaction.iter().all(|e| e.client.is_some()));

    let of_a3 = history(changes(), Wanted::Seat(a3));
    assert_eq!(
        kinds(&of_a3),
        [
            ("modified", Some("free"), "held"),
            ("completed", Some("held"), "sold"),
            ("refunded", Some("sold"), "free"),
            ("withheld", Some("free"), "withheld"),
            ("released", Some("withheld"), "free"),
        ]
    );
    assert_eq!(of_a3[3].transaction, None, "a holdback is no transaction's");
    let of_a2 = history(changes(), Wanted::Seat(a2));
    assert_eq!(
        kinds(&of_a2),
        [
            ("held", Some("free"), "held"),
            ("modified", Some("held"), "free"),
            ("held", Some("free"), "held"),
            ("released", Some("held"), "free"),
        ]
    );
    assert_eq!(
        (of_a2[0].transaction, of_a2[2].transaction),
        (Some(transaction(1)), Some(transaction(2)))
    );
}
