//! Parsing and rendering at the HTTP edge: RFC 3339 times, ticket ids, and JSON objects that
//! refuse a key given twice.

use super::*;
/// Renders engine time as RFC 3339 in UTC with `Z`.
pub fn format_time(at: Timestamp) -> String {
    at.to_string()
}

/// Parses an RFC 3339 time with any offset.
///
/// # Errors
/// 400 for anything else.
pub fn parse_time(field: &str, text: &str) -> Result<Timestamp, ApiError> {
    DateTime::parse_from_rfc3339(text)
        .map(|time| Timestamp(time.timestamp_millis()))
        .map_err(|_| {
            ApiError::invalid_request(format!(
                "{field} must be an RFC 3339 time, e.g. 2026-12-04T19:30:00Z"
            ))
        })
}

fn parse_ticket(text: &str) -> Result<TicketId, ApiError> {
    TicketId::parse(text).map_err(|error| ApiError::invalid_request(error.to_string()))
}

/// Parses ticket ids, refusing repeats.
pub(crate) fn parse_tickets(field: &str, texts: &[String]) -> Result<Vec<TicketId>, ApiError> {
    let tickets = texts
        .iter()
        .map(|t| parse_ticket(t))
        .collect::<Result<Vec<_>, _>>()?;
    let mut sorted: Vec<&TicketId> = tickets.iter().collect();
    sorted.sort();
    if let Some(pair) = sorted.windows(2).find(|pair| pair[0] == pair[1]) {
        return Err(ApiError::invalid_request(format!(
            "{field}: ticket {} appears more than once",
            pair[0]
        ))
        .with_tickets(vec![pair[0].to_string()]));
    }
    Ok(tickets)
}

/// A JSON object read into a map that refuses a key given twice.
///
/// serde_json keeps the last of two equal keys without a word, so
/// `{"STANDING": 1, "STANDING": 9}` would hold nine places for a client that may have meant
/// one; a body that says two things is malformed (400), and the error names the key. Struct
/// fields need no such help: serde's derive already refuses a field given twice.
#[derive(Debug)]
pub struct UniqueKeys<V>(pub(super) BTreeMap<String, V>);

impl<V> UniqueKeys<V> {
    /// Returns the map.
    pub fn into_inner(self) -> BTreeMap<String, V> {
        self.0
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for UniqueKeys<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(UniqueKeysVisitor(PhantomData))
    }
}

struct UniqueKeysVisitor<V>(PhantomData<V>);

impl<'de, V: Deserialize<'de>> de::Visitor<'de> for UniqueKeysVisitor<V> {
    type Value = UniqueKeys<V>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut map = BTreeMap::new();
        // One lookup per key, as building the map takes anyway: n keys cost O(n log n).
        while let Some(key) = access.next_key::<String>()? {
            match map.entry(key) {
                Entry::Occupied(entry) => {
                    let key: String = entry.key().chars().take(64).collect();
                    return Err(de::Error::custom(format_args!("duplicate key {key:?}")));
                }
                Entry::Vacant(entry) => {
                    entry.insert(access.next_value()?);
                }
            }
        }
        Ok(UniqueKeys(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_refuses_a_key_given_twice_and_names_it() {
        let error = serde_json::from_str::<UniqueKeys<u32>>(r#"{"STANDING": 1, "STANDING": 9}"#)
            .expect_err("a key given twice");
        assert!(
            error.to_string().contains(r#"duplicate key "STANDING""#),
            "{error}"
        );
        let map = serde_json::from_str::<UniqueKeys<u32>>(r#"{"STANDING": 1, "BOX": 2}"#)
            .expect("distinct keys");
        assert_eq!(
            map.0,
            BTreeMap::from([("BOX".into(), 2), ("STANDING".into(), 1)])
        );
    }

    #[test]
    fn a_struct_refuses_a_field_given_twice() {
        let error = serde_json::from_str::<CreateTransaction>(
            r#"{"tickets": ["p1:S-A1"], "tickets": ["p1:S-A2"]}"#,
        )
        .expect_err("a field given twice");
        assert!(error.to_string().contains("duplicate field"), "{error}");
    }

    #[test]
    fn plain_text_refuses_invisible_formatting_but_keeps_joiners_and_scripts() {
        for text in [
            "Joe User",
            "Zoë Ō'Brien",
            "جو",
            "می\u{200c}خواهم",
            "👩\u{200d}👩\u{200d}👧",
        ] {
            assert!(is_plain_text(text), "{text:?}");
        }
        for text in [
            "Joe\u{200b} User",
            "shop\u{202e}gnp.exe",
            "a\u{2066}b\u{2069}",
            "\u{feff}Joe",
            "Joe\u{ad}User",
            "tab\there",
        ] {
            assert!(!is_plain_text(text), "{text:?}");
        }
    }
}
