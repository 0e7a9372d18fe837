//! The one import a notebook needs: `use huntbook::prelude::*;`.
//!
//! It brings polars' prelude (so a notebook never has to match polars
//! versions), the [`Huntbook`] session, the display trait that gives
//! DataFrames and every huntbook result a rich notebook view, and the
//! commonly used readers and result types.
//!
//! ```
//! use huntbook::prelude::*;
//! let df = df!("x" => [1i64, 2, 3]).unwrap();
//! assert!(df.to_html().contains("shape: (3, 1)"));
//! ```

pub use crate::analysis::anomalous_sequence::{
    Cmd, Model, RarestWindow, ScoredSessions, SessionKind, SessionScorer, Sessionizer, Sessions,
};
pub use crate::analysis::beacon::{BeaconDetector, Beacons, Periodogram};
pub use crate::analysis::cluster::{
    Delimiters, EventClusterer, EventClusters, ProcessFeatures, add_process_features,
    char_ord_score, crc32_hash, delim_count, delim_hash, token_count,
};
pub use crate::analysis::outliers::{IsolationForest, OutlierModel, Outliers, identify_outliers};
pub use crate::analysis::timeseries::{
    AnomalyPeriod, AnomalyPeriods, DetectedPeriod, Resampler, ScoreMode, Stl, StlAnomalyDetector,
    TimeSeriesAnomalies, detect_periods, ts_anomalies_stl,
};
pub use crate::azure::blob::{BlobStorage, SasUrl};
pub use crate::azure::cloud::AzureCloud;
pub use crate::azure::credential::{AuthMethod, AzureCredential};
pub use crate::azure::resources::{ArmClient, AzureData, ResourceDetails, ResourceId, VmDetails};
pub use crate::azure::sentinel::{
    Incident, IncidentQuery, IncidentUpdate, Sentinel, SentinelWorkspace,
};
/// chrono (huntbook's version), so a cell can write `chrono::Utc::now()`.
pub use crate::chrono;
pub use crate::config::Settings;
pub use crate::data::archive::read_json_lines_zip;
pub use crate::data::drivers::kusto::{
    KustoCluster, KustoDriver, KustoResponse, parse_v2_response,
};
pub use crate::data::drivers::loganalytics::{
    LaResponse, LogAnalyticsDriver, parse_query_response,
};
pub use crate::data::drivers::mde::{DefenderApi, HuntingResults, MdeConfig, MdeDriver};
pub use crate::data::drivers::security_datasets::{DatasetList, SecurityDatasets};
pub use crate::data::drivers::splunk::{SplunkConfig, SplunkDriver, SplunkResults};
pub use crate::data::provider::{QueryProvider, QueryResult};
pub use crate::data::query::{ParamValue, QueryStore};
pub use crate::data::{bundled, fresh, read_csv, read_file};
pub use crate::display::NotebookDisplay;
pub use crate::enrich::geoip::{
    GeoIpResult, GeoLiteLookup, GeoLiteUpdater, GeoLocation, GeoMap, IpStackLookup, IpType,
};
pub use crate::enrich::ti::{
    LocalFeed, LookupResult, LookupStatus, RateLimit, SentinelTi, SentinelTiTable, Severity,
    TiLookup, TiResults,
};
pub use crate::entities::{
    Account, Alert, Dns, Entities, Entity, EntityKind, EntityType, File, FileHash, Host,
    HostLogonSession, IpAddress, JoinKind, JoinSpec, PipelineResult, Pivot, PivotInput,
    PivotPipeline, PivotRegistration, Process, Url, alerts_from_df, entities_from_df,
};
pub use crate::error::Error as HuntbookError;
pub use crate::init::{NotebookStatus, init_notebook};
pub use crate::net::dns::{DnsAnswer, DnsRecordType, DnsResolver};
pub use crate::net::screenshot::{BrowshotClient, ChromiumScreenshot, Screenshot};
pub use crate::session::Huntbook;
pub use crate::transform::auditd::{
    AuditdEvents, AuditdParser, auditd_from_frame, parse_auditd, read_auditd,
};
pub use crate::transform::cmdline::{CmdRules, RiskyCommands, RiskyFrame, command_bursts};
pub use crate::transform::domain::{
    DnsComponents, UrlComponents, dns_components, url_components, validate_tld,
};
pub use crate::transform::ioc::{CustomType, IocExtractor, IocFrame, IocType, defang, refang};
pub use crate::transform::mask::{
    ColumnMap, IpPermutation, MaskKind, MaskedFrame, Masker, check_masking, default_column_map,
    read_column_map,
};
pub use crate::transform::proctree::{
    ProcSchema, ProcessTree, ProcessTreeBuilder, TextTemplate, TreeSummary,
};
pub use crate::transform::syslog::{
    HostRecord, LogonSessions, SyslogEvents, SyslogParser, host_record, logon_sessions,
    parse_syslog, risky_sudo_sessions, sudo_commands,
};
pub use crate::transform::unpack::{
    DecodedItem, Unpacked, UnpackedFrame, Unpacker, Utf16Mode, unpack, unpack_df,
};
pub use crate::vis::analysis_charts::{ScoredSessionsChart, TimeSeriesChart};
pub use crate::vis::chart::Chart;
pub use crate::vis::cluster_chart::{ClusterChart, OutlierChart};
pub use crate::vis::data_viewer::DataViewer;
pub use crate::vis::process_tree::{PidFormat, ProcessTreeView};
pub use crate::vis::table::{Table, TableOptions};
pub use crate::vis::timeaxis::{LegendPosition, RefMarker};
pub use crate::vis::timeline::Timeline;
pub use crate::vis::value_timeline::{DurationTimeline, ValueKind, ValueTimeline};
pub use crate::widgets::{
    GetEnvironmentKey, GetText, Lookback, OptionButtons, Progress, QueryTime, QueryTimeValue,
    SelectAlert, SelectItem, SelectSubset, TimeUnit as WidgetTimeUnit, WidgetStore,
};
pub use polars::prelude::*;
