//! `POST /clients`: the request and the answer that shows the new key once.

use super::*;

/// `POST /clients`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"name": "webshop", "role": "sales"})))]
pub struct CreateClient {
    /// The client's id, a slug `[A-Za-z0-9_-]{1,64}`; generated when omitted.
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$", examples("webshop"))]
    pub id: Option<String>,
    /// A human name: 1 to 100 characters (after trimming) without control or invisible
    /// formatting characters (zero-width spaces, bidirectional overrides).
    #[schema(examples("webshop"))]
    pub name: String,
    /// `admin`, `sales`, or `widget` (a publishable key for seat-selection widgets: hold,
    /// check out, read and release its own transactions, at most the server's
    /// `widget_max_tickets` per transaction and `widget_holds_per_minute` holds per minute
    /// per IP; a sales key completes what it held).
    #[schema(value_type = ClientRole)]
    pub role: String,
}

/// A client to create, converted from [`CreateClient`].
pub struct NewClient {
    /// The given id, or a generated one.
    pub id: ClientId,
    /// The trimmed name.
    pub name: String,
    /// The role.
    pub role: Role,
}

impl TryFrom<CreateClient> for NewClient {
    type Error = ApiError;

    /// Judges the body on its own, so its faults rank before the key's (400 before 401, 403).
    fn try_from(body: CreateClient) -> Result<Self, ApiError> {
        let role = Role::parse(&body.role).ok_or_else(|| {
            ApiError::invalid_request("role must be \"admin\", \"sales\" or \"widget\"")
        })?;
        let name = body.name.trim();
        if name.is_empty() || name.chars().count() > 100 || !is_plain_text(name) {
            return Err(ApiError::invalid_request(
                "name must be 1 to 100 characters without control or invisible formatting characters",
            ));
        }
        let id = match body.id {
            Some(id) => id,
            None => format!(
                "client-{}",
                &uuid::Uuid::new_v4().simple().to_string()[..12]
            ),
        };
        Ok(Self {
            id: ClientId::parse(&id)
                .map_err(|error| ApiError::invalid_request(error.to_string()))?,
            name: name.to_owned(),
            role,
        })
    }
}

/// A client with its key, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientCreated {
    /// The id.
    #[schema(examples("webshop"))]
    pub id: String,
    /// The name.
    #[schema(examples("webshop"))]
    pub name: String,
    /// The role.
    #[schema(value_type = ClientRole)]
    pub role: &'static str,
    /// The API key, for the `X-API-Key` header; shown only in this answer (a retry with the
    /// same `Idempotency-Key` answers the client without it).
    #[schema(required = false)]
    pub key: String,
}

/// A client as listed: never its key or the key's digest.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientDto {
    #[schema(examples("webshop"))]
    id: String,
    #[schema(examples("The Web Shop"))]
    name: String,
    #[schema(value_type = ClientRole)]
    role: &'static str,
    /// True once revoked: its key answers 401.
    revoked: bool,
}

impl From<&Client> for ClientDto {
    fn from(client: &Client) -> Self {
        Self {
            id: client.id.to_string(),
            name: client.name.clone(),
            role: client.role.as_str(),
            revoked: client.revoked,
        }
    }
}

/// `GET /clients`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({"clients": [
    {"id": "admin", "name": "admin", "role": "admin", "revoked": false},
    {"id": "webshop", "name": "The Web Shop", "role": "sales", "revoked": false}
]})))]
pub struct ClientList {
    /// Every client, revoked ones included, by id.
    clients: Vec<ClientDto>,
}

impl ClientList {
    /// Lists `clients`.
    pub fn new(clients: &[Client]) -> Self {
        Self {
            clients: clients.iter().map(ClientDto::from).collect(),
        }
    }
}
