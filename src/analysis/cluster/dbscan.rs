//! Weighted DBSCAN over distinct feature vectors, with a k-d tree.
//!
//! Event features repeat a lot (the same maintenance command on every
//! server), so the rows are first collapsed into distinct vectors with a
//! count each. DBSCAN with sample weights on the distinct vectors gives the
//! same clusters as plain DBSCAN on the rows (scikit-learn and linfa
//! semantics): a vector is a core point when the total count of the vectors
//! within `eps` of it (itself included, Euclidean distance `<= eps`) is at
//! least `min_samples`; clusters are numbered in the order of their first
//! core row; a border point joins the first cluster that reaches it.
//!
//! Why not linfa-clustering's `Dbscan` directly: it has no sample weights,
//! so it would run on every row, and on repetitive events each
//! neighbourhood query returns thousands of identical rows (quadratic time).
//! linfa is the reference instead: `tests/it/cluster_dbscan.rs` and the unit
//! tests below check that the labels are identical to linfa's on every row.
//!
//! Memory is linear: neighbourhoods are never stored (each is recomputed
//! when needed), and the k-d tree keeps, per node, how many points are still
//! unlabelled so that expansion skips finished regions.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

const LEAF: usize = 16;
const NONE: u32 = u32::MAX;

/// A small multiplicative hasher for `[u64]` keys (the bit patterns of a
/// feature vector); no untrusted-key DoS concern here beyond slowness.
#[derive(Default)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
}

/// Distinct vectors of a row-major `n × dims` matrix.
pub(crate) struct Distinct {
    /// The distinct vectors, row-major, in order of first occurrence.
    pub points: Vec<f64>,
    /// How many rows have each distinct vector.
    pub counts: Vec<u64>,
    /// For every row, the index of its distinct vector.
    pub row_to_point: Vec<u32>,
}

/// Collapses identical rows (bit-identical after turning -0.0 into 0.0).
pub(crate) fn distinct(x: &[f64], dims: usize) -> Distinct {
    let n = x.len().checked_div(dims).unwrap_or(0);
    let bits: Vec<u64> = x
        .iter()
        .map(|&v| if v == 0.0 { 0u64 } else { v.to_bits() })
        .collect();
    let mut map: HashMap<&[u64], u32, BuildHasherDefault<FxHasher>> = HashMap::default();
    let mut points = Vec::new();
    let mut counts: Vec<u64> = Vec::new();
    let mut row_to_point = Vec::with_capacity(n);
    for r in 0..n {
        let key = &bits[r * dims..(r + 1) * dims];
        let id = *map.entry(key).or_insert_with(|| {
            points.extend_from_slice(&x[r * dims..(r + 1) * dims]);
            counts.push(0);
            (counts.len() - 1) as u32
        });
        counts[id as usize] += 1;
        row_to_point.push(id);
    }
    Distinct {
        points,
        counts,
        row_to_point,
    }
}

struct Node {
    lo: u32,
    hi: u32,
    left: u32,
    right: u32,
    parent: u32,
}

/// A static k-d tree over points with per-node bounding boxes.
struct KdTree<'a> {
    dims: usize,
    pts: &'a [f64],
    order: Vec<u32>,
    nodes: Vec<Node>,
    bbox: Vec<f64>,
    leaf_of: Vec<u32>,
    open: Vec<u32>,
}

impl<'a> KdTree<'a> {
    fn new(pts: &'a [f64], dims: usize) -> Self {
        let n = pts.len() / dims;
        let mut t = KdTree {
            dims,
            pts,
            order: (0..n as u32).collect(),
            nodes: Vec::new(),
            bbox: Vec::new(),
            leaf_of: vec![NONE; n],
            open: Vec::new(),
        };
        if n > 0 {
            t.build(0, n, NONE);
        }
        t
    }

    fn coord(&self, p: u32, d: usize) -> f64 {
        self.pts[p as usize * self.dims + d]
    }

    fn build(&mut self, lo: usize, hi: usize, parent: u32) -> u32 {
        let id = self.nodes.len() as u32;
        self.nodes.push(Node {
            lo: lo as u32,
            hi: hi as u32,
            left: NONE,
            right: NONE,
            parent,
        });
        self.open.push((hi - lo) as u32);
        let d = self.dims;
        let mut mins = vec![f64::INFINITY; d];
        let mut maxs = vec![f64::NEG_INFINITY; d];
        for &p in &self.order[lo..hi] {
            for k in 0..d {
                let v = self.pts[p as usize * d + k];
                mins[k] = mins[k].min(v);
                maxs[k] = maxs[k].max(v);
            }
        }
        let (split, spread) = (0..d)
            .map(|k| (k, maxs[k] - mins[k]))
            .fold((0, -1.0), |a, b| if b.1 > a.1 { b } else { a });
        self.bbox.extend_from_slice(&mins);
        self.bbox.extend_from_slice(&maxs);
        if hi - lo <= LEAF || spread <= 0.0 {
            for i in lo..hi {
                let p = self.order[i] as usize;
                self.leaf_of[p] = id;
            }
            return id;
        }
        let mid = lo + (hi - lo) / 2;
        let pts = self.pts;
        self.order[lo..hi].select_nth_unstable_by(mid - lo, |&a, &b| {
            pts[a as usize * d + split].total_cmp(&pts[b as usize * d + split])
        });
        let left = self.build(lo, mid, id);
        let right = self.build(mid, hi, id);
        self.nodes[id as usize].left = left;
        self.nodes[id as usize].right = right;
        id
    }

    fn box_dist2(&self, node: u32, q: &[f64]) -> f64 {
        let d = self.dims;
        let b = &self.bbox[node as usize * 2 * d..(node as usize + 1) * 2 * d];
        let mut s = 0.0;
        for k in 0..d {
            let v = q[k];
            let gap = if v < b[k] {
                b[k] - v
            } else if v > b[d + k] {
                v - b[d + k]
            } else {
                0.0
            };
            s += gap * gap;
        }
        s
    }

    fn dist2(&self, p: u32, q: &[f64]) -> f64 {
        let mut s = 0.0;
        for (k, qv) in q.iter().enumerate() {
            let diff = self.coord(p, k) - qv;
            s += diff * diff;
        }
        s
    }

    /// Total weight of the points within `eps2` (squared) of `q`, stopping
    /// once it reaches `limit`.
    fn weight_within(&self, q: &[f64], eps2: f64, weights: &[u64], limit: u64) -> u64 {
        let mut total = 0u64;
        let mut stack = vec![0u32];
        while let Some(node) = stack.pop() {
            if self.box_dist2(node, q) > eps2 {
                continue;
            }
            let n = &self.nodes[node as usize];
            if n.left == NONE {
                for &p in &self.order[n.lo as usize..n.hi as usize] {
                    if self.dist2(p, q) <= eps2 {
                        total += weights[p as usize];
                        if total >= limit {
                            return total;
                        }
                    }
                }
            } else {
                stack.push(n.right);
                stack.push(n.left);
            }
        }
        total
    }

    /// Appends the still-unlabelled points within `eps2` of `q` to `out`.
    fn open_within(&self, q: &[f64], eps2: f64, labelled: &[bool], out: &mut Vec<u32>) {
        let mut stack = vec![0u32];
        while let Some(node) = stack.pop() {
            if self.open[node as usize] == 0 || self.box_dist2(node, q) > eps2 {
                continue;
            }
            let n = &self.nodes[node as usize];
            if n.left == NONE {
                for &p in &self.order[n.lo as usize..n.hi as usize] {
                    if !labelled[p as usize] && self.dist2(p, q) <= eps2 {
                        out.push(p);
                    }
                }
            } else {
                stack.push(n.right);
                stack.push(n.left);
            }
        }
    }

    fn mark(&mut self, p: u32) {
        let mut node = self.leaf_of[p as usize];
        while node != NONE {
            self.open[node as usize] -= 1;
            node = self.nodes[node as usize].parent;
        }
    }
}

/// The result of [`weighted_dbscan`], per distinct point.
pub(crate) struct Labels {
    /// Cluster id per point, -1 for noise.
    pub labels: Vec<i64>,
    /// Whether each point is a core point.
    pub core: Vec<bool>,
}

/// DBSCAN over `points` (row-major, `dims` wide) where point `i` stands for
/// `weights[i]` identical samples. Points must be distinct and are visited
/// in the given order (first occurrence), which fixes the cluster numbering.
pub(crate) fn weighted_dbscan(
    points: &[f64],
    dims: usize,
    weights: &[u64],
    eps: f64,
    min_samples: u64,
) -> Labels {
    let n = weights.len();
    let mut labels = vec![-1i64; n];
    if n == 0 || dims == 0 {
        return Labels {
            labels,
            core: vec![false; n],
        };
    }
    let eps2 = eps * eps;
    let mut tree = KdTree::new(points, dims);
    let core: Vec<bool> = (0..n)
        .map(|i| {
            let q = &points[i * dims..(i + 1) * dims];
            weights[i] >= min_samples
                || tree.weight_within(q, eps2, weights, min_samples) >= min_samples
        })
        .collect();
    let mut labelled = vec![false; n];
    let mut next = 0i64;
    let mut stack: Vec<u32> = Vec::new();
    let mut found: Vec<u32> = Vec::new();
    for start in 0..n {
        if labelled[start] || !core[start] {
            continue;
        }
        labels[start] = next;
        labelled[start] = true;
        tree.mark(start as u32);
        stack.push(start as u32);
        while let Some(p) = stack.pop() {
            let q = &points[p as usize * dims..(p as usize + 1) * dims];
            found.clear();
            tree.open_within(q, eps2, &labelled, &mut found);
            for &w in &found {
                let w = w as usize;
                labels[w] = next;
                labelled[w] = true;
                tree.mark(w as u32);
                if core[w] {
                    stack.push(w as u32);
                }
            }
        }
        next += 1;
    }
    Labels { labels, core }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linfa::traits::Transformer;
    use linfa_clustering::Dbscan;
    use ndarray::Array2;

    /// A tiny deterministic generator for test data.
    fn lcg(seed: &mut u64) -> u64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *seed >> 33
    }

    /// Plain DBSCAN on every row (linfa), labels as i64 (-1 noise).
    fn linfa_labels(x: &[f64], dims: usize, eps: f64, min: usize) -> Vec<i64> {
        let n = x.len() / dims;
        let arr = Array2::from_shape_vec((n, dims), x.to_vec()).unwrap();
        let labels = Dbscan::params(min).tolerance(eps).transform(&arr).unwrap();
        labels.iter().map(|l| l.map_or(-1, |v| v as i64)).collect()
    }

    fn ours(x: &[f64], dims: usize, eps: f64, min: u64) -> Vec<i64> {
        let d = distinct(x, dims);
        let l = weighted_dbscan(&d.points, dims, &d.counts, eps, min);
        d.row_to_point
            .iter()
            .map(|&p| l.labels[p as usize])
            .collect()
    }

    #[test]
    fn equals_linfa_on_random_repetitive_data() {
        let mut seed = 7u64;
        for case in 0..40 {
            let dims = 1 + case % 3;
            let n = 20 + (lcg(&mut seed) % 120) as usize;
            // few distinct values on a coarse grid -> many duplicates and ties
            let mut x = Vec::with_capacity(n * dims);
            for _ in 0..n * dims {
                x.push((lcg(&mut seed) % 9) as f64 * 0.5);
            }
            let min = 2 + (lcg(&mut seed) % 4) as usize; // linfa needs min_points >= 2
            let eps = [0.4, 0.5, 0.75, 1.0][case % 4];
            let a = linfa_labels(&x, dims, eps, min);
            let b = ours(&x, dims, eps, min as u64);
            // linfa numbers clusters the same way (first core row), so the
            // labels must be identical, not only the partition.
            assert_eq!(a, b, "case {case}: dims {dims} n {n} eps {eps} min {min}");
        }
    }

    #[test]
    fn many_points_use_the_tree() {
        let mut seed = 3u64;
        let n = 3000;
        let x: Vec<f64> = (0..n * 2)
            .map(|_| (lcg(&mut seed) % 1000) as f64 / 100.0)
            .collect();
        assert_eq!(linfa_labels(&x, 2, 0.15, 4), ours(&x, 2, 0.15, 4));
    }

    #[test]
    fn duplicates_alone_make_a_core() {
        // 3 identical rows with min_samples 3 form a cluster; a lone row is noise
        let x = [1.0, 1.0, 1.0, 5.0];
        assert_eq!(ours(&x, 1, 0.1, 3), vec![0, 0, 0, -1]);
        assert_eq!(ours(&x, 1, 0.1, 4), vec![-1, -1, -1, -1]);
        let d = distinct(&[0.0, -0.0], 1);
        assert_eq!(d.counts, vec![2]);
    }
}
