//! Secrets from settings: given inline, from an environment variable, or
//! (unsupported here) from Azure Key Vault. A secret never shows in Debug,
//! Display, HTML or error messages.

use crate::error::{Error, Result};
use std::fmt;

/// A secret setting. Debug and Display print `********` for inline values
/// and the variable's name for environment variables, never the value.
///
/// ```
/// use huntbook::config::Secret;
/// let s = Secret::plain("hunter2");
/// assert_eq!(format!("{s:?}"), "Secret(********)");
/// assert_eq!(s.expose().unwrap(), "hunter2");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    /// A value written in the settings file.
    Plain(String),
    /// `EnvironmentVar: NAME`: read from the environment when used.
    EnvVar(String),
    /// `KeyVault:` / `KeyVaultURI:`: not supported by huntbook.
    KeyVault(String),
}

impl Secret {
    /// An inline secret.
    pub fn plain(value: impl Into<String>) -> Self {
        Self::Plain(value.into())
    }

    /// The secret's value. An environment variable that is unset, or a Key
    /// Vault reference, is an error that names the setting but not a value.
    pub fn expose(&self) -> Result<String> {
        match self {
            Self::Plain(v) => Ok(v.clone()),
            Self::EnvVar(name) => std::env::var(name).map_err(|_| {
                Error::invalid(
                    format!("secret from environment variable '{name}'"),
                    "the variable is not set",
                )
            }),
            Self::KeyVault(path) => Err(Error::invalid(
                format!("Key Vault secret '{path}'"),
                "Key Vault secrets are not supported by huntbook; put the secret in an environment variable and write `EnvironmentVar: NAME` in the settings",
            )),
        }
    }

    /// Where the secret comes from, safe to show: `inline`,
    /// `EnvironmentVar(NAME)` or `KeyVault(path)`.
    pub fn source(&self) -> String {
        match self {
            Self::Plain(_) => "inline".into(),
            Self::EnvVar(n) => format!("EnvironmentVar({n})"),
            Self::KeyVault(p) => format!("KeyVault({p})"),
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Plain(_) => f.write_str("Secret(********)"),
            other => write!(f, "Secret({})", other.source()),
        }
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Plain(_) => f.write_str("********"),
            other => f.write_str(&other.source()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_shows_the_value() {
        let s = Secret::plain("s3cr3t-value");
        assert!(!format!("{s:?}{s}").contains("s3cr3t"));
        let e = Secret::EnvVar("HUNTBOOK_TEST_SURELY_UNSET_VAR".into());
        assert_eq!(
            e.to_string(),
            "EnvironmentVar(HUNTBOOK_TEST_SURELY_UNSET_VAR)"
        );
        let err = e.expose().unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid secret from environment variable 'HUNTBOOK_TEST_SURELY_UNSET_VAR': the variable is not set"
        );
        let kv = Secret::KeyVault("myvault/OTX".into())
            .expose()
            .unwrap_err()
            .to_string();
        assert!(
            kv.contains("not supported") && kv.contains("EnvironmentVar"),
            "{kv}"
        );
    }
}
