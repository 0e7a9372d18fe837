//! Resource ids, resource details and virtual machines (with their network)
//! as values, frames and Host entities.

use super::arm::normalize_json;
use crate::display::NotebookDisplay;
use crate::error::{Error, PolarsContext, Result};
use crate::vis::html::HtmlBuilder;
use crate::vis::table::{TableOptions, table_html, table_text};
use polars::prelude::*;
use serde_json::Value;
use std::collections::BTreeMap;

/// The parts of an ARM resource id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceId {
    /// The subscription id.
    pub subscription: String,
    /// The resource group (`None` for subscription-level resources).
    pub resource_group: Option<String>,
    /// The provider namespace (`Microsoft.Compute`).
    pub namespace: Option<String>,
    /// The resource type below the namespace (`virtualMachines`,
    /// `networkSecurityGroups/securityRules`).
    pub resource_type: Option<String>,
    /// The last name in the id.
    pub name: Option<String>,
}

impl ResourceId {
    /// Parses `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/{sub}/{name}…]`.
    ///
    /// ```
    /// use huntbook::azure::resources::ResourceId;
    /// let id = ResourceId::parse("/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1").unwrap();
    /// assert_eq!(id.namespace.as_deref(), Some("Microsoft.Compute"));
    /// assert_eq!(id.resource_type.as_deref(), Some("virtualMachines"));
    /// assert_eq!(id.name.as_deref(), Some("vm1"));
    /// ```
    pub fn parse(id: &str) -> Result<Self> {
        let bad = |m: &str| Error::invalid(format!("resource id '{id}'"), m.to_string());
        let parts: Vec<&str> = id.trim_matches('/').split('/').collect();
        if parts.len() < 2 || !parts[0].eq_ignore_ascii_case("subscriptions") || parts[1].is_empty()
        {
            return Err(bad("expected /subscriptions/{id}/…"));
        }
        let mut out = ResourceId {
            subscription: parts[1].to_string(),
            resource_group: None,
            namespace: None,
            resource_type: None,
            name: None,
        };
        let mut i = 2;
        if parts.len() > 3 && parts[2].eq_ignore_ascii_case("resourceGroups") {
            out.resource_group = Some(parts[3].to_string());
            out.name = Some(parts[3].to_string());
            i = 4;
        }
        if i < parts.len() {
            if !parts[i].eq_ignore_ascii_case("providers") || parts.len() < i + 4 {
                return Err(bad(
                    "expected …/providers/{namespace}/{type}/{name} after the resource group",
                ));
            }
            out.namespace = Some(parts[i + 1].to_string());
            let rest = &parts[i + 2..];
            if !rest.len().is_multiple_of(2) {
                return Err(bad("a resource type without a name"));
            }
            let types: Vec<&str> = rest.iter().step_by(2).copied().collect();
            out.resource_type = Some(types.join("/"));
            out.name = rest.last().map(|s| s.to_string());
        }
        Ok(out)
    }
}

/// Details of one resource (`GET {id}`).
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceDetails {
    /// The resource id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `Microsoft.Compute/virtualMachines`.
    pub resource_type: String,
    /// Its region.
    pub location: Option<String>,
    /// The whole JSON answer (`properties`, `tags`, `sku`, …).
    pub json: Value,
}

impl ResourceDetails {
    /// One row: `resource_id`, `name`, `resource_type`, `location`, then the
    /// flattened JSON (`properties.*`, `tags.*`, …).
    pub fn to_df(&self) -> Result<DataFrame> {
        let mut obj = serde_json::Map::new();
        obj.insert("resource_id".into(), Value::String(self.id.clone()));
        obj.insert("name".into(), Value::String(self.name.clone()));
        obj.insert(
            "resource_type".into(),
            Value::String(self.resource_type.clone()),
        );
        obj.insert(
            "location".into(),
            self.location.clone().map(Value::String).unwrap_or_default(),
        );
        if let Value::Object(m) = &self.json {
            for (k, v) in m {
                if !matches!(k.as_str(), "id" | "name" | "type" | "location") {
                    obj.insert(k.clone(), v.clone());
                }
            }
        }
        normalize_json(&[Value::Object(obj)])
    }
}

impl NotebookDisplay for ResourceDetails {
    fn to_html(&self) -> String {
        let df = self.to_df().unwrap_or_default();
        let mut b = HtmlBuilder::new();
        b.open("div", &[("class", "huntbook-azure-resource")]);
        b.element(
            "h4",
            &[],
            &format!("{} ({})", self.name, self.resource_type),
        );
        // Table HTML is built by the escaping table renderer.
        format!("{}{}</div>", b.finish(), transpose_html(&df))
    }
    fn to_text(&self) -> String {
        format!(
            "{} ({})\n{}",
            self.name,
            self.resource_type,
            serde_json::to_string_pretty(&self.json).unwrap_or_default()
        )
    }
}

fn transpose_html(df: &DataFrame) -> String {
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let values: Vec<String> = df
        .columns()
        .iter()
        .map(|c| {
            c.get(0)
                .ok()
                .and_then(|v| crate::vis::table::cell_text(&v))
                .unwrap_or_default()
        })
        .collect();
    let t = DataFrame::new(
        names.len(),
        vec![
            Column::new("field".into(), names),
            Column::new("value".into(), values),
        ],
    )
    .unwrap_or_default();
    table_html(&t, &TableOptions::default().max_rows(200))
}

/// A virtual machine and its network: what [`AzureData::vm`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct VmDetails {
    /// The VM's resource id (MSTICPy's `AzureID`).
    pub azure_id: String,
    /// The VM name.
    pub name: String,
    /// The guest's computer name (`osProfile.computerName`).
    pub computer_name: Option<String>,
    /// The VM's unique id (`properties.vmId`).
    pub vm_id: Option<String>,
    /// The resource group.
    pub resource_group: Option<String>,
    /// The subscription.
    pub subscription_id: Option<String>,
    /// The region.
    pub location: Option<String>,
    /// `hardwareProfile.vmSize`.
    pub size: Option<String>,
    /// `Windows` or `Linux` (`storageProfile.osDisk.osType`).
    pub os_type: Option<String>,
    /// The OS name (instance view `osName`, else the image offer).
    pub os_name: Option<String>,
    /// The OS version (instance view `osVersion`, else the image SKU).
    pub os_version: Option<String>,
    /// The power state from the instance view (`running`, `deallocated`).
    pub power_state: Option<String>,
    /// The VM's tags.
    pub tags: BTreeMap<String, String>,
    /// One row per NIC IP configuration (see [`AzureData::network_interfaces`]).
    pub network: DataFrame,
    /// The private IP addresses.
    pub private_ips: Vec<String>,
    /// The public IP addresses.
    pub public_ips: Vec<String>,
    /// The network security groups on the NICs.
    pub nsg_ids: Vec<String>,
}

impl VmDetails {
    /// One row with MSTICPy's column names where it has them
    /// (`AzureID`, `OSType`, `OSName`, `OSVersion`, `PrivateIPs`, `PublicIPs`).
    pub fn to_df(&self) -> Result<DataFrame> {
        let opt = |name: &str, v: &Option<String>| Column::new(name.into(), [v.clone()]);
        let list = |name: &str, v: &[String]| Column::new(name.into(), [v.join(", ")]);
        DataFrame::new(
            1,
            vec![
                Column::new("AzureID".into(), [self.azure_id.clone()]),
                Column::new("Name".into(), [self.name.clone()]),
                opt("ComputerName", &self.computer_name),
                opt("VMId", &self.vm_id),
                opt("ResourceGroup", &self.resource_group),
                opt("SubscriptionId", &self.subscription_id),
                opt("Location", &self.location),
                opt("Size", &self.size),
                opt("OSType", &self.os_type),
                opt("OSName", &self.os_name),
                opt("OSVersion", &self.os_version),
                opt("PowerState", &self.power_state),
                list("PrivateIPs", &self.private_ips),
                list("PublicIPs", &self.public_ips),
                list("NSGs", &self.nsg_ids),
            ],
        )
        .ctx("building the VM frame")
    }
}

impl VmDetails {
    /// The Host entity for this VM (pivot-ready): host name (the computer
    /// name, else the VM name; a dotted name gives the DNS domain),
    /// `AzureID`, `OSFamily`, `OSVersion` and the private and public IP
    /// addresses.
    pub fn to_host(&self) -> crate::entities::Host {
        let name = self.computer_name.as_deref().unwrap_or(&self.name);
        let mut host = crate::entities::Host::new(name);
        host.azure_id = Some(self.azure_id.clone());
        host.os_family = self.os_type.clone();
        host.os_version = self.os_version.clone();
        host.ip_addresses = self
            .private_ips
            .iter()
            .chain(&self.public_ips)
            .map(|ip| crate::entities::IpAddress::new(ip))
            .collect();
        host
    }
}

impl NotebookDisplay for VmDetails {
    fn to_html(&self) -> String {
        let mut head = HtmlBuilder::new();
        head.open("div", &[("class", "huntbook-azure-vm")]);
        head.element("h4", &[], &format!("Virtual machine {}", self.name));
        let mut mid = HtmlBuilder::new();
        mid.element("h5", &[], "Network interfaces");
        // Table HTML is built by the escaping table renderer.
        format!(
            "{}{}{}{}</div>",
            head.finish(),
            transpose_html(&self.to_df().unwrap_or_default()),
            mid.finish(),
            table_html(&self.network, &TableOptions::default())
        )
    }
    fn to_text(&self) -> String {
        format!(
            "{}\n{}",
            table_text(&self.to_df().unwrap_or_default()),
            table_text(&self.network)
        )
    }
}

/// Stacks VMs' [`VmDetails::to_df`] rows.
pub fn vms_frame(vms: &[VmDetails]) -> Result<DataFrame> {
    let mut out: Option<DataFrame> = None;
    for vm in vms {
        let row = vm.to_df()?;
        out = Some(match out {
            None => row,
            Some(mut acc) => {
                acc.vstack_mut(&row).ctx("stacking VM rows")?;
                acc
            }
        });
    }
    match out {
        Some(df) => Ok(df),
        None => VmDetails {
            azure_id: String::new(),
            name: String::new(),
            computer_name: None,
            vm_id: None,
            resource_group: None,
            subscription_id: None,
            location: None,
            size: None,
            os_type: None,
            os_name: None,
            os_version: None,
            power_state: None,
            tags: BTreeMap::new(),
            network: DataFrame::default(),
            private_ips: vec![],
            public_ips: vec![],
            nsg_ids: vec![],
        }
        .to_df()
        .map(|d| d.head(Some(0))),
    }
}
