//! Azure Blob Storage (MSTICPy's `AzureBlobStorage`) over the Storage REST
//! API (`x-ms-version` [`STORAGE_VERSION`]): list containers and blobs
//! (the XML `EnumerationResults`, `NextMarker` pages), read a blob as bytes
//! or as a DataFrame (CSV/JSON/NDJSON/Parquet by extension), upload bytes
//! or a frame (Put Blob, or Put Block + Put Block List above
//! [`BlobStorage::block_bytes`]), delete, create containers, and make
//! service SAS URLs.
//!
//! Authentication: the account key (Shared Key: the documented
//! string-to-sign, HMAC-SHA256), Azure AD bearer tokens (scope
//! [`STORAGE_SCOPE`]) or a SAS token. The key, tokens and SAS signatures
//! never appear in `Debug`, `Display`, errors or HTML.
//!
//! Downloads are streamed in ranged chunks ([`BlobStorage::chunk_bytes`],
//! each checked against the first chunk's ETag) and bounded in memory by
//! [`BlobStorage::max_download_bytes`]; [`BlobStorage::download_to_file`]
//! writes chunk by chunk for blobs larger than that.
//!
//! ```
//! use huntbook::azure::blob::BlobStorage;
//! let store = BlobStorage::with_key("huntdata", "c2VjcmV0LWtleQ==")?;
//! assert!(!format!("{store:?}").contains("c2VjcmV0"));
//! let sas = store.sas_url("logs", "x.csv", "r", chrono::Utc::now() + chrono::Duration::hours(1))?;
//! assert!(sas.to_string().contains("sig=***"));
//! # Ok::<(), huntbook::Error>(())
//! ```

mod sign;
mod xml;

pub use sign::{AccountKey, SasUrl, hmac_sha256, sas_string_to_sign, shared_key_string_to_sign};
use xml::storage_error;
pub use xml::{ListingPage, parse_listing};

use crate::azure::auth::{TokenSource, send_with_token};
use crate::data::FileFormat;
use crate::error::{Error, PolarsContext, Result};
use crate::net::http::{HttpClient, HttpOptions, HttpReply};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};
use polars::prelude::*;
use std::fmt;
use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

/// The Storage REST version huntbook speaks.
pub const STORAGE_VERSION: &str = "2023-11-03";
/// The Azure AD scope for Storage.
pub const STORAGE_SCOPE: &str = "https://storage.azure.com/.default";
/// Default ranged-download chunk (4 MiB).
pub const DEFAULT_CHUNK_BYTES: usize = 4 << 20;
/// Default largest blob read into memory (256 MiB).
pub const DEFAULT_MAX_DOWNLOAD_BYTES: u64 = 256 << 20;
/// Default block size; larger uploads use Put Block + Put Block List (8 MiB).
pub const DEFAULT_BLOCK_BYTES: usize = 8 << 20;
/// Most listing pages followed by default.
pub const DEFAULT_MAX_PAGES: usize = 1000;

/// How requests are authorised.
#[derive(Clone)]
pub enum BlobAuth {
    /// Shared Key with the account key.
    SharedKey(AccountKey),
    /// Azure AD bearer tokens for [`STORAGE_SCOPE`].
    Bearer(Arc<dyn TokenSource>),
    /// A SAS token (the query string, without `?`).
    Sas(String),
}

impl fmt::Debug for BlobAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BlobAuth::SharedKey(_) => f.write_str("SharedKey(***)"),
            BlobAuth::Bearer(t) => write!(f, "Bearer({t:?})"),
            BlobAuth::Sas(_) => f.write_str("Sas(***)"),
        }
    }
}

/// A Blob Storage account.
#[derive(Debug, Clone)]
pub struct BlobStorage {
    http: HttpClient,
    account: String,
    endpoint: String,
    auth: BlobAuth,
    chunk_bytes: usize,
    max_download_bytes: u64,
    block_bytes: usize,
    max_pages: usize,
}

const PATH_SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');
const QUERY_SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn qenc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, QUERY_SET).to_string()
}

fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// One request to sign and send.
struct BlobRequest<'a> {
    method: reqwest::Method,
    /// `/container/blob` (not encoded), or `/` for the account.
    path: String,
    query: Vec<(&'a str, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// A container listing row.
fn container_columns() -> [&'static str; 6] {
    [
        "name",
        "last_modified",
        "etag",
        "lease_status",
        "lease_state",
        "public_access",
    ]
}

fn check(reply: &HttpReply, what: &str) -> Result<()> {
    if reply.is_success() {
        return Ok(());
    }
    let detail = storage_error(&reply.text())
        .or_else(|| reply.header("x-ms-error-code").map(String::from))
        .unwrap_or_else(|| match reply.status {
            404 => "not found".into(),
            409 => "conflict".into(),
            412 => "the blob changed while it was read".into(),
            _ => "request failed".into(),
        });
    let detail: String = detail.chars().take(300).collect();
    Err(Error::Runtime(format!(
        "{what}: HTTP {}: {detail}",
        reply.status
    )))
}

fn check_name(kind: &str, name: &str) -> Result<()> {
    if name.is_empty() || name.len() > 1024 || name.chars().any(|c| c.is_control()) {
        return Err(Error::invalid(
            format!("{kind} name '{}'", name.escape_debug()),
            "must be 1 to 1024 characters without control characters",
        ));
    }
    if kind == "container" && name.contains('/') {
        return Err(Error::invalid(
            format!("container name '{name}'"),
            "must not contain '/'",
        ));
    }
    Ok(())
}

fn frame_from_bytes(bytes: Vec<u8>, format: FileFormat, what: &str) -> Result<DataFrame> {
    let cur = Cursor::new(bytes);
    match format {
        FileFormat::Csv => CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(10_000))
            .map_parse_options(|o| o.with_try_parse_dates(true))
            .into_reader_with_file_handle(cur)
            .finish()
            .ctx(what),
        FileFormat::Json => JsonReader::new(cur)
            .with_json_format(JsonFormat::Json)
            .finish()
            .ctx(what),
        FileFormat::Ndjson => JsonReader::new(cur)
            .with_json_format(JsonFormat::JsonLines)
            .finish()
            .ctx(what),
        FileFormat::Parquet => ParquetReader::new(cur).finish().ctx(what),
    }
}

impl BlobStorage {
    fn build(account: &str, auth: BlobAuth) -> Result<Self> {
        let ok = !account.is_empty()
            && account.len() <= 64
            && account
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if !ok {
            return Err(Error::invalid(
                format!("storage account name '{account}'"),
                "must be lower-case letters and digits",
            ));
        }
        Ok(Self {
            http: HttpClient::with_options(HttpOptions::default())?,
            account: account.to_string(),
            endpoint: format!("https://{account}.blob.core.windows.net"),
            auth,
            chunk_bytes: DEFAULT_CHUNK_BYTES,
            max_download_bytes: DEFAULT_MAX_DOWNLOAD_BYTES,
            block_bytes: DEFAULT_BLOCK_BYTES,
            max_pages: DEFAULT_MAX_PAGES,
        })
    }

    /// An account with Shared Key authorisation (the base64 account key).
    pub fn with_key(account: &str, key_base64: &str) -> Result<Self> {
        Self::build(
            account,
            BlobAuth::SharedKey(AccountKey::from_base64(key_base64)?),
        )
    }

    /// An account with Azure AD tokens (the identity needs a Storage Blob
    /// Data role on the account).
    pub fn with_token(account: &str, tokens: Arc<dyn TokenSource>) -> Result<Self> {
        Self::build(account, BlobAuth::Bearer(tokens))
    }

    /// An account with a SAS token (`sv=…&sig=…`, with or without `?`).
    pub fn with_sas(account: &str, sas: &str) -> Result<Self> {
        Self::build(
            account,
            BlobAuth::Sas(sas.trim_start_matches('?').to_string()),
        )
    }

    /// The account in `OtherProviders.AzureBlobStorage.Args` (or
    /// `account` when given): `AccountName`; `AccountKey` (best as
    /// `{EnvironmentVar: NAME}`) for Shared Key, else `SasToken`, else the
    /// Azure AD credential of the settings; `Endpoint` to override
    /// `https://{account}.blob.{storage suffix of Azure.cloud}`.
    pub fn from_settings(
        settings: &crate::config::Settings,
        account: Option<&str>,
    ) -> Result<Self> {
        use crate::config::ArgValue;
        let entry = settings.provider("OtherProviders", "AzureBlobStorage");
        let name = account
            .map(String::from)
            .or_else(|| entry.as_ref().and_then(|e| e.arg("AccountName")))
            .ok_or_else(|| {
                Error::invalid(
                    "Blob Storage settings",
                    "no account: give one, or set OtherProviders.AzureBlobStorage.Args.AccountName",
                )
            })?;
        let value = |key: &str| -> Result<Option<String>> {
            match entry.as_ref().and_then(|e| e.args.get(key)) {
                Some(ArgValue::Secret(s)) => s.expose().map(Some),
                Some(ArgValue::Value(serde_yaml::Value::String(v))) => Ok(Some(v.clone())),
                _ => Ok(None),
            }
        };
        let cloud = crate::azure::cloud::AzureCloud::from_settings(settings)?;
        let mut store = if let Some(key) = value("AccountKey")? {
            Self::with_key(&name, &key)?
        } else if let Some(sas) = value("SasToken")? {
            Self::with_sas(&name, &sas)?
        } else {
            Self::with_token(
                &name,
                crate::azure::credential::credential_from_settings(settings)?,
            )?
        };
        let endpoint = entry
            .as_ref()
            .and_then(|e| e.arg("Endpoint"))
            .unwrap_or_else(|| format!("https://{name}.blob.{}", cloud.storage_suffix()));
        store = store.endpoint(&endpoint)?;
        Ok(store)
    }

    /// Uses another endpoint: a national cloud
    /// (`https://{account}.blob.core.usgovcloudapi.net`), a private
    /// endpoint, or a path-style emulator URL (`http://127.0.0.1:10000/{account}`).
    pub fn endpoint(mut self, url: &str) -> Result<Self> {
        let u = url::Url::parse(url).map_err(|e| Error::invalid("Blob endpoint", e.to_string()))?;
        if !matches!(u.scheme(), "http" | "https") {
            return Err(Error::invalid("Blob endpoint", "must be an http(s) URL"));
        }
        self.endpoint = url.trim_end_matches('/').to_string();
        Ok(self)
    }

    /// Uses this HTTP client (timeouts, retries, clock).
    pub fn http(mut self, http: HttpClient) -> Self {
        self.http = http;
        self
    }

    /// Ranged-download chunk size (default [`DEFAULT_CHUNK_BYTES`]; at
    /// least 1 KiB; keep it below the HTTP client's body limit).
    pub fn chunk_bytes(mut self, n: usize) -> Self {
        self.chunk_bytes = n.max(1024);
        self
    }

    /// Largest blob read into memory (default [`DEFAULT_MAX_DOWNLOAD_BYTES`]).
    pub fn max_download_bytes(mut self, n: u64) -> Self {
        self.max_download_bytes = n;
        self
    }

    /// Uploads larger than this use blocks of this size (default
    /// [`DEFAULT_BLOCK_BYTES`]; at least 1 KiB).
    pub fn block_bytes(mut self, n: usize) -> Self {
        self.block_bytes = n.max(1024);
        self
    }

    /// Most listing pages followed (default [`DEFAULT_MAX_PAGES`]).
    pub fn max_pages(mut self, n: usize) -> Self {
        self.max_pages = n.max(1);
        self
    }

    /// The account name.
    pub fn account(&self) -> &str {
        &self.account
    }

    fn blob_path(container: &str, blob: Option<&str>) -> Result<String> {
        check_name("container", container)?;
        Ok(match blob {
            Some(b) => {
                check_name("blob", b)?;
                format!("/{container}/{b}")
            }
            None => format!("/{container}"),
        })
    }

    async fn send(&self, req: BlobRequest<'_>, what: &str) -> Result<HttpReply> {
        let base = url::Url::parse(&self.endpoint)
            .map_err(|e| Error::invalid("Blob endpoint", e.to_string()))?;
        let base_path = base.path().trim_end_matches('/').to_string();
        let enc_path = format!(
            "{base_path}{}",
            percent_encoding::utf8_percent_encode(&req.path, PATH_SET)
        );
        let mut qs: Vec<String> = req
            .query
            .iter()
            .map(|(k, v)| format!("{k}={}", qenc(v)))
            .collect();
        if let BlobAuth::Sas(t) = &self.auth {
            qs.push(t.clone());
        }
        let origin = base.origin().ascii_serialization();
        let url = if qs.is_empty() {
            format!("{origin}{enc_path}")
        } else {
            format!("{origin}{enc_path}?{}", qs.join("&"))
        };
        let mut headers = req.headers;
        headers.push(("x-ms-date".into(), http_date(Utc::now())));
        headers.push(("x-ms-version".into(), STORAGE_VERSION.into()));
        let needs_length = matches!(req.method, reqwest::Method::PUT | reqwest::Method::POST);
        if needs_length {
            headers.push(("Content-Length".into(), req.body.len().to_string()));
        }
        let body = req.body;
        let method = req.method;
        let build = |c: &reqwest::Client, hs: &[(String, String)]| {
            let mut r = c.request(method.clone(), url.as_str());
            for (k, v) in hs {
                if !k.eq_ignore_ascii_case("content-length") {
                    r = r.header(k.as_str(), v.as_str());
                }
            }
            if needs_length {
                r = r.body(body.clone());
            }
            r
        };
        match &self.auth {
            BlobAuth::SharedKey(key) => {
                let q: Vec<(&str, &str)> =
                    req.query.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let h: Vec<(&str, &str)> = headers
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let sts =
                    shared_key_string_to_sign(method.as_str(), &self.account, &enc_path, &q, &h);
                let auth = format!("SharedKey {}:{}", self.account, key.sign(&sts));
                let mut hs = headers.clone();
                hs.push(("Authorization".into(), auth));
                self.http
                    .send(|c| build(c, &hs))
                    .await
                    .map_err(|f| Error::Runtime(format!("{what}: {f}")))
            }
            BlobAuth::Sas(_) => self
                .http
                .send(|c| build(c, &headers))
                .await
                .map_err(|f| Error::Runtime(format!("{what}: {f}"))),
            BlobAuth::Bearer(tokens) => {
                send_with_token(&self.http, tokens.as_ref(), STORAGE_SCOPE, what, |c| {
                    build(c, &headers)
                })
                .await
            }
        }
    }

    async fn list_pages(
        &self,
        path: String,
        base_query: Vec<(&'static str, String)>,
        item_tag: &str,
        what: &str,
    ) -> Result<ListingPage> {
        let mut all = ListingPage::default();
        let mut marker: Option<String> = None;
        for _ in 0..self.max_pages {
            let mut query = base_query.clone();
            if let Some(m) = &marker {
                query.push(("marker", m.clone()));
            }
            let reply = self
                .send(
                    BlobRequest {
                        method: reqwest::Method::GET,
                        path: path.clone(),
                        query,
                        headers: vec![],
                        body: vec![],
                    },
                    what,
                )
                .await?;
            check(&reply, what)?;
            let page = parse_listing(&reply.text(), item_tag)
                .map_err(|e| Error::Runtime(format!("{what}: {e}")))?;
            all.items.extend(page.items);
            all.prefixes.extend(page.prefixes);
            match page.next_marker {
                Some(m) => marker = Some(m),
                None => return Ok(all),
            }
        }
        Err(Error::Runtime(format!(
            "{what}: more than {} pages (raise BlobStorage::max_pages or use a prefix)",
            self.max_pages
        )))
    }

    /// Containers: `name`, `last_modified`, `etag`, `lease_status`,
    /// `lease_state`, `public_access`.
    pub async fn list_containers_async(&self, prefix: Option<&str>) -> Result<DataFrame> {
        let mut q = vec![("comp", "list".to_string())];
        if let Some(p) = prefix {
            q.push(("prefix", p.to_string()));
        }
        let page = self
            .list_pages("/".into(), q, "Container", "listing blob containers")
            .await?;
        let keys = [
            "Name",
            "Last-Modified",
            "Etag",
            "LeaseStatus",
            "LeaseState",
            "PublicAccess",
        ];
        let cols = container_columns()
            .iter()
            .zip(keys)
            .map(|(c, k)| {
                Column::new(
                    (*c).into(),
                    page.items
                        .iter()
                        .map(|i| i.get(k).cloned())
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        DataFrame::new(page.items.len(), cols).ctx("building the containers frame")
    }

    /// Blocking [`Self::list_containers_async`].
    pub fn list_containers(&self, prefix: Option<&str>) -> Result<DataFrame> {
        crate::session::block_on(self.list_containers_async(prefix))?
    }

    /// Blobs of a container (every page): `name`, `container`,
    /// `blob_type`, `size`, `content_type`, `content_md5`,
    /// `creation_time`, `last_modified`, `etag`, `access_tier`.
    pub async fn list_blobs_async(
        &self,
        container: &str,
        prefix: Option<&str>,
    ) -> Result<DataFrame> {
        let path = Self::blob_path(container, None)?;
        let mut q = vec![
            ("restype", "container".to_string()),
            ("comp", "list".to_string()),
        ];
        if let Some(p) = prefix {
            q.push(("prefix", p.to_string()));
        }
        let page = self
            .list_pages(
                path,
                q,
                "Blob",
                &format!("listing blobs of container '{container}'"),
            )
            .await?;
        let n = page.items.len();
        let col = |c: &str, k: &str| {
            Column::new(
                c.into(),
                page.items
                    .iter()
                    .map(|i| i.get(k).cloned())
                    .collect::<Vec<_>>(),
            )
        };
        DataFrame::new(
            n,
            vec![
                col("name", "Name"),
                Column::new("container".into(), vec![container.to_string(); n]),
                col("blob_type", "BlobType"),
                Column::new(
                    "size".into(),
                    page.items
                        .iter()
                        .map(|i| i.get("Content-Length").and_then(|s| s.parse::<i64>().ok()))
                        .collect::<Vec<_>>(),
                ),
                col("content_type", "Content-Type"),
                col("content_md5", "Content-MD5"),
                col("creation_time", "Creation-Time"),
                col("last_modified", "Last-Modified"),
                col("etag", "Etag"),
                col("access_tier", "AccessTier"),
            ],
        )
        .ctx("building the blobs frame")
    }

    /// Blocking [`Self::list_blobs_async`].
    pub fn list_blobs(&self, container: &str, prefix: Option<&str>) -> Result<DataFrame> {
        crate::session::block_on(self.list_blobs_async(container, prefix))?
    }

    /// Reads a blob in ranged chunks, calling `sink` with each; returns the
    /// total size. Chunks after the first must match its ETag (a blob
    /// rewritten mid-download fails with HTTP 412 rather than mixing
    /// versions); `limit` bounds the size.
    async fn stream(
        &self,
        container: &str,
        blob: &str,
        limit: Option<u64>,
        sink: &mut dyn FnMut(&[u8]) -> Result<()>,
    ) -> Result<u64> {
        let path = Self::blob_path(container, Some(blob))?;
        let what = format!("reading blob '{container}/{blob}'");
        let mut offset: u64 = 0;
        let mut total: Option<u64> = None;
        let mut etag: Option<String> = None;
        loop {
            let end = offset + self.chunk_bytes as u64 - 1;
            let mut headers = vec![("x-ms-range".to_string(), format!("bytes={offset}-{end}"))];
            if let Some(e) = &etag {
                headers.push(("If-Match".into(), e.clone()));
            }
            let reply = self
                .send(
                    BlobRequest {
                        method: reqwest::Method::GET,
                        path: path.clone(),
                        query: vec![],
                        headers,
                        body: vec![],
                    },
                    &what,
                )
                .await?;
            if reply.status == 416 && offset == 0 {
                // A ranged read of an empty blob: nothing to read.
                return Ok(0);
            }
            check(&reply, &what)?;
            if etag.is_none() {
                etag = reply.header("etag").map(String::from);
            }
            let size = if reply.status == 206 {
                reply
                    .header("content-range")
                    .and_then(|r| r.rsplit('/').next())
                    .and_then(|t| t.trim().parse::<u64>().ok())
                    .ok_or_else(|| {
                        Error::Runtime(format!("{what}: a ranged answer without Content-Range"))
                    })?
            } else {
                // 200: the server sent the whole blob.
                offset + reply.bytes.len() as u64
            };
            if let Some(max) = limit.filter(|m| size > *m) {
                return Err(Error::Runtime(format!(
                    "{what}: the blob is {size} bytes, more than the limit of {max} (raise BlobStorage::max_download_bytes or use download_to_file)"
                )));
            }
            if total.is_some_and(|t| t != size) {
                return Err(Error::Runtime(format!(
                    "{what}: the blob's size changed while it was read"
                )));
            }
            total = Some(size);
            if reply.bytes.is_empty() && offset < size {
                return Err(Error::Runtime(format!(
                    "{what}: an empty chunk at byte {offset} of {size}"
                )));
            }
            sink(&reply.bytes)?;
            offset += reply.bytes.len() as u64;
            if reply.status != 206 || offset >= size {
                return Ok(offset);
            }
        }
    }

    /// A blob's bytes (at most [`Self::max_download_bytes`]).
    pub async fn get_blob_async(&self, container: &str, blob: &str) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.stream(container, blob, Some(self.max_download_bytes), &mut |c| {
            out.extend_from_slice(c);
            Ok(())
        })
        .await?;
        Ok(out)
    }

    /// Blocking [`Self::get_blob_async`].
    pub fn get_blob(&self, container: &str, blob: &str) -> Result<Vec<u8>> {
        crate::session::block_on(self.get_blob_async(container, blob))?
    }

    /// Streams a blob to a file, chunk by chunk (no memory bound needed);
    /// returns the bytes written.
    pub async fn download_to_file_async(
        &self,
        container: &str,
        blob: &str,
        path: &Path,
    ) -> Result<u64> {
        use std::io::Write;
        let file = std::fs::File::create(path).map_err(|e| Error::io("writing", path, e))?;
        let mut w = std::io::BufWriter::new(file);
        let n = self
            .stream(container, blob, None, &mut |c| {
                w.write_all(c).map_err(|e| Error::io("writing", path, e))
            })
            .await?;
        w.flush().map_err(|e| Error::io("writing", path, e))?;
        Ok(n)
    }

    /// Blocking [`Self::download_to_file_async`].
    pub fn download_to_file(&self, container: &str, blob: &str, path: &Path) -> Result<u64> {
        crate::session::block_on(self.download_to_file_async(container, blob, path))?
    }

    /// A blob read as a frame, by its extension (`.csv`, `.json`,
    /// `.ndjson`/`.jsonl`, `.parquet`).
    pub async fn read_frame_async(&self, container: &str, blob: &str) -> Result<DataFrame> {
        let format = FileFormat::from_path(Path::new(blob))?;
        let bytes = self.get_blob_async(container, blob).await?;
        frame_from_bytes(bytes, format, &format!("reading blob '{container}/{blob}'"))
    }

    /// Blocking [`Self::read_frame_async`].
    pub fn read_frame(&self, container: &str, blob: &str) -> Result<DataFrame> {
        crate::session::block_on(self.read_frame_async(container, blob))?
    }

    /// Uploads bytes as a block blob (replacing any blob of that name):
    /// one Put Blob up to [`Self::block_bytes`], else Put Block for each
    /// block and Put Block List.
    pub async fn put_blob_async(&self, container: &str, blob: &str, data: &[u8]) -> Result<()> {
        let path = Self::blob_path(container, Some(blob))?;
        let what = format!("uploading blob '{container}/{blob}'");
        if data.len() <= self.block_bytes {
            let reply = self
                .send(
                    BlobRequest {
                        method: reqwest::Method::PUT,
                        path,
                        query: vec![],
                        headers: vec![
                            ("Content-Type".into(), "application/octet-stream".into()),
                            ("x-ms-blob-type".into(), "BlockBlob".into()),
                        ],
                        body: data.to_vec(),
                    },
                    &what,
                )
                .await?;
            return check(&reply, &what);
        }
        let mut ids = Vec::new();
        for (i, chunk) in data.chunks(self.block_bytes).enumerate() {
            let id = B64.encode(format!("block-{i:08}"));
            let reply = self
                .send(
                    BlobRequest {
                        method: reqwest::Method::PUT,
                        path: path.clone(),
                        query: vec![("comp", "block".into()), ("blockid", id.clone())],
                        headers: vec![("Content-Type".into(), "application/octet-stream".into())],
                        body: chunk.to_vec(),
                    },
                    &what,
                )
                .await?;
            check(&reply, &what)?;
            ids.push(id);
        }
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
        for id in &ids {
            xml.push_str("<Latest>");
            xml.push_str(id); // base64: no XML special characters
            xml.push_str("</Latest>");
        }
        xml.push_str("</BlockList>");
        let reply = self
            .send(
                BlobRequest {
                    method: reqwest::Method::PUT,
                    path,
                    query: vec![("comp", "blocklist".into())],
                    headers: vec![("Content-Type".into(), "application/xml".into())],
                    body: xml.into_bytes(),
                },
                &what,
            )
            .await?;
        check(&reply, &what)
    }

    /// Blocking [`Self::put_blob_async`].
    pub fn put_blob(&self, container: &str, blob: &str, data: &[u8]) -> Result<()> {
        crate::session::block_on(self.put_blob_async(container, blob, data))?
    }

    /// Uploads a frame in the format of the blob name's extension.
    pub async fn put_frame_async(&self, container: &str, blob: &str, df: &DataFrame) -> Result<()> {
        let format = FileFormat::from_path(Path::new(blob))?;
        let mut buf = Vec::new();
        let mut df = df.clone();
        crate::data::write_frame(&mut df, format, &mut buf)?;
        self.put_blob_async(container, blob, &buf).await
    }

    /// Blocking [`Self::put_frame_async`].
    pub fn put_frame(&self, container: &str, blob: &str, df: &DataFrame) -> Result<()> {
        crate::session::block_on(self.put_frame_async(container, blob, df))?
    }

    /// Deletes a blob (and its snapshots).
    pub async fn delete_blob_async(&self, container: &str, blob: &str) -> Result<()> {
        let what = format!("deleting blob '{container}/{blob}'");
        let reply = self
            .send(
                BlobRequest {
                    method: reqwest::Method::DELETE,
                    path: Self::blob_path(container, Some(blob))?,
                    query: vec![],
                    headers: vec![("x-ms-delete-snapshots".into(), "include".into())],
                    body: vec![],
                },
                &what,
            )
            .await?;
        check(&reply, &what)
    }

    /// Blocking [`Self::delete_blob_async`].
    pub fn delete_blob(&self, container: &str, blob: &str) -> Result<()> {
        crate::session::block_on(self.delete_blob_async(container, blob))?
    }

    /// Creates a container (private); an existing one is not an error.
    pub async fn create_container_async(&self, container: &str) -> Result<()> {
        let what = format!("creating container '{container}'");
        let reply = self
            .send(
                BlobRequest {
                    method: reqwest::Method::PUT,
                    path: Self::blob_path(container, None)?,
                    query: vec![("restype", "container".into())],
                    headers: vec![],
                    body: vec![],
                },
                &what,
            )
            .await?;
        if reply.status == 409 {
            return Ok(());
        }
        check(&reply, &what)
    }

    /// Blocking [`Self::create_container_async`].
    pub fn create_container(&self, container: &str) -> Result<()> {
        crate::session::block_on(self.create_container_async(container))?
    }

    /// A service SAS URL for a blob, signed with the account key:
    /// `permissions` from `racwdxyltmeop` (read, add, create, write,
    /// delete, …), valid until `expiry`, HTTPS only (HTTP too when the
    /// endpoint is HTTP, e.g. an emulator).
    pub fn sas_url(
        &self,
        container: &str,
        blob: &str,
        permissions: &str,
        expiry: DateTime<Utc>,
    ) -> Result<SasUrl> {
        let BlobAuth::SharedKey(key) = &self.auth else {
            return Err(Error::invalid(
                "SAS URL",
                "a service SAS needs the account key (BlobStorage::with_key)",
            ));
        };
        Self::blob_path(container, Some(blob))?;
        const ORDER: &str = "racwdxyltmeop";
        if permissions.is_empty() || permissions.chars().any(|c| !ORDER.contains(c)) {
            return Err(Error::invalid(
                format!("SAS permissions '{permissions}'"),
                format!("use letters from '{ORDER}'"),
            ));
        }
        if expiry <= Utc::now() {
            return Err(Error::invalid("SAS expiry", "is in the past"));
        }
        let sp: String = ORDER.chars().filter(|c| permissions.contains(*c)).collect();
        let se = expiry.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let spr = if self.endpoint.starts_with("https://") {
            "https"
        } else {
            "https,http"
        };
        let sts = sas_string_to_sign(&sp, "", &se, &self.account, container, blob, spr);
        let sig = key.sign(&sts);
        let base = url::Url::parse(&self.endpoint)
            .map_err(|e| Error::invalid("Blob endpoint", e.to_string()))?;
        let path = format!(
            "{}{}",
            base.path().trim_end_matches('/'),
            percent_encoding::utf8_percent_encode(&format!("/{container}/{blob}"), PATH_SET)
        );
        Ok(SasUrl::new(format!(
            "{}{path}?sv={STORAGE_VERSION}&spr={}&se={}&sr=b&sp={sp}&sig={}",
            base.origin().ascii_serialization(),
            qenc(spr),
            qenc(&se),
            qenc(&sig)
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_long_key() {
        // RFC 4231 test case 6: a 131-byte key.
        let key = [0xaau8; 131];
        let mac = hmac_sha256(
            &key,
            b"Test Using Larger Than Block-Size Key - Hash Key First",
        );
        assert_eq!(
            hex::encode(mac),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn string_to_sign_layout() {
        let s = shared_key_string_to_sign(
            "GET",
            "acct",
            "/c/b%20x",
            &[("comp", "list"), ("restype", "container")],
            &[
                ("x-ms-version", "2023-11-03"),
                ("x-ms-date", "Mon, 01 Jan 2024 00:00:00 GMT"),
                ("Content-Length", "0"),
                ("x-ms-range", "bytes=0-9"),
            ],
        );
        assert_eq!(
            s,
            "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Mon, 01 Jan 2024 00:00:00 GMT\nx-ms-range:bytes=0-9\nx-ms-version:2023-11-03\n/acct/c/b%20x\ncomp:list\nrestype:container"
        );
    }

    #[test]
    fn listing_errors() {
        assert!(parse_listing("<Error><Code>x</Code></Error>", "Blob").is_err());
        assert!(parse_listing("<EnumerationResults><Blobs><Blob>", "Blob").is_err());
        let e = parse_listing("not xml <<", "Blob").unwrap_err().to_string();
        assert!(e.starts_with("invalid Blob listing XML: at byte"), "{e}");
    }

    #[test]
    fn error_body_skips_auth_detail() {
        let body = "<?xml version=\"1.0\"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request.\nRequestId:1</Message><AuthenticationErrorDetail>The MAC signature found in the HTTP request 'SECRETSIG' is not the same</AuthenticationErrorDetail></Error>";
        assert_eq!(
            storage_error(body).unwrap(),
            "AuthenticationFailed: Server failed to authenticate the request."
        );
    }
}
