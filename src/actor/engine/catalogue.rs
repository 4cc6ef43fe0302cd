//! The catalogue: events and performances, their listings and availability.

use std::sync::Arc;

use super::{Engine, Page, paginate};
use crate::actor::error::EngineError;
use crate::actor::messages::{
    AvailabilityView, GetAvailability, GetPerformance, GetSeatMap, PerformanceView, SeatMapView,
    SeatSubscription, SubscribeSeats,
};
use crate::domain::{
    EventId, EventInfo, Performance, PerformanceId, PerformanceInfo, PlanSpec, SaleStatus,
    SeatingPlan, Timestamp,
};
use crate::persistence::{Batch, PerformanceRecord, Record};

impl Engine {
    /// Creates a performance and starts its actor; records its event when it is new. A
    /// performance of an event that exists takes the event as it is: what the body says of
    /// the event (its name, venue, city) never changes it.
    ///
    /// # Errors
    /// `Invalid` for a bad plan, `RuleViolation` for a plan over the seat limit, and
    /// `AlreadyExists` for a taken id.
    pub async fn create_performance(
        &self,
        info: PerformanceInfo,
        spec: PlanSpec,
    ) -> Result<PerformanceView, EngineError> {
        let mut info = info.validate().map_err(EngineError::Plan)?;
        let plan = SeatingPlan::build(spec.clone(), self.limits.seats_per_plan_max)
            .map_err(EngineError::Plan)?;
        info.check_price_list(&plan).map_err(EngineError::Plan)?;
        let _creating = self.creating.lock().await;
        if self.registry.contains(&info.id) {
            return Err(EngineError::AlreadyExists {
                what: "performance",
                id: info.id.to_string(),
            });
        }
        if let Some(existing) = self.events.get(&info.event.id) {
            info.event = existing.value().clone();
        }
        let record = PerformanceRecord {
            info: info.clone(),
            plan: spec,
        };
        self.write(Batch {
            records: vec![Record::Performance(record)],
            ..Batch::default()
        })
        .await?;
        let event = info.event.clone();
        let handle = self.registry.start(
            Performance::new(info, plan),
            0,
            Timestamp::default(),
            Vec::new(),
        )?;
        self.events.insert(event.id.clone(), event);
        handle.send(GetPerformance).await
    }

    /// Lists events whose name, venue or city contains `query` (case-insensitive) and whose
    /// city is `city` (case-insensitive), sorted by name.
    pub fn events(
        &self,
        query: Option<&str>,
        city: Option<&str>,
        page: usize,
        page_length: usize,
    ) -> Page<EventInfo> {
        let query = query.map(str::to_lowercase);
        let city = city.map(str::to_lowercase);
        let mut events: Vec<EventInfo> = self
            .events
            .iter()
            .map(|entry| entry.value().clone())
            .filter(|event| {
                query.as_deref().is_none_or(|q| {
                    [&event.name, &event.venue, &event.city]
                        .iter()
                        .any(|field| field.to_lowercase().contains(q))
                }) && city
                    .as_deref()
                    .is_none_or(|c| event.city.to_lowercase() == c)
            })
            .collect();
        events.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        paginate(events, page, page_length)
    }

    /// Lists the performances of `event` starting within `[from, to]`, soonest first.
    ///
    /// # Errors
    /// `NotFound` for an unknown event.
    pub fn event_performances(
        &self,
        event: &EventId,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
        page: usize,
        page_length: usize,
    ) -> Result<Page<Arc<PerformanceInfo>>, EngineError> {
        if !self.events.contains_key(event) {
            return Err(EngineError::not_found("event", event));
        }
        Ok(self.performances_where(
            |info, _| info.event.id == *event,
            from,
            to,
            page,
            page_length,
        ))
    }

    /// The programme: performances on sale of every event starting within `[from, to]`
    /// (`from` defaults to now: what is still on sale), soonest first. Off sale and cancelled
    /// performances are left out.
    pub fn programme(
        &self,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
        page: usize,
        page_length: usize,
    ) -> Page<Arc<PerformanceInfo>> {
        let from = from.unwrap_or_else(|| self.clock.now());
        self.performances_where(
            |_, status| status == SaleStatus::OnSale,
            Some(from),
            to,
            page,
            page_length,
        )
    }

    /// Returns the event with `id`.
    ///
    /// # Errors
    /// `NotFound` for an unknown event.
    pub fn event(&self, id: &EventId) -> Result<EventInfo, EngineError> {
        self.events
            .get(id)
            .map(|entry| entry.value().clone())
            .ok_or_else(|| EngineError::not_found("event", id))
    }

    fn performances_where(
        &self,
        wanted: impl Fn(&PerformanceInfo, SaleStatus) -> bool,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
        page: usize,
        page_length: usize,
    ) -> Page<Arc<PerformanceInfo>> {
        let mut performances: Vec<Arc<PerformanceInfo>> = self
            .registry
            .infos_with_status()
            .into_iter()
            .filter(|(info, status)| {
                wanted(info, *status)
                    && from.is_none_or(|from| info.starts_at >= from)
                    && to.is_none_or(|to| info.starts_at <= to)
            })
            .map(|(info, _)| info)
            .collect();
        performances.sort_by(|a, b| (a.starts_at, &a.id).cmp(&(b.starts_at, &b.id)));
        paginate(performances, page, page_length)
    }

    /// Reads a performance with its counts.
    ///
    /// # Errors
    /// `NotFound` for an unknown performance.
    pub async fn performance(&self, id: &PerformanceId) -> Result<PerformanceView, EngineError> {
        self.registry.get(id)?.send(GetPerformance).await
    }

    /// Reads the free seat blocks of a performance.
    ///
    /// # Errors
    /// `NotFound` for an unknown performance or price band.
    pub async fn availability(
        &self,
        id: &PerformanceId,
        quantity: Option<u32>,
        price_band: Option<String>,
    ) -> Result<AvailabilityView, EngineError> {
        let message = GetAvailability {
            quantity,
            price_band,
        };
        self.registry.get(id)?.send(message).await
    }

    /// Reads every seat's status.
    ///
    /// # Errors
    /// `NotFound` for an unknown performance.
    pub async fn seat_map(&self, id: &PerformanceId) -> Result<SeatMapView, EngineError> {
        self.registry.get(id)?.send(GetSeatMap).await
    }

    /// Follows the performance's seats from `since` (the last version the caller saw), or
    /// from a snapshot.
    ///
    /// # Errors
    /// `NotFound` for an unknown performance; `Overloaded` when its actor is.
    pub async fn subscribe_seats(
        &self,
        id: &PerformanceId,
        since: Option<u64>,
    ) -> Result<SeatSubscription, EngineError> {
        self.registry.get(id)?.send(SubscribeSeats { since }).await
    }
}
