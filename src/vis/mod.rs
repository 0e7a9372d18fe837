//! Showing results: the HTML builder, DataFrame tables and plotly charts.

pub mod chart;
pub mod html;
pub mod table;
