//! [`TiLookup`]: the fan-out across providers and items.

use super::cache::{TiCache, default_cache_dir};
use super::http::{HttpClient, HttpOptions};
use super::item::TiItem;
use super::limit::{Clock, RateLimit, RateLimiter, SystemClock, acquire};
use super::precheck::precheck;
use super::progress::Progress;
use super::provider::TiProvider;
use super::result::{LookupResult, LookupStatus, TiResults};
use crate::data::fresh;
use crate::error::{Error, PolarsContext, Result};
use crate::transform::ioc::IocType;
use futures::StreamExt;
use polars::prelude::*;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Default time to live of cached answers.
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, Clone)]
struct Entry {
    provider: Arc<dyn TiProvider>,
    enabled: bool,
    limit: RateLimit,
    limiter: Arc<Mutex<RateLimiter>>,
}

/// Looks IoCs up across threat-intelligence providers, concurrently, with
/// per-provider rate limits, retries, a per-request timeout and an on-disk
/// cache. Every IoC gets one row per provider, failures included.
///
/// Build it from the `TIProviders` section of the settings
/// ([`TiLookup::from_settings`]) or add providers yourself:
///
/// ```
/// use huntbook::prelude::*;
/// use huntbook::enrich::ti::{TiLookup, LocalFeed};
/// let feed = LocalFeed::from_file(bundled("msticpy/testdata-converted/as_threatintel.csv")?)?;
/// let ti = TiLookup::new().no_cache().progress(false).with_provider(feed);
/// let res = ti.lookup_iocs(["51.255.107.37", "8.8.8.8"])?;
/// assert_eq!(res.df().height(), 2);
/// assert!(res.rows()[0].result && !res.rows()[1].result);
/// # Ok::<(), huntbook::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct TiLookup {
    entries: Vec<Entry>,
    http: HttpOptions,
    clock: Arc<dyn Clock>,
    cache: Option<TiCache>,
    progress: bool,
    prechecks: bool,
    concurrency: usize,
    notes: Vec<String>,
}

impl Default for TiLookup {
    fn default() -> Self {
        Self::new()
    }
}

/// A lookup being prepared: which IoCs, which providers, which sub-query.
#[derive(Debug, Clone)]
pub struct TiQuery<'a> {
    ti: &'a TiLookup,
    values: Vec<(String, Option<IocType>)>,
    providers: Option<Vec<String>>,
    subtype: Option<String>,
}

impl TiLookup {
    /// No providers yet, the default cache folder and TTL, progress on.
    pub fn new() -> Self {
        Self {
            entries: Vec::new(),
            http: HttpOptions::default(),
            clock: Arc::new(SystemClock::new()),
            cache: Some(TiCache::new(default_cache_dir(), DEFAULT_CACHE_TTL)),
            progress: true,
            prechecks: true,
            concurrency: 4,
            notes: Vec::new(),
        }
    }

    /// Adds a provider (enabled) with its own default rate limit.
    pub fn with_provider(mut self, provider: impl TiProvider + 'static) -> Self {
        self.add_provider(Arc::new(provider), true, None);
        self
    }

    /// Adds a shared provider, enabled or not, with a rate limit (`None`:
    /// the provider's default). A provider of the same name is replaced.
    pub fn add_provider(
        &mut self,
        provider: Arc<dyn TiProvider>,
        enabled: bool,
        limit: Option<RateLimit>,
    ) -> &mut Self {
        let limit = limit.unwrap_or_else(|| provider.rate_limit());
        let name = provider.name().to_string();
        self.entries.retain(|e| e.provider.name() != name);
        self.entries.push(Entry {
            provider,
            enabled,
            limiter: Arc::new(Mutex::new(RateLimiter::new(limit.clone()))),
            limit,
        });
        self
    }

    /// Records a note shown with the provider list (e.g. a provider in the
    /// settings that could not be built, and why).
    pub fn add_note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// Notes from building (providers skipped, and why).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Sets a provider's rate limit.
    pub fn rate_limit(mut self, provider: &str, limit: RateLimit) -> Result<Self> {
        let e = self.entry_mut(provider)?;
        e.limiter = Arc::new(Mutex::new(RateLimiter::new(limit.clone())));
        e.limit = limit;
        Ok(self)
    }

    fn entry_mut(&mut self, name: &str) -> Result<&mut Entry> {
        let have = self.names().join(", ");
        self.entries
            .iter_mut()
            .find(|e| e.provider.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                Error::invalid(
                    format!("TI provider '{name}'"),
                    format!(
                        "not loaded (loaded: {})",
                        if have.is_empty() { "none".into() } else { have }
                    ),
                )
            })
    }

    /// Enables a provider by name.
    pub fn enable(mut self, name: &str) -> Result<Self> {
        self.entry_mut(name)?.enabled = true;
        Ok(self)
    }

    /// Disables a provider by name.
    pub fn disable(mut self, name: &str) -> Result<Self> {
        self.entry_mut(name)?.enabled = false;
        Ok(self)
    }

    /// Uses another clock (tests: [`super::ManualClock`]).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Timeouts and retries.
    pub fn http_options(mut self, opts: HttpOptions) -> Self {
        self.http = opts;
        self
    }

    /// The per-request timeout.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.http.timeout = d;
        self
    }

    /// Caches online answers in `dir`, for `ttl`.
    pub fn cache(mut self, dir: impl Into<PathBuf>, ttl: Duration) -> Self {
        self.cache = Some(TiCache::new(dir, ttl));
        self
    }

    /// No cache.
    pub fn no_cache(mut self) -> Self {
        self.cache = None;
        self
    }

    /// The cache, when one is used.
    pub fn cache_ref(&self) -> Option<&TiCache> {
        self.cache.as_ref()
    }

    /// Progress lines on standard error during bulk lookups (default on).
    pub fn progress(mut self, on: bool) -> Self {
        self.progress = on;
        self
    }

    /// Pre-checks (on by default; off looks up private IPs too, e.g. in a
    /// local feed of internal indicators).
    pub fn prechecks(mut self, on: bool) -> Self {
        self.prechecks = on;
        self
    }

    /// Requests in flight per provider (default 4).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// The providers' names, in order.
    pub fn names(&self) -> Vec<String> {
        self.entries
            .iter()
            .map(|e| e.provider.name().to_string())
            .collect()
    }

    /// The enabled providers' names.
    pub fn enabled(&self) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| e.enabled)
            .map(|e| e.provider.name().to_string())
            .collect()
    }

    /// The providers: `Provider, Enabled, Online, IocTypes, QuerySubtypes,
    /// RateLimit, Description`.
    pub fn providers(&self) -> Result<DataFrame> {
        let mut name = Vec::new();
        let mut enabled = Vec::new();
        let mut online = Vec::new();
        let mut types = Vec::new();
        let mut subs = Vec::new();
        let mut limit = Vec::new();
        let mut desc = Vec::new();
        for e in &self.entries {
            let p = &e.provider;
            name.push(p.name().to_string());
            enabled.push(e.enabled);
            online.push(p.online());
            let ts = p.ioc_types();
            types.push(
                ts.iter()
                    .map(|t| t.name().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            let mut sub: Vec<String> = Vec::new();
            for t in &ts {
                for s in p.query_subtypes(t) {
                    if !sub.iter().any(|x| x == s) {
                        sub.push(s.to_string());
                    }
                }
            }
            subs.push(sub.join(", "));
            limit.push(e.limit.to_string());
            desc.push(p.description().to_string());
        }
        DataFrame::new_infer_height(vec![
            Column::new("Provider".into(), name),
            Column::new("Enabled".into(), enabled),
            Column::new("Online".into(), online),
            Column::new("IocTypes".into(), types),
            Column::new("QuerySubtypes".into(), subs),
            Column::new("RateLimit".into(), limit),
            Column::new("Description".into(), desc),
        ])
        .ctx("listing TI providers")
    }

    /// Starts a lookup of values (types inferred).
    pub fn query<I, S>(&self, values: I) -> TiQuery<'_>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        TiQuery {
            ti: self,
            values: values
                .into_iter()
                .map(|v| (v.as_ref().to_string(), None))
                .collect(),
            providers: None,
            subtype: None,
        }
    }

    /// Looks one IoC up with every enabled provider.
    pub fn lookup_ioc(&self, value: &str) -> Result<TiResults> {
        self.query([value]).run()
    }

    /// Looks a list of IoCs up with every enabled provider.
    pub fn lookup_iocs<I, S>(&self, values: I) -> Result<TiResults>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.query(values).run()
    }

    /// Looks up the values of a frame column (nulls skipped, duplicates
    /// looked up once).
    pub fn lookup_df(&self, df: &DataFrame, column: &str) -> Result<TiResults> {
        self.query(column_values(df, column)?).run()
    }

    /// Looks up a frame column whose IoC types are in another column
    /// (`IoCType` of [`crate::transform::ioc::IocFrame`], MSTICPy names).
    pub fn lookup_df_typed(
        &self,
        df: &DataFrame,
        column: &str,
        type_column: &str,
    ) -> Result<TiResults> {
        let df = fresh(df);
        let get = |c: &str| -> Result<Vec<Option<String>>> {
            let col = df.column(c).map_err(|_| {
                Error::column_not_found(
                    c,
                    "the IoC frame",
                    df.get_column_names().iter().map(|s| s.as_str()),
                )
            })?;
            let s = col
                .cast(&DataType::String)
                .ctx(format!("reading column '{c}'"))?;
            Ok(s.str()
                .ctx(format!("reading column '{c}'"))?
                .iter()
                .map(|v| v.map(String::from))
                .collect())
        };
        let vals = get(column)?;
        let types = get(type_column)?;
        let mut q = self.query(Vec::<String>::new());
        let mut seen = std::collections::HashSet::new();
        for (v, t) in vals.into_iter().zip(types) {
            let Some(v) = v else { continue };
            let ty = t.and_then(|t| t.parse::<IocType>().ok());
            if seen.insert((v.clone(), ty.clone())) {
                q.values.push((v, ty));
            }
        }
        q.run()
    }

    async fn run_async(&self, q: &TiQuery<'_>) -> Result<TiResults> {
        let entries: Vec<&Entry> = match &q.providers {
            Some(names) => {
                let mut v = Vec::new();
                for n in names {
                    let e = self
                        .entries
                        .iter()
                        .find(|e| e.provider.name().eq_ignore_ascii_case(n))
                        .ok_or_else(|| {
                            Error::invalid(
                                format!("TI provider '{n}'"),
                                format!("not loaded (loaded: {})", self.names().join(", ")),
                            )
                        })?;
                    v.push(e);
                }
                v
            }
            None => self.entries.iter().filter(|e| e.enabled).collect(),
        };
        let providers_run: Vec<String> = entries
            .iter()
            .map(|e| e.provider.name().to_string())
            .collect();
        // Pre-checks, once per value.
        let checked: Vec<(String, Option<IocType>, std::result::Result<TiItem, String>)> = q
            .values
            .iter()
            .map(|(v, t)| {
                let r = if self.prechecks {
                    precheck(v, t.clone())
                } else {
                    lenient(v, t.clone())
                };
                (
                    v.clone(),
                    t.clone(),
                    r.map(|i| i.with_subtype(q.subtype.clone())),
                )
            })
            .collect();
        let http = HttpClient::new(self.http.clone(), self.clock.clone())?;
        let total = checked.len() * entries.len();
        let progress = Progress::new(total, self.progress && total > 1);
        let mut per_provider = Vec::new();
        for (pi, e) in entries.iter().enumerate() {
            per_provider.push(self.run_provider(pi, e, &checked, &http, &progress));
        }
        let mut rows: Vec<(usize, usize, LookupResult)> = futures::future::join_all(per_provider)
            .await
            .into_iter()
            .flatten()
            .collect();
        progress.finish();
        rows.sort_by_key(|(item, prov, _)| (*item, *prov));
        TiResults::new(rows.into_iter().map(|r| r.2).collect(), providers_run)
    }

    async fn run_provider(
        &self,
        pi: usize,
        e: &Entry,
        checked: &[(String, Option<IocType>, std::result::Result<TiItem, String>)],
        http: &HttpClient,
        progress: &Progress,
    ) -> Vec<(usize, usize, LookupResult)> {
        let p = &e.provider;
        let name = p.name().to_string();
        let types = p.ioc_types();
        let mut out = Vec::new();
        // Items to send, each once; the input positions that share it.
        let mut todo: Vec<(Vec<usize>, TiItem)> = Vec::new();
        let mut todo_pos: HashMap<TiItem, usize> = HashMap::new();
        for (i, (raw, ty, r)) in checked.iter().enumerate() {
            let row = match r {
                Err(reason) => {
                    let t = ty
                        .clone()
                        .or_else(|| crate::transform::ioc::ioc_type_of(raw.trim()));
                    let known = t.is_some();
                    let mut item =
                        TiItem::new(raw.trim(), t.unwrap_or(IocType::Custom("unknown".into())));
                    item.query_subtype = None;
                    let mut row =
                        LookupResult::failed(&item, &name, LookupStatus::BadFormat, reason);
                    if !known {
                        row.ioc_type = "unknown".into();
                    }
                    Some(row)
                }
                Ok(item) if !types.contains(&item.ioc_type) => Some(LookupResult::failed(
                    item,
                    &name,
                    LookupStatus::NotSupported,
                    &format!("{name} does not look up {}", item.ioc_type.name()),
                )),
                Ok(item) => match &item.query_subtype {
                    Some(s) if !p.query_subtypes(&item.ioc_type).contains(&s.as_str()) => {
                        Some(LookupResult::failed(
                            item,
                            &name,
                            LookupStatus::NotSupported,
                            &format!(
                                "{name} has no sub-query '{s}' for {} (has: {})",
                                item.ioc_type.name(),
                                p.query_subtypes(&item.ioc_type).join(", ")
                            ),
                        ))
                    }
                    _ => {
                        let cached = if p.online() {
                            self.cache.as_ref().and_then(|c| {
                                c.get(
                                    &name,
                                    item.ioc_type.name(),
                                    &item.ioc,
                                    item.query_subtype.as_deref(),
                                )
                            })
                        } else {
                            None
                        };
                        if cached.is_none() {
                            match todo_pos.get(item) {
                                Some(&k) => {
                                    if let Some(t) = todo.get_mut(k) {
                                        t.0.push(i);
                                    }
                                }
                                None => {
                                    todo_pos.insert(item.clone(), todo.len());
                                    todo.push((vec![i], item.clone()));
                                }
                            }
                        }
                        cached
                    }
                },
            };
            if let Some(row) = row {
                progress.done(&row);
                out.push((i, pi, row));
            }
        }
        let batch = p.batch_size().max(1);
        let batches: Vec<Vec<(Vec<usize>, TiItem)>> =
            todo.chunks(batch).map(|c| c.to_vec()).collect();
        let results = futures::stream::iter(batches)
            .map(|b| {
                let name = &name;
                async move {
                let items: Vec<TiItem> = b.iter().map(|(_, it)| it.clone()).collect();
                let rows = match acquire(&e.limiter, self.clock.as_ref()).await {
                    Ok(()) => p.lookup(&items, http).await,
                    Err(wait) => items
                        .iter()
                        .map(|it| {
                            LookupResult::failed(
                                it,
                                name,
                                LookupStatus::QueryFailed,
                                &format!(
                                    "rate limit {} reached: the next slot is in {}s, more than the {}s allowed to wait",
                                    e.limit,
                                    wait.as_secs(),
                                    e.limit.max_wait_limit().as_secs()
                                ),
                            )
                        })
                        .collect(),
                };
                (b, rows)
            }})
            .buffer_unordered(self.concurrency)
            .collect::<Vec<_>>()
            .await;
        for (b, rows) in results {
            let mut by_key: HashMap<(String, String), LookupResult> = HashMap::new();
            for r in rows {
                by_key
                    .entry((r.ioc.clone(), r.ioc_type.clone()))
                    .or_insert(r);
            }
            for (positions, item) in b {
                let row = by_key
                    .remove(&(item.ioc.clone(), item.ioc_type_name()))
                    .unwrap_or_else(|| {
                        LookupResult::failed(
                            &item,
                            &name,
                            LookupStatus::Other,
                            "the provider returned no result for this IoC",
                        )
                    });
                if p.online()
                    && let Some(c) = &self.cache
                    && let Err(err) = c.put(&row)
                {
                    progress.note(&format!("ti: could not cache a {name} answer: {err}"));
                }
                for i in positions {
                    progress.done(&row);
                    out.push((i, pi, row.clone()));
                }
            }
        }
        out
    }
}

fn lenient(value: &str, ty: Option<IocType>) -> std::result::Result<TiItem, String> {
    let v = crate::transform::ioc::refang(value.trim());
    let t = ty
        .or_else(|| crate::transform::ioc::ioc_type_of(&v))
        .ok_or_else(|| "could not tell the IoC type".to_string())?;
    Ok(TiItem::new(v, t))
}

fn column_values(df: &DataFrame, column: &str) -> Result<Vec<String>> {
    let df = fresh(df);
    let col = df.column(column).map_err(|_| {
        Error::column_not_found(
            column,
            "the input frame",
            df.get_column_names().iter().map(|s| s.as_str()),
        )
    })?;
    let s = col
        .cast(&DataType::String)
        .ctx(format!("reading column '{column}'"))?;
    let mut seen = std::collections::HashSet::new();
    Ok(s.str()
        .ctx(format!("reading column '{column}'"))?
        .iter()
        .flatten()
        .filter(|v| !v.trim().is_empty() && seen.insert(v.to_string()))
        .map(String::from)
        .collect())
}

impl<'a> TiQuery<'a> {
    /// Only these providers (enabled or not).
    pub fn providers<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.providers = Some(names.into_iter().map(|s| s.as_ref().to_string()).collect());
        self
    }

    /// Takes every value as this type instead of inferring it.
    pub fn ioc_type(mut self, ty: IocType) -> Self {
        for v in &mut self.values {
            v.1 = Some(ty.clone());
        }
        self
    }

    /// A sub-query (`communicating_files` for VirusTotal, `malware` for
    /// X-Force…); providers without it give a `NotSupported` row.
    pub fn subtype(mut self, name: &str) -> Self {
        self.subtype = Some(name.to_string());
        self
    }

    /// Runs the lookup on a runtime made for this call.
    pub fn run(self) -> Result<TiResults> {
        crate::session::block_on(self.ti.run_async(&self))?
    }

    /// Runs the lookup on the caller's runtime.
    pub async fn run_async(self) -> Result<TiResults> {
        self.ti.run_async(&self).await
    }
}
