//! Local-feed threat-intelligence matching throughput on MSTICPy's
//! peer-bench IPs (`target/bench-data/geo_ips_100000.csv`, written by
//! `bash scripts/bench-data`), against a feed of the bundled
//! `as_threatintel.csv` plus 100,000 generated IP indicators and 2,000 CIDR
//! networks. Skips with a message when the input is absent. MSTICPy has no
//! local-feed provider to compare with.
//!
//! `cargo bench --bench ti -- --warm-up-time 1 --measurement-time 5`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use huntbook::enrich::ti::TiItem;
use huntbook::prelude::*;
use huntbook::transform::ioc::IocType;
use std::hint::black_box;
use std::path::PathBuf;

fn ips() -> Option<Vec<String>> {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/target/bench-data/geo_ips_100000.csv"
    ));
    if !path.exists() {
        eprintln!(
            "skipping the ti bench: {} is missing (run `bash scripts/bench-data`)",
            path.display()
        );
        return None;
    }
    let df = read_csv(&path).ok()?;
    let col = df.column("IpAddress").ok()?.str().ok()?.clone();
    Some(col.iter().flatten().map(|s| s.trim().to_string()).collect())
}

fn feed() -> LocalFeed {
    let mut f =
        LocalFeed::from_file(bundled("msticpy/testdata-converted/as_threatintel.csv").unwrap())
            .unwrap();
    // A simple LCG so the feed is the same on every run.
    let mut x: u64 = 42;
    let mut next = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 32) as u32
    };
    let mut values: Vec<String> = (0..100_000)
        .map(|_| std::net::Ipv4Addr::from(next()).to_string())
        .collect();
    for i in 0..2_000u32 {
        let net = std::net::Ipv4Addr::from(next() & 0xffff_ff00);
        values.push(format!("{net}/{}", 16 + i % 9));
    }
    let df = df!("indicator" => values).unwrap();
    f.load_frame(&df, "generated").unwrap();
    f
}

fn bench(c: &mut Criterion) {
    let Some(ips) = ips() else { return };
    let feed = feed();
    let mut group = c.benchmark_group("ti_local_feed");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ips.len() as u64));
    let items: Vec<TiItem> = ips
        .iter()
        .filter_map(|ip| {
            let t = if ip.contains(':') {
                IocType::Ipv6
            } else {
                IocType::Ipv4
            };
            ip.parse::<std::net::IpAddr>()
                .ok()
                .map(|a| TiItem::new(a.to_string(), t))
        })
        .collect();
    group.bench_function("match_only/100000", |b| {
        b.iter(|| {
            black_box(&items)
                .iter()
                .filter(|i| !feed.matches(i).is_empty())
                .count()
        })
    });
    let ti = TiLookup::new()
        .no_cache()
        .progress(false)
        .with_provider(feed.clone());
    group.bench_function("lookup_iocs/100000", |b| {
        b.iter(|| ti.lookup_iocs(black_box(&ips)).unwrap().rows().len())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
