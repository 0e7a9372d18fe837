//! Scored sessions on a timeline, coloured by likelihood, through the
//! shared [`ScoredSessionsChart`] hook.

use super::score::ScoredSessions;
use crate::error::{Error, PolarsContext, Result};
use crate::vis::analysis_charts::ScoredSessionsChart;
use crate::vis::chart::Chart;
use polars::prelude::*;

/// The text column added for the tooltips: the rarest window as
/// `cmd → cmd → cmd`.
pub const WINDOW_TEXT_SUFFIX: &str = "_text";

impl ScoredSessions {
    /// The chart builder: one marker per session at `time_column` (default:
    /// the first `*_min` datetime column, e.g. `TimeGenerated_min`), one lane
    /// per `UserId` when there is such a column, coloured by log10 of the
    /// rarest-window likelihood, with the rarest window, the session's number
    /// of events and the likelihood in the tooltip. Sessions without a
    /// window are left out. Chain `.lane_column(..)`, `.title(..)`, then
    /// `.build()`.
    pub fn chart_builder(&self, time_column: Option<&str>) -> Result<ScoredSessionsChart> {
        let df = self.df();
        let time = match time_column {
            Some(t) => t.to_string(),
            None => df
                .columns()
                .iter()
                .find(|c| {
                    c.name().ends_with("_min") && matches!(c.dtype(), DataType::Datetime(_, _))
                })
                .or_else(|| {
                    df.columns()
                        .iter()
                        .find(|c| matches!(c.dtype(), DataType::Datetime(_, _)))
                })
                .map(|c| c.name().to_string())
                .ok_or_else(|| {
                    Error::invalid(
                        "scored sessions",
                        "have no datetime column to place them on a timeline; pass time_column",
                    )
                })?,
        };
        let text_col = format!("{}{WINDOW_TEXT_SUFFIX}", self.window_column());
        let texts: Vec<String> = (0..df.height())
            .map(|i| {
                self.rarest_window(i)
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" → ")
            })
            .collect();
        let mut frame = df.clone();
        frame
            .with_column(Column::new(text_col.as_str().into(), texts))
            .ctx("adding the window text column")?;
        let mut tooltips = vec![text_col];
        if df.column("number_events").is_ok() {
            tooltips.push("number_events".to_string());
        }
        let mut chart = ScoredSessionsChart::new(&frame, &time, self.score_column())
            .tooltips(tooltips)
            .title(&format!(
                "sessions by rarest window of {} ({} model)",
                self.window_length(),
                self.model().kind()
            ));
        if df.column("UserId").is_ok() {
            chart = chart.lane_column("UserId");
        }
        Ok(chart)
    }

    /// The chart with the defaults of [`ScoredSessions::chart_builder`].
    pub fn chart(&self) -> Result<Chart> {
        self.chart_builder(None)?.build()
    }
}
