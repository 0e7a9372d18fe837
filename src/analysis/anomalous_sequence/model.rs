//! The Markov model of sessions: counts, Laplace smoothing and
//! probabilities, exactly as MSTICPy 3.0.2's `anomalous_sequence.Model`.
//!
//! Smoothing adds one to every count "including the unknown token":
//! every pair `(a, b)` of the commands seen (plus `##START##`, `##END##` and
//! `##UNK##`) with `a != ##END##` and `b != ##START##` gets one more
//! transition, and both commands one more occurrence; every command gets one
//! more occurrence of each parameter it was seen with and of `##UNK##`;
//! every parameter one more of each value it was seen with and of
//! `##UNK##`. Probabilities:
//!
//! - prior: `count(cmd) / sum(counts)`;
//! - transition: `count(prev, cur) / sum over cur of count(prev, cur)`;
//! - parameter given command: `count(cmd, param) / count(cmd)` (each
//!   parameter is a Bernoulli variable, so these do not sum to one);
//! - parameter: `count(param) / sum(command counts)`;
//! - value given parameter: `count(param, value) / sum over values`;
//!   value: `count(value) / sum(value counts)`.
//!
//! Lookups of anything not seen fall back to `##UNK##` (MSTICPy's
//! `StateMatrix`): an unseen previous command uses the `##UNK##` row, an
//! unseen current command the row's `##UNK##` entry. `##END##` has no row of
//! its own (it is never a previous command), so it uses `##UNK##`'s.

use super::sessions::{END, Interner, NONE, START, SessionKind, Sessions, UNK, UNK_PV, UNK_TOKEN};
use crate::error::{Error, Result};
use std::collections::{BTreeMap, HashMap};

type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

fn key(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

/// MSTICPy's rule for which parameters have values worth modelling: at most
/// 20 distinct values, seen at least 20 times, and distinct values at most
/// 10% of the times seen.
pub fn is_modellable(distinct_values: u64, times_seen: u64) -> bool {
    distinct_values <= 20
        && 20 <= times_seen
        && (100 * distinct_values) as f64 / times_seen as f64 <= 10.0
}

/// A model's counts, by name: before smoothing (`Model::counts(false)`) or
/// after (`Model::counts(true)`). Maps are empty for the parts a kind does
/// not model.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModelCounts {
    /// Occurrences of each command (with the tokens).
    pub seq1: BTreeMap<String, u64>,
    /// Transitions `prev -> cur`.
    pub seq2: BTreeMap<String, BTreeMap<String, u64>>,
    /// Occurrences of each parameter.
    pub params: BTreeMap<String, u64>,
    /// Parameters per command.
    pub cmd_params: BTreeMap<String, BTreeMap<String, u64>>,
    /// Occurrences of each value.
    pub values: BTreeMap<String, u64>,
    /// Values per parameter.
    pub param_values: BTreeMap<String, BTreeMap<String, u64>>,
}

/// A trained session model.
///
/// ```
/// use huntbook::analysis::anomalous_sequence::{Model, Sessions};
/// let sessions = Sessions::from_cmds([vec!["a", "b"], vec!["a"]]);
/// let model = Model::train(&sessions).unwrap();
/// // 3 commands seen + start, end, unk tokens: n = 5 in the smoothing.
/// let counts = model.counts(true);
/// assert_eq!(counts.seq2["##START##"]["a"], 2 + 1);
/// assert_eq!(model.trans_prob("##START##", "a"), 3.0 / (2.0 + 4.0));
/// ```
#[derive(Debug, Clone)]
pub struct Model {
    pub(crate) kind: SessionKind,
    pub(crate) cmds: Interner,
    pub(crate) params: Interner,
    pub(crate) values: Interner,
    raw_seq1: Vec<u64>,
    raw_trans: FastMap<u64, u64>,
    raw_row: Vec<u64>,
    raw_param: Vec<u64>,
    /// Per command: params in first-seen order with counts.
    raw_cmd_param: Vec<Vec<(u32, u64)>>,
    raw_value: Vec<u64>,
    /// Per param: truthy values in first-seen order with counts.
    raw_param_value: Vec<Vec<(u32, u64)>>,
    modellable_names: Vec<String>,
    pub(crate) modellable: Vec<bool>,
    seq1: Vec<u64>,
    total_seq1: u64,
    prior: Vec<f64>,
    trans_seen: FastMap<u64, f64>,
    trans_unseen: Vec<f64>,
    /// Per command: `(param, P(param | cmd))`, `##UNK##` last.
    pub(crate) param_cond: Vec<Vec<(u32, f64)>>,
    value_cond_seen: FastMap<u64, f64>,
    value_cond_unseen: Vec<f64>,
}

impl Model {
    /// Trains a model on `sessions` (null and empty sessions are skipped),
    /// choosing modellable parameters with MSTICPy's rule.
    pub fn train(sessions: &Sessions) -> Result<Self> {
        Self::train_with(sessions, None)
    }

    /// Trains a model; `modellable_params` (for
    /// [`SessionKind::CmdsParamsValues`]) names the parameters whose values
    /// are modelled instead of the automatic choice.
    pub fn train_with(sessions: &Sessions, modellable_params: Option<&[String]>) -> Result<Self> {
        let n_sessions = (0..sessions.len())
            .filter(|&i| sessions.session_len(i) > 0)
            .count();
        if n_sessions == 0 {
            return Err(Error::invalid(
                "sessions",
                "no session has a command: a model needs at least one non-empty session",
            ));
        }
        let nc = sessions.cmd_names.len();
        let np = sessions.param_names.len();
        let nv = sessions.value_names.len();
        let mut m = Self {
            kind: sessions.kind,
            cmds: sessions.cmd_names.clone(),
            params: sessions.param_names.clone(),
            values: sessions.value_names.clone(),
            raw_seq1: vec![0; nc],
            raw_trans: FastMap::default(),
            raw_row: vec![0; nc],
            raw_param: vec![0; np],
            raw_cmd_param: vec![Vec::new(); nc],
            raw_value: vec![0; nv],
            raw_param_value: vec![Vec::new(); np],
            modellable_names: Vec::new(),
            modellable: vec![false; np],
            seq1: Vec::new(),
            total_seq1: 0,
            prior: Vec::new(),
            trans_seen: FastMap::default(),
            trans_unseen: Vec::new(),
            param_cond: Vec::new(),
            value_cond_seen: FastMap::default(),
            value_cond_unseen: Vec::new(),
        };
        m.count(sessions);
        m.choose_modellable(modellable_params);
        m.smooth();
        Ok(m)
    }

    fn count(&mut self, s: &Sessions) {
        let mut cp_index: FastMap<u64, usize> = FastMap::default();
        let mut pv_index: FastMap<u64, usize> = FastMap::default();
        for i in 0..s.len() {
            let r = s.range(i);
            if r.is_empty() {
                continue;
            }
            self.raw_seq1[START as usize] += 1;
            let mut prev = START;
            for e in r {
                let c = s.cmds[e];
                self.raw_seq1[c as usize] += 1;
                *self.raw_trans.entry(key(prev, c)).or_insert(0) += 1;
                self.raw_row[prev as usize] += 1;
                prev = c;
                for j in s.event_params(e) {
                    let p = s.params[j];
                    self.raw_param[p as usize] += 1;
                    let row = &mut self.raw_cmd_param[c as usize];
                    let at = *cp_index.entry(key(c, p)).or_insert_with(|| {
                        row.push((p, 0));
                        row.len() - 1
                    });
                    row[at].1 += 1;
                    let v = s.values[j];
                    if v != NONE {
                        self.raw_value[v as usize] += 1;
                        let row = &mut self.raw_param_value[p as usize];
                        let at = *pv_index.entry(key(p, v)).or_insert_with(|| {
                            row.push((v, 0));
                            row.len() - 1
                        });
                        row[at].1 += 1;
                    }
                }
            }
            *self.raw_trans.entry(key(prev, END)).or_insert(0) += 1;
            self.raw_row[prev as usize] += 1;
            self.raw_seq1[END as usize] += 1;
        }
    }

    fn choose_modellable(&mut self, given: Option<&[String]>) {
        if self.kind != SessionKind::CmdsParamsValues {
            return;
        }
        match given {
            Some(names) => {
                self.modellable_names = names.to_vec();
                for n in names {
                    if let Some(p) = self.params.get(n) {
                        self.modellable[p as usize] = true;
                    }
                }
            }
            None => {
                for p in 0..self.params.len() {
                    let distinct = self.raw_param_value[p].len() as u64;
                    if distinct > 0 && is_modellable(distinct, self.raw_param[p]) {
                        self.modellable[p] = true;
                        self.modellable_names
                            .push(self.params.name(p as u32).to_string());
                    }
                }
            }
        }
        self.modellable_names.sort();
        self.modellable_names.dedup();
    }

    fn smooth(&mut self) {
        let n = self.cmds.len() as u64;
        // commands and transitions
        self.seq1 = (0..self.cmds.len())
            .map(|c| {
                let c32 = c as u32;
                self.raw_seq1[c]
                    + if c32 != END { n - 1 } else { 0 }
                    + if c32 != START { n - 1 } else { 0 }
            })
            .collect();
        self.total_seq1 = self.seq1.iter().sum();
        let total = self.total_seq1 as f64;
        self.prior = self.seq1.iter().map(|&c| c as f64 / total).collect();
        self.trans_unseen = self
            .raw_row
            .iter()
            .map(|&r| 1.0 / (r + n - 1) as f64)
            .collect();
        self.trans_seen = self
            .raw_trans
            .iter()
            .map(|(&k, &v)| {
                let prev = (k >> 32) as usize;
                (k, (v + 1) as f64 / (self.raw_row[prev] + n - 1) as f64)
            })
            .collect();
        if !self.kind.has_params() {
            return;
        }
        // parameters given the command
        self.param_cond = (0..self.cmds.len())
            .map(|c| {
                let denom = self.seq1[c] as f64;
                let mut row: Vec<(u32, f64)> = self.raw_cmd_param[c]
                    .iter()
                    .map(|&(p, k)| (p, (k + 1) as f64 / denom))
                    .collect();
                if !row.iter().any(|&(p, _)| p == UNK_PV) {
                    row.push((UNK_PV, 1.0 / denom));
                }
                row
            })
            .collect();
        if self.kind != SessionKind::CmdsParamsValues {
            return;
        }
        self.value_cond_unseen = (0..self.params.len())
            .map(|p| {
                let row = &self.raw_param_value[p];
                let sum: u64 = row.iter().map(|&(_, k)| k + 1).sum::<u64>() + 1;
                1.0 / sum as f64
            })
            .collect();
        for p in 0..self.params.len() {
            let row = &self.raw_param_value[p];
            let sum = (row.iter().map(|&(_, k)| k + 1).sum::<u64>() + 1) as f64;
            for &(v, k) in row {
                self.value_cond_seen
                    .insert(key(p as u32, v), (k + 1) as f64 / sum);
            }
        }
    }

    /// The kind of sessions the model was trained on.
    pub fn kind(&self) -> SessionKind {
        self.kind
    }

    /// The parameters whose values are modelled (sorted; empty unless the
    /// kind is [`SessionKind::CmdsParamsValues`]).
    pub fn modellable_params(&self) -> &[String] {
        &self.modellable_names
    }

    pub(crate) fn n_cmds(&self) -> usize {
        self.cmds.len()
    }

    /// Prior probability by model command id (`NONE` = unseen).
    pub(crate) fn prior_id(&self, c: u32) -> f64 {
        let c = if (c as usize) < self.prior.len() {
            c
        } else {
            UNK
        };
        self.prior.get(c as usize).copied().unwrap_or(0.0)
    }

    /// Transition probability by model command ids, with MSTICPy's fallbacks.
    pub(crate) fn trans_id(&self, prev: u32, cur: u32) -> f64 {
        let nc = self.cmds.len() as u32;
        let prev = if prev == END || prev >= nc { UNK } else { prev };
        let cur = if cur == START || cur >= nc { UNK } else { cur };
        match self.trans_seen.get(&key(prev, cur)) {
            Some(&p) => p,
            None => self.trans_unseen.get(prev as usize).copied().unwrap_or(0.0),
        }
    }

    /// `P(value | param)` by model ids (`NONE` = unseen or no value).
    pub(crate) fn value_cond_id(&self, p: u32, v: u32) -> f64 {
        let p = if (p as usize) < self.value_cond_unseen.len() {
            p
        } else {
            UNK_PV
        };
        if v != NONE
            && let Some(&x) = self.value_cond_seen.get(&key(p, v))
        {
            return x;
        }
        self.value_cond_unseen
            .get(p as usize)
            .copied()
            .unwrap_or(1.0)
    }

    /// The prior probability of a command (`##UNK##`'s when unseen).
    pub fn prior_prob(&self, cmd: &str) -> f64 {
        self.prior_id(self.cmds.get(cmd).unwrap_or(NONE))
    }

    /// The probability of `cur` following `prev`.
    pub fn trans_prob(&self, prev: &str, cur: &str) -> f64 {
        self.trans_id(
            self.cmds.get(prev).unwrap_or(NONE),
            self.cmds.get(cur).unwrap_or(NONE),
        )
    }

    /// Prior probabilities of every command and token.
    pub fn prior_probs(&self) -> BTreeMap<String, f64> {
        self.cmds
            .names()
            .iter()
            .zip(&self.prior)
            .map(|(n, &p)| (n.clone(), p))
            .collect()
    }

    /// Transition probabilities: every row MSTICPy has (all commands but
    /// `##END##`), every column (all but `##START##`).
    pub fn trans_probs(&self) -> BTreeMap<String, BTreeMap<String, f64>> {
        let n = self.cmds.len() as u32;
        (0..n)
            .filter(|&a| a != END)
            .map(|a| {
                let row = (0..n)
                    .filter(|&b| b != START)
                    .map(|b| (self.cmds.name(b).to_string(), self.trans_id(a, b)))
                    .collect();
                (self.cmds.name(a).to_string(), row)
            })
            .collect()
    }

    /// `P(param present | cmd)` for each command (`None` for the
    /// commands-only kind).
    pub fn param_cond_cmd_probs(&self) -> Option<BTreeMap<String, BTreeMap<String, f64>>> {
        self.kind.has_params().then(|| {
            self.param_cond
                .iter()
                .enumerate()
                .map(|(c, row)| {
                    let row = row
                        .iter()
                        .map(|&(p, x)| (self.params.name(p).to_string(), x))
                        .collect();
                    (self.cmds.name(c as u32).to_string(), row)
                })
                .collect()
        })
    }

    /// Each parameter's probability (`None` for the commands-only kind).
    pub fn param_probs(&self) -> Option<BTreeMap<String, f64>> {
        self.kind.has_params().then(|| {
            let counts = self.smoothed_param_counts();
            let total = self.total_seq1 as f64;
            counts
                .into_iter()
                .map(|(k, v)| (k, v as f64 / total))
                .collect()
        })
    }

    /// `P(value | param)` (only for [`SessionKind::CmdsParamsValues`]).
    pub fn value_cond_param_probs(&self) -> Option<BTreeMap<String, BTreeMap<String, f64>>> {
        (self.kind == SessionKind::CmdsParamsValues).then(|| {
            (0..self.params.len())
                .map(|p| {
                    let p = p as u32;
                    let mut row: BTreeMap<String, f64> = self.raw_param_value[p as usize]
                        .iter()
                        .map(|&(v, _)| (self.values.name(v).to_string(), self.value_cond_id(p, v)))
                        .collect();
                    row.insert(UNK_TOKEN.to_string(), self.value_cond_id(p, NONE));
                    (self.params.name(p).to_string(), row)
                })
                .collect()
        })
    }

    /// Each value's probability (only for [`SessionKind::CmdsParamsValues`]).
    pub fn value_probs(&self) -> Option<BTreeMap<String, f64>> {
        (self.kind == SessionKind::CmdsParamsValues).then(|| {
            let counts = self.counts(true).values;
            let total = counts.values().sum::<u64>() as f64;
            counts
                .into_iter()
                .map(|(k, v)| (k, v as f64 / total))
                .collect()
        })
    }

    fn smoothed_param_counts(&self) -> BTreeMap<String, u64> {
        let mut out: Vec<u64> = self.raw_param.clone();
        for row in &self.raw_cmd_param {
            for &(p, _) in row {
                if p != UNK_PV {
                    out[p as usize] += 1;
                }
            }
        }
        out[UNK_PV as usize] += self.cmds.len() as u64;
        out.iter()
            .enumerate()
            .map(|(p, &k)| (self.params.name(p as u32).to_string(), k))
            .collect()
    }

    /// The counts before (`smoothed = false`) or after Laplace smoothing.
    pub fn counts(&self, smoothed: bool) -> ModelCounts {
        let name = |c: u32| self.cmds.name(c).to_string();
        let add = u64::from(smoothed);
        let mut out = ModelCounts::default();
        let n = self.cmds.len() as u32;
        for c in 0..n {
            let k = if smoothed {
                self.seq1[c as usize]
            } else {
                self.raw_seq1[c as usize]
            };
            if smoothed || k > 0 {
                out.seq1.insert(name(c), k);
            }
        }
        if smoothed {
            for a in (0..n).filter(|&a| a != END) {
                let row = (0..n)
                    .filter(|&b| b != START)
                    .map(|b| {
                        let raw = self.raw_trans.get(&key(a, b)).copied().unwrap_or(0);
                        (name(b), raw + 1)
                    })
                    .collect();
                out.seq2.insert(name(a), row);
            }
        } else {
            for (&k, &v) in &self.raw_trans {
                out.seq2
                    .entry(name((k >> 32) as u32))
                    .or_default()
                    .insert(name(k as u32), v);
            }
        }
        if !self.kind.has_params() {
            return out;
        }
        let pname = |p: u32| self.params.name(p).to_string();
        if smoothed {
            out.params = self.smoothed_param_counts();
        } else {
            for (p, &k) in self.raw_param.iter().enumerate() {
                if k > 0 {
                    out.params.insert(pname(p as u32), k);
                }
            }
        }
        for c in 0..n {
            let mut row: BTreeMap<String, u64> = self.raw_cmd_param[c as usize]
                .iter()
                .map(|&(p, k)| (pname(p), k + add))
                .collect();
            if smoothed {
                row.entry(UNK_TOKEN.to_string()).or_insert(1);
            }
            if !row.is_empty() {
                out.cmd_params.insert(name(c), row);
            }
        }
        if self.kind != SessionKind::CmdsParamsValues {
            return out;
        }
        let vname = |v: u32| self.values.name(v).to_string();
        let mut values: Vec<u64> = self.raw_value.clone();
        for p in 0..self.params.len() {
            let mut row: BTreeMap<String, u64> = self.raw_param_value[p]
                .iter()
                .map(|&(v, k)| (vname(v), k + add))
                .collect();
            if smoothed {
                for &(v, _) in &self.raw_param_value[p] {
                    values[v as usize] += 1;
                }
                row.insert(UNK_TOKEN.to_string(), 1);
            }
            if !row.is_empty() {
                out.param_values.insert(pname(p as u32), row);
            }
        }
        if smoothed {
            values[UNK_PV as usize] += self.params.len() as u64;
        }
        for (v, &k) in values.iter().enumerate() {
            if smoothed || k > 0 {
                out.values.insert(vname(v as u32), k);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::sessions::Cmd;
    use super::*;

    /// Sessions [a, b] and [a]: hand-computed counts before and after smoothing.
    #[test]
    fn cmds_counts_before_and_after_smoothing() {
        let m = Model::train(&Sessions::from_cmds([vec!["a", "b"], vec!["a"]])).unwrap();
        let raw = m.counts(false);
        assert_eq!(raw.seq1["##START##"], 2);
        assert_eq!(raw.seq1["a"], 2);
        assert_eq!(raw.seq1["b"], 1);
        assert_eq!(raw.seq1["##END##"], 2);
        assert!(!raw.seq1.contains_key("##UNK##"));
        assert_eq!(raw.seq2["##START##"]["a"], 2);
        assert_eq!(raw.seq2["a"]["b"], 1);
        assert_eq!(raw.seq2["a"]["##END##"], 1);
        assert_eq!(raw.seq2["b"]["##END##"], 1);
        // n = 5 (START, END, UNK, a, b): each token gains n-1 = 4 as a first
        // element (unless END) and 4 as a second (unless START).
        let sm = m.counts(true);
        assert_eq!(sm.seq1["##START##"], 2 + 4);
        assert_eq!(sm.seq1["##END##"], 2 + 4);
        assert_eq!(sm.seq1["a"], 2 + 8);
        assert_eq!(sm.seq1["b"], 1 + 8);
        assert_eq!(sm.seq1["##UNK##"], 8);
        assert_eq!(sm.seq2["a"]["b"], 2);
        assert_eq!(sm.seq2["a"]["a"], 1);
        assert!(!sm.seq2.contains_key("##END##"));
        assert!(!sm.seq2["a"].contains_key("##START##"));
        // total 6 + 6 + 10 + 9 + 8 = 39
        assert_eq!(m.prior_prob("a"), 10.0 / 39.0);
        assert_eq!(m.prior_prob("never seen"), 8.0 / 39.0);
        // row a: raw 2 (b, END) + 4 smoothing = 6
        assert_eq!(m.trans_prob("a", "b"), 2.0 / 6.0);
        assert_eq!(m.trans_prob("a", "zzz"), 1.0 / 6.0);
        assert_eq!(m.trans_prob("a", "##START##"), 1.0 / 6.0);
        // END and unseen previous commands use the UNK row: 1 / 4
        assert_eq!(m.trans_prob("##END##", "a"), 0.25);
        assert_eq!(m.trans_prob("zzz", "a"), 0.25);
    }

    #[test]
    fn params_and_values_counts() {
        let s = Sessions::from_cmd_lists(
            [vec![
                Cmd::with_values("x", [("p", "1"), ("q", "")]),
                Cmd::with_values("x", [("p", "2")]),
            ]],
            SessionKind::CmdsParamsValues,
        );
        let m = Model::train(&s).unwrap();
        let raw = m.counts(false);
        assert_eq!(raw.params["p"], 2);
        assert_eq!(raw.params["q"], 1);
        assert_eq!(raw.cmd_params["x"]["p"], 2);
        assert_eq!(raw.values["1"], 1);
        assert!(!raw.values.contains_key(""), "empty values are not counted");
        assert_eq!(raw.param_values["p"]["2"], 1);
        assert!(!raw.param_values.contains_key("q"));
        let sm = m.counts(true);
        // cmds: START, END, UNK, x -> n = 4; seq1[x] = 2 + 3 + 3 = 8
        assert_eq!(sm.seq1["x"], 8);
        assert_eq!(sm.cmd_params["x"]["p"], 3);
        assert_eq!(sm.cmd_params["x"]["##UNK##"], 1);
        assert_eq!(sm.cmd_params["##END##"]["##UNK##"], 1);
        // p seen with x only -> +1; UNK gets one per command (4)
        assert_eq!(sm.params["p"], 3);
        assert_eq!(sm.params["##UNK##"], 4);
        // values: p has 1 and 2 -> each +1; UNK gets one per param (UNK, p, q)
        assert_eq!(sm.values["1"], 2);
        assert_eq!(sm.values["##UNK##"], 3);
        assert_eq!(sm.param_values["p"]["##UNK##"], 1);
        assert_eq!(sm.param_values["q"]["##UNK##"], 1);
        let pc = m.param_cond_cmd_probs().unwrap();
        assert_eq!(pc["x"]["p"], 3.0 / 8.0);
        let vc = m.value_cond_param_probs().unwrap();
        assert_eq!(vc["p"]["1"], 2.0 / 5.0);
        assert_eq!(vc["q"]["##UNK##"], 1.0);
        assert!(m.modellable_params().is_empty());
    }

    #[test]
    fn modellable_rule_matches_msticpy() {
        assert!(is_modellable(2, 20));
        assert!(!is_modellable(3, 20), "15% distinct");
        assert!(!is_modellable(1, 19), "seen too rarely");
        assert!(!is_modellable(21, 1000), "too many values");
        assert!(is_modellable(20, 200));
    }

    #[test]
    fn empty_training_set_is_an_error() {
        let err = Model::train(&Sessions::from_cmds(Vec::<Vec<&str>>::new())).unwrap_err();
        assert!(
            err.to_string().contains("no session has a command"),
            "{err}"
        );
        assert!(Model::train(&Sessions::from_cmds([Vec::<&str>::new()])).is_err());
    }
}
