//! The Log Analytics (Microsoft Sentinel) driver against a Log Analytics
//! query API served on 127.0.0.1 with answers shaped like the service's
//! (MSTICPy's recorded `az_mon_raw_query.json` and hand-written ones from
//! the API reference).

use crate::remote_support;

use crate::http_support::{Reply, TestServer};
use huntbook::azure::auth::{AccessToken, StaticToken, TokenSource};
use huntbook::azure::cloud::AzureCloud;
use huntbook::azure::credential::AzureCredential;
use huntbook::config::{Secret, Settings};
use huntbook::data::drivers::loganalytics::{
    LogAnalyticsDriver, parse_query_response, parse_schema,
};
use huntbook::data::drivers::{Completeness, Connection, Driver, QueryContext};
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

const WS: &str = "52b1ab41-869e-4138-9e40-2a4457f09bf3";
const WS2: &str = "a927809c-8142-43e1-96b3-4ad87cfe95a3";

fn static_tokens() -> Arc<dyn TokenSource> {
    Arc::new(StaticToken::new(AccessToken::new(
        "static-token-value",
        None,
    )))
}

fn driver(server: &TestServer, clock: Arc<ManualClock>) -> LogAnalyticsDriver {
    LogAnalyticsDriver::new(
        static_tokens(),
        AzureCloud::global().with_log_analytics_endpoint(server.url()),
    )
    .workspace_ids([WS])
    .clock(clock)
    .http_options(HttpOptions {
        timeout: Duration::from_secs(10),
        ..HttpOptions::default()
    })
}

fn run(
    d: &LogAnalyticsDriver,
    q: &str,
    ctx: &QueryContext,
) -> huntbook::Result<huntbook::data::drivers::QueryOutput> {
    block_on(d.execute(q, ctx)).unwrap()
}

fn utc_ns(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .timestamp_nanos_opt()
        .unwrap()
}

#[test]
fn recorded_answer_becomes_a_typed_frame() {
    let body = std::fs::read(data("msticpy/testdata/azmondata/az_mon_raw_query.json")).unwrap();
    let server = TestServer::start(move |_, _| Reply::json(200, body.clone()));
    let d = driver(&server, Arc::new(ManualClock::new()));
    let start = chrono::DateTime::parse_from_rfc3339("2023-02-20T00:00:00Z")
        .unwrap()
        .to_utc();
    let end = chrono::DateTime::parse_from_rfc3339("2023-02-21T00:00:00Z")
        .unwrap()
        .to_utc();
    let ctx = QueryContext {
        time_span: Some((start, end)),
        ..QueryContext::default()
    };
    let out = run(&d, "SecurityAlert | take 3", &ctx).unwrap();
    assert_eq!(out.completeness, Completeness::Complete);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let df = out.df;
    assert_eq!(df.shape(), (3, 34));
    let utc = DataType::Datetime(TimeUnit::Nanoseconds, Some(TimeZone::UTC));
    assert_eq!(df.column("TimeGenerated").unwrap().dtype(), &utc);
    assert_eq!(df.column("StartTime").unwrap().dtype(), &utc);
    assert_eq!(
        df.column("TimeGenerated")
            .unwrap()
            .datetime()
            .unwrap()
            .physical()
            .get(0),
        Some(utc_ns("2023-02-20T11:04:02.6371632Z"))
    );
    assert_eq!(
        df.column("TimeGenerated")
            .unwrap()
            .datetime()
            .unwrap()
            .physical()
            .get(2),
        Some(utc_ns("2023-02-20T21:11:02.2810341Z"))
    );
    // an all-null real column keeps its type
    let score = df.column("ConfidenceScore").unwrap();
    assert_eq!(score.dtype(), &DataType::Float64);
    assert_eq!(score.null_count(), 3);
    assert_eq!(df.column("IsIncident").unwrap().dtype(), &DataType::Boolean);
    assert_eq!(
        df.column("IsIncident").unwrap().bool().unwrap().get(0),
        Some(false)
    );
    assert_eq!(
        df.column("SystemAlertId").unwrap().str().unwrap().get(1),
        Some("4422fdcc-ed33-8b4a-fec8-1cfbf799c74b")
    );
    assert_eq!(
        df.column("Type").unwrap().str().unwrap().get(0),
        Some("SecurityAlert")
    );
    // the request
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path(), format!("/v1/workspaces/{WS}/query"));
    assert_eq!(r.bearer(), Some("static-token-value"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.json(),
        json!({"query": "SecurityAlert | take 3", "timespan": "2023-02-20T00:00:00Z/2023-02-21T00:00:00Z"})
    );
    // the public parse function gives the same frame
    let body = std::fs::read(data("msticpy/testdata/azmondata/az_mon_raw_query.json")).unwrap();
    let parsed = parse_query_response(&body, None).unwrap();
    assert!(parsed.primary().unwrap().equals_missing(&df));
}

#[test]
fn every_column_type() {
    let body = json!({"tables": [{"name": "PrimaryResult", "columns": [
      {"name": "When", "type": "datetime"}, {"name": "Props", "type": "dynamic"},
      {"name": "Flag", "type": "bool"}, {"name": "Pid", "type": "int"},
      {"name": "Bytes", "type": "long"}, {"name": "Score", "type": "real"},
      {"name": "Cost", "type": "decimal"}, {"name": "Id", "type": "guid"},
      {"name": "Name", "type": "string"}, {"name": "Took", "type": "timespan"}],
    "rows": [
      ["2024-03-04T08:00:01.04Z", "{\"a\":[1,2],\"b\":\"<script>\"}", true, 4242, 77687093572141245i64, 0.25, "12.75",
       "0335fe6b-dfdb-4312-a816-ef99d2d7eaee", "powershell.exe", "1.02:03:04.5"],
      [null, null, null, null, null, null, null, null, null, null],
      ["2024-03-04T08:00:02Z", [1, "x"], false, -1, -5, "NaN", 3, "", "", "-00:00:00.0000001"]
    ]}]});
    let server = TestServer::start(move |_, _| Reply::json(200, body.to_string()));
    let d = driver(&server, Arc::new(ManualClock::new()));
    let out = run(&d, "T", &QueryContext::default()).unwrap();
    let df = out.df;
    assert_eq!(df.shape(), (3, 10));
    let dtypes: Vec<String> = df.dtypes().iter().map(|d| d.to_string()).collect();
    assert_eq!(
        dtypes,
        [
            "datetime[ns, UTC]",
            "str",
            "bool",
            "i32",
            "i64",
            "f64",
            "f64",
            "str",
            "str",
            "duration[ns]"
        ]
    );
    let c = |n: &str| df.column(n).unwrap().clone();
    assert_eq!(
        c("When").datetime().unwrap().physical().get(0),
        Some(utc_ns("2024-03-04T08:00:01.04Z"))
    );
    assert_eq!(
        c("Props").str().unwrap().get(0),
        Some("{\"a\":[1,2],\"b\":\"<script>\"}")
    );
    assert_eq!(c("Props").str().unwrap().get(2), Some("[1,\"x\"]"));
    assert_eq!(c("Flag").bool().unwrap().get(2), Some(false));
    assert_eq!(c("Pid").i32().unwrap().get(0), Some(4242));
    assert_eq!(c("Bytes").i64().unwrap().get(0), Some(77687093572141245));
    assert_eq!(c("Score").f64().unwrap().get(0), Some(0.25));
    assert!(c("Score").f64().unwrap().get(2).unwrap().is_nan());
    assert_eq!(c("Cost").f64().unwrap().get(0), Some(12.75));
    assert_eq!(c("Cost").f64().unwrap().get(2), Some(3.0));
    assert_eq!(
        c("Id").str().unwrap().get(0),
        Some("0335fe6b-dfdb-4312-a816-ef99d2d7eaee")
    );
    assert_eq!(
        c("Took").duration().unwrap().physical().get(0),
        Some(((26 * 60 + 3) * 60 + 4) * 1_000_000_000 + 500_000_000)
    );
    assert_eq!(c("Took").duration().unwrap().physical().get(2), Some(-100));
    for col in df.columns() {
        assert_eq!(col.null_count(), 1, "{}", col.name());
    }
}

#[test]
fn empty_result_keeps_declared_types() {
    let server = TestServer::start(|_, _| {
        Reply::json(
            200,
            r#"{"tables":[{"name":"PrimaryResult","columns":[{"name":"TimeGenerated","type":"datetime"},{"name":"EventID","type":"int"},{"name":"Account","type":"string"}],"rows":[]}]}"#,
        )
    });
    let d = driver(&server, Arc::new(ManualClock::new()));
    let out = run(&d, "SecurityEvent | where false", &QueryContext::default()).unwrap();
    assert_eq!(out.df.shape(), (0, 3));
    assert_eq!(
        out.df.column("TimeGenerated").unwrap().dtype(),
        &DataType::Datetime(TimeUnit::Nanoseconds, Some(TimeZone::UTC))
    );
    assert_eq!(out.df.column("EventID").unwrap().dtype(), &DataType::Int32);
    assert_eq!(out.completeness, Completeness::Complete);
}

const PARTIAL: &str = r#"{"tables":[{"name":"PrimaryResult","columns":[{"name":"Computer","type":"string"}],"rows":[["host1"],["host2"]]}],
 "error":{"message":"There were some errors when processing your query.","code":"PartialError","correlationId":"6b8d1e5c-35b3-4b0b-a3c8-2c1a1f9e0c8d",
  "details":[{"code":"EngineError","message":"Something went wrong processing your query on the server.","innererror":{"code":"-2133196797","message":"The results of this query exceed the set limit of 64000000 bytes, so not all records were returned (E_QUERY_RESULT_SET_TOO_LARGE, 0x80DA0003).","severity":2,"severityName":"Error"}}]}}"#;

#[test]
fn partial_result_is_kept_or_fails() {
    let server = TestServer::start(|_, _| Reply::json(200, PARTIAL));
    let d = driver(&server, Arc::new(ManualClock::new()));
    let out = run(&d, "Heartbeat", &QueryContext::default()).unwrap();
    assert_eq!(out.df.height(), 2);
    assert_eq!(
        out.completeness,
        Completeness::Partial {
            reason: "the service reported an error: PartialError: There were some errors when processing your query.; Something went wrong processing your query on the server.".into()
        }
    );
    let strict = driver(&server, Arc::new(ManualClock::new())).fail_on_partial(true);
    let err = run(&strict, "Heartbeat", &QueryContext::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!(
            "async runtime: Log Analytics query on workspace {WS}: partial result (fail_on_partial is set): PartialError: There were some errors when processing your query.; Something went wrong processing your query on the server."
        )
    );
}

#[test]
fn unauthorised_then_refresh_with_a_real_token_endpoint() {
    let tokens_issued = Arc::new(AtomicUsize::new(0));
    let t2 = tokens_issued.clone();
    let body = std::fs::read(data("msticpy/testdata/azmondata/az_mon_raw_query.json")).unwrap();
    let server = TestServer::start(move |req, _| {
        if req.path().ends_with("/oauth2/v2.0/token") {
            let i = t2.fetch_add(1, Ordering::SeqCst);
            return Reply::json(200, token_json(&format!("la-token-{i}"), 3599));
        }
        match req.bearer() {
            // the first token was revoked
            Some("la-token-0") => Reply::json(
                401,
                r#"{"error":{"message":"Valid authentication was not provided","code":"AuthorizationRequiredError","correlationId":"x"}}"#,
            ),
            Some("la-token-1") => Reply::json(200, body.clone()),
            other => panic!("unexpected token {other:?}"),
        }
    });
    let cloud = AzureCloud::global()
        .with_authority_host(server.url())
        .with_log_analytics_endpoint(server.url());
    let cred = AzureCredential::client_secret(
        cloud.clone(),
        "tenant-1",
        "client-1",
        Secret::plain("la-client-secret"),
    )
    .unwrap();
    let d = LogAnalyticsDriver::new(Arc::new(cred.clone()), cloud).workspace_ids([WS]);
    let out = run(&d, "SecurityAlert", &QueryContext::default()).unwrap();
    assert_eq!(out.df.height(), 3);
    assert_eq!(tokens_issued.load(Ordering::SeqCst), 2);
    let token_reqs = server.requests_to("/tenant-1/oauth2/v2.0/token");
    assert_eq!(token_reqs.len(), 2);
    assert_eq!(
        token_reqs[0].form()["scope"],
        "https://api.loganalytics.io/.default"
    );
    assert_eq!(
        server
            .requests_to(&format!("/v1/workspaces/{WS}/query"))
            .len(),
        2
    );
    // still revoked: a clear error without the token
    let server2 = TestServer::start(|req, _| {
        if req.path().ends_with("/token") {
            return Reply::json(200, token_json("never-valid-token", 3599));
        }
        Reply::json(401, r#"{"error":{"code":"AuthorizationRequiredError"}}"#)
    });
    let cloud2 = AzureCloud::global()
        .with_authority_host(server2.url())
        .with_log_analytics_endpoint(server2.url());
    let cred2 =
        AzureCredential::client_secret(cloud2.clone(), "t", "c", Secret::plain("x")).unwrap();
    let d2 = LogAnalyticsDriver::new(Arc::new(cred2), cloud2).workspace_ids([WS]);
    let err = run(&d2, "T", &QueryContext::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!(
            "async runtime: Log Analytics query on workspace {WS}: HTTP 401: not authorised (check the credential and its role assignments)"
        )
    );
    assert!(!err.contains("never-valid-token"));
}

#[test]
fn rate_limited_then_success() {
    let body = std::fs::read(data("msticpy/testdata/azmondata/az_mon_raw_query.json")).unwrap();
    let server = TestServer::start(move |_, n| {
        if n == 0 {
            Reply::json(
                429,
                r#"{"error":{"message":"Too many requests","code":"ThrottledError"}}"#,
            )
            .header("Retry-After", "7")
        } else {
            Reply::json(200, body.clone())
        }
    });
    let clock = Arc::new(ManualClock::new());
    let d = driver(&server, clock.clone());
    let out = run(&d, "SecurityAlert", &QueryContext::default()).unwrap();
    assert_eq!(out.df.height(), 3);
    assert_eq!(clock.sleeps(), [Duration::from_secs(7)]);
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn timeout_is_reported() {
    let server = TestServer::start(|_, _| {
        Reply::json(200, r#"{"tables":[]}"#).delayed(Duration::from_secs(3))
    });
    let d = LogAnalyticsDriver::new(
        static_tokens(),
        AzureCloud::global().with_log_analytics_endpoint(server.url()),
    )
    .workspace_ids([WS])
    .clock(Arc::new(ManualClock::new()))
    .http_options(HttpOptions {
        timeout: Duration::from_millis(300),
        retries: 1,
        ..HttpOptions::default()
    });
    let err = run(&d, "T", &QueryContext::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!("async runtime: Log Analytics query on workspace {WS}: timed out (2 tries)")
    );
}

#[test]
fn malformed_json_and_query_errors() {
    let server = TestServer::start(|req, _| {
        let q = req.json()["query"].as_str().unwrap_or("").to_string();
        if q == "bad syntax" {
            return Reply::json(
                400,
                r#"{"error":{"message":"The request had some invalid properties","code":"BadArgumentError","correlationId":"c1",
                  "innererror":{"code":"SyntaxError","message":"A recognition error occurred in the query.",
                   "innererror":{"code":"SYN0002","message":"Query could not be parsed at 'syntax' on line [1,4]","line":1,"pos":4,"token":"syntax"}}}}"#,
            );
        }
        Reply::json(
            200,
            r#"{"tables":[{"name":"PrimaryResult","columns":[{"name":"a","type":"long"}],"rows":[[1],[2"#,
        )
    });
    let d = driver(&server, Arc::new(ManualClock::new()));
    let err = run(&d, "T", &QueryContext::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!(
            "async runtime: Log Analytics query on workspace {WS}: reading the Log Analytics answer: EOF while parsing"
        )),
        "{err}"
    );
    let err = run(&d, "bad syntax", &QueryContext::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!(
            "async runtime: Log Analytics query on workspace {WS}: HTTP 400 (the query was rejected): BadArgumentError: The request had some invalid properties: A recognition error occurred in the query.: Query could not be parsed at 'syntax' on line [1,4]"
        )
    );
}

fn large_body(rows: usize) -> Vec<u8> {
    let mut s = String::with_capacity(rows * 90);
    s.push_str(r#"{"tables":[{"name":"PrimaryResult","columns":[{"name":"TimeGenerated","type":"datetime"},{"name":"Bytes","type":"long"},{"name":"Computer","type":"string"},{"name":"Score","type":"real"}],"rows":["#);
    for i in 0..rows {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            r#"["2024-03-04T{:02}:{:02}:{:02}.5Z",{},"host-{}",{}.5]"#,
            (i / 3600) % 24,
            (i / 60) % 60,
            i % 60,
            i as i64 * 1000,
            i % 100,
            i % 7
        ));
    }
    s.push_str("]}]}");
    s.into_bytes()
}

#[test]
fn very_large_result_streams_and_row_limit() {
    let rows = 100_000;
    let body = Arc::new(large_body(rows));
    let b2 = body.clone();
    let server = TestServer::start(move |_, _| Reply::shared(200, b2.clone()).chunked());
    let d = driver(&server, Arc::new(ManualClock::new()));
    let out = run(&d, "Big", &QueryContext::default()).unwrap();
    assert_eq!(out.df.height(), rows);
    assert_eq!(out.completeness, Completeness::Complete);
    let bytes = out.df.column("Bytes").unwrap().i64().unwrap().clone();
    assert_eq!(bytes.get(99_999), Some(99_999_000));
    assert_eq!(
        out.df
            .column("Computer")
            .unwrap()
            .str()
            .unwrap()
            .get(12_345),
        Some("host-45")
    );
    assert_eq!(
        out.df.column("Score").unwrap().f64().unwrap().get(13),
        Some(6.5)
    );
    // a body over the limit fails clearly instead of filling memory
    let small = driver(&server, Arc::new(ManualClock::new())).http_options(HttpOptions {
        max_body_bytes: 1 << 20,
        ..HttpOptions::default()
    });
    let err = run(&small, "Big", &QueryContext::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!(
            "async runtime: Log Analytics query on workspace {WS}: request failed: response larger than 1048576 bytes"
        )
    );
    // max_rows keeps the first rows and says how many were left out
    let ctx = QueryContext {
        max_rows: Some(1000),
        ..QueryContext::default()
    };
    let out = run(&d, "Big", &ctx).unwrap();
    assert_eq!(out.df.height(), 1000);
    assert_eq!(
        out.completeness,
        Completeness::Partial {
            reason: "row limit 1000 reached: 99000 more rows not kept".into()
        }
    );
}

#[test]
fn several_workspaces_in_one_request() {
    let server =
        TestServer::start(|_, _| Reply::json(200, PARTIAL.replace(",\n \"error\"", ",\"x\"")));
    let d = driver(&server, Arc::new(ManualClock::new()))
        .workspace_ids([WS, WS2])
        .server_timeout(Duration::from_secs(120))
        .include_statistics(true);
    let _ = run(&d, "Heartbeat", &QueryContext::default());
    let r = &server.requests()[0];
    assert_eq!(r.path(), format!("/v1/workspaces/{WS}/query"));
    assert_eq!(r.json()["workspaces"], json!([WS2]));
    assert_eq!(r.header("prefer"), Some("wait=120,include-statistics=true"));
}

#[test]
fn workspace_schema() {
    // Azure Resource Manager's table list, as MSTICPy recorded it
    let arm = std::fs::read(data("msticpy/testdata/azmondata/az_mon_schema.json")).unwrap();
    let schema = parse_schema(&arm).unwrap();
    assert_eq!(schema.len(), 17);
    assert_eq!(
        schema["AuditLog_CL"],
        [
            ("TenantId", "guid"),
            ("SourceSystem", "string"),
            ("MG", "guid"),
            ("ManagementGroupName", "string"),
            ("TimeGenerated", "datetime"),
            ("Computer", "string"),
            ("RawData", "string")
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    // the query API's metadata endpoint, through the driver
    let server = TestServer::start(|req, _| {
        assert_eq!(req.method, "GET");
        assert_eq!(req.path(), format!("/v1/workspaces/{WS}/metadata"));
        Reply::json(
            200,
            r#"{"tables":[{"id":"t/SecurityEvent","name":"SecurityEvent","timespanColumn":"TimeGenerated",
                "columns":[{"name":"TimeGenerated","type":"datetime"},{"name":"EventID","type":"int"},{"name":"Account","type":"string"}]}],
              "workspaces":[{"id":"w1","resourceId":"/subscriptions/x","name":"ws","region":"eastus"}]}"#,
        )
    });
    let d = driver(&server, Arc::new(ManualClock::new()));
    let s = d.schema().unwrap();
    assert_eq!(
        s["SecurityEvent"],
        [
            ("TimeGenerated", "datetime"),
            ("EventID", "int"),
            ("Account", "string")
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    // cached: no second request
    let _ = d.schema().unwrap();
    assert_eq!(server.requests().len(), 1);
}

fn settings_for(server: &TestServer) -> Settings {
    let yaml = format!(
        "Azure:
  auth_methods: [clientsecret]
  endpoints:
    authority_host: {u}
    log_analytics: {u}
AzureSentinel:
  Workspaces:
    Default:
      WorkspaceId: {WS}
      TenantId: tenant-x
DataProviders:
  AzureCLI:
    Args:
      clientId: client-x
      clientSecret: provider-secret-value
",
        u = server.url()
    );
    Settings::from_yaml_str(&yaml, "test.yaml").unwrap()
}

#[test]
fn query_provider_from_settings_with_split_chunks() {
    let body = std::fs::read(data("msticpy/testdata/azmondata/az_mon_raw_query.json")).unwrap();
    let server = TestServer::start(move |req, _| {
        if req.path().ends_with("/oauth2/v2.0/token") {
            assert_eq!(req.path(), "/tenant-x/oauth2/v2.0/token");
            assert_eq!(req.form()["client_secret"], "provider-secret-value");
            return Reply::json(200, token_json("provider-token", 3599));
        }
        let ts = req.json()["timespan"].as_str().unwrap_or("").to_string();
        if ts.starts_with("2023-02-21") {
            return Reply::json(
                400,
                r#"{"error":{"message":"The request had some invalid properties","code":"BadArgumentError"}}"#,
            );
        }
        Reply::json(200, body.clone())
    });
    let s = settings_for(&server);
    let qp = QueryProvider::from_settings("MSSentinel", &s).unwrap();
    assert_eq!(qp.environment(), "MSSentinel");
    let q = qp
        .query("SecurityAlert.list_alerts")
        .unwrap()
        .start("2023-02-20T00:00:00Z")
        .end("2023-02-23T00:00:00Z")
        .split_by("1d");
    let result = q.run_result().unwrap();
    assert_eq!(result.chunks.len(), 3);
    assert_eq!(result.df().height(), 6);
    let failures = result.failures();
    assert_eq!(failures.len(), 1);
    assert_eq!(
        failures[0].error.as_deref(),
        Some(format!("async runtime: Log Analytics query on workspace {WS}: HTTP 400 (the query was rejected): BadArgumentError: The request had some invalid properties").as_str())
    );
    // one token for all three chunks
    assert_eq!(server.requests_to("/tenant-x/oauth2/v2.0/token").len(), 1);
    let la = server.requests_to(&format!("/v1/workspaces/{WS}/query"));
    let q0 = la[0].json()["query"].as_str().unwrap().to_string();
    assert!(
        q0.starts_with("SecurityAlert\n| where TimeGenerated >= datetime("),
        "{q0}"
    );
    // the settings' secret is never shown
    let shown = format!("{s:?} {s} {:?}", qp);
    assert!(!shown.contains("provider-secret-value") && !shown.contains("provider-token"));
}

#[test]
fn connect_options_and_missing_workspace() {
    let d = LogAnalyticsDriver::new(static_tokens(), AzureCloud::global());
    let err = block_on(d.connect(&Connection::new()))
        .unwrap()
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "invalid Log Analytics connection: no workspace: give workspace_id, or configure AzureSentinel.Workspaces"
    );
    block_on(d.connect(&Connection::new().option("workspace_ids", format!("{WS}, {WS2}"))))
        .unwrap()
        .unwrap();
    assert_eq!(d.workspaces(), [WS, WS2]);
    let none = Settings::from_yaml_str("Azure:\n  cloud: global\n", "t").unwrap();
    let err = QueryProvider::from_settings("MSSentinel", &none)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "invalid MSSentinel settings: no workspace configured: add AzureSentinel.Workspaces.Default.WorkspaceId (and TenantId) to msticpyconfig.yaml"
    );
}

#[test]
fn html_view_escapes_hostile_values() {
    use huntbook::NotebookDisplay;
    let body = br#"{"tables":[{"name":"PrimaryResult","columns":[{"name":"CommandLine","type":"string"}],"rows":[["<script>alert(1)</script>"]]}],
      "error":{"code":"PartialError","message":"<img src=x onerror=alert(2)>"}}"#;
    let r = parse_query_response(body, None).unwrap();
    let html = r.to_html();
    assert!(!html.contains("<script>alert(1)"), "{html}");
    assert!(!html.contains("<img src=x"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(
        html.contains("Partial result: PartialError: &lt;img src=x onerror=alert(2)&gt;"),
        "{html}"
    );
    assert!(
        r.to_text()
            .starts_with("Partial result: PartialError: <img src=x onerror=alert(2)>\n")
    );
}

#[test]
fn cli_query_run_against_the_workspace() {
    let body = std::fs::read(data("msticpy/testdata/azmondata/az_mon_raw_query.json")).unwrap();
    let server = TestServer::start(move |req, _| {
        if req.path().ends_with("/oauth2/v2.0/token") {
            return Reply::json(200, token_json("provider-token", 3599));
        }
        Reply::json(200, body.clone())
    });
    let dir = std::env::temp_dir().join(format!("huntbook-la-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("msticpyconfig.yaml");
    std::fs::write(
        &cfg,
        format!(
            "Azure:
  auth_methods: [clientsecret]
  endpoints:
    authority_host: {u}
    log_analytics: {u}
AzureSentinel:
  Workspaces:
    Default:
      WorkspaceId: {WS}
      TenantId: tenant-x
DataProviders:
  AzureCLI:
    Args:
      clientId: client-x
      clientSecret: provider-secret-value
",
            u = server.url()
        ),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_huntbook"))
        .args([
            "query",
            "run",
            "MSSentinel",
            "SecurityAlert.list_alerts",
            "--param",
            "start=2023-02-20T00:00:00Z",
            "--param",
            "end=2023-02-21T00:00:00Z",
            "-f",
            "csv",
        ])
        .env("MSTICPYCONFIG", &cfg)
        .env_remove("HUNTBOOK_CONFIG")
        .env("HOME", &dir)
        .current_dir(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("TenantId,TimeGenerated,DisplayName,"),
        "{}",
        lines[0]
    );
    assert_eq!(stdout.lines().count(), 4);
    let q = &server.requests_to(&format!("/v1/workspaces/{WS}/query"))[0];
    assert_eq!(
        q.json()["timespan"],
        "2023-02-20T00:00:00Z/2023-02-21T00:00:00Z"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
