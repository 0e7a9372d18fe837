//! Process trees from process-creation events: build, navigate, show.
//!
//! [`ProcessTree::build`] rebuilds who-started-what from a process log
//! (Windows 4688, Sysmon 1, Linux auditd, Defender, osquery, Volatility
//! pslist, or any log with a custom [`ProcSchema`]) as MSTICPy's
//! `build_process_tree` does, with the same columns (`proc_key`,
//! `parent_key`, `IsRoot`, `IsLeaf`, `IsBranch`, `path`, `parent_index`,
//! `source_index`, `EffectiveLogonId`, …). The result keeps its DataFrame
//! (in tree order) and an index of the links, so navigation (roots,
//! parent, children, descendants, ancestors, siblings, root tree) is a
//! lookup, not a frame scan. In a notebook the tree shows as an interactive,
//! collapsible view ([`crate::vis::process_tree`]).
//!
//! ```
//! use huntbook::prelude::*;
//! let events = df!(
//!     "TimeGenerated" => ["2024-03-04T08:00:01Z", "2024-03-04T08:00:02Z", "2024-03-04T08:00:03Z"],
//!     "NewProcessName" => [r"C:\Windows\System32\cmd.exe", r"C:\Windows\System32\whoami.exe", r"C:\Windows\System32\net.exe"],
//!     "NewProcessId" => ["0x10", "0x20", "0x30"],
//!     "ProcessId" => ["0x4", "0x10", "0x10"],
//!     "ParentProcessName" => [r"C:\Windows\explorer.exe", r"C:\Windows\System32\cmd.exe", r"C:\Windows\System32\cmd.exe"],
//!     "CommandLine" => ["cmd.exe", "whoami /all", "net user"],
//! )?;
//! let tree = ProcessTree::build(&events)?;
//! let s = tree.summary();
//! assert_eq!((s.processes, s.root_processes, s.leaf_processes, s.largest_tree_depth), (4, 1, 2, 3));
//! let cmd = r"c:\windows\system32\cmd.exe|0x10|2024-03-04 08:00:01.000000";
//! assert_eq!(tree.children(cmd, false)?.height(), 2);
//! assert_eq!(tree.ancestors(r"c:\windows\system32\net.exe|0x30|2024-03-04 08:00:03.000000", true)?.height(), 3);
//! print!("{}", tree.to_text());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod build;
pub(crate) mod input;
mod navigate;
mod schema;
mod text;

pub use navigate::TreeSummary;
pub use schema::{EventFilter, ProcSchema};
pub use text::TextTemplate;

use crate::error::Result;
use polars::prelude::DataFrame;
use std::collections::HashMap;

/// Default limit on tree depth (process chains in real logs stay far below).
pub const DEFAULT_MAX_DEPTH: usize = 1024;

/// How to build a tree: the schema (inferred when not given) and the depth
/// limit.
///
/// ```
/// use huntbook::transform::proctree::{ProcSchema, ProcessTreeBuilder};
/// let builder = ProcessTreeBuilder::new().schema(ProcSchema::linux_auditd()).max_depth(200);
/// # let _ = builder;
/// ```
#[derive(Debug, Clone)]
pub struct ProcessTreeBuilder {
    schema: Option<ProcSchema>,
    max_depth: usize,
}

impl Default for ProcessTreeBuilder {
    fn default() -> Self {
        Self {
            schema: None,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

impl ProcessTreeBuilder {
    /// Infers the schema, depth limit [`DEFAULT_MAX_DEPTH`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Uses this schema instead of inferring one.
    pub fn schema(mut self, schema: ProcSchema) -> Self {
        self.schema = Some(schema);
        self
    }

    /// Fails with a clear error on trees deeper than `levels` (at least 1),
    /// which bounds the `path` strings on hostile input.
    pub fn max_depth(mut self, levels: usize) -> Self {
        self.max_depth = levels.max(1);
        self
    }

    /// Builds the tree of `events`.
    pub fn build(&self, events: &DataFrame) -> Result<ProcessTree> {
        let schema = match &self.schema {
            Some(s) => s.clone(),
            None => ProcSchema::infer(events)?,
        };
        let built = build::build(
            events,
            &schema,
            &build::Settings {
                max_depth: self.max_depth,
            },
        )?;
        Ok(ProcessTree::from_built(built, schema))
    }
}

/// A process tree: the MSTICPy-compatible frame in tree order (sorted by
/// `path`) and the links between its rows.
///
/// Processes are named by their `proc_key` (`lower(name)|pid|time`) in
/// every navigation method, as in MSTICPy.
#[derive(Debug, Clone)]
pub struct ProcessTree {
    df: DataFrame,
    schema: ProcSchema,
    /// `proc_key` per row (one chunk).
    keys: polars::prelude::StringChunked,
    /// Built on the first lookup by key (the bench and most analyses never
    /// look up by key): see [`KeyIndex`].
    key_index: std::sync::OnceLock<KeyIndex>,
    parent: Vec<Option<u32>>,
    child_start: Vec<u32>,
    child_list: Vec<u32>,
    depth: Vec<u32>,
    is_inferred: Vec<bool>,
    inferred: usize,
    merged_duplicates: usize,
    exact_duplicates: usize,
}

impl ProcessTree {
    /// Builds the tree with the schema inferred from the columns.
    pub fn build(events: &DataFrame) -> Result<Self> {
        ProcessTreeBuilder::new().build(events)
    }

    /// Builds the tree with the given schema.
    pub fn build_with_schema(events: &DataFrame, schema: ProcSchema) -> Result<Self> {
        ProcessTreeBuilder::new().schema(schema).build(events)
    }

    fn from_built(b: build::Built, schema: ProcSchema) -> Self {
        let n = b.keys.len();
        let mut counts = vec![0u32; n + 1];
        for p in b.parent.iter().flatten() {
            counts[*p as usize + 1] += 1;
        }
        for i in 0..n {
            counts[i + 1] += counts[i];
        }
        let mut fill = counts.clone();
        let mut child_list = vec![0u32; counts[n] as usize];
        for (i, p) in b.parent.iter().enumerate() {
            if let Some(p) = p {
                child_list[fill[*p as usize] as usize] = i as u32;
                fill[*p as usize] += 1;
            }
        }
        let keys = b.keys.rechunk().into_owned();
        Self {
            df: b.df,
            schema,
            keys,
            key_index: std::sync::OnceLock::new(),
            parent: b.parent,
            child_start: counts,
            child_list,
            depth: b.depth,
            is_inferred: b.is_inferred,
            inferred: b.inferred,
            merged_duplicates: b.merged_duplicates,
            exact_duplicates: b.exact_duplicates,
        }
    }

    /// The tree as a frame, in tree order.
    pub fn df(&self) -> &DataFrame {
        &self.df
    }

    /// The frame, consuming the tree.
    pub fn into_df(self) -> DataFrame {
        self.df
    }

    /// The schema the tree was built with.
    pub fn schema(&self) -> &ProcSchema {
        &self.schema
    }

    /// Number of processes (rows), inferred parents included.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when the tree has no processes (never, for a built tree).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Parents that were not in the data and were inferred from their
    /// children.
    pub fn inferred_parents(&self) -> usize {
        self.inferred
    }

    /// Rows merged into an earlier row with the same `proc_key` (same
    /// name, pid and time but other columns differing; MSTICPy keeps the
    /// first the same way), and exact duplicate rows dropped.
    pub fn duplicates(&self) -> (usize, usize) {
        (self.merged_duplicates, self.exact_duplicates)
    }

    /// The `proc_key` of each row, in tree order.
    pub fn keys(&self) -> Vec<&str> {
        self.keys.iter().map(|k| k.unwrap_or("")).collect()
    }

    /// The `proc_key` of a row.
    pub fn key_at(&self, row: usize) -> Option<&str> {
        self.keys.get(row)
    }

    /// Row of the tree frame holding process `key`.
    pub fn row_of(&self, key: &str) -> Option<usize> {
        let hit = |r: u32| self.keys.get(r as usize) == Some(key);
        let index = self.key_index.get_or_init(|| KeyIndex::new(&self.keys));
        match index.row.get(&key_hash(key)) {
            Some(&r) if hit(r) => Some(r as usize),
            _ => index
                .clash
                .iter()
                .copied()
                .find(|&r| hit(r))
                .map(|r| r as usize),
        }
    }

    /// Row of the parent of the process at `row`.
    pub fn parent_row(&self, row: usize) -> Option<usize> {
        self.parent.get(row).copied().flatten().map(|p| p as usize)
    }

    /// Rows of the children of the process at `row`, in tree order.
    pub fn child_rows(&self, row: usize) -> &[u32] {
        match (self.child_start.get(row), self.child_start.get(row + 1)) {
            (Some(&s), Some(&e)) => &self.child_list[s as usize..e as usize],
            _ => &[],
        }
    }

    /// True when the process at `row` was inferred (a parent or
    /// grandparent not in the data).
    pub fn is_inferred_row(&self, row: usize) -> bool {
        self.is_inferred.get(row).copied().unwrap_or(false)
    }

    /// Depth of the process at `row` (roots are 0).
    pub fn depth_of_row(&self, row: usize) -> usize {
        self.depth.get(row).map_or(0, |&d| d as usize)
    }
}

impl crate::display::NotebookDisplay for ProcessTree {
    fn to_html(&self) -> String {
        crate::vis::process_tree::ProcessTreeView::new(self).html()
    }

    fn to_text(&self) -> String {
        let s = self.summary();
        let mut out = format!("{s}\n");
        out.push_str(&self.to_text_with(&TextTemplate::default().max_rows(200)));
        out
    }
}

/// Rows by the hash of their `proc_key`; rows whose hash an earlier key
/// already had are in `clash` (searched one by one).
#[derive(Debug, Clone, Default)]
struct KeyIndex {
    row: HashMap<u64, u32>,
    clash: Vec<u32>,
}

impl KeyIndex {
    fn new(keys: &polars::prelude::StringChunked) -> Self {
        let mut index = KeyIndex {
            row: HashMap::with_capacity(keys.len()),
            clash: Vec::new(),
        };
        for (i, k) in keys.iter().enumerate() {
            match index.row.entry(key_hash(k.unwrap_or(""))) {
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(i as u32);
                }
                std::collections::hash_map::Entry::Occupied(_) => index.clash.push(i as u32),
            }
        }
        index
    }
}

/// The hash of a `proc_key` for [`ProcessTree::row_of`].
fn key_hash(key: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0x6875_6e74).hash_one(key)
}
