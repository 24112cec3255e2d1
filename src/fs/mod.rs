//! The file system handlers, one module each.

pub mod local;
pub mod mem;
