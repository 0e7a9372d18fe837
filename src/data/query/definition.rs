//! Reading MSTICPy query-definition YAML files and validating them as
//! MSTICPy does (its JSON schema plus its loader's checks).
//!
//! A file has `metadata` (version, description, data_environments,
//! data_families, tags, aliases, cluster…), optional `defaults` (metadata and
//! parameters shared by every query) and `sources` (the queries). Every
//! problem found is reported at once, each naming the file, the query and
//! the field:
//!
//! ```
//! use huntbook::data::query::QueryFile;
//! let yaml = "
//! metadata:
//!   version: 1
//!   description: Demo queries
//!   data_environments: [LocalData]
//!   data_families: [Demo]
//! sources:
//!   by_host:
//!     description: Events for one host
//!     args:
//!       query: SELECT * FROM events WHERE Computer = '{host}'
//!     parameters:
//!       host:
//!         description: Host name
//! ";
//! let err = QueryFile::from_yaml_str(yaml, "demo.yaml").unwrap_err().to_string();
//! assert!(err.contains("query 'by_host': parameters.host: missing 'type'"), "{err}");
//! ```

use super::params::{ParamType, ParamValue};
use super::template;
use crate::error::{Error, Result};
use serde_yaml::{Mapping, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The largest query file read (a bound against hostile input).
pub const MAX_QUERY_FILE_BYTES: u64 = 16 << 20;

/// A parameter's definition (defaults merged with the query's own).
#[derive(Debug, Clone, PartialEq)]
pub struct ParamDef {
    /// The parameter name used in the template.
    pub name: String,
    /// What the parameter means.
    pub description: String,
    /// The declared type.
    pub ptype: ParamType,
    /// The default value, when the parameter is optional.
    pub default: Option<ParamValue>,
    /// Other names the analyst may use.
    pub aliases: Vec<String>,
    /// A custom Python-style format (`format: "'{}'"`), as MSTICPy allows.
    pub format: Option<String>,
}

impl ParamDef {
    /// Whether the query can run without this parameter.
    pub fn is_required(&self) -> bool {
        self.default.is_none()
    }
}

/// One query, ready to render.
#[derive(Debug, Clone)]
pub struct QueryDefinition {
    /// The query's own name (`list_host_processes`).
    pub name: String,
    /// The data families (the query's paths: `WindowsSecurity`).
    pub families: Vec<String>,
    /// Data environments, canonical spelling (see [`canonical_environment`]).
    pub environments: Vec<String>,
    /// What the query returns.
    pub description: String,
    /// The query template with macros replaced.
    pub template: String,
    /// `args.uri`, when given.
    pub uri: Option<String>,
    /// Parameters by name.
    pub params: BTreeMap<String, ParamDef>,
    /// Merged metadata: file metadata, then defaults, then the query's own.
    pub metadata: Mapping,
    /// The file the query came from (none for queries added in code).
    pub file: Option<PathBuf>,
}

impl QueryDefinition {
    /// `Family.name` for the first family.
    pub fn full_name(&self) -> String {
        match self.families.first() {
            Some(f) => format!("{f}.{}", self.name),
            None => self.name.clone(),
        }
    }

    /// The parameter a name or alias refers to.
    pub fn resolve_param(&self, name_or_alias: &str) -> Option<&ParamDef> {
        self.params.get(name_or_alias).or_else(|| {
            self.params
                .values()
                .find(|p| p.aliases.iter().any(|a| a == name_or_alias))
        })
    }

    /// The `table` parameter's default, as MSTICPy's search uses it.
    pub fn table(&self) -> Option<String> {
        self.params
            .get("table")
            .and_then(|p| p.default.as_ref())
            .map(|d| d.to_string())
    }
}

/// The canonical name of a data environment: MSTICPy's aliases map to one
/// name (`LogAnalytics`, `AzureSentinel` → `MSSentinel`; `MDATP`, `M365D` →
/// `MDE`; `OTRF`, `Mordor` → `SecurityDatasets`; `OSQuery` → `OSQueryLogs`;
/// `VelociraptorLogs` → `Velociraptor`), matched case-insensitively.
pub fn canonical_environment(name: &str) -> String {
    let name = name.trim();
    let name = name.rsplit_once('.').map(|(_, n)| n).unwrap_or(name);
    let lower = name.to_ascii_lowercase();
    let canon = match lower.as_str() {
        "loganalytics" | "azuresentinel" | "mssentinel" | "mssentinel_new" | "sentinel" => {
            "MSSentinel"
        }
        "kusto" | "kusto_new" | "azuredataexplorer" => "Kusto",
        "mde" | "mdatp" | "m365d" | "m365dgraph" | "microsoftdefender" => "MDE",
        "otrf" | "mordor" | "securitydatasets" => "SecurityDatasets",
        "osquery" | "osquerylogs" => "OSQueryLogs",
        "velociraptor" | "velociraptorlogs" => "Velociraptor",
        "localdata" | "local" => "LocalData",
        "splunk" => "Splunk",
        "securitygraph" | "msgraph" => "MSGraph",
        "azuresecuritycenter" => "AzureSecurityCenter",
        "resourcegraph" => "ResourceGraph",
        _ => return name.to_string(),
    };
    canon.to_string()
}

/// A parsed and validated query file.
#[derive(Debug, Clone)]
pub struct QueryFile {
    /// Where it came from (a path or a label).
    pub source: String,
    /// Its queries, in file order.
    pub queries: Vec<QueryDefinition>,
}

struct Problems {
    file: String,
    list: Vec<String>,
}

impl Problems {
    fn push(&mut self, where_: &str, msg: impl Into<String>) {
        let msg = msg.into();
        if where_.is_empty() {
            self.list.push(msg);
        } else {
            self.list.push(format!("{where_}: {msg}"));
        }
    }
    fn into_result(self) -> Result<()> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(Error::invalid(
                format!("query file '{}'", self.file),
                self.list.join("; "),
            ))
        }
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "empty",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a float",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

fn key_str(k: &Value) -> String {
    match k {
        Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

fn check_description(p: &mut Problems, at: &str, v: Option<&Value>, required: bool) -> String {
    match v {
        Some(Value::String(s)) => {
            let n = s.chars().count();
            if n < 5 {
                p.push(at, format!("description is {n} characters, fewer than 5"));
            } else if n > 1024 {
                p.push(at, format!("description is {n} characters, more than 1024"));
            }
            s.clone()
        }
        None if !required => String::new(),
        None => {
            p.push(at, "missing 'description'");
            String::new()
        }
        Some(other) => {
            p.push(
                at,
                format!("description must be a string, not {}", kind(other)),
            );
            String::new()
        }
    }
}

fn string_list(
    p: &mut Problems,
    at: &str,
    field: &str,
    v: &Value,
    allow_string: bool,
) -> Vec<String> {
    match v {
        Value::Sequence(items) => items
            .iter()
            .filter_map(|i| match i {
                Value::String(s) => Some(s.clone()),
                other => {
                    p.push(
                        at,
                        format!("{field} items must be strings, found {}", kind(other)),
                    );
                    None
                }
            })
            .collect(),
        Value::String(s) if allow_string => vec![s.clone()],
        other => {
            let want = if allow_string {
                "a string or a list of strings"
            } else {
                "a list of strings"
            };
            p.push(at, format!("{field} must be {want}, not {}", kind(other)));
            Vec::new()
        }
    }
}

const METADATA_KEYS: &[&str] = &[
    "version",
    "description",
    "data_environments",
    "data_families",
    "tags",
    "aliases",
    "cluster",
    "clusters",
    "cluster_groups",
    "database",
    "data_source",
    "query_macros",
];

fn check_file_metadata(p: &mut Problems, md: &Mapping) -> (Vec<String>, Vec<String>) {
    let at = "metadata";
    for (k, v) in md {
        let key = key_str(k);
        match key.as_str() {
            "version" => {
                if !matches!(v, Value::Number(n) if n.is_i64() || n.is_u64()) {
                    p.push(at, format!("version must be an integer, not {}", kind(v)));
                }
            }
            "description" => {
                check_description(p, at, Some(v), true);
            }
            "data_environments" | "data_families" | "tags" | "clusters" | "cluster_groups" => {
                string_list(p, at, &key, v, false);
            }
            "aliases" => {
                string_list(p, at, &key, v, true);
            }
            "cluster" | "database" | "data_source" => {
                if !matches!(v, Value::String(_)) {
                    p.push(at, format!("{key} must be a string, not {}", kind(v)));
                }
            }
            "query_macros" => {
                if !matches!(v, Value::Mapping(_)) {
                    p.push(
                        at,
                        format!("query_macros must be a mapping, not {}", kind(v)),
                    );
                }
            }
            other => p.push(
                at,
                format!(
                    "unknown field '{other}' (expected one of: {})",
                    METADATA_KEYS.join(", ")
                ),
            ),
        }
    }
    for req in ["version", "description"] {
        if !md.contains_key(req) {
            p.push(at, format!("missing '{req}'"));
        }
    }
    let envs = match md.get("data_environments") {
        Some(v) => string_list(
            &mut Problems {
                file: String::new(),
                list: Vec::new(),
            },
            at,
            "",
            v,
            false,
        ),
        None => Vec::new(),
    };
    if envs.is_empty() {
        p.push(at, "no data_environments defined");
    }
    let fams = match md.get("data_families") {
        Some(v) => string_list(
            &mut Problems {
                file: String::new(),
                list: Vec::new(),
            },
            at,
            "",
            v,
            false,
        ),
        None => Vec::new(),
    };
    if fams.is_empty() {
        p.push(at, "no data families defined");
    }
    (envs, fams)
}

/// Raw parameter fields, before merging defaults with the query's own.
type RawParams = BTreeMap<String, Mapping>;

fn check_params(p: &mut Problems, at: &str, v: Option<&Value>) -> RawParams {
    let mut out = RawParams::new();
    let map = match v {
        None | Some(Value::Null) => return out,
        Some(Value::Mapping(m)) => m,
        Some(other) => {
            p.push(
                at,
                format!("parameters must be a mapping, not {}", kind(other)),
            );
            return out;
        }
    };
    for (k, v) in map {
        let name = key_str(k);
        let pat = if at.is_empty() {
            format!("parameters.{name}")
        } else {
            format!("{at}: parameters.{name}")
        };
        let Value::Mapping(fields) = v else {
            p.push(
                &pat,
                format!(
                    "must be a mapping with description and type, not {}",
                    kind(v)
                ),
            );
            continue;
        };
        for (fk, fv) in fields {
            match key_str(fk).as_str() {
                "description" => {
                    check_description(p, &pat, Some(fv), true);
                }
                "type" => match fv {
                    Value::String(t) if ParamType::parse(t).is_some() => {}
                    Value::String(t) => p.push(
                        &pat,
                        format!(
                            "unknown type '{t}' (expected one of: str, datetime, int, float, list)"
                        ),
                    ),
                    other => p.push(&pat, format!("type must be a string, not {}", kind(other))),
                },
                "default" => {
                    if matches!(fv, Value::Null) {
                        p.push(&pat, "default is empty (remove it to make the parameter required, or give a value such as '')");
                    } else if ParamValue::from_yaml(fv).is_none() {
                        p.push(
                            &pat,
                            format!("default must be a string, number or list, not {}", kind(fv)),
                        );
                    }
                }
                "aliases" => {
                    string_list(p, &pat, "aliases", fv, true);
                }
                "format" => {
                    if !matches!(fv, Value::String(_)) {
                        p.push(&pat, format!("format must be a string, not {}", kind(fv)));
                    }
                }
                other => p.push(
                    &pat,
                    format!(
                        "unknown field '{other}' (expected description, type, default, aliases)"
                    ),
                ),
            }
        }
        out.insert(name, fields.clone());
    }
    out
}

fn build_param(name: &str, fields: &Mapping) -> Option<ParamDef> {
    let ptype = match fields.get("type") {
        Some(Value::String(t)) => ParamType::parse(t)?,
        _ => return None,
    };
    let aliases = match fields.get("aliases") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Sequence(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    };
    Some(ParamDef {
        name: name.to_string(),
        description: fields
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        ptype,
        default: fields.get("default").and_then(ParamValue::from_yaml),
        aliases,
        format: fields
            .get("format")
            .and_then(Value::as_str)
            .map(String::from),
    })
}

fn merge_mapping(base: &mut Mapping, over: &Mapping) {
    for (k, v) in over {
        match (base.get_mut(k), v) {
            (Some(Value::Mapping(b)), Value::Mapping(o)) => merge_mapping(b, o),
            _ => {
                base.insert(k.clone(), v.clone());
            }
        }
    }
}

const SOURCE_KEYS: &[&str] = &[
    "description",
    "metadata",
    "args",
    "parameters",
    "query_macros",
];

impl QueryFile {
    /// Reads and validates a query file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let meta = std::fs::metadata(path).map_err(|e| Error::io("reading", path, e))?;
        if meta.len() > MAX_QUERY_FILE_BYTES {
            return Err(Error::invalid(
                format!("query file '{}'", path.display()),
                format!(
                    "{} bytes, more than the limit of {MAX_QUERY_FILE_BYTES}",
                    meta.len()
                ),
            ));
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("reading", path, e))?;
        let mut file = Self::from_yaml_str(&text, &path.display().to_string())?;
        for q in &mut file.queries {
            q.file = Some(path.to_path_buf());
        }
        Ok(file)
    }

    /// Parses and validates query-file text; `label` names it in errors.
    pub fn from_yaml_str(text: &str, label: &str) -> Result<Self> {
        let root: Value = serde_yaml::from_str(text).map_err(|e| {
            Error::invalid(
                format!("query file '{label}'"),
                format!("not valid YAML: {e}"),
            )
        })?;
        let mut p = Problems {
            file: label.to_string(),
            list: Vec::new(),
        };
        let Value::Mapping(root) = root else {
            return Err(Error::invalid(
                format!("query file '{label}'"),
                format!(
                    "must be a mapping with metadata and sources, not {}",
                    kind(&root)
                ),
            ));
        };
        let metadata = match root.get("metadata") {
            Some(Value::Mapping(m)) if !m.is_empty() => m.clone(),
            Some(Value::Mapping(_)) | None | Some(Value::Null) => {
                p.push("", "no metadata defined");
                Mapping::new()
            }
            Some(other) => {
                p.push(
                    "",
                    format!("metadata must be a mapping, not {}", kind(other)),
                );
                Mapping::new()
            }
        };
        let (envs, _) = if metadata.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            check_file_metadata(&mut p, &metadata)
        };
        let mut default_md = Mapping::new();
        let mut default_params = RawParams::new();
        match root.get("defaults") {
            None | Some(Value::Null) => {}
            Some(Value::Mapping(d)) => {
                for (k, v) in d {
                    match key_str(k).as_str() {
                        "metadata" => match v {
                            Value::Mapping(m) => default_md = m.clone(),
                            Value::Null => {}
                            other => p.push(
                                "defaults",
                                format!("metadata must be a mapping, not {}", kind(other)),
                            ),
                        },
                        "parameters" => default_params = check_params(&mut p, "defaults", Some(v)),
                        other => p.push(
                            "defaults",
                            format!("unknown field '{other}' (expected metadata, parameters)"),
                        ),
                    }
                }
            }
            Some(other) => p.push(
                "",
                format!("defaults must be a mapping, not {}", kind(other)),
            ),
        }
        let sources = match root.get("sources") {
            Some(Value::Mapping(s)) if !s.is_empty() => s.clone(),
            Some(Value::Mapping(_)) | None | Some(Value::Null) => {
                p.push("", "no sources defined");
                Mapping::new()
            }
            Some(other) => {
                p.push(
                    "",
                    format!("sources must be a mapping of queries, not {}", kind(other)),
                );
                Mapping::new()
            }
        };
        let file_macros = macros_of(metadata.get("query_macros"));
        let mut queries = Vec::new();
        for (k, v) in &sources {
            let name = key_str(k);
            let at = format!("query '{name}'");
            let Value::Mapping(src) = v else {
                p.push(&at, format!("must be a mapping, not {}", kind(v)));
                continue;
            };
            for key in src.keys() {
                let key = key_str(key);
                if !SOURCE_KEYS.contains(&key.as_str()) {
                    p.push(
                        &at,
                        format!(
                            "unknown field '{key}' (expected one of: {})",
                            SOURCE_KEYS.join(", ")
                        ),
                    );
                }
            }
            let description = check_description(&mut p, &at, src.get("description"), true);
            let (query_text, uri) = match src.get("args") {
                Some(Value::Mapping(args)) => {
                    let q = match args.get("query") {
                        Some(Value::String(q)) if !q.trim().is_empty() => q.clone(),
                        Some(Value::String(_)) => {
                            p.push(&at, "args.query is empty");
                            String::new()
                        }
                        None => {
                            p.push(&at, "missing 'args.query'");
                            String::new()
                        }
                        Some(other) => {
                            p.push(
                                &at,
                                format!("args.query must be a string, not {}", kind(other)),
                            );
                            String::new()
                        }
                    };
                    let uri = match args.get("uri") {
                        Some(Value::String(u)) if u != "None" => Some(u.clone()),
                        Some(Value::String(_)) | None | Some(Value::Null) => None,
                        Some(other) => {
                            p.push(
                                &at,
                                format!("args.uri must be a string, not {}", kind(other)),
                            );
                            None
                        }
                    };
                    (q, uri)
                }
                None => {
                    p.push(&at, "missing 'args' (with 'query')");
                    (String::new(), None)
                }
                Some(other) => {
                    p.push(&at, format!("args must be a mapping, not {}", kind(other)));
                    (String::new(), None)
                }
            };
            let own_params = check_params(&mut p, &at, src.get("parameters"));
            let mut macros = file_macros.clone();
            match src.get("query_macros") {
                None | Some(Value::Null) => {}
                Some(Value::Mapping(m)) => {
                    for (mk, mv) in m {
                        let mname = key_str(mk);
                        let mat = format!("{at}: query_macros.{mname}");
                        match mv {
                            Value::Mapping(fields) => {
                                check_description(&mut p, &mat, fields.get("description"), true);
                                match fields.get("value") {
                                    Some(Value::String(val)) => {
                                        macros.insert(mname, val.clone());
                                    }
                                    _ => p.push(&mat, "missing string 'value'"),
                                }
                            }
                            other => p.push(
                                &mat,
                                format!(
                                    "must be a mapping with description and value, not {}",
                                    kind(other)
                                ),
                            ),
                        }
                    }
                }
                Some(other) => p.push(
                    &at,
                    format!("query_macros must be a mapping, not {}", kind(other)),
                ),
            }
            // merge parameters: defaults, then the query's own, field by field
            let mut merged: RawParams = default_params.clone();
            for (pname, fields) in own_params {
                match merged.get_mut(&pname) {
                    Some(base) => merge_mapping(base, &fields),
                    None => {
                        merged.insert(pname, fields);
                    }
                }
            }
            let mut params = BTreeMap::new();
            let mut missing_types = Vec::new();
            for (pname, fields) in &merged {
                match build_param(pname, fields) {
                    Some(def) => {
                        params.insert(pname.clone(), def);
                    }
                    None if !fields.contains_key("type") => missing_types.push(pname.clone()),
                    None => {}
                }
            }
            for pname in &missing_types {
                p.push(&at, format!("parameters.{pname}: missing 'type'"));
            }
            let template = template::replace_macros(&query_text, &macros);
            match template::fields(&template) {
                Ok(used) => {
                    let undefined: Vec<String> = used
                        .into_iter()
                        .filter(|f| !merged.contains_key(f))
                        .collect();
                    if !undefined.is_empty() {
                        p.push(
                            &at,
                            format!(
                                "the query uses parameters defined neither in defaults nor in the query: {}",
                                undefined.join(", ")
                            ),
                        );
                    }
                }
                Err(e) => p.push(&at, format!("args.query: {e}")),
            }
            let mut md = metadata.clone();
            md.remove("query_macros");
            merge_mapping(&mut md, &default_md);
            if let Some(Value::Mapping(own)) = src.get("metadata") {
                merge_mapping(&mut md, own);
            }
            let families = match md.get("data_families") {
                Some(Value::Sequence(items)) => items
                    .iter()
                    .filter_map(|i| i.as_str().map(String::from))
                    .collect(),
                Some(Value::String(s)) => vec![s.clone()],
                _ => Vec::new(),
            };
            queries.push(QueryDefinition {
                name,
                families,
                environments: envs.iter().map(|e| canonical_environment(e)).collect(),
                description,
                template,
                uri,
                params,
                metadata: md,
                file: None,
            });
        }
        p.into_result()?;
        Ok(Self {
            source: label.to_string(),
            queries,
        })
    }
}

fn macros_of(v: Option<&Value>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Some(Value::Mapping(m)) = v {
        for (k, v) in m {
            if let Some(val) = v.get("value").and_then(Value::as_str) {
                out.insert(key_str(k), val.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = "
metadata:
  version: 1
  description: Test queries
  data_environments: [LogAnalytics]
  data_families: [SecurityAlert]
defaults:
  parameters:
    start:
      description: Query start time
      type: datetime
    table:
      description: Table name
      type: str
      default: SecurityAlert
sources:
  q1:
    description: First query here
    args:
      query: '{table} | where T > {start} $<extra>$'
    query_macros:
      extra:
        description: extra clause
        value: '| take 1'
    parameters:
      start:
        description: Override start
        type: datetime
        default: -1
        aliases: [from, begin]
";

    #[test]
    fn loads_and_merges() {
        let f = QueryFile::from_yaml_str(OK, "ok.yaml").unwrap();
        let q = &f.queries[0];
        assert_eq!(q.full_name(), "SecurityAlert.q1");
        assert_eq!(q.environments, ["MSSentinel"]);
        assert_eq!(q.template, "{table} | where T > {start} | take 1");
        let start = &q.params["start"];
        assert_eq!(start.description, "Override start");
        assert_eq!(start.default, Some(ParamValue::Int(-1)));
        assert_eq!(
            q.resolve_param("begin").map(|p| p.name.as_str()),
            Some("start")
        );
        assert_eq!(q.table().as_deref(), Some("SecurityAlert"));
    }

    #[test]
    fn every_problem_is_reported() {
        let bad = OK
            .replace("version: 1", "version: \"1\"")
            .replace("type: str", "type: string")
            .replace("{table} |", "{table} {nope} |");
        let err = QueryFile::from_yaml_str(&bad, "bad.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("invalid query file 'bad.yaml': "), "{err}");
        assert!(
            err.contains("metadata: version must be an integer, not a string"),
            "{err}"
        );
        assert!(
            err.contains("defaults: parameters.table: unknown type 'string'"),
            "{err}"
        );
        assert!(err.contains("query 'q1': the query uses parameters defined neither in defaults nor in the query: nope"), "{err}");
    }

    #[test]
    fn yaml_and_shape_errors() {
        let err = QueryFile::from_yaml_str("a: [", "x.yaml")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("invalid query file 'x.yaml': not valid YAML"),
            "{err}"
        );
        let err = QueryFile::from_yaml_str("- 1", "x.yaml")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("must be a mapping with metadata and sources, not a list"),
            "{err}"
        );
    }

    #[test]
    fn environments_are_canonical() {
        assert_eq!(canonical_environment("AzureSentinel"), "MSSentinel");
        assert_eq!(canonical_environment("DataEnvironment.MDATP"), "MDE");
        assert_eq!(canonical_environment("mordor"), "SecurityDatasets");
        assert_eq!(canonical_environment("MyEnvironment"), "MyEnvironment");
    }
}
