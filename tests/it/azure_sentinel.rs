//! Microsoft Sentinel management APIs against a local Resource Manager on
//! 127.0.0.1 answering with bodies shaped like the documented
//! Microsoft.SecurityInsights (2024-03-01) and saved-search responses.

use crate::azure_support;

use crate::http_support::{Reply, Request, TestServer};
use azure_support::{CountingToken, test_http};
use huntbook::azure::resources::ArmClient;
use huntbook::azure::sentinel::{IncidentQuery, IncidentUpdate, Sentinel, SentinelWorkspace};
use huntbook::config::Settings;
use huntbook::prelude::*;
use serde_json::json;
use std::sync::Arc;

const WS: &str = "/subscriptions/s1/resourceGroups/soc-rg/providers/Microsoft.OperationalInsights/workspaces/soc-ws";
const INC: &str = "73e01a99-5cd7-4139-a149-9f2736ff2ab5";

fn si() -> String {
    format!("{WS}/providers/Microsoft.SecurityInsights")
}

fn incident(n: i64, title: &str, sev: &str) -> serde_json::Value {
    json!({
      "id": format!("{}/incidents/{INC}-{n}", si()),
      "name": format!("{INC}-{n}"),
      "etag": format!("\"0300bf09-0000-0000-0000-5c37296e000{n}\""),
      "type": "Microsoft.SecurityInsights/Incidents",
      "properties": {
        "title": title,
        "description": "This is a demo incident",
        "severity": sev,
        "status": "New",
        "owner": {"objectId": "2046feea-040d-4a46-9e2b-91c2941bfa70", "email": "john.doe@contoso.com", "assignedTo": "john doe", "userPrincipalName": "john@contoso.com"},
        "labels": [],
        "firstActivityTimeUtc": "2019-01-01T13:00:30Z",
        "lastActivityTimeUtc": "2019-01-01T13:05:30Z",
        "lastModifiedTimeUtc": "2019-01-01T13:15:30Z",
        "createdTimeUtc": "2019-01-01T13:15:30Z",
        "incidentNumber": n,
        "additionalData": {"alertsCount": 1, "bookmarksCount": 0, "commentsCount": 1, "alertProductNames": ["Azure Sentinel"], "tactics": ["InitialAccess", "Persistence"]},
        "relatedAnalyticRuleIds": [format!("{}/alertRules/fab3d2d4-747f-46a7-8ef0-9c0be8112bf7", si())],
        "incidentUrl": format!("https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident{}/incidents/{INC}", si()),
        "providerName": "Azure Sentinel",
        "providerIncidentId": n.to_string()
      }
    })
}

fn handler(req: &Request, _n: usize) -> Reply {
    assert_eq!(req.header("authorization"), Some("Bearer token-1"));
    let path = req.path().to_string();
    let host = format!("http://{}", req.header("host").unwrap());
    let inc_path = format!("{}/incidents/{INC}-1", si());
    let api = req.query("api-version").unwrap_or_default();
    match (req.method.as_str(), path.as_str()) {
        ("GET", p) if p == format!("{}/incidents", si()) => {
            assert_eq!(api, "2024-03-01");
            if req.query("$skipToken").is_none() {
                Reply::json(200, json!({
                    "value": [incident(1, "My <b>incident</b>", "High")],
                    "nextLink": format!("{host}{}/incidents?api-version=2024-03-01&$skipToken=p2", si())
                }).to_string())
            } else {
                Reply::json(200, json!({"value": [incident(2, "Second", "Low")]}).to_string())
            }
        }
        ("GET", p) if p == inc_path => Reply::json(200, incident(1, "My <b>incident</b>", "High").to_string()),
        ("PUT", p) if p == inc_path => {
            let body = req.json();
            let mut out = incident(1, "x", "x");
            out["properties"] = body["properties"].clone();
            out["etag"] = json!("\"new-etag\"");
            Reply::json(200, out.to_string())
        }
        ("POST", p) if p == format!("{inc_path}/alerts") => Reply::json(200, json!({"value": [{
            "id": format!("{}/entities/4b1b1a0d-b9b1-4c8c-8d4c-d2b3b0e7d6a1", si()),
            "name": "4b1b1a0d-b9b1-4c8c-8d4c-d2b3b0e7d6a1",
            "type": "Microsoft.SecurityInsights/Entities",
            "kind": "SecurityAlert",
            "properties": {"alertDisplayName": "myAlert", "severity": "Low", "status": "New", "confidenceLevel": "Unknown",
                           "friendlyName": "myAlert", "productName": "Azure Security Center", "providerAlertId": "2518642", "systemAlertId": "4b1b1a0d",
                           "timeGenerated": "2019-01-01T13:15:30Z", "tactics": ["Persistence"]}
        }]}).to_string()),
        ("POST", p) if p == format!("{inc_path}/entities") => Reply::json(200, json!({
            "entities": [
              {"id": format!("{}/entities/e1", si()), "name": "e1", "type": "Microsoft.SecurityInsights/Entities", "kind": "Account",
               "properties": {"accountName": "administrator", "ntDomain": "Contoso", "friendlyName": "administrator"}},
              {"id": format!("{}/entities/e2", si()), "name": "e2", "type": "Microsoft.SecurityInsights/Entities", "kind": "Host",
               "properties": {"hostName": "web01", "azureID": "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm-web01", "osFamily": "Windows", "friendlyName": "web01"}},
              {"id": format!("{}/entities/e3", si()), "name": "e3", "type": "Microsoft.SecurityInsights/Entities", "kind": "Ip",
               "properties": {"address": "10.0.0.4", "friendlyName": "<img src=x onerror=alert(1)>"}}
            ],
            "metaData": [{"count": 1, "entityKind": "Account"}, {"count": 1, "entityKind": "Host"}, {"count": 1, "entityKind": "Ip"}]
        }).to_string()),
        ("GET", p) if p == format!("{inc_path}/comments") => Reply::json(200, json!({"value": [{
            "id": format!("{inc_path}/comments/4bb36b7b-26ff-4d1c-9cbe-0d8ab3da0014"),
            "name": "4bb36b7b-26ff-4d1c-9cbe-0d8ab3da0014",
            "etag": "\"0300bf09-0000-0000-0000-5c37296e0000\"",
            "type": "Microsoft.SecurityInsights/Incidents/Comments",
            "properties": {"message": "Some message", "createdTimeUtc": "2019-01-01T13:15:30Z", "lastModifiedTimeUtc": "2019-01-01T13:15:30Z",
                           "author": {"objectId": "2046feea", "email": "john.doe@contoso.com", "userPrincipalName": "john@contoso.com", "name": "john doe"}}
        }]}).to_string()),
        ("PUT", p) if p.starts_with(&format!("{inc_path}/comments/")) => {
            let body = req.json();
            Reply::json(201, json!({"name": p.rsplit('/').next(), "properties": {"message": body["properties"]["message"], "createdTimeUtc": "2024-01-01T00:00:00Z"}}).to_string())
        }
        ("PUT", p) if p.starts_with(&format!("{}/incidents/", si())) => {
            let mut v = req.json();
            v["name"] = json!(p.rsplit('/').next());
            v["properties"]["incidentNumber"] = json!(99);
            Reply::json(201, v.to_string())
        }
        ("GET", p) if p == format!("{}/alertRules", si()) => Reply::json(200, json!({"value": [
            {"id": format!("{}/alertRules/r1", si()), "name": "r1", "kind": "Scheduled", "etag": "\"1\"",
             "properties": {"displayName": "Suspicious logons", "enabled": true, "severity": "High", "query": "SigninLogs | where ResultType != 0",
                            "queryFrequency": "PT1H", "queryPeriod": "P2DT1H30M", "triggerOperator": "GreaterThan", "triggerThreshold": 0, "tactics": ["Persistence"]}},
            {"id": format!("{}/alertRules/r2", si()), "name": "r2", "kind": "MicrosoftSecurityIncidentCreation", "etag": "\"2\"",
             "properties": {"displayName": "Create incidents from MDC", "enabled": false, "productFilter": "Microsoft Cloud App Security"}}
        ]}).to_string()),
        ("GET", p) if p == format!("{WS}/savedSearches") => {
            assert_eq!(api, "2020-08-01");
            Reply::json(200, json!({"value": [
                {"id": format!("{WS}/savedSearches/hq1"), "name": "hq1", "etag": "W/\"x\"",
                 "properties": {"category": "Hunting Queries", "displayName": "Rare processes", "query": "SecurityEvent | where EventID == 4688 | summarize count() by Process | where count_ < 3", "version": 2,
                                "tags": [{"name": "tactics", "value": "Execution"}]}},
                {"id": format!("{WS}/savedSearches/fn1"), "name": "fn1",
                 "properties": {"category": "Functions", "displayName": "MyFunction", "query": "Heartbeat", "functionAlias": "HB", "version": 2}}
            ]}).to_string())
        }
        ("GET", p) if p == format!("{}/bookmarks", si()) => Reply::json(200, json!({"value": [
            {"id": format!("{}/bookmarks/b1", si()), "name": "b1", "etag": "\"1\"",
             "properties": {"displayName": "My bookmark", "query": "SecurityEvent | take 1", "notes": "Found a suspicious activity", "labels": ["Tag1"],
                            "created": "2019-01-01T13:15:30Z", "createdBy": {"objectId": "2046feea", "email": "john@contoso.com", "name": "john doe"}}}
        ]}).to_string()),
        ("PUT", p) if p.starts_with(&format!("{}/bookmarks/", si())) => Reply::json(200, req.json().to_string()),
        ("GET", p) if p == format!("{}/watchlists", si()) => Reply::json(200, json!({"value": [
            {"id": format!("{}/watchlists/highValueAsset", si()), "name": "highValueAsset", "etag": "\"1\"",
             "properties": {"watchlistId": "76d5a51f", "displayName": "High Value Assets Watchlist", "provider": "Microsoft", "source": "watchlist.csv",
                            "itemsSearchKey": "header1", "watchlistAlias": "highValueAsset", "numberOfLinesToSkip": 1, "isDeleted": false}}
        ]}).to_string()),
        ("GET", p) if p == format!("{}/watchlists/highValueAsset/watchlistItems", si()) => Reply::json(200, json!({"value": [
            {"id": "x1", "name": "82ba292c-dc97-4dfc-969d-d4dd9e666842", "etag": "\"1\"",
             "properties": {"watchlistItemType": "watchlist-item", "watchlistItemId": "82ba292c", "isDeleted": false,
                            "itemsKeyValue": {"Gateway subnet": "10.0.255.224/27", "Web Tier": "10.0.1.0/24", "Rank": 1}}},
            {"id": "x2", "name": "9d1a4ffb-6b9c-4d68-a97f-6d9f0a1a2d3e", "etag": "\"1\"",
             "properties": {"itemsKeyValue": {"Gateway subnet": "10.0.254.0/27", "Web Tier": null, "Rank": 2}}}
        ]}).to_string()),
        ("PUT", p) if p == format!("{}/watchlists/vips", si()) => Reply::json(200, req.json().to_string()),
        ("PUT", p) if p.starts_with(&format!("{}/watchlists/vips/watchlistItems/", si())) => Reply::json(200, req.json().to_string()),
        _ => Reply::json(404, r#"{"error": {"code": "NotFound", "message": "Resource not found"}}"#),
    }
}

fn sentinel(server: &TestServer) -> Sentinel {
    let tokens = Arc::new(CountingToken::default());
    let (http, _) = test_http();
    let arm = ArmClient::new(tokens, &server.url()).unwrap().http(http);
    Sentinel::new(arm, SentinelWorkspace::new("s1", "soc-rg", "soc-ws"))
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
fn incidents_paged_and_filtered() {
    let server = TestServer::start(handler);
    let s = sentinel(&server);
    let df = s
        .incidents(
            &IncidentQuery::new()
                .filter("properties/status eq 'New'")
                .orderby("properties/createdTimeUtc desc")
                .top(1),
        )
        .unwrap();
    assert_eq!(df.height(), 2);
    assert_eq!(
        strs(&df, "properties.title"),
        [Some("My <b>incident</b>".into()), Some("Second".into())]
    );
    assert_eq!(
        strs(&df, "properties.severity"),
        [Some("High".into()), Some("Low".into())]
    );
    assert_eq!(
        strs(&df, "properties.owner.assignedTo")[0].as_deref(),
        Some("john doe")
    );
    let n: Vec<Option<i64>> = df
        .column("properties.incidentNumber")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(n, [Some(1), Some(2)]);
    assert_eq!(
        strs(&df, "properties.additionalData.tactics")[0].as_deref(),
        Some(r#"["InitialAccess","Persistence"]"#)
    );
    let first = &server.requests()[0];
    assert_eq!(
        first.query("$filter").as_deref(),
        Some("properties/status eq 'New'")
    );
    assert_eq!(
        first.query("$orderby").as_deref(),
        Some("properties/createdTimeUtc desc")
    );
    assert_eq!(first.query("$top").as_deref(), Some("1"));
    let html = df.to_html();
    assert!(html.contains("My &lt;b&gt;incident&lt;/b&gt;"));
}

#[test]
fn incident_with_alerts_entities_comments() {
    let server = TestServer::start(handler);
    let s = sentinel(&server);
    let inc = s.incident(&format!("{INC}-1")).unwrap();
    assert_eq!(inc.name(), format!("{INC}-1"));
    assert_eq!(inc.property("severity").as_deref(), Some("High"));
    assert_eq!(
        strs(&inc.alerts, "properties.alertDisplayName"),
        [Some("myAlert".into())]
    );
    assert_eq!(strs(&inc.alerts, "kind"), [Some("SecurityAlert".into())]);
    assert_eq!(
        strs(&inc.entities, "kind"),
        [
            Some("Account".into()),
            Some("Host".into()),
            Some("Ip".into())
        ]
    );
    assert_eq!(
        strs(&inc.entities, "friendly_name")[0].as_deref(),
        Some("administrator")
    );
    let props: serde_json::Value =
        serde_json::from_str(strs(&inc.entities, "properties")[1].as_deref().unwrap()).unwrap();
    assert_eq!(props["hostName"], "web01");
    assert_eq!(
        strs(&inc.comments, "message"),
        [Some("Some message".into())]
    );
    assert_eq!(strs(&inc.comments, "author"), [Some("john doe".into())]);
    let html = inc.to_html();
    assert!(html.contains("Incident 1: My &lt;b&gt;incident&lt;/b&gt;"));
    assert!(!html.contains("<img src=x"));
    assert!(html.contains("Entities (3)"));
    let posts: Vec<String> = server
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.path().rsplit('/').next().unwrap().to_string())
        .collect();
    assert_eq!(posts, ["entities", "alerts"]);
    assert_eq!(inc.to_df().unwrap().height(), 1);
    // Pivot-ready huntbook entities.
    let ents = inc.entity_values().unwrap();
    assert_eq!(ents.len(), 3);
    assert_eq!(ents[0].identity(), "account:contoso\\administrator");
    match &ents[1] {
        Entity::Host(h) => {
            assert_eq!(h.host_name.as_deref(), Some("web01"));
            assert_eq!(h.os_family.as_deref(), Some("Windows"));
            assert!(h.azure_id.as_deref().unwrap().ends_with("/vm-web01"));
        }
        other => panic!("not a host: {other:?}"),
    }
    assert!(matches!(&ents[2], Entity::IpAddress(ip) if ip.address.as_deref() == Some("10.0.0.4")));
    assert_eq!(
        s.incident_entity_values(&format!("{INC}-1")).unwrap().len(),
        3
    );
}

#[test]
fn update_keeps_properties_and_sends_etag() {
    let server = TestServer::start(handler);
    let s = sentinel(&server);
    let out = s
        .update_incident(
            &format!("{INC}-1"),
            &IncidentUpdate::new()
                .status("Closed")
                .classification(
                    "TruePositive",
                    Some("SuspiciousActivity"),
                    Some("contained"),
                )
                .owner_upn("ana@contoso.com")
                .label("triaged"),
        )
        .unwrap();
    let put = server
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT")
        .unwrap();
    let body = put.json();
    assert_eq!(body["etag"], "\"0300bf09-0000-0000-0000-5c37296e0001\"");
    let p = &body["properties"];
    assert_eq!(p["status"], "Closed");
    assert_eq!(p["classification"], "TruePositive");
    assert_eq!(p["classificationReason"], "SuspiciousActivity");
    assert_eq!(p["classificationComment"], "contained");
    assert_eq!(p["title"], "My <b>incident</b>"); // kept
    assert_eq!(p["severity"], "High"); // kept
    assert_eq!(p["owner"]["userPrincipalName"], "ana@contoso.com");
    assert_eq!(
        p["owner"]["objectId"],
        "2046feea-040d-4a46-9e2b-91c2941bfa70"
    ); // kept
    assert_eq!(
        p["labels"],
        json!([{"labelName": "triaged", "labelType": "User"}])
    );
    assert!(p.get("incidentNumber").is_none() && p.get("additionalData").is_none());
    assert_eq!(out["properties"]["status"], "Closed");
}

#[test]
fn comment_and_create_use_fresh_guids() {
    let server = TestServer::start(handler);
    let s = sentinel(&server);
    let c = s
        .add_comment(&format!("{INC}-1"), "Escalated to <IR>")
        .unwrap();
    assert_eq!(c["properties"]["message"], "Escalated to <IR>");
    let c2 = s.add_comment(&format!("{INC}-1"), "again").unwrap();
    assert_ne!(c["name"], c2["name"]);
    assert_eq!(c["name"].as_str().unwrap().len(), 36);
    assert_eq!(
        s.add_comment(&format!("{INC}-1"), "  ")
            .unwrap_err()
            .to_string(),
        "invalid incident comment: is empty"
    );
    let created = s
        .create_incident(
            "Phishing wave",
            "Medium",
            &IncidentUpdate::new().description("from a notebook"),
        )
        .unwrap();
    assert_eq!(created["properties"]["title"], "Phishing wave");
    assert_eq!(created["properties"]["status"], "New");
    assert_eq!(created["properties"]["description"], "from a notebook");
    assert_eq!(created["properties"]["incidentNumber"], 99);
    let err = s.incident("a/b").unwrap_err().to_string();
    assert_eq!(
        err,
        "invalid incidents name 'a/b': must be a non-empty name without '/', '?' or '#'"
    );
    let err = s.incident("missing").unwrap_err().to_string();
    assert_eq!(
        err,
        "async runtime: reading Sentinel incident 'missing': HTTP 404: NotFound: Resource not found"
    );
}

#[test]
fn rules_hunting_queries_bookmarks() {
    let server = TestServer::start(handler);
    let s = sentinel(&server);
    let rules = s.alert_rules().unwrap();
    assert_eq!(
        strs(&rules, "properties.displayName"),
        [
            Some("Suspicious logons".into()),
            Some("Create incidents from MDC".into())
        ]
    );
    let en: Vec<Option<bool>> = rules
        .column("properties.enabled")
        .unwrap()
        .bool()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(en, [Some(true), Some(false)]);

    let hq = s.hunting_queries().unwrap();
    assert_eq!(strs(&hq, "name"), [Some("hq1".into())]);
    assert_eq!(s.saved_searches().unwrap().height(), 2);
    assert_eq!(
        s.hunting_query_kql("rare PROCESSES").unwrap(),
        "SecurityEvent | where EventID == 4688 | summarize count() by Process | where count_ < 3"
    );
    assert_eq!(s.hunting_query_kql("hq1").unwrap().len(), 87);
    assert_eq!(
        s.hunting_query_kql("nope").unwrap_err().to_string(),
        "invalid hunting query 'nope': no saved search with that name or display name in the workspace"
    );

    let bm = s.bookmarks().unwrap();
    assert_eq!(
        strs(&bm, "properties.notes"),
        [Some("Found a suspicious activity".into())]
    );
    let made = s
        .create_bookmark("Odd logon", "SigninLogs | take 5", Some("check"), &["t1"])
        .unwrap();
    assert_eq!(
        made,
        json!({"properties": {"displayName": "Odd logon", "query": "SigninLogs | take 5", "labels": ["t1"], "notes": "check"}})
    );
}

#[test]
fn watchlists_items_create_add() {
    let server = TestServer::start(handler);
    let s = sentinel(&server);
    let wl = s.watchlists().unwrap();
    assert_eq!(
        strs(&wl, "properties.watchlistAlias"),
        [Some("highValueAsset".into())]
    );
    let items = s.watchlist_items("highValueAsset").unwrap();
    let names: Vec<&str> = items
        .get_column_names()
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(names, ["item_id", "Gateway subnet", "Web Tier", "Rank"]);
    assert_eq!(strs(&items, "Web Tier"), [Some("10.0.1.0/24".into()), None]);
    assert_eq!(strs(&items, "Rank"), [Some("1".into()), Some("2".into())]);

    let df = df!("ip" => ["10.1.1.1", "10.1.1.2"], "who" => ["dc01", "ceo laptop"]).unwrap();
    let out = s
        .create_watchlist("vips", "VIP hosts", "from a hunt", "ip", &df)
        .unwrap();
    assert_eq!(out["properties"]["itemsSearchKey"], "ip");
    assert_eq!(out["properties"]["contentType"], "text/csv");
    assert_eq!(
        out["properties"]["rawContent"],
        "ip,who\n10.1.1.1,dc01\n10.1.1.2,ceo laptop\n"
    );
    let err = s
        .create_watchlist("vips", "x", "", "nope", &df)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "column 'nope' not found in watchlist items with columns [ip, who]"
    );
    let mut item = serde_json::Map::new();
    item.insert("ip".into(), json!("10.1.1.3"));
    let added = s.add_watchlist_item("vips", &item).unwrap();
    assert_eq!(
        added,
        json!({"properties": {"itemsKeyValue": {"ip": "10.1.1.3"}}})
    );
}

#[test]
fn workspace_from_settings() {
    let yaml = r#"
AzureSentinel:
  Workspaces:
    Default:
      WorkspaceId: "52b1ab41-869e-4138-9e40-2a4457f09bf3"
      TenantId: "72f988bf-86f1-41af-91ab-2d7cd011db49"
      SubscriptionId: "s1"
      ResourceGroup: "soc-rg"
      WorkspaceName: "soc-ws"
    Partial:
      WorkspaceId: "a927809c-8142-43e1-96b3-4ad87cfe95a3"
      TenantId: "69d28fd7-42a5-48bc-a619-af56397b9f28"
"#;
    let settings = Settings::from_yaml_str(yaml, "test").unwrap();
    let ws = SentinelWorkspace::from_settings(&settings, None).unwrap();
    assert_eq!(ws, SentinelWorkspace::new("s1", "soc-rg", "soc-ws"));
    assert_eq!(ws.resource_id(), WS);
    let err = SentinelWorkspace::from_settings(&settings, Some("Partial"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "invalid workspace 'Partial': AzureSentinel.Workspaces.Partial.SubscriptionId is not set (Sentinel APIs need SubscriptionId, ResourceGroup and WorkspaceName)"
    );
    let err = SentinelWorkspace::from_settings(&settings, Some("Nope"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "invalid workspace 'Nope': not in AzureSentinel.Workspaces (have: Default, Partial)"
    );
}

/// The code of notebooks/azure-sentinel.ipynb, with settings that name no
/// tenant (as in CI): every live cell takes its "skipped" branch, the
/// offline cells run on bundled data.
#[test]
fn notebook_cells_run_offline() -> Result<(), Box<dyn std::error::Error>> {
    let hb = Huntbook::new()?;
    let settings = Settings::from_yaml_str("{}", "notebook")?;
    let sentinel = Sentinel::from_settings(&settings, None);
    let azure = AzureData::from_settings(&settings);
    let blob = BlobStorage::from_settings(&settings, None);
    let live = sentinel.is_ok();
    assert!(!live && blob.is_err());

    let incidents = match &sentinel {
        Ok(s) => s.incidents(
            &IncidentQuery::new()
                .filter("properties/status ne 'Closed'")
                .orderby("properties/createdTimeUtc desc")
                .top(25),
        )?,
        Err(_) => DataFrame::default(),
    };
    let first_id: Option<String> = fresh(&incidents)
        .column("name")
        .ok()
        .and_then(|c| c.str().ok().and_then(|s| s.get(0).map(String::from)));
    assert_eq!(first_id, None);
    let shown = match (&sentinel, &first_id) {
        (Ok(s), Some(id)) => {
            let inc = s.incident(id)?;
            huntbook::display::Html::new(inc.to_html(), inc.to_text())
        }
        _ => huntbook::display::Html::new(String::new(), "skipped".into()),
    };
    assert_eq!(shown.to_text(), "skipped");

    let hb_df = read_file(hb.data_path("msticpy/testdata/host_hb.csv")?)?;
    let rid = hb_df
        .column("ResourceId")?
        .str()?
        .get(0)
        .unwrap_or_default()
        .to_string();
    let parsed = ResourceId::parse(&rid)?;
    assert_eq!(parsed.subscription, "3b701f84-d04b-4479-89b1-fa8827eb537e");
    assert_eq!(parsed.resource_group.as_deref(), Some("proxy"));
    assert_eq!(parsed.name.as_deref(), Some("squid-uk-02"));
    let sel = hb_df.select(["Computer", "OSType", "ComputerIP", "ResourceId"])?;
    assert_eq!(sel.shape(), (1, 4));
    if let (Ok(az), true) = (&azure, live) {
        az.vm(&rid, true)?;
    }

    let demo = BlobStorage::with_key("huntdata", "c2VjcmV0LWtleS1mb3ItdGhlLWRlbW8=")?;
    let sas = demo.sas_url(
        "cases",
        "INC-42/procs.parquet",
        "r",
        chrono::Utc::now() + chrono::Duration::hours(2),
    )?;
    let html = sas.clone().to_html();
    assert!(html.starts_with("<code>https://huntdata.blob.core.windows.net/cases/INC-42/procs.parquet?sv=2023-11-03&amp;spr=https&amp;se="));
    assert!(html.ends_with("&amp;sr=b&amp;sp=r&amp;sig=***</code>"));
    Ok(())
}

#[test]
fn hunting_query_runs_through_the_log_analytics_driver() {
    use huntbook::azure::auth::{AccessToken, StaticToken};
    use huntbook::azure::cloud::AzureCloud;
    use huntbook::data::drivers::Connection;
    use huntbook::data::drivers::loganalytics::LogAnalyticsDriver;
    const WS_ID: &str = "52b1ab41-869e-4138-9e40-2a4457f09bf3";
    let arm = TestServer::start(handler);
    let s = sentinel(&arm);
    // A Log Analytics query API answering with MSTICPy's recorded body.
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/msticpy/testdata/azmondata/az_mon_raw_query.json"
    ))
    .unwrap();
    let la = TestServer::start(move |req, _| {
        assert_eq!(req.method, "POST");
        assert_eq!(req.path(), format!("/v1/workspaces/{WS_ID}/query"));
        assert_eq!(req.header("authorization"), Some("Bearer la-token"));
        assert_eq!(
            req.json()["query"],
            "SecurityEvent | where EventID == 4688 | summarize count() by Process | where count_ < 3"
        );
        Reply::bytes(200, body.clone())
    });
    let driver = LogAnalyticsDriver::new(
        Arc::new(StaticToken::new(AccessToken::new("la-token", None))),
        AzureCloud::global().with_log_analytics_endpoint(la.url()),
    )
    .workspace_ids([WS_ID]);
    let qp = QueryProvider::with_connection(Arc::new(driver), &Connection::new()).unwrap();
    let df = s.run_hunting_query("rare PROCESSES", &qp).unwrap();
    // az_mon_raw_query.json holds 3 rows of 34 columns (SecurityAlert).
    assert_eq!(df.shape(), (3, 34));
    assert!(df.column("TimeGenerated").is_ok());
    assert_eq!(
        s.run_hunting_query("nope", &qp).unwrap_err().to_string(),
        "invalid hunting query 'nope': no saved search with that name or display name in the workspace"
    );
}
