//! Fisher's g test for a periodic component in white noise.

/// Fisher's g statistic and p-value for periodogram ordinates `power`
/// (Fourier frequencies strictly between 0 and π).
///
/// `g = max / sum`; under the null of Gaussian white noise
/// `P(G > g) = Σ_{j=1}^{⌊1/g⌋} (−1)^{j−1} C(m, j) (1 − j g)^{m−1}` with `m`
/// ordinates (Fisher 1929, as in R's GeneCycle `fisher.g.test`). For
/// `m > 700` the first-order approximation `1 − (1 − e^{−m g})^m` is used.
/// MSTICPy's port stops the sum at `⌊1/g⌋ − 1` (and counts the zero
/// frequency in `m`); huntbook follows the published formula.
pub fn fisher_g_test(power: &[f64]) -> (f64, f64) {
    let m = power.len();
    let sum: f64 = power.iter().sum();
    let max = power.iter().copied().fold(0.0, f64::max);
    if m < 2 || sum <= 0.0 || !sum.is_finite() {
        return (0.0, 1.0);
    }
    let g = max / sum;
    let mf = m as f64;
    let p = if m > 700 {
        // 1 − (1 − e^{−mg})^m, computed without cancellation.
        -(mf * (-(-mf * g).exp()).ln_1p()).exp_m1()
    } else {
        let upper = (1.0 / g).floor() as usize;
        let mut ln_binom = 0.0f64;
        let mut total = 0.0f64;
        for j in 1..=upper.min(m) {
            ln_binom += (mf - j as f64 + 1.0).ln() - (j as f64).ln();
            let base = 1.0 - j as f64 * g;
            if base <= 0.0 {
                break;
            }
            let term = (ln_binom + (mf - 1.0) * base.ln()).exp();
            total += if j % 2 == 1 { term } else { -term };
        }
        total
    };
    (g, p.clamp(0.0, 1.0))
}

/// Benjamini–Hochberg adjusted p-values (`None` stays `None`).
pub fn benjamini_hochberg(p: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut idx: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_some()).collect();
    let m = idx.len() as f64;
    idx.sort_by(|&a, &b| p[b].unwrap_or(1.0).total_cmp(&p[a].unwrap_or(1.0)));
    let mut out = vec![None; p.len()];
    let mut running = 1.0f64;
    for (rank_from_top, &i) in idx.iter().enumerate() {
        let rank = m - rank_from_top as f64;
        let adj = (p[i].unwrap_or(1.0) * m / rank).min(running).min(1.0);
        running = adj;
        out[i] = Some(adj);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g_test_matches_the_formula() {
        // m = 3, g = 0.5: 3·0.5² − 3·0 = 0.75
        let (g, p) = fisher_g_test(&[2.0, 1.0, 1.0]);
        assert_eq!(g, 0.5);
        assert!((p - 0.75).abs() < 1e-12, "{p}");
        // m = 10, g = 0.4: 10·0.6⁹ − 45·0.2⁹
        let mut pw = vec![6.0 / 9.0; 9];
        pw.push(4.0);
        let (g, p) = fisher_g_test(&pw);
        assert!((g - 0.4).abs() < 1e-12);
        let want = 10.0 * 0.6f64.powi(9) - 45.0 * 0.2f64.powi(9);
        assert!((p - want).abs() < 1e-12, "{p} {want}");
        // flat spectrum: not significant
        assert!(fisher_g_test(&[1.0; 50]).1 > 0.99);
        assert_eq!(fisher_g_test(&[0.0; 5]), (0.0, 1.0));
        // large m uses the approximation; a huge spike is significant
        let mut big = vec![1.0; 1000];
        big[10] = 500.0;
        assert!(fisher_g_test(&big).1 < 1e-100);
    }

    #[test]
    fn bh_adjustment() {
        let adj = benjamini_hochberg(&[Some(0.01), Some(0.04), None, Some(0.03), Some(0.5)]);
        let want = [
            Some(0.04),
            Some(0.16 / 3.0),
            None,
            Some(0.16 / 3.0),
            Some(0.5),
        ];
        for (a, w) in adj.iter().zip(want) {
            match (a, w) {
                (Some(a), Some(w)) => assert!((a - w).abs() < 1e-12, "{a} {w}"),
                (None, None) => {}
                _ => panic!("{adj:?}"),
            }
        }
    }
}
