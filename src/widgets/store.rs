//! Where widget values live between cells: one JSON file per widget in a
//! per-kernel folder that only the user can read (`0700`, files `0600`).
//!
//! The browser cannot reach a Rust value, and every evcxr cell links its own
//! copy of huntbook (no shared statics), so a widget's value is a small file
//! keyed by the kernel and the widget id. The widget's JavaScript sends the
//! value to the kernel as a silent `execute_request` whose code is one call
//! to [`receive`], with the value hex-encoded so no value can become code.
//!
//! ```
//! use huntbook::widgets::store::{decode_hex, encode_hex};
//! assert_eq!(encode_hex("é\"}"), "c3a9227d");
//! assert_eq!(decode_hex("c3a9227d").unwrap(), "é\"}");
//! ```

use crate::error::{Error, Result};
use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The largest value a widget may store (JSON bytes); larger values are
/// rejected, so a hostile page cannot fill the disk or the kernel's memory.
pub const MAX_VALUE_BYTES: usize = 256 * 1024;

/// Environment variable naming the folder for widget state (overrides the
/// default under `$XDG_RUNTIME_DIR` or `~/.cache`).
pub const STATE_DIR_ENV: &str = "HUNTBOOK_WIDGET_DIR";

/// Environment variable holding the Jupyter kernel id, exported by
/// `scripts/evcxr-kernel` from the connection file name.
pub const KERNEL_ID_ENV: &str = "HUNTBOOK_KERNEL_ID";

/// The kernel this process serves, as far as it can be detected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelInfo {
    /// The Jupyter kernel id (from [`KERNEL_ID_ENV`] or the connection file
    /// name on the kernel's command line); `None` outside Jupyter.
    pub kernel_id: Option<String>,
    /// The key of this kernel's state folder: the kernel id, else `pid-<n>`.
    pub state_key: String,
}

impl KernelInfo {
    /// Detects the kernel: [`KERNEL_ID_ENV`], else a `kernel-<id>.json`
    /// connection file on this process's or its parent's command line.
    pub fn detect() -> Self {
        let kernel_id = std::env::var(KERNEL_ID_ENV)
            .ok()
            .filter(|id| valid_kernel_id(id))
            .or_else(kernel_id_from_cmdlines);
        let state_key = kernel_id
            .clone()
            .unwrap_or_else(|| format!("pid-{}", std::process::id()));
        Self {
            kernel_id,
            state_key,
        }
    }
}

/// Whether `id` looks like a Jupyter kernel id (letters, digits, `-`; 1–64).
pub fn valid_kernel_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Whether `id` is a valid widget id: lower-case letters, digits and `-`,
/// 1–64 characters (it names a file and is written into JavaScript).
pub fn valid_widget_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The kernel id inside a connection-file path (`.../kernel-<id>.json`).
pub fn kernel_id_from_connection_file(path: &str) -> Option<String> {
    let name = path.rsplit('/').next()?;
    let id = name.strip_prefix("kernel-")?.strip_suffix(".json")?;
    valid_kernel_id(id).then(|| id.to_string())
}

fn kernel_id_from_cmdline(pid: &str) -> Option<String> {
    let raw = fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    raw.split(|b| *b == 0)
        .filter_map(|arg| std::str::from_utf8(arg).ok())
        .find_map(kernel_id_from_connection_file)
}

fn parent_pid() -> Option<String> {
    let stat = fs::read_to_string("/proc/self/stat").ok()?;
    // Field 4, after the command name in parentheses (which may hold spaces).
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1).map(str::to_string)
}

fn kernel_id_from_cmdlines() -> Option<String> {
    kernel_id_from_cmdline("self").or_else(|| kernel_id_from_cmdline(&parent_pid()?))
}

/// Hex-encodes UTF-8 text (lower case).
pub fn encode_hex(text: &str) -> String {
    hex::encode(text.as_bytes())
}

/// Decodes hex made by [`encode_hex`] (or the widget's JavaScript) back to text.
pub fn decode_hex(hex_text: &str) -> Result<String> {
    if hex_text.len() > MAX_VALUE_BYTES * 2 {
        return Err(Error::invalid(
            "widget value",
            format!(
                "{} hex digits is more than the limit of {}",
                hex_text.len(),
                MAX_VALUE_BYTES * 2
            ),
        ));
    }
    let bytes = hex::decode(hex_text)
        .map_err(|e| Error::invalid("widget value", format!("not hex: {e}")))?;
    String::from_utf8(bytes).map_err(|_| Error::invalid("widget value", "not UTF-8 text"))
}

/// The folder holding every kernel's widget state.
pub fn base_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(STATE_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(run) = std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(run).join("huntbook").join("widgets");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(home)
            .join(".cache")
            .join("huntbook")
            .join("widgets");
    }
    std::env::temp_dir().join("huntbook-widgets")
}

/// One kernel's widget values: `<dir>/<widget id>.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WidgetStore {
    dir: PathBuf,
}

impl WidgetStore {
    /// The store of the kernel this process serves ([`KernelInfo::detect`])
    /// under [`base_dir`].
    pub fn for_kernel() -> Result<Self> {
        Self::at(base_dir().join(KernelInfo::detect().state_key))
    }

    /// A store in `dir`, created with mode `0700` (parents too). An existing
    /// folder must belong to this user; its mode is tightened to `0700`.
    pub fn at(dir: impl Into<PathBuf>) -> Result<Self> {
        let dir = dir.into();
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(|e| Error::io("creating widget state folder", &dir, e))?;
        let meta = fs::symlink_metadata(&dir)
            .map_err(|e| Error::io("checking widget state folder", &dir, e))?;
        if !meta.is_dir() {
            return Err(Error::invalid(
                format!("widget state folder '{}'", dir.display()),
                "is not a folder (a symlink or file is in the way)",
            ));
        }
        if meta.uid() != current_uid(&dir)? {
            return Err(Error::invalid(
                format!("widget state folder '{}'", dir.display()),
                "belongs to another user",
            ));
        }
        if meta.mode() & 0o077 != 0 {
            fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))
                .map_err(|e| Error::io("restricting widget state folder", &dir, e))?;
        }
        Ok(Self { dir })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, id: &str) -> Result<PathBuf> {
        if !valid_widget_id(id) {
            return Err(Error::invalid(
                format!("widget id '{}'", id.escape_debug()),
                "use 1-64 lower-case letters, digits or '-'",
            ));
        }
        Ok(self.dir.join(format!("{id}.json")))
    }

    /// The stored value of widget `id`, if any.
    pub fn get(&self, id: &str) -> Result<Option<serde_json::Value>> {
        let path = self.path(id)?;
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io("reading widget value", &path, e)),
        };
        if text.len() > MAX_VALUE_BYTES {
            return Err(Error::invalid(
                format!("widget value file '{}'", path.display()),
                "is larger than the limit",
            ));
        }
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|source| Error::Json {
                context: format!("reading widget value '{}'", path.display()),
                source,
            })
    }

    /// Stores `value` for widget `id` (atomically: a temporary file renamed
    /// over the old one, mode `0600`).
    pub fn put(&self, id: &str, value: &serde_json::Value) -> Result<()> {
        let path = self.path(id)?;
        let text = serde_json::to_string(value).map_err(|source| Error::Json {
            context: format!("writing widget value '{id}'"),
            source,
        })?;
        if text.len() > MAX_VALUE_BYTES {
            return Err(Error::invalid(
                format!("value of widget '{id}'"),
                format!(
                    "{} bytes is more than the limit of {MAX_VALUE_BYTES}",
                    text.len()
                ),
            ));
        }
        let tmp = self.dir.join(format!(".{id}.{}.tmp", std::process::id()));
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| Error::io("writing widget value", &tmp, e))?;
        file.write_all(text.as_bytes())
            .and_then(|_| file.sync_all())
            .map_err(|e| Error::io("writing widget value", &tmp, e))?;
        fs::rename(&tmp, &path).map_err(|e| Error::io("saving widget value", &path, e))
    }

    /// Forgets the value of widget `id`.
    pub fn remove(&self, id: &str) -> Result<()> {
        let path = self.path(id)?;
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io("removing widget value", &path, e)),
        }
    }

    /// Stores a value sent by a widget's JavaScript: `value_hex` is the hex of
    /// the value's JSON text. Checks the id, the size, the hex and the JSON.
    pub fn receive(&self, widget_id: &str, value_hex: &str) -> Result<()> {
        let text = decode_hex(value_hex)?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|source| Error::Json {
                context: format!("value sent by widget '{}'", widget_id.escape_debug()),
                source,
            })?;
        self.put(widget_id, &value)
    }
}

/// The uid of this process: the owner of a file it creates.
fn current_uid(dir: &Path) -> Result<u32> {
    let probe = dir.join(format!(".uid-probe-{}", std::process::id()));
    let file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&probe)
        .map_err(|e| Error::io("checking widget state folder", dir, e))?;
    let uid = file
        .metadata()
        .map_err(|e| Error::io("checking widget state folder", dir, e))?
        .uid();
    let _ = fs::remove_file(&probe);
    Ok(uid)
}

/// The entry point of the browser round trip: the widget's JavaScript runs
/// `huntbook::widgets::receive("<widget id>", "<hex of JSON>")?;` in the
/// kernel, which stores the value for the next cell.
pub fn receive(widget_id: &str, value_hex: &str) -> Result<()> {
    WidgetStore::for_kernel()?.receive(widget_id, value_hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_store(name: &str) -> WidgetStore {
        let dir =
            std::env::temp_dir().join(format!("hb-widget-store-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        WidgetStore::at(&dir).unwrap()
    }

    #[test]
    fn hex_round_trip_and_rejects() {
        assert_eq!(encode_hex("{\"a\":\"<x>\"}"), "7b2261223a223c783e227d");
        assert_eq!(
            decode_hex("7b2261223a223c783e227d").unwrap(),
            "{\"a\":\"<x>\"}"
        );
        assert!(decode_hex("zz").is_err());
        assert!(decode_hex("abc").is_err());
        assert_eq!(
            decode_hex("ff").unwrap_err().to_string(),
            "invalid widget value: not UTF-8 text"
        );
        let too_long = "0".repeat(MAX_VALUE_BYTES * 2 + 2);
        assert!(decode_hex(&too_long).is_err());
    }

    #[test]
    fn ids_are_checked() {
        assert!(valid_widget_id("selectitem-0123abcd"));
        assert!(!valid_widget_id("../x"));
        assert!(!valid_widget_id("A"));
        assert!(!valid_widget_id(""));
        assert!(!valid_widget_id(&"a".repeat(65)));
        assert!(valid_kernel_id("0f3c2b9e-1d2a-4c55-9b7e-2f0e8d0f9a11"));
        assert!(!valid_kernel_id("x/y"));
        assert_eq!(
            kernel_id_from_connection_file(
                "/root/.local/share/jupyter/runtime/kernel-0f3c2b9e-1d2a.json"
            )
            .as_deref(),
            Some("0f3c2b9e-1d2a")
        );
        assert_eq!(
            kernel_id_from_connection_file("/tmp/kernel-../x.json"),
            None
        );
        assert_eq!(kernel_id_from_connection_file("/tmp/other.json"), None);
    }

    #[test]
    fn put_get_remove_with_private_modes() {
        let store = temp_store("modes");
        assert_eq!(store.get("w-1").unwrap(), None);
        store
            .put("w-1", &serde_json::json!({"v": "<script>"}))
            .unwrap();
        assert_eq!(
            store.get("w-1").unwrap(),
            Some(serde_json::json!({"v": "<script>"}))
        );
        let dir_mode = fs::metadata(store.dir()).unwrap().mode() & 0o777;
        assert_eq!(dir_mode, 0o700);
        let file_mode = fs::metadata(store.dir().join("w-1.json")).unwrap().mode() & 0o777;
        assert_eq!(file_mode, 0o600);
        store.remove("w-1").unwrap();
        assert_eq!(store.get("w-1").unwrap(), None);
        assert!(store.put("../escape", &serde_json::json!(1)).is_err());
        let _ = fs::remove_dir_all(store.dir());
    }

    #[test]
    fn loose_folder_is_tightened() {
        let store = temp_store("loose");
        fs::set_permissions(store.dir(), fs::Permissions::from_mode(0o777)).unwrap();
        let again = WidgetStore::at(store.dir()).unwrap();
        assert_eq!(fs::metadata(again.dir()).unwrap().mode() & 0o777, 0o700);
        let _ = fs::remove_dir_all(store.dir());
    }

    #[test]
    fn receive_checks_json_and_size() {
        let store = temp_store("receive");
        store
            .receive("w-2", &encode_hex("{\"value\":\"Yes\"}"))
            .unwrap();
        assert_eq!(
            store.get("w-2").unwrap(),
            Some(serde_json::json!({"value": "Yes"}))
        );
        let err = store
            .receive("w-2", &encode_hex("); evil(); ("))
            .unwrap_err();
        assert!(
            err.to_string().contains("value sent by widget 'w-2'"),
            "{err}"
        );
        let big = format!("\"{}\"", "a".repeat(MAX_VALUE_BYTES));
        assert!(store.receive("w-2", &encode_hex(&big)).is_err());
        assert!(store.receive("Bad Id", &encode_hex("1")).is_err());
        // the stored value is unchanged by the rejected ones
        assert_eq!(
            store.get("w-2").unwrap(),
            Some(serde_json::json!({"value": "Yes"}))
        );
        let _ = fs::remove_dir_all(store.dir());
    }
}
