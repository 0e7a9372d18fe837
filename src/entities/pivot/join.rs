//! Joining a pivot's result to its input, as MSTICPy does (pandas `merge`
//! with `suffixes=("_src", "_res")`).

use crate::error::{Error, PolarsContext, Result};
use polars::prelude::*;
use std::collections::HashMap;

/// How a result is joined to the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JoinKind {
    /// Only input rows with a result (and results with an input row).
    Inner,
    /// Every input row; results where there are some.
    #[default]
    Left,
    /// Every result row; input where there is some.
    Right,
    /// Every row of both.
    Outer,
}

impl JoinKind {
    /// Parses `inner`, `left`, `right`, `outer` (MSTICPy's `join=` values).
    pub fn parse(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "inner" => Ok(Self::Inner),
            "left" => Ok(Self::Left),
            "right" => Ok(Self::Right),
            "outer" | "full" => Ok(Self::Outer),
            _ => Err(Error::invalid(
                format!("join '{text}'"),
                "use one of inner, left, right, outer",
            )),
        }
    }
}

/// A join request: kind, keys (default: the input column and the
/// function's output key) and case sensitivity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JoinSpec {
    /// The kind of join.
    pub how: JoinKind,
    /// The input column to join on (default: the column the values came from).
    pub left_on: Option<String>,
    /// The result column to join on (default: the function's output key).
    pub right_on: Option<String>,
    /// Compare keys case-insensitively (MSTICPy's `join_ignore_case`).
    pub ignore_case: bool,
}

impl JoinSpec {
    /// A join of this kind on the default keys.
    pub fn new(how: JoinKind) -> Self {
        Self {
            how,
            ..Self::default()
        }
    }
    /// An inner join.
    pub fn inner() -> Self {
        Self::new(JoinKind::Inner)
    }
    /// A left join.
    pub fn left() -> Self {
        Self::new(JoinKind::Left)
    }
    /// A right join.
    pub fn right() -> Self {
        Self::new(JoinKind::Right)
    }
    /// An outer join.
    pub fn outer() -> Self {
        Self::new(JoinKind::Outer)
    }
    /// The input column to join on.
    pub fn left_on(mut self, column: &str) -> Self {
        self.left_on = Some(column.to_string());
        self
    }
    /// The result column to join on.
    pub fn right_on(mut self, column: &str) -> Self {
        self.right_on = Some(column.to_string());
        self
    }
    /// Compare keys ignoring case.
    pub fn ignore_case(mut self, yes: bool) -> Self {
        self.ignore_case = yes;
        self
    }
}

fn keys(
    df: &DataFrame,
    column: &str,
    what: &str,
    ignore_case: bool,
) -> Result<Vec<Option<String>>> {
    let col = df.column(column).map_err(|_| {
        Error::column_not_found(
            column,
            what,
            df.get_column_names().iter().map(|s| s.as_str()),
        )
    })?;
    let s = col
        .cast(&DataType::String)
        .ctx(format!("reading join key '{column}'"))?;
    Ok(s.str()
        .ctx(format!("reading join key '{column}'"))?
        .iter()
        .map(|v| {
            v.map(|v| {
                if ignore_case {
                    v.to_lowercase()
                } else {
                    v.to_string()
                }
            })
        })
        .collect())
}

/// Joins `right` (a result) to `left` (the input) on `left_on` =
/// `right_on`.
///
/// As pandas `merge(how=.., suffixes=("_src", "_res"))`: columns in both
/// frames (other than a key of the same name) get `_src` on the input's
/// side and `_res` on the result's; a key of the same name in both is one
/// column; keys of different names are both kept. Row order: input order
/// for inner/left (matches in result order), result order for right, and
/// left-join order followed by unmatched results for outer (pandas sorts an
/// outer join's keys; huntbook keeps input order). Differences from pandas,
/// on purpose: null keys never match, and keys are compared as text (a
/// `443` integer matches a `"443"` string).
pub fn join_frames(
    left: &DataFrame,
    right: &DataFrame,
    left_on: &str,
    right_on: &str,
    how: JoinKind,
    ignore_case: bool,
) -> Result<DataFrame> {
    let lk = keys(left, left_on, "the pivot input", ignore_case)?;
    let rk = keys(right, right_on, "the pivot result", ignore_case)?;
    let mut index: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, k) in rk.iter().enumerate() {
        if let Some(k) = k {
            index.entry(k.as_str()).or_default().push(i);
        }
    }
    let mut li: Vec<Option<IdxSize>> = Vec::new();
    let mut ri: Vec<Option<IdxSize>> = Vec::new();
    let idx = |i: usize| IdxSize::try_from(i).ok();
    match how {
        JoinKind::Right => {
            let mut lindex: HashMap<&str, Vec<usize>> = HashMap::new();
            for (i, k) in lk.iter().enumerate() {
                if let Some(k) = k {
                    lindex.entry(k.as_str()).or_default().push(i);
                }
            }
            for (j, k) in rk.iter().enumerate() {
                match k.as_deref().and_then(|k| lindex.get(k)) {
                    Some(ls) => {
                        for &i in ls {
                            li.push(idx(i));
                            ri.push(idx(j));
                        }
                    }
                    None => {
                        li.push(None);
                        ri.push(idx(j));
                    }
                }
            }
        }
        _ => {
            let mut matched = vec![false; rk.len()];
            for (i, k) in lk.iter().enumerate() {
                match k.as_deref().and_then(|k| index.get(k)) {
                    Some(rs) => {
                        for &j in rs {
                            li.push(idx(i));
                            ri.push(idx(j));
                            if let Some(m) = matched.get_mut(j) {
                                *m = true;
                            }
                        }
                    }
                    None if how != JoinKind::Inner => {
                        li.push(idx(i));
                        ri.push(None);
                    }
                    None => {}
                }
            }
            if how == JoinKind::Outer {
                for (j, m) in matched.iter().enumerate() {
                    if !m {
                        li.push(None);
                        ri.push(idx(j));
                    }
                }
            }
        }
    }
    let lidx = IdxCa::from_iter_options("l".into(), li.iter().copied());
    let ridx = IdxCa::from_iter_options("r".into(), ri.iter().copied());
    let lt = left.take(&lidx).ctx("joining the pivot result")?;
    let rt = right.take(&ridx).ctx("joining the pivot result")?;
    let same_key = left_on == right_on;
    let lnames: Vec<String> = left
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let rnames: Vec<String> = right
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut cols: Vec<Column> = Vec::new();
    for c in lt.columns() {
        let name = c.name().to_string();
        if same_key && name == left_on {
            // One key column: the input's value, else the result's.
            let mask = BooleanChunked::from_iter_values("m".into(), li.iter().map(Option::is_some));
            let rkey = rt
                .column(right_on)
                .ctx("joining the pivot result")?
                .cast(c.dtype())
                .ctx("joining the pivot result")?;
            let merged = c
                .as_materialized_series()
                .zip_with(&mask, rkey.as_materialized_series())
                .ctx("joining the pivot result")?;
            cols.push(merged.into_column());
            continue;
        }
        let clash = rnames
            .iter()
            .any(|r| *r == name && !(same_key && r == right_on));
        let mut c = c.clone();
        if clash {
            c.rename(format!("{name}_src").into());
        }
        cols.push(c);
    }
    for c in rt.columns() {
        let name = c.name().to_string();
        if same_key && name == right_on {
            continue;
        }
        let clash = lnames
            .iter()
            .any(|l| *l == name && !(same_key && l == left_on));
        let mut c = c.clone();
        if clash {
            c.rename(format!("{name}_res").into());
        }
        cols.push(c);
    }
    DataFrame::new(li.len(), cols).ctx("joining the pivot result")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames() -> (DataFrame, DataFrame) {
        let l = df!("ip" => ["a", "b", "c"], "n" => [1i64, 2, 3]).unwrap();
        let r = df!("Ioc" => ["b", "d", "b"], "n" => [20i64, 40, 21]).unwrap();
        (l, r)
    }

    fn col(df: &DataFrame, c: &str) -> Vec<Option<String>> {
        df.column(c)
            .unwrap()
            .cast(&DataType::String)
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect()
    }

    #[test]
    fn join_kinds_and_suffixes() {
        let (l, r) = frames();
        let j = join_frames(&l, &r, "ip", "Ioc", JoinKind::Inner, false).unwrap();
        let names: Vec<&str> = j.get_column_names().iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["ip", "n_src", "Ioc", "n_res"]);
        assert_eq!(col(&j, "n_res"), [Some("20".into()), Some("21".into())]);
        let j = join_frames(&l, &r, "ip", "Ioc", JoinKind::Left, false).unwrap();
        assert_eq!(
            col(&j, "ip"),
            ["a", "b", "b", "c"].map(|s| Some(s.to_string()))
        );
        assert_eq!(
            col(&j, "n_res"),
            [None, Some("20".into()), Some("21".into()), None]
        );
        let j = join_frames(&l, &r, "ip", "Ioc", JoinKind::Right, false).unwrap();
        assert_eq!(col(&j, "Ioc"), ["b", "d", "b"].map(|s| Some(s.to_string())));
        assert_eq!(col(&j, "ip"), [Some("b".into()), None, Some("b".into())]);
        let j = join_frames(&l, &r, "ip", "Ioc", JoinKind::Outer, false).unwrap();
        assert_eq!(j.height(), 5);
        assert_eq!(
            col(&j, "Ioc").last().cloned().flatten().as_deref(),
            Some("d")
        );
    }

    #[test]
    fn same_key_is_one_column_and_case_can_be_ignored() {
        let l = df!("k" => ["A", "b"]).unwrap();
        let r = df!("k" => ["a", "c"], "v" => [1i64, 2]).unwrap();
        let j = join_frames(&l, &r, "k", "k", JoinKind::Outer, true).unwrap();
        assert_eq!(j.get_column_names().len(), 2);
        assert_eq!(col(&j, "k"), ["A", "b", "c"].map(|s| Some(s.to_string())));
        assert_eq!(col(&j, "v"), [Some("1".into()), None, Some("2".into())]);
    }
}
