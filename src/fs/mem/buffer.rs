//! The bytes of one `/vsimem/` file, in one contiguous block.
//!
//! Small files live in a block from libc's allocator, because such blocks
//! cross the C boundary both ways: `VSIFileFromMemBuffer(..., TRUE)` hands
//! us a malloc'd buffer that we must release with `free`, and
//! `VSIGetMemFileBuffer(..., TRUE)` hands ours to a caller who releases it
//! with `VSIFree`.
//!
//! Large files live in our own mapping, 2 MiB-aligned and advised to use
//! transparent huge pages. Writing a fresh large file is bound by page
//! faults, and huge pages take 512 times fewer; growing such a mapping with
//! `mremap` to another 2 MiB-aligned address moves whole page-table entries
//! instead of splitting the huge pages, which `realloc` cannot promise
//! (measured here: 0.56 GB/s with realloc + huge pages, 5 GB/s this way).
//! The price: seizing a large buffer copies it once into a malloc'd block.

use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{cple, Error, ErrorKind, Result};

/// Bytes currently allocated (or reserved) by owned `/vsimem/` buffers.
pub(super) static BYTES_ALLOCATED: AtomicU64 = AtomicU64::new(0);
/// Sum of the lengths of all `/vsimem/` files, process-wide.
pub(super) static BYTES_USED: AtomicU64 = AtomicU64::new(0);

/// Files that grow past this move from the heap to a huge-page mapping.
const MAPPED_THRESHOLD: usize = 4 << 20;
const HUGE_PAGE: usize = 2 << 20;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Storage {
    /// From malloc (or lent by a caller when not `owned`).
    Heap,
    /// From `map_aligned`; released with `munmap`.
    Mapped,
}

pub struct MemBuffer {
    ptr: *mut u8,
    len: usize,
    cap: usize,
    storage: Storage,
    /// We release the block; otherwise the caller keeps it alive and the
    /// file cannot grow past `cap`.
    owned: bool,
    /// `||maxlength=N`: the file may not grow beyond this.
    max_len: u64,
    /// Every byte of the block from here to `cap` is known to be zero (the
    /// untouched tail of a fresh mapping), so growing into it needs no
    /// zero-filling: a file truncated up to 10 GiB costs no memory until
    /// written, and appends are a single copy.
    clean_from: usize,
    /// Last modification, seconds since the epoch (u32 lasts until 2106).
    /// The file's bookkeeping lives here, next to its bytes, and packed,
    /// to keep one 80-byte block per file.
    mtime: u32,
    /// The name is gone but a handle keeps the file alive.
    pub unlinked: bool,
}

// SAFETY: the block is plain bytes, only touched under the file's lock.
unsafe impl Send for MemBuffer {}
unsafe impl Sync for MemBuffer {}

impl MemBuffer {
    pub fn new(max_len: u64) -> MemBuffer {
        MemBuffer { ptr: ptr::null_mut(), len: 0, cap: 0, storage: Storage::Heap, owned: true, max_len, clean_from: 0, mtime: 0, unlinked: false }
    }

    /// Wraps a caller's block without copying it.
    ///
    /// # Safety
    /// `ptr` must be valid for `len` bytes for the life of the buffer, and
    /// come from malloc when `owned`.
    pub unsafe fn from_raw(ptr: *mut u8, len: usize, owned: bool) -> MemBuffer {
        BYTES_USED.fetch_add(len as u64, Ordering::Relaxed);
        if owned {
            BYTES_ALLOCATED.fetch_add(len as u64, Ordering::Relaxed);
        }
        MemBuffer { ptr, len, cap: len, storage: Storage::Heap, owned, max_len: u64::MAX, clean_from: len, mtime: 0, unlinked: false }
    }

    pub fn mtime(&self) -> i64 {
        i64::from(self.mtime)
    }

    /// Marks the content as modified now.
    pub fn touch(&mut self) {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        self.mtime = u32::try_from(now).unwrap_or(u32::MAX);
    }

    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    pub fn capacity(&self) -> usize {
        self.cap
    }
    pub fn is_owned(&self) -> bool {
        self.owned
    }
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr
    }
    pub fn as_slice(&self) -> &[u8] {
        if self.ptr.is_null() {
            &[]
        } else {
            // SAFETY: ptr is valid for len initialised bytes.
            unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
        }
    }

    /// Copies bytes from `offset` into `out`; returns how many.
    pub fn read_at(&self, offset: u64, out: &mut [u8]) -> usize {
        let data = self.as_slice();
        if offset >= data.len() as u64 {
            return 0;
        }
        let start = offset as usize;
        let n = out.len().min(data.len() - start);
        out[..n].copy_from_slice(&data[start..start + n]);
        n
    }

    /// Writes `data` at `offset`, growing the file (zero-filling any gap).
    pub fn write_at(&mut self, offset: u64, data: &[u8]) -> Result<()> {
        let end = offset
            .checked_add(data.len() as u64)
            .ok_or_else(|| Error::new(ErrorKind::InvalidInput, "write offset overflows"))?;
        if end > self.len as u64 {
            let end = self.ensure_capacity(end)?;
            let offset = offset as usize;
            if offset > self.len {
                self.zero(self.len, offset);
            }
            self.extend_len(end);
        }
        // SAFETY: [offset, end) lies inside the block and the file.
        unsafe { ptr::copy_nonoverlapping(data.as_ptr(), self.ptr.add(offset as usize), data.len()) };
        Ok(())
    }

    /// Grows (zero-filled) or shrinks the file.
    pub fn set_len(&mut self, new_len: u64) -> Result<()> {
        let old_len = self.len;
        if new_len > old_len as u64 {
            let new_len = self.ensure_capacity(new_len)?;
            self.zero(old_len, new_len);
            self.extend_len(new_len);
        } else {
            let new_len = new_len as usize;
            if !self.owned {
                // GDAL zeroes the cut tail of a caller's buffer; callers see it.
                // SAFETY: [new_len, old_len) is inside the block.
                unsafe { ptr::write_bytes(self.ptr.add(new_len), 0, old_len - new_len) };
            }
            BYTES_USED.fetch_sub((old_len - new_len) as u64, Ordering::Relaxed);
            self.len = new_len;
        }
        Ok(())
    }

    /// Makes room for a file of `size` bytes, within its maximum length.
    fn ensure_capacity(&mut self, size: u64) -> Result<usize> {
        if size > self.max_len {
            return Err(Error::new(ErrorKind::Unsupported, "Maximum file size reached!")
                .with_cpl(cple::NOT_SUPPORTED));
        }
        let size = usize::try_from(size).map_err(|_| too_large(size))?;
        if size > self.cap {
            self.reserve(size)?;
        }
        Ok(size)
    }

    /// Zeroes `[from, to)` of the block, skipping its known-zero tail. Bytes
    /// past the length may hold data from before a shrink.
    fn zero(&mut self, from: usize, to: usize) {
        let to = to.min(self.clean_from);
        if from < to {
            // SAFETY: [from, to) is inside the block.
            unsafe { ptr::write_bytes(self.ptr.add(from), 0, to - from) };
        }
    }

    /// Takes `[len, new_len)` into the file (already zeroed or written).
    fn extend_len(&mut self, new_len: usize) {
        BYTES_USED.fetch_add((new_len - self.len) as u64, Ordering::Relaxed);
        self.len = new_len;
        self.clean_from = self.clean_from.max(new_len);
    }

    fn reserve(&mut self, needed: usize) -> Result<()> {
        if !self.owned {
            return Err(Error::new(
                ErrorKind::Unsupported,
                "Cannot extended in-memory file whose ownership was not transferred",
            )
            .with_cpl(cple::NOT_SUPPORTED));
        }
        // A first allocation is exact (the common write-once small file);
        // later ones grow by half so streaming writes reallocate rarely.
        let grown = if self.cap == 0 { needed } else { needed.max(self.cap.saturating_add(self.cap / 2)) };
        let was_heap = self.storage == Storage::Heap;
        let (p, new_cap, storage) = if grown < MAPPED_THRESHOLD {
            // SAFETY: ptr is null or a heap block from malloc/realloc.
            let p = unsafe { libc::realloc(self.ptr.cast(), grown) } as *mut u8;
            (p, grown, Storage::Heap)
        } else {
            let new_cap = grown.checked_next_multiple_of(HUGE_PAGE).ok_or_else(|| too_large(needed as u64))?;
            (self.grow_mapped(new_cap), new_cap, Storage::Mapped)
        };
        if p.is_null() {
            return Err(too_large(needed as u64));
        }
        BYTES_ALLOCATED.fetch_add((new_cap - self.cap) as u64, Ordering::Relaxed);
        // Heap blocks promise nothing past the length; a fresh mapping is
        // zero past the bytes copied in; a grown mapping adds zero pages.
        self.clean_from = match (storage, was_heap) {
            (Storage::Heap, _) => new_cap,
            (Storage::Mapped, true) => self.len,
            (Storage::Mapped, false) => self.clean_from,
        };
        self.ptr = p;
        self.cap = new_cap;
        self.storage = storage;
        Ok(())
    }

    /// Moves the block into a huge-page mapping of `new_cap` bytes; returns
    /// it, or null (leaving the old block untouched) on failure.
    fn grow_mapped(&mut self, new_cap: usize) -> *mut u8 {
        let dst = map_aligned(new_cap);
        if dst.is_null() {
            return ptr::null_mut();
        }
        match self.storage {
            Storage::Mapped => {
                // SAFETY: both ranges are our mappings; MREMAP_FIXED replaces
                // the fresh reservation at dst with the old pages.
                let moved = unsafe {
                    libc::mremap(self.ptr.cast(), self.cap, new_cap, libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED, dst)
                };
                if moved == libc::MAP_FAILED {
                    unsafe { libc::munmap(dst.cast(), new_cap) };
                    return ptr::null_mut();
                }
            }
            Storage::Heap => {
                // SAFETY: dst holds new_cap >= len bytes; the heap block is
                // ours (owned) and released after the copy.
                unsafe {
                    if self.len > 0 {
                        ptr::copy_nonoverlapping(self.ptr, dst as *mut u8, self.len);
                    }
                    libc::free(self.ptr.cast());
                }
            }
        }
        // SAFETY: advice on our own mapping never changes its contents.
        unsafe { libc::madvise(dst, new_cap, libc::MADV_HUGEPAGE) };
        dst as *mut u8
    }

    /// Hands the block out (for `VSIGetMemFileBuffer` with seize), leaving
    /// this buffer empty. Returns the pointer, its length, and whether the
    /// receiver now owns it (a malloc'd block). A mapped block is copied
    /// into a malloc'd one first, so the receiver can `free` it; `None` if
    /// that allocation fails (the file is then left as it was).
    pub fn take(&mut self) -> Option<(*mut u8, usize, bool)> {
        let out = match self.storage {
            Storage::Heap => (self.ptr, self.len, self.owned),
            Storage::Mapped => {
                // SAFETY: malloc'd block of len bytes (at least 1), filled
                // from our mapping, which is released right after.
                let p = unsafe { libc::malloc(self.len.max(1)) } as *mut u8;
                if p.is_null() {
                    return None;
                }
                unsafe {
                    ptr::copy_nonoverlapping(self.ptr, p, self.len);
                    libc::munmap(self.ptr.cast(), self.cap);
                }
                (p, self.len, true)
            }
        };
        BYTES_USED.fetch_sub(self.len as u64, Ordering::Relaxed);
        if self.owned {
            BYTES_ALLOCATED.fetch_sub(self.cap as u64, Ordering::Relaxed);
        }
        self.ptr = ptr::null_mut();
        self.len = 0;
        self.cap = 0;
        self.clean_from = 0;
        // As GDAL: handles still open on a seized file see it empty and
        // cannot grow it.
        self.owned = false;
        self.storage = Storage::Heap;
        Some(out)
    }
}

impl Drop for MemBuffer {
    fn drop(&mut self) {
        BYTES_USED.fetch_sub(self.len as u64, Ordering::Relaxed);
        if !self.owned || self.ptr.is_null() {
            return;
        }
        BYTES_ALLOCATED.fetch_sub(self.cap as u64, Ordering::Relaxed);
        // SAFETY: owned blocks are released the way they were obtained.
        unsafe {
            match self.storage {
                Storage::Heap => libc::free(self.ptr.cast()),
                Storage::Mapped => {
                    libc::munmap(self.ptr.cast(), self.cap);
                }
            }
        }
    }
}

fn too_large(size: u64) -> Error {
    Error::new(ErrorKind::OutOfMemory, format!("Cannot extend in-memory file to {size} bytes")).with_cpl(cple::OUT_OF_MEMORY)
}

/// Maps `len` bytes (a multiple of the huge page size) at a 2 MiB-aligned
/// address; null on failure.
fn map_aligned(len: usize) -> *mut libc::c_void {
    let Some(span) = len.checked_add(HUGE_PAGE) else { return ptr::null_mut() };
    // SAFETY: an anonymous private mapping; we trim the unaligned ends.
    unsafe {
        let p = libc::mmap(ptr::null_mut(), span, libc::PROT_READ | libc::PROT_WRITE, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0);
        if p == libc::MAP_FAILED {
            return ptr::null_mut();
        }
        let base = p as usize;
        let aligned = base.next_multiple_of(HUGE_PAGE);
        if aligned > base {
            libc::munmap(p, aligned - base);
        }
        let tail = base + span - (aligned + len);
        if tail > 0 {
            libc::munmap((aligned + len) as *mut libc::c_void, tail);
        }
        aligned as *mut libc::c_void
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_file_costs_one_80_byte_block_besides_its_bytes() {
        // Arc counts (16) + lock (8) + the buffer must stay within 72 bytes,
        // glibc's largest request served by an 80-byte chunk.
        assert!(std::mem::size_of::<MemBuffer>() <= 48, "{}", std::mem::size_of::<MemBuffer>());
    }

    #[test]
    fn shrink_then_regrow_exposes_zeros() {
        let mut b = MemBuffer::new(u64::MAX);
        b.write_at(0, b"abcdef").unwrap();
        b.set_len(2).unwrap();
        b.set_len(6).unwrap();
        assert_eq!(b.as_slice(), b"ab\0\0\0\0");
    }

    #[test]
    fn write_past_end_zero_fills_gap() {
        let mut b = MemBuffer::new(u64::MAX);
        b.write_at(4, b"xy").unwrap();
        assert_eq!(b.as_slice(), b"\0\0\0\0xy");
    }

    #[test]
    fn truncating_a_large_file_up_costs_nothing_until_written() {
        let mut b = MemBuffer::new(u64::MAX);
        b.write_at(0, &[9u8; 5 << 20]).unwrap();
        b.set_len(4).unwrap();
        b.set_len(8 << 30).unwrap();
        let mut out = [1u8; 8];
        assert_eq!(b.read_at(0, &mut out), 8);
        assert_eq!(out, [9, 9, 9, 9, 0, 0, 0, 0], "bytes cut by the shrink read back as zero");
        assert_eq!(b.read_at((5 << 20) - 4, &mut out), 8);
        assert_eq!(out, [0; 8]);
        b.write_at((8 << 30) - 2, b"zz").unwrap();
        assert_eq!(b.read_at((8 << 30) - 3, &mut out), 3);
        assert_eq!(&out[..3], b"\0zz");
    }

    #[test]
    fn max_length_is_enforced() {
        let mut b = MemBuffer::new(4);
        assert!(b.write_at(0, b"1234").is_ok());
        assert!(b.write_at(4, b"5").is_err());
        assert_eq!(b.len(), 4);
    }

    #[test]
    fn growth_past_the_heap_threshold_keeps_content_and_take_copies_to_malloc() {
        let mut b = MemBuffer::new(u64::MAX);
        let chunk: Vec<u8> = (0..1_000_003u32).map(|i| (i % 251) as u8).collect();
        let mut off = 0u64;
        for _ in 0..12 {
            b.write_at(off, &chunk).unwrap();
            off += chunk.len() as u64;
        }
        assert!(b.capacity() >= MAPPED_THRESHOLD);
        for i in 0..12 {
            let mut out = vec![0u8; chunk.len()];
            assert_eq!(b.read_at(i * chunk.len() as u64, &mut out), chunk.len());
            assert_eq!(out, chunk);
        }
        let (p, len, owned) = b.take().unwrap();
        assert!(owned);
        assert_eq!(len, 12 * chunk.len());
        let seized = unsafe { std::slice::from_raw_parts(p, len) };
        assert_eq!(&seized[..chunk.len()], &chunk[..]);
        unsafe { libc::free(p.cast()) };
        assert_eq!(b.len(), 0);
    }

    #[test]
    fn borrowed_buffer_cannot_grow_and_shrink_zeroes_it() {
        let mut storage = *b"hello";
        let mut b = unsafe { MemBuffer::from_raw(storage.as_mut_ptr(), 5, false) };
        assert!(b.write_at(3, b"LO").is_ok());
        assert!(b.write_at(4, b"!!").is_err());
        b.set_len(2).unwrap();
        drop(b);
        assert_eq!(&storage, b"he\0\0\0");
    }
}
