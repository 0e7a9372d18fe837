//! Pre-checks before an IoC goes to any provider, as MSTICPy's
//! `preprocess_observable`: only global IP addresses, URLs cleaned and with a
//! usable host, domains with a public suffix, hashes of the right length and
//! with enough entropy. A failed check becomes a row with the reason
//! (status `BadFormat`), never a lost IoC.

use super::item::TiItem;
use crate::transform::domain::{url_components, validate_tld};
use crate::transform::ioc::{IocType, ioc_type_of, refang};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// MSTICPy's threshold: a hash whose characters have less Shannon entropy
/// than this (bits per character) is not a real hash (`00000…`, `aaaa…`).
pub const MIN_HASH_ENTROPY: f64 = 3.0;

/// Checks and cleans one value. `declared` skips type inference (as an
/// `ioc_type` argument does in MSTICPy).
///
/// ```
/// use huntbook::enrich::ti::precheck::precheck;
/// use huntbook::transform::ioc::IocType;
/// let item = precheck(" 8.8.8[.]8 ", None).unwrap();
/// assert_eq!((item.ioc.as_str(), item.ioc_type), ("8.8.8.8", IocType::Ipv4));
/// assert_eq!(precheck("10.1.2.3", None).unwrap_err(), "IP address 10.1.2.3 is not global (private)");
/// assert_eq!(precheck(&"0".repeat(32), Some(IocType::Md5Hash)).unwrap_err(),
///            "hash has too little entropy (0.00 bits per character, at least 3.0 expected)");
/// ```
pub fn precheck(value: &str, declared: Option<IocType>) -> Result<TiItem, String> {
    let text = refang(value.trim());
    if text.is_empty() {
        return Err("empty value".into());
    }
    let ioc_type = match declared {
        Some(t) => t,
        None => ioc_type_of(&text).ok_or_else(|| {
            "could not tell the IoC type (not an IP, domain, URL, email or hash)".to_string()
        })?,
    };
    let ioc = match &ioc_type {
        IocType::Ipv4 | IocType::Ipv6 => check_ip(&text, &ioc_type)?,
        IocType::Url => check_url(&text)?,
        IocType::Dns => {
            let d = text.trim_end_matches('.').to_ascii_lowercase();
            if !validate_tld(&d) {
                return Err(format!("domain {d} has no public suffix"));
            }
            d
        }
        IocType::Md5Hash | IocType::Sha1Hash | IocType::Sha256Hash => check_hash(&text, &ioc_type)?,
        IocType::Email => {
            let e = text.to_ascii_lowercase();
            match e.rsplit_once('@') {
                Some((user, domain)) if !user.is_empty() && validate_tld(domain) => e,
                _ => return Err(format!("email {e} has no valid domain")),
            }
        }
        _ => text,
    };
    Ok(TiItem::new(ioc, ioc_type))
}

fn check_ip(text: &str, ty: &IocType) -> Result<String, String> {
    let ip: IpAddr = text
        .parse()
        .map_err(|_| format!("{text} is not a valid IP address"))?;
    match (ty, ip) {
        (IocType::Ipv4, IpAddr::V6(_)) | (IocType::Ipv6, IpAddr::V4(_)) => {
            return Err(format!("{text} is not an {} address", ty.name()));
        }
        _ => {}
    }
    if let Some(why) = non_global_reason(&ip) {
        return Err(format!("IP address {ip} is not global ({why})"));
    }
    Ok(ip.to_string())
}

/// Why an address is not globally routable (`None` when it is), following
/// Python's `ipaddress.is_global`, which MSTICPy uses.
pub fn non_global_reason(ip: &IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_reason(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return v4_reason(&v4);
            }
            let s = v6.segments();
            if v6.is_unspecified() {
                Some("unspecified")
            } else if v6.is_loopback() {
                Some("loopback")
            } else if v6.is_multicast() {
                Some("multicast")
            } else if (s[0] & 0xfe00) == 0xfc00 {
                Some("unique local")
            } else if (s[0] & 0xffc0) == 0xfe80 {
                Some("link-local")
            } else if s[0] == 0x2001 && s[1] == 0x0db8 {
                Some("documentation")
            } else {
                None
            }
        }
    }
}

fn v4_reason(v4: &Ipv4Addr) -> Option<&'static str> {
    let o = v4.octets();
    if v4.is_unspecified() || o[0] == 0 {
        Some("unspecified")
    } else if v4.is_loopback() {
        Some("loopback")
    } else if v4.is_private() {
        Some("private")
    } else if v4.is_link_local() {
        Some("link-local")
    } else if o[0] == 100 && (o[1] & 0xc0) == 64 {
        Some("shared address space")
    } else if v4.is_documentation() {
        Some("documentation")
    } else if o[0] == 198 && (o[1] & 0xfe) == 18 {
        Some("benchmarking")
    } else if v4.is_broadcast() {
        Some("broadcast")
    } else if v4.is_multicast() {
        Some("multicast")
    } else if o[0] >= 240 {
        Some("reserved")
    } else if o[0] == 192 && o[1] == 0 && o[2] == 0 {
        Some("IETF protocol assignments")
    } else {
        None
    }
}

fn check_url(text: &str) -> Result<String, String> {
    let c = url_components(text).map_err(|e| e.to_string())?;
    let scheme = c
        .scheme
        .clone()
        .ok_or_else(|| format!("URL {text} has no scheme"))?;
    if !matches!(scheme.as_str(), "http" | "https" | "ftp" | "ftps") {
        return Err(format!("URL scheme '{scheme}' is not looked up"));
    }
    let host = c
        .host
        .clone()
        .ok_or_else(|| format!("URL {text} has no host"))?;
    if let Ok(ip) = host.parse::<IpAddr>() {
        if let Some(why) = non_global_reason(&ip) {
            return Err(format!("URL host {ip} is not global ({why})"));
        }
    } else if host.parse::<Ipv6Addr>().is_err() && !validate_tld(&host) {
        return Err(format!("URL host {host} has no public suffix"));
    }
    // The cleaned URL: scheme and host lower case, the rest as written.
    let rest = text.find("://").map(|p| &text[p + 3..]).unwrap_or(text);
    let after_host = rest.find(['/', '?', '#']).map(|p| &rest[p..]).unwrap_or("");
    let port = c.port.map(|p| format!(":{p}")).unwrap_or_default();
    let host_text = if host.contains(':') {
        format!("[{host}]")
    } else {
        host
    };
    Ok(format!("{scheme}://{host_text}{port}{after_host}"))
}

fn check_hash(text: &str, ty: &IocType) -> Result<String, String> {
    let h = text.to_ascii_lowercase();
    let want = match ty {
        IocType::Md5Hash => 32,
        IocType::Sha1Hash => 40,
        _ => 64,
    };
    if h.len() != want || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "{} must be {want} hex digits, got {} characters",
            ty.name(),
            h.chars().count()
        ));
    }
    let e = entropy(&h);
    if e < MIN_HASH_ENTROPY {
        return Err(format!(
            "hash has too little entropy ({e:.2} bits per character, at least {MIN_HASH_ENTROPY:.1} expected)"
        ));
    }
    Ok(h)
}

/// Shannon entropy in bits per character.
pub fn entropy(text: &str) -> f64 {
    let mut counts: HashMap<char, usize> = HashMap::new();
    let mut n = 0usize;
    for c in text.chars() {
        *counts.entry(c).or_default() += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    counts
        .values()
        .map(|&c| {
            let p = c as f64 / n as f64;
            -p * p.log2()
        })
        .sum::<f64>()
        + 0.0 // turns -0.0 (one repeated character) into 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ips() {
        assert_eq!(precheck("8.8.8.8", None).unwrap().ioc, "8.8.8.8");
        assert_eq!(
            precheck("127.0.0.1", None).unwrap_err(),
            "IP address 127.0.0.1 is not global (loopback)"
        );
        assert_eq!(
            precheck("192.0.2.1", Some(IocType::Ipv4)).unwrap_err(),
            "IP address 192.0.2.1 is not global (documentation)"
        );
        assert_eq!(
            precheck("fe80::1", Some(IocType::Ipv6)).unwrap_err(),
            "IP address fe80::1 is not global (link-local)"
        );
        assert_eq!(
            precheck("2606:4700:4700::1111", None).unwrap().ioc_type,
            IocType::Ipv6
        );
    }

    #[test]
    fn urls_domains_hashes() {
        let u = precheck("hxxp://Evil[.]COM/Path?q=1", None).unwrap();
        assert_eq!(u.ioc, "http://evil.com/Path?q=1");
        assert_eq!(u.ioc_type, IocType::Url);
        assert_eq!(
            precheck("http://10.0.0.1/x", Some(IocType::Url)).unwrap_err(),
            "URL host 10.0.0.1 is not global (private)"
        );
        assert_eq!(precheck("Evil.Com", None).unwrap().ioc, "evil.com");
        let h = precheck("44D88612FEA8A8F36DE82E1278ABB02F", None).unwrap();
        assert_eq!(h.ioc, "44d88612fea8a8f36de82e1278abb02f");
        assert_eq!(
            precheck("not an ioc", None).unwrap_err(),
            "could not tell the IoC type (not an IP, domain, URL, email or hash)"
        );
        assert!((entropy("0123456789abcdef") - 4.0).abs() < 1e-12);
    }
}
