//! Threat-intelligence lookups: "is this IP, domain, hash or URL known bad?"
//!
//! [`TiLookup`] fans IoCs out to providers concurrently (tokio + reqwest)
//! and returns one normalised table, [`TiResults`], with MSTICPy's columns
//! (`Ioc, IocType, SafeIoc, QuerySubtype, Provider, Result, Severity,
//! Details, RawResult, Reference, Status`, plus `StatusText` and `Cached`)
//! and severity scale (`unknown < information < warning < high`).
//!
//! - **Providers** ([`providers`]): VirusTotal v3, AlienVault OTX, IBM
//!   X-Force, GreyNoise (community and enterprise), AbuseIPDB, the Tor exit
//!   list, OpenPageRank (batched), CrowdSec and IPQualityScore over their
//!   REST APIs; Microsoft Sentinel TI ([`SentinelTi`]) through the query
//!   provider; local indicator files ([`LocalFeed`]: CSV, STIX 2.1, MISP
//!   JSON; exact and CIDR matches); your own through [`TiProvider`].
//! - **Pre-checks** ([`precheck`]): global IPs only, cleaned URLs, domains
//!   with a public suffix, hashes with enough entropy; a failed check is a
//!   row with the reason.
//! - **Limits**: per-provider rate limits ([`RateLimit`], VirusTotal's free
//!   tier 4/min and 500/day by default), `429 Retry-After` honoured, retries
//!   with backoff on 5xx and timeouts, a per-request timeout; a failure is a
//!   row with a status, never a lost IoC. Progress goes to standard error.
//! - **Cache** ([`TiCache`]): answers on disk with a TTL; hits say `Cached`.
//! - **Settings**: [`TiLookup::from_settings`] reads `TIProviders` from
//!   `msticpyconfig.yaml` (`Args.AuthKey`, `ApiID`, `Primary`…); secrets stay
//!   [`crate::config::Secret`]s, resolved per request and never shown.

pub mod browser;
pub mod cache;
pub mod config;
pub mod http;
pub mod item;
pub mod limit;
pub mod local_feed;
pub mod lookup;
pub mod precheck;
mod progress;
pub mod provider;
pub mod providers;
pub mod result;
pub mod sentinel;

pub use browser::TiBrowser;
pub use cache::TiCache;
pub use http::{HttpClient, HttpOptions};
pub use item::TiItem;
pub use limit::{BoxFuture, Clock, ManualClock, RateLimit, RateLimiter, SystemClock};
pub use local_feed::LocalFeed;
pub use lookup::{TiLookup, TiQuery};
pub use provider::TiProvider;
pub use result::{LookupResult, LookupStatus, Severity, TiResults};
pub use sentinel::{SentinelTi, SentinelTiTable};
