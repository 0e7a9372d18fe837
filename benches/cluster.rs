//! Event clustering on MSTICPy's peer-bench input (`cluster_procs_N.csv`
//! from `bash scripts/bench-data`). MSTICPy 3.0.2
//! (../shared/bench/msticpy/RESULTS.md): `add_process_features` 16,785
//! rows/s and `dbcluster_events` (features [commandlineTokensFull,
//! pathScore, isSystemSession], eps 1e-4) 30,994 rows/s at 100k rows with a
//! 4.1 GB peak; it could not run 1M rows.
//!
//! The 1M-row input is the 100k file repeated 10 times, each copy with its
//! own host name and every digit of the command lines shifted (new ids,
//! GUID-like numbers), so the command lines vary as on a real fleet. The
//! frame is read once outside the timing. Peak resident memory (VmHWM) of
//! the bench process is printed after the 100k cases and after the 1M case.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use huntbook::analysis::cluster::DEFAULT_PROCESS_FEATURES;
use huntbook::prelude::*;
use std::hint::black_box;

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn clusterer() -> EventClusterer {
    EventClusterer::new(DEFAULT_PROCESS_FEATURES)
        .eps(1e-4)
        .time_column("TimeGenerated")
}

/// The 100k frame repeated 10 times with varied hosts and ids.
fn million(df: &DataFrame) -> DataFrame {
    let mut parts = Vec::new();
    for k in 0..10u32 {
        let host = format!("SRV-{k:02}.corp.contoso.com");
        let cmd: Vec<Option<String>> = df
            .column("CommandLine")
            .expect("CommandLine")
            .str()
            .expect("text")
            .iter()
            .map(|s| {
                s.map(|s| {
                    s.chars()
                        .map(|c| match c.to_digit(10) {
                            Some(d) => char::from_digit((d + k) % 10, 10).unwrap_or(c),
                            None => c,
                        })
                        .collect()
                })
            })
            .collect();
        let mut part = df.clone();
        part.with_column(Column::new("CommandLine".into(), cmd))
            .expect("CommandLine");
        part.with_column(Column::new(
            "Computer".into(),
            vec![host.as_str(); df.height()],
        ))
        .expect("Computer");
        parts.push(part);
    }
    let mut all = parts.remove(0);
    for p in &parts {
        all.vstack_mut(p).expect("vstack");
    }
    all.align_chunks();
    all
}

fn bench(c: &mut Criterion) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench-data");
    let path = format!("{dir}/cluster_procs_100000.csv");
    if !std::path::Path::new(&path).exists() {
        println!("skipped: {path} not found (run `bash scripts/bench-data`)");
        return;
    }
    let raw = read_csv(&path).expect("bench input");
    let feats = add_process_features(&raw).expect("features");
    let r = clusterer().cluster(&feats).expect("clusters");
    println!("100k: {}", r.description());

    let mut g = c.benchmark_group("cluster_100k");
    g.throughput(Throughput::Elements(raw.height() as u64));
    g.sample_size(10);
    g.bench_function("add_process_features", |b| {
        b.iter(|| add_process_features(black_box(&raw)).expect("features"))
    });
    g.bench_function("dbcluster_events", |b| {
        b.iter(|| clusterer().cluster(black_box(&feats)).expect("clusters"))
    });
    g.bench_function("features_and_cluster", |b| {
        b.iter(|| {
            let f = add_process_features(black_box(&raw)).expect("features");
            clusterer().cluster(&f).expect("clusters")
        })
    });
    g.bench_function("isolation_forest_fit_score", |b| {
        b.iter(|| {
            IsolationForest::new()
                .fit(
                    black_box(&feats),
                    ["commandlineTokensFull", "pathScore", "commandlineScore"],
                )
                .expect("fit")
                .score(&feats)
                .expect("score")
        })
    });
    g.finish();
    if let Some(mb) = peak_rss_mb() {
        println!("peak RSS after the 100k cases: {mb:.0} MB");
    }

    let big = million(&raw);
    drop(feats);
    let big_feats = add_process_features(&big).expect("features");
    let r = clusterer().cluster(&big_feats).expect("clusters");
    println!("1M: {}", r.description());
    drop(r);
    let mut g = c.benchmark_group("cluster_1m");
    g.throughput(Throughput::Elements(big.height() as u64));
    g.sample_size(10);
    g.bench_function("dbcluster_events", |b| {
        b.iter(|| {
            clusterer()
                .cluster(black_box(&big_feats))
                .expect("clusters")
        })
    });
    g.bench_function("features_and_cluster", |b| {
        b.iter(|| {
            let f = add_process_features(black_box(&big)).expect("features");
            clusterer().cluster(&f).expect("clusters")
        })
    });
    g.finish();
    if let Some(mb) = peak_rss_mb() {
        println!("peak RSS after the 1M cases: {mb:.0} MB");
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
