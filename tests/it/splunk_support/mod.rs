//! Canned bodies for the Splunk and Defender driver tests, shaped like the
//! services' documented answers (the server is `crate::http_support`).
//! Benches include this file by `#[path]`.
#![allow(dead_code)]

// ---- Splunk bodies (REST API reference: search/jobs, auth/login, saved/searches)

/// `POST /services/search/jobs` (exec_mode=normal) answer.
pub fn splunk_sid(sid: &str) -> String {
    format!(r#"{{"sid":"{sid}"}}"#)
}

/// `GET /services/search/jobs/{sid}` answer.
pub fn splunk_job(sid: &str, state: &str, result_count: usize, messages: &str) -> String {
    let done = state == "DONE" || state == "FAILED";
    let failed = state == "FAILED";
    format!(
        r#"{{"links":{{}},"origin":"https://127.0.0.1:8089/services/search/jobs","updated":"2024-01-02T03:04:05+00:00","generator":{{"build":"aaa","version":"9.1.2"}},
  "entry":[{{"name":"search index=main","id":"https://127.0.0.1:8089/services/search/jobs/{sid}","updated":"2024-01-02T03:04:05.000+00:00",
    "links":{{"alternate":"/services/search/jobs/{sid}","results":"/services/search/jobs/{sid}/results"}},"published":"2024-01-02T03:04:00.000+00:00",
    "author":"admin","content":{{"dispatchState":"{state}","doneProgress":{prog},"eventCount":{result_count},"isDone":{done},"isFailed":{failed},
      "isFinalized":false,"resultCount":{result_count},"runDuration":0.25,"sid":"{sid}","messages":{messages}}}}}],"paging":{{"total":1,"perPage":0,"offset":0}}}}"#,
        prog = if done { 1.0 } else { 0.5 },
    )
}

/// A results page with `rows` rows starting at `offset` (fields `_time`,
/// `host`, `EventCode`, `user` multivalue every 10th row).
pub fn splunk_results_page(offset: usize, rows: usize) -> String {
    let mut out = String::from(r#"{"preview":false,"init_offset":"#);
    out.push_str(&offset.to_string());
    out.push_str(r#","messages":[],"fields":[{"name":"_time"},{"name":"host"},{"name":"EventCode"},{"name":"user"}],"results":["#);
    for i in offset..offset + rows {
        if i > offset {
            out.push(',');
        }
        let user = if i % 10 == 0 {
            format!(r#"["u{i}","admin"]"#)
        } else {
            format!(r#""u{i}""#)
        };
        out.push_str(&format!(
            r#"{{"_time":"2024-01-02T03:{:02}:{:02}.000+00:00","host":"web{:02}","EventCode":"4688","user":{user}}}"#,
            (i / 60) % 60,
            i % 60,
            i % 7
        ));
    }
    out.push_str(r#"],"highlighted":{}}"#);
    out
}

/// `GET /services/saved/searches` answer.
pub const SPLUNK_SAVED: &str = r#"{"links":{},"origin":"https://127.0.0.1:8089/services/saved/searches","updated":"2024-01-02T03:04:05+00:00","generator":{"build":"aaa","version":"9.1.2"},
 "entry":[
  {"name":"Errors in the last 24 hours","id":"x","content":{"search":"error OR failed OR severe OR ( sourcetype=access_* ( 404 OR 500 OR 503 ) )","description":"","cron_schedule":""}},
  {"name":"Failed logons","id":"y","content":{"search":"index=wineventlog EventCode=4625 | stats count by Account_Name","description":"4625 by account"}}
 ],"paging":{"total":2,"perPage":30,"offset":0},"messages":[]}"#;

// ---- Defender bodies (advanced queries / advanced hunting / Graph runHuntingQuery)

/// An MDE answer with every schema type.
pub const MDE_EVERY_TYPE: &str = r#"{
  "Stats": {"ExecutionTime": 0.0313, "resourceUsage": {"cpuTime": {"totalCpu": "00:00:00.0312500"}}, "dataset": {"tableRowCount": 2}},
  "Schema": [
    {"Name": "Timestamp", "Type": "DateTime"},
    {"Name": "DeviceId", "Type": "String"},
    {"Name": "ReportId", "Type": "Int64"},
    {"Name": "ProcessId", "Type": "Int32"},
    {"Name": "Score", "Type": "Double"},
    {"Name": "IsElevated", "Type": "Boolean"},
    {"Name": "AdditionalFields", "Type": "Dynamic"},
    {"Name": "InitiatingProcessAccountObjectId", "Type": "Guid"},
    {"Name": "FileName", "Type": "String"}
  ],
  "Results": [
    {"Timestamp": "2024-01-02T03:04:05.1234567Z", "DeviceId": "c6a833d8a0da6ad439076368d1681e7930c49fef", "ReportId": 1234567890123,
     "ProcessId": 4242, "Score": 0.75, "IsElevated": true, "AdditionalFields": {"Command": "whoami", "Args": [1, 2]},
     "InitiatingProcessAccountObjectId": "2f3a5e1c-5b7d-4e8f-9a0b-1c2d3e4f5a6b", "FileName": "<script>alert(1)</script>"},
    {"Timestamp": "2024-01-02T03:04:06Z", "DeviceId": null, "ReportId": -1, "ProcessId": null, "Score": "NaN",
     "IsElevated": false, "AdditionalFields": null, "InitiatingProcessAccountObjectId": null, "FileName": "cmd.exe"}
  ]
}"#;

/// The same rows in Graph's shape.
pub const GRAPH_ANSWER: &str = r#"{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults",
  "schema": [
    {"name": "Timestamp", "type": "DateTime"},
    {"name": "FileName", "type": "String"},
    {"name": "InitiatingProcessFileName", "type": "String"},
    {"name": "RemotePort", "type": "Int32"}
  ],
  "results": [
    {"Timestamp": "2024-01-02T03:04:05.1234567Z", "FileName": "powershell.exe", "InitiatingProcessFileName": "explorer.exe", "RemotePort": 443},
    {"Timestamp": "2024-01-02T04:04:05Z", "FileName": "svchost.exe", "InitiatingProcessFileName": "services.exe", "RemotePort": 80}
  ]
}"#;

/// An empty MDE answer.
pub const MDE_EMPTY: &str = r#"{"Stats":{"ExecutionTime":0.01},"Schema":[{"Name":"Timestamp","Type":"DateTime"},{"Name":"DeviceName","Type":"String"}],"Results":[]}"#;

/// A service error body.
pub const MDE_ERROR: &str = r#"{"error":{"code":"BadRequest","message":"Query execution has failed: 'where' operator: Failed to resolve column or scalar expression named 'Nope'","target":"43f4cb08-8fac-4b65-9db1-745c2ae65f3a"}}"#;
