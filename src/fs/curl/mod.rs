//! `/vsicurl/`: random access to files served over HTTP, HTTPS, FTP and
//! file://, as GDAL's `cpl_vsil_curl.cpp` does it.
//!
//! Opening a dotted filename lists its directory first (an index page), so
//! a missing file costs one request and a present one no probe; otherwise a
//! HEAD (or GDAL's GET fallbacks) tells size and existence. Reads go through
//! a process-wide cache of chunk-sized blocks keyed by URL: handles of the
//! same URL share it, and a block several threads want is downloaded once.
//! Downloads grow as GDAL's do on sequential reads (up to 128 chunks), and,
//! beyond GDAL, once a reader has read a megabyte sequentially, up to three
//! requests stay in flight ahead of it (within 3/4 of the block cache), so a
//! stream is not one round trip per request.
//!
//! Everything the server sends is checked before it is served: a range
//! answered with other bytes, a body of the wrong length, a 200 that ignored
//! the range, or a transfer cut short is an error, never data.

pub mod cache;
pub mod handle;
pub mod target;

use std::sync::Arc;

use parking_lot::Mutex;

use self::cache::{DirCache, DirList, Exists, FileProp, RegionCache};
use self::handle::{CurlFile, CurlHandle};
pub use self::target::{PREFIX, QUERY_PREFIX};
use crate::error::{vsie, Error, ErrorKind, Result};
use crate::net::{self, listing, stats, CacheOwner, Method, Request};
use crate::vfs::{DirEntry, FileSystem, Handle, Metadata, OpenOptions, StatFlags};

/// State shared by the file system and its open files.
pub struct Shared {
    pub prefix: &'static str,
    pub regions: Arc<RegionCache>,
    pub dirs: Mutex<DirCache>,
}

/// The `/vsicurl/` file system (also serving `/vsicurl?`).
pub struct CurlFs {
    shared: Arc<Shared>,
}

struct Owner(Arc<Shared>);

impl CacheOwner for Owner {
    fn owns(&self, path: &str) -> bool {
        target::strip_prefix(path).is_some() || path == "/vsicurl"
    }

    fn clear_cache(&self) {
        self.0.regions.clear();
        cache::clear_props();
        self.0.dirs.lock().clear();
        cache::reset_tunables();
    }

    fn partial_clear_cache(&self, prefix: &str) {
        let url = target::url_of(prefix);
        self.0.regions.invalidate_prefix(&url);
        cache::invalidate_props_with_prefix(&url);
        self.0.dirs.lock().remove_prefix(prefix);
    }
}

/// The handler to register for both prefixes.
pub fn new_fs() -> CurlFs {
    let shared = Arc::new(Shared {
        prefix: PREFIX,
        regions: Arc::new(RegionCache::new(cache::tunables().max_regions)),
        dirs: Mutex::new(DirCache::default()),
    });
    net::register_cache_owner(Arc::new(Owner(shared.clone())));
    CurlFs { shared }
}

/// `CPL_VSIL_CURL_NON_CACHED`: colon-separated prefixes of files whose data
/// is forgotten when they are closed.
fn allow_cached(path: &str) -> bool {
    crate::config::get("CPL_VSIL_CURL_NON_CACHED")
        .is_none_or(|v| !v.split(':').filter(|p| !p.is_empty()).any(|p| path.starts_with(p)))
}

/// `CPLGetFilename`: after the last `/` or `\`.
fn file_name(path: &str) -> &str {
    path.rfind(['/', '\\']).map_or(path, |i| &path[i + 1..])
}

/// `CPLGetExtension`: after the last `.` of the file name.
fn extension(path: &str) -> &str {
    let name = file_name(path);
    name.rfind('.').map_or("", |i| &name[i + 1..])
}

/// GDAL's comparison of a name with a listing: exact, except that `%XX`
/// escapes compare their hex digits case-insensitively; then once more
/// with the name URL-escaped.
fn is_in_list(list: &[String], name: &str) -> bool {
    fn same(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            if a[i] == b'%' && b[j] == b'%' && i + 2 < a.len() && j + 2 < b.len() {
                if !a[i + 1..i + 3].eq_ignore_ascii_case(&b[j + 1..j + 3]) {
                    return false;
                }
                i += 3;
                j += 3;
                continue;
            }
            if a[i] != b[j] {
                return false;
            }
            i += 1;
            j += 1;
        }
        i == a.len() && j == b.len()
    }
    if list.iter().any(|n| same(n, name)) {
        return true;
    }
    let escaped = net::percent_encode(name);
    escaped != name && list.iter().any(|n| same(n, &escaped))
}

/// A failure GDAL reports with no VSI error at all.
fn silent_not_found(path: &str) -> Error {
    Error::not_found(path).with_vsi_code(vsie::NONE)
}

impl CurlFs {
    fn skip_read_dir(&self, path: &str, t: &target::Target, open_option: Option<&str>, cache: bool) -> bool {
        let opt = open_option
            .map(str::to_string)
            .or_else(|| net::options::path_option(path, "GDAL_DISABLE_READDIR_ON_OPEN"))
            .unwrap_or_else(|| "NO".to_string());
        !t.list_dir || t.empty_dir || opt.eq_ignore_ascii_case("EMPTY_DIR") || crate::config::parse_bool(&opt) || !cache
    }

    fn new_file(&self, path: &str, t: target::Target, cache: bool) -> Arc<CurlFile> {
        Arc::new(CurlFile::new(self.shared.clone(), path, t, cache))
    }

    /// GDAL's `ReadDirInternal`: the names in `dir` and whether the server
    /// gave a listing. `log` names the file the requests are made for.
    fn read_dir_internal(&self, dir: &str, max_files: usize, log: Option<&str>) -> (Vec<String>, bool) {
        let mut d = dir.to_string();
        // a/b/../c -> a/c (once)
        if let Some(p) = d.find("/..").filter(|&p| p >= 1) {
            if let Some(q) = d[..p].rfind('/').filter(|&q| q >= 1) {
                d.replace_range(q..p + 3, "");
            }
        }
        let original = d.clone();
        if format!("{d}/") == PREFIX {
            d.push('/');
        } else if d != PREFIX {
            while d.ends_with('/') {
                d.pop();
            }
        }
        if d.len() < PREFIX.len() {
            return (Vec::new(), true);
        }
        let _fs = stats::enter_fs(PREFIX);
        let _action = stats::enter_action("ReadDir");
        // A known regular file has nothing to list.
        if let Some(p) = cache::get_prop(&target::url_of(&d)) {
            if p.exists == Exists::Yes && !p.is_dir {
                if original == d {
                    return (Vec::new(), true);
                }
                if let Some(p2) = cache::get_prop(&format!("{}/", target::url_of(&d))) {
                    if p2.exists == Exists::Yes && !p2.is_dir {
                        return (Vec::new(), true);
                    }
                }
            }
        }
        if let Some(l) = self.shared.dirs.lock().get(&d) {
            return (l.names, l.got_list);
        }
        let (mut names, got) = self.list(&d, max_files, log.unwrap_or(&d));
        if got && names.is_empty() {
            names.push(".".to_string());
        }
        if max_files == 0 || names.len() < max_files {
            self.shared.dirs.lock().set(&d, DirList::new(got, names.clone()));
        }
        (names, got)
    }

    /// GDAL's `GetFileList`: asks the server for the listing of `dir`.
    fn list(&self, dir: &str, max_files: usize, log: &str) -> (Vec<String>, bool) {
        let t = target::parse(dir, false);
        if t.empty_dir {
            return (vec![".".to_string()], true);
        }
        if !t.list_dir || dir.contains(".tiles.mapbox.com") {
            return (Vec::new(), false);
        }
        let url = t.url.clone();
        let options = Arc::new(t.options.clone());
        let log: Arc<str> = Arc::from(log);
        let remember = |entries: &[listing::ListEntry]| {
            for e in entries {
                let key = format!("{url}/{}", e.name);
                let mut p: FileProp = cache::get_prop(&key).unwrap_or_default();
                p.exists = Exists::Yes;
                p.is_dir = e.is_dir;
                p.mtime = e.mtime;
                p.size_known = e.size.is_some();
                p.size = e.size.unwrap_or(0);
                cache::set_prop(&key, &p);
            }
        };
        if url.starts_with("ftp://") {
            let mut req = Request::get(format!("{url}/"), options.clone()).with_log(log.clone(), "list directory");
            let resp = net::send(&mut req);
            let text = String::from_utf8_lossy(&resp.body).into_owned();
            if resp.body.is_empty() {
                return (Vec::new(), false);
            }
            let upper = text.to_ascii_uppercase();
            if upper.starts_with("<!DOCTYPE HTML") || upper.starts_with("<HTML>") {
                return match listing::parse_html(&url, &text, max_files) {
                    Some(e) => {
                        remember(&e);
                        (e.into_iter().map(|e| e.name).collect(), true)
                    }
                    None => (Vec::new(), false),
                };
            }
            let year = net::year_of(now_secs());
            if let Some(e) = listing::parse_ftp(&text, max_files, year) {
                remember(&e);
                return (e.into_iter().map(|e| e.name).collect(), true);
            }
            let mut req = Request::get(format!("{url}/"), options).with_log(log, "list directory (names)");
            req.ftp_list_only = true;
            let resp = net::send(&mut req);
            if resp.body.is_empty() {
                return (Vec::new(), false);
            }
            let e = listing::parse_ftp_names(&String::from_utf8_lossy(&resp.body));
            return (e.into_iter().map(|e| e.name).collect(), true);
        }
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return (Vec::new(), false);
        }
        let mut req = Request::new(Method::Get, format!("{url}/"), options).with_log(log, "list directory");
        let resp = net::send(&mut req);
        if resp.body.is_empty() {
            return (Vec::new(), false);
        }
        let text = String::from_utf8_lossy(&resp.body);
        let parsed = if text.len() >= 5 && text[..5].eq_ignore_ascii_case("<?xml") && text.contains("<ListBucketResult") {
            listing::parse_s3_xml(&text, max_files)
        } else {
            listing::parse_html(&url, &text, max_files)
        };
        match parsed {
            Some(e) => {
                remember(&e);
                (e.into_iter().map(|e| e.name).collect(), true)
            }
            None => (Vec::new(), false),
        }
    }
}

fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

impl FileSystem for CurlFs {
    fn open(&self, path: &str, options: &OpenOptions) -> Result<Box<dyn Handle>> {
        if target::strip_prefix(path).is_none() {
            return Err(silent_not_found(path));
        }
        if options.write {
            return Err(Error::new(ErrorKind::PermissionDenied, "Only read-only mode is supported for /vsicurl")
                .with_errno(libc::EACCES));
        }
        let ignore = options.option("IGNORE_FILENAME_RESTRICTIONS").is_some_and(crate::config::parse_bool);
        if !ignore && !target::is_allowed(path) {
            return Err(silent_not_found(path));
        }
        let t = target::parse(path, true);
        let cache = options.option("CACHE").map_or_else(|| allow_cached(path), crate::config::parse_bool);
        let skip = self.skip_read_dir(path, &t, options.option("DISABLE_READDIR_ON_OPEN"), cache);
        let mut got_list = !skip;
        let mut force_check = false;
        let name = file_name(path);
        let parent = crate::vfs::parent_path(path);
        let known = cache::get_prop(&t.url).is_some_and(|p| p.exists == Exists::Yes);
        if !skip
            && !known
            && name.contains('.')
            && !extension(path).starts_with("zip")
            && !path.ends_with(".nc.zarr")
            && parent.len() > PREFIX.len()
        {
            // 1000: S3's page size, GDAL's limit here.
            const LIMIT: usize = 1000;
            let (list, got) = self.read_dir_internal(&format!("{parent}/"), LIMIT, Some(path));
            got_list = got;
            if got && !is_in_list(&list, name) && list.len() < LIMIT {
                // Some servers ignore case: check the file itself then.
                if list.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                    force_check = true;
                } else {
                    return Err(silent_not_found(path));
                }
            }
        } else if !skip && parent.len() <= PREFIX.len() {
            got_list = false;
        }
        let file = self.new_file(path, t, cache);
        if !got_list || force_check {
            let (exists, err) = file.exists(options.set_error);
            if !exists {
                return Err(err.unwrap_or_else(|| Error::not_found(path)));
            }
        }
        let handle: Box<dyn Handle> = Box::new(CurlHandle::new(file));
        if crate::config::get_bool("VSI_CACHE", false) {
            return crate::io::block_cache::CachedReader::wrap(handle);
        }
        Ok(handle)
    }

    fn stat(&self, path: &str, flags: StatFlags) -> Result<Metadata> {
        if target::strip_prefix(path).is_none() {
            return Err(silent_not_found(path));
        }
        if flags.has(StatFlags::CACHE_ONLY) {
            return match cache::get_prop(&target::url_of(path)) {
                Some(p) if p.exists == Exists::Yes => {
                    let mode = match p.mode {
                        0 if p.is_dir => libc::S_IFDIR,
                        0 => libc::S_IFREG,
                        m => m,
                    };
                    Ok(Metadata { mode, size: p.size, mtime: p.mtime, native: None })
                }
                _ => Err(silent_not_found(path)),
            };
        }
        let _fs = stats::enter_fs(PREFIX);
        let _action = stats::enter_action("Stat");
        if !target::is_allowed(path) {
            return Err(silent_not_found(path));
        }
        let t = target::parse(path, false);
        let skip = self.skip_read_dir(path, &t, None, allow_cached(path));
        if t.url.starts_with("ftp://") && path.ends_with('/') && !skip {
            let (list, got) = self.read_dir_internal(path, 0, None);
            return if got || !list.is_empty() { Ok(Metadata::dir(0)) } else { Err(Error::not_found(path)) };
        }
        let cache = allow_cached(path);
        let file = self.new_file(path, t, cache);
        let set_error = flags.has(StatFlags::SET_ERROR);
        let mut error = None;
        let mut size = 0;
        if file.prop().size_known
            || (flags.has(StatFlags::SIZE) && !file.is_dir() && crate::config::get_bool("CPL_VSIL_CURL_SLOW_GET_SIZE", true))
        {
            size = file.size(true);
        }
        let (exists, err) = file.exists(set_error);
        error = error.or(err);
        let p = file.prop();
        if !cache {
            file.close();
        }
        if !exists {
            return Err(error.unwrap_or_else(|| Error::not_found(path)));
        }
        let mode = if p.mode != 0 {
            p.mode
        } else if p.is_dir {
            libc::S_IFDIR
        } else {
            libc::S_IFREG
        };
        Ok(Metadata { mode, size, mtime: p.mtime, native: None })
    }

    fn read_dir(&self, path: &str, max_files: usize) -> Result<Vec<String>> {
        let (names, got) = self.read_dir_internal(path, max_files, None);
        if names.is_empty() && !got {
            return Err(Error::new(ErrorKind::NotFound, format!("{path}: no directory listing")).with_vsi_code(vsie::NONE));
        }
        Ok(names)
    }

    fn read_dir_entries(&self, path: &str, _name_and_type_only: bool) -> Result<Vec<DirEntry>> {
        let names = self.read_dir(path, 0)?;
        let base = target::url_of(path.trim_end_matches('/'));
        Ok(names
            .into_iter()
            .filter(|n| n != "." && n != "..")
            .map(|name| {
                let p = cache::get_prop(&format!("{base}/{name}")).unwrap_or_default();
                DirEntry {
                    mode: Some(if p.is_dir { libc::S_IFDIR } else { libc::S_IFREG }),
                    size: p.size_known.then_some(p.size),
                    mtime: (p.mtime != 0).then_some(p.mtime),
                    name,
                }
            })
            .collect())
    }
}

/// The request log of a file (its full `/vsicurl/...` name): every request
/// made for it, directory listings made to open it included.
pub fn request_log(path: &str) -> Vec<stats::LogEntry> {
    stats::request_log(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_comparison_like_gdal() {
        let list = vec!["a%2Fb.tif".to_string(), "my%20file.tif".to_string(), "Plain.TXT".to_string()];
        assert!(is_in_list(&list, "a%2fb.tif"), "escapes compare case-insensitively");
        assert!(is_in_list(&list, "my file.tif"), "then the name is escaped");
        assert!(!is_in_list(&list, "plain.txt"), "names compare case-sensitively");
        assert_eq!(extension("/vsicurl/http://h/a.tar.gz"), "gz");
        assert_eq!(file_name("/vsicurl/http://h/d/x.tif"), "x.tif");
    }
}
