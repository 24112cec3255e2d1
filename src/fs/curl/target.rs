//! What a `/vsicurl/` filename names: the URL, and the options the
//! filename carries (`/vsicurl?max_retry=3&url=http%3A%2F%2F...`).

use crate::error::{cple, cpl_error, ErrorClass};
use crate::net::{options::path_option, HttpOptions, RetryPolicy};

/// The two prefixes `/vsicurl/` answers to.
pub const PREFIX: &str = "/vsicurl/";
pub const QUERY_PREFIX: &str = "/vsicurl?";

/// A parsed filename.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: String,
    /// GDAL's HTTP options: config options, then the filename's.
    pub options: HttpOptions,
    pub retry: RetryPolicy,
    /// `use_head` / `CPL_VSIL_CURL_USE_HEAD`.
    pub use_head: bool,
    pub use_redirect_url_if_no_query_string_params: bool,
    /// `list_dir=no` turns directory listing off.
    pub list_dir: bool,
    /// `empty_dir=yes`: the directory lists as empty, without a request.
    pub empty_dir: bool,
}

/// Keys passed through to the HTTP options as they are.
const HTTP_KEYS: &[&str] = &[
    "useragent",
    "referer",
    "cookie",
    "header_file",
    "unsafessl",
    "timeout",
    "connecttimeout",
    "low_speed_time",
    "low_speed_limit",
    "proxy",
    "proxyauth",
    "proxyuserpwd",
];

fn starts_with_scheme(s: &str) -> bool {
    ["http://", "https://", "ftp://", "file://"].iter().any(|p| s.starts_with(p))
}

/// The part after `/vsicurl/` or `/vsicurl?`, if `path` has either.
pub fn strip_prefix(path: &str) -> Option<&str> {
    path.strip_prefix(PREFIX).or_else(|| path.strip_prefix(QUERY_PREFIX))
}

/// Parses `path`; `warn` reports unknown options and a missing URL as GDAL
/// does (set false for internal re-parses).
pub fn parse(path: &str, warn: bool) -> Target {
    let mut options = HttpOptions::from_config(path);
    let mut t = Target {
        url: path.to_string(),
        options: HttpOptions::default(),
        retry: RetryPolicy::default(),
        use_head: crate::config::get_bool("CPL_VSIL_CURL_USE_HEAD", true),
        use_redirect_url_if_no_query_string_params: false,
        list_dir: true,
        empty_dir: false,
    };
    let mut retry = RetryPolicy::from_options(&options);
    if let Some(rest) = strip_prefix(path) {
        if starts_with_scheme(rest) {
            t.url = rest.to_string();
        } else {
            let rest = rest.strip_prefix('?').unwrap_or(rest);
            let mut url = None;
            let mut headers = String::new();
            for token in rest.split('&').filter(|s| !s.is_empty()) {
                let token = crate::net::percent_decode(token);
                // CPLParseNameValue: the first '=' or ':' separates.
                let Some(sep) = token.find(['=', ':']) else { continue };
                let (key, value) = (&token[..sep], &token[sep + 1..]);
                let k = key.to_ascii_lowercase();
                match k.as_str() {
                    "max_retry" => retry.max_retry = crate::net::retry::atoi(value).max(0) as u32,
                    "retry_delay" => retry.initial_delay = crate::net::retry::atof(value),
                    "retry_codes" => retry.codes = Some(value.to_string()),
                    "use_head" => t.use_head = crate::config::parse_bool(value),
                    "use_redirect_url_if_no_query_string_params" => {
                        t.use_redirect_url_if_no_query_string_params = crate::config::parse_bool(value)
                    }
                    "list_dir" => t.list_dir = crate::config::parse_bool(value),
                    "empty_dir" => t.empty_dir = crate::config::parse_bool(value),
                    "url" => url = Some(value.to_string()),
                    "pc_url_signing" | "pc_collection" => {
                        if warn {
                            cpl_error(
                                ErrorClass::Warning,
                                cple::NOT_SUPPORTED,
                                &format!("Unsupported option: {key} (Planetary Computer signing is not implemented)"),
                            );
                        }
                    }
                    _ if HTTP_KEYS.contains(&k.as_str()) => options.set(key, value),
                    _ if k.starts_with("header.") => {
                        headers.push_str(&key["header.".len()..]);
                        headers.push(':');
                        headers.push_str(value);
                        headers.push_str("\r\n");
                    }
                    _ => {
                        if warn {
                            cpl_error(ErrorClass::Warning, cple::NOT_SUPPORTED, &format!("Unsupported option: {key}"));
                        }
                    }
                }
            }
            if !headers.is_empty() {
                options.set("HEADERS", &headers);
            }
            match url {
                Some(u) => t.url = u,
                None => {
                    if warn {
                        cpl_error(ErrorClass::Failure, cple::ILLEGAL_ARG, "Missing url parameter");
                    }
                    t.url = rest.to_string();
                }
            }
        }
    }
    t.options = options;
    t.retry = retry;
    t
}

/// The URL of a filename, without warnings.
pub fn url_of(path: &str) -> String {
    parse(path, false).url
}

/// `VSICURL_QUERY_STRING` for `path`, ready to append to its URL.
pub fn query_string(path: &str) -> String {
    let Some(q) = path_option(path, "VSICURL_QUERY_STRING") else { return String::new() };
    if path.ends_with('?') {
        q.strip_prefix('?').unwrap_or(&q).to_string()
    } else if q.starts_with('?') {
        q
    } else {
        format!("?{q}")
    }
}

/// `CPL_VSIL_CURL_ALLOWED_FILENAME` and `CPL_VSIL_CURL_ALLOWED_EXTENSIONS`:
/// whether `path` may be accessed at all.
pub fn is_allowed(path: &str) -> bool {
    if let Some(only) = crate::config::get("CPL_VSIL_CURL_ALLOWED_FILENAME") {
        return path == only;
    }
    let Some(exts) = crate::config::get("CPL_VSIL_CURL_ALLOWED_EXTENSIONS") else { return true };
    let name = path.split('?').next().unwrap_or(path);
    exts.split([',', ' ']).filter(|e| !e.is_empty()).any(|ext| {
        if ext.eq_ignore_ascii_case("{noext}") {
            name.rfind('/').is_some_and(|i| !name[i..].contains('.'))
        } else {
            name.len() > ext.len()
                && name.is_char_boundary(name.len() - ext.len())
                && name[name.len() - ext.len()..].eq_ignore_ascii_case(ext)
        }
    })
}

/// True for URLs signed the S3 way (GDAL's `VSICurlIsS3LikeSignedURL`).
pub fn is_s3_like_signed(url: &str) -> bool {
    let hosts = [
        ".s3.amazonaws.com/",
        ".s3.amazonaws.com:",
        ".storage.googleapis.com/",
        ".storage.googleapis.com:",
        ".cloudfront.net/",
        ".cloudfront.net:",
    ];
    (hosts.iter().any(|h| url.contains(h)) && (url.contains("&Signature=") || url.contains("?Signature=")))
        || url.contains("&X-Amz-Signature=")
        || url.contains("?X-Amz-Signature=")
}

/// When a signed URL expires (Unix time): `Expires=`, or `X-Amz-Date` plus
/// `X-Amz-Expires`; 0 when it does not say.
pub fn signed_url_expiry(url: &str) -> i64 {
    let param = |key: &str| -> Option<&str> {
        ["&", "?"].iter().find_map(|p| {
            let needle = format!("{p}{key}=");
            url.find(&needle).map(|i| &url[i + needle.len()..])
        })
    };
    if let Some(v) = param("Expires") {
        return crate::net::retry::atoi(v);
    }
    let Some(delay) = param("X-Amz-Expires").map(crate::net::retry::atoi) else { return 0 };
    let Some(date) = param("X-Amz-Date") else { return 0 };
    let b = date.as_bytes();
    if b.len() < 16 || b[15] != b'Z' {
        return 0;
    }
    let n = |r: std::ops::Range<usize>| date.get(r).and_then(|s| s.parse::<u32>().ok()).unwrap_or(0);
    crate::net::unix_time(n(0..4) as i64, n(4..6), n(6..8), n(9..11), n(11..13), n(13..15)) + delay
}

/// `scheme://host[:port]` of a URL, for same-host checks.
pub fn server_of(url: &str) -> &str {
    let after = if url.starts_with("http://") {
        7
    } else if url.starts_with("https://") {
        8
    } else {
        0
    };
    match url[after..].find('/') {
        Some(i) => &url[after..after + i],
        None => &url[after..],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_option_forms() {
        let t = parse("/vsicurl/http://example.com/a.tif", true);
        assert_eq!(t.url, "http://example.com/a.tif");
        let t = parse(
            "/vsicurl?max_retry=3&retry_delay=0.5&list_dir=no&use_head=no&timeout=7&header.X-Key=abc&url=http%3A%2F%2Fh%2Fa%3Fb%3D1%26c%3D2",
            true,
        );
        assert_eq!(t.url, "http://h/a?b=1&c=2");
        assert_eq!((t.retry.max_retry, t.retry.initial_delay), (3, 0.5));
        assert!(!t.list_dir && !t.use_head);
        assert_eq!(t.options.get("TIMEOUT"), Some("7"));
        assert_eq!(t.options.get("HEADERS"), Some("X-Key:abc\r\n"));
        let t = parse("/vsicurl/?url=ftp://h/x", true);
        assert_eq!(t.url, "ftp://h/x");
        let t = parse("/vsicurl/file:///tmp/x", true);
        assert_eq!(t.url, "file:///tmp/x");
    }

    #[test]
    fn missing_url_is_an_error_and_the_rest_is_used() {
        crate::error::reset_cpl_error();
        let t = parse("/vsicurl?foo=bar", false);
        assert_eq!(t.url, "foo=bar");
    }

    #[test]
    fn allowed_extensions() {
        crate::config::set_thread_local("CPL_VSIL_CURL_ALLOWED_EXTENSIONS", Some(".tif, .TXT {noext}"));
        assert!(is_allowed("/vsicurl/http://h/a.TIF"));
        assert!(is_allowed("/vsicurl/http://h/a.tif?sig=1"));
        assert!(is_allowed("/vsicurl/http://h/README"));
        assert!(!is_allowed("/vsicurl/http://h/a.jpg"));
        crate::config::set_thread_local("CPL_VSIL_CURL_ALLOWED_EXTENSIONS", None);
        crate::config::set_thread_local("CPL_VSIL_CURL_ALLOWED_FILENAME", Some("/vsicurl/http://h/only"));
        assert!(is_allowed("/vsicurl/http://h/only"));
        assert!(!is_allowed("/vsicurl/http://h/other"));
        crate::config::set_thread_local("CPL_VSIL_CURL_ALLOWED_FILENAME", None);
        assert!(is_allowed("/vsicurl/http://h/a.jpg"));
    }

    #[test]
    fn signed_urls() {
        let s = "https://b.s3.amazonaws.com/k?AWSAccessKeyId=x&Expires=1500000000&Signature=y";
        assert!(is_s3_like_signed(s));
        assert_eq!(signed_url_expiry(s), 1500000000);
        let v4 = "http://127.0.0.1:8080/k?X-Amz-Date=20150101T000000Z&X-Amz-Expires=3600&X-Amz-Signature=z";
        assert!(is_s3_like_signed(v4));
        assert_eq!(signed_url_expiry(v4), 1420070400 + 3600);
        assert!(!is_s3_like_signed("http://h/a?Signature=1"));
        assert_eq!(server_of("https://h:1/a/b"), "h:1");
    }
}
