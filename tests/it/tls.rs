//! TLS with a private CA: the shared HTTP client against a real TLS server
//! on 127.0.0.1 (`openssl s_server -WWW`) whose certificate a test CA
//! signed. Verification stays on: without the CA the request fails; with
//! the CA given as an extra root it succeeds. Splunk's `ca_cert` setting
//! feeds the same option. Skipped, with a message, when `openssl` is absent.

use huntbook::config::Settings;
use huntbook::data::drivers::splunk::SplunkConfig;
use huntbook::net::http::{HttpClient, HttpOptions};
use huntbook::session::block_on;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Server {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn openssl(dir: &Path, args: &[&str]) -> bool {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A test CA, a server certificate for 127.0.0.1 signed by it, and
/// `openssl s_server` serving the folder; `None` without openssl.
fn start() -> Option<Server> {
    let dir = std::env::temp_dir().join(format!("huntbook-tls-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ext.cnf"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    std::fs::write(dir.join("hello.json"), r#"{"hello":"tls"}"#).unwrap();
    let steps: [&[&str]; 3] = [
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=huntbook test CA",
        ],
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ],
    ];
    for s in steps {
        if !openssl(&dir, s) {
            println!("skipped: openssl is not available to make test certificates");
            return None;
        }
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("openssl")
        .args([
            "s_server",
            "-quiet",
            "-WWW",
            "-cert",
            "server.pem",
            "-key",
            "server.key",
        ])
        .args(["-accept", &format!("127.0.0.1:{port}")])
        .current_dir(&dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let server = Server { child, port, dir };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(server);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("openssl s_server did not start on 127.0.0.1:{port}");
}

fn get(opts: HttpOptions, url: &str) -> Result<(u16, String), String> {
    let client = HttpClient::with_options(opts).unwrap();
    let url = url.to_string();
    block_on(client.send(|c| c.get(url.as_str())))
        .unwrap()
        .map(|r| (r.status, r.text().into_owned()))
        .map_err(|f| f.to_string())
}

#[test]
fn private_ca_is_trusted_only_when_given() {
    let Some(server) = start() else { return };
    let url = format!("https://127.0.0.1:{}/hello.json", server.port);
    let opts = HttpOptions {
        timeout: Duration::from_secs(10),
        retries: 0,
        ..HttpOptions::default()
    };
    // Verification is on: the test CA is not in the system's roots.
    let err = get(opts.clone(), &url).unwrap_err();
    assert!(err.starts_with("request failed: "), "{err}");
    assert!(!err.contains("hello.json"), "errors carry no URL: {err}");
    // With the CA as an extra root, the same server is trusted.
    let ca = std::fs::read(server.dir.join("ca.pem")).unwrap();
    let trusted = HttpOptions {
        root_certificates: vec![ca],
        ..opts.clone()
    };
    let (status, body) = get(trusted, &url).unwrap();
    assert_eq!(status, 200);
    assert_eq!(body, r#"{"hello":"tls"}"#);
    // Not a certificate: a clear error when the client is made.
    let bad = HttpOptions {
        root_certificates: vec![b"not a certificate".to_vec()],
        ..opts
    };
    assert_eq!(
        HttpClient::with_options(bad).unwrap_err().to_string(),
        "invalid CA certificate 1 of the HTTP client: is not a PEM certificate"
    );
}

#[test]
fn splunk_ca_cert_setting_feeds_the_client() {
    let dir = std::env::temp_dir().join(format!("huntbook-tls-cfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    std::fs::write(dir.join("ca.pem"), pem).unwrap();
    std::fs::write(dir.join("notes.txt"), "hello").unwrap();
    let settings = |ca: &str| {
        Settings::from_yaml_str(
            &format!(
                "DataProviders:\n  Splunk:\n    Args:\n      host: splunk.corp\n      bearer_token: tok\n      verify: false\n      ca_cert: {}\n",
                dir.join(ca).display()
            ),
            "splunk.yaml",
        )
        .unwrap()
    };
    let cfg = SplunkConfig::from_settings(&settings("ca.pem")).unwrap();
    assert_eq!(cfg.http().root_certificates, vec![pem.as_bytes().to_vec()]);
    assert_eq!(
        cfg.warnings(),
        [
            "setting DataProviders.Splunk.Args.verify: 'verify: false' is not honoured: TLS certificates are always verified; set ca_cert to the Splunk server's CA certificate (PEM file)"
        ]
    );
    let e = SplunkConfig::from_settings(&settings("notes.txt"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        format!(
            "invalid setting DataProviders.Splunk.Args.ca_cert: '{}' holds no PEM certificate",
            dir.join("notes.txt").display()
        )
    );
    let e = SplunkConfig::from_settings(&settings("missing.pem"))
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("invalid setting DataProviders.Splunk.Args.ca_cert: cannot read '"),
        "{e}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
