//! `GET /reports/sales` and `GET /reports/takings`: the query (filters and grouping) and the
//! rows, as JSON or, for `Accept: text/csv`, as CSV with a header line.

use super::*;
use crate::domain::{GroupBy, ReportFilter, ReportKey, SalesRow, TakingsRow};

/// What a sales report groups by.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupByParam {
    /// The performance id.
    Performance,
    /// The price band code.
    PriceBand,
    /// The ticket type code.
    TicketType,
    /// The order's payment method (`unrecorded` when its completion named none).
    PaymentMethod,
    /// The client that sold it.
    Client,
    /// The day (UTC) the order was completed, `YYYY-MM-DD`.
    Day,
}

/// `GET /reports/sales` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SalesQuery {
    /// Only tickets of this event's performances (404 when there is no such event).
    #[param(pattern = "^[A-Za-z0-9_-]{1,64}$", example = "holdfast-revue")]
    event: Option<String>,
    /// Only tickets of this performance (404 when there is no such performance).
    #[param(pattern = "^[A-Za-z0-9_-]{1,64}$", example = "revue-1")]
    performance: Option<String>,
    /// Only orders completed at or after this time (RFC 3339).
    #[param(format = DateTime, example = "2026-12-01T00:00:00Z")]
    from: Option<String>,
    /// Only orders completed before this time (RFC 3339).
    #[param(format = DateTime, example = "2026-12-31T00:00:00Z")]
    to: Option<String>,
    /// What a row sums; `performance` when left out.
    #[param(inline)]
    group_by: Option<GroupByParam>,
}

/// `GET /reports/takings` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TakingsQuery {
    /// Only orders with a ticket of this event's performances.
    #[param(pattern = "^[A-Za-z0-9_-]{1,64}$", example = "holdfast-revue")]
    event: Option<String>,
    /// Only orders with a ticket of this performance.
    #[param(pattern = "^[A-Za-z0-9_-]{1,64}$", example = "revue-1")]
    performance: Option<String>,
    /// Only orders completed at or after this time (RFC 3339).
    #[param(format = DateTime, example = "2026-12-01T00:00:00Z")]
    from: Option<String>,
    /// Only orders completed before this time (RFC 3339).
    #[param(format = DateTime, example = "2026-12-31T00:00:00Z")]
    to: Option<String>,
}

fn filter_of(
    event: Option<String>,
    performance: Option<String>,
    from: Option<String>,
    to: Option<String>,
) -> Result<ReportFilter, ApiError> {
    let invalid = |error: &dyn std::fmt::Display| ApiError::invalid_request(error.to_string());
    Ok(ReportFilter {
        event: event
            .map(|id| EventId::parse(&id).map_err(|e| invalid(&e)))
            .transpose()?,
        performance: performance
            .map(|id| PerformanceId::parse(&id).map_err(|e| invalid(&e)))
            .transpose()?,
        from: from.map(|text| parse_time("from", &text)).transpose()?,
        to: to.map(|text| parse_time("to", &text)).transpose()?,
        whole_orders_within: Vec::new(),
    })
}

impl SalesQuery {
    /// Splits the query into the filter and the grouping.
    ///
    /// # Errors
    /// 400 for a malformed id or time.
    pub fn into_parts(self) -> Result<(ReportFilter, GroupBy), ApiError> {
        let group_by = match self.group_by.unwrap_or(GroupByParam::Performance) {
            GroupByParam::Performance => GroupBy::Performance,
            GroupByParam::PriceBand => GroupBy::PriceBand,
            GroupByParam::TicketType => GroupBy::TicketType,
            GroupByParam::PaymentMethod => GroupBy::PaymentMethod,
            GroupByParam::Client => GroupBy::Client,
            GroupByParam::Day => GroupBy::Day,
        };
        let filter = filter_of(self.event, self.performance, self.from, self.to)?;
        Ok((filter, group_by))
    }
}

impl TakingsQuery {
    /// The filter.
    ///
    /// # Errors
    /// 400 for a malformed id or time.
    pub fn into_filter(self) -> Result<ReportFilter, ApiError> {
        filter_of(self.event, self.performance, self.from, self.to)
    }
}

/// One row of the sales report: sales as sold (gross), refunds beside them.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({
    "key": "revue-1", "currency": "GBP", "tickets": 2, "nominal": "97.50", "extra": "5.00",
    "discount": "0.00", "full": "102.50", "refunded_tickets": 0, "refunded": "0.00"
})))]
pub struct SalesRowDto {
    /// The group: a performance id, band code, ticket type code, payment method, client id
    /// or day (`YYYY-MM-DD`, UTC).
    key: String,
    currency: String,
    /// Tickets sold.
    tickets: u64,
    /// Their nominal prices.
    nominal: String,
    /// Their fees, with the per-order fees of the orders whose first ticket is in this row.
    extra: String,
    /// What discounts took off.
    discount: String,
    /// nominal + extra − discount.
    full: String,
    /// Tickets refunded (refunds are not built yet: always 0).
    refunded_tickets: u64,
    /// Money refunded.
    refunded: String,
}

impl From<&SalesRow> for SalesRowDto {
    fn from(row: &SalesRow) -> Self {
        Self {
            key: match &row.key {
                ReportKey::Text(text) => text.clone(),
                ReportKey::Day(day) => format_day(*day),
            },
            currency: row.currency.to_string(),
            tickets: row.tickets,
            nominal: row.money.nominal.to_string(),
            extra: row.money.extra.to_string(),
            discount: row.money.discount.to_string(),
            full: row.money.full.to_string(),
            refunded_tickets: row.refunded_tickets,
            refunded: row.refunded.to_string(),
        }
    }
}

/// Writes days since 1970-01-01 as `YYYY-MM-DD`.
fn format_day(day: i64) -> String {
    DateTime::<Utc>::from_timestamp(day * 86_400, 0).map_or_else(
        || day.to_string(),
        |time| time.format("%Y-%m-%d").to_string(),
    )
}

/// `GET /reports/sales`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SalesReportDto {
    /// One row per key and currency, sorted by key then currency.
    rows: Vec<SalesRowDto>,
}

impl SalesReportDto {
    /// The report of these rows.
    pub fn new(rows: &[SalesRow]) -> Self {
        Self {
            rows: rows.iter().map(SalesRowDto::from).collect(),
        }
    }

    /// The rows as CSV, with a header line.
    ///
    /// # Errors
    /// Never in practice: the CSV is written to memory.
    pub fn to_csv(&self) -> Result<String, ApiError> {
        let header = [
            "key",
            "currency",
            "tickets",
            "nominal",
            "extra",
            "discount",
            "full",
            "refunded_tickets",
            "refunded",
        ];
        to_csv(
            &header,
            self.rows.iter().map(|row| {
                vec![
                    row.key.clone(),
                    row.currency.clone(),
                    row.tickets.to_string(),
                    row.nominal.clone(),
                    row.extra.clone(),
                    row.discount.clone(),
                    row.full.clone(),
                    row.refunded_tickets.to_string(),
                    row.refunded.clone(),
                ]
            }),
        )
    }
}

/// One row of the takings report.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({
    "payment_method": "card", "currency": "GBP", "received": "135.00", "refunded": "0.00"
})))]
pub struct TakingsRowDto {
    payment_method: String,
    currency: String,
    /// What the orders' payments recorded.
    received: String,
    /// What refunds paid back (refunds are not built yet: always 0).
    refunded: String,
}

/// `GET /reports/takings`.
#[derive(Debug, Serialize, ToSchema)]
pub struct TakingsReportDto {
    /// One row per payment method and currency, sorted.
    rows: Vec<TakingsRowDto>,
}

impl TakingsReportDto {
    /// The report of these rows.
    pub fn new(rows: &[TakingsRow]) -> Self {
        Self {
            rows: rows
                .iter()
                .map(|row| TakingsRowDto {
                    payment_method: row.payment_method.clone(),
                    currency: row.currency.to_string(),
                    received: row.received.to_string(),
                    refunded: row.refunded.to_string(),
                })
                .collect(),
        }
    }

    /// The rows as CSV, with a header line.
    ///
    /// # Errors
    /// Never in practice: the CSV is written to memory.
    pub fn to_csv(&self) -> Result<String, ApiError> {
        let header = ["payment_method", "currency", "received", "refunded"];
        to_csv(
            &header,
            self.rows.iter().map(|row| {
                vec![
                    row.payment_method.clone(),
                    row.currency.clone(),
                    row.received.clone(),
                    row.refunded.clone(),
                ]
            }),
        )
    }
}

/// Writes `rows` as CSV under a header line of `header` (an empty report is the header
/// alone), quoting as RFC 4180 says.
fn to_csv(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<String, ApiError> {
    // Writing to memory cannot fail; a failure would be a bug, answered as unavailable.
    let broken = |error: &dyn std::fmt::Display| {
        ApiError::new(crate::domain::ErrorCode::Unavailable, error.to_string())
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header).map_err(|e| broken(&e))?;
    for row in rows {
        writer.write_record(&row).map_err(|e| broken(&e))?;
    }
    let bytes = writer.into_inner().map_err(|e| broken(&e))?;
    String::from_utf8(bytes).map_err(|e| broken(&e))
}
