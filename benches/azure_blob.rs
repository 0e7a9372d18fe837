//! Azure API response handling, offline: parsing a Blob `List Blobs` XML
//! page of 5,000 blobs (the service's largest page) and flattening 1,000
//! Sentinel incidents (`json_normalize`-style) into a frame, plus Shared
//! Key signing. The network is not measured. MSTICPy's peers need a live
//! tenant (see /work/shared/bench/msticpy/RESULTS.md: "network by design"),
//! so there is no MSTICPy figure to compare with.
//!
//! `cargo bench --bench azure_blob -- --warm-up-time 1 --measurement-time 5`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use huntbook::azure::blob::{AccountKey, parse_listing, shared_key_string_to_sign};
use huntbook::azure::resources::normalize_json;
use std::hint::black_box;

fn listing(n: usize) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults ServiceEndpoint=\"https://a.blob.core.windows.net/\" ContainerName=\"logs\"><Blobs>",
    );
    for i in 0..n {
        xml.push_str(&format!(
            "<Blob><Name>2024/05/{:02}/host-{i}&amp;events.parquet</Name><Properties><Creation-Time>Mon, 06 Nov 2023 10:00:00 GMT</Creation-Time><Last-Modified>Mon, 06 Nov 2023 10:00:00 GMT</Last-Modified><Etag>0x8DBDEADBEEF{i}</Etag><Content-Length>{}</Content-Length><Content-Type>application/octet-stream</Content-Type><Content-MD5>sQqNsWTgdUEFt6mb5y4/5Q==</Content-MD5><BlobType>BlockBlob</BlobType><AccessTier>Hot</AccessTier><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState><ServerEncrypted>true</ServerEncrypted></Properties><Metadata><source>sensor</source></Metadata></Blob>",
            i % 28 + 1,
            1000 + i * 7
        ));
    }
    xml.push_str("</Blobs><NextMarker>2!abc</NextMarker></EnumerationResults>");
    xml
}

fn incidents(n: usize) -> Vec<serde_json::Value> {
    (0..n)
        .map(|i| {
            let severity = ["High", "Medium", "Low"][i % 3];
            serde_json::json!({
                "id": format!("/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws/providers/Microsoft.SecurityInsights/incidents/{i}"),
                "name": format!("{i:08}-5cd7-4139-a149-9f2736ff2ab5"),
                "etag": "\"0300bf09-0000-0000-0000-5c37296e0000\"",
                "type": "Microsoft.SecurityInsights/Incidents",
                "properties": {
                    "title": format!("Suspicious activity {i}"), "description": "demo", "severity": severity,
                    "status": "New", "owner": {"objectId": null, "email": null, "assignedTo": null, "userPrincipalName": null},
                    "labels": [], "incidentNumber": i, "createdTimeUtc": "2019-01-01T13:15:30Z",
                    "additionalData": {"alertsCount": 1, "bookmarksCount": 0, "commentsCount": 0, "alertProductNames": ["Azure Sentinel"], "tactics": ["InitialAccess"]},
                    "relatedAnalyticRuleIds": ["/subscriptions/s/…/alertRules/r1"], "providerName": "Azure Sentinel"
                }
            })
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let xml = listing(5000);
    let mut g = c.benchmark_group("azure");
    g.throughput(Throughput::Elements(5000));
    g.bench_function("parse_list_blobs_5000", |b| {
        b.iter(|| {
            let page = parse_listing(black_box(&xml), "Blob").unwrap();
            assert_eq!(page.items.len(), 5000);
        })
    });
    let inc = incidents(1000);
    g.throughput(Throughput::Elements(1000));
    g.bench_function("normalize_incidents_1000", |b| {
        b.iter(|| {
            let df = normalize_json(black_box(&inc)).unwrap();
            assert_eq!(df.height(), 1000);
        })
    });
    let key = AccountKey::from_base64(
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
    )
    .unwrap();
    g.throughput(Throughput::Elements(1));
    g.bench_function("shared_key_sign", |b| {
        b.iter(|| {
            let sts = shared_key_string_to_sign(
                "GET",
                "devstoreaccount1",
                "/devstoreaccount1/logs/2024/05/01/events.parquet",
                &[],
                &[
                    ("x-ms-date", "Mon, 01 Jan 2024 00:00:00 GMT"),
                    ("x-ms-version", "2023-11-03"),
                    ("x-ms-range", "bytes=0-4194303"),
                ],
            );
            black_box(key.sign(&sts))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
