//! Storage errors. None is deterministic: the same command may succeed after a restart, so a
//! storage error stops the actor that met it instead of going back to the client as a refusal.

/// A failure to make data durable or to read it back.
#[derive(Clone, Debug, thiserror::Error)]
pub enum StorageError {
    /// The journal stopped after an earlier failure and accepts nothing more.
    #[error("the journal has stopped after an earlier failure")]
    Stopped,
    /// An I/O or store error, with its cause rendered.
    #[error("storage I/O failed: {0}")]
    Io(String),
}
