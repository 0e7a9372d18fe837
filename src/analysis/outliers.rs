//! Isolation-forest outlier scores (MSTICPy's `identify_outliers`).
//!
//! An isolation forest isolates points with random axis-parallel cuts: an
//! unusual point is cut off from the rest in few steps, a common one needs
//! many. [`IsolationForest`] fits on one frame's numeric feature columns
//! and [`OutlierModel::score`] scores any frame with the same columns,
//! adding `OutlierScore` (0–1, higher is more unusual; 2^(−E[h]/c(ψ)) as in
//! Liu, Ting and Zhou 2008) and `IsOutlier`.
//!
//! This is huntbook's own implementation of the algorithm scikit-learn uses
//! (extremely randomised trees on a subsample of ψ rows, depth limit
//! ⌈log2 ψ⌉, path length plus c(leaf size) at a leaf, each tree on a random
//! subset of `max_features` features), with MSTICPy's defaults: 100 trees,
//! ψ = `max_samples` = min(100, rows), `max_features` = ⌊√columns⌋,
//! contamination 0.05, fixed seed 42. The threshold is the training
//! scores' (1 − contamination) quantile (linear interpolation, as numpy's
//! `percentile`); a point scoring above it is an outlier. The random
//! generator is not numpy's, so individual scores differ from
//! scikit-learn's; the ranking of clear outliers is the same, and a given
//! seed always gives the same result.
//!
//! What it can and cannot see: each tree judges a point by how quickly
//! random cuts separate it from ψ sampled rows, so a value beyond the
//! sample's range isolates like the sample's own extreme value. With few
//! features per tree (⌊√3⌋ = 1 for three columns), a row unusual in a single
//! feature ranks with that feature's ordinary extremes; rows unusual in
//! several features rank first. Raise `max_features` or `max_samples` to
//! sharpen it on larger data.
//!
//! ```
//! use huntbook::prelude::*;
//! let mut bytes: Vec<f64> = (0..200).map(|i| 1000.0 + (i % 10) as f64).collect();
//! bytes.push(1_000_000.0); // one exfiltration-sized flow
//! let flows = df!("bytes" => &bytes).unwrap();
//! let model = IsolationForest::new().fit(&flows, ["bytes"])?;
//! let scored = model.score(&flows)?;
//! let top = scored.top(1)?;
//! assert_eq!(top.column("bytes").unwrap().f64().unwrap().get(0), Some(1_000_000.0));
//! # Ok::<(), huntbook::Error>(())
//! ```

use crate::analysis::cluster::feature_matrix;
use crate::display::NotebookDisplay;
use crate::error::{Error, PolarsContext, Result};
use crate::vis::html::HtmlBuilder;
use crate::vis::table::{TableOptions, table_html, table_text};
use polars::prelude::*;

/// SplitMix64: a small, well-mixed, seedable generator (deterministic
/// across platforms).
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 11) as u128 * n as u128) >> 53) as usize
    }

    /// `k` distinct indices of 0..n (Floyd's algorithm when k is small
    /// against n, else a partial Fisher-Yates shuffle).
    fn sample(&mut self, n: usize, k: usize) -> Vec<usize> {
        let k = k.min(n);
        if k.saturating_mul(8) < n {
            let mut chosen = std::collections::HashSet::with_capacity(k);
            let mut out = Vec::with_capacity(k);
            for j in (n - k)..n {
                let t = self.below(j + 1);
                let v = if chosen.contains(&t) { j } else { t };
                chosen.insert(v);
                out.push(v);
            }
            return out;
        }
        let mut idx: Vec<usize> = (0..n).collect();
        for i in 0..k {
            let j = i + self.below(n - i);
            idx.swap(i, j);
        }
        idx.truncate(k);
        idx
    }
}

/// c(n): the average path length of an unsuccessful binary-search-tree
/// search among n points (the normaliser of isolation depths).
fn average_path_length(n: usize) -> f64 {
    match n {
        0 | 1 => 0.0,
        2 => 1.0,
        _ => {
            let n = n as f64;
            2.0 * ((n - 1.0).ln() + 0.577_215_664_901_532_9) - 2.0 * (n - 1.0) / n
        }
    }
}

#[derive(Debug, Clone)]
enum Node {
    Split {
        feature: usize,
        threshold: f64,
        left: u32,
        right: u32,
    },
    Leaf {
        size: usize,
    },
}

#[derive(Debug, Clone)]
struct Tree {
    nodes: Vec<Node>,
}

impl Tree {
    fn build(
        x: &[f64],
        dims: usize,
        rows: &mut [usize],
        features: &[usize],
        max_depth: usize,
        rng: &mut Rng,
    ) -> Tree {
        let mut t = Tree { nodes: Vec::new() };
        t.grow(x, dims, rows, features, 0, max_depth, rng);
        t
    }

    #[allow(clippy::too_many_arguments)]
    fn grow(
        &mut self,
        x: &[f64],
        dims: usize,
        rows: &mut [usize],
        features: &[usize],
        depth: usize,
        max_depth: usize,
        rng: &mut Rng,
    ) -> u32 {
        let id = self.nodes.len() as u32;
        self.nodes.push(Node::Leaf { size: rows.len() });
        if rows.len() <= 1 || depth >= max_depth {
            return id;
        }
        // random feature order; the first non-constant one is cut
        let order = rng.sample(features.len(), features.len());
        for fi in order {
            let f = features[fi];
            let (lo, hi) = rows
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &r| {
                    let v = x[r * dims + f];
                    (lo.min(v), hi.max(v))
                });
            if hi <= lo {
                continue;
            }
            let mut threshold = lo + rng.unit() * (hi - lo);
            if threshold >= hi {
                threshold = lo;
            }
            // partition: v <= threshold goes left
            let mut i = 0;
            for j in 0..rows.len() {
                if x[rows[j] * dims + f] <= threshold {
                    rows.swap(i, j);
                    i += 1;
                }
            }
            let (l, r) = rows.split_at_mut(i);
            let left = self.grow(x, dims, l, features, depth + 1, max_depth, rng);
            let right = self.grow(x, dims, r, features, depth + 1, max_depth, rng);
            self.nodes[id as usize] = Node::Split {
                feature: f,
                threshold,
                left,
                right,
            };
            return id;
        }
        id
    }

    fn path_length(&self, point: &[f64]) -> f64 {
        let mut node = 0usize;
        let mut depth = 0.0;
        loop {
            match &self.nodes[node] {
                Node::Leaf { size } => return depth + average_path_length(*size),
                Node::Split {
                    feature,
                    threshold,
                    left,
                    right,
                } => {
                    node = if point[*feature] <= *threshold {
                        *left as usize
                    } else {
                        *right as usize
                    };
                    depth += 1.0;
                }
            }
        }
    }
}

/// Isolation-forest options. Defaults are MSTICPy's (see the module docs).
#[derive(Debug, Clone)]
pub struct IsolationForest {
    trees: usize,
    max_samples: Option<usize>,
    max_features: Option<usize>,
    contamination: f64,
    seed: u64,
}

impl Default for IsolationForest {
    fn default() -> Self {
        Self {
            trees: 100,
            max_samples: None,
            max_features: None,
            contamination: 0.05,
            seed: 42,
        }
    }
}

impl IsolationForest {
    /// MSTICPy's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of trees (default 100).
    pub fn trees(mut self, n: usize) -> Self {
        self.trees = n;
        self
    }

    /// Rows sampled per tree (default min(100, rows)); capped at the rows.
    pub fn max_samples(mut self, n: usize) -> Self {
        self.max_samples = Some(n);
        self
    }

    /// Features each tree may cut on (default ⌊√columns⌋, at least 1).
    pub fn max_features(mut self, n: usize) -> Self {
        self.max_features = Some(n);
        self
    }

    /// Expected share of outliers in the training data, in (0, 0.5]
    /// (default 0.05): it sets the score threshold.
    pub fn contamination(mut self, c: f64) -> Self {
        self.contamination = c;
        self
    }

    /// The random seed (default 42).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Fits a forest on the numeric (or boolean) feature `columns` of `train`.
    pub fn fit<I, S>(&self, train: &DataFrame, columns: I) -> Result<OutlierModel>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let columns: Vec<String> = columns.into_iter().map(Into::into).collect();
        if !(self.contamination > 0.0 && self.contamination <= 0.5) {
            return Err(Error::invalid(
                "option 'contamination'",
                format!("must be in (0, 0.5], got {}", self.contamination),
            ));
        }
        if self.trees == 0 {
            return Err(Error::invalid("option 'trees'", "must be at least 1"));
        }
        let train = crate::data::fresh(train);
        let x = feature_matrix(&train, &columns, "the training frame")?;
        let dims = columns.len();
        let n = train.height();
        if n == 0 {
            return Err(Error::invalid(
                "training frame",
                "has no rows: an isolation forest needs at least one",
            ));
        }
        let psi = self.max_samples.unwrap_or(100).clamp(1, n);
        let max_features = self
            .max_features
            .unwrap_or_else(|| (dims as f64).sqrt().floor() as usize)
            .clamp(1, dims);
        let max_depth = (psi as f64).log2().ceil().max(0.0) as usize;
        let mut rng = Rng(self.seed);
        let mut trees = Vec::with_capacity(self.trees);
        for _ in 0..self.trees {
            let features = rng.sample(dims, max_features);
            let mut rows = rng.sample(n, psi);
            trees.push(Tree::build(
                &x, dims, &mut rows, &features, max_depth, &mut rng,
            ));
        }
        let mut model = OutlierModel {
            trees,
            columns,
            psi,
            threshold: 0.0,
            contamination: self.contamination,
        };
        let mut train_scores = model.scores_of(&x);
        model.threshold = quantile(&mut train_scores, 1.0 - self.contamination);
        Ok(model)
    }
}

/// The q-quantile with linear interpolation (numpy's default).
fn quantile(v: &mut [f64], q: f64) -> f64 {
    if v.is_empty() {
        return 1.0;
    }
    v.sort_by(f64::total_cmp);
    let pos = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
}

/// A fitted isolation forest.
#[derive(Debug, Clone)]
pub struct OutlierModel {
    trees: Vec<Tree>,
    columns: Vec<String>,
    psi: usize,
    threshold: f64,
    contamination: f64,
}

impl OutlierModel {
    /// The feature columns the model uses.
    pub fn feature_columns(&self) -> &[String] {
        &self.columns
    }

    /// The score above which a point is an outlier.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    fn scores_of(&self, x: &[f64]) -> Vec<f64> {
        let dims = self.columns.len();
        let c = average_path_length(self.psi);
        // events repeat: score each distinct vector once
        let uniq = crate::analysis::cluster::dbscan::distinct(x, dims);
        let scores: Vec<f64> = uniq
            .points
            .chunks(dims)
            .map(|p| {
                let mean = self.trees.iter().map(|t| t.path_length(p)).sum::<f64>()
                    / self.trees.len() as f64;
                if c > 0.0 { 2f64.powf(-mean / c) } else { 0.5 }
            })
            .collect();
        uniq.row_to_point
            .iter()
            .map(|&p| scores[p as usize])
            .collect()
    }

    /// Scores every row of `df` (which needs the model's feature columns):
    /// a copy of `df` with `OutlierScore` and `IsOutlier`.
    pub fn score(&self, df: &DataFrame) -> Result<Outliers> {
        let df = crate::data::fresh(df);
        let x = if df.height() == 0 {
            Vec::new()
        } else {
            feature_matrix(&df, &self.columns, "the frame to score")?
        };
        let scores = self.scores_of(&x);
        let flags: Vec<bool> = scores.iter().map(|&s| s > self.threshold).collect();
        let mut out = df;
        out.with_column(Column::new("OutlierScore".into(), &scores))
            .ctx("adding OutlierScore")?;
        out.with_column(Column::new("IsOutlier".into(), &flags))
            .ctx("adding IsOutlier")?;
        Ok(Outliers {
            df: out,
            columns: self.columns.clone(),
            threshold: self.threshold,
            contamination: self.contamination,
        })
    }
}

/// Fits on `train` and scores `predict` with MSTICPy's defaults and the
/// given contamination (MSTICPy's `identify_outliers`).
pub fn identify_outliers<I, S>(
    train: &DataFrame,
    predict: &DataFrame,
    columns: I,
    contamination: f64,
) -> Result<Outliers>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    IsolationForest::new()
        .contamination(contamination)
        .fit(train, columns)?
        .score(predict)
}

/// Scored rows: the input with `OutlierScore` (higher is more unusual) and
/// `IsOutlier`.
#[derive(Debug, Clone)]
pub struct Outliers {
    df: DataFrame,
    columns: Vec<String>,
    threshold: f64,
    contamination: f64,
}

impl Outliers {
    /// The scored frame, in input order.
    pub fn df(&self) -> &DataFrame {
        &self.df
    }

    /// The scored frame, consuming the result.
    pub fn into_df(self) -> DataFrame {
        self.df
    }

    /// The score threshold.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The feature columns scored on.
    pub fn feature_columns(&self) -> &[String] {
        &self.columns
    }

    /// The number of rows flagged as outliers.
    pub fn outlier_count(&self) -> usize {
        crate::data::fresh(&self.df)
            .column("IsOutlier")
            .ok()
            .and_then(|c| c.bool().ok().map(|b| b.sum().unwrap_or(0) as usize))
            .unwrap_or(0)
    }

    /// The flagged rows, most unusual first.
    pub fn outliers(&self) -> Result<DataFrame> {
        crate::data::fresh(&self.df)
            .lazy()
            .filter(col("IsOutlier"))
            .sort(
                ["OutlierScore"],
                SortMultipleOptions::default().with_order_descending(true),
            )
            .collect()
            .ctx("selecting outliers")
    }

    /// The `n` highest-scoring rows, flagged or not.
    pub fn top(&self, n: usize) -> Result<DataFrame> {
        crate::data::fresh(&self.df)
            .sort(
                ["OutlierScore"],
                SortMultipleOptions::default()
                    .with_order_descending(true)
                    .with_maintain_order(true),
            )
            .map(|d| d.head(Some(n)))
            .ctx("sorting by OutlierScore")
    }

    /// One line: rows, outliers, threshold and features.
    pub fn description(&self) -> String {
        format!(
            "{} rows scored: {} outliers (score > {:.4}; contamination {}; features [{}])",
            self.df.height(),
            self.outlier_count(),
            self.threshold,
            self.contamination,
            self.columns.join(", ")
        )
    }
}

impl NotebookDisplay for Outliers {
    /// The description and the flagged rows, most unusual first.
    fn to_html(&self) -> String {
        let mut h = HtmlBuilder::new();
        h.element("p", &[], &self.description());
        let mut html = h.finish();
        match self.outliers() {
            Ok(df) => html.push_str(&table_html(&df, &TableOptions::default())),
            Err(e) => html.push_str(&crate::vis::html::escape(&e.to_string())),
        }
        html
    }

    fn to_text(&self) -> String {
        let table = self
            .outliers()
            .map(|d| table_text(&d))
            .unwrap_or_else(|e| e.to_string());
        format!("{}\n{}", self.description(), table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planted() -> DataFrame {
        let mut rng = Rng(1);
        let mut a = Vec::new();
        let mut b = Vec::new();
        for _ in 0..500 {
            a.push(10.0 + rng.unit());
            b.push(5.0 + rng.unit());
        }
        // three planted outliers, unusual in both features (with ⌊√2⌋ = 1
        // feature a tree, a row unusual in one only ranks with that
        // feature's ordinary extremes)
        a.extend([30.0, -20.0, 25.0]);
        b.extend([40.0, -9.0, -30.0]);
        df!("a" => a, "b" => b).unwrap()
    }

    #[test]
    fn planted_outliers_rank_top() {
        let df = planted();
        let model = IsolationForest::new().fit(&df, ["a", "b"]).unwrap();
        let scored = model.score(&df).unwrap();
        let s: Vec<f64> = scored
            .df()
            .column("OutlierScore")
            .unwrap()
            .f64()
            .unwrap()
            .into_no_null_iter()
            .collect();
        let mut idx: Vec<usize> = (0..s.len()).collect();
        idx.sort_by(|&i, &j| s[j].total_cmp(&s[i]));
        let mut top3 = idx[..3].to_vec();
        top3.sort();
        assert_eq!(top3, vec![500, 501, 502]);
        let flagged = scored.outlier_count();
        // about 5% of 503 rows (ties at the threshold can move it a little)
        assert!((20..=30).contains(&flagged), "{flagged}");
        assert!(s.iter().all(|&v| v > 0.0 && v < 1.0));
    }

    #[test]
    fn deterministic_with_seed() {
        let df = planted();
        let a = IsolationForest::new()
            .fit(&df, ["a", "b"])
            .unwrap()
            .score(&df)
            .unwrap();
        let b = IsolationForest::new()
            .fit(&df, ["a", "b"])
            .unwrap()
            .score(&df)
            .unwrap();
        assert!(a.df().equals(b.df()));
        let c = IsolationForest::new()
            .seed(7)
            .fit(&df, ["a", "b"])
            .unwrap()
            .score(&df)
            .unwrap();
        assert!(!a.df().equals(c.df()));
    }

    #[test]
    fn average_path_length_matches_sklearn() {
        assert_eq!(average_path_length(1), 0.0);
        assert_eq!(average_path_length(2), 1.0);
        // sklearn: 2*(ln(255)+0.5772156649) - 2*255/256
        assert!((average_path_length(256) - 10.244_770_920_116_851).abs() < 1e-9);
    }

    #[test]
    fn bad_input() {
        let df = df!("a" => [1.0, 2.0]).unwrap();
        assert!(
            IsolationForest::new()
                .contamination(0.0)
                .fit(&df, ["a"])
                .is_err()
        );
        assert!(IsolationForest::new().fit(&df, ["b"]).is_err());
        let empty = df.head(Some(0));
        assert!(IsolationForest::new().fit(&empty, ["a"]).is_err());
        let m = IsolationForest::new().fit(&df, ["a"]).unwrap();
        assert_eq!(m.score(&empty).unwrap().df().height(), 0);
        // all identical: nothing can be isolated, every score is equal, no outliers
        let same = df!("a" => [3.0; 50]).unwrap();
        let s = IsolationForest::new()
            .fit(&same, ["a"])
            .unwrap()
            .score(&same)
            .unwrap();
        assert_eq!(s.outlier_count(), 0);
    }
}
