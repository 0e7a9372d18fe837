//! User pivot functions from a YAML file shaped like MSTICPy's
//! `pivot_providers` file.
//!
//! MSTICPy's entries name a Python module and function to import. Rust
//! cannot load code at run time, so an entry names what huntbook can run:
//! a built-in pivot (`builtin: util.extract_iocs`) or a query of a provider
//! already added (`provider: LocalData`, `query: Azure.list_signins_for_ip`,
//! `func_input_value_arg: ip_address_list`). Running external commands is
//! not offered on purpose: a shared pivot file must not be able to run
//! programs on the analyst's machine. MSTICPy keys that have no meaning
//! here (`src_module`, `src_class`, `src_func_name`) are an error naming
//! the entry, so a copied Python file fails loudly instead of half-working.
//!
//! ```yaml
//! pivot_providers:
//!   signins_from_ip:                       # function name (or func_new_name)
//!     provider: LocalData
//!     query: Azure.list_signins_for_ip
//!     func_input_value_arg: ip_address_list
//!     entity_map: {IpAddress: Address}     # entity: attribute
//!     entity_container_name: custom        # default "custom"
//!     description: Azure AD sign-ins from the address
//!   cmdline_iocs:
//!     builtin: util.extract_iocs
//!     entity_map: {Process: CommandLine, Url: Url}
//! ```

use super::{Pivot, PivotRegistration};
use crate::data::query::ParamValue;
use crate::entities::EntityType;
use crate::error::{Error, Result};
use serde_yaml::Value;
use std::path::Path;

/// The largest pivot file read.
pub const MAX_PIVOT_FILE_BYTES: u64 = 4 << 20;

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Pivot {
    /// Registers the functions of a pivot YAML file (see the module docs),
    /// returning their `Entity.container.name`s.
    pub fn register_yaml_file(&mut self, path: impl AsRef<Path>) -> Result<Vec<String>> {
        let path = path.as_ref();
        let meta = std::fs::metadata(path).map_err(|e| Error::io("reading", path, e))?;
        if meta.len() > MAX_PIVOT_FILE_BYTES {
            return Err(Error::invalid(
                format!("pivot file '{}'", path.display()),
                format!(
                    "{} bytes is more than the {MAX_PIVOT_FILE_BYTES} allowed",
                    meta.len()
                ),
            ));
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("reading", path, e))?;
        self.register_yaml_str(&text, &path.display().to_string())
    }

    /// Registers the functions of pivot YAML text; `label` names it in errors.
    pub fn register_yaml_str(&mut self, yaml: &str, label: &str) -> Result<Vec<String>> {
        let what = format!("pivot file '{label}'");
        let doc: Value =
            serde_yaml::from_str(yaml).map_err(|e| Error::invalid(&what, e.to_string()))?;
        let entries = doc
            .get("pivot_providers")
            .and_then(Value::as_mapping)
            .ok_or_else(|| Error::invalid(&what, "no 'pivot_providers' mapping"))?;
        let mut regs = Vec::new();
        for (key, entry) in entries {
            let key = text(Some(key)).unwrap_or_default();
            let ew = format!("{what} entry '{key}'");
            let m = entry
                .as_mapping()
                .ok_or_else(|| Error::invalid(&ew, "must be a mapping"))?;
            for k in ["src_module", "src_class", "src_func_name"] {
                if m.contains_key(k) {
                    return Err(Error::invalid(
                        &ew,
                        format!(
                            "'{k}' names Python code, which huntbook cannot load; name a 'builtin' or a 'query' instead"
                        ),
                    ));
                }
            }
            let name = text(entry.get("func_new_name")).unwrap_or_else(|| key.clone());
            let container =
                text(entry.get("entity_container_name")).unwrap_or_else(|| "custom".into());
            let description = text(entry.get("description")).unwrap_or_default();
            let emap = entry
                .get("entity_map")
                .and_then(Value::as_mapping)
                .ok_or_else(|| Error::invalid(&ew, "no 'entity_map' (entity: attribute)"))?;
            let statics: Vec<(String, ParamValue)> =
                match entry.get("func_static_params").and_then(Value::as_mapping) {
                    Some(sm) => sm
                        .iter()
                        .map(|(k, v)| {
                            let k = text(Some(k)).unwrap_or_default();
                            let v = ParamValue::from_yaml(v).ok_or_else(|| {
                                Error::invalid(
                                    &ew,
                                    format!("func_static_params '{k}' is not a scalar or list"),
                                )
                            })?;
                            Ok((k, v))
                        })
                        .collect::<Result<_>>()?,
                    None => Vec::new(),
                };
            for (ek, ev) in emap {
                let ename = text(Some(ek)).unwrap_or_default();
                let entity = EntityType::from_name(&ename)
                    .map_err(|e| Error::invalid(&ew, e.to_string()))?;
                let attr = text(Some(ev)).ok_or_else(|| {
                    Error::invalid(&ew, format!("entity_map '{ename}' needs an attribute name"))
                })?;
                let mut reg = PivotRegistration::new(entity, &container, &name, &attr)
                    .description(&description)
                    .source(&format!("yaml: {label}"));
                if let Some(col) = text(entry.get("func_out_column_name")) {
                    reg = reg.output_key(&col);
                }
                reg = match (text(entry.get("builtin")), text(entry.get("query"))) {
                    (Some(b), None) => reg
                        .builtin(&b)
                        .map_err(|e| Error::invalid(&ew, e.to_string()))?,
                    (None, Some(q)) => {
                        let provider = text(entry.get("provider"))
                            .ok_or_else(|| Error::invalid(&ew, "a 'query' needs a 'provider'"))?;
                        let param = text(entry.get("func_input_value_arg"))
                            .ok_or_else(|| Error::invalid(&ew, "a 'query' needs 'func_input_value_arg' (the query parameter the value goes to)"))?;
                        reg.query(&provider, &q, &param, statics.clone())
                    }
                    _ => {
                        return Err(Error::invalid(
                            &ew,
                            "give exactly one of 'builtin' or 'query'",
                        ));
                    }
                };
                regs.push((format!("{}.{container}.{name}", entity.name()), reg));
            }
        }
        // Validate every entry before registering any, so a bad file changes nothing.
        let mut trial = self.clone();
        for (_, reg) in &regs {
            trial
                .register(reg.clone())
                .map_err(|e| Error::invalid(&what, e.to_string()))?;
        }
        *self = trial;
        Ok(regs.into_iter().map(|(n, _)| n).collect())
    }
}
