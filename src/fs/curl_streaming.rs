//! `/vsicurl_streaming/<url>`: a file read over HTTP with one GET, start to
//! end, as GDAL's streaming handler does.
//!
//! A background thread runs the GET and fills a bounded ring buffer (1 MiB);
//! the reader drains it. The first megabyte of the file is kept, so seeks
//! back into it cost nothing; a forward seek skips bytes of the stream; a
//! seek back past the first megabyte restarts the GET from byte 0. `SEEK_END`
//! and `stat` learn the size from a HEAD, unless the GET already told it.
//!
//! Differences from GDAL 3.6, both saving requests: the size a 200 response
//! announces (`Content-Length`, not gzip-encoded) is used at once, and a seek
//! beyond the first megabyte keeps the first-megabyte copy and the known
//! size instead of dropping them (GDAL then needs a HEAD for `SEEK_END`).

use std::sync::Arc;
use std::thread::JoinHandle;

use lru::LruCache;
use once_cell::sync::Lazy;
use parking_lot::{Condvar, Mutex};

use crate::config;
use crate::error::{cple, Error, ErrorClass, ErrorKind, Result};
use crate::io::Position;
use crate::net::{client, HttpOptions, RetryPolicy};
use crate::vfs::{FileSystem, Handle, Metadata, OpenOptions, StatFlags, Whence};

pub const PREFIX: &str = "/vsicurl_streaming/";

/// Bytes the ring buffer holds between the download thread and the reader.
const RING_SIZE: usize = 1 << 20;
/// Bytes at the start of the file kept for seeks back.
const HEAD_CACHE_SIZE: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Exists {
    #[default]
    Unknown,
    Yes,
    No,
}

/// What is known of a URL, shared by every handle and stat of the process.
#[derive(Debug, Clone, Copy, Default)]
struct FileProp {
    exists: Exists,
    size: Option<u64>,
    is_dir: bool,
}

static PROPS: Lazy<Mutex<LruCache<String, FileProp>>> =
    Lazy::new(|| Mutex::new(LruCache::new(std::num::NonZeroUsize::new(100 * 1024).unwrap())));

fn cached_prop(url: &str) -> FileProp {
    PROPS.lock().get(url).copied().unwrap_or_default()
}

fn set_prop(url: &str, prop: FileProp) {
    PROPS.lock().put(url.to_string(), prop);
}

/// Forgets what is known of every URL (`VSICurlClearCache`).
pub fn clear_cache() {
    PROPS.lock().clear();
}

/// Forgets what is known of URLs starting with `url_prefix`
/// (`VSICurlPartialClearCache`).
pub fn partial_clear_cache(url_prefix: &str) {
    let mut props = PROPS.lock();
    let stale: Vec<String> = props.iter().filter(|(k, _)| k.starts_with(url_prefix)).map(|(k, _)| k.clone()).collect();
    for k in stale {
        props.pop(&k);
    }
}

pub struct CurlStreamingFs;

impl CurlStreamingFs {
    /// The handler; registers its cache so `VSICurlClearCache` reaches it.
    pub fn new() -> CurlStreamingFs {
        crate::net::register_cache_owner(std::sync::Arc::new(PropsOwner));
        CurlStreamingFs
    }
}

impl Default for CurlStreamingFs {
    fn default() -> CurlStreamingFs {
        CurlStreamingFs::new()
    }
}

struct PropsOwner;

impl crate::net::CacheOwner for PropsOwner {
    fn owns(&self, path: &str) -> bool {
        path.starts_with(PREFIX)
    }
    fn clear_cache(&self) {
        clear_cache();
    }
    fn partial_clear_cache(&self, prefix: &str) {
        partial_clear_cache(url_of(prefix));
    }
}

fn url_of(path: &str) -> &str {
    path.get(PREFIX.len()..).unwrap_or("")
}

impl FileSystem for CurlStreamingFs {
    fn open(&self, path: &str, options: &OpenOptions) -> Result<Box<dyn Handle>> {
        if options.access.contains('w') || options.access.contains('+') || options.access.contains('a') {
            return Err(Error::new(ErrorKind::InvalidInput, format!("Only read-only mode is supported for {PREFIX}"))
                .with_cpl(cple::APP_DEFINED)
                .with_errno(libc::EACCES));
        }
        let ignore_restrictions = options.option("IGNORE_FILENAME_RESTRICTIONS").is_some_and(config::parse_bool);
        let mut handle = StreamingHandle::new(path);
        if !handle.exists(path, ignore_restrictions) {
            return Err(Error::not_found(path));
        }
        if config::get_bool("VSI_CACHE", false) {
            return crate::io::block_cache::CachedReader::wrap(Box::new(handle));
        }
        Ok(Box::new(handle))
    }

    fn stat(&self, path: &str, flags: StatFlags) -> Result<Metadata> {
        let flags = flags.normalized();
        let url = url_of(path);
        if flags.has(StatFlags::CACHE_ONLY) {
            // As GDAL: what the /vsicurl/ twin knows.
            let twin = format!("/vsicurl/{url}");
            return crate::vfs::handler_for(&twin).stat(&twin, flags);
        }
        let mut handle = StreamingHandle::new(path);
        // As GDAL: a size only when known or asked for (reading the first
        // byte to learn existence does not report one).
        let size = if handle.size.is_some()
            || (flags.has(StatFlags::SIZE) && !handle.is_dir && config::get_bool("CPL_VSIL_CURL_SLOW_GET_SIZE", true))
        {
            Some(handle.file_size())
        } else {
            None
        };
        if !handle.exists(path, false) {
            return Err(Error::not_found(path));
        }
        Ok(metadata(&FileProp { exists: Exists::Yes, size, is_dir: handle.is_dir }))
    }

    /// GDAL lists nothing under `/vsicurl_streaming/`.
    fn read_dir(&self, _path: &str, _max_files: usize) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
}

fn metadata(prop: &FileProp) -> Metadata {
    if prop.is_dir {
        Metadata::dir(0)
    } else {
        Metadata::file(prop.size.unwrap_or(0), 0)
    }
}

/// `CPL_VSIL_CURL_ALLOWED_FILENAME` and `CPL_VSIL_CURL_ALLOWED_EXTENSIONS`:
/// names outside them are refused without any request.
fn allowed_filename(path: &str) -> bool {
    if let Some(only) = config::get("CPL_VSIL_CURL_ALLOWED_FILENAME") {
        return path == only;
    }
    let Some(exts) = config::get("CPL_VSIL_CURL_ALLOWED_EXTENSIONS") else {
        return true;
    };
    let name = path.split('?').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    exts.split([',', ' ']).filter(|e| !e.is_empty()).any(|ext| {
        if ext == "{noext}" {
            let last = name.rsplit('/').next().unwrap_or(name);
            !last.contains('.')
        } else {
            lower.ends_with(&ext.to_ascii_lowercase())
        }
    })
}

// ---------------------------------------------------------------------------
// The ring buffer and the state shared with the download thread.

struct Ring {
    buf: Box<[u8]>,
    start: usize,
    len: usize,
}

impl Ring {
    fn new() -> Ring {
        Ring { buf: vec![0u8; RING_SIZE].into_boxed_slice(), start: 0, len: 0 }
    }
    fn free(&self) -> usize {
        self.buf.len() - self.len
    }
    fn reset(&mut self) {
        self.start = 0;
        self.len = 0;
    }
    /// Appends `data` (at most `free()` bytes).
    fn write(&mut self, data: &[u8]) {
        let cap = self.buf.len();
        let end = (self.start + self.len) % cap;
        let first = data.len().min(cap - end);
        self.buf[end..end + first].copy_from_slice(&data[..first]);
        self.buf[..data.len() - first].copy_from_slice(&data[first..]);
        self.len += data.len();
    }
    /// Takes `out.len()` bytes (at most `len`) from the front.
    fn read(&mut self, out: &mut [u8]) {
        let cap = self.buf.len();
        let first = out.len().min(cap - self.start);
        out[..first].copy_from_slice(&self.buf[self.start..self.start + first]);
        let rest = out.len() - first;
        out[first..].copy_from_slice(&self.buf[..rest]);
        self.start = (self.start + out.len()) % cap;
        self.len -= out.len();
    }
}

/// One download, as the thread and the reader both see it.
struct Transfer {
    ring: Ring,
    in_progress: bool,
    stop_asked: bool,
    /// Status of the last response whose headers arrived (0 before any).
    http_code: u32,
    /// From the final response's status: 200 exists, anything else not.
    exists: Exists,
    /// `Content-Length` of the 200 response, unless the body is encoded.
    announced_size: Option<u64>,
    body_size: u64,
    /// The GET completed: `body_size` is the size of the file.
    complete: bool,
    /// The transfer failed (curl's error text).
    error: Option<String>,
}

impl Transfer {
    fn new() -> Transfer {
        Transfer {
            ring: Ring::new(),
            in_progress: false,
            stop_asked: false,
            http_code: 0,
            exists: Exists::Unknown,
            announced_size: None,
            body_size: 0,
            complete: false,
            error: None,
        }
    }

    fn restart(&mut self) {
        self.ring.reset();
        self.in_progress = true;
        self.stop_asked = false;
        self.http_code = 0;
        self.exists = Exists::Unknown;
        self.announced_size = None;
        self.body_size = 0;
        self.complete = false;
        self.error = None;
    }

    /// True when the download ended badly: a transport error or an error
    /// status (whose body was refused).
    fn failed(&self) -> bool {
        self.error.is_some() || self.exists == Exists::No
    }
}

struct Shared {
    transfer: Mutex<Transfer>,
    /// Signalled by the thread: bytes arrived, or the download ended.
    produced: Condvar,
    /// Signalled by the reader: bytes were taken, or a stop is asked.
    consumed: Condvar,
}

impl Shared {
    /// A response's status and headers, before its body. Returns false to
    /// stop the transfer (an error status: its body is not the file).
    fn on_headers(&self, code: u32, headers: &[(String, String)]) -> bool {
        let mut t = self.transfer.lock();
        t.http_code = code;
        let header = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
        // Redirects (curl follows them) and interim answers: another comes.
        if (100..200).contains(&code) || ((300..400).contains(&code) && header("Location").is_some()) {
            return !t.stop_asked;
        }
        t.exists = if code == 200 { Exists::Yes } else { Exists::No };
        if code == 200 {
            let encoded = header("Content-Encoding").is_some_and(|v| v.trim().starts_with("gzip"));
            t.announced_size = header("Content-Length").and_then(|v| v.trim().parse().ok()).filter(|_| !encoded);
        }
        t.exists == Exists::Yes && !t.stop_asked
    }

    /// Takes a piece of the body; blocks while the ring is full. Returns the
    /// count taken; less than `data.len()` aborts the transfer.
    fn on_body(&self, mut data: &[u8]) -> usize {
        let total = data.len();
        let mut t = self.transfer.lock();
        if t.exists == Exists::No || t.stop_asked {
            // An error page is not the file.
            return 0;
        }
        if t.exists == Exists::Unknown {
            // No status line (file://, ftp://): bytes mean the file is there.
            t.exists = Exists::Yes;
        }
        t.body_size += total as u64;
        loop {
            let n = data.len().min(t.ring.free());
            t.ring.write(&data[..n]);
            data = &data[n..];
            self.produced.notify_all();
            if data.is_empty() {
                break;
            }
            while t.ring.free() == 0 && !t.stop_asked {
                self.consumed.wait(&mut t);
            }
            if t.stop_asked {
                return 0;
            }
        }
        if t.stop_asked {
            return 0;
        }
        total
    }
}

// ---------------------------------------------------------------------------
// HTTP access, through the shared client of `net`.

/// The GET of the download thread: headers and body go to `shared`.
fn run_get(url: &str, options: &Arc<HttpOptions>, shared: &Arc<Shared>) -> std::result::Result<(), String> {
    let mut req = client::Request::get(url, options.clone());
    req.fetch_filetime = false;
    let s = shared.clone();
    req.header_sink = Some(Box::new(move |code, headers| s.on_headers(code, headers)));
    let s = shared.clone();
    req.sink = Some(Box::new(move |data| s.on_body(data) == data.len()));
    let r = client::send(&mut req);
    match r.error {
        Some(e) => Err(e),
        None if r.stopped => Err("download stopped".to_string()),
        None => Ok(()),
    }
}

struct HeadAnswer {
    code: u32,
    size: Option<u64>,
    effective_url: String,
}

fn run_head(url: &str, options: &Arc<HttpOptions>) -> std::result::Result<HeadAnswer, String> {
    let mut req = client::Request::head(url, options.clone());
    req.fetch_filetime = false;
    let r = client::send(&mut req);
    if let Some(e) = r.error {
        return Err(e);
    }
    Ok(HeadAnswer { code: r.status, size: r.content_length, effective_url: r.effective_url })
}

// ---------------------------------------------------------------------------
// The handle.

pub struct StreamingHandle {
    url: String,
    options: Arc<HttpOptions>,
    shared: Arc<Shared>,
    /// Set from the start of a download until it is stopped (a download that
    /// ended on its own keeps it: it is not restarted unless stopped).
    thread: Option<JoinHandle<()>>,
    pos: Position,
    /// File offset of the first byte in the ring.
    ring_offset: u64,
    /// The first bytes of the file, up to `HEAD_CACHE_SIZE`.
    head: Vec<u8>,
    size: Option<u64>,
    exists: Exists,
    is_dir: bool,
}

impl StreamingHandle {
    fn new(path: &str) -> StreamingHandle {
        let url = url_of(path);
        let prop = cached_prop(url);
        StreamingHandle {
            url: url.to_string(),
            options: Arc::new(HttpOptions::from_config(path)),
            shared: Arc::new(Shared {
                transfer: Mutex::new(Transfer::new()),
                produced: Condvar::new(),
                consumed: Condvar::new(),
            }),
            thread: None,
            pos: Position::default(),
            ring_offset: 0,
            head: Vec::new(),
            size: prop.size,
            exists: prop.exists,
            is_dir: prop.is_dir,
        }
    }

    fn save_prop(&self) {
        set_prop(&self.url, FileProp { exists: self.exists, size: self.size, is_dir: self.is_dir });
    }

    /// GDAL's `Exists()`: unless known, reads the first byte (which starts
    /// the download) and seeks back.
    fn exists(&mut self, path: &str, ignore_restrictions: bool) -> bool {
        if self.exists == Exists::Unknown {
            if !ignore_restrictions && !allowed_filename(path) {
                self.exists = Exists::No;
                self.size = Some(0);
                self.is_dir = false;
                self.save_prop();
                return false;
            }
            let mut first = [0u8; 1];
            let found = matches!(self.read(&mut first), Ok(1));
            self.exists = if found { Exists::Yes } else { Exists::No };
            self.save_prop();
            self.pos.offset = 0;
            self.pos.eof = false;
        }
        self.exists == Exists::Yes
    }

    /// GDAL's `GetFileSize()`: a HEAD unless the size is known.
    fn file_size(&mut self) -> u64 {
        if let Some(s) = self.size {
            return s;
        }
        let mut size = 0;
        self.exists = Exists::No;
        match run_head(&self.url, &self.options) {
            Ok(h) => {
                if h.code == 200 {
                    self.exists = Exists::Yes;
                    size = h.size.unwrap_or(0);
                }
                // A directory: the server redirected to the URL with a "/".
                let eff = h.effective_url;
                {
                    if eff.len() > self.url.len()
                        && eff.starts_with(&self.url)
                        && eff.as_bytes()[self.url.len()] == b'/'
                    {
                        self.exists = Exists::Yes;
                        self.is_dir = true;
                        size = 0;
                    }
                }
            }
            Err(e) => crate::error::cpl_error(
                ErrorClass::Failure,
                cple::APP_DEFINED,
                &format!("VSICurlStreamingHandle::GetFileSize failed: {e}"),
            ),
        }
        self.size = Some(size);
        self.save_prop();
        size
    }

    fn start_download(&mut self) {
        if self.thread.is_some() {
            return;
        }
        self.shared.transfer.lock().restart();
        self.ring_offset = 0;
        let (url, options, shared) = (self.url.clone(), self.options.clone(), self.shared.clone());
        let spawned = std::thread::Builder::new().name("vsicurl_streaming".into()).spawn(move || {
            let outcome = run_get(&url, &options, &shared);
            let mut t = shared.transfer.lock();
            if !t.stop_asked {
                match outcome {
                    Ok(()) => t.complete = true,
                    Err(e) => t.error = Some(e),
                }
            }
            t.in_progress = false;
            shared.produced.notify_all();
        });
        match spawned {
            Ok(h) => self.thread = Some(h),
            Err(e) => {
                let mut t = self.shared.transfer.lock();
                t.in_progress = false;
                t.error = Some(format!("cannot start the download thread: {e}"));
            }
        }
    }

    fn stop_download(&mut self) {
        if let Some(h) = self.thread.take() {
            {
                let mut t = self.shared.transfer.lock();
                t.stop_asked = true;
                self.shared.consumed.notify_all();
            }
            let _ = h.join();
        }
        let mut t = self.shared.transfer.lock();
        t.ring.reset();
        t.in_progress = false;
        self.ring_offset = 0;
    }

    /// Keeps `data`, read at `offset`, if it extends the first-megabyte copy.
    fn keep_head(&mut self, offset: u64, data: &[u8]) {
        let have = self.head.len() as u64;
        if offset > have || offset >= HEAD_CACHE_SIZE as u64 {
            return;
        }
        let end = (offset + data.len() as u64).min(HEAD_CACHE_SIZE as u64);
        if end > have {
            self.head.extend_from_slice(&data[(have - offset) as usize..(end - offset) as usize]);
        }
    }

    /// Moves what the ring holds into the first-megabyte copy, before a
    /// seek back makes it unreachable.
    fn ring_to_head(&mut self) {
        if self.ring_offset >= HEAD_CACHE_SIZE as u64 {
            return;
        }
        let want = (HEAD_CACHE_SIZE as u64 - self.ring_offset) as usize;
        let mut tmp;
        {
            let mut t = self.shared.transfer.lock();
            let n = t.ring.len.min(want);
            tmp = vec![0u8; n];
            t.ring.read(&mut tmp);
            self.shared.consumed.notify_all();
        }
        let at = self.ring_offset;
        self.keep_head(at, &tmp);
        self.ring_offset += tmp.len() as u64;
        tmp.clear();
    }

    /// Takes up to `out.len()` bytes from the ring, waiting for the thread;
    /// 0 when the download is over.
    fn take(&mut self, out: &mut [u8]) -> usize {
        let mut t = self.shared.transfer.lock();
        while t.ring.len == 0 && t.in_progress {
            self.shared.produced.wait(&mut t);
        }
        let n = t.ring.len.min(out.len());
        t.ring.read(&mut out[..n]);
        self.shared.consumed.notify_all();
        n
    }

    /// Learns the size and existence the download has told so far.
    fn learn_from_transfer(&mut self) {
        let t = self.shared.transfer.lock();
        let mut changed = false;
        if t.exists == Exists::Yes && t.complete && self.size != Some(t.body_size) {
            self.size = Some(t.body_size);
            changed = true;
        } else if self.size.is_none() && t.exists == Exists::Yes {
            if let Some(s) = t.announced_size {
                self.size = Some(s);
                changed = true;
            }
        }
        drop(t);
        if changed {
            self.save_prop();
        }
    }

    /// One pass of a read (the caller retries); returns the bytes read and
    /// whether the download failed.
    fn read_once(&mut self, buf: &mut [u8]) -> (usize, bool) {
        self.learn_from_transfer();
        if self.size.is_some_and(|s| s > 0 && self.pos.offset >= s) {
            self.pos.eof = true;
        }
        if self.pos.eof {
            return (0, false);
        }
        if self.pos.offset < self.ring_offset {
            self.ring_to_head();
        }
        let mut done = 0;
        if self.pos.offset < self.head.len() as u64 {
            let at = self.pos.offset as usize;
            let n = buf.len().min(self.head.len() - at);
            buf[..n].copy_from_slice(&self.head[at..at + n]);
            done = n;
            self.pos.offset += n as u64;
        }
        if done == buf.len() || self.size.is_some_and(|s| s > 0 && self.pos.offset >= s) {
            return (done, false);
        }
        if self.pos.offset != self.ring_offset {
            if self.pos.offset < self.ring_offset {
                // Behind the stream and not in the first megabyte: start over.
                self.stop_download();
            }
            self.start_download();
            // Forward: skip, keeping what falls in the first megabyte.
            let mut scratch = vec![0u8; 32 * 1024];
            while self.ring_offset < self.pos.offset {
                let want = ((self.pos.offset - self.ring_offset) as usize).min(scratch.len());
                let n = self.take(&mut scratch[..want]);
                if n == 0 {
                    let failed = self.shared.transfer.lock().failed();
                    return (done, failed);
                }
                let at = self.ring_offset;
                self.keep_head(at, &scratch[..n]);
                self.ring_offset += n as u64;
            }
        }
        self.start_download();
        while done < buf.len() {
            let n = self.take(&mut buf[done..]);
            if n == 0 {
                break;
            }
            let at = self.ring_offset;
            // Borrow juggling: copy out of `buf` only when it matters.
            if at < HEAD_CACHE_SIZE as u64 {
                let piece = buf[done..done + n].to_vec();
                self.keep_head(at, &piece);
            }
            done += n;
            self.ring_offset += n as u64;
            self.pos.offset += n as u64;
        }
        let failed = done < buf.len() && self.shared.transfer.lock().failed();
        self.learn_from_transfer();
        (done, failed)
    }
}

impl Handle for StreamingHandle {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let start = self.pos.offset;
        let mut retry = RetryPolicy::from_options(&self.options).context();
        loop {
            let (done, failed) = self.read_once(buf);
            if !failed {
                if done < buf.len() {
                    self.pos.eof = true;
                }
                return Ok(done);
            }
            let (code, text) = {
                let t = self.shared.transfer.lock();
                (t.http_code, t.error.clone().unwrap_or_default())
            };
            if retry.can_retry(code, b"", &text) {
                self.stop_download();
                client::warn_retry(code, &self.url, retry.delay());
                retry.sleep();
                self.pos.offset = start;
                continue;
            }
            if self.exists == Exists::Unknown && code != 0 && code != 200 && start == 0 {
                self.exists = Exists::No;
            }
            self.pos.error = true;
            if done > 0 {
                return Ok(done);
            }
            let why = if text.is_empty() { format!("HTTP error code {code}") } else { text };
            return Err(Error::new(ErrorKind::Io, format!("{}: {why}", self.url)));
        }
    }

    fn write(&mut self, _buf: &[u8]) -> Result<usize> {
        Err(Error::new(ErrorKind::PermissionDenied, "File opened read-only").with_errno(libc::EBADF))
    }

    fn seek(&mut self, offset: u64, whence: Whence) -> Result<()> {
        let end = if whence == Whence::End { self.file_size() } else { 0 };
        self.pos.seek(offset, whence, || Ok(end))
    }

    crate::position_accessors!(pos);
}

impl Drop for StreamingHandle {
    fn drop(&mut self) {
        self.stop_download();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_wraps_around() {
        let mut r = Ring::new();
        let a = vec![1u8; RING_SIZE - 10];
        r.write(&a);
        let mut out = vec![0u8; RING_SIZE - 20];
        r.read(&mut out);
        assert_eq!(r.len, 10);
        let b: Vec<u8> = (0..100u8).collect();
        r.write(&b);
        let mut out = vec![0u8; 110];
        r.read(&mut out);
        assert_eq!(&out[..10], &[1u8; 10]);
        assert_eq!(&out[10..], &b[..]);
        assert_eq!(r.len, 0);
    }

    #[test]
    fn allowed_extensions_filter_names() {
        config::set_thread_local("CPL_VSIL_CURL_ALLOWED_EXTENSIONS", Some(".tif, {noext}"));
        assert!(allowed_filename("/vsicurl_streaming/http://h/a.TIF?x=1"));
        assert!(allowed_filename("/vsicurl_streaming/http://h/dir/noext"));
        assert!(!allowed_filename("/vsicurl_streaming/http://h/a.png"));
        config::set_thread_local("CPL_VSIL_CURL_ALLOWED_EXTENSIONS", None);
        assert!(allowed_filename("/vsicurl_streaming/http://h/a.png"));
    }
}
