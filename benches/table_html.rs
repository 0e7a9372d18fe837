//! HTML table of a 100k-row frame (what a notebook cell shows for a big result).

use criterion::{Criterion, criterion_group, criterion_main};
use huntbook::prelude::*;
use std::hint::black_box;

fn frame(rows: usize) -> DataFrame {
    let hosts: Vec<String> = (0..rows)
        .map(|i| format!("host-{:05}.contoso.com", i % 997))
        .collect();
    let cmds: Vec<String> = (0..rows)
        .map(|i| {
            format!(
                "powershell.exe -nop -w hidden -enc {}<script>",
                "A".repeat(i % 300)
            )
        })
        .collect();
    let pids: Vec<i64> = (0..rows as i64).collect();
    let scores: Vec<f64> = (0..rows).map(|i| i as f64 / 7.0).collect();
    df!("Computer" => hosts, "CommandLine" => cmds, "pid" => pids, "score" => scores)
        .expect("bench frame")
}

fn bench(c: &mut Criterion) {
    let df = frame(100_000);
    let opts = TableOptions::default();
    c.bench_function("table_html 100k rows x 4 cols", |b| {
        b.iter(|| huntbook::vis::table::table_html(black_box(&df), &opts))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
