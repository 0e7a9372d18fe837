//! Indicators of compromise: extraction, validation, defang and refang.
//!
//! [`IocExtractor`] finds IP addresses, domains, URLs, emails, file hashes
//! and file paths in free text — command lines, alerts, reports — including
//! their defanged forms (`hxxp://evil[.]com`), and reports each one as
//! found and in its refanged canonical form. It is MSTICPy's `IoCExtract`
//! with the same type names, options, priority rule and DataFrame columns
//! (`IoCType`, `Observable`, `SourceIndex`, `Input`), without its mistakes:
//!
//! - IPv4 octets are 0–255, and `1.2.3.4.5` or `10.0.19041.1` are not
//!   addresses; IPv6 addresses are parsed (compressed, embedded IPv4,
//!   brackets, zone ids).
//! - Domains must end in a suffix from the Public Suffix List (bundled,
//!   ICANN section), with the context rules of [`scan_names`](self#domains).
//! - URLs end where URLs end: no trailing `)`, `'`, `.`, `|bash`; hosts are
//!   validated; IPv6 hosts work; nested URLs are found.
//! - Hashes are exactly 32/40/64 hex digits not touching other hex digits.
//! - `user:pass@host` in a URL is not an email, and neither is a name with
//!   the word "at" in it (MSTICPy #681): only `@`, `[at]`, `(at)`, `[@]`.
//! - Windows paths with spaces, UNC, relative and `c:/` forms; Linux paths
//!   split at spaces.
//!
//! ## Domains
//! A dotted name in free text is a `dns` observable when its last labels
//! are an ICANN public suffix. Four context rules keep file names and
//! code out: a name right after `/` or `\` (a path component), right
//! before `\` or `@`, inside a URL (its host is reported by the URL) and a
//! two-label name whose suffix is a common file extension
//! ([`FILE_EXTENSION_TLDS`]: `setup.zip`, `install.sh`, `readme.md`) are
//! not domains. In a host position — a URL's host, an email's domain —
//! `setup.zip` is a domain. Names ending in a private-network suffix
//! ([`INTERNAL_SUFFIXES`]: `dc01.corp.local`) are `hostname` observables.
//!
//! ## Priority
//! When one string is found as several types, it keeps the type with the
//! lowest priority number (MSTICPy's rule and numbers: URL/IP 0, email and
//! hashes 1, dns and hostname 2, Windows path 3, Linux path 4; custom types
//! choose theirs).
//!
//! ```
//! use huntbook::transform::ioc::{IocExtractor, IocType};
//! let iocs = IocExtractor::new().extract(
//!     "beacon to hxxps://evil[.]com:8443/gate.php from 10.0.0.5, see admin[at]evil[.]com",
//! );
//! assert_eq!(iocs[&IocType::Url].iter().collect::<Vec<_>>(), ["hxxps://evil[.]com:8443/gate.php"]);
//! assert_eq!(iocs[&IocType::Dns].iter().collect::<Vec<_>>(), ["evil[.]com"]);
//! assert_eq!(iocs[&IocType::Ipv4].iter().collect::<Vec<_>>(), ["10.0.0.5"]);
//! assert_eq!(iocs[&IocType::Email].iter().collect::<Vec<_>>(), ["admin[at]evil[.]com"]);
//!
//! let m = IocExtractor::new().extract_matches("hxxp://evil[.]com/x");
//! assert_eq!(m[0].refanged, "http://evil.com/x");
//! ```

mod defang;
mod files;
mod frame;
mod net;
mod scan;

pub use defang::refang;
pub use frame::IocFrame;
pub use net::{FILE_EXTENSION_TLDS, INTERNAL_SUFFIXES};

use crate::error::{Error, Result};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The type of an indicator. Names match MSTICPy's (`IocType::Dns.name()`
/// is `"dns"`); user-defined types are [`IocType::Custom`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum IocType {
    /// An IPv4 address.
    Ipv4,
    /// An IPv6 address.
    Ipv6,
    /// A domain name with a public suffix.
    Dns,
    /// A URL.
    Url,
    /// An email address.
    Email,
    /// An MD5 hash (32 hex digits).
    Md5Hash,
    /// A SHA-1 hash (40 hex digits).
    Sha1Hash,
    /// A SHA-256 hash (64 hex digits).
    Sha256Hash,
    /// A Windows file path.
    WindowsPath,
    /// A Linux file path.
    LinuxPath,
    /// A host name that is not a public domain (`fileserver01`,
    /// `dc01.corp.local`).
    Hostname,
    /// A type added at run time with [`IocExtractor::add_type`].
    Custom(String),
}

const BUILTIN: [IocType; 11] = [
    IocType::Ipv4,
    IocType::Ipv6,
    IocType::Dns,
    IocType::Url,
    IocType::Email,
    IocType::Md5Hash,
    IocType::Sha1Hash,
    IocType::Sha256Hash,
    IocType::WindowsPath,
    IocType::LinuxPath,
    IocType::Hostname,
];

impl IocType {
    /// The built-in types, in MSTICPy's order.
    pub fn builtin() -> &'static [IocType] {
        &BUILTIN
    }

    /// The name used in frames and on the command line (`"sha256_hash"`).
    pub fn name(&self) -> &str {
        match self {
            IocType::Ipv4 => "ipv4",
            IocType::Ipv6 => "ipv6",
            IocType::Dns => "dns",
            IocType::Url => "url",
            IocType::Email => "email",
            IocType::Md5Hash => "md5_hash",
            IocType::Sha1Hash => "sha1_hash",
            IocType::Sha256Hash => "sha256_hash",
            IocType::WindowsPath => "windows_path",
            IocType::LinuxPath => "linux_path",
            IocType::Hostname => "hostname",
            IocType::Custom(name) => name,
        }
    }

    /// MSTICPy's priority: when one string matches several types, the
    /// lowest number wins.
    pub fn default_priority(&self) -> u8 {
        match self {
            IocType::Ipv4 | IocType::Ipv6 | IocType::Url => 0,
            IocType::Email | IocType::Md5Hash | IocType::Sha1Hash | IocType::Sha256Hash => 1,
            IocType::Dns | IocType::Hostname => 2,
            IocType::WindowsPath => 3,
            IocType::LinuxPath => 4,
            IocType::Custom(_) => 5,
        }
    }

    pub(crate) fn order(&self) -> usize {
        BUILTIN
            .iter()
            .position(|t| t == self)
            .unwrap_or(BUILTIN.len())
    }

    fn bit(&self) -> u16 {
        match self.order() {
            n if n < BUILTIN.len() => 1 << n,
            _ => 0,
        }
    }

    /// The hash type of a string by its length (MSTICPy's `file_hash_type`):
    /// 32/40/64 hex digits, `None` otherwise.
    pub fn file_hash_type(value: &str) -> Option<IocType> {
        let v = value.trim();
        if !v.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        match v.len() {
            32 => Some(IocType::Md5Hash),
            40 => Some(IocType::Sha1Hash),
            64 => Some(IocType::Sha256Hash),
            _ => None,
        }
    }
}

impl fmt::Display for IocType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for IocType {
    type Err = Error;

    /// Parses a built-in type name (case-insensitive).
    fn from_str(s: &str) -> Result<Self> {
        let lower = s.trim().to_ascii_lowercase();
        BUILTIN
            .iter()
            .find(|t| t.name() == lower)
            .cloned()
            .ok_or_else(|| {
                let names: Vec<&str> = BUILTIN.iter().map(IocType::name).collect();
                Error::invalid(
                    format!("IoC type '{s}'"),
                    format!("expected one of {}", names.join(", ")),
                )
            })
    }
}

/// A user-defined indicator type: a name, a regular expression and a
/// priority (MSTICPy's `add_ioc_type`).
///
/// ```
/// use huntbook::transform::ioc::{CustomType, IocExtractor, IocType};
/// let cve = CustomType::new("cve", r"(?i)\bCVE-\d{4}-\d{4,7}\b")?.priority(0);
/// let x = IocExtractor::new().add_type(cve)?;
/// let found = x.extract("exploits CVE-2021-44228 on 10.1.1.1");
/// assert!(found[&IocType::Custom("cve".into())].contains("CVE-2021-44228"));
/// # Ok::<(), huntbook::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CustomType {
    name: String,
    regex: Regex,
    priority: u8,
    group: Option<String>,
}

impl CustomType {
    /// A type named `name` matching `pattern` (Rust `regex` syntax), with
    /// priority 5 (after every built-in type).
    pub fn new(name: &str, pattern: &str) -> Result<Self> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::invalid("custom IoC type", "the name is empty"));
        }
        let regex = regex::RegexBuilder::new(pattern)
            .size_limit(1 << 22)
            .build()
            .map_err(|e| Error::invalid(format!("regex of IoC type '{name}'"), e.to_string()))?;
        Ok(Self {
            name: name.to_string(),
            regex,
            priority: 5,
            group: None,
        })
    }

    /// Sets the priority (0 is the highest).
    pub fn priority(mut self, priority: u8) -> Self {
        self.priority = priority;
        self
    }

    /// Reports the text of this named capture group instead of the whole match.
    pub fn group(mut self, group: &str) -> Result<Self> {
        if !self.regex.capture_names().flatten().any(|g| g == group) {
            return Err(Error::invalid(
                format!("group of IoC type '{}'", self.name),
                format!("the regex has no group named '{group}'"),
            ));
        }
        self.group = Some(group.to_string());
        Ok(self)
    }

    /// The type's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    fn find_all<'a>(&self, text: &'a str, out: &mut Vec<scan::Found<'a>>) {
        use std::borrow::Cow;
        let ty = IocType::Custom(self.name.clone());
        let mut push = |m: regex::Match<'a>| {
            if !m.is_empty() {
                out.push(scan::Found::new(
                    ty.clone(),
                    m.start(),
                    m.end(),
                    Cow::Borrowed(m.as_str()),
                    Cow::Borrowed(m.as_str()),
                ));
            }
        };
        match &self.group {
            Some(g) => {
                for caps in self.regex.captures_iter(text) {
                    if let Some(m) = caps.name(g) {
                        push(m);
                    }
                }
            }
            None => self.regex.find_iter(text).for_each(push),
        }
    }
}

/// The settings a scan runs with.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    enabled: u16,
    /// `None`: every custom type; `Some`: only these.
    custom_enabled: Option<BTreeSet<String>>,
    pub defanged: bool,
    pub ignore_tlds: bool,
    pub custom: Vec<CustomType>,
}

impl Options {
    #[inline]
    pub fn wants(&self, ty: &IocType) -> bool {
        self.enabled & ty.bit() != 0
    }

    fn wants_custom(&self, name: &str) -> bool {
        self.custom_enabled
            .as_ref()
            .is_none_or(|s| s.contains(name))
    }

    pub fn any_network(&self) -> bool {
        [
            IocType::Ipv4,
            IocType::Ipv6,
            IocType::Dns,
            IocType::Url,
            IocType::Email,
            IocType::Hostname,
        ]
        .into_iter()
        .any(|t| self.wants(&t))
    }

    pub fn priority(&self, ty: &IocType) -> u8 {
        match ty {
            IocType::Custom(name) => self
                .custom
                .iter()
                .find(|c| &c.name == name)
                .map_or(5, |c| c.priority),
            t => t.default_priority(),
        }
    }
}

/// Indicators found in a string, by type (observables as found).
pub type IocMap = BTreeMap<IocType, BTreeSet<String>>;

/// One indicator found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IocMatch {
    /// Its type.
    pub ioc_type: IocType,
    /// The text as found (possibly defanged: `evil[.]com`).
    pub observable: String,
    /// The refanged canonical form: defang tokens removed, schemes and
    /// domains lower case, domains in IDNA ASCII (punycode), IP addresses
    /// in standard form (`192.168.001.001` → `192.168.1.1`), hashes lower
    /// case. Paths are unchanged.
    pub refanged: String,
    /// Byte offset where it starts in the text (an observable found only in
    /// the percent-decoded form of a URL has an empty span at the end of
    /// that URL).
    pub start: usize,
    /// Byte offset where it ends.
    pub end: usize,
}

/// Finds indicators in text. Build one with [`IocExtractor::new`] and the
/// builder methods; it is cheap to clone and can be reused for any number
/// of strings or frames.
///
/// Defaults (as MSTICPy's `extract_df`): every type except the two path
/// types, defanged forms recognised, domains checked against the Public
/// Suffix List.
#[derive(Debug, Clone)]
pub struct IocExtractor {
    opts: Options,
}

impl Default for IocExtractor {
    fn default() -> Self {
        Self::new()
    }
}

impl IocExtractor {
    /// An extractor with the default settings.
    pub fn new() -> Self {
        let all: u16 = BUILTIN.iter().fold(0, |acc, t| acc | t.bit());
        Self {
            opts: Options {
                enabled: all & !IocType::WindowsPath.bit() & !IocType::LinuxPath.bit(),
                custom_enabled: None,
                defanged: true,
                ignore_tlds: false,
                custom: Vec::new(),
            },
        }
    }

    /// Also report Windows and Linux paths (noisy; off by default).
    pub fn include_paths(mut self, yes: bool) -> Self {
        let bits = IocType::WindowsPath.bit() | IocType::LinuxPath.bit();
        if yes {
            self.opts.enabled |= bits;
        } else {
            self.opts.enabled &= !bits;
        }
        self
    }

    /// Reports only these types (built-in or added with
    /// [`add_type`](Self::add_type)); overrides [`include_paths`](Self::include_paths).
    pub fn types<I>(mut self, types: I) -> Self
    where
        I: IntoIterator<Item = IocType>,
    {
        let mut bits = 0;
        let mut custom = BTreeSet::new();
        for t in types {
            match t {
                IocType::Custom(name) => {
                    custom.insert(name);
                }
                t => bits |= t.bit(),
            }
        }
        self.opts.enabled = bits;
        self.opts.custom_enabled = Some(custom);
        self
    }

    /// Whether defanged forms (`hxxp`, `[.]`, `[at]`, ...) are recognised
    /// (default `true`; MSTICPy's `defanged`).
    pub fn defanged(mut self, yes: bool) -> Self {
        self.opts.defanged = yes;
        self
    }

    /// Accepts any alphabetic top-level label as a domain suffix instead of
    /// checking the Public Suffix List (MSTICPy's `ignore_tlds`).
    pub fn ignore_tlds(mut self, yes: bool) -> Self {
        self.opts.ignore_tlds = yes;
        self
    }

    /// Adds a user-defined type. Its name must not be a built-in type's or
    /// one already added.
    pub fn add_type(mut self, custom: CustomType) -> Result<Self> {
        if BUILTIN
            .iter()
            .any(|t| t.name().eq_ignore_ascii_case(&custom.name))
            || self.opts.custom.iter().any(|c| c.name == custom.name)
        {
            return Err(Error::invalid(
                format!("custom IoC type '{}'", custom.name),
                "a type with that name already exists",
            ));
        }
        self.opts.custom.push(custom);
        Ok(self)
    }

    /// The types this extractor reports.
    pub fn enabled_types(&self) -> Vec<IocType> {
        let mut v: Vec<IocType> = BUILTIN
            .iter()
            .filter(|t| self.opts.wants(t))
            .cloned()
            .collect();
        v.extend(
            self.opts
                .custom
                .iter()
                .filter(|c| self.opts.wants_custom(&c.name))
                .map(|c| IocType::Custom(c.name.clone())),
        );
        v
    }

    /// Every indicator in `text`, in order of position, one per distinct
    /// observable.
    pub fn extract_matches(&self, text: &str) -> Vec<IocMatch> {
        scan::scan(text, &self.opts, Vec::new())
            .into_iter()
            .map(|f| IocMatch {
                ioc_type: f.ty,
                observable: f.observable.into_owned(),
                refanged: f.refanged.into_owned(),
                start: f.start,
                end: f.end,
            })
            .collect()
    }

    /// The indicators in `text` by type, as found (MSTICPy's
    /// `extract(src=...)`). Empty or blank text gives an empty map.
    pub fn extract(&self, text: &str) -> IocMap {
        let mut map = IocMap::new();
        for f in scan::scan(text, &self.opts, Vec::new()) {
            map.entry(f.ty)
                .or_default()
                .insert(f.observable.into_owned());
        }
        map
    }

    /// Like [`extract`](Self::extract) with the refanged canonical forms.
    pub fn extract_refanged(&self, text: &str) -> IocMap {
        let mut map = IocMap::new();
        for f in scan::scan(text, &self.opts, Vec::new()) {
            map.entry(f.ty).or_default().insert(f.refanged.into_owned());
        }
        map
    }

    /// [`scan`](Self::scan) into `buf` (cleared first), reusing its
    /// allocation.
    pub(crate) fn scan_into<'a>(
        &self,
        text: &'a str,
        buf: Vec<scan::Found<'a>>,
    ) -> Vec<scan::Found<'a>> {
        scan::scan(text, &self.opts, buf)
    }

    /// Whether the whole of `value` is one indicator of type `ioc_type`
    /// (defanged forms accepted unless [`defanged(false)`](Self::defanged)).
    /// `Hostname` accepts any syntactically valid host name, including a
    /// single label and names without a public suffix.
    pub fn validate(&self, value: &str, ioc_type: &IocType) -> bool {
        if value.is_empty() {
            return false;
        }
        if *ioc_type == IocType::Hostname {
            return net::is_host_name(value, self.opts.defanged);
        }
        let mut opts = self.opts.clone();
        if let IocType::Custom(name) = ioc_type {
            opts.enabled = 0;
            opts.custom_enabled = Some(BTreeSet::from([name.clone()]));
        } else {
            opts.enabled = ioc_type.bit();
            opts.custom_enabled = Some(BTreeSet::new());
        }
        scan::scan(value, &opts, Vec::new())
            .iter()
            .any(|f| &f.ty == ioc_type && f.start == 0 && f.end == value.len())
    }

    /// The type of a whole value (MSTICPy's `get_ioc_type`): the
    /// highest-priority type whose observable is exactly `value` (paths
    /// included), `None` when it is not one indicator.
    pub fn ioc_type_of(&self, value: &str) -> Option<IocType> {
        let mut opts = self.opts.clone();
        opts.enabled = BUILTIN.iter().fold(0, |acc, t| acc | t.bit());
        opts.custom_enabled = None;
        scan::scan(value, &opts, Vec::new())
            .into_iter()
            .filter(|f| f.start == 0 && f.end == value.len() && f.observable == value)
            .min_by_key(|f| (opts.priority(&f.ty), f.ty.order()))
            .map(|f| f.ty)
    }

    /// Defangs every URL, domain, IPv4 address and email in `text`, leaving
    /// the rest unchanged.
    pub fn defang(&self, text: &str) -> String {
        let mut opts = self.opts.clone();
        opts.enabled = [IocType::Url, IocType::Dns, IocType::Ipv4, IocType::Email]
            .iter()
            .fold(0, |acc, t| acc | t.bit());
        opts.custom_enabled = Some(BTreeSet::new());
        let mut found = scan::scan(text, &opts, Vec::new());
        // Outermost spans only, in order.
        found.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        let mut out = String::with_capacity(text.len() + 16);
        let mut last = 0;
        for f in found {
            if f.start < last || f.end <= f.start || text[f.start..f.end] != f.observable {
                continue;
            }
            out.push_str(&text[last..f.start]);
            out.push_str(&defang::defang_observable(f.ty, &f.observable));
            last = f.end;
        }
        out.push_str(&text[last..]);
        out
    }
}

/// [`IocExtractor::validate`] with the default settings.
///
/// ```
/// use huntbook::transform::ioc::{validate, IocType};
/// assert!(validate("8.8.8[.]8", &IocType::Ipv4));
/// assert!(!validate("256.1.1.1", &IocType::Ipv4));
/// assert!(validate("2001:db8::1", &IocType::Ipv6));
/// assert!(!validate("config.local", &IocType::Dns));
/// ```
pub fn validate(value: &str, ioc_type: &IocType) -> bool {
    IocExtractor::new().validate(value, ioc_type)
}

/// [`IocExtractor::ioc_type_of`] with the default settings.
///
/// ```
/// use huntbook::transform::ioc::{ioc_type_of, IocType};
/// assert_eq!(ioc_type_of("hxxp://evil[.]com/a"), Some(IocType::Url));
/// assert_eq!(ioc_type_of("C:\\Windows\\x.exe"), Some(IocType::WindowsPath));
/// assert_eq!(ioc_type_of("not an ioc"), None);
/// ```
pub fn ioc_type_of(value: &str) -> Option<IocType> {
    IocExtractor::new().ioc_type_of(value)
}

/// Defangs the URLs, domains, IPv4 addresses and emails in `text`.
///
/// ```
/// use huntbook::transform::ioc::{defang, refang};
/// let text = "get https://evil.com/a.php from 10.1.2.3 or mail x@evil.com.";
/// let safe = defang(text);
/// assert_eq!(safe, "get hxxps://evil[.]com/a.php from 10[.]1[.]2[.]3 or mail x[at]evil[.]com.");
/// assert_eq!(refang(&safe), text);
/// ```
pub fn defang(text: &str) -> String {
    IocExtractor::new().defang(text)
}

/// The fuzz target's body (`fuzz/fuzz_targets/ioc_extract.rs`), also run
/// by the test suite over a seeded random corpus: extracts from arbitrary
/// bytes with several option sets and panics if an invariant breaks
/// (offsets out of range or off a character boundary, an observable that
/// is not the text at its offsets, an empty observable, a refanged form
/// that changes under a second refang, a `defang` that does not refang
/// back).
#[doc(hidden)]
pub fn fuzz_one(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let all: Vec<IocType> = BUILTIN.to_vec();
    let extractors = [
        IocExtractor::new().types(all.clone()),
        IocExtractor::new().types(all.clone()).defanged(false),
        IocExtractor::new().types(all).ignore_tlds(true),
    ];
    for x in &extractors {
        for m in x.extract_matches(&text) {
            assert!(!m.observable.is_empty(), "empty observable in {text:?}");
            assert!(m.start <= m.end && m.end <= text.len(), "bad span {m:?}");
            assert!(
                text.is_char_boundary(m.start) && text.is_char_boundary(m.end),
                "{m:?}"
            );
            if m.end > m.start {
                assert_eq!(
                    &text[m.start..m.end],
                    m.observable,
                    "observable is not the text at its span"
                );
            }
            if matches!(m.ioc_type, IocType::Dns | IocType::Ipv4 | IocType::Email) {
                assert_eq!(
                    refang(&m.refanged),
                    m.refanged,
                    "refanged form not stable: {m:?}"
                );
            }
        }
        let _ = x.extract(&text);
    }
    let defanged = defang(&text);
    if !text.contains('[') && !text.contains('(') && !text.contains('{') && !text.contains('\\') {
        let lower = text.to_ascii_lowercase();
        if !lower.contains("hxxp") && !lower.contains("fxp") {
            assert!(
                refang(&defanged).eq_ignore_ascii_case(&text),
                "defang does not refang back: {defanged:?}"
            );
        }
    }
}
