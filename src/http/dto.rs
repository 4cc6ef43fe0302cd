//! The JSON shapes of the API, separate from domain types. Requests refuse unknown fields and
//! convert into engine requests; responses are rendered from actor views.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::error::ApiError;
use crate::actor::{
    AvailabilityView, Customer, HoldRequest, HoldView, Order, PerformanceView, Person, SeatMapView,
    TransactionView,
};
use crate::domain::{
    Amount, BlockSpec, Counts, Currency, EventId, EventInfo, HoldState, PerformanceId,
    PerformanceInfo, PlanSpec, PoolSpec, PriceBand, RowSpec, Rules, SectionSpec, TicketId,
    Timestamp,
};

/// Renders engine time as RFC 3339 in UTC with `Z`.
pub fn format_time(at: Timestamp) -> String {
    DateTime::<Utc>::from_timestamp_millis(at.as_millis())
        .map(|time| time.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        .unwrap_or_default()
}

/// Parses an RFC 3339 time with any offset.
///
/// # Errors
/// 400 for anything else.
pub fn parse_time(field: &str, text: &str) -> Result<Timestamp, ApiError> {
    DateTime::parse_from_rfc3339(text)
        .map(|time| Timestamp(time.timestamp_millis()))
        .map_err(|_| {
            ApiError::invalid_request(format!(
                "{field} must be an RFC 3339 time, e.g. 2026-12-04T19:30:00Z"
            ))
        })
}

fn parse_ticket(text: &str) -> Result<TicketId, ApiError> {
    TicketId::parse(text).map_err(|error| ApiError::invalid_request(error.to_string()))
}

/// Parses ticket ids, refusing repeats.
fn parse_tickets(field: &str, texts: &[String]) -> Result<Vec<TicketId>, ApiError> {
    let tickets = texts
        .iter()
        .map(|t| parse_ticket(t))
        .collect::<Result<Vec<_>, _>>()?;
    let mut sorted: Vec<&TicketId> = tickets.iter().collect();
    sorted.sort();
    if let Some(pair) = sorted.windows(2).find(|pair| pair[0] == pair[1]) {
        return Err(ApiError::invalid_request(format!(
            "{field}: ticket {} appears more than once",
            pair[0]
        )));
    }
    Ok(tickets)
}

// ---- Requests ----

/// `POST /clients`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateClient {
    /// The client's id; generated when omitted.
    pub id: Option<String>,
    /// A human name.
    pub name: String,
    /// `admin` or `sales`.
    pub role: String,
}

/// The event part of `POST /performances`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventBody {
    id: String,
    name: String,
    #[serde(default)]
    venue: String,
    #[serde(default)]
    city: String,
}

/// The rules part of `POST /performances`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesBody {
    #[serde(default)]
    contiguous_seats_only: bool,
    #[serde(default)]
    no_single_seat_gaps: bool,
    valid_quantities: Option<Vec<u32>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PriceBandBody {
    code: String,
    price: String,
    currency: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BlockBody {
    from: u32,
    to: u32,
    price_band: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RowBody {
    row: String,
    blocks: Vec<BlockBody>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionBody {
    name: String,
    rows: Vec<RowBody>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PoolBody {
    code: String,
    capacity: u32,
    price_band: String,
}

/// `POST /performances`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreatePerformance {
    id: Option<String>,
    event: EventBody,
    starts_at: String,
    hold_seconds: Option<u32>,
    #[serde(default)]
    rules: RulesBody,
    price_bands: Vec<PriceBandBody>,
    #[serde(default)]
    sections: Vec<SectionBody>,
    #[serde(default)]
    general_admission: Vec<PoolBody>,
}

/// The default `valid_quantities` when a performance names none.
const DEFAULT_VALID_QUANTITIES: [u32; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

impl CreatePerformance {
    /// Converts the body into a performance and its plan.
    ///
    /// # Errors
    /// 400 for bad ids, times, prices or currencies.
    pub fn into_parts(
        self,
        generated_id: String,
        default_hold_seconds: u32,
    ) -> Result<(PerformanceInfo, PlanSpec), ApiError> {
        let invalid = |error: &dyn std::fmt::Display| ApiError::invalid_request(error.to_string());
        let id = PerformanceId::parse(self.id.as_deref().unwrap_or(&generated_id))
            .map_err(|e| invalid(&e))?;
        let text_ok =
            |text: &str| text.chars().count() <= 200 && !text.chars().any(char::is_control);
        if [&self.event.name, &self.event.venue, &self.event.city]
            .iter()
            .any(|t| !text_ok(t))
            || self.event.name.trim().is_empty()
        {
            return Err(ApiError::invalid_request(
                "event name, venue and city must be at most 200 characters without control characters; name is required",
            ));
        }
        let info = PerformanceInfo {
            id,
            event: EventInfo {
                id: EventId::parse(&self.event.id).map_err(|e| invalid(&e))?,
                name: self.event.name,
                venue: self.event.venue,
                city: self.event.city,
            },
            starts_at: parse_time("starts_at", &self.starts_at)?,
            hold_seconds: self.hold_seconds.unwrap_or(default_hold_seconds),
            rules: Rules {
                contiguous_seats_only: self.rules.contiguous_seats_only,
                no_single_seat_gaps: self.rules.no_single_seat_gaps,
                valid_quantities: self
                    .rules
                    .valid_quantities
                    .unwrap_or_else(|| DEFAULT_VALID_QUANTITIES.to_vec()),
            },
        };
        let price_bands = self
            .price_bands
            .into_iter()
            .map(|band| {
                Ok(PriceBand {
                    price: Amount::parse(&band.price).map_err(|e| invalid(&e))?,
                    currency: Currency::parse(&band.currency).map_err(|e| invalid(&e))?,
                    code: band.code,
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        let sections = self
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
                            .map(|b| BlockSpec {
                                from: b.from,
                                to: b.to,
                                price_band: b.price_band,
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        let general_admission = self
            .general_admission
            .into_iter()
            .map(|p| PoolSpec {
                code: p.code,
                capacity: p.capacity,
                price_band: p.price_band,
            })
            .collect();
        Ok((
            info,
            PlanSpec {
                price_bands,
                sections,
                general_admission,
            },
        ))
    }
}

/// `POST /transactions`: one of three forms.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTransaction {
    tickets: Option<Vec<String>>,
    performance: Option<String>,
    quantity: Option<u32>,
    price_band: Option<String>,
    preferred: Option<Vec<String>>,
    general_admission: Option<BTreeMap<String, u32>>,
}

impl TryFrom<CreateTransaction> for HoldRequest {
    type Error = ApiError;

    fn try_from(body: CreateTransaction) -> Result<Self, ApiError> {
        let performance = |text: &str| {
            PerformanceId::parse(text).map_err(|error| ApiError::invalid_request(error.to_string()))
        };
        match body {
            CreateTransaction {
                tickets: Some(tickets),
                performance: None,
                quantity: None,
                price_band: None,
                preferred: None,
                general_admission: None,
            } => {
                if tickets.is_empty() {
                    return Err(ApiError::invalid_request(
                        "tickets must name at least one ticket",
                    ));
                }
                Ok(Self::Tickets(parse_tickets("tickets", &tickets)?))
            }
            CreateTransaction {
                tickets: None,
                performance: Some(id),
                quantity: Some(quantity),
                price_band,
                preferred,
                general_admission: None,
            } => Ok(Self::BestAvailable {
                performance: performance(&id)?,
                quantity,
                price_band,
                preferred: parse_tickets("preferred", &preferred.unwrap_or_default())?,
            }),
            CreateTransaction {
                tickets: None,
                performance: Some(id),
                quantity: None,
                price_band: None,
                preferred: None,
                general_admission: Some(places),
            } => {
                if places.is_empty() {
                    return Err(ApiError::invalid_request(
                        "general_admission must name at least one pool",
                    ));
                }
                Ok(Self::GeneralAdmission {
                    performance: performance(&id)?,
                    places: places.into_iter().collect(),
                })
            }
            _ => Err(ApiError::invalid_request(
                "unknown body form: send {\"tickets\": [...]}, {\"performance\", \"quantity\"} or {\"performance\", \"general_admission\"}",
            )),
        }
    }
}

/// The customer of `POST /transactions/{id}` with `complete`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerBody {
    name: String,
    email: String,
}

impl TryFrom<CustomerBody> for Customer {
    type Error = ApiError;

    fn try_from(body: CustomerBody) -> Result<Self, ApiError> {
        let name = body.name.trim();
        if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
            return Err(ApiError::invalid_request(
                "customer.name must be 1 to 200 characters without control characters",
            ));
        }
        let email = body.email.trim().to_lowercase();
        let valid_email = email.len() <= 254
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
            });
        if !valid_email {
            return Err(ApiError::invalid_request(
                "customer.email must be an email address",
            ));
        }
        Ok(Self {
            name: name.to_owned(),
            email,
        })
    }
}

/// `POST /transactions/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateTransaction {
    /// `checkout` or `complete`.
    pub status: String,
    /// The buyer, for `complete`.
    pub customer: Option<CustomerBody>,
    /// The transaction's tickets, as older clients repeat them.
    pub tickets: Option<Vec<String>>,
    /// The transaction's id, as older clients repeat it.
    pub id: Option<String>,
}

impl UpdateTransaction {
    /// Parses the repeated tickets, if any.
    ///
    /// # Errors
    /// 400 for malformed or repeated ticket ids.
    pub fn tickets(&self) -> Result<Option<Vec<TicketId>>, ApiError> {
        self.tickets
            .as_deref()
            .map(|t| parse_tickets("tickets", t))
            .transpose()
    }
}

/// `POST /performances/{id}/holdbacks`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holdbacks {
    #[serde(default)]
    withhold: Vec<String>,
    #[serde(default)]
    release: Vec<String>,
}

impl Holdbacks {
    /// Parses both lists.
    ///
    /// # Errors
    /// 400 for malformed or repeated ticket ids, or two empty lists.
    pub fn into_tickets(self) -> Result<(Vec<TicketId>, Vec<TicketId>), ApiError> {
        if self.withhold.is_empty() && self.release.is_empty() {
            return Err(ApiError::invalid_request(
                "name tickets to withhold or release",
            ));
        }
        Ok((
            parse_tickets("withhold", &self.withhold)?,
            parse_tickets("release", &self.release)?,
        ))
    }
}

/// Paging parameters.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// Text to find in name, venue or city.
    pub q: Option<String>,
    /// The city.
    pub city: Option<String>,
    /// The page, from 0.
    pub page: Option<usize>,
    /// Items per page.
    pub page_length: Option<usize>,
}

/// `GET /events/{id}/performances` parameters.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PerformancesQuery {
    /// Earliest start, RFC 3339.
    pub from: Option<String>,
    /// Latest start, RFC 3339.
    pub to: Option<String>,
    /// The page, from 0.
    pub page: Option<usize>,
    /// Items per page.
    pub page_length: Option<usize>,
}

/// `GET /performances/{id}/availability` parameters.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityQuery {
    /// Only blocks that can seat this many.
    pub quantity: Option<u32>,
    /// Only this price band.
    pub price_band: Option<String>,
}

/// `GET /people` parameters.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeopleQuery {
    /// The email address.
    pub email: String,
}

// ---- Responses ----

/// Paging metadata.
#[derive(Debug, Serialize)]
pub struct Meta {
    page: usize,
    page_length: usize,
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

/// A client with its key, shown once.
#[derive(Debug, Serialize)]
pub struct ClientCreated {
    /// The id.
    pub id: String,
    /// The name.
    pub name: String,
    /// The role.
    pub role: &'static str,
    /// The API key.
    pub key: String,
}

/// An event in listings.
#[derive(Debug, Serialize)]
pub struct EventDto {
    id: String,
    name: String,
    venue: String,
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
#[derive(Debug, Serialize)]
pub struct EventList {
    /// The page of events.
    pub events: Vec<EventDto>,
    /// Paging.
    pub meta: Meta,
}

#[derive(Debug, Serialize)]
struct RulesDto {
    contiguous_seats_only: bool,
    no_single_seat_gaps: bool,
    valid_quantities: Vec<u32>,
}

/// A performance in listings.
#[derive(Debug, Serialize)]
pub struct PerformanceSummary {
    id: String,
    event: EventDto,
    starts_at: String,
    hold_seconds: u32,
    rules: RulesDto,
}

impl From<&PerformanceInfo> for PerformanceSummary {
    fn from(info: &PerformanceInfo) -> Self {
        Self {
            id: info.id.to_string(),
            event: EventDto::from(&info.event),
            starts_at: format_time(info.starts_at),
            hold_seconds: info.hold_seconds,
            rules: RulesDto {
                contiguous_seats_only: info.rules.contiguous_seats_only,
                no_single_seat_gaps: info.rules.no_single_seat_gaps,
                valid_quantities: info.rules.valid_quantities.clone(),
            },
        }
    }
}

/// `GET /events/{id}/performances`.
#[derive(Debug, Serialize)]
pub struct PerformanceList {
    /// The page of performances.
    pub performances: Vec<PerformanceSummary>,
    /// Paging.
    pub meta: Meta,
}

#[derive(Debug, Serialize)]
struct CountsDto {
    available: u32,
    held: u32,
    sold: u32,
    withheld: u32,
}

impl From<Counts> for CountsDto {
    fn from(c: Counts) -> Self {
        Self {
            available: c.available,
            held: c.held,
            sold: c.sold,
            withheld: c.withheld,
        }
    }
}

#[derive(Debug, Serialize)]
struct BandDto {
    code: String,
    price: String,
    currency: String,
    counts: CountsDto,
}

#[derive(Debug, Serialize)]
struct PoolDto {
    code: String,
    price_band: String,
    capacity: u32,
    available: u32,
    held: u32,
    sold: u32,
}

#[derive(Debug, Serialize)]
struct BlockDto {
    from: u32,
    to: u32,
    price_band: String,
}

#[derive(Debug, Serialize)]
struct RowDto {
    row: String,
    blocks: Vec<BlockDto>,
}

#[derive(Debug, Serialize)]
struct SectionDto {
    name: String,
    rows: Vec<RowDto>,
}

/// `GET /performances/{id}`: the performance with its plan and counts.
#[derive(Debug, Serialize)]
pub struct PerformanceDto {
    #[serde(flatten)]
    summary: PerformanceSummary,
    price_bands: Vec<BandDto>,
    sections: Vec<SectionDto>,
    general_admission: Vec<PoolDto>,
    counts: CountsDto,
    version: u64,
}

fn pools(view: &PerformanceView) -> Vec<PoolDto> {
    view.plan
        .pools()
        .iter()
        .zip(&view.pools)
        .map(|(pool, counts)| PoolDto {
            code: pool.code.clone(),
            price_band: view.plan.price_bands()[usize::from(pool.price_band)]
                .code
                .clone(),
            capacity: pool.capacity,
            available: pool.capacity - counts.held - counts.sold,
            held: counts.held,
            sold: counts.sold,
        })
        .collect()
}

impl From<&PerformanceView> for PerformanceDto {
    fn from(view: &PerformanceView) -> Self {
        let spec = view.plan.spec();
        Self {
            summary: PerformanceSummary::from(view.performance.as_ref()),
            price_bands: spec
                .price_bands
                .iter()
                .zip(&view.band_counts)
                .map(|(band, counts)| BandDto {
                    code: band.code.clone(),
                    price: band.price.to_string(),
                    currency: band.currency.to_string(),
                    counts: (*counts).into(),
                })
                .collect(),
            sections: spec
                .sections
                .iter()
                .map(|section| SectionDto {
                    name: section.name.clone(),
                    rows: section
                        .rows
                        .iter()
                        .map(|row| RowDto {
                            row: row.row.clone(),
                            blocks: row
                                .blocks
                                .iter()
                                .map(|b| BlockDto {
                                    from: b.from,
                                    to: b.to,
                                    price_band: b.price_band.clone(),
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
            general_admission: pools(view),
            counts: view.counts.into(),
            version: view.version,
        }
    }
}

#[derive(Debug, Serialize)]
struct SeatRef {
    id: String,
    number: String,
}

#[derive(Debug, Serialize)]
struct SeatBlockDto {
    section: String,
    row: String,
    seats: Vec<SeatRef>,
}

#[derive(Debug, Serialize)]
struct BandAvailability {
    code: String,
    price: String,
    currency: String,
    available: u32,
    seat_blocks: Vec<SeatBlockDto>,
}

#[derive(Debug, Serialize)]
struct PoolAvailability {
    code: String,
    price_band: String,
    available: u32,
}

/// `GET /performances/{id}/availability`.
#[derive(Debug, Serialize)]
pub struct AvailabilityDto {
    performance: String,
    contiguous_seats_only: bool,
    no_single_seat_gaps: bool,
    valid_quantities: Vec<u32>,
    price_bands: Vec<BandAvailability>,
    general_admission: Vec<PoolAvailability>,
    version: u64,
}

impl From<&AvailabilityView> for AvailabilityDto {
    fn from(view: &AvailabilityView) -> Self {
        let summary = &view.summary;
        let plan = &summary.plan;
        let info = &summary.performance;
        let mut bands: Vec<BandAvailability> = plan
            .price_bands()
            .iter()
            .zip(&summary.band_counts)
            .map(|(band, counts)| BandAvailability {
                code: band.code.clone(),
                price: band.price.to_string(),
                currency: band.currency.to_string(),
                available: counts.available,
                seat_blocks: Vec::new(),
            })
            .collect();
        for (block, run) in &view.runs {
            let band = plan.blocks()[*block as usize].price_band;
            let first = plan.locate(run.start);
            bands[usize::from(band)].seat_blocks.push(SeatBlockDto {
                section: first.section.to_owned(),
                row: first.row.to_owned(),
                seats: run
                    .clone()
                    .map(|seat| SeatRef {
                        id: format!("{}:{}", info.id, plan.seat_id(seat)),
                        number: plan.seat_number(seat).to_string(),
                    })
                    .collect(),
            });
        }
        let price_bands = match view.price_band {
            Some(band) => vec![bands.swap_remove(usize::from(band))],
            None => bands,
        };
        Self {
            performance: info.id.to_string(),
            contiguous_seats_only: info.rules.contiguous_seats_only,
            no_single_seat_gaps: info.rules.no_single_seat_gaps,
            valid_quantities: info.rules.valid_quantities.clone(),
            price_bands,
            general_admission: pools(summary)
                .into_iter()
                .map(|p| PoolAvailability {
                    code: p.code,
                    price_band: p.price_band,
                    available: p.available,
                })
                .collect(),
            version: summary.version,
        }
    }
}

#[derive(Debug, Serialize)]
struct SeatDto {
    id: String,
    section: String,
    row: String,
    number: String,
    price_band: String,
    status: &'static str,
}

/// `GET /performances/{id}/seats`.
#[derive(Debug, Serialize)]
pub struct SeatMapDto {
    performance: String,
    version: u64,
    seats: Vec<SeatDto>,
}

impl From<&SeatMapView> for SeatMapDto {
    fn from(view: &SeatMapView) -> Self {
        let seats = view
            .statuses
            .iter()
            .enumerate()
            .map(|(seat, status)| {
                let location = view.plan.locate(seat as u32);
                SeatDto {
                    id: format!(
                        "{}:{}-{}{}",
                        view.performance.id, location.section, location.row, location.number
                    ),
                    section: location.section.to_owned(),
                    row: location.row.to_owned(),
                    number: location.number.to_string(),
                    price_band: location.price_band.code.clone(),
                    status: status.as_str(),
                }
            })
            .collect();
        Self {
            performance: view.performance.id.to_string(),
            version: view.version,
            seats,
        }
    }
}

/// One seat of a transaction or order.
#[derive(Debug, Serialize)]
pub struct TicketDto {
    id: String,
    performance: String,
    section: String,
    row: String,
    number: String,
    price_band: String,
    price: String,
    currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    barcode: Option<String>,
}

/// General-admission places of a transaction or order.
#[derive(Debug, Serialize)]
pub struct PlacesDto {
    performance: String,
    code: String,
    quantity: u32,
    price_band: String,
    price: String,
    currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    barcodes: Option<Vec<String>>,
}

/// Renders a hold's seats and places, with barcodes when `with_barcodes` and sold.
fn render_hold(
    view: &HoldView,
    with_barcodes: bool,
    tickets: &mut Vec<TicketDto>,
    places: &mut Vec<PlacesDto>,
) {
    let hold = &view.hold;
    let mut barcodes = hold
        .sale
        .as_ref()
        .filter(|_| with_barcodes)
        .map(|sale| sale.barcodes.iter());
    for &seat in &hold.seats {
        let location = view.plan.locate(seat);
        tickets.push(TicketDto {
            id: format!(
                "{}:{}-{}{}",
                view.performance.id, location.section, location.row, location.number
            ),
            performance: view.performance.id.to_string(),
            section: location.section.to_owned(),
            row: location.row.to_owned(),
            number: location.number.to_string(),
            price_band: location.price_band.code.clone(),
            price: location.price_band.price.to_string(),
            currency: location.price_band.currency.to_string(),
            barcode: barcodes.as_mut().and_then(|codes| codes.next().cloned()),
        });
    }
    for place in &hold.places {
        let pool = &view.plan.pools()[usize::from(place.pool)];
        let band = &view.plan.price_bands()[usize::from(pool.price_band)];
        places.push(PlacesDto {
            performance: view.performance.id.to_string(),
            code: pool.code.clone(),
            quantity: place.quantity,
            price_band: band.code.clone(),
            price: band.price.to_string(),
            currency: band.currency.to_string(),
            barcodes: barcodes.as_mut().map(|codes| {
                codes
                    .by_ref()
                    .take(place.quantity as usize)
                    .cloned()
                    .collect()
            }),
        });
    }
}

/// A transaction: the answer of hold, checkout and `GET /transactions/{id}`.
#[derive(Debug, Serialize)]
pub struct TransactionDto {
    status: &'static str,
    transaction_id: String,
    tickets: Vec<TicketDto>,
    general_admission: Vec<PlacesDto>,
    lock_expires: String,
    seat_request_status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    locked_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    locked_ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_number: Option<String>,
}

impl TransactionDto {
    /// The contract's answer to hold and checkout.
    pub fn brief(view: &TransactionView) -> Self {
        let mut tickets = Vec::new();
        let mut places = Vec::new();
        for hold in &view.holds {
            render_hold(hold, false, &mut tickets, &mut places);
        }
        Self {
            status: "OK",
            transaction_id: uuid::Uuid::from_u128(view.id.0).to_string(),
            tickets,
            general_admission: places,
            lock_expires: format_time(view.lock_expires()),
            seat_request_status: view
                .holds
                .first()
                .map_or("not_requested", |h| h.hold.seat_request_status.as_str()),
            state: None,
            locked_by: None,
            locked_ip: None,
            order_number: None,
        }
    }

    /// The full state of `GET /transactions/{id}`.
    pub fn full(view: &TransactionView) -> Self {
        let first = view.holds.first().map(|h| &h.hold);
        let state = view.state();
        Self {
            state: Some(state.as_str()),
            locked_by: first.map(|h| h.owner.to_string()),
            locked_ip: first.map(|h| h.ip.clone()),
            order_number: first
                .and_then(|h| h.sale.as_ref())
                .filter(|_| state == HoldState::Sold)
                .map(|sale| sale.order_number.to_string()),
            ..Self::brief(view)
        }
    }
}

#[derive(Debug, Serialize)]
struct CustomerDto {
    name: String,
    email: String,
}

#[derive(Debug, Serialize)]
struct TotalDto {
    currency: String,
    amount: String,
}

/// An order with its tickets, barcodes, customer and totals.
#[derive(Debug, Serialize)]
pub struct OrderDto {
    number: String,
    transaction_id: String,
    created_at: String,
    customer: CustomerDto,
    tickets: Vec<TicketDto>,
    general_admission: Vec<PlacesDto>,
    totals: Vec<TotalDto>,
}

impl From<&Order> for OrderDto {
    fn from(order: &Order) -> Self {
        let mut tickets = Vec::new();
        let mut places = Vec::new();
        let mut totals: BTreeMap<Currency, Amount> = BTreeMap::new();
        for view in &order.transaction.holds {
            render_hold(view, true, &mut tickets, &mut places);
            for &seat in &view.hold.seats {
                let band = view.plan.locate(seat).price_band;
                let total = totals
                    .entry(band.currency)
                    .or_insert(Amount::zero(band.price.scale));
                *total = total.add(band.price);
            }
            for place in &view.hold.places {
                let pool = &view.plan.pools()[usize::from(place.pool)];
                let band = &view.plan.price_bands()[usize::from(pool.price_band)];
                let total = totals
                    .entry(band.currency)
                    .or_insert(Amount::zero(band.price.scale));
                for _ in 0..place.quantity {
                    *total = total.add(band.price);
                }
            }
        }
        Self {
            number: order.number.to_string(),
            transaction_id: uuid::Uuid::from_u128(order.transaction.id.0).to_string(),
            created_at: format_time(order.created_at),
            customer: CustomerDto {
                name: order.customer.name.clone(),
                email: order.customer.email.clone(),
            },
            tickets,
            general_admission: places,
            totals: totals
                .into_iter()
                .map(|(currency, amount)| TotalDto {
                    currency: currency.to_string(),
                    amount: amount.to_string(),
                })
                .collect(),
        }
    }
}

/// The answer to `complete` and `GET /orders/{number}`.
#[derive(Debug, Serialize)]
pub struct OrderAnswer {
    status: &'static str,
    transaction_id: String,
    order: OrderDto,
}

impl From<&Order> for OrderAnswer {
    fn from(order: &Order) -> Self {
        Self {
            status: "OK",
            transaction_id: uuid::Uuid::from_u128(order.transaction.id.0).to_string(),
            order: order.into(),
        }
    }
}

/// `GET /people`.
#[derive(Debug, Serialize)]
pub struct PersonDto {
    email: String,
    name: String,
    orders: Vec<String>,
    created_at: String,
    updated_at: String,
}

impl From<&Person> for PersonDto {
    fn from(person: &Person) -> Self {
        Self {
            email: person.email.clone(),
            name: person.name.clone(),
            orders: person.orders.iter().map(ToString::to_string).collect(),
            created_at: format_time(person.created_at),
            updated_at: format_time(person.updated_at),
        }
    }
}
