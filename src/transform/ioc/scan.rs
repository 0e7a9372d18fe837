//! The single-pass scanning driver: runs each recogniser once over the
//! text, shares span information between them (so a URL's path is not
//! also a Linux path), then keeps one type per distinct observable.

use super::{IocType, Options, files, net};
use std::borrow::Cow;

/// One observable found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found<'a> {
    pub ty: IocType,
    pub start: usize,
    pub end: usize,
    pub observable: Cow<'a, str>,
    pub refanged: Cow<'a, str>,
}

impl<'a> Found<'a> {
    pub fn new(
        ty: IocType,
        start: usize,
        end: usize,
        observable: Cow<'a, str>,
        refanged: Cow<'a, str>,
    ) -> Self {
        Self {
            ty,
            start,
            end,
            observable,
            refanged,
        }
    }
}

/// A URL found in the text: its span and where its userinfo `@` is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UrlSpan {
    pub start: usize,
    pub end: usize,
    pub userinfo_at: Option<usize>,
}

/// Scanning state for one text.
pub(crate) struct Ctx<'a, 'o> {
    pub text: &'a str,
    pub bytes: &'a [u8],
    pub opts: &'o Options,
    pub found: Vec<Found<'a>>,
    pub urls: Vec<UrlSpan>,
    /// Email local parts `(start, end)`.
    pub email_locals: Vec<(usize, usize)>,
    /// IPv6 addresses with an embedded IPv4 tail that is part of them.
    pub v6_spans: Vec<(usize, usize)>,
    pub path_spans: Vec<(usize, usize)>,
    /// Scratch buffer of label ranges.
    pub labels: Vec<(usize, usize)>,
}

impl<'a, 'o> Ctx<'a, 'o> {
    pub fn new(text: &'a str, opts: &'o Options) -> Self {
        Ctx {
            text,
            bytes: text.as_bytes(),
            opts,
            found: Vec::new(),
            urls: Vec::new(),
            email_locals: Vec::new(),
            v6_spans: Vec::new(),
            path_spans: Vec::new(),
            labels: Vec::new(),
        }
    }

    #[inline]
    pub fn wants(&self, ty: &IocType) -> bool {
        self.opts.wants(ty)
    }

    #[inline]
    pub fn push(&mut self, f: Found<'a>) {
        self.found.push(f);
    }

    /// Whether `[s, e)` lies inside a URL found earlier.
    pub fn inside_url(&self, s: usize, e: usize) -> bool {
        self.urls.iter().any(|u| s >= u.start && e <= u.end)
    }

    pub fn inside_path(&self, i: usize) -> bool {
        self.path_spans.iter().any(|&(s, e)| i >= s && i < e)
    }
}

/// Scans `text` for every enabled built-in type and the custom types.
pub(crate) fn scan<'a>(text: &'a str, opts: &Options, mut buf: Vec<Found<'a>>) -> Vec<Found<'a>> {
    buf.clear();
    let mut ctx = Ctx::new(text, opts);
    ctx.found = buf;
    if text.is_empty() {
        return ctx.found;
    }
    if opts.any_network() {
        net::scan_urls(&mut ctx);
        net::scan_emails(&mut ctx);
        net::scan_ipv6(&mut ctx);
        net::scan_ipv4(&mut ctx);
        if opts.wants(&IocType::Dns) || opts.wants(&IocType::Hostname) {
            net::scan_names(&mut ctx);
        }
    }
    if opts.wants(&IocType::Md5Hash)
        || opts.wants(&IocType::Sha1Hash)
        || opts.wants(&IocType::Sha256Hash)
    {
        files::scan_hashes(&mut ctx);
    }
    if opts.wants(&IocType::WindowsPath) {
        files::scan_windows_paths(&mut ctx);
    }
    if opts.wants(&IocType::LinuxPath) {
        files::scan_linux_paths(&mut ctx);
    }
    for custom in &opts.custom {
        if !opts.wants_custom(&custom.name) {
            continue;
        }
        custom.find_all(text, &mut ctx.found);
    }
    resolve_priorities(ctx.found, opts)
}

/// Keeps one type per distinct observable: the type with the lowest
/// priority number (MSTICPy's rule), the earliest found on a tie. The
/// result is ordered by position, then type.
fn resolve_priorities<'a>(mut found: Vec<Found<'a>>, opts: &Options) -> Vec<Found<'a>> {
    if found.len() > 1 {
        found.sort_by(|a, b| {
            a.observable
                .cmp(&b.observable)
                .then(opts.priority(&a.ty).cmp(&opts.priority(&b.ty)))
                .then(a.start.cmp(&b.start))
        });
        found.dedup_by(|later, first| later.observable == first.observable);
        found.sort_by(|a, b| {
            a.start
                .cmp(&b.start)
                .then(a.ty.order().cmp(&b.ty.order()))
                .then(a.end.cmp(&b.end))
        });
    }
    found
}
