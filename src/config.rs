//! Configuration options, as `CPLSetConfigOption` and friends keep them.
//!
//! Lookup order: this thread's options, then the process-wide ones, then the
//! environment. Every option libvsi reads is listed in [`KNOWN_OPTIONS`] with
//! its default; nothing else in the crate reads the environment directly.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::{CStr, CString};
use std::os::raw::c_char;

use once_cell::sync::Lazy;
use parking_lot::RwLock;

/// An option libvsi understands: its name, its default, and what it does.
pub struct OptionDoc {
    pub name: &'static str,
    pub default: &'static str,
    pub doc: &'static str,
}

/// The one table of options read by libvsi.
pub const KNOWN_OPTIONS: &[OptionDoc] = &[
    OptionDoc { name: "CPL_DEBUG", default: "OFF", doc: "print CPLDebug messages through the default error handler" },
    OptionDoc { name: "CPL_ALLOW_VSISTDIN", default: "YES", doc: "NO makes /vsistdin/ refuse to open or stat" },
    OptionDoc {
        name: "CPL_VSISTDIN_BUFFER_LIMIT",
        default: "1048576",
        doc: "bytes of standard input kept for seeking back (MB/GB suffixes, -1 unlimited); the limit only grows",
    },
    OptionDoc { name: "CPL_VSISTDIN_FILE", default: "stdin", doc: "test hook: a file /vsistdin/ reads instead of standard input" },
    OptionDoc {
        name: "CPL_VSISTDIN_RESET_POSITION",
        default: "NO",
        doc: "test hook: the next /vsistdin/ open starts CPL_VSISTDIN_FILE over from its beginning",
    },
    OptionDoc {
        name: "CPL_VSISTDIN_FILE_CLOSE",
        default: "NO",
        doc: "test hook: closing a /vsistdin/ handle closes CPL_VSISTDIN_FILE (back to standard input)",
    },
    OptionDoc {
        name: "CPL_VSIL_GZIP_WRITE_PROPERTIES",
        default: "YES",
        doc: "NO: /vsigzip/ does not write <file>.properties (compressed and uncompressed sizes) after decoding to the end",
    },
    OptionDoc {
        name: "CPL_VSIL_ZIP_ALLOWED_EXTENSIONS",
        default: "",
        doc: "extra extensions (comma or space separated) that mark a zip archive in /vsizip/ paths",
    },
    OptionDoc {
        name: "CPL_ZIP_ENCODING",
        default: "CP437",
        doc: "encoding of zip member names without a UTF-8 mark (CP437, ISO-8859-1 or UTF-8 in this build)",
    },
    OptionDoc {
        name: "CPL_CURL_VERBOSE",
        default: "NO",
        doc: "network: curl prints every transfer's details to stderr",
    },
    OptionDoc {
        name: "CPL_VSIL_CURL_ALLOWED_EXTENSIONS",
        default: "",
        doc: "/vsicurl/: comma or space separated suffixes (or {noext}) of the only names that may be opened or stat'ed",
    },
    OptionDoc {
        name: "CPL_VSIL_CURL_ALLOWED_FILENAME",
        default: "",
        doc: "/vsicurl/: the only filename that may be opened or stat'ed",
    },
    OptionDoc {
        name: "CPL_VSIL_CURL_AUTHORIZATION_HEADER_ALLOWED_IF_REDIRECT",
        default: "IF_SAME_HOST",
        doc: "network: whether Authorization goes to a redirect target (YES, NO or IF_SAME_HOST)",
    },
    OptionDoc {
        name: "CPL_VSIL_CURL_CACHE_SIZE",
        default: "16384000",
        doc: "/vsicurl/: bytes of downloaded blocks the process keeps (shared by all handles; KB/MB/GB suffixes)",
    },
    OptionDoc {
        name: "CPL_VSIL_CURL_CHUNK_SIZE",
        default: "16384",
        doc: "/vsicurl/: bytes of the smallest download, in [1024, 10 MiB]; sequential reads grow it up to 128 times",
    },
    OptionDoc {
        name: "CPL_VSIL_CURL_HONOR_CACHE_CONTROL",
        default: "YES",
        doc: "/vsicurl/: a 'Cache-Control: no-cache' answer makes the file non-cached",
    },
    OptionDoc {
        name: "CPL_VSIL_CURL_NON_CACHED",
        default: "",
        doc: "/vsicurl/: colon-separated filename prefixes whose cached data is dropped when the file is closed",
    },
    OptionDoc {
        name: "CPL_VSIL_CURL_SLOW_GET_SIZE",
        default: "YES",
        doc: "/vsicurl/: stat asks the server for a size it does not know yet",
    },
    OptionDoc {
        name: "CPL_VSIL_CURL_USE_HEAD",
        default: "YES",
        doc: "/vsicurl/: probe size and existence with HEAD (NO: a GET whose body is dropped)",
    },
    OptionDoc {
        name: "CPL_VSIL_CURL_USE_S3_REDIRECT",
        default: "YES",
        doc: "/vsicurl/: reuse a redirect to a signed URL until it expires",
    },
    OptionDoc {
        name: "CPL_VSIL_NETWORK_STATS_ENABLED",
        default: "NO",
        doc: "collect the statistics of VSINetworkStatsGetAsSerializedJSON (read again after VSINetworkStatsReset)",
    },
    OptionDoc {
        name: "CPL_VSIL_SHOW_NETWORK_STATS",
        default: "NO",
        doc: "print the network statistics to stdout at process exit (implies CPL_VSIL_NETWORK_STATS_ENABLED)",
    },
    OptionDoc {
        name: "CURL_CA_BUNDLE",
        default: "",
        doc: "network: CA certificate bundle (after GDAL_CURL_CA_BUNDLE, before SSL_CERT_FILE)",
    },
    OptionDoc {
        name: "GDAL_CURL_CA_BUNDLE",
        default: "",
        doc: "network: CA certificate bundle (first of the three names)",
    },
    OptionDoc {
        name: "GDAL_DISABLE_READDIR_ON_OPEN",
        default: "NO",
        doc: "/vsicurl/: YES or EMPTY_DIR skips listing the parent directory on open (then a HEAD checks the file)",
    },
    OptionDoc {
        name: "GDAL_HTTPS_PROXY",
        default: "",
        doc: "network: proxy for https URLs (overrides GDAL_HTTP_PROXY for them)",
    },
    OptionDoc {
        name: "GDAL_HTTP_AUTH",
        default: "",
        doc: "network: HTTP authentication scheme: BASIC, NTLM, NEGOTIATE, ANY, ANYSAFE or BEARER",
    },
    OptionDoc { name: "GDAL_HTTP_BEARER", default: "", doc: "network: the token of GDAL_HTTP_AUTH=BEARER" },
    OptionDoc { name: "GDAL_HTTP_CAPATH", default: "", doc: "network: folder of CA certificates" },
    OptionDoc {
        name: "GDAL_HTTP_CONNECTTIMEOUT",
        default: "curl's",
        doc: "network: seconds (decimals allowed) to connect before failing",
    },
    OptionDoc { name: "GDAL_HTTP_COOKIE", default: "", doc: "network: Cookie header value" },
    OptionDoc { name: "GDAL_HTTP_COOKIEFILE", default: "", doc: "network: file curl reads cookies from" },
    OptionDoc { name: "GDAL_HTTP_COOKIEJAR", default: "", doc: "network: file curl writes cookies to" },
    OptionDoc {
        name: "GDAL_HTTP_HEADERS",
        default: "",
        doc: "network: extra request headers: lines separated by CRLF, or comma-separated Name: value items",
    },
    OptionDoc {
        name: "GDAL_HTTP_HEADER_FILE",
        default: "",
        doc: "network: file whose lines are extra request headers, read at every request (/vsimem/ allowed, other /vsi refused)",
    },
    OptionDoc { name: "GDAL_HTTP_KEYPASSWD", default: "", doc: "network: passphrase of GDAL_HTTP_SSLKEY" },
    OptionDoc {
        name: "GDAL_HTTP_LOW_SPEED_LIMIT",
        default: "1",
        doc: "network: bytes/s under which GDAL_HTTP_LOW_SPEED_TIME counts",
    },
    OptionDoc {
        name: "GDAL_HTTP_LOW_SPEED_TIME",
        default: "0",
        doc: "network: seconds below GDAL_HTTP_LOW_SPEED_LIMIT after which a transfer fails",
    },
    OptionDoc {
        name: "GDAL_HTTP_MAX_CACHED_CONNECTIONS",
        default: "curl's",
        doc: "network: idle connections kept per session",
    },
    OptionDoc {
        name: "GDAL_HTTP_MAX_RETRY",
        default: "0",
        doc: "network: retries of a transient failure (429, 500, 502, 503, 504, timeouts, resets)",
    },
    OptionDoc {
        name: "GDAL_HTTP_MAX_TOTAL_CONNECTIONS",
        default: "curl's",
        doc: "network: connections open at once per session",
    },
    OptionDoc {
        name: "GDAL_HTTP_MERGE_CONSECUTIVE_RANGES",
        default: "YES",
        doc: "multi-range reads: ranges that touch (or lie within VSIRS_HTTP_MERGE_GAP) share a request",
    },
    OptionDoc {
        name: "GDAL_HTTP_MULTIPLEX",
        default: "YES",
        doc: "multi-range reads: use HTTP/2 multiplexing when the server offers it",
    },
    OptionDoc {
        name: "GDAL_HTTP_MULTIRANGE",
        default: "PARALLEL",
        doc: "multi-range reads: PARALLEL (one request per merged range, all at once) or SERIAL",
    },
    OptionDoc { name: "GDAL_HTTP_NETRC", default: "YES", doc: "network: read credentials from ~/.netrc" },
    OptionDoc { name: "GDAL_HTTP_NETRC_FILE", default: "~/.netrc", doc: "network: the netrc file" },
    OptionDoc { name: "GDAL_HTTP_PROXY", default: "", doc: "network: proxy (host:port)" },
    OptionDoc { name: "GDAL_HTTP_PROXYUSERPWD", default: "", doc: "network: user:password for the proxy" },
    OptionDoc {
        name: "GDAL_HTTP_RETRY_CODES",
        default: "",
        doc: "network: ALL, or a list of HTTP statuses also retried",
    },
    OptionDoc {
        name: "GDAL_HTTP_RETRY_DELAY",
        default: "30",
        doc: "network: seconds before the first retry; each later wait is 2 to 2.5 times longer",
    },
    OptionDoc { name: "GDAL_HTTP_SSLCERT", default: "", doc: "network: client certificate" },
    OptionDoc { name: "GDAL_HTTP_SSLCERTTYPE", default: "PEM", doc: "network: type of GDAL_HTTP_SSLCERT" },
    OptionDoc { name: "GDAL_HTTP_SSLKEY", default: "", doc: "network: client private key" },
    OptionDoc { name: "GDAL_HTTP_SSL_VERIFYSTATUS", default: "NO", doc: "network: require OCSP stapling" },
    OptionDoc { name: "GDAL_HTTP_TCP_KEEPALIVE", default: "NO", doc: "network: TCP keep-alive probes on connections" },
    OptionDoc {
        name: "GDAL_HTTP_TCP_KEEPIDLE",
        default: "60",
        doc: "network: seconds idle before the first keep-alive probe",
    },
    OptionDoc { name: "GDAL_HTTP_TCP_KEEPINTVL", default: "60", doc: "network: seconds between keep-alive probes" },
    OptionDoc {
        name: "GDAL_HTTP_TIMEOUT",
        default: "curl's",
        doc: "network: seconds (decimals allowed) a whole request may take",
    },
    OptionDoc {
        name: "GDAL_HTTP_UNSAFESSL",
        default: "NO",
        doc: "network: YES skips certificate and host name checks",
    },
    OptionDoc { name: "GDAL_HTTP_USERAGENT", default: "", doc: "network: User-Agent header (none by default)" },
    OptionDoc { name: "GDAL_HTTP_USERPWD", default: "", doc: "network: user:password for HTTP authentication" },
    OptionDoc { name: "GDAL_HTTP_VERSION", default: "curl's", doc: "network: 1.0, 1.1, 2, 2TLS or 2PRIOR_KNOWLEDGE" },
    OptionDoc {
        name: "GDAL_INGESTED_BYTES_AT_OPEN",
        default: "1024",
        doc: "network: bytes a ranged GET probe asks for, rounded up to the chunk size",
    },
    OptionDoc {
        name: "GDAL_PROXY_AUTH",
        default: "",
        doc: "network: proxy authentication scheme: BASIC, NTLM, DIGEST, NEGOTIATE, ANY or ANYSAFE",
    },
    OptionDoc { name: "SSL_CERT_FILE", default: "", doc: "network: CA certificate bundle (last of the three names)" },
    OptionDoc {
        name: "VSICURL_QUERY_STRING",
        default: "",
        doc: "/vsicurl/: query string appended to every request URL",
    },
    OptionDoc { name: "VSICRYPT_ADD_KEY_CHECK", default: "NO", doc: "/vsicrypt/ creation: store a key check in the header" },
    OptionDoc { name: "VSICRYPT_ALG", default: "AES", doc: "/vsicrypt/ creation: cipher (AES, DES_EDE2 or DES_EDE3 in this build)" },
    OptionDoc { name: "VSICRYPT_FREETEXT", default: "", doc: "/vsicrypt/ creation: text stored unencrypted in the header" },
    OptionDoc { name: "VSICRYPT_IV", default: "random", doc: "/vsicrypt/ creation: the IV, one block of text (for tests only)" },
    OptionDoc { name: "VSICRYPT_KEY", default: "", doc: "/vsicrypt/ key as text (GENERATE_IT at creation: a random key)" },
    OptionDoc {
        name: "VSICRYPT_KEY_B64",
        default: "",
        doc: "/vsicrypt/ key in Base64, used when VSICRYPT_KEY is unset; receives a generated key",
    },
    OptionDoc { name: "VSICRYPT_MODE", default: "CBC", doc: "/vsicrypt/ creation: CBC, CFB, OFB, CTR or CBC_CTS" },
    OptionDoc { name: "VSICRYPT_SECTOR_SIZE", default: "512", doc: "/vsicrypt/ creation: bytes encrypted together" },
    OptionDoc { name: "VSI_CACHE", default: "NO", doc: "read local files opened \"r\"/\"rb\" through a block cache" },
    OptionDoc { name: "VSI_CACHE_SIZE", default: "25000000", doc: "bytes each VSI_CACHE cache may hold (KB/MB/GB suffixes allowed)" },
    OptionDoc {
        name: "VSIRS_CACHE_TOTAL_LIMIT",
        default: "unset",
        doc: "bytes all block caches of the process may hold together (each keeps at least one block)",
    },
    OptionDoc {
        name: "VSIRS_CURL_READ_AHEAD",
        default: "YES",
        doc: "/vsicurl/: keep up to 3 requests in flight ahead of a sequential reader (within 3/4 of CPL_VSIL_CURL_CACHE_SIZE)",
    },
    OptionDoc {
        name: "VSIRS_HTTP_MERGE_GAP",
        default: "chunk size",
        doc: "multi-range reads: ranges this close share a request (bytes; KB/MB suffixes)",
    },
    OptionDoc {
        name: "VSIRS_INFLATE_INDEX_LIMIT",
        default: "32MB",
        doc: "bytes one deflate checkpoint index (/vsigzip/, /vsizip/ members) may hold; beyond, it keeps every other checkpoint",
    },
    OptionDoc {
        name: "VSIRS_INFLATE_SPACING",
        default: "512KB",
        doc: "uncompressed bytes between checkpoints of a deflate index (random reads decode half of it on average)",
    },
    OptionDoc {
        name: "VSIRS_MEM_REPORT_AT_EXIT",
        default: "NO",
        doc: "at process exit, print to stderr every /vsimem/ file never unlinked and the bytes it holds",
    },
];

static GLOBAL: Lazy<RwLock<HashMap<String, CString>>> = Lazy::new(|| RwLock::new(HashMap::new()));

thread_local! {
    static THREAD_LOCAL: RefCell<HashMap<String, CString>> = RefCell::new(HashMap::new());
}

fn to_c(value: &str) -> CString {
    crate::error::to_cstring(value)
}

/// Option names are case-insensitive, as in GDAL (the environment is not).
fn norm(key: &str) -> String {
    key.to_ascii_uppercase()
}

/// Runs `f` on this thread's options; `None` once they are destroyed (at
/// thread or process exit), so late readers see "unset" instead of a panic.
fn with_thread_local<R>(f: impl FnOnce(&mut HashMap<String, CString>) -> R) -> Option<R> {
    THREAD_LOCAL.try_with(|m| f(&mut m.borrow_mut())).ok()
}

/// `CPLSetConfigOption`: `None` removes the option.
pub fn set(key: &str, value: Option<&str>) {
    let mut map = GLOBAL.write();
    match value {
        Some(v) => {
            map.insert(norm(key), to_c(v));
        }
        None => {
            map.remove(&norm(key));
        }
    }
}

/// `CPLSetThreadLocalConfigOption`: `None` removes the option.
pub fn set_thread_local(key: &str, value: Option<&str>) {
    with_thread_local(|map| match value {
        Some(v) => {
            map.insert(norm(key), to_c(v));
        }
        None => {
            map.remove(&norm(key));
        }
    });
}

/// The effective value of an option, or `None` when it is set nowhere.
pub fn get(key: &str) -> Option<String> {
    if let Some(v) = get_thread_local(key) {
        return Some(v);
    }
    if let Some(v) = get_global(key) {
        return Some(v);
    }
    std::env::var_os(key).map(|v| {
        use std::os::unix::ffi::OsStrExt;
        crate::rawstr::decode(v.as_bytes()).into_owned()
    })
}

pub fn get_thread_local(key: &str) -> Option<String> {
    with_thread_local(|m| m.get(&norm(key)).map(|v| crate::rawstr::decode(v.to_bytes()).into_owned())).flatten()
}

pub fn get_global(key: &str) -> Option<String> {
    GLOBAL.read().get(&norm(key)).map(|v| crate::rawstr::decode(v.to_bytes()).into_owned())
}

/// The option's value, or `default`.
pub fn get_or(key: &str, default: &str) -> String {
    get(key).unwrap_or_else(|| default.to_string())
}

/// GDAL's `CPLTestBool`: NO, FALSE, OFF and 0 (any case) are false, any
/// other value is true.
pub fn parse_bool(value: &str) -> bool {
    !(value.eq_ignore_ascii_case("NO")
        || value.eq_ignore_ascii_case("FALSE")
        || value.eq_ignore_ascii_case("OFF")
        || value == "0")
}

pub fn get_bool(key: &str, default: bool) -> bool {
    get(key).map_or(default, |v| parse_bool(&v))
}

/// Pointer lookups for the C face. Like GDAL's, a pointer stays valid until
/// the same option is set again on the same scope.
pub mod raw {
    use super::*;

    pub fn thread_local_ptr(key: &str) -> Option<*const c_char> {
        with_thread_local(|m| m.get(&norm(key)).map(|v| v.as_ptr())).flatten()
    }

    pub fn global_ptr(key: &str) -> Option<*const c_char> {
        GLOBAL.read().get(&norm(key)).map(|v| v.as_ptr())
    }

    /// `CPLGetConfigOption` without the default: thread-local, global, then
    /// `getenv`.
    pub fn effective_ptr(key: &CStr) -> Option<*const c_char> {
        let name = key.to_str().ok()?;
        if let Some(p) = thread_local_ptr(name).or_else(|| global_ptr(name)) {
            return Some(p);
        }
        // SAFETY: key is a valid C string; getenv returns NULL or a pointer
        // into the environment.
        let p = unsafe { libc::getenv(key.as_ptr()) };
        (!p.is_null()).then_some(p as *const c_char)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_local_overrides_global_which_overrides_env() {
        std::env::set_var("VSIRS_TEST_PRECEDENCE", "env");
        assert_eq!(get("VSIRS_TEST_PRECEDENCE").as_deref(), Some("env"));
        set("VSIRS_TEST_PRECEDENCE", Some("global"));
        assert_eq!(get("VSIRS_TEST_PRECEDENCE").as_deref(), Some("global"));
        set_thread_local("VSIRS_TEST_PRECEDENCE", Some("local"));
        assert_eq!(get("VSIRS_TEST_PRECEDENCE").as_deref(), Some("local"));
        let other = std::thread::spawn(|| get("VSIRS_TEST_PRECEDENCE")).join().unwrap();
        assert_eq!(other.as_deref(), Some("global"));
        set_thread_local("VSIRS_TEST_PRECEDENCE", None);
        set("VSIRS_TEST_PRECEDENCE", None);
        assert_eq!(get("VSIRS_TEST_PRECEDENCE").as_deref(), Some("env"));
    }

    #[test]
    fn names_are_case_insensitive() {
        set("vsirs_test_case", Some("x"));
        assert_eq!(get("VSIRS_TEST_CASE").as_deref(), Some("x"));
        set("VSIRS_Test_Case", None);
        assert_eq!(get_global("vsirs_test_case"), None);
    }

    #[test]
    fn bool_spellings_follow_cpl_test_bool() {
        for no in ["NO", "no", "False", "OFF", "0"] {
            assert!(!parse_bool(no), "{no}");
        }
        for yes in ["YES", "TRUE", "on", "1", "anything"] {
            assert!(parse_bool(yes), "{yes}");
        }
    }
}
