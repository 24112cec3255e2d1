//! An open `/vsicurl/` file: the size probe with GDAL's fallbacks, reads in
//! chunks through the shared region cache (growing on sequential reads as
//! GDAL does, with read-ahead requests in flight), and multi-range reads in
//! parallel.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use super::cache::{self, tunables, Block, Claim, Claimed, Exists, FileProp, RegionCache, Tunables};
use super::target::{self, Target};
use super::Shared;
use crate::error::{cple, cpl_error, vsie, Error, ErrorClass, ErrorKind, Result};
use crate::io::Position;
use crate::net::client::{self, Method, Request, Response};
use crate::net::options::starts_with_ci;
use crate::net::{redact_url, stats, HttpOptions, RetryPolicy};
use crate::vfs::{Handle, Whence};

/// GDAL grows sequential downloads up to this many chunks per request.
const MAX_GROWTH: u64 = 128;
/// Read-ahead requests kept in flight at most, once a reader is sequential.
const MAX_READ_AHEAD_DEPTH: u64 = 3;
/// Read-ahead starts once a run of sequential reads covers this many bytes,
/// so a header read in small pieces costs no extra request.
const READ_AHEAD_MIN_RUN: u64 = 1 << 20;
/// Ranges of one multi-range read sent at once.
const MAX_PARALLEL_RANGES: usize = 128;

/// How the reader of one handle has moved.
#[derive(Debug, Default)]
struct Sequence {
    /// End of the last download made by a read (GDAL's `lastDownloadedOffset`).
    last_downloaded: Option<u64>,
    /// Chunks per download; doubles while reads stay sequential.
    blocks: u64,
    /// Where the next read starts if the reader is sequential.
    next_read: Option<u64>,
    /// Consecutive sequential reads.
    streak: u64,
    /// Where the current run of sequential reads started.
    run_start: u64,
    /// Read-ahead has been requested up to here.
    ahead_end: u64,
    /// Chunks per read-ahead request; 0 when not reading ahead.
    window: u64,
    /// Read-ahead requests kept beyond the reader.
    depth: u64,
}

/// The state of one open file, shared by its handle and its read-ahead.
pub struct CurlFile {
    shared: Arc<Shared>,
    filename: String,
    log_name: Arc<str>,
    url: String,
    url_key: Arc<str>,
    options: HttpOptions,
    retry: RetryPolicy,
    use_head: bool,
    use_redirect_if_no_query: bool,
    /// False for `CPL_VSIL_CURL_NON_CACHED` files and `Cache-Control: no-cache`.
    cached: AtomicBool,
    prop: Mutex<FileProp>,
    seq: Mutex<Sequence>,
}

/// A redirect-aware request URL and the options to use with it.
struct Endpoint {
    url: String,
    options: HttpOptions,
    expired: bool,
}

fn ok_download_status(status: u32) -> bool {
    matches!(status, 200 | 206 | 225 | 226 | 426)
}

/// An error GDAL reports as an HTTP failure.
pub(super) fn http_error(kind: ErrorKind, message: String) -> Error {
    Error::new(kind, message).with_vsi_code(vsie::HTTP_ERROR)
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

impl CurlFile {
    pub(super) fn new(shared: Arc<Shared>, filename: &str, t: Target, cached: bool) -> CurlFile {
        let prop = cache::get_prop(&t.url).unwrap_or_default();
        CurlFile {
            shared,
            filename: filename.to_string(),
            log_name: Arc::from(filename),
            url_key: Arc::from(t.url.as_str()),
            url: t.url,
            options: t.options,
            retry: t.retry,
            use_head: t.use_head,
            use_redirect_if_no_query: t.use_redirect_url_if_no_query_string_params,
            cached: AtomicBool::new(cached),
            prop: Mutex::new(prop),
            seq: Mutex::new(Sequence { blocks: 1, ..Default::default() }),
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    fn regions(&self) -> &Arc<RegionCache> {
        &self.shared.regions
    }

    /// The properties, refreshed from the shared cache when it has them.
    pub fn prop(&self) -> FileProp {
        let mut p = self.prop.lock();
        if let Some(c) = cache::get_prop(&self.url) {
            *p = c;
        }
        p.clone()
    }

    fn store(&self, prop: &FileProp, share: bool) {
        *self.prop.lock() = prop.clone();
        if share {
            cache::set_prop(&self.url, prop);
        }
    }

    fn request(&self, method: Method, url: &str, options: &HttpOptions, cause: &'static str) -> Request {
        Request::new(method, url, Arc::new(options.clone())).with_log(self.log_name.clone(), cause)
    }

    fn contexts(&self, action: &str) -> [stats::ContextGuard; 3] {
        [stats::enter_fs(self.shared.prefix), stats::enter_file(&self.filename), stats::enter_action(action)]
    }

    /// `Exists()`: probes when nothing is known yet. With `set_error`, the
    /// error to report comes back with the answer.
    pub fn exists(&self, set_error: bool) -> (bool, Option<Error>) {
        let p = self.prop();
        match p.exists {
            Exists::Unknown => {
                let err = self.probe(set_error);
                (self.prop.lock().exists == Exists::Yes, err)
            }
            Exists::No => {
                let err = (set_error && p.http_code != 0).then(|| {
                    http_error(
                        not_found_kind(p.http_code),
                        format!("HTTP response code: {} ({})", p.http_code, redact_url(&self.url)),
                    )
                });
                (false, err)
            }
            Exists::Yes => (true, None),
        }
    }

    /// The size, probing when unknown (0 when it cannot be had).
    pub fn size(&self, set_error: bool) -> u64 {
        let p = self.prop();
        if p.size_known {
            return p.size;
        }
        self.probe(set_error);
        self.prop.lock().size
    }

    pub fn is_dir(&self) -> bool {
        self.prop.lock().is_dir
    }

    /// GDAL's `GetFileSizeOrHeaders`: HEAD (or a GET when HEAD cannot be
    /// used or does not tell), following GDAL's redirect rules.
    fn probe(&self, set_error: bool) -> Option<Error> {
        let _ctx = self.contexts("GetFileSize");
        let t = tunables();
        let mut prop = self.prop();
        let base = format!("{}{}", self.url, target::query_string(&self.filename));
        let mut url = base.clone();
        let mut tries = 0;
        let mut retry_with_get = false;
        let mut retry_limited_get = false;
        let mut s3_redirect = false;
        let mut retry = self.retry.context();
        let mut error = None;
        let mut last_status;
        let mut mtime = None;
        loop {
            tries += 1;
            let mut options = self.options.clone();
            if s3_redirect {
                // Credentials for the original URL are not sent to a signed redirect.
                options.remove("HTTPAUTH");
                options.remove("HTTP_BEARER");
            }
            let limited = retry_limited_get;
            retry_limited_get = false;
            let mut req;
            if limited {
                let wanted = crate::config::get("GDAL_INGESTED_BYTES_AT_OPEN")
                    .map_or(1024, |v| crate::net::retry::atoi(&v))
                    .clamp(1024, 10 * 1024 * 1024) as u64;
                let rounded = wanted.div_ceil(t.chunk) * t.chunk;
                req = self.request(Method::Get, &url, &options, "size probe (first bytes)");
                req.range = Some((0, rounded - 1));
            } else if retry_with_get
                || url.contains(".tiles.mapbox.com/")
                || target::is_s3_like_signed(&url)
                || !self.use_head
            {
                req = self.request(Method::Get, &url, &options, "size probe (GET)");
                req.headers_only = true;
            } else {
                req = self.request(Method::Head, &url, &options, "size probe");
            }
            let is_head = req.method == Method::Head;
            let resp = client::send(&mut req);
            last_status = resp.status;
            mtime = resp.filetime.or(mtime);
            prop.exists = Exists::Unknown;

            if starts_with_ci(&url, "ftp") {
                let text = format!("{}{}", resp.raw_headers, String::from_utf8_lossy(&resp.body));
                if let Some(i) = text.find("Content-Length: ") {
                    let digits: String = text[i + 16..].chars().take_while(|c| c.is_ascii_digit()).collect();
                    prop.exists = Exists::Yes;
                    prop.size = digits.parse().unwrap_or(0);
                }
            }
            if prop.exists == Exists::Yes {
                break;
            }
            let status = resp.status;
            let effective = resp.effective_url.clone();
            if !effective.is_empty() && !effective.contains(url.as_str()) {
                if resp.first_status == 301 || (self.use_redirect_if_no_query && !effective.contains('?')) {
                    crate::error::debug("VSICURL", &format!("Using effective URL {} permanently", redact_url(&effective)));
                    prop.redirect_url = Some(effective.clone());
                    self.store(&prop, true);
                }
                if target::is_s3_like_signed(&effective) && !target::is_s3_like_signed(&url) {
                    s3_redirect = true;
                    if !retry_with_get && is_head && status == 403 {
                        // Signed URLs are valid for one verb: ask again with GET.
                        retry_with_get = true;
                        url = effective;
                        continue;
                    }
                } else if prop.redirect_url.is_none() && tries == 1 && ((300..400).contains(&status) || (is_head && status == 403)) {
                    if status == 403 {
                        retry_with_get = true;
                    }
                    url = effective;
                    continue;
                }
            }
            if s3_redirect && resp.is_success() {
                self.remember_signed_redirect(&mut prop, &resp);
            }
            if status < 400 {
                prop.exists = Exists::Yes;
                match resp.content_length {
                    Some(n) => prop.size = n,
                    None => {
                        if is_head && !retry_with_get && status == 200 {
                            if resp.header("accept-ranges") == Some("bytes") {
                                retry_limited_get = true;
                            } else {
                                retry_with_get = true;
                            }
                            continue;
                        }
                        prop.size = 0;
                    }
                }
            }
            if status == 200 || status == 206 {
                for (k, v) in &resp.headers {
                    if k.eq_ignore_ascii_case("Cache-Control")
                        && v.eq_ignore_ascii_case("no-cache")
                        && crate::config::get_bool("CPL_VSIL_CURL_HONOR_CACHE_CONTROL", true)
                    {
                        self.cached.store(false, Ordering::Relaxed);
                    } else if k.eq_ignore_ascii_case("ETag") {
                        prop.etag = v.trim_matches('"').to_string();
                    } else if k.eq_ignore_ascii_case("x-ms-resource-type") {
                        if v.eq_ignore_ascii_case("file") {
                            prop.mode |= libc::S_IFREG;
                        } else if v.eq_ignore_ascii_case("directory") {
                            prop.is_dir = true;
                            prop.mode |= libc::S_IFDIR;
                        }
                    } else if k.eq_ignore_ascii_case("x-ms-permissions") {
                        prop.mode |= parse_unix_permissions(v);
                    } else if k.eq_ignore_ascii_case("x-ms-meta-hdi_isfolder") && v.eq_ignore_ascii_case("true") {
                        prop.is_azure_folder = true;
                        prop.is_dir = true;
                        prop.mode |= libc::S_IFDIR;
                    }
                }
            }
            if limited && status == 206 {
                prop.exists = Exists::No;
                prop.size = 0;
                if let Some((_, _, Some(total))) = resp.content_range() {
                    prop.exists = Exists::Yes;
                    prop.size = total;
                }
                if !resp.body.is_empty() && resp.content_range().is_some_and(|(a, _, _)| a == 0) {
                    self.regions().insert(&self.url_key, 0, t.chunk, &resp.body);
                }
            } else if status == 405 && !retry_with_get && is_head {
                crate::error::debug("VSICURL", "HEAD not allowed. Retrying with GET");
                retry_with_get = true;
                continue;
            } else if status == 416 {
                prop.exists = Exists::Yes;
                prop.size = 0;
            } else if status != 200 {
                let curl_error = resp.error.clone().unwrap_or_default();
                if retry.can_retry(status, resp.error_text(), &curl_error) {
                    client::warn_retry(status, &self.url, retry.delay());
                    retry.sleep();
                    continue;
                }
                let shown = redact_url(&url);
                if set_error {
                    let message = match (&resp.error, status) {
                        (Some(e), 0) => format!("CURL error: {e} ({shown})"),
                        (Some(e), s) => format!("HTTP response code: {s} - {e} ({shown})"),
                        (None, s) => format!("HTTP response code: {s} ({shown})"),
                    };
                    error = Some(http_error(not_found_kind(status), message));
                } else if status != 400 && status != 404 {
                    cpl_error(ErrorClass::Warning, cple::APP_DEFINED, &format!("HTTP response code on {shown}: {status}"));
                }
                prop.exists = Exists::No;
                prop.http_code = status;
                prop.size = 0;
            }
            // A server answering for "url/" has redirected to a directory.
            if effective.len() > url.len() && effective.starts_with(url.as_str()) && effective.as_bytes()[url.len()] == b'/' && prop.exists != Exists::No {
                prop.exists = Exists::Yes;
                prop.size = 0;
                prop.is_dir = true;
            } else if url.ends_with('/') {
                prop.is_dir = true;
            }
            crate::error::debug(
                "VSICURL",
                &format!("GetFileSize({})={}  response_code={status}", redact_url(&url), prop.size),
            );
            break;
        }
        prop.size_known = true;
        if let Some(t) = mtime {
            prop.mtime = t;
        }
        // Transport failures (no HTTP status) are not remembered.
        self.store(&prop, last_status != 0 || prop.exists == Exists::Yes);
        error
    }

    /// Keeps a signed redirect for as long as it is valid, measured on the
    /// local clock (GDAL's rule: valid for expiry − server date, when over 10 s).
    fn remember_signed_redirect(&self, prop: &mut FileProp, resp: &Response) {
        if !crate::config::get_bool("CPL_VSIL_CURL_USE_S3_REDIRECT", true) || resp.effective_url.is_empty() {
            return;
        }
        let Some(date) = resp.date() else { return };
        let expiry = target::signed_url_expiry(&resp.effective_url);
        if expiry > date + 10 {
            let validity = expiry - date;
            crate::error::debug("VSICURL", &format!("Will use redirect URL for the next {validity} seconds"));
            prop.s3_redirect_until = Some(now() + validity);
            prop.redirect_url = Some(resp.effective_url.clone());
            self.store(prop, true);
        }
    }

    /// Where requests go now: a still-valid signed redirect, a permanent
    /// redirect, or the URL itself (with `VSICURL_QUERY_STRING`).
    fn endpoint(&self) -> Endpoint {
        let mut prop = self.prop();
        let mut url = format!("{}{}", self.url, target::query_string(&self.filename));
        let mut expired = false;
        if let Some(until) = prop.s3_redirect_until {
            if now() + 1 < until {
                if let Some(r) = &prop.redirect_url {
                    url = r.clone();
                }
            } else {
                crate::error::debug("VSICURL", "Redirect URL has expired. Using original URL");
                prop.s3_redirect_until = None;
                self.store(&prop, true);
                expired = true;
            }
        } else if let Some(r) = &prop.redirect_url {
            url = r.clone();
        }
        let mut options = self.options.clone();
        if url != self.url {
            let allowed = crate::net::options::path_option(&self.filename, "CPL_VSIL_CURL_AUTHORIZATION_HEADER_ALLOWED_IF_REDIRECT")
                .unwrap_or_else(|| "IF_SAME_HOST".to_string());
            let refuse = if allowed.eq_ignore_ascii_case("IF_SAME_HOST") {
                target::server_of(&url) != target::server_of(&self.url)
            } else {
                !crate::config::parse_bool(&allowed)
            };
            if refuse {
                options.set("AUTHORIZATION_HEADER_ALLOWED", "NO");
            }
        }
        Endpoint { url, options, expired }
    }

    /// GDAL's `DownloadRegion`: GET `count` chunks from chunk `first`,
    /// retried as GDAL retries, and checked: the bytes returned are the
    /// bytes asked for, or an error.
    fn download(&self, first: u64, count: u64, cause: &'static str) -> Result<Vec<u8>> {
        let chunk = tunables().chunk;
        let start = first * chunk;
        let mut prop = self.prop();
        if prop.exists == Exists::No {
            return Err(Error::not_found(&self.filename));
        }
        let Endpoint { mut url, options, .. } = self.endpoint();
        let mut used_redirect = url != self.url;
        let mut retry = self.retry.context();
        loop {
            prop = self.prop();
            let mut end = start + count * chunk - 1;
            if prop.size_known && end >= prop.size {
                end = prop.size.saturating_sub(1).max(start);
            }
            let mut req = self.request(Method::Get, &url, &options, cause).with_range(start, end);
            let is_http = starts_with_ci(&url, "http");
            req.check_range_support = is_http;
            crate::error::debug("VSICURL", &format!("Downloading {start}-{end} ({})...", redact_url(&url)));
            let resp = client::send(&mut req);
            if let Some(t) = resp.filetime {
                prop.mtime = t;
                self.store(&prop, true);
            }
            let status = resp.status;
            if used_redirect && (status == 403 || (status == 400 && url.contains(".cloudfront.net"))) {
                crate::error::debug("VSICURL", "Got an error with redirect URL. Retrying with original one");
                prop.s3_redirect_until = None;
                prop.redirect_url = None;
                self.store(&prop, true);
                used_redirect = false;
                url = format!("{}{}", self.url, target::query_string(&self.filename));
                continue;
            }
            if status == 401 && retry.can_retry_unconditionally() {
                // /vsicurl/ has no way to authenticate again.
                return Err(self.download_error(&resp, &url, start, end));
            }
            self.update_redirect_info(&resp);
            let ok = ok_download_status(status) && resp.error.is_none() && !resp.range_not_supported;
            if !ok {
                let curl_error = resp.error.clone().unwrap_or_default();
                if !resp.range_not_supported && retry.can_retry(status, resp.error_text(), &curl_error) {
                    client::warn_retry(status, &self.url, retry.delay());
                    retry.sleep();
                    continue;
                }
                if !prop.size_known && start == 0 {
                    prop.size_known = true;
                    prop.size = 0;
                    prop.exists = Exists::No;
                    self.store(&prop, true);
                }
                return Err(self.download_error(&resp, &url, start, end));
            }
            let content_range = resp.content_range();
            let body = resp.body;
            let requested = end - start + 1;
            if is_http && status == 206 {
                if let Some((a, b, total)) = content_range {
                    if a != start || b < a || body.len() as u64 != b - a + 1 || b > end {
                        return Err(http_error(
                            ErrorKind::Io,
                            format!(
                                "Inconsistent answer for bytes {start}-{end} of {}: Content-Range bytes {a}-{b} with {} bytes",
                                redact_url(&url),
                                body.len()
                            ),
                        )
                        .with_cpl(cple::APP_DEFINED));
                    }
                    if let Some(total) = total {
                        if !prop.size_known || prop.size != total {
                            if prop.size_known {
                                crate::error::debug(
                                    "VSICURL",
                                    &format!("{}: size is {total}, not {} as announced", redact_url(&url), prop.size),
                                );
                            }
                            prop.size = total;
                            prop.size_known = true;
                            prop.exists = Exists::Yes;
                            self.store(&prop, true);
                        }
                    }
                } else if body.len() as u64 > requested {
                    return Err(http_error(
                        ErrorKind::Io,
                        format!("{} bytes returned for {requested} requested from {}", body.len(), redact_url(&url)),
                    )
                    .with_cpl(cple::APP_DEFINED));
                }
            } else if is_http && status == 200 {
                // The whole file, from byte 0 (the header check refused others).
                if !prop.size_known || prop.size != body.len() as u64 {
                    prop.size = body.len() as u64;
                    prop.size_known = true;
                    prop.exists = Exists::Yes;
                    self.store(&prop, true);
                }
            } else if !prop.size_known {
                // FTP: the size comes in a "213 <size>" reply.
                if let Some(i) = resp.raw_headers.find("213 ") {
                    let digits: String = resp.raw_headers[i + 4..].chars().take_while(|c| c.is_ascii_digit()).collect();
                    if let Ok(n) = digits.parse::<u64>() {
                        if n != 0 {
                            prop.size = n;
                            prop.size_known = true;
                            prop.exists = Exists::Yes;
                            self.store(&prop, true);
                        }
                    }
                }
            }
            return Ok(body);
        }
    }

    /// The error of a failed download. GDAL raises a CPLError for a server
    /// that ignores ranges, a curl error on a 4xx/5xx answer, and a 416;
    /// other failures only fail the read.
    fn download_error(&self, resp: &Response, url: &str, start: u64, end: u64) -> Error {
        let shown = redact_url(url);
        let status = resp.status;
        let (message, raised) = if resp.range_not_supported {
            (format!("Range downloading not supported by this server! ({shown})"), true)
        } else if let Some(e) = &resp.error {
            if e == "Couldn't use REST" {
                (format!("{status}: {e}, Range downloading not supported by this server! ({shown})"), status >= 400)
            } else if status == 0 {
                (format!("{e} (bytes {start}-{end} of {shown})"), false)
            } else {
                (format!("{status}: {e} (bytes {start}-{end} of {shown})"), status >= 400)
            }
        } else if status == 416 {
            let body = String::from_utf8_lossy(&resp.body);
            (format!("{status}: Range downloading not supported by this server: {body} ({shown})"), true)
        } else {
            (format!("HTTP response code: {status} (bytes {start}-{end} of {shown})"), false)
        };
        let e = http_error(not_found_kind(status), message);
        if raised {
            e.with_cpl(cple::APP_DEFINED)
        } else {
            e
        }
    }

    /// Remembers a signed redirect seen by a download (GDAL's `UpdateRedirectInfo`).
    fn update_redirect_info(&self, resp: &Response) {
        let mut prop = self.prop();
        if prop.s3_redirect_until.is_some() || resp.effective_url.is_empty() || resp.effective_url.contains(self.url.as_str()) {
            return;
        }
        if resp.is_success()
            && target::is_s3_like_signed(&resp.effective_url)
            && !target::is_s3_like_signed(&self.url)
        {
            self.remember_signed_redirect(&mut prop, resp);
        }
    }

    /// Chunks the next download should ask for (GDAL's heuristic): double
    /// while downloads follow each other, at least what the read needs,
    /// at most what the cache holds.
    fn blocks_for(&self, block: u64, pos: u64, remaining: u64, t: &Tunables) -> u64 {
        let mut s = self.seq.lock();
        let start = block * t.chunk;
        if s.last_downloaded == Some(start) {
            if s.blocks < MAX_GROWTH {
                s.blocks *= 2;
            }
        } else {
            s.blocks = 1;
        }
        let end = (pos + remaining).div_ceil(t.chunk) * t.chunk;
        s.blocks = s.blocks.max((end - start) / t.chunk).min(t.max_regions as u64).max(1);
        s.blocks
    }

    /// Reads at `offset` into `buf`: the bytes read, and the error that
    /// stopped the read early, if any.
    pub fn read_at(self: &Arc<Self>, offset: u64, buf: &mut [u8]) -> (usize, Option<Error>) {
        if buf.is_empty() {
            return (0, None);
        }
        let _ctx = self.contexts("Read");
        let t = tunables();
        let streaming = self.read_ahead(offset, buf.len() as u64, &t);
        let mut done = 0usize;
        let mut local: Vec<(u64, Block)> = Vec::new();
        let mut error = None;
        let mut waits = 0;
        while done < buf.len() {
            let pos = offset + done as u64;
            let prop = self.prop();
            if prop.exists == Exists::No && !prop.size_known {
                error = Some(Error::not_found(&self.filename));
                break;
            }
            if prop.size_known && pos >= prop.size {
                break;
            }
            let block = pos / t.chunk;
            let cached = local.iter().find(|(b, _)| *b == block).map(|(_, d)| d.clone());
            let data = match cached.or_else(|| self.regions().get(&self.url_key, block)) {
                Some(d) => d,
                None => {
                    let count = self.blocks_for(block, pos, (buf.len() - done) as u64, &t);
                    match self.regions().claim(&self.url_key, block, if waits > 2 { 1 } else { count }) {
                        Claim::Cached(d) => d,
                        Claim::Wait(flight) if waits <= 2 => {
                            waits += 1;
                            flight.wait();
                            continue;
                        }
                        Claim::Wait(_) => {
                            // Kept waiting on blocks that vanish: fetch this one ourselves.
                            match self.download(block, 1, "read") {
                                Ok(mut bytes) => {
                                    bytes.truncate(t.chunk as usize);
                                    Block::from_vec(bytes)
                                }
                                Err(e) => {
                                    error = Some(e);
                                    break;
                                }
                            }
                        }
                        Claim::Owned(claim) => match self.fetch(claim, "read", &t) {
                            Ok(blocks) => {
                                local = blocks;
                                local[0].1.clone()
                            }
                            Err(e) => {
                                error = Some(e);
                                break;
                            }
                        },
                    }
                }
            };
            let in_block = (pos - block * t.chunk) as usize;
            if data.len() <= in_block {
                break;
            }
            let n = (data.len() - in_block).min(buf.len() - done);
            buf[done..done + n].copy_from_slice(&data[in_block..in_block + n]);
            done += n;
            if streaming && in_block + n == data.len() {
                self.regions().demote(&self.url_key, block);
            }
            if (data.len() as u64) < t.chunk && done < buf.len() {
                break; // a short block ends the file
            }
        }
        self.seq.lock().next_read = (done > 0).then_some(offset + done as u64);
        (done, error)
    }

    /// Downloads the blocks of a claim and stores them.
    fn fetch(&self, claim: Claimed, cause: &'static str, t: &Tunables) -> Result<Vec<(u64, Block)>> {
        let (first, count) = (claim.first(), claim.count());
        if cause == "read" {
            self.seq.lock().blocks = count;
        }
        let bytes = self.download(first, count, cause)?;
        if cause == "read" {
            self.seq.lock().last_downloaded = Some((first + count) * t.chunk);
        }
        Ok(claim.finish(t.chunk, bytes))
    }

    /// Keeps requests in flight ahead of a sequential reader, so the next
    /// reads find their bytes cached instead of waiting a round trip each.
    /// True when reading ahead (the reader streams through the file).
    fn read_ahead(self: &Arc<Self>, offset: u64, len: u64, t: &Tunables) -> bool {
        if !self.cached.load(Ordering::Relaxed) || !crate::config::get_bool("VSIRS_CURL_READ_AHEAD", true) {
            return false;
        }
        let prop = self.prop();
        let mut s = self.seq.lock();
        if s.next_read == Some(offset) && offset > 0 {
            s.streak += 1;
        } else {
            s.streak = 0;
            s.run_start = offset;
            s.ahead_end = 0;
            s.window = 0;
            return false;
        }
        let read_end = offset + len;
        let run = read_end - s.run_start;
        if !prop.size_known || run < READ_AHEAD_MIN_RUN {
            return false;
        }
        // At most 3/4 of the cache holds bytes not yet read (the LRU evicts
        // bytes already read first), in `depth` requests of equal size (4 MB
        // with the default cache), or as large as the run so far if shorter:
        // few large requests cost the server less than many small ones.
        let budget_blocks = (t.max_regions as u64 * 3 / 4 / MAX_READ_AHEAD_DEPTH).max(1);
        s.window = budget_blocks.min((run / t.chunk).max(1));
        s.depth = s.streak.min(MAX_READ_AHEAD_DEPTH);
        s.ahead_end = s.ahead_end.max(read_end.div_ceil(t.chunk) * t.chunk);
        self.top_up(&mut s, read_end, prop.size, t);
        true
    }

    /// Issues read-ahead windows until `depth` of them lie beyond `reader`.
    fn top_up(self: &Arc<Self>, s: &mut Sequence, reader: u64, size: u64, t: &Tunables) {
        if s.window == 0 {
            return;
        }
        let target_end = (reader + s.depth * s.window * t.chunk).min(size);
        let mut from = s.ahead_end;
        while from < target_end {
            let first = from / t.chunk;
            // Whole windows (the last one clipped by the file's end): fewer,
            // larger requests.
            let count = s.window.min(size.div_ceil(t.chunk) - first);
            match self.regions().claim(&self.url_key, first, count) {
                Claim::Cached(_) => from = (first + 1) * t.chunk,
                Claim::Wait(f) => from = (f.first + f.count) * t.chunk,
                Claim::Owned(c) => {
                    from = (c.first() + c.count()) * t.chunk;
                    self.spawn_read_ahead(c, *t);
                }
            }
        }
        s.ahead_end = from;
    }

    fn spawn_read_ahead(self: &Arc<Self>, claim: Claimed, t: Tunables) {
        let file = self.clone();
        let context = stats::current_context();
        // A failed spawn drops the claim, which tells any waiter to fetch itself.
        let _ = std::thread::Builder::new().name("vsicurl-read-ahead".into()).spawn(move || {
            let _ctx = stats::enter_context(&context);
            let end = (claim.first() + claim.count()) * t.chunk;
            if file.fetch(claim, "read-ahead", &t).is_err() {
                return;
            }
            // Keep the pipeline full without waiting for the reader's next
            // call, if the reader is still on this stretch of the file.
            let size = file.prop().size;
            let mut s = file.seq.lock();
            if s.window > 0 && s.ahead_end == end.max(s.ahead_end) && s.next_read.is_some_and(|r| r < end) {
                let reader = s.next_read.unwrap_or(0);
                file.top_up(&mut s, reader, size, &t);
            }
        });
    }

    /// Copies `[offset, offset + buf.len())` from the region cache if it is
    /// all there.
    fn copy_cached(&self, offset: u64, buf: &mut [u8], chunk: u64) -> bool {
        let mut done = 0;
        while done < buf.len() {
            let pos = offset + done as u64;
            let block = pos / chunk;
            let Some(data) = self.regions().get(&self.url_key, block) else { return false };
            let in_block = (pos - block * chunk) as usize;
            if data.len() <= in_block {
                return false;
            }
            let n = (data.len() - in_block).min(buf.len() - done);
            buf[done..done + n].copy_from_slice(&data[in_block..in_block + n]);
            done += n;
        }
        true
    }

    /// `VSIFReadMultiRangeL`: the ranges not already cached, close ones
    /// merged, fetched in parallel (GDAL's PARALLEL strategy).
    pub fn read_multi_range(self: &Arc<Self>, ranges: &mut [(u64, &mut [u8])]) -> Result<()> {
        let prop = self.prop();
        if prop.exists == Exists::No {
            return Err(Error::not_found(&self.filename));
        }
        let _ctx = self.contexts("ReadMultiRange");
        let strategy = crate::config::get_or("GDAL_HTTP_MULTIRANGE", "");
        if ranges.len() == 1 || strategy.eq_ignore_ascii_case("SERIAL") {
            return self.read_ranges_serially(ranges);
        }
        let endpoint = self.endpoint();
        if endpoint.expired {
            return self.read_ranges_serially(ranges);
        }
        let t = tunables();
        let mut order = Vec::new();
        for (i, (off, buf)) in ranges.iter_mut().enumerate() {
            if !buf.is_empty() && !self.copy_cached(*off, buf, t.chunk) {
                order.push(i);
            }
        }
        order.sort_by_key(|&i| ranges[i].0);
        let merge = crate::config::get_bool("GDAL_HTTP_MERGE_CONSECUTIVE_RANGES", true);
        let gap = if merge {
            crate::config::get("VSIRS_HTTP_MERGE_GAP")
                .and_then(|v| crate::io::block_cache::parse_size(&v))
                .unwrap_or(t.chunk)
        } else {
            0
        };
        // Groups of ranges read by one request: (start, end exclusive, members).
        let mut groups: Vec<(u64, u64, Vec<usize>)> = Vec::new();
        for i in order {
            let (off, len) = (ranges[i].0, ranges[i].1.len() as u64);
            match groups.last_mut() {
                Some(g) if merge && off <= g.1.saturating_add(gap) => {
                    g.1 = g.1.max(off + len);
                    g.2.push(i);
                }
                _ => groups.push((off, off + len, vec![i])),
            }
        }
        let mut contexts: Vec<_> = groups.iter().map(|_| self.retry.context()).collect();
        let mut pending: Vec<usize> = (0..groups.len()).collect();
        let mut downloaded = 0u64;
        let mut failure = None;
        let multiplex = crate::config::get_bool("GDAL_HTTP_MULTIPLEX", true);
        while !pending.is_empty() && failure.is_none() {
            let mut again = Vec::new();
            let mut delay = 0.0f64;
            for batch in pending.chunks(MAX_PARALLEL_RANGES) {
                let mut reqs: Vec<Request> = batch
                    .iter()
                    .map(|&g| {
                        let mut r = self.request(Method::Get, &endpoint.url, &endpoint.options, "multi-range read");
                        r.range = Some((groups[g].0, groups[g].1 - 1));
                        r.count_in_stats = false;
                        r
                    })
                    .collect();
                let responses = client::send_all(&mut reqs, multiplex);
                for (&g, resp) in batch.iter().zip(responses) {
                    let (start, end) = (groups[g].0, groups[g].1);
                    let want = end - start;
                    let range_ok = resp.content_range().is_none_or(|(a, _, _)| a == start);
                    let ok = matches!(resp.status, 206 | 225)
                        && resp.error.is_none()
                        && resp.body.len() as u64 == want
                        && range_ok;
                    if ok {
                        downloaded += want;
                        for &i in &groups[g].2 {
                            let (off, ref mut buf) = ranges[i];
                            let at = (off - start) as usize;
                            let len = buf.len();
                            buf.copy_from_slice(&resp.body[at..at + len]);
                        }
                        continue;
                    }
                    let curl_error = resp.error.clone().unwrap_or_default();
                    let shown = redact_url(&endpoint.url);
                    if contexts[g].can_retry(resp.status, resp.error_text(), &curl_error) {
                        cpl_error(
                            ErrorClass::Warning,
                            cple::APP_DEFINED,
                            &format!(
                                "HTTP error code for {shown} range {start}-{}: {}. Retrying again in {:.1} secs",
                                end - 1,
                                resp.status,
                                contexts[g].delay()
                            ),
                        );
                        delay = delay.max(contexts[g].delay());
                        again.push(g);
                    } else if failure.is_none() {
                        let why = match &resp.error {
                            Some(e) => format!(": {e}"),
                            None if resp.status == 206 => format!(" ({} bytes instead of {want})", resp.body.len()),
                            None => String::new(),
                        };
                        failure = Some(
                            http_error(
                                ErrorKind::Io,
                                format!(
                                    "Request for {start}-{} failed with response_code={}{why} ({shown})",
                                    end - 1,
                                    resp.status
                                ),
                            )
                            .with_cpl(cple::APP_DEFINED),
                        );
                    }
                }
            }
            if failure.is_some() || again.is_empty() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_secs_f64(delay));
            pending = again;
        }
        stats::log_method("GET", 0, downloaded);
        match failure {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn read_ranges_serially(self: &Arc<Self>, ranges: &mut [(u64, &mut [u8])]) -> Result<()> {
        for (off, buf) in ranges.iter_mut() {
            let (n, err) = self.read_at(*off, buf);
            if let Some(e) = err {
                return Err(e);
            }
            if n != buf.len() {
                return Err(Error::new(ErrorKind::Io, "range beyond the end of file in multi-range read"));
            }
        }
        Ok(())
    }

    /// Forgets what a non-cached file left behind.
    pub fn close(&self) {
        if !self.cached.load(Ordering::Relaxed) {
            self.regions().invalidate_url(&self.url);
            cache::invalidate_prop(&self.url);
            self.shared.dirs.lock().remove(crate::vfs::parent_path(&self.filename));
        }
    }
}

/// A 404 or 410 means the file is not there; other statuses are I/O errors.
fn not_found_kind(status: u32) -> ErrorKind {
    match status {
        404 | 410 => ErrorKind::NotFound,
        401 | 403 => ErrorKind::PermissionDenied,
        _ => ErrorKind::Io,
    }
}

/// `rwxr-x---` as permission bits.
pub fn parse_unix_permissions(p: &str) -> u32 {
    let b = p.as_bytes();
    if b.len() != 9 {
        return 0;
    }
    let bits = [0o400, 0o200, 0o100, 0o040, 0o020, 0o010, 0o004, 0o002, 0o001];
    let letters = b"rwxrwxrwx";
    (0..9).filter(|&i| b[i] == letters[i]).map(|i| bits[i]).sum()
}

/// A `VSILFILE*` of `/vsicurl/`.
pub struct CurlHandle {
    file: Arc<CurlFile>,
    pos: Position,
}

impl CurlHandle {
    pub fn new(file: Arc<CurlFile>) -> CurlHandle {
        CurlHandle { file, pos: Position::default() }
    }

    pub fn file(&self) -> &Arc<CurlFile> {
        &self.file
    }
}

impl Handle for CurlHandle {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let (n, err) = self.file.read_at(self.pos.offset, buf);
        self.pos.offset += n as u64;
        match err {
            Some(e) => {
                self.pos.error = true;
                if n == 0 {
                    return Err(e);
                }
            }
            None if n < buf.len() => self.pos.eof = true,
            None => {}
        }
        Ok(n)
    }

    fn write(&mut self, _buf: &[u8]) -> Result<usize> {
        Err(Error::new(ErrorKind::PermissionDenied, "File opened read-only").with_errno(libc::EBADF))
    }

    fn seek(&mut self, offset: u64, whence: Whence) -> Result<()> {
        let file = &self.file;
        self.pos.seek(offset, whence, || Ok(file.size(false)))
    }

    crate::position_accessors!(pos);

    fn read_multi_range(&mut self, ranges: &mut [(u64, &mut [u8])]) -> Result<()> {
        self.file.read_multi_range(ranges)
    }

    fn close(&mut self) -> Result<()> {
        self.file.close();
        Ok(())
    }
}
