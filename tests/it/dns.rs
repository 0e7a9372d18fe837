//! DNS resolution against a real DNS server the test starts on 127.0.0.1
//! (UDP, messages encoded with hickory-proto), answering A, AAAA, MX, TXT
//! and PTR for `evil.example`, NODATA for `empty.example` and NXDOMAIN for
//! everything else.

use hickory_proto::op::{Message, MessageType, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA, MX, PTR, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use huntbook::NotebookDisplay;
use huntbook::net::dns::{DnsRecordType, DnsResolver};
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    queries: Arc<AtomicUsize>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn answer(query: &Message) -> Message {
    let mut resp = Message::new(
        query.metadata.id,
        MessageType::Response,
        query.metadata.op_code,
    );
    resp.metadata.recursion_desired = query.metadata.recursion_desired;
    resp.metadata.recursion_available = true;
    resp.metadata.authoritative = true;
    let Some(q) = query.queries.first() else {
        resp.metadata.response_code = ResponseCode::FormErr;
        return resp;
    };
    resp.add_query(q.clone());
    let name = q.name.to_ascii().to_ascii_lowercase();
    let owner = q.name.clone();
    let rdata: Vec<RData> = match (name.as_str(), q.query_type) {
        ("evil.example.", RecordType::A) => vec![
            RData::A(A("192.0.2.10".parse().unwrap())),
            RData::A(A("192.0.2.11".parse().unwrap())),
        ],
        ("evil.example.", RecordType::AAAA) => {
            vec![RData::AAAA(AAAA("2001:db8::10".parse().unwrap()))]
        }
        ("evil.example.", RecordType::MX) => vec![RData::MX(MX::new(
            10,
            Name::from_ascii("mail.evil.example.").unwrap(),
        ))],
        ("evil.example.", RecordType::TXT) => {
            vec![RData::TXT(TXT::new(vec!["v=spf1 -all".to_string()]))]
        }
        ("10.2.0.192.in-addr.arpa.", RecordType::PTR) => {
            vec![RData::PTR(PTR(Name::from_ascii("evil.example.").unwrap()))]
        }
        ("evil.example.", _) | ("empty.example.", _) | ("10.2.0.192.in-addr.arpa.", _) => vec![],
        _ => {
            resp.metadata.response_code = ResponseCode::NXDomain;
            vec![]
        }
    };
    for r in rdata {
        resp.add_answer(Record::from_rdata(owner.clone(), 300, r));
    }
    resp
}

fn start() -> Server {
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let addr = sock.local_addr().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let queries = Arc::new(AtomicUsize::new(0));
    let (s, q) = (stop.clone(), queries.clone());
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while !s.load(Ordering::SeqCst) {
            let Ok((n, peer)) = sock.recv_from(&mut buf) else {
                continue;
            };
            let Ok(msg) = Message::from_vec(&buf[..n]) else {
                continue;
            };
            q.fetch_add(1, Ordering::SeqCst);
            if let Ok(bytes) = answer(&msg).to_vec() {
                let _ = sock.send_to(&bytes, peer);
            }
        }
    });
    Server {
        addr,
        stop,
        queries,
    }
}

fn resolver(server: &Server) -> DnsResolver {
    DnsResolver::new()
        .name_server(server.addr)
        .timeout(Duration::from_secs(2))
        .attempts(1)
}

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
