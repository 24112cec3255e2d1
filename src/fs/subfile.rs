//! `/vsisubfile/<offset>[_<size>],<filename>`: a window of another file.
//!
//! The other file is opened through the registry, so any handler can hold
//! the window (`/vsisubfile/0_10,/vsisubfile/5,/vsimem/a.bin`). A missing
//! size, a size of 0 or one starting with `-` means "to the end of the
//! file". Numbers are read as `strtoull` reads them, as GDAL does.
//!
//! Read-only opens validate the window against the file (an offset past
//! its end fails; a size running past it is cut) and read through a
//! [`Window`], a positional source that other handlers can reuse. Update
//! opens (`"r+"`; `"w"` becomes `"r+"`, the file must exist) wrap the inner
//! handle and clip reads and writes to the window.
//!
//! Seeks follow GDAL: `SEEK_END` on a bounded window goes to its end whatever
//! the offset. One deliberate difference: a seek that would land before the
//! start of the window fails (GDAL moves the inner file there and then reads
//! bytes outside the window while `Tell` says 0).

use crate::error::{Error, ErrorKind, Result};
use crate::io::{ReadAt, ReadCursor, SharedHandle};
use crate::vfs::{self, FileSystem, Handle, Metadata, OpenOptions, StatFlags, Whence};

pub const PREFIX: &str = "/vsisubfile/";

/// The `/vsisubfile/` file system.
pub struct SubfileFs;

/// A parsed `/vsisubfile/` path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubfilePath {
    pub offset: u64,
    /// 0 means "to the end of the file".
    pub size: u64,
    pub filename: String,
}

/// `strtoull(s, NULL, 10)`: leading blanks, an optional sign (a `-` negates
/// modulo 2^64), the digits that follow; saturates on overflow; 0 when there
/// are no digits.
fn strtoull(s: &str) -> u64 {
    let b = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']).as_bytes();
    let (negative, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    let mut value: u64 = 0;
    for &c in digits.iter().take_while(|c| c.is_ascii_digit()) {
        match value.checked_mul(10).and_then(|v| v.checked_add(u64::from(c - b'0'))) {
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

/// Parses `/vsisubfile/<offset>[_<size>],<filename>` as GDAL's
/// `DecomposePath` does (a `/` before the comma is an error).
pub fn parse_path(path: &str) -> Result<SubfilePath> {
    let invalid = || {
        Error::new(
            ErrorKind::InvalidInput,
            format!("{path}: invalid /vsisubfile/ path, expected /vsisubfile/<offset>[_<size>],<filename>"),
        )
        .with_errno(libc::ENOENT)
    };
    let rest = path.strip_prefix(PREFIX).ok_or_else(invalid)?;
    let offset = strtoull(rest);
    let mut size = 0u64;
    for (i, c) in rest.char_indices() {
        match c {
            // Only a size still 0 is (re)read, as GDAL does.
            '_' if size == 0 => {
                let after = &rest[i + 1..];
                size = if after.starts_with('-') { 0 } else { strtoull(after) };
            }
            ',' => return Ok(SubfilePath { offset, size, filename: rest[i + 1..].to_string() }),
            '/' => return Err(invalid()),
            _ => {}
        }
    }
    Err(invalid())
}

/// Opens another file through the registry (chaining).
fn open_inner(path: &str, access: &str) -> Result<Box<dyn Handle>> {
    if path.len() >= crate::MAX_PATH_LEN {
        return Err(Error::new(ErrorKind::InvalidInput, format!("path too long ({} bytes)", path.len()))
            .with_errno(libc::ENAMETOOLONG));
    }
    vfs::handler_for(path).open(path, &OpenOptions::new(access))
}

fn refused(op: &str, path: &str) -> Error {
    Error::from_errno(libc::EACCES, &format!("{op}({path})"))
}

/// A byte range of another source, itself a source: `len` `None` runs to
/// the end of the inner source.
pub struct Window<R: ReadAt> {
    inner: R,
    start: u64,
    len: Option<u64>,
}

impl<R: ReadAt> Window<R> {
    pub fn new(inner: R, start: u64, len: Option<u64>) -> Window<R> {
        Window { inner, start, len }
    }
    pub fn inner(&self) -> &R {
        &self.inner
    }
}

impl<R: ReadAt> ReadAt for Window<R> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        let avail = self.len.map_or(u64::MAX, |l| l.saturating_sub(offset));
        let n = buf.len().min(usize::try_from(avail).unwrap_or(usize::MAX));
        let Some(abs) = self.start.checked_add(offset) else { return Ok(0) };
        if n == 0 {
            return Ok(0);
        }
        self.inner.read_at(abs, &mut buf[..n])
    }

    fn size(&self) -> Result<u64> {
        match self.len {
            Some(l) => Ok(l),
            None => Ok(self.inner.size()?.saturating_sub(self.start)),
        }
    }
}

/// Where a seek lands in window coordinates, with GDAL's unsigned offsets
/// read as signed moves for `SEEK_CUR`/`SEEK_END`; `None` before the start
/// of the window or past 2^64.
fn target(base: u64, offset: u64) -> Option<u64> {
    let t = i128::from(base) + i128::from(offset as i64);
    u64::try_from(t).ok()
}

fn before_window(path_hint: &str) -> Error {
    Error::new(ErrorKind::InvalidInput, format!("{path_hint}: seek before the start of the window")).with_errno(libc::EINVAL)
}

/// A read-only window.
struct SubfileReader {
    cursor: ReadCursor<Window<SharedHandle>>,
    /// The absolute offset of the window, to refuse seeks that overflow.
    start: u64,
    bounded: bool,
}

impl Handle for SubfileReader {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        self.cursor.read(buf)
    }
    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        self.cursor.write(buf)
    }
    fn seek(&mut self, offset: u64, whence: Whence) -> Result<()> {
        let to = match whence {
            Whence::Set if offset > u64::MAX - self.start => None,
            Whence::Set => Some(offset),
            Whence::Cur => target(self.cursor.tell(), offset),
            // A bounded window's end, whatever the offset, as GDAL.
            Whence::End if self.bounded => Some(self.cursor.source().size()?),
            Whence::End => target(self.cursor.source().size()?, offset),
        };
        let to = to.filter(|t| t.checked_add(self.start).is_some()).ok_or_else(|| before_window("/vsisubfile/"))?;
        self.cursor.seek(to, Whence::Set)
    }
    fn tell(&mut self) -> u64 {
        self.cursor.tell()
    }
    fn eof(&self) -> bool {
        self.cursor.eof()
    }
    fn error(&self) -> bool {
        self.cursor.error()
    }
    fn clear_err(&mut self) {
        self.cursor.clear_err()
    }
    fn close(&mut self) -> Result<()> {
        self.cursor.source().inner().close()
    }
    fn read_multi_range(&mut self, ranges: &mut [(u64, &mut [u8])]) -> Result<()> {
        self.cursor.read_multi_range(ranges)
    }
}

/// A window opened for update: reads and writes go to the inner handle,
/// clipped to the window.
struct SubfileWriter {
    inner: Box<dyn Handle>,
    start: u64,
    /// 0: to the end of the file.
    size: u64,
    eof: bool,
    error: bool,
}

impl SubfileWriter {
    /// Bytes left before the end of a bounded window (`None` unbounded).
    fn room(&mut self) -> Option<u64> {
        (self.size != 0).then(|| (self.start + self.size).saturating_sub(self.inner.tell()))
    }
}

impl Handle for SubfileWriter {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let want = match self.room() {
            Some(0) => {
                self.eof = true;
                return Ok(0);
            }
            Some(room) => buf.len().min(usize::try_from(room).unwrap_or(usize::MAX)),
            None => buf.len(),
        };
        match self.inner.read(&mut buf[..want]) {
            Ok(n) => {
                if n < buf.len() {
                    if n < want && self.inner.error() {
                        self.error = true;
                    } else {
                        self.eof = true;
                    }
                }
                Ok(n)
            }
            Err(e) => {
                self.error = true;
                Err(e)
            }
        }
    }

    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        self.eof = false;
        let n = match self.room() {
            Some(room) => buf.len().min(usize::try_from(room).unwrap_or(usize::MAX)),
            None => buf.len(),
        };
        if n == 0 {
            return Ok(0);
        }
        self.inner.write(&buf[..n])
    }

    fn seek(&mut self, offset: u64, whence: Whence) -> Result<()> {
        self.eof = false;
        let here = self.inner.tell().saturating_sub(self.start);
        let to = match whence {
            Whence::Set if offset > u64::MAX - self.start => None,
            Whence::Set => Some(offset),
            Whence::Cur => target(here, offset),
            Whence::End if self.size != 0 => Some(self.size),
            Whence::End => {
                self.inner.seek(0, Whence::End)?;
                let end = self.inner.tell().saturating_sub(self.start);
                let to = target(end, offset);
                if to.is_none() {
                    self.inner.seek(self.start + here, Whence::Set)?;
                }
                to
            }
        };
        let to = to.and_then(|t| t.checked_add(self.start)).ok_or_else(|| before_window("/vsisubfile/"))?;
        self.inner.seek(to, Whence::Set)
    }

    fn tell(&mut self) -> u64 {
        self.inner.tell().saturating_sub(self.start)
    }
    fn eof(&self) -> bool {
        self.eof
    }
    fn error(&self) -> bool {
        self.error
    }
    fn clear_err(&mut self) {
        self.inner.clear_err();
        self.eof = false;
        self.error = false;
    }
    fn flush(&mut self) -> Result<()> {
        self.inner.flush()
    }
    fn close(&mut self) -> Result<()> {
        self.inner.close()
    }
}

impl FileSystem for SubfileFs {
    fn open(&self, path: &str, options: &OpenOptions) -> Result<Box<dyn Handle>> {
        let sub = parse_path(path)?;
        if sub.offset > u64::MAX - sub.size {
            return Err(Error::new(ErrorKind::InvalidInput, format!("{path}: offset + size beyond 2^64"))
                .with_errno(libc::EINVAL));
        }
        // The containing file cannot be truncated: "w" updates in place.
        let access = if options.access.starts_with('w') { "r+" } else { options.access.as_str() };
        let mut inner = open_inner(&sub.filename, access)?;
        if access.contains('r') && !access.contains('+') {
            let shared = SharedHandle::new(inner);
            let file_size = match shared.size() {
                Ok(s) => s,
                Err(e) => {
                    let _ = shared.close();
                    return Err(e);
                }
            };
            // A directory opened as a file reports this size.
            if file_size == u64::MAX / 2 || sub.offset > file_size {
                let _ = shared.close();
                return Err(Error::new(
                    ErrorKind::InvalidInput,
                    format!("{path}: offset {} is beyond the end of {} ({file_size} bytes)", sub.offset, sub.filename),
                )
                .with_errno(libc::EINVAL));
            }
            let size = if sub.offset + sub.size > file_size { file_size - sub.offset } else { sub.size };
            let window = Window::new(shared, sub.offset, (size != 0).then_some(size));
            return Ok(Box::new(SubfileReader { cursor: ReadCursor::new(window), start: sub.offset, bounded: size != 0 }));
        }
        if let Err(e) = inner.seek(sub.offset, Whence::Set) {
            let _ = inner.close();
            return Err(e);
        }
        Ok(Box::new(SubfileWriter { inner, start: sub.offset, size: sub.size, eof: false, error: false }))
    }

    fn stat(&self, path: &str, flags: StatFlags) -> Result<Metadata> {
        let sub = parse_path(path)?;
        let mut meta = crate::stat_ex(&sub.filename, flags)?;
        meta.size = if sub.size != 0 { sub.size } else { meta.size.saturating_sub(sub.offset) };
        if let Some(native) = meta.native.as_mut() {
            native.st_size = meta.size as i64;
        }
        Ok(meta)
    }

    fn read_dir(&self, path: &str, _max_files: usize) -> Result<Vec<String>> {
        Err(Error::new(ErrorKind::NotADirectory, format!("{path}: /vsisubfile/ has no directories")).with_errno(libc::ENOTDIR))
    }
    fn unlink(&self, path: &str) -> Result<()> {
        Err(refused("Unlink", path))
    }
    fn mkdir(&self, path: &str, _mode: u32) -> Result<()> {
        Err(refused("Mkdir", path))
    }
    fn rmdir(&self, path: &str) -> Result<()> {
        Err(refused("Rmdir", path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn parsed(path: &str) -> (u64, u64, String) {
        let p = parse_path(path).unwrap();
        (p.offset, p.size, p.filename)
    }

    #[test]
    fn path_syntax_follows_gdal() {
        assert_eq!(parsed("/vsisubfile/5_10,/vsimem/a"), (5, 10, "/vsimem/a".into()));
        assert_eq!(parsed("/vsisubfile/5,a,b"), (5, 0, "a,b".into()));
        assert_eq!(parsed("/vsisubfile/5_-1,x"), (5, 0, "x".into()));
        assert_eq!(parsed("/vsisubfile/,x"), (0, 0, "x".into()));
        assert_eq!(parsed("/vsisubfile/2_0_4,x"), (2, 4, "x".into()));
        assert_eq!(parsed("/vsisubfile/2_3_4,x"), (2, 3, "x".into()));
        assert_eq!(parsed("/vsisubfile/+3_ 2,x"), (3, 2, "x".into()));
        assert_eq!(parsed("/vsisubfile/-3,x").0, u64::MAX - 2);
        assert_eq!(parsed("/vsisubfile/99999999999999999999999,x").0, u64::MAX);
        assert_eq!(parsed("/vsisubfile/6000000000_1,x").0, 6_000_000_000);
        for bad in ["/vsisubfile/5_10/vsimem/a", "/vsisubfile/5", "/vsisubfile/", "/vsisubfile", "/vsisubfileX"] {
            let e = parse_path(bad).unwrap_err();
            assert_eq!(e.errno(), libc::ENOENT, "{bad}");
            assert!(e.message().contains("expected /vsisubfile/"), "{bad}: {e}");
        }
    }

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
    fn window_clips_reads_and_reports_its_size() {
        let w = Window::new(Bytes(b"0123456789".to_vec()), 3, Some(4));
        let mut buf = [0u8; 8];
        assert_eq!(w.read_at(0, &mut buf).unwrap(), 4);
        assert_eq!(&buf[..4], b"3456");
        assert_eq!(w.read_at(3, &mut buf).unwrap(), 1);
        assert_eq!(w.read_at(4, &mut buf).unwrap(), 0);
        assert_eq!(w.read_at(u64::MAX, &mut buf).unwrap(), 0);
        assert_eq!(w.size().unwrap(), 4);
        let open = Window::new(Bytes(b"0123456789".to_vec()), 7, None);
        assert_eq!(open.size().unwrap(), 3);
        assert_eq!(open.read_at(1, &mut buf).unwrap(), 2);
        assert_eq!(&buf[..2], b"89");
        let far = Window::new(Bytes(b"01".to_vec()), 7, None);
        assert_eq!(far.size().unwrap(), 0);
    }

    #[test]
    fn bounded_seek_end_ignores_the_offset_and_seeks_before_the_window_fail() {
        let mut f = crate::File::create("/vsimem/subfile_unit/a.bin").unwrap();
        std::io::Write::write_all(&mut f, b"0123456789ABCDEFGHIJ").unwrap();
        f.close().unwrap();
        let mut f = crate::File::open("/vsisubfile/5_10,/vsimem/subfile_unit/a.bin").unwrap();
        f.seek_raw(3, Whence::End).unwrap();
        assert_eq!(f.tell(), 10);
        f.seek_raw(2, Whence::Set).unwrap();
        assert!(f.seek_raw((-3i64) as u64, Whence::Cur).is_err());
        assert_eq!(f.tell(), 2);
        f.seek_raw((-2i64) as u64, Whence::Cur).unwrap();
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        assert_eq!(s, "56789ABCDE");
        assert!(f.eof());
        crate::rmdir_recursive("/vsimem/subfile_unit").unwrap();
    }
}
