//! Process-tree build on MSTICPy's peer-bench input (`proc_events_N.csv`
//! from `bash scripts/bench-data`; the 1M file from
//! `bash scripts/bench-data 1000000`): MSTICPy 3.0.2 builds 37,975 rows/s
//! at 1M rows (2.5 GB peak) and 51,658 rows/s at 100k rows
//! (../shared/bench/msticpy/RESULTS.md). The frame is read once outside
//! the timing, as MSTICPy's bench does.
//!
//! Two figures per size: wall-clock rows/s (`proctree_build`) and rows per
//! CPU-second of the whole process (`proctree_build_cpu`: what one core
//! does, whatever else the machine runs). After the largest size the
//! bench prints the process's peak resident memory.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use huntbook::prelude::*;
use std::hint::black_box;

#[path = "support/cpu.rs"]
mod cpu;

fn bench(c: &mut Criterion) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench-data");
    for n in [1_000usize, 100_000, 1_000_000] {
        let path = format!("{dir}/proc_events_{n}.csv");
        if !std::path::Path::new(&path).exists() {
            println!(
                "skipped: {path} not found (run `bash scripts/bench-data 1000,100000,1000000`)"
            );
            continue;
        }
        let df = read_csv(&path).expect("bench input");
        if n == 1_000_000 {
            println!(
                "resident memory with the 1M-row input frame read: {}",
                status_line("VmRSS")
            );
        }
        for cpu_time in [false, true] {
            let name = if cpu_time {
                "proctree_build_cpu"
            } else {
                "proctree_build"
            };
            let mut g = c.benchmark_group(name);
            g.throughput(Throughput::Elements(df.height() as u64));
            if n >= 100_000 {
                g.sample_size(10);
            }
            g.bench_function(format!("proc_events_{n}"), |b| {
                if cpu_time {
                    cpu::cpu_iter(b, || ProcessTree::build(black_box(&df)).expect("tree"))
                } else {
                    b.iter(|| ProcessTree::build(black_box(&df)).expect("tree"))
                }
            });
            g.finish();
        }
        if n == 1_000_000 {
            println!(
                "peak resident memory with the 1M-row input frame and its trees: {}",
                status_line("VmHWM")
            );
        }
    }
}

/// A line of /proc/self/status (`VmRSS`, `VmHWM`), or "unknown".
fn status_line(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).map(str::to_string))
        .unwrap_or_else(|| "unknown".into())
}

criterion_group!(benches, bench);
criterion_main!(benches);
