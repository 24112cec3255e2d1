//! What `/vsizip/` and `/vsitar/` share (GDAL's
//! `cpl_vsil_abstract_archive.cpp`): splitting a path into the archive and
//! the name inside it, the listing of an archive built once and cached,
//! stat, directory listings, and the single-file rule for opening or
//! stat'ing an archive without naming a member.
//!
//! A format supplies only what differs ([`ArchiveFormat`]): reading the
//! members of an archive into a [`ListingBuilder`], and opening one of them.
//! The archive itself is opened through the registry, so archives inside
//! archives, or over `/vsimem/`, `/vsisubfile/` or any other handler, need
//! no special code.
//!
//! Listings are cached per handler, keyed by archive path, for the
//! `CACHED_ARCHIVES` most recently used archives. As GDAL does, each use
//! stats the archive and drops its listing when its size changed or its
//! modification time grew.

pub mod index;
pub mod path;
pub mod seq;

use std::cell::Cell;
use std::num::NonZeroUsize;
use std::sync::Arc;

use lru::LruCache;
use parking_lot::Mutex;

use crate::error::{cple, cpl_error, Error, ErrorClass, ErrorKind, Result};
use crate::io::{ReadAt, ReadCursor, SharedHandle};
use crate::vfs::{self, DirEntry, FileSystem, Handle, Metadata, OpenOptions, StatFlags, Whence};

pub use index::{Entry, Head, Listing, ListingBuilder, NONE};
pub use path::Split;

/// Archives whose listings a handler keeps.
const CACHED_ARCHIVES: usize = 64;

/// Archive operations nested in one another on a thread (an archive in an
/// archive in ...) beyond which a path is refused, so that no path can
/// exhaust the stack.
const MAX_NESTING: u32 = 32;

thread_local! {
    static NESTING: Cell<u32> = const { Cell::new(0) };
}

/// Counts one level of archive nesting for as long as it lives.
struct NestingGuard;

impl NestingGuard {
    fn enter(path: &str) -> Result<NestingGuard> {
        let depth = NESTING.with(|n| {
            let d = n.get() + 1;
            n.set(d);
            d
        });
        let guard = NestingGuard;
        if depth > MAX_NESTING {
            return Err(Error::new(ErrorKind::InvalidInput, format!("{path}: archives nested too deeply"))
                .with_errno(libc::ELOOP)
                .with_cpl(cple::APP_DEFINED));
        }
        Ok(guard)
    }
}

impl Drop for NestingGuard {
    fn drop(&mut self) {
        NESTING.with(|n| n.set(n.get() - 1));
    }
}

/// The part of an archive handler that depends on the format.
pub trait ArchiveFormat: Send + Sync + Sized + 'static {
    /// What the format remembers of each member to open it later.
    type Member: Send + Sync + 'static;
    /// State of the whole archive shared by every open member (such as the
    /// decompression checkpoints of a `.tar.gz`).
    type Shared: Send + Sync + 'static;

    /// `"/vsizip"`: the prefix without its final slash, as GDAL prints it.
    fn prefix(&self) -> &'static str;
    /// Extensions that mark an archive in a path, tried in this order.
    fn extensions(&self) -> Arc<[String]>;
    /// Reads the members of `archive`, in archive order. `Err` when it is
    /// not an archive of this format; an archive that breaks after some
    /// members keeps those (the format reports the damage itself).
    fn read_listing(&self, archive: &str, out: &mut ListingBuilder<Self::Member>) -> Result<Self::Shared>;
    /// Opens member `member` of `archive` for reading.
    fn open_member(&self, archive: &str, index: &Arc<ArchiveIndex<Self>>, member: u32) -> Result<Box<dyn Handle>>;
    /// Opens with an access the generic read path does not serve (writing,
    /// update): `None` to go on with a read-only open.
    fn open_other(&self, _path: &str, _options: &OpenOptions) -> Option<Result<Box<dyn Handle>>> {
        None
    }
    /// Refuses to read an archive the format is busy with (a zip being written).
    fn check_readable(&self, _archive: &str) -> Result<()> {
        Ok(())
    }
}

/// The cached listing of one archive, as of one size and modification time.
pub struct ArchiveIndex<F: ArchiveFormat> {
    pub listing: Listing<F::Member>,
    pub shared: F::Shared,
    size: u64,
    mtime: i64,
}

/// A file system over the archives of one format.
pub struct ArchiveFs<F: ArchiveFormat> {
    format: F,
    cache: Mutex<LruCache<String, Arc<ArchiveIndex<F>>>>,
}

impl<F: ArchiveFormat> ArchiveFs<F> {
    pub fn new(format: F) -> ArchiveFs<F> {
        ArchiveFs { format, cache: Mutex::new(LruCache::new(NonZeroUsize::new(CACHED_ARCHIVES).expect("non-zero"))) }
    }

    pub fn format(&self) -> &F {
        &self.format
    }

    /// Forgets the listing of `archive` (after the format changed it).
    pub fn invalidate(&self, archive: &str) {
        self.cache.lock().pop(archive);
    }

    /// The archive and inner name of `path`; `None` when it names none.
    pub fn split(&self, path: &str) -> Result<Option<Split>> {
        let extensions = self.format.extensions();
        let extensions = &*extensions;
        let mut exists = |candidate: &str| {
            if self.cache.lock().contains(candidate) {
                return true;
            }
            vfs::handler_for(candidate)
                .stat(candidate, StatFlags(StatFlags::EXISTS | StatFlags::NATURE))
                .is_ok_and(|m| !m.is_dir())
        };
        path::split(self.format.prefix(), extensions, path, &mut exists)
    }

    fn split_or_not_found(&self, path: &str) -> Result<Split> {
        self.split(path)?.ok_or_else(|| Error::not_found(path))
    }

    /// The listing of `archive`, from the cache while the archive is
    /// unchanged, else read anew.
    pub fn index(&self, archive: &str) -> Result<Arc<ArchiveIndex<F>>> {
        let meta = vfs::handler_for(archive).stat(archive, StatFlags::ALL)?;
        if let Some(cached) = self.cache.lock().get(archive) {
            if meta.mtime <= cached.mtime && meta.size == cached.size {
                return Ok(cached.clone());
            }
            crate::error::debug("VSIArchive", &format!("The content of {archive} has changed since it was cached"));
        }
        // Built without the lock: reading a nested archive uses this cache too.
        let mut builder = ListingBuilder::new();
        let shared = self.format.read_listing(archive, &mut builder)?;
        if builder.member_count() == 0 {
            return Err(Error::new(ErrorKind::InvalidInput, format!("{archive}: no member found in archive"))
                .with_errno(libc::ENOENT));
        }
        let index = Arc::new(ArchiveIndex { listing: builder.finish(), shared, size: meta.size, mtime: meta.mtime });
        self.cache.lock().put(archive.to_string(), index.clone());
        Ok(index)
    }

    /// GDAL's single-file rule: the member an archive stands for when no
    /// member is named (skipping one leading directory entry), or `Err` with
    /// `true` when it holds several.
    fn sole_member(index: &ArchiveIndex<F>) -> std::result::Result<&Head, bool> {
        let head = index.listing.head();
        let first = match head.first() {
            Some(h) if h.is_dir_like() => 1,
            Some(_) => 0,
            None => return Err(false),
        };
        match head.get(first) {
            None => Err(false),
            Some(_) if index.listing.member_count() > first + 1 => Err(true),
            Some(h) => Ok(h),
        }
    }

    fn entry_metadata(e: &Entry) -> Metadata {
        Metadata { mode: if e.is_dir { libc::S_IFDIR } else { libc::S_IFREG }, size: e.size, mtime: e.mtime, native: None }
    }

    /// The directory `inner` names (`None` for the root), if it is listed.
    fn dir_of(listing: &Listing<F::Member>, inner: &str) -> Option<Option<u32>> {
        if inner.is_empty() {
            Some(None)
        } else {
            listing.find(inner).map(Some)
        }
    }

    fn several_members_error(&self, archive: &str, index: &ArchiveIndex<F>) -> Error {
        let mut msg = format!(
            "Support only 1 file in archive file {archive} when no explicit in-archive filename is specified"
        );
        msg.push_str("\nYou could try one of the following :\n");
        for i in 0..index.listing.len() as u32 {
            msg.push_str(&format!("  {}/{{{archive}}}/{}\n", self.format.prefix(), index.listing.name(i)));
        }
        Error::new(ErrorKind::Unsupported, msg).with_cpl(cple::NOT_SUPPORTED)
    }
}

impl<F: ArchiveFormat> FileSystem for ArchiveFs<F> {
    fn open(&self, path: &str, options: &OpenOptions) -> Result<Box<dyn Handle>> {
        if let Some(other) = self.format.open_other(path, options) {
            return other;
        }
        let _nesting = NestingGuard::enter(path)?;
        let split = self.split_or_not_found(path)?;
        self.format.check_readable(&split.archive)?;
        let index = self.index(&split.archive)?;
        let member = if split.inner.is_empty() {
            match Self::sole_member(&index) {
                Ok(h) => h.member,
                Err(true) => return Err(self.several_members_error(&split.archive, &index)),
                Err(false) => return Err(Error::not_found(path)),
            }
        } else {
            match index.listing.find(&split.inner).map(|i| *index.listing.entry(i)) {
                Some(e) if !e.is_dir && e.member != NONE => e.member,
                Some(_) => return Err(Error::from_errno(libc::EISDIR, path)),
                None => return Err(Error::not_found(path)),
            }
        };
        self.format.open_member(&split.archive, &index, member)
    }

    fn stat(&self, path: &str, _flags: StatFlags) -> Result<Metadata> {
        let _nesting = NestingGuard::enter(path)?;
        let split = self.split_or_not_found(path)?;
        self.format.check_readable(&split.archive)?;
        let index = self.index(&split.archive)?;
        if split.inner.is_empty() {
            return match Self::sole_member(&index) {
                Ok(h) => Ok(Metadata::file(h.size, h.mtime)),
                Err(true) => Ok(Metadata::dir(0)),
                Err(false) => Err(Error::not_found(path)),
            };
        }
        match index.listing.find(&split.inner) {
            Some(i) => Ok(Self::entry_metadata(index.listing.entry(i))),
            None => Err(Error::not_found(path)),
        }
    }

    fn read_dir(&self, path: &str, max_files: usize) -> Result<Vec<String>> {
        let _nesting = NestingGuard::enter(path)?;
        let split = self.split_or_not_found(path)?;
        self.format.check_readable(&split.archive)?;
        let index = self.index(&split.archive)?;
        let l = &index.listing;
        let Some(dir) = Self::dir_of(l, &split.inner) else { return Ok(Vec::new()) };
        let mut names = Vec::new();
        for i in l.children(dir) {
            names.push(l.base_name(i).to_string());
            if max_files > 0 && names.len() > max_files {
                break;
            }
        }
        Ok(names)
    }

    fn read_dir_entries(&self, path: &str, name_and_type_only: bool) -> Result<Vec<DirEntry>> {
        let _nesting = NestingGuard::enter(path)?;
        let split = self.split_or_not_found(path)?;
        self.format.check_readable(&split.archive)?;
        let index = self.index(&split.archive)?;
        let l = &index.listing;
        let Some(dir) = Self::dir_of(l, &split.inner) else { return Ok(Vec::new()) };
        Ok(l.children(dir)
            .map(|i| {
                let e = l.entry(i);
                let meta = Self::entry_metadata(e);
                DirEntry {
                    name: l.base_name(i).to_string(),
                    mode: Some(meta.mode),
                    size: (!name_and_type_only).then_some(meta.size),
                    mtime: (!name_and_type_only).then_some(meta.mtime),
                }
            })
            .collect())
    }
}

/// Opens `archive` for reading through the registry, as a shared
/// positional source.
pub fn open_archive(archive: &str) -> Result<Arc<SharedHandle>> {
    let handle = vfs::handler_for(archive).open(archive, &OpenOptions::new("rb"))?;
    Ok(Arc::new(SharedHandle::new(handle)))
}

/// A CRC-32 to check once a member has been read from its start to its end.
pub struct CrcCheck {
    pub expected: u32,
    pub size: u64,
}

/// An open member: reads from any positional source with GDAL's handle
/// semantics, checks the member's CRC when it is read through in order,
/// and closes the archive with the handle.
pub struct MemberHandle {
    cursor: ReadCursor<Arc<dyn ReadAt>>,
    archive: Arc<SharedHandle>,
    crc: Option<CrcState>,
    crc_failed: bool,
    empty_read_eof: bool,
}

struct CrcState {
    check: CrcCheck,
    /// Bytes hashed, all from the start of the member.
    done: u64,
    hasher: crc32fast::Hasher,
}

impl MemberHandle {
    pub fn new(source: Arc<dyn ReadAt>, archive: Arc<SharedHandle>, crc: Option<CrcCheck>) -> MemberHandle {
        let crc = crc.map(|check| CrcState { check, done: 0, hasher: crc32fast::Hasher::new() });
        MemberHandle { cursor: ReadCursor::new(source), archive, crc, crc_failed: false, empty_read_eof: false }
    }

    /// Checks `check` once the member is read through from its start.
    pub fn with_crc(mut self, check: CrcCheck) -> MemberHandle {
        self.crc = Some(CrcState { check, done: 0, hasher: crc32fast::Hasher::new() });
        self
    }

    /// GDAL's decompressing handles: a short read leaves EOF unset (only a
    /// read returning nothing sets it), and a read past the end moves the
    /// offset back to the end.
    pub fn with_empty_read_eof(mut self) -> MemberHandle {
        self.empty_read_eof = true;
        self
    }

    fn track_crc(&mut self, start: u64, data: &[u8]) {
        let Some(state) = self.crc.as_mut() else { return };
        if start != state.done || data.is_empty() {
            return;
        }
        state.hasher.update(data);
        state.done += data.len() as u64;
        if state.done >= state.check.size {
            let got = state.hasher.clone().finalize();
            let expected = state.check.expected;
            self.crc = None;
            if got != expected {
                self.crc_failed = true;
                cpl_error(ErrorClass::Failure, cple::FILE_IO, &format!("CRC error. Got {got:X} instead of {expected:X}"));
            }
        }
    }
}

impl Handle for MemberHandle {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        if self.empty_read_eof && !buf.is_empty() {
            let size = self.cursor.source().size()?;
            if self.cursor.tell() > size {
                self.cursor.seek(size, Whence::Set)?;
            }
        }
        let start = self.cursor.tell();
        let n = self.cursor.read(buf)?;
        self.track_crc(start, &buf[..n]);
        if self.empty_read_eof && n > 0 && self.cursor.eof() {
            // Seeking in place clears EOF only.
            self.cursor.seek(start + n as u64, Whence::Set)?;
        }
        Ok(n)
    }
    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        self.cursor.write(buf)
    }
    fn seek(&mut self, offset: u64, whence: Whence) -> Result<()> {
        self.cursor.seek(offset, whence)
    }
    fn tell(&mut self) -> u64 {
        self.cursor.tell()
    }
    fn eof(&self) -> bool {
        self.cursor.eof()
    }
    fn error(&self) -> bool {
        self.cursor.error() || self.crc_failed
    }
    fn clear_err(&mut self) {
        self.cursor.clear_err();
        self.crc_failed = false;
    }
    fn close(&mut self) -> Result<()> {
        self.archive.close()
    }
    fn read_multi_range(&mut self, ranges: &mut [(u64, &mut [u8])]) -> Result<()> {
        self.cursor.read_multi_range(ranges)
    }
}
