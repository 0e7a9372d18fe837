//! Differential tests against MSTICPy 3.0.2's anomalous-sequence outputs in
//! `../shared/golden` (skipped, with a printed reason, when it is absent):
//! `anomseq.sessionize.json`, `anomseq.score_sessions.{cmds,cmds_params,
//! cmds_params_values}.json` and `anomseq.model.*.json`, all made from
//! `inputs/exo_events.json`. Sessions must be equal; probabilities and
//! likelihoods within 1e-9 relative.

use huntbook::analysis::anomalous_sequence::{
    Cmd, Model, SessionKind, SessionScorer, Sessionizer, Sessions,
};
use huntbook::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const MODES: [(&str, SessionKind); 3] = [
    ("cmds", SessionKind::Cmds),
    ("cmds_params", SessionKind::CmdsParams),
    ("cmds_params_values", SessionKind::CmdsParamsValues),
];

fn golden_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/golden");
    if dir.join("outputs/anomseq.sessionize.json").exists() {
        Some(dir)
    } else {
        println!("skipping: {} not found (no ../shared)", dir.display());
        None
    }
}

fn load(dir: &Path, rel: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join(rel)).unwrap()).unwrap()
}

fn sessions_frame(dir: &Path) -> DataFrame {
    let events = read_file(dir.join("inputs/exo_events.json")).unwrap();
    Sessionizer::new(["UserId", "ClientIP"], "TimeGenerated")
        .max_session_minutes(20.0)
        .max_gap_minutes(2.0)
        .event_column("Operation")
        .event_column("Parameters")
        .sessionize(&events)
        .unwrap()
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

fn assert_num(ours: Option<f64>, golden: &Value, what: &str) {
    match (ours, golden.as_f64()) {
        (None, None) => {}
        (Some(a), Some(b)) => assert!(close(a, b), "{what}: ours {a} vs MSTICPy {b}"),
        (a, _) => panic!("{what}: ours {a:?} vs MSTICPy {golden}"),
    }
}

/// A command as golden.py's `jsonable` writes it.
fn cmd_json(c: &Cmd, kind: SessionKind) -> Value {
    match kind {
        SessionKind::Cmds => json!(c.name),
        SessionKind::CmdsParams => {
            let mut names: Vec<&str> = c.params.iter().map(|(k, _)| k.as_str()).collect();
            names.sort();
            json!({"name": c.name, "params": names})
        }
        SessionKind::CmdsParamsValues => {
            let params: serde_json::Map<String, Value> = c
                .params
                .iter()
                .map(|(k, v)| (k.clone(), json!(v.clone().unwrap_or_default())))
                .collect();
            json!({"name": c.name, "params": params})
        }
    }
}

fn cmds_json(cmds: &[Cmd], kind: SessionKind) -> Value {
    Value::Array(cmds.iter().map(|c| cmd_json(c, kind)).collect())
}

fn iso(micros: i64) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%S+00:00")
        .to_string()
}

fn micros(df: &DataFrame, name: &str) -> Vec<i64> {
    let c = df.column(name).unwrap();
    let c = c
        .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
        .unwrap()
        .cast(&DataType::Int64)
        .unwrap();
    c.i64().unwrap().iter().map(|v| v.unwrap()).collect()
}

#[test]
fn sessionize_matches_msticpy() {
    let Some(dir) = golden_dir() else { return };
    let golden = load(&dir, "outputs/anomseq.sessionize.json");
    let golden = golden.as_array().unwrap();
    let s = sessions_frame(&dir);
    assert_eq!(s.height(), golden.len());
    let sessions = Sessions::from_frame(&s, "Operation_list", None, SessionKind::Cmds).unwrap();
    let users = s.column("UserId").unwrap().str().unwrap().clone();
    let ips = s.column("ClientIP").unwrap().str().unwrap().clone();
    let (tmin, tmax) = (
        micros(&s, "TimeGenerated_min"),
        micros(&s, "TimeGenerated_max"),
    );
    let dur = s
        .column("duration")
        .unwrap()
        .cast(&DataType::Int64)
        .unwrap();
    let dur = dur.i64().unwrap();
    let n = s.column("number_events").unwrap().i64().unwrap().clone();
    for (i, g) in golden.iter().enumerate() {
        assert_eq!(users.get(i), g["UserId"].as_str(), "row {i}");
        assert_eq!(ips.get(i), g["ClientIP"].as_str(), "row {i}");
        assert_eq!(
            iso(tmin[i]),
            g["TimeGenerated_min"].as_str().unwrap(),
            "row {i}"
        );
        assert_eq!(
            iso(tmax[i]),
            g["TimeGenerated_max"].as_str().unwrap(),
            "row {i}"
        );
        // duration is in the time column's unit (microseconds here)
        assert_eq!(
            dur.get(i).unwrap() as f64 / 1e6,
            g["duration"].as_f64().unwrap(),
            "row {i}"
        );
        assert_eq!(n.get(i), g["number_events"].as_i64(), "row {i}");
        assert_eq!(
            cmds_json(&sessions.session(i), SessionKind::Cmds),
            g["Operation_list"],
            "row {i}"
        );
    }
}

#[test]
fn score_sessions_matches_msticpy() {
    let Some(dir) = golden_dir() else { return };
    let s = sessions_frame(&dir);
    for (mode, kind) in MODES {
        let golden = load(&dir, &format!("outputs/anomseq.score_sessions.{mode}.json"));
        let golden = golden.as_array().unwrap();
        let col = match kind {
            SessionKind::Cmds => "Operation_list",
            SessionKind::CmdsParams => "CmdParams_list",
            SessionKind::CmdsParamsValues => "CmdValues_list",
        };
        let scored = SessionScorer::new("Operation_list")
            .params_column("Parameters_list")
            .kind(kind)
            .window_length(3)
            .score(&s)
            .unwrap();
        let lik = scored
            .df()
            .column("rarest_window3_likelihood")
            .unwrap()
            .f64()
            .unwrap()
            .clone();
        assert_eq!(lik.len(), golden.len());
        for (i, g) in golden.iter().enumerate() {
            assert_num(
                lik.get(i),
                &g["rarest_window3_likelihood"],
                &format!("{mode} row {i}"),
            );
            assert_eq!(
                cmds_json(&scored.sessions().session(i), kind),
                g[col],
                "{mode} session {i}"
            );
            assert_eq!(
                cmds_json(&scored.rarest_window(i), kind),
                g["rarest_window3"],
                "{mode} rarest window {i}"
            );
        }
        // the frame's window column: rendered commands
        let w = scored
            .df()
            .column("rarest_window3")
            .unwrap()
            .list()
            .unwrap()
            .clone();
        let first = w.get_as_series(0).unwrap();
        assert_eq!(
            first.len(),
            golden[0]["rarest_window3"].as_array().unwrap().len()
        );
    }
}

fn assert_map(ours: &BTreeMap<String, f64>, golden: &Value, what: &str) {
    let g = golden
        .as_object()
        .unwrap_or_else(|| panic!("{what}: not an object"));
    let gk: Vec<&String> = g.keys().collect();
    let ok: Vec<&String> = ours.keys().collect();
    assert_eq!(ok, gk, "{what}: keys");
    for (k, v) in ours {
        assert_num(Some(*v), &g[k], &format!("{what}[{k}]"));
    }
}

fn assert_map2(ours: &BTreeMap<String, BTreeMap<String, f64>>, golden: &Value, what: &str) {
    let g = golden.as_object().unwrap();
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        g.keys().collect::<Vec<_>>(),
        "{what}: keys"
    );
    for (k, row) in ours {
        assert_map(row, &g[k], &format!("{what}[{k}]"));
    }
}

fn assert_list(ours: &[Option<f64>], golden: &Value, what: &str) {
    let g = golden.as_array().unwrap();
    assert_eq!(ours.len(), g.len(), "{what}: length");
    for (i, (a, b)) in ours.iter().zip(g).enumerate() {
        assert_num(*a, b, &format!("{what}[{i}]"));
    }
}

#[test]
fn models_match_msticpy() {
    let Some(dir) = golden_dir() else { return };
    let s = sessions_frame(&dir);
    for (mode, kind) in MODES {
        let g = load(&dir, &format!("outputs/anomseq.model.{mode}.json"));
        let sessions =
            Sessions::from_frame(&s, "Operation_list", Some("Parameters_list"), kind).unwrap();
        let m = Model::train(&sessions).unwrap();
        assert_eq!(g["session_type"], json!(kind.as_str()));
        assert_map(
            &m.prior_probs(),
            &g["prior_probs"],
            &format!("{mode} prior_probs"),
        );
        assert_map2(
            &m.trans_probs(),
            &g["trans_probs"],
            &format!("{mode} trans_probs"),
        );
        if kind.as_str() != "cmds_only" {
            assert_map(
                &m.param_probs().unwrap(),
                &g["param_probs"],
                &format!("{mode} param_probs"),
            );
            assert_map2(
                &m.param_cond_cmd_probs().unwrap(),
                &g["param_cond_cmd_probs"],
                &format!("{mode} param_cond_cmd_probs"),
            );
        } else {
            assert!(m.param_probs().is_none());
        }
        if kind == SessionKind::CmdsParamsValues {
            assert_map(
                &m.value_probs().unwrap(),
                &g["value_probs"],
                &format!("{mode} value_probs"),
            );
            assert_map2(
                &m.value_cond_param_probs().unwrap(),
                &g["value_cond_param_probs"],
                &format!("{mode} value_cond_param_probs"),
            );
            assert_eq!(json!(m.modellable_params()), g["modellable_params"]);
        }
        assert_list(
            &m.session_likelihoods(&sessions, true).unwrap(),
            &g["session_likelihoods"],
            &format!("{mode} session_likelihoods"),
        );
        assert_list(
            &m.session_geomean_likelihoods(&sessions, true).unwrap(),
            &g["session_geomean_likelihoods"],
            &format!("{mode} session_geomean_likelihoods"),
        );
        for (k, geo, wkey, lkey) in [
            (2, false, "rare_windows", "rare_window_likelihoods"),
            (3, false, "rare_windows", "rare_window_likelihoods"),
            (3, true, "rare_windows_geo", "rare_window_likelihoods_geo"),
        ] {
            let w = m.rarest_windows(&sessions, k, true, geo).unwrap();
            let what = format!("{mode} {lkey}[{k}]");
            let liks: Vec<Option<f64>> = w.iter().map(|w| w.likelihood).collect();
            assert_list(&liks, &g[lkey][k.to_string()], &what);
            for (i, rw) in w.iter().enumerate() {
                let cmds = sessions.slice(i, rw.start, rw.start + rw.len);
                assert_eq!(
                    cmds_json(&cmds, kind),
                    g[wkey][k.to_string()][i],
                    "{what} window {i}"
                );
            }
        }
    }
}

/// With given modellable parameters, value probabilities enter the
/// likelihood (the golden data leaves the automatic set empty).
#[test]
fn given_modellable_params_change_the_scores() {
    let Some(dir) = golden_dir() else { return };
    let s = sessions_frame(&dir);
    let sessions = Sessions::from_frame(
        &s,
        "Operation_list",
        Some("Parameters_list"),
        SessionKind::CmdsParamsValues,
    )
    .unwrap();
    let auto = Model::train(&sessions).unwrap();
    let given = Model::train_with(&sessions, Some(&["ResultSize".to_string()])).unwrap();
    assert_eq!(given.modellable_params(), ["ResultSize".to_string()]);
    let a = auto.session_likelihoods(&sessions, true).unwrap();
    let b = given.session_likelihoods(&sessions, true).unwrap();
    // session 0 is three Get-Mailbox calls with ResultSize: its score changes
    assert_ne!(a[0], b[0]);
    // session 7 (Get-User, Get-User, Set-User) has no ResultSize: unchanged
    assert_eq!(a[7], b[7]);
}
