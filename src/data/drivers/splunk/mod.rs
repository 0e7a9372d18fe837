//! The Splunk driver: SPL searches through Splunk's REST API (port 8089).
//!
//! A search runs as a job — `POST /services/search/jobs` (`exec_mode=normal`)
//! gives a `sid`; `GET /services/search/jobs/{sid}` is polled (waits grow
//! from [`SplunkConfig::poll_interval`] to 5 s, slept with the
//! [`Clock`], so tests do not wait) until `dispatchState` is `DONE` or
//! `FAILED`; then `GET …/{sid}/results` is read in pages of
//! [`SplunkConfig::page_size`] rows straight into columns
//! ([`results`]). [`SplunkConfig::oneshot`] runs `exec_mode=oneshot`
//! instead: one request, results in the answer.
//!
//! Authentication: a bearer token (`Authorization: Bearer …`) or a user
//! name and password exchanged at `POST /services/auth/login` for a session
//! key (`Authorization: Splunk …`; logged in again once when it expires).
//! Saved searches (`GET /services/saved/searches`) are read when connecting
//! and listed as the driver's queries (family `SavedSearches`).
//!
//! Queries that do not start with `search` or a generating command (`|…`)
//! get `search ` prepended, as Splunk requires. List parameters render as
//! `"a","b"` (the [`Dialect::Splunk`] list format, MSTICPy's) for
//! `IN (…)`.
//!
//! A job that finishes with `ERROR`/`FATAL` messages (a search peer down…)
//! gives a [`Completeness::Partial`] result naming them; a `FAILED` job, a
//! job that runs longer than the timeout (it is cancelled), a login failure
//! or malformed JSON is an error. Passwords, tokens and session keys never
//! appear in Debug output or errors.
//!
//! Settings (`DataProviders.Splunk.Args`, MSTICPy's names): `host` (a name
//! or a URL), `port` (8089), `http_scheme` (`https`), `username`,
//! `password`, `bearer_token`, `verify` (TLS verification; see
//! [`SplunkConfig::from_settings`]).
//!
//! ```no_run
//! use huntbook::prelude::*;
//! use huntbook::data::drivers::splunk::{SplunkConfig, SplunkDriver};
//! let cfg = SplunkConfig::new("https://splunk.example.com:8089")
//!     .bearer_token(std::env::var("SPLUNK_TOKEN").unwrap_or_default());
//! let qp = QueryProvider::new(SplunkDriver::new(cfg)?)?;
//! let df = qp.exec("index=main sourcetype=WinEventLog EventCode=4688 | head 100")?;
//! # Ok::<(), huntbook::Error>(())
//! ```

mod config;
mod job;
pub mod results;

pub use config::{
    DEFAULT_PAGE_SIZE, DEFAULT_PORT, MAX_POLL_INTERVAL, MAX_RESULT_ROWS, SearchMode, SplunkAuth,
    SplunkConfig,
};
pub use job::{JobStatus, parse_saved_searches};

pub use results::{
    PageInfo, SplunkFrameBuilder, SplunkMessage, SplunkResultOptions, SplunkResults,
};

use crate::config::{Secret, Settings};
use crate::data::drivers::{
    BoxFuture, Completeness, Connection, Driver, DriverQuery, QueryContext, QueryOutput,
};
use crate::data::query::Dialect;
use crate::enrich::ti::limit::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::net::http::{HttpClient, HttpReply};
use job::message_texts;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Adds `search ` when the query starts with neither `search` nor a
/// generating command (`|`), as Splunk's REST API requires.
///
/// ```
/// use huntbook::data::drivers::splunk::search_text;
/// assert_eq!(search_text("index=main error"), "search index=main error");
/// assert_eq!(search_text(" | tstats count"), "| tstats count");
/// assert_eq!(search_text("Search index=x"), "Search index=x");
/// ```
pub fn search_text(query: &str) -> String {
    let q = query.trim();
    let first = q.split_whitespace().next().unwrap_or("");
    if q.starts_with('|') || first.eq_ignore_ascii_case("search") {
        q.to_string()
    } else {
        format!("search {q}")
    }
}
/// The Splunk driver (see the module docs).
#[derive(Debug)]
pub struct SplunkDriver {
    config: SplunkConfig,
    client: HttpClient,
    clock: Arc<dyn Clock>,
    session: Mutex<Option<Secret>>,
    saved: Mutex<Vec<DriverQuery>>,
}
impl SplunkDriver {
    /// A driver with the system clock.
    pub fn new(config: SplunkConfig) -> Result<Self> {
        Self::with_clock(config, Arc::new(SystemClock::new()))
    }

    /// A driver whose waits (polls, retries) use `clock`.
    pub fn with_clock(config: SplunkConfig, clock: Arc<dyn Clock>) -> Result<Self> {
        let client = HttpClient::new(config.http.clone(), Arc::clone(&clock))?;
        Ok(Self {
            config,
            client,
            clock,
            session: Mutex::new(None),
            saved: Mutex::new(Vec::new()),
        })
    }

    /// A driver from `DataProviders.Splunk` in the settings.
    pub fn from_settings(settings: &Settings) -> Result<Self> {
        Self::new(SplunkConfig::from_settings(settings)?)
    }

    /// The configuration.
    pub fn config(&self) -> &SplunkConfig {
        &self.config
    }

    fn url(&self, path: &[&str], query: &[(&str, String)]) -> Result<url::Url> {
        let mut u = url::Url::parse(&self.config.base_url).map_err(|e| {
            Error::invalid(
                format!("Splunk URL '{}'", self.config.base_url),
                e.to_string(),
            )
        })?;
        {
            let mut segs = u.path_segments_mut().map_err(|_| {
                Error::invalid(
                    format!("Splunk URL '{}'", self.config.base_url),
                    "cannot take a path",
                )
            })?;
            segs.pop_if_empty();
            segs.extend(path);
        }
        if !query.is_empty() {
            let mut q = u.query_pairs_mut();
            for (k, v) in query {
                q.append_pair(k, v);
            }
        }
        Ok(u)
    }

    fn auth_header(&self) -> Result<Option<String>> {
        Ok(match &self.config.auth {
            SplunkAuth::None => None,
            SplunkAuth::Bearer(t) => Some(format!("Bearer {}", t.expose()?)),
            SplunkAuth::Login { .. } => {
                let key = self.session.lock().ok().and_then(|g| g.clone());
                match key {
                    Some(k) => Some(format!("Splunk {}", k.expose()?)),
                    None => None,
                }
            }
        })
    }

    /// Logs in with the user name and password (`POST /services/auth/login`)
    /// and keeps the session key. Errors never hold the password.
    pub async fn login(&self) -> Result<()> {
        let SplunkAuth::Login { username, password } = &self.config.auth else {
            return Ok(());
        };
        let what = format!("Splunk login as '{username}'");
        let url = self.url(&["services", "auth", "login"], &[])?;
        let pw = password.expose()?;
        let form = [
            ("username", username.as_str()),
            ("password", pw.as_str()),
            ("output_mode", "json"),
        ];
        let reply = self
            .client
            .send(|c| c.post(url.clone()).form(&form))
            .await
            .map_err(|f| Error::Runtime(format!("{what}: {f}")))?;
        if !reply.is_success() {
            return Err(Error::Runtime(format!(
                "{what} failed: HTTP {}: {}",
                reply.status,
                message_texts(&reply.text())
            )));
        }
        let v = reply.json(&what)?;
        let key = v
            .get("sessionKey")
            .and_then(|k| k.as_str())
            .filter(|k| !k.is_empty())
            .ok_or_else(|| Error::Runtime(format!("{what}: the answer has no sessionKey")))?;
        if let Ok(mut g) = self.session.lock() {
            *g = Some(Secret::plain(key));
        }
        Ok(())
    }

    /// Sends an authenticated request; after a 401 with session login, logs
    /// in again and tries once more. 401/403 become an error naming `what`.
    async fn send<F>(&self, what: &str, build: F) -> Result<HttpReply>
    where
        F: Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    {
        let relogin = matches!(self.config.auth, SplunkAuth::Login { .. });
        if relogin && self.auth_header()?.is_none() {
            self.login().await?;
        }
        for attempt in 0..2 {
            let auth = self.auth_header()?;
            let reply = self
                .client
                .send(|c| {
                    let rb = build(c);
                    match &auth {
                        Some(a) => rb.header(reqwest::header::AUTHORIZATION, a.as_str()),
                        None => rb,
                    }
                })
                .await
                .map_err(|f| Error::Runtime(format!("{what}: {f}")))?;
            if reply.status == 401 && relogin && attempt == 0 {
                if let Ok(mut g) = self.session.lock() {
                    *g = None;
                }
                self.login().await?;
                continue;
            }
            if reply.status == 401 || reply.status == 403 {
                return Err(Error::Runtime(format!(
                    "{what}: HTTP {}: not authorised ({}): {}",
                    reply.status,
                    match &self.config.auth {
                        SplunkAuth::None => "no credentials configured",
                        SplunkAuth::Bearer(_) => "check the bearer token",
                        SplunkAuth::Login { .. } => "check the user's roles",
                    },
                    message_texts(&reply.text())
                )));
            }
            return Ok(reply);
        }
        Err(Error::Runtime(format!("{what}: no answer")))
    }

    /// Reads the saved searches (`GET /services/saved/searches`).
    pub async fn fetch_saved_searches(&self) -> Result<Vec<DriverQuery>> {
        let what = "Splunk saved searches";
        let url = self.url(
            &["services", "saved", "searches"],
            &[("output_mode", "json".into()), ("count", "0".into())],
        )?;
        let reply = self.send(what, |c| c.get(url.clone())).await?;
        if !reply.is_success() {
            return Err(Error::Runtime(format!(
                "{what}: HTTP {}: {}",
                reply.status,
                message_texts(&reply.text())
            )));
        }
        let v = reply.json(what)?;
        Ok(parse_saved_searches(&v))
    }

    async fn create_job(
        &self,
        search: &str,
        ctx: &QueryContext,
        oneshot: bool,
    ) -> Result<HttpReply> {
        let what = if oneshot {
            "Splunk oneshot search"
        } else {
            "Splunk search job"
        };
        let url = self.url(&["services", "search", "jobs"], &[])?;
        let mut form: Vec<(&str, String)> = vec![
            ("search", search.to_string()),
            (
                "exec_mode",
                if oneshot { "oneshot" } else { "normal" }.into(),
            ),
            ("output_mode", "json".into()),
        ];
        if let Some((s, e)) = ctx.time_span {
            form.push(("earliest_time", epoch_text(&s)));
            form.push(("latest_time", epoch_text(&e)));
        }
        if oneshot {
            form.push(("count", ctx.max_rows.unwrap_or(0).to_string()));
        }
        let reply = self.send(what, |c| c.post(url.clone()).form(&form)).await?;
        if !reply.is_success() {
            return Err(Error::Runtime(format!(
                "{what}: HTTP {}: {}",
                reply.status,
                message_texts(&reply.text())
            )));
        }
        Ok(reply)
    }

    /// Polls a job until it is done; `FAILED` and the timeout are errors
    /// (a timed-out job is cancelled).
    pub async fn wait_for_job(&self, sid: &str, timeout: Duration) -> Result<JobStatus> {
        let what = format!("Splunk search job {sid}");
        let url = self.url(
            &["services", "search", "jobs", sid],
            &[("output_mode", "json".into())],
        )?;
        let start = self.clock.now();
        let mut wait = self.config.poll_interval;
        loop {
            let reply = self.send(&what, |c| c.get(url.clone())).await?;
            if !reply.is_success() {
                return Err(Error::Runtime(format!(
                    "{what}: HTTP {}: {}",
                    reply.status,
                    message_texts(&reply.text())
                )));
            }
            let status = JobStatus::parse(&reply.json(&what)?)?;
            if status.dispatch_state.eq_ignore_ascii_case("FAILED") || status.is_failed {
                let msgs: Vec<String> = status.messages.iter().map(|m| m.to_string()).collect();
                return Err(Error::Runtime(format!(
                    "{what} failed (dispatchState {}): {}",
                    status.dispatch_state,
                    if msgs.is_empty() {
                        "Splunk gave no reason".into()
                    } else {
                        msgs.join("; ")
                    }
                )));
            }
            if status.is_done || status.dispatch_state.eq_ignore_ascii_case("DONE") {
                return Ok(status);
            }
            let elapsed = self.clock.now().saturating_sub(start);
            if elapsed >= timeout {
                let _ = self.cancel_job(sid).await;
                return Err(Error::Runtime(format!(
                    "{what} did not finish within {} s (dispatchState {}); the job was cancelled",
                    timeout.as_secs(),
                    status.dispatch_state
                )));
            }
            self.clock.sleep(wait.min(timeout - elapsed)).await;
            wait = (wait * 2).min(MAX_POLL_INTERVAL);
        }
    }

    async fn cancel_job(&self, sid: &str) -> Result<()> {
        let url = self.url(&["services", "search", "jobs", sid, "control"], &[])?;
        let form = [("action", "cancel"), ("output_mode", "json")];
        self.send("Splunk job cancel", |c| c.post(url.clone()).form(&form))
            .await
            .map(|_| ())
    }

    /// Reads a finished job's results in pages into `builder`.
    async fn read_results(
        &self,
        sid: &str,
        total: usize,
        builder: &mut SplunkFrameBuilder,
    ) -> Result<()> {
        let page = self.config.page_size;
        let mut offset = 0usize;
        loop {
            if let Some(m) = builder.max_rows()
                && builder.rows() >= m
            {
                break;
            }
            if total > 0 && offset >= total {
                break;
            }
            let what = format!("Splunk results of job {sid} at offset {offset}");
            let url = self.url(
                &["services", "search", "jobs", sid, "results"],
                &[
                    ("output_mode", "json".into()),
                    ("count", page.to_string()),
                    ("offset", offset.to_string()),
                ],
            )?;
            let reply = self.send(&what, |c| c.get(url.clone())).await?;
            if reply.status == 204 {
                break;
            }
            if !reply.is_success() {
                return Err(Error::Runtime(format!(
                    "{what}: HTTP {}: {}",
                    reply.status,
                    message_texts(&reply.text())
                )));
            }
            let info = builder.add_page(&reply.bytes, &what)?;
            drop(reply);
            offset += info.rows;
            if info.rows < page {
                break;
            }
        }
        Ok(())
    }

    /// Runs one search and returns its rows (see the module docs).
    pub async fn search(&self, query: &str, ctx: &QueryContext) -> Result<QueryOutput> {
        let search = search_text(query);
        let opts = self.config.result_options.clone().max_rows(ctx.max_rows);
        let mut builder = SplunkFrameBuilder::new(opts);
        let mut job_messages = Vec::new();
        let mut total = None;
        let mut oneshot_capped = false;
        match self.config.mode {
            SearchMode::Oneshot => {
                let reply = self.create_job(&search, ctx, true).await?;
                let info = builder.add_page(&reply.bytes, "Splunk oneshot search")?;
                if info.rows >= MAX_RESULT_ROWS && ctx.max_rows.is_none_or(|m| m > info.rows) {
                    oneshot_capped = true;
                }
            }
            SearchMode::Job => {
                let reply = self.create_job(&search, ctx, false).await?;
                let v = reply.json("Splunk search job")?;
                let sid = v
                    .get("sid")
                    .and_then(|s| s.as_str())
                    .filter(|s| !s.is_empty())
                    .ok_or_else(|| {
                        Error::Runtime("Splunk search job: the answer has no sid".into())
                    })?
                    .to_string();
                let timeout = ctx.timeout.unwrap_or(self.config.job_timeout);
                let status = self.wait_for_job(&sid, timeout).await?;
                total = Some(status.result_count);
                job_messages = status.messages;
                self.read_results(&sid, status.result_count, &mut builder)
                    .await?;
            }
        }
        let mut warnings = self.config.warnings.clone();
        let mut problems: Vec<String> = Vec::new();
        for m in job_messages.iter().chain(builder.messages()) {
            if m.is_error() {
                if !problems.contains(&m.to_string()) {
                    problems.push(m.to_string());
                }
            } else if m.kind.eq_ignore_ascii_case("WARN") {
                warnings.push(format!("Splunk: {}", m.text));
            }
        }
        let seen = builder.rows_seen().max(total.unwrap_or(0));
        let kept = builder.rows();
        if builder.truncated() || ctx.max_rows.is_some_and(|m| kept >= m && seen > kept) {
            problems.push(format!(
                "row limit {}: {kept} of {seen} rows kept",
                ctx.max_rows.unwrap_or(kept)
            ));
        }
        if oneshot_capped {
            problems.push(format!(
                "a oneshot search returns at most {MAX_RESULT_ROWS} rows (Splunk's maxresultrows): run it as a job (oneshot false) for all rows"
            ));
        }
        let df = builder.finish()?;
        Ok(QueryOutput {
            df,
            completeness: if problems.is_empty() {
                Completeness::Complete
            } else {
                Completeness::Partial {
                    reason: problems.join("; "),
                }
            },
            warnings,
        })
    }
}
fn epoch_text(d: &chrono::DateTime<chrono::Utc>) -> String {
    format!("{}.{:06}", d.timestamp(), d.timestamp_subsec_micros())
}
impl Driver for SplunkDriver {
    fn environment(&self) -> &str {
        "Splunk"
    }

    fn dialect(&self) -> Dialect {
        Dialect::Splunk
    }

    fn connect<'a>(&'a self, _connection: &'a Connection) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.login().await?;
            if self.config.saved_searches {
                let saved = self.fetch_saved_searches().await?;
                if let Ok(mut g) = self.saved.lock() {
                    *g = saved;
                }
            }
            Ok(())
        })
    }

    fn execute<'a>(
        &'a self,
        query: &'a str,
        context: &'a QueryContext,
    ) -> BoxFuture<'a, Result<QueryOutput>> {
        Box::pin(self.search(query, context))
    }

    fn driver_queries(&self) -> Result<Vec<DriverQuery>> {
        Ok(self.saved.lock().map(|g| g.clone()).unwrap_or_default())
    }
}
