//! Notebook views: an entity card, an alert's entity graph (inline SVG),
//! and a list of entities as a table.

use super::{Alert, Entity, EntityType};
use crate::display::NotebookDisplay;
use crate::error::{PolarsContext, Result};
use crate::vis::html::HtmlBuilder;
use crate::vis::table::{TableOptions, table_html, table_text};
use polars::prelude::*;
use serde_json::Value;

const CARD_CSS: &str = "<style>.hb-entity{font-family:var(--jp-ui-font-family,sans-serif);font-size:12px;border:1px solid #bbb;border-radius:6px;padding:6px 10px;margin:4px 0;max-width:60em}\
.hb-entity h4{margin:0 0 4px 0;font-size:13px}.hb-entity .hb-etype{color:#fff;background:#4a6fa5;border-radius:3px;padding:0 5px;margin-right:6px;font-size:11px}\
.hb-entity table{border-collapse:collapse}.hb-entity td{padding:1px 8px 1px 0;vertical-align:top;white-space:pre-wrap}.hb-entity td.k{color:#555;font-weight:bold}</style>";

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn nested_description(key: &str, v: &Value) -> String {
    let mut v = v.clone();
    if let Value::Object(m) = &mut v
        && !m.contains_key("Type")
    {
        let ty = match key {
            "Host" => "host",
            "Account" => "account",
            "ImageFile" | "File" => "file",
            "ParentProcess" => "process",
            "LogonSession" => "host-logon-session",
            "Location" => "geolocation",
            "Key" => "registry-key",
            _ => "ip",
        };
        m.insert("Type".into(), Value::String(ty.into()));
    }
    Entity::from_json(&v)
        .map(|e| format!("{}: {}", e.entity_type(), e.description()))
        .unwrap_or_else(|_| v.to_string())
}

fn card(b: &mut HtmlBuilder, e: &Entity) {
    b.open("div", &[("class", "hb-entity")]);
    b.open("h4", &[]);
    b.element("span", &[("class", "hb-etype")], e.entity_type().name());
    b.text(&e.description());
    b.close("h4");
    b.open("table", &[]);
    if let Value::Object(m) = e.to_json() {
        for (k, v) in &m {
            if k == "Type" || k == "Entities" || v.is_null() {
                continue;
            }
            let text = match v {
                Value::Object(_) => nested_description(k, v),
                Value::Array(items) => items
                    .iter()
                    .map(|i| {
                        if i.is_object() {
                            nested_description(k, i)
                        } else {
                            scalar_text(i)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                other => scalar_text(other),
            };
            b.open("tr", &[]);
            b.element("td", &[("class", "k")], k);
            b.element("td", &[], &text);
            b.close("tr");
        }
    }
    b.close("table");
    b.close("div");
}

fn card_text(e: &Entity) -> String {
    let mut out = format!("{}: {}\n", e.entity_type().name(), e.description());
    if let Value::Object(m) = e.to_json() {
        for (k, v) in &m {
            if k == "Type" || k == "Entities" || v.is_null() {
                continue;
            }
            let text = if v.is_object() {
                nested_description(k, v)
            } else {
                scalar_text(v)
            };
            out.push_str(&format!("  {k}: {text}\n"));
        }
    }
    out
}

/// Identities of the entities an entity links to (a process's host,
/// account, parent and image; an account's host; a session's host and account).
fn links(e: &Entity) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |x: Option<Entity>| {
        if let Some(x) = x {
            out.push(x.identity());
        }
    };
    match e {
        Entity::Process(p) => {
            push(p.host.as_deref().cloned().map(Entity::Host));
            push(p.account.as_deref().cloned().map(Entity::Account));
            push(p.parent_process.as_deref().cloned().map(Entity::Process));
            push(p.image_file.as_deref().cloned().map(Entity::File));
        }
        Entity::Account(a) => push(a.host.as_deref().cloned().map(Entity::Host)),
        Entity::HostLogonSession(l) => {
            push(l.host.as_deref().cloned().map(Entity::Host));
            push(l.account.as_deref().cloned().map(Entity::Account));
        }
        Entity::Malware(m) => push(m.file.as_deref().cloned().map(Entity::File)),
        _ => {}
    }
    out
}

fn colour(t: EntityType) -> &'static str {
    match t {
        EntityType::Host => "#4a6fa5",
        EntityType::Account => "#2e8b57",
        EntityType::IpAddress => "#d2691e",
        EntityType::Process => "#8a2be2",
        EntityType::File | EntityType::FileHash => "#708090",
        EntityType::Url | EntityType::Dns => "#b8860b",
        EntityType::Alert => "#c0392b",
        _ => "#607d8b",
    }
}

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// An SVG graph of an alert and its entities: the alert in the middle,
/// its entities around it, and edges where one entity names another.
pub(crate) fn alert_graph(b: &mut HtmlBuilder, alert: &Alert) {
    let n = alert.entities.len().max(1);
    let (w, h) = (760.0_f64, 420.0_f64);
    let (cx, cy, r) = (w / 2.0, h / 2.0, 160.0_f64);
    let pos: Vec<(f64, f64)> = (0..alert.entities.len())
        .map(|i| {
            let a = std::f64::consts::TAU * i as f64 / n as f64 - std::f64::consts::FRAC_PI_2;
            (cx + 1.7 * r * a.cos(), cy + r * a.sin())
        })
        .collect();
    let ids: Vec<String> = alert.entities.iter().map(Entity::identity).collect();
    let f = |x: f64| format!("{x:.1}");
    let (ws, hs) = (f(w), f(h));
    let vb = format!("0 0 {ws} {hs}");
    b.open(
        "svg",
        &[
            ("xmlns", "http://www.w3.org/2000/svg"),
            ("width", &ws),
            ("height", &hs),
            ("viewBox", &vb),
            ("font-size", "11"),
            ("font-family", "sans-serif"),
        ],
    );
    for (i, (x, y)) in pos.iter().enumerate() {
        let (x1, y1, x2, y2) = (f(cx), f(cy), f(*x), f(*y));
        b.open(
            "line",
            &[
                ("x1", &x1),
                ("y1", &y1),
                ("x2", &x2),
                ("y2", &y2),
                ("stroke", "#ccc"),
            ],
        )
        .close("line");
        if let Some(e) = alert.entities.get(i) {
            for target in links(e) {
                if let Some(j) = ids.iter().position(|id| *id == target)
                    && let Some((tx, ty)) = pos.get(j)
                {
                    let (tx, ty) = (f(*tx), f(*ty));
                    b.open(
                        "line",
                        &[
                            ("x1", &x2),
                            ("y1", &y2),
                            ("x2", &tx),
                            ("y2", &ty),
                            ("stroke", "#888"),
                            ("stroke-dasharray", "4 2"),
                        ],
                    )
                    .close("line");
                }
            }
        }
    }
    let (x, y) = (f(cx), f(cy));
    b.open(
        "circle",
        &[
            ("cx", &x),
            ("cy", &y),
            ("r", "22"),
            ("fill", colour(EntityType::Alert)),
        ],
    )
    .close("circle");
    let ty = f(cy + 36.0);
    let title = alert.display_name.clone().unwrap_or_else(|| "Alert".into());
    b.element(
        "text",
        &[
            ("x", &x),
            ("y", &ty),
            ("text-anchor", "middle"),
            ("font-weight", "bold"),
        ],
        &shorten(&title, 60),
    );
    for (e, (px, py)) in alert.entities.iter().zip(&pos) {
        let (x, y) = (f(*px), f(*py));
        b.open("g", &[]);
        b.element(
            "title",
            &[],
            &format!("{}: {}", e.entity_type(), e.description()),
        );
        b.open(
            "circle",
            &[
                ("cx", &x),
                ("cy", &y),
                ("r", "14"),
                ("fill", colour(e.entity_type())),
            ],
        )
        .close("circle");
        let y1 = f(py + 26.0);
        let y2 = f(py + 39.0);
        b.element(
            "text",
            &[
                ("x", &x),
                ("y", &y1),
                ("text-anchor", "middle"),
                ("font-weight", "bold"),
            ],
            e.entity_type().name(),
        );
        b.element(
            "text",
            &[("x", &x), ("y", &y2), ("text-anchor", "middle")],
            &shorten(&e.description(), 34),
        );
        b.close("g");
    }
    b.close("svg");
}

impl NotebookDisplay for Entity {
    /// A card with the entity's properties; an alert adds the graph of its
    /// entities and a card for each.
    fn to_html(&self) -> String {
        let mut b = HtmlBuilder::new();
        b.raw(CARD_CSS);
        b.open("div", &[]);
        card(&mut b, self);
        if let Entity::Alert(a) = self
            && !a.entities.is_empty()
        {
            alert_graph(&mut b, a);
            for e in &a.entities {
                card(&mut b, e);
            }
        }
        b.close("div");
        b.finish()
    }

    fn to_text(&self) -> String {
        let mut out = card_text(self);
        if let Entity::Alert(a) = self {
            for e in &a.entities {
                out.push_str(&card_text(e));
            }
        }
        out
    }
}

impl NotebookDisplay for Alert {
    fn to_html(&self) -> String {
        Entity::Alert(self.clone()).to_html()
    }
    fn to_text(&self) -> String {
        Entity::Alert(self.clone()).to_text()
    }
}

/// A list of entities: displays as a table (`Type`, `Description`,
/// `Identity`), converts to a frame, filters by type, merges duplicates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entities(pub Vec<Entity>);

impl Entities {
    /// Wraps a list.
    pub fn new(items: Vec<Entity>) -> Self {
        Self(items)
    }

    /// The entities.
    pub fn items(&self) -> &[Entity] {
        &self.0
    }

    /// The entities of one type.
    pub fn of_type(&self, t: EntityType) -> Vec<&Entity> {
        self.0.iter().filter(|e| e.entity_type() == t).collect()
    }

    /// One entity per identity, views of the same entity merged (first
    /// seen wins where both have a value), in first-seen order.
    pub fn dedup(&self) -> Result<Entities> {
        let mut out: Vec<Entity> = Vec::new();
        for e in &self.0 {
            match out.iter_mut().find(|o| o.same_as(e)) {
                Some(o) => *o = o.merge(e)?,
                None => out.push(e.clone()),
            }
        }
        Ok(Entities(out))
    }

    /// `Type`, `Description`, `Identity` and the entity JSON (`Json`).
    pub fn df(&self) -> Result<DataFrame> {
        let t: Vec<&str> = self.0.iter().map(|e| e.entity_type().name()).collect();
        let d: Vec<String> = self.0.iter().map(Entity::description).collect();
        let i: Vec<String> = self.0.iter().map(Entity::identity).collect();
        let j: Vec<String> = self.0.iter().map(|e| e.to_json().to_string()).collect();
        df!("Type" => t, "Description" => d, "Identity" => i, "Json" => j)
            .ctx("building the entity table")
    }
}

impl NotebookDisplay for Entities {
    fn to_html(&self) -> String {
        match self.df() {
            Ok(df) => table_html(
                &df.drop("Json").unwrap_or(df),
                &TableOptions::new()
                    .max_rows(200)
                    .caption(format!("{} entities", self.0.len())),
            ),
            Err(e) => {
                let mut b = HtmlBuilder::new();
                b.element("pre", &[], &e.to_string());
                b.finish()
            }
        }
    }
    fn to_text(&self) -> String {
        match self.df() {
            Ok(df) => table_text(&df.drop("Json").unwrap_or(df)),
            Err(e) => e.to_string(),
        }
    }
}
