//! Reading the schema columns of a process log into plain vectors: times as
//! UTC nanoseconds, ids and names as interned codes.

use crate::error::{Error, PolarsContext, Result};
use polars::prelude::*;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A small fast hasher (the Fx hash of rustc) for the builder's integer
/// and short-string keys; the data cannot choose the keys' hash seeds
/// usefully against a fixed tree build, and the maps are local to one call.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A `HashMap` with [`FxHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Code of a null id or name.
pub(crate) const NULL: u32 = u32::MAX;

/// Distinct strings, each with a `u32` code.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    map: FastMap<String, u32>,
    pub(crate) values: Vec<String>,
}

impl Interner {
    pub(crate) fn intern(&mut self, s: &str) -> u32 {
        if let Some(&c) = self.map.get(s) {
            return c;
        }
        let c = self.values.len() as u32;
        self.values.push(s.to_string());
        self.map.insert(s.to_string(), c);
        c
    }

    pub(crate) fn get(&self, code: u32) -> Option<&str> {
        self.values.get(code as usize).map(String::as_str)
    }
}

fn column<'a>(df: &'a DataFrame, name: &str, what: &str) -> Result<&'a Column> {
    df.column(name).map_err(|_| {
        Error::column_not_found(name, what, df.get_column_names().iter().map(|c| c.as_str()))
    })
}

/// A column as strings, with integral floats (`22536.0`, as pandas writes
/// integer columns that held nulls) written as integers.
pub(crate) fn as_text(df: &DataFrame, name: &str) -> Result<StringChunked> {
    let col = column(df, name, "process events")?;
    let ctx = || format!("reading column '{name}' as text");
    let s = col.as_materialized_series();
    let s = match s.dtype() {
        DataType::String => return Ok(s.str().ctx(ctx())?.clone()),
        DataType::Float32 | DataType::Float64 => {
            let f = s.cast(&DataType::Float64).ctx(ctx())?;
            let all_integral = f
                .f64()
                .ctx(ctx())?
                .iter()
                .flatten()
                .all(|v| v.fract() == 0.0 && v.abs() < 9.0e15);
            if all_integral {
                f.cast(&DataType::Int64).ctx(ctx())?
            } else {
                f
            }
        }
        _ => s.clone(),
    };
    let s = s.cast(&DataType::String).ctx(ctx())?;
    Ok(s.str().ctx(ctx())?.clone())
}

/// Codes of a column's values in `interner`, `NULL` for null (and for the
/// empty string when `empty_is_null`).
pub(crate) fn codes(
    text: &StringChunked,
    interner: &mut Interner,
    lowercase: bool,
    empty_is_null: bool,
) -> Vec<u32> {
    let mut local: FastMap<&str, u32> = FastMap::default();
    let mut out = Vec::with_capacity(text.len());
    for v in text.iter() {
        let code = match v {
            None => NULL,
            Some("") if empty_is_null => NULL,
            Some(s) => match local.get(s) {
                Some(&c) => c,
                None => {
                    let c = if lowercase {
                        interner.intern(&s.to_lowercase())
                    } else {
                        interner.intern(s)
                    };
                    local.insert(s, c);
                    c
                }
            },
        };
        out.push(code);
    }
    out
}

/// Times of a column as UTC nanoseconds since the epoch (`None` for null).
///
/// Datetimes keep their instant (a naive datetime is taken as UTC, as
/// MSTICPy does); text is parsed as ISO 8601 / RFC 3339 (`T` or space,
/// up to 9 fraction digits, `Z`, `±HH:MM`, `±HHMM` or ` UTC`), RFC 2822,
/// or osquery's `Thu Mar 16 03:08:58 2023 UTC`; integers are epoch seconds,
/// milliseconds, microseconds or nanoseconds by magnitude. Text that does
/// not parse is an error naming the column, the row and the value.
pub(crate) fn times_ns(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>> {
    let col = column(df, name, "the events")?;
    let ctx = || format!("reading time column '{name}'");
    let s = col.as_materialized_series();
    match s.dtype() {
        DataType::Datetime(unit, _) => {
            let mul = match unit {
                TimeUnit::Nanoseconds => 1,
                TimeUnit::Microseconds => 1_000,
                TimeUnit::Milliseconds => 1_000_000,
            };
            let ca = s.datetime().ctx(ctx())?;
            Ok(ca
                .physical()
                .iter()
                .map(|v| v.map(|v| v.saturating_mul(mul)))
                .collect())
        }
        DataType::Date => {
            let phys = s.cast(&DataType::Int32).ctx(ctx())?;
            Ok(phys
                .i32()
                .ctx(ctx())?
                .iter()
                .map(|v| v.map(|d| i64::from(d) * 86_400_000_000_000))
                .collect())
        }
        DataType::String => {
            let ca = s.str().ctx(ctx())?;
            let mut out = Vec::with_capacity(ca.len());
            for (row, v) in ca.iter().enumerate() {
                out.push(match v.map(str::trim) {
                    None | Some("") => None,
                    Some(text) => Some(parse_time(text).ok_or_else(|| {
                        Error::invalid(
                            format!("time column '{name}' row {row}"),
                            format!("cannot parse '{text}' as a date and time"),
                        )
                    })?),
                });
            }
            Ok(out)
        }
        dt if dt.is_integer() => {
            let i = s.cast(&DataType::Int64).ctx(ctx())?;
            Ok(i.i64()
                .ctx(ctx())?
                .iter()
                .map(|v| v.map(epoch_to_ns))
                .collect())
        }
        dt if dt.is_float() => {
            let f = s.cast(&DataType::Float64).ctx(ctx())?;
            Ok(f.f64()
                .ctx(ctx())?
                .iter()
                .map(|v| v.filter(|x| x.is_finite()).map(float_epoch_to_ns))
                .collect())
        }
        other => Err(Error::invalid(
            format!("time column '{name}'"),
            format!("has type {other}; expected a datetime or text"),
        )),
    }
}

/// Fractional epoch seconds, milliseconds, microseconds or nanoseconds
/// (by magnitude, as [`epoch_to_ns`]) to nanoseconds.
fn float_epoch_to_ns(x: f64) -> i64 {
    let a = x.abs();
    if a < 1e11 {
        (x * 1e9) as i64
    } else if a < 1e14 {
        (x * 1e6) as i64
    } else if a < 1e17 {
        (x * 1e3) as i64
    } else {
        x as i64
    }
}

fn epoch_to_ns(v: i64) -> i64 {
    let a = v.unsigned_abs();
    if a < 100_000_000_000 {
        v.saturating_mul(1_000_000_000)
    } else if a < 100_000_000_000_000 {
        v.saturating_mul(1_000_000)
    } else if a < 100_000_000_000_000_000 {
        v.saturating_mul(1_000)
    } else {
        v
    }
}

fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0i64, |a, d| a * 10 + i64::from(d - b'0')))
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses the timestamp formats process logs use, to UTC nanoseconds.
pub(crate) fn parse_time(text: &str) -> Option<i64> {
    parse_iso(text).or_else(|| parse_other(text))
}

fn parse_iso(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = digits(&b[0..4])?;
    let mo = digits(&b[5..7])?;
    let d = digits(&b[8..10])?;
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let mut ns = days_from_civil(y, mo, d) * 86_400_000_000_000;
    let mut rest = &b[10..];
    if rest.is_empty() {
        return Some(ns);
    }
    if rest[0] != b'T' && rest[0] != b' ' {
        return None;
    }
    rest = &rest[1..];
    if rest.len() < 5 || rest[2] != b':' {
        return None;
    }
    let h = digits(&rest[0..2])?;
    let mi = digits(&rest[3..5])?;
    rest = &rest[5..];
    let mut sec = 0;
    if rest.first() == Some(&b':') {
        sec = digits(rest.get(1..3)?)?;
        rest = &rest[3..];
    }
    if h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    ns += (h * 3600 + mi * 60 + sec) * 1_000_000_000;
    if matches!(rest.first(), Some(b'.') | Some(b',')) {
        let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        let frac = &rest[1..1 + n];
        let mut f = 0i64;
        for (i, c) in frac.iter().take(9).enumerate() {
            f += i64::from(c - b'0') * 10i64.pow(8 - i as u32);
        }
        ns += f;
        rest = &rest[1 + n..];
    }
    let tz = std::str::from_utf8(rest).ok()?.trim();
    let offset_s = match tz {
        "" | "Z" | "z" | "UTC" | "GMT" | "+00:00" | "+0000" => 0,
        t => {
            let t = t.strip_prefix("UTC").unwrap_or(t);
            let tb = t.as_bytes();
            let sign = match tb.first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let body: Vec<u8> = tb[1..].iter().copied().filter(|c| *c != b':').collect();
            if body.len() != 4 && body.len() != 2 {
                return None;
            }
            let oh = digits(&body[0..2])?;
            let om = if body.len() == 4 {
                digits(&body[2..4])?
            } else {
                0
            };
            sign * (oh * 3600 + om * 60)
        }
    };
    Some(ns - offset_s * 1_000_000_000)
}

fn parse_other(text: &str) -> Option<i64> {
    use chrono::{DateTime, NaiveDateTime};
    let to_ns = |dt: DateTime<chrono::FixedOffset>| dt.timestamp_nanos_opt();
    if let Ok(dt) = DateTime::parse_from_rfc2822(text) {
        return to_ns(dt);
    }
    let t = text
        .strip_suffix(" UTC")
        .or_else(|| text.strip_suffix(" GMT"))
        .unwrap_or(text);
    for fmt in [
        "%a %b %e %H:%M:%S %Y",
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %I:%M %p",
        "%m/%d/%Y %H:%M:%S%.f",
        "%m/%d/%Y %H:%M",
        "%d/%m/%Y %H:%M:%S%.f",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(t, fmt) {
            return n.and_utc().timestamp_nanos_opt();
        }
    }
    None
}

/// Rounds nanoseconds to 10 µs, halves to even (pandas `dt.round("10us")`).
pub(crate) fn round_10us(ns: i64) -> i64 {
    const U: i64 = 10_000;
    let q = ns.div_euclid(U);
    let r = ns.rem_euclid(U);
    let q = match (r * 2).cmp(&U) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q & 1),
    };
    q * U
}

/// `%Y-%m-%d %H:%M:%S.%f` of UTC nanoseconds (microsecond precision), the
/// time part of MSTICPy's process keys.
pub(crate) fn key_time(ns: i64, out: &mut String) {
    let secs = ns.div_euclid(1_000_000_000);
    let micros = ns.rem_euclid(1_000_000_000) / 1_000;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    push_num(out, y, 4);
    out.push('-');
    push_num(out, m, 2);
    out.push('-');
    push_num(out, d, 2);
    out.push(' ');
    push_num(out, sod / 3600, 2);
    out.push(':');
    push_num(out, (sod / 60) % 60, 2);
    out.push(':');
    push_num(out, sod % 60, 2);
    out.push('.');
    push_num(out, micros, 6);
}

/// Appends `v` zero-padded to `width` digits.
pub(crate) fn push_num(out: &mut String, v: i64, width: usize) {
    if v < 0 {
        out.push('-');
    }
    let mut buf = [b'0'; 20];
    let mut x = v.unsigned_abs();
    let mut i = buf.len();
    while x > 0 {
        i -= 1;
        buf[i] = b'0' + (x % 10) as u8;
        x /= 10;
    }
    let digits = (buf.len() - i).max(1);
    for _ in digits..width {
        out.push('0');
    }
    let start = buf.len() - digits;
    out.extend(buf[start..].iter().map(|&b| b as char));
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(ns: i64) -> String {
        let mut s = String::new();
        key_time(ns, &mut s);
        s
    }

    #[test]
    fn parses_log_time_formats() {
        let t = 1_709_539_201_040_000_000; // 2024-03-04T08:00:01.04Z
        assert_eq!(parse_time("2024-03-04T08:00:01.040000+0000"), Some(t));
        assert_eq!(parse_time("2024-03-04 08:00:01.04+00:00"), Some(t));
        assert_eq!(
            parse_time("2024-03-04T09:00:01.040Z"),
            Some(t + 3_600_000_000_000)
        );
        assert_eq!(parse_time("2024-03-04T10:00:01.04+02:00"), Some(t));
        assert_eq!(
            parse_time("2021-12-15 23:00:03.449464400+00:00"),
            Some(1_639_609_203_449_464_400)
        );
        assert_eq!(
            parse_time("2021-04-01 05:04:58.000000"),
            Some(1_617_253_498_000_000_000)
        );
        assert_eq!(
            parse_time("Thu Mar 16 03:08:58 2023 UTC"),
            Some(1_678_936_138_000_000_000)
        );
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time("2024-13-04 08:00:01"), None);
        assert_eq!(parse_time("2024-03-04 08:00:01 +2"), None);
    }

    #[test]
    fn rounds_like_pandas() {
        assert_eq!(round_10us(15_000), 20_000); // 1.5 -> 2
        assert_eq!(round_10us(25_000), 20_000); // 2.5 -> 2
        assert_eq!(round_10us(25_001), 30_000);
        assert_eq!(round_10us(-15_000), -20_000);
        assert_eq!(key(1_639_609_203_449_464_400), "2021-12-15 23:00:03.449464");
        assert_eq!(
            key(round_10us(1_639_609_203_449_464_400)),
            "2021-12-15 23:00:03.449460"
        );
        assert_eq!(key(0), "1970-01-01 00:00:00.000000");
        assert_eq!(key(-1_000), "1969-12-31 23:59:59.999999");
    }
}
