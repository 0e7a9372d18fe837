//! auditd parse throughput: MSTICPy's `auditd_log.txt` (1,708 records, 938
//! events) repeated 60 times with fresh serials (102,480 records, 56,280
//! events), parsed from text into the event frame. There is no MSTICPy
//! peer figure for auditd in `../shared/bench/msticpy/RESULTS.md`.
//!
//! `cargo bench --bench auditd -- --warm-up-time 1 --measurement-time 5`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use huntbook::transform::auditd::AuditdParser;
use std::hint::black_box;

const COPIES: u64 = 60;

fn input() -> String {
    let path = huntbook::data::bundled("msticpy/testdata/auditd_log.txt").expect("bundled log");
    let text = std::fs::read_to_string(path).expect("reading auditd_log.txt");
    let mut out = String::with_capacity(text.len() * COPIES as usize + 1024);
    for copy in 0..COPIES {
        for line in text.lines() {
            // msg=audit(TIME:SERIAL): give each copy its own serials
            match line.split_once("):") {
                Some((head, rest)) => match head.rsplit_once(':') {
                    Some((pre, serial)) => {
                        let serial: u64 = serial.parse().unwrap_or(0);
                        out.push_str(pre);
                        out.push(':');
                        out.push_str(&(serial + copy * 1_000_000).to_string());
                        out.push_str("):");
                        out.push_str(rest);
                    }
                    None => out.push_str(line),
                },
                None => out.push_str(line),
            }
            out.push('\n');
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let text = input();
    let parser = AuditdParser::new();
    let ev = parser.parse_str(&text).expect("parsing");
    let records = ev.records() as u64;
    println!(
        "{} records, {} events, {} process starts, {:.1} MB",
        records,
        ev.events(),
        ev.process_events().expect("process events").height(),
        text.len() as f64 / 1e6
    );
    let mut group = c.benchmark_group("auditd");
    group.sample_size(10);
    group.throughput(Throughput::Elements(records));
    group.bench_function("parse_str 102k records", |b| {
        b.iter(|| parser.parse_str(black_box(&text)).expect("parsing"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
