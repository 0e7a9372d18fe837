//! Base64 unpacking of MSTICPy's peer-bench command lines
//! (`target/bench-data/b64_cmdlines_100000.csv`, written by
//! `bash scripts/bench-data`; skipped with a message when absent).
//! MSTICPy's `unpack_df` does 3,428 rows/s on the same 100,000 rows.
//!
//! `cargo bench --bench unpack -- --warm-up-time 1 --measurement-time 5`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use huntbook::prelude::*;
use huntbook::transform::unpack::Unpacker;
use std::hint::black_box;
use std::path::PathBuf;

fn bench(c: &mut Criterion) {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/b64_cmdlines_100000.csv");
    if !path.exists() {
        println!(
            "skipping unpack bench: {} not found (run `bash scripts/bench-data`)",
            path.display()
        );
        return;
    }
    let df = read_csv(&path).expect("reading the bench input");
    let rows = df.height();
    let unpacker = Unpacker::new();
    let out = unpacker.unpack_df(&df, "CommandLine").expect("unpacking");
    println!(
        "{} items from {} of {} rows",
        out.df().height(),
        out.rows_decoded(),
        rows
    );
    let mut group = c.benchmark_group("unpack");
    group.sample_size(10);
    group.throughput(Throughput::Elements(rows as u64));
    group.bench_function("unpack_df b64_cmdlines_100000", |b| {
        b.iter(|| {
            unpacker
                .unpack_df(black_box(&df), "CommandLine")
                .expect("unpacking")
        })
    });
    let plain = df
        .clone()
        .lazy()
        .filter(col("CommandLine").str().contains_literal(lit("svchost")))
        .collect()
        .expect("filtering");
    group.throughput(Throughput::Elements(plain.height() as u64));
    group.bench_function("unpack_df no-candidate rows", |b| {
        b.iter(|| {
            unpacker
                .unpack_df(black_box(&plain), "CommandLine")
                .expect("unpacking")
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
