//! Building timelines of many events: 50k events drawn one by one (WebGL)
//! and 1M events counted into time buckets.

use criterion::{Criterion, criterion_group, criterion_main};
use huntbook::prelude::*;
use std::hint::black_box;

fn events(n: usize) -> DataFrame {
    let t: Vec<i64> = (0..n as i64)
        .map(|i| 1_700_000_000_000_000 + i * 250_000)
        .collect();
    let hosts: Vec<String> = (0..n).map(|i| format!("host-{}", i % 8)).collect();
    df!("TimeGenerated" => t, "Computer" => hosts)
        .and_then(|df| {
            df.lazy()
                .with_column(
                    col("TimeGenerated").cast(DataType::Datetime(TimeUnit::Microseconds, None)),
                )
                .collect()
        })
        .expect("bench frame")
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("timeline");
    g.sample_size(10);
    let small = events(50_000);
    g.bench_function("50k events, 8 lanes, one marker each", |b| {
        b.iter(|| {
            Timeline::new(black_box(&small))
                .group_by("Computer")
                .build()
                .map(|c| c.to_json().map(|j| j.len()))
        })
    });
    let big = events(1_000_000);
    g.bench_function("1M events, 8 lanes, bucketed", |b| {
        b.iter(|| {
            Timeline::new(black_box(&big))
                .group_by("Computer")
                .build()
                .map(|c| c.to_json().map(|j| j.len()))
        })
    });
    g.finish();
    let json = Timeline::new(&big)
        .group_by("Computer")
        .build()
        .and_then(|c| c.to_json())
        .expect("chart");
    println!("1M-event timeline: {} bytes of plotly JSON", json.len());
}

criterion_group!(benches, bench);
criterion_main!(benches);
