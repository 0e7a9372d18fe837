//! The one HTML builder. Every value that reaches HTML goes through
//! [`escape`] (text) or [`HtmlBuilder::open`] (attributes), so log data can
//! never inject markup or script.
//!
//! ```
//! use huntbook::vis::html::HtmlBuilder;
//! let mut h = HtmlBuilder::new();
//! h.open("td", &[("title", "a \"quoted\" <b>")]);
//! h.text("<script>alert(1)</script>");
//! h.close("td");
//! assert_eq!(
//!     h.finish(),
//!     "<td title=\"a &quot;quoted&quot; &lt;b&gt;\">&lt;script&gt;alert(1)&lt;/script&gt;</td>"
//! );
//! ```

use std::fmt::Write;

/// Escapes text for HTML element content and quoted attribute values.
///
/// `&`, `<`, `>`, `"` and `'` become entities; line breaks become `&#10;`
/// (so no value can start a new line in the notebook output protocol);
/// other control characters are dropped except tab.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    escape_into(&mut out, text);
    out
}

/// [`escape`], appending to `out`.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

/// Escapes a string for a JavaScript string literal inside a `<script>`
/// element (JSON string syntax with `<`, `>`, `&` and line separators as
/// `\uXXXX`, so `</script>` cannot close the element).
pub fn js_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Makes JSON safe to embed in a `<script>` element: `<`, `>`, `&` and the
/// JavaScript line separators are written as `\uXXXX` escapes, which JSON and
/// JavaScript both read back as the same characters.
pub fn json_for_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Builds an HTML fragment. Tag and attribute names are trusted (they come
/// from huntbook's code); text and attribute values are always escaped.
#[derive(Debug, Default, Clone)]
pub struct HtmlBuilder {
    buf: String,
}

impl HtmlBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Opens `<tag a="v" ...>` with escaped attribute values.
    pub fn open(&mut self, tag: &'static str, attrs: &[(&'static str, &str)]) -> &mut Self {
        self.buf.push('<');
        self.buf.push_str(tag);
        for (name, value) in attrs {
            self.buf.push(' ');
            self.buf.push_str(name);
            self.buf.push_str("=\"");
            escape_into(&mut self.buf, value);
            self.buf.push('"');
        }
        self.buf.push('>');
        self
    }

    /// Closes `</tag>`.
    pub fn close(&mut self, tag: &'static str) -> &mut Self {
        self.buf.push_str("</");
        self.buf.push_str(tag);
        self.buf.push('>');
        self
    }

    /// Appends escaped text.
    pub fn text(&mut self, text: &str) -> &mut Self {
        escape_into(&mut self.buf, text);
        self
    }

    /// `<tag attrs>text</tag>` in one call.
    pub fn element(
        &mut self,
        tag: &'static str,
        attrs: &[(&'static str, &str)],
        text: &str,
    ) -> &mut Self {
        self.open(tag, attrs).text(text).close(tag)
    }

    /// Appends markup that huntbook itself wrote (a `&'static str`, so data
    /// from a frame cannot get here by accident).
    pub fn raw(&mut self, markup: &'static str) -> &mut Self {
        self.buf.push_str(markup);
        self
    }

    /// Appends a fragment built by another [`HtmlBuilder`] (already safe).
    pub fn fragment(&mut self, other: &HtmlBuilder) -> &mut Self {
        self.buf.push_str(&other.buf);
        self
    }

    /// Appends a `<script>` element whose body is huntbook's own code
    /// followed by data made safe by [`json_for_script`] or [`js_string`].
    pub fn script(&mut self, code: &str) -> &mut Self {
        self.buf.push_str("<script>");
        // Defence in depth: a stray closing tag in generated code is broken up.
        self.buf.push_str(&code.replace("</", "<\\/"));
        self.buf.push_str("</script>");
        self
    }

    /// The fragment built so far.
    pub fn as_str(&self) -> &str {
        &self.buf
    }

    /// Consumes the builder, returning the HTML.
    pub fn finish(self) -> String {
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_script_and_attribute_breakout() {
        assert_eq!(
            escape("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            escape("\"><img src=x onerror=alert(1)>"),
            "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(escape("it's & more"), "it&#39;s &amp; more");
    }

    #[test]
    fn newlines_and_controls() {
        assert_eq!(
            escape("a\nEVCXR_END_CONTENT\nb"),
            "a&#10;EVCXR_END_CONTENT&#10;b"
        );
        assert_eq!(escape("a\u{0}b\u{1b}c"), "abc");
    }

    #[test]
    fn js_string_cannot_close_script() {
        assert_eq!(
            js_string("</script><b>\"x\"\n"),
            "\"\\u003c/script\\u003e\\u003cb\\u003e\\\"x\\\"\\n\""
        );
    }

    #[test]
    fn json_for_script_escapes_markup() {
        assert_eq!(
            json_for_script(r#"{"a":"</script>&"}"#),
            r#"{"a":"\u003c/script\u003e\u0026"}"#
        );
    }

    #[test]
    fn script_breaks_closing_tags() {
        let mut h = HtmlBuilder::new();
        h.script("var s = '</script>';");
        assert_eq!(h.finish(), "<script>var s = '<\\/script>';</script>");
    }
}
