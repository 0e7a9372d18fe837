//! Alerts (with their related entities) and malware.

use super::Entity;
use super::process::File;
use super::serde_util as de;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A security alert (MSTICPy's `Alert`) with the entities it names.
/// Identity: the system alert id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Alert {
    /// The alert's display name.
    #[serde(
        rename = "DisplayName",
        alias = "AlertDisplayName",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub display_name: Option<String>,
    /// The alert type.
    #[serde(
        rename = "AlertType",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub alert_type: Option<String>,
    /// The compromised entity (usually a host name).
    #[serde(
        rename = "CompromisedEntity",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub compromised_entity: Option<String>,
    /// Severity.
    #[serde(
        rename = "Severity",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub severity: Option<String>,
    /// When the activity started.
    #[serde(
        rename = "StartTimeUtc",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub start_time_utc: Option<String>,
    /// When the activity ended.
    #[serde(
        rename = "EndTimeUtc",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub end_time_utc: Option<String>,
    /// When the alert was generated.
    #[serde(
        rename = "TimeGenerated",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub time_generated: Option<String>,
    /// The alert id.
    #[serde(
        rename = "SystemAlertId",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub system_alert_id: Option<String>,
    /// The product that raised it.
    #[serde(
        rename = "ProviderName",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub provider_name: Option<String>,
    /// The description.
    #[serde(
        rename = "Description",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<String>,
    /// The related entities.
    #[serde(rename = "Entities", skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<Entity>,
    /// Properties huntbook has no field for.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

/// Malware (MSTICPy's `Malware`). Identity: name and category.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Malware {
    /// The malware name.
    #[serde(
        rename = "Name",
        alias = "MalwareName",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// The category (`Trojan`).
    #[serde(
        rename = "Category",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub category: Option<String>,
    /// The file it was found in.
    #[serde(
        rename = "File",
        deserialize_with = "de::nested",
        skip_serializing_if = "Option::is_none"
    )]
    pub file: Option<Box<File>>,
    /// Properties huntbook has no field for.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}
