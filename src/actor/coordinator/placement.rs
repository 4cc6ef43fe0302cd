//! Placing a new transaction's holds, performance by performance, all or nothing.
//!
//! A transaction at one performance is one `PlaceHold`. A basket over several is placed in
//! performance id order, after its intent ([`BasketRecord`]) is written: the store makes
//! batches durable in the order written, so any hold of the basket that is durable has its
//! intent durable too, and recovery releases a basket a stop cut short. If a performance
//! refuses, the holds placed before it are released (past the admission bound) and the
//! refusal is the answer. The idempotency answer rides with the last hold, naming the holds
//! before it, and so does the transaction's metadata.
//!
//! The engine executes the [`PlaceStep`]s with `await`s between them; the simulation executes
//! the same steps against its cores.
//!
//! # Caveats
//! - A refused basket leaves a place-and-release pair in the journals of the performances
//!   placed before the refusal.

use crate::actor::error::EngineError;
use crate::actor::messages::{IdempotencyStub, PlaceHold};
use crate::domain::{Access, ClientId, Hold, PerformanceId, Selection, TransactionId};
use crate::persistence::{BasketRecord, Record, TransactionRecord};

use super::Metadata;

/// The next thing a placement needs done.
#[derive(Debug)]
pub enum PlaceStep {
    /// Write the basket's intent; nothing waits for it (the journal keeps its order).
    Intent(BasketRecord),
    /// Send `message` to `performance` through the admission bound and report the hold.
    Place {
        /// The performance.
        performance: PerformanceId,
        /// The hold to place (boxed: it is much larger than the other steps).
        message: Box<PlaceHold>,
    },
    /// Release the hold placed at `performance`, past the admission bound.
    Release {
        /// The performance.
        performance: PerformanceId,
    },
    /// The placement is over.
    Finished(Result<(), EngineError>),
}

#[derive(Debug)]
enum Phase {
    Intent,
    Placing,
    Undoing(Option<EngineError>),
    Finished,
}

/// One transaction being placed.
#[derive(Debug)]
pub struct Placement {
    transaction: TransactionId,
    owner: ClientId,
    ip: String,
    parts: Vec<(PerformanceId, Selection)>,
    idempotency: Option<IdempotencyStub>,
    metadata: Metadata,
    placed: Vec<(PerformanceId, Hold)>,
    phase: Phase,
    access: Access,
}

impl Placement {
    /// Plans the placement of `transaction`: `parts` in performance id order, one per
    /// performance; `idempotency` (with no earlier holds) and `metadata` ride with the last.
    pub fn new(
        transaction: TransactionId,
        owner: ClientId,
        ip: String,
        parts: Vec<(PerformanceId, Selection)>,
        idempotency: Option<IdempotencyStub>,
        metadata: Metadata,
    ) -> Self {
        let phase = if parts.len() > 1 {
            Phase::Intent
        } else {
            Phase::Placing
        };
        Self {
            transaction,
            owner,
            ip,
            parts,
            idempotency,
            metadata,
            placed: Vec::new(),
            phase,
            access: Access::Public,
        }
    }

    /// Holds with `access` to allocations rather than general sale only.
    #[must_use]
    pub fn with_access(self, access: Access) -> Self {
        Self { access, ..self }
    }

    /// Returns what the placement needs done next.
    pub fn step(&self) -> PlaceStep {
        match &self.phase {
            Phase::Intent => PlaceStep::Intent(BasketRecord {
                transaction: self.transaction,
                performances: self.parts.iter().map(|(p, _)| p.clone()).collect(),
            }),
            Phase::Placing => self.place_next(),
            Phase::Undoing(_) => match self.placed.last() {
                Some((performance, _)) => PlaceStep::Release {
                    performance: performance.clone(),
                },
                None => PlaceStep::Finished(Err(EngineError::Unavailable)),
            },
            Phase::Finished => PlaceStep::Finished(Err(EngineError::Unavailable)),
        }
    }

    fn place_next(&self) -> PlaceStep {
        let index = self.placed.len();
        let Some((performance, selection)) = self.parts.get(index) else {
            return PlaceStep::Finished(Ok(()));
        };
        let last = index + 1 == self.parts.len();
        let idempotency = self.idempotency.clone().filter(|_| last).map(|mut stub| {
            stub.earlier_holds = self.placed.clone();
            stub
        });
        let records = if last && !self.metadata.is_empty() {
            vec![Record::Transaction(TransactionRecord {
                transaction: self.transaction,
                metadata: self.metadata.clone(),
                discount_code: None,
            })]
        } else {
            Vec::new()
        };
        PlaceStep::Place {
            performance: performance.clone(),
            message: Box::new(PlaceHold {
                transaction: self.transaction,
                owner: self.owner.clone(),
                ip: self.ip.clone(),
                selection: selection.clone(),
                idempotency,
                records,
                lock_until: None,
                access: self.access.clone(),
            }),
        }
    }

    /// Takes the outcome of the last step (for a `Place`, the hold placed) and returns the
    /// next; [`PlaceStep::Finished`] ends it.
    pub fn advance(&mut self, outcome: Result<Option<Hold>, EngineError>) -> PlaceStep {
        let phase = std::mem::replace(&mut self.phase, Phase::Finished);
        self.phase = match (phase, outcome) {
            (Phase::Intent, _) => Phase::Placing,
            (Phase::Placing, Ok(hold)) => {
                if let (Some(hold), Some((performance, _))) =
                    (hold, self.parts.get(self.placed.len()))
                {
                    self.placed.push((performance.clone(), hold));
                }
                if self.placed.len() == self.parts.len() {
                    return PlaceStep::Finished(Ok(()));
                }
                Phase::Placing
            }
            (Phase::Placing, Err(error)) if self.placed.is_empty() => {
                return PlaceStep::Finished(Err(error));
            }
            (Phase::Placing, Err(error)) => Phase::Undoing(Some(error)),
            (Phase::Undoing(error), outcome) => {
                if let Err(failure) = outcome {
                    // The hold still expires by itself; log so a stray hold can be explained.
                    tracing::warn!(%failure, "undoing part of a refused basket failed");
                }
                self.placed.pop();
                if self.placed.is_empty() {
                    return PlaceStep::Finished(Err(error.unwrap_or(EngineError::Unavailable)));
                }
                Phase::Undoing(error)
            }
            (Phase::Finished, _) => return PlaceStep::Finished(Err(EngineError::Unavailable)),
        };
        self.step()
    }
}
