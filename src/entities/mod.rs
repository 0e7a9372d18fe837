//! Entities — the things an investigation is about (hosts, accounts, IP
//! addresses, URLs, processes, files, alerts …) — and pivot functions:
//! every huntbook function that applies to an entity, found from the entity.
//!
//! # Entities
//! [`Entity`] is an enum over typed structs with MSTICPy's field names
//! (`HostName`, `NTDomain`, `Address`, `ProcessId`, `CommandLine`, …) and
//! identity rules ([`Entity::identity`]: a host's fqdn, an account's
//! qualified name, an address, a URL, a hash …). Entities come from code
//! (`IpAddress::new("1.2.3.4")`), from frame rows ([`entities_from_df`],
//! [`alerts_from_df`]) and from alert/incident JSON ([`Entity::from_json`],
//! [`Entity::list_from_json`]): MSTICPy/Sentinel alert entities (`Type`,
//! `$id`/`$ref`) and Sentinel incident entities (`kind` + camelCase
//! `properties`). They serialise back to JSON with a `Type` key, display as
//! an HTML card, and an [`Alert`] shows a graph of its related entities.
//!
//! ```
//! use huntbook::entities::{Entity, EntityType};
//! let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
//!     huntbook::data::bundled("msticpy/testdata/entities.json")?)?)?;
//! let ents = Entity::list_from_json(&json)?;
//! assert_eq!(ents.len(), 7);
//! let Entity::Process(p) = &ents[5] else { panic!() };
//! assert_eq!(p.process_name().as_deref(), Some("mimikatz.exe"));
//! assert_eq!(p.parent_process.as_ref().and_then(|pp| pp.process_id.clone()).as_deref(), Some("0x1558"));
//! assert_eq!(ents[5].attr("Host").as_deref(), Some("MSTICALERTSWIN1"));
//! assert_eq!(ents[0].entity_type(), EntityType::Host);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Pivots
//! [`Pivot`] is the registry (a value, not a global: notebook cells do not
//! share statics). See [`pivot`] for containers, calling conventions,
//! joins, user functions from YAML and pipelines.

pub mod alert;
pub mod cloud;
mod display;
pub mod host;
mod identity;
pub mod json;
mod kind;
pub mod network;
pub mod pivot;
pub mod process;
mod rows;
mod serde_util;

pub use alert::{Alert, Malware};
pub use cloud::{AzureResource, CloudApplication, MailMessage, Mailbox};
pub use display::Entities;
pub use host::{Account, Host, HostLogonSession};
pub use kind::EntityType;
pub use network::{Dns, GeoLocation, IpAddress, NetworkConnection, ThreatIntelligence, Url};
pub use pivot::{
    JoinKind, JoinSpec, PipelineResult, Pivot, PivotFn, PivotHelp, PivotInput, PivotList,
    PivotPipeline, PivotRegistration,
};
pub use process::{File, FileHash, Process, RegistryKey, RegistryValue};
pub use rows::{alerts_from_df, entities_from_df};

use crate::error::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

// `Entity`, its `From`/`EntityKind` impls and the per-type dispatch, from
// the one table of entity types (`kind::for_each_kind!`).
macro_rules! entity_enum {
    ($($t:ident $json:literal [$($alias:literal),+],)*) => {
        /// One entity of any type. Serialises to alert-style JSON with a `Type`
        /// key; deserialises from alert or incident JSON ([`Entity::from_json`]).
        #[derive(Debug, Clone, PartialEq)]
        #[allow(missing_docs)]
        pub enum Entity {
            $($t($t),)*
            /// An entity of a type huntbook does not model, kept whole.
            Unknown {
                /// The `Type`/`kind` as given.
                entity_type: String,
                /// Its properties.
                properties: Map<String, Value>,
            },
        }

        $(
            impl From<$t> for Entity {
                fn from(v: $t) -> Self {
                    Entity::$t(v)
                }
            }

            impl EntityKind for $t {
                const TYPE: EntityType = EntityType::$t;
            }
        )*

        impl Entity {
            /// The entity's type.
            pub fn entity_type(&self) -> EntityType {
                match self {
                    $(Entity::$t(_) => EntityType::$t,)*
                    Entity::Unknown { .. } => EntityType::Unknown,
                }
            }

            /// An entity of type `ty` from its properties (`v`, also as `props`).
            fn typed(
                ty: EntityType,
                v: Value,
                type_text: String,
                props: Map<String, Value>,
            ) -> Result<Entity> {
                Ok(match ty {
                    $(EntityType::$t => Entity::$t(parse_as(v, ty)?),)*
                    EntityType::Unknown => Entity::Unknown {
                        entity_type: type_text,
                        properties: props,
                    },
                })
            }

            /// The properties as JSON, without `Type`.
            fn properties_json(&self) -> serde_json::Result<Value> {
                match self {
                    $(Entity::$t(e) => serde_json::to_value(e),)*
                    Entity::Unknown { properties, .. } => Ok(Value::Object(properties.clone())),
                }
            }
        }
    };
}
kind::for_each_kind!(entity_enum);

/// Sentinel incident entities (`kind` + `properties`) spell properties in
/// camelCase: the first letter is raised (`hostName` → `HostName`), and the
/// struct fields' aliases take the rest (`accountName` → `Name`).
fn pascal_case_keys(props: &Map<String, Value>) -> Map<String, Value> {
    props
        .iter()
        .map(|(k, v)| {
            let mut c = k.chars();
            let key = match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => String::new(),
            };
            (key, pascal_case_value(v))
        })
        .collect()
}

fn pascal_case_value(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(pascal_case_keys(m)),
        Value::Array(items) => Value::Array(items.iter().map(pascal_case_value).collect()),
        other => other.clone(),
    }
}

fn parse_as<T: serde::de::DeserializeOwned>(v: Value, ty: EntityType) -> Result<T> {
    serde_json::from_value(v).map_err(|source| Error::Json {
        context: format!("reading a {} entity", ty.name()),
        source,
    })
}

impl Entity {
    /// One entity from alert JSON (`{"Type": "host", "HostName": ..}`) or a
    /// Sentinel incident entity (`{"kind": "Host", "properties": {..}}`).
    /// `$ref` links inside the value are resolved against `$id`s inside it
    /// (use [`Entity::list_from_json`] for a whole alert's list).
    ///
    /// ```
    /// use huntbook::entities::Entity;
    /// let e = Entity::from_json(&serde_json::json!(
    ///     {"kind": "Account", "properties": {"accountName": "ian", "ntDomain": "CONTOSO"}}))?;
    /// assert_eq!(e.identity(), "account:contoso\\ian");
    /// # Ok::<(), huntbook::Error>(())
    /// ```
    pub fn from_json(value: &Value) -> Result<Entity> {
        let resolved = json::resolve_refs(value)?;
        Self::from_resolved(resolved)
    }

    fn from_resolved(value: Value) -> Result<Entity> {
        let Value::Object(map) = value else {
            return Err(Error::invalid(
                "entity JSON",
                format!("expected an object, got {}", json_kind(&value)),
            ));
        };
        let (type_text, mut props) = if let Some(kind) = map.get("kind").and_then(Value::as_str) {
            let props = match map.get("properties") {
                Some(Value::Object(p)) => pascal_case_keys(p),
                _ => Map::new(),
            };
            (kind.to_string(), props)
        } else {
            let t = map
                .get("Type")
                .or_else(|| map.get("type"))
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    Error::invalid(
                        "entity JSON",
                        "no 'Type' (alert entity) or 'kind' (incident entity) key",
                    )
                })?
                .to_string();
            (t, map)
        };
        props.remove("Type");
        props.remove("type");
        props.remove("kind");
        props.remove("$id");
        let v = Value::Object(props.clone());
        let Some(ty) = EntityType::parse(&type_text) else {
            return Ok(Entity::Unknown {
                entity_type: type_text,
                properties: props,
            });
        };
        Self::typed(ty, v, type_text, props)
    }

    /// Every entity of a JSON list (an alert's `Entities`), a map of id →
    /// entity (MSTICPy's `entities.json`, in numeric key order), or a single
    /// entity, with `$ref` links resolved across all of them.
    pub fn list_from_json(value: &Value) -> Result<Vec<Entity>> {
        let resolved = json::resolve_refs(value)?;
        let items: Vec<Value> = match resolved {
            Value::Array(a) => a,
            Value::Object(m) if m.contains_key("Type") || m.contains_key("kind") => {
                vec![Value::Object(m)]
            }
            Value::Object(m) => {
                let mut pairs: Vec<(String, Value)> = m.into_iter().collect();
                pairs.sort_by(|a, b| match (a.0.parse::<u64>(), b.0.parse::<u64>()) {
                    (Ok(x), Ok(y)) => x.cmp(&y),
                    _ => a.0.cmp(&b.0),
                });
                pairs.into_iter().map(|(_, v)| v).collect()
            }
            other => {
                return Err(Error::invalid(
                    "entity JSON",
                    format!("expected a list or an object, got {}", json_kind(&other)),
                ));
            }
        };
        items
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                Self::from_resolved(v)
                    .map_err(|e| Error::invalid(format!("entity {i}"), e.to_string()))
            })
            .collect()
    }

    /// [`Entity::list_from_json`] on JSON text.
    pub fn list_from_str(text: &str) -> Result<Vec<Entity>> {
        let v: Value = serde_json::from_str(text).map_err(|source| Error::Json {
            context: "reading entity JSON".into(),
            source,
        })?;
        Self::list_from_json(&v)
    }

    /// The entity as alert-style JSON, `Type` first.
    pub fn to_json(&self) -> Value {
        let body = self.properties_json();
        let mut out = Map::new();
        let type_name = match self {
            Entity::Unknown { entity_type, .. } => entity_type.clone(),
            _ => self.entity_type().json_type().to_string(),
        };
        out.insert("Type".into(), Value::String(type_name));
        // Serialising plain structs of strings and maps cannot fail.
        if let Ok(Value::Object(m)) = body {
            out.extend(m);
        }
        Value::Object(out)
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

impl Serialize for Entity {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Entity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        Entity::from_resolved(v).map_err(serde::de::Error::custom)
    }
}

/// The entity types a typed struct belongs to, for typed pivot listings
/// (`IpAddress::pivots(&piv)`).
pub trait EntityKind {
    /// The type.
    const TYPE: EntityType;

    /// The pivots registered for this type.
    fn pivots(piv: &Pivot) -> PivotList {
        piv.list(Some(Self::TYPE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_keeps_every_property() {
        let v = json!({"Type": "process", "ProcessId": "0x6b8", "CommandLine": ".\\mimikatz.exe",
            "ElevationToken": "Default", "Count": 3,
            "ImageFile": {"Directory": "c:\\t", "Name": "mimikatz.exe"},
            "Host": {"HostName": "H1", "DnsDomain": "contoso.com"}});
        let e = Entity::from_json(&v).unwrap();
        let back = Entity::from_json(&e.to_json()).unwrap();
        assert_eq!(e, back);
        assert_eq!(e.to_json()["Count"], 3);
        assert_eq!(e.attr("Host").as_deref(), Some("H1.contoso.com"));
        assert_eq!(
            e.attr("ProcessFilePath").as_deref(),
            Some("c:\\t\\mimikatz.exe")
        );
    }

    #[test]
    fn lenient_scalars() {
        let e = Entity::from_json(&json!({"Type": "network-connection", "SourcePort": "443",
            "DestinationPort": 70000, "SourceAddress": {"Address": "10.0.0.1"}}))
        .unwrap();
        let Entity::NetworkConnection(n) = e else {
            panic!()
        };
        assert_eq!(n.source_port, Some(443));
        assert_eq!(n.destination_port, None);
        let h =
            Entity::from_json(&json!({"Type": "host", "HostName": 42, "IsDomainJoined": "TRUE"}))
                .unwrap();
        let Entity::Host(h) = h else { panic!() };
        assert_eq!(h.host_name.as_deref(), Some("42"));
        assert_eq!(h.is_domain_joined, Some(true));
    }

    #[test]
    fn incident_entity_kinds() {
        let e = Entity::from_json(
            &json!({"kind": "Ip", "properties": {"address": "1.2.3.4", "friendlyName": "x"}}),
        )
        .unwrap();
        assert_eq!(e.identity(), "ip:1.2.3.4");
        assert_eq!(e.to_json()["FriendlyName"], "x");
        let e = Entity::from_json(
            &json!({"kind": "FileHash", "properties": {"algorithm": "SHA256", "hashValue": "AB"}}),
        )
        .unwrap();
        assert_eq!(e.identity(), "filehash:ab");
        let e = Entity::from_json(&json!({"kind": "IoTDevice", "properties": {"deviceId": "d1"}}))
            .unwrap();
        assert_eq!(e.entity_type(), EntityType::Unknown);
        assert_eq!(e.to_json()["Type"], "IoTDevice");
    }

    #[test]
    fn merge_by_identity() {
        let a: Entity = Host::new("web01.contoso.com").into();
        let b: Entity = Host::new("WEB01")
            .dns_domain("CONTOSO.com")
            .os_family("Linux")
            .into();
        let m = a.merge(&b).unwrap();
        let Entity::Host(h) = &m else { panic!() };
        assert_eq!(h.host_name.as_deref(), Some("web01"));
        assert_eq!(h.os_family.as_deref(), Some("Linux"));
        let c: Entity = Host::new("db01").into();
        assert_eq!(
            a.merge(&c).unwrap_err().to_string(),
            "invalid entity merge: 'host:web01.contoso.com' and 'host:db01' are different entities"
        );
    }

    #[test]
    fn bad_json_is_an_error() {
        assert_eq!(
            Entity::from_json(&json!([1])).unwrap_err().to_string(),
            "invalid entity JSON: expected an object, got a list"
        );
        assert_eq!(
            Entity::from_json(&json!({"HostName": "x"}))
                .unwrap_err()
                .to_string(),
            "invalid entity JSON: no 'Type' (alert entity) or 'kind' (incident entity) key"
        );
    }
}
