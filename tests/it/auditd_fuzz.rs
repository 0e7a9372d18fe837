//! The auditd fuzz target's body (`fuzz_one`) over a seeded random corpus:
//! real `auditd_log.txt` lines, mutated (bytes flipped, inserted, deleted,
//! lines truncated), shuffled and spliced, plus random bytes. Any panic is
//! a bug; `fuzz_one` also checks that every non-blank line is either a
//! record or a counted malformed line.

use huntbook::transform::auditd::fuzz_one;

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
    fn mutate(&mut self, mut v: Vec<u8>) -> Vec<u8> {
        const INTERESTING: &[u8] = b"=\"' ():.\x1d\n0A[]";
        for _ in 0..1 + self.below(6) {
            if v.is_empty() {
                break;
            }
            let at = self.below(v.len());
            match self.below(5) {
                0 => v[at] ^= 1 << self.below(8),
                1 => v.insert(at, INTERESTING[self.below(INTERESTING.len())]),
                2 => {
                    v.remove(at);
                }
                3 => v.insert(at, self.next() as u8),
                _ => v.truncate(at),
            }
        }
        v
    }
}

#[test]
fn fuzz_corpus_runs_clean() {
    let path = huntbook::data::bundled("msticpy/testdata/auditd_log.txt").unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut rng = Rng(0xa0d1);
    let seeds: Vec<Vec<u8>> = vec![
        text.as_bytes().to_vec(),
        Vec::new(),
        b"type=EXECVE msg=audit(1.0:1): argc=2 a0=\"a\" a1_len=4 a1[0]=4142 a1[1]=4344".to_vec(),
        b"node=x type=USER_AUTH msg=audit(1.0:2): msg='op=x acct=\"a b\" res=failed".to_vec(),
        b"type=PROCTITLE msg=audit(99999999999.999999999:18446744073709551615): proctitle=00"
            .to_vec(),
        b"[{'EXECVE': ['argc=1', 'a0=\"x\"']}]".to_vec(),
    ];
    for s in &seeds {
        fuzz_one(s);
    }
    for _ in 0..3000 {
        let n = 1 + rng.below(8);
        let mut input = Vec::new();
        for _ in 0..n {
            let line = lines[rng.below(lines.len())].as_bytes().to_vec();
            input.extend(rng.mutate(line));
            input.push(b'\n');
        }
        fuzz_one(&input);
    }
    for _ in 0..500 {
        let len = rng.below(300);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        fuzz_one(&bytes);
    }
}
