//! Entities from DataFrame rows.

use super::{Alert, Entity, EntityType};
use crate::data::fresh;
use crate::error::{Error, PolarsContext, Result};
use polars::prelude::*;
use serde_json::{Map, Value};

fn text_column(df: &DataFrame, name: &str, what: &str) -> Result<Vec<Option<String>>> {
    let col = df.column(name).map_err(|_| {
        Error::column_not_found(name, what, df.get_column_names().iter().map(|s| s.as_str()))
    })?;
    let s = col
        .cast(&DataType::String)
        .ctx(format!("reading column '{name}' as text"))?;
    Ok(s.str()
        .ctx(format!("reading column '{name}' as text"))?
        .iter()
        .map(|v| v.map(str::to_string))
        .collect())
}

/// One entity per row: `mapping` names the entity property each column
/// fills (`[("Address", "SourceIP")]`); a property may be a nested one's
/// path (`"Host.HostName"`). Rows whose mapped cells are all null give no
/// entity.
///
/// ```
/// use huntbook::prelude::*;
/// use huntbook::entities::{entities_from_df, EntityType};
/// let df = df!("SrcIP" => ["10.0.0.1", "10.0.0.2"], "Computer" => ["h1", "h2"])?;
/// let ents = entities_from_df(&df, EntityType::IpAddress, &[("Address", "SrcIP")])?;
/// assert_eq!(ents[1].identity(), "ip:10.0.0.2");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn entities_from_df(
    df: &DataFrame,
    entity_type: EntityType,
    mapping: &[(&str, &str)],
) -> Result<Vec<Entity>> {
    let df = fresh(df);
    let cols: Vec<(&str, Vec<Option<String>>)> = mapping
        .iter()
        .map(|(prop, col)| Ok((*prop, text_column(&df, col, "the entity frame")?)))
        .collect::<Result<_>>()?;
    let mut out = Vec::with_capacity(df.height());
    for row in 0..df.height() {
        let mut obj = Map::new();
        obj.insert("Type".into(), Value::String(entity_type.json_type().into()));
        let mut any = false;
        for (prop, values) in &cols {
            let Some(Some(v)) = values.get(row) else {
                continue;
            };
            any = true;
            insert_path(&mut obj, prop, Value::String(v.clone()));
        }
        if any {
            out.push(
                Entity::from_json(&Value::Object(obj)).map_err(|e| {
                    Error::invalid(format!("entity frame row {row}"), e.to_string())
                })?,
            );
        }
    }
    Ok(out)
}

fn insert_path(obj: &mut Map<String, Value>, path: &str, v: Value) {
    match path.split_once('.') {
        Some((head, rest)) => {
            let child = obj
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(m) = child {
                insert_path(m, rest, v);
            }
        }
        None => {
            obj.insert(path.to_string(), v);
        }
    }
}

const ALERT_COLUMNS: [&str; 10] = [
    "AlertDisplayName",
    "AlertType",
    "CompromisedEntity",
    "Severity",
    "StartTimeUtc",
    "EndTimeUtc",
    "TimeGenerated",
    "SystemAlertId",
    "ProviderName",
    "Description",
];

/// Alerts from a SecurityAlert frame (Sentinel's `SecurityAlert` table or
/// MSTICPy's `alerts_list`): the alert columns present, and the related
/// entities parsed from the `Entities` JSON column (with `$ref` links
/// resolved). A row whose `Entities` is not valid JSON is an error naming
/// the row.
pub fn alerts_from_df(df: &DataFrame) -> Result<Vec<Alert>> {
    let df = fresh(df);
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    if !names
        .iter()
        .any(|n| n == "SystemAlertId" || n == "Entities")
    {
        return Err(Error::column_not_found(
            "SystemAlertId",
            "the alert frame (a SecurityAlert table)",
            names.iter(),
        ));
    }
    let mut cols = Vec::new();
    for c in ALERT_COLUMNS {
        if names.iter().any(|n| n == c) {
            cols.push((c, text_column(&df, c, "the alert frame")?));
        }
    }
    let ents = if names.iter().any(|n| n == "Entities") {
        Some(text_column(&df, "Entities", "the alert frame")?)
    } else {
        None
    };
    let mut out = Vec::with_capacity(df.height());
    for row in 0..df.height() {
        let mut obj = Map::new();
        for (c, values) in &cols {
            if let Some(Some(v)) = values.get(row) {
                let key = if *c == "AlertDisplayName" {
                    "DisplayName"
                } else {
                    c
                };
                obj.insert(key.to_string(), Value::String(v.clone()));
            }
        }
        let mut alert: Alert =
            serde_json::from_value(Value::Object(obj)).map_err(|source| Error::Json {
                context: format!("alert frame row {row}"),
                source,
            })?;
        if let Some(Some(text)) = ents.as_ref().and_then(|e| e.get(row))
            && !text.trim().is_empty()
        {
            alert.entities = Entity::list_from_str(text).map_err(|e| {
                Error::invalid(
                    format!("alert frame row {row} column 'Entities'"),
                    e.to_string(),
                )
            })?;
        }
        out.push(alert);
    }
    Ok(out)
}
