//! The network layer shared by the network file systems: the HTTP client
//! over curl (connection reuse, parallel transfers, GDAL's options and
//! retries), network statistics and per-file request logs, and parsers of
//! directory listings.
//!
//! Handlers above it (`/vsicurl/`, `/vsicurl_streaming/`, the object stores)
//! build [`client::Request`]s and interpret [`client::Response`]s; the
//! caches they keep register here so `VSICurlClearCache` reaches them all.

pub mod client;
pub mod listing;
pub mod options;
pub mod retry;
pub mod stats;

use std::sync::Arc;

use parking_lot::Mutex;

pub use client::{send, send_all, Method, Request, Response, Signer};
pub use options::{redact_url, HttpOptions};
pub use retry::{RetryContext, RetryPolicy};

/// Something that caches network data: the handlers register themselves so
/// `VSICurlClearCache` and `VSICurlPartialClearCache` reach every cache.
pub trait CacheOwner: Send + Sync {
    /// True when `path` belongs to this owner (starts with its prefix).
    fn owns(&self, path: &str) -> bool;
    /// Forgets everything cached.
    fn clear_cache(&self);
    /// Forgets what is cached for paths starting with `prefix`.
    fn partial_clear_cache(&self, prefix: &str);
}

static OWNERS: Mutex<Vec<Arc<dyn CacheOwner>>> = Mutex::new(Vec::new());

pub fn register_cache_owner(owner: Arc<dyn CacheOwner>) {
    OWNERS.lock().push(owner);
}

/// `VSICurlClearCache`: every cache of every network handler, and the idle
/// connections.
pub fn clear_cache() {
    // Make sure the built-in handlers exist (and registered) first.
    let _ = crate::vfs::prefixes();
    let owners = OWNERS.lock().clone();
    for o in owners {
        o.clear_cache();
    }
    client::close_connections();
}

/// `VSICurlPartialClearCache`: what the handler of `prefix` caches below it.
pub fn partial_clear_cache(prefix: &str) {
    let _ = crate::vfs::prefixes();
    let owners = OWNERS.lock().clone();
    for o in owners.iter().filter(|o| o.owns(prefix)) {
        o.partial_clear_cache(prefix);
    }
}

static AUTH_GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// `VSICurlAuthParametersChanged`: cached "does not exist" answers are
/// asked again, since new credentials may change them.
pub fn auth_parameters_changed() {
    AUTH_GENERATION.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
}

pub fn auth_generation() -> u64 {
    AUTH_GENERATION.load(std::sync::atomic::Ordering::Acquire)
}

/// Unix time of a UTC calendar time (no range checks; days may overflow
/// into the next month as with `timegm`).
pub fn unix_time(year: i64, month: u32, day: u32, hour: u32, min: u32, sec: u32) -> i64 {
    // Days from civil (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146097 + doe - 719468;
    days * 86400 + hour as i64 * 3600 + min as i64 * 60 + sec as i64
}

/// The UTC calendar year of a Unix time.
pub fn year_of(unix: i64) -> i64 {
    // Civil from days (Howard Hinnant's algorithm), year only.
    let z = unix.div_euclid(86400) + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    yoe + era * 400 + i64::from(mp >= 10)
}

const SHORT_MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// An RFC 1123 date (`Sun, 03 Apr 2016 12:07:27 GMT`) as Unix time.
pub fn parse_http_date(text: &str) -> Option<i64> {
    let t = text.trim();
    let t = if t.len() >= 5 && t.as_bytes()[3] == b',' { t[4..].trim_start() } else { t };
    let mut parts = t.split_whitespace();
    let day: u32 = parts.next()?.parse().ok()?;
    let month = parts.next()?;
    let month = SHORT_MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month))? as u32 + 1;
    let year: i64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':');
    let h: u32 = hms.next()?.parse().ok()?;
    let mi: u32 = hms.next()?.parse().ok()?;
    let s: u32 = hms.next()?.parse().ok()?;
    Some(unix_time(year, month, day, h, mi, s))
}

/// `YYYY-MM-DDTHH:MM:SS...` as Unix time (UTC).
pub fn parse_iso8601(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| text.get(r)?.parse::<u32>().ok();
    Some(unix_time(n(0..4)? as i64, n(5..7)?, n(8..10)?, n(11..13)?, n(14..16)?, n(17..19)?))
}

/// `CPLUnescapeString(..., CPLES_URL)`: `%XX` decoded, nothing else (`+`
/// stays `+`).
pub fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// `CPLEscapeString(..., CPLES_URL)`: everything but letters, digits and
/// `$-_.+!*'(),` as `%XX`.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || b"$-_.+!*'(),".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(unix_time(1970, 1, 1, 0, 0, 0), 0);
        assert_eq!(parse_http_date("Sun, 03 Apr 2016 12:07:27 GMT"), Some(1459685247));
        assert_eq!(parse_iso8601("2015-01-01T00:00:00.000Z"), Some(1420070400));
        assert_eq!(parse_http_date("garbage"), None);
        assert_eq!(year_of(0), 1970);
        assert_eq!(year_of(unix_time(2024, 12, 31, 23, 59, 59)), 2024);
        assert_eq!(year_of(unix_time(2025, 1, 1, 0, 0, 0)), 2025);
    }

    #[test]
    fn url_escaping() {
        assert_eq!(percent_decode("a%20b+c"), "a b+c");
        assert_eq!(percent_encode("a b/c.tif"), "a%20b%2Fc.tif");
    }
}
