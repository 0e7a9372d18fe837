//! Plotly charts that render offline, everywhere.
//!
//! plotly.rs shows a chart in a notebook either as plotly's own MIME type
//! (JupyterLab only) or by loading plotly.js from a CDN (fails offline).
//! [`Chart`] instead sends `text/html` carrying plotly.js itself, embedded once
//! per kernel process: the first chart a kernel shows carries the library, the
//! later ones reuse it from the page. So charts render in JupyterLab, Notebook
//! 7, VS Code and in nbconvert's HTML, with no network.
//!
//! ```
//! use huntbook::prelude::*;
//! use huntbook::plotly::{Plot, Scatter};
//! let mut plot = Plot::new();
//! plot.add_trace(Scatter::new(vec![1, 2, 3], vec![3, 1, 2]));
//! let chart = Chart::new(plot);
//! let html = chart.html_fragment(false).unwrap();
//! assert!(html.contains("Plotly.newPlot"));
//! assert!(chart.to_standalone_html().unwrap().contains("plotly.js v3"));
//! ```

use crate::display::{NotebookDisplay, emit_html};
use crate::error::{Error, Result};
use crate::vis::html::{HtmlBuilder, json_for_script};
use plotly::Plot;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// plotly.js (MIT licence, see `widgets/NOTICE.md`), embedded in huntbook.
pub const PLOTLY_JS: &str = include_str!("../../widgets/plotly.min.js");

/// What a chart draws: a plotly.rs [`Plot`], or a plotly figure written as
/// JSON (`{"data": [...], "layout": {...}}`) by huntbook's chart builders.
#[derive(Clone)]
enum Figure {
    Plot(Box<Plot>),
    Json(serde_json::Value),
}

/// A chart: a plotly figure with huntbook's offline display.
#[derive(Clone)]
pub struct Chart {
    figure: Figure,
    title: String,
}

impl std::fmt::Debug for Chart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chart")
            .field("title", &self.title)
            .field("traces", &self.trace_count())
            .finish()
    }
}

impl From<Plot> for Chart {
    fn from(plot: Plot) -> Self {
        Chart::new(plot)
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

fn next_div_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    format!("hb-plot-{}-{nanos:x}-{n}", std::process::id())
}

/// Marks this kernel process as having sent plotly.js; true when it was the
/// first time. A file, not a static: every notebook cell has its own statics.
fn first_plotly_in_process() -> bool {
    let marker = marker_path();
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&marker)
        .is_ok()
}

fn marker_path() -> PathBuf {
    std::env::temp_dir().join(format!("huntbook-plotly-js-{}", std::process::id()))
}

/// The `<script>` that defines `window.Plotly`, hiding an AMD loader (as in
/// some nbconvert templates) so plotly.js registers as a global.
pub fn plotly_js_script() -> String {
    let mut h = HtmlBuilder::new();
    h.raw("<script>window.__hbDefine=window.define;window.define=undefined;</script>");
    h.raw("<script type=\"text/javascript\">");
    h.raw(PLOTLY_JS);
    h.raw("</script><script>window.define=window.__hbDefine;</script>");
    h.finish()
}

impl Chart {
    /// Wraps a plotly plot.
    pub fn new(plot: Plot) -> Self {
        Self {
            figure: Figure::Plot(Box::new(plot)),
            title: String::from("chart"),
        }
    }

    /// A chart from a plotly figure as JSON: an object with `data` (an
    /// array of traces) and optionally `layout` and `config`.
    pub fn from_json(figure: serde_json::Value) -> Result<Self> {
        if !figure.get("data").is_some_and(|d| d.is_array()) {
            return Err(Error::invalid(
                "plotly figure",
                "expected a JSON object with a 'data' array of traces",
            ));
        }
        Ok(Self {
            figure: Figure::Json(figure),
            title: String::from("chart"),
        })
    }

    /// The number of traces (series) drawn.
    pub fn trace_count(&self) -> usize {
        match &self.figure {
            Figure::Plot(p) => p.data().len(),
            Figure::Json(v) => v.get("data").and_then(|d| d.as_array()).map_or(0, Vec::len),
        }
    }

    /// The figure as a JSON value (`{"data": [...], "layout": {...}}`).
    pub fn figure_json(&self) -> Result<serde_json::Value> {
        match &self.figure {
            Figure::Json(v) => Ok(v.clone()),
            Figure::Plot(p) => serde_json::to_value(p.as_ref()).map_err(|source| Error::Json {
                context: format!("serialising chart '{}'", self.title),
                source,
            }),
        }
    }

    /// Names the chart (used in its plain-text view).
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// The plotly plot, when the chart was made from one.
    pub fn plot(&self) -> Option<&Plot> {
        match &self.figure {
            Figure::Plot(p) => Some(p),
            Figure::Json(_) => None,
        }
    }

    /// The figure as plotly JSON text (`{"data": [...], "layout": {...}}`).
    pub fn to_json(&self) -> Result<String> {
        let json = match &self.figure {
            Figure::Plot(p) => serde_json::to_string(p.as_ref()),
            Figure::Json(v) => serde_json::to_string(v),
        };
        json.map_err(|source| Error::Json {
            context: format!("serialising chart '{}'", self.title),
            source,
        })
    }

    /// A `<div>` and the script that draws the chart in it; with
    /// `include_js`, plotly.js comes first. The script waits for plotly.js
    /// if it is still loading and says so if it never comes.
    pub fn html_fragment(&self, include_js: bool) -> Result<String> {
        let id = next_div_id();
        let json = json_for_script(&self.to_json()?);
        let mut out = if include_js {
            plotly_js_script()
        } else {
            String::new()
        };
        out.push_str(&self.div_and_script(&id, &json));
        Ok(out)
    }

    fn div_and_script(&self, id: &str, json: &str) -> String {
        let mut h = HtmlBuilder::new();
        h.open(
            "div",
            &[("id", id), ("class", "hb-chart"), ("style", "width:100%;")],
        );
        h.close("div");
        let code = format!(
            "(function(){{var fig={json};var id=\"{id}\";var tries=0;\
             function draw(){{var el=document.getElementById(id);if(!el){{return;}}\
             if(window.Plotly){{window.Plotly.newPlot(el,fig.data,fig.layout||{{}},Object.assign({{responsive:true}},fig.config||{{}}));}}\
             else if(tries++<100){{setTimeout(draw,100);}}\
             else{{el.textContent='plotly.js is not loaded in this page: re-run the first chart cell of the notebook.';}}}}\
             draw();}})();"
        );
        h.script(&code);
        h.finish()
    }

    /// A complete HTML page with plotly.js embedded (for files and the CLI).
    pub fn to_standalone_html(&self) -> Result<String> {
        let mut page = String::from("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>");
        page.push_str(&crate::vis::html::escape(&self.title));
        page.push_str("</title></head><body>");
        page.push_str(&self.html_fragment(true)?);
        page.push_str("</body></html>");
        Ok(page)
    }

    /// Writes [`Chart::to_standalone_html`] to a file.
    pub fn write_html(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, self.to_standalone_html()?).map_err(|e| Error::io("writing", path, e))
    }
}

impl NotebookDisplay for Chart {
    /// The HTML with plotly.js included (self-contained).
    fn to_html(&self) -> String {
        self.html_fragment(true)
            .unwrap_or_else(|e| crate::vis::html::escape(&e.to_string()))
    }

    fn to_text(&self) -> String {
        format!("Chart '{}' ({} traces)", self.title, self.trace_count())
    }

    /// Sends the chart, carrying plotly.js only the first time in this kernel.
    fn evcxr_display(&self) {
        let html = self
            .html_fragment(first_plotly_in_process())
            .unwrap_or_else(|e| crate::vis::html::escape(&e.to_string()));
        emit_html(&html, &self.to_text());
    }
}
