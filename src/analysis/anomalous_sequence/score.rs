//! Scoring a sessions frame: train a model on its sessions and add each
//! session's rarest window and its likelihood (MSTICPy's `score_sessions`).

use super::likelihood::RarestWindow;
use super::model::Model;
use super::sessions::{Cmd, SessionKind, Sessions};
use crate::display::NotebookDisplay;
use crate::error::{PolarsContext, Result};
use crate::vis::html::HtmlBuilder;
use crate::vis::table::{TableOptions, table_html, table_text};
use polars::prelude::*;

/// Options for [`SessionScorer::score`]: which columns hold the sessions,
/// the model kind, the window length (3) and MSTICPy's switches.
///
/// ```
/// use huntbook::prelude::*;
/// use huntbook::analysis::anomalous_sequence::SessionScorer;
/// let s1 = Series::new("".into(), ["Get-User", "Set-User"]);
/// let s2 = Series::new("".into(), ["Get-User", "Get-User", "Set-User"]);
/// let s3 = Series::new("".into(), ["Set-Mailbox", "New-InboxRule"]);
/// let sessions = DataFrame::new_infer_height(vec![
///     Column::new("Operation_list".into(), [s1, s2, s3]),
/// ]).unwrap();
/// let scored = SessionScorer::new("Operation_list").window_length(2).score(&sessions).unwrap();
/// let lik = scored.df().column("rarest_window2_likelihood").unwrap().f64().unwrap();
/// // the forwarding-rule session is the rarest
/// assert!(lik.get(2).unwrap() < lik.get(0).unwrap());
/// assert!(scored.rarest_window(2).iter().any(|c| c.name == "New-InboxRule"));
/// ```
#[derive(Debug, Clone)]
pub struct SessionScorer {
    session_column: String,
    params_column: Option<String>,
    kind: Option<SessionKind>,
    window_length: usize,
    use_start_end_tokens: bool,
    use_geo_mean: bool,
    modellable_params: Option<Vec<String>>,
}

impl SessionScorer {
    /// Scores the command lists in `session_column` (e.g. `Operation_list`).
    pub fn new(session_column: &str) -> Self {
        Self {
            session_column: session_column.to_string(),
            params_column: None,
            kind: None,
            window_length: 3,
            use_start_end_tokens: true,
            use_geo_mean: false,
            modellable_params: None,
        }
    }

    /// The column with each command's parameters (e.g. `Parameters_list`);
    /// the kind becomes [`SessionKind::CmdsParamsValues`] unless set.
    pub fn params_column(mut self, name: &str) -> Self {
        self.params_column = Some(name.to_string());
        self
    }

    /// What the model looks at (default: commands only, or commands,
    /// parameters and values when a params column is given).
    pub fn kind(mut self, kind: SessionKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// The sliding window's length (MSTICPy's `window_length`, default 3).
    pub fn window_length(mut self, k: usize) -> Self {
        self.window_length = k;
        self
    }

    /// Whether `##START##`/`##END##` frame each session (default: on, as
    /// MSTICPy's `score_sessions`).
    pub fn start_end_tokens(mut self, on: bool) -> Self {
        self.use_start_end_tokens = on;
        self
    }

    /// Scores windows by the geometric mean `likelihood^(1/k)` instead; the
    /// column is then `rarest_window{k}_geo_likelihood`.
    pub fn geo_mean(mut self, on: bool) -> Self {
        self.use_geo_mean = on;
        self
    }

    /// The parameters whose values are modelled, instead of MSTICPy's rule.
    pub fn modellable_params<I, S>(mut self, params: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.modellable_params = Some(params.into_iter().map(Into::into).collect());
        self
    }

    fn resolved_kind(&self) -> SessionKind {
        self.kind.unwrap_or(if self.params_column.is_some() {
            SessionKind::CmdsParamsValues
        } else {
            SessionKind::Cmds
        })
    }

    /// Trains a model on the frame's sessions and adds
    /// `rarest_window{k}_likelihood` (null when a session is empty or too
    /// short for a window) and `rarest_window{k}` (the window's commands).
    pub fn score(&self, df: &DataFrame) -> Result<ScoredSessions> {
        let df = crate::data::fresh(df);
        let kind = self.resolved_kind();
        let sessions = Sessions::from_frame(
            &df,
            &self.session_column,
            self.params_column.as_deref(),
            kind,
        )?;
        let model = Model::train_with(&sessions, self.modellable_params.as_deref())?;
        let windows = model.rarest_windows(
            &sessions,
            self.window_length,
            self.use_start_end_tokens,
            self.use_geo_mean,
        )?;
        let k = self.window_length;
        let score_column = if self.use_geo_mean {
            format!("rarest_window{k}_geo_likelihood")
        } else {
            format!("rarest_window{k}_likelihood")
        };
        let window_column = format!("rarest_window{k}");
        let likelihoods: Vec<Option<f64>> = windows.iter().map(|w| w.likelihood).collect();
        let window_col = window_column_values(&sessions, &windows, &window_column);
        let mut out = df.clone();
        out.with_column(Column::new(score_column.as_str().into(), likelihoods))
            .ctx("adding the likelihood column")?;
        out.with_column(window_col)
            .ctx("adding the rarest-window column")?;
        Ok(ScoredSessions {
            df: out,
            model,
            sessions,
            windows,
            window_length: k,
            score_column,
            window_column,
        })
    }
}

/// The rarest windows as a list-of-text column: command names for the
/// commands-only kind, `Cmd(param=value, ...)` renderings otherwise.
fn window_column_values(sessions: &Sessions, windows: &[RarestWindow], name: &str) -> Column {
    let events: usize = windows.iter().map(|w| w.len).sum();
    let mut b = ListStringChunkedBuilder::new(name.into(), windows.len(), events);
    for (i, w) in windows.iter().enumerate() {
        let r = sessions.range(i);
        let from = (r.start + w.start).min(r.end);
        let to = (from + w.len).min(r.end);
        if sessions.kind() == SessionKind::Cmds {
            b.append_values_iter(
                sessions.cmds[from..to]
                    .iter()
                    .map(|&c| sessions.cmd_names.name(c)),
            );
        } else {
            let texts: Vec<String> = (from..to).map(|e| sessions.cmd_at(e).to_string()).collect();
            b.append_values_iter(texts.iter().map(String::as_str));
        }
    }
    b.finish().into_column()
}

/// MSTICPy's `score_sessions` on a column of command lists: a commands-only
/// model, start/end tokens, the given window length.
pub fn score_sessions(
    df: &DataFrame,
    session_column: &str,
    window_length: usize,
) -> Result<ScoredSessions> {
    SessionScorer::new(session_column)
        .window_length(window_length)
        .score(df)
}

/// Sessions with their rarest windows: the frame, the trained model and
/// the windows. Shows as a summary and the rarest sessions.
#[derive(Debug, Clone)]
pub struct ScoredSessions {
    df: DataFrame,
    model: Model,
    sessions: Sessions,
    windows: Vec<RarestWindow>,
    window_length: usize,
    score_column: String,
    window_column: String,
}

impl ScoredSessions {
    /// The input frame with the score and window columns.
    pub fn df(&self) -> &DataFrame {
        &self.df
    }

    /// The frame, consumed.
    pub fn into_df(self) -> DataFrame {
        self.df
    }

    /// The model trained on the sessions.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The sessions as the model saw them.
    pub fn sessions(&self) -> &Sessions {
        &self.sessions
    }

    /// Each row's rarest window (position, length, likelihood).
    pub fn windows(&self) -> &[RarestWindow] {
        &self.windows
    }

    /// Row `i`'s rarest window as commands (empty when it has none).
    pub fn rarest_window(&self, i: usize) -> Vec<Cmd> {
        match self.windows.get(i) {
            Some(w) => self.sessions.slice(i, w.start, w.start + w.len),
            None => Vec::new(),
        }
    }

    /// The window length.
    pub fn window_length(&self) -> usize {
        self.window_length
    }

    /// The likelihood column's name (`rarest_window3_likelihood`).
    pub fn score_column(&self) -> &str {
        &self.score_column
    }

    /// The window column's name (`rarest_window3`).
    pub fn window_column(&self) -> &str {
        &self.window_column
    }

    /// The `n` rarest sessions, least likely first (sessions without a
    /// window last).
    pub fn rarest(&self, n: usize) -> Result<DataFrame> {
        self.df
            .clone()
            .lazy()
            .sort(
                [self.score_column.as_str()],
                SortMultipleOptions::default()
                    .with_nulls_last(true)
                    .with_maintain_order(true),
            )
            .limit(n as IdxSize)
            .collect()
            .ctx("sorting sessions by likelihood")
    }

    fn summary(&self) -> String {
        let total = self.sessions.len();
        let empty = (0..total)
            .filter(|&i| self.sessions.session_len(i) == 0)
            .count();
        let unscored = self
            .windows
            .iter()
            .filter(|w| w.likelihood.is_none())
            .count();
        let mut text = format!(
            "{total} sessions ({} events), {} model, windows of {}: {} scored",
            self.sessions.events(),
            self.model.kind(),
            self.window_length,
            total - unscored,
        );
        if unscored > 0 {
            text.push_str(&format!(
                ", {unscored} without a window ({empty} empty, the rest shorter than the window)"
            ));
        }
        if !self.model.modellable_params().is_empty() {
            text.push_str(&format!(
                "; values modelled for {}",
                self.model.modellable_params().join(", ")
            ));
        }
        text
    }
}

impl NotebookDisplay for ScoredSessions {
    fn to_html(&self) -> String {
        let mut h = HtmlBuilder::new();
        h.open("div", &[("class", "huntbook-scored-sessions")]);
        h.element("p", &[], &self.summary());
        let table = match self.rarest(10) {
            Ok(df) => table_html(
                &df,
                &TableOptions::new().caption("the 10 rarest sessions (least likely first)"),
            ),
            Err(e) => {
                let mut p = HtmlBuilder::new();
                p.element("p", &[], &e.to_string());
                p.finish()
            }
        };
        h.close("div");
        format!("{}{}", h.finish(), table)
    }

    fn to_text(&self) -> String {
        let table = self
            .rarest(10)
            .map(|df| table_text(&df))
            .unwrap_or_else(|e| e.to_string());
        format!("{}\n{}", self.summary(), table)
    }
}
