//! libvsi: GDAL's VSI*L virtual file system, in Rust.
//!
//! This crate is the safe Rust API; the C face (`capi`, exported from
//! `libvsi.so` with GDAL's names) is a thin translation of it.
//!
//! ```
//! use std::io::{Read, Write};
//! let mut f = vsi::File::create("/vsimem/doc/hello.txt").unwrap();
//! f.write_all(b"hello").unwrap();
//! f.close().unwrap();
//! let mut s = String::new();
//! vsi::File::open("/vsimem/doc/hello.txt").unwrap().read_to_string(&mut s).unwrap();
//! assert_eq!(s, "hello");
//! assert_eq!(vsi::stat("/vsimem/doc/hello.txt").unwrap().size, 5);
//! vsi::rmdir_recursive("/vsimem/doc").unwrap();
//! ```

pub mod capi;
pub mod config;
pub mod error;
pub mod fs;
pub mod io;
pub mod net;
pub mod rawstr;
mod ops;
pub mod vfs;

use std::sync::Arc;

pub use error::{Error, ErrorKind, Result};
/// `/vsimem/` helpers: stats, seizing buffers, zero-copy access.
pub use fs::mem;
pub use ops::*;
pub use vfs::{DirEntry, Metadata, RangeStatus, StatFlags, WalkOptions, Whence};

/// Fills the registry with the built-in handlers; `vfs` calls this once.
pub(crate) fn install_builtin_handlers(reg: &mut vfs::Registry) {
    reg.add("", Arc::new(fs::local::LocalFs));
    reg.add("/vsimem/", fs::mem::global());
    reg.add(fs::crypt::PREFIX, Arc::new(fs::crypt::CryptFs));
    let stdin = Arc::new(fs::stdio::StdinFs);
    reg.add(fs::stdio::STDIN_PREFIX, stdin.clone());
    reg.add(fs::stdio::STDIN_QUERY_PREFIX, stdin);
    reg.add(fs::stdio::STDOUT_PREFIX, Arc::new(fs::stdio::StdoutFs));
    reg.add(fs::stdio::REDIRECT_PREFIX, Arc::new(fs::stdio::StdoutRedirectFs));
    reg.add(fs::cached::PREFIX, Arc::new(fs::cached::CachedFs));
    reg.add(fs::subfile::PREFIX, Arc::new(fs::subfile::SubfileFs));
    reg.add(fs::sparse::PREFIX, Arc::new(fs::sparse::SparseFs));
    reg.add(fs::gzip::PREFIX, Arc::new(fs::gzip::GzipFs));
    reg.add(fs::zip::PREFIX, Arc::new(fs::zip::new_fs()));
    reg.add(fs::tar::PREFIX, Arc::new(fs::tar::new_fs()));
    reg.add(fs::curl_streaming::PREFIX, Arc::new(fs::curl_streaming::CurlStreamingFs::new()));
    let curl = Arc::new(fs::curl::new_fs());
    reg.add(fs::curl::PREFIX, curl.clone());
    reg.add(fs::curl::QUERY_PREFIX, curl);
}

/// Paths this long are refused outright, as GDAL does, because some handlers
/// recurse on path components.
pub const MAX_PATH_LEN: usize = 8192;
