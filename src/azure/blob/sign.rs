//! Signatures: HMAC-SHA256, the Shared Key string-to-sign, service SAS
//! strings and the [`SasUrl`] that hides its signature; the account key
//! type that never prints.

use super::STORAGE_VERSION;
use crate::display::NotebookDisplay;
use crate::error::{Error, Result};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;

/// HMAC-SHA256 (RFC 2104), used for Shared Key and SAS signatures.
///
/// ```
/// // RFC 4231 test case 2.
/// let mac = huntbook::azure::blob::hmac_sha256(b"Jefe", b"what do ya want for nothing?");
/// assert_eq!(hex::encode(mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
/// ```
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// A storage account key (decoded). Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct AccountKey(Vec<u8>);

impl AccountKey {
    /// The key as the portal shows it (base64).
    pub fn from_base64(text: &str) -> Result<Self> {
        B64.decode(text.trim()).map(Self).map_err(|_| {
            Error::invalid(
                "storage account key",
                "is not base64 (copy key1 or key2 from the storage account's Access keys)",
            )
        })
    }

    /// `base64(HMAC-SHA256(key, text))`.
    pub fn sign(&self, text: &str) -> String {
        B64.encode(hmac_sha256(&self.0, text.as_bytes()))
    }
}

impl fmt::Debug for AccountKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccountKey(***)")
    }
}

/// A SAS URL. `Display`/`Debug` hide the signature (`sig=***`);
/// [`SasUrl::expose`] gives the usable URL.
#[derive(Clone, PartialEq, Eq)]
pub struct SasUrl {
    url: String,
}

impl SasUrl {
    pub(crate) fn new(url: String) -> Self {
        Self { url }
    }

    /// The full URL, signature included: hand it only to whoever needs it.
    pub fn expose(&self) -> &str {
        &self.url
    }
    fn redacted(&self) -> String {
        match self.url.split_once('?') {
            Some((base, q)) => {
                let parts: Vec<String> = q
                    .split('&')
                    .map(|p| {
                        if p.starts_with("sig=") {
                            "sig=***".to_string()
                        } else {
                            p.to_string()
                        }
                    })
                    .collect();
                format!("{base}?{}", parts.join("&"))
            }
            None => self.url.clone(),
        }
    }
}

impl fmt::Display for SasUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for SasUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SasUrl({})", self.redacted())
    }
}

impl NotebookDisplay for SasUrl {
    fn to_html(&self) -> String {
        let mut b = crate::vis::html::HtmlBuilder::new();
        b.element("code", &[], &self.redacted());
        b.finish()
    }
    fn to_text(&self) -> String {
        self.redacted()
    }
}

/// The Shared Key string-to-sign for a request (the documented format for
/// version 2009-09-19 and later: verb, the eleven standard headers with an
/// empty `Content-Length` for 0, the canonicalized `x-ms-*` headers, and
/// the canonicalized resource `/{account}{encoded path}` followed by the
/// sorted, decoded query parameters).
pub fn shared_key_string_to_sign(
    method: &str,
    account: &str,
    encoded_path: &str,
    query: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> String {
    let get = |name: &str| -> String {
        headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut out = String::new();
    out.push_str(method);
    out.push('\n');
    for h in [
        "content-encoding",
        "content-language",
        "content-length",
        "content-md5",
        "content-type",
        "date",
        "if-modified-since",
        "if-match",
        "if-none-match",
        "if-unmodified-since",
        "range",
    ] {
        let v = get(h);
        if h == "content-length" && v == "0" {
            out.push('\n');
            continue;
        }
        out.push_str(&v);
        out.push('\n');
    }
    let mut ms: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in headers {
        let k = k.to_ascii_lowercase();
        if k.starts_with("x-ms-") {
            let folded = v.split_whitespace().collect::<Vec<_>>().join(" ");
            ms.entry(k)
                .and_modify(|e| {
                    e.push(',');
                    e.push_str(&folded)
                })
                .or_insert(folded);
        }
    }
    for (k, v) in &ms {
        out.push_str(k);
        out.push(':');
        out.push_str(v);
        out.push('\n');
    }
    out.push('/');
    out.push_str(account);
    out.push_str(if encoded_path.is_empty() {
        "/"
    } else {
        encoded_path
    });
    let mut params: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in query {
        params
            .entry(k.to_ascii_lowercase())
            .or_default()
            .push(v.to_string());
    }
    for (k, mut vs) in params {
        vs.sort();
        out.push('\n');
        out.push_str(&k);
        out.push(':');
        out.push_str(&vs.join(","));
    }
    out
}

/// The service SAS string-to-sign for a blob (version 2020-12-06 and
/// later: permissions, start, expiry, `/blob/{account}/{container}/{blob}`,
/// identifier, IP, protocol, version, resource `b`, snapshot time,
/// encryption scope and the five response-header overrides).
pub fn sas_string_to_sign(
    permissions: &str,
    start: &str,
    expiry: &str,
    account: &str,
    container: &str,
    blob: &str,
    protocol: &str,
) -> String {
    [
        permissions,
        start,
        expiry,
        &format!("/blob/{account}/{container}/{blob}"),
        "",
        "",
        protocol,
        STORAGE_VERSION,
        "b",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ]
    .join("\n")
}
