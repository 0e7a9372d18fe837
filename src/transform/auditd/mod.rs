//! Linux audit logs (`auditd`): raw `audit.log` text and Log Analytics
//! `AuditdMessage` rows into one row per audit event.
//!
//! Records of one event share `msg=audit(TIME:SERIAL)`; they are grouped by
//! that whole stamp (and the host), not by the time alone, so two events in
//! the same millisecond stay two events. For each event:
//!
//! - `TimeGenerated` is the event's own time (UTC, from the stamp), `mssg_id`
//!   the stamp, `EventType` the record type, or `SYSCALL_EXECVE` for a
//!   process start (a `SYSCALL` with an `EXECVE` record), `Computer` the
//!   `node=` name, the Log Analytics `Computer`, or [`AuditdParser::computer`].
//! - Hex-encoded values (`proctitle`, `EXECVE` arguments, `PATH` names,
//!   `cwd`, `comm`, `exe`, `cmd`, `acct`, …) are decoded; `proctitle`'s NUL
//!   separators become spaces.
//! - `cmdline` is rebuilt from **every** `EXECVE` argument `a0…aN`
//!   (including arguments split into `aN[i]` chunks).
//! - Unsigned `-1` (`4294967295`, and `unset`) in `uid`, `auid`, `ses`, … is
//!   `-1`; id columns are integers.
//! - Fields follow per-type sets like MSTICPy's: `SYSCALL` (`syscall`,
//!   `success`, `exit`, `ppid`, `pid`, `auid`, `uid`, `gid`, `euid`, `suid`,
//!   `fsuid`, `egid`, `sgid`, `fsgid`, `tty`, `ses`, `comm`, `exe`, `key`),
//!   `EXECVE` (`argc`, `cmdline`), `CWD` (`cwd`), `PATH` (`paths`: every
//!   name, as a JSON array), `PROCTITLE` (`proctitle`), `LOGIN`, `USER_*` and
//!   `CRED_*` (`pid`, `uid`, `auid`, `ses`, `op`, `acct`, `id`, `exe`,
//!   `hostname`, `addr`, `terminal`, `res`, `grantors`, `cmd`, `cwd`); other
//!   record types keep every field ([`AuditdParser::all_fields`] keeps every
//!   field of every type). A name two records share gets `_TYPE` appended
//!   to the later one (`pid_LOGIN`), as in MSTICPy.
//! - Process events get `acct` from their login session: the account of
//!   the host's `USER_*`/`CRED_*`/`LOGIN` events with the same `ses`.
//!
//! Lines that are not audit records are counted and reported
//! ([`AuditdEvents::malformed`]), never fatal.
//!
//! Differences from MSTICPy's `auditdextract` (documented in
//! `tests/it/auditd.rs`): MSTICPy groups `audit.log` lines by the time part of
//! the stamp only (so `auditd_log.txt` gives 381 events, 78 of them process
//! starts, instead of 938 and 146), rebuilds `cmdline` from `a0`–`a2` only,
//! reads the `comm` field under the name `com` (never found), stops a record's
//! field set at its first missing field, and splits `msg='…'` on spaces
//! (`msg` = `'op=PAM:authentication`, `res` = `success'`); here the nested
//! message's fields are read as fields (`op`, `res` = `success`).
//!
//! ```
//! use huntbook::transform::auditd::parse_auditd;
//! let log = "type=SYSCALL msg=audit(1551487424.873:755): arch=c000003e syscall=59 success=yes \
//! exit=0 ppid=19197 pid=19198 auid=4294967295 uid=0 ses=4294967295 comm=\"iptables\" exe=\"/sbin/xtables-multi\"\n\
//! type=EXECVE msg=audit(1551487424.873:755): argc=4 a0=\"iptables\" a1=\"-w\" a2=\"-L\" a3=4F5554505554\n\
//! not an audit line\n";
//! let events = parse_auditd(log)?;
//! assert_eq!(events.df().height(), 1);
//! assert_eq!(events.malformed_count(), 1);
//! let procs = events.process_events()?;
//! let cmd = procs.column("cmdline")?.str()?.get(0);
//! assert_eq!(cmd, Some("iptables -w -L OUTPUT"));
//! assert_eq!(procs.column("auid")?.i64()?.get(0), Some(-1));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod record;

use crate::display::NotebookDisplay;
use crate::error::{Error, PolarsContext, Result};
use crate::transform::proctree::{ProcSchema, ProcessTree};
use crate::vis::html::HtmlBuilder;
use crate::vis::table::{TableOptions, table_html, table_text};
use polars::prelude::*;
use record::{Record, Value, decode_hex, parse_line, parse_literal, stamp_ns};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// `EventType` of a process start (`SYSCALL` + `EXECVE`), as in MSTICPy.
pub const PROCESS_EVENT_TYPE: &str = "SYSCALL_EXECVE";

/// Default longest line read (longer lines are reported as malformed).
pub const DEFAULT_MAX_LINE_BYTES: usize = 1 << 20;
/// Default most records kept in one event (more are reported as malformed).
pub const DEFAULT_MAX_RECORDS_PER_EVENT: usize = 1024;
/// Malformed lines kept with their text (all are counted).
const MAX_MALFORMED_KEPT: usize = 1000;
/// Characters of a malformed line kept for the report.
const MALFORMED_SNIPPET: usize = 200;

const SYSCALL_FIELDS: &[&str] = &[
    "syscall", "success", "exit", "ppid", "pid", "auid", "uid", "gid", "euid", "suid", "fsuid",
    "egid", "sgid", "fsgid", "tty", "ses", "comm", "exe", "key",
];
const LOGIN_FIELDS: &[&str] = &[
    "pid", "uid", "old-auid", "auid", "tty", "old-ses", "ses", "res",
];
const USER_FIELDS: &[&str] = &[
    "pid", "uid", "auid", "ses", "op", "acct", "id", "exe", "hostname", "addr", "terminal", "res",
    "grantors", "cmd", "cwd",
];
const USER_TYPES: &[&str] = &[
    "USER_AUTH",
    "USER_ACCT",
    "USER_MGMT",
    "USER_CHAUTHTOK",
    "USER_ERR",
    "USER_LOGIN",
    "USER_LOGOUT",
    "USER_START",
    "USER_END",
    "USER_CMD",
    "USER_ROLE_CHANGE",
    "CRED_ACQ",
    "CRED_DISP",
    "CRED_REFR",
];
/// Fields that hold ids where `4294967295`/`unset` means "not set" (-1).
const ID_FIELDS: &[&str] = &[
    "uid", "auid", "gid", "euid", "suid", "fsuid", "egid", "sgid", "fsgid", "ses", "old-ses",
    "old-auid", "ouid", "ogid", "id",
];
/// Fields written as integer columns when every value is an integer.
const INT_FIELDS: &[&str] = &[
    "pid", "ppid", "uid", "auid", "gid", "euid", "suid", "fsuid", "egid", "sgid", "fsgid", "ses",
    "old-ses", "old-auid", "ouid", "ogid", "argc", "syscall", "exit", "items",
];
/// Fields auditd hex-encodes when the value has spaces, quotes or control
/// characters (written without quotes then).
const ENCODED_FIELDS: &[&str] = &[
    "proctitle",
    "cmd",
    "comm",
    "exe",
    "cwd",
    "name",
    "acct",
    "data",
    "key",
    "path",
    "dir",
    "file",
    "watch",
    "ocomm",
    "old",
    "new",
    "cgroup",
];

/// A line (or Log Analytics row) that was not read, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedLine {
    /// 1-based line number (raw text) or 0-based row (Log Analytics frame).
    pub line: usize,
    /// What was wrong.
    pub reason: String,
    /// The start of the line (at most 200 characters).
    pub text: String,
}

/// How to read audit logs. Builder with defaults:
///
/// ```
/// use huntbook::transform::auditd::AuditdParser;
/// let parser = AuditdParser::new().computer("web01").all_fields(false).max_line_bytes(64 << 10);
/// let events = parser.parse_str("type=LOGIN msg=audit(1551485418.600:33): pid=16 uid=0 old-auid=4294967295 auid=0 tty=(none) old-ses=4294967295 ses=238 res=1")?;
/// assert_eq!(events.df().column("Computer")?.str()?.get(0), Some("web01"));
/// assert_eq!(events.df().column("old-ses")?.i64()?.get(0), Some(-1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct AuditdParser {
    computer: Option<String>,
    all_fields: bool,
    max_line_bytes: usize,
    max_records_per_event: usize,
}

impl Default for AuditdParser {
    fn default() -> Self {
        Self {
            computer: None,
            all_fields: false,
            max_line_bytes: DEFAULT_MAX_LINE_BYTES,
            max_records_per_event: DEFAULT_MAX_RECORDS_PER_EVENT,
        }
    }
}

/// Records of one event while reading.
struct Pending {
    stamp: String,
    computer: Option<String>,
    records: Vec<Record>,
    source_row: Option<usize>,
}

/// Groups records into events by (host, stamp), in order of first record.
#[derive(Default)]
struct Grouper {
    index: FastMap<(Option<String>, String), usize>,
    events: Vec<Pending>,
    records: usize,
    malformed: Vec<MalformedLine>,
    malformed_count: usize,
}

impl Grouper {
    fn bad(&mut self, line: usize, reason: impl Into<String>, text: &str) {
        self.malformed_count += 1;
        if self.malformed.len() < MAX_MALFORMED_KEPT {
            self.malformed.push(MalformedLine {
                line,
                reason: reason.into(),
                text: text.chars().take(MALFORMED_SNIPPET).collect(),
            });
        }
    }

    fn add(
        &mut self,
        computer: Option<String>,
        stamp: String,
        record: Record,
        line: usize,
        source_row: Option<usize>,
        max_records: usize,
    ) {
        let key = (computer, stamp);
        let at = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                let i = self.events.len();
                self.events.push(Pending {
                    stamp: key.1.clone(),
                    computer: key.0.clone(),
                    records: Vec::new(),
                    source_row,
                });
                self.index.insert(key, i);
                i
            }
        };
        let Some(ev) = self.events.get_mut(at) else {
            return;
        };
        if ev.records.len() >= max_records {
            let text = format!("type={} msg=audit({})", record.rtype, ev.stamp);
            self.bad(
                line,
                format!("more than {max_records} records in one event"),
                &text,
            );
            return;
        }
        ev.records.push(record);
        self.records += 1;
    }
}

impl AuditdParser {
    /// Default settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Host name for events whose lines have no `node=` (raw text) or whose
    /// frame has no `Computer` column.
    pub fn computer(mut self, name: impl Into<String>) -> Self {
        self.computer = Some(name.into());
        self
    }

    /// Keeps every field of every record type instead of the per-type sets.
    pub fn all_fields(mut self, on: bool) -> Self {
        self.all_fields = on;
        self
    }

    /// Longest line read (at least 64 bytes); longer lines are reported as
    /// malformed. Default 1 MiB.
    pub fn max_line_bytes(mut self, n: usize) -> Self {
        self.max_line_bytes = n.max(64);
        self
    }

    /// Most records kept in one event (at least 1); more are reported as
    /// malformed. Default 1024.
    pub fn max_records_per_event(mut self, n: usize) -> Self {
        self.max_records_per_event = n.max(1);
        self
    }

    /// Parses raw `audit.log` text.
    pub fn parse_str(&self, text: &str) -> Result<AuditdEvents> {
        let mut g = Grouper::default();
        let mut lines = 0;
        for (n, line) in text.lines().enumerate() {
            lines += 1;
            self.raw_line(&mut g, line, n + 1, None, None);
        }
        self.finish(g, lines, None)
    }

    /// Reads a raw `audit.log` file (invalid UTF-8 is replaced, line by line).
    pub fn parse_file(&self, path: impl AsRef<Path>) -> Result<AuditdEvents> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::io("reading", path, e))?;
        self.parse_str(&String::from_utf8_lossy(&bytes))
    }

    fn raw_line(
        &self,
        g: &mut Grouper,
        line: &str,
        n: usize,
        computer: Option<&str>,
        source_row: Option<usize>,
    ) {
        if line.trim().is_empty() {
            return;
        }
        if line.len() > self.max_line_bytes {
            g.bad(
                n,
                format!("line longer than {} bytes", self.max_line_bytes),
                line,
            );
            return;
        }
        match parse_line(line) {
            Ok(raw) => {
                let host = raw
                    .node
                    .or_else(|| computer.map(str::to_string))
                    .or_else(|| self.computer.clone());
                g.add(
                    host,
                    raw.stamp,
                    raw.record,
                    n,
                    source_row,
                    self.max_records_per_event,
                );
            }
            Err(reason) => g.bad(n, reason, line),
        }
    }

    /// Parses a Log Analytics `AuditdMessage` frame (MSTICPy's
    /// `extract_events_to_df` input): `column` holds the records as a
    /// Python-literal or JSON list of `{TYPE: ["k=v", …]}` (or raw
    /// `audit.log` lines), `mssg_id` holds `TIME:SERIAL`, `Computer` the
    /// host. The other input columns are kept (the input `TimeGenerated`,
    /// the ingestion time, is replaced by the event time). Rows that cannot
    /// be read are reported in [`AuditdEvents::malformed`] with their row
    /// number.
    pub fn parse_frame(&self, df: &DataFrame, column: &str) -> Result<AuditdEvents> {
        let df = crate::data::fresh(df);
        let names = || {
            df.get_column_names()
                .iter()
                .map(|c| c.as_str().to_string())
                .collect::<Vec<_>>()
        };
        let msgs = df
            .column(column)
            .map_err(|_| Error::column_not_found(column, "auditd frame", names()))?
            .cast(&DataType::String)
            .ctx(format!("reading column '{column}' as text"))?;
        let msgs = msgs.str().ctx("reading auditd messages")?.clone();
        let text_col = |name: &str| -> Result<Option<StringChunked>> {
            match df.column(name) {
                Ok(c) => {
                    let s = c
                        .cast(&DataType::String)
                        .ctx(format!("reading column '{name}'"))?;
                    Ok(Some(
                        s.str().ctx(format!("reading column '{name}'"))?.clone(),
                    ))
                }
                Err(_) => Ok(None),
            }
        };
        let ids = text_col("mssg_id")?;
        let hosts = text_col("Computer")?;
        let mut g = Grouper::default();
        for (row, msg) in msgs.iter().enumerate() {
            let host = hosts.as_ref().and_then(|h| h.get(row));
            let Some(msg) = msg.map(str::trim).filter(|m| !m.is_empty()) else {
                g.bad(row, format!("empty '{column}'"), "");
                continue;
            };
            if !msg.starts_with('[') && !msg.starts_with('{') {
                for line in msg.lines() {
                    self.raw_line(&mut g, line, row, host, Some(row));
                }
                continue;
            }
            let stamp = ids.as_ref().and_then(|i| i.get(row)).map(str::trim);
            let Some(stamp) = stamp.filter(|s| stamp_ns(s).is_ok()) else {
                g.bad(row, "no valid 'mssg_id' (TIME:SERIAL)", msg);
                continue;
            };
            match literal_records(msg) {
                Ok(recs) if recs.is_empty() => g.bad(row, "no records in the message", msg),
                Ok(recs) => {
                    let host = host.map(str::to_string).or_else(|| self.computer.clone());
                    for rec in recs {
                        g.add(
                            host.clone(),
                            stamp.to_string(),
                            rec,
                            row,
                            Some(row),
                            self.max_records_per_event,
                        );
                    }
                }
                Err(e) => g.bad(row, format!("cannot read the message: {e}"), msg),
            }
        }
        let height = df.height();
        self.finish(g, height, Some((&df, column)))
    }

    fn finish(
        &self,
        g: Grouper,
        lines: usize,
        meta: Option<(&DataFrame, &str)>,
    ) -> Result<AuditdEvents> {
        let mut cols = Columns::default();
        let n = g.events.len();
        let mut times = Vec::with_capacity(n);
        let mut types = Vec::with_capacity(n);
        let mut stamps = Vec::with_capacity(n);
        let mut hosts = Vec::with_capacity(n);
        let mut rows = Vec::with_capacity(n);
        // (host, ses) -> acct, for process events
        let mut session_acct: FastMap<(Option<&str>, Cow<'_, str>), Cow<'_, str>> =
            FastMap::default();
        let mut proc_rows: Vec<(u32, Option<&str>, Cow<'_, str>)> = Vec::new();
        for (i, ev) in g.events.iter().enumerate() {
            let row = i as u32;
            let (etype, fields) = assemble(&ev.records, self.all_fields);
            let ses = fields
                .iter()
                .find(|(k, _)| k == "ses")
                .map(|(_, v)| v.clone())
                .filter(|s| s != "-1");
            if let Some(ses) = ses {
                if etype == PROCESS_EVENT_TYPE {
                    proc_rows.push((row, ev.computer.as_deref(), ses));
                } else if let Some((_, acct)) = fields.iter().find(|(k, _)| k == "acct") {
                    session_acct
                        .entry((ev.computer.as_deref(), ses))
                        .or_insert_with(|| acct.clone());
                }
            }
            for (k, v) in fields {
                cols.push(&k, row, v);
            }
            times.push(stamp_ns(&ev.stamp).ok());
            types.push(etype);
            stamps.push(ev.stamp.as_str());
            hosts.push(ev.computer.as_deref());
            rows.push(ev.source_row.map(|r| r as IdxSize));
        }
        for (row, host, ses) in proc_rows {
            if let Some(acct) = session_acct.get(&(host, ses)) {
                cols.push("acct", row, acct.clone());
            }
        }
        let time: Int64Chunked = times.into_iter().collect();
        let mut columns: Vec<Column> = vec![
            time.with_name("TimeGenerated".into())
                .into_datetime(TimeUnit::Nanoseconds, Some(polars::prelude::TimeZone::UTC))
                .into_column(),
            Column::new("EventType".into(), types),
            Column::new("Computer".into(), hosts),
            Column::new("mssg_id".into(), stamps),
        ];
        for (name, cells) in cols.names.iter().zip(cols.cells.iter()) {
            columns.push(cols_column(name, cells, n));
        }
        let mut df = DataFrame::new(n, columns).ctx("building the auditd frame")?;
        if let Some((input, msg_col)) = meta {
            let skip = ["TimeGenerated", "mssg_id", "Computer", msg_col, ""];
            let keep: Vec<String> = input
                .get_column_names()
                .iter()
                .map(|c| c.as_str())
                .filter(|c| !skip.contains(c) && !c.starts_with("__UNNAMED__"))
                .map(str::to_string)
                .collect();
            if !keep.is_empty() {
                let idx: IdxCa = rows.into_iter().collect();
                let taken = input
                    .select(keep.iter().map(String::as_str))
                    .and_then(|d| d.take(&idx))
                    .ctx("carrying the input columns")?;
                for c in taken.columns() {
                    let mut c = c.clone();
                    if df.column(c.name().as_str()).is_ok() {
                        let name = format!("{}_input", c.name());
                        c.rename(name.into());
                    }
                    df.with_column(c).ctx("carrying the input columns")?;
                }
            }
        }
        Ok(AuditdEvents {
            df,
            malformed: g.malformed,
            malformed_count: g.malformed_count,
            lines,
            records: g.records,
        })
    }
}

/// Records of a Log Analytics message literal.
fn literal_records(msg: &str) -> std::result::Result<Vec<Record>, String> {
    use record::Literal;
    let lit = parse_literal(msg)?;
    let dicts = match lit {
        Literal::List(items) => items,
        d @ Literal::Dict(_) => vec![d],
        _ => return Err("not a list of {TYPE: [fields]}".to_string()),
    };
    let mut out = Vec::new();
    for d in dicts {
        let Literal::Dict(entries) = d else {
            return Err("list item is not a {TYPE: [fields]} dict".to_string());
        };
        for (rtype, body) in entries {
            let text = match body {
                Literal::List(tokens) => {
                    let mut t = String::new();
                    for tok in tokens {
                        if let Literal::Str(s) = tok {
                            if !t.is_empty() {
                                t.push(' ');
                            }
                            t.push_str(&s);
                        }
                    }
                    t
                }
                Literal::Str(s) => s,
                _ => return Err(format!("fields of '{rtype}' are not a list")),
            };
            out.push(Record::new(&rtype, &text));
        }
    }
    Ok(out)
}

/// Sparse columns: per column, the (row, value) cells in row order.
#[derive(Default)]
struct Columns<'a> {
    index: FastMap<String, usize>,
    names: Vec<String>,
    cells: Vec<Vec<(u32, Cow<'a, str>)>>,
}

impl<'a> Columns<'a> {
    fn push(&mut self, name: &str, row: u32, value: Cow<'a, str>) {
        let at = match self.index.get(name) {
            Some(&i) => i,
            None => {
                self.index.insert(name.to_string(), self.names.len());
                self.names.push(name.to_string());
                self.cells.push(Vec::new());
                self.names.len() - 1
            }
        };
        if let Some(c) = self.cells.get_mut(at) {
            c.push((row, value));
        }
    }
}

fn cols_column(name: &str, cells: &[(u32, Cow<'_, str>)], n: usize) -> Column {
    if INT_FIELDS.contains(&name) {
        let parsed: Option<Vec<(u32, i64)>> = cells
            .iter()
            .map(|(r, v)| v.parse::<i64>().ok().map(|x| (*r, x)))
            .collect();
        if let Some(parsed) = parsed {
            let mut dense: Vec<Option<i64>> = vec![None; n];
            for (r, v) in parsed {
                if let Some(slot) = dense.get_mut(r as usize) {
                    *slot = Some(v);
                }
            }
            return Column::new(name.into(), dense);
        }
    }
    let mut dense: Vec<Option<&str>> = vec![None; n];
    for (r, v) in cells {
        if let Some(slot) = dense.get_mut(*r as usize) {
            *slot = Some(v.as_ref());
        }
    }
    Column::new(name.into(), dense)
}

/// A small fast hasher (FNV-1a over 8-byte words) for the parser's
/// short-string keys; the maps are local to one call.
#[derive(Default, Clone, Copy)]
struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0 ^ 0xcbf2_9ce4_8422_2325;
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            h = (h ^ u64::from_le_bytes(b)).wrapping_mul(0x0000_0100_0000_01b3);
            h = h.rotate_left(29);
        }
        self.0 = h;
    }
    fn finish(&self) -> u64 {
        self.0.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }
}

type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FastHasher>>;

/// A field's text: hex decoded where auditd encodes it, ids normalised.
fn field_text<'a>(rtype: &str, name: &str, v: Value<'a>) -> Cow<'a, str> {
    let encoded =
        !v.quoted && (ENCODED_FIELDS.contains(&name) || (rtype == "EXECVE" && is_arg_name(name)));
    if encoded && let Some(d) = decode_hex(v.text) {
        return Cow::Owned(d);
    }
    if (v.text == "4294967295" || v.text == "unset") && ID_FIELDS.contains(&name) {
        return Cow::Borrowed("-1");
    }
    Cow::Borrowed(v.text)
}

fn is_arg_name(name: &str) -> bool {
    name.len() > 1 && name.starts_with('a') && name[1..].bytes().all(|b| b.is_ascii_digit())
}

/// Output fields of one event, with MSTICPy's `_TYPE` suffix on clashes.
#[derive(Default)]
struct Fields<'a>(Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'a> Fields<'a> {
    fn put(&mut self, rtype: &str, name: Cow<'a, str>, value: Cow<'a, str>) {
        if !self.0.iter().any(|(k, _)| *k == name) {
            self.0.push((name, value));
            return;
        }
        let alt = format!("{name}_{rtype}");
        if !self.0.iter().any(|(k, _)| *k == alt) {
            self.0.push((Cow::Owned(alt), value));
        }
    }

    fn set_of(&mut self, rec: &'a Record, names: &[&'static str]) {
        for name in names {
            if let Some(v) = rec.get(name) {
                let text = field_text(&rec.rtype, name, v);
                self.put(&rec.rtype, Cow::Borrowed(name), text);
            }
        }
    }

    fn all_of(&mut self, rec: &'a Record) {
        for (k, v) in rec.fields() {
            let text = field_text(&rec.rtype, k, v);
            self.put(&rec.rtype, Cow::Borrowed(k), text);
        }
    }
}

/// `argc` and every argument of the EXECVE records, in index order.
fn execve_args<'a>(recs: impl Iterator<Item = &'a Record>) -> (Option<&'a str>, Vec<Cow<'a, str>>) {
    let mut argc = None;
    let mut args: BTreeMap<usize, Cow<'a, str>> = BTreeMap::new();
    let mut parts: BTreeMap<usize, BTreeMap<usize, &'a str>> = BTreeMap::new();
    for rec in recs {
        for (k, v) in rec.fields() {
            if k == "argc" {
                argc.get_or_insert(v.text);
            } else if is_arg_name(k) {
                if let Ok(i) = k[1..].parse::<usize>() {
                    args.insert(i, field_text("EXECVE", k, v));
                }
            } else if let Some((idx, part)) = k
                .strip_prefix('a')
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|r| r.split_once('['))
                && let (Ok(i), Ok(p)) = (idx.parse::<usize>(), part.parse::<usize>())
            {
                parts.entry(i).or_default().insert(p, v.text);
            }
        }
    }
    for (i, chunks) in parts {
        let hex: String = chunks.into_values().collect();
        let text = decode_hex(&hex).unwrap_or(hex);
        args.insert(i, Cow::Owned(text));
    }
    (argc, args.into_values().collect())
}

/// One event's type and output fields.
/// An event's output fields: (name, value), borrowing from its records.
type EventFields<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

fn assemble(records: &[Record], all_fields: bool) -> (&str, EventFields<'_>) {
    let has = |t: &str| records.iter().any(|r| r.rtype == t);
    let mut f = Fields::default();
    let is_proc = has("SYSCALL") && has("EXECVE");
    let etype = if is_proc {
        PROCESS_EVENT_TYPE
    } else {
        records.first().map_or("", |r| r.rtype.as_str())
    };
    let mut paths: Vec<(i64, Cow<'_, str>)> = Vec::new();
    let mut execve_done = false;
    for rec in records {
        match rec.rtype.as_str() {
            "EXECVE" => {
                if !execve_done {
                    execve_done = true;
                    let (argc, args) = execve_args(records.iter().filter(|r| r.rtype == "EXECVE"));
                    if let Some(a) = argc {
                        f.put("EXECVE", Cow::Borrowed("argc"), Cow::Borrowed(a));
                    }
                    f.put(
                        "EXECVE",
                        Cow::Borrowed("cmdline"),
                        Cow::Owned(args.join(" ")),
                    );
                }
            }
            "PATH" => {
                let item = rec
                    .get("item")
                    .and_then(|v| v.text.parse::<i64>().ok())
                    .unwrap_or(paths.len() as i64);
                if let Some(v) = rec.get("name") {
                    paths.push((item, field_text("PATH", "name", v)));
                }
                if all_fields {
                    f.all_of(rec);
                }
            }
            _ if all_fields => f.all_of(rec),
            "SYSCALL" => f.set_of(rec, SYSCALL_FIELDS),
            "CWD" => f.set_of(rec, &["cwd"]),
            "PROCTITLE" => f.set_of(rec, &["proctitle"]),
            "LOGIN" => f.set_of(rec, LOGIN_FIELDS),
            t if USER_TYPES.contains(&t) => f.set_of(rec, USER_FIELDS),
            _ => f.all_of(rec),
        }
    }
    if !paths.is_empty() {
        paths.sort_by_key(|(i, _)| *i);
        let names: Vec<&str> = paths.iter().map(|(_, n)| n.as_ref()).collect();
        let json = serde_json::to_string(&names).unwrap_or_default();
        f.put("PATH", Cow::Borrowed("paths"), Cow::Owned(json));
    }
    (etype, f.0)
}

/// Audit events: one row per event, plus what could not be read.
#[derive(Debug, Clone)]
pub struct AuditdEvents {
    df: DataFrame,
    malformed: Vec<MalformedLine>,
    malformed_count: usize,
    lines: usize,
    records: usize,
}

impl AuditdEvents {
    /// Every event (`TimeGenerated`, `EventType`, `Computer`, `mssg_id`,
    /// then the fields in order of first appearance).
    pub fn df(&self) -> &DataFrame {
        &self.df
    }

    /// The frame, by value.
    pub fn into_df(self) -> DataFrame {
        self.df
    }

    /// Number of events.
    pub fn events(&self) -> usize {
        self.df.height()
    }

    /// Records read (lines that were audit records).
    pub fn records(&self) -> usize {
        self.records
    }

    /// Lines (raw text) or rows (frame) read.
    pub fn lines(&self) -> usize {
        self.lines
    }

    /// How many lines or rows could not be read.
    pub fn malformed_count(&self) -> usize {
        self.malformed_count
    }

    /// The first 1,000 lines that could not be read, with the reason.
    pub fn malformed(&self) -> &[MalformedLine] {
        &self.malformed
    }

    /// The malformed lines as a frame (`line`, `reason`, `text`).
    pub fn malformed_df(&self) -> Result<DataFrame> {
        let lines: Vec<u64> = self.malformed.iter().map(|m| m.line as u64).collect();
        let reasons: Vec<&str> = self.malformed.iter().map(|m| m.reason.as_str()).collect();
        let texts: Vec<&str> = self.malformed.iter().map(|m| m.text.as_str()).collect();
        DataFrame::new(
            lines.len(),
            vec![
                Column::new("line".into(), lines),
                Column::new("reason".into(), reasons),
                Column::new("text".into(), texts),
            ],
        )
        .ctx("building the malformed-lines frame")
    }

    /// Events of one type, without the columns that are empty for them.
    pub fn event_subset(&self, event_type: &str) -> Result<DataFrame> {
        // a frame kept from an earlier notebook cell: drop its cached schema
        let df = crate::data::fresh(&self.df);
        let mask = df
            .column("EventType")
            .and_then(|c| c.str().cloned())
            .map(|c| c.equal(event_type))
            .ctx("selecting events")?;
        let sub = df.filter(&mask).ctx("selecting events")?;
        let keep: Vec<Column> = sub
            .columns()
            .iter()
            .filter(|c| {
                matches!(
                    c.name().as_str(),
                    "TimeGenerated" | "EventType" | "Computer" | "mssg_id"
                ) || c.null_count() < c.len()
            })
            .cloned()
            .collect();
        DataFrame::new(sub.height(), keep).ctx("selecting events")
    }

    /// Process starts (`EventType == "SYSCALL_EXECVE"`), ready for
    /// [`ProcessTree::build`] (schema [`ProcSchema::linux_auditd`]).
    pub fn process_events(&self) -> Result<DataFrame> {
        self.event_subset(PROCESS_EVENT_TYPE)
    }

    /// The process tree of the process starts.
    pub fn process_tree(&self) -> Result<ProcessTree> {
        let procs = self.process_events()?;
        ProcessTree::build_with_schema(&procs, ProcSchema::linux_auditd())
    }

    /// Events per `EventType` (`EventType`, `count`), most frequent first
    /// (ties by name).
    pub fn event_counts(&self) -> Result<DataFrame> {
        let df = crate::data::fresh(&self.df);
        let types = df
            .column("EventType")
            .and_then(|c| c.str().cloned())
            .ctx("counting events")?;
        let mut counts: HashMap<&str, u64> = HashMap::new();
        for t in types.iter().flatten() {
            *counts.entry(t).or_default() += 1;
        }
        let mut v: Vec<(&str, u64)> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let names: Vec<&str> = v.iter().map(|x| x.0).collect();
        let n: Vec<u64> = v.iter().map(|x| x.1).collect();
        DataFrame::new(
            names.len(),
            vec![
                Column::new("EventType".into(), names),
                Column::new("count".into(), n),
            ],
        )
        .ctx("counting events")
    }

    fn headline(&self) -> String {
        format!(
            "{} audit events from {} records ({} lines); {} malformed line(s) skipped",
            self.events(),
            self.records,
            self.lines,
            self.malformed_count
        )
    }
}

impl NotebookDisplay for AuditdEvents {
    fn to_html(&self) -> String {
        let mut h = HtmlBuilder::new();
        h.element("p", &[], &self.headline());
        if let Ok(counts) = self.event_counts() {
            h.element("p", &[], "Events by type:");
            let mut html = h.finish();
            html.push_str(&table_html(&counts, &TableOptions::new().max_rows(40)));
            html.push_str(&table_html(&self.df, &TableOptions::new().max_rows(20)));
            if !self.malformed.is_empty()
                && let Ok(m) = self.malformed_df()
            {
                html.push_str(&table_html(
                    &m,
                    &TableOptions::new().max_rows(10).caption("Malformed lines"),
                ));
            }
            return html;
        }
        let mut html = h.finish();
        html.push_str(&table_html(&self.df, &TableOptions::new().max_rows(20)));
        html
    }

    fn to_text(&self) -> String {
        let mut out = self.headline();
        out.push('\n');
        if let Ok(c) = self.event_counts() {
            out.push_str(&table_text(&c));
            out.push('\n');
        }
        out
    }
}

/// Parses raw `audit.log` text with the default settings.
pub fn parse_auditd(text: &str) -> Result<AuditdEvents> {
    AuditdParser::new().parse_str(text)
}

/// Reads a raw `audit.log` file with the default settings.
pub fn read_auditd(path: impl AsRef<Path>) -> Result<AuditdEvents> {
    AuditdParser::new().parse_file(path)
}

/// Parses a Log Analytics `AuditdMessage` frame with the default settings
/// (see [`AuditdParser::parse_frame`]).
pub fn auditd_from_frame(df: &DataFrame, column: &str) -> Result<AuditdEvents> {
    AuditdParser::new().parse_frame(df, column)
}

/// The fuzz target's body: parses `data` as raw text and as a one-row Log
/// Analytics frame, and checks the result's invariants. Panics on a bug.
pub fn fuzz_one(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let parser = AuditdParser::new()
        .max_line_bytes(4096)
        .max_records_per_event(64);
    let events = match parser.parse_str(&text) {
        Ok(e) => e,
        Err(e) => panic!("auditd parse failed: {e}"),
    };
    let nonblank = text.lines().filter(|l| !l.trim().is_empty()).count();
    assert_eq!(events.records() + events.malformed_count(), nonblank);
    assert!(events.events() <= events.records());
    assert_eq!(events.df().height(), events.events());
    let _ = events.to_text();
    let _ = events.process_events();
    let lit = format!("[{{'SYSCALL': ['{}']}}]", text.replace('\'', "\\'"));
    let frame = df!(
        "mssg_id" => ["1.5:7"],
        "Computer" => ["h"],
        "AuditdMessage" => [lit.as_str()],
    );
    if let Ok(frame) = frame
        && let Err(e) = parser.parse_frame(&frame, "AuditdMessage")
    {
        panic!("auditd frame parse failed: {e}");
    }
}
