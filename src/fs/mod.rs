//! The file system handlers, one module each.

pub mod cached;
pub mod local;
pub mod mem;
