//! Free text: [`GetText`] and [`GetEnvironmentKey`] (masked for secrets).

use super::WidgetStore;
use super::core::Core;
use crate::config::Secret;
use crate::display::NotebookDisplay;
use crate::error::{Error, Result};
use crate::vis::html::HtmlBuilder;

/// A text box (MSTICPy's `GetText`).
///
/// ```
/// use huntbook::widgets::{GetText, WidgetStore};
/// let dir = std::env::temp_dir().join(format!("hb-doc-gt-{}", std::process::id()));
/// let case = GetText::new().label("Case number").default_text("INC-0").store(WidgetStore::at(&dir)?);
/// assert_eq!(case.value()?, "INC-0");
/// case.set_value("INC-42")?;
/// assert_eq!(case.value()?, "INC-42");
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), huntbook::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct GetText {
    core: Core,
    label: String,
    default: String,
}

impl Default for GetText {
    fn default() -> Self {
        Self::new()
    }
}

impl GetText {
    /// A text box labelled `Enter the value: ` (MSTICPy's default).
    pub fn new() -> Self {
        let mut s = Self {
            core: Core::new("gettext", &[]),
            label: "Enter the value: ".to_string(),
            default: String::new(),
        };
        s.core.rekey(&[&s.label]);
        s
    }

    /// The description.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self.core.rekey(&[&self.label]);
        self
    }

    /// The text until the analyst saves another.
    pub fn default_text(mut self, text: impl Into<String>) -> Self {
        self.default = text.into();
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

    /// The saved text, else the default.
    pub fn value(&self) -> Result<String> {
        Ok(self
            .core
            .stored()?
            .and_then(|v| v.get("value").and_then(|t| t.as_str()).map(str::to_string))
            .unwrap_or_else(|| self.default.clone()))
    }

    /// Sets the text.
    pub fn set_value(&self, text: &str) -> Result<()> {
        self.core.save(&serde_json::json!({ "value": text }))
    }

    /// Forgets the saved text.
    pub fn reset(&self) -> Result<()> {
        self.core.clear()
    }
}

fn text_row(h: &mut HtmlBuilder, kind: &'static str, value: &str, placeholder: &str) {
    h.open("div", &[("class", "hb-w-row")]);
    h.open(
        "input",
        &[
            ("class", "hb-gt-input"),
            ("type", kind),
            ("value", value),
            ("placeholder", placeholder),
            ("autocomplete", "off"),
            ("size", "48"),
            ("disabled", ""),
        ],
    );
    h.element(
        "button",
        &[
            ("class", "hb-gt-save"),
            ("type", "button"),
            ("disabled", ""),
        ],
        "Save",
    );
    h.close("div");
}

impl NotebookDisplay for GetText {
    fn to_html(&self) -> String {
        let value = self.value().unwrap_or_else(|_| self.default.clone());
        let mut h = HtmlBuilder::new();
        text_row(&mut h, "text", &value, "");
        self.core.render(&self.label, &h, serde_json::json!({}))
    }

    fn to_text(&self) -> String {
        match self.value() {
            Ok(v) => format!("{}{v}", self.label),
            Err(e) => format!("{}{e}", self.label),
        }
    }
}

fn valid_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Where a [`GetEnvironmentKey`] value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// Saved through the widget (or [`GetEnvironmentKey::set_value`]).
    Widget,
    /// The kernel's environment variable.
    Environment,
    /// Neither.
    Unset,
}

/// Enters a value for an environment variable, e.g. an API key (MSTICPy's
/// `GetEnvironmentKey`). The input is masked by default and the value is
/// never written back into any output; [`value`](Self::value) returns a
/// [`Secret`] whose Debug/Display are redacted.
///
/// Differences from MSTICPy: huntbook cannot change the kernel's process
/// environment (`std::env::set_var` needs `unsafe`, which huntbook forbids,
/// and would not be seen by code already holding the old value), so the
/// value saved in the widget is kept in the user-only widget store and takes
/// precedence over the environment variable when read through this widget.
///
/// ```
/// use huntbook::widgets::{GetEnvironmentKey, WidgetStore};
/// use huntbook::NotebookDisplay;
/// let dir = std::env::temp_dir().join(format!("hb-doc-ek-{}", std::process::id()));
/// let key = GetEnvironmentKey::new("HB_DOC_TI_KEY").store(WidgetStore::at(&dir)?);
/// key.set_value("s3cr3t-value")?;
/// assert_eq!(key.value()?.unwrap().expose()?, "s3cr3t-value");
/// assert!(!key.to_html().contains("s3cr3t"));
/// assert!(!format!("{:?}", key.value()?).contains("s3cr3t"));
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), huntbook::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct GetEnvironmentKey {
    core: Core,
    var: String,
    prompt: String,
    help: Option<String>,
    masked: bool,
}

impl GetEnvironmentKey {
    /// A masked input for environment variable `var`.
    pub fn new(var: impl Into<String>) -> Self {
        let var = var.into();
        let mut s = Self {
            core: Core::new("envkey", &[]),
            prompt: "Enter the value: ".to_string(),
            help: None,
            var,
            masked: true,
        };
        s.core.rekey(&[&s.var]);
        s
    }

    /// The prompt (default `Enter the value: `).
    pub fn prompt(mut self, prompt: impl Into<String>) -> Self {
        self.prompt = prompt.into();
        self
    }

    /// Help text shown under the prompt.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Whether the input is masked (default `true`). An unmasked value is
    /// shown in the input box, so use it only for non-secret settings.
    pub fn masked(mut self, masked: bool) -> Self {
        self.masked = masked;
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

    /// The variable name.
    pub fn var(&self) -> &str {
        &self.var
    }

    fn check_name(&self) -> Result<()> {
        if valid_env_name(&self.var) {
            Ok(())
        } else {
            Err(Error::invalid(
                format!("environment variable name '{}'", self.var.escape_debug()),
                "use letters, digits and '_', not starting with a digit",
            ))
        }
    }

    fn stored_value(&self) -> Result<Option<String>> {
        Ok(self
            .core
            .stored()?
            .and_then(|v| v.get("value").and_then(|t| t.as_str()).map(str::to_string))
            .filter(|v| !v.is_empty()))
    }

    /// Where the value comes from now.
    pub fn source(&self) -> Result<KeySource> {
        self.check_name()?;
        if self.stored_value()?.is_some() {
            return Ok(KeySource::Widget);
        }
        Ok(match std::env::var(&self.var) {
            Ok(v) if !v.is_empty() => KeySource::Environment,
            _ => KeySource::Unset,
        })
    }

    /// The value saved in the widget, else the environment variable's.
    pub fn value(&self) -> Result<Option<Secret>> {
        self.check_name()?;
        if let Some(v) = self.stored_value()? {
            return Ok(Some(Secret::plain(v)));
        }
        Ok(match std::env::var(&self.var) {
            Ok(v) if !v.is_empty() => Some(Secret::EnvVar(self.var.clone())),
            _ => None,
        })
    }

    /// Saves a value (as the widget's Save button does).
    pub fn set_value(&self, value: &str) -> Result<()> {
        self.check_name()?;
        self.core.save(&serde_json::json!({ "value": value }))
    }

    /// Forgets the saved value (the environment variable is used again).
    pub fn clear(&self) -> Result<()> {
        self.core.clear()
    }

    fn state_text(&self) -> String {
        match self.source() {
            Ok(KeySource::Widget) => "set in the widget (hidden)".to_string(),
            Ok(KeySource::Environment) => "set from the environment (hidden)".to_string(),
            Ok(KeySource::Unset) => "not set".to_string(),
            Err(e) => e.to_string(),
        }
    }
}

impl NotebookDisplay for GetEnvironmentKey {
    fn to_html(&self) -> String {
        let mut h = HtmlBuilder::new();
        if let Some(help) = &self.help {
            h.element("div", &[("class", "hb-w-row")], help);
        }
        h.open("div", &[("class", "hb-w-row")]);
        h.text(&self.prompt);
        h.element("span", &[("class", "hb-w-value")], &self.var);
        h.text(": ");
        h.element("span", &[("class", "hb-ek-state")], &self.state_text());
        h.close("div");
        // A masked widget never carries the value; an unmasked one shows it.
        let shown = if self.masked {
            String::new()
        } else {
            self.stored_value()
                .ok()
                .flatten()
                .or_else(|| std::env::var(&self.var).ok())
                .unwrap_or_default()
        };
        text_row(
            &mut h,
            if self.masked { "password" } else { "text" },
            &shown,
            "",
        );
        self.core.render(
            &format!("Environment variable {}", self.var),
            &h,
            serde_json::json!({}),
        )
    }

    fn to_text(&self) -> String {
        format!("{}: {}", self.var, self.state_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names_are_checked() {
        assert!(valid_env_name("VT_API_KEY"));
        assert!(valid_env_name("_x1"));
        assert!(!valid_env_name("1X"));
        assert!(!valid_env_name("A-B"));
        assert!(!valid_env_name(""));
        let k = GetEnvironmentKey::new("bad name");
        assert!(
            k.value()
                .unwrap_err()
                .to_string()
                .contains("environment variable name")
        );
    }
}
