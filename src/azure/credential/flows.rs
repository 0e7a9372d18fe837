//! The token flows of the credential chain: client credentials, device
//! code (with refresh tokens), Azure CLI and managed identity.

use super::{AZURE_CLI_CLIENT_ID, AuthMethod, Config, State};
use crate::azure::auth::AccessToken;
use crate::error::{Error, Result};
use crate::net::http::HttpReply;
use serde_json::Value;
use std::fmt;
use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Where the device code flow shows its message ("To sign in, use a web
/// browser to open the page … and enter the code …").
#[derive(Clone, Default)]
pub enum DeviceCodePrompt {
    /// Printed to stderr (a notebook shows it under the cell).
    #[default]
    Stderr,
    /// Handed to a function (tests, widgets).
    Callback(Arc<dyn Fn(&str) + Send + Sync>),
}

impl fmt::Debug for DeviceCodePrompt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Stderr => f.write_str("Stderr"),
            Self::Callback(_) => f.write_str("Callback"),
        }
    }
}

impl DeviceCodePrompt {
    fn show(&self, message: &str) {
        match self {
            Self::Stderr => eprintln!("{message}"),
            Self::Callback(f) => f(message),
        }
    }
}

fn env_var(cfg: &Config, name: &str) -> Option<String> {
    let v = match &cfg.env {
        Some(map) => map.get(name).cloned(),
        None => std::env::var(name).ok(),
    };
    v.filter(|s| !s.trim().is_empty())
}

fn tenant(cfg: &Config) -> &str {
    cfg.tenant_id.as_deref().unwrap_or("organizations")
}

fn token_url(cfg: &Config, tenant: &str, what: &str) -> String {
    format!(
        "{}/{}/oauth2/v2.0/{what}",
        cfg.cloud.authority_host(),
        percent_encoding::utf8_percent_encode(tenant, crate::azure::credential::PATH_SEGMENT)
    )
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

async fn post_form(cfg: &Config, url: &str, body: String, what: &str) -> Result<HttpReply> {
    cfg.http
        .send(|c| {
            c.post(url)
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(body.clone())
        })
        .await
        .map_err(|f| Error::Runtime(format!("{what}: {f}")))
}

fn epoch(secs: f64) -> Option<SystemTime> {
    (secs.is_finite() && secs > 0.0).then(|| UNIX_EPOCH + Duration::from_secs_f64(secs))
}

fn number(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Parses a token endpoint answer (Azure AD's `access_token` with
/// `expires_in`, or managed identity's `expires_on` seconds since the
/// epoch) into the token and the refresh token, if any. `what` names the
/// endpoint in errors; an AAD error (`error`, `error_description`) becomes
/// the message. The token itself never appears in an error.
///
/// ```
/// use huntbook::azure::credential::parse_token_response;
/// let (t, refresh) = parse_token_response(
///     br#"{"token_type":"Bearer","expires_in":3599,"access_token":"eyJ0.x.y"}"#, "token")?;
/// assert_eq!(t.secret(), "eyJ0.x.y");
/// assert!(refresh.is_none());
/// # Ok::<(), huntbook::Error>(())
/// ```
pub fn parse_token_response(body: &[u8], what: &str) -> Result<(AccessToken, Option<String>)> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| Error::Runtime(format!("{what}: malformed JSON in the answer: {e}")))?;
    if let Some(err) = v.get("error") {
        return Err(Error::Runtime(format!(
            "{what}: {}",
            aad_error_text(&v, err)
        )));
    }
    let Some(secret) = v.get("access_token").and_then(Value::as_str) else {
        return Err(Error::Runtime(format!(
            "{what}: the answer has no access_token"
        )));
    };
    let expires = number(v.get("expires_on"))
        .and_then(epoch)
        .or_else(|| number(v.get("expires_in")).map(|s| SystemTime::now() + secs(s)));
    let refresh = v
        .get("refresh_token")
        .and_then(Value::as_str)
        .map(String::from);
    Ok((AccessToken::new(secret, expires), refresh))
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(if s.is_finite() && s > 0.0 { s } else { 0.0 })
}

fn aad_error_text(v: &Value, err: &Value) -> String {
    let code = match err {
        Value::String(s) => s.clone(),
        // IMDS and ARM style: {"error": {"code": .., "message": ..}}
        Value::Object(o) => {
            let c = o.get("code").and_then(Value::as_str).unwrap_or("error");
            match o.get("message").and_then(Value::as_str) {
                Some(m) => return format!("{c}: {}", first_line(m)),
                None => c.to_string(),
            }
        }
        other => other.to_string(),
    };
    match v.get("error_description").and_then(Value::as_str) {
        Some(d) => format!("{code}: {}", first_line(d)),
        None => code,
    }
}

fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    let mut out: String = line.chars().take(300).collect();
    if line.chars().count() > 300 {
        out.push('…');
    }
    out
}

fn reply_error(reply: &HttpReply, what: &str) -> Error {
    match serde_json::from_slice::<Value>(&reply.bytes) {
        Ok(v) if v.get("error").is_some() => Error::Runtime(format!(
            "{what}: HTTP {}: {}",
            reply.status,
            aad_error_text(&v, v.get("error").unwrap_or(&Value::Null))
        )),
        _ => Error::Runtime(format!(
            "{what}: HTTP {}: {}",
            reply.status,
            first_line(&reply.text())
        )),
    }
}

/// Runs one method for `scope`.
pub(super) async fn acquire(
    cfg: &Config,
    state: &State,
    method: AuthMethod,
    scope: &str,
) -> Result<AccessToken> {
    match method {
        AuthMethod::Env => {
            let (Some(t), Some(id), Some(secret)) = (
                env_var(cfg, "AZURE_TENANT_ID").or_else(|| cfg.tenant_id.clone()),
                env_var(cfg, "AZURE_CLIENT_ID"),
                env_var(cfg, "AZURE_CLIENT_SECRET"),
            ) else {
                return Err(Error::Runtime(
                    "AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET are not all set"
                        .into(),
                ));
            };
            client_credentials(cfg, &t, &id, &secret, scope).await
        }
        AuthMethod::ClientSecret => {
            let (Some(id), Some(secret)) = (&cfg.client_id, &cfg.client_secret) else {
                return Err(Error::Runtime(
                    "no client id and client secret configured (DataProviders.AzureCLI.Args clientId/clientSecret)".into(),
                ));
            };
            let Some(t) = &cfg.tenant_id else {
                return Err(Error::Runtime("no tenant id configured".into()));
            };
            let secret = secret.expose()?;
            client_credentials(cfg, t, id, &secret, scope).await
        }
        AuthMethod::DeviceCode => {
            let rt = state.refresh_token.lock().ok().and_then(|r| r.clone());
            if let Some(rt) = rt
                && let Ok(t) = refresh(cfg, state, &rt, scope).await
            {
                return Ok(t);
            }
            device_code(cfg, state, scope).await
        }
        AuthMethod::Cli => az_cli(cfg, scope).await,
        AuthMethod::Msi => managed_identity(cfg, scope).await,
        AuthMethod::Unsupported(name) => Err(Error::Runtime(format!(
            "the '{name}' method is not supported by huntbook (use cli, devicecode, clientsecret, env or msi)"
        ))),
    }
}

async fn client_credentials(
    cfg: &Config,
    tenant: &str,
    client_id: &str,
    secret: &str,
    scope: &str,
) -> Result<AccessToken> {
    let what = "client credentials token request";
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        ("client_secret", secret),
        ("scope", scope),
    ]);
    let reply = post_form(cfg, &token_url(cfg, tenant, "token"), body, what).await?;
    if !reply.is_success() {
        return Err(reply_error(&reply, what));
    }
    Ok(parse_token_response(&reply.bytes, what)?.0)
}

async fn refresh(cfg: &Config, state: &State, rt: &str, scope: &str) -> Result<AccessToken> {
    let what = "refresh token request";
    let client_id = cfg.client_id.as_deref().unwrap_or(AZURE_CLI_CLIENT_ID);
    let full_scope = format!("{scope} offline_access");
    let body = form(&[
        ("grant_type", "refresh_token"),
        ("client_id", client_id),
        ("refresh_token", rt),
        ("scope", &full_scope),
    ]);
    let reply = post_form(cfg, &token_url(cfg, tenant(cfg), "token"), body, what).await?;
    if !reply.is_success() {
        return Err(reply_error(&reply, what));
    }
    let (t, new_rt) = parse_token_response(&reply.bytes, what)?;
    if let (Some(r), Ok(mut slot)) = (new_rt, state.refresh_token.lock()) {
        *slot = Some(r);
    }
    Ok(t)
}

async fn device_code(cfg: &Config, state: &State, scope: &str) -> Result<AccessToken> {
    let what = "device code request";
    let client_id = cfg.client_id.as_deref().unwrap_or(AZURE_CLI_CLIENT_ID);
    let full_scope = format!("{scope} offline_access");
    let body = form(&[("client_id", client_id), ("scope", &full_scope)]);
    let reply = post_form(cfg, &token_url(cfg, tenant(cfg), "devicecode"), body, what).await?;
    if !reply.is_success() {
        return Err(reply_error(&reply, what));
    }
    let v = reply.json(what)?;
    let Some(code) = v.get("device_code").and_then(Value::as_str) else {
        return Err(Error::Runtime(format!(
            "{what}: the answer has no device_code"
        )));
    };
    let message = match v.get("message").and_then(Value::as_str) {
        Some(m) => m.to_string(),
        None => format!(
            "To sign in, use a web browser to open the page {} and enter the code {} to authenticate.",
            v.get("verification_uri")
                .and_then(Value::as_str)
                .unwrap_or("(no verification_uri)"),
            v.get("user_code").and_then(Value::as_str).unwrap_or("?")
        ),
    };
    cfg.prompt.show(&message);
    let mut interval = secs(number(v.get("interval")).unwrap_or(5.0));
    let limit = secs(number(v.get("expires_in")).unwrap_or(900.0)).min(cfg.device_code_max_wait);
    let mut waited = Duration::ZERO;
    let what = "device code token polling";
    loop {
        if waited >= limit {
            return Err(Error::Runtime(format!(
                "{what}: nobody signed in within {} s",
                limit.as_secs()
            )));
        }
        cfg.clock.sleep(interval).await;
        waited += interval;
        let body = form(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", client_id),
            ("device_code", code),
        ]);
        let reply = post_form(cfg, &token_url(cfg, tenant(cfg), "token"), body, what).await?;
        if reply.is_success() {
            let (t, rt) = parse_token_response(&reply.bytes, what)?;
            if let (Some(r), Ok(mut slot)) = (rt, state.refresh_token.lock()) {
                *slot = Some(r);
            }
            return Ok(t);
        }
        let v: Value = serde_json::from_slice(&reply.bytes).unwrap_or(Value::Null);
        match v.get("error").and_then(Value::as_str) {
            Some("authorization_pending") => {}
            Some("slow_down") => interval += Duration::from_secs(5),
            Some("expired_token") | Some("code_expired") => {
                return Err(Error::Runtime(format!(
                    "{what}: the code expired before anyone signed in"
                )));
            }
            Some("authorization_declined") | Some("access_denied") => {
                return Err(Error::Runtime(format!("{what}: sign-in was declined")));
            }
            _ => return Err(reply_error(&reply, what)),
        }
    }
}

fn resource_of(scope: &str) -> &str {
    scope.strip_suffix("/.default").unwrap_or(scope)
}

async fn managed_identity(cfg: &Config, scope: &str) -> Result<AccessToken> {
    let resource = resource_of(scope);
    let client_id = env_var(cfg, "AZURE_CLIENT_ID");
    let app_service = match &cfg.identity_endpoint {
        Some((u, h)) => Some((u.clone(), h.expose()?)),
        None => match (
            env_var(cfg, "IDENTITY_ENDPOINT"),
            env_var(cfg, "IDENTITY_HEADER"),
        ) {
            (Some(u), Some(h)) => Some((u, h)),
            _ => None,
        },
    };
    let (base, api, header, client, what) = match &app_service {
        Some((u, h)) => (
            u.clone(),
            "2019-08-01",
            ("X-IDENTITY-HEADER", h.clone()),
            &cfg.http,
            "managed identity (App Service)",
        ),
        None => (
            cfg.imds_endpoint.clone(),
            "2018-02-01",
            ("Metadata", "true".to_string()),
            &cfg.probe_http,
            "managed identity (IMDS)",
        ),
    };
    let mut url = url::Url::parse(&base)
        .map_err(|e| Error::invalid("managed identity endpoint", e.to_string()))?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("api-version", api)
            .append_pair("resource", resource);
        if let Some(id) = &client_id {
            q.append_pair("client_id", id);
        }
    }
    let reply = client
        .send(|c| c.get(url.clone()).header(header.0, header.1.as_str()))
        .await
        .map_err(|f| Error::Runtime(format!("{what}: {f}")))?;
    if !reply.is_success() {
        return Err(reply_error(&reply, what));
    }
    Ok(parse_token_response(&reply.bytes, what)?.0)
}

/// Parses `az account get-access-token -o json` output: `accessToken`
/// with `expires_on` (seconds since the epoch, az 2.54+) or `expiresOn`
/// (local time, older versions).
///
/// ```
/// use huntbook::azure::credential::parse_az_cli_token;
/// let t = parse_az_cli_token(br#"{"accessToken":"eyJ.a.b","expiresOn":"2030-01-01 10:00:00.000000",
///   "expires_on":1893492000,"tokenType":"Bearer"}"#)?;
/// assert_eq!(t.secret(), "eyJ.a.b");
/// assert_eq!(t.expires_at().unwrap().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs(), 1893492000);
/// # Ok::<(), huntbook::Error>(())
/// ```
pub fn parse_az_cli_token(stdout: &[u8]) -> Result<AccessToken> {
    let v: Value = serde_json::from_slice(stdout).map_err(|e| {
        Error::Runtime(format!(
            "az account get-access-token: output is not JSON: {e}"
        ))
    })?;
    let Some(secret) = v.get("accessToken").and_then(Value::as_str) else {
        return Err(Error::Runtime(
            "az account get-access-token: the output has no accessToken".into(),
        ));
    };
    let expires = number(v.get("expires_on")).and_then(epoch).or_else(|| {
        let s = v.get("expiresOn").and_then(Value::as_str)?;
        let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").ok()?;
        let local = naive.and_local_timezone(chrono::Local).earliest()?;
        epoch(local.timestamp() as f64)
    });
    Ok(AccessToken::new(secret, expires))
}

async fn az_cli(cfg: &Config, scope: &str) -> Result<AccessToken> {
    let Some(path) = super::find_on_path(&cfg.az_command) else {
        return Err(Error::Runtime(format!(
            "'{}' (the Azure CLI) not found on PATH",
            cfg.az_command
        )));
    };
    let mut args = vec![
        "account".to_string(),
        "get-access-token".into(),
        "--scope".into(),
        scope.to_string(),
        "-o".into(),
        "json".into(),
    ];
    if let Some(t) = &cfg.tenant_id {
        args.push("--tenant".into());
        args.push(t.clone());
    }
    let timeout = cfg.az_timeout;
    let (tx, rx) = futures::channel::oneshot::channel();
    std::thread::Builder::new()
        .name("huntbook-az".into())
        .spawn(move || {
            let _ = tx.send(run_with_timeout(path, args, timeout));
        })
        .map_err(|e| Error::Runtime(format!("could not start the az thread: {e}")))?;
    let (code, stdout, stderr) = rx
        .await
        .map_err(|_| Error::Runtime("the az thread ended without an answer".into()))??;
    if code != Some(0) {
        let msg = String::from_utf8_lossy(&stderr);
        let line = msg
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message");
        return Err(Error::Runtime(format!(
            "az account get-access-token failed (exit {}): {}",
            code.map(|c| c.to_string())
                .unwrap_or_else(|| "signal".into()),
            first_line(line)
        )));
    }
    parse_az_cli_token(&stdout)
}

type Output = (Option<i32>, Vec<u8>, Vec<u8>);

fn run_with_timeout(
    path: std::path::PathBuf,
    args: Vec<String>,
    timeout: Duration,
) -> Result<Output> {
    let mut child = std::process::Command::new(&path)
        .args(&args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| Error::Runtime(format!("could not run '{}': {e}", path.display())))?;
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                // az prints a few kB; cap what is kept.
                let _ = p.by_ref().take(1 << 20).read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::Runtime(format!(
                    "az account get-access-token: no answer within {} s",
                    timeout.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(Error::Runtime(format!("waiting for az: {e}"))),
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    Ok((status.code(), stdout, stderr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_answers() {
        let (t, _) = parse_token_response(
            br#"{"access_token":"a","expires_on":"1893492000","resource":"r","token_type":"Bearer"}"#,
            "imds",
        )
        .unwrap();
        assert_eq!(
            t.expires_at()
                .unwrap()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs(),
            1893492000
        );
        let e = parse_token_response(
            br#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: x","error_codes":[7000215]}"#,
            "token",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "async runtime: token: invalid_client: AADSTS7000215: Invalid client secret provided."
        );
        assert_eq!(resource_of("https://x.io/.default"), "https://x.io");
    }
}
