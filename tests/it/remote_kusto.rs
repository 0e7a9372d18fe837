//! The Kusto (Azure Data Explorer) driver against a v2 query endpoint
//! served on 127.0.0.1 with answers shaped like the service's (MSTICPy's
//! recorded `kusto_raw_resp.json` and frames written from the v2 response
//! reference).

use crate::remote_support;

use crate::http_support::{Reply, TestServer};
use huntbook::azure::auth::{AccessToken, StaticToken, TokenSource};
use huntbook::azure::cloud::AzureCloud;
use huntbook::azure::credential::AzureCredential;
use huntbook::config::{Secret, Settings};
use huntbook::data::drivers::kusto::{KustoCluster, KustoDriver, parse_v2_response};
use huntbook::data::drivers::{Completeness, Connection, Driver, QueryContext, QueryOutput};
use huntbook::data::provider::QueryProvider;
use huntbook::enrich::ti::limit::ManualClock;
use huntbook::net::http::HttpOptions;
use huntbook::polars::prelude::*;
use huntbook::session::block_on;
use remote_support::{data, token_json};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

fn static_tokens() -> Arc<dyn TokenSource> {
    Arc::new(StaticToken::new(AccessToken::new(
        "kusto-static-token",
        None,
    )))
}

fn driver(server: &TestServer, clock: Arc<ManualClock>) -> KustoDriver {
    let d = KustoDriver::new(vec![
        KustoCluster::new(&server.url(), static_tokens())
            .named("local")
            .database("SecurityDatabase"),
    ])
    .clock(clock)
    .http_options(HttpOptions {
        timeout: Duration::from_secs(10),
        ..HttpOptions::default()
    });
    block_on(d.connect(&Connection::new())).unwrap().unwrap();
    d
}

fn run(d: &KustoDriver, q: &str, ctx: &QueryContext) -> huntbook::Result<QueryOutput> {
    block_on(d.execute(q, ctx)).unwrap()
}

fn frames(
    columns: serde_json::Value,
    rows: serde_json::Value,
    completion: serde_json::Value,
) -> String {
    json!([
        {"FrameType": "DataSetHeader", "IsProgressive": false, "Version": "v2.0"},
        {"FrameType": "DataTable", "TableId": 0, "TableKind": "QueryProperties", "TableName": "@ExtendedProperties",
         "Columns": [{"ColumnName": "TableId", "ColumnType": "int"}, {"ColumnName": "Key", "ColumnType": "string"}, {"ColumnName": "Value", "ColumnType": "dynamic"}],
         "Rows": [[1, "Visualization", "{\"Visualization\":null}"]]},
        {"FrameType": "DataTable", "TableId": 1, "TableKind": "PrimaryResult", "TableName": "PrimaryResult",
         "Columns": columns, "Rows": rows},
        {"FrameType": "DataTable", "TableId": 2, "TableKind": "QueryCompletionInformation", "TableName": "QueryCompletionInformation",
         "Columns": [{"ColumnName": "Timestamp", "ColumnType": "datetime"}, {"ColumnName": "LevelName", "ColumnType": "string"}, {"ColumnName": "Payload", "ColumnType": "string"}],
         "Rows": [["2023-04-11T16:25:15.1929946Z", "Info", "{\"Count\":1,\"Text\":\"Query completed successfully\"}"]]},
        completion,
    ])
    .to_string()
}

fn ok_completion() -> serde_json::Value {
    json!({"FrameType": "DataSetCompletion", "HasErrors": false, "Cancelled": false})
}

#[test]
fn recorded_answer_becomes_a_typed_frame() {
    let body = std::fs::read(data("msticpy/testdata/kusto/kusto_raw_resp.json")).unwrap();
    let server = TestServer::start(move |_, _| Reply::json(200, body.clone()));
    let d = driver(&server, Arc::new(ManualClock::new()));
    let ctx = QueryContext {
        timeout: Some(Duration::from_secs(240)),
        ..QueryContext::default()
    };
    let out = run(&d, "DeviceProcessEvents | take 10", &ctx).unwrap();
    assert_eq!(out.completeness, Completeness::Complete);
    let df = out.df;
    assert_eq!(df.shape(), (10, 130));
    let count = |t: &DataType| df.dtypes().iter().filter(|d| *d == t).count();
    assert_eq!(count(&DataType::String), 78);
    assert_eq!(count(&DataType::Int64), 19);
    assert_eq!(
        count(&DataType::Datetime(
            TimeUnit::Nanoseconds,
            Some(TimeZone::UTC)
        )),
        15
    );
    assert_eq!(count(&DataType::Boolean), 9);
    assert_eq!(count(&DataType::Int32), 9);
    assert_eq!(
        df.column("CreatedProcessId").unwrap().i32().unwrap().get(0),
        Some(9784)
    );
    assert_eq!(
        df.column("CreatedProcessName")
            .unwrap()
            .str()
            .unwrap()
            .get(0),
        Some("omadmprc.exe")
    );
    assert_eq!(
        df.column("CreatedProcessCreationTime")
            .unwrap()
            .datetime()
            .unwrap()
            .physical()
            .get(0),
        Some(1_681_229_990_786_200_400)
    );
    let r = &server.requests()[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path(), "/v2/rest/query");
    assert_eq!(r.bearer(), Some("kusto-static-token"));
    assert_eq!(r.header("x-ms-app"), Some("huntbook"));
    assert!(
        r.header("x-ms-client-request-id")
            .unwrap()
            .starts_with("huntbook;")
    );
    assert_eq!(
        r.json(),
        json!({"db": "SecurityDatabase", "csl": "DeviceProcessEvents | take 10",
               "properties": {"Options": {"servertimeout": "00:04:00", "results_progressive_enabled": false}}})
    );
    let body = std::fs::read(data("msticpy/testdata/kusto/kusto_raw_resp.json")).unwrap();
    let parsed = parse_v2_response(&body, None).unwrap();
    assert_eq!(parsed.tables.len(), 3);
    assert_eq!(
        parsed
            .tables
            .iter()
            .map(|t| t.kind.as_str())
            .collect::<Vec<_>>(),
        [
            "QueryProperties",
            "PrimaryResult",
            "QueryCompletionInformation"
        ]
    );
    assert!(parsed.primary().unwrap().equals_missing(&df));
}

#[test]
fn every_column_type_and_empty() {
    let cols = json!([
        {"ColumnName": "When", "ColumnType": "datetime"}, {"ColumnName": "Props", "ColumnType": "dynamic"},
        {"ColumnName": "Flag", "ColumnType": "bool"}, {"ColumnName": "Pid", "ColumnType": "int"},
        {"ColumnName": "Bytes", "ColumnType": "long"}, {"ColumnName": "Score", "ColumnType": "real"},
        {"ColumnName": "Cost", "ColumnType": "decimal"}, {"ColumnName": "Id", "ColumnType": "guid"},
        {"ColumnName": "Name", "ColumnType": "string"}, {"ColumnName": "Took", "ColumnType": "timespan"}]);
    let full = frames(
        cols.clone(),
        json!([
            ["2024-03-04T08:00:01.0400000Z", {"a": [1, 2]}, true, 7, 9007199254740993u64, "Infinity", "0.1",
             "0335fe6b-dfdb-4312-a816-ef99d2d7eaee", "cmd.exe", "00:00:02.5000000"],
            [null, null, null, null, null, null, null, null, null, null]
        ]),
        ok_completion(),
    );
    let empty = frames(cols, json!([]), ok_completion());
    let server = TestServer::start(move |req, _| {
        if req.json()["csl"] == "empty" {
            Reply::json(200, empty.clone())
        } else {
            Reply::json(200, full.clone())
        }
    });
    let d = driver(&server, Arc::new(ManualClock::new()));
    let df = run(&d, "T", &QueryContext::default()).unwrap().df;
    let dtypes: Vec<String> = df.dtypes().iter().map(|d| d.to_string()).collect();
    let want = [
        "datetime[ns, UTC]",
        "str",
        "bool",
        "i32",
        "i64",
        "f64",
        "f64",
        "str",
        "str",
        "duration[ns]",
    ];
    assert_eq!(dtypes, want);
    assert_eq!(
        df.column("Props").unwrap().str().unwrap().get(0),
        Some(r#"{"a":[1,2]}"#)
    );
    assert_eq!(
        df.column("Bytes").unwrap().i64().unwrap().get(0),
        Some(9007199254740993)
    );
    assert_eq!(
        df.column("Score").unwrap().f64().unwrap().get(0),
        Some(f64::INFINITY)
    );
    assert_eq!(df.column("Cost").unwrap().f64().unwrap().get(0), Some(0.1));
    assert_eq!(
        df.column("Took")
            .unwrap()
            .duration()
            .unwrap()
            .physical()
            .get(0),
        Some(2_500_000_000)
    );
    assert_eq!(df.column("Flag").unwrap().null_count(), 1);
    let e = run(&d, "empty", &QueryContext::default()).unwrap();
    assert_eq!(e.df.shape(), (0, 10));
    let dtypes: Vec<String> = e.df.dtypes().iter().map(|d| d.to_string()).collect();
    assert_eq!(dtypes, want);
}

const LIMIT_ERROR: &str = r#"{"error":{"code":"LimitsExceeded","message":"Request is invalid and cannot be executed.","@type":"Kusto.Data.Exceptions.KustoServicePartialQueryFailureLimitsExceededException","@message":"Query result set has exceeded the internal record count limit 2 (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits)","@context":{"timestamp":"2024-03-04T08:00:01Z","serviceAlias":"HELP","clientRequestId":"huntbook;1"},"@permanent":false}}"#;

#[test]
fn partial_result_with_errors() {
    let err: serde_json::Value = serde_json::from_str(LIMIT_ERROR).unwrap();
    let body = frames(
        json!([{"ColumnName": "a", "ColumnType": "long"}]),
        json!([[1], [2], {"OneApiErrors": [err.clone()]}]),
        json!({"FrameType": "DataSetCompletion", "HasErrors": true, "Cancelled": false, "OneApiErrors": [err]}),
    );
    let server = TestServer::start(move |_, _| Reply::json(200, body.clone()));
    let d = driver(&server, Arc::new(ManualClock::new()));
    let out = run(&d, "T", &QueryContext::default()).unwrap();
    assert_eq!(out.df.height(), 2);
    let reason = "LimitsExceeded: Query result set has exceeded the internal record count limit 2 (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits)";
    assert_eq!(
        out.completeness,
        Completeness::Partial {
            reason: reason.into()
        }
    );
    block_on(d.connect(&Connection::new().option("fail_on_partial", "true")))
        .unwrap()
        .unwrap();
    let e = run(&d, "T", &QueryContext::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "async runtime: Kusto query on {} database SecurityDatabase: partial result (fail_on_partial is set): {reason}",
            server.url()
        )
    );
}

#[test]
fn unauthorised_then_refresh_with_a_real_token_endpoint() {
    let issued = Arc::new(AtomicUsize::new(0));
    let i2 = issued.clone();
    let body = frames(
        json!([{"ColumnName": "a", "ColumnType": "long"}]),
        json!([[1]]),
        ok_completion(),
    );
    let server = TestServer::start(move |req, _| {
        if req.path().ends_with("/oauth2/v2.0/token") {
            let i = i2.fetch_add(1, Ordering::SeqCst);
            return Reply::json(200, token_json(&format!("kt-{i}"), 3599));
        }
        if req.bearer() == Some("kt-0") {
            return Reply::json(
                401,
                r#"{"error":{"code":"Unauthorized","message":"The token is expired."}}"#,
            );
        }
        Reply::json(200, body.clone())
    });
    let cloud = AzureCloud::global().with_authority_host(server.url());
    let cred =
        AzureCredential::client_secret(cloud, "t1", "c1", Secret::plain("kusto-secret")).unwrap();
    let d = KustoDriver::new(vec![
        KustoCluster::new(&server.url(), Arc::new(cred)).database("db1"),
    ]);
    block_on(d.connect(&Connection::new())).unwrap().unwrap();
    let out = run(&d, "T", &QueryContext::default()).unwrap();
    assert_eq!(out.df.height(), 1);
    assert_eq!(issued.load(Ordering::SeqCst), 2);
    let tok = &server.requests_to("/t1/oauth2/v2.0/token")[0];
    assert_eq!(tok.form()["scope"], format!("{}/.default", server.url()));
}

#[test]
fn rate_limited_timeout_malformed_and_errors() {
    let body = frames(
        json!([{"ColumnName": "a", "ColumnType": "long"}]),
        json!([[1]]),
        ok_completion(),
    );
    let server = TestServer::start(
        move |req, n| match req.json()["csl"].as_str().unwrap_or("") {
            "throttled" if n == 0 => Reply::json(429, "{}").header("Retry-After", "3"),
            "slow" => Reply::json(200, "[]").delayed(Duration::from_secs(3)),
            "broken" => Reply::json(
                200,
                r#"[{"FrameType":"DataSetHeader"},{"FrameType":"DataTable","Columns":[{"ColumnName":"a","ColumnType":"long"}],"Rows":[[1"#,
            ),
            "bad" => Reply::json(
                400,
                r#"{"error":{"code":"General_BadRequest","message":"Request is invalid and cannot be executed.","@type":"Kusto.Data.Exceptions.SemanticException","@message":"Semantic error: 'take' operator: Failed to resolve table or column expression named 'Nope'","@permanent":true}}"#,
            ),
            _ => Reply::json(200, body.clone()),
        },
    );
    let clock = Arc::new(ManualClock::new());
    let d = driver(&server, clock.clone());
    assert_eq!(
        run(&d, "throttled", &QueryContext::default())
            .unwrap()
            .df
            .height(),
        1
    );
    assert_eq!(clock.sleeps(), [Duration::from_secs(3)]);
    let what = format!(
        "async runtime: Kusto query on {} database SecurityDatabase",
        server.url()
    );
    let e = run(&d, "broken", &QueryContext::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with(&format!(
            "{what}: reading the Kusto answer: EOF while parsing"
        )),
        "{e}"
    );
    let e = run(&d, "bad", &QueryContext::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "{what}: HTTP 400 (the query was rejected): General_BadRequest: Semantic error: 'take' operator: Failed to resolve table or column expression named 'Nope'"
        )
    );
    let quick = driver(&server, Arc::new(ManualClock::new())).http_options(HttpOptions {
        timeout: Duration::from_millis(300),
        retries: 0,
        ..HttpOptions::default()
    });
    let e = run(&quick, "slow", &QueryContext::default())
        .unwrap_err()
        .to_string();
    assert_eq!(e, format!("{what}: timed out (1 try)"));
}

#[test]
fn very_large_result_streams() {
    let rows = 100_000usize;
    let mut s = String::from(
        r#"[{"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v2.0"},{"FrameType":"DataTable","TableId":1,"TableKind":"PrimaryResult","TableName":"PrimaryResult","Columns":[{"ColumnName":"Timestamp","ColumnType":"datetime"},{"ColumnName":"N","ColumnType":"long"},{"ColumnName":"Host","ColumnType":"string"}],"Rows":["#,
    );
    for i in 0..rows {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            r#"["2024-03-04T00:00:{:02}.1234567Z",{i},"h{}"]"#,
            i % 60,
            i % 10
        ));
    }
    s.push_str(r#"]},{"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false}]"#);
    let body = Arc::new(s.into_bytes());
    let server = TestServer::start(move |_, _| Reply::shared(200, body.clone()).chunked());
    let d = driver(&server, Arc::new(ManualClock::new()));
    let out = run(&d, "T", &QueryContext::default()).unwrap();
    assert_eq!(out.df.height(), rows);
    assert_eq!(
        out.df.column("N").unwrap().i64().unwrap().get(77_777),
        Some(77_777)
    );
    let out = run(
        &d,
        "T",
        &QueryContext {
            max_rows: Some(10),
            ..QueryContext::default()
        },
    )
    .unwrap();
    assert_eq!(out.df.height(), 10);
    assert_eq!(
        out.completeness,
        Completeness::Partial {
            reason: "row limit 10 reached: 99990 more rows not kept".into()
        }
    );
}

fn cluster_settings(a: &TestServer, b: &TestServer, query_dir: &std::path::Path) -> Settings {
    let yaml = format!(
        "Azure:
  auth_methods: [clientsecret]
  endpoints:
    authority_host: {a}
KustoClusters:
  ClusterDefaults:
    Args:
      TenantId: tenant-k
  ClusterGroups:
    Group1: [ClusterB]
  ClusterA:
    Args:
      Cluster: {a}
      Database: DbA
      ClientId: client-a
      ClientSecret: secret-a-value
  ClusterB:
    Args:
      Cluster: {b}
      ClientId: client-b
      ClientSecret:
        EnvironmentVar: HUNTBOOK_TEST_KUSTO_B_SECRET_UNSET
QueryDefinitions:
  Custom: [{q}]
",
        a = a.url(),
        b = b.url(),
        q = query_dir.display()
    );
    Settings::from_yaml_str(&yaml, "kusto.yaml").unwrap()
}

const QUERY_FILE: &str = "metadata:
  version: 1
  description: Queries for cluster B
  data_environments: [Kusto]
  data_families: [ClusterTest]
  cluster_groups: [Group1]
  database: DbB
sources:
  on_b:
    description: Runs on cluster B
    args:
      query: 'Events | take 1'
";

#[test]
fn cluster_metadata_routes_queries() {
    let body = frames(
        json!([{"ColumnName": "a", "ColumnType": "long"}]),
        json!([[1]]),
        ok_completion(),
    );
    let b1 = body.clone();
    let a = TestServer::start(move |req, _| {
        if req.path().ends_with("/token") {
            return Reply::json(200, token_json("token-a", 3599));
        }
        Reply::json(200, b1.clone())
    });
    let b = TestServer::start(move |_, _| Reply::json(200, body.clone()));
    let dir = std::env::temp_dir().join(format!("huntbook-kusto-q-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("cluster_b.yaml"), QUERY_FILE).unwrap();
    let s = cluster_settings(&a, &b, &dir);
    let d = KustoDriver::from_settings(&s).unwrap();
    assert_eq!(
        d.clusters()
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["ClusterA", "ClusterB"]
    );
    block_on(d.connect(&Connection::new().option("cluster", "ClusterA")))
        .unwrap()
        .unwrap();
    assert_eq!(d.connected(), [a.url()]);
    // no cluster metadata: the connected cluster and its database
    let out = run(&d, "Events | take 1", &QueryContext::default()).unwrap();
    assert_eq!(out.df.height(), 1);
    let ra = a.requests_to("/v2/rest/query");
    assert_eq!(ra[0].json()["db"], "DbA");
    assert_eq!(ra[0].bearer(), Some("token-a"));
    assert_eq!(
        a.requests_to("/tenant-k/oauth2/v2.0/token")[0].form()["client_id"],
        "client-a"
    );
    // the query's cluster group names cluster B: it goes there, with its database;
    // B's secret is an unset environment variable, so the credential says so
    let ctx = QueryContext {
        query_name: Some("ClusterTest.on_b".into()),
        ..QueryContext::default()
    };
    let e = run(&d, "Events | take 1", &ctx).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "async runtime: Kusto query on {} database DbB: Azure AD authentication failed for scope '{}/.default'; tried clientsecret: invalid secret from environment variable 'HUNTBOOK_TEST_KUSTO_B_SECRET_UNSET': the variable is not set",
            b.url(),
            b.url()
        )
    );
    assert!(b.requests().is_empty());
    // usable queries follow MSTICPy's rule
    let qp = QueryProvider::from_settings("Kusto", &s).unwrap();
    let on_b = qp.store().get("Kusto", "ClusterTest.on_b").unwrap();
    assert!(!d.query_usable(&on_b));
    let anywhere = qp
        .store()
        .get("Kusto", "DeviceEvents.list_host_processes")
        .unwrap();
    // the bundled query targets https://help.kusto.windows.net, not configured here
    assert!(!d.query_usable(&anywhere));
    // the provider's query list leaves out queries for clusters not configured
    let names = qp.list_queries().unwrap().names();
    assert!(names.contains(&"ClusterTest.on_b".to_string()), "{names:?}");
    assert!(!names.contains(&"DeviceEvents.list_host_processes".to_string()));
    let ctx = QueryContext {
        query_name: Some("DeviceEvents.list_host_processes".into()),
        ..QueryContext::default()
    };
    let e = run(&d, "x", &ctx).unwrap_err().to_string();
    assert_eq!(
        e,
        "invalid Kusto query 'DeviceEvents.list_host_processes': it targets https://help.kusto.windows.net, which is not in KustoClusters (configured: ClusterA, ClusterB)"
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!format!("{d:?}").contains("secret-a-value"));
}

#[test]
fn several_clusters_at_once_name_the_failing_one() {
    let body = frames(
        json!([{"ColumnName": "a", "ColumnType": "long"}]),
        json!([[1], [2]]),
        ok_completion(),
    );
    let good = TestServer::start(move |_, _| Reply::json(200, body.clone()));
    let bad = TestServer::start(|_, _| {
        Reply::json(
            404,
            r#"{"error":{"code":"BadRequest_EntityNotFound","message":"Request is invalid and cannot be executed.","@message":"Database 'Nope' was not found."}}"#,
        )
    });
    let d = KustoDriver::new(vec![
        KustoCluster::new(&good.url(), static_tokens())
            .named("good")
            .database("Nope"),
        KustoCluster::new(&bad.url(), static_tokens())
            .named("bad")
            .database("Nope"),
    ]);
    block_on(d.connect(&Connection::new().option("cluster", "good,bad")))
        .unwrap()
        .unwrap();
    let out = run(&d, "T", &QueryContext::default()).unwrap();
    assert_eq!(out.df.height(), 2);
    assert_eq!(
        out.completeness,
        Completeness::Partial {
            reason: format!(
                "cluster bad: async runtime: Kusto query on {} database Nope: HTTP 404 (check the workspace id / cluster and database): BadRequest_EntityNotFound: Database 'Nope' was not found.",
                bad.url()
            )
        }
    );
    let err = block_on(d.connect(&Connection::new().option("cluster", "elsewhere")))
        .unwrap()
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "invalid Kusto cluster 'elsewhere': not in KustoClusters (configured: good, bad)"
    );
}
