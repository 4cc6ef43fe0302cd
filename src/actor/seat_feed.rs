//! The live seat stream of one performance: every durable change to its seats, in version
//! order, for widgets that draw the house.
//!
//! The performance's core hands each change's changed seats to its feed when the journal
//! reports the change durable (on the journal's thread, in the order written), so a
//! subscriber never sees a change that a crash could take back. The feed keeps the newest
//! [`RESUME_EVENTS`] events, so a client that reconnects with the last version it saw gets
//! only what it missed, and fans each event out to every subscriber through one bounded
//! broadcast channel: an event is one `Arc`, encoded once by whoever sends it first
//! ([`SeatEvent::encoded`]), and a subscriber that falls more than [`SUBSCRIBER_BUFFER`]
//! events behind is told it lagged (it then starts again from a fresh snapshot) instead of
//! growing a buffer.
//!
//! Subscribing happens on the actor's thread, under the same lock the journal thread
//! publishes under: a resume is served from the ring and the live channel without a gap or a
//! repeat, and a snapshot taken at version V is followed by exactly the events after V.
//!
//! # Caveats
//! - The ring lives in memory: after a restart only versions from the restart on can be
//!   resumed; older ones get a snapshot.
//! - Changes that change no seat's public status (a checkout, a door scan, places in a
//!   general-admission pool) advance the version without an event.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use tokio::sync::broadcast;

use crate::domain::{SeatStatus, Timestamp};

/// How many of the newest events a feed keeps for clients that resume.
pub const RESUME_EVENTS: usize = 1024;
/// How many events a subscriber may fall behind before it is told to start again.
pub const SUBSCRIBER_BUFFER: usize = 1024;

/// The seats one durable change turned to another status.
#[derive(Debug)]
pub struct SeatEvent {
    /// The performance's version after the change.
    pub version: u64,
    /// When the change was made (engine time).
    pub at: Timestamp,
    /// Seat index and new status, in seat order.
    pub seats: Vec<(u32, SeatStatus)>,
    encoded: OnceLock<bytes::Bytes>,
}

impl SeatEvent {
    /// Returns the event as sent, encoding it with `encode` the first time only: one encoding
    /// however many subscribers there are.
    pub fn encoded(&self, encode: impl FnOnce(&Self) -> bytes::Bytes) -> bytes::Bytes {
        self.encoded.get_or_init(|| encode(self)).clone()
    }
}

/// Where a new subscriber starts.
#[derive(Debug)]
pub enum FeedStart {
    /// From everything after the version it named, which the feed still had.
    Resume(Vec<Arc<SeatEvent>>),
    /// From a snapshot taken at `version`: events up to it are already in it.
    Snapshot {
        /// The version the snapshot shows.
        version: u64,
    },
}

/// A subscriber's place in the feed.
#[derive(Debug)]
pub struct FeedSubscription {
    /// Where it starts.
    pub start: FeedStart,
    /// The events published from the moment it subscribed.
    pub live: broadcast::Receiver<Arc<SeatEvent>>,
}

struct FeedState {
    /// The newest durable version.
    latest: u64,
    /// Every seat event after `floor` up to `latest` is in `ring`.
    floor: u64,
    ring: VecDeque<Arc<SeatEvent>>,
    /// Made with the first subscriber, so an unwatched performance costs no channel.
    sender: Option<broadcast::Sender<Arc<SeatEvent>>>,
}

/// One performance's seat feed.
pub struct SeatFeed {
    state: Mutex<FeedState>,
    /// The newest snapshot as sent, by version: followers that start at the same version
    /// (a crowd arriving at an on-sale page) share one encoding.
    snapshot: Mutex<Option<(u64, bytes::Bytes)>>,
}

impl std::fmt::Debug for SeatFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeatFeed")
            .field("subscribers", &self.subscribers())
            .finish_non_exhaustive()
    }
}

impl SeatFeed {
    /// A feed of a performance whose durable version is `version`.
    pub fn new(version: u64) -> Self {
        Self {
            state: Mutex::new(FeedState {
                latest: version,
                floor: version,
                ring: VecDeque::new(),
                sender: None,
            }),
            snapshot: Mutex::new(None),
        }
    }

    /// Returns the snapshot at `version` as sent, encoding it with `encode` unless the last
    /// one encoded was of the same version.
    pub fn snapshot_encoded(
        &self,
        version: u64,
        encode: impl FnOnce() -> bytes::Bytes,
    ) -> bytes::Bytes {
        let mut cached = self.snapshot.lock().unwrap_or_else(PoisonError::into_inner);
        match &*cached {
            Some((cached_version, bytes)) if *cached_version == version => bytes.clone(),
            _ => {
                let bytes = encode();
                *cached = Some((version, bytes.clone()));
                bytes
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, FeedState> {
        // Each update below leaves the state consistent at every step, so a poisoned lock
        // (a panic elsewhere while holding it) is still usable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records that the change to `version`, made `at`, is durable, with the seats it changed.
    pub fn publish(&self, version: u64, at: Timestamp, seats: Vec<(u32, SeatStatus)>) {
        let mut state = self.lock();
        state.latest = state.latest.max(version);
        if seats.is_empty() {
            if state.ring.is_empty() {
                state.floor = state.latest;
            }
            return;
        }
        let event = Arc::new(SeatEvent {
            version,
            at,
            seats,
            encoded: OnceLock::new(),
        });
        if state.ring.len() == RESUME_EVENTS
            && let Some(oldest) = state.ring.pop_front()
        {
            state.floor = oldest.version;
        }
        state.ring.push_back(Arc::clone(&event));
        if let Some(sender) = &state.sender {
            // An error only means nobody listens right now.
            drop(sender.send(event));
        }
    }

    /// Subscribes a client that last saw `since` (if it says), while the performance's applied
    /// version is `applied`: resumed from the ring when it still covers `since`, else from a
    /// snapshot at `applied` that the caller takes at once.
    pub fn subscribe(&self, since: Option<u64>, applied: u64) -> FeedSubscription {
        let mut state = self.lock();
        let live = state
            .sender
            .get_or_insert_with(|| broadcast::channel(SUBSCRIBER_BUFFER).0)
            .subscribe();
        let start = match since {
            Some(since) if state.floor <= since && since <= state.latest => FeedStart::Resume(
                state
                    .ring
                    .iter()
                    .filter(|event| event.version > since)
                    .cloned()
                    .collect(),
            ),
            _ => FeedStart::Snapshot { version: applied },
        };
        FeedSubscription { start, live }
    }

    /// Returns how many clients follow the feed now.
    pub fn subscribers(&self) -> usize {
        self.lock()
            .sender
            .as_ref()
            .map_or(0, broadcast::Sender::receiver_count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(seat: u32) -> Vec<(u32, SeatStatus)> {
        vec![(seat, SeatStatus::Held(0))]
    }

    fn versions(start: &FeedStart) -> Vec<u64> {
        match start {
            FeedStart::Resume(events) => events.iter().map(|e| e.version).collect(),
            FeedStart::Snapshot { .. } => panic!("expected a resume"),
        }
    }

    #[test]
    fn a_resume_gets_exactly_the_events_after_the_version_it_names() {
        let feed = SeatFeed::new(10);
        feed.publish(11, Timestamp(0), held(1));
        feed.publish(12, Timestamp(0), Vec::new());
        feed.publish(13, Timestamp(0), held(2));
        assert_eq!(versions(&feed.subscribe(Some(10), 13).start), [11, 13]);
        assert_eq!(versions(&feed.subscribe(Some(11), 13).start), [13]);
        assert_eq!(
            versions(&feed.subscribe(Some(13), 13).start),
            [] as [u64; 0]
        );
        // Before the feed began, or ahead of what is durable: a snapshot.
        assert!(matches!(
            feed.subscribe(Some(9), 13).start,
            FeedStart::Snapshot { version: 13 }
        ));
        assert!(matches!(
            feed.subscribe(Some(14), 13).start,
            FeedStart::Snapshot { .. }
        ));
        assert!(matches!(
            feed.subscribe(None, 13).start,
            FeedStart::Snapshot { .. }
        ));
    }

    #[test]
    fn the_ring_forgets_the_oldest_and_then_refuses_to_resume_before_them() {
        let feed = SeatFeed::new(0);
        for version in 1..=RESUME_EVENTS as u64 + 5 {
            feed.publish(version, Timestamp(0), held(0));
        }
        assert!(matches!(
            feed.subscribe(Some(4), 0).start,
            FeedStart::Snapshot { .. }
        ));
        let resumed = feed.subscribe(Some(5), 0);
        assert_eq!(versions(&resumed.start).len(), RESUME_EVENTS);
    }

    #[test]
    fn a_subscriber_sees_what_is_published_after_it_and_a_laggard_is_told() {
        let feed = SeatFeed::new(0);
        let mut subscription = feed.subscribe(None, 0);
        feed.publish(1, Timestamp(0), held(3));
        let event = subscription.live.try_recv().expect("an event");
        assert_eq!((event.version, event.seats.clone()), (1, held(3)));
        for version in 2..=SUBSCRIBER_BUFFER as u64 + 2 {
            feed.publish(version, Timestamp(0), held(0));
        }
        assert!(matches!(
            subscription.live.try_recv(),
            Err(broadcast::error::TryRecvError::Lagged(_))
        ));
        assert_eq!(feed.subscribers(), 1);
        drop(subscription);
        assert_eq!(feed.subscribers(), 0);
    }

    #[test]
    fn an_event_is_encoded_once() {
        let feed = SeatFeed::new(0);
        let subscription = feed.subscribe(None, 0);
        let mut first = subscription.live.resubscribe();
        feed.publish(1, Timestamp(0), held(3));
        let event = first.try_recv().expect("an event");
        let mut calls = 0;
        for _ in 0..3 {
            event.encoded(|_| {
                calls += 1;
                bytes::Bytes::from_static(b"x")
            });
        }
        assert_eq!(calls, 1);
    }
}
