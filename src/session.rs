//! [`Huntbook`]: the value a notebook keeps for everything long-lived.
//!
//! The evcxr kernel compiles every cell into its own library with its own
//! copy of huntbook, so a `static`, a `OnceLock` or a thread-local set in one
//! cell is a different one in the next. State that must outlive a cell lives
//! in a `Huntbook` value held in a notebook variable (`let hb = Huntbook::new()?;`)
//! and passed by reference. It keeps only plain data (settings, a key/value
//! store); async work runs on a runtime built inside each blocking call, so an
//! async call works in any cell, whichever cell created the session.
//!
//! ```
//! use huntbook::prelude::*;
//! let hb = Huntbook::new().unwrap();
//! hb.set("case", &"INC-42").unwrap();
//! assert_eq!(hb.get::<String>("case").unwrap().as_deref(), Some("INC-42"));
//! let n = hb.block_on(async { 40 + 2 }).unwrap();
//! assert_eq!(n, 42);
//! ```

use crate::error::{Error, Result};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// A notebook session: settings and state shared by the cells that hold it.
///
/// Cloning is cheap and clones share the same state.
#[derive(Clone)]
pub struct Huntbook {
    data_dir: PathBuf,
    state: Arc<Mutex<BTreeMap<String, serde_json::Value>>>,
}

impl std::fmt::Debug for Huntbook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<String> = self.lock().keys().cloned().collect();
        f.debug_struct("Huntbook")
            .field("data_dir", &self.data_dir)
            .field("state_keys", &keys)
            .finish()
    }
}

impl Huntbook {
    /// A session using the bundled sample data ([`crate::data::data_dir`]).
    pub fn new() -> Result<Self> {
        Ok(Self {
            data_dir: crate::data::data_dir(),
            state: Arc::new(Mutex::new(BTreeMap::new())),
        })
    }

    /// The folder that bundled sample data is read from.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The path of a bundled data file, checked to exist.
    pub fn data_path(&self, relative: &str) -> Result<PathBuf> {
        crate::data::resolve(&self.data_dir, relative)
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, serde_json::Value>> {
        // A panic in another cell while holding the lock leaves plain data
        // behind; keep using it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Stores a value under `key` for later cells.
    pub fn set<T: Serialize + ?Sized>(&self, key: &str, value: &T) -> Result<()> {
        let json = serde_json::to_value(value).map_err(|source| Error::Json {
            context: format!("storing session value '{key}'"),
            source,
        })?;
        self.lock().insert(key.to_string(), json);
        Ok(())
    }

    /// Reads the value stored under `key`, `None` when there is none.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let value = self.lock().get(key).cloned();
        value
            .map(|v| {
                serde_json::from_value(v).map_err(|source| Error::Json {
                    context: format!("reading session value '{key}'"),
                    source,
                })
            })
            .transpose()
    }

    /// Removes the value stored under `key`, returning whether there was one.
    pub fn remove(&self, key: &str) -> bool {
        self.lock().remove(key).is_some()
    }

    /// The keys stored in the session, sorted.
    pub fn keys(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    /// Runs a future to completion on a runtime made for this call.
    ///
    /// A runtime made in one cell cannot drive I/O in the next (its reactor
    /// lives in a thread-local of that cell's copy of tokio), so huntbook never
    /// keeps one: each blocking call builds a current-thread runtime, which
    /// takes microseconds.
    pub fn block_on<F: Future>(&self, future: F) -> Result<F::Output> {
        block_on(future)
    }
}

/// Runs a future to completion on a new current-thread tokio runtime.
pub fn block_on<F: Future>(future: F) -> Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Runtime(format!("could not start the async runtime: {e}")))?;
    Ok(runtime.block_on(future))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_state() {
        let hb = Huntbook::new().unwrap();
        let other = hb.clone();
        other.set("n", &3).unwrap();
        assert_eq!(hb.get::<i32>("n").unwrap(), Some(3));
        assert_eq!(hb.keys(), vec!["n".to_string()]);
        assert!(hb.remove("n"));
        assert_eq!(hb.get::<i32>("n").unwrap(), None);
    }

    #[test]
    fn wrong_type_is_a_clear_error() {
        let hb = Huntbook::new().unwrap();
        hb.set("name", "web01").unwrap();
        let err = hb.get::<i32>("name").unwrap_err().to_string();
        assert!(
            err.starts_with("reading session value 'name': invalid type"),
            "{err}"
        );
    }

    #[test]
    fn block_on_does_real_io() {
        let hb = Huntbook::new().unwrap();
        let port = hb
            .block_on(async {
                let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                l.local_addr().unwrap().port()
            })
            .unwrap();
        assert!(port > 0);
    }
}
