//! History: a transaction's or a seat's every state change, read from the performances'
//! journals (`persistence::Store::journal`) and derived by the domain (`domain::history`).
//!
//! # Caveats
//! - A history reads the whole journal of each performance concerned: its cost grows with
//!   the changes the performance has seen. It is for a box office looking into one case, not
//!   for a page that polls.
//! - The journal is read as stored, which may be a moment ahead of what has been
//!   acknowledged (a batch is applied just before it is synced).

use std::sync::Arc;

use super::Engine;
use crate::actor::coordinator::Caller;
use crate::actor::error::EngineError;
use crate::actor::messages::GetPerformance;
use crate::domain::{
    HistoryEvent, PerformanceId, PerformanceInfo, SeatingPlan, TransactionId, Wanted, history,
};
use crate::persistence::Entry;

/// One event with the performance it happened at.
#[derive(Clone, Debug)]
pub struct HistoryLine {
    /// The performance.
    pub performance: Arc<PerformanceInfo>,
    /// Its plan, to name seats.
    pub plan: Arc<SeatingPlan>,
    /// What happened.
    pub event: HistoryEvent,
}

impl Engine {
    /// Every state change of a transaction, at every performance it held at, in time order.
    ///
    /// # Errors
    /// `NotFound` and `Forbidden` as for reading the transaction; a storage failure.
    pub async fn transaction_history(
        &self,
        caller: &Caller,
        transaction: TransactionId,
    ) -> Result<Vec<HistoryLine>, EngineError> {
        let route = self.route(caller, transaction)?;
        let mut lines = Vec::new();
        for performance in &route.performances {
            lines.extend(
                self.history_at(performance, Wanted::Transaction(transaction))
                    .await?,
            );
        }
        lines.sort_by_key(|line| line.event.at);
        Ok(lines)
    }

    /// Every state change of the seat `seat` (its id in the plan, `STALLS-C12`) at
    /// `performance`, in time order; a client other than an admin sees the events of its own
    /// transactions and the holdbacks.
    ///
    /// # Errors
    /// `NotFound` for an unknown performance or seat; a storage failure.
    pub async fn seat_history(
        &self,
        caller: &Caller,
        performance: &PerformanceId,
        seat: &str,
    ) -> Result<Vec<HistoryLine>, EngineError> {
        let view = self.registry.get(performance)?.send(GetPerformance).await?;
        caller.check_reach(performance)?;
        let index = view
            .plan
            .find_seat(seat)
            .ok_or_else(|| EngineError::not_found("seat", format!("{performance}:{seat}")))?;
        let mut lines = self.history_at(performance, Wanted::Seat(index)).await?;
        let oversees = caller.oversees(std::slice::from_ref(performance));
        lines.retain(|line| {
            oversees
                || line
                    .event
                    .client
                    .as_ref()
                    .is_none_or(|client| *client == caller.client)
        });
        Ok(lines)
    }

    /// The events of `wanted` in `performance`'s journal.
    async fn history_at(
        &self,
        performance: &PerformanceId,
        wanted: Wanted,
    ) -> Result<Vec<HistoryLine>, EngineError> {
        let view = self.registry.get(performance)?.send(GetPerformance).await?;
        let store = Arc::clone(&self.store);
        let id = performance.clone();
        // A journal is read whole: off the async workers.
        let entries: Vec<Entry> = tokio::task::spawn_blocking(move || store.journal(&id))
            .await
            .map_err(|_| EngineError::Unavailable)??;
        let events = history(
            entries.iter().map(|entry| (entry.at, &entry.change)),
            wanted,
        );
        Ok(events
            .into_iter()
            .map(|event| HistoryLine {
                performance: Arc::clone(&view.performance),
                plan: Arc::clone(&view.plan),
                event,
            })
            .collect())
    }
}
