//! Building blocks that handlers compose.
//!
//! Positional reads are the common currency: a read-only source (a window of
//! another file, a sparse assembly, a cached file) is a [`ReadAt`], usable
//! from many threads, and one [`ReadCursor`] gives any `ReadAt` GDAL's
//! seek/tell/EOF/error semantics as a [`Handle`]. [`SharedHandle`] turns an
//! open handle of another file (chaining) into a `ReadAt`.

pub mod block_cache;
pub mod inflate;

use std::sync::Arc;

use parking_lot::Mutex;

use crate::error::{Error, ErrorKind, Result};
use crate::vfs::{Handle, Whence};

/// The offset and flags every handle keeps, with GDAL's rules, written
/// once: seeks use wrapping unsigned arithmetic (so `SEEK_CUR` with a
/// two's-complement "negative" offset moves back), succeed past the end,
/// and clear EOF.
#[derive(Debug, Default, Clone, Copy)]
pub struct Position {
    pub offset: u64,
    pub eof: bool,
    pub error: bool,
}

impl Position {
    /// Moves as `VSIFSeekL` does; `end` gives the size for `SEEK_END`.
    pub fn seek(&mut self, offset: u64, whence: Whence, end: impl FnOnce() -> Result<u64>) -> Result<()> {
        self.offset = match whence {
            Whence::Set => offset,
            Whence::Cur => self.offset.wrapping_add(offset),
            Whence::End => end()?.wrapping_add(offset),
        };
        self.eof = false;
        Ok(())
    }

    /// `VSIFClearErrL`.
    pub fn clear(&mut self) {
        self.eof = false;
        self.error = false;
    }
}

/// Implements `tell`, `eof`, `error` and `clear_err` of a [`Handle`] from
/// its [`Position`] field.
#[macro_export]
macro_rules! position_accessors {
    ($field:ident) => {
        fn tell(&mut self) -> u64 {
            self.$field.offset
        }
        fn eof(&self) -> bool {
            self.$field.eof
        }
        fn error(&self) -> bool {
            self.$field.error
        }
        fn clear_err(&mut self) {
            self.$field.clear()
        }
    };
}

/// Positional, thread-safe reads.
pub trait ReadAt: Send + Sync {
    /// Reads up to `buf.len()` bytes at `offset`. A short count means the
    /// end of the data; `Err` means nothing could be read.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize>;
    /// The size of the data.
    fn size(&self) -> Result<u64>;
}

impl<T: ReadAt + ?Sized> ReadAt for Arc<T> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        (**self).read_at(offset, buf)
    }
    fn size(&self) -> Result<u64> {
        (**self).size()
    }
}

/// Fills `buf` from `offset` by repeated reads, stopping at the end of data.
pub fn read_full_at(src: &dyn ReadAt, mut offset: u64, buf: &mut [u8]) -> Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        let n = src.read_at(offset, &mut buf[done..])?;
        if n == 0 {
            break;
        }
        done += n;
        offset += n as u64;
    }
    Ok(done)
}

/// A read-only [`Handle`] over a [`ReadAt`], with GDAL's semantics: seeks
/// anywhere (also past the end) succeed and clear EOF; a read that comes up
/// short sets EOF; a failed read sets the error flag.
pub struct ReadCursor<R: ReadAt> {
    source: R,
    pos: Position,
}

impl<R: ReadAt> ReadCursor<R> {
    pub fn new(source: R) -> ReadCursor<R> {
        ReadCursor { source, pos: Position::default() }
    }
    pub fn source(&self) -> &R {
        &self.source
    }
}

impl<R: ReadAt + 'static> Handle for ReadCursor<R> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let mut done = 0;
        while done < buf.len() {
            match self.source.read_at(self.pos.offset + done as u64, &mut buf[done..]) {
                Ok(0) => break,
                Ok(n) => done += n,
                // Bytes already read are returned; the error flag tells why
                // the count is short.
                Err(e) => {
                    self.pos.error = true;
                    if done == 0 {
                        return Err(e);
                    }
                    break;
                }
            }
        }
        self.pos.offset += done as u64;
        if done < buf.len() && !self.pos.error {
            self.pos.eof = true;
        }
        Ok(done)
    }

    fn write(&mut self, _buf: &[u8]) -> Result<usize> {
        Err(Error::new(ErrorKind::PermissionDenied, "File opened read-only").with_errno(libc::EBADF))
    }

    fn seek(&mut self, offset: u64, whence: Whence) -> Result<()> {
        let source = &self.source;
        self.pos.seek(offset, whence, || source.size())
    }

    crate::position_accessors!(pos);

    fn read_multi_range(&mut self, ranges: &mut [(u64, &mut [u8])]) -> Result<()> {
        // GDAL restores the offset with a seek, which clears EOF.
        self.pos.eof = false;
        for (offset, buf) in ranges.iter_mut() {
            if read_full_at(&self.source, *offset, buf)? != buf.len() {
                return Err(Error::new(ErrorKind::Io, "range beyond the end of file in multi-range read"));
            }
        }
        Ok(())
    }
}

/// An open handle of another file, shared as a [`ReadAt`]: each read seeks
/// and reads under the handle's own lock (handles are not thread-safe).
pub struct SharedHandle {
    inner: Mutex<Box<dyn Handle>>,
}

impl SharedHandle {
    pub fn new(handle: Box<dyn Handle>) -> SharedHandle {
        SharedHandle { inner: Mutex::new(handle) }
    }

    /// Closes the wrapped handle, reporting its outcome.
    pub fn close(&self) -> Result<()> {
        self.inner.lock().close()
    }
}

impl ReadAt for SharedHandle {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        let mut h = self.inner.lock();
        h.seek(offset, Whence::Set)?;
        let n = h.read(buf)?;
        if n < buf.len() && h.error() {
            return if n == 0 { Err(Error::new(ErrorKind::Io, "read error in underlying file")) } else { Ok(n) };
        }
        Ok(n)
    }

    fn size(&self) -> Result<u64> {
        let mut h = self.inner.lock();
        h.seek(0, Whence::End)?;
        Ok(h.tell())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Bytes(Vec<u8>);
    impl ReadAt for Bytes {
        fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
            let start = (offset as usize).min(self.0.len());
            let n = buf.len().min(self.0.len() - start);
            buf[..n].copy_from_slice(&self.0[start..start + n]);
            Ok(n)
        }
        fn size(&self) -> Result<u64> {
            Ok(self.0.len() as u64)
        }
    }

    #[test]
    fn cursor_has_gdal_eof_semantics() {
        let mut c = ReadCursor::new(Bytes(b"abcdef".to_vec()));
        let mut buf = [0u8; 6];
        assert_eq!(c.read(&mut buf).unwrap(), 6);
        assert!(!c.eof(), "reading exactly to the end does not set EOF");
        assert_eq!(c.read(&mut buf).unwrap(), 0);
        assert!(c.eof());
        c.seek(100, Whence::Set).unwrap();
        assert!(!c.eof());
        assert_eq!(c.read(&mut buf).unwrap(), 0);
        c.seek(0u64.wrapping_sub(2), Whence::End).unwrap();
        assert_eq!(c.read(&mut buf).unwrap(), 2);
        assert_eq!(&buf[..2], b"ef");
        assert!(c.write(b"x").is_err());
        c.seek(4, Whence::Set).unwrap();
        assert_eq!(c.read(&mut buf).unwrap(), 2);
        assert!(c.eof());
        let (mut a, mut b) = ([0u8; 2], [0u8; 1]);
        c.read_multi_range(&mut [(0, &mut a[..]), (5, &mut b[..])]).unwrap();
        assert!(!c.eof(), "a multi-range read restores the offset with a seek, clearing EOF");
        assert_eq!((&a, &b), (b"ab", b"f"));
    }

    /// Serves its bytes, then fails at `fail_at` and beyond.
    struct Failing(Vec<u8>, u64);
    impl ReadAt for Failing {
        fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
            if offset >= self.1 {
                return Err(Error::new(ErrorKind::Io, "broken"));
            }
            let n = buf.len().min((self.1 - offset) as usize);
            buf[..n].copy_from_slice(&self.0[offset as usize..offset as usize + n]);
            Ok(n)
        }
        fn size(&self) -> Result<u64> {
            Ok(self.0.len() as u64)
        }
    }

    #[test]
    fn cursor_returns_bytes_read_before_an_error() {
        let mut c = ReadCursor::new(Failing(b"abcdef".to_vec(), 3));
        let mut buf = [0u8; 5];
        assert_eq!(c.read(&mut buf).unwrap(), 3);
        assert_eq!(&buf[..3], b"abc");
        assert!(c.error() && !c.eof());
        assert_eq!(c.tell(), 3);
        assert!(c.read(&mut buf).is_err());
        assert_eq!(c.tell(), 3);
    }
}
