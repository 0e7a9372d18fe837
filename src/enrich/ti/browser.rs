//! The HTML results browser: a per-IoC summary, then one row per IoC per
//! provider with filters for severity and provider and the details behind
//! each row. Every value is escaped; references are links only when they
//! are `http(s)` URLs.

use super::result::{LookupStatus, Severity, TiResults};
use crate::display::NotebookDisplay;
use crate::vis::html::HtmlBuilder;
use crate::vis::table::table_text;
use std::collections::BTreeSet;

/// Most rows put into the page (the rest are counted in a notice).
pub const MAX_BROWSER_ROWS: usize = 5_000;

/// The results browser of a [`TiResults`].
#[derive(Debug, Clone)]
pub struct TiBrowser {
    results: TiResults,
}

const STYLE: &str = "<style>.hb-ti{font-family:sans-serif;font-size:13px}.hb-ti table{border-collapse:collapse;margin:4px 0}.hb-ti td,.hb-ti th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}.hb-ti .sev-high{background:#f8d7da}.hb-ti .sev-warning{background:#fff3cd}.hb-ti .sev-information{background:#d1ecf1}.hb-ti pre{white-space:pre-wrap;max-width:900px;margin:0}.hb-ti .failed{color:#a00}</style>";

const SCRIPT: &str = "(function(){var root=document.currentScript.parentNode;var sev=root.querySelector('.hb-ti-sev');var prov=root.querySelector('.hb-ti-prov');var order={unknown:0,information:1,warning:2,high:3};function apply(){var min=order[sev.value]||0;var p=prov.value;root.querySelectorAll('tr.hb-ti-row').forEach(function(r){var ok=(order[r.getAttribute('data-severity')]||0)>=min&&(p===''||r.getAttribute('data-provider')===p);r.style.display=ok?'':'none';});}sev.addEventListener('change',apply);prov.addEventListener('change',apply);})();";

impl TiBrowser {
    /// A browser over results.
    pub fn new(results: &TiResults) -> Self {
        Self {
            results: results.clone(),
        }
    }
}

fn is_link(url: &str) -> bool {
    let l = url.to_ascii_lowercase();
    l.starts_with("https://") || l.starts_with("http://")
}

impl NotebookDisplay for TiBrowser {
    fn to_html(&self) -> String {
        let r = &self.results;
        let mut h = HtmlBuilder::new();
        h.open("div", &[("class", "hb-ti")]).raw(STYLE);
        let ran = if r.providers_run().is_empty() {
            "none".to_string()
        } else {
            r.providers_run().join(", ")
        };
        h.element("div", &[], &format!("Providers asked: {ran}"));
        let hits = r.rows().iter().filter(|x| x.result).count();
        let failed = r.failures().len();
        let cached = r.rows().iter().filter(|x| x.cached).count();
        h.element(
            "div",
            &[],
            &format!(
                "{} rows: {hits} hits, {failed} not ok, {cached} from cache",
                r.rows().len()
            ),
        );
        // Per-IoC summary.
        if let Ok(s) = r.summary() {
            h.element("h4", &[], "Per IoC");
            h.open("table", &[]).open("tr", &[]);
            for c in [
                "Ioc",
                "IocType",
                "MaxSeverity",
                "Hits",
                "HitProviders",
                "Failed",
            ] {
                h.element("th", &[], c);
            }
            h.close("tr");
            let col = |n: &str| {
                s.column(n)
                    .ok()
                    .and_then(|c| c.cast(&polars::prelude::DataType::String).ok())
            };
            let cols: Vec<_> = [
                "Ioc",
                "IocType",
                "MaxSeverity",
                "Hits",
                "HitProviders",
                "Failed",
            ]
            .iter()
            .map(|n| col(n))
            .collect();
            for i in 0..s.height().min(MAX_BROWSER_ROWS) {
                let cell = |k: usize| -> String {
                    cols.get(k)
                        .and_then(|c| c.as_ref())
                        .and_then(|c| c.str().ok().and_then(|s| s.get(i).map(String::from)))
                        .unwrap_or_default()
                };
                let sev = cell(2);
                let class = format!("sev-{sev}");
                h.open("tr", &[("class", &class)]);
                for k in 0..6 {
                    h.element("td", &[], &cell(k));
                }
                h.close("tr");
            }
            h.close("table");
        }
        // Filters.
        h.element("h4", &[], "Results");
        h.open("div", &[]).text("Severity at least ");
        h.open("select", &[("class", "hb-ti-sev")]);
        for s in Severity::ALL {
            h.element("option", &[("value", s.name())], s.name());
        }
        h.close("select").text(" provider ");
        h.open("select", &[("class", "hb-ti-prov")]);
        h.element("option", &[("value", "")], "all");
        let provs: BTreeSet<&str> = r.rows().iter().map(|x| x.provider.as_str()).collect();
        for p in provs {
            h.element("option", &[("value", p)], p);
        }
        h.close("select").close("div");
        h.open("table", &[]).open("tr", &[]);
        for c in [
            "Ioc",
            "IocType",
            "Provider",
            "Result",
            "Severity",
            "Status",
            "Details",
            "Reference",
        ] {
            h.element("th", &[], c);
        }
        h.close("tr");
        for row in r.rows().iter().take(MAX_BROWSER_ROWS) {
            let class = format!("hb-ti-row sev-{}", row.severity.name());
            h.open(
                "tr",
                &[
                    ("class", &class),
                    ("data-severity", row.severity.name()),
                    ("data-provider", &row.provider),
                ],
            );
            h.element("td", &[], &row.ioc);
            h.element("td", &[], &row.ioc_type);
            h.element("td", &[], &row.provider);
            h.element("td", &[], if row.result { "yes" } else { "no" });
            h.element("td", &[], row.severity.name());
            if row.status == LookupStatus::Ok {
                h.element("td", &[], &row.status_text);
            } else {
                h.element("td", &[("class", "failed")], &row.status_text);
            }
            h.open("td", &[]);
            if !row.details.is_null() {
                let pretty = serde_json::to_string_pretty(&row.details).unwrap_or_default();
                h.open("details", &[]).element("summary", &[], "details");
                h.element("pre", &[], &pretty);
                h.close("details");
            }
            h.close("td").open("td", &[]);
            if is_link(&row.reference) {
                h.element(
                    "a",
                    &[
                        ("href", &row.reference),
                        ("target", "_blank"),
                        ("rel", "noopener noreferrer"),
                    ],
                    "link",
                );
            } else {
                h.text(&row.reference);
            }
            h.close("td").close("tr");
        }
        h.close("table");
        if r.rows().len() > MAX_BROWSER_ROWS {
            h.element(
                "div",
                &[],
                &format!(
                    "{} more rows not shown: use .df() for all of them",
                    r.rows().len() - MAX_BROWSER_ROWS
                ),
            );
        }
        h.script(SCRIPT);
        h.close("div");
        h.finish()
    }

    fn to_text(&self) -> String {
        let r = &self.results;
        let mut t = format!(
            "Providers asked: {}\n",
            if r.providers_run().is_empty() {
                "none".into()
            } else {
                r.providers_run().join(", ")
            }
        );
        if let Ok(s) = r.summary() {
            t.push_str(&table_text(&s));
        }
        t
    }
}
