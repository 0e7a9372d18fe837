//! The GeoIP map draws its basemap and points in a real browser with the
//! network blocked (headless Chromium, name resolution disabled), and the
//! same page without the bundled topojson draws nothing: plotly.js would
//! fetch it from a CDN. Skipped with a message when Chromium is absent.

use huntbook::prelude::*;
use std::process::Command;

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

fn render(browser: &str, html: &str, name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("hb-geo-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let page = dir.join(name);
    std::fs::write(&page, html).unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--virtual-time-budget=8000",
            "--dump-dom",
        ])
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn layer_paths(dom: &str, layer: &str) -> usize {
    let tag = format!("<g class=\"layer {layer}\">");
    dom.split(&tag)
        .nth(1)
        .map(|rest| {
            rest.split("</g>")
                .next()
                .unwrap_or("")
                .matches("<path d=\"M")
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn map_renders_offline_in_a_browser() {
    let Some(browser) = chromium() else {
        println!("skipping: no chromium to render the map");
        return;
    };
    let dir = huntbook::data::bundled("maxmind").unwrap();
    let geo = GeoLiteLookup::open(dir.join("GeoLite2-City-Test.mmdb")).unwrap();
    let res = geo.lookup_ips([
        "81.2.69.142",
        "2.125.160.216",
        "175.16.199.1",
        "216.160.83.57",
    ]);
    let map = res.map().unwrap();
    let html = map.to_standalone_html();
    let dom = render(browser, &html, "map.html");
    assert!(layer_paths(&dom, "land") >= 1, "no land drawn");
    assert!(layer_paths(&dom, "countries") >= 1, "no countries drawn");
    assert_eq!(dom.matches("class=\"point\"").count(), 4);
    // control: without the bundled topojson plotly.js has nothing to draw
    let without = html.replacen(
        "w.PlotlyGeoAssets.topojson[\"world_110m\"]=",
        "w.__hbUnused=",
        1,
    );
    let dom = render(browser, &without, "control.html");
    assert_eq!(layer_paths(&dom, "land"), 0);
    assert_eq!(dom.matches("class=\"point\"").count(), 0);
}
