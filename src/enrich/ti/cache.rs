//! The on-disk cache of online lookups: one small JSON file per
//! provider + IoC type + IoC + sub-query, named by the SHA-256 of that key,
//! under a cache folder (`~/.cache/huntbook/ti` by default), with a TTL.
//! Only successful answers are kept; a cached row says so (`Cached` true).

use super::result::{LookupResult, LookupStatus};
use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Largest cache file read (a bigger one is ignored).
const MAX_ENTRY_BYTES: u64 = 32 << 20;

/// An on-disk cache of lookup results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TiCache {
    dir: PathBuf,
    ttl: Duration,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Entry {
    stored: u64,
    result: LookupResult,
}

/// The default folder: `$XDG_CACHE_HOME/huntbook/ti`, else
/// `~/.cache/huntbook/ti`, else `huntbook-ti-cache` in the temp folder.
pub fn default_cache_dir() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(x).join("huntbook").join("ti");
    }
    match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        Some(h) => PathBuf::from(h).join(".cache").join("huntbook").join("ti"),
        None => std::env::temp_dir().join("huntbook-ti-cache"),
    }
}

fn secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl TiCache {
    /// A cache in `dir` keeping entries for `ttl` (the folder is made on
    /// first write).
    pub fn new(dir: impl Into<PathBuf>, ttl: Duration) -> Self {
        Self {
            dir: dir.into(),
            ttl,
        }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The time to live.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The key's file.
    pub fn path_for(
        &self,
        provider: &str,
        ioc_type: &str,
        ioc: &str,
        sub: Option<&str>,
    ) -> PathBuf {
        let mut h = Sha256::new();
        for part in [provider, ioc_type, ioc, sub.unwrap_or("")] {
            h.update(part.as_bytes());
            h.update([0u8]);
        }
        let safe: String = provider
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        self.dir
            .join(safe)
            .join(format!("{}.json", hex::encode(h.finalize())))
    }

    /// A fresh entry, marked `cached`, as of `now`.
    pub fn get_at(
        &self,
        provider: &str,
        ioc_type: &str,
        ioc: &str,
        sub: Option<&str>,
        now: SystemTime,
    ) -> Option<LookupResult> {
        let path = self.path_for(provider, ioc_type, ioc, sub);
        let meta = std::fs::metadata(&path).ok()?;
        if meta.len() > MAX_ENTRY_BYTES {
            return None;
        }
        let text = std::fs::read_to_string(&path).ok()?;
        let entry: Entry = serde_json::from_str(&text).ok()?;
        if secs(now).saturating_sub(entry.stored) >= self.ttl.as_secs() {
            return None;
        }
        let mut r = entry.result;
        // A hash collision or a hand-edited file must not answer for another IoC.
        if r.provider != provider || r.ioc != ioc || r.ioc_type != ioc_type {
            return None;
        }
        r.cached = true;
        Some(r)
    }

    /// A fresh entry now.
    pub fn get(
        &self,
        provider: &str,
        ioc_type: &str,
        ioc: &str,
        sub: Option<&str>,
    ) -> Option<LookupResult> {
        self.get_at(provider, ioc_type, ioc, sub, SystemTime::now())
    }

    /// Stores a successful result as of `now` (failed lookups are not kept).
    pub fn put_at(&self, result: &LookupResult, now: SystemTime) -> Result<()> {
        if result.status != LookupStatus::Ok {
            return Ok(());
        }
        let path = self.path_for(
            &result.provider,
            &result.ioc_type,
            &result.ioc,
            result.query_subtype.as_deref(),
        );
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("creating", parent, e))?;
        }
        let mut stored = result.clone();
        stored.cached = false;
        let text = serde_json::to_string(&Entry {
            stored: secs(now),
            result: stored,
        })
        .map_err(|e| Error::Json {
            context: "writing a cache entry".into(),
            source: e,
        })?;
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, text).map_err(|e| Error::io("writing", &tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| Error::io("writing", &path, e))
    }

    /// Stores a result now.
    pub fn put(&self, result: &LookupResult) -> Result<()> {
        self.put_at(result, SystemTime::now())
    }

    /// Removes every entry.
    pub fn clear(&self) -> Result<()> {
        match std::fs::remove_dir_all(&self.dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io("removing", &self.dir, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::ti::item::TiItem;
    use crate::transform::ioc::IocType;

    #[test]
    fn ttl_and_failures() {
        let dir = std::env::temp_dir().join(format!("hb-ti-cache-unit-{}", std::process::id()));
        let c = TiCache::new(&dir, Duration::from_secs(100));
        c.clear().unwrap();
        let item = TiItem::new("8.8.8.8", IocType::Ipv4);
        let ok = LookupResult::new(&item, "P");
        let t0 = UNIX_EPOCH + Duration::from_secs(1_000_000);
        c.put_at(&ok, t0).unwrap();
        let hit = c
            .get_at("P", "ipv4", "8.8.8.8", None, t0 + Duration::from_secs(99))
            .unwrap();
        assert!(hit.cached);
        assert!(
            c.get_at("P", "ipv4", "8.8.8.8", None, t0 + Duration::from_secs(100))
                .is_none()
        );
        assert!(c.get_at("P", "ipv4", "8.8.8.8", Some("x"), t0).is_none());
        let bad = LookupResult::failed(
            &TiItem::new("1.1.1.1", IocType::Ipv4),
            "P",
            LookupStatus::QueryFailed,
            "x",
        );
        c.put_at(&bad, t0).unwrap();
        assert!(c.get_at("P", "ipv4", "1.1.1.1", None, t0).is_none());
        c.clear().unwrap();
    }
}
