//! One audit record: the `type=… msg=audit(TIME:SERIAL): k=v …` line, its
//! fields, hex decoding, and the Python-literal lists Log Analytics stores
//! in `AuditdMessage`.

/// A field value as written in the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Value<'a> {
    /// The text without its quotes.
    pub text: &'a str,
    /// Whether it was in double quotes (auditd quotes plain strings and
    /// hex-encodes strings with spaces, quotes or control characters).
    pub quoted: bool,
}

/// Where one field's key and value are in a record's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    key: (u32, u32),
    value: (u32, u32),
    quoted: bool,
}

/// One record (one line of `audit.log`): its body and where its fields
/// are (one allocation per record, not two per field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    /// `SYSCALL`, `EXECVE`, …
    pub rtype: String,
    body: String,
    spans: Vec<Span>,
}

impl Record {
    /// A record of type `rtype` with the fields of `body` (see
    /// [`parse_fields`]).
    pub fn new(rtype: &str, body: &str) -> Self {
        let mut spans = Vec::new();
        // spans are u32 offsets; a body that large (4 GiB) keeps no fields
        if body.len() < u32::MAX as usize {
            parse_into(body, 0, &mut spans, 0);
        }
        Self {
            rtype: rtype.to_string(),
            body: body.to_string(),
            spans,
        }
    }

    fn slice(&self, (a, b): (u32, u32)) -> &str {
        self.body.get(a as usize..b as usize).unwrap_or("")
    }

    /// Fields in order (nested `msg='…'` fields flattened in place).
    pub fn fields(&self) -> impl Iterator<Item = (&str, Value<'_>)> {
        self.spans.iter().map(|sp| {
            (
                self.slice(sp.key),
                Value {
                    text: self.slice(sp.value),
                    quoted: sp.quoted,
                },
            )
        })
    }

    /// The first value of field `name`.
    pub fn get(&self, name: &str) -> Option<Value<'_>> {
        self.fields().find(|(k, _)| *k == name).map(|(_, v)| v)
    }
}

/// The parts of a raw line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawLine {
    /// `node=` prefix, when the log has one.
    pub node: Option<String>,
    /// `TIME:SERIAL` of `msg=audit(TIME:SERIAL)`.
    pub stamp: String,
    /// The record.
    pub record: Record,
}

/// Why a line was not read.
pub(crate) type LineError = &'static str;

/// Parses one raw `audit.log` line (`[node=N ]type=T msg=audit(S:N): fields`).
/// A prefix before `type=` (a syslog header from audisp) is skipped.
pub(crate) fn parse_line(line: &str) -> Result<RawLine, LineError> {
    let line = line.trim_end_matches(['\r', '\n']);
    let (node, rest) = split_node(line);
    let rest = match rest.strip_prefix("type=") {
        Some(r) => r,
        None => match rest.find(" type=") {
            Some(at) => {
                let before = &rest[..at];
                let (n2, _) = split_node(before.rsplit(' ').next().unwrap_or(""));
                let r = &rest[at + 6..];
                return finish(node.or(n2), r);
            }
            None => return Err("no 'type=' field"),
        },
    };
    finish(node, rest)
}

fn split_node(line: &str) -> (Option<String>, &str) {
    match line.strip_prefix("node=") {
        Some(r) => match r.split_once(' ') {
            Some((n, rest)) => (Some(n.to_string()), rest),
            None => (Some(r.to_string()), ""),
        },
        None => (None, line),
    }
}

fn finish(node: Option<String>, rest: &str) -> Result<RawLine, LineError> {
    let (rtype, rest) = rest
        .split_once(' ')
        .ok_or("no 'msg=audit(…)' after the type")?;
    if rtype.is_empty()
        || !rtype
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Err("record type is not a name");
    }
    let rest = rest.trim_start();
    let rest = rest
        .strip_prefix("msg=audit(")
        .ok_or("no 'msg=audit(TIME:SERIAL)' header")?;
    let close = rest.find(')').ok_or("unterminated 'msg=audit(' header")?;
    let stamp = &rest[..close];
    check_stamp(stamp)?;
    let body = rest[close + 1..]
        .strip_prefix(':')
        .unwrap_or(&rest[close + 1..]);
    Ok(RawLine {
        node,
        stamp: stamp.to_string(),
        record: Record::new(rtype, body),
    })
}

/// Checks `SECONDS.FRACTION:SERIAL`.
pub(crate) fn check_stamp(stamp: &str) -> Result<(), LineError> {
    stamp_ns(stamp).map(|_| ())
}

/// Event time of `SECONDS[.FRACTION]:SERIAL` as UTC nanoseconds.
pub(crate) fn stamp_ns(stamp: &str) -> Result<i64, LineError> {
    let (time, serial) = stamp.split_once(':').ok_or("timestamp has no ':SERIAL'")?;
    if serial.is_empty() || !serial.bytes().all(|b| b.is_ascii_digit()) {
        return Err("serial is not a number");
    }
    let (secs, frac) = time.split_once('.').unwrap_or((time, ""));
    if secs.is_empty()
        || secs.len() > 11
        || !secs.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 9
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err("timestamp is not SECONDS.FRACTION");
    }
    let secs: i64 = secs.parse().map_err(|_| "timestamp out of range")?;
    let mut nanos: i64 = 0;
    for (i, b) in frac.bytes().enumerate() {
        nanos += i64::from(b - b'0') * 10i64.pow(8 - i as u32);
    }
    secs.checked_mul(1_000_000_000)
        .and_then(|n| n.checked_add(nanos))
        .ok_or("timestamp out of range")
}

/// Splits `k=v k="v w" msg='k=v …'` into fields. `msg='…'` (user-space
/// messages) is opened and its fields put in its place. Text after the
/// enrichment separator `\x1d` (`UID="root"`, …) is read the same way.
#[cfg(test)]
pub(crate) fn parse_fields(body: &str) -> Vec<(String, String, bool)> {
    let r = Record::new("X", body);
    r.fields()
        .map(|(k, v)| (k.to_string(), v.text.to_string(), v.quoted))
        .collect()
}

fn parse_into(body: &str, base: usize, out: &mut Vec<Span>, depth: u8) {
    let b = body.as_bytes();
    let pos = |i: usize| (base + i) as u32;
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i] == b' ' || b[i] == 0x1d || b[i] == b'\t') {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let key_start = i;
        while i < b.len() && b[i] != b'=' && b[i] != b' ' && b[i] != 0x1d {
            i += 1;
        }
        let key = (pos(key_start), pos(i));
        if i >= b.len() || b[i] != b'=' {
            // A bare word: no value (MSTICPy keeps it as None); skipped.
            continue;
        }
        i += 1; // '='
        match b.get(i) {
            Some(b'"') => {
                let start = i + 1;
                let end = body[start..].find('"').map_or(b.len(), |e| start + e);
                out.push(Span {
                    key,
                    value: (pos(start), pos(end)),
                    quoted: true,
                });
                i = (end + 1).min(b.len());
            }
            Some(b'\'') => {
                let start = i + 1;
                let end = body[start..].find('\'').map_or(b.len(), |e| start + e);
                let inner = &body[start..end];
                if depth == 0 && inner.contains('=') {
                    parse_into(inner, base + start, out, depth + 1);
                } else {
                    out.push(Span {
                        key,
                        value: (pos(start), pos(end)),
                        quoted: true,
                    });
                }
                i = (end + 1).min(b.len());
            }
            _ => {
                let start = i;
                while i < b.len() && b[i] != b' ' && b[i] != 0x1d {
                    i += 1;
                }
                out.push(Span {
                    key,
                    value: (pos(start), pos(i)),
                    quoted: false,
                });
            }
        }
    }
}

/// Decodes an unquoted hex-encoded value (`2F62696E2F7368` → `/bin/sh`).
/// NUL bytes (argument separators in `proctitle`) become spaces. Returns
/// `None` when the text is not even-length hex or does not decode to text
/// (control characters other than NUL, tab, newline or `\x01`).
pub(crate) fn decode_hex(text: &str) -> Option<String> {
    let b = text.as_bytes();
    if b.len() < 2 || !b.len().is_multiple_of(2) || !b.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let mut bytes = Vec::with_capacity(b.len() / 2);
    for pair in b.chunks_exact(2) {
        let hi = (pair[0] as char).to_digit(16)?;
        let lo = (pair[1] as char).to_digit(16)?;
        bytes.push((hi * 16 + lo) as u8);
    }
    let s = String::from_utf8(bytes).ok()?;
    if s.chars()
        .any(|c| c.is_control() && !matches!(c, '\0' | '\t' | '\n' | '\x01'))
    {
        return None;
    }
    let s = s.trim_end_matches('\0').replace('\0', " ");
    Some(s)
}

/// The largest nesting a Python literal may have.
const MAX_LITERAL_DEPTH: usize = 8;

/// A parsed Python/JSON literal: just what `AuditdMessage` uses.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    Str(String),
    List(Vec<Literal>),
    Dict(Vec<(String, Literal)>),
    Other,
}

/// Parses a Python literal or JSON value (`[{'EXECVE': ['argc=3', …]}]`).
pub(crate) fn parse_literal(text: &str) -> Result<Literal, String> {
    let mut p = LitParser {
        s: text.as_bytes(),
        src: text,
        i: 0,
    };
    let v = p.value(0)?;
    p.ws();
    if p.i != p.s.len() {
        return Err(format!("unexpected text at offset {}", p.i));
    }
    Ok(v)
}

struct LitParser<'a> {
    s: &'a [u8],
    src: &'a str,
    i: usize,
}

impl LitParser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Literal, String> {
        if depth > MAX_LITERAL_DEPTH {
            return Err("nested too deeply".to_string());
        }
        self.ws();
        match self.s.get(self.i) {
            Some(b'[') | Some(b'(') => {
                let close = if self.s[self.i] == b'[' { b']' } else { b')' };
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.ws();
                    if self.s.get(self.i) == Some(&close) {
                        self.i += 1;
                        return Ok(Literal::List(items));
                    }
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(c) if *c == close => {}
                        _ => return Err(format!("expected ',' at offset {}", self.i)),
                    }
                }
            }
            Some(b'{') => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.ws();
                    if self.s.get(self.i) == Some(&b'}') {
                        self.i += 1;
                        return Ok(Literal::Dict(items));
                    }
                    let key = match self.value(depth + 1)? {
                        Literal::Str(s) => s,
                        _ => return Err(format!("dict key at offset {} is not a string", self.i)),
                    };
                    self.ws();
                    if self.s.get(self.i) != Some(&b':') {
                        return Err(format!("expected ':' at offset {}", self.i));
                    }
                    self.i += 1;
                    let v = self.value(depth + 1)?;
                    items.push((key, v));
                    self.ws();
                    match self.s.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {}
                        _ => return Err(format!("expected ',' at offset {}", self.i)),
                    }
                }
            }
            Some(b'\'') | Some(b'"') => self.string(),
            Some(_) => {
                // numbers, None, True, null: read a bare word
                let start = self.i;
                while self.i < self.s.len()
                    && !matches!(self.s[self.i], b',' | b']' | b'}' | b')' | b':')
                    && !self.s[self.i].is_ascii_whitespace()
                {
                    self.i += 1;
                }
                if self.i == start {
                    return Err(format!("unexpected character at offset {start}"));
                }
                Ok(Literal::Other)
            }
            None => Err("unexpected end of text".to_string()),
        }
    }

    fn string(&mut self) -> Result<Literal, String> {
        let quote = self.s[self.i];
        self.i += 1;
        let mut out = String::new();
        let mut start = self.i;
        while self.i < self.s.len() {
            let c = self.s[self.i];
            if c == quote {
                out.push_str(&self.src[start..self.i]);
                self.i += 1;
                return Ok(Literal::Str(out));
            }
            if c == b'\\' {
                out.push_str(&self.src[start..self.i]);
                let esc = *self
                    .s
                    .get(self.i + 1)
                    .ok_or_else(|| "unterminated escape".to_string())?;
                self.i += 2;
                match esc {
                    b'n' => out.push('\n'),
                    b't' => out.push('\t'),
                    b'r' => out.push('\r'),
                    b'0' => out.push('\0'),
                    b'x' | b'u' => {
                        let n = if esc == b'x' { 2 } else { 4 };
                        let hex = self
                            .src
                            .get(self.i..self.i + n)
                            .ok_or_else(|| "short escape".to_string())?;
                        let code = u32::from_str_radix(hex, 16)
                            .map_err(|_| format!("bad escape '\\{}{hex}'", esc as char))?;
                        out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                        self.i += n;
                    }
                    other if other.is_ascii() => out.push(other as char),
                    _ => {
                        // a multi-byte character after a backslash: keep both
                        out.push('\\');
                        self.i -= 1;
                    }
                }
                start = self.i;
                continue;
            }
            self.i += 1;
        }
        Err("unterminated string".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_syscall_line() {
        let l = parse_line(
            "type=SYSCALL msg=audit(1551487424.869:752): arch=c000003e syscall=59 ppid=1305 \
             pid=19197 auid=4294967295 comm=\"sh\" exe=\"/bin/dash\" subj==unconfined key=(null)",
        )
        .unwrap();
        assert_eq!(l.stamp, "1551487424.869:752");
        assert_eq!(l.record.rtype, "SYSCALL");
        assert_eq!(l.record.get("comm").unwrap().text, "sh");
        assert_eq!(
            parse_fields("a=1 b=\"x y\""),
            [
                ("a".into(), "1".into(), false),
                ("b".into(), "x y".into(), true)
            ]
        );
        assert!(l.record.get("comm").unwrap().quoted);
        assert_eq!(l.record.get("subj").unwrap().text, "=unconfined");
        assert_eq!(l.record.get("key").unwrap().text, "(null)");
        assert_eq!(l.node, None);
    }

    #[test]
    fn nested_msg_is_flattened() {
        let l = parse_line(
            "node=web1 type=USER_AUTH msg=audit(1551485408.371:22): pid=15745 uid=0 \
             msg='op=PAM:authentication acct=\"root\" exe=\"/usr/sbin/sshd\" hostname=1.2.3.4 res=failed'",
        )
        .unwrap();
        assert_eq!(l.node.as_deref(), Some("web1"));
        let keys: Vec<&str> = l.record.fields().map(|(k, _)| k).collect();
        assert_eq!(keys, ["pid", "uid", "op", "acct", "exe", "hostname", "res"]);
        assert_eq!(l.record.get("res").unwrap().text, "failed");
    }

    #[test]
    fn prefixed_and_bad_lines() {
        let l = parse_line("Mar  1 10:00:00 h audispd: type=EOE msg=audit(1.5:9): ").unwrap();
        assert_eq!(
            (l.record.rtype.as_str(), l.stamp.as_str()),
            ("EOE", "1.5:9")
        );
        assert_eq!(parse_line("hello").unwrap_err(), "no 'type=' field");
        assert_eq!(
            parse_line("type=X msg=audit(12a.1:3): a=b").unwrap_err(),
            "timestamp is not SECONDS.FRACTION"
        );
        assert_eq!(
            parse_line("type=X msg=audit(1.1): a=b").unwrap_err(),
            "timestamp has no ':SERIAL'"
        );
        assert_eq!(
            parse_line("type=X msg=audit(1.1:2").unwrap_err(),
            "unterminated 'msg=audit(' header"
        );
    }

    #[test]
    fn stamps_and_hex() {
        assert_eq!(
            stamp_ns("1551485405.594:7507"),
            Ok(1_551_485_405_594_000_000)
        );
        assert_eq!(stamp_ns("10:1"), Ok(10_000_000_000));
        // found by the fuzz corpus: 11-digit seconds overflowed
        assert_eq!(stamp_ns("99999999999.1:1"), Err("timestamp out of range"));
        assert_eq!(
            decode_hex("2F62696E2F7368002D63").as_deref(),
            Some("/bin/sh -c")
        );
        assert_eq!(decode_hex("ABC"), None);
        assert_eq!(decode_hex("1234"), None); // control characters: not text
        assert_eq!(decode_hex("(null)"), None);
    }

    #[test]
    fn python_literals() {
        let v = parse_literal(r#"[{'EXECVE': ['argc=2', 'a0="ls"', "msg='op=x"]}]"#).unwrap();
        assert_eq!(
            v,
            Literal::List(vec![Literal::Dict(vec![(
                "EXECVE".into(),
                Literal::List(vec![
                    Literal::Str("argc=2".into()),
                    Literal::Str("a0=\"ls\"".into()),
                    Literal::Str("msg='op=x".into()),
                ])
            )])])
        );
        assert!(parse_literal("[{'A': ['x'}]").is_err());
        assert!(parse_literal(&"[".repeat(50)).is_err());
        assert_eq!(
            parse_literal(r"'a\'b\x41'").unwrap(),
            Literal::Str("a'bA".into())
        );
    }
}
