//! The Splunk driver's configuration: URL, credentials, search mode,
//! paging, and reading `DataProviders.Splunk` from the settings.

use super::results::SplunkResultOptions;
use crate::config::{ProviderSettings, Secret, Settings};
use crate::error::{Error, Result};
use crate::net::http::HttpOptions;
use std::time::Duration;

/// Splunk's management port.
pub const DEFAULT_PORT: u16 = 8089;
/// Rows asked for per results page.
pub const DEFAULT_PAGE_SIZE: usize = 10_000;
/// Splunk's default `maxresultrows`: the most rows a oneshot search or a
/// results page returns.
pub const MAX_RESULT_ROWS: usize = 50_000;
/// Longest wait between two polls of a running job.
pub const MAX_POLL_INTERVAL: Duration = Duration::from_secs(5);

/// How the driver authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplunkAuth {
    /// No credentials (a Splunk that allows anonymous REST calls; tests).
    None,
    /// `Authorization: Bearer <token>` (a Splunk authentication token).
    Bearer(Secret),
    /// A user name and password, exchanged for a session key.
    Login {
        /// The user name.
        username: String,
        /// The password.
        password: Secret,
    },
}

/// How a search runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchMode {
    /// A search job: create, poll, page the results (the default).
    Job,
    /// `exec_mode=oneshot`: the results come back in one answer.
    Oneshot,
}

/// Where and how to reach Splunk.
#[derive(Debug, Clone)]
pub struct SplunkConfig {
    pub(super) base_url: String,
    pub(super) auth: SplunkAuth,
    pub(super) mode: SearchMode,
    pub(super) page_size: usize,
    pub(super) poll_interval: Duration,
    pub(super) job_timeout: Duration,
    pub(super) result_options: SplunkResultOptions,
    pub(super) saved_searches: bool,
    pub(super) http: HttpOptions,
    pub(super) warnings: Vec<String>,
}

impl SplunkConfig {
    /// A configuration for `base_url` (`https://splunk.example.com:8089`);
    /// no credentials yet.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            auth: SplunkAuth::None,
            mode: SearchMode::Job,
            page_size: DEFAULT_PAGE_SIZE,
            poll_interval: Duration::from_millis(500),
            job_timeout: Duration::from_secs(600),
            result_options: SplunkResultOptions::default(),
            saved_searches: true,
            http: HttpOptions::default(),
            warnings: Vec::new(),
        }
    }

    /// Authenticates with a Splunk authentication token.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.auth = SplunkAuth::Bearer(Secret::plain(token));
        self
    }

    /// Authenticates with a user name and password (session login).
    pub fn login(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.auth = SplunkAuth::Login {
            username: username.into(),
            password: Secret::plain(password),
        };
        self
    }

    /// Sets the authentication.
    pub fn auth(mut self, auth: SplunkAuth) -> Self {
        self.auth = auth;
        self
    }

    /// Runs searches as oneshot searches (one request) instead of jobs.
    pub fn oneshot(mut self, yes: bool) -> Self {
        self.mode = if yes {
            SearchMode::Oneshot
        } else {
            SearchMode::Job
        };
        self
    }

    /// Rows per results page (default 10 000; Splunk caps a page at its
    /// `maxresultrows`, 50 000 by default).
    pub fn page_size(mut self, rows: usize) -> Self {
        self.page_size = rows.max(1);
        self
    }

    /// First wait between polls of a job (doubled up to 5 s).
    pub fn poll_interval(mut self, d: Duration) -> Self {
        self.poll_interval = d;
        self
    }

    /// How long a job may run before it is cancelled (default 10 min); a
    /// query's own timeout ([`QueryContext::timeout`]) wins.
    pub fn job_timeout(mut self, d: Duration) -> Self {
        self.job_timeout = d;
        self
    }

    /// How result values become columns.
    pub fn result_options(mut self, options: SplunkResultOptions) -> Self {
        self.result_options = options;
        self
    }

    /// Reads saved searches when connecting (default true).
    pub fn saved_searches(mut self, yes: bool) -> Self {
        self.saved_searches = yes;
        self
    }

    /// HTTP timeouts, retries and body limit.
    pub fn http_options(mut self, http: HttpOptions) -> Self {
        self.http = http;
        self
    }

    /// The base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The HTTP options (timeouts, retries, extra CA certificates).
    pub fn http(&self) -> &HttpOptions {
        &self.http
    }

    /// Notes from reading the settings (e.g. `verify: false` not honoured).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Reads `DataProviders.Splunk` (MSTICPy's `host`, `port`,
    /// `http_scheme`, `username`, `password`, `bearer_token`, `verify`;
    /// huntbook's `ca_cert`, `oneshot`, `page_size`, `timeout`).
    ///
    /// `verify: false` is not honoured: TLS verification stays on, and a
    /// warning says so. For a server whose certificate comes from a private
    /// CA (or is self-signed), `ca_cert` names that CA's PEM file: it is
    /// trusted beside the system's roots.
    pub fn from_provider(p: &ProviderSettings) -> Result<Self> {
        let at = |k: &str| format!("setting DataProviders.{}.Args.{k}", p.name);
        let arg = |k: &str| {
            p.arg(k)
                .or_else(|| p.arg(&capitalise(k)))
                .filter(|v| !v.trim().is_empty())
        };
        let host = arg("host").ok_or_else(|| Error::invalid(at("host"), "is not set"))?;
        let scheme = arg("http_scheme").unwrap_or_else(|| "https".into());
        if scheme != "https" && scheme != "http" {
            return Err(Error::invalid(
                at("http_scheme"),
                format!("'{scheme}' is not http or https"),
            ));
        }
        let port: u16 = match arg("port") {
            None => DEFAULT_PORT,
            Some(t) => t
                .trim()
                .parse()
                .map_err(|_| Error::invalid(at("port"), format!("'{t}' is not a port number")))?,
        };
        let base = if host.contains("://") {
            host.trim_end_matches('/').to_string()
        } else {
            format!("{scheme}://{}:{port}", host.trim())
        };
        url::Url::parse(&base)
            .map_err(|e| Error::invalid(at("host"), format!("not a URL: {e}")))?;
        let mut cfg = Self::new(base);
        let secret = |k: &str| {
            p.secret(k)
                .or_else(|_| p.secret(&capitalise(k)))
                .ok()
                .cloned()
        };
        if let Some(tok) = secret("bearer_token") {
            cfg.auth = SplunkAuth::Bearer(tok);
        } else if let Some(user) = arg("username") {
            let password = secret("password")
                .ok_or_else(|| Error::invalid(at("password"), "is not set (username is)"))?;
            cfg.auth = SplunkAuth::Login {
                username: user,
                password,
            };
        }
        if let Some(v) = arg("verify")
            && matches!(v.to_ascii_lowercase().as_str(), "false" | "no" | "0")
        {
            cfg.warnings.push(format!(
                "{}: 'verify: false' is not honoured: TLS certificates are always verified; set ca_cert to the Splunk server's CA certificate (PEM file)",
                at("verify")
            ));
        }
        if let Some(path) = arg("ca_cert") {
            let path = crate::config::expand_home(&path);
            let pem = std::fs::read(&path).map_err(|e| {
                Error::invalid(
                    at("ca_cert"),
                    format!("cannot read '{}': {e}", path.display()),
                )
            })?;
            if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
                return Err(Error::invalid(
                    at("ca_cert"),
                    format!("'{}' holds no PEM certificate", path.display()),
                ));
            }
            cfg.http.root_certificates.push(pem);
        }
        if let Some(v) = arg("oneshot") {
            cfg = cfg.oneshot(v.eq_ignore_ascii_case("true"));
        }
        if let Some(v) = arg("page_size") {
            let n: usize = v.parse().map_err(|_| {
                Error::invalid(at("page_size"), format!("'{v}' is not a row count"))
            })?;
            cfg = cfg.page_size(n);
        }
        if let Some(v) = arg("timeout") {
            let secs: u64 = v
                .parse()
                .map_err(|_| Error::invalid(at("timeout"), format!("'{v}' is not seconds")))?;
            cfg = cfg.job_timeout(Duration::from_secs(secs));
        }
        Ok(cfg)
    }

    /// The `DataProviders.Splunk` section of `settings` (an error naming the
    /// section when it is absent).
    pub fn from_settings(settings: &Settings) -> Result<Self> {
        let p = settings
            .provider("DataProviders", "Splunk")
            .ok_or_else(|| {
                Error::invalid(
                    "setting DataProviders.Splunk",
                    "is not set (give Args: host, and bearer_token or username/password)",
                )
            })?;
        Self::from_provider(&p)
    }
}

fn capitalise(k: &str) -> String {
    k.split('_')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}
