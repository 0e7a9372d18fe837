//! Time widgets: [`QueryTime`] (origin ± before/after) and [`Lookback`].
//!
//! Defaults follow MSTICPy's `nbwidgets.core` code: before/after are 60 for
//! minutes and seconds, 6 for hours, 1 for days and weeks; the slider maxima
//! are `max(unit maximum, 4 × default)` with unit maxima 240 (minutes,
//! seconds), 72 (hours), 28 (days) and 20 (weeks).

use super::core::Core;
use crate::display::NotebookDisplay;
use crate::error::{Error, Result};
use crate::vis::html::HtmlBuilder;
use chrono::{DateTime, Duration, SecondsFormat, SubsecRound, Utc};

/// A unit of the time widgets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    /// Seconds.
    Second,
    /// Minutes (QueryTime's default).
    Minute,
    /// Hours (Lookback's default).
    Hour,
    /// Days.
    Day,
    /// Weeks.
    Week,
}

impl TimeUnit {
    /// Every unit, smallest first.
    pub const ALL: [TimeUnit; 5] = [
        TimeUnit::Second,
        TimeUnit::Minute,
        TimeUnit::Hour,
        TimeUnit::Day,
        TimeUnit::Week,
    ];

    /// Length of one unit in seconds.
    pub fn seconds(self) -> i64 {
        match self {
            TimeUnit::Second => 1,
            TimeUnit::Minute => 60,
            TimeUnit::Hour => 3600,
            TimeUnit::Day => 86_400,
            TimeUnit::Week => 604_800,
        }
    }

    /// Lower-case name (`"minute"`), as stored and shown.
    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Second => "second",
            TimeUnit::Minute => "minute",
            TimeUnit::Hour => "hour",
            TimeUnit::Day => "day",
            TimeUnit::Week => "week",
        }
    }

    /// Parses a unit by its first letter, like MSTICPy (`"min"`, `"H"`,
    /// `"days"`); unlike MSTICPy, an unknown unit is an error, not minutes.
    ///
    /// ```
    /// use huntbook::widgets::TimeUnit;
    /// assert_eq!(TimeUnit::parse("min").unwrap(), TimeUnit::Minute);
    /// assert_eq!(TimeUnit::parse("Days").unwrap(), TimeUnit::Day);
    /// assert!(TimeUnit::parse("fortnight").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self> {
        match text.trim().chars().next().map(|c| c.to_ascii_lowercase()) {
            Some('s') => Ok(TimeUnit::Second),
            Some('m') => Ok(TimeUnit::Minute),
            Some('h') => Ok(TimeUnit::Hour),
            Some('d') => Ok(TimeUnit::Day),
            Some('w') => Ok(TimeUnit::Week),
            _ => Err(Error::invalid(
                format!("time unit '{}'", text.escape_debug()),
                "use second, minute, hour, day or week",
            )),
        }
    }

    /// MSTICPy's default before/after amount for this unit.
    pub fn default_amount(self) -> i64 {
        match self {
            TimeUnit::Day | TimeUnit::Week => 1,
            TimeUnit::Hour => 6,
            TimeUnit::Minute | TimeUnit::Second => 60,
        }
    }

    /// MSTICPy's slider maximum for this unit given the default amount.
    pub fn default_max(self, amount: i64) -> i64 {
        let mag = amount.saturating_abs().saturating_mul(4);
        let unit_max = match self {
            TimeUnit::Day => 28,
            TimeUnit::Hour => 72,
            TimeUnit::Week => 20,
            TimeUnit::Minute | TimeUnit::Second => 240,
        };
        unit_max.max(mag)
    }
}

fn now_seconds() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(0)
}

/// Parses RFC 3339, `YYYY-MM-DD HH:MM:SS[.f]` or `YYYY-MM-DD` as UTC.
pub(crate) fn parse_utc(text: &str) -> Result<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Ok(d.with_timezone(&Utc));
    }
    if let Ok(d) = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f") {
        return Ok(d.and_utc());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
        && let Some(d) = d.and_hms_opt(0, 0, 0)
    {
        return Ok(d.and_utc());
    }
    Err(Error::invalid(
        format!("time '{}'", t.escape_debug()),
        "use RFC 3339, 'YYYY-MM-DD HH:MM:SS' or 'YYYY-MM-DD' (UTC)",
    ))
}

fn fmt_time(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The value of a [`QueryTime`]: origin, before/after amounts and unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryTimeValue {
    /// The origin (UTC).
    pub origin: DateTime<Utc>,
    /// Units before the origin.
    pub before: i64,
    /// Units after the origin.
    pub after: i64,
    /// The unit of `before` and `after`.
    pub units: TimeUnit,
}

impl QueryTimeValue {
    /// Query start: `origin - before × unit`.
    pub fn start(&self) -> DateTime<Utc> {
        self.origin - Duration::seconds(self.before.saturating_mul(self.units.seconds()))
    }

    /// Query end: `origin + after × unit`.
    pub fn end(&self) -> DateTime<Utc> {
        self.origin + Duration::seconds(self.after.saturating_mul(self.units.seconds()))
    }

    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "origin": self.origin.to_rfc3339_opts(SecondsFormat::Secs, true),
            "before": self.before,
            "after": self.after,
            "units": self.units.name(),
        })
    }
}

/// Picks a query time range: an origin date/time and how far before and
/// after it, in a chosen unit (MSTICPy's `QueryTime`).
///
/// Defaults: origin now (UTC, whole seconds), unit minutes, 60 before and 60
/// after, sliders up to 240. MSTICPy, given no unit, infers hours from the
/// 2-hour default span but keeps 60 as the slider amounts (so its slider
/// reads ±60 hours while start/end are ±60 minutes); huntbook keeps minutes.
///
/// ```
/// use huntbook::widgets::{QueryTime, TimeUnit, WidgetStore};
/// use chrono::{TimeZone, Utc};
/// let dir = std::env::temp_dir().join(format!("hb-doc-qt-{}", std::process::id()));
/// let origin = Utc.with_ymd_and_hms(2019, 1, 12, 6, 0, 0).unwrap();
/// let qt = QueryTime::new().origin(origin).units(TimeUnit::Hour).store(WidgetStore::at(&dir)?);
/// assert_eq!(qt.start()?.to_string(), "2019-01-12 00:00:00 UTC");
/// assert_eq!(qt.end()?.to_string(), "2019-01-12 12:00:00 UTC");
/// qt.set_time(origin - chrono::Duration::days(1), origin)?; // scripted runs
/// assert_eq!(qt.start()?.to_string(), "2019-01-11 06:00:00 UTC");
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), huntbook::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct QueryTime {
    core: Core,
    label: String,
    origin: Option<DateTime<Utc>>,
    created: DateTime<Utc>,
    units: TimeUnit,
    before: Option<i64>,
    after: Option<i64>,
    max_before: Option<i64>,
    max_after: Option<i64>,
}

impl Default for QueryTime {
    fn default() -> Self {
        Self::new()
    }
}

impl QueryTime {
    /// A QueryTime with MSTICPy's defaults.
    pub fn new() -> Self {
        let mut q = Self {
            core: Core::new("querytime", &[]),
            label: "Set query time boundaries".to_string(),
            origin: None,
            created: now_seconds(),
            units: TimeUnit::Minute,
            before: None,
            after: None,
            max_before: None,
            max_after: None,
        };
        q.rekey();
        q
    }

    fn rekey(&mut self) {
        let origin = self.origin.map(|o| o.to_rfc3339()).unwrap_or_default();
        let parts = [
            self.label.clone(),
            origin,
            self.units.name().to_string(),
            format!(
                "{:?}/{:?}/{:?}/{:?}",
                self.before, self.after, self.max_before, self.max_after
            ),
        ];
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        self.core.rekey(&refs);
    }

    /// The title shown above the controls.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self.rekey();
        self
    }

    /// The origin time (default: now, when the widget was made).
    pub fn origin(mut self, origin: DateTime<Utc>) -> Self {
        self.origin = Some(origin);
        self.rekey();
        self
    }

    /// The origin from text: RFC 3339 (`2019-01-15T05:00:00Z`) or
    /// `YYYY-MM-DD HH:MM:SS` / `YYYY-MM-DD` read as UTC.
    pub fn origin_str(self, text: &str) -> Result<Self> {
        Ok(self.origin(parse_utc(text)?))
    }

    /// The unit; before/after/maxima not set explicitly follow its defaults.
    pub fn units(mut self, units: TimeUnit) -> Self {
        self.units = units;
        self.rekey();
        self
    }

    /// Units before the origin (absolute value is used, like MSTICPy).
    pub fn before(mut self, amount: i64) -> Self {
        self.before = Some(amount.saturating_abs());
        self.rekey();
        self
    }

    /// Units after the origin.
    pub fn after(mut self, amount: i64) -> Self {
        self.after = Some(amount.saturating_abs());
        self.rekey();
        self
    }

    /// Largest `before` the slider offers (at least 4 × before).
    pub fn max_before(mut self, max: i64) -> Self {
        self.max_before = Some(max.saturating_abs());
        self.rekey();
        self
    }

    /// Largest `after` the slider offers (at least 4 × after).
    pub fn max_after(mut self, max: i64) -> Self {
        self.max_after = Some(max.saturating_abs());
        self.rekey();
        self
    }

    /// A fixed widget id, so two QueryTimes with the same settings keep
    /// separate values (lower-cased; other characters become `-`).
    pub fn id(mut self, name: &str) -> Self {
        self.core.set_id(name);
        self
    }

    /// Keeps the value in `store` instead of the kernel's store.
    pub fn store(mut self, store: super::WidgetStore) -> Self {
        self.core.set_store(store);
        self
    }

    /// The widget id.
    pub fn widget_id(&self) -> &str {
        &self.core.id
    }

    fn default_value(&self) -> QueryTimeValue {
        let d = self.units.default_amount();
        QueryTimeValue {
            origin: self.origin.unwrap_or(self.created),
            before: self.before.unwrap_or(d),
            after: self.after.unwrap_or(d),
            units: self.units,
        }
    }

    fn maxima(&self, units: TimeUnit, before: i64, after: i64) -> (i64, i64) {
        let mb = units.default_max(before);
        let ma = units.default_max(after);
        if units == self.units {
            (
                self.max_before
                    .map_or(mb, |m| m.max(before.saturating_mul(4))),
                self.max_after
                    .map_or(ma, |m| m.max(after.saturating_mul(4))),
            )
        } else {
            (mb, ma)
        }
    }

    fn parse_stored(&self, v: &serde_json::Value) -> Result<QueryTimeValue> {
        let bad = |m: &str| {
            Error::invalid(
                format!("stored value of widget '{}'", self.core.id),
                m.to_string(),
            )
        };
        let origin = v
            .get("origin")
            .and_then(|o| o.as_str())
            .ok_or_else(|| bad("no origin"))?;
        let origin = DateTime::parse_from_rfc3339(origin)
            .map_err(|e| bad(&format!("origin is not an RFC 3339 time: {e}")))?
            .with_timezone(&Utc);
        let units = TimeUnit::parse(v.get("units").and_then(|u| u.as_str()).unwrap_or(""))?;
        let before = v
            .get("before")
            .and_then(|b| b.as_i64())
            .ok_or_else(|| bad("no before"))?;
        let after = v
            .get("after")
            .and_then(|b| b.as_i64())
            .ok_or_else(|| bad("no after"))?;
        if before < 0 || after < 0 {
            return Err(bad("before/after must not be negative"));
        }
        // Programmatic set_time may store any span; the browser is held to
        // the slider maxima of the unit (checked against a generous bound).
        let limit = 10_000_000_000 / units.seconds();
        if before > limit || after > limit {
            return Err(bad("before/after out of range"));
        }
        Ok(QueryTimeValue {
            origin,
            before,
            after,
            units,
        })
    }

    /// The current value: the one stored by the browser or a setter, else
    /// the defaults.
    pub fn value(&self) -> Result<QueryTimeValue> {
        match self.core.stored()? {
            Some(v) => self.parse_stored(&v),
            None => Ok(self.default_value()),
        }
    }

    /// Query start (UTC).
    pub fn start(&self) -> Result<DateTime<Utc>> {
        Ok(self.value()?.start())
    }

    /// Query end (UTC).
    pub fn end(&self) -> Result<DateTime<Utc>> {
        Ok(self.value()?.end())
    }

    /// `(start, end)`.
    pub fn timespan(&self) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
        let v = self.value()?;
        Ok((v.start(), v.end()))
    }

    /// The unit in use.
    pub fn time_unit(&self) -> Result<TimeUnit> {
        Ok(self.value()?.units)
    }

    /// Sets the value (as if chosen in the browser).
    pub fn set_value(&self, value: &QueryTimeValue) -> Result<()> {
        if value.before < 0 || value.after < 0 {
            return Err(Error::invalid(
                "QueryTime value",
                "before/after must not be negative",
            ));
        }
        self.core.save(&value.to_json())
    }

    /// Sets start and end (MSTICPy's `set_time`): origin = end, after = 0,
    /// before = the span in the current unit (rounded up).
    pub fn set_time(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Result<()> {
        if end < start {
            return Err(Error::invalid(
                "QueryTime.set_time",
                format!("end {end} is before start {start}"),
            ));
        }
        let units = self.value()?.units;
        let span = (end - start).num_seconds();
        let unit = units.seconds();
        let (units, before) = if span % unit == 0 {
            (units, span / unit)
        } else {
            (TimeUnit::Second, span)
        };
        self.set_value(&QueryTimeValue {
            origin: end,
            before,
            after: 0,
            units,
        })
    }

    /// Forgets the stored value (back to the defaults).
    pub fn reset(&self) -> Result<()> {
        self.core.clear()
    }
}

impl NotebookDisplay for QueryTime {
    fn to_html(&self) -> String {
        let (v, problem) = match self.value() {
            Ok(v) => (v, None),
            Err(e) => (self.default_value(), Some(e.to_string())),
        };
        let (max_b, max_a) = self.maxima(v.units, v.before, v.after);
        let (max_b, max_a) = (max_b.max(v.before), max_a.max(v.after));
        let mut h = HtmlBuilder::new();
        h.open("div", &[("class", "hb-w-row")]);
        h.open("label", &[]).text("Origin date");
        let date = v.origin.format("%Y-%m-%d").to_string();
        let time = v.origin.format("%H:%M:%S").to_string();
        h.open(
            "input",
            &[
                ("class", "hb-qt-date"),
                ("type", "date"),
                ("value", &date),
                ("disabled", ""),
            ],
        );
        h.close("label");
        h.open("label", &[]).text("Time (24hr, UTC)");
        h.open(
            "input",
            &[
                ("class", "hb-qt-time"),
                ("type", "time"),
                ("step", "1"),
                ("value", &time),
                ("disabled", ""),
            ],
        );
        h.close("label");
        h.open("label", &[]).text("Units");
        h.open("select", &[("class", "hb-qt-units"), ("disabled", "")]);
        for u in [
            TimeUnit::Minute,
            TimeUnit::Hour,
            TimeUnit::Day,
            TimeUnit::Week,
            TimeUnit::Second,
        ] {
            if u == TimeUnit::Second && v.units != TimeUnit::Second {
                continue; // MSTICPy's dropdown omits seconds
            }
            let mut attrs: Vec<(&'static str, &str)> = vec![("value", u.name())];
            if u == v.units {
                attrs.push(("selected", ""));
            }
            h.element("option", &attrs, u.name());
        }
        h.close("select").close("label").close("div");
        for (label, cls, out, n, max) in [
            ("Before", "hb-qt-before", "hb-qt-before-n", v.before, max_b),
            ("After", "hb-qt-after", "hb-qt-after-n", v.after, max_a),
        ] {
            h.open("div", &[("class", "hb-w-row")]);
            h.open("label", &[]).text(label);
            h.open(
                "input",
                &[
                    ("class", cls),
                    ("type", "range"),
                    ("min", "0"),
                    ("max", &max.to_string()),
                    ("step", "1"),
                    ("value", &n.to_string()),
                    ("disabled", ""),
                ],
            );
            h.close("label");
            h.element("span", &[("class", out)], &n.to_string());
            h.close("div");
        }
        h.open("div", &[("class", "hb-w-row")]);
        h.text("Query start (UTC): ");
        h.element(
            "span",
            &[("class", "hb-qt-start hb-w-value")],
            &fmt_time(&v.start()),
        );
        h.text(" end (UTC): ");
        h.element(
            "span",
            &[("class", "hb-qt-end hb-w-value")],
            &fmt_time(&v.end()),
        );
        h.close("div");
        if let Some(p) = problem {
            h.element(
                "div",
                &[("class", "hb-w-status hb-w-err")],
                &format!("Stored value ignored: {p}"),
            );
        }
        let mut unit_seconds = serde_json::Map::new();
        let mut unit_defaults = serde_json::Map::new();
        for u in TimeUnit::ALL {
            unit_seconds.insert(u.name().into(), u.seconds().into());
            let d = u.default_amount();
            unit_defaults.insert(
                u.name().into(),
                serde_json::json!({"before": d, "after": d, "max_before": u.default_max(d), "max_after": u.default_max(d)}),
            );
        }
        self.core.render(
            &self.label,
            &h,
            serde_json::json!({"unit_seconds": unit_seconds, "unit_defaults": unit_defaults}),
        )
    }

    fn to_text(&self) -> String {
        match self.value() {
            Ok(v) => format!(
                "{}: {} to {} (UTC; origin {}, -{} / +{} {}s)",
                self.label,
                fmt_time(&v.start()),
                fmt_time(&v.end()),
                fmt_time(&v.origin),
                v.before,
                v.after,
                v.units.name()
            ),
            Err(e) => format!("{}: {e}", self.label),
        }
    }
}

/// A look-back slider: how far back from an origin (MSTICPy's `Lookback`).
///
/// Defaults from MSTICPy's code: unit hours, 6 back (its docstring says 4),
/// from 1 up to 72 (its docstring says 240; the code's hour maximum is 72).
///
/// ```
/// use huntbook::widgets::{Lookback, WidgetStore};
/// use chrono::{TimeZone, Utc};
/// let dir = std::env::temp_dir().join(format!("hb-doc-lb-{}", std::process::id()));
/// let origin = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
/// let lb = Lookback::new().origin(origin).store(WidgetStore::at(&dir)?);
/// assert_eq!(lb.value()?, 6);
/// lb.set_value(24)?;
/// assert_eq!(lb.start()?.to_string(), "2024-04-30 12:00:00 UTC");
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), huntbook::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Lookback {
    core: Core,
    label: Option<String>,
    origin: Option<DateTime<Utc>>,
    created: DateTime<Utc>,
    units: TimeUnit,
    default: Option<i64>,
    min: i64,
    max: Option<i64>,
}

impl Default for Lookback {
    fn default() -> Self {
        Self::new()
    }
}

impl Lookback {
    /// A Lookback with MSTICPy's defaults.
    pub fn new() -> Self {
        let mut l = Self {
            core: Core::new("lookback", &[]),
            label: None,
            origin: None,
            created: now_seconds(),
            units: TimeUnit::Hour,
            default: None,
            min: 1,
            max: None,
        };
        l.rekey();
        l
    }

    fn rekey(&mut self) {
        let parts = [
            self.label.clone().unwrap_or_default(),
            self.origin.map(|o| o.to_rfc3339()).unwrap_or_default(),
            self.units.name().to_string(),
            format!("{:?}/{}/{:?}", self.default, self.min, self.max),
        ];
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        self.core.rekey(&refs);
    }

    /// The label (default `Select time ({units}) to look back`).
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self.rekey();
        self
    }
    /// The origin (default: now).
    pub fn origin(mut self, origin: DateTime<Utc>) -> Self {
        self.origin = Some(origin);
        self.rekey();
        self
    }
    /// The origin from text (see [`QueryTime::origin_str`]).
    pub fn origin_str(self, text: &str) -> Result<Self> {
        Ok(self.origin(parse_utc(text)?))
    }
    /// The unit (default hours).
    pub fn units(mut self, units: TimeUnit) -> Self {
        self.units = units;
        self.rekey();
        self
    }
    /// The default look-back amount.
    pub fn default_value(mut self, amount: i64) -> Self {
        self.default = Some(amount.saturating_abs());
        self.rekey();
        self
    }
    /// Smallest amount (default 1).
    pub fn min_value(mut self, min: i64) -> Self {
        self.min = min.max(0);
        self.rekey();
        self
    }
    /// Largest amount (default from the unit, at least 4 × default).
    pub fn max_value(mut self, max: i64) -> Self {
        self.max = Some(max.saturating_abs());
        self.rekey();
        self
    }
    /// A fixed widget id.
    pub fn id(mut self, name: &str) -> Self {
        self.core.set_id(name);
        self
    }
    /// Keeps the value in `store`.
    pub fn store(mut self, store: super::WidgetStore) -> Self {
        self.core.set_store(store);
        self
    }
    /// The widget id.
    pub fn widget_id(&self) -> &str {
        &self.core.id
    }

    fn bounds(&self) -> (i64, i64, i64) {
        let d = self.default.unwrap_or_else(|| self.units.default_amount());
        let max = match self.max {
            Some(m) => m.max(d.saturating_mul(4)),
            None => self.units.default_max(d),
        };
        (self.min, d, max)
    }

    fn text_label(&self) -> String {
        self.label
            .clone()
            .unwrap_or_else(|| "Select time ({units}) to look back".to_string())
            .replace("{units}", self.units.name())
    }

    /// The look-back amount in units.
    pub fn value(&self) -> Result<i64> {
        let (min, d, max) = self.bounds();
        match self.core.stored()? {
            None => Ok(d),
            Some(v) => {
                let n = v.get("lookback").and_then(|n| n.as_i64()).ok_or_else(|| {
                    Error::invalid(
                        format!("stored value of widget '{}'", self.core.id),
                        "no lookback amount",
                    )
                })?;
                if n < min || n > max {
                    return Err(Error::invalid(
                        format!("stored value of widget '{}'", self.core.id),
                        format!("{n} is outside {min}..={max}"),
                    ));
                }
                Ok(n)
            }
        }
    }

    /// Sets the amount (checked against min/max).
    pub fn set_value(&self, amount: i64) -> Result<()> {
        let (min, _, max) = self.bounds();
        if amount < min || amount > max {
            return Err(Error::invalid(
                "Lookback value",
                format!("{amount} is outside {min}..={max}"),
            ));
        }
        self.core.save(&serde_json::json!({ "lookback": amount }))
    }

    /// Origin minus the look-back.
    pub fn start(&self) -> Result<DateTime<Utc>> {
        Ok(self.end()? - Duration::seconds(self.value()?.saturating_mul(self.units.seconds())))
    }

    /// The origin.
    pub fn end(&self) -> Result<DateTime<Utc>> {
        Ok(self.origin.unwrap_or(self.created))
    }

    /// Forgets the stored value.
    pub fn reset(&self) -> Result<()> {
        self.core.clear()
    }
}

impl NotebookDisplay for Lookback {
    fn to_html(&self) -> String {
        let (min, d, max) = self.bounds();
        let n = self.value().unwrap_or(d);
        let mut h = HtmlBuilder::new();
        h.open("div", &[("class", "hb-w-row")]);
        h.open(
            "input",
            &[
                ("class", "hb-lb-range"),
                ("type", "range"),
                ("min", &min.to_string()),
                ("max", &max.to_string()),
                ("step", "1"),
                ("value", &n.to_string()),
                ("disabled", ""),
            ],
        );
        h.element("span", &[("class", "hb-lb-n hb-w-value")], &n.to_string());
        h.text(&format!(" {}s", self.units.name()));
        h.close("div");
        self.core.render(
            &self.text_label(),
            &h,
            serde_json::json!({"units": format!("{}s", self.units.name())}),
        )
    }

    fn to_text(&self) -> String {
        match (self.value(), self.start(), self.end()) {
            (Ok(n), Ok(s), Ok(e)) => format!(
                "{}: {n} ({} to {} UTC)",
                self.text_label(),
                fmt_time(&s),
                fmt_time(&e)
            ),
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                format!("{}: {e}", self.text_label())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn msticpy_unit_defaults() {
        assert_eq!(TimeUnit::Minute.default_amount(), 60);
        assert_eq!(TimeUnit::Minute.default_max(60), 240);
        assert_eq!(TimeUnit::Hour.default_amount(), 6);
        assert_eq!(TimeUnit::Hour.default_max(6), 72);
        assert_eq!(TimeUnit::Day.default_max(1), 28);
        assert_eq!(TimeUnit::Week.default_max(1), 20);
        assert_eq!(TimeUnit::Hour.default_max(30), 120);
    }

    #[test]
    fn query_time_stored_value_is_validated() {
        let dir = std::env::temp_dir().join(format!("hb-qt-unit-{}", std::process::id()));
        let store = crate::widgets::WidgetStore::at(&dir).unwrap();
        let origin = Utc.with_ymd_and_hms(2019, 1, 12, 6, 0, 0).unwrap();
        let qt = QueryTime::new().origin(origin).store(store.clone());
        assert_eq!(qt.start().unwrap(), origin - Duration::minutes(60));
        store
            .put(qt.widget_id(), &serde_json::json!({"origin": "2019-01-10T00:00:00Z", "before": 2, "after": 1, "units": "day"}))
            .unwrap();
        assert_eq!(qt.start().unwrap().to_string(), "2019-01-08 00:00:00 UTC");
        assert_eq!(qt.end().unwrap().to_string(), "2019-01-11 00:00:00 UTC");
        store
            .put(qt.widget_id(), &serde_json::json!({"origin": "yesterday", "before": 2, "after": 1, "units": "day"}))
            .unwrap();
        assert!(qt.start().unwrap_err().to_string().contains("RFC 3339"));
        // the display still works and says why
        assert!(qt.to_html().contains("Stored value ignored"));
        store
            .put(qt.widget_id(), &serde_json::json!({"origin": "2019-01-10T00:00:00Z", "before": -2, "after": 1, "units": "day"}))
            .unwrap();
        assert!(qt.value().is_err());
        std::fs::remove_dir_all(&dir).ok();
    }
}
