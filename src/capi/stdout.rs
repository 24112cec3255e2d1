//! `VSIStdoutSetRedirection`: where `/vsistdout/` writes go.

use std::io;
use std::os::raw::c_void;

use super::guard;
use super::types::VSIWriteFunction;
use crate::fs::stdio;

/// A C write function and the stream it is given, as GDAL keeps them.
struct CWriter {
    write: unsafe extern "C" fn(*const c_void, usize, usize, *mut libc::FILE) -> usize,
    stream: *mut libc::FILE,
}

// SAFETY: the caller hands the function and stream over for use from any
// thread, as GDAL uses them; calls are serialised by the redirection's lock.
unsafe impl Send for CWriter {}

impl io::Write for CWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // SAFETY: the caller's function, called as GDAL calls it (with an
        // element size of 1, since writes reach here as bytes).
        Ok(unsafe { (self.write)(buf.as_ptr().cast(), 1, buf.len(), self.stream) })
    }

    /// As GDAL: only C's own stdout is flushed; other streams are the
    /// function's business.
    fn flush(&mut self) -> io::Result<()> {
        if self.stream == stdio::c_stdout() {
            stdio::flush_c_stdout()
        } else {
            Ok(())
        }
    }
}

/// `VSIStdoutSetRedirection`: `/vsistdout/` writes go to `pFct(ptr, size,
/// nmemb, stream)` from now on, for every handle. `pFct` NULL restores the
/// default, `fwrite` on `stdout` (GDAL would crash on the next write).
#[no_mangle]
pub unsafe extern "C" fn VSIStdoutSetRedirection(pFct: VSIWriteFunction, stream: *mut libc::FILE) {
    guard("VSIStdoutSetRedirection", (), || {
        let writer = pFct.map(|write| Box::new(CWriter { write, stream }) as Box<dyn io::Write + Send>);
        stdio::set_stdout_redirection(writer);
    })
}
