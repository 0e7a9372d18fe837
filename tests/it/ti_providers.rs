//! Every online TI provider against a local HTTP server on 127.0.0.1 that
//! answers with the provider's response bodies (VirusTotal's from MSTICPy's
//! `vt3_*.json` test data, the others written from each API's public
//! documentation): hit, miss (404), auth failure (401/403), rate limit (429
//! with Retry-After), server error then success, malformed JSON, timeout.
//! Waits between tries run on a manual clock, so nothing sleeps except the
//! timeout cases (200 ms per try).

use crate::http_support::{Reply, Request, TestServer};
use base64::Engine;
use huntbook::config::Secret;
use huntbook::enrich::ti::providers::*;
use huntbook::enrich::ti::*;
use huntbook::prelude::NotebookDisplay;
use std::sync::Arc;
use std::time::Duration;

const KEY: &str = "k3y-S3CRET-value-9f8e";
const IP: &str = "185.220.101.1";

fn cfg(server: &TestServer) -> ApiConfig {
    ApiConfig::new(&server.url(), Some(Secret::plain(KEY)))
}

fn lookup(p: impl TiProvider + 'static, clock: &ManualClock) -> TiLookup {
    TiLookup::new()
        .no_cache()
        .progress(false)
        .clock(Arc::new(clock.clone()))
        .http_options(HttpOptions {
            timeout: Duration::from_millis(200),
            retries: 1,
            backoff: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(120),
            ..HttpOptions::default()
        })
        .with_provider(p)
}

fn one(ti: &TiLookup, ioc: &str) -> LookupResult {
    let r = ti.lookup_ioc(ioc).unwrap();
    assert_eq!(r.rows().len(), 1, "{:?}", r.rows());
    let row = r.rows()[0].clone();
    // The key never shows in a row or in the browser.
    let shown = format!("{:?} {} {}", row, r.to_html(), r.to_text());
    assert!(!shown.contains(KEY), "key leaked: {shown}");
    let csv = format!("{:?}", r.df());
    assert!(!csv.contains(KEY));
    row
}

fn data(file: &str) -> String {
    let p = huntbook::data::bundled(&format!("msticpy/testdata/{file}")).unwrap();
    std::fs::read_to_string(p).unwrap()
}

/// The common failure scenarios for a provider that looks up `ioc` with
/// one request per IoC.
fn failure_scenarios<P: TiProvider + 'static>(
    make: impl Fn(ApiConfig) -> P,
    ioc: &str,
    miss_is_row: bool,
) {
    failure_scenarios_key(make, ioc, miss_is_row, true)
}

fn failure_scenarios_key<P: TiProvider + 'static>(
    make: impl Fn(ApiConfig) -> P,
    ioc: &str,
    miss_is_row: bool,
    needs_key: bool,
) {
    let name = make(ApiConfig::new("http://127.0.0.1:9", None))
        .name()
        .to_string();
    // 404: a miss.
    if miss_is_row {
        let s = TestServer::always(Reply::json(404, r#"{"message": "not found"}"#));
        let clock = ManualClock::new();
        let row = one(&lookup(make(cfg(&s)), &clock), ioc);
        assert_eq!(
            (row.result, row.status, row.status_text.as_str()),
            (false, LookupStatus::Ok, "not found"),
            "{name}"
        );
        assert_eq!(row.severity, Severity::Unknown);
    }
    // 401 and 403.
    for code in [401u16, 403] {
        let s = TestServer::always(Reply::json(code, r#"{"error": "bad key"}"#));
        let clock = ManualClock::new();
        let row = one(&lookup(make(cfg(&s)), &clock), ioc);
        assert_eq!(row.status, LookupStatus::QueryFailed, "{name}");
        assert_eq!(
            row.status_text,
            format!("HTTP {code}: authentication failed, check the API key for {name}")
        );
        assert_eq!(
            s.requests().len(),
            1,
            "{name}: auth failures are not retried"
        );
    }
    // 429 with Retry-After, then a success: the wait is the server's.
    let hit_then = {
        let s = TestServer::start(move |_, n| {
            if n == 0 {
                Reply::json(429, r#"{"error": "slow down"}"#).header("Retry-After", "7")
            } else {
                Reply::json(500, "{}")
            }
        });
        let clock = ManualClock::new();
        let row = one(&lookup(make(cfg(&s)), &clock), ioc);
        (row, clock.sleeps(), s.requests().len())
    };
    assert_eq!(
        hit_then.1.first(),
        Some(&Duration::from_secs(7)),
        "{name}: Retry-After honoured"
    );
    assert_eq!(hit_then.2, 2, "{name}");
    assert_eq!(
        hit_then.0.status_text, "HTTP 500: server error (2 tries)",
        "{name}"
    );
    // 429 on every try.
    let s = TestServer::always(Reply::json(429, "{}").header("Retry-After", "3"));
    let clock = ManualClock::new();
    let row = one(&lookup(make(cfg(&s)), &clock), ioc);
    assert_eq!(row.status, LookupStatus::QueryFailed);
    assert_eq!(
        row.status_text, "HTTP 429: rate limited, Retry-After 3s (2 tries)",
        "{name}"
    );
    // A Retry-After longer than allowed fails at once.
    let s = TestServer::always(Reply::json(429, "{}").header("Retry-After", "3600"));
    let row = one(&lookup(make(cfg(&s)), &ManualClock::new()), ioc);
    assert_eq!(
        row.status_text, "HTTP 429: rate limited, Retry-After 3600s (1 try)",
        "{name}"
    );
    // Malformed JSON.
    let s = TestServer::always(Reply::json(200, "{\"data\": [1, 2"));
    let row = one(&lookup(make(cfg(&s)), &ManualClock::new()), ioc);
    assert_eq!(row.status, LookupStatus::BadFormat, "{name}");
    assert!(
        row.status_text
            .starts_with("malformed JSON in the answer: "),
        "{name}: {}",
        row.status_text
    );
    // Timeout on every try (200 ms each), with a backoff between.
    let s = TestServer::always(Reply::json(200, "{}").delayed(Duration::from_secs(3)));
    let clock = ManualClock::new();
    let row = one(&lookup(make(cfg(&s)), &clock), ioc);
    assert_eq!(
        (row.status, row.status_text.as_str()),
        (LookupStatus::QueryFailed, "timed out (2 tries)"),
        "{name}"
    );
    assert_eq!(
        clock.sleeps(),
        [Duration::from_secs(2)],
        "{name}: one backoff"
    );
    if !needs_key {
        return;
    }
    // No key configured.
    let s = TestServer::always(Reply::json(200, "{}"));
    let row = one(
        &lookup(make(ApiConfig::new(&s.url(), None)), &ManualClock::new()),
        ioc,
    );
    assert_eq!(row.status, LookupStatus::QueryFailed);
    assert!(
        row.status_text.starts_with("no AuthKey configured for "),
        "{}",
        row.status_text
    );
    assert_eq!(s.requests().len(), 0);
}

fn vt_file_body() -> String {
    format!("{{\"data\": {}}}", data("vt3_file_1.json"))
}

#[test]
fn virustotal_file_hit_request_shape_and_severity() {
    let body = vt_file_body();
    let s = TestServer::always(Reply::json(200, body));
    let clock = ManualClock::new();
    let ti = lookup(VirusTotal::new(cfg(&s)), &clock);
    let sha = "03bd9a94482f180bb047626cb2f27ccf8daa0e201345480b43585580e09c311b";
    let row = one(&ti, sha);
    let req: Request = s.requests()[0].clone();
    assert_eq!(req.method, "GET");
    assert_eq!(req.target, format!("/api/v3/files/{sha}"));
    assert_eq!(req.header("x-apikey"), Some(KEY));
    assert!(row.result);
    assert_eq!(row.severity, Severity::High);
    assert_eq!(row.ioc_type, "sha256_hash");
    assert_eq!(row.details["malicious"], 40.0);
    assert_eq!(row.details["undetected"], 28.0);
    assert_eq!(row.details["meaningful_name"], "itami.exe");
    assert_eq!(
        row.reference,
        format!("https://www.virustotal.com/gui/file/{sha}")
    );
    assert_eq!(
        row.raw_result["data"]["attributes"]["md5"]
            .as_str()
            .map(|s| s.len()),
        Some(32)
    );
}

#[test]
fn virustotal_urls_use_unpadded_base64_ids() {
    let bodies = [
        (
            "http://218.54.47.77/",
            "vt3_url_0.json",
            Severity::Information,
        ),
        ("http://218.54.47.76/", "vt3_url_1.json", Severity::Warning),
        (
            "http://218.54.47.74/",
            "vt3_url_2.json",
            Severity::Information,
        ),
    ];
    for (url, file, sev) in bodies {
        let s = TestServer::always(Reply::json(200, format!("{{\"data\": {}}}", data(file))));
        let row = one(&lookup(VirusTotal::new(cfg(&s)), &ManualClock::new()), url);
        let id = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(url);
        assert_eq!(s.requests()[0].target, format!("/api/v3/urls/{id}"));
        assert_eq!(row.ioc_type, "url");
        assert_eq!(
            row.safe_ioc,
            huntbook::enrich::ti::item::encode_component(url)
        );
        assert_eq!(row.severity, sev, "{url}");
        assert_eq!(row.details["url"], url);
    }
}

#[test]
fn virustotal_relationships() {
    let body = format!(
        "{{\"data\": {}, \"meta\": {{\"count\": 3}}}}",
        data("vt3_related_links.json")
    );
    let s = TestServer::always(Reply::json(200, body));
    let ti = lookup(VirusTotal::new(cfg(&s)), &ManualClock::new());
    let r = ti.query([IP]).subtype("urls").run().unwrap();
    let row = &r.rows()[0];
    assert_eq!(
        s.requests()[0].target,
        format!("/api/v3/ip_addresses/{IP}/urls?limit=40")
    );
    assert_eq!(row.query_subtype.as_deref(), Some("urls"));
    assert!(row.result);
    assert_eq!(row.details["count"], 3);
    assert_eq!(row.details["items"][0]["url"], "http://218.54.47.77/");
    // A sub-query the provider does not have.
    let r = ti.query([IP]).subtype("nonsense").run().unwrap();
    assert_eq!(r.rows()[0].status, LookupStatus::NotSupported);
    assert!(
        r.rows()[0]
            .status_text
            .starts_with("VirusTotal has no sub-query 'nonsense' for ipv4")
    );
}

#[test]
fn virustotal_failures() {
    failure_scenarios(VirusTotal::new, IP, true);
}

#[test]
fn virustotal_default_rate_limit_spreads_ten_lookups_over_three_windows() {
    let body = vt_file_body();
    let s = TestServer::always(Reply::json(200, body));
    let clock = ManualClock::new();
    let ti = lookup(VirusTotal::new(cfg(&s)), &clock);
    let ips: Vec<String> = (1..=10).map(|i| format!("185.220.101.{i}")).collect();
    let r = ti.lookup_iocs(&ips).unwrap();
    assert_eq!(r.rows().len(), 10);
    assert!(r.rows().iter().all(|x| x.status == LookupStatus::Ok));
    assert_eq!(s.requests().len(), 10);
    assert_eq!(
        clock.sleeps(),
        [Duration::from_secs(60), Duration::from_secs(60)]
    );
    assert_eq!(clock.now(), Duration::from_secs(120));
    // Rows keep the input order.
    let got: Vec<&str> = r.rows().iter().map(|x| x.ioc.as_str()).collect();
    assert_eq!(got, ips.iter().map(String::as_str).collect::<Vec<_>>());
}

#[test]
fn cache_hits_are_marked_and_skip_the_network() {
    let s = TestServer::always(Reply::json(200, vt_file_body()));
    let dir = std::env::temp_dir().join(format!("hb-ti-cache-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let clock = ManualClock::new();
    let ti = lookup(VirusTotal::new(cfg(&s)), &clock).cache(&dir, Duration::from_secs(3600));
    let first = ti.lookup_ioc(IP).unwrap();
    assert!(!first.rows()[0].cached);
    let second = ti.lookup_ioc(IP).unwrap();
    assert!(second.rows()[0].cached);
    assert_eq!(s.requests().len(), 1);
    assert_eq!(
        second.df().column("Cached").unwrap().bool().unwrap().get(0),
        Some(true)
    );
    let mut a = first.rows()[0].clone();
    let b = second.rows()[0].clone();
    a.cached = true;
    assert_eq!(a, b);
    assert!(second.to_html().contains("1 from cache"));
    // The key is not in the cache files.
    for e in walk(&dir) {
        assert!(!std::fs::read_to_string(e).unwrap().contains(KEY));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

const OTX_HIT: &str = r#"{"indicator": "185.220.101.1", "type": "IPv4", "type_title": "IPv4",
 "sections": ["general", "geo", "reputation", "url_list", "passive_dns", "malware"],
 "pulse_info": {"count": 2, "references": [], "pulses": [
   {"id": "5d399c0a84da61b4bf401e9e", "name": "SSH bruteforce sources", "tags": ["ssh", "bruteforce"], "references": []},
   {"id": "5e0000000000000000000001", "name": "Tor exit nodes", "tags": ["tor"], "references": ["https://example.org/tor"]}]},
 "reputation": 0, "country_code": "DE", "asn": "AS60729"}"#;

#[test]
fn otx() {
    let s = TestServer::always(Reply::json(200, OTX_HIT));
    let row = one(&lookup(Otx::new(cfg(&s)), &ManualClock::new()), IP);
    assert_eq!(
        s.requests()[0].target,
        format!("/api/v1/indicators/IPv4/{IP}/general")
    );
    assert_eq!(s.requests()[0].header("x-otx-api-key"), Some(KEY));
    assert_eq!(row.severity, Severity::High);
    assert_eq!(row.details["pulse_count"], 2);
    assert_eq!(row.details["names"][1], "Tor exit nodes");
    assert_eq!(
        row.reference,
        format!("https://otx.alienvault.com/indicator/ipv4/{IP}")
    );
    // URLs are percent-encoded in the path; one pulse is a warning.
    let one_pulse = OTX_HIT.replace("\"count\": 2", "\"count\": 1");
    let s = TestServer::always(Reply::json(200, one_pulse));
    let row = one(
        &lookup(Otx::new(cfg(&s)), &ManualClock::new()),
        "http://evil.com/a?b=1",
    );
    assert_eq!(
        s.requests()[0].target,
        "/api/v1/indicators/url/http%3A%2F%2Fevil.com%2Fa%3Fb%3D1/general"
    );
    assert_eq!(row.severity, Severity::Warning);
    failure_scenarios(Otx::new, IP, true);
}

#[test]
fn xforce() {
    let body = r#"{"ip": "185.220.101.1", "history": [], "subnets": [], "cats": {"Anonymisation Services": 43},
      "geo": {"country": "Germany", "countrycode": "DE"}, "score": 7.1, "reason": "Regional Internet Registry",
      "reasonDescription": "One of the five RIRs announced a (new) location mapping of the IP.", "tags": []}"#;
    let s = TestServer::always(Reply::json(200, body));
    let c = cfg(&s).api_id(Secret::plain("xf-id"));
    let row = one(&lookup(XForce::new(c), &ManualClock::new()), IP);
    let req = &s.requests()[0];
    assert_eq!(req.target, format!("/ipr/{IP}"));
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("xf-id:{KEY}"));
    assert_eq!(
        req.header("authorization"),
        Some(format!("Basic {basic}").as_str())
    );
    assert_eq!(row.severity, Severity::High);
    assert_eq!(row.details["score"], 7.1);
    assert_eq!(row.details["country"], "Germany");
    // Hashes go to /malware with the risk as severity.
    let s = TestServer::always(Reply::json(
        200,
        r#"{"malware": {"risk": "medium", "family": ["emotet"], "type": "md5"}}"#,
    ));
    let c = cfg(&s).api_id(Secret::plain("xf-id"));
    let row = one(
        &lookup(XForce::new(c), &ManualClock::new()),
        "44d88612fea8a8f36de82e1278abb02f",
    );
    assert_eq!(
        s.requests()[0].target,
        "/malware/44d88612fea8a8f36de82e1278abb02f"
    );
    assert_eq!(row.severity, Severity::Warning);
    failure_scenarios(|c| XForce::new(c.api_id(Secret::plain("xf-id"))), IP, true);
}

#[test]
fn greynoise_community_and_enterprise() {
    let body = r#"{"ip": "185.220.101.1", "noise": true, "riot": false, "classification": "malicious",
      "name": "unknown", "link": "https://viz.greynoise.io/ip/185.220.101.1", "last_seen": "2024-05-01", "message": "Success"}"#;
    let s = TestServer::always(Reply::json(200, body));
    let row = one(
        &lookup(GreyNoise::community(cfg(&s)), &ManualClock::new()),
        IP,
    );
    assert_eq!(s.requests()[0].target, format!("/v3/community/{IP}"));
    assert_eq!(s.requests()[0].header("key"), Some(KEY));
    assert_eq!(row.severity, Severity::High);
    // The community API's 404 carries a message.
    let s = TestServer::always(Reply::json(
        404,
        r#"{"ip": "185.220.101.1", "noise": false, "riot": false,
      "message": "IP not observed scanning the internet or contained in RIOT data set."}"#,
    ));
    let row = one(
        &lookup(GreyNoise::community(cfg(&s)), &ManualClock::new()),
        IP,
    );
    assert!(!row.result);
    assert_eq!(
        row.details["message"],
        "IP not observed scanning the internet or contained in RIOT data set."
    );
    // Community without a key sends none.
    let s = TestServer::always(Reply::json(200, body));
    let _ = one(
        &lookup(
            GreyNoise::community(ApiConfig::new(&s.url(), None)),
            &ManualClock::new(),
        ),
        IP,
    );
    assert_eq!(s.requests()[0].header("key"), None);
    // Enterprise.
    let ent = r#"{"ip": "185.220.101.1", "seen": true, "classification": "unknown", "first_seen": "2024-01-01",
      "last_seen": "2024-05-01", "actor": "unknown", "tags": ["Tor"], "metadata": {"country": "Germany", "tor": true}}"#;
    let s = TestServer::always(Reply::json(200, ent));
    let row = one(
        &lookup(GreyNoise::enterprise(cfg(&s)), &ManualClock::new()),
        IP,
    );
    assert_eq!(s.requests()[0].target, format!("/v2/noise/context/{IP}"));
    assert_eq!((row.result, row.severity), (true, Severity::Warning));
    let s = TestServer::always(Reply::json(
        200,
        r#"{"ip": "185.220.101.1", "seen": false}"#,
    ));
    let row = one(
        &lookup(GreyNoise::enterprise(cfg(&s)), &ManualClock::new()),
        IP,
    );
    assert_eq!((row.result, row.status_text.as_str()), (false, "not found"));
    failure_scenarios_key(GreyNoise::community, IP, true, false);
    failure_scenarios(GreyNoise::enterprise, IP, true);
}

#[test]
fn abuseipdb() {
    let body = r#"{"data": {"ipAddress": "185.220.101.1", "isPublic": true, "ipVersion": 4, "isWhitelisted": false,
      "abuseConfidenceScore": 100, "countryCode": "DE", "usageType": "Reserved", "isp": "Network for Tor-Exit traffic.",
      "domain": "for-privacy.net", "hostnames": [], "isTor": true, "totalReports": 1250, "numDistinctUsers": 300,
      "lastReportedAt": "2024-05-01T12:00:00+00:00"}}"#;
    let s = TestServer::always(Reply::json(200, body));
    let row = one(&lookup(AbuseIpdb::new(cfg(&s)), &ManualClock::new()), IP);
    let req = &s.requests()[0];
    assert_eq!(
        req.target,
        format!("/api/v2/check?ipAddress={IP}&maxAgeInDays=90")
    );
    assert_eq!(req.header("key"), Some(KEY));
    assert_eq!(req.header("accept"), Some("application/json"));
    assert_eq!((row.result, row.severity), (true, Severity::High));
    assert_eq!(row.details["totalReports"], 1250.0);
    let clean = body
        .replace("\"totalReports\": 1250", "\"totalReports\": 0")
        .replace("100,", "0,");
    let s = TestServer::always(Reply::json(200, clean));
    let row = one(&lookup(AbuseIpdb::new(cfg(&s)), &ManualClock::new()), IP);
    assert_eq!(
        (row.result, row.status_text.as_str()),
        (false, "no reports")
    );
    failure_scenarios(AbuseIpdb::new, IP, true);
}

#[test]
fn crowdsec() {
    let body = r#"{"ip": "185.220.101.1", "ip_range_score": 5, "reputation": "malicious", "background_noise_score": 10,
      "as_name": "Zwiebelfreunde e.V.", "location": {"country": "DE", "city": null},
      "behaviors": [{"name": "http:scan", "label": "HTTP Scan", "description": "IP has been reported for performing actions related to HTTP vulnerability scanning and discovery."}],
      "scores": {"overall": {"aggressiveness": 5, "threat": 4, "trust": 5, "anomaly": 1, "total": 5}}}"#;
    let s = TestServer::always(Reply::json(200, body));
    let row = one(&lookup(CrowdSec::new(cfg(&s)), &ManualClock::new()), IP);
    assert_eq!(s.requests()[0].target, format!("/v2/smoke/{IP}"));
    assert_eq!(s.requests()[0].header("x-api-key"), Some(KEY));
    assert_eq!(row.severity, Severity::High);
    assert_eq!(row.details["behaviors"][0], "http:scan");
    failure_scenarios(CrowdSec::new, IP, true);
}

#[test]
fn ipqualityscore_key_in_path_never_leaks() {
    let body = r#"{"success": true, "message": "Success", "fraud_score": 88, "country_code": "DE", "ISP": "Tor exit",
      "proxy": true, "vpn": true, "tor": true, "recent_abuse": true, "bot_status": true, "request_id": "4DpSu"}"#;
    let s = TestServer::always(Reply::json(200, body));
    let row = one(
        &lookup(IpQualityScore::new(cfg(&s)), &ManualClock::new()),
        IP,
    );
    assert_eq!(s.requests()[0].target, format!("/api/json/ip/{KEY}/{IP}"));
    assert_eq!(row.severity, Severity::High);
    assert!(!row.reference.contains(KEY));
    // The service refusing the key (HTTP 200, success false), echoing it.
    let refused = format!(
        r#"{{"success": false, "message": "Invalid or unauthorized key {KEY}.", "request_id": "x"}}"#
    );
    let s = TestServer::always(Reply::json(200, refused));
    let row = one(
        &lookup(IpQualityScore::new(cfg(&s)), &ManualClock::new()),
        IP,
    );
    assert_eq!(row.status, LookupStatus::QueryFailed);
    assert_eq!(
        row.status_text,
        "IPQualityScore: Invalid or unauthorized key ********."
    );
    // URLs: risk score and `unsafe`.
    let s = TestServer::always(Reply::json(
        200,
        r#"{"success": true, "unsafe": true, "risk_score": 60, "phishing": true}"#,
    ));
    let row = one(
        &lookup(IpQualityScore::new(cfg(&s)), &ManualClock::new()),
        "http://evil.com/login",
    );
    assert_eq!(
        s.requests()[0].target,
        format!("/api/json/url/{KEY}/http%3A%2F%2Fevil.com%2Flogin")
    );
    assert_eq!(row.severity, Severity::High);
    failure_scenarios(IpQualityScore::new, IP, true);
}

#[test]
fn openpagerank_batches_a_hundred_domains_per_request() {
    let s = TestServer::start(|req, _| {
        // Answer each domain asked: ranked ones end in "popular.com".
        let url = url::Url::parse(&format!("http://x{}", req.target)).unwrap();
        let entries: Vec<String> = url
            .query_pairs()
            .filter(|(k, _)| k == "domains[]")
            .map(|(_, d)| {
                if d.ends_with("popular.com") {
                    format!(r#"{{"status_code": 200, "error": "", "page_rank_integer": 6, "page_rank_decimal": 5.8, "rank": "1200", "domain": "{d}"}}"#)
                } else {
                    format!(r#"{{"status_code": 404, "error": "Domain not found", "page_rank_integer": 0, "page_rank_decimal": 0, "rank": null, "domain": "{d}"}}"#)
                }
            })
            .collect();
        Reply::json(
            200,
            format!(
                r#"{{"status_code": 200, "response": [{}], "last_updated": "15th Apr 2024"}}"#,
                entries.join(",")
            ),
        )
    });
    let clock = ManualClock::new();
    let ti = lookup(OpenPageRank::new(cfg(&s)), &clock);
    let mut doms: Vec<String> = (0..150).map(|i| format!("d{i}.popular.com")).collect();
    doms.push("qzxv-unknown.com".into());
    let r = ti.lookup_iocs(&doms).unwrap();
    assert_eq!(s.requests().len(), 2, "151 domains in 2 requests");
    assert!(
        s.requests()
            .iter()
            .all(|q| q.header("api-opr") == Some(KEY))
    );
    assert_eq!(r.rows().len(), 151);
    assert!(
        r.rows()[..150]
            .iter()
            .all(|x| x.result && x.severity == Severity::Information)
    );
    let last = &r.rows()[150];
    assert_eq!(
        (last.result, last.severity, last.status_text.as_str()),
        (false, Severity::Warning, "Domain not found")
    );
    failure_scenarios(OpenPageRank::new, "evil.com", false);
    // 404 from the API itself is a failed request, not a miss.
    let s = TestServer::always(Reply::json(404, "{}"));
    let row = one(
        &lookup(OpenPageRank::new(cfg(&s)), &ManualClock::new()),
        "evil.com",
    );
    assert_eq!(row.status, LookupStatus::QueryFailed);
}

const EXIT_LIST: &str = "ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E
Published 2024-05-01 09:12:03
LastStatus 2024-05-01 10:00:00
ExitAddress 185.220.101.1 2024-05-01 10:07:45
ExitNode 0091174DE56EB1C7A8C1F9C2C5E3B3E6B6A3F1A2
Published 2024-05-01 08:00:00
LastStatus 2024-05-01 09:00:00
ExitAddress 2a0b:f4c2::1 2024-05-01 09:30:00
";

#[test]
fn tor_exit_list_fetched_once() {
    let s = TestServer::always(Reply::text(200, EXIT_LIST));
    let ti = lookup(
        TorExitNodes::new(ApiConfig::new(&s.url(), None)),
        &ManualClock::new(),
    );
    let r = ti.lookup_iocs([IP, "2a0b:f4c2::1", "8.8.8.8"]).unwrap();
    assert_eq!(s.requests().len(), 1);
    assert_eq!(s.requests()[0].target, "/exit-addresses");
    let rows = r.rows();
    assert_eq!(
        (rows[0].result, rows[0].severity),
        (true, Severity::Warning)
    );
    assert_eq!(
        rows[0].details["NodeIdentifier"],
        "0011BD2485AD45D984EC4159C88FC066E5E3300E"
    );
    assert!(rows[1].result);
    assert_eq!(
        (rows[2].result, rows[2].status_text.as_str()),
        (false, "not a Tor exit node")
    );
    // Kept for a day: a second lookup makes no request.
    let _ = ti.lookup_ioc("8.8.4.4").unwrap();
    assert_eq!(s.requests().len(), 1);
    // Failures.
    for (reply, want) in [
        (Reply::text(404, "nope"), "HTTP 404 fetching the exit list"),
        (Reply::text(403, "nope"), "HTTP 403 fetching the exit list"),
        (
            Reply::text(200, "<html>maintenance</html>"),
            "the exit list has no ExitAddress lines",
        ),
        (
            Reply::text(429, "").header("Retry-After", "9"),
            "HTTP 429: rate limited, Retry-After 9s (2 tries)",
        ),
        (
            Reply::text(200, "").delayed(Duration::from_secs(3)),
            "timed out (2 tries)",
        ),
    ] {
        let s = TestServer::always(reply);
        let row = one(
            &lookup(
                TorExitNodes::new(ApiConfig::new(&s.url(), None)),
                &ManualClock::new(),
            ),
            IP,
        );
        assert_eq!(
            (row.status, row.status_text.as_str()),
            (LookupStatus::QueryFailed, want)
        );
    }
}

#[test]
fn unreachable_server_is_a_row_not_an_error() {
    // Port 9 (discard) is closed on the test machine: connection refused.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    let c = ApiConfig::new(&format!("http://{addr}"), Some(Secret::plain(KEY)));
    let row = one(&lookup(VirusTotal::new(c), &ManualClock::new()), IP);
    assert_eq!(row.status, LookupStatus::QueryFailed);
    assert!(
        row.status_text.starts_with("request failed: "),
        "{}",
        row.status_text
    );
    assert!(
        !row.status_text.contains(&addr.port().to_string()),
        "no URL in errors: {}",
        row.status_text
    );
}

/// In a notebook the providers (and their HTTP client and clock) may come
/// from an earlier cell's copy of the crate, whose tokio has no runtime in
/// the cell that awaits a lookup. So the client and the clock must not need
/// the awaiting runtime: here they are awaited with no tokio runtime at all.
#[test]
fn http_client_and_clock_need_no_tokio_runtime_from_the_caller() {
    let s = TestServer::start(|_, _| Reply::json(200, r#"{"ok":true}"#));
    let client = HttpClient::new(
        HttpOptions::default(),
        std::sync::Arc::new(SystemClock::new()),
    )
    .expect("client");
    let url = format!("{}/x", s.url());
    let reply = futures::executor::block_on(client.send(|c| c.get(url.as_str()))).expect("reply");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), r#"{"ok":true}"#);
    assert_eq!(reply.tries, 1);
    let clock = SystemClock::new();
    let before = clock.now();
    futures::executor::block_on(clock.sleep(std::time::Duration::from_millis(5)));
    assert!(clock.now() >= before + std::time::Duration::from_millis(5));
}
