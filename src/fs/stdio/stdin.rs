//! `/vsistdin/`: standard input as a read-only file.
//!
//! Standard input can be read once, forwards. So that a driver can probe a
//! header and come back to it, the first `limit` bytes read (1 MiB by
//! default) are kept in one process-wide prefix that every handle shares: a
//! handle moves freely inside it, and forwards anywhere by reading (and
//! keeping or dropping) what lies between. Only bytes already read past the
//! prefix are out of reach. The limit comes from `CPL_VSISTDIN_BUFFER_LIMIT`
//! or `/vsistdin?buffer_limit=...`, and only ever grows.
//!
//! For tests, `CPL_VSISTDIN_FILE` names a file read instead of standard
//! input; `CPL_VSISTDIN_RESET_POSITION` starts it over at the next open, and
//! `CPL_VSISTDIN_FILE_CLOSE` closes it when a handle closes.
//!
//! Where GDAL 3.6 differs: it refuses every seek, forward ones included, once
//! the prefix is full; it does not rewind the file on a reset; it sets EOF,
//! not the error flag, when a read fails (3.10 fixed that). See
//! `capi-tests/differential/divergences/README.md`.

use std::ffi::CString;

use parking_lot::Mutex;

use crate::config;
use crate::error::{cple, Error, ErrorClass, ErrorKind, Result};
use crate::vfs::{FileSystem, Handle, Metadata, OpenOptions, StatFlags, Whence};

pub const PREFIX: &str = "/vsistdin/";
/// GDAL registers the handler under this spelling too (`/vsistdin?opts`).
pub const QUERY_PREFIX: &str = "/vsistdin?";

const DEFAULT_BUFFER_LIMIT: &str = "1048576";
/// Forward seeks read and drop this much at a time.
const SEEK_CHUNK: usize = 8192;

/// A stream opened with `fopen`.
struct CFile(*mut libc::FILE);

// SAFETY: stdio locks each stream, and the pointer is only used under the
// lock of `STATE`.
unsafe impl Send for CFile {}

/// What every `/vsistdin/` handle shares.
struct State {
    /// The file named by `CPL_VSISTDIN_FILE`; `None` for C's stdin.
    file: Option<(String, CFile)>,
    /// The first bytes of the stream, at most `limit` of them.
    prefix: Vec<u8>,
    limit: u64,
    /// Bytes consumed from the stream.
    real_pos: u64,
    /// The stream hit its end; `size` is then its length.
    at_end: bool,
    size: u64,
    /// `errno` of the last failed read, until cleared.
    error: Option<i32>,
}

static STATE: Mutex<State> =
    Mutex::new(State { file: None, prefix: Vec::new(), limit: 0, real_pos: 0, at_end: false, size: 0, error: None });

impl State {
    fn stream(&self) -> *mut libc::FILE {
        self.file.as_ref().map_or_else(super::c_stdin, |(_, f)| f.0)
    }

    fn forget_data(&mut self) {
        self.prefix = Vec::new();
        self.at_end = false;
        self.size = 0;
        self.error = None;
    }

    /// Goes back to C's stdin, at the position it reports.
    fn use_stdin(&mut self) {
        if let Some((_, f)) = self.file.take() {
            // SAFETY: the stream was opened by fopen and is closed once.
            unsafe { libc::fclose(f.0) };
        }
        // SAFETY: stdin is valid for the life of the process. A pipe has
        // no position (-1): count from 0.
        self.real_pos = unsafe { libc::ftell(super::c_stdin()) }.max(0) as u64;
        self.forget_data();
    }

    /// Makes room for `extra` more bytes of prefix, growing geometrically
    /// but never past the limit. False when memory is short: the bytes are
    /// then not kept.
    fn reserve(&mut self, extra: usize) -> bool {
        let needed = self.prefix.len() + extra;
        if needed <= self.prefix.capacity() {
            return true;
        }
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        let target = (self.prefix.capacity() * 2).min(limit).max(needed);
        self.prefix.try_reserve_exact(target - self.prefix.len()).is_ok()
    }

    /// Reads from the stream into `buf`, keeping in the prefix what falls
    /// within the limit; `offset` (the reader's) moves past the bytes read.
    fn read_and_keep(&mut self, offset: &mut u64, buf: &mut [u8]) -> usize {
        let fp = self.stream();
        // SAFETY: buf is writable for its length; fp is an open stream.
        let n = unsafe { libc::fread(buf.as_mut_ptr().cast(), 1, buf.len(), fp) };
        let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO);
        // Keep the bytes only when they extend the prefix without a gap
        // (after a limit increase, bytes already dropped leave one).
        if self.real_pos < self.limit && self.prefix.len() as u64 == self.real_pos {
            let keep = (self.limit - self.real_pos).min(n as u64) as usize;
            if self.reserve(keep) {
                self.prefix.extend_from_slice(&buf[..keep]);
            }
        }
        *offset += n as u64;
        self.real_pos = *offset;
        if n < buf.len() {
            // SAFETY: fp is an open stream.
            let (eof, failed) = unsafe { (libc::feof(fp) != 0, libc::ferror(fp) != 0) };
            self.at_end = eof;
            if eof {
                self.size = self.real_pos;
            }
            self.error = failed.then_some(errno);
        }
        n
    }

    /// Reads and drops what lies between the real position and `target`;
    /// the reader's `offset` follows the real position. False when the
    /// stream ended or failed first.
    fn skip_to(&mut self, offset: &mut u64, target: u64) -> bool {
        *offset = self.real_pos;
        let mut chunk = [0u8; SEEK_CHUNK];
        loop {
            let want = target.saturating_sub(*offset).min(SEEK_CHUNK as u64) as usize;
            if self.read_and_keep(offset, &mut chunk[..want]) < want {
                return false;
            }
            if want < SEEK_CHUNK {
                return true;
            }
        }
    }

    fn read_error(&self, errno: i32) -> Error {
        let what = match &self.file {
            Some((name, _)) => format!("Cannot read /vsistdin/ (from {name})"),
            None => "Cannot read /vsistdin/ (standard input)".to_string(),
        };
        Error::from_errno(errno, &what)
    }
}

/// GDAL's message when the bytes asked for were read and dropped.
fn beyond_limit(limit: u64) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        format!(
            "Backward Seek() unsupported on /vsistdin beyond maximum buffer limit ({limit} bytes).\n\
             This limit can be extended by setting the CPL_VSISTDIN_BUFFER_LIMIT configuration option to a number \
             of bytes, or by using the '/vsistdin?buffer_limit=number_of_bytes' filename.\n\
             A limit of -1 means unlimited."
        ),
    )
    .with_cpl(cple::NOT_SUPPORTED)
}

/// `strtoull(text, NULL, 10)`: leading blanks, a sign, digits; saturates
/// on overflow; a minus sign negates modulo 2^64 (so "-1" is the maximum).
fn strtoull(text: &str) -> u64 {
    let t = text.trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut value: u64 = 0;
    for d in digits.bytes().take_while(u8::is_ascii_digit) {
        match value.checked_mul(10).and_then(|v| v.checked_add(u64::from(d - b'0'))) {
            Some(v) => value = v,
            None => return u64::MAX,
        }
    }
    if negative {
        value.wrapping_neg()
    } else {
        value
    }
}

/// A buffer limit as GDAL reads it: a number of bytes, times 2^20 when the
/// text contains "MB" or 2^30 with "GB"; "-1" (or anything huge) means the
/// largest size there is.
pub(crate) fn parse_buffer_limit(text: &str) -> u64 {
    let max = usize::MAX as u64 - 1;
    let value = strtoull(text);
    let scale: u64 = if text.contains("MB") {
        1 << 20
    } else if text.contains("GB") {
        1 << 30
    } else {
        1
    };
    value.checked_mul(scale).unwrap_or(max).min(max)
}

/// `CPLUnescapeString(..., CPLES_URL)`: `%XX` escapes and `+` for space.
fn url_unescape(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'%' if i + 2 < b.len() => {
                match (hex(b[i + 1]), hex(b[i + 2])) {
                    (Some(h), Some(l)) => out.push((h * 16 + l) as u8),
                    _ => out.extend_from_slice(&b[i..i + 3]),
                }
                i += 3;
                continue;
            }
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `CPLParseNameValue`: splits at the first `=` or `:`, trims blanks after
/// the separator and before it; `None` without a separator.
fn parse_name_value(text: &str) -> Option<(&str, &str)> {
    let i = text.find(['=', ':'])?;
    Some((text[..i].trim_end_matches([' ', '\t']), text[i + 1..].trim_start_matches([' ', '\t'])))
}

/// Checks the name and applies its options and the test hooks. Accepted:
/// `/vsistdin/`, and `/vsistdin?opts` or `/vsistdin/?opts` without any `.`.
fn parse_filename(path: &str) -> Result<()> {
    let well_formed = path.eq_ignore_ascii_case(PREFIX)
        || ((path.starts_with("/vsistdin/?") || path.starts_with(QUERY_PREFIX)) && !path.contains('.'));
    if !well_formed {
        return Err(Error::not_found(path));
    }
    if !config::get_bool("CPL_ALLOW_VSISTDIN", true) {
        return Err(Error::new(
            ErrorKind::PermissionDenied,
            "/vsistdin/ disabled. Set CPL_ALLOW_VSISTDIN to YES to enable it",
        )
        .with_cpl(cple::NOT_SUPPORTED));
    }
    let mut limit = parse_buffer_limit(&config::get_or("CPL_VSISTDIN_BUFFER_LIMIT", DEFAULT_BUFFER_LIMIT));
    // Both prefixes are 10 ASCII bytes.
    let query = &path[PREFIX.len()..];
    let query = query.strip_prefix('?').unwrap_or(query);
    for token in query.split('&').filter(|t| !t.is_empty()) {
        let token = url_unescape(token);
        if let Some((key, value)) = parse_name_value(&token) {
            if key.eq_ignore_ascii_case("buffer_limit") {
                limit = parse_buffer_limit(value);
            } else {
                crate::error::cpl_error(ErrorClass::Warning, cple::NOT_SUPPORTED, &format!("Unsupported option: {key}"));
            }
        }
    }

    let source = config::get_or("CPL_VSISTDIN_FILE", "stdin");
    let mut s = STATE.lock();
    if source.eq_ignore_ascii_case("stdin") {
        if s.file.is_some() {
            s.use_stdin();
        }
    } else {
        let same_file = s.file.as_ref().is_some_and(|(name, _)| *name == source);
        let reset = if same_file {
            config::get_bool("CPL_VSISTDIN_RESET_POSITION", false)
        } else {
            if let Some((_, old)) = s.file.take() {
                // SAFETY: opened by fopen, closed once.
                unsafe { libc::fclose(old.0) };
            }
            let opened = CString::new(source.as_str())
                .map_err(|_| Error::new(ErrorKind::InvalidInput, "embedded NUL in CPL_VSISTDIN_FILE"))
                // SAFETY: both are valid C strings.
                .map(|name| unsafe { libc::fopen(name.as_ptr(), c"rb".as_ptr()) });
            match opened {
                Ok(fp) if !fp.is_null() => s.file = Some((source.clone(), CFile(fp))),
                Ok(_) => {
                    let e = Error::last_os_error(&source);
                    s.use_stdin();
                    return Err(e);
                }
                Err(e) => {
                    s.use_stdin();
                    return Err(e);
                }
            }
            true
        };
        if reset {
            // GDAL resets its counters but leaves the file where it was;
            // starting over means reading it from the start again.
            // SAFETY: the stream is open.
            unsafe { libc::fseek(s.stream(), 0, libc::SEEK_SET) };
            s.limit = 0;
            s.real_pos = 0;
            s.forget_data();
        }
    }
    s.limit = s.limit.max(limit);
    Ok(())
}

/// The `/vsistdin/` file system (also registered as `/vsistdin?`).
pub struct StdinFs;

impl FileSystem for StdinFs {
    fn open(&self, path: &str, options: &OpenOptions) -> Result<Box<dyn Handle>> {
        parse_filename(path)?;
        if options.access.contains(['w', '+']) {
            return Err(Error::new(ErrorKind::PermissionDenied, "Write or update mode not supported on /vsistdin")
                .with_cpl(cple::NOT_SUPPORTED));
        }
        Ok(Box::new(StdinHandle { offset: 0, eof: false, error: false }))
    }

    /// A regular file; its size, when asked for, is learnt by reading the
    /// whole stream (only the prefix is kept).
    fn stat(&self, path: &str, flags: StatFlags) -> Result<Metadata> {
        parse_filename(path)?;
        let mut size = 0;
        if flags.has(StatFlags::SIZE) {
            let known = {
                let s = STATE.lock();
                s.at_end.then_some(s.size)
            };
            size = match known {
                Some(n) => n,
                None => {
                    let mut h = self.open(path, &OpenOptions::new("rb"))?;
                    // A failed read ends the scan early, as in GDAL: the
                    // size is what could be read.
                    let _ = h.seek(0, Whence::End);
                    let n = h.tell();
                    h.close()?;
                    n
                }
            };
        }
        Ok(Metadata::file(size, 0))
    }

    fn read_dir(&self, _path: &str, _max_files: usize) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
}

/// One open `/vsistdin/`: its own offset and flags over the shared state.
struct StdinHandle {
    offset: u64,
    eof: bool,
    error: bool,
}

impl Handle for StdinHandle {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let mut s = STATE.lock();
        let kept = s.prefix.len() as u64;
        // Bytes between the prefix and the real position were dropped.
        if self.offset < s.real_pos && kept < s.real_pos && self.offset.saturating_add(buf.len() as u64) > kept {
            return Err(beyond_limit(s.limit));
        }
        let mut done = 0;
        if self.offset < kept {
            let start = self.offset as usize;
            done = buf.len().min(s.prefix.len() - start);
            buf[..done].copy_from_slice(&s.prefix[start..start + done]);
            self.offset += done as u64;
            if done == buf.len() {
                return Ok(done);
            }
        }
        // Only after a reset by another open can a handle be ahead of the
        // stream: catch up first.
        if self.offset > s.real_pos {
            let target = self.offset;
            s.skip_to(&mut self.offset, target);
        }
        let n = s.read_and_keep(&mut self.offset, &mut buf[done..]);
        self.eof = s.at_end;
        self.error = s.error.is_some();
        match s.error {
            Some(errno) if done + n == 0 => Err(s.read_error(errno)),
            _ => Ok(done + n),
        }
    }

    fn write(&mut self, _buf: &[u8]) -> Result<usize> {
        Err(Error::new(ErrorKind::PermissionDenied, "Write() unsupported on /vsistdin")
            .with_errno(libc::EBADF)
            .with_cpl(cple::NOT_SUPPORTED))
    }

    fn seek(&mut self, offset: u64, whence: Whence) -> Result<()> {
        self.eof = false;
        if whence == Whence::Set && offset == self.offset {
            return Ok(());
        }
        let mut s = STATE.lock();
        let target = match whence {
            Whence::End if offset != 0 => {
                return Err(Error::new(ErrorKind::Unsupported, "Seek(xx != 0, SEEK_END) unsupported on /vsistdin")
                    .with_cpl(cple::NOT_SUPPORTED));
            }
            Whence::End if s.at_end => {
                self.offset = s.size;
                return Ok(());
            }
            Whence::End => u64::MAX,
            Whence::Cur => self.offset.wrapping_add(offset),
            Whence::Set => offset,
        };
        if target < s.prefix.len() as u64 {
            self.offset = target;
            return Ok(());
        }
        if target < s.real_pos {
            return Err(beyond_limit(s.limit));
        }
        if target == self.offset {
            return Ok(());
        }
        crate::error::debug("VSI", &format!("Forward seek from {} to {target}", self.offset));
        if s.skip_to(&mut self.offset, target) || whence == Whence::End {
            return Ok(());
        }
        Err(match s.error {
            Some(errno) => s.read_error(errno),
            None => Error::new(
                ErrorKind::InvalidInput,
                format!("Seek to {target} beyond the end of /vsistdin/ ({} bytes)", s.real_pos),
            ),
        })
    }

    fn tell(&mut self) -> u64 {
        self.offset
    }

    fn eof(&self) -> bool {
        self.eof
    }

    fn error(&self) -> bool {
        self.error
    }

    fn clear_err(&mut self) {
        let mut s = STATE.lock();
        // SAFETY: the stream is open.
        unsafe { libc::clearerr(s.stream()) };
        s.error = None;
        self.eof = false;
        self.error = false;
    }

    fn close(&mut self) -> Result<()> {
        let close_file = config::get_bool("CPL_VSISTDIN_FILE_CLOSE", false);
        let mut s = STATE.lock();
        if close_file && s.file.is_some() {
            s.use_stdin();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffer_limits_read_like_gdal() {
        assert_eq!(parse_buffer_limit("1048576"), 1 << 20);
        assert_eq!(parse_buffer_limit("10MB"), 10 << 20);
        assert_eq!(parse_buffer_limit(" 2GB"), 2 << 30);
        assert_eq!(parse_buffer_limit("-1"), usize::MAX as u64 - 1);
        assert_eq!(parse_buffer_limit("-1MB"), usize::MAX as u64 - 1);
        assert_eq!(parse_buffer_limit("99999999999999999999999"), usize::MAX as u64 - 1);
        assert_eq!(parse_buffer_limit("abc"), 0);
        assert_eq!(parse_buffer_limit("12abc"), 12);
    }

    #[test]
    fn options_unescape_and_split_like_cpl() {
        assert_eq!(url_unescape("buffer%5Flimit=1+MB"), "buffer_limit=1 MB");
        assert_eq!(url_unescape("a%2"), "a%2");
        assert_eq!(url_unescape("%zz"), "%zz");
        assert_eq!(parse_name_value("key = value"), Some(("key", "value")));
        assert_eq!(parse_name_value("k:v=w"), Some(("k", "v=w")));
        assert_eq!(parse_name_value("novalue"), None);
    }
}
