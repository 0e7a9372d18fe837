//! Masking data for safe sharing: MSTICPy's `mask_df` with its column map,
//! keyed hashing, and the fixes listed below.
//!
//! A [`Masker`] masks the columns of a frame named in its column map
//! (MSTICPy's default map of 72 columns, [`default_column_map`], plus your
//! own, from code or a JSON/YAML file). Each column has a [`MaskKind`]:
//!
//! | kind | what it does | example |
//! |---|---|---|
//! | `uuid` | a random-looking v4 UUID, the same for the same input | `52b1ab41-…` → `6513270e-…` |
//! | `ip` | IPv4 octet permutation (private/special ranges keep their network part), IPv6 group hashing | `192.168.147.156` → `192.168.129.24` |
//! | `str` | a same-length string of letters (digits for numbers) | `CONTOSO` → `qadfddj` (MSTICPy-compatible mode) |
//! | `acct` | `account-#N`, domain hashed, shape and well-known names kept | `bob@contoso.com` → `account-#25206@jjfibim.pjb` |
//! | `sid` | the domain part of a SID hashed, authority and RID kept | `S-1-5-21-3623…-1012` → `S-1-5-21-3059…-1012` |
//! | `dict`, `list` | every value inside JSON text, a struct or a list column hashed, keys kept | `{"os":"Windows"}` → `{"os":"<7 letters>"}` |
//! | delimiters (e.g. `@./:.`) | each part between the delimiters hashed, delimiters kept | `srv1.corp.com` → `<4>.<4>.<3>` letters |
//! | `null` | the column emptied | |
//!
//! The same input gives the same output within one masker. By default a
//! masker hashes under a random secret key (HMAC-SHA-256) and draws its IP
//! permutation from it, so nobody can confirm a guess by hashing it, and two
//! maskers give unrelated outputs; [`Masker::seed`] makes it reproducible
//! across runs, and [`Masker::msticpy_compatible`] hashes with plain SHA-256
//! exactly as MSTICPy does (outputs match MSTICPy's for the same IP
//! permutation). The input frame is never modified.
//!
//! Fixes over MSTICPy 3.0.2 (each tested against its golden output):
//! * `null` empties the **output** column; MSTICPy sets the *input* frame's
//!   column to None and returns the original values (leaking them).
//! * 172.16/12 is recognised as private (MSTICPy tests first octet 17), and
//!   link-local, CGNAT, loopback, documentation and multicast ranges keep
//!   their network part; public addresses stay public ([`ip::mask_ipv4`]).
//! * Delimited hashing does not rewrite substrings of other parts
//!   (`com.company.com` → MSTICPy's `pjb.pjbpany.pjb` leaks `pany`).
//! * Values that are not SIDs are hashed (MSTICPy returns them unchanged);
//!   `DOMAIN\user` accounts are recognised; empty values stay empty;
//!   strings over 64 characters keep their length.
//!
//! ```
//! use huntbook::prelude::*;
//! let df = df!(
//!     "Account" => ["CONTOSO/alice", "bob@contoso.com"],
//!     "IpAddress" => ["10.1.2.3", "13.37.48.94"],
//!     "Notes" => ["keep", "me"],
//! )?;
//! let masker = Masker::new().seed(42);
//! let masked = masker.mask_df(&df)?;
//! let acct = masked.column("Account")?.str()?.get(0).unwrap().to_string();
//! assert!(acct.contains("/account-#")); // DOMAIN/user shape kept, both parts hashed
//! assert!(!acct.contains("alice") && !acct.contains("CONTOSO"));
//! assert!(masked.column("IpAddress")?.str()?.get(0).unwrap().starts_with("10."));
//! assert_eq!(masked.column("Notes")?, df.column("Notes")?); // not in the map
//! // reproducible: the same seed gives the same output
//! assert_eq!(Masker::new().seed(42).mask_df(&df)?, masked);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod hash;
pub mod ip;

use crate::display::NotebookDisplay;
use crate::error::{Error, PolarsContext, Result};
use hash::Keyer;
pub use ip::IpPermutation;
use polars::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// MSTICPy's default column map (`resources/obfuscation_cols.yaml`
/// flattened, 72 columns), bundled as `data/masking/default_map.json`.
const DEFAULT_MAP_JSON: &str = include_str!("../../../data/masking/default_map.json");

/// How the values of one column are masked (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MaskKind {
    /// A consistent random-looking v4 UUID.
    Uuid,
    /// IP addresses (IPv4 permutation, IPv6 group hashing).
    Ip,
    /// The whole value hashed to a same-length string.
    Str,
    /// Account names (UPN, `DOMAIN/user`, `DOMAIN\user`, bare).
    Acct,
    /// Windows SIDs.
    Sid,
    /// Values inside dictionaries (JSON objects, struct columns).
    Dict,
    /// Values inside lists (JSON arrays, list columns).
    List,
    /// The parts between these delimiter characters hashed, delimiters kept.
    Delimited(String),
    /// The column emptied (all null).
    Null,
}

impl MaskKind {
    /// Parses a kind as written in a column map: `uuid`, `ip`, `str`,
    /// `acct`, `sid`, `dict`, `list`, `null`, or any other non-empty text,
    /// which is a set of delimiter characters (MSTICPy's convention).
    pub fn parse(text: &str) -> Result<Self> {
        Ok(match text {
            "uuid" => Self::Uuid,
            "ip" => Self::Ip,
            "str" => Self::Str,
            "acct" => Self::Acct,
            "sid" => Self::Sid,
            "dict" => Self::Dict,
            "list" => Self::List,
            "null" => Self::Null,
            "" => {
                return Err(Error::invalid(
                    "mask kind ''",
                    "expected uuid, ip, str, acct, sid, dict, list, null or delimiter characters",
                ));
            }
            delims => Self::Delimited(delims.to_string()),
        })
    }

    /// The kind as written in a column map.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Uuid => "uuid",
            Self::Ip => "ip",
            Self::Str => "str",
            Self::Acct => "acct",
            Self::Sid => "sid",
            Self::Dict => "dict",
            Self::List => "list",
            Self::Null => "null",
            Self::Delimited(d) => d,
        }
    }
}

impl std::fmt::Display for MaskKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A column name → [`MaskKind`] map.
pub type ColumnMap = BTreeMap<String, MaskKind>;

/// MSTICPy's default column map (72 columns).
///
/// ```
/// let map = huntbook::transform::mask::default_column_map();
/// assert_eq!(map.len(), 72);
/// assert_eq!(map["IpAddress"].as_str(), "ip");
/// assert_eq!(map["Computer"].as_str(), "@./:.");
/// ```
pub fn default_column_map() -> ColumnMap {
    // The bundled file is checked by a test; an unreadable copy gives an
    // empty map rather than a panic.
    parse_column_map(DEFAULT_MAP_JSON, "bundled default column map").unwrap_or_default()
}

/// Parses a column map from JSON or YAML text: a flat `{column: kind}`
/// mapping, or MSTICPy's `obfuscation_cols.yaml` shape of named groups of
/// such mappings (`{AzureSentinel: {Account: acct, ...}, ...}`). `label`
/// names the input in errors.
pub fn parse_column_map(text: &str, label: &str) -> Result<ColumnMap> {
    let value: serde_yaml::Value = serde_yaml::from_str(text)
        .map_err(|e| Error::invalid(label, format!("not JSON or YAML: {e}")))?;
    let top = value
        .as_mapping()
        .ok_or_else(|| Error::invalid(label, "expected a mapping of column names to mask kinds"))?;
    let mut map = ColumnMap::new();
    let mut add = |col: &serde_yaml::Value, kind: &serde_yaml::Value| -> Result<()> {
        let col = col
            .as_str()
            .ok_or_else(|| Error::invalid(label, format!("column name {col:?} is not text")))?;
        let kind = kind.as_str().ok_or_else(|| {
            Error::invalid(label, format!("mask kind of column '{col}' is not text"))
        })?;
        let kind = MaskKind::parse(kind)
            .map_err(|e| Error::invalid(label, format!("column '{col}': {e}")))?;
        map.insert(col.to_string(), kind);
        Ok(())
    };
    for (key, val) in top {
        match val {
            serde_yaml::Value::Mapping(group) => {
                for (col, kind) in group {
                    add(col, kind)?;
                }
            }
            other => add(key, other)?,
        }
    }
    Ok(map)
}

/// Reads a column map file (JSON or YAML, see [`parse_column_map`]).
pub fn read_column_map(path: impl AsRef<Path>) -> Result<ColumnMap> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("reading", path, e))?;
    parse_column_map(&text, &format!("column map file '{}'", path.display()))
}

fn random_key() -> [u8; 32] {
    let mut key = [0u8; 32];
    if getrandom::fill(&mut key).is_err() {
        // No OS randomness: fall back to std's randomly seeded hasher keys,
        // the time and the process id.
        use std::hash::{BuildHasher, Hasher};
        let mut h = Sha256::new();
        for i in 0..4u64 {
            let mut x = std::collections::hash_map::RandomState::new().build_hasher();
            x.write_u64(i);
            h.update(x.finish().to_le_bytes());
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        h.update(now.to_le_bytes());
        h.update(std::process::id().to_le_bytes());
        key = h.finalize().into();
    }
    key
}

fn seed_key(seed: u64) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"huntbook mask seed v1\0");
    h.update(seed.to_le_bytes());
    h.finalize().into()
}

/// Masks frames and values. Build one per sharing job and keep it: the same
/// input gives the same output across every frame the masker masks.
///
/// Debug shows the settings but never the key or the IP permutation.
#[derive(Clone)]
pub struct Masker {
    key: [u8; 32],
    keyer: Keyer,
    ip_perm: IpPermutation,
    ip_perm_given: bool,
    compatible: bool,
    use_default: bool,
    user_map: ColumnMap,
    seeded: bool,
}

impl std::fmt::Debug for Masker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Masker")
            .field("seeded", &self.seeded)
            .field("msticpy_compatible", &self.compatible)
            .field("use_default_map", &self.use_default)
            .field("user_columns", &self.user_map.len())
            .field("key", &"hidden")
            .finish()
    }
}

impl Default for Masker {
    fn default() -> Self {
        Self::new()
    }
}

impl Masker {
    /// A masker with a random key, MSTICPy's default column map and no
    /// user columns.
    pub fn new() -> Self {
        Self::with_key(random_key(), false)
    }

    fn with_key(key: [u8; 32], seeded: bool) -> Self {
        Self {
            key,
            keyer: Keyer::keyed(&key),
            ip_perm: IpPermutation::from_key(&key),
            ip_perm_given: false,
            compatible: false,
            use_default: true,
            user_map: ColumnMap::new(),
            seeded,
        }
    }

    /// Derives the key (and so every hash, UUID and the IP permutation) from
    /// `seed`: the same seed gives the same output in every run. Anyone who
    /// knows the seed can confirm guesses, so treat it as a secret.
    pub fn seed(self, seed: u64) -> Self {
        let mut next = Self::with_key(seed_key(seed), true);
        next.compatible = self.compatible;
        next.use_default = self.use_default;
        next.user_map = self.user_map;
        if self.ip_perm_given {
            next.ip_perm = self.ip_perm;
            next.ip_perm_given = true;
        }
        if next.compatible {
            next.keyer = Keyer::plain();
        }
        next
    }

    /// Hash strings, accounts, SIDs and IPv6 groups with plain SHA-256, as
    /// MSTICPy does, so outputs match MSTICPy's (with the same IP
    /// permutation, see [`Masker::ip_permutation`]). Plain hashes can be
    /// confirmed by anyone who hashes a guess; prefer the keyed default for
    /// data that leaves your team. UUIDs stay keyed.
    pub fn msticpy_compatible(mut self, yes: bool) -> Self {
        self.compatible = yes;
        self.keyer = if yes {
            Keyer::plain()
        } else {
            Keyer::keyed(&self.key)
        };
        self
    }

    /// Uses this IPv4 octet permutation instead of one drawn from the key.
    pub fn ip_permutation(mut self, perm: IpPermutation) -> Self {
        self.ip_perm = perm;
        self.ip_perm_given = true;
        self
    }

    /// Whether MSTICPy's default column map is used (default `true`); user
    /// columns are added on top either way.
    pub fn use_default_map(mut self, yes: bool) -> Self {
        self.use_default = yes;
        self
    }

    /// Masks column `name` as `kind` (overrides the default map).
    pub fn column(mut self, name: impl Into<String>, kind: MaskKind) -> Self {
        self.user_map.insert(name.into(), kind);
        self
    }

    /// Adds a column map (overrides the default map and earlier columns).
    pub fn columns(mut self, map: ColumnMap) -> Self {
        self.user_map.extend(map);
        self
    }

    /// Adds the column map in a JSON or YAML file ([`read_column_map`]).
    pub fn map_file(self, path: impl AsRef<Path>) -> Result<Self> {
        Ok(self.columns(read_column_map(path)?))
    }

    /// The effective column map: the default map (when used) with the user
    /// columns on top.
    pub fn column_map(&self) -> ColumnMap {
        let mut map = if self.use_default {
            default_column_map()
        } else {
            ColumnMap::new()
        };
        map.extend(self.user_map.clone());
        map
    }

    /// Masks one value as `kind` (`Null` gives an empty string).
    ///
    /// ```
    /// use huntbook::prelude::*;
    /// let m = Masker::new().msticpy_compatible(true);
    /// assert_eq!(m.mask_value(&MaskKind::Str, "12345"), "59944");
    /// assert_eq!(m.mask_value(&MaskKind::Acct, "CONTOSO/alice"), "qadfddj/account-#17354");
    /// ```
    pub fn mask_value(&self, kind: &MaskKind, value: &str) -> String {
        let k = &self.keyer;
        match kind {
            MaskKind::Uuid => hash::replace_uuid(&Keyer::keyed(&self.key), value),
            MaskKind::Ip => ip::mask_ip(k, &self.ip_perm, value),
            MaskKind::Str => hash::hash_string(k, value),
            MaskKind::Acct => hash::hash_account(k, value),
            MaskKind::Sid => hash::hash_sid(k, value),
            MaskKind::Dict | MaskKind::List => self.mask_json_text(value),
            MaskKind::Delimited(d) => hash::hash_item(k, value, d),
            MaskKind::Null => String::new(),
        }
    }

    /// JSON object/array text: every leaf value hashed, keys kept; anything
    /// else hashed as a string.
    fn mask_json_text(&self, value: &str) -> String {
        let trimmed = value.trim_start();
        if (trimmed.starts_with('{') || trimmed.starts_with('['))
            && let Ok(mut json) = serde_json::from_str::<serde_json::Value>(value)
        {
            self.mask_json(&mut json, 0);
            if let Ok(text) = serde_json::to_string(&json) {
                return text;
            }
        }
        hash::hash_string(&self.keyer, value)
    }

    /// Hashes the leaves of a JSON value: strings and numbers (as MSTICPy's
    /// `hash_dict`/`hash_list`, numbers become numeric strings); booleans
    /// and nulls are kept. Nesting deeper than 64 levels is hashed whole.
    fn mask_json(&self, value: &mut serde_json::Value, depth: usize) {
        use serde_json::Value as J;
        match value {
            J::String(s) => *s = hash::hash_string(&self.keyer, s),
            J::Number(n) => *value = J::String(hash::hash_string(&self.keyer, &n.to_string())),
            J::Array(items) if depth < 64 => {
                for item in items {
                    self.mask_json(item, depth + 1);
                }
            }
            J::Object(map) if depth < 64 => {
                for (_, item) in map.iter_mut() {
                    self.mask_json(item, depth + 1);
                }
            }
            J::Array(_) | J::Object(_) => {
                *value = J::String(hash::hash_string(&self.keyer, &value.to_string()));
            }
            J::Bool(_) | J::Null => {}
        }
    }

    /// Masks the columns of `df` named in the column map and returns the
    /// masked copy; other columns are shared unchanged, and `df` itself is
    /// never modified. Columns of the map that the frame lacks are ignored
    /// (as MSTICPy). Numbers, dates and other non-text values in a masked
    /// column are masked as their text (the column becomes text); struct and
    /// list columns are masked value by value inside; booleans are kept.
    pub fn mask_df(&self, df: &DataFrame) -> Result<DataFrame> {
        let df = crate::data::fresh(df);
        let map = self.column_map();
        let jobs: Vec<(usize, &Column, &MaskKind)> = df
            .columns()
            .iter()
            .enumerate()
            .filter_map(|(i, c)| map.get(c.name().as_str()).map(|k| (i, c, k)))
            .collect();
        let run = |column: &Column, kind: &MaskKind| -> Result<Column> {
            let name = column.name().as_str();
            self.mask_series(column.as_materialized_series(), kind, 0)
                .map(|s| s.into_column())
                .ctx(format!("masking column '{name}' as '{kind}'"))
        };
        // Columns are independent: mask them on parallel threads when the
        // frame is large enough for that to pay.
        let masked: Vec<Result<Column>> = if df.height() >= 20_000 && jobs.len() > 1 {
            std::thread::scope(|scope| {
                let handles: Vec<_> = jobs
                    .iter()
                    .map(|(_, c, k)| scope.spawn(|| run(c, k)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join().unwrap_or_else(|_| {
                            Err(Error::Runtime("a masking thread panicked".into()))
                        })
                    })
                    .collect()
            })
        } else {
            jobs.iter().map(|(_, c, k)| run(c, k)).collect()
        };
        let mut columns: Vec<Column> = df.columns().to_vec();
        for ((i, _, _), col) in jobs.iter().zip(masked) {
            columns[*i] = col?;
        }
        DataFrame::new(df.height(), columns).ctx("building the masked frame")
    }

    /// The columns of `df` that [`Masker::mask_df`] masks, with their kinds.
    pub fn masked_columns(&self, df: &DataFrame) -> Vec<(String, MaskKind)> {
        let map = self.column_map();
        df.get_column_names()
            .into_iter()
            .filter_map(|n| map.get(n.as_str()).map(|k| (n.to_string(), k.clone())))
            .collect()
    }

    fn mask_series(&self, s: &Series, kind: &MaskKind, depth: usize) -> PolarsResult<Series> {
        if *kind == MaskKind::Null {
            return Ok(Series::full_null(s.name().clone(), s.len(), s.dtype()));
        }
        match s.dtype() {
            DataType::String => Ok(self.mask_strings(s.str()?, kind).into_series()),
            DataType::Boolean | DataType::Null => Ok(s.clone()),
            DataType::List(_) if depth < 16 => {
                let inner_kind = match kind {
                    MaskKind::List | MaskKind::Dict => MaskKind::Str,
                    k => k.clone(),
                };
                let out = s
                    .list()?
                    .apply_to_inner(&|inner| self.mask_series(&inner, &inner_kind, depth + 1))?;
                Ok(out.into_series())
            }
            DataType::Struct(_) if depth < 16 => {
                let ca = s.struct_()?;
                let inner_kind = match kind {
                    MaskKind::List | MaskKind::Dict => MaskKind::Str,
                    k => k.clone(),
                };
                let fields = ca
                    .fields_as_series()
                    .iter()
                    .map(|f| self.mask_series(f, &inner_kind, depth + 1))
                    .collect::<PolarsResult<Vec<_>>>()?;
                let out = StructChunked::from_series(s.name().clone(), s.len(), fields.iter())?
                    .with_outer_validity(ca.rechunk_validity());
                Ok(out.into_series())
            }
            _ => {
                let text = s.cast(&DataType::String)?;
                Ok(self.mask_strings(text.str()?, kind).into_series())
            }
        }
    }

    /// Masks a text column, hashing each distinct value once (addresses,
    /// which are cheap to mask and mostly distinct, are masked row by row).
    fn mask_strings(&self, ca: &StringChunked, kind: &MaskKind) -> StringChunked {
        let mut builder = StringChunkedBuilder::new(ca.name().clone(), ca.len());
        if *kind == MaskKind::Ip {
            for value in ca.iter() {
                match value {
                    None => builder.append_null(),
                    Some(v) => builder.append_value(ip::mask_ip(&self.keyer, &self.ip_perm, v)),
                }
            }
            return builder.finish();
        }
        let mut cache: PlHashMap<&str, u32> = PlHashMap::default();
        let mut outputs: Vec<String> = Vec::new();
        let mut index: Vec<u32> = Vec::with_capacity(ca.len());
        for value in ca.iter() {
            match value {
                None => index.push(u32::MAX),
                Some(v) => {
                    let next = outputs.len() as u32;
                    let i = *cache.entry(v).or_insert_with(|| {
                        outputs.push(self.mask_value(kind, v));
                        next
                    });
                    index.push(i);
                }
            }
        }
        for i in index {
            match outputs.get(i as usize) {
                Some(v) => builder.append_value(v),
                None => builder.append_null(),
            }
        }
        builder.finish()
    }
}

/// One row of a masked frame next to the original: `column`, `original`,
/// `masked`, `changed` — MSTICPy's `check_masking` as a frame.
///
/// ```
/// use huntbook::prelude::*;
/// let df = df!("Account" => ["CONTOSO/alice"], "EventID" => [4624i64])?;
/// let masked = Masker::new().mask_df(&df)?;
/// let check = check_masking(&df, &masked, 0)?;
/// assert_eq!(check.column("changed")?.bool()?.get(0), Some(true));
/// assert_eq!(check.column("changed")?.bool()?.get(1), Some(false));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_masking(original: &DataFrame, masked: &DataFrame, row: usize) -> Result<DataFrame> {
    if row >= original.height() || row >= masked.height() {
        return Err(Error::invalid(
            format!("row {row}"),
            format!(
                "out of range: the frames have {} and {} rows",
                original.height(),
                masked.height()
            ),
        ));
    }
    let original = crate::data::fresh(original);
    let masked = crate::data::fresh(masked);
    let mut names = Vec::new();
    let mut before = Vec::new();
    let mut after = Vec::new();
    let mut changed = Vec::new();
    for column in original.columns() {
        let name = column.name().as_str();
        let a = column
            .get(row)
            .ctx("reading the original row")?
            .into_static();
        let b = match masked.column(name) {
            Ok(c) => c.get(row).ctx("reading the masked row")?.into_static(),
            Err(_) => AnyValue::Null,
        };
        let ta = crate::vis::table::cell_text(&a);
        let tb = crate::vis::table::cell_text(&b);
        changed.push(ta != tb);
        names.push(name.to_string());
        before.push(ta);
        after.push(tb);
    }
    DataFrame::new_infer_height(vec![
        Column::new("column".into(), names),
        Column::new("original".into(), before),
        Column::new("masked".into(), after),
        Column::new("changed".into(), changed),
    ])
    .ctx("building the masking check")
}

/// A masked frame with what was masked, for display in a notebook.
#[derive(Debug, Clone)]
pub struct MaskedFrame {
    df: DataFrame,
    masked: Vec<(String, MaskKind)>,
}

impl MaskedFrame {
    /// Masks `df` with `masker` and records which columns were masked.
    pub fn new(masker: &Masker, df: &DataFrame) -> Result<Self> {
        Ok(Self {
            df: masker.mask_df(df)?,
            masked: masker.masked_columns(df),
        })
    }
    /// The masked frame.
    pub fn df(&self) -> &DataFrame {
        &self.df
    }
    /// The masked frame, by value.
    pub fn into_df(self) -> DataFrame {
        self.df
    }
    /// The masked columns and their kinds.
    pub fn masked_columns(&self) -> &[(String, MaskKind)] {
        &self.masked
    }
    fn summary(&self) -> String {
        let cols: Vec<String> = self
            .masked
            .iter()
            .map(|(c, k)| format!("{c} ({k})"))
            .collect();
        format!(
            "{} rows; masked {} columns: {}",
            self.df.height(),
            cols.len(),
            if cols.is_empty() {
                "none".to_string()
            } else {
                cols.join(", ")
            }
        )
    }
}

impl NotebookDisplay for MaskedFrame {
    fn to_html(&self) -> String {
        let mut b = crate::vis::html::HtmlBuilder::new();
        b.open("div", &[("class", "huntbook-masked")]);
        b.element("p", &[], &self.summary());
        b.close("div");
        let mut html = b.finish();
        html.push_str(&self.df.to_html());
        html
    }
    fn to_text(&self) -> String {
        format!("{}\n{}", self.summary(), self.df)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_map_has_72_columns() {
        assert_eq!(
            parse_column_map(DEFAULT_MAP_JSON, "x").unwrap().len(),
            72,
            "bundled map must parse"
        );
    }

    #[test]
    fn nested_yaml_map_and_errors() {
        let map =
            parse_column_map("Sentinel:\n  Account: acct\n  Ip: ip\nOther: '@.'\n", "m").unwrap();
        assert_eq!(map["Account"], MaskKind::Acct);
        assert_eq!(map["Other"], MaskKind::Delimited("@.".into()));
        let err = parse_column_map("A: ''", "m").unwrap_err().to_string();
        assert!(
            err.starts_with("invalid m: column 'A': invalid mask kind ''"),
            "{err}"
        );
        let err = parse_column_map("[1, 2]", "m").unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid m: expected a mapping of column names to mask kinds"
        );
    }

    #[test]
    fn debug_hides_key() {
        let m = Masker::new().seed(1);
        let dbg = format!("{m:?}");
        assert!(dbg.contains("key: \"hidden\""), "{dbg}");
    }

    #[test]
    fn null_kind_empties_output_not_input() {
        let df = df!("TimeGenerated" => ["a", "b"]).unwrap();
        let m = Masker::new().column("TimeGenerated", MaskKind::Null);
        let out = m.mask_df(&df).unwrap();
        assert_eq!(out.column("TimeGenerated").unwrap().null_count(), 2);
        assert_eq!(df.column("TimeGenerated").unwrap().null_count(), 0);
    }

    #[test]
    fn json_dict_values_hashed_keys_kept() {
        let m = Masker::new().msticpy_compatible(true);
        let out = m.mask_value(&MaskKind::Dict, r#"{"os":"12345","ok":true,"n":[1]}"#);
        assert_eq!(out, r#"{"os":"59944","ok":true,"n":["6"]}"#);
    }
}
