//! What an entity is called and when two are the same: descriptions,
//! identity keys, merging and attribute access by MSTICPy name.

use super::Entity;
use crate::error::{Error, Result};
use serde_json::Value;

impl Entity {
    /// A short human description (`MSTICALERTSWIN1`, `CONTOSO\ian`,
    /// `mimikatz.exe [0x6b8] .\mimikatz.exe`).
    pub fn description(&self) -> String {
        let s = |o: &Option<String>| o.clone().unwrap_or_default();
        match self {
            Entity::Host(h) => h.fqdn(),
            Entity::Account(a) => a.qualified_name(),
            Entity::IpAddress(i) => s(&i.address),
            Entity::Url(u) => s(&u.url),
            Entity::Dns(d) => s(&d.domain_name),
            Entity::Process(p) => {
                let name = p.process_name().unwrap_or_default();
                let pid = s(&p.process_id);
                let cmd = s(&p.command_line);
                format!("{name} [{pid}] {cmd}").trim().to_string()
            }
            Entity::File(f) => f.full_path(),
            Entity::FileHash(h) => format!("{}: {}", s(&h.algorithm), s(&h.value)),
            Entity::NetworkConnection(n) => format!(
                "{}:{} → {}:{} {}",
                n.source_address
                    .as_ref()
                    .and_then(|a| a.address.clone())
                    .unwrap_or_default(),
                n.source_port.map(|p| p.to_string()).unwrap_or_default(),
                n.destination_address
                    .as_ref()
                    .and_then(|a| a.address.clone())
                    .unwrap_or_default(),
                n.destination_port
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
                s(&n.protocol)
            ),
            Entity::HostLogonSession(l) => format!(
                "{} on {} ({})",
                l.account
                    .as_ref()
                    .map(|a| a.qualified_name())
                    .unwrap_or_default(),
                l.host.as_ref().map(|h| h.fqdn()).unwrap_or_default(),
                s(&l.session_id)
            ),
            Entity::RegistryKey(k) => format!("{}\\{}", s(&k.hive), s(&k.key)),
            Entity::RegistryValue(v) => format!(
                "{}\\{} = {}",
                v.key
                    .as_ref()
                    .map(|k| format!("{}\\{}", s(&k.hive), s(&k.key)))
                    .unwrap_or_default(),
                s(&v.name),
                s(&v.value)
            ),
            Entity::Alert(a) => format!("{} ({})", s(&a.display_name), s(&a.severity)),
            Entity::Malware(m) => format!("{} ({})", s(&m.name), s(&m.category)),
            Entity::AzureResource(r) => s(&r.resource_id),
            Entity::CloudApplication(c) => {
                s(&c.name).to_string()
                    + &c.app_id
                        .as_ref()
                        .map(|i| format!(" ({i})"))
                        .unwrap_or_default()
            }
            Entity::Mailbox(m) => s(&m.mailbox_primary_address),
            Entity::MailMessage(m) => {
                format!("{} → {}: {}", s(&m.sender), s(&m.recipient), s(&m.subject))
            }
            Entity::GeoLocation(g) => [&g.city, &g.state, &g.country_or_region_name]
                .iter()
                .filter_map(|x| x.as_deref())
                .collect::<Vec<_>>()
                .join(", "),
            Entity::Unknown {
                entity_type,
                properties,
            } => {
                format!("{entity_type} ({} properties)", properties.len())
            }
        }
    }

    /// The identity key: two entities with the same key are the same thing
    /// (`host:msticalertswin1`, `ip:10.0.0.1`). Case-insensitive parts are
    /// lower-cased; an IP is normalised when it parses.
    pub fn identity(&self) -> String {
        let lc = |s: String| s.to_lowercase();
        let o = |o: &Option<String>| o.clone().unwrap_or_default();
        let key = match self {
            Entity::Host(h) => lc(h.fqdn()),
            Entity::Account(a) => {
                let q = a.qualified_name();
                if !q.is_empty() {
                    lc(q)
                } else {
                    lc(a.sid
                        .clone()
                        .or_else(|| a.aad_user_id.clone())
                        .unwrap_or_default())
                }
            }
            Entity::IpAddress(i) => match i.ip() {
                Some(ip) => ip.to_string(),
                None => o(&i.address),
            },
            Entity::Url(u) => o(&u.url),
            Entity::Dns(d) => lc(o(&d.domain_name).trim_end_matches('.').to_string()),
            Entity::Process(p) => lc(format!(
                "{}|{}|{}|{}",
                p.host.as_ref().map(|h| h.fqdn()).unwrap_or_default(),
                o(&p.process_id),
                o(&p.creation_time_utc),
                p.process_file_path().unwrap_or_default()
            )),
            Entity::File(f) => lc(format!(
                "{}|{}",
                f.full_path(),
                f.file_hash().unwrap_or_default()
            )),
            Entity::FileHash(h) => lc(o(&h.value)),
            Entity::HostLogonSession(l) => lc(format!(
                "{}|{}",
                l.host.as_ref().map(|h| h.fqdn()).unwrap_or_default(),
                o(&l.session_id)
            )),
            Entity::Alert(a) => o(&a.system_alert_id),
            Entity::AzureResource(r) => lc(o(&r.resource_id)),
            Entity::CloudApplication(c) => c.app_id.clone().unwrap_or_else(|| lc(o(&c.name))),
            Entity::Mailbox(m) => lc(o(&m.mailbox_primary_address)),
            Entity::MailMessage(m) => m
                .network_message_id
                .clone()
                .unwrap_or_else(|| o(&m.internet_message_id)),
            _ => lc(self.description()),
        };
        format!("{}:{key}", self.entity_type().json_type())
    }

    /// Whether `other` is the same thing (same type and identity).
    pub fn same_as(&self, other: &Entity) -> bool {
        self.identity() == other.identity()
    }

    /// Merges two views of the same entity: properties missing (or null)
    /// in `self` are taken from `other`; where both have a value, `self`'s
    /// wins. Entities with different identities are an error.
    pub fn merge(&self, other: &Entity) -> Result<Entity> {
        if !self.same_as(other) {
            return Err(Error::invalid(
                "entity merge",
                format!(
                    "'{}' and '{}' are different entities",
                    self.identity(),
                    other.identity()
                ),
            ));
        }
        let mut a = self.to_json();
        if let (Value::Object(am), Value::Object(bm)) = (&mut a, other.to_json()) {
            for (k, v) in bm {
                match am.get(&k) {
                    None | Some(Value::Null) => {
                        am.insert(k, v);
                    }
                    _ => {}
                }
            }
        }
        Self::from_resolved(a)
    }

    /// An attribute by MSTICPy name, as text: a property (`Address`,
    /// `CommandLine`, `Host` → the host's fqdn), or a computed one (`fqdn`,
    /// `qualified_name`, `file_hash`, `ProcessFilePath`, `ProcessName`,
    /// `FullPath`). `None` when the entity has no such value.
    pub fn attr(&self, name: &str) -> Option<String> {
        let computed = match (self, name) {
            (Entity::Host(h), "fqdn") => Some(h.fqdn()),
            (Entity::Account(a), "qualified_name" | "QualifiedName") => Some(a.qualified_name()),
            (Entity::File(f), "file_hash") => f.file_hash(),
            (Entity::File(f), "FullPath" | "full_path") => Some(f.full_path()),
            (Entity::Process(p), "ProcessFilePath") => p.process_file_path(),
            (Entity::Process(p), "ProcessName") => p.process_name(),
            (Entity::Process(p), "LogonSession") => p
                .logon_session
                .as_ref()
                .and_then(|l| l.session_id.clone())
                .or_else(|| p.account.as_ref().and_then(|a| a.logon_id.clone())),
            (Entity::Url(u), "Host") => u.host(),
            (_, "description") => Some(self.description()),
            _ => None,
        };
        if computed.is_some() {
            return computed.filter(|s| !s.is_empty());
        }
        let json = self.to_json();
        let v = json.get(name).or_else(|| {
            json.as_object()?
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })?;
        match v {
            Value::Null => None,
            Value::String(s) => Some(s.clone()).filter(|s| !s.is_empty()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            Value::Object(_) => {
                let mut inner = v.clone();
                if let Value::Object(m) = &mut inner
                    && !m.contains_key("Type")
                {
                    let ty = match name {
                        "Host" => "host",
                        "Account" => "account",
                        "ImageFile" | "File" => "file",
                        "ParentProcess" => "process",
                        "LogonSession" => "host-logon-session",
                        "Location" => "geolocation",
                        "Key" => "registry-key",
                        _ => "ip",
                    };
                    m.insert("Type".into(), Value::String(ty.into()));
                }
                Self::from_resolved(inner).ok().map(|e| e.description())
            }
            Value::Array(items) => Some(
                items
                    .iter()
                    .map(|i| match i {
                        Value::String(s) => s.clone(),
                        Value::Object(m) => m
                            .values()
                            .find_map(|x| x.as_str().map(str::to_string))
                            .unwrap_or_default(),
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        }
    }
}
