//! Rate limiter, cache TTL, Retry-After parsing and pre-checks through the
//! public API (the rate-limit tests run on a manual clock: no sleeps).

use huntbook::enrich::ti::cache::TiCache;
use huntbook::enrich::ti::http::parse_retry_after;
use huntbook::enrich::ti::limit::acquire;
use huntbook::enrich::ti::precheck::{entropy, precheck};
use huntbook::enrich::ti::*;
use huntbook::transform::ioc::IocType;
use std::sync::Mutex;
use std::time::{Duration, UNIX_EPOCH};

fn run_limited(limit: RateLimit, n: usize) -> (Vec<u64>, Vec<Result<(), Duration>>, ManualClock) {
    let clock = ManualClock::new();
    let lim = Mutex::new(RateLimiter::new(limit));
    let mut times = Vec::new();
    let mut outcomes = Vec::new();
    huntbook::session::block_on(async {
        for _ in 0..n {
            let r = acquire(&lim, &clock).await;
            times.push(clock.now().as_secs());
            outcomes.push(r);
        }
    })
    .unwrap();
    (times, outcomes, clock)
}

#[test]
fn n_requests_at_l_per_minute_take_ceil_n_over_l_windows() {
    for (n, l) in [(10usize, 4u32), (4, 4), (5, 4), (12, 3), (1, 1), (7, 2)] {
        let (times, outcomes, clock) = run_limited(RateLimit::new().per_minute(l), n);
        assert!(outcomes.iter().all(|o| o.is_ok()));
        let windows = n.div_ceil(l as usize);
        let want: Vec<u64> = (0..n).map(|i| (i / l as usize) as u64 * 60).collect();
        assert_eq!(times, want, "n={n} l={l}");
        assert_eq!(clock.sleeps().len(), windows - 1, "n={n} l={l}");
        assert_eq!(clock.now(), Duration::from_secs((windows as u64 - 1) * 60));
    }
}

#[test]
fn per_second_and_per_minute_together() {
    // 2/s and 5/min: the per-minute window governs after the fifth request.
    let (times, _, _) = run_limited(RateLimit::new().per_second(2).per_minute(5), 7);
    assert_eq!(times, [0, 0, 1, 1, 2, 60, 60]);
}

#[test]
fn a_spent_daily_quota_fails_instead_of_blocking() {
    let (_, outcomes, clock) = run_limited(RateLimit::new().per_minute(100).per_day(3), 4);
    assert_eq!(outcomes[..3], [Ok(()), Ok(()), Ok(())]);
    assert_eq!(outcomes[3], Err(Duration::from_secs(86_400)));
    assert!(clock.sleeps().is_empty());
    // A larger max wait waits instead.
    let (times, outcomes, _) = run_limited(
        RateLimit::new()
            .per_day(1)
            .max_wait(Duration::from_secs(2 * 86_400)),
        2,
    );
    assert_eq!((times, outcomes), (vec![0, 86_400], vec![Ok(()), Ok(())]));
}

#[test]
fn rate_limit_text() {
    assert_eq!(
        RateLimit::new().per_minute(4).per_day(500).to_string(),
        "4/min, 500/day"
    );
    assert_eq!(RateLimit::new().per_second(5).to_string(), "5/s");
    assert_eq!(
        RateLimit::new()
            .window(3, Duration::from_secs(10))
            .to_string(),
        "3/10s"
    );
}

#[test]
fn cache_ttl_keys_and_failures() {
    let dir = std::env::temp_dir().join(format!("hb-ti-cache-ttl-{}", std::process::id()));
    let c = TiCache::new(&dir, Duration::from_secs(100));
    c.clear().unwrap();
    let item = TiItem::new("8.8.8.8", IocType::Ipv4);
    let ok = LookupResult::new(&item, "P").hit(Severity::Warning, serde_json::json!({"n": 1}));
    let t0 = UNIX_EPOCH + Duration::from_secs(1_000_000);
    c.put_at(&ok, t0).unwrap();
    let hit = c
        .get_at("P", "ipv4", "8.8.8.8", None, t0 + Duration::from_secs(99))
        .unwrap();
    assert!(hit.cached);
    assert_eq!(
        (hit.severity, hit.details["n"].as_i64()),
        (Severity::Warning, Some(1))
    );
    assert!(
        c.get_at("P", "ipv4", "8.8.8.8", None, t0 + Duration::from_secs(100))
            .is_none(),
        "expired"
    );
    assert!(
        c.get_at("P", "ipv4", "8.8.8.8", Some("x"), t0).is_none(),
        "sub-query is part of the key"
    );
    assert!(
        c.get_at("Q", "ipv4", "8.8.8.8", None, t0).is_none(),
        "provider is part of the key"
    );
    let bad = LookupResult::failed(
        &TiItem::new("1.1.1.1", IocType::Ipv4),
        "P",
        LookupStatus::QueryFailed,
        "x",
    );
    c.put_at(&bad, t0).unwrap();
    assert!(
        c.get_at("P", "ipv4", "1.1.1.1", None, t0).is_none(),
        "failures are not cached"
    );
    // A corrupt entry is a miss, not an error.
    std::fs::write(c.path_for("P", "ipv4", "8.8.8.8", None), "{not json").unwrap();
    assert!(c.get_at("P", "ipv4", "8.8.8.8", None, t0).is_none());
    c.clear().unwrap();
    assert!(!dir.exists());
}

#[test]
fn retry_after_forms() {
    assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
    assert_eq!(parse_retry_after(" 120 "), Some(Duration::from_secs(120)));
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
        Some(Duration::ZERO)
    );
    assert_eq!(parse_retry_after("soon"), None);
}

#[test]
fn prechecks() {
    let ok = |v: &str| precheck(v, None).map(|i| (i.ioc, i.ioc_type));
    assert_eq!(ok("8.8.8[.]8"), Ok(("8.8.8.8".into(), IocType::Ipv4)));
    assert_eq!(
        ok("2606:4700:4700::1111"),
        Ok(("2606:4700:4700::1111".into(), IocType::Ipv6))
    );
    assert_eq!(ok("Evil.Com"), Ok(("evil.com".into(), IocType::Dns)));
    assert_eq!(
        ok("hxxp://Evil[.]COM/Path?q=1"),
        Ok(("http://evil.com/Path?q=1".into(), IocType::Url))
    );
    assert_eq!(
        ok("44D88612FEA8A8F36DE82E1278ABB02F"),
        Ok(("44d88612fea8a8f36de82e1278abb02f".into(), IocType::Md5Hash))
    );
    let err = |v: &str, t: Option<IocType>| precheck(v, t).unwrap_err();
    assert_eq!(
        err("127.0.0.1", None),
        "IP address 127.0.0.1 is not global (loopback)"
    );
    assert_eq!(
        err("100.64.1.1", Some(IocType::Ipv4)),
        "IP address 100.64.1.1 is not global (shared address space)"
    );
    assert_eq!(
        err("192.0.2.1", Some(IocType::Ipv4)),
        "IP address 192.0.2.1 is not global (documentation)"
    );
    assert_eq!(
        err("224.0.0.1", Some(IocType::Ipv4)),
        "IP address 224.0.0.1 is not global (multicast)"
    );
    assert_eq!(
        err("fe80::1", Some(IocType::Ipv6)),
        "IP address fe80::1 is not global (link-local)"
    );
    assert_eq!(
        err("fd00::1", Some(IocType::Ipv6)),
        "IP address fd00::1 is not global (unique local)"
    );
    assert_eq!(
        err("http://10.0.0.1/x", Some(IocType::Url)),
        "URL host 10.0.0.1 is not global (private)"
    );
    assert_eq!(
        err("corp.internal", Some(IocType::Dns)),
        "domain corp.internal has no public suffix"
    );
    assert_eq!(
        err("abc", Some(IocType::Md5Hash)),
        "md5_hash must be 32 hex digits, got 3 characters"
    );
    assert_eq!(
        err(&"ab".repeat(16), Some(IocType::Md5Hash)),
        "hash has too little entropy (1.00 bits per character, at least 3.0 expected)"
    );
    assert_eq!(err("   ", None), "empty value");
    assert!((entropy("0123456789abcdef") - 4.0).abs() < 1e-12);
}

#[test]
fn severity_scale() {
    assert!(Severity::Unknown < Severity::Information);
    assert!(Severity::Information < Severity::Warning);
    assert!(Severity::Warning < Severity::High);
    let codes: Vec<i32> = [
        LookupStatus::Ok,
        LookupStatus::NotSupported,
        LookupStatus::BadFormat,
        LookupStatus::QueryFailed,
        LookupStatus::Other,
    ]
    .iter()
    .map(|s| s.code())
    .collect();
    assert_eq!(codes, [0, 1, 2, 3, 10]);
    assert_eq!(Severity::parse("critical"), Some(Severity::High));
    assert_eq!(Severity::parse("bogus"), None);
}
