//! Pivot functions: every huntbook function that applies to an entity,
//! attached to the entity type and grouped in containers.
//!
//! [`Pivot`] is the registry. It is a value the notebook keeps (notebook
//! cells do not share statics), built with [`Pivot::new`] (threat
//! intelligence and GeoIP from the settings, else the bundled sample feed
//! and test databases) or [`Pivot::empty`] plus `with_*` sources.
//!
//! - **Containers**: `util` (IoC extraction, base64 decoding, domain/URL/IP
//!   utilities, ASN, DNS resolution), `ti` (threat-intelligence lookups by
//!   IoC type), `geoip`, and one per query provider added with
//!   [`Pivot::add_provider`] (named after its environment, e.g.
//!   `LocalData`): every query with a parameter in MSTICPy's parameter →
//!   entity map ([`queries::PARAM_ENTITY_MAP`]) becomes a pivot of that
//!   entity, run with the pivot time span ([`Pivot::set_timespan`]).
//! - **Discover**: [`Pivot::list`] (a table: entity, container, function,
//!   description, input), [`Pivot::help`]; an unknown name suggests close
//!   ones.
//! - **Call** on a value, a list, entities or a frame column
//!   ([`PivotInput`]); join the result to the input ([`JoinSpec`]:
//!   inner/left/right/outer, `left_on`/`right_on`, MSTICPy's `_src`/`_res`
//!   suffixes). DNS and query pivots run their values concurrently
//!   (bounded); TI lookups use the TI module's own bounded fan-out.
//! - **Typed** methods for the built-ins ([`Pivot::ip_address`] …) and
//!   **by name** for anything registered ([`Pivot::run`]).
//! - **User functions**: [`Pivot::register`] from code, or a YAML file of
//!   `pivot_providers` ([`Pivot::register_yaml_file`]) naming a built-in or
//!   a query.
//! - **Pipelines** ([`PivotPipeline`]): chained pivots over a frame with
//!   `tee` and display steps, from code or MSTICPy-style YAML.
//!
//! ```
//! use huntbook::prelude::*;
//! let piv = Pivot::new(&Huntbook::new()?)?;
//! let df = piv.run("IpAddress", "util.ip_type", vec!["10.0.0.1", "8.8.8.8"])?;
//! assert_eq!(df.column("IpType")?.str()?.get(0), Some("Private"));
//! let ti = piv.ip_address().ti_lookup("51.255.107.37")?;
//! assert_eq!(ti.column("Result")?.bool()?.get(0), Some(true));
//! let err = piv.run("IpAddress", "ti.lookup_ipp", "1.2.3.4").unwrap_err().to_string();
//! assert!(err.contains("did you mean: ti.lookup_ip"), "{err}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod builtins;
mod call;
mod input;
pub mod join;
mod list;
mod pipeline;
pub mod queries;
mod typed;
mod yaml;

pub use builtins::Builtin;
pub use call::{EntityRef, PivotCall};
pub use input::PivotInput;
pub use join::{JoinKind, JoinSpec, join_frames};
pub use list::{PivotHelp, PivotList};
pub use pipeline::{PipelineResult, PivotPipeline, PivotStep};
pub use typed::{DnsPivots, FilePivots, HostPivots, IpPivots, ProcessPivots, UrlPivots};

use crate::data::provider::QueryProvider;
use crate::data::query::ParamValue;
use crate::enrich::geoip::GeoLiteLookup;
use crate::enrich::ti::{LocalFeed, TiLookup};
use crate::entities::EntityType;
use crate::error::{Error, Result};
use crate::net::dns::DnsResolver;
use crate::session::Huntbook;
use chrono::{DateTime, Utc};
use polars::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A function registered from code: takes the distinct input values,
/// returns a frame (with a column holding the input value, for joins).
pub type PivotClosure = Arc<dyn Fn(&[String]) -> Result<DataFrame> + Send + Sync>;

/// What a pivot function does.
#[derive(Clone)]
pub(crate) enum Action {
    Builtin(Builtin),
    Query {
        provider: String,
        query: String,
        param: String,
        list_param: bool,
        static_params: Vec<(String, ParamValue)>,
    },
    Custom(PivotClosure),
}

impl std::fmt::Debug for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Action::Builtin(b) => write!(f, "Builtin({b:?})"),
            Action::Query {
                provider,
                query,
                param,
                ..
            } => {
                write!(f, "Query({provider}: {query}, {param})")
            }
            Action::Custom(_) => f.write_str("Custom"),
        }
    }
}

/// Where a result's key column comes from, for joins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OutKey {
    /// A result column holding the input value.
    Column(String),
    /// A result column holding the input's row number (IoC extraction, base64).
    RowIndex(String),
    /// No key: joins need `right_on`.
    None,
}

/// One registered pivot function.
#[derive(Debug, Clone)]
pub struct PivotFn {
    entity: EntityType,
    container: String,
    name: String,
    description: String,
    input_attr: String,
    out_key: OutKey,
    source: String,
    action: Action,
}

impl PivotFn {
    /// The entity type it is attached to.
    pub fn entity(&self) -> EntityType {
        self.entity
    }
    /// The container (`util`, `ti`, `geoip`, `LocalData`, …).
    pub fn container(&self) -> &str {
        &self.container
    }
    /// The function name within the container.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// `container.name`.
    pub fn full_name(&self) -> String {
        format!("{}.{}", self.container, self.name)
    }
    /// What it does.
    pub fn description(&self) -> &str {
        &self.description
    }
    /// The entity attribute it takes (`Address`, `fqdn`, …).
    pub fn input_attr(&self) -> &str {
        &self.input_attr
    }
    /// Where it came from (`built-in`, `query: LocalData WindowsSecurity.list_host_processes`, `code`, a YAML file).
    pub fn source(&self) -> &str {
        &self.source
    }
    /// The result column joined to the input by default, when there is one.
    pub fn join_key(&self) -> Option<&str> {
        match &self.out_key {
            OutKey::Column(c) | OutKey::RowIndex(c) => Some(c),
            OutKey::None => None,
        }
    }
}

/// A user function to register ([`Pivot::register`]): from code with a
/// closure, or naming a built-in or a query (as the YAML file does).
///
/// ```
/// use huntbook::prelude::*;
/// use huntbook::entities::{EntityType, PivotRegistration};
/// use huntbook::error::PolarsContext;
/// let mut piv = Pivot::empty();
/// piv.register(
///     PivotRegistration::new(EntityType::IpAddress, "custom", "octets", "Address")
///         .description("The address's first octet")
///         .output_key("ip")
///         .function(|vals: &[String]| {
///             let first: Vec<String> = vals.iter().map(|v| v.split('.').next().unwrap_or("").to_string()).collect();
///             df!("ip" => vals.to_vec(), "first" => first).ctx("octets")
///         }),
/// )?;
/// let out = piv.run("IpAddress", "custom.octets", "10.1.2.3")?;
/// assert_eq!(out.column("first")?.str()?.get(0), Some("10"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct PivotRegistration {
    entity: EntityType,
    container: String,
    name: String,
    input_attr: String,
    description: String,
    out_key: OutKey,
    action: Option<Action>,
    source: String,
}

impl PivotRegistration {
    /// A function `container.name` of `entity`, taking the entity's `input_attr`.
    pub fn new(entity: EntityType, container: &str, name: &str, input_attr: &str) -> Self {
        Self {
            entity,
            container: container.to_string(),
            name: name.to_string(),
            input_attr: input_attr.to_string(),
            description: String::new(),
            out_key: OutKey::None,
            action: None,
            source: "code".into(),
        }
    }
    /// What it does (shown by `list` and `help`).
    pub fn description(mut self, text: &str) -> Self {
        self.description = text.to_string();
        self
    }
    /// The result column holding the input value (the default join key).
    pub fn output_key(mut self, column: &str) -> Self {
        self.out_key = OutKey::Column(column.to_string());
        self
    }
    /// Runs a closure on the distinct input values.
    pub fn function<F>(mut self, f: F) -> Self
    where
        F: Fn(&[String]) -> Result<DataFrame> + Send + Sync + 'static,
    {
        self.action = Some(Action::Custom(Arc::new(f)));
        self
    }
    /// Runs a built-in (`util.extract_iocs`, `ti.lookup_ip`, …) under a new name.
    pub fn builtin(mut self, name: &str) -> Result<Self> {
        let b = Builtin::from_name(name)?;
        if self.out_key == OutKey::None {
            self.out_key = b.out_key();
        }
        self.action = Some(Action::Builtin(b));
        Ok(self)
    }
    /// Runs a query of the provider added as `provider` (its environment
    /// name), passing the input as `param`, with fixed other parameters.
    pub fn query(
        mut self,
        provider: &str,
        query: &str,
        param: &str,
        static_params: Vec<(String, ParamValue)>,
    ) -> Self {
        self.action = Some(Action::Query {
            provider: provider.to_string(),
            query: query.to_string(),
            param: param.to_string(),
            list_param: false,
            static_params,
        });
        self
    }
    pub(crate) fn source(mut self, source: &str) -> Self {
        self.source = source.to_string();
        self
    }
}

/// The pivot registry (see the [module docs](self)).
#[derive(Clone)]
pub struct Pivot {
    fns: Vec<PivotFn>,
    ti: Option<Arc<TiLookup>>,
    geo: Option<Arc<GeoLiteLookup>>,
    dns: DnsResolver,
    providers: BTreeMap<String, QueryProvider>,
    timespan: Option<(DateTime<Utc>, DateTime<Utc>)>,
    notes: Vec<String>,
    concurrency: usize,
}

impl std::fmt::Debug for Pivot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pivot")
            .field("functions", &self.fns.len())
            .field("ti", &self.ti.as_ref().map(|t| t.names()))
            .field("geoip", &self.geo.is_some())
            .field("providers", &self.providers.keys().collect::<Vec<_>>())
            .field("timespan", &self.timespan)
            .finish()
    }
}

/// The bundled indicator file used when the settings name no TI provider.
pub const BUNDLED_TI_FEED: &str = "msticpy/testdata-converted/as_threatintel.csv";
/// The bundled GeoLite2 test databases used when the settings name none.
pub const BUNDLED_GEOIP: (&str, &str) = (
    "maxmind/GeoLite2-City-Test.mmdb",
    "maxmind/GeoLite2-ASN-Test.mmdb",
);

impl Pivot {
    /// Only the `util` functions' sources (DNS from the system settings);
    /// no TI or GeoIP until added with [`with_ti`](Self::with_ti) /
    /// [`with_geoip`](Self::with_geoip). Every built-in is registered;
    /// calling a `ti`/`geoip` one without its source is a clear error.
    pub fn empty() -> Self {
        let mut p = Self {
            fns: Vec::new(),
            ti: None,
            geo: None,
            dns: DnsResolver::new(),
            providers: BTreeMap::new(),
            timespan: None,
            notes: Vec::new(),
            concurrency: 8,
        };
        for b in Builtin::ALL {
            for (entity, attr) in b.entities() {
                p.fns.push(PivotFn {
                    entity: *entity,
                    container: b.container().to_string(),
                    name: b.func_name().to_string(),
                    description: b.description().to_string(),
                    input_attr: attr.to_string(),
                    out_key: b.out_key(),
                    source: "built-in".into(),
                    action: Action::Builtin(b),
                });
            }
        }
        p
    }

    /// The registry with threat intelligence and GeoIP from the settings
    /// (`TIProviders`, `OtherProviders.GeoIPLite`). When the settings name
    /// no TI provider, the bundled sample feed ([`BUNDLED_TI_FEED`]) is
    /// used; when they name no GeoIP database, the bundled GeoLite2 test
    /// databases — each fallback is recorded in [`notes`](Self::notes).
    pub fn new(hb: &Huntbook) -> Result<Self> {
        let mut p = Self::empty();
        let mut ti = TiLookup::from_config()?.progress(false);
        if ti.enabled().is_empty() {
            let feed = LocalFeed::from_file(hb.data_path(BUNDLED_TI_FEED)?)?;
            ti = TiLookup::new()
                .no_cache()
                .progress(false)
                .with_provider(feed);
            p.notes.push(format!(
                "TI: no providers in the settings; using the bundled feed {BUNDLED_TI_FEED}"
            ));
        }
        p.ti = Some(Arc::new(ti));
        let settings = crate::config::Settings::load()?;
        let geo = match GeoLiteLookup::from_settings(&settings) {
            Ok(g) => g,
            Err(e) => {
                p.notes.push(format!(
                    "GeoIP: {e}; using the bundled test databases {} and {}",
                    BUNDLED_GEOIP.0, BUNDLED_GEOIP.1
                ));
                GeoLiteLookup::open(hb.data_path(BUNDLED_GEOIP.0)?)?
                    .with_asn_db(hb.data_path(BUNDLED_GEOIP.1)?)?
            }
        };
        p.geo = Some(Arc::new(geo));
        Ok(p)
    }

    /// Uses this TI lookup for the `ti` container.
    pub fn with_ti(mut self, ti: TiLookup) -> Self {
        self.ti = Some(Arc::new(ti));
        self
    }

    /// Uses this GeoIP lookup for `geoip` and `util.asn`.
    pub fn with_geoip(mut self, geo: GeoLiteLookup) -> Self {
        self.geo = Some(Arc::new(geo));
        self
    }

    /// Uses this DNS resolver for `util.dns_resolve` and `util.reverse_dns`.
    pub fn with_dns(mut self, dns: DnsResolver) -> Self {
        self.dns = dns;
        self
    }

    /// How many values DNS and query pivots run at once (default 8, at least 1).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Notes about the sources chosen (fallbacks to bundled data).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Sets the pivot time span used by every query pivot's `start`/`end`
    /// (datetimes, ISO text, offsets like `-7d`). Without one, each query's
    /// own defaults apply.
    pub fn set_timespan(
        &mut self,
        start: impl Into<ParamValue>,
        end: impl Into<ParamValue>,
    ) -> Result<()> {
        let now = Utc::now();
        let s = crate::data::query::params::resolve_datetime(&start.into(), now)?;
        let e = crate::data::query::params::resolve_datetime(&end.into(), now)?;
        if e < s {
            return Err(Error::invalid(
                "pivot time span",
                format!("end {e} is before start {s}"),
            ));
        }
        self.timespan = Some((s, e));
        Ok(())
    }

    /// The pivot time span, when set.
    pub fn timespan(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        self.timespan
    }

    /// Adds a query provider: a container named after its environment with
    /// every query whose parameters map to an entity attribute. Returns how
    /// many pivot functions were added. Adding the same environment again
    /// replaces its container.
    pub fn add_provider(&mut self, qp: &QueryProvider) -> Result<usize> {
        let container = qp.environment().to_string();
        self.fns
            .retain(|f| !(f.container == container && f.source.starts_with("query")));
        let new = queries::query_pivots(qp, &container)?;
        let n = new.len();
        self.fns.extend(new);
        self.providers.insert(container, qp.clone());
        Ok(n)
    }

    /// The query providers added, by container name.
    pub fn providers(&self) -> Vec<String> {
        self.providers.keys().cloned().collect()
    }

    /// Registers a user function. A function of the same entity, container
    /// and name is replaced.
    pub fn register(&mut self, reg: PivotRegistration) -> Result<()> {
        let what = format!(
            "pivot registration '{}.{}.{}'",
            reg.entity, reg.container, reg.name
        );
        if reg.container.is_empty()
            || reg.name.is_empty()
            || reg.container.contains('.')
            || reg.name.contains('.')
        {
            return Err(Error::invalid(
                what,
                "container and name must be non-empty and contain no '.'",
            ));
        }
        let action = reg
            .action
            .ok_or_else(|| Error::invalid(&what, "no function, built-in or query given"))?;
        let action = match action {
            Action::Query {
                provider,
                query,
                param,
                static_params,
                ..
            } => {
                let qp = self.providers.get(&provider).ok_or_else(|| {
                    Error::invalid(
                        &what,
                        format!(
                            "no query provider '{provider}' added; providers: {}",
                            self.providers().join(", ")
                        ),
                    )
                })?;
                let def = qp.store().get(qp.environment(), &query)?;
                let p = def.resolve_param(&param).ok_or_else(|| {
                    Error::invalid(
                        &what,
                        format!(
                            "query '{query}' has no parameter '{param}'; it has: {}",
                            def.params.keys().cloned().collect::<Vec<_>>().join(", ")
                        ),
                    )
                })?;
                Action::Query {
                    provider,
                    query: def.full_name(),
                    list_param: p.ptype == crate::data::query::params::ParamType::List,
                    param: p.name.clone(),
                    static_params,
                }
            }
            other => other,
        };
        self.fns.retain(|f| {
            !(f.entity == reg.entity && f.container == reg.container && f.name == reg.name)
        });
        self.fns.push(PivotFn {
            entity: reg.entity,
            container: reg.container,
            name: reg.name,
            description: reg.description,
            input_attr: reg.input_attr,
            out_key: reg.out_key,
            source: reg.source,
            action,
        });
        Ok(())
    }

    /// Every registered function.
    pub fn functions(&self) -> &[PivotFn] {
        &self.fns
    }

    /// The function `func` (`container.name`) of an entity type, or an
    /// error suggesting close names (and the entity types that do have it).
    pub fn get(&self, entity: impl EntityRef, func: &str) -> Result<&PivotFn> {
        let entity = entity.entity_type()?;
        if let Some(f) = self
            .fns
            .iter()
            .find(|f| f.entity == entity && f.full_name() == func)
        {
            return Ok(f);
        }
        // A bare name that is unique within the entity's functions.
        let bare: Vec<&PivotFn> = self
            .fns
            .iter()
            .filter(|f| f.entity == entity && f.name == func)
            .collect();
        if let [one] = bare.as_slice() {
            return Ok(one);
        }
        let own: Vec<String> = self
            .fns
            .iter()
            .filter(|f| f.entity == entity)
            .map(PivotFn::full_name)
            .collect();
        let mut hint = Vec::new();
        let close = list::close_names(func, &own);
        if !close.is_empty() {
            hint.push(format!("did you mean: {}", close.join(", ")));
        }
        let elsewhere: Vec<&str> = EntityType::ALL
            .iter()
            .filter(|t| {
                **t != entity
                    && self
                        .fns
                        .iter()
                        .any(|f| f.entity == **t && (f.full_name() == func || f.name == func))
            })
            .map(|t| t.name())
            .collect();
        if !elsewhere.is_empty() {
            hint.push(format!(
                "wrong entity type: '{func}' is a pivot of {}",
                elsewhere.join(", ")
            ));
        }
        if hint.is_empty() {
            hint.push(format!(
                "{} has {} pivots: list them with piv.list(Some(EntityType::{}))",
                entity.name(),
                own.len(),
                entity.name()
            ));
        }
        Err(Error::invalid(
            format!("pivot '{func}' of {}", entity.name()),
            format!("not found; {}", hint.join("; ")),
        ))
    }

    /// Runs `func` of `entity` on an input (a value, a list, entities, or
    /// `(&df, "column")`), returning its result frame.
    pub fn run(
        &self,
        entity: impl EntityRef,
        func: &str,
        input: impl Into<PivotInput>,
    ) -> Result<DataFrame> {
        self.call(entity, func)?.run(input)
    }

    /// Prepares a call, to add a join or query parameters before running.
    pub fn call(&self, entity: impl EntityRef, func: &str) -> Result<PivotCall<'_>> {
        let f = self.get(entity, func)?;
        Ok(PivotCall {
            piv: self,
            f,
            join: None,
            params: Vec::new(),
        })
    }

    pub(crate) fn ti(&self) -> Result<&TiLookup> {
        self.ti.as_deref().ok_or_else(|| {
            Error::invalid(
                "the 'ti' pivots",
                "no threat-intelligence lookup: build with Pivot::new or add one with with_ti",
            )
        })
    }

    pub(crate) fn geo(&self) -> Result<&GeoLiteLookup> {
        self.geo.as_deref().ok_or_else(|| {
            Error::invalid(
                "the 'geoip' pivots",
                "no GeoIP database: build with Pivot::new or add one with with_geoip",
            )
        })
    }

    pub(crate) fn resolver(&self) -> &DnsResolver {
        &self.dns
    }

    pub(crate) fn provider(&self, name: &str) -> Result<&QueryProvider> {
        self.providers.get(name).ok_or_else(|| {
            Error::invalid(
                format!("query provider '{name}'"),
                format!("not added; providers: {}", self.providers().join(", ")),
            )
        })
    }

    pub(crate) fn concurrency_limit(&self) -> usize {
        self.concurrency
    }
}
