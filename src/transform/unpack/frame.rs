//! Result types, the output frame and how results show in a notebook.

use super::engine::unpack_text;
use super::scan::has_candidate;
use super::{DecodedItem, Unpacker};
use crate::display::NotebookDisplay;
use crate::error::{Error, PolarsContext, Result};
use crate::vis::html::HtmlBuilder;
use crate::vis::table::{TableOptions, table_html, table_text};
use polars::prelude::*;
use std::sync::Arc;

/// MSTICPy's item columns, in its order.
pub const ITEM_COLUMNS: [&str; 12] = [
    "reference",
    "original_string",
    "file_name",
    "file_type",
    "input_bytes",
    "decoded_string",
    "encoding_type",
    "file_hashes",
    "md5",
    "sha1",
    "sha256",
    "printable_bytes",
];

/// Bytes of long values repeated down the rows of one input (the input
/// value, `full_decoded_string`, an archive's `original_string` on each
/// member) before later rows get null: keeps a many-item row from
/// multiplying a large string in memory.
const REPEAT_CAP: usize = 16 << 20;

/// Column vectors for the output frame.
#[derive(Default)]
struct Builder {
    reference: Vec<String>,
    original: Vec<Option<Arc<str>>>,
    file_name: Vec<String>,
    file_type: Vec<Option<String>>,
    input_bytes: Vec<Vec<u8>>,
    decoded: Vec<Option<String>>,
    encoding: Vec<Option<&'static str>>,
    md5: Vec<Option<String>>,
    sha1: Vec<Option<String>>,
    sha256: Vec<Option<String>>,
    printable: Vec<Option<String>>,
    depth: Vec<u32>,
    stop: Vec<Option<String>>,
    // unpack_df only
    src_index: Vec<IdxSize>,
    source: Vec<Option<Arc<str>>>,
    full: Vec<Option<Arc<str>>>,
}

impl Builder {
    /// Adds the items of one input. `source` is the input row's index,
    /// value and fully decoded string (unpack_df).
    fn push(&mut self, items: Vec<DecodedItem>, source: Option<(IdxSize, Arc<str>, Arc<str>)>) {
        let mut repeat_left = REPEAT_CAP;
        let mut charge = |len: usize| -> bool {
            if len <= repeat_left {
                repeat_left -= len;
                true
            } else {
                false
            }
        };
        let mut previous: Option<Arc<str>> = None;
        for (row, it) in items.into_iter().enumerate() {
            let repeated = previous
                .as_ref()
                .is_some_and(|p| Arc::ptr_eq(p, &it.original_string));
            let original = if !repeated || charge(it.original_string.len()) {
                Some(Arc::clone(&it.original_string))
            } else {
                None
            };
            previous = Some(Arc::clone(&it.original_string));
            if let Some((idx, value, full)) = &source {
                self.src_index.push(*idx);
                let first = row == 0;
                self.source
                    .push((first || charge(value.len())).then(|| Arc::clone(value)));
                self.full
                    .push((first || charge(full.len())).then(|| Arc::clone(full)));
            }
            self.stop.push(it.stop_reason());
            self.reference.push(it.reference);
            self.original.push(original);
            self.file_name.push(it.file_name);
            self.file_type.push(it.file_type);
            self.input_bytes.push(it.input_bytes);
            self.decoded.push(it.decoded_string);
            self.encoding.push(it.encoding_type.map(|e| e.as_str()));
            self.md5.push(it.md5);
            self.sha1.push(it.sha1);
            self.sha256.push(it.sha256);
            self.printable.push(it.printable_bytes);
            self.depth.push(it.depth);
        }
    }

    fn finish(self, source_column: Option<&str>) -> Result<DataFrame> {
        let ctx = "building the unpack frame";
        let n = self.reference.len();
        let strs = |name: &str, v: &[Option<Arc<str>>]| {
            Column::new(
                name.into(),
                v.iter().map(|s| s.as_deref()).collect::<Vec<_>>(),
            )
        };
        let md5 = Column::new("md5".into(), self.md5);
        let sha1 = Column::new("sha1".into(), self.sha1);
        let sha256 = Column::new("sha256".into(), self.sha256);
        let hashes = StructChunked::from_columns(
            "file_hashes".into(),
            n,
            &[md5.clone(), sha1.clone(), sha256.clone()],
        )
        .ctx(ctx)?
        .into_column();
        let bytes = BinaryChunked::from_iter_values(
            "input_bytes".into(),
            self.input_bytes.iter().map(Vec::as_slice),
        )
        .into_column();
        let mut cols = vec![
            Column::new("reference".into(), self.reference),
            strs("original_string", &self.original),
            Column::new("file_name".into(), self.file_name),
            Column::new("file_type".into(), self.file_type),
            bytes,
            Column::new("decoded_string".into(), self.decoded),
            Column::new("encoding_type".into(), self.encoding),
            hashes,
            md5,
            sha1,
            sha256,
            Column::new("printable_bytes".into(), self.printable),
        ];
        if let Some(name) = source_column {
            cols.push(IdxCa::from_vec("src_index".into(), self.src_index).into_column());
            cols.push(strs(name, &self.source));
            cols.push(strs("full_decoded_string", &self.full));
        }
        cols.push(Column::new("depth".into(), self.depth));
        cols.push(Column::new("stop_reason".into(), self.stop));
        DataFrame::new(n, cols).ctx(ctx)
    }
}

/// The result of unpacking one string.
#[derive(Debug, Clone)]
pub struct Unpacked {
    decoded: String,
    items: Vec<DecodedItem>,
    df: DataFrame,
}

impl Unpacked {
    pub(crate) fn new(decoded: String, items: Vec<DecodedItem>) -> Result<Self> {
        let mut b = Builder::default();
        b.push(items.clone(), None);
        let df = b.finish(None)?;
        Ok(Self { decoded, items, df })
    }

    /// The input with every decoded blob replaced by its `<decoded …>` marker.
    pub fn decoded_string(&self) -> &str {
        &self.decoded
    }

    /// The decoded items, parents before children.
    pub fn items(&self) -> &[DecodedItem] {
        &self.items
    }

    /// The items as a frame (MSTICPy's columns, then `depth`, `stop_reason`).
    pub fn df(&self) -> &DataFrame {
        &self.df
    }

    /// The frame, by value.
    pub fn into_df(self) -> DataFrame {
        self.df
    }
}

/// The result of unpacking a frame column.
#[derive(Debug, Clone)]
pub struct UnpackedFrame {
    df: DataFrame,
    column: String,
    rows: usize,
    rows_decoded: usize,
}

impl UnpackedFrame {
    /// One row a decoded item: MSTICPy's columns, `src_index`, the input
    /// column, `full_decoded_string`, then `depth` and `stop_reason`.
    pub fn df(&self) -> &DataFrame {
        &self.df
    }

    /// The frame, by value.
    pub fn into_df(self) -> DataFrame {
        self.df
    }

    /// Input rows scanned.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Input rows with at least one decoded item.
    pub fn rows_decoded(&self) -> usize {
        self.rows_decoded
    }

    /// The frame with `input_bytes` as hex text and without the
    /// `file_hashes` struct (its fields are the `md5`/`sha1`/`sha256`
    /// columns): every column is then plain text or numbers, for CSV.
    pub fn export_df(&self) -> Result<DataFrame> {
        export(&self.df)
    }
}

/// `input_bytes` as hex and no `file_hashes` struct.
pub(crate) fn export(df: &DataFrame) -> Result<DataFrame> {
    let ctx = "exporting the unpack frame";
    let mut out = df.clone();
    let hexed: StringChunked = out
        .column("input_bytes")
        .ctx(ctx)?
        .binary()
        .ctx(ctx)?
        .iter()
        .map(|b| b.map(hex::encode))
        .collect();
    out.with_column(hexed.with_name("input_bytes".into()).into_column())
        .ctx(ctx)?;
    out.drop_in_place("file_hashes").ctx(ctx)?;
    Ok(out)
}

pub(crate) fn unpack_frame(opts: &Unpacker, df: &DataFrame, column: &str) -> Result<UnpackedFrame> {
    let input = df
        .column(column)
        .map_err(|_| Error::column_not_found(column, "the input frame", df.get_column_names()))?;
    let reserved =
        ITEM_COLUMNS
            .iter()
            .chain(&["src_index", "full_decoded_string", "depth", "stop_reason"]);
    if reserved.clone().any(|c| *c == column) {
        return Err(Error::invalid(
            format!("column '{column}'"),
            "has the name of an unpack output column; rename it first",
        ));
    }
    let strings = match input.dtype() {
        DataType::String => input.clone(),
        DataType::Categorical(..) | DataType::Enum(..) => input
            .cast(&DataType::String)
            .ctx(format!("reading column '{column}'"))?,
        other => {
            return Err(Error::invalid(
                format!("column '{column}'"),
                format!("must hold strings to unpack, but its type is {other}"),
            ));
        }
    };
    let ca = strings.str().ctx(format!("reading column '{column}'"))?;
    let mut b = Builder::default();
    let mut rows_decoded = 0;
    for (i, value) in ca.iter().enumerate() {
        let Some(text) = value else { continue };
        // The common case: no candidate, nothing allocated.
        if !has_candidate(text, opts.min_length) {
            continue;
        }
        let (decoded, items) = unpack_text(opts, text);
        if items.is_empty() {
            continue;
        }
        rows_decoded += 1;
        let idx = IdxSize::try_from(i).unwrap_or(IdxSize::MAX);
        b.push(items, Some((idx, Arc::from(text), Arc::from(decoded))));
    }
    Ok(UnpackedFrame {
        df: b.finish(Some(column))?,
        column: column.to_string(),
        rows: df.height(),
        rows_decoded,
    })
}

/// The columns shown in a notebook (the rest are in `.df()`).
fn shown(df: &DataFrame, extra: &[&str]) -> DataFrame {
    let mut names: Vec<&str> = extra.to_vec();
    names.extend([
        "reference",
        "depth",
        "file_name",
        "file_type",
        "encoding_type",
        "decoded_string",
        "sha256",
        "stop_reason",
    ]);
    df.select(names.iter().copied())
        .unwrap_or_else(|_| df.clone())
}

const MAX_SHOWN_CHARS: usize = 20_000;

fn cut(text: &str) -> (&str, bool) {
    match text.char_indices().nth(MAX_SHOWN_CHARS) {
        Some((i, _)) => (&text[..i], true),
        None => (text, false),
    }
}

impl NotebookDisplay for Unpacked {
    fn to_html(&self) -> String {
        let mut h = HtmlBuilder::new();
        h.open("div", &[("class", "hb-unpack")]);
        h.element(
            "p",
            &[],
            &format!(
                "{} decoded item(s). Fully decoded string:",
                self.items.len()
            ),
        );
        let (text, more) = cut(&self.decoded);
        h.open(
            "pre",
            &[(
                "style",
                "white-space:pre-wrap;word-break:break-all;max-height:30em;overflow:auto",
            )],
        );
        h.text(text);
        if more {
            h.text(" …(cut; the whole string is in .decoded_string())");
        }
        h.close("pre");
        h.close("div");
        let mut html = h.finish();
        if !self.items.is_empty() {
            html.push_str(&table_html(
                &shown(&self.df, &[]),
                &TableOptions::new().max_rows(50),
            ));
        }
        html
    }

    fn to_text(&self) -> String {
        format!(
            "{}\n{} decoded item(s)\n{}",
            self.decoded,
            self.items.len(),
            table_text(&shown(&self.df, &[]))
        )
    }
}

impl NotebookDisplay for UnpackedFrame {
    fn to_html(&self) -> String {
        let mut h = HtmlBuilder::new();
        h.element(
            "p",
            &[],
            &format!(
                "Column '{}': {} decoded item(s) from {} of {} rows.",
                self.column,
                self.df.height(),
                self.rows_decoded,
                self.rows
            ),
        );
        let mut html = h.finish();
        html.push_str(&table_html(
            &shown(&self.df, &["src_index"]),
            &TableOptions::new().max_rows(50),
        ));
        html
    }

    fn to_text(&self) -> String {
        format!(
            "Column '{}': {} decoded item(s) from {} of {} rows.\n{}",
            self.column,
            self.df.height(),
            self.rows_decoded,
            self.rows,
            table_text(&shown(&self.df, &["src_index"]))
        )
    }
}
