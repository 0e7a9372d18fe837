//! The query library: MSTICPy-compatible YAML query definitions,
//! parameters and rendering.
//!
//! - [`QueryFile`] reads and validates one YAML file (MSTICPy's schema:
//!   `metadata`, `defaults`, `sources`).
//! - [`QueryStore`] holds the queries of many files by environment, family
//!   and name, with [`QueryStore::list`], [`QueryStore::search`] and
//!   [`QueryStore::help`] for notebooks.
//! - [`render()`] turns a query and the analyst's values into query text, with
//!   MSTICPy's parameter semantics ([`params`]).
//! - [`split`] cuts a time range into chunks for `split_query_by`.
//!
//! Queries run through a [`crate::data::provider::QueryProvider`]:
//!
//! ```
//! use huntbook::prelude::*;
//! let qp = QueryProvider::local_data()?;
//! let text = qp.query("WindowsSecurity.list_host_processes")?
//!     .param("host_name", "MSTICAlertsWin1")
//!     .render()?;
//! assert!(text.contains("MSTICAlertsWin1"));
//! # Ok::<(), huntbook::Error>(())
//! ```

pub mod definition;
pub mod params;
pub mod render;
pub mod split;
pub mod store;
pub mod template;

pub use definition::{ParamDef, QueryDefinition, QueryFile, canonical_environment};
pub use params::{Dialect, ParamType, ParamValue};
pub use render::{RenderContext, RenderedQuery, help_text, render};
pub use store::{LoadReport, QueryHelp, QueryList, QueryStore};

/// The query language of a data environment (for rendering without a
/// driver): KQL for Microsoft Sentinel, Kusto and MDE, SPL for Splunk, SQL
/// for LocalData, MSTICPy's default formatting otherwise.
pub fn dialect_for_environment(environment: &str) -> Dialect {
    match canonical_environment(environment).as_str() {
        "MSSentinel" | "Kusto" | "MDE" | "ResourceGraph" => Dialect::Kql,
        "Splunk" => Dialect::Splunk,
        "LocalData" => Dialect::Sql,
        _ => Dialect::Default,
    }
}
