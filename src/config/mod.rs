//! Settings: MSTICPy's `msticpyconfig.yaml`, read unchanged, plus an
//! optional `huntbook.yaml` in the same schema.
//!
//! [`Settings::load`] merges, deepest last:
//! 1. huntbook's defaults (the bundled query library, LocalData over the
//!    bundled sample data);
//! 2. the first `msticpyconfig.yaml` found: `$MSTICPYCONFIG`, then
//!    `./msticpyconfig.yaml`, then `~/.msticpy/msticpyconfig.yaml`;
//! 3. the first `huntbook.yaml` found: `$HUNTBOOK_CONFIG`, then
//!    `./huntbook.yaml`, then `~/.huntbook/huntbook.yaml`.
//!
//! Mappings merge key by key; any other value replaces the one before.
//! Secrets (`AuthKey`, `ClientSecret`… or any `EnvironmentVar:` entry)
//! become [`Secret`]s, resolved only when used and masked in every
//! Debug/Display/HTML view. `KeyVault:` entries load, but using one is a
//! clear "not supported, use EnvironmentVar" error.
//!
//! ```
//! use huntbook::config::Settings;
//! let s = Settings::from_yaml_str("
//! AzureSentinel:
//!   Workspaces:
//!     Default:
//!       WorkspaceId: 52b1ab41-869e-4138-9e40-2a4457f09bf3
//!       TenantId: 72f988bf-86f1-41af-91ab-2d7cd011db49
//! TIProviders:
//!   OTX:
//!     Args:
//!       AuthKey: not-shown
//!     Primary: True
//!     Provider: OTX
//! ", "demo.yaml")?;
//! assert_eq!(s.workspaces()[0].workspace_id, "52b1ab41-869e-4138-9e40-2a4457f09bf3");
//! let otx = &s.ti_providers()[0];
//! assert_eq!(otx.secret("AuthKey")?.expose()?, "not-shown");
//! assert!(!format!("{s:?} {s}").contains("not-shown"));
//! # Ok::<(), huntbook::Error>(())
//! ```

pub mod secret;

pub use secret::Secret;

use crate::display::NotebookDisplay;
use crate::error::{Error, Result};
use crate::vis::html::HtmlBuilder;
use serde_yaml::{Mapping, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Environment variable naming the msticpyconfig file (as in MSTICPy).
pub const MSTICPYCONFIG_ENV: &str = "MSTICPYCONFIG";
/// Environment variable naming a huntbook.yaml overlay.
pub const HUNTBOOK_CONFIG_ENV: &str = "HUNTBOOK_CONFIG";
/// Largest settings file read.
pub const MAX_SETTINGS_BYTES: u64 = 4 << 20;

/// Key names (lower case, substrings) whose inline values are secrets.
const SECRET_KEYS: &[&str] = &[
    "authkey",
    "apikey",
    "apiid",
    "secret",
    "password",
    "pwd",
    "token",
    "connectionstring",
    "privatekey",
    "accountkey",
];

fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    SECRET_KEYS.iter().any(|s| k.contains(s))
}

fn secret_ref(v: &Value) -> Option<Secret> {
    let Value::Mapping(m) = v else { return None };
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    };
    if let Some(n) = m.get("EnvironmentVar") {
        return Some(Secret::EnvVar(text(n)));
    }
    for k in ["KeyVault", "KeyVaultURI"] {
        if let Some(p) = m.get(k) {
            return Some(Secret::KeyVault(text(p)));
        }
    }
    None
}

/// One argument of a provider's `Args`.
#[derive(Debug, Clone, PartialEq)]
pub enum ArgValue {
    /// A plain setting.
    Value(Value),
    /// A secret (masked everywhere).
    Secret(Secret),
}

/// A provider's settings: `TIProviders.OTX`, `DataProviders.LocalData`…
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderSettings {
    /// The section (`TIProviders`, `DataProviders`, `OtherProviders`, `ContextProviders`).
    pub section: String,
    /// The entry's name (`OTX`, `Kusto-MSTIC1`).
    pub name: String,
    /// `Provider:`, when given.
    pub provider: Option<String>,
    /// `Primary:` (false when absent).
    pub primary: bool,
    /// `Args:`.
    pub args: BTreeMap<String, ArgValue>,
}

impl ProviderSettings {
    fn from_value(section: &str, name: &str, v: &Value) -> Self {
        let mut args = BTreeMap::new();
        if let Some(Value::Mapping(a)) = v.get("Args") {
            for (k, val) in a {
                let key = k.as_str().map(String::from).unwrap_or_else(|| {
                    serde_yaml::to_string(k)
                        .unwrap_or_default()
                        .trim()
                        .to_string()
                });
                let arg = match secret_ref(val) {
                    Some(s) => ArgValue::Secret(s),
                    None if is_secret_key(&key) => match val {
                        Value::String(s) => ArgValue::Secret(Secret::Plain(s.clone())),
                        other => ArgValue::Value(other.clone()),
                    },
                    None => ArgValue::Value(val.clone()),
                };
                args.insert(key, arg);
            }
        }
        Self {
            section: section.to_string(),
            name: name.to_string(),
            provider: v.get("Provider").and_then(Value::as_str).map(String::from),
            primary: v.get("Primary").and_then(Value::as_bool).unwrap_or(false),
            args,
        }
    }

    /// A non-secret argument as text (numbers and booleans as written).
    pub fn arg(&self, name: &str) -> Option<String> {
        match self.args.get(name)? {
            ArgValue::Value(Value::String(s)) => Some(s.clone()),
            ArgValue::Value(Value::Bool(b)) => Some(b.to_string()),
            ArgValue::Value(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        }
    }

    /// A list argument (`data_paths: [a, b]`, or one string).
    pub fn arg_list(&self, name: &str) -> Vec<String> {
        match self.args.get(name) {
            Some(ArgValue::Value(Value::Sequence(items))) => items
                .iter()
                .filter_map(|i| i.as_str().map(String::from))
                .collect(),
            Some(ArgValue::Value(Value::String(s))) => vec![s.clone()],
            _ => Vec::new(),
        }
    }

    /// A secret argument; a missing one is an error naming the provider.
    pub fn secret(&self, name: &str) -> Result<&Secret> {
        match self.args.get(name) {
            Some(ArgValue::Secret(s)) => Ok(s),
            Some(ArgValue::Value(_)) => Err(Error::invalid(
                format!("setting {}.{}.Args.{name}", self.section, self.name),
                "is not a secret setting",
            )),
            None => Err(Error::invalid(
                format!("setting {}.{}.Args.{name}", self.section, self.name),
                "is not set",
            )),
        }
    }
}

/// A Microsoft Sentinel workspace (`AzureSentinel.Workspaces.<name>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    /// The entry's name (`Default`, `MyTestWS`).
    pub name: String,
    /// `WorkspaceId`.
    pub workspace_id: String,
    /// `TenantId`.
    pub tenant_id: String,
    /// `SubscriptionId`, when given.
    pub subscription_id: Option<String>,
    /// `ResourceGroup`, when given.
    pub resource_group: Option<String>,
    /// `WorkspaceName`, when given.
    pub workspace_name: Option<String>,
}

/// Merged settings.
#[derive(Clone)]
pub struct Settings {
    root: Mapping,
    sources: Vec<PathBuf>,
}

fn merge(base: &mut Mapping, over: &Mapping) {
    for (k, v) in over {
        match (base.get_mut(k), v) {
            (Some(Value::Mapping(b)), Value::Mapping(o)) => merge(b, o),
            _ => {
                base.insert(k.clone(), v.clone());
            }
        }
    }
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// Expands a leading `~/` with the home folder.
pub fn expand_home(path: &str) -> PathBuf {
    match (
        path.strip_prefix("~/").or_else(|| path.strip_prefix("~\\")),
        home(),
    ) {
        (Some(rest), Some(h)) => h.join(rest),
        _ if path == "~" => home().unwrap_or_else(|| PathBuf::from(path)),
        _ => PathBuf::from(path),
    }
}

fn read_yaml(path: &Path) -> Result<Mapping> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io("reading", path, e))?;
    if meta.len() > MAX_SETTINGS_BYTES {
        return Err(Error::invalid(
            format!("settings file '{}'", path.display()),
            format!(
                "{} bytes, more than the limit of {MAX_SETTINGS_BYTES}",
                meta.len()
            ),
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| Error::io("reading", path, e))?;
    parse_yaml(&text, &path.display().to_string())
}

fn parse_yaml(text: &str, label: &str) -> Result<Mapping> {
    let v: Value = serde_yaml::from_str(text).map_err(|e| {
        Error::invalid(
            format!("settings file '{label}'"),
            format!("not valid YAML: {e}"),
        )
    })?;
    match v {
        Value::Mapping(m) => Ok(m),
        Value::Null => Ok(Mapping::new()),
        other => Err(Error::invalid(
            format!("settings file '{label}'"),
            format!(
                "must be a mapping of sections, not {}",
                match other {
                    Value::Sequence(_) => "a list",
                    _ => "a single value",
                }
            ),
        )),
    }
}

impl Settings {
    /// huntbook's defaults alone.
    pub fn defaults() -> Self {
        let data = crate::data::data_dir();
        let queries = crate::data::query::store::builtin_dir();
        let text = format!(
            "QueryDefinitions:\n  Default: [{q}]\nDataProviders:\n  LocalData:\n    Args:\n      data_paths: [{d}]\n",
            q = serde_json::Value::String(queries.display().to_string()),
            d = serde_json::Value::String(
                data.join("msticpy/testdata-converted/localdata")
                    .display()
                    .to_string()
            ),
        );
        Self {
            root: parse_yaml(&text, "defaults").unwrap_or_default(),
            sources: Vec::new(),
        }
    }

    /// Finds and merges the settings files (see the module docs).
    pub fn load() -> Result<Self> {
        let mut s = Self::defaults();
        if let Some(p) = find_config(MSTICPYCONFIG_ENV, "msticpyconfig.yaml", ".msticpy")? {
            s.merge_file(&p)?;
        }
        if let Some(p) = find_config(HUNTBOOK_CONFIG_ENV, "huntbook.yaml", ".huntbook")? {
            s.merge_file(&p)?;
        }
        Ok(s)
    }

    /// The defaults merged with one file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let mut s = Self::defaults();
        s.merge_file(path.as_ref())?;
        Ok(s)
    }

    /// The defaults merged with YAML text; `label` names it in errors.
    pub fn from_yaml_str(text: &str, label: &str) -> Result<Self> {
        let mut s = Self::defaults();
        let m = parse_yaml(text, label)?;
        merge(&mut s.root, &m);
        Ok(s)
    }

    /// Merges another file over these settings.
    pub fn merge_file(&mut self, path: &Path) -> Result<()> {
        let m = read_yaml(path)?;
        merge(&mut self.root, &m);
        self.sources.push(path.to_path_buf());
        Ok(())
    }

    /// The files merged, in order.
    pub fn sources(&self) -> &[PathBuf] {
        &self.sources
    }

    /// A value by dotted path (`AzureSentinel.Workspaces.Default.WorkspaceId`).
    /// Secret values are returned as written: prefer [`ProviderSettings::secret`].
    pub fn get(&self, path: &str) -> Option<&Value> {
        let mut cur: Option<&Value> = None;
        for (i, part) in path.split('.').enumerate() {
            cur = if i == 0 {
                self.root.get(part)
            } else {
                cur?.get(part)
            };
            cur?;
        }
        cur
    }

    /// The section names present.
    pub fn sections(&self) -> Vec<String> {
        self.root
            .keys()
            .filter_map(|k| k.as_str().map(String::from))
            .collect()
    }

    /// `AzureSentinel.Workspaces`, in file order.
    pub fn workspaces(&self) -> Vec<Workspace> {
        let Some(Value::Mapping(ws)) = self.get("AzureSentinel.Workspaces") else {
            return Vec::new();
        };
        let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(String::from);
        ws.iter()
            .filter_map(|(k, v)| {
                Some(Workspace {
                    name: k.as_str()?.to_string(),
                    workspace_id: s(v, "WorkspaceId").unwrap_or_default(),
                    tenant_id: s(v, "TenantId").unwrap_or_default(),
                    subscription_id: s(v, "SubscriptionId"),
                    resource_group: s(v, "ResourceGroup"),
                    workspace_name: s(v, "WorkspaceName"),
                })
            })
            .collect()
    }

    /// A workspace by name (`Default` when `None`).
    pub fn workspace(&self, name: Option<&str>) -> Result<Workspace> {
        let want = name.unwrap_or("Default");
        self.workspaces()
            .into_iter()
            .find(|w| w.name.eq_ignore_ascii_case(want))
            .ok_or_else(|| {
                let have: Vec<String> = self.workspaces().into_iter().map(|w| w.name).collect();
                Error::invalid(
                    format!("workspace '{want}'"),
                    format!(
                        "not in AzureSentinel.Workspaces (have: {})",
                        if have.is_empty() {
                            "none".into()
                        } else {
                            have.join(", ")
                        }
                    ),
                )
            })
    }

    /// The providers of one section, in file order.
    pub fn providers(&self, section: &str) -> Vec<ProviderSettings> {
        match self.root.get(section) {
            Some(Value::Mapping(m)) => m
                .iter()
                .filter_map(|(k, v)| Some(ProviderSettings::from_value(section, k.as_str()?, v)))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// `TIProviders`.
    pub fn ti_providers(&self) -> Vec<ProviderSettings> {
        self.providers("TIProviders")
    }

    /// `DataProviders`.
    pub fn data_providers(&self) -> Vec<ProviderSettings> {
        self.providers("DataProviders")
    }

    /// `OtherProviders`.
    pub fn other_providers(&self) -> Vec<ProviderSettings> {
        self.providers("OtherProviders")
    }

    /// `ContextProviders`.
    pub fn context_providers(&self) -> Vec<ProviderSettings> {
        self.providers("ContextProviders")
    }

    /// One provider by section and name (case-insensitive).
    pub fn provider(&self, section: &str, name: &str) -> Option<ProviderSettings> {
        self.providers(section)
            .into_iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// Query folders: huntbook's bundled library (MSTICPy's
    /// `QueryDefinitions.Default` names MSTICPy's own package folder, so the
    /// bundled library stands in for it), then `QueryDefinitions.Custom`
    /// (`~` expanded, relative paths from the working folder).
    pub fn query_paths(&self) -> Vec<PathBuf> {
        let mut out = vec![crate::data::query::store::builtin_dir()];
        if let Some(Value::Sequence(items)) = self.get("QueryDefinitions.Custom") {
            out.extend(items.iter().filter_map(Value::as_str).map(expand_home));
        }
        out
    }

    /// Settings paths whose secrets point at Key Vault (unsupported).
    pub fn key_vault_entries(&self) -> Vec<String> {
        let mut out = Vec::new();
        for section in [
            "TIProviders",
            "DataProviders",
            "OtherProviders",
            "ContextProviders",
        ] {
            for p in self.providers(section) {
                for (k, v) in &p.args {
                    if let ArgValue::Secret(Secret::KeyVault(_)) = v {
                        out.push(format!("{section}.{}.Args.{k}", p.name));
                    }
                }
            }
        }
        out
    }

    /// The merged settings as YAML with every secret masked.
    pub fn masked_yaml(&self) -> String {
        let masked = mask(&Value::Mapping(self.root.clone()), false);
        serde_yaml::to_string(&masked).unwrap_or_default()
    }
}

fn mask(v: &Value, secret_key: bool) -> Value {
    if let Some(s) = secret_ref(v) {
        return Value::String(s.to_string());
    }
    match v {
        Value::Mapping(m) => Value::Mapping(
            m.iter()
                .map(|(k, val)| {
                    let sk = k.as_str().is_some_and(is_secret_key);
                    (k.clone(), mask(val, sk))
                })
                .collect(),
        ),
        Value::Sequence(items) => {
            Value::Sequence(items.iter().map(|i| mask(i, secret_key)).collect())
        }
        Value::String(_) | Value::Number(_) if secret_key => Value::String("********".into()),
        other => other.clone(),
    }
}

fn find_config(env: &str, file: &str, home_dir: &str) -> Result<Option<PathBuf>> {
    if let Some(p) = std::env::var_os(env).filter(|p| !p.is_empty()) {
        let p = expand_home(&p.to_string_lossy());
        if p.is_file() {
            return Ok(Some(p));
        }
        return Err(Error::invalid(
            format!("environment variable {env}"),
            format!("points at '{}', which is not a file", p.display()),
        ));
    }
    let local = PathBuf::from(file);
    if local.is_file() {
        return Ok(Some(local));
    }
    if let Some(h) = home() {
        let p = h.join(home_dir).join(file);
        if p.is_file() {
            return Ok(Some(p));
        }
    }
    Ok(None)
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("sources", &self.sources)
            .field("sections", &self.sections())
            .finish()
    }
}

impl fmt::Display for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked_yaml())
    }
}

impl NotebookDisplay for Settings {
    fn to_html(&self) -> String {
        let mut b = HtmlBuilder::new();
        b.open("div", &[("class", "huntbook-settings")]);
        let srcs: Vec<String> = self
            .sources
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        b.element(
            "p",
            &[],
            &format!(
                "Settings from: {}",
                if srcs.is_empty() {
                    "defaults only".into()
                } else {
                    srcs.join(", ")
                }
            ),
        );
        b.element("pre", &[], &self.masked_yaml());
        b.close("div");
        b.finish()
    }
    fn to_text(&self) -> String {
        self.masked_yaml()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CFG: &str = "
TIProviders:
  VirusTotal:
    Args:
      AuthKey:
        EnvironmentVar: VTAUTHKEY
    Primary: True
    Provider: VirusTotal
  OTX:
    Args:
      AuthKey:
        KeyVault: myvault/OTX
DataProviders:
  Kusto-X:
    Args:
      Cluster: https://x.example
      ClientSecret: sup3rs3cret
      IntegratedAuth: True
";

    #[test]
    fn providers_and_secrets() {
        let s = Settings::from_yaml_str(CFG, "t.yaml").unwrap();
        let vt = s.provider("TIProviders", "virustotal").unwrap();
        assert!(vt.primary);
        assert_eq!(vt.provider.as_deref(), Some("VirusTotal"));
        assert_eq!(
            vt.secret("AuthKey").unwrap(),
            &Secret::EnvVar("VTAUTHKEY".into())
        );
        let k = s.provider("DataProviders", "Kusto-X").unwrap();
        assert_eq!(k.arg("Cluster").as_deref(), Some("https://x.example"));
        assert_eq!(k.arg("IntegratedAuth").as_deref(), Some("true"));
        assert_eq!(
            k.secret("ClientSecret").unwrap().expose().unwrap(),
            "sup3rs3cret"
        );
        assert_eq!(s.key_vault_entries(), ["TIProviders.OTX.Args.AuthKey"]);
        let shown = format!("{s} {s:?} {k:?} {}", s.to_html());
        assert!(!shown.contains("sup3rs3cret"), "{shown}");
        assert!(shown.contains("EnvironmentVar(VTAUTHKEY)"), "{shown}");
    }

    #[test]
    fn defaults_merge_under_the_file() {
        let s = Settings::from_yaml_str(
            "DataProviders:\n  LocalData:\n    Args:\n      extra: 1\n",
            "t",
        )
        .unwrap();
        let ld = s.provider("DataProviders", "LocalData").unwrap();
        assert_eq!(ld.arg_list("data_paths").len(), 1);
        assert_eq!(ld.arg("extra").as_deref(), Some("1"));
        let err = Settings::from_yaml_str("- a", "bad.yaml")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "invalid settings file 'bad.yaml': must be a mapping of sections, not a list"
        );
    }
}
