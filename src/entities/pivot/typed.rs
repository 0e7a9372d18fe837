//! Typed access to the built-in pivots: `piv.ip_address().ti_lookup(..)`.
//! Each method names a built-in that always exists, so a typo is a compile
//! error rather than a run-time one.

use super::{Pivot, PivotInput};
use crate::entities::EntityType;
use crate::error::Result;
use polars::prelude::DataFrame;

macro_rules! typed {
    ($(#[$doc:meta])* $name:ident, $entity:expr, { $($(#[$mdoc:meta])* $method:ident => $func:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name<'a> {
            piv: &'a Pivot,
        }
        impl<'a> $name<'a> {
            $(
                $(#[$mdoc])*
                pub fn $method(&self, input: impl Into<PivotInput>) -> Result<DataFrame> {
                    self.piv.run($entity, $func, input)
                }
            )*
        }
    };
}

typed!(
    /// The built-in pivots of [`crate::entities::IpAddress`].
    IpPivots, EntityType::IpAddress, {
        /// `ti.lookup_ip`.
        ti_lookup => "ti.lookup_ip",
        /// `geoip.lookup`.
        geoip => "geoip.lookup",
        /// `util.ip_type`.
        ip_type => "util.ip_type",
        /// `util.asn` (the GeoLite2 ASN database: huntbook's whois).
        asn => "util.asn",
        /// `util.reverse_dns`.
        reverse_dns => "util.reverse_dns",
    }
);
typed!(
    /// The built-in pivots of [`crate::entities::Dns`].
    DnsPivots, EntityType::Dns, {
        /// `ti.lookup_dns`.
        ti_lookup => "ti.lookup_dns",
        /// `util.dns_resolve`.
        resolve => "util.dns_resolve",
        /// `util.dns_components`.
        components => "util.dns_components",
        /// `util.validate_tld`.
        validate_tld => "util.validate_tld",
    }
);
typed!(
    /// The built-in pivots of [`crate::entities::Host`].
    HostPivots, EntityType::Host, {
        /// `util.dns_resolve` of the fqdn.
        resolve => "util.dns_resolve",
        /// `util.dns_components` of the fqdn.
        components => "util.dns_components",
    }
);
typed!(
    /// The built-in pivots of [`crate::entities::Url`].
    UrlPivots, EntityType::Url, {
        /// `ti.lookup_url`.
        ti_lookup => "ti.lookup_url",
        /// `util.url_components`.
        components => "util.url_components",
        /// `util.extract_iocs`.
        extract_iocs => "util.extract_iocs",
    }
);
typed!(
    /// The built-in pivots of [`crate::entities::Process`].
    ProcessPivots, EntityType::Process, {
        /// `util.extract_iocs` of the command line.
        extract_iocs => "util.extract_iocs",
        /// `util.b64decode` of the command line.
        b64decode => "util.b64decode",
    }
);
typed!(
    /// The built-in pivots of [`crate::entities::FileHash`].
    FilePivots, EntityType::FileHash, {
        /// `ti.lookup_file_hash`.
        ti_lookup => "ti.lookup_file_hash",
    }
);

impl Pivot {
    /// Typed built-in pivots of IP addresses.
    pub fn ip_address(&self) -> IpPivots<'_> {
        IpPivots { piv: self }
    }
    /// Typed built-in pivots of domains.
    pub fn dns(&self) -> DnsPivots<'_> {
        DnsPivots { piv: self }
    }
    /// Typed built-in pivots of hosts.
    pub fn host(&self) -> HostPivots<'_> {
        HostPivots { piv: self }
    }
    /// Typed built-in pivots of URLs.
    pub fn url(&self) -> UrlPivots<'_> {
        UrlPivots { piv: self }
    }
    /// Typed built-in pivots of processes.
    pub fn process(&self) -> ProcessPivots<'_> {
        ProcessPivots { piv: self }
    }
    /// Typed built-in pivots of file hashes.
    pub fn file_hash(&self) -> FilePivots<'_> {
        FilePivots { piv: self }
    }
}
