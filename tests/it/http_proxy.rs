//! The shared HTTP client through a configured proxy: a proxy on 127.0.0.1
//! (the test server answers as the proxy would after forwarding) receives
//! the absolute-form request and the proxy credentials; the credentials
//! never show in the options' Debug text. Nothing leaves 127.0.0.1.

use crate::http_support::{Reply, TestServer};
use huntbook::net::http::{HttpClient, HttpOptions};
use huntbook::session::block_on;
use std::time::Duration;

#[test]
fn requests_go_through_the_configured_proxy() {
    let proxy = TestServer::always(Reply::json(200, r#"{"via":"proxy"}"#));
    let addr = proxy.url().trim_start_matches("http://").to_string();
    let opts = HttpOptions {
        proxy: Some(format!("http://hunter:pw-secret@{addr}")),
        retries: 0,
        timeout: Duration::from_secs(10),
        ..HttpOptions::default()
    };
    assert!(!format!("{opts:?}").contains("pw-secret"));
    let client = HttpClient::with_options(opts).unwrap();
    let reply = block_on(client.send(|c| c.get("http://feeds.example.invalid/list.json")))
        .unwrap()
        .unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), r#"{"via":"proxy"}"#);
    let reqs = proxy.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].target, "http://feeds.example.invalid/list.json");
    // Basic base64("hunter:pw-secret")
    assert_eq!(
        reqs[0].header("proxy-authorization"),
        Some("Basic aHVudGVyOnB3LXNlY3JldA==")
    );
}

#[test]
fn a_bad_proxy_url_is_a_clear_error() {
    let opts = HttpOptions {
        proxy: Some("not a url".into()),
        ..HttpOptions::default()
    };
    assert_eq!(
        HttpClient::with_options(opts).unwrap_err().to_string(),
        "invalid HTTP proxy: not a proxy URL (expected http://host:port)"
    );
}
