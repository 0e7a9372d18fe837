//! The kinds of entity: the one table of entity types (`for_each_kind!`),
//! from which [`EntityType`] here and `Entity` in the parent module are
//! generated.

use crate::error::{Error, Result};

/// Calls `$m!` with the table of modelled entity types, one row each:
/// `Variant "json-type" ["parse", "aliases"]`. `Variant` is MSTICPy's class
/// name, the [`EntityType`] variant, the `Entity` variant and its struct;
/// `json-type` is the alert JSON `Type`; the aliases are the normalised
/// (lower case, no `-`/`_`/space) names [`EntityType::parse`] accepts.
macro_rules! for_each_kind {
    ($m:ident) => {
        $m! {
            Host "host" ["host"],
            Account "account" ["account", "user"],
            IpAddress "ip" ["ip", "ipaddress", "ipaddr"],
            Url "url" ["url"],
            Dns "dns" ["dns", "dnsresolution", "domain"],
            Process "process" ["process"],
            File "file" ["file"],
            FileHash "filehash" ["filehash", "hash"],
            NetworkConnection "network-connection" ["networkconnection"],
            HostLogonSession "host-logon-session" ["hostlogonsession", "logonsession"],
            RegistryKey "registry-key" ["registrykey"],
            RegistryValue "registry-value" ["registryvalue"],
            Alert "alert" ["alert", "securityalert"],
            Malware "malware" ["malware"],
            AzureResource "azure-resource" ["azureresource"],
            CloudApplication "cloud-application" ["cloudapplication", "cloudapp"],
            Mailbox "mailbox" ["mailbox"],
            MailMessage "mail-message" ["mailmessage"],
            GeoLocation "geolocation" ["geolocation", "location"],
        }
    };
}
pub(super) use for_each_kind;

macro_rules! entity_type {
    ($($t:ident $json:literal [$($alias:literal),+],)*) => {
        /// The kinds of entity, with MSTICPy's class names ([`EntityType::name`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EntityType {
            $(
                #[doc = concat!("[`", stringify!($t), "`].")]
                $t,
            )*
            /// A type huntbook does not model ([`Entity::Unknown`]).
            Unknown,
        }

        /// How many types are modelled.
        const MODELLED: usize = [$(stringify!($t)),*].len();

        impl EntityType {
            /// Every modelled type, in a stable order.
            pub const ALL: [EntityType; MODELLED] = [$(Self::$t),*];

            /// MSTICPy's class name (`IpAddress`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$t => stringify!($t),)*
                    Self::Unknown => "Unknown",
                }
            }

            /// The `Type` value alert JSON uses (`ip`, `host-logon-session`, …).
            pub fn json_type(self) -> &'static str {
                match self {
                    $(Self::$t => $json,)*
                    Self::Unknown => "unknown",
                }
            }

            /// Parses a class name, an alert `Type` or a Sentinel `kind`
            /// (case, `-`, `_` and spaces ignored): `IpAddress`, `ip`, `Ip`,
            /// `host-logon-session`, `DnsResolution`, `SecurityAlert` …
            pub fn parse(text: &str) -> Option<Self> {
                let key: String = text
                    .chars()
                    .filter(|c| !matches!(c, '-' | '_' | ' '))
                    .flat_map(char::to_lowercase)
                    .collect();
                Some(match key.as_str() {
                    $($($alias)|+ => Self::$t,)*
                    _ => return None,
                })
            }
        }
    };
}
for_each_kind!(entity_type);

impl EntityType {
    /// Like [`parse`](Self::parse), with an error listing the known names.
    pub fn from_name(text: &str) -> Result<Self> {
        Self::parse(text).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|t| t.name()).collect();
            Error::invalid(
                format!("entity type '{text}'"),
                format!("unknown; use one of: {}", names.join(", ")),
            )
        })
    }
}

impl std::fmt::Display for EntityType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
