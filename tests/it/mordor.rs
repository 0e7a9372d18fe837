//! OTRF Security-Datasets: catalogue, search, loading, and the download
//! path against a small HTTP/1.1 server on 127.0.0.1.

use crate::http_support::{Reply, TestServer};
use huntbook::data::drivers::security_datasets::{FetchOptions, SecurityDatasets};
use huntbook::prelude::*;
use std::path::{Path, PathBuf};

fn datasets_root() -> PathBuf {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/security-datasets");
    if shared.is_dir() {
        shared
    } else {
        huntbook::data::data_dir().join("security-datasets")
    }
}

#[test]
fn catalogue_from_folder_and_search() {
    let sd = SecurityDatasets::from_folder(datasets_root()).unwrap();
    assert_eq!(sd.datasets().len(), 6);
    let m = sd.get("SDWIN-190518202151").unwrap();
    assert_eq!(m.title, "Empire Mimikatz LogonPasswords");
    assert_eq!(m.techniques, ["T1003", "T1003.001"]);
    assert_eq!(m.tactics, ["TA0006"]);
    assert_eq!(
        m.files[0].path.as_deref(),
        Some("datasets/atomic/windows/credential_access/host/empire_mimikatz_logonpasswords.zip")
    );
    // OR and AND
    let and = sd.search("T1003 + mimikatz");
    assert_eq!(and.ids(), ["SDWIN-190518202151"]);
    let or = sd.search("T1003.001, httplistener");
    assert!(or.ids().contains(&"SDWIN-190518202151".to_string()));
    assert!(or.ids().contains(&"SDWIN-201102041306".to_string()));
    assert!(sd.search("no-such-thing-anywhere").is_empty());
    let all = sd.list();
    assert_eq!(
        all.df()
            .unwrap()
            .column("local")
            .unwrap()
            .bool()
            .unwrap()
            .sum(),
        Some(6)
    );
    assert!(sd.get("SDWIN-000").is_err());
}

#[test]
fn msticpy_catalogue_cache_reads() {
    let sd = SecurityDatasets::from_catalogue_json(
        huntbook::data::data_dir().join("msticpy/testdata/mordor/mordor_cache.json"),
        Some(&datasets_root()),
    )
    .unwrap();
    assert_eq!(sd.datasets().len(), 96);
    let lsass = sd.search("T1003.001");
    assert!(lsass.len() >= 5, "{}", lsass.len());
    let aws = sd.search("aws + T1530");
    assert_eq!(aws.ids(), ["SDAWS-200914011940"]);
}

#[test]
fn dataset_loads_and_summarises_by_event_id() {
    let sd = SecurityDatasets::from_folder(datasets_root()).unwrap();
    let df = sd.load("SDWIN-201102041306").unwrap();
    assert_eq!(df.height(), 110);
    let by_id = df
        .lazy()
        .group_by([col("EventID")])
        .agg([len().alias("n")])
        .sort(
            ["n"],
            SortMultipleOptions::default().with_order_descending(true),
        )
        .collect()
        .unwrap();
    let total: u32 = by_id
        .column("n")
        .unwrap()
        .u32()
        .unwrap()
        .iter()
        .flatten()
        .sum();
    assert_eq!(total, 110);
    // the big one (43 MB of JSON lines): union of keys, mixed types as text
    let big = sd.load("empire_mimikatz_logonpasswords").unwrap();
    assert_eq!(big.height(), 6026);
    assert!(big.column("ProcessGuid").is_ok());
    assert_eq!(
        big.column("@timestamp").unwrap().dtype(),
        &DataType::Datetime(TimeUnit::Nanoseconds, Some(TimeZone::UTC))
    );
}

#[test]
fn provider_lists_datasets_as_queries() {
    let qp = QueryProvider::security_datasets(datasets_root()).unwrap();
    let names = qp.list_queries().unwrap().names();
    assert!(
        names.contains(&"atomic.windows.execution.host.psh_powershell_httplistener".to_string()),
        "{names:?}"
    );
    let df = qp
        .query("atomic.windows.execution.host.psh_powershell_httplistener")
        .unwrap()
        .run()
        .unwrap();
    assert_eq!(df.height(), 110);
}

/// Serves files under `root` and a git-tree listing at `/tree.json`.
fn serve(root: PathBuf) -> TestServer {
    let mut tree = Vec::new();
    for e in std::fs::read_dir(root.join("_metadata")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        tree.push(serde_json::json!({"path": format!("_metadata/{name}"), "type": "blob"}));
    }
    tree.push(serde_json::json!({"path": "../escape/_metadata/x.yaml", "type": "blob"}));
    let listing = serde_json::to_vec(&serde_json::json!({ "tree": tree })).unwrap();
    TestServer::start(move |req, _| {
        let path = req.target.trim_start_matches('/');
        let body = if path == "tree.json" {
            Some(listing.clone())
        } else if path.split('/').any(|p| p == ".." || p.is_empty()) {
            None
        } else {
            std::fs::read(root.join(path)).ok()
        };
        match body {
            Some(b) => Reply::new(200, "", b),
            None => Reply::empty(404),
        }
    })
}

#[test]
fn download_path_against_a_local_server() {
    let server = serve(datasets_root());
    let hits = || server.requests().len();
    let base = format!("{}/", server.url());
    let cache = std::env::temp_dir().join(format!("hb-mordor-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    let opts = FetchOptions::new(&base, &cache).catalogue_url(format!("{base}tree.json"));
    let sd = SecurityDatasets::fetch(opts.clone()).unwrap();
    assert_eq!(sd.datasets().len(), 6);
    assert!(cache.join("catalogue.json").is_file());
    let after_catalogue = hits();
    assert_eq!(
        after_catalogue, 7,
        "tree + 6 metadata files (the unsafe path is not fetched)"
    );
    assert_eq!(
        sd.list()
            .df()
            .unwrap()
            .column("local")
            .unwrap()
            .bool()
            .unwrap()
            .sum(),
        Some(0)
    );

    let df = sd.load("SDWIN-201102041306").unwrap();
    assert_eq!(df.height(), 110);
    assert!(
        cache
            .join("datasets/atomic/windows/execution/host/psh_powershell_httplistener.zip")
            .is_file()
    );
    assert_eq!(hits(), after_catalogue + 1);

    // cached: no more requests
    let again = SecurityDatasets::fetch(opts.clone()).unwrap();
    assert_eq!(again.load("SDWIN-201102041306").unwrap().height(), 110);
    assert_eq!(hits(), after_catalogue + 1);

    // size bound on downloads
    let tiny = FetchOptions::new(&base, cache.join("tiny"))
        .catalogue_url(format!("{base}tree.json"))
        .max_download_bytes(1000);
    let sd_tiny = SecurityDatasets::fetch(tiny).unwrap();
    let err = sd_tiny.load("SDWIN-201102041306").unwrap_err().to_string();
    assert!(err.contains("more than the limit of 1000"), "{err}");

    // HTTP errors are named
    let bad =
        FetchOptions::new(&base, cache.join("bad")).catalogue_url(format!("{base}missing.json"));
    let err = SecurityDatasets::fetch(bad).unwrap_err().to_string();
    assert!(err.contains("missing.json") && err.contains("404"), "{err}");
    let _ = std::fs::remove_dir_all(&cache);
}
