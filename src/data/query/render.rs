//! Turning a query definition and the analyst's values into query text.

use super::definition::{ParamDef, QueryDefinition};
use super::params::{Dialect, ParamType, ParamValue, parse_list, resolve_datetime};
use super::template;
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// The moment and default time range a query is rendered against.
#[derive(Debug, Clone, Copy)]
pub struct RenderContext {
    /// "Now" for offsets like `-1d`.
    pub now: DateTime<Utc>,
    /// Used for a `start` parameter left unset without a default.
    pub default_start: DateTime<Utc>,
    /// Used for an `end` parameter left unset without a default.
    pub default_end: DateTime<Utc>,
    /// How the target language writes datetimes and lists.
    pub dialect: Dialect,
}

impl RenderContext {
    /// Now, with MSTICPy's default range (a day before to a day after now).
    pub fn now(dialect: Dialect) -> Self {
        let now = Utc::now();
        Self {
            now,
            default_start: now - chrono::Duration::days(1),
            default_end: now + chrono::Duration::days(1),
            dialect,
        }
    }
}

/// A rendered query.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedQuery {
    /// The query text to run.
    pub text: String,
    /// The resolved `start`, when the query has one.
    pub start: Option<DateTime<Utc>>,
    /// The resolved `end`, when the query has one.
    pub end: Option<DateTime<Utc>>,
    /// Parameters that fell back to the provider's default time range.
    pub defaulted: Vec<String>,
}

/// Resolves names and aliases of the given values to parameter names.
pub fn resolve_args(
    def: &QueryDefinition,
    args: &[(String, ParamValue)],
) -> Result<BTreeMap<String, ParamValue>> {
    let mut out = BTreeMap::new();
    for (name, value) in args {
        match def.resolve_param(name) {
            Some(p) => {
                out.insert(p.name.clone(), value.clone());
            }
            None => {
                let known: Vec<&str> = def.params.keys().map(String::as_str).collect();
                return Err(Error::invalid(
                    format!("parameter '{name}' for query '{}'", def.full_name()),
                    format!(
                        "the query has no such parameter or alias; parameters: {}",
                        if known.is_empty() {
                            "(none)".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                ));
            }
        }
    }
    Ok(out)
}

fn render_value(
    def: &QueryDefinition,
    p: &ParamDef,
    v: &ParamValue,
    ctx: &RenderContext,
) -> Result<(String, Option<DateTime<Utc>>)> {
    let bad = |want: &str| {
        Error::invalid(
            format!("parameter '{}' of query '{}'", p.name, def.full_name()),
            format!("expected {want}, got '{v}'"),
        )
    };
    let (text, dt) = match p.ptype {
        ParamType::Datetime => {
            let d = resolve_datetime(v, ctx.now).map_err(|e| {
                Error::invalid(
                    format!("parameter '{}' of query '{}'", p.name, def.full_name()),
                    e.to_string(),
                )
            })?;
            (ctx.dialect.format_datetime(&d), Some(d))
        }
        ParamType::List => (ctx.dialect.format_list(&parse_list(v)), None),
        ParamType::Int => match v {
            ParamValue::Int(i) => (i.to_string(), None),
            ParamValue::Str(s) => (
                s.trim()
                    .parse::<i64>()
                    .map_err(|_| bad("an integer"))?
                    .to_string(),
                None,
            ),
            _ => return Err(bad("an integer")),
        },
        ParamType::Float => match v {
            ParamValue::Int(_) | ParamValue::Float(_) => (v.to_string(), None),
            ParamValue::Str(s) => (
                ParamValue::Float(s.trim().parse::<f64>().map_err(|_| bad("a number"))?)
                    .to_string(),
                None,
            ),
            _ => return Err(bad("a number")),
        },
        ParamType::Str => (v.to_string(), None),
    };
    let text = match &p.format {
        Some(fmt) => fmt.replacen("{}", &text, 1).replacen("{0}", &text, 1),
        None => text,
    };
    Ok((text, dt))
}

/// Renders a query: defaults, then the given values (by name or alias),
/// then the default time range for an unset `start`/`end`; a required
/// parameter still unset is an error listing every missing one and the
/// query's help.
pub fn render(
    def: &QueryDefinition,
    args: &[(String, ParamValue)],
    ctx: &RenderContext,
) -> Result<RenderedQuery> {
    let given = resolve_args(def, args)?;
    let mut values: BTreeMap<String, ParamValue> = BTreeMap::new();
    let mut missing = Vec::new();
    let mut defaulted = Vec::new();
    for (name, p) in &def.params {
        if let Some(v) = given.get(name) {
            values.insert(name.clone(), v.clone());
        } else if let Some(d) = &p.default {
            values.insert(name.clone(), d.clone());
        } else if p.ptype == ParamType::Datetime && (name == "start" || name == "end") {
            let d = if name == "start" {
                ctx.default_start
            } else {
                ctx.default_end
            };
            values.insert(name.clone(), ParamValue::Datetime(d));
            defaulted.push(name.clone());
        } else {
            missing.push(name.clone());
        }
    }
    if !missing.is_empty() {
        return Err(Error::invalid(
            format!("query '{}'", def.full_name()),
            format!(
                "these required parameters were not set: {}\n\n{}",
                missing.join(", "),
                help_text(def)
            ),
        ));
    }
    let mut rendered = BTreeMap::new();
    let (mut start, mut end) = (None, None);
    for (name, v) in &values {
        let Some(p) = def.params.get(name) else {
            continue;
        };
        let (text, dt) = render_value(def, p, v, ctx)?;
        if name == "start" {
            start = dt;
        } else if name == "end" {
            end = dt;
        }
        rendered.insert(name.clone(), text);
    }
    let text = template::render(&def.template, &rendered)
        .map_err(|e| Error::invalid(format!("query '{}'", def.full_name()), e.to_string()))?;
    Ok(RenderedQuery {
        text,
        start,
        end,
        defaulted,
    })
}

/// MSTICPy-style help: the description, then each parameter (sorted) with
/// its type, whether it is optional, its description, default and aliases.
pub fn help_text(def: &QueryDefinition) -> String {
    let mut lines = vec![
        def.description.clone(),
        String::new(),
        "Parameters".to_string(),
        "----------".to_string(),
    ];
    for (name, p) in &def.params {
        let optional = if p.default.is_some() {
            " (optional)"
        } else {
            ""
        };
        lines.push(format!("{name}: {}{optional}", p.ptype));
        lines.push(format!(
            "    {}",
            if p.description.is_empty() {
                "no description"
            } else {
                &p.description
            }
        ));
        if let Some(d) = &p.default {
            let mut text = d.to_string();
            if text.chars().count() > 50 {
                text = format!("{}...", text.chars().take(50).collect::<String>());
            }
            if !text.is_empty() {
                lines.push(format!("    (default value is: {text})"));
            }
        }
        if !p.aliases.is_empty() {
            let a: Vec<String> = p.aliases.iter().map(|a| format!("'{a}'")).collect();
            lines.push(format!("    Aliases: {}", a.join(", ")));
        }
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::query::QueryFile;
    use chrono::TimeZone;

    const FILE: &str = "
metadata:
  version: 1
  description: Test queries
  data_environments: [LogAnalytics]
  data_families: [Azure]
defaults:
  parameters:
    start:
      description: Query start time
      type: datetime
    end:
      description: Query end time
      type: datetime
sources:
  list_azure_activity_for_ip:
    description: Activity for IPs
    args:
      query: |
        AzureActivity
        | where TimeGenerated >= datetime({start}) and TimeGenerated <= datetime({end})
        | where CallerIpAddress in ({ip_address_list})
        {add_query_items}
        | take {top}
    parameters:
      ip_address_list:
        description: IPs to find
        type: list
        aliases: ips
      add_query_items:
        description: Extra clauses
        type: str
        default: ''
      top:
        description: Row limit
        type: int
        default: 10
";

    fn ctx(dialect: Dialect) -> RenderContext {
        let now = Utc.with_ymd_and_hms(2024, 3, 13, 12, 0, 0).unwrap();
        RenderContext {
            now,
            default_start: now - chrono::Duration::days(1),
            default_end: now + chrono::Duration::days(1),
            dialect,
        }
    }

    fn def() -> QueryDefinition {
        QueryFile::from_yaml_str(FILE, "t.yaml")
            .unwrap()
            .queries
            .remove(0)
    }

    #[test]
    fn renders_kql_with_lists_aliases_and_blank_lines_removed() {
        let args = vec![
            (
                "ips".to_string(),
                ParamValue::from("192.168.0.1, 192.168.0.2"),
            ),
            ("start".to_string(), ParamValue::from("-1w@d")),
            ("end".to_string(), ParamValue::Int(0)),
        ];
        let r = render(&def(), &args, &ctx(Dialect::Kql)).unwrap();
        assert_eq!(
            r.text,
            "AzureActivity\n| where TimeGenerated >= datetime(2024-03-06T00:00:00Z) and TimeGenerated <= datetime(2024-03-13T12:00:00Z)\n| where CallerIpAddress in ('192.168.0.1','192.168.0.2')\n| take 10\n"
        );
        assert!(r.defaulted.is_empty());
    }

    #[test]
    fn default_time_range_and_missing_parameters() {
        let args = vec![(
            "ip_address_list".to_string(),
            ParamValue::from(vec![1i64, 2]),
        )];
        let r = render(&def(), &args, &ctx(Dialect::Default)).unwrap();
        assert!(
            r.text.contains("datetime(2024-03-12T12:00:00Z)"),
            "{}",
            r.text
        );
        assert!(
            r.text.contains("datetime(2024-03-14T12:00:00Z)"),
            "{}",
            r.text
        );
        assert!(r.text.contains("in (1, 2)"), "{}", r.text);
        assert_eq!(r.defaulted, ["end", "start"]);
        let err = render(&def(), &[], &ctx(Dialect::Kql))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("invalid query 'Azure.list_azure_activity_for_ip': these required parameters were not set: ip_address_list\n\nActivity for IPs\n\nParameters"), "{err}");
        assert!(
            err.contains("ip_address_list: list\n    IPs to find\n    Aliases: 'ips'"),
            "{err}"
        );
    }

    #[test]
    fn bad_values_name_the_parameter() {
        let err = render(&def(), &[("nope".into(), 1i64.into())], &ctx(Dialect::Kql))
            .unwrap_err()
            .to_string();
        assert!(err.contains("parameter 'nope' for query 'Azure.list_azure_activity_for_ip': the query has no such parameter or alias; parameters: add_query_items, end, ip_address_list, start, top"), "{err}");
        let args = vec![
            ("ips".to_string(), ParamValue::from("x")),
            ("top".to_string(), ParamValue::from("ten")),
        ];
        let err = render(&def(), &args, &ctx(Dialect::Kql))
            .unwrap_err()
            .to_string();
        assert!(err.contains("parameter 'top' of query 'Azure.list_azure_activity_for_ip': expected an integer, got 'ten'"), "{err}");
        let args = vec![
            ("ips".to_string(), ParamValue::from("x")),
            ("start".to_string(), ParamValue::from("whenever")),
        ];
        let err = render(&def(), &args, &ctx(Dialect::Kql))
            .unwrap_err()
            .to_string();
        assert!(err.contains("parameter 'start' of query 'Azure.list_azure_activity_for_ip': invalid datetime value 'whenever'"), "{err}");
    }
}
