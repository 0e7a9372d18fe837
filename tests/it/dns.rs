//! DNS resolution against a real DNS server the test starts on 127.0.0.1
//! (UDP, messages encoded with hickory-proto), answering A, AAAA, MX, TXT
//! and PTR for `evil.example`, NODATA for `empty.example` and NXDOMAIN for
//! everything else.

use crate::dns_support::{resolver, start};
use huntbook::NotebookDisplay;
use huntbook::net::dns::{DnsRecordType, DnsResolver};
use std::net::UdpSocket;
use std::sync::atomic::Ordering;
use std::time::Duration;

#[test]
fn a_aaaa_mx_txt_records() {
    let server = start();
    let r = resolver(&server);
    let a = r.resolve("evil.example", DnsRecordType::A).unwrap();
    assert_eq!(a.response, "NOERROR");
    assert_eq!(a.records, ["192.0.2.10", "192.0.2.11"]);
    assert_eq!(a.ttl, Some(300));
    assert_eq!(a.nameservers, [server.addr.to_string()]);
    let aaaa = r.resolve("evil.example", DnsRecordType::Aaaa).unwrap();
    assert_eq!(aaaa.records, ["2001:db8::10"]);
    let mx = r.resolve("evil.example", DnsRecordType::Mx).unwrap();
    assert_eq!(mx.records, ["10 mail.evil.example."]);
    let txt = r.resolve("evil.example", DnsRecordType::Txt).unwrap();
    assert_eq!(txt.records, ["v=spf1 -all"]);
    assert!(server.queries.load(Ordering::SeqCst) >= 4);
}

#[test]
fn urls_and_defanged_names_are_reduced_to_their_host() {
    let server = start();
    let a = resolver(&server)
        .resolve("hxxps://evil[.]example:8443/gate.php", DnsRecordType::A)
        .unwrap();
    assert_eq!(a.qname, "evil.example");
    assert_eq!(a.records, ["192.0.2.10", "192.0.2.11"]);
}

#[test]
fn reverse_lookup_ptr() {
    let server = start();
    let ptr = resolver(&server)
        .reverse("192.0.2.10".parse().unwrap())
        .unwrap();
    assert_eq!(ptr.qname, "10.2.0.192.in-addr.arpa.");
    assert_eq!(ptr.records, ["evil.example."]);
    assert_eq!(ptr.response, "NOERROR");
}

#[test]
fn nxdomain_and_nodata_are_answers_not_errors() {
    let server = start();
    let r = resolver(&server);
    let nx = r.resolve("nope.example", DnsRecordType::A).unwrap();
    assert_eq!(nx.response, "NXDOMAIN");
    assert!(nx.records.is_empty());
    let nodata = r.resolve("empty.example", DnsRecordType::A).unwrap();
    assert_eq!(nodata.response, "NODATA");
    let df = r
        .resolve_many(&["evil.example", "nope.example"], DnsRecordType::A)
        .unwrap();
    assert_eq!(df.height(), 3);
    assert_eq!(
        df.column("response").unwrap().str().unwrap().get(2),
        Some("NXDOMAIN")
    );
}

#[test]
fn a_silent_server_is_a_clear_error() {
    // A bound socket that never answers.
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap();
    let err = DnsResolver::new()
        .name_server(addr)
        .timeout(Duration::from_millis(300))
        .attempts(0)
        .resolve("evil.example", DnsRecordType::A)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!("resolving 'evil.example A via {addr}'")),
        "{err}"
    );
}

#[test]
fn answers_display_escaped() {
    let server = start();
    let a = resolver(&server)
        .resolve("evil.example", DnsRecordType::Txt)
        .unwrap();
    let mut hostile = a.clone();
    hostile.records = vec!["<script>alert(1)</script>".into()];
    assert!(hostile.to_html().contains("&lt;script&gt;"));
    assert!(!hostile.to_html().contains("<script>"));
    assert_eq!(a.to_text(), "evil.example TXT -> NOERROR\n  v=spf1 -all");
}
