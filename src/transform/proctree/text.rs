//! The tree as indented text (MSTICPy's `tree_to_text`).

use super::ProcessTree;
use super::schema::ProcSchema;
use crate::vis::table::cell_text;

/// What each process shows in the text tree: lines of `(label, column)`
/// items, a wrap width and a row limit.
///
/// ```
/// use huntbook::transform::proctree::TextTemplate;
/// let t = TextTemplate::new(vec![vec![("Process", "exe"), ("PID", "pid")]]).wrap(100);
/// # let _ = t;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextTemplate {
    lines: Vec<Vec<(String, String)>>,
    wrap: usize,
    max_rows: Option<usize>,
}

impl Default for TextTemplate {
    /// Lines from the tree's schema, wrapped at 80 columns, every row.
    fn default() -> Self {
        Self {
            lines: Vec::new(),
            wrap: 80,
            max_rows: None,
        }
    }
}

impl TextTemplate {
    /// A template with these lines of `(label, column)` items.
    pub fn new(lines: Vec<Vec<(&str, &str)>>) -> Self {
        Self {
            lines: lines
                .into_iter()
                .map(|l| {
                    l.into_iter()
                        .map(|(a, b)| (a.to_string(), b.to_string()))
                        .collect()
                })
                .collect(),
            ..Self::default()
        }
    }

    /// Wraps lines at `width` characters (at least 20).
    pub fn wrap(mut self, width: usize) -> Self {
        self.wrap = width.max(20);
        self
    }

    /// Shows at most `n` processes, then says how many were left out.
    pub fn max_rows(mut self, n: usize) -> Self {
        self.max_rows = Some(n);
        self
    }

    fn from_schema(schema: &ProcSchema) -> Vec<Vec<(String, String)>> {
        let s = |a: &str, b: &str| (a.to_string(), b.to_string());
        let mut lines = vec![
            vec![
                s("Process", &schema.process_name),
                s("PID", &schema.process_id),
            ],
            vec![s("Time", &schema.time_stamp)],
        ];
        if let Some(c) = &schema.cmd_line {
            lines.push(vec![s("Cmdline", c)]);
        }
        let mut acct = Vec::new();
        if let Some(c) = &schema.user_name {
            acct.push(s("Account", c));
        }
        if let Some(c) = &schema.user_id {
            acct.push(s("UserId", c));
        }
        acct.push(s("LogonId", "EffectiveLogonId"));
        lines.push(acct);
        lines
    }
}

fn wrap_into(out: &mut String, text: &str, width: usize, first: &str, rest: &str) {
    let mut line = String::from(first);
    let mut line_chars = first.chars().count();
    let mut at_start = true;
    for word in text.split(' ') {
        let wl = word.chars().count();
        if !at_start && line_chars + 1 + wl > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = String::from(rest);
            line_chars = rest.chars().count();
            at_start = true;
        }
        if !at_start {
            line.push(' ');
            line_chars += 1;
        }
        // A word longer than the line is cut.
        let mut w = word;
        while line_chars + w.chars().count() > width && w.chars().count() > 1 {
            let room = width.saturating_sub(line_chars).max(1);
            let cut = w.char_indices().nth(room).map_or(w.len(), |(i, _)| i);
            line.push_str(&w[..cut]);
            out.push_str(&line);
            out.push('\n');
            line = String::from(rest);
            line_chars = rest.chars().count();
            w = &w[cut..];
        }
        line.push_str(w);
        line_chars += w.chars().count();
        at_start = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

impl ProcessTree {
    /// The tree as indented text with the default template (one block per
    /// process: name and pid, time, command line, account).
    pub fn to_text(&self) -> String {
        self.to_text_with(&TextTemplate::default())
    }

    /// The tree as indented text with a template.
    pub fn to_text_with(&self, template: &TextTemplate) -> String {
        let lines = if template.lines.is_empty() {
            TextTemplate::from_schema(&self.schema)
        } else {
            template.lines.clone()
        };
        let df = crate::data::fresh(&self.df);
        let cols: Vec<Vec<(&str, Option<&polars::prelude::Column>)>> = lines
            .iter()
            .map(|l| {
                l.iter()
                    .map(|(label, c)| (label.as_str(), df.column(c).ok()))
                    .collect()
            })
            .collect();
        let n = self.len();
        let limit = template.max_rows.unwrap_or(n).min(n);
        let mut out = String::new();
        for row in 0..limit {
            let depth = self.depth_of_row(row);
            let header = if depth == 0 {
                "+ ".to_string()
            } else {
                format!("{}+-- ", "   ".repeat(depth))
            };
            let indent = " ".repeat(header.chars().count() + 1);
            for (i, line) in cols.iter().enumerate() {
                let items: Vec<String> = line
                    .iter()
                    .map(|(label, col)| {
                        let v = col
                            .and_then(|c| c.get(row).ok())
                            .and_then(|v| cell_text(&v))
                            .unwrap_or_default();
                        let v = v.replace(['\n', '\r'], " ");
                        if label.is_empty() {
                            v
                        } else {
                            format!("{label}: {v}")
                        }
                    })
                    .collect();
                let text = items.join("  ");
                if i == 0 {
                    wrap_into(
                        &mut out,
                        &text,
                        template.wrap,
                        &format!("{header} "),
                        &indent,
                    );
                } else {
                    wrap_into(
                        &mut out,
                        &text,
                        template.wrap,
                        &indent,
                        &format!("{indent}   "),
                    );
                }
            }
        }
        if limit < n {
            out.push_str(&format!("… {} more processes\n", n - limit));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_words_and_cuts_long_ones() {
        let mut out = String::new();
        wrap_into(&mut out, "aaa bbb ccc", 8, "+ ", "  ");
        assert_eq!(out, "+ aaa\n  bbb\n  ccc\n");
        let mut out = String::new();
        wrap_into(&mut out, "abcdefghij", 6, "", "");
        assert_eq!(out, "abcdef\nghij\n");
    }
}
