//! Charts for event clusters and outlier scores (plotly, offline).
//!
//! - [`ClusterChart`]: clusters in two of the clustered features, one
//!   marker per cluster (sized by cluster size) and one per noise event,
//!   with a tooltip naming the cluster, its size, a label column and the
//!   feature values.
//! - [`OutlierChart`]: outlier scores by row with the threshold line, or two
//!   feature columns with the outliers marked.
//!
//! Every data string in a tooltip or name is HTML-escaped (plotly renders
//! hover text as markup).
//!
//! ```
//! use huntbook::prelude::*;
//! let df = df!("a" => [1.0, 1.0, 9.0], "b" => [2.0, 2.0, 0.5], "name" => ["x", "x", "<b>y</b>"]).unwrap();
//! let clusters = EventClusterer::new(["a", "b"]).normalize(false).cluster(&df)?;
//! let chart = clusters.chart("a", "b").label_column("name").build()?;
//! let json = chart.to_json()?;
//! assert!(json.contains("&lt;b&gt;y&lt;/b&gt;"));
//! # Ok::<(), huntbook::Error>(())
//! ```

use crate::analysis::cluster::EventClusters;
use crate::analysis::outliers::Outliers;
use crate::error::{Error, PolarsContext, Result};
use crate::vis::chart::Chart;
use crate::vis::html::escape;
use crate::vis::table::cell_text;
use polars::prelude::*;
use serde_json::{Value, json};

/// Most markers a chart draws per trace; beyond it rows are thinned evenly
/// (and the title says so).
pub const MAX_POINTS: usize = 20_000;

fn shorten(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn label_values(df: &DataFrame, column: Option<&str>) -> Result<Option<Vec<String>>> {
    let Some(name) = column else { return Ok(None) };
    let c = df
        .column(name)
        .map_err(|_| Error::column_not_found(name, "the chart's frame", df.get_column_names()))?;
    let s = c.as_materialized_series();
    Ok(Some(
        (0..s.len())
            .map(|i| {
                s.get(i)
                    .ok()
                    .and_then(|v| cell_text(&v))
                    .map(|t| shorten(&t, 120))
                    .unwrap_or_default()
            })
            .collect(),
    ))
}

fn thin(idx: Vec<usize>) -> (Vec<usize>, bool) {
    if idx.len() <= MAX_POINTS {
        return (idx, false);
    }
    let step = idx.len().div_ceil(MAX_POINTS);
    (idx.into_iter().step_by(step).collect(), true)
}

fn layout(title: &str, x: &str, y: &str) -> Value {
    json!({
        "title": {"text": escape(title)},
        "xaxis": {"title": {"text": escape(x)}, "zeroline": false},
        "yaxis": {"title": {"text": escape(y)}, "zeroline": false},
        "hovermode": "closest",
        "height": 520,
        "legend": {"orientation": "h"},
    })
}

/// Clusters in two chosen features (see the module docs).
#[derive(Debug, Clone)]
pub struct ClusterChart<'a> {
    clusters: &'a EventClusters,
    x: String,
    y: String,
    label: Option<String>,
    title: Option<String>,
}

impl EventClusters {
    /// A chart of the clusters in two of the clustered features.
    pub fn chart(&self, x_feature: &str, y_feature: &str) -> ClusterChart<'_> {
        ClusterChart::new(self, x_feature, y_feature)
    }
}

impl<'a> ClusterChart<'a> {
    /// Clusters in features `x` and `y` (names of clustered feature columns).
    pub fn new(clusters: &'a EventClusters, x: &str, y: &str) -> Self {
        Self {
            clusters,
            x: x.to_string(),
            y: y.to_string(),
            label: None,
            title: None,
        }
    }

    /// A column shown in each tooltip (e.g. `processName`, `CommandLine`).
    pub fn label_column(mut self, column: &str) -> Self {
        self.label = Some(column.to_string());
        self
    }

    /// The chart title.
    pub fn title(mut self, title: &str) -> Self {
        self.title = Some(title.to_string());
        self
    }

    fn feature_index(&self, name: &str) -> Result<usize> {
        self.clusters
            .feature_columns()
            .iter()
            .position(|c| c == name)
            .ok_or_else(|| {
                Error::invalid(
                    format!("chart feature '{name}'"),
                    format!(
                        "not one of the clustered features [{}]",
                        self.clusters.feature_columns().join(", ")
                    ),
                )
            })
    }

    /// Builds the chart.
    pub fn build(&self) -> Result<Chart> {
        let kx = self.feature_index(&self.x)?;
        let ky = self.feature_index(&self.y)?;
        // fresh: the result may come from an earlier notebook cell
        let df = &crate::data::fresh(self.clusters.df());
        let labels = label_values(df, self.label.as_deref())?;
        let ids = df
            .column("ClusterId")
            .ctx("chart")?
            .i64()
            .ctx("chart")?
            .clone();
        let sizes = df
            .column("ClusterSize")
            .ctx("chart")?
            .i64()
            .ctx("chart")?
            .clone();
        let src = self.clusters.summary_source_rows();
        let norm = if self.clusters.normalized() {
            " (L2-normalised)"
        } else {
            ""
        };
        let (noise, clustered): (Vec<usize>, Vec<usize>) =
            (0..df.height()).partition(|&i| ids.get(i).unwrap_or(-1) < 0);
        let mut traces = Vec::new();
        let mut thinned = false;
        for (rows, is_noise) in [(clustered, false), (noise, true)] {
            let (rows, t) = thin(rows);
            thinned |= t;
            let (mut xs, mut ys, mut text, mut size) = (vec![], vec![], vec![], vec![]);
            for i in rows {
                let (Some(xv), Some(yv)) = (
                    self.clusters.feature_value(src[i], kx),
                    self.clusters.feature_value(src[i], ky),
                ) else {
                    continue;
                };
                let id = ids.get(i).unwrap_or(-1);
                let n = sizes.get(i).unwrap_or(1).max(1);
                xs.push(xv);
                ys.push(yv);
                size.push(if is_noise {
                    9.0
                } else {
                    (8.0 + 6.0 * (n as f64).log2()).min(60.0)
                });
                let mut tip = if is_noise {
                    String::from("noise (unclustered event)")
                } else {
                    format!("cluster {id}: {n} events")
                };
                if let Some(l) = &labels {
                    tip.push_str("<br>");
                    tip.push_str(&escape(&l[i]));
                }
                tip.push_str(&format!(
                    "<br>{}: {xv:.6}<br>{}: {yv:.6}",
                    escape(&self.x),
                    escape(&self.y)
                ));
                text.push(tip);
            }
            let gl = xs.len() > 5000;
            traces.push(if is_noise {
                json!({"type": if gl {"scattergl"} else {"scatter"}, "mode": "markers", "name": "noise",
                       "x": xs, "y": ys, "text": text, "hovertemplate": "%{text}<extra></extra>",
                       "marker": {"symbol": "x", "size": size, "color": "#d62728"}})
            } else {
                json!({"type": if gl {"scattergl"} else {"scatter"}, "mode": "markers", "name": "clusters",
                       "x": xs, "y": ys, "text": text, "hovertemplate": "%{text}<extra></extra>",
                       "marker": {"size": size, "color": "#1f77b4", "opacity": 0.55,
                                  "line": {"width": 1, "color": "#0b3d66"}}})
            });
        }
        let mut title = self.title.clone().unwrap_or_else(|| {
            format!(
                "{} clusters, {} noise events",
                self.clusters.cluster_count(),
                self.clusters.noise_count()
            )
        });
        if thinned {
            title.push_str(&format!(" (thinned to ≤{MAX_POINTS} markers per trace)"));
        }
        let fig = json!({"data": traces, "layout": layout(&title, &format!("{}{norm}", self.x), &format!("{}{norm}", self.y))});
        Ok(Chart::from_json(fig)?.with_title(title))
    }
}

/// Outlier scores (see the module docs).
#[derive(Debug, Clone)]
pub struct OutlierChart<'a> {
    outliers: &'a Outliers,
    features: Option<(String, String)>,
    label: Option<String>,
    title: Option<String>,
}

impl Outliers {
    /// A chart of the scores by row, with the threshold.
    pub fn chart(&self) -> OutlierChart<'_> {
        OutlierChart::new(self)
    }
}

impl<'a> OutlierChart<'a> {
    /// Scores by row.
    pub fn new(outliers: &'a Outliers) -> Self {
        Self {
            outliers,
            features: None,
            label: None,
            title: None,
        }
    }

    /// Plot two numeric columns instead, outliers marked.
    pub fn features(mut self, x: &str, y: &str) -> Self {
        self.features = Some((x.to_string(), y.to_string()));
        self
    }

    /// A column shown in each tooltip.
    pub fn label_column(mut self, column: &str) -> Self {
        self.label = Some(column.to_string());
        self
    }

    /// The chart title.
    pub fn title(mut self, title: &str) -> Self {
        self.title = Some(title.to_string());
        self
    }

    fn numbers(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
        let c = df.column(name).map_err(|_| {
            Error::column_not_found(name, "the scored frame", df.get_column_names())
        })?;
        let s = c
            .as_materialized_series()
            .cast(&DataType::Float64)
            .ctx(format!("reading '{name}' for the chart"))?;
        Ok(s.f64().ctx("chart")?.iter().collect())
    }

    /// Builds the chart.
    pub fn build(&self) -> Result<Chart> {
        // fresh: the result may come from an earlier notebook cell
        let df = &crate::data::fresh(self.outliers.df());
        let scores = Self::numbers(df, "OutlierScore")?;
        let flags: Vec<bool> = df
            .column("IsOutlier")
            .ctx("chart")?
            .bool()
            .ctx("chart")?
            .iter()
            .map(|b| b.unwrap_or(false))
            .collect();
        let labels = label_values(df, self.label.as_deref())?;
        let (xs_all, ys_all, xname, yname) = match &self.features {
            Some((x, y)) => (
                Self::numbers(df, x)?,
                Self::numbers(df, y)?,
                x.clone(),
                y.clone(),
            ),
            None => (
                (0..df.height()).map(|i| Some(i as f64)).collect(),
                scores.clone(),
                "row".to_string(),
                "OutlierScore".to_string(),
            ),
        };
        let (out_rows, in_rows): (Vec<usize>, Vec<usize>) =
            (0..df.height()).partition(|&i| flags[i]);
        let mut traces = Vec::new();
        let mut thinned = false;
        for (rows, is_out) in [(in_rows, false), (out_rows, true)] {
            let (rows, t) = thin(rows);
            thinned |= t;
            let (mut xs, mut ys, mut text) = (vec![], vec![], vec![]);
            for i in rows {
                let (Some(x), Some(y)) = (xs_all[i], ys_all[i]) else {
                    continue;
                };
                xs.push(x);
                ys.push(y);
                let mut tip = format!("row {i}<br>score {:.4}", scores[i].unwrap_or(f64::NAN));
                if let Some(l) = &labels {
                    tip.push_str("<br>");
                    tip.push_str(&escape(&l[i]));
                }
                text.push(tip);
            }
            let ty = if xs.len() > 5000 {
                "scattergl"
            } else {
                "scatter"
            };
            traces.push(if is_out {
                json!({"type": ty, "mode": "markers", "name": "outliers", "x": xs, "y": ys, "text": text,
                       "hovertemplate": "%{text}<extra></extra>",
                       "marker": {"symbol": "x", "size": 11, "color": "#d62728"}})
            } else {
                json!({"type": ty, "mode": "markers", "name": "inliers", "x": xs, "y": ys, "text": text,
                       "hovertemplate": "%{text}<extra></extra>",
                       "marker": {"size": 6, "color": "#7f7f7f", "opacity": 0.6}})
            });
        }
        let mut lay = layout(
            &self
                .title
                .clone()
                .unwrap_or_else(|| self.outliers.description()),
            &xname,
            &yname,
        );
        if self.features.is_none() {
            lay["shapes"] = json!([{"type": "line", "xref": "paper", "x0": 0, "x1": 1,
                "y0": self.outliers.threshold(), "y1": self.outliers.threshold(),
                "line": {"color": "#d62728", "dash": "dash", "width": 1}}]);
        }
        let mut title = self.title.clone().unwrap_or_else(|| {
            format!(
                "{} outliers of {} rows",
                self.outliers.outlier_count(),
                df.height()
            )
        });
        if thinned {
            title.push_str(&format!(" (thinned to ≤{MAX_POINTS} markers per trace)"));
        }
        lay["title"] = json!({"text": escape(&title)});
        Ok(Chart::from_json(json!({"data": traces, "layout": lay}))?.with_title(title))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::cluster::EventClusterer;
    use crate::analysis::outliers::IsolationForest;

    #[test]
    fn cluster_chart_escapes_and_sizes() {
        let df = df!(
            "a" => [1.0, 1.0, 1.0, 1.0, 9.0],
            "b" => [2.0, 2.0, 2.0, 2.0, 0.5],
            "n" => ["x", "x", "x", "x", "<script>alert(1)</script>"]
        )
        .unwrap();
        let c = EventClusterer::new(["a", "b"])
            .normalize(false)
            .cluster(&df)
            .unwrap();
        let chart = c.chart("a", "b").label_column("n").build().unwrap();
        let j = chart.figure_json().unwrap();
        assert_eq!(j["data"].as_array().unwrap().len(), 2);
        assert_eq!(j["data"][0]["marker"]["size"][0], json!(20.0)); // 8 + 6*log2(4)
        let s = chart.to_json().unwrap();
        assert!(!s.contains("<script>"));
        assert!(s.contains("&lt;script&gt;"));
        assert!(c.chart("a", "zz").build().is_err());
    }

    #[test]
    fn outlier_chart_has_threshold() {
        let df =
            df!("v" => (0..100).map(|i| if i == 50 { 1e6 } else { i as f64 }).collect::<Vec<_>>())
                .unwrap();
        let o = IsolationForest::new()
            .fit(&df, ["v"])
            .unwrap()
            .score(&df)
            .unwrap();
        let j = o.chart().build().unwrap().figure_json().unwrap();
        assert_eq!(j["layout"]["shapes"][0]["y0"], json!(o.threshold()));
        let j2 = o
            .chart()
            .features("v", "OutlierScore")
            .build()
            .unwrap()
            .figure_json()
            .unwrap();
        assert!(j2["layout"]["shapes"].is_null());
    }
}
