//! Analyses that find the unusual in security data.
//!
//! - [`anomalous_sequence`]: sessions, Markov models and rarest windows of
//!   action sequences.
//! - [`timeseries`]: resampling, STL decomposition and time-series anomalies.
//! - [`beacon`]: periodogram-based beaconing (polling) detection.
//! - [`cluster`]: string features and DBSCAN clustering of events.
//! - [`outliers`]: isolation-forest outlier scores.

pub mod anomalous_sequence;
pub mod beacon;
pub mod cluster;
pub mod outliers;
pub mod timeseries;
