//! Entities through the public API: MSTICPy's `entities.json` (with
//! `$id`/`$ref` links), alert frames, Sentinel incident entities, identity
//! and merge, JSON round trips, and escaped notebook views.

use huntbook::entities::{Entities, EntityType, alerts_from_df, entities_from_df};
use huntbook::prelude::*;
use serde_json::json;

fn entities_json() -> Vec<Entity> {
    let text =
        std::fs::read_to_string(huntbook::data::bundled("msticpy/testdata/entities.json").unwrap())
            .unwrap();
    Entity::list_from_str(&text).unwrap()
}

#[test]
fn msticpy_entities_json() {
    let ents = entities_json();
    let types: Vec<EntityType> = ents.iter().map(Entity::entity_type).collect();
    use EntityType::*;
    assert_eq!(
        types,
        [
            Host,
            File,
            Process,
            Account,
            File,
            Process,
            HostLogonSession
        ]
    );
    let ids: Vec<String> = ents.iter().map(Entity::identity).collect();
    assert_eq!(
        ids,
        [
            "host:msticalertswin1",
            "file:c:\\windows\\system32\\cmd.exe|",
            "process:msticalertswin1|0x1558||c:\\windows\\system32\\cmd.exe",
            "account:workgroup\\msticalertswin1$",
            "file:c:\\windows\\servic~2\\networ~1\\appdata\\local\\temp\\mimikatz.exe|",
            "process:msticalertswin1|0x6b8|2018-11-15t23:54:29.300019z|c:\\windows\\servic~2\\networ~1\\appdata\\local\\temp\\mimikatz.exe",
            "host-logon-session:msticalertswin1|0x3e4",
        ]
    );
    let Entity::Host(h) = &ents[0] else { panic!() };
    assert_eq!(h.os_family.as_deref(), Some("Windows"));
    assert_eq!(h.is_domain_joined, Some(false));
    assert_eq!(h.os_version, None);
    let Entity::Process(p) = &ents[5] else {
        panic!()
    };
    assert_eq!(p.command_line.as_deref(), Some(".\\mimikatz.exe"));
    assert_eq!(p.elevation_token.as_deref(), Some("Default"));
    assert_eq!(
        p.account.as_ref().unwrap().qualified_name(),
        "WORKGROUP\\MSTICAlertsWin1$"
    );
    assert_eq!(p.account.as_ref().unwrap().sid.as_deref(), Some("S-1-5-20"));
    let parent = p.parent_process.as_ref().unwrap();
    assert_eq!(parent.process_id.as_deref(), Some("0x1558"));
    assert_eq!(parent.process_name().as_deref(), Some("cmd.exe"));
    assert_eq!(parent.host.as_ref().unwrap().fqdn(), "MSTICALERTSWIN1");
    assert_eq!(
        ents[5].attr("ProcessFilePath").as_deref(),
        Some("c:\\windows\\servic~2\\networ~1\\appdata\\local\\temp\\mimikatz.exe")
    );
    assert_eq!(
        ents[5].attr("Account").as_deref(),
        Some("WORKGROUP\\MSTICAlertsWin1$")
    );
    let Entity::HostLogonSession(s) = &ents[6] else {
        panic!()
    };
    assert_eq!(s.session_id.as_deref(), Some("0x3e4"));
    assert_eq!(
        s.account.as_ref().unwrap().logon_id.as_deref(),
        Some("0x3e4")
    );
    // Every entity survives a JSON round trip (and serde).
    for e in &ents {
        assert_eq!(&Entity::from_json(&e.to_json()).unwrap(), e);
        let text = serde_json::to_string(e).unwrap();
        assert_eq!(&serde_json::from_str::<Entity>(&text).unwrap(), e);
    }
}

#[test]
fn reference_cycles_are_bounded() {
    let v = json!([
        {"$id": "1", "Type": "process", "ProcessId": "1", "ParentProcess": {"$ref": "2"}},
        {"$id": "2", "Type": "process", "ProcessId": "2", "ParentProcess": {"$ref": "1"}},
        {"$id": "3", "Type": "process", "ProcessId": "3", "ParentProcess": {"$ref": "3"}}
    ]);
    let ents = Entity::list_from_json(&v).unwrap();
    let Entity::Process(p) = &ents[0] else {
        panic!()
    };
    let parent = p.parent_process.as_ref().unwrap();
    assert_eq!(parent.process_id.as_deref(), Some("2"));
    // The link back to 1 stays a reference.
    let grand = parent.parent_process.as_ref().unwrap();
    assert_eq!(grand.process_id, None);
    assert_eq!(grand.additional.get("$ref"), Some(&json!("1")));
    let Entity::Process(selfp) = &ents[2] else {
        panic!()
    };
    assert_eq!(
        selfp
            .parent_process
            .as_ref()
            .unwrap()
            .additional
            .get("$ref"),
        Some(&json!("3"))
    );
}

#[test]
fn alerts_from_the_local_alert_table() {
    let df = read_file(
        huntbook::data::bundled("msticpy/testdata-converted/localdata/alerts_list.csv").unwrap(),
    )
    .unwrap();
    let alerts = alerts_from_df(&df).unwrap();
    assert_eq!(alerts.len(), 25);
    let a = &alerts[0];
    assert_eq!(a.display_name.as_deref(), Some("SSH Anomalous Login ML"));
    let d: Vec<String> = a
        .entities
        .iter()
        .map(|e| format!("{}: {}", e.entity_type(), e.description()))
        .collect();
    assert_eq!(
        d,
        [
            "IpAddress: 23.97.60.214",
            "Host: MSTICAlertsLxVM2",
            "Account: dbadmin"
        ]
    );
    let dl = alerts
        .iter()
        .find(|a| a.display_name.as_deref() == Some("Detected suspicious file download"))
        .unwrap();
    let types: Vec<&str> = dl.entities.iter().map(|e| e.entity_type().name()).collect();
    assert_eq!(
        types,
        [
            "Host",
            "Process",
            "Account",
            "File",
            "Process",
            "HostLogonSession"
        ]
    );
    // Across all alerts: distinct IPs after merging views of the same entity.
    let all = Entities::new(alerts.iter().flat_map(|a| a.entities.clone()).collect());
    let ips: Vec<String> = all
        .dedup()
        .unwrap()
        .of_type(EntityType::IpAddress)
        .iter()
        .map(|e| e.description())
        .collect();
    assert_eq!(ips, ["23.97.60.214", "203.0.113.1", "104.211.30.1"]);
    let html = Entity::Alert(dl.clone()).to_html();
    assert!(
        html.contains("<svg") && html.contains("HostLogonSession"),
        "{html}"
    );
    assert!(alerts_from_df(&df!("x" => [1i64]).unwrap()).is_err());
}

#[test]
fn sentinel_incident_entities() {
    let v = json!([
        {"id": "/subscriptions/s/…/entities/1", "kind": "Host", "properties": {
            "hostName": "vm1", "dnsDomain": "contoso.com", "azureID": "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1",
            "osFamily": "Linux", "omsAgentID": "a-1", "friendlyName": "vm1"}},
        {"kind": "Account", "properties": {"accountName": "ian", "upnSuffix": "contoso.com", "aadUserId": "u-1"}},
        {"kind": "Ip", "properties": {"address": "81.2.69.142", "location": {"countryCode": "GB", "city": "London"}}},
        {"kind": "DnsResolution", "properties": {"domainName": "evil.example"}},
        {"kind": "SecurityAlert", "properties": {"alertDisplayName": "Mimikatz", "severity": "High", "systemAlertId": "A-1"}},
        {"kind": "AzureResource", "properties": {"resourceId": "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st"}},
        {"kind": "MailMessage", "properties": {"sender": "a@x.com", "recipient": "b@y.com", "subject": "hi", "networkMessageId": "n-1"}}
    ]);
    let ents = Entity::list_from_json(&v).unwrap();
    let ids: Vec<String> = ents.iter().map(Entity::identity).collect();
    assert_eq!(
        ids,
        [
            "host:vm1.contoso.com",
            "account:ian@contoso.com",
            "ip:81.2.69.142",
            "dns:evil.example",
            "alert:A-1",
            "azure-resource:/subscriptions/s1/resourcegroups/rg/providers/microsoft.storage/storageaccounts/st",
            "mail-message:n-1",
        ]
    );
    let Entity::Host(h) = &ents[0] else { panic!() };
    assert_eq!(h.os_family.as_deref(), Some("Linux"));
    assert_eq!(h.oms_agent_id.as_deref(), Some("a-1"));
    assert!(h.azure_id.as_deref().unwrap().ends_with("/vm1"));
    let Entity::IpAddress(ip) = &ents[2] else {
        panic!()
    };
    assert_eq!(
        ip.location.as_ref().unwrap().city.as_deref(),
        Some("London")
    );
    assert_eq!(ents[4].description(), "Mimikatz (High)");
}

#[test]
fn entities_from_frame_rows() {
    let df = df!("SrcIP" => [Some("10.0.0.1"), None, Some("10.0.0.2")], "Computer" => ["h1", "h2", "h3"]).unwrap();
    let ips = entities_from_df(&df, EntityType::IpAddress, &[("Address", "SrcIP")]).unwrap();
    assert_eq!(
        ips.iter().map(Entity::identity).collect::<Vec<_>>(),
        ["ip:10.0.0.1", "ip:10.0.0.2"]
    );
    let procs = entities_from_df(
        &df,
        EntityType::Process,
        &[("ProcessId", "SrcIP"), ("Host.HostName", "Computer")],
    )
    .unwrap();
    assert_eq!(procs[1].attr("Host").as_deref(), Some("h2"));
    let err = entities_from_df(&df, EntityType::Host, &[("HostName", "Nope")])
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "column 'Nope' not found in the entity frame with columns [SrcIP, Computer]"
    );
}

#[test]
fn views_escape_hostile_values() {
    let evil = "<script>alert(1)</script>";
    let h: Entity = Host::new(evil).into();
    let html = h.to_html();
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let alert = Entity::from_json(&json!({"Type": "alert", "DisplayName": evil, "Entities": [
        {"Type": "ip", "Address": "\"><img src=x onerror=alert(1)>"},
        {"Type": "account", "Name": evil}]}))
    .unwrap();
    let html = alert.to_html();
    assert!(
        !html.contains("<script>alert") && !html.contains("<img src=x"),
        "{html}"
    );
    assert!(html.contains("<svg"));
    let list = Entities::new(vec![h.clone(), alert.clone()]);
    assert!(!list.to_html().contains("<script>alert"));
    assert!(list.to_text().contains("Host"));
}

#[test]
fn host_built_for_azure_data() {
    let h = Host::new("vm1.contoso.com")
        .os_family("Linux")
        .azure_id("/subscriptions/s/rg/vm1")
        .ip("10.0.0.4");
    let e: Entity = h.into();
    let j = e.to_json();
    assert_eq!(j["Type"], "host");
    assert_eq!(j["HostName"], "vm1");
    assert_eq!(j["DnsDomain"], "contoso.com");
    assert_eq!(j["AzureID"], "/subscriptions/s/rg/vm1");
    assert_eq!(j["IpAddresses"][0]["Address"], "10.0.0.4");
    assert_eq!(Entity::from_json(&j).unwrap(), e);
}
