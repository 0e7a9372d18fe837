//! Event clustering through the public API: MSTICPy goldens (features,
//! labels, dbcluster_events summaries), MSTICPy's documented results on
//! processes_on_host.csv, bad input, and the memory-safe path on repetitive
//! data.

use huntbook::analysis::cluster::{DEFAULT_PROCESS_FEATURES, EventClusterer, add_process_features};
use huntbook::prelude::*;
use std::path::{Path, PathBuf};

fn golden_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/golden");
    if dir.exists() {
        Some(dir)
    } else {
        println!("skipping: ../shared/golden is absent");
        None
    }
}

/// A CSV with every column read as text (the goldens' exact spelling).
fn read_text_csv(path: &Path) -> DataFrame {
    CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .unwrap()
        .finish()
        .unwrap()
}

fn strings(df: &DataFrame, col: &str) -> Vec<String> {
    df.column(col)
        .unwrap()
        .as_materialized_series()
        .cast(&DataType::String)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|s| s.unwrap_or("").to_string())
        .collect()
}

fn ints(df: &DataFrame, col: &str) -> Vec<i64> {
    df.column(col)
        .unwrap()
        .as_materialized_series()
        .cast(&DataType::Int64)
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect()
}

fn floats(df: &DataFrame, col: &str) -> Vec<f64> {
    df.column(col)
        .unwrap()
        .as_materialized_series()
        .cast(&DataType::Float64)
        .unwrap()
        .f64()
        .unwrap()
        .into_no_null_iter()
        .collect()
}

/// The golden input, read as text so `SubjectLogonId` etc. keep their spelling.
fn golden_input(dir: &Path) -> DataFrame {
    read_text_csv(&dir.join("inputs/cluster_procs.csv"))
}

#[test]
fn process_features_equal_msticpy() {
    let Some(dir) = golden_dir() else { return };
    let feats = add_process_features(&golden_input(&dir)).unwrap();
    let want = read_text_csv(&dir.join("outputs/cluster_features.csv"));
    assert_eq!(feats.height(), 60);
    assert_eq!(
        strings(&feats, "processName"),
        strings(&want, "processName")
    );
    for c in [
        "pathScore",
        "pathHash",
        "commandlineLen",
        "commandlineTokensFull",
        "commandlineScore",
        "commandlineTokensHash",
    ] {
        let w: Vec<i64> = strings(&want, c)
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(ints(&feats, c), w, "column {c}");
    }
    for c in ["pathLogScore", "commandlineLogLen"] {
        let w: Vec<f64> = strings(&want, c)
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        // Python's repr round-trips, so equal floats parse to equal bits
        assert_eq!(floats(&feats, c), w, "column {c}");
    }
    let sys: Vec<String> = strings(&feats, "isSystemSession")
        .into_iter()
        .map(|s| {
            if s == "true" {
                "True".into()
            } else {
                "False".into()
            }
        })
        .collect();
    assert_eq!(sys, strings(&want, "isSystemSession"));
}

fn golden_clusters(dir: &Path, cols: &[&str], eps: f64, min: usize) -> EventClusters {
    let feats = add_process_features(&golden_input(dir)).unwrap();
    EventClusterer::new(cols.iter().copied())
        .eps(eps)
        .min_samples(min)
        .time_column("TimeGenerated")
        .cluster(&feats)
        .unwrap()
}

#[test]
fn labels_and_normalised_vectors_equal_msticpy() {
    let Some(dir) = golden_dir() else { return };
    let r = golden_clusters(&dir, &DEFAULT_PROCESS_FEATURES, 1e-4, 2);
    let want = read_text_csv(&dir.join("outputs/cluster_labels.csv"));
    let labels: Vec<i64> = strings(&want, "label")
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    // same numbering as scikit-learn, not only the same partition
    assert_eq!(r.labels(), labels.as_slice());
    let x = r.feature_frame().unwrap();
    for c in DEFAULT_PROCESS_FEATURES {
        let w: Vec<f64> = strings(&want, &format!("x_norm_{c}"))
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let got = floats(&x, &format!("x_{c}"));
        for (g, w) in got.iter().zip(&w) {
            assert!((g - w).abs() <= 1e-15, "x_norm_{c}: {g} vs {w}");
        }
    }
}

/// Compares our summary with a `cluster_dbcluster_events*.csv` golden:
/// the same rows (source index), ids, sizes, flags, and for clusters the
/// same first/last times. Noise rows differ on purpose: MSTICPy overwrites
/// every noise row's TimeGenerated with the earliest noise time and gives
/// each the span of all noise; huntbook keeps the row's own time.
fn check_summary(r: &EventClusters, want: &DataFrame, input: &DataFrame) {
    let df = r.df();
    assert_eq!(df.height(), want.height());
    let src: Vec<i64> = r.summary_source_rows().iter().map(|&v| v as i64).collect();
    let wsrc: Vec<i64> = strings(want, "src_index")
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(src, wsrc);
    let wid: Vec<i64> = strings(want, "ClusterId")
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(ints(df, "ClusterId"), wid);
    let wsize: Vec<i64> = strings(want, "ClusterSize")
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(ints(df, "ClusterSize"), wsize);
    let clustered: Vec<String> = strings(df, "Clustered")
        .into_iter()
        .map(|s| {
            if s == "true" {
                "True".into()
            } else {
                "False".into()
            }
        })
        .collect();
    assert_eq!(clustered, strings(want, "Clustered"));
    let own_time = strings(input, "TimeGenerated");
    let (first, last) = (strings(df, "FirstEventTime"), strings(df, "LastEventTime"));
    let (wfirst, wlast) = (
        strings(want, "FirstEventTime"),
        strings(want, "LastEventTime"),
    );
    let time = strings(df, "TimeGenerated");
    for i in 0..df.height() {
        if wid[i] >= 0 {
            assert_eq!(first[i], wfirst[i], "row {i}");
            assert_eq!(last[i], wlast[i], "row {i}");
            assert_eq!(time[i], own_time[src[i] as usize]);
        } else {
            let own = &own_time[src[i] as usize];
            assert_eq!((&time[i], &first[i], &last[i]), (own, own, own));
        }
    }
}

#[test]
fn dbcluster_events_equal_msticpy_default() {
    let Some(dir) = golden_dir() else { return };
    let r = golden_clusters(&dir, &DEFAULT_PROCESS_FEATURES, 1e-4, 2);
    let want = read_text_csv(&dir.join("outputs/cluster_dbcluster_events.csv"));
    check_summary(&r, &want, &golden_input(&dir));
    assert_eq!(r.cluster_count(), 15);
    assert_eq!(r.noise_count(), 11);
}

#[test]
fn dbcluster_events_equal_msticpy_eps_0_001_min_3() {
    let Some(dir) = golden_dir() else { return };
    let cols = ["commandlineTokensFull", "pathScore", "commandlineScore"];
    let r = golden_clusters(&dir, &cols, 1e-3, 3);
    let want = read_text_csv(&dir.join("outputs/cluster_dbcluster_events.eps0.001_min3.csv"));
    check_summary(&r, &want, &golden_input(&dir));
}

fn processes_on_host() -> DataFrame {
    let procs = read_file(bundled("msticpy/testdata/processes_on_host.csv").unwrap()).unwrap();
    add_process_features(&procs).unwrap()
}

#[test]
fn processes_on_host_score_features_match_msticpy_docs() {
    // MSTICPy docs: [pathScore, commandlineTokensFull, isSystemSession], eps 1e-4
    let feats = processes_on_host();
    let r = EventClusterer::new(["pathScore", "commandlineTokensFull", "isSystemSession"])
        .eps(1e-4)
        .cluster(&feats)
        .unwrap();
    assert_eq!(r.df().height(), 62);
    let largest = ints(r.df(), "ClusterSize").into_iter().max().unwrap();
    assert_eq!(largest, 71);
    // expanding the largest cluster gives its 71 events
    let id = r
        .df()
        .column("ClusterId")
        .unwrap()
        .i64()
        .unwrap()
        .get(
            ints(r.df(), "ClusterSize")
                .iter()
                .position(|&s| s == 71)
                .unwrap(),
        )
        .unwrap();
    assert_eq!(r.members(id).unwrap().height(), 71);
    let total: i64 = ints(r.df(), "ClusterSize").iter().sum();
    assert_eq!(total, 363);
}

#[test]
fn processes_on_host_hash_features_match_msticpy_docs() {
    // MSTICPy docs: [pathHash, commandlineTokensHash, isSystemSession], eps 1e-3
    let feats = processes_on_host();
    let r = EventClusterer::new(["pathHash", "commandlineTokensHash", "isSystemSession"])
        .eps(1e-3)
        .cluster(&feats)
        .unwrap();
    assert_eq!(r.df().height(), 121);
    assert_eq!(r.noise_count(), 89);
}

#[test]
fn bad_and_edge_input() {
    // all-identical rows: one cluster holding every event
    let same = df!("a" => [1.0; 10], "b" => [true; 10]).unwrap();
    let r = EventClusterer::new(["a", "b"]).cluster(&same).unwrap();
    assert_eq!(
        (r.cluster_count(), r.noise_count(), r.distinct_vectors()),
        (1, 0, 1)
    );
    assert_eq!(ints(r.df(), "ClusterSize"), [10]);

    // NaN and null features: an error naming column and row
    let nan = df!("a" => [1.0, f64::NAN, 2.0]).unwrap();
    let e = EventClusterer::new(["a"])
        .cluster(&nan)
        .unwrap_err()
        .to_string();
    assert!(e.contains("feature column 'a' row 1"), "{e}");
    let null = df!("a" => [Some(1i64), None]).unwrap();
    let e = EventClusterer::new(["a"])
        .cluster(&null)
        .unwrap_err()
        .to_string();
    assert!(e.contains("null"), "{e}");

    // empty frame: an empty summary with the output columns
    let empty = df!("TimeGenerated" => Vec::<i64>::new(), "a" => Vec::<f64>::new()).unwrap();
    let r = EventClusterer::new(["a"]).cluster(&empty).unwrap();
    assert_eq!(r.df().height(), 0);
    for c in [
        "Clustered",
        "ClusterId",
        "ClusterSize",
        "FirstEventTime",
        "LastEventTime",
    ] {
        assert!(r.df().column(c).is_ok(), "{c}");
    }
    let f = add_process_features(&df!("NewProcessName" => Vec::<String>::new()).unwrap()).unwrap();
    assert_eq!(f.height(), 0);

    // a single row: noise with min_samples 2, its own cluster with 1
    let one = df!("a" => [3.0]).unwrap();
    let r = EventClusterer::new(["a"]).cluster(&one).unwrap();
    assert_eq!((r.cluster_count(), r.noise_count()), (0, 1));
    let r = EventClusterer::new(["a"])
        .min_samples(1)
        .cluster(&one)
        .unwrap();
    assert_eq!((r.cluster_count(), r.noise_count()), (1, 0));

    // options and columns
    assert!(
        EventClusterer::new(["a"])
            .min_samples(0)
            .cluster(&one)
            .is_err()
    );
    assert!(
        EventClusterer::new(["a"])
            .eps(f64::NAN)
            .cluster(&one)
            .is_err()
    );
    let e = EventClusterer::new(["a"])
        .time_column("When")
        .cluster(&one)
        .unwrap_err();
    assert!(e.to_string().contains("'When'"));
}

#[test]
fn repetitive_events_collapse_to_few_vectors() {
    // 50,000 events of 5 patterns with different hosts and GUIDs in the
    // command line: the features ignore the variable parts.
    let n = 50_000;
    let mut path = Vec::with_capacity(n);
    let mut cmd = Vec::with_capacity(n);
    let mut logon = Vec::with_capacity(n);
    for i in 0..n {
        let k = i % 5;
        path.push(format!("C:\\Windows\\System32\\tool{k}.exe"));
        cmd.push(format!(
            "tool{k}.exe -host srv{:04}.corp -id {:08x}-aaaa-bbbb-cccc-{:012x}",
            i % 997,
            i,
            i * 7
        ));
        logon.push(if k == 0 { "0x3e7" } else { "0x1234" });
    }
    let df =
        df!("NewProcessName" => path, "CommandLine" => cmd, "SubjectLogonId" => logon).unwrap();
    let feats = add_process_features(&df).unwrap();
    let r = EventClusterer::new(DEFAULT_PROCESS_FEATURES)
        .eps(1e-4)
        .cluster(&feats)
        .unwrap();
    assert!(r.distinct_vectors() <= 10, "{}", r.distinct_vectors());
    assert_eq!(r.noise_count(), 0);
    let total: i64 = ints(r.df(), "ClusterSize").iter().sum();
    assert_eq!(total, n as i64);
}

#[test]
fn display_is_escaped() {
    let df = df!("a" => [1.0, 1.0, 5.0], "CommandLine" => ["x", "x", "<script>alert(1)</script>"])
        .unwrap();
    let r = EventClusterer::new(["a"])
        .normalize(false)
        .cluster(&df)
        .unwrap();
    let html = r.to_html();
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("&lt;script&gt;"));
    assert!(
        r.to_text()
            .starts_with("3 events: 1 clusters, 1 noise events")
    );
}
