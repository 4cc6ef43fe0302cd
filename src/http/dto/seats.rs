//! Seats as answered: the free seat blocks of `GET /performances/{id}/availability` and the
//! seat map of `GET /performances/{id}/seats`.

use super::*;

/// A free seat in an availability block.
#[derive(Debug, Serialize, ToSchema)]
struct SeatRef {
    /// The ticket id.
    #[schema(examples("jb-1204:STALLS-A3"))]
    id: String,
    /// The seat number, as a string.
    #[schema(examples("3"))]
    number: String,
}

/// A maximal run of free adjacent seats, in seat order.
#[derive(Debug, Serialize, ToSchema)]
struct SeatBlockDto {
    #[schema(examples("STALLS"))]
    section: String,
    #[schema(examples("A"))]
    row: String,
    seats: Vec<SeatRef>,
}

/// A price band's availability.
#[derive(Debug, Serialize, ToSchema)]
struct BandAvailability {
    #[schema(examples("A"))]
    code: String,
    /// A decimal string; never a float.
    #[schema(pattern = r"^[0-9]+(\.[0-9]+)?$", examples("65.00"))]
    price: String,
    #[schema(examples("GBP"))]
    currency: String,
    /// Free seats in the band.
    available: u32,
    /// With `quantity`, only blocks from which that many seats can be held.
    seat_blocks: Vec<SeatBlockDto>,
}

/// A general-admission pool's availability.
#[derive(Debug, Serialize, ToSchema)]
struct PoolAvailability {
    #[schema(examples("STANDING"))]
    code: String,
    #[schema(examples("B"))]
    price_band: String,
    available: u32,
}

/// `GET /performances/{id}/availability`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({
    "performance": "jb-1204",
    "contiguous_seats_only": true,
    "no_single_seat_gaps": true,
    "valid_quantities": [1, 2, 3, 4, 5, 6],
    "price_bands": [{
        "code": "A", "price": "65.00", "currency": "GBP", "available": 21,
        "seat_blocks": [{"section": "STALLS", "row": "A", "seats": [
            {"id": "jb-1204:STALLS-A3", "number": "3"}, {"id": "jb-1204:STALLS-A4", "number": "4"}]}]
    }],
    "general_admission": [{"code": "STANDING", "price_band": "B", "available": 498}],
    "version": 18
})))]
pub struct AvailabilityDto {
    /// The performance id.
    performance: String,
    contiguous_seats_only: bool,
    no_single_seat_gaps: bool,
    valid_quantities: Vec<u32>,
    /// Every price band, or only the one asked for with `price_band`.
    price_bands: Vec<BandAvailability>,
    general_admission: Vec<PoolAvailability>,
    /// Increases with every change to the performance.
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

/// A seat of the seat map.
#[derive(Debug, Serialize, ToSchema)]
struct SeatDto {
    /// The ticket id.
    #[schema(examples("jb-1204:STALLS-A7"))]
    id: String,
    #[schema(examples("STALLS"))]
    section: String,
    #[schema(examples("A"))]
    row: String,
    /// The seat number, as a string.
    #[schema(examples("7"))]
    number: String,
    #[schema(examples("A"))]
    price_band: String,
    #[schema(value_type = SeatStatus)]
    status: &'static str,
    /// Where the seat is drawn, in the plan's drawing units: from the plan, or laid out from
    /// plan order when it gives none.
    #[schema(examples(-8.5))]
    x: f64,
    /// Where the seat's row is drawn; the stage is towards smaller `y`.
    #[schema(examples(3))]
    y: f64,
    /// The seat's attributes, e.g. `accessible`, `companion`, `restricted_view`, `aisle`.
    #[schema(examples(json!(["aisle"])))]
    attributes: Vec<String>,
}

/// `GET /performances/{id}/seats`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeatMapDto {
    /// The performance id.
    #[schema(examples("jb-1204"))]
    performance: String,
    /// Increases with every change to the performance.
    version: u64,
    /// Every seat, in plan order (section, row, seat).
    seats: Vec<SeatDto>,
}

impl From<&SeatMapView> for SeatMapDto {
    fn from(view: &SeatMapView) -> Self {
        let seats = view
            .statuses
            .iter()
            .enumerate()
            .map(|(seat, status)| {
                let seat = seat as u32;
                let location = view.plan.locate(seat);
                let (x, y) = view.plan.position(seat);
                let attributes = view.plan.attributes();
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
                    x,
                    y,
                    attributes: attributes
                        .names(attributes.of(seat))
                        .map(str::to_owned)
                        .collect(),
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

/// A seat whose status changed, in a `seats` event of the live seat stream.
#[derive(Debug, Serialize, ToSchema)]
struct SeatChangeDto {
    /// The ticket id.
    #[schema(examples("jb-1204:STALLS-A7"))]
    id: String,
    #[schema(value_type = SeatStatus)]
    status: &'static str,
}

/// The data of a `seats` event of `GET /performances/{id}/seats/stream`: one durable change.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({"version": 18, "at": "2026-12-01T10:00:00.123Z", "seats": [
    {"id": "jb-1204:STALLS-A3", "status": "held"}, {"id": "jb-1204:STALLS-A4", "status": "held"}]})))]
pub struct SeatsChangedDto {
    /// The performance's version after the change; also the event's id.
    version: u64,
    /// When the change was made (it is sent once durable), RFC 3339 in UTC.
    #[schema(format = DateTime, examples("2026-12-01T10:00:00.123Z"))]
    at: String,
    /// The seats it turned to another status, in seat order.
    seats: Vec<SeatChangeDto>,
}

impl SeatsChangedDto {
    /// The event of `event`'s seats at `performance`, named through `plan`.
    pub fn new(performance: &PerformanceId, plan: &SeatingPlan, event: &SeatEvent) -> Self {
        Self {
            version: event.version,
            at: format_time(event.at),
            seats: event
                .seats
                .iter()
                .map(|&(seat, status)| SeatChangeDto {
                    id: format!("{performance}:{}", plan.seat_id(seat)),
                    status: status.as_str(),
                })
                .collect(),
        }
    }
}
