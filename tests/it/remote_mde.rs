//! The Defender (MDE / M365D) and Graph `runHuntingQuery` driver against
//! a server on 127.0.0.1 answering like the documented APIs.

use crate::splunk_support;

use crate::http_support::{Reply, TestServer};
use huntbook::azure::auth::{AccessToken, BoxFuture, StaticToken, TokenSource};
use huntbook::azure::cloud::AzureCloud;
use huntbook::data::drivers::mde::{DefenderApi, HuntingResults, MdeConfig, MdeDriver};
use huntbook::data::drivers::{Completeness, Driver, QueryContext, QueryOutput};
use huntbook::enrich::ti::limit::ManualClock;
use huntbook::net::http::HttpOptions;
use huntbook::prelude::*;
use splunk_support::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A token source that hands out `tok-0`, `tok-1`… and counts invalidations.
#[derive(Debug, Default)]
struct CountingTokens {
    current: Mutex<usize>,
    invalidated: AtomicUsize,
    scopes: Mutex<Vec<String>>,
}

impl TokenSource for CountingTokens {
    fn token<'a>(&'a self, scope: &'a str) -> BoxFuture<'a, huntbook::Result<AccessToken>> {
        self.scopes.lock().unwrap().push(scope.to_string());
        let n = *self.current.lock().unwrap();
        Box::pin(async move { Ok(AccessToken::new(format!("tok-{n}"), None)) })
    }
    fn invalidate(&self, _scope: &str) {
        self.invalidated.fetch_add(1, Ordering::SeqCst);
        *self.current.lock().unwrap() += 1;
    }
}

fn http() -> HttpOptions {
    HttpOptions {
        timeout: Duration::from_secs(10),
        retries: 2,
        backoff: Duration::from_millis(10),
        ..HttpOptions::default()
    }
}

fn static_token() -> Arc<dyn TokenSource> {
    Arc::new(StaticToken::new(AccessToken::new(
        "secret-bearer-abc",
        None,
    )))
}

fn mde(
    srv: &TestServer,
    api: DefenderApi,
    tokens: Arc<dyn TokenSource>,
    clock: &ManualClock,
) -> MdeDriver {
    let cfg = MdeConfig::new(api, &AzureCloud::global())
        .endpoint(srv.url())
        .http_options(http());
    MdeDriver::with_clock(cfg, tokens, Arc::new(clock.clone())).unwrap()
}

fn run(d: &MdeDriver, q: &str, ctx: &QueryContext) -> huntbook::Result<QueryOutput> {
    huntbook::session::block_on(d.execute(q, ctx)).unwrap()
}

#[test]
fn every_column_type() {
    let srv = TestServer::start(|_, _| Reply::json(200, MDE_EVERY_TYPE));
    let d = mde(&srv, DefenderApi::Mde, static_token(), &ManualClock::new());
    let out = run(&d, "DeviceProcessEvents | take 2", &QueryContext::default()).unwrap();
    assert_eq!(out.completeness, Completeness::Complete);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let df = &out.df;
    assert_eq!(df.shape(), (2, 9));
    let dtypes: Vec<String> = df.dtypes().iter().map(|t| t.to_string()).collect();
    assert_eq!(
        dtypes,
        [
            "datetime[ns, UTC]",
            "str",
            "i64",
            "i32",
            "f64",
            "bool",
            "str",
            "str",
            "str"
        ]
    );
    assert_eq!(
        df.column("Timestamp")
            .unwrap()
            .datetime()
            .unwrap()
            .phys
            .get(0),
        Some(1_704_164_645_123_456_700)
    );
    assert_eq!(
        df.column("ReportId").unwrap().i64().unwrap().get(0),
        Some(1_234_567_890_123)
    );
    assert_eq!(df.column("ProcessId").unwrap().i32().unwrap().get(1), None);
    assert!(
        df.column("Score")
            .unwrap()
            .f64()
            .unwrap()
            .get(1)
            .unwrap()
            .is_nan()
    );
    assert_eq!(
        df.column("IsElevated").unwrap().bool().unwrap().get(0),
        Some(true)
    );
    assert_eq!(
        df.column("AdditionalFields").unwrap().str().unwrap().get(0),
        Some(r#"{"Command":"whoami","Args":[1,2]}"#)
    );
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method, "POST");
    assert_eq!(reqs[0].path(), "/api/advancedqueries/run");
    assert_eq!(
        reqs[0].header("authorization"),
        Some("Bearer secret-bearer-abc")
    );
    let body: serde_json::Value = serde_json::from_str(&reqs[0].text()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"Query": "DeviceProcessEvents | take 2"})
    );
}

#[test]
fn graph_and_m365d_paths_and_shape() {
    let srv = TestServer::start(|req, _| match req.path() {
        "/v1.0/security/runHuntingQuery" => Reply::json(200, GRAPH_ANSWER),
        "/api/advancedhunting/run" => Reply::json(200, MDE_EMPTY),
        _ => Reply::json(404, "{}"),
    });
    let clock = ManualClock::new();
    let tokens = Arc::new(CountingTokens::default());
    let g = mde(&srv, DefenderApi::Graph, tokens.clone(), &clock);
    let out = run(&g, "DeviceNetworkEvents", &QueryContext::default()).unwrap();
    assert_eq!(out.df.shape(), (2, 4));
    assert_eq!(
        out.df.column("RemotePort").unwrap().i32().unwrap().get(0),
        Some(443)
    );
    assert_eq!(
        out.df.column("FileName").unwrap().str().unwrap().get(1),
        Some("svchost.exe")
    );
    assert_eq!(
        tokens.scopes.lock().unwrap()[0],
        "https://graph.microsoft.com/.default"
    );
    let m = mde(&srv, DefenderApi::M365d, static_token(), &clock);
    let empty = run(&m, "DeviceEvents | take 0", &QueryContext::default()).unwrap();
    assert_eq!(empty.df.shape(), (0, 2));
    assert_eq!(
        empty.df.column("Timestamp").unwrap().dtype().to_string(),
        "datetime[ns, UTC]"
    );
}

#[test]
fn unauthorised_then_refreshed_token() {
    let srv = TestServer::start(|req, _| {
        if req.header("authorization") == Some("Bearer tok-0") {
            Reply::json(
                401,
                r#"{"error":{"code":"Unauthorized","message":"Token expired"}}"#,
            )
        } else {
            Reply::json(200, GRAPH_ANSWER)
        }
    });
    let tokens = Arc::new(CountingTokens::default());
    let d = mde(
        &srv,
        DefenderApi::Graph,
        tokens.clone(),
        &ManualClock::new(),
    );
    let out = run(&d, "DeviceNetworkEvents", &QueryContext::default()).unwrap();
    assert_eq!(out.df.height(), 2);
    assert_eq!(tokens.invalidated.load(Ordering::SeqCst), 1);
    let auths: Vec<String> = srv
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_string())
        .collect();
    assert_eq!(auths, ["Bearer tok-0", "Bearer tok-1"]);
}

#[test]
fn still_unauthorised_is_an_error_without_the_token() {
    let srv = TestServer::start(|_, _| {
        Reply::json(
            403,
            r#"{"error":{"code":"Forbidden","message":"Missing role AdvancedQuery.Read.All"}}"#,
        )
    });
    let d = mde(&srv, DefenderApi::Mde, static_token(), &ManualClock::new());
    let err = run(&d, "DeviceEvents", &QueryContext::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "async runtime: MDE hunting query: HTTP 403: not authorised (check the credential and its role assignments)"
    );
    assert!(!err.contains("secret-bearer-abc"));
    assert!(!format!("{d:?}").contains("secret-bearer-abc"));
}

#[test]
fn rate_limited_then_success() {
    let srv = TestServer::start(|_, n| {
        if n == 0 {
            Reply::json(
                429,
                r#"{"error":{"code":"TooManyRequests","message":"slow down"}}"#,
            )
            .header("Retry-After", "12")
        } else {
            Reply::json(200, MDE_EVERY_TYPE)
        }
    });
    let clock = ManualClock::new();
    let d = mde(&srv, DefenderApi::Mde, static_token(), &clock);
    let out = run(&d, "DeviceProcessEvents", &QueryContext::default()).unwrap();
    assert_eq!(out.df.height(), 2);
    assert_eq!(clock.sleeps(), [Duration::from_secs(12)]);
    assert_eq!(srv.requests().len(), 2);
}

#[test]
fn timeout_is_an_error() {
    let srv = TestServer::start(|_, _| Reply::json(200, MDE_EMPTY).delayed(Duration::from_secs(3)));
    let cfg = MdeConfig::new(DefenderApi::Mde, &AzureCloud::global())
        .endpoint(srv.url())
        .http_options(HttpOptions {
            timeout: Duration::from_millis(200),
            retries: 0,
            ..HttpOptions::default()
        });
    let d = MdeDriver::with_clock(cfg, static_token(), Arc::new(ManualClock::new())).unwrap();
    let err = run(&d, "DeviceEvents", &QueryContext::default())
        .unwrap_err()
        .to_string();
    assert_eq!(err, "async runtime: MDE hunting query: timed out (1 try)");
}

#[test]
fn service_error_and_malformed_json() {
    let srv = TestServer::start(|req, _| {
        if req.text().contains("Nope") {
            Reply::json(400, MDE_ERROR)
        } else {
            Reply::json(
                200,
                r#"{"Schema":[{"Name":"a","Type":"String"}],"Results":[{"a":"x"},"#,
            )
        }
    });
    let d = mde(&srv, DefenderApi::Mde, static_token(), &ManualClock::new());
    let err = run(&d, "DeviceEvents | where Nope", &QueryContext::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "async runtime: MDE hunting query: HTTP 400: BadRequest: Query execution has failed: 'where' operator: Failed to resolve column or scalar expression named 'Nope'"
    );
    let err = run(&d, "DeviceEvents", &QueryContext::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(
            "async runtime: MDE hunting query: malformed JSON in the answer: EOF while parsing"
        ),
        "{err}"
    );
}

fn big_answer(rows: usize) -> String {
    let mut s = String::from(
        r#"{"Stats":{},"Schema":[{"Name":"Timestamp","Type":"DateTime"},{"Name":"DeviceName","Type":"String"},{"Name":"RemotePort","Type":"Int32"}],"Results":["#,
    );
    for i in 0..rows {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            r#"{{"Timestamp":"2024-01-02T03:04:05.{:07}Z","DeviceName":"dev{}","RemotePort":{}}}"#,
            i % 10_000_000,
            i % 13,
            i % 65536
        ));
    }
    s.push_str("]}");
    s
}

#[test]
fn very_large_result_and_the_service_limit() {
    let body = Arc::new(big_answer(100_000));
    let b2 = body.clone();
    let srv = TestServer::start(move |_, _| Reply::json(200, b2.as_str()));
    let d = mde(&srv, DefenderApi::Mde, static_token(), &ManualClock::new());
    let out = run(&d, "DeviceNetworkEvents", &QueryContext::default()).unwrap();
    assert_eq!(out.df.height(), 100_000);
    assert_eq!(
        out.df
            .column("RemotePort")
            .unwrap()
            .i32()
            .unwrap()
            .get(99_999),
        Some(99_999 % 65536)
    );
    assert_eq!(
        out.completeness,
        Completeness::Partial {
            reason:
                "the service returns at most 100000 rows: narrow the time range or use split_by"
                    .into()
        }
    );
    let ctx = QueryContext {
        max_rows: Some(10),
        ..QueryContext::default()
    };
    let cut = run(&d, "DeviceNetworkEvents", &ctx).unwrap();
    assert_eq!(cut.df.height(), 10);
    match cut.completeness {
        Completeness::Partial { reason } => {
            assert!(
                reason.starts_with("row limit 10: 10 of 100000 rows kept"),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_answer_over_the_body_limit_is_a_clear_error() {
    let srv = TestServer::start(|_, _| Reply::json(200, big_answer(1000)));
    let cfg = MdeConfig::new(DefenderApi::Mde, &AzureCloud::global())
        .endpoint(srv.url())
        .http_options(HttpOptions {
            max_body_bytes: 4096,
            ..http()
        });
    let d = MdeDriver::with_clock(cfg, static_token(), Arc::new(ManualClock::new())).unwrap();
    let err = run(&d, "DeviceNetworkEvents", &QueryContext::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "async runtime: MDE hunting query: request failed: response larger than 4096 bytes"
    );
}

#[test]
fn library_queries_through_a_provider() {
    let srv = TestServer::start(|_, _| Reply::json(200, MDE_EVERY_TYPE));
    let d = mde(&srv, DefenderApi::Mde, static_token(), &ManualClock::new());
    let qp = QueryProvider::new(d).unwrap();
    let r = qp
        .query("MDE.list_connections_to_ips")
        .unwrap()
        .param("ip_address_list", "10.0.0.1, 10.0.0.2")
        .start("2024-01-02T00:00:00Z")
        .end("2024-01-04T00:00:00Z")
        .split_by("1d")
        .run_result()
        .unwrap();
    assert_eq!(r.chunks.len(), 2);
    assert_eq!(r.df().height(), 4);
    let bodies: Vec<String> = srv
        .requests()
        .iter()
        .map(|r| {
            let v: serde_json::Value = serde_json::from_str(&r.text()).unwrap();
            v["Query"].as_str().unwrap().to_string()
        })
        .collect();
    assert!(
        bodies
            .iter()
            .all(|q| q.contains("| where RemoteIP in ('10.0.0.1','10.0.0.2')")),
        "{bodies:?}"
    );
}

#[test]
fn a_failed_chunk_is_named() {
    let srv = TestServer::start(|req, _| {
        if req.text().contains("2024-01-03T00:00:00")
            && req.text().contains(">= datetime(2024-01-03")
        {
            Reply::json(400, MDE_ERROR)
        } else {
            Reply::json(200, MDE_EMPTY)
        }
    });
    let d = mde(&srv, DefenderApi::Mde, static_token(), &ManualClock::new());
    let qp = QueryProvider::new(d).unwrap();
    let r = qp
        .query("MDE.list_host_processes")
        .unwrap()
        .param("host_name", "web01")
        .start("2024-01-02T00:00:00Z")
        .end("2024-01-04T00:00:00Z")
        .split_by("1d")
        .run_result()
        .unwrap();
    let failed = r.failures();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].start.to_rfc3339(), "2024-01-03T00:00:00+00:00");
    assert!(
        failed[0]
            .error
            .as_deref()
            .unwrap()
            .contains("HTTP 400: BadRequest")
    );
}

#[test]
fn settings_with_client_secret() {
    // token endpoint and API on the same local server
    let srv = TestServer::start(|req, _| match req.path() {
        p if p.ends_with("/oauth2/v2.0/token") => {
            assert_eq!(
                req.field("client_secret").as_deref(),
                Some("cs-very-secret")
            );
            assert_eq!(
                req.field("scope").as_deref(),
                Some("https://api.securitycenter.microsoft.com/.default")
            );
            Reply::json(
                200,
                r#"{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ.from-local-aad"}"#,
            )
        }
        "/api/advancedqueries/run" => {
            assert_eq!(
                req.header("authorization"),
                Some("Bearer eyJ.from-local-aad")
            );
            Reply::json(200, MDE_EMPTY)
        }
        _ => Reply::json(404, "{}"),
    });
    let yaml = format!(
        "Azure:\n  endpoints:\n    authority_host: {u}\nDataProviders:\n  MicrosoftDefender:\n    Args:\n      TenantId: 72f988bf-86f1-41af-91ab-2d7cd011db49\n      ClientId: 11111111-2222-3333-4444-555555555555\n      ClientSecret: cs-very-secret\n      ApiUrl: {u}\n",
        u = srv.url()
    );
    let s = Settings::from_yaml_str(&yaml, "t.yaml").unwrap();
    let qp = QueryProvider::from_settings("MDE", &s).unwrap();
    let df = qp.exec("DeviceEvents | take 0").unwrap();
    assert_eq!(df.shape(), (0, 2));
    assert!(!format!("{qp:?}").contains("cs-very-secret"));
    assert!(!format!("{qp:?}").contains("from-local-aad"));
}

#[test]
fn parse_function_for_notebooks() {
    let r = HuntingResults::parse(GRAPH_ANSWER.as_bytes()).unwrap();
    assert_eq!(
        r.schema,
        [
            ("Timestamp".to_string(), "DateTime".to_string()),
            ("FileName".into(), "String".into()),
            ("InitiatingProcessFileName".into(), "String".into()),
            ("RemotePort".into(), "Int32".into())
        ]
    );
    let html = HuntingResults::parse(MDE_EVERY_TYPE.as_bytes())
        .unwrap()
        .to_html();
    assert!(!html.contains("<script>alert"), "{html}");
}
