//! Ticket types in holds: chosen per seat or per request, sold only in the bands they are
//! priced in, packed in barcode order, kept through changes.

use super::*;

/// Row A in band A, row B in band C, pool GA in band B; ADULT everywhere, CHILD in band C only.
fn typed_performance() -> Performance {
    let spec = two_band_spec();
    let amount = |text: &str| Amount::parse(text).unwrap();
    let adult = TicketType::resolve(
        "ADULT".into(),
        "Adult".into(),
        vec![
            ("A".into(), amount("65")),
            ("B".into(), amount("45")),
            ("C".into(), amount("30")),
        ],
        &spec.price_bands,
    )
    .unwrap();
    let child = TicketType::resolve(
        "CHILD".into(),
        "Child".into(),
        vec![("C".into(), amount("15"))],
        &spec.price_bands,
    )
    .unwrap();
    let mut performance = performance_from(spec, relaxed());
    let mut info = performance.info().clone();
    info.ticket_types = vec![adult, child];
    performance = Performance::new(info, performance.plan().clone());
    performance
}

fn typed_seats(ids: &[(&str, Option<&str>)]) -> Selection {
    Selection::Seats(
        ids.iter()
            .map(|&(id, ticket_type)| SeatChoice {
                id: id.into(),
                ticket_type: ticket_type.map(str::to_owned),
            })
            .collect(),
    )
}

#[test]
fn packing_keeps_barcode_order_and_drops_all_first_types() {
    let typed = TypedTickets {
        seats: vec![(5, 1), (2, 0)],
        places: vec![
            TypedPlaces {
                pool: 1,
                ticket_type: 0,
                quantity: 1,
            },
            TypedPlaces {
                pool: 0,
                ticket_type: 2,
                quantity: 1,
            },
            TypedPlaces {
                pool: 0,
                ticket_type: 0,
                quantity: 2,
            },
        ],
    };
    let (seats, places, types) = typed.clone().pack();
    assert_eq!(seats, [2, 5]);
    assert_eq!(
        places,
        [
            PoolPlaces {
                pool: 0,
                quantity: 3
            },
            PoolPlaces {
                pool: 1,
                quantity: 1
            }
        ]
    );
    // Seats by seat, then pool 0's places by type, then pool 1's.
    assert_eq!(types, [0, 1, 0, 0, 2, 0]);
    let again = TypedTickets::unpack(&seats, &places, &types).pack();
    assert_eq!(again, (seats, places, types));
    let plain = TypedTickets {
        seats: vec![(1, 0)],
        places: Vec::new(),
    };
    assert!(
        plain.pack().2.is_empty(),
        "no types stored when all are first"
    );
}

#[test]
fn a_seat_is_held_with_its_type_and_refused_where_the_type_is_not_sold() {
    let mut performance = typed_performance();
    let rejection = refuse(
        &mut performance,
        &place(1, typed_seats(&[("S-A1", Some("CHILD")), ("S-A2", None)])),
        NOW,
    );
    assert_eq!(
        rejection,
        Rejection::TicketTypeNotSold {
            ticket_type: "CHILD".into(),
            price_band: "A".into(),
            tickets: vec![ticket("S-A1")],
        }
    );
    assert_eq!(rejection.code(), ErrorCode::RuleViolation);
    let unknown = refuse(
        &mut performance,
        &place(1, typed_seats(&[("S-A1", Some("SENIOR"))])),
        NOW,
    );
    assert_eq!(unknown.code(), ErrorCode::NotFound);
    accept(
        &mut performance,
        &place(1, typed_seats(&[("S-B2", Some("CHILD")), ("S-B1", None)])),
        NOW,
    );
    let hold = performance.hold(transaction(1)).unwrap();
    assert_eq!(
        hold.seats,
        [seat(&performance, "S-B1"), seat(&performance, "S-B2")]
    );
    assert_eq!(hold.ticket_types, [0, 1], "types follow the sorted seats");
}

#[test]
fn best_available_for_a_type_looks_only_in_its_bands() {
    let mut performance = typed_performance();
    let child = |quantity| Selection::BestAvailable {
        quantity,
        price_band: None,
        preferred: Vec::new(),
        ticket_type: Some("CHILD".into()),
        filters: Default::default(),
    };
    // Row A is better, but children are only sold in row B's band.
    accept(&mut performance, &place(1, child(2)), NOW);
    assert_eq!(hold_seat_ids(&performance, 1), ["S-B3", "S-B4"]);
    let rejection = refuse(&mut performance, &place(2, child(5)), NOW);
    assert_eq!(
        rejection,
        Rejection::InsufficientAvailability {
            requested: 5,
            available: 4,
            what: "seats",
        },
        "only band C's four free seats count"
    );
    let in_a = Selection::BestAvailable {
        quantity: 1,
        price_band: Some("A".into()),
        preferred: Vec::new(),
        ticket_type: Some("CHILD".into()),
        filters: Default::default(),
    };
    let refused = refuse(&mut performance, &place(3, in_a), NOW);
    assert_eq!(refused.code(), ErrorCode::RuleViolation);
}

#[test]
fn changing_a_hold_keeps_each_ticket_its_type() {
    let mut performance = typed_performance();
    accept(
        &mut performance,
        &place(1, typed_seats(&[("S-B1", Some("CHILD")), ("S-B2", None)])),
        NOW,
    );
    let change = Command::ModifyHold {
        transaction: transaction(1),
        add: vec![Selection::GeneralAdmission {
            places: vec![("GA".into(), 2)],
            ticket_type: Some("ADULT".into()),
        }],
        remove_seats: vec!["S-B2".into()],
        remove_places: Vec::new(),
        access: Default::default(),
    };
    accept(&mut performance, &change, NOW);
    let hold = performance.hold(transaction(1)).unwrap();
    assert_eq!(hold.seats, [seat(&performance, "S-B1")]);
    assert_eq!(
        hold.ticket_types,
        [1, 0, 0],
        "the child seat, two adult places"
    );
    let give_up = |ticket_type: Option<&str>, quantity| Command::ModifyHold {
        transaction: transaction(1),
        add: Vec::new(),
        remove_seats: Vec::new(),
        remove_places: vec![PlacesGivenUp {
            code: "GA".into(),
            quantity,
            ticket_type: ticket_type.map(str::to_owned),
        }],
        access: Default::default(),
    };
    let refused = refuse(&mut performance, &give_up(Some("CHILD"), 1), NOW);
    assert_eq!(
        refused,
        Rejection::PlacesNotInTransaction {
            code: "GA".into(),
            quantity: 1
        }
    );
    accept(&mut performance, &give_up(None, 1), NOW);
    let hold = performance.hold(transaction(1)).unwrap();
    assert_eq!(hold.places[0].quantity, 1);
    assert_eq!(hold.ticket_types, [1, 0]);
}

/// A random request at the typed performance: specific seats each with a type, best
/// available of one type, or places of one type; the type one of none, ADULT, CHILD or an
/// unknown one.
fn typed_request() -> impl proptest::strategy::Strategy<Value = Selection> {
    use proptest::prelude::*;
    let ticket_type = prop::sample::select(vec![None, Some("ADULT"), Some("CHILD"), Some("NOPE")])
        .prop_map(|t| t.map(str::to_owned));
    let seat = (prop::sample::select(vec!["A", "B"]), 1u32..=6);
    prop_oneof![
        prop::collection::vec((seat, ticket_type.clone()), 1..4).prop_map(|picks| {
            Selection::Seats(
                picks
                    .into_iter()
                    .map(|((row, number), ticket_type)| SeatChoice {
                        id: format!("S-{row}{number}"),
                        ticket_type,
                    })
                    .collect(),
            )
        }),
        (1u32..=4, ticket_type.clone()).prop_map(|(quantity, ticket_type)| {
            Selection::BestAvailable {
                quantity,
                price_band: None,
                preferred: Vec::new(),
                ticket_type,
                filters: Default::default(),
            }
        }),
        (1u32..=3, ticket_type).prop_map(|(quantity, ticket_type)| {
            Selection::GeneralAdmission {
                places: vec![("GA".into(), quantity)],
                ticket_type,
            }
        }),
    ]
}

proptest::proptest! {
    /// Whatever is asked, no hold ever has a ticket of a type without a price in its band,
    /// its types stay in barcode order through packing, and a refusal changes nothing.
    #[test]
    fn no_ticket_is_ever_held_in_a_band_that_does_not_sell_its_type(
        requests in proptest::collection::vec(typed_request(), 1..25)
    ) {
        let mut performance = typed_performance();
        for (number, selection) in requests.into_iter().enumerate() {
            let version = performance.version();
            let command = place(number as u128, selection);
            match performance.decide(&command, NOW) {
                Ok(Some(change)) => performance.apply(&change),
                Ok(None) => {}
                Err(_) => proptest::prop_assert_eq!(performance.version(), version),
            }
        }
        let types = performance.info().ticket_types(performance.plan());
        for hold in performance.holds() {
            let plan = performance.plan();
            for (index, &seat) in hold.seats.iter().enumerate() {
                let band = plan.block(seat).price_band;
                proptest::prop_assert!(types.price(hold.ticket_type(index), band).is_some());
            }
            let mut index = hold.seats.len();
            for place in &hold.places {
                let band = plan.pools()[usize::from(place.pool)].price_band;
                for _ in 0..place.quantity {
                    proptest::prop_assert!(types.price(hold.ticket_type(index), band).is_some());
                    index += 1;
                }
            }
            let repacked = TypedTickets::unpack(&hold.seats, &hold.places, &hold.ticket_types)
                .pack();
            proptest::prop_assert_eq!(
                repacked,
                (hold.seats.clone(), hold.places.clone(), hold.ticket_types.clone())
            );
        }
    }
}
