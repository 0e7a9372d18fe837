//! The value-level masking functions: strings, delimited items, accounts,
//! SIDs and UUIDs.
//!
//! Every function takes a [`Keyer`], which turns bytes into a 32-byte
//! digest: plain SHA-256 (MSTICPy's behaviour, so outputs match MSTICPy's
//! `hash_string`/`hash_item`/`hash_account`/`hash_sid`) or HMAC-SHA-256 under
//! a secret key (the default of [`super::Masker`]: nobody without the key can
//! confirm a guess such as "is `account-#17354` alice?").

use sha2::{Digest, Sha256};

/// Turns bytes into a 32-byte digest, keyed or not. Debug never shows the key.
#[derive(Clone)]
pub(crate) struct Keyer {
    /// `None`: plain SHA-256. `Some`: HMAC-SHA-256 states after the inner
    /// and outer key blocks.
    hmac: Option<(Sha256, Sha256)>,
}

impl std::fmt::Debug for Keyer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.hmac.is_some() {
            "Keyer(HMAC-SHA-256, key hidden)"
        } else {
            "Keyer(SHA-256)"
        })
    }
}

impl Keyer {
    /// Plain SHA-256, as MSTICPy hashes.
    pub(crate) fn plain() -> Self {
        Self { hmac: None }
    }

    /// HMAC-SHA-256 under `key` (RFC 2104, 64-byte blocks).
    pub(crate) fn keyed(key: &[u8; 32]) -> Self {
        let mut ipad = [0x36u8; 64];
        let mut opad = [0x5cu8; 64];
        for (i, k) in key.iter().enumerate() {
            ipad[i] ^= k;
            opad[i] ^= k;
        }
        let mut inner = Sha256::new();
        inner.update(ipad);
        let mut outer = Sha256::new();
        outer.update(opad);
        Self {
            hmac: Some((inner, outer)),
        }
    }

    /// The digest of `data`.
    pub(crate) fn digest(&self, data: &[u8]) -> [u8; 32] {
        match &self.hmac {
            None => Sha256::digest(data).into(),
            Some((inner, outer)) => {
                let mut i = inner.clone();
                i.update(data);
                let mut o = outer.clone();
                o.update(i.finalize());
                o.finalize().into()
            }
        }
    }

    /// The lowercase hex digest of `data` (64 characters).
    pub(crate) fn hex_digest(&self, data: &[u8]) -> String {
        hex::encode(self.digest(data))
    }
}

/// MSTICPy's `hash_string`: a string of the same length made from the hex
/// digest; an all-numeric input gives an all-numeric output (hex letters
/// `a`–`f` become `0`–`5`), any other input gives letters `a`–`r` (digits
/// become `i`–`r`). Empty stays empty.
///
/// Difference from MSTICPy (a fix): MSTICPy repeats the 64-character digest
/// `len / 64` times, so inputs of 65–127 characters come out 64 long, 129–191
/// come out 128 long, and so on. Here the output always has the input's
/// length. Inputs up to 64 characters give MSTICPy's output exactly.
pub(crate) fn hash_string(keyer: &Keyer, input: &str) -> String {
    if input.is_empty() {
        return String::new();
    }
    let len = input.chars().count();
    let hex = keyer.hex_digest(input.as_bytes());
    let numeric = input.chars().all(char::is_numeric);
    let mut out = String::with_capacity(len);
    for c in hex.chars().cycle().take(len) {
        let mapped = if numeric {
            if c.is_ascii_digit() {
                c
            } else {
                // 'a'..='f' -> '0'..='5'
                char::from(b'0' + (c as u8 - b'a'))
            }
        } else if c.is_ascii_digit() {
            // '0'..='9' -> 'i'..='r'
            char::from(c as u8 - b'0' + b'i')
        } else {
            c
        };
        out.push(mapped);
    }
    out
}

/// MSTICPy's `hash_item`: hashes the parts between delimiter characters and
/// keeps the delimiters, so `host.corp.contoso.com` keeps its dots.
///
/// Difference from MSTICPy (a fix): MSTICPy rebuilds the string with
/// `str.replace(part, hash)` for each part, which also rewrites the same
/// letters inside other parts and inside earlier hashes: `com.company.com`
/// becomes `pjb.pjbpany.pjb` (leaking `pany`) and `a.ab.abc` becomes
/// `c.cb.cbc`. Here each part is hashed on its own; where no part occurs
/// inside another, the outputs are identical.
pub(crate) fn hash_item(keyer: &Keyer, input: &str, delims: &str) -> String {
    if input.is_empty() {
        return String::new();
    }
    if delims.is_empty() {
        return hash_string(keyer, input);
    }
    let mut out = String::with_capacity(input.len());
    let mut start = 0;
    for (i, c) in input.char_indices() {
        if delims.contains(c) {
            out.push_str(&hash_string(keyer, &input[start..i]));
            out.push(c);
            start = i + c.len_utf8();
        }
    }
    out.push_str(&hash_string(keyer, &input[start..]));
    out
}

/// Account and domain names that are not personal and are kept as they are
/// (MSTICPy's list).
const WELL_KNOWN_ACCOUNTS: &[&str] = &[
    "administrator",
    "guest",
    "system",
    "local service",
    "network service",
    "root",
    "crontab",
    "nt authority",
];

fn well_known_account(name: &str) -> bool {
    WELL_KNOWN_ACCOUNTS
        .iter()
        .any(|w| w.eq_ignore_ascii_case(name))
}

/// MSTICPy's `hash_account`: a user becomes `account-#N` (N from the
/// digest), a domain is hashed part by part (`contoso.com` → `jjfibim.pjb`),
/// well-known accounts and domains (`SYSTEM`, `NT AUTHORITY`, `root`, …) are
/// kept. UPN (`user@domain`) and NT (`DOMAIN/user`) shapes are kept.
///
/// Differences from MSTICPy (fixes): `DOMAIN\user` — the usual Windows
/// form — is recognised as an NT account (MSTICPy only knows `/` and hashes
/// `CONTOSO\alice` as one user name); a value with several `@` or `/` is
/// split at the last `@` / first separator instead of raising; an empty value
/// stays empty (MSTICPy turns it into `account-#23992`).
pub(crate) fn hash_account(keyer: &Keyer, account: &str) -> String {
    if account.is_empty() {
        return String::new();
    }
    let user_hash = |user: &str| -> String {
        if well_known_account(user) {
            return user.to_string();
        }
        let d = keyer.digest(user.as_bytes());
        let a: u64 = d[..16].iter().map(|&b| u64::from(b)).sum();
        let b: u64 = d[16..].iter().map(|&b| u64::from(b)).sum();
        format!("account-#{}", a * b / 199)
    };
    let domain_hash = |domain: &str| -> String {
        if well_known_account(domain) {
            domain.to_string()
        } else {
            hash_item(keyer, domain, ".")
        }
    };
    if let Some((user, domain)) = account.rsplit_once('@') {
        return format!("{}@{}", user_hash(user), domain_hash(domain));
    }
    if let Some(pos) = account.find(['/', '\\']) {
        let (domain, rest) = account.split_at(pos);
        let sep = &rest[..1];
        let user = &rest[1..];
        return format!("{}{sep}{}", domain_hash(domain), user_hash(user));
    }
    user_hash(account)
}

/// MSTICPy's `hash_sid`: the three domain sub-authorities of a domain SID
/// are hashed (as numbers), the authority and the RID are kept:
/// `S-1-5-21-3623811015-3361044348-30300820-1012` →
/// `S-1-5-21-3059349244-4604252341-78953441-1012`. Well-known SIDs with at
/// most five numbers (`S-1-5-18`, `S-1-5-32-544`) are kept.
///
/// Differences from MSTICPy (fixes): a value that is not a SID is hashed as
/// a string (MSTICPy returns it unchanged, leaking it); SIDs with more than
/// seven numbers (service SIDs, `S-1-5-21-…` with extra sub-authorities) and
/// a domain SID without its RID (six numbers) also get their domain part
/// hashed (MSTICPy leaves them unchanged).
pub(crate) fn hash_sid(keyer: &Keyer, sid: &str) -> String {
    if sid.is_empty() {
        return String::new();
    }
    let Some(rest) = sid.strip_prefix("S-") else {
        return hash_string(keyer, sid);
    };
    let numbers: Vec<&str> = rest.split('-').collect();
    if numbers
        .iter()
        .any(|n| n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()))
    {
        return hash_string(keyer, sid);
    }
    if numbers.len() <= 5 {
        return sid.to_string();
    }
    let mut out = String::with_capacity(sid.len() + 4);
    out.push('S');
    for (i, n) in numbers.iter().enumerate() {
        out.push('-');
        if (3..6).contains(&i) {
            out.push_str(&hash_string(keyer, n));
        } else {
            out.push_str(n);
        }
    }
    out
}

/// A random-looking version-4 UUID derived from `value` under `keyer`: the
/// same value always gives the same UUID within one masker. MSTICPy draws a
/// fresh `uuid4()` per distinct value and keeps a map; deriving it from the
/// keyed digest gives the same consistency without a map and makes it
/// reproducible with a seed.
pub(crate) fn replace_uuid(keyer: &Keyer, value: &str) -> String {
    if value.is_empty() {
        return String::new();
    }
    let mut d = keyer.digest(value.as_bytes());
    d[6] = (d[6] & 0x0f) | 0x40;
    d[8] = (d[8] & 0x3f) | 0x80;
    let h = hex::encode(&d[..16]);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msticpy_documented_examples() {
        let k = Keyer::plain();
        assert_eq!(hash_string(&k, "sensitive data"), "jdiqcnrqmlidkd");
        assert_eq!(hash_string(&k, "12345"), "59944");
        assert_eq!(hash_item(&k, "sensitive data", " "), "kdneqoiia laoe");
    }

    #[test]
    fn long_strings_keep_their_length() {
        let k = Keyer::plain();
        let s = "x".repeat(100);
        assert_eq!(hash_string(&k, &s).len(), 100);
        assert_eq!(hash_string(&k, &"é".repeat(70)).chars().count(), 70);
    }

    #[test]
    fn hmac_matches_rfc4231_case_2_shape() {
        // RFC 4231 test case 2 uses a 4-byte key; our keys are 32 bytes, so
        // check against a known HMAC-SHA-256 computed with a 32-byte key of
        // 0x0b bytes over "Hi There" (RFC 4231 case 1 uses 20 bytes of 0x0b).
        let k = Keyer::keyed(&[0x0b; 32]);
        let d = hex::encode(k.digest(b"Hi There"));
        assert_eq!(
            d,
            "198a607eb44bfbc69903a0f1cf2bbdc5ba0aa3f3d9ae3c1c7a3b1696a0b68cf7"
        );
    }

    #[test]
    fn item_fix_does_not_leak_substrings() {
        let k = Keyer::plain();
        let out = hash_item(&k, "com.company.com", "@./:.");
        let com = hash_string(&k, "com");
        assert_eq!(out, format!("{com}.{}.{com}", hash_string(&k, "company")));
        assert!(!out.contains("pany"));
    }

    #[test]
    fn accounts_and_sids() {
        let k = Keyer::plain();
        assert_eq!(
            hash_account(&k, "NT AUTHORITY/SYSTEM"),
            "NT AUTHORITY/SYSTEM"
        );
        assert_eq!(hash_account(&k, "root"), "root");
        assert_eq!(hash_account(&k, "CONTOSO/alice"), "qadfddj/account-#17354");
        assert_eq!(
            hash_account(&k, "CONTOSO\\alice"),
            "qadfddj\\account-#17354"
        );
        assert_eq!(hash_account(&k, ""), "");
        assert_eq!(hash_sid(&k, "S-1-5-18"), "S-1-5-18");
        assert_eq!(hash_sid(&k, "S-1-5-32-544"), "S-1-5-32-544");
        assert_eq!(
            hash_sid(&k, "S-1-5-21-3623811015-3361044348-30300820-1012"),
            "S-1-5-21-3059349244-4604252341-78953441-1012"
        );
        assert_ne!(hash_sid(&k, "not-a-sid"), "not-a-sid");
    }

    #[test]
    fn uuid_is_v4_and_stable() {
        let k = Keyer::keyed(&[7; 32]);
        let a = replace_uuid(&k, "52b1ab41-869e-4138-9e40-2a4457f09bf0");
        assert_eq!(a, replace_uuid(&k, "52b1ab41-869e-4138-9e40-2a4457f09bf0"));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"));
    }
}
