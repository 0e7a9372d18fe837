//! Data drivers: what runs a query against one data environment.
//!
//! A [`Driver`] executes query text asynchronously and returns a
//! [`QueryOutput`] (a frame, possibly marked partial). Local drivers do
//! their work inline; remote drivers (Log Analytics, Kusto, Splunk, MDE)
//! will do HTTP with reqwest in the same shape: [`Connection`] carries the
//! connection string and provider settings (secrets resolved only on use),
//! [`QueryContext`] the time span and limits, and a partial result (row
//! limit, timeout, a failed shard) comes back as
//! [`Completeness::Partial`] instead of being dropped.
//!
//! Local drivers here:
//! - [`localdata::LocalDataDriver`]: CSV/TSV/JSON/NDJSON/Parquet files as
//!   tables, queried by file name or polars SQL.
//! - [`osquery::OsQueryDriver`]: osqueryd results/snapshots logs.
//! - [`velociraptor::VelociraptorDriver`]: Velociraptor JSON-lines artifacts.
//! - [`security_datasets::SecurityDatasetsDriver`]: OTRF Security-Datasets.

pub mod kusto;
pub mod kusto_types;
pub mod localdata;
pub mod loganalytics;
pub mod mde;
pub mod osquery;
pub mod records;
pub mod remote;
pub mod security_datasets;
pub mod splunk;
pub mod velociraptor;

use crate::config::{ProviderSettings, Secret};
use crate::data::query::Dialect;
use crate::error::Result;
use chrono::{DateTime, Utc};
use polars::prelude::DataFrame;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A boxed, sendable future (the return type of [`Driver`]'s async methods).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How to reach a data environment.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    /// A driver-specific connection string (a Kusto cluster URL with
    /// credentials, a Splunk host…); masked in Debug output.
    pub connection_string: Option<Secret>,
    /// The provider's `msticpyconfig.yaml` settings (`DataProviders.<name>`).
    pub settings: Option<ProviderSettings>,
    /// Extra named options (`workspace`, `cluster`, `data_paths`…).
    pub options: BTreeMap<String, String>,
    /// Request timeout for remote drivers.
    pub timeout: Option<Duration>,
}

impl Connection {
    /// An empty connection (local drivers need nothing).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets an option.
    pub fn option(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.insert(key.into(), value.into());
        self
    }

    /// Sets the connection string.
    pub fn connection_string(mut self, text: impl Into<String>) -> Self {
        self.connection_string = Some(Secret::plain(text));
        self
    }
}

/// What a driver knows about the query it runs.
#[derive(Debug, Clone, Default)]
pub struct QueryContext {
    /// The query's name in the library (`WindowsSecurity.list_host_processes`).
    pub query_name: Option<String>,
    /// The time span the query covers (for drivers that pass it separately,
    /// like Log Analytics' `timespan`).
    pub time_span: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Stop after this many rows (the result is then partial).
    pub max_rows: Option<usize>,
    /// Give up after this long.
    pub timeout: Option<Duration>,
}

/// Whether a result holds everything the query asked for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Completeness {
    /// All rows.
    #[default]
    Complete,
    /// Some rows are missing, and why (row limit, timeout, a failed chunk).
    Partial {
        /// The reason.
        reason: String,
    },
}

/// A driver's answer to one query.
#[derive(Debug, Clone)]
pub struct QueryOutput {
    /// The rows.
    pub df: DataFrame,
    /// Whether the rows are complete.
    pub completeness: Completeness,
    /// Notes for the analyst (e.g. a column that could not be parsed).
    pub warnings: Vec<String>,
}

impl QueryOutput {
    /// A complete result.
    pub fn complete(df: DataFrame) -> Self {
        Self {
            df,
            completeness: Completeness::Complete,
            warnings: Vec::new(),
        }
    }
}

/// A query a driver offers by itself (a table of an osquery log, a
/// Velociraptor artifact, a Security-Datasets dataset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriverQuery {
    /// The family it is listed under (`osquery`, `velociraptor`).
    pub family: String,
    /// The query name.
    pub name: String,
    /// The query text the driver understands.
    pub query: String,
    /// What it returns.
    pub description: String,
}

/// A data driver. Methods are async so that remote drivers can do network
/// I/O; the blocking facade is [`crate::data::provider::QueryProvider`].
pub trait Driver: Send + Sync + std::fmt::Debug {
    /// The canonical environment name (`LocalData`, `MSSentinel`…).
    fn environment(&self) -> &str;

    /// How this driver's language writes datetimes and lists.
    fn dialect(&self) -> Dialect;

    /// Connects (authenticates, reads an index…). Local drivers may do
    /// nothing.
    fn connect<'a>(&'a self, connection: &'a Connection) -> BoxFuture<'a, Result<()>>;

    /// Runs query text.
    fn execute<'a>(
        &'a self,
        query: &'a str,
        context: &'a QueryContext,
    ) -> BoxFuture<'a, Result<QueryOutput>>;

    /// Queries the driver offers by itself, added to the provider's library.
    fn driver_queries(&self) -> Result<Vec<DriverQuery>> {
        Ok(Vec::new())
    }

    /// Table → columns and their types, when the driver knows them.
    fn schema(&self) -> Result<BTreeMap<String, Vec<(String, String)>>> {
        Ok(BTreeMap::new())
    }

    /// How many queries (e.g. split chunks) may run at once.
    fn max_parallel(&self) -> usize {
        4
    }

    /// Whether a library query can run on this connection (Kusto: its
    /// `cluster`/`clusters`/`cluster_groups` metadata names a configured or
    /// connected cluster). Query lists leave out the ones that cannot.
    fn query_usable(&self, _query: &crate::data::query::QueryDefinition) -> bool {
        true
    }
}

/// Runs futures concurrently, at most `limit` at a time, returning their
/// outputs in input order.
pub async fn run_concurrently<'a, T: Send + 'a>(
    futures: Vec<BoxFuture<'a, T>>,
    limit: usize,
) -> Vec<T> {
    use std::task::Poll;
    let limit = limit.max(1);
    let total = futures.len();
    let mut pending: Vec<Option<BoxFuture<'a, T>>> = futures.into_iter().map(Some).collect();
    let mut results: Vec<Option<T>> = (0..total).map(|_| None).collect();
    let mut next = 0usize;
    let mut active: Vec<usize> = Vec::new();
    std::future::poll_fn(move |cx| {
        while active.len() < limit && next < total {
            active.push(next);
            next += 1;
        }
        let mut i = 0;
        while i < active.len() {
            let idx = active[i];
            let done = match pending.get_mut(idx).and_then(Option::as_mut) {
                Some(fut) => match fut.as_mut().poll(cx) {
                    Poll::Ready(v) => {
                        if let Some(slot) = results.get_mut(idx) {
                            *slot = Some(v);
                        }
                        true
                    }
                    Poll::Pending => false,
                },
                None => true,
            };
            if done {
                if let Some(slot) = pending.get_mut(idx) {
                    *slot = None;
                }
                active.swap_remove(i);
                // a slot freed: start the next future straight away
                if next < total {
                    active.push(next);
                    next += 1;
                }
            } else {
                i += 1;
            }
        }
        if active.is_empty() && next >= total {
            Poll::Ready(std::mem::take(&mut results).into_iter().flatten().collect())
        } else {
            Poll::Pending
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrency_keeps_order_and_limit() {
        let futs: Vec<BoxFuture<'static, usize>> = (0..10)
            .map(|i| -> BoxFuture<'static, usize> {
                Box::pin(async move {
                    tokio::time::sleep(Duration::from_millis((10 - i as u64) * 2)).await;
                    i
                })
            })
            .collect();
        let out = crate::session::block_on(run_concurrently(futs, 3)).unwrap();
        assert_eq!(out, (0..10).collect::<Vec<_>>());
    }
}
