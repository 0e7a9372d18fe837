//! Remote drivers chosen by environment name (`MSSentinel`, `Kusto`,
//! `Splunk`, `MDE`), configured from settings.
//!
//! - `MSSentinel`: [`super::loganalytics::LogAnalyticsDriver`] on the
//!   `Default` workspace of `AzureSentinel.Workspaces` (else the first),
//!   with the credential of `Azure.auth_methods`.
//! - `Kusto`: [`super::kusto::KustoDriver`] over `KustoClusters`; with one
//!   cluster configured it is connected, with several the query's
//!   `cluster` metadata picks one (or connect with `cluster=`).
//! - `Splunk`: [`super::splunk::SplunkDriver`] from `DataProviders.Splunk`.
//! - `MDE` (also `M365D`, `M365DGraph`): [`super::mde::MdeDriver`] from
//!   `DataProviders.MicrosoftDefender`.

use super::kusto::KustoDriver;
use super::loganalytics::LogAnalyticsDriver;
use super::{Connection, Driver};
use crate::config::Settings;
use crate::error::Result;
use std::sync::Arc;

/// The remote driver and its connection for an environment name (any of
/// MSTICPy's spellings), or `None` when it is not a remote environment.
/// `M365D` and `M365DGraph` choose that Defender API over the `Api` setting.
pub fn from_settings(
    environment: &str,
    settings: &Settings,
) -> Option<Result<(Arc<dyn Driver>, Connection)>> {
    let env = crate::data::query::canonical_environment(environment);
    let requested_api = match environment.trim().to_ascii_lowercase().as_str() {
        "m365d" | "m365dgraph" => super::mde::DefenderApi::parse(environment).ok(),
        _ => None,
    };
    match env.as_str() {
        "MSSentinel" => Some(sentinel(settings)),
        "Kusto" => Some(kusto(settings)),
        "Splunk" => Some(
            super::splunk::SplunkDriver::from_settings(settings)
                .map(|d| (Arc::new(d) as Arc<dyn Driver>, Connection::new())),
        ),
        "MDE" => Some(
            super::mde::MdeDriver::from_settings_for(settings, requested_api)
                .map(|d| (Arc::new(d) as Arc<dyn Driver>, Connection::new())),
        ),
        _ => None,
    }
}

fn sentinel(settings: &Settings) -> Result<(Arc<dyn Driver>, Connection)> {
    let driver = LogAnalyticsDriver::from_settings(settings, &[])?;
    let conn = Connection::new().option("workspace_ids", driver.workspaces().join(","));
    Ok((Arc::new(driver), conn))
}

fn kusto(settings: &Settings) -> Result<(Arc<dyn Driver>, Connection)> {
    let driver = KustoDriver::from_settings(settings)?;
    Ok((Arc::new(driver), Connection::new()))
}
