//! Linux syslog: parsing RFC 3164 and RFC 5424 lines, the host record,
//! logon sessions from `pam_unix`, sudo commands and risky sudo sessions.
//!
//! Parsing uses the `syslog_loose` crate (RFC 5424 first, then RFC 3164).
//! Columns follow the Log Analytics `Syslog` table, so a parsed file and a
//! Sentinel query result feed the same functions: `TimeGenerated`,
//! `Computer`, `HostName`, `Facility`, `SeverityLevel`, `ProcessName`,
//! `ProcessID`, `MsgId`, `StructuredData` (JSON), `SyslogMessage`,
//! `Protocol`.
//!
//! ```
//! use huntbook::transform::syslog::{SyslogParser, logon_sessions};
//! let log = "<86>Jul 10 15:13:25 web01 sudo[4242]: pam_unix(sudo:session): session opened for user root by bob(uid=0)\n\
//! <85>Jul 10 15:13:25 web01 sudo[4242]: bob : TTY=pts/0 ; PWD=/home/bob ; USER=root ; COMMAND=/bin/bash\n\
//! <86>Jul 10 15:20:00 web01 sudo[4242]: pam_unix(sudo:session): session closed for user root\n";
//! let events = SyslogParser::new().year(2019).parse_str(log)?;
//! assert_eq!(events.df().height(), 3);
//! let sessions = logon_sessions(events.df())?;
//! let user = sessions.df().column("User")?.str()?.get(0);
//! assert_eq!(user, Some("bob"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Differences from MSTICPy's `syslog_utils`: sessions are paired by
//! host, PAM service, target user and process id (when the log has it),
//! oldest open session first, instead of walking the opened and closed
//! lists side by side (which pairs a close with an unrelated open and drops
//! sessions); a session never closed is kept with an empty `End`; the host
//! record is a plain struct (and frame) rather than a `Host` entity.

use crate::display::NotebookDisplay;
use crate::error::{Error, PolarsContext, Result};
use crate::transform::cmdline::{datetime_column, parse_time, text_column, times_ns};
use crate::vis::html::HtmlBuilder;
use crate::vis::table::{TableOptions, table_html, table_text};
use chrono::{Datelike, Utc};
use polars::prelude::*;
use regex::Regex;
use std::collections::{HashMap, VecDeque};
use std::path::Path;
use syslog_loose::{Protocol, Variant};

/// Process names MSTICPy leaves out of a host's applications (standard
/// Linux services).
pub const STANDARD_PROCESSES: &[&str] = &[
    "CRON",
    "sudo",
    "snapd",
    "systemd-resolved",
    "systemd",
    "crontab",
    "systemd-timesyncd",
    "systemd-logind",
    "rsyslogd",
    "syslog-ng",
];

const MAX_MALFORMED_KEPT: usize = 1000;

/// A line that is not a syslog message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based line number.
    pub line: usize,
    /// What was wrong.
    pub reason: String,
    /// The start of the line (at most 200 characters).
    pub text: String,
}

/// How to read syslog text.
#[derive(Debug, Clone)]
pub struct SyslogParser {
    year: Option<i32>,
    computer: Option<String>,
    max_line_bytes: usize,
}

impl Default for SyslogParser {
    fn default() -> Self {
        Self {
            year: None,
            computer: None,
            max_line_bytes: 64 << 10,
        }
    }
}

impl SyslogParser {
    /// Defaults: RFC 3164 dates (no year) get the current year (UTC), times
    /// without an offset are UTC.
    pub fn new() -> Self {
        Self::default()
    }

    /// The year of RFC 3164 dates, which have none.
    pub fn year(mut self, year: i32) -> Self {
        self.year = Some(year);
        self
    }

    /// `Computer` for lines without a host name.
    pub fn computer(mut self, name: impl Into<String>) -> Self {
        self.computer = Some(name.into());
        self
    }

    /// Longest line read (at least 64 bytes, default 64 KiB).
    pub fn max_line_bytes(mut self, n: usize) -> Self {
        self.max_line_bytes = n.max(64);
        self
    }

    /// Reads a syslog file (invalid UTF-8 replaced).
    pub fn parse_file(&self, path: impl AsRef<Path>) -> Result<SyslogEvents> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::io("reading", path, e))?;
        self.parse_str(&String::from_utf8_lossy(&bytes))
    }

    /// Parses syslog lines. Lines that are neither RFC 5424 nor RFC 3164
    /// (no timestamp) are counted and reported, not fatal.
    pub fn parse_str(&self, text: &str) -> Result<SyslogEvents> {
        let year = self.year.unwrap_or_else(|| Utc::now().year());
        let mut b = Rows::default();
        let mut bad = Vec::new();
        let mut bad_count = 0;
        let mut lines = 0;
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            lines += 1;
            let mut reject = |reason: &str| {
                bad_count += 1;
                if bad.len() < MAX_MALFORMED_KEPT {
                    bad.push(BadLine {
                        line: n + 1,
                        reason: reason.to_string(),
                        text: line.chars().take(200).collect(),
                    });
                }
            };
            if line.len() > self.max_line_bytes {
                reject(&format!("line longer than {} bytes", self.max_line_bytes));
                continue;
            }
            let msg = match syslog_loose::parse_message_with_year_exact_tz(
                line,
                |_| year,
                Some(Utc),
                Variant::Either,
            ) {
                Ok(m) => m,
                Err(_) => {
                    reject("not an RFC 3164 or RFC 5424 message");
                    continue;
                }
            };
            let Some(ts) = msg.timestamp else {
                reject("no timestamp");
                continue;
            };
            b.time.push(ts.timestamp_nanos_opt());
            let host = msg.hostname.map(str::to_string);
            b.computer
                .push(host.clone().or_else(|| self.computer.clone()));
            b.host.push(host);
            b.facility
                .push(msg.facility.map(|f| f.as_str().to_string()));
            b.severity
                .push(msg.severity.map(|s| s.as_str().to_string()));
            let (pid, pname) = match msg.procid {
                Some(syslog_loose::ProcId::PID(p)) => (Some(i64::from(p)), None),
                Some(syslog_loose::ProcId::Name(n)) => (None, Some(n.to_string())),
                None => (None, None),
            };
            b.process.push(msg.appname.map(str::to_string).or(pname));
            b.pid.push(pid);
            b.msgid.push(msg.msgid.map(str::to_string));
            b.sd.push(if msg.structured_data.is_empty() {
                None
            } else {
                let mut o = serde_json::Map::new();
                for e in &msg.structured_data {
                    let mut p = serde_json::Map::new();
                    for (k, v) in e.params() {
                        p.insert(k.to_string(), serde_json::Value::String(v));
                    }
                    o.insert(e.id.to_string(), serde_json::Value::Object(p));
                }
                Some(serde_json::Value::Object(o).to_string())
            });
            b.message.push(msg.msg.to_string());
            b.protocol.push(match msg.protocol {
                Protocol::RFC3164 => "RFC3164",
                Protocol::RFC5424(_) => "RFC5424",
            });
        }
        let n = b.time.len();
        let df = DataFrame::new(
            n,
            vec![
                datetime_column("TimeGenerated", b.time),
                Column::new("Computer".into(), b.computer),
                Column::new("HostName".into(), b.host),
                Column::new("Facility".into(), b.facility),
                Column::new("SeverityLevel".into(), b.severity),
                Column::new("ProcessName".into(), b.process),
                Column::new("ProcessID".into(), b.pid),
                Column::new("MsgId".into(), b.msgid),
                Column::new("StructuredData".into(), b.sd),
                Column::new("SyslogMessage".into(), b.message),
                Column::new("Protocol".into(), b.protocol),
            ],
        )
        .ctx("building the syslog frame")?;
        Ok(SyslogEvents {
            df,
            bad,
            bad_count,
            lines,
        })
    }
}

#[derive(Default)]
struct Rows {
    time: Vec<Option<i64>>,
    computer: Vec<Option<String>>,
    host: Vec<Option<String>>,
    facility: Vec<Option<String>>,
    severity: Vec<Option<String>>,
    process: Vec<Option<String>>,
    pid: Vec<Option<i64>>,
    msgid: Vec<Option<String>>,
    sd: Vec<Option<String>>,
    message: Vec<String>,
    protocol: Vec<&'static str>,
}

/// Parsed syslog messages and the lines that were not syslog.
#[derive(Debug, Clone)]
pub struct SyslogEvents {
    df: DataFrame,
    bad: Vec<BadLine>,
    bad_count: usize,
    lines: usize,
}

impl SyslogEvents {
    /// The messages (Log Analytics `Syslog` columns).
    pub fn df(&self) -> &DataFrame {
        &self.df
    }
    /// The frame, by value.
    pub fn into_df(self) -> DataFrame {
        self.df
    }
    /// Non-blank lines read.
    pub fn lines(&self) -> usize {
        self.lines
    }
    /// Lines that were not syslog messages.
    pub fn malformed_count(&self) -> usize {
        self.bad_count
    }
    /// The first 1,000 of them, with the reason.
    pub fn malformed(&self) -> &[BadLine] {
        &self.bad
    }
    fn headline(&self) -> String {
        format!(
            "{} syslog messages from {} lines; {} malformed line(s) skipped",
            self.df.height(),
            self.lines,
            self.bad_count
        )
    }
}

impl NotebookDisplay for SyslogEvents {
    fn to_html(&self) -> String {
        let mut h = HtmlBuilder::new();
        h.element("p", &[], &self.headline());
        let mut html = h.finish();
        html.push_str(&table_html(&self.df, &TableOptions::new().max_rows(30)));
        html
    }
    fn to_text(&self) -> String {
        format!("{}\n{}", self.headline(), table_text(&self.df))
    }
}

/// Parses syslog text with the default settings.
pub fn parse_syslog(text: &str) -> Result<SyslogEvents> {
    SyslogParser::new().parse_str(text)
}

/// Adds the sudo columns Log Analytics parsers add (`Sudoer`, `SudoTo`,
/// `Command`, `CommandCall`) from sudo's `user : TTY=… ; PWD=… ; USER=… ;
/// COMMAND=…` messages (with or without the `;`). Rows that are not sudo
/// commands get nulls. Existing columns of those names are replaced.
pub fn sudo_commands(events: &DataFrame) -> Result<DataFrame> {
    let mut out = crate::data::fresh(events);
    let msgs = text_column(&out, "SyslogMessage", "syslog events")?;
    let re = Regex::new(
        r"^\s*(\S+)\s+:\s+(?:.*?\bTTY=\S+?\s*;?\s+)?(?:.*?\bPWD=\S*?\s*;?\s+)?(?:.*?\bUSER=(\S+?)\s*;?\s+)?(?:.*?\bENV=.*?;?\s+)?COMMAND=(.*)$",
    )
    .map_err(|e| Error::invalid("sudo pattern", e.to_string()))?;
    let n = msgs.len();
    let (mut sudoer, mut to, mut cmd, mut call) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for m in msgs.iter() {
        match m.and_then(|m| re.captures(m)) {
            Some(c) => {
                let command = c.get(3).map(|x| x.as_str().trim().to_string());
                sudoer.push(c.get(1).map(|x| x.as_str().to_string()));
                to.push(c.get(2).map(|x| x.as_str().to_string()));
                call.push(
                    command
                        .as_deref()
                        .and_then(|c| c.split_whitespace().next())
                        .map(str::to_string),
                );
                cmd.push(command);
            }
            None => {
                sudoer.push(None);
                to.push(None);
                cmd.push(None);
                call.push(None);
            }
        }
    }
    for (name, vals) in [
        ("Sudoer", sudoer),
        ("SudoTo", to),
        ("Command", cmd),
        ("CommandCall", call),
    ] {
        out.with_column(Column::new(name.into(), vals))
            .ctx("adding sudo columns")?;
    }
    Ok(out)
}

/// Logon sessions paired from `pam_unix(SERVICE:session)` "session
/// opened/closed" messages.
#[derive(Debug, Clone)]
pub struct LogonSessions {
    df: DataFrame,
    unmatched_closes: usize,
}

impl LogonSessions {
    /// One row per session: `User` (who opened it: the `by` user, else the
    /// target user), `TargetUser`, `Service` (`sudo`, `sshd`, `cron`, …),
    /// `Computer`, `ProcessID`, `Start`, `End` (null when never closed),
    /// `DurationSeconds`. Sorted by `Start`.
    pub fn df(&self) -> &DataFrame {
        &self.df
    }
    /// The frame, by value.
    pub fn into_df(self) -> DataFrame {
        self.df
    }
    /// "session closed" messages with no open session to close.
    pub fn unmatched_closes(&self) -> usize {
        self.unmatched_closes
    }
    fn headline(&self) -> String {
        format!(
            "{} logon session(s); {} close message(s) without an open session",
            self.df.height(),
            self.unmatched_closes
        )
    }
}

impl NotebookDisplay for LogonSessions {
    fn to_html(&self) -> String {
        let mut h = HtmlBuilder::new();
        h.element("p", &[], &self.headline());
        let mut html = h.finish();
        html.push_str(&table_html(&self.df, &TableOptions::new().max_rows(50)));
        html
    }
    fn to_text(&self) -> String {
        format!("{}\n{}", self.headline(), table_text(&self.df))
    }
}

struct Open {
    user: String,
    target: String,
    service: String,
    computer: Option<String>,
    pid: Option<String>,
    start: i64,
}

/// Pairs `pam_unix` "session opened" and "session closed" messages of
/// `events` (`TimeGenerated`, `SyslogMessage`; `Computer` and `ProcessID`
/// used when present) into sessions: same host, PAM service, target user
/// and process id (when known); the oldest open session closes first. An
/// error when there are no "session opened" messages, as in MSTICPy.
pub fn logon_sessions(events: &DataFrame) -> Result<LogonSessions> {
    let events = crate::data::fresh(events);
    let msgs = text_column(&events, "SyslogMessage", "syslog events")?;
    let times = times_ns(&events, "TimeGenerated")?;
    let opt = |name: &str| -> Result<Option<StringChunked>> {
        if events.column(name).is_ok() {
            Ok(Some(text_column(&events, name, "syslog events")?))
        } else {
            Ok(None)
        }
    };
    let hosts = opt("Computer")?;
    let pids = opt("ProcessID")?;
    let opened = Regex::new(
        r"pam_unix\(([^:)]+):session\): session opened for user ([^\s(]+)(?:\(uid=\d+\))?(?: by ([^\s(]*)(?:\(uid=\d*\))?)?",
    )
    .map_err(|e| Error::invalid("pam pattern", e.to_string()))?;
    let closed = Regex::new(r"pam_unix\(([^:)]+):session\): session closed for user ([^\s(]+)")
        .map_err(|e| Error::invalid("pam pattern", e.to_string()))?;
    let mut order: Vec<(i64, usize)> = times
        .iter()
        .enumerate()
        .filter_map(|(i, t)| t.map(|t| (t, i)))
        .collect();
    order.sort();
    // (host, service, target user, pid) -> open sessions, oldest first
    type SessionKey = (Option<String>, String, String, Option<String>);
    let mut open: HashMap<SessionKey, VecDeque<usize>> = HashMap::new();
    let mut sessions: Vec<Open> = Vec::new();
    let mut ends: Vec<Option<i64>> = Vec::new();
    let mut unmatched = 0;
    let mut any_open = false;
    for (t, i) in order {
        let Some(m) = msgs.get(i) else { continue };
        let host = hosts.as_ref().and_then(|h| h.get(i)).map(str::to_string);
        let pid = pids
            .as_ref()
            .and_then(|p| p.get(i))
            .filter(|p| !p.is_empty())
            .map(str::to_string);
        if let Some(c) = opened.captures(m) {
            any_open = true;
            let service = c[1].to_string();
            let target = c[2].to_string();
            let by = c.get(3).map(|x| x.as_str()).filter(|x| !x.is_empty());
            let key = (host.clone(), service.clone(), target.clone(), pid.clone());
            open.entry(key).or_default().push_back(sessions.len());
            sessions.push(Open {
                user: by.unwrap_or(&target).to_string(),
                target,
                service,
                computer: host,
                pid,
                start: t,
            });
            ends.push(None);
        } else if let Some(c) = closed.captures(m) {
            let key = (host, c[1].to_string(), c[2].to_string(), pid);
            match open.get_mut(&key).and_then(VecDeque::pop_front) {
                Some(s) => {
                    if let Some(e) = ends.get_mut(s) {
                        *e = Some(t);
                    }
                }
                None => unmatched += 1,
            }
        }
    }
    if !any_open {
        return Err(Error::invalid(
            "logon events",
            "there are no pam_unix 'session opened' messages",
        ));
    }
    let n = sessions.len();
    let dur: Vec<Option<f64>> = sessions
        .iter()
        .zip(&ends)
        .map(|(s, e)| e.map(|e| (e - s.start) as f64 / 1e9))
        .collect();
    let df = DataFrame::new(
        n,
        vec![
            Column::new(
                "User".into(),
                sessions.iter().map(|s| s.user.as_str()).collect::<Vec<_>>(),
            ),
            Column::new(
                "TargetUser".into(),
                sessions
                    .iter()
                    .map(|s| s.target.as_str())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "Service".into(),
                sessions
                    .iter()
                    .map(|s| s.service.as_str())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "Computer".into(),
                sessions
                    .iter()
                    .map(|s| s.computer.as_deref())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "ProcessID".into(),
                sessions
                    .iter()
                    .map(|s| s.pid.as_deref())
                    .collect::<Vec<_>>(),
            ),
            datetime_column("Start", sessions.iter().map(|s| Some(s.start)).collect()),
            datetime_column("End", ends),
            Column::new("DurationSeconds".into(), dur),
        ],
    )
    .ctx("building the logon-session frame")?;
    Ok(LogonSessions {
        df,
        unmatched_closes: unmatched,
    })
}

/// Sessions during which a risky command ran or a command burst happened
/// (MSTICPy's `risky_sudo_sessions`): one row per (session, finding) with
/// `SessionIndex`, `User`, `Start`, `End`, `Reason` (`risky command` or
/// `command burst`), `Rule`, `Command`, `EventTime`.
///
/// `risky` is a [`crate::transform::cmdline::RiskyCommands::detect`] frame
/// (`TimeGenerated`, `Command`, `Rule`); `bursts` a
/// [`crate::transform::cmdline::command_bursts`] frame. A finding belongs
/// to a session when its time is within `Start`…`End` (a session never
/// closed runs to the end of the data); a burst when it overlaps the
/// session. At least one of the two must be given.
pub fn risky_sudo_sessions(
    sessions: &DataFrame,
    risky: Option<&DataFrame>,
    bursts: Option<&DataFrame>,
) -> Result<DataFrame> {
    if risky.is_none() && bursts.is_none() {
        return Err(Error::invalid(
            "risky sudo sessions",
            "give at least one of risky commands or command bursts",
        ));
    }
    let sessions = crate::data::fresh(sessions);
    let start = times_ns(&sessions, "Start")?;
    let end = times_ns(&sessions, "End")?;
    let users = text_column(&sessions, "User", "sessions")?;
    let mut out_idx: Vec<u32> = Vec::new();
    let mut reason: Vec<&str> = Vec::new();
    let mut rule: Vec<Option<String>> = Vec::new();
    let mut command: Vec<Option<String>> = Vec::new();
    let mut when: Vec<Option<i64>> = Vec::new();
    if let Some(r) = risky {
        let r = crate::data::fresh(r);
        let t = times_ns(&r, "TimeGenerated")?;
        let cmds = text_column(&r, "Command", "risky commands")?;
        let rules = text_column(&r, "Rule", "risky commands")?;
        for (s, st) in start.iter().enumerate() {
            let Some(st) = *st else { continue };
            let en = end.get(s).copied().flatten().unwrap_or(i64::MAX);
            for (i, ti) in t.iter().enumerate() {
                if let Some(ti) = *ti
                    && st <= ti
                    && ti <= en
                {
                    out_idx.push(s as u32);
                    reason.push("risky command");
                    rule.push(rules.get(i).map(str::to_string));
                    command.push(cmds.get(i).map(str::to_string));
                    when.push(Some(ti));
                }
            }
        }
    }
    if let Some(b) = bursts {
        let b = crate::data::fresh(b);
        let bs = times_ns(&b, "BurstStart")?;
        let be = times_ns(&b, "BurstEnd")?;
        let list = text_column(&b, "CommandList", "command bursts")?;
        for (s, st) in start.iter().enumerate() {
            let Some(st) = *st else { continue };
            let en = end.get(s).copied().flatten().unwrap_or(i64::MAX);
            for i in 0..bs.len() {
                if let (Some(Some(a)), Some(Some(z))) = (bs.get(i), be.get(i))
                    && *a <= en
                    && *z >= st
                {
                    out_idx.push(s as u32);
                    reason.push("command burst");
                    rule.push(None);
                    command.push(list.get(i).map(str::to_string));
                    when.push(Some(*a));
                }
            }
        }
    }
    let n = out_idx.len();
    let user: Vec<Option<&str>> = out_idx.iter().map(|&s| users.get(s as usize)).collect();
    let st: Vec<Option<i64>> = out_idx
        .iter()
        .map(|&s| start.get(s as usize).copied().flatten())
        .collect();
    let en: Vec<Option<i64>> = out_idx
        .iter()
        .map(|&s| end.get(s as usize).copied().flatten())
        .collect();
    DataFrame::new(
        n,
        vec![
            Column::new("SessionIndex".into(), out_idx),
            Column::new("User".into(), user),
            datetime_column("Start", st),
            datetime_column("End", en),
            Column::new("Reason".into(), reason),
            Column::new("Rule".into(), rule),
            Column::new("Command".into(), command),
            datetime_column("EventTime", when),
        ],
    )
    .ctx("building the risky-session frame")
}

/// What the syslog and heartbeat data say about one host (MSTICPy's
/// `create_host_record`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HostRecord {
    /// Host name (`Computer` of the first syslog event).
    pub computer: Option<String>,
    /// Non-standard process names seen in syslog, sorted (standard services
    /// in [`STANDARD_PROCESSES`] left out).
    pub applications: Vec<String>,
    /// IPs the host logged from (`HostIP`), sorted.
    pub host_ips: Vec<String>,
    /// First and last syslog event times (UTC nanoseconds).
    pub first_seen: Option<i64>,
    /// Last syslog event time.
    pub last_seen: Option<i64>,
    /// Syslog events seen.
    pub events: usize,
    /// Heartbeat `OSType`.
    pub os_type: Option<String>,
    /// Heartbeat `OSName`.
    pub os_name: Option<String>,
    /// Heartbeat `OSMajorVersion.OSMinorVersion`.
    pub os_version: Option<String>,
    /// Heartbeat `ComputerEnvironment`.
    pub environment: Option<String>,
    /// Heartbeat `Solutions`, split.
    pub solutions: Vec<String>,
    /// Heartbeat `VMUUID`.
    pub vm_uuid: Option<String>,
    /// Heartbeat `SourceComputerId`.
    pub source_computer_id: Option<String>,
    /// Heartbeat `ComputerIP` (the public address the agent reports from).
    pub ip_address: Option<String>,
    /// Heartbeat `RemoteIPCountry`.
    pub country: Option<String>,
    /// Heartbeat `RemoteIPLongitude`.
    pub longitude: Option<f64>,
    /// Heartbeat `RemoteIPLatitude`.
    pub latitude: Option<f64>,
    /// Azure network `PrivateIPAddresses`, split.
    pub private_ips: Vec<String>,
    /// Azure network `PublicIPAddresses`, split.
    pub public_ips: Vec<String>,
}

fn first_text(df: &DataFrame, name: &str) -> Option<String> {
    let c = df.column(name).ok()?;
    let v = c.get(0).ok()?;
    match v {
        AnyValue::Null => None,
        AnyValue::String(s) => Some(s.trim().to_string()),
        AnyValue::StringOwned(s) => Some(s.trim().to_string()),
        other => Some(other.to_string()),
    }
    .filter(|s| !s.is_empty())
}

fn split_list(s: Option<String>) -> Vec<String> {
    s.map(|s| {
        s.split([',', ';', ' '])
            .map(|x| x.trim().trim_matches('"').to_string())
            .filter(|x| !x.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

/// Builds the host record from syslog events of the host, and optionally
/// its heartbeat (`host_hb.csv`: OS, agent, location) and Azure network
/// rows (`az_net.csv`: private and public IPs).
pub fn host_record(
    syslog: &DataFrame,
    heartbeat: Option<&DataFrame>,
    az_net: Option<&DataFrame>,
) -> Result<HostRecord> {
    let syslog = crate::data::fresh(syslog);
    if syslog.height() == 0 {
        return Err(Error::invalid("syslog events", "the frame is empty"));
    }
    let mut rec = HostRecord {
        computer: first_text(&syslog, "Computer").or_else(|| first_text(&syslog, "HostName")),
        events: syslog.height(),
        ..HostRecord::default()
    };
    let procs = text_column(&syslog, "ProcessName", "syslog events")?;
    let mut apps: Vec<String> = procs
        .iter()
        .flatten()
        .filter(|p| !p.is_empty() && !STANDARD_PROCESSES.contains(p))
        .map(str::to_string)
        .collect();
    apps.sort();
    apps.dedup();
    rec.applications = apps;
    if syslog.column("HostIP").is_ok() {
        let ips = text_column(&syslog, "HostIP", "syslog events")?;
        let mut v: Vec<String> = ips
            .iter()
            .flatten()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        v.sort();
        v.dedup();
        rec.host_ips = v;
    }
    if syslog.column("TimeGenerated").is_ok() {
        let t = times_ns(&syslog, "TimeGenerated")?;
        rec.first_seen = t.iter().flatten().min().copied();
        rec.last_seen = t.iter().flatten().max().copied();
    }
    if let Some(hb) = heartbeat.map(crate::data::fresh).filter(|h| h.height() > 0) {
        rec.os_type = first_text(&hb, "OSType");
        rec.os_name = first_text(&hb, "OSName");
        rec.os_version = match (
            first_text(&hb, "OSMajorVersion"),
            first_text(&hb, "OSMinorVersion"),
        ) {
            (Some(a), Some(b)) => Some(format!("{a}.{b:0>2}")),
            (a, _) => a,
        };
        rec.environment = first_text(&hb, "ComputerEnvironment");
        rec.solutions = split_list(first_text(&hb, "Solutions"));
        rec.vm_uuid = first_text(&hb, "VMUUID");
        rec.source_computer_id = first_text(&hb, "SourceComputerId");
        rec.ip_address = first_text(&hb, "ComputerIP");
        rec.country = first_text(&hb, "RemoteIPCountry");
        rec.longitude = first_text(&hb, "RemoteIPLongitude").and_then(|s| s.parse().ok());
        rec.latitude = first_text(&hb, "RemoteIPLatitude").and_then(|s| s.parse().ok());
        if rec.computer.is_none() {
            rec.computer = first_text(&hb, "Computer");
        }
    }
    if let Some(az) = az_net.map(crate::data::fresh) {
        rec.private_ips = split_list(first_text(&az, "PrivateIPAddresses"));
        rec.public_ips = split_list(first_text(&az, "PublicIPAddresses"));
    }
    Ok(rec)
}

impl HostRecord {
    /// The record as a two-column frame (`Field`, `Value`), lists joined
    /// with `, `, times in RFC 3339.
    pub fn to_df(&self) -> Result<DataFrame> {
        let t = |v: Option<i64>| v.map(|n| chrono::DateTime::from_timestamp_nanos(n).to_rfc3339());
        let rows: Vec<(&str, Option<String>)> = vec![
            ("Computer", self.computer.clone()),
            ("OSType", self.os_type.clone()),
            ("OSName", self.os_name.clone()),
            ("OSVersion", self.os_version.clone()),
            ("Environment", self.environment.clone()),
            ("IPAddress", self.ip_address.clone()),
            ("Country", self.country.clone()),
            ("Longitude", self.longitude.map(|x| x.to_string())),
            ("Latitude", self.latitude.map(|x| x.to_string())),
            ("PrivateIPs", Some(self.private_ips.join(", "))),
            ("PublicIPs", Some(self.public_ips.join(", "))),
            ("HostIPs", Some(self.host_ips.join(", "))),
            ("Applications", Some(self.applications.join(", "))),
            ("OmsSolutions", Some(self.solutions.join(", "))),
            ("VMUUID", self.vm_uuid.clone()),
            ("SourceComputerId", self.source_computer_id.clone()),
            ("FirstSeen", t(self.first_seen)),
            ("LastSeen", t(self.last_seen)),
            ("SyslogEvents", Some(self.events.to_string())),
        ];
        let f: Vec<&str> = rows.iter().map(|r| r.0).collect();
        let v: Vec<Option<String>> = rows.into_iter().map(|r| r.1).collect();
        DataFrame::new(
            f.len(),
            vec![
                Column::new("Field".into(), f),
                Column::new("Value".into(), v),
            ],
        )
        .ctx("building the host record frame")
    }
}

impl NotebookDisplay for HostRecord {
    fn to_html(&self) -> String {
        match self.to_df() {
            Ok(df) => table_html(
                &df,
                &TableOptions::new().max_rows(40).caption("Host record"),
            ),
            Err(e) => {
                let mut h = HtmlBuilder::new();
                h.element("p", &[], &e.to_string());
                h.finish()
            }
        }
    }
    fn to_text(&self) -> String {
        self.to_df().map(|d| table_text(&d)).unwrap_or_default()
    }
}

/// Parses a timestamp text as huntbook's time columns do (for callers that
/// pass times as text).
pub fn parse_timestamp(text: &str) -> Option<i64> {
    parse_time(text.trim())
}
