//! The process's standard streams as files: `/vsistdin/` (read once,
//! forwards, with a seekable prefix) and `/vsistdout/` and
//! `/vsistdout_redirect/` (write only).
//!
//! Both go through the C library's `stdin` and `stdout` `FILE*`, as GDAL
//! does, so they interleave correctly with a C caller's own `fgets(stdin)`
//! or `printf`.

mod stdin;
mod stdout;

pub use stdin::{StdinFs, PREFIX as STDIN_PREFIX, QUERY_PREFIX as STDIN_QUERY_PREFIX};
pub use stdout::{set_stdout_redirection, StdoutFs, StdoutRedirectFs, PREFIX as STDOUT_PREFIX, REDIRECT_PREFIX};

use std::ptr::addr_of;

extern "C" {
    // glibc's standard streams. `static mut`: C code may assign them.
    #[link_name = "stdin"]
    static mut C_STDIN: *mut libc::FILE;
    #[link_name = "stdout"]
    static mut C_STDOUT: *mut libc::FILE;
}

/// The C library's `stdin`.
pub fn c_stdin() -> *mut libc::FILE {
    // SAFETY: a plain read of the variable glibc defines; never written here.
    unsafe { *addr_of!(C_STDIN) }
}

/// The C library's `stdout`, where `/vsistdout/` writes by default.
pub fn c_stdout() -> *mut libc::FILE {
    // SAFETY: as for `c_stdin`.
    unsafe { *addr_of!(C_STDOUT) }
}

/// `fflush(stdout)`, with the OS error when it fails.
pub fn flush_c_stdout() -> std::io::Result<()> {
    // SAFETY: stdout is a valid stream for the life of the process.
    if unsafe { libc::fflush(c_stdout()) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// True when `path` is served by `/vsistdin/`: such a path can be read only
/// once, and its stat reads the whole stream, so callers that copy it must
/// not stat it first.
pub fn is_stdin(path: &str) -> bool {
    path.starts_with("/vsistdin") && crate::vfs::same_handler(path, STDIN_PREFIX)
}

/// True when `path` is served by `/vsistdout/` or `/vsistdout_redirect/`:
/// a write-only stream that cannot be stat'ed.
pub fn is_stdout(path: &str) -> bool {
    path.starts_with("/vsistdout")
        && (crate::vfs::same_handler(path, STDOUT_PREFIX) || crate::vfs::same_handler(path, REDIRECT_PREFIX))
}
