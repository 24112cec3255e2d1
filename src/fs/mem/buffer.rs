//! The bytes of one `/vsimem/` file: a malloc'd (or caller-provided) block.
//!
//! The block comes from libc's allocator because it crosses the C boundary
//! both ways: `VSIFileFromMemBuffer(..., TRUE)` hands us a malloc'd buffer
//! that we must release with `free`, and `VSIGetMemFileBuffer(..., TRUE)`
//! hands ours to a caller who releases it with `VSIFree`.

use std::ptr;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{cple, Error, ErrorKind, Result};

/// Bytes currently allocated by owned `/vsimem/` buffers, process-wide.
pub(super) static BYTES_ALLOCATED: AtomicU64 = AtomicU64::new(0);
/// Sum of the lengths of all `/vsimem/` files, process-wide.
pub(super) static BYTES_USED: AtomicU64 = AtomicU64::new(0);

/// Large buffers get transparent huge pages: writing a fresh 1 GiB file is
/// bound by page faults, and 2 MiB pages take 512 times fewer of them.
const HUGE_PAGE_THRESHOLD: usize = 4 << 20;

pub struct MemBuffer {
    ptr: *mut u8,
    len: usize,
    cap: usize,
    /// We free the block (it came from malloc); otherwise the caller keeps
    /// it alive and the file cannot grow past `cap`.
    owned: bool,
    /// `||maxlength=N`: the file may not grow beyond this.
    max_len: u64,
}

// SAFETY: the block is plain bytes, only touched under the file's lock.
unsafe impl Send for MemBuffer {}
unsafe impl Sync for MemBuffer {}

impl MemBuffer {
    pub fn new(max_len: u64) -> MemBuffer {
        MemBuffer { ptr: ptr::null_mut(), len: 0, cap: 0, owned: true, max_len }
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
        MemBuffer { ptr, len, cap: len, owned, max_len: u64::MAX }
    }

    pub fn len(&self) -> usize {
        self.len
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
            self.set_len(end)?;
        }
        // SAFETY: set_len made [offset, end) part of the block.
        unsafe { ptr::copy_nonoverlapping(data.as_ptr(), self.ptr.add(offset as usize), data.len()) };
        Ok(())
    }

    /// Grows (zero-filled) or shrinks the file.
    pub fn set_len(&mut self, new_len: u64) -> Result<()> {
        if new_len > self.max_len {
            return Err(Error::new(ErrorKind::Unsupported, "Maximum file size reached!")
                .with_cpl(cple::NOT_SUPPORTED));
        }
        let new_len = usize::try_from(new_len)
            .map_err(|_| Error::new(ErrorKind::OutOfMemory, "Cannot extend in-memory file").with_cpl(cple::OUT_OF_MEMORY))?;
        if new_len > self.cap {
            self.reserve(new_len)?;
        }
        let old_len = self.len;
        if new_len > old_len {
            // Bytes past the length may hold data from before a shrink.
            // SAFETY: [old_len, new_len) is inside the block.
            unsafe { ptr::write_bytes(self.ptr.add(old_len), 0, new_len - old_len) };
            BYTES_USED.fetch_add((new_len - old_len) as u64, Ordering::Relaxed);
        } else {
            if !self.owned {
                // GDAL zeroes the cut tail of a caller's buffer; callers see it.
                // SAFETY: [new_len, old_len) is inside the block.
                unsafe { ptr::write_bytes(self.ptr.add(new_len), 0, old_len - new_len) };
            }
            BYTES_USED.fetch_sub((old_len - new_len) as u64, Ordering::Relaxed);
        }
        self.len = new_len;
        Ok(())
    }

    fn reserve(&mut self, needed: usize) -> Result<()> {
        if !self.owned {
            return Err(Error::new(
                ErrorKind::Unsupported,
                "Cannot extend in-memory file whose ownership was not transferred",
            )
            .with_cpl(cple::NOT_SUPPORTED));
        }
        // A first allocation is exact (the common write-once small file);
        // later ones grow by half so streaming writes realloc rarely.
        let new_cap = if self.cap == 0 { needed } else { needed.max(self.cap.saturating_add(self.cap / 2)) };
        // SAFETY: ptr is null or a block from malloc/realloc.
        let p = unsafe { libc::realloc(self.ptr.cast(), new_cap) } as *mut u8;
        if p.is_null() {
            return Err(Error::new(ErrorKind::OutOfMemory, format!("Cannot extend in-memory file to {needed} bytes"))
                .with_cpl(cple::OUT_OF_MEMORY));
        }
        if new_cap >= HUGE_PAGE_THRESHOLD {
            advise_huge_pages(p, new_cap);
        }
        BYTES_ALLOCATED.fetch_add((new_cap - self.cap) as u64, Ordering::Relaxed);
        self.ptr = p;
        self.cap = new_cap;
        Ok(())
    }

    /// Hands the block out (for `VSIGetMemFileBuffer` with seize), leaving
    /// this buffer empty. Returns the pointer, its length, and whether the
    /// receiver now owns it.
    pub fn take(&mut self) -> (*mut u8, usize, bool) {
        let out = (self.ptr, self.len, self.owned);
        BYTES_USED.fetch_sub(self.len as u64, Ordering::Relaxed);
        if self.owned {
            BYTES_ALLOCATED.fetch_sub(self.cap as u64, Ordering::Relaxed);
        }
        self.ptr = ptr::null_mut();
        self.len = 0;
        self.cap = 0;
        self.owned = true;
        out
    }
}

impl Drop for MemBuffer {
    fn drop(&mut self) {
        let (p, _, owned) = self.take();
        if owned && !p.is_null() {
            // SAFETY: owned blocks come from malloc.
            unsafe { libc::free(p.cast()) };
        }
    }
}

fn advise_huge_pages(p: *mut u8, len: usize) {
    const HUGE: usize = 2 << 20;
    let start = (p as usize).next_multiple_of(HUGE);
    let end = (p as usize + len) & !(HUGE - 1);
    if end > start {
        // SAFETY: the range lies inside our allocation; advice never changes
        // its contents.
        unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn max_length_is_enforced() {
        let mut b = MemBuffer::new(4);
        assert!(b.write_at(0, b"1234").is_ok());
        assert!(b.write_at(4, b"5").is_err());
        assert_eq!(b.len(), 4);
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
