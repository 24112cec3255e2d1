//! The safe Rust API: open files and path operations, dispatched through the
//! registry. Behaviour that GDAL implements once for every handler (recursive
//! mkdir and rmdir, directory walks, copy, sync, ingest) lives here, on top
//! of the handler traits.

use std::io;

use crate::error::{Error, ErrorKind, Result};
use crate::vfs::{self, DirEntry, FileSystem, Handle, Metadata, OpenOptions, RangeStatus, StatFlags, WalkOptions, Whence};
use crate::MAX_PATH_LEN;

/// GDAL refuses over-long paths at open only (some handlers recurse on
/// path components); other calls just fail to find them.
fn check_path(path: &str) -> Result<()> {
    if path.len() >= MAX_PATH_LEN {
        return Err(Error::new(ErrorKind::InvalidInput, format!("path too long ({} bytes)", path.len()))
            .with_errno(libc::ENAMETOOLONG));
    }
    Ok(())
}

/// An open virtual file (a `VSILFILE*`).
///
/// `Read`, `Write` and `Seek` follow std's conventions; the `*_raw` methods
/// keep GDAL's (short counts with EOF/error flags, unsigned wrapping seeks).
/// Dropping a `File` closes it and ignores the outcome; call [`File::close`]
/// to see it.
pub struct File {
    handle: Box<dyn Handle>,
    closed: bool,
}

impl File {
    /// Opens for reading (`"rb"`).
    pub fn open(path: &str) -> Result<File> {
        File::open_with(path, "rb")
    }

    /// Creates or truncates for writing (`"wb"`).
    pub fn create(path: &str) -> Result<File> {
        File::open_with(path, "wb")
    }

    /// Opens with an `fopen`-style access string (`"r"`, `"r+b"`, `"a"`, ...).
    pub fn open_with(path: &str, access: &str) -> Result<File> {
        File::open_ex(path, access, &[])
    }

    /// `VSIFOpenEx2L`: with handler-specific `KEY=VALUE` options.
    pub fn open_ex(path: &str, access: &str, options: &[(&str, &str)]) -> Result<File> {
        check_path(path)?;
        let mut opts = OpenOptions::new(access);
        opts.options = options.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let handle = vfs::handler_for(path).open(path, &opts)?;
        Ok(File::from_handle(handle))
    }

    /// Wraps a handle made by a handler directly.
    pub fn from_handle(handle: Box<dyn Handle>) -> File {
        File { handle, closed: false }
    }

    /// Reads with GDAL's semantics: a short count means EOF or error.
    pub fn read_raw(&mut self, buf: &mut [u8]) -> Result<usize> {
        self.handle.read(buf)
    }

    pub fn write_raw(&mut self, buf: &[u8]) -> Result<usize> {
        self.handle.write(buf)
    }

    /// Seeks with GDAL's unsigned offsets (`SEEK_CUR`/`SEEK_END` wrap).
    pub fn seek_raw(&mut self, offset: u64, whence: Whence) -> Result<()> {
        self.handle.seek(offset, whence)
    }

    pub fn tell(&mut self) -> u64 {
        self.handle.tell()
    }
    pub fn eof(&self) -> bool {
        self.handle.eof()
    }
    pub fn error(&self) -> bool {
        self.handle.error()
    }
    pub fn clear_err(&mut self) {
        self.handle.clear_err()
    }
    pub fn flush_raw(&mut self) -> Result<()> {
        self.handle.flush()
    }
    /// Grows (zero-filled) or shrinks the file; the offset is unchanged.
    pub fn truncate(&mut self, size: u64) -> Result<()> {
        self.handle.truncate(size)
    }
    pub fn range_status(&mut self, offset: u64, length: u64) -> RangeStatus {
        self.handle.range_status(offset, length)
    }
    /// Reads several ascending, non-overlapping ranges; the offset is kept.
    pub fn read_multi_range(&mut self, ranges: &mut [(u64, &mut [u8])]) -> Result<()> {
        self.handle.read_multi_range(ranges)
    }
    pub fn native_fd(&self) -> Option<i32> {
        self.handle.native_fd()
    }

    /// The same file read through a block cache (GDAL's `VSICachedFile`):
    /// `chunk_size`-byte blocks, at most `cache_size` bytes kept. The file
    /// must be open for reading only; its size is taken now.
    pub fn into_cached(self, chunk_size: usize, cache_size: usize) -> Result<File> {
        let cached = crate::io::block_cache::CachedReader::wrap_with(self.into_handle(), chunk_size, cache_size)?;
        Ok(File::from_handle(cached))
    }

    /// The handle behind this file, still open.
    pub fn into_handle(self) -> Box<dyn Handle> {
        let me = std::mem::ManuallyDrop::new(self);
        // SAFETY: `me` is never used or dropped again, so the handle moves
        // out exactly once.
        unsafe { std::ptr::read(&me.handle) }
    }

    /// Closes and reports whether everything reached its destination.
    pub fn close(mut self) -> Result<()> {
        self.closed = true;
        self.handle.close()
    }

    /// The size, by seeking to the end and back.
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&mut self) -> Result<u64> {
        let here = self.tell();
        self.seek_raw(0, Whence::End)?;
        let end = self.tell();
        self.seek_raw(here, Whence::Set)?;
        Ok(end)
    }
}

impl Drop for File {
    fn drop(&mut self) {
        if !self.closed {
            let _ = self.handle.close();
        }
    }
}

impl io::Read for File {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Ok(self.handle.read(buf)?)
    }
}

impl io::Write for File {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(self.handle.write(buf)?)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(self.handle.flush()?)
    }
}

impl io::Seek for File {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        let (offset, whence) = match pos {
            io::SeekFrom::Start(n) => (n, Whence::Set),
            io::SeekFrom::Current(d) => (d as u64, Whence::Cur),
            io::SeekFrom::End(d) => (d as u64, Whence::End),
        };
        self.handle.seek(offset, whence)?;
        Ok(self.handle.tell())
    }
}

/// `VSIStatL`: everything about `path`.
pub fn stat(path: &str) -> Result<Metadata> {
    stat_ex(path, StatFlags::ALL)
}

/// `VSIStatExL`: handlers may skip work the flags do not ask for.
pub fn stat_ex(path: &str, flags: StatFlags) -> Result<Metadata> {
    // "C:" means the root of drive C, as GDAL rewrites it.
    let path = if path.len() == 2 && path.as_bytes()[1] == b':' { format!("{path}\\") } else { path.to_string() };
    vfs::handler_for(&path).stat(&path, flags.normalized())
}

pub fn exists(path: &str) -> bool {
    stat_ex(path, StatFlags(StatFlags::EXISTS)).is_ok()
}

/// `VSIReadDir`: names in `path` in the handler's order (local listings
/// include `.` and `..`, as GDAL's do).
pub fn read_dir(path: &str) -> Result<Vec<String>> {
    read_dir_ex(path, 0)
}

/// `VSIReadDirEx`: stops after `max_files + 1` names when `max_files > 0`.
pub fn read_dir_ex(path: &str, max_files: usize) -> Result<Vec<String>> {
    let mut names = vfs::handler_for(path).read_dir(path, max_files)?;
    if max_files > 0 {
        names.truncate(max_files + 1);
    }
    Ok(names)
}

/// `VSIReadDirRecursive`: relative paths below `path`, depth first, each
/// directory (suffixed with `/`) just before its contents.
pub fn read_dir_recursive(path: &str) -> Result<Vec<String>> {
    let opts = WalkOptions { depth: -1, prefix: None, name_and_type_only: true };
    Ok(walk(path, &opts)?
        .into_iter()
        .map(|e| if e.is_dir() { format!("{}/", e.name) } else { e.name })
        .collect())
}

/// `VSIOpenDir` as a list: every entry below `path` down to `options.depth`,
/// depth first, each directory just before its contents.
pub fn walk(path: &str, options: &WalkOptions) -> Result<Vec<DirEntry>> {
    let fs = vfs::handler_for(path);
    // As GDAL's generic OpenDir: a path that lists entries is walked even
    // when it stats as a file (the root of a one-member archive).
    let meta = fs.stat(path, StatFlags::ALL);
    if !meta.as_ref().is_ok_and(Metadata::is_dir) && fs.read_dir(path, 0).map_or(true, |n| n.is_empty()) {
        return Err(meta.err().unwrap_or_else(|| Error::from_errno(libc::ENOTDIR, path)));
    }
    let mut out = Vec::new();
    walk_into(fs.as_ref(), path, "", options.depth, options, &mut out);
    Ok(out)
}

fn walk_into(fs: &dyn FileSystem, base: &str, rel: &str, depth: i32, opts: &WalkOptions, out: &mut Vec<DirEntry>) {
    let dir = if rel.is_empty() { base.to_string() } else { vfs::join(base, rel) };
    let Ok(entries) = fs.read_dir_entries(&dir, opts.name_and_type_only) else { return };
    for mut entry in entries {
        let relname = if rel.is_empty() { entry.name.clone() } else { format!("{rel}/{}", entry.name) };
        let is_dir = entry.is_dir();
        let wanted = opts.prefix.as_deref().is_none_or(|p| relname.starts_with(p));
        let leads_to_prefix = opts.prefix.as_deref().is_none_or(|p| wanted || p.starts_with(&format!("{relname}/")));
        if wanted {
            entry.name = relname.clone();
            out.push(entry);
        }
        if is_dir && depth != 0 && leads_to_prefix {
            walk_into(fs, base, &relname, depth - 1, opts, out);
        }
    }
}

/// `VSIMkdir`.
pub fn mkdir(path: &str, mode: u32) -> Result<()> {
    vfs::handler_for(path).mkdir(path, mode)
}

/// `VSIMkdirRecursive`, with GDAL's rules: "" and "/" fail, an existing
/// directory succeeds, an existing file fails. Unlike GDAL 3.6, a relative
/// path and a trailing `/` work.
pub fn mkdir_recursive(path: &str, mode: u32) -> Result<()> {
    if path.is_empty() || path == "/" {
        return Err(Error::new(ErrorKind::InvalidInput, format!("cannot create directory '{path}'")));
    }
    let path = if path.len() > 1 { path.trim_end_matches('/') } else { path };
    if let Ok(m) = stat(path) {
        return if m.is_dir() { Ok(()) } else { Err(Error::from_errno(libc::EEXIST, path)) };
    }
    let parent = vfs::parent_path(path);
    // A parent no shorter than the path would recurse forever.
    if parent.len() >= path.len() {
        return Err(Error::new(ErrorKind::InvalidInput, format!("cannot create directory '{path}'")));
    }
    if !parent.is_empty() && stat(parent).is_err() {
        mkdir_recursive(parent, mode)?;
    }
    mkdir(path, mode)
}

/// `VSIRmdir`.
pub fn rmdir(path: &str) -> Result<()> {
    vfs::handler_for(path).rmdir(path)
}

/// `VSIRmdirRecursive`: removes `path` and everything below it.
pub fn rmdir_recursive(path: &str) -> Result<()> {
    if path.is_empty() || path == "/" {
        return Err(Error::new(ErrorKind::InvalidInput, format!("refusing to remove '{path}' recursively")));
    }
    let fs = vfs::handler_for(path);
    if let Some(native) = fs.rmdir_recursive(path) {
        return native;
    }
    let entries = walk(path, &WalkOptions { depth: -1, prefix: None, name_and_type_only: true })?;
    let mut dirs = Vec::new();
    for e in entries {
        let full = vfs::join(path, &e.name);
        if e.is_dir() {
            dirs.push(full);
        } else {
            fs.unlink(&full)?;
        }
    }
    dirs.sort();
    for d in dirs.iter().rev() {
        fs.rmdir(d)?;
    }
    fs.rmdir(path)
}

/// `VSIUnlink`.
pub fn unlink(path: &str) -> Result<()> {
    vfs::handler_for(path).unlink(path)
}

/// `VSIUnlinkBatch`: all paths must belong to one handler; one flag per path.
pub fn unlink_batch(paths: &[&str]) -> Result<Vec<bool>> {
    let Some(first) = paths.first() else {
        return Err(Error::new(ErrorKind::InvalidInput, "VSIUnlinkBatch(): empty list"));
    };
    if !paths.iter().all(|p| vfs::same_handler(first, p)) {
        return Err(Error::new(ErrorKind::InvalidInput, "Files belong to different file system handlers")
            .with_cpl(crate::error::cple::APP_DEFINED));
    }
    Ok(paths.iter().map(|p| unlink(p).is_ok()).collect())
}

/// `VSIRename`: the handler of `from` decides.
pub fn rename(from: &str, to: &str) -> Result<()> {
    vfs::handler_for(from).rename(from, to)
}

/// Size of the chunks `copy_file` moves, as GDAL's.
const COPY_CHUNK: usize = 40960;

/// `VSICopyFile`: copies `source` to `target`; a failed copy leaves no target.
/// `progress` gets the fraction done and may return false to cancel.
pub fn copy_file(source: &str, target: &str, progress: Option<&mut dyn FnMut(f64) -> bool>) -> Result<()> {
    // A stat of /vsistdin/ reads the whole stream, dropping all but its
    // seekable prefix: copy it without one.
    let streaming = crate::fs::stdio::is_stdin(source);
    if !streaming && same_file(source, target) {
        return Err(Error::new(ErrorKind::InvalidInput, format!("{source} and {target} are the same file"))
            .with_cpl(crate::error::cple::APP_DEFINED));
    }
    let mut src = File::open(source)?;
    let total = if streaming { None } else { stat(source).map(|m| m.size).ok() };
    copy_from(&mut src, target, total, progress)
}

/// `VSICopyFile` from an open file: copies what `src` yields from its
/// current offset; `size`, when known, must match what was copied.
pub fn copy_from(
    src: &mut File,
    target: &str,
    size: Option<u64>,
    progress: Option<&mut dyn FnMut(f64) -> bool>,
) -> Result<()> {
    let mut dst = File::open_with(target, "wb")?;
    let outcome = copy_stream(src, &mut dst, size, progress).and_then(|_| dst.flush_raw());
    let closed = dst.close();
    if let Err(e) = outcome.and(closed) {
        let _ = unlink(target);
        return Err(e);
    }
    Ok(())
}

/// True when both paths name one existing file: the same inode locally, or
/// the same key in a virtual file system.
fn same_file(a: &str, b: &str) -> bool {
    let (Ok(ma), Ok(mb)) = (stat(a), stat(b)) else { return false };
    match (ma.native, mb.native) {
        (Some(x), Some(y)) => x.st_dev == y.st_dev && x.st_ino == y.st_ino,
        (None, None) => {
            vfs::same_handler(a, b)
                && crate::fs::mem::MemFs::normalize(a) == crate::fs::mem::MemFs::normalize(b)
        }
        _ => false,
    }
}

fn copy_stream(
    src: &mut File,
    dst: &mut File,
    total: Option<u64>,
    mut progress: Option<&mut dyn FnMut(f64) -> bool>,
) -> Result<u64> {
    let mut buf = vec![0u8; COPY_CHUNK];
    let mut done = 0u64;
    loop {
        let n = src.read_raw(&mut buf)?;
        if n > 0 {
            let w = dst.write_raw(&buf[..n])?;
            if w != n {
                return Err(Error::new(ErrorKind::Io, "short write while copying"));
            }
            done += n as u64;
        }
        if let (Some(p), Some(t)) = (progress.as_mut(), total) {
            if !p(if t == 0 { 1.0 } else { done as f64 / t as f64 }) {
                return Err(Error::new(ErrorKind::Io, "copy interrupted by user")
                    .with_cpl(crate::error::cple::USER_INTERRUPT));
            }
        }
        if n < buf.len() {
            if src.error() {
                return Err(Error::new(ErrorKind::Io, "read error while copying"));
            }
            break;
        }
    }
    if let Some(t) = total {
        if t != done {
            return Err(Error::new(ErrorKind::Io, format!("copied {done} bytes, expected {t}")));
        }
    }
    Ok(done)
}

/// `VSISync`: copies `source` into `target` like rsync. A source ending with
/// `/` copies the directory's content; otherwise `target/basename(source)`
/// is created. Files of equal size and equal non-zero mtime are skipped.
pub fn sync(source: &str, target: &str, recursive: bool) -> Result<()> {
    let smeta = stat(source).map_err(|_| {
        Error::new(ErrorKind::NotFound, format!("{source} does not exist")).with_cpl(crate::error::cple::FILE_IO)
    })?;
    let tmeta = stat(target).ok();
    if !smeta.is_dir() {
        let dst = match tmeta {
            Some(m) if m.is_dir() => vfs::join(target, basename(source)),
            _ => target.to_string(),
        };
        if let Ok(d) = stat(&dst) {
            if d.size == smeta.size && d.mtime == smeta.mtime && d.mtime != 0 {
                return Ok(());
            }
        }
        return copy_file(source, &dst, None);
    }
    let dest_dir = if source.ends_with('/') { target.to_string() } else { vfs::join(target, basename(source)) };
    if !stat(&dest_dir).is_ok_and(|m| m.is_dir()) {
        mkdir(&dest_dir, 0o755)?;
    }
    for name in read_dir(source)? {
        if name == "." || name == ".." {
            continue;
        }
        let child = vfs::join(source.trim_end_matches('/'), &name);
        let dst = vfs::join(&dest_dir, &name);
        if stat(&child).is_ok_and(|m| m.is_dir()) {
            // Without recursion, subdirectories are created but not filled.
            if recursive {
                sync(&format!("{child}/"), &dst, recursive)?;
            } else if !stat(&dst).is_ok_and(|m| m.is_dir()) {
                mkdir(&dst, 0o755)?;
            }
        } else {
            sync(&child, &dst, recursive)?;
        }
    }
    Ok(())
}

fn basename(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    trimmed.rsplit(['/', '\\']).next().unwrap_or(trimmed)
}

/// `VSIGetDiskFreeSpace`: bytes available, `None` when unknown.
pub fn disk_free_space(path: &str) -> Option<i64> {
    vfs::handler_for(path).disk_free_space(path)
}

pub fn is_case_sensitive(path: &str) -> bool {
    vfs::handler_for(path).is_case_sensitive(path)
}

pub fn supports_sparse_files(path: &str) -> bool {
    vfs::handler_for(path).supports_sparse_files(path)
}

/// `VSIGetFileSystemsPrefixes`.
pub fn file_system_prefixes() -> Vec<String> {
    vfs::prefixes()
}

/// `VSIIngestFile`: the whole content of an open file (read from its start)
/// or of a path. `max_size`: refuse files larger than this.
pub fn ingest(file: Option<&mut File>, path: Option<&str>, max_size: Option<u64>) -> Result<Vec<u8>> {
    let mut owned;
    let f = match (file, path) {
        (Some(f), _) => f,
        (None, Some(p)) => {
            owned = File::open(p).map_err(|_| {
                Error::new(ErrorKind::NotFound, format!("Cannot open file '{p}'")).with_cpl(crate::error::cple::FILE_IO)
            })?;
            &mut owned
        }
        (None, None) => return Err(Error::new(ErrorKind::InvalidInput, "VSIIngestFile(): no file given")),
    };
    // Any /vsistdin/ name (GDAL: exactly "/vsistdin/"): its size is only
    // known by reading it all, which drops what lies past its prefix.
    let streaming = path.is_none_or(crate::fs::stdio::is_stdin);
    let too_large = || {
        Error::new(ErrorKind::InvalidInput, "Input file too large to be opened").with_cpl(crate::error::cple::APP_DEFINED)
    };
    // A caller's handle is read from its start, as GDAL does.
    f.seek_raw(0, Whence::Set)?;
    if streaming {
        let mut data = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            let n = f.read_raw(&mut chunk)?;
            data.extend_from_slice(&chunk[..n]);
            if max_size.is_some_and(|m| data.len() as u64 > m) {
                return Err(too_large());
            }
            if n < chunk.len() {
                break;
            }
        }
        return Ok(data);
    }
    f.seek_raw(0, Whence::End)?;
    let size = f.tell();
    // The whole size must fit in memory with its terminating NUL.
    if max_size.is_some_and(|m| size > m) {
        return Err(too_large());
    }
    let size = usize::try_from(size).map_err(|_| too_large())?;
    f.seek_raw(0, Whence::Set)?;
    let mut data = Vec::new();
    data.try_reserve_exact(size.saturating_add(1)).map_err(|_| crate::fs::mem::out_of_memory("ingest buffer"))?;
    data.resize(size, 0);
    let n = f.read_raw(&mut data)?;
    if n != size {
        return Err(Error::new(ErrorKind::Io, format!("Cannot read {size} bytes")).with_cpl(crate::error::cple::FILE_IO));
    }
    Ok(data)
}

/// `VSIOverwriteFile`: replaces the content of `target` (opened `"rb+"`)
/// with the file at `source`, then truncates it.
pub fn overwrite_file(target: &mut File, source: &str) -> Result<()> {
    let mut src = File::open(source).map_err(|e| {
        Error::new(e.kind(), format!("Cannot open {source}")).with_cpl(crate::error::cple::FILE_IO)
    })?;
    target.seek_raw(0, Whence::Set)?;
    let mut buf = [0u8; 4096];
    loop {
        let n = src.read_raw(&mut buf)?;
        if n > 0 && target.write_raw(&buf[..n])? != n {
            return Err(Error::new(ErrorKind::Io, "Write error").with_cpl(crate::error::cple::FILE_IO));
        }
        if n < buf.len() {
            break;
        }
    }
    let end = target.tell();
    target.truncate(end)
}
