//! GeoLite2 lookups on MSTICPy's peer-bench input (`geo_ips_N.csv` from
//! `bash scripts/bench-data`: 85% public, 12% private, 3% IPv6). MSTICPy
//! 3.0.2's `GeoLiteLookup.lookup_ips` does 9,728 IPs/s at 100k
//! (../shared/bench/msticpy/RESULTS.md) on the full 2018 GeoLite2-City
//! database (54 MiB, not bundled). This bench uses the bundled
//! `GeoLite2-City-Test.mmdb` (21 KB; most addresses are not in it, so each
//! miss still walks the search tree) and, when `HUNTBOOK_GEOLITE_CITY`
//! names a full GeoLite2-City.mmdb, that one as well.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use huntbook::prelude::*;
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/target/bench-data");
    let path = format!("{dir}/geo_ips_100000.csv");
    if !std::path::Path::new(&path).exists() {
        println!("skipped: {path} not found (run `bash scripts/bench-data`)");
        return;
    }
    let df = read_csv(&path).expect("bench input");
    let mut dbs = vec![(
        "test_db".to_string(),
        huntbook::data::bundled("maxmind/GeoLite2-City-Test.mmdb").expect("bundled db"),
    )];
    if let Some(full) = std::env::var_os("HUNTBOOK_GEOLITE_CITY") {
        dbs.push(("full_db".to_string(), full.into()));
    }
    for (name, db) in dbs {
        let geo = GeoLiteLookup::open(&db).expect("database");
        let mut g = c.benchmark_group("geolite_lookup_column");
        g.throughput(Throughput::Elements(df.height() as u64));
        g.sample_size(10);
        g.bench_function(format!("geo_ips_100000_{name}"), |b| {
            b.iter(|| {
                geo.lookup_column(black_box(&df), "IpAddress")
                    .expect("lookup")
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
