//! Barcodes at the door: a sold ticket's barcode (issued with its sale,
//! [`Sale::barcodes`](super::hold::Sale::barcodes)) admits once. The first scan is a change
//! like any other (decided here, written to the journal, applied), so it is durable before
//! the door is told to admit, and replaying the journal or restoring a snapshot knows every
//! scan.
//!
//! A performance knows its own barcodes: an index from barcode to ticket, rebuilt from the
//! sold holds on restore and extended as holds are sold, so a scan costs a hash lookup. The
//! index is keyed by the barcode's 16 digits as a `u64` ([`barcode_key`]), not its text.
//!
//! # Caveats
//! - Barcodes are unique per performance by construction (64 random bits each); the index
//!   keeps the first ticket should two ever collide, and that ticket is the one a scan admits.
//! - Scans are kept for the life of the performance, in memory and in its snapshots: one
//!   entry per admitted ticket, bounded by its capacity.

use std::sync::Arc;

use super::change::Change;
use super::hold::{BARCODE_DIGITS, HoldState, TicketRef};
use super::ids::Timestamp;
use super::performance::Performance;

/// The key a barcode is indexed by: its 16 digits as a number, half the memory of the text.
/// Anything else is no barcode this engine issued.
pub fn barcode_key(barcode: &str) -> Option<u64> {
    if barcode.len() == BARCODE_DIGITS && barcode.bytes().all(|b| b.is_ascii_digit()) {
        barcode.parse().ok()
    } else {
        None
    }
}

/// What a scan of a barcode finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanVerdict {
    /// The ticket admits: this scan is its first, at `at`.
    Admitted {
        /// The ticket.
        ticket: TicketRef,
        /// When it was scanned.
        at: Timestamp,
    },
    /// The ticket was scanned before, at `at`.
    AlreadyScanned {
        /// The ticket.
        ticket: TicketRef,
        /// When it was first scanned.
        at: Timestamp,
    },
    /// The ticket was refunded at `at`: it admits no more.
    Refunded {
        /// The ticket.
        ticket: TicketRef,
        /// When it was refunded.
        at: Timestamp,
    },
    /// No ticket sold at this performance has the barcode.
    Unknown,
}

impl Performance {
    /// Decides a scan of `barcode` at `now`: the change that records the first scan of a sold
    /// ticket, or none when the ticket was scanned before or is unknown. The caller tells the
    /// door what [`Performance::find_barcode`] said before the scan: a ticket not scanned
    /// then is admitted by this scan, since nothing else runs between the two.
    pub fn decide_scan(&self, barcode: &str, now: Timestamp) -> Option<Change> {
        let ticket = *self.barcodes.get(&barcode_key(barcode)?)?;
        if self.scans.contains_key(&ticket) || self.is_refunded(ticket) {
            return None;
        }
        Some(Change::TicketScanned {
            transaction: ticket.transaction,
            index: ticket.index,
            at: now,
        })
    }

    /// Finds the ticket with `barcode`, and when it was first scanned, if it was.
    pub fn find_barcode(&self, barcode: &str) -> Option<(TicketRef, Option<Timestamp>)> {
        let ticket = *self.barcodes.get(&barcode_key(barcode)?)?;
        Some((ticket, self.scans.get(&ticket).copied()))
    }

    /// Returns when `ticket` was first scanned, if it was.
    pub fn scanned_at(&self, ticket: TicketRef) -> Option<Timestamp> {
        self.scans.get(&ticket).copied()
    }

    /// Returns every scan, by ticket, for a snapshot.
    pub(super) fn scan_list(&self) -> Vec<(TicketRef, Timestamp)> {
        let mut scans: Vec<_> = self.scans.iter().map(|(t, at)| (*t, *at)).collect();
        scans.sort_unstable();
        scans
    }

    /// Records the first scan of a ticket.
    pub(super) fn apply_ticket_scanned(&mut self, ticket: TicketRef, at: Timestamp) {
        debug_assert!(
            self.barcodes.values().any(|known| *known == ticket),
            "only a sold ticket is scanned"
        );
        let first = Arc::make_mut(&mut self.scans).insert(ticket, at).is_none();
        debug_assert!(first, "a ticket is scanned once");
    }

    /// Adds the barcodes of the sold hold in `slot` to the index.
    pub(super) fn index_barcodes(&mut self, slot: u32) {
        let hold = &self.holds[slot as usize];
        if hold.state != HoldState::Sold {
            return;
        }
        let Some(sale) = &hold.sale else {
            return;
        };
        for (index, barcode) in sale.barcodes.iter().enumerate() {
            let ticket = TicketRef {
                transaction: hold.transaction,
                index: index as u32,
            };
            if let Some(key) = barcode_key(barcode) {
                Arc::make_mut(&mut self.barcodes)
                    .entry(key)
                    .or_insert(ticket);
            }
        }
    }
}
