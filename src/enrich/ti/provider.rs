//! The provider trait: implement it to plug in a source of threat
//! intelligence.

use super::http::HttpClient;
use super::item::TiItem;
use super::limit::{BoxFuture, RateLimit};
use super::result::LookupResult;
use crate::transform::ioc::IocType;
use std::fmt;

/// A source of threat intelligence.
///
/// [`super::TiLookup`] does the pre-checks, type support, cache, rate limit
/// and progress; a provider only turns a batch of supported, cleaned items
/// into exactly one [`LookupResult`] per item (in any order; a missing one
/// becomes a failed row). HTTP providers send through the given
/// [`HttpClient`] so that timeouts and retries are applied.
///
/// ```
/// use huntbook::enrich::ti::{TiProvider, TiItem, LookupResult, Severity, HttpClient, BoxFuture, TiLookup};
/// use huntbook::transform::ioc::IocType;
///
/// #[derive(Debug)]
/// struct Blocklist(Vec<String>);
/// impl TiProvider for Blocklist {
///     fn name(&self) -> &str { "Blocklist" }
///     fn ioc_types(&self) -> Vec<IocType> { vec![IocType::Dns] }
///     fn online(&self) -> bool { false }
///     fn lookup<'a>(&'a self, items: &'a [TiItem], _http: &'a HttpClient)
///         -> BoxFuture<'a, Vec<LookupResult>> {
///         Box::pin(async move {
///             items.iter().map(|i| {
///                 let r = LookupResult::new(i, self.name());
///                 if self.0.contains(&i.ioc) { r.hit(Severity::High, serde_json::json!({})) } else { r }
///             }).collect()
///         })
///     }
/// }
/// let ti = TiLookup::new().no_cache().progress(false)
///     .with_provider(Blocklist(vec!["evil.com".into()]));
/// let res = ti.lookup_ioc("evil.com")?;
/// assert!(res.rows()[0].result);
/// # Ok::<(), huntbook::Error>(())
/// ```
pub trait TiProvider: Send + Sync + fmt::Debug {
    /// The provider's name (the `Provider` column).
    fn name(&self) -> &str;

    /// The IoC types it looks up.
    fn ioc_types(&self) -> Vec<IocType>;

    /// The sub-queries it offers for a type (`communicating_files`…).
    fn query_subtypes(&self, _ioc_type: &IocType) -> Vec<&'static str> {
        Vec::new()
    }

    /// One line on what it is.
    fn description(&self) -> &str {
        ""
    }

    /// Its rate limit (unlimited by default).
    fn rate_limit(&self) -> RateLimit {
        RateLimit::unlimited()
    }

    /// How many items one call of [`Self::lookup`] takes (1 by default;
    /// batched APIs and local providers take more).
    fn batch_size(&self) -> usize {
        1
    }

    /// Whether it calls a remote service (online providers are cached and
    /// shown as such).
    fn online(&self) -> bool {
        true
    }

    /// Looks a batch up.
    fn lookup<'a>(
        &'a self,
        items: &'a [TiItem],
        http: &'a HttpClient,
    ) -> BoxFuture<'a, Vec<LookupResult>>;
}

/// A provider's [`TiProvider::lookup`] for services that take one IoC per
/// request: `one` is called for each item in turn (the rate limiter and
/// the shared client pace the requests).
pub(crate) fn one_by_one<'a, F, Fut>(
    items: &'a [TiItem],
    one: F,
) -> BoxFuture<'a, Vec<LookupResult>>
where
    F: Fn(&'a TiItem) -> Fut + Send + 'a,
    Fut: std::future::Future<Output = LookupResult> + Send + 'a,
{
    Box::pin(async move {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            out.push(one(item).await);
        }
        out
    })
}
