//! Remote drivers chosen by environment name (`MSSentinel`, `Kusto`,
//! `Splunk`, `MDE`), configured from settings.

use super::{Connection, Driver};
use crate::config::Settings;
use crate::error::Result;
use std::sync::Arc;

/// The remote driver and its connection for a canonical environment name,
/// or `None` when `env` is not a remote environment.
pub fn from_settings(
    env: &str,
    settings: &Settings,
) -> Option<Result<(Arc<dyn Driver>, Connection)>> {
    let _ = (env, settings);
    None
}
