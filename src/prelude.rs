//! The one import a notebook needs: `use huntbook::prelude::*;`.
//!
//! It brings polars' prelude (so a notebook never has to match polars
//! versions), the [`Huntbook`] session, the display trait that gives
//! DataFrames and every huntbook result a rich notebook view, and the
//! commonly used readers and result types.
//!
//! ```
//! use huntbook::prelude::*;
//! let df = df!("x" => [1i64, 2, 3]).unwrap();
//! assert!(df.to_html().contains("shape: (3, 1)"));
//! ```

pub use crate::config::Settings;
pub use crate::data::archive::read_json_lines_zip;
pub use crate::data::drivers::security_datasets::{DatasetList, SecurityDatasets};
pub use crate::data::provider::{QueryProvider, QueryResult};
pub use crate::data::query::{ParamValue, QueryStore};
pub use crate::data::{bundled, fresh, read_csv, read_file};
pub use crate::display::NotebookDisplay;
pub use crate::error::Error as HuntbookError;
pub use crate::net::dns::{DnsAnswer, DnsRecordType, DnsResolver};
pub use crate::net::screenshot::{BrowshotClient, ChromiumScreenshot, Screenshot};
pub use crate::session::Huntbook;
pub use crate::transform::domain::{
    DnsComponents, UrlComponents, dns_components, url_components, validate_tld,
};
pub use crate::transform::ioc::{CustomType, IocExtractor, IocFrame, IocType, defang, refang};
pub use crate::transform::proctree::{
    ProcSchema, ProcessTree, ProcessTreeBuilder, TextTemplate, TreeSummary,
};
pub use crate::transform::unpack::{
    DecodedItem, Unpacked, UnpackedFrame, Unpacker, Utf16Mode, unpack, unpack_df,
};
pub use crate::vis::analysis_charts::{ScoredSessionsChart, TimeSeriesChart};
pub use crate::vis::chart::Chart;
pub use crate::vis::data_viewer::DataViewer;
pub use crate::vis::process_tree::{PidFormat, ProcessTreeView};
pub use crate::vis::table::{Table, TableOptions};
pub use crate::vis::timeaxis::{LegendPosition, RefMarker};
pub use crate::vis::timeline::Timeline;
pub use crate::vis::value_timeline::{DurationTimeline, ValueKind, ValueTimeline};
pub use polars::prelude::*;
