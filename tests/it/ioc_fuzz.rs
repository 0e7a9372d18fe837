//! Runs the cargo-fuzz target's body (`huntbook::transform::ioc::fuzz_one`)
//! over a seeded random corpus: random bytes, and random mixtures of
//! indicator fragments, defang tokens and separators.

use huntbook::transform::ioc::fuzz_one;

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const FRAGMENTS: &[&str] = &[
    "http",
    "hxxps",
    "fXp",
    "://",
    "[://]",
    "[:]//",
    "evil",
    "[.]",
    "(.)",
    "{.}",
    "[dot]",
    " [dot] ",
    "\\.",
    ".",
    "com",
    "co.uk",
    "рф",
    "müller",
    "xn--80ak6aa92e",
    "@",
    "[at]",
    " (at) ",
    "[@]",
    "192",
    "168",
    "255",
    "999",
    "::",
    ":",
    "ffff",
    "2001",
    "db8",
    "%",
    "%2F",
    "%3A",
    "%",
    "/",
    "\\\\",
    "\\",
    "C:",
    "c:/",
    "..",
    "~/",
    " ",
    "\t",
    "\n",
    "'",
    "\"",
    ")",
    "(",
    "]",
    "[",
    "|",
    ";",
    "=",
    "?",
    "#",
    "&",
    "d41d8cd98f00b204e9800998ecf8427e",
    "da39a3ee5e6b4b0d3255bfef95601890afd80709",
    "-",
    "_",
    "0",
    "1",
    "\u{0}",
    "\u{200b}",
    "é",
    "%ENV%\\",
    "user:pass@",
    "[2001:db8::1]",
    "setup.zip",
    "8080",
];

#[test]
fn seeded_random_corpus() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for _ in 0..3000 {
        let mut data = Vec::new();
        if rng.below(4) == 0 {
            for _ in 0..rng.below(200) {
                data.push(rng.next() as u8);
            }
        } else {
            for _ in 0..rng.below(40) {
                data.extend_from_slice(FRAGMENTS[rng.below(FRAGMENTS.len())].as_bytes());
            }
        }
        fuzz_one(&data);
    }
}

#[test]
fn regressions() {
    for case in [
        &b""[..],
        b"http://",
        b"http://[",
        b"http://[::1",
        b"hxxp[://]",
        b"a@",
        b"@b.com",
        b"::",
        b"1.2.3.",
        b"\\\\",
        b"C:\\",
        b"%25%",
        b"http://%",
        b"http://a.com/%ff%fe",
        b"\xff\xfe\xfd",
    ] {
        fuzz_one(case);
    }
}
