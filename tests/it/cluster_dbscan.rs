//! huntbook's weighted DBSCAN (distinct vectors with counts, k-d tree)
//! against linfa-clustering's plain DBSCAN on every row: the labels must be
//! identical (same clusters, same numbering, same noise) on repetitive data
//! full of duplicates and distance ties.

use huntbook::prelude::*;
use linfa::traits::Transformer;
use linfa_clustering::Dbscan;
use ndarray::Array2;

fn lcg(seed: &mut u64) -> u64 {
    *seed = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *seed >> 33
}

fn linfa_labels(x: &[f64], dims: usize, eps: f64, min: usize) -> Vec<i64> {
    let n = x.len() / dims;
    let arr = Array2::from_shape_vec((n, dims), x.to_vec()).unwrap();
    let labels = Dbscan::params(min).tolerance(eps).transform(&arr).unwrap();
    labels.iter().map(|l| l.map_or(-1, |v| v as i64)).collect()
}

fn huntbook_labels(x: &[f64], dims: usize, eps: f64, min: usize) -> Vec<i64> {
    let n = x.len() / dims;
    let cols: Vec<Column> = (0..dims)
        .map(|k| {
            let v: Vec<f64> = (0..n).map(|r| x[r * dims + k]).collect();
            Column::new(format!("f{k}").into(), v)
        })
        .collect();
    let df = DataFrame::new(n, cols).unwrap();
    let names: Vec<String> = (0..dims).map(|k| format!("f{k}")).collect();
    EventClusterer::new(names)
        .normalize(false)
        .eps(eps)
        .min_samples(min)
        .cluster(&df)
        .unwrap()
        .labels()
        .to_vec()
}

#[test]
fn equals_linfa_on_random_repetitive_data() {
    let mut seed = 11u64;
    for case in 0..60 {
        let dims = 1 + case % 4;
        let n = 10 + (lcg(&mut seed) % 300) as usize;
        let levels = 3 + lcg(&mut seed) % 10;
        let x: Vec<f64> = (0..n * dims)
            .map(|_| (lcg(&mut seed) % levels) as f64 * 0.25)
            .collect();
        let min = 2 + (lcg(&mut seed) % 5) as usize; // linfa needs min_points >= 2
        let eps = [0.2, 0.25, 0.3, 0.5, 0.75][case % 5];
        assert_eq!(
            huntbook_labels(&x, dims, eps, min),
            linfa_labels(&x, dims, eps, min),
            "case {case}: dims {dims} n {n} eps {eps} min {min}"
        );
    }
}

#[test]
fn equals_linfa_on_many_continuous_points() {
    let mut seed = 5u64;
    let n = 4000;
    let x: Vec<f64> = (0..n * 2)
        .map(|_| (lcg(&mut seed) % 100_000) as f64 / 10_000.0)
        .collect();
    assert_eq!(
        huntbook_labels(&x, 2, 0.12, 5),
        linfa_labels(&x, 2, 0.12, 5)
    );
}
