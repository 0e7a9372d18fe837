//! `huntbook cluster` and `huntbook outliers` end to end on the bundled data.

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

fn procs() -> String {
    huntbook::data::bundled("msticpy/testdata/processes_on_host.csv")
        .unwrap()
        .display()
        .to_string()
}

fn flows() -> String {
    huntbook::data::bundled("msticpy/testdata/az_net_flows.csv")
        .unwrap()
        .display()
        .to_string()
}

#[test]
fn cluster_summary_as_csv() {
    let p = procs();
    let (code, out, err) =
        huntbook(&["cluster", "--input", &p, "--eps", "1e-4", "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("363 events: "), "{err}");
    let mut lines = out.lines();
    let header = lines.next().unwrap();
    assert!(
        header.ends_with(
            "isSystemSession,Clustered,ClusterId,ClusterSize,FirstEventTime,LastEventTime"
        ),
        "{header}"
    );
    // MSTICPy's documented default-feature result on this file: 62 rows
    // (CommandLine cells may span lines, so count records with polars)
    let dir = std::env::temp_dir().join(format!("hb-cluster-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("summary.csv");
    let (code, _, err) = huntbook(&[
        "cluster",
        "--input",
        &p,
        "--features",
        "pathScore,commandlineTokensFull,isSystemSession",
        "--eps",
        "1e-4",
        "--format",
        "csv",
        "-o",
        f.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let df = huntbook::data::read_file(&f).unwrap();
    assert_eq!(df.height(), 62);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn cluster_members_and_labels() {
    let p = procs();
    let (code, out, err) = huntbook(&[
        "cluster",
        "--input",
        &p,
        "--features",
        "pathHash,commandlineTokensHash,isSystemSession",
        "--eps",
        "1e-3",
        "--members",
        "-1",
        "--format",
        "ndjson",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 89);
    let (code, out, err) = huntbook(&[
        "cluster", "--input", &p, "--view", "labels", "--format", "ndjson",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 363);
    assert!(out.lines().all(|l| l.contains("\"ClusterId\":")));
    let (code, _, err) = huntbook(&["cluster", "--input", &p, "--members", "9999"]);
    assert_ne!(code, 0);
    assert!(err.contains("no such cluster"), "{err}");
}

#[test]
fn cluster_chart_page() {
    let p = procs();
    let (code, out, err) = huntbook(&[
        "cluster",
        "--input",
        &p,
        "--eps",
        "1e-4",
        "--view",
        "chart",
        "--label-column",
        "CommandLine",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("<!DOCTYPE html>"));
    assert!(out.contains("Plotly.newPlot"));
}

#[test]
fn cluster_bad_feature_is_a_clear_error() {
    let p = procs();
    let (code, _, err) = huntbook(&["cluster", "--input", &p, "--features", "CommandLine"]);
    assert_ne!(code, 0);
    assert!(err.contains("feature column 'CommandLine'"), "{err}");
}

#[test]
fn outliers_rows_and_only_outliers() {
    let f = flows();
    let feats = "DestPort,AllowedOutFlows,AllowedInFlows,TotalAllowedFlows";
    let (code, out, err) = huntbook(&[
        "outliers",
        "--input",
        &f,
        "--features",
        feats,
        "--format",
        "ndjson",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 460);
    assert!(out.lines().all(|l| l.contains("\"OutlierScore\":")));
    let (code, out2, err) = huntbook(&[
        "outliers",
        "--input",
        &f,
        "--features",
        feats,
        "--only-outliers",
        "--format",
        "ndjson",
    ]);
    assert_eq!(code, 0, "{err}");
    let n = out2.lines().count();
    assert!(n > 0 && n <= 46, "{n}");
    assert!(out2.lines().all(|l| l.contains("\"IsOutlier\":true")));
    // fit on one file, score another, deterministic
    let (code, out3, err) = huntbook(&[
        "outliers",
        "--train",
        &f,
        "--input",
        &f,
        "--features",
        feats,
        "--only-outliers",
        "--format",
        "ndjson",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out2, out3);
}

#[test]
fn outliers_chart_and_errors() {
    let f = flows();
    let (code, out, err) = huntbook(&[
        "outliers",
        "--input",
        &f,
        "--features",
        "AllowedOutFlows,TotalAllowedFlows",
        "--view",
        "chart",
        "--chart-features",
        "AllowedOutFlows,TotalAllowedFlows",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Plotly.newPlot"));
    let (code, _, err) = huntbook(&["outliers", "--input", &f, "--features", "Nope"]);
    assert_ne!(code, 0);
    assert!(err.contains("'Nope'"), "{err}");
    let (code, _, err) = huntbook(&[
        "outliers",
        "--input",
        &f,
        "--features",
        "DestPort",
        "--contamination",
        "0.9",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("contamination"), "{err}");
}
