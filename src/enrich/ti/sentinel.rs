//! Microsoft Sentinel threat intelligence ("Azure Sentinel TI", MSTICPy's
//! `AzSTI`): IoCs looked up in the workspace's TI tables through a
//! [`QueryProvider`].
//!
//! Two tables: the current **`ThreatIntelIndicators`** (STIX-shaped:
//! `ObservableKey`, `ObservableValue`, `Confidence`, `IsActive`,
//! `ValidUntil`…) and the retired **`ThreatIntelligenceIndicator`**
//! (`NetworkIP`, `Url`, `DomainName`, `FileHashValue`…), which is all
//! MSTICPy queries (#855). Over a KQL driver (`MSSentinel`, `Kusto`) the
//! provider sends KQL (`in~` lists, `arg_max` per indicator); over
//! **LocalData** it sends SQL to a table holding an export of either table
//! (the bundled `as_threatintel.csv` is one), so a notebook works offline
//! until the Log Analytics driver is connected.
//!
//! Differences from MSTICPy: expired and inactive indicators are reported
//! (severity `information`, `Active: false` in the details) unless
//! [`SentinelTi::active_only`] is set, because exported and historical data
//! (like the 2019 sample) would otherwise never match.

use super::http::HttpClient;
use super::item::TiItem;
use super::limit::BoxFuture;
use super::local_feed::LocalFeed;
use super::provider::TiProvider;
use super::result::{LookupResult, LookupStatus};
use crate::data::drivers::QueryContext;
use crate::data::provider::QueryProvider;
use crate::error::{Error, Result};
use crate::transform::ioc::IocType;
use std::collections::BTreeSet;

/// Which Sentinel TI table to query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SentinelTiTable {
    /// `ThreatIntelIndicators` (current).
    Current,
    /// `ThreatIntelligenceIndicator` (retired; what MSTICPy queries).
    Retired,
}

impl SentinelTiTable {
    /// The table's name in a workspace.
    pub fn name(self) -> &'static str {
        match self {
            SentinelTiTable::Current => "ThreatIntelIndicators",
            SentinelTiTable::Retired => "ThreatIntelligenceIndicator",
        }
    }
}

/// Retired-table columns holding each kind of value.
const RETIRED_COLUMNS: [(&str, &[&str]); 5] = [
    (
        "ip",
        &[
            "NetworkIP",
            "NetworkSourceIP",
            "NetworkDestinationIP",
            "EmailSourceIpAddress",
        ],
    ),
    ("dns", &["DomainName", "EmailSourceDomain"]),
    ("url", &["Url"]),
    ("hash", &["FileHashValue"]),
    ("email", &["EmailSenderAddress", "EmailRecipient"]),
];
const CIDR_COLUMNS: [&str; 3] = [
    "NetworkCidrBlock",
    "NetworkSourceCidrBlock",
    "NetworkDestinationCidrBlock",
];

fn group(t: &IocType) -> Option<&'static str> {
    Some(match t {
        IocType::Ipv4 | IocType::Ipv6 => "ip",
        IocType::Dns => "dns",
        IocType::Url => "url",
        IocType::Md5Hash | IocType::Sha1Hash | IocType::Sha256Hash => "hash",
        IocType::Email => "email",
        _ => return None,
    })
}

/// The Sentinel TI provider.
#[derive(Debug, Clone)]
pub struct SentinelTi {
    name: String,
    qp: QueryProvider,
    table: SentinelTiTable,
    table_name: String,
    active_only: bool,
}

impl SentinelTi {
    /// Over a query provider, querying the current table by its workspace name.
    pub fn new(qp: QueryProvider) -> Self {
        Self {
            name: "MSSentinelTI".into(),
            qp,
            table: SentinelTiTable::Current,
            table_name: SentinelTiTable::Current.name().into(),
            active_only: false,
        }
    }

    /// Over LocalData holding an export of a TI table in `file` (CSV,
    /// Parquet, JSON), registered as a table named after the file.
    ///
    /// ```
    /// use huntbook::enrich::ti::{SentinelTi, SentinelTiTable, TiLookup};
    /// let path = huntbook::data::bundled("msticpy/testdata-converted/as_threatintel.csv")?;
    /// let sti = SentinelTi::local_export(&path, SentinelTiTable::Retired)?;
    /// let res = TiLookup::new().no_cache().progress(false).with_provider(sti)
    ///     .lookup_ioc("51.255.107.37")?;
    /// assert!(res.rows()[0].result);
    /// # Ok::<(), huntbook::Error>(())
    /// ```
    pub fn local_export(file: impl AsRef<std::path::Path>, table: SentinelTiTable) -> Result<Self> {
        let file = file.as_ref();
        let stem = file
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or_else(|| Error::invalid(format!("file '{}'", file.display()), "has no name"))?
            .to_string();
        let qp = QueryProvider::local_data_from(&[file])?;
        Ok(Self::new(qp)
            .table(table)
            .table_name(&crate::data::drivers::localdata::table_name(&stem)))
    }

    /// Which table's shape to query (also sets the table name to the
    /// workspace's name for it).
    pub fn table(mut self, table: SentinelTiTable) -> Self {
        self.table = table;
        self.table_name = table.name().into();
        self
    }

    /// The table's name in the data source (a LocalData table's name).
    pub fn table_name(mut self, name: &str) -> Self {
        self.table_name = name.to_string();
        self
    }

    /// Only active, unexpired indicators (MSTICPy's behaviour).
    pub fn active_only(mut self, on: bool) -> Self {
        self.active_only = on;
        self
    }

    /// Another provider name (default `MSSentinelTI`).
    pub fn named(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    fn is_sql(&self) -> bool {
        self.qp.environment() == "LocalData"
    }

    /// The KQL sent to a workspace for these items.
    pub fn kql(&self, items: &[TiItem]) -> String {
        let kq = |v: &str| format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""));
        let list = |g: &str| -> Vec<String> {
            let set: BTreeSet<String> = items
                .iter()
                .filter(|i| group(&i.ioc_type) == Some(g))
                .map(|i| kq(&i.ioc))
                .collect();
            set.into_iter().collect()
        };
        let mut q = self.table_name.clone();
        match self.table {
            SentinelTiTable::Retired => {
                if self.active_only {
                    q.push_str("\n| where Active == true and ExpirationDateTime > now()");
                }
                let mut conds = Vec::new();
                for (g, cols) in RETIRED_COLUMNS {
                    let l = list(g);
                    if !l.is_empty() {
                        for c in cols {
                            conds.push(format!("{c} in~ ({})", l.join(", ")));
                        }
                    }
                }
                q.push_str(&format!("\n| where {}", conds.join("\n    or ")));
                q.push_str("\n| summarize arg_max(TimeGenerated, *) by IndicatorId");
            }
            SentinelTiTable::Current => {
                if self.active_only {
                    q.push_str("\n| where IsActive == true and ValidUntil > now()");
                }
                let all: BTreeSet<String> = items.iter().map(|i| kq(&i.ioc)).collect();
                q.push_str(&format!(
                    "\n| where ObservableValue in~ ({})",
                    all.into_iter().collect::<Vec<_>>().join(", ")
                ));
                q.push_str("\n| summarize arg_max(TimeGenerated, *) by Id");
            }
        }
        q
    }

    /// The SQL sent to LocalData for these items, given the table's columns.
    pub fn sql(&self, items: &[TiItem], columns: &[String]) -> String {
        let sq = |v: &str| format!("'{}'", v.to_lowercase().replace('\'', "''"));
        let has = |c: &str| columns.iter().any(|x| x == c);
        let list = |g: Option<&str>| -> String {
            let set: BTreeSet<String> = items
                .iter()
                .filter(|i| g.is_none() || group(&i.ioc_type) == g)
                .map(|i| sq(&i.ioc))
                .collect();
            set.into_iter().collect::<Vec<_>>().join(", ")
        };
        let mut conds = Vec::new();
        match self.table {
            SentinelTiTable::Retired => {
                for (g, cols) in RETIRED_COLUMNS {
                    let l = list(Some(g));
                    if l.is_empty() {
                        continue;
                    }
                    for c in cols.iter().filter(|c| has(c)) {
                        conds.push(format!("LOWER(CAST(\"{c}\" AS VARCHAR)) IN ({l})"));
                    }
                }
                if items.iter().any(|i| i.is_ip()) {
                    for c in CIDR_COLUMNS.iter().filter(|c| has(c)) {
                        conds.push(format!("\"{c}\" IS NOT NULL"));
                    }
                }
            }
            SentinelTiTable::Current => {
                if has("ObservableValue") {
                    conds.push(format!(
                        "LOWER(CAST(\"ObservableValue\" AS VARCHAR)) IN ({})",
                        list(None)
                    ));
                }
            }
        }
        if conds.is_empty() {
            conds.push("FALSE".into());
        }
        format!(
            "SELECT * FROM \"{}\" WHERE {}",
            self.table_name.replace('"', "\"\""),
            conds.join(" OR ")
        )
    }

    async fn run(&self, items: &[TiItem]) -> Result<LocalFeed> {
        let ctx = QueryContext::default();
        let text = if self.is_sql() {
            let probe = format!(
                "SELECT * FROM \"{}\" LIMIT 0",
                self.table_name.replace('"', "\"\"")
            );
            let cols: Vec<String> = self
                .qp
                .exec_async(&probe, &ctx)
                .await?
                .df
                .get_column_names()
                .iter()
                .map(|s| s.to_string())
                .collect();
            self.sql(items, &cols)
        } else {
            self.kql(items)
        };
        let out = self.qp.exec_async(&text, &ctx).await?;
        let mut feed = LocalFeed::new(&self.name);
        if out.df.height() > 0 {
            feed.load_frame(&out.df, self.table.name())?;
        }
        Ok(feed)
    }

    fn finish(&self, feed: &LocalFeed, item: &TiItem) -> LookupResult {
        let mut r = feed.result_for(item);
        if self.active_only && r.result {
            // Over LocalData the expiry filter is applied here.
            let active: Vec<_> = feed
                .matches(item)
                .into_iter()
                .filter(|i| i.active)
                .collect();
            if active.is_empty() {
                r = LookupResult::new(item, &self.name);
                r.status_text = "not found (only inactive indicators)".into();
            }
        }
        r.reference = format!("{} in {}", self.table.name(), self.qp.environment());
        r
    }
}

impl TiProvider for SentinelTi {
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
        "Microsoft Sentinel threat-intelligence tables through the query provider"
    }
    fn batch_size(&self) -> usize {
        500
    }
    fn online(&self) -> bool {
        false
    }
    fn lookup<'a>(
        &'a self,
        items: &'a [TiItem],
        _http: &'a HttpClient,
    ) -> BoxFuture<'a, Vec<LookupResult>> {
        Box::pin(async move {
            match self.run(items).await {
                Ok(feed) => items.iter().map(|i| self.finish(&feed, i)).collect(),
                Err(e) => items
                    .iter()
                    .map(|i| {
                        LookupResult::failed(
                            i,
                            &self.name,
                            LookupStatus::QueryFailed,
                            &format!("query of {} failed: {e}", self.table_name),
                        )
                    })
                    .collect(),
            }
        })
    }
}
