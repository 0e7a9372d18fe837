//! `huntbook auth`: check Azure AD authentication and a data connection.
//!
//! ```sh
//! huntbook auth test MSSentinel                     # Default workspace: token, then a one-row query
//! huntbook auth test MSSentinel --workspace MyWS --workspace Other
//! huntbook auth test Kusto --cluster help --database Samples
//! huntbook auth test Azure                          # only a token for Azure Resource Manager
//! huntbook auth test Azure --scope https://graph.microsoft.com/.default
//! ```
//!
//! Each step is a row (`step`, `ok`, `detail`); tokens are never printed.
//! The command fails (exit status 1) when a step fails.

use super::output::{self, OutputOptions};
use crate::azure::credential::AzureCredential;
use crate::config::Settings;
use crate::data::drivers::kusto::KustoDriver;
use crate::data::drivers::loganalytics::LogAnalyticsDriver;
use crate::data::drivers::{Connection, Driver};
use crate::data::query::canonical_environment;
use crate::error::{Error, Result};
use polars::prelude::*;
use std::sync::Arc;
use std::time::SystemTime;

/// Arguments of `huntbook auth`.
#[derive(Debug, clap::Args)]
pub struct AuthArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: AuthCommand,
}

/// `huntbook auth` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum AuthCommand {
    /// Authenticate and run a trivial query against an environment
    /// (MSSentinel, Kusto, or Azure for a token only).
    Test(TestArgs),
}

/// Arguments of `huntbook auth test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// The environment: MSSentinel (LogAnalytics), Kusto, Azure, or another
    /// remote environment (connect only).
    pub environment: String,
    /// MSSentinel: workspace names from AzureSentinel.Workspaces (repeatable;
    /// default: Default).
    #[arg(long)]
    pub workspace: Vec<String>,
    /// Kusto: the cluster (a KustoClusters name or URL; repeatable).
    #[arg(long)]
    pub cluster: Vec<String>,
    /// Kusto: the database.
    #[arg(long)]
    pub database: Option<String>,
    /// Azure: the token scope (default: Azure Resource Manager's).
    #[arg(long)]
    pub scope: Option<String>,
}

struct Steps {
    step: Vec<String>,
    ok: Vec<bool>,
    detail: Vec<String>,
}

impl Steps {
    fn new() -> Self {
        Self {
            step: Vec::new(),
            ok: Vec::new(),
            detail: Vec::new(),
        }
    }
    fn push(&mut self, step: &str, r: Result<String>) -> bool {
        let ok = r.is_ok();
        self.step.push(step.to_string());
        self.ok.push(ok);
        self.detail.push(match r {
            Ok(d) => d,
            Err(e) => e.to_string(),
        });
        ok
    }
    fn failed(&self) -> Option<String> {
        self.ok
            .iter()
            .position(|o| !o)
            .and_then(|i| self.step.get(i).cloned())
    }
    fn df(&self) -> Result<DataFrame> {
        df!(
            "step" => self.step.clone(),
            "ok" => self.ok.clone(),
            "detail" => self.detail.clone(),
        )
        .map_err(|e| Error::polars("building the auth test table", e))
    }
}

fn describe_token(cred: &AzureCredential, scope: &str) -> Result<String> {
    let t = crate::session::block_on(cred.get_token(scope))??;
    let method = cred
        .last_method()
        .map(|m| m.to_string())
        .unwrap_or_else(|| "?".into());
    let expiry = match t.expires_at() {
        Some(at) => match at.duration_since(SystemTime::now()) {
            Ok(d) => format!(", expires in {} min", d.as_secs() / 60),
            Err(_) => ", already expired".into(),
        },
        None => String::new(),
    };
    Ok(format!("token for {scope} from '{method}'{expiry}"))
}

/// Runs `huntbook auth`.
pub fn run(args: AuthArgs, out: &OutputOptions) -> Result<()> {
    match args.command {
        AuthCommand::Test(t) => test(t, &Settings::load()?, out),
    }
}

/// Runs `huntbook auth test` with these settings.
pub fn test(args: TestArgs, settings: &Settings, out: &OutputOptions) -> Result<()> {
    let env = match args.environment.to_ascii_lowercase().as_str() {
        "azure" | "arm" => "Azure".to_string(),
        _ => canonical_environment(&args.environment),
    };
    let mut steps = Steps::new();
    match env.as_str() {
        "Azure" => {
            let cred = AzureCredential::from_settings(settings);
            let ok = steps.push(
                "settings",
                cred.as_ref().map(|c| c.to_string()).map_err(clone_err),
            );
            if let (true, Ok(cred)) = (ok, cred) {
                let scope = args
                    .scope
                    .clone()
                    .unwrap_or_else(|| cred.cloud().arm_scope());
                steps.push("token", describe_token(&cred, &scope));
            }
        }
        "MSSentinel" => {
            let names: Vec<&str> = args.workspace.iter().map(String::as_str).collect();
            let parts = LogAnalyticsDriver::settings_parts(settings, &names);
            let ok = steps.push(
                "settings",
                parts.as_ref().map_err(clone_err).map(|(ws, cred)| {
                    let list: Vec<String> = ws
                        .iter()
                        .map(|w| format!("{} ({})", w.name, w.workspace_id))
                        .collect();
                    format!("workspaces {}; {cred}", list.join(", "))
                }),
            );
            if let (true, Ok((ws, cred))) = (ok, parts) {
                let scope = cred.cloud().log_analytics_scope().to_string();
                if steps.push("token", describe_token(&cred, &scope)) {
                    let cloud = cred.cloud().clone();
                    let driver = LogAnalyticsDriver::new(Arc::new(cred), cloud)
                        .workspace_ids(ws.iter().map(|w| w.workspace_id.clone()));
                    steps.push(
                        "query",
                        crate::session::block_on(driver.check()).and_then(|r| r),
                    );
                }
            }
        }
        "Kusto" => {
            let driver = KustoDriver::from_settings(settings);
            let ok = steps.push(
                "settings",
                driver.as_ref().map_err(clone_err).map(|d| {
                    let names: Vec<String> = d
                        .clusters()
                        .iter()
                        .map(|c| format!("{} ({})", c.name, c.url))
                        .collect();
                    format!(
                        "clusters: {}",
                        if names.is_empty() {
                            "none (add KustoClusters to msticpyconfig.yaml)".into()
                        } else {
                            names.join(", ")
                        }
                    )
                }),
            );
            if let (true, Ok(driver)) = (ok, driver) {
                let mut conn = Connection::new();
                if !args.cluster.is_empty() {
                    conn = conn.option("cluster", args.cluster.join(","));
                }
                if let Some(db) = &args.database {
                    conn = conn.option("database", db.clone());
                }
                let connected = crate::session::block_on(driver.connect(&conn))
                    .and_then(|r| r)
                    .and_then(|_| {
                        let on = driver.connected();
                        if on.is_empty() {
                            let names: Vec<&str> =
                                driver.clusters().iter().map(|c| c.name.as_str()).collect();
                            Err(Error::invalid(
                                "Kusto connection",
                                format!(
                                    "no cluster connected: give --cluster NAME (configured: {})",
                                    if names.is_empty() {
                                        "none".to_string()
                                    } else {
                                        names.join(", ")
                                    }
                                ),
                            ))
                        } else {
                            Ok(format!("connected to {}", on.join(", ")))
                        }
                    });
                if steps.push("connect", connected) {
                    steps.push(
                        "query",
                        crate::session::block_on(driver.check()).and_then(|r| r),
                    );
                }
            }
        }
        other => match crate::data::drivers::remote::from_settings(other, settings) {
            Some(Ok((driver, conn))) => {
                steps.push("settings", Ok(format!("{other} configured")));
                steps.push(
                    "connect",
                    crate::session::block_on(driver.connect(&conn))
                        .and_then(|r| r)
                        .map(|_| "connected (no test query for this environment)".to_string()),
                );
            }
            Some(Err(e)) => {
                steps.push("settings", Err(e));
            }
            None => {
                return Err(Error::invalid(
                    format!("environment '{}'", args.environment),
                    "not a remote environment (expected MSSentinel, Kusto, Azure, Splunk or MDE)",
                ));
            }
        },
    }
    output::write(steps.df()?, out)?;
    match steps.failed() {
        Some(step) => Err(Error::Runtime(format!(
            "auth test of {env} failed at step '{step}' (details above)"
        ))),
        None => Ok(()),
    }
}

fn clone_err(e: &Error) -> Error {
    Error::Runtime(match e {
        Error::Runtime(m) => m.clone(),
        other => other.to_string(),
    })
}
