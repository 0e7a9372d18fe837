//! Tor exit nodes from the Tor Project's published exit-address list
//! (`GET /exit-addresses`: `ExitNode`, `Published`, `LastStatus`,
//! `ExitAddress` lines). The list is fetched once and kept in the provider
//! for a day (refreshed on the first lookup after that); no key is needed.
//!
//! An address on the list is a hit with severity `warning`, as in MSTICPy.

use super::ApiConfig;
use crate::enrich::ti::http::HttpClient;
use crate::enrich::ti::item::TiItem;
use crate::enrich::ti::limit::{BoxFuture, RateLimit};
use crate::enrich::ti::provider::TiProvider;
use crate::enrich::ti::result::{LookupResult, LookupStatus, Severity};
use crate::transform::ioc::IocType;
use serde_json::json;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// The service's base URL.
pub const TOR_BASE: &str = "https://check.torproject.org";
/// How long a fetched list is used.
pub const TOR_REFRESH: Duration = Duration::from_secs(24 * 3600);

/// One exit node's entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExitNode {
    /// The relay fingerprint (`ExitNode`).
    pub node: String,
    /// `Published`.
    pub published: String,
    /// `LastStatus`.
    pub last_status: String,
    /// When the address was seen (`ExitAddress`'s date).
    pub seen: String,
}

type ExitList = HashMap<String, ExitNode>;
/// The list and when it was fetched, shared by clones of the provider.
type SharedList = Arc<Mutex<Option<(SystemTime, Arc<ExitList>)>>>;

/// The Tor exit-node provider.
#[derive(Debug, Clone)]
pub struct TorExitNodes {
    cfg: ApiConfig,
    list: SharedList,
}

impl TorExitNodes {
    /// With a configuration (no key needed).
    pub fn new(cfg: ApiConfig) -> Self {
        Self {
            cfg,
            list: Arc::new(Mutex::new(None)),
        }
    }
}

/// Parses the exit-address list.
///
/// ```
/// use huntbook::enrich::ti::providers::tor::parse_exit_list;
/// let l = parse_exit_list("ExitNode 0011\nPublished 2024-01-01 10:00:00\nLastStatus 2024-01-01 11:00:00\nExitAddress 185.220.101.1 2024-01-01 11:05:00\n");
/// assert_eq!(l["185.220.101.1"].node, "0011");
/// ```
pub fn parse_exit_list(text: &str) -> HashMap<String, ExitNode> {
    let mut out = HashMap::new();
    let mut cur = ExitNode {
        node: String::new(),
        published: String::new(),
        last_status: String::new(),
        seen: String::new(),
    };
    for line in text.lines() {
        let (k, v) = line.trim().split_once(' ').unwrap_or((line.trim(), ""));
        match k {
            "ExitNode" => {
                cur = ExitNode {
                    node: v.trim().to_string(),
                    published: String::new(),
                    last_status: String::new(),
                    seen: String::new(),
                }
            }
            "Published" => cur.published = v.trim().to_string(),
            "LastStatus" => cur.last_status = v.trim().to_string(),
            "ExitAddress" => {
                let (ip, seen) = v.trim().split_once(' ').unwrap_or((v.trim(), ""));
                if let Ok(ip) = ip.parse::<IpAddr>() {
                    let mut n = cur.clone();
                    n.seen = seen.trim().to_string();
                    out.insert(ip.to_string(), n);
                }
            }
            _ => {}
        }
    }
    out
}

impl TorExitNodes {
    async fn current(&self, http: &HttpClient) -> Result<Arc<ExitList>, String> {
        if let Ok(g) = self.list.lock()
            && let Some((at, l)) = g.as_ref()
            && SystemTime::now().duration_since(*at).unwrap_or_default() < TOR_REFRESH
        {
            return Ok(l.clone());
        }
        let url = format!("{}/exit-addresses", self.cfg.base_url);
        let reply = http.send(|c| c.get(&url)).await.map_err(|f| f.describe())?;
        if reply.status != 200 {
            return Err(format!("HTTP {} fetching the exit list", reply.status));
        }
        let list = Arc::new(parse_exit_list(&reply.text()));
        if list.is_empty() {
            return Err("the exit list has no ExitAddress lines".into());
        }
        if let Ok(mut g) = self.list.lock() {
            *g = Some((SystemTime::now(), list.clone()));
        }
        Ok(list)
    }
}

impl TiProvider for TorExitNodes {
    fn name(&self) -> &str {
        "Tor"
    }
    fn ioc_types(&self) -> Vec<IocType> {
        vec![IocType::Ipv4, IocType::Ipv6]
    }
    fn description(&self) -> &str {
        "Tor exit nodes (the published exit-address list, refreshed daily)"
    }
    fn rate_limit(&self) -> RateLimit {
        self.cfg.rate_limit.clone().unwrap_or_default()
    }
    fn batch_size(&self) -> usize {
        10_000
    }
    fn lookup<'a>(
        &'a self,
        items: &'a [TiItem],
        http: &'a HttpClient,
    ) -> BoxFuture<'a, Vec<LookupResult>> {
        Box::pin(async move {
            let name = self.name();
            match self.current(http).await {
                Err(e) => items
                    .iter()
                    .map(|i| LookupResult::failed(i, name, LookupStatus::QueryFailed, &e))
                    .collect(),
                Ok(list) => items
                    .iter()
                    .map(|i| {
                        let base = LookupResult::new(i, name).reference("https://metrics.torproject.org/exonerator.html");
                        match list.get(&i.ioc) {
                            Some(n) => base.hit(
                                Severity::Warning,
                                json!({"NodeIdentifier": n.node, "Published": n.published, "LastStatus": n.last_status, "ExitAddressSeen": n.seen}),
                            ),
                            None => {
                                let mut r = base;
                                r.status_text = "not a Tor exit node".into();
                                r
                            }
                        }
                    })
                    .collect(),
            }
        })
    }
}
