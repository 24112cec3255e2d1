//! Local files, through the C library's stdio as GDAL does, so that access
//! strings, append semantics and buffering are exactly those of `fopen64`.

use std::ffi::{CStr, CString};
use std::os::raw::c_char;

use crate::error::{Error, ErrorKind, Result};
use crate::vfs::{DirEntry, FileSystem, Handle, Metadata, OpenOptions, RangeStatus, StatFlags, Whence};

pub struct LocalFs;

fn c_path(path: &str) -> Result<CString> {
    CString::new(crate::rawstr::encode(path).into_owned()).map_err(|_| Error::new(ErrorKind::InvalidInput, format!("{path}: embedded NUL in path")))
}

/// Runs a libc call that returns 0 on success and -1 + errno on failure.
fn check(rc: i32, path: &str) -> Result<()> {
    if rc == 0 {
        Ok(())
    } else {
        Err(Error::last_os_error(path))
    }
}

impl LocalFs {
    /// Calls `visit(name, type from the listing)` for every entry of `path`
    /// ("" is the current directory) until it returns false.
    fn scan_dir(&self, path: &str, mut visit: impl FnMut(String, Option<u32>) -> bool) -> Result<()> {
        let cpath = c_path(if path.is_empty() { "." } else { path })?;
        // SAFETY: valid C string.
        let dir = unsafe { libc::opendir(cpath.as_ptr()) };
        if dir.is_null() {
            return Err(Error::last_os_error(path));
        }
        loop {
            // SAFETY: dir is open until closedir below.
            let ent = unsafe { libc::readdir64(dir) };
            if ent.is_null() {
                break;
            }
            // SAFETY: d_name is NUL-terminated.
            let name = unsafe { CStr::from_ptr((*ent).d_name.as_ptr() as *const c_char) };
            let mode = match unsafe { (*ent).d_type } {
                libc::DT_DIR => Some(libc::S_IFDIR),
                libc::DT_REG => Some(libc::S_IFREG),
                libc::DT_LNK => Some(libc::S_IFLNK),
                libc::DT_FIFO => Some(libc::S_IFIFO),
                libc::DT_SOCK => Some(libc::S_IFSOCK),
                libc::DT_CHR => Some(libc::S_IFCHR),
                libc::DT_BLK => Some(libc::S_IFBLK),
                _ => None,
            };
            if !visit(crate::rawstr::decode(name.to_bytes()).into_owned(), mode) {
                break;
            }
        }
        // SAFETY: dir came from opendir.
        unsafe { libc::closedir(dir) };
        Ok(())
    }

    fn read_dir_typed(&self, path: &str) -> Result<Vec<(String, Option<u32>)>> {
        let mut out = Vec::new();
        self.scan_dir(path, |name, mode| {
            out.push((name, mode));
            true
        })?;
        Ok(out)
    }
}

/// The type bits of `path` itself (not of a link's target).
fn lstat_mode(path: &str) -> Option<u32> {
    let cpath = c_path(path).ok()?;
    // SAFETY: zeroed stat64 is valid; lstat64 fills it.
    let mut st: libc::stat64 = unsafe { std::mem::zeroed() };
    (unsafe { libc::lstat64(cpath.as_ptr(), &mut st) } == 0).then_some(st.st_mode & libc::S_IFMT)
}

impl FileSystem for LocalFs {
    fn open(&self, path: &str, options: &OpenOptions) -> Result<Box<dyn Handle>> {
        let cpath = c_path(path)?;
        let mode = CString::new(options.access.as_str())
            .map_err(|_| Error::new(ErrorKind::InvalidInput, "embedded NUL in access mode"))?;
        // SAFETY: both are valid C strings.
        let fp = unsafe { libc::fopen64(cpath.as_ptr(), mode.as_ptr()) };
        if fp.is_null() {
            return Err(Error::last_os_error(path));
        }
        let append = options.access.contains('a');
        let mut handle = LocalHandle {
            fp,
            offset: 0,
            read_only: options.is_read_only(),
            append,
            last_op_write: false,
            last_op_read: false,
            eof: false,
            error: false,
        };
        if append {
            // SAFETY: fp is open.
            handle.offset = unsafe { libc::ftello64(fp) }.max(0) as u64;
        }
        // GDAL reads VSI_CACHE at each open, for exact "r"/"rb" opens.
        if options.is_read_only() && crate::config::get_bool("VSI_CACHE", false) {
            return crate::io::block_cache::CachedReader::wrap(Box::new(handle));
        }
        Ok(Box::new(handle))
    }

    fn stat(&self, path: &str, _flags: StatFlags) -> Result<Metadata> {
        let cpath = c_path(path)?;
        // SAFETY: zeroed stat64 is a valid value; stat64 fills it.
        let mut st: libc::stat64 = unsafe { std::mem::zeroed() };
        check(unsafe { libc::stat64(cpath.as_ptr(), &mut st) }, path)?;
        Ok(Metadata { mode: st.st_mode, size: st.st_size as u64, mtime: st.st_mtime, native: Some(st) })
    }

    fn read_dir(&self, path: &str, max_files: usize) -> Result<Vec<String>> {
        let mut names = Vec::new();
        self.scan_dir(path, |name, _| {
            names.push(name);
            max_files == 0 || names.len() <= max_files
        })?;
        Ok(names)
    }

    fn read_dir_entries(&self, path: &str, name_and_type_only: bool) -> Result<Vec<DirEntry>> {
        let names = self.read_dir_typed(path)?;
        Ok(names
            .into_iter()
            .filter(|(n, _)| n != "." && n != "..")
            .map(|(name, dtype_mode)| {
                let full = crate::vfs::join(path, &name);
                if name_and_type_only {
                    // The listing's own type: no stat, and a link stays a link.
                    let mode = dtype_mode.or_else(|| lstat_mode(&full));
                    DirEntry { name, mode, size: None, mtime: None }
                } else {
                    let meta = self.stat(&full, StatFlags::ALL).ok();
                    DirEntry { name, mode: meta.map(|m| m.mode), size: meta.map(|m| m.size), mtime: meta.map(|m| m.mtime) }
                }
            })
            .collect())
    }

    fn mkdir(&self, path: &str, mode: u32) -> Result<()> {
        let cpath = c_path(path)?;
        check(unsafe { libc::mkdir(cpath.as_ptr(), mode as libc::mode_t) }, path)
    }

    fn rmdir(&self, path: &str) -> Result<()> {
        let cpath = c_path(path)?;
        check(unsafe { libc::rmdir(cpath.as_ptr()) }, path)
    }

    fn unlink(&self, path: &str) -> Result<()> {
        let cpath = c_path(path)?;
        check(unsafe { libc::unlink(cpath.as_ptr()) }, path)
    }

    fn rename(&self, from: &str, to: &str) -> Result<()> {
        let (f, t) = (c_path(from)?, c_path(to)?);
        check(unsafe { libc::rename(f.as_ptr(), t.as_ptr()) }, from)
    }

    fn disk_free_space(&self, path: &str) -> Option<i64> {
        let cpath = c_path(path).ok()?;
        // SAFETY: zeroed statvfs is valid; statvfs fills it.
        let mut st: libc::statvfs64 = unsafe { std::mem::zeroed() };
        if unsafe { libc::statvfs64(cpath.as_ptr(), &mut st) } != 0 {
            return None;
        }
        Some((st.f_frsize as i64).saturating_mul(st.f_bavail as i64))
    }

    fn supports_sparse_files(&self, path: &str) -> bool {
        // The file systems GDAL knows to support holes, by statfs magic.
        const SPARSE_MAGICS: [i64; 8] =
            [0xEF53, 0x5265_4973, 0x5846_5342, 0x3153_464a, 0x5346_544e, 0x9123_683E, 0x6969, 0x0102_1994];
        let Ok(cpath) = c_path(path) else { return false };
        // SAFETY: zeroed statfs is valid; statfs fills it.
        let mut st: libc::statfs64 = unsafe { std::mem::zeroed() };
        if unsafe { libc::statfs64(cpath.as_ptr(), &mut st) } != 0 {
            return false;
        }
        SPARSE_MAGICS.contains(&(st.f_type as i64))
    }
}

/// Physical memory usable by this process (`CPLGetUsablePhysicalRAM`):
/// installed RAM, capped by the address-space limit.
pub fn usable_physical_ram() -> Option<i64> {
    // SAFETY: sysconf has no preconditions.
    let pages = unsafe { libc::sysconf(libc::_SC_PHYS_PAGES) };
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if pages <= 0 || page <= 0 {
        return None;
    }
    let mut ram = (pages as i64).saturating_mul(page as i64);
    // SAFETY: zeroed rlimit is valid; getrlimit fills it.
    let mut lim: libc::rlimit = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrlimit(libc::RLIMIT_AS, &mut lim) } == 0 && lim.rlim_cur != libc::RLIM_INFINITY {
        ram = ram.min(lim.rlim_cur as i64);
    }
    Some(ram)
}

/// An open local file. Tracks its offset like GDAL so `Tell` costs no
/// system call, and puts the seek that C requires between a read and a
/// write of the same stream.
pub struct LocalHandle {
    fp: *mut libc::FILE,
    offset: u64,
    read_only: bool,
    append: bool,
    last_op_write: bool,
    last_op_read: bool,
    eof: bool,
    error: bool,
}

// SAFETY: a FILE* may move between threads; one handle is used by one
// thread at a time.
unsafe impl Send for LocalHandle {}

impl LocalHandle {
    fn resync_offset(&mut self) {
        // SAFETY: fp is open.
        let pos = unsafe { libc::ftello64(self.fp) };
        if pos >= 0 {
            self.offset = pos as u64;
        }
    }

    fn seek_raw(&mut self, offset: i64, whence: i32) -> i32 {
        // SAFETY: fp is open.
        unsafe { libc::fseeko64(self.fp, offset, whence) }
    }
}

impl Handle for LocalHandle {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.last_op_write {
            self.seek_raw(self.offset as i64, libc::SEEK_SET);
        }
        // SAFETY: buf is valid for buf.len() bytes; fp is open.
        let n = unsafe { libc::fread(buf.as_mut_ptr().cast(), 1, buf.len(), self.fp) };
        self.last_op_write = false;
        self.last_op_read = true;
        if n == buf.len() {
            self.offset += n as u64;
            return Ok(n);
        }
        let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO);
        self.resync_offset();
        // SAFETY: fp is open.
        if unsafe { libc::ferror(self.fp) } != 0 {
            self.error = true;
            if n == 0 {
                return Err(Error::from_errno(errno, "read failed"));
            }
        } else {
            self.eof = true;
        }
        Ok(n)
    }

    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        if self.last_op_read {
            self.seek_raw(self.offset as i64, libc::SEEK_SET);
        }
        // SAFETY: buf is valid; fp is open.
        let n = unsafe { libc::fwrite(buf.as_ptr().cast(), 1, buf.len(), self.fp) };
        let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO);
        self.last_op_write = true;
        self.last_op_read = false;
        if self.append {
            // Appends land at the end whatever the offset was.
            self.resync_offset();
        } else {
            self.offset += n as u64;
        }
        if n == 0 && !buf.is_empty() {
            return Err(Error::from_errno(errno, "write failed"));
        }
        Ok(n)
    }

    fn seek(&mut self, offset: u64, whence: Whence) -> Result<()> {
        self.eof = false;
        if whence == Whence::Set && offset == self.offset && !self.append {
            return Ok(());
        }
        // A short forward seek on a read-only file reads through the stdio
        // buffer instead of discarding it.
        if self.read_only && whence == Whence::Set && offset > self.offset && offset - self.offset < 4096 {
            let mut skip = [0u8; 4096];
            let diff = (offset - self.offset) as usize;
            // SAFETY: skip holds 4096 bytes; fp is open.
            let n = unsafe { libc::fread(skip.as_mut_ptr().cast(), 1, diff, self.fp) };
            if n == diff {
                self.offset = offset;
                self.last_op_read = false;
                self.last_op_write = false;
                return Ok(());
            }
        }
        let raw = match whence {
            Whence::Set => libc::SEEK_SET,
            Whence::Cur => libc::SEEK_CUR,
            Whence::End => libc::SEEK_END,
        };
        // Offsets above i64::MAX are negative to the OS and fail with EINVAL.
        let rc = self.seek_raw(offset as i64, raw);
        let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EINVAL);
        self.last_op_read = false;
        self.last_op_write = false;
        if rc != 0 {
            return Err(Error::from_errno(errno, "seek failed"));
        }
        match whence {
            Whence::Set => self.offset = offset,
            _ => self.resync_offset(),
        }
        Ok(())
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
        // SAFETY: fp is open.
        unsafe { libc::clearerr(self.fp) };
        self.eof = false;
        self.error = false;
    }

    fn flush(&mut self) -> Result<()> {
        // SAFETY: fp is open.
        check(unsafe { libc::fflush(self.fp) }, "flush failed")
    }

    fn truncate(&mut self, size: u64) -> Result<()> {
        // SAFETY: fp is open; its descriptor stays valid while it is.
        unsafe { libc::fflush(self.fp) };
        let fd = unsafe { libc::fileno(self.fp) };
        check(unsafe { libc::ftruncate64(fd, size as i64) }, "truncate failed")
    }

    fn close(&mut self) -> Result<()> {
        if self.fp.is_null() {
            return Ok(());
        }
        // SAFETY: fp is open; it is never used after this.
        let rc = unsafe { libc::fclose(self.fp) };
        self.fp = std::ptr::null_mut();
        if rc == 0 {
            Ok(())
        } else {
            Err(Error::last_os_error("close failed"))
        }
    }

    fn range_status(&mut self, offset: u64, length: u64) -> RangeStatus {
        // SAFETY: fp is open.
        unsafe { libc::fflush(self.fp) };
        let fd = unsafe { libc::fileno(self.fp) };
        fiemap_status(fd, offset, length)
    }

    fn native_fd(&self) -> Option<i32> {
        // SAFETY: fp is open.
        Some(unsafe { libc::fileno(self.fp) })
    }
}

impl Drop for LocalHandle {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

/// Asks the file system (FIEMAP) whether any extent is mapped in the range:
/// none means a hole; any means data may be there.
fn fiemap_status(fd: i32, offset: u64, length: u64) -> RangeStatus {
    #[repr(C)]
    struct Fiemap {
        start: u64,
        length: u64,
        flags: u32,
        mapped_extents: u32,
        extent_count: u32,
        reserved: u32,
    }
    const FS_IOC_FIEMAP: libc::c_ulong = 0xC020_660B;
    const FIEMAP_FLAG_SYNC: u32 = 1;
    let mut map = Fiemap { start: offset, length, flags: FIEMAP_FLAG_SYNC, mapped_extents: 0, extent_count: 0, reserved: 0 };
    // SAFETY: with extent_count 0 the kernel only fills the header.
    if unsafe { libc::ioctl(fd, FS_IOC_FIEMAP, &mut map as *mut Fiemap) } != 0 {
        return RangeStatus::Unknown;
    }
    if map.mapped_extents == 0 {
        RangeStatus::Hole
    } else {
        RangeStatus::Data
    }
}
