//! Best available with attribute filters (`require`, `avoid`) and the explanation of its
//! choice.

use super::*;

/// Rows A and B of seats 1-8 in one block; A1, A2 and B7, B8 accessible, A4, A5 restricted.
fn attributed(rules: Rules) -> Performance {
    let mut spec = plan_spec(&[&[(1, 8)], &[(1, 8)]]);
    let a = &mut spec.sections[0].rows[0].blocks[0].attributes;
    a.insert("accessible".into(), vec![1, 2]);
    a.insert("restricted_view".into(), vec![4, 5]);
    let b = &mut spec.sections[0].rows[1].blocks[0].attributes;
    b.insert("accessible".into(), vec![7, 8]);
    performance_from(spec, rules)
}

fn filtered(quantity: u32, require: &[&str], avoid: &[&str]) -> Selection {
    let names = |list: &[&str]| list.iter().map(|name| (*name).to_owned()).collect();
    Selection::BestAvailable {
        quantity,
        price_band: None,
        preferred: Vec::new(),
        ticket_type: None,
        filters: SeatFilters {
            require: names(require),
            avoid: names(avoid),
        },
    }
}

fn explain(performance: &Performance, number: u128, filters: &Selection) -> Explanation {
    let Selection::BestAvailable { filters, .. } = filters else {
        panic!("a best-available selection")
    };
    let seats = &performance.hold(transaction(number)).expect("a hold").seats;
    performance
        .explain_best(None, None, filters, seats)
        .expect("an explanation")
}

#[test]
fn required_attributes_are_on_every_seat_given() {
    let mut performance = attributed(relaxed());
    accept(
        &mut performance,
        &place(1, filtered(2, &["accessible"], &[])),
        NOW,
    );
    assert_eq!(hold_seat_ids(&performance, 1), ["S-A1", "S-A2"]);
    accept(
        &mut performance,
        &place(2, filtered(2, &["accessible"], &[])),
        NOW,
    );
    assert_eq!(hold_seat_ids(&performance, 2), ["S-B7", "S-B8"]);
    let rejection = refuse(
        &mut performance,
        &place(3, filtered(1, &["accessible"], &[])),
        NOW,
    );
    assert!(
        matches!(
            rejection,
            Rejection::InsufficientAvailability { available: 0, .. }
        ),
        "{rejection:?}"
    );
}

#[test]
fn avoided_attributes_are_on_no_seat_given_even_off_centre() {
    let mut performance = attributed(relaxed());
    // The centre pair of row A (A4, A5) is restricted; the best pair without it is A6, A7
    // or A2, A3 (equally near), the leftmost first.
    accept(
        &mut performance,
        &place(1, filtered(2, &[], &["restricted_view"])),
        NOW,
    );
    assert_eq!(hold_seat_ids(&performance, 1), ["S-A2", "S-A3"]);
    // Without the filter the centre is taken.
    accept(&mut performance, &place(2, best(2, None, &[])), NOW);
    assert_eq!(hold_seat_ids(&performance, 2), ["S-A4", "S-A5"]);
}

#[test]
fn an_attribute_no_seat_has_cannot_be_required_and_avoids_nothing() {
    let mut performance = attributed(relaxed());
    let rejection = refuse(
        &mut performance,
        &place(1, filtered(1, &["royal_box"], &[])),
        NOW,
    );
    assert_eq!(
        rejection,
        Rejection::NoSeatHasAttribute {
            attribute: "royal_box".into()
        }
    );
    accept(
        &mut performance,
        &place(2, filtered(2, &[], &["royal_box"])),
        NOW,
    );
    assert_eq!(hold_seat_ids(&performance, 2), ["S-A4", "S-A5"]);
}

#[test]
fn the_gap_rule_still_counts_a_filtered_seat_as_free() {
    // Row A is seats 1-3 with 2 and 3 accessible: two accessible seats would leave A1, which
    // the filter excludes but which is free, alone at the block's end.
    let mut spec = plan_spec(&[&[(1, 3)], &[(1, 4)]]);
    spec.sections[0].rows[0].blocks[0]
        .attributes
        .insert("accessible".into(), vec![2, 3]);
    spec.sections[0].rows[1].blocks[0]
        .attributes
        .insert("accessible".into(), vec![1, 2]);
    let mut performance = performance_from(spec, gaps_only());
    let selection = filtered(2, &["accessible"], &[]);
    accept(&mut performance, &place(1, selection.clone()), NOW);
    assert_eq!(hold_seat_ids(&performance, 1), ["S-B1", "S-B2"]);
    let explanation = explain(&performance, 1, &selection);
    assert_eq!(explanation.rows_before, [(0, RowVerdict::SingleSeatGap)]);
}

#[test]
fn the_explanation_names_the_row_the_centre_and_why_rows_in_front_were_passed() {
    let mut performance = attributed(relaxed());
    accept(
        &mut performance,
        &place(1, seats(&["S-A1", "S-A2", "S-A3"])),
        NOW,
    );
    let selection = filtered(2, &["accessible"], &[]);
    accept(&mut performance, &place(2, selection.clone()), NOW);
    let explanation = explain(&performance, 2, &selection);
    assert_eq!(explanation.row, 1, "row B");
    assert_eq!(explanation.rows_before, [(0, RowVerdict::Filtered)]);
    // B7, B8 in a row of 1-8: their centre is 7.5, the row's 4.5.
    assert_eq!(explanation.centre_distance_x2, 6);

    let mut full = performance_from(plan_spec(&[&[(1, 4)], &[(1, 3)], &[(1, 6)]]), relaxed());
    accept(
        &mut full,
        &place(1, seats(&["S-A1", "S-A2", "S-A3", "S-A4"])),
        NOW,
    );
    accept(&mut full, &place(2, seats(&["S-B2"])), NOW);
    let selection = best(2, None, &[]);
    accept(&mut full, &place(3, selection.clone()), NOW);
    assert_eq!(hold_seat_ids(&full, 3), ["S-C3", "S-C4"]);
    let explanation = explain(&full, 3, &selection);
    assert_eq!(
        explanation.rows_before,
        [(0, RowVerdict::SoldOut), (1, RowVerdict::TooFewTogether)]
    );
    assert_eq!(explanation.centre_distance_x2, 0);
}

#[test]
fn the_explanation_tells_a_gap_and_a_preference_apart() {
    let mut gaps = performance(&[&[(1, 3)], &[(1, 6)]], gaps_only());
    let selection = best(2, None, &[]);
    accept(&mut gaps, &place(1, selection.clone()), NOW);
    assert_eq!(hold_seat_ids(&gaps, 1), ["S-B3", "S-B4"]);
    let explanation = explain(&gaps, 1, &selection);
    assert_eq!(explanation.rows_before, [(0, RowVerdict::SingleSeatGap)]);

    let mut preferring = performance(&[&[(1, 6)], &[(1, 6)]], relaxed());
    let selection = best(2, None, &["S-B1"]);
    accept(&mut preferring, &place(1, selection.clone()), NOW);
    let explanation = explain(&preferring, 1, &selection);
    assert_eq!(explanation.rows_before, [(0, RowVerdict::BehindPreferred)]);
}

#[test]
fn the_explanation_reads_a_bounded_number_of_seats_and_says_which_rows_it_did_not_examine() {
    // Rows A and B of 1,500 seats with every other one withheld: 750 free, no two together,
    // which only their seats can tell. Row C has room.
    let mut performance = performance(&[&[(1, 1500)], &[(1, 1500)], &[(1, 10)]], relaxed());
    let even = |row: &str| -> Vec<String> {
        (2..=1500)
            .step_by(2)
            .map(|n| format!("S-{row}{n}"))
            .collect()
    };
    let (mut a, b) = (even("A"), even("B"));
    a.extend(b);
    let ids: Vec<&str> = a.iter().map(String::as_str).collect();
    accept(&mut performance, &holdbacks(&ids, &[]), NOW);
    let selection = best(2, None, &[]);
    accept(&mut performance, &place(1, selection.clone()), NOW);
    assert_eq!(hold_seat_ids(&performance, 1), ["S-C5", "S-C6"]);
    let explanation = explain(&performance, 1, &selection);
    assert_eq!(
        explanation.rows_before,
        [
            (0, RowVerdict::TooFewTogether),
            (1, RowVerdict::NotExamined)
        ],
        "row A's 1,500 seats are read; row B's would pass the budget of {SEATS_EXAMINED_MAX}"
    );
}
