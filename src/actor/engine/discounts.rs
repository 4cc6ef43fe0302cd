//! Discount codes: creating one (durable before it is answered) and listing them with their
//! uses. Applying a code is a change of its transaction (`changes`), counting its uses is the
//! coordinator's (`coordinator::discounts`).

use super::Engine;
use crate::actor::coordinator::DiscountListing;
use crate::actor::error::EngineError;
use crate::domain::DiscountCode;
use crate::persistence::{Batch, DiscountCodeRecord, Record};

impl Engine {
    /// Creates a discount code.
    ///
    /// # Errors
    /// `AlreadyExists` for a code taken (in any case); a storage failure.
    pub async fn create_discount_code(
        &self,
        code: DiscountCode,
    ) -> Result<DiscountListing, EngineError> {
        // The creation lock makes the check and the write one step, as for performances.
        let _creating = self.creating.lock().await;
        if self
            .coordination()
            .coordinator
            .discount(&code.code)
            .is_some()
        {
            return Err(EngineError::AlreadyExists {
                what: "discount code",
                id: code.code,
            });
        }
        let record = DiscountCodeRecord {
            code,
            created_at: self.clock.now(),
        };
        self.write(Batch {
            records: vec![Record::DiscountCode(record.clone())],
            ..Batch::default()
        })
        .await?;
        let mut coordination = self.coordination();
        let code = record.code.code.clone();
        coordination.coordinator.define_discount(record);
        coordination
            .coordinator
            .discounts()
            .into_iter()
            .find(|listing| listing.code.code == code)
            .ok_or(EngineError::Unavailable)
    }

    /// Every discount code with its uses, in code order.
    pub fn discount_codes(&self) -> Vec<DiscountListing> {
        self.coordination().coordinator.discounts()
    }
}
