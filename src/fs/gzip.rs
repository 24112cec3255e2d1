//! `/vsigzip/<path>`: a gzip file read as its uncompressed bytes, or
//! written as one.
//!
//! Reading goes through [`InflateReader`] (random access from checkpoints
//! of the deflate stream, any number of members, CRC and size checked at the
//! end of each). The checkpoint index of a file is kept in a small cache
//! keyed by the underlying path, its size, its modification time and its
//! last 8 bytes (the gzip trailer: CRC32 and size), and shared by every
//! handle on the file: a second open, or an open after a `VSIStatL` that
//! computed the size, starts with the whole index.
//!
//! As GDAL: the size of an uncompressed file is known only after decoding
//! it to the end (a `SEEK_END`, or a stat asking for the size), which then
//! writes `<path>.properties` (`compressed_size=N` and
//! `uncompressed_size=M` lines) unless `CPL_VSIL_GZIP_WRITE_PROPERTIES=NO`
//! or the file is inside `/vsicurl/`, `/vsitar/` or `/vsizip/`; a stat
//! finding a `.properties` whose compressed size matches trusts its
//! uncompressed size. Beyond GDAL: garbage after the last member is an
//! error (GDAL returns it as data), and corrupt input always fails cleanly.
//!
//! Writing (an access string with `w`, not `w+`) produces GDAL's exact
//! stream: the header `1F 8B 08 00 00 00 00 00 00 03`, deflate at level 6,
//! then CRC32 and size; with `z` in the access, a zlib stream instead. Only
//! seeks that do not move succeed.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::error::{cple, Error, ErrorClass, ErrorKind, Result};
use crate::io::inflate::{Framing, InflateIndex, InflateReader};
use crate::io::{read_full_at, ReadAt, ReadCursor, SharedHandle};
use crate::vfs::{self, FileSystem, Handle, Metadata, OpenOptions, StatFlags, Whence};

pub const PREFIX: &str = "/vsigzip/";

/// Files whose index the cache keeps (besides those open).
const CACHE_ENTRIES: usize = 16;
/// Index memory the cache keeps (besides indexes of open files).
const CACHE_BYTES: u64 = 64 << 20;
/// GDAL warns once when a `SEEK_END` must decode more than this.
const SLOW_SEEK_WARNING: u64 = 10 * 1024 * 1024;

/// What identifies one version of an underlying file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileKey {
    path: String,
    size: u64,
    mtime: (i64, i64),
    /// The gzip trailer (CRC32 and size of the last member).
    tail: [u8; 8],
}

struct CacheEntry {
    key: FileKey,
    index: Arc<InflateIndex>,
    /// The uncompressed size a `.properties` file gave.
    size_hint: Option<u64>,
}

/// The `/vsigzip/` file system. Its index cache is process-wide.
pub struct GzipFs;

/// Most recently used last.
static CACHE: Mutex<Vec<CacheEntry>> = Mutex::new(Vec::new());

/// The index of the most recently opened version of `path` (the
/// underlying file), if the cache still holds it: how much of the file is
/// indexed, its memory, its size once known.
pub fn cached_index(path: &str) -> Option<Arc<InflateIndex>> {
    CACHE.lock().iter().rev().find(|e| e.key.path == path).map(|e| e.index.clone())
}

impl GzipFs {
    /// The index (and size hint) for this version of the file.
    fn lookup(&self, key: &FileKey) -> (Arc<InflateIndex>, Option<u64>) {
        let mut cache = CACHE.lock();
        // Older versions of the same file are stale.
        cache.retain(|e| e.key.path != key.path || e.key == *key);
        let entry = match cache.iter().position(|e| e.key == *key) {
            Some(i) => cache.remove(i),
            None => CacheEntry { key: key.clone(), index: InflateIndex::new(), size_hint: None },
        };
        let found = (entry.index.clone(), entry.size_hint);
        cache.push(entry);
        while cache.len() > 1
            && (cache.len() > CACHE_ENTRIES || cache.iter().map(|e| e.index.memory_bytes()).sum::<u64>() > CACHE_BYTES)
        {
            cache.remove(0);
        }
        found
    }

    fn set_hint(&self, key: &FileKey, size: u64) {
        if let Some(e) = CACHE.lock().iter_mut().find(|e| e.key == *key) {
            e.size_hint = Some(size);
        }
    }

    /// Opens the underlying file for reading as a gzip stream.
    fn open_gzip(&self, base: &str) -> Result<GzipFile> {
        let inner = open_inner(base, "rb")?;
        let shared = Arc::new(SharedHandle::new(inner));
        match self.open_gzip_on(base, shared.clone()) {
            Ok(f) => Ok(f),
            Err(e) => {
                let _ = shared.close();
                Err(e)
            }
        }
    }

    fn open_gzip_on(&self, base: &str, shared: Arc<SharedHandle>) -> Result<GzipFile> {
        let size = shared.size()?;
        let mut tail = [0u8; 8];
        if size >= 8 {
            read_full_at(&*shared, size - 8, &mut tail)?;
        }
        let mtime = crate::stat_ex(base, StatFlags(StatFlags::EXISTS | StatFlags::NATURE))
            .map(|m| mtime_of(&m))
            .unwrap_or((0, 0));
        let key = FileKey { path: base.to_string(), size, mtime, tail };
        let (index, size_hint) = self.lookup(&key);
        let source: Arc<dyn ReadAt> = shared.clone();
        let reader = InflateReader::new(source, 0, size, Framing::Gzip, None, index)
            .map_err(|e| Error::new(ErrorKind::InvalidInput, format!("{base}: {e}")).with_errno(libc::EINVAL))?;
        Ok(GzipFile { reader, size_hint, key, inner: shared, last_error: Mutex::new(None) })
    }
}

fn mtime_of(meta: &Metadata) -> (i64, i64) {
    (meta.mtime, meta.native.map_or(0, |n| n.st_mtime_nsec))
}

/// The uncompressed size of this version of `base`, if a reader found it
/// (or a `.properties` file gave it) and the cache still holds it. The
/// version is told by size and time only: stat does not open the file.
fn known_size(base: &str, meta: &Metadata) -> Option<u64> {
    let cache = CACHE.lock();
    let e = cache.iter().rev().find(|e| e.key.path == base)?;
    if e.key.size != meta.size || e.key.mtime != mtime_of(meta) {
        return None;
    }
    e.index.uncompressed_len().or(e.size_hint)
}

fn with_size(mut meta: Metadata, size: u64) -> Metadata {
    meta.size = size;
    if let Some(native) = meta.native.as_mut() {
        native.st_size = size as i64;
    }
    meta
}

/// One open gzip stream.
struct GzipFile {
    reader: InflateReader,
    size_hint: Option<u64>,
    key: FileKey,
    inner: Arc<SharedHandle>,
    /// The failure that cut the last read short (the cursor keeps only a
    /// flag when some bytes were read).
    last_error: Mutex<Option<Error>>,
}

impl ReadAt for GzipFile {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        let outcome = self.reader.read_at(offset, buf);
        if let Err(e) = &outcome {
            *self.last_error.lock() = Some(e.clone());
        }
        outcome
    }
    fn size(&self) -> Result<u64> {
        match self.reader.index().uncompressed_len().or(self.size_hint) {
            Some(n) => Ok(n),
            None => self.reader.size(),
        }
    }
}

/// The uncompressed size, decoding to the end if nobody did yet (then
/// writing the `.properties` file, as GDAL).
fn uncompressed_size(file: &GzipFile) -> Result<u64> {
    if let Some(n) = file.reader.index().uncompressed_len().or(file.size_hint) {
        return Ok(n);
    }
    static WARNED: AtomicBool = AtomicBool::new(false);
    if file.key.size > SLOW_SEEK_WARNING && !WARNED.swap(true, Ordering::Relaxed) {
        crate::error::cpl_error(
            ErrorClass::Warning,
            cple::APP_DEFINED,
            "VSIFSeekL(xxx, SEEK_END) may be really slow on GZip streams.",
        );
    }
    let size = file.reader.size()?;
    write_properties(&file.key.path, file.key.size, size);
    Ok(size)
}

fn write_properties(base: &str, compressed: u64, uncompressed: u64) {
    if !crate::config::get_bool("CPL_VSIL_GZIP_WRITE_PROPERTIES", true)
        || ["/vsicurl/", "/vsitar/", "/vsizip/"].iter().any(|p| base.starts_with(p))
    {
        return;
    }
    // As GDAL, failures (a read-only directory) are silent.
    if let Ok(mut f) = crate::File::create(&format!("{base}.properties")) {
        let _ = write!(f, "compressed_size={compressed}\nuncompressed_size={uncompressed}\n");
        let _ = f.close();
    }
}

/// Reads `<base>.properties`: (compressed, uncompressed) sizes.
fn read_properties(base: &str) -> Option<(u64, u64)> {
    let mut f = crate::File::open(&format!("{base}.properties")).ok()?;
    // A real one is two short lines; do not read a huge file.
    let mut text = vec![0u8; 4096];
    let n = f.read_raw(&mut text).ok()?;
    let text = String::from_utf8_lossy(&text[..n]);
    let (mut compressed, mut uncompressed) = (0u64, 0u64);
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        let value = |prefix: &str| -> Option<u64> {
            let head = line.get(..prefix.len())?;
            head.eq_ignore_ascii_case(prefix).then(|| scan_uint(&line[prefix.len()..]))
        };
        if let Some(v) = value("compressed_size=") {
            compressed = v;
        } else if let Some(v) = value("uncompressed_size=") {
            uncompressed = v;
        }
    }
    Some((compressed, uncompressed))
}

/// `CPLScanUIntBig`: leading digits, 0 if none.
fn scan_uint(s: &str) -> u64 {
    let s = s.trim_start();
    s.bytes().take_while(u8::is_ascii_digit).fold(0u64, |v, d| v.wrapping_mul(10).wrapping_add(u64::from(d - b'0')))
}

fn open_inner(path: &str, access: &str) -> Result<Box<dyn Handle>> {
    if path.len() >= crate::MAX_PATH_LEN {
        return Err(Error::new(ErrorKind::InvalidInput, format!("path too long ({} bytes)", path.len()))
            .with_errno(libc::ENAMETOOLONG));
    }
    vfs::handler_for(path).open(path, &OpenOptions::new(access))
}

fn base_of(path: &str) -> Result<&str> {
    match path.get(PREFIX.len()..) {
        Some(b) if !b.is_empty() => Ok(b),
        _ => Err(Error::not_found(path)),
    }
}

fn not_supported(message: &str) -> Error {
    Error::new(ErrorKind::Unsupported, message).with_cpl(cple::NOT_SUPPORTED)
}

/// A read handle: GDAL's seek/EOF semantics over the stream.
struct GzipReader {
    cursor: ReadCursor<Arc<GzipFile>>,
}

impl Handle for GzipReader {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        *self.cursor.source().last_error.lock() = None;
        let start = self.cursor.tell();
        let n = self.cursor.read(buf)?;
        if n < buf.len() && self.cursor.error() {
            // As GDAL, a read cut short by bad data raises the error now,
            // with the bytes before it.
            if let Some(e) = self.cursor.source().last_error.lock().take() {
                e.report();
            }
        }
        if self.cursor.eof() && !buf.is_empty() {
            // GDAL's decompressing handles: a short read leaves EOF unset
            // (only a read returning nothing sets it), and a read past the
            // end moves the offset back to the end.
            if n > 0 {
                self.cursor.seek(start + n as u64, Whence::Set)?;
            } else if let Some(end) = self.cursor.source().reader.index().uncompressed_len() {
                if start > end {
                    self.cursor.seek(end, Whence::Set)?;
                    self.cursor.read(&mut [0u8; 1])?;
                }
            }
        }
        Ok(n)
    }
    fn write(&mut self, _buf: &[u8]) -> Result<usize> {
        Err(not_supported("VSIFWriteL is not supported on buffer reader streams"))
    }
    fn seek(&mut self, offset: u64, whence: Whence) -> Result<()> {
        if whence == Whence::End {
            // The end of the data, whatever the offset (as GDAL).
            let size = uncompressed_size(self.cursor.source())?;
            return self.cursor.seek(size, Whence::Set);
        }
        self.cursor.seek(offset, whence)
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
        self.cursor.source().inner.close()
    }
    fn read_multi_range(&mut self, ranges: &mut [(u64, &mut [u8])]) -> Result<()> {
        self.cursor.read_multi_range(ranges)
    }
}

/// Where compressed bytes go: the underlying handle, failures remembered.
struct Sink {
    inner: Box<dyn Handle>,
    failed: bool,
}

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut done = 0;
        while done < buf.len() {
            match self.inner.write(&buf[done..]) {
                Ok(0) | Err(_) => {
                    self.failed = true;
                    return Err(std::io::Error::other("write to the underlying file failed"));
                }
                Ok(n) => done += n,
            }
        }
        Ok(done)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

enum Encoder {
    Gzip(flate2::write::DeflateEncoder<Sink>),
    Zlib(flate2::write::ZlibEncoder<Sink>),
}

/// A write handle: sequential compression into the underlying file.
struct GzipWriter {
    encoder: Option<Encoder>,
    crc: flate2::Crc,
    written: u64,
    failed: bool,
}

impl GzipWriter {
    fn new(mut inner: Box<dyn Handle>, zlib: bool) -> GzipWriter {
        let level = flate2::Compression::new(6);
        let mut failed = false;
        let encoder = if zlib {
            Encoder::Zlib(flate2::write::ZlibEncoder::new(Sink { inner, failed: false }, level))
        } else {
            const HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
            failed = !matches!(inner.write(&HEADER), Ok(10));
            Encoder::Gzip(flate2::write::DeflateEncoder::new(Sink { inner, failed: false }, level))
        };
        GzipWriter { encoder: Some(encoder), crc: flate2::Crc::new(), written: 0, failed }
    }
}

impl Handle for GzipWriter {
    fn read(&mut self, _buf: &mut [u8]) -> Result<usize> {
        Err(not_supported("VSIFReadL is not supported on GZip write streams"))
    }
    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        let ok = match self.encoder.as_mut() {
            Some(Encoder::Gzip(e)) => e.write_all(buf).is_ok(),
            Some(Encoder::Zlib(e)) => e.write_all(buf).is_ok(),
            None => false,
        };
        if !ok {
            self.failed = true;
            return Err(Error::new(ErrorKind::Io, "write to the underlying file failed"));
        }
        self.crc.update(buf);
        self.written += buf.len() as u64;
        Ok(buf.len())
    }
    fn seek(&mut self, offset: u64, whence: Whence) -> Result<()> {
        let stays = match whence {
            Whence::Cur | Whence::End => offset == 0,
            Whence::Set => offset == self.written,
        };
        if stays {
            Ok(())
        } else {
            Err(not_supported("Seeking on writable compressed data streams not supported."))
        }
    }
    fn tell(&mut self) -> u64 {
        self.written
    }
    /// Always true, as GDAL's write handles answer.
    fn eof(&self) -> bool {
        true
    }
    fn error(&self) -> bool {
        false
    }
    fn clear_err(&mut self) {}
    fn close(&mut self) -> Result<()> {
        let Some(encoder) = self.encoder.take() else { return Ok(()) };
        let finished = match encoder {
            Encoder::Gzip(e) => e.finish().map(|mut sink| {
                let mut trailer = [0u8; 8];
                trailer[..4].copy_from_slice(&self.crc.sum().to_le_bytes());
                trailer[4..].copy_from_slice(&(self.written as u32).to_le_bytes());
                if sink.write_all(&trailer).is_err() {
                    sink.failed = true;
                }
                sink
            }),
            Encoder::Zlib(e) => e.finish(),
        };
        let closed = match finished {
            Ok(mut sink) => {
                self.failed |= sink.failed;
                sink.inner.close()
            }
            Err(_) => {
                self.failed = true;
                Ok(())
            }
        };
        closed?;
        if self.failed {
            return Err(Error::new(ErrorKind::Io, "writing the compressed file failed"));
        }
        Ok(())
    }
}

impl FileSystem for GzipFs {
    fn open(&self, path: &str, options: &OpenOptions) -> Result<Box<dyn Handle>> {
        let base = base_of(path)?;
        if options.access.contains('w') {
            if options.access.contains('+') {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    "Write+update (w+) not supported for /vsigzip, only read-only or write-only.",
                )
                .with_cpl(cple::APP_DEFINED));
            }
            let inner = open_inner(base, "wb")?;
            return Ok(Box::new(GzipWriter::new(inner, options.access.contains('z'))));
        }
        let file = self.open_gzip(base)?;
        Ok(Box::new(GzipReader { cursor: ReadCursor::new(Arc::new(file)) }))
    }

    fn stat(&self, path: &str, flags: StatFlags) -> Result<Metadata> {
        let base = base_of(path)?;
        let mut meta = crate::stat_ex(base, flags)?;
        // As GDAL, a size found earlier is reported whatever the flags.
        if let Some(size) = known_size(base, &meta) {
            return Ok(with_size(meta, size));
        }
        if !flags.has(StatFlags::SIZE) {
            return Ok(meta);
        }
        let file = self.open_gzip(base)?;
        let size = (|| {
            if let Some(n) = file.reader.index().uncompressed_len() {
                return Ok(n);
            }
            if let Some((compressed, uncompressed)) = read_properties(base) {
                if compressed == file.key.size {
                    self.set_hint(&file.key, uncompressed);
                    return Ok(uncompressed);
                }
            }
            uncompressed_size(&file)
        })();
        let _ = file.inner.close();
        meta = with_size(meta, size?);
        Ok(meta)
    }

    fn read_dir(&self, path: &str, _max_files: usize) -> Result<Vec<String>> {
        Err(Error::new(ErrorKind::NotADirectory, format!("{path}: /vsigzip/ has no directories")).with_errno(libc::ENOTDIR))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_are_read_as_gdal_reads_them() {
        crate::mem::write_file("/vsimem/gzip_unit/a.gz.properties", b"COMPRESSED_SIZE= 12\nuncompressed_size=345x\nother=1\n")
            .unwrap();
        assert_eq!(read_properties("/vsimem/gzip_unit/a.gz"), Some((12, 345)));
        assert_eq!(read_properties("/vsimem/gzip_unit/none.gz"), None);
        assert_eq!(scan_uint("  42abc"), 42);
        assert_eq!(scan_uint("x"), 0);
        crate::rmdir_recursive("/vsimem/gzip_unit").unwrap();
    }

    #[test]
    fn writer_emits_gdal_header_and_trailer() {
        let mut f = crate::File::create("/vsigzip//vsimem/gzip_unit_w/a.gz").unwrap();
        f.write_all(b"hello hello hello").unwrap();
        assert_eq!(f.tell(), 17);
        assert!(f.seek_raw(17, Whence::Set).is_ok());
        assert!(f.seek_raw(3, Whence::Set).is_err());
        f.close().unwrap();
        let bytes = crate::mem::with_bytes("/vsimem/gzip_unit_w/a.gz", |b| b.to_vec()).unwrap();
        assert_eq!(&bytes[..10], &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
        assert_eq!(&bytes[bytes.len() - 4..], &17u32.to_le_bytes());
        let mut d = flate2::read::GzDecoder::new(&bytes[..]);
        let mut s = String::new();
        std::io::Read::read_to_string(&mut d, &mut s).unwrap();
        assert_eq!(s, "hello hello hello");
        crate::rmdir_recursive("/vsimem/gzip_unit_w").unwrap();
    }
}
