//! API clients: creating them durably, the admin key, and authentication.

use super::Engine;
use crate::actor::clients::{Client, Role, generate_key};
use crate::actor::error::EngineError;
use crate::domain::ClientId;
use crate::persistence::{Batch, ClientRecord, Record};

impl Engine {
    /// Returns the client whose key is `key`.
    pub fn authenticate(&self, key: &str) -> Option<Client> {
        self.clients.authenticate(key)
    }

    /// Creates a client with a fresh key, durably, and returns it with the key.
    ///
    /// # Errors
    /// `AlreadyExists` for a taken id; `Unavailable` when the store fails.
    pub async fn create_client(
        &self,
        id: ClientId,
        name: String,
        role: Role,
    ) -> Result<(Client, String), EngineError> {
        let key = generate_key()?;
        let client = self.clients.register(id, name, role, &key)?;
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
                .add_widget_client(client.id.clone());
        }
        Ok((client, key))
    }

    /// Makes sure the admin client exists: with `key` when given (replacing a stored one), or
    /// with a generated key, which is returned so it can be shown once.
    ///
    /// # Errors
    /// `Unavailable` when the store fails.
    pub async fn ensure_admin(&self, key: Option<&str>) -> Result<Option<String>, EngineError> {
        let id = ClientId::parse("admin")?;
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
        let client = self
            .clients
            .register(id, "admin".into(), Role::Admin, &key)?;
        self.write(Batch {
            records: vec![Record::Client(client_record(&client))],
            ..Batch::default()
        })
        .await?;
        Ok(generated)
    }
}

fn client_record(client: &Client) -> ClientRecord {
    ClientRecord {
        id: client.id.clone(),
        name: client.name.clone(),
        role: client.role.as_str().to_owned(),
        key_digest: client.key_digest(),
    }
}
