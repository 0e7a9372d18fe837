//! Session likelihoods and rarest windows (MSTICPy's
//! `compute_likelihood_window`, `compute_likelihood_windows_in_session` and
//! `rarest_window_session`), with the products taken in MSTICPy's order.

use super::model::Model;
use super::sessions::{END, NONE, START, SessionKind, Sessions};
use crate::error::{Error, Result};

/// The rarest window of one session.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RarestWindow {
    /// Position of the window's first command in the session.
    pub start: usize,
    /// Commands of the session in the window (shorter than the window
    /// length when it covers the appended `##END##` token; 0 when the session
    /// is too short for any window).
    pub len: usize,
    /// The window's likelihood (`None` when the session has no window of
    /// that length, or is empty).
    pub likelihood: Option<f64>,
}

/// Sessions translated to a model's ids, with each event's parameter
/// probability computed once.
pub(crate) struct Scored<'a> {
    model: &'a Model,
    sessions: &'a Sessions,
    cmds: Vec<u32>,
    pp: Vec<f64>,
}

fn map_names(from: &super::sessions::Interner, to: &super::sessions::Interner) -> Vec<u32> {
    from.names()
        .iter()
        .map(|n| to.get(n).unwrap_or(NONE))
        .collect()
}

impl<'a> Scored<'a> {
    pub(crate) fn new(model: &'a Model, sessions: &'a Sessions) -> Result<Self> {
        if model.kind() != sessions.kind() {
            return Err(Error::invalid(
                "sessions",
                format!(
                    "are {} but the model was trained on {}",
                    sessions.kind(),
                    model.kind()
                ),
            ));
        }
        let cmd_map = map_names(&sessions.cmd_names, &model.cmds);
        let cmds: Vec<u32> = sessions.cmds.iter().map(|&c| cmd_map[c as usize]).collect();
        let mut pp = vec![1.0; cmds.len()];
        if sessions.kind().has_params() {
            let param_map = map_names(&sessions.param_names, &model.params);
            let value_map = map_names(&sessions.value_names, &model.values);
            let with_values = sessions.kind() == SessionKind::CmdsParamsValues;
            let mut ps: Vec<(u32, u32)> = Vec::new();
            for (e, out) in pp.iter_mut().enumerate() {
                let r = sessions.event_params(e);
                if r.is_empty() {
                    continue;
                }
                ps.clear();
                for j in r {
                    let p = param_map[sessions.params[j] as usize];
                    let v = match sessions.values[j] {
                        NONE => NONE,
                        v => value_map[v as usize],
                    };
                    ps.push((p, v));
                }
                *out = param_prob(model, cmds[e], &ps, with_values);
            }
        }
        Ok(Self {
            model,
            sessions,
            cmds,
            pp,
        })
    }

    /// The likelihood of each session (`None` for empty ones).
    pub(crate) fn likelihoods(&self, use_start_end_tokens: bool) -> Vec<Option<f64>> {
        (0..self.sessions.len())
            .map(|i| {
                let r = self.sessions.range(i);
                if r.is_empty() {
                    return None;
                }
                let m = self.model;
                let c = &self.cmds[r.clone()];
                let pp = &self.pp[r];
                let mut prob = 1.0;
                prob *= if use_start_end_tokens {
                    m.trans_id(START, c[0]) * pp[0]
                } else {
                    m.prior_id(c[0]) * pp[0]
                };
                for k in 1..c.len() {
                    prob *= m.trans_id(c[k - 1], c[k]);
                    prob *= pp[k];
                }
                if use_start_end_tokens {
                    prob *= m.trans_id(c[c.len() - 1], END);
                }
                Some(prob)
            })
            .collect()
    }

    /// The rarest window of each session.
    pub(crate) fn rarest_windows(
        &self,
        window_len: usize,
        use_start_end_tokens: bool,
        use_geo_mean: bool,
    ) -> Vec<RarestWindow> {
        let m = self.model;
        let root = 1.0 / window_len as f64;
        let mut trans: Vec<f64> = Vec::new();
        let mut cmds: Vec<u32> = Vec::new();
        let mut pp: Vec<f64> = Vec::new();
        (0..self.sessions.len())
            .map(|i| {
                let none = RarestWindow {
                    start: 0,
                    len: 0,
                    likelihood: None,
                };
                let r = self.sessions.range(i);
                let n = r.len();
                if n == 0 {
                    return none;
                }
                cmds.clear();
                cmds.extend_from_slice(&self.cmds[r.clone()]);
                pp.clear();
                pp.extend_from_slice(&self.pp[r]);
                if use_start_end_tokens {
                    cmds.push(END);
                    pp.push(1.0);
                }
                let total = cmds.len();
                if total < window_len {
                    return none;
                }
                // trans[k] = P(cmds[k] | cmds[k - 1]), computed once per session.
                trans.clear();
                trans.push(0.0);
                for k in 1..total {
                    trans.push(m.trans_id(cmds[k - 1], cmds[k]));
                }
                let mut best: Option<(usize, f64)> = None;
                for s in 0..=(total - window_len) {
                    let mut prob = 1.0;
                    prob *= if s == 0 && use_start_end_tokens {
                        m.trans_id(START, cmds[0]) * pp[0]
                    } else {
                        m.prior_id(cmds[s]) * pp[s]
                    };
                    for k in s + 1..s + window_len {
                        prob *= trans[k];
                        prob *= pp[k];
                    }
                    if use_geo_mean {
                        prob = prob.powf(root);
                    }
                    // Python's min(): the first smallest wins; NaN never does.
                    if best.is_none_or(|(_, b)| prob < b) {
                        best = Some((s, prob));
                    }
                }
                match best {
                    Some((s, lik)) => RarestWindow {
                        start: s,
                        len: window_len.min(n - s),
                        likelihood: Some(lik),
                    },
                    None => none,
                }
            })
            .collect()
    }
}

/// MSTICPy's `compute_prob_setofparams_given_cmd` with `use_geo_mean=True`:
/// the product over the parameters seen with the command in training of
/// `p` (present) or `1 - p` (absent), times `P(value | param)` for present
/// modellable parameters, to the power `1 / (params seen + values used)`.
/// Parameters never seen with the command do not count.
fn param_prob(model: &Model, cmd: u32, ps: &[(u32, u32)], with_values: bool) -> f64 {
    if ps.is_empty() {
        return 1.0;
    }
    let c = if (cmd as usize) < model.n_cmds() {
        cmd as usize
    } else {
        super::sessions::UNK as usize
    };
    let Some(reference) = model.param_cond.get(c) else {
        return 1.0;
    };
    let mut lik = 1.0;
    let mut num = 0usize;
    for &(p, prob) in reference {
        match ps.iter().find(|&&(q, _)| q == p) {
            Some(&(_, v)) => {
                lik *= prob;
                if with_values && model.modellable.get(p as usize) == Some(&true) {
                    num += 1;
                    lik *= model.value_cond_id(p, v);
                }
            }
            None => lik *= 1.0 - prob,
        }
    }
    let k = reference.len() + num;
    if k > 0 {
        lik = lik.powf(1.0 / k as f64);
    }
    lik
}

impl Model {
    /// The likelihood of each session (`None` for empty sessions). With
    /// `use_start_end_tokens`, the session is scored as if it started with
    /// `##START##` and ended with `##END##`.
    pub fn session_likelihoods(
        &self,
        sessions: &Sessions,
        use_start_end_tokens: bool,
    ) -> Result<Vec<Option<f64>>> {
        Ok(Scored::new(self, sessions)?.likelihoods(use_start_end_tokens))
    }

    /// The geometric mean of each session's likelihood: `likelihood^(1/k)`
    /// for a session of `k` commands.
    pub fn session_geomean_likelihoods(
        &self,
        sessions: &Sessions,
        use_start_end_tokens: bool,
    ) -> Result<Vec<Option<f64>>> {
        let lik = self.session_likelihoods(sessions, use_start_end_tokens)?;
        Ok(lik
            .into_iter()
            .enumerate()
            .map(|(i, l)| l.map(|l| l.powf(1.0 / sessions.session_len(i) as f64)))
            .collect())
    }

    /// The rarest window of `window_len` commands in each session. With
    /// `use_start_end_tokens`, `##END##` is appended before sliding (so a
    /// session of `window_len - 1` commands still has a window) and the
    /// first window starts from `##START##`; with `use_geo_mean`, each window's
    /// likelihood is raised to `1 / window_len`.
    pub fn rarest_windows(
        &self,
        sessions: &Sessions,
        window_len: usize,
        use_start_end_tokens: bool,
        use_geo_mean: bool,
    ) -> Result<Vec<RarestWindow>> {
        if window_len == 0 {
            return Err(Error::invalid(
                "option 'window_length'",
                "must be at least 1 (MSTICPy suggests 2 or 3)",
            ));
        }
        Ok(Scored::new(self, sessions)?.rarest_windows(
            window_len,
            use_start_end_tokens,
            use_geo_mean,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_likelihoods_and_windows() {
        let s = Sessions::from_cmds([vec!["a", "b"], vec!["a"]]);
        let m = Model::train(&s).unwrap();
        // P(a|START) = 3/6, P(b|a) = 2/6, P(END|b) = 2/5 (row b: raw 1 + 4)
        let lik = m.session_likelihoods(&s, true).unwrap();
        let want0 = 3.0 / 6.0 * (2.0 / 6.0) * (2.0 / 5.0);
        assert!((lik[0].unwrap() - want0).abs() < 1e-15);
        let geo = m.session_geomean_likelihoods(&s, true).unwrap();
        assert!((geo[0].unwrap() - want0.sqrt()).abs() < 1e-15);
        // without tokens: prior(a) * P(b|a)
        let lik = m.session_likelihoods(&s, false).unwrap();
        assert!((lik[0].unwrap() - 10.0 / 39.0 * (2.0 / 6.0)).abs() < 1e-15);
        // windows of 2 over [a, b, END]: [a,b] from START = 3/6*2/6; [b,END] = prior(b)*2/5
        let w = m.rarest_windows(&s, 2, true, false).unwrap();
        let first: f64 = 3.0 / 6.0 * (2.0 / 6.0);
        let second = 9.0 / 39.0 * (2.0 / 5.0);
        assert_eq!(w[0].start, if second < first { 1 } else { 0 });
        assert!((w[0].likelihood.unwrap() - first.min(second)).abs() < 1e-15);
        // session [a] + END has one window of 2; none of 3
        assert_eq!(w[1].len, 1);
        let w3 = m.rarest_windows(&s, 3, true, false).unwrap();
        assert_eq!(w3[1].likelihood, None);
        assert_eq!(w3[1].len, 0);
        assert!(m.rarest_windows(&s, 0, true, false).is_err());
    }

    #[test]
    fn unseen_commands_score_as_unknown() {
        let train = Sessions::from_cmds([vec!["a", "b"], vec!["a"]]);
        let m = Model::train(&train).unwrap();
        let test = Sessions::from_cmds([vec!["zzz"], Vec::<&str>::new()]);
        let lik = m.session_likelihoods(&test, true).unwrap();
        // P(UNK|START) = 1/6, P(END|UNK row) = 1/4
        assert!((lik[0].unwrap() - 1.0 / 6.0 * 0.25).abs() < 1e-15);
        assert_eq!(lik[1], None);
    }
}
