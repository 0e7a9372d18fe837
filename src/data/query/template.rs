//! Query text templates: Python `str.format` fields (`{name}`, `{{`/`}}`
//! for literal braces) and `$<macro>$` macros, as MSTICPy reads them.

use crate::error::{Error, Result};
use std::collections::{BTreeMap, BTreeSet};

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Literal text (with `{{`/`}}` already turned into single braces).
    Text(String),
    /// A `{name}` field.
    Field(String),
}

/// Parses a template into text and fields. Errors, like Python's
/// `str.format`, on a lone `}` or an unclosed `{`; format specs and
/// conversions (`{x:>10}`, `{x!r}`) are refused, as no query needs them.
pub fn parse(template: &str) -> Result<Vec<Piece>> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = template.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' if chars.peek().map(|p| p.1) == Some('{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek().map(|p| p.1) == Some('}') => {
                chars.next();
                text.push('}');
            }
            '}' => {
                return Err(Error::invalid(
                    "query template",
                    format!("single '}}' at character {i}; write '}}}}' for a literal brace"),
                ));
            }
            '{' => {
                let mut name = String::new();
                let mut closed = false;
                for (_, c) in chars.by_ref() {
                    if c == '}' {
                        closed = true;
                        break;
                    }
                    name.push(c);
                }
                if !closed {
                    return Err(Error::invalid(
                        "query template",
                        format!(
                            "'{{' at character {i} is not closed; write '{{{{' for a literal brace"
                        ),
                    ));
                }
                let name = name.trim().to_string();
                if name.is_empty() || name.contains([':', '!', '[', '.', '{']) {
                    return Err(Error::invalid(
                        "query template",
                        format!(
                            "field '{{{name}}}' at character {i}: only plain parameter names are supported"
                        ),
                    ));
                }
                if !text.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut text)));
                }
                out.push(Piece::Field(name));
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    Ok(out)
}

/// The parameter names a template uses.
pub fn fields(template: &str) -> Result<BTreeSet<String>> {
    Ok(parse(template)?
        .into_iter()
        .filter_map(|p| match p {
            Piece::Field(f) => Some(f),
            Piece::Text(_) => None,
        })
        .collect())
}

/// Substitutes values into a template, then removes blank lines (as MSTICPy
/// does, so an empty `{add_query_items}` leaves no gap).
pub fn render(template: &str, values: &BTreeMap<String, String>) -> Result<String> {
    let mut out = String::with_capacity(template.len());
    for piece in parse(template)? {
        match piece {
            Piece::Text(t) => out.push_str(&t),
            Piece::Field(f) => match values.get(&f) {
                Some(v) => out.push_str(v),
                None => {
                    return Err(Error::invalid(
                        format!("query template field '{{{f}}}'"),
                        "no parameter of that name",
                    ));
                }
            },
        }
    }
    Ok(remove_blank_lines(&out))
}

/// `re.sub(r"\n\s*\n", "\n", text)`: collapses newline-whitespace-newline runs.
pub fn remove_blank_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('\n') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        // find the longest run of whitespace ending at a newline
        let ws_len = after.len() - after.trim_start().len();
        let ws = &after[..ws_len];
        match ws.rfind('\n') {
            Some(last_nl) => {
                out.push('\n');
                rest = &after[last_nl + 1..];
            }
            None => {
                out.push('\n');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Replaces `$<name>$` macros with their values (unknown macros become
/// empty, as in MSTICPy), then collapses runs of newlines.
pub fn replace_macros(template: &str, macros: &BTreeMap<String, String>) -> String {
    if !template.contains("$<") {
        return template.to_string();
    }
    let mut out = template.to_string();
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("$<") {
        let after = &rest[start + 2..];
        match after.find('>') {
            Some(end) if end > 0 => {
                names.push(after[..end].to_string());
                rest = &after[end + 1..];
            }
            _ => break,
        }
    }
    for name in names {
        let value = macros.get(&name).map(String::as_str).unwrap_or("");
        out = out.replace(&format!("$<{name}>$"), value);
    }
    collapse_newlines(&out)
}

fn collapse_newlines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev_nl = false;
    for c in text.chars() {
        if c == '\n' {
            if !prev_nl {
                out.push(c);
            }
            prev_nl = true;
        } else {
            prev_nl = false;
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn fields_and_literal_braces() {
        let t = "T | extend x = dynamic({{\"a\": {n}}}) | where h == '{host}'";
        assert_eq!(
            fields(t).unwrap(),
            ["host", "n"].iter().map(|s| s.to_string()).collect()
        );
        assert_eq!(
            render(t, &vals(&[("n", "1"), ("host", "web")])).unwrap(),
            "T | extend x = dynamic({\"a\": 1}) | where h == 'web'"
        );
    }

    #[test]
    fn template_errors() {
        assert!(
            parse("a } b")
                .unwrap_err()
                .to_string()
                .contains("single '}'")
        );
        assert!(
            parse("a { b")
                .unwrap_err()
                .to_string()
                .contains("not closed")
        );
        assert!(
            parse("{x:>3}")
                .unwrap_err()
                .to_string()
                .contains("only plain parameter names")
        );
        let err = render("{missing}", &vals(&[])).unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid query template field '{missing}': no parameter of that name"
        );
    }

    #[test]
    fn blank_lines_removed_like_msticpy() {
        assert_eq!(remove_blank_lines("a\n\nb\n  \n\t\nc\n"), "a\nb\nc\n");
        assert_eq!(remove_blank_lines("a\n  b"), "a\n  b");
    }

    #[test]
    fn macros() {
        let m = vals(&[("filter", "| where x == 1")]);
        assert_eq!(
            replace_macros("T\n$<filter>$\n\n$<none>$\n| take 1", &m),
            "T\n| where x == 1\n| take 1"
        );
        assert_eq!(replace_macros("no macros", &m), "no macros");
    }
}
