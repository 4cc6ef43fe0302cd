//! What `holdfast loadtest` creates before it measures: its sales client and its
//! performances, and how each step picks the performance it holds at.
//!
//! With `--performances N` the run creates N performances of the same plan and spreads its
//! holds over them by a Zipf law of exponent `--zipf` (the k-th performance is asked
//! k^-s times as often as the first), the shape of a real on-sale day where one show is hot
//! and a long tail sells a little. The 1,000-performance run beside the one-performance run
//! shows what routing, actor count and per-performance memory cost.
//!
//! # Caveats
//! - The performances are created through the API, a few at a time: a thousand 2,000-seat
//!   plans take some seconds before the measurement starts (not measured).

use serde_json::{Value, json};

use super::loadtest::{LoadtestArgs, LoadtestError};

/// Performances created at once during the set-up.
const CREATED_AT_ONCE: usize = 16;

/// Picks a performance for each step: Zipf-distributed ranks over the run's performances.
pub struct PerformancePicker {
    ids: Vec<String>,
    /// Cumulative probability of ranks 0..=i; the last is 1.
    cumulative: Vec<f64>,
}

impl PerformancePicker {
    /// A picker over `ids` (rank order) with Zipf exponent `exponent` (0 is uniform).
    pub fn new(ids: Vec<String>, exponent: f64) -> Self {
        let weights: Vec<f64> = (1..=ids.len())
            .map(|rank| (rank as f64).powf(-exponent))
            .collect();
        let total: f64 = weights.iter().sum();
        let mut running = 0.0;
        let cumulative = weights
            .iter()
            .map(|weight| {
                running += weight / total;
                running
            })
            .collect();
        Self { ids, cumulative }
    }

    /// The performance for a uniform draw `u` in [0, 1).
    pub fn pick(&self, u: f64) -> &str {
        let rank = self
            .cumulative
            .partition_point(|&c| c <= u)
            .min(self.ids.len().saturating_sub(1));
        &self.ids[rank]
    }

    /// The most-asked performance (rank 1), which the seat-stream followers watch.
    pub fn first(&self) -> &str {
        &self.ids[0]
    }

    /// How many performances the run spreads over.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// The share of steps that go to the most-asked performance.
    pub fn hottest_share(&self) -> f64 {
        self.cumulative.first().copied().unwrap_or(1.0)
    }
}

fn fail(what: &str, detail: impl ToString) -> LoadtestError {
    LoadtestError::Setup(format!("{what}: {}", detail.to_string()))
}

async fn post(
    client: &reqwest::Client,
    args: &LoadtestArgs,
    path: &str,
    body: &Value,
) -> Result<Value, LoadtestError> {
    let answer = client
        .post(format!("{}{path}", args.url))
        .header("X-API-Key", &args.admin_key)
        .json(body)
        .send()
        .await
        .map_err(|e| fail(path, e))?;
    if answer.status().as_u16() != 201 {
        return Err(fail(path, answer.text().await.unwrap_or_default()));
    }
    answer.json().await.map_err(|e| fail(path, e))
}

/// Creates the sales client and the performances (or takes `--performance`); returns the
/// client's key and the performances in rank order.
///
/// # Errors
/// When the server refuses any of it.
pub async fn setup(
    client: &reqwest::Client,
    args: &LoadtestArgs,
) -> Result<(String, Vec<String>), LoadtestError> {
    let created = post(
        client,
        args,
        "/clients",
        &json!({"name": "loadtest", "role": "sales"}),
    )
    .await?;
    let key = created["key"].as_str().unwrap_or_default().to_owned();
    if let Some(id) = &args.performance {
        return Ok((key, vec![id.clone()]));
    }
    let run = uuid::Uuid::new_v4().simple().to_string();
    let ids: Vec<String> = (0..args.performances.max(1))
        .map(|index| format!("loadtest-{}-{index}", &run[..8]))
        .collect();
    for chunk in ids.chunks(CREATED_AT_ONCE) {
        let mut creating = tokio::task::JoinSet::new();
        for id in chunk {
            let (client, args, body) = (client.clone(), args.clone(), plan(args, id));
            creating.spawn(async move { post(&client, &args, "/performances", &body).await });
        }
        while let Some(outcome) = creating.join_next().await {
            outcome.map_err(|e| fail("creating a performance", e))??;
        }
    }
    Ok((key, ids))
}

/// The plan of every performance of the run: `--rows` rows of `--seats-per-row`, one band.
fn plan(args: &LoadtestArgs, id: &str) -> Value {
    let rows: Vec<Value> = (0..args.rows)
        .map(|row| json!({"row": format!("R{row}-"), "blocks": [{"from": 1, "to": args.seats_per_row, "price_band": "A"}]}))
        .collect();
    let mut performance = json!({
        "id": id,
        "event": {"id": "loadtest", "name": "Load Test", "venue": "Loopback Arena", "city": "Localhost"},
        "starts_at": "2099-01-01T19:30:00Z",
        "hold_seconds": 600,
        "rules": {"contiguous_seats_only": true, "no_single_seat_gaps": false, "valid_quantities": [1, 2, 3, 4, 5, 6, 7, 8]},
        "price_bands": [{"code": "A", "price": "50.00", "currency": "GBP"}],
        "sections": [{"name": "S", "rows": rows}]
    });
    if args.price_list {
        performance["ticket_types"] = json!([
            {"code": "ADULT", "name": "Adult", "prices": {"A": "50.00"}},
            {"code": "CHILD", "name": "Child", "prices": {"A": "25.00"}}
        ]);
        performance["fees"] = json!([
            {"code": "booking", "per_ticket": "1.50"},
            {"code": "handling", "per_order": "2.00"}
        ]);
    }
    performance
}

#[cfg(test)]
mod tests {
    use super::PerformancePicker;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("p{i}")).collect()
    }

    #[test]
    fn one_performance_takes_every_step() {
        let picker = PerformancePicker::new(ids(1), 1.0);
        assert_eq!(picker.pick(0.0), "p0");
        assert_eq!(picker.pick(0.999_999), "p0");
    }

    #[test]
    fn zipf_ranks_are_asked_in_proportion_to_their_weight() {
        let picker = PerformancePicker::new(ids(1000), 1.0);
        // H(1000) = 7.4855: the first rank gets 1/H of the steps, the second half of that.
        assert!((picker.hottest_share() - 1.0 / 7.4855).abs() < 1e-3);
        let draws = 200_000;
        let mut counts = vec![0u32; 1000];
        for i in 0..draws {
            let u = (f64::from(i) + 0.5) / f64::from(draws);
            let id = picker.pick(u);
            counts[id[1..].parse::<usize>().unwrap()] += 1;
        }
        let first = f64::from(counts[0]) / f64::from(draws);
        let second = f64::from(counts[1]) / f64::from(draws);
        assert!((first - picker.hottest_share()).abs() < 1e-3, "{first}");
        assert!((second / first - 0.5).abs() < 0.01, "{second} / {first}");
        assert!(counts[999] > 0, "the tail is asked too");
    }

    #[test]
    fn exponent_zero_is_uniform() {
        let picker = PerformancePicker::new(ids(4), 0.0);
        assert_eq!(picker.pick(0.10), "p0");
        assert_eq!(picker.pick(0.30), "p1");
        assert_eq!(picker.pick(0.60), "p2");
        assert_eq!(picker.pick(0.99), "p3");
    }
}
