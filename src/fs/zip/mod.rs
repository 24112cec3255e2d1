//! `/vsizip/`: reading zip archives (`.zip`, `.kmz`, `.dwf`, `.ods`,
//! `.xlsx`, `.xlsm`, and the extensions of `CPL_VSIL_ZIP_ALLOWED_EXTENSIONS`).
//!
//! The central directory is read once per archive into the shared listing
//! of [`crate::fs::archive`]; a member's local header is read when it is
//! opened and must agree with the directory, as minizip requires. Stored
//! members read straight from the archive; deflated members through the
//! checkpoint-indexed inflater, whose checkpoints live in the cached
//! listing so every handle of a member shares them. Their CRC-32 is checked
//! when a handle reads one through from start to end (a mismatch raises
//! GDAL's "CRC error" and sets the error flag). A member is never read
//! past the size the directory gives, whatever the compressed data holds.
//!
//! Writing (GDAL's `OpenForWrite`) is a separate part of the handler, to
//! come: for now, write access is refused.

pub mod central;

use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;

use crate::error::{cple, Error, ErrorKind, Result};
use crate::fs::archive::{self, ArchiveFormat, ArchiveFs, ArchiveIndex, CrcCheck, ListingBuilder, MemberHandle};
use crate::fs::subfile::Window;
use crate::io::inflate::{Framing, InflateIndex, InflateReader};
use crate::io::{read_full_at, ReadAt};
use crate::vfs::{Handle, OpenOptions};

use central::{u16le, u32le, LOCAL_HEADER_LEN, LOCAL_SIG};

pub const PREFIX: &str = "/vsizip/";

const STORED: u16 = 0;
const DEFLATED: u16 = 8;

/// What the listing keeps of each member.
pub struct ZipMember {
    pub local_offset: u64,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub crc: u32,
    pub method: u16,
    pub flags: u16,
    raw_name_len: u16,
    /// Decompression checkpoints, shared by every handle of the member.
    inflate: OnceLock<Arc<InflateIndex>>,
}

const BUILTIN_EXTENSIONS: [&str; 6] = [".zip", ".kmz", ".dwf", ".ods", ".xlsx", ".xlsm"];

/// The zip format for [`ArchiveFs`].
pub struct ZipFormat {
    /// The extension list, and the value of the option it was made from.
    extensions: Mutex<(Option<String>, Arc<[String]>)>,
}

/// The `/vsizip/` file system.
pub type ZipFs = ArchiveFs<ZipFormat>;

pub fn new_fs() -> ZipFs {
    let builtin: Vec<String> = BUILTIN_EXTENSIONS.iter().map(|s| s.to_string()).collect();
    ArchiveFs::new(ZipFormat { extensions: Mutex::new((None, builtin.into())) })
}

fn open_failed() -> Error {
    Error::new(ErrorKind::Io, "cpl_unzOpenCurrentFile() failed").with_cpl(cple::APP_DEFINED)
}

impl ZipFormat {
    /// Reads and checks the local header of `m`: the offset of its data.
    fn data_offset(src: &dyn ReadAt, m: &ZipMember) -> Result<u64> {
        let mut h = [0u8; LOCAL_HEADER_LEN];
        if read_full_at(src, m.local_offset, &mut h)? != h.len() || u32le(&h, 0) != LOCAL_SIG {
            return Err(open_failed());
        }
        let flags = u16le(&h, 6);
        if u16le(&h, 8) != m.method {
            return Err(open_failed());
        }
        if m.method != STORED && m.method != DEFLATED {
            crate::error::cpl_error(
                crate::error::ErrorClass::Failure,
                cple::NOT_SUPPORTED,
                &format!("A file in the ZIP archive uses a unsupported compression method ({})", m.method),
            );
            return Err(open_failed());
        }
        let described_later = flags & 8 != 0;
        let size_ok = |v: u32, want: u64| v == 0xFFFF_FFFF || described_later || u64::from(v) == want;
        if (!described_later && u32le(&h, 14) != m.crc)
            || !size_ok(u32le(&h, 18), m.compressed_size)
            || !size_ok(u32le(&h, 22), m.uncompressed_size)
            || u16le(&h, 26) != m.raw_name_len
        {
            return Err(open_failed());
        }
        let var = u64::from(u16le(&h, 26)) + u64::from(u16le(&h, 28));
        Ok(m.local_offset + LOCAL_HEADER_LEN as u64 + var)
    }
}

impl ArchiveFormat for ZipFormat {
    type Member = ZipMember;
    type Shared = ();

    fn prefix(&self) -> &'static str {
        "/vsizip"
    }

    fn extensions(&self) -> Arc<[String]> {
        // Rebuilt only when CPL_VSIL_ZIP_ALLOWED_EXTENSIONS changes.
        let extra = crate::config::get("CPL_VSIL_ZIP_ALLOWED_EXTENSIONS");
        let mut cached = self.extensions.lock();
        if cached.0 != extra {
            let mut list: Vec<String> = BUILTIN_EXTENSIONS.iter().map(|s| s.to_string()).collect();
            if let Some(extra) = &extra {
                list.extend(extra.split([',', ' ']).filter(|s| !s.is_empty()).map(str::to_string));
            }
            *cached = (extra, list.into());
        }
        cached.1.clone()
    }

    fn read_listing(&self, archive: &str, out: &mut ListingBuilder<ZipMember>) -> Result<()> {
        let src = archive::open_archive(archive)?;
        let outcome = central::locate(&*src).and_then(|dir| {
            central::read_entries(&*src, &dir, |e| {
                let mtime = central::dos_time_to_unix(e.dos_time);
                let member = ZipMember {
                    local_offset: e.local_offset,
                    compressed_size: e.compressed_size,
                    uncompressed_size: e.uncompressed_size,
                    crc: e.crc,
                    method: e.method,
                    flags: e.flags,
                    raw_name_len: e.raw_name_len,
                    inflate: OnceLock::new(),
                };
                out.push(&e.name, e.uncompressed_size, mtime, member)
            })
        });
        let closed = src.close();
        outcome.and(closed)
    }

    fn open_member(&self, archive: &str, index: &Arc<ArchiveIndex<Self>>, member: u32) -> Result<Box<dyn Handle>> {
        let m = index.listing.member(member);
        let src = archive::open_archive(archive)?;
        let opened = (|| -> Result<Box<dyn Handle>> {
            if m.flags & 1 != 0 {
                return Err(Error::new(ErrorKind::Unsupported, format!("{archive}: encrypted zip members are not supported"))
                    .with_cpl(cple::NOT_SUPPORTED));
            }
            let data = Self::data_offset(&*src, m)?;
            let source: Arc<dyn ReadAt> = match m.method {
                STORED => Arc::new(Window::new(src.clone(), data, Some(m.uncompressed_size))),
                _ => {
                    let index = m.inflate.get_or_init(InflateIndex::new).clone();
                    let reader = InflateReader::new(
                        src.clone(),
                        data,
                        m.compressed_size,
                        Framing::RawDeflate,
                        Some(m.uncompressed_size),
                        index,
                    )?;
                    Arc::new(reader)
                }
            };
            let handle = MemberHandle::new(source, src.clone(), None);
            Ok(Box::new(if m.method == STORED {
                handle
            } else {
                // GDAL's inflating handle sets EOF only on a read that
                // returns nothing, and checks the CRC at the end.
                handle.with_crc(CrcCheck { expected: m.crc, size: m.uncompressed_size }).with_empty_read_eof()
            }))
        })();
        if opened.is_err() {
            let _ = src.close();
        }
        opened
    }

    fn open_other(&self, _path: &str, options: &OpenOptions) -> Option<Result<Box<dyn Handle>>> {
        let access = options.access.as_str();
        if access.contains('w') {
            return Some(Err(Error::new(ErrorKind::Unsupported, "Writing into /vsizip/ is not supported yet")
                .with_cpl(cple::NOT_SUPPORTED)));
        }
        if access.contains('+') {
            return Some(Err(Error::new(ErrorKind::Unsupported, "Read-write random access not supported for /vsizip")
                .with_cpl(cple::APP_DEFINED)));
        }
        None
    }
}
