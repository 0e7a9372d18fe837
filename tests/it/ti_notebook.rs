//! The code of `notebooks/threat-intel.ipynb`, run as a test so the
//! notebook's cells are known to compile and work offline on the bundled data.

use huntbook::enrich::ti::{Clock, ManualClock, RateLimiter};
use huntbook::prelude::*;

#[test]
fn notebook_cells() -> Result<(), Box<dyn std::error::Error>> {
    let hb = Huntbook::new()?;
    let settings = Settings::from_yaml_str("", "no settings")?;
    let configured = TiLookup::from_settings(&settings)?
        .progress(false)
        .no_cache();
    let online: Vec<String> = configured.enabled();
    assert!(online.is_empty());
    let _ = configured.providers()?;

    let sentinel_export =
        LocalFeed::from_file(hb.data_path("msticpy/testdata-converted/as_threatintel.csv")?)?
            .named("SentinelExport");
    let stix = LocalFeed::from_file(hb.data_path("ti/sample_stix21.json")?)?.named("STIX sample");
    let misp = LocalFeed::from_file(hb.data_path("ti/sample_misp.json")?)?.named("MISP sample");
    assert_eq!(
        (
            sentinel_export.stats().indicators,
            stix.stats().indicators,
            misp.stats().indicators
        ),
        (633, 5, 10)
    );
    let sentinel = SentinelTi::local_export(
        hb.data_path("ti/threat_intel_indicators.csv")?,
        SentinelTiTable::Current,
    )?;
    let ti = configured
        .clone()
        .with_provider(sentinel_export)
        .with_provider(stix)
        .with_provider(misp)
        .with_provider(sentinel);
    assert_eq!(ti.providers()?.height(), 4);

    let results = ti.lookup_iocs([
        "51.255.107.37",
        "hxxp://colortown[.]pt/ldjivy78",
        "huntbook-sample-c2.net",
        "185.220.101.77",
        "03bd9a94482f180bb047626cb2f27ccf8daa0e201345480b43585580e09c311b",
        "8.8.8.8",
        "10.0.0.5",
        "00000000000000000000000000000000",
    ])?;
    assert_eq!(results.rows().len(), 32);
    assert_eq!(
        results.providers_run(),
        [
            "SentinelExport",
            "STIX sample",
            "MISP sample",
            "MSSentinelTI"
        ]
    );
    let html = results.browser().to_html();
    assert!(
        html.contains("Providers asked: SentinelExport, STIX sample, MISP sample, MSSentinelTI")
    );

    let s = results.summary()?;
    let max: Vec<&str> = s.column("MaxSeverity")?.str()?.iter().flatten().collect();
    assert_eq!(
        max,
        [
            "high", "high", "high", "warning", "high", "unknown", "unknown", "unknown"
        ]
    );
    let hits = fresh(results.df())
        .lazy()
        .filter(col("Result"))
        .select([
            col("Ioc"),
            col("Provider"),
            col("Severity"),
            col("StatusText"),
        ])
        .collect()?;
    assert_eq!(hits.height(), 11);

    let alerts = df!("Message" => [
        "beacon from WKS-17 to 51.255.107.37:443 every 60s",
        "user clicked hxxp://ecofloraholland[.]nl/JGHldb03m in a mail from billing@huntbook-sample-c2.net",
        "dropper 03bd9a94482f180bb047626cb2f27ccf8daa0e201345480b43585580e09c311b quarantined",
    ])?;
    let found = IocExtractor::new().extract_df(&alerts, &["Message"])?;
    let from_logs = ti.lookup_df_typed(found.df(), "Observable", "IoCType")?;
    let s = from_logs.summary()?;
    let hits: Vec<u32> = s.column("Hits")?.u32()?.iter().flatten().collect();
    assert!(hits.iter().filter(|h| **h > 0).count() >= 4, "{s}");

    let retired = SentinelTi::local_export(
        hb.data_path("msticpy/testdata-converted/as_threatintel.csv")?,
        SentinelTiTable::Retired,
    )?;
    let current = SentinelTi::local_export(
        hb.data_path("ti/threat_intel_indicators.csv")?,
        SentinelTiTable::Current,
    )?
    .named("Current (active only)")
    .active_only(true);
    let both = TiLookup::new()
        .no_cache()
        .progress(false)
        .with_provider(retired)
        .with_provider(current);
    let r = both.lookup_iocs(["51.255.107.37", "185.22.67.27"])?;
    let v = r
        .df()
        .select(["Ioc", "Provider", "Result", "Severity", "StatusText"])?;
    let res: Vec<bool> = v.column("Result")?.bool()?.iter().flatten().collect();
    assert_eq!(res, [true, true, true, false]);

    let clock = ManualClock::new();
    let mut limiter = RateLimiter::new(RateLimit::new().per_minute(4).per_day(500));
    let mut sent_at = Vec::new();
    for _ in 0..10 {
        while let Err(wait) = limiter.try_acquire(clock.now()) {
            clock.advance(wait);
        }
        sent_at.push(clock.now().as_secs() as i64);
    }
    assert_eq!(sent_at, [0, 0, 0, 0, 60, 60, 60, 60, 120, 120]);
    let _ = df!("request" => (1..=10i64).collect::<Vec<_>>(), "sent_at_second" => sent_at.clone())?;
    Ok(())
}
