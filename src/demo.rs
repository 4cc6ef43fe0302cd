//! The demo catalogue loaded by `cargo run --release` on a new data directory: one event with
//! two performances in a 1,000-seat theatre (stalls and circle with aisles, two price bands)
//! and a standing pool, selling adult and child tickets with a booking fee per ticket and a
//! handling fee per order.

use crate::actor::{Engine, EngineError};
use crate::domain::{
    Amount, BlockSpec, Currency, EventId, EventInfo, Fee, PerformanceId, PerformanceInfo, PlanSpec,
    PoolSpec, PriceBand, RowSpec, Rules, SectionSpec, TicketType, Timestamp,
};

/// The ids of the demo performances.
pub const PERFORMANCE_IDS: [&str; 2] = ["revue-1", "revue-2"];

const DAY_MILLIS: i64 = 86_400_000;

fn section(name: &str, rows: &str, blocks: &[(u32, u32)], band: &str) -> SectionSpec {
    SectionSpec {
        name: name.into(),
        rows: rows
            .chars()
            .map(|row| RowSpec {
                row: row.to_string(),
                blocks: blocks
                    .iter()
                    .map(|&(from, to)| BlockSpec {
                        from,
                        to,
                        price_band: band.into(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn band(code: &str, price: &str) -> Result<PriceBand, EngineError> {
    Ok(PriceBand {
        code: code.into(),
        price: Amount::parse(price)?,
        currency: Currency::parse("GBP")?,
    })
}

/// The demo plan: stalls rows A–T with aisles after seats 8 and 26 (680 seats, band A),
/// circle rows A–H with a centre aisle (320 seats, band B), and 200 standing places.
///
/// # Errors
/// Never in practice; the literals are valid.
pub fn plan() -> Result<PlanSpec, EngineError> {
    Ok(PlanSpec {
        price_bands: vec![band("A", "65.00")?, band("B", "45.00")?],
        sections: vec![
            section(
                "STALLS",
                "ABCDEFGHIJKLMNOPQRST",
                &[(1, 8), (9, 26), (27, 34)],
                "A",
            ),
            section("CIRCLE", "ABCDEFGH", &[(1, 20), (21, 40)], "B"),
        ],
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

/// Creates the demo event's two performances, 14 and 15 days after `now` at 19:30 UTC.
///
/// # Errors
/// When a performance cannot be created (its id is taken, say).
pub async fn load(engine: &Engine, now: Timestamp) -> Result<(), EngineError> {
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
    Ok(())
}
