//! Notebook widgets whose value comes back to Rust: pick a time range, an
//! alert, an option or a secret in the browser and read it in the next cell.
//!
//! MSTICPy's widgets are ipywidgets, which need Jupyter comms; the evcxr
//! kernel has none. huntbook's widgets are plain HTML outputs with a small
//! script. When the analyst changes a widget, the script sends a *silent*
//! `execute_request` over the Jupyter server's own kernel websocket (same
//! origin, the page's credentials) whose code is one call to [`receive`]
//! with the value hex-encoded. [`receive`] stores the value in a per-kernel
//! folder readable only by the user ([`store`]); the next cell's
//! `sel.value()?` reads it. No socket is opened by huntbook, so it works with
//! a remote browser and adds nothing for other users to reach. See
//! `widgets/README.md` for the design and its measurements.
//!
//! Every widget:
//! - shows as HTML as the last expression of a cell (its controls carry the
//!   current value, so nbconvert's static HTML shows it too);
//! - has a stable id (from its kind, label and options, or `.id("name")`),
//!   so re-running the display cell keeps the value chosen;
//! - has a programmatic setter for scripted runs (`set_*`), which stores the
//!   value exactly as a browser change does;
//! - says visibly when it cannot reach the kernel (VS Code, nbconvert, a
//!   stopped kernel) instead of silently doing nothing.
//!
//! ```
//! use huntbook::widgets::{OptionButtons, WidgetStore};
//! let dir = std::env::temp_dir().join(format!("hb-doc-widgets-{}", std::process::id()));
//! let go = OptionButtons::new(["Yes", "No"])
//!     .label("Continue?")
//!     .store(WidgetStore::at(&dir)?);
//! assert_eq!(go.value()?, None);
//! go.set_value("Yes")?;                     // what a click does
//! assert_eq!(go.value()?.as_deref(), Some("yes"));
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), huntbook::Error>(())
//! ```

mod alert;
mod core;
mod progress;
mod select;
pub mod store;
mod text;
mod time;

pub use alert::SelectAlert;
pub use progress::Progress;
pub use select::{OptionButtons, SelectItem, SelectSubset};
pub use store::{KernelInfo, WidgetStore, receive};
pub use text::{GetEnvironmentKey, GetText, KeySource};
pub use time::{Lookback, QueryTime, QueryTimeValue, TimeUnit};
