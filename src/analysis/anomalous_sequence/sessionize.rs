//! Cutting events into sessions: by user (any number of columns) and time,
//! with a maximum session length and a maximum gap between events, as
//! MSTICPy's `sessionize_data` / `create_session_col`.

use crate::error::{Error, PolarsContext, Result};
use crate::vis::timeaxis::time_micros;
use polars::prelude::*;

/// The session number column added by [`Sessionizer::session_ids`]
/// (MSTICPy's name).
pub const SESSION_ID_COLUMN: &str = "session_ind";

/// Options for cutting events into sessions.
///
/// Events are sorted by the user columns, then time. A new session starts
/// when any user column changes, when the gap to the previous event is more
/// than `max_gap_minutes`, or when the session would last more than
/// `max_session_minutes`. Null users form a group of their own (sorted
/// last); null times are an error.
///
/// ```
/// use huntbook::prelude::*;
/// use huntbook::analysis::anomalous_sequence::Sessionizer;
/// let events = df!(
///     "UserId" => ["bob", "bob", "bob", "eve"],
///     "TimeGenerated" => ["2024-03-04T10:00:00Z", "2024-03-04T10:01:00Z", "2024-03-04T10:09:00Z", "2024-03-04T10:00:30Z"],
///     "Operation" => ["Get-Mailbox", "Set-Mailbox", "Get-User", "New-InboxRule"],
/// ).unwrap();
/// let sessions = Sessionizer::new(["UserId"], "TimeGenerated")
///     .max_session_minutes(20.0)
///     .max_gap_minutes(2.0)
///     .event_column("Operation")
///     .sessionize(&events)
///     .unwrap();
/// assert_eq!(sessions.height(), 3);
/// let n: Vec<Option<i64>> = sessions.column("number_events").unwrap().i64().unwrap().iter().collect();
/// assert_eq!(n, [Some(2), Some(1), Some(1)]);
/// ```
#[derive(Debug, Clone)]
pub struct Sessionizer {
    user_columns: Vec<String>,
    time_column: String,
    event_columns: Vec<String>,
    max_session_minutes: f64,
    max_gap_minutes: f64,
}

impl Sessionizer {
    /// Sessions per value of `user_columns` (e.g. `["UserId", "ClientIP"]`)
    /// over `time_column`; 20 minutes at most per session and 2 minutes
    /// between events unless set.
    pub fn new<I, S>(user_columns: I, time_column: &str) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            user_columns: user_columns.into_iter().map(Into::into).collect(),
            time_column: time_column.to_string(),
            event_columns: Vec::new(),
            max_session_minutes: 20.0,
            max_gap_minutes: 2.0,
        }
    }

    /// The longest a session may last, in minutes (MSTICPy's `max_session_time_mins`).
    pub fn max_session_minutes(mut self, minutes: f64) -> Self {
        self.max_session_minutes = minutes;
        self
    }

    /// The longest gap between two events of a session, in minutes
    /// (MSTICPy's `max_event_separation_mins`).
    pub fn max_gap_minutes(mut self, minutes: f64) -> Self {
        self.max_gap_minutes = minutes;
        self
    }

    /// A column collected into `<column>_list` per session (MSTICPy's
    /// `event_col`); call again for more (e.g. `Operation` and `Parameters`).
    pub fn event_column(mut self, name: &str) -> Self {
        self.event_columns.push(name.to_string());
        self
    }

    fn micros(minutes: f64, what: &str) -> Result<i64> {
        if !(minutes.is_finite() && minutes >= 0.0) {
            return Err(Error::invalid(
                format!("option '{what}'"),
                format!("must be a number of minutes >= 0, got {minutes}"),
            ));
        }
        Ok((minutes * 60_000_000.0).round() as i64)
    }

    fn check_columns(&self, df: &DataFrame) -> Result<()> {
        if self.user_columns.is_empty() {
            return Err(Error::invalid(
                "option 'user_columns'",
                "name at least one column that identifies the user (e.g. UserId)",
            ));
        }
        let names = df.get_column_names();
        for c in self
            .user_columns
            .iter()
            .chain([&self.time_column])
            .chain(&self.event_columns)
        {
            if df.column(c).is_err() {
                return Err(Error::column_not_found(
                    c,
                    "the events frame",
                    names.iter().map(|n| n.as_str()),
                ));
            }
        }
        Ok(())
    }

    /// Sorted row order and the session number of each sorted row.
    fn order(&self, df: &DataFrame) -> Result<(Vec<IdxSize>, Vec<u32>, Vec<i64>)> {
        let max_gap = Self::micros(self.max_gap_minutes, "max_gap_minutes")?;
        let max_session = Self::micros(self.max_session_minutes, "max_session_minutes")?;
        let times = time_micros(df, &self.time_column)?;
        if let Some(row) = times.iter().position(Option::is_none) {
            let n = times.iter().filter(|t| t.is_none()).count();
            return Err(Error::invalid(
                format!("time column '{}'", self.time_column),
                format!(
                    "{n} events have no time (first: row {row}); drop or fill them before sessionizing"
                ),
            ));
        }
        let groups = user_groups(df, &self.user_columns)?;
        let mut rows: Vec<(u32, i64, IdxSize)> = (0..df.height())
            .map(|i| (groups[i], times[i].unwrap_or(0), i as IdxSize))
            .collect();
        rows.sort_unstable();
        let mut ids = Vec::with_capacity(rows.len());
        let mut sorted_times = Vec::with_capacity(rows.len());
        let mut session = 0u32;
        let mut cumulative = 0i64;
        for (k, &(g, t, _)) in rows.iter().enumerate() {
            if k > 0 {
                let (pg, pt, _) = rows[k - 1];
                let gap = t - pt;
                let total = cumulative + gap;
                if g != pg || gap > max_gap || total > max_session {
                    session += 1;
                    cumulative = 0;
                } else {
                    cumulative = total;
                }
            }
            ids.push(session);
            sorted_times.push(t);
        }
        Ok((rows.into_iter().map(|r| r.2).collect(), ids, sorted_times))
    }

    /// The events sorted by user and time with a `session_ind` column
    /// (0, 1, 2, ... in that order), as MSTICPy's `create_session_col`. A
    /// text time column is replaced by the parsed datetimes (UTC).
    pub fn session_ids(&self, df: &DataFrame) -> Result<DataFrame> {
        let df = crate::data::fresh(df);
        self.check_columns(&df)?;
        let (order, ids, times) = self.order(&df)?;
        self.sorted_with_ids(&df, &order, ids, times)
    }

    fn sorted_with_ids(
        &self,
        df: &DataFrame,
        order: &[IdxSize],
        ids: Vec<u32>,
        times: Vec<i64>,
    ) -> Result<DataFrame> {
        let idx = IdxCa::from_vec("idx".into(), order.to_vec());
        let mut sorted = df.take(&idx).ctx("sorting events by user and time")?;
        let tcol = sorted
            .column(&self.time_column)
            .ctx("reading the time column")?;
        if !matches!(tcol.dtype(), DataType::Datetime(_, _) | DataType::Date) {
            let parsed = Int64Chunked::from_vec(self.time_column.as_str().into(), times)
                .into_datetime(TimeUnit::Microseconds, Some(TimeZone::UTC))
                .into_column();
            sorted
                .with_column(parsed)
                .ctx("replacing the time column")?;
        }
        sorted
            .with_column(Column::new(SESSION_ID_COLUMN.into(), ids))
            .ctx("adding the session column")?;
        Ok(sorted)
    }

    /// One row per session, as MSTICPy's `sessionize_data`: the user
    /// columns, `<time>_min`, `<time>_max`, `<event>_list` per event column,
    /// `duration` and `number_events`; sorted by user, then start time.
    pub fn sessionize(&self, df: &DataFrame) -> Result<DataFrame> {
        let df = crate::data::fresh(df);
        self.check_columns(&df)?;
        let mut keep: Vec<String> = self.user_columns.clone();
        keep.push(self.time_column.clone());
        for e in &self.event_columns {
            if !keep.contains(e) {
                keep.push(e.clone());
            }
        }
        let narrow = df
            .select(keep.iter().map(|s| s.as_str()))
            .ctx("selecting columns")?;
        let (order, ids, times) = self.order(&narrow)?;
        let sorted = self.sorted_with_ids(&narrow, &order, ids, times)?;
        let t = self.time_column.as_str();
        let (tmin, tmax) = (format!("{t}_min"), format!("{t}_max"));
        let mut aggs: Vec<Expr> = self
            .user_columns
            .iter()
            .map(|u| col(u.as_str()).first())
            .collect();
        aggs.push(col(t).min().alias(tmin.as_str()));
        aggs.push(col(t).max().alias(tmax.as_str()));
        for e in &self.event_columns {
            aggs.push(col(e.as_str()).alias(format!("{e}_list")));
        }
        aggs.push(len().cast(DataType::Int64).alias("number_events"));
        let mut out = sorted
            .lazy()
            .group_by_stable([col(SESSION_ID_COLUMN)])
            .agg(aggs)
            .with_column((col(tmax.as_str()) - col(tmin.as_str())).alias("duration"))
            .collect()
            .ctx("collecting sessions")?;
        let _ = out.drop_in_place(SESSION_ID_COLUMN);
        let mut names: Vec<String> = self.user_columns.clone();
        names.extend([tmin, tmax]);
        names.extend(self.event_columns.iter().map(|e| format!("{e}_list")));
        names.extend(["duration".to_string(), "number_events".to_string()]);
        out.select(names.iter().map(|s| s.as_str()))
            .ctx("ordering session columns")
    }
}

/// A group number per row: the rank of its user tuple in sorted order
/// (nulls after every value, and equal to each other).
fn user_groups(df: &DataFrame, columns: &[String]) -> Result<Vec<u32>> {
    let mut combined: Vec<u64> = vec![0; df.height()];
    for name in columns {
        let s = df
            .column(name)
            .ctx(format!("reading user column '{name}'"))?
            .as_materialized_series()
            .clone();
        let s = match s.dtype() {
            DataType::String | DataType::Boolean => s,
            dt if dt.is_primitive_numeric() || dt.is_temporal() => s,
            _ => s
                .cast(&DataType::String)
                .ctx(format!("reading user column '{name}' as text"))?,
        };
        let ranks = s.rank(
            RankOptions {
                method: RankMethod::Dense,
                descending: false,
            },
            None,
        );
        let ranks = ranks
            .cast(&DataType::UInt64)
            .ctx(format!("ranking user column '{name}'"))?;
        let ranks = ranks.u64().ctx(format!("ranking user column '{name}'"))?;
        let card = ranks.max().unwrap_or(0) + 1; // nulls get `card`
        for (c, r) in combined.iter_mut().zip(ranks.iter()) {
            *c = *c * (card + 1) + r.unwrap_or(card);
        }
        // Re-densify so the next column's radix cannot overflow.
        let mut distinct = combined.clone();
        distinct.sort_unstable();
        distinct.dedup();
        for c in combined.iter_mut() {
            *c = distinct.binary_search(c).unwrap_or(0) as u64;
        }
    }
    Ok(combined.into_iter().map(|c| c as u32).collect())
}

/// MSTICPy's `sessionize_data` in one call.
pub fn sessionize_data(
    df: &DataFrame,
    user_identifier_cols: &[&str],
    time_col: &str,
    max_session_time_mins: f64,
    max_event_separation_mins: f64,
    event_col: &str,
) -> Result<DataFrame> {
    Sessionizer::new(user_identifier_cols.iter().copied(), time_col)
        .max_session_minutes(max_session_time_mins)
        .max_gap_minutes(max_event_separation_mins)
        .event_column(event_col)
        .sessionize(df)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events() -> DataFrame {
        df!(
            "UserId" => [Some("bob"), None, Some("bob"), Some("bob"), None, Some("amy")],
            "TimeGenerated" => [
                "2024-03-04T10:04:00Z", "2024-03-04T10:00:00Z", "2024-03-04T10:00:00Z",
                "2024-03-04T10:01:00Z", "2024-03-04T10:00:30Z", "2024-03-04T10:00:00Z",
            ],
            "Operation" => ["c", "x", "a", "b", "y", "z"],
        )
        .unwrap()
    }

    #[test]
    fn unsorted_times_and_null_users() {
        let s = sessionize_data(
            &events(),
            &["UserId"],
            "TimeGenerated",
            20.0,
            2.0,
            "Operation",
        )
        .unwrap();
        let users: Vec<Option<&str>> = s.column("UserId").unwrap().str().unwrap().iter().collect();
        assert_eq!(users, [Some("amy"), Some("bob"), Some("bob"), None]);
        let ca = s.column("Operation_list").unwrap().list().unwrap().clone();
        let lists: Vec<Vec<String>> = (0..ca.len())
            .map(|i| {
                let l = ca.get_as_series(i).unwrap();
                l.str()
                    .unwrap()
                    .iter()
                    .map(|v| v.unwrap().to_string())
                    .collect()
            })
            .collect();
        // bob: 10:00 a, 10:01 b, then the 2-minute gap is exceeded at 10:04 (c)
        assert_eq!(
            lists,
            [vec!["z"], vec!["a", "b"], vec!["c"], vec!["x", "y"]]
        );
        let d = s
            .column("duration")
            .unwrap()
            .cast(&DataType::Int64)
            .unwrap();
        let d: Vec<Option<i64>> = d.i64().unwrap().iter().collect();
        assert_eq!(d, [Some(0), Some(60_000_000), Some(0), Some(30_000_000)]);
    }

    #[test]
    fn session_length_limit_and_exact_gap() {
        // events 2 minutes apart (not more than the gap: same session) until 20 minutes pass
        let times: Vec<String> = (0..12)
            .map(|i| format!("2024-03-04T10:{:02}:00Z", i * 2))
            .collect();
        let df =
            df!("u" => vec!["a"; 12], "t" => times, "e" => (0..12).collect::<Vec<i64>>()).unwrap();
        let s = sessionize_data(&df, &["u"], "t", 20.0, 2.0, "e").unwrap();
        let n: Vec<Option<i64>> = s
            .column("number_events")
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .collect();
        // 0..=20 minutes is 11 events (cumulative 20 is not > 20), then a new session
        assert_eq!(n, [Some(11), Some(1)]);
    }

    #[test]
    fn null_times_and_missing_columns_are_errors() {
        let df =
            df!("u" => ["a", "a"], "t" => [Some("2024-01-01T00:00:00Z"), None], "e" => ["x", "y"])
                .unwrap();
        let err = sessionize_data(&df, &["u"], "t", 20.0, 2.0, "e").unwrap_err();
        assert!(
            err.to_string()
                .contains("1 events have no time (first: row 1)"),
            "{err}"
        );
        let err = sessionize_data(&df, &["nope"], "t", 20.0, 2.0, "e").unwrap_err();
        assert!(
            err.to_string().starts_with("column 'nope' not found"),
            "{err}"
        );
        let err = sessionize_data(&df, &["u"], "t", -1.0, 2.0, "e").unwrap_err();
        assert!(err.to_string().contains("max_session_minutes"), "{err}");
    }

    #[test]
    fn session_ids_on_the_events() {
        let s = Sessionizer::new(["UserId"], "TimeGenerated")
            .session_ids(&events())
            .unwrap();
        let ids: Vec<Option<u32>> = s
            .column(SESSION_ID_COLUMN)
            .unwrap()
            .u32()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(ids, [Some(0), Some(1), Some(1), Some(2), Some(3), Some(3)]);
        assert!(matches!(
            s.column("TimeGenerated").unwrap().dtype(),
            DataType::Datetime(_, _)
        ));
    }
}
