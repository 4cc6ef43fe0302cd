//! The on-disk record format: every value holdfast writes is one envelope.
//!
//! ```text
//! magic "HFRC" | format version u16 | kind u8 | performance length u8 | performance bytes
//! | seq u64 | engine time i64 | payload length u32 | payload (bincode 2) | CRC32 of all before
//! ```
//!
//! Integers are big-endian. The checksum is checked before a record is written (by decoding
//! what was encoded, in debug builds) and after every read. Journal keys are
//! `performance ‖ 0x00 ‖ seq` with `seq` big-endian, so a prefix scan returns a performance's
//! entries in sequence order (ids never contain 0x00).

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::StorageError;
use crate::domain::Timestamp;

const MAGIC: [u8; 4] = *b"HFRC";
/// The version of the envelope and of every payload's bincode layout. Records of every
/// version from 1 to this one are read (see `legacy` for what changed in each).
pub const FORMAT_VERSION: u16 = 9;
const HEADER_FIXED: usize = 4 + 2 + 1 + 1;
const TRAILER: usize = 4;

/// What a record holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    /// A journal entry: one `Change` of a performance.
    Entry = 1,
    /// A performance's definition (info and plan).
    Performance = 2,
    /// An API client.
    Client = 3,
    /// An order.
    Order = 4,
    /// An idempotency key's remembered answer.
    Idempotency = 5,
    /// A snapshot's manifest.
    SnapshotManifest = 6,
    /// A chunk of a snapshot.
    SnapshotChunk = 7,
    /// A transaction's metadata.
    Transaction = 8,
    /// A remembered answer to a keyed write.
    Answer = 9,
    /// A basket's intent.
    Basket = 10,
    /// A hold archived when it left its performance's inventory.
    Archived = 11,
    /// A discount code's definition.
    DiscountCode = 12,
    /// A refund.
    Refund = 13,
    /// Consecutive journal entries of one performance, written by one group commit (format 9
    /// on; see `journal_values`).
    EntryGroup = 14,
}

impl Kind {
    fn from_byte(byte: u8) -> Option<Self> {
        Some(match byte {
            1 => Self::Entry,
            2 => Self::Performance,
            3 => Self::Client,
            4 => Self::Order,
            5 => Self::Idempotency,
            6 => Self::SnapshotManifest,
            7 => Self::SnapshotChunk,
            8 => Self::Transaction,
            9 => Self::Answer,
            10 => Self::Basket,
            11 => Self::Archived,
            12 => Self::DiscountCode,
            13 => Self::Refund,
            14 => Self::EntryGroup,
            _ => return None,
        })
    }
}

/// The envelope's fields besides the payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// What the record holds.
    pub kind: Kind,
    /// The performance it belongs to; empty for records that belong to none.
    pub performance: String,
    /// The sequence number (journal entries, snapshots) or 0.
    pub seq: u64,
    /// The engine time at which it was written.
    pub at: Timestamp,
}

fn bincode_config() -> bincode::config::Configuration {
    bincode::config::standard()
}

/// Encodes `payload` in an envelope.
///
/// # Errors
/// [`StorageError::Encode`] when the payload cannot be encoded or the performance id is over
/// 255 bytes.
pub fn encode<T: Serialize>(header: &Header, payload: &T) -> Result<Vec<u8>, StorageError> {
    encode_bytes(header, &encode_payload(payload)?)
}

/// Encodes `payload` alone, as an envelope's payload would hold it.
///
/// # Errors
/// [`StorageError::Encode`] when the payload cannot be encoded.
pub fn encode_payload<T: Serialize>(payload: &T) -> Result<Vec<u8>, StorageError> {
    bincode::serde::encode_to_vec(payload, bincode_config())
        .map_err(|error| StorageError::Encode(error.to_string()))
}

/// Puts `body`, a payload already encoded, in an envelope.
///
/// # Errors
/// As [`encode`].
pub fn encode_bytes(header: &Header, body: &[u8]) -> Result<Vec<u8>, StorageError> {
    let performance = header.performance.as_bytes();
    let performance_length = u8::try_from(performance.len())
        .map_err(|_| StorageError::Encode("performance id over 255 bytes".into()))?;
    let body_length =
        u32::try_from(body.len()).map_err(|_| StorageError::Encode("payload over 4 GiB".into()))?;
    let mut bytes =
        Vec::with_capacity(HEADER_FIXED + performance.len() + 8 + 8 + 4 + body.len() + TRAILER);
    bytes.extend_from_slice(&MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_be_bytes());
    bytes.push(header.kind as u8);
    bytes.push(performance_length);
    bytes.extend_from_slice(performance);
    bytes.extend_from_slice(&header.seq.to_be_bytes());
    bytes.extend_from_slice(&header.at.as_millis().to_be_bytes());
    bytes.extend_from_slice(&body_length.to_be_bytes());
    bytes.extend_from_slice(body);
    let crc = crc32fast::hash(&bytes);
    bytes.extend_from_slice(&crc.to_be_bytes());
    Ok(bytes)
}

/// Reads `N` bytes at `*at`, advancing it.
pub(super) fn take<'a>(
    bytes: &'a [u8],
    at: &mut usize,
    length: usize,
    key: &str,
) -> Result<&'a [u8], StorageError> {
    let end = at.checked_add(length).filter(|&end| end <= bytes.len());
    let end = end.ok_or_else(|| StorageError::corrupt(key, "record is truncated"))?;
    let slice = &bytes[*at..end];
    *at = end;
    Ok(slice)
}

pub(super) fn array<const N: usize>(slice: &[u8]) -> [u8; N] {
    let mut array = [0; N];
    array.copy_from_slice(slice);
    array
}

/// Decodes an envelope whose payload layout is the same in every format version (clients,
/// orders, transactions, manifests, chunks), checking magic, version, checksum and length;
/// `key` names the record in errors. Payloads whose layout changed are read with
/// [`decode_evolving`].
///
/// # Errors
/// [`StorageError::Corrupt`] for any mismatch; never panics on bad input.
pub fn decode<T: DeserializeOwned>(bytes: &[u8], key: &str) -> Result<(Header, T), StorageError> {
    let (header, _, body) = open(bytes, key)?;
    Ok((header, payload(body, key)?))
}

/// A stored type whose payload layout may change between format versions: the first
/// version with today's layout, and the type to read older records as (then converted). A type
/// whose layout never changed is its own `Older`, with `SINCE = 1`; a type that changed twice
/// names the twin of its previous layout, which names the one before (see `legacy`).
pub trait Layout: DeserializeOwned {
    /// The first format version whose records have this layout.
    const SINCE: u16;
    /// The layout of records older than `SINCE`.
    type Older: Layout + Into<Self>;
}

/// Decodes an envelope of a type whose payload layout may have changed: a record older than
/// `T::SINCE` is read in the older layout and converted, down the chain as far as needed.
///
/// # Errors
/// As [`decode`].
pub fn decode_evolving<T: Layout>(bytes: &[u8], key: &str) -> Result<(Header, T), StorageError> {
    let (header, version, body) = open(bytes, key)?;
    Ok((header, payload_of::<T>(version, body, key)?))
}

/// Decodes a payload of `T` written in format `version`, converting an older layout.
///
/// # Errors
/// As [`decode`].
pub fn payload_of<T: Layout>(version: u16, body: &[u8], key: &str) -> Result<T, StorageError> {
    if version >= T::SINCE {
        payload(body, key)
    } else {
        payload_of::<T::Older>(version, body, key).map(Into::into)
    }
}

fn payload<T: DeserializeOwned>(body: &[u8], key: &str) -> Result<T, StorageError> {
    let (payload, read) =
        bincode::serde::decode_from_slice(body, bincode_config()).map_err(|error| {
            StorageError::corrupt(key, &format!("payload does not decode: {error}"))
        })?;
    if read != body.len() {
        return Err(StorageError::corrupt(key, "payload has trailing bytes"));
    }
    Ok(payload)
}

/// Checks an envelope and returns its header, its format version and its payload bytes.
///
/// # Errors
/// As [`decode`].
pub fn open<'a>(bytes: &'a [u8], key: &str) -> Result<(Header, u16, &'a [u8]), StorageError> {
    if bytes.len() < HEADER_FIXED + TRAILER {
        return Err(StorageError::corrupt(key, "record is truncated"));
    }
    let (content, trailer) = bytes.split_at(bytes.len() - TRAILER);
    if crc32fast::hash(content) != u32::from_be_bytes(array(trailer)) {
        return Err(StorageError::corrupt(key, "checksum mismatch"));
    }
    let mut at = 0;
    if take(content, &mut at, 4, key)? != MAGIC {
        return Err(StorageError::corrupt(key, "bad magic"));
    }
    let version = u16::from_be_bytes(array(take(content, &mut at, 2, key)?));
    if version == 0 || version > FORMAT_VERSION {
        return Err(StorageError::corrupt(
            key,
            &format!("unknown format version {version}"),
        ));
    }
    let kind = Kind::from_byte(take(content, &mut at, 1, key)?[0])
        .ok_or_else(|| StorageError::corrupt(key, "unknown record kind"))?;
    let performance_length = usize::from(take(content, &mut at, 1, key)?[0]);
    let performance = std::str::from_utf8(take(content, &mut at, performance_length, key)?)
        .map_err(|_| StorageError::corrupt(key, "performance id is not UTF-8"))?
        .to_owned();
    let seq = u64::from_be_bytes(array(take(content, &mut at, 8, key)?));
    let time = i64::from_be_bytes(array(take(content, &mut at, 8, key)?));
    let body_length = u32::from_be_bytes(array(take(content, &mut at, 4, key)?)) as usize;
    let body = take(content, &mut at, body_length, key)?;
    if at != content.len() {
        return Err(StorageError::corrupt(
            key,
            "trailing bytes after the payload",
        ));
    }
    let header = Header {
        kind,
        performance,
        seq,
        at: Timestamp(time),
    };
    Ok((header, version, body))
}

/// The journal key of entry `seq` of `performance`.
pub fn entry_key(performance: &str, seq: u64) -> Vec<u8> {
    let mut key = entry_prefix(performance);
    key.extend_from_slice(&seq.to_be_bytes());
    key
}

/// The prefix under which every journal entry of `performance` sorts.
pub fn entry_prefix(performance: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(performance.len() + 9);
    key.extend_from_slice(performance.as_bytes());
    key.push(0);
    key
}

/// Reads the sequence number back from a journal key.
pub fn seq_of_key(key: &[u8]) -> Option<u64> {
    let tail = key.get(key.len().checked_sub(8)?..)?;
    Some(u64::from_be_bytes(array(tail)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header {
            kind: Kind::Entry,
            performance: "jb-1204".into(),
            seq: 42,
            at: Timestamp(1_700_000_000_000),
        }
    }

    #[test]
    fn a_record_round_trips() {
        let bytes = encode(&header(), &vec![1_u32, 2, 3]).unwrap();
        let (read, payload): (Header, Vec<u32>) = decode(&bytes, "k").unwrap();
        assert_eq!(read, header());
        assert_eq!(payload, [1, 2, 3]);
    }

    #[test]
    fn every_flipped_bit_is_detected_without_a_panic() {
        let bytes = encode(&header(), &"payload".to_owned()).unwrap();
        for index in 0..bytes.len() {
            for bit in 0..8 {
                let mut broken = bytes.clone();
                broken[index] ^= 1 << bit;
                assert!(
                    decode::<String>(&broken, "k").is_err(),
                    "byte {index} bit {bit}"
                );
            }
        }
    }

    #[test]
    fn truncated_and_empty_records_are_corrupt() {
        let bytes = encode(&header(), &7_u64).unwrap();
        for length in 0..bytes.len() {
            assert!(matches!(
                decode::<u64>(&bytes[..length], "k"),
                Err(StorageError::Corrupt { .. })
            ));
        }
    }

    #[test]
    fn journal_keys_sort_by_sequence_within_a_performance() {
        let mut keys = [entry_key("p", 256), entry_key("p", 1), entry_key("p", 2)];
        keys.sort();
        let seqs: Vec<u64> = keys.iter().map(|k| seq_of_key(k).unwrap()).collect();
        assert_eq!(seqs, [1, 2, 256]);
        assert!(
            entry_key("p", u64::MAX) < entry_key("p-2", 0),
            "p's entries sort before p-2's"
        );
        assert!(entry_key("p", 5).starts_with(&entry_prefix("p")));
        assert!(!entry_key("p-2", 5).starts_with(&entry_prefix("p")));
    }
}
