//! Lenient (de)serialisers for entity fields: alert JSON from different
//! products spells the same field as a string, a number or a boolean, and
//! nested entities arrive with their own `Type`/`$id` keys.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// Removes the keys that describe an object rather than its properties.
pub(crate) fn strip_meta(mut v: Value) -> Value {
    if let Value::Object(map) = &mut v {
        map.remove("Type");
        map.remove("type");
        map.remove("kind");
        map.remove("$id");
    }
    v
}

/// A scalar as text: strings as they are, numbers and booleans written out;
/// `null` and empty objects/arrays are `None`.
pub(crate) fn string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    Ok(match v {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        Some(other) => Some(other.to_string()),
    })
}

/// A boolean from `true`/`false`, `"true"`/`"false"` (any case) or 0/1.
pub(crate) fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    Ok(match v {
        Some(Value::Bool(b)) => Some(b),
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Some(true),
            "false" | "0" | "no" => Some(false),
            _ => None,
        },
        Some(Value::Number(n)) => n.as_i64().map(|i| i != 0),
        _ => None,
    })
}

/// A number from a JSON number or numeric text (`"443"`).
pub(crate) fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let v = Option::<Value>::deserialize(d)?;
    Ok(match v {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

/// An integer port or count from a number or text; out-of-range is `None`.
pub(crate) fn port<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    Ok(number(d)?.and_then(|f| {
        if f.fract() == 0.0 && (0.0..=65535.0).contains(&f) {
            Some(f as u16)
        } else {
            None
        }
    }))
}

/// A nested entity of a known type (its `Type`/`$id` keys dropped). An
/// unresolved `{"$ref": ..}` (a cycle or a dangling link) becomes an empty
/// entity holding the `$ref` in its additional properties.
pub(crate) fn nested<'de, D, T>(d: D) -> Result<Option<Box<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let v = Option::<Value>::deserialize(d)?;
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::Object(_)) => serde_json::from_value(strip_meta(v))
            .map(|t| Some(Box::new(t)))
            .map_err(D::Error::custom),
        Some(_) => Ok(None),
    }
}

/// A list of nested entities of a known type; a single object is a list of one.
pub(crate) fn nested_list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let v = Option::<Value>::deserialize(d)?;
    let items = match v {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(o @ Value::Object(_)) => vec![o],
        Some(_) => return Ok(Vec::new()),
    };
    items
        .into_iter()
        .filter(|i| i.is_object())
        .map(|i| serde_json::from_value(strip_meta(i)).map_err(D::Error::custom))
        .collect()
}
