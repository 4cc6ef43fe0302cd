use super::*;
use crate::domain::{
    Amount, Currency, Customer, DiscountCode, DiscountRefusal, DiscountScope, Payment, Quote,
    Reduction, Rejection, Timestamp,
};

fn id(text: &str) -> PerformanceId {
    PerformanceId::parse(text).expect("a valid id")
}

fn caller() -> Caller {
    Caller {
        client: ClientId::parse("shop").expect("a valid id"),
        role: crate::actor::Role::Sales,
        ip: "203.0.113.7".into(),
        channel: None,
        events: Vec::new(),
        reach: Default::default(),
        maker: None,
    }
}

fn joe() -> Option<Customer> {
    Some(Customer::parse("Joe", "joe@example.com").expect("a valid customer"))
}

fn coordinator_with(transaction: TransactionId, performances: &[&str]) -> Coordinator {
    let mut coordinator = Coordinator::default();
    coordinator.open(
        transaction,
        Route {
            owner: caller().client,
            performances: performances.iter().map(|p| id(p)).collect(),
        },
        Metadata::new(),
    );
    coordinator
}

fn begin(coordinator: &mut Coordinator, transaction: TransactionId) -> Begin {
    coordinator
        .begin_completion(&caller(), transaction, joe(), None, Timestamp(1))
        .expect("the transaction is the caller's")
}

fn action_at(step: &Step) -> (String, HoldAction) {
    match step {
        Step::Perform {
            performance,
            action,
            ..
        } => (performance.to_string(), action.clone()),
        other => panic!("expected a step at a performance, got {other:?}"),
    }
}

#[test]
fn a_second_complete_joins_the_first_and_then_finds_its_order() {
    let transaction = TransactionId(7);
    let mut coordinator = coordinator_with(transaction, &["p1"]);
    let Begin::Run(mut run) = begin(&mut coordinator, transaction) else {
        panic!("the first complete runs");
    };
    assert!(matches!(begin(&mut coordinator, transaction), Begin::Join));
    let (_, action) = action_at(&coordinator.step(&run));
    let HoldAction::Sell {
        number,
        order: Some(_),
    } = action
    else {
        panic!("one performance sells with the order in the same batch");
    };
    let Step::Finished(Ok(order)) = coordinator.advance(&mut run, Ok(())) else {
        panic!("the sale finishes the run");
    };
    assert_eq!(order.number, number);
    let Begin::Done(again) = begin(&mut coordinator, transaction) else {
        panic!("a later complete finds the order");
    };
    assert_eq!(again.number, number);
    assert_eq!(
        coordinator
            .person("joe@example.com")
            .map(|p| p.orders.clone()),
        Some(vec![number])
    );
}

#[test]
fn several_performances_prepare_then_commit_then_sell() {
    let transaction = TransactionId(8);
    let mut coordinator = coordinator_with(transaction, &["p1", "p2"]);
    let Begin::Run(mut run) = begin(&mut coordinator, transaction) else {
        panic!("the first complete runs");
    };
    let first = coordinator.step(&run);
    assert_eq!(action_at(&first), ("p1".into(), HoldAction::Prepare));
    let second = coordinator.advance(&mut run, Ok(()));
    assert_eq!(action_at(&second), ("p2".into(), HoldAction::Prepare));
    let Step::Commit(order) = coordinator.advance(&mut run, Ok(())) else {
        panic!("all prepared: the order is the commit record");
    };
    assert_eq!(order.number, OrderNumber(FIRST_ORDER_NUMBER));
    assert!(
        coordinator.order(order.number).is_none(),
        "not before it is durable"
    );
    let sell = coordinator.advance(&mut run, Ok(()));
    assert!(
        coordinator.order(order.number).is_some(),
        "known once committed"
    );
    assert!(matches!(
        action_at(&sell),
        (_, HoldAction::Sell { order: None, .. })
    ));
    let sell = coordinator.advance(&mut run, Ok(()));
    assert_eq!(action_at(&sell).0, "p2");
    assert!(matches!(
        coordinator.advance(&mut run, Ok(())),
        Step::Finished(Ok(_))
    ));
    assert!(!coordinator.is_completing(transaction));
}

#[test]
fn an_expired_lock_rolls_back_the_prepared_holds_and_releases_the_basket() {
    let transaction = TransactionId(9);
    let mut coordinator = coordinator_with(transaction, &["p1", "p2"]);
    let Begin::Run(mut run) = begin(&mut coordinator, transaction) else {
        panic!("the first complete runs");
    };
    coordinator.advance(&mut run, Ok(()));
    let expired = Err(EngineError::Rejected(Rejection::LockExpired));
    let steps: Vec<(String, HoldAction)> =
        std::iter::successors(Some(coordinator.advance(&mut run, expired)), |_| None)
            .map(|step| action_at(&step))
            .collect();
    assert_eq!(steps, [("p1".into(), HoldAction::Unprepare)]);
    assert_eq!(
        action_at(&coordinator.advance(&mut run, Ok(()))),
        ("p1".into(), HoldAction::Release)
    );
    assert_eq!(
        action_at(&coordinator.advance(&mut run, Ok(()))),
        ("p2".into(), HoldAction::Release)
    );
    let Step::Finished(Err(EngineError::Rejected(Rejection::LockExpired))) =
        coordinator.advance(&mut run, Ok(()))
    else {
        panic!("the refusal is the run's answer");
    };
    assert!(!coordinator.is_completing(transaction));
    assert!(coordinator.order_of(transaction).is_none());
}

#[test]
fn completing_for_another_customer_is_a_conflict() {
    let transaction = TransactionId(10);
    let mut coordinator = coordinator_with(transaction, &["p1"]);
    let Begin::Run(mut run) = begin(&mut coordinator, transaction) else {
        panic!("the first complete runs");
    };
    let ann = Some(Customer::parse("Ann", "ann@example.com").expect("a valid customer"));
    let during =
        coordinator.begin_completion(&caller(), transaction, ann.clone(), None, Timestamp(1));
    assert!(matches!(
        during,
        Err(EngineError::CompletedDifferently { .. })
    ));
    coordinator.advance(&mut run, Ok(()));
    let after = coordinator.begin_completion(&caller(), transaction, ann, None, Timestamp(1));
    assert!(matches!(
        after,
        Err(EngineError::CompletedDifferently { .. })
    ));
}

#[test]
fn a_refused_single_sale_gives_its_number_back() {
    let transaction = TransactionId(11);
    let mut coordinator = coordinator_with(transaction, &["p1"]);
    let Begin::Run(mut run) = begin(&mut coordinator, transaction) else {
        panic!("the first complete runs");
    };
    let expired = Err(EngineError::Rejected(Rejection::LockExpired));
    assert!(matches!(
        coordinator.advance(&mut run, expired),
        Step::Finished(Err(_))
    ));
    let Begin::Run(run) = begin(&mut coordinator, transaction) else {
        panic!("a refused completion can be tried again");
    };
    let (_, HoldAction::Sell { number, .. }) = action_at(&coordinator.step(&run)) else {
        panic!("a sale");
    };
    assert_eq!(number, OrderNumber(FIRST_ORDER_NUMBER));
}

fn card(amount: &str) -> Option<Payment> {
    let amount = Amount::parse(amount).expect("an amount");
    let gbp = Currency::parse("GBP").expect("a currency");
    Some(Payment::new("card", "ch_1", amount, gbp).expect("a payment"))
}

fn due(amount: &str) -> Result<Quote, EngineError> {
    let gbp = Currency::parse("GBP").expect("a currency");
    Ok(Quote {
        due: BTreeMap::from([(gbp, Amount::parse(amount).expect("an amount"))]),
        discounted: 0,
    })
}

#[test]
fn a_payment_is_checked_against_the_quote_before_anything_is_prepared() {
    let transaction = TransactionId(11);
    let mut coordinator = coordinator_with(transaction, &["p1", "p2"]);
    let paid = |coordinator: &mut Coordinator| {
        coordinator.begin_completion(&caller(), transaction, joe(), card("110.00"), Timestamp(1))
    };
    let Ok(Begin::Run(mut run)) = paid(&mut coordinator) else {
        panic!("the complete runs");
    };
    let Step::Quote { performances, .. } = coordinator.step(&run) else {
        panic!("a paid completion quotes first");
    };
    assert_eq!(performances, [id("p1"), id("p2")]);
    // The holds cost more than was paid: refused, nothing prepared, no order number taken.
    let refused = coordinator.advance_quoted(&mut run, due("110.01"));
    assert!(matches!(
        refused,
        Step::Finished(Err(EngineError::PaymentMismatch(_)))
    ));
    assert!(!coordinator.is_completing(transaction));
    assert!(coordinator.order_of(transaction).is_none());
    // Asked again when the quote matches: prepared, committed with the payment, sold.
    let Ok(Begin::Run(mut run)) = paid(&mut coordinator) else {
        panic!("the retry runs");
    };
    let step = coordinator.advance_quoted(&mut run, due("110"));
    assert_eq!(action_at(&step), ("p1".into(), HoldAction::Prepare));
    let step = coordinator.advance(&mut run, Ok(()));
    assert_eq!(action_at(&step), ("p2".into(), HoldAction::Prepare));
    let Step::Commit(order) = coordinator.advance(&mut run, Ok(())) else {
        panic!("then the commit");
    };
    assert_eq!(order.payment, card("110.00"));
    assert_eq!(order.number, OrderNumber(FIRST_ORDER_NUMBER));
    // Once the order exists, another payment is a different completion.
    coordinator.advance(&mut run, Ok(()));
    let other =
        coordinator.begin_completion(&caller(), transaction, joe(), card("1"), Timestamp(2));
    assert!(matches!(
        other,
        Err(EngineError::CompletedDifferently { .. })
    ));
}

fn apply_code(coordinator: &mut Coordinator, transaction: TransactionId, code: &str) {
    coordinator.set_metadata(TransactionRecord {
        transaction,
        metadata: Metadata::new(),
        discount_code: Some(code.into()),
    });
}

fn covering(discounted: u32) -> Result<Quote, EngineError> {
    Ok(Quote {
        due: BTreeMap::new(),
        discounted,
    })
}

#[test]
fn a_codes_uses_are_reserved_at_the_quote_and_never_pass_its_cap() {
    let (first, second) = (TransactionId(21), TransactionId(22));
    let mut coordinator = coordinator_with(first, &["p1"]);
    coordinator.open(
        second,
        Route {
            owner: caller().client,
            performances: vec![id("p2")],
        },
        Metadata::new(),
    );
    let code = DiscountCode::new(
        "early10",
        Reduction::Percent(Amount::parse("10").expect("an amount")),
        None,
        Some(Timestamp(100)),
        Some(3),
        DiscountScope::default(),
    )
    .expect("a code");
    coordinator.define_discount(DiscountCodeRecord {
        code,
        created_at: Timestamp(0),
    });
    apply_code(&mut coordinator, first, "EARLY10");
    apply_code(&mut coordinator, second, "EARLY10");
    // Both quote first, even without a payment; the first reserves two of the three uses.
    let Begin::Run(mut run_one) = begin(&mut coordinator, first) else {
        panic!("runs");
    };
    assert!(matches!(coordinator.step(&run_one), Step::Quote { .. }));
    let step = coordinator.advance_quoted(&mut run_one, covering(2));
    assert!(matches!(action_at(&step).1, HoldAction::Sell { .. }));
    assert_eq!(coordinator.uses_of("EARLY10"), (0, 2));
    // The second wants two while two are reserved: refused, used up, nothing prepared.
    let Begin::Run(mut run_two) = begin(&mut coordinator, second) else {
        panic!("runs");
    };
    let refused = coordinator.advance_quoted(&mut run_two, covering(2));
    assert!(matches!(
        refused,
        Step::Finished(Err(EngineError::Discount(DiscountRefusal::UsedUp {
            left: 1,
            wanted: 2,
            ..
        })))
    ));
    // The first sale is refused at its performance: its reservation is given back.
    let refused = coordinator.advance(&mut run_one, Err(Rejection::LockExpired.into()));
    assert!(matches!(refused, Step::Finished(Err(_))));
    assert_eq!(coordinator.uses_of("EARLY10"), (0, 0));
    // Now the second completes, and its order counts its uses.
    let Begin::Run(mut run_two) = begin(&mut coordinator, second) else {
        panic!("runs");
    };
    coordinator.advance_quoted(&mut run_two, covering(2));
    let Step::Finished(Ok(order)) = coordinator.advance(&mut run_two, Ok(())) else {
        panic!("sold");
    };
    assert_eq!(
        (order.discount_code.as_deref(), order.discount_uses),
        (Some("EARLY10"), 2)
    );
    assert_eq!(coordinator.uses_of("EARLY10"), (2, 0));
    // Past the code's window, a completion with it is refused before anything is quoted.
    let late = coordinator.begin_completion(&caller(), first, joe(), None, Timestamp(100));
    assert!(matches!(
        late,
        Err(EngineError::Discount(DiscountRefusal::Expired { .. }))
    ));
}

proptest::proptest! {
    /// Completions with one code, interleaved in any order (quotes, sales refused or made),
    /// never take more uses than the cap, counting those reserved; the uses counted in the
    /// end are those of the orders made.
    #[test]
    fn interleaved_completions_never_pass_a_codes_cap(
        cap in 1_u32..5,
        wants in proptest::collection::vec(1_u32..4, 2..7),
        schedule in proptest::collection::vec((0_usize..7, proptest::bool::weighted(0.8)), 0..60),
    ) {
        let mut coordinator = Coordinator::default();
        let code = DiscountCode::new(
            "RACE",
            Reduction::Percent(Amount::parse("10").expect("an amount")),
            None,
            None,
            Some(cap),
            DiscountScope::default(),
        )
        .expect("a code");
        coordinator.define_discount(DiscountCodeRecord {
            code,
            created_at: Timestamp(0),
        });
        let mut runs = Vec::new();
        for (index, _) in wants.iter().enumerate() {
            let transaction = TransactionId(100 + index as u128);
            coordinator.open(
                transaction,
                Route {
                    owner: caller().client,
                    performances: vec![id("p1")],
                },
                Metadata::new(),
            );
            apply_code(&mut coordinator, transaction, "RACE");
            let Begin::Run(run) = begin(&mut coordinator, transaction) else {
                panic!("a first completion runs");
            };
            runs.push(Some((run, 0_u8)));
        }
        let mut sold = 0;
        // Each run: quote (reserve or refuse), then its sale made or refused.
        for (pick, succeeds) in schedule
            .into_iter()
            .chain((0..wants.len()).flat_map(|at| [(at, true), (at, true)]))
        {
            let at = pick % wants.len();
            let Some((mut run, stage)) = runs[at].take() else {
                continue;
            };
            let step = if stage == 0 {
                coordinator.advance_quoted(&mut run, covering(wants[at]))
            } else {
                let outcome = if succeeds {
                    Ok(())
                } else {
                    Err(Rejection::LockExpired.into())
                };
                coordinator.advance(&mut run, outcome)
            };
            match step {
                Step::Finished(Ok(order)) => sold += order.discount_uses,
                Step::Finished(Err(_)) => {}
                _ => runs[at] = Some((run, stage + 1)),
            }
            let (uses, reserved) = coordinator.uses_of("RACE");
            proptest::prop_assert!(uses + reserved <= cap, "{uses} + {reserved} over {cap}");
        }
        proptest::prop_assert_eq!(coordinator.uses_of("RACE"), (sold, 0));
    }
}

#[test]
fn a_refund_pays_back_what_was_paid_once_and_the_order_fees_with_the_last_ticket() {
    let transaction = TransactionId(31);
    let mut coordinator = coordinator_with(transaction, &["p1"]);
    let Begin::Run(run) = begin(&mut coordinator, transaction) else {
        panic!("runs");
    };
    let Step::Finished(Ok(order)) = coordinator.advance(&mut { run }, Ok(())) else {
        panic!("sold");
    };
    let gbp = Currency::parse("GBP").expect("a currency");
    let ticket = |index, full: &str| OrderTicket {
        performance: id("p1"),
        index,
        currency: gbp,
        full: Amount::parse(full).expect("an amount"),
    };
    let tickets = [ticket(0, "66.50"), ticket(1, "31.50")];
    let fees = BTreeMap::from([(gbp, Amount::parse("2.00").expect("an amount"))]);
    let request = |asked: Option<Vec<u32>>| RefundRequest {
        tickets: asked.map(|asked| asked.into_iter().map(|i| (id("p1"), i)).collect()),
        payment: None,
        reason: String::new(),
        withhold: false,
    };
    let refund = |coordinator: &mut Coordinator, asked| {
        coordinator.begin_refund(
            &caller(),
            order.number,
            request(asked),
            &tickets,
            &fees,
            Timestamp(5),
        )
    };
    // A ticket named twice is refunded once.
    let mut first = refund(&mut coordinator, Some(vec![1, 1])).expect("a refund");
    // A second refund of the order while the first runs: 409, nothing changed.
    assert!(matches!(
        refund(&mut coordinator, Some(vec![0])),
        Err(EngineError::TransactionBusy { .. })
    ));
    let RefundStep::Commit(record) = coordinator.refund_step(&first) else {
        panic!("the record first");
    };
    assert_eq!(
        (record.amount.to_string(), record.tickets.len()),
        ("31.50".into(), 1)
    );
    let step = coordinator.advance_refund(&mut first, Ok(()));
    assert!(matches!(step, RefundStep::Perform { ref tickets, .. } if tickets == &[1]));
    assert!(matches!(
        coordinator.advance_refund(&mut first, Ok(())),
        RefundStep::Finished(Ok(_))
    ));
    // Twice is 409; the rest pays back the last ticket and the order's fee.
    assert!(matches!(
        refund(&mut coordinator, Some(vec![1])),
        Err(EngineError::Rejected(Rejection::InvalidState { .. }))
    ));
    let rest = refund(&mut coordinator, None).expect("the rest");
    let RefundStep::Commit(record) = coordinator.refund_step(&rest) else {
        panic!("the record first");
    };
    assert_eq!(
        (
            record.amount.to_string(),
            record.order_fees.to_string(),
            record.seq
        ),
        ("68.50".into(), "2.00".into(), 2)
    );
    assert!(matches!(
        refund(&mut coordinator, Some(vec![7])),
        Err(EngineError::TransactionBusy { .. } | EngineError::TicketNotInOrder { .. })
    ));
}
