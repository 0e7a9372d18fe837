//! IoC extraction throughput on MSTICPy's peer-bench lines
//! (`target/bench-data/ioc_lines_{1000,100000}.csv`, written by
//! `bash scripts/bench-data`). Skips with a message when they are absent.
//!
//! `cargo bench --bench ioc -- --warm-up-time 1 --measurement-time 5`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use huntbook::prelude::*;
use huntbook::transform::ioc::IocExtractor;
use std::hint::black_box;
use std::path::PathBuf;

#[path = "support/cpu.rs"]
mod cpu;

fn input(rows: usize) -> Option<DataFrame> {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench-data"))
        .join(format!("ioc_lines_{rows}.csv"));
    if !path.exists() {
        eprintln!(
            "skipping the ioc bench for {rows} rows: {} is missing (run `bash scripts/bench-data`)",
            path.display()
        );
        return None;
    }
    match read_csv(&path) {
        Ok(df) => Some(df),
        Err(e) => {
            eprintln!("skipping the ioc bench: {e}");
            None
        }
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("ioc_extract_df");
    group.sample_size(10);
    for rows in [1_000usize, 100_000] {
        let Some(df) = input(rows) else { continue };
        group.throughput(Throughput::Elements(rows as u64));
        // MSTICPy's `ioc_extract` case: default types.
        let default = IocExtractor::new();
        group.bench_function(format!("default/{rows}"), |b| {
            b.iter(|| default.extract_df(black_box(&df), &["RawLine"]))
        });
        // MSTICPy's `ioc_extract_paths` case.
        let paths = IocExtractor::new().include_paths(true);
        group.bench_function(format!("include_paths/{rows}"), |b| {
            b.iter(|| paths.extract_df(black_box(&df), &["RawLine"]))
        });
    }
    group.finish();
    // The yardstick: rows per second on ONE core, measured by the
    // process CPU time (so it holds on a busy machine as on an idle one).
    let mut group = c.benchmark_group("ioc_extract_df_cpu");
    group.sample_size(10);
    if let Some(df) = input(100_000) {
        group.throughput(Throughput::Elements(df.height() as u64));
        let default = IocExtractor::new();
        group.bench_function("default/100000", |b| {
            cpu::cpu_iter(b, || default.extract_df(black_box(&df), &["RawLine"]))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
