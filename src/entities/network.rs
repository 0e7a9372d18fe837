//! IP addresses, their locations and threat intelligence, URLs, DNS
//! resolutions and network connections.

use super::serde_util as de;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An IP address (MSTICPy's `IpAddress`). Identity: the address
/// (normalised when it parses as an IP, e.g. `::FFFF:1.2.3.4` forms).
///
/// ```
/// use huntbook::entities::IpAddress;
/// let ip = IpAddress::new(" 81.2.69.142 ");
/// assert_eq!(ip.address.as_deref(), Some("81.2.69.142"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IpAddress {
    /// The address text.
    #[serde(
        rename = "Address",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub address: Option<String>,
    /// Where it is (from an alert, or added by [`IpAddress::with_location`]).
    #[serde(
        rename = "Location",
        deserialize_with = "de::nested",
        skip_serializing_if = "Option::is_none"
    )]
    pub location: Option<Box<GeoLocation>>,
    /// Threat-intelligence reports about the address.
    #[serde(
        rename = "ThreatIntelligence",
        deserialize_with = "de::nested_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub threat_intelligence: Vec<ThreatIntelligence>,
    /// Properties huntbook has no field for.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

impl IpAddress {
    /// An address entity (surrounding spaces removed).
    pub fn new(address: &str) -> Self {
        Self {
            address: Some(address.trim().to_string()),
            ..Self::default()
        }
    }

    /// The address as a parsed IP, when it is one.
    pub fn ip(&self) -> Option<std::net::IpAddr> {
        self.address.as_deref()?.trim().parse().ok()
    }

    /// Adds the hits of a TI lookup for this address (one
    /// [`ThreatIntelligence`] per provider that knows it: provider, severity
    /// as the threat type, the details as the description, the reference
    /// link).
    ///
    /// ```
    /// use huntbook::prelude::*;
    /// use huntbook::enrich::ti::{LocalFeed, TiLookup};
    /// let feed = LocalFeed::from_file(bundled("msticpy/testdata-converted/as_threatintel.csv")?)?;
    /// let ti = TiLookup::new().no_cache().progress(false).with_provider(feed);
    /// let ip = IpAddress::new("51.255.107.37").with_ti(&ti.lookup_ioc("51.255.107.37")?);
    /// assert_eq!(ip.threat_intelligence[0].threat_type.as_deref(), Some("high"));
    /// # Ok::<(), huntbook::Error>(())
    /// ```
    pub fn with_ti(mut self, results: &crate::enrich::ti::TiResults) -> Self {
        let me = self
            .ip()
            .map(|i| i.to_string())
            .or_else(|| self.address.clone());
        for r in results.rows() {
            let theirs = r
                .ioc
                .parse::<std::net::IpAddr>()
                .map(|i| i.to_string())
                .unwrap_or_else(|_| r.ioc.clone());
            if r.result && Some(&theirs) == me.as_ref() {
                self.threat_intelligence.push(ThreatIntelligence {
                    provider_name: Some(r.provider.clone()),
                    threat_type: Some(r.severity.name().to_string()),
                    threat_description: Some(r.details.to_string()).filter(|d| d != "null"),
                    report_link: Some(r.reference.clone()).filter(|l| !l.is_empty()),
                    ..ThreatIntelligence::default()
                });
            }
        }
        self
    }

    /// Adds the location found by huntbook's GeoIP lookup.
    pub fn with_location(mut self, geo: &crate::enrich::geoip::GeoLocation) -> Self {
        self.location = Some(Box::new(GeoLocation::from(geo)));
        self
    }
}

/// A location (MSTICPy's `GeoLocation`). Not to be confused with
/// [`crate::enrich::geoip::GeoLocation`], the row of a GeoIP lookup, which
/// converts into this with `From`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GeoLocation {
    /// ISO country code.
    #[serde(
        rename = "CountryCode",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub country_code: Option<String>,
    /// Country name.
    #[serde(
        rename = "CountryOrRegionName",
        alias = "CountryName",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub country_or_region_name: Option<String>,
    /// The first-level subdivision.
    #[serde(
        rename = "State",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub state: Option<String>,
    /// The city.
    #[serde(
        rename = "City",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub city: Option<String>,
    /// Longitude.
    #[serde(
        rename = "Longitude",
        deserialize_with = "de::number",
        skip_serializing_if = "Option::is_none"
    )]
    pub longitude: Option<f64>,
    /// Latitude.
    #[serde(
        rename = "Latitude",
        deserialize_with = "de::number",
        skip_serializing_if = "Option::is_none"
    )]
    pub latitude: Option<f64>,
    /// Autonomous system number.
    #[serde(
        rename = "Asn",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub asn: Option<String>,
    /// Properties huntbook has no field for.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

impl From<&crate::enrich::geoip::GeoLocation> for GeoLocation {
    fn from(g: &crate::enrich::geoip::GeoLocation) -> Self {
        Self {
            country_code: g.country_code.clone(),
            country_or_region_name: g.country_or_region_name.clone(),
            state: g.state.clone(),
            city: g.city.clone(),
            longitude: g.longitude,
            latitude: g.latitude,
            asn: g.asn.map(|a| a.to_string()),
            additional: Map::new(),
        }
    }
}

/// One threat-intelligence report (MSTICPy's `Threatintelligence`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ThreatIntelligence {
    /// The provider.
    #[serde(
        rename = "ProviderName",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub provider_name: Option<String>,
    /// The threat type.
    #[serde(
        rename = "ThreatType",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub threat_type: Option<String>,
    /// The threat name.
    #[serde(
        rename = "ThreatName",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub threat_name: Option<String>,
    /// Confidence.
    #[serde(
        rename = "Confidence",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub confidence: Option<String>,
    /// A link to the report.
    #[serde(
        rename = "ReportLink",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub report_link: Option<String>,
    /// Description.
    #[serde(
        rename = "ThreatDescription",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub threat_description: Option<String>,
    /// Properties huntbook has no field for.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

/// A URL (MSTICPy's `Url`). Identity: the URL text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Url {
    /// The URL.
    #[serde(
        rename = "Url",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub url: Option<String>,
    /// Properties huntbook has no field for.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

impl Url {
    /// A URL entity.
    pub fn new(url: &str) -> Self {
        Self {
            url: Some(url.trim().to_string()),
            ..Self::default()
        }
    }

    /// The host part of the URL, when it has one.
    pub fn host(&self) -> Option<String> {
        crate::transform::domain::url_components(self.url.as_deref()?)
            .ok()?
            .host
    }
}

/// A DNS resolution (MSTICPy's `Dns`). Identity: the domain name,
/// case-insensitive, without a trailing dot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dns {
    /// The name queried.
    #[serde(
        rename = "DomainName",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub domain_name: Option<String>,
    /// The addresses it resolved to.
    #[serde(
        rename = "IpAddresses",
        deserialize_with = "de::nested_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub ip_addresses: Vec<IpAddress>,
    /// The DNS server asked.
    #[serde(
        rename = "DnsServerIp",
        deserialize_with = "de::nested",
        skip_serializing_if = "Option::is_none"
    )]
    pub dns_server_ip: Option<Box<IpAddress>>,
    /// The address of the host that asked.
    #[serde(
        rename = "HostIpAddress",
        deserialize_with = "de::nested",
        skip_serializing_if = "Option::is_none"
    )]
    pub host_ip_address: Option<Box<IpAddress>>,
    /// Properties huntbook has no field for.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}

impl Dns {
    /// A DNS entity for a domain name.
    pub fn new(domain: &str) -> Self {
        Self {
            domain_name: Some(domain.trim().to_string()),
            ..Self::default()
        }
    }
}

/// A network connection (MSTICPy's `NetworkConnection`). Identity: both
/// ends and the protocol.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkConnection {
    /// Source address.
    #[serde(
        rename = "SourceAddress",
        deserialize_with = "de::nested",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_address: Option<Box<IpAddress>>,
    /// Source port.
    #[serde(
        rename = "SourcePort",
        deserialize_with = "de::port",
        skip_serializing_if = "Option::is_none"
    )]
    pub source_port: Option<u16>,
    /// Destination address.
    #[serde(
        rename = "DestinationAddress",
        deserialize_with = "de::nested",
        skip_serializing_if = "Option::is_none"
    )]
    pub destination_address: Option<Box<IpAddress>>,
    /// Destination port.
    #[serde(
        rename = "DestinationPort",
        deserialize_with = "de::port",
        skip_serializing_if = "Option::is_none"
    )]
    pub destination_port: Option<u16>,
    /// Protocol (`TCP`, `UDP`).
    #[serde(
        rename = "Protocol",
        deserialize_with = "de::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub protocol: Option<String>,
    /// Properties huntbook has no field for.
    #[serde(flatten)]
    pub additional: Map<String, Value>,
}
