//! Listings: the query parameters of `GET /events`, `GET /events/{id}/performances` and
//! `GET /performances/{id}/availability`, and the paged lists they answer.

use super::*;

/// Paging parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Text to find in name, venue or city, case-insensitively.
    #[param(example = "revue")]
    pub q: Option<String>,
    /// The city, matched case-insensitively.
    #[param(example = "London")]
    pub city: Option<String>,
    /// The page, from 0.
    #[param(minimum = 0, default = 0)]
    pub page: Option<u32>,
    /// Items per page.
    #[param(minimum = 1, maximum = 500, default = 50)]
    pub page_length: Option<usize>,
}

/// `GET /events/{id}/performances` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PerformancesQuery {
    /// Earliest start, RFC 3339.
    #[param(format = DateTime, example = "2026-12-01T00:00:00Z")]
    pub from: Option<String>,
    /// Latest start, RFC 3339.
    #[param(format = DateTime, example = "2026-12-31T23:59:59Z")]
    pub to: Option<String>,
    /// The page, from 0.
    #[param(minimum = 0, default = 0)]
    pub page: Option<u32>,
    /// Items per page.
    #[param(minimum = 1, maximum = 500, default = 50)]
    pub page_length: Option<usize>,
}

/// `GET /performances/{id}/availability` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityQuery {
    /// Only blocks from which this many seats can be held under the performance's rules.
    #[param(example = 2)]
    pub quantity: Option<u32>,
    /// Only this price band (404 when the performance has no such band).
    #[param(example = "A")]
    pub price_band: Option<String>,
}

/// Paging metadata.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({"page": 0, "page_length": 50, "total_results": 29})))]
pub struct Meta {
    /// The page, from 0.
    page: usize,
    /// Items per page.
    page_length: usize,
    /// Matches over all pages.
    total_results: usize,
}

impl Meta {
    /// Describes a page.
    pub fn new(page: usize, page_length: usize, total_results: usize) -> Self {
        Self {
            page,
            page_length,
            total_results,
        }
    }
}

/// An event in listings.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventDto {
    #[schema(examples("jersey-boys"))]
    id: String,
    #[schema(examples("Jersey Boys"))]
    name: String,
    #[schema(examples("Piccadilly Theatre"))]
    venue: String,
    #[schema(examples("London"))]
    city: String,
}

impl From<&EventInfo> for EventDto {
    fn from(event: &EventInfo) -> Self {
        Self {
            id: event.id.to_string(),
            name: event.name.clone(),
            venue: event.venue.clone(),
            city: event.city.clone(),
        }
    }
}

/// `GET /events`.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventList {
    /// The page of events.
    pub events: Vec<EventDto>,
    /// Paging.
    pub meta: Meta,
}

/// A performance's rules.
#[derive(Debug, Serialize, ToSchema)]
struct RulesDto {
    /// Seats held together must be adjacent in one block.
    contiguous_seats_only: bool,
    /// A selection must not leave a single free seat between taken seats.
    no_single_seat_gaps: bool,
    /// How many seats, or general-admission places, one request may hold.
    valid_quantities: Vec<u32>,
    /// No lock lasts past its hold's creation plus this many seconds.
    max_hold_seconds: u32,
    /// How many checkouts one hold may have.
    max_renewals: u32,
}

impl From<&Rules> for RulesDto {
    fn from(rules: &Rules) -> Self {
        Self {
            contiguous_seats_only: rules.contiguous_seats_only,
            no_single_seat_gaps: rules.no_single_seat_gaps,
            valid_quantities: rules.valid_quantities.clone(),
            max_hold_seconds: rules.max_hold_seconds,
            max_renewals: rules.max_renewals,
        }
    }
}

/// A performance in listings.
#[derive(Debug, Serialize, ToSchema)]
pub struct PerformanceSummary {
    #[schema(examples("jb-1204"))]
    id: String,
    event: EventDto,
    /// RFC 3339 in UTC.
    #[schema(format = DateTime, examples("2026-12-04T19:30:00Z"))]
    starts_at: String,
    /// How long a hold lasts before it expires.
    #[schema(examples(180))]
    hold_seconds: u32,
    rules: RulesDto,
    /// `on_sale`, `off_sale` (no new holds) or `cancelled` (nothing held, checked out or
    /// completed any more).
    #[schema(value_type = SaleStatusName)]
    status: &'static str,
    /// Seat counts now (seats only), so a search page needs no request per performance.
    counts: CountsDto,
}

/// A performance's sale status.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub(crate) enum SaleStatusName {
    OnSale,
    OffSale,
    Cancelled,
}

impl From<&PerformanceView> for PerformanceSummary {
    fn from(view: &PerformanceView) -> Self {
        let info = &view.performance;
        Self {
            id: info.id.to_string(),
            event: EventDto::from(&info.event),
            starts_at: format_time(info.starts_at),
            hold_seconds: info.hold_seconds,
            rules: RulesDto::from(&info.rules),
            status: view.status.as_str(),
            counts: view.counts.into(),
        }
    }
}

/// `GET /events/{id}/performances` and `GET /programme`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PerformanceList {
    /// The page of performances.
    pub performances: Vec<PerformanceSummary>,
    /// Paging.
    pub meta: Meta,
}
