//! `huntbook timeseries` and `huntbook beacons` through the binary.

use std::process::Command;

fn huntbook(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_huntbook"))
        .args(args)
        .output()
        .expect("run huntbook");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn series() -> String {
    format!(
        "{}/data/msticpy/testdata/time_series.csv",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn timeseries_msticpy_anomalies_as_csv() {
    let (ok, out, err) = huntbook(&[
        "timeseries",
        "--input",
        &series(),
        "--value",
        "TotalBytesSent",
        "--msticpy",
        "--view",
        "anomalies",
        "--format",
        "csv",
    ]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "TimeGenerated,TotalBytesSent,residual,trend,seasonal,weights,baseline,score,anomalies"
    );
    assert_eq!(lines.len(), 4, "{out}");
    assert!(lines[1].starts_with("2019-05-13T17:00:00"), "{}", lines[1]);
    assert!(lines[2].starts_with("2019-05-17T21:00:00"));
    assert!(lines[3].starts_with("2019-05-26T05:00:00"));
}

#[test]
fn timeseries_kql_periods_and_cycles() {
    let (ok, out, err) = huntbook(&[
        "timeseries",
        "--input",
        &series(),
        "--value",
        "TotalBytesSent",
        "--msticpy",
        "--view",
        "kql",
    ]);
    assert!(ok, "{err}");
    assert_eq!(
        out.trim(),
        "| where TimeGenerated between (datetime(2019-05-13T16:00:00Z) .. datetime(2019-05-13T18:00:00Z)) \
         or TimeGenerated between (datetime(2019-05-17T20:00:00Z) .. datetime(2019-05-17T22:00:00Z)) \
         or TimeGenerated between (datetime(2019-05-26T04:00:00Z) .. datetime(2019-05-26T06:00:00Z))"
    );
    let (ok, out, err) = huntbook(&[
        "timeseries",
        "--input",
        &series(),
        "--value",
        "TotalBytesSent",
        "--view",
        "cycles",
        "--format",
        "csv",
    ]);
    assert!(ok, "{err}");
    assert!(out.lines().nth(1).unwrap().starts_with("168.0,"), "{out}");
}

#[test]
fn timeseries_resamples_events_and_reports_errors() {
    let dir = std::env::temp_dir().join(format!("hb-ts-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let events = dir.join("events.csv");
    let mut text = String::from("TimeGenerated,Host\n");
    for h in 0..72 {
        for k in 0..(5 + (h % 24) / 2) {
            text.push_str(&format!(
                "2024-01-{:02} {:02}:{:02}:00,h1\n",
                1 + h / 24,
                h % 24,
                k
            ));
        }
    }
    text.push_str("2024-01-02 13:30:00,h1\n".repeat(200).as_str());
    std::fs::write(&events, text).unwrap();
    let p = events.to_str().unwrap();
    let (ok, out, err) = huntbook(&[
        "timeseries",
        "--input",
        p,
        "--resample",
        "1h",
        "--robust",
        "--view",
        "anomalies",
        "--format",
        "csv",
    ]);
    assert!(ok, "{err}");
    let spike = out
        .lines()
        .find(|l| l.starts_with("2024-01-02T13:00:00"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        spike.starts_with("2024-01-02T13:00:00.000000+0000,211,"),
        "{spike}"
    );
    assert!(spike.ends_with(",1"), "{spike}");
    let (ok, _, err) = huntbook(&["timeseries", "--input", p, "--value", "Host"]);
    assert!(!ok);
    assert!(err.contains("value column 'Host'"), "{err}");
    let (ok, _, err) = huntbook(&[
        "timeseries",
        "--input",
        p,
        "--resample",
        "1h",
        "--period",
        "x",
    ]);
    assert!(!ok);
    assert!(err.contains("--period 'x'"), "{err}");
    let html = dir.join("ts.html");
    let (ok, _, err) = huntbook(&[
        "timeseries",
        "--input",
        p,
        "--resample",
        "1h",
        "--view",
        "html",
        "-o",
        html.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(
        std::fs::read_to_string(&html)
            .unwrap()
            .contains("Plotly.newPlot")
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// splitmix64's output function: well-mixed pseudo-random numbers.
fn mix(i: u64) -> u64 {
    let mut z = i.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[test]
fn beacons_ranks_a_timer() {
    let dir = std::env::temp_dir().join(format!("hb-beacon-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let flows = dir.join("flows.csv");
    let mut text = String::from("TimeGenerated,SrcIP,DestIP\n");
    for i in 0..120u64 {
        let s = i * 30 + (i * 7) % 3;
        text.push_str(&format!(
            "2024-01-01 {:02}:{:02}:{:02},10.0.0.5,203.0.113.7\n",
            s / 3600,
            s / 60 % 60,
            s % 60
        ));
        let r = mix(i) % 3600;
        text.push_str(&format!(
            "2024-01-01 {:02}:{:02}:{:02},10.0.0.9,198.51.100.1\n",
            r / 3600,
            r / 60 % 60,
            r % 60
        ));
    }
    std::fs::write(&flows, text).unwrap();
    let p = flows.to_str().unwrap();
    let (ok, out, err) = huntbook(&["beacons", "--input", p, "--format", "csv"]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[1].starts_with("10.0.0.5,203.0.113.7,120,"),
        "{}",
        lines[1]
    );
    let (ok, out, err) = huntbook(&["beacons", "--input", p, "--all", "--format", "csv"]);
    assert!(ok, "{err}");
    assert_eq!(out.lines().count(), 3);
    let html = dir.join("pg.html");
    let (ok, _, err) = huntbook(&[
        "beacons",
        "--input",
        p,
        "--plot",
        "10.0.0.5,203.0.113.7",
        "-o",
        html.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    assert!(
        std::fs::read_to_string(&html)
            .unwrap()
            .contains("periodogram of 10.0.0.5")
    );
    let (ok, _, err) = huntbook(&["beacons", "--input", p, "--plot", "nope"]);
    assert!(!ok);
    assert!(err.contains("expected SOURCE,DESTINATION"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
