//! The Azure AD credential chain: [`AzureCredential`].
//!
//! Methods are tried in the order of `Azure.auth_methods` (MSTICPy's
//! setting and names); the first that gives a token wins and is tried first
//! next time. Tokens are cached per scope and fetched again
//! [`REFRESH_MARGIN`] before they expire, or after
//! [`TokenSource::invalidate`] (a `401`).
//!
//! | method | what it does |
//! |---|---|
//! | `env` | client credentials from `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET` (as azure-identity's `EnvironmentCredential`; MSTICPy fills them from `DataProviders.AzureCLI.Args`, and so does huntbook) |
//! | `clientsecret` | client credentials with the configured tenant, client id and secret: `POST {authority}/{tenant}/oauth2/v2.0/token` |
//! | `cli` | runs `az account get-access-token --scope … -o json` when `az` is on `PATH` |
//! | `msi` | managed identity: App Service's `IDENTITY_ENDPOINT`/`IDENTITY_HEADER`, else the instance metadata service (IMDS) |
//! | `devicecode` | prints the verification URL and code to stderr, then polls the token endpoint |
//! | `interactive` | MSTICPy opens a browser; a notebook kernel cannot, so huntbook uses the device code flow |
//!
//! `vscode`, `powershell` and `certificate` are recognised and reported as
//! not supported. When every method fails, the error lists each method and
//! why (never a secret).
//!
//! ```
//! use huntbook::azure::credential::{AuthMethod, AzureCredential};
//! use huntbook::config::Settings;
//! let s = Settings::from_yaml_str("
//! Azure:
//!   cloud: usgov
//!   auth_methods: [cli, clientsecret]
//! DataProviders:
//!   AzureCLI:
//!     Args:
//!       tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db49
//!       clientId: 1d4b6c8a-0000-0000-0000-000000000000
//!       clientSecret: not-shown
//! ", "demo")?;
//! let cred = AzureCredential::from_settings(&s)?;
//! assert_eq!(cred.methods(), &[AuthMethod::Cli, AuthMethod::ClientSecret]);
//! assert_eq!(cred.cloud().authority_host(), "https://login.microsoftonline.us");
//! assert!(!format!("{cred:?} {cred}").contains("not-shown"));
//! # Ok::<(), huntbook::Error>(())
//! ```

mod flows;

use super::auth::{AccessToken, BoxFuture, TokenSource};
use super::cloud::AzureCloud;
use crate::config::{Secret, Settings};
use crate::enrich::ti::limit::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::net::http::{HttpClient, HttpOptions};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use flows::{DeviceCodePrompt, parse_az_cli_token, parse_token_response};

/// A cached token is fetched again this long before it expires.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// The public client id of the Azure CLI, used for the device code flow
/// when no client id is configured (as azure-identity does).
pub const AZURE_CLI_CLIENT_ID: &str = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

/// The instance metadata service's token endpoint.
pub const IMDS_ENDPOINT: &str = "http://169.254.169.254/metadata/identity/oauth2/token";

/// Characters escaped in a URL path segment (a tenant, workspace or
/// database name): everything but letters, digits and `-._~`.
pub const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// MSTICPy's default `auth_methods`.
pub const DEFAULT_AUTH_METHODS: &[&str] = &["env", "cli", "msi", "interactive"];

/// One way of getting a token (MSTICPy's `auth_methods` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthMethod {
    /// `env`: client credentials from `AZURE_*` environment variables.
    Env,
    /// `cli`: the Azure CLI's cached login.
    Cli,
    /// `msi`: managed identity.
    Msi,
    /// `devicecode` (and `interactive`): the device code flow.
    DeviceCode,
    /// `clientsecret`: client credentials from the settings.
    ClientSecret,
    /// A MSTICPy method huntbook does not offer (`vscode`, `powershell`,
    /// `certificate`): reported as failed with the reason.
    Unsupported(&'static str),
}

impl AuthMethod {
    /// Parses a MSTICPy method name (case-insensitive).
    pub fn parse(name: &str) -> Result<Self> {
        Ok(match name.trim().to_ascii_lowercase().as_str() {
            "env" | "environment" => Self::Env,
            "cli" | "azurecli" => Self::Cli,
            "msi" | "managedidentity" => Self::Msi,
            "devicecode" | "device_code" | "interactive" => Self::DeviceCode,
            "clientsecret" | "client_secret" => Self::ClientSecret,
            "vscode" => Self::Unsupported("vscode"),
            "powershell" => Self::Unsupported("powershell"),
            "certificate" | "cert" => Self::Unsupported("certificate"),
            other => {
                return Err(Error::invalid(
                    format!("Azure auth method '{other}'"),
                    "expected env, cli, msi, devicecode, interactive or clientsecret",
                ));
            }
        })
    }

    /// The method's name in reports.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Env => "env",
            Self::Cli => "cli",
            Self::Msi => "msi",
            Self::DeviceCode => "devicecode",
            Self::ClientSecret => "clientsecret",
            Self::Unsupported(n) => n,
        }
    }
}

impl fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The Azure AD credential chain (see the module docs). Cheap to clone:
/// clones share the token cache.
#[derive(Clone)]
pub struct AzureCredential {
    cfg: Arc<Config>,
    state: Arc<State>,
}

/// Everything configured (read-only once built).
struct Config {
    cloud: AzureCloud,
    methods: Vec<AuthMethod>,
    tenant_id: Option<String>,
    client_id: Option<String>,
    client_secret: Option<Secret>,
    http: HttpClient,
    probe_http: HttpClient,
    clock: Arc<dyn Clock>,
    az_command: String,
    az_timeout: Duration,
    imds_endpoint: String,
    identity_endpoint: Option<(String, Secret)>,
    env: Option<BTreeMap<String, String>>,
    prompt: DeviceCodePrompt,
    device_code_max_wait: Duration,
}

#[derive(Default)]
struct State {
    cache: Mutex<HashMap<String, AccessToken>>,
    preferred: Mutex<Option<AuthMethod>>,
    refresh_token: Mutex<Option<String>>,
    fetch: futures::lock::Mutex<()>,
}

impl fmt::Debug for AzureCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.cfg;
        f.debug_struct("AzureCredential")
            .field("cloud", &c.cloud.name())
            .field("authority_host", &c.cloud.authority_host())
            .field("methods", &c.methods)
            .field("tenant_id", &c.tenant_id)
            .field("client_id", &c.client_id)
            .field("client_secret", &c.client_secret)
            .field("cached_scopes", &self.cached_scopes())
            .finish()
    }
}

impl fmt::Display for AzureCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let methods: Vec<&str> = self.cfg.methods.iter().map(|m| m.as_str()).collect();
        write!(
            f,
            "AzureCredential(cloud {}, tenant {}, methods [{}])",
            self.cfg.cloud.name(),
            self.cfg.tenant_id.as_deref().unwrap_or("organizations"),
            methods.join(", ")
        )
    }
}

/// Builds an [`AzureCredential`] (all options have defaults).
#[derive(Debug, Clone)]
pub struct AzureCredentialBuilder {
    cloud: AzureCloud,
    methods: Vec<AuthMethod>,
    tenant_id: Option<String>,
    client_id: Option<String>,
    client_secret: Option<Secret>,
    http: Option<HttpClient>,
    clock: Option<Arc<dyn Clock>>,
    az_command: String,
    az_timeout: Duration,
    imds_endpoint: String,
    identity_endpoint: Option<(String, Secret)>,
    env: Option<BTreeMap<String, String>>,
    prompt: DeviceCodePrompt,
    device_code_max_wait: Duration,
}

impl Default for AzureCredentialBuilder {
    fn default() -> Self {
        Self {
            cloud: AzureCloud::global(),
            methods: DEFAULT_AUTH_METHODS
                .iter()
                .filter_map(|m| AuthMethod::parse(m).ok())
                .collect(),
            tenant_id: None,
            client_id: None,
            client_secret: None,
            http: None,
            clock: None,
            az_command: "az".into(),
            az_timeout: Duration::from_secs(60),
            imds_endpoint: IMDS_ENDPOINT.into(),
            identity_endpoint: None,
            env: None,
            prompt: DeviceCodePrompt::Stderr,
            device_code_max_wait: Duration::from_secs(900),
        }
    }
}

impl AzureCredentialBuilder {
    /// The cloud (endpoints).
    pub fn cloud(mut self, cloud: AzureCloud) -> Self {
        self.cloud = cloud;
        self
    }
    /// The methods, in order.
    pub fn methods(mut self, methods: impl IntoIterator<Item = AuthMethod>) -> Self {
        self.methods = methods.into_iter().collect();
        self
    }
    /// The tenant (`organizations` when unset).
    pub fn tenant_id(mut self, tenant: impl Into<String>) -> Self {
        self.tenant_id = Some(tenant.into()).filter(|t: &String| !t.trim().is_empty());
        self
    }
    /// The application (client) id.
    pub fn client_id(mut self, id: impl Into<String>) -> Self {
        self.client_id = Some(id.into()).filter(|t: &String| !t.trim().is_empty());
        self
    }
    /// The client secret (for `clientsecret`).
    pub fn client_secret(mut self, secret: Secret) -> Self {
        self.client_secret = Some(secret);
        self
    }
    /// The HTTP client for the token endpoints.
    pub fn http_client(mut self, http: HttpClient) -> Self {
        self.http = Some(http);
        self
    }
    /// The clock for device-code polling waits (tests use a manual clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }
    /// The Azure CLI command (default `az`, looked up on `PATH`).
    pub fn az_command(mut self, command: impl Into<String>) -> Self {
        self.az_command = command.into();
        self
    }
    /// The IMDS token endpoint (default [`IMDS_ENDPOINT`]).
    pub fn imds_endpoint(mut self, url: impl Into<String>) -> Self {
        self.imds_endpoint = url.into();
        self
    }
    /// App Service's identity endpoint and header (default: the
    /// `IDENTITY_ENDPOINT` and `IDENTITY_HEADER` environment variables).
    pub fn identity_endpoint(mut self, url: impl Into<String>, header: Secret) -> Self {
        self.identity_endpoint = Some((url.into(), header));
        self
    }
    /// Environment variables to read instead of the process's (for `env`,
    /// `msi`): lets tests and notebooks avoid changing the process.
    pub fn env_vars(mut self, vars: BTreeMap<String, String>) -> Self {
        self.env = Some(vars);
        self
    }
    /// Where the device code message goes (default stderr).
    pub fn device_code_prompt(mut self, prompt: DeviceCodePrompt) -> Self {
        self.prompt = prompt;
        self
    }
    /// The longest the device code flow waits for the user (default 15 min;
    /// the code's own `expires_in` also ends it).
    pub fn device_code_max_wait(mut self, d: Duration) -> Self {
        self.device_code_max_wait = d;
        self
    }

    /// The credential.
    pub fn build(self) -> Result<AzureCredential> {
        let clock: Arc<dyn Clock> = self.clock.unwrap_or_else(|| Arc::new(SystemClock::new()));
        let http = match self.http {
            Some(h) => h,
            None => HttpClient::new(HttpOptions::default(), clock.clone())?,
        };
        // IMDS is probed: off Azure the address does not answer, so the
        // probe gives up fast instead of holding the chain for 30 s.
        let probe_http = HttpClient::new(
            HttpOptions {
                timeout: Duration::from_secs(3).min(http.options().timeout),
                retries: 0,
                ..http.options().clone()
            },
            clock.clone(),
        )?;
        if self.methods.is_empty() {
            return Err(Error::invalid(
                "Azure auth methods",
                "the list is empty; give at least one of env, cli, msi, devicecode, clientsecret",
            ));
        }
        Ok(AzureCredential {
            cfg: Arc::new(Config {
                cloud: self.cloud,
                methods: self.methods,
                tenant_id: self.tenant_id,
                client_id: self.client_id,
                client_secret: self.client_secret,
                http,
                probe_http,
                clock,
                az_command: self.az_command,
                az_timeout: self.az_timeout,
                imds_endpoint: self.imds_endpoint,
                identity_endpoint: self.identity_endpoint,
                env: self.env,
                prompt: self.prompt,
                device_code_max_wait: self.device_code_max_wait,
            }),
            state: Arc::new(State::default()),
        })
    }
}

fn provider_text(p: &crate::config::ProviderSettings, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|k| p.arg(k))
        .filter(|s| !s.trim().is_empty())
}

impl AzureCredential {
    /// A builder with MSTICPy's defaults (global cloud, methods
    /// `env, cli, msi, interactive`).
    pub fn builder() -> AzureCredentialBuilder {
        AzureCredentialBuilder::default()
    }

    /// Client credentials only (tenant, client id, secret).
    pub fn client_secret(
        cloud: AzureCloud,
        tenant_id: &str,
        client_id: &str,
        secret: Secret,
    ) -> Result<Self> {
        Self::builder()
            .cloud(cloud)
            .methods([AuthMethod::ClientSecret])
            .tenant_id(tenant_id)
            .client_id(client_id)
            .client_secret(secret)
            .build()
    }

    /// The builder as configured by the settings: `Azure.cloud`,
    /// `Azure.auth_methods`, the tenant (`Azure.tenant_id`, else
    /// `DataProviders.AzureCLI.Args.tenantId`, else the default
    /// workspace's `TenantId`), client id and secret
    /// (`DataProviders.AzureCLI.Args.clientId` / `clientSecret`), and
    /// `Azure.imds_endpoint` / `Azure.az_command` overrides.
    pub fn builder_from_settings(settings: &Settings) -> Result<AzureCredentialBuilder> {
        let mut b = Self::builder().cloud(AzureCloud::from_settings(settings)?);
        if let Some(v) = settings.get("Azure.auth_methods") {
            let names: Vec<String> = match v {
                serde_yaml::Value::Sequence(items) => items
                    .iter()
                    .filter_map(|i| i.as_str().map(String::from))
                    .collect(),
                serde_yaml::Value::String(s) => s.split(',').map(|x| x.to_string()).collect(),
                _ => {
                    return Err(Error::invalid(
                        "setting Azure.auth_methods",
                        "must be a list of method names",
                    ));
                }
            };
            let methods = names
                .iter()
                .filter(|n| !n.trim().is_empty())
                .map(|n| AuthMethod::parse(n))
                .collect::<Result<Vec<_>>>()
                .map_err(|e| Error::invalid("setting Azure.auth_methods", e.to_string()))?;
            b = b.methods(methods);
        }
        let str_at = |path: &str| {
            settings
                .get(path)
                .and_then(|v| v.as_str())
                .map(String::from)
                .filter(|s| !s.trim().is_empty())
        };
        let cli = settings.provider("DataProviders", "AzureCLI");
        let tenant = str_at("Azure.tenant_id")
            .or_else(|| {
                cli.as_ref()
                    .and_then(|p| provider_text(p, &["tenantId", "TenantId"]))
            })
            .or_else(|| {
                settings
                    .workspace(None)
                    .ok()
                    .map(|w| w.tenant_id)
                    .filter(|t| !t.is_empty())
            });
        if let Some(t) = tenant {
            b = b.tenant_id(t);
        }
        if let Some(p) = &cli {
            if let Some(id) = provider_text(p, &["clientId", "ClientId"]) {
                b = b.client_id(id);
            }
            for k in ["clientSecret", "ClientSecret"] {
                if let Ok(s) = p.secret(k) {
                    b = b.client_secret(s.clone());
                    break;
                }
            }
        }
        if let Some(u) = str_at("Azure.imds_endpoint") {
            b = b.imds_endpoint(u);
        }
        if let Some(c) = str_at("Azure.az_command") {
            b = b.az_command(c);
        }
        Ok(b)
    }

    /// The credential the settings describe (see [`Self::builder_from_settings`]).
    pub fn from_settings(settings: &Settings) -> Result<Self> {
        Self::builder_from_settings(settings)?.build()
    }

    /// The cloud.
    pub fn cloud(&self) -> &AzureCloud {
        &self.cfg.cloud
    }

    /// The methods, in the order tried.
    pub fn methods(&self) -> &[AuthMethod] {
        &self.cfg.methods
    }

    /// The tenant, when configured.
    pub fn tenant_id(&self) -> Option<&str> {
        self.cfg.tenant_id.as_deref()
    }

    /// The scopes with a cached token.
    pub fn cached_scopes(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .state
            .cache
            .lock()
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default();
        v.sort();
        v
    }

    /// The method that gave the last token, when one did.
    pub fn last_method(&self) -> Option<AuthMethod> {
        self.state.preferred.lock().ok().and_then(|p| *p)
    }

    fn cached(&self, scope: &str) -> Option<AccessToken> {
        let cache = self.state.cache.lock().ok()?;
        cache
            .get(scope)
            .filter(|t| t.is_fresh(REFRESH_MARGIN))
            .cloned()
    }

    /// A token for `scope`, from the cache or the chain.
    pub async fn get_token(&self, scope: &str) -> Result<AccessToken> {
        if let Some(t) = self.cached(scope) {
            return Ok(t);
        }
        // One fetch at a time: two cells asking at once must not start two
        // device code prompts.
        let _guard = self.state.fetch.lock().await;
        if let Some(t) = self.cached(scope) {
            return Ok(t);
        }
        // The flows run on a thread with a runtime of this copy of the
        // crate: a credential made in one notebook cell is used from the
        // next, whose tokio cannot drive this copy's timers.
        let (cfg, state, scope_owned) = (self.cfg.clone(), self.state.clone(), scope.to_string());
        let (tx, rx) = futures::channel::oneshot::channel();
        std::thread::Builder::new()
            .name("huntbook-aad".into())
            .spawn(move || {
                let out = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt.block_on(run_chain(cfg, state, scope_owned)),
                    Err(e) => Err(Error::Runtime(format!(
                        "could not start the authentication runtime: {e}"
                    ))),
                };
                let _ = tx.send(out);
            })
            .map_err(|e| {
                Error::Runtime(format!("could not start the authentication thread: {e}"))
            })?;
        rx.await.unwrap_or_else(|_| {
            Err(Error::Runtime(
                "the authentication thread ended without an answer".into(),
            ))
        })
    }
}

async fn run_chain(cfg: Arc<Config>, state: Arc<State>, scope: String) -> Result<AccessToken> {
    let mut order = cfg.methods.clone();
    let preferred = state.preferred.lock().ok().and_then(|p| *p);
    if let Some(p) = preferred
        && let Some(i) = order.iter().position(|m| *m == p)
    {
        let m = order.remove(i);
        order.insert(0, m);
    }
    let mut failures = Vec::new();
    for method in order {
        match flows::acquire(&cfg, &state, method, &scope).await {
            Ok(t) => {
                if let Ok(mut c) = state.cache.lock() {
                    c.insert(scope.clone(), t.clone());
                }
                if let Ok(mut p) = state.preferred.lock() {
                    *p = Some(method);
                }
                return Ok(t);
            }
            Err(e) => failures.push(format!("{method}: {}", strip_kind(&e))),
        }
    }
    Err(Error::Runtime(format!(
        "Azure AD authentication failed for scope '{scope}'; tried {}",
        failures.join("; ")
    )))
}

/// An error's text without the "async runtime: " kind prefix.
fn strip_kind(e: &Error) -> String {
    match e {
        Error::Runtime(m) => m.clone(),
        other => other.to_string(),
    }
}

impl TokenSource for AzureCredential {
    fn token<'a>(&'a self, scope: &'a str) -> BoxFuture<'a, Result<AccessToken>> {
        Box::pin(self.get_token(scope))
    }

    fn invalidate(&self, scope: &str) {
        if let Ok(mut c) = self.state.cache.lock() {
            c.remove(scope);
        }
    }
}

/// The credential the settings describe, as the `TokenSource` every
/// Microsoft driver and Azure API takes.
pub fn credential_from_settings(settings: &Settings) -> Result<Arc<dyn TokenSource>> {
    Ok(Arc::new(AzureCredential::from_settings(settings)?))
}

/// Where the Azure CLI would be found: `command` itself when it names a
/// path, else the first match on `PATH`.
pub fn find_on_path(command: &str) -> Option<PathBuf> {
    let p = PathBuf::from(command);
    if p.components().count() > 1 {
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| {
            let mut c = vec![d.join(command)];
            if cfg!(windows) {
                c.push(d.join(format!("{command}.cmd")));
                c.push(d.join(format!("{command}.exe")));
            }
            c
        })
        .find(|c| c.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_parse_and_report() {
        assert_eq!(
            AuthMethod::parse("Interactive").unwrap(),
            AuthMethod::DeviceCode
        );
        assert_eq!(
            AuthMethod::parse("vscode").unwrap(),
            AuthMethod::Unsupported("vscode")
        );
        assert_eq!(
            AuthMethod::parse("kerberos").unwrap_err().to_string(),
            "invalid Azure auth method 'kerberos': expected env, cli, msi, devicecode, interactive or clientsecret"
        );
    }

    #[test]
    fn settings_pick_tenant_from_workspace() {
        let s = Settings::from_yaml_str(
            "AzureSentinel:\n  Workspaces:\n    Default:\n      WorkspaceId: w\n      TenantId: t-1\n",
            "t",
        )
        .unwrap();
        let c = AzureCredential::from_settings(&s).unwrap();
        assert_eq!(c.tenant_id(), Some("t-1"));
        assert_eq!(
            c.methods(),
            &[
                AuthMethod::Env,
                AuthMethod::Cli,
                AuthMethod::Msi,
                AuthMethod::DeviceCode
            ]
        );
        assert_eq!(
            c.to_string(),
            "AzureCredential(cloud global, tenant t-1, methods [env, cli, msi, devicecode])"
        );
        let bad = Settings::from_yaml_str("Azure:\n  auth_methods: [cli, nope]\n", "t").unwrap();
        assert!(
            AzureCredential::from_settings(&bad)
                .unwrap_err()
                .to_string()
                .starts_with(
                    "invalid setting Azure.auth_methods: invalid Azure auth method 'nope'"
                )
        );
    }
}
