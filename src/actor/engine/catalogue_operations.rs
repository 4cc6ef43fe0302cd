//! What a box office changes in its catalogue after creating it: an event's name and place, a
//! performance's time, hold time, rules and sale status, copies of a performance, holdbacks
//! and channels' allocations. Every change is durable before it is answered.
//!
//! A description (an event's or a performance's) lives in the performance records: changing
//! an event rewrites every one of its performances' records in one atomic batch, so a restart
//! never finds the event half renamed. Sale status, holdbacks and allocations are changes to
//! the inventory, decided and journaled by the performance's actor like a hold.
//!
//! # Caveats
//! - Catalogue changes run one at a time (with creations), which is plenty for a box office
//!   and keeps a description's record and its copies in memory in step.
//! - A `PATCH` of a performance that changes both its description and its status makes two
//!   durable writes, the description first: a crash between them keeps the description only,
//!   and repeating the `PATCH` finishes it.

use std::collections::HashSet;
use std::sync::Arc;

use super::Engine;
use crate::actor::coordinator::EventOf;
use crate::actor::error::EngineError;
use crate::actor::messages::{
    ChangeHoldbacks, GetPerformance, ManagePerformance, PerformanceView, UpdateInfo,
};
use crate::domain::{
    Command, EventId, EventInfo, PerformanceId, PerformanceInfo, Rules, SaleStatus, TicketId,
    Timestamp,
};
use crate::persistence::{Batch, PerformanceRecord, Record};

/// What a `PATCH` of a performance changes; every part optional.
#[derive(Clone, Debug, Default)]
pub struct PerformanceUpdate {
    /// A new start.
    pub starts_at: Option<Timestamp>,
    /// A new hold time.
    pub hold_seconds: Option<u32>,
    /// New rules.
    pub rules: Option<Rules>,
    /// A new sale status.
    pub status: Option<SaleStatus>,
}

/// What a `PATCH` of an event changes; every part optional.
#[derive(Clone, Debug, Default)]
pub struct EventUpdate {
    /// A new name.
    pub name: Option<String>,
    /// A new venue.
    pub venue: Option<String>,
    /// A new city.
    pub city: Option<String>,
}

/// Seats and places to take off sale or put back.
#[derive(Clone, Debug, Default)]
pub struct Holdbacks {
    /// Tickets to withhold.
    pub withhold: Vec<TicketId>,
    /// Tickets to put back on sale.
    pub release: Vec<TicketId>,
    /// (pool code, quantity) of places to withhold.
    pub withhold_places: Vec<(String, u32)>,
    /// (pool code, quantity) of places to put back on sale.
    pub release_places: Vec<(String, u32)>,
}

impl Engine {
    /// Returns the event `performance` shows.
    ///
    /// # Errors
    /// `NotFound` for an unknown performance.
    pub fn event_of(&self, performance: &PerformanceId) -> Result<EventId, EngineError> {
        Ok(self.registry.get(performance)?.info().event.id.clone())
    }

    /// Returns the performances of `events`, now.
    pub fn performances_of(&self, events: &[EventId]) -> HashSet<PerformanceId> {
        self.registry
            .infos()
            .into_iter()
            .filter(|info| events.contains(&info.event.id))
            .map(|info| info.id.clone())
            .collect()
    }
}

impl EventOf for Engine {
    fn event_of(&self, performance: &PerformanceId) -> Option<EventId> {
        self.registry
            .get(performance)
            .ok()
            .map(|handle| handle.info().event.id.clone())
    }
}

impl Engine {
    /// Changes a performance's time, hold time, rules or sale status.
    ///
    /// # Errors
    /// `NotFound` for an unknown performance; `Plan` for a bad hold time or rules; the
    /// domain's `InvalidState` for a cancelled performance's status; `Unavailable` when the
    /// store fails.
    pub async fn update_performance(
        &self,
        id: &PerformanceId,
        update: PerformanceUpdate,
    ) -> Result<PerformanceView, EngineError> {
        let _changing = self.creating.lock().await;
        let handle = self.registry.get(id)?;
        let view = handle.send(GetPerformance).await?;
        let mut info = PerformanceInfo::clone(&view.performance);
        if let Some(starts_at) = update.starts_at {
            info.starts_at = starts_at;
        }
        if let Some(hold_seconds) = update.hold_seconds {
            info.hold_seconds = hold_seconds;
        }
        if let Some(rules) = update.rules {
            info.rules = rules;
        }
        let info = info.validate().map_err(EngineError::Plan)?;
        if update.status.is_some_and(|status| status != view.status)
            && view.status == SaleStatus::Cancelled
        {
            return Err(crate::domain::Rejection::Cancelled {
                action: "change the status of",
            }
            .into());
        }
        let mut answer = view;
        if info != *answer.performance {
            answer = self.rewrite(vec![(info, answer)]).await?.remove(0);
        }
        if let Some(status) = update.status {
            // Past the admission bound: the description may be on disk already, and a
            // refusal now would answer 503 for a change half made.
            let command = Command::SetStatus { status };
            answer = handle.send_unbounded(ManagePerformance { command }).await?;
            self.registry.set_status(id, answer.status);
        }
        Ok(answer)
    }

    /// Renames or moves an event: every performance's record in one batch, then their
    /// actors.
    ///
    /// # Errors
    /// `NotFound` for an unknown event; `Unavailable` when the store fails.
    pub async fn update_event(
        &self,
        id: &EventId,
        update: EventUpdate,
    ) -> Result<EventInfo, EngineError> {
        let _changing = self.creating.lock().await;
        let mut event = self.event(id)?;
        if let Some(name) = update.name {
            event.name = name;
        }
        if let Some(venue) = update.venue {
            event.venue = venue;
        }
        if let Some(city) = update.city {
            event.city = city;
        }
        let mut rewrites = Vec::new();
        for performance in self.performances_of(std::slice::from_ref(id)) {
            let view = self
                .registry
                .get(&performance)?
                .send(GetPerformance)
                .await?;
            let mut info = PerformanceInfo::clone(&view.performance);
            info.event = event.clone();
            rewrites.push((info, view));
        }
        self.rewrite(rewrites).await?;
        self.events.insert(id.clone(), event.clone());
        Ok(event)
    }

    /// Writes new descriptions of performances in one batch, then gives them to their actors
    /// and the registry; answers each performance as it is then.
    async fn rewrite(
        &self,
        rewrites: Vec<(PerformanceInfo, PerformanceView)>,
    ) -> Result<Vec<PerformanceView>, EngineError> {
        let records = rewrites
            .iter()
            .map(|(info, view)| {
                Record::Performance(PerformanceRecord {
                    info: info.clone(),
                    plan: view.plan.spec().clone(),
                })
            })
            .collect();
        self.write(Batch {
            records,
            ..Batch::default()
        })
        .await?;
        let mut views = Vec::with_capacity(rewrites.len());
        for (info, _) in rewrites {
            let handle = self.registry.get(&info.id)?;
            self.registry.set_info(Arc::new(info.clone()));
            // Durable already: the actor must take it, whatever its load.
            views.push(handle.send_unbounded(UpdateInfo { info }).await?);
        }
        Ok(views)
    }

    /// Creates `new_id`, a copy of performance `id` starting at `starts_at`: the same event,
    /// plan, bands, ticket types, fees, hold time and rules, with every seat free.
    ///
    /// # Errors
    /// As [`Engine::create_performance`], and `NotFound` for an unknown performance.
    pub async fn copy_performance(
        &self,
        id: &PerformanceId,
        new_id: PerformanceId,
        starts_at: Timestamp,
    ) -> Result<PerformanceView, EngineError> {
        let view = self.registry.get(id)?.send(GetPerformance).await?;
        let info = PerformanceInfo {
            id: new_id,
            starts_at,
            ..PerformanceInfo::clone(&view.performance)
        };
        self.create_performance(info, view.plan.spec().clone())
            .await
    }

    /// Withholds and returns seats and general-admission places.
    ///
    /// # Errors
    /// `NotFound` for an unknown performance, seat or pool; the domain's rejections
    /// otherwise.
    pub async fn change_holdbacks(
        &self,
        id: &PerformanceId,
        holdbacks: Holdbacks,
    ) -> Result<PerformanceView, EngineError> {
        let handle = self.registry.get(id)?;
        let message = ChangeHoldbacks {
            withhold: seats_at(id, holdbacks.withhold)?,
            release: seats_at(id, holdbacks.release)?,
            withhold_places: holdbacks.withhold_places,
            release_places: holdbacks.release_places,
        };
        self.check_ticket_count(message.withhold.len() + message.release.len())?;
        handle.send(message).await
    }

    /// Sets seats and places aside for `channel`, adding to its allocation.
    ///
    /// # Errors
    /// `NotFound` for an unknown performance, seat or pool; `SeatUnavailable` for a seat
    /// that is not free; `InsufficientAvailability` for more places than are free.
    pub async fn allocate(
        &self,
        id: &PerformanceId,
        channel: String,
        tickets: Vec<TicketId>,
        places: Vec<(String, u32)>,
    ) -> Result<PerformanceView, EngineError> {
        let handle = self.registry.get(id)?;
        let seats = seats_at(id, tickets)?;
        self.check_ticket_count(seats.len())?;
        let command = Command::Allocate {
            channel,
            seats,
            places,
        };
        handle.send(ManagePerformance { command }).await
    }

    /// Returns `channel`'s unsold allocation to general sale.
    ///
    /// # Errors
    /// `NotFound` for an unknown performance or a channel without an allocation there.
    pub async fn deallocate(
        &self,
        id: &PerformanceId,
        channel: String,
    ) -> Result<PerformanceView, EngineError> {
        let handle = self.registry.get(id)?;
        let view = handle.send(GetPerformance).await?;
        if !view.allocations.iter().any(|a| a.channel == channel) {
            return Err(EngineError::not_found(
                "allocation",
                format!("{id}/{channel}"),
            ));
        }
        let command = Command::Deallocate { channel };
        handle.send(ManagePerformance { command }).await
    }
}

/// The seat ids of `tickets`, each of which must be at performance `id`.
fn seats_at(id: &PerformanceId, tickets: Vec<TicketId>) -> Result<Vec<String>, EngineError> {
    tickets
        .into_iter()
        .map(|ticket| {
            if ticket.performance == *id {
                Ok(ticket.seat)
            } else {
                Err(EngineError::TicketNotAtPerformance {
                    ticket,
                    performance: id.clone(),
                })
            }
        })
        .collect()
}
