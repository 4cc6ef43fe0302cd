//! Storage errors. None is deterministic: the same command may succeed after a restart, so a
//! storage error stops the engine from acknowledging instead of going back to the client as
//! a refusal.

/// A failure to make data durable or to read it back.
#[derive(Clone, Debug, thiserror::Error)]
pub enum StorageError {
    /// The journal stopped after an earlier failure and accepts nothing more.
    #[error("the journal has stopped after an earlier failure")]
    Stopped,
    /// An I/O or store error, with its cause rendered.
    #[error("storage I/O failed: {0}")]
    Io(String),
    /// A value could not be encoded.
    #[error("cannot encode a record: {0}")]
    Encode(String),
    /// A stored record is damaged: bad checksum, magic, version, length, or a gap in sequence
    /// numbers.
    #[error("corrupt record {key}: {reason}")]
    Corrupt {
        /// The record's key, printable.
        key: String,
        /// What is wrong.
        reason: String,
    },
}

impl StorageError {
    /// Builds a corruption error for the record `key`.
    pub fn corrupt(key: &str, reason: &str) -> Self {
        Self::Corrupt {
            key: key.to_owned(),
            reason: reason.to_owned(),
        }
    }
}

impl From<std::io::Error> for StorageError {
    fn from(error: std::io::Error) -> Self {
        Self::Io(error.to_string())
    }
}
