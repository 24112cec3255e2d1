//! The caches of the network file systems: file properties (one LRU for the
//! process, keyed by URL), downloaded regions (chunk-sized blocks keyed by
//! URL and block number, with the downloads in progress so a block is
//! fetched once however many threads want it), and directory listings.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::Arc;

use lru::LruCache;
use once_cell::sync::Lazy;
use parking_lot::{Condvar, Mutex};

use crate::error::{cple, cpl_error, ErrorClass};
use crate::io::block_cache::parse_size;

/// Process-wide tunables, read at first use (and again after a cache clear).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tunables {
    /// `CPL_VSIL_CURL_CHUNK_SIZE`: bytes per block, the smallest download.
    pub chunk: u64,
    /// `CPL_VSIL_CURL_CACHE_SIZE` / chunk: blocks the region cache holds.
    pub max_regions: usize,
}

pub const DEFAULT_CHUNK: u64 = 16384;
const MIN_CHUNK: u64 = 1024;
const MAX_CHUNK: u64 = 10 * 1024 * 1024;

static TUNABLES: Mutex<Option<Tunables>> = Mutex::new(None);

fn warn(message: String) {
    cpl_error(ErrorClass::Warning, cple::APP_DEFINED, &message);
}

pub fn tunables() -> Tunables {
    *TUNABLES.lock().get_or_insert_with(|| {
        let mut chunk = DEFAULT_CHUNK;
        if let Some(v) = crate::config::get("CPL_VSIL_CURL_CHUNK_SIZE") {
            match parse_size(&v) {
                Some(n) => chunk = n,
                None => warn(format!(
                    "Could not parse value for CPL_VSIL_CURL_CHUNK_SIZE. Using default value of {DEFAULT_CHUNK} instead."
                )),
            }
        }
        if !(MIN_CHUNK..=MAX_CHUNK).contains(&chunk) {
            warn(format!(
                "Invalid value for CPL_VSIL_CURL_CHUNK_SIZE. Allowed range is [{MIN_CHUNK}, {MAX_CHUNK}]. Using CPL_VSIL_CURL_CHUNK_SIZE={DEFAULT_CHUNK} instead"
            ));
            chunk = DEFAULT_CHUNK;
        }
        let default_cache = 1000 * DEFAULT_CHUNK;
        let mut cache = default_cache;
        if let Some(v) = crate::config::get("CPL_VSIL_CURL_CACHE_SIZE") {
            match parse_size(&v) {
                Some(n) => cache = n,
                None => warn(format!(
                    "Could not parse value for CPL_VSIL_CURL_CACHE_SIZE. Using default value of {default_cache} instead."
                )),
            }
        }
        let max = (i32::MAX as u64) * chunk;
        if cache < chunk || cache > max {
            cache = cache.clamp(chunk, max);
            warn(format!(
                "Invalid value for CPL_VSIL_CURL_CACHE_SIZE. Allowed range is [{chunk}, {max}]. Using CPL_VSIL_CURL_CACHE_SIZE={cache} instead"
            ));
        }
        Tunables { chunk, max_regions: (cache / chunk).max(1) as usize }
    })
}

/// Forgets the tunables so the next use reads the config options again.
pub fn reset_tunables() {
    *TUNABLES.lock() = None;
}

// ---------------------------------------------------------------------------
// File properties.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Exists {
    #[default]
    Unknown,
    Yes,
    No,
}

/// What is known of a URL (`cpl::FileProp`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileProp {
    pub exists: Exists,
    pub size_known: bool,
    pub size: u64,
    pub is_dir: bool,
    pub is_azure_folder: bool,
    pub mtime: i64,
    /// Permission bits (and type) from `x-ms-permissions`/`x-ms-resource-type`.
    pub mode: u32,
    pub etag: String,
    /// The HTTP status of the probe that found the file missing.
    pub http_code: u32,
    /// Where requests for this URL go instead (a 301, or a signed redirect).
    pub redirect_url: Option<String>,
    /// The redirect is a signed URL valid until this local Unix time.
    pub s3_redirect_until: Option<i64>,
    auth_generation: u64,
}

const PROP_CACHE_SIZE: usize = 100 * 1024;

static PROPS: Lazy<Mutex<LruCache<String, FileProp>>> =
    Lazy::new(|| Mutex::new(LruCache::new(NonZeroUsize::new(PROP_CACHE_SIZE).unwrap())));

/// The cached properties of `url`. A cached "does not exist" is ignored
/// once credentials changed (`VSICurlAuthParametersChanged`).
pub fn get_prop(url: &str) -> Option<FileProp> {
    let mut cache = PROPS.lock();
    let p = cache.get(url)?;
    if p.exists == Exists::No && p.auth_generation != crate::net::auth_generation() {
        return None;
    }
    Some(p.clone())
}

pub fn set_prop(url: &str, prop: &FileProp) {
    let mut p = prop.clone();
    p.auth_generation = crate::net::auth_generation();
    PROPS.lock().put(url.to_string(), p);
}

pub fn invalidate_prop(url: &str) {
    PROPS.lock().pop(url);
}

pub fn invalidate_props_with_prefix(url_prefix: &str) {
    let mut cache = PROPS.lock();
    let keys: Vec<String> = cache.iter().filter(|(k, _)| k.starts_with(url_prefix)).map(|(k, _)| k.clone()).collect();
    for k in keys {
        cache.pop(&k);
    }
}

pub fn clear_props() {
    PROPS.lock().clear();
}

// ---------------------------------------------------------------------------
// Regions.

/// One chunk of a download, shared without copying by the cache and the
/// readers.
#[derive(Clone)]
pub struct Block(Arc<Vec<u8>>);

impl Block {
    pub fn from_vec(v: Vec<u8>) -> Block {
        Block(Arc::new(v))
    }

    /// `data` cut in blocks of `chunk` bytes (one empty block for no data).
    /// Each block gets its own allocation: blocks sharing one download's
    /// buffer would keep all of it alive as long as any one stays cached.
    pub fn split(mut data: Vec<u8>, chunk: usize) -> Vec<Block> {
        if data.len() <= chunk {
            return vec![Block::from_vec(data)];
        }
        let last_start = (data.len() - 1) / chunk * chunk;
        let last = data.split_off(last_start);
        let mut blocks: Vec<Block> = data.chunks(chunk).map(|c| Block::from_vec(c.to_vec())).collect();
        blocks.push(Block::from_vec(last));
        blocks
    }
}

impl std::ops::Deref for Block {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

/// A download in progress of blocks `first..first + count` of a URL.
pub struct InFlight {
    pub first: u64,
    pub count: u64,
    done: Mutex<Option<bool>>,
    cv: Condvar,
}

impl InFlight {
    /// Waits until the download ends; true when it succeeded.
    pub fn wait(&self) -> bool {
        let mut done = self.done.lock();
        while done.is_none() {
            self.cv.wait(&mut done);
        }
        done.unwrap_or(false)
    }

    fn covers(&self, block: u64) -> bool {
        block >= self.first && block < self.first + self.count
    }
}

struct Regions {
    blocks: LruCache<(Arc<str>, u64), Block>,
    in_flight: HashMap<Arc<str>, Vec<Arc<InFlight>>>,
}

/// Chunk-sized blocks of remote files, shared by every handle of the
/// process, with the downloads in progress.
pub struct RegionCache {
    inner: Mutex<Regions>,
}

/// What [`RegionCache::claim`] found.
pub enum Claim {
    /// The block is cached.
    Cached(Block),
    /// Another download will bring the block: wait for it, then look again.
    Wait(Arc<InFlight>),
    /// The caller must download the blocks of this claim.
    Owned(Claimed),
}

/// Blocks the holder promised to download. Dropping it without
/// [`Claimed::finish`] reports a failure to the waiters.
pub struct Claimed {
    cache: Arc<RegionCache>,
    url: Arc<str>,
    flight: Arc<InFlight>,
    finished: bool,
}

impl Claimed {
    pub fn first(&self) -> u64 {
        self.flight.first
    }
    pub fn count(&self) -> u64 {
        self.flight.count
    }

    /// Stores the downloaded bytes (from the claim's first block on) as
    /// blocks of `chunk` bytes and wakes the waiters. Returns the blocks.
    pub fn finish(mut self, chunk: u64, data: Vec<u8>) -> Vec<(u64, Block)> {
        let blocks: Vec<(u64, Block)> =
            Block::split(data, chunk as usize).into_iter().enumerate().map(|(i, b)| (self.flight.first + i as u64, b)).collect();
        self.cache.insert_blocks(&self.url, &blocks);
        self.end(true);
        blocks
    }

    fn end(&mut self, ok: bool) {
        if self.finished {
            return;
        }
        self.finished = true;
        {
            let mut inner = self.cache.inner.lock();
            if let Some(list) = inner.in_flight.get_mut(&self.url) {
                list.retain(|f| !Arc::ptr_eq(f, &self.flight));
                if list.is_empty() {
                    inner.in_flight.remove(&self.url);
                }
            }
        }
        *self.flight.done.lock() = Some(ok);
        self.flight.cv.notify_all();
    }
}

impl Drop for Claimed {
    fn drop(&mut self) {
        self.end(false);
    }
}

impl RegionCache {
    pub fn new(capacity: usize) -> RegionCache {
        RegionCache {
            inner: Mutex::new(Regions {
                blocks: LruCache::new(NonZeroUsize::new(capacity.max(1)).unwrap()),
                in_flight: HashMap::new(),
            }),
        }
    }

    pub fn get(&self, url: &Arc<str>, block: u64) -> Option<Block> {
        self.inner.lock().blocks.get(&(url.clone(), block)).cloned()
    }

    /// Marks a block as the first to evict: a sequential reader is done
    /// with it, and the blocks read ahead of it must stay.
    pub fn demote(&self, url: &Arc<str>, block: u64) {
        self.inner.lock().blocks.demote(&(url.clone(), block));
    }

    pub fn contains(&self, url: &Arc<str>, block: u64) -> bool {
        self.inner.lock().blocks.contains(&(url.clone(), block))
    }

    fn insert_blocks(&self, url: &Arc<str>, blocks: &[(u64, Block)]) {
        let capacity = NonZeroUsize::new(tunables().max_regions.max(1)).unwrap();
        let mut inner = self.inner.lock();
        if inner.blocks.cap() != capacity {
            inner.blocks.resize(capacity);
        }
        for (b, data) in blocks {
            inner.blocks.put((url.clone(), *b), data.clone());
        }
    }

    /// Stores bytes that start at block `first` (a size probe's first bytes).
    pub fn insert(&self, url: &Arc<str>, first: u64, chunk: u64, data: &[u8]) {
        let blocks: Vec<(u64, Block)> = Block::split(data.to_vec(), chunk as usize)
            .into_iter()
            .enumerate()
            .map(|(i, b)| (first + i as u64, b))
            .collect();
        self.insert_blocks(url, &blocks);
    }

    /// Looks up block `first` and, when nobody has or brings it, claims the
    /// download of up to `count` blocks from it, stopping before the first
    /// block that is cached or on its way.
    pub fn claim(self: &Arc<Self>, url: &Arc<str>, first: u64, count: u64) -> Claim {
        let mut inner = self.inner.lock();
        if let Some(b) = inner.blocks.get(&(url.clone(), first)) {
            return Claim::Cached(b.clone());
        }
        let flights = inner.in_flight.get(url).cloned().unwrap_or_default();
        if let Some(f) = flights.iter().find(|f| f.covers(first)) {
            return Claim::Wait(f.clone());
        }
        let mut n = 1;
        while n < count.max(1) {
            let b = first + n;
            if inner.blocks.contains(&(url.clone(), b)) || flights.iter().any(|f| f.covers(b)) {
                break;
            }
            n += 1;
        }
        let flight = Arc::new(InFlight { first, count: n, done: Mutex::new(None), cv: Condvar::new() });
        inner.in_flight.entry(url.clone()).or_default().push(flight.clone());
        Claim::Owned(Claimed { cache: self.clone(), url: url.clone(), flight, finished: false })
    }

    /// The download in progress that brings `block`, if any.
    pub fn in_flight(&self, url: &Arc<str>, block: u64) -> Option<Arc<InFlight>> {
        self.inner.lock().in_flight.get(url).and_then(|l| l.iter().find(|f| f.covers(block)).cloned())
    }

    pub fn invalidate_url(&self, url: &str) {
        let mut inner = self.inner.lock();
        let keys: Vec<(Arc<str>, u64)> =
            inner.blocks.iter().filter(|((u, _), _)| &**u == url).map(|(k, _)| k.clone()).collect();
        for k in keys {
            inner.blocks.pop(&k);
        }
    }

    pub fn invalidate_prefix(&self, url_prefix: &str) {
        let mut inner = self.inner.lock();
        let keys: Vec<(Arc<str>, u64)> =
            inner.blocks.iter().filter(|((u, _), _)| u.starts_with(url_prefix)).map(|(k, _)| k.clone()).collect();
        for k in keys {
            inner.blocks.pop(&k);
        }
    }

    pub fn clear(&self) {
        self.inner.lock().blocks.clear();
    }

    /// Blocks cached (for tests and diagnostics).
    pub fn len(&self) -> usize {
        self.inner.lock().blocks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

// ---------------------------------------------------------------------------
// Directory listings.

#[derive(Debug, Clone, Default)]
pub struct DirList {
    /// The server gave a listing (even an empty one).
    pub got_list: bool,
    pub names: Vec<String>,
    auth_generation: u64,
}

impl DirList {
    pub fn new(got_list: bool, names: Vec<String>) -> DirList {
        DirList { got_list, names, auth_generation: 0 }
    }
}

const DIR_CACHE_DIRS: usize = 1024;
const DIR_CACHE_NAMES: usize = 1024 * 1024;

/// Listings by `/vsi...` directory name (no trailing `/`): at most 1024
/// directories and about a million names; only complete listings.
pub struct DirCache {
    lists: LruCache<String, DirList>,
    names: usize,
}

impl Default for DirCache {
    fn default() -> DirCache {
        DirCache { lists: LruCache::new(NonZeroUsize::new(DIR_CACHE_DIRS).unwrap()), names: 0 }
    }
}

impl DirCache {
    pub fn get(&mut self, dir: &str) -> Option<DirList> {
        let l = self.lists.get(dir)?;
        (l.auth_generation == crate::net::auth_generation()).then(|| l.clone())
    }

    pub fn set(&mut self, dir: &str, mut list: DirList) {
        if let Some(old) = self.lists.pop(dir) {
            self.names -= old.names.len();
        }
        while !self.lists.is_empty() && (self.names + list.names.len() > DIR_CACHE_NAMES || self.lists.len() == DIR_CACHE_DIRS) {
            if let Some((_, old)) = self.lists.pop_lru() {
                self.names -= old.names.len();
            }
        }
        list.auth_generation = crate::net::auth_generation();
        self.names += list.names.len();
        self.lists.put(dir.to_string(), list);
    }

    pub fn remove(&mut self, dir: &str) {
        if let Some(old) = self.lists.pop(dir) {
            self.names -= old.names.len();
        }
    }

    pub fn remove_prefix(&mut self, prefix: &str) {
        let keys: Vec<String> = self.lists.iter().filter(|(k, _)| k.starts_with(prefix)).map(|(k, _)| k.clone()).collect();
        for k in keys {
            self.remove(&k);
        }
    }

    pub fn clear(&mut self) {
        self.lists.clear();
        self.names = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_stops_at_cached_and_in_flight_blocks() {
        let cache = Arc::new(RegionCache::new(100));
        let url: Arc<str> = Arc::from("http://x/a");
        cache.insert(&url, 5, 4, b"abcd");
        let Claim::Owned(c) = cache.claim(&url, 0, 10) else { panic!("expected a claim") };
        assert_eq!((c.first(), c.count()), (0, 5), "stops before the cached block 5");
        let Claim::Wait(w) = cache.claim(&url, 3, 1) else { panic!("expected to wait") };
        let Claim::Owned(c2) = cache.claim(&url, 6, 10) else { panic!() };
        assert_eq!(c2.count(), 10);
        let waiter = std::thread::spawn(move || w.wait());
        let blocks = c.finish(4, b"0123456789abcdefghij".to_vec());
        assert_eq!(&*blocks[4].1, b"ghij");
        assert_eq!(blocks.len(), 5);
        assert!(waiter.join().unwrap());
        assert_eq!(&*cache.get(&url, 4).unwrap(), b"ghij");
        drop(c2);
        assert!(cache.in_flight(&url, 7).is_none(), "a dropped claim is withdrawn");
        let Claim::Cached(b) = cache.claim(&url, 1, 1) else { panic!() };
        assert_eq!(&*b, b"4567");
    }

    #[test]
    fn dir_cache_bounds() {
        let mut d = DirCache::default();
        d.set("/vsicurl/http://h/a", DirList::new(true, vec!["x".into(), "y".into()]));
        assert_eq!(d.get("/vsicurl/http://h/a").unwrap().names.len(), 2);
        d.remove_prefix("/vsicurl/http://h");
        assert!(d.get("/vsicurl/http://h/a").is_none());
        assert_eq!(d.names, 0);
    }
}
