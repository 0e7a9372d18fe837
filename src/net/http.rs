//! The HTTP client every network integration shares (TI providers, remote
//! data drivers, Azure APIs): a reqwest client (rustls, certificate
//! verification always on) with a per-request timeout, retries with
//! exponential backoff on 5xx answers and timeouts, `429 Retry-After`
//! honoured, bounded response bodies, and errors that never carry a URL
//! (some APIs put the key in the path or a SAS signature in the query).
//!
//! Requests run on their own thread with a runtime made by the same copy of
//! the crate as the client (see [`HttpClient::send`]): that is what makes a
//! client or provider made in one notebook cell usable in the next.
//!
//! ```
//! use huntbook::net::http::{HttpClient, HttpOptions};
//! let client = HttpClient::with_options(HttpOptions::default()).unwrap();
//! assert_eq!(client.options().retries, 3);
//! ```

pub use crate::enrich::ti::limit::{Clock, SystemClock};
use std::sync::Arc;
use std::time::Duration;

/// Default largest response body read (bigger answers fail the request).
pub const MAX_BODY_BYTES: usize = 16 << 20;

/// Timeouts, retries, body limit, extra CA certificates and proxy.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpOptions {
    /// Time allowed for one request, answer included (default 30 s).
    pub timeout: Duration,
    /// Tries after the first on 5xx, 429 and timeouts (default 3).
    pub retries: u32,
    /// First backoff; doubled on each retry (default 1 s).
    pub backoff: Duration,
    /// The longest `Retry-After` honoured; longer ones fail the row (default 120 s).
    pub max_retry_after: Duration,
    /// The largest body read (default [`MAX_BODY_BYTES`]); a larger answer
    /// fails the request with a clear message instead of filling memory.
    pub max_body_bytes: usize,
    /// Extra trusted CA certificates (PEM), beside the system's: for a
    /// server with a private CA (a self-hosted Splunk). Certificate
    /// verification itself cannot be turned off.
    pub root_certificates: Vec<Vec<u8>>,
    /// A proxy for every request (`http://host:port`, credentials allowed
    /// in the URL and never shown). Without it the standard environment
    /// variables apply (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`,
    /// `NO_PROXY`).
    pub proxy: Option<String>,
}

impl std::fmt::Debug for HttpOptions {
    // The proxy URL may carry credentials: only whether one is set is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpOptions")
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("backoff", &self.backoff)
            .field("max_retry_after", &self.max_retry_after)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("root_certificates", &self.root_certificates.len())
            .field("proxy", &self.proxy.as_ref().map(|_| "***"))
            .finish()
    }
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            retries: 3,
            backoff: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(120),
            max_body_bytes: MAX_BODY_BYTES,
            root_certificates: Vec::new(),
            proxy: None,
        }
    }
}

/// A shared HTTP client: cheap to clone (the connection pool is shared).
#[derive(Debug, Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    opts: HttpOptions,
    clock: Arc<dyn Clock>,
}

/// An answer: status, headers and body.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpReply {
    /// The HTTP status.
    pub status: u16,
    /// The response headers (names lower-cased), in the order received.
    pub headers: Vec<(String, String)>,
    /// The body bytes (see [`HttpReply::text`]).
    pub bytes: Vec<u8>,
    /// How many tries it took.
    pub tries: u32,
}

impl std::fmt::Debug for HttpReply {
    // Headers are left out: a reply can carry cookies or tokens.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpReply")
            .field("status", &self.status)
            .field("body_bytes", &self.bytes.len())
            .field("tries", &self.tries)
            .finish()
    }
}

impl HttpReply {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON; the error names `what` (the API called).
    pub fn json(&self, what: &str) -> crate::Result<serde_json::Value> {
        serde_json::from_slice(&self.bytes).map_err(|e| {
            crate::Error::Runtime(format!(
                "{what}: malformed JSON in the answer (HTTP {}): {e}",
                self.status
            ))
        })
    }

    /// The body as text (UTF-8; invalid bytes replaced). Borrowed when the
    /// body is valid UTF-8, so large answers are not held twice.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.bytes)
    }

    /// True for 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why a request got no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpFailure {
    /// Every try timed out.
    Timeout {
        /// Tries made.
        tries: u32,
    },
    /// 429 and no more tries (or a `Retry-After` too long to wait).
    RateLimited {
        /// The server's `Retry-After`, when given.
        retry_after: Option<Duration>,
        /// Tries made.
        tries: u32,
    },
    /// A 5xx on every try.
    Server {
        /// The last status.
        status: u16,
        /// Tries made.
        tries: u32,
    },
    /// Could not connect or read (the message has no URL).
    Transport(String),
}

impl HttpFailure {
    /// The row's status text.
    pub fn describe(&self) -> String {
        match self {
            HttpFailure::Timeout { tries } => format!("timed out ({})", plural(*tries)),
            HttpFailure::RateLimited { retry_after, tries } => match retry_after {
                Some(d) => format!(
                    "HTTP 429: rate limited, Retry-After {}s ({})",
                    d.as_secs(),
                    plural(*tries)
                ),
                None => format!("HTTP 429: rate limited ({})", plural(*tries)),
            },
            HttpFailure::Server { status, tries } => {
                format!("HTTP {status}: server error ({})", plural(*tries))
            }
            HttpFailure::Transport(m) => format!("request failed: {m}"),
        }
    }
}

impl std::fmt::Display for HttpFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

fn plural(tries: u32) -> String {
    if tries == 1 {
        "1 try".into()
    } else {
        format!("{tries} tries")
    }
}

/// Parses `Retry-After`: seconds, or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let secs = (when.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds();
    Some(Duration::from_secs(secs.max(0) as u64))
}

impl HttpClient {
    /// A client with these options and the system clock.
    pub fn with_options(opts: HttpOptions) -> crate::Result<Self> {
        Self::new(opts, Arc::new(SystemClock::new()))
    }

    /// A client with these options and clock (used for waits between tries).
    pub fn new(opts: HttpOptions, clock: Arc<dyn Clock>) -> crate::Result<Self> {
        let mut builder =
            reqwest::Client::builder().user_agent(concat!("huntbook/", env!("CARGO_PKG_VERSION")));
        for (i, pem) in opts.root_certificates.iter().enumerate() {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .ok()
                .filter(|c| !c.is_empty())
                .ok_or_else(|| {
                    crate::Error::invalid(
                        format!("CA certificate {} of the HTTP client", i + 1),
                        "is not a PEM certificate",
                    )
                })?;
            for c in certs {
                builder = builder.add_root_certificate(c);
            }
        }
        if let Some(p) = &opts.proxy {
            let proxy = reqwest::Proxy::all(p.as_str()).map_err(|_| {
                crate::Error::invalid("HTTP proxy", "not a proxy URL (expected http://host:port)")
            })?;
            builder = builder.proxy(proxy);
        }
        let client = builder.build().map_err(|e| {
            crate::Error::Runtime(format!(
                "could not build the HTTP client: {}",
                e.without_url()
            ))
        })?;
        Ok(Self {
            client,
            opts,
            clock,
        })
    }

    /// The options.
    pub fn options(&self) -> &HttpOptions {
        &self.opts
    }

    /// Sends the request `build` makes (cloned for each try).
    ///
    /// The request runs on its own thread with its own runtime, made by the
    /// same copy of the crate as the client: in a notebook the providers
    /// (and this client) may come from an earlier cell, whose tokio has no
    /// runtime in the cell that awaits the lookup (evcxr links a copy of the
    /// crate per cell), so the caller's runtime cannot drive this client.
    pub async fn send<F>(&self, build: F) -> Result<HttpReply, HttpFailure>
    where
        F: Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    {
        let template = build(&self.client);
        let me = self.clone();
        let (tx, rx) = futures::channel::oneshot::channel();
        let spawned = std::thread::Builder::new()
            .name("huntbook-http".into())
            .spawn(move || {
                let out = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt.block_on(me.send_on_this_thread(template)),
                    Err(e) => Err(HttpFailure::Transport(format!(
                        "could not start the HTTP runtime: {e}"
                    ))),
                };
                let _ = tx.send(out);
            });
        if let Err(e) = spawned {
            return Err(HttpFailure::Transport(format!(
                "could not start the HTTP thread: {e}"
            )));
        }
        rx.await.unwrap_or_else(|_| {
            Err(HttpFailure::Transport(
                "the HTTP thread ended without an answer".into(),
            ))
        })
    }

    async fn send_on_this_thread(
        &self,
        template: reqwest::RequestBuilder,
    ) -> Result<HttpReply, HttpFailure> {
        let mut tries = 0u32;
        loop {
            tries += 1;
            let last = tries > self.opts.retries;
            let backoff = self.opts.backoff * 2u32.saturating_pow(tries - 1);
            let Some(request) = template.try_clone() else {
                return Err(HttpFailure::Transport(
                    "the request body cannot be sent twice".into(),
                ));
            };
            match request.timeout(self.opts.timeout).send().await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    if status == 429 {
                        let ra = resp
                            .headers()
                            .get(reqwest::header::RETRY_AFTER)
                            .and_then(|v| v.to_str().ok())
                            .and_then(parse_retry_after);
                        let wait = ra.unwrap_or(backoff);
                        if last || wait > self.opts.max_retry_after {
                            return Err(HttpFailure::RateLimited {
                                retry_after: ra,
                                tries,
                            });
                        }
                        self.clock.sleep(wait).await;
                        continue;
                    }
                    if (500..600).contains(&status) {
                        if last {
                            return Err(HttpFailure::Server { status, tries });
                        }
                        self.clock.sleep(backoff).await;
                        continue;
                    }
                    let headers = resp
                        .headers()
                        .iter()
                        .map(|(k, v)| {
                            (
                                k.as_str().to_string(),
                                String::from_utf8_lossy(v.as_bytes()).into_owned(),
                            )
                        })
                        .collect();
                    match read_body(resp, self.opts.max_body_bytes).await {
                        Ok(bytes) => {
                            return Ok(HttpReply {
                                status,
                                headers,
                                bytes,
                                tries,
                            });
                        }
                        Err(BodyError::Timeout) if !last => {
                            self.clock.sleep(backoff).await;
                            continue;
                        }
                        Err(BodyError::Timeout) => return Err(HttpFailure::Timeout { tries }),
                        Err(BodyError::Other(m)) => return Err(HttpFailure::Transport(m)),
                    }
                }
                Err(e) => {
                    let retryable = e.is_timeout() || e.is_connect();
                    if retryable && !last {
                        self.clock.sleep(backoff).await;
                        continue;
                    }
                    if e.is_timeout() {
                        return Err(HttpFailure::Timeout { tries });
                    }
                    return Err(HttpFailure::Transport(error_text(e)));
                }
            }
        }
    }
}

enum BodyError {
    Timeout,
    Other(String),
}

async fn read_body(mut resp: reqwest::Response, max: usize) -> Result<Vec<u8>, BodyError> {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(c)) => {
                if buf.len() + c.len() > max {
                    return Err(BodyError::Other(format!(
                        "response larger than {max} bytes"
                    )));
                }
                buf.extend_from_slice(&c);
            }
            Ok(None) => break,
            Err(e) if e.is_timeout() => return Err(BodyError::Timeout),
            Err(e) => return Err(BodyError::Other(error_text(e))),
        }
    }
    Ok(buf)
}

/// A reqwest error's text without its URL (keys can sit in URLs).
pub fn error_text(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        text.push_str(": ");
        text.push_str(&s.to_string());
        src = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn reply_debug_hides_headers() {
        let r = HttpReply {
            status: 200,
            headers: vec![("set-cookie".into(), "secret-cookie".into())],
            bytes: b"{}".to_vec(),
            tries: 1,
        };
        assert!(!format!("{r:?}").contains("secret-cookie"));
        assert_eq!(r.header("Set-Cookie"), Some("secret-cookie"));
        assert_eq!(r.json("test").unwrap(), serde_json::json!({}));
    }
}
