//! [`init_notebook`]: what a notebook's first cell runs, as MSTICPy's
//! `init_notebook()` does — check the environment and show one status card.
//!
//! It checks the bundled data, the settings files (`msticpyconfig.yaml`,
//! `huntbook.yaml`), the Jupyter kernel link the widgets use and polars'
//! thread cap, and reports each as ok or as a warning. A broken settings
//! file is a warning here, not an error, so the first cell always shows
//! something; the cell that uses the settings reports the error in full.
//!
//! The card names providers and workspaces, never their settings: no key,
//! token or password is read into it.
//!
//! It is also the fast first output of a notebook: a cell that defines no
//! variable skips evcxr's type analysis, which costs several seconds the
//! first time a kernel sees `let` (see the README's "Notebook latency").
//!
//! ```
//! use huntbook::prelude::*;
//! let status = init_notebook();
//! assert_eq!(status.version, env!("CARGO_PKG_VERSION"));
//! assert!(status.to_text().contains("bundled data"));
//! ```

use crate::config::Settings;
use crate::display::NotebookDisplay;
use crate::error::Result;
use crate::vis::html::HtmlBuilder;
use std::path::Path;

/// Folders below the data folder that are walked, at most (as `sample_files`).
const MAX_DATA_DEPTH: usize = 12;

/// One line of the status card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was checked ("bundled data", "settings", ...).
    pub name: String,
    /// Whether it is usable as it is.
    pub ok: bool,
    /// What was found.
    pub detail: String,
}

/// What [`init_notebook`] found. Displays as a status card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotebookStatus {
    /// huntbook's version.
    pub version: String,
    /// The checks, in the order shown.
    pub checks: Vec<Check>,
}

impl NotebookStatus {
    /// Shows the card in the notebook. An inherent method, so the cell that
    /// runs `use huntbook::prelude::*;` can show it too (evcxr does not see
    /// that cell's own imports when it looks for a display method).
    pub fn evcxr_display(&self) {
        NotebookDisplay::evcxr_display(self);
    }

    /// The checks that need attention.
    pub fn warnings(&self) -> Vec<&Check> {
        self.checks.iter().filter(|c| !c.ok).collect()
    }
}

/// Checks the notebook environment and returns the status card.
///
/// It cannot fail: each problem it finds is a warning line on the card.
/// (It returns the card itself rather than a `Result`: evcxr shows a cell
/// that ends in `?` as plain Debug text.)
pub fn init_notebook() -> NotebookStatus {
    NotebookStatus {
        version: env!("CARGO_PKG_VERSION").to_string(),
        checks: vec![
            data_check(&crate::data::data_dir()),
            settings_check(Settings::load()),
            kernel_check(std::env::var(crate::widgets::store::KERNEL_ID_ENV).ok()),
            threads_check(std::env::var("POLARS_MAX_THREADS").ok()),
        ],
    }
}

fn data_check(dir: &Path) -> Check {
    let name = "bundled data".to_string();
    if !dir.is_dir() {
        return Check {
            name,
            ok: false,
            detail: format!(
                "{} is not a folder: set {} to the checkout's data/ folder",
                dir.display(),
                crate::data::DATA_DIR_ENV
            ),
        };
    }
    match crate::data::files_below(dir, MAX_DATA_DEPTH) {
        Ok(files) => Check {
            name,
            ok: !files.is_empty(),
            detail: format!("{} ({} files)", dir.display(), files.len()),
        },
        Err(e) => Check {
            name,
            ok: false,
            detail: format!("not readable: {e}"),
        },
    }
}

fn settings_check(loaded: Result<Settings>) -> Check {
    let name = "settings".to_string();
    let s = match loaded {
        Ok(s) => s,
        Err(e) => {
            return Check {
                name,
                ok: false,
                detail: format!("not loaded: {e}"),
            };
        }
    };
    let files: Vec<String> = s
        .sources()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let names = |list: Vec<crate::config::ProviderSettings>, primary_only: bool| -> String {
        let v: Vec<String> = list
            .into_iter()
            .filter(|p| !primary_only || p.primary)
            .map(|p| p.name)
            .collect();
        if v.is_empty() {
            "none".into()
        } else {
            v.join(", ")
        }
    };
    let workspaces: Vec<String> = s.workspaces().into_iter().map(|w| w.name).collect();
    let detail = if files.is_empty() {
        "no msticpyconfig.yaml or huntbook.yaml found: defaults (bundled data works; \
         remote services and TI providers need one)"
            .to_string()
    } else {
        format!(
            "{}; TI providers (primary): {}; data providers: {}; Sentinel workspaces: {}",
            files.join(", "),
            names(s.ti_providers(), true),
            names(s.data_providers(), false),
            if workspaces.is_empty() {
                "none".to_string()
            } else {
                workspaces.join(", ")
            }
        )
    };
    Check {
        name,
        ok: true,
        detail,
    }
}

fn kernel_check(kernel_id: Option<String>) -> Check {
    let name = "widgets".to_string();
    match kernel_id.filter(|k| !k.is_empty()) {
        Some(id) => Check {
            name,
            ok: true,
            detail: format!("Jupyter kernel {id}: widget values reach later cells"),
        },
        None => Check {
            name,
            ok: false,
            detail: "not started by huntbook's kernel (scripts/evcxr-kernel): widgets show \
                     their values but clicks cannot reach the kernel"
                .to_string(),
        },
    }
}

fn threads_check(max_threads: Option<String>) -> Check {
    let name = "polars threads".to_string();
    match max_threads.as_deref().map(str::trim) {
        Some(v) if v.parse::<usize>().is_ok_and(|n| n > 0) => Check {
            name,
            ok: true,
            detail: format!("POLARS_MAX_THREADS={v} per cell"),
        },
        _ => Check {
            name,
            ok: false,
            detail: "POLARS_MAX_THREADS is not set: every evcxr cell starts its own \
                     polars thread pool of one thread per core"
                .to_string(),
        },
    }
}

impl NotebookDisplay for NotebookStatus {
    fn to_html(&self) -> String {
        let mut h = HtmlBuilder::new();
        h.open("div", &[("class", "huntbook-status")]);
        h.element(
            "strong",
            &[],
            &format!("huntbook {} — notebook status", self.version),
        );
        h.open(
            "table",
            &[("style", "border-collapse:collapse;margin-top:4px")],
        );
        for c in &self.checks {
            let (mark, colour) = if c.ok {
                ("ok", "#1a7f37")
            } else {
                ("warning", "#9a6700")
            };
            h.open("tr", &[]);
            h.element(
                "td",
                &[("style", "padding:2px 8px;text-align:left;font-weight:600")],
                &c.name,
            );
            h.element(
                "td",
                &[(
                    "style",
                    &format!("padding:2px 8px;text-align:left;color:{colour}"),
                )],
                mark,
            );
            h.element(
                "td",
                &[("style", "padding:2px 8px;text-align:left")],
                &c.detail,
            );
            h.close("tr");
        }
        h.close("table");
        h.close("div");
        h.finish()
    }

    fn to_text(&self) -> String {
        let mut out = format!("huntbook {} — notebook status\n", self.version);
        for c in &self.checks {
            let mark = if c.ok { "ok" } else { "warning" };
            out.push_str(&format!("  {:<15} {:<8} {}\n", c.name, mark, c.detail));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_check_counts_and_flags_missing() {
        let dir = std::env::temp_dir().join(format!("hb-init-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("a/b")).unwrap();
        std::fs::write(dir.join("one.csv"), "x").unwrap();
        std::fs::write(dir.join("a/b/two.csv"), "y").unwrap();
        let c = data_check(&dir);
        assert!(c.ok);
        assert!(c.detail.ends_with("(2 files)"), "{}", c.detail);
        let missing = data_check(&dir.join("nope"));
        assert!(!missing.ok);
        assert!(missing.detail.contains("is not a folder"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn settings_check_names_providers_never_secrets() {
        let yaml = "TIProviders:\n  OTX:\n    Primary: True\n    Args:\n      AuthKey: sekrit-otx-key\n  VirusTotal:\n    Primary: False\n    Args:\n      AuthKey: sekrit-vt\nAzureSentinel:\n  Workspaces:\n    Default:\n      WorkspaceId: 11111111-1111-1111-1111-111111111111\n      TenantId: 22222222-2222-2222-2222-222222222222\n";
        let mut s = Settings::from_yaml_str(yaml, "test").unwrap();
        let path = std::env::temp_dir().join(format!("hb-init-{}.yaml", std::process::id()));
        std::fs::write(&path, yaml).unwrap();
        s.merge_file(&path).unwrap();
        let c = settings_check(Ok(s));
        std::fs::remove_file(&path).unwrap();
        assert!(c.ok);
        assert!(
            c.detail.contains("TI providers (primary): OTX;"),
            "{}",
            c.detail
        );
        assert!(
            c.detail.contains("Sentinel workspaces: Default"),
            "{}",
            c.detail
        );
        assert!(!c.detail.contains("sekrit"));
        assert!(!c.detail.contains("VirusTotal"));
    }

    #[test]
    fn settings_error_is_a_warning() {
        let err = Settings::from_yaml_str("a: [", "broken.yaml").map(|_| unreachable!());
        let c = settings_check(err);
        assert!(!c.ok);
        assert!(c.detail.starts_with("not loaded: "), "{}", c.detail);
        assert!(c.detail.contains("broken.yaml"), "{}", c.detail);
    }

    #[test]
    fn kernel_and_threads_checks() {
        assert!(
            kernel_check(Some("abc-123".into()))
                .detail
                .contains("abc-123")
        );
        assert!(!kernel_check(None).ok);
        assert!(!kernel_check(Some(String::new())).ok);
        assert!(threads_check(Some("2".into())).ok);
        assert!(!threads_check(Some("0".into())).ok);
        assert!(!threads_check(Some("many".into())).ok);
        assert!(!threads_check(None).ok);
    }

    #[test]
    fn html_escapes_everything() {
        let status = NotebookStatus {
            version: "1.0".into(),
            checks: vec![Check {
                name: "<script>alert(1)</script>".into(),
                ok: false,
                detail: "\"><img src=x onerror=alert(1)>".into(),
            }],
        };
        let html = status.to_html();
        assert!(!html.contains("<script>"));
        assert!(!html.contains("<img"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert_eq!(status.warnings().len(), 1);
        assert_eq!(
            status.to_text(),
            "huntbook 1.0 — notebook status\n  <script>alert(1)</script> warning  \"><img src=x onerror=alert(1)>\n"
        );
    }
}
