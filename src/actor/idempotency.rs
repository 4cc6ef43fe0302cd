//! Remembered answers to requests sent with an `Idempotency-Key`.
//!
//! A key is scoped to its client. The first request with a key claims it; while it runs, a
//! retry with the same body is told it is in progress, and once it succeeds every retry gets
//! its answer. A refused or abandoned request changed nothing, so its claim is dropped and a
//! retry is judged afresh. Reusing a key with another body is refused. The answer of a hold is
//! written in the same batch as the hold, so after a crash the table is rebuilt from the store
//! and a retry of an acknowledged hold finds its answer.
//!
//! Answers are kept for a retention period from when they were given: the engine sweeps older
//! ones out ([`IdempotencyTable::forget_before`]) and does not load them at start-up, so
//! clients that send a fresh key with every request do not grow memory for ever.
//!
//! # Caveats
//! - A key reused after its answer was forgotten is a new request.

use dashmap::DashMap;
use dashmap::mapref::entry::Entry;

use crate::domain::{ClientId, Timestamp};

/// A client and one of its keys.
pub type Scope = (ClientId, String);

#[derive(Clone, Debug)]
enum Slot<A> {
    InFlight {
        fingerprint: [u8; 32],
    },
    Done {
        fingerprint: [u8; 32],
        answer: A,
        at: Timestamp,
    },
}

/// What a request with a key may do.
#[derive(Debug)]
pub enum Claim<A> {
    /// The key is new: run the request, then [`IdempotencyTable::complete`] or
    /// [`IdempotencyTable::abandon`].
    Fresh,
    /// The same request succeeded before: this is its answer.
    Replay(A),
    /// The same request is still running.
    InProgress,
    /// The key was used with another body.
    Mismatch,
}

/// Every client's remembered keys.
#[derive(Debug)]
pub struct IdempotencyTable<A> {
    slots: DashMap<Scope, Slot<A>>,
}

impl<A> Default for IdempotencyTable<A> {
    fn default() -> Self {
        Self {
            slots: DashMap::new(),
        }
    }
}

impl<A: Clone> IdempotencyTable<A> {
    /// Claims `scope` for a request whose canonical body digests to `fingerprint`.
    pub fn claim(&self, scope: Scope, fingerprint: [u8; 32]) -> Claim<A> {
        match self.slots.entry(scope) {
            Entry::Occupied(entry) => match entry.get() {
                Slot::Done {
                    fingerprint: done,
                    answer,
                    ..
                } if *done == fingerprint => Claim::Replay(answer.clone()),
                Slot::InFlight {
                    fingerprint: running,
                } if *running == fingerprint => Claim::InProgress,
                _ => Claim::Mismatch,
            },
            Entry::Vacant(entry) => {
                entry.insert(Slot::InFlight { fingerprint });
                Claim::Fresh
            }
        }
    }

    /// Remembers the answer of the request that claimed `scope`, given `at`.
    pub fn complete(&self, scope: Scope, fingerprint: [u8; 32], answer: A, at: Timestamp) {
        self.slots.insert(
            scope,
            Slot::Done {
                fingerprint,
                answer,
                at,
            },
        );
    }

    /// Forgets the answers given before `cutoff`; returns how many.
    pub fn forget_before(&self, cutoff: Timestamp) -> usize {
        let before = self.slots.len();
        self.slots
            .retain(|_, slot| !matches!(slot, Slot::Done { at, .. } if *at < cutoff));
        before.saturating_sub(self.slots.len())
    }

    /// Returns how many keys are remembered or claimed.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Returns true when no key is remembered or claimed.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Drops the claim of a request that failed or was abandoned.
    pub fn abandon(&self, scope: &Scope) {
        self.slots
            .remove_if(scope, |_, slot| matches!(slot, Slot::InFlight { .. }));
    }
}

/// Drops an idempotency claim unless its request completes: a request abandoned mid-way (its
/// connection dropped, its future dropped) must not leave its key claimed for ever.
pub struct ClaimGuard<'a, A: Clone> {
    table: &'a IdempotencyTable<A>,
    scope: Option<Scope>,
}

impl<'a, A: Clone> ClaimGuard<'a, A> {
    /// Guards the claim of `scope` in `table`.
    pub fn new(table: &'a IdempotencyTable<A>, scope: Scope) -> Self {
        Self {
            table,
            scope: Some(scope),
        }
    }

    /// Remembers the answer, given `at`; the claim is no longer dropped.
    pub fn complete(mut self, fingerprint: [u8; 32], answer: A, at: Timestamp) {
        if let Some(scope) = self.scope.take() {
            self.table.complete(scope, fingerprint, answer, at);
        }
    }
}

impl<A: Clone> Drop for ClaimGuard<'_, A> {
    fn drop(&mut self) {
        if let Some(scope) = self.scope.take() {
            self.table.abandon(&scope);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(key: &str) -> Scope {
        (ClientId::parse("shop").expect("a valid id"), key.to_owned())
    }

    #[test]
    fn a_retry_of_a_completed_request_gets_its_answer() {
        let table = IdempotencyTable::default();
        assert!(matches!(table.claim(scope("k"), [1; 32]), Claim::Fresh));
        assert!(matches!(
            table.claim(scope("k"), [1; 32]),
            Claim::InProgress
        ));
        table.complete(scope("k"), [1; 32], 7, Timestamp(0));
        assert!(matches!(table.claim(scope("k"), [1; 32]), Claim::Replay(7)));
        assert!(matches!(table.claim(scope("k"), [2; 32]), Claim::Mismatch));
    }

    #[test]
    fn an_abandoned_claim_lets_the_retry_run_afresh() {
        let table = IdempotencyTable::<u8>::default();
        assert!(matches!(table.claim(scope("k"), [1; 32]), Claim::Fresh));
        table.abandon(&scope("k"));
        assert!(matches!(table.claim(scope("k"), [1; 32]), Claim::Fresh));
    }

    #[test]
    fn abandoning_never_forgets_a_completed_answer() {
        let table = IdempotencyTable::default();
        table.complete(scope("k"), [1; 32], 3, Timestamp(0));
        table.abandon(&scope("k"));
        assert!(matches!(table.claim(scope("k"), [1; 32]), Claim::Replay(3)));
    }

    #[test]
    fn an_answer_is_forgotten_once_its_retention_passed_and_a_claim_in_flight_never_is() {
        let table = IdempotencyTable::default();
        table.complete(scope("old"), [1; 32], 1, Timestamp(1_000));
        table.complete(scope("new"), [1; 32], 2, Timestamp(5_000));
        assert!(matches!(
            table.claim(scope("running"), [1; 32]),
            Claim::Fresh
        ));

        assert_eq!(table.forget_before(Timestamp(5_000)), 1);

        assert!(matches!(table.claim(scope("old"), [2; 32]), Claim::Fresh));
        assert!(matches!(
            table.claim(scope("new"), [1; 32]),
            Claim::Replay(2)
        ));
        assert!(matches!(
            table.claim(scope("running"), [1; 32]),
            Claim::InProgress
        ));
    }
}
