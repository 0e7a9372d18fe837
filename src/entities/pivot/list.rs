//! Discovering pivots: the list of an entity's functions, help for one,
//! and close-name suggestions.

use super::{Pivot, PivotFn};
use crate::display::NotebookDisplay;
use crate::entities::EntityType;
use crate::error::{PolarsContext, Result};
use crate::vis::html::HtmlBuilder;
use crate::vis::table::{TableOptions, table_html, table_text};
use polars::prelude::*;

/// Levenshtein distance on characters.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Up to five names close to `name`: within a third of its length in edit
/// distance (on the full name or the part after the container), or
/// containing it; closest first.
pub(crate) fn close_names(name: &str, candidates: &[String]) -> Vec<String> {
    let n = name.to_lowercase();
    let limit = (n.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &String)> = candidates
        .iter()
        .filter_map(|c| {
            let lc = c.to_lowercase();
            let short = lc.rsplit('.').next().unwrap_or(&lc).to_string();
            let d = edit_distance(&n, &lc).min(edit_distance(&n, &short));
            if d <= limit || (n.len() >= 3 && lc.contains(&n)) {
                Some((d, c))
            } else {
                None
            }
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(5).map(|(_, c)| c.clone()).collect()
}

/// A list of pivot functions: `entity`, `container`, `function`
/// (`container.name`), `description`, `input` (the entity attribute),
/// `join_key` and `source`. Displays as a table.
#[derive(Debug, Clone, Default)]
pub struct PivotList {
    rows: Vec<PivotFn>,
}

impl PivotList {
    /// How many functions.
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
    /// `container.name` of each.
    pub fn names(&self) -> Vec<String> {
        self.rows.iter().map(PivotFn::full_name).collect()
    }
    /// The functions.
    pub fn functions(&self) -> &[PivotFn] {
        &self.rows
    }
    /// The list as a frame.
    pub fn df(&self) -> Result<DataFrame> {
        let c = |f: &dyn Fn(&PivotFn) -> String| self.rows.iter().map(f).collect::<Vec<String>>();
        df!(
            "entity" => c(&|f| f.entity.name().to_string()),
            "container" => c(&|f| f.container.clone()),
            "function" => c(&|f| f.full_name()),
            "description" => c(&|f| f.description.clone()),
            "input" => c(&|f| f.input_attr.clone()),
            "join_key" => c(&|f| f.join_key().unwrap_or("").to_string()),
            "source" => c(&|f| f.source.clone()),
        )
        .ctx("listing pivots")
    }
    /// The number of functions per entity type (`entity`, `pivots`).
    pub fn counts(&self) -> Result<DataFrame> {
        let mut counts: Vec<(String, u32)> = Vec::new();
        for t in EntityType::ALL {
            let n = self.rows.iter().filter(|f| f.entity == t).count();
            if n > 0 {
                counts.push((t.name().to_string(), u32::try_from(n).unwrap_or(u32::MAX)));
            }
        }
        df!(
            "entity" => counts.iter().map(|c| c.0.clone()).collect::<Vec<_>>(),
            "pivots" => counts.iter().map(|c| c.1).collect::<Vec<_>>(),
        )
        .ctx("counting pivots")
    }
}

impl NotebookDisplay for PivotList {
    fn to_html(&self) -> String {
        match self.df() {
            Ok(df) => table_html(
                &df,
                &TableOptions::new()
                    .max_rows(500)
                    .caption(format!("{} pivot functions", self.rows.len())),
            ),
            Err(e) => {
                let mut b = HtmlBuilder::new();
                b.element("pre", &[], &e.to_string());
                b.finish()
            }
        }
    }
    fn to_text(&self) -> String {
        match self.df() {
            Ok(df) => table_text(&df),
            Err(e) => e.to_string(),
        }
    }
}

/// Help for one pivot function: what it does, what it takes, how to call it.
#[derive(Debug, Clone)]
pub struct PivotHelp {
    f: PivotFn,
}

impl PivotHelp {
    /// The function.
    pub fn function(&self) -> &PivotFn {
        &self.f
    }

    fn lines(&self) -> Vec<(&'static str, String)> {
        let f = &self.f;
        vec![
            ("Entity", f.entity.name().to_string()),
            ("Function", f.full_name()),
            ("Description", f.description.clone()),
            (
                "Input",
                format!(
                    "{}.{} (a value, a list, {} entities, or a frame column)",
                    f.entity.name(),
                    f.input_attr,
                    f.entity.name()
                ),
            ),
            (
                "Join key",
                f.join_key()
                    .map(str::to_string)
                    .unwrap_or_else(|| "none: give right_on".into()),
            ),
            ("Source", f.source.clone()),
            (
                "Call",
                format!(
                    "piv.run(\"{}\", \"{}\", value)?  or  piv.call(\"{}\", \"{}\")?.join(JoinSpec::left()).run((&df, \"column\"))?",
                    f.entity.name(),
                    f.full_name(),
                    f.entity.name(),
                    f.full_name()
                ),
            ),
        ]
    }
}

impl NotebookDisplay for PivotHelp {
    fn to_html(&self) -> String {
        let mut b = HtmlBuilder::new();
        b.open("div", &[("class", "hb-pivot-help")]);
        b.open("table", &[]);
        for (k, v) in self.lines() {
            b.open("tr", &[]);
            b.element("th", &[("style", "text-align:left;padding-right:1em")], k);
            b.element("td", &[], &v);
            b.close("tr");
        }
        b.close("table");
        b.close("div");
        b.finish()
    }
    fn to_text(&self) -> String {
        self.lines()
            .into_iter()
            .map(|(k, v)| format!("{k}: {v}\n"))
            .collect()
    }
}

impl Pivot {
    /// The functions of one entity type (or of all), sorted by entity,
    /// container and name.
    pub fn list(&self, entity: Option<EntityType>) -> PivotList {
        let mut rows: Vec<PivotFn> = self
            .fns
            .iter()
            .filter(|f| entity.is_none_or(|e| f.entity == e))
            .cloned()
            .collect();
        rows.sort_by(|a, b| {
            (a.entity, &a.container, &a.name).cmp(&(b.entity, &b.container, &b.name))
        });
        PivotList { rows }
    }

    /// Help for one function (an unknown name is an error with suggestions).
    pub fn help(&self, entity: impl super::EntityRef, func: &str) -> Result<PivotHelp> {
        Ok(PivotHelp {
            f: self.get(entity, func)?.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        let c = vec![
            "ti.lookup_ip".to_string(),
            "util.ip_type".to_string(),
            "geoip.lookup".to_string(),
        ];
        assert_eq!(close_names("ti.lookup_ipp", &c), ["ti.lookup_ip"]);
        assert_eq!(close_names("iptype", &c), ["util.ip_type"]);
        assert!(close_names("zzzzzzzz", &c).is_empty());
    }
}
