//! # huntbook
//!
//! A notebook-first toolkit for security investigation and threat hunting in
//! Rust Jupyter notebooks (the evcxr kernel) and on the command line.
//!
//! Data flows one way: **source → polars DataFrame → transform / analysis →
//! display**. Every stage speaks polars DataFrames, so any output feeds any
//! input.
//!
//! ## Map
//! - [`prelude`]: `use huntbook::prelude::*;` — the one import a notebook needs.
//! - [`init`]: [`init::init_notebook`], a notebook's first cell: checks and a status card.
//! - [`session`]: [`Huntbook`], the value a notebook keeps for state that must
//!   outlive a cell (each evcxr cell has its own copy of every static).
//! - [`data`]: reading and writing CSV/JSON/NDJSON/Parquet; the bundled sample data.
//! - [`display`]: the notebook display protocol and the [`NotebookDisplay`] trait.
//! - [`vis`]: the HTML builder that escapes everything, DataFrame tables, the
//!   data viewer, offline plotly charts, timelines (events, values, durations)
//!   and the chart hooks the analyses use.
//! - [`transform`]: pure functions on strings and frames (IoCs, unpacking,
//!   process trees, ...).
//! - [`analysis`]: anomalous sequences, time-series anomalies, beaconing,
//!   clustering and outliers.
//! - [`enrich`]: threat intelligence and GeoIP.
//! - [`error`]: [`Error`] and [`Result`].
//!
//! ## A short tour
//! ```
//! use huntbook::prelude::*;
//! let hb = Huntbook::new()?;
//! let procs = read_file(hb.data_path("msticpy/testdata/processes_on_host.csv")?)?;
//! let cmd = procs
//!     .lazy()
//!     .filter(col("NewProcessName").str().contains_literal(lit("powershell")))
//!     .select([col("TimeGenerated"), col("CommandLine")])
//!     .collect()?;
//! assert!(cmd.height() > 0);
//! let html = cmd.to_html(); // what a notebook cell shows
//! assert!(html.contains("CommandLine"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod analysis;
pub mod azure;
pub mod cli;
pub mod config;
pub mod data;
pub mod display;
pub mod enrich;
pub mod entities;
pub mod error;
pub mod init;
pub mod net;
pub mod prelude;
pub mod session;
pub mod transform;
pub mod vis;
pub mod widgets;

pub use display::NotebookDisplay;
pub use error::{Error, Result};
pub use session::Huntbook;

/// chrono, re-exported for times in notebook cells (`chrono::Utc::now()`).
pub use chrono;
/// plotly, re-exported for building charts with huntbook's version.
pub use plotly;
/// polars, re-exported so notebooks and tools use huntbook's version.
pub use polars;
/// tokio, re-exported for async code run with [`Huntbook::block_on`].
pub use tokio;
