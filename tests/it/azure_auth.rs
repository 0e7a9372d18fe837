//! Azure AD authentication against token endpoints served on 127.0.0.1:
//! client credentials, device code polling, refresh tokens, the Azure CLI
//! (a fake `az`), managed identity (IMDS and App Service), the chain's
//! failure report, and secrets never shown.

use crate::remote_support;

use crate::http_support::{Reply, TestServer};
use huntbook::azure::auth::TokenSource;
use huntbook::azure::cloud::AzureCloud;
use huntbook::azure::credential::{
    AuthMethod, AzureCredential, DeviceCodePrompt, credential_from_settings,
};
use huntbook::config::{Secret, Settings};
use huntbook::enrich::ti::limit::ManualClock;
use huntbook::net::http::{HttpClient, HttpOptions};
use huntbook::session::block_on;
use remote_support::token_json;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db49";
const CLIENT: &str = "1d4b6c8a-5b45-4e4d-9b8f-0a1b2c3d4e5f";
const SECRET: &str = "s3cr3t~client~value";
const SCOPE: &str = "https://api.loganalytics.io/.default";

fn cloud(server: &TestServer) -> AzureCloud {
    AzureCloud::global().with_authority_host(server.url())
}

fn quick_http(clock: Arc<ManualClock>) -> HttpClient {
    HttpClient::new(
        HttpOptions {
            timeout: Duration::from_secs(5),
            ..HttpOptions::default()
        },
        clock,
    )
    .unwrap()
}

#[test]
fn client_credentials_cache_refresh_and_invalidate() {
    let n = Arc::new(AtomicUsize::new(0));
    let n2 = n.clone();
    let server = TestServer::start(move |_, _| {
        let i = n2.fetch_add(1, Ordering::SeqCst);
        // the first token lives 60 s: inside the refresh margin, so the
        // next call fetches again
        let life = if i == 0 { 60 } else { 3599 };
        Reply::json(200, token_json(&format!("tok-{i}"), life))
    });
    let cred =
        AzureCredential::client_secret(cloud(&server), TENANT, CLIENT, Secret::plain(SECRET))
            .unwrap();
    let t = block_on(cred.get_token(SCOPE)).unwrap().unwrap();
    assert_eq!(t.secret(), "tok-0");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method, "POST");
    assert_eq!(reqs[0].path(), format!("/{TENANT}/oauth2/v2.0/token"));
    assert_eq!(
        reqs[0].header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let form = reqs[0].form();
    assert_eq!(form["grant_type"], "client_credentials");
    assert_eq!(form["client_id"], CLIENT);
    assert_eq!(form["client_secret"], SECRET);
    assert_eq!(form["scope"], SCOPE);
    // near expiry: fetched again
    let t = block_on(cred.get_token(SCOPE)).unwrap().unwrap();
    assert_eq!(t.secret(), "tok-1");
    // fresh: from the cache
    let t = block_on(cred.get_token(SCOPE)).unwrap().unwrap();
    assert_eq!(t.secret(), "tok-1");
    assert_eq!(server.requests().len(), 2);
    assert_eq!(cred.cached_scopes(), [SCOPE]);
    assert_eq!(cred.last_method(), Some(AuthMethod::ClientSecret));
    // a 401 elsewhere invalidates: fetched again
    cred.invalidate(SCOPE);
    let t = block_on(cred.token(SCOPE)).unwrap().unwrap();
    assert_eq!(t.secret(), "tok-2");
    // another scope has its own token
    let t = block_on(cred.get_token("https://management.azure.com/.default"))
        .unwrap()
        .unwrap();
    assert_eq!(t.secret(), "tok-3");
    assert_eq!(server.requests().len(), 4);
    let shown = format!("{cred:?} {cred}");
    assert!(
        !shown.contains(SECRET) && !shown.contains("tok-"),
        "{shown}"
    );
}

#[test]
fn aad_error_is_reported_without_the_secret() {
    let server = TestServer::start(|_, _| {
        Reply::json(
            401,
            json!({
                "error": "invalid_client",
                "error_description": "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.\r\nTrace ID: 0b3f\r\nCorrelation ID: 9c1d",
                "error_codes": [7000215],
                "timestamp": "2024-03-04 08:00:01Z",
            })
            .to_string(),
        )
    });
    let cred =
        AzureCredential::client_secret(cloud(&server), TENANT, CLIENT, Secret::plain(SECRET))
            .unwrap();
    let err = block_on(cred.get_token(SCOPE))
        .unwrap()
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "async runtime: Azure AD authentication failed for scope 'https://api.loganalytics.io/.default'; tried clientsecret: client credentials token request: HTTP 401: invalid_client: AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID."
    );
    assert!(!err.contains(SECRET));
}

#[test]
fn device_code_polls_pending_slow_down_then_refreshes() {
    let polls = Arc::new(AtomicUsize::new(0));
    let p2 = polls.clone();
    let server = TestServer::start(move |req, _| {
        let form = req.form();
        if req.path().ends_with("/devicecode") {
            return Reply::json(
                200,
                json!({
                    "user_code": "FZPXLQ4CN",
                    "device_code": "DAQABAAEAAAD--device-code",
                    "verification_uri": "https://microsoft.com/devicelogin",
                    "expires_in": 900,
                    "interval": 5,
                    "message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code FZPXLQ4CN to authenticate."
                })
                .to_string(),
            );
        }
        if form.get("grant_type").map(String::as_str) == Some("refresh_token") {
            assert_eq!(form["refresh_token"], "refresh-1");
            return Reply::json(
                200,
                json!({"token_type": "Bearer", "expires_in": 3599, "access_token": "tok-refreshed",
                       "refresh_token": "refresh-2"})
                .to_string(),
            );
        }
        assert_eq!(
            form["grant_type"],
            "urn:ietf:params:oauth:grant-type:device_code"
        );
        assert_eq!(form["device_code"], "DAQABAAEAAAD--device-code");
        match p2.fetch_add(1, Ordering::SeqCst) {
            0 => Reply::json(
                400,
                json!({"error": "authorization_pending", "error_description": "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending."}).to_string(),
            ),
            1 => Reply::json(400, json!({"error": "slow_down"}).to_string()),
            _ => Reply::json(
                200,
                json!({"token_type": "Bearer", "scope": SCOPE, "expires_in": 3599,
                       "access_token": "tok-device", "refresh_token": "refresh-1"})
                .to_string(),
            ),
        }
    });
    let clock = Arc::new(ManualClock::new());
    let shown: Arc<Mutex<Vec<String>>> = Arc::default();
    let s2 = shown.clone();
    let cred = AzureCredential::builder()
        .cloud(cloud(&server))
        .methods([AuthMethod::DeviceCode])
        .tenant_id(TENANT)
        .clock(clock.clone())
        .http_client(quick_http(clock.clone()))
        .device_code_prompt(DeviceCodePrompt::Callback(Arc::new(move |m: &str| {
            s2.lock().unwrap().push(m.to_string())
        })))
        .build()
        .unwrap();
    let t = block_on(cred.get_token(SCOPE)).unwrap().unwrap();
    assert_eq!(t.secret(), "tok-device");
    assert_eq!(
        shown.lock().unwrap().as_slice(),
        [
            "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code FZPXLQ4CN to authenticate."
        ]
    );
    // interval 5 s, pending, then slow_down adds 5 s
    assert_eq!(
        clock.sleeps(),
        [
            Duration::from_secs(5),
            Duration::from_secs(5),
            Duration::from_secs(10)
        ]
    );
    let dc = &server.requests_to(&format!("/{TENANT}/oauth2/v2.0/devicecode"))[0];
    let form = dc.form();
    assert_eq!(form["client_id"], "04b07795-8ddb-461a-bbee-02f9e1bf7b46");
    assert_eq!(form["scope"], format!("{SCOPE} offline_access"));
    // another scope: the refresh token, no second prompt
    let t = block_on(cred.get_token("https://management.azure.com/.default"))
        .unwrap()
        .unwrap();
    assert_eq!(t.secret(), "tok-refreshed");
    assert_eq!(shown.lock().unwrap().len(), 1);
}

#[test]
fn device_code_expired() {
    let server = TestServer::start(move |req, _| {
        if req.path().ends_with("/devicecode") {
            return Reply::json(
                200,
                json!({"user_code": "A", "device_code": "D", "verification_uri": "https://microsoft.com/devicelogin",
                       "expires_in": 900, "interval": 1})
                .to_string(),
            );
        }
        Reply::json(
            400,
            json!({"error": "expired_token", "error_description": "AADSTS70020: The provided value for the input parameter 'device_code' is not valid. This device code has expired."}).to_string(),
        )
    });
    let clock = Arc::new(ManualClock::new());
    let cred = AzureCredential::builder()
        .cloud(cloud(&server))
        .methods([AuthMethod::DeviceCode])
        .clock(clock.clone())
        .http_client(quick_http(clock))
        .device_code_prompt(DeviceCodePrompt::Callback(Arc::new(|_: &str| {})))
        .build()
        .unwrap();
    let err = block_on(cred.get_token(SCOPE))
        .unwrap()
        .unwrap_err()
        .to_string();
    assert!(
        err.ends_with(
            "tried devicecode: device code token polling: the code expired before anyone signed in"
        ),
        "{err}"
    );
    // tenant defaults to organizations
    assert_eq!(
        server.requests()[0].path(),
        "/organizations/oauth2/v2.0/devicecode"
    );
}

#[cfg(unix)]
fn fake_az(dir: &std::path::Path, script: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join("az");
    std::fs::write(&p, script).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p.display().to_string()
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("huntbook-azauth-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[cfg(unix)]
#[test]
fn azure_cli_token_from_a_fake_az() {
    let dir = temp_dir("cli");
    let args_file = dir.join("args.txt");
    let az = fake_az(
        &dir,
        &format!(
            "#!/bin/sh\necho \"$@\" > '{}'\ncat <<'EOF'\n{{\n  \"accessToken\": \"eyJ0eXAiOiJKV1Qi.cli.token\",\n  \"expiresOn\": \"2030-01-01 10:00:00.000000\",\n  \"expires_on\": 1893492000,\n  \"subscription\": \"40dcc8bf-0478-4f3b-b275-ed0a94f2c013\",\n  \"tenant\": \"{TENANT}\",\n  \"tokenType\": \"Bearer\"\n}}\nEOF\n",
            args_file.display()
        ),
    );
    let cred = AzureCredential::builder()
        .methods([AuthMethod::Cli])
        .tenant_id(TENANT)
        .az_command(az)
        .build()
        .unwrap();
    let t = block_on(cred.get_token(SCOPE)).unwrap().unwrap();
    assert_eq!(t.secret(), "eyJ0eXAiOiJKV1Qi.cli.token");
    assert_eq!(
        t.expires_at()
            .unwrap()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
        1893492000
    );
    assert_eq!(
        std::fs::read_to_string(&args_file).unwrap().trim(),
        format!("account get-access-token --scope {SCOPE} -o json --tenant {TENANT}")
    );
    // not logged in: az's message
    let bad = fake_az(
        &dir,
        "#!/bin/sh\necho \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1\n",
    );
    let cred = AzureCredential::builder()
        .methods([AuthMethod::Cli])
        .az_command(bad)
        .build()
        .unwrap();
    let err = block_on(cred.get_token(SCOPE))
        .unwrap()
        .unwrap_err()
        .to_string();
    assert!(
        err.ends_with("tried cli: az account get-access-token failed (exit 1): ERROR: Please run 'az login' to setup account."),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn managed_identity_imds_and_app_service() {
    let server = TestServer::start(|req, _| {
        let q = req.query_pairs();
        if req.path() == "/metadata/identity/oauth2/token" {
            assert_eq!(req.header("metadata"), Some("true"));
            assert_eq!(q["api-version"], "2018-02-01");
            assert_eq!(q["resource"], "https://api.loganalytics.io");
            return Reply::json(
                200,
                json!({"access_token": "tok-imds", "client_id": "c", "expires_in": "86399",
                       "expires_on": "1893492000", "ext_expires_in": "86399", "not_before": "1506397884",
                       "resource": "https://api.loganalytics.io", "token_type": "Bearer"})
                .to_string(),
            );
        }
        assert_eq!(req.path(), "/msi/token");
        assert_eq!(
            req.header("x-identity-header"),
            Some("app-service-header-secret")
        );
        assert_eq!(q["api-version"], "2019-08-01");
        Reply::json(
            200,
            json!({"access_token": "tok-appsvc", "expires_on": 1893492000u64,
                   "resource": "https://api.loganalytics.io", "token_type": "Bearer", "client_id": "c"})
            .to_string(),
        )
    });
    let imds = AzureCredential::builder()
        .methods([AuthMethod::Msi])
        .imds_endpoint(format!("{}/metadata/identity/oauth2/token", server.url()))
        .env_vars(BTreeMap::new())
        .build()
        .unwrap();
    assert_eq!(
        block_on(imds.get_token(SCOPE)).unwrap().unwrap().secret(),
        "tok-imds"
    );
    let mut env = BTreeMap::new();
    env.insert(
        "IDENTITY_ENDPOINT".to_string(),
        format!("{}/msi/token", server.url()),
    );
    env.insert(
        "IDENTITY_HEADER".to_string(),
        "app-service-header-secret".to_string(),
    );
    let app = AzureCredential::builder()
        .methods([AuthMethod::Msi])
        .env_vars(env)
        .build()
        .unwrap();
    assert_eq!(
        block_on(app.get_token(SCOPE)).unwrap().unwrap().secret(),
        "tok-appsvc"
    );
    assert!(!format!("{app:?}").contains("app-service-header-secret"));
}

#[test]
fn env_method_uses_azure_variables() {
    let server = TestServer::start(|req, _| {
        assert_eq!(req.form()["client_secret"], "env-secret");
        Reply::json(200, token_json("tok-env", 3599))
    });
    let mut env = BTreeMap::new();
    env.insert("AZURE_TENANT_ID".to_string(), TENANT.to_string());
    env.insert("AZURE_CLIENT_ID".to_string(), CLIENT.to_string());
    env.insert("AZURE_CLIENT_SECRET".to_string(), "env-secret".to_string());
    let cred = AzureCredential::builder()
        .cloud(cloud(&server))
        .methods([AuthMethod::Env])
        .env_vars(env)
        .build()
        .unwrap();
    assert_eq!(
        block_on(cred.get_token(SCOPE)).unwrap().unwrap().secret(),
        "tok-env"
    );
}

#[test]
fn chain_failure_lists_every_method() {
    let cred = AzureCredential::builder()
        .methods([
            AuthMethod::Env,
            AuthMethod::Cli,
            AuthMethod::ClientSecret,
            AuthMethod::parse("vscode").unwrap(),
        ])
        .env_vars(BTreeMap::new())
        .az_command("az-surely-not-installed-here")
        .build()
        .unwrap();
    let err = block_on(cred.get_token(SCOPE))
        .unwrap()
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "async runtime: Azure AD authentication failed for scope 'https://api.loganalytics.io/.default'; tried env: AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET are not all set; cli: 'az-surely-not-installed-here' (the Azure CLI) not found on PATH; clientsecret: no client id and client secret configured (DataProviders.AzureCLI.Args clientId/clientSecret); vscode: the 'vscode' method is not supported by huntbook (use cli, devicecode, clientsecret, env or msi)"
    );
}

#[test]
fn chain_falls_through_to_the_working_method_and_remembers_it() {
    let server = TestServer::start(|_, _| Reply::json(200, token_json("tok-cs", 3599)));
    let cred = AzureCredential::builder()
        .cloud(cloud(&server))
        .methods([AuthMethod::Cli, AuthMethod::ClientSecret])
        .az_command("az-surely-not-installed-here")
        .tenant_id(TENANT)
        .client_id(CLIENT)
        .client_secret(Secret::plain(SECRET))
        .build()
        .unwrap();
    assert_eq!(
        block_on(cred.get_token(SCOPE)).unwrap().unwrap().secret(),
        "tok-cs"
    );
    assert_eq!(cred.last_method(), Some(AuthMethod::ClientSecret));
}

#[test]
fn credential_from_settings_is_a_token_source() {
    let server = TestServer::start(|req, _| {
        assert_eq!(req.form()["client_secret"], "yaml-secret");
        Reply::json(200, token_json("tok-yaml", 3599))
    });
    let yaml = format!(
        "Azure:\n  cloud: global\n  auth_methods: [clientsecret]\n  endpoints:\n    authority_host: {}\nDataProviders:\n  AzureCLI:\n    Args:\n      clientId: {CLIENT}\n      tenantId: {TENANT}\n      clientSecret: yaml-secret\n",
        server.url()
    );
    let s = Settings::from_yaml_str(&yaml, "test.yaml").unwrap();
    let src: Arc<dyn TokenSource> = credential_from_settings(&s).unwrap();
    let t = block_on(src.token(SCOPE)).unwrap().unwrap();
    assert_eq!(t.secret(), "tok-yaml");
    let shown = format!("{src:?} {t:?} {t}");
    assert!(
        !shown.contains("yaml-secret") && !shown.contains("tok-yaml"),
        "{shown}"
    );
    assert_eq!(
        server.requests()[0].path(),
        format!("/{TENANT}/oauth2/v2.0/token")
    );
}

#[test]
fn sovereign_cloud_endpoints() {
    let gov = AzureCloud::from_name("usgov").unwrap();
    assert_eq!(gov.authority_host(), "https://login.microsoftonline.us");
    assert_eq!(gov.log_analytics_endpoint(), "https://api.loganalytics.us");
    assert_eq!(
        gov.kusto_cluster_url("c1"),
        "https://c1.kusto.usgovcloudapi.net"
    );
    assert_eq!(gov.storage_suffix(), "core.usgovcloudapi.net");
    let cn = AzureCloud::from_name("cn").unwrap();
    assert_eq!(cn.arm_endpoint(), "https://management.chinacloudapi.cn");
    assert_eq!(
        cn.graph_endpoint(),
        "https://microsoftgraph.chinacloudapi.cn"
    );
    let g = AzureCloud::global();
    assert_eq!(g.mde_endpoint(), "https://api.securitycenter.microsoft.com");
    assert_eq!(g.m365d_endpoint(), "https://api.security.microsoft.com");
    assert_eq!(g.graph_scope(), "https://graph.microsoft.com/.default");
}

#[test]
fn cli_auth_test_sentinel_and_failure() {
    let server = TestServer::start(|req, _| {
        if req.path().ends_with("/oauth2/v2.0/token") {
            return Reply::json(200, token_json("cli-token-value", 3599));
        }
        assert_eq!(req.json()["query"], "print huntbook = \"ok\"");
        Reply::json(
            200,
            r#"{"tables":[{"name":"PrimaryResult","columns":[{"name":"huntbook","type":"string"}],"rows":[["ok"]]}]}"#,
        )
    });
    let dir = temp_dir("cli-auth");
    let cfg = dir.join("msticpyconfig.yaml");
    std::fs::write(
        &cfg,
        format!(
            "Azure:\n  auth_methods: [clientsecret]\n  endpoints:\n    authority_host: {u}\n    log_analytics: {u}\nAzureSentinel:\n  Workspaces:\n    Default:\n      WorkspaceId: ws-1\n      TenantId: {TENANT}\nDataProviders:\n  AzureCLI:\n    Args:\n      clientId: {CLIENT}\n      clientSecret: cli-secret-value\n",
            u = server.url()
        ),
    )
    .unwrap();
    let run = |env: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_huntbook"))
            .args(["auth", "test", env, "-f", "ndjson"])
            .env("MSTICPYCONFIG", &cfg)
            .env_remove("HUNTBOOK_CONFIG")
            .env("HOME", &dir)
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    let out = run("MSSentinel");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let rows: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0],
        json!({"step": "settings", "ok": true, "detail": format!("workspaces Default (ws-1); AzureCredential(cloud global, tenant {TENANT}, methods [clientsecret])")})
    );
    let token = rows[1]["detail"].as_str().unwrap();
    assert_eq!(rows[1]["ok"], true);
    assert!(
        token
            == "token for https://api.loganalytics.io/.default from 'clientsecret', expires in 59 min"
            || token
                == "token for https://api.loganalytics.io/.default from 'clientsecret', expires in 58 min",
        "{token}"
    );
    assert_eq!(
        rows[2],
        json!({"step": "query", "ok": true, "detail": "Log Analytics workspace ws-1: query ran (1 row)"})
    );
    assert!(!stdout.contains("cli-secret-value") && !stdout.contains("cli-token-value"));
    // Kusto with no clusters: the connect step fails, exit status 1
    let out = run("Kusto");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success());
    let rows: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        rows,
        [
            json!({"step": "settings", "ok": true, "detail": "clusters: none (add KustoClusters to msticpyconfig.yaml)"}),
            json!({"step": "connect", "ok": false, "detail": "invalid Kusto connection: no cluster connected: give --cluster NAME (configured: none)"}),
        ]
    );
    assert!(
        stderr.contains("auth test of Kusto failed at step 'connect' (details above)"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
