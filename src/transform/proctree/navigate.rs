//! Navigating a built tree: roots, parent, children, descendants,
//! ancestors, siblings, root tree, depth and the summary (MSTICPy's
//! `process_tree_utils`). Every method takes a `proc_key` and returns the
//! matching rows of the tree frame, in tree order.

use super::ProcessTree;
use crate::display::NotebookDisplay;
use crate::error::{Error, PolarsContext, Result};
use crate::vis::html::HtmlBuilder;
use polars::prelude::*;

/// MSTICPy's `get_summary_info`: counts of the tree's processes by role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TreeSummary {
    /// All processes, inferred parents included (`Processes`).
    pub processes: usize,
    /// Processes with no parent (`RootProcesses`).
    pub root_processes: usize,
    /// Processes with no children (`LeafProcesses`).
    pub leaf_processes: usize,
    /// Processes with a parent and children (`BranchProcesses`).
    pub branch_processes: usize,
    /// Processes with neither (`IsolatedProcesses`).
    pub isolated_processes: usize,
    /// Levels in the deepest tree (`LargestTreeDepth`; a lone root is 1).
    pub largest_tree_depth: usize,
}

impl TreeSummary {
    /// The summary as a one-row frame with MSTICPy's key names.
    pub fn to_df(&self) -> Result<DataFrame> {
        let v = |x: usize| x as u64;
        df!(
            "Processes" => [v(self.processes)],
            "RootProcesses" => [v(self.root_processes)],
            "LeafProcesses" => [v(self.leaf_processes)],
            "BranchProcesses" => [v(self.branch_processes)],
            "IsolatedProcesses" => [v(self.isolated_processes)],
            "LargestTreeDepth" => [v(self.largest_tree_depth)],
        )
        .ctx("summary frame")
    }

    fn pairs(&self) -> [(&'static str, usize); 6] {
        [
            ("Processes", self.processes),
            ("RootProcesses", self.root_processes),
            ("LeafProcesses", self.leaf_processes),
            ("BranchProcesses", self.branch_processes),
            ("IsolatedProcesses", self.isolated_processes),
            ("LargestTreeDepth", self.largest_tree_depth),
        ]
    }
}

impl std::fmt::Display for TreeSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .pairs()
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        f.write_str(&parts.join(", "))
    }
}

impl NotebookDisplay for TreeSummary {
    fn to_html(&self) -> String {
        let mut h = HtmlBuilder::new();
        h.raw("<table class=\"hb-summary\" style=\"border-collapse:collapse;font-family:var(--jp-code-font-family,monospace);font-size:12px\">");
        for (k, v) in self.pairs() {
            h.raw("<tr>");
            h.element("th", &[("style", "text-align:left;padding:1px 8px")], k);
            h.element(
                "td",
                &[("style", "text-align:right;padding:1px 8px")],
                &v.to_string(),
            );
            h.raw("</tr>");
        }
        h.raw("</table>");
        h.finish()
    }

    fn to_text(&self) -> String {
        self.to_string()
    }
}

impl ProcessTree {
    fn row(&self, key: &str) -> Result<usize> {
        self.row_of(key).ok_or_else(|| {
            Error::invalid(
                format!("process key '{key}'"),
                "is not in this tree (keys are lower(name)|pid|YYYY-MM-DD HH:MM:SS.ffffff)",
            )
        })
    }

    /// The rows at `rows` (sorted into tree order, duplicates removed).
    pub fn take_rows(&self, mut rows: Vec<u32>) -> Result<DataFrame> {
        rows.sort_unstable();
        rows.dedup();
        crate::data::fresh(&self.df)
            .take(&IdxCa::from_vec(PlSmallStr::EMPTY, rows))
            .ctx("selecting processes")
    }

    fn bool_rows(&self, column: &str) -> Result<Vec<u32>> {
        let ca = crate::data::fresh(&self.df)
            .column(column)
            .ctx("tree flags")?
            .bool()
            .ctx("tree flags")?
            .clone();
        Ok(ca
            .iter()
            .enumerate()
            .filter(|(_, v)| *v == Some(true))
            .map(|(i, _)| i as u32)
            .collect())
    }

    /// The root processes (MSTICPy `get_roots`).
    pub fn roots(&self) -> Result<DataFrame> {
        let rows = (0..self.len() as u32)
            .filter(|&r| self.parent[r as usize].is_none())
            .collect();
        self.take_rows(rows)
    }

    /// The process with this key, as a one-row frame (`get_process`).
    pub fn process(&self, key: &str) -> Result<DataFrame> {
        let r = self.row(key)?;
        self.take_rows(vec![r as u32])
    }

    /// The parent of the process, or `None` for a root (`get_parent`).
    pub fn parent(&self, key: &str) -> Result<Option<DataFrame>> {
        let r = self.row(key)?;
        match self.parent_row(r) {
            Some(p) => Ok(Some(self.take_rows(vec![p as u32])?)),
            None => Ok(None),
        }
    }

    /// The `proc_key` of the parent, or `None` for a root.
    pub fn parent_key(&self, key: &str) -> Result<Option<&str>> {
        let r = self.row(key)?;
        Ok(self.parent_row(r).and_then(|p| self.key_at(p)))
    }

    fn root_row(&self, mut r: usize) -> usize {
        while let Some(p) = self.parent_row(r) {
            r = p;
        }
        r
    }

    /// The root of the process's tree (`get_root`).
    pub fn root(&self, key: &str) -> Result<DataFrame> {
        let r = self.row(key)?;
        self.take_rows(vec![self.root_row(r) as u32])
    }

    /// Every process in the process's tree, from its root (`get_root_tree`).
    pub fn root_tree(&self, key: &str) -> Result<DataFrame> {
        let root = self.root_row(self.row(key)?);
        self.take_rows(self.subtree_rows(root, true, None))
    }

    /// The process's children, with the process first when
    /// `include_source` (`get_children`).
    pub fn children(&self, key: &str, include_source: bool) -> Result<DataFrame> {
        let r = self.row(key)?;
        let mut rows: Vec<u32> = self.child_rows(r).to_vec();
        if include_source {
            rows.push(r as u32);
        }
        self.take_rows(rows)
    }

    fn subtree_rows(&self, r: usize, include_source: bool, max_levels: Option<usize>) -> Vec<u32> {
        let mut out = Vec::new();
        if include_source {
            out.push(r as u32);
        }
        let mut stack: Vec<(u32, usize)> = self.child_rows(r).iter().map(|&c| (c, 1)).collect();
        while let Some((c, level)) = stack.pop() {
            if max_levels.is_some_and(|m| level > m) {
                continue;
            }
            out.push(c);
            stack.extend(self.child_rows(c as usize).iter().map(|&g| (g, level + 1)));
        }
        out
    }

    /// The process's descendants down to `max_levels` levels (all when
    /// `None`), with the process first when `include_source`
    /// (`get_descendents`).
    pub fn descendants(
        &self,
        key: &str,
        include_source: bool,
        max_levels: Option<usize>,
    ) -> Result<DataFrame> {
        let r = self.row(key)?;
        self.take_rows(self.subtree_rows(r, include_source, max_levels))
    }

    /// The process's ancestors from its root down, with the process last
    /// when `include_source` (`get_ancestors`).
    pub fn ancestors(&self, key: &str, include_source: bool) -> Result<DataFrame> {
        let r = self.row(key)?;
        let mut rows = Vec::new();
        if include_source {
            rows.push(r as u32);
        }
        let mut cur = r;
        while let Some(p) = self.parent_row(cur) {
            rows.push(p as u32);
            cur = p;
        }
        self.take_rows(rows)
    }

    /// The processes with the same parent, the process itself included
    /// when `include_source` (`get_siblings`). A root has no siblings.
    pub fn siblings(&self, key: &str, include_source: bool) -> Result<DataFrame> {
        let r = self.row(key)?;
        let mut rows: Vec<u32> = match self.parent_row(r) {
            Some(p) => self.child_rows(p).to_vec(),
            None => vec![r as u32],
        };
        if !include_source {
            rows.retain(|&x| x as usize != r);
        }
        self.take_rows(rows)
    }

    /// Levels in the deepest tree (`get_tree_depth`; a lone root is 1).
    pub fn depth(&self) -> usize {
        self.depth.iter().max().map_or(0, |&d| d as usize + 1)
    }

    /// Depth of one process (roots are 0).
    pub fn process_depth(&self, key: &str) -> Result<usize> {
        Ok(self.depth_of_row(self.row(key)?))
    }

    /// The `proc_key`s of the processes where `predicate` (a boolean
    /// polars expression over the tree columns) is true, in tree order.
    ///
    /// ```no_run
    /// # use huntbook::prelude::*;
    /// # fn f(tree: &ProcessTree) -> huntbook::Result<()> {
    /// let hits = tree.keys_where(col("CommandLine").str().contains_literal(lit("-enc")))?;
    /// # Ok(()) }
    /// ```
    pub fn keys_where(&self, predicate: Expr) -> Result<Vec<String>> {
        let mask = crate::data::fresh(&self.df)
            .lazy()
            .select([predicate.alias("__hb_mask")])
            .collect()
            .ctx("evaluating the process filter")?;
        let col = mask
            .column("__hb_mask")
            .ctx("process filter")?
            .bool()
            .map_err(|_| Error::invalid("process filter", "must be a boolean expression"))?
            .clone();
        Ok(col
            .iter()
            .zip(self.keys.iter())
            .filter(|(m, _)| *m == Some(true))
            .map(|(_, k)| k.unwrap_or("").to_string())
            .collect())
    }

    /// MSTICPy's summary of the tree.
    pub fn summary(&self) -> TreeSummary {
        let count = |c: &str| self.bool_rows(c).map_or(0, |v| v.len());
        let leaves: std::collections::HashSet<u32> = self
            .bool_rows("IsLeaf")
            .unwrap_or_default()
            .into_iter()
            .collect();
        let roots = self.bool_rows("IsRoot").unwrap_or_default();
        TreeSummary {
            processes: self.len(),
            root_processes: roots.len(),
            leaf_processes: leaves.len(),
            branch_processes: count("IsBranch"),
            isolated_processes: roots.iter().filter(|r| leaves.contains(r)).count(),
            largest_tree_depth: self.depth(),
        }
    }
}
