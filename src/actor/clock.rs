//! Engine time. Actors read a [`Clock`]; tests use a [`ManualClock`] and advance it instead
//! of sleeping. [`EngineClock`] makes any clock monotonic: it never runs backwards.
//!
//! Engine time is also written here: `Timestamp`'s `Display` is RFC 3339 in UTC, which needs
//! a calendar (chrono) that the pure domain does not name; the domain's messages that show a
//! time (a discount code's window) use it all the same.
//!
//! # Caveats
//! - A `Timestamp` outside chrono's range displays as milliseconds after the Unix epoch.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::domain::Timestamp;

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC with `Z`, as the contract writes times.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match chrono::DateTime::<chrono::Utc>::from_timestamp_millis(self.as_millis()) {
            Some(time) => f.write_str(&time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
            None => write!(f, "{} ms after the Unix epoch", self.as_millis()),
        }
    }
}

/// A source of wall-clock time.
pub trait Clock: Send + Sync + std::fmt::Debug + 'static {
    /// Returns the current time.
    fn now(&self) -> Timestamp;
}

/// The system's wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp(chrono::Utc::now().timestamp_millis())
    }
}

/// A clock that moves only when told, shared by clones.
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    /// Creates a clock reading `start`.
    pub fn new(start: Timestamp) -> Self {
        Self(Arc::new(AtomicI64::new(start.0)))
    }

    /// Moves the clock forward (or, with a negative amount, backward) by `millis`.
    pub fn advance_millis(&self, millis: i64) {
        self.0.fetch_add(millis, Ordering::SeqCst);
    }

    /// Sets the clock to `at`.
    pub fn set(&self, at: Timestamp) {
        self.0.store(at.0, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::SeqCst))
    }
}

/// A monotonic view of a clock: `max(clock, last reading)`.
#[derive(Debug)]
pub struct EngineClock {
    clock: Arc<dyn Clock>,
    last: Timestamp,
}

impl EngineClock {
    /// Wraps `clock`, never reading earlier than `floor` (the last engine time of a journal).
    pub fn new(clock: Arc<dyn Clock>, floor: Timestamp) -> Self {
        Self { clock, last: floor }
    }

    /// Returns the engine time now.
    pub fn now(&mut self) -> Timestamp {
        self.last = self.last.max(self.clock.now());
        self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_time_never_runs_backwards() {
        let manual = ManualClock::new(Timestamp(10_000));
        let mut engine = EngineClock::new(Arc::new(manual.clone()), Timestamp(0));
        assert_eq!(engine.now(), Timestamp(10_000));
        manual.advance_millis(-5_000);
        assert_eq!(engine.now(), Timestamp(10_000));
        manual.advance_millis(6_000);
        assert_eq!(engine.now(), Timestamp(11_000));
    }

    #[test]
    fn engine_time_starts_no_earlier_than_its_floor() {
        let manual = ManualClock::new(Timestamp(5));
        let mut engine = EngineClock::new(Arc::new(manual), Timestamp(50));
        assert_eq!(engine.now(), Timestamp(50));
    }
}
