//! The seat stream's promise, checked against the durable journal: a follower subscribed to a
//! performance's feed when its server started, and told every event since, holds exactly the
//! seat map that recovery rebuilds from the disk. So the stream never told a change that a
//! crash took back, never missed one that became durable, and told each once, in order.

use tokio::sync::broadcast::error::TryRecvError;

use super::*;
use crate::actor::SeatEvent;

/// A follower of one performance's feed, as a widget keeps it.
pub(super) struct Follower {
    statuses: Vec<&'static str>,
    version: u64,
    live: tokio::sync::broadcast::Receiver<Arc<SeatEvent>>,
}

impl Follower {
    /// Subscribes to `core`'s feed from its state now, all of it durable (a server that has
    /// just recovered, before it changes anything).
    pub(super) fn of(core: &PerformanceCore) -> Self {
        let performance = core.performance();
        let subscription = core.seat_feed().subscribe(None, performance.version());
        Self {
            statuses: performance
                .seat_statuses()
                .iter()
                .map(|status| status.as_str())
                .collect(),
            version: performance.version(),
            live: subscription.live,
        }
    }

    /// Applies every event told since the last call.
    pub(super) fn catch_up(&mut self, index: usize) -> Result<(), Failure> {
        loop {
            match self.live.try_recv() {
                Ok(event) => {
                    if event.version <= self.version {
                        return Err(Failure::new(format!(
                            "performance {index}: the stream told version {} after {}",
                            event.version, self.version
                        )));
                    }
                    self.version = event.version;
                    for &(seat, status) in &event.seats {
                        self.statuses[seat as usize] = status.as_str();
                    }
                }
                Err(TryRecvError::Empty | TryRecvError::Closed) => return Ok(()),
                Err(TryRecvError::Lagged(missed)) => {
                    return Err(Failure::new(format!(
                        "performance {index}: a follower missed {missed} events"
                    )));
                }
            }
        }
    }
}

impl World {
    /// Every follower's seat map equals the durable one, when no write failed since the
    /// server started (a failed write may have landed unacknowledged, and a change that was
    /// never acknowledged is never told).
    pub(super) fn check_stream(&mut self) -> Result<(), Failure> {
        for (index, follower) in self.node.followers.iter_mut().enumerate() {
            follower.catch_up(index)?;
        }
        if self.node.journal.has_failed() {
            return Ok(());
        }
        let recovered = self.rebuild_all()?;
        for (index, (follower, performance)) in
            self.node.followers.iter().zip(&recovered).enumerate()
        {
            let durable: Vec<&'static str> = performance
                .seat_statuses()
                .iter()
                .map(|status| status.as_str())
                .collect();
            if follower.statuses != durable {
                let seat = follower
                    .statuses
                    .iter()
                    .zip(&durable)
                    .position(|(told, was)| told != was)
                    .unwrap_or(0);
                return Err(Failure::new(format!(
                    "performance {index}: the stream told seat {seat} is {}, the durable journal says {}",
                    follower.statuses[seat], durable[seat]
                )));
            }
        }
        self.stats.stream_checks += 1;
        Ok(())
    }
}
