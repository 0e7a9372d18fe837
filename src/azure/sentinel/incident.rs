//! Incident values: the list filter ([`IncidentQuery`]), changes
//! ([`IncidentUpdate`]), one incident with its alerts, entities and comments
//! ([`Incident`]), the entities frame, and client-made GUIDs.

use super::SENTINEL_API;
use crate::azure::resources::{enc, json_text, normalize_json};
use crate::display::NotebookDisplay;
use crate::error::{Error, PolarsContext, Result};
use crate::vis::html::HtmlBuilder;
use crate::vis::table::{TableOptions, table_html, table_text};
use polars::prelude::*;
use serde_json::{Value, json};

/// Filters for [`Sentinel::incidents`] (OData, passed to the API).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentQuery {
    filter: Option<String>,
    orderby: Option<String>,
    top: Option<u32>,
}

impl IncidentQuery {
    /// No filter: every incident, the API's order.
    pub fn new() -> Self {
        Self::default()
    }
    /// `$filter`, e.g. `properties/severity eq 'High'`.
    pub fn filter(mut self, f: impl Into<String>) -> Self {
        self.filter = Some(f.into());
        self
    }
    /// `$orderby`, e.g. `properties/createdTimeUtc desc`.
    pub fn orderby(mut self, o: impl Into<String>) -> Self {
        self.orderby = Some(o.into());
        self
    }
    /// `$top`: page size (the API pages the rest through `nextLink`).
    pub fn top(mut self, n: u32) -> Self {
        self.top = Some(n);
        self
    }
    pub(crate) fn query_string(&self) -> String {
        let mut q = format!("api-version={SENTINEL_API}");
        if let Some(f) = &self.filter {
            q.push_str("&$filter=");
            q.push_str(&enc(f));
        }
        if let Some(o) = &self.orderby {
            q.push_str("&$orderby=");
            q.push_str(&enc(o));
        }
        if let Some(t) = self.top {
            q.push_str(&format!("&$top={t}"));
        }
        q
    }
}

/// Changes for [`Sentinel::update_incident`]; unset fields keep their value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentUpdate {
    /// `New`, `Active` or `Closed`.
    pub status: Option<String>,
    /// `High`, `Medium`, `Low` or `Informational`.
    pub severity: Option<String>,
    /// The new title.
    pub title: Option<String>,
    /// The new description.
    pub description: Option<String>,
    /// The owner's object id (`owner.objectId`).
    pub owner_object_id: Option<String>,
    /// The owner's UPN (`owner.userPrincipalName`) — also shown as `assignedTo`.
    pub owner_upn: Option<String>,
    /// Closing classification (`TruePositive`, `FalsePositive`, `BenignPositive`, `Undetermined`).
    pub classification: Option<String>,
    /// Closing classification reason (`SuspiciousActivity`, `IncorrectAlertLogic`, …).
    pub classification_reason: Option<String>,
    /// Closing comment.
    pub classification_comment: Option<String>,
    /// Labels added (kept with the existing ones).
    pub add_labels: Vec<String>,
}

impl IncidentUpdate {
    /// No changes.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the status.
    pub fn status(mut self, v: impl Into<String>) -> Self {
        self.status = Some(v.into());
        self
    }
    /// Sets the severity.
    pub fn severity(mut self, v: impl Into<String>) -> Self {
        self.severity = Some(v.into());
        self
    }
    /// Sets the title.
    pub fn title(mut self, v: impl Into<String>) -> Self {
        self.title = Some(v.into());
        self
    }
    /// Sets the description.
    pub fn description(mut self, v: impl Into<String>) -> Self {
        self.description = Some(v.into());
        self
    }
    /// Assigns the incident to a user by UPN.
    pub fn owner_upn(mut self, v: impl Into<String>) -> Self {
        self.owner_upn = Some(v.into());
        self
    }
    /// Assigns the incident to a user by object id.
    pub fn owner_object_id(mut self, v: impl Into<String>) -> Self {
        self.owner_object_id = Some(v.into());
        self
    }
    /// Sets the classification, reason and comment (for closing).
    pub fn classification(
        mut self,
        classification: impl Into<String>,
        reason: Option<&str>,
        comment: Option<&str>,
    ) -> Self {
        self.classification = Some(classification.into());
        self.classification_reason = reason.map(String::from);
        self.classification_comment = comment.map(String::from);
        self
    }
    /// Adds a label.
    pub fn label(mut self, v: impl Into<String>) -> Self {
        self.add_labels.push(v.into());
        self
    }

    pub(crate) fn apply(&self, props: &mut serde_json::Map<String, Value>) {
        let mut set = |k: &str, v: &Option<String>| {
            if let Some(v) = v {
                props.insert(k.into(), Value::String(v.clone()));
            }
        };
        set("status", &self.status);
        set("severity", &self.severity);
        set("title", &self.title);
        set("description", &self.description);
        set("classification", &self.classification);
        set("classificationReason", &self.classification_reason);
        set("classificationComment", &self.classification_comment);
        if self.owner_upn.is_some() || self.owner_object_id.is_some() {
            let owner = props.entry("owner").or_insert_with(|| json!({}));
            if !owner.is_object() {
                *owner = json!({});
            }
            if let Some(o) = owner.as_object_mut() {
                if let Some(u) = &self.owner_upn {
                    o.insert("userPrincipalName".into(), Value::String(u.clone()));
                    o.insert("assignedTo".into(), Value::String(u.clone()));
                }
                if let Some(id) = &self.owner_object_id {
                    o.insert("objectId".into(), Value::String(id.clone()));
                }
            }
        }
        if !self.add_labels.is_empty() {
            let labels = props.entry("labels").or_insert_with(|| json!([]));
            if !labels.is_array() {
                *labels = json!([]);
            }
            if let Some(a) = labels.as_array_mut() {
                for l in &self.add_labels {
                    let exists = a
                        .iter()
                        .any(|x| x.get("labelName").and_then(Value::as_str) == Some(l.as_str()));
                    if !exists {
                        a.push(json!({"labelName": l, "labelType": "User"}));
                    }
                }
            }
        }
    }
}

/// One incident with its alerts, entities and comments.
#[derive(Debug, Clone)]
pub struct Incident {
    /// The incident as the API returns it.
    pub json: Value,
    /// Its alerts (flattened).
    pub alerts: DataFrame,
    /// Its entities: `kind`, `id`, `friendly_name`, `properties` (JSON).
    pub entities: DataFrame,
    /// Its entities as the API returned them.
    pub entities_json: Vec<Value>,
    /// Its comments: `name`, `created`, `author`, `message`.
    pub comments: DataFrame,
}

impl Incident {
    /// The incident's name (the GUID in its id).
    pub fn name(&self) -> &str {
        self.json.get("name").and_then(Value::as_str).unwrap_or("")
    }
    /// `properties.<key>` as text.
    pub fn property(&self, key: &str) -> Option<String> {
        self.json
            .get("properties")
            .and_then(|p| p.get(key))
            .filter(|v| !v.is_null())
            .map(json_text)
    }
    /// Its entities as huntbook entities (pivot-ready); an entity that
    /// cannot be read is an error naming it.
    pub fn entity_values(&self) -> Result<Vec<crate::entities::Entity>> {
        self.entities_json
            .iter()
            .map(crate::entities::Entity::from_json)
            .collect()
    }

    /// The incident as one flattened row (MSTICPy's `get_incident` frame).
    pub fn to_df(&self) -> Result<DataFrame> {
        normalize_json(std::slice::from_ref(&self.json))
    }
}

impl NotebookDisplay for Incident {
    fn to_html(&self) -> String {
        let mut b = HtmlBuilder::new();
        b.open("div", &[("class", "huntbook-sentinel-incident")]);
        b.element(
            "h4",
            &[],
            &format!(
                "Incident {}: {}",
                self.property("incidentNumber").unwrap_or_default(),
                self.property("title").unwrap_or_default()
            ),
        );
        b.open("p", &[]);
        for k in ["severity", "status", "classification", "createdTimeUtc"] {
            if let Some(v) = self.property(k) {
                b.element("b", &[], k).text(&format!(": {v}  "));
            }
        }
        b.close("p");
        if let Some(d) = self.property("description") {
            b.element("p", &[], &d);
        }
        let mut out = b.finish();
        for (title, df) in [
            ("Alerts", &self.alerts),
            ("Entities", &self.entities),
            ("Comments", &self.comments),
        ] {
            let mut h = HtmlBuilder::new();
            h.element("h5", &[], &format!("{title} ({})", df.height()));
            out.push_str(&h.finish());
            // Built by the escaping table renderer.
            out.push_str(&table_html(
                df,
                &TableOptions::default().max_cell_chars(200),
            ));
        }
        out.push_str("</div>");
        out
    }
    fn to_text(&self) -> String {
        format!(
            "Incident {}: {}\nalerts:\n{}\nentities:\n{}\ncomments:\n{}",
            self.property("incidentNumber").unwrap_or_default(),
            self.property("title").unwrap_or_default(),
            table_text(&self.alerts),
            table_text(&self.entities),
            table_text(&self.comments)
        )
    }
}

/// A new GUID (version 4, random) for items the client names.
pub fn new_guid() -> Result<String> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b)
        .map_err(|e| Error::Runtime(format!("could not get random bytes for a GUID: {e}")))?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

/// Incident entities (the `entities` array of
/// `POST …/incidents/{id}/entities`) as a frame: `kind`, `id`,
/// `friendly_name`, `properties` (JSON text, pivot-ready).
pub fn entities_frame(entities: &[Value]) -> Result<DataFrame> {
    let kinds: Vec<Option<String>> = entities
        .iter()
        .map(|e| e.get("kind").and_then(Value::as_str).map(String::from))
        .collect();
    let ids: Vec<Option<String>> = entities
        .iter()
        .map(|e| e.get("id").and_then(Value::as_str).map(String::from))
        .collect();
    let names: Vec<Option<String>> = entities
        .iter()
        .map(|e| {
            e.pointer("/properties/friendlyName")
                .and_then(Value::as_str)
                .map(String::from)
        })
        .collect();
    let props: Vec<Option<String>> = entities
        .iter()
        .map(|e| e.get("properties").map(|p| p.to_string()))
        .collect();
    DataFrame::new(
        entities.len(),
        vec![
            Column::new("kind".into(), kinds),
            Column::new("id".into(), ids),
            Column::new("friendly_name".into(), names),
            Column::new("properties".into(), props),
        ],
    )
    .ctx("building the incident entities frame")
}
