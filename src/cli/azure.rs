//! `huntbook azure`, `huntbook sentinel` and `huntbook blob`: Azure
//! resources, Microsoft Sentinel and Blob Storage, configured from the
//! settings file (`--config FILE`, else the usual search).
//!
//! ```sh
//! huntbook azure subscriptions
//! huntbook azure resources --subscription SUB --type Microsoft.Compute/virtualMachines
//! huntbook azure vm --host web01 --subscription SUB
//! huntbook azure nsg /subscriptions/…/networkSecurityGroups/nsg1
//! huntbook sentinel incidents --filter "properties/severity eq 'High'" --top 50
//! huntbook sentinel incident 73e01a99-… --part entities
//! huntbook sentinel hunting-queries
//! huntbook sentinel watchlists
//! huntbook blob ls                       # containers
//! huntbook blob ls logs --prefix 2024/   # blobs
//! huntbook blob get logs 2024/events.parquet -f csv
//! huntbook blob put logs out/procs.parquet procs.parquet
//! ```

use super::output::{self, OutputOptions};
use crate::azure::blob::BlobStorage;
use crate::azure::resources::{AzureData, normalize_json, vms_frame};
use crate::azure::sentinel::{IncidentQuery, IncidentUpdate, Sentinel};
use crate::config::Settings;
use crate::error::{Error, Result};
use polars::prelude::*;
use std::path::PathBuf;

/// Where the settings come from.
#[derive(Debug, Clone, clap::Args)]
pub struct ConfigArgs {
    /// The settings file (msticpyconfig.yaml / huntbook.yaml); default:
    /// the usual search (HUNTBOOK_CONFIG, MSTICPYCONFIG, working folder, home).
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
}

impl ConfigArgs {
    fn settings(&self) -> Result<Settings> {
        match &self.config {
            Some(p) => Settings::from_file(p),
            None => Settings::load(),
        }
    }
}

/// Arguments of `huntbook azure`.
#[derive(Debug, clap::Args)]
pub struct AzureArgs {
    /// Settings.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// What to list or show.
    #[command(subcommand)]
    pub command: AzureCommand,
}

/// `huntbook azure` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum AzureCommand {
    /// Subscriptions the credential can see.
    Subscriptions,
    /// Resource groups of a subscription.
    ResourceGroups(SubscriptionArg),
    /// Resources of a subscription, optionally of one type.
    Resources {
        /// The subscription.
        #[command(flatten)]
        sub: SubscriptionArg,
        /// Only this type (`Microsoft.Compute/virtualMachines`).
        #[arg(long = "type", value_name = "TYPE")]
        resource_type: Option<String>,
    },
    /// One resource's details by id (one row, properties flattened).
    Resource {
        /// The resource id.
        id: String,
    },
    /// A VM (by id, or --host NAME in a subscription) with OS and IPs;
    /// --network lists its NIC IP configurations instead.
    Vm {
        /// The VM's resource id.
        id: Option<String>,
        /// Find VMs by VM or computer name instead.
        #[arg(long, value_name = "NAME", conflicts_with = "id")]
        host: Option<String>,
        /// The subscription searched by --host.
        #[command(flatten)]
        sub: SubscriptionArg,
        /// Output the network interfaces (one row per IP configuration).
        #[arg(long)]
        network: bool,
        /// Skip the instance view (OS name/version, power state).
        #[arg(long)]
        no_instance_view: bool,
    },
    /// A network security group's rules.
    Nsg {
        /// The NSG's resource id.
        id: String,
    },
}

/// `--subscription`.
#[derive(Debug, Clone, clap::Args)]
pub struct SubscriptionArg {
    /// The subscription id (default: the Default workspace's SubscriptionId).
    #[arg(long, value_name = "ID")]
    pub subscription: Option<String>,
}

impl SubscriptionArg {
    fn resolve(&self, settings: &Settings) -> Result<String> {
        if let Some(s) = &self.subscription {
            return Ok(s.clone());
        }
        settings
            .workspace(None)
            .ok()
            .and_then(|w| w.subscription_id)
            .ok_or_else(|| {
                Error::invalid(
                    "subscription",
                    "not given: use --subscription ID or set AzureSentinel.Workspaces.Default.SubscriptionId",
                )
            })
    }
}

/// Arguments of `huntbook sentinel`.
#[derive(Debug, clap::Args)]
pub struct SentinelArgs {
    /// Settings.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The workspace entry of AzureSentinel.Workspaces (default: Default).
    #[arg(long, short = 'w', global = true, value_name = "NAME")]
    pub workspace: Option<String>,
    /// What to list or do.
    #[command(subcommand)]
    pub command: SentinelCommand,
}

/// `huntbook sentinel` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum SentinelCommand {
    /// Incidents (OData filter, order and page size passed to the API).
    Incidents {
        /// `$filter`, e.g. "properties/status eq 'New'".
        #[arg(long)]
        filter: Option<String>,
        /// `$orderby`, e.g. "properties/createdTimeUtc desc".
        #[arg(long)]
        orderby: Option<String>,
        /// `$top`: page size.
        #[arg(long)]
        top: Option<u32>,
    },
    /// One incident: its summary row, alerts, entities or comments.
    Incident {
        /// The incident name (GUID).
        id: String,
        /// Which part to output.
        #[arg(long, default_value = "summary", value_parser = ["summary", "alerts", "entities", "comments"])]
        part: String,
    },
    /// Updates an incident (the others fields are kept).
    Update {
        /// The incident name (GUID).
        id: String,
        /// New, Active or Closed.
        #[arg(long)]
        status: Option<String>,
        /// High, Medium, Low or Informational.
        #[arg(long)]
        severity: Option<String>,
        /// The owner's user principal name.
        #[arg(long)]
        owner: Option<String>,
        /// Closing classification (TruePositive, FalsePositive, BenignPositive, Undetermined).
        #[arg(long)]
        classification: Option<String>,
    },
    /// Adds a comment to an incident.
    Comment {
        /// The incident name (GUID).
        id: String,
        /// The comment text.
        message: String,
    },
    /// Analytics (alert) rules.
    AlertRules,
    /// Hunting queries (saved searches, category "Hunting Queries").
    HuntingQueries,
    /// The KQL of a saved search (by name or display name).
    HuntingQuery {
        /// The name or display name.
        name: String,
    },
    /// Bookmarks.
    Bookmarks,
    /// Watchlists.
    Watchlists,
    /// A watchlist's items.
    WatchlistItems {
        /// The watchlist alias.
        alias: String,
    },
}

/// Arguments of `huntbook blob`.
#[derive(Debug, clap::Args)]
pub struct BlobArgs {
    /// Settings.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The storage account (default: OtherProviders.AzureBlobStorage.Args.AccountName).
    #[arg(long, global = true, value_name = "NAME")]
    pub account: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: BlobCommand,
}

/// `huntbook blob` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum BlobCommand {
    /// Lists containers, or the blobs of CONTAINER.
    Ls {
        /// The container.
        container: Option<String>,
        /// Only names starting with this.
        #[arg(long)]
        prefix: Option<String>,
    },
    /// Reads a blob: as a table (by extension), or --to FILE (streamed, any content).
    Get {
        /// The container.
        container: String,
        /// The blob name.
        blob: String,
        /// Write the blob's bytes to this file instead.
        #[arg(long, value_name = "FILE")]
        to: Option<PathBuf>,
    },
    /// Uploads a file as a block blob.
    Put {
        /// The container.
        container: String,
        /// The blob name.
        blob: String,
        /// The file to upload.
        file: PathBuf,
    },
    /// Deletes a blob.
    Rm {
        /// The container.
        container: String,
        /// The blob name.
        blob: String,
    },
    /// Prints a read-only (or --permissions) SAS URL for a blob (needs the account key).
    Sas {
        /// The container.
        container: String,
        /// The blob name.
        blob: String,
        /// Permissions from racwdxyltmeop.
        #[arg(long, default_value = "r")]
        permissions: String,
        /// Hours of validity.
        #[arg(long, default_value_t = 1)]
        hours: i64,
    },
}

fn one_row(v: &serde_json::Value) -> Result<DataFrame> {
    normalize_json(std::slice::from_ref(v))
}

fn message(text: &str) -> Result<DataFrame> {
    DataFrame::new(1, vec![Column::new("result".into(), [text.to_string()])])
        .map_err(|e| Error::polars("building the result", e))
}

/// Runs `huntbook azure`.
pub fn run_azure(args: AzureArgs, out: &OutputOptions) -> Result<()> {
    let settings = args.config.settings()?;
    let az = AzureData::from_settings(&settings)?;
    let df = match args.command {
        AzureCommand::Subscriptions => az.subscriptions()?,
        AzureCommand::ResourceGroups(sub) => az.resource_groups(&sub.resolve(&settings)?)?,
        AzureCommand::Resources { sub, resource_type } => {
            az.resources(&sub.resolve(&settings)?, resource_type.as_deref())?
        }
        AzureCommand::Resource { id } => az.resource_details(&id)?.to_df()?,
        AzureCommand::Vm {
            id,
            host,
            sub,
            network,
            no_instance_view,
        } => {
            let vms = match (id, host) {
                (Some(id), _) => vec![az.vm(&id, !no_instance_view)?],
                (None, Some(h)) => az.host_lookup(&sub.resolve(&settings)?, &h)?,
                (None, None) => {
                    return Err(Error::invalid(
                        "azure vm",
                        "give a VM resource id or --host NAME",
                    ));
                }
            };
            if network {
                let mut acc: Option<DataFrame> = None;
                for vm in &vms {
                    acc = Some(match acc {
                        None => vm.network.clone(),
                        Some(mut a) => {
                            a.vstack_mut(&vm.network)
                                .map_err(|e| Error::polars("stacking NIC rows", e))?;
                            a
                        }
                    });
                }
                acc.unwrap_or_default()
            } else {
                vms_frame(&vms)?
            }
        }
        AzureCommand::Nsg { id } => az.nsg_rules(&id)?,
    };
    output::write(df, out)
}

/// Runs `huntbook sentinel`.
pub fn run_sentinel(args: SentinelArgs, out: &OutputOptions) -> Result<()> {
    let settings = args.config.settings()?;
    let s = Sentinel::from_settings(&settings, args.workspace.as_deref())?;
    let df = match args.command {
        SentinelCommand::Incidents {
            filter,
            orderby,
            top,
        } => {
            let mut q = IncidentQuery::new();
            if let Some(f) = filter {
                q = q.filter(f);
            }
            if let Some(o) = orderby {
                q = q.orderby(o);
            }
            if let Some(t) = top {
                q = q.top(t);
            }
            s.incidents(&q)?
        }
        SentinelCommand::Incident { id, part } => {
            let inc = s.incident(&id)?;
            match part.as_str() {
                "alerts" => inc.alerts,
                "entities" => inc.entities,
                "comments" => inc.comments,
                _ => inc.to_df()?,
            }
        }
        SentinelCommand::Update {
            id,
            status,
            severity,
            owner,
            classification,
        } => {
            let u = IncidentUpdate {
                status,
                severity,
                owner_upn: owner,
                classification,
                ..IncidentUpdate::default()
            };
            one_row(&s.update_incident(&id, &u)?)?
        }
        SentinelCommand::Comment { id, message } => one_row(&s.add_comment(&id, &message)?)?,
        SentinelCommand::AlertRules => s.alert_rules()?,
        SentinelCommand::HuntingQueries => s.hunting_queries()?,
        SentinelCommand::HuntingQuery { name } => message(&s.hunting_query_kql(&name)?)?,
        SentinelCommand::Bookmarks => s.bookmarks()?,
        SentinelCommand::Watchlists => s.watchlists()?,
        SentinelCommand::WatchlistItems { alias } => s.watchlist_items(&alias)?,
    };
    output::write(df, out)
}

/// Runs `huntbook blob`.
pub fn run_blob(args: BlobArgs, out: &OutputOptions) -> Result<()> {
    let settings = args.config.settings()?;
    let bs = BlobStorage::from_settings(&settings, args.account.as_deref())?;
    let df = match args.command {
        BlobCommand::Ls { container, prefix } => match container {
            Some(c) => bs.list_blobs(&c, prefix.as_deref())?,
            None => bs.list_containers(prefix.as_deref())?,
        },
        BlobCommand::Get {
            container,
            blob,
            to,
        } => match to {
            Some(path) => {
                let n = bs.download_to_file(&container, &blob, &path)?;
                message(&format!("wrote {n} bytes to {}", path.display()))?
            }
            None => bs.read_frame(&container, &blob)?,
        },
        BlobCommand::Put {
            container,
            blob,
            file,
        } => {
            let data = std::fs::read(&file).map_err(|e| Error::io("reading", &file, e))?;
            bs.put_blob(&container, &blob, &data)?;
            message(&format!(
                "uploaded {} bytes to {container}/{blob}",
                data.len()
            ))?
        }
        BlobCommand::Rm { container, blob } => {
            bs.delete_blob(&container, &blob)?;
            message(&format!("deleted {container}/{blob}"))?
        }
        BlobCommand::Sas {
            container,
            blob,
            permissions,
            hours,
        } => {
            let expiry = chrono::Utc::now() + chrono::Duration::hours(hours.max(1));
            // The user asked for the URL: this is the one place it is shown whole.
            let sas = bs.sas_url(&container, &blob, &permissions, expiry)?;
            message(sas.expose())?
        }
    };
    output::write(df, out)
}
