//! [`SelectAlert`]: pick one alert from an alerts frame.

use super::WidgetStore;
use super::core::Core;
use super::select::{filter_box, list_box};
use crate::display::NotebookDisplay;
use crate::error::{Error, PolarsContext, Result};
use crate::vis::html::HtmlBuilder;
use polars::prelude::*;

/// Longest field text sent to the browser's details pane (characters).
const DETAIL_CHARS: usize = 600;

#[derive(Clone)]
struct Entry {
    id: String,
    row: usize,
    label: String,
}

/// A filterable alert list with a details pane; the value is the selected
/// alert's row (MSTICPy's `SelectAlert`).
///
/// Columns: the id column (default `SystemAlertId`), the time column
/// (default `TimeGenerated`, MSTICPy's) and the display columns (default
/// `AlertName` and `ProductName`, those present; at least one must be). An
/// item reads `time - AlertName - ProductName`; the list is sorted by time.
/// Until the analyst picks one, the first alert of the frame is selected, as
/// in MSTICPy.
///
/// ```
/// use huntbook::prelude::*;
/// use huntbook::widgets::{SelectAlert, WidgetStore};
/// let alerts = df!(
///     "SystemAlertId" => ["a1", "a2"],
///     "TimeGenerated" => ["2019-01-12 06:41:44", "2019-01-11 20:28:14"],
///     "AlertName" => ["DC local group addition", "Suspicious Account Added"],
/// )?;
/// let dir = std::env::temp_dir().join(format!("hb-doc-sa-{}", std::process::id()));
/// let pick = SelectAlert::new(&alerts)?.store(WidgetStore::at(&dir)?);
/// assert_eq!(pick.alert_id()?.as_deref(), Some("a1"));
/// pick.set_alert("a2")?;
/// let row = pick.value()?.unwrap();
/// assert_eq!(row.column("AlertName")?.str()?.get(0), Some("Suspicious Account Added"));
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct SelectAlert {
    core: Core,
    label: String,
    alerts: DataFrame,
    entries: Vec<Entry>,
    id_col: String,
    default: Option<String>,
    rows: usize,
}

impl std::fmt::Debug for SelectAlert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SelectAlert")
            .field("id", &self.core.id)
            .field("alerts", &self.entries.len())
            .finish()
    }
}

fn string_column(df: &DataFrame, name: &str) -> Result<StringChunked> {
    let col = df.column(name).map_err(|_| {
        Error::column_not_found(
            name,
            "alerts",
            df.get_column_names().iter().map(|s| s.as_str()),
        )
    })?;
    let s = col
        .as_materialized_series()
        .cast(&DataType::String)
        .ctx(format!("reading alerts column '{name}' as text"))?;
    Ok(s.str()
        .ctx(format!("reading alerts column '{name}'"))?
        .clone())
}

impl SelectAlert {
    /// Alerts from `alerts` with MSTICPy's default columns.
    pub fn new(alerts: &DataFrame) -> Result<Self> {
        Self::with_columns(
            alerts,
            "SystemAlertId",
            "TimeGenerated",
            &["AlertName", "ProductName"],
        )
    }

    /// Alerts with explicit id, time and display columns.
    pub fn with_columns(
        alerts: &DataFrame,
        id_col: &str,
        time_col: &str,
        columns: &[&str],
    ) -> Result<Self> {
        let alerts = crate::data::fresh(alerts);
        let names: Vec<&str> = alerts
            .get_column_names()
            .iter()
            .map(|s| s.as_str())
            .collect();
        let shown: Vec<&str> = columns
            .iter()
            .copied()
            .filter(|c| names.contains(c))
            .collect();
        if shown.is_empty() {
            return Err(Error::invalid(
                "SelectAlert display columns",
                format!(
                    "none of [{}] is in the alerts frame (columns: {})",
                    columns.join(", "),
                    names.join(", ")
                ),
            ));
        }
        let ids = string_column(&alerts, id_col)?;
        let times = string_column(&alerts, time_col)?;
        let shown_cols: Vec<StringChunked> = shown
            .iter()
            .map(|c| string_column(&alerts, c))
            .collect::<Result<_>>()?;
        let mut entries = Vec::with_capacity(alerts.height());
        for row in 0..alerts.height() {
            let Some(id) = ids.get(row) else { continue };
            let mut parts = vec![times.get(row).unwrap_or("").to_string()];
            parts.extend(
                shown_cols
                    .iter()
                    .map(|c| c.get(row).unwrap_or("").to_string()),
            );
            if entries.iter().any(|e: &Entry| e.id == id) {
                continue; // first row wins for a repeated id, as the lookup does
            }
            entries.push(Entry {
                id: id.to_string(),
                row,
                label: parts.join(" - "),
            });
        }
        let default = entries.first().map(|e| e.id.clone());
        let times_sorted = |e: &Entry| times.get(e.row).unwrap_or("").to_string();
        entries.sort_by_key(times_sorted);
        let mut parts: Vec<&str> = vec![id_col, time_col];
        parts.extend(entries.iter().map(|e| e.id.as_str()));
        let core = Core::new("selectalert", &parts);
        Ok(Self {
            core,
            label: "Select alert".to_string(),
            alerts,
            entries,
            id_col: id_col.to_string(),
            default,
            rows: 12,
        })
    }

    /// The description.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// The alert selected until the analyst picks another (by id).
    pub fn default_alert(mut self, id: impl Into<String>) -> Self {
        self.default = Some(id.into());
        self
    }

    /// Rows of the list (default 12).
    pub fn rows(mut self, rows: usize) -> Self {
        self.rows = rows.clamp(2, 40);
        self
    }

    /// A fixed widget id.
    pub fn id(mut self, name: &str) -> Self {
        self.core.set_id(name);
        self
    }

    /// Keeps the value in `store`.
    pub fn store(mut self, store: WidgetStore) -> Self {
        self.core.set_store(store);
        self
    }

    /// The widget id.
    pub fn widget_id(&self) -> &str {
        &self.core.id
    }

    /// The list items as `(alert id, label)`, in list order.
    pub fn items(&self) -> Vec<(String, String)> {
        self.entries
            .iter()
            .map(|e| (e.id.clone(), e.label.clone()))
            .collect()
    }

    fn entry(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// The selected alert's id.
    pub fn alert_id(&self) -> Result<Option<String>> {
        if let Some(v) = self.core.stored()?
            && let Some(id) = v.get("id").and_then(|i| i.as_str())
            && self.entry(id).is_some()
        {
            return Ok(Some(id.to_string()));
        }
        Ok(self.default.clone().filter(|d| self.entry(d).is_some()))
    }

    /// The selected alert as a one-row frame (all columns).
    pub fn value(&self) -> Result<Option<DataFrame>> {
        Ok(self.alert_id()?.and_then(|id| {
            self.entry(&id)
                .map(|e| crate::data::fresh(&self.alerts.slice(e.row as i64, 1)))
        }))
    }

    /// Selects an alert by id.
    pub fn set_alert(&self, id: &str) -> Result<()> {
        if self.entry(id).is_none() {
            return Err(Error::invalid(
                format!("alert id '{}'", id.escape_debug()),
                format!("not in column '{}' of the alerts", self.id_col),
            ));
        }
        self.core.save(&serde_json::json!({ "id": id }))
    }

    /// Forgets the stored choice.
    pub fn reset(&self) -> Result<()> {
        self.core.clear()
    }

    /// The selected alert's entities, from its `Entities` JSON column: one row
    /// per entity with `Type`, `Name` (the entity's main identifier) and
    /// `Properties` (the entity as JSON). Entities that only reference others
    /// (`$ref`) are skipped; JSON that does not parse is an error.
    pub fn entities(&self) -> Result<DataFrame> {
        let Some(row) = self.value()? else {
            return entities_frame(Vec::new());
        };
        // The frame may come from an earlier notebook cell: look columns up
        // on a fresh copy (polars caches schemas with a per-cell hash seed).
        let row = crate::data::fresh(&row);
        let text = string_column(&row, "Entities")?
            .get(0)
            .unwrap_or("")
            .to_string();
        parse_entities(&text)
    }

    fn details(&self, row: usize) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for col in self.alerts.columns() {
            let v = match col.get(row) {
                Ok(AnyValue::Null) | Err(_) => String::new(),
                Ok(AnyValue::String(s)) => s.to_string(),
                Ok(other) => other.to_string(),
            };
            let mut v: String = v.chars().take(DETAIL_CHARS).collect();
            if v.chars().count() == DETAIL_CHARS {
                v.push('…');
            }
            out.push((col.name().to_string(), v));
        }
        out
    }
}

fn entities_frame(rows: Vec<(String, String, String)>) -> Result<DataFrame> {
    let (t, rest): (Vec<String>, Vec<(String, String)>) =
        rows.into_iter().map(|(a, b, c)| (a, (b, c))).unzip();
    let (n, p): (Vec<String>, Vec<String>) = rest.into_iter().unzip();
    DataFrame::new_infer_height(vec![
        Column::new("Type".into(), t),
        Column::new("Name".into(), n),
        Column::new("Properties".into(), p),
    ])
    .ctx("building the alert's entity frame")
}

/// Parses an alert's `Entities` JSON (a list of entity objects).
pub(crate) fn parse_entities(text: &str) -> Result<DataFrame> {
    if text.trim().is_empty() {
        return entities_frame(Vec::new());
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|source| Error::Json {
        context: "parsing the alert's Entities column".to_string(),
        source,
    })?;
    let list = value.as_array().ok_or_else(|| {
        Error::invalid("alert Entities column", "expected a JSON list of entities")
    })?;
    let mut rows = Vec::new();
    for ent in list {
        let Some(obj) = ent.as_object() else { continue };
        let Some(kind) = obj.get("Type").and_then(|t| t.as_str()) else {
            continue;
        };
        let name = [
            "HostName",
            "Address",
            "Name",
            "CommandLine",
            "ProcessId",
            "Key",
            "Value",
            "SessionId",
            "Url",
            "DomainName",
        ]
        .iter()
        .find_map(|k| {
            obj.get(*k)
                .filter(|v| !v.is_null() && v.as_str() != Some(""))
        })
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
        .unwrap_or_default();
        let props: serde_json::Map<String, serde_json::Value> = obj
            .iter()
            .filter(|(k, _)| k.as_str() != "$id")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        rows.push((
            kind.to_string(),
            name,
            serde_json::Value::Object(props).to_string(),
        ));
    }
    entities_frame(rows)
}

impl NotebookDisplay for SelectAlert {
    fn to_html(&self) -> String {
        let selected = self.alert_id().ok().flatten();
        let mut h = HtmlBuilder::new();
        filter_box(&mut h, "Filter alerts by title");
        let items: Vec<(&str, &str)> = self
            .entries
            .iter()
            .map(|e| (e.id.as_str(), e.label.as_str()))
            .collect();
        list_box(&mut h, "hb-w-list", self.rows, &items, selected.as_deref());
        h.open("div", &[("class", "hb-sa-details")]);
        if let Some(e) = selected.as_deref().and_then(|id| self.entry(id)) {
            h.open("table", &[]);
            for (k, v) in self.details(e.row) {
                h.open("tr", &[])
                    .element("th", &[], &k)
                    .element("td", &[], &v)
                    .close("tr");
            }
            h.close("table");
        }
        h.close("div");
        let mut details = serde_json::Map::new();
        for e in &self.entries {
            let rows: Vec<serde_json::Value> = self
                .details(e.row)
                .into_iter()
                .map(|(k, v)| serde_json::json!([k, v]))
                .collect();
            details.insert(e.id.clone(), serde_json::Value::Array(rows));
        }
        self.core
            .render(&self.label, &h, serde_json::json!({ "details": details }))
    }

    fn to_text(&self) -> String {
        match self.alert_id() {
            Ok(Some(id)) => {
                let label = self.entry(&id).map(|e| e.label.as_str()).unwrap_or("");
                format!(
                    "{}: {label} [id:{id}] ({} alerts)",
                    self.label,
                    self.entries.len()
                )
            }
            Ok(None) => format!("{}: (none) ({} alerts)", self.label, self.entries.len()),
            Err(e) => format!("{}: {e}", self.label),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_are_parsed() {
        let df = parse_entities(
            r#"[{"$id":"3","Address":"75.10.91.22","Type":"ip","Count":1},{"$id":"4","HostName":"DHCP<b>","Type":"host"},{"$ref":"4"},{"$id":"5","Name":"ADMIN","Host":{"$ref":"4"},"Type":"account"}]"#,
        )
        .unwrap();
        assert_eq!(df.shape(), (3, 3));
        let t = df.column("Type").unwrap().str().unwrap().clone();
        let n = df.column("Name").unwrap().str().unwrap().clone();
        assert_eq!(
            t.iter().collect::<Vec<_>>(),
            vec![Some("ip"), Some("host"), Some("account")]
        );
        assert_eq!(
            n.iter().collect::<Vec<_>>(),
            vec![Some("75.10.91.22"), Some("DHCP<b>"), Some("ADMIN")]
        );
        let p = df
            .column("Properties")
            .unwrap()
            .str()
            .unwrap()
            .get(0)
            .unwrap()
            .to_string();
        let p: serde_json::Value = serde_json::from_str(&p).unwrap();
        assert_eq!(
            p,
            serde_json::json!({"Address": "75.10.91.22", "Type": "ip", "Count": 1})
        );
        assert!(parse_entities("{not json").is_err());
        assert_eq!(parse_entities("").unwrap().height(), 0);
    }
}
