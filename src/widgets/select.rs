//! Choosing from lists: [`SelectItem`], [`SelectSubset`] and [`OptionButtons`].

use super::WidgetStore;
use super::core::Core;
use crate::display::NotebookDisplay;
use crate::error::{Error, Result};
use crate::vis::html::HtmlBuilder;

fn id_parts<'a>(label: &'a str, options: &'a [(String, String)]) -> Vec<&'a str> {
    let mut parts = vec![label];
    for (l, v) in options {
        parts.push(l);
        parts.push(v);
    }
    parts
}

fn label_list(options: &[(String, String)]) -> String {
    let labels: Vec<&str> = options.iter().map(|(l, _)| l.as_str()).take(8).collect();
    let more = if options.len() > 8 { ", ..." } else { "" };
    format!("[{}{more}]", labels.join(", "))
}

/// One item from a filterable list (MSTICPy's `SelectItem`). Options are
/// labels, or label → value pairs (MSTICPy's dict options): [`value`]
/// gives the selected option's value.
///
/// [`value`]: SelectItem::value
///
/// ```
/// use huntbook::widgets::{SelectItem, WidgetStore};
/// let dir = std::env::temp_dir().join(format!("hb-doc-si-{}", std::process::id()));
/// let host = SelectItem::from_pairs([("Web server", "web01.contoso.com"), ("DC", "dc01.contoso.com")])
///     .label("Host to investigate")
///     .selected("DC")
///     .store(WidgetStore::at(&dir)?);
/// assert_eq!(host.value()?.as_deref(), Some("dc01.contoso.com"));
/// host.set_value("Web server")?;          // what picking it in the list does
/// assert_eq!(host.value()?.as_deref(), Some("web01.contoso.com"));
/// assert!(host.set_value("nope").is_err());
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), huntbook::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SelectItem {
    core: Core,
    label: String,
    options: Vec<(String, String)>,
    default: Option<String>,
    rows: usize,
}

impl SelectItem {
    /// A list whose values are its labels.
    pub fn new<I, S>(options: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::build(
            options
                .into_iter()
                .map(|s| {
                    let s = s.into();
                    (s.clone(), s)
                })
                .collect(),
        )
    }

    /// A list of labels, each standing for a value (MSTICPy's dict options).
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self::build(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    fn build(options: Vec<(String, String)>) -> Self {
        let mut s = Self {
            core: Core::new("selectitem", &[]),
            label: "Select an item".to_string(),
            options,
            default: None,
            rows: 8,
        };
        s.rekey();
        s
    }

    fn rekey(&mut self) {
        let parts = id_parts(&self.label, &self.options);
        let mut core = self.core.clone();
        core.rekey(&parts);
        self.core = core;
    }

    /// The description shown above the list.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self.rekey();
        self
    }

    /// The option selected until the analyst picks another.
    pub fn selected(mut self, label: impl Into<String>) -> Self {
        self.default = Some(label.into());
        self
    }

    /// Rows of the list box (default 8).
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

    /// The options as `(label, value)`.
    pub fn options(&self) -> &[(String, String)] {
        &self.options
    }

    fn find(&self, label: &str) -> Option<&(String, String)> {
        self.options.iter().find(|(l, _)| l == label)
    }

    /// The selected option's label: the stored choice when it is still an
    /// option, else the default.
    pub fn selected_label(&self) -> Result<Option<String>> {
        if let Some(v) = self.core.stored()?
            && let Some(l) = v.get("label").and_then(|l| l.as_str())
            && self.find(l).is_some()
        {
            return Ok(Some(l.to_string()));
        }
        Ok(self.default.clone().filter(|d| self.find(d).is_some()))
    }

    /// The selected option's value.
    pub fn value(&self) -> Result<Option<String>> {
        Ok(self
            .selected_label()?
            .and_then(|l| self.find(&l).map(|(_, v)| v.clone())))
    }

    /// Selects the option with this label.
    pub fn set_value(&self, label: &str) -> Result<()> {
        if self.find(label).is_none() {
            return Err(Error::invalid(
                format!("SelectItem option '{}'", label.escape_debug()),
                format!("not one of {}", label_list(&self.options)),
            ));
        }
        self.core.save(&serde_json::json!({ "label": label }))
    }

    /// Forgets the stored choice.
    pub fn reset(&self) -> Result<()> {
        self.core.clear()
    }
}

pub(crate) fn filter_box(h: &mut HtmlBuilder, placeholder: &str) {
    h.open("div", &[("class", "hb-w-row")]);
    h.open(
        "input",
        &[
            ("class", "hb-w-filter"),
            ("type", "search"),
            ("placeholder", placeholder),
            ("disabled", ""),
        ],
    );
    h.close("div");
}

pub(crate) fn list_box(
    h: &mut HtmlBuilder,
    class: &'static str,
    rows: usize,
    items: &[(&str, &str)],
    selected: Option<&str>,
) {
    let rows = rows.to_string();
    h.open(
        "select",
        &[("class", class), ("size", &rows), ("disabled", "")],
    );
    for (value, text) in items {
        let mut attrs: Vec<(&'static str, &str)> = vec![("value", value)];
        if Some(*value) == selected {
            attrs.push(("selected", ""));
        }
        h.element("option", &attrs, text);
    }
    h.close("select");
}

impl NotebookDisplay for SelectItem {
    fn to_html(&self) -> String {
        let sel = self.selected_label().ok().flatten();
        let mut h = HtmlBuilder::new();
        filter_box(&mut h, "Filter items");
        let items: Vec<(&str, &str)> = self
            .options
            .iter()
            .map(|(l, _)| (l.as_str(), l.as_str()))
            .collect();
        list_box(&mut h, "hb-w-list", self.rows, &items, sel.as_deref());
        self.core.render(&self.label, &h, serde_json::json!({}))
    }

    fn to_text(&self) -> String {
        match self.selected_label() {
            Ok(Some(l)) => format!("{}: {l}", self.label),
            Ok(None) => format!(
                "{}: (nothing selected) of {}",
                self.label,
                label_list(&self.options)
            ),
            Err(e) => format!("{}: {e}", self.label),
        }
    }
}

/// Picks a subset: two lists and buttons to move items between them
/// (MSTICPy's `SelectSubset`).
///
/// ```
/// use huntbook::widgets::{SelectSubset, WidgetStore};
/// let dir = std::env::temp_dir().join(format!("hb-doc-ss-{}", std::process::id()));
/// let cols = SelectSubset::new(["Account", "Computer", "CommandLine"])
///     .default_selected(["Computer"])
///     .store(WidgetStore::at(&dir)?);
/// assert_eq!(cols.value()?, vec!["Computer".to_string()]);
/// cols.set_selected(["CommandLine", "Account"])?;
/// assert_eq!(cols.value()?, vec!["CommandLine".to_string(), "Account".to_string()]);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), huntbook::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SelectSubset {
    core: Core,
    label: String,
    options: Vec<(String, String)>,
    default: Vec<String>,
    rows: usize,
}

impl SelectSubset {
    /// Items whose values are their labels.
    pub fn new<I, S>(items: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::build(
            items
                .into_iter()
                .map(|s| {
                    let s = s.into();
                    (s.clone(), s)
                })
                .collect(),
        )
    }

    /// Labels standing for values (MSTICPy's dict items).
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self::build(
            pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    fn build(options: Vec<(String, String)>) -> Self {
        let mut s = Self {
            core: Core::new("selectsubset", &[]),
            label: "Select items".to_string(),
            options,
            default: Vec::new(),
            rows: 8,
        };
        s.rekey();
        s
    }

    fn rekey(&mut self) {
        let parts = id_parts(&self.label, &self.options);
        let mut core = self.core.clone();
        core.rekey(&parts);
        self.core = core;
    }

    /// The description.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self.rekey();
        self
    }

    /// Items selected until the analyst changes them (unknown labels ignored).
    pub fn default_selected<I, S>(mut self, labels: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.default = labels.into_iter().map(Into::into).collect();
        self
    }

    /// Rows of each list (default 8).
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

    fn known(&self, labels: impl IntoIterator<Item = String>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for l in labels {
            if self.options.iter().any(|(o, _)| *o == l) && !out.contains(&l) {
                out.push(l);
            }
        }
        out
    }

    /// Labels of the selected items, in the order they were chosen.
    pub fn selected_labels(&self) -> Result<Vec<String>> {
        if let Some(v) = self.core.stored()?
            && let Some(list) = v.get("selected").and_then(|l| l.as_array())
        {
            let labels = list.iter().filter_map(|x| x.as_str().map(str::to_string));
            return Ok(self.known(labels));
        }
        Ok(self.known(self.default.clone()))
    }

    /// Values of the selected items.
    pub fn value(&self) -> Result<Vec<String>> {
        Ok(self
            .selected_labels()?
            .iter()
            .filter_map(|l| {
                self.options
                    .iter()
                    .find(|(o, _)| o == l)
                    .map(|(_, v)| v.clone())
            })
            .collect())
    }

    /// Sets the selection; every label must be an item.
    pub fn set_selected<I, S>(&self, labels: I) -> Result<()>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let labels: Vec<String> = labels.into_iter().map(Into::into).collect();
        if let Some(bad) = labels
            .iter()
            .find(|l| !self.options.iter().any(|(o, _)| o == *l))
        {
            return Err(Error::invalid(
                format!("SelectSubset item '{}'", bad.escape_debug()),
                format!("not one of {}", label_list(&self.options)),
            ));
        }
        self.core.save(&serde_json::json!({ "selected": labels }))
    }

    /// Forgets the stored selection.
    pub fn reset(&self) -> Result<()> {
        self.core.clear()
    }
}

impl NotebookDisplay for SelectSubset {
    fn to_html(&self) -> String {
        let chosen = self.selected_labels().unwrap_or_default();
        let src: Vec<(&str, &str)> = self
            .options
            .iter()
            .filter(|(l, _)| !chosen.contains(l))
            .map(|(l, _)| (l.as_str(), l.as_str()))
            .collect();
        let dst: Vec<(&str, &str)> = chosen.iter().map(|l| (l.as_str(), l.as_str())).collect();
        let mut h = HtmlBuilder::new();
        filter_box(&mut h, "Filter items");
        h.open("div", &[("class", "hb-ss-cols")]);
        h.open("div", &[]).element("div", &[], "Items");
        let mut src_box = HtmlBuilder::new();
        list_box(&mut src_box, "hb-ss-src", self.rows, &src, None);
        h.fragment(&src_box).close("div");
        h.open("div", &[("class", "hb-ss-btns")]);
        for (class, text) in [
            ("hb-ss-add", "Add >"),
            ("hb-ss-addall", "Add all >>"),
            ("hb-ss-del", "< Remove"),
            ("hb-ss-delall", "<< Remove all"),
        ] {
            h.element(
                "button",
                &[("class", class), ("type", "button"), ("disabled", "")],
                text,
            );
        }
        h.close("div");
        h.open("div", &[]).element("div", &[], "Selected");
        let mut dst_box = HtmlBuilder::new();
        list_box(&mut dst_box, "hb-ss-dst", self.rows, &dst, None);
        h.fragment(&dst_box).close("div");
        h.close("div");
        self.core.render(&self.label, &h, serde_json::json!({}))
    }

    fn to_text(&self) -> String {
        match self.selected_labels() {
            Ok(l) => format!("{}: [{}]", self.label, l.join(", ")),
            Err(e) => format!("{}: {e}", self.label),
        }
    }
}

/// A row of buttons; the value is the clicked button's text, lower-cased
/// (MSTICPy's `OptionButtons`, default buttons Yes / No / Cancel).
///
/// MSTICPy's timeout mode (`await display_async()`) waits for a click inside
/// the running cell; the evcxr kernel runs one cell at a time, so huntbook
/// has no timeout: until a click, [`value`](OptionButtons::value) is the
/// explicit default, if any.
#[derive(Debug, Clone)]
pub struct OptionButtons {
    core: Core,
    label: String,
    buttons: Vec<String>,
    default: Option<String>,
}

impl Default for OptionButtons {
    fn default() -> Self {
        Self::new(Vec::<String>::new())
    }
}

impl OptionButtons {
    /// Buttons with these texts (none: Yes, No, Cancel).
    pub fn new<I, S>(buttons: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut buttons: Vec<String> = buttons.into_iter().map(Into::into).collect();
        if buttons.is_empty() {
            buttons = vec!["Yes".into(), "No".into(), "Cancel".into()];
        }
        let mut s = Self {
            core: Core::new("optionbuttons", &[]),
            label: "Select an option to continue".to_string(),
            buttons,
            default: None,
        };
        s.rekey();
        s
    }

    fn rekey(&mut self) {
        let mut parts: Vec<&str> = vec![self.label.as_str()];
        parts.extend(self.buttons.iter().map(String::as_str));
        let mut core = self.core.clone();
        core.rekey(&parts);
        self.core = core;
    }

    /// The description above the buttons.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self.rekey();
        self
    }

    /// The value before any click (lower-cased when read).
    pub fn default_choice(mut self, button: impl Into<String>) -> Self {
        self.default = Some(button.into());
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

    fn find(&self, text: &str) -> Option<&String> {
        self.buttons
            .iter()
            .find(|b| b.to_lowercase() == text.to_lowercase())
    }

    /// The clicked button's text, lower-cased; else the default; else `None`.
    pub fn value(&self) -> Result<Option<String>> {
        if let Some(v) = self.core.stored()?
            && let Some(b) = v
                .get("value")
                .and_then(|b| b.as_str())
                .and_then(|b| self.find(b))
        {
            return Ok(Some(b.to_lowercase()));
        }
        Ok(self.default.as_ref().map(|d| d.to_lowercase()))
    }

    /// Clicks a button (any case).
    pub fn set_value(&self, button: &str) -> Result<()> {
        let Some(b) = self.find(button) else {
            return Err(Error::invalid(
                format!("OptionButtons button '{}'", button.escape_debug()),
                format!("not one of [{}]", self.buttons.join(", ")),
            ));
        };
        self.core.save(&serde_json::json!({ "value": b }))
    }

    /// Forgets the click.
    pub fn reset(&self) -> Result<()> {
        self.core.clear()
    }
}

impl NotebookDisplay for OptionButtons {
    fn to_html(&self) -> String {
        let value = self.value().ok().flatten();
        let mut h = HtmlBuilder::new();
        h.open("div", &[("class", "hb-w-row")]);
        for b in &self.buttons {
            let pressed = if value.as_deref() == Some(b.to_lowercase().as_str()) {
                "true"
            } else {
                "false"
            };
            h.element(
                "button",
                &[
                    ("class", "hb-ob-btn"),
                    ("type", "button"),
                    ("value", b),
                    ("aria-pressed", pressed),
                    ("disabled", ""),
                ],
                b,
            );
        }
        h.text(" value: ");
        h.element(
            "span",
            &[("class", "hb-ob-chosen hb-w-value")],
            value.as_deref().unwrap_or("(none)"),
        );
        h.close("div");
        self.core.render(&self.label, &h, serde_json::json!({}))
    }

    fn to_text(&self) -> String {
        match self.value() {
            Ok(v) => format!(
                "{} [{}]: {}",
                self.label,
                self.buttons.join(" | "),
                v.as_deref().unwrap_or("(none)")
            ),
            Err(e) => format!("{}: {e}", self.label),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(name: &str) -> WidgetStore {
        let dir = std::env::temp_dir().join(format!("hb-sel-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        WidgetStore::at(dir).unwrap()
    }

    #[test]
    fn hostile_stored_values_fall_back() {
        let s = store("hostile");
        let sel = SelectItem::new(["a", "b"]).selected("a").store(s.clone());
        s.put(sel.widget_id(), &serde_json::json!({"label": "<script>"}))
            .unwrap();
        assert_eq!(sel.value().unwrap().as_deref(), Some("a"));
        s.put(sel.widget_id(), &serde_json::json!(["not", "an", "object"]))
            .unwrap();
        assert_eq!(sel.value().unwrap().as_deref(), Some("a"));
        let ob = OptionButtons::default().store(s.clone());
        s.put(ob.widget_id(), &serde_json::json!({"value": "CANCEL"}))
            .unwrap();
        assert_eq!(ob.value().unwrap().as_deref(), Some("cancel"));
        s.put(ob.widget_id(), &serde_json::json!({"value": "rm -rf"}))
            .unwrap();
        assert_eq!(ob.value().unwrap(), None);
        std::fs::remove_dir_all(s.dir()).ok();
    }

    #[test]
    fn ids_follow_options() {
        let a = SelectItem::new(["a", "b"]);
        let b = SelectItem::new(["a", "b"]);
        let c = SelectItem::new(["a", "c"]);
        assert_eq!(a.widget_id(), b.widget_id());
        assert_ne!(a.widget_id(), c.widget_id());
        assert_eq!(
            SelectItem::new(["a"]).id("Pick Host").widget_id(),
            "pick-host"
        );
    }
}
