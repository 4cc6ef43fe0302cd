//! How journal entries become stored values: one value per performance per commit.
//!
//! Up to format 8 every entry was its own value (`Kind::Entry`), so a group commit of twenty
//! holds was twenty B-tree inserts in sled, each copying and later consolidating a node: the
//! journal thread's largest cost after the sync itself. From format 9 the entries one write
//! holds for a performance (the journal thread gathers every request of its commit) are one
//! value (`Kind::EntryGroup`), stored at the journal key of the **last** entry:
//!
//! ```text
//! payload = first seq u64 | count u32 | count x (engine time i64 | length u32 | Change)
//! ```
//!
//! Integers are big-endian; each `Change` is bincode in the envelope's format version, so an
//! older group reads through the same layout chain as an older single entry
//! ([`codec::payload_of`]). Keying a group by its last entry keeps a range scan from
//! `covered + 1` correct: the group that straddles a snapshot's seq sorts at or after it, and
//! the entries it holds up to the snapshot are skipped by the reader. Both kinds are read, so
//! a data directory written before format 9 loads as it is and grows in groups.
//!
//! # Caveats
//! - A group holds consecutive entries of one performance; a write whose entries of one
//!   performance are not consecutive (never made by the engine) is stored as several groups.
//! - A group is cut at [`GROUP_PAYLOAD_MAX`] bytes, so values stay below the size sled keeps
//!   in its own fsynced log; a single entry larger than that is a group alone, stored in
//!   chunks like any large value.

use std::collections::HashMap;

use super::Entry;
use super::codec::{self, Header, Kind};
use super::error::StorageError;
use crate::domain::{Change, PerformanceId, Timestamp};

/// The most payload bytes one group gathers before a new group starts.
pub const GROUP_PAYLOAD_MAX: usize = 48 * 1024;

/// One value to store: the performance, the seq of its last entry (its key) and its bytes.
pub struct JournalValue<'a> {
    /// The performance the entries belong to.
    pub performance: &'a PerformanceId,
    /// The seq of the last entry in the value: the value's journal key.
    pub last: u64,
    /// The encoded envelope.
    pub bytes: Vec<u8>,
}

/// A group being gathered.
struct Open<'a> {
    performance: &'a PerformanceId,
    first: u64,
    last: u64,
    at: Timestamp,
    count: u32,
    payload: Vec<u8>,
}

impl<'a> Open<'a> {
    fn new(performance: &'a PerformanceId, entry: &Entry) -> Self {
        Self {
            performance,
            first: entry.seq,
            last: entry.seq,
            at: entry.at,
            count: 0,
            payload: Vec::with_capacity(256),
        }
    }

    fn push(&mut self, entry: &Entry, change: &[u8]) -> Result<(), StorageError> {
        let length = u32::try_from(change.len())
            .map_err(|_| StorageError::Encode("journal entry over 4 GiB".into()))?;
        self.payload.extend_from_slice(&entry.at.0.to_be_bytes());
        self.payload.extend_from_slice(&length.to_be_bytes());
        self.payload.extend_from_slice(change);
        self.last = entry.seq;
        self.at = entry.at;
        self.count += 1;
        Ok(())
    }

    fn close(self) -> Result<JournalValue<'a>, StorageError> {
        let mut body = Vec::with_capacity(12 + self.payload.len());
        body.extend_from_slice(&self.first.to_be_bytes());
        body.extend_from_slice(&self.count.to_be_bytes());
        body.extend_from_slice(&self.payload);
        let header = Header {
            kind: Kind::EntryGroup,
            performance: self.performance.as_str().to_owned(),
            seq: self.last,
            at: self.at,
        };
        Ok(JournalValue {
            performance: self.performance,
            last: self.last,
            bytes: codec::encode_bytes(&header, &body)?,
        })
    }
}

/// Encodes `entries` (of any performances, each performance's in seq order) as one value per
/// run of consecutive entries of a performance.
///
/// # Errors
/// When a change cannot be encoded.
pub fn encode<'a>(
    entries: impl IntoIterator<Item = &'a (PerformanceId, Entry)>,
) -> Result<Vec<JournalValue<'a>>, StorageError> {
    let mut values = Vec::new();
    let mut open: Vec<Open<'a>> = Vec::new();
    let mut index_of: HashMap<&'a PerformanceId, usize> = HashMap::new();
    for (performance, entry) in entries {
        let change = codec::encode_payload(&entry.change)?;
        debug_assert!(
            codec::payload_of::<Change>(codec::FORMAT_VERSION, &change, "").is_ok(),
            "a change decodes before it is written"
        );
        let slot = *index_of.entry(performance).or_insert_with(|| {
            open.push(Open::new(performance, entry));
            open.len() - 1
        });
        let group = &mut open[slot];
        let follows = group.count > 0 && entry.seq == group.last + 1;
        let fits = group.payload.len() + change.len() <= GROUP_PAYLOAD_MAX;
        if group.count > 0 && !(follows && fits) {
            let full = std::mem::replace(group, Open::new(performance, entry));
            values.push(full.close()?);
        }
        open[slot].push(entry, &change)?;
    }
    for group in open {
        values.push(group.close()?);
    }
    Ok(values)
}

/// Reads the entries of the journal value stored at the key of seq `last` for `performance`:
/// one entry (formats 1 to 8) or a group. `name` names the key in errors.
///
/// # Errors
/// When the value is damaged or does not belong at its key.
pub fn decode(
    value: &[u8],
    performance: &str,
    last: u64,
    name: &dyn Fn() -> String,
) -> Result<Vec<Entry>, StorageError> {
    let (head, version, body) = codec::open(value, "").map_err(|error| renamed(error, name))?;
    if head.seq != last || head.performance != performance {
        return Err(StorageError::corrupt(
            &name(),
            "entry header does not match its key",
        ));
    }
    match head.kind {
        Kind::Entry => {
            let change = codec::payload_of::<Change>(version, body, "")
                .map_err(|error| renamed(error, name))?;
            Ok(vec![Entry {
                seq: last,
                at: head.at,
                change,
            }])
        }
        Kind::EntryGroup => decode_group(version, body, last, name),
        _ => Err(StorageError::corrupt(
            &name(),
            "entry header does not match its key",
        )),
    }
}

fn decode_group(
    version: u16,
    body: &[u8],
    last: u64,
    name: &dyn Fn() -> String,
) -> Result<Vec<Entry>, StorageError> {
    let key = name();
    let mut at = 0;
    let first = u64::from_be_bytes(codec::array(codec::take(body, &mut at, 8, &key)?));
    let count = u32::from_be_bytes(codec::array(codec::take(body, &mut at, 4, &key)?));
    if count == 0 || first.checked_add(u64::from(count) - 1) != Some(last) {
        return Err(StorageError::corrupt(
            &key,
            "entry group does not end at its key",
        ));
    }
    let mut entries = Vec::with_capacity(count as usize);
    for seq in first..=last {
        let time = i64::from_be_bytes(codec::array(codec::take(body, &mut at, 8, &key)?));
        let length = u32::from_be_bytes(codec::array(codec::take(body, &mut at, 4, &key)?));
        let change = codec::take(body, &mut at, length as usize, &key)?;
        entries.push(Entry {
            seq,
            at: Timestamp(time),
            change: codec::payload_of::<Change>(version, change, &key)?,
        });
    }
    if at != body.len() {
        return Err(StorageError::corrupt(
            &key,
            "trailing bytes after the entry group",
        ));
    }
    Ok(entries)
}

/// Puts the key's name into an error decoded without one (names are built only on errors).
fn renamed(error: StorageError, name: &dyn Fn() -> String) -> StorageError {
    match error {
        StorageError::Corrupt { reason, .. } => StorageError::Corrupt {
            key: name(),
            reason,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::{GROUP_PAYLOAD_MAX, decode, encode};
    use crate::domain::{Change, PerformanceId, Timestamp};
    use crate::persistence::Entry;

    fn entry(seq: u64) -> Entry {
        Entry {
            seq,
            at: Timestamp(1_000 + seq as i64),
            change: Change::HoldsExpired {
                transactions: vec![crate::domain::TransactionId(u128::from(seq))],
            },
        }
    }

    fn name() -> String {
        "j/test".into()
    }

    #[test]
    fn entries_of_two_performances_become_one_group_each_and_read_back() {
        let a = PerformanceId::parse("a").unwrap();
        let b = PerformanceId::parse("b").unwrap();
        let entries = vec![
            (a.clone(), entry(7)),
            (b.clone(), entry(1)),
            (a.clone(), entry(8)),
            (a.clone(), entry(9)),
            (b.clone(), entry(2)),
        ];
        let values = encode(&entries).unwrap();
        let keys: Vec<(&str, u64)> = values
            .iter()
            .map(|v| (v.performance.as_str(), v.last))
            .collect();
        assert_eq!(keys, [("a", 9), ("b", 2)]);
        let read = decode(&values[0].bytes, "a", 9, &name).unwrap();
        assert_eq!(read, [entry(7), entry(8), entry(9)]);
        let read = decode(&values[1].bytes, "b", 2, &name).unwrap();
        assert_eq!(read, [entry(1), entry(2)]);
    }

    #[test]
    fn a_break_in_the_sequence_starts_a_new_group() {
        let a = PerformanceId::parse("a").unwrap();
        let entries = vec![(a.clone(), entry(1)), (a.clone(), entry(3))];
        let values = encode(&entries).unwrap();
        assert_eq!(values.iter().map(|v| v.last).collect::<Vec<_>>(), [1, 3]);
    }

    #[test]
    fn a_group_is_cut_before_it_outgrows_a_value() {
        let a = PerformanceId::parse("a").unwrap();
        let big = |seq| Entry {
            seq,
            at: Timestamp(0),
            change: Change::HoldsExpired {
                transactions: (0..2_000).map(crate::domain::TransactionId).collect(),
            },
        };
        let entries: Vec<_> = (1..=10).map(|seq| (a.clone(), big(seq))).collect();
        let values = encode(&entries).unwrap();
        assert!(values.len() > 1);
        assert!(
            values
                .iter()
                .all(|v| v.bytes.len() <= GROUP_PAYLOAD_MAX + 16 * 1024)
        );
        let read: Vec<Entry> = values
            .iter()
            .flat_map(|v| decode(&v.bytes, "a", v.last, &name).unwrap())
            .collect();
        assert_eq!(read.len(), 10);
        assert!(read.iter().zip(1..).all(|(e, seq)| e.seq == seq));
    }

    #[test]
    fn a_group_read_at_another_key_or_damaged_is_corruption() {
        let a = PerformanceId::parse("a").unwrap();
        let entries = vec![(a.clone(), entry(1)), (a.clone(), entry(2))];
        let mut value = encode(&entries).unwrap().remove(0).bytes;
        assert!(decode(&value, "a", 3, &name).is_err(), "another key");
        assert!(
            decode(&value, "b", 2, &name).is_err(),
            "another performance"
        );
        let middle = value.len() / 2;
        value[middle] ^= 0x40;
        let error = decode(&value, "a", 2, &name).unwrap_err().to_string();
        assert!(error.contains("j/test"), "{error}");
    }
}
