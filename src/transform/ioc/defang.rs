//! Defanged notation: the tokens analysts write so an indicator cannot be
//! clicked (`hxxp`, `[.]`, `[at]`, ...), recognising them while scanning,
//! and turning them back (`refang`) or applying them (`defang`).

/// Bytes that can be part of a DNS label (ASCII only; non-ASCII letters are
/// handled by the callers).
#[inline]
pub(crate) fn is_label_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

#[inline]
fn starts_with_ci(hay: &[u8], at: usize, needle: &[u8]) -> bool {
    hay.get(at..at + needle.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(needle))
}

/// The length of a "dot" token at `i`: `.` always; with `defanged`, also
/// `[.]`, `(.)`, `{.}`, `[dot]`, `(dot)`, `{dot}`, ` [dot] `, ` (dot) ` and
/// `\.` (the latter only between two label characters, so `C:\.git` is not
/// read as a dot).
#[inline]
pub(crate) fn dot_token(b: &[u8], i: usize, defanged: bool) -> Option<usize> {
    let c = *b.get(i)?;
    if c == b'.' {
        return Some(1);
    }
    if !defanged {
        return None;
    }
    match c {
        b'[' | b'(' | b'{' => {
            let close = match c {
                b'[' => b']',
                b'(' => b')',
                _ => b'}',
            };
            if b.get(i + 1) == Some(&b'.') && b.get(i + 2) == Some(&close) {
                Some(3)
            } else if starts_with_ci(b, i + 1, b"dot") && b.get(i + 4) == Some(&close) {
                Some(5)
            } else {
                None
            }
        }
        b' ' => {
            let open = *b.get(i + 1)?;
            let close = match open {
                b'[' => b']',
                b'(' => b')',
                _ => return None,
            };
            (starts_with_ci(b, i + 2, b"dot")
                && b.get(i + 5) == Some(&close)
                && b.get(i + 6) == Some(&b' '))
            .then_some(7)
        }
        b'\\' => {
            let before = i.checked_sub(1).and_then(|p| b.get(p)).copied();
            (b.get(i + 1) == Some(&b'.')
                && before.is_some_and(|p| p.is_ascii_alphanumeric())
                && b.get(i + 2).is_some_and(|n| n.is_ascii_alphanumeric()))
            .then_some(2)
        }
        _ => None,
    }
}

/// The length of an "at" token at `i`: `@`; with `defanged`, also `[at]`,
/// `(at)`, `{at}`, `[@]`, `(@)`, ` [at] ` and ` (at) `. A bare word "at" is
/// never an at sign (so `files.batch.com` is not an email, MSTICPy #681).
#[inline]
pub(crate) fn at_token(b: &[u8], i: usize, defanged: bool) -> Option<usize> {
    let c = *b.get(i)?;
    if c == b'@' {
        return Some(1);
    }
    if !defanged {
        return None;
    }
    let (open_at, spaced) = if c == b' ' { (i + 1, true) } else { (i, false) };
    let open = *b.get(open_at)?;
    let close = match open {
        b'[' => b']',
        b'(' => b')',
        b'{' if !spaced => b'}',
        _ => return None,
    };
    let inner = if starts_with_ci(b, open_at + 1, b"at") {
        2
    } else if b.get(open_at + 1) == Some(&b'@') {
        1
    } else {
        return None;
    };
    if b.get(open_at + 1 + inner) != Some(&close) {
        return None;
    }
    let len = 2 + inner;
    if spaced {
        (b.get(open_at + len) == Some(&b' ')).then_some(len + 2)
    } else {
        Some(len)
    }
}

/// The length of a scheme separator at `i`: `://`; with `defanged`, also
/// `[:]//`, `[://]` and `:\/\/`-free forms `[:]/ /` are not accepted.
#[inline]
pub(crate) fn scheme_sep(b: &[u8], i: usize, defanged: bool) -> Option<usize> {
    if b.get(i..i + 3) == Some(b"://") {
        return Some(3);
    }
    if !defanged {
        return None;
    }
    if b.get(i..i + 5) == Some(b"[:]//") || b.get(i..i + 5) == Some(b"[://]") {
        return Some(5);
    }
    None
}

/// Maps a scheme as written (lower-cased) to its real name. Defanged forms
/// (`hxxp`, `hxxps`, `fxp`, `fxps`, `sfxp`) map only when `defanged`.
pub(crate) fn canonical_scheme(scheme_lower: &str, defanged: bool) -> Option<&'static str> {
    Some(match scheme_lower {
        "http" => "http",
        "https" => "https",
        "ftp" => "ftp",
        "ftps" => "ftps",
        "sftp" => "sftp",
        "telnet" => "telnet",
        "ldap" => "ldap",
        "ldaps" => "ldaps",
        "file" => "file",
        "smb" => "smb",
        "ws" => "ws",
        "wss" => "wss",
        "hxxp" if defanged => "http",
        "hxxps" if defanged => "https",
        "fxp" if defanged => "ftp",
        "fxps" if defanged => "ftps",
        "sfxp" if defanged => "sftp",
        _ => return None,
    })
}

/// Turns defanged notation back into the real indicator text.
///
/// Handles `hxxp`/`hXXps`/`fxp` schemes, `[.]`, `(.)`, `{.}`, `[dot]`,
/// `(dot)`, `\.` (between letters or digits), `[:]`, `[://]`, `[at]`,
/// `(at)`, `[@]`, and the spaced ` [dot] ` / ` [at] ` forms. Text that is
/// not defanged comes back unchanged.
///
/// ```
/// use huntbook::transform::ioc::refang;
/// assert_eq!(refang("hXXps[:]//evil[.]com/a[.]php"), "https://evil.com/a.php");
/// assert_eq!(refang("admin [at] contoso [dot] com"), "admin@contoso.com");
/// assert_eq!(refang("evil\\.example(.)org"), "evil.example.org");
/// assert_eq!(refang("C:\\.git\\config"), "C:\\.git\\config");
/// ```
pub fn refang(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut last = 0;
    while i < b.len() {
        let c = b[i];
        let (len, rep): (usize, &str) = if c == b'.' || c == b'@' {
            (0, "")
        } else if let Some(n) = dot_token(b, i, true) {
            (n, ".")
        } else if let Some(n) = at_token(b, i, true) {
            (n, "@")
        } else if let Some(n) = scheme_sep(b, i, true) {
            if n == 5 { (n, "://") } else { (0, "") }
        } else if b.get(i..i + 3) == Some(b"[:]") {
            (3, ":")
        } else if matches!(c, b'h' | b'H' | b'f' | b'F' | b's' | b'S')
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
        {
            match defanged_scheme_at(b, i) {
                Some((n, real)) => (n, real),
                None => (0, ""),
            }
        } else {
            (0, "")
        };
        if len == 0 {
            i += 1;
            continue;
        }
        out.push_str(&text[last..i]);
        out.push_str(rep);
        i += len;
        last = i;
    }
    out.push_str(&text[last..]);
    out
}

/// A defanged scheme word at `i` that is followed by a scheme separator.
fn defanged_scheme_at(b: &[u8], i: usize) -> Option<(usize, &'static str)> {
    let mut end = i;
    while end < b.len() && end - i < 6 && b[end].is_ascii_alphabetic() {
        end += 1;
    }
    scheme_sep(b, end, true)?;
    let word = std::str::from_utf8(&b[i..end]).ok()?.to_ascii_lowercase();
    if canonical_scheme(&word, false).is_some() {
        return None; // already real
    }
    canonical_scheme(&word, true).map(|real| (end - i, real))
}

/// Defangs one observable of the given kind so it cannot be clicked or
/// resolved by accident: URLs get `hxxp`/`hxxps`/`fxp` and `[.]` in the
/// host, domains and IPv4 addresses `[.]` for every dot, emails `[at]` and
/// `[.]` in the domain. Other kinds come back unchanged.
pub(crate) fn defang_observable(kind: super::IocType, value: &str) -> String {
    use super::IocType;
    let refanged = refang(value);
    match kind {
        IocType::Dns | IocType::Ipv4 | IocType::Hostname => refanged.replace('.', "[.]"),
        IocType::Email => match refanged.rsplit_once('@') {
            Some((user, domain)) => format!("{user}[at]{}", domain.replace('.', "[.]")),
            None => refanged,
        },
        IocType::Url => {
            let Some(pos) = refanged.find("://") else {
                return refanged;
            };
            let scheme = refanged[..pos].to_ascii_lowercase();
            let scheme = match scheme.as_str() {
                "http" => "hxxp",
                "https" => "hxxps",
                "ftp" => "fxp",
                "ftps" => "fxps",
                "sftp" => "sfxp",
                other => other,
            };
            let rest = &refanged[pos + 3..];
            let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            format!(
                "{scheme}://{}{}",
                rest[..auth_end].replace('.', "[.]"),
                &rest[auth_end..]
            )
        }
        _ => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_tokens() {
        let b = b"a[.]b(.)c{.}d[dot]e(DOT)f{dot}g [dot] h\\.i";
        assert_eq!(dot_token(b, 1, true), Some(3));
        assert_eq!(dot_token(b, 1, false), None);
        assert_eq!(dot_token(b, 5, true), Some(3));
        assert_eq!(dot_token(b, 9, true), Some(3));
        assert_eq!(dot_token(b, 13, true), Some(5));
        assert_eq!(dot_token(b, 19, true), Some(5));
        assert_eq!(dot_token(b, 25, true), Some(5));
        assert_eq!(dot_token(b, 31, true), Some(7));
        assert_eq!(dot_token(b, 39, true), Some(2));
        assert_eq!(dot_token(b"C:\\.git", 2, true), None);
    }

    #[test]
    fn at_tokens() {
        assert_eq!(at_token(b"a@b", 1, false), Some(1));
        assert_eq!(at_token(b"a[at]b", 1, true), Some(4));
        assert_eq!(at_token(b"a[at]b", 1, false), None);
        assert_eq!(at_token(b"a(AT)b", 1, true), Some(4));
        assert_eq!(at_token(b"a{at}b", 1, true), Some(4));
        assert_eq!(at_token(b"a[@]b", 1, true), Some(3));
        assert_eq!(at_token(b"a (at) b", 1, true), Some(6));
        assert_eq!(at_token(b"a [at] b", 1, true), Some(6));
        assert_eq!(at_token(b"files.batch.com", 7, true), None);
    }

    #[test]
    fn refang_forms() {
        assert_eq!(refang("hxxp://evil[.]com"), "http://evil.com");
        assert_eq!(refang("HXXPS://evil[.]com"), "https://evil.com");
        assert_eq!(
            refang("fXp://files[.]badactor[.]ru"),
            "ftp://files.badactor.ru"
        );
        assert_eq!(refang("hxxp[://]a[.]b"), "http://a.b");
        assert_eq!(refang("hxxp[:]//a[.]b"), "http://a.b");
        assert_eq!(refang("1[.]2(.)3{.}4"), "1.2.3.4");
        assert_eq!(refang("x[dot]com"), "x.com");
        assert_eq!(refang("a[@]b[.]com"), "a@b.com");
        assert_eq!(refang("a{at}b[.]com"), "a@b.com");
        assert_eq!(refang("hashxxp://x"), "hashxxp://x");
        assert_eq!(refang("plain text."), "plain text.");
        assert_eq!(refang("ünïcode[.]рф"), "ünïcode.рф");
    }

    #[test]
    fn defang_observables() {
        use super::super::IocType;
        assert_eq!(
            defang_observable(IocType::Url, "https://evil.com/a.php?x=1.2"),
            "hxxps://evil[.]com/a.php?x=1.2"
        );
        assert_eq!(defang_observable(IocType::Dns, "evil.com"), "evil[.]com");
        assert_eq!(
            defang_observable(IocType::Email, "a.b@evil.com"),
            "a.b[at]evil[.]com"
        );
        assert_eq!(defang_observable(IocType::Ipv4, "1.2.3.4"), "1[.]2[.]3[.]4");
        assert_eq!(defang_observable(IocType::Md5Hash, "ab"), "ab");
    }
}
