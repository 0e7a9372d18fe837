//! DataFrames as HTML tables.
//!
//! A polars [`DataFrame`] shows in a notebook through [`NotebookDisplay`]
//! (in the prelude): column names with the dtype under each, the shape, the
//! first and last rows when the frame is long, the first and last columns
//! when it is wide, every value escaped, and long cells shortened with the
//! full value in a tooltip.
//!
//! ```
//! use huntbook::prelude::*;
//! let df = df!("host" => ["web01", "<b>db</b>"], "port" => [443i64, 22]).unwrap();
//! let html = huntbook::vis::table::table_html(&df, &TableOptions::default());
//! assert!(html.contains("&lt;b&gt;db&lt;/b&gt;"));
//! assert!(html.contains("shape: (2, 2)"));
//! ```

use crate::display::NotebookDisplay;
use crate::vis::html::HtmlBuilder;
use polars::prelude::*;

/// How a frame is shown. `Default` gives 20 rows, 40 columns, 100 characters
/// a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableOptions {
    max_rows: usize,
    max_cols: usize,
    max_cell_chars: usize,
    caption: Option<String>,
}

impl Default for TableOptions {
    fn default() -> Self {
        Self {
            max_rows: 20,
            max_cols: 40,
            max_cell_chars: 100,
            caption: None,
        }
    }
}

impl TableOptions {
    /// The default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rows shown before the frame is cut to its first and last rows (at least 2).
    pub fn max_rows(mut self, n: usize) -> Self {
        self.max_rows = n.max(2);
        self
    }

    /// Columns shown before the frame is cut to its first and last columns (at least 2).
    pub fn max_cols(mut self, n: usize) -> Self {
        self.max_cols = n.max(2);
        self
    }

    /// Characters shown in a cell before it is shortened (at least 4).
    pub fn max_cell_chars(mut self, n: usize) -> Self {
        self.max_cell_chars = n.max(4);
        self
    }

    /// A caption above the table.
    pub fn caption(mut self, caption: impl Into<String>) -> Self {
        self.caption = Some(caption.into());
        self
    }
}

const TABLE_CSS: &str = "<style>\
.hb-table{font-family:var(--jp-code-font-family,monospace);font-size:12px}\
.hb-table table{border-collapse:collapse}\
.hb-table table th,.hb-table table td{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top;white-space:pre-wrap;max-width:40em}\
.hb-table th{background:#f3f3f3}\
.hb-table .hb-dtype{display:block;font-weight:normal;color:#777;font-size:10px}\
.hb-table table td.hb-num{text-align:right}\
.hb-table td.hb-null{color:#999;font-style:italic}\
.hb-table .hb-shape{color:#555;margin:2px 0}\
</style>";

/// The indices shown of `len` items when at most `max` fit: all, or the
/// first half and the last half with `None` standing for the gap.
fn visible(len: usize, max: usize) -> Vec<Option<usize>> {
    if len <= max {
        return (0..len).map(Some).collect();
    }
    let head = max.div_ceil(2);
    let tail = max / 2;
    let mut out: Vec<Option<usize>> = (0..head).map(Some).collect();
    out.push(None);
    out.extend((len - tail..len).map(Some));
    out
}

/// The text of one value, or `None` for null.
pub fn cell_text(value: &AnyValue) -> Option<String> {
    match value {
        AnyValue::Null => None,
        v => Some(match v.get_str() {
            Some(s) => s.to_string(),
            None => v.to_string(),
        }),
    }
}

/// Shortens `text` to `max` characters with a trailing ellipsis.
fn shorten(text: &str, max: usize) -> Option<String> {
    let mut chars = text.char_indices();
    match chars.nth(max) {
        None => None,
        Some(_) => {
            let cut = text
                .char_indices()
                .nth(max - 1)
                .map_or(text.len(), |(i, _)| i);
            Some(format!("{}…", &text[..cut]))
        }
    }
}

fn is_numeric(dtype: &DataType) -> bool {
    dtype.is_primitive_numeric()
}

/// The HTML table of a frame.
pub fn table_html(df: &DataFrame, options: &TableOptions) -> String {
    let (height, width) = df.shape();
    let rows = visible(height, options.max_rows);
    let cols = visible(width, options.max_cols);
    let columns = df.columns();
    let mut h = HtmlBuilder::new();
    h.raw("<div class=\"hb-table\">").raw(TABLE_CSS);
    if let Some(caption) = &options.caption {
        h.element("div", &[("class", "hb-caption")], caption);
    }
    h.element(
        "div",
        &[("class", "hb-shape")],
        &format!("shape: ({height}, {width})"),
    );
    h.raw("<table><thead><tr>");
    for col in &cols {
        match col {
            Some(c) => {
                let column = &columns[*c];
                h.open("th", &[]).text(column.name().as_str());
                h.element(
                    "span",
                    &[("class", "hb-dtype")],
                    &column.dtype().to_string(),
                );
                h.close("th");
            }
            None => {
                h.raw("<th>…</th>");
            }
        }
    }
    h.raw("</tr></thead><tbody>");
    for row in &rows {
        h.raw("<tr>");
        for col in &cols {
            match (row, col) {
                (Some(r), Some(c)) => push_cell(&mut h, &columns[*c], *r, options),
                _ => {
                    h.raw("<td>…</td>");
                }
            }
        }
        h.raw("</tr>");
    }
    h.raw("</tbody></table></div>");
    h.finish()
}

fn push_cell(h: &mut HtmlBuilder, column: &Column, row: usize, options: &TableOptions) {
    let value = column.get(row).ok();
    match value.as_ref().and_then(cell_text) {
        None => {
            h.raw("<td class=\"hb-null\">null</td>");
        }
        Some(text) => {
            let class = if is_numeric(column.dtype()) {
                "hb-num"
            } else {
                ""
            };
            let mut attrs: Vec<(&'static str, &str)> = Vec::with_capacity(2);
            if !class.is_empty() {
                attrs.push(("class", class));
            }
            match shorten(&text, options.max_cell_chars) {
                Some(short) => {
                    attrs.push(("title", &text));
                    h.element("td", &attrs, &short);
                }
                None => {
                    h.element("td", &attrs, &text);
                }
            }
        }
    }
}

/// The plain-text view of a frame (polars' own table).
pub fn table_text(df: &DataFrame) -> String {
    format!("{df}")
}

impl NotebookDisplay for DataFrame {
    fn to_html(&self) -> String {
        table_html(self, &TableOptions::default())
    }
    fn to_text(&self) -> String {
        table_text(self)
    }
}

impl NotebookDisplay for Series {
    fn to_html(&self) -> String {
        table_html(&self.clone().into_frame(), &TableOptions::default())
    }
    fn to_text(&self) -> String {
        format!("{self}")
    }
}

/// A frame with its own display options, e.g. a caption or more rows:
/// `Table::new(df).options(TableOptions::new().max_rows(50))`.
#[derive(Debug, Clone)]
pub struct Table {
    df: DataFrame,
    options: TableOptions,
}

impl Table {
    /// A table with default options.
    pub fn new(df: DataFrame) -> Self {
        Self {
            df,
            options: TableOptions::default(),
        }
    }

    /// Sets the display options.
    pub fn options(mut self, options: TableOptions) -> Self {
        self.options = options;
        self
    }

    /// The frame.
    pub fn df(&self) -> &DataFrame {
        &self.df
    }
}

impl NotebookDisplay for Table {
    fn to_html(&self) -> String {
        table_html(&self.df, &self.options)
    }
    fn to_text(&self) -> String {
        table_text(&self.df)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_cuts_the_middle() {
        assert_eq!(visible(3, 5), vec![Some(0), Some(1), Some(2)]);
        assert_eq!(
            visible(10, 4),
            vec![Some(0), Some(1), None, Some(8), Some(9)]
        );
        assert_eq!(visible(10, 3), vec![Some(0), Some(1), None, Some(9)]);
    }

    #[test]
    fn shorten_counts_characters_not_bytes() {
        assert_eq!(shorten("abc", 4), None);
        assert_eq!(shorten("abcd", 4), None);
        assert_eq!(shorten("ééééé", 4).as_deref(), Some("ééé…"));
    }
}
