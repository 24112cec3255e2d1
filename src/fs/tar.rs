//! `/vsitar/`: reading tar archives (`.tar`, and `.tgz` / `.tar.gz`
//! through the gzip inflater), read-only.
//!
//! Headers are read as GDAL's `VSITarReader` reads them: 512-byte blocks
//! from the start, the first block that fails GDAL's plausibility checks
//! (the zero blocks at the end among them) ending the archive; octal sizes
//! and times; GNU long names (`L`); the ustar name prefix. Beyond GDAL,
//! pax extended headers (`x`) give their `path`, `size` and `mtime` to the
//! member that follows, GNU long link names (`K`) and pax headers are not
//! listed as members, and sizes in GNU base-256 form (members over 8 GiB)
//! are read.
//!
//! A member is a window of the archive (of its decompressed stream for a
//! `.tar.gz`), shared by all handles through the cached listing.

use std::sync::Arc;

use crate::error::{cple, cpl_error, Error, ErrorClass, ErrorKind, Result};
use crate::fs::archive::seq::SeqReader;
use crate::fs::archive::{self, ArchiveFormat, ArchiveFs, ArchiveIndex, ListingBuilder, MemberHandle};
use crate::fs::subfile::Window;
use crate::io::inflate::{Framing, InflateIndex, InflateReader};
use crate::io::{ReadAt, SharedHandle};
use crate::vfs::{Handle, OpenOptions};

pub const PREFIX: &str = "/vsitar/";

const BLOCK: usize = 512;
/// GDAL reads GNU long names up to this size.
const MAX_LONG_NAME: u64 = 32768;
/// Pax extended headers larger than this are skipped, unread.
const MAX_PAX: u64 = 1 << 20;

/// Where a member's bytes are.
pub struct TarMember {
    pub offset: u64,
    pub size: u64,
}

/// The tar format for [`ArchiveFs`].
pub struct TarFormat;

pub type TarFs = ArchiveFs<TarFormat>;

pub fn new_fs() -> TarFs {
    ArchiveFs::new(TarFormat)
}

/// A `.tgz` or `.tar.gz` not already named through `/vsigzip/`.
pub fn is_tgz(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    !lower.starts_with("/vsigzip/")
        && ((lower.len() > 4 && lower.ends_with(".tgz")) || (lower.len() > 7 && lower.ends_with(".tar.gz")))
}

fn is_terminator(c: u8) -> bool {
    c == 0 || c == b' '
}

/// GDAL's plausibility checks of a header block.
fn plausible(h: &[u8]) -> bool {
    let base256_size = h[124] & 0x80 != 0;
    (h[100] == 0x80 || is_terminator(h[107]))
        && (h[108] == 0x80 || is_terminator(h[115]))
        && (h[116] == 0x80 || is_terminator(h[123]))
        && (base256_size || is_terminator(h[135]))
        && is_terminator(h[147])
        && (base256_size || h[124] == b' ' || (b'0'..=b'7').contains(&h[124]))
}

/// Up to 11 octal digits, spaces skipped; `None` on any other byte.
fn octal(field: &[u8]) -> Option<u64> {
    let mut v: u64 = 0;
    for &c in &field[..11] {
        if c == b' ' {
            continue;
        }
        if !(b'0'..=b'7').contains(&c) || v > (i64::MAX as u64) / 8 {
            return None;
        }
        v = v * 8 + u64::from(c - b'0');
    }
    Some(v)
}

/// A size in GNU base-256 form (first byte 0x80, big-endian after it).
fn base256(field: &[u8]) -> Option<u64> {
    let mut v: u64 = u64::from(field[0] & 0x3f);
    for &c in &field[1..12] {
        v = v.checked_mul(256)?.checked_add(u64::from(c))?;
    }
    (v <= i64::MAX as u64 && field[0] & 0x40 == 0).then_some(v)
}

fn nul_terminated(b: &[u8]) -> &[u8] {
    match b.iter().position(|&c| c == 0) {
        Some(i) => &b[..i],
        None => b,
    }
}

/// Overrides a pax extended header gives the next member.
#[derive(Default)]
struct Pax {
    path: Option<Vec<u8>>,
    size: Option<u64>,
    mtime: Option<i64>,
}

impl Pax {
    /// Parses `"<len> <key>=<value>\n"` records; stops at the first malformed one.
    fn parse(data: &[u8]) -> Pax {
        let mut pax = Pax::default();
        let mut rest = data;
        while !rest.is_empty() {
            let Some(sp) = rest.iter().position(|&c| c == b' ') else { break };
            let Some(len) = std::str::from_utf8(&rest[..sp]).ok().and_then(|s| s.parse::<usize>().ok()) else { break };
            if len <= sp + 1 || len > rest.len() || rest[len - 1] != b'\n' {
                break;
            }
            let record = &rest[sp + 1..len - 1];
            if let Some(eq) = record.iter().position(|&c| c == b'=') {
                let (key, value) = (&record[..eq], &record[eq + 1..]);
                let text = || std::str::from_utf8(value).ok();
                match key {
                    b"path" => pax.path = Some(value.to_vec()),
                    b"size" => pax.size = text().and_then(|s| s.parse().ok()),
                    // Fractional seconds are dropped.
                    b"mtime" => pax.mtime = text().and_then(|s| s.split('.').next()?.parse().ok()),
                    _ => {}
                }
            }
            rest = &rest[len..];
        }
        pax
    }
}

/// Reads the members of the tar in `src`.
fn read_members(src: &dyn ReadAt, out: &mut ListingBuilder<TarMember>) -> Result<()> {
    let mut rd = SeqReader::new(src, 0);
    let mut long_name: Option<Vec<u8>> = None;
    let mut pax = Pax::default();
    loop {
        let Some(h) = rd.take(BLOCK)? else { return Ok(()) };
        if !plausible(h) {
            return Ok(());
        }
        let h: [u8; BLOCK] = h.try_into().expect("one block");
        let shown_name = || {
            let n = long_name.clone().unwrap_or_else(|| nul_terminated(&h[..100]).to_vec());
            crate::rawstr::decode(&n).into_owned()
        };
        let size = if h[124] & 0x80 != 0 { base256(&h[124..136]) } else { octal(&h[124..]) };
        let Some(size) = size else {
            cpl_error(ErrorClass::Failure, cple::APP_DEFINED, &format!("Invalid file size for {}", shown_name()));
            return Ok(());
        };
        let Some(mtime) = octal(&h[136..]) else {
            cpl_error(ErrorClass::Failure, cple::APP_DEFINED, &format!("Invalid mtime for {}", shown_name()));
            return Ok(());
        };
        let padded = size.div_ceil(BLOCK as u64) * BLOCK as u64;
        match h[156] {
            b'L' if size > 0 && size < MAX_LONG_NAME => {
                let Some(data) = rd.take(padded as usize)? else { return Ok(()) };
                let mut name = data[..size as usize].to_vec();
                if name.last() == Some(&0) {
                    name.pop();
                }
                long_name = Some(name);
                continue;
            }
            b'x' if size < MAX_PAX => {
                let Some(data) = rd.take(padded as usize)? else { return Ok(()) };
                pax = Pax::parse(&data[..size as usize]);
                continue;
            }
            b'K' | b'g' | b'x' => {
                let Some(next) = rd.pos().checked_add(padded) else { return Ok(()) };
                rd.seek(next);
                continue;
            }
            _ => {}
        }
        let name = if let Some(path) = pax.path.take() {
            path
        } else if let Some(n) = long_name.take() {
            n
        } else {
            let base = nul_terminated(&h[..100]);
            if &h[257..263] == b"ustar\0" && h[345] != 0 {
                let mut full = nul_terminated(&h[345..500]).to_vec();
                full.push(b'/');
                full.extend_from_slice(base);
                full
            } else {
                base.to_vec()
            }
        };
        long_name = None;
        let size = pax.size.take().unwrap_or(size);
        let mtime = pax.mtime.take().unwrap_or(mtime as i64);
        let padded = size.div_ceil(BLOCK as u64) * BLOCK as u64;
        let offset = rd.pos();
        let Some(next) = offset.checked_add(padded) else {
            cpl_error(ErrorClass::Failure, cple::APP_DEFINED, "Bad .tar structure");
            return Ok(());
        };
        out.push(&crate::rawstr::decode(&name), size, mtime, TarMember { offset, size })?;
        rd.seek(next);
    }
}

/// State shared by every member of one archive.
pub struct TarShared {
    /// Decompression checkpoints of a `.tar.gz`, made while listing it and
    /// reused by every member read.
    gzip: Option<Arc<InflateIndex>>,
}

impl TarFormat {
    /// The tar stream of `archive`: the file itself, or its decompressed
    /// content for a `.tar.gz`.
    fn stream(src: &Arc<SharedHandle>, gzip: Option<&Arc<InflateIndex>>) -> Result<Arc<dyn ReadAt>> {
        match gzip {
            None => Ok(src.clone()),
            Some(index) => {
                let len = src.size()?;
                let reader = InflateReader::new(src.clone(), 0, len, Framing::Gzip, None, index.clone())?;
                Ok(Arc::new(reader))
            }
        }
    }
}

impl ArchiveFormat for TarFormat {
    type Member = TarMember;
    type Shared = TarShared;

    fn prefix(&self) -> &'static str {
        "/vsitar"
    }

    fn extensions(&self) -> Arc<[String]> {
        static EXTENSIONS: once_cell::sync::Lazy<Arc<[String]>> =
            once_cell::sync::Lazy::new(|| [".tar.gz", ".tar", ".tgz"].iter().map(|s| s.to_string()).collect());
        EXTENSIONS.clone()
    }

    fn read_listing(&self, archive: &str, out: &mut ListingBuilder<TarMember>) -> Result<TarShared> {
        let src = archive::open_archive(archive)?;
        let gzip = is_tgz(archive).then(InflateIndex::new);
        let outcome = Self::stream(&src, gzip.as_ref()).and_then(|s| read_members(&*s, out));
        let closed = src.close();
        outcome.and(closed).map(|_| TarShared { gzip })
    }

    fn open_member(&self, archive: &str, index: &Arc<ArchiveIndex<Self>>, member: u32) -> Result<Box<dyn Handle>> {
        let m = index.listing.member(member);
        let src = archive::open_archive(archive)?;
        match Self::stream(&src, index.shared.gzip.as_ref()) {
            Ok(stream) => {
                let window: Arc<dyn ReadAt> = Arc::new(Window::new(stream, m.offset, Some(m.size)));
                Ok(Box::new(MemberHandle::new(window, src, None)))
            }
            Err(e) => {
                let _ = src.close();
                Err(e)
            }
        }
    }

    fn open_other(&self, _path: &str, options: &OpenOptions) -> Option<Result<Box<dyn Handle>>> {
        let access = options.access.as_str();
        (access.contains('w') || access.contains('+')).then(|| {
            Err(Error::new(ErrorKind::PermissionDenied, "Only read-only mode is supported for /vsitar")
                .with_cpl(cple::APP_DEFINED))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognizes_gzipped_tars() {
        assert!(is_tgz("/vsimem/a.tgz") && is_tgz("x.TAR.GZ"));
        assert!(!is_tgz("/vsigzip//vsimem/a.tgz") && !is_tgz(".tgz") && !is_tgz("a.tar"));
    }

    #[test]
    fn parses_numbers_like_gdal() {
        assert_eq!(octal(b"00000000012\0"), Some(10));
        assert_eq!(octal(b"     12    \0"), Some(10));
        assert_eq!(octal(b"0000000001x\0"), None);
        let mut f = [0u8; 12];
        f[0] = 0x80;
        f[7] = 2;
        assert_eq!(base256(&f), Some(2 << 32));
    }

    #[test]
    fn parses_pax_records() {
        let p = Pax::parse(b"30 mtime=1700000000.123456789\n21 path=dir/long.txt\n11 size=42\n");
        assert_eq!(p.path.as_deref(), Some(&b"dir/long.txt"[..]));
        assert_eq!((p.size, p.mtime), (Some(42), Some(1_700_000_000)));
        let broken = Pax::parse(b"99 path=x\n");
        assert!(broken.path.is_none());
    }
}
