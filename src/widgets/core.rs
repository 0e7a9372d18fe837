//! What every widget shares: its id, where its value is stored, and the
//! HTML shell (title, controls, status line, script) it renders into.

use super::store::{KernelInfo, WidgetStore, valid_widget_id};
use crate::error::Result;
use crate::vis::html::{HtmlBuilder, json_for_script};

const WIDGETS_JS: &str = include_str!("../../widgets/widgets.js");
const WIDGETS_CSS: &str = include_str!("../../widgets/widgets.css");

/// The status line of the static rendering; the script replaces it with the
/// live state, or with why it cannot connect.
const STATIC_STATUS: &str = "Static view: the value shown is the kernel's value when this cell ran. \
     Interactive in JupyterLab 4 / Notebook 7 with the huntbook kernel (trusted output).";

/// 64-bit FNV-1a, for stable widget ids.
pub(crate) fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0x1f)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// Turns a user-given name into a valid widget id (lower case; anything else
/// than letters, digits and `-` becomes `-`; at most 64 characters).
pub(crate) fn sanitize_id(name: &str) -> String {
    let id: String = name
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    id
}

/// Id, kind and store of one widget.
#[derive(Debug, Clone)]
pub(crate) struct Core {
    pub kind: &'static str,
    pub id: String,
    custom_id: bool,
    store: Option<WidgetStore>,
}

impl Core {
    /// A widget of `kind` whose id is derived from `parts` (label, options).
    pub fn new(kind: &'static str, parts: &[&str]) -> Self {
        Self {
            kind,
            id: format!("{kind}-{:016x}", fnv1a(parts)),
            custom_id: false,
            store: None,
        }
    }

    /// Derives the id again from `parts`, unless the user gave one.
    pub fn rekey(&mut self, parts: &[&str]) {
        if !self.custom_id {
            self.id = format!("{}-{:016x}", self.kind, fnv1a(parts));
        }
    }

    /// Uses `name` (sanitised) as the id; an empty result keeps the old id.
    pub fn set_id(&mut self, name: &str) {
        let id = sanitize_id(name);
        if valid_widget_id(&id) {
            self.id = id;
            self.custom_id = true;
        }
    }

    pub fn set_store(&mut self, store: WidgetStore) {
        self.store = Some(store);
    }

    pub fn store(&self) -> Result<WidgetStore> {
        match &self.store {
            Some(s) => Ok(s.clone()),
            None => WidgetStore::for_kernel(),
        }
    }

    pub fn stored(&self) -> Result<Option<serde_json::Value>> {
        self.store()?.get(&self.id)
    }

    pub fn save(&self, value: &serde_json::Value) -> Result<()> {
        self.store()?.put(&self.id, value)
    }

    pub fn clear(&self) -> Result<()> {
        self.store()?.remove(&self.id)
    }

    /// Wraps the widget's controls: title, body, status line and script.
    /// `config` is the data the script needs (options, limits, value).
    pub fn render(&self, title: &str, body: &HtmlBuilder, config: serde_json::Value) -> String {
        let kernel = KernelInfo::detect();
        let mut cfg = serde_json::json!({
            "id": self.id,
            "kind": self.kind,
            "kernel": kernel.kernel_id,
        });
        if let (Some(obj), serde_json::Value::Object(extra)) = (cfg.as_object_mut(), config) {
            obj.extend(extra);
        }
        let mut h = HtmlBuilder::new();
        h.open(
            "div",
            &[
                ("class", "hb-widget"),
                ("data-hb-kind", self.kind),
                ("data-hb-id", &self.id),
            ],
        );
        h.raw("<style>").raw(WIDGETS_CSS).raw("</style>");
        if !title.is_empty() {
            h.element("div", &[("class", "hb-w-title")], title);
        }
        h.fragment(body);
        h.element("div", &[("class", "hb-w-status")], STATIC_STATUS);
        let json = json_for_script(&cfg.to_string());
        // The sourceURL names the script in browser stack traces (the
        // end-to-end test tells huntbook's errors from the front end's).
        h.script(&format!(
            "{WIDGETS_JS}\n(document.currentScript, {json});\n//# sourceURL=huntbook-widgets.js"
        ));
        h.close("div");
        h.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_sanitised() {
        assert_eq!(fnv1a(&[]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(&["a"]), fnv1a(&["a"]));
        assert_ne!(fnv1a(&["ab", "c"]), fnv1a(&["a", "bc"]));
        assert_eq!(sanitize_id("Alert Pick/<x>"), "alert-pick--x-");
        let mut c = Core::new("selectitem", &["x"]);
        let derived = c.id.clone();
        assert!(derived.starts_with("selectitem-") && derived.len() == 27);
        c.set_id("");
        assert_eq!(c.id, derived);
        c.set_id("My_Choice");
        assert_eq!(c.id, "my-choice");
    }

    #[test]
    fn shell_escapes_title_and_config() {
        let c = Core::new("gettext", &["t"]);
        let mut body = HtmlBuilder::new();
        body.element("span", &[], "<b>");
        let html = c.render(
            "<script>alert(1)</script>",
            &body,
            serde_json::json!({"label": "</script><img src=x onerror=alert(1)>"}),
        );
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!html.contains("<img"));
        assert!(html.contains("\\u003c/script\\u003e\\u003cimg"));
        assert_eq!(html.matches("</script>").count(), 1);
    }
}
