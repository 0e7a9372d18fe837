//! The HTTP/1.1 server the network tests talk to, on 127.0.0.1: each
//! connection carries one request (request line, headers, a body read by
//! `Content-Length` or chunked transfer coding) and gets one answer from a
//! handler (a `Content-Length` or chunked body, optionally after a delay),
//! then `Connection: close`. Every request is recorded for assertions. The
//! server stops when the value is dropped.
//!
//! Service-shaped answers (Splunk, Defender, Azure, token endpoints) live in
//! the `*_support` modules next to this one. Benches include this file by
//! `#[path]` as `mod http_support`.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Largest request head (request line and headers) read before giving up.
const MAX_HEAD: usize = 1 << 20;

/// A request as received.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `POST`, …
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// Header names lower case, in the order sent.
    pub headers: Vec<(String, String)>,
    /// The body (chunked bodies de-chunked).
    pub body: Vec<u8>,
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

    fn query_str(&self) -> &str {
        self.target.split_once('?').map(|(_, q)| q).unwrap_or("")
    }

    /// A query parameter, decoded.
    pub fn query(&self, name: &str) -> Option<String> {
        pairs(self.query_str().as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// The query string's pairs, decoded.
    pub fn query_pairs(&self) -> BTreeMap<String, String> {
        pairs(self.query_str().as_bytes()).collect()
    }

    /// The body as `application/x-www-form-urlencoded` pairs.
    pub fn form(&self) -> BTreeMap<String, String> {
        pairs(&self.body).collect()
    }

    /// A form field (body) or, failing that, a query parameter, decoded.
    pub fn field(&self, name: &str) -> Option<String> {
        pairs(&self.body)
            .chain(pairs(self.query_str().as_bytes()))
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON; `Null` when it is not JSON (a handler must not
    /// panic on it: the client would only see a dropped connection).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The token of an `Authorization: Bearer …` header.
    pub fn bearer(&self) -> Option<&str> {
        self.header("authorization")
            .and_then(|v| v.strip_prefix("Bearer "))
    }
}

fn pairs(s: &[u8]) -> impl Iterator<Item = (String, String)> + '_ {
    url::form_urlencoded::parse(s).map(|(k, v)| (k.into_owned(), v.into_owned()))
}

/// An answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    /// Sent as given, before `Content-Length`/`Transfer-Encoding` and
    /// `Connection: close`.
    pub headers: Vec<(String, String)>,
    /// Shared, so that a big canned body is not copied per answer.
    pub body: Arc<Vec<u8>>,
    /// Send the body with chunked transfer coding.
    pub chunked: bool,
    /// Wait this long before answering (to make the client time out).
    pub delay: Duration,
}

impl Reply {
    /// An answer with a `Content-Type` (none when `content_type` is empty).
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self::with_shared(status, content_type, Arc::new(body.into()))
    }
    fn with_shared(status: u16, content_type: &str, body: Arc<Vec<u8>>) -> Self {
        let headers = if content_type.is_empty() {
            vec![]
        } else {
            vec![("Content-Type".into(), content_type.into())]
        };
        Self {
            status,
            headers,
            body,
            chunked: false,
            delay: Duration::ZERO,
        }
    }
    /// `application/json`.
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self::new(status, "application/json", body)
    }
    /// `application/json`, a body shared between answers (no copy).
    pub fn shared(status: u16, body: Arc<Vec<u8>>) -> Self {
        Self::with_shared(status, "application/json", body)
    }
    /// `text/plain`.
    pub fn text(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self::new(status, "text/plain", body)
    }
    /// `application/xml`.
    pub fn xml(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self::new(status, "application/xml", body)
    }
    /// `application/octet-stream`.
    pub fn bytes(status: u16, body: Vec<u8>) -> Self {
        Self::new(status, "application/octet-stream", body)
    }
    /// No body, no `Content-Type`.
    pub fn empty(status: u16) -> Self {
        Self::new(status, "", Vec::new())
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn chunked(mut self) -> Self {
        self.chunked = true;
        self
    }
    pub fn delayed(mut self, d: Duration) -> Self {
        self.delay = d;
        self
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        206 => "Partial Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        412 => "Precondition Failed",
        416 => "Range Not Satisfiable",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// A connection's read side with what has been read but not yet used.
struct Reader<'a> {
    s: &'a mut TcpStream,
    buf: Vec<u8>,
}

impl Reader<'_> {
    /// Reads more; `None` at end of stream or on error.
    fn fill(&mut self) -> Option<()> {
        let mut chunk = [0u8; 64 * 1024];
        let n = self.s.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Some(())
    }

    /// One CRLF-terminated line, without the CRLF.
    fn line(&mut self) -> Option<String> {
        loop {
            if let Some(i) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line = String::from_utf8_lossy(&self.buf[..i]).into_owned();
                self.buf.drain(..i + 2);
                return Some(line);
            }
            if self.buf.len() > MAX_HEAD {
                return None;
            }
            self.fill()?;
        }
    }

    /// Exactly `n` bytes.
    fn exact(&mut self, n: usize) -> Option<Vec<u8>> {
        while self.buf.len() < n {
            self.fill()?;
        }
        Some(self.buf.drain(..n).collect())
    }
}

fn read_request(s: &mut TcpStream) -> Option<Request> {
    let mut r = Reader { s, buf: Vec::new() };
    let first = r.line()?;
    let mut parts = first.split(' ');
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    let mut head_len = first.len();
    loop {
        let line = r.line()?;
        if line.is_empty() {
            break;
        }
        head_len += line.len();
        if head_len > MAX_HEAD {
            return None;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let get = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let body = if get("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        let mut body = Vec::new();
        loop {
            let size_line = r.line()?;
            let size = usize::from_str_radix(size_line.split(';').next()?.trim(), 16).ok()?;
            if size == 0 {
                // Trailers (none expected) end with an empty line.
                while !r.line()?.is_empty() {}
                break;
            }
            body.extend(r.exact(size)?);
            r.line()?;
        }
        body
    } else {
        let n = get("content-length")
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0);
        r.exact(n)?
    };
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

fn write_reply(s: &mut TcpStream, reply: &Reply) -> std::io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if reply.chunked {
        head.push_str("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        s.write_all(head.as_bytes())?;
        for c in reply.body.chunks(64 * 1024) {
            s.write_all(format!("{:x}\r\n", c.len()).as_bytes())?;
            s.write_all(c)?;
            s.write_all(b"\r\n")?;
        }
        s.write_all(b"0\r\n\r\n")?;
    } else {
        head.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            reply.body.len()
        ));
        s.write_all(head.as_bytes())?;
        s.write_all(&reply.body)?;
    }
    s.flush()
}

type Handler = Arc<dyn Fn(&Request, usize) -> Reply + Send + Sync>;

/// The server.
pub struct TestServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    requests: Arc<Mutex<Vec<Request>>>,
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
                    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
                    let Some(req) = read_request(&mut s) else {
                        return;
                    };
                    let n = {
                        let mut g = reqs.lock().unwrap();
                        g.push(req.clone());
                        g.len() - 1
                    };
                    let reply = h(&req, n);
                    // Sleep in steps so that a dropped server stops waiting.
                    let step = Duration::from_millis(20);
                    let mut waited = Duration::ZERO;
                    while waited < reply.delay && !stop3.load(Ordering::SeqCst) {
                        std::thread::sleep(step);
                        waited += step;
                    }
                    let _ = write_reply(&mut s, &reply);
                });
            }
        });
        Self {
            addr,
            stop,
            requests,
        }
    }

    /// A server answering every request with `reply`.
    pub fn always(reply: Reply) -> Self {
        Self::start(move |_, _| reply.clone())
    }

    /// `http://127.0.0.1:port`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The requests so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// The requests to one path.
    pub fn requests_to(&self, path: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.path() == path)
            .collect()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
    }
}
