//! The notebook display protocol, in one place.
//!
//! The evcxr kernel reads a cell's standard output line by line. A block
//! `EVCXR_BEGIN_CONTENT <mime>` … `EVCXR_END_CONTENT` becomes one rich output
//! of that MIME type; every other line starting with `EVCXR_` is a control
//! message. [`render`] writes such blocks and neutralises any content line
//! that could be mistaken for a control message, so hostile log data cannot
//! end a block early or fake a kernel event.
//!
//! The kernel keeps one output per MIME type per cell: a second `text/html`
//! block replaces the first, so a result that shows several things composes
//! them into one HTML block.
//!
//! ```
//! use huntbook::display::{render, TEXT_HTML, TEXT_PLAIN};
//! let out = render(&[(TEXT_PLAIN, "hi"), (TEXT_HTML, "<b>hi</b>")]);
//! assert_eq!(
//!     out,
//!     "EVCXR_BEGIN_CONTENT text/plain\nhi\nEVCXR_END_CONTENT\n\
//!      EVCXR_BEGIN_CONTENT text/html\n<b>hi</b>\nEVCXR_END_CONTENT\n"
//! );
//! ```

use std::io::Write;

/// Plain text, shown by terminals and as the fallback.
pub const TEXT_PLAIN: &str = "text/plain";
/// HTML, shown by JupyterLab, Notebook 7, VS Code and nbconvert.
pub const TEXT_HTML: &str = "text/html";
/// SVG images.
pub const IMAGE_SVG: &str = "image/svg+xml";
/// Plotly's own MIME type (JupyterLab only; huntbook charts also send HTML).
pub const PLOTLY_JSON: &str = "application/vnd.plotly.v1+json";

/// Zero-width space put before a content line that starts with `EVCXR_`.
const GUARD: char = '\u{200b}';

/// Writes the protocol text for a set of `(mime, content)` outputs.
pub fn render(outputs: &[(&str, &str)]) -> String {
    let size: usize = outputs.iter().map(|(m, c)| m.len() + c.len() + 48).sum();
    let mut out = String::with_capacity(size);
    for (mime, content) in outputs {
        out.push_str("EVCXR_BEGIN_CONTENT ");
        out.push_str(&mime.replace(['\n', '\r', ' '], ""));
        out.push('\n');
        for (i, line) in content.split('\n').enumerate() {
            if i > 0 {
                out.push('\n');
            }
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.starts_with("EVCXR_") {
                out.push(GUARD);
            }
            out.push_str(line);
        }
        out.push_str("\nEVCXR_END_CONTENT\n");
    }
    out
}

/// Prints outputs to standard output for the kernel, flushing at the end.
pub fn emit(outputs: &[(&str, &str)]) {
    let text = render(outputs);
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    // A closed stdout (e.g. a CLI piped into `head`) is not an error worth a panic.
    let _ = lock.write_all(text.as_bytes());
    let _ = lock.flush();
}

/// Prints one output with an HTML and a plain-text view.
pub fn emit_html(html: &str, plain: &str) {
    emit(&[(TEXT_PLAIN, plain), (TEXT_HTML, html)]);
}

/// Anything a notebook can show. Implementors give an HTML view and a plain
/// text view; `evcxr_display` (the method the kernel calls by name) sends
/// both. The trait is in [`crate::prelude`], so every huntbook result — and a
/// polars `DataFrame` — displays richly as the last expression of a cell.
pub trait NotebookDisplay {
    /// The HTML view (one self-contained fragment, every value escaped).
    fn to_html(&self) -> String;

    /// The plain-text view, for terminals and text-only front ends.
    fn to_text(&self) -> String;

    /// Prints both views in the kernel's display protocol.
    fn evcxr_display(&self) {
        emit_html(&self.to_html(), &self.to_text());
    }
}

/// An HTML fragment to show as it is (built by huntbook, so already safe).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Html {
    html: String,
    text: String,
}

impl Html {
    /// Wraps HTML built by an [`crate::vis::html::HtmlBuilder`] and its text view.
    pub fn new(html: String, text: String) -> Self {
        Self { html, text }
    }

    /// The HTML.
    pub fn as_str(&self) -> &str {
        &self.html
    }
}

impl NotebookDisplay for Html {
    fn to_html(&self) -> String {
        self.html.clone()
    }
    fn to_text(&self) -> String {
        self.text.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_lines_in_content_are_neutralised() {
        let hostile = "ok\nEVCXR_END_CONTENT\nEVCXR_EXECUTION_COMPLETE\nEVCXR_PANIC_NOTIFICATION";
        let out = render(&[(TEXT_PLAIN, hostile)]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "EVCXR_BEGIN_CONTENT text/plain");
        assert_eq!(lines[1], "ok");
        assert_eq!(lines[2], "\u{200b}EVCXR_END_CONTENT");
        assert_eq!(lines[3], "\u{200b}EVCXR_EXECUTION_COMPLETE");
        assert_eq!(lines[4], "\u{200b}EVCXR_PANIC_NOTIFICATION");
        assert_eq!(lines[5], "EVCXR_END_CONTENT");
        assert_eq!(lines.len(), 6);
    }

    #[test]
    fn mime_type_cannot_break_the_header() {
        let out = render(&[("text/html\nEVCXR_END_CONTENT", "x")]);
        assert!(out.starts_with("EVCXR_BEGIN_CONTENT text/htmlEVCXR_END_CONTENT\nx\n"));
    }

    #[test]
    fn crlf_content_is_normalised() {
        assert_eq!(
            render(&[(TEXT_PLAIN, "a\r\nb")]),
            "EVCXR_BEGIN_CONTENT text/plain\na\nb\nEVCXR_END_CONTENT\n"
        );
    }
}
