//! The kinds of entity.

use crate::error::{Error, Result};

/// The kinds of entity, with MSTICPy's class names ([`EntityType::name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityType {
    /// [`Host`].
    Host,
    /// [`Account`].
    Account,
    /// [`IpAddress`].
    IpAddress,
    /// [`Url`].
    Url,
    /// [`Dns`].
    Dns,
    /// [`Process`].
    Process,
    /// [`File`].
    File,
    /// [`FileHash`].
    FileHash,
    /// [`NetworkConnection`].
    NetworkConnection,
    /// [`HostLogonSession`].
    HostLogonSession,
    /// [`RegistryKey`].
    RegistryKey,
    /// [`RegistryValue`].
    RegistryValue,
    /// [`Alert`].
    Alert,
    /// [`Malware`].
    Malware,
    /// [`AzureResource`].
    AzureResource,
    /// [`CloudApplication`].
    CloudApplication,
    /// [`Mailbox`].
    Mailbox,
    /// [`MailMessage`].
    MailMessage,
    /// [`GeoLocation`].
    GeoLocation,
    /// A type huntbook does not model ([`Entity::Unknown`]).
    Unknown,
}

impl EntityType {
    /// Every modelled type, in a stable order.
    pub const ALL: [EntityType; 19] = [
        Self::Host,
        Self::Account,
        Self::IpAddress,
        Self::Url,
        Self::Dns,
        Self::Process,
        Self::File,
        Self::FileHash,
        Self::NetworkConnection,
        Self::HostLogonSession,
        Self::RegistryKey,
        Self::RegistryValue,
        Self::Alert,
        Self::Malware,
        Self::AzureResource,
        Self::CloudApplication,
        Self::Mailbox,
        Self::MailMessage,
        Self::GeoLocation,
    ];

    /// MSTICPy's class name (`IpAddress`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Host => "Host",
            Self::Account => "Account",
            Self::IpAddress => "IpAddress",
            Self::Url => "Url",
            Self::Dns => "Dns",
            Self::Process => "Process",
            Self::File => "File",
            Self::FileHash => "FileHash",
            Self::NetworkConnection => "NetworkConnection",
            Self::HostLogonSession => "HostLogonSession",
            Self::RegistryKey => "RegistryKey",
            Self::RegistryValue => "RegistryValue",
            Self::Alert => "Alert",
            Self::Malware => "Malware",
            Self::AzureResource => "AzureResource",
            Self::CloudApplication => "CloudApplication",
            Self::Mailbox => "Mailbox",
            Self::MailMessage => "MailMessage",
            Self::GeoLocation => "GeoLocation",
            Self::Unknown => "Unknown",
        }
    }

    /// The `Type` value alert JSON uses (`ip`, `host-logon-session`, …).
    pub fn json_type(self) -> &'static str {
        match self {
            Self::Host => "host",
            Self::Account => "account",
            Self::IpAddress => "ip",
            Self::Url => "url",
            Self::Dns => "dns",
            Self::Process => "process",
            Self::File => "file",
            Self::FileHash => "filehash",
            Self::NetworkConnection => "network-connection",
            Self::HostLogonSession => "host-logon-session",
            Self::RegistryKey => "registry-key",
            Self::RegistryValue => "registry-value",
            Self::Alert => "alert",
            Self::Malware => "malware",
            Self::AzureResource => "azure-resource",
            Self::CloudApplication => "cloud-application",
            Self::Mailbox => "mailbox",
            Self::MailMessage => "mail-message",
            Self::GeoLocation => "geolocation",
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
            "host" => Self::Host,
            "account" | "user" => Self::Account,
            "ip" | "ipaddress" | "ipaddr" => Self::IpAddress,
            "url" => Self::Url,
            "dns" | "dnsresolution" | "domain" => Self::Dns,
            "process" => Self::Process,
            "file" => Self::File,
            "filehash" | "hash" => Self::FileHash,
            "networkconnection" => Self::NetworkConnection,
            "hostlogonsession" | "logonsession" => Self::HostLogonSession,
            "registrykey" => Self::RegistryKey,
            "registryvalue" => Self::RegistryValue,
            "alert" | "securityalert" => Self::Alert,
            "malware" => Self::Malware,
            "azureresource" => Self::AzureResource,
            "cloudapplication" | "cloudapp" => Self::CloudApplication,
            "mailbox" => Self::Mailbox,
            "mailmessage" => Self::MailMessage,
            "geolocation" | "location" => Self::GeoLocation,
            _ => return None,
        })
    }

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
