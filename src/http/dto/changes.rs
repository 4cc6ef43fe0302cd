//! The body of `PATCH /transactions/{id}`: items to add, tickets and places to give up,
//! metadata to merge, and a discount code to apply or remove. Judged on its own (400 for
//! anything malformed) before the transaction is looked at.

use super::*;
use crate::actor::TransactionChange;

/// `PATCH /transactions/{id}`: every field optional, at least one given. A move is a
/// `remove` and an `add` in one change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({
    "add": [{"tickets": ["revue-1:STALLS-A5"]}],
    "remove": ["revue-1:STALLS-A3"],
    "metadata": {"note": "moved to the aisle", "promo": null}
})))]
pub struct ChangeTransaction {
    /// Items to add, in any of the three forms, at the transaction's performances or new ones.
    #[schema(value_type = Option<Vec<CreateTransactionItemForm>>)]
    add: Option<Vec<CreateTransactionItem>>,
    /// Ticket ids to give up; each must be the transaction's.
    #[schema(value_type = Option<Vec<TicketIdText>>)]
    remove: Option<Vec<String>>,
    /// Places to give up.
    remove_general_admission: Option<Vec<RemovePlaces>>,
    /// Keys to set, or to remove with `null`; merged into the transaction's metadata (at most
    /// 32 keys after the merge; keys 1 to 255 characters, values at most 255).
    #[schema(schema_with = metadata_changes_schema)]
    metadata: Option<UniqueKeys<Option<String>>>,
    /// A discount code to apply (any case), replacing one applied before; `null` removes the
    /// code applied. Unknown: 404. Not yet valid, expired, covering none of the tickets, or
    /// with fewer uses left than the tickets it covers: 422 `rule_violation` saying which.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable, pattern = "^[A-Za-z0-9_-]{1,32}$", examples("EARLY10"))]
    discount_code: Option<Option<String>>,
}

/// Tells a field given as `null` (`Some(None)`) from one left out (`None`, by `default`).
fn present<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

/// Places of one pool to give up.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemovePlaces {
    /// The performance id.
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$", examples("revue-1"))]
    performance: String,
    /// The pool code.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", examples("STANDING"))]
    code: String,
    /// How many places; at least 1.
    #[schema(minimum = 1, examples(1))]
    quantity: u32,
    /// Only places of this ticket type; when left out, places of the performance's last
    /// types are given up first.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,32}$", examples("CHILD"))]
    ticket_type: Option<String>,
}

impl TryFrom<ChangeTransaction> for TransactionChange {
    type Error = ApiError;

    fn try_from(body: ChangeTransaction) -> Result<Self, ApiError> {
        let add = body
            .add
            .unwrap_or_default()
            .into_iter()
            .map(HoldRequest::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        let remove = parse_tickets("remove", &body.remove.unwrap_or_default())?;
        let remove_general_admission = body
            .remove_general_admission
            .unwrap_or_default()
            .into_iter()
            .map(|places| {
                if places.quantity == 0 {
                    return Err(ApiError::invalid_request(
                        "remove_general_admission quantities must be at least 1",
                    ));
                }
                let performance = PerformanceId::parse(&places.performance)
                    .map_err(|error| ApiError::invalid_request(error.to_string()))?;
                Ok((
                    performance,
                    PlacesGivenUp {
                        code: places.code,
                        quantity: places.quantity,
                        ticket_type: places.ticket_type,
                    },
                ))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let metadata: BTreeMap<String, Option<String>> = body
            .metadata
            .map(UniqueKeys::into_inner)
            .unwrap_or_default();
        check_metadata(metadata.iter().map(|(key, value)| (key, value.as_ref())))?;
        if let Some(Some(code)) = &body.discount_code {
            normalized_code(code).map_err(|error| ApiError::invalid_request(error.to_string()))?;
        }
        if add.is_empty()
            && remove.is_empty()
            && remove_general_admission.is_empty()
            && metadata.is_empty()
            && body.discount_code.is_none()
        {
            return Err(ApiError::invalid_request(
                "nothing to change: give add, remove, remove_general_admission, metadata or discount_code",
            ));
        }
        Ok(Self {
            add,
            remove,
            remove_general_admission,
            metadata,
            discount_code: body.discount_code,
        })
    }
}
