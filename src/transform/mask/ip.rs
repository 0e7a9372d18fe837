//! IP address masking: a consistent permutation of IPv4 octets, with the
//! network part of private and special ranges kept.

use super::hash::{Keyer, hash_string};
use crate::error::{Error, Result};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

/// Four permutations of 0–255, one per octet position: the same address
/// always masks to the same address, and two addresses never mask to the
/// same one (the mapping is a bijection).
///
/// MSTICPy builds this map from an unseeded RNG at import. Here it comes
/// from the masker's key ([`IpPermutation::from_key`], reproducible with a
/// seed) or from a file ([`IpPermutation::from_json_file`]), e.g. the
/// `mask_ip_map.json` a MSTICPy run saved.
#[derive(Clone, PartialEq, Eq)]
pub struct IpPermutation {
    maps: [[u8; 256]; 4],
}

impl std::fmt::Debug for IpPermutation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The permutation is the masking key for addresses: never printed.
        f.write_str("IpPermutation(hidden)")
    }
}

impl IpPermutation {
    /// A permutation drawn from a 32-byte key (Fisher–Yates driven by
    /// SHA-256 in counter mode, unbiased by rejection).
    pub fn from_key(key: &[u8; 32]) -> Self {
        let keyer = Keyer::keyed(key);
        let mut counter = 0u64;
        let mut pool: Vec<u8> = Vec::new();
        let mut next_byte = || {
            if pool.is_empty() {
                let mut block = keyer.digest(&counter.to_le_bytes()).to_vec();
                block.reverse();
                pool = block;
                counter += 1;
            }
            pool.pop().unwrap_or(0)
        };
        let mut maps = [[0u8; 256]; 4];
        for map in &mut maps {
            for (i, m) in map.iter_mut().enumerate() {
                *m = i as u8;
            }
            for i in (1..256usize).rev() {
                // uniform j in 0..=i by rejection on one byte
                let bound = i + 1;
                let limit = 256 - (256 % bound);
                let j = loop {
                    let b = usize::from(next_byte());
                    if b < limit {
                        break b % bound;
                    }
                };
                map.swap(i, j);
            }
        }
        Self { maps }
    }

    /// Reads a permutation saved as JSON: a list of four objects mapping
    /// `"0"`–`"255"` to `"0"`–`"255"` (MSTICPy's `ip_map` as `json.dump`
    /// writes it) or a list of four lists of 256 numbers.
    pub fn from_json_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("reading", path, e))?;
        Self::from_json_str(&text, &format!("IP permutation file '{}'", path.display()))
    }

    /// Parses a permutation from JSON (see [`IpPermutation::from_json_file`]);
    /// `label` names the input in errors.
    pub fn from_json_str(text: &str, label: &str) -> Result<Self> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|source| Error::Json {
                context: format!("reading {label}"),
                source,
            })?;
        let bad = |m: String| Error::invalid(label, m);
        let list = value
            .as_array()
            .filter(|l| l.len() == 4)
            .ok_or_else(|| bad("expected a list of 4 octet maps".into()))?;
        let mut maps = [[0u8; 256]; 4];
        for (pos, entry) in list.iter().enumerate() {
            let mut seen = [false; 256];
            let pairs: Vec<(usize, &serde_json::Value)> = match entry {
                serde_json::Value::Object(obj) => obj
                    .iter()
                    .map(|(k, v)| {
                        k.parse::<usize>()
                            .ok()
                            .filter(|n| *n < 256)
                            .map(|n| (n, v))
                            .ok_or_else(|| bad(format!("map {pos}: key '{k}' is not 0-255")))
                    })
                    .collect::<Result<_>>()?,
                serde_json::Value::Array(a) => a.iter().enumerate().collect(),
                _ => return Err(bad(format!("map {pos} is not an object or a list"))),
            };
            if pairs.len() != 256 {
                return Err(bad(format!(
                    "map {pos} has {} entries, expected 256",
                    pairs.len()
                )));
            }
            for (from, to) in pairs {
                let to = match to {
                    serde_json::Value::String(s) => s.parse::<u8>().ok(),
                    serde_json::Value::Number(n) => n.as_u64().and_then(|n| u8::try_from(n).ok()),
                    _ => None,
                }
                .ok_or_else(|| bad(format!("map {pos}: value for {from} is not 0-255")))?;
                if seen[usize::from(to)] {
                    return Err(bad(format!(
                        "map {pos} is not a permutation: {to} appears twice"
                    )));
                }
                seen[usize::from(to)] = true;
                maps[pos][from] = to;
            }
        }
        Ok(Self { maps })
    }

    /// Writes the permutation as MSTICPy's JSON shape (keep it with masked
    /// data only if you accept that it unmasks the addresses).
    pub fn to_json(&self) -> String {
        let list: Vec<serde_json::Map<String, serde_json::Value>> = self
            .maps
            .iter()
            .map(|m| {
                m.iter()
                    .enumerate()
                    .map(|(i, v)| (i.to_string(), serde_json::Value::String(v.to_string())))
                    .collect()
            })
            .collect();
        serde_json::to_string(&list).unwrap_or_default()
    }

    fn octet(&self, pos: usize, value: u8) -> u8 {
        self.maps[pos % 4][usize::from(value)]
    }

    /// Masks an IPv4 address (see [`mask_ipv4`]).
    pub fn mask_v4(&self, addr: Ipv4Addr) -> Ipv4Addr {
        mask_ipv4(self, addr)
    }
}

/// How many leading octets of a special IPv4 range are kept.
fn kept_octets(o: [u8; 4]) -> Option<usize> {
    Some(match o {
        [0, ..] => 1,                                // "this network" 0/8
        [10, ..] => 1,                               // private 10/8
        [100, b, ..] if (64..128).contains(&b) => 2, // shared (CGNAT) 100.64/10
        [127, ..] => 1,                              // loopback 127/8
        [169, 254, ..] => 2,                         // link-local
        [172, b, ..] if (16..32).contains(&b) => 2,  // private 172.16/12
        [192, 0, 0, _] | [192, 0, 2, _] | [192, 88, 99, _] => 3,
        [192, 168, ..] => 2,                       // private 192.168/16
        [198, 18 | 19, ..] => 2,                   // benchmarking 198.18/15
        [198, 51, 100, _] | [203, 0, 113, _] => 3, // documentation
        [a, ..] if a >= 224 => 1,                  // multicast 224/4, reserved 240/4
        _ => return None,
    })
}

/// Masks an IPv4 address with the octet permutation.
///
/// * `0.0.0.0`, `127.0.0.1` and `255.255.255.255` are kept (as MSTICPy).
/// * Private and special ranges keep their network octets and permute the
///   host octets, so a masked private address is still private in the same
///   range: `10.a.b.c`, `172.16–31.x.y`, `192.168.x.y`, `169.254.x.y`,
///   `100.64–127.x.y`, `198.18–19.x.y`, `127.x.y.z`, `0.x.y.z`, multicast
///   and reserved (first octet kept), and the documentation /24s (three
///   kept). The host octets use permutations 0, 1, 2 in order, as MSTICPy.
/// * Public addresses permute all four octets and stay public: when the
///   permuted address lands in a special range, the permutation is applied
///   again (cycle walking) until it is public, which is still a bijection on
///   public addresses.
///
/// Differences from MSTICPy (fixes): MSTICPy tests `first octet == 17` for
/// the 172.16/12 range, so `172.16–31.x.y` is remapped as a public address
/// (usually leaving the private range) while public `17.16–31.x.y` keeps its
/// first two octets; it keeps only `127.0.0.1` of the loopback range, knows
/// no link-local, CGNAT or documentation ranges, and lets public addresses
/// land in private or reserved ranges (`13.37.48.94` → `244.46.253.77`).
pub fn mask_ipv4(perm: &IpPermutation, addr: Ipv4Addr) -> Ipv4Addr {
    let o = addr.octets();
    if matches!(o, [0, 0, 0, 0] | [127, 0, 0, 1] | [255, 255, 255, 255]) {
        return addr;
    }
    if let Some(keep) = kept_octets(o) {
        let mut out = o;
        for (i, slot) in out.iter_mut().enumerate().skip(keep) {
            *slot = perm.octet(i - keep, o[i]);
        }
        return Ipv4Addr::from(out);
    }
    let step = |x: [u8; 4]| -> [u8; 4] {
        [
            perm.octet(0, x[0]),
            perm.octet(1, x[1]),
            perm.octet(2, x[2]),
            perm.octet(3, x[3]),
        ]
    };
    let mut cur = step(o);
    // x is public and on its own cycle, so the walk ends within the cycle;
    // the bound only guards against a broken permutation.
    let mut guard = 0u32;
    while kept_octets(cur).is_some() && guard < 1 << 24 {
        cur = step(cur);
        guard += 1;
    }
    Ipv4Addr::from(cur)
}

/// Masks an IPv6 address: each textual group is replaced by the same number
/// of hex digits from its digest (MSTICPy's scheme), except that
/// `::`, `::1` are kept, the IPv4 part of `::ffff:a.b.c.d` is masked as
/// IPv4, and special prefixes keep their network group(s): link-local
/// `fe80::/10`, unique-local `fc00::/7` and multicast `ff00::/8` keep the
/// first group, documentation `2001:db8::/32` keeps two.
///
/// Difference from MSTICPy (a fix): MSTICPy hashes every group, so a
/// link-local `fe80::…` turns into a global-looking address.
fn mask_ipv6(keyer: &Keyer, perm: &IpPermutation, text: &str, addr: Ipv6Addr) -> String {
    if addr.is_unspecified() || addr.is_loopback() {
        return text.to_string();
    }
    if let Some(v4) = addr.to_ipv4_mapped() {
        return format!("::ffff:{}", mask_ipv4(perm, v4));
    }
    let seg = addr.segments();
    let keep =
        if seg[0] & 0xffc0 == 0xfe80 || seg[0] & 0xfe00 == 0xfc00 || seg[0] & 0xff00 == 0xff00 {
            1
        } else if seg[0] == 0x2001 && seg[1] == 0x0db8 {
            2
        } else {
            0
        };
    let mut out = String::with_capacity(text.len());
    let mut index = 0usize; // groups written so far, counting the '::' gap
    let parts: Vec<&str> = text.split(':').collect();
    let written = parts.iter().filter(|p| !p.is_empty()).count();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        if part.is_empty() {
            // the '::' gap stands for 8 - written zero groups
            if i > 0 && i + 1 < parts.len() {
                index += 8usize.saturating_sub(written);
            }
            continue;
        }
        if index < keep {
            out.push_str(part);
        } else {
            let hex = keyer.hex_digest(part.as_bytes());
            out.push_str(&hex[..part.len().min(hex.len())]);
        }
        index += 1;
    }
    out
}

/// Masks one IP value as MSTICPy's `hash_ip` does, with the fixes described
/// on [`mask_ipv4`]. Surrounding spaces are ignored. A value that is not an
/// address is still masked: with a `.`, as a string ([`hash_string`]); with
/// a `:`, group by group; otherwise as hex digits of the same length.
pub(crate) fn mask_ip(keyer: &Keyer, perm: &IpPermutation, value: &str) -> String {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return value.to_string();
    }
    match trimmed.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => mask_ipv4(perm, v4).to_string(),
        Ok(IpAddr::V6(v6)) => mask_ipv6(keyer, perm, trimmed, v6),
        Err(_) if trimmed.contains('.') => hash_string(keyer, trimmed),
        Err(_) if trimmed.contains(':') => trimmed
            .split(':')
            .map(|p| {
                let h = keyer.hex_digest(p.as_bytes());
                h[..p.len().min(h.len())].to_string()
            })
            .collect::<Vec<_>>()
            .join(":"),
        Err(_) => {
            let h = keyer.hex_digest(trimmed.as_bytes());
            let n = trimmed.chars().count();
            h.chars().cycle().take(n).collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn perm() -> IpPermutation {
        IpPermutation::from_key(&[1; 32])
    }

    #[test]
    fn permutation_is_a_bijection() {
        let p = perm();
        for map in &p.maps {
            let mut seen = [false; 256];
            for v in map {
                assert!(!seen[usize::from(*v)]);
                seen[usize::from(*v)] = true;
            }
        }
        assert_eq!(format!("{p:?}"), "IpPermutation(hidden)");
        let back = IpPermutation::from_json_str(&p.to_json(), "x").unwrap();
        assert_eq!(back, p);
    }

    #[test]
    fn private_ranges_stay_private() {
        let p = perm();
        let m = |s: &str| mask_ipv4(&p, s.parse().unwrap()).octets();
        assert_eq!(m("10.1.2.3")[0], 10);
        assert_eq!(&m("172.20.1.2")[..2], &[172, 20]);
        assert_eq!(&m("192.168.9.9")[..2], &[192, 168]);
        assert_eq!(&m("169.254.1.1")[..2], &[169, 254]);
        assert_eq!(m("127.0.0.1"), [127, 0, 0, 1]);
        for a in 0..=255u8 {
            for b in [0u8, 17, 99, 200] {
                let out = mask_ipv4(&p, Ipv4Addr::new(a, b, 3, 4));
                assert_eq!(
                    kept_octets(Ipv4Addr::new(a, b, 3, 4).octets()).is_none(),
                    kept_octets(out.octets()).is_none(),
                    "{a}.{b}.3.4 -> {out}"
                );
            }
        }
    }

    #[test]
    fn ipv6_keeps_link_local_prefix() {
        let k = Keyer::plain();
        let p = perm();
        let out = mask_ip(&k, &p, "fe80::26c:48bb:f33f:eff9");
        assert!(out.starts_with("fe80::"), "{out}");
        assert_eq!(out, "fe80::2f6:325e:2ce2:ebdc");
        assert_eq!(mask_ip(&k, &p, "::1"), "::1");
        assert!(out.parse::<Ipv6Addr>().is_ok());
    }

    #[test]
    fn bad_permutation_files_are_errors() {
        let err = IpPermutation::from_json_str("[{}]", "f")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "invalid f: expected a list of 4 octet maps");
        let dup: Vec<Vec<u8>> = vec![vec![0u8; 256]; 4];
        let err = IpPermutation::from_json_str(&serde_json::to_string(&dup).unwrap(), "f")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a permutation"), "{err}");
    }
}
