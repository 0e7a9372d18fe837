//! Anomalous sequences: find the sessions whose order of actions is rare —
//! an Exchange admin who sets a mail-forwarding rule, an AD account that
//! adds itself to a group, a shell session that pulls a payload.
//!
//! A port of MSTICPy's `anomalous_sequence` (differential-tested against
//! MSTICPy 3.0.2 to 1e-9 relative):
//!
//! 1. [`Sessionizer`] cuts events into sessions by user column(s) and
//!    time, with a maximum session length and a maximum gap between events
//!    (`sessionize_data`), or adds a `session_ind` column to the events.
//! 2. [`Sessions`] encodes a sessions frame for the model: commands only,
//!    commands with parameter names, or commands with parameter names and
//!    values ([`SessionKind`]).
//! 3. [`Model`] is a first-order Markov model with `##START##`/`##END##`/
//!    `##UNK##` tokens and Laplace smoothing, plus per-command parameter
//!    probabilities and per-parameter value probabilities for the
//!    parameters whose values look categorical (MSTICPy's rule, or a set you
//!    give).
//! 4. Scores: session likelihoods, their geometric means, and the rarest
//!    window of `k` commands per session ([`Model::rarest_windows`]).
//!    [`SessionScorer`] / [`score_sessions`] add `rarest_window{k}_likelihood`
//!    and `rarest_window{k}` to a sessions frame; [`ScoredSessions::chart`]
//!    draws them on a timeline, coloured by likelihood.
//!
//! ```
//! use huntbook::prelude::*;
//! let hb = Huntbook::new()?;
//! let events = read_file(hb.data_path("msticpy/notebooks-data/demo_exchange_data.csv")?)?;
//! let sessions = Sessionizer::new(["UserId", "ClientIP"], "TimeGenerated")
//!     .max_session_minutes(20.0)
//!     .max_gap_minutes(2.0)
//!     .event_column("Operation")
//!     .event_column("Parameters")
//!     .sessionize(&events)?;
//! let scored = SessionScorer::new("Operation_list")
//!     .params_column("Parameters_list")
//!     .kind(SessionKind::CmdsParams)
//!     .window_length(3)
//!     .score(&sessions)?;
//! let rarest = scored.rarest(5)?;
//! assert_eq!(rarest.height(), 5);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Differences from MSTICPy, all on inputs MSTICPy mishandles:
//! - Null user values form their own group, sorted after every value
//!   (MSTICPy fills them with the text `dummy_str`, which merges them with a
//!   real user of that name); events with equal user and time keep their
//!   input order (pandas' sort is not stable).
//! - Null or empty sessions are kept with a null score instead of failing
//!   the whole model; a null command is an error naming the session.
//! - Parameter values are compared as text: `100` and `"100"` are one value
//!   (MSTICPy keys them apart). Values MSTICPy does not count (null, `""`,
//!   `false`, `0`) are not counted here either.
//! - A command literally named `##START##`, `##END##` or `##UNK##` is the
//!   token (MSTICPy smooths such a name twice).

mod chart;
mod likelihood;
mod model;
mod score;
mod sessionize;
mod sessions;

pub use chart::WINDOW_TEXT_SUFFIX;
pub use likelihood::RarestWindow;
pub use model::{Model, ModelCounts, is_modellable};
pub use score::{ScoredSessions, SessionScorer, score_sessions};
pub use sessionize::{SESSION_ID_COLUMN, Sessionizer, sessionize_data};
pub use sessions::{Cmd, END_TOKEN, START_TOKEN, SessionKind, Sessions, UNK_TOKEN};
