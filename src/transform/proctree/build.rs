//! Building the tree: parent matching, inferred parents, keys, flags, paths.
//!
//! The algorithm is MSTICPy's (`proc_tree_build_winlx.py`,
//! `proc_tree_builder.py`) done with hash maps over columns instead of
//! `merge_asof` and repeated frame merges:
//!
//! 1. Keep process-creation events (the schema's event filter), order them
//!    by time (ties keep input order) and drop exact duplicate rows.
//! 2. Each process's parent is the **latest** process at or before its own
//!    time whose id is the child's parent id and, when the schema has a
//!    parent name, whose lower-cased name is the child's parent name. That
//!    handles pid reuse: an older process with the same pid and name is never
//!    chosen over a newer one.
//! 3. A child with no such process gets an inferred parent, built from what
//!    the child says about it, with time 1970-01-01 (or the parent creation
//!    time the log carries, e.g. Defender's `InitiatingProcessCreationTime`).
//! 4. `proc_key`/`parent_key` are `lower(name)|pid|time rounded to 10 µs`,
//!    rows with the same `proc_key` are merged (the first is kept), and
//!    `IsRoot`/`IsLeaf`/`IsBranch`, `path` and `parent_index` follow.
//!
//! Where this differs from MSTICPy 3.0.2 (each covered by a test):
//! - A process is never its own parent, and a cycle of parent links can
//!   never form: links go back in time, and among events with the same
//!   timestamp a link that would close a cycle is dropped (the process
//!   then takes the latest strictly earlier match, or an inferred parent).
//!   MSTICPy's `merge_asof` matches a row to itself when its pid and name
//!   equal its parent's, leaving both outside every tree.
//! - `source_index` is padded to at least 5 digits, and to more when the
//!   tree has 100,000 rows or more, so `path` order stays tree order
//!   (MSTICPy's fixed `zfill(5)` sorts `100000` before `99999`).
//! - Ties in time keep the input order (pandas' default sort is unstable).

use super::input::FastMap;
use super::input::{self, Interner, NULL};
use super::schema::{EventFilter, ProcSchema};
use crate::error::{Error, PolarsContext, Result};
use polars::prelude::*;

/// Columns the builder adds; input columns with these names are replaced.
pub(crate) const ADDED: &[&str] = &[
    "proc_key",
    "EffectiveLogonId",
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

/// (host, parent id, logon, parent name, lower-cased parent name, time) of
/// an inferred parent, as pandas' `drop_duplicates` tells them apart.
type Combo<'a> = (
    Option<&'a str>,
    u32,
    Option<&'a str>,
    Option<&'a str>,
    u32,
    i64,
);

/// Builder settings.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub max_depth: usize,
}

/// What the builder hands to [`super::ProcessTree`].
pub(crate) struct Built {
    pub df: DataFrame,
    pub keys: StringChunked,
    pub parent: Vec<Option<u32>>,
    pub depth: Vec<u32>,
    pub is_inferred: Vec<bool>,
    pub inferred: usize,
    pub merged_duplicates: usize,
    pub exact_duplicates: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A row of the input (index into the filtered frame).
    Real(u32),
    /// The inferred parent of the real row at this position.
    Parent(u32),
    /// The inferred grandparent of the real row at this position.
    Grandparent(u32),
}

struct Node {
    kind: Kind,
    name_lc: u32,
    pid: u32,
    ts: i64,
    parent: Option<u32>,
    /// The position this one was merged into (same `proc_key`).
    merged_into: Option<u32>,
}

fn key_of(n: &Node) -> (u32, u32, i64) {
    (n.name_lc, n.pid, input::round_10us(n.ts))
}

/// Union-find over positions, used to refuse cycle-closing links among
/// events with the same timestamp.
struct Dsu(Vec<u32>);

impl Dsu {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.0[x as usize] != x {
            let p = self.0[x as usize];
            self.0[x as usize] = self.0[p as usize];
            x = p;
        }
        x
    }
}

fn event_mask(df: &DataFrame, column: &str, value: &EventFilter) -> Result<BooleanChunked> {
    let mask: BooleanChunked = match value {
        EventFilter::Int(v) => {
            let s = df
                .column(column)
                .ctx("event filter")?
                .as_materialized_series()
                .cast(&DataType::Int64)
                .ctx(format!("reading event column '{column}' as integers"))?;
            s.i64()
                .ctx("event filter")?
                .iter()
                .map(|x| Some(x == Some(*v)))
                .collect()
        }
        EventFilter::Text(v) => input::as_text(df, column)?
            .iter()
            .map(|x| Some(x == Some(v.as_str())))
            .collect(),
    };
    Ok(mask)
}

/// Casts integral float id columns to Int64 (pandas writes integer columns
/// that held nulls as `22536.0`).
fn normalise_ids(df: &mut DataFrame, schema: &ProcSchema) -> Result<()> {
    let ids = [
        Some(&schema.process_id),
        Some(&schema.parent_id),
        schema.grandparent_id.as_ref(),
    ];
    for name in ids.into_iter().flatten() {
        let Ok(col) = df.column(name) else { continue };
        if !col.dtype().is_float() {
            continue;
        }
        let f = col
            .cast(&DataType::Float64)
            .ctx(format!("reading id column '{name}'"))?;
        let integral = f
            .f64()
            .ctx("ids")?
            .iter()
            .flatten()
            .all(|v| v.fract() == 0.0 && v.abs() < 9.0e15);
        if integral {
            let i = f.cast(&DataType::Int64).ctx("ids")?;
            df.with_column(i).ctx("ids")?;
        }
    }
    Ok(())
}

fn text_opt(df: &DataFrame, col: &Option<String>) -> Result<Option<StringChunked>> {
    match col {
        Some(c) if df.column(c).is_ok() => Ok(Some(input::as_text(df, c)?)),
        _ => Ok(None),
    }
}

fn present<'a>(df: &DataFrame, col: &'a Option<String>) -> Option<&'a str> {
    col.as_deref().filter(|c| df.column(c).is_ok())
}

/// Builds the tree of `df` with `schema`.
// The graph passes index several parallel arrays by node id while pushing
// to or mutating others, which iterators cannot express.
#[allow(clippy::needless_range_loop)]
pub(crate) fn build(df: &DataFrame, schema: &ProcSchema, settings: &Settings) -> Result<Built> {
    schema.check(df)?;
    if df.height() == 0 {
        return Err(Error::invalid(
            "process events",
            "the frame is empty: there are no processes to build a tree from",
        ));
    }
    // Input columns that clash with the ones the builder adds are replaced.
    let mut data = df.clone();
    for name in ADDED {
        if data.column(name).is_ok() {
            data = data.drop(name).ctx("dropping old tree column")?;
        }
    }
    // 1. Process-creation events only.
    let mut orig_row: Vec<u32> = (0..data.height() as u32).collect();
    if let (Some(col), Some(value)) = (
        present(&data, &schema.event_id_column),
        &schema.event_id_identifier,
    ) {
        let mask = event_mask(&data, col, value)?;
        let all_true = mask.iter().all(|m| m == Some(true));
        orig_row = orig_row
            .into_iter()
            .zip(mask.iter())
            .filter(|(_, m)| *m == Some(true))
            .map(|(r, _)| r)
            .collect();
        if !all_true {
            data = data.filter(&mask).ctx("filtering process events")?;
        }
        if data.height() == 0 {
            return Err(Error::invalid(
                "process events",
                format!("no rows have {col} = {value} (process creation)"),
            ));
        }
    }
    // One chunk per column: gathers from several chunks copy text string by
    // string (frames from readers or concatenation often have several).
    if data.should_rechunk() {
        data.rechunk_mut_par();
    }
    normalise_ids(&mut data, schema)?;
    let n = data.height();

    let ts_opt = input::times_ns(&data, &schema.time_stamp)?;
    let mut ts = Vec::with_capacity(n);
    for (row, t) in ts_opt.iter().enumerate() {
        ts.push(t.ok_or_else(|| {
            Error::invalid(
                format!(
                    "time column '{}' row {}",
                    schema.time_stamp,
                    orig_row.get(row).copied().unwrap_or(0)
                ),
                "is empty: every process event needs a time",
            )
        })?);
    }
    let mut ids = Interner::default();
    let mut names = Interner::default();
    let unknown = names.intern("unknown");
    let pid = input::codes(
        &input::as_text(&data, &schema.process_id)?,
        &mut ids,
        false,
        true,
    );
    let ppid = input::codes(
        &input::as_text(&data, &schema.parent_id)?,
        &mut ids,
        false,
        true,
    );
    let name_text = input::as_text(&data, &schema.process_name)?;
    let name_lc = input::codes(&name_text, &mut names, true, false);
    let parent_text = text_opt(&data, &schema.parent_name)?;
    let parent_lc: Option<Vec<u32>> = parent_text.as_ref().map(|t| {
        input::codes(t, &mut names, true, true)
            .into_iter()
            .map(|c| if c == NULL { unknown } else { c })
            .collect()
    });
    let parent_time: Option<Vec<Option<i64>>> = match present(&data, &schema.parent_time) {
        Some(c) => Some(input::times_ns(&data, c)?),
        None => None,
    };
    let logon = text_opt(&data, &schema.logon_id)?;
    let target = text_opt(&data, &schema.target_logon_id)?;
    let host = text_opt(&data, &schema.host_name)?;

    // Ordered by time, ties in input order.
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by_key(|&r| ts[r as usize]);

    // Exact duplicate rows are dropped before numbering, as pandas'
    // drop_duplicates does; only rows with the same key are compared.
    let mut nodes: Vec<Node> = Vec::with_capacity(n + n / 8);
    let mut real_key: FastMap<(u32, u32, i64), u32> =
        FastMap::with_capacity_and_hasher(n, Default::default());
    let mut exact_duplicates = 0usize;
    let mut merged_duplicates = 0usize;
    for &r in &order {
        let ri = r as usize;
        let node = Node {
            kind: Kind::Real(r),
            name_lc: name_lc[ri],
            pid: pid[ri],
            ts: ts[ri],
            parent: None,
            merged_into: None,
        };
        let key = key_of(&node);
        if let Some(&first) = real_key.get(&key) {
            if same_rows(&data, &nodes, first, r) {
                exact_duplicates += 1;
                continue;
            }
            merged_duplicates += 1;
            let mut node = node;
            node.merged_into = Some(first);
            nodes.push(node);
            continue;
        }
        real_key.insert(key, nodes.len() as u32);
        nodes.push(node);
    }
    let m = nodes.len();

    // 2. Parent matching, one group of equal timestamps at a time.
    let match_key = |p: usize, nodes: &[Node]| -> Option<(u32, u32)> {
        let Kind::Real(r) = nodes[p].kind else {
            return None;
        };
        let r = r as usize;
        if ppid[r] == NULL {
            return None;
        }
        Some((ppid[r], parent_lc.as_ref().map_or(NULL, |v| v[r])))
    };
    let own_key = |n: &Node| (n.pid, if parent_lc.is_some() { n.name_lc } else { NULL });
    let mut latest: FastMap<(u32, u32), u32> =
        FastMap::with_capacity_and_hasher(n, Default::default());
    let mut dsu = Dsu((0..m as u32).collect());
    let mut start = 0;
    while start < m {
        let mut end = start + 1;
        while end < m && nodes[end].ts == nodes[start].ts {
            end += 1;
        }
        if end - start == 1 {
            if let Some(k) = match_key(start, &nodes) {
                nodes[start].parent = latest.get(&k).copied();
            }
        } else {
            let mut group: FastMap<(u32, u32), Vec<u32>> = FastMap::default();
            for p in start..end {
                if nodes[p].pid != NULL {
                    group.entry(own_key(&nodes[p])).or_default().push(p as u32);
                }
            }
            for p in start..end {
                let Some(k) = match_key(p, &nodes) else {
                    continue;
                };
                let mut chosen = None;
                if let Some(cands) = group.get(&k) {
                    for &q in cands.iter().rev() {
                        if q as usize == p {
                            continue;
                        }
                        let (rp, rq) = (dsu.find(p as u32), dsu.find(q));
                        if rp != rq {
                            dsu.0[rp as usize] = rq;
                            chosen = Some(q);
                            break;
                        }
                    }
                }
                nodes[p].parent = chosen.or_else(|| latest.get(&k).copied());
            }
        }
        for p in start..end {
            if nodes[p].pid != NULL {
                latest.insert(own_key(&nodes[p]), p as u32);
            }
        }
        start = end;
    }
    drop(latest);

    // 3. Inferred parents (and grandparents, when the log names them).
    let gp = match (
        present(&data, &schema.grandparent_id),
        present(&data, &schema.grandparent_name),
    ) {
        (Some(id_col), Some(name_col)) => {
            let gp_id = input::codes(&input::as_text(&data, id_col)?, &mut ids, false, true);
            let gp_lc: Vec<u32> =
                input::codes(&input::as_text(&data, name_col)?, &mut names, true, true)
                    .into_iter()
                    .map(|c| if c == NULL { unknown } else { c })
                    .collect();
            let gp_time = match present(&data, &schema.grandparent_time) {
                Some(c) => Some(input::times_ns(&data, c)?),
                None => None,
            };
            Some((gp_id, gp_lc, gp_time))
        }
        _ => None,
    };
    let mut inferred_key: FastMap<(u32, u32, i64), u32> = FastMap::default();
    let mut combos: FastMap<Combo, ()> = FastMap::default();
    let mut inferred = 0usize;
    for p in 0..m {
        if nodes[p].parent.is_some() || nodes[p].merged_into.is_some() {
            continue;
        }
        let Some((pp, plc_match)) = match_key(p, &nodes) else {
            continue;
        };
        let Kind::Real(r) = nodes[p].kind else {
            continue;
        };
        let ri = r as usize;
        let plc = if plc_match == NULL {
            unknown
        } else {
            plc_match
        };
        let pts = parent_time.as_ref().and_then(|v| v[ri]).unwrap_or(0);
        let key = (plc, pp, input::round_10us(pts));
        if let Some(&real) = real_key.get(&key) {
            nodes[p].parent = Some(real);
            continue;
        }
        // pandas' drop_duplicates over the inferred rows numbers each
        // distinct (host, id, logon, name) before keys are merged.
        let combo = (
            host.as_ref().and_then(|h| h.get(ri)),
            pp,
            logon.as_ref().and_then(|l| l.get(ri)),
            parent_text.as_ref().and_then(|t| t.get(ri)),
            plc,
            pts,
        );
        let is_new_combo = combos.insert(combo, ()).is_none();
        match inferred_key.get(&key) {
            Some(&existing) => {
                nodes[p].parent = Some(existing);
                if is_new_combo {
                    nodes.push(Node {
                        kind: Kind::Parent(p as u32),
                        name_lc: plc,
                        pid: pp,
                        ts: pts,
                        parent: None,
                        merged_into: Some(existing),
                    });
                }
            }
            None => {
                let id = nodes.len() as u32;
                inferred_key.insert(key, id);
                inferred += 1;
                nodes.push(Node {
                    kind: Kind::Parent(p as u32),
                    name_lc: plc,
                    pid: pp,
                    ts: pts,
                    parent: None,
                    merged_into: None,
                });
                nodes[p].parent = Some(id);
            }
        }
    }
    if let Some((gp_id, gp_lc, gp_time)) = &gp {
        let mut by_key: FastMap<(u32, u32), Vec<u32>> = FastMap::default();
        for (p, node) in nodes.iter().enumerate().take(m) {
            if node.pid != NULL && node.merged_into.is_none() {
                by_key.entry(own_key(node)).or_default().push(p as u32);
            }
        }
        let parents_end = nodes.len();
        for x in m..parents_end {
            let (Kind::Parent(child), None) = (nodes[x].kind, nodes[x].merged_into) else {
                continue;
            };
            let Kind::Real(r) = nodes[child as usize].kind else {
                continue;
            };
            let ri = r as usize;
            if gp_id[ri] == NULL {
                continue;
            }
            let glc = gp_lc[ri];
            let k = (gp_id[ri], if parent_lc.is_some() { glc } else { NULL });
            let x_ts = nodes[x].ts;
            let earlier = by_key.get(&k).and_then(|c| {
                let i = c.partition_point(|&q| nodes[q as usize].ts <= x_ts);
                i.checked_sub(1).map(|i| c[i])
            });
            if let Some(q) = earlier {
                nodes[x].parent = Some(q);
                continue;
            }
            let gts = gp_time.as_ref().and_then(|v| v[ri]).unwrap_or(0);
            let key = (glc, gp_id[ri], input::round_10us(gts));
            if let Some(&q) = real_key.get(&key).or_else(|| inferred_key.get(&key)) {
                if q as usize != x {
                    nodes[x].parent = Some(q);
                }
                continue;
            }
            let id = nodes.len() as u32;
            inferred_key.insert(key, id);
            inferred += 1;
            nodes.push(Node {
                kind: Kind::Grandparent(child),
                name_lc: glc,
                pid: gp_id[ri],
                ts: gts,
                parent: None,
                merged_into: None,
            });
            nodes[x].parent = Some(id);
        }
    }

    // Links to merged rows go to the row they were merged into.
    for i in 0..nodes.len() {
        if let Some(p) = nodes[i].parent
            && let Some(into) = nodes[p as usize].merged_into
        {
            nodes[i].parent = Some(into);
        }
    }

    drop((real_key, inferred_key, combos, dsu, order));

    // 4. Tree order (MSTICPy sorts by path), depth and paths.
    let total = nodes.len();
    let width = std::cmp::max(5, (total.saturating_sub(1)).to_string().len());
    let mut child_count = vec![0u32; total];
    for node in &nodes {
        if let (Some(p), None) = (node.parent, node.merged_into) {
            child_count[p as usize] += 1;
        }
    }
    let mut child_start = vec![0u32; total + 1];
    for i in 0..total {
        child_start[i + 1] = child_start[i] + child_count[i];
    }
    let mut fill = child_start.clone();
    let mut child_list = vec![0u32; child_start[total] as usize];
    for (i, node) in nodes.iter().enumerate() {
        if let (Some(p), None) = (node.parent, node.merged_into) {
            child_list[fill[p as usize] as usize] = i as u32;
            fill[p as usize] += 1;
        }
    }
    let kept = |i: usize| nodes[i].merged_into.is_none();
    let mut out_order: Vec<u32> = Vec::with_capacity(total);
    let mut out_row = vec![u32::MAX; total];
    let mut depth_of = vec![0u32; total];
    let mut stack: Vec<u32> = Vec::new();
    for root in (0..total).filter(|&i| kept(i) && nodes[i].parent.is_none()) {
        stack.push(root as u32);
        while let Some(v) = stack.pop() {
            let vi = v as usize;
            out_row[vi] = out_order.len() as u32;
            out_order.push(v);
            let d = depth_of[vi];
            if (d as usize) + 1 > settings.max_depth {
                return Err(Error::invalid(
                    "process tree",
                    format!(
                        "deeper than {} levels (at process {}); raise max_depth if this is real",
                        settings.max_depth,
                        key_string(&nodes[vi], &names, &ids)
                    ),
                ));
            }
            let (s, e) = (child_start[vi] as usize, child_start[vi + 1] as usize);
            for &c in child_list[s..e].iter().rev() {
                depth_of[c as usize] = d + 1;
                stack.push(c);
            }
        }
    }
    // Defensive: nodes no root reaches (impossible without a cycle) keep
    // their own index as path, as MSTICPy leaves them.
    let mut unreached = Vec::new();
    for i in 0..total {
        if kept(i) && out_row[i] == u32::MAX {
            out_row[i] = out_order.len() as u32;
            out_order.push(i as u32);
            unreached.push(i);
        }
    }
    for &i in &unreached {
        nodes[i].parent = None;
        depth_of[i] = 0;
    }

    // Output columns, row by row in tree order. Text columns are written
    // straight into column builders from one reused buffer: no string per
    // row (1M rows made ~4M small allocations here before).
    // The input columns in tree order (a gather per column) are built on a
    // second thread while this one writes the added columns row by row.
    std::thread::scope(|scope| {
        let base_job = scope.spawn(|| output_base(&data, schema, &nodes, &out_order));
        let rows = out_order.len();
        let mut keys_b = StringChunkedBuilder::new("proc_key".into(), rows);
        let mut path_b = StringChunkedBuilder::new("path".into(), rows);
        let mut source_b = StringChunkedBuilder::new("source_index".into(), rows);
        let mut pindex_b = StringChunkedBuilder::new("parent_index".into(), rows);
        let mut buf = String::with_capacity(128);
        // The path of the node last visited at each depth (tree order is a
        // depth-first pre-order, so a node's parent is the last one visited one
        // level up): its length in `path_buf`.
        let mut path_buf = String::with_capacity(256);
        let mut path_len: Vec<usize> = Vec::new();
        let mut parent_out: Vec<Option<u32>> = Vec::with_capacity(rows);
        let mut depth = Vec::with_capacity(rows);
        let mut is_inferred = Vec::with_capacity(rows);
        let mut is_root = Vec::with_capacity(rows);
        let mut is_leaf = Vec::with_capacity(rows);
        let mut is_branch = Vec::with_capacity(rows);
        // Names are gathered from the interned names (codes) and parent names
        // from the input column (rows), so repeated text is stored once.
        let code = |c: u32| (c != NULL).then_some(c as IdxSize);
        let mut lc_out: Vec<Option<IdxSize>> = Vec::with_capacity(rows);
        let mut parent_lc_out: Vec<Option<IdxSize>> = Vec::with_capacity(rows);
        let mut ts_out: Vec<i64> = Vec::with_capacity(rows);
        let mut eff: Vec<Option<&str>> = Vec::with_capacity(rows);
        let mut pid_par: Vec<Option<&str>> = Vec::with_capacity(rows);
        let mut eff_par: Vec<Option<&str>> = Vec::with_capacity(rows);
        let mut lc_par: Vec<Option<IdxSize>> = Vec::with_capacity(rows);
        let mut src_par: Vec<Option<i64>> = Vec::with_capacity(rows);
        let mut ppid_par: Vec<Option<&str>> = Vec::with_capacity(rows);
        let mut name_par: Vec<Option<IdxSize>> = Vec::with_capacity(rows);
        let mut name_par_unknown: Vec<bool> = Vec::new();
        let mut ts_par: Vec<Option<i64>> = Vec::with_capacity(rows);

        let logon_at = |ri: usize| logon.as_ref().and_then(|l| l.get(ri));
        let effective = |ri: usize| -> Option<&str> {
            target
                .as_ref()
                .and_then(|t| t.get(ri))
                .filter(|v| !v.is_empty() && *v != "0x0")
                .or_else(|| logon_at(ri))
        };
        for &v in out_order.iter() {
            let vi = v as usize;
            let node = &nodes[vi];
            buf.clear();
            key_into(node, &names, &ids, &mut buf);
            keys_b.append_value(&buf);
            let par = node.parent;
            let d = depth_of[vi] as usize;
            match par {
                Some(_) if d > 0 => path_buf.truncate(path_len[d - 1]),
                _ => path_buf.clear(),
            }
            if !path_buf.is_empty() {
                path_buf.push('/');
            }
            input::push_num(&mut path_buf, i64::from(v), width);
            path_len.truncate(d);
            path_len.resize(d, 0);
            path_len.push(path_buf.len());
            path_b.append_value(&path_buf);
            buf.clear();
            input::push_num(&mut buf, i64::from(v), width);
            source_b.append_value(&buf);
            match par {
                Some(p) => {
                    buf.clear();
                    input::push_num(&mut buf, i64::from(p), width);
                    pindex_b.append_value(&buf);
                }
                None => pindex_b.append_null(),
            }
            let has_child = child_start[vi + 1] > child_start[vi];
            is_root.push(par.is_none());
            is_leaf.push(!has_child);
            is_branch.push(par.is_some() && has_child);
            lc_out.push(code(node.name_lc));
            ts_out.push(node.ts);
            parent_out.push(par.map(|p| out_row[p as usize]));
            depth.push(depth_of[vi]);
            is_inferred.push(!matches!(node.kind, Kind::Real(_)));
            let none = |pid_par: &mut Vec<_>, eff_par: &mut Vec<_>, lc_par: &mut Vec<_>| {
                pid_par.push(None);
                eff_par.push(None);
                lc_par.push(None);
            };
            match node.kind {
                Kind::Real(r) => {
                    let ri = r as usize;
                    eff.push(effective(ri));
                    let parent_node = par.map(|p| &nodes[p as usize]);
                    let matched = parent_node.and_then(|pn| match pn.kind {
                        Kind::Real(pr) => Some(pr as usize),
                        _ => None,
                    });
                    parent_lc_out.push(match (&parent_lc, parent_node) {
                        (Some(v), _) => code(v[ri]),
                        (None, Some(pn)) => code(pn.name_lc),
                        (None, None) => None,
                    });
                    match (matched, parent_node) {
                        (Some(pr), _) => {
                            pid_par.push(ids.get(pid[pr]));
                            eff_par.push(effective(pr));
                            lc_par.push(code(name_lc[pr]));
                            src_par.push(Some(i64::from(orig_row[pr])));
                            ppid_par.push(ids.get(ppid[pr]));
                            name_par.push(Some(pr as IdxSize));
                            ts_par.push(Some(ts[pr]));
                        }
                        (None, Some(pn)) => {
                            pid_par.push(ids.get(ppid[ri]));
                            eff_par.push(logon_at(ri));
                            lc_par.push(code(pn.name_lc));
                            src_par.push(None);
                            ppid_par.push(None);
                            name_par.push(None);
                            if parent_lc.is_none() {
                                name_par_unknown.resize(name_par.len(), false);
                                name_par_unknown[name_par.len() - 1] = true;
                            }
                            ts_par.push(Some(pn.ts));
                        }
                        (None, None) => {
                            none(&mut pid_par, &mut eff_par, &mut lc_par);
                            src_par.push(None);
                            ppid_par.push(None);
                            name_par.push(None);
                            ts_par.push(None);
                        }
                    }
                }
                Kind::Parent(child) | Kind::Grandparent(child) => {
                    let cr = match nodes[child as usize].kind {
                        Kind::Real(r) => r as usize,
                        _ => 0,
                    };
                    eff.push(logon_at(cr));
                    parent_lc_out.push(par.and_then(|p| code(nodes[p as usize].name_lc)));
                    none(&mut pid_par, &mut eff_par, &mut lc_par);
                    src_par.push(None);
                    ppid_par.push(None);
                    name_par.push(None);
                    ts_par.push(None);
                }
            }
        }

        // The input columns, real rows taken from the data and inferred rows
        // filled from what their children say about them.
        let base = base_job.join().map_err(|_| {
            Error::Runtime("process tree: the thread ordering the input columns panicked".into())
        })??;
        let keys = keys_b.finish();
        let mut cols: Vec<Column> = Vec::with_capacity(base.width() + 20);
        cols.push(keys.clone().into_column());
        for c in base.columns() {
            if c.name().as_str() == schema.time_stamp {
                cols.push(datetime_col(
                    &schema.time_stamp,
                    ts_out.iter().map(|&t| Some(t)),
                ));
            } else {
                cols.push(c.clone());
            }
        }
        let names_ca: StringChunked = names.values.iter().map(|v| Some(v.as_str())).collect();
        let mut name_par_col = gather_text(&name_text, &name_par, "name_par")?;
        if !name_par_unknown.is_empty() {
            name_par_unknown.resize(rows, false);
            let mask: BooleanChunked = name_par_unknown.iter().map(|&u| Some(u)).collect();
            let unknown = Column::new_scalar(
                "name_par".into(),
                Scalar::new(DataType::String, AnyValue::StringOwned("unknown".into())),
                rows,
            );
            name_par_col = unknown.zip_with(&mask, &name_par_col).ctx("parent names")?;
        }
        let pid_name = format!("{}_par", schema.process_id);
        let ppid_name = format!("{}_par", schema.parent_id);
        let name_name = format!("{}_par", schema.process_name);
        let parent_idx: IdxCa = parent_out.iter().map(|p| p.map(|p| p as IdxSize)).collect();
        let parent_key = keys
            .take(&parent_idx)
            .ctx("parent keys")?
            .with_name("parent_key".into());
        let mut extra = vec![
            str_col("EffectiveLogonId", eff.iter().copied()),
            gather_text(&names_ca, &lc_out, "new_process_lc")?,
            gather_text(&names_ca, &parent_lc_out, "parent_proc_lc")?,
            source_b.finish().into_column(),
            str_col(&pid_name, pid_par.iter().copied()),
            str_col("EffectiveLogonId_par", eff_par.iter().copied()),
            gather_text(&names_ca, &lc_par, "new_process_lc_par")?,
            Column::new("source_index_par".into(), &src_par),
            str_col(&ppid_name, ppid_par.iter().copied()),
            name_par_col.clone().with_name(name_name.as_str().into()),
            datetime_col("timestamp_orig_par", ts_par.into_iter()),
            parent_key.into_column(),
            Column::new("IsRoot".into(), &is_root),
            Column::new("IsLeaf".into(), &is_leaf),
            Column::new("IsBranch".into(), &is_branch),
            path_b.finish().into_column(),
            pindex_b.finish().into_column(),
        ];
        if schema.parent_name.is_none() && base.column("ParentName").is_err() {
            extra.insert(3, name_par_col.with_name("ParentName".into()));
        }
        for c in extra {
            if cols.iter().any(|x| x.name() == c.name()) {
                cols.retain(|x| x.name() != c.name());
            }
            cols.push(c);
        }
        let out = DataFrame::new(rows, cols).ctx("assembling the process tree")?;
        Ok(Built {
            df: out,
            keys,
            parent: parent_out,
            depth,
            is_inferred,
            inferred,
            merged_duplicates,
            exact_duplicates,
        })
    })
}

/// `src` gathered at `idx` (null where `None`) as a column named `name`:
/// the views are copied, the text buffers shared.
fn gather_text(src: &StringChunked, idx: &[Option<IdxSize>], name: &str) -> Result<Column> {
    let idx: IdxCa = idx.iter().copied().collect();
    Ok(src
        .take(&idx)
        .ctx(format!("building column '{name}'"))?
        .with_name(name.into())
        .into_column())
}

fn str_col<'a>(name: &str, values: impl Iterator<Item = Option<&'a str>>) -> Column {
    let ca: StringChunked = values.collect();
    ca.with_name(name.into()).into_column()
}

fn key_string(node: &Node, names: &Interner, ids: &Interner) -> String {
    let mut k = String::with_capacity(64);
    key_into(node, names, ids, &mut k);
    k
}

/// Appends `node`'s `proc_key` (`lower(name)|pid|time`) to `k`.
fn key_into(node: &Node, names: &Interner, ids: &Interner, k: &mut String) {
    k.push_str(names.get(node.name_lc).unwrap_or(""));
    k.push('|');
    k.push_str(ids.get(node.pid).unwrap_or(""));
    k.push('|');
    input::key_time(input::round_10us(node.ts), k);
}

fn datetime_col(name: &str, values: impl Iterator<Item = Option<i64>>) -> Column {
    let ca: Int64Chunked = values.collect();
    ca.with_name(name.into())
        .into_datetime(TimeUnit::Nanoseconds, Some(TimeZone::UTC))
        .into_column()
}

fn same_rows(data: &DataFrame, nodes: &[Node], first: u32, r: u32) -> bool {
    let Kind::Real(fr) = nodes[first as usize].kind else {
        return false;
    };
    match (data.get(fr as usize), data.get(r as usize)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// The input columns in tree order: real rows from the data, inferred rows
/// from their child's row through the role mapping.
///
/// Each output column is one gather of its input column (inferred rows
/// null) and, where the role mapping fills inferred rows from another
/// column, a gather of that column merged in. Gathers from a single-chunk
/// text column copy 16-byte views and share the text buffers, so the output
/// costs a few bytes per cell instead of a copy of the input's text.
fn output_base(
    data: &DataFrame,
    schema: &ProcSchema,
    nodes: &[Node],
    out_order: &[u32],
) -> Result<DataFrame> {
    let rows = out_order.len();
    let mut real_idx: Vec<Option<IdxSize>> = Vec::with_capacity(rows);
    let mut par_idx: Vec<Option<IdxSize>> = Vec::with_capacity(rows);
    let mut gp_idx: Vec<Option<IdxSize>> = Vec::with_capacity(rows);
    let child_row = |c: u32| match nodes[c as usize].kind {
        Kind::Real(r) => r as IdxSize,
        _ => 0,
    };
    let (mut any_par, mut any_gp) = (false, false);
    for &v in out_order {
        let (r, p, g) = match nodes[v as usize].kind {
            Kind::Real(r) => (Some(r as IdxSize), None, None),
            Kind::Parent(c) => {
                any_par = true;
                (None, Some(child_row(c)), None)
            }
            Kind::Grandparent(c) => {
                any_gp = true;
                (None, None, Some(child_row(c)))
            }
        };
        real_idx.push(r);
        par_idx.push(p);
        gp_idx.push(g);
    }
    let is = |c: &Option<String>, name: &str| c.as_deref() == Some(name);
    let parent_source = |name: &str| -> Option<String> {
        let s = schema;
        if name == s.process_name {
            s.parent_name.clone()
        } else if name == s.process_id {
            Some(s.parent_id.clone())
        } else if name == s.parent_id {
            s.grandparent_id.clone()
        } else if is(&s.parent_name, name) {
            s.grandparent_name.clone()
        } else if is(&s.parent_time, name) {
            s.grandparent_time.clone()
        } else if is(&s.host_name, name)
            || is(&s.logon_id, name)
            || is(&s.event_id_column, name)
            || name == s.time_stamp
        {
            Some(name.to_string())
        } else if is(&s.cmd_line, name) {
            s.parent_cmd_line.clone()
        } else if is(&s.user_name, name) {
            s.parent_user.clone()
        } else {
            None
        }
    };
    let gp_source = |name: &str| -> Option<String> {
        let s = schema;
        if name == s.process_name {
            s.grandparent_name.clone()
        } else if name == s.process_id {
            s.grandparent_id.clone()
        } else if is(&s.host_name, name) || is(&s.event_id_column, name) || name == s.time_stamp {
            Some(name.to_string())
        } else {
            None
        }
    };
    let gather = |col: &Column, idx: &[Option<IdxSize>]| -> Result<Column> {
        let idx: IdxCa = idx.iter().copied().collect();
        col.take(&idx).ctx("ordering the process tree")
    };
    let real_idx_ca: IdxCa = real_idx.iter().copied().collect();
    let par_mask: Option<BooleanChunked> =
        any_par.then(|| par_idx.iter().map(|p| Some(p.is_some())).collect());
    let gp_mask: Option<BooleanChunked> =
        any_gp.then(|| gp_idx.iter().map(|p| Some(p.is_some())).collect());
    let mut cols = Vec::with_capacity(data.width());
    for c in data.columns() {
        let name = c.name().as_str();
        let mut out = c.take(&real_idx_ca).ctx("ordering the process tree")?;
        let fills = [
            (par_mask.as_ref(), &par_idx, parent_source(name)),
            (gp_mask.as_ref(), &gp_idx, gp_source(name)),
        ];
        for (mask, idx, source) in fills {
            let (Some(mask), Some(source)) = (mask, source) else {
                continue;
            };
            let Ok(src) = data.column(&source) else {
                continue;
            };
            let filled = gather(src, idx)?
                .cast(c.dtype())
                .ctx(format!("filling inferred parents' column '{name}'"))?;
            out = filled
                .zip_with(mask, &out)
                .ctx(format!("filling inferred parents' column '{name}'"))?;
        }
        out.rename(c.name().clone());
        cols.push(out);
    }
    DataFrame::new(rows, cols).ctx("ordering the process tree")
}
