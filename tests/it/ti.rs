//! Threat-intelligence lookups through the public API: the local feed (CSV,
//! STIX 2.1, MISP), Microsoft Sentinel TI over LocalData and over a KQL
//! driver, pre-checks, unsupported types, settings and secrets, the result
//! table, summary and HTML browser.

use huntbook::config::Settings;
use huntbook::data::drivers::{BoxFuture, Connection, Driver, QueryContext, QueryOutput};
use huntbook::data::query::params::Dialect;
use huntbook::enrich::ti::*;
use huntbook::prelude::*;
use std::sync::{Arc, Mutex};

fn ti() -> TiLookup {
    TiLookup::new().no_cache().progress(false)
}

fn as_threatintel() -> std::path::PathBuf {
    bundled("msticpy/testdata-converted/as_threatintel.csv").unwrap()
}

#[test]
fn local_feed_from_sentinel_csv_export() {
    let feed = LocalFeed::from_file(as_threatintel()).unwrap();
    // 333 IPv4 + 300 URL indicators, nothing skipped.
    assert_eq!(feed.stats().indicators, 633);
    assert_eq!(feed.stats().skipped, 0);
    let r = ti()
        .with_provider(feed)
        .lookup_iocs([
            "51.255.107.37",
            "http://colortown.pt/ldjivy78",
            "hxxp://colortown[.]pt/ldjivy78",
            "8.8.8.8",
            "10.0.0.1",
        ])
        .unwrap();
    let rows = r.rows();
    assert_eq!(rows.len(), 5);
    assert_eq!((rows[0].result, rows[0].severity), (true, Severity::High));
    assert_eq!(rows[0].details["Matches"], 1);
    assert_eq!(
        rows[0].details["Indicators"][0]["Description"],
        "IPv4 indicator from ransomwaretracker.RW_IPBL"
    );
    assert_eq!(rows[0].details["Indicators"][0]["Confidence"], 70.0);
    assert!(
        rows[1].result && rows[2].result,
        "defanged input is refanged"
    );
    assert_eq!(rows[2].ioc, "http://colortown.pt/ldjivy78");
    assert_eq!(
        (rows[3].result, rows[3].status_text.as_str()),
        (false, "not found")
    );
    assert_eq!(rows[4].status, LookupStatus::BadFormat);
    assert_eq!(
        rows[4].status_text,
        "IP address 10.0.0.1 is not global (private)"
    );
    assert_eq!(rows[4].status.code(), 2);
    assert_eq!(r.providers_run(), ["LocalFeed"]);
}

#[test]
fn local_feed_stix_bundle() {
    let feed = LocalFeed::from_file(bundled("ti/sample_stix21.json").unwrap()).unwrap();
    assert_eq!(feed.stats().indicators, 5);
    assert_eq!(feed.stats().skipped, 3, "{:?}", feed.stats().skip_reasons);
    let r = ti()
        .with_provider(feed.named("STIX"))
        .lookup_iocs([
            "51.255.107.37",
            "185.220.101.77",
            "huntbook-sample-phish.com",
            "http://huntbook-sample-phish.com/login.php",
            "03BD9A94482F180BB047626CB2F27CCF8DAA0E201345480B43585580E09C311B",
            "44d88612fea8a8f36de82e1278abb02f",
            "8.8.8.8",
        ])
        .unwrap();
    let got: Vec<(bool, Severity)> = r.rows().iter().map(|x| (x.result, x.severity)).collect();
    assert_eq!(
        got,
        [
            (true, Severity::High),    // confidence 90
            (true, Severity::Warning), // CIDR, confidence 40
            (true, Severity::High),    // OR pattern, confidence 75
            (true, Severity::High),
            (true, Severity::High),     // hash, upper case input
            (false, Severity::Unknown), // only in an AND pattern: skipped
            (false, Severity::Unknown), // revoked: skipped
        ]
    );
    assert_eq!(
        r.rows()[1].details["Indicators"][0]["Value"],
        "185.220.101.0/24"
    );
    assert_eq!(r.rows()[0].provider, "STIX");
}

#[test]
fn local_feed_misp_event() {
    let feed = LocalFeed::from_file(bundled("ti/sample_misp.json").unwrap()).unwrap();
    assert_eq!(feed.stats().indicators, 10);
    assert_eq!(feed.stats().skipped, 1);
    let r = ti()
        .with_provider(feed)
        .lookup_iocs([
            "185.22.67.27",
            "37.235.53.210",
            "cdn.huntbook-sample-c2.net",
            "91.219.236.18",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "billing@huntbook-sample-c2.net",
            "109.234.36.200",
            "109.234.37.1",
        ])
        .unwrap();
    let hits: Vec<bool> = r.rows().iter().map(|x| x.result).collect();
    assert_eq!(hits, [true, true, true, true, true, true, true, false]);
    // threat_level_id 1 is high; to_ids false makes the email inactive → information.
    assert_eq!(r.rows()[0].severity, Severity::High);
    assert_eq!(r.rows()[5].severity, Severity::Information);
    assert_eq!(
        r.rows()[0].details["Indicators"][0]["Source"],
        "huntbook sample CERT"
    );
    assert_eq!(r.rows()[0].details["Indicators"][0]["Description"], "C2");
}

#[test]
fn local_feed_bad_files_are_clear_errors() {
    let dir = std::env::temp_dir().join(format!("hb-ti-feed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let j = dir.join("x.json");
    std::fs::write(&j, r#"{"hello": 1}"#).unwrap();
    let e = LocalFeed::from_file(&j).unwrap_err().to_string();
    assert!(e.contains("neither a STIX 2.1 bundle"), "{e}");
    std::fs::write(&j, "{broken").unwrap();
    let e = LocalFeed::from_file(&j).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!("reading feed file '{}'", j.display())),
        "{e}"
    );
    let c = dir.join("x.csv");
    std::fs::write(&c, "a,b\n1,2\n").unwrap();
    let e = LocalFeed::from_file(&c).unwrap_err().to_string();
    assert!(e.contains("no indicator column"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sentinel_ti_retired_table_over_localdata() {
    let sti = SentinelTi::local_export(as_threatintel(), SentinelTiTable::Retired).unwrap();
    let items = [
        TiItem::new("51.255.107.37", huntbook::transform::ioc::IocType::Ipv4),
        TiItem::new("http://a.com/x'y", huntbook::transform::ioc::IocType::Url),
    ];
    let cols: Vec<String> = ["NetworkIP", "Url", "NetworkCidrBlock"]
        .map(String::from)
        .to_vec();
    assert_eq!(
        sti.sql(&items, &cols),
        "SELECT * FROM \"as_threatintel\" WHERE LOWER(CAST(\"NetworkIP\" AS VARCHAR)) IN ('51.255.107.37') OR LOWER(CAST(\"Url\" AS VARCHAR)) IN ('http://a.com/x''y') OR \"NetworkCidrBlock\" IS NOT NULL"
    );
    let r = ti()
        .with_provider(sti)
        .lookup_iocs([
            "51.255.107.37",
            "http://ecofloraholland.nl/JGHldb03m",
            "8.8.8.8",
        ])
        .unwrap();
    let rows = r.rows();
    assert_eq!(rows[0].provider, "MSSentinelTI");
    assert_eq!((rows[0].result, rows[0].severity), (true, Severity::High));
    assert_eq!(
        rows[0].reference,
        "ThreatIntelligenceIndicator in LocalData"
    );
    assert_eq!(
        rows[0].details["Indicators"][0]["Id"],
        "0D9377F9C17DB9CDD9BE14DEDDF5E8FE0B4B035158E589B545CE1F9B8A5CC92C"
    );
    assert!(rows[1].result);
    assert_eq!(rows[1].details["Indicators"][0]["Confidence"], 100.0);
    assert!(!rows[2].result);
}

#[test]
fn sentinel_ti_current_table_over_localdata() {
    let path = bundled("ti/threat_intel_indicators.csv").unwrap();
    let sti = SentinelTi::local_export(&path, SentinelTiTable::Current).unwrap();
    let r = ti()
        .with_provider(sti.clone())
        .lookup_iocs([
            "51.255.107.37",
            "huntbook-sample-c2.net",
            "03bd9a94482f180bb047626cb2f27ccf8daa0e201345480b43585580e09c311b",
            "185.22.67.27",
        ])
        .unwrap();
    let got: Vec<(bool, Severity)> = r.rows().iter().map(|x| (x.result, x.severity)).collect();
    assert_eq!(
        got,
        [
            (true, Severity::High),
            (true, Severity::Warning),
            (true, Severity::High),
            (true, Severity::Information), // inactive
        ]
    );
    assert_eq!(r.rows()[3].details["Indicators"][0]["Active"], false);
    // MSTICPy's behaviour: inactive indicators dropped.
    let r = ti()
        .with_provider(sti.active_only(true))
        .lookup_ioc("185.22.67.27")
        .unwrap();
    assert_eq!(
        (r.rows()[0].result, r.rows()[0].status_text.as_str()),
        (false, "not found (only inactive indicators)")
    );
}

/// A KQL driver standing in for Log Analytics: records the query and
/// answers with rows of the current table.
#[derive(Debug, Default)]
struct FakeSentinel {
    seen: Mutex<Vec<String>>,
}

impl Driver for FakeSentinel {
    fn environment(&self) -> &str {
        "MSSentinel"
    }
    fn dialect(&self) -> Dialect {
        Dialect::Kql
    }
    fn connect<'a>(&'a self, _c: &'a Connection) -> BoxFuture<'a, huntbook::Result<()>> {
        Box::pin(async { Ok(()) })
    }
    fn execute<'a>(
        &'a self,
        q: &'a str,
        _c: &'a QueryContext,
    ) -> BoxFuture<'a, huntbook::Result<QueryOutput>> {
        Box::pin(async move {
            self.seen.lock().unwrap().push(q.to_string());
            let df = df!(
                "Id" => ["indicator--1"],
                "ObservableKey" => ["ipv4-addr:value"],
                "ObservableValue" => ["51.255.107.37"],
                "Confidence" => [85i64],
                "IsActive" => [true],
            )
            .unwrap();
            Ok(QueryOutput::complete(df))
        })
    }
}

#[test]
fn sentinel_ti_sends_kql_to_a_workspace_driver() {
    let driver = Arc::new(FakeSentinel::default());
    let qp = QueryProvider::with_connection(driver.clone(), &Connection::new()).unwrap();
    let r = ti()
        .with_provider(SentinelTi::new(qp.clone()))
        .lookup_iocs(["51.255.107.37", "evil\"x.com", "huntbook-sample-c2.net"])
        .unwrap();
    assert!(r.rows()[0].result);
    assert_eq!(r.rows()[0].reference, "ThreatIntelIndicators in MSSentinel");
    let sent = driver.seen.lock().unwrap().clone();
    assert_eq!(
        sent,
        [
            "ThreatIntelIndicators\n| where ObservableValue in~ (\"51.255.107.37\", \"huntbook-sample-c2.net\")\n| summarize arg_max(TimeGenerated, *) by Id"
        ]
    );
    // The retired table, MSTICPy's only one, with its active filter.
    let sti = SentinelTi::new(qp)
        .table(SentinelTiTable::Retired)
        .active_only(true);
    let items = [
        TiItem::new("51.255.107.37", huntbook::transform::ioc::IocType::Ipv4),
        TiItem::new("evil.com", huntbook::transform::ioc::IocType::Dns),
    ];
    assert_eq!(
        sti.kql(&items),
        "ThreatIntelligenceIndicator\n| where Active == true and ExpirationDateTime > now()\n| where NetworkIP in~ (\"51.255.107.37\")\n    or NetworkSourceIP in~ (\"51.255.107.37\")\n    or NetworkDestinationIP in~ (\"51.255.107.37\")\n    or EmailSourceIpAddress in~ (\"51.255.107.37\")\n    or DomainName in~ (\"evil.com\")\n    or EmailSourceDomain in~ (\"evil.com\")\n| summarize arg_max(TimeGenerated, *) by IndicatorId"
    );
}

#[test]
fn unsupported_types_and_unknown_values_still_get_rows() {
    let feed = LocalFeed::from_file(as_threatintel()).unwrap();
    let r = ti()
        .with_provider(feed)
        .with_provider(huntbook::enrich::ti::providers::GreyNoise::community(
            huntbook::enrich::ti::providers::ApiConfig::new("http://127.0.0.1:9", None),
        ))
        .lookup_iocs(["evil.com", "not an ioc at all"])
        .unwrap();
    assert_eq!(r.rows().len(), 4);
    let gn = &r.rows()[1];
    assert_eq!(
        (gn.provider.as_str(), gn.status),
        ("GreyNoise", LookupStatus::NotSupported)
    );
    assert_eq!(gn.status_text, "GreyNoise does not look up dns");
    assert_eq!(r.rows()[2].ioc_type, "unknown");
    assert_eq!(
        r.rows()[2].status_text,
        "could not tell the IoC type (not an IP, domain, URL, email or hash)"
    );
    let s = r.summary().unwrap();
    assert_eq!(s.height(), 2);
    assert_eq!(s.column("Failed").unwrap().u32().unwrap().get(1), Some(2));
}

#[test]
fn lookup_a_frame_column() {
    let df =
        df!("ip" => [Some("51.255.107.37"), None, Some("51.255.107.37"), Some("185.22.67.27")])
            .unwrap();
    let r = ti()
        .with_provider(LocalFeed::from_file(as_threatintel()).unwrap())
        .lookup_df(&df, "ip")
        .unwrap();
    assert_eq!(r.df().height(), 2, "nulls skipped, duplicates once");
    let e = ti().lookup_df(&df, "nope").unwrap_err().to_string();
    assert_eq!(
        e,
        "column 'nope' not found in the input frame with columns [ip]"
    );
    // Typed column from the IoC extractor.
    let iocs = IocExtractor::new()
        .extract_df(
            &df!("CommandLine" => ["curl http://colortown.pt/ldjivy78 && ping 51.255.107.37"])
                .unwrap(),
            &["CommandLine"],
        )
        .unwrap();
    let r = ti()
        .with_provider(LocalFeed::from_file(as_threatintel()).unwrap())
        .lookup_df_typed(iocs.df(), "Observable", "IoCType")
        .unwrap();
    assert!(
        r.rows().iter().filter(|x| x.result).count() >= 2,
        "{:?}",
        r.df()
    );
}

#[test]
fn results_frame_columns_and_browser_escaping() {
    let dir = std::env::temp_dir().join(format!("hb-ti-xss-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("feed.csv");
    std::fs::write(
        &f,
        "indicator,description,severity\n51.255.107.37,\"<script>alert(1)</script>\",high\n",
    )
    .unwrap();
    let feed = LocalFeed::from_file(&f)
        .unwrap()
        .named("<img src=x onerror=alert(2)>");
    let r = ti()
        .with_provider(feed)
        .lookup_ioc("51.255.107.37")
        .unwrap();
    let cols: Vec<String> = r
        .df()
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        cols,
        [
            "Ioc",
            "IocType",
            "SafeIoc",
            "QuerySubtype",
            "Provider",
            "Result",
            "Severity",
            "Details",
            "RawResult",
            "Reference",
            "Status",
            "StatusText",
            "Cached"
        ]
    );
    let html = r.to_html();
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains("<img src=x"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("Providers asked: &lt;img src=x onerror=alert(2)&gt;"));
    assert!(html.contains("class=\"hb-ti-sev\""));
    let text = r.to_text();
    assert!(text.starts_with("Providers asked: <img"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn settings_build_providers_and_never_show_secrets() {
    let secret = "sup3r-s3cret-vt-key";
    // SAFETY-free: a unique variable name, set for this test only.
    let var = "HUNTBOOK_TI_TEST_OTX_KEY_UNSET_7731";
    let yaml = format!(
        "TIProviders:
  VirusTotal:
    Args:
      AuthKey: {secret}
      RateLimitPerMinute: 2
    Primary: True
    Provider: VirusTotal
  OTX:
    Args:
      AuthKey:
        EnvironmentVar: {var}
      BaseUrl: http://127.0.0.1:9
    Primary: True
    Provider: OTX
  Tor:
    Primary: False
    Provider: Tor
  Feed:
    Args:
      Paths: [{feed}]
    Primary: True
    Provider: LocalFeed
  AzureSentinel:
    Args:
      LocalExport: {feed}
      Table: retired
    Primary: True
    Provider: AzSTI
  Sentinel2:
    Provider: AzSTI
  Mystery:
    Provider: NoSuchThing
",
        feed = as_threatintel().display()
    );
    let settings = Settings::from_yaml_str(&yaml, "test.yaml").unwrap();
    let ti = TiLookup::from_settings(&settings)
        .unwrap()
        .no_cache()
        .progress(false);
    assert_eq!(
        ti.names(),
        ["VirusTotal", "OTX", "Tor", "Feed", "AzureSentinel"]
    );
    assert_eq!(ti.enabled(), ["VirusTotal", "OTX", "Feed", "AzureSentinel"]);
    assert_eq!(ti.notes().len(), 2);
    assert!(ti.notes()[0].starts_with("Sentinel2 skipped: "));
    assert!(ti.notes()[1].contains("unknown provider"));
    let p = ti.providers().unwrap();
    let limits: Vec<Option<&str>> = p
        .column("RateLimit")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(limits[0], Some("2/min"));
    assert_eq!(limits[1..3], [Some("600/min"), Some("unlimited")]);
    // The env var is unset: OTX rows say so, naming the variable, not a value.
    let r = ti
        .query(["51.255.107.37"])
        .providers(["OTX", "Feed"])
        .run()
        .unwrap();
    assert_eq!(
        r.rows()[0].status_text,
        format!(
            "AuthKey for OTX: invalid secret from environment variable '{var}': the variable is not set"
        )
    );
    assert!(r.rows()[1].result);
    // Nothing shows the inline key.
    let shown = format!(
        "{ti:?} {} {} {:?} {settings:?} {settings}",
        p.to_html(),
        r.to_html(),
        r.df()
    );
    assert!(!shown.contains(secret), "secret leaked");
    let err = ti.clone().enable("Nope").unwrap_err().to_string();
    assert!(!err.contains(secret));
    assert_eq!(
        err,
        "invalid TI provider 'Nope': not loaded (loaded: VirusTotal, OTX, Tor, Feed, AzureSentinel)"
    );
}

#[test]
fn msticpy_test_config_loads_what_huntbook_has() {
    let path = bundled("msticpy/testdata/msticpyconfig.yaml").unwrap();
    let settings = Settings::from_file(&path).unwrap();
    let ti = TiLookup::from_settings(&settings)
        .unwrap()
        .no_cache()
        .progress(false);
    assert_eq!(
        ti.names(),
        [
            "OTX",
            "VirusTotal",
            "XForce",
            "GreyNoise",
            "OPR",
            "Tor",
            "CrowdSec",
            "AbuseIPDB",
            "IPQualityScore"
        ]
    );
    // XForce has Primary: false.
    assert!(!ti.enabled().contains(&"XForce".to_string()));
    let skipped: Vec<&str> = ti
        .notes()
        .iter()
        .map(|n| n.split(' ').next().unwrap())
        .collect();
    assert_eq!(
        skipped,
        ["AzureSentinel", "RiskIQ", "IntSights", "BinaryEdge"]
    );
    assert!(ti.notes()[0].contains("not loaded (Provider: --no-load--)"));
    // No secret value in any view of it.
    let shown = format!("{ti:?} {}", ti.providers().unwrap().to_html());
    for s in [
        "987654321",
        "[PLACEHOLDER]",
        "69d28fd7-42a5-48bc-a619-af56397b9f28",
    ] {
        assert!(!shown.contains(s), "{s} shown");
    }
}
