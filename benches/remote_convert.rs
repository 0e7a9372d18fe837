//! Log Analytics and Kusto answers into typed frames.
//!
//! Input: MSTICPy's peer-bench `proc_events_100000.csv` (`bash
//! scripts/bench-data` writes it to `target/bench-data/`), written as
//! (a) a Log Analytics answer (`tables[].columns[]/rows[]`) and (b) a Kusto
//! v2 answer (frames), 100 000 rows × 18 columns (guid, int, long,
//! datetime, strings). Cases:
//! - `la_parse_100k`: `parse_query_response` on the body;
//! - `kusto_parse_100k`: `parse_v2_response` on the body;
//! - `la_query_100k_local`: a whole query through `LogAnalyticsDriver`
//!   against a server on 127.0.0.1 (token, POST, body read, conversion).
//!
//! MSTICPy has no figure for its data drivers (network, not exercised by its
//! peer bench). Skips with a message when the input is missing.
//!
//! `cargo bench --bench remote_convert -- --warm-up-time 1 --measurement-time 5`

#[path = "../tests/it/http_support/mod.rs"]
mod http_support;

use criterion::{Criterion, Throughput};
use http_support::{Reply, TestServer};
use huntbook::azure::auth::{AccessToken, StaticToken};
use huntbook::azure::cloud::AzureCloud;
use huntbook::data::drivers::kusto::parse_v2_response;
use huntbook::data::drivers::loganalytics::{LogAnalyticsDriver, parse_query_response};
use huntbook::data::drivers::{Driver, QueryContext};
use polars::prelude::*;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;

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

fn kql_type(name: &str) -> &'static str {
    match name {
        "TenantId" | "SourceComputerId" => "guid",
        "EventID" => "int",
        "TimeGenerated" => "datetime",
        "Row" => "long",
        _ => "string",
    }
}

/// The frame as (column name, KQL type) and JSON rows.
fn columns_and_rows(df: &DataFrame) -> (Vec<(String, &'static str)>, Vec<Value>) {
    let mut names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let text: Vec<Vec<Option<String>>> = df
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
    let rows: Vec<Value> = (0..df.height())
        .map(|r| {
            let mut cells: Vec<Value> = names
                .iter()
                .zip(&text)
                .map(|(n, col)| match (kql_type(n), col[r].as_deref()) {
                    (_, None) => Value::Null,
                    ("int", Some(v)) => v.parse::<i64>().map(Value::from).unwrap_or(Value::Null),
                    // "2024-03-04 08:00:00.179+00:00" → "2024-03-04T08:00:00.179Z"
                    ("datetime", Some(v)) => {
                        Value::from(v.replacen(' ', "T", 1).replace("+00:00", "Z"))
                    }
                    (_, Some(v)) => Value::from(v),
                })
                .collect();
            cells.push(Value::from(r as i64 * 1_000_003));
            Value::Array(cells)
        })
        .collect();
    names.push("Row".into());
    let cols = names
        .into_iter()
        .map(|n| {
            let t = kql_type(&n);
            (n, t)
        })
        .collect();
    (cols, rows)
}

fn la_body(cols: &[(String, &str)], rows: &[Value]) -> Vec<u8> {
    let columns: Vec<Value> = cols
        .iter()
        .map(|(n, t)| json!({"name": n, "type": t}))
        .collect();
    serde_json::to_vec(
        &json!({"tables": [{"name": "PrimaryResult", "columns": columns, "rows": rows}]}),
    )
    .unwrap()
}

fn kusto_body(cols: &[(String, &str)], rows: &[Value]) -> Vec<u8> {
    let columns: Vec<Value> = cols
        .iter()
        .map(|(n, t)| json!({"ColumnName": n, "ColumnType": t}))
        .collect();
    serde_json::to_vec(&json!([
        {"FrameType": "DataSetHeader", "IsProgressive": false, "Version": "v2.0"},
        {"FrameType": "DataTable", "TableId": 1, "TableKind": "PrimaryResult", "TableName": "PrimaryResult",
         "Columns": columns, "Rows": rows},
        {"FrameType": "DataSetCompletion", "HasErrors": false, "Cancelled": false},
    ]))
    .unwrap()
}

fn main() {
    let Some(df) = input() else { return };
    let (cols, rows) = columns_and_rows(&df);
    let n = rows.len() as u64;
    let la = la_body(&cols, &rows);
    let kusto = kusto_body(&cols, &rows);
    drop(rows);
    eprintln!(
        "Log Analytics body {} MB, Kusto body {} MB, {n} rows",
        la.len() >> 20,
        kusto.len() >> 20
    );
    let mut c = Criterion::default().configure_from_args();
    let mut g = c.benchmark_group("remote_convert");
    g.throughput(Throughput::Elements(n));
    g.sample_size(10);
    g.bench_function("la_parse_100k", |b| {
        b.iter(|| {
            let r = parse_query_response(&la, None).unwrap();
            assert_eq!(r.primary().unwrap().height() as u64, n);
        })
    });
    g.bench_function("kusto_parse_100k", |b| {
        b.iter(|| {
            let r = parse_v2_response(&kusto, None).unwrap();
            assert_eq!(r.primary().unwrap().height() as u64, n);
        })
    });
    let body = Arc::new(la.clone());
    let server = TestServer::start(move |_, _| Reply::shared(200, body.clone()));
    let driver = LogAnalyticsDriver::new(
        Arc::new(StaticToken::new(AccessToken::new("bench", None))),
        AzureCloud::global().with_log_analytics_endpoint(server.url()),
    )
    .workspace_ids(["bench-workspace"]);
    let ctx = QueryContext::default();
    g.bench_function("la_query_100k_local", |b| {
        b.iter(|| {
            let out = huntbook::session::block_on(driver.execute("ProcEvents", &ctx))
                .unwrap()
                .unwrap();
            assert_eq!(out.df.height() as u64, n);
        })
    });
    g.finish();
    c.final_summary();
}
