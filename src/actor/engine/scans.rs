//! Door scanning: a barcode is routed to the performance that sold it (the registry's
//! barcode directory, which every core keeps up to date), whose actor decides.

use super::Engine;
use crate::actor::coordinator::Caller;
use crate::actor::error::EngineError;
use crate::actor::messages::{ScanTicket, ScanView};
use crate::domain::ScanVerdict;

impl Engine {
    /// Scans `barcode` at the door: admits a sold ticket the first time (answered once the
    /// scan is durable), and says when it was first scanned every time after. A barcode no
    /// performance sold is `Unknown`, and so is one of a performance the caller's key does not
    /// reach.
    ///
    /// # Errors
    /// `Overloaded`, `Unavailable` or a storage failure at the performance.
    pub async fn scan(&self, caller: &Caller, barcode: String) -> Result<ScanView, EngineError> {
        // A door of one organizer's events admits none of another's: to it the ticket is
        // unknown, and it is not marked scanned.
        let known = self
            .registry
            .performance_of_barcode(&barcode)
            .filter(|performance| caller.reaches(performance));
        let Some(performance) = known else {
            return Ok(ScanView {
                verdict: ScanVerdict::Unknown,
                hold: None,
                discount: None,
            });
        };
        let mut view = self
            .registry
            .get(&performance)?
            .send(ScanTicket { barcode })
            .await?;
        if let Some(hold) = &view.hold {
            view.discount = self
                .coordination()
                .coordinator
                .discount_of(hold.hold.transaction)?;
        }
        Ok(view)
    }
}
