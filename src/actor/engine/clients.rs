//! API clients: creating, listing, revoking them and rotating their keys durably, the admin
//! key, and authentication.
//!
//! # Caveats
//! - A client's record stores its role as a string; a revoked client's is `revoked:<role>`
//!   (from format 7 on), so the record stays and its id is never given to another client.

use super::Engine;
use crate::actor::clients::{Client, ClientDirectory, ClientScope, Role, generate_key};
use crate::actor::error::EngineError;
use crate::domain::{ClientId, EventId};
use crate::persistence::{Batch, ClientRecord, Record};

impl Engine {
    /// Returns the client whose key is `key`.
    pub fn authenticate(&self, key: &str) -> Option<Client> {
        self.clients.authenticate(key)
    }

    /// Creates a client with a fresh key, durably, and returns it with the key.
    ///
    /// # Errors
    /// `AlreadyExists` for a taken id; `ClientRevoked` when the organizer making it was revoked
    /// meanwhile; `Unavailable` when the store fails.
    pub async fn create_client(
        &self,
        id: ClientId,
        name: String,
        role: Role,
        scope: ClientScope,
    ) -> Result<(Client, String), EngineError> {
        let _changing = self.changing_clients.lock().await;
        if let Some(maker) = &scope.created_by
            && self.clients.get(maker).is_none_or(|maker| maker.revoked)
        {
            return Err(EngineError::ClientRevoked { id: maker.clone() });
        }
        let key = generate_key()?;
        let client = self.clients.register(id, name, role, scope, &key)?;
        let record = client_record(&client);
        if let Err(error) = self
            .write(Batch {
                records: vec![Record::Client(record)],
                ..Batch::default()
            })
            .await
        {
            self.clients.remove(&client.id);
            return Err(error);
        }
        if client.role == Role::Widget {
            self.coordination()
                .coordinator
                .add_widget_client(client.id.clone(), client.scope.created_by.clone());
        }
        Ok((client, key))
    }

    /// Lists every client, revoked ones included, by id (never a key or its digest).
    pub fn clients(&self) -> Vec<Client> {
        self.clients.list()
    }

    /// Revokes a client durably: its key stops authenticating at once, for good, and so do the
    /// keys it made (an organizer's). Revoking again changes nothing and answers the client.
    ///
    /// # Errors
    /// `NotFound` for an unknown client; `AdminNotRevocable` for the admin client (its key is
    /// replaced by starting with another `--admin-key`); `Unavailable` when the store fails.
    pub async fn revoke_client(&self, id: &ClientId) -> Result<Client, EngineError> {
        let _changing = self.changing_clients.lock().await;
        let current = self
            .clients
            .get(id)
            .ok_or_else(|| EngineError::not_found("client", id))?;
        if current.id.as_str() == ADMIN_ID {
            return Err(EngineError::AdminNotRevocable);
        }
        if current.revoked {
            return Ok(current);
        }
        let revoked = self
            .clients
            .revoked(id)
            .ok_or_else(|| EngineError::not_found("client", id))?;
        // An organizer's keys go with it, in the same batch: a key it made must not outlive
        // the trust it was made under.
        let made: Vec<Client> = self
            .clients
            .list()
            .into_iter()
            .filter(|client| !client.revoked && client.scope.created_by.as_ref() == Some(id))
            .filter_map(|client| self.clients.revoked(&client.id))
            .collect();
        let records = std::iter::once(&revoked)
            .chain(&made)
            .map(|client| Record::Client(client_record(client)))
            .collect();
        self.write(Batch {
            records,
            ..Batch::default()
        })
        .await?;
        for client in made {
            self.clients.restore(client);
        }
        self.clients.restore(revoked.clone());
        Ok(revoked)
    }

    /// Gives a client a fresh key durably and returns it with the key (shown once); the old
    /// key stops authenticating at once.
    ///
    /// # Errors
    /// `NotFound` for an unknown client, `ClientRevoked` for a revoked one, and `Unavailable`
    /// when the store fails.
    pub async fn rotate_key(&self, id: &ClientId) -> Result<(Client, String), EngineError> {
        let _changing = self.changing_clients.lock().await;
        let current = self
            .clients
            .get(id)
            .ok_or_else(|| EngineError::not_found("client", id))?;
        if current.revoked {
            return Err(EngineError::ClientRevoked { id: id.clone() });
        }
        let key = generate_key()?;
        let rotated = self
            .clients
            .with_key(id, &key)?
            .ok_or_else(|| EngineError::not_found("client", id))?;
        self.write(Batch {
            records: vec![Record::Client(client_record(&rotated))],
            ..Batch::default()
        })
        .await?;
        self.clients.restore(rotated.clone());
        Ok((rotated, key))
    }

    /// Makes sure the admin client exists: with `key` when given (replacing a stored one), or
    /// with a generated key, which is returned so it can be shown once.
    ///
    /// # Errors
    /// `Unavailable` when the store fails.
    pub async fn ensure_admin(&self, key: Option<&str>) -> Result<Option<String>, EngineError> {
        let id = ClientId::parse(ADMIN_ID)?;
        let exists = self.clients.get(&id).is_some();
        let (key, generated) = match (key, exists) {
            (Some(key), _) => (key.to_owned(), None),
            (None, true) => return Ok(None),
            (None, false) => {
                let key = generate_key()?;
                (key.clone(), Some(key))
            }
        };
        if self
            .clients
            .get(&id)
            .is_some_and(|admin| admin.has_key(&key))
        {
            return Ok(None);
        }
        self.clients.remove(&id);
        let client = self.clients.register(
            id,
            "admin".into(),
            Role::Admin,
            ClientScope::default(),
            &key,
        )?;
        self.write(Batch {
            records: vec![Record::Client(client_record(&client))],
            ..Batch::default()
        })
        .await?;
        Ok(generated)
    }
}

/// The admin client's id.
const ADMIN_ID: &str = "admin";

/// How a revoked client's role is stored.
const REVOKED_PREFIX: &str = "revoked:";

fn client_record(client: &Client) -> ClientRecord {
    let role = client.role.as_str();
    ClientRecord {
        id: client.id.clone(),
        name: client.name.clone(),
        role: if client.revoked {
            format!("{REVOKED_PREFIX}{role}")
        } else {
            role.to_owned()
        },
        key_digest: client.key_digest(),
        events: client
            .scope
            .events
            .iter()
            .map(ToString::to_string)
            .collect(),
        channel: client.scope.channel.clone(),
        created_by: client.scope.created_by.clone(),
    }
}

/// The client a stored record describes; `None` for a role this version does not know.
pub(super) fn client_of(record: ClientRecord) -> Option<Client> {
    let (role, revoked) = match record.role.strip_prefix(REVOKED_PREFIX) {
        Some(role) => (role, true),
        None => (record.role.as_str(), false),
    };
    let role = Role::parse(role)?;
    let events = record
        .events
        .iter()
        .map(|event| EventId::parse(event).ok())
        .collect::<Option<Vec<EventId>>>()?;
    let scope = ClientScope {
        events,
        channel: record.channel,
        created_by: record.created_by,
    };
    Some(ClientDirectory::stored(
        record.id,
        record.name,
        role,
        revoked,
        scope,
        record.key_digest,
    ))
}
