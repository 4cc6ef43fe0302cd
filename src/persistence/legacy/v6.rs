//! The layout of formats 1 to 6 that format 7 (seat geometry) changed: a plan whose rows and
//! blocks carry no `y`, `x`, `step` or attributes. It converts into today's plan as what it
//! meant: laid out from plan order, no seat with an attribute.

use serde::Deserialize;

use crate::domain::{
    BlockAttributes, BlockSpec, PerformanceInfo, PlanSpec, PoolSpec, PriceBand, RowSpec,
    SectionSpec,
};
use crate::persistence::records::PerformanceRecord;

/// `BlockSpec` in formats 1 to 6.
#[derive(Deserialize)]
struct BlockSpecV6 {
    from: u32,
    to: u32,
    price_band: String,
}

/// `RowSpec` in formats 1 to 6.
#[derive(Deserialize)]
struct RowSpecV6 {
    row: String,
    blocks: Vec<BlockSpecV6>,
}

/// `SectionSpec` in formats 1 to 6.
#[derive(Deserialize)]
struct SectionSpecV6 {
    name: String,
    rows: Vec<RowSpecV6>,
}

/// `PlanSpec` in formats 1 to 6.
#[derive(Deserialize)]
pub struct PlanSpecV6 {
    price_bands: Vec<PriceBand>,
    sections: Vec<SectionSpecV6>,
    general_admission: Vec<PoolSpec>,
}

impl From<PlanSpecV6> for PlanSpec {
    fn from(old: PlanSpecV6) -> Self {
        Self {
            price_bands: old.price_bands,
            sections: old
                .sections
                .into_iter()
                .map(|section| SectionSpec {
                    name: section.name,
                    rows: section
                        .rows
                        .into_iter()
                        .map(|row| RowSpec {
                            row: row.row,
                            blocks: row
                                .blocks
                                .into_iter()
                                .map(|block| BlockSpec {
                                    from: block.from,
                                    to: block.to,
                                    price_band: block.price_band,
                                    x: None,
                                    step: None,
                                    attributes: BlockAttributes::new(),
                                })
                                .collect(),
                            y: None,
                        })
                        .collect(),
                })
                .collect(),
            general_admission: old.general_admission,
        }
    }
}

/// `PerformanceRecord` in formats 5 and 6: its plan without geometry.
#[derive(Deserialize)]
pub struct PerformanceRecordV6 {
    pub(super) info: PerformanceInfo,
    pub(super) plan: PlanSpecV6,
}

impl From<PerformanceRecordV6> for PerformanceRecord {
    fn from(old: PerformanceRecordV6) -> Self {
        Self {
            info: old.info,
            plan: old.plan.into(),
        }
    }
}
