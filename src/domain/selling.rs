//! The checks a performance's commands make against its sale status, and the decision to
//! change it (see `sale_status` for what each status means).
//!
//! # Caveats
//! - A sale already prepared when the performance is cancelled is still carried out: its
//!   order was committed before (`Performance::decide`, `SellHold`).

use super::change::Change;
use super::performance::Performance;
use super::rejection::Rejection;
use super::sale_status::SaleStatus;

impl Performance {
    /// Refuses new holds unless the performance is on sale.
    pub(super) fn check_selling(&self) -> Result<(), Rejection> {
        match self.status {
            SaleStatus::OnSale => Ok(()),
            status => Err(Rejection::NotOnSale {
                status: status.as_str(),
            }),
        }
    }

    /// Refuses `action` once the performance is cancelled.
    pub(super) fn check_not_cancelled(&self, action: &'static str) -> Result<(), Rejection> {
        if self.status == SaleStatus::Cancelled {
            Err(Rejection::Cancelled { action })
        } else {
            Ok(())
        }
    }

    /// Returns the performance's sale status.
    pub fn sale_status(&self) -> SaleStatus {
        self.status
    }

    pub(super) fn decide_status(&self, status: SaleStatus) -> Result<Option<Change>, Rejection> {
        if self.status == status {
            return Ok(None);
        }
        self.check_not_cancelled("change the status of")?;
        Ok(Some(Change::StatusChanged { status }))
    }
}
