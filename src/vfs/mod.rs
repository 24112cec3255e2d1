//! The virtual file system core: the two traits every handler implements
//! (`FileSystem` for path operations, `Handle` for open files), the value
//! types they exchange, and the prefix registry that dispatches a path to its
//! handler.

mod registry;

pub use registry::{handler_for, install, prefixes, same_handler, Registry};

use crate::error::{Error, ErrorKind, Result};

/// Origin of a seek, as `SEEK_SET`, `SEEK_CUR`, `SEEK_END`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whence {
    Set,
    Cur,
    End,
}

impl Whence {
    pub fn from_raw(whence: i32) -> Option<Whence> {
        match whence {
            libc::SEEK_SET => Some(Whence::Set),
            libc::SEEK_CUR => Some(Whence::Cur),
            libc::SEEK_END => Some(Whence::End),
            _ => None,
        }
    }
}

/// `VSIRangeStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C)]
pub enum RangeStatus {
    Unknown = 0,
    Data = 1,
    Hole = 2,
}

/// What an open file can do. One object per `VSILFILE*`, used by one thread
/// at a time; handlers make sharing between handles of one file safe.
///
/// Reads and writes are byte-oriented; the fread-style object counts of the
/// C API are computed above this trait.
pub trait Handle: Send {
    /// Reads up to `buf.len()` bytes at the current offset and advances past
    /// them. A short count means end of file (the EOF flag is set) or an
    /// error after some bytes (the error flag is set). `Err` only when no
    /// byte could be read because of an error.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize>;
    /// Writes at the current offset; returns the bytes written.
    fn write(&mut self, buf: &[u8]) -> Result<usize>;
    fn seek(&mut self, offset: u64, whence: Whence) -> Result<()>;
    fn tell(&mut self) -> u64;
    /// True once a read hit the end of file; cleared by a successful seek.
    fn eof(&self) -> bool;
    /// True once a read failed for a reason other than end of file.
    fn error(&self) -> bool;
    fn clear_err(&mut self);
    fn flush(&mut self) -> Result<()> {
        Ok(())
    }
    fn truncate(&mut self, _size: u64) -> Result<()> {
        Err(Error::new(ErrorKind::Unsupported, "Truncate() not supported on this file"))
    }
    /// Releases the file; called exactly once, before the handle is dropped.
    fn close(&mut self) -> Result<()> {
        Ok(())
    }
    fn range_status(&mut self, _offset: u64, _length: u64) -> RangeStatus {
        RangeStatus::Unknown
    }
    /// Reads several ascending ranges. The default seeks and reads each in
    /// turn, fails on any short read, and restores the offset.
    fn read_multi_range(&mut self, ranges: &mut [(u64, &mut [u8])]) -> Result<()> {
        let saved = self.tell();
        let mut outcome = Ok(());
        for (offset, buf) in ranges.iter_mut() {
            if let Err(e) = self.seek(*offset, Whence::Set) {
                outcome = Err(e);
                break;
            }
            match self.read(buf) {
                Ok(n) if n == buf.len() => {}
                Ok(_) => {
                    outcome = Err(Error::new(ErrorKind::Io, "short read in multi-range read"));
                    break;
                }
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
            }
        }
        let _ = self.seek(saved, Whence::Set);
        outcome
    }
    /// The OS file descriptor behind the handle, if there is one.
    fn native_fd(&self) -> Option<i32> {
        None
    }
}

/// Which parts of a stat the caller needs (`VSI_STAT_*_FLAG`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatFlags(pub u32);

impl StatFlags {
    pub const EXISTS: u32 = 0x1;
    pub const NATURE: u32 = 0x2;
    pub const SIZE: u32 = 0x4;
    pub const SET_ERROR: u32 = 0x8;
    pub const CACHE_ONLY: u32 = 0x10;
    pub const ALL: StatFlags = StatFlags(Self::EXISTS | Self::NATURE | Self::SIZE);

    /// As GDAL: no flag at all means "everything".
    pub fn normalized(self) -> StatFlags {
        if self.0 == 0 {
            Self::ALL
        } else {
            self
        }
    }
    pub fn has(self, flag: u32) -> bool {
        self.0 & flag != 0
    }
}

/// Result of a stat. Virtual handlers fill `mode` (exactly `S_IFREG` or
/// `S_IFDIR`), `size` and `mtime`; the local handler also keeps the whole
/// native `stat64`.
#[derive(Clone, Copy)]
pub struct Metadata {
    pub mode: u32,
    pub size: u64,
    pub mtime: i64,
    pub native: Option<libc::stat64>,
}

impl Metadata {
    pub fn file(size: u64, mtime: i64) -> Metadata {
        Metadata { mode: libc::S_IFREG, size, mtime, native: None }
    }
    pub fn dir(mtime: i64) -> Metadata {
        Metadata { mode: libc::S_IFDIR, size: 0, mtime, native: None }
    }
    pub fn is_dir(&self) -> bool {
        self.mode & libc::S_IFMT == libc::S_IFDIR
    }
    pub fn is_file(&self) -> bool {
        self.mode & libc::S_IFMT == libc::S_IFREG
    }
    pub fn is_symlink(&self) -> bool {
        self.mode & libc::S_IFMT == libc::S_IFLNK
    }
}

impl std::fmt::Debug for Metadata {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metadata").field("mode", &format_args!("{:o}", self.mode)).field("size", &self.size).field("mtime", &self.mtime).finish()
    }
}

/// One entry yielded by a directory walk (`VSIDIREntry`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// Path relative to the walked directory, `/`-separated.
    pub name: String,
    pub mode: Option<u32>,
    pub size: Option<u64>,
    pub mtime: Option<i64>,
}

impl DirEntry {
    pub fn is_dir(&self) -> bool {
        self.mode.is_some_and(|m| m & libc::S_IFMT == libc::S_IFDIR)
    }
}

/// A parsed `fopen`-style access string.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// The access string exactly as given (the local handler passes it on).
    pub access: String,
    pub read: bool,
    pub write: bool,
    pub truncate: bool,
    pub append: bool,
    pub create: bool,
    /// `VSIFOpenExL(..., bSetError)`: record a VSI error on failure.
    pub set_error: bool,
    /// Handler-specific `KEY=VALUE` options of `VSIFOpenEx2L`.
    pub options: Vec<(String, String)>,
}

impl OpenOptions {
    /// Reads an access string with GDAL's rules: update is allowed when it
    /// has `w`, `+` or `a`; reading when it has `r` or `+`.
    pub fn new(access: &str) -> OpenOptions {
        let has = |c| access.contains(c);
        OpenOptions {
            access: access.to_string(),
            read: has('r') || has('+'),
            write: has('w') || has('+') || has('a'),
            truncate: has('w'),
            append: has('a'),
            create: has('w') || has('a'),
            set_error: false,
            options: Vec::new(),
        }
    }

    pub fn option(&self, key: &str) -> Option<&str> {
        self.options.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
    }

    /// True for exactly "r" or "rb": the read-only opens GDAL may cache.
    pub fn is_read_only(&self) -> bool {
        self.access == "r" || self.access == "rb"
    }
}

/// Options of a directory walk (`VSIOpenDir`).
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// -1 unlimited, 0 this directory only, n levels below.
    pub depth: i32,
    /// Only entries whose relative name starts with this.
    pub prefix: Option<String>,
    /// Only name and type are needed (no size or time).
    pub name_and_type_only: bool,
}

/// Everything a file system handler offers. Only `open`, `stat` and
/// `read_dir` are required; the rest defaults to "not supported", or to a
/// generic implementation on top of the required three.
pub trait FileSystem: Send + Sync {
    fn open(&self, path: &str, options: &OpenOptions) -> Result<Box<dyn Handle>>;
    fn stat(&self, path: &str, flags: StatFlags) -> Result<Metadata>;
    /// Names directly inside `path`. `max_files > 0` may stop after
    /// `max_files + 1` names (so a caller can see the list was cut).
    fn read_dir(&self, path: &str, max_files: usize) -> Result<Vec<String>>;

    fn mkdir(&self, path: &str, _mode: u32) -> Result<()> {
        Err(unsupported("Mkdir", path))
    }
    fn rmdir(&self, path: &str) -> Result<()> {
        Err(unsupported("Rmdir", path))
    }
    fn unlink(&self, path: &str) -> Result<()> {
        Err(unsupported("Unlink", path))
    }
    fn rename(&self, from: &str, _to: &str) -> Result<()> {
        Err(unsupported("Rename", from))
    }
    /// Removes `path` and all below it. `None` asks the caller to use the
    /// generic walk-and-delete.
    fn rmdir_recursive(&self, _path: &str) -> Option<Result<()>> {
        None
    }
    /// The entries of one directory (without `.` and `..`) and what is
    /// known of each. The default stats every name; a handler that learns
    /// types from its listing says so more cheaply. With
    /// `name_and_type_only`, only names and types are needed, and links are
    /// reported as links rather than followed.
    fn read_dir_entries(&self, path: &str, name_and_type_only: bool) -> Result<Vec<DirEntry>> {
        let names = self.read_dir(path, 0)?;
        Ok(names
            .into_iter()
            .filter(|n| n != "." && n != "..")
            .map(|name| {
                let meta = self.stat(&join(path, &name), StatFlags::ALL).ok();
                DirEntry {
                    mode: meta.map(|m| m.mode),
                    size: meta.filter(|_| !name_and_type_only).map(|m| m.size),
                    mtime: meta.filter(|_| !name_and_type_only).map(|m| m.mtime),
                    name,
                }
            })
            .collect())
    }
    fn disk_free_space(&self, _path: &str) -> Option<i64> {
        None
    }
    fn is_case_sensitive(&self, _path: &str) -> bool {
        true
    }
    fn supports_sparse_files(&self, _path: &str) -> bool {
        false
    }
    /// The separator used in directory listings of this file system.
    fn separator(&self, _path: &str) -> &'static str {
        "/"
    }
}

fn unsupported(op: &str, path: &str) -> Error {
    Error::new(ErrorKind::Unsupported, format!("{op}() not supported on {path}")).with_errno(libc::ENOENT)
}

/// `dirname` as `CPLGetPath`: everything before the last `/` (or `\`),
/// without it; "" when there is none.
pub fn parent_path(path: &str) -> &str {
    match path.rfind(['/', '\\']) {
        Some(i) => &path[..i],
        None => "",
    }
}

/// `CPLFormFilename` for a directory and a name.
pub fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else if dir.ends_with('/') || dir.ends_with('\\') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}
