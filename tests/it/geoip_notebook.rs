//! The code of `notebooks/geoip.ipynb`, cell by cell, so the notebook's
//! code is compiled and run by `cargo test`.

use huntbook::prelude::*;

#[test]
fn geoip_notebook_cells() -> Result<(), Box<dyn std::error::Error>> {
    let hb = Huntbook::new()?;
    let dir = hb.data_path("maxmind")?;
    let geo = GeoLiteLookup::open(dir.join("GeoLite2-City-Test.mmdb"))?
        .with_asn_db(dir.join("GeoLite2-ASN-Test.mmdb"))?;
    let info = df!("database" => geo.database_info())?;
    assert_eq!(info.height(), 2);

    let res = geo.lookup_ips([
        "81.2.69.142",
        "2.125.160.216",
        "89.160.20.128",
        "216.160.83.57",
        "175.16.199.1",
        "2001:218::1",
        "10.0.0.1",
        "fe80::1",
        "not-an-ip",
        " 8.8.8.8 ",
    ]);
    assert_eq!(res.df().height(), 10);
    assert_eq!(res.located(), 6);
    let _ = res.clone().to_html();

    let events = df!(
        "SrcIP" => ["81.2.69.142", "89.160.20.128", "192.168.1.5", "81.2.69.142"],
        "Bytes" => [5120i64, 880, 77, 4096],
    )?;
    let joined = geo.lookup_df(&events, "SrcIP")?;
    assert_eq!(joined.height(), 4);
    assert_eq!(joined.column("City")?.str()?.get(1), Some("Linköping"));

    let asn = geo
        .lookup_ips(["1.128.0.1", "12.81.92.1", "81.2.69.142"])
        .df()
        .select(["IpAddress", "Asn", "AsnOrganization", "Reason"])?;
    assert_eq!(asn.column("Asn")?.i64()?.get(0), Some(1221));
    assert_eq!(asn.column("Asn")?.i64()?.get(1), Some(7018));

    let map = res.map()?;
    assert_eq!(map.points(), 6);

    let bad: Vec<String> = std::fs::read_dir(dir.join("bad-data"))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .take(4)
        .map(|p| {
            GeoLiteLookup::open(&p)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        })
        .collect();
    assert!(
        bad.iter().all(|e| e.starts_with("invalid GeoIP database")),
        "{bad:?}"
    );
    let _ = df!("error" => bad)?;

    let ipstack = IpStackLookup::new(huntbook::config::Secret::plain("my-secret-key")).bulk(true);
    let dbg = format!("{ipstack:?}");
    assert!(!dbg.contains("my-secret-key"), "{dbg}");
    Ok(())
}
