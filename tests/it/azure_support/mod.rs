//! Shared by the Azure tests (the server is `crate::http_support`): a token
//! source that counts refreshes, and clients wired to a manual clock so that
//! retries and `Retry-After` do not sleep for real.
#![allow(dead_code)]

use huntbook::azure::auth::{AccessToken, BoxFuture, TokenSource};
use huntbook::enrich::ti::limit::ManualClock;
use huntbook::net::http::{HttpClient, HttpOptions};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A token source that hands out `token-1`, `token-2`, … : a new one after
/// each `invalidate` (as a credential refreshing after a 401).
#[derive(Debug, Default)]
pub struct CountingToken {
    pub issued: AtomicUsize,
    pub invalidated: AtomicUsize,
    pub scopes: Mutex<Vec<String>>,
}

impl TokenSource for CountingToken {
    fn token<'a>(&'a self, scope: &'a str) -> BoxFuture<'a, huntbook::Result<AccessToken>> {
        self.scopes.lock().unwrap().push(scope.to_string());
        let n = self.invalidated.load(Ordering::SeqCst) + 1;
        self.issued.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move { Ok(AccessToken::new(format!("token-{n}"), None)) })
    }
    fn invalidate(&self, _scope: &str) {
        self.invalidated.fetch_add(1, Ordering::SeqCst);
    }
}

/// An HTTP client with a manual clock (no real sleeping), 1 retry.
pub fn test_http() -> (HttpClient, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new());
    let opts = HttpOptions {
        timeout: Duration::from_secs(10),
        retries: 1,
        backoff: Duration::from_millis(10),
        ..HttpOptions::default()
    };
    (HttpClient::new(opts, clock.clone()).unwrap(), clock)
}
