//! A DNS server on 127.0.0.1 (UDP, messages encoded with hickory-proto)
//! for the DNS and pivot tests, answering A, AAAA, MX, TXT and PTR for
//! `evil.example` / 192.0.2.10, NODATA for `empty.example` and NXDOMAIN for
//! everything else.
#![allow(dead_code)]

use hickory_proto::op::{Message, MessageType, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA, MX, PTR, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use huntbook::net::dns::DnsResolver;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// A running server; stops when dropped.
pub struct Server {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    /// Queries answered so far.
    pub queries: Arc<AtomicUsize>,
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

/// Starts a server on a free UDP port.
pub fn start() -> Server {
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

/// A resolver asking only `server` (2 s timeout, one attempt).
pub fn resolver(server: &Server) -> DnsResolver {
    DnsResolver::new()
        .name_server(server.addr)
        .timeout(Duration::from_secs(2))
        .attempts(1)
}
