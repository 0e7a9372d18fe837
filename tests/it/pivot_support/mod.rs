//! Helpers for the pivot tests: the pivot sources built from bundled data
//! and column readers (the DNS server is `crate::dns_support`).
#![allow(dead_code)]

/// A registry with the bundled TI feed and GeoLite2 test databases (no settings read).
pub fn bundled_pivot() -> huntbook::entities::Pivot {
    use huntbook::enrich::geoip::GeoLiteLookup;
    use huntbook::enrich::ti::{LocalFeed, TiLookup};
    let feed = LocalFeed::from_file(
        huntbook::data::bundled("msticpy/testdata-converted/as_threatintel.csv").unwrap(),
    )
    .unwrap();
    let ti = TiLookup::new()
        .no_cache()
        .progress(false)
        .with_provider(feed);
    let dir = huntbook::data::bundled("maxmind").unwrap();
    let geo = GeoLiteLookup::open(dir.join("GeoLite2-City-Test.mmdb"))
        .unwrap()
        .with_asn_db(dir.join("GeoLite2-ASN-Test.mmdb"))
        .unwrap();
    huntbook::entities::Pivot::empty()
        .with_ti(ti)
        .with_geoip(geo)
}

/// A column as text cells.
pub fn col(df: &huntbook::polars::prelude::DataFrame, name: &str) -> Vec<Option<String>> {
    use huntbook::polars::prelude::*;
    df.column(name)
        .unwrap_or_else(|_| panic!("no column {name} in {:?}", df.get_column_names()))
        .cast(&DataType::String)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_string))
        .collect()
}

/// Text cells, nulls as "∅".
pub fn cells(df: &huntbook::polars::prelude::DataFrame, name: &str) -> Vec<String> {
    col(df, name)
        .into_iter()
        .map(|v| v.unwrap_or_else(|| "∅".into()))
        .collect()
}
