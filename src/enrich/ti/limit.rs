//! Per-provider rate limits with an injectable clock.
//!
//! A [`RateLimit`] is a set of windows (`4 per minute`, `500 per day`); a
//! [`RateLimiter`] keeps the times of the requests it let through and says
//! how long the next one must wait. Time comes from a [`Clock`]: the
//! [`SystemClock`] in real use, a [`ManualClock`] in tests, whose `sleep`
//! moves time on at once so that tests of limits and retries never sleep.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A source of time and of waiting.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Time since the clock's start.
    fn now(&self) -> Duration;
    /// Waits for `d` (a test clock just moves on).
    fn sleep(&self, d: Duration) -> BoxFuture<'static, ()>;
}

/// The real clock: monotonic time, tokio's sleep.
#[derive(Debug, Clone)]
pub struct SystemClock {
    start: Instant,
}

impl SystemClock {
    /// A clock starting now.
    pub fn new() -> Self {
        Self {
            start: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }
    fn sleep(&self, d: Duration) -> BoxFuture<'static, ()> {
        // A thread sleeps, not tokio's timer: in a notebook the clock may
        // come from an earlier cell's copy of the crate, whose tokio has no
        // runtime in the cell that awaits it (evcxr links a copy per cell).
        Box::pin(async move {
            let (tx, rx) = futures::channel::oneshot::channel();
            let spawned = std::thread::Builder::new()
                .name("huntbook-sleep".into())
                .spawn(move || {
                    std::thread::sleep(d);
                    let _ = tx.send(());
                });
            if spawned.is_ok() {
                let _ = rx.await;
            } else {
                std::thread::sleep(d);
            }
        })
    }
}

/// A clock for tests: time moves only when told to, or when something
/// sleeps (the sleep returns at once, having moved time on). Clones share
/// the time and the record of sleeps.
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    state: Arc<Mutex<(Duration, Vec<Duration>)>>,
}

impl ManualClock {
    /// A clock at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves time on.
    pub fn advance(&self, d: Duration) {
        if let Ok(mut s) = self.state.lock() {
            s.0 += d;
        }
    }

    /// Every sleep so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.state.lock().map(|s| s.1.clone()).unwrap_or_default()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        self.state.lock().map(|s| s.0).unwrap_or_default()
    }
    fn sleep(&self, d: Duration) -> BoxFuture<'static, ()> {
        if let Ok(mut s) = self.state.lock() {
            s.0 += d;
            s.1.push(d);
        }
        Box::pin(std::future::ready(()))
    }
}

/// How many requests a provider takes per time window.
///
/// ```
/// use huntbook::enrich::ti::RateLimit;
/// let vt = RateLimit::new().per_minute(4).per_day(500);
/// assert_eq!(vt.to_string(), "4/min, 500/day");
/// assert_eq!(RateLimit::unlimited().to_string(), "unlimited");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimit {
    windows: Vec<(u32, Duration)>,
    max_wait: Duration,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self::unlimited()
    }
}

impl RateLimit {
    /// No limit (add windows with the builder methods).
    pub fn new() -> Self {
        Self::unlimited()
    }

    /// No limit.
    pub fn unlimited() -> Self {
        Self {
            windows: Vec::new(),
            max_wait: Duration::from_secs(15 * 60),
        }
    }

    /// At most `n` requests in any `period`.
    pub fn window(mut self, n: u32, period: Duration) -> Self {
        if n > 0 {
            self.windows.push((n, period));
        }
        self
    }

    /// At most `n` a second.
    pub fn per_second(self, n: u32) -> Self {
        self.window(n, Duration::from_secs(1))
    }

    /// At most `n` a minute.
    pub fn per_minute(self, n: u32) -> Self {
        self.window(n, Duration::from_secs(60))
    }

    /// At most `n` a day.
    pub fn per_day(self, n: u32) -> Self {
        self.window(n, Duration::from_secs(86_400))
    }

    /// The longest a request waits for the limit; past that it fails with a
    /// "rate limit" status instead (default 15 minutes, so a spent daily
    /// quota fails fast instead of blocking for hours).
    pub fn max_wait(mut self, d: Duration) -> Self {
        self.max_wait = d;
        self
    }

    /// The longest wait allowed.
    pub fn max_wait_limit(&self) -> Duration {
        self.max_wait
    }

    /// The windows, `(requests, period)`.
    pub fn windows(&self) -> &[(u32, Duration)] {
        &self.windows
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.windows.is_empty() {
            return f.write_str("unlimited");
        }
        let parts: Vec<String> = self
            .windows
            .iter()
            .map(|(n, p)| match p.as_secs() {
                1 => format!("{n}/s"),
                60 => format!("{n}/min"),
                3600 => format!("{n}/h"),
                86_400 => format!("{n}/day"),
                s => format!("{n}/{s}s"),
            })
            .collect();
        f.write_str(&parts.join(", "))
    }
}

/// The state of one provider's limit: when its recent requests went out.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    limit: RateLimit,
    sent: Vec<VecDeque<Duration>>,
}

impl RateLimiter {
    /// A limiter with nothing sent yet.
    pub fn new(limit: RateLimit) -> Self {
        let sent = limit.windows.iter().map(|_| VecDeque::new()).collect();
        Self { limit, sent }
    }

    /// The limit.
    pub fn limit(&self) -> &RateLimit {
        &self.limit
    }

    /// Takes a slot at `now`, or says how long to wait for one.
    pub fn try_acquire(&mut self, now: Duration) -> Result<(), Duration> {
        let mut wait = Duration::ZERO;
        for ((n, period), sent) in self.limit.windows.iter().zip(self.sent.iter_mut()) {
            while sent.front().is_some_and(|t| *t + *period <= now) {
                sent.pop_front();
            }
            if sent.len() >= *n as usize
                && let Some(oldest) = sent.front()
            {
                wait = wait.max(*oldest + *period - now);
            }
        }
        if wait > Duration::ZERO {
            return Err(wait);
        }
        for sent in &mut self.sent {
            sent.push_back(now);
        }
        Ok(())
    }
}

/// Waits for a slot of a shared limiter. Fails with the wait when it would
/// be longer than the limit's `max_wait`.
pub async fn acquire(limiter: &Mutex<RateLimiter>, clock: &dyn Clock) -> Result<(), Duration> {
    loop {
        let attempt = match limiter.lock() {
            Ok(mut l) => {
                let max = l.limit.max_wait;
                match l.try_acquire(clock.now()) {
                    Ok(()) => return Ok(()),
                    Err(w) if w > max => return Err(w),
                    Err(w) => w,
                }
            }
            Err(_) => return Ok(()),
        };
        clock.sleep(attempt).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_requests_at_four_a_minute_take_three_windows() {
        let clock = ManualClock::new();
        let lim = Mutex::new(RateLimiter::new(RateLimit::new().per_minute(4)));
        let mut times = Vec::new();
        crate::session::block_on(async {
            for _ in 0..10 {
                acquire(&lim, &clock).await.unwrap();
                times.push(clock.now().as_secs());
            }
        })
        .unwrap();
        assert_eq!(times, [0, 0, 0, 0, 60, 60, 60, 60, 120, 120]);
        assert_eq!(
            clock.sleeps(),
            [Duration::from_secs(60), Duration::from_secs(60)]
        );
    }

    #[test]
    fn daily_quota_fails_instead_of_waiting_hours() {
        let clock = ManualClock::new();
        let lim = Mutex::new(RateLimiter::new(
            RateLimit::new().per_minute(100).per_day(3),
        ));
        let r: Vec<_> = crate::session::block_on(async {
            let mut v = Vec::new();
            for _ in 0..4 {
                v.push(acquire(&lim, &clock).await);
            }
            v
        })
        .unwrap();
        assert_eq!(r[..3], [Ok(()), Ok(()), Ok(())]);
        assert_eq!(r[3], Err(Duration::from_secs(86_400)));
    }
}
