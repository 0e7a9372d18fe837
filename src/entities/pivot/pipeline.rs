//! Pivot pipelines: chained pivots over a frame, with `tee` and display
//! steps — MSTICPy's pivot pipelines, from a builder or the same YAML.
//!
//! ```yaml
//! pipelines:
//!   ip_triage:
//!     description: Type, TI and location of every source IP
//!     steps:
//!       - name: ip_type
//!         step_type: pivot
//!         entity: IpAddress
//!         function: util.ip_type
//!         params: {column: SourceIP, join: left}
//!       - name: keep_types
//!         step_type: pivot_tee
//!         params: {var_name: ip_types}
//!       - name: public_only          # pandas methods that have a polars twin
//!         step_type: pd_method
//!         function: query            # `query` takes `Column == 'value'` only
//!         params: {expr: "IpType == 'Public'"}
//!       - name: ti
//!         step_type: pivot
//!         entity: IpAddress
//!         function: ti.lookup_ip
//!         params: {column: SourceIP, join: inner}
//!       - name: show
//!         step_type: pivot_display
//!         params: {title: TI hits, head: 10}
//! ```
//!
//! `pd_method` supports `head` (`n`), `drop_duplicates` (`subset`),
//! `select`/`filter` (`cols`) and `query` (`expr`: `Column == 'value'` or
//! `Column != 'value'`); MSTICPy passes any pandas method, which has no
//! general polars equivalent. `pivot_tee_exec` is not supported (it runs a
//! method on a tee'd frame in the Python namespace).

use super::{JoinKind, JoinSpec, Pivot, PivotInput};
use crate::data::fresh;
use crate::display::NotebookDisplay;
use crate::entities::EntityType;
use crate::error::{Error, PolarsContext, Result};
use crate::vis::html::HtmlBuilder;
use crate::vis::table::{TableOptions, table_html, table_text};
use polars::prelude::*;
use serde_yaml::Value;

/// One step of a pipeline.
#[derive(Debug, Clone, PartialEq)]
pub enum PivotStep {
    /// Runs a pivot on a column of the current frame; with a join the
    /// result is joined to it, else the result becomes the current frame.
    Pivot {
        /// The entity type.
        entity: EntityType,
        /// `container.name`.
        function: String,
        /// The input column.
        column: String,
        /// The join, if any.
        join: Option<JoinSpec>,
    },
    /// Keeps a copy of the current frame under a name.
    Tee(String),
    /// Keeps a copy (first `head` rows) to show, with a title.
    Display {
        /// The title.
        title: String,
        /// How many rows (all when `None`).
        head: Option<usize>,
    },
    /// The first `n` rows.
    Head(usize),
    /// Rows unique on these columns (all when empty), first kept.
    DropDuplicates(Vec<String>),
    /// Only these columns.
    Select(Vec<String>),
    /// Rows where `column` equals (or, with `negate`, differs from) `value`.
    Filter {
        /// The column.
        column: String,
        /// The value, as text.
        value: String,
        /// Keep the rows that differ instead.
        negate: bool,
    },
}

/// A named list of steps.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PivotPipeline {
    /// The pipeline's name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// The steps, in order.
    pub steps: Vec<PivotStep>,
}

/// What a pipeline produced: the final frame and every tee/display copy.
#[derive(Debug, Clone)]
pub struct PipelineResult {
    df: DataFrame,
    tees: Vec<(String, DataFrame, bool)>,
}

impl PipelineResult {
    /// The final frame.
    pub fn df(&self) -> &DataFrame {
        &self.df
    }
    /// The final frame, consumed.
    pub fn into_df(self) -> DataFrame {
        self.df
    }
    /// A tee'd (or displayed) frame by name.
    pub fn tee(&self, name: &str) -> Option<&DataFrame> {
        self.tees
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, d, _)| d)
    }
    /// The names of the tee'd and displayed frames, in step order.
    pub fn tee_names(&self) -> Vec<String> {
        self.tees.iter().map(|(n, _, _)| n.clone()).collect()
    }
}

impl NotebookDisplay for PipelineResult {
    /// The display steps' tables, then the final frame (every value
    /// escaped by the table renderer and the HTML builder).
    fn to_html(&self) -> String {
        let heading = |t: &str| {
            let mut h = HtmlBuilder::new();
            h.element("h4", &[], t);
            h.finish()
        };
        let mut out = String::from("<div class=\"hb-pipeline\">");
        for (name, df, shown) in &self.tees {
            if *shown {
                out.push_str(&heading(name));
                out.push_str(&table_html(df, &TableOptions::default()));
            }
        }
        out.push_str(&heading("Result"));
        out.push_str(&table_html(&self.df, &TableOptions::default()));
        out.push_str("</div>");
        out
    }
    fn to_text(&self) -> String {
        let mut out = String::new();
        for (name, df, shown) in &self.tees {
            if *shown {
                out.push_str(&format!("{name}\n{}\n", table_text(df)));
            }
        }
        out.push_str(&table_text(&self.df));
        out
    }
}

impl PivotPipeline {
    /// An empty pipeline.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            ..Self::default()
        }
    }

    /// Sets the description.
    pub fn description(mut self, text: &str) -> Self {
        self.description = text.to_string();
        self
    }

    /// Adds a pivot step (joined to the current frame when `join` is given).
    pub fn pivot(
        mut self,
        entity: EntityType,
        function: &str,
        column: &str,
        join: Option<JoinSpec>,
    ) -> Self {
        self.steps.push(PivotStep::Pivot {
            entity,
            function: function.to_string(),
            column: column.to_string(),
            join,
        });
        self
    }

    /// Adds a tee step.
    pub fn tee(mut self, name: &str) -> Self {
        self.steps.push(PivotStep::Tee(name.to_string()));
        self
    }

    /// Adds a display step.
    pub fn display(mut self, title: &str, head: Option<usize>) -> Self {
        self.steps.push(PivotStep::Display {
            title: title.to_string(),
            head,
        });
        self
    }

    /// Adds any step.
    pub fn step(mut self, step: PivotStep) -> Self {
        self.steps.push(step);
        self
    }

    /// Runs the steps over `df`.
    pub fn run(&self, piv: &Pivot, df: &DataFrame) -> Result<PipelineResult> {
        let mut cur = fresh(df);
        let mut tees = Vec::new();
        for (i, step) in self.steps.iter().enumerate() {
            let what = || format!("pipeline '{}' step {}", self.name, i + 1);
            cur = match step {
                PivotStep::Pivot {
                    entity,
                    function,
                    column,
                    join,
                } => {
                    let mut call = piv.call(*entity, function)?;
                    if let Some(j) = join {
                        call = call.join(j.clone());
                    }
                    call.run(PivotInput::frame(&cur, column))
                        .map_err(|e| Error::invalid(what(), e.to_string()))?
                }
                PivotStep::Tee(name) => {
                    tees.push((name.clone(), cur.clone(), false));
                    cur
                }
                PivotStep::Display { title, head } => {
                    let shown = match head {
                        Some(n) => cur.head(Some(*n)),
                        None => cur.clone(),
                    };
                    tees.push((title.clone(), shown, true));
                    cur
                }
                PivotStep::Head(n) => cur.head(Some(*n)),
                PivotStep::DropDuplicates(cols) => {
                    let subset: Option<Vec<String>> = if cols.is_empty() {
                        None
                    } else {
                        Some(cols.clone())
                    };
                    cur.unique_stable(subset.as_deref(), UniqueKeepStrategy::First, None)
                        .ctx(what())?
                }
                PivotStep::Select(cols) => {
                    cur.select(cols.iter().map(String::as_str)).map_err(|_| {
                        let missing = cols
                            .iter()
                            .find(|c| cur.column(c).is_err())
                            .cloned()
                            .unwrap_or_default();
                        Error::column_not_found(
                            &missing,
                            &what(),
                            cur.get_column_names().iter().map(|s| s.as_str()),
                        )
                    })?
                }
                PivotStep::Filter {
                    column,
                    value,
                    negate,
                } => {
                    let s = cur
                        .column(column)
                        .map_err(|_| {
                            Error::column_not_found(
                                column,
                                &what(),
                                cur.get_column_names().iter().map(|s| s.as_str()),
                            )
                        })?
                        .cast(&DataType::String)
                        .ctx(what())?;
                    let mask: BooleanChunked = s
                        .str()
                        .ctx(what())?
                        .iter()
                        .map(|v| Some((v == Some(value.as_str())) != *negate))
                        .collect();
                    cur.filter(&mask).ctx(what())?
                }
            };
        }
        Ok(PipelineResult { df: cur, tees })
    }

    /// Pipelines from MSTICPy-style YAML (`pipelines:` name → `description`,
    /// `steps`), in file order.
    pub fn from_yaml_str(yaml: &str) -> Result<Vec<PivotPipeline>> {
        let doc: Value = serde_yaml::from_str(yaml)
            .map_err(|e| Error::invalid("pipeline YAML", e.to_string()))?;
        let pipes = doc
            .get("pipelines")
            .and_then(Value::as_mapping)
            .ok_or_else(|| Error::invalid("pipeline YAML", "no 'pipelines' mapping"))?;
        let mut out = Vec::new();
        for (name, body) in pipes {
            let name = name.as_str().unwrap_or_default().to_string();
            let mut p = PivotPipeline::new(&name);
            p.description = body
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let steps = body
                .get("steps")
                .and_then(Value::as_sequence)
                .ok_or_else(|| Error::invalid(format!("pipeline '{name}'"), "no 'steps' list"))?;
            for (i, s) in steps.iter().enumerate() {
                p.steps.push(parse_step(s).map_err(|e| {
                    Error::invalid(format!("pipeline '{name}' step {}", i + 1), e.to_string())
                })?);
            }
            out.push(p);
        }
        Ok(out)
    }
}

fn s(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Sequence(items)) => items.iter().filter_map(|i| s(Some(i))).collect(),
        Some(other) => s(Some(other)).into_iter().collect(),
        None => Vec::new(),
    }
}

fn parse_step(v: &Value) -> Result<PivotStep> {
    let params = v.get("params");
    let p = |k: &str| params.and_then(|p| p.get(k));
    let ty = s(v.get("step_type")).ok_or_else(|| Error::invalid("step", "no 'step_type'"))?;
    Ok(match ty.as_str() {
        "pivot" => {
            let entity = EntityType::from_name(
                &s(v.get("entity")).ok_or_else(|| Error::invalid("pivot step", "no 'entity'"))?,
            )?;
            let function = s(v.get("function"))
                .ok_or_else(|| Error::invalid("pivot step", "no 'function'"))?;
            let column = [
                "column",
                "input_column",
                "input_col",
                "src_column",
                "src_col",
            ]
            .iter()
            .find_map(|k| s(p(k)))
            .ok_or_else(|| Error::invalid("pivot step", "no 'column' in params"))?;
            let join = match s(p("join")) {
                Some(j) => {
                    let mut spec = JoinSpec::new(JoinKind::parse(&j)?);
                    spec.left_on = s(p("left_on"));
                    spec.right_on = s(p("right_on"));
                    spec.ignore_case =
                        s(p("join_ignore_case")).is_some_and(|x| x.eq_ignore_ascii_case("true"));
                    Some(spec)
                }
                None => None,
            };
            PivotStep::Pivot {
                entity,
                function,
                column,
                join,
            }
        }
        "pivot_tee" => PivotStep::Tee(
            s(p("var_name"))
                .or_else(|| s(v.get("name")))
                .unwrap_or_else(|| "tee".into()),
        ),
        "pivot_display" => PivotStep::Display {
            title: s(p("title"))
                .or_else(|| s(v.get("name")))
                .unwrap_or_default(),
            head: s(p("head")).and_then(|h| h.parse().ok()),
        },
        "pd_method" => {
            let f = s(v.get("function"))
                .ok_or_else(|| Error::invalid("pd_method step", "no 'function'"))?;
            match f.as_str() {
                "head" => PivotStep::Head(s(p("n")).and_then(|n| n.parse().ok()).unwrap_or(5)),
                "drop_duplicates" => PivotStep::DropDuplicates(list(p("subset"))),
                "select" | "filter" => PivotStep::Select(
                    list(p("cols"))
                        .into_iter()
                        .chain(list(p("items")))
                        .collect(),
                ),
                "query" => {
                    let expr =
                        s(p("expr")).ok_or_else(|| Error::invalid("query step", "no 'expr'"))?;
                    parse_query_expr(&expr)?
                }
                other => {
                    return Err(Error::invalid(
                        format!("pd_method '{other}'"),
                        "not supported; use head, drop_duplicates, select, filter or query",
                    ));
                }
            }
        }
        other => {
            return Err(Error::invalid(
                format!("step_type '{other}'"),
                "not supported; use pivot, pivot_tee, pivot_display or pd_method",
            ));
        }
    })
}

fn parse_query_expr(expr: &str) -> Result<PivotStep> {
    let (op, negate) = if expr.contains("!=") {
        ("!=", true)
    } else {
        ("==", false)
    };
    let (l, r) = expr.split_once(op).ok_or_else(|| {
        Error::invalid(
            format!("query '{expr}'"),
            "expected Column == 'value' or Column != 'value'",
        )
    })?;
    let value = r.trim().trim_matches(|c| c == '\'' || c == '"').to_string();
    Ok(PivotStep::Filter {
        column: l.trim().trim_matches('`').to_string(),
        value,
        negate,
    })
}
