//! Azure clouds (global, US Government, China) and their endpoints.
//!
//! [`AzureCloud`] holds every endpoint the Microsoft drivers and Azure APIs
//! use: the Azure AD authority host, Azure Resource Manager, the Log
//! Analytics query API and its token scope, the Kusto and storage host
//! suffixes, Microsoft Graph and Microsoft Defender. Each one can be
//! overridden (a private cloud, a proxy, or a test server on 127.0.0.1).
//!
//! The cloud comes from `Azure.cloud` in the settings, with MSTICPy's names
//! (`global`, `usgov`, `cn`); `Azure.resource_manager_url` (MSTICPy's
//! setting) overrides the ARM endpoint, and huntbook's own
//! `Azure.endpoints` mapping overrides any endpoint by key
//! (`authority_host`, `arm`, `log_analytics`, `log_analytics_scope`,
//! `kusto_suffix`, `storage_suffix`, `graph`, `mde`, `m365d`).
//!
//! ```
//! use huntbook::azure::cloud::{AzureCloud, CloudName};
//! let gov = AzureCloud::from_name("usgov")?;
//! assert_eq!(gov.name(), CloudName::UsGov);
//! assert_eq!(gov.arm_endpoint(), "https://management.usgovcloudapi.net");
//! assert_eq!(gov.log_analytics_scope(), "https://api.loganalytics.us/.default");
//! let local = AzureCloud::global().with_log_analytics_endpoint("http://127.0.0.1:8080/");
//! assert_eq!(local.log_analytics_endpoint(), "http://127.0.0.1:8080");
//! # Ok::<(), huntbook::Error>(())
//! ```

use crate::config::Settings;
use crate::error::{Error, Result};
use std::fmt;

/// Which Azure cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CloudName {
    /// Azure public cloud (`global`).
    #[default]
    Global,
    /// Azure US Government (`usgov`).
    UsGov,
    /// Azure China, operated by 21Vianet (`cn`).
    China,
}

impl CloudName {
    /// Parses MSTICPy's names (`global`, `usgov`, `cn`) and common
    /// aliases (`public`, `azurecloud`, `usgovernment`, `china`,
    /// `azurechinacloud`, `azureusgovernment`), case-insensitively.
    pub fn parse(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "global" | "public" | "azurecloud" | "azure" => Ok(Self::Global),
            "usgov" | "usgovernment" | "azureusgovernment" | "gov" => Ok(Self::UsGov),
            "cn" | "china" | "azurechinacloud" => Ok(Self::China),
            other => Err(Error::invalid(
                format!("Azure cloud '{other}'"),
                "expected one of global, usgov, cn",
            )),
        }
    }

    /// MSTICPy's name for the cloud.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Global => "global",
            Self::UsGov => "usgov",
            Self::China => "cn",
        }
    }
}

impl fmt::Display for CloudName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An Azure cloud and its endpoints (every endpoint overridable).
///
/// Endpoint URLs are kept without a trailing `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AzureCloud {
    name: CloudName,
    authority_host: String,
    arm: String,
    log_analytics: String,
    log_analytics_scope: String,
    kusto_suffix: String,
    storage_suffix: String,
    graph: String,
    mde: String,
    m365d: String,
}

impl Default for AzureCloud {
    fn default() -> Self {
        Self::global()
    }
}

fn trim(url: impl Into<String>) -> String {
    let mut s: String = url.into();
    while s.ends_with('/') {
        s.pop();
    }
    s
}

impl AzureCloud {
    /// The endpoints of a cloud.
    pub fn new(name: CloudName) -> Self {
        let (auth, arm, la, kusto, storage, graph, mde, m365d) = match name {
            CloudName::Global => (
                "https://login.microsoftonline.com",
                "https://management.azure.com",
                "https://api.loganalytics.io",
                "kusto.windows.net",
                "core.windows.net",
                "https://graph.microsoft.com",
                "https://api.securitycenter.microsoft.com",
                "https://api.security.microsoft.com",
            ),
            CloudName::UsGov => (
                "https://login.microsoftonline.us",
                "https://management.usgovcloudapi.net",
                "https://api.loganalytics.us",
                "kusto.usgovcloudapi.net",
                "core.usgovcloudapi.net",
                "https://graph.microsoft.us",
                "https://api-gov.securitycenter.microsoft.us",
                "https://api-gov.security.microsoft.us",
            ),
            // Defender for Endpoint has no China endpoint: the global one is
            // kept so that a configured override is the only way to use it.
            CloudName::China => (
                "https://login.chinacloudapi.cn",
                "https://management.chinacloudapi.cn",
                "https://api.loganalytics.azure.cn",
                "kusto.chinacloudapi.cn",
                "core.chinacloudapi.cn",
                "https://microsoftgraph.chinacloudapi.cn",
                "https://api.securitycenter.microsoft.com",
                "https://api.security.microsoft.com",
            ),
        };
        Self {
            name,
            authority_host: auth.into(),
            arm: arm.into(),
            log_analytics: la.into(),
            log_analytics_scope: format!("{la}/.default"),
            kusto_suffix: kusto.into(),
            storage_suffix: storage.into(),
            graph: graph.into(),
            mde: mde.into(),
            m365d: m365d.into(),
        }
    }

    /// The Azure public cloud.
    pub fn global() -> Self {
        Self::new(CloudName::Global)
    }

    /// Azure US Government.
    pub fn us_gov() -> Self {
        Self::new(CloudName::UsGov)
    }

    /// Azure China.
    pub fn china() -> Self {
        Self::new(CloudName::China)
    }

    /// A cloud by MSTICPy name (`global`, `usgov`, `cn`).
    pub fn from_name(name: &str) -> Result<Self> {
        Ok(Self::new(CloudName::parse(name)?))
    }

    /// The cloud in `Azure.cloud` (global when absent), with the
    /// overrides of `Azure.resource_manager_url` and `Azure.endpoints`.
    pub fn from_settings(settings: &Settings) -> Result<Self> {
        let mut cloud = match settings.get("Azure.cloud").and_then(|v| v.as_str()) {
            Some(n) if !n.trim().is_empty() => Self::from_name(n)
                .map_err(|e| Error::invalid("setting Azure.cloud", e.to_string()))?,
            _ => Self::global(),
        };
        if let Some(arm) = settings
            .get("Azure.resource_manager_url")
            .and_then(|v| v.as_str())
            .filter(|s| !s.trim().is_empty())
        {
            cloud = cloud.with_arm_endpoint(arm);
        }
        if let Some(serde_yaml::Value::Mapping(m)) = settings.get("Azure.endpoints") {
            for (k, v) in m {
                let (Some(k), Some(v)) = (k.as_str(), v.as_str()) else {
                    continue;
                };
                cloud = cloud.with_endpoint(k, v).map_err(|_| {
                    Error::invalid(
                        format!("setting Azure.endpoints.{k}"),
                        "unknown endpoint; expected one of authority_host, arm, log_analytics, log_analytics_scope, kusto_suffix, storage_suffix, graph, mde, m365d",
                    )
                })?;
            }
        }
        Ok(cloud)
    }

    /// Overrides one endpoint by key (see the module docs for the keys).
    pub fn with_endpoint(self, key: &str, value: &str) -> Result<Self> {
        Ok(match key.to_ascii_lowercase().as_str() {
            "authority_host" | "authority" => self.with_authority_host(value),
            "arm" | "resource_manager" => self.with_arm_endpoint(value),
            "log_analytics" => self.with_log_analytics_endpoint(value),
            "log_analytics_scope" => {
                let mut s = self;
                s.log_analytics_scope = value.trim().to_string();
                s
            }
            "kusto_suffix" => {
                let mut s = self;
                s.kusto_suffix = value.trim().trim_start_matches('.').to_string();
                s
            }
            "storage_suffix" => {
                let mut s = self;
                s.storage_suffix = value.trim().trim_start_matches('.').to_string();
                s
            }
            "graph" => self.with_graph_endpoint(value),
            "mde" => self.with_mde_endpoint(value),
            "m365d" => {
                let mut s = self;
                s.m365d = trim(value);
                s
            }
            other => {
                return Err(Error::invalid(
                    format!("Azure endpoint '{other}'"),
                    "unknown endpoint key",
                ));
            }
        })
    }

    /// Which cloud.
    pub fn name(&self) -> CloudName {
        self.name
    }

    /// The Azure AD authority host (`https://login.microsoftonline.com`).
    pub fn authority_host(&self) -> &str {
        &self.authority_host
    }

    /// The Azure Resource Manager endpoint (`https://management.azure.com`).
    pub fn arm_endpoint(&self) -> &str {
        &self.arm
    }

    /// The token scope for ARM (`https://management.azure.com/.default`).
    pub fn arm_scope(&self) -> String {
        format!("{}/.default", self.arm)
    }

    /// The Log Analytics query API (`https://api.loganalytics.io`).
    pub fn log_analytics_endpoint(&self) -> &str {
        &self.log_analytics
    }

    /// The token scope for Log Analytics
    /// (`https://api.loganalytics.io/.default`; unchanged when only the
    /// endpoint is overridden, so a test server still asks for the real scope).
    pub fn log_analytics_scope(&self) -> &str {
        &self.log_analytics_scope
    }

    /// The Kusto cluster host suffix (`kusto.windows.net`).
    pub fn kusto_suffix(&self) -> &str {
        &self.kusto_suffix
    }

    /// The storage host suffix (`core.windows.net`).
    pub fn storage_suffix(&self) -> &str {
        &self.storage_suffix
    }

    /// Microsoft Graph (`https://graph.microsoft.com`).
    pub fn graph_endpoint(&self) -> &str {
        &self.graph
    }

    /// The token scope for Microsoft Graph.
    pub fn graph_scope(&self) -> String {
        format!("{}/.default", self.graph)
    }

    /// Microsoft Defender for Endpoint API (`https://api.securitycenter.microsoft.com`).
    pub fn mde_endpoint(&self) -> &str {
        &self.mde
    }

    /// Microsoft 365 Defender API (`https://api.security.microsoft.com`).
    pub fn m365d_endpoint(&self) -> &str {
        &self.m365d
    }

    /// The full URL of a Kusto cluster given by short name (`mycluster` →
    /// `https://mycluster.kusto.windows.net`) or URL (kept, without a
    /// trailing `/`).
    pub fn kusto_cluster_url(&self, cluster: &str) -> String {
        let c = cluster.trim();
        if c.contains("://") {
            trim(c)
        } else if c.contains('.') {
            format!("https://{}", trim(c))
        } else {
            format!("https://{c}.{}", self.kusto_suffix)
        }
    }

    /// Overrides the authority host.
    pub fn with_authority_host(mut self, url: impl Into<String>) -> Self {
        self.authority_host = trim(url);
        self
    }

    /// Overrides the ARM endpoint.
    pub fn with_arm_endpoint(mut self, url: impl Into<String>) -> Self {
        self.arm = trim(url);
        self
    }

    /// Overrides the Log Analytics endpoint (the token scope is kept).
    pub fn with_log_analytics_endpoint(mut self, url: impl Into<String>) -> Self {
        self.log_analytics = trim(url);
        self
    }

    /// Overrides the Graph endpoint.
    pub fn with_graph_endpoint(mut self, url: impl Into<String>) -> Self {
        self.graph = trim(url);
        self
    }

    /// Overrides the Defender for Endpoint endpoint.
    pub fn with_mde_endpoint(mut self, url: impl Into<String>) -> Self {
        self.mde = trim(url);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_endpoints() {
        assert_eq!(CloudName::parse("GLOBAL").unwrap(), CloudName::Global);
        assert_eq!(CloudName::parse("cn").unwrap(), CloudName::China);
        assert_eq!(
            CloudName::parse("mars").unwrap_err().to_string(),
            "invalid Azure cloud 'mars': expected one of global, usgov, cn"
        );
        let cn = AzureCloud::china();
        assert_eq!(cn.authority_host(), "https://login.chinacloudapi.cn");
        assert_eq!(
            cn.log_analytics_scope(),
            "https://api.loganalytics.azure.cn/.default"
        );
        assert_eq!(
            cn.kusto_cluster_url("help"),
            "https://help.kusto.chinacloudapi.cn"
        );
        let g = AzureCloud::global();
        assert_eq!(g.arm_scope(), "https://management.azure.com/.default");
        assert_eq!(
            g.kusto_cluster_url("https://help.kusto.windows.net/"),
            "https://help.kusto.windows.net"
        );
        assert_eq!(
            g.kusto_cluster_url("help.kusto.windows.net"),
            "https://help.kusto.windows.net"
        );
    }

    #[test]
    fn settings_override() {
        let s = Settings::from_yaml_str(
            "Azure:\n  cloud: usgov\n  resource_manager_url: https://arm.local/\n  endpoints:\n    authority_host: http://127.0.0.1:9/\n",
            "t",
        )
        .unwrap();
        let c = AzureCloud::from_settings(&s).unwrap();
        assert_eq!(c.name(), CloudName::UsGov);
        assert_eq!(c.arm_endpoint(), "https://arm.local");
        assert_eq!(c.authority_host(), "http://127.0.0.1:9");
        assert_eq!(c.graph_endpoint(), "https://graph.microsoft.us");
        let bad = Settings::from_yaml_str("Azure:\n  endpoints:\n    nope: x\n", "t").unwrap();
        assert!(
            AzureCloud::from_settings(&bad)
                .unwrap_err()
                .to_string()
                .starts_with("invalid setting Azure.endpoints.nope: unknown endpoint")
        );
    }
}
