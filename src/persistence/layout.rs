//! The key space and how batches and recovery map onto it, shared by every store.
//!
//! One ordered key space holds everything, so one batch is atomic across kinds:
//!
//! | prefix | key | value |
//! |---|---|---|
//! | `j/` | performance ‖ 0 ‖ seq | journal entries ending at seq: a group (format 9 on, see `journal_values`) or one entry |
//! | `c/` | performance | a [`PerformanceRecord`] |
//! | `k/` | client id | a [`ClientRecord`] |
//! | `o/` | order number | an [`OrderRecord`] |
//! | `i/` | client ‖ 0 ‖ key | an [`IdempotencyRecord`] |
//! | `t/` | transaction id (16 bytes, big-endian) | a [`TransactionRecord`] |
//! | `a/` | client ‖ 0 ‖ key | an [`AnswerRecord`] |
//! | `b/` | transaction id (16 bytes, big-endian) | a [`BasketRecord`] |
//! | `e/` | transaction id (16 bytes, big-endian) ‖ performance | an [`ArchivedHold`] |
//! | `d/` | discount code | a [`DiscountCodeRecord`] |
//! | `r/` | order number (8 bytes, big-endian) ‖ seq (4 bytes) | a [`RefundRecord`] |
//! | `m/` | performance ‖ 0 ‖ seq | a [`Snapshot`] covering entries up to seq |
//! | `x/` | key ‖ chunk | a chunk of a large value stored at key |
//!
//! Archived holds are read one transaction at a time ([`archived_holds`]) and never loaded at
//! start-up: they are what keeps a restart's work proportional to the live inventory.
//!
//! No stored value is over [`VALUE_SIZE_MAX`]: a larger record is stored as a `Chunked`
//! manifest at its key and chunks under `x/`. Two snapshot generations are kept per
//! performance, so a damaged newest snapshot falls back to the older one plus the journal
//! after it. The journal itself is kept whole: it is the history of every seat and
//! transaction ([`journal`]); a restart reads only the entries after the newest snapshot
//! (a range scan from its seq), so its work stays proportional to the live inventory.
//!
//! # Caveats
//! - The journal grows with every change for the life of the data directory; a data
//!   directory from before it was kept whole has lost its older entries, and its history
//!   starts where they end.

use serde::{Deserialize, Serialize};

use super::codec::{self, Header, Kind, Layout};
use super::error::StorageError;
use super::journal_values;
use super::records::{
    AnswerRecord, ArchivedHold, BasketRecord, ClientRecord, DiscountCodeRecord, Forgotten,
    IdempotencyRecord, OrderRecord, PerformanceRecord, Record, RefundRecord, Snapshot,
    TransactionRecord,
};
use super::{Batch, Entry, Recovered, RecoveredPerformance};
use crate::domain::{PerformanceId, Timestamp, TransactionId};

/// The largest value ever handed to the store; sled writes larger ones to blob files that it
/// does not fsync.
pub const VALUE_SIZE_MAX: usize = 64 * 1024;
/// The payload of one chunk, leaving room for the envelope.
const CHUNK_PAYLOAD_MAX: usize = 60 * 1024;
/// Snapshot generations kept per performance.
const SNAPSHOT_GENERATIONS: usize = 2;

const JOURNAL: &[u8] = b"j/";
const PERFORMANCES: &[u8] = b"c/";
const CLIENTS: &[u8] = b"k/";
const ORDERS: &[u8] = b"o/";
const IDEMPOTENCY: &[u8] = b"i/";
const SNAPSHOTS: &[u8] = b"m/";
const TRANSACTIONS: &[u8] = b"t/";
const ANSWERS: &[u8] = b"a/";
const BASKETS: &[u8] = b"b/";
const ARCHIVED: &[u8] = b"e/";
const DISCOUNT_CODES: &[u8] = b"d/";
const REFUNDS: &[u8] = b"r/";
const CHUNKS: &[u8] = b"x/";

/// Writes to apply atomically.
#[derive(Debug, Default)]
pub struct KvBatch {
    /// Keys and values to insert.
    pub puts: Vec<(Vec<u8>, Vec<u8>)>,
    /// Keys to remove.
    pub deletes: Vec<Vec<u8>>,
}

/// What a scan calls for each key and value.
pub type Visit<'a> = dyn FnMut(&[u8], &[u8]) -> Result<(), StorageError> + 'a;

/// Read access to the ordered key space.
pub trait ReadKv {
    /// Calls `visit` for every key starting with `prefix`, in key order.
    ///
    /// # Errors
    /// The store's read error, or whatever `visit` returns.
    fn scan(&self, prefix: &[u8], visit: &mut Visit<'_>) -> Result<(), StorageError>;

    /// Calls `visit` for every key starting with `prefix` from `from` on, in key order.
    ///
    /// # Errors
    /// The store's read error, or whatever `visit` returns.
    fn scan_from(
        &self,
        prefix: &[u8],
        from: &[u8],
        visit: &mut Visit<'_>,
    ) -> Result<(), StorageError> {
        self.scan(prefix, &mut |key, value| {
            if key >= from {
                visit(key, value)?;
            }
            Ok(())
        })
    }

    /// Reads one key.
    ///
    /// # Errors
    /// The store's read error.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError>;
}

/// The manifest of a value stored in chunks.
#[derive(Debug, Serialize, Deserialize)]
struct Chunked {
    chunks: u32,
    length: u64,
    crc: u32,
}

fn prefixed(prefix: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut key = prefix.to_vec();
    for part in parts {
        key.extend_from_slice(part);
    }
    key
}

fn journal_prefix(performance: &str) -> Vec<u8> {
    prefixed(JOURNAL, &[&codec::entry_prefix(performance)])
}

fn snapshot_prefix(performance: &str) -> Vec<u8> {
    prefixed(SNAPSHOTS, &[&codec::entry_prefix(performance)])
}

fn chunk_key(key: &[u8], index: u32) -> Vec<u8> {
    prefixed(CHUNKS, &[key, &index.to_be_bytes()])
}

fn printable(key: &[u8]) -> String {
    key.iter()
        .map(|&b| {
            if b.is_ascii_graphic() {
                char::from(b).to_string()
            } else {
                format!("\\x{b:02x}")
            }
        })
        .collect()
}

fn header(kind: Kind, performance: &str, seq: u64, at: Timestamp) -> Header {
    Header {
        kind,
        performance: performance.to_owned(),
        seq,
        at,
    }
}

/// Stores `value` at `key`, in chunks when it is too large for one value.
fn put_value(batch: &mut KvBatch, key: Vec<u8>, value: Vec<u8>) -> Result<(), StorageError> {
    if value.len() <= VALUE_SIZE_MAX {
        batch.puts.push((key, value));
        return Ok(());
    }
    let chunks = value.chunks(CHUNK_PAYLOAD_MAX);
    let manifest = Chunked {
        chunks: u32::try_from(chunks.len())
            .map_err(|_| StorageError::Encode("value too large".into()))?,
        length: value.len() as u64,
        crc: crc32fast::hash(&value),
    };
    for (index, chunk) in chunks.enumerate() {
        let bytes = codec::encode(
            &header(Kind::SnapshotChunk, "", index as u64, Timestamp(0)),
            &chunk,
        )?;
        debug_assert!(bytes.len() <= VALUE_SIZE_MAX);
        batch.puts.push((chunk_key(&key, index as u32), bytes));
    }
    let manifest = codec::encode(
        &header(Kind::SnapshotManifest, "", 0, Timestamp(0)),
        &manifest,
    )?;
    batch.puts.push((key, manifest));
    Ok(())
}

/// True when `stored` is the manifest of a value stored in chunks (its kind byte says so;
/// the envelope is checked when it is read).
fn is_manifest(stored: &[u8]) -> bool {
    stored.get(6) == Some(&(Kind::SnapshotManifest as u8))
}

/// Reads the value at `key` whole, reassembling chunks.
fn read_value(kv: &dyn ReadKv, key: &[u8], stored: Vec<u8>) -> Result<Vec<u8>, StorageError> {
    let name = printable(key);
    let Ok((head, manifest)) = codec::decode::<Chunked>(&stored, &name) else {
        return Ok(stored);
    };
    if head.kind != Kind::SnapshotManifest {
        return Ok(stored);
    }
    let mut value = Vec::with_capacity(usize::try_from(manifest.length).unwrap_or(0));
    for index in 0..manifest.chunks {
        let chunk_name = printable(&chunk_key(key, index));
        let bytes = kv
            .get(&chunk_key(key, index))?
            .ok_or_else(|| StorageError::corrupt(&chunk_name, "chunk is missing"))?;
        let (_, chunk): (Header, Vec<u8>) = codec::decode(&bytes, &chunk_name)?;
        value.extend_from_slice(&chunk);
    }
    if value.len() as u64 != manifest.length || crc32fast::hash(&value) != manifest.crc {
        return Err(StorageError::corrupt(
            &name,
            "chunked value does not match its manifest",
        ));
    }
    Ok(value)
}

/// Deletes the value at `key` and its chunks.
fn delete_value(kv: &dyn ReadKv, batch: &mut KvBatch, key: &[u8]) -> Result<(), StorageError> {
    if let Some(stored) = kv.get(key)?
        && let Ok((head, manifest)) = codec::decode::<Chunked>(&stored, "")
        && head.kind == Kind::SnapshotManifest
    {
        batch
            .deletes
            .extend((0..manifest.chunks).map(|index| chunk_key(key, index)));
    }
    batch.deletes.push(key.to_vec());
    Ok(())
}

fn encode_record(
    kv: &dyn ReadKv,
    batch: &mut KvBatch,
    record: &Record,
) -> Result<(), StorageError> {
    let (key, bytes) = match record {
        Record::Forgotten(Forgotten::Hold { client, key }) => {
            let key = prefixed(
                IDEMPOTENCY,
                &[client.as_str().as_bytes(), &[0], key.as_bytes()],
            );
            batch.deletes.push(key);
            return Ok(());
        }
        Record::Forgotten(Forgotten::Answer { client, key }) => {
            let key = prefixed(ANSWERS, &[client.as_str().as_bytes(), &[0], key.as_bytes()]);
            batch.deletes.push(key);
            return Ok(());
        }
        Record::Performance(record) => {
            let id = record.info.id.as_str();
            (
                prefixed(PERFORMANCES, &[id.as_bytes()]),
                codec::encode(&header(Kind::Performance, id, 0, Timestamp(0)), record)?,
            )
        }
        Record::Client(record) => (
            prefixed(CLIENTS, &[record.id.as_str().as_bytes()]),
            codec::encode(&header(Kind::Client, "", 0, Timestamp(0)), record)?,
        ),
        Record::Order(record) => (
            prefixed(ORDERS, &[&record.number.0.to_be_bytes()]),
            codec::encode(&header(Kind::Order, "", 0, record.created_at), record)?,
        ),
        Record::Idempotency(record) => (
            prefixed(
                IDEMPOTENCY,
                &[
                    record.client.as_str().as_bytes(),
                    &[0],
                    record.key.as_bytes(),
                ],
            ),
            codec::encode(&header(Kind::Idempotency, "", 0, Timestamp(0)), record)?,
        ),
        Record::Transaction(record) => (
            prefixed(TRANSACTIONS, &[&record.transaction.0.to_be_bytes()]),
            codec::encode(&header(Kind::Transaction, "", 0, Timestamp(0)), record)?,
        ),
        Record::Basket(record) => (
            prefixed(BASKETS, &[&record.transaction.0.to_be_bytes()]),
            codec::encode(&header(Kind::Basket, "", 0, Timestamp(0)), record)?,
        ),
        Record::Refund(record) => (
            prefixed(
                REFUNDS,
                &[&record.order.0.to_be_bytes(), &record.seq.to_be_bytes()],
            ),
            codec::encode(&header(Kind::Refund, "", 0, record.at), record)?,
        ),
        Record::DiscountCode(record) => (
            prefixed(DISCOUNT_CODES, &[record.code.code.as_bytes()]),
            codec::encode(
                &header(Kind::DiscountCode, "", 0, record.created_at),
                record,
            )?,
        ),
        Record::Archived(record) => {
            let transaction = record.hold.transaction.0.to_be_bytes();
            // Only a basket (a transaction over several performances) has an intent to end.
            // Looked up first: deleting a key that is not there still costs sled a write, and
            // archiving every ended hold that way was half of the snapshot thread's writes.
            let basket = prefixed(BASKETS, &[&transaction]);
            if kv.get(&basket)?.is_some() {
                batch.deletes.push(basket);
            }
            (
                prefixed(
                    ARCHIVED,
                    &[&transaction, record.performance.as_str().as_bytes()],
                ),
                codec::encode(
                    &header(Kind::Archived, record.performance.as_str(), 0, Timestamp(0)),
                    record,
                )?,
            )
        }
        Record::Answer(record) => (
            prefixed(
                ANSWERS,
                &[
                    record.client.as_str().as_bytes(),
                    &[0],
                    record.key.as_bytes(),
                ],
            ),
            codec::encode(&header(Kind::Answer, "", 0, record.at), record)?,
        ),
    };
    put_value(batch, key, bytes)
}

/// Turns a batch into key-value writes: entries, records, and a snapshot with the deletions
/// it allows (older generations, and journal entries both kept snapshots cover).
///
/// # Errors
/// When a value cannot be encoded or the store cannot be read.
pub fn encode_batch(kv: &dyn ReadKv, batch: &Batch) -> Result<KvBatch, StorageError> {
    encode_batch_with(kv, batch, None)
}

/// A snapshot already encoded (off the journal thread), with what its write needs to know.
#[derive(Debug)]
pub struct EncodedSnapshot {
    performance: String,
    seq: u64,
    value: Vec<u8>,
}

impl EncodedSnapshot {
    /// Returns the encoded size in bytes.
    pub fn size(&self) -> usize {
        self.value.len()
    }
}

/// Encodes a snapshot's value; the slow part of writing one, done away from the journal.
///
/// # Errors
/// When the snapshot cannot be encoded.
pub fn encode_snapshot(snapshot: &Snapshot) -> Result<EncodedSnapshot, StorageError> {
    let performance = snapshot.performance.as_str();
    let value = codec::encode(
        &header(Kind::SnapshotChunk, performance, snapshot.seq, snapshot.at),
        snapshot,
    )?;
    Ok(EncodedSnapshot {
        performance: performance.to_owned(),
        seq: snapshot.seq,
        value,
    })
}

/// As [`encode_batch`], with the batch's snapshot already encoded as `encoded`.
///
/// # Errors
/// When a value cannot be encoded or the store cannot be read.
pub fn encode_batch_with(
    kv: &dyn ReadKv,
    batch: &Batch,
    encoded: Option<EncodedSnapshot>,
) -> Result<KvBatch, StorageError> {
    let mut writes = encode_entries(&batch.entries)?;
    encode_records_with(kv, &mut writes, batch, encoded)?;
    Ok(writes)
}

/// Turns journal entries (of any performances, each one's in seq order, perhaps gathered
/// from several batches) into one value per performance (see `journal_values`).
///
/// # Errors
/// When a change cannot be encoded.
pub fn encode_entries<'a>(
    entries: impl IntoIterator<Item = &'a (PerformanceId, Entry)>,
) -> Result<KvBatch, StorageError> {
    let mut writes = KvBatch::default();
    for value in journal_values::encode(entries)? {
        let key = prefixed(
            JOURNAL,
            &[&codec::entry_key(value.performance.as_str(), value.last)],
        );
        put_value(&mut writes, key, value.bytes)?;
    }
    Ok(writes)
}

/// As [`encode_batch_with`] without the batch's entries (which [`encode_entries`] writes),
/// adding to `writes`.
///
/// # Errors
/// When a value cannot be encoded or the store cannot be read.
pub fn encode_records_with(
    kv: &dyn ReadKv,
    writes: &mut KvBatch,
    batch: &Batch,
    encoded: Option<EncodedSnapshot>,
) -> Result<(), StorageError> {
    for record in &batch.records {
        encode_record(kv, writes, record)?;
    }
    let encoded = match (encoded, &batch.snapshot) {
        (Some(encoded), _) => Some(encoded),
        (None, Some(snapshot)) => Some(encode_snapshot(snapshot)?),
        (None, None) => None,
    };
    if let Some(encoded) = encoded {
        write_snapshot(kv, writes, encoded)?;
    }
    Ok(())
}

fn write_snapshot(
    kv: &dyn ReadKv,
    writes: &mut KvBatch,
    snapshot: EncodedSnapshot,
) -> Result<(), StorageError> {
    let id = snapshot.performance.as_str();
    let prefix = snapshot_prefix(id);
    let key = prefixed(&prefix, &[&snapshot.seq.to_be_bytes()]);
    put_value(writes, key, snapshot.value)?;
    let mut older: Vec<(u64, Vec<u8>)> = Vec::new();
    kv.scan(&prefix, &mut |key, _| {
        if let Some(seq) = codec::seq_of_key(key).filter(|&seq| seq < snapshot.seq) {
            older.push((seq, key.to_vec()));
        }
        Ok(())
    })?;
    older.sort_by_key(|older| std::cmp::Reverse(older.0));
    // Keep the newest older generation beside the new one; drop the rest. The journal is
    // kept whole: it is the history (`journal`), and a restart reads only what follows the
    // newest snapshot.
    for (_, key) in older.iter().skip(SNAPSHOT_GENERATIONS - 1) {
        delete_value(kv, writes, key)?;
    }
    Ok(())
}

/// Decodes every record under `prefix`; an older record is read in its layout and converted.
fn decode_all<T: Layout>(kv: &dyn ReadKv, prefix: &[u8]) -> Result<Vec<T>, StorageError> {
    let mut found = Vec::new();
    let mut keys = Vec::new();
    kv.scan(prefix, &mut |key, value| {
        keys.push((key.to_vec(), value.to_vec()));
        Ok(())
    })?;
    for (key, value) in keys {
        let value = read_value(kv, &key, value)?;
        let (_, record) = codec::decode_evolving::<T>(&value, &printable(&key))?;
        found.push(record);
    }
    Ok(found)
}

/// Loads everything: clients, orders, idempotency answers, and each performance's newest
/// valid snapshot with the journal entries after it. A performance whose data is damaged
/// comes back with `corruption` set, never silently cut.
///
/// # Errors
/// When a client, order or idempotency record, or a performance definition, is damaged, or
/// the store cannot be read: the engine must not serve from a partial open.
pub fn load(kv: &dyn ReadKv) -> Result<Recovered, StorageError> {
    let records = decode_all::<PerformanceRecord>(kv, PERFORMANCES)?;
    let mut performances = Vec::with_capacity(records.len());
    for record in records {
        performances.push(load_performance(kv, record)?);
    }
    Ok(Recovered {
        performances,
        clients: decode_all::<ClientRecord>(kv, CLIENTS)?,
        orders: decode_all::<OrderRecord>(kv, ORDERS)?,
        idempotency: decode_all::<IdempotencyRecord>(kv, IDEMPOTENCY)?,
        transactions: decode_all::<TransactionRecord>(kv, TRANSACTIONS)?,
        answers: decode_all::<AnswerRecord>(kv, ANSWERS)?,
        baskets: decode_all::<BasketRecord>(kv, BASKETS)?,
        discount_codes: decode_all::<DiscountCodeRecord>(kv, DISCOUNT_CODES)?,
        refunds: decode_all::<RefundRecord>(kv, REFUNDS)?,
    })
}

/// Reads the whole journal of `performance`, in order, up to the first damaged entry or gap
/// (which is returned as an error): its history.
///
/// # Errors
/// When an entry is damaged, the sequence has a gap, or the store cannot be read.
pub fn journal(kv: &dyn ReadKv, performance: &PerformanceId) -> Result<Vec<Entry>, StorageError> {
    // From the first entry kept: 1, or where a data directory from before the journal was
    // kept whole had deleted up to.
    let (entries, damage) = load_tail(kv, performance, None);
    match damage {
        Some(error) => Err(error),
        None => Ok(entries),
    }
}

/// Reads the archived holds of `transaction`, in performance id order.
///
/// # Errors
/// When a record is damaged or the store cannot be read.
pub fn archived_holds(
    kv: &dyn ReadKv,
    transaction: TransactionId,
) -> Result<Vec<ArchivedHold>, StorageError> {
    decode_all::<ArchivedHold>(kv, &prefixed(ARCHIVED, &[&transaction.0.to_be_bytes()]))
}

/// Reads the metadata record of `transaction`.
///
/// # Errors
/// When the record is damaged or the store cannot be read.
pub fn transaction_record(
    kv: &dyn ReadKv,
    transaction: TransactionId,
) -> Result<Option<TransactionRecord>, StorageError> {
    let key = prefixed(TRANSACTIONS, &[&transaction.0.to_be_bytes()]);
    let Some(stored) = kv.get(&key)? else {
        return Ok(None);
    };
    let value = read_value(kv, &key, stored)?;
    let (_, record) = codec::decode_evolving::<TransactionRecord>(&value, &printable(&key))?;
    Ok(Some(record))
}

fn load_performance(
    kv: &dyn ReadKv,
    record: PerformanceRecord,
) -> Result<RecoveredPerformance, StorageError> {
    let id = record.info.id.clone();
    let mut generations: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    kv.scan(&snapshot_prefix(id.as_str()), &mut |key, value| {
        generations.push((key.to_vec(), value.to_vec()));
        Ok(())
    })?;
    let mut snapshot: Option<Snapshot> = None;
    for (key, value) in generations.into_iter().rev() {
        let decoded = read_value(kv, &key, value)
            .and_then(|value| codec::decode_evolving::<Snapshot>(&value, &printable(&key)))
            .and_then(|(_, s)| {
                if s.performance == id {
                    Ok(s)
                } else {
                    Err(StorageError::corrupt(
                        &printable(&key),
                        "snapshot of another performance",
                    ))
                }
            });
        match decoded {
            Ok(found) => {
                snapshot = Some(found);
                break;
            }
            Err(error) => {
                tracing::warn!(performance = %id, %error, "snapshot unusable; trying an older one")
            }
        }
    }
    let (tail, corruption) = load_tail(kv, &id, Some(snapshot.as_ref().map_or(0, |s| s.seq)));
    Ok(RecoveredPerformance {
        record,
        snapshot,
        tail,
        corruption,
    })
}

/// The entries after `covered` (from the first one kept, when `None`), stopping at the first
/// damaged record or gap.
fn load_tail(
    kv: &dyn ReadKv,
    id: &PerformanceId,
    covered: Option<u64>,
) -> (Vec<Entry>, Option<StorageError>) {
    let mut tail: Vec<Entry> = Vec::new();
    let mut expected = covered.map_or(0, |covered| covered + 1);
    let covered = covered.unwrap_or(0);
    let prefix = journal_prefix(id.as_str());
    let from = prefixed(&prefix, &[&expected.to_be_bytes()]);
    // Keys are named only on the error paths: building the name of every entry was a
    // quarter of a million-entry restart.
    let outcome = kv.scan_from(&prefix, &from, &mut |key, value| {
        let last = codec::seq_of_key(key)
            .ok_or_else(|| StorageError::corrupt(&printable(key), "bad journal key"))?;
        if last <= covered {
            return Ok(());
        }
        let name = || printable(key);
        let entries = if is_manifest(value) {
            // A group of one entry too large for a value, stored in chunks.
            let whole = read_value(kv, key, value.to_vec())?;
            journal_values::decode(&whole, id.as_str(), last, &name)?
        } else {
            journal_values::decode(value, id.as_str(), last, &name)?
        };
        for entry in entries {
            if entry.seq <= covered {
                continue;
            }
            if expected == 0 {
                // Reading from the first entry kept, whichever it is.
                expected = entry.seq;
            }
            if entry.seq != expected {
                return Err(StorageError::corrupt(
                    &name(),
                    &format!(
                        "gap in sequence numbers: expected {expected}, found {}",
                        entry.seq
                    ),
                ));
            }
            tail.push(entry);
            expected += 1;
        }
        Ok(())
    });
    (tail, outcome.err())
}
