//! [`Progress`]: a bar for long-running cells.

use super::WidgetStore;
use super::core::Core;
use crate::display::NotebookDisplay;
use crate::error::Result;
use crate::vis::html::HtmlBuilder;
use std::cell::Cell;
use std::io::Write;

/// A progress bar (MSTICPy's `Progress`).
///
/// The evcxr kernel sends a cell's rich outputs when the cell ends, but
/// forwards printed lines while it runs. So [`update`](Progress::update)
/// prints a short line `[progress <id>] 40/100 (40%) label` each time the
/// percentage passes a step (default 5 %), and the bar shown by an earlier
/// cell follows those lines live over the kernel's broadcast channel. Where
/// the bar cannot listen (nbconvert, VS Code) the lines themselves show the
/// progress. The last value is stored, so re-displaying shows it.
///
/// ```
/// use huntbook::widgets::{Progress, WidgetStore};
/// let dir = std::env::temp_dir().join(format!("hb-doc-pg-{}", std::process::id()));
/// let p = Progress::new(200).label("Lookups").quiet(true).store(WidgetStore::at(&dir)?);
/// p.update(50)?;
/// p.inc(50)?;
/// assert_eq!(p.value()?, (100, 200));
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), huntbook::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Progress {
    core: Core,
    label: String,
    total: u64,
    step: u64,
    quiet: bool,
    done: Cell<u64>,
    last_pct: Cell<Option<u64>>,
}

impl Progress {
    /// A bar for `total` steps (0 is treated as 1).
    pub fn new(total: u64) -> Self {
        let mut p = Self {
            core: Core::new("progress", &[]),
            label: "Progress".to_string(),
            total: total.max(1),
            step: 5,
            quiet: false,
            done: Cell::new(0),
            last_pct: Cell::new(None),
        };
        p.rekey();
        p
    }

    fn rekey(&mut self) {
        let total = self.total.to_string();
        self.core.rekey(&[&self.label, &total]);
    }

    /// The text next to the bar.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self.rekey();
        self
    }

    /// Percentage step between printed updates (1–100, default 5).
    pub fn step_percent(mut self, step: u64) -> Self {
        self.step = step.clamp(1, 100);
        self
    }

    /// No printed lines (the stored value still updates).
    pub fn quiet(mut self, quiet: bool) -> Self {
        self.quiet = quiet;
        self
    }

    /// A fixed widget id.
    pub fn id(mut self, name: &str) -> Self {
        self.core.set_id(name);
        self
    }

    /// Keeps the value in `store`.
    pub fn store(mut self, store: WidgetStore) -> Self {
        self.core.set_store(store);
        self
    }

    /// The widget id.
    pub fn widget_id(&self) -> &str {
        &self.core.id
    }

    /// `(done, total)`: the last stored progress.
    pub fn value(&self) -> Result<(u64, u64)> {
        // This value's own count is the newest; a value made in another cell
        // (or re-created) reads the last stored one.
        let mem = self.done.get();
        let done = if mem > 0 {
            mem
        } else {
            self.core
                .stored()?
                .and_then(|v| v.get("done").and_then(|d| d.as_u64()))
                .unwrap_or(0)
        };
        Ok((done.min(self.total), self.total))
    }

    /// Sets the number of steps done (clamped to the total).
    pub fn update(&self, done: u64) -> Result<()> {
        let done = done.min(self.total);
        self.done.set(done);
        let pct = done.saturating_mul(100) / self.total;
        let due = match self.last_pct.get() {
            None => true,
            Some(last) => {
                pct >= last.saturating_add(self.step) || (done == self.total && last < 100)
            }
        };
        if !due {
            return Ok(());
        }
        self.last_pct.set(Some(pct));
        self.core
            .save(&serde_json::json!({ "done": done, "total": self.total }))?;
        if !self.quiet {
            let label: String = self.label.chars().filter(|c| !c.is_control()).collect();
            let line = format!(
                "[progress {}] {done}/{} ({pct}%) {label}\n",
                self.core.id, self.total
            );
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(line.as_bytes());
            let _ = out.flush();
        }
        Ok(())
    }

    /// Adds `delta` steps.
    pub fn inc(&self, delta: u64) -> Result<()> {
        self.update(self.done.get().saturating_add(delta))
    }

    /// Starts again from zero.
    pub fn reset(&self) -> Result<()> {
        self.done.set(0);
        self.last_pct.set(None);
        self.core.clear()
    }
}

impl NotebookDisplay for Progress {
    fn to_html(&self) -> String {
        let (done, total) = self.value().unwrap_or((self.done.get(), self.total));
        let pct = done.saturating_mul(100) / total.max(1);
        let mut h = HtmlBuilder::new();
        h.open("div", &[("class", "hb-w-row")]);
        h.open(
            "progress",
            &[
                ("class", "hb-pg-bar"),
                ("max", &total.to_string()),
                ("value", &done.to_string()),
            ],
        );
        h.close("progress");
        h.element(
            "span",
            &[("class", "hb-pg-text hb-w-value")],
            &format!("{done} / {total} ({pct}%)"),
        );
        h.close("div");
        self.core.render(&self.label, &h, serde_json::json!({}))
    }

    fn to_text(&self) -> String {
        let (done, total) = self.value().unwrap_or((self.done.get(), self.total));
        format!(
            "{}: {done}/{total} ({}%)",
            self.label,
            done.saturating_mul(100) / total.max(1)
        )
    }
}
