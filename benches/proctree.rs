//! Process-tree build on MSTICPy's peer-bench input (`proc_events_N.csv`
//! from `bash scripts/bench-data`): MSTICPy 3.0.2 builds 37,975 rows/s at
//! 1M rows and 51,658 rows/s at 100k rows (../shared/bench/msticpy/RESULTS.md).
//! The frame is read once outside the timing, as MSTICPy's bench does.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use huntbook::prelude::*;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench-data");
    for n in [1_000usize, 100_000] {
        let path = format!("{dir}/proc_events_{n}.csv");
        if !std::path::Path::new(&path).exists() {
            println!("skipped: {path} not found (run `bash scripts/bench-data`)");
            continue;
        }
        let df = read_csv(&path).expect("bench input");
        let mut g = c.benchmark_group("proctree_build");
        g.throughput(Throughput::Elements(df.height() as u64));
        if n >= 100_000 {
            g.sample_size(10);
        }
        g.bench_function(format!("proc_events_{n}"), |b| {
            b.iter(|| ProcessTree::build(black_box(&df)).expect("tree"))
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
