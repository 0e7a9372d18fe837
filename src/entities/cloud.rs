//! Azure resources, cloud applications, mailboxes and mail messages.

use super::serde_util as de;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An Azure resource (MSTICPy's `AzureResource`). Identity: the resource
/// id, case-insensitive.
///
/// ```
/// use huntbook::entities::AzureResource;
/// let r = AzureResource::new("/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1");
/// assert_eq!(r.subscription_id().as_deref(), Some("s1"));
/// assert_eq!(r.resource_group().as_deref(), Some("rg1"));
/// assert_eq!(r.provider().as_deref(), Some("Microsoft.Compute/virtualMachines"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AzureResource {
    /// The resource id (`/subscriptions/…/providers/…`).
    #[serde(
        rename = "ResourceId",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub resource_id: Option<String>,
    /// Properties huntbook has no field for.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

impl AzureResource {
    /// A resource from its id.
    pub fn new(resource_id: &str) -> Self {
        Self {
            resource_id: Some(resource_id.trim().to_string()),
            ..Self::default()
        }
    }

    fn part_after(&self, key: &str) -> Option<String> {
        let id = self.resource_id.as_deref()?;
        let mut parts = id.split('/').filter(|p| !p.is_empty());
        while let Some(p) = parts.next() {
            if p.eq_ignore_ascii_case(key) {
                return parts.next().map(str::to_string);
            }
        }
        None
    }

    /// The subscription id in the resource id.
    pub fn subscription_id(&self) -> Option<String> {
        self.part_after("subscriptions")
    }

    /// The resource group in the resource id.
    pub fn resource_group(&self) -> Option<String> {
        self.part_after("resourceGroups")
    }

    /// `Namespace/type` of the resource (`Microsoft.Compute/virtualMachines`).
    pub fn provider(&self) -> Option<String> {
        let id = self.resource_id.as_deref()?;
        let lower = id.to_ascii_lowercase();
        let at = lower.rfind("/providers/")? + "/providers/".len();
        let mut parts = id[at..].split('/');
        let ns = parts.next()?;
        let ty = parts.next()?;
        Some(format!("{ns}/{ty}"))
    }
}

/// A cloud application (MSTICPy's `CloudApplication`). Identity: app id,
/// else name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CloudApplication {
    /// The application name.
    #[serde(
        rename = "Name",
        alias = "AppName",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub name: Option<String>,
    /// The application id.
    #[serde(
        rename = "AppId",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub app_id: Option<String>,
    /// The instance name.
    #[serde(
        rename = "InstanceName",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub instance_name: Option<String>,
    /// Properties huntbook has no field for.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

/// A mailbox (MSTICPy's `Mailbox`). Identity: the primary address,
/// case-insensitive.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Mailbox {
    /// The primary SMTP address.
    #[serde(
        rename = "MailboxPrimaryAddress",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub mailbox_primary_address: Option<String>,
    /// The display name.
    #[serde(
        rename = "DisplayName",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub display_name: Option<String>,
    /// The owner's UPN.
    #[serde(
        rename = "Upn",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub upn: Option<String>,
    /// The Azure AD object id.
    #[serde(
        rename = "ExternalDirectoryObjectId",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub external_directory_object_id: Option<String>,
    /// Properties huntbook has no field for.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

/// A mail message (MSTICPy's `MailMessage`). Identity: the network message
/// id, else the internet message id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MailMessage {
    /// The recipient.
    #[serde(
        rename = "Recipient",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub recipient: Option<String>,
    /// The sender.
    #[serde(
        rename = "Sender",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub sender: Option<String>,
    /// The P1 (envelope) sender.
    #[serde(
        rename = "P1Sender",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub p1_sender: Option<String>,
    /// The P2 (header) sender.
    #[serde(
        rename = "P2Sender",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub p2_sender: Option<String>,
    /// The subject.
    #[serde(
        rename = "Subject",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub subject: Option<String>,
    /// Exchange's network message id.
    #[serde(
        rename = "NetworkMessageId",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub network_message_id: Option<String>,
    /// The Internet message id.
    #[serde(
        rename = "InternetMessageId",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub internet_message_id: Option<String>,
    /// When it was received.
    #[serde(
        rename = "ReceivedDate",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub received_date: Option<String>,
    /// URLs in the message.
    #[serde(rename = "Urls", skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    /// Properties huntbook has no field for.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}
