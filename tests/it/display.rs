//! Notebook display through the public API: escaping, DataFrame tables, charts.

use huntbook::display::{TEXT_HTML, TEXT_PLAIN, render};
use huntbook::prelude::*;

const PAYLOADS: [&str; 3] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "javascript:alert(document.cookie)",
];

fn payload_frame() -> DataFrame {
    df!(
        "<script>col</script>" => PAYLOADS,
        "n" => [1i64, 2, 3],
    )
    .unwrap()
}

#[test]
fn hostile_cells_render_as_text() {
    let html = payload_frame().to_html();
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<script>col"), "{html}");
    assert!(html.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"));
    assert!(html.contains("<td>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</td>"));
    // a javascript: URL stays plain text: never an href or src
    assert!(html.contains("<td>javascript:alert(document.cookie)</td>"));
    assert!(!html.contains("href"));
    assert!(html.contains("<th>&lt;script&gt;col&lt;/script&gt;"));
}

#[test]
fn hostile_tooltips_are_escaped() {
    let long = format!("{}{}", "x".repeat(120), "\"><script>alert(1)</script>");
    let df = df!("c" => [long.as_str()]).unwrap();
    let html = huntbook::vis::table::table_html(&df, &TableOptions::new().max_cell_chars(10));
    assert!(html.contains("<td title=\"xxxxxxxxxx"), "{html}");
    assert!(
        html.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\">xxxxxxxxx…</td>"),
        "{html}"
    );
    assert!(!html.contains("<script>alert"));
}

#[test]
fn small_frame_exact_html() {
    let df = df!("host" => ["web01", "db<1>"], "port" => [443i64, 22]).unwrap();
    let html = huntbook::vis::table::table_html(&df, &TableOptions::default());
    let body = html.split("</style>").nth(1).unwrap();
    assert_eq!(
        body,
        "<div class=\"hb-shape\">shape: (2, 2)</div><table><thead><tr>\
         <th>host<span class=\"hb-dtype\">str</span></th>\
         <th>port<span class=\"hb-dtype\">i64</span></th></tr></thead><tbody>\
         <tr><td>web01</td><td class=\"hb-num\">443</td></tr>\
         <tr><td>db&lt;1&gt;</td><td class=\"hb-num\">22</td></tr>\
         </tbody></table></div>"
    );
    assert!(html.starts_with("<div class=\"hb-table\"><style>"));
}

#[test]
fn long_frame_shows_first_and_last_rows() {
    let n: Vec<i64> = (0..1000).collect();
    let df = df!("n" => n).unwrap();
    let html = huntbook::vis::table::table_html(&df, &TableOptions::new().max_rows(6));
    assert!(html.contains("shape: (1000, 1)"));
    let cells: Vec<&str> = html
        .split("<td")
        .skip(1)
        .map(|c| c.split('>').nth(1).unwrap().trim_end_matches("</td"))
        .collect();
    assert_eq!(cells, vec!["0", "1", "2", "…", "997", "998", "999"]);
}

#[test]
fn wide_frame_shows_first_and_last_columns() {
    let cols: Vec<Column> = (0..10)
        .map(|i| Column::new(format!("c{i}").into(), [i as i64]))
        .collect();
    let df = DataFrame::new_infer_height(cols).unwrap();
    let html = huntbook::vis::table::table_html(&df, &TableOptions::new().max_cols(4));
    let heads: Vec<&str> = html
        .split("<th>")
        .skip(1)
        .map(|h| h.split(['<']).next().unwrap())
        .collect();
    assert_eq!(heads, vec!["c0", "c1", "…", "c8", "c9"]);
}

#[test]
fn every_dtype_renders() {
    let ts = Column::new("ts".into(), [Some(1_709_539_201_040_000i64), None])
        .cast(&DataType::Datetime(
            TimeUnit::Microseconds,
            Some(TimeZone::UTC),
        ))
        .unwrap();
    let list = Column::new(
        "list".into(),
        [
            Series::new("".into(), [1i64, 2, 3]),
            Series::new("".into(), [4i64]),
        ],
    );
    let df = DataFrame::new_infer_height(vec![
        Column::new("s".into(), [Some("a"), None]),
        Column::new("i".into(), [Some(-5i64), None]),
        Column::new("f".into(), [Some(1.5f64), None]),
        Column::new("b".into(), [Some(true), None]),
        ts,
        list,
    ])
    .unwrap();
    let html = df.to_html();
    for dtype in [
        "str",
        "i64",
        "f64",
        "bool",
        "datetime[μs, UTC]",
        "list[i64]",
    ] {
        assert!(
            html.contains(&format!("<span class=\"hb-dtype\">{dtype}</span>")),
            "{dtype}: {html}"
        );
    }
    assert!(html.contains("<td class=\"hb-num\">-5</td>"));
    assert!(html.contains("<td class=\"hb-num\">1.5</td>"));
    assert!(html.contains("<td>true</td>"));
    assert!(
        html.contains("<td>2024-03-04 08:00:01.040 UTC</td>"),
        "{html}"
    );
    assert!(html.contains("<td>[1, 2, 3]</td>"));
    assert_eq!(html.matches("<td class=\"hb-null\">null</td>").count(), 5);
}

#[test]
fn evcxr_protocol_carries_html_and_text() {
    let df = df!("x" => [1i64]).unwrap();
    let out = render(&[(TEXT_PLAIN, &df.to_text()), (TEXT_HTML, &df.to_html())]);
    assert!(out.starts_with("EVCXR_BEGIN_CONTENT text/plain\nshape: (1, 1)"));
    assert!(
        out.contains("EVCXR_END_CONTENT\nEVCXR_BEGIN_CONTENT text/html\n<div class=\"hb-table\">")
    );
    assert!(out.ends_with("EVCXR_END_CONTENT\n"));
}

#[test]
fn chart_html_escapes_data_and_embeds_plotly_once() {
    use huntbook::plotly::{Bar, Plot};
    let mut plot = Plot::new();
    plot.add_trace(Bar::new(
        vec!["</script><script>alert(1)</script>"],
        vec![1],
    ));
    let chart = Chart::new(plot);
    let without = chart.html_fragment(false).unwrap();
    assert!(!without.contains("</script><script>alert"), "{without}");
    assert!(without.contains("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)"));
    assert!(!without.contains("plotly.js v3"));
    let with = chart.html_fragment(true).unwrap();
    assert_eq!(with.matches("plotly.js v3.0.1").count(), 1);
    assert!(
        !with.contains("<script src"),
        "charts must not load scripts from anywhere"
    );
    let page = chart.to_standalone_html().unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
}
