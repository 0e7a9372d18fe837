//! DNS resolution and reverse lookups (MSTICPy's `dns_resolve` and
//! `ip_rev_resolve`), through the hickory resolver.
//!
//! A [`DnsResolver`] holds only settings (plain data, safe to keep in a
//! notebook variable or the session); each lookup builds its resolver and
//! runtime for that call. By default it uses the system's name servers
//! (`/etc/resolv.conf`); [`DnsResolver::name_server`] points it at others.
//!
//! ```no_run
//! use huntbook::net::dns::{DnsRecordType, DnsResolver};
//! let resolver = DnsResolver::new().name_server("127.0.0.1:5353".parse()?);
//! let answer = resolver.resolve("hxxps://evil[.]com/x", DnsRecordType::A)?;
//! println!("{:?}", answer.records);
//! let ptr = resolver.reverse("192.0.2.10".parse()?)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::display::NotebookDisplay;
use crate::error::{Error, PolarsContext, Result};
use crate::transform::domain::url_components;
use crate::transform::ioc::refang;
use crate::vis::html::HtmlBuilder;
use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::RecordType;
use hickory_resolver::{Resolver, TokioResolver};
use polars::prelude::*;
use serde::Serialize;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// The record types huntbook looks up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DnsRecordType {
    /// IPv4 addresses.
    A,
    /// IPv6 addresses.
    Aaaa,
    /// A reverse-lookup name.
    Ptr,
    /// Mail exchangers.
    Mx,
    /// Text records.
    Txt,
    /// Canonical name.
    Cname,
    /// Name servers.
    Ns,
}

impl DnsRecordType {
    fn record_type(self) -> RecordType {
        match self {
            DnsRecordType::A => RecordType::A,
            DnsRecordType::Aaaa => RecordType::AAAA,
            DnsRecordType::Ptr => RecordType::PTR,
            DnsRecordType::Mx => RecordType::MX,
            DnsRecordType::Txt => RecordType::TXT,
            DnsRecordType::Cname => RecordType::CNAME,
            DnsRecordType::Ns => RecordType::NS,
        }
    }

    /// The record type's name (`"AAAA"`).
    pub fn name(self) -> &'static str {
        match self {
            DnsRecordType::A => "A",
            DnsRecordType::Aaaa => "AAAA",
            DnsRecordType::Ptr => "PTR",
            DnsRecordType::Mx => "MX",
            DnsRecordType::Txt => "TXT",
            DnsRecordType::Cname => "CNAME",
            DnsRecordType::Ns => "NS",
        }
    }
}

impl std::str::FromStr for DnsRecordType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s.trim().to_ascii_uppercase().as_str() {
            "A" => Self::A,
            "AAAA" => Self::Aaaa,
            "PTR" => Self::Ptr,
            "MX" => Self::Mx,
            "TXT" => Self::Txt,
            "CNAME" => Self::Cname,
            "NS" => Self::Ns,
            _ => {
                return Err(Error::invalid(
                    format!("DNS record type '{s}'"),
                    "expected one of A, AAAA, PTR, MX, TXT, CNAME, NS",
                ));
            }
        })
    }
}

/// The answer to one DNS question (MSTICPy's result dict: `qname`,
/// `rdtype`, `response`, `nameserver`, `rrset`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DnsAnswer {
    /// The name asked about (for a reverse lookup, the `in-addr.arpa` name).
    pub qname: String,
    /// The record type asked for.
    pub rdtype: DnsRecordType,
    /// `NOERROR`, `NXDOMAIN` (the name does not exist) or `NODATA` (it has
    /// no record of this type).
    pub response: String,
    /// The records, as text (`10 mail.example.com.` for MX).
    pub records: Vec<String>,
    /// The smallest TTL of the records, in seconds.
    pub ttl: Option<u32>,
    /// The name servers that were asked.
    pub nameservers: Vec<String>,
}

impl DnsAnswer {
    /// One row per record: `qname`, `rdtype`, `response`, `record`, `ttl`
    /// (one row with a null record when there are none).
    pub fn to_df(&self) -> Result<DataFrame> {
        let n = self.records.len().max(1);
        let records: Vec<Option<&str>> = if self.records.is_empty() {
            vec![None]
        } else {
            self.records.iter().map(|r| Some(r.as_str())).collect()
        };
        df!(
            "qname" => vec![self.qname.as_str(); n],
            "rdtype" => vec![self.rdtype.name(); n],
            "response" => vec![self.response.as_str(); n],
            "record" => records,
            "ttl" => vec![self.ttl; n],
        )
        .ctx("building the DNS answer frame")
    }
}

impl NotebookDisplay for DnsAnswer {
    fn to_html(&self) -> String {
        let mut h = HtmlBuilder::new();
        h.open("div", &[("class", "huntbook-dns")]);
        h.element(
            "p",
            &[],
            &format!("{} {} → {}", self.qname, self.rdtype.name(), self.response),
        );
        h.open("ul", &[]);
        for r in &self.records {
            h.element("li", &[], r);
        }
        h.close("ul").close("div");
        h.finish()
    }

    fn to_text(&self) -> String {
        let mut s = format!("{} {} -> {}", self.qname, self.rdtype.name(), self.response);
        for r in &self.records {
            s.push_str("\n  ");
            s.push_str(r);
        }
        s
    }
}

/// DNS lookup settings: the name servers, a timeout and retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsResolver {
    name_servers: Vec<SocketAddr>,
    timeout: Duration,
    attempts: usize,
}

impl Default for DnsResolver {
    fn default() -> Self {
        Self::new()
    }
}

impl DnsResolver {
    /// Uses the system's name servers, a 5 s timeout and 2 retries.
    pub fn new() -> Self {
        Self {
            name_servers: Vec::new(),
            timeout: Duration::from_secs(5),
            attempts: 2,
        }
    }

    /// Asks this name server (UDP, then TCP for truncated answers). Call it
    /// several times for several servers; once set, the system's are not used.
    pub fn name_server(mut self, addr: SocketAddr) -> Self {
        self.name_servers.push(addr);
        self
    }

    /// The time allowed for each attempt.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Retries after a failed attempt.
    pub fn attempts(mut self, attempts: usize) -> Self {
        self.attempts = attempts;
        self
    }

    fn build(&self) -> Result<(TokioResolver, Vec<String>)> {
        let (config, mut opts) = if self.name_servers.is_empty() {
            hickory_resolver::system_conf::read_system_conf()
                .map_err(|e| Error::invalid("the system DNS configuration", e.to_string()))?
        } else {
            let servers = self
                .name_servers
                .iter()
                .map(|addr| {
                    let mut udp = ConnectionConfig::udp();
                    udp.port = addr.port();
                    let mut tcp = ConnectionConfig::tcp();
                    tcp.port = addr.port();
                    NameServerConfig::new(addr.ip(), true, vec![udp, tcp])
                })
                .collect();
            let mut opts = ResolverOpts::default();
            opts.use_hosts_file = ResolveHosts::Never;
            (ResolverConfig::from_name_servers(servers), opts)
        };
        let names: Vec<String> = config
            .name_servers()
            .iter()
            .map(|ns| {
                let port = ns.connections.first().map_or(53, |c| c.port);
                SocketAddr::new(ns.ip, port).to_string()
            })
            .collect();
        opts.timeout = self.timeout;
        opts.attempts = self.attempts;
        opts.cache_size = 0;
        let resolver = Resolver::builder_with_config(config, TokioRuntimeProvider::default())
            .with_options(opts)
            .build()
            .map_err(|e| Error::invalid("the DNS resolver settings", e.to_string()))?;
        Ok((resolver, names))
    }

    /// Looks up `name` (a domain, or a URL whose host is used; defanged
    /// forms are refanged). A name that does not exist, or has no record of
    /// the type, is an answer (`NXDOMAIN`/`NODATA`), not an error; a server
    /// that does not answer is an error naming the name and the servers.
    pub async fn resolve_async(&self, name: &str, rdtype: DnsRecordType) -> Result<DnsAnswer> {
        let host = host_of(name)?;
        let (resolver, servers) = self.build()?;
        let result = resolver.lookup(host.as_str(), rdtype.record_type()).await;
        answer(host, rdtype, servers, result)
    }

    /// Blocking [`resolve_async`](Self::resolve_async), on a runtime made for the call.
    pub fn resolve(&self, name: &str, rdtype: DnsRecordType) -> Result<DnsAnswer> {
        crate::session::block_on(self.resolve_async(name, rdtype))?
    }

    /// Reverse lookup (PTR) of an IP address.
    pub async fn reverse_async(&self, ip: IpAddr) -> Result<DnsAnswer> {
        let qname = reverse_name(ip);
        let (resolver, servers) = self.build()?;
        let result = resolver.lookup(qname.as_str(), RecordType::PTR).await;
        answer(qname, DnsRecordType::Ptr, servers, result)
    }

    /// Blocking [`reverse_async`](Self::reverse_async).
    pub fn reverse(&self, ip: IpAddr) -> Result<DnsAnswer> {
        crate::session::block_on(self.reverse_async(ip))?
    }

    /// Resolves each name of a list: one row per record with `qname`,
    /// `rdtype`, `response`, `record`, `ttl`; a name whose lookup failed
    /// gets its error in `response` (one bad name does not sink the batch).
    pub fn resolve_many(&self, names: &[&str], rdtype: DnsRecordType) -> Result<DataFrame> {
        let mut frames = Vec::with_capacity(names.len());
        for name in names {
            let df = match self.resolve(name, rdtype) {
                Ok(a) => a.to_df()?,
                Err(e) => df!(
                    "qname" => [*name],
                    "rdtype" => [rdtype.name()],
                    "response" => [format!("error: {e}")],
                    "record" => [None::<&str>],
                    "ttl" => [None::<u32>],
                )
                .ctx("building the DNS answer frame")?,
            };
            frames.push(df);
        }
        let mut out = match frames.first() {
            Some(f) => f.clone(),
            None => return DnsAnswer::empty_df(),
        };
        for f in &frames[1..] {
            out.vstack_mut(f).ctx("stacking DNS answers")?;
        }
        Ok(out)
    }
}

impl DnsAnswer {
    fn empty_df() -> Result<DataFrame> {
        df!(
            "qname" => Vec::<String>::new(),
            "rdtype" => Vec::<String>::new(),
            "response" => Vec::<String>::new(),
            "record" => Vec::<Option<String>>::new(),
            "ttl" => Vec::<Option<u32>>::new(),
        )
        .ctx("building the DNS answer frame")
    }
}

/// The `in-addr.arpa` / `ip6.arpa` name of an address.
pub fn reverse_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.{}.in-addr.arpa.", o[3], o[2], o[1], o[0])
        }
        IpAddr::V6(v6) => {
            let mut s = String::with_capacity(72);
            for byte in v6.octets().iter().rev() {
                s.push_str(&format!("{:x}.{:x}.", byte & 0xf, byte >> 4));
            }
            s.push_str("ip6.arpa.");
            s
        }
    }
}

fn host_of(name: &str) -> Result<String> {
    let refanged = refang(name.trim());
    let host = if refanged.contains("://") {
        url_components(&refanged)?.host.unwrap_or_default()
    } else {
        refanged
    };
    if host.is_empty() {
        return Err(Error::invalid(
            format!("DNS name '{name}'"),
            "no host name in it",
        ));
    }
    Ok(host)
}

fn answer(
    qname: String,
    rdtype: DnsRecordType,
    servers: Vec<String>,
    result: std::result::Result<hickory_resolver::lookup::Lookup, hickory_resolver::net::NetError>,
) -> Result<DnsAnswer> {
    match result {
        Ok(lookup) => {
            let wanted = rdtype.record_type();
            let mut records = Vec::new();
            let mut ttl: Option<u32> = None;
            for r in lookup.answers() {
                if r.record_type() != wanted {
                    continue;
                }
                records.push(r.data.to_string());
                ttl = Some(ttl.map_or(r.ttl, |t| t.min(r.ttl)));
            }
            Ok(DnsAnswer {
                qname,
                rdtype,
                response: if records.is_empty() {
                    "NODATA"
                } else {
                    "NOERROR"
                }
                .to_string(),
                records,
                ttl,
                nameservers: servers,
            })
        }
        Err(e) if e.is_nx_domain() || e.is_no_records_found() => Ok(DnsAnswer {
            qname,
            rdtype,
            response: if e.is_nx_domain() {
                "NXDOMAIN"
            } else {
                "NODATA"
            }
            .to_string(),
            records: Vec::new(),
            ttl: None,
            nameservers: servers,
        }),
        Err(e) => Err(Error::io(
            "resolving",
            format!("{qname} {} via {}", rdtype.name(), servers.join(", ")),
            std::io::Error::other(e.to_string()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_names() {
        assert_eq!(
            reverse_name("192.0.2.10".parse().unwrap()),
            "10.2.0.192.in-addr.arpa."
        );
        assert_eq!(
            reverse_name("2001:db8::1".parse().unwrap()),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."
        );
    }

    #[test]
    fn hosts_from_urls_and_defanged_names() {
        assert_eq!(host_of("hxxps://evil[.]com:8443/x").unwrap(), "evil.com");
        assert_eq!(host_of(" evil[.]com ").unwrap(), "evil.com");
        assert!(host_of("file:///etc/passwd").is_err());
    }

    #[test]
    fn record_type_names() {
        assert_eq!(
            "aaaa".parse::<DnsRecordType>().unwrap(),
            DnsRecordType::Aaaa
        );
        assert!("SPF".parse::<DnsRecordType>().is_err());
    }
}
