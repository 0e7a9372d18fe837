//! Differential tests against MSTICPy 3.0.2's golden time-series outputs
//! (`../shared/golden`): STL float components, `ts_anomalies_stl` with
//! default and custom parameters, and `extract_anomaly_periods`.

use huntbook::analysis::timeseries::{StlAnomalyDetector, ts_anomalies_stl};
use huntbook::prelude::*;
use std::path::PathBuf;

fn golden(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/golden")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} not found (needs ../shared)", p.display());
        None
    }
}

fn input() -> Option<DataFrame> {
    Some(read_file(golden("inputs/timeseries.csv")?).unwrap())
}

fn floats(df: &DataFrame, name: &str) -> Vec<f64> {
    df.column(name)
        .unwrap()
        .cast(&DataType::Float64)
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .map(|v| v.unwrap())
        .collect()
}

#[test]
fn stl_components_match_statsmodels() {
    let (Some(df), Some(gold)) = (input(), golden("outputs/ts_stl_components_float.csv")) else {
        return;
    };
    let gold = read_file(gold).unwrap();
    let r = StlAnomalyDetector::new()
        .value_column("TotalBytesSent")
        .detect(&df)
        .unwrap();
    let c = r.components();
    for (name, ours) in [
        ("trend", &c.trend),
        ("seasonal", &c.seasonal),
        ("resid", &c.resid),
        ("weights", &c.weights),
    ] {
        let want = floats(&gold, name);
        assert_eq!(want.len(), ours.len());
        for (i, (a, b)) in ours.iter().zip(&want).enumerate() {
            let rel = (a - b).abs() / b.abs().max(1e-9);
            assert!(
                rel < 1e-6 || (a - b).abs() < 1e-9,
                "{name}[{i}]: {a} vs {b}"
            );
        }
    }
    // float mode's columns are the components themselves
    assert_eq!(floats(r.df(), "residual"), c.resid);
}

fn compare_msticpy(gold_file: &str, detector: StlAnomalyDetector) {
    let (Some(df), Some(gold)) = (input(), golden(gold_file)) else {
        return;
    };
    let gold = read_file(gold).unwrap();
    let ours = detector.value_column("TotalBytesSent").detect(&df).unwrap();
    let ours = ours.df();
    assert_eq!(ours.height(), gold.height());
    let names: Vec<&str> = ours.get_column_names().iter().map(|c| c.as_str()).collect();
    assert_eq!(
        names,
        [
            "TimeGenerated",
            "TotalBytesSent",
            "residual",
            "trend",
            "seasonal",
            "weights",
            "baseline",
            "score",
            "anomalies"
        ]
    );
    for name in [
        "TotalBytesSent",
        "residual",
        "trend",
        "seasonal",
        "weights",
        "baseline",
        "anomalies",
    ] {
        assert_eq!(
            ours.column(name).unwrap().dtype(),
            &DataType::Int64,
            "{name}"
        );
        let (a, b) = (floats(ours, name), floats(&gold, name));
        for i in 0..a.len() {
            let tol = if name == "anomalies" { 0.0 } else { 1.0 };
            assert!(
                (a[i] - b[i]).abs() <= tol,
                "{gold_file} {name}[{i}]: {} vs {}",
                a[i],
                b[i]
            );
        }
    }
    let (a, b) = (floats(ours, "score"), floats(&gold, "score"));
    for i in 0..a.len() {
        assert!(
            (a[i] - b[i]).abs() < 0.02,
            "{gold_file} score[{i}]: {} vs {}",
            a[i],
            b[i]
        );
    }
}

#[test]
fn msticpy_mode_reproduces_ts_anomalies_stl_default() {
    compare_msticpy(
        "outputs/ts_anomalies_stl.default.csv",
        StlAnomalyDetector::msticpy(),
    );
}

#[test]
fn msticpy_mode_reproduces_seasonal_11_threshold_2_5() {
    compare_msticpy(
        "outputs/ts_anomalies_stl.s11_t2.5.csv",
        StlAnomalyDetector::msticpy()
            .seasonal(11)
            .score_threshold(2.5),
    );
}

#[test]
fn anomaly_periods_match_msticpy() {
    let (Some(df), Some(gold)) = (input(), golden("outputs/ts_anomaly_periods.json")) else {
        return;
    };
    let want: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(gold).unwrap()).unwrap();
    let r = ts_anomalies_stl(&df, "TotalBytesSent").unwrap();
    let periods = r.periods("1h", false).unwrap();
    let got: Vec<(String, String)> = periods
        .periods()
        .iter()
        .map(|p| {
            (
                p.start_utc()
                    .unwrap()
                    .format("%Y-%m-%dT%H:%M:%S+00:00")
                    .to_string(),
                p.end_utc()
                    .unwrap()
                    .format("%Y-%m-%dT%H:%M:%S+00:00")
                    .to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = want
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["start"].as_str().unwrap().to_string(),
                p["end"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert_eq!(
        periods.kql_filter(),
        "| where TimeGenerated between (datetime(2024-01-03T08:00:00Z) .. datetime(2024-01-03T10:00:00Z)) \
         or TimeGenerated between (datetime(2024-01-06T01:00:00Z) .. datetime(2024-01-06T03:00:00Z)) \
         or TimeGenerated between (datetime(2024-01-06T22:00:00Z) .. datetime(2024-01-07T00:00:00Z)) \
         or TimeGenerated between (datetime(2024-01-07T11:00:00Z) .. datetime(2024-01-07T13:00:00Z))"
    );
}

#[test]
fn msticpy_finds_its_three_anomalies_on_time_series_csv() {
    let path = huntbook::data::bundled("msticpy/testdata/time_series.csv").unwrap();
    let df = read_file(path).unwrap();
    let r = ts_anomalies_stl(&df, "TotalBytesSent").unwrap();
    let anomalies = r.anomalies().unwrap();
    let times: Vec<String> = anomalies
        .column(r.time_column())
        .unwrap()
        .as_materialized_series()
        .iter()
        .map(|v| v.to_string())
        .collect();
    assert_eq!(times.len(), 3, "{anomalies}");
    for (got, want) in times.iter().zip([
        "2019-05-13 17:00:00",
        "2019-05-17 21:00:00",
        "2019-05-26 05:00:00",
    ]) {
        assert!(got.contains(want), "{got} vs {want}");
    }
    let flags: Vec<i64> = anomalies
        .column("anomalies")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert_eq!(flags, [1, 1, 1]);
}
