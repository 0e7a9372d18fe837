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

pub use crate::data::{bundled, read_csv, read_file};
pub use crate::display::NotebookDisplay;
pub use crate::error::Error as HuntbookError;
pub use crate::session::Huntbook;
pub use crate::transform::unpack::{
    DecodedItem, Unpacked, UnpackedFrame, Unpacker, Utf16Mode, unpack, unpack_df,
};
pub use crate::vis::chart::Chart;
pub use crate::vis::analysis_charts::{ScoredSessionsChart, TimeSeriesChart};
pub use crate::vis::data_viewer::DataViewer;
pub use crate::vis::table::{Table, TableOptions};
pub use crate::vis::timeaxis::{LegendPosition, RefMarker};
pub use crate::vis::timeline::Timeline;
pub use crate::vis::value_timeline::{DurationTimeline, ValueKind, ValueTimeline};
pub use polars::prelude::*;
