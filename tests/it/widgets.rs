//! Widgets through the public API: values round-trip through the store the
//! browser writes to, survive re-display, setters validate, every label is
//! escaped, secrets never reach an output, and nothing listens on a socket.

use huntbook::prelude::*;
use huntbook::widgets::store::{MAX_VALUE_BYTES, encode_hex};
use huntbook::widgets::{KeySource, TimeUnit};

fn store(name: &str) -> WidgetStore {
    let dir = std::env::temp_dir().join(format!("hb-widgets-it-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    WidgetStore::at(dir).unwrap()
}

/// What the widget's JavaScript makes the kernel run, minus the compile.
fn browser_sends(store: &WidgetStore, id: &str, json: &str) -> huntbook::Result<()> {
    store.receive(id, &encode_hex(json))
}

const XSS: &str = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";

fn assert_escaped(html: &str) {
    assert!(!html.contains("<script>alert"), "raw script in {html}");
    assert!(!html.contains("<img"), "raw img in output");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "escaped label missing"
    );
    // the only script element is huntbook's own
    assert_eq!(html.matches("<script>").count(), 1);
    assert_eq!(html.matches("</script>").count(), 1);
}

#[test]
fn query_time_round_trip_and_redisplay() {
    let s = store("qt");
    let make = || {
        QueryTime::new()
            .origin_str("2019-01-15 05:00:00")
            .unwrap()
            .units(TimeUnit::Hour)
            .before(1)
            .after(1)
            .store(s.clone())
    };
    let qt = make();
    assert_eq!(qt.start().unwrap().to_string(), "2019-01-15 04:00:00 UTC");
    assert_eq!(qt.end().unwrap().to_string(), "2019-01-15 06:00:00 UTC");
    // the browser moves the origin and the sliders
    browser_sends(
        &s,
        qt.widget_id(),
        r#"{"origin":"2019-01-15T04:30:00Z","before":30,"after":15,"units":"minute"}"#,
    )
    .unwrap();
    // "next cell": a new value of the same widget (re-running the cell) sees it
    let again = make();
    assert_eq!(again.widget_id(), qt.widget_id());
    assert_eq!(
        again.start().unwrap().to_string(),
        "2019-01-15 04:00:00 UTC"
    );
    assert_eq!(again.end().unwrap().to_string(), "2019-01-15 04:45:00 UTC");
    assert_eq!(again.time_unit().unwrap(), TimeUnit::Minute);
    let html = again.to_html();
    assert!(html.contains(r#"value="2019-01-15""#));
    assert!(html.contains(r#"value="04:30:00""#));
    assert!(html.contains(r#"<option value="minute" selected="">minute</option>"#));
    assert!(html.contains(">2019-01-15 04:00:00</span>"));
    assert_eq!(
        again.to_text(),
        "Set query time boundaries: 2019-01-15 04:00:00 to 2019-01-15 04:45:00 (UTC; origin 2019-01-15 04:30:00, -30 / +15 minutes)"
    );
    again.reset().unwrap();
    assert_eq!(
        again.start().unwrap().to_string(),
        "2019-01-15 04:00:00 UTC"
    );
    std::fs::remove_dir_all(s.dir()).ok();
}

#[test]
fn query_time_defaults_are_msticpys() {
    let s = store("qtdef");
    let qt = QueryTime::new().store(s.clone());
    let v = qt.value().unwrap();
    assert_eq!((v.before, v.after, v.units), (60, 60, TimeUnit::Minute));
    let html = qt.to_html();
    assert!(html.contains(r#"class="hb-qt-before" type="range" min="0" max="240""#));
    let day = QueryTime::new()
        .units(TimeUnit::Day)
        .store(s.clone())
        .value()
        .unwrap();
    assert_eq!((day.before, day.after), (1, 1));
    let lb = Lookback::new().store(s.clone());
    assert_eq!(lb.value().unwrap(), 6);
    assert!(lb.to_html().contains(r#"min="1" max="72""#));
    assert!(lb.set_value(73).is_err());
    std::fs::remove_dir_all(s.dir()).ok();
}

#[test]
fn select_item_dict_options_and_escaping() {
    let s = store("si");
    let sel = SelectItem::from_pairs([("Web", "web01"), (XSS, "evil"), ("DC", "dc01")])
        .label(XSS)
        .store(s.clone());
    assert_eq!(sel.value().unwrap(), None);
    browser_sends(&s, sel.widget_id(), r#"{"label":"DC"}"#).unwrap();
    assert_eq!(sel.value().unwrap().as_deref(), Some("dc01"));
    browser_sends(
        &s,
        sel.widget_id(),
        &serde_json::json!({ "label": XSS }).to_string(),
    )
    .unwrap();
    assert_eq!(sel.value().unwrap().as_deref(), Some("evil"));
    let html = sel.to_html();
    assert!(html.contains("selected=\"\">&lt;script&gt;alert(1)&lt;/script&gt;"));
    // the title and the option are both shown as text
    assert_eq!(
        html.matches("&lt;script&gt;alert(1)&lt;/script&gt;")
            .count(),
        3
    );
    assert!(!html.contains("<img"));
    assert!(!html.contains("<script>alert"));
    assert!(
        sel.set_value("nope")
            .unwrap_err()
            .to_string()
            .contains("not one of [Web, ")
    );
    std::fs::remove_dir_all(s.dir()).ok();
}

#[test]
fn every_widget_escapes_its_labels() {
    let s = store("xss");
    let alerts = df!(
        "SystemAlertId" => ["a1"],
        "TimeGenerated" => ["2019-01-12 06:41:44"],
        "AlertName" => [XSS],
    )
    .unwrap();
    let htmls = vec![
        SelectItem::new([XSS]).store(s.clone()).to_html(),
        SelectSubset::new([XSS, "b"])
            .label("x")
            .store(s.clone())
            .to_html(),
        OptionButtons::new([XSS]).store(s.clone()).to_html(),
        GetText::new().label(XSS).store(s.clone()).to_html(),
        GetEnvironmentKey::new("HB_IT_X")
            .prompt(XSS)
            .store(s.clone())
            .to_html(),
        Progress::new(10).label(XSS).store(s.clone()).to_html(),
        QueryTime::new().label(XSS).store(s.clone()).to_html(),
        Lookback::new().label(XSS).store(s.clone()).to_html(),
        SelectAlert::new(&alerts)
            .unwrap()
            .store(s.clone())
            .to_html(),
    ];
    for html in &htmls {
        assert_escaped(html);
    }
    std::fs::remove_dir_all(s.dir()).ok();
}

#[test]
fn select_alert_on_bundled_alerts() {
    let s = store("sa");
    let alerts = read_file(bundled("msticpy/notebooks-data/alertlist.csv").unwrap()).unwrap();
    let pick = SelectAlert::new(&alerts).unwrap().store(s.clone());
    let items = pick.items();
    assert_eq!(items.len(), 189);
    // MSTICPy selects the frame's first alert until one is picked
    assert_eq!(
        pick.alert_id().unwrap().as_deref(),
        Some("047f47d6-79b7-4502-824b-97abc4905a73")
    );
    let row = pick.value().unwrap().unwrap();
    assert_eq!(row.height(), 1);
    assert_eq!(
        row.column("AlertName").unwrap().str().unwrap().get(0),
        Some("DC local group addition - Demo")
    );
    let ents = pick.entities().unwrap();
    assert_eq!(ents.height(), 5);
    let names: Vec<Option<&str>> = ents.column("Name").unwrap().str().unwrap().iter().collect();
    assert_eq!(
        names,
        vec![
            Some("75.10.91.22"),
            Some("DHCPContoso77"),
            Some("ADMINISTRATOR"),
            Some("ADMIN"),
            Some("USER")
        ]
    );
    // the browser picks another alert by id; a made-up id is ignored
    let (other, label) = items[5].clone();
    browser_sends(
        &s,
        pick.widget_id(),
        &serde_json::json!({ "id": other }).to_string(),
    )
    .unwrap();
    assert_eq!(pick.alert_id().unwrap().as_deref(), Some(other.as_str()));
    assert!(pick.to_text().contains(&label));
    browser_sends(&s, pick.widget_id(), r#"{"id":"not-an-alert"}"#).unwrap();
    assert_eq!(
        pick.alert_id().unwrap().as_deref(),
        Some("047f47d6-79b7-4502-824b-97abc4905a73")
    );
    assert!(pick.set_alert("not-an-alert").is_err());
    // sorted by time, labels "time - AlertName"
    assert!(items[0].1.starts_with("2019-"), "{}", items[0].1);
    let missing = df!("SystemAlertId" => ["x"], "TimeGenerated" => ["t"]).unwrap();
    assert!(
        SelectAlert::new(&missing)
            .unwrap_err()
            .to_string()
            .contains("display columns")
    );
    std::fs::remove_dir_all(s.dir()).ok();
}

#[test]
fn subset_buttons_text_progress() {
    let s = store("misc");
    let sub = SelectSubset::from_pairs([("Account", "acct"), ("Host", "host")]).store(s.clone());
    browser_sends(
        &s,
        sub.widget_id(),
        r#"{"selected":["Host","Ghost","Host","Account"]}"#,
    )
    .unwrap();
    assert_eq!(
        sub.value().unwrap(),
        vec!["host".to_string(), "acct".to_string()]
    );
    assert!(sub.set_selected(["Ghost"]).is_err());

    let ob = OptionButtons::new(["Yes", "No"])
        .default_choice("No")
        .store(s.clone());
    assert_eq!(ob.value().unwrap().as_deref(), Some("no"));
    browser_sends(&s, ob.widget_id(), r#"{"value":"Yes"}"#).unwrap();
    assert_eq!(ob.value().unwrap().as_deref(), Some("yes"));
    assert!(ob.to_html().contains(r#"value="Yes" aria-pressed="true""#));

    let gt = GetText::new().default_text("x").store(s.clone());
    browser_sends(&s, gt.widget_id(), r#"{"value":"INC-7 <b>"}"#).unwrap();
    assert_eq!(gt.value().unwrap(), "INC-7 <b>");
    assert!(gt.to_html().contains(r#"value="INC-7 &lt;b&gt;""#));

    let p = Progress::new(40).quiet(true).store(s.clone());
    for _ in 0..10 {
        p.inc(2).unwrap();
    }
    assert_eq!(p.value().unwrap(), (20, 40));
    // another cell's (re-created) bar reads the stored progress
    let again = Progress::new(40).store(s.clone());
    assert_eq!(again.value().unwrap(), (20, 40));
    assert!(again.to_html().contains(r#"max="40" value="20""#));
    std::fs::remove_dir_all(s.dir()).ok();
}

#[test]
fn secrets_never_reach_outputs() {
    let s = store("secret");
    let key = GetEnvironmentKey::new("HB_IT_NEVER_SET_KEY").store(s.clone());
    assert_eq!(key.source().unwrap(), KeySource::Unset);
    assert!(key.value().unwrap().is_none());
    let secret = "sk-live-9f8e7d6c5b4a";
    browser_sends(
        &s,
        key.widget_id(),
        &serde_json::json!({ "value": secret }).to_string(),
    )
    .unwrap();
    assert_eq!(key.source().unwrap(), KeySource::Widget);
    let v = key.value().unwrap().unwrap();
    assert_eq!(v.expose().unwrap(), secret);
    for out in [
        key.to_html(),
        key.to_text(),
        format!("{key:?}"),
        format!("{v:?}"),
        format!("{v}"),
    ] {
        assert!(!out.contains(secret), "secret leaked: {out}");
    }
    assert!(key.to_html().contains(r#"type="password" value="""#));
    assert_eq!(
        key.to_text(),
        "HB_IT_NEVER_SET_KEY: set in the widget (hidden)"
    );
    key.clear().unwrap();
    assert_eq!(key.source().unwrap(), KeySource::Unset);
    // the file holding it is private to the user
    use std::os::unix::fs::PermissionsExt;
    key.set_value(secret).unwrap();
    let file = s.dir().join(format!("{}.json", key.widget_id()));
    assert_eq!(
        std::fs::metadata(file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    std::fs::remove_dir_all(s.dir()).ok();
}

#[test]
fn hostile_browser_values_are_rejected() {
    let s = store("hostile");
    let sel = SelectItem::new(["a"]).store(s.clone());
    // not hex: what a value trying to close the Rust string would look like
    assert!(
        s.receive(sel.widget_id(), r#"");std::process::exit(1);(""#)
            .is_err()
    );
    assert!(s.receive("../../etc/passwd", &encode_hex("{}")).is_err());
    assert!(s.receive(sel.widget_id(), &encode_hex("not json")).is_err());
    let big = serde_json::json!({ "label": "a".repeat(MAX_VALUE_BYTES) }).to_string();
    assert!(s.receive(sel.widget_id(), &encode_hex(&big)).is_err());
    assert_eq!(s.get(sel.widget_id()).unwrap(), None);
    std::fs::remove_dir_all(s.dir()).ok();
}

/// Inodes of the sockets this process holds that are listening.
fn listening_sockets_of_this_process() -> Vec<String> {
    let mut ours = Vec::new();
    for fd in std::fs::read_dir("/proc/self/fd").unwrap().flatten() {
        if let Ok(target) = std::fs::read_link(fd.path()) {
            let t = target.to_string_lossy().to_string();
            if let Some(inode) = t.strip_prefix("socket:[").and_then(|x| x.strip_suffix(']')) {
                ours.push(inode.to_string());
            }
        }
    }
    let mut listening = Vec::new();
    for table in [
        "/proc/self/net/tcp",
        "/proc/self/net/tcp6",
        "/proc/self/net/udp",
        "/proc/self/net/udp6",
    ] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            // st 0A = LISTEN (tcp); any bound udp socket counts
            if f.len() > 9
                && (f[3] == "0A" || table.contains("udp"))
                && ours.contains(&f[9].to_string())
            {
                listening.push(format!("{table}: {}", f[1]));
            }
        }
    }
    listening
}

#[test]
fn widgets_open_no_socket() {
    let before = listening_sockets_of_this_process();
    let s = store("nosock");
    let sel = SelectItem::new(["a", "b"]).store(s.clone());
    let _ = sel.to_html();
    browser_sends(&s, sel.widget_id(), r#"{"label":"b"}"#).unwrap();
    let _ = Progress::new(3).store(s.clone()).to_html();
    assert_eq!(sel.value().unwrap().as_deref(), Some("b"));
    assert_eq!(listening_sockets_of_this_process(), before);
    std::fs::remove_dir_all(s.dir()).ok();
}

#[test]
fn script_config_carries_the_transport() {
    let s = store("cfg");
    let html = OptionButtons::new(["Yes"])
        .id("escalate")
        .store(s.clone())
        .to_html();
    assert!(html.contains(r#"data-hb-id="escalate""#));
    assert!(html.contains(r#""id":"escalate""#));
    assert!(html.contains(r#""kind":"optionbuttons""#));
    // the code the page sends: only the id and hex digits are interpolated
    assert!(html.contains(
        r#"'huntbook::widgets::receive("' + cfg.id + '", "' + hex(JSON.stringify(value)) + '")?;'"#
    ));
    // controls are inert until the script finds a Jupyter server and kernel
    assert!(html.contains(r#"disabled="""#));
    assert!(
        html.contains("Static view: the value shown is the kernel&#39;s value when this cell ran.")
    );
    std::fs::remove_dir_all(s.dir()).ok();
}

/// The code of notebooks/widgets.ipynb, cell by cell, with the defaults a
/// headless run (nbclient, CI) sees.
#[test]
fn notebook_cells_run() -> Result<(), Box<dyn std::error::Error>> {
    let s = store("notebook");
    let hb = Huntbook::new()?;
    let qp = QueryProvider::local_data()?;
    let qt = QueryTime::new()
        .label("Process events to look at")
        .origin_str("2019-02-10 15:00:00")?
        .units(WidgetTimeUnit::Minute)
        .before(45)
        .after(30)
        .id("proc-window")
        .store(s.clone());
    assert!(qt.clone().to_html().contains("Process events to look at"));
    let (start, end) = qt.timespan()?;
    let procs = qp
        .query("WindowsSecurity.list_host_processes")?
        .param("host_name", "MSTICAlertsWin1")
        .start(start)
        .end(end)
        .run()?;
    assert_eq!(
        format!("{start} to {end}"),
        "2019-02-10 14:15:00 UTC to 2019-02-10 15:30:00 UTC"
    );
    assert!(procs.height() > 0, "no processes in the window");
    let shown = procs
        .select(["TimeGenerated", "Account", "NewProcessName", "CommandLine"])?
        .head(Some(8));
    assert_eq!(shown.width(), 4);
    // the browser narrows the window: fewer rows
    browser_sends(
        &s,
        "proc-window",
        r#"{"origin":"2019-02-10T15:00:00Z","before":10,"after":0,"units":"minute"}"#,
    )?;
    let (start2, end2) = qt.timespan()?;
    let fewer = qp
        .query("WindowsSecurity.list_host_processes")?
        .param("host_name", "MSTICAlertsWin1")
        .start(start2)
        .end(end2)
        .run()?;
    assert!(fewer.height() < procs.height());

    let alerts = read_file(hb.data_path("msticpy/notebooks-data/alertlist.csv")?)?;
    let pick = SelectAlert::new(&alerts)?
        .label("Alert to investigate")
        .id("alert-pick")
        .store(s.clone());
    let _ = pick.clone().to_html();
    let alert = pick
        .value()?
        .ok_or_else(|| HuntbookError::invalid("alert", "none selected"))?;
    assert!(pick.to_text().starts_with("Alert to investigate: "));
    let ents = pick.entities()?;
    assert_eq!(ents.height(), 5);

    let go = OptionButtons::new(["Yes", "No"])
        .label("Escalate this alert?")
        .default_choice("No")
        .id("escalate")
        .store(s.clone());
    assert_eq!(
        format!("escalate: {:?}", go.value()?),
        "escalate: Some(\"no\")"
    );
    let cols = SelectSubset::new([
        "TimeGenerated",
        "AlertName",
        "Severity",
        "CompromisedEntity",
        "Description",
    ])
    .label("Columns to show")
    .default_selected(["TimeGenerated", "AlertName", "Severity"])
    .id("alert-columns")
    .store(s.clone());
    let chosen = cols.value()?;
    let view = alert.select(chosen.iter().map(|c| c.as_str()))?;
    assert_eq!(view.width(), 3);

    let key = GetEnvironmentKey::new("VIRUSTOTAL_AUTH")
        .help("Your VirusTotal API key (kept in the kernel, never shown)")
        .store(s.clone());
    let _ = key.clone().to_html();
    let bar = Progress::new(50)
        .label("Enriching alerts")
        .id("enrich-progress")
        .quiet(true)
        .store(s.clone());
    for _ in 0..50 {
        bar.inc(1)?;
    }
    assert_eq!(bar.to_text(), "Enriching alerts: 50/50 (100%)");
    std::fs::remove_dir_all(s.dir()).ok();
    Ok(())
}
