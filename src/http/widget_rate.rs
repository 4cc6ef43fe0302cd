//! The hold rate of widget keys, per IP address: a widget's key is published in a web page,
//! so anyone may use it, and what bounds one visitor is their address.
//!
//! A GCRA limiter from `governor`, keyed by the caller's IP (as `locked_ip` records it: the
//! peer, or `X-Forwarded-For` behind a trusted proxy), allows `widget_holds_per_minute` holds
//! per minute with bursts up to that many. Past it a hold is refused with 429 `overloaded` and
//! a `Retry-After` of the seconds until the next is allowed.
//!
//! # Caveats
//! - The count is per process and in memory: a restart forgets it.
//! - Addresses not seen for a while are forgotten every [`SWEEP_EVERY`] checks, so the table
//!   stays as large as the set of recent visitors.
//! - Only holds count (checkouts and releases do not), and a hold the engine then refuses
//!   counts too: the limit is on attempts.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::error::ApiError;

/// How many checks pass between sweeps of forgotten addresses.
pub const SWEEP_EVERY: u64 = 4096;

/// Widget holds per minute, per IP address.
pub struct WidgetRate {
    limiter: DefaultKeyedRateLimiter<String>,
    per_minute: u32,
    checks: AtomicU64,
}

impl WidgetRate {
    /// At most `per_minute` holds per minute per address (at least one).
    pub fn new(per_minute: u32) -> Self {
        let per_minute = per_minute.max(1);
        let quota = Quota::per_minute(NonZeroU32::MIN.saturating_add(per_minute - 1));
        Self {
            limiter: RateLimiter::keyed(quota),
            per_minute,
            checks: AtomicU64::new(0),
        }
    }

    /// Counts a hold from `ip`.
    ///
    /// # Errors
    /// 429 `overloaded` with `Retry-After` when `ip` is past its rate.
    pub fn check(&self, ip: &str) -> Result<(), ApiError> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&ip.to_owned()).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::rate_limited(
                format!(
                    "a widget may place at most {} holds a minute from one address; retry later",
                    self.per_minute
                ),
                wait,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use actix_web::ResponseError;

    use super::*;

    #[test]
    fn an_address_past_its_rate_is_refused_and_others_are_not() {
        let rate = WidgetRate::new(3);
        for _ in 0..3 {
            rate.check("10.0.0.1").unwrap();
        }
        let refused = rate.check("10.0.0.1").unwrap_err();
        assert_eq!(refused.status_code().as_u16(), 429);
        let response = refused.error_response();
        let retry: u64 = response
            .headers()
            .get("retry-after")
            .unwrap()
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=20).contains(&retry), "one hold per 20 s: {retry}");
        rate.check("10.0.0.2").unwrap();
    }
}
