//! Anomalous sequences through the public API: hand-computed scores, bad
//! input (null users, unsorted times, sessions of length 0 and 1, unseen
//! commands, non-text parameters, sliced and null lists) and hostile text in
//! the displays.

use huntbook::analysis::anomalous_sequence::{
    Cmd, Model, SessionKind, SessionScorer, Sessionizer, Sessions, score_sessions,
};
use huntbook::prelude::*;

fn list(items: &[&str]) -> Series {
    Series::new("".into(), items)
}

fn names(cmds: &[Cmd]) -> Vec<String> {
    cmds.iter().map(|c| c.name.clone()).collect()
}

#[test]
fn hand_computed_rarest_window() {
    // Two sessions [a, b] and [a]: n = 5 tokens (START, END, UNK, a, b).
    // P(a|START) = 3/6, P(b|a) = 2/6, P(END|a) = 2/6, P(END|b) = 2/5,
    // prior(a) = 10/39, prior(b) = 9/39.
    let df = DataFrame::new_infer_height(vec![Column::new(
        "ops".into(),
        [list(&["a", "b"]), list(&["a"])],
    )])
    .unwrap();
    let scored = score_sessions(&df, "ops", 2).unwrap();
    let lik = scored
        .df()
        .column("rarest_window2_likelihood")
        .unwrap()
        .f64()
        .unwrap()
        .clone();
    // session 0 windows: [a b] = 3/6 * 2/6 = 1/6; [b END] = 9/39 * 2/5 = 0.0923
    let w0 = 9.0 / 39.0 * (2.0 / 5.0);
    assert!((lik.get(0).unwrap() - w0).abs() < 1e-15);
    assert_eq!(names(&scored.rarest_window(0)), ["b"]);
    // session 1: [a END] from START = 3/6 * 2/6
    assert!((lik.get(1).unwrap() - 3.0 / 6.0 * (2.0 / 6.0)).abs() < 1e-15);
    let win = scored
        .df()
        .column("rarest_window2")
        .unwrap()
        .list()
        .unwrap()
        .clone();
    let w = win.get_as_series(0).unwrap();
    assert_eq!(w.str().unwrap().get(0), Some("b"));
    // window 3: session [a] + END is too short
    let scored = score_sessions(&df, "ops", 3).unwrap();
    let lik = scored
        .df()
        .column("rarest_window3_likelihood")
        .unwrap()
        .f64()
        .unwrap()
        .clone();
    assert_eq!(lik.get(1), None);
    assert!(scored.rarest_window(1).is_empty());
}

#[test]
fn sessions_of_length_zero_and_one_and_null() {
    let col = Series::new(
        "ops".into(),
        [
            Some(list(&["x", "y", "x"])),
            Some(list(&[])),
            None,
            Some(list(&["x"])),
        ],
    );
    let df = DataFrame::new_infer_height(vec![col.into_column()]).unwrap();
    let scored = SessionScorer::new("ops")
        .window_length(2)
        .score(&df)
        .unwrap();
    let lik = scored
        .df()
        .column("rarest_window2_likelihood")
        .unwrap()
        .f64()
        .unwrap()
        .clone();
    assert!(lik.get(0).is_some());
    assert_eq!(lik.get(1), None, "empty session: no score");
    assert_eq!(lik.get(2), None, "null session: no score");
    assert!(lik.get(3).is_some(), "one command + END is a window of 2");
    assert_eq!(scored.sessions().session_len(2), 0);
    let text = scored.to_text();
    assert!(text.starts_with("4 sessions (4 events), cmds_only model, windows of 2: 2 scored, 2 without a window (2 empty"), "{text}");
    // the model trains on the two non-empty sessions only
    let c = scored.model().counts(false);
    assert_eq!(c.seq1["##START##"], 2);
    // all empty: a clear error
    let empty = DataFrame::new_infer_height(vec![Column::new("ops".into(), [list(&[])])]).unwrap();
    let err = score_sessions(&empty, "ops", 2).unwrap_err();
    assert!(
        err.to_string().contains("no session has a command"),
        "{err}"
    );
}

#[test]
fn sliced_frames_read_the_right_lists() {
    let df = DataFrame::new_infer_height(vec![Column::new(
        "ops".into(),
        [list(&["a", "b"]), list(&["c"]), list(&["d", "e", "f"])],
    )])
    .unwrap();
    let sliced = df.slice(1, 2);
    let s = Sessions::from_frame(&sliced, "ops", None, SessionKind::Cmds).unwrap();
    assert_eq!(names(&s.session(0)), ["c"]);
    assert_eq!(names(&s.session(1)), ["d", "e", "f"]);
}

#[test]
fn unseen_commands_params_and_values_at_scoring_time() {
    let train = Sessions::from_cmd_lists(
        [
            vec![
                Cmd::with_values("Get-Mailbox", [("Identity", "bob")]),
                Cmd::with_values("Set-Mailbox", [("Identity", "bob")]),
            ],
            vec![Cmd::with_values("Get-Mailbox", [("Identity", "amy")])],
        ],
        SessionKind::CmdsParamsValues,
    );
    let model = Model::train_with(&train, Some(&["Identity".to_string()])).unwrap();
    let test = Sessions::from_cmd_lists(
        [
            vec![Cmd::with_values(
                "New-InboxRule",
                [("ForwardTo", "x@evil.test")],
            )],
            vec![Cmd::with_values("Get-Mailbox", [("Identity", "mallory")])],
            vec![Cmd::with_values("Get-Mailbox", [("Identity", "bob")])],
        ],
        SessionKind::CmdsParamsValues,
    );
    let lik = model.session_likelihoods(&test, true).unwrap();
    // unknown command with an unknown param: P(UNK|START) * P(param set | UNK cmd)
    // * P(END | UNK row). The UNK command's only reference param is ##UNK##,
    // absent here: (1 - 1/seq1[UNK])^(1/1).
    let c = model.counts(true);
    let p_unk_start = model.trans_prob("##START##", "New-InboxRule");
    let pp = 1.0 - 1.0 / c.seq1["##UNK##"] as f64;
    let p_end = model.trans_prob("##UNK##", "##END##");
    assert!((lik[0].unwrap() - p_unk_start * pp * p_end).abs() < 1e-15);
    // an unseen value of a modelled param is less likely than a seen one
    assert!(lik[1].unwrap() < lik[2].unwrap());
    // a model of another kind refuses these sessions
    let cmds = Model::train(&Sessions::from_cmds([vec!["a"]])).unwrap();
    let err = cmds.session_likelihoods(&test, true).unwrap_err();
    assert!(err.to_string().contains("trained on cmds_only"), "{err}");
}

#[test]
fn non_text_parameters_from_json_and_structs() {
    // JSON text: numbers and booleans become text; false/0/"" are "no value".
    let ops = Column::new("ops".into(), [list(&["Set-X", "Set-X"])]);
    let params = Column::new(
        "params".into(),
        [list(&[
            r#"{"Count": 100, "Force": true, "Quiet": false, "Zero": 0, "Nested": {"a": 1}}"#,
            r#"[{"Name": "Count", "Value": 100}]"#,
        ])],
    );
    let df = DataFrame::new_infer_height(vec![ops, params]).unwrap();
    let s =
        Sessions::from_frame(&df, "ops", Some("params"), SessionKind::CmdsParamsValues).unwrap();
    let first = s.session(0)[0].clone();
    assert_eq!(
        first.params,
        vec![
            ("Count".to_string(), Some("100".to_string())),
            ("Force".to_string(), Some("true".to_string())),
            ("Quiet".to_string(), None),
            ("Zero".to_string(), None),
            ("Nested".to_string(), Some(r#"{"a":1}"#.to_string())),
        ]
    );
    // Struct items with integer and boolean fields (as polars reads JSON objects).
    let events = df!(
        "u" => ["a", "a"],
        "t" => ["2024-01-01T00:00:00Z", "2024-01-01T00:00:10Z"],
        "op" => ["Set-X", "Set-X"],
    )
    .unwrap();
    let p = StructChunked::from_series(
        "p".into(),
        2,
        [
            Series::new("Count".into(), [Some(5i64), Some(0)]),
            Series::new("Force".into(), [Some(true), None]),
        ]
        .iter(),
    )
    .unwrap()
    .into_series();
    let mut events = events;
    events.with_column(p.into_column()).unwrap();
    let sessions = Sessionizer::new(["u"], "t")
        .event_column("op")
        .event_column("p")
        .sessionize(&events)
        .unwrap();
    let s = Sessions::from_frame(
        &sessions,
        "op_list",
        Some("p_list"),
        SessionKind::CmdsParamsValues,
    )
    .unwrap();
    let cmds = s.session(0);
    assert_eq!(
        cmds[0].params,
        vec![
            ("Count".to_string(), Some("5".to_string())),
            ("Force".to_string(), Some("true".to_string()))
        ]
    );
    assert_eq!(cmds[1].params, vec![("Count".to_string(), None)]);
    // a params column of the wrong type is a clear error
    let bad = DataFrame::new_infer_height(vec![
        Column::new("ops".into(), [list(&["a"])]),
        Column::new("params".into(), [Series::new("".into(), [1.5f64])]),
    ])
    .unwrap();
    let err =
        Sessions::from_frame(&bad, "ops", Some("params"), SessionKind::CmdsParams).unwrap_err();
    assert!(
        err.to_string()
            .contains("expected structs, JSON text or lists"),
        "{err}"
    );
    // bad JSON names the event
    let bad = DataFrame::new_infer_height(vec![
        Column::new("ops".into(), [list(&["a"])]),
        Column::new("params".into(), [list(&["{oops"])]),
    ])
    .unwrap();
    let err =
        Sessions::from_frame(&bad, "ops", Some("params"), SessionKind::CmdsParams).unwrap_err();
    assert!(
        err.to_string().contains("params column 'params' event 0"),
        "{err}"
    );
}

#[test]
fn mismatched_and_missing_columns() {
    let df = DataFrame::new_infer_height(vec![
        Column::new("ops".into(), [list(&["a", "b"])]),
        Column::new("params".into(), [list(&["{}"])]),
    ])
    .unwrap();
    let err =
        Sessions::from_frame(&df, "ops", Some("params"), SessionKind::CmdsParams).unwrap_err();
    assert!(
        err.to_string()
            .contains("session 0 has 2 commands but 1 parameter items"),
        "{err}"
    );
    let err = Sessions::from_frame(&df, "nope", None, SessionKind::Cmds).unwrap_err();
    assert!(
        err.to_string().starts_with("column 'nope' not found"),
        "{err}"
    );
    let err = Sessions::from_frame(&df, "ops", None, SessionKind::CmdsParams).unwrap_err();
    assert!(err.to_string().contains("params_column"), "{err}");
    let flat = df!("ops" => ["a"]).unwrap();
    let err = Sessions::from_frame(&flat, "ops", None, SessionKind::Cmds).unwrap_err();
    assert!(
        err.to_string().contains("expected a list per session"),
        "{err}"
    );
    let nulls = DataFrame::new_infer_height(vec![Column::new(
        "ops".into(),
        [Series::new("".into(), [Some("a"), None])],
    )])
    .unwrap();
    let err = Sessions::from_frame(&nulls, "ops", None, SessionKind::Cmds).unwrap_err();
    assert!(
        err.to_string()
            .contains("session 0 has a null command at position 1"),
        "{err}"
    );
}

#[test]
fn null_users_and_unsorted_times_through_scoring() {
    let events = df!(
        "UserId" => [None, Some("eve"), Some("eve"), None, Some("eve")],
        "TimeGenerated" => [
            "2024-03-04T10:00:30Z", "2024-03-04T10:01:00Z", "2024-03-04T10:00:00Z",
            "2024-03-04T10:00:00Z", "2024-03-04T10:02:00Z",
        ],
        "Operation" => ["y", "b", "a", "x", "c"],
    )
    .unwrap();
    let sessions = Sessionizer::new(["UserId"], "TimeGenerated")
        .event_column("Operation")
        .sessionize(&events)
        .unwrap();
    let scored = SessionScorer::new("Operation_list")
        .window_length(2)
        .score(&sessions)
        .unwrap();
    assert_eq!(names(&scored.sessions().session(0)), ["a", "b", "c"]);
    assert_eq!(names(&scored.sessions().session(1)), ["x", "y"]);
    let users: Vec<Option<&str>> = scored
        .df()
        .column("UserId")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(users, [Some("eve"), None]);
}

#[test]
fn displays_and_chart_escape_hostile_commands() {
    let events = df!(
        "UserId" => ["<img src=x onerror=alert(1)>", "bob", "bob"],
        "TimeGenerated" => ["2024-03-04T10:00:00Z", "2024-03-04T11:00:00Z", "2024-03-04T11:00:30Z"],
        "Operation" => ["<script>alert(1)</script>", "Get-User", "Set-User"],
    )
    .unwrap();
    let sessions = Sessionizer::new(["UserId"], "TimeGenerated")
        .event_column("Operation")
        .sessionize(&events)
        .unwrap();
    let scored = SessionScorer::new("Operation_list")
        .window_length(2)
        .score(&sessions)
        .unwrap();
    let html = scored.to_html();
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(html.contains("&lt;script&gt;"));
    assert!(!html.contains("<img src=x"));
    let chart = scored.chart().unwrap();
    let fig = chart.figure_json().unwrap();
    let text = fig["data"][0]["text"].to_string();
    assert!(text.contains("&lt;script&gt;"), "{text}");
    assert!(!text.contains("<script>"));
    let lanes = fig["data"][0]["y"].to_string();
    assert!(!lanes.contains("<img"), "{lanes}");
    let page = chart.html_fragment(false).unwrap();
    assert!(!page.contains("<script>alert(1)"));
}

#[test]
fn geo_mean_and_tokens_options() {
    let df = DataFrame::new_infer_height(vec![Column::new(
        "ops".into(),
        [list(&["a", "b", "c"]), list(&["a", "b"]), list(&["a", "c"])],
    )])
    .unwrap();
    let plain = SessionScorer::new("ops")
        .window_length(2)
        .score(&df)
        .unwrap();
    let geo = SessionScorer::new("ops")
        .window_length(2)
        .geo_mean(true)
        .score(&df)
        .unwrap();
    let p = plain
        .df()
        .column("rarest_window2_likelihood")
        .unwrap()
        .f64()
        .unwrap()
        .get(0)
        .unwrap();
    let g = geo
        .df()
        .column("rarest_window2_geo_likelihood")
        .unwrap()
        .f64()
        .unwrap()
        .get(0)
        .unwrap();
    assert!((g - p.sqrt()).abs() < 1e-15);
    let no_tokens = SessionScorer::new("ops")
        .window_length(2)
        .start_end_tokens(false)
        .score(&df)
        .unwrap();
    let m = no_tokens.model();
    let n = no_tokens
        .df()
        .column("rarest_window2_likelihood")
        .unwrap()
        .f64()
        .unwrap()
        .get(1)
        .unwrap();
    // [a, b] without tokens has one window: prior(a) * P(b|a)
    assert!((n - m.prior_prob("a") * m.trans_prob("a", "b")).abs() < 1e-15);
    let rarest = plain.rarest(1).unwrap();
    assert_eq!(rarest.height(), 1);
}
