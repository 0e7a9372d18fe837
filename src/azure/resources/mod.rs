//! Azure resource data (MSTICPy's `AzureData`): subscriptions, resource
//! groups and resources, a resource's details by id, virtual machines with
//! their network interfaces, IP addresses and network security groups, and a
//! host → Azure resource lookup that feeds the Host entity (AzureID, OS,
//! IPs).
//!
//! Everything goes through [`ArmClient`]: Azure Resource Manager REST calls
//! with a bearer token from an `Arc<dyn TokenSource>` (401 → fresh token and
//! one retry), the shared [`HttpClient`] (timeouts, retries, `429
//! Retry-After`, bounded bodies, URL-free errors) and `nextLink` pagination
//! (bounded by [`ArmClient::max_pages`], and only to the same endpoint so a
//! token is never sent elsewhere).
//!
//! Each call has an async form (`*_async`) and a blocking one for notebook
//! cells and the CLI (a runtime per call, see [`crate::session::block_on`]).
//!
//! ```no_run
//! use huntbook::azure::auth::{AccessToken, StaticToken};
//! use huntbook::azure::resources::{ArmClient, AzureData};
//! use std::sync::Arc;
//! let tokens = Arc::new(StaticToken::new(AccessToken::new("eyJ...", None)));
//! let az = AzureData::new(ArmClient::new(tokens, "https://management.azure.com")?);
//! let subs = az.subscriptions()?;
//! let host = az.host_lookup("00000000-0000-0000-0000-000000000000", "web01")?;
//! # Ok::<(), huntbook::Error>(())
//! ```

mod arm;
mod vm;

pub use arm::{ArmClient, DEFAULT_MAX_PAGES, normalize_json};
pub(crate) use arm::{enc, json_text, s};
pub use vm::{ResourceDetails, ResourceId, VmDetails, vms_frame};

use crate::error::{Error, PolarsContext, Result};
use polars::prelude::*;
use serde_json::Value;
use std::collections::BTreeSet;

/// The public-cloud Azure Resource Manager endpoint.
pub const ARM_ENDPOINT: &str = "https://management.azure.com";

/// `api-version` of the subscriptions API.
pub const SUBSCRIPTIONS_API: &str = "2022-12-01";
/// `api-version` of resource groups and the generic resources list.
pub const RESOURCES_API: &str = "2021-04-01";
/// `api-version` of `Microsoft.Compute`.
pub const COMPUTE_API: &str = "2024-03-01";
/// `api-version` of `Microsoft.Network`.
pub const NETWORK_API: &str = "2023-09-01";

/// The `api-version` huntbook uses for a resource provider namespace
/// (case-insensitive), when it knows one; other namespaces are looked up
/// from the subscription's provider registration.
///
/// ```
/// use huntbook::azure::resources::api_version_for;
/// assert_eq!(api_version_for("Microsoft.Compute"), Some("2024-03-01"));
/// assert_eq!(api_version_for("microsoft.network"), Some("2023-09-01"));
/// assert_eq!(api_version_for("Contoso.Widgets"), None);
/// ```
pub fn api_version_for(namespace: &str) -> Option<&'static str> {
    let table: &[(&str, &str)] = &[
        ("Microsoft.Compute", COMPUTE_API),
        ("Microsoft.Network", NETWORK_API),
        ("Microsoft.Resources", RESOURCES_API),
        ("Microsoft.Storage", "2023-05-01"),
        ("Microsoft.KeyVault", "2023-07-01"),
        ("Microsoft.Web", "2023-12-01"),
        ("Microsoft.Sql", "2021-11-01"),
        ("Microsoft.ContainerService", "2024-02-01"),
        ("Microsoft.OperationalInsights", "2023-09-01"),
        ("Microsoft.SecurityInsights", "2024-03-01"),
        ("Microsoft.Insights", "2021-05-01"),
        ("Microsoft.ManagedIdentity", "2023-01-31"),
        ("Microsoft.Authorization", "2022-04-01"),
    ];
    table
        .iter()
        .find(|(ns, _)| ns.eq_ignore_ascii_case(namespace))
        .map(|(_, v)| *v)
}

/// Azure resource data over Resource Manager (MSTICPy's `AzureData`).
#[derive(Debug, Clone)]
pub struct AzureData {
    arm: ArmClient,
}

impl AzureData {
    /// Resource data through this client.
    pub fn new(arm: ArmClient) -> Self {
        Self { arm }
    }

    /// Resource data with the cloud and credential of the settings
    /// ([`ArmClient::from_settings`]).
    pub fn from_settings(settings: &crate::config::Settings) -> Result<Self> {
        Ok(Self::new(ArmClient::from_settings(settings)?))
    }

    /// The client.
    pub fn arm(&self) -> &ArmClient {
        &self.arm
    }

    /// Subscriptions the credential can see: `Subscription ID`,
    /// `Display Name`, `State`, `Tenant ID` (MSTICPy's first three names).
    pub async fn subscriptions_async(&self) -> Result<DataFrame> {
        let items = self
            .arm
            .list(
                reqwest::Method::GET,
                &format!("/subscriptions?api-version={SUBSCRIPTIONS_API}"),
                None,
                "listing subscriptions",
            )
            .await?;
        let col = |name: &str, p: &str| {
            Column::new(
                name.into(),
                items.iter().map(|v| s(v, p)).collect::<Vec<_>>(),
            )
        };
        DataFrame::new(
            items.len(),
            vec![
                col("Subscription ID", "/subscriptionId"),
                col("Display Name", "/displayName"),
                col("State", "/state"),
                col("Tenant ID", "/tenantId"),
            ],
        )
        .ctx("building the subscriptions frame")
    }

    /// Blocking [`Self::subscriptions_async`].
    pub fn subscriptions(&self) -> Result<DataFrame> {
        crate::session::block_on(self.subscriptions_async())?
    }

    /// Resource groups of a subscription: `resource_group`, `location`,
    /// `provisioning_state`, `managed_by`, `tags` (JSON), `resource_id`.
    pub async fn resource_groups_async(&self, subscription: &str) -> Result<DataFrame> {
        let items = self
            .arm
            .list(
                reqwest::Method::GET,
                &format!(
                    "/subscriptions/{}/resourcegroups?api-version={RESOURCES_API}",
                    enc(subscription)
                ),
                None,
                &format!("listing resource groups of subscription '{subscription}'"),
            )
            .await?;
        let col = |name: &str, p: &str| {
            Column::new(
                name.into(),
                items.iter().map(|v| s(v, p)).collect::<Vec<_>>(),
            )
        };
        DataFrame::new(
            items.len(),
            vec![
                col("resource_group", "/name"),
                col("location", "/location"),
                col("provisioning_state", "/properties/provisioningState"),
                col("managed_by", "/managedBy"),
                col("tags", "/tags"),
                col("resource_id", "/id"),
            ],
        )
        .ctx("building the resource groups frame")
    }

    /// Blocking [`Self::resource_groups_async`].
    pub fn resource_groups(&self, subscription: &str) -> Result<DataFrame> {
        crate::session::block_on(self.resource_groups_async(subscription))?
    }

    /// Resources of a subscription, optionally of one type
    /// (`Microsoft.Compute/virtualMachines`): MSTICPy's columns
    /// `resource_id`, `name`, `resource_type`, `location`, `tags`, `plan`,
    /// `kind`, `managed_by`, `sku`, `identity`, plus `resource_group`.
    pub async fn resources_async(
        &self,
        subscription: &str,
        resource_type: Option<&str>,
    ) -> Result<DataFrame> {
        let mut path = format!(
            "/subscriptions/{}/resources?api-version={RESOURCES_API}",
            enc(subscription)
        );
        if let Some(t) = resource_type {
            if t.contains('\'') {
                return Err(Error::invalid(
                    format!("resource type '{t}'"),
                    "must not contain quotes",
                ));
            }
            path.push_str("&$filter=");
            path.push_str(&enc(&format!("resourceType eq '{t}'")));
        }
        let items = self
            .arm
            .list(
                reqwest::Method::GET,
                &path,
                None,
                &format!("listing resources of subscription '{subscription}'"),
            )
            .await?;
        let col = |name: &str, p: &str| {
            Column::new(
                name.into(),
                items.iter().map(|v| s(v, p)).collect::<Vec<_>>(),
            )
        };
        let groups: Vec<Option<String>> = items
            .iter()
            .map(|v| {
                s(v, "/id")
                    .and_then(|id| ResourceId::parse(&id).ok())
                    .and_then(|r| r.resource_group)
            })
            .collect();
        DataFrame::new(
            items.len(),
            vec![
                col("resource_id", "/id"),
                col("name", "/name"),
                col("resource_type", "/type"),
                col("location", "/location"),
                Column::new("resource_group".into(), groups),
                col("tags", "/tags"),
                col("plan", "/plan"),
                col("kind", "/kind"),
                col("managed_by", "/managedBy"),
                col("sku", "/sku"),
                col("identity", "/identity"),
            ],
        )
        .ctx("building the resources frame")
    }

    /// Blocking [`Self::resources_async`].
    pub fn resources(&self, subscription: &str, resource_type: Option<&str>) -> Result<DataFrame> {
        crate::session::block_on(self.resources_async(subscription, resource_type))?
    }

    /// The `api-version` for a resource id: huntbook's table, else the
    /// newest non-preview version the subscription's provider registration
    /// lists for that type.
    pub async fn api_version_async(&self, id: &ResourceId) -> Result<String> {
        let Some(ns) = id.namespace.as_deref() else {
            return Ok(RESOURCES_API.to_string());
        };
        if let Some(v) = api_version_for(ns) {
            return Ok(v.to_string());
        }
        let what = format!("looking up the api-version of provider '{ns}'");
        let json = self
            .arm
            .get_json(
                &format!(
                    "/subscriptions/{}/providers/{}?api-version={RESOURCES_API}",
                    enc(&id.subscription),
                    enc(ns)
                ),
                &what,
            )
            .await?;
        let want = id.resource_type.clone().unwrap_or_default();
        let versions: Vec<String> = json
            .get("resourceTypes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|t| {
                t.get("resourceType")
                    .and_then(Value::as_str)
                    .is_some_and(|rt| rt.eq_ignore_ascii_case(&want))
            })
            .and_then(|t| t.get("apiVersions"))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        let mut stable: Vec<&String> = versions.iter().filter(|v| !v.contains("preview")).collect();
        stable.sort();
        stable
            .last()
            .map(|v| v.to_string())
            .or_else(|| versions.first().cloned())
            .ok_or_else(|| Error::Runtime(format!("{what}: type '{want}' lists no api-versions")))
    }

    /// Details of a resource by id.
    pub async fn resource_details_async(&self, resource_id: &str) -> Result<ResourceDetails> {
        let id = ResourceId::parse(resource_id)?;
        let version = self.api_version_async(&id).await?;
        let json = self
            .arm
            .get_json(
                &format!(
                    "{}?api-version={version}",
                    resource_id.trim_end_matches('/')
                ),
                &format!("reading resource '{resource_id}'"),
            )
            .await?;
        Ok(ResourceDetails {
            id: s(&json, "/id").unwrap_or_else(|| resource_id.to_string()),
            name: s(&json, "/name").or(id.name.clone()).unwrap_or_default(),
            resource_type: s(&json, "/type").unwrap_or_else(|| {
                format!(
                    "{}/{}",
                    id.namespace.clone().unwrap_or_default(),
                    id.resource_type.clone().unwrap_or_default()
                )
            }),
            location: s(&json, "/location"),
            json,
        })
    }

    /// Blocking [`Self::resource_details_async`].
    pub fn resource_details(&self, resource_id: &str) -> Result<ResourceDetails> {
        crate::session::block_on(self.resource_details_async(resource_id))?
    }

    async fn get_versioned(&self, id: &str, version: &str, what: &str) -> Result<Value> {
        self.arm
            .get_json(
                &format!("{}?api-version={version}", id.trim_end_matches('/')),
                what,
            )
            .await
    }

    /// A VM with its network interfaces, IPs and NSGs; with
    /// `instance_view`, also the OS name/version and power state (a VM
    /// whose instance view cannot be read keeps the image's values).
    pub async fn vm_async(&self, vm_id: &str, instance_view: bool) -> Result<VmDetails> {
        let json = self
            .get_versioned(vm_id, COMPUTE_API, &format!("reading VM '{vm_id}'"))
            .await?;
        self.vm_from_json(vm_id, json, instance_view).await
    }

    /// Blocking [`Self::vm_async`].
    pub fn vm(&self, vm_id: &str, instance_view: bool) -> Result<VmDetails> {
        crate::session::block_on(self.vm_async(vm_id, instance_view))?
    }

    async fn vm_from_json(
        &self,
        vm_id: &str,
        json: Value,
        instance_view: bool,
    ) -> Result<VmDetails> {
        let id = s(&json, "/id").unwrap_or_else(|| vm_id.to_string());
        let rid = ResourceId::parse(&id).ok();
        let (mut os_name, mut os_version, mut power_state) = (
            s(&json, "/properties/storageProfile/imageReference/offer"),
            s(&json, "/properties/storageProfile/imageReference/sku"),
            None,
        );
        let iv = if instance_view {
            json.pointer("/properties/instanceView").cloned().or(self
                .get_versioned(
                    &format!("{}/instanceView", id.trim_end_matches('/')),
                    COMPUTE_API,
                    &format!("reading the instance view of VM '{id}'"),
                )
                .await
                .ok())
        } else {
            json.pointer("/properties/instanceView").cloned()
        };
        if let Some(iv) = iv {
            if let Some(n) = s(&iv, "/osName") {
                os_name = Some(n);
            }
            if let Some(v) = s(&iv, "/osVersion") {
                os_version = Some(v);
            }
            power_state = iv
                .get("statuses")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|st| st.get("code").and_then(Value::as_str))
                .find_map(|c| c.strip_prefix("PowerState/").map(String::from));
        }
        let nic_ids: Vec<String> = json
            .pointer("/properties/networkProfile/networkInterfaces")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|n| s(n, "/id"))
            .collect();
        let network = self.network_interfaces_async(&nic_ids).await?;
        let strings = |c: &str| -> Vec<String> {
            let mut out: Vec<String> = network
                .column(c)
                .ok()
                .and_then(|c| c.str().ok().cloned())
                .map(|ca| ca.iter().flatten().map(String::from).collect())
                .unwrap_or_default();
            let mut seen = BTreeSet::new();
            out.retain(|x| seen.insert(x.clone()));
            out
        };
        let tags = json
            .get("tags")
            .and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), json_text(v))).collect())
            .unwrap_or_default();
        Ok(VmDetails {
            azure_id: id.clone(),
            name: s(&json, "/name")
                .or(rid.as_ref().and_then(|r| r.name.clone()))
                .unwrap_or_default(),
            computer_name: s(&json, "/properties/osProfile/computerName"),
            vm_id: s(&json, "/properties/vmId"),
            resource_group: rid.as_ref().and_then(|r| r.resource_group.clone()),
            subscription_id: rid.as_ref().map(|r| r.subscription.clone()),
            location: s(&json, "/location"),
            size: s(&json, "/properties/hardwareProfile/vmSize"),
            os_type: s(&json, "/properties/storageProfile/osDisk/osType"),
            os_name,
            os_version,
            power_state,
            tags,
            private_ips: strings("private_ip"),
            public_ips: strings("public_ip"),
            nsg_ids: strings("nsg_id"),
            network,
        })
    }

    /// Network interfaces by id, one row per IP configuration: `nic_id`,
    /// `nic_name`, `mac_address`, `ip_config`, `private_ip`,
    /// `private_ip_allocation`, `subnet_id`, `public_ip_id`, `public_ip`,
    /// `public_ip_allocation`, `fqdn`, `nsg_id`.
    pub async fn network_interfaces_async(&self, nic_ids: &[String]) -> Result<DataFrame> {
        let mut rows: Vec<[Option<String>; 12]> = Vec::new();
        for nic_id in nic_ids {
            let nic = self
                .get_versioned(
                    nic_id,
                    NETWORK_API,
                    &format!("reading network interface '{nic_id}'"),
                )
                .await?;
            let nsg = s(&nic, "/properties/networkSecurityGroup/id");
            let configs: Vec<Value> = nic
                .pointer("/properties/ipConfigurations")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for cfg in configs {
                let pip_id = s(&cfg, "/properties/publicIPAddress/id");
                let (mut pip, mut pip_alloc, mut fqdn) = (
                    s(&cfg, "/properties/publicIPAddress/properties/ipAddress"),
                    None,
                    None,
                );
                if let Some(pid) = &pip_id {
                    let p = self
                        .get_versioned(
                            pid,
                            NETWORK_API,
                            &format!("reading public IP address '{pid}'"),
                        )
                        .await?;
                    pip = s(&p, "/properties/ipAddress").or(pip);
                    pip_alloc = s(&p, "/properties/publicIPAllocationMethod");
                    fqdn = s(&p, "/properties/dnsSettings/fqdn");
                }
                rows.push([
                    Some(nic_id.clone()),
                    s(&nic, "/name"),
                    s(&nic, "/properties/macAddress"),
                    s(&cfg, "/name"),
                    s(&cfg, "/properties/privateIPAddress"),
                    s(&cfg, "/properties/privateIPAllocationMethod"),
                    s(&cfg, "/properties/subnet/id"),
                    pip_id,
                    pip,
                    pip_alloc,
                    fqdn,
                    nsg.clone(),
                ]);
            }
        }
        let names = [
            "nic_id",
            "nic_name",
            "mac_address",
            "ip_config",
            "private_ip",
            "private_ip_allocation",
            "subnet_id",
            "public_ip_id",
            "public_ip",
            "public_ip_allocation",
            "fqdn",
            "nsg_id",
        ];
        let cols = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                Column::new(
                    (*n).into(),
                    rows.iter().map(|r| r[i].clone()).collect::<Vec<_>>(),
                )
            })
            .collect();
        DataFrame::new(rows.len(), cols).ctx("building the network interfaces frame")
    }

    /// Blocking [`Self::network_interfaces_async`].
    pub fn network_interfaces(&self, nic_ids: &[String]) -> Result<DataFrame> {
        crate::session::block_on(self.network_interfaces_async(nic_ids))?
    }

    /// The rules of a network security group, custom rules first then the
    /// default rules, each sorted by direction and priority: `nsg_id`,
    /// `rule_name`, `direction`, `priority`, `access`, `protocol`,
    /// `source_addresses`, `source_ports`, `destination_addresses`,
    /// `destination_ports`, `default_rule`, `description`.
    pub async fn nsg_rules_async(&self, nsg_id: &str) -> Result<DataFrame> {
        let nsg = self
            .get_versioned(
                nsg_id,
                NETWORK_API,
                &format!("reading network security group '{nsg_id}'"),
            )
            .await?;
        let mut rules: Vec<(bool, Value)> = Vec::new();
        for (key, default) in [("securityRules", false), ("defaultSecurityRules", true)] {
            if let Some(a) = nsg
                .pointer(&format!("/properties/{key}"))
                .and_then(Value::as_array)
            {
                rules.extend(a.iter().cloned().map(|r| (default, r)));
            }
        }
        rules.sort_by_key(|(d, r)| {
            (
                *d,
                s(r, "/properties/direction").unwrap_or_default(),
                r.pointer("/properties/priority")
                    .and_then(Value::as_i64)
                    .unwrap_or(i64::MAX),
            )
        });
        // A rule has either the singular or the plural form of each field.
        let both = |r: &Value, one: &str, many: &str| -> Option<String> {
            let mut v: Vec<String> = Vec::new();
            if let Some(x) = s(r, &format!("/properties/{one}")) {
                v.push(x);
            }
            if let Some(a) = r
                .pointer(&format!("/properties/{many}"))
                .and_then(Value::as_array)
            {
                v.extend(a.iter().map(json_text));
            }
            (!v.is_empty()).then(|| v.join(", "))
        };
        let n = rules.len();
        let str_col = |name: &str, f: &dyn Fn(&Value) -> Option<String>| {
            Column::new(
                name.into(),
                rules.iter().map(|(_, r)| f(r)).collect::<Vec<_>>(),
            )
        };
        DataFrame::new(
            n,
            vec![
                Column::new("nsg_id".into(), vec![nsg_id.to_string(); n]),
                str_col("rule_name", &|r| s(r, "/name")),
                str_col("direction", &|r| s(r, "/properties/direction")),
                Column::new(
                    "priority".into(),
                    rules
                        .iter()
                        .map(|(_, r)| r.pointer("/properties/priority").and_then(Value::as_i64))
                        .collect::<Vec<_>>(),
                ),
                str_col("access", &|r| s(r, "/properties/access")),
                str_col("protocol", &|r| s(r, "/properties/protocol")),
                str_col("source_addresses", &|r| {
                    both(r, "sourceAddressPrefix", "sourceAddressPrefixes")
                }),
                str_col("source_ports", &|r| {
                    both(r, "sourcePortRange", "sourcePortRanges")
                }),
                str_col("destination_addresses", &|r| {
                    both(r, "destinationAddressPrefix", "destinationAddressPrefixes")
                }),
                str_col("destination_ports", &|r| {
                    both(r, "destinationPortRange", "destinationPortRanges")
                }),
                Column::new(
                    "default_rule".into(),
                    rules.iter().map(|(d, _)| *d).collect::<Vec<_>>(),
                ),
                str_col("description", &|r| s(r, "/properties/description")),
            ],
        )
        .ctx("building the NSG rules frame")
    }

    /// Blocking [`Self::nsg_rules_async`].
    pub fn nsg_rules(&self, nsg_id: &str) -> Result<DataFrame> {
        crate::session::block_on(self.nsg_rules_async(nsg_id))?
    }

    /// Finds the VMs of a subscription whose name or computer name is
    /// `host` (case-insensitive; a fully qualified name also matches its
    /// first label) and returns their details with network (AzureID, OS,
    /// IPs), for the Host entity.
    pub async fn host_lookup_async(
        &self,
        subscription: &str,
        host: &str,
    ) -> Result<Vec<VmDetails>> {
        let want = host.trim().to_ascii_lowercase();
        if want.is_empty() {
            return Err(Error::invalid("host name", "is empty"));
        }
        let short = want.split('.').next().unwrap_or(&want).to_string();
        let vms = self
            .arm
            .list(
                reqwest::Method::GET,
                &format!(
                    "/subscriptions/{}/providers/Microsoft.Compute/virtualMachines?api-version={COMPUTE_API}",
                    enc(subscription)
                ),
                None,
                &format!("listing VMs of subscription '{subscription}'"),
            )
            .await?;
        let mut out = Vec::new();
        for vm in vms {
            let names = [
                s(&vm, "/name"),
                s(&vm, "/properties/osProfile/computerName"),
            ];
            let hit = names.iter().flatten().any(|n| {
                let n = n.to_ascii_lowercase();
                n == want || n == short || n.split('.').next() == Some(short.as_str())
            });
            if hit {
                let id = s(&vm, "/id").unwrap_or_default();
                out.push(self.vm_from_json(&id, vm, true).await?);
            }
        }
        Ok(out)
    }

    /// Blocking [`Self::host_lookup_async`].
    pub fn host_lookup(&self, subscription: &str, host: &str) -> Result<Vec<VmDetails>> {
        crate::session::block_on(self.host_lookup_async(subscription, host))?
    }

    /// [`Self::host_lookup`] as a frame (one row per matching VM, the
    /// columns of [`VmDetails::to_df`]).
    pub fn host_lookup_df(&self, subscription: &str, host: &str) -> Result<DataFrame> {
        vms_frame(&self.host_lookup(subscription, host)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_id_parts() {
        let id = ResourceId::parse(
            "/subscriptions/s1/resourceGroups/RG1/providers/Microsoft.Network/networkSecurityGroups/n1/securityRules/r1",
        )
        .unwrap();
        assert_eq!(id.subscription, "s1");
        assert_eq!(id.resource_group.as_deref(), Some("RG1"));
        assert_eq!(id.namespace.as_deref(), Some("Microsoft.Network"));
        assert_eq!(
            id.resource_type.as_deref(),
            Some("networkSecurityGroups/securityRules")
        );
        assert_eq!(id.name.as_deref(), Some("r1"));
        let e = ResourceId::parse("/nope/x").unwrap_err().to_string();
        assert_eq!(
            e,
            "invalid resource id '/nope/x': expected /subscriptions/{id}/…"
        );
        assert!(ResourceId::parse("/subscriptions/s/resourceGroups/rg/providers/X/y").is_err());
    }

    #[test]
    fn normalize_types_and_nesting() {
        let v = serde_json::json!([
            {"id": "a", "n": 1, "f": 1.5, "b": true, "p": {"x": {"y": "z"}, "l": [1, 2]}},
            {"id": "b", "n": null, "f": 2, "extra": "e", "p": {}}
        ]);
        let df = normalize_json(v.as_array().unwrap()).unwrap();
        let names: Vec<&str> = df.get_column_names().iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["id", "n", "f", "b", "p.x.y", "p.l", "extra", "p"]);
        assert_eq!(df.column("n").unwrap().dtype(), &DataType::Int64);
        assert_eq!(df.column("f").unwrap().dtype(), &DataType::Float64);
        assert_eq!(df.column("b").unwrap().dtype(), &DataType::Boolean);
        let l = df.column("p.l").unwrap().str().unwrap().get(0);
        assert_eq!(l, Some("[1,2]"));
        assert_eq!(df.column("p").unwrap().str().unwrap().get(1), Some("{}"));
    }
}
