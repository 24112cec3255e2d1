//! `/vsimem/`: files held in memory.
//!
//! A namespace (one ordered map of normalised path → node) points at
//! reference-counted file objects. Handles hold their own reference, so an
//! unlinked file stays readable and writable through its open handles and
//! its bytes are freed when the last one closes. The map's lock is held only
//! for lookups and renames; reads and writes take the file's own lock, so
//! work on different files never serialises, and many readers of one file
//! proceed together.

mod buffer;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use compact_str::CompactString;
use parking_lot::RwLock;

pub use buffer::MemBuffer;

use crate::error::{cple, Error, ErrorKind, Result};
use crate::io::Position;
use crate::vfs::{FileSystem, Handle, Metadata, OpenOptions, StatFlags, Whence};

/// Live file objects (named, unlinked-but-open, or anonymous).
static FILE_COUNT: AtomicU64 = AtomicU64::new(0);
/// Files whose name is gone but that an open handle still keeps alive.
static UNLINKED_OPEN: AtomicU64 = AtomicU64::new(0);

/// One in-memory file. Everything it holds sits in the buffer behind one
/// lock, so a million small files cost one 80-byte block each besides
/// their bytes.
pub struct MemFile {
    data: RwLock<MemBuffer>,
}

impl MemFile {
    fn new(bytes: MemBuffer) -> Arc<MemFile> {
        FILE_COUNT.fetch_add(1, Ordering::Relaxed);
        let mut bytes = bytes;
        bytes.touch();
        Arc::new(MemFile { data: RwLock::new(bytes) })
    }

    /// Called when the name goes away; the object may live on in handles.
    fn mark_unlinked(self: &Arc<Self>) {
        // Only handles hold other references; without them the file is
        // about to be freed, not "unlinked but open".
        if Arc::strong_count(self) > 1 {
            let mut d = self.data.write();
            if !d.unlinked {
                d.unlinked = true;
                UNLINKED_OPEN.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    fn len(&self) -> u64 {
        self.data.read().len() as u64
    }
}

impl Drop for MemFile {
    fn drop(&mut self) {
        FILE_COUNT.fetch_sub(1, Ordering::Relaxed);
        if self.data.get_mut().unlinked {
            UNLINKED_OPEN.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

/// A name in the namespace. Directories carry nothing: GDAL reports them
/// with mtime 0, and an 8-byte node keeps the map small.
#[derive(Clone)]
enum Node {
    File(Arc<MemFile>),
    Dir,
}

/// Figures on what `/vsimem/` holds, for callers who must know their memory
/// is gone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemStats {
    /// Bytes allocated by owned buffers (what `free` will give back).
    pub bytes_allocated: u64,
    /// Sum of file lengths (including buffers lent by callers).
    pub bytes_used: u64,
    /// Live file objects.
    pub files: u64,
    /// Files unlinked but still held open by a handle.
    pub unlinked_open: u64,
}

pub fn stats() -> MemStats {
    MemStats {
        bytes_allocated: buffer::BYTES_ALLOCATED.load(Ordering::Relaxed),
        bytes_used: buffer::BYTES_USED.load(Ordering::Relaxed),
        files: FILE_COUNT.load(Ordering::Relaxed),
        unlinked_open: UNLINKED_OPEN.load(Ordering::Relaxed),
    }
}

/// The `/vsimem/` file system (one namespace per instance).
pub struct MemFs {
    /// "/vsimem" — the prefix without its final slash, the root's key.
    root: String,
    nodes: RwLock<BTreeMap<CompactString, Node>>,
}

impl MemFs {
    pub fn new(prefix: &str) -> MemFs {
        MemFs { root: prefix.trim_end_matches('/').to_string(), nodes: RwLock::new(BTreeMap::new()) }
    }

    /// GDAL's normalisation: `\` → `/`, `//` → `/` (one pass), one trailing
    /// `/` removed.
    pub fn normalize(path: &str) -> CompactString {
        let slashed = path.replace('\\', "/");
        let mut s = slashed.replace("//", "/");
        if s.ends_with('/') {
            s.pop();
        }
        CompactString::from(s)
    }

    fn is_root(&self, key: &str) -> bool {
        key == self.root
    }

    /// The parent key of a normalised key; `None` at or above the root.
    fn parent<'a>(&self, key: &'a str) -> Option<&'a str> {
        let i = key.rfind('/')?;
        let parent = &key[..i];
        (parent.len() > self.root.len() && parent.starts_with(self.root.as_str())).then_some(parent)
    }

    /// Creates missing parent directories of `key` (as `VSIMkdirRecursive`
    /// on its dirname would).
    fn create_parents(&self, nodes: &mut BTreeMap<CompactString, Node>, key: &str) -> Result<()> {
        let mut missing = Vec::new();
        let mut cur = self.parent(key);
        while let Some(p) = cur {
            match nodes.get(p) {
                Some(Node::Dir) => break,
                Some(Node::File(_)) => {
                    return Err(Error::new(ErrorKind::NotFound, format!("Could not create directory {p} for writing"))
                        .with_errno(libc::ENOENT))
                }
                None => missing.push(p),
            }
            cur = self.parent(p);
        }
        for p in missing {
            nodes.insert(CompactString::from(p), Node::Dir);
        }
        Ok(())
    }

    fn lookup_file(&self, path: &str) -> Option<Arc<MemFile>> {
        match self.nodes.read().get(Self::normalize(path).as_str()) {
            Some(Node::File(f)) => Some(f.clone()),
            _ => None,
        }
    }

    /// Splits GDAL's `||maxlength=N` suffix off a path.
    fn max_length(path: &str) -> u64 {
        path.find("||maxlength=")
            .and_then(|i| {
                let digits: String =
                    path[i + "||maxlength=".len()..].chars().take_while(|c| c.is_ascii_digit()).collect();
                digits.parse().ok()
            })
            .unwrap_or(u64::MAX)
    }

    /// Registers `file` under `path`, replacing whatever was there
    /// (`VSIFileFromMemBuffer`). `None` path: an anonymous file.
    pub fn insert_file(&self, path: &str, file: &Arc<MemFile>) -> Result<()> {
        let key = Self::normalize(path);
        if self.is_root(&key) || !key.starts_with(self.root.as_str()) {
            return Err(Error::new(ErrorKind::InvalidInput, format!("{path}: not a valid in-memory file name")));
        }
        let mut nodes = self.nodes.write();
        self.create_parents(&mut nodes, &key)?;
        if let Some(Node::File(old)) = nodes.insert(key, Node::File(file.clone())) {
            old.mark_unlinked();
        }
        Ok(())
    }

    /// `VSIFileFromMemBuffer`: a file whose bytes are the caller's block.
    ///
    /// # Safety
    /// As [`MemBuffer::from_raw`].
    pub unsafe fn file_from_raw(
        &self,
        path: Option<&str>,
        ptr: *mut u8,
        len: usize,
        take_ownership: bool,
    ) -> Result<Box<dyn Handle>> {
        if let Some(p) = path {
            let key = Self::normalize(p);
            if self.is_root(&key) || !key.starts_with(self.root.as_str()) {
                return Err(Error::new(ErrorKind::InvalidInput, format!("{p}: not a valid in-memory file name")));
            }
            // Make parents before taking the buffer: on failure the caller
            // still owns it.
            self.create_parents(&mut self.nodes.write(), &key)?;
        }
        let file = MemFile::new(MemBuffer::from_raw(ptr, len, take_ownership));
        if let Some(p) = path {
            self.insert_file(p, &file)?;
        }
        Ok(Box::new(MemHandle::new(file, true, true, 0)))
    }

    /// `VSIGetMemFileBuffer`. With `seize`, the file leaves the namespace and
    /// its block is handed over (open handles then see an empty file).
    /// Returns the pointer, the length, and whether the caller owns it.
    pub fn buffer(&self, path: &str, seize: bool) -> Option<(*mut u8, usize, bool)> {
        let key = Self::normalize(path);
        if !seize {
            if matches!(self.nodes.read().get(key.as_str()), Some(Node::Dir)) {
                return Some((std::ptr::null_mut(), 0, false));
            }
            let file = self.lookup_file(path)?;
            let d = file.data.read();
            return Some((d.as_ptr(), d.len(), false));
        }
        let mut nodes = self.nodes.write();
        let file = match nodes.get(key.as_str()) {
            Some(Node::File(f)) => f.clone(),
            Some(Node::Dir) => {
                // GDAL unlinks a directory too, handing out no data.
                nodes.remove(key.as_str());
                return Some((std::ptr::null_mut(), 0, false));
            }
            None => return None,
        };
        let out = file.data.write().take()?;
        nodes.remove(key.as_str());
        drop(nodes);
        file.mark_unlinked();
        Some(out)
    }

    /// Names of files never unlinked, with their lengths (for the exit report).
    pub fn remaining_files(&self) -> Vec<(String, u64)> {
        self.nodes
            .read()
            .iter()
            .filter_map(|(k, n)| match n {
                Node::File(f) => Some((k.to_string(), f.len())),
                Node::Dir => None,
            })
            .collect()
    }

    /// Keys strictly below `key`, as a range of the ordered map.
    fn children_range<'a>(
        nodes: &'a BTreeMap<CompactString, Node>,
        key: &str,
    ) -> impl Iterator<Item = (&'a CompactString, &'a Node)> + 'a {
        let lo = CompactString::from(format!("{key}/"));
        // '0' is the byte after '/', so this bounds "key/..." exactly.
        let hi = CompactString::from(format!("{key}0"));
        nodes.range(lo..hi)
    }
}

impl FileSystem for MemFs {
    fn open(&self, path: &str, options: &OpenOptions) -> Result<Box<dyn Handle>> {
        let key = Self::normalize(path);
        let existing = self.nodes.read().get(key.as_str()).cloned();
        let file = match existing {
            Some(Node::Dir) => return Err(Error::from_errno(libc::EISDIR, path)),
            _ if self.is_root(&key) => return Err(Error::from_errno(libc::EISDIR, path)),
            Some(Node::File(f)) => {
                if options.truncate {
                    let mut d = f.data.write();
                    d.set_len(0)?;
                    d.touch();
                }
                f
            }
            None if !options.create => return Err(Error::from_errno(libc::ENOENT, path)),
            None => {
                let mut nodes = self.nodes.write();
                // Another thread may have created it since we looked.
                match nodes.get(key.as_str()) {
                    Some(Node::File(f)) => f.clone(),
                    Some(Node::Dir) => return Err(Error::from_errno(libc::EISDIR, path)),
                    None => {
                        self.create_parents(&mut nodes, &key)?;
                        let f = MemFile::new(MemBuffer::new(Self::max_length(path)));
                        nodes.insert(key, Node::File(f.clone()));
                        f
                    }
                }
            }
        };
        let offset = if options.append { file.len() } else { 0 };
        Ok(Box::new(MemHandle::new(file, options.read, options.write, offset)))
    }

    fn stat(&self, path: &str, _flags: StatFlags) -> Result<Metadata> {
        let key = Self::normalize(path);
        if self.is_root(&key) {
            return Ok(Metadata::dir(0));
        }
        match self.nodes.read().get(key.as_str()) {
            Some(Node::File(f)) => {
                let d = f.data.read();
                Ok(Metadata::file(d.len() as u64, d.mtime()))
            }
            Some(Node::Dir) => Ok(Metadata::dir(0)),
            None => Err(Error::not_found(path)),
        }
    }

    fn read_dir(&self, path: &str, max_files: usize) -> Result<Vec<String>> {
        let key = Self::normalize(path);
        let nodes = self.nodes.read();
        let mut names = Vec::new();
        for (k, _) in Self::children_range(&nodes, &key) {
            let name = &k[key.len() + 1..];
            if name.is_empty() || name.contains('/') {
                continue;
            }
            names.push(name.to_string());
            if max_files > 0 && names.len() > max_files {
                break;
            }
        }
        Ok(names)
    }

    fn mkdir(&self, path: &str, _mode: u32) -> Result<()> {
        let key = Self::normalize(path);
        let mut nodes = self.nodes.write();
        if self.is_root(&key) || nodes.contains_key(key.as_str()) {
            return Err(Error::from_errno(libc::EEXIST, path));
        }
        nodes.insert(key, Node::Dir);
        Ok(())
    }

    fn rmdir(&self, path: &str) -> Result<()> {
        self.unlink(path)
    }

    fn unlink(&self, path: &str) -> Result<()> {
        let key = Self::normalize(path);
        let removed = self.nodes.write().remove(key.as_str());
        match removed {
            Some(Node::File(f)) => {
                f.mark_unlinked();
                Ok(())
            }
            Some(Node::Dir) => Ok(()),
            None => Err(Error::not_found(path)),
        }
    }

    fn rmdir_recursive(&self, path: &str) -> Option<Result<()>> {
        let key = Self::normalize(path);
        let mut nodes = self.nodes.write();
        let mut doomed: Vec<CompactString> = Self::children_range(&nodes, &key).map(|(k, _)| k.clone()).collect();
        if nodes.contains_key(key.as_str()) {
            doomed.push(key.clone());
        }
        if doomed.is_empty() && !self.is_root(&key) {
            return Some(Err(Error::not_found(path)));
        }
        for k in doomed {
            if let Some(Node::File(f)) = nodes.remove(&k) {
                f.mark_unlinked();
            }
        }
        Some(Ok(()))
    }

    fn rename(&self, from: &str, to: &str) -> Result<()> {
        if !to.starts_with(&format!("{}/", self.root)) {
            return Err(Error::new(ErrorKind::InvalidInput, format!("{to}: cannot rename out of {}/", self.root))
                .with_errno(libc::EXDEV));
        }
        let old = Self::normalize(from);
        let new = Self::normalize(to);
        if old == new {
            return Ok(());
        }
        let mut nodes = self.nodes.write();
        if !nodes.contains_key(old.as_str()) {
            return Err(Error::not_found(from));
        }
        let mut moved: Vec<(CompactString, Node)> = Vec::new();
        let below: Vec<CompactString> = Self::children_range(&nodes, &old).map(|(k, _)| k.clone()).collect();
        for k in below.into_iter().chain(std::iter::once(old.clone())) {
            if let Some(node) = nodes.remove(&k) {
                let suffix = &k[old.len()..];
                moved.push((CompactString::from(format!("{new}{suffix}")), node));
            }
        }
        for (k, node) in moved {
            if let Some(Node::File(replaced)) = nodes.insert(k, node) {
                replaced.mark_unlinked();
            }
        }
        Ok(())
    }

    fn disk_free_space(&self, _path: &str) -> Option<i64> {
        crate::fs::local::usable_physical_ram()
    }
}

/// An open `/vsimem/` file.
pub struct MemHandle {
    file: Arc<MemFile>,
    pos: Position,
    can_read: bool,
    can_write: bool,
}

impl MemHandle {
    fn new(file: Arc<MemFile>, can_read: bool, can_write: bool, offset: u64) -> MemHandle {
        MemHandle { file, pos: Position { offset, ..Position::default() }, can_read, can_write }
    }
}

impl Handle for MemHandle {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if !self.can_read {
            self.pos.error = true;
            return Err(Error::new(ErrorKind::PermissionDenied, "File not opened for reading").with_errno(libc::EACCES));
        }
        let n = self.file.data.read().read_at(self.pos.offset, buf);
        self.pos.offset += n as u64;
        if n < buf.len() {
            self.pos.eof = true;
        }
        Ok(n)
    }

    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        if !self.can_write {
            return Err(Error::new(ErrorKind::PermissionDenied, "File not opened for writing").with_errno(libc::EACCES));
        }
        if buf.is_empty() {
            return Ok(0);
        }
        let mut d = self.file.data.write();
        d.write_at(self.pos.offset, buf)?;
        d.touch();
        self.pos.offset += buf.len() as u64;
        Ok(buf.len())
    }

    fn seek(&mut self, offset: u64, whence: Whence) -> Result<()> {
        let file = &self.file;
        self.pos.seek(offset, whence, || Ok(file.len()))
    }

    crate::position_accessors!(pos);

    fn truncate(&mut self, size: u64) -> Result<()> {
        if !self.can_write {
            return Err(Error::new(ErrorKind::PermissionDenied, "File not opened for writing").with_errno(libc::EACCES));
        }
        let mut d = self.file.data.write();
        d.set_len(size)?;
        d.touch();
        Ok(())
    }
}

/// Builds an "out of memory" error for allocation failures at the C face.
pub fn out_of_memory(what: &str) -> Error {
    Error::new(ErrorKind::OutOfMemory, format!("Cannot allocate {what}")).with_cpl(cple::OUT_OF_MEMORY)
}

static GLOBAL: once_cell::sync::Lazy<Arc<MemFs>> = once_cell::sync::Lazy::new(|| {
    // SAFETY: report_at_exit is a plain extern "C" fn with no arguments.
    unsafe { libc::atexit(report_at_exit) };
    Arc::new(MemFs::new("/vsimem/"))
});

/// The process's `/vsimem/` namespace.
pub fn global() -> Arc<MemFs> {
    GLOBAL.clone()
}

/// With `VSIRS_MEM_REPORT_AT_EXIT=YES`, lists the `/vsimem/` files that were
/// never unlinked, so a leak in a long pipeline has a name.
extern "C" fn report_at_exit() {
    // Never unwind out of an atexit handler.
    let _ = std::panic::catch_unwind(write_exit_report);
}

fn write_exit_report() {
    if !crate::config::get_bool("VSIRS_MEM_REPORT_AT_EXIT", false) {
        return;
    }
    let remaining = GLOBAL.remaining_files();
    let s = stats();
    let mut out = format!(
        "libvsi: /vsimem/ at exit: {} file(s) never unlinked, {} unlinked but still open, {} bytes allocated\n",
        remaining.len(),
        s.unlinked_open,
        s.bytes_allocated
    );
    for (name, len) in remaining {
        out.push_str(&format!("libvsi:   {name} ({len} bytes)\n"));
    }
    use std::io::Write;
    let _ = std::io::stderr().write_all(out.as_bytes());
}

/// A block from libc's allocator holding a seized file's bytes; freed on
/// drop unless handed on with [`MallocBuffer::into_raw`].
pub struct MallocBuffer {
    ptr: *mut u8,
    len: usize,
    owned: bool,
}

impl MallocBuffer {
    /// The pointer and length; the caller now frees it with `free` (when
    /// the buffer was ours to give: see [`MallocBuffer::is_owned`]).
    pub fn into_raw(self) -> (*mut u8, usize) {
        let out = (self.ptr, self.len);
        std::mem::forget(self);
        out
    }
    /// False when the bytes were lent by a caller of `VSIFileFromMemBuffer`
    /// without ownership: they are returned but not freed.
    pub fn is_owned(&self) -> bool {
        self.owned
    }
}

impl std::ops::Deref for MallocBuffer {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        if self.ptr.is_null() {
            &[]
        } else {
            // SAFETY: ptr holds len bytes for our lifetime.
            unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
        }
    }
}

impl Drop for MallocBuffer {
    fn drop(&mut self) {
        if self.owned {
            // SAFETY: owned seized blocks come from malloc.
            unsafe { libc::free(self.ptr.cast()) };
        }
    }
}

/// Creates (or replaces) `path` with a copy of `data`.
pub fn write_file(path: &str, data: &[u8]) -> Result<()> {
    let mut f = crate::File::create(path)?;
    f.write_raw(data)?;
    f.close()
}

/// Runs `f` on the live bytes of `path` without copying them.
pub fn with_bytes<R>(path: &str, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
    let file = GLOBAL.lookup_file(path)?;
    let data = file.data.read();
    Some(f(data.as_slice()))
}

/// Removes `path` and hands its bytes over (`VSIGetMemFileBuffer` with
/// seize): no copy for files held on the heap.
pub fn seize(path: &str) -> Option<MallocBuffer> {
    let (ptr, len, owned) = GLOBAL.buffer(path, true)?;
    Some(MallocBuffer { ptr, len, owned })
}
