//! `huntbook sessions` end to end: sessionize + score, the column options,
//! CSV output of list columns, the HTML view and clear errors.

use std::process::Command;

fn huntbook() -> Command {
    Command::new(env!("CARGO_BIN_EXE_huntbook"))
}

fn demo() -> String {
    format!(
        "{}/data/msticpy/notebooks-data/demo_exchange_data.csv",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn scores_the_demo_data_as_csv() {
    let out = huntbook()
        .args(["-f", "csv", "sessions", "--input"])
        .arg(demo())
        .args([
            "--user",
            "UserId",
            "--user",
            "ClientIP",
            "--event",
            "Operation",
        ])
        .args([
            "--params",
            "Parameters",
            "--kind",
            "cmds_params_values",
            "--window",
            "2",
            "--top",
            "3",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "UserId,ClientIP,TimeGenerated_min,TimeGenerated_max,Operation_list,Parameters_list,duration,number_events,rarest_window2_likelihood,rarest_window2"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 3, "{text}");
    assert!(
        rows[1].contains("New-InboundConnector(Name=Githubrelay"),
        "{}",
        rows[1]
    );
    // lists as JSON text, durations in seconds
    assert!(
        rows[1].contains("[\"\"New-InboundConnector\"\"]"),
        "{}",
        rows[1]
    );
}

#[test]
fn sessions_only_and_html_view() {
    let out = huntbook()
        .args(["-f", "json", "sessions", "--input"])
        .arg(demo())
        .args([
            "--user",
            "UserId",
            "--event",
            "Operation",
            "--sessions-only",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v.as_array().unwrap();
    assert!(rows.len() > 100);
    assert!(rows[0].get("rarest_window3_likelihood").is_none());
    assert!(rows[0]["Operation_list"].is_array());

    let dir = std::env::temp_dir().join(format!("huntbook-anomseq-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join("sessions.html");
    let out = huntbook()
        .arg("-o")
        .arg(&page)
        .args(["sessions", "--input"])
        .arg(demo())
        .args(["--user", "UserId", "--event", "Operation", "--view", "html"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("<html"), "{}", &html[..200.min(html.len())]);
    assert!(html.contains("sessions by rarest window of 3 (cmds_only model)"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn errors_name_the_problem() {
    let out = huntbook()
        .args(["sessions", "--input"])
        .arg(demo())
        .args(["--user", "Nope", "--event", "Operation"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("column 'Nope' not found"), "{err}");
    let out = huntbook()
        .args(["sessions", "--input"])
        .arg(demo())
        .args([
            "--user",
            "UserId",
            "--event",
            "Operation",
            "--kind",
            "cmds_params",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("params_column"), "{err}");
}
