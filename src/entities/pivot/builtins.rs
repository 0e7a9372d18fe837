//! The built-in pivot functions and the executor for every kind of pivot.

use super::{Action, OutKey, Pivot, PivotFn};
use crate::data::query::ParamValue;
use crate::entities::EntityType;
use crate::error::{Error, PolarsContext, Result};
use crate::net::dns::DnsRecordType;
use crate::transform::domain::{dns_components, url_components, validate_tld};
use crate::transform::ioc::IocExtractor;
use futures::StreamExt;
use polars::prelude::*;

/// The built-in pivot functions (`container.name`, the entities they attach
/// to and the attribute each takes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// `util.ip_type`: Public, Private, Loopback, … (`IpAddress`, `IpType`).
    IpType,
    /// `util.asn`: autonomous system from the GeoLite2 ASN database.
    Asn,
    /// `util.reverse_dns`: PTR records.
    ReverseDns,
    /// `util.dns_resolve`: A records.
    DnsResolve,
    /// `util.dns_components`: subdomain, domain, public suffix.
    DnsComponents,
    /// `util.validate_tld`: whether the name ends in a public suffix.
    ValidateTld,
    /// `util.url_components`: scheme, host, port, path, query, fragment.
    UrlComponents,
    /// `util.extract_iocs`: IoCs in the text.
    ExtractIocs,
    /// `util.b64decode`: base64 (and gzip/zip/tar) decoded, recursively.
    B64Decode,
    /// `ti.lookup_ip`.
    TiLookupIp,
    /// `ti.lookup_dns`.
    TiLookupDns,
    /// `ti.lookup_url`.
    TiLookupUrl,
    /// `ti.lookup_file_hash`.
    TiLookupFileHash,
    /// `geoip.lookup`: country, city, coordinates, ASN.
    GeoIp,
}

impl Builtin {
    /// Every built-in.
    pub const ALL: [Builtin; 14] = [
        Self::IpType,
        Self::Asn,
        Self::ReverseDns,
        Self::DnsResolve,
        Self::DnsComponents,
        Self::ValidateTld,
        Self::UrlComponents,
        Self::ExtractIocs,
        Self::B64Decode,
        Self::TiLookupIp,
        Self::TiLookupDns,
        Self::TiLookupUrl,
        Self::TiLookupFileHash,
        Self::GeoIp,
    ];

    /// The container.
    pub fn container(self) -> &'static str {
        match self {
            Self::TiLookupIp | Self::TiLookupDns | Self::TiLookupUrl | Self::TiLookupFileHash => {
                "ti"
            }
            Self::GeoIp => "geoip",
            _ => "util",
        }
    }

    /// The function name.
    pub fn func_name(self) -> &'static str {
        match self {
            Self::IpType => "ip_type",
            Self::Asn => "asn",
            Self::ReverseDns => "reverse_dns",
            Self::DnsResolve => "dns_resolve",
            Self::DnsComponents => "dns_components",
            Self::ValidateTld => "validate_tld",
            Self::UrlComponents => "url_components",
            Self::ExtractIocs => "extract_iocs",
            Self::B64Decode => "b64decode",
            Self::TiLookupIp => "lookup_ip",
            Self::TiLookupDns => "lookup_dns",
            Self::TiLookupUrl => "lookup_url",
            Self::TiLookupFileHash => "lookup_file_hash",
            Self::GeoIp => "lookup",
        }
    }

    /// `container.name`.
    pub fn full_name(self) -> String {
        format!("{}.{}", self.container(), self.func_name())
    }

    /// Finds a built-in by `container.name`.
    pub fn from_name(name: &str) -> Result<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|b| b.full_name() == name)
            .ok_or_else(|| {
                let all: Vec<String> = Self::ALL.iter().map(|b| b.full_name()).collect();
                let close = super::list::close_names(name, &all);
                Error::invalid(
                    format!("built-in pivot '{name}'"),
                    if close.is_empty() {
                        format!("not found; built-ins: {}", all.join(", "))
                    } else {
                        format!("not found; did you mean: {}", close.join(", "))
                    },
                )
            })
    }

    /// What it does.
    pub fn description(self) -> &'static str {
        match self {
            Self::IpType => {
                "IP address type: Public, Private, Loopback, Link Local, Multicast, Reserved, Unspecified, Invalid"
            }
            Self::Asn => "Autonomous system number and organisation (GeoLite2 ASN database)",
            Self::ReverseDns => "Reverse DNS (PTR) lookup",
            Self::DnsResolve => "DNS A-record resolution",
            Self::DnsComponents => "Split a domain into subdomain, domain and public suffix",
            Self::ValidateTld => "Whether a domain ends in a known public suffix",
            Self::UrlComponents => {
                "Split a URL into scheme, user, host, port, path, query, fragment"
            }
            Self::ExtractIocs => "Extract IoCs (IPs, domains, URLs, hashes, emails) from text",
            Self::B64Decode => "Decode base64 (and gzip/zip/tar) in text, recursively",
            Self::TiLookupIp => "Threat-intelligence lookup of IP addresses",
            Self::TiLookupDns => "Threat-intelligence lookup of domains",
            Self::TiLookupUrl => "Threat-intelligence lookup of URLs",
            Self::TiLookupFileHash => "Threat-intelligence lookup of file hashes",
            Self::GeoIp => "Geolocation of IP addresses (GeoLite2)",
        }
    }

    /// The entity types it is attached to, with the attribute each gives.
    pub fn entities(self) -> &'static [(EntityType, &'static str)] {
        use EntityType as E;
        match self {
            Self::IpType | Self::Asn | Self::ReverseDns | Self::TiLookupIp | Self::GeoIp => {
                &[(E::IpAddress, "Address")]
            }
            Self::DnsResolve | Self::DnsComponents => &[(E::Dns, "DomainName"), (E::Host, "fqdn")],
            Self::ValidateTld | Self::TiLookupDns => &[(E::Dns, "DomainName")],
            Self::UrlComponents | Self::TiLookupUrl => &[(E::Url, "Url")],
            Self::ExtractIocs => &[(E::Process, "CommandLine"), (E::Url, "Url")],
            Self::B64Decode => &[(E::Process, "CommandLine")],
            Self::TiLookupFileHash => &[(E::FileHash, "Value"), (E::File, "file_hash")],
        }
    }

    pub(crate) fn out_key(self) -> OutKey {
        match self {
            Self::IpType | Self::Asn | Self::ReverseDns | Self::GeoIp => {
                OutKey::Column("IpAddress".into())
            }
            Self::DnsResolve | Self::DnsComponents | Self::ValidateTld => {
                OutKey::Column("Name".into())
            }
            Self::UrlComponents => OutKey::Column("Url".into()),
            Self::ExtractIocs => OutKey::RowIndex("SourceIndex".into()),
            Self::B64Decode => OutKey::RowIndex("src_index".into()),
            Self::TiLookupIp | Self::TiLookupDns | Self::TiLookupUrl | Self::TiLookupFileHash => {
                OutKey::Column("Ioc".into())
            }
        }
    }
}

/// Runs a pivot function on the `column` of `df`.
pub(crate) fn execute(
    piv: &Pivot,
    f: &PivotFn,
    df: &DataFrame,
    column: &str,
    extra: &[(String, ParamValue)],
) -> Result<DataFrame> {
    match &f.action {
        Action::Builtin(b) => run_builtin(piv, *b, df, column),
        Action::Custom(func) => {
            let values = super::input::distinct_values(df, column)?;
            func(&values)
        }
        Action::Query {
            provider,
            query,
            param,
            list_param,
            static_params,
        } => {
            let values = super::input::distinct_values(df, column)?;
            run_query(
                piv,
                provider,
                query,
                param,
                *list_param,
                static_params,
                extra,
                &values,
            )
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn run_query(
    piv: &Pivot,
    provider: &str,
    query: &str,
    param: &str,
    list_param: bool,
    static_params: &[(String, ParamValue)],
    extra: &[(String, ParamValue)],
    values: &[String],
) -> Result<DataFrame> {
    if values.is_empty() {
        return Ok(DataFrame::empty());
    }
    let qp = piv.provider(provider)?;
    let make = |v: ParamValue| -> Result<crate::data::provider::QueryRun<'_>> {
        let mut r = qp.query(query)?.param(param, v);
        for (k, v) in static_params.iter().chain(extra) {
            r = r.param(k, v.clone());
        }
        if let Some((s, e)) = piv.timespan() {
            r = r.start(s).end(e);
        }
        Ok(r)
    };
    if list_param {
        return make(ParamValue::List(
            values.iter().map(|v| ParamValue::Str(v.clone())).collect(),
        ))?
        .run();
    }
    let runs = values
        .iter()
        .map(|v| make(ParamValue::Str(v.clone())))
        .collect::<Result<Vec<_>>>()?;
    let n = piv.concurrency_limit();
    let results: Vec<Result<crate::data::provider::QueryResult>> = crate::session::block_on(
        futures::stream::iter(runs)
            .map(|r| r.run_async())
            .buffered(n)
            .collect::<Vec<_>>(),
    )?;
    let mut frames = Vec::with_capacity(results.len());
    for r in results {
        frames.push(r?.into_df());
    }
    crate::data::provider::concat_union(frames)
}

fn strings(values: &[String]) -> Vec<&str> {
    values.iter().map(String::as_str).collect()
}

fn run_builtin(piv: &Pivot, b: Builtin, df: &DataFrame, column: &str) -> Result<DataFrame> {
    let values = || super::input::distinct_values(df, column);
    match b {
        Builtin::IpType => {
            let v = values()?;
            let t: Vec<&str> = v
                .iter()
                .map(|x| crate::enrich::geoip::classify(x).1.as_str())
                .collect();
            df!("IpAddress" => strings(&v), "IpType" => t).ctx("building the ip_type result")
        }
        Builtin::GeoIp => Ok(piv.geo()?.lookup_ips(values()?).into_df()),
        Builtin::Asn => {
            let geo = piv.geo()?.lookup_ips(values()?).into_df();
            geo.select(["IpAddress", "Asn", "AsnOrganization", "IpType", "Reason"])
                .ctx("selecting the ASN columns")
        }
        Builtin::TiLookupIp
        | Builtin::TiLookupDns
        | Builtin::TiLookupUrl
        | Builtin::TiLookupFileHash => Ok(piv.ti()?.lookup_iocs(values()?)?.into_df()),
        Builtin::DnsResolve => {
            let v = values()?;
            let resolver = piv.resolver();
            let n = piv.concurrency_limit();
            let answers = crate::session::block_on(
                futures::stream::iter(v.iter())
                    .map(|name| async move {
                        (name, resolver.resolve_async(name, DnsRecordType::A).await)
                    })
                    .buffered(n)
                    .collect::<Vec<_>>(),
            )?;
            dns_frames(answers.into_iter().map(|(k, r)| (k.clone(), r)), "Name")
        }
        Builtin::ReverseDns => {
            let v = values()?;
            let resolver = piv.resolver();
            let n = piv.concurrency_limit();
            let answers = crate::session::block_on(
                futures::stream::iter(v.iter())
                    .map(|ip| async move {
                        let r = match ip.parse::<std::net::IpAddr>() {
                            Ok(a) => resolver.reverse_async(a).await,
                            Err(_) => Err(Error::invalid(
                                format!("IP address '{ip}'"),
                                "not an IP address",
                            )),
                        };
                        (ip, r)
                    })
                    .buffered(n)
                    .collect::<Vec<_>>(),
            )?;
            dns_frames(
                answers.into_iter().map(|(k, r)| (k.clone(), r)),
                "IpAddress",
            )
        }
        Builtin::DnsComponents => {
            let v = values()?;
            let c: Vec<_> = v.iter().map(|x| dns_components(x)).collect();
            df!(
                "Name" => strings(&v),
                "subdomain" => c.iter().map(|x| x.subdomain.as_str()).collect::<Vec<_>>(),
                "domain" => c.iter().map(|x| x.domain.as_str()).collect::<Vec<_>>(),
                "suffix" => c.iter().map(|x| x.suffix.as_str()).collect::<Vec<_>>(),
            )
            .ctx("building the dns_components result")
        }
        Builtin::ValidateTld => {
            let v = values()?;
            let ok: Vec<bool> = v.iter().map(|x| validate_tld(x)).collect();
            df!("Name" => strings(&v), "ValidTld" => ok).ctx("building the validate_tld result")
        }
        Builtin::UrlComponents => {
            let v = values()?;
            let parts: Vec<(
                Option<crate::transform::domain::UrlComponents>,
                Option<String>,
            )> = v
                .iter()
                .map(|u| match url_components(u) {
                    Ok(c) => (Some(c), None),
                    Err(e) => (None, Some(e.to_string())),
                })
                .collect();
            let get = |f: &dyn Fn(&crate::transform::domain::UrlComponents) -> Option<String>| -> Vec<Option<String>> {
                parts.iter().map(|(c, _)| c.as_ref().and_then(f)).collect()
            };
            df!(
                "Url" => strings(&v),
                "scheme" => get(&|c| c.scheme.clone()),
                "user" => get(&|c| c.user.clone()),
                "host" => get(&|c| c.host.clone()),
                "port" => parts.iter().map(|(c, _)| c.as_ref().and_then(|c| c.port).map(u32::from)).collect::<Vec<_>>(),
                "path" => get(&|c| c.path.clone()),
                "query" => get(&|c| c.query.clone()),
                "fragment" => get(&|c| c.fragment.clone()),
                "Error" => parts.iter().map(|(_, e)| e.clone()).collect::<Vec<_>>(),
            )
            .ctx("building the url_components result")
        }
        Builtin::ExtractIocs => Ok(IocExtractor::new().extract_df(df, &[column])?.into_df()),
        Builtin::B64Decode => Ok(crate::transform::unpack::unpack_df(df, column)?.into_df()),
    }
}

fn dns_frames(
    answers: impl Iterator<Item = (String, Result<crate::net::dns::DnsAnswer>)>,
    key: &str,
) -> Result<DataFrame> {
    let mut frames = Vec::new();
    for (input, r) in answers {
        let mut f = match r {
            Ok(a) => a.to_df()?,
            Err(e) => df!(
                "qname" => [input.as_str()],
                "rdtype" => [""],
                "response" => [format!("error: {e}")],
                "record" => [None::<&str>],
                "ttl" => [None::<u32>],
            )
            .ctx("building the DNS answer frame")?,
        };
        let h = f.height();
        f.insert_column(0, Column::new(key.into(), vec![input.clone(); h]))
            .ctx("building the DNS answer frame")?;
        frames.push(f);
    }
    if frames.is_empty() {
        return df!(key => Vec::<String>::new()).ctx("building the DNS answer frame");
    }
    crate::data::provider::concat_union(frames)
}
