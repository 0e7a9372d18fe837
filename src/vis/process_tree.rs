//! The interactive process-tree view: a collapsible tree with a details
//! table beside it, coloured by a chosen column, in one self-contained HTML
//! fragment (no CDN, no network).
//!
//! The whole tree travels as one JSON blob (made safe for `<script>` by
//! [`json_for_script`]); the script (`widgets/process_tree.js`) puts only
//! the children of expanded nodes in the DOM and pages long child lists,
//! so trees of tens of thousands of processes stay responsive. Data reaches
//! the page only through `textContent`. Hover a process for its command
//! line, user, logon id, time and pid; click it for every column; switch
//! pids between hex and decimal; search expands the matches' ancestors.
//!
//! ```
//! use huntbook::prelude::*;
//! use huntbook::vis::process_tree::{PidFormat, ProcessTreeView};
//! let events = df!(
//!     "TimeGenerated" => ["2024-03-04T08:00:01Z", "2024-03-04T08:00:02Z"],
//!     "NewProcessName" => ["cmd.exe", "<script>alert(1)</script>"],
//!     "NewProcessId" => ["0x10", "0x20"],
//!     "ProcessId" => ["0x4", "0x10"],
//!     "ParentProcessName" => ["explorer.exe", "cmd.exe"],
//!     "SubjectUserName" => ["alice", "alice"],
//! )?;
//! let tree = ProcessTree::build(&events)?;
//! let html = ProcessTreeView::new(&tree).color_by("SubjectUserName").pid_format(PidFormat::Decimal).html();
//! assert!(!html.contains("<script>alert(1)"));
//! assert!(html.contains("hbProcTree"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::display::NotebookDisplay;
use crate::error::{Error, Result};
use crate::transform::proctree::ProcessTree;
use crate::vis::html::{HtmlBuilder, json_for_script};
use crate::vis::table::cell_text;
use polars::prelude::*;
use serde_json::{Value, json};
use std::hash::{Hash, Hasher};

/// The view's script, embedded (see `widgets/process_tree.js`).
pub const PROCESS_TREE_JS: &str = include_str!("../../widgets/process_tree.js");
/// The view's style sheet (see `widgets/process_tree.css`).
pub const PROCESS_TREE_CSS: &str = include_str!("../../widgets/process_tree.css");

/// Colours for the `color_by` categories (the last is "other").
const PALETTE: &[&str] = &[
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#393b79", "#637939", "#843c39", "#9e9e9e",
];

/// How pids are first shown (the view has a switch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PidFormat {
    /// `0x1f4`, as Windows Security events write them.
    Hex,
    /// `500`.
    Decimal,
    /// Hex for schemas with `\` paths (Windows), decimal otherwise.
    Auto,
}

/// Columns that are tree bookkeeping, left out of the details table.
const INTERNAL: &[&str] = &[
    "proc_key",
    "new_process_lc",
    "parent_proc_lc",
    "source_index",
    "EffectiveLogonId_par",
    "new_process_lc_par",
    "source_index_par",
    "timestamp_orig_par",
    "parent_key",
    "IsRoot",
    "IsLeaf",
    "IsBranch",
    "path",
    "parent_index",
];

/// Palette index per process, and the legend (value, palette index).
type Colors = (Vec<i64>, Vec<(String, usize)>);

/// The interactive view of a [`ProcessTree`], with builder options.
#[derive(Debug, Clone)]
pub struct ProcessTreeView<'a> {
    tree: &'a ProcessTree,
    color_by: Option<String>,
    fields: Option<Vec<String>>,
    table_columns: Option<Vec<String>>,
    pid_format: PidFormat,
    max_processes: usize,
    expand_depth: Option<usize>,
    height_px: usize,
}

/// Parses a pid as Windows (`0x1f4`) or decimal text.
fn pid_number(text: &str) -> Option<i64> {
    let t = text.trim();
    match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => i64::from_str_radix(h, 16).ok(),
        None => t.parse::<i64>().ok(),
    }
}

impl<'a> ProcessTreeView<'a> {
    /// A view of `tree`: hover fields from its schema, pids in the schema's
    /// usual base, at most 50,000 processes.
    pub fn new(tree: &'a ProcessTree) -> Self {
        Self {
            tree,
            color_by: None,
            fields: None,
            table_columns: None,
            pid_format: PidFormat::Auto,
            max_processes: 50_000,
            expand_depth: None,
            height_px: 480,
        }
    }

    /// Colours processes by the values of `column` (the 12 most common get
    /// a colour each, the rest grey; a boolean flag shows `true` in red).
    pub fn color_by(mut self, column: &str) -> Self {
        self.color_by = Some(column.to_string());
        self
    }

    /// The columns shown on hover (default: command line, user, logon id,
    /// time, host from the schema).
    pub fn fields(mut self, columns: &[&str]) -> Self {
        self.fields = Some(columns.iter().map(|c| c.to_string()).collect());
        self
    }

    /// The columns of the details table beside the tree (default: every
    /// column except the tree bookkeeping).
    pub fn table_columns(mut self, columns: &[&str]) -> Self {
        self.table_columns = Some(columns.iter().map(|c| c.to_string()).collect());
        self
    }

    /// How pids are first shown.
    pub fn pid_format(mut self, format: PidFormat) -> Self {
        self.pid_format = format;
        self
    }

    /// Shows at most `n` processes (the first in tree order, so every shown
    /// process's parent is shown too).
    pub fn max_processes(mut self, n: usize) -> Self {
        self.max_processes = n.max(1);
        self
    }

    /// Levels expanded at first (default 2 for small trees, 1 above 1,000
    /// processes).
    pub fn expand_depth(mut self, levels: usize) -> Self {
        self.expand_depth = Some(levels);
        self
    }

    /// Height of the tree and details panes in pixels (at least 120).
    pub fn height(mut self, px: usize) -> Self {
        self.height_px = px.max(120);
        self
    }

    fn default_fields(&self) -> Vec<String> {
        let s = self.tree.schema();
        let mut f: Vec<String> = [
            s.cmd_line.clone(),
            s.user_name.clone(),
            Some("EffectiveLogonId".to_string()),
            Some(s.time_stamp.clone()),
            s.host_name.clone(),
        ]
        .into_iter()
        .flatten()
        .filter(|c| crate::data::fresh(self.tree.df()).column(c).is_ok())
        .collect();
        f.dedup();
        f
    }

    fn strings(&self, column: &str, n: usize) -> Result<Vec<Option<String>>> {
        let df = crate::data::fresh(self.tree.df());
        let col = df.column(column).map_err(|_| {
            Error::column_not_found(
                column,
                "the process tree",
                df.get_column_names().iter().map(|c| c.as_str()),
            )
        })?;
        let s = col.as_materialized_series().slice(0, n);
        if s.dtype() == &DataType::String
            && let Ok(ca) = s.str()
        {
            return Ok(ca.iter().map(|v| v.map(str::to_string)).collect());
        }
        Ok(s.iter().map(|v| cell_text(&v)).collect())
    }

    /// The data blob the script reads.
    pub fn data(&self) -> Result<Value> {
        let tree = self.tree;
        let n = tree.len().min(self.max_processes);
        let schema = tree.schema();
        let names = self.strings(&schema.process_name, n)?;
        let pids = self.strings(&schema.process_id, n)?;
        let pid: Vec<Value> = pids
            .iter()
            .map(|p| match p.as_deref().and_then(pid_number) {
                Some(v) => json!(v),
                None => json!(p),
            })
            .collect();
        let parent: Vec<i64> = (0..n)
            .map(|r| {
                tree.parent_row(r)
                    .filter(|&p| p < n)
                    .map_or(-1, |p| p as i64)
            })
            .collect();
        let depth: Vec<usize> = (0..n).map(|r| tree.depth_of_row(r)).collect();
        let inferred: Vec<bool> = (0..n).map(|r| tree.is_inferred_row(r)).collect();
        let fields = self.fields.clone().unwrap_or_else(|| self.default_fields());
        let mut values = Vec::with_capacity(fields.len());
        for f in &fields {
            values.push(self.strings(f, n)?);
        }
        let table_cols: Vec<String> = match &self.table_columns {
            Some(c) => c.clone(),
            None => tree
                .df()
                .get_column_names()
                .iter()
                .map(|c| c.to_string())
                .filter(|c| !INTERNAL.contains(&c.as_str()))
                .collect(),
        };
        let mut table = Vec::with_capacity(table_cols.len());
        for c in &table_cols {
            table.push(self.strings(c, n)?);
        }
        let (color, legend) = self.colors(n)?;
        let pid_hex = match self.pid_format {
            PidFormat::Hex => true,
            PidFormat::Decimal => false,
            PidFormat::Auto => schema.path_separator == "\\",
        };
        let expand = self.expand_depth.unwrap_or(if n > 1000 { 1 } else { 2 });
        let note = if n < tree.len() {
            format!(
                "showing the first {n} of {} processes (max_processes)",
                tree.len()
            )
        } else {
            String::new()
        };
        Ok(json!({
            "name": names, "pid": pid, "parent": parent, "depth": depth,
            "inferred": inferred, "fields": fields, "values": values,
            "table_cols": table_cols, "table": table, "color": color,
            "legend": legend, "palette": PALETTE, "color_by": self.color_by,
            "pid_hex": pid_hex, "expand_depth": expand, "note": note,
        }))
    }

    fn colors(&self, n: usize) -> Result<Colors> {
        let Some(col) = &self.color_by else {
            return Ok((vec![-1; n], Vec::new()));
        };
        let values = self.strings(col, n)?;
        let is_bool = crate::data::fresh(self.tree.df())
            .column(col)
            .is_ok_and(|c| c.dtype() == &DataType::Boolean);
        if is_bool {
            let color = values
                .iter()
                .map(|v| match v.as_deref() {
                    Some("true") => 1,
                    Some("false") => 2,
                    _ => -1,
                })
                .collect();
            return Ok((color, vec![("true".into(), 1), ("false".into(), 2)]));
        }
        let mut counts: std::collections::HashMap<&str, usize> = Default::default();
        for v in values.iter().flatten() {
            *counts.entry(v.as_str()).or_default() += 1;
        }
        let mut top: Vec<(&str, usize)> = counts.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let other = PALETTE.len() - 1;
        let shown: Vec<&str> = top.iter().take(other).map(|(v, _)| *v).collect();
        let color = values
            .iter()
            .map(|v| match v {
                None => -1,
                Some(v) => shown.iter().position(|s| s == v).unwrap_or(other) as i64,
            })
            .collect();
        let mut legend: Vec<(String, usize)> = shown
            .iter()
            .enumerate()
            .map(|(i, v)| (v.to_string(), i))
            .collect();
        if top.len() > other {
            legend.push((format!("other ({})", top.len() - other), other));
        }
        Ok((color, legend))
    }

    /// The HTML fragment, or an error message fragment if a named column is
    /// missing.
    pub fn try_html(&self) -> Result<String> {
        let data = self.data()?;
        let json = json_for_script(&data.to_string());
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        json.hash(&mut hasher);
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
            .hash(&mut hasher);
        let id = format!("hb-pt-{:016x}", hasher.finish());
        let h_px = format!("max-height:{}px", self.height_px);
        let mut h = HtmlBuilder::new();
        h.open("div", &[("class", "hb-pt"), ("id", &id)]);
        h.raw("<style>").raw(PROCESS_TREE_CSS).raw("</style>");
        h.raw("<div class=\"hb-pt-bar\">");
        h.raw("<button class=\"hb-pt-expand\" type=\"button\">Expand to level</button>");
        h.raw("<input class=\"hb-pt-level\" type=\"number\" min=\"0\" value=\"3\" style=\"width:4em\">");
        h.raw("<button class=\"hb-pt-collapse\" type=\"button\">Collapse all</button>");
        h.raw("<label>PID <select class=\"hb-pt-pid\"><option value=\"hex\">hex</option><option value=\"dec\">decimal</option></select></label>");
        h.raw("<input class=\"hb-pt-search\" type=\"search\" placeholder=\"search name, pid, command line… (Enter)\">");
        h.raw("</div>");
        h.raw("<div class=\"hb-pt-legend\"></div>");
        h.raw("<div class=\"hb-pt-main\">");
        h.open("div", &[("class", "hb-pt-tree"), ("style", &h_px)]);
        h.close("div");
        h.open("div", &[("class", "hb-pt-detail"), ("style", &h_px)]);
        h.element(
            "div",
            &[("class", "hb-pt-status")],
            "Click a process for its details.",
        );
        h.close("div");
        h.raw("</div>");
        h.element("div", &[("class", "hb-pt-status")], "");
        h.close("div");
        let pid_hex = data["pid_hex"].as_bool().unwrap_or(true);
        let mut code = String::with_capacity(json.len() + PROCESS_TREE_JS.len() + 256);
        code.push_str(PROCESS_TREE_JS);
        code.push_str("\n(function(){var r=document.getElementById(");
        code.push_str(&crate::vis::html::js_string(&id));
        code.push_str(");if(!r){return;}r.querySelector('.hb-pt-pid').value=");
        code.push_str(if pid_hex { "'hex'" } else { "'dec'" });
        code.push_str(";window.hbProcTree(r,");
        code.push_str(&json);
        code.push_str(");})();");
        h.script(&code);
        Ok(h.finish())
    }

    /// The HTML fragment; a named column that is missing shows as an error
    /// message in the output instead.
    pub fn html(&self) -> String {
        match self.try_html() {
            Ok(h) => h,
            Err(e) => {
                let mut h = HtmlBuilder::new();
                h.element("div", &[("class", "hb-error")], &e.to_string());
                h.finish()
            }
        }
    }

    /// A complete HTML document (for the CLI's `--format html`).
    pub fn to_standalone_html(&self) -> Result<String> {
        let body = self.try_html()?;
        let mut h = HtmlBuilder::new();
        h.raw("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>");
        h.text(&format!("Process tree ({} processes)", self.tree.len()));
        h.raw("</title></head><body>");
        h.element("pre", &[], &self.tree.summary().to_string());
        let mut out = h.finish();
        out.push_str(&body);
        out.push_str("</body></html>\n");
        Ok(out)
    }
}

impl NotebookDisplay for ProcessTreeView<'_> {
    fn to_html(&self) -> String {
        self.html()
    }
    fn to_text(&self) -> String {
        self.tree.to_text()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pids_parse_hex_and_decimal() {
        assert_eq!(pid_number("0x1f4"), Some(500));
        assert_eq!(pid_number("500"), Some(500));
        assert_eq!(pid_number("x"), None);
    }
}
