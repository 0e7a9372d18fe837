//! The Kusto v2 answer: frames into typed tables, parsed in one pass
//! (rows streamed into column builders).

use crate::data::drivers::kusto_types::{TableBuilder, error_text};
use crate::error::{Error, Result};
use polars::prelude::DataFrame;
use serde::Deserialize;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;

/// One table of a v2 answer.
#[derive(Debug, Clone)]
pub struct KustoTable {
    /// `TableId`.
    pub id: i64,
    /// `TableKind` (`PrimaryResult`, `QueryCompletionInformation`…).
    pub kind: String,
    /// `TableName`.
    pub name: String,
    /// The rows.
    pub df: DataFrame,
}

/// A parsed Kusto v2 answer.
#[derive(Debug, Clone, Default)]
pub struct KustoResponse {
    /// Every table, in order.
    pub tables: Vec<KustoTable>,
    /// `DataSetCompletion.HasErrors`.
    pub has_errors: bool,
    /// `DataSetCompletion.Cancelled`.
    pub cancelled: bool,
    /// Error texts (`OneApiErrors` of the completion frame and of rows).
    pub errors: Vec<String>,
    /// Conversion notes and the service's warnings.
    pub warnings: Vec<String>,
    /// Rows not kept because of the row limit.
    pub dropped_rows: usize,
}

impl KustoResponse {
    /// The primary results (usually one).
    pub fn primary_tables(&self) -> impl Iterator<Item = &KustoTable> {
        self.tables.iter().filter(|t| t.kind == "PrimaryResult")
    }

    /// The first primary result.
    pub fn primary(&self) -> Result<&DataFrame> {
        self.primary_tables()
            .next()
            .map(|t| &t.df)
            .ok_or_else(|| Error::invalid("Kusto answer", "it has no PrimaryResult table"))
    }

    pub(crate) fn into_primary(mut self) -> Result<DataFrame> {
        match self.tables.iter().position(|t| t.kind == "PrimaryResult") {
            Some(i) => Ok(self.tables.swap_remove(i).df),
            None => Err(Error::invalid(
                "Kusto answer",
                "it has no PrimaryResult table",
            )),
        }
    }
}

impl crate::display::NotebookDisplay for KustoResponse {
    /// The primary results (other tables are in [`KustoResponse::tables`]).
    fn to_html(&self) -> String {
        let t: Vec<(&str, &DataFrame)> = self
            .primary_tables()
            .map(|t| (t.name.as_str(), &t.df))
            .collect();
        let e = self.errors.join("; ");
        crate::data::drivers::kusto_types::answer_html(
            &t,
            (!e.is_empty()).then_some(e.as_str()),
            &self.warnings,
        )
    }
    fn to_text(&self) -> String {
        let t: Vec<(&str, &DataFrame)> = self
            .primary_tables()
            .map(|t| (t.name.as_str(), &t.df))
            .collect();
        let e = self.errors.join("; ");
        crate::data::drivers::kusto_types::answer_text(
            &t,
            (!e.is_empty()).then_some(e.as_str()),
            &self.warnings,
        )
    }
}

#[derive(Deserialize)]
struct KColumn {
    #[serde(rename = "ColumnName")]
    name: String,
    #[serde(rename = "ColumnType", alias = "DataType", default)]
    ty: String,
}

struct Pending {
    id: i64,
    kind: String,
    name: String,
    builder: TableBuilder,
}

#[derive(Default)]
struct V2State {
    max_rows: Option<usize>,
    done: Vec<Pending>,
    open: Vec<Pending>,
    has_errors: bool,
    cancelled: bool,
    errors: Vec<String>,
    frames: usize,
}

struct FramesSeed<'a>(&'a mut V2State);

impl<'de> DeserializeSeed<'de> for FramesSeed<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for FramesSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Kusto v2 answer (an array of frames)")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(FrameSeed(&mut *self.0))?.is_some() {
            self.0.frames += 1;
        }
        Ok(())
    }
}

struct FrameSeed<'a>(&'a mut V2State);

impl<'de> DeserializeSeed<'de> for FrameSeed<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FrameSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a frame object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.0;
        let mut frame_type = String::new();
        let mut id: Option<i64> = None;
        let mut kind = String::new();
        let mut name = String::new();
        let mut builder: Option<TableBuilder> = None;
        let mut early_rows: Option<Vec<Value>> = None;
        let mut errors: Option<Value> = None;
        let mut has_errors = false;
        let mut cancelled = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "FrameType" => frame_type = map.next_value()?,
                "TableId" => id = Some(map.next_value()?),
                "TableKind" => kind = map.next_value()?,
                "TableName" => name = map.next_value()?,
                "Columns" => {
                    let cols: Vec<KColumn> = map.next_value()?;
                    builder = Some(
                        TableBuilder::new(cols.iter().map(|c| (c.name.as_str(), c.ty.as_str())))
                            .max_rows(st.max_rows),
                    );
                }
                "Rows" => {
                    // a fragment's rows go into the open table with its id
                    let open = id.and_then(|i| st.open.iter_mut().find(|p| p.id == i));
                    match (builder.as_mut(), open) {
                        (Some(b), _) => map.next_value_seed(b.rows_seed())?,
                        (None, Some(p)) if frame_type == "TableFragment" => {
                            map.next_value_seed(p.builder.rows_seed())?
                        }
                        _ => early_rows = Some(map.next_value()?),
                    }
                }
                "HasErrors" => has_errors = map.next_value()?,
                "Cancelled" => cancelled = map.next_value()?,
                "OneApiErrors" => errors = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let push_early = |b: &mut TableBuilder, rows: Option<Vec<Value>>| {
            if let Some(rows) = rows {
                // arrays become rows, objects error records, as when streamed
                let _ = b.rows_seed().deserialize(Value::Array(rows));
            }
        };
        match frame_type.as_str() {
            "DataTable" => {
                let mut b = builder.ok_or_else(|| serde::de::Error::missing_field("Columns"))?;
                push_early(&mut b, early_rows);
                st.done.push(Pending {
                    id: id.unwrap_or(-1),
                    kind,
                    name,
                    builder: b,
                });
            }
            "TableHeader" => {
                let b = builder.ok_or_else(|| serde::de::Error::missing_field("Columns"))?;
                st.open.push(Pending {
                    id: id.unwrap_or(-1),
                    kind,
                    name,
                    builder: b,
                });
            }
            "TableFragment" => {
                if let Some(p) = id.and_then(|i| st.open.iter_mut().find(|p| p.id == i)) {
                    push_early(&mut p.builder, early_rows);
                }
            }
            "TableCompletion" => {
                if let Some(i) = id.and_then(|i| st.open.iter().position(|p| p.id == i)) {
                    let p = st.open.remove(i);
                    st.done.push(p);
                }
            }
            "DataSetCompletion" => {
                st.has_errors |= has_errors;
                st.cancelled |= cancelled;
                if let Some(e) = errors {
                    st.errors
                        .push(error_text(&serde_json::json!({ "OneApiErrors": e })));
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Parses a Kusto v2 query answer (the frame array) into typed frames,
/// streaming rows into columns. `max_rows` keeps at most that many rows
/// per table.
pub fn parse_v2_response(body: &[u8], max_rows: Option<usize>) -> Result<KustoResponse> {
    let mut st = V2State {
        max_rows,
        ..V2State::default()
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    FramesSeed(&mut st)
        .deserialize(&mut de)
        .and_then(|_| de.end())
        .map_err(|e| Error::Json {
            context: "reading the Kusto answer".into(),
            source: e,
        })?;
    if st.frames == 0 {
        return Err(Error::invalid("Kusto answer", "it has no frames"));
    }
    // tables still open (no TableCompletion) are kept too
    let open = std::mem::take(&mut st.open);
    st.done.extend(open);
    let mut out = KustoResponse {
        has_errors: st.has_errors,
        cancelled: st.cancelled,
        errors: st.errors,
        ..KustoResponse::default()
    };
    for p in st.done {
        out.dropped_rows += if p.kind == "PrimaryResult" {
            p.builder.dropped_rows()
        } else {
            0
        };
        out.errors.extend(
            p.builder
                .row_errors()
                .iter()
                .filter(|e| !e.is_empty())
                .cloned(),
        );
        let (df, w) = p.builder.finish()?;
        out.warnings
            .extend(w.into_iter().map(|w| format!("table '{}': {w}", p.name)));
        if p.kind == "QueryCompletionInformation" {
            out.warnings.extend(completion_warnings(&df));
        }
        out.tables.push(KustoTable {
            id: p.id,
            kind: p.kind,
            name: p.name,
            df,
        });
    }
    out.errors.dedup();
    Ok(out)
}

/// Warning and error events of the `QueryCompletionInformation` table.
fn completion_warnings(df: &DataFrame) -> Vec<String> {
    let (Ok(level), Ok(payload)) = (df.column("LevelName"), df.column("Payload")) else {
        return Vec::new();
    };
    let (Ok(level), Ok(payload)) = (level.str(), payload.str()) else {
        return Vec::new();
    };
    level
        .iter()
        .zip(payload.iter())
        .filter_map(|(l, p)| match l {
            Some(l @ ("Warning" | "Error")) => Some(format!(
                "Kusto {}: {}",
                l.to_ascii_lowercase(),
                p.unwrap_or("")
            )),
            _ => None,
        })
        .collect()
}
