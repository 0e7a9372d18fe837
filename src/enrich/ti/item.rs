//! One IoC to look up, after the pre-checks.

use crate::transform::ioc::IocType;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Characters left as they are in a safe IoC (Python's `quote(safe="")`).
const URL_SAFE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// An IoC ready for providers: cleaned, typed, maybe with a sub-query.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TiItem {
    /// The cleaned value (refanged; hashes and domains lower case).
    pub ioc: String,
    /// Its type.
    pub ioc_type: IocType,
    /// The sub-query asked for (`communicating_files`…).
    pub query_subtype: Option<String>,
}

impl TiItem {
    /// An item with no sub-query.
    pub fn new(ioc: impl Into<String>, ioc_type: IocType) -> Self {
        Self {
            ioc: ioc.into(),
            ioc_type,
            query_subtype: None,
        }
    }

    /// The same item with a sub-query.
    pub fn with_subtype(mut self, subtype: Option<String>) -> Self {
        self.query_subtype = subtype;
        self
    }

    /// The type's name as in MSTICPy (`ipv4`, `sha256_hash`).
    pub fn ioc_type_name(&self) -> String {
        self.ioc_type.name().to_string()
    }

    /// The IoC percent-encoded for use in a URL path (URLs only; other types
    /// are returned as they are, as MSTICPy's `SafeIoc`).
    ///
    /// ```
    /// use huntbook::enrich::ti::TiItem;
    /// use huntbook::transform::ioc::IocType;
    /// let u = TiItem::new("http://a.com/x y", IocType::Url);
    /// assert_eq!(u.safe_ioc(), "http%3A%2F%2Fa.com%2Fx%20y");
    /// ```
    pub fn safe_ioc(&self) -> String {
        match self.ioc_type {
            IocType::Url => encode_component(&self.ioc),
            _ => self.ioc.clone(),
        }
    }

    /// Whether the item is a file hash.
    pub fn is_hash(&self) -> bool {
        matches!(
            self.ioc_type,
            IocType::Md5Hash | IocType::Sha1Hash | IocType::Sha256Hash
        )
    }

    /// Whether the item is an IP address.
    pub fn is_ip(&self) -> bool {
        matches!(self.ioc_type, IocType::Ipv4 | IocType::Ipv6)
    }
}

/// Percent-encodes every byte but `A-Z a-z 0-9 - . _ ~`.
pub fn encode_component(text: &str) -> String {
    utf8_percent_encode(text, URL_SAFE).to_string()
}

/// The hash types.
pub const HASH_TYPES: [IocType; 3] = [IocType::Md5Hash, IocType::Sha1Hash, IocType::Sha256Hash];
