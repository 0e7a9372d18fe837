//! Screenshots of suspicious pages (MSTICPy's `screenshot`), shown inline
//! in a notebook.
//!
//! Two ways, both run only when the analyst calls them:
//! - [`ChromiumScreenshot`]: a local headless Chromium (Debian's
//!   `chromium`). No third party sees the URL. Each capture runs in a fresh
//!   profile directory that is deleted afterwards, with background
//!   networking, sync, component updates and QUIC off, and is killed when
//!   it takes longer than the timeout.
//! - [`BrowshotClient`]: Browshot's API, with the key configured as in
//!   MSTICPy (`DataProviders: Browshot: Args: AuthKey:` in
//!   `msticpyconfig.yaml`). The key never appears in Debug output or errors.
//!
//! ```no_run
//! use huntbook::net::screenshot::ChromiumScreenshot;
//! let shot = ChromiumScreenshot::new().window_size(1280, 800).capture("hxxps://evil[.]com/login")?;
//! shot.save("evil-login.png")?;
//! // In a notebook, `shot` as the last expression shows the image.
//! # Ok::<(), huntbook::Error>(())
//! ```

use crate::display::NotebookDisplay;
use crate::error::{Error, Result};
use crate::transform::ioc::refang;
use crate::vis::html::HtmlBuilder;
use base64::Engine;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
/// The largest screenshot accepted (bytes).
const MAX_PNG: usize = 64 << 20;

/// A PNG screenshot of a page.
#[derive(Clone, PartialEq, Eq)]
pub struct Screenshot {
    url: String,
    png: Vec<u8>,
    width: u32,
    height: u32,
    source: &'static str,
}

impl std::fmt::Debug for Screenshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Screenshot")
            .field("url", &self.url)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("bytes", &self.png.len())
            .field("source", &self.source)
            .finish()
    }
}

impl Screenshot {
    /// Checks that `png` is a PNG image and reads its size.
    pub fn from_png(url: &str, png: Vec<u8>, source: &'static str) -> Result<Self> {
        let what = || format!("screenshot of '{url}' from {source}");
        if png.len() < 24 || !png.starts_with(PNG_SIGNATURE) || &png[12..16] != b"IHDR" {
            return Err(Error::invalid(what(), "not a PNG image"));
        }
        let be = |i: usize| u32::from_be_bytes([png[i], png[i + 1], png[i + 2], png[i + 3]]);
        Ok(Self {
            url: url.to_string(),
            width: be(16),
            height: be(20),
            png,
            source,
        })
    }

    /// The URL that was captured (refanged).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The PNG bytes.
    pub fn png(&self) -> &[u8] {
        &self.png
    }

    /// Width and height in pixels.
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// Where it came from: `"chromium"` or `"browshot"`.
    pub fn source(&self) -> &str {
        self.source
    }

    /// Writes the PNG to a file.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, &self.png).map_err(|e| Error::io("writing", path, e))
    }
}

impl NotebookDisplay for Screenshot {
    fn to_html(&self) -> String {
        let data = format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&self.png)
        );
        let mut h = HtmlBuilder::new();
        h.open("figure", &[("class", "huntbook-screenshot")]);
        h.open(
            "img",
            &[
                ("src", &data),
                ("alt", &format!("screenshot of {}", self.url)),
                ("style", "max-width:100%;border:1px solid #ccc"),
            ],
        );
        h.element(
            "figcaption",
            &[],
            &format!(
                "{} ({}×{}, {})",
                self.url, self.width, self.height, self.source
            ),
        );
        h.close("figure");
        h.finish()
    }

    fn to_text(&self) -> String {
        format!(
            "screenshot of {} ({}x{} PNG, {} bytes, {})",
            self.url,
            self.width,
            self.height,
            self.png.len(),
            self.source
        )
    }
}

/// Refangs and checks a URL to capture: http or https only.
fn target_url(url: &str) -> Result<String> {
    let refanged = refang(url.trim());
    let parsed = url::Url::parse(&refanged)
        .map_err(|e| Error::invalid(format!("URL '{url}'"), e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::invalid(
            format!("URL '{url}'"),
            "only http and https pages can be captured",
        ));
    }
    Ok(parsed.to_string())
}

/// Captures pages with a local headless Chromium.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChromiumScreenshot {
    binary: PathBuf,
    width: u32,
    height: u32,
    timeout: Duration,
}

/// Environment variable naming the Chromium binary to use.
pub const CHROMIUM_ENV: &str = "HUNTBOOK_CHROMIUM";

impl Default for ChromiumScreenshot {
    fn default() -> Self {
        Self::new()
    }
}

impl ChromiumScreenshot {
    /// `$HUNTBOOK_CHROMIUM`, else the first of `chromium`,
    /// `chromium-browser`, `google-chrome` on the `PATH`; 1280×800; 30 s.
    pub fn new() -> Self {
        Self {
            binary: default_binary(),
            width: 1280,
            height: 800,
            timeout: Duration::from_secs(30),
        }
    }

    /// Uses this browser binary.
    pub fn binary(mut self, path: impl Into<PathBuf>) -> Self {
        self.binary = path.into();
        self
    }

    /// The browser window (and image) size in pixels.
    pub fn window_size(mut self, width: u32, height: u32) -> Self {
        self.width = width.clamp(16, 8192);
        self.height = height.clamp(16, 8192);
        self
    }

    /// The most time a capture may take; the browser is killed after it.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Whether the browser binary exists.
    pub fn is_available(&self) -> bool {
        self.binary.is_file()
    }

    /// The browser binary used.
    pub fn binary_path(&self) -> &Path {
        &self.binary
    }

    /// Captures `url` (refanged first; http and https only).
    pub fn capture(&self, url: &str) -> Result<Screenshot> {
        let target = target_url(url)?;
        if !self.is_available() {
            return Err(Error::invalid(
                "screenshot browser",
                format!(
                    "'{}' not found: install Debian's chromium or set {CHROMIUM_ENV}",
                    self.binary.display()
                ),
            ));
        }
        let dir = TempDir::new()?;
        let shot = dir.path.join("screenshot.png");
        let log = dir.path.join("chromium.log");
        let log_file = std::fs::File::create(&log).map_err(|e| Error::io("writing", &log, e))?;
        let mut cmd = Command::new(&self.binary);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
            "--mute-audio",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path.join("profile").display()
        ))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("--window-size={},{}", self.width, self.height))
        .arg(&target)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log_file));
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| Error::io("starting", &self.binary, e))?;
        let deadline = Instant::now() + self.timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                Ok(None) => {
                    kill_group(&mut child);
                    return Err(Error::invalid(
                        format!("screenshot of '{target}'"),
                        format!(
                            "the browser did not finish within {} s and was stopped",
                            self.timeout.as_secs_f32()
                        ),
                    ));
                }
                Err(e) => {
                    kill_group(&mut child);
                    return Err(Error::io("waiting for", &self.binary, e));
                }
            }
        };
        // The browser may leave helper processes in its group.
        kill_group(&mut child);
        let png = match std::fs::read(&shot) {
            Ok(png) if png.len() <= MAX_PNG => png,
            Ok(_) => {
                return Err(Error::invalid(
                    format!("screenshot of '{target}'"),
                    "image too large",
                ));
            }
            Err(_) => {
                let tail = std::fs::read_to_string(&log).unwrap_or_default();
                let tail: String = tail.lines().rev().take(5).collect::<Vec<_>>().join(" | ");
                return Err(Error::invalid(
                    format!("screenshot of '{target}'"),
                    format!("the browser exited with {status} and wrote no image ({tail})"),
                ));
            }
        };
        Screenshot::from_png(&target, png, "chromium")
    }
}

fn default_binary() -> PathBuf {
    if let Some(p) = std::env::var_os(CHROMIUM_ENV).filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    PathBuf::from("/usr/bin/chromium")
}

/// Kills the child's process group (the browser and its helpers).
fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        // `--` is essential: procps' kill reads `-KILL -1234` without it as
        // something other than "process group 1234" and signals far more
        // than the browser (it took down the whole notebook kernel here).
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{}", child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A directory removed when dropped.
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn new() -> Result<Self> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path = std::env::temp_dir().join(format!(
            "huntbook-screenshot-{}-{nanos}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).map_err(|e| Error::io("creating", &path, e))?;
        Ok(Self { path })
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The Browshot API endpoint.
pub const BROWSHOT_API: &str = "https://api.browshot.com/api/v1";

/// Captures pages through Browshot's API (what MSTICPy's `screenshot` uses).
#[derive(Clone)]
pub struct BrowshotClient {
    api_key: String,
    base_url: String,
    instance_id: u32,
    poll_interval: Duration,
    max_polls: u32,
    timeout: Duration,
}

impl std::fmt::Debug for BrowshotClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrowshotClient")
            .field("api_key", &"<redacted>")
            .field("base_url", &self.base_url)
            .field("instance_id", &self.instance_id)
            .finish()
    }
}

impl BrowshotClient {
    /// A client with this API key, instance 26 (as MSTICPy), polling every
    /// 2 s up to 60 times, 30 s per request.
    pub fn new(api_key: impl Into<String>) -> Self {
        Self {
            api_key: api_key.into(),
            base_url: BROWSHOT_API.to_string(),
            instance_id: 26,
            poll_interval: Duration::from_secs(2),
            max_polls: 60,
            timeout: Duration::from_secs(30),
        }
    }

    /// Reads the key from an MSTICPy settings file:
    /// `DataProviders.Browshot.Args.AuthKey` (or `Browshot.Args.AuthKey`),
    /// a string or `{EnvironmentVar: NAME}`.
    pub fn from_msticpy_config(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("reading", path, e))?;
        let yaml: serde_yaml::Value = serde_yaml::from_str(&text)
            .map_err(|e| Error::invalid(format!("file '{}'", path.display()), e.to_string()))?;
        let section = yaml
            .get("DataProviders")
            .and_then(|d| d.get("Browshot"))
            .or_else(|| yaml.get("Browshot"));
        let key = section
            .and_then(|s| s.get("Args"))
            .and_then(|a| a.get("AuthKey"));
        let missing = || {
            Error::invalid(
                format!("file '{}'", path.display()),
                "no Browshot key: add DataProviders: Browshot: Args: AuthKey: <key>",
            )
        };
        let key = match key {
            Some(serde_yaml::Value::String(s)) if !s.is_empty() => s.clone(),
            Some(v) => {
                let var = v
                    .get("EnvironmentVar")
                    .and_then(|e| e.as_str())
                    .ok_or_else(missing)?;
                std::env::var(var).map_err(|_| {
                    Error::invalid(
                        format!("file '{}'", path.display()),
                        format!("the Browshot key's environment variable {var} is not set"),
                    )
                })?
            }
            None => return Err(missing()),
        };
        Ok(Self::new(key))
    }

    /// Uses another API endpoint (a proxy, or a test server).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into().trim_end_matches('/').to_string();
        self
    }

    /// How often and how many times to ask whether the screenshot is ready.
    pub fn polling(mut self, interval: Duration, max_polls: u32) -> Self {
        self.poll_interval = interval;
        self.max_polls = max_polls.max(1);
        self
    }

    /// The time allowed for each HTTP request.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    async fn get(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        query: &[(&str, &str)],
    ) -> Result<reqwest::Response> {
        let what = || format!("Browshot request '{endpoint}'");
        let mut q: Vec<(&str, &str)> = query.to_vec();
        q.push(("key", &self.api_key));
        let resp = client
            .get(format!("{}/{endpoint}", self.base_url))
            .query(&q)
            .send()
            .await
            .map_err(|e| Error::invalid(what(), e.without_url().to_string()))?;
        if !resp.status().is_success() {
            return Err(Error::invalid(
                what(),
                format!("HTTP status {}", resp.status()),
            ));
        }
        Ok(resp)
    }

    async fn json(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        query: &[(&str, &str)],
    ) -> Result<serde_json::Value> {
        let resp = self.get(client, endpoint, query).await?;
        let bytes = resp.bytes().await.map_err(|e| {
            Error::invalid(
                format!("Browshot request '{endpoint}'"),
                e.without_url().to_string(),
            )
        })?;
        serde_json::from_slice(&bytes).map_err(|source| Error::Json {
            context: format!("reading Browshot's '{endpoint}' answer"),
            source,
        })
    }

    /// Captures `url` (refanged first; http and https only).
    pub async fn capture_async(&self, url: &str) -> Result<Screenshot> {
        let target = target_url(url)?;
        let client = reqwest::Client::builder()
            .timeout(self.timeout)
            .build()
            .map_err(|e| Error::invalid("the HTTP client", e.to_string()))?;
        let instance = self.instance_id.to_string();
        let created = self
            .json(
                &client,
                "screenshot/create",
                &[
                    ("url", &target),
                    ("instance_id", &instance),
                    ("size", "screen"),
                    ("cache", "0"),
                ],
            )
            .await?;
        let id = match &created["id"] {
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::String(s) => s.clone(),
            _ => {
                let msg = created["error"]
                    .as_str()
                    .unwrap_or("no screenshot id in the answer");
                return Err(Error::invalid(
                    format!("Browshot screenshot of '{target}'"),
                    msg.to_string(),
                ));
            }
        };
        let mut status = created["status"].as_str().unwrap_or("").to_string();
        let mut polls = 0;
        while status != "finished" {
            if status == "error" || polls >= self.max_polls {
                let why = if status == "error" {
                    "Browshot reported an error".to_string()
                } else {
                    format!("not ready after {polls} checks")
                };
                return Err(Error::invalid(
                    format!("Browshot screenshot {id} of '{target}'"),
                    why,
                ));
            }
            tokio::time::sleep(self.poll_interval).await;
            polls += 1;
            let info = self
                .json(&client, "screenshot/info", &[("id", &id)])
                .await?;
            status = info["status"].as_str().unwrap_or("").to_string();
        }
        let resp = self
            .get(
                &client,
                "screenshot/thumbnail",
                &[("id", &id), ("zoom", "50")],
            )
            .await?;
        let png = resp.bytes().await.map_err(|e| {
            Error::invalid(
                "Browshot request 'screenshot/thumbnail'",
                e.without_url().to_string(),
            )
        })?;
        if png.len() > MAX_PNG {
            return Err(Error::invalid(
                format!("Browshot screenshot {id}"),
                "image too large",
            ));
        }
        Screenshot::from_png(&target, png.to_vec(), "browshot")
    }

    /// Blocking [`capture_async`](Self::capture_async), on a runtime made for the call.
    pub fn capture(&self, url: &str) -> Result<Screenshot> {
        crate::session::block_on(self.capture_async(url))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_refanged_and_restricted() {
        assert_eq!(
            target_url("hxxps://evil[.]com/a").unwrap(),
            "https://evil.com/a"
        );
        let e = target_url("file:///etc/passwd").unwrap_err().to_string();
        assert_eq!(
            e,
            "invalid URL 'file:///etc/passwd': only http and https pages can be captured"
        );
        assert!(target_url("not a url").is_err());
    }

    #[test]
    fn png_check() {
        assert!(Screenshot::from_png("u", b"GIF89a".to_vec(), "chromium").is_err());
    }

    #[test]
    fn key_is_redacted() {
        let c = BrowshotClient::new("s3cr3t-key");
        assert!(!format!("{c:?}").contains("s3cr3t"));
    }

    #[test]
    fn missing_browser_is_a_clear_error() {
        let e = ChromiumScreenshot::new()
            .binary("/nonexistent/chromium")
            .capture("http://127.0.0.1/")
            .unwrap_err()
            .to_string();
        assert!(e.contains("'/nonexistent/chromium' not found"), "{e}");
    }
}
