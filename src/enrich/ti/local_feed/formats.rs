//! Readers of the feed formats: STIX 2.1 bundles, MISP exports and frames
//! (Sentinel exports and plain indicator lists).

use super::{FeedKind, Indicator, LocalFeed, parse_cidr, severity_from_confidence};
use crate::enrich::ti::result::Severity;
use crate::error::{Error, PolarsContext, Result};
use crate::transform::ioc::ioc_type_of;
use polars::prelude::*;
use regex::Regex;
use serde_json::Value;

/// A column of indicator values: the values, their kind when the column
/// fixes it, else the column giving each row's type.
type ValueColumn = (
    Vec<Option<String>>,
    Option<FeedKind>,
    Option<Vec<Option<String>>>,
);

impl LocalFeed {
    pub(super) fn load_stix(&mut self, v: &Value) {
        let Some(objects) = v.get("objects").and_then(Value::as_array) else {
            return;
        };
        let Some(comparison) = stix_comparison() else {
            self.skip("the STIX pattern expression could not be compiled".into());
            return;
        };
        for o in objects {
            if o.get("type").and_then(Value::as_str) != Some("indicator") {
                continue;
            }
            let id = o.get("id").and_then(Value::as_str).map(String::from);
            let label = id.clone().unwrap_or_else(|| "indicator".into());
            if o.get("revoked").and_then(Value::as_bool) == Some(true) {
                self.skip(format!("{label}: revoked"));
                continue;
            }
            let ptype = o
                .get("pattern_type")
                .and_then(Value::as_str)
                .unwrap_or("stix");
            if ptype != "stix" {
                self.skip(format!("{label}: pattern_type '{ptype}' is not read"));
                continue;
            }
            let pattern = o.get("pattern").and_then(Value::as_str).unwrap_or("");
            let upper = pattern.to_ascii_uppercase();
            if [" AND ", "FOLLOWEDBY", " LIKE ", " MATCHES "]
                .iter()
                .any(|k| upper.contains(k))
            {
                self.skip(format!(
                    "{label}: compound pattern not matched on one value"
                ));
                continue;
            }
            let confidence = o.get("confidence").and_then(Value::as_f64);
            let mut tags: Vec<String> = Vec::new();
            for k in ["indicator_types", "labels"] {
                if let Some(a) = o.get(k).and_then(Value::as_array) {
                    tags.extend(a.iter().filter_map(|x| x.as_str().map(String::from)));
                }
            }
            let description = o
                .get("name")
                .or_else(|| o.get("description"))
                .and_then(Value::as_str)
                .map(String::from);
            let mut found = false;
            for cap in comparison.captures_iter(pattern) {
                let (obj, prop, val) = (
                    &cap[1],
                    &cap[2],
                    cap[4].replace("\\'", "'").replace("\\\\", "\\"),
                );
                let kind = match (obj, prop) {
                    ("ipv4-addr" | "ipv6-addr", "value") => {
                        if val.contains('/') {
                            FeedKind::Cidr
                        } else {
                            FeedKind::Ip
                        }
                    }
                    ("domain-name", "value") => FeedKind::Dns,
                    ("url", "value") => FeedKind::Url,
                    ("file", p) if p.starts_with("hashes.") => FeedKind::Hash,
                    ("email-addr", "value") | ("email-message", "from_ref.value") => {
                        FeedKind::Email
                    }
                    _ => continue,
                };
                found = true;
                self.add(Indicator {
                    value: val,
                    kind,
                    id: id.clone(),
                    description: description.clone(),
                    source: o
                        .get("created_by_ref")
                        .and_then(Value::as_str)
                        .map(String::from),
                    severity: confidence
                        .map(severity_from_confidence)
                        .unwrap_or(Severity::High),
                    confidence,
                    tags: tags.clone(),
                    valid_until: o
                        .get("valid_until")
                        .and_then(Value::as_str)
                        .map(String::from),
                    active: true,
                });
            }
            if !found {
                self.skip(format!(
                    "{label}: no IP, domain, URL, hash or email in pattern"
                ));
            }
        }
    }

    pub(super) fn load_misp(&mut self, v: &Value) {
        let events: Vec<&Value> = match v {
            Value::Array(a) => a.iter().collect(),
            _ => match v.get("response") {
                Some(Value::Array(a)) => a.iter().collect(),
                _ => vec![v],
            },
        };
        for e in events {
            let ev = e.get("Event").unwrap_or(e);
            let info = ev.get("info").and_then(Value::as_str).map(String::from);
            let level = ev.get("threat_level_id").and_then(|x| {
                x.as_str()
                    .map(String::from)
                    .or_else(|| x.as_u64().map(|n| n.to_string()))
            });
            let severity = match level.as_deref() {
                Some("1") => Severity::High,
                Some("3") => Severity::Information,
                _ => Severity::Warning,
            };
            let tags: Vec<String> = ev
                .get("Tag")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|t| t.get("name").and_then(Value::as_str).map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            let source = ev
                .get("Orgc")
                .and_then(|o| o.get("name"))
                .and_then(Value::as_str)
                .map(String::from);
            let mut attrs: Vec<&Value> = ev
                .get("Attribute")
                .and_then(Value::as_array)
                .map(|a| a.iter().collect())
                .unwrap_or_default();
            if let Some(objs) = ev.get("Object").and_then(Value::as_array) {
                for o in objs {
                    if let Some(a) = o.get("Attribute").and_then(Value::as_array) {
                        attrs.extend(a.iter());
                    }
                }
            }
            for a in attrs {
                let ty = a.get("type").and_then(Value::as_str).unwrap_or("");
                let val = a.get("value").and_then(Value::as_str).unwrap_or("");
                let uuid = a.get("uuid").and_then(Value::as_str).map(String::from);
                let comment = a
                    .get("comment")
                    .and_then(Value::as_str)
                    .filter(|c| !c.is_empty());
                let mut values: Vec<(FeedKind, String)> = Vec::new();
                match ty {
                    "domain|ip" => {
                        if let Some((d, ip)) = val.split_once('|') {
                            values.push((FeedKind::Dns, d.into()));
                            values.push((FeedKind::Ip, ip.into()));
                        }
                    }
                    "ip-src|port" | "ip-dst|port" => {
                        if let Some((ip, _)) = val.split_once('|') {
                            values.push((FeedKind::Ip, ip.into()));
                        }
                    }
                    t if t.starts_with("filename|") => {
                        if let Some((_, h)) = val.split_once('|')
                            && FeedKind::from_type_name(t, h).is_some()
                        {
                            values.push((FeedKind::Hash, h.into()));
                        }
                    }
                    t => match FeedKind::from_type_name(t, val) {
                        Some(k) => values.push((k, val.into())),
                        None => {
                            self.skip(format!("MISP attribute type '{t}' is not matched"));
                            continue;
                        }
                    },
                }
                for (kind, value) in values {
                    let kind = if kind == FeedKind::Ip && value.contains('/') {
                        FeedKind::Cidr
                    } else {
                        kind
                    };
                    self.add(Indicator {
                        value,
                        kind,
                        id: uuid.clone(),
                        description: comment.map(String::from).or_else(|| info.clone()),
                        source: source.clone(),
                        severity,
                        confidence: None,
                        tags: tags.clone(),
                        valid_until: None,
                        active: a.get("to_ids").and_then(Value::as_bool).unwrap_or(true),
                    });
                }
            }
        }
    }

    /// Loads indicators from a frame (see the module docs for the columns).
    pub fn load_frame(&mut self, df: &DataFrame, label: &str) -> Result<&mut Self> {
        let df = crate::data::fresh(df);
        let names: Vec<String> = df
            .get_column_names()
            .iter()
            .map(|s| s.to_string())
            .collect();
        let find = |cands: &[&str]| -> Option<String> {
            cands
                .iter()
                .find_map(|c| names.iter().find(|n| n.eq_ignore_ascii_case(c)).cloned())
        };
        let text = |name: &Option<String>| -> Result<Vec<Option<String>>> {
            match name {
                None => Ok(vec![None; df.height()]),
                Some(n) => {
                    let c = df
                        .column(n)
                        .ctx(format!("reading column '{n}' of {label}"))?
                        .cast(&DataType::String)
                        .ctx(format!("reading column '{n}' of {label}"))?;
                    Ok(c.str()
                        .ctx(format!("reading column '{n}' of {label}"))?
                        .iter()
                        .map(|v| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()))
                        .collect())
                }
            }
        };
        let id = text(&find(&["IndicatorId", "Id", "id", "uuid"]))?;
        let desc = text(&find(&["Description", "description", "comment", "name"]))?;
        let conf = text(&find(&["ConfidenceScore", "Confidence", "confidence"]))?;
        let sev = text(&find(&["ThreatSeverity", "Severity", "severity"]))?;
        let tags = text(&find(&["Tags", "tags", "labels"]))?;
        let source = text(&find(&["IndicatorProvider", "SourceSystem", "source"]))?;
        let until = text(&find(&[
            "ExpirationDateTime",
            "ValidUntil",
            "valid_until",
            "expires",
        ]))?;
        let active = text(&find(&["Active", "IsActive", "active"]))?;
        // Which value columns: Sentinel's retired table, the current table, or a plain list.
        let sentinel_cols: [(&str, FeedKind); 14] = [
            ("NetworkIP", FeedKind::Ip),
            ("NetworkSourceIP", FeedKind::Ip),
            ("NetworkDestinationIP", FeedKind::Ip),
            ("EmailSourceIpAddress", FeedKind::Ip),
            ("NetworkCidrBlock", FeedKind::Cidr),
            ("NetworkSourceCidrBlock", FeedKind::Cidr),
            ("NetworkDestinationCidrBlock", FeedKind::Cidr),
            ("DomainName", FeedKind::Dns),
            ("EmailSourceDomain", FeedKind::Dns),
            ("Url", FeedKind::Url),
            ("FileHashValue", FeedKind::Hash),
            ("EmailSenderAddress", FeedKind::Email),
            ("EmailRecipient", FeedKind::Email),
            ("ObservableValue", FeedKind::Ip),
        ];
        let mut value_cols: Vec<ValueColumn> = Vec::new();
        if names.iter().any(|n| n == "ObservableValue") {
            let keys = text(&find(&["ObservableKey"]))?;
            value_cols.push((text(&Some("ObservableValue".into()))?, None, Some(keys)));
        } else if names.iter().any(|n| n == "IndicatorId") {
            for (c, k) in sentinel_cols.iter().take(13) {
                if names.iter().any(|n| n == c) {
                    value_cols.push((text(&Some(c.to_string()))?, Some(*k), None));
                }
            }
        } else {
            let v = find(&["indicator", "value", "ioc", "observable", "Observable"]).ok_or_else(|| {
                Error::invalid(
                    format!("feed '{label}'"),
                    format!(
                        "no indicator column: expected Sentinel TI columns (IndicatorId, NetworkIP, Url…), ObservableValue, or one of indicator/value/ioc/observable; have [{}]",
                        names.join(", ")
                    ),
                )
            })?;
            let types = text(&find(&[
                "type",
                "IocType",
                "indicator_type",
                "ioc_type",
                "kind",
            ]))?;
            value_cols.push((text(&Some(v))?, None, Some(types)));
        }
        for i in 0..df.height() {
            let get = |v: &Vec<Option<String>>| v.get(i).cloned().flatten();
            let confidence = get(&conf).and_then(|c| c.parse::<f64>().ok());
            let severity = get(&sev)
                .and_then(|s| {
                    Severity::parse(&s).or_else(|| s.parse::<f64>().ok().map(threat_severity))
                })
                .or_else(|| confidence.map(severity_from_confidence))
                .unwrap_or(Severity::High);
            let is_active = get(&active)
                .map(|a| !matches!(a.to_ascii_lowercase().as_str(), "false" | "0" | "no"))
                .unwrap_or(true);
            let tag_list: Vec<String> = get(&tags)
                .map(|t| {
                    t.trim_matches(|c| c == '[' || c == ']')
                        .split([',', ';'])
                        .map(|s| s.trim().trim_matches('"').trim_matches('\'').to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            let mut any = false;
            for (vals, kind, types) in &value_cols {
                let Some(value) = get(vals) else { continue };
                let kind = match (kind, types) {
                    (Some(k), _) => *k,
                    (None, Some(t)) => match get(t) {
                        Some(tn) => match FeedKind::from_type_name(&tn, &value) {
                            Some(k) => k,
                            None => {
                                self.skip(format!("row {}: type '{tn}' is not matched", i + 1));
                                continue;
                            }
                        },
                        None => match infer_kind(&value) {
                            Some(k) => k,
                            None => {
                                self.skip(format!(
                                    "row {}: cannot tell the type of '{value}'",
                                    i + 1
                                ));
                                continue;
                            }
                        },
                    },
                    (None, None) => match infer_kind(&value) {
                        Some(k) => k,
                        None => continue,
                    },
                };
                let kind = if kind == FeedKind::Ip && value.contains('/') {
                    FeedKind::Cidr
                } else {
                    kind
                };
                any = true;
                self.add(Indicator {
                    value,
                    kind,
                    id: get(&id),
                    description: get(&desc),
                    source: get(&source),
                    severity,
                    confidence,
                    tags: tag_list.clone(),
                    valid_until: get(&until),
                    active: is_active,
                });
            }
            if !any {
                self.skip(format!("row {}: no indicator value", i + 1));
            }
        }
        Ok(self)
    }
}

/// Sentinel's `ThreatSeverity` (0–5) as a severity.
fn threat_severity(n: f64) -> Severity {
    if n >= 4.0 {
        Severity::High
    } else if n >= 2.0 {
        Severity::Warning
    } else {
        Severity::Information
    }
}

fn infer_kind(value: &str) -> Option<FeedKind> {
    if parse_cidr(value).is_some() {
        return Some(FeedKind::Cidr);
    }
    FeedKind::of_item(&ioc_type_of(value.trim())?)
}

fn stix_comparison() -> Option<Regex> {
    // object-type:property = 'value' (a STIX 2.1 pattern comparison expression).
    Regex::new(r"([a-z0-9-]+):([A-Za-z0-9_.'\-]+)\s*(=|ISSUBSET)\s*'((?:[^'\\]|\\.)*)'").ok()
}
