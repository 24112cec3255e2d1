//! `/vsistdout/`: standard output as a write-only file, and
//! `/vsistdout_redirect/<path>`: another file made to behave like it.
//!
//! Writes to `/vsistdout/` go through one process-wide target: by default
//! `fwrite` on C's `stdout`, or whatever [`set_stdout_redirection`] installed
//! (`VSIStdoutSetRedirection` in C). Changing it affects the bytes written
//! afterwards through every open handle. A handle counts the bytes it wrote
//! (its `tell`), and can seek only to where it already is.

use std::io;
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};

use crate::error::{cple, Error, ErrorKind, Result};
use crate::vfs::{self, FileSystem, Handle, Metadata, OpenOptions, StatFlags, Whence};

pub const PREFIX: &str = "/vsistdout/";
pub const REDIRECT_PREFIX: &str = "/vsistdout_redirect/";

type Target = Arc<Mutex<Box<dyn io::Write + Send>>>;

/// `None`: C's stdout.
static REDIRECTION: RwLock<Option<Target>> = RwLock::new(None);

/// Sends what is written to `/vsistdout/` from now on to `writer`; `None`
/// restores the default, C's `stdout`. Each write of a handle is one call
/// of `writer.write` (a short count is passed on), each flush and close one
/// `writer.flush`.
pub fn set_stdout_redirection(writer: Option<Box<dyn io::Write + Send>>) {
    *REDIRECTION.write() = writer.map(|w| Arc::new(Mutex::new(w)));
}

fn current_target() -> Option<Target> {
    // Cloned out, so a writer may itself change the redirection.
    REDIRECTION.read().clone()
}

/// `fwrite` on C's stdout: the count written, and the OS error when the
/// stream failed.
fn write_c_stdout(buf: &[u8]) -> (usize, Option<io::Error>) {
    let out = super::c_stdout();
    // SAFETY: buf is readable for its length; stdout is an open stream.
    let n = unsafe { libc::fwrite(buf.as_ptr().cast(), 1, buf.len(), out) };
    let os_error = io::Error::last_os_error();
    // SAFETY: as above.
    let failed = n < buf.len() && unsafe { libc::ferror(out) } != 0;
    (n, failed.then_some(os_error))
}

/// Writes to the current target: the bytes written, and an error when the
/// target failed or took nothing. A target that takes part of the bytes
/// without an error is a short write, as with `fwrite`.
fn write_out(buf: &[u8]) -> (usize, Option<Error>) {
    let (n, error) = match current_target() {
        Some(w) => match w.lock().write(buf) {
            Ok(n) => (n.min(buf.len()), None),
            Err(e) => (0, Some(e)),
        },
        None => write_c_stdout(buf),
    };
    let error = match error {
        Some(e) => Some(io_error("Cannot write to /vsistdout/", &e)),
        None if n == 0 => Some(Error::new(ErrorKind::Io, "Cannot write to /vsistdout/: nothing was written")),
        None => None,
    };
    (n, error)
}

fn flush_out() -> Result<()> {
    let flushed = match current_target() {
        Some(w) => w.lock().flush(),
        None => super::flush_c_stdout(),
    };
    flushed.map_err(|e| io_error("Cannot flush /vsistdout/", &e))
}

fn io_error(context: &str, e: &io::Error) -> Error {
    match e.raw_os_error() {
        Some(errno) => Error::from_errno(errno, context),
        None => Error::new(ErrorKind::Io, format!("{context}: {e}")),
    }
}

fn read_unsupported(prefix: &str) -> Error {
    Error::new(ErrorKind::PermissionDenied, format!("Read() unsupported on {prefix}"))
        .with_errno(libc::EBADF)
        .with_cpl(cple::NOT_SUPPORTED)
}

fn seek_unsupported(prefix: &str) -> Error {
    Error::new(ErrorKind::Unsupported, format!("Seek() unsupported on {prefix}")).with_cpl(cple::NOT_SUPPORTED)
}

fn check_write_mode(access: &str, prefix: &str) -> Result<()> {
    if access.contains(['r', '+']) {
        return Err(Error::new(ErrorKind::PermissionDenied, format!("Read or update mode not supported on {prefix}"))
            .with_cpl(cple::NOT_SUPPORTED));
    }
    Ok(())
}

/// The `/vsistdout/` file system: every name opens standard output.
pub struct StdoutFs;

impl FileSystem for StdoutFs {
    fn open(&self, _path: &str, options: &OpenOptions) -> Result<Box<dyn Handle>> {
        check_write_mode(&options.access, "/vsistdout")?;
        Ok(Box::new(StdoutHandle { offset: 0, error: false }))
    }

    /// Standard output is not a file one can stat.
    fn stat(&self, path: &str, _flags: StatFlags) -> Result<Metadata> {
        Err(Error::not_found(path))
    }

    fn read_dir(&self, _path: &str, _max_files: usize) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
}

struct StdoutHandle {
    /// Bytes written through this handle.
    offset: u64,
    error: bool,
}

impl Handle for StdoutHandle {
    fn read(&mut self, _buf: &mut [u8]) -> Result<usize> {
        self.error = true;
        Err(read_unsupported("/vsistdout"))
    }

    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let (n, error) = write_out(buf);
        self.offset += n as u64;
        // A failing stdout is reported even when part of the bytes went out.
        match error {
            Some(e) => Err(e),
            None => Ok(n),
        }
    }

    /// Only moves that go nowhere: (0, SEEK_CUR), (0, SEEK_END) and
    /// SEEK_SET to the current offset.
    fn seek(&mut self, offset: u64, whence: Whence) -> Result<()> {
        match whence {
            Whence::Cur | Whence::End if offset == 0 => Ok(()),
            Whence::Set if offset == self.offset => Ok(()),
            _ => Err(seek_unsupported("/vsistdout")),
        }
    }

    fn tell(&mut self) -> u64 {
        self.offset
    }

    fn eof(&self) -> bool {
        false
    }

    fn error(&self) -> bool {
        self.error
    }

    fn clear_err(&mut self) {
        self.error = false;
    }

    fn flush(&mut self) -> Result<()> {
        flush_out()
    }

    fn close(&mut self) -> Result<()> {
        flush_out()
    }
}

/// The `/vsistdout_redirect/` file system: `/vsistdout_redirect/<path>`
/// writes to `<path>` with `/vsistdout/`'s rules (no seek, no read).
pub struct StdoutRedirectFs;

impl FileSystem for StdoutRedirectFs {
    fn open(&self, path: &str, options: &OpenOptions) -> Result<Box<dyn Handle>> {
        check_write_mode(&options.access, "/vsistdout_redirect")?;
        // "/vsistdout_redirect" alone reaches this handler too.
        let inner = path.get(REDIRECT_PREFIX.len()..).unwrap_or("");
        let handle = vfs::handler_for(inner).open(inner, &OpenOptions::new(&options.access))?;
        Ok(Box::new(RedirectHandle { inner: handle, error: false }))
    }

    fn stat(&self, path: &str, _flags: StatFlags) -> Result<Metadata> {
        Err(Error::not_found(path))
    }

    fn read_dir(&self, _path: &str, _max_files: usize) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
}

struct RedirectHandle {
    inner: Box<dyn Handle>,
    error: bool,
}

impl Handle for RedirectHandle {
    fn read(&mut self, _buf: &mut [u8]) -> Result<usize> {
        self.error = true;
        Err(read_unsupported("/vsistdout_redirect"))
    }

    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        self.inner.write(buf)
    }

    /// Every seek fails, even one that would not move.
    fn seek(&mut self, _offset: u64, _whence: Whence) -> Result<()> {
        Err(seek_unsupported("/vsistdout_redirect"))
    }

    fn tell(&mut self) -> u64 {
        self.inner.tell()
    }

    fn eof(&self) -> bool {
        false
    }

    fn error(&self) -> bool {
        self.error
    }

    fn clear_err(&mut self) {
        self.error = false;
    }

    fn flush(&mut self) -> Result<()> {
        self.inner.flush()
    }

    fn close(&mut self) -> Result<()> {
        self.inner.close()
    }
}
