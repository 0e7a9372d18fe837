//! Sessions as the model sees them: commands, optionally with parameter
//! names and values, interned to integer ids so training and scoring never
//! hash a string twice.

use crate::error::{Error, PolarsContext, Result};
use polars::prelude::*;
use std::collections::HashMap;
use std::fmt;

/// The token put before each session (MSTICPy's `start_token`).
pub const START_TOKEN: &str = "##START##";
/// The token put after each session (MSTICPy's `end_token`).
pub const END_TOKEN: &str = "##END##";
/// The token that stands for anything not seen in training (MSTICPy's `unk_token`).
pub const UNK_TOKEN: &str = "##UNK##";

pub(crate) const START: u32 = 0;
pub(crate) const END: u32 = 1;
pub(crate) const UNK: u32 = 2;
/// Param/value vocabularies keep the unknown token at id 0.
pub(crate) const UNK_PV: u32 = 0;
/// "No id": an unseen name when scoring, or a value MSTICPy does not count
/// (null, empty text, `false`, `0`).
pub(crate) const NONE: u32 = u32::MAX;

type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// What the model looks at in each event (MSTICPy's `SessionType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SessionKind {
    /// Command names only (`cmds_only`).
    #[default]
    Cmds,
    /// Commands with the names of their parameters (`cmds_params_only`).
    CmdsParams,
    /// Commands with parameter names and values (`cmds_params_values`).
    CmdsParamsValues,
}

impl SessionKind {
    /// MSTICPy's name for the kind (`cmds_only`, `cmds_params_only`, `cmds_params_values`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Cmds => "cmds_only",
            Self::CmdsParams => "cmds_params_only",
            Self::CmdsParamsValues => "cmds_params_values",
        }
    }

    /// Parses `cmds`, `cmds_params`, `cmds_params_values` (MSTICPy's names work too).
    pub fn parse(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "cmds" | "cmds_only" => Ok(Self::Cmds),
            "cmds_params" | "cmds_params_only" | "params" => Ok(Self::CmdsParams),
            "cmds_params_values" | "values" => Ok(Self::CmdsParamsValues),
            _ => Err(Error::invalid(
                format!("session kind '{text}'"),
                "expected cmds, cmds_params or cmds_params_values",
            )),
        }
    }

    pub(crate) fn has_params(&self) -> bool {
        !matches!(self, Self::Cmds)
    }
}

impl fmt::Display for SessionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One command of a session, with its parameters (MSTICPy's `Cmd`).
///
/// `params` holds `(name, value)` pairs in the event's order. For
/// [`SessionKind::CmdsParams`] the values are `None`; for
/// [`SessionKind::CmdsParamsValues`] a value is `None` when MSTICPy would not
/// count it (null, empty text, `false`, `0`).
///
/// ```
/// use huntbook::analysis::anomalous_sequence::Cmd;
/// let c = Cmd::with_values("Set-Mailbox", [("Identity", "bob"), ("ForwardingSmtpAddress", "x@evil.test")]);
/// assert_eq!(c.to_string(), "Set-Mailbox(Identity=bob, ForwardingSmtpAddress=x@evil.test)");
/// assert_eq!(Cmd::with_params("Get-User", ["Identity"]).to_string(), "Get-User(Identity)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cmd {
    /// The command name (e.g. `Set-Mailbox`).
    pub name: String,
    /// Parameter names and values.
    pub params: Vec<(String, Option<String>)>,
    /// Whether the values are part of the command (drives `Display`).
    pub with_values: bool,
}

impl Cmd {
    /// A command without parameters.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// A command with parameter names.
    pub fn with_params<I, S>(name: impl Into<String>, params: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            name: name.into(),
            params: params.into_iter().map(|p| (p.into(), None)).collect(),
            with_values: false,
        }
    }

    /// A command with parameter names and values.
    pub fn with_values<I, K, V>(name: impl Into<String>, params: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self {
            name: name.into(),
            params: params
                .into_iter()
                .map(|(k, v)| {
                    let v: String = v.into();
                    (k.into(), (!v.is_empty()).then_some(v))
                })
                .collect(),
            with_values: true,
        }
    }
}

impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if self.params.is_empty() && !self.with_values {
            return Ok(());
        }
        f.write_str("(")?;
        for (i, (k, v)) in self.params.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(k)?;
            if self.with_values {
                write!(f, "={}", v.as_deref().unwrap_or(""))?;
            }
        }
        f.write_str(")")
    }
}

/// Names interned to dense ids, in first-seen order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Interner {
    map: FastMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    pub(crate) fn with_tokens(tokens: &[&str]) -> Self {
        let mut i = Self::default();
        for t in tokens {
            i.intern(t);
        }
        i
    }

    pub(crate) fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.map.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.map.insert(name.to_string(), id);
        self.names.push(name.to_string());
        id
    }

    pub(crate) fn get(&self, name: &str) -> Option<u32> {
        self.map.get(name).copied()
    }

    pub(crate) fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", String::as_str)
    }

    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    pub(crate) fn names(&self) -> &[String] {
        &self.names
    }
}

/// A set of sessions, encoded for the model.
///
/// Build it from a sessions frame ([`Sessions::from_frame`], e.g. the output
/// of [`crate::analysis::anomalous_sequence::Sessionizer::sessionize`]) or
/// from Rust values ([`Sessions::from_cmds`], [`Sessions::from_cmd_lists`]).
/// A null or empty session is kept (so rows stay aligned with the frame) but
/// the model neither trains on it nor scores it.
///
/// ```
/// use huntbook::analysis::anomalous_sequence::{Sessions, SessionKind};
/// let s = Sessions::from_cmds([vec!["Get-User", "Set-User"], vec![]]);
/// assert_eq!((s.len(), s.kind(), s.session_len(0), s.session_len(1)), (2, SessionKind::Cmds, 2, 0));
/// assert_eq!(s.session(0)[1].name, "Set-User");
/// ```
#[derive(Debug, Clone)]
pub struct Sessions {
    pub(crate) kind: SessionKind,
    /// Session `i` is events `starts[i]..starts[i + 1]`.
    pub(crate) starts: Vec<usize>,
    pub(crate) cmds: Vec<u32>,
    /// Event `e`'s params are `pstarts[e]..pstarts[e + 1]` (empty for `Cmds`).
    pub(crate) pstarts: Vec<usize>,
    pub(crate) params: Vec<u32>,
    pub(crate) values: Vec<u32>,
    pub(crate) cmd_names: Interner,
    pub(crate) param_names: Interner,
    pub(crate) value_names: Interner,
}

impl Sessions {
    fn empty(kind: SessionKind) -> Self {
        Self {
            kind,
            starts: vec![0],
            cmds: Vec::new(),
            pstarts: vec![0],
            params: Vec::new(),
            values: Vec::new(),
            cmd_names: Interner::with_tokens(&[START_TOKEN, END_TOKEN, UNK_TOKEN]),
            param_names: Interner::with_tokens(&[UNK_TOKEN]),
            value_names: Interner::with_tokens(&[UNK_TOKEN]),
        }
    }

    /// Sessions of command names only.
    pub fn from_cmds<I, S, C>(sessions: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: IntoIterator<Item = C>,
        C: AsRef<str>,
    {
        let mut out = Self::empty(SessionKind::Cmds);
        for s in sessions {
            for c in s {
                let id = out.cmd_names.intern(c.as_ref());
                out.cmds.push(id);
                out.pstarts.push(0);
            }
            out.starts.push(out.cmds.len());
        }
        out
    }

    /// Sessions of [`Cmd`]s, modelled as `kind` (values are dropped for
    /// [`SessionKind::CmdsParams`], params for [`SessionKind::Cmds`]).
    pub fn from_cmd_lists<I, S>(sessions: I, kind: SessionKind) -> Self
    where
        I: IntoIterator<Item = S>,
        S: IntoIterator<Item = Cmd>,
    {
        let mut out = Self::empty(kind);
        for s in sessions {
            for c in s {
                let buf: Vec<(&str, Option<&str>)> = c
                    .params
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_deref().filter(|v| !v.is_empty())))
                    .collect();
                out.push_event(&c.name, &buf);
            }
            out.starts.push(out.cmds.len());
        }
        out
    }

    /// Appends one event (params deduplicated by name: the last value wins
    /// at the first position, as a Python dict does).
    fn push_event(&mut self, name: &str, params: &[(&str, Option<&str>)]) {
        let id = self.cmd_names.intern(name);
        self.cmds.push(id);
        if self.kind.has_params() {
            self.push_params(params);
        } else {
            self.pstarts.push(self.params.len());
        }
    }

    /// How the sessions are modelled.
    pub fn kind(&self) -> SessionKind {
        self.kind
    }

    /// The number of sessions (null and empty ones included).
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// True when there are no sessions.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of events in all sessions.
    pub fn events(&self) -> usize {
        self.cmds.len()
    }

    /// The number of commands in session `i` (0 when out of range).
    pub fn session_len(&self, i: usize) -> usize {
        self.range(i).len()
    }

    pub(crate) fn range(&self, i: usize) -> std::ops::Range<usize> {
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&a), Some(&b)) => a..b,
            _ => 0..0,
        }
    }

    pub(crate) fn event_params(&self, e: usize) -> std::ops::Range<usize> {
        match (self.pstarts.get(e), self.pstarts.get(e + 1)) {
            (Some(&a), Some(&b)) => a..b,
            _ => 0..0,
        }
    }

    /// Event `e` decoded.
    pub(crate) fn cmd_at(&self, e: usize) -> Cmd {
        let name = self
            .cmds
            .get(e)
            .map_or("", |&c| self.cmd_names.name(c))
            .to_string();
        let params = self
            .event_params(e)
            .map(|j| {
                let v = self.values.get(j).copied().unwrap_or(NONE);
                (
                    self.param_names
                        .name(self.params.get(j).copied().unwrap_or(NONE))
                        .to_string(),
                    (v != NONE).then(|| self.value_names.name(v).to_string()),
                )
            })
            .collect();
        Cmd {
            name,
            params,
            with_values: self.kind == SessionKind::CmdsParamsValues,
        }
    }

    /// Session `i` decoded into [`Cmd`]s (empty when out of range).
    pub fn session(&self, i: usize) -> Vec<Cmd> {
        self.range(i).map(|e| self.cmd_at(e)).collect()
    }

    /// Events `from..to` of session `i`, decoded.
    pub fn slice(&self, i: usize, from: usize, to: usize) -> Vec<Cmd> {
        let r = self.range(i);
        let a = (r.start + from).min(r.end);
        let b = (r.start + to).min(r.end).max(a);
        (a..b).map(|e| self.cmd_at(e)).collect()
    }

    /// Sessions from a frame: `session_column` holds each session's command
    /// names (a list of text, e.g. `Operation_list`); for the parameter kinds,
    /// `params_column` holds each session's parameters, one item per command.
    ///
    /// A parameter item may be a struct (a JSON object read by polars: each
    /// non-null field is a parameter), JSON text (an object
    /// `{"Identity": "bob"}`, Exchange's `[{"Name": .., "Value": ..}]`
    /// list, or a list of names), a list of names, or a list of
    /// `{Name, Value}` structs. Non-text values become their JSON text
    /// (`100`, `true`); null, `""`, `false` and `0` are "no value", as in
    /// MSTICPy.
    pub fn from_frame(
        df: &DataFrame,
        session_column: &str,
        params_column: Option<&str>,
        kind: SessionKind,
    ) -> Result<Self> {
        let df = crate::data::fresh(df);
        let cmds = list_column(&df, session_column)?;
        let (cmd_lens, cmd_flat) = explode_list(&cmds, session_column)?;
        let cmd_flat = cmd_flat.cast(&DataType::String).map_err(|_| {
            Error::invalid(
                format!("session column '{session_column}'"),
                format!(
                    "has dtype {}; expected a list of command names (text)",
                    cmds.dtype()
                ),
            )
        })?;
        let names = cmd_flat.str().ctx("reading command names")?;
        if names.null_count() > 0 {
            let (row, pos) = first_null(&cmd_lens, names);
            return Err(Error::invalid(
                format!("session column '{session_column}'"),
                format!(
                    "session {row} has a null command at position {pos}; fill or drop null commands first"
                ),
            ));
        }
        let mut out = Self::empty(kind);
        let params = match (kind.has_params(), params_column) {
            (false, _) => None,
            (true, None) => {
                return Err(Error::invalid(
                    "option 'params_column'",
                    format!("the {kind} model needs a column with each command's parameters"),
                ));
            }
            (true, Some(p)) => Some(EventParams::read(&df, p, kind, &cmd_lens)?),
        };
        // Commands first, then each event's parameters.
        let mut e = 0usize;
        let mut names_iter = names.iter();
        for len in &cmd_lens {
            for _ in 0..len.unwrap_or(0) {
                let name = names_iter.next().flatten().unwrap_or("");
                let id = out.cmd_names.intern(name);
                out.cmds.push(id);
                e += 1;
            }
            out.starts.push(out.cmds.len());
        }
        match params {
            None => out.pstarts = vec![0; e + 1],
            Some(EventParams::Struct { fields }) => out.struct_params(&fields, e),
            Some(p) => {
                let mut owned: Vec<(String, Option<String>)> = Vec::new();
                for ev in 0..e {
                    p.event(ev, &mut owned)?;
                    let buf: Vec<(&str, Option<&str>)> = owned
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_deref()))
                        .collect();
                    out.push_params(&buf);
                }
            }
        }
        Ok(out)
    }

    /// Parameters from struct fields, column by column: each non-null
    /// field of an event is a parameter (fields are distinct, so no
    /// duplicates).
    fn struct_params(&mut self, fields: &[StructField], events: usize) {
        let with_values = self.kind == SessionKind::CmdsParamsValues;
        let mut counts = vec![0usize; events];
        for f in fields {
            for &e in &f.rows {
                if let Some(c) = counts.get_mut(e as usize) {
                    *c += 1;
                }
            }
        }
        self.pstarts = Vec::with_capacity(events + 1);
        self.pstarts.push(0);
        let mut total = 0usize;
        for c in &counts {
            total += c;
            self.pstarts.push(total);
        }
        self.params = vec![NONE; total];
        self.values = vec![NONE; total];
        let mut cursor: Vec<usize> = self.pstarts[..events].to_vec();
        for f in fields {
            let pid = self.param_names.intern(&f.name);
            for &e in &f.rows {
                let e = e as usize;
                let Some(at) = cursor.get_mut(e) else {
                    continue;
                };
                let slot = *at;
                *at += 1;
                self.params[slot] = pid;
                if with_values
                    && let Some(t) = f.texts.get(e)
                    && !t.is_empty()
                {
                    self.values[slot] = self.value_names.intern(t);
                }
            }
        }
    }

    /// Appends one event's parameters (deduplicated by name: the last value
    /// wins at the first position, as a Python dict does).
    fn push_params(&mut self, params: &[(&str, Option<&str>)]) {
        let first = self.params.len();
        for (p, v) in params {
            let pid = self.param_names.intern(p);
            let vid = match (self.kind, v) {
                (SessionKind::CmdsParamsValues, Some(v)) if !v.is_empty() => {
                    self.value_names.intern(v)
                }
                _ => NONE,
            };
            if let Some(pos) = self.params[first..].iter().position(|&q| q == pid) {
                self.values[first + pos] = vid;
            } else {
                self.params.push(pid);
                self.values.push(vid);
            }
        }
        self.pstarts.push(self.params.len());
    }
}

fn first_null(lens: &[Option<usize>], names: &StringChunked) -> (usize, usize) {
    let mut e = 0;
    for (row, len) in lens.iter().enumerate() {
        for pos in 0..len.unwrap_or(0) {
            if names.get(e).is_none() {
                return (row, pos);
            }
            e += 1;
        }
    }
    (0, 0)
}

fn list_column(df: &DataFrame, name: &str) -> Result<ListChunked> {
    let col = df.column(name).map_err(|_| {
        Error::column_not_found(
            name,
            "the sessions frame",
            df.get_column_names().iter().map(|c| c.as_str()),
        )
    })?;
    col.list().cloned().map_err(|_| {
        Error::invalid(
            format!("session column '{name}'"),
            format!(
                "has dtype {}; expected a list per session (sessionize the events first)",
                col.dtype()
            ),
        )
    })
}

/// Each row's list length (`None` for a null list) and the flat values,
/// without copying them when the lists are laid out back to back (the
/// usual case); otherwise the items are gathered.
fn explode_list(ca: &ListChunked, name: &str) -> Result<(Vec<Option<usize>>, Series)> {
    let ctx = || format!("reading column '{name}'");
    let ca = ca.rechunk();
    let offsets = ca.offsets().ctx(ctx())?;
    let offs = offsets.as_slice();
    let inner = ca.get_inner();
    let nulls = ca.is_null();
    let mut lens = Vec::with_capacity(ca.len());
    let mut contiguous = true;
    let mut expect = 0i64;
    for (i, null) in nulls.iter().enumerate() {
        let (Some(&a), Some(&b)) = (offs.get(i), offs.get(i + 1)) else {
            return Err(Error::invalid(
                format!("column '{name}'"),
                "has malformed list offsets",
            ));
        };
        if null == Some(true) {
            lens.push(None);
            contiguous &= a == b;
            continue;
        }
        contiguous &= a == expect;
        expect = b;
        lens.push(Some((b - a).max(0) as usize));
    }
    contiguous &= expect == inner.len() as i64;
    if contiguous {
        return Ok((lens, inner));
    }
    let mut idx: Vec<IdxSize> = Vec::new();
    for (i, len) in lens.iter().enumerate() {
        if let (Some(len), Some(&a)) = (len, offs.get(i)) {
            idx.extend((0..*len).map(|k| (a as usize + k) as IdxSize));
        }
    }
    let flat = inner.take(&IdxCa::from_vec("idx".into(), idx)).ctx(ctx())?;
    Ok((lens, flat))
}

/// The parameters of every event, read column-wise.
enum EventParams {
    /// Struct items, one entry per field.
    Struct { fields: Vec<StructField> },
    /// JSON text items.
    Json {
        texts: StringChunked,
        column: String,
    },
    /// List items (names, or {Name, Value} structs).
    Lists {
        items: Vec<Vec<(String, Option<String>)>>,
    },
}

impl EventParams {
    fn read(
        df: &DataFrame,
        name: &str,
        kind: SessionKind,
        cmd_lens: &[Option<usize>],
    ) -> Result<Self> {
        let ca = list_column(df, name)?;
        let (lens, flat) = explode_list(&ca, name)?;
        for (row, (a, b)) in cmd_lens.iter().zip(&lens).enumerate() {
            if a.unwrap_or(0) != b.unwrap_or(0) {
                return Err(Error::invalid(
                    format!("params column '{name}'"),
                    format!(
                        "session {row} has {} commands but {} parameter items",
                        a.unwrap_or(0),
                        b.unwrap_or(0)
                    ),
                ));
            }
        }
        let with_values = kind == SessionKind::CmdsParamsValues;
        match flat.dtype() {
            DataType::Struct(_) => {
                let sc = flat
                    .struct_()
                    .ctx(format!("reading params column '{name}'"))?;
                let item_null: Vec<bool> = flat.is_null().iter().map(|v| v == Some(true)).collect();
                let mut fields = Vec::new();
                for f in sc.fields_as_series() {
                    fields.push(StructField::read(&f, with_values, &item_null)?);
                }
                Ok(Self::Struct { fields })
            }
            DataType::String => Ok(Self::Json {
                texts: flat.str().ctx("reading params")?.clone(),
                column: name.to_string(),
            }),
            DataType::List(_) => {
                let inner = flat.list().ctx("reading params")?;
                let mut items = Vec::with_capacity(inner.len());
                for (i, s) in inner.amortized_iter().enumerate() {
                    let mut item = Vec::new();
                    if let Some(s) = s {
                        list_item(s.as_ref(), with_values, &mut item).map_err(|m| {
                            Error::invalid(format!("params column '{name}' item {i}"), m)
                        })?;
                    }
                    items.push(item);
                }
                Ok(Self::Lists { items })
            }
            other => Err(Error::invalid(
                format!("params column '{name}'"),
                format!(
                    "items have dtype {other}; expected structs, JSON text or lists of parameter names"
                ),
            )),
        }
    }

    /// Event `e`'s `(param, value)` pairs.
    fn event(&self, e: usize, out: &mut Vec<(String, Option<String>)>) -> Result<()> {
        out.clear();
        match self {
            Self::Struct { fields } => {
                for f in fields {
                    if f.rows.binary_search(&(e as u32)).is_ok() {
                        let v = f.texts.get(e).filter(|v| !v.is_empty());
                        out.push((f.name.clone(), v.map(str::to_string)));
                    }
                }
                Ok(())
            }
            Self::Json { texts, column } => {
                if let Some(text) = texts.get(e) {
                    parse_json_params(text, out).map_err(|m| {
                        Error::invalid(format!("params column '{column}' event {e}"), m)
                    })?;
                }
                Ok(())
            }
            Self::Lists { items } => {
                if let Some(item) = items.get(e) {
                    out.extend(item.iter().cloned());
                }
                Ok(())
            }
        }
    }
}

/// One struct field of the params items: a parameter is present where the
/// field (and the item) is not null; its text is `""` when MSTICPy would not
/// count the value.
struct StructField {
    name: String,
    /// The events (indices into the flat items) where the parameter is present.
    rows: Vec<u32>,
    texts: StringChunked,
}

impl StructField {
    fn read(s: &Series, with_values: bool, item_null: &[bool]) -> Result<Self> {
        let texts = match s.dtype() {
            DataType::String => s
                .str()
                .ctx(format!("reading parameter '{}'", s.name()))?
                .rechunk()
                .into_owned(),
            _ => {
                let vals = value_texts(s, with_values)?;
                StringChunked::from_iter_options(s.name().clone(), vals.into_iter())
            }
        };
        // Walk the validity bitmap only: most fields are null in most events.
        let mut rows = Vec::new();
        let mut base = 0usize;
        let mask = texts.is_not_null();
        for arr in mask.downcast_iter() {
            let bits = arr.values();
            rows.extend(
                bits.iter()
                    .enumerate()
                    .filter(|&(_, v)| v)
                    .map(|(i, _)| (base + i) as u32),
            );
            base += bits.len();
        }
        rows.retain(|&e| !item_null.get(e as usize).copied().unwrap_or(false));
        Ok(Self {
            name: s.name().to_string(),
            rows,
            texts,
        })
    }
}

/// A struct field's values as text: `Some("")` marks a parameter that is
/// present with a value MSTICPy does not count; `None` marks it absent.
fn value_texts(s: &Series, with_values: bool) -> Result<Vec<Option<String>>> {
    let ctx = || format!("reading parameter '{}'", s.name());
    let present = |_: ()| Some(String::new());
    Ok(match s.dtype() {
        DataType::String => s
            .str()
            .ctx(ctx())?
            .iter()
            .map(|v| {
                v.map(|v| {
                    if with_values {
                        v.to_string()
                    } else {
                        String::new()
                    }
                })
            })
            .collect(),
        DataType::Boolean => s
            .bool()
            .ctx(ctx())?
            .iter()
            .map(|v| {
                v.map(|b| {
                    if with_values && b {
                        "true".to_string()
                    } else {
                        String::new()
                    }
                })
            })
            .collect(),
        DataType::Null => vec![None; s.len()],
        dt if dt.is_primitive_numeric() => {
            let f = s.cast(&DataType::Float64).ctx(ctx())?;
            let t = s.cast(&DataType::String).ctx(ctx())?;
            f.f64()
                .ctx(ctx())?
                .iter()
                .zip(t.str().ctx(ctx())?.iter())
                .map(|(f, t)| match (f, t) {
                    (Some(f), Some(t)) if with_values && f != 0.0 => Some(t.to_string()),
                    (Some(_), _) => present(()),
                    _ => None,
                })
                .collect()
        }
        _ => (0..s.len())
            .map(|i| match s.get(i) {
                Ok(AnyValue::Null) | Err(_) => None,
                Ok(v) if with_values => Some(v.to_string()),
                Ok(_) => present(()),
            })
            .collect(),
    })
}

/// One list item: a list of names, or of `{Name, Value}` structs.
fn list_item(
    s: &Series,
    with_values: bool,
    out: &mut Vec<(String, Option<String>)>,
) -> std::result::Result<(), String> {
    match s.dtype() {
        DataType::String => {
            for v in s.str().map_err(|e| e.to_string())?.iter().flatten() {
                out.push((v.to_string(), None));
            }
            Ok(())
        }
        DataType::Struct(fields) => {
            let find = |want: &str| {
                fields
                    .iter()
                    .find(|f| f.name().eq_ignore_ascii_case(want))
                    .map(|f| f.name().clone())
            };
            let Some(name_field) = find("name") else {
                return Err("list items are structs without a 'Name' field".into());
            };
            let sc = s.struct_().map_err(|e| e.to_string())?;
            let names = sc.field_by_name(&name_field).map_err(|e| e.to_string())?;
            let names = names.cast(&DataType::String).map_err(|e| e.to_string())?;
            let values = match find("value") {
                Some(v) if with_values => Some(
                    value_texts(&sc.field_by_name(&v).map_err(|e| e.to_string())?, true)
                        .map_err(|e| e.to_string())?,
                ),
                _ => None,
            };
            for (i, n) in names.str().map_err(|e| e.to_string())?.iter().enumerate() {
                if let Some(n) = n {
                    let v = values
                        .as_ref()
                        .and_then(|v| v.get(i).cloned().flatten())
                        .filter(|v| !v.is_empty());
                    out.push((n.to_string(), v));
                }
            }
            Ok(())
        }
        DataType::Null => Ok(()),
        other => Err(format!(
            "list items have dtype {other}; expected parameter names or {{Name, Value}} structs"
        )),
    }
}

/// MSTICPy's truthiness of a JSON value, as text (`None` = not counted).
fn json_value_text(v: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match v {
        Value::Null | Value::Bool(false) => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.as_f64() == Some(0.0) => None,
        Value::Array(a) if a.is_empty() => None,
        Value::Object(o) if o.is_empty() => None,
        other => Some(other.to_string()),
    }
}

/// Parameters from JSON text: an object, a list of `{Name, Value}`, or a
/// list of names. Empty text is no parameters.
pub(crate) fn parse_json_params(
    text: &str,
    out: &mut Vec<(String, Option<String>)>,
) -> std::result::Result<(), String> {
    use serde_json::Value;
    if text.trim().is_empty() {
        return Ok(());
    }
    let v: Value = serde_json::from_str(text).map_err(|e| {
        let short: String = text.chars().take(60).collect();
        format!("is not JSON ({e}): '{short}'")
    })?;
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                out.push((k, json_value_text(&v)));
            }
            Ok(())
        }
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::String(s) => out.push((s, None)),
                    Value::Object(o) => {
                        let get = |want: &str| {
                            o.iter()
                                .find(|(k, _)| k.eq_ignore_ascii_case(want))
                                .map(|(_, v)| v)
                        };
                        let Some(Value::String(name)) = get("name") else {
                            return Err("a list item has no text 'Name'".into());
                        };
                        out.push((name.clone(), get("value").and_then(json_value_text)));
                    }
                    other => {
                        return Err(format!(
                            "list items must be names or {{Name, Value}} objects, got {other}"
                        ));
                    }
                }
            }
            Ok(())
        }
        Value::Null => Ok(()),
        other => Err(format!(
            "expected an object or a list of parameters, got {other}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_params_in_three_shapes() {
        let mut out = Vec::new();
        parse_json_params(
            r#"{"Identity":"bob","ResultSize":100,"Force":false,"X":""}"#,
            &mut out,
        )
        .unwrap();
        assert_eq!(
            out,
            vec![
                ("Identity".into(), Some("bob".into())),
                ("ResultSize".into(), Some("100".into())),
                ("Force".into(), None),
                ("X".into(), None),
            ]
        );
        out.clear();
        parse_json_params(
            r#"[{"Name":"Identity","Value":"a"},{"Name":"Enabled","Value":"False"}]"#,
            &mut out,
        )
        .unwrap();
        assert_eq!(
            out,
            vec![
                ("Identity".into(), Some("a".into())),
                ("Enabled".into(), Some("False".into()))
            ]
        );
        out.clear();
        parse_json_params(r#"["Identity","Force"]"#, &mut out).unwrap();
        assert_eq!(out.len(), 2);
        out.clear();
        let err = parse_json_params("{not json", &mut out).unwrap_err();
        assert!(err.starts_with("is not JSON"), "{err}");
        assert!(parse_json_params("42", &mut out).is_err());
    }

    #[test]
    fn duplicate_params_keep_the_last_value_at_the_first_position() {
        let c = Cmd::with_values("X", [("a", "1"), ("b", "2"), ("a", "3")]);
        let s = Sessions::from_cmd_lists([vec![c]], SessionKind::CmdsParamsValues);
        let back = s.session(0);
        assert_eq!(
            back[0].params,
            vec![
                ("a".into(), Some("3".into())),
                ("b".into(), Some("2".into()))
            ]
        );
    }

    #[test]
    fn kinds_parse() {
        assert_eq!(SessionKind::parse("cmds").unwrap(), SessionKind::Cmds);
        assert_eq!(
            SessionKind::parse("cmds_params_only").unwrap(),
            SessionKind::CmdsParams
        );
        assert!(SessionKind::parse("nope").is_err());
    }
}
