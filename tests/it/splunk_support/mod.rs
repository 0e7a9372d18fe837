//! A small HTTP/1.1 server on 127.0.0.1 for the Splunk and Defender driver
//! tests: each connection gets one answer from a handler, then the
//! connection is closed. Requests are recorded (method, target, headers,
//! body) for assertions. The server stops when the value is dropped.
//! Also: canned bodies shaped like the services' documented answers.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A request as received.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`.
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// Header names lower case.
    pub headers: Vec<(String, String)>,
    /// The body (as text).
    pub body: String,
}

impl Request {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// A form field (body) or query parameter, decoded.
    pub fn field(&self, name: &str) -> Option<String> {
        let query = self.target.split_once('?').map(|(_, q)| q).unwrap_or("");
        for part in [self.body.as_str(), query] {
            for (k, v) in url::form_urlencoded::parse(part.as_bytes()) {
                if k == name {
                    return Some(v.into_owned());
                }
            }
        }
        None
    }
}

/// An answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Wait this long before answering (to make the client time out).
    pub delay: Duration,
}

impl Reply {
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn delayed(mut self, d: Duration) -> Self {
        self.delay = d;
        self
    }
}

type Handler = Arc<dyn Fn(&Request, usize) -> Reply + Send + Sync>;

/// The server.
pub struct TestServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    requests: Arc<Mutex<Vec<Request>>>,
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

fn read_request(s: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        let n = s.read(&mut chunk).ok()?;
        if n == 0 || buf.len() > 64 * 1024 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let text = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = text.split("\r\n");
    let first = lines.next()?;
    let mut parts = first.split(' ');
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < len {
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Request {
        method,
        target,
        headers,
        body: String::from_utf8_lossy(&body).to_string(),
    })
}

impl TestServer {
    /// Starts a server; `handler` gets each request and its 0-based number.
    pub fn start(handler: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        let stop = Arc::new(AtomicBool::new(false));
        let requests: Arc<Mutex<Vec<Request>>> = Arc::default();
        let handler: Handler = Arc::new(handler);
        let (stop2, reqs2) = (stop.clone(), requests.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut s) = conn else { continue };
                let (h, reqs, stop3) = (handler.clone(), reqs2.clone(), stop2.clone());
                std::thread::spawn(move || {
                    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                    let Some(req) = read_request(&mut s) else {
                        return;
                    };
                    let n = {
                        let mut g = reqs.lock().unwrap();
                        g.push(req.clone());
                        g.len() - 1
                    };
                    let reply = h(&req, n);
                    if !reply.delay.is_zero() {
                        let step = Duration::from_millis(20);
                        let mut waited = Duration::ZERO;
                        while waited < reply.delay && !stop3.load(Ordering::SeqCst) {
                            std::thread::sleep(step);
                            waited += step;
                        }
                    }
                    let mut out = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
                    for (k, v) in &reply.headers {
                        out.push_str(&format!("{k}: {v}\r\n"));
                    }
                    out.push_str(&format!(
                        "Content-Length: {}\r\nConnection: close\r\n\r\n",
                        reply.body.len()
                    ));
                    let _ = s.write_all(out.as_bytes());
                    let _ = s.write_all(reply.body.as_bytes());
                    let _ = s.flush();
                });
            }
        });
        Self {
            addr,
            stop,
            requests,
        }
    }

    /// `http://127.0.0.1:port`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The requests so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
    }
}

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
