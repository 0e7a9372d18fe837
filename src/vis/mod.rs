//! Showing results: the HTML builder, DataFrame tables, the data viewer,
//! plotly charts and the time charts built on them.

pub mod analysis_charts;
pub mod chart;
pub mod cluster_chart;
pub mod data_viewer;
pub mod html;
pub mod process_tree;
pub mod table;
pub mod timeaxis;
pub mod timeline;
pub mod value_timeline;
