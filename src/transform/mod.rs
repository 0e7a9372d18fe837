//! Pure functions on strings and frames: no network, no session needed.
//!
//! - [`ioc`]: indicators of compromise — extraction, validation, defang/refang.
//! - [`domain`]: domain and URL utilities (public-suffix validation, components).
//! - [`unpack`]: base64 and archive unpacking, recursive and bounded.
//! - [`proctree`]: process trees from process-creation events.

pub mod domain;
pub mod ioc;
pub mod proctree;
pub mod unpack;
