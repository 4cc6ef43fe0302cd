//! `POST /performances` (the event, rules, price bands, sections and pools of a new
//! performance), `POST /performances/{id}/holdbacks`, and the performance as answered.
//!
//! # Caveats
//! - Rules left out take the defaults of [`crate::domain::Rules`] where the domain has them;
//!   `valid_quantities` defaults to 1 to 10 here.

use super::*;

/// The event part of `POST /performances`: a show in the catalogue, recorded or updated.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBody {
    /// The event's id, a slug `[A-Za-z0-9_-]{1,64}`.
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$", examples("jersey-boys"))]
    id: String,
    /// Required; at most 200 characters without control or invisible formatting characters.
    #[schema(examples("Jersey Boys"))]
    name: String,
    /// At most 200 characters without control or invisible formatting characters.
    #[schema(examples("Piccadilly Theatre"))]
    #[serde(default)]
    venue: String,
    /// At most 200 characters without control or invisible formatting characters.
    #[schema(examples("London"))]
    #[serde(default)]
    city: String,
}

/// The rules part of `POST /performances`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesBody {
    /// Seats held together must be adjacent in one block.
    #[schema(default = false)]
    #[serde(default)]
    contiguous_seats_only: bool,
    /// A selection must not leave a single free seat between taken seats.
    #[schema(default = false)]
    #[serde(default)]
    no_single_seat_gaps: bool,
    /// How many seats, or general-admission places, one request may hold, each from 1 to 100;
    /// 1 to 10 when omitted.
    #[schema(min_items = 1, minimum = 1, maximum = 100)]
    valid_quantities: Option<Vec<u32>>,
    /// No lock lasts past its hold's creation plus this many seconds, however often it is
    /// checked out; 1800 when omitted.
    #[schema(minimum = 1, maximum = 86_400, default = 1800)]
    max_hold_seconds: Option<u32>,
    /// How many checkouts one hold may have (the one past it is 422); 5 when omitted.
    #[schema(minimum = 0, maximum = 1000, default = 5)]
    max_renewals: Option<u32>,
}

impl RulesBody {
    /// The rules, with the defaults for what is left out.
    pub fn into_rules(self) -> Rules {
        Rules {
            contiguous_seats_only: self.contiguous_seats_only,
            no_single_seat_gaps: self.no_single_seat_gaps,
            valid_quantities: self
                .valid_quantities
                .unwrap_or_else(|| DEFAULT_VALID_QUANTITIES.to_vec()),
            max_hold_seconds: self.max_hold_seconds.unwrap_or(MAX_HOLD_SECONDS_DEFAULT),
            max_renewals: self.max_renewals.unwrap_or(MAX_RENEWALS_DEFAULT),
        }
    }
}

/// A price band of `POST /performances`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PriceBandBody {
    /// The band's code, referenced by blocks and pools: 1 to 32 letters, digits, `_`, `.` or
    /// `-`.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", examples("A"))]
    code: String,
    /// A non-negative decimal string with at most four fraction digits; never a float.
    #[schema(pattern = r"^[0-9]{1,12}(\.[0-9]{1,4})?$", examples("65.00"))]
    price: String,
    /// Three upper-case letters (ISO 4217).
    #[schema(pattern = "^[A-Z]{3}$", examples("GBP"))]
    currency: String,
}

/// A block of `POST /performances`: a run of physically adjacent seats, numbered `from` to
/// `to` inclusive; blocks are separated by aisles.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct BlockBody {
    /// The first seat number, from 1.
    #[schema(minimum = 1, maximum = 99_999, examples(1))]
    from: u32,
    /// The last seat number, inclusive: at least `from`, at most 99,999.
    #[schema(minimum = 1, maximum = 99_999, examples(12))]
    to: u32,
    /// The code of one of `price_bands`.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", examples("A"))]
    price_band: String,
    /// Where the first seat is drawn, in the plan's drawing units (a seat is about 1 wide).
    /// Omitted: after the block to its left with one seat's width for the aisle, and a row
    /// whose blocks give no `x` is centred on 0.
    #[schema(minimum = -1_000_000, maximum = 1_000_000, examples(-8.5))]
    x: Option<f64>,
    /// The x distance from one seat number to the next, not 0 (negative when seats are
    /// numbered right to left); 1 when omitted.
    #[schema(minimum = -1_000_000, maximum = 1_000_000, examples(1))]
    step: Option<f64>,
    /// Seat attributes: attribute name to the seat numbers of this block that have it. Known
    /// names are `accessible`, `companion`, `restricted_view` and `aisle`; a plan may add its
    /// own (1 to 32 lower-case letters, digits or `_`; at most 32 distinct per plan). A number
    /// outside `from`..`to` is 422.
    #[serde(default)]
    #[schema(value_type = Object, examples(json!({"accessible": [1, 2], "aisle": [12]})))]
    attributes: BTreeMap<String, Vec<u32>>,
}

/// A row of `POST /performances`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RowBody {
    /// The row's name, e.g. `A`: 1 to 32 letters, digits, `_`, `.` or `-`; seat ids default to
    /// `<section>-<row><number>`.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", examples("A"))]
    row: String,
    blocks: Vec<BlockBody>,
    /// Where the row is drawn; the stage is towards smaller `y`. Omitted: one unit behind the
    /// row before (two at a new section), the first row at 0.
    #[schema(minimum = -1_000_000, maximum = 1_000_000, examples(3))]
    y: Option<f64>,
}

/// A section of `POST /performances`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct SectionBody {
    /// 1 to 32 letters, digits, `_`, `.` or `-`.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", examples("STALLS"))]
    name: String,
    rows: Vec<RowBody>,
}

/// A general-admission pool of `POST /performances`: places without seat numbers.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PoolBody {
    /// 1 to 32 letters, digits, `_`, `.` or `-`.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", examples("STANDING"))]
    code: String,
    /// How many places, from 1 to 1,000,000.
    #[schema(minimum = 1, maximum = 1_000_000, examples(500))]
    capacity: u32,
    /// The code of one of `price_bands`.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", examples("B"))]
    price_band: String,
}

/// `POST /performances`: a performance with its seating plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({
    "id": "jb-1204",
    "event": {"id": "jersey-boys", "name": "Jersey Boys", "venue": "Piccadilly Theatre", "city": "London"},
    "starts_at": "2026-12-04T19:30:00Z",
    "hold_seconds": 180,
    "rules": {"contiguous_seats_only": true, "no_single_seat_gaps": true, "valid_quantities": [1, 2, 3, 4, 5, 6]},
    "price_bands": [{"code": "A", "price": "65.00", "currency": "GBP"}, {"code": "B", "price": "45.00", "currency": "GBP"}],
    "sections": [
        {"name": "STALLS", "rows": [
            {"row": "A", "blocks": [{"from": 1, "to": 12, "price_band": "A"}, {"from": 13, "to": 24, "price_band": "A"}]}
        ]}
    ],
    "general_admission": [{"code": "STANDING", "capacity": 500, "price_band": "B"}],
    "ticket_types": [
        {"code": "ADULT", "name": "Adult", "prices": {"A": "65.00", "B": "45.00"}},
        {"code": "CHILD", "name": "Child", "prices": {"A": "30.00"}}
    ],
    "fees": [{"code": "booking", "per_ticket": "1.50"}, {"code": "handling", "per_order": "2.00"}]
})))]
pub struct CreatePerformance {
    /// The performance's id, a slug `[A-Za-z0-9_-]{1,64}`; generated when omitted.
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$", examples("jb-1204"))]
    id: Option<String>,
    event: EventBody,
    /// RFC 3339 with any offset.
    #[schema(format = DateTime, examples("2026-12-04T19:30:00Z"))]
    starts_at: String,
    /// How long a hold lasts before it expires, from 1 to 86,400 seconds; the server's
    /// default when omitted.
    #[schema(minimum = 1, maximum = 86_400, examples(180))]
    hold_seconds: Option<u32>,
    #[serde(default)]
    rules: RulesBody,
    price_bands: Vec<PriceBandBody>,
    /// The seated part of the plan.
    #[serde(default)]
    sections: Vec<SectionBody>,
    /// The pools of places without seat numbers.
    #[serde(default)]
    general_admission: Vec<PoolBody>,
    /// The ticket types sold, at most 16; the first is the default of a request that names
    /// none. Left out: one type, `STANDARD`, at each band's price.
    #[serde(default)]
    #[schema(max_items = 16)]
    ticket_types: Vec<TicketTypeBody>,
    /// The fees charged, at most 8.
    #[serde(default)]
    #[schema(max_items = 8)]
    fees: Vec<FeeBody>,
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
        let text_ok = |text: &str| text.chars().count() <= 200 && is_plain_text(text);
        if [&self.event.name, &self.event.venue, &self.event.city]
            .iter()
            .any(|t| !text_ok(t))
            || self.event.name.trim().is_empty()
        {
            return Err(ApiError::invalid_request(
                "event name, venue and city must be at most 200 characters without control or invisible formatting characters; name is required",
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
            rules: self.rules.into_rules(),
            ticket_types: Vec::new(),
            fees: Vec::new(),
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
        let (ticket_types, fees) = parse_price_list(self.ticket_types, self.fees, &price_bands)?;
        let info = PerformanceInfo {
            ticket_types,
            fees,
            ..info
        };
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
                                x: b.x,
                                step: b.step,
                                attributes: b.attributes,
                            })
                            .collect(),
                        y: row.y,
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

/// Seat counts (seats only; general admission is reported per pool).
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({"available": 980, "held": 12, "sold": 6, "withheld": 2, "allocated": 0})))]
pub struct CountsDto {
    available: u32,
    held: u32,
    sold: u32,
    withheld: u32,
    /// Seats set aside for channels' allocations and held by nobody: only their channels'
    /// keys (and admins) may hold them.
    allocated: u32,
}

impl From<Counts> for CountsDto {
    fn from(c: Counts) -> Self {
        Self {
            available: c.available,
            held: c.held,
            sold: c.sold,
            withheld: c.withheld,
            allocated: c.allocated,
        }
    }
}

/// A price band with its seat counts.
#[derive(Debug, Serialize, ToSchema)]
struct BandDto {
    #[schema(examples("A"))]
    code: String,
    /// A decimal string; never a float.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$", examples("65.00"))]
    price: String,
    #[schema(examples("GBP"))]
    currency: String,
    counts: CountsDto,
}

/// A general-admission pool with its counts.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct PoolDto {
    #[schema(examples("STANDING"))]
    pub(super) code: String,
    #[schema(examples("B"))]
    pub(super) price_band: String,
    capacity: u32,
    /// Places anybody may hold now.
    pub(super) available: u32,
    held: u32,
    sold: u32,
    /// Places taken off sale by a holdback.
    withheld: u32,
    /// Places channels' allocations still keep for their channels.
    allocated: u32,
}

/// A block of adjacent seats numbered `from` to `to` inclusive.
#[derive(Debug, Serialize, ToSchema)]
struct BlockDto {
    from: u32,
    to: u32,
    price_band: String,
}

/// A row of the plan.
#[derive(Debug, Serialize, ToSchema)]
struct RowDto {
    row: String,
    blocks: Vec<BlockDto>,
}

/// A section of the plan.
#[derive(Debug, Serialize, ToSchema)]
struct SectionDto {
    name: String,
    rows: Vec<RowDto>,
}

/// `GET /performances/{id}`: the performance with its plan and counts.
#[derive(Debug, Serialize, ToSchema)]
pub struct PerformanceDto {
    #[serde(flatten)]
    summary: PerformanceSummary,
    /// The price bands, each with its seat counts.
    price_bands: Vec<BandDto>,
    sections: Vec<SectionDto>,
    general_admission: Vec<PoolDto>,
    /// Increases with every change to the performance.
    version: u64,
    /// The ticket types it sells (`STANDARD` at the band prices when it declares none).
    ticket_types: Vec<TicketTypeDto>,
    /// The fees it charges.
    fees: Vec<FeeDto>,
}

pub(super) fn pools(view: &PerformanceView) -> Vec<PoolDto> {
    view.plan
        .pools()
        .iter()
        .zip(&view.pools)
        .enumerate()
        .map(|(index, (pool, counts))| PoolDto {
            code: pool.code.clone(),
            price_band: view.plan.price_bands()[usize::from(pool.price_band)]
                .code
                .clone(),
            capacity: pool.capacity,
            available: view.pools_available.get(index).copied().unwrap_or(0),
            held: counts.held,
            sold: counts.sold,
            withheld: view.pools_withheld.get(index).copied().unwrap_or(0),
            allocated: view.pools_allocated.get(index).copied().unwrap_or(0),
        })
        .collect()
}

impl From<&PerformanceView> for PerformanceDto {
    fn from(view: &PerformanceView) -> Self {
        let spec = view.plan.spec();
        Self {
            summary: PerformanceSummary::from(view),
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
            version: view.version,
            ticket_types: ticket_types_of(&view.performance, &view.plan),
            fees: fees_of(&view.performance),
        }
    }
}
