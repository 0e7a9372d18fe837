//! The Splunk driver against a Splunk-shaped REST server on 127.0.0.1.

use crate::splunk_support;

use crate::http_support::{Reply, TestServer};
use huntbook::data::drivers::splunk::{SplunkConfig, SplunkDriver, SplunkResultOptions};
use huntbook::data::drivers::{Completeness, Driver, QueryContext};
use huntbook::enrich::ti::limit::ManualClock;
use huntbook::net::http::HttpOptions;
use huntbook::prelude::*;
use splunk_support::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

fn fast_http() -> HttpOptions {
    HttpOptions {
        timeout: Duration::from_secs(10),
        retries: 2,
        backoff: Duration::from_millis(10),
        ..HttpOptions::default()
    }
}

fn driver(cfg: SplunkConfig, clock: &ManualClock) -> SplunkDriver {
    SplunkDriver::with_clock(cfg.http_options(fast_http()), Arc::new(clock.clone())).unwrap()
}

/// A Splunk job server: `states` are the dispatch states answered to
/// successive polls (the last one repeats), `total` result rows.
fn job_server(states: Vec<&'static str>, total: usize, job_messages: &'static str) -> TestServer {
    let polls = Arc::new(AtomicUsize::new(0));
    TestServer::start(move |req, _| match (req.method.as_str(), req.path()) {
        ("POST", "/services/search/jobs") => Reply::json(201, splunk_sid("1704164645.42")),
        ("GET", "/services/search/jobs/1704164645.42") => {
            let n = polls.fetch_add(1, Ordering::SeqCst);
            let state = states[n.min(states.len() - 1)];
            Reply::json(200, splunk_job("1704164645.42", state, total, job_messages))
        }
        ("GET", "/services/search/jobs/1704164645.42/results") => {
            let offset: usize = req.field("offset").unwrap().parse().unwrap();
            let count: usize = req.field("count").unwrap().parse().unwrap();
            let rows = count.min(total.saturating_sub(offset));
            Reply::json(200, splunk_results_page(offset, rows))
        }
        ("POST", "/services/search/jobs/1704164645.42/control") => Reply::json(
            200,
            r#"{"messages":[{"type":"INFO","text":"Search job cancelled."}]}"#,
        ),
        ("GET", "/services/saved/searches") => Reply::json(200, SPLUNK_SAVED),
        _ => Reply::json(404, r#"{"messages":[{"type":"ERROR","text":"Not Found"}]}"#),
    })
}

fn run(
    d: &SplunkDriver,
    q: &str,
    ctx: &QueryContext,
) -> huntbook::Result<huntbook::data::drivers::QueryOutput> {
    huntbook::session::block_on(d.execute(q, ctx)).unwrap()
}

#[test]
fn job_is_created_polled_and_read() {
    let srv = job_server(vec!["QUEUED", "RUNNING", "DONE"], 3, "[]");
    let clock = ManualClock::new();
    let d = driver(
        SplunkConfig::new(srv.url()).bearer_token("tok-abc-123"),
        &clock,
    );
    let start = chrono::DateTime::parse_from_rfc3339("2024-01-02T00:00:00Z")
        .unwrap()
        .to_utc();
    let end = chrono::DateTime::parse_from_rfc3339("2024-01-03T00:00:00.5Z")
        .unwrap()
        .to_utc();
    let ctx = QueryContext {
        time_span: Some((start, end)),
        ..QueryContext::default()
    };
    let out = run(&d, "index=main EventCode=4688", &ctx).unwrap();
    assert_eq!(out.completeness, Completeness::Complete);
    let df = &out.df;
    assert_eq!(df.shape(), (3, 4));
    let names: Vec<&str> = df.get_column_names().iter().map(|s| s.as_str()).collect();
    assert_eq!(names, ["_time", "host", "EventCode", "user"]);
    assert_eq!(
        df.column("_time").unwrap().datetime().unwrap().phys.get(2),
        Some(1_704_164_402_000_000_000)
    );
    assert_eq!(
        df.column("host").unwrap().str().unwrap().get(1),
        Some("web01")
    );
    // EventCode stays text (as Splunk sends it, as MSTICPy keeps it)
    assert_eq!(
        df.column("EventCode").unwrap().str().unwrap().get(0),
        Some("4688")
    );
    let user = df
        .column("user")
        .unwrap()
        .list()
        .unwrap()
        .get_as_series(0)
        .unwrap();
    assert_eq!(
        user.str().unwrap().iter().collect::<Vec<_>>(),
        [Some("u0"), Some("admin")]
    );
    // polls waited 0.5 s, then 1 s (doubling), on the manual clock
    assert_eq!(
        clock.sleeps(),
        [Duration::from_millis(500), Duration::from_secs(1)]
    );
    let reqs = srv.requests();
    let create = &reqs[0];
    assert_eq!(
        create.field("search").as_deref(),
        Some("search index=main EventCode=4688")
    );
    assert_eq!(create.field("exec_mode").as_deref(), Some("normal"));
    assert_eq!(create.field("output_mode").as_deref(), Some("json"));
    assert_eq!(
        create.field("earliest_time").as_deref(),
        Some("1704153600.000000")
    );
    assert_eq!(
        create.field("latest_time").as_deref(),
        Some("1704240000.500000")
    );
    assert!(
        reqs.iter()
            .all(|r| r.header("authorization") == Some("Bearer tok-abc-123"))
    );
    assert_eq!(reqs.len(), 5, "create, 3 polls, 1 page");
    assert!(!format!("{d:?}").contains("tok-abc-123"));
}

#[test]
fn very_large_result_is_paged() {
    let total = 25_000;
    let srv = job_server(vec!["DONE"], total, "[]");
    let clock = ManualClock::new();
    let d = driver(SplunkConfig::new(srv.url()).page_size(10_000), &clock);
    let out = run(&d, "search index=main", &QueryContext::default()).unwrap();
    assert_eq!(out.df.height(), total);
    assert_eq!(out.completeness, Completeness::Complete);
    let pages: Vec<(String, String)> = srv
        .requests()
        .iter()
        .filter(|r| r.path().ends_with("/results"))
        .map(|r| (r.field("offset").unwrap(), r.field("count").unwrap()))
        .collect();
    assert_eq!(
        pages,
        [
            ("0".to_string(), "10000".to_string()),
            ("10000".into(), "10000".into()),
            ("20000".into(), "10000".into())
        ]
    );
    let host = out.df.column("host").unwrap().str().unwrap().clone();
    assert_eq!(
        host.get(9_999),
        Some("web3")
            .map(|_| format!("web{:02}", 9_999 % 7))
            .as_deref()
    );
    assert_eq!(
        host.get(24_999).map(String::from),
        Some(format!("web{:02}", 24_999 % 7))
    );
    // multivalue rows every 10th row, across pages
    let user = out
        .df
        .column("user")
        .unwrap()
        .list()
        .unwrap()
        .get_as_series(20_000)
        .unwrap();
    assert_eq!(user.len(), 2);
}

#[test]
fn max_rows_stops_paging_and_marks_partial() {
    let srv = job_server(vec!["DONE"], 25_000, "[]");
    let d = driver(
        SplunkConfig::new(srv.url()).page_size(10_000),
        &ManualClock::new(),
    );
    let ctx = QueryContext {
        max_rows: Some(15_000),
        ..QueryContext::default()
    };
    let out = run(&d, "search index=main", &ctx).unwrap();
    assert_eq!(out.df.height(), 15_000);
    assert_eq!(
        out.completeness,
        Completeness::Partial {
            reason: "row limit 15000: 15000 of 25000 rows kept".into()
        }
    );
    let pages = srv
        .requests()
        .iter()
        .filter(|r| r.path().ends_with("/results"))
        .count();
    assert_eq!(pages, 2);
}

#[test]
fn empty_result() {
    let srv = job_server(vec!["DONE"], 0, "[]");
    let d = driver(SplunkConfig::new(srv.url()), &ManualClock::new());
    let out = run(&d, "search index=nothing", &QueryContext::default()).unwrap();
    assert_eq!(out.df.shape(), (0, 4));
    assert_eq!(out.completeness, Completeness::Complete);
}

#[test]
fn done_with_errors_is_partial() {
    let msgs = r#"[{"type":"ERROR","text":"Search peer idx2.example.com is down"},{"type":"WARN","text":"Some events were truncated"}]"#;
    let srv = job_server(vec!["DONE"], 2, msgs);
    let d = driver(SplunkConfig::new(srv.url()), &ManualClock::new());
    let out = run(&d, "index=main", &QueryContext::default()).unwrap();
    assert_eq!(out.df.height(), 2);
    assert_eq!(
        out.completeness,
        Completeness::Partial {
            reason: "ERROR: Search peer idx2.example.com is down".into()
        }
    );
    assert_eq!(out.warnings, ["Splunk: Some events were truncated"]);
}

#[test]
fn failed_dispatch_state_is_an_error() {
    let msgs = r#"[{"type":"FATAL","text":"Error in 'search' command: Unable to parse the search: unbalanced parentheses."}]"#;
    let srv = job_server(vec!["PARSING", "FAILED"], 0, msgs);
    let d = driver(SplunkConfig::new(srv.url()), &ManualClock::new());
    let err = run(&d, "index=main (", &QueryContext::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "async runtime: Splunk search job 1704164645.42 failed (dispatchState FAILED): FATAL: Error in 'search' command: Unable to parse the search: unbalanced parentheses."
    );
}

#[test]
fn a_job_that_runs_too_long_is_cancelled() {
    let srv = job_server(vec!["RUNNING"], 0, "[]");
    let clock = ManualClock::new();
    let d = driver(
        SplunkConfig::new(srv.url()).job_timeout(Duration::from_secs(4)),
        &clock,
    );
    let err = run(&d, "index=main", &QueryContext::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "async runtime: Splunk search job 1704164645.42 did not finish within 4 s (dispatchState RUNNING); the job was cancelled"
    );
    assert_eq!(
        clock.sleeps(),
        [
            Duration::from_millis(500),
            Duration::from_secs(1),
            Duration::from_secs(2),
            Duration::from_millis(500)
        ]
    );
    let cancel = srv
        .requests()
        .into_iter()
        .find(|r| r.path().ends_with("/control"))
        .expect("a cancel request");
    assert_eq!(cancel.field("action").as_deref(), Some("cancel"));
}

#[test]
fn rate_limited_then_success() {
    let srv = TestServer::start(|req, n| match req.path() {
        "/services/search/jobs" if n == 0 => Reply::json(
            429,
            r#"{"messages":[{"type":"ERROR","text":"Too many searches"}]}"#,
        )
        .header("Retry-After", "7"),
        "/services/search/jobs" => Reply::json(
            200,
            r#"{"fields":[{"name":"count"}],"results":[{"count":"12"}]}"#,
        ),
        _ => Reply::json(404, "{}"),
    });
    let clock = ManualClock::new();
    let d = driver(
        SplunkConfig::new(srv.url())
            .oneshot(true)
            .result_options(SplunkResultOptions::new().infer_types(true)),
        &clock,
    );
    let out = run(
        &d,
        "| makeresults count=12 | stats count",
        &QueryContext::default(),
    )
    .unwrap();
    assert_eq!(
        out.df.column("count").unwrap().i64().unwrap().get(0),
        Some(12)
    );
    assert_eq!(clock.sleeps(), [Duration::from_secs(7)]);
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[1].field("exec_mode").as_deref(), Some("oneshot"));
    assert_eq!(
        reqs[1].field("search").as_deref(),
        Some("| makeresults count=12 | stats count")
    );
}

#[test]
fn request_timeout_is_an_error() {
    let srv =
        TestServer::start(|_, _| Reply::json(201, splunk_sid("1")).delayed(Duration::from_secs(3)));
    let d = SplunkDriver::with_clock(
        SplunkConfig::new(srv.url()).http_options(HttpOptions {
            timeout: Duration::from_millis(200),
            retries: 1,
            backoff: Duration::from_millis(1),
            ..HttpOptions::default()
        }),
        Arc::new(ManualClock::new()),
    )
    .unwrap();
    let err = run(&d, "index=main", &QueryContext::default())
        .unwrap_err()
        .to_string();
    assert_eq!(err, "async runtime: Splunk search job: timed out (2 tries)");
}

#[test]
fn malformed_json_names_the_page() {
    let srv = TestServer::start(|req, _| match (req.method.as_str(), req.path()) {
        ("POST", "/services/search/jobs") => Reply::json(201, splunk_sid("7")),
        ("GET", "/services/search/jobs/7") => Reply::json(200, splunk_job("7", "DONE", 2, "[]")),
        ("GET", "/services/search/jobs/7/results") => Reply::json(
            200,
            r#"{"fields":[{"name":"a"}],"results":[{"a":"1"},{"a":"#,
        ),
        _ => Reply::json(404, "{}"),
    });
    let d = driver(SplunkConfig::new(srv.url()), &ManualClock::new());
    let err = run(&d, "index=main", &QueryContext::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(
            "async runtime: Splunk results of job 7 at offset 0: malformed JSON in the answer: EOF while parsing"
        ),
        "{err}"
    );
}

fn login_server(good_password: &'static str) -> TestServer {
    let logins = Arc::new(AtomicUsize::new(0));
    TestServer::start(move |req, _| match (req.method.as_str(), req.path()) {
        ("POST", "/services/auth/login") => {
            if req.field("username").as_deref() == Some("hunter")
                && req.field("password").as_deref() == Some(good_password)
            {
                let n = logins.fetch_add(1, Ordering::SeqCst);
                Reply::json(200, format!(r#"{{"sessionKey":"sess-{n}"}}"#))
            } else {
                Reply::json(
                    401,
                    r#"{"messages":[{"type":"WARN","code":"incorrect_username_or_password","text":"Login failed"}]}"#,
                )
            }
        }
        // the first session key "expires" at once
        (_, _) if req.header("authorization") == Some("Splunk sess-0") => Reply::json(
            401,
            r#"{"messages":[{"type":"WARN","text":"call not properly authenticated"}]}"#,
        ),
        ("GET", "/services/saved/searches") => Reply::json(200, SPLUNK_SAVED),
        ("POST", "/services/search/jobs") => {
            Reply::json(200, r#"{"fields":["host"],"results":[{"host":"dc01"}]}"#)
        }
        _ => Reply::json(404, "{}"),
    })
}

#[test]
fn password_login_and_session_refresh() {
    let srv = login_server("correct horse");
    let d = driver(
        SplunkConfig::new(srv.url())
            .login("hunter", "correct horse")
            .oneshot(true),
        &ManualClock::new(),
    );
    let qp = QueryProvider::new(d).unwrap();
    let df = qp.exec("index=ad").unwrap();
    assert_eq!(
        df.column("host").unwrap().str().unwrap().get(0),
        Some("dc01")
    );
    let auths: Vec<Option<String>> = srv
        .requests()
        .iter()
        .map(|r| r.header("authorization").map(String::from))
        .collect();
    // login, saved searches with the expired key, login again, saved searches, search
    assert_eq!(
        auths,
        [
            None,
            Some("Splunk sess-0".to_string()),
            None,
            Some("Splunk sess-1".into()),
            Some("Splunk sess-1".into())
        ]
    );
    assert!(!format!("{qp:?}").contains("correct horse"));
}

#[test]
fn login_failure_message_has_no_password() {
    let srv = login_server("right");
    let d = driver(
        SplunkConfig::new(srv.url()).login("hunter", "Wr0ng-P4ss!"),
        &ManualClock::new(),
    );
    let err = QueryProvider::new(d).unwrap_err().to_string();
    assert_eq!(
        err,
        "async runtime: Splunk login as 'hunter' failed: HTTP 401: Login failed"
    );
    assert!(!err.contains("Wr0ng"));
}

#[test]
fn saved_searches_are_queries() {
    let srv = job_server(vec!["DONE"], 1, "[]");
    let d = driver(SplunkConfig::new(srv.url()), &ManualClock::new());
    let qp = QueryProvider::new(d).unwrap();
    let list = qp.list_queries().unwrap().into_df().unwrap();
    let names: Vec<String> = list
        .column("name")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .map(String::from)
        .collect();
    assert!(
        names
            .iter()
            .any(|n| n.contains("Errors_in_the_last_24_hours")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.contains("Failed_logons")),
        "{names:?}"
    );
    let df = qp
        .query("SavedSearches.Failed_logons")
        .unwrap()
        .run()
        .unwrap();
    assert_eq!(df.height(), 1);
    let create = srv
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path() == "/services/search/jobs")
        .unwrap();
    assert_eq!(
        create.field("search").as_deref(),
        Some("search index=wineventlog EventCode=4625 | stats count by Account_Name")
    );
}

#[test]
fn library_query_lists_render_for_splunk() {
    let srv = job_server(vec!["DONE"], 0, "[]");
    let d = driver(SplunkConfig::new(srv.url()), &ManualClock::new());
    let qp = QueryProvider::new(d).unwrap();
    let r = qp
        .query("WindowsSecurity.list_logons_for_accounts")
        .unwrap()
        .param("account_list", vec!["alice", "o\"brien"])
        .start("2024-01-02T00:00:00Z")
        .end("2024-01-03T00:00:00Z")
        .run_result()
        .unwrap();
    assert_eq!(r.df().height(), 0);
    let create = srv
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path() == "/services/search/jobs")
        .unwrap();
    let search = create.field("search").unwrap();
    assert!(
        search.contains(r#"| where Account_Name in ("alice","o\"brien")"#),
        "{search}"
    );
    assert!(
        search.starts_with("search index=* EventCode=4624"),
        "{search}"
    );
    assert_eq!(
        create.field("earliest_time").as_deref(),
        Some("1704153600.000000")
    );
}

#[test]
fn settings_make_a_provider() {
    let srv = job_server(vec!["DONE"], 1, "[]");
    let yaml = format!(
        "DataProviders:\n  Splunk:\n    Args:\n      host: {}\n      bearer_token: yaml-token-xyz\n      verify: false\n",
        srv.url()
    );
    let s = Settings::from_yaml_str(&yaml, "t.yaml").unwrap();
    let cfg = SplunkConfig::from_settings(&s).unwrap();
    assert_eq!(cfg.base_url(), srv.url());
    assert_eq!(
        cfg.warnings(),
        [
            "setting DataProviders.Splunk.Args.verify: 'verify: false' is not honoured: TLS certificates are always verified; set ca_cert to the Splunk server's CA certificate (PEM file)"
        ]
    );
    assert!(!format!("{cfg:?}").contains("yaml-token-xyz"));
    let qp = QueryProvider::from_settings("Splunk", &s).unwrap();
    assert_eq!(qp.environment(), "Splunk");
    let r = qp
        .query("SplunkGeneral.get_events_parameterized")
        .unwrap()
        .run_result()
        .unwrap();
    assert_eq!(r.df().height(), 1);
    assert!(
        r.warnings.iter().any(|w| w.contains("verify: false")),
        "{:?}",
        r.warnings
    );
    assert!(
        srv.requests()
            .iter()
            .all(|r| r.header("authorization") == Some("Bearer yaml-token-xyz"))
    );
    // host + port form
    let s2 = Settings::from_yaml_str(
        "DataProviders:\n  Splunk:\n    Args:\n      host: splunk.example.com\n      username: a\n      password: b\n",
        "t2.yaml",
    )
    .unwrap();
    assert_eq!(
        SplunkConfig::from_settings(&s2).unwrap().base_url(),
        "https://splunk.example.com:8089"
    );
    let s3 = Settings::from_yaml_str(
        "DataProviders:\n  Splunk:\n    Args:\n      host: h\n      username: a\n",
        "t3.yaml",
    )
    .unwrap();
    assert_eq!(
        SplunkConfig::from_settings(&s3).unwrap_err().to_string(),
        "invalid setting DataProviders.Splunk.Args.password: is not set (username is)"
    );
}

#[test]
fn results_display_is_escaped() {
    let body = br#"{"fields":[{"name":"cmd"}],"results":[{"cmd":"<script>alert(1)</script>"}],
      "messages":[{"type":"WARN","text":"<img src=x onerror=alert(2)>"}]}"#;
    let r = huntbook::data::drivers::splunk::SplunkResults::parse(body).unwrap();
    let html = r.to_html();
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(html.contains("&lt;script&gt;"), "{html}");
    assert_eq!(
        r.df().column("cmd").unwrap().str().unwrap().get(0),
        Some("<script>alert(1)</script>")
    );
}

/// The code of notebooks/splunk.ipynb, cell by cell (no service configured).
#[test]
fn notebook_cells_run() -> Result<(), Box<dyn std::error::Error>> {
    let settings = Settings::from_yaml_str("{}", "empty.yaml")?;
    let splunk_configured = settings.provider("DataProviders", "Splunk").is_some();
    let defender_configured = settings
        .provider("DataProviders", "MicrosoftDefender")
        .is_some();
    assert!(!splunk_configured && !defender_configured);
    let store = QueryStore::builtin()?;
    let list = store.list(Some("Splunk"), None)?.into_df()?;
    assert!(list.height() >= 8);
    let def = store.get("Splunk", "Authentication.list_logons_for_accounts")?;
    let args = vec![
        (
            "account_list".to_string(),
            ParamValue::from(vec!["alice", "o\"brien"]),
        ),
        ("start".to_string(), ParamValue::from("-7d@d")),
        ("end".to_string(), ParamValue::from("0")),
    ];
    let text = huntbook::data::query::render(
        &def,
        &args,
        &huntbook::data::query::RenderContext::now(huntbook::data::query::Dialect::Splunk),
    )?
    .text;
    assert!(text.contains(r#"user IN ("alice","o\"brien")"#), "{text}");
    let body = br#"{"preview":false,"init_offset":0,
 "messages":[{"type":"INFO","text":"Your timerange was substituted based on your search string"}],
 "fields":[{"name":"_time"},{"name":"host"},{"name":"user"},{"name":"src"},{"name":"failures"},{"name":"signature"}],
 "results":[
  {"_time":"2024-01-02T03:04:05.000+00:00","host":"dc01","user":"alice","src":"10.1.2.3","failures":"42","signature":"An account failed to log on"},
  {"_time":"2024-01-02T03:09:45.250+00:00","host":"dc02","user":["svc_backup","SVC_BACKUP"],"src":"10.1.2.9","failures":"7","signature":"<script>alert(1)</script>"},
  {"_time":"2024-01-02T04:00:00.000+00:00","host":"dc01","user":"bob","src":"192.168.7.20","failures":"5"}
 ]}"#;
    let results = SplunkResults::parse(body)?;
    assert_eq!(results.df().shape(), (3, 6));
    assert!(!results.to_html().contains("<script>alert"));
    let typed = SplunkResults::parse_with(
        body,
        huntbook::data::drivers::splunk::SplunkResultOptions::new().infer_types(true),
    )?;
    assert_eq!(
        typed
            .df()
            .column("failures")?
            .i64()?
            .iter()
            .collect::<Vec<_>>(),
        [Some(42), Some(7), Some(5)]
    );
    assert_eq!(typed.df().column("signature")?.str()?.get(2), None);
    let mde_body = br#"{"Stats":{"ExecutionTime":0.0313},
 "Schema":[{"Name":"Timestamp","Type":"DateTime"},{"Name":"DeviceName","Type":"String"},{"Name":"ProcessId","Type":"Int32"},
   {"Name":"ReportId","Type":"Int64"},{"Name":"IsElevated","Type":"Boolean"},{"Name":"AdditionalFields","Type":"Dynamic"},{"Name":"FileName","Type":"String"}],
 "Results":[
  {"Timestamp":"2024-01-02T03:04:05.1234567Z","DeviceName":"web01","ProcessId":4242,"ReportId":1234567890123,"IsElevated":true,"AdditionalFields":{"Command":"whoami"},"FileName":"cmd.exe"},
  {"Timestamp":"2024-01-02T03:04:06Z","DeviceName":"web02","ProcessId":null,"ReportId":77,"IsElevated":false,"AdditionalFields":null,"FileName":"powershell.exe"}
 ]}"#;
    let hunting = HuntingResults::parse(mde_body)?;
    assert_eq!(hunting.df().shape(), (2, 7));
    assert!(hunting.to_html().contains("web02"));
    let cfg = SplunkConfig::new("https://splunk.example.com:8089").bearer_token("not-a-real-token");
    assert!(!format!("{cfg:?}").contains("not-a-real-token"));
    Ok(())
}

#[test]
fn a_full_oneshot_answer_is_marked_partial() {
    let page = Arc::new(splunk_results_page(0, 50_000));
    let p2 = page.clone();
    let srv = TestServer::start(move |_, _| Reply::json(200, p2.as_str()));
    let d = driver(
        SplunkConfig::new(srv.url()).oneshot(true),
        &ManualClock::new(),
    );
    let out = run(&d, "index=main", &QueryContext::default()).unwrap();
    assert_eq!(out.df.height(), 50_000);
    assert_eq!(
        out.completeness,
        Completeness::Partial {
            reason: "a oneshot search returns at most 50000 rows (Splunk's maxresultrows): run it as a job (oneshot false) for all rows".into()
        }
    );
    assert_eq!(srv.requests()[0].field("count").as_deref(), Some("0"));
}
