//! The auditd parser through the public API: every event of MSTICPy's
//! `auditd_log.txt` by its serial, full command lines, the Log Analytics
//! `AuditdMessage` frame (`linux_events.csv`), bad input, and auditd →
//! process tree end to end.
//!
//! Difference from MSTICPy (documented here as the issue asks): MSTICPy's
//! `read_from_file` groups records by the *time* part of
//! `msg=audit(TIME:SERIAL)` only, so records of different events logged in
//! the same millisecond are merged: on `auditd_log.txt` it returns 381 rows
//! (97 columns) and 78 `SYSCALL_EXECVE` rows (20 columns), and its
//! `cmdline` joins only `a0`–`a2` (e.g. `iptables -w -t` plus 13 empty
//! strings for serial 755). Grouping by the whole stamp gives 938 events,
//! 146 of them process starts, each with every argument.

use huntbook::prelude::*;
use huntbook::transform::auditd::{AuditdParser, auditd_from_frame, parse_auditd, read_auditd};
use std::collections::HashMap;

fn log_path() -> std::path::PathBuf {
    bundled("msticpy/testdata/auditd_log.txt").unwrap()
}

fn s(df: &DataFrame, col: &str, row: usize) -> Option<String> {
    let c = df.column(col).unwrap().as_materialized_series().clone();
    let c = match c.dtype() {
        DataType::Datetime(_, _) => c
            .datetime()
            .unwrap()
            .to_string("%Y-%m-%d %H:%M:%S%.3f UTC")
            .unwrap()
            .into_series(),
        _ => c.cast(&DataType::String).unwrap(),
    };
    c.str().unwrap().get(row).map(str::to_string)
}

fn row_of(df: &DataFrame, mssg_id: &str) -> usize {
    let ids = df.column("mssg_id").unwrap().str().unwrap().clone();
    ids.iter().position(|v| v == Some(mssg_id)).unwrap()
}

/// An independent oracle for EXECVE command lines: the raw `aN=` values of
/// each EXECVE line, hex-decoded when unquoted, joined with spaces.
fn oracle_cmdlines(text: &str) -> HashMap<String, String> {
    let head = regex::Regex::new(r"^type=EXECVE msg=audit\(([^)]+)\): (.*)$").unwrap();
    let arg = regex::Regex::new(r#"\ba(\d+)=(?:"([^"]*)"|([0-9A-F]+))"#).unwrap();
    let mut out = HashMap::new();
    for line in text.lines() {
        let Some(c) = head.captures(line) else {
            continue;
        };
        let mut args: Vec<(usize, String)> = arg
            .captures_iter(&c[2])
            .map(|a| {
                let i: usize = a[1].parse().unwrap();
                let v = match (a.get(2), a.get(3)) {
                    (Some(q), _) => q.as_str().to_string(),
                    (None, Some(h)) => String::from_utf8(hex::decode(h.as_str()).unwrap()).unwrap(),
                    _ => unreachable!(),
                };
                (i, v)
            })
            .collect();
        args.sort();
        let joined: Vec<String> = args.into_iter().map(|(_, v)| v).collect();
        out.insert(c[1].to_string(), joined.join(" "));
    }
    out
}

#[test]
fn every_event_of_auditd_log_by_serial() {
    let events = read_auditd(log_path()).unwrap();
    assert_eq!(events.lines(), 1708);
    assert_eq!(events.records(), 1708);
    assert_eq!(events.malformed_count(), 0);
    assert_eq!(events.events(), 938, "one event per msg=audit(TIME:SERIAL)");
    let counts = events.event_counts().unwrap();
    let got: Vec<(String, u64)> = (0..counts.height())
        .map(|i| {
            (
                s(&counts, "EventType", i).unwrap(),
                counts
                    .column("count")
                    .unwrap()
                    .u64()
                    .unwrap()
                    .get(i)
                    .unwrap(),
            )
        })
        .collect();
    let want: Vec<(&str, u64)> = vec![
        ("USER_LOGIN", 191),
        ("USER_AUTH", 187),
        ("SYSCALL_EXECVE", 146),
        ("CRED_DISP", 66),
        ("USER_END", 66),
        ("USER_START", 66),
        ("CRED_ACQ", 49),
        ("LOGIN", 49),
        ("USER_ACCT", 49),
        ("CRED_REFR", 17),
        ("USER_CMD", 17),
        ("CONFIG_CHANGE", 14),
        ("SYSCALL", 11),
        ("SERVICE_START", 4),
        ("DAEMON_START", 2),
        ("NETFILTER_CFG", 2),
        ("DAEMON_END", 1),
        ("SERVICE_STOP", 1),
    ];
    let want: Vec<(String, u64)> = want.into_iter().map(|(a, b)| (a.to_string(), b)).collect();
    assert_eq!(got, want);
    // MSTICPy's time-only grouping, for the record: 381 rows, 78 process starts.
    let df = events.df();
    let mut times: Vec<String> = df
        .column("mssg_id")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap().split(':').next().unwrap().to_string())
        .collect();
    times.sort();
    times.dedup();
    assert_eq!(times.len(), 381);
}

#[test]
fn process_events_have_full_command_lines() {
    let text = std::fs::read_to_string(log_path()).unwrap();
    let events = parse_auditd(&text).unwrap();
    let procs = events.process_events().unwrap();
    assert_eq!(procs.height(), 146);
    let oracle = oracle_cmdlines(&text);
    assert_eq!(oracle.len(), 146);
    for i in 0..procs.height() {
        let id = s(&procs, "mssg_id", i).unwrap();
        assert_eq!(s(&procs, "cmdline", i), oracle.get(&id).cloned(), "{id}");
    }
    let r = row_of(&procs, "1551487424.873:755");
    assert_eq!(
        s(&procs, "cmdline", r).as_deref(),
        Some(
            "iptables -w -t security -C OUTPUT -d 168.63.129.16 -p tcp -m conntrack \
             --ctstate INVALID,NEW -j DROP"
        )
    );
    assert_eq!(s(&procs, "argc", r).as_deref(), Some("16"));
    assert_eq!(s(&procs, "exe", r).as_deref(), Some("/sbin/xtables-multi"));
    assert_eq!(s(&procs, "comm", r).as_deref(), Some("iptables"));
    assert_eq!(s(&procs, "pid", r).as_deref(), Some("19200"));
    assert_eq!(s(&procs, "ppid", r).as_deref(), Some("19199"));
    assert_eq!(s(&procs, "auid", r).as_deref(), Some("-1"));
    assert_eq!(s(&procs, "ses", r).as_deref(), Some("-1"));
    assert_eq!(
        s(&procs, "cwd", r).as_deref(),
        Some("/var/lib/waagent/WALinuxAgent-2.2.37")
    );
    // hex-encoded argument and proctitle
    let r = row_of(&procs, "1551487424.869:752");
    assert_eq!(
        s(&procs, "cmdline", r).as_deref(),
        Some("/bin/sh -c iptables --version")
    );
    assert_eq!(
        s(&procs, "proctitle", r).as_deref(),
        Some("/bin/sh -c iptables --version")
    );
    assert_eq!(
        s(&procs, "paths", r).as_deref(),
        Some(r#"["/bin/sh","/lib64/ld-linux-x86-64.so.2"]"#)
    );
    assert_eq!(
        s(&procs, "TimeGenerated", r).as_deref(),
        Some("2019-03-02 00:43:44.869 UTC")
    );
    assert_eq!(
        procs.column("TimeGenerated").unwrap().dtype(),
        &DataType::Datetime(TimeUnit::Nanoseconds, Some(TimeZone::UTC))
    );
    assert_eq!(procs.column("pid").unwrap().dtype(), &DataType::Int64);
}

#[test]
fn user_events_fields() {
    let events = read_auditd(log_path()).unwrap();
    let df = events.df();
    let r = row_of(df, "1551485408.371:22");
    assert_eq!(s(df, "EventType", r).as_deref(), Some("USER_AUTH"));
    assert_eq!(s(df, "op", r).as_deref(), Some("PAM:authentication"));
    assert_eq!(s(df, "acct", r).as_deref(), Some("root"));
    assert_eq!(s(df, "exe", r).as_deref(), Some("/usr/sbin/sshd"));
    assert_eq!(s(df, "addr", r).as_deref(), Some("36.156.24.99"));
    assert_eq!(s(df, "res", r).as_deref(), Some("failed"));
    assert_eq!(s(df, "auid", r).as_deref(), Some("-1"));
    assert_eq!(s(df, "ses", r).as_deref(), Some("-1"));
}

#[test]
fn log_analytics_frame() {
    let input = read_csv(bundled("msticpy/testdata/linux_events.csv").unwrap()).unwrap();
    assert_eq!(input.height(), 100);
    let events = auditd_from_frame(&input, "AuditdMessage").unwrap();
    assert_eq!(events.malformed_count(), 0);
    let df = events.df();
    assert_eq!(df.height(), 100);
    let procs = events.process_events().unwrap();
    let r = row_of(&procs, "1550505632.285:9077924");
    assert_eq!(
        s(&procs, "cmdline", r).as_deref(),
        Some("/bin/sh -c iptables --version")
    );
    assert_eq!(
        s(&procs, "Computer", r).as_deref(),
        Some("MSTICAlertsLxVM2")
    );
    assert_eq!(
        s(&procs, "TenantId", r).as_deref(),
        Some("52b1ab41-869e-4138-9e40-2a4457f09bf0")
    );
    assert_eq!(
        s(&procs, "TimeGenerated", r).as_deref(),
        Some("2019-02-18 16:00:32.285 UTC")
    );
    let r = row_of(df, "1550505627.301:9077922");
    assert_eq!(s(df, "EventType", r).as_deref(), Some("USER_END"));
    assert_eq!(s(df, "op", r).as_deref(), Some("PAM:session_close"));
    assert_eq!(s(df, "res", r).as_deref(), Some("success"));
    // MSTICPy's test_extract_from_log_analytics asks for >= 82 process starts
    let counts = events.event_counts().unwrap();
    assert_eq!(
        s(&counts, "EventType", 0).as_deref(),
        Some("SYSCALL_EXECVE")
    );
    assert_eq!(s(&counts, "count", 0).as_deref(), Some("82"));
    assert_eq!(counts.height(), 9);
    assert_eq!(procs.height(), 82);
}

#[test]
fn auditd_to_process_tree() {
    let events = read_auditd(log_path()).unwrap();
    let procs = events.process_events().unwrap();
    // the schema is inferred from the parser's columns
    assert_eq!(ProcSchema::infer(&procs).unwrap().name, "linux_auditd");
    let tree = ProcessTree::build(&procs).unwrap();
    let s1 = tree.summary();
    // 146 process starts + 10 inferred parents (waagent, sshd, ... not in the log)
    assert_eq!(
        (
            s1.processes,
            s1.root_processes,
            s1.leaf_processes,
            s1.branch_processes,
            s1.largest_tree_depth
        ),
        (156, 10, 77, 69, 6)
    );
    let tree2 = events.process_tree().unwrap();
    assert_eq!(tree2.summary(), s1);
    let input = read_csv(bundled("msticpy/testdata/linux_events.csv").unwrap()).unwrap();
    let la = auditd_from_frame(&input, "AuditdMessage").unwrap();
    let t = la.process_tree().unwrap().summary();
    // MSTICPy's test_auditd_utils: len(proc_tree) >= 85 and LargestTreeDepth == 5
    assert_eq!(
        (t.processes, t.root_processes, t.largest_tree_depth),
        (85, 3, 5)
    );
}

#[test]
fn malformed_lines_are_counted_not_fatal() {
    let text = "garbage\n\
        type=SYSCALL msg=audit(1.000:1): pid=2 ppid=1 uid=0 comm=\"a\" exe=\"/a\"\n\
        type=EXECVE msg=audit(1.000:1): argc=1 a0=\"a\"\n\
        type=EXECVE msg=audit(abc:2): argc=1\n\
        type=EXECVE msg=audit(1.000:3: argc=1\n\
        \n\
        type= msg=audit(1.0:4): x=y\n\
        msg=audit(1.0:5): x=y\n";
    let ev = parse_auditd(text).unwrap();
    assert_eq!(ev.events(), 1);
    assert_eq!(ev.malformed_count(), 5);
    let reasons: Vec<(usize, &str)> = ev
        .malformed()
        .iter()
        .map(|m| (m.line, m.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        vec![
            (1, "no 'type=' field"),
            (4, "timestamp is not SECONDS.FRACTION"),
            (5, "unterminated 'msg=audit(' header"),
            (7, "record type is not a name"),
            (8, "no 'type=' field"),
        ]
    );
    assert_eq!(ev.malformed_df().unwrap().height(), 5);
    // too long and too many records
    let long = format!("type=X msg=audit(1.0:1): a={}", "x".repeat(200));
    let ev = AuditdParser::new()
        .max_line_bytes(100)
        .parse_str(&long)
        .unwrap();
    assert_eq!(ev.malformed()[0].reason, "line longer than 100 bytes");
    assert_eq!(ev.malformed()[0].text.chars().count(), 200);
    let many = "type=PATH msg=audit(1.0:1): item=0 name=\"/x\"\n".repeat(5);
    let ev = AuditdParser::new()
        .max_records_per_event(3)
        .parse_str(&many)
        .unwrap();
    assert_eq!((ev.events(), ev.records(), ev.malformed_count()), (1, 3, 2));
    // empty input: an empty frame with the fixed columns
    let ev = parse_auditd("").unwrap();
    assert_eq!(ev.df().height(), 0);
    assert_eq!(
        ev.df().get_column_names(),
        ["TimeGenerated", "EventType", "Computer", "mssg_id"]
    );
    assert!(ev.process_events().unwrap().height() == 0);
    // a missing file names the path
    let err = read_auditd("/nonexistent/audit.log")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("reading '/nonexistent/audit.log'"), "{err}");
}

#[test]
fn bad_log_analytics_rows() {
    let df = df!(
        "mssg_id" => [Some("1.5:1"), Some("bad"), Some("1.5:3"), Some("1.5:4"), None],
        "Computer" => ["h", "h", "h", "h", "h"],
        "AuditdMessage" => [
            Some("[{'LOGIN': ['pid=1', 'uid=0', 'ses=4294967295']}]"),
            Some("[{'LOGIN': ['pid=1']}]"),
            Some("[{'LOGIN': ['pid=1'"),
            Some("[]"),
            None,
        ],
    )
    .unwrap();
    let ev = auditd_from_frame(&df, "AuditdMessage").unwrap();
    assert_eq!(ev.events(), 1);
    assert_eq!(s(ev.df(), "ses", 0).as_deref(), Some("-1"));
    let reasons: Vec<(usize, String)> = ev
        .malformed()
        .iter()
        .map(|m| (m.line, m.reason.clone()))
        .collect();
    assert_eq!(
        reasons,
        vec![
            (1, "no valid 'mssg_id' (TIME:SERIAL)".to_string()),
            (
                2,
                "cannot read the message: expected ',' at offset 19".to_string()
            ),
            (3, "no records in the message".to_string()),
            (4, "empty 'AuditdMessage'".to_string()),
        ]
    );
    let err = auditd_from_frame(&df, "Nope").unwrap_err().to_string();
    assert_eq!(
        err,
        "column 'Nope' not found in auditd frame with columns [mssg_id, Computer, AuditdMessage]"
    );
}

#[test]
fn split_arguments_and_hostile_html() {
    let log = "node=h1 type=SYSCALL msg=audit(2.5:9): pid=5 ppid=1 uid=1000 auid=1000 ses=3 comm=\"x\" exe=\"/x\"\n\
node=h1 type=EXECVE msg=audit(2.5:9): argc=3 a0=\"x\" a1_len=10 a1[0]=3C736372 a1[1]=6970743E61 a2=\"--\"\n\
node=h1 type=USER_START msg=audit(2.4:8): pid=5 uid=0 auid=1000 ses=3 msg='op=PAM:session_open acct=\"alice\" exe=\"/usr/sbin/sshd\" res=success'\n";
    let ev = parse_auditd(log).unwrap();
    let p = ev.process_events().unwrap();
    assert_eq!(s(&p, "cmdline", 0).as_deref(), Some("x <script>a --"));
    assert_eq!(s(&p, "Computer", 0).as_deref(), Some("h1"));
    assert_eq!(
        s(&p, "acct", 0).as_deref(),
        Some("alice"),
        "account of session 3"
    );
    let html = ev.to_html();
    assert!(!html.contains("<script>a"));
    assert!(html.contains("&lt;script&gt;a"));
}
