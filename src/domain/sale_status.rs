//! Whether a performance is selling: on sale, off sale (no new holds; holds placed may still
//! complete) or cancelled (final: nothing held, checked out or completed any more, while
//! releases and refunds still work). How commands are checked against it is `selling`'s.
//!
//! # Caveats
//! - Stored in snapshots (format 8 on): variants are only ever appended.

use serde::{Deserialize, Serialize};

/// Whether a performance is selling.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SaleStatus {
    /// Holds are taken.
    #[default]
    OnSale,
    /// No new holds or added seats; holds already placed may still be completed.
    OffSale,
    /// Nothing is held, checked out or completed any more; releases and refunds still work.
    /// Final.
    Cancelled,
}

impl SaleStatus {
    /// Returns the contract's name of the status.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OnSale => "on_sale",
            Self::OffSale => "off_sale",
            Self::Cancelled => "cancelled",
        }
    }

    /// Parses `on_sale`, `off_sale` or `cancelled`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "on_sale" => Some(Self::OnSale),
            "off_sale" => Some(Self::OffSale),
            "cancelled" => Some(Self::Cancelled),
            _ => None,
        }
    }
}
