//! The HTTP options of one file or request (`CPLHTTPGetOptionsFromEnv`):
//! collected from config options under GDAL's names, overridden by options
//! given in a filename (`/vsicurl?timeout=5&url=...`), and read by the
//! client when it configures a transfer. Values that are secrets never
//! appear in `Debug` output or messages.

use std::fmt;

/// Config option names and the internal keys they fill (§1.1). For
/// `CAINFO`, the first of its three names that is set wins.
const CONFIG_KEYS: &[(&str, &str)] = &[
    ("GDAL_HTTP_VERSION", "HTTP_VERSION"),
    ("GDAL_HTTP_CONNECTTIMEOUT", "CONNECTTIMEOUT"),
    ("GDAL_HTTP_TIMEOUT", "TIMEOUT"),
    ("GDAL_HTTP_LOW_SPEED_TIME", "LOW_SPEED_TIME"),
    ("GDAL_HTTP_LOW_SPEED_LIMIT", "LOW_SPEED_LIMIT"),
    ("GDAL_HTTP_USERPWD", "USERPWD"),
    ("GDAL_HTTP_PROXY", "PROXY"),
    ("GDAL_HTTPS_PROXY", "HTTPS_PROXY"),
    ("GDAL_HTTP_PROXYUSERPWD", "PROXYUSERPWD"),
    ("GDAL_PROXY_AUTH", "PROXYAUTH"),
    ("GDAL_HTTP_NETRC", "NETRC"),
    ("GDAL_HTTP_NETRC_FILE", "NETRC_FILE"),
    ("GDAL_HTTP_MAX_RETRY", "MAX_RETRY"),
    ("GDAL_HTTP_RETRY_DELAY", "RETRY_DELAY"),
    ("GDAL_HTTP_RETRY_CODES", "RETRY_CODES"),
    ("GDAL_CURL_CA_BUNDLE", "CAINFO"),
    ("CURL_CA_BUNDLE", "CAINFO"),
    ("SSL_CERT_FILE", "CAINFO"),
    ("GDAL_HTTP_HEADER_FILE", "HEADER_FILE"),
    ("GDAL_HTTP_CAPATH", "CAPATH"),
    ("GDAL_HTTP_SSL_VERIFYSTATUS", "SSL_VERIFYSTATUS"),
    ("GDAL_HTTP_HEADERS", "HEADERS"),
    ("GDAL_HTTP_AUTH", "HTTPAUTH"),
    ("GDAL_HTTP_BEARER", "HTTP_BEARER"),
    ("GDAL_HTTP_COOKIE", "COOKIE"),
    ("GDAL_HTTP_COOKIEFILE", "COOKIEFILE"),
    ("GDAL_HTTP_COOKIEJAR", "COOKIEJAR"),
    ("GDAL_HTTP_TCP_KEEPALIVE", "TCP_KEEPALIVE"),
    ("GDAL_HTTP_TCP_KEEPIDLE", "TCP_KEEPIDLE"),
    ("GDAL_HTTP_TCP_KEEPINTVL", "TCP_KEEPINTVL"),
    ("GDAL_HTTP_UNSAFESSL", "UNSAFESSL"),
    ("GDAL_HTTP_USERAGENT", "USERAGENT"),
    ("GDAL_HTTP_SSLCERT", "SSLCERT"),
    ("GDAL_HTTP_SSLKEY", "SSLKEY"),
    ("GDAL_HTTP_SSLCERTTYPE", "SSLCERTTYPE"),
    ("GDAL_HTTP_KEYPASSWD", "KEYPASSWD"),
];

/// Keys whose values are secrets.
const SECRET_KEYS: &[&str] = &["USERPWD", "PROXYUSERPWD", "HTTP_BEARER", "KEYPASSWD", "COOKIE"];

/// Reads an option for a file. Config options only for now; the one place
/// where path-specific options (`VSISetPathSpecificOption`) would plug in.
pub fn path_option(_path: &str, key: &str) -> Option<String> {
    crate::config::get(key)
}

/// An ordered set of `KEY=value` HTTP options; keys are case-insensitive and
/// setting a key again replaces it.
#[derive(Clone, Default, PartialEq)]
pub struct HttpOptions {
    items: Vec<(String, String)>,
}

impl HttpOptions {
    /// The options for `path` from the config options of §1.1.
    pub fn from_config(path: &str) -> HttpOptions {
        let mut o = HttpOptions::default();
        for (name, key) in CONFIG_KEYS {
            if o.get(key).is_some() {
                continue;
            }
            if let Some(v) = path_option(path, name) {
                o.set(key, &v);
            }
        }
        o
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.items.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
    }

    pub fn set(&mut self, key: &str, value: &str) {
        let key = key.to_ascii_uppercase();
        match self.items.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value.to_string(),
            None => self.items.push((key, value.to_string())),
        }
    }

    pub fn remove(&mut self, key: &str) {
        self.items.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
    }

    pub fn get_bool(&self, key: &str, default: bool) -> bool {
        self.get(key).map_or(default, crate::config::parse_bool)
    }

    /// Seconds, decimals allowed (`TIMEOUT`, `CONNECTTIMEOUT`).
    pub fn seconds(&self, key: &str) -> Option<std::time::Duration> {
        let v = super::retry::atof(self.get(key)?);
        (v > 0.0).then(|| std::time::Duration::from_secs_f64(v))
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.items.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The extra request headers these options ask for (§1.2): the lines of
    /// `HEADER_FILE` (read again at every request), then `HEADERS`. Without
    /// `AUTHORIZATION_HEADER_ALLOWED`, `Authorization:` lines are dropped.
    pub fn extra_headers(&self) -> crate::Result<Vec<String>> {
        let mut out = Vec::new();
        if let Some(file) = self.get("HEADER_FILE") {
            out.extend(read_header_file(file)?);
        }
        if let Some(h) = self.get("HEADERS") {
            out.extend(split_headers(h));
        }
        if !self.get_bool("AUTHORIZATION_HEADER_ALLOWED", true) {
            out.retain(|h| !starts_with_ci(h, "Authorization:"));
        }
        Ok(out)
    }
}

impl fmt::Debug for HttpOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (k, v) in &self.items {
            if SECRET_KEYS.contains(&k.as_str()) {
                m.entry(k, &"***");
            } else if k == "HEADERS" {
                let lines: Vec<String> = split_headers(v).iter().map(|h| redact_header(h).into_owned()).collect();
                m.entry(k, &lines);
            } else {
                m.entry(k, v);
            }
        }
        m.finish()
    }
}

/// `HEADERS` as header lines: split on CRLF when there is one; a value with
/// a comma but no `:` after it is one legacy header (`Accept: a, b`);
/// otherwise comma-separated items, honouring double quotes.
pub fn split_headers(value: &str) -> Vec<String> {
    if value.contains("\r\n") {
        return value.split("\r\n").filter(|l| !l.is_empty()).map(str::to_string).collect();
    }
    if let Some(comma) = value.find(',') {
        if !value[comma..].contains(':') {
            return vec![value.to_string()];
        }
    } else {
        return if value.is_empty() { Vec::new() } else { vec![value.to_string()] };
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => in_quotes = !in_quotes,
            '\\' if in_quotes => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            ',' if !in_quotes => {
                let item = cur.trim();
                if !item.is_empty() {
                    out.push(item.to_string());
                }
                cur.clear();
            }
            _ => cur.push(c),
        }
    }
    let item = cur.trim();
    if !item.is_empty() {
        out.push(item.to_string());
    }
    out
}

/// Every line of a header file. `/vsi` paths other than `/vsimem/` are
/// refused, as in GDAL.
fn read_header_file(path: &str) -> crate::Result<Vec<String>> {
    use crate::error::{cple, Error, ErrorKind};
    let cannot = || Error::new(ErrorKind::Io, format!("Cannot read {path}")).with_cpl(cple::FILE_IO);
    if path.starts_with("/vsi") && !path.starts_with("/vsimem/") {
        return Err(cannot());
    }
    let text = if path.starts_with("/vsimem/") {
        let mut f = crate::File::open(path).map_err(|_| cannot())?;
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut buf).map_err(|_| cannot())?;
        buf
    } else {
        std::fs::read(path).map_err(|_| cannot())?
    };
    Ok(String::from_utf8_lossy(&text)
        .lines()
        .map(|l| l.trim_end_matches('\r').to_string())
        .filter(|l| !l.is_empty())
        .collect())
}

pub(crate) fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Header names whose values are secrets in logs and messages.
const SECRET_HEADERS: &[&str] =
    &["authorization", "proxy-authorization", "x-amz-security-token", "cookie", "x-goog-user-project-token"];

/// A request header line fit for a log: secret values become `***`.
pub fn redact_header(line: &str) -> std::borrow::Cow<'_, str> {
    if let Some(colon) = line.find(':') {
        let name = line[..colon].trim();
        if SECRET_HEADERS.iter().any(|s| s.eq_ignore_ascii_case(name)) {
            return format!("{}: ***", &line[..colon]).into();
        }
    }
    line.into()
}

/// Query parameters whose values are secrets (signed URLs, SAS tokens).
const SECRET_PARAMS: &[&str] = &[
    "signature",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
    "x-goog-credential",
    "sig",
    "token",
    "access_token",
];

/// A URL fit for a log or message: the password of `user:password@` and the
/// values of signing parameters become `***`.
pub fn redact_url(url: &str) -> String {
    let mut out = url.to_string();
    // user:password@host
    if let Some(scheme_end) = out.find("://") {
        let auth_start = scheme_end + 3;
        let auth_end = out[auth_start..].find(['/', '?', '#']).map_or(out.len(), |i| auth_start + i);
        if let Some(at) = out[auth_start..auth_end].rfind('@') {
            let userinfo = &out[auth_start..auth_start + at];
            if let Some(colon) = userinfo.find(':') {
                out.replace_range(auth_start + colon + 1..auth_start + at, "***");
            }
        }
    }
    let Some(q) = out.find('?') else { return out };
    let (base, query) = out.split_at(q + 1);
    let params: Vec<String> = query
        .split('&')
        .map(|p| match p.split_once('=') {
            Some((k, _)) if SECRET_PARAMS.iter().any(|s| s.eq_ignore_ascii_case(k)) => format!("{k}=***"),
            _ => p.to_string(),
        })
        .collect();
    format!("{base}{}", params.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_come_from_config_with_gdal_names() {
        crate::config::set_thread_local("GDAL_HTTP_TIMEOUT", Some("2.5"));
        crate::config::set_thread_local("CURL_CA_BUNDLE", Some("/b"));
        crate::config::set_thread_local("SSL_CERT_FILE", Some("/c"));
        let o = HttpOptions::from_config("/vsicurl/http://x/y");
        assert_eq!(o.get("timeout"), Some("2.5"));
        assert_eq!(o.seconds("TIMEOUT"), Some(std::time::Duration::from_millis(2500)));
        assert_eq!(o.get("CAINFO"), Some("/b"), "CURL_CA_BUNDLE wins over SSL_CERT_FILE");
        for k in ["GDAL_HTTP_TIMEOUT", "CURL_CA_BUNDLE", "SSL_CERT_FILE"] {
            crate::config::set_thread_local(k, None);
        }
    }

    #[test]
    fn headers_split_like_gdal() {
        assert_eq!(split_headers("A: 1\r\nB: 2\r\n"), vec!["A: 1", "B: 2"]);
        assert_eq!(split_headers("Accept: a, b"), vec!["Accept: a, b"], "legacy single header");
        assert_eq!(split_headers("A: 1,B: 2"), vec!["A: 1", "B: 2"]);
        assert_eq!(split_headers(r#"A: "x,y",B: "q\"z""#), vec!["A: x,y", "B: q\"z"]);
        assert_eq!(split_headers("X-Only: v"), vec!["X-Only: v"]);
        let mut o = HttpOptions::default();
        o.set("HEADERS", "Authorization: Bearer s3cr3t\r\nX-A: 1");
        o.set("AUTHORIZATION_HEADER_ALLOWED", "NO");
        assert_eq!(o.extra_headers().unwrap(), vec!["X-A: 1"]);
    }

    #[test]
    fn header_files_are_read_at_each_request_and_vsi_paths_refused() {
        let mut f = crate::File::create("/vsimem/net_options_headers.txt").unwrap();
        std::io::Write::write_all(&mut f, b"X-One: 1\r\nX-Two: 2\n").unwrap();
        f.close().unwrap();
        let mut o = HttpOptions::default();
        o.set("HEADER_FILE", "/vsimem/net_options_headers.txt");
        o.set("HEADERS", "X-Three: 3");
        assert_eq!(o.extra_headers().unwrap(), vec!["X-One: 1", "X-Two: 2", "X-Three: 3"]);
        crate::unlink("/vsimem/net_options_headers.txt").unwrap();
        assert!(o.extra_headers().unwrap_err().message().starts_with("Cannot read"));
        o.set("HEADER_FILE", "/vsicurl/http://example.com/headers.txt");
        assert!(o.extra_headers().is_err(), "only /vsimem/ among /vsi paths");
    }

    #[test]
    fn secrets_are_redacted() {
        let mut o = HttpOptions::default();
        o.set("USERPWD", "user:hunter2");
        o.set("HEADERS", "Authorization: Basic abc\r\nX-Other: ok");
        let shown = format!("{o:?}");
        assert!(!shown.contains("hunter2") && !shown.contains("Basic abc"), "{shown}");
        assert!(shown.contains("X-Other: ok"));
        assert_eq!(redact_url("http://u:pw@h:8/p?a=1&X-Amz-Signature=abc&sig=q"), "http://u:***@h:8/p?a=1&X-Amz-Signature=***&sig=***");
        assert_eq!(redact_url("https://h/p"), "https://h/p");
        assert_eq!(redact_header("authorization: AWS4 x"), "authorization: ***");
    }
}
