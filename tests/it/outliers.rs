//! Isolation-forest outliers through the public API: planted outliers rank
//! first, a fixed seed gives the same result, fit on one frame and score
//! another, and bad input.

use huntbook::prelude::*;

/// 1,000 ordinary flows on a few ports and 4 planted unusual ones, each
/// unusual in every feature. (With MSTICPy's defaults each tree sees
/// ⌊√3⌋ = 1 feature and 100 sampled rows, and a value beyond the sample's
/// range isolates like the sample's own extreme value: a row unusual in one
/// feature only scores like the ordinary extremes of that feature.)
fn flows() -> DataFrame {
    let mut bytes = Vec::new();
    let mut port = Vec::new();
    let mut dur = Vec::new();
    let mut state = 12345u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as f64 / (1u64 << 31) as f64
    };
    for _ in 0..1000 {
        bytes.push(1500.0 + 500.0 * next());
        port.push([443.0, 80.0, 53.0][(next() * 3.0) as usize % 3]);
        dur.push(1.0 + next());
    }
    // planted: far from the ordinary flows in every feature
    bytes.extend([9.0e6, 10.0, 5.0e7, 1.0e5]);
    port.extend([31337.0, 1.0, 4444.0, 8080.0]);
    dur.extend([900.0, 0.001, 3600.0, 100.0]);
    df!("bytes" => bytes, "port" => port, "duration" => dur).unwrap()
}

const FEATURES: [&str; 3] = ["bytes", "port", "duration"];

#[test]
fn planted_outliers_are_the_top_scores() {
    let df = flows();
    let scored = IsolationForest::new()
        .fit(&df, FEATURES)
        .unwrap()
        .score(&df)
        .unwrap();
    let top = scored.top(4).unwrap();
    let mut b: Vec<f64> = top
        .column("bytes")
        .unwrap()
        .f64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    b.sort_by(f64::total_cmp);
    assert_eq!(b, [10.0, 1.0e5, 9.0e6, 5.0e7]);
    // every planted row is flagged; about 5% of the rows are
    let flagged = scored.outliers().unwrap();
    assert!(
        (45..=56).contains(&flagged.height()),
        "{}",
        flagged.height()
    );
    let flags: Vec<bool> = scored
        .df()
        .column("IsOutlier")
        .unwrap()
        .bool()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert!(flags[1000..].iter().all(|&f| f));
    // the flagged rows come most unusual first
    let s: Vec<f64> = flagged
        .column("OutlierScore")
        .unwrap()
        .f64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert!(s.windows(2).all(|w| w[0] >= w[1]));
    assert!(s.iter().all(|&v| v > scored.threshold()));
}

#[test]
fn fit_on_one_frame_score_another() {
    let train = flows().head(Some(1000)); // ordinary flows only
    let model = IsolationForest::new()
        .contamination(0.01)
        .fit(&train, FEATURES)
        .unwrap();
    let new = df!(
        "bytes" => [1700.0, 2.0e7],
        "port" => [443.0, 6667.0],
        "duration" => [1.5, 2.0],
        "host" => ["web01", "db02"],
    )
    .unwrap();
    let scored = model.score(&new).unwrap();
    let flags: Vec<bool> = scored
        .df()
        .column("IsOutlier")
        .unwrap()
        .bool()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert_eq!(flags, [false, true]);
    assert_eq!(
        scored.df().column("host").unwrap().str().unwrap().get(1),
        Some("db02")
    );
    // the MSTICPy-style one-call form
    let again = identify_outliers(&train, &new, FEATURES, 0.01).unwrap();
    assert!(again.df().equals(scored.df()));
}

#[test]
fn same_seed_same_scores() {
    let df = flows();
    let a = IsolationForest::new()
        .seed(9)
        .fit(&df, FEATURES)
        .unwrap()
        .score(&df)
        .unwrap();
    let b = IsolationForest::new()
        .seed(9)
        .fit(&df, FEATURES)
        .unwrap()
        .score(&df)
        .unwrap();
    assert!(a.df().equals(b.df()));
}

#[test]
fn options_and_bad_input() {
    let df = flows();
    let m = IsolationForest::new()
        .trees(10)
        .max_samples(256)
        .max_features(3)
        .fit(&df, FEATURES)
        .unwrap();
    assert_eq!(m.feature_columns(), FEATURES);
    let e = IsolationForest::new()
        .fit(&df, ["bytes", "nope"])
        .unwrap_err();
    assert!(e.to_string().contains("'nope'"));
    let text = df!("t" => ["a", "b"]).unwrap();
    assert!(IsolationForest::new().fit(&text, ["t"]).is_err());
    let nan = df!("v" => [1.0, f64::NAN]).unwrap();
    let e = IsolationForest::new().fit(&nan, ["v"]).unwrap_err();
    assert!(e.to_string().contains("'v' row 1"), "{e}");
    assert!(IsolationForest::new().trees(0).fit(&df, FEATURES).is_err());
    // a single row: fits, scores, flags nothing
    let one = df!("v" => [1.0]).unwrap();
    let s = IsolationForest::new()
        .fit(&one, ["v"])
        .unwrap()
        .score(&one)
        .unwrap();
    assert_eq!(s.outlier_count(), 0);
    // scoring a frame without the features
    let other = df!("x" => [1.0]).unwrap();
    assert!(m.score(&other).is_err());
}

#[test]
fn display_is_escaped() {
    let mut v: Vec<f64> = (0..60).map(|i| (i % 6) as f64).collect();
    v.push(1e9);
    let mut names: Vec<String> = (0..60).map(|i| format!("h{i}")).collect();
    names.push("<img src=x onerror=alert(1)>".into());
    let df = df!("v" => v, "name" => names).unwrap();
    let s = IsolationForest::new()
        .fit(&df, ["v"])
        .unwrap()
        .score(&df)
        .unwrap();
    let html = s.to_html();
    assert!(!html.contains("<img"));
    assert!(html.contains("&lt;img"));
    let chart = s
        .chart()
        .label_column("name")
        .build()
        .unwrap()
        .to_json()
        .unwrap();
    assert!(!chart.contains("<img"));
}
