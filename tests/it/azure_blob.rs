//! Azure Blob Storage against a local Blob service on 127.0.0.1: an
//! in-memory store speaking the Storage REST API (XML `EnumerationResults`
//! listings with `NextMarker`, Put Blob / Put Block / Put Block List,
//! ranged Get Blob, Delete Blob) that checks every request's Shared Key
//! signature with its own implementation of the documented algorithm.

use crate::azure_support;

use crate::http_support::{Reply, Request, TestServer};
use azure_support::{CountingToken, test_http};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use huntbook::azure::blob::{BlobStorage, sas_string_to_sign, shared_key_string_to_sign};
use huntbook::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The storage emulator's published development account and key.
const ACCOUNT: &str = "devstoreaccount1";
const KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

fn hmac(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut k = [0u8; 64];
    k[..key.len()].copy_from_slice(key);
    let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&ipad)
        .chain_update(msg)
        .finalize();
    Sha256::new()
        .chain_update(&opad)
        .chain_update(inner)
        .finalize()
        .to_vec()
}

/// The server's own string-to-sign, written from the documentation.
fn expected_string_to_sign(req: &Request) -> String {
    let h = |n: &str| req.header(n).unwrap_or("").to_string();
    let len = h("content-length");
    let len = if len == "0" { String::new() } else { len };
    let mut ms: Vec<(String, String)> = req
        .headers
        .iter()
        .filter(|(k, _)| k.starts_with("x-ms-"))
        .cloned()
        .collect();
    ms.sort();
    let mut s = format!(
        "{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n",
        req.method,
        h("content-encoding"),
        h("content-language"),
        len,
        h("content-md5"),
        h("content-type"),
        h("date"),
        h("if-modified-since"),
        h("if-match"),
        h("if-none-match"),
        h("if-unmodified-since"),
        h("range"),
        ms.iter()
            .map(|(k, v)| format!("{k}:{v}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    s.push_str(&format!("/{ACCOUNT}{}", req.path()));
    let mut q: Vec<(String, String)> = req
        .target
        .split_once('?')
        .map(|(_, q)| q)
        .unwrap_or("")
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (
                k.to_ascii_lowercase(),
                percent_encoding::percent_decode_str(v)
                    .decode_utf8_lossy()
                    .into_owned(),
            )
        })
        .collect();
    q.sort();
    for (k, v) in q {
        s.push_str(&format!("\n{k}:{v}"));
    }
    s
}

#[derive(Default)]
struct Store {
    containers: Vec<String>,
    blobs: BTreeMap<(String, String), Vec<u8>>,
    blocks: BTreeMap<String, Vec<u8>>,
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A Blob service for one account, path-style (`/devstoreaccount1/...`),
/// listing at most `page` items per answer.
fn blob_service(store: Arc<Mutex<Store>>, page: usize) -> impl Fn(&Request, usize) -> Reply {
    move |req, _| {
        let key = B64.decode(KEY).unwrap();
        let want = format!(
            "SharedKey {ACCOUNT}:{}",
            B64.encode(hmac(&key, expected_string_to_sign(req).as_bytes()))
        );
        if req.header("authorization") != Some(want.as_str()) {
            return Reply::xml(
                403,
                format!(
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.\nRequestId:1</Message><AuthenticationErrorDetail>The MAC signature found in the HTTP request '{}' is not the same as any computed signature.</AuthenticationErrorDetail></Error>",
                    req.header("authorization").unwrap_or("")
                ),
            );
        }
        assert_eq!(req.header("x-ms-version"), Some("2023-11-03"));
        let path = req
            .path()
            .strip_prefix(&format!("/{ACCOUNT}"))
            .unwrap()
            .to_string();
        let decoded = percent_encoding::percent_decode_str(&path)
            .decode_utf8_lossy()
            .into_owned();
        let mut parts = decoded.trim_start_matches('/').splitn(2, '/');
        let container = parts.next().unwrap_or("").to_string();
        let blob = parts.next().map(String::from);
        let mut st = store.lock().unwrap();
        let marker: usize = req
            .query("marker")
            .and_then(|m| m.parse().ok())
            .unwrap_or(0);
        match (
            req.method.as_str(),
            blob,
            req.query("comp").as_deref(),
            req.query("restype").as_deref(),
        ) {
            ("GET", None, Some("list"), None) if container.is_empty() => {
                let names: Vec<String> = st
                    .containers
                    .iter()
                    .filter(|c| c.starts_with(&req.query("prefix").unwrap_or_default()))
                    .cloned()
                    .collect();
                let mut xml = String::from(
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<EnumerationResults ServiceEndpoint=\"http://127.0.0.1/devstoreaccount1/\">\n  <MaxResults>2</MaxResults>\n  <Containers>\n",
                );
                for c in names.iter().skip(marker).take(page) {
                    xml.push_str(&format!("    <Container>\n      <Name>{}</Name>\n      <Properties>\n        <Last-Modified>Wed, 26 Oct 2016 20:39:39 GMT</Last-Modified>\n        <Etag>\"0x8CACB9BD7C6B1B2\"</Etag>\n        <LeaseStatus>unlocked</LeaseStatus>\n        <LeaseState>available</LeaseState>\n        <PublicAccess>container</PublicAccess>\n        <HasImmutabilityPolicy>false</HasImmutabilityPolicy>\n        <HasLegalHold>false</HasLegalHold>\n      </Properties>\n      <Metadata><owner>soc</owner></Metadata>\n    </Container>\n", xml_escape(c)));
                }
                xml.push_str("  </Containers>\n");
                if marker + page < names.len() {
                    xml.push_str(&format!("  <NextMarker>{}</NextMarker>\n", marker + page));
                } else {
                    xml.push_str("  <NextMarker />\n");
                }
                xml.push_str("</EnumerationResults>");
                Reply::xml(200, xml)
            }
            ("PUT", None, None, Some("container")) => {
                if st.containers.contains(&container) {
                    return Reply::xml(
                        409,
                        "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>ContainerAlreadyExists</Code><Message>The specified container already exists.</Message></Error>",
                    );
                }
                st.containers.push(container);
                st.containers.sort();
                Reply::empty(201)
            }
            ("GET", None, Some("list"), Some("container")) => {
                if !st.containers.contains(&container) {
                    return Reply::xml(
                        404,
                        "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>ContainerNotFound</Code><Message>The specified container does not exist.\nRequestId:2</Message></Error>",
                    );
                }
                let prefix = req.query("prefix").unwrap_or_default();
                let names: Vec<(String, usize)> = st
                    .blobs
                    .iter()
                    .filter(|((c, b), _)| *c == container && b.starts_with(&prefix))
                    .map(|((_, b), d)| (b.clone(), d.len()))
                    .collect();
                let mut xml = format!(
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<EnumerationResults ServiceEndpoint=\"http://127.0.0.1/devstoreaccount1/\" ContainerName=\"{container}\">\n  <Prefix>{}</Prefix>\n  <Blobs>\n",
                    xml_escape(&prefix)
                );
                for (b, len) in names.iter().skip(marker).take(page) {
                    xml.push_str(&format!("    <Blob>\n      <Name>{}</Name>\n      <Properties>\n        <Creation-Time>Mon, 06 Nov 2023 10:00:00 GMT</Creation-Time>\n        <Last-Modified>Mon, 06 Nov 2023 10:00:00 GMT</Last-Modified>\n        <Etag>0x8DBDEADBEEF</Etag>\n        <Content-Length>{len}</Content-Length>\n        <Content-Type>application/octet-stream</Content-Type>\n        <Content-Encoding />\n        <Content-MD5 />\n        <BlobType>BlockBlob</BlobType>\n        <AccessTier>Hot</AccessTier>\n        <AccessTierInferred>true</AccessTierInferred>\n        <LeaseStatus>unlocked</LeaseStatus>\n        <LeaseState>available</LeaseState>\n        <ServerEncrypted>true</ServerEncrypted>\n      </Properties>\n      <OrMetadata />\n    </Blob>\n", xml_escape(b)));
                }
                xml.push_str("  </Blobs>\n");
                if marker + page < names.len() {
                    xml.push_str(&format!("  <NextMarker>{}</NextMarker>\n", marker + page));
                } else {
                    xml.push_str("  <NextMarker />\n");
                }
                xml.push_str("</EnumerationResults>");
                Reply::xml(200, xml)
            }
            ("PUT", Some(b), None, None) => {
                assert_eq!(req.header("x-ms-blob-type"), Some("BlockBlob"));
                st.blobs.insert((container, b), req.body.clone());
                Reply::empty(201).header("ETag", "\"0x1\"")
            }
            ("PUT", Some(b), Some("block"), None) => {
                let id = req.query("blockid").unwrap();
                st.blocks
                    .insert(format!("{container}/{b}/{id}"), req.body.clone());
                Reply::empty(201)
            }
            ("PUT", Some(b), Some("blocklist"), None) => {
                let body = String::from_utf8(req.body.clone()).unwrap();
                let mut data = Vec::new();
                for part in body.split("<Latest>").skip(1) {
                    let id = part.split("</Latest>").next().unwrap();
                    data.extend(st.blocks.remove(&format!("{container}/{b}/{id}")).unwrap());
                }
                st.blobs.insert((container, b), data);
                Reply::empty(201)
            }
            ("GET", Some(b), None, None) => {
                let Some(data) = st.blobs.get(&(container, b)) else {
                    return Reply::xml(
                        404,
                        "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.\nRequestId:3</Message></Error>",
                    );
                };
                if let Some(m) = req.header("if-match") {
                    assert_eq!(m, "\"0xETAG\"");
                }
                match req.header("x-ms-range") {
                    Some(r) => {
                        let (a, z) = r.strip_prefix("bytes=").unwrap().split_once('-').unwrap();
                        let (a, z): (usize, usize) = (a.parse().unwrap(), z.parse().unwrap());
                        if data.is_empty() || a >= data.len() {
                            return Reply::xml(
                                416,
                                "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>InvalidRange</Code><Message>The range specified is invalid for the current size of the resource.</Message></Error>",
                            );
                        }
                        let z = z.min(data.len() - 1);
                        Reply::bytes(206, data[a..=z].to_vec())
                            .header("Content-Range", &format!("bytes {a}-{z}/{}", data.len()))
                            .header("ETag", "\"0xETAG\"")
                    }
                    None => Reply::bytes(200, data.clone()).header("ETag", "\"0xETAG\""),
                }
            }
            ("DELETE", Some(b), None, None) => match st.blobs.remove(&(container, b)) {
                Some(_) => Reply::empty(202),
                None => Reply::xml(
                    404,
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.</Message></Error>",
                ),
            },
            _ => Reply::xml(
                400,
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>InvalidQueryParameterValue</Code><Message>unsupported</Message></Error>",
            ),
        }
    }
}

fn storage(server: &TestServer) -> BlobStorage {
    let (http, _) = test_http();
    BlobStorage::with_key(ACCOUNT, KEY)
        .unwrap()
        .endpoint(&format!("{}/{ACCOUNT}", server.url()))
        .unwrap()
        .http(http)
}

fn strs(df: &DataFrame, col: &str) -> Vec<Option<String>> {
    df.column(col)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(String::from))
        .collect()
}

#[test]
fn shared_key_known_answer() {
    // The documented Get Container Metadata example's canonical form,
    // signed here and by an independent HMAC-SHA256 (Python's hmac module).
    let sts = shared_key_string_to_sign(
        "GET",
        "myaccount",
        "/mycontainer",
        &[
            ("restype", "container"),
            ("comp", "metadata"),
            ("timeout", "20"),
        ],
        &[
            ("x-ms-date", "Fri, 26 Jun 2015 23:39:12 GMT"),
            ("x-ms-version", "2015-02-21"),
        ],
    );
    assert_eq!(
        sts,
        "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Fri, 26 Jun 2015 23:39:12 GMT\nx-ms-version:2015-02-21\n/myaccount/mycontainer\ncomp:metadata\nrestype:container\ntimeout:20"
    );
    let key = huntbook::azure::blob::AccountKey::from_base64(KEY).unwrap();
    assert_eq!(
        key.sign(&sts),
        "1u9lui2jDxj0+fpbHjQ5m5NnastJRSYM+PSmfi8TXx4="
    );
    assert_eq!(
        B64.encode(hmac(&B64.decode(KEY).unwrap(), sts.as_bytes())),
        "1u9lui2jDxj0+fpbHjQ5m5NnastJRSYM+PSmfi8TXx4="
    );
}

#[test]
fn sas_url_signature_and_redaction() {
    let server = TestServer::start(|_, _| Reply::empty(200));
    let store = storage(&server);
    let expiry = chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let sas = store.sas_url("logs", "a b.csv", "r", expiry).unwrap();
    let sts = sas_string_to_sign(
        "r",
        "",
        "2030-01-01T00:00:00Z",
        ACCOUNT,
        "logs",
        "a b.csv",
        "https,http",
    );
    assert_eq!(
        sts,
        "r\n\n2030-01-01T00:00:00Z\n/blob/devstoreaccount1/logs/a b.csv\n\n\nhttps,http\n2023-11-03\nb\n\n\n\n\n\n\n"
    );
    // Independently computed (Python hmac) signature of that string.
    let sig = "4oZv7rvJ/hugBlcBGTu5UipIc0mqizBW17C3EJCr4lg=";
    let sig_q =
        percent_encoding::utf8_percent_encode(sig, percent_encoding::NON_ALPHANUMERIC).to_string();
    assert_eq!(
        sas.expose(),
        format!(
            "{}/devstoreaccount1/logs/a%20b.csv?sv=2023-11-03&spr=https%2Chttp&se=2030-01-01T00%3A00%3A00Z&sr=b&sp=r&sig={sig_q}",
            server.url()
        )
    );
    for shown in [
        sas.to_string(),
        format!("{sas:?}"),
        sas.to_html(),
        sas.to_text(),
    ] {
        assert!(!shown.contains(&sig_q) && !shown.contains(sig), "{shown}");
        assert!(shown.contains("sig=***"), "{shown}");
    }
    assert!(!format!("{store:?}").contains("Eby8vdM02"));
    // Bad inputs.
    let past = chrono::Utc::now() - chrono::Duration::hours(1);
    assert_eq!(
        store
            .sas_url("logs", "x", "r", past)
            .unwrap_err()
            .to_string(),
        "invalid SAS expiry: is in the past"
    );
    assert_eq!(
        store
            .sas_url("logs", "x", "rz", expiry)
            .unwrap_err()
            .to_string(),
        "invalid SAS permissions 'rz': use letters from 'racwdxyltmeop'"
    );
    let tok = BlobStorage::with_token(ACCOUNT, Arc::new(CountingToken::default())).unwrap();
    assert!(tok.sas_url("logs", "x", "r", expiry).is_err());
}

#[test]
fn containers_and_blobs_paged() {
    let store = Arc::new(Mutex::new(Store::default()));
    let server = TestServer::start(blob_service(store.clone(), 2));
    let bs = storage(&server);
    for c in ["alpha", "beta", "gamma"] {
        bs.create_container(c).unwrap();
    }
    bs.create_container("beta").unwrap(); // exists: fine
    let df = bs.list_containers(None).unwrap();
    assert_eq!(
        strs(&df, "name"),
        [
            Some("alpha".into()),
            Some("beta".into()),
            Some("gamma".into())
        ]
    );
    assert_eq!(
        strs(&df, "etag")[0].as_deref(),
        Some("\"0x8CACB9BD7C6B1B2\"")
    );
    assert_eq!(strs(&df, "public_access")[0].as_deref(), Some("container"));
    let lists: Vec<Option<String>> = server
        .requests()
        .iter()
        .filter(|r| r.query("comp").as_deref() == Some("list"))
        .map(|r| r.query("marker"))
        .collect();
    assert_eq!(lists, [None, Some("2".into())]);

    for (name, data) in [
        ("logs/a&b.csv", "x\n1\n"),
        ("logs/b.json", "[]"),
        ("other.txt", "hi"),
    ] {
        bs.put_blob("alpha", name, data.as_bytes()).unwrap();
    }
    let all = bs.list_blobs("alpha", None).unwrap();
    assert_eq!(
        strs(&all, "name"),
        [
            Some("logs/a&b.csv".into()),
            Some("logs/b.json".into()),
            Some("other.txt".into())
        ]
    );
    let sizes: Vec<Option<i64>> = all.column("size").unwrap().i64().unwrap().iter().collect();
    assert_eq!(sizes, [Some(4), Some(2), Some(2)]);
    assert_eq!(strs(&all, "blob_type")[0].as_deref(), Some("BlockBlob"));
    assert_eq!(strs(&all, "content_md5")[0], None);
    let logs = bs.list_blobs("alpha", Some("logs/")).unwrap();
    assert_eq!(logs.height(), 2);
    let err = bs.list_blobs("nope", None).unwrap_err().to_string();
    assert_eq!(
        err,
        "async runtime: listing blobs of container 'nope': HTTP 404: ContainerNotFound: The specified container does not exist."
    );
}

#[test]
fn parquet_round_trip_and_blocks() {
    let store = Arc::new(Mutex::new(Store::default()));
    let server = TestServer::start(blob_service(store.clone(), 100));
    // Small chunks and blocks so that the ranged download and the block
    // upload both take several requests.
    let bs = storage(&server).chunk_bytes(1024).block_bytes(1024);
    bs.create_container("hunt").unwrap();
    let hb = Huntbook::new().unwrap();
    let df = read_file(
        hb.data_path("msticpy/testdata/processes_on_host.csv")
            .unwrap(),
    )
    .unwrap();
    bs.put_frame("hunt", "procs/processes.parquet", &df)
        .unwrap();
    let reqs = server.requests();
    let blocks = reqs
        .iter()
        .filter(|r| r.query("comp").as_deref() == Some("block"))
        .count();
    assert!(blocks > 1, "{blocks}");
    assert_eq!(
        reqs.iter()
            .filter(|r| r.query("comp").as_deref() == Some("blocklist"))
            .count(),
        1
    );
    let back = bs.read_frame("hunt", "procs/processes.parquet").unwrap();
    assert!(back.equals_missing(&df));
    let gets: Vec<Request> = server
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET")
        .collect();
    assert!(gets.len() > 1);
    assert_eq!(gets[0].header("x-ms-range"), Some("bytes=0-1023"));
    assert_eq!(gets[0].header("if-match"), None);
    assert_eq!(gets[1].header("if-match"), Some("\"0xETAG\""));

    // CSV and NDJSON by extension, bytes, an empty blob.
    bs.put_blob("hunt", "t.csv", b"a,b\n1,x\n2,<script>\n")
        .unwrap();
    let t = bs.read_frame("hunt", "t.csv").unwrap();
    assert_eq!(strs(&t, "b"), [Some("x".into()), Some("<script>".into())]);
    assert!(t.to_html().contains("&lt;script&gt;"));
    bs.put_blob("hunt", "t.ndjson", b"{\"a\":1}\n{\"a\":2}\n")
        .unwrap();
    let nd = bs.read_frame("hunt", "t.ndjson").unwrap();
    assert_eq!(nd.shape(), (2, 1));
    bs.put_blob("hunt", "empty.bin", b"").unwrap();
    assert_eq!(bs.get_blob("hunt", "empty.bin").unwrap(), Vec::<u8>::new());
    let err = bs.read_frame("hunt", "t.bin").unwrap_err().to_string();
    assert_eq!(
        err,
        "invalid file 't.bin': unknown format: use a .csv, .json, .ndjson, .jsonl or .parquet file"
    );

    // Streaming to a file.
    let dir = std::env::temp_dir().join(format!("huntbook-blob-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("p.parquet");
    let n = bs
        .download_to_file("hunt", "procs/processes.parquet", &file)
        .unwrap();
    assert_eq!(n, std::fs::metadata(&file).unwrap().len());
    assert!(read_file(&file).unwrap().equals_missing(&df));
    std::fs::remove_dir_all(&dir).unwrap();

    // The size bound.
    let small = bs.clone().max_download_bytes(100);
    let err = small
        .get_blob("hunt", "procs/processes.parquet")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("more than the limit of 100 (raise BlobStorage::max_download_bytes or use download_to_file)"),
        "{err}"
    );

    // Delete.
    bs.delete_blob("hunt", "t.csv").unwrap();
    let err = bs.get_blob("hunt", "t.csv").unwrap_err().to_string();
    assert_eq!(
        err,
        "async runtime: reading blob 'hunt/t.csv': HTTP 404: BlobNotFound: The specified blob does not exist."
    );
}

#[test]
fn wrong_key_error_hides_the_signature() {
    let store = Arc::new(Mutex::new(Store::default()));
    let server = TestServer::start(blob_service(store, 10));
    let (http, _) = test_http();
    let bs = BlobStorage::with_key(ACCOUNT, "d3Jvbmcta2V5LXNlY3JldA==")
        .unwrap()
        .endpoint(&format!("{}/{ACCOUNT}", server.url()))
        .unwrap()
        .http(http);
    let err = bs.list_containers(None).unwrap_err().to_string();
    assert_eq!(
        err,
        "async runtime: listing blob containers: HTTP 403: AuthenticationFailed: Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature."
    );
    let sent = server.requests()[0]
        .header("authorization")
        .unwrap()
        .to_string();
    let sig = sent.rsplit(':').next().unwrap();
    assert!(!err.contains(sig));
    assert!(!format!("{bs:?}").contains("d3Jvbmcta2V5"));
}

#[test]
fn bearer_auth_refresh_and_429() {
    let server = TestServer::start(|req, n| match n {
        0 => Reply::xml(
            401,
            "<?xml version=\"1.0\"?><Error><Code>InvalidAuthenticationInfo</Code><Message>expired</Message></Error>",
        ),
        1 => {
            assert_eq!(req.header("authorization"), Some("Bearer token-2"));
            Reply::xml(503, "").header("Retry-After", "1")
        }
        2 => Reply::xml(429, "").header("Retry-After", "4"),
        _ => Reply::xml(
            200,
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults ServiceEndpoint=\"x\"><Containers><Container><Name>c1</Name><Properties /></Container></Containers><NextMarker /></EnumerationResults>",
        ),
    });
    let tokens = Arc::new(CountingToken::default());
    let (http, clock) = test_http();
    let opts = huntbook::net::http::HttpOptions {
        retries: 2,
        ..http.options().clone()
    };
    let http = huntbook::net::http::HttpClient::new(opts, clock.clone()).unwrap();
    let bs = BlobStorage::with_token(ACCOUNT, tokens.clone())
        .unwrap()
        .endpoint(&format!("{}/{ACCOUNT}", server.url()))
        .unwrap()
        .http(http);
    let df = bs.list_containers(None).unwrap();
    assert_eq!(strs(&df, "name"), [Some("c1".into())]);
    assert_eq!(strs(&df, "etag"), [None]);
    assert_eq!(
        tokens.scopes.lock().unwrap()[0],
        "https://storage.azure.com/.default"
    );
    assert!(clock.sleeps().contains(&std::time::Duration::from_secs(4)));
    assert_eq!(server.requests().len(), 4);
}

#[test]
fn malformed_listing_xml() {
    let server = TestServer::start(|_, _| {
        Reply::xml(
            200,
            "<?xml version=\"1.0\"?><EnumerationResults><Containers><Container><Name>x</Containers>",
        )
    });
    let (http, _) = test_http();
    let bs = BlobStorage::with_sas(ACCOUNT, "?sv=2023-11-03&sig=SASSECRET")
        .unwrap()
        .endpoint(&format!("{}/{ACCOUNT}", server.url()))
        .unwrap()
        .http(http);
    let err = bs.list_containers(None).unwrap_err().to_string();
    assert!(
        err.starts_with("async runtime: listing blob containers: invalid Blob listing XML:"),
        "{err}"
    );
    assert!(!err.contains("SASSECRET"));
    let req = &server.requests()[0];
    assert_eq!(req.query("sig").as_deref(), Some("SASSECRET"));
    assert_eq!(req.header("authorization"), None);
    assert!(!format!("{bs:?}").contains("SASSECRET"));
    // Not a listing at all.
    let server = TestServer::start(|_, _| Reply::xml(200, "<Error><Code>x</Code></Error>"));
    let (http, _) = test_http();
    let bs = BlobStorage::with_key(ACCOUNT, KEY)
        .unwrap()
        .endpoint(&server.url())
        .unwrap()
        .http(http);
    let err = bs.list_containers(None).unwrap_err().to_string();
    assert_eq!(
        err,
        "async runtime: listing blob containers: invalid Blob listing XML: the root element is <Error>, not <EnumerationResults>"
    );
}

#[test]
fn from_settings_with_account_key() {
    let store = Arc::new(Mutex::new(Store::default()));
    store.lock().unwrap().containers.push("cfg".into());
    let server = TestServer::start(blob_service(store, 10));
    let yaml = format!(
        "OtherProviders:\n  AzureBlobStorage:\n    Args:\n      AccountName: {ACCOUNT}\n      AccountKey: \"{KEY}\"\n      Endpoint: \"{}/{ACCOUNT}\"\n",
        server.url()
    );
    let settings = Settings::from_yaml_str(&yaml, "test").unwrap();
    let bs = BlobStorage::from_settings(&settings, None).unwrap();
    assert_eq!(bs.account(), ACCOUNT);
    assert_eq!(
        strs(&bs.list_containers(None).unwrap(), "name"),
        [Some("cfg".into())]
    );
    let err = BlobStorage::from_settings(&Settings::from_yaml_str("{}", "t").unwrap(), None)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "invalid Blob Storage settings: no account: give one, or set OtherProviders.AzureBlobStorage.Args.AccountName"
    );
}

#[test]
fn cli_blob_ls_and_get() {
    use clap::Parser;
    let store = Arc::new(Mutex::new(Store::default()));
    store.lock().unwrap().containers.push("cli".into());
    store
        .lock()
        .unwrap()
        .blobs
        .insert(("cli".into(), "t.csv".into()), b"a,b\n1,x\n".to_vec());
    let server = TestServer::start(blob_service(store, 10));
    let dir = std::env::temp_dir().join(format!("huntbook-blob-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("huntbook.yaml");
    std::fs::write(
        &cfg,
        format!(
            "OtherProviders:\n  AzureBlobStorage:\n    Args:\n      AccountName: {ACCOUNT}\n      AccountKey: \"{KEY}\"\n      Endpoint: \"{}/{ACCOUNT}\"\n",
            server.url()
        ),
    )
    .unwrap();
    let out = dir.join("out.csv");
    let run = |args: &[&str]| {
        let mut v = vec!["huntbook", "-f", "csv", "-o", out.to_str().unwrap()];
        v.extend_from_slice(args);
        huntbook::cli::run(huntbook::cli::Cli::parse_from(v))
    };
    run(&["blob", "ls", "--config", cfg.to_str().unwrap()]).unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.starts_with("name,last_modified,etag,lease_status,lease_state,public_access\ncli,"),
        "{text}"
    );
    run(&[
        "blob",
        "get",
        "cli",
        "t.csv",
        "--config",
        cfg.to_str().unwrap(),
    ])
    .unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "a,b\n1,x\n");
    // Not configured: a clear error.
    let empty = dir.join("empty.yaml");
    std::fs::write(&empty, "{}\n").unwrap();
    let err = run(&["blob", "ls", "--config", empty.to_str().unwrap()])
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "invalid Blob Storage settings: no account: give one, or set OtherProviders.AzureBlobStorage.Args.AccountName"
    );
    let err = run(&["sentinel", "incidents", "--config", empty.to_str().unwrap()])
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "invalid workspace 'Default': not in AzureSentinel.Workspaces (have: none)"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
