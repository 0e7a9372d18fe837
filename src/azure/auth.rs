//! Azure AD (Entra ID) authentication shared by the Microsoft drivers and
//! the Azure APIs.
//!
//! Everything that calls a Microsoft API takes an `Arc<dyn TokenSource>`:
//! [`StaticToken`] for a token obtained elsewhere (and in tests); the
//! credential chain (client secret, device code, Azure CLI, managed
//! identity, with a token cache) implements the same trait.
//! [`send_with_token`] adds the bearer header, and after a `401` forgets
//! the cached token and tries once more with a fresh one.
//!
//! Tokens never appear in `Debug`, `Display`, errors or HTML.
//!
//! ```
//! use huntbook::azure::auth::{AccessToken, StaticToken, TokenSource};
//! let t = StaticToken::new(AccessToken::new("eyJ0eXAi.secret", None));
//! assert!(!format!("{t:?}").contains("eyJ0eXAi"));
//! ```

use crate::error::{Error, Result};
use crate::net::http::{HttpClient, HttpReply};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A bearer token and when it expires.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken {
    secret: String,
    expires_at: Option<SystemTime>,
}

impl AccessToken {
    /// A token; `expires_at` `None` means unknown (used until a 401).
    pub fn new(secret: impl Into<String>, expires_at: Option<SystemTime>) -> Self {
        Self {
            secret: secret.into(),
            expires_at,
        }
    }

    /// The token text, for the `Authorization` header only.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// When it expires, if known.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// True when it is still valid `margin` from now (unknown expiry: true).
    pub fn is_fresh(&self, margin: Duration) -> bool {
        match self.expires_at {
            None => true,
            Some(t) => SystemTime::now() + margin < t,
        }
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("secret", &"***")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(***)")
    }
}

/// Something that gives bearer tokens for a scope.
///
/// Implementations do their network I/O through [`HttpClient`] (which runs
/// on its own thread), so a source made in one notebook cell works when
/// awaited in the next.
pub trait TokenSource: Send + Sync + fmt::Debug {
    /// A token for `scope` (e.g. `https://api.loganalytics.io/.default`).
    fn token<'a>(&'a self, scope: &'a str) -> BoxFuture<'a, Result<AccessToken>>;
    /// Forgets any cached token for `scope` (called after a 401).
    fn invalidate(&self, scope: &str);
}

/// A fixed token (from `az account get-access-token` run by hand, or tests).
#[derive(Debug, Clone)]
pub struct StaticToken(AccessToken);

impl StaticToken {
    /// A source that always gives `token`.
    pub fn new(token: AccessToken) -> Self {
        Self(token)
    }
}

impl TokenSource for StaticToken {
    fn token<'a>(&'a self, _scope: &'a str) -> BoxFuture<'a, Result<AccessToken>> {
        let t = self.0.clone();
        Box::pin(async move { Ok(t) })
    }
    fn invalidate(&self, _scope: &str) {}
}

/// Sends the request `build` makes with `Authorization: Bearer <token for
/// scope>`; on `401` invalidates the token and tries once more. Transport
/// failures (timeouts, 429 and 5xx after the client's retries) become an
/// error naming `what`; other statuses come back as the reply.
pub async fn send_with_token<F>(
    client: &HttpClient,
    tokens: &dyn TokenSource,
    scope: &str,
    what: &str,
    build: F,
) -> Result<HttpReply>
where
    F: Fn(&reqwest::Client) -> reqwest::RequestBuilder,
{
    let mut reply = None;
    for attempt in 0..2 {
        let token = tokens.token(scope).await?;
        let auth = format!("Bearer {}", token.secret());
        let r = client
            .send(|c| build(c).header(reqwest::header::AUTHORIZATION, auth.as_str()))
            .await
            .map_err(|f| Error::Runtime(format!("{what}: {f}")))?;
        if r.status == 401 && attempt == 0 {
            tokens.invalidate(scope);
            continue;
        }
        reply = Some(r);
        break;
    }
    let r = reply.ok_or_else(|| Error::Runtime(format!("{what}: no answer")))?;
    if r.status == 401 || r.status == 403 {
        return Err(Error::Runtime(format!(
            "{what}: HTTP {}: not authorised (check the credential and its role assignments)",
            r.status
        )));
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_hidden() {
        let t = AccessToken::new("abc.def.ghi", None);
        assert!(!format!("{t:?}{t}").contains("abc.def"));
        assert!(t.is_fresh(Duration::from_secs(60)));
        let old = AccessToken::new("x", Some(SystemTime::UNIX_EPOCH));
        assert!(!old.is_fresh(Duration::ZERO));
    }
}
