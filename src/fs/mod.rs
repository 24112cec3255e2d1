//! The file system handlers, one module each.

pub mod cached;
pub mod crypt;
pub mod local;
pub mod mem;
pub mod sparse;
pub mod stdio;
pub mod subfile;
