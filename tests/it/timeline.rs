//! Timelines, value/duration charts, analysis chart hooks and the data viewer,
//! through the public API: the generated plotly JSON and the escaping.

use huntbook::prelude::*;
use serde_json::Value;

fn events() -> DataFrame {
    df!(
        "TimeGenerated" => ["2019-01-15 05:24:24.010", "2019-01-15 05:25:00", "2019-01-15 05:26:00", "2019-01-15 05:27:00"],
        "Account" => ["alice", "bob", "alice", "<script>alert(1)</script>"],
        "CommandLine" => ["whoami", "net user /domain", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)"],
    )
    .unwrap()
}

fn fig(chart: &Chart) -> Value {
    chart.figure_json().unwrap()
}

#[test]
fn one_series_by_default() {
    let f = fig(&Timeline::new(&events()).build().unwrap());
    let data = f["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["name"], "events");
    assert_eq!(data[0]["type"], "scatter");
    assert_eq!(data[0]["x"][0], "2019-01-15 05:24:24.010000");
    assert_eq!(data[0]["x"].as_array().unwrap().len(), 4);
    assert_eq!(f["layout"]["xaxis"]["type"], "date");
    assert_eq!(f["layout"]["xaxis"]["rangeslider"]["visible"], true);
    assert_eq!(f["layout"]["showlegend"], false);
}

#[test]
fn group_by_makes_one_lane_per_value_and_escapes_names() {
    let f = fig(&Timeline::new(&events())
        .group_by("Account")
        .build()
        .unwrap());
    let names: Vec<&str> = f["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["alice", "bob", "&lt;script&gt;alert(1)&lt;/script&gt;"]
    );
    assert_eq!(f["data"][0]["x"].as_array().unwrap().len(), 2);
    assert_eq!(
        f["data"][2]["y"][0],
        "&lt;script&gt;alert(1)&lt;/script&gt;"
    );
}

#[test]
fn tooltips_hold_escaped_source_columns() {
    let f = fig(&Timeline::new(&events())
        .tooltips(["Account", "CommandLine"])
        .build()
        .unwrap());
    let texts: Vec<&str> = f["data"][0]["text"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(texts[0], "Account: alice<br>CommandLine: whoami");
    assert_eq!(
        texts[2],
        "Account: alice<br>CommandLine: &quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
    );
    assert_eq!(
        texts[3],
        "Account: &lt;script&gt;alert(1)&lt;/script&gt;<br>CommandLine: javascript:alert(1)"
    );
    // and nothing hostile survives into the notebook HTML
    let html = Timeline::new(&events())
        .tooltips(["CommandLine"])
        .build()
        .unwrap()
        .html_fragment(false)
        .unwrap();
    assert!(!html.contains("<img"));
    assert!(!html.contains("<script>alert"));
}

#[test]
fn several_frames_with_own_columns_labels_and_colours() {
    let logons = df!(
        "LogonTime" => ["2019-01-15 05:15:02", "2019-01-15 05:15:04"],
        "TargetUserName" => ["MSTICAdmin", "SYSTEM"],
    )
    .unwrap();
    let f = fig(&Timeline::new(&events())
        .label("processes")
        .add_frame(&logons, Some("logons"))
        .time_column("LogonTime")
        .color("red")
        .group_by("TargetUserName")
        .build()
        .unwrap());
    let names: Vec<&str> = f["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["processes", "logons: MSTICAdmin", "logons: SYSTEM"]
    );
    assert_eq!(f["data"][1]["marker"]["color"], "red");
    assert!(f["data"][0]["marker"].get("color").is_none());
    assert_eq!(f["layout"]["showlegend"], true);
}

#[test]
fn reference_markers_and_layout_options() {
    let f = fig(&Timeline::new(&events())
        .ref_time("2019-01-15T05:25:30Z", "<b>alert</b>")
        .unwrap()
        .markers([RefMarker::parse("2019-01-15 05:26:30", "second").unwrap()])
        .title("Hunt <1>")
        .height(300)
        .width(900)
        .legend(LegendPosition::Bottom)
        .range_slider(false)
        .build()
        .unwrap());
    let l = &f["layout"];
    assert_eq!(l["shapes"].as_array().unwrap().len(), 2);
    assert_eq!(l["shapes"][0]["x0"], "2019-01-15 05:25:30.000000");
    assert_eq!(l["annotations"][0]["text"], "&lt;b&gt;alert&lt;/b&gt;");
    assert_eq!(l["annotations"][1]["text"], "second");
    assert_eq!(l["title"]["text"], "Hunt &lt;1&gt;");
    assert_eq!(l["height"], 300);
    assert_eq!(l["width"], 900);
    assert_eq!(l["legend"]["orientation"], "h");
    assert!(l["xaxis"].get("rangeslider").is_none());
}

#[test]
fn bad_input_is_a_clear_error() {
    let e = Timeline::new(&events())
        .time_column("When")
        .build()
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "column 'When' not found in the timeline's frame with columns [TimeGenerated, Account, CommandLine]"
    );
    let e = Timeline::new(&events())
        .tooltips(["Nope"])
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("column 'Nope' not found in the timeline's frame (tooltip column)"),
        "{e}"
    );
    let e = Timeline::new(&events())
        .time_column("Account")
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("4 values are text that is not an ISO date/time"),
        "{e}"
    );
    let e = Timeline::empty().build().unwrap_err().to_string();
    assert_eq!(e, "invalid timeline: no frames: add one with add_frame");
    assert!(Timeline::new(&events()).ref_time("soon", "x").is_err());
}

#[test]
fn null_times_are_counted_in_a_notice_not_dropped_silently() {
    let df = df!("TimeGenerated" => [Some("2019-01-15 05:24:24"), None, None]).unwrap();
    let f = fig(&Timeline::new(&df).build().unwrap());
    assert_eq!(f["data"][0]["x"].as_array().unwrap().len(), 1);
    assert_eq!(
        f["layout"]["annotations"][0]["text"],
        "2 events without a time are not drawn"
    );
}

#[test]
fn big_inputs_switch_to_webgl_then_to_buckets() {
    let n = 20_000usize;
    let t: Vec<i64> = (0..n as i64)
        .map(|i| 1_547_530_000_000_000 + i * 1_000_000)
        .collect();
    let df = df!("TimeGenerated" => t).unwrap();
    let df = df
        .lazy()
        .with_column(col("TimeGenerated").cast(DataType::Datetime(
            TimeUnit::Microseconds,
            Some(TimeZone::UTC),
        )))
        .collect()
        .unwrap();
    let f = fig(&Timeline::new(&df).build().unwrap());
    assert_eq!(f["data"][0]["type"], "scattergl");
    assert_eq!(f["data"][0]["x"].as_array().unwrap().len(), n);
    let f = fig(&Timeline::new(&df).max_points(1_000).build().unwrap());
    let x = f["data"][0]["x"].as_array().unwrap();
    assert!(x.len() <= 1_001, "{}", x.len());
    let total: u64 = f["data"][0]["text"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            t.as_str()
                .unwrap()
                .trim_end_matches(" events")
                .parse::<u64>()
                .unwrap()
        })
        .sum();
    assert_eq!(total, n as u64, "every event is counted in some bucket");
    assert!(
        f["layout"]["annotations"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("20000 events: counted into time buckets")
    );
}

#[test]
fn value_timeline_kinds_and_groups() {
    let df = df!(
        "TimeGenerated" => ["2024-01-01 00:00:00", "2024-01-01 01:00:00", "2024-01-01 02:00:00"],
        "bytes" => [10i64, 300, 20],
        "host" => ["a", "a", "b"],
    )
    .unwrap();
    let f = fig(&ValueTimeline::new(&df, "bytes")
        .group_by("host")
        .kinds([ValueKind::Bar, ValueKind::Line, ValueKind::Markers])
        .build()
        .unwrap());
    let kinds: Vec<(String, String)> = f["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().into(),
                format!(
                    "{}/{}",
                    t["type"].as_str().unwrap(),
                    t["mode"].as_str().unwrap_or("-")
                ),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("a".into(), "bar/-".into()),
            ("a".into(), "scatter/lines".into()),
            ("a".into(), "scatter/markers".into()),
            ("b".into(), "bar/-".into()),
            ("b".into(), "scatter/lines".into()),
            ("b".into(), "scatter/markers".into()),
        ]
    );
    assert_eq!(f["data"][0]["y"], serde_json::json!([10.0, 300.0]));
    let e = ValueTimeline::new(&df, "host")
        .build()
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "invalid value column 'host': has dtype str; expected numbers"
    );
}

#[test]
fn duration_timeline_spans_each_group() {
    let d = DurationTimeline::new(&events(), "Account");
    let s = d.summary().unwrap();
    assert_eq!(
        s.column("Account").unwrap().str().unwrap().get(1),
        Some("alice")
    );
    assert_eq!(
        s.column("FirstEvent").unwrap().str().unwrap().get(1),
        Some("2019-01-15 05:24:24.010000")
    );
    assert_eq!(
        s.column("LastEvent").unwrap().str().unwrap().get(1),
        Some("2019-01-15 05:26:00.000000")
    );
    assert_eq!(
        s.column("DurationSeconds").unwrap().f64().unwrap().get(1),
        Some(95.99)
    );
    assert_eq!(s.column("Events").unwrap().u64().unwrap().get(1), Some(2));
    let f = fig(&d.build().unwrap());
    assert_eq!(f["data"][0]["orientation"], "h");
    assert_eq!(f["data"][0]["y"][1], "alice");
    assert_eq!(f["data"][0]["base"][1], "2019-01-15 05:24:24.010000");
    assert_eq!(f["data"][0]["x"][1], 95990.0);
    assert_eq!(f["data"][1]["x"].as_array().unwrap().len(), 4);
}

#[test]
fn analysis_hooks() {
    let ts = df!(
        "TimeGenerated" => ["2024-01-01 00:00", "2024-01-01 01:00", "2024-01-01 02:00"],
        "Total" => [10i64, 95, 12],
        "baseline" => [11i64, 12, 11],
        "anomalies" => [0i64, 1, 0],
    )
    .unwrap();
    let f = fig(&TimeSeriesChart::new(&ts, "Total").build().unwrap());
    let names: Vec<&str> = f["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Total", "baseline", "anomalies"]);
    assert_eq!(
        f["data"][2]["x"],
        serde_json::json!(["2024-01-01 01:00:00.000000"])
    );
    assert_eq!(f["data"][2]["y"], serde_json::json!([95.0]));
    let e = TimeSeriesChart::new(&ts, "TimeGenerated")
        .build()
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "invalid value column 'TimeGenerated': has dtype str; expected numbers"
    );

    let sessions = df!(
        "start" => ["2024-01-01 00:00", "2024-01-01 01:00"],
        "UserId" => ["a", "<i>b</i>"],
        "rarest_window3_likelihood" => [0.5f64, 0.001],
        "rarest_window3" => ["Set-Mailbox", "New-InboxRule <x>"],
    )
    .unwrap();
    let f = fig(
        &ScoredSessionsChart::new(&sessions, "start", "rarest_window3_likelihood")
            .lane_column("UserId")
            .tooltips(["rarest_window3"])
            .build()
            .unwrap(),
    );
    let t = &f["data"][0];
    assert_eq!(t["y"], serde_json::json!(["a", "&lt;i&gt;b&lt;/i&gt;"]));
    assert_eq!(t["marker"]["color"][1], -3.0);
    assert_eq!(
        t["text"][1],
        "rarest_window3_likelihood: 0.001<br>rarest_window3: New-InboxRule &lt;x&gt;"
    );
}

#[test]
fn data_viewer_embeds_rows_as_json_and_caps_them() {
    let v = DataViewer::new(&events()).max_rows(2);
    let spec = v.spec();
    assert_eq!(spec["rows"].as_array().unwrap().len(), 2);
    assert_eq!(spec["total"], 4);
    assert_eq!(
        spec["notice"],
        "4 rows: showing the first 2; filter the frame to see the rest"
    );
    assert_eq!(spec["columns"][0]["dtype"], "str");
    let sampled = DataViewer::new(&events()).max_rows(2).sample(true).spec();
    assert_eq!(sampled["rows"][1][1], "alice");
    let html = DataViewer::new(&events()).to_html();
    assert!(!html.contains("<script>alert"));
    assert!(!html.contains("<img"));
    assert!(html.contains("\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"));
    assert_eq!(html.matches("<script>").count(), 1);
}
