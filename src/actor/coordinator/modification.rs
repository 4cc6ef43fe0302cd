//! Changing a transaction (`PATCH /transactions/{id}`) across its performances, all or
//! nothing.
//!
//! Each performance's part of a change is one atomic command at its actor (a `ModifyHold`, or
//! a `PlaceHold` where the transaction gains a performance), which answers the hold as it was.
//! The parts run in an order that makes undoing always possible: first the performances that
//! only gain tickets, then the one performance (at most) that gives some up. If a part is
//! refused, the parts already made are undone in reverse by putting each hold back as it was
//! (`RestoreHold`, past the admission bound); since those parts only gained tickets, putting
//! them back only frees seats and never needs one somebody else took meanwhile. A discount
//! code being applied is checked next, against the tickets as the parts left them (it must
//! cover one, and have uses left for those it covers): refused, the parts are undone as
//! above. The transaction record (metadata and code), last, is written once every part
//! stands.
//!
//! # Caveats
//! - A change that gives up tickets at two performances is refused (422): undoing the first
//!   after the second failed would need seats that may have been taken in between.
//! - A performance the transaction gains stays in its route even when the change is undone:
//!   its hold there is put back to nothing and ends with the others.

use super::{Caller, Coordinator, EngineError, METADATA_KEYS_MAX, Metadata};
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::domain::{
    DiscountCode, HoldState, PerformanceId, PlacesGivenUp, PoolPlaces, Rejection, Selection,
    TicketId, Timestamp, TransactionId,
};
use crate::persistence::TransactionRecord;

/// One performance's part of a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Planned {
    /// Change the transaction's hold there.
    Modify {
        /// What to add.
        add: Vec<Selection>,
        /// Seat ids to give up.
        remove_seats: Vec<String>,
        /// Places to give up.
        remove_places: Vec<PlacesGivenUp>,
    },
    /// Place a first hold there, locked until the transaction's lock ends.
    Place {
        /// What to hold.
        selection: Selection,
        /// The transaction's `lock_expires`, kept by the change.
        lock_until: Timestamp,
    },
}

impl Planned {
    fn gives_up(&self) -> bool {
        match self {
            Self::Modify {
                remove_seats,
                remove_places,
                ..
            } => !remove_seats.is_empty() || !remove_places.is_empty(),
            Self::Place { .. } => false,
        }
    }
}

/// A hold as it was before a part was made: what undoing puts back.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Before {
    /// Its seat indexes, ascending.
    pub seats: Vec<u32>,
    /// Its places by pool, ascending.
    pub places: Vec<PoolPlaces>,
    /// Their ticket types, as [`Hold::ticket_types`](crate::domain::Hold::ticket_types).
    pub ticket_types: Vec<u8>,
}

/// The next thing a change needs done.
#[derive(Debug)]
pub enum ChangeStep {
    /// Make `planned` at `performance` and report the hold as it was (`Before::default()` for
    /// a first hold), through the admission bound.
    Apply {
        /// The performance.
        performance: PerformanceId,
        /// The part.
        planned: Planned,
    },
    /// Put the hold at `performance` back as it was, past the admission bound.
    Restore {
        /// The performance.
        performance: PerformanceId,
        /// What to put back.
        before: Before,
    },
    /// Count the tickets `code` covers among the transaction's holds at `performances` (as
    /// [`crate::domain::quote`] does) and report them with
    /// [`Coordinator::advance_discount_check`].
    CheckDiscount {
        /// Every performance the transaction holds at now.
        performances: Vec<PerformanceId>,
        /// The code being applied.
        code: Arc<DiscountCode>,
    },
    /// Write the transaction's merged metadata and code and report when durable.
    Write(TransactionRecord),
    /// The change is over.
    Finished(Result<(), EngineError>),
}

#[derive(Debug)]
enum Phase {
    Applying,
    Checking,
    Writing,
    Undoing(Option<EngineError>),
    Finished,
}

/// One change in flight, driven step by step by whoever executes its [`ChangeStep`]s.
#[derive(Debug)]
pub struct Modification {
    transaction: TransactionId,
    parts: Vec<(PerformanceId, Planned)>,
    next: usize,
    made: Vec<(PerformanceId, Before)>,
    metadata: Option<TransactionRecord>,
    /// The code being applied, to check once the parts stand.
    applying: Option<Arc<DiscountCode>>,
    phase: Phase,
}

impl Modification {
    /// Returns the transaction being changed.
    pub fn transaction(&self) -> TransactionId {
        self.transaction
    }

    /// Returns true when the change touches no hold (metadata only).
    pub fn is_metadata_only(&self) -> bool {
        self.parts.is_empty()
    }
}

/// A transaction can change while it is held or checked out and its lock has not passed:
/// else 409 `invalid_state` (complete, released) or 410 `lock_expired`.
///
/// # Errors
/// As said.
pub fn check_changeable(
    state: HoldState,
    lock_expires: Timestamp,
    now: Timestamp,
) -> Result<(), EngineError> {
    match state {
        HoldState::Held | HoldState::CheckedOut if now < lock_expires => Ok(()),
        HoldState::Held | HoldState::CheckedOut | HoldState::Expired => {
            Err(Rejection::LockExpired.into())
        }
        state => Err(Rejection::InvalidState {
            state,
            action: "change",
        }
        .into()),
    }
}

/// Splits a change into one part per performance, in id order: a `Modify` where the
/// transaction holds (`held_at`), a `Place` locked until `lock_until` where it gains one.
/// A change that would leave the transaction holding nothing (`held_count` seats and places
/// now) is refused: it is a release.
///
/// # Errors
/// `NotInTransaction` (422) for tickets or places given up at a performance the transaction
/// does not hold at.
pub fn plan_parts(
    held_at: &[PerformanceId],
    held_count: u64,
    lock_until: Timestamp,
    mut adds: BTreeMap<PerformanceId, Vec<Selection>>,
    remove: Vec<TicketId>,
    remove_places: Vec<(PerformanceId, PlacesGivenUp)>,
) -> Result<Vec<(PerformanceId, Planned)>, EngineError> {
    let mut seats: BTreeMap<PerformanceId, Vec<String>> = BTreeMap::new();
    for ticket in remove {
        if !held_at.contains(&ticket.performance) {
            return Err(Rejection::NotInTransaction {
                ticket: ticket.to_string(),
            }
            .into());
        }
        seats
            .entry(ticket.performance)
            .or_default()
            .push(ticket.seat);
    }
    let mut places: BTreeMap<PerformanceId, Vec<PlacesGivenUp>> = BTreeMap::new();
    for (performance, given_up) in remove_places {
        if !held_at.contains(&performance) {
            return Err(Rejection::PlacesNotInTransaction {
                code: given_up.code,
                quantity: given_up.quantity,
            }
            .into());
        }
        places.entry(performance).or_default().push(given_up);
    }
    let given_up = seats.values().map(Vec::len).sum::<usize>() as u64
        + places
            .values()
            .flatten()
            .map(|given_up| u64::from(given_up.quantity))
            .sum::<u64>();
    if adds.is_empty() && given_up > 0 && given_up >= held_count {
        return Err(EngineError::WouldGiveUpEveryTicket);
    }
    let mut touched: Vec<PerformanceId> = adds
        .keys()
        .chain(seats.keys())
        .chain(places.keys())
        .cloned()
        .collect();
    touched.sort();
    touched.dedup();
    Ok(touched
        .into_iter()
        .map(|performance| {
            let add = adds.remove(&performance).unwrap_or_default();
            let part = if held_at.contains(&performance) {
                Planned::Modify {
                    add,
                    remove_seats: seats.remove(&performance).unwrap_or_default(),
                    remove_places: places.remove(&performance).unwrap_or_default(),
                }
            } else {
                let selection = match <[Selection; 1]>::try_from(add) {
                    Ok([single]) => single,
                    Err(many) => Selection::Items(many),
                };
                Planned::Place {
                    selection,
                    lock_until,
                }
            };
            (performance, part)
        })
        .collect())
}

impl Coordinator {
    /// Begins a change of `transaction`: `parts` by performance (in any order), metadata
    /// `changes` (`None` removes a key), and its discount code (`Some(None)` removes it).
    ///
    /// # Errors
    /// `NotFound` and `Forbidden` as [`Coordinator::route`], and `NotFound` for an unknown
    /// code; `Conflict` while the transaction is being completed or changed; `RuleViolation`
    /// for parts giving up tickets at more than one performance and for a code outside its
    /// window at `now`; `Invalid` for metadata that would have too many keys.
    pub fn begin_modification(
        &mut self,
        caller: &Caller,
        transaction: TransactionId,
        mut parts: Vec<(PerformanceId, Planned)>,
        changes: &BTreeMap<String, Option<String>>,
        discount: Option<Option<&str>>,
        now: Timestamp,
    ) -> Result<Modification, EngineError> {
        self.route(caller, transaction)?;
        if self.completing.contains_key(&transaction) || self.modifying.contains(&transaction) {
            return Err(EngineError::TransactionBusy { transaction });
        }
        if parts.iter().filter(|(_, part)| part.gives_up()).count() > 1 {
            return Err(EngineError::GivesUpAtSeveralPerformances);
        }
        // Gains first, then the part that gives up: undoing gains only frees seats.
        parts.sort_by_key(|(performance, part)| (part.gives_up(), performance.clone()));
        let applying = match discount {
            Some(Some(code)) => Some(self.discount_to_apply(code, now)?),
            _ => None,
        };
        let metadata = if changes.is_empty() && discount.is_none() {
            None
        } else {
            let discount_code = match discount {
                Some(_) => applying.as_ref().map(|code| code.code.clone()),
                None => self.applied.get(&transaction).cloned(),
            };
            Some(TransactionRecord {
                transaction,
                metadata: self.merged_metadata(transaction, changes)?,
                discount_code,
            })
        };
        self.modifying.insert(transaction);
        let phase = if !parts.is_empty() {
            Phase::Applying
        } else if applying.is_some() {
            Phase::Checking
        } else {
            // Writes the record, or finishes at once when there is none.
            Phase::Writing
        };
        Ok(Modification {
            transaction,
            parts,
            next: 0,
            made: Vec::new(),
            metadata,
            applying,
            phase,
        })
    }

    fn merged_metadata(
        &self,
        transaction: TransactionId,
        changes: &BTreeMap<String, Option<String>>,
    ) -> Result<Metadata, EngineError> {
        let mut merged = self.metadata(transaction)?;
        for (key, value) in changes {
            match value {
                Some(value) => merged.insert(key.clone(), value.clone()),
                None => merged.remove(key),
            };
        }
        if merged.len() > METADATA_KEYS_MAX {
            return Err(EngineError::TooManyMetadataKeys {
                max: METADATA_KEYS_MAX,
                would_leave: merged.len(),
            });
        }
        Ok(merged)
    }

    /// Returns what `change` needs done next.
    pub fn change_step(&self, change: &Modification) -> ChangeStep {
        match &change.phase {
            Phase::Applying => match change.parts.get(change.next) {
                Some((performance, planned)) => ChangeStep::Apply {
                    performance: performance.clone(),
                    planned: planned.clone(),
                },
                None => ChangeStep::Finished(Err(EngineError::Unavailable)),
            },
            Phase::Checking => match (&change.applying, self.transactions.get(&change.transaction))
            {
                (Some(code), Some(route)) => ChangeStep::CheckDiscount {
                    performances: route.performances.clone(),
                    code: Arc::clone(code),
                },
                _ => ChangeStep::Finished(Err(EngineError::Unavailable)),
            },
            Phase::Writing => match &change.metadata {
                Some(record) => ChangeStep::Write(record.clone()),
                None => ChangeStep::Finished(Ok(())),
            },
            Phase::Undoing(_) => match change.made.last() {
                Some((performance, before)) => ChangeStep::Restore {
                    performance: performance.clone(),
                    before: before.clone(),
                },
                None => ChangeStep::Finished(Err(EngineError::Unavailable)),
            },
            Phase::Finished => ChangeStep::Finished(Err(EngineError::Unavailable)),
        }
    }

    /// Takes the outcome of the step [`Coordinator::change_step`] returned (for an `Apply`,
    /// the hold as it was) and returns the next one; [`ChangeStep::Finished`] ends the change.
    pub fn advance_change(
        &mut self,
        change: &mut Modification,
        outcome: Result<Before, EngineError>,
    ) -> ChangeStep {
        let phase = std::mem::replace(&mut change.phase, Phase::Finished);
        change.phase = match (phase, outcome) {
            (Phase::Applying, Ok(before)) => {
                if let Some((performance, planned)) = change.parts.get(change.next) {
                    if matches!(planned, Planned::Place { .. })
                        && let Some(route) = self.transactions.get_mut(&change.transaction)
                        && let Err(at) = route.performances.binary_search(performance)
                    {
                        route.performances.insert(at, performance.clone());
                    }
                    change.made.push((performance.clone(), before));
                }
                change.next += 1;
                if change.next < change.parts.len() {
                    Phase::Applying
                } else {
                    return self.after_parts(change);
                }
            }
            (Phase::Applying, Err(error)) if change.made.is_empty() => {
                return self.end_change(change, Err(error));
            }
            (Phase::Applying, Err(error)) => Phase::Undoing(Some(error)),
            (Phase::Writing, Ok(_)) => {
                if let Some(record) = change.metadata.take() {
                    self.set_metadata(record);
                }
                return self.end_change(change, Ok(()));
            }
            (Phase::Writing, Err(error)) => return self.end_change(change, Err(error)),
            (Phase::Checking, _) => return self.end_change(change, Err(EngineError::Unavailable)),
            (Phase::Undoing(error), outcome) => {
                if let Err(failure) = outcome {
                    // Refused only when the hold ended meanwhile or a write failed; either
                    // way nothing more can be put back there.
                    tracing::warn!(%failure, "undoing part of a failed change failed");
                }
                change.made.pop();
                if change.made.is_empty() {
                    let error = error.unwrap_or(EngineError::Unavailable);
                    return self.end_change(change, Err(error));
                }
                Phase::Undoing(error)
            }
            (Phase::Finished, _) => return ChangeStep::Finished(Err(EngineError::Unavailable)),
        };
        self.change_step(change)
    }

    /// Begins what follows the parts (all made, or none to make): the code's check, the
    /// record, or the end.
    fn after_parts(&mut self, change: &mut Modification) -> ChangeStep {
        change.phase = if change.applying.is_some() {
            Phase::Checking
        } else if change.metadata.is_some() {
            Phase::Writing
        } else {
            return self.end_change(change, Ok(()));
        };
        self.change_step(change)
    }

    /// Takes how many tickets the code being applied covers (the outcome of
    /// [`ChangeStep::CheckDiscount`]) and returns the next step: the record's write when the
    /// code covers some and has uses left for them, otherwise the parts are undone.
    pub fn advance_discount_check(
        &mut self,
        change: &mut Modification,
        covered: Result<u32, EngineError>,
    ) -> ChangeStep {
        if !matches!(change.phase, Phase::Checking) {
            return ChangeStep::Finished(Err(EngineError::Unavailable));
        }
        let checked = covered.and_then(|covered| match &change.applying {
            Some(code) => Ok(self.check_uses(code, covered, false)?),
            None => Err(EngineError::Unavailable),
        });
        match checked {
            Ok(()) => change.phase = Phase::Writing,
            Err(error) if change.made.is_empty() => return self.end_change(change, Err(error)),
            Err(error) => change.phase = Phase::Undoing(Some(error)),
        }
        self.change_step(change)
    }

    fn end_change(
        &mut self,
        change: &mut Modification,
        outcome: Result<(), EngineError>,
    ) -> ChangeStep {
        change.phase = Phase::Finished;
        self.modifying.remove(&change.transaction);
        ChangeStep::Finished(outcome)
    }
}
