//! `init_notebook()` through the public API: the checks, in order, and both views.

use huntbook::prelude::*;

fn files_below(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            let kind = e.file_type().unwrap();
            if kind.is_dir() {
                files_below(&e.path())
            } else {
                usize::from(kind.is_file())
            }
        })
        .sum()
}

#[test]
fn status_card_checks_in_order() {
    let status = init_notebook();
    assert_eq!(status.version, env!("CARGO_PKG_VERSION"));
    let names: Vec<&str> = status.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["bundled data", "settings", "widgets", "polars threads"]
    );
    let data = &status.checks[0];
    assert!(data.ok);
    let dir = Huntbook::new().unwrap().data_dir().to_path_buf();
    assert_eq!(
        data.detail,
        format!("{} ({} files)", dir.display(), files_below(&dir))
    );
}

#[test]
fn status_card_views() {
    let status = init_notebook();
    let text = status.to_text();
    assert!(text.starts_with(&format!(
        "huntbook {} — notebook status\n  bundled data    ok       ",
        env!("CARGO_PKG_VERSION")
    )));
    assert_eq!(text.lines().count(), 5);
    let html = status.to_html();
    assert!(html.starts_with("<div class=\"huntbook-status\"><strong>huntbook "));
    for c in &status.checks {
        assert!(html.contains(&format!(">{}</td>", c.name)), "{html}");
    }
    assert_eq!(html.matches("<tr>").count(), 4);
    assert_eq!(
        status.warnings().len(),
        status.checks.iter().filter(|c| !c.ok).count()
    );
}
