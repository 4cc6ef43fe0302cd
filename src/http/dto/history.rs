//! History over HTTP: `GET /transactions/{id}/history` and
//! `GET /performances/{id}/history?seat=`, each event with its time, kind, states, tickets,
//! client and transaction.

use super::*;
use crate::actor::HistoryLine;

/// `GET /performances/{id}/history` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SeatHistoryQuery {
    /// The seat's ticket id, at this performance.
    #[param(
        pattern = r"^[A-Za-z0-9_-]{1,64}:[\x21-\x39\x3B-\x7E]{1,64}$",
        example = "revue-1:STALLS-C12"
    )]
    pub seat: String,
}

/// The kinds of events.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[expect(dead_code, reason = "documentation only: described, never built")]
pub(crate) enum HistoryKindName {
    Held,
    Modified,
    CheckedOut,
    Completed,
    Released,
    Expired,
    Refunded,
    Withheld,
    Scanned,
    Allocated,
}

/// Standing places an event concerns.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryPlaces {
    #[schema(examples("revue-1"))]
    performance: String,
    #[schema(examples("STANDING"))]
    code: String,
    quantity: u32,
}

/// One state change.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({"at": "2026-12-06T18:02:11Z", "kind": "completed",
    "from": "checked_out", "to": "complete", "tickets": ["revue-1:STALLS-C12"],
    "general_admission": [], "client": "webshop",
    "transaction_id": "0193a0d2-6f1c-7c4e-9a51-2f7f0f5b1c11", "performance": "revue-1"})))]
pub struct HistoryEventDto {
    /// RFC 3339 in UTC.
    #[schema(format = DateTime)]
    at: String,
    #[schema(value_type = HistoryKindName)]
    kind: &'static str,
    /// The state before: a transaction's (`held`, `checked_out`, `complete`,
    /// `partially_refunded`, ...) or a seat's (`free`, `held`, `sold`, `withheld`); `null`
    /// when the event begins what is told.
    from: Option<&'static str>,
    /// The state after.
    to: &'static str,
    /// The seats it concerns, as ticket ids.
    tickets: Vec<String>,
    /// The standing places it concerns.
    general_admission: Vec<HistoryPlaces>,
    /// The transaction's client; `null` for a holdback.
    client: Option<String>,
    /// The transaction; `null` for a holdback.
    #[schema(format = "uuid")]
    transaction_id: Option<String>,
    #[schema(examples("revue-1"))]
    performance: String,
}

/// A history, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryDto {
    history: Vec<HistoryEventDto>,
}

impl HistoryDto {
    /// Renders `lines`.
    pub fn new(lines: &[HistoryLine]) -> Self {
        let history = lines
            .iter()
            .map(|line| {
                let event = &line.event;
                let performance = &line.performance.id;
                HistoryEventDto {
                    at: format_time(event.at),
                    kind: event.kind.as_str(),
                    from: event.from,
                    to: event.to,
                    tickets: event
                        .seats
                        .iter()
                        .map(|&seat| format!("{performance}:{}", line.plan.seat_id(seat)))
                        .collect(),
                    general_admission: event
                        .places
                        .iter()
                        .map(|places| HistoryPlaces {
                            performance: performance.to_string(),
                            code: line.plan.pools()[usize::from(places.pool)].code.clone(),
                            quantity: places.quantity,
                        })
                        .collect(),
                    client: event.client.as_ref().map(ToString::to_string),
                    transaction_id: event.transaction.map(|t| t.to_string()),
                    performance: performance.to_string(),
                }
            })
            .collect();
        Self { history }
    }
}
