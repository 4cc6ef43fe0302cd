//! `POST /clients`: the request and the answer that shows the new key once.

use super::*;

/// `POST /clients`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({"name": "webshop", "role": "sales"}),
    json!({"name": "Red Chair Tickets", "role": "sales", "channel": "redchair"}),
    json!({"name": "Fringe Productions", "role": "organizer", "events": ["holdfast-revue"]})))]
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
    /// The events the key may act on (required for an `organizer`; for a key an organizer
    /// makes, a subset of its own and its own when omitted); omitted for every event.
    #[schema(max_items = 100, value_type = Option<Vec<String>>,
        examples(json!(["holdfast-revue"])))]
    pub events: Option<Vec<String>>,
    /// The sales channel the key sells for: it may hold what is allocated to that channel.
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$", examples("redchair"))]
    pub channel: Option<String>,
}

/// The most events a key may be limited to.
pub const CLIENT_EVENTS_MAX: usize = 100;

/// A client to create, converted from [`CreateClient`].
pub struct NewClient {
    /// The given id, or a generated one.
    pub id: ClientId,
    /// The trimmed name.
    pub name: String,
    /// The role.
    pub role: Role,
    /// The events it is limited to (empty: every event, or the creator's).
    pub events: Vec<EventId>,
    /// Its channel.
    pub channel: Option<String>,
}

impl TryFrom<CreateClient> for NewClient {
    type Error = ApiError;

    /// Judges the body on its own, so its faults rank before the key's (400 before 401, 403).
    fn try_from(body: CreateClient) -> Result<Self, ApiError> {
        let role = Role::parse(&body.role).ok_or_else(|| {
            ApiError::invalid_request(
                "role must be \"admin\", \"organizer\", \"sales\" or \"widget\"",
            )
        })?;
        let events = body.events.unwrap_or_default();
        if events.len() > CLIENT_EVENTS_MAX {
            return Err(ApiError::invalid_request(format!(
                "events lists at most {CLIENT_EVENTS_MAX} events"
            )));
        }
        let mut events = events
            .iter()
            .map(|event| EventId::parse(event))
            .collect::<Result<Vec<EventId>, _>>()
            .map_err(|error| ApiError::invalid_request(error.to_string()))?;
        events.sort();
        events.dedup();
        let channel = body
            .channel
            .map(|channel| channel_name(&channel))
            .transpose()?;
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
            events,
            channel,
        })
    }
}

/// Checks a channel name: a slug `[A-Za-z0-9_-]{1,64}`, like an id.
///
/// # Errors
/// 400 for anything else.
pub fn channel_name(text: &str) -> Result<String, ApiError> {
    let fits = (1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if fits {
        Ok(text.to_owned())
    } else {
        Err(ApiError::invalid_request(
            "a channel is 1 to 64 letters, digits, '-' or '_'",
        ))
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
    /// The events it may act on; empty for every event.
    pub events: Vec<String>,
    /// Its sales channel, if any.
    #[schema(examples("redchair"))]
    pub channel: Option<String>,
    /// The API key, for the `X-API-Key` header; shown only in this answer (a retry with the
    /// same `Idempotency-Key` answers the client without it).
    #[schema(required = false)]
    pub key: String,
}

impl ClientCreated {
    /// The answer to a creation or rotation of `client`, with its new `key`.
    pub fn new(client: &Client, key: String) -> Self {
        Self {
            id: client.id.to_string(),
            name: client.name.clone(),
            role: client.role.as_str(),
            events: client
                .scope
                .events
                .iter()
                .map(ToString::to_string)
                .collect(),
            channel: client.scope.channel.clone(),
            key,
        }
    }
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
    /// The events it may act on; empty for every event.
    events: Vec<String>,
    /// Its sales channel, if any.
    channel: Option<String>,
    /// The organizer that made it, if one did.
    created_by: Option<String>,
}

impl From<&Client> for ClientDto {
    fn from(client: &Client) -> Self {
        Self {
            id: client.id.to_string(),
            name: client.name.clone(),
            role: client.role.as_str(),
            revoked: client.revoked,
            events: client
                .scope
                .events
                .iter()
                .map(ToString::to_string)
                .collect(),
            channel: client.scope.channel.clone(),
            created_by: client.scope.created_by.as_ref().map(ToString::to_string),
        }
    }
}

/// `GET /clients`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(examples(json!({"clients": [
    {"id": "admin", "name": "admin", "role": "admin", "revoked": false, "events": [],
        "channel": null, "created_by": null},
    {"id": "webshop", "name": "The Web Shop", "role": "sales", "revoked": false,
        "events": [], "channel": "redchair", "created_by": null}
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
