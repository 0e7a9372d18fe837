//! Numeric features derived from strings, as MSTICPy's `eventcluster`
//! makes them: character-ordinal scores, token and delimiter counts, CRC32
//! hashes of a value and of its delimiter pattern, and
//! [`add_process_features`] for process-creation events.
//!
//! Two command lines that differ only in a host name or a GUID have the same
//! delimiter pattern (so the same [`delim_count`] and [`delim_hash`]) and a
//! similar [`char_ord_score`]; that is what lets DBSCAN put them in one
//! cluster.
//!
//! ```
//! use huntbook::analysis::cluster::{char_ord_score, crc32_hash, delim_count, delim_hash, token_count};
//! let s = "The quick & sly (as all foxes might be/or not) fox, jumped over a frog.";
//! assert_eq!(token_count(s, " "), 15);
//! assert_eq!(char_ord_score(s, 1), 6199);
//! assert_eq!(delim_count(s), 20);
//! assert_eq!(crc32_hash(s), 2011081507);
//! assert_eq!(delim_hash(s), 2337396062);
//! ```

use crate::error::{Error, PolarsContext, Result};
use polars::prelude::*;
use regex::Regex;

/// MSTICPy's default delimiter set, as the regular expression it uses:
/// whitespace and `- \ / . , " ' | & : ; % $ ( )`.
pub const DEFAULT_DELIMITERS: &str = r#"[\s\-\\/\.,"'|&:;%$()]"#;

/// Python's `str.isspace` (what `\s` matches in a Python `re` str pattern):
/// Rust's `char::is_whitespace` plus the ASCII separators U+001C–U+001F.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn is_default_delim(c: char) -> bool {
    matches!(
        c,
        '-' | '\\' | '/' | '.' | ',' | '"' | '\'' | '|' | '&' | ':' | ';' | '%' | '$' | '(' | ')'
    ) || is_py_space(c)
}

/// A delimiter set for [`Delimiters::count`] and [`Delimiters::hash`]:
/// MSTICPy's default set, or any regular expression (each match is one
/// delimiter, as with Python's `re.findall`).
///
/// ```
/// use huntbook::analysis::cluster::Delimiters;
/// let d = Delimiters::regex("[,;]").unwrap();
/// assert_eq!(d.count("a,b;c d"), 2);
/// assert_eq!(Delimiters::default().count("a,b;c d"), 3);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Delimiters {
    regex: Option<Regex>,
}

impl Delimiters {
    /// MSTICPy's default set ([`DEFAULT_DELIMITERS`]).
    pub fn msticpy() -> Self {
        Self::default()
    }

    /// Delimiters matched by a regular expression.
    pub fn regex(pattern: &str) -> Result<Self> {
        let regex = Regex::new(pattern).map_err(|e| {
            Error::invalid(
                format!("delimiter pattern '{pattern}'"),
                format!("not a valid regular expression: {e}"),
            )
        })?;
        Ok(Self { regex: Some(regex) })
    }

    /// The number of delimiters in `value`.
    pub fn count(&self, value: &str) -> usize {
        match &self.regex {
            None => value.chars().filter(|&c| is_default_delim(c)).count(),
            Some(re) => re.find_iter(value).count(),
        }
    }

    /// The CRC32 of the delimiters of `value` joined in order (UTF-8).
    pub fn hash(&self, value: &str) -> u32 {
        let mut h = crc32fast::Hasher::new();
        match &self.regex {
            None => {
                let mut buf = [0u8; 4];
                for c in value.chars().filter(|&c| is_default_delim(c)) {
                    h.update(c.encode_utf8(&mut buf).as_bytes());
                }
            }
            Some(re) => {
                for m in re.find_iter(value) {
                    h.update(m.as_str().as_bytes());
                }
            }
        }
        h.finalize()
    }
}

/// The sum of the Unicode code points of `value`, divided by `scale` and
/// rounded down (MSTICPy's `char_ord_score`). A larger scale reduces the
/// weight of this feature in clustering. A `scale` of 0 is taken as 1.
pub fn char_ord_score(value: &str, scale: u32) -> u64 {
    let sum: u64 = value.chars().map(|c| u64::from(c as u32)).sum();
    sum / u64::from(scale.max(1))
}

/// The number of `delimiter`-separated tokens (Python's
/// `len(value.split(delimiter))`: an empty value is one token). An empty
/// delimiter counts the whole value as one token.
pub fn token_count(value: &str, delimiter: &str) -> usize {
    if delimiter.is_empty() {
        return 1;
    }
    value.split(delimiter).count()
}

/// The number of MSTICPy default delimiters in `value`
/// (see [`DEFAULT_DELIMITERS`]).
pub fn delim_count(value: &str) -> usize {
    Delimiters::default().count(value)
}

/// The CRC32 of the sequence of MSTICPy default delimiters in `value`.
pub fn delim_hash(value: &str) -> u32 {
    Delimiters::default().hash(value)
}

/// The CRC32 (IEEE, as zlib's `crc32`) of `value`'s UTF-8 bytes.
pub fn crc32_hash(value: &str) -> u32 {
    crc32fast::hash(value.as_bytes())
}

fn log10_or_zero(x: i64) -> f64 {
    if x == 0 { 0.0 } else { (x as f64).log10() }
}

/// A string column of `df` (any dtype is cast to text).
fn string_column(df: &DataFrame, column: &str, what: &str) -> Result<StringChunked> {
    let c = df
        .column(column)
        .map_err(|_| Error::column_not_found(column, what, df.get_column_names()))?;
    let s = c
        .as_materialized_series()
        .cast(&DataType::String)
        .ctx(format!("reading column '{column}' as text"))?;
    Ok(s.str().ctx(format!("reading column '{column}'"))?.clone())
}

fn map_str<T, F>(df: &DataFrame, column: &str, f: F) -> Result<Vec<Option<T>>>
where
    F: Fn(&str) -> T,
{
    let ca = string_column(df, column, "the input frame")?;
    Ok(ca.iter().map(|v| v.map(&f)).collect())
}

/// [`char_ord_score`] of every value of a column (nulls stay null).
/// Unlike MSTICPy's `char_ord_score_df`, which divides without rounding,
/// the result is always the whole-number score.
pub fn char_ord_score_df(df: &DataFrame, column: &str, scale: u32) -> Result<Series> {
    if scale == 0 {
        return Err(Error::invalid("option 'scale'", "must be at least 1"));
    }
    let v = map_str(df, column, |s| char_ord_score(s, scale) as i64)?;
    Ok(Series::new(column.into(), v))
}

/// [`token_count`] of every value of a column (nulls stay null).
pub fn token_count_df(df: &DataFrame, column: &str, delimiter: &str) -> Result<Series> {
    let v = map_str(df, column, |s| token_count(s, delimiter) as i64)?;
    Ok(Series::new(column.into(), v))
}

/// [`Delimiters::count`] of every value of a column (nulls stay null).
pub fn delim_count_df(df: &DataFrame, column: &str, delimiters: &Delimiters) -> Result<Series> {
    let v = map_str(df, column, |s| delimiters.count(s) as i64)?;
    Ok(Series::new(column.into(), v))
}

/// [`Delimiters::hash`] of every value of a column (nulls stay null).
pub fn delim_hash_df(df: &DataFrame, column: &str, delimiters: &Delimiters) -> Result<Series> {
    let v = map_str(df, column, |s| i64::from(delimiters.hash(s)))?;
    Ok(Series::new(column.into(), v))
}

/// [`crc32_hash`] of every value of a column (nulls stay null).
pub fn crc32_hash_df(df: &DataFrame, column: &str) -> Result<Series> {
    let v = map_str(df, column, |s| i64::from(crc32_hash(s)))?;
    Ok(Series::new(column.into(), v))
}

/// Options of [`add_process_features_with`].
#[derive(Debug, Clone, Default)]
pub struct ProcessFeatures {
    path_separator: Option<String>,
    force: bool,
}

impl ProcessFeatures {
    /// Defaults: path separator detected, existing feature columns kept.
    pub fn new() -> Self {
        Self::default()
    }

    /// The path separator of `NewProcessName` (default: `/` when one of
    /// the first 10 paths contains `/`, else `\`).
    pub fn path_separator(mut self, sep: impl Into<String>) -> Self {
        self.path_separator = Some(sep.into());
        self
    }

    /// Recompute feature columns that already exist (default false).
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// Adds the features to a copy of `df`.
    pub fn add(&self, df: &DataFrame) -> Result<DataFrame> {
        let mut out = crate::data::fresh(df);
        let names: Vec<String> = out
            .get_column_names()
            .iter()
            .map(|s| s.as_str().to_string())
            .collect();
        let has = |n: &str| names.iter().any(|c| c == n);
        let want = |n: &str| self.force || !has(n);
        let n = out.height();
        let mut new_cols: Vec<Column> = Vec::new();

        if has("NewProcessName") {
            let path = string_column(&out, "NewProcessName", "process events")?;
            let sep = match &self.path_separator {
                Some(s) if s.is_empty() => {
                    return Err(Error::invalid(
                        "option 'path_separator'",
                        "must not be empty",
                    ));
                }
                Some(s) => s.clone(),
                None => {
                    let linux = path.iter().take(10).flatten().any(|p| p.contains('/'));
                    if linux { "/".into() } else { "\\".into() }
                }
            };
            let paths: Vec<&str> = path.iter().map(|p| p.unwrap_or("")).collect();
            if want("processName") {
                let v: Vec<&str> = paths
                    .iter()
                    .map(|p| p.rsplit(sep.as_str()).next().unwrap_or(""))
                    .collect();
                new_cols.push(Column::new("processName".into(), v));
            }
            let scores: Vec<i64> = paths.iter().map(|p| char_ord_score(p, 1) as i64).collect();
            if want("pathScore") {
                new_cols.push(Column::new("pathScore".into(), &scores));
            }
            if want("pathLogScore") {
                let v: Vec<f64> = scores.iter().map(|&s| log10_or_zero(s)).collect();
                new_cols.push(Column::new("pathLogScore".into(), v));
            }
            if want("pathHash") {
                let v: Vec<i64> = paths.iter().map(|p| i64::from(crc32_hash(p))).collect();
                new_cols.push(Column::new("pathHash".into(), v));
            }
        }

        if has("CommandLine") {
            let cmd = string_column(&out, "CommandLine", "process events")?;
            let cmds: Vec<&str> = cmd.iter().map(|p| p.unwrap_or("")).collect();
            let delims = Delimiters::default();
            let lens: Vec<i64> = cmds.iter().map(|c| c.chars().count() as i64).collect();
            if want("commandlineLen") {
                new_cols.push(Column::new("commandlineLen".into(), &lens));
            }
            if want("commandlineLogLen") {
                let v: Vec<f64> = lens.iter().map(|&l| log10_or_zero(l)).collect();
                new_cols.push(Column::new("commandlineLogLen".into(), v));
            }
            if want("commandlineTokensFull") {
                let v: Vec<i64> = cmds.iter().map(|c| delims.count(c) as i64).collect();
                new_cols.push(Column::new("commandlineTokensFull".into(), v));
            }
            if want("commandlineScore") {
                let v: Vec<i64> = cmds.iter().map(|c| char_ord_score(c, 1) as i64).collect();
                new_cols.push(Column::new("commandlineScore".into(), v));
            }
            if want("commandlineTokensHash") {
                let v: Vec<i64> = cmds.iter().map(|c| i64::from(delims.hash(c))).collect();
                new_cols.push(Column::new("commandlineTokensHash".into(), v));
            }
        }

        if has("SubjectLogonId") && want("isSystemSession") {
            // MSTICPy: `isin(["0x3e7", "-1"])`. Here an integer -1 (a Linux
            // session id read as a number) also counts, not only the text "-1".
            let ids = string_column(&out, "SubjectLogonId", "process events")?;
            let v: Vec<bool> = ids
                .iter()
                .map(|s| matches!(s.map(str::trim), Some("0x3e7") | Some("-1")))
                .collect();
            new_cols.push(Column::new("isSystemSession".into(), v));
        }

        for c in new_cols {
            debug_assert_eq!(c.len(), n);
            out.with_column(c).ctx("adding process features")?;
        }
        Ok(out)
    }
}

/// Adds MSTICPy's process features to a copy of a process-event frame:
/// from `NewProcessName` — `processName`, `pathScore`, `pathLogScore`,
/// `pathHash`; from `CommandLine` — `commandlineLen`, `commandlineLogLen`,
/// `commandlineTokensFull` (delimiter count), `commandlineScore`,
/// `commandlineTokensHash` (delimiter-pattern hash); from `SubjectLogonId`
/// — `isSystemSession` (`0x3e7` or `-1`). Missing source columns are
/// skipped; null strings count as empty (as MSTICPy's `fillna("")`).
/// Existing feature columns are kept (see [`ProcessFeatures::force`]).
///
/// ```
/// use huntbook::prelude::*;
/// let df = df!(
///     "NewProcessName" => ["C:\\Windows\\System32\\cmd.exe"],
///     "CommandLine" => ["cmd.exe /c whoami"],
///     "SubjectLogonId" => ["0x3e7"],
/// ).unwrap();
/// let f = add_process_features(&df).unwrap();
/// assert_eq!(f.column("processName").unwrap().str().unwrap().get(0), Some("cmd.exe"));
/// assert_eq!(f.column("commandlineTokensFull").unwrap().i64().unwrap().get(0), Some(4)); // . / and two spaces
/// assert_eq!(f.column("isSystemSession").unwrap().bool().unwrap().get(0), Some(true));
/// ```
pub fn add_process_features(df: &DataFrame) -> Result<DataFrame> {
    ProcessFeatures::new().add(df)
}

/// [`add_process_features`] with options.
pub fn add_process_features_with(df: &DataFrame, options: &ProcessFeatures) -> Result<DataFrame> {
    options.add(df)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FOX: &str = "The quick & sly (as all foxes might be/or not) fox, jumped over a frog.";

    #[test]
    fn msticpy_reference_values() {
        assert_eq!(token_count(FOX, " "), 15);
        assert_eq!(char_ord_score(FOX, 1), 6199);
        assert_eq!(char_ord_score(FOX, 10), 619);
        assert_eq!(char_ord_score(FOX, 0), 6199);
        assert_eq!(delim_count(FOX), 20);
        assert_eq!(crc32_hash(FOX), 2011081507);
        assert_eq!(delim_hash(FOX), 2337396062);
        let re = Delimiters::regex(DEFAULT_DELIMITERS).unwrap();
        assert_eq!(re.count(FOX), 20);
        assert_eq!(re.hash(FOX), 2337396062);
    }

    #[test]
    fn edge_values() {
        assert_eq!(token_count("", " "), 1);
        assert_eq!(token_count("a  b", " "), 3);
        assert_eq!(token_count("abc", ""), 1);
        assert_eq!(delim_count(""), 0);
        assert_eq!(delim_hash(""), 0);
        assert_eq!(crc32_hash(""), 0);
        // Python's \s includes the ASCII separators U+001C..U+001F.
        assert_eq!(delim_count("a\u{1c}b\u{a0}c\td"), 3);
        // code points, not bytes
        assert_eq!(char_ord_score("é", 1), 233);
        assert!(Delimiters::regex("[").is_err());
    }

    #[test]
    fn column_functions_keep_nulls() {
        let df = df!("c" => [Some("a b"), None]).unwrap();
        let s = token_count_df(&df, "c", " ").unwrap();
        assert_eq!(s.i64().unwrap().get(0), Some(2));
        assert_eq!(s.i64().unwrap().get(1), None);
        assert!(char_ord_score_df(&df, "c", 0).is_err());
        assert!(crc32_hash_df(&df, "nope").is_err());
    }

    #[test]
    fn linux_paths_are_detected() {
        let df = df!("NewProcessName" => ["/usr/bin/curl", "/bin/sh"], "CommandLine" => [Some("curl x"), None], "SubjectLogonId" => [-1i64, 5]).unwrap();
        let f = add_process_features(&df).unwrap();
        let names: Vec<_> = f
            .column("processName")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(names, ["curl", "sh"]);
        assert_eq!(
            f.column("commandlineLen").unwrap().i64().unwrap().get(1),
            Some(0)
        );
        assert_eq!(
            f.column("commandlineLogLen").unwrap().f64().unwrap().get(1),
            Some(0.0)
        );
        let sys: Vec<_> = f
            .column("isSystemSession")
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(sys, [true, false]);
    }
}
