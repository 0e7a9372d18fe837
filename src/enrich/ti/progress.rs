//! Progress of bulk lookups on standard error: done, hits, failed and
//! cached counts, at most two lines a second, and a final line.

use super::result::{LookupResult, LookupStatus};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Counts on standard error.
pub(crate) struct Progress {
    total: usize,
    done: AtomicUsize,
    failed: AtomicUsize,
    cached: AtomicUsize,
    hits: AtomicUsize,
    on: bool,
    last: Mutex<Option<Instant>>,
}

impl Progress {
    pub(crate) fn new(total: usize, on: bool) -> Self {
        Self {
            total,
            done: AtomicUsize::new(0),
            failed: AtomicUsize::new(0),
            cached: AtomicUsize::new(0),
            hits: AtomicUsize::new(0),
            on,
            last: Mutex::new(None),
        }
    }

    fn line(&self) -> String {
        format!(
            "ti lookup: {}/{} done, {} hits, {} failed, {} from cache",
            self.done.load(Ordering::Relaxed),
            self.total,
            self.hits.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed),
            self.cached.load(Ordering::Relaxed)
        )
    }

    pub(crate) fn done(&self, r: &LookupResult) {
        self.done.fetch_add(1, Ordering::Relaxed);
        if r.status != LookupStatus::Ok {
            self.failed.fetch_add(1, Ordering::Relaxed);
        }
        if r.cached {
            self.cached.fetch_add(1, Ordering::Relaxed);
        }
        if r.result {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        if !self.on {
            return;
        }
        if let Ok(mut last) = self.last.lock() {
            let due = last.is_none_or(|t| t.elapsed() >= Duration::from_millis(500));
            if due {
                *last = Some(Instant::now());
                eprintln!("{}", self.line());
            }
        }
    }

    pub(crate) fn note(&self, text: &str) {
        if self.on {
            eprintln!("{text}");
        }
    }

    pub(crate) fn finish(&self) {
        if self.on {
            eprintln!("{}", self.line());
        }
    }
}
