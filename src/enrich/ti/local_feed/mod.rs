//! A local feed: indicator files the analyst already has, matched offline.
//!
//! - **CSV** (or any file [`crate::data::read_file`] reads): a Microsoft
//!   Sentinel TI export (`ThreatIntelligenceIndicator` columns such as
//!   `NetworkIP`, `Url`, `DomainName`, `FileHashValue`… like the bundled
//!   `as_threatintel.csv`, or `ThreatIntelIndicators` with
//!   `ObservableKey`/`ObservableValue`), or a plain list with a value column
//!   (`indicator`, `value`, `ioc`, `observable`) and optional `type`,
//!   `severity`, `description`, `confidence`, `tags`, `source` columns.
//! - **STIX 2.1** bundles: `indicator` objects with STIX patterns
//!   (`[ipv4-addr:value = '…']`, `[file:hashes.'SHA-256' = '…']`, `OR`ed
//!   comparisons); revoked indicators and `AND`/sequence patterns are skipped
//!   and counted.
//! - **MISP** JSON exports: one event, `{"response": [...]}` or a list of
//!   events; attributes of the event and of its objects.
//!
//! IPs match exactly and by CIDR (`10.0.0.0/8` indicators); other types
//! match exactly (domains, hashes and emails case-insensitively; URLs with
//! scheme and host lower case).
//!
//! Severity of a match: the indicator's own (`severity`/`ThreatSeverity`
//! column; MISP `threat_level_id` 1 high, 2 and 4 warning, 3 information),
//! else from its confidence (70 and above high, 30 and above warning, below
//! information), else `high` (it is listed as bad). Indicators marked
//! inactive (`Active`/`IsActive` false, MISP `to_ids` false) still match but
//! count as `information`; `Details` lists the first ten matches and
//! `RawResult` all of them.

use super::http::HttpClient;
use super::item::TiItem;
use super::limit::BoxFuture;
use super::provider::TiProvider;
use super::result::{LookupResult, Severity};
use crate::error::{Error, Result};
use crate::transform::ioc::IocType;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;

mod formats;

/// Largest JSON feed file read.
pub const MAX_FEED_BYTES: u64 = 256 << 20;
/// Most indicators listed in one row's details (all are in `RawResult`).
const MAX_DETAIL_INDICATORS: usize = 10;

/// What kind of value an indicator is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FeedKind {
    /// An IP address.
    Ip,
    /// A network (CIDR).
    Cidr,
    /// A domain or host name.
    Dns,
    /// A URL.
    Url,
    /// A file hash.
    Hash,
    /// An email address.
    Email,
}

impl FeedKind {
    fn name(self) -> &'static str {
        match self {
            FeedKind::Ip => "ip",
            FeedKind::Cidr => "cidr",
            FeedKind::Dns => "dns",
            FeedKind::Url => "url",
            FeedKind::Hash => "hash",
            FeedKind::Email => "email",
        }
    }

    /// From a type name in a feed (`ipv4-addr`, `ip-dst`, `domain`,
    /// `file:hashes.'SHA-256'`, `sha256`, `email-src`…).
    pub fn from_type_name(name: &str, value: &str) -> Option<FeedKind> {
        let n = name.trim().to_ascii_lowercase();
        let n = n.split(':').next().unwrap_or("").to_string();
        let n = n.as_str();
        let kind = match n {
            "ipv4" | "ipv6" | "ip" | "ipv4-addr" | "ipv6-addr" | "ip-src" | "ip-dst"
            | "ip-src|port" | "ip-dst|port" | "networkip" | "ipaddress" => FeedKind::Ip,
            "cidr" | "network" | "ip-range" => FeedKind::Cidr,
            "dns" | "domain" | "domain-name" | "hostname" | "fqdn" | "domainname" => FeedKind::Dns,
            "url" | "uri" | "link" => FeedKind::Url,
            "md5" | "sha1" | "sha256" | "md5_hash" | "sha1_hash" | "sha256_hash" | "file"
            | "filehash" | "hash" | "filename|md5" | "filename|sha1" | "filename|sha256" => {
                FeedKind::Hash
            }
            "email" | "email-addr" | "email-src" | "email-dst" | "email-message" => FeedKind::Email,
            _ => return None,
        };
        if kind == FeedKind::Ip && value.contains('/') {
            return Some(FeedKind::Cidr);
        }
        Some(kind)
    }

    fn of_item(t: &IocType) -> Option<FeedKind> {
        Some(match t {
            IocType::Ipv4 | IocType::Ipv6 => FeedKind::Ip,
            IocType::Dns | IocType::Hostname => FeedKind::Dns,
            IocType::Url => FeedKind::Url,
            IocType::Md5Hash | IocType::Sha1Hash | IocType::Sha256Hash => FeedKind::Hash,
            IocType::Email => FeedKind::Email,
            _ => return None,
        })
    }
}

/// One indicator of a feed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Indicator {
    /// The value as written.
    pub value: String,
    /// Its kind.
    #[serde(serialize_with = "ser_kind")]
    pub kind: FeedKind,
    /// The feed's id for it.
    pub id: Option<String>,
    /// Description or name.
    pub description: Option<String>,
    /// Where it came from.
    pub source: Option<String>,
    /// Severity given by the feed (or derived from its confidence).
    pub severity: Severity,
    /// Confidence 0–100.
    pub confidence: Option<f64>,
    /// Tags or labels.
    pub tags: Vec<String>,
    /// Expiry as written.
    pub valid_until: Option<String>,
    /// Whether the feed marks it active.
    pub active: bool,
}

fn ser_kind<S: serde::Serializer>(k: &FeedKind, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(k.name())
}

/// How many indicators were read and skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedStats {
    /// Indicators indexed.
    pub indicators: usize,
    /// Entries skipped (unsupported pattern or type, revoked, empty), with a reason each (at most 20 kept).
    pub skipped: usize,
    /// Example reasons for skips.
    pub skip_reasons: Vec<String>,
}

/// A provider over local indicator files.
#[derive(Debug, Clone)]
pub struct LocalFeed {
    name: String,
    indicators: Vec<Indicator>,
    exact: HashMap<(FeedKind, String), Vec<usize>>,
    cidrs: HashMap<(bool, u8), HashMap<u128, Vec<usize>>>,
    stats: FeedStats,
}

impl Default for LocalFeed {
    fn default() -> Self {
        Self::new("LocalFeed")
    }
}

fn norm(kind: FeedKind, value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    Some(match kind {
        FeedKind::Ip => v.parse::<IpAddr>().ok()?.to_string(),
        FeedKind::Dns => v.trim_end_matches('.').to_ascii_lowercase(),
        FeedKind::Hash | FeedKind::Email => v.to_ascii_lowercase(),
        FeedKind::Url => normalise_url(v),
        FeedKind::Cidr => v.to_string(),
    })
}

fn normalise_url(v: &str) -> String {
    match v.find("://") {
        Some(p) => {
            let (scheme, rest) = (&v[..p], &v[p + 3..]);
            let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            format!(
                "{}://{}{}",
                scheme.to_ascii_lowercase(),
                rest[..host_end].to_ascii_lowercase(),
                &rest[host_end..]
            )
        }
        None => v.to_string(),
    }
}

fn ip_bits(ip: &IpAddr) -> (bool, u128) {
    match ip {
        IpAddr::V4(a) => (false, u32::from(*a) as u128),
        IpAddr::V6(a) => (true, u128::from(*a)),
    }
}

fn mask(bits: u128, v6: bool, prefix: u8) -> u128 {
    let width = if v6 { 128 } else { 32 };
    if prefix == 0 {
        return 0;
    }
    let keep = width - prefix as u32;
    if keep >= 128 {
        0
    } else {
        (bits >> keep) << keep
    }
}

/// Parses `a.b.c.d/n` or `v6/n`.
pub fn parse_cidr(text: &str) -> Option<(bool, u8, u128)> {
    let (ip, p) = text.trim().split_once('/')?;
    let ip: IpAddr = ip.trim().parse().ok()?;
    let prefix: u8 = p.trim().parse().ok()?;
    let (v6, bits) = ip_bits(&ip);
    if prefix > if v6 { 128 } else { 32 } {
        return None;
    }
    Some((v6, prefix, mask(bits, v6, prefix)))
}

/// Severity from a confidence score (0–100): 70 and above high, 30 and
/// above warning, below that information.
pub fn severity_from_confidence(c: f64) -> Severity {
    if c >= 70.0 {
        Severity::High
    } else if c >= 30.0 {
        Severity::Warning
    } else {
        Severity::Information
    }
}

impl LocalFeed {
    /// An empty feed with a provider name.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            indicators: Vec::new(),
            exact: HashMap::new(),
            cidrs: HashMap::new(),
            stats: FeedStats::default(),
        }
    }

    /// A feed (named `LocalFeed`) from one file; the format is chosen by
    /// content (`.json`: STIX bundle or MISP export) or extension.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let mut f = Self::default();
        f.load_file(path)?;
        Ok(f)
    }

    /// The same feed under another provider name.
    pub fn named(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    /// Counts of what was read.
    pub fn stats(&self) -> &FeedStats {
        &self.stats
    }

    /// The indicators.
    pub fn indicators(&self) -> &[Indicator] {
        &self.indicators
    }

    fn skip(&mut self, reason: String) {
        self.stats.skipped += 1;
        if self.stats.skip_reasons.len() < 20 {
            self.stats.skip_reasons.push(reason);
        }
    }

    /// Adds one indicator.
    pub fn add(&mut self, ind: Indicator) {
        let idx = self.indicators.len();
        if ind.kind == FeedKind::Cidr {
            match parse_cidr(&ind.value) {
                Some((v6, p, net)) => {
                    self.cidrs
                        .entry((v6, p))
                        .or_default()
                        .entry(net)
                        .or_default()
                        .push(idx);
                }
                None => {
                    self.skip(format!("'{}' is not a CIDR network", ind.value));
                    return;
                }
            }
        } else {
            match norm(ind.kind, &ind.value) {
                Some(k) => self.exact.entry((ind.kind, k)).or_default().push(idx),
                None => {
                    self.skip(format!(
                        "'{}' is not a valid {}",
                        ind.value,
                        ind.kind.name()
                    ));
                    return;
                }
            }
        }
        self.indicators.push(ind);
        self.stats.indicators += 1;
    }

    /// Loads a file into the feed.
    pub fn load_file(&mut self, path: impl AsRef<Path>) -> Result<&mut Self> {
        let path = path.as_ref();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if ext == "json" {
            let meta = std::fs::metadata(path).map_err(|e| Error::io("reading", path, e))?;
            if meta.len() > MAX_FEED_BYTES {
                return Err(Error::invalid(
                    format!("feed file '{}'", path.display()),
                    format!(
                        "{} bytes, more than the limit of {MAX_FEED_BYTES}",
                        meta.len()
                    ),
                ));
            }
            let text = std::fs::read_to_string(path).map_err(|e| Error::io("reading", path, e))?;
            let v: Value = serde_json::from_str(&text).map_err(|e| Error::Json {
                context: format!("reading feed file '{}'", path.display()),
                source: e,
            })?;
            self.load_json(&v, &path.display().to_string())?;
        } else {
            let df = crate::data::read_file(path)?;
            self.load_frame(&df, &path.display().to_string())?;
        }
        Ok(self)
    }

    /// Loads a STIX 2.1 bundle or a MISP export already parsed.
    pub fn load_json(&mut self, v: &Value, label: &str) -> Result<&mut Self> {
        if v.get("type").and_then(Value::as_str) == Some("bundle") || v.get("objects").is_some() {
            self.load_stix(v);
        } else if v.get("Event").is_some() || v.get("response").is_some() || v.is_array() {
            self.load_misp(v);
        } else {
            return Err(Error::invalid(
                format!("feed '{label}'"),
                "JSON is neither a STIX 2.1 bundle (type: bundle) nor a MISP export (Event / response)",
            ));
        }
        Ok(self)
    }

    /// The indicators matching an item.
    pub fn matches(&self, item: &TiItem) -> Vec<&Indicator> {
        let Some(kind) = FeedKind::of_item(&item.ioc_type) else {
            return Vec::new();
        };
        let mut out: Vec<usize> = Vec::new();
        if let Some(k) = norm(kind, &item.ioc)
            && let Some(v) = self.exact.get(&(kind, k))
        {
            out.extend(v);
        }
        if kind == FeedKind::Ip
            && let Ok(ip) = item.ioc.trim().parse::<IpAddr>()
        {
            let (v6, bits) = ip_bits(&ip);
            for ((cv6, prefix), nets) in &self.cidrs {
                if *cv6 == v6
                    && let Some(v) = nets.get(&mask(bits, v6, *prefix))
                {
                    out.extend(v);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out.iter().filter_map(|i| self.indicators.get(*i)).collect()
    }

    /// The result row for an item.
    pub fn result_for(&self, item: &TiItem) -> LookupResult {
        let found = self.matches(item);
        let base = LookupResult::new(item, &self.name);
        if found.is_empty() {
            let mut r = base;
            r.status_text = "not found".into();
            return r;
        }
        indicators_result(base, &found)
    }
}

/// A hit row from matched indicators: the highest severity of the active
/// ones (information when all are inactive), details of the first few.
pub fn indicators_result(base: LookupResult, found: &[&Indicator]) -> LookupResult {
    let active: Vec<&&Indicator> = found.iter().filter(|i| i.active).collect();
    let severity = if active.is_empty() {
        Severity::Information
    } else {
        active
            .iter()
            .map(|i| i.severity)
            .max()
            .unwrap_or(Severity::High)
    };
    let shown: Vec<Value> = found
        .iter()
        .take(MAX_DETAIL_INDICATORS)
        .map(|i| {
            json!({
                "Value": i.value, "Kind": i.kind.name(), "Description": i.description,
                "Confidence": i.confidence, "Tags": i.tags, "Source": i.source,
                "ValidUntil": i.valid_until, "Active": i.active, "Id": i.id,
            })
        })
        .collect();
    let details = json!({
        "Matches": found.len(),
        "Active": active.len(),
        "Indicators": shown,
    });
    let raw = serde_json::to_value(found).unwrap_or(Value::Null);
    base.hit(severity, details).raw(raw)
}

impl TiProvider for LocalFeed {
    fn name(&self) -> &str {
        &self.name
    }
    fn ioc_types(&self) -> Vec<IocType> {
        vec![
            IocType::Ipv4,
            IocType::Ipv6,
            IocType::Dns,
            IocType::Url,
            IocType::Md5Hash,
            IocType::Sha1Hash,
            IocType::Sha256Hash,
            IocType::Email,
        ]
    }
    fn description(&self) -> &str {
        "local indicator files (CSV, STIX 2.1, MISP JSON): exact and CIDR matches"
    }
    fn batch_size(&self) -> usize {
        10_000
    }
    fn online(&self) -> bool {
        false
    }
    fn lookup<'a>(
        &'a self,
        items: &'a [TiItem],
        _http: &'a HttpClient,
    ) -> BoxFuture<'a, Vec<LookupResult>> {
        Box::pin(async move { items.iter().map(|i| self.result_for(i)).collect() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    #[test]
    fn cidr_and_exact() {
        let mut f = LocalFeed::new("F");
        let df = df!(
            "indicator" => ["10.0.0.0/8", "Evil.COM", "44D88612FEA8A8F36DE82E1278ABB02F", "2001:db8::/32"],
            "severity" => ["warning", "high", "high", "information"]
        )
        .unwrap();
        f.load_frame(&df, "t").unwrap();
        assert_eq!(f.stats().indicators, 4);
        let ip = TiItem::new("10.20.30.40", IocType::Ipv4);
        let r = f.result_for(&ip);
        assert!(r.result);
        assert_eq!(r.severity, Severity::Warning);
        assert!(!f.result_for(&TiItem::new("11.0.0.1", IocType::Ipv4)).result);
        assert!(f.result_for(&TiItem::new("evil.com", IocType::Dns)).result);
        assert!(
            f.result_for(&TiItem::new("2001:db8::5", IocType::Ipv6))
                .result
        );
        assert!(
            f.result_for(&TiItem::new(
                "44d88612fea8a8f36de82e1278abb02f",
                IocType::Md5Hash
            ))
            .result
        );
        assert_eq!(parse_cidr("1.2.3.4/33"), None);
    }
}
