//! The HTTP client: requests and responses, a pool of curl sessions that
//! keeps connections alive across requests, handles and threads, and
//! parallel transfers on one curl multi handle.
//!
//! A session is a curl multi handle plus idle easy handles. Connections
//! live in the multi handle's cache, so every request made through a pooled
//! session may reuse a connection opened by an earlier one, whichever
//! thread or file made it. A thread takes a session for the length of one
//! call and gives it back; concurrent calls use different sessions.
//!
//! Retries are the caller's: each flow of GDAL decides differently what a
//! failure means (a HEAD answered 405 becomes a GET, a redirect is retried
//! on its target), so [`send`] makes exactly one attempt per request and
//! [`send_retrying`] wraps the common case.

use std::os::raw::c_long;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use curl::easy::{Easy2, Handler, NetRc, ReadError, WriteError};
use curl::multi::Multi;
use parking_lot::Mutex;

use super::options::{redact_url, starts_with_ci, HttpOptions};
use super::retry::RetryContext;
use super::stats;
use crate::error::{cple, cpl_error, ErrorClass};

/// An HTTP verb.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Put,
    Post,
    Delete,
    Custom(String),
}

impl Method {
    pub fn as_str(&self) -> &str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Custom(s) => s,
        }
    }
}

/// Signs a request just before each attempt, so a retry carries a fresh
/// signature (object stores: SigV4, SharedKey, ...). It sees the final
/// method, URL and header lines, including `Range:`.
pub trait Signer: Send + Sync {
    fn sign(&self, method: &str, url: &str, headers: &mut Vec<String>, body: &[u8]) -> crate::Result<()>;
}

/// Receives body bytes as they arrive; returning false stops the transfer.
pub type BodySink = Box<dyn FnMut(&[u8]) -> bool + Send>;

/// Receives each HTTP response's status and header fields as soon as its
/// header block is complete (redirects and interim answers included), before
/// any of its body; returning false stops the transfer.
pub type HeaderSink = Box<dyn FnMut(u32, &[(String, String)]) -> bool + Send>;

/// Where a request is written in the per-file request log, and why it was
/// made.
#[derive(Debug, Clone)]
pub struct LogTarget {
    pub file: Arc<str>,
    pub cause: std::borrow::Cow<'static, str>,
}

/// One HTTP (or FTP, or file://) request.
pub struct Request {
    pub method: Method,
    pub url: String,
    /// Extra header lines (`Name: value`), sent after the options' headers.
    pub headers: Vec<String>,
    /// Inclusive byte range. Over HTTP it is sent as an explicit `Range:`
    /// header (so signers see it); other schemes use curl's range option.
    pub range: Option<(u64, u64)>,
    pub body: Option<Vec<u8>>,
    pub options: Arc<HttpOptions>,
    pub follow_redirects: bool,
    /// A GET whose body is not wanted: the transfer stops at its first byte.
    pub headers_only: bool,
    pub fetch_filetime: bool,
    /// FTP: names only (`NLST`).
    pub ftp_list_only: bool,
    /// Stop a 200 answer that ignored `range` (GDAL's check: the range does
    /// not start at 0, or the body is over ten times the range).
    pub check_range_support: bool,
    /// Stream the body here instead of buffering it.
    pub sink: Option<BodySink>,
    /// Told each response's status and headers before its body.
    pub header_sink: Option<HeaderSink>,
    pub signer: Option<Arc<dyn Signer>>,
    pub log: Option<LogTarget>,
    /// Count this request in the network statistics (multi-range reads
    /// count once for all their requests, as GDAL does).
    pub count_in_stats: bool,
}

impl Request {
    pub fn new(method: Method, url: impl Into<String>, options: Arc<HttpOptions>) -> Request {
        Request {
            method,
            url: url.into(),
            headers: Vec::new(),
            range: None,
            body: None,
            options,
            follow_redirects: true,
            headers_only: false,
            fetch_filetime: true,
            ftp_list_only: false,
            check_range_support: false,
            sink: None,
            header_sink: None,
            signer: None,
            log: None,
            count_in_stats: true,
        }
    }

    pub fn get(url: impl Into<String>, options: Arc<HttpOptions>) -> Request {
        Request::new(Method::Get, url, options)
    }

    pub fn head(url: impl Into<String>, options: Arc<HttpOptions>) -> Request {
        Request::new(Method::Head, url, options)
    }

    pub fn with_range(mut self, start: u64, end_inclusive: u64) -> Request {
        self.range = Some((start, end_inclusive));
        self
    }

    pub fn with_log(mut self, file: Arc<str>, cause: impl Into<std::borrow::Cow<'static, str>>) -> Request {
        self.log = Some(LogTarget { file, cause: cause.into() });
        self
    }

    fn is_http(&self) -> bool {
        starts_with_ci(&self.url, "http")
    }
}

/// What came back.
#[derive(Debug, Clone, Default)]
pub struct Response {
    /// The last status line's code (the FTP reply code for FTP); 0 when no
    /// answer came (transport error). A successful file:// transfer reports
    /// 200, or 206 for a range.
    pub status: u32,
    /// The first status seen (301 when redirected permanently).
    pub first_status: u32,
    /// Header fields of the final response, in order.
    pub headers: Vec<(String, String)>,
    /// Every header line received, all responses and FTP replies included.
    pub raw_headers: String,
    pub body: Vec<u8>,
    pub effective_url: String,
    /// The transport error, in curl's words.
    pub error: Option<String>,
    /// `Content-Length` as curl understood it.
    pub content_length: Option<u64>,
    /// `Last-Modified` (or the file's time), when asked and known.
    pub filetime: Option<i64>,
    /// The server answered 200 to a range it should have honoured.
    pub range_not_supported: bool,
    /// The sink asked to stop.
    pub stopped: bool,
    pub elapsed: Duration,
    /// Body bytes received, whether buffered or streamed.
    pub body_bytes: u64,
}

impl Response {
    /// A failure that happened before anything was sent.
    pub fn failed(message: impl Into<String>) -> Response {
        Response { error: Some(message.into()), ..Default::default() }
    }

    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The server's clock (`Date:`), as Unix time.
    pub fn date(&self) -> Option<i64> {
        self.header("Date").and_then(super::parse_http_date)
    }

    /// `Content-Range: bytes a-b/N` as (a, b, N); N is `None` for `*`.
    pub fn content_range(&self) -> Option<(u64, u64, Option<u64>)> {
        parse_content_range(self.header("Content-Range")?)
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body (or the headers when there is none), for error parsers and
    /// the retry decision.
    pub fn error_text(&self) -> &[u8] {
        if self.body.is_empty() {
            self.raw_headers.as_bytes()
        } else {
            &self.body
        }
    }
}

/// `bytes a-b/N` (or `bytes a-b/*`).
pub fn parse_content_range(value: &str) -> Option<(u64, u64, Option<u64>)> {
    let v = value.trim();
    let rest = if starts_with_ci(v, "bytes ") { &v[6..] } else { v };
    let (range, total) = rest.split_once('/')?;
    let (a, b) = range.trim().split_once('-')?;
    let total = total.trim();
    let total = if total == "*" { None } else { Some(total.parse().ok()?) };
    Some((a.trim().parse().ok()?, b.trim().parse().ok()?, total))
}

// ---------------------------------------------------------------------------
// The curl side.

/// Per-transfer state behind an easy handle.
#[derive(Default)]
struct Collector {
    is_http: bool,
    body: Vec<u8>,
    block: Vec<(String, String)>,
    raw_headers: String,
    status: u32,
    first_status: u32,
    headers_only: bool,
    range_check: Option<(u64, u64)>,
    range_not_supported: bool,
    sink: Option<BodySink>,
    header_sink: Option<HeaderSink>,
    stopped: bool,
    body_bytes: u64,
    upload: Vec<u8>,
    upload_pos: usize,
    /// Body bytes expected (a range's length), reserved at the first byte.
    expect: usize,
}

impl Handler for Collector {
    fn write(&mut self, data: &[u8]) -> Result<usize, WriteError> {
        if self.headers_only {
            return Ok(0); // stop: only the headers were wanted
        }
        self.body_bytes += data.len() as u64;
        if let Some(sink) = self.sink.as_mut() {
            if !sink(data) {
                self.stopped = true;
                return Ok(0);
            }
            return Ok(data.len());
        }
        if self.body.capacity() == 0 && self.expect > 0 {
            self.body.reserve_exact(self.expect);
        }
        self.body.extend_from_slice(data);
        Ok(data.len())
    }

    fn read(&mut self, data: &mut [u8]) -> Result<usize, ReadError> {
        let n = data.len().min(self.upload.len() - self.upload_pos);
        data[..n].copy_from_slice(&self.upload[self.upload_pos..self.upload_pos + n]);
        self.upload_pos += n;
        Ok(n)
    }

    fn header(&mut self, data: &[u8]) -> bool {
        let line = String::from_utf8_lossy(data);
        self.raw_headers.push_str(&line);
        if self.is_http && starts_with_ci(&line, "HTTP/") {
            let code = line.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
            if self.first_status == 0 {
                self.first_status = code;
            }
            self.status = code;
            self.block.clear();
        } else if line.trim_end_matches(['\r', '\n']).is_empty() {
            if let Some((start, end)) = self.range_check {
                if self.status == 200 && !self.block.iter().any(|(k, _)| k.eq_ignore_ascii_case("Content-Range")) {
                    let length = self
                        .block
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case("Content-Length"))
                        .and_then(|(_, v)| v.trim().parse::<u64>().ok())
                        .unwrap_or(0);
                    if start != 0 || length > 10 * (end - start + 1) {
                        self.range_not_supported = true;
                        return false;
                    }
                }
            }
            if let Some(hs) = self.header_sink.as_mut() {
                if self.is_http && !hs(self.status, &self.block) {
                    self.stopped = true;
                    return false;
                }
            }
        } else if let Some((k, v)) = line.split_once(':') {
            self.block.push((k.trim().to_string(), v.trim().to_string()));
        }
        true
    }
}

/// A curl multi handle and idle easy handles.
struct Session {
    multi: Multi,
    idle: Vec<Easy2<Collector>>,
    generation: u64,
}

// SAFETY: libcurl handles may be used from any thread as long as one thread
// at a time uses them; a session is owned by one caller between take_session
// and put_session, and the pool's mutex hands it over.
unsafe impl Send for Session {}

static POOL: Mutex<Vec<Session>> = Mutex::new(Vec::new());
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// Sessions kept idle at most; more are closed when returned.
const MAX_IDLE_SESSIONS: usize = 32;

fn take_session() -> Session {
    if let Some(s) = POOL.lock().pop() {
        return s;
    }
    let mut multi = Multi::new();
    if let Some(n) = crate::config::get("GDAL_HTTP_MAX_CACHED_CONNECTIONS") {
        let _ = multi.set_max_connects(super::retry::atoi(&n).max(0) as usize);
    }
    if let Some(n) = crate::config::get("GDAL_HTTP_MAX_TOTAL_CONNECTIONS") {
        let _ = multi.set_max_total_connections(super::retry::atoi(&n).max(0) as usize);
    }
    Session { multi, idle: Vec::new(), generation: GENERATION.load(Ordering::Acquire) }
}

fn put_session(session: Session) {
    let mut pool = POOL.lock();
    if session.generation == GENERATION.load(Ordering::Acquire) && pool.len() < MAX_IDLE_SESSIONS {
        pool.push(session);
    }
}

/// Closes every idle connection (`VSICurlClearCache`); sessions in use are
/// closed when they come back.
pub fn close_connections() {
    GENERATION.fetch_add(1, Ordering::AcqRel);
    let sessions = std::mem::take(&mut *POOL.lock());
    drop(sessions);
}

/// Makes one attempt at `req`.
pub fn send(req: &mut Request) -> Response {
    send_all(std::slice::from_mut(req), false).pop().unwrap_or_default()
}

/// Makes one attempt at each request, all in parallel on one multi handle
/// (HTTP/2 streams share a connection when `multiplex`); responses come in
/// the order of the requests.
pub fn send_all(reqs: &mut [Request], multiplex: bool) -> Vec<Response> {
    let mut responses: Vec<Response> = (0..reqs.len()).map(|_| Response::default()).collect();
    if reqs.is_empty() {
        return responses;
    }
    let mut session = take_session();
    let _ = session.multi.pipelining(false, multiplex);
    let mut handles = Vec::with_capacity(reqs.len());
    let started = Instant::now();
    for (i, req) in reqs.iter_mut().enumerate() {
        let mut easy = session.idle.pop().unwrap_or_else(|| Easy2::new(Collector::default()));
        if let Err(message) = configure(&mut easy, req) {
            responses[i] = Response::failed(message);
            session.idle.push(easy);
            continue;
        }
        match session.multi.add2(easy) {
            Ok(mut h) => {
                let _ = h.set_token(i);
                handles.push((i, h));
            }
            Err(e) => responses[i] = Response::failed(format!("cannot start the transfer: {e}")),
        }
    }
    let mut results: Vec<Option<Result<(), curl::Error>>> = (0..reqs.len()).map(|_| None).collect();
    let mut finished: Vec<Option<Instant>> = vec![None; reqs.len()];
    loop {
        let running = match session.multi.perform() {
            Ok(n) => n,
            Err(e) => {
                for (i, _) in &handles {
                    results[*i].get_or_insert(Err(curl::Error::new(curl_sys::CURLE_FAILED_INIT)));
                    responses[*i].error = Some(format!("curl multi error: {e}"));
                }
                break;
            }
        };
        session.multi.messages(|m| {
            if let Ok(token) = m.token() {
                if let Some((_, h)) = handles.iter().find(|(i, _)| *i == token) {
                    results[token] = m.result_for2(h);
                    finished[token] = Some(Instant::now());
                }
            }
        });
        if running == 0 {
            break;
        }
        if session.multi.wait(&mut [], Duration::from_millis(1000)).is_err() {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    for (i, h) in handles {
        let mut easy = match session.multi.remove2(h) {
            Ok(e) => e,
            Err(e) => {
                responses[i] = Response::failed(format!("curl multi error: {e}"));
                continue;
            }
        };
        let mut r = finish(&mut easy, &reqs[i], results[i].take());
        r.elapsed = finished[i].unwrap_or_else(Instant::now) - started;
        // Hand a streaming sink back to its request.
        reqs[i].sink = easy.get_mut().sink.take();
        reqs[i].header_sink = easy.get_mut().header_sink.take();
        *easy.get_mut() = Collector::default();
        session.idle.push(easy);
        responses[i] = r;
    }
    put_session(session);
    for (req, r) in reqs.iter().zip(&responses) {
        record(req, r, started);
    }
    responses
}

/// Sends `req` until it gets an answer below 400, or a failure GDAL does
/// not retry (or the retry budget is spent), warning before each retry as
/// GDAL does.
pub fn send_retrying(req: &mut Request, retry: &mut RetryContext) -> Response {
    loop {
        let r = send(req);
        let answered = r.error.is_none() && r.status != 0 && r.status < 400;
        if answered || !retry.can_retry(r.status, r.error_text(), r.error.as_deref().unwrap_or("")) {
            return r;
        }
        warn_retry(r.status, &req.url, retry.delay());
        retry.sleep();
    }
}

/// GDAL's warning before a retry.
pub fn warn_retry(status: u32, url: &str, delay: f64) {
    cpl_error(
        ErrorClass::Warning,
        cple::APP_DEFINED,
        &format!("HTTP error code: {status} - {}. Retrying again in {delay:.1} secs", redact_url(url)),
    );
}

fn record(req: &Request, r: &Response, started: Instant) {
    let up = req.body.as_ref().map_or(0, |b| b.len() as u64);
    if req.count_in_stats {
        stats::log_method(req.method.as_str(), up, r.body_bytes);
    }
    if let Some(target) = &req.log {
        stats::log_request(
            &target.file,
            stats::LogEntry {
                method: req.method.as_str().to_string(),
                url: redact_url(&req.url),
                range: req.range,
                status: r.status,
                bytes: r.body_bytes,
                start_ms: stats::since_start(started),
                millis: r.elapsed.as_secs_f64() * 1000.0,
                cause: target.cause.to_string(),
                error: r.error.clone().or_else(|| r.range_not_supported.then(|| "range not supported".to_string())),
            },
        );
    }
}

fn finish(easy: &mut Easy2<Collector>, req: &Request, result: Option<Result<(), curl::Error>>) -> Response {
    let mut status = easy.response_code().unwrap_or(0);
    let effective_url = easy.effective_url().ok().flatten().unwrap_or(&req.url).to_string();
    let filetime = easy.filetime().ok().flatten().filter(|&t| t > 0);
    let content_length = easy.content_length_download().ok().filter(|&l| l >= 0.0).map(|l| l as u64);
    let buffered = easy.take_error_buf();
    let c = easy.get_mut();
    let error = match result {
        Some(Ok(())) => None,
        // The transfer was stopped on purpose: not a transport error.
        Some(Err(_)) if c.headers_only || c.stopped => None,
        // The multi interface moves curl's error buffer into the error.
        Some(Err(e)) => Some(
            buffered
                .filter(|s| !s.is_empty())
                .or_else(|| e.extra_description().filter(|s| !s.is_empty()).map(str::to_string))
                .unwrap_or_else(|| e.description().to_string()),
        ),
        None => Some("transfer did not complete".to_string()),
    };
    if status == 0 && error.is_none() && starts_with_ci(&req.url, "file://") {
        status = if req.range.is_some() { 206 } else { 200 };
    }
    let headers = std::mem::take(&mut c.block);
    Response {
        status,
        first_status: if c.first_status == 0 { status } else { c.first_status },
        headers,
        raw_headers: std::mem::take(&mut c.raw_headers),
        body: std::mem::take(&mut c.body),
        effective_url,
        error,
        content_length,
        filetime,
        range_not_supported: c.range_not_supported,
        stopped: c.stopped,
        elapsed: Duration::ZERO,
        body_bytes: c.body_bytes,
    }
}

// Options the curl crate does not wrap (values from curl.h).
const CURLOPT_XOAUTH2_BEARER: curl_sys::CURLoption = curl_sys::CURLOPTTYPE_OBJECTPOINT + 220;
const CURLOPT_SSL_VERIFYSTATUS: curl_sys::CURLoption = curl_sys::CURLOPTTYPE_LONG + 232;
const CURLOPT_SUPPRESS_CONNECT_HEADERS: curl_sys::CURLoption = curl_sys::CURLOPTTYPE_LONG + 265;
const CURLAUTH_BEARER: std::os::raw::c_ulong = 1 << 6;
const CURLFTPMETHOD_SINGLECWD: c_long = 3;

fn setopt_long(easy: &mut Easy2<Collector>, opt: curl_sys::CURLoption, value: c_long) {
    // SAFETY: `opt` takes a long; the handle is valid for the call.
    unsafe {
        curl_sys::curl_easy_setopt(easy.raw(), opt, value);
    }
}

fn setopt_str(easy: &mut Easy2<Collector>, opt: curl_sys::CURLoption, value: &str) {
    let Ok(c) = std::ffi::CString::new(value) else { return };
    // SAFETY: `opt` takes a string, which libcurl copies before returning.
    unsafe {
        curl_sys::curl_easy_setopt(easy.raw(), opt, c.as_ptr());
    }
}

fn warn(message: String) {
    cpl_error(ErrorClass::Warning, cple::APP_DEFINED, &message);
}

fn auth_mask(value: &str, allow_digest: bool) -> Option<std::os::raw::c_ulong> {
    use curl_sys::*;
    Some(match value.to_ascii_uppercase().as_str() {
        "BASIC" => CURLAUTH_BASIC,
        "NTLM" => CURLAUTH_NTLM,
        "ANY" => CURLAUTH_ANY,
        "ANYSAFE" => CURLAUTH_ANYSAFE,
        "NEGOTIATE" => CURLAUTH_GSSNEGOTIATE,
        "DIGEST" if allow_digest => CURLAUTH_DIGEST,
        _ => return None,
    })
}

/// Sets up `easy` for `req`: GDAL's option handling (§1.2), then the
/// request itself.
fn configure(easy: &mut Easy2<Collector>, req: &mut Request) -> Result<(), String> {
    easy.reset();
    let o = req.options.clone();
    let url = req.url.clone();
    easy.url(&url).map_err(|e| format!("{e} ({})", redact_url(&url)))?;
    if crate::config::get_bool("CPL_CURL_VERBOSE", false) {
        let _ = easy.verbose(true);
    }
    if let Some(v) = o.get("HTTP_VERSION") {
        use curl::easy::HttpVersion;
        let version = match v {
            "1.0" => Some(HttpVersion::V10),
            "1.1" => Some(HttpVersion::V11),
            "2" | "2.0" => Some(HttpVersion::V2),
            "2PRIOR_KNOWLEDGE" => Some(HttpVersion::V2PriorKnowledge),
            "2TLS" => Some(HttpVersion::V2TLS),
            _ => {
                warn(format!("HTTP_VERSION={v} not supported"));
                None
            }
        };
        if let Some(version) = version {
            let _ = easy.http_version(version);
        }
    }
    let _ = easy.tcp_nodelay(true);
    let authorization_allowed = o.get_bool("AUTHORIZATION_HEADER_ALLOWED", true);
    if let Some(a) = o.get("HTTPAUTH") {
        if a.eq_ignore_ascii_case("BEARER") {
            if authorization_allowed {
                if let Some(token) = o.get("HTTP_BEARER") {
                    setopt_str(easy, CURLOPT_XOAUTH2_BEARER, token);
                    setopt_long(easy, curl_sys::CURLOPT_HTTPAUTH, CURLAUTH_BEARER as c_long);
                }
            }
        } else if let Some(mask) = auth_mask(a, false) {
            setopt_long(easy, curl_sys::CURLOPT_HTTPAUTH, mask as c_long);
        } else {
            warn(format!("Unsupported HTTPAUTH value '{a}', ignored."));
        }
    }
    if o.get_bool("NETRC", true) {
        let _ = easy.netrc(NetRc::Optional);
        if let Some(f) = o.get("NETRC_FILE") {
            setopt_str(easy, curl_sys::CURLOPT_NETRC_FILE, f);
        }
    }
    if let Some(up) = o.get("USERPWD") {
        setopt_str(easy, curl_sys::CURLOPT_USERPWD, up);
    }
    let https = starts_with_ci(&url, "https");
    if let Some(p) = o.get("HTTPS_PROXY").filter(|_| https).or_else(|| o.get("PROXY")) {
        let _ = easy.proxy(p);
    }
    if let Some(up) = o.get("PROXYUSERPWD") {
        setopt_str(easy, curl_sys::CURLOPT_PROXYUSERPWD, up);
    }
    if let Some(a) = o.get("PROXYAUTH") {
        match auth_mask(a, true) {
            Some(mask) => setopt_long(easy, curl_sys::CURLOPT_PROXYAUTH, mask as c_long),
            None => warn(format!("Unsupported PROXYAUTH value '{a}', ignored.")),
        }
    }
    setopt_long(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1);
    let _ = easy.follow_location(req.follow_redirects);
    let _ = easy.max_redirections(10);
    setopt_long(easy, curl_sys::CURLOPT_POSTREDIR, curl_sys::CURL_REDIR_POST_ALL as c_long);
    let unrestricted = crate::config::get("CPL_VSIL_CURL_AUTHORIZATION_HEADER_ALLOWED_IF_REDIRECT")
        .is_some_and(|v| !v.eq_ignore_ascii_case("IF_SAME_HOST") && crate::config::parse_bool(&v));
    if unrestricted {
        let _ = easy.unrestricted_auth(true);
    }
    if let Some(t) = o.seconds("CONNECTTIMEOUT") {
        let _ = easy.connect_timeout(t);
    }
    if let Some(t) = o.seconds("TIMEOUT") {
        let _ = easy.timeout(t);
    }
    if let Some(t) = o.get("LOW_SPEED_TIME").map(super::retry::atoi).filter(|&t| t > 0) {
        let _ = easy.low_speed_time(Duration::from_secs(t as u64));
        let limit = o.get("LOW_SPEED_LIMIT").map_or(1, super::retry::atoi).max(1);
        let _ = easy.low_speed_limit(limit as u32);
    }
    if o.get_bool("UNSAFESSL", false) {
        let _ = easy.ssl_verify_peer(false);
        let _ = easy.ssl_verify_host(false);
    }
    if o.get_bool("SSL_VERIFYSTATUS", false) {
        setopt_long(easy, CURLOPT_SSL_VERIFYSTATUS, 1);
    }
    if let Some(f) = o.get("CAINFO") {
        let _ = easy.cainfo(f);
    }
    if let Some(f) = o.get("CAPATH") {
        let _ = easy.capath(f);
    }
    if let Some(f) = o.get("SSLCERT") {
        let _ = easy.ssl_cert(f);
    }
    if let Some(f) = o.get("SSLCERTTYPE") {
        let _ = easy.ssl_cert_type(f);
    }
    if let Some(f) = o.get("SSLKEY") {
        setopt_str(easy, curl_sys::CURLOPT_SSLKEY, f);
    }
    if let Some(f) = o.get("KEYPASSWD") {
        setopt_str(easy, curl_sys::CURLOPT_KEYPASSWD, f);
    }
    if let Some(v) = o.get("REFERER") {
        let _ = easy.referer(v);
    }
    if let Some(v) = o.get("USERAGENT").filter(|v| !v.is_empty()) {
        let _ = easy.useragent(v);
    }
    if let Some(v) = o.get("COOKIE") {
        let _ = easy.cookie(v);
    }
    if let Some(v) = o.get("COOKIEFILE") {
        let _ = easy.cookie_file(v);
    }
    if let Some(v) = o.get("COOKIEJAR") {
        let _ = easy.cookie_jar(v);
    }
    if o.get_bool("TCP_KEEPALIVE", false) {
        setopt_long(easy, curl_sys::CURLOPT_TCP_KEEPALIVE, 1);
        let idle = o.get("TCP_KEEPIDLE").map_or(60, super::retry::atoi);
        let intvl = o.get("TCP_KEEPINTVL").map_or(60, super::retry::atoi);
        setopt_long(easy, curl_sys::CURLOPT_TCP_KEEPIDLE, idle as c_long);
        setopt_long(easy, curl_sys::CURLOPT_TCP_KEEPINTVL, intvl as c_long);
    }
    // FTP: one CWD per path, and no EPSV (some servers refuse it).
    setopt_long(easy, curl_sys::CURLOPT_FTP_FILEMETHOD, CURLFTPMETHOD_SINGLECWD);
    setopt_long(easy, curl_sys::CURLOPT_FTP_USE_EPSV, 0);
    if req.ftp_list_only {
        setopt_long(easy, curl_sys::CURLOPT_DIRLISTONLY, 1);
    }

    let mut headers = o.extra_headers().map_err(|e| e.message().to_string())?;
    headers.append(&mut req.headers.clone());
    if req.is_http() {
        if let Some((a, b)) = req.range {
            headers.push(format!("Range: bytes={a}-{b}"));
        }
    } else if let Some((a, b)) = req.range {
        let _ = easy.range(&format!("{a}-{b}"));
    }
    let body = req.body.clone().unwrap_or_default();
    if let Some(signer) = &req.signer {
        signer.sign(req.method.as_str(), &url, &mut headers, &body).map_err(|e| e.message().to_string())?;
    }
    match &req.method {
        Method::Get => {
            let _ = easy.get(true);
        }
        Method::Head => {
            let _ = easy.nobody(true);
        }
        Method::Put => {
            let _ = easy.upload(true);
            let _ = easy.in_filesize(body.len() as u64);
        }
        Method::Post => {
            let _ = easy.post(true);
            let _ = easy.post_fields_copy(&body);
        }
        Method::Delete => {
            let _ = easy.custom_request("DELETE");
        }
        Method::Custom(m) => {
            let _ = easy.custom_request(m);
            if !body.is_empty() {
                let _ = easy.post_fields_copy(&body);
            }
        }
    }
    if req.fetch_filetime {
        let _ = easy.fetch_filetime(true);
    }
    let mut list = curl::easy::List::new();
    for h in &headers {
        let _ = list.append(h);
    }
    let _ = easy.http_headers(list);

    let c = easy.get_mut();
    *c = Collector {
        is_http: req.is_http(),
        headers_only: req.headers_only,
        range_check: if req.check_range_support { req.range } else { None },
        sink: req.sink.take(),
        header_sink: req.header_sink.take(),
        upload: if req.method == Method::Put { body } else { Vec::new() },
        expect: req.range.map_or(0, |(a, b)| (b.saturating_sub(a) + 1).min(64 << 20) as usize),
        ..Default::default()
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_forms() {
        assert_eq!(parse_content_range("bytes 0-99/1000"), Some((0, 99, Some(1000))));
        assert_eq!(parse_content_range("bytes 5-9/*"), Some((5, 9, None)));
        assert_eq!(parse_content_range("BYTES 1-2/3"), Some((1, 2, Some(3))));
        assert_eq!(parse_content_range("bytes */1000"), None);
    }

    #[test]
    fn file_urls_are_read_with_ranges() {
        let dir = std::env::temp_dir().join(format!("vsi-net-client-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("data.bin");
        std::fs::write(&path, b"0123456789").unwrap();
        let url = format!("file://{}", path.display());
        let opts = Arc::new(HttpOptions::default());
        let mut head = Request::head(&url, opts.clone());
        let r = send(&mut head);
        assert_eq!((r.status, r.content_length, r.error.as_deref()), (200, Some(10), None));
        let mut get = Request::get(&url, opts.clone()).with_range(2, 5);
        let r = send(&mut get);
        assert_eq!((r.status, r.body.as_slice()), (206, &b"2345"[..]));
        let mut reqs = vec![Request::get(&url, opts.clone()).with_range(0, 0), Request::get(&url, opts).with_range(9, 9)];
        let rs = send_all(&mut reqs, true);
        assert_eq!((rs[0].body.as_slice(), rs[1].body.as_slice()), (&b"0"[..], &b"9"[..]));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn malformed_urls_fail_without_hanging() {
        let mut r = Request::get("http://[::1", Arc::new(HttpOptions::default()));
        let resp = send(&mut r);
        assert_eq!(resp.status, 0);
        assert!(resp.error.is_some());
    }
}
