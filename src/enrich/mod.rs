//! Enrichment of indicators from outside sources.
//!
//! - [`ti`]: threat-intelligence lookups across providers.
//! - [`geoip`]: IP geolocation (GeoLite2 databases, IPStack).

pub mod geoip;
pub mod ti;
