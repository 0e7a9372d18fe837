//! The query library through the public API: MSTICPy's query-file cases,
//! rendering, the bundled LocalData library, split queries.

use huntbook::data::drivers::{BoxFuture, Connection, Driver, QueryContext, QueryOutput};
use huntbook::data::query::{Dialect, QueryFile, QueryStore};
use huntbook::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

fn testdata() -> PathBuf {
    huntbook::data::data_dir().join("msticpy/testdata")
}

#[test]
fn msticpy_valid_query_files_load() {
    for f in ["sample_complete.yaml", "sample_minimal.yaml"] {
        let file = QueryFile::from_path(testdata().join("queries/valid").join(f)).unwrap();
        assert_eq!(file.queries.len(), 1, "{f}");
        assert_eq!(file.queries[0].name, "query1");
    }
    let c = QueryFile::from_path(testdata().join("queries/valid/sample_complete.yaml")).unwrap();
    let q = &c.queries[0];
    // the query's own metadata overrides the file's data_families
    assert_eq!(q.families, ["SecurityAlert"]);
    assert_eq!(q.environments, ["MyEnvironment"]);
    assert_eq!(q.params.len(), 5);
    assert_eq!(q.resolve_param("p1").unwrap().name, "parameter1");
    assert_eq!(q.uri.as_deref(), Some("https://microsoft.com/"));
}

#[test]
fn msticpy_invalid_query_files_fail_naming_the_field() {
    let cases = [
        (
            "sample_minimal_empty_parameter_default.yaml",
            "defaults: parameters.parameter1: default is empty",
        ),
        (
            "sample_minimal_incorrect_version.yaml",
            "metadata: version must be an integer, not a string",
        ),
        (
            "sample_minimal_invalid_parameter_type.yaml",
            "defaults: parameters.parameter1: unknown type 'string'",
        ),
        (
            "sample_minimal_long_parameter_description.yaml",
            "defaults: parameters.parameter1: description is 1324 characters, more than 1024",
        ),
        (
            "sample_minimal_missing_metadata.yaml",
            "no metadata defined",
        ),
        ("sample_minimal_missing_sources.yaml", "no sources defined"),
        (
            "sample_minimal_short_parameter_description.yaml",
            "defaults: parameters.parameter1: description is 1 characters, fewer than 5",
        ),
    ];
    for (file, want) in cases {
        let path = testdata().join("queries/invalid").join(file);
        let err = QueryFile::from_path(&path).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("invalid query file '{}': ", path.display())),
            "{err}"
        );
        assert!(err.contains(want), "{file}: {err}");
    }
}

#[test]
fn msticpy_data_q_files_load_or_fail_like_msticpy() {
    let err = QueryFile::from_path(testdata().join("data_q_meta_fail.yaml"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("metadata: no data families defined"), "{err}");
    let err = QueryFile::from_path(testdata().join("data_q_source_fail_param.yaml"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("query 'missing_param_source': the query uses parameters defined neither in defaults nor in the query: foo"),
        "{err}"
    );
    let err = QueryFile::from_path(testdata().join("data_q_source_fail_type.yaml"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("query 'missing_type': parameters.host_name: missing 'type'"),
        "{err}"
    );
    let ok = QueryFile::from_path(testdata().join("data_q_success.yaml")).unwrap();
    assert_eq!(
        ok.queries
            .iter()
            .map(|q| q.name.as_str())
            .collect::<Vec<_>>(),
        ["query1", "query2", "query3"]
    );
    let mut store = QueryStore::new();
    store
        .load_file(testdata().join("data_q_hierarchy.yaml"))
        .unwrap();
    assert_eq!(
        store
            .get("LogAnalytics", "Alerts.type1.query1")
            .unwrap()
            .name,
        "query1"
    );
    assert_eq!(
        store
            .get("LogAnalytics", "Alerts.type2.query2")
            .unwrap()
            .name,
        "query2"
    );
    // query3 has an empty metadata: it inherits the defaults' family
    assert_eq!(
        store.get("MSSentinel", "Alerts.type3.query3").unwrap().name,
        "query3"
    );
}

#[test]
fn folder_loading_skips_and_reports_invalid_files() {
    let mut store = QueryStore::new();
    let report = store.load_dir(testdata().join("queries")).unwrap();
    assert_eq!(report.files.len(), 2);
    assert_eq!(report.skipped.len(), 7);
    assert_eq!(store.len(), 3); // sample_minimal is in two families
    let err = store
        .load_dir("/nonexistent/queries")
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "invalid query folder '/nonexistent/queries': is not a folder"
    );
    let err = QueryFile::from_path("/nonexistent/q.yaml")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("reading '/nonexistent/q.yaml'"), "{err}");
}

#[test]
fn bundled_library_loads_and_renders_in_each_dialect() {
    let store = QueryStore::builtin().unwrap();
    assert_eq!(
        store.environments(),
        ["Kusto", "LocalData", "MDE", "MSSentinel", "Splunk"]
    );
    let local = store.list(Some("LocalData"), None).unwrap();
    assert!(local.len() >= 9, "{}", local.len());
    for name in [
        "SecurityAlert.list_alerts",
        "WindowsSecurity.list_host_logons",
        "WindowsSecurity.list_host_logon_failures",
        "WindowsSecurity.list_host_events",
        "WindowsSecurity.list_host_processes",
        "WindowsSecurity.get_process_tree",
        "Network.list_azure_network_flows_by_ip",
        "Network.list_azure_network_flows_by_host",
        "Azure.list_all_signins_geo",
    ] {
        store.get("LocalData", name).unwrap();
    }
    let help = store.help("MSSentinel", "list_host_processes").unwrap();
    let text = help.to_text();
    assert!(
        text.contains("host_name: str\n    Name of the host\n    Aliases: 'host', 'computer'"),
        "{text}"
    );
}

/// A driver that records the queries it is given and fails on demand.
#[derive(Debug, Default)]
struct Recorder {
    seen: Mutex<Vec<String>>,
    fail_containing: Option<String>,
}

impl Driver for Recorder {
    fn environment(&self) -> &str {
        "MSSentinel"
    }
    fn dialect(&self) -> Dialect {
        Dialect::Kql
    }
    fn connect<'a>(&'a self, _c: &'a Connection) -> BoxFuture<'a, huntbook::Result<()>> {
        Box::pin(async { Ok(()) })
    }
    fn execute<'a>(
        &'a self,
        q: &'a str,
        _c: &'a QueryContext,
    ) -> BoxFuture<'a, huntbook::Result<QueryOutput>> {
        Box::pin(async move {
            self.seen.lock().unwrap().push(q.to_string());
            if self
                .fail_containing
                .as_deref()
                .is_some_and(|f| q.contains(f))
            {
                return Err(HuntbookError::invalid(
                    "remote query",
                    "HTTP 504 gateway timeout",
                ));
            }
            Ok(QueryOutput::complete(df!("query" => [q]).unwrap()))
        })
    }
}

#[test]
fn rendering_through_a_provider_kql() {
    let qp = QueryProvider::new(Recorder::default()).unwrap();
    let text = qp
        .query("WindowsSecurity.list_host_events_by_id")
        .unwrap()
        .param("host", "web01")
        .param("event_list", vec![4624i64, 4625])
        .start("2024-01-01T00:00:00Z")
        .end("2024-01-02")
        .render()
        .unwrap();
    assert_eq!(
        text,
        "SecurityEvent\n| where TimeGenerated >= datetime(2024-01-01T00:00:00Z) and TimeGenerated <= datetime(2024-01-02T00:00:00Z)\n| where Computer has 'web01'\n| where EventID in (4624,4625)\n"
    );
    let err = qp
        .query("list_host_processes")
        .unwrap()
        .render()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("these required parameters were not set: host_name"),
        "{err}"
    );
}

#[test]
fn split_queries_run_every_chunk_and_report_failures() {
    let qp = QueryProvider::new(Recorder::default()).unwrap();
    let df = qp
        .query("list_host_processes")
        .unwrap()
        .param("host_name", "h")
        .start("2024-01-01T00:00:00Z")
        .end("2024-01-01T03:00:00Z")
        .split_by("1h")
        .run()
        .unwrap();
    assert_eq!(df.height(), 3);
    let q = df.column("query").unwrap().str().unwrap();
    assert!(q.get(0).unwrap().contains("datetime(2024-01-01T00:00:00Z) and TimeGenerated <= datetime(2024-01-01T00:59:59.999999999Z)"));
    assert!(q.get(2).unwrap().contains(
        "datetime(2024-01-01T02:00:00Z) and TimeGenerated <= datetime(2024-01-01T03:00:00Z)"
    ));

    let failing = Recorder {
        fail_containing: Some("T01:00:00Z".into()),
        ..Default::default()
    };
    let qp = QueryProvider::new(failing).unwrap();
    let run = || {
        qp.query("list_host_processes")
            .unwrap()
            .param("host_name", "h")
            .start("2024-01-01T00:00:00Z")
            .end("2024-01-01T03:00:00Z")
            .split_by("1h")
    };
    let err = run().run().unwrap_err().to_string();
    assert!(
        err.contains(
            "1 of 3 time chunks failed: 2024-01-01 01:00:00 UTC – 2024-01-01 01:59:59.999999999 UTC"
        ),
        "{err}"
    );
    assert!(err.contains("HTTP 504 gateway timeout"), "{err}");
    let partial = run().run_result().unwrap();
    assert_eq!(partial.df().height(), 2);
    assert_eq!(partial.failures().len(), 1);
    assert!(
        partial
            .to_html()
            .contains("Partial result: 1 of 3 time chunks failed")
    );
    // an invalid interval is one day, with a warning
    let r = qp
        .query("list_host_processes")
        .unwrap()
        .param("host_name", "h")
        .start("2024-01-01")
        .end("2024-01-03")
        .split_by("soon")
        .run_result()
        .unwrap();
    assert_eq!(r.chunks.len(), 2);
    assert_eq!(
        r.warnings,
        ["split_by 'soon' is not an interval: used 1 day"]
    );
}

#[test]
fn local_data_library_runs_on_bundled_data() {
    let qp = QueryProvider::local_data().unwrap();
    let procs = qp
        .query("WindowsSecurity.list_host_processes")
        .unwrap()
        .param("host_name", "msticalertswin1")
        .run()
        .unwrap();
    assert_eq!(procs.height(), 25);
    assert_eq!(
        procs.column("TimeGenerated").unwrap().dtype(),
        &DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
    );
    let logons = qp
        .query("list_host_logons")
        .unwrap()
        .param("host", "MSTICAlertsWin1")
        .start("2019-02-12")
        .run()
        .unwrap();
    assert_eq!(logons.height(), 25);
    let failed = qp
        .query("list_host_logon_failures")
        .unwrap()
        .param("host_name", "MSTICAlertsWin1")
        .run()
        .unwrap();
    assert_eq!(failed.height(), 4);
    let events = qp
        .query("list_host_events_by_id")
        .unwrap()
        .param("host_name", "MSTICAlertsWin1")
        .param("event_list", vec![4672i64, 4798])
        .run()
        .unwrap();
    assert!(events.height() > 0);
    let ev = events
        .column("EventID")
        .unwrap()
        .cast(&DataType::Int64)
        .unwrap();
    assert!(
        ev.i64()
            .unwrap()
            .iter()
            .all(|e| matches!(e, Some(4672 | 4798)))
    );
    let alerts = qp
        .query("SecurityAlert.list_alerts")
        .unwrap()
        .run()
        .unwrap();
    assert_eq!(alerts.height(), 25);
    let flows = qp
        .query("list_azure_network_flows_by_ip")
        .unwrap()
        .param("ips", vec!["13.67.143.117"])
        .run()
        .unwrap();
    assert!(flows.height() > 0);
    let signins = qp
        .query("Azure.list_all_signins_geo")
        .unwrap()
        .run()
        .unwrap();
    assert_eq!(signins.height(), 86);
    let tree = qp
        .query("get_process_tree")
        .unwrap()
        .param("host_name", "MSTICAlertsWin1")
        .run()
        .unwrap();
    assert_eq!(tree.height(), 17);
    // file-name queries as in MSTICPy's LocalData
    assert_eq!(qp.exec("host_logons.pkl").unwrap().height(), 25);
    assert_eq!(
        qp.query("tables.failed_logons")
            .unwrap()
            .run()
            .unwrap()
            .height(),
        4
    );
}

#[test]
fn local_data_from_a_folder_with_custom_queries() {
    let dir = std::env::temp_dir().join(format!("hb-query-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("q")).unwrap();
    std::fs::write(
        dir.join("events.csv"),
        "TimeGenerated,Computer,EventID\n2024-01-01T10:00:00Z,a,1\n2024-01-01 11:00:00,b,2\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("q/mine.yaml"),
        "metadata:\n  version: 1\n  description: My queries\n  data_environments: [LocalData]\n  data_families: [Mine]\nsources:\n  by_id:\n    description: Events by ID\n    args:\n      query: SELECT * FROM events WHERE EventID IN ({ids})\n    parameters:\n      ids:\n        description: Event IDs\n        type: list\n",
    )
    .unwrap();
    let mut qp = QueryProvider::local_data_from(&[&dir]).unwrap();
    let report = qp.load_queries(dir.join("q")).unwrap();
    assert_eq!(report.queries, 1);
    let df = qp
        .query("Mine.by_id")
        .unwrap()
        .param("ids", vec![2i64])
        .run()
        .unwrap();
    assert_eq!(df.height(), 1);
    assert_eq!(
        df.column("Computer").unwrap().str().unwrap().get(0),
        Some("b")
    );
    let err = qp.sql("SELECT nope FROM events").unwrap_err().to_string();
    assert!(err.contains("nope"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn paths_exist() {
    assert!(Path::new(&testdata()).is_dir());
}

#[test]
fn bad_local_files_and_wrong_types_are_errors_not_panics() {
    let dir = std::env::temp_dir().join(format!("hb-query-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ragged.csv"), "a,b\n1,2\n3,4,5,6\n").unwrap();
    std::fs::write(dir.join("notjson.json"), "this is not json").unwrap();
    std::fs::write(dir.join("nums.csv"), "n,s\n1,x\n2,y\n").unwrap();
    let qp = QueryProvider::local_data_from(&[&dir]).unwrap();
    let err = qp.exec("ragged.csv").unwrap_err().to_string();
    assert!(err.contains("ragged.csv"), "{err}");
    let err = qp.exec("notjson").unwrap_err().to_string();
    assert!(err.contains("notjson.json"), "{err}");
    // a string compared with a number: a clear error from the SQL engine
    let err = qp
        .sql("SELECT * FROM nums WHERE s > 5")
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "running LocalData query 'SELECT * FROM nums WHERE s > 5': cannot compare string with numeric type (i32)"
    );
    // an int parameter given text
    let err = ParamValue::from_cli("ten", huntbook::data::query::ParamType::Int)
        .unwrap_err()
        .to_string();
    assert_eq!(err, "invalid parameter value 'ten': expected an integer");
    let _ = std::fs::remove_dir_all(&dir);
}
