//! Pivot functions on MSTICPy's peer-bench inputs (`bash scripts/bench-data`
//! writes them to target/bench-data; the bench skips with a message when
//! they are missing), plus entity parsing from an alert table.
//!
//! - `pivot_geoip_join/geo_ips_100000`: `geoip.lookup` on a 100k-row column
//!   joined back to the input (left join): the lookup plus the pivot's
//!   distinct-values, join and suffix work.
//! - `pivot_ip_type_join/geo_ips_100000`: `util.ip_type`, joined.
//! - `pivot_extract_iocs_join/ioc_lines_10000`: `util.extract_iocs` on the
//!   first 10,000 lines of `ioc_lines_100000.csv`, joined by row index
//!   (MSTICPy's `ioc_extract` alone does 2,879 rows/s at 10k).
//! - `alerts_from_df/alerts_10000`: the bundled 25-row alert table repeated
//!   to 10,000 alerts; `Entities` JSON parsed with `$ref` resolution.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use huntbook::enrich::geoip::GeoLiteLookup;
use huntbook::prelude::*;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let geo = GeoLiteLookup::open(
        huntbook::data::bundled("maxmind/GeoLite2-City-Test.mmdb").expect("db"),
    )
    .expect("database");
    let piv = Pivot::empty().with_geoip(geo);

    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench-data");
    let ips = format!("{dir}/geo_ips_100000.csv");
    if std::path::Path::new(&ips).exists() {
        let df = read_csv(&ips).expect("bench input");
        let mut g = c.benchmark_group("pivot_geoip_join");
        g.throughput(Throughput::Elements(df.height() as u64));
        g.sample_size(10);
        g.bench_function("geo_ips_100000", |b| {
            b.iter(|| {
                piv.call("IpAddress", "geoip.lookup")
                    .expect("pivot")
                    .join(JoinSpec::left())
                    .run((black_box(&df), "IpAddress"))
                    .expect("run")
            })
        });
        g.finish();
        let mut g = c.benchmark_group("pivot_ip_type_join");
        g.throughput(Throughput::Elements(df.height() as u64));
        g.sample_size(10);
        g.bench_function("geo_ips_100000", |b| {
            b.iter(|| {
                piv.call("IpAddress", "util.ip_type")
                    .expect("pivot")
                    .join(JoinSpec::left())
                    .run((black_box(&df), "IpAddress"))
                    .expect("run")
            })
        });
        g.finish();
    } else {
        println!("skipped: {ips} not found (run `bash scripts/bench-data`)");
    }

    let lines = format!("{dir}/ioc_lines_100000.csv");
    if std::path::Path::new(&lines).exists() {
        let df = read_csv(&lines).expect("bench input").head(Some(10_000));
        let mut g = c.benchmark_group("pivot_extract_iocs_join");
        g.throughput(Throughput::Elements(df.height() as u64));
        g.sample_size(10);
        g.bench_function("ioc_lines_10000", |b| {
            b.iter(|| {
                piv.call("Process", "util.extract_iocs")
                    .expect("pivot")
                    .join(JoinSpec::left())
                    .run((black_box(&df), "RawLine"))
                    .expect("run")
            })
        });
        g.finish();
    } else {
        println!("skipped: {lines} not found (run `bash scripts/bench-data`)");
    }

    let alerts = read_file(
        huntbook::data::bundled("msticpy/testdata-converted/localdata/alerts_list.csv")
            .expect("alerts"),
    )
    .expect("alert table");
    let mut big = alerts.clone();
    while big.height() < 10_000 {
        big.vstack_mut(&alerts).expect("stack");
    }
    let big = big.head(Some(10_000));
    let mut g = c.benchmark_group("alerts_from_df");
    g.throughput(Throughput::Elements(big.height() as u64));
    g.sample_size(10);
    g.bench_function("alerts_10000", |b| {
        b.iter(|| alerts_from_df(black_box(&big)).expect("alerts"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
