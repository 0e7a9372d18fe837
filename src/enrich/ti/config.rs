//! Building a [`TiLookup`] from the `TIProviders` section of
//! `msticpyconfig.yaml` / `huntbook.yaml`.
//!
//! ```yaml
//! TIProviders:
//!   VirusTotal:
//!     Args:
//!       AuthKey:
//!         EnvironmentVar: VT_KEY        # or an inline value (masked everywhere)
//!       RateLimitPerMinute: 4           # huntbook: overrides the default limit
//!       RateLimitPerDay: 500
//!     Primary: True                     # used by default (others only by name)
//!     Provider: VirusTotal
//!   XForce:
//!     Args: {ApiID: {EnvironmentVar: XF_ID}, AuthKey: {EnvironmentVar: XF_KEY}}
//!     Primary: True
//!     Provider: XForce
//!   GreyNoise:
//!     Args: {AuthKey: {EnvironmentVar: GN_KEY}, UseCommunityAPI: False}
//!     Provider: GreyNoise
//!   LocalFeed:                          # huntbook: indicator files
//!     Args: {Paths: [~/feeds/misp.json, ~/feeds/stix.json]}
//!     Primary: True
//!     Provider: LocalFeed
//!   AzureSentinel:                      # MSTICPy's AzSTI
//!     Args: {LocalExport: ~/exports/ti.csv, Table: retired}
//!     Provider: AzSTI
//! ```
//!
//! Provider names (`Provider:`, else the entry's name, any case):
//! `VirusTotal`, `OTX`, `XForce`, `GreyNoise`, `AbuseIPDB`, `Tor`, `OPR`
//! (`OpenPageRank`), `CrowdSec`, `IPQualityScore` (`IPQS`), `AzSTI`
//! (`AzureSentinel`, `MSSentinelTI`), `LocalFeed`. Every provider also takes
//! `BaseUrl` (a proxy or a test server), `RateLimitPerMinute`,
//! `RateLimitPerDay` and `RateLimitMaxWaitSeconds`. An entry that cannot be
//! built (an unknown name, a Sentinel TI with no connected workspace) is
//! skipped with a note in [`TiLookup::notes`].

use super::limit::RateLimit;
use super::local_feed::LocalFeed;
use super::lookup::TiLookup;
use super::provider::TiProvider;
use super::providers::{
    AbuseIpdb, ApiConfig, CrowdSec, GreyNoise, IpQualityScore, OpenPageRank, Otx, TorExitNodes,
    VirusTotal, XForce, abuseipdb, crowdsec, greynoise, ipqs, openpagerank, otx, tor, virustotal,
    xforce,
};
use super::sentinel::{SentinelTi, SentinelTiTable};
use crate::config::{ArgValue, ProviderSettings, Settings};
use crate::error::{Error, Result};
use std::sync::Arc;
use std::time::Duration;

fn secret(p: &ProviderSettings, name: &str) -> Option<crate::config::Secret> {
    match p.args.get(name) {
        Some(ArgValue::Secret(s)) => Some(s.clone()),
        _ => None,
    }
}

fn api(p: &ProviderSettings, default_base: &str) -> Result<ApiConfig> {
    let mut c = ApiConfig::new(default_base, secret(p, "AuthKey"));
    if let Some(id) = secret(p, "ApiID") {
        c = c.api_id(id);
    }
    if let Some(b) = p.arg("BaseUrl") {
        let u = url::Url::parse(&b).map_err(|e| {
            Error::invalid(
                format!("setting TIProviders.{}.Args.BaseUrl", p.name),
                format!("not a URL: {e}"),
            )
        })?;
        if !matches!(u.scheme(), "https" | "http") {
            return Err(Error::invalid(
                format!("setting TIProviders.{}.Args.BaseUrl", p.name),
                "must be an http(s) URL",
            ));
        }
        c = c.base_url(&b);
    }
    let num = |k: &str| -> Result<Option<u32>> {
        match p.arg(k) {
            None => Ok(None),
            Some(v) => v.trim().parse::<u32>().map(Some).map_err(|_| {
                Error::invalid(
                    format!("setting TIProviders.{}.Args.{k}", p.name),
                    format!("'{v}' is not a whole number"),
                )
            }),
        }
    };
    let (pm, pd, mw) = (
        num("RateLimitPerMinute")?,
        num("RateLimitPerDay")?,
        num("RateLimitMaxWaitSeconds")?,
    );
    if pm.is_some() || pd.is_some() || mw.is_some() {
        let mut l = RateLimit::new();
        if let Some(n) = pm {
            l = l.per_minute(n);
        }
        if let Some(n) = pd {
            l = l.per_day(n);
        }
        if let Some(s) = mw {
            l = l.max_wait(Duration::from_secs(s as u64));
        }
        c = c.rate_limit(l);
    }
    Ok(c)
}

/// Builds one provider from its settings.
pub fn provider_from_settings(p: &ProviderSettings) -> Result<Arc<dyn TiProvider>> {
    let kind = p.provider.clone().unwrap_or_else(|| p.name.clone());
    let k = kind.to_ascii_lowercase().replace(['-', '_', ' '], "");
    let flag = |name: &str| p.arg(name).map(|v| v.eq_ignore_ascii_case("true"));
    Ok(match k.as_str() {
        "noload" => {
            return Err(Error::invalid(
                format!("TI provider {}", p.name),
                "not loaded (Provider: --no-load--)",
            ));
        }
        "virustotal" | "vt" => Arc::new(VirusTotal::new(api(p, virustotal::VT_BASE)?)),
        "otx" | "alienvault" => Arc::new(Otx::new(api(p, otx::OTX_BASE)?)),
        "xforce" | "ibmxforce" => Arc::new(XForce::new(api(p, xforce::XFORCE_BASE)?)),
        "greynoise" => {
            let c = api(p, greynoise::GREYNOISE_BASE)?;
            if flag("UseCommunityAPI") == Some(false) || flag("Enterprise") == Some(true) {
                Arc::new(GreyNoise::enterprise(c))
            } else {
                Arc::new(GreyNoise::community(c))
            }
        }
        "abuseipdb" => Arc::new(AbuseIpdb::new(api(p, abuseipdb::ABUSEIPDB_BASE)?)),
        "tor" => Arc::new(TorExitNodes::new(api(p, tor::TOR_BASE)?)),
        "opr" | "openpagerank" => Arc::new(OpenPageRank::new(api(p, openpagerank::OPR_BASE)?)),
        "crowdsec" => Arc::new(CrowdSec::new(api(p, crowdsec::CROWDSEC_BASE)?)),
        "ipqualityscore" | "ipqs" => Arc::new(IpQualityScore::new(api(p, ipqs::IPQS_BASE)?)),
        "localfeed" => {
            let mut paths = p.arg_list("Paths");
            paths.extend(p.arg_list("Path"));
            if paths.is_empty() {
                return Err(Error::invalid(
                    format!("setting TIProviders.{}", p.name),
                    "a LocalFeed needs Args.Paths (indicator files)",
                ));
            }
            let mut f = LocalFeed::new(&p.name);
            for path in paths {
                f.load_file(crate::config::expand_home(&path))?;
            }
            Arc::new(f)
        }
        "azsti" | "azuresentinel" | "mssentinelti" | "sentinelti" | "mssentinel" => {
            let table = match p.arg("Table").map(|t| t.to_ascii_lowercase()).as_deref() {
                Some("retired") | Some("threatintelligenceindicator") => SentinelTiTable::Retired,
                _ => SentinelTiTable::Current,
            };
            let active_only = flag("ActiveOnly").unwrap_or(false);
            match p.arg("LocalExport") {
                Some(path) => Arc::new(
                    SentinelTi::local_export(crate::config::expand_home(&path), table)?
                        .named(&p.name)
                        .active_only(active_only),
                ),
                None => {
                    return Err(Error::invalid(
                        format!("TI provider {}", p.name),
                        "Microsoft Sentinel TI needs a connected workspace (the Log Analytics driver is not available in this build) or Args.LocalExport with an exported TI table; build one with SentinelTi::new(query_provider)",
                    ));
                }
            }
        }
        _ => {
            return Err(Error::invalid(
                format!("TI provider '{kind}' (TIProviders.{})", p.name),
                "unknown provider; known: VirusTotal, OTX, XForce, GreyNoise, AbuseIPDB, Tor, OPR, CrowdSec, IPQualityScore, AzSTI, LocalFeed",
            ));
        }
    })
}

impl TiLookup {
    /// The providers of the settings' `TIProviders` section: `Primary`
    /// ones enabled, others loaded but used only when named. Entries that
    /// cannot be built are skipped and noted ([`TiLookup::notes`]).
    pub fn from_settings(settings: &Settings) -> Result<Self> {
        let mut ti = TiLookup::new();
        for p in settings.ti_providers() {
            match provider_from_settings(&p) {
                Ok(prov) => {
                    ti.add_provider(prov, p.primary, None);
                }
                Err(e) => ti.add_note(format!("{} skipped: {e}", p.name)),
            }
        }
        Ok(ti)
    }

    /// [`Self::from_settings`] on [`Settings::load`].
    pub fn from_config() -> Result<Self> {
        Self::from_settings(&Settings::load()?)
    }
}
