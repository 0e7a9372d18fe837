//! Microsoft Sentinel management APIs (MSTICPy's `MicrosoftSentinel`):
//! incidents (list with `$filter`/`$orderby`/`$top`, get one with its
//! alerts, entities and comments, update, comment, create), analytics
//! (alert) rules, hunting queries (the workspace's saved searches in the
//! "Hunting Queries" category: list, get the KQL, run it through a
//! [`QueryProvider`]), bookmarks and watchlists.
//!
//! Calls go to Resource Manager (`Microsoft.SecurityInsights`, api-version
//! [`SENTINEL_API`]) through [`ArmClient`]: bearer tokens with one refresh
//! after a 401, the shared HTTP client's retries and `429 Retry-After`,
//! `nextLink` pagination. The workspace comes from
//! `AzureSentinel.Workspaces` in the settings ([`SentinelWorkspace::from_settings`]).
//!
//! Lists come back as frames flattened like MSTICPy's (`pd.json_normalize`:
//! `properties.title`, `properties.severity`, …).
//!
//! ```no_run
//! use huntbook::azure::auth::{AccessToken, StaticToken};
//! use huntbook::azure::resources::ArmClient;
//! use huntbook::azure::sentinel::{IncidentQuery, Sentinel, SentinelWorkspace};
//! use std::sync::Arc;
//! let tokens = Arc::new(StaticToken::new(AccessToken::new("eyJ...", None)));
//! let arm = ArmClient::new(tokens, "https://management.azure.com")?;
//! let ws = SentinelWorkspace::new("sub-id", "soc-rg", "soc-workspace");
//! let sentinel = Sentinel::new(arm, ws);
//! let open = sentinel.incidents(&IncidentQuery::new().filter("properties/status eq 'New'").top(50))?;
//! # Ok::<(), huntbook::Error>(())
//! ```

mod incident;

pub use incident::{Incident, IncidentQuery, IncidentUpdate, entities_frame, new_guid};

use crate::azure::resources::{ArmClient, enc, json_text, normalize_json};
use crate::config::Settings;
use crate::data::provider::QueryProvider;
use crate::error::{Error, PolarsContext, Result};
use polars::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};

/// `api-version` of `Microsoft.SecurityInsights` (stable).
pub const SENTINEL_API: &str = "2024-03-01";
/// `api-version` of Log Analytics saved searches.
pub const SAVED_SEARCHES_API: &str = "2020-08-01";
/// The saved-search category of hunting queries.
pub const HUNTING_CATEGORY: &str = "Hunting Queries";

/// A Sentinel workspace: the ARM coordinates of its Log Analytics workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentinelWorkspace {
    /// Subscription id.
    pub subscription_id: String,
    /// Resource group.
    pub resource_group: String,
    /// Log Analytics workspace name.
    pub workspace_name: String,
}

impl SentinelWorkspace {
    /// A workspace by its ARM coordinates.
    pub fn new(subscription_id: &str, resource_group: &str, workspace_name: &str) -> Self {
        Self {
            subscription_id: subscription_id.into(),
            resource_group: resource_group.into(),
            workspace_name: workspace_name.into(),
        }
    }

    /// The workspace `name` (`Default` when `None`) of
    /// `AzureSentinel.Workspaces`; it needs `SubscriptionId`,
    /// `ResourceGroup` and `WorkspaceName`.
    pub fn from_settings(settings: &Settings, name: Option<&str>) -> Result<Self> {
        let w = settings.workspace(name)?;
        let need = |v: &Option<String>, key: &str| {
            v.clone().filter(|s| !s.trim().is_empty()).ok_or_else(|| {
                Error::invalid(
                    format!("workspace '{}'", w.name),
                    format!(
                        "AzureSentinel.Workspaces.{}.{key} is not set (Sentinel APIs need SubscriptionId, ResourceGroup and WorkspaceName)",
                        w.name
                    ),
                )
            })
        };
        Ok(Self {
            subscription_id: need(&w.subscription_id, "SubscriptionId")?,
            resource_group: need(&w.resource_group, "ResourceGroup")?,
            workspace_name: need(&w.workspace_name, "WorkspaceName")?,
        })
    }

    /// `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.OperationalInsights/workspaces/{ws}`.
    pub fn resource_id(&self) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.OperationalInsights/workspaces/{}",
            enc(&self.subscription_id),
            enc(&self.resource_group),
            enc(&self.workspace_name)
        )
    }
}

/// Microsoft Sentinel on one workspace.
#[derive(Debug, Clone)]
pub struct Sentinel {
    arm: ArmClient,
    workspace: SentinelWorkspace,
}

impl Sentinel {
    /// Sentinel on `workspace` through `arm`.
    pub fn new(arm: ArmClient, workspace: SentinelWorkspace) -> Self {
        Self { arm, workspace }
    }

    /// Sentinel on the workspace `name` of `AzureSentinel.Workspaces`
    /// (`Default` when `None`) with the cloud and credential of the
    /// settings ([`ArmClient::from_settings`]).
    pub fn from_settings(settings: &Settings, name: Option<&str>) -> Result<Self> {
        let ws = SentinelWorkspace::from_settings(settings, name)?;
        Ok(Self::new(ArmClient::from_settings(settings)?, ws))
    }

    /// An incident's entities as huntbook entities (pivot-ready).
    pub fn incident_entity_values(&self, id: &str) -> Result<Vec<crate::entities::Entity>> {
        let json = crate::session::block_on(self.incident_entities_json_async(id))??;
        json.iter()
            .map(crate::entities::Entity::from_json)
            .collect()
    }

    /// The workspace.
    pub fn workspace(&self) -> &SentinelWorkspace {
        &self.workspace
    }

    /// The client.
    pub fn arm(&self) -> &ArmClient {
        &self.arm
    }

    fn base(&self) -> String {
        format!(
            "{}/providers/Microsoft.SecurityInsights",
            self.workspace.resource_id()
        )
    }

    fn item(&self, collection: &str, name: &str) -> Result<String> {
        if name.is_empty() || name.contains(['/', '?', '#']) {
            return Err(Error::invalid(
                format!("{collection} name '{name}'"),
                "must be a non-empty name without '/', '?' or '#'",
            ));
        }
        Ok(format!("{}/{collection}/{}", self.base(), enc(name)))
    }

    async fn list_df(&self, path: String, what: &str) -> Result<DataFrame> {
        let items = self.arm.list(Method::GET, &path, None, what).await?;
        normalize_json(&items)
    }

    /// Incidents, flattened (`name`, `etag`, `properties.title`,
    /// `properties.severity`, `properties.status`, `properties.owner.assignedTo`, …).
    pub async fn incidents_async(&self, query: &IncidentQuery) -> Result<DataFrame> {
        self.list_df(
            format!("{}/incidents?{}", self.base(), query.query_string()),
            "listing Sentinel incidents",
        )
        .await
    }

    /// Blocking [`Self::incidents_async`].
    pub fn incidents(&self, query: &IncidentQuery) -> Result<DataFrame> {
        crate::session::block_on(self.incidents_async(query))?
    }

    /// One incident's JSON (`GET …/incidents/{id}`).
    pub async fn incident_json_async(&self, id: &str) -> Result<Value> {
        self.arm
            .get_json(
                &format!("{}?api-version={SENTINEL_API}", self.item("incidents", id)?),
                &format!("reading Sentinel incident '{id}'"),
            )
            .await
    }

    /// An incident with its alerts, entities and comments.
    pub async fn incident_async(&self, id: &str) -> Result<Incident> {
        let json = self.incident_json_async(id).await?;
        let entities_json = self.incident_entities_json_async(id).await?;
        Ok(Incident {
            json,
            alerts: self.incident_alerts_async(id).await?,
            entities: entities_frame(&entities_json)?,
            entities_json,
            comments: self.incident_comments_async(id).await?,
        })
    }

    /// Blocking [`Self::incident_async`].
    pub fn incident(&self, id: &str) -> Result<Incident> {
        crate::session::block_on(self.incident_async(id))?
    }

    /// An incident's alerts (`POST …/incidents/{id}/alerts`), flattened.
    pub async fn incident_alerts_async(&self, id: &str) -> Result<DataFrame> {
        let path = format!(
            "{}/alerts?api-version={SENTINEL_API}",
            self.item("incidents", id)?
        );
        let items = self
            .arm
            .list(
                Method::POST,
                &path,
                Some(&json!({})),
                &format!("reading the alerts of Sentinel incident '{id}'"),
            )
            .await?;
        normalize_json(&items)
    }

    /// An incident's entities as JSON (`POST …/incidents/{id}/entities`:
    /// the `entities` array).
    pub async fn incident_entities_json_async(&self, id: &str) -> Result<Vec<Value>> {
        let what = format!("reading the entities of Sentinel incident '{id}'");
        let json = self
            .arm
            .call(
                Method::POST,
                &format!(
                    "{}/entities?api-version={SENTINEL_API}",
                    self.item("incidents", id)?
                ),
                Some(&json!({})),
                &what,
            )
            .await?;
        match json.get("entities") {
            Some(Value::Array(a)) => Ok(a.clone()),
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(_) => Err(Error::Runtime(format!("{what}: 'entities' is not a list"))),
        }
    }

    /// An incident's entities as a frame ([`entities_frame`]).
    pub async fn incident_entities_async(&self, id: &str) -> Result<DataFrame> {
        entities_frame(&self.incident_entities_json_async(id).await?)
    }

    /// Blocking [`Self::incident_entities_async`].
    pub fn incident_entities(&self, id: &str) -> Result<DataFrame> {
        crate::session::block_on(self.incident_entities_async(id))?
    }

    /// An incident's comments: `name`, `created`, `author`, `message`.
    pub async fn incident_comments_async(&self, id: &str) -> Result<DataFrame> {
        let items = self
            .arm
            .list(
                Method::GET,
                &format!(
                    "{}/comments?api-version={SENTINEL_API}",
                    self.item("incidents", id)?
                ),
                None,
                &format!("reading the comments of Sentinel incident '{id}'"),
            )
            .await?;
        let col = |name: &str, p: &str| {
            Column::new(
                name.into(),
                items
                    .iter()
                    .map(|v| v.pointer(p).filter(|x| !x.is_null()).map(json_text))
                    .collect::<Vec<_>>(),
            )
        };
        DataFrame::new(
            items.len(),
            vec![
                col("name", "/name"),
                col("created", "/properties/createdTimeUtc"),
                col("author", "/properties/author/name"),
                col("message", "/properties/message"),
            ],
        )
        .ctx("building the incident comments frame")
    }

    /// Adds a comment (`PUT …/comments/{new GUID}`); returns the comment's JSON.
    pub async fn add_comment_async(&self, id: &str, message: &str) -> Result<Value> {
        if message.trim().is_empty() {
            return Err(Error::invalid("incident comment", "is empty"));
        }
        let cid = new_guid()?;
        self.arm
            .call(
                Method::PUT,
                &format!(
                    "{}/comments/{cid}?api-version={SENTINEL_API}",
                    self.item("incidents", id)?
                ),
                Some(&json!({"properties": {"message": message}})),
                &format!("adding a comment to Sentinel incident '{id}'"),
            )
            .await
    }

    /// Blocking [`Self::add_comment_async`].
    pub fn add_comment(&self, id: &str, message: &str) -> Result<Value> {
        crate::session::block_on(self.add_comment_async(id, message))?
    }

    /// Updates an incident: reads it, applies the changes to its
    /// properties (the others are kept) and writes it back with its `etag`
    /// (a concurrent change fails with HTTP 409/412 rather than being lost).
    /// Returns the updated incident's JSON.
    pub async fn update_incident_async(&self, id: &str, update: &IncidentUpdate) -> Result<Value> {
        let current = self.incident_json_async(id).await?;
        let mut props = current
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        // Read-only fields the API computes.
        for k in [
            "additionalData",
            "incidentNumber",
            "incidentUrl",
            "createdTimeUtc",
            "lastModifiedTimeUtc",
            "relatedAnalyticRuleIds",
            "providerName",
            "providerIncidentId",
        ] {
            props.remove(k);
        }
        update.apply(&mut props);
        let mut body = json!({"properties": props});
        if let Some(etag) = current.get("etag") {
            body["etag"] = etag.clone();
        }
        self.arm
            .call(
                Method::PUT,
                &format!("{}?api-version={SENTINEL_API}", self.item("incidents", id)?),
                Some(&body),
                &format!("updating Sentinel incident '{id}'"),
            )
            .await
    }

    /// Blocking [`Self::update_incident_async`].
    pub fn update_incident(&self, id: &str, update: &IncidentUpdate) -> Result<Value> {
        crate::session::block_on(self.update_incident_async(id, update))?
    }

    /// Creates an incident (`PUT …/incidents/{new GUID}`) with a title, a
    /// severity and the other fields of `extra` (status defaults to `New`).
    pub async fn create_incident_async(
        &self,
        title: &str,
        severity: &str,
        extra: &IncidentUpdate,
    ) -> Result<Value> {
        if title.trim().is_empty() {
            return Err(Error::invalid("incident title", "is empty"));
        }
        let mut props = serde_json::Map::new();
        props.insert("title".into(), Value::String(title.into()));
        props.insert("severity".into(), Value::String(severity.into()));
        props.insert("status".into(), Value::String("New".into()));
        extra.apply(&mut props);
        let iid = new_guid()?;
        self.arm
            .call(
                Method::PUT,
                &format!(
                    "{}?api-version={SENTINEL_API}",
                    self.item("incidents", &iid)?
                ),
                Some(&json!({"properties": props})),
                "creating a Sentinel incident",
            )
            .await
    }

    /// Blocking [`Self::create_incident_async`].
    pub fn create_incident(
        &self,
        title: &str,
        severity: &str,
        extra: &IncidentUpdate,
    ) -> Result<Value> {
        crate::session::block_on(self.create_incident_async(title, severity, extra))?
    }

    /// Analytics (alert) rules, flattened (`kind`, `properties.displayName`,
    /// `properties.query`, `properties.enabled`, …).
    pub async fn alert_rules_async(&self) -> Result<DataFrame> {
        self.list_df(
            format!("{}/alertRules?api-version={SENTINEL_API}", self.base()),
            "listing Sentinel alert rules",
        )
        .await
    }

    /// Blocking [`Self::alert_rules_async`].
    pub fn alert_rules(&self) -> Result<DataFrame> {
        crate::session::block_on(self.alert_rules_async())?
    }

    async fn saved_search_items(&self) -> Result<Vec<Value>> {
        self.arm
            .list(
                Method::GET,
                &format!(
                    "{}/savedSearches?api-version={SAVED_SEARCHES_API}",
                    self.workspace.resource_id()
                ),
                None,
                "listing the workspace's saved searches",
            )
            .await
    }

    /// The workspace's saved searches, flattened (`name`,
    /// `properties.category`, `properties.displayName`, `properties.query`, …).
    pub async fn saved_searches_async(&self) -> Result<DataFrame> {
        normalize_json(&self.saved_search_items().await?)
    }

    /// Blocking [`Self::saved_searches_async`].
    pub fn saved_searches(&self) -> Result<DataFrame> {
        crate::session::block_on(self.saved_searches_async())?
    }

    /// Hunting queries: saved searches in the "Hunting Queries" category.
    pub async fn hunting_queries_async(&self) -> Result<DataFrame> {
        let items: Vec<Value> = self
            .saved_search_items()
            .await?
            .into_iter()
            .filter(|v| {
                v.pointer("/properties/category")
                    .and_then(Value::as_str)
                    .is_some_and(|c| c.eq_ignore_ascii_case(HUNTING_CATEGORY))
            })
            .collect();
        normalize_json(&items)
    }

    /// Blocking [`Self::hunting_queries_async`].
    pub fn hunting_queries(&self) -> Result<DataFrame> {
        crate::session::block_on(self.hunting_queries_async())?
    }

    /// The KQL of a saved search, by its name (id) or display name
    /// (case-insensitive).
    pub async fn hunting_query_kql_async(&self, name: &str) -> Result<String> {
        let items = self.saved_search_items().await?;
        let hit = items.iter().find(|v| {
            let n = v.get("name").and_then(Value::as_str);
            let d = v.pointer("/properties/displayName").and_then(Value::as_str);
            [n, d]
                .iter()
                .flatten()
                .any(|x| x.eq_ignore_ascii_case(name))
        });
        hit.and_then(|v| v.pointer("/properties/query").and_then(Value::as_str))
            .map(String::from)
            .ok_or_else(|| {
                Error::invalid(
                    format!("hunting query '{name}'"),
                    "no saved search with that name or display name in the workspace",
                )
            })
    }

    /// Blocking [`Self::hunting_query_kql_async`].
    pub fn hunting_query_kql(&self, name: &str) -> Result<String> {
        crate::session::block_on(self.hunting_query_kql_async(name))?
    }

    /// Runs a hunting query's KQL through a query provider (the Log
    /// Analytics driver connected to this workspace).
    pub fn run_hunting_query(&self, name: &str, provider: &QueryProvider) -> Result<DataFrame> {
        let kql = self.hunting_query_kql(name)?;
        provider.exec(&kql)
    }

    /// Bookmarks, flattened.
    pub async fn bookmarks_async(&self) -> Result<DataFrame> {
        self.list_df(
            format!("{}/bookmarks?api-version={SENTINEL_API}", self.base()),
            "listing Sentinel bookmarks",
        )
        .await
    }

    /// Blocking [`Self::bookmarks_async`].
    pub fn bookmarks(&self) -> Result<DataFrame> {
        crate::session::block_on(self.bookmarks_async())?
    }

    /// Creates a bookmark (`PUT …/bookmarks/{new GUID}`) for a query and
    /// optional notes and labels; returns its JSON.
    pub async fn create_bookmark_async(
        &self,
        display_name: &str,
        query: &str,
        notes: Option<&str>,
        labels: &[&str],
    ) -> Result<Value> {
        if display_name.trim().is_empty() || query.trim().is_empty() {
            return Err(Error::invalid(
                "bookmark",
                "needs a display name and a query",
            ));
        }
        let mut props = json!({"displayName": display_name, "query": query, "labels": labels});
        if let Some(n) = notes {
            props["notes"] = Value::String(n.into());
        }
        let bid = new_guid()?;
        self.arm
            .call(
                Method::PUT,
                &format!(
                    "{}?api-version={SENTINEL_API}",
                    self.item("bookmarks", &bid)?
                ),
                Some(&json!({"properties": props})),
                "creating a Sentinel bookmark",
            )
            .await
    }

    /// Blocking [`Self::create_bookmark_async`].
    pub fn create_bookmark(
        &self,
        display_name: &str,
        query: &str,
        notes: Option<&str>,
        labels: &[&str],
    ) -> Result<Value> {
        crate::session::block_on(self.create_bookmark_async(display_name, query, notes, labels))?
    }

    /// Watchlists, flattened (`properties.watchlistAlias`,
    /// `properties.displayName`, `properties.itemsSearchKey`, …).
    pub async fn watchlists_async(&self) -> Result<DataFrame> {
        self.list_df(
            format!("{}/watchlists?api-version={SENTINEL_API}", self.base()),
            "listing Sentinel watchlists",
        )
        .await
    }

    /// Blocking [`Self::watchlists_async`].
    pub fn watchlists(&self) -> Result<DataFrame> {
        crate::session::block_on(self.watchlists_async())?
    }

    /// A watchlist's items: one row per item, one column per key of
    /// `itemsKeyValue`, plus `item_id`.
    pub async fn watchlist_items_async(&self, alias: &str) -> Result<DataFrame> {
        let items = self
            .arm
            .list(
                Method::GET,
                &format!(
                    "{}/watchlistItems?api-version={SENTINEL_API}",
                    self.item("watchlists", alias)?
                ),
                None,
                &format!("listing the items of watchlist '{alias}'"),
            )
            .await?;
        let rows: Vec<Value> = items
            .iter()
            .map(|v| {
                let mut row = serde_json::Map::new();
                row.insert(
                    "item_id".into(),
                    v.get("name").cloned().unwrap_or(Value::Null),
                );
                if let Some(kv) = v
                    .pointer("/properties/itemsKeyValue")
                    .and_then(Value::as_object)
                {
                    for (k, x) in kv {
                        // Keep values as text: Sentinel stores watchlist cells as strings.
                        let text = if x.is_null() {
                            Value::Null
                        } else {
                            Value::String(json_text(x))
                        };
                        row.insert(k.clone(), text);
                    }
                }
                Value::Object(row)
            })
            .collect();
        normalize_json(&rows)
    }

    /// Blocking [`Self::watchlist_items_async`].
    pub fn watchlist_items(&self, alias: &str) -> Result<DataFrame> {
        crate::session::block_on(self.watchlist_items_async(alias))?
    }

    /// Creates a watchlist from a frame (`PUT …/watchlists/{alias}` with the
    /// frame as CSV `rawContent`); `search_key` must be one of its columns.
    pub async fn create_watchlist_async(
        &self,
        alias: &str,
        display_name: &str,
        description: &str,
        search_key: &str,
        items: &DataFrame,
    ) -> Result<Value> {
        let items = crate::data::fresh(items);
        if items.column(search_key).is_err() {
            return Err(Error::column_not_found(
                search_key,
                "watchlist items",
                items.get_column_names().iter().map(|s| s.as_str()),
            ));
        }
        let mut csv = Vec::new();
        let mut df = items.clone();
        crate::data::write_frame(&mut df, crate::data::FileFormat::Csv, &mut csv)?;
        let body = json!({"properties": {
            "displayName": display_name,
            "description": description,
            "provider": "huntbook",
            "source": "huntbook.csv",
            "itemsSearchKey": search_key,
            "contentType": "text/csv",
            "numberOfLinesToSkip": 0,
            "rawContent": String::from_utf8_lossy(&csv),
        }});
        self.arm
            .call(
                Method::PUT,
                &format!(
                    "{}?api-version={SENTINEL_API}",
                    self.item("watchlists", alias)?
                ),
                Some(&body),
                &format!("creating watchlist '{alias}'"),
            )
            .await
    }

    /// Blocking [`Self::create_watchlist_async`].
    pub fn create_watchlist(
        &self,
        alias: &str,
        display_name: &str,
        description: &str,
        search_key: &str,
        items: &DataFrame,
    ) -> Result<Value> {
        crate::session::block_on(self.create_watchlist_async(
            alias,
            display_name,
            description,
            search_key,
            items,
        ))?
    }

    /// Adds one item to a watchlist (`PUT …/watchlistItems/{new GUID}`).
    pub async fn add_watchlist_item_async(
        &self,
        alias: &str,
        item: &serde_json::Map<String, Value>,
    ) -> Result<Value> {
        let id = new_guid()?;
        self.arm
            .call(
                Method::PUT,
                &format!(
                    "{}/watchlistItems/{id}?api-version={SENTINEL_API}",
                    self.item("watchlists", alias)?
                ),
                Some(&json!({"properties": {"itemsKeyValue": item}})),
                &format!("adding an item to watchlist '{alias}'"),
            )
            .await
    }

    /// Blocking [`Self::add_watchlist_item_async`].
    pub fn add_watchlist_item(
        &self,
        alias: &str,
        item: &serde_json::Map<String, Value>,
    ) -> Result<Value> {
        crate::session::block_on(self.add_watchlist_item_async(alias, item))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_shape() {
        let g = new_guid().unwrap();
        assert_eq!(g.len(), 36);
        assert_eq!(&g[14..15], "4");
        assert!(matches!(&g[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(g, new_guid().unwrap());
    }

    #[test]
    fn update_keeps_other_properties() {
        let mut props = json!({"title": "t", "severity": "Low", "labels": [{"labelName": "a", "labelType": "User"}]})
            .as_object()
            .cloned()
            .unwrap();
        IncidentUpdate::new()
            .status("Active")
            .owner_upn("ana@contoso.com")
            .label("a")
            .label("b")
            .apply(&mut props);
        assert_eq!(
            Value::Object(props),
            json!({"title": "t", "severity": "Low", "status": "Active",
                   "owner": {"userPrincipalName": "ana@contoso.com", "assignedTo": "ana@contoso.com"},
                   "labels": [{"labelName": "a", "labelType": "User"}, {"labelName": "b", "labelType": "User"}]})
        );
    }

    #[test]
    fn query_string_encodes() {
        let q = IncidentQuery::new()
            .filter("properties/severity eq 'High'")
            .orderby("properties/createdTimeUtc desc")
            .top(5);
        assert_eq!(
            q.query_string(),
            "api-version=2024-03-01&$filter=properties%2Fseverity%20eq%20%27High%27&$orderby=properties%2FcreatedTimeUtc%20desc&$top=5"
        );
    }
}
