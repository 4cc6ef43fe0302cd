//! The bodies and answers of the catalogue's operations: holdbacks, `PATCH` of events and
//! performances, copies, and channels' allocations.

use super::*;

/// `POST /performances/{id}/holdbacks`: at least one part must name a ticket or a place.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"withhold": ["revue-1:STALLS-A1", "revue-1:STALLS-A2"], "release": []}),
    json!({"withhold_general_admission": {"STANDING": 20}})))]
pub struct Holdbacks {
    /// Ticket ids to take off sale (house seats, a fringe allocation); they must be free.
    #[serde(default)]
    #[schema(value_type = Vec<TicketIdText>)]
    withhold: Vec<String>,
    /// Withheld ticket ids to put back on sale.
    #[serde(default)]
    #[schema(value_type = Vec<TicketIdText>)]
    release: Vec<String>,
    /// Places to take off sale, by pool code; they must be free.
    #[schema(value_type = Option<BTreeMap<String, u32>>)]
    withhold_general_admission: Option<UniqueKeys<u32>>,
    /// Withheld places to put back on sale, by pool code.
    #[schema(value_type = Option<BTreeMap<String, u32>>)]
    release_general_admission: Option<UniqueKeys<u32>>,
}

impl Holdbacks {
    /// Parses the lists.
    ///
    /// # Errors
    /// 400 for malformed or repeated ticket ids, or a body that names nothing.
    pub fn into_holdbacks(self) -> Result<crate::actor::Holdbacks, ApiError> {
        let holdbacks = crate::actor::Holdbacks {
            withhold: parse_tickets("withhold", &self.withhold)?,
            release: parse_tickets("release", &self.release)?,
            withhold_places: places_of(
                "withhold_general_admission",
                self.withhold_general_admission,
            )?,
            release_places: places_of("release_general_admission", self.release_general_admission)?,
        };
        let names_nothing = holdbacks.withhold.is_empty()
            && holdbacks.release.is_empty()
            && holdbacks.withhold_places.is_empty()
            && holdbacks.release_places.is_empty();
        if names_nothing {
            return Err(ApiError::invalid_request(
                "name tickets or places to withhold or release",
            ));
        }
        Ok(holdbacks)
    }
}

/// Places by pool code from a body's map, each quantity at least 1.
///
/// # Errors
/// 400 for a quantity of 0.
fn places_of(field: &str, map: Option<UniqueKeys<u32>>) -> Result<Vec<(String, u32)>, ApiError> {
    let places: Vec<(String, u32)> = map
        .map(|map| map.into_inner().into_iter().collect())
        .unwrap_or_default();
    if places.iter().any(|(_, quantity)| *quantity == 0) {
        return Err(ApiError::invalid_request(format!(
            "{field} quantities must be at least 1"
        )));
    }
    Ok(places)
}

/// `PATCH /performances/{id}`: what to change; what is left out stays.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"starts_at": "2026-12-20T19:30:00Z", "hold_seconds": 300}),
    json!({"status": "off_sale"})))]
pub struct PerformancePatch {
    /// A new start (RFC 3339).
    #[schema(format = DateTime, examples("2026-12-20T19:30:00Z"))]
    starts_at: Option<String>,
    /// A new hold time, 1 to 86,400 seconds; locks already taken keep their expiry.
    #[schema(minimum = 1, maximum = 86_400)]
    hold_seconds: Option<u32>,
    /// New rules, replacing the old ones whole (what is left out takes its default).
    rules: Option<RulesBody>,
    /// `on_sale`, `off_sale` (no new holds; holds placed may still complete) or `cancelled`
    /// (final: nothing held, checked out or completed any more; releases and refunds work).
    #[schema(value_type = Option<SaleStatusName>)]
    status: Option<String>,
}

impl PerformancePatch {
    /// Parses the body.
    ///
    /// # Errors
    /// 400 for a bad time or status, or a body that changes nothing.
    pub fn into_update(self) -> Result<PerformanceUpdate, ApiError> {
        let status = self
            .status
            .map(|text| {
                SaleStatus::parse(&text).ok_or_else(|| {
                    ApiError::invalid_request(
                        "status must be \"on_sale\", \"off_sale\" or \"cancelled\"",
                    )
                })
            })
            .transpose()?;
        let update = PerformanceUpdate {
            starts_at: self
                .starts_at
                .map(|text| parse_time("starts_at", &text))
                .transpose()?,
            hold_seconds: self.hold_seconds,
            rules: self.rules.map(RulesBody::into_rules),
            status,
        };
        if update.starts_at.is_none()
            && update.hold_seconds.is_none()
            && update.rules.is_none()
            && update.status.is_none()
        {
            return Err(ApiError::invalid_request(
                "name starts_at, hold_seconds, rules or status to change",
            ));
        }
        Ok(update)
    }
}

/// `PATCH /events/{id}`: what to change; what is left out stays.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"venue": "Novello Theatre"})))]
pub struct EventPatch {
    /// A new name, 1 to 200 characters.
    name: Option<String>,
    /// A new venue, at most 200 characters.
    venue: Option<String>,
    /// A new city, at most 200 characters.
    city: Option<String>,
}

impl EventPatch {
    /// Parses the body.
    ///
    /// # Errors
    /// 400 for text that is too long or not plain, an empty name, or a body that changes
    /// nothing.
    pub fn into_update(self) -> Result<EventUpdate, ApiError> {
        let text_ok = |text: &str| text.chars().count() <= 200 && is_plain_text(text);
        let texts = [&self.name, &self.venue, &self.city];
        if texts
            .iter()
            .any(|text| text.as_deref().is_some_and(|t| !text_ok(t)))
            || self
                .name
                .as_deref()
                .is_some_and(|name| name.trim().is_empty())
        {
            return Err(ApiError::invalid_request(
                "name, venue and city must be at most 200 characters without control or invisible formatting characters; a name is not empty",
            ));
        }
        if texts.iter().all(|text| text.is_none()) {
            return Err(ApiError::invalid_request(
                "name name, venue or city to change",
            ));
        }
        Ok(EventUpdate {
            name: self.name,
            venue: self.venue,
            city: self.city,
        })
    }
}

/// `POST /performances/{id}/copy`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"id": "revue-2", "starts_at": "2026-12-21T19:30:00Z"})))]
pub struct CopyPerformance {
    /// The copy's id, a slug `[A-Za-z0-9_-]{1,64}`.
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$", examples("revue-2"))]
    id: String,
    /// When the copy starts (RFC 3339).
    #[schema(format = DateTime, examples("2026-12-21T19:30:00Z"))]
    starts_at: String,
}

impl CopyPerformance {
    /// Parses the body.
    ///
    /// # Errors
    /// 400 for a bad id or time.
    pub fn into_parts(self) -> Result<(PerformanceId, Timestamp), ApiError> {
        Ok((
            PerformanceId::parse(&self.id)
                .map_err(|error| ApiError::invalid_request(error.to_string()))?,
            parse_time("starts_at", &self.starts_at)?,
        ))
    }
}

/// `POST /performances/{id}/allocations`: seats and places to set aside for a channel,
/// added to what it has.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"channel": "redchair",
    "tickets": ["revue-1:STALLS-F1", "revue-1:STALLS-F2"],
    "general_admission": {"STANDING": 50}})))]
pub struct CreateAllocation {
    /// The channel: keys with this `channel` (and admins) may hold what is set aside.
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$", examples("redchair"))]
    channel: String,
    /// Free seats to set aside.
    #[serde(default)]
    #[schema(value_type = Vec<TicketIdText>)]
    tickets: Vec<String>,
    /// Free places to set aside, by pool code.
    #[schema(value_type = Option<BTreeMap<String, u32>>)]
    general_admission: Option<UniqueKeys<u32>>,
}

/// An allocation to make, parsed.
pub struct NewAllocation {
    /// The channel.
    pub channel: String,
    /// The seats.
    pub tickets: Vec<TicketId>,
    /// (pool code, quantity) pairs.
    pub places: Vec<(String, u32)>,
}

impl CreateAllocation {
    /// Parses the body.
    ///
    /// # Errors
    /// 400 for a bad channel or ticket ids.
    pub fn into_allocation(self) -> Result<NewAllocation, ApiError> {
        Ok(NewAllocation {
            channel: channel_name(&self.channel)?,
            tickets: parse_tickets("tickets", &self.tickets)?,
            places: places_of("general_admission", self.general_admission)?,
        })
    }
}

/// One pool's part of an allocation.
#[derive(Debug, Serialize, ToSchema)]
pub struct AllocatedPlacesDto {
    /// Places set aside.
    allocated: u32,
    /// Of them, still free for the channel.
    available: u32,
    /// Of them, held by the channel's transactions.
    held: u32,
    /// Of them, sold by the channel.
    sold: u32,
}

/// A channel's allocation with its counts.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({"channel": "redchair",
    "seats": {"allocated": 2, "available": 1, "held": 0, "sold": 1, "withheld": 0},
    "general_admission": {"STANDING": {"allocated": 50, "available": 48, "held": 2, "sold": 0}}})))]
pub struct AllocationDto {
    #[schema(examples("redchair"))]
    channel: String,
    /// Its seats by status: `available` are set aside and held by nobody.
    seats: AllocatedSeatsDto,
    /// Its places by pool code.
    general_admission: BTreeMap<String, AllocatedPlacesDto>,
}

/// An allocation's seats by status.
#[derive(Debug, Serialize, ToSchema)]
pub struct AllocatedSeatsDto {
    allocated: u32,
    available: u32,
    held: u32,
    sold: u32,
    withheld: u32,
}

/// `GET /performances/{id}/allocations`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationList {
    /// Every channel's allocation at the performance, by channel.
    allocations: Vec<AllocationDto>,
}

impl AllocationList {
    /// Lists the allocations of `view`.
    pub fn new(view: &PerformanceView) -> Self {
        Self {
            allocations: view
                .allocations
                .iter()
                .map(|counts| allocation_dto(view, counts))
                .collect(),
        }
    }

    /// The allocation of `channel`, if `view` has one.
    pub fn one(view: &PerformanceView, channel: &str) -> Option<AllocationDto> {
        view.allocations
            .iter()
            .find(|counts| counts.channel == channel)
            .map(|counts| allocation_dto(view, counts))
    }
}

fn allocation_dto(view: &PerformanceView, counts: &AllocationCounts) -> AllocationDto {
    AllocationDto {
        channel: counts.channel.clone(),
        seats: AllocatedSeatsDto {
            allocated: counts.seats_available
                + counts.seats_held
                + counts.seats_sold
                + counts.seats_withheld,
            available: counts.seats_available,
            held: counts.seats_held,
            sold: counts.seats_sold,
            withheld: counts.seats_withheld,
        },
        general_admission: counts
            .places
            .iter()
            .map(|place| {
                (
                    view.plan.pools()[usize::from(place.pool)].code.clone(),
                    AllocatedPlacesDto {
                        allocated: place.size,
                        available: place.available,
                        held: place.held,
                        sold: place.sold,
                    },
                )
            })
            .collect(),
    }
}
