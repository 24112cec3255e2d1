//! Random access into deflate streams (raw deflate, and gzip with any number
//! of members): the engine behind `/vsigzip/` and deflated `/vsizip/`
//! members.
//!
//! A deflate stream can only be decoded forwards. To read at an arbitrary
//! offset without starting over, an [`InflateIndex`] records checkpoints as
//! decoding proceeds: at a deflate block boundary, the uncompressed offset,
//! the compressed position in bits, and the 32 KiB window (the history the
//! following blocks may refer to), compressed to bound memory. Resuming from
//! a checkpoint is `inflatePrime` (the bits of a partly consumed byte) plus
//! `inflateSetDictionary` (the window) on a raw inflate stream.
//!
//! * A checkpoint is taken at the first block boundary after every
//!   `spacing` bytes of uncompressed data (512 KiB by default,
//!   `VSIRS_INFLATE_SPACING`; zlib's blocks of text hold 50 to 600 KiB), so
//!   a random 4 KiB read inflates about 300 KiB on average. Each costs its
//!   compressed window, 10 to 20 KB for text. An index that outgrows its
//!   memory limit (`VSIRS_INFLATE_INDEX_LIMIT`, 32 MB by default) drops
//!   every other checkpoint and doubles its spacing, so memory stays
//!   bounded whatever the size of the stream. [`index_memory_bytes`]
//!   reports what all live indexes hold.
//! * The index is built lazily by whichever reader first decodes a region,
//!   and shared (`Arc`) by every reader of the same stream: a second handle
//!   on a file jumps straight to the checkpoints the first one made.
//! * An [`InflateReader`] keeps a few live decoders ("cursors", up to four
//!   between reads), each with the last 128 KiB it produced. A read
//!   continuing where a cursor stopped (sequential reading), or falling in
//!   its recent output (small backward seeks), never goes back to a
//!   checkpoint; several threads sharing one reader each get their own
//!   cursor instead of thrashing one.
//! * Nothing is ever buffered whole: a lying size or a 10 GB bomb costs
//!   time, never unbounded memory. Sizes declared by the container are
//!   checked against the stream, CRCs at the end of each gzip member (and of
//!   a raw stream when the container gives one), and garbage after the last
//!   gzip member is an error (zero padding is ignored).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};

use super::{read_full_at, ReadAt};
use crate::error::{cple, Error, ErrorKind, Result};

/// The deflate window: how far back a match may reach.
const WINDOW: usize = 32 * 1024;
/// Default distance between checkpoints, in uncompressed bytes.
pub const DEFAULT_SPACING: u64 = 512 * 1024;
/// Default memory limit of one index.
pub const DEFAULT_INDEX_LIMIT: u64 = 32 << 20;
/// Compressed bytes read from the source at once.
const IN_CHUNK: usize = 64 * 1024;
/// Recent output kept by each cursor.
const HISTORY: usize = 128 * 1024;
/// What survives of the history when it is full and decoding goes on.
const KEEP: usize = 32 * 1024;
/// Live decoders one reader keeps between reads.
const MAX_CURSORS: usize = 4;

/// Bytes held by all live indexes.
static INDEX_BYTES: AtomicU64 = AtomicU64::new(0);

/// Memory held right now by every live [`InflateIndex`] of the process
/// (checkpoints and their compressed windows).
pub fn index_memory_bytes() -> u64 {
    INDEX_BYTES.load(Ordering::Relaxed)
}

/// How the compressed bytes are framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// A bare deflate stream (RFC 1951), as in zip members.
    RawDeflate,
    /// One or more gzip members (RFC 1952), decoded as one stream: headers
    /// with any flags are skipped, each member's CRC32 and size are checked.
    Gzip,
}

/// A decoded region of the stream could not be read: corrupt data.
fn corrupt(message: String) -> Error {
    Error::new(ErrorKind::Io, message).with_cpl(cple::APP_DEFINED)
}

fn truncated(what: &str, at: u64) -> Error {
    corrupt(format!("truncated compressed data: {what} (compressed offset {at})"))
}

// ---------------------------------------------------------------------------
// A small safe type over zlib's raw inflate.

mod raw {
    use std::ffi::CStr;
    use std::os::raw::c_int;

    use libz_rs_sys as z;

    use crate::error::{Error, ErrorKind, Result};

    pub(super) enum Status {
        /// Progress was made (or the output is full); call again.
        Ok,
        StreamEnd,
        /// No progress possible without more input.
        NeedInput,
        DataError(String),
    }

    pub(super) struct Outcome {
        pub consumed: usize,
        pub produced: usize,
        pub status: Status,
        /// zlib's `data_type`: unused bits in the low 6 bits, 64 after the
        /// last block, 128 at a block boundary.
        pub data_type: i32,
    }

    /// A raw (headerless) inflate stream. The `z_stream` is boxed so its
    /// address never changes while zlib's state refers to it.
    pub(super) struct RawInflate {
        strm: Box<z::z_stream>,
    }

    // SAFETY: the stream exclusively owns its state, and every method takes
    // `&mut self` (or `&self` for a read-only copy of the window).
    unsafe impl Send for RawInflate {}

    impl RawInflate {
        pub fn new() -> Result<RawInflate> {
            let mut strm = Box::new(z::z_stream::default());
            // SAFETY: `strm` is a zeroed z_stream with default allocators;
            // the version and size are those of the library we link.
            let rc = unsafe {
                z::inflateInit2_(&mut *strm, -15, z::zlibVersion(), std::mem::size_of::<z::z_stream>() as c_int)
            };
            if rc != z::Z_OK {
                return Err(Error::new(ErrorKind::OutOfMemory, "cannot initialise an inflate stream"));
            }
            Ok(RawInflate { strm })
        }

        pub fn reset(&mut self) {
            // SAFETY: the stream was initialised by `new`.
            unsafe { z::inflateReset(&mut *self.strm) };
        }

        /// Inserts `bits` (0..=16) low bits of `value` before the next input.
        pub fn prime(&mut self, bits: u32, value: u32) -> bool {
            // SAFETY: the stream was initialised by `new`.
            unsafe { z::inflatePrime(&mut *self.strm, bits as c_int, value as c_int) == z::Z_OK }
        }

        pub fn set_dictionary(&mut self, dict: &[u8]) -> bool {
            // SAFETY: `dict` is a valid slice for the duration of the call.
            unsafe { z::inflateSetDictionary(&mut *self.strm, dict.as_ptr(), dict.len() as u32) == z::Z_OK }
        }

        /// Copies the current window (up to 32 KiB) into `out`; its length.
        pub fn dictionary(&self, out: &mut [u8; super::WINDOW]) -> usize {
            let mut len: u32 = 0;
            // SAFETY: `out` has room for the largest window (32 KiB).
            unsafe { z::inflateGetDictionary(&*self.strm, out.as_mut_ptr(), &mut len) };
            (len as usize).min(super::WINDOW)
        }

        /// Inflates from `input` into `output`; with `block`, stops at the
        /// next deflate block boundary (`Z_BLOCK`).
        pub fn inflate(&mut self, input: &[u8], output: &mut [u8], block: bool) -> Outcome {
            let avail_in = input.len().min(u32::MAX as usize) as u32;
            let avail_out = output.len().min(u32::MAX as usize) as u32;
            let s = &mut *self.strm;
            s.next_in = input.as_ptr();
            s.avail_in = avail_in;
            s.next_out = output.as_mut_ptr();
            s.avail_out = avail_out;
            // SAFETY: next_in/next_out point into live slices of the given
            // lengths for the duration of the call.
            let rc = unsafe { z::inflate(s, if block { z::Z_BLOCK } else { z::Z_NO_FLUSH }) };
            let consumed = (avail_in - s.avail_in) as usize;
            let produced = (avail_out - s.avail_out) as usize;
            let status = match rc {
                z::Z_OK => Status::Ok,
                z::Z_STREAM_END => Status::StreamEnd,
                z::Z_BUF_ERROR => Status::NeedInput,
                z::Z_NEED_DICT => Status::DataError("a preset dictionary is required".into()),
                _ => {
                    let msg = if s.msg.is_null() {
                        format!("inflate error {rc}")
                    } else {
                        // SAFETY: zlib sets msg to a static NUL-terminated string.
                        unsafe { CStr::from_ptr(s.msg) }.to_string_lossy().into_owned()
                    };
                    Status::DataError(msg)
                }
            };
            s.next_in = std::ptr::null();
            s.avail_in = 0;
            s.next_out = std::ptr::null_mut();
            s.avail_out = 0;
            Outcome { consumed, produced, status, data_type: s.data_type }
        }
    }

    impl Drop for RawInflate {
        fn drop(&mut self) {
            // SAFETY: the stream was initialised by `new` and is ended once.
            unsafe { z::inflateEnd(&mut *self.strm) };
        }
    }

    pub(super) fn crc32(crc: u32, data: &[u8]) -> u32 {
        let mut crc = crc as z::uLong;
        for chunk in data.chunks(1 << 30) {
            // SAFETY: `chunk` is a valid slice.
            crc = unsafe { z::crc32(crc, chunk.as_ptr(), chunk.len() as u32) };
        }
        crc as u32
    }
}

use raw::{RawInflate, Status};

// ---------------------------------------------------------------------------
// The index.

/// A window kept with a checkpoint: deflated when that saves memory.
struct PackedWindow {
    data: Box<[u8]>,
    raw_len: u32,
    deflated: bool,
}

enum Resume {
    /// The start of the stream, or of a gzip member (at its header).
    MemberStart,
    /// A deflate block boundary inside a member.
    Block {
        /// CRC32 of the member's output so far.
        crc: u32,
        /// Output of the member so far.
        member_out: u64,
        window: PackedWindow,
    },
}

struct Checkpoint {
    /// Uncompressed offset.
    out: u64,
    /// Compressed position in bits, from the start of the compressed data.
    in_bits: u64,
    resume: Resume,
}

impl Checkpoint {
    fn cost(&self) -> u64 {
        let window = match &self.resume {
            Resume::Block { window, .. } => window.data.len(),
            Resume::MemberStart => 0,
        };
        // The point itself, its Arc counters, its slot in the vector.
        (std::mem::size_of::<Checkpoint>() + 16 + 8 + window) as u64
    }
}

struct IndexState {
    /// Sorted by `out`; the first is always the start of the stream.
    points: Vec<Arc<Checkpoint>>,
    spacing: u64,
    limit: u64,
    bytes: u64,
    /// The uncompressed length, once a reader decoded to the end of the
    /// stream and found it valid.
    end: Option<u64>,
    /// The stream this index describes, fixed by its first reader.
    binding: Option<(Framing, u64)>,
}

/// Checkpoints into one deflate stream, shared by every reader of it.
/// Thread-safe; built lazily as readers decode.
pub struct InflateIndex {
    state: RwLock<IndexState>,
}

impl InflateIndex {
    /// An empty index with the configured spacing and memory limit
    /// (`VSIRS_INFLATE_SPACING`, `VSIRS_INFLATE_INDEX_LIMIT`).
    pub fn new() -> Arc<InflateIndex> {
        let size = |key: &str| crate::config::get(key).and_then(|v| super::block_cache::parse_size(&v)).filter(|&n| n > 0);
        InflateIndex::with_limits(
            size("VSIRS_INFLATE_SPACING").unwrap_or(DEFAULT_SPACING),
            size("VSIRS_INFLATE_INDEX_LIMIT").unwrap_or(DEFAULT_INDEX_LIMIT),
        )
    }

    /// An empty index taking a checkpoint every `spacing` uncompressed
    /// bytes and holding at most about `limit` bytes.
    pub fn with_limits(spacing: u64, limit: u64) -> Arc<InflateIndex> {
        let start = Arc::new(Checkpoint { out: 0, in_bits: 0, resume: Resume::MemberStart });
        let bytes = start.cost();
        INDEX_BYTES.fetch_add(bytes, Ordering::Relaxed);
        Arc::new(InflateIndex {
            state: RwLock::new(IndexState {
                points: vec![start],
                spacing: spacing.max(WINDOW as u64),
                limit,
                bytes,
                end: None,
                binding: None,
            }),
        })
    }

    /// Bytes this index holds.
    pub fn memory_bytes(&self) -> u64 {
        self.state.read().bytes
    }

    /// Checkpoints recorded so far (the start of the stream included).
    pub fn checkpoints(&self) -> usize {
        self.state.read().points.len()
    }

    /// Current distance between checkpoints (grows when the index is
    /// thinned to stay under its memory limit).
    pub fn spacing(&self) -> u64 {
        self.state.read().spacing
    }

    /// The uncompressed length, once some reader decoded the whole stream.
    pub fn uncompressed_len(&self) -> Option<u64> {
        self.state.read().end
    }

    fn bind(&self, framing: Framing, compressed_len: u64) -> Result<()> {
        let mut st = self.state.write();
        match st.binding {
            None => {
                st.binding = Some((framing, compressed_len));
                Ok(())
            }
            Some(b) if b == (framing, compressed_len) => Ok(()),
            Some(b) => Err(Error::new(
                ErrorKind::InvalidInput,
                format!("inflate index built for {b:?} shared with a different stream ({framing:?}, {compressed_len})"),
            )),
        }
    }

    /// The last checkpoint at or before `offset`.
    fn best_before(&self, offset: u64) -> Arc<Checkpoint> {
        let st = self.state.read();
        let i = st.points.partition_point(|p| p.out <= offset);
        st.points[i.saturating_sub(1)].clone()
    }

    /// Where the next checkpoint is due (beyond the last one).
    fn next_due(&self) -> u64 {
        let st = self.state.read();
        if st.end.is_some() {
            return u64::MAX;
        }
        st.points.last().map_or(0, |p| p.out).saturating_add(st.spacing)
    }

    fn add(&self, point: Checkpoint) {
        let mut st = self.state.write();
        let last = st.points.last().map_or(0, |p| p.out);
        // Another reader may have extended the index meanwhile.
        if point.out < last.saturating_add(st.spacing) {
            return;
        }
        let cost = point.cost();
        st.points.push(Arc::new(point));
        st.bytes += cost;
        INDEX_BYTES.fetch_add(cost, Ordering::Relaxed);
        while st.bytes > st.limit && st.points.len() > 2 {
            // Keep the start and every other point; double the spacing.
            let mut freed = 0;
            let mut i = 0;
            st.points.retain(|p| {
                let keep = i % 2 == 0;
                i += 1;
                if !keep {
                    freed += p.cost();
                }
                keep
            });
            st.bytes -= freed;
            st.spacing = st.spacing.saturating_mul(2);
            INDEX_BYTES.fetch_sub(freed, Ordering::Relaxed);
        }
    }

    fn set_end(&self, total: u64) {
        self.state.write().end = Some(total);
    }
}

impl Drop for InflateIndex {
    fn drop(&mut self) {
        INDEX_BYTES.fetch_sub(self.state.get_mut().bytes, Ordering::Relaxed);
    }
}

impl std::fmt::Debug for InflateIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let st = self.state.read();
        f.debug_struct("InflateIndex")
            .field("checkpoints", &st.points.len())
            .field("spacing", &st.spacing)
            .field("bytes", &st.bytes)
            .field("end", &st.end)
            .finish()
    }
}

// ---------------------------------------------------------------------------
// The reader.

/// Uncompressed bytes of a deflate stream, readable at any offset
/// ([`ReadAt`]), from many threads.
pub struct InflateReader {
    source: Arc<dyn ReadAt>,
    start: u64,
    compressed_len: u64,
    framing: Framing,
    declared_len: Option<u64>,
    expected_crc: Option<u32>,
    index: Arc<InflateIndex>,
    pool: Mutex<Pool>,
}

struct Pool {
    idle: Vec<Cursor>,
    clock: u64,
}

impl InflateReader {
    /// Reads the `compressed_len` bytes at `start` of `source` as
    /// `framing`. `uncompressed_len`, when the container declares it, is
    /// the size reported and checked against the stream (a stream ending
    /// sooner or later is an error). `index` is shared by every reader of
    /// the same stream (and must not be used for another one).
    ///
    /// For gzip, fails at once when the data does not start with the gzip
    /// magic bytes.
    pub fn new(
        source: Arc<dyn ReadAt>,
        start: u64,
        compressed_len: u64,
        framing: Framing,
        uncompressed_len: Option<u64>,
        index: Arc<InflateIndex>,
    ) -> Result<InflateReader> {
        if framing == Framing::Gzip {
            let mut magic = [0u8; 2];
            let n = if compressed_len >= 2 { read_full_at(&*source, start, &mut magic)? } else { 0 };
            if n < 2 || magic != [0x1f, 0x8b] {
                return Err(Error::new(ErrorKind::InvalidInput, "not in gzip format"));
            }
        }
        index.bind(framing, compressed_len)?;
        Ok(InflateReader {
            source,
            start,
            compressed_len,
            framing,
            declared_len: uncompressed_len,
            expected_crc: None,
            index,
            pool: Mutex::new(Pool { idle: Vec::new(), clock: 0 }),
        })
    }

    /// Also checks the CRC32 of the whole output at the end of a raw
    /// stream (zip members carry it in their headers).
    pub fn with_expected_crc(mut self, crc: u32) -> InflateReader {
        self.expected_crc = Some(crc);
        self
    }

    pub fn index(&self) -> &Arc<InflateIndex> {
        &self.index
    }

    fn checks_crc(&self) -> bool {
        self.framing == Framing::Gzip || self.expected_crc.is_some()
    }

    /// A cursor to serve a read at `offset`: the idle one that gets there
    /// most cheaply, or one restarted from the nearest checkpoint.
    fn take_cursor(&self, offset: u64) -> Result<Cursor> {
        let point = self.index.best_before(offset);
        let recycled = {
            let mut pool = self.pool.lock();
            let mut best: Option<(usize, u64)> = None;
            for (i, c) in pool.idle.iter().enumerate() {
                if let Some(cost) = c.cost_to_reach(offset, point.out) {
                    if best.is_none_or(|(_, b)| cost < b) {
                        best = Some((i, cost));
                    }
                }
            }
            if let Some((i, _)) = best {
                return Ok(pool.idle.swap_remove(i));
            }
            // Restart the least recently used one, keeping its buffers; but
            // keep two, so a reader jumping around does not lose the place
            // of a sequential one.
            if pool.idle.len() < 2 {
                None
            } else {
                let lru = pool.idle.iter().enumerate().min_by_key(|(_, c)| c.last_used).map(|(i, _)| i);
                lru.map(|i| pool.idle.swap_remove(i))
            }
        };
        let mut cursor = match recycled {
            Some(c) => c,
            None => Cursor::new()?,
        };
        cursor.restore(self, &point)?;
        Ok(cursor)
    }

    fn put_back(&self, mut cursor: Cursor) {
        // A failed cursor is not kept: the next read retries from a
        // checkpoint, so a passing I/O error of the source is not sticky.
        if cursor.failed.is_some() {
            return;
        }
        let mut pool = self.pool.lock();
        pool.clock += 1;
        cursor.last_used = pool.clock;
        pool.idle.push(cursor);
        if pool.idle.len() > MAX_CURSORS {
            if let Some(i) = pool.idle.iter().enumerate().min_by_key(|(_, c)| c.last_used).map(|(i, _)| i) {
                pool.idle.swap_remove(i);
            }
        }
    }

    /// Decodes past `limit` or to the end of the stream; the offset reached.
    fn advance(&self, limit: u64) -> Result<u64> {
        let mut cursor = self.take_cursor(limit)?;
        let outcome = cursor.advance(self, limit);
        self.put_back(cursor);
        outcome
    }
}

impl ReadAt for InflateReader {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let mut want = buf.len();
        if let Some(declared) = self.declared_len {
            if offset >= declared {
                // At the end: check the stream really ends there.
                if self.index.uncompressed_len() != Some(declared) {
                    let reached = self.advance(declared)?;
                    if reached != declared {
                        return Err(corrupt(format!(
                            "uncompressed data is longer than its declared size ({declared} bytes)"
                        )));
                    }
                }
                return Ok(0);
            }
            want = want.min(usize::try_from(declared - offset).unwrap_or(usize::MAX));
        }
        if let Some(end) = self.index.uncompressed_len() {
            if offset >= end {
                return Ok(0);
            }
            want = want.min(usize::try_from(end - offset).unwrap_or(usize::MAX));
        }
        let mut cursor = self.take_cursor(offset)?;
        let outcome = cursor.read(self, offset, &mut buf[..want]);
        self.put_back(cursor);
        outcome
    }

    /// The declared size, or the size found by decoding to the end (once:
    /// the index remembers it).
    fn size(&self) -> Result<u64> {
        if let Some(declared) = self.declared_len {
            return Ok(declared);
        }
        if let Some(end) = self.index.uncompressed_len() {
            return Ok(end);
        }
        self.advance(u64::MAX)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// At the header of a gzip member.
    Header,
    Deflate,
    /// At the trailer of a gzip member.
    Trailer,
    Done,
}

/// A live decoder positioned somewhere in the stream.
struct Cursor {
    z: RawInflate,
    input: Box<[u8]>,
    in_pos: usize,
    in_len: usize,
    /// Compressed offset (from the start of the data) of `input[in_len]`.
    next_in: u64,
    /// Uncompressed offset of the next byte to decode.
    out: u64,
    /// The last `hist_len` bytes decoded: `[out - hist_len, out)`.
    hist: Box<[u8]>,
    hist_len: usize,
    phase: Phase,
    crc: u32,
    member_out: u64,
    /// No checkpoint is due before this offset.
    next_due: u64,
    /// Why decoding stopped at `out`.
    failed: Option<Error>,
    last_used: u64,
    window: Box<[u8; WINDOW]>,
    packer: Option<flate2::Compress>,
    unpacker: Option<flate2::Decompress>,
}

impl Cursor {
    fn new() -> Result<Cursor> {
        Ok(Cursor {
            z: RawInflate::new()?,
            input: vec![0u8; IN_CHUNK].into_boxed_slice(),
            in_pos: 0,
            in_len: 0,
            next_in: 0,
            out: 0,
            hist: vec![0u8; HISTORY].into_boxed_slice(),
            hist_len: 0,
            phase: Phase::Done,
            crc: 0,
            member_out: 0,
            next_due: 0,
            failed: None,
            last_used: 0,
            window: Box::new([0u8; WINDOW]),
            packer: None,
            unpacker: None,
        })
    }

    /// Uncompressed bytes to decode before `offset` can be served from
    /// here; `None` when restarting from the checkpoint at `point_out` is
    /// at least as good.
    fn cost_to_reach(&self, offset: u64, point_out: u64) -> Option<u64> {
        let hist_start = self.out - self.hist_len as u64;
        if offset >= hist_start && offset < self.out {
            return Some(0);
        }
        if offset >= self.out && self.phase == Phase::Done {
            return Some(0);
        }
        (offset >= self.out && self.out >= point_out).then(|| offset - self.out)
    }

    /// Compressed offset of the first byte not yet consumed.
    fn in_offset(&self) -> u64 {
        self.next_in - (self.in_len - self.in_pos) as u64
    }

    fn drop_input(&mut self, at: u64) {
        self.in_pos = 0;
        self.in_len = 0;
        self.next_in = at;
    }

    fn restore(&mut self, r: &InflateReader, point: &Checkpoint) -> Result<()> {
        self.failed = None;
        self.out = point.out;
        self.hist_len = 0;
        self.next_due = 0;
        self.z.reset();
        match &point.resume {
            Resume::MemberStart => {
                self.drop_input(point.in_bits / 8);
                self.crc = 0;
                self.member_out = 0;
                self.phase = if r.framing == Framing::Gzip { Phase::Header } else { Phase::Deflate };
            }
            Resume::Block { crc, member_out, window } => {
                let byte = point.in_bits / 8;
                let used = (point.in_bits % 8) as u32;
                if used != 0 {
                    let mut b = [0u8; 1];
                    if read_full_at(&*r.source, r.start + byte, &mut b)? != 1 {
                        return Err(truncated("the data shrank", byte));
                    }
                    if !self.z.prime(8 - used, u32::from(b[0]) >> used) {
                        return Err(Error::new(ErrorKind::Io, "inflatePrime failed"));
                    }
                    self.drop_input(byte + 1);
                } else {
                    self.drop_input(byte);
                }
                let len = window.raw_len as usize;
                if window.deflated {
                    let unpacker = self.unpacker.get_or_insert_with(|| flate2::Decompress::new(false));
                    unpacker.reset(false);
                    let ok = matches!(
                        unpacker.decompress(&window.data, &mut self.hist[..len], flate2::FlushDecompress::Finish),
                        Ok(flate2::Status::StreamEnd)
                    ) && unpacker.total_out() == len as u64;
                    if !ok {
                        return Err(Error::new(ErrorKind::Io, "inflate index: damaged window"));
                    }
                } else {
                    self.hist[..len].copy_from_slice(&window.data);
                }
                if !self.z.set_dictionary(&self.hist[..len]) {
                    return Err(Error::new(ErrorKind::Io, "inflateSetDictionary failed"));
                }
                // The window is the output just before the checkpoint.
                self.hist_len = len;
                self.crc = *crc;
                self.member_out = *member_out;
                self.phase = Phase::Deflate;
            }
        }
        Ok(())
    }

    /// Serves `buf` from `offset`, decoding forward as needed. A failure
    /// after some bytes returns them; the next read reports it.
    fn read(&mut self, r: &InflateReader, offset: u64, buf: &mut [u8]) -> Result<usize> {
        let mut done = 0;
        while done < buf.len() {
            let pos = offset + done as u64;
            let hist_start = self.out - self.hist_len as u64;
            if pos >= hist_start && pos < self.out {
                let from = (pos - hist_start) as usize;
                let n = (self.hist_len - from).min(buf.len() - done);
                buf[done..done + n].copy_from_slice(&self.hist[from..from + n]);
                done += n;
                continue;
            }
            if let Some(e) = &self.failed {
                return if done > 0 { Ok(done) } else { Err(e.clone()) };
            }
            if self.phase == Phase::Done {
                break;
            }
            // Large reads at the decoding point go straight to the caller.
            let direct = pos == self.out && buf.len() - done >= HISTORY / 2;
            let step = if direct { self.step(r, Some(&mut buf[done..])) } else { self.step(r, None) };
            match step {
                Ok(n) if direct => done += n,
                Ok(_) => {}
                Err(e) => self.failed = Some(e),
            }
        }
        Ok(done)
    }

    /// Decodes until `out > limit` or the end; the offset reached.
    fn advance(&mut self, r: &InflateReader, limit: u64) -> Result<u64> {
        while self.out <= limit && self.phase != Phase::Done {
            if let Some(e) = &self.failed {
                return Err(e.clone());
            }
            if let Err(e) = self.step(r, None) {
                self.failed = Some(e);
            }
        }
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        Ok(self.out)
    }

    /// Appends `data` (just decoded elsewhere) to the history.
    fn remember(&mut self, data: &[u8]) {
        if data.len() >= KEEP {
            self.hist[..KEEP].copy_from_slice(&data[data.len() - KEEP..]);
            self.hist_len = KEEP;
            return;
        }
        if self.hist_len + data.len() > HISTORY {
            self.hist.copy_within(self.hist_len - KEEP..self.hist_len, 0);
            self.hist_len = KEEP;
        }
        self.hist[self.hist_len..self.hist_len + data.len()].copy_from_slice(data);
        self.hist_len += data.len();
    }

    /// One unit of progress: a header, a trailer, or one inflate call into
    /// `direct` or the history. Returns the bytes written to `direct`.
    fn step(&mut self, r: &InflateReader, direct: Option<&mut [u8]>) -> Result<usize> {
        match self.phase {
            Phase::Done => Ok(0),
            Phase::Header => {
                let at = self.in_offset();
                if self.out > 0 && self.out >= self.next_due && self.due(r) {
                    r.index.add(Checkpoint { out: self.out, in_bits: at * 8, resume: Resume::MemberStart });
                }
                let body = parse_gzip_header(&*r.source, r.start, at, r.compressed_len)?;
                self.drop_input(body);
                self.z.reset();
                self.crc = 0;
                self.member_out = 0;
                self.phase = Phase::Deflate;
                Ok(0)
            }
            Phase::Trailer => self.trailer(r),
            Phase::Deflate => self.inflate(r, direct),
        }
    }

    /// Whether a checkpoint is due here (asks the index, which other
    /// readers may have extended).
    fn due(&mut self, r: &InflateReader) -> bool {
        let next = r.index.next_due();
        self.next_due = next;
        self.out >= next
    }

    fn inflate(&mut self, r: &InflateReader, direct: Option<&mut [u8]>) -> Result<usize> {
        if self.in_pos == self.in_len {
            // With no input left, inflate may still finish from the bits
            // it holds; it reports no progress if it cannot.
            let left = r.compressed_len.saturating_sub(self.next_in);
            let n = IN_CHUNK.min(usize::try_from(left).unwrap_or(usize::MAX));
            if n > 0 {
                let got = read_full_at(&*r.source, r.start + self.next_in, &mut self.input[..n])?;
                if got == 0 {
                    return Err(truncated("the file is shorter than expected", self.next_in));
                }
                self.in_pos = 0;
                self.in_len = got;
                self.next_in += got as u64;
            }
        }
        let due = self.out >= self.next_due && self.due(r);
        let to_direct = direct.is_some();
        let target: &mut [u8] = match direct {
            Some(d) => d,
            None => {
                if self.hist_len == HISTORY {
                    self.hist.copy_within(HISTORY - KEEP.., 0);
                    self.hist_len = KEEP;
                }
                &mut self.hist[self.hist_len..]
            }
        };
        let o = self.z.inflate(&self.input[self.in_pos..self.in_len], target, due);
        let produced = &target[..o.produced];
        if r.checks_crc() {
            self.crc = raw::crc32(self.crc, produced);
        }
        self.in_pos += o.consumed;
        self.out += o.produced as u64;
        self.member_out += o.produced as u64;
        if to_direct {
            let tail = produced.len().saturating_sub(KEEP);
            let tail = target[tail..o.produced].to_vec();
            self.remember(&tail);
        } else {
            self.hist_len += o.produced;
        }
        match o.status {
            Status::Ok | Status::NeedInput => {
                let boundary = o.data_type & 128 != 0 && o.data_type & 64 == 0;
                if due && boundary {
                    self.checkpoint(r, (o.data_type & 63) as u64);
                }
                if o.consumed == 0 && o.produced == 0 {
                    if self.in_pos < self.in_len {
                        return Err(corrupt(format!("inflate made no progress at compressed offset {}", self.in_offset())));
                    }
                    return Err(truncated("the deflate stream has no end", self.next_in));
                }
                Ok(if to_direct { o.produced } else { 0 })
            }
            Status::StreamEnd => {
                // The stream ends inside the last byte consumed.
                let end_bits = self.in_offset() * 8 - (o.data_type & 63) as u64;
                self.drop_input(end_bits.div_ceil(8));
                if r.framing == Framing::Gzip {
                    self.phase = Phase::Trailer;
                } else if let Err(e) = self.finish(r) {
                    // The bytes of this call are good; the next read fails.
                    self.failed = Some(e);
                }
                Ok(if to_direct { o.produced } else { 0 })
            }
            Status::DataError(msg) => Err(corrupt(format!(
                "corrupt deflate data near compressed offset {} (uncompressed offset {}): {msg}",
                self.in_offset(),
                self.out
            ))),
        }
    }

    /// Records a checkpoint at the block boundary just reached.
    fn checkpoint(&mut self, r: &InflateReader, unused_bits: u64) {
        let Some(in_bits) = (self.in_offset() * 8).checked_sub(unused_bits) else { return };
        let len = self.z.dictionary(&mut self.window);
        let packer = self.packer.get_or_insert_with(|| flate2::Compress::new(flate2::Compression::fast(), false));
        packer.reset();
        let mut packed = Vec::with_capacity(len);
        let deflated = matches!(
            packer.compress_vec(&self.window[..len], &mut packed, flate2::FlushCompress::Finish),
            Ok(flate2::Status::StreamEnd)
        ) && packed.len() < len;
        let window = if deflated {
            PackedWindow { data: packed.into_boxed_slice(), raw_len: len as u32, deflated: true }
        } else {
            PackedWindow { data: self.window[..len].into(), raw_len: len as u32, deflated: false }
        };
        r.index.add(Checkpoint {
            out: self.out,
            in_bits,
            resume: Resume::Block { crc: self.crc, member_out: self.member_out, window },
        });
        self.next_due = r.index.next_due();
    }

    /// Checks a gzip member's trailer and moves to the next member or the
    /// end.
    fn trailer(&mut self, r: &InflateReader) -> Result<usize> {
        let at = self.in_offset();
        let mut t = [0u8; 8];
        let avail = r.compressed_len.saturating_sub(at).min(8) as usize;
        if read_full_at(&*r.source, r.start + at, &mut t[..avail])? < 8 {
            return Err(truncated("the gzip trailer is missing", at));
        }
        let stored_crc = u32::from_le_bytes([t[0], t[1], t[2], t[3]]);
        let stored_size = u32::from_le_bytes([t[4], t[5], t[6], t[7]]);
        if stored_crc != self.crc {
            return Err(Error::new(ErrorKind::Io, format!("CRC error. Got {:X} instead of {:X}", self.crc, stored_crc))
                .with_cpl(cple::FILE_IO));
        }
        if stored_size != self.member_out as u32 {
            return Err(corrupt(format!(
                "gzip member size mismatch: the trailer says {stored_size}, the data has {} bytes (mod 2^32)",
                self.member_out as u32
            )));
        }
        let next = at + 8;
        self.drop_input(next);
        if next >= r.compressed_len {
            return self.finish(r).map(|_| 0);
        }
        let mut magic = [0u8; 2];
        let n = read_full_at(&*r.source, r.start + next, &mut magic[..(r.compressed_len - next).min(2) as usize])?;
        if n == 2 && magic == [0x1f, 0x8b] {
            self.phase = Phase::Header;
            return Ok(0);
        }
        if only_zeros(&*r.source, r.start + next, r.compressed_len - next)? {
            return self.finish(r).map(|_| 0);
        }
        Err(corrupt(format!("trailing garbage after the gzip data at compressed offset {next}")))
    }

    /// The end of the stream: checks what the container declared.
    fn finish(&mut self, r: &InflateReader) -> Result<()> {
        if r.framing == Framing::RawDeflate {
            if let Some(expected) = r.expected_crc {
                if expected != self.crc {
                    return Err(Error::new(ErrorKind::Io, format!("CRC error. Got {:X} instead of {:X}", self.crc, expected))
                        .with_cpl(cple::FILE_IO));
                }
            }
        }
        if let Some(declared) = r.declared_len {
            if declared != self.out {
                return Err(corrupt(format!(
                    "uncompressed size mismatch: {declared} bytes declared, the stream has {}",
                    self.out
                )));
            }
        }
        self.phase = Phase::Done;
        r.index.set_end(self.out);
        Ok(())
    }
}

/// True if the `len` bytes at `offset` are all zero (padding).
fn only_zeros(src: &dyn ReadAt, mut offset: u64, mut len: u64) -> Result<bool> {
    let mut buf = vec![0u8; IN_CHUNK];
    while len > 0 {
        let n = buf.len().min(usize::try_from(len).unwrap_or(usize::MAX));
        let got = read_full_at(src, offset, &mut buf[..n])?;
        if buf[..got].iter().any(|&b| b != 0) {
            return Ok(false);
        }
        if got < n {
            break;
        }
        offset += n as u64;
        len -= n as u64;
    }
    Ok(true)
}

/// Parses the gzip member header at `at` (relative to `base`), which must
/// end by `end`; returns the offset of the deflate data.
fn parse_gzip_header(src: &dyn ReadAt, base: u64, at: u64, end: u64) -> Result<u64> {
    let read = |pos: u64, buf: &mut [u8]| -> Result<()> {
        let avail = end.saturating_sub(pos).min(buf.len() as u64) as usize;
        if read_full_at(src, base + pos, &mut buf[..avail])? < buf.len() {
            return Err(truncated("the gzip header is incomplete", pos));
        }
        Ok(())
    };
    let mut h = [0u8; 10];
    read(at, &mut h)?;
    if h[0] != 0x1f || h[1] != 0x8b {
        return Err(corrupt(format!("not a gzip member at compressed offset {at}")));
    }
    if h[2] != 8 || h[3] & 0xe0 != 0 {
        return Err(corrupt(format!(
            "unsupported gzip header at compressed offset {at} (method {}, flags {:#04x})",
            h[2], h[3]
        )));
    }
    let flags = h[3];
    let mut pos = at + 10;
    if flags & 0x04 != 0 {
        let mut xlen = [0u8; 2];
        read(pos, &mut xlen)?;
        pos += 2 + u64::from(u16::from_le_bytes(xlen));
    }
    for flag in [0x08, 0x10] {
        if flags & flag != 0 {
            // A NUL-terminated name or comment, of any length.
            let mut chunk = [0u8; 512];
            loop {
                let avail = end.saturating_sub(pos).min(chunk.len() as u64) as usize;
                let got = read_full_at(src, base + pos, &mut chunk[..avail])?;
                if got == 0 {
                    return Err(truncated("the gzip header is incomplete", pos));
                }
                if let Some(i) = chunk[..got].iter().position(|&b| b == 0) {
                    pos += i as u64 + 1;
                    break;
                }
                pos += got as u64;
            }
        }
    }
    if flags & 0x02 != 0 {
        pos += 2;
    }
    if pos > end {
        return Err(truncated("the gzip header is incomplete", end));
    }
    Ok(pos)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

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

    /// Seeded words, compressible like text.
    fn text(len: usize, seed: u64) -> Vec<u8> {
        const WORDS: [&str; 12] =
            ["alpha ", "beta ", "gamma ", "delta\n", "raster ", "vector ", "band ", "tile ", "42 ", "3.14 ", "x", "ZZZ "];
        let mut s = seed | 1;
        let mut out = Vec::with_capacity(len + 8);
        while out.len() < len {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            out.extend_from_slice(WORDS[(s % 12) as usize].as_bytes());
            if s % 97 == 0 {
                out.extend_from_slice(&s.to_le_bytes());
            }
        }
        out.truncate(len);
        out
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn deflate(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn reader(data: Vec<u8>, framing: Framing, declared: Option<u64>, index: Arc<InflateIndex>) -> InflateReader {
        let len = data.len() as u64;
        InflateReader::new(Arc::new(Bytes(data)), 0, len, framing, declared, index).unwrap()
    }

    fn read_exact_at(r: &InflateReader, offset: u64, len: usize) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; len];
        let n = read_full_at(r, offset, &mut buf)?;
        buf.truncate(n);
        Ok(buf)
    }

    #[test]
    fn random_reads_match_the_plain_data_and_build_checkpoints() {
        let plain = text(3_000_000, 7);
        let index = InflateIndex::with_limits(64 * 1024, 64 << 20);
        let r = reader(gzip(&plain), Framing::Gzip, None, index.clone());
        assert_eq!(r.size().unwrap(), plain.len() as u64);
        assert!(index.checkpoints() > 8, "{index:?}");
        let mut s = 99u64;
        for _ in 0..300 {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let off = (s >> 11) % plain.len() as u64;
            let len = ((s >> 3) % 70_000) as usize;
            let got = read_exact_at(&r, off, len).unwrap();
            let end = (off as usize + len).min(plain.len());
            assert_eq!(got, &plain[off as usize..end], "at {off} len {len}");
        }
    }

    #[test]
    fn a_second_reader_uses_the_checkpoints_of_the_first() {
        let plain = text(2_000_000, 3);
        let gz = gzip(&plain);
        let index = InflateIndex::with_limits(64 * 1024, 64 << 20);
        let a = reader(gz.clone(), Framing::Gzip, None, index.clone());
        assert_eq!(read_exact_at(&a, 1_900_000, 10).unwrap(), &plain[1_900_000..1_900_010]);
        let made = index.checkpoints();
        assert!(made > 5, "{index:?}");
        let b = reader(gz, Framing::Gzip, None, index.clone());
        assert_eq!(read_exact_at(&b, 1_500_000, 100).unwrap(), &plain[1_500_000..1_500_100]);
        assert_eq!(index.checkpoints(), made, "nothing new to index");
        assert!(index.uncompressed_len().is_none());
    }

    #[test]
    fn raw_deflate_with_a_declared_size() {
        let plain = text(500_000, 11);
        let index = InflateIndex::with_limits(32 * 1024, 64 << 20);
        let r = reader(deflate(&plain), Framing::RawDeflate, Some(plain.len() as u64), index);
        assert_eq!(r.size().unwrap(), 500_000);
        assert_eq!(read_exact_at(&r, 400_000, 200_000).unwrap(), &plain[400_000..]);
        assert_eq!(read_exact_at(&r, 123, 10).unwrap(), &plain[123..133]);
        let crc = raw::crc32(0, &plain);
        let len = plain.len() as u64;
        let good = reader(deflate(&plain), Framing::RawDeflate, Some(len), InflateIndex::new()).with_expected_crc(crc);
        assert_eq!(read_exact_at(&good, 0, 600_000).unwrap(), plain);
        let bad = reader(deflate(&plain), Framing::RawDeflate, Some(len), InflateIndex::new()).with_expected_crc(crc ^ 1);
        let e = read_exact_at(&bad, 0, 600_000).unwrap_err();
        assert!(e.message().starts_with("CRC error"), "{e}");
    }

    #[test]
    fn lying_sizes_are_errors() {
        let plain = text(100_000, 5);
        // Declared longer than the data.
        let r = reader(deflate(&plain), Framing::RawDeflate, Some(150_000), InflateIndex::new());
        let mut buf = vec![0u8; 200_000];
        assert_eq!(r.read_at(0, &mut buf[..100_000]).unwrap(), 100_000);
        let e = r.read_at(100_000, &mut buf).unwrap_err();
        assert!(e.message().contains("size mismatch"), "{e}");
        // Declared shorter: reads stop there, and reaching it is an error.
        let r = reader(deflate(&plain), Framing::RawDeflate, Some(1000), InflateIndex::new());
        assert_eq!(r.read_at(0, &mut buf[..1000]).unwrap(), 1000);
        assert!(r.read_at(1000, &mut buf).is_err());
    }

    #[test]
    fn a_bomb_streams_in_bounded_memory() {
        // 64 MiB of zeros in 16 gzip members of 4 MiB each (64 KiB of gzip).
        let zeros = vec![0u8; 4 << 20];
        let member = gzip(&zeros);
        let gz = member.repeat(16);
        let index = InflateIndex::with_limits(64 * 1024, 600);
        let r = reader(gz, Framing::Gzip, None, index.clone());
        assert_eq!(r.size().unwrap(), 64 << 20);
        assert!(index.memory_bytes() <= 600, "{index:?}");
        assert!(index.spacing() > 64 * 1024, "thinned: {index:?}");
        let got = read_exact_at(&r, (50 << 20) + 5, 10).unwrap();
        assert_eq!(got, vec![0u8; 10]);
        // A small declared size stops a bomb at once.
        let r = reader(deflate(&zeros), Framing::RawDeflate, Some(10), InflateIndex::new());
        let mut buf = [0u8; 100];
        assert_eq!(r.read_at(0, &mut buf).unwrap(), 10);
        assert!(r.read_at(10, &mut buf).unwrap_err().message().contains("longer than its declared size"));
    }

    #[test]
    fn concatenated_members_with_header_fields_and_zero_padding() {
        let a = text(70_000, 1);
        let b = text(90_000, 2);
        let mut gz = gzip(&a);
        // A member with FEXTRA, FNAME, FCOMMENT and FHCRC, built by hand.
        let mut member = vec![0x1f, 0x8b, 8, 0x02 | 0x04 | 0x08 | 0x10, 0, 0, 0, 0, 0, 3];
        member.extend_from_slice(&[3, 0, b'a', b'b', b'c']);
        member.extend_from_slice(b"name.txt\0a comment\0");
        member.extend_from_slice(&[0xaa, 0xbb]);
        member.extend_from_slice(&deflate(&b));
        member.extend_from_slice(&raw::crc32(0, &b).to_le_bytes());
        member.extend_from_slice(&(b.len() as u32).to_le_bytes());
        gz.extend_from_slice(&member);
        gz.extend_from_slice(&gzip(b""));
        gz.extend_from_slice(&[0u8; 1000]);
        let r = reader(gz, Framing::Gzip, None, InflateIndex::with_limits(32 * 1024, 1 << 20));
        let mut all = a.clone();
        all.extend_from_slice(&b);
        assert_eq!(r.size().unwrap(), all.len() as u64);
        assert_eq!(read_exact_at(&r, 0, all.len() + 10).unwrap(), all);
        assert_eq!(read_exact_at(&r, 69_990, 20).unwrap(), &all[69_990..70_010]);
    }

    #[test]
    fn corrupt_truncated_and_garbage_inputs_fail_clearly() {
        let plain = text(200_000, 9);
        let gz = gzip(&plain);
        // CRC mismatch: all data readable, the end reports it.
        let mut bad = gz.clone();
        let n = bad.len();
        bad[n - 8] ^= 0xff;
        let r = reader(bad, Framing::Gzip, None, InflateIndex::new());
        assert_eq!(read_exact_at(&r, 0, 1000).unwrap(), &plain[..1000]);
        let e = r.size().unwrap_err();
        assert!(e.message().starts_with("CRC error. Got"), "{e}");
        assert_eq!(e.cpl_number(), Some(cple::FILE_IO));
        // Truncated.
        let r = reader(gz[..gz.len() / 2].to_vec(), Framing::Gzip, None, InflateIndex::new());
        assert!(r.size().unwrap_err().message().contains("truncated"));
        let mut buf = vec![0u8; 300_000];
        let got = r.read_at(0, &mut buf).unwrap();
        assert!(got > 0 && got < plain.len());
        assert!(r.read_at(got as u64, &mut buf).unwrap_err().message().contains("truncated"));
        // Missing trailer.
        let r = reader(gz[..gz.len() - 3].to_vec(), Framing::Gzip, None, InflateIndex::new());
        assert!(r.size().unwrap_err().message().contains("trailer"));
        // Garbage after the member.
        let mut g = gz.clone();
        g.extend_from_slice(b"garbage!");
        let r = reader(g, Framing::Gzip, None, InflateIndex::new());
        assert!(r.size().unwrap_err().message().contains("trailing garbage"));
        assert_eq!(read_exact_at(&r, 199_000, 1000).unwrap(), &plain[199_000..]);
        // Corrupt deflate data.
        let mut c = gz.clone();
        for b in &mut c[100..140] {
            *b = 0xff;
        }
        let r = reader(c, Framing::Gzip, None, InflateIndex::new());
        let e = r.size().unwrap_err();
        assert!(e.message().contains("corrupt") || e.message().starts_with("CRC"), "{e}");
        // Bad header and not gzip at all.
        let mut h = gz.clone();
        h[3] = 0x80;
        let r = reader(h, Framing::Gzip, None, InflateIndex::new());
        assert!(r.size().unwrap_err().message().contains("unsupported gzip header"));
        assert!(InflateReader::new(Arc::new(Bytes(b"plain".to_vec())), 0, 5, Framing::Gzip, None, InflateIndex::new()).is_err());
        // An FNAME running to the end of the file.
        let mut f = vec![0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 3];
        f.extend_from_slice(&[b'a'; 5000]);
        let r = reader(f, Framing::Gzip, None, InflateIndex::new());
        assert!(r.size().unwrap_err().message().contains("header is incomplete"));
    }

    /// Fails reads past `from` while `broken` is set.
    struct Flaky(Vec<u8>, u64, std::sync::atomic::AtomicBool);
    impl ReadAt for Flaky {
        fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
            if offset >= self.1 && self.2.load(Ordering::Relaxed) {
                return Err(Error::new(ErrorKind::Io, "network down"));
            }
            Bytes(self.0.clone()).read_at(offset, buf)
        }
        fn size(&self) -> Result<u64> {
            Ok(self.0.len() as u64)
        }
    }

    #[test]
    fn a_passing_source_error_is_not_sticky() {
        let plain = text(400_000, 29);
        let gz = gzip(&plain);
        let from = gz.len() as u64 / 2;
        let src = Arc::new(Flaky(gz.clone(), from, std::sync::atomic::AtomicBool::new(true)));
        let r = InflateReader::new(src.clone(), 0, gz.len() as u64, Framing::Gzip, None, InflateIndex::new()).unwrap();
        let e = read_exact_at(&r, 0, plain.len()).unwrap_err();
        assert_eq!(e.message(), "network down");
        src.2.store(false, Ordering::Relaxed);
        assert!(read_exact_at(&r, 0, plain.len()).unwrap() == plain);
    }

    #[test]
    fn random_damage_never_panics_or_hangs() {
        let plain = text(40_000, 23);
        let mut gz = gzip(&plain[..20_000]);
        gz.extend_from_slice(&gzip(&plain[20_000..]));
        let mut s = 5u64;
        for round in 0..400 {
            let mut bad = gz.clone();
            for _ in 0..1 + round % 4 {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let at = (s >> 20) as usize % bad.len();
                bad[at] ^= (s >> 8) as u8 | 1;
            }
            if round % 7 == 0 {
                bad.truncate((s >> 30) as usize % bad.len());
            }
            let Ok(r) = InflateReader::new(
                Arc::new(Bytes(bad.clone())),
                0,
                bad.len() as u64,
                Framing::Gzip,
                None,
                InflateIndex::with_limits(32 * 1024, 1 << 20),
            ) else {
                continue;
            };
            let _ = r.size();
            let mut buf = vec![0u8; 50_000];
            let _ = r.read_at((s >> 40) % 40_000, &mut buf);
            let _ = read_full_at(&r, 0, &mut buf);
        }
    }

    #[test]
    fn the_memory_limit_thins_the_index() {
        let plain = text(4_000_000, 13);
        let index = InflateIndex::with_limits(32 * 1024, 200 * 1024);
        let r = reader(gzip(&plain), Framing::Gzip, None, index.clone());
        assert_eq!(r.size().unwrap(), plain.len() as u64);
        assert!(index.memory_bytes() <= 200 * 1024, "{index:?}");
        assert!(index.spacing() >= 64 * 1024);
        assert!(index_memory_bytes() >= index.memory_bytes(), "counted in the process total");
        assert_eq!(read_exact_at(&r, 3_333_333, 5000).unwrap(), &plain[3_333_333..3_338_333]);
    }

    #[test]
    fn threads_share_one_reader() {
        let plain = Arc::new(text(2_000_000, 21));
        let r = Arc::new(reader(gzip(&plain), Framing::Gzip, None, InflateIndex::with_limits(64 * 1024, 64 << 20)));
        let threads: Vec<_> = (0..4u64)
            .map(|t| {
                let (r, plain) = (r.clone(), plain.clone());
                std::thread::spawn(move || {
                    let mut s = t + 1;
                    for _ in 0..100 {
                        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                        let off = (s >> 11) % plain.len() as u64;
                        let got = read_exact_at(&r, off, 3000).unwrap();
                        let end = (off as usize + 3000).min(plain.len());
                        assert_eq!(got, &plain[off as usize..end]);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    }

    #[test]
    fn sequential_small_reads_and_short_backward_seeks() {
        let plain = text(1_000_000, 17);
        let r = reader(gzip(&plain), Framing::Gzip, None, InflateIndex::new());
        let mut off = 0u64;
        let mut buf = [0u8; 1000];
        while (off as usize) < plain.len() {
            let n = r.read_at(off, &mut buf).unwrap();
            assert_eq!(&buf[..n], &plain[off as usize..off as usize + n]);
            if off > 5000 {
                let back = off - 3000;
                let n = r.read_at(back, &mut buf[..100]).unwrap();
                assert_eq!(&buf[..n], &plain[back as usize..back as usize + 100]);
            }
            off += n as u64;
        }
        assert_eq!(r.read_at(off, &mut buf).unwrap(), 0);
    }
}
