//! Beaconing detection through the public API: a planted 60 s ± jitter
//! beacon among 1,000 random sources is ranked first; pure noise gives no
//! beacon at the default significance; bad input gives clear errors.

use huntbook::prelude::*;

/// splitmix64: a small deterministic generator for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const T0_MS: i64 = 1_704_067_200_000; // 2024-01-01 00:00:00 UTC
const SPAN_S: f64 = 3_600.0;

fn flows(seed: u64, with_beacon: bool) -> DataFrame {
    let mut rng = Rng(seed);
    let (mut t, mut src, mut dst) = (Vec::new(), Vec::new(), Vec::new());
    for s in 0..1000 {
        let source = format!("10.1.{}.{}", s / 250, s % 250);
        let dest = format!("198.51.100.{}", rng.below(50));
        let n = 6 + rng.below(35);
        for _ in 0..n {
            t.push(T0_MS + (rng.uniform() * SPAN_S * 1000.0) as i64);
            src.push(source.clone());
            dst.push(dest.clone());
        }
    }
    if with_beacon {
        let mut at = 30.0;
        while at < SPAN_S {
            let jitter = (rng.uniform() - 0.5) * 10.0; // ±5 s
            if rng.uniform() > 0.05 {
                t.push(T0_MS + ((at + jitter) * 1000.0) as i64);
                src.push("10.9.9.9".to_string());
                dst.push("203.0.113.66".to_string());
            }
            at += 60.0;
        }
    }
    df!("ms" => t, "SrcIP" => src, "DestIP" => dst)
        .unwrap()
        .lazy()
        .with_column(
            col("ms")
                .cast(DataType::Datetime(
                    TimeUnit::Milliseconds,
                    Some(TimeZone::UTC),
                ))
                .alias("TimeGenerated"),
        )
        .collect()
        .unwrap()
}

#[test]
fn planted_beacon_is_ranked_first() {
    let df = flows(7, true);
    let found = BeaconDetector::new().detect(&df).unwrap();
    let all = found.df();
    assert_eq!(all.height(), 1001);
    assert_eq!(
        all.column("SrcIP").unwrap().str().unwrap().get(0),
        Some("10.9.9.9")
    );
    assert_eq!(
        all.column("DestIP").unwrap().str().unwrap().get(0),
        Some("203.0.113.66")
    );
    let interval = all
        .column("dominant_interval")
        .unwrap()
        .f64()
        .unwrap()
        .get(0)
        .unwrap();
    assert!((interval - 60.0).abs() < 1.0, "{interval}");
    let p = all
        .column("p_adjusted")
        .unwrap()
        .f64()
        .unwrap()
        .get(0)
        .unwrap();
    assert!(p < 1e-10, "{p}");
    assert_eq!(found.count(), 1, "{}", found.df().head(Some(5)));
    let median = all
        .column("median_interval")
        .unwrap()
        .f64()
        .unwrap()
        .get(0)
        .unwrap();
    assert!((median - 60.0).abs() < 3.0, "{median}");

    let pg = BeaconDetector::new()
        .periodogram(&df, &["10.9.9.9", "203.0.113.66"])
        .unwrap();
    assert!((pg.dominant_interval - 60.0).abs() < 1.0);
    let chart = pg.chart().unwrap();
    assert_eq!(chart.trace_count(), 2);
    let html = found.to_html();
    assert!(html.contains("1001 pairs, 1 beacons"));
}

#[test]
fn pure_noise_has_no_beacon() {
    for seed in [1, 2] {
        let found = BeaconDetector::new().detect(&flows(seed, false)).unwrap();
        assert_eq!(
            found.count(),
            0,
            "seed {seed}: {}",
            found.df().head(Some(3))
        );
        assert_eq!(found.beacons().unwrap().height(), 0);
    }
}

#[test]
fn bad_input_and_small_pairs() {
    let df = df!(
        "TimeGenerated" => ["2024-01-01 00:00:00", "2024-01-01 00:01:00", "2024-01-01 00:02:00"],
        "SrcIP" => ["a", "a", "<script>"],
        "DestIP" => ["b", "b", "c"],
    )
    .unwrap();
    let found = BeaconDetector::new().detect(&df).unwrap();
    assert_eq!(found.df().height(), 2);
    assert_eq!(found.count(), 0);
    let notes: Vec<Option<&str>> = found
        .df()
        .column("note")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(
        notes,
        [
            Some("fewer than 6 connections"),
            Some("fewer than 6 connections")
        ]
    );
    assert!(!found.to_html().contains("<script>"));
    let e = BeaconDetector::new()
        .pair("src", "dst")
        .detect(&df)
        .unwrap_err();
    assert!(e.to_string().starts_with("column 'src' not found"), "{e}");
    let e = BeaconDetector::new()
        .significance(0.0)
        .detect(&df)
        .unwrap_err();
    assert!(e.to_string().contains("'significance'"));
    let e = BeaconDetector::new()
        .periodogram(&df, &["x", "y"])
        .unwrap_err();
    assert!(e.to_string().contains("no rows with these values"), "{e}");
    let e = BeaconDetector::new()
        .periodogram(&df, &["a", "b"])
        .unwrap_err();
    assert!(e.to_string().contains("fewer than 6 connections"), "{e}");
}

#[test]
fn long_spans_are_coarsened_to_bounded_bins() {
    // a 10-minute beacon over 30 days at 1 s resolution would be 2.6M bins
    let mut t = Vec::new();
    for i in 0..(30 * 144) {
        t.push(T0_MS + i * 600_000 + (i % 7) * 1000);
    }
    let n = t.len();
    let df = df!("ms" => t, "SrcIP" => vec!["h"; n], "DestIP" => vec!["c2"; n])
        .unwrap()
        .lazy()
        .with_column(
            col("ms")
                .cast(DataType::Datetime(TimeUnit::Milliseconds, None))
                .alias("TimeGenerated"),
        )
        .collect()
        .unwrap();
    let found = BeaconDetector::new().max_bins(100_000).detect(&df).unwrap();
    let res = found
        .df()
        .column("resolution")
        .unwrap()
        .f64()
        .unwrap()
        .get(0)
        .unwrap();
    assert!(res > 25.0 && res < 27.0, "{res}");
    let interval = found
        .df()
        .column("dominant_interval")
        .unwrap()
        .f64()
        .unwrap()
        .get(0)
        .unwrap();
    assert!((interval - 600.0).abs() < 5.0, "{interval}");
    assert_eq!(found.count(), 1);
}
