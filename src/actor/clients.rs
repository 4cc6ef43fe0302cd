//! API clients and their keys. A key is shown once, at creation or rotation; only its SHA-256
//! digest is kept, found by its first eight bytes and compared in full in constant time. A
//! revoked client keeps its id (its transactions name it) but no key authenticates it.
//!
//! A client may be scoped: limited to some events (an organizer and the keys it makes), and
//! selling for a channel (a reseller, which may hold what is allocated to its channel).

use dashmap::DashMap;
use dashmap::mapref::entry::Entry as MapEntry;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::EngineError;
use crate::domain::{ClientId, EventId};

/// What a client may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Manage the catalogue, keys, holdbacks and reports; and everything `Sales` may.
    Admin,
    /// Manage its own events: their performances, allocations, discount codes, reports and
    /// history, and the `sales` and `widget` keys limited to them; and sell there as `Sales`.
    Organizer,
    /// Hold, check out, complete and release its own transactions, and complete those a
    /// widget key opened.
    Sales,
    /// A publishable key for seat-selection widgets in the browser: hold, check out, read
    /// and release its own transactions, within the server's widget limits; never complete.
    Widget,
}

impl Role {
    /// Parses `admin`, `organizer`, `sales` or `widget`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "admin" => Some(Self::Admin),
            "organizer" => Some(Self::Organizer),
            "sales" => Some(Self::Sales),
            "widget" => Some(Self::Widget),
            _ => None,
        }
    }

    /// Returns the role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Organizer => "organizer",
            Self::Sales => "sales",
            Self::Widget => "widget",
        }
    }

    /// How much the role may do: a call that needs a role takes that role or a higher one.
    pub fn rank(self) -> u8 {
        match self {
            Self::Widget => 0,
            Self::Sales => 1,
            Self::Organizer => 2,
            Self::Admin => 3,
        }
    }
}

/// What a client is limited to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientScope {
    /// The events it may act on; empty for every event.
    pub events: Vec<EventId>,
    /// The channel it sells for, if any.
    pub channel: Option<String>,
    /// The organizer that made it, if one did: that organizer manages its key.
    pub created_by: Option<ClientId>,
}

/// A registered client.
#[derive(Clone, Debug)]
pub struct Client {
    /// The client's id, recorded on its transactions.
    pub id: ClientId,
    /// A human name such as `webshop`.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// True once revoked: its key no longer authenticates, and its id is never reused.
    pub revoked: bool,
    /// What it is limited to.
    pub scope: ClientScope,
    key_digest: [u8; 32],
}

impl Client {
    /// Returns the SHA-256 digest of the client's key.
    pub fn key_digest(&self) -> [u8; 32] {
        self.key_digest
    }

    /// Returns true when `key` is this client's key (compared in constant time).
    pub fn has_key(&self, key: &str) -> bool {
        bool::from(self.key_digest.ct_eq(&digest(key)))
    }
}

/// Every client, by id and by key digest.
#[derive(Debug, Default)]
pub struct ClientDirectory {
    by_id: DashMap<ClientId, Client>,
    by_digest_prefix: DashMap<[u8; 8], ClientId>,
}

fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

fn prefix(digest: &[u8; 32]) -> [u8; 8] {
    let mut prefix = [0; 8];
    prefix.copy_from_slice(&digest[..8]);
    prefix
}

/// Generates a fresh API key: 32 random bytes as hex.
///
/// # Errors
/// Returns `Invalid` if the operating system has no randomness to give.
pub fn generate_key() -> Result<String, EngineError> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| EngineError::NoRandomness {
        reason: error.to_string(),
    })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl ClientDirectory {
    /// Creates an empty directory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a client with `key`.
    ///
    /// # Errors
    /// Returns `AlreadyExists` when the id is taken, and `Invalid` when the key's digest
    /// collides with another key's prefix (astronomically unlikely for generated keys).
    pub fn register(
        &self,
        id: ClientId,
        name: String,
        role: Role,
        scope: ClientScope,
        key: &str,
    ) -> Result<Client, EngineError> {
        let key_digest = digest(key);
        let MapEntry::Vacant(id_slot) = self.by_id.entry(id.clone()) else {
            return Err(EngineError::AlreadyExists {
                what: "client",
                id: id.to_string(),
            });
        };
        let MapEntry::Vacant(key_slot) = self.by_digest_prefix.entry(prefix(&key_digest)) else {
            return Err(EngineError::KeyUnusable);
        };
        let client = Client {
            id: id.clone(),
            name,
            role,
            revoked: false,
            scope,
            key_digest,
        };
        key_slot.insert(id);
        id_slot.insert(client.clone());
        Ok(client)
    }

    /// Restores a stored client (a revoked one without its key's lookup).
    pub fn restore(&self, client: Client) {
        self.remove(&client.id);
        if !client.revoked {
            self.by_digest_prefix
                .insert(prefix(&client.key_digest), client.id.clone());
        }
        self.by_id.insert(client.id.clone(), client);
    }

    /// Returns what `id` would be revoked as: the client, no longer authenticated by its key.
    /// Nothing changes until it is [restored](Self::restore).
    pub fn revoked(&self, id: &ClientId) -> Option<Client> {
        let mut client = self.get(id)?;
        client.revoked = true;
        Some(client)
    }

    /// Returns what `id` would be with `key`, or `Err(KeyUnusable)` when the key's digest
    /// prefix is another client's. Nothing changes until it is [restored](Self::restore).
    ///
    /// # Errors
    /// `KeyUnusable` (astronomically unlikely for generated keys).
    pub fn with_key(&self, id: &ClientId, key: &str) -> Result<Option<Client>, EngineError> {
        let key_digest = digest(key);
        if self
            .by_digest_prefix
            .get(&prefix(&key_digest))
            .is_some_and(|owner| owner.value() != id)
        {
            return Err(EngineError::KeyUnusable);
        }
        Ok(self.get(id).map(|client| Client {
            key_digest,
            ..client
        }))
    }

    /// Returns every client, revoked ones included, by id.
    pub fn list(&self) -> Vec<Client> {
        let mut clients: Vec<Client> = self.by_id.iter().map(|e| e.value().clone()).collect();
        clients.sort_by(|a, b| a.id.cmp(&b.id));
        clients
    }

    /// Removes a client and its key.
    pub fn remove(&self, id: &ClientId) {
        if let Some((_, client)) = self.by_id.remove(id) {
            self.by_digest_prefix.remove(&prefix(&client.key_digest));
        }
    }

    /// Builds a client as stored (restored with [`Self::restore`]).
    pub fn stored(
        id: ClientId,
        name: String,
        role: Role,
        revoked: bool,
        scope: ClientScope,
        key_digest: [u8; 32],
    ) -> Client {
        Client {
            id,
            name,
            role,
            revoked,
            scope,
            key_digest,
        }
    }

    /// Returns the client with `id`.
    pub fn get(&self, id: &ClientId) -> Option<Client> {
        self.by_id.get(id).map(|entry| entry.value().clone())
    }

    /// Returns the ids of the clients with `role`.
    pub fn with_role(&self, role: Role) -> Vec<ClientId> {
        self.by_id
            .iter()
            .filter(|entry| entry.value().role == role)
            .map(|entry| entry.key().clone())
            .collect()
    }

    /// Returns the client whose key is `key`.
    pub fn authenticate(&self, key: &str) -> Option<Client> {
        let key_digest = digest(key);
        let id = self
            .by_digest_prefix
            .get(&prefix(&key_digest))?
            .value()
            .clone();
        let client = self.by_id.get(&id)?.value().clone();
        (!client.revoked && bool::from(client.key_digest.ct_eq(&key_digest))).then_some(client)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_authenticates_its_client_only() {
        let directory = ClientDirectory::new();
        let key = generate_key().unwrap();
        assert_eq!(key.len(), 64);
        directory
            .register(
                ClientId::parse("shop").unwrap(),
                "shop".into(),
                Role::Sales,
                ClientScope::default(),
                &key,
            )
            .unwrap();
        assert_eq!(directory.authenticate(&key).unwrap().id.as_str(), "shop");
        assert!(directory.authenticate("wrong").is_none());
        assert!(directory.authenticate(&key[1..]).is_none());
    }

    #[test]
    fn a_taken_client_id_is_refused() {
        let directory = ClientDirectory::new();
        let id = ClientId::parse("shop").unwrap();
        directory
            .register(
                id.clone(),
                "a".into(),
                Role::Sales,
                ClientScope::default(),
                "k1",
            )
            .unwrap();
        assert!(matches!(
            directory.register(id, "b".into(), Role::Sales, ClientScope::default(), "k2"),
            Err(EngineError::AlreadyExists { .. })
        ));
    }
}
