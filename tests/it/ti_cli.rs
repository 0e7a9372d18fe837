//! `huntbook ti` end to end: the binary with a local feed, a Sentinel export
//! and no settings.

use std::process::Command;

fn huntbook(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_huntbook"))
        .args(args)
        .env("MSTICPYCONFIG", "/nonexistent/msticpyconfig.yaml")
        .env("HUNTBOOK_CONFIG", "/nonexistent/huntbook.yaml")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run huntbook");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const FEED: &str = "data/msticpy/testdata-converted/as_threatintel.csv";

#[test]
fn lookup_values_with_a_feed_as_csv() {
    let (code, out, err) = huntbook(&[
        "ti",
        "lookup",
        "51.255.107.37",
        "8.8.8.8",
        "10.1.1.1",
        "--no-config",
        "--no-cache",
        "--feed",
        FEED,
        "-f",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "Ioc,IocType,SafeIoc,QuerySubtype,Provider,Result,Severity,Details,RawResult,Reference,Status,StatusText,Cached"
    );
    assert_eq!(lines.len(), 4);
    assert!(lines[1].starts_with("51.255.107.37,ipv4,51.255.107.37,,as_threatintel,true,high,"));
    assert!(lines[2].ends_with(",0,not found,false"));
    assert!(lines[3].ends_with(",2,IP address 10.1.1.1 is not global (private),false"));
    assert!(err.contains("ti: providers asked: as_threatintel"), "{err}");
}

#[test]
fn lookup_a_column_summary_and_html() {
    let (code, out, err) = huntbook(&[
        "ti",
        "lookup",
        "--input",
        FEED,
        "--column",
        "NetworkIP",
        "--no-config",
        "--no-cache",
        "--sentinel-export",
        "data/ti/threat_intel_indicators.csv",
        "--sentinel-table",
        "current",
        "--view",
        "summary",
        "-f",
        "ndjson",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 333);
    assert!(
        out.lines()
            .next()
            .unwrap()
            .contains("\"Ioc\":\"51.255.107.37\",\"IocType\":\"ipv4\",\"MaxSeverity\":\"high\"")
    );
    let dir = std::env::temp_dir().join(format!("hb-ti-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let html = dir.join("ti.html");
    let (code, _, err) = huntbook(&[
        "ti",
        "lookup",
        "51.255.107.37",
        "--no-config",
        "--no-cache",
        "--feed",
        "data/ti/sample_stix21.json",
        "--view",
        "html",
        "-o",
        html.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Providers asked: sample_stix21"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn providers_and_errors() {
    let (code, out, _) = huntbook(&[
        "ti",
        "providers",
        "--no-config",
        "--feed",
        "data/ti/sample_misp.json",
        "-f",
        "csv",
    ]);
    assert_eq!(code, 0);
    assert!(out.starts_with("Provider,Enabled,Online,IocTypes,QuerySubtypes,RateLimit,Description\nsample_misp,true,false,"));
    let (code, _, err) = huntbook(&["ti", "lookup", "1.2.3.4", "--no-config"]);
    assert_eq!(code, 1);
    assert!(err.contains("none enabled"), "{err}");
    let (code, _, err) = huntbook(&["ti", "lookup", "--no-config", "--feed", FEED]);
    assert_eq!(code, 1);
    assert!(
        err.contains("give IoC values, or --input FILE --column NAME"),
        "{err}"
    );
}
