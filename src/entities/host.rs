//! Hosts, accounts and logon sessions.

use super::network::IpAddress;
use super::serde_util as de;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A computer (MSTICPy's `Host`). Identity: the fully-qualified name
/// ([`Host::fqdn`]), case-insensitive.
///
/// ```
/// use huntbook::entities::Host;
/// let h = Host::new("web01").dns_domain("contoso.com");
/// assert_eq!(h.fqdn(), "web01.contoso.com");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Host {
    /// The DNS domain (`contoso.com`).
    #[serde(
        rename = "DnsDomain",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub dns_domain: Option<String>,
    /// The NT domain.
    #[serde(
        rename = "NTDomain",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub nt_domain: Option<String>,
    /// The host name (without the domain).
    #[serde(
        rename = "HostName",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub host_name: Option<String>,
    /// The NetBIOS name.
    #[serde(
        rename = "NetBiosName",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub net_bios_name: Option<String>,
    /// The Azure resource id of the VM.
    #[serde(
        rename = "AzureID",
        alias = "AzureId",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub azure_id: Option<String>,
    /// The Log Analytics (OMS) agent id.
    #[serde(
        rename = "OMSAgentID",
        alias = "OmsAgentId",
        alias = "OmsAgentID",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub oms_agent_id: Option<String>,
    /// The OS family (`Windows`, `Linux`).
    #[serde(
        rename = "OSFamily",
        alias = "OsFamily",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub os_family: Option<String>,
    /// The OS version.
    #[serde(
        rename = "OSVersion",
        alias = "OsVersion",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub os_version: Option<String>,
    /// Whether the host is joined to a domain.
    #[serde(
        rename = "IsDomainJoined",
        deserialize_with = "de::boolean",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_domain_joined: Option<bool>,
    /// Addresses of the host (huntbook's addition: Azure VM and heartbeat
    /// data name them; MSTICPy's Host has no such field).
    #[serde(
        rename = "IpAddresses",
        deserialize_with = "de::nested_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub ip_addresses: Vec<IpAddress>,
    /// Properties huntbook has no field for, kept as they came.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

impl Host {
    /// A host from its name; a dotted name is split into host name and DNS domain.
    pub fn new(name: &str) -> Self {
        let name = name.trim();
        match name.split_once('.') {
            Some((h, d))
                if !h.is_empty() && !d.is_empty() && name.parse::<std::net::IpAddr>().is_err() =>
            {
                Self {
                    host_name: Some(h.to_string()),
                    dns_domain: Some(d.to_string()),
                    ..Self::default()
                }
            }
            _ => Self {
                host_name: Some(name.to_string()),
                ..Self::default()
            },
        }
    }

    /// Sets the DNS domain.
    pub fn dns_domain(mut self, domain: &str) -> Self {
        self.dns_domain = Some(domain.to_string());
        self
    }

    /// Sets the OS family.
    pub fn os_family(mut self, family: &str) -> Self {
        self.os_family = Some(family.to_string());
        self
    }

    /// Sets the Azure resource id.
    pub fn azure_id(mut self, id: &str) -> Self {
        self.azure_id = Some(id.to_string());
        self
    }

    /// Adds an IP address.
    pub fn ip(mut self, address: &str) -> Self {
        self.ip_addresses.push(IpAddress::new(address));
        self
    }

    /// `HostName.DnsDomain`, or the host name (or NetBIOS name) alone when
    /// there is no domain — MSTICPy's `fqdn`.
    pub fn fqdn(&self) -> String {
        let name = self
            .host_name
            .as_deref()
            .filter(|s| !s.is_empty())
            .or(self.net_bios_name.as_deref())
            .unwrap_or("");
        match self.dns_domain.as_deref().filter(|d| !d.is_empty()) {
            Some(d) if !name.is_empty() => format!("{name}.{d}"),
            _ => name.to_string(),
        }
    }
}

/// A user or service account (MSTICPy's `Account`). Identity: the
/// qualified name ([`Account::qualified_name`]), else the SID, else the
/// Azure AD object id, case-insensitive.
///
/// ```
/// use huntbook::entities::Account;
/// let a = Account::new("ian").nt_domain("CONTOSO");
/// assert_eq!(a.qualified_name(), "CONTOSO\\ian");
/// let b = Account::new("ian").upn_suffix("contoso.com");
/// assert_eq!(b.qualified_name(), "ian@contoso.com");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Account {
    /// The account name.
    #[serde(
        rename = "Name",
        alias = "AccountName",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// The NETBIOS domain.
    #[serde(
        rename = "NTDomain",
        alias = "NtDomain",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub nt_domain: Option<String>,
    /// The UPN suffix (`contoso.com`).
    #[serde(
        rename = "UPNSuffix",
        alias = "UpnSuffix",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub upn_suffix: Option<String>,
    /// The host of a local account.
    #[serde(
        rename = "Host",
        deserialize_with = "de::nested",
        skip_serializing_if = "Option::is_none"
    )]
    pub host: Option<Box<Host>>,
    /// The logon id.
    #[serde(
        rename = "LogonId",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub logon_id: Option<String>,
    /// The security identifier.
    #[serde(
        rename = "Sid",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub sid: Option<String>,
    /// The Azure AD tenant id.
    #[serde(
        rename = "AadTenantId",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub aad_tenant_id: Option<String>,
    /// The Azure AD object id.
    #[serde(
        rename = "AadUserId",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub aad_user_id: Option<String>,
    /// The Passport user id.
    #[serde(
        rename = "PUID",
        alias = "Puid",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub puid: Option<String>,
    /// Whether the account belongs to a domain.
    #[serde(
        rename = "IsDomainJoined",
        deserialize_with = "de::boolean",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_domain_joined: Option<bool>,
    /// The display name.
    #[serde(
        rename = "DisplayName",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub display_name: Option<String>,
    /// Properties huntbook has no field for.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

impl Account {
    /// An account from a name; `DOMAIN\name` and `name@suffix` are split.
    pub fn new(name: &str) -> Self {
        let name = name.trim();
        if let Some((d, n)) = name.split_once('\\') {
            return Self {
                name: Some(n.to_string()),
                nt_domain: Some(d.to_string()),
                ..Self::default()
            };
        }
        if let Some((n, s)) = name.split_once('@') {
            return Self {
                name: Some(n.to_string()),
                upn_suffix: Some(s.to_string()),
                ..Self::default()
            };
        }
        Self {
            name: Some(name.to_string()),
            ..Self::default()
        }
    }

    /// Sets the NT domain.
    pub fn nt_domain(mut self, domain: &str) -> Self {
        self.nt_domain = Some(domain.to_string());
        self
    }

    /// Sets the UPN suffix.
    pub fn upn_suffix(mut self, suffix: &str) -> Self {
        self.upn_suffix = Some(suffix.to_string());
        self
    }

    /// `NTDomain\Name`, `Name@UPNSuffix` or `Name` — MSTICPy's `qualified_name`.
    pub fn qualified_name(&self) -> String {
        let name = self.name.as_deref().unwrap_or("");
        if let Some(d) = self.nt_domain.as_deref().filter(|d| !d.is_empty()) {
            return format!("{d}\\{name}");
        }
        if let Some(s) = self.upn_suffix.as_deref().filter(|s| !s.is_empty()) {
            return format!("{name}@{s}");
        }
        name.to_string()
    }
}

/// A logon session on a host (MSTICPy's `HostLogonSession`). Identity: host
/// and session id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HostLogonSession {
    /// The account that logged on.
    #[serde(
        rename = "Account",
        deserialize_with = "de::nested",
        skip_serializing_if = "Option::is_none"
    )]
    pub account: Option<Box<Account>>,
    /// When the session started (ISO 8601 text, as in the source).
    #[serde(
        rename = "StartTimeUtc",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub start_time_utc: Option<String>,
    /// When the session ended.
    #[serde(
        rename = "EndTimeUtc",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub end_time_utc: Option<String>,
    /// The host.
    #[serde(
        rename = "Host",
        deserialize_with = "de::nested",
        skip_serializing_if = "Option::is_none"
    )]
    pub host: Option<Box<Host>>,
    /// The session (logon) id.
    #[serde(
        rename = "SessionId",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub session_id: Option<String>,
    /// Properties huntbook has no field for.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}
