//! `huntbook geoip`: locate IP addresses with GeoLite2 (or IPStack).

use super::output::{self, OutputOptions};
use crate::config::{Secret, Settings};
use crate::data::read_file;
use crate::enrich::geoip::{GeoLiteLookup, IpStackLookup};
use crate::error::{Error, Result};
use std::path::PathBuf;

/// Arguments of `huntbook geoip`.
#[derive(Debug, clap::Args)]
pub struct GeoipArgs {
    /// Addresses to locate.
    pub ips: Vec<String>,
    /// Locate the addresses in a column of this CSV/JSON/NDJSON/Parquet
    /// file (the location columns are appended to its rows).
    #[arg(long, short = 'i', value_name = "FILE", requires = "column")]
    pub input: Option<PathBuf>,
    /// The column of --input holding the addresses.
    #[arg(long, short = 'c', value_name = "NAME")]
    pub column: Option<String>,
    /// A GeoLite2/GeoIP2 City or Country .mmdb file, or a folder holding
    /// GeoLite2-City.mmdb. Default: the settings' OtherProviders.GeoIPLite
    /// DBFolder (downloaded or refreshed when AccountID and AuthKey are set).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// A GeoLite2-ASN .mmdb file for the Asn columns.
    #[arg(long, value_name = "FILE")]
    pub asn_db: Option<PathBuf>,
    /// Use IPStack instead, with the key in this environment variable (or
    /// the settings' OtherProviders.IPStack AuthKey when the name is empty).
    #[arg(long, value_name = "ENV_VAR", num_args = 0..=1, default_missing_value = "")]
    pub ipstack: Option<String>,
    /// IPStack's address (e.g. http://api.ipstack.com for a free plan).
    #[arg(long, value_name = "URL")]
    pub ipstack_url: Option<String>,
    /// Send up to 50 addresses per IPStack request (paid plans).
    #[arg(long)]
    pub bulk: bool,
    /// Also write a map of the located addresses to this HTML file.
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
}

/// Runs `huntbook geoip`.
pub fn run(args: GeoipArgs, out: &OutputOptions) -> Result<()> {
    let frame = match &args.input {
        Some(path) => Some(read_file(path)?),
        None => None,
    };
    if frame.is_none() && args.ips.is_empty() {
        return Err(Error::invalid(
            "arguments",
            "give IP addresses, or --input FILE --column NAME",
        ));
    }
    let column = args.column.clone().unwrap_or_default();
    let (result, table) = if let Some(env) = &args.ipstack {
        let key = if env.is_empty() {
            IpStackLookup::from_settings(&Settings::load()?)?
        } else {
            IpStackLookup::new(Secret::EnvVar(env.clone()))
        };
        let mut look = key.bulk(args.bulk);
        if let Some(url) = &args.ipstack_url {
            look = look.base_url(url);
        }
        match &frame {
            Some(df) => {
                let r = look.lookup_column(df, &column)?;
                let t = crate::enrich::geoip::append_geo_columns(df, r.df())?;
                (r, t)
            }
            None => {
                let r = look.lookup_ips(&args.ips)?;
                let t = r.df().clone();
                (r, t)
            }
        }
    } else {
        let mut geo = match &args.db {
            Some(path) => GeoLiteLookup::open(path)?,
            None => GeoLiteLookup::from_settings(&Settings::load()?)?,
        };
        if let Some(asn) = &args.asn_db {
            geo = geo.with_asn_db(asn)?;
        }
        for note in geo.notes() {
            eprintln!("{note}");
        }
        match &frame {
            Some(df) => {
                let r = geo.lookup_column(df, &column)?;
                let t = crate::enrich::geoip::append_geo_columns(df, r.df())?;
                (r, t)
            }
            None => {
                let r = geo.lookup_ips(&args.ips);
                let t = r.df().clone();
                (r, t)
            }
        }
    };
    if let Some(path) = &args.map {
        result.map()?.write_html(path)?;
    }
    output::write(table, out)
}
