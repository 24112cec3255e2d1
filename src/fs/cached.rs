//! `/vsicached?file=<path>&chunk_size=<n>&cache_size=<n>`: any file read
//! through a block cache (GDAL 3.8). Stat and listing go to the file itself.

use crate::error::{Error, ErrorKind, Result};
use crate::io::block_cache::{parse_size, CachedReader, DEFAULT_CACHE_SIZE, DEFAULT_CHUNK_SIZE};
use crate::vfs::{self, FileSystem, Handle, Metadata, OpenOptions, StatFlags};

pub const PREFIX: &str = "/vsicached?";

pub struct CachedFs;

struct Target {
    file: String,
    chunk_size: usize,
    cache_size: usize,
}

fn parse(path: &str) -> Result<Target> {
    let query = path.strip_prefix(PREFIX).unwrap_or("");
    let mut file = None;
    let mut chunk_size = DEFAULT_CHUNK_SIZE;
    let mut cache_size = DEFAULT_CACHE_SIZE;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let bad = || Error::new(ErrorKind::InvalidInput, format!("{PREFIX}: invalid value '{value}' for {key}"));
        match key.as_ref() {
            "file" => file = Some(value.into_owned()),
            "chunk_size" => {
                chunk_size = parse_size(&value).filter(|&n| n > 0 && n < 1 << 30).ok_or_else(bad)? as usize
            }
            "cache_size" => cache_size = parse_size(&value).ok_or_else(bad)? as usize,
            other => crate::error::cpl_error(
                crate::error::ErrorClass::Warning,
                crate::error::cple::APP_DEFINED,
                &format!("Unsupported option '{other}' in {PREFIX}"),
            ),
        }
    }
    let file = file.ok_or_else(|| {
        Error::new(ErrorKind::InvalidInput, format!("Missing 'file' option in {path}")).with_errno(libc::ENOENT)
    })?;
    Ok(Target { file, chunk_size, cache_size })
}

impl FileSystem for CachedFs {
    fn open(&self, path: &str, options: &OpenOptions) -> Result<Box<dyn Handle>> {
        if !options.is_read_only() {
            return Err(Error::new(ErrorKind::InvalidInput, format!("{PREFIX} only supports read-only access"))
                .with_errno(libc::EACCES));
        }
        let t = parse(path)?;
        let base = vfs::handler_for(&t.file).open(&t.file, &OpenOptions::new("rb"))?;
        CachedReader::wrap_with(base, t.chunk_size, t.cache_size)
    }

    fn stat(&self, path: &str, flags: StatFlags) -> Result<Metadata> {
        let t = parse(path)?;
        vfs::handler_for(&t.file).stat(&t.file, flags)
    }

    fn read_dir(&self, path: &str, max_files: usize) -> Result<Vec<String>> {
        let t = parse(path)?;
        vfs::handler_for(&t.file).read_dir(&t.file, max_files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_url_decoded_and_checked() {
        let t = parse("/vsicached?file=%2Fvsimem%2Fa%20b&chunk_size=64KB&cache_size=1MB").unwrap();
        assert_eq!(t.file, "/vsimem/a b");
        assert_eq!(t.chunk_size, 65536);
        assert_eq!(t.cache_size, 1 << 20);
        assert!(parse("/vsicached?chunk_size=1").is_err(), "file is mandatory");
        assert!(parse("/vsicached?file=x&chunk_size=2GB").is_err());
    }
}
