//! IP geolocation: MaxMind GeoLite2 databases (offline) and IPStack (online).
//!
//! [`GeoLiteLookup`] reads GeoLite2/GeoIP2 City or Country databases (and,
//! when given, the ASN database) with the `maxminddb` crate. The database
//! comes from an argument or from the settings
//! (`OtherProviders.GeoIPLite.Args.DBFolder`, as MSTICPy's
//! `msticpyconfig.yaml`), and [`GeoLiteUpdater`] downloads or refreshes it
//! with your account id and licence key when it is missing or older than 30
//! days. Every lookup gives one row per input — MSTICPy's `lookup_ip`
//! silently drops private, invalid and unknown addresses; here they get a
//! row with `IpType` and a `Reason`.
//!
//! Columns: `IpAddress`, `CountryCode`, `CountryOrRegionName`, `State`,
//! `City`, `Longitude`, `Latitude` (MSTICPy's names and meaning: `State` is
//! the first, largest subdivision), then `Asn`, `AsnOrganization` (from the
//! ASN database or IPStack), `IpType` (`Public`, `Private`, `Loopback`,
//! `Link Local`, …, `Invalid`) and `Reason` (empty when the address was
//! found).
//!
//! ```
//! use huntbook::prelude::*;
//! let dir = huntbook::data::bundled("maxmind")?;
//! let geo = GeoLiteLookup::open(dir.join("GeoLite2-City-Test.mmdb"))?
//!     .with_asn_db(dir.join("GeoLite2-ASN-Test.mmdb"))?;
//! let res = geo.lookup_ips(["81.2.69.142", "10.0.0.1", "nope"]);
//! let df = res.df();
//! assert_eq!(df.height(), 3);
//! assert_eq!(df.column("City")?.str()?.get(0), Some("London"));
//! assert_eq!(df.column("IpType")?.str()?.get(1), Some("Private"));
//! assert_eq!(df.column("Reason")?.str()?.get(2), Some("not an IP address"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod ipstack;
mod map;
pub mod update;

pub use ipstack::IpStackLookup;
pub use map::GeoMap;
pub use update::{DEFAULT_DOWNLOAD_URL, GeoLiteUpdater, UpdateOutcome};

use crate::display::NotebookDisplay;
use crate::error::{Error, PolarsContext, Result};
use polars::prelude::*;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

/// The largest database file huntbook reads (GeoLite2-City is about 60 MB).
pub const MAX_DB_BYTES: u64 = 1 << 30;

/// The result columns, in order.
pub const GEO_COLUMNS: [&str; 11] = [
    "IpAddress",
    "CountryCode",
    "CountryOrRegionName",
    "State",
    "City",
    "Longitude",
    "Latitude",
    "Asn",
    "AsnOrganization",
    "IpType",
    "Reason",
];

/// What kind of address a value is (MSTICPy's `get_ip_type` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IpType {
    /// A global address: the only kind that is geolocated.
    Public,
    /// RFC 1918 (10/8, 172.16/12, 192.168/16) and IPv6 unique-local fc00::/7.
    Private,
    /// 127/8 and `::1`.
    Loopback,
    /// 169.254/16 and fe80::/10.
    LinkLocal,
    /// 0.0.0.0/8 and `::`.
    Unspecified,
    /// 224/4 and ff00::/8.
    Multicast,
    /// 255.255.255.255.
    Broadcast,
    /// Shared address space 100.64/10 (carrier-grade NAT).
    Shared,
    /// Documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32).
    Documentation,
    /// Benchmarking 198.18/15.
    Benchmarking,
    /// Other IANA special-purpose ranges (240/4, 192.0.0/24, …).
    Reserved,
    /// Not an IP address.
    Invalid,
}

impl IpType {
    /// The name shown in the `IpType` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "Public",
            Self::Private => "Private",
            Self::Loopback => "Loopback",
            Self::LinkLocal => "Link Local",
            Self::Unspecified => "Unspecified",
            Self::Multicast => "Multicast",
            Self::Broadcast => "Broadcast",
            Self::Shared => "Shared",
            Self::Documentation => "Documentation",
            Self::Benchmarking => "Benchmarking",
            Self::Reserved => "Reserved",
            Self::Invalid => "Invalid",
        }
    }

    /// Classifies an address.
    ///
    /// ```
    /// use huntbook::enrich::geoip::IpType;
    /// assert_eq!(IpType::of(&"172.20.1.1".parse().unwrap()), IpType::Private);
    /// assert_eq!(IpType::of(&"17.20.1.1".parse().unwrap()), IpType::Public);
    /// assert_eq!(IpType::of(&"::ffff:10.0.0.1".parse().unwrap()), IpType::Private);
    /// ```
    pub fn of(addr: &IpAddr) -> Self {
        match addr {
            IpAddr::V4(v4) => Self::of_v4(*v4),
            IpAddr::V6(v6) => Self::of_v6(v6),
        }
    }

    fn of_v4(a: Ipv4Addr) -> Self {
        let o = a.octets();
        if a.is_broadcast() {
            Self::Broadcast
        } else if o[0] == 0 {
            Self::Unspecified
        } else if a.is_private() {
            Self::Private
        } else if a.is_loopback() {
            Self::Loopback
        } else if a.is_link_local() {
            Self::LinkLocal
        } else if a.is_multicast() {
            Self::Multicast
        } else if o[0] == 100 && (64..128).contains(&o[1]) {
            Self::Shared
        } else if a.is_documentation() {
            Self::Documentation
        } else if o[0] == 198 && (o[1] == 18 || o[1] == 19) {
            Self::Benchmarking
        } else if o[0] >= 240 || (o[0] == 192 && o[1] == 0 && o[2] == 0) || o[..3] == [192, 88, 99]
        {
            Self::Reserved
        } else {
            Self::Public
        }
    }

    fn of_v6(a: &Ipv6Addr) -> Self {
        let s = a.segments();
        if let Some(v4) = a.to_ipv4_mapped() {
            return Self::of_v4(v4);
        }
        if a.is_unspecified() {
            Self::Unspecified
        } else if a.is_loopback() {
            Self::Loopback
        } else if a.is_multicast() {
            Self::Multicast
        } else if s[0] & 0xffc0 == 0xfe80 {
            Self::LinkLocal
        } else if s[0] & 0xfe00 == 0xfc00 {
            Self::Private
        } else if s[0] == 0x2001 && s[1] == 0x0db8 {
            Self::Documentation
        } else if s[0] & 0xe000 == 0x2000 {
            // 2000::/3 is the global unicast space
            Self::Public
        } else {
            Self::Reserved
        }
    }
}

impl std::fmt::Display for IpType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parses and classifies one input value (surrounding spaces ignored).
pub fn classify(value: &str) -> (Option<IpAddr>, IpType) {
    match value.trim().parse::<IpAddr>() {
        Ok(a) => (Some(a), IpType::of(&a)),
        Err(_) => (None, IpType::Invalid),
    }
}

/// The location of one address (one row of a result).
#[derive(Debug, Clone, PartialEq)]
pub struct GeoLocation {
    /// The address as given, without surrounding spaces.
    pub ip_address: String,
    /// ISO 3166-1 alpha-2 country code.
    pub country_code: Option<String>,
    /// Country name (English).
    pub country_or_region_name: Option<String>,
    /// The first (largest) subdivision's name (English).
    pub state: Option<String>,
    /// City name (English).
    pub city: Option<String>,
    /// Longitude.
    pub longitude: Option<f64>,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Autonomous system number.
    pub asn: Option<u32>,
    /// Autonomous system organisation.
    pub asn_organization: Option<String>,
    /// What kind of address it is.
    pub ip_type: IpType,
    /// Why there is no location (empty when there is one).
    pub reason: Option<String>,
}

impl GeoLocation {
    /// A row with no location and the reason.
    pub fn unlocated(ip: &str, ip_type: IpType, reason: impl Into<String>) -> Self {
        Self {
            ip_address: ip.to_string(),
            country_code: None,
            country_or_region_name: None,
            state: None,
            city: None,
            longitude: None,
            latitude: None,
            asn: None,
            asn_organization: None,
            ip_type,
            reason: Some(reason.into()),
        }
    }

    /// The reason a non-public or invalid value is not looked up.
    pub(crate) fn skipped(ip: &str, ip_type: IpType) -> Self {
        let reason = match ip_type {
            IpType::Invalid if ip.is_empty() => "empty value".to_string(),
            IpType::Invalid => "not an IP address".to_string(),
            t => format!("{} address: not geolocated", t.as_str().to_lowercase()),
        };
        Self::unlocated(ip, ip_type, reason)
    }
}

/// Names in a MaxMind record: only English is read.
#[derive(Debug, Default, Deserialize)]
struct Names<'a> {
    #[serde(borrow, default)]
    en: Option<Cow<'a, str>>,
}

#[derive(Debug, Default, Deserialize)]
struct Named<'a> {
    #[serde(borrow, default)]
    names: Names<'a>,
}

#[derive(Debug, Default, Deserialize)]
struct CountryRec<'a> {
    #[serde(borrow, default)]
    iso_code: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    names: Names<'a>,
}

#[derive(Debug, Default, Deserialize)]
struct LocationRec {
    #[serde(default)]
    latitude: Option<f64>,
    #[serde(default)]
    longitude: Option<f64>,
}

/// The parts of a GeoIP2/GeoLite2 City or Country record huntbook uses.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CityRecord<'a> {
    #[serde(borrow, default)]
    city: Named<'a>,
    #[serde(borrow, default)]
    country: CountryRec<'a>,
    #[serde(borrow, default)]
    registered_country: CountryRec<'a>,
    #[serde(default)]
    location: LocationRec,
    #[serde(borrow, default)]
    subdivisions: Vec<Named<'a>>,
}

#[derive(Debug, Default, Deserialize)]
struct AsnRecord<'a> {
    #[serde(default)]
    autonomous_system_number: Option<u32>,
    #[serde(borrow, default)]
    autonomous_system_organization: Option<Cow<'a, str>>,
}

impl CityRecord<'_> {
    /// Fills a location as MSTICPy's `_create_ip_entity` does. When the
    /// record has no `country` (anonymous proxies, satellite providers), the
    /// `registered_country` is used (MSTICPy leaves the country empty).
    pub(crate) fn fill(&self, loc: &mut GeoLocation) {
        let country = if self.country.iso_code.is_some() || self.country.names.en.is_some() {
            &self.country
        } else {
            &self.registered_country
        };
        loc.country_code = country.iso_code.as_deref().map(String::from);
        loc.country_or_region_name = country.names.en.as_deref().map(String::from);
        loc.state = self
            .subdivisions
            .first()
            .and_then(|s| s.names.en.as_deref())
            .map(String::from);
        loc.city = self.city.names.en.as_deref().map(String::from);
        loc.longitude = self.location.longitude;
        loc.latitude = self.location.latitude;
    }
}

/// A location from a GeoIP2 City/Country record as JSON (the shape
/// MaxMind's readers return: `country`, `subdivisions`, `city`,
/// `location`, …), filled as [`GeoLiteLookup`] fills its rows. Useful for
/// records exported by other tools, and to check the mapping against
/// MSTICPy's.
pub fn location_from_record_json(ip: &str, json: &str) -> Result<GeoLocation> {
    let rec: CityRecord = serde_json::from_str(json).map_err(|source| Error::Json {
        context: format!("reading the GeoIP record of '{ip}'"),
        source,
    })?;
    let (_, ip_type) = classify(ip);
    let mut loc = GeoLocation::unlocated(ip.trim(), ip_type, "");
    loc.reason = None;
    rec.fill(&mut loc);
    Ok(loc)
}

/// Which kind of database a file must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DbKind {
    Location,
    Asn,
}

/// An opened, verified MaxMind database.
struct Db {
    reader: maxminddb::Reader<Vec<u8>>,
    path: PathBuf,
}

fn open_db(path: &Path, kind: DbKind) -> Result<Db> {
    let label = format!("GeoIP database '{}'", path.display());
    let meta = std::fs::metadata(path).map_err(|e| Error::io("opening", path, e))?;
    if meta.is_dir() {
        return Err(Error::invalid(label, "is a folder, expected an .mmdb file"));
    }
    if meta.len() > MAX_DB_BYTES {
        return Err(Error::invalid(
            label,
            format!(
                "is {} bytes, more than the {MAX_DB_BYTES}-byte limit",
                meta.len()
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io("reading", path, e))?;
    reader_from_bytes(bytes, kind, &label).map(|reader| Db {
        reader,
        path: path.to_path_buf(),
    })
}

/// Opens and fully verifies a database held in memory (also used for
/// downloads before they replace the old file).
fn reader_from_bytes(
    bytes: Vec<u8>,
    kind: DbKind,
    label: &str,
) -> Result<maxminddb::Reader<Vec<u8>>> {
    let corrupt = |e: &dyn std::fmt::Display| {
        Error::invalid(
            label,
            format!("not a valid MaxMind DB file ({e}); download it again"),
        )
    };
    let reader = maxminddb::Reader::from_source(bytes).map_err(|e| corrupt(&e))?;
    reader.verify().map_err(|e| corrupt(&e))?;
    reader.metadata().build_time().map_err(|e| corrupt(&e))?;
    let db_type = reader.metadata().database_type.clone();
    let ok = match kind {
        DbKind::Location => {
            db_type.contains("City")
                || db_type.contains("Country")
                || db_type.contains("Enterprise")
        }
        DbKind::Asn => db_type.contains("ASN"),
    };
    if !ok {
        return Err(Error::invalid(
            label,
            format!(
                "is a '{db_type}' database, expected {}",
                match kind {
                    DbKind::Location => "a City or Country database",
                    DbKind::Asn => "an ASN database",
                }
            ),
        ));
    }
    Ok(reader)
}

/// GeoLite2 lookups (see the [module docs](self)).
pub struct GeoLiteLookup {
    city: Db,
    asn: Option<Db>,
    notes: Vec<String>,
}

impl std::fmt::Debug for GeoLiteLookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeoLiteLookup")
            .field("city_db", &self.city.path)
            .field("asn_db", &self.asn.as_ref().map(|a| &a.path))
            .finish()
    }
}

/// The file name MaxMind gives an edition's database.
pub fn db_file_name(edition: &str) -> String {
    format!("{edition}.mmdb")
}

impl GeoLiteLookup {
    /// Opens a City or Country database: an `.mmdb` file, or a folder
    /// holding `GeoLite2-City.mmdb` (and then also `GeoLite2-ASN.mmdb`,
    /// when it is there). The file is verified in full, so a corrupt or
    /// truncated database is an error here, never a wrong answer later.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        if path.is_dir() {
            let city = path.join(db_file_name("GeoLite2-City"));
            if !city.is_file() {
                return Err(Error::invalid(
                    format!("GeoIP database folder '{}'", path.display()),
                    "has no GeoLite2-City.mmdb: download it (huntbook downloads it when \
                     OtherProviders.GeoIPLite has AccountID and AuthKey) or pass the .mmdb file",
                ));
            }
            let mut out = Self::open(&city)?;
            let asn = path.join(db_file_name("GeoLite2-ASN"));
            if asn.is_file() {
                out = out.with_asn_db(asn)?;
            }
            return Ok(out);
        }
        Ok(Self {
            city: open_db(path, DbKind::Location)?,
            asn: None,
            notes: Vec::new(),
        })
    }

    /// Adds the ASN database (`GeoLite2-ASN.mmdb`) for the `Asn` columns.
    pub fn with_asn_db(mut self, path: impl AsRef<Path>) -> Result<Self> {
        self.asn = Some(open_db(path.as_ref(), DbKind::Asn)?);
        Ok(self)
    }

    /// Opens the database named by the settings
    /// (`OtherProviders.GeoIPLite.Args.DBFolder`, default
    /// `~/.msticpy/GeoLite2` as MSTICPy), downloading or refreshing it first
    /// when the settings have `AccountID` and `AuthKey` and it is missing
    /// or older than 30 days (see [`GeoLiteUpdater`]). A failed refresh of
    /// an existing database is recorded in [`GeoLiteLookup::notes`] and the
    /// old database is used.
    pub fn from_settings(settings: &crate::config::Settings) -> Result<Self> {
        let folder = update::settings_db_folder(settings);
        let updater = GeoLiteUpdater::from_settings(settings)?;
        Self::open_folder_with_update(&folder, updater.as_ref(), std::time::SystemTime::now())
    }

    /// Opens `folder`'s GeoLite2-City (and ASN) database, first downloading
    /// or refreshing the City database with `updater` when it is missing or
    /// stale at time `now`.
    pub fn open_folder_with_update(
        folder: &Path,
        updater: Option<&GeoLiteUpdater>,
        now: std::time::SystemTime,
    ) -> Result<Self> {
        let mut notes = Vec::new();
        if let Some(updater) = updater {
            match updater.ensure(folder, "GeoLite2-City", now) {
                Ok(outcome) => notes.extend(outcome.note),
                Err(e) if folder.join(db_file_name("GeoLite2-City")).is_file() => {
                    notes.push(format!(
                        "could not refresh the GeoLite2 database, using the old one: {e}"
                    ));
                }
                Err(e) => return Err(e),
            }
        }
        let mut out = Self::open(folder)?;
        out.notes = notes;
        Ok(out)
    }

    /// Messages about the database (e.g. a refresh that failed).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The City/Country database's type, build date and path, and the ASN
    /// database's, one line each.
    pub fn database_info(&self) -> Vec<String> {
        let line = |db: &Db| {
            let m = db.reader.metadata();
            let built = chrono::DateTime::from_timestamp(m.build_epoch as i64, 0)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_else(|| m.build_epoch.to_string());
            format!("{} built {built} ({})", m.database_type, db.path.display())
        };
        let mut out = vec![line(&self.city)];
        if let Some(asn) = &self.asn {
            out.push(line(asn));
        }
        out
    }

    /// The database's build time (seconds since 1970).
    pub fn build_epoch(&self) -> u64 {
        self.city.reader.metadata().build_epoch
    }

    /// Looks up one value.
    pub fn lookup_ip(&self, value: &str) -> GeoLocation {
        let ip = value.trim();
        let (addr, ip_type) = classify(ip);
        let Some(addr) = addr.filter(|_| ip_type == IpType::Public) else {
            return GeoLocation::skipped(ip, ip_type);
        };
        let mut loc = GeoLocation::unlocated(ip, ip_type, "");
        loc.reason = None;
        match self.city.reader.lookup(addr).and_then(|r| {
            if r.has_data() {
                r.decode::<CityRecord>()
            } else {
                Ok(None)
            }
        }) {
            Ok(Some(rec)) => rec.fill(&mut loc),
            Ok(None) => loc.reason = Some("not found in the GeoIP database".into()),
            Err(e) => loc.reason = Some(format!("GeoIP database error: {e}")),
        }
        if let Some(asn) = &self.asn
            && let Ok(Some(rec)) = asn.reader.lookup(addr).and_then(|r| {
                if r.has_data() {
                    r.decode::<AsnRecord>()
                } else {
                    Ok(None)
                }
            })
        {
            loc.asn = rec.autonomous_system_number;
            loc.asn_organization = rec.autonomous_system_organization.map(String::from);
        }
        loc
    }

    /// Looks up a list of values: one row per value, in order (repeated
    /// values are looked up once).
    pub fn lookup_ips<I, S>(&self, values: I) -> GeoIpResult
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let values: Vec<S> = values.into_iter().collect();
        let mut cache: HashMap<&str, usize> = HashMap::new();
        let mut found: Vec<GeoLocation> = Vec::new();
        let mut order = Vec::with_capacity(values.len());
        for v in &values {
            let v = v.as_ref().trim();
            let next = found.len();
            let i = *cache.entry(v).or_insert_with(|| {
                found.push(self.lookup_ip(v));
                next
            });
            order.push(i);
        }
        let rows: Vec<&GeoLocation> = order.iter().filter_map(|&i| found.get(i)).collect();
        GeoIpResult::from_rows(rows.into_iter())
    }

    /// Looks up the values of a text column (nulls get an `Invalid` row).
    pub fn lookup_column(&self, df: &DataFrame, column: &str) -> Result<GeoIpResult> {
        let values = column_values(df, column)?;
        Ok(self.lookup_ips(values.iter().map(|v| v.as_deref().unwrap_or(""))))
    }

    /// `df` with the location columns appended, row for row (MSTICPy's
    /// `df_lookup_ip`).
    pub fn lookup_df(&self, df: &DataFrame, column: &str) -> Result<DataFrame> {
        let res = self.lookup_column(df, column)?;
        append_geo_columns(df, res.df())
    }
}

/// The values of a column as text (numbers and other types cast).
pub(crate) fn column_values(df: &DataFrame, column: &str) -> Result<Vec<Option<String>>> {
    let df = crate::data::fresh(df);
    let col = df.column(column).map_err(|_| {
        Error::column_not_found(
            column,
            "the input frame",
            df.get_column_names().iter().map(|c| c.as_str()),
        )
    })?;
    let text = col
        .cast(&DataType::String)
        .ctx(format!("reading column '{column}' as text"))?;
    let ca = text
        .str()
        .ctx(format!("reading column '{column}' as text"))?;
    Ok(ca.iter().map(|v| v.map(String::from)).collect())
}

/// Appends the location columns (all but `IpAddress`) of `geo` to `df`,
/// row for row; a column name already in `df` is an error.
pub fn append_geo_columns(df: &DataFrame, geo: &DataFrame) -> Result<DataFrame> {
    let mut out = crate::data::fresh(df);
    let existing: Vec<String> = out
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    for name in GEO_COLUMNS.iter().skip(1) {
        if existing.iter().any(|e| e == name) {
            return Err(Error::invalid(
                "input frame",
                format!("already has a '{name}' column; rename or drop it before adding locations"),
            ));
        }
        let col = geo
            .column(name)
            .ctx("reading the location columns")?
            .clone();
        out.with_column(col).ctx("appending the location columns")?;
    }
    Ok(out)
}

/// Lookup results: one row per input, with [`GEO_COLUMNS`].
#[derive(Debug, Clone)]
pub struct GeoIpResult {
    df: DataFrame,
}

impl GeoIpResult {
    pub(crate) fn from_rows<'a>(rows: impl Iterator<Item = &'a GeoLocation>) -> Self {
        let rows: Vec<&GeoLocation> = rows.collect();
        let s = |f: &dyn Fn(&GeoLocation) -> Option<&str>| -> Vec<Option<&str>> {
            rows.iter().map(|r| f(r)).collect()
        };
        let cols = vec![
            Column::new(
                "IpAddress".into(),
                rows.iter()
                    .map(|r| r.ip_address.as_str())
                    .collect::<Vec<_>>(),
            ),
            Column::new("CountryCode".into(), s(&|r| r.country_code.as_deref())),
            Column::new(
                "CountryOrRegionName".into(),
                s(&|r| r.country_or_region_name.as_deref()),
            ),
            Column::new("State".into(), s(&|r| r.state.as_deref())),
            Column::new("City".into(), s(&|r| r.city.as_deref())),
            Column::new(
                "Longitude".into(),
                rows.iter().map(|r| r.longitude).collect::<Vec<_>>(),
            ),
            Column::new(
                "Latitude".into(),
                rows.iter().map(|r| r.latitude).collect::<Vec<_>>(),
            ),
            Column::new(
                "Asn".into(),
                rows.iter()
                    .map(|r| r.asn.map(i64::from))
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "AsnOrganization".into(),
                s(&|r| r.asn_organization.as_deref()),
            ),
            Column::new(
                "IpType".into(),
                rows.iter().map(|r| r.ip_type.as_str()).collect::<Vec<_>>(),
            ),
            Column::new("Reason".into(), s(&|r| r.reason.as_deref())),
        ];
        let df = DataFrame::new(rows.len(), cols).unwrap_or_else(|_| DataFrame::empty());
        Self { df }
    }

    /// The result frame.
    pub fn df(&self) -> &DataFrame {
        &self.df
    }

    /// The result frame, by value.
    pub fn into_df(self) -> DataFrame {
        self.df
    }

    /// How many rows have a location.
    pub fn located(&self) -> usize {
        self.df
            .column("Reason")
            .map(|c| c.null_count())
            .unwrap_or(0)
    }

    /// A map of the located addresses (see [`GeoMap`]).
    pub fn map(&self) -> Result<GeoMap> {
        GeoMap::from_frame(&self.df)
    }

    fn summary(&self) -> String {
        format!(
            "{} addresses, {} located, {} without a location (see Reason)",
            self.df.height(),
            self.located(),
            self.df.height() - self.located()
        )
    }
}

impl NotebookDisplay for GeoIpResult {
    fn to_html(&self) -> String {
        let mut b = crate::vis::html::HtmlBuilder::new();
        b.element("p", &[], &self.summary());
        let mut html = b.finish();
        html.push_str(&self.df.to_html());
        html
    }
    fn to_text(&self) -> String {
        format!("{}\n{}", self.summary(), self.df)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        let t = |s: &str| classify(s).1;
        assert_eq!(t("8.8.8.8"), IpType::Public);
        assert_eq!(t(" 8.8.4.4 "), IpType::Public);
        assert_eq!(t("10.1.1.1"), IpType::Private);
        assert_eq!(t("172.31.1.1"), IpType::Private);
        assert_eq!(t("172.32.1.1"), IpType::Public);
        assert_eq!(t("127.0.0.1"), IpType::Loopback);
        assert_eq!(t("169.254.1.1"), IpType::LinkLocal);
        assert_eq!(t("0.0.0.0"), IpType::Unspecified);
        assert_eq!(t("224.0.0.1"), IpType::Multicast);
        assert_eq!(t("255.255.255.255"), IpType::Broadcast);
        assert_eq!(t("100.64.0.1"), IpType::Shared);
        assert_eq!(t("192.0.2.1"), IpType::Documentation);
        assert_eq!(t("240.0.0.1"), IpType::Reserved);
        assert_eq!(t("2001:4860:4860::8888"), IpType::Public);
        assert_eq!(t("fe80::1"), IpType::LinkLocal);
        assert_eq!(t("fd00::1"), IpType::Private);
        assert_eq!(t("::1"), IpType::Loopback);
        assert_eq!(t("2001:db8::1"), IpType::Documentation);
        assert_eq!(t("not-an-ip"), IpType::Invalid);
        assert_eq!(t("1.2.3"), IpType::Invalid);
    }
}
