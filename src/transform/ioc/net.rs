//! Scanners for network indicators: URLs, emails, IPv4, IPv6 and names.

use super::IocType;
use super::defang::{at_token, canonical_scheme, dot_token, is_label_byte, refang, scheme_sep};
use super::scan::{Ctx, Found, UrlSpan};
use crate::transform::domain::{MAX_DOMAIN_LEN, icann_suffix_start};
use std::borrow::Cow;
use std::net::Ipv6Addr;

/// The longest URL reported (longer ones are cut here).
const MAX_URL: usize = 8192;
/// URLs found inside one URL before the rest are ignored (bounds the work
/// on hostile input such as `http://http://http://...`).
const MAX_NESTED_URLS: usize = 16;

/// Suffixes that are in the Public Suffix List but are far more often file
/// extensions: a two-label name ending in one (`setup.zip`, `install.sh`,
/// `readme.md`) found in free text is a file name, not a domain. In a host
/// position (a URL's host, an email's domain) it is still a domain.
pub const FILE_EXTENSION_TLDS: &[&str] = &[
    "zip", "mov", "sh", "py", "md", "pl", "pm", "ps", "rs", "app", "cc", "ai", "ml", "sc", "so",
    "pub", "run", "ws", "in", "am", "ac", "mk", "mo", "la", "cs", "gz", "bz",
];

/// Suffixes reserved or commonly used for private networks: a name ending
/// in one is reported as a `hostname`, not a `dns` domain.
pub const INTERNAL_SUFFIXES: &[&str] = &[
    "local",
    "internal",
    "lan",
    "localdomain",
    "corp",
    "home",
    "intranet",
    "private",
    "localhost",
];

/// The byte length of a label character at `i` (ASCII letter, digit, `-`,
/// `_`, or a non-ASCII letter or digit), 0 when there is none.
#[inline]
pub(crate) fn label_char_at(text: &str, b: &[u8], i: usize) -> usize {
    match b.get(i) {
        None => 0,
        Some(&c) if c < 0x80 => usize::from(is_label_byte(c)),
        Some(_) => {
            if !text.is_char_boundary(i) {
                return 0;
            }
            match text[i..].chars().next() {
                Some(ch) if ch.is_alphanumeric() => ch.len_utf8(),
                _ => 0,
            }
        }
    }
}

/// The byte length of the label character that ends at `i`, 0 when none.
#[inline]
fn label_char_before(text: &str, b: &[u8], i: usize) -> usize {
    if i == 0 {
        return 0;
    }
    let c = b[i - 1];
    if c < 0x80 {
        return usize::from(is_label_byte(c));
    }
    let mut j = i - 1;
    while j > 0 && !text.is_char_boundary(j) {
        j -= 1;
    }
    match text[j..i].chars().next() {
        Some(ch) if ch.is_alphanumeric() => i - j,
        _ => 0,
    }
}

/// Parses a run of labels joined by dot tokens from `i`; labels go to
/// `labels`. Returns the end of the run.
fn name_run(
    text: &str,
    b: &[u8],
    mut i: usize,
    defanged: bool,
    labels: &mut Vec<(usize, usize)>,
) -> usize {
    labels.clear();
    let start = i;
    loop {
        let ls = i;
        loop {
            let n = label_char_at(text, b, i);
            if n == 0 {
                break;
            }
            i += n;
        }
        if i == ls {
            break;
        }
        labels.push((ls, i));
        if i - start > 4 * MAX_DOMAIN_LEN {
            break;
        }
        match dot_token(b, i, defanged) {
            Some(n) if label_char_at(text, b, i + n) > 0 => i += n,
            _ => break,
        }
    }
    labels.last().map_or(start, |l| l.1)
}

/// What a run of labels is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameKind {
    Dns,
    Hostname,
}

/// Classifies labels `labels[first..]` as a domain or host name.
/// Returns the kind and the refanged, lower-case name.
fn classify(
    text: &str,
    labels: &[(usize, usize)],
    host_position: bool,
    ignore_tlds: bool,
) -> Option<(NameKind, String)> {
    let n = labels.len();
    let label = |k: usize| &text[labels[k].0..labels[k].1];
    let valid_label =
        |s: &str| !s.is_empty() && s.len() <= 63 && !s.starts_with('-') && !s.ends_with('-');
    if n == 0 || !labels.iter().all(|&(s, e)| valid_label(&text[s..e])) {
        return None;
    }
    if n == 1 {
        // A single label is a host name only where a host is expected.
        let s = label(0);
        return (host_position && !s.bytes().all(|c| c.is_ascii_digit()) && !s.contains('_'))
            .then(|| (NameKind::Hostname, s.to_lowercase()));
    }
    let tld = label(n - 1);
    let tld_ok = if tld.is_ascii() {
        (tld.len() >= 2 && tld.bytes().all(|c| c.is_ascii_alphabetic()))
            || (tld.len() > 4 && tld[..4].eq_ignore_ascii_case("xn--"))
    } else {
        tld.chars().all(char::is_alphabetic)
    };
    if !tld_ok || label(n - 2).contains('_') || tld.contains('_') {
        return None;
    }
    let mut name = String::with_capacity(labels[n - 1].1 - labels[0].0);
    for k in 0..n {
        if k > 0 {
            name.push('.');
        }
        let l = label(k);
        if l.is_ascii() {
            name.extend(l.bytes().map(|c| c.to_ascii_lowercase() as char));
        } else {
            name.push_str(&l.to_lowercase());
        }
    }
    if name.len() > MAX_DOMAIN_LEN {
        return None;
    }
    let last = &name[name.len() - tld.len().min(name.len())..];
    if !host_position && n == 2 && FILE_EXTENSION_TLDS.contains(&last) {
        return None;
    }
    if icann_suffix_start(name.as_bytes()).is_some() || ignore_tlds {
        return Some((NameKind::Dns, name));
    }
    INTERNAL_SUFFIXES
        .contains(&last)
        .then_some((NameKind::Hostname, name))
}

/// The canonical form of a lower-case domain: IDNA ASCII (punycode).
fn canonical_domain(name: String) -> String {
    if name.is_ascii() {
        return name;
    }
    match url::Host::parse(&name) {
        Ok(url::Host::Domain(d)) => d,
        _ => name,
    }
}

fn emit_name<'a>(
    ctx: &mut Ctx<'a, '_>,
    kind: NameKind,
    s: usize,
    e: usize,
    obs: Cow<'a, str>,
    name: String,
) {
    let ty = match kind {
        NameKind::Dns => IocType::Dns,
        NameKind::Hostname => IocType::Hostname,
    };
    if ctx.wants(&ty) {
        let canon = canonical_domain(name);
        let refanged = if canon == obs {
            obs.clone()
        } else {
            Cow::Owned(canon)
        };
        ctx.push(Found::new(ty, s, e, obs, refanged));
    }
}

/// Parses a dotted-quad IPv4 address at `i` (1–3 decimal digits per
/// octet, each at most 255; defanged dots allowed). Returns its end and
/// the canonical form.
fn parse_ipv4(b: &[u8], i: usize, defanged: bool) -> Option<(usize, [u8; 4])> {
    let mut octets = [0u8; 4];
    let mut j = i;
    for (k, octet) in octets.iter_mut().enumerate() {
        let ds = j;
        let mut v: u32 = 0;
        while j < b.len() && b[j].is_ascii_digit() && j - ds < 4 {
            v = v * 10 + u32::from(b[j] - b'0');
            j += 1;
        }
        let digits = j - ds;
        if digits == 0 || digits > 3 || v > 255 {
            return None;
        }
        *octet = v as u8;
        if k < 3 {
            j += dot_token(b, j, defanged)?;
        }
    }
    Some((j, octets))
}

fn ipv4_string(o: [u8; 4]) -> String {
    format!("{}.{}.{}.{}", o[0], o[1], o[2], o[3])
}

/// The canonical form of an IPv4 address found as `obs`: borrowed when
/// `obs` already is canonical (the common case, no allocation).
fn ipv4_canonical(obs: &str, o: [u8; 4]) -> Cow<'_, str> {
    let mut buf = [0u8; 15];
    let mut n = 0;
    for (k, v) in o.iter().enumerate() {
        if k > 0 {
            buf[n] = b'.';
            n += 1;
        }
        let (h, t, u) = (v / 100, v / 10 % 10, v % 10);
        if h > 0 {
            buf[n] = b'0' + h;
            n += 1;
        }
        if h > 0 || t > 0 {
            buf[n] = b'0' + t;
            n += 1;
        }
        buf[n] = b'0' + u;
        n += 1;
    }
    if obs.as_bytes() == &buf[..n] {
        Cow::Borrowed(obs)
    } else {
        Cow::Owned(ipv4_string(o))
    }
}

/// URLs: a known scheme (or a defanged one) and `://`, a host that is an
/// IP address or a valid name, then a path, query and fragment made of
/// URL characters. Trailing punctuation and unbalanced closing brackets
/// are not part of the URL; a URL opened by a quote ends at that quote.
/// The host is reported as `dns`/`hostname`/`ipv4`/`ipv6`; a URL with
/// percent-escapes is also reported decoded, and the decoded text is
/// scanned again for URLs inside it (as MSTICPy does).
pub(super) fn scan_urls(ctx: &mut Ctx<'_, '_>) {
    scan_urls_in(ctx, true);
}

fn scan_urls_in<'a>(ctx: &mut Ctx<'a, '_>, decode: bool) {
    let text = ctx.text;
    let b = ctx.bytes;
    let defanged = ctx.opts.defanged;
    let mut pos = 0;
    let mut outer_end = 0;
    let mut nested = 0;
    while let Some(off) = find_slashes(&b[pos..]) {
        let k = pos + off;
        pos = k + 2;
        let (sep_start, sep_len) = if k >= 2 && scheme_sep(b, k - 2, defanged) == Some(5) {
            (k - 2, 5) // [://]
        } else if k >= 3 && scheme_sep(b, k - 3, defanged) == Some(5) {
            (k - 3, 5) // [:]//
        } else if k >= 1 && b[k - 1] == b':' {
            (k - 1, 3)
        } else {
            continue;
        };
        let mut s = sep_start;
        while s > 0 && sep_start - s < 7 && b[s - 1].is_ascii_alphabetic() {
            s -= 1;
        }
        if s == sep_start || (s > 0 && (b[s - 1].is_ascii_alphanumeric() || b[s - 1] == b'_')) {
            continue;
        }
        let scheme_lower = text[s..sep_start].to_ascii_lowercase();
        let Some(scheme) = canonical_scheme(&scheme_lower, defanged) else {
            continue;
        };
        let is_nested = s < outer_end;
        if is_nested {
            nested += 1;
            if nested > MAX_NESTED_URLS {
                continue;
            }
        } else {
            nested = 0;
        }
        let Some(url) = parse_url_at(ctx, s, sep_start + sep_len, scheme) else {
            continue;
        };
        let raw = &text[s..url.end];
        let canon = url.canonical(text, scheme);
        let refanged = if canon == raw {
            Cow::Borrowed(raw)
        } else {
            Cow::Owned(canon)
        };
        if ctx.wants(&IocType::Url) {
            ctx.push(Found::new(
                IocType::Url,
                s,
                url.end,
                Cow::Borrowed(raw),
                refanged,
            ));
        }
        emit_host(ctx, &url);
        ctx.urls.push(UrlSpan {
            start: s,
            end: url.end,
            userinfo_at: url.userinfo_at,
        });
        // Percent-decode the outermost URLs and scan the decoded text for
        // URLs (once: what is found there is not decoded again).
        if decode && !is_nested && raw.contains('%') {
            let decoded = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
            if decoded != raw {
                let decoded = decoded.into_owned();
                let mut sub = Ctx::new(&decoded, ctx.opts);
                scan_urls_in(&mut sub, false);
                for f in sub.found {
                    // An empty span at the end of the URL: the text there is
                    // encoded, so no span shows the decoded observable.
                    ctx.push(Found::new(
                        f.ty,
                        url.end,
                        url.end,
                        Cow::Owned(f.observable.into_owned()),
                        Cow::Owned(f.refanged.into_owned()),
                    ));
                }
            }
        }
        if !is_nested {
            outer_end = url.end;
        }
    }
}

fn find_slashes(b: &[u8]) -> Option<usize> {
    memchr::memmem::find(b, b"//")
}

/// A URL parsed at a position.
struct ParsedUrl {
    end: usize,
    /// Start of the authority (just after `://`).
    auth: usize,
    userinfo_at: Option<usize>,
    host: (usize, usize),
    host_kind: HostKind,
}

#[derive(Debug, Clone)]
enum HostKind {
    Empty,
    Ipv4([u8; 4]),
    Ipv6(Ipv6Addr, usize, usize),
    Name(NameKind, String),
}

impl ParsedUrl {
    /// Scheme lower-cased and refanged, host refanged and lower-cased,
    /// the rest refanged.
    fn canonical(&self, text: &str, scheme: &str) -> String {
        let host = match &self.host_kind {
            HostKind::Empty => String::new(),
            HostKind::Ipv4(o) => ipv4_string(*o),
            HostKind::Ipv6(a, ..) => format!("[{a}]"),
            HostKind::Name(_, n) => n.clone(),
        };
        let mut out = String::with_capacity(self.end - self.auth + 16);
        out.push_str(scheme);
        out.push_str("://");
        out.push_str(&refang(&text[self.auth..self.host.0]));
        out.push_str(&host);
        out.push_str(&refang(&text[self.host.1..self.end]));
        out
    }
}

#[inline]
fn is_auth_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-._~%!$&'()*+,;=:@[]{}".contains(&c)
}

#[inline]
fn is_url_terminator(c: u8) -> bool {
    c <= b' '
        || matches!(
            c,
            b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}' | 0x7f
        )
}

fn parse_url_at(ctx: &mut Ctx<'_, '_>, s: usize, auth: usize, scheme: &str) -> Option<ParsedUrl> {
    let text = ctx.text;
    let b = ctx.bytes;
    let defanged = ctx.opts.defanged;
    let quote = (s > 0 && matches!(b[s - 1], b'\'' | b'"' | b'`')).then(|| b[s - 1]);
    let limit = b.len().min(s + MAX_URL);
    let mut i = auth;
    while i < limit {
        let c = b[i];
        if c == b'/' || c == b'?' || c == b'#' || Some(c) == quote {
            break;
        }
        if c < 0x80 {
            if is_auth_byte(c) {
                i += 1;
            } else if let Some(n) = dot_token(b, i, defanged).filter(|_| c == b'\\') {
                i += n; // evil\.com
            } else {
                break;
            }
        } else {
            let n = label_char_at(text, b, i);
            if n == 0 {
                break;
            }
            i += n;
        }
    }
    let mut auth_end = i;
    if i < limit && matches!(b[i], b'/' | b'?' | b'#') {
        while i < limit {
            let c = b[i];
            if Some(c) == quote || is_url_terminator(c) {
                break;
            }
            if c < 0x80 {
                i += 1;
            } else {
                let ch = text[i..].chars().next()?;
                if !ch.is_alphanumeric() {
                    break;
                }
                i += ch.len_utf8();
            }
        }
    }
    let mut end = trim_url_end(b, auth, i);
    auth_end = auth_end.min(end);
    // Userinfo: up to the last '@' of the authority.
    let userinfo_at = b[auth..auth_end]
        .iter()
        .rposition(|&c| c == b'@')
        .map(|p| auth + p);
    let host_start = userinfo_at.map_or(auth, |p| p + 1);
    let (host_end, host_kind) =
        if b.get(host_start) == Some(&b'[') && dot_token(b, host_start, defanged).is_none() {
            let close = b[host_start..auth_end].iter().position(|&c| c == b']')? + host_start;
            let inner = &text[host_start + 1..close];
            let addr_text = inner.split('%').next().unwrap_or(inner);
            let addr: Ipv6Addr = addr_text.parse().ok()?;
            (
                close + 1,
                HostKind::Ipv6(addr, host_start + 1, host_start + 1 + addr_text.len()),
            )
        } else if let Some((e, o)) = parse_ipv4(b, host_start, defanged)
            .filter(|&(e, _)| label_char_at(text, b, e) == 0 && dot_token(b, e, defanged).is_none())
        {
            (e, HostKind::Ipv4(o))
        } else {
            let mut labels = std::mem::take(&mut ctx.labels);
            let e = name_run(text, b, host_start, defanged, &mut labels);
            let kind = if e == host_start {
                HostKind::Empty
            } else {
                match classify(text, &labels, true, ctx.opts.ignore_tlds) {
                    Some((k, n)) => HostKind::Name(k, n),
                    None => {
                        ctx.labels = labels;
                        return None;
                    }
                }
            };
            ctx.labels = labels;
            (e, kind)
        };
    if (matches!(host_kind, HostKind::Empty) && scheme != "file") || host_end > auth_end {
        return None;
    }
    // Port, then the authority must end.
    let mut j = host_end;
    if j < auth_end {
        let colon = if b[j] == b':' {
            Some(1)
        } else if defanged && b.get(j..j + 3) == Some(b"[:]") {
            Some(3)
        } else {
            None
        };
        if let Some(n) = colon {
            let ps = j + n;
            let mut pe = ps;
            while pe < auth_end && b[pe].is_ascii_digit() {
                pe += 1;
            }
            let port_ok =
                pe == ps || (pe - ps <= 5 && text[ps..pe].parse::<u32>().is_ok_and(|p| p <= 65535));
            if port_ok {
                j = pe;
            }
        }
        if j != auth_end {
            // Something that is not a port follows the host: the URL ends.
            end = trim_url_end(b, auth, j);
            if end < host_end {
                return None;
            }
        }
    }
    Some(ParsedUrl {
        end,
        auth,
        userinfo_at,
        host: (host_start, host_end.min(end)),
        host_kind,
    })
}

/// Drops trailing punctuation and unbalanced closing brackets.
fn trim_url_end(b: &[u8], start: usize, mut end: usize) -> usize {
    while end > start {
        let c = b[end - 1];
        let drop = match c {
            b'.' | b',' | b';' | b':' | b'!' | b'?' | b'\'' | b'"' | b'*' => true,
            b')' | b']' | b'}' => {
                let open = match c {
                    b')' => b'(',
                    b']' => b'[',
                    _ => b'{',
                };
                let seg = &b[start..end];
                seg.iter().filter(|&&x| x == c).count() > seg.iter().filter(|&&x| x == open).count()
            }
            _ => false,
        };
        if !drop {
            break;
        }
        end -= 1;
    }
    end
}

fn emit_host(ctx: &mut Ctx<'_, '_>, url: &ParsedUrl) {
    let text = ctx.text;
    let (hs, he) = url.host;
    if he <= hs {
        return;
    }
    match &url.host_kind {
        HostKind::Empty => {}
        HostKind::Ipv4(o) => {
            if ctx.wants(&IocType::Ipv4) {
                let obs = &text[hs..he];
                let refanged = ipv4_canonical(obs, *o);
                ctx.push(Found::new(
                    IocType::Ipv4,
                    hs,
                    he,
                    Cow::Borrowed(obs),
                    refanged,
                ));
            }
        }
        HostKind::Ipv6(addr, s, e) => {
            if ctx.wants(&IocType::Ipv6) {
                let obs = &text[*s..*e];
                let canon = addr.to_string();
                let refanged = if canon == obs {
                    Cow::Borrowed(obs)
                } else {
                    Cow::Owned(canon)
                };
                ctx.push(Found::new(
                    IocType::Ipv6,
                    *s,
                    *e,
                    Cow::Borrowed(obs),
                    refanged,
                ));
            }
        }
        HostKind::Name(kind, name) => {
            emit_name(
                ctx,
                *kind,
                hs,
                he,
                Cow::Borrowed(&text[hs..he]),
                name.clone(),
            );
        }
    }
}

/// A quick test that rules out most texts without an at sign: an `@`, or
/// (defanged) a closing bracket after `at`/`@` (`[at]`, `(at)`, `{at}`).
fn may_have_at(b: &[u8], defanged: bool) -> bool {
    if memchr::memchr(b'@', b).is_some() {
        return true;
    }
    defanged
        && memchr::memchr3_iter(b']', b')', b'}', b)
            .any(|k| k >= 2 && b[k - 2..k].eq_ignore_ascii_case(b"at"))
}

/// Emails: `local@domain` (or a defanged at: `[at]`, `(at)`, `[@]`, ` [at] `)
/// whose domain is a valid domain. The local part uses the characters
/// found in real addresses (letters, digits, `.`, `_`, `%`, `+`, `-`).
/// The `user:pass@host` of a URL is not an email. The domain is also
/// reported as `dns`.
pub(super) fn scan_emails<'a>(ctx: &mut Ctx<'a, '_>) {
    let text = ctx.text;
    let b = ctx.bytes;
    let defanged = ctx.opts.defanged;
    if !may_have_at(b, defanged) {
        return;
    }
    let want_email = ctx.wants(&IocType::Email);
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let tok = match c {
            b'@' => Some((i, 1)),
            b'[' | b'(' | b'{' if defanged => {
                if i > 0 && b[i - 1] == b' ' {
                    at_token(b, i - 1, true).map(|n| (i - 1, n))
                } else {
                    at_token(b, i, true).map(|n| (i, n))
                }
            }
            _ => None,
        };
        let Some((t, n)) = tok else {
            i += 1;
            continue;
        };
        i = t + n;
        if ctx.urls.iter().any(|u| u.userinfo_at == Some(t)) {
            continue;
        }
        let mut ls = t;
        while ls > 0
            && t - ls < 64
            && (b[ls - 1].is_ascii_alphanumeric() || b"._%+-".contains(&b[ls - 1]))
        {
            ls -= 1;
        }
        while ls < t && b[ls] == b'.' {
            ls += 1;
        }
        if ls == t || b[t - 1] == b'.' {
            continue;
        }
        let mut labels = std::mem::take(&mut ctx.labels);
        let de = name_run(text, b, t + n, defanged, &mut labels);
        let class = classify(text, &labels, true, ctx.opts.ignore_tlds);
        ctx.labels = labels;
        let Some((NameKind::Dns, domain)) = class else {
            continue;
        };
        ctx.email_locals.push((ls, t));
        if want_email {
            let obs = &text[ls..de];
            let canon = format!("{}@{}", &text[ls..t], canonical_domain(domain.clone()));
            let refanged = if canon == obs {
                Cow::Borrowed(obs)
            } else {
                Cow::Owned(canon)
            };
            ctx.push(Found::new(
                IocType::Email,
                ls,
                de,
                Cow::Borrowed(obs),
                refanged,
            ));
        }
        emit_name(
            ctx,
            NameKind::Dns,
            t + n,
            de,
            Cow::Borrowed(&text[t + n..de]),
            domain,
        );
        i = de.max(i);
    }
}

#[inline]
fn is_v6_byte(c: u8) -> bool {
    c.is_ascii_hexdigit() || c == b':'
}

/// IPv6 addresses: compressed, full, with an embedded IPv4 tail, in
/// brackets, or with a zone id (`fe80::1%eth0`, reported without the zone).
/// An IPv4-mapped address written with a dotted quad (`::ffff:1.2.3.4`) is
/// reported as its IPv4 address only.
pub(super) fn scan_ipv6<'a>(ctx: &mut Ctx<'a, '_>) {
    let text = ctx.text;
    let b = ctx.bytes;
    let mut i = 0;
    while let Some(off) = memchr::memchr(b':', &b[i..]) {
        let colon = i + off;
        let mut s = colon;
        while s > 0 && is_v6_byte(b[s - 1]) && colon - s < 45 {
            s -= 1;
        }
        let mut e = colon;
        while e < b.len() && (is_v6_byte(b[e]) || b[e] == b'.') && e - s < 45 {
            e += 1;
        }
        i = e.max(colon + 1);
        while e > s && b[e - 1] == b'.' {
            e -= 1;
        }
        let before_ok =
            s == 0 || !(b[s - 1].is_ascii_alphanumeric() || b[s - 1] == b'_' || b[s - 1] == b'.');
        let after_ok =
            e >= b.len() || !(b[e].is_ascii_alphanumeric() || b[e] == b'_' || b[e] == b'.');
        if !before_ok || !after_ok || e - s < 3 {
            continue;
        }
        let cand = &text[s..e];
        if cand == "::" {
            continue;
        }
        let Ok(addr) = cand.parse::<Ipv6Addr>() else {
            continue;
        };
        if cand.contains('.') {
            if addr.to_ipv4_mapped().is_some() {
                continue;
            }
            ctx.v6_spans.push((s, e));
        }
        if ctx.wants(&IocType::Ipv6) {
            let canon = addr.to_string();
            let refanged = if canon == cand {
                Cow::Borrowed(cand)
            } else {
                Cow::Owned(canon)
            };
            ctx.push(Found::new(
                IocType::Ipv6,
                s,
                e,
                Cow::Borrowed(cand),
                refanged,
            ));
        }
    }
}

/// IPv4 addresses: four decimal octets 0–255 (leading zeros allowed and
/// dropped in the canonical form), not part of a longer dotted number
/// (`1.2.3.4.5`, `10.0.19041.1`) or word.
pub(super) fn scan_ipv4<'a>(ctx: &mut Ctx<'a, '_>) {
    if !ctx.wants(&IocType::Ipv4) {
        return;
    }
    let text = ctx.text;
    let b = ctx.bytes;
    let defanged = ctx.opts.defanged;
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() || (i > 0 && b[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        if start > 0 {
            let p = b[start - 1];
            if p.is_ascii_alphabetic() || p == b'_' {
                continue;
            }
            if ends_with_dot_after_alnum(b, start, defanged) {
                continue;
            }
        }
        let Some((end, octets)) = parse_ipv4(b, start, defanged) else {
            continue;
        };
        if b.get(end)
            .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_')
        {
            continue;
        }
        if let Some(n) = dot_token(b, end, defanged)
            && b.get(end + n).is_some_and(|c| c.is_ascii_alphanumeric())
        {
            continue;
        }
        if ctx.v6_spans.iter().any(|&(s, e)| start >= s && end <= e) {
            continue;
        }
        let obs = &text[start..end];
        let refanged = ipv4_canonical(obs, octets);
        ctx.push(Found::new(
            IocType::Ipv4,
            start,
            end,
            Cow::Borrowed(obs),
            refanged,
        ));
        i = end;
    }
}

/// Whether a dot token ends at `i` with a letter or digit before it.
fn ends_with_dot_after_alnum(b: &[u8], i: usize, defanged: bool) -> bool {
    for n in [1usize, 3, 5] {
        if i > n && dot_token(b, i - n, defanged) == Some(n) && b[i - n - 1].is_ascii_alphanumeric()
        {
            return true;
        }
    }
    false
}

/// Domain and host names in free text: runs of labels joined by dots (or
/// defanged dots). A name is a `dns` observable when its suffix is in the
/// Public Suffix List (ICANN section; or any alphabetic suffix with
/// `ignore_tlds`), a `hostname` when its suffix is a private-network one
/// (`.local`, `.internal`, `.corp`, ...). Not reported: names inside a URL
/// (its host is reported by the URL scanner), the local part of an email,
/// path components (a name right after `/` or `\`, or before `\` or `@`),
/// and two-label file names whose extension happens to be a TLD
/// ([`FILE_EXTENSION_TLDS`]).
pub(super) fn scan_names<'a>(ctx: &mut Ctx<'a, '_>) {
    let text = ctx.text;
    let b = ctx.bytes;
    let defanged = ctx.opts.defanged;
    let mut pos = 0;
    let mut labels = std::mem::take(&mut ctx.labels);
    while pos < b.len() {
        let Some(off) = b[pos..]
            .iter()
            .position(|&c| c == b'.' || (defanged && matches!(c, b'[' | b'(' | b'{' | b'\\')))
        else {
            break;
        };
        let t = pos + off;
        let (tt, n) = match dot_token(b, t, defanged) {
            Some(n) => (t, n),
            None if t > 0 && b[t - 1] == b' ' => match dot_token(b, t - 1, defanged) {
                Some(n) => (t - 1, n),
                None => {
                    pos = t + 1;
                    continue;
                }
            },
            None => {
                pos = t + 1;
                continue;
            }
        };
        if label_char_before(text, b, tt) == 0 || label_char_at(text, b, tt + n) == 0 {
            pos = t + 1;
            continue;
        }
        // Back up to the start of the first label.
        let mut s = tt;
        loop {
            let m = label_char_before(text, b, s);
            if m == 0 || s - m < pos.min(tt) {
                break;
            }
            s -= m;
        }
        let e = name_run(text, b, s, defanged, &mut labels);
        pos = e.max(t + 1);
        // Context rules.
        let prev = s.checked_sub(1).map(|p| b[p]);
        if matches!(prev, Some(b'/') | Some(b'\\')) {
            continue;
        }
        if matches!(b.get(e), Some(b'\\')) || at_token(b, e, defanged).is_some() {
            continue;
        }
        if ctx.inside_url(s, e) || ctx.inside_path(s) {
            continue;
        }
        if ctx.email_locals.iter().any(|&(ls, le)| s < le && e > ls) {
            continue;
        }
        // Keep the longest valid tail of labels.
        let first_ok = labels
            .iter()
            .rposition(|&(ls, le)| {
                let l = &text[ls..le];
                l.is_empty() || l.len() > 63 || l.starts_with('-') || l.ends_with('-')
            })
            .map_or(0, |k| k + 1);
        let tail = &labels[first_ok..];
        if tail.len() < 2 {
            continue;
        }
        let ns = tail[0].0;
        if let Some((kind, name)) = classify(text, tail, false, ctx.opts.ignore_tlds) {
            let obs = &text[ns..e];
            emit_name(ctx, kind, ns, e, Cow::Borrowed(obs), name);
        }
    }
    ctx.labels = labels;
}

/// Whether the whole of `value` is a syntactically valid host name (one
/// or more labels; defanged dots accepted when `defanged`).
pub(super) fn is_host_name(value: &str, defanged: bool) -> bool {
    let b = value.as_bytes();
    let mut labels = Vec::new();
    let end = name_run(value, b, 0, defanged, &mut labels);
    end == value.len() && classify(value, &labels, true, true).is_some()
}
