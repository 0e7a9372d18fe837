//! Data drivers: the code that turns a data environment (local files,
//! osquery logs, Velociraptor collections, OTRF Security-Datasets) into
//! DataFrames.

pub mod records;
