//! The file system handlers, one module each.

pub mod archive;
pub mod cached;
pub mod crypt;
pub mod curl;
pub mod curl_streaming;
pub mod gzip;
pub mod local;
pub mod mem;
pub mod sparse;
pub mod stdio;
pub mod subfile;
pub mod tar;
pub mod zip;
