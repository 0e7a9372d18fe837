//! Microsoft Defender advanced hunting: Defender for Endpoint (MDE),
//! Microsoft 365 Defender (M365D) and Microsoft Graph `runHuntingQuery`.
//!
//! The query (KQL) is POSTed as `{"Query": "…"}` to
//!
//! | API | URL |
//! |---|---|
//! | [`DefenderApi::Mde`] | `{mde endpoint}/api/advancedqueries/run` |
//! | [`DefenderApi::M365d`] | `{m365d endpoint}/api/advancedhunting/run` |
//! | [`DefenderApi::Graph`] | `{graph endpoint}/v1.0/security/runHuntingQuery` |
//!
//! with a bearer token for `{endpoint}/.default` from an
//! `Arc<dyn TokenSource>` (after a `401` the token is refreshed once, see
//! [`crate::azure::auth::send_with_token`]). The answer's `Results` /
//! `results` become typed columns following `Schema` / `schema`
//! ([`results`]). Endpoints come from the cloud ([`AzureCloud`]) and can
//! be overridden ([`MdeConfig::endpoint`]), e.g. for a test server.
//!
//! The services return at most 100 000 rows: a result that size is marked
//! [`Completeness::Partial`], as is one cut by `max_rows`. A service error
//! (`{"error": {"code", "message"}}`) is an error carrying its code and
//! message; tokens never appear in errors or Debug output.
//!
//! Settings: `DataProviders.MicrosoftDefender` (MSTICPy's section; also
//! `MDATPApp`) with `Args: TenantId, ClientId, ClientSecret` (client
//! credentials), optional `Cloud`, and huntbook's `Api` (`MDE`, `M365D`,
//! `M365DGraph`), `ApiUrl`, `Scope`. Without `ClientSecret` the Azure
//! credential chain of the settings is used
//! ([`crate::azure::credential::credential_from_settings`]).
//!
//! ```no_run
//! use huntbook::prelude::*;
//! use huntbook::azure::auth::{AccessToken, StaticToken};
//! use huntbook::azure::cloud::AzureCloud;
//! use huntbook::data::drivers::mde::{DefenderApi, MdeConfig, MdeDriver};
//! use std::sync::Arc;
//! let token = Arc::new(StaticToken::new(AccessToken::new("eyJ…", None)));
//! let cfg = MdeConfig::new(DefenderApi::Graph, &AzureCloud::global());
//! let qp = QueryProvider::new(MdeDriver::new(cfg, token)?)?;
//! let df = qp.exec("DeviceProcessEvents | where Timestamp > ago(1h) | take 10")?;
//! # Ok::<(), huntbook::Error>(())
//! ```

pub mod results;

pub use results::{ColumnKind, HuntingOptions, HuntingResults};

use crate::azure::auth::{TokenSource, send_with_token};
use crate::azure::cloud::AzureCloud;
use crate::config::{ProviderSettings, Settings};
use crate::data::drivers::{
    BoxFuture, Completeness, Connection, Driver, QueryContext, QueryOutput,
};
use crate::data::query::Dialect;
use crate::enrich::ti::limit::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::net::http::{HttpClient, HttpOptions};
use std::sync::Arc;
use std::time::Duration;

/// The most rows the hunting APIs return for one query.
pub const SERVICE_ROW_LIMIT: usize = 100_000;

/// Which hunting API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DefenderApi {
    /// Defender for Endpoint advanced queries (MSTICPy's `MDE`/`MDATP`).
    #[default]
    Mde,
    /// Microsoft 365 Defender advanced hunting (`M365D`; deprecated by
    /// Microsoft in favour of Graph).
    M365d,
    /// Microsoft Graph security `runHuntingQuery` (`M365DGraph`).
    Graph,
}

impl DefenderApi {
    /// Parses MSTICPy's environment names: `MDE`, `MDATP`, `M365D`,
    /// `M365DGraph` (also `Graph`, `GraphHunting`), case-insensitively.
    pub fn parse(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "mde" | "mdatp" | "microsoftdefender" => Ok(Self::Mde),
            "m365d" => Ok(Self::M365d),
            "m365dgraph" | "graph" | "graphhunting" => Ok(Self::Graph),
            other => Err(Error::invalid(
                format!("Defender API '{other}'"),
                "expected MDE, M365D or M365DGraph",
            )),
        }
    }

    /// The name used in messages.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Mde => "MDE",
            Self::M365d => "M365D",
            Self::Graph => "M365DGraph",
        }
    }

    fn path(&self) -> &'static str {
        match self {
            Self::Mde => "api/advancedqueries/run",
            Self::M365d => "api/advancedhunting/run",
            Self::Graph => "v1.0/security/runHuntingQuery",
        }
    }
}

/// Where and how to reach a hunting API.
#[derive(Debug, Clone)]
pub struct MdeConfig {
    api: DefenderApi,
    endpoint: String,
    scope: String,
    http: HttpOptions,
    parallel: usize,
}

impl MdeConfig {
    /// The API's endpoint and token scope in `cloud`. HTTP defaults: a
    /// 5-minute timeout (hunting queries run up to 10 minutes server-side,
    /// raise it with [`Self::http_options`]) and answers up to 256 MiB.
    pub fn new(api: DefenderApi, cloud: &AzureCloud) -> Self {
        let endpoint = match api {
            DefenderApi::Mde => cloud.mde_endpoint(),
            DefenderApi::M365d => cloud.m365d_endpoint(),
            DefenderApi::Graph => cloud.graph_endpoint(),
        }
        .trim_end_matches('/')
        .to_string();
        Self {
            api,
            scope: format!("{endpoint}/.default"),
            endpoint,
            http: HttpOptions {
                timeout: Duration::from_secs(300),
                max_body_bytes: 256 << 20,
                ..HttpOptions::default()
            },
            parallel: 3,
        }
    }

    /// Sends queries to another base URL (the token scope is unchanged).
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = url.into().trim_end_matches('/').to_string();
        self
    }

    /// The token scope.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = scope.into();
        self
    }

    /// HTTP timeouts, retries and body limit.
    pub fn http_options(mut self, http: HttpOptions) -> Self {
        self.http = http;
        self
    }

    /// Queries (split chunks) run at once (default 3; the APIs allow few
    /// concurrent calls).
    pub fn max_parallel(mut self, n: usize) -> Self {
        self.parallel = n.max(1);
        self
    }

    /// The API.
    pub fn api(&self) -> DefenderApi {
        self.api
    }

    /// The query URL.
    pub fn query_url(&self) -> String {
        format!("{}/{}", self.endpoint, self.api.path())
    }

    /// The token scope.
    pub fn token_scope(&self) -> &str {
        &self.scope
    }

    /// The configuration and credential from settings (see the module docs).
    pub fn from_settings(settings: &Settings) -> Result<(Self, Arc<dyn TokenSource>)> {
        Self::from_settings_for(settings, None)
    }

    /// As [`MdeConfig::from_settings`], with the API named by the caller
    /// (the environment name `M365D` or `M365DGraph`) taking precedence
    /// over the `Api` setting.
    pub fn from_settings_for(
        settings: &Settings,
        api: Option<DefenderApi>,
    ) -> Result<(Self, Arc<dyn TokenSource>)> {
        let requested = api;
        let prov = ["MicrosoftDefender", "MDATPApp", "MDATP", "MDE", "M365D"]
            .iter()
            .find_map(|n| settings.provider("DataProviders", n));
        let cloud_name = prov.as_ref().and_then(|p| arg(p, &["Cloud", "cloud"]));
        let cloud = match &cloud_name {
            Some(c) => {
                let base = AzureCloud::from_settings(settings)?;
                let named = AzureCloud::from_name(c).map_err(|e| {
                    Error::invalid(
                        "setting DataProviders.MicrosoftDefender.Args.Cloud",
                        e.to_string(),
                    )
                })?;
                if named.name() == base.name() {
                    base
                } else {
                    named
                }
            }
            None => AzureCloud::from_settings(settings)?,
        };
        let api = match (
            requested,
            prov.as_ref()
                .and_then(|p| arg(p, &["Api", "api", "Environment"])),
        ) {
            (Some(a), _) => a,
            (None, Some(a)) => DefenderApi::parse(&a)?,
            (None, None) => DefenderApi::Mde,
        };
        let mut cfg = Self::new(api, &cloud);
        if let Some(p) = &prov {
            if let Some(u) = arg(p, &["ApiUrl", "api_url"]) {
                cfg = cfg.endpoint(u);
            }
            if let Some(s) = arg(p, &["Scope", "scope"]) {
                cfg = cfg.scope(s);
            }
        }
        let tokens: Arc<dyn TokenSource> = match &prov {
            Some(p) if p.secret("ClientSecret").is_ok() => {
                let at = |k: &str| format!("setting DataProviders.{}.Args.{k}", p.name);
                let tenant = arg(p, &["TenantId", "tenant_id"])
                    .ok_or_else(|| Error::invalid(at("TenantId"), "is not set"))?;
                let client = arg(p, &["ClientId", "client_id"])
                    .ok_or_else(|| Error::invalid(at("ClientId"), "is not set"))?;
                let secret = p.secret("ClientSecret")?.clone();
                Arc::new(crate::azure::credential::AzureCredential::client_secret(
                    cloud, &tenant, &client, secret,
                )?)
            }
            _ => crate::azure::credential::credential_from_settings(settings)?,
        };
        Ok((cfg, tokens))
    }
}

fn arg(p: &ProviderSettings, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|k| p.arg(k))
        .filter(|v| !v.trim().is_empty())
}

/// The Defender / Graph hunting driver (see the module docs).
#[derive(Debug)]
pub struct MdeDriver {
    config: MdeConfig,
    tokens: Arc<dyn TokenSource>,
    client: HttpClient,
}

impl MdeDriver {
    /// A driver with the system clock.
    pub fn new(config: MdeConfig, tokens: Arc<dyn TokenSource>) -> Result<Self> {
        Self::with_clock(config, tokens, Arc::new(SystemClock::new()))
    }

    /// A driver whose retry waits use `clock`.
    pub fn with_clock(
        config: MdeConfig,
        tokens: Arc<dyn TokenSource>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        let client = HttpClient::new(config.http.clone(), clock)?;
        Ok(Self {
            config,
            tokens,
            client,
        })
    }

    /// A driver from the settings (see [`MdeConfig::from_settings`]).
    pub fn from_settings(settings: &Settings) -> Result<Self> {
        Self::from_settings_for(settings, None)
    }

    /// A driver from the settings for the API a caller names (see
    /// [`MdeConfig::from_settings_for`]).
    pub fn from_settings_for(settings: &Settings, api: Option<DefenderApi>) -> Result<Self> {
        let (cfg, tokens) = MdeConfig::from_settings_for(settings, api)?;
        Self::new(cfg, tokens)
    }

    /// The configuration.
    pub fn config(&self) -> &MdeConfig {
        &self.config
    }

    /// Runs one hunting query.
    pub async fn hunt(&self, query: &str, ctx: &QueryContext) -> Result<QueryOutput> {
        let what = format!("{} hunting query", self.config.api.as_str());
        let url = self.config.query_url();
        let body = serde_json::json!({ "Query": query });
        let reply = send_with_token(
            &self.client,
            self.tokens.as_ref(),
            &self.config.scope,
            &what,
            |c| c.post(url.as_str()).json(&body),
        )
        .await?;
        if !reply.is_success() {
            return Err(Error::Runtime(format!(
                "{what}: HTTP {}: {}",
                reply.status,
                service_error(&reply.text())
            )));
        }
        let r = HuntingResults::parse_with(
            &reply.bytes,
            &HuntingOptions::new().max_rows(ctx.max_rows),
            &what,
        )?;
        drop(reply);
        let mut partial = Vec::new();
        let kept = r.df().height();
        if r.rows_in_answer > kept {
            partial.push(format!(
                "row limit {}: {kept} of {} rows kept",
                ctx.max_rows.unwrap_or(kept),
                r.rows_in_answer
            ));
        }
        if r.rows_in_answer >= SERVICE_ROW_LIMIT {
            partial.push(format!(
                "the service returns at most {SERVICE_ROW_LIMIT} rows: narrow the time range or use split_by"
            ));
        }
        let warnings = r.warnings.clone();
        Ok(QueryOutput {
            df: r.into_df(),
            completeness: if partial.is_empty() {
                Completeness::Complete
            } else {
                Completeness::Partial {
                    reason: partial.join("; "),
                }
            },
            warnings,
        })
    }
}

/// The `error.code` and `error.message` of a service error body (or the
/// start of the body).
fn service_error(body: &str) -> String {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(body)
        && let Some(e) = v.get("error")
    {
        let code = e.get("code").and_then(|c| c.as_str()).unwrap_or("");
        let msg = e
            .get("message")
            .and_then(|c| c.as_str())
            .map(String::from)
            .unwrap_or_else(|| e.to_string());
        return if code.is_empty() {
            msg
        } else {
            format!("{code}: {msg}")
        };
    }
    let t: String = body.trim().chars().take(200).collect();
    if t.is_empty() {
        "(empty answer)".into()
    } else {
        t
    }
}

impl Driver for MdeDriver {
    fn environment(&self) -> &str {
        "MDE"
    }

    fn dialect(&self) -> Dialect {
        Dialect::Kql
    }

    fn connect<'a>(&'a self, _connection: &'a Connection) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.tokens.token(&self.config.scope).await?;
            Ok(())
        })
    }

    fn execute<'a>(
        &'a self,
        query: &'a str,
        context: &'a QueryContext,
    ) -> BoxFuture<'a, Result<QueryOutput>> {
        Box::pin(self.hunt(query, context))
    }

    fn max_parallel(&self) -> usize {
        self.config.parallel
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_scopes_per_api_and_cloud() {
        let g = AzureCloud::global();
        let m = MdeConfig::new(DefenderApi::Mde, &g);
        assert_eq!(
            m.query_url(),
            "https://api.securitycenter.microsoft.com/api/advancedqueries/run"
        );
        assert_eq!(
            m.token_scope(),
            "https://api.securitycenter.microsoft.com/.default"
        );
        assert_eq!(
            MdeConfig::new(DefenderApi::M365d, &g).query_url(),
            "https://api.security.microsoft.com/api/advancedhunting/run"
        );
        let gr = MdeConfig::new(DefenderApi::Graph, &AzureCloud::us_gov());
        assert_eq!(
            gr.query_url(),
            "https://graph.microsoft.us/v1.0/security/runHuntingQuery"
        );
        assert_eq!(gr.token_scope(), "https://graph.microsoft.us/.default");
        let local = gr.endpoint("http://127.0.0.1:9/");
        assert_eq!(
            local.query_url(),
            "http://127.0.0.1:9/v1.0/security/runHuntingQuery"
        );
        assert_eq!(local.token_scope(), "https://graph.microsoft.us/.default");
        assert_eq!(
            DefenderApi::parse("m365dgraph").unwrap(),
            DefenderApi::Graph
        );
        assert!(DefenderApi::parse("x").is_err());
    }

    #[test]
    fn service_errors() {
        assert_eq!(
            service_error(r#"{"error":{"code":"BadRequest","message":"Syntax error"}}"#),
            "BadRequest: Syntax error"
        );
        assert_eq!(service_error(""), "(empty answer)");
    }
}
