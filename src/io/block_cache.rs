//! A read cache of fixed-size blocks over any read-only file: GDAL's
//! `VSICachedFile`, behind `VSI_CACHE`, `/vsicached?` and the Rust API.
//!
//! Each cached file keeps its own LRU of blocks, bounded by its cache size
//! (`VSI_CACHE_SIZE`, 25 MB by default). Beyond GDAL, the option
//! `VSIRS_CACHE_TOTAL_LIMIT` bounds all caches together: a cache that would
//! push the total over it evicts its own oldest blocks first, so thousands
//! of cached files stay within the limit plus at most one block each.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use lru::LruCache;
use parking_lot::Mutex;

use super::{ReadAt, ReadCursor, SharedHandle};
use crate::error::Result;
use crate::vfs::Handle;

/// GDAL's default block size.
pub const DEFAULT_CHUNK_SIZE: usize = 32768;
/// GDAL's default per-file cache size (`VSI_CACHE_SIZE`).
pub const DEFAULT_CACHE_SIZE: usize = 25_000_000;

/// Bytes held by all block caches of the process.
static TOTAL_BYTES: AtomicU64 = AtomicU64::new(0);

/// Bytes currently held by all block caches.
pub fn total_cached_bytes() -> u64 {
    TOTAL_BYTES.load(Ordering::Relaxed)
}

/// The process-wide limit, if one is set.
fn total_limit() -> Option<u64> {
    crate::config::get("VSIRS_CACHE_TOTAL_LIMIT").and_then(|v| parse_size(&v)).filter(|&n| n > 0)
}

/// Reads "25000000", "64KB", "16MB", "1GB" as bytes.
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let upper = t.to_ascii_uppercase();
    let (digits, unit) = if let Some(d) = upper.strip_suffix("GB") {
        (d, 1u64 << 30)
    } else if let Some(d) = upper.strip_suffix("MB") {
        (d, 1 << 20)
    } else if let Some(d) = upper.strip_suffix("KB") {
        (d, 1 << 10)
    } else {
        (upper.as_str(), 1)
    };
    digits.trim().parse::<u64>().ok()?.checked_mul(unit)
}

/// A file read through a block cache.
pub struct CachedReader {
    base: SharedHandle,
    /// Taken once, when the cache is created, as GDAL does.
    size: u64,
    chunk: usize,
    blocks: Mutex<LruCache<u64, Arc<[u8]>>>,
}

impl CachedReader {
    /// Wraps `base` with blocks of `chunk` bytes and at most `cache_size`
    /// bytes cached (at least one block).
    pub fn new(base: Box<dyn Handle>, chunk: usize, cache_size: usize) -> Result<CachedReader> {
        let chunk = chunk.max(1);
        let base = SharedHandle::new(base);
        let size = base.size()?;
        let capacity = NonZeroUsize::new(cache_size.div_ceil(chunk).max(1)).unwrap_or(NonZeroUsize::MIN);
        Ok(CachedReader { base, size, chunk, blocks: Mutex::new(LruCache::new(capacity)) })
    }

    /// Wraps `base` as a read-only handle with GDAL's defaults, or the
    /// `VSI_CACHE_SIZE` option.
    pub fn wrap(base: Box<dyn Handle>) -> Result<Box<dyn Handle>> {
        let cache_size = crate::config::get("VSI_CACHE_SIZE")
            .and_then(|v| parse_size(&v))
            .map_or(DEFAULT_CACHE_SIZE, |n| n as usize);
        Self::wrap_with(base, DEFAULT_CHUNK_SIZE, cache_size)
    }

    pub fn wrap_with(base: Box<dyn Handle>, chunk: usize, cache_size: usize) -> Result<Box<dyn Handle>> {
        Ok(Box::new(ReadCursor::new(CachedReader::new(base, chunk, cache_size)?)))
    }

    fn insert(&self, blocks: &mut LruCache<u64, Arc<[u8]>>, index: u64, data: Arc<[u8]>) {
        let added = data.len() as u64;
        if let Some((_, old)) = blocks.push(index, data) {
            TOTAL_BYTES.fetch_sub(old.len() as u64, Ordering::Relaxed);
        }
        TOTAL_BYTES.fetch_add(added, Ordering::Relaxed);
        if let Some(limit) = total_limit() {
            // Keep the block just inserted; give back our oldest ones.
            while TOTAL_BYTES.load(Ordering::Relaxed) > limit && blocks.len() > 1 {
                if let Some((_, old)) = blocks.pop_lru() {
                    TOTAL_BYTES.fetch_sub(old.len() as u64, Ordering::Relaxed);
                }
            }
        }
    }

    /// Loads blocks `first..=last` that are missing, reading each contiguous
    /// run of missing blocks with one read of the base file.
    fn load(&self, first: u64, last: u64) -> Result<()> {
        let missing: Vec<u64> = {
            let blocks = self.blocks.lock();
            (first..=last).filter(|b| !blocks.contains(b)).collect()
        };
        let mut i = 0;
        while i < missing.len() {
            let mut j = i;
            while j + 1 < missing.len() && missing[j + 1] == missing[j] + 1 {
                j += 1;
            }
            let start = missing[i] * self.chunk as u64;
            let end = ((missing[j] + 1) * self.chunk as u64).min(self.size);
            let mut run = vec![0u8; (end - start) as usize];
            let got = super::read_full_at(&self.base, start, &mut run)?;
            run.truncate(got);
            let mut blocks = self.blocks.lock();
            for (k, piece) in run.chunks(self.chunk).enumerate() {
                self.insert(&mut blocks, missing[i] + k as u64, Arc::from(piece));
            }
            if got < (end - start) as usize {
                break; // the file is shorter than it was: stop at its end
            }
            i = j + 1;
        }
        Ok(())
    }
}

impl ReadAt for CachedReader {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        if buf.is_empty() || offset >= self.size {
            return Ok(0);
        }
        let want = buf.len().min((self.size - offset) as usize);
        let chunk = self.chunk as u64;
        let last = (offset + want as u64 - 1) / chunk;
        let capacity = self.blocks.lock().cap().get() as u64;
        // Under the process-wide limit, load no more at once than it allows.
        let batch = total_limit().map_or(capacity, |l| (l / chunk).clamp(1, capacity));
        // Blocks up to here were loaded by this call: if one is gone, the
        // limit evicted it, and reloading would only evict again.
        let mut loaded_through: Option<u64> = None;
        let mut done = 0;
        while done < want {
            let pos = offset + done as u64;
            let block = pos / chunk;
            let in_block = (pos - block * chunk) as usize;
            let cached = self.blocks.lock().get(&block).cloned();
            let data = match cached {
                Some(d) => d,
                None => {
                    // Load the missing blocks ahead in one run, as many as
                    // the cache can hold.
                    if loaded_through.is_none_or(|l| block > l) {
                        let through = last.min(block + batch - 1);
                        self.load(block, through)?;
                        loaded_through = Some(through);
                    }
                    match self.blocks.lock().get(&block).cloned() {
                        Some(d) => d,
                        // Evicted at once under the process-wide limit:
                        // read this piece straight from the file.
                        None => {
                            let n = (self.chunk - in_block).min(want - done);
                            let got = super::read_full_at(&self.base, pos, &mut buf[done..done + n])?;
                            done += got;
                            if got < n {
                                break;
                            }
                            continue;
                        }
                    }
                }
            };
            if in_block >= data.len() {
                break; // the file shrank under us
            }
            let n = (data.len() - in_block).min(want - done);
            buf[done..done + n].copy_from_slice(&data[in_block..in_block + n]);
            done += n;
        }
        Ok(done)
    }

    fn size(&self) -> Result<u64> {
        Ok(self.size)
    }
}

impl Drop for CachedReader {
    fn drop(&mut self) {
        let held: u64 = self.blocks.get_mut().iter().map(|(_, b)| b.len() as u64).sum();
        TOTAL_BYTES.fetch_sub(held, Ordering::Relaxed);
        let _ = self.base.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_with_units() {
        assert_eq!(parse_size("25000000"), Some(25_000_000));
        assert_eq!(parse_size("64KB"), Some(65536));
        assert_eq!(parse_size("16mb"), Some(16 << 20));
        assert_eq!(parse_size("1GB"), Some(1 << 30));
        assert_eq!(parse_size("x"), None);
    }
}
