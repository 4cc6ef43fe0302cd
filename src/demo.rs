//! The demo catalogue loaded by `cargo run --release` on a new data directory: one event with
//! two performances in a 1,000-seat theatre (stalls and circle with aisles, two price bands)
//! and a standing pool, selling adult and child tickets with a booking fee per ticket and a
//! handling fee per order.

use crate::actor::{ClientScope, Engine, EngineError, Role};
use crate::domain::{
    Amount, BlockSpec, ClientId, Currency, EventId, EventInfo, Fee, PerformanceId, PerformanceInfo,
    PlanSpec, PoolSpec, PriceBand, RowSpec, Rules, SectionSpec, TicketType, Timestamp,
};

/// The ids of the demo performances.
pub const PERFORMANCE_IDS: [&str; 2] = ["revue-1", "revue-2"];

const DAY_MILLIS: i64 = 86_400_000;

/// A block of the demo drawn at `x` with `step`, with `attributes` as (name, seat numbers).
fn block(
    from: u32,
    to: u32,
    band: &str,
    x: f64,
    step: f64,
    attributes: &[(&str, &[u32])],
) -> BlockSpec {
    BlockSpec {
        x: Some(x),
        step: Some(step),
        attributes: attributes
            .iter()
            .filter(|(_, seats)| !seats.is_empty())
            .map(|&(name, seats)| (name.to_owned(), seats.to_vec()))
            .collect(),
        ..BlockSpec::new(from, to, band)
    }
}

/// The stalls: rows A–T from the stage back, a centre block of 18 between two side blocks of
/// 8, aisle seats marked, and wheelchair places with a companion seat beside each at both
/// ends of the back row.
fn stalls() -> SectionSpec {
    let rows = ('A'..='T').enumerate().map(|(index, row)| {
        let back = row == 'T';
        let left: &[(&str, &[u32])] = &[
            ("aisle", &[8]),
            ("accessible", if back { &[1, 2] } else { &[] }),
            ("companion", if back { &[3] } else { &[] }),
        ];
        let right: &[(&str, &[u32])] = &[
            ("aisle", &[27]),
            ("accessible", if back { &[33, 34] } else { &[] }),
            ("companion", if back { &[32] } else { &[] }),
        ];
        RowSpec {
            row: row.to_string(),
            blocks: vec![
                block(1, 8, "A", -17.5, 1.0, left),
                block(9, 26, "A", -8.5, 1.0, &[("aisle", &[9, 26])]),
                block(27, 34, "A", 10.5, 1.0, right),
            ],
            y: Some(3.0 + index as f64),
        }
    });
    SectionSpec {
        name: "STALLS".into(),
        rows: rows.collect(),
    }
}

/// The circle: rows A–H above the back of the stalls, split by a centre aisle, each row a
/// little wider than the one in front so the circle fans out; the outermost two seats of the
/// front rows look past a pillar.
fn circle() -> SectionSpec {
    let rows = ('A'..='H').enumerate().map(|(index, row)| {
        let step = 1.0 + 0.05 * index as f64;
        let pillar: &[u32] = if index < 2 { &[1, 2] } else { &[] };
        let pillar_right: &[u32] = if index < 2 { &[39, 40] } else { &[] };
        RowSpec {
            row: row.to_string(),
            blocks: vec![
                block(
                    1,
                    20,
                    "B",
                    -1.0 - 19.0 * step,
                    step,
                    &[("aisle", &[20]), ("restricted_view", pillar)],
                ),
                block(
                    21,
                    40,
                    "B",
                    1.0,
                    step,
                    &[("aisle", &[21]), ("restricted_view", pillar_right)],
                ),
            ],
            y: Some(26.0 + 1.2 * index as f64),
        }
    });
    SectionSpec {
        name: "CIRCLE".into(),
        rows: rows.collect(),
    }
}

fn band(code: &str, price: &str) -> Result<PriceBand, EngineError> {
    Ok(PriceBand {
        code: code.into(),
        price: Amount::parse(price)?,
        currency: Currency::parse("GBP")?,
    })
}

/// The demo plan: stalls rows A–T with aisles after seats 8 and 26 (680 seats, band A, four
/// wheelchair places), circle rows A–H with a centre aisle (320 seats, band B, fanning out),
/// and 200 standing places; drawn with the stage at `y = 0`.
///
/// # Errors
/// Never in practice; the literals are valid.
pub fn plan() -> Result<PlanSpec, EngineError> {
    Ok(PlanSpec {
        price_bands: vec![band("A", "65.00")?, band("B", "45.00")?],
        sections: vec![stalls(), circle()],
        general_admission: vec![PoolSpec {
            code: "STANDING".into(),
            capacity: 200,
            price_band: "B".into(),
        }],
    })
}

/// The demo's ticket types (adult at the band prices, child at half) and fees.
///
/// # Errors
/// Never in practice; the literals are valid.
pub fn price_list(plan: &PlanSpec) -> Result<(Vec<TicketType>, Vec<Fee>), EngineError> {
    let prices = |a: &str, b: &str| -> Result<Vec<(String, Amount)>, EngineError> {
        Ok(vec![
            ("A".into(), Amount::parse(a)?),
            ("B".into(), Amount::parse(b)?),
        ])
    };
    let types = vec![
        TicketType::resolve(
            "ADULT".into(),
            "Adult".into(),
            prices("65.00", "45.00")?,
            &plan.price_bands,
        ),
        TicketType::resolve(
            "CHILD".into(),
            "Child (under 16)".into(),
            prices("32.50", "22.50")?,
            &plan.price_bands,
        ),
    ]
    .into_iter()
    .collect::<Result<Vec<_>, _>>()
    .map_err(EngineError::Plan)?;
    let fees = vec![
        Fee::new("booking".into(), Some(Amount::parse("1.50")?), None),
        Fee::new("handling".into(), None, Some(Amount::parse("2.00")?)),
    ]
    .into_iter()
    .collect::<Result<Vec<_>, _>>()
    .map_err(EngineError::Plan)?;
    Ok((types, fees))
}

/// Creates the demo event's two performances, 14 and 15 days after `now` at 19:30 UTC, and a
/// widget key for the seat-selection page; returns that key (publishable, shown once).
///
/// # Errors
/// When a performance or the client cannot be created (an id is taken, say).
pub async fn load(engine: &Engine, now: Timestamp) -> Result<String, EngineError> {
    let midnight = now.as_millis() - now.as_millis().rem_euclid(DAY_MILLIS);
    let evening = 19 * 3_600_000 + 30 * 60_000;
    for (index, id) in PERFORMANCE_IDS.iter().enumerate() {
        let plan = plan()?;
        let (ticket_types, fees) = price_list(&plan)?;
        let info = PerformanceInfo {
            id: PerformanceId::parse(id)?,
            event: EventInfo {
                id: EventId::parse("holdfast-revue")?,
                name: "The Holdfast Revue".into(),
                venue: "Harbour Theatre".into(),
                city: "London".into(),
            },
            starts_at: Timestamp(midnight + (14 + index as i64) * DAY_MILLIS + evening),
            hold_seconds: 180,
            rules: Rules {
                contiguous_seats_only: true,
                no_single_seat_gaps: true,
                valid_quantities: (1..=8).collect(),
                ..Rules::default()
            },
            ticket_types,
            fees,
        };
        engine.create_performance(info, plan).await?;
    }
    let (_, widget_key) = engine
        .create_client(
            ClientId::parse("demo-widget")?,
            "Demo seat widget".into(),
            Role::Widget,
            ClientScope::default(),
        )
        .await?;
    Ok(widget_key)
}
