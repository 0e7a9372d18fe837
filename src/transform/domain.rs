//! Domain and URL utilities: public-suffix validation, domain and URL
//! components.
//!
//! The Public Suffix List is compiled into huntbook (the `psl` crate), so
//! validation works offline and gives the same answer on every machine.
//! Only the ICANN section of the list counts, as in MSTICPy (tldextract's
//! default): `blogspot.com` is a valid domain whose suffix is `com`, not a
//! suffix itself.
//!
//! ```
//! use huntbook::transform::domain::{dns_components, url_components, validate_tld};
//! assert!(validate_tld("login.microsoftonline.com"));
//! assert!(validate_tld("evil[.]co[.]uk")); // defanged input is refanged first
//! assert!(!validate_tld("build.internal"));
//!
//! let c = dns_components("Sub.Domain.Example.CO.UK");
//! assert_eq!((c.subdomain.as_str(), c.domain.as_str(), c.suffix.as_str()),
//!            ("sub.domain", "example", "co.uk"));
//!
//! let u = url_components("hxxps://admin@evil[.]com:8443/a/b.php?id=1#top")?;
//! assert_eq!(u.scheme.as_deref(), Some("https"));
//! assert_eq!(u.user.as_deref(), Some("admin"));
//! assert_eq!(u.host.as_deref(), Some("evil.com"));
//! assert_eq!(u.port, Some(8443));
//! assert_eq!(u.path.as_deref(), Some("/a/b.php"));
//! assert_eq!(u.query.as_deref(), Some("id=1"));
//! assert_eq!(u.fragment.as_deref(), Some("top"));
//! # Ok::<(), huntbook::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::transform::ioc::refang;
use serde::Serialize;

/// The longest DNS name, in bytes.
pub const MAX_DOMAIN_LEN: usize = 253;

/// Where the ICANN public suffix of a lower-case, dot-separated name starts.
///
/// Returns the byte offset of the suffix in `name` when the name has a
/// known ICANN suffix **and** at least one label before it (a bare suffix
/// such as `co.uk` is not a domain). Private-section entries (`blogspot.com`,
/// `cloudfront.net`) are looked through to the ICANN suffix under them.
pub(crate) fn icann_suffix_start(name: &[u8]) -> Option<usize> {
    let mut lookup = name;
    let mut offset = 0;
    loop {
        let suffix = psl::suffix(lookup)?;
        if !suffix.is_known() {
            return None;
        }
        let len = suffix.as_bytes().len();
        match suffix.typ() {
            Some(psl::Type::Private) => {
                // Look up the private suffix minus its first label.
                let start = lookup.len() - len;
                let rest = &lookup[start..];
                let dot = rest.iter().position(|&b| b == b'.')?;
                offset += start + dot + 1;
                lookup = &lookup[start + dot + 1..];
            }
            _ => {
                let start = offset + lookup.len() - len;
                // A label must come before the suffix.
                return if start >= 2 && name.get(start - 1) == Some(&b'.') {
                    Some(start)
                } else {
                    None
                };
            }
        }
    }
}

/// Lower-cases ASCII and maps a Unicode name to the form the list uses.
fn normalise(domain: &str) -> String {
    let refanged = refang(domain.trim());
    let trimmed = refanged.trim_end_matches('.');
    trimmed.to_lowercase()
}

/// Whether a domain (or the host of a URL) ends in a public suffix from
/// the ICANN section of the Public Suffix List, with a label before it.
///
/// Defanged input (`evil[.]com`) is refanged first; case does not matter;
/// Unicode (`пример.рф`) and punycode (`xn--e1afmkfd.xn--p1ai`) both work.
/// A URL is reduced to its host.
pub fn validate_tld(domain: &str) -> bool {
    let host = host_of(domain);
    let name = normalise(&host);
    !name.is_empty()
        && name.len() <= MAX_DOMAIN_LEN
        && icann_suffix_start(name.as_bytes()).is_some()
}

/// The host part when `text` looks like a URL, else `text`.
fn host_of(text: &str) -> String {
    let t = refang(text.trim());
    if t.contains("://")
        && let Ok(UrlComponents { host: Some(h), .. }) = url_components(&t)
    {
        return h;
    }
    t
}

/// The parts of a domain name, as tldextract (MSTICPy's `dns_components`)
/// splits them. All parts are lower case; a name without a known suffix
/// has an empty `suffix` and its last label in `domain`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DnsComponents {
    /// Labels left of the registrable domain (`www`), possibly empty.
    pub subdomain: String,
    /// The label just left of the suffix (`example`).
    pub domain: String,
    /// The public suffix (`co.uk`), empty when the name has none.
    pub suffix: String,
}

/// Splits a domain (or a URL's host) into subdomain, domain and public suffix.
///
/// ```
/// use huntbook::transform::domain::dns_components;
/// let c = dns_components("6608697.blogspot.com");
/// assert_eq!((c.subdomain.as_str(), c.domain.as_str(), c.suffix.as_str()),
///            ("6608697", "blogspot", "com"));
/// let c = dns_components("config.local");
/// assert_eq!((c.subdomain.as_str(), c.domain.as_str(), c.suffix.as_str()),
///            ("config", "local", ""));
/// ```
pub fn dns_components(domain: &str) -> DnsComponents {
    let name = normalise(&host_of(domain));
    let (head, suffix) = match icann_suffix_start(name.as_bytes()) {
        Some(start) => (&name[..start - 1], &name[start..]),
        None => (name.as_str(), ""),
    };
    let (subdomain, domain) = match head.rfind('.') {
        Some(dot) => (&head[..dot], &head[dot + 1..]),
        None => ("", head),
    };
    DnsComponents {
        subdomain: subdomain.to_string(),
        domain: domain.to_string(),
        suffix: suffix.to_string(),
    }
}

/// The parts of a URL, as MSTICPy's `url_components` (urllib3's
/// `parse_url`) gives them: parts that are absent are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct UrlComponents {
    /// The scheme, lower case (`https`); `None` for `evil.com/x`.
    pub scheme: Option<String>,
    /// The user name of the userinfo part.
    pub user: Option<String>,
    /// The password of the userinfo part (data from the URL, shown as found).
    pub password: Option<String>,
    /// The host, lower case; IPv6 literals without their brackets.
    pub host: Option<String>,
    /// The port number.
    pub port: Option<u16>,
    /// The path, from its leading `/`.
    pub path: Option<String>,
    /// The query, without the `?`.
    pub query: Option<String>,
    /// The fragment, without the `#`.
    pub fragment: Option<String>,
}

/// Splits a URL into its parts. Defanged URLs (`hxxp://evil[.]com`) are
/// refanged first; a URL without a scheme (`evil.com:8080/x`) is accepted.
///
/// Errors name the URL and the part that is wrong (an invalid port, an
/// unclosed IPv6 bracket, an empty input).
pub fn url_components(url: &str) -> Result<UrlComponents> {
    let what = || format!("URL '{url}'");
    let text = refang(url.trim());
    if text.is_empty() {
        return Err(Error::invalid(what(), "empty"));
    }
    let mut out = UrlComponents::default();
    let mut rest: &str = &text;
    if let Some(pos) = rest.find("://") {
        let scheme = &rest[..pos];
        if !scheme.is_empty()
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        {
            out.scheme = Some(scheme.to_ascii_lowercase());
            rest = &rest[pos + 3..];
        }
    }
    if let Some(pos) = rest.find('#') {
        out.fragment = Some(rest[pos + 1..].to_string());
        rest = &rest[..pos];
    }
    if let Some(pos) = rest.find('?') {
        out.query = Some(rest[pos + 1..].to_string());
        rest = &rest[..pos];
    }
    let (authority, path) = match rest.find('/') {
        Some(pos) => (&rest[..pos], Some(&rest[pos..])),
        None => (rest, None),
    };
    out.path = path.map(str::to_string);
    let hostport = match authority.rfind('@') {
        Some(at) => {
            let userinfo = &authority[..at];
            match userinfo.split_once(':') {
                Some((u, p)) => {
                    out.user = Some(u.to_string());
                    out.password = Some(p.to_string());
                }
                None => out.user = Some(userinfo.to_string()),
            }
            &authority[at + 1..]
        }
        None => authority,
    };
    let (host, port) = if let Some(inner) = hostport.strip_prefix('[') {
        let close = inner
            .find(']')
            .ok_or_else(|| Error::invalid(what(), "IPv6 host has no closing ']'"))?;
        let after = &inner[close + 1..];
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => {
                return Err(Error::invalid(
                    what(),
                    format!("unexpected '{after}' after the IPv6 host"),
                ));
            }
        };
        (&inner[..close], port)
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if let Some(p) = port.filter(|p| !p.is_empty()) {
        out.port = Some(p.parse::<u16>().map_err(|_| {
            Error::invalid(
                what(),
                format!("port '{p}' is not a number from 0 to 65535"),
            )
        })?);
    }
    if !host.is_empty() {
        out.host = Some(host.to_lowercase());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_rules() {
        assert_eq!(icann_suffix_start(b"evil.com"), Some(5));
        assert_eq!(icann_suffix_start(b"a.b.example.co.uk"), Some(12));
        assert_eq!(icann_suffix_start(b"co.uk"), None);
        assert_eq!(icann_suffix_start(b"com"), None);
        assert_eq!(icann_suffix_start(b"x.blogspot.com"), Some(11));
        assert_eq!(icann_suffix_start(b"blogspot.com"), Some(9));
        assert_eq!(icann_suffix_start(b"config.local"), None);
        assert_eq!(icann_suffix_start("пример.рф".as_bytes()), Some(13));
        assert_eq!(icann_suffix_start(b"xn--e1afmkfd.xn--p1ai"), Some(13));
    }

    #[test]
    fn validate_tld_cases() {
        assert!(validate_tld("EVIL.COM"));
        assert!(validate_tld("https://evil.com:443/x"));
        assert!(validate_tld("evil.com."));
        assert!(!validate_tld("notes.txt"));
        assert!(!validate_tld(""));
        assert!(!validate_tld("co.uk"));
    }

    #[test]
    fn url_component_errors() {
        let e = url_components("http://evil.com:99999/").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid URL 'http://evil.com:99999/': port '99999' is not a number from 0 to 65535"
        );
        assert!(url_components("http://[::1/x").is_err());
        assert!(url_components("  ").is_err());
    }

    #[test]
    fn url_components_ipv6_and_schemeless() {
        let u = url_components("http://[2001:db8::1]:8080/path?q=1").unwrap();
        assert_eq!(u.host.as_deref(), Some("2001:db8::1"));
        assert_eq!(u.port, Some(8080));
        let u = url_components("evil.com/x").unwrap();
        assert_eq!(u.scheme, None);
        assert_eq!(u.host.as_deref(), Some("evil.com"));
        assert_eq!(u.path.as_deref(), Some("/x"));
    }
}
