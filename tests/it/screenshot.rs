//! URL screenshots: headless Chromium against a page served on 127.0.0.1
//! (skipped with a message when Chromium is absent), and the Browshot API
//! client against a local server shaped like Browshot's documented answers.

use crate::http_support::{Reply, TestServer};
use huntbook::NotebookDisplay;
use huntbook::net::screenshot::{BrowshotClient, ChromiumScreenshot};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A 1x1 PNG.
const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

type Handler = dyn Fn(&str) -> Option<(u16, &'static str, Vec<u8>)> + Send + Sync;

/// A server where `handler` gets the request target and returns status,
/// content type and body (`None`: never answer, until the server is dropped).
fn serve(handler: Arc<Handler>) -> TestServer {
    TestServer::start(move |req, _| match handler(&req.target) {
        Some((status, ctype, body)) => Reply::new(status, ctype, body),
        None => Reply::empty(200).delayed(Duration::from_secs(30)),
    })
}

fn chromium() -> Option<ChromiumScreenshot> {
    let c = ChromiumScreenshot::new();
    if c.is_available() {
        Some(c)
    } else {
        eprintln!(
            "skipping: no Chromium at {} (apt-get install chromium)",
            c.binary_path().display()
        );
        None
    }
}

#[test]
fn chromium_captures_a_local_page() {
    let Some(c) = chromium() else { return };
    let page = "<html><head><title>\"><script>alert(1)</script></title></head>\
                <body style='background:#c00'><h1>Sign in to your bank</h1></body></html>";
    let server = serve(Arc::new(move |t: &str| {
        (t == "/login").then(|| (200, "text/html", page.as_bytes().to_vec()))
    }));
    let base = server.url();
    let shot = c
        .window_size(400, 300)
        .timeout(Duration::from_secs(60))
        .capture(&format!("{base}/login"))
        .unwrap();
    assert_eq!(shot.size(), (400, 300));
    assert_eq!(shot.source(), "chromium");
    assert_eq!(shot.url(), format!("{base}/login"));
    assert!(shot.png().starts_with(b"\x89PNG"));
    assert!(server.requests().iter().any(|r| r.target == "/login"));
    let html = shot.to_html();
    assert!(html.starts_with(
        "<figure class=\"huntbook-screenshot\"><img src=\"data:image/png;base64,iVBORw0KGgo"
    ));
    assert!(
        shot.to_text()
            .starts_with(&format!("screenshot of {base}/login (400x300 PNG,"))
    );
}

#[test]
fn chromium_is_stopped_at_the_timeout() {
    let Some(c) = chromium() else { return };
    let server = serve(Arc::new(|_t: &str| None));
    let base = server.url();
    let started = std::time::Instant::now();
    let err = c
        .timeout(Duration::from_secs(3))
        .capture(&format!("{base}/hang"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("did not finish within 3 s and was stopped"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn browshot_create_poll_thumbnail() {
    let polls = Arc::new(Mutex::new(0));
    let p2 = polls.clone();
    let server = serve(Arc::new(move |t: &str| {
        if !t.contains("key=k-123") {
            return Some((
                403,
                "application/json",
                br#"{"error":"Invalid key"}"#.to_vec(),
            ));
        }
        if t.starts_with("/api/v1/screenshot/create?") {
            Some((
                200,
                "application/json",
                br#"{"id": 12345, "status": "in_queue", "priority": 12}"#.to_vec(),
            ))
        } else if t.starts_with("/api/v1/screenshot/info?id=12345&") {
            let mut n = p2.lock().unwrap();
            *n += 1;
            let status = if *n < 2 { "processing" } else { "finished" };
            Some((
                200,
                "application/json",
                format!(r#"{{"id": 12345, "status": "{status}"}}"#).into_bytes(),
            ))
        } else if t.starts_with("/api/v1/screenshot/thumbnail?id=12345&zoom=50&") {
            Some((200, "image/png", PNG_1X1.to_vec()))
        } else {
            Some((404, "text/plain", b"no".to_vec()))
        }
    }));
    let base = server.url();
    let client = BrowshotClient::new("k-123")
        .base_url(format!("{base}/api/v1"))
        .polling(Duration::from_millis(10), 10);
    let shot = client.capture("hxxps://evil[.]com/login?x=1&y=2").unwrap();
    assert_eq!(shot.size(), (1, 1));
    assert_eq!(shot.source(), "browshot");
    assert_eq!(shot.url(), "https://evil.com/login?x=1&y=2");
    let log = server.requests();
    assert_eq!(
        log[0].target,
        "/api/v1/screenshot/create?url=https%3A%2F%2Fevil.com%2Flogin%3Fx%3D1%26y%3D2&instance_id=26&size=screen&cache=0&key=k-123"
    );
    assert_eq!(*polls.lock().unwrap(), 2);
}

#[test]
fn browshot_errors_never_show_the_key() {
    let server = serve(Arc::new(|t: &str| {
        if t.starts_with("/api/v1/screenshot/create") {
            Some((
                200,
                "application/json",
                br#"{"status": "error", "error": "Invalid URL"}"#.to_vec(),
            ))
        } else {
            Some((500, "text/plain", b"boom".to_vec()))
        }
    }));
    let base = server.url();
    let client = BrowshotClient::new("very-secret-key").base_url(format!("{base}/api/v1"));
    let err = client.capture("https://evil.com/").unwrap_err().to_string();
    assert_eq!(
        err,
        "invalid Browshot screenshot of 'https://evil.com/': Invalid URL"
    );
    assert!(!format!("{client:?}").contains("very-secret-key"));

    let server = serve(Arc::new(|_t: &str| {
        Some((500, "text/plain", b"boom".to_vec()))
    }));
    let base = server.url();
    let client = BrowshotClient::new("very-secret-key").base_url(format!("{base}/api/v1"));
    let err = client.capture("https://evil.com/").unwrap_err().to_string();
    assert_eq!(
        err,
        "invalid Browshot request 'screenshot/create': HTTP status 500 Internal Server Error"
    );
    assert!(!err.contains("very-secret-key"));
}

#[test]
fn browshot_key_from_msticpy_config() {
    let dir = std::env::temp_dir().join(format!("huntbook-browshot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("msticpyconfig.yaml");
    std::fs::write(
        &cfg,
        "DataProviders:\n  Browshot:\n    Args:\n      AuthKey: from-file-key\n",
    )
    .unwrap();
    let c = BrowshotClient::from_msticpy_config(&cfg).unwrap();
    assert!(!format!("{c:?}").contains("from-file-key"));
    std::fs::write(&cfg, "DataProviders:\n  Other: {}\n").unwrap();
    let e = BrowshotClient::from_msticpy_config(&cfg)
        .unwrap_err()
        .to_string();
    assert!(
        e.ends_with("no Browshot key: add DataProviders: Browshot: Args: AuthKey: <key>"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
