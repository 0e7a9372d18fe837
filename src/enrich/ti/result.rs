//! The shape of a lookup's answer: one [`LookupResult`] per IoC per
//! provider, the MSTICPy severity scale and status codes, and
//! [`TiResults`], the table a lookup returns.

use super::item::TiItem;
use crate::display::NotebookDisplay;
use crate::error::{PolarsContext, Result};
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// How bad a provider says an IoC is: MSTICPy's scale, in order
/// `unknown < information < warning < high`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The provider gave no verdict (or the lookup failed).
    #[default]
    Unknown,
    /// Known to the provider, nothing bad.
    Information,
    /// Some reports or a weak signal.
    Warning,
    /// Known bad.
    High,
}

impl Severity {
    /// All severities, lowest first.
    pub const ALL: [Severity; 4] = [
        Severity::Unknown,
        Severity::Information,
        Severity::Warning,
        Severity::High,
    ];

    /// The name used in the `Severity` column (`"high"`).
    pub fn name(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::Information => "information",
            Severity::Warning => "warning",
            Severity::High => "high",
        }
    }

    /// Parses a name (case-insensitive; `info`, `medium`, `low` and
    /// `critical` are accepted as `information`, `warning`, `information`
    /// and `high`).
    ///
    /// ```
    /// use huntbook::enrich::ti::Severity;
    /// assert_eq!(Severity::parse("High"), Some(Severity::High));
    /// assert_eq!(Severity::parse("medium"), Some(Severity::Warning));
    /// assert!(Severity::Warning > Severity::Information);
    /// ```
    pub fn parse(text: &str) -> Option<Severity> {
        match text.trim().to_ascii_lowercase().as_str() {
            "unknown" | "" => Some(Severity::Unknown),
            "information" | "info" | "informational" | "low" => Some(Severity::Information),
            "warning" | "medium" | "moderate" => Some(Severity::Warning),
            "high" | "critical" => Some(Severity::High),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether a lookup worked: MSTICPy's `TILookupStatus` codes in the
/// `Status` column, with huntbook's reason in `StatusText`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LookupStatus {
    /// The provider answered (a hit or a miss). Code 0.
    Ok,
    /// The provider does not look up this IoC type or subtype. Code 1.
    NotSupported,
    /// The IoC failed the pre-checks, or the answer was malformed. Code 2.
    BadFormat,
    /// The request failed (HTTP error, auth, rate limit, timeout). Code 3.
    QueryFailed,
    /// Anything else. Code 10.
    Other,
}

impl LookupStatus {
    /// MSTICPy's numeric code.
    pub fn code(self) -> i32 {
        match self {
            LookupStatus::Ok => 0,
            LookupStatus::NotSupported => 1,
            LookupStatus::BadFormat => 2,
            LookupStatus::QueryFailed => 3,
            LookupStatus::Other => 10,
        }
    }
}

/// One provider's answer for one IoC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LookupResult {
    /// The IoC as looked up (refanged, cleaned).
    pub ioc: String,
    /// Its type name (`ipv4`, `url`, `sha256_hash`…).
    pub ioc_type: String,
    /// The IoC made safe for URLs (percent-encoded URLs).
    pub safe_ioc: String,
    /// The sub-query (`communicating_files`, `malware`…), when one was asked.
    pub query_subtype: Option<String>,
    /// The provider's name.
    pub provider: String,
    /// Whether the provider knows the IoC (a hit).
    pub result: bool,
    /// How bad the provider says it is.
    pub severity: Severity,
    /// The fields an analyst reads first.
    pub details: serde_json::Value,
    /// The provider's whole answer.
    pub raw_result: serde_json::Value,
    /// A link to the provider's page (never carries a key).
    pub reference: String,
    /// Whether the lookup worked.
    pub status: LookupStatus,
    /// Why, in words (`ok`, `not found`, `HTTP 401: authentication failed`…).
    pub status_text: String,
    /// Whether this row came from the on-disk cache.
    pub cached: bool,
}

impl LookupResult {
    /// An empty successful miss for `item` from `provider`.
    pub fn new(item: &TiItem, provider: &str) -> Self {
        Self {
            ioc: item.ioc.clone(),
            ioc_type: item.ioc_type_name(),
            safe_ioc: item.safe_ioc(),
            query_subtype: item.query_subtype.clone(),
            provider: provider.to_string(),
            result: false,
            severity: Severity::Unknown,
            details: serde_json::Value::Null,
            raw_result: serde_json::Value::Null,
            reference: String::new(),
            status: LookupStatus::Ok,
            status_text: "ok".into(),
            cached: false,
        }
    }

    /// A failed lookup with its reason.
    pub fn failed(item: &TiItem, provider: &str, status: LookupStatus, reason: &str) -> Self {
        let mut r = Self::new(item, provider);
        r.status = status;
        r.status_text = reason.to_string();
        r
    }

    /// A hit with a severity and details.
    pub fn hit(mut self, severity: Severity, details: serde_json::Value) -> Self {
        self.result = true;
        self.severity = severity;
        self.details = details;
        self
    }

    /// Sets the reference link.
    pub fn reference(mut self, url: impl Into<String>) -> Self {
        self.reference = url.into();
        self
    }

    /// Sets the raw result.
    pub fn raw(mut self, raw: serde_json::Value) -> Self {
        self.raw_result = raw;
        self
    }
}

/// The columns of a results frame, in order: MSTICPy's eleven, then
/// huntbook's `StatusText` and `Cached`.
pub const RESULT_COLUMNS: [&str; 13] = [
    "Ioc",
    "IocType",
    "SafeIoc",
    "QuerySubtype",
    "Provider",
    "Result",
    "Severity",
    "Details",
    "RawResult",
    "Reference",
    "Status",
    "StatusText",
    "Cached",
];

fn json_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Builds the results frame from rows.
pub fn results_frame(rows: &[LookupResult]) -> Result<DataFrame> {
    let s = |f: &dyn Fn(&LookupResult) -> String| rows.iter().map(f).collect::<Vec<_>>();
    let o = |f: &dyn Fn(&LookupResult) -> Option<String>| rows.iter().map(f).collect::<Vec<_>>();
    let cols: Vec<Column> = vec![
        Column::new("Ioc".into(), s(&|r| r.ioc.clone())),
        Column::new("IocType".into(), s(&|r| r.ioc_type.clone())),
        Column::new("SafeIoc".into(), s(&|r| r.safe_ioc.clone())),
        Column::new("QuerySubtype".into(), o(&|r| r.query_subtype.clone())),
        Column::new("Provider".into(), s(&|r| r.provider.clone())),
        Column::new(
            "Result".into(),
            rows.iter().map(|r| r.result).collect::<Vec<_>>(),
        ),
        Column::new("Severity".into(), s(&|r| r.severity.name().to_string())),
        Column::new("Details".into(), o(&|r| json_text(&r.details))),
        Column::new("RawResult".into(), o(&|r| json_text(&r.raw_result))),
        Column::new("Reference".into(), s(&|r| r.reference.clone())),
        Column::new(
            "Status".into(),
            rows.iter().map(|r| r.status.code()).collect::<Vec<_>>(),
        ),
        Column::new("StatusText".into(), s(&|r| r.status_text.clone())),
        Column::new(
            "Cached".into(),
            rows.iter().map(|r| r.cached).collect::<Vec<_>>(),
        ),
    ];
    DataFrame::new(rows.len(), cols).ctx("building the threat-intelligence results frame")
}

/// What a lookup returns: one row per IoC per provider.
///
/// `.df()` is the frame (MSTICPy's columns `Ioc, IocType, SafeIoc,
/// QuerySubtype, Provider, Result, Severity, Details, RawResult, Reference,
/// Status` plus `StatusText` and `Cached`); `.summary()` is one row per IoC;
/// as a cell's last expression it shows the results browser.
#[derive(Debug, Clone)]
pub struct TiResults {
    rows: Vec<LookupResult>,
    df: DataFrame,
    providers_run: Vec<String>,
}

impl TiResults {
    /// Results from rows; `providers_run` names the providers that were asked.
    pub fn new(rows: Vec<LookupResult>, providers_run: Vec<String>) -> Result<Self> {
        let df = results_frame(&rows)?;
        Ok(Self {
            rows,
            df,
            providers_run,
        })
    }

    /// The rows.
    pub fn rows(&self) -> &[LookupResult] {
        &self.rows
    }

    /// The results frame.
    pub fn df(&self) -> &DataFrame {
        &self.df
    }

    /// The results frame, by value.
    pub fn into_df(self) -> DataFrame {
        self.df
    }

    /// The providers that were asked, in order.
    pub fn providers_run(&self) -> &[String] {
        &self.providers_run
    }

    /// Rows that are hits (`Result` true), highest severity first.
    pub fn hits(&self) -> Vec<&LookupResult> {
        let mut v: Vec<&LookupResult> = self.rows.iter().filter(|r| r.result).collect();
        v.sort_by_key(|r| std::cmp::Reverse(r.severity));
        v
    }

    /// Rows whose lookup failed (status other than ok).
    pub fn failures(&self) -> Vec<&LookupResult> {
        self.rows
            .iter()
            .filter(|r| r.status != LookupStatus::Ok)
            .collect()
    }

    /// Rows at or above a severity.
    pub fn at_least(&self, severity: Severity) -> Vec<&LookupResult> {
        self.rows
            .iter()
            .filter(|r| r.severity >= severity)
            .collect()
    }

    /// One row per IoC: `Ioc, IocType, MaxSeverity, Providers, Hits,
    /// HitProviders, Failed, Cached`, in the order the IoCs were given.
    pub fn summary(&self) -> Result<DataFrame> {
        let mut order: Vec<(String, String)> = Vec::new();
        let mut acc: BTreeMap<(String, String), IocSummary> = BTreeMap::new();
        for r in &self.rows {
            let key = (r.ioc.clone(), r.ioc_type.clone());
            let e = acc.entry(key.clone()).or_insert_with(|| {
                order.push(key.clone());
                IocSummary::default()
            });
            e.providers += 1;
            if r.result {
                e.hits += 1;
                e.max = e.max.max(r.severity);
                e.hit_providers.push(r.provider.clone());
            }
            if r.status != LookupStatus::Ok {
                e.failed += 1;
            }
            if r.cached {
                e.cached += 1;
            }
        }
        let get = |k: &(String, String)| acc.get(k).cloned().unwrap_or_default();
        let sums: Vec<IocSummary> = order.iter().map(get).collect();
        DataFrame::new(
            order.len(),
            vec![
                Column::new(
                    "Ioc".into(),
                    order.iter().map(|k| k.0.clone()).collect::<Vec<_>>(),
                ),
                Column::new(
                    "IocType".into(),
                    order.iter().map(|k| k.1.clone()).collect::<Vec<_>>(),
                ),
                Column::new(
                    "MaxSeverity".into(),
                    sums.iter().map(|s| s.max.name()).collect::<Vec<_>>(),
                ),
                Column::new(
                    "Providers".into(),
                    sums.iter().map(|s| s.providers).collect::<Vec<_>>(),
                ),
                Column::new(
                    "Hits".into(),
                    sums.iter().map(|s| s.hits).collect::<Vec<_>>(),
                ),
                Column::new(
                    "HitProviders".into(),
                    sums.iter()
                        .map(|s| s.hit_providers.join(", "))
                        .collect::<Vec<_>>(),
                ),
                Column::new(
                    "Failed".into(),
                    sums.iter().map(|s| s.failed).collect::<Vec<_>>(),
                ),
                Column::new(
                    "Cached".into(),
                    sums.iter().map(|s| s.cached).collect::<Vec<_>>(),
                ),
            ],
        )
        .ctx("building the per-IoC summary")
    }

    /// The HTML results browser (filter by severity and provider).
    pub fn browser(&self) -> super::browser::TiBrowser {
        super::browser::TiBrowser::new(self)
    }
}

#[derive(Debug, Clone, Default)]
struct IocSummary {
    max: Severity,
    providers: u32,
    hits: u32,
    hit_providers: Vec<String>,
    failed: u32,
    cached: u32,
}

impl NotebookDisplay for TiResults {
    fn to_html(&self) -> String {
        self.browser().to_html()
    }

    fn to_text(&self) -> String {
        self.browser().to_text()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transform::ioc::IocType;

    #[test]
    fn severity_order_and_codes() {
        assert!(Severity::Unknown < Severity::Information);
        assert!(Severity::Information < Severity::Warning);
        assert!(Severity::Warning < Severity::High);
        assert_eq!(LookupStatus::QueryFailed.code(), 3);
        assert_eq!(LookupStatus::Other.code(), 10);
    }

    #[test]
    fn frame_has_msticpy_columns_and_summary() {
        let item = TiItem::new("8.8.8.8", IocType::Ipv4);
        let a = LookupResult::new(&item, "A").hit(Severity::Warning, serde_json::json!({"x": 1}));
        let b = LookupResult::failed(&item, "B", LookupStatus::QueryFailed, "HTTP 500");
        let r = TiResults::new(vec![a, b], vec!["A".into(), "B".into()]).unwrap();
        let names: Vec<String> = r
            .df()
            .get_column_names()
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(names, RESULT_COLUMNS);
        let s = r.summary().unwrap();
        assert_eq!(s.height(), 1);
        let max = s.column("MaxSeverity").unwrap().str().unwrap().get(0);
        assert_eq!(max, Some("warning"));
        assert_eq!(s.column("Failed").unwrap().u32().unwrap().get(0), Some(1));
    }
}
