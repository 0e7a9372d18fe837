//! Remote drivers: turning answers into frames, and a whole Splunk search.
//!
//! Inputs: MSTICPy's peer-bench `proc_events_100000.csv`
//! (`bash scripts/bench-data` writes it to `target/bench-data/`), turned into
//! (a) ten Splunk `results` pages of 10 000 rows (`output_mode=json`), and
//! (b) one Defender advanced-hunting answer (`Schema` + `Results`, typed).
//! Cases:
//! - `splunk_pages_100k`: the ten pages through `SplunkFrameBuilder`;
//! - `mde_answer_100k`: the answer through `HuntingResults::parse`;
//! - `splunk_job_100k_local`: a whole job (create, poll, 10 pages) against a
//!   Splunk-shaped server on 127.0.0.1.
//!
//! MSTICPy has no figure for its data drivers (network, not exercised by its
//! peer bench). Skips with a message when the input is missing.
//!
//! `cargo bench --bench remote_splunk -- --warm-up-time 1 --measurement-time 5`

#[path = "../tests/it/http_support/mod.rs"]
mod http_support;
#[path = "../tests/it/splunk_support/mod.rs"]
mod splunk_support;

use criterion::{Criterion, Throughput};
use http_support::{Reply, TestServer};
use huntbook::data::drivers::mde::HuntingResults;
use huntbook::data::drivers::splunk::{
    SplunkConfig, SplunkDriver, SplunkFrameBuilder, SplunkResultOptions,
};
use huntbook::data::drivers::{Driver, QueryContext};
use polars::prelude::*;
use splunk_support::{splunk_job, splunk_sid};
use std::path::PathBuf;
use std::sync::Arc;

const PAGE: usize = 10_000;

fn input() -> Option<DataFrame> {
    let p =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data/proc_events_100000.csv");
    if !p.is_file() {
        eprintln!(
            "skipped: {} missing (run `bash scripts/bench-data`)",
            p.display()
        );
        return None;
    }
    huntbook::data::read_csv(&p).ok()
}

fn rows_as_text(df: &DataFrame) -> (Vec<String>, Vec<Vec<Option<String>>>) {
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let cols: Vec<Vec<Option<String>>> = df
        .columns()
        .iter()
        .map(|c| {
            let s = c.cast(&DataType::String).unwrap();
            s.str()
                .unwrap()
                .iter()
                .map(|v| v.map(String::from))
                .collect()
        })
        .collect();
    (names, cols)
}

fn splunk_pages(names: &[String], cols: &[Vec<Option<String>>], rows: usize) -> Vec<Vec<u8>> {
    let mut pages = Vec::new();
    let mut start = 0;
    while start < rows {
        let end = (start + PAGE).min(rows);
        let fields: Vec<serde_json::Value> = names
            .iter()
            .map(|n| serde_json::json!({ "name": n }))
            .collect();
        let results: Vec<serde_json::Value> = (start..end)
            .map(|r| {
                let mut m = serde_json::Map::new();
                for (n, c) in names.iter().zip(cols) {
                    if let Some(v) = &c[r] {
                        let key = if n == "TimeGenerated" {
                            "_time"
                        } else {
                            n.as_str()
                        };
                        m.insert(key.to_string(), serde_json::Value::String(v.clone()));
                    }
                }
                serde_json::Value::Object(m)
            })
            .collect();
        let body = serde_json::json!({"preview": false, "init_offset": start, "messages": [],
            "fields": fields, "results": results});
        pages.push(serde_json::to_vec(&body).unwrap());
        start = end;
    }
    pages
}

fn mde_answer(names: &[String], cols: &[Vec<Option<String>>], rows: usize) -> Vec<u8> {
    let kind = |n: &str| match n {
        "TimeGenerated" => "DateTime",
        "EventID" => "Int32",
        _ => "String",
    };
    let schema: Vec<serde_json::Value> = names
        .iter()
        .map(|n| serde_json::json!({"Name": n, "Type": kind(n)}))
        .collect();
    let results: Vec<serde_json::Value> = (0..rows)
        .map(|r| {
            let mut m = serde_json::Map::new();
            for (n, c) in names.iter().zip(cols) {
                let v = match (&c[r], kind(n)) {
                    (None, _) => serde_json::Value::Null,
                    (Some(v), "Int32") => serde_json::json!(v.parse::<i64>().unwrap_or(0)),
                    (Some(v), _) => serde_json::Value::String(v.clone()),
                };
                m.insert(n.clone(), v);
            }
            serde_json::Value::Object(m)
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({"Stats": {}, "Schema": schema, "Results": results}))
        .unwrap()
}

fn main() {
    let Some(df) = input() else { return };
    let rows = df.height();
    let (names, cols) = rows_as_text(&df);
    let pages = splunk_pages(&names, &cols, rows);
    let answer = mde_answer(&names, &cols, rows);
    let mut c = Criterion::default().configure_from_args();
    let mut g = c.benchmark_group("remote");
    g.throughput(Throughput::Elements(rows as u64));
    g.bench_function("splunk_pages_100k", |b| {
        b.iter(|| {
            let mut fb = SplunkFrameBuilder::new(SplunkResultOptions::new());
            for p in &pages {
                fb.add_page(p, "page").unwrap();
            }
            let out = fb.finish().unwrap();
            assert_eq!(out.height(), rows);
        })
    });
    g.bench_function("mde_answer_100k", |b| {
        b.iter(|| {
            let r = HuntingResults::parse(&answer).unwrap();
            assert_eq!(r.df().height(), rows);
        })
    });
    let served = Arc::new(
        pages
            .iter()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect::<Vec<_>>(),
    );
    let total = rows;
    let srv = TestServer::start(move |req, _| match (req.method.as_str(), req.path()) {
        ("POST", "/services/search/jobs") => Reply::json(201, splunk_sid("b1")),
        ("GET", "/services/search/jobs/b1") => {
            Reply::json(200, splunk_job("b1", "DONE", total, "[]"))
        }
        ("GET", "/services/search/jobs/b1/results") => {
            let off: usize = req
                .field("offset")
                .and_then(|o| o.parse().ok())
                .unwrap_or(0);
            match served.get(off / PAGE) {
                Some(p) => Reply::json(200, p.as_str()),
                None => Reply::json(200, r#"{"results":[]}"#),
            }
        }
        _ => Reply::json(404, "{}"),
    });
    let driver = SplunkDriver::new(
        SplunkConfig::new(srv.url())
            .page_size(PAGE)
            .saved_searches(false),
    )
    .unwrap();
    g.sample_size(10);
    g.bench_function("splunk_job_100k_local", |b| {
        b.iter(|| {
            let out =
                huntbook::session::block_on(driver.execute("index=main", &QueryContext::default()))
                    .unwrap()
                    .unwrap();
            assert_eq!(out.df.height(), rows);
        })
    });
    g.finish();
    c.final_summary();
}
