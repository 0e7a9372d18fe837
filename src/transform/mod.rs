//! Pure functions on strings and frames: no network, no session needed.
//!
//! - [`ioc`]: indicators of compromise — extraction, validation, defang/refang.
//! - [`domain`]: domain and URL utilities (public-suffix validation, components).
//! - [`unpack`]: base64 and archive unpacking, recursive and bounded.
//! - [`proctree`]: process trees from process-creation events.
//! - [`auditd`], [`syslog`]: Linux log parsers.
//! - [`cmdline`]: risky command-line detection.
//! - [`mask`]: masking data for safe sharing.

pub mod auditd;
pub mod cmdline;
pub mod domain;
pub mod ioc;
pub mod mask;
pub mod proctree;
pub mod syslog;
pub mod unpack;
