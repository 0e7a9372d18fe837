//! Downloading and refreshing GeoLite2 databases.
//!
//! MaxMind serves each edition as a `.tar.gz` holding a dated folder with
//! the `.mmdb`, a licence and a copyright file, behind HTTP basic
//! authentication with your account id and licence key. [`GeoLiteUpdater`]
//! downloads it when the local database is missing or older than 30 days
//! (by the database's own build date, as MSTICPy), checks the new file in
//! full and only then replaces the old one (written to a temporary file and
//! renamed). Download size, decompressed size and time are bounded. The
//! licence key never appears in Debug output or errors.

use super::{DbKind, MAX_DB_BYTES, db_file_name, reader_from_bytes};
use crate::config::{ArgValue, Secret, Settings};
use crate::error::{Error, Result};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// MaxMind's download address; `{edition}` is replaced by the edition
/// (`GeoLite2-City`, `GeoLite2-ASN`).
pub const DEFAULT_DOWNLOAD_URL: &str =
    "https://download.maxmind.com/geoip/databases/{edition}/download?suffix=tar.gz";

/// The largest archive huntbook downloads.
const MAX_ARCHIVE_BYTES: u64 = 512 << 20;

/// Downloads GeoLite2 databases with an account id and licence key.
#[derive(Clone)]
pub struct GeoLiteUpdater {
    url: String,
    account_id: String,
    license_key: Secret,
    max_age: Duration,
    timeout: Duration,
}

impl std::fmt::Debug for GeoLiteUpdater {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeoLiteUpdater")
            .field("url", &self.url)
            .field("account_id", &self.account_id)
            .field("license_key", &self.license_key)
            .field("max_age_days", &(self.max_age.as_secs() / 86_400))
            .finish()
    }
}

/// What [`GeoLiteUpdater::ensure`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateOutcome {
    /// The database file.
    pub path: PathBuf,
    /// Whether a new copy was downloaded.
    pub downloaded: bool,
    /// What happened, for the analyst.
    pub note: Option<String>,
}

/// `OtherProviders.GeoIPLite.Args.DBFolder`, or MSTICPy's default
/// `~/.msticpy/GeoLite2`.
pub(crate) fn settings_db_folder(settings: &Settings) -> PathBuf {
    settings
        .provider("OtherProviders", "GeoIPLite")
        .and_then(|p| p.arg("DBFolder"))
        .map(|f| crate::config::expand_home(&f))
        .unwrap_or_else(|| crate::config::expand_home("~/.msticpy/GeoLite2"))
}

impl GeoLiteUpdater {
    /// An updater for MaxMind's download address.
    pub fn new(account_id: impl Into<String>, license_key: Secret) -> Self {
        Self {
            url: DEFAULT_DOWNLOAD_URL.to_string(),
            account_id: account_id.into(),
            license_key,
            max_age: Duration::from_secs(30 * 86_400),
            timeout: Duration::from_secs(300),
        }
    }

    /// The updater the settings describe: `OtherProviders.GeoIPLite.Args`
    /// with `AccountID` and `AuthKey` (and optionally `DownloadUrl` with an
    /// `{edition}` placeholder). `None` when the credentials are not set.
    pub fn from_settings(settings: &Settings) -> Result<Option<Self>> {
        let Some(p) = settings.provider("OtherProviders", "GeoIPLite") else {
            return Ok(None);
        };
        let key = match p.args.get("AuthKey") {
            Some(ArgValue::Secret(s)) => s.clone(),
            Some(ArgValue::Value(serde_yaml::Value::String(s))) => Secret::plain(s.clone()),
            _ => return Ok(None),
        };
        let account = match p.args.get("AccountID") {
            Some(ArgValue::Secret(s)) => s.expose()?,
            Some(_) => p.arg("AccountID").unwrap_or_default(),
            None => return Ok(None),
        };
        if account.is_empty() {
            return Ok(None);
        }
        let mut out = Self::new(account, key);
        if let Some(url) = p.arg("DownloadUrl") {
            out = out.url(url);
        }
        Ok(Some(out))
    }

    /// Downloads from this address instead (`{edition}` is replaced).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = url.into();
        self
    }

    /// Refreshes databases older than this (default 30 days).
    pub fn max_age(mut self, age: Duration) -> Self {
        self.max_age = age;
        self
    }

    /// The whole download's time limit (default 5 minutes).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Whether the database at `path` is missing or was built more than the
    /// maximum age before `now`. A file that is not a valid database counts
    /// as missing.
    pub fn is_stale(&self, path: &Path, now: SystemTime) -> bool {
        let Ok(db) =
            super::open_db(path, DbKind::Location).or_else(|_| super::open_db(path, DbKind::Asn))
        else {
            return true;
        };
        let built = SystemTime::UNIX_EPOCH
            .checked_add(Duration::from_secs(db.reader.metadata().build_epoch))
            .unwrap_or(SystemTime::UNIX_EPOCH);
        now.duration_since(built)
            .map(|age| age > self.max_age)
            .unwrap_or(false)
    }

    /// Downloads `edition` into `folder` when its database is missing or
    /// stale at time `now`.
    pub fn ensure(&self, folder: &Path, edition: &str, now: SystemTime) -> Result<UpdateOutcome> {
        let path = folder.join(db_file_name(edition));
        let existed = path.is_file();
        if !self.is_stale(&path, now) {
            return Ok(UpdateOutcome {
                path,
                downloaded: false,
                note: None,
            });
        }
        let path = self.download(folder, edition)?;
        Ok(UpdateOutcome {
            path,
            downloaded: true,
            note: Some(if existed {
                format!(
                    "refreshed {edition} (older than {} days)",
                    self.max_age.as_secs() / 86_400
                )
            } else {
                format!("downloaded {edition}")
            }),
        })
    }

    /// Downloads `edition`'s archive, extracts and verifies its `.mmdb`, and
    /// puts it in `folder` (created when missing). Returns the file's path.
    pub fn download(&self, folder: &Path, edition: &str) -> Result<PathBuf> {
        if edition.is_empty()
            || !edition
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(Error::invalid(
                format!("GeoIP edition '{edition}'"),
                "expected letters, digits and '-' (e.g. GeoLite2-City)",
            ));
        }
        let url = self.url.replace("{edition}", edition);
        let archive = self.fetch(&url)?;
        let mmdb = extract_mmdb(&archive, edition)?;
        let label = format!("downloaded {edition} database");
        let kind = if edition.contains("ASN") {
            DbKind::Asn
        } else {
            DbKind::Location
        };
        // verify in full before the old file is replaced
        reader_from_bytes(mmdb.clone(), kind, &label)?;
        std::fs::create_dir_all(folder).map_err(|e| Error::io("creating", folder, e))?;
        let target = folder.join(db_file_name(edition));
        let tmp = folder.join(format!(".{edition}.mmdb.{}.tmp", std::process::id()));
        std::fs::write(&tmp, &mmdb).map_err(|e| Error::io("writing", &tmp, e))?;
        std::fs::rename(&tmp, &target).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io("replacing", &target, e)
        })?;
        Ok(target)
    }

    fn fetch(&self, url: &str) -> Result<Vec<u8>> {
        let key = self.license_key.expose()?;
        let account = self.account_id.clone();
        let timeout = self.timeout;
        let shown_url = redact(url, &key);
        let fail = |what: String| {
            Error::invalid(
                format!("GeoLite2 download from '{shown_url}'"),
                redact(&what, &key),
            )
        };
        let result = crate::session::block_on(async {
            let client = reqwest::Client::builder()
                .timeout(timeout)
                .build()
                .map_err(|e| e.without_url().to_string())?;
            let mut resp = client
                .get(url)
                .basic_auth(&account, Some(&key))
                .send()
                .await
                .map_err(|e| e.without_url().to_string())?;
            let status = resp.status();
            if status == reqwest::StatusCode::UNAUTHORIZED
                || status == reqwest::StatusCode::FORBIDDEN
            {
                return Err(format!(
                    "the server refused the account id and licence key (HTTP {})",
                    status.as_u16()
                ));
            }
            if !status.is_success() {
                return Err(format!("HTTP {}", status.as_u16()));
            }
            let mut body = Vec::new();
            while let Some(chunk) = resp
                .chunk()
                .await
                .map_err(|e| e.without_url().to_string())?
            {
                if (body.len() + chunk.len()) as u64 > MAX_ARCHIVE_BYTES {
                    return Err(format!(
                        "the archive is larger than {MAX_ARCHIVE_BYTES} bytes"
                    ));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(body)
        })?;
        result.map_err(fail)
    }
}

/// Replaces every occurrence of `secret` in `text` with `********`.
pub(crate) fn redact(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        text.to_string()
    } else {
        text.replace(secret, "********")
    }
}

/// The `.mmdb` of `edition` in a `.tar.gz` as MaxMind serves it
/// (`GeoLite2-City_20240102/GeoLite2-City.mmdb`), with the decompressed
/// size bounded.
pub(crate) fn extract_mmdb(archive: &[u8], edition: &str) -> Result<Vec<u8>> {
    let label = format!("downloaded {edition} archive");
    let gz = flate2::read::GzDecoder::new(archive);
    let mut tar = tar::Archive::new(gz.take(4 * MAX_DB_BYTES));
    let entries = tar
        .entries()
        .map_err(|e| Error::invalid(&label, format!("not a tar.gz archive: {e}")))?;
    let wanted = db_file_name(edition);
    for entry in entries {
        let mut entry =
            entry.map_err(|e| Error::invalid(&label, format!("not a tar.gz archive: {e}")))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry
            .path()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
            .unwrap_or_default();
        if name != wanted {
            continue;
        }
        if entry.size() > MAX_DB_BYTES {
            return Err(Error::invalid(
                &label,
                format!("{wanted} is larger than {MAX_DB_BYTES} bytes"),
            ));
        }
        let mut out = Vec::with_capacity(entry.size() as usize);
        (&mut entry)
            .take(MAX_DB_BYTES)
            .read_to_end(&mut out)
            .map_err(|e| Error::invalid(&label, format!("reading {wanted}: {e}")))?;
        return Ok(out);
    }
    Err(Error::invalid(label, format!("has no {wanted}")))
}
