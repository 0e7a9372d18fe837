//! The data viewer: a DataFrame as an interactive table — filter each
//! column, sort by clicking a header, choose columns, page through rows.
//! Plain JavaScript (`widgets/data_viewer.js`) embedded in the output; the
//! data travels as JSON and every value is set as text, never as markup.
//! Frames longer than `max_rows` are cut (or sampled evenly) with a visible
//! notice.
//!
//! ```
//! use huntbook::prelude::*;
//! let df = df!("host" => ["a", "<b>"], "n" => [1i64, 2]).unwrap();
//! let html = DataViewer::new(&df).page_size(10).to_html();
//! assert!(html.contains("hbDataViewer("));
//! assert!(!html.contains("<b>"));
//! ```

use crate::display::NotebookDisplay;
use crate::vis::html::{HtmlBuilder, json_for_script};
use crate::vis::table::{cell_text, table_text};
use polars::prelude::*;
use serde_json::json;
use std::sync::atomic::{AtomicU64, Ordering};

const VIEWER_JS: &str = include_str!("../../widgets/data_viewer.js");

const VIEWER_CSS: &str = "<style>\
.hb-viewer{font-family:var(--jp-code-font-family,monospace);font-size:12px}\
.hb-viewer .hb-bar{display:flex;gap:8px;align-items:center;margin:4px 0;flex-wrap:wrap}\
.hb-viewer details.hb-cols{position:relative}\
.hb-viewer details.hb-cols label{display:block;white-space:nowrap}\
.hb-viewer .hb-scroll{max-height:480px;overflow:auto}\
.hb-viewer table{border-collapse:collapse}\
.hb-viewer table th,.hb-viewer table td{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top;max-width:40em;white-space:pre-wrap}\
.hb-viewer th{background:#f3f3f3;position:sticky;top:0}\
.hb-viewer th.hb-sort{cursor:pointer}\
.hb-viewer .hb-dtype{display:block;font-weight:normal;color:#777;font-size:10px}\
.hb-viewer table td.hb-num{text-align:right}\
.hb-viewer td.hb-null{color:#999;font-style:italic}\
.hb-viewer .hb-notice{background:#fcf8e3;color:#8a6d3b;padding:2px 6px}\
.hb-viewer input[type=search]{width:100%;box-sizing:border-box;font-size:11px}\
</style>";

/// An interactive table for a frame.
#[derive(Debug, Clone)]
pub struct DataViewer {
    df: DataFrame,
    page_size: usize,
    max_rows: usize,
    sample: bool,
}

static NEXT: AtomicU64 = AtomicU64::new(0);

impl DataViewer {
    /// A viewer with 25 rows a page and at most 10,000 rows embedded.
    pub fn new(df: &DataFrame) -> Self {
        Self {
            df: crate::data::fresh(df),
            page_size: 25,
            max_rows: 10_000,
            sample: false,
        }
    }

    /// Rows per page (1 to 500).
    pub fn page_size(mut self, n: usize) -> Self {
        self.page_size = n.clamp(1, 500);
        self
    }

    /// Rows embedded at most (at least 1); longer frames are cut with a notice.
    pub fn max_rows(mut self, n: usize) -> Self {
        self.max_rows = n.max(1);
        self
    }

    /// Takes an even sample of a long frame instead of its first rows.
    pub fn sample(mut self, on: bool) -> Self {
        self.sample = on;
        self
    }

    /// The row indices embedded and the notice, if any.
    fn rows(&self) -> (Vec<usize>, Option<String>) {
        let n = self.df.height();
        if n <= self.max_rows {
            return ((0..n).collect(), None);
        }
        if self.sample {
            let step = n as f64 / self.max_rows as f64;
            let idx = (0..self.max_rows)
                .map(|i| (i as f64 * step) as usize)
                .collect();
            let note = format!(
                "{n} rows: showing an even sample of {} (every {step:.1}th row)",
                self.max_rows
            );
            (idx, Some(note))
        } else {
            let note = format!(
                "{n} rows: showing the first {}; filter the frame to see the rest",
                self.max_rows
            );
            ((0..self.max_rows).collect(), Some(note))
        }
    }

    /// The spec handed to the JavaScript: columns, rows as text, notice.
    pub fn spec(&self) -> serde_json::Value {
        let (idx, notice) = self.rows();
        let columns: Vec<serde_json::Value> = self
            .df
            .columns()
            .iter()
            .map(|c| json!({"name": c.name().as_str(), "dtype": c.dtype().to_string()}))
            .collect();
        let rows: Vec<Vec<Option<String>>> = idx
            .iter()
            .map(|&r| {
                self.df
                    .columns()
                    .iter()
                    .map(|c| c.get(r).ok().and_then(|v| cell_text(&v)))
                    .collect()
            })
            .collect();
        json!({"columns": columns, "rows": rows, "total": self.df.height(),
               "notice": notice, "pageSize": self.page_size})
    }
}

impl NotebookDisplay for DataViewer {
    fn to_html(&self) -> String {
        let id = format!(
            "hb-viewer-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let spec = json_for_script(&self.spec().to_string());
        let mut h = HtmlBuilder::new();
        h.raw(VIEWER_CSS);
        h.open("div", &[("id", &id), ("class", "hb-viewer")])
            .close("div");
        h.script(&format!(
            "{VIEWER_JS}\n(function(){{var el=document.getElementById(\"{id}\");if(el){{hbDataViewer(el,{spec});}}}})();"
        ));
        h.finish()
    }

    fn to_text(&self) -> String {
        table_text(&self.df)
    }
}
