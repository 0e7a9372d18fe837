//! The `huntbook` binary: help, version, errors and the output switch.

use std::process::Command;

fn huntbook(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_huntbook"))
        .args(args)
        .output()
        .expect("run huntbook")
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn sample(rel: &str) -> String {
    format!("{}/data/{rel}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn help_lists_subcommands_and_output_switch() {
    let o = huntbook(&["--help"]);
    assert!(o.status.success());
    let out = stdout(&o);
    for needle in ["Usage: huntbook", "read", "samples", "--format", "--output"] {
        assert!(out.contains(needle), "missing {needle} in {out}");
    }
}

#[test]
fn version() {
    let o = huntbook(&["--version"]);
    assert!(o.status.success());
    assert_eq!(
        stdout(&o),
        format!("huntbook {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn bad_flag_is_a_usage_error_with_exit_code_2() {
    let o = huntbook(&["--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unexpected argument '--no-such-flag'"),
        "{}",
        stderr(&o)
    );
    let o = huntbook(&["read", "x.csv", "--format", "xml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("invalid value 'xml'"), "{}", stderr(&o));
}

#[test]
fn missing_file_is_a_clear_error_with_exit_code_1() {
    let o = huntbook(&["read", "/nonexistent/events.csv"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).starts_with("error: reading '/nonexistent/events.csv': No such file"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn read_csv_to_each_format() {
    let file = sample("msticpy/testdata/processes_on_host.csv");
    let csv = huntbook(&["read", &file, "--format", "csv", "--head", "2"]);
    assert!(csv.status.success(), "{}", stderr(&csv));
    let text = stdout(&csv);
    assert!(
        text.starts_with("\"\",TenantId,Account,EventID,TimeGenerated,"),
        "{text}"
    );
    assert!(text.contains("\n1,802d39e1-9d70-404d-832c-2de5e2478eda,WORKGROUP\\MSTICAlertsWin1$,4688,2019-01-15T05:24:24.023000,"), "{text}");

    let nd = huntbook(&["read", &file, "-f", "ndjson", "--head", "2"]);
    let lines: Vec<serde_json::Value> = stdout(&nd)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);

    let json = huntbook(&["read", &file, "-f", "json", "--head", "2"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[0], lines[0]);
    assert_eq!(v[1]["NewProcessName"], "C:\\Windows\\System32\\conhost.exe");

    let table = huntbook(&["read", &file, "--head", "2"]);
    assert!(
        stdout(&table).starts_with("shape: (2, "),
        "{}",
        stdout(&table)
    );
}

#[test]
fn parquet_round_trip_through_output_file() {
    let dir = std::env::temp_dir().join(format!("hb-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pq = dir.join("out.parquet");
    let file = sample("msticpy/testdata/host_hb.csv");
    let o = huntbook(&["read", &file, "-f", "parquet", "-o", pq.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let back = huntbook(&["read", pq.to_str().unwrap(), "-f", "csv"]);
    let orig = huntbook(&["read", &file, "-f", "csv"]);
    assert_eq!(stdout(&back), stdout(&orig));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn samples_lists_bundled_files() {
    let o = huntbook(&["samples", "-f", "csv"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(out.starts_with("path,bytes\n"));
    assert!(
        out.contains("msticpy/testdata/processes_on_host.csv,162455\n"),
        "{out}"
    );
    assert!(!out.contains("LICENSE"));
}

#[test]
fn proctree_formats_text_html_csv_and_summary() {
    let input = sample("msticpy/testdata/processes_on_host.csv");
    let text = huntbook(&["proctree", "--input", &input, "--format", "text"]);
    assert!(text.status.success(), "{}", stderr(&text));
    let text = stdout(&text);
    assert!(text.starts_with(
        "+  Process: C:\\Program Files\\Microsoft Monitoring Agent\\Agent\\MonitoringHost.exe  PID: 0x888\n"
    ));
    assert!(text.contains("   +--  Process: C:\\Windows\\System32\\cscript.exe  PID: 0x364\n"));

    let html = huntbook(&["proctree", "--input", &input, "--format", "html"]);
    assert!(html.status.success(), "{}", stderr(&html));
    let html = stdout(&html);
    assert!(html.starts_with(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Process tree (369 processes)</title>"
    ));
    assert!(html.contains("Processes: 369, RootProcesses: 6, LeafProcesses: 279"));

    // --view text|html is the same as --format text|html.
    let view = huntbook(&["proctree", "--input", &input, "--view", "text"]);
    assert_eq!(stdout(&view), text);

    let csv = huntbook(&["proctree", "--input", &input, "--format", "csv"]);
    assert!(csv.status.success(), "{}", stderr(&csv));
    let csv = stdout(&csv);
    assert_eq!(csv.lines().count(), 370); // header + 369 processes
    assert!(csv.lines().next().unwrap().contains("proc_key"));

    let summary = huntbook(&[
        "proctree", "--input", &input, "--view", "summary", "--format", "csv",
    ]);
    assert_eq!(
        stdout(&summary),
        "Processes,RootProcesses,LeafProcesses,BranchProcesses,IsolatedProcesses,LargestTreeDepth\n369,6,279,84,0,5\n"
    );
}

#[test]
fn format_html_escapes_log_data() {
    let dir = std::env::temp_dir().join(format!("huntbook-cli-html-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("evil.csv");
    std::fs::write(&path, "CommandLine\n\"<script>alert(1)</script>\"\n").unwrap();
    let o = huntbook(&["read", path.to_str().unwrap(), "--format", "html"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(!page.contains("<script>alert(1)"));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let text = huntbook(&["read", path.to_str().unwrap(), "--format", "text"]);
    assert!(stdout(&text).contains("<script>alert(1)</script>"));
    std::fs::remove_dir_all(&dir).ok();
}
