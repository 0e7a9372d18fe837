//! Azure resource data against a local Resource Manager on 127.0.0.1 that
//! answers with bodies shaped like the documented ARM REST responses.

use crate::azure_support;

use crate::http_support::{Reply, Request, TestServer};
use azure_support::{CountingToken, test_http};
use huntbook::azure::auth::{AccessToken, StaticToken};
use huntbook::azure::resources::{ArmClient, AzureData, vms_frame};
use huntbook::prelude::*;
use std::sync::Arc;
use std::time::Duration;

const VM: &str =
    "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm-web01";
const NIC: &str =
    "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Network/networkInterfaces/nic1";
const PIP: &str =
    "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Network/publicIPAddresses/pip1";
const NSG: &str =
    "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Network/networkSecurityGroups/nsg1";

fn vm_json() -> serde_json::Value {
    serde_json::json!({
      "name": "vm-web01",
      "id": VM,
      "type": "Microsoft.Compute/virtualMachines",
      "location": "westus",
      "tags": {"env": "prod"},
      "properties": {
        "vmId": "0f47b100-583c-48e3-a4c0-aefc2c9bbcc1",
        "hardwareProfile": {"vmSize": "Standard_D2s_v3"},
        "storageProfile": {
          "imageReference": {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer", "sku": "2019-Datacenter", "version": "latest"},
          "osDisk": {"osType": "Windows", "name": "osdisk", "createOption": "FromImage", "caching": "ReadWrite"}
        },
        "osProfile": {"computerName": "WEB01", "adminUsername": "azureuser"},
        "networkProfile": {"networkInterfaces": [{"id": NIC, "properties": {"primary": true}}]},
        "provisioningState": "Succeeded"
      }
    })
}

fn arm_handler(req: &Request, _n: usize) -> Reply {
    let path = req.path().to_string();
    match (req.method.as_str(), path.as_str()) {
        ("GET", "/subscriptions") if req.query("$skiptoken").is_none() => Reply::json(
            200,
            serde_json::json!({
              "value": [{"id": "/subscriptions/s1", "subscriptionId": "s1", "tenantId": "t1",
                         "displayName": "Prod <SOC>", "state": "Enabled",
                         "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "quotaId": "x", "spendingLimit": "Off"},
                         "authorizationSource": "RoleBased"}],
              "nextLink": "NEXT/subscriptions?api-version=2022-12-01&$skiptoken=abc"
            })
            .to_string()
            .replace("NEXT", &format!("http://{}", req.header("host").unwrap())),
        ),
        ("GET", "/subscriptions") => Reply::json(
            200,
            r#"{"value": [{"id": "/subscriptions/s2", "subscriptionId": "s2", "tenantId": "t1", "displayName": "Dev", "state": "Disabled"}]}"#,
        ),
        ("GET", "/subscriptions/s1/resourcegroups") => Reply::json(
            200,
            r#"{"value": [{"id": "/subscriptions/s1/resourceGroups/rg1", "name": "rg1", "type": "Microsoft.Resources/resourceGroups", "location": "westus", "tags": {"owner": "soc"}, "properties": {"provisioningState": "Succeeded"}}]}"#,
        ),
        ("GET", "/subscriptions/s1/resources") => Reply::json(
            200,
            serde_json::json!({"value": [
              {"id": VM, "name": "vm-web01", "type": "Microsoft.Compute/virtualMachines", "location": "westus", "tags": {"env": "prod"}},
              {"id": "/subscriptions/s1/resourceGroups/rg2/providers/Microsoft.Compute/virtualMachines/vm2", "name": "vm2", "type": "Microsoft.Compute/virtualMachines", "location": "eastus", "sku": {"name": "Standard"}}
            ]})
            .to_string(),
        ),
        ("GET", "/subscriptions/s1/providers/Microsoft.Compute/virtualMachines") => Reply::json(
            200,
            serde_json::json!({"value": [
              vm_json(),
              {"name": "vm-db01", "id": "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm-db01",
               "location": "westus", "properties": {"osProfile": {"computerName": "db01"}, "storageProfile": {"osDisk": {"osType": "Linux"}}, "networkProfile": {"networkInterfaces": []}}}
            ]})
            .to_string(),
        ),
        ("GET", p) if p == VM => Reply::json(200, vm_json().to_string()),
        ("GET", p) if p == format!("{VM}/instanceView") => Reply::json(
            200,
            r#"{"computerName": "WEB01", "osName": "Windows Server 2019 Datacenter", "osVersion": "10.0.17763.5458",
                "statuses": [{"code": "ProvisioningState/succeeded", "level": "Info", "displayStatus": "Provisioning succeeded"},
                             {"code": "PowerState/running", "level": "Info", "displayStatus": "VM running"}]}"#,
        ),
        ("GET", p) if p == NIC => Reply::json(
            200,
            serde_json::json!({
              "name": "nic1", "id": NIC, "location": "westus",
              "properties": {
                "macAddress": "00-0D-3A-1B-C7-21",
                "ipConfigurations": [{
                  "name": "ipconfig1", "id": format!("{NIC}/ipConfigurations/ipconfig1"),
                  "properties": {"privateIPAddress": "10.0.0.4", "privateIPAllocationMethod": "Dynamic",
                                 "subnet": {"id": "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/default"},
                                 "publicIPAddress": {"id": PIP}, "primary": true}
                }],
                "networkSecurityGroup": {"id": NSG}
              }
            })
            .to_string(),
        ),
        ("GET", p) if p == PIP => Reply::json(
            200,
            r#"{"name": "pip1", "properties": {"ipAddress": "20.10.30.40", "publicIPAllocationMethod": "Static", "dnsSettings": {"fqdn": "web01.westus.cloudapp.azure.com"}}}"#,
        ),
        ("GET", p) if p == NSG => Reply::json(
            200,
            serde_json::json!({
              "name": "nsg1", "id": NSG,
              "properties": {
                "securityRules": [
                  {"name": "allow-rdp", "properties": {"protocol": "Tcp", "sourcePortRange": "*", "destinationPortRange": "3389",
                   "sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "access": "Allow", "priority": 300, "direction": "Inbound"}},
                  {"name": "allow-web", "properties": {"protocol": "Tcp", "sourcePortRange": "*", "destinationPortRanges": ["80", "443"],
                   "sourceAddressPrefixes": ["10.0.0.0/8", "192.168.0.0/16"], "destinationAddressPrefix": "VirtualNetwork", "access": "Allow", "priority": 100, "direction": "Inbound", "description": "web <b>"}}
                ],
                "defaultSecurityRules": [
                  {"name": "DenyAllInBound", "properties": {"protocol": "*", "sourcePortRange": "*", "destinationPortRange": "*",
                   "sourceAddressPrefix": "*", "destinationAddressPrefix": "*", "access": "Deny", "priority": 65500, "direction": "Inbound"}}
                ]
              }
            })
            .to_string(),
        ),
        ("GET", "/subscriptions/s1/providers/Contoso.Widgets") => Reply::json(
            200,
            r#"{"namespace": "Contoso.Widgets", "resourceTypes": [{"resourceType": "gadgets", "apiVersions": ["2025-01-01-preview", "2024-05-01", "2023-01-01"]}]}"#,
        ),
        ("GET", "/subscriptions/s1/resourceGroups/rg1/providers/Contoso.Widgets/gadgets/g1") => Reply::json(
            200,
            r#"{"id": "/subscriptions/s1/resourceGroups/rg1/providers/Contoso.Widgets/gadgets/g1", "name": "g1", "type": "Contoso.Widgets/gadgets", "location": "westus", "properties": {"size": 3}}"#,
        ),
        _ => Reply::json(
            404,
            format!(
                r#"{{"error": {{"code": "ResourceNotFound", "message": "The Resource '{}' was not found."}}}}"#,
                path.rsplit('/').next().unwrap_or("")
            ),
        ),
    }
}

fn client(server: &TestServer) -> (AzureData, Arc<CountingToken>) {
    let tokens = Arc::new(CountingToken::default());
    let (http, _clock) = test_http();
    let arm = ArmClient::new(tokens.clone(), &server.url())
        .unwrap()
        .http(http);
    (AzureData::new(arm), tokens)
}

fn strs(df: &DataFrame, col: &str) -> Vec<Option<String>> {
    df.column(col)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(String::from))
        .collect()
}

#[test]
fn subscriptions_follow_next_link() {
    let server = TestServer::start(arm_handler);
    let (az, tokens) = client(&server);
    let df = az.subscriptions().unwrap();
    assert_eq!(df.shape(), (2, 4));
    assert_eq!(
        strs(&df, "Subscription ID"),
        [Some("s1".into()), Some("s2".into())]
    );
    assert_eq!(
        strs(&df, "Display Name"),
        [Some("Prod <SOC>".into()), Some("Dev".into())]
    );
    assert_eq!(
        strs(&df, "State"),
        [Some("Enabled".into()), Some("Disabled".into())]
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].target, "/subscriptions?api-version=2022-12-01");
    assert_eq!(reqs[1].query("$skiptoken").as_deref(), Some("abc"));
    assert_eq!(reqs[0].header("authorization"), Some("Bearer token-1"));
    assert_eq!(
        tokens.scopes.lock().unwrap()[0],
        format!("{}/.default", server.url())
    );
    // HTML escapes the data.
    let html = df.to_html();
    assert!(html.contains("Prod &lt;SOC&gt;") && !html.contains("<SOC>"));
}

#[test]
fn resource_groups_and_resources_by_type() {
    let server = TestServer::start(arm_handler);
    let (az, _) = client(&server);
    let rg = az.resource_groups("s1").unwrap();
    assert_eq!(strs(&rg, "resource_group"), [Some("rg1".into())]);
    assert_eq!(strs(&rg, "provisioning_state"), [Some("Succeeded".into())]);
    assert_eq!(strs(&rg, "tags"), [Some(r#"{"owner":"soc"}"#.into())]);

    let res = az
        .resources("s1", Some("Microsoft.Compute/virtualMachines"))
        .unwrap();
    assert_eq!(res.height(), 2);
    assert_eq!(
        strs(&res, "resource_group"),
        [Some("rg1".into()), Some("rg2".into())]
    );
    assert_eq!(
        strs(&res, "sku"),
        [None, Some(r#"{"name":"Standard"}"#.into())]
    );
    let req = server.requests().pop().unwrap();
    assert_eq!(
        req.query("$filter").as_deref(),
        Some("resourceType eq 'Microsoft.Compute/virtualMachines'")
    );
    assert_eq!(req.query("api-version").as_deref(), Some("2021-04-01"));
    let err = az.resources("s1", Some("x' or 1 eq 1")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid resource type 'x' or 1 eq 1': must not contain quotes"
    );
}

#[test]
fn vm_details_with_network() {
    let server = TestServer::start(arm_handler);
    let (az, _) = client(&server);
    let vm = az.vm(VM, true).unwrap();
    assert_eq!(vm.azure_id, VM);
    assert_eq!(vm.name, "vm-web01");
    assert_eq!(vm.computer_name.as_deref(), Some("WEB01"));
    assert_eq!(vm.os_type.as_deref(), Some("Windows"));
    assert_eq!(
        vm.os_name.as_deref(),
        Some("Windows Server 2019 Datacenter")
    );
    assert_eq!(vm.os_version.as_deref(), Some("10.0.17763.5458"));
    assert_eq!(vm.power_state.as_deref(), Some("running"));
    assert_eq!(vm.size.as_deref(), Some("Standard_D2s_v3"));
    assert_eq!(vm.resource_group.as_deref(), Some("rg1"));
    assert_eq!(vm.private_ips, ["10.0.0.4"]);
    assert_eq!(vm.public_ips, ["20.10.30.40"]);
    assert_eq!(vm.nsg_ids, [NSG]);
    assert_eq!(vm.tags.get("env").map(String::as_str), Some("prod"));
    assert_eq!(
        strs(&vm.network, "mac_address"),
        [Some("00-0D-3A-1B-C7-21".into())]
    );
    assert_eq!(
        strs(&vm.network, "fqdn"),
        [Some("web01.westus.cloudapp.azure.com".into())]
    );
    let api: Vec<Option<String>> = server
        .requests()
        .iter()
        .map(|r| r.query("api-version"))
        .collect();
    assert_eq!(
        api,
        [
            Some("2024-03-01".into()), // VM
            Some("2024-03-01".into()), // instance view
            Some("2023-09-01".into()), // NIC
            Some("2023-09-01".into()), // public IP
        ]
    );
    let df = vm.to_df().unwrap();
    assert_eq!(strs(&df, "AzureID"), [Some(VM.into())]);
    assert_eq!(strs(&df, "PrivateIPs"), [Some("10.0.0.4".into())]);
    let host = vm.to_host();
    assert_eq!(host.host_name.as_deref(), Some("WEB01"));
    assert_eq!(host.azure_id.as_deref(), Some(VM));
    assert_eq!(host.os_family.as_deref(), Some("Windows"));
    assert_eq!(host.os_version.as_deref(), Some("10.0.17763.5458"));
    let ips: Vec<Option<String>> = host
        .ip_addresses
        .iter()
        .map(|i| i.address.clone())
        .collect();
    assert_eq!(ips, [Some("10.0.0.4".into()), Some("20.10.30.40".into())]);
    let html = vm.to_html();
    assert!(html.contains("Windows Server 2019 Datacenter"));

    // Without the instance view: the image's offer and SKU.
    let vm = az.vm(VM, false).unwrap();
    assert_eq!(vm.os_name.as_deref(), Some("WindowsServer"));
    assert_eq!(vm.os_version.as_deref(), Some("2019-Datacenter"));
    assert_eq!(vm.power_state, None);
}

#[test]
fn nsg_rules_sorted_and_escaped() {
    let server = TestServer::start(arm_handler);
    let (az, _) = client(&server);
    let df = az.nsg_rules(NSG).unwrap();
    assert_eq!(df.height(), 3);
    assert_eq!(
        strs(&df, "rule_name"),
        [
            Some("allow-web".into()),
            Some("allow-rdp".into()),
            Some("DenyAllInBound".into())
        ]
    );
    let pr: Vec<Option<i64>> = df
        .column("priority")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(pr, [Some(100), Some(300), Some(65500)]);
    assert_eq!(
        strs(&df, "source_addresses")[0].as_deref(),
        Some("10.0.0.0/8, 192.168.0.0/16")
    );
    assert_eq!(
        strs(&df, "destination_ports")[0].as_deref(),
        Some("80, 443")
    );
    let d: Vec<Option<bool>> = df
        .column("default_rule")
        .unwrap()
        .bool()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(d, [Some(false), Some(false), Some(true)]);
    assert!(df.to_html().contains("web &lt;b&gt;"));
}

#[test]
fn host_lookup_by_computer_name() {
    let server = TestServer::start(arm_handler);
    let (az, _) = client(&server);
    let hits = az.host_lookup("s1", "web01.contoso.local").unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].azure_id, VM);
    assert_eq!(hits[0].public_ips, ["20.10.30.40"]);
    let df = vms_frame(&hits).unwrap();
    assert_eq!(strs(&df, "OSType"), [Some("Windows".into())]);
    let db = az.host_lookup("s1", "DB01").unwrap();
    assert_eq!(db.len(), 1);
    assert_eq!(db[0].os_type.as_deref(), Some("Linux"));
    assert!(az.host_lookup("s1", "nohost").unwrap().is_empty());
    assert_eq!(az.host_lookup_df("s1", "nohost").unwrap().shape(), (0, 15));
}

#[test]
fn api_version_from_provider_registration() {
    let server = TestServer::start(arm_handler);
    let (az, _) = client(&server);
    let r = az
        .resource_details(
            "/subscriptions/s1/resourceGroups/rg1/providers/Contoso.Widgets/gadgets/g1",
        )
        .unwrap();
    assert_eq!(r.resource_type, "Contoso.Widgets/gadgets");
    let req = server.requests().pop().unwrap();
    assert_eq!(req.query("api-version").as_deref(), Some("2024-05-01"));
    let df = r.to_df().unwrap();
    let size: Vec<Option<i64>> = df
        .column("properties.size")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(size, [Some(3)]);
}

#[test]
fn not_found_names_the_resource() {
    let server = TestServer::start(arm_handler);
    let (az, _) = client(&server);
    let missing =
        "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/gone";
    let err = az.vm(missing, false).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "async runtime: reading VM '{missing}': HTTP 404: ResourceNotFound: The Resource 'gone' was not found."
        )
    );
}

#[test]
fn unauthorised_refreshes_the_token_once() {
    let server = TestServer::start(|req, n| {
        if n == 0 {
            return Reply::json(
                401,
                r#"{"error": {"code": "ExpiredAuthenticationToken", "message": "expired"}}"#,
            );
        }
        assert_eq!(req.header("authorization"), Some("Bearer token-2"));
        Reply::json(
            200,
            r#"{"value": [{"subscriptionId": "s9", "displayName": "x", "state": "Enabled"}]}"#,
        )
    });
    let (az, tokens) = client(&server);
    let df = az.subscriptions().unwrap();
    assert_eq!(strs(&df, "Subscription ID"), [Some("s9".into())]);
    assert_eq!(
        tokens.invalidated.load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    assert_eq!(
        server.requests()[0].header("authorization"),
        Some("Bearer token-1")
    );

    // Still 401 after the refresh: a clear error without the token.
    let server = TestServer::start(|_, _| Reply::json(401, "{}"));
    let (az, _) = client(&server);
    let err = az.subscriptions().unwrap_err().to_string();
    assert_eq!(
        err,
        "async runtime: listing subscriptions: HTTP 401: not authorised (check the credential and its role assignments)"
    );
    assert!(!err.contains("token-"));
}

#[test]
fn rate_limited_waits_retry_after() {
    let server = TestServer::start(|_, n| {
        if n == 0 {
            Reply::json(429, "{}").header("Retry-After", "7")
        } else {
            Reply::json(200, r#"{"value": []}"#)
        }
    });
    let tokens = Arc::new(StaticToken::new(AccessToken::new("secret-token-xyz", None)));
    let (http, clock) = test_http();
    let az = AzureData::new(ArmClient::new(tokens, &server.url()).unwrap().http(http));
    let df = az.subscriptions().unwrap();
    assert_eq!(df.height(), 0);
    assert_eq!(clock.sleeps(), [Duration::from_secs(7)]);
    assert_eq!(server.requests().len(), 2);
    assert!(!format!("{az:?}").contains("secret-token-xyz"));

    let server = TestServer::start(|_, _| Reply::json(429, "{}").header("Retry-After", "3"));
    let tokens = Arc::new(StaticToken::new(AccessToken::new("secret-token-xyz", None)));
    let (http, _clock) = test_http();
    let az = AzureData::new(ArmClient::new(tokens, &server.url()).unwrap().http(http));
    let err = az.subscriptions().unwrap_err().to_string();
    assert_eq!(
        err,
        "async runtime: listing subscriptions: HTTP 429: rate limited, Retry-After 3s (2 tries)"
    );
}

#[test]
fn malformed_json_is_a_clear_error() {
    let server = TestServer::start(|_, _| Reply::json(200, r#"{"value": [ {"id": "#));
    let (az, _) = client(&server);
    let err = az.subscriptions().unwrap_err().to_string();
    assert!(
        err.starts_with(
            "async runtime: listing subscriptions: malformed JSON in the answer (HTTP 200)"
        ),
        "{err}"
    );
    let server = TestServer::start(|_, _| Reply::json(200, r#"{"value": 3}"#));
    let (az, _) = client(&server);
    let err = az.subscriptions().unwrap_err().to_string();
    assert_eq!(
        err,
        "async runtime: listing subscriptions: the answer's 'value' is not a list"
    );
}

#[test]
fn next_link_is_bounded_and_same_origin() {
    // A server whose nextLink always points back at itself.
    let server = TestServer::start(|req, _| {
        let host = req.header("host").unwrap().to_string();
        Reply::json(
            200,
            format!(
                r#"{{"value": [{{"subscriptionId": "s"}}], "nextLink": "http://{host}/subscriptions?page=x"}}"#
            ),
        )
    });
    let (http, _) = test_http();
    let tokens = Arc::new(CountingToken::default());
    let az = AzureData::new(
        ArmClient::new(tokens, &server.url())
            .unwrap()
            .http(http)
            .max_pages(3),
    );
    let err = az.subscriptions().unwrap_err().to_string();
    assert_eq!(
        err,
        "async runtime: listing subscriptions: more than 3 pages (raise ArmClient::max_pages or narrow the filter)"
    );
    assert_eq!(server.requests().len(), 3);

    // A nextLink to another host is not followed (the token would go there).
    let server = TestServer::start(|_, _| {
        Reply::json(
            200,
            r#"{"value": [], "nextLink": "https://evil.example/steal?x=1"}"#,
        )
    });
    let (az, _) = client(&server);
    let err = az.subscriptions().unwrap_err().to_string();
    assert_eq!(
        err,
        "async runtime: listing subscriptions: nextLink points outside the Resource Manager endpoint; not followed"
    );
}
