//! `/vsimem/` buffer functions, and libvsi's memory report.

use std::os::raw::{c_char, c_int};
use std::ptr;

use super::types::*;
use super::{fail, guard, null_pointer, opt_str};
use crate::fs::mem;

/// `VSIFileFromMemBuffer`: makes `pabyData` (never copied) the content of
/// `pszFilename`, replacing any file of that name; NULL name gives an
/// anonymous file living as long as the returned handle. With
/// `bTakeOwnership` the buffer (from malloc) is freed with the file and the
/// file may grow; otherwise the caller keeps it alive and it cannot grow.
#[no_mangle]
pub unsafe extern "C" fn VSIFileFromMemBuffer(
    pszFilename: *const c_char,
    pabyData: *mut GByte,
    nDataLength: vsi_l_offset,
    bTakeOwnership: c_int,
) -> *mut VSILFILE {
    guard("VSIFileFromMemBuffer", ptr::null_mut(), || {
        if pabyData.is_null() && nDataLength > 0 {
            null_pointer("VSIFileFromMemBuffer", "pabyData");
            return ptr::null_mut();
        }
        let Ok(len) = usize::try_from(nDataLength) else { return ptr::null_mut() };
        let name = opt_str(pszFilename);
        match mem::global().file_from_raw(name.as_deref(), pabyData, len, bTakeOwnership != 0) {
            Ok(handle) => Box::into_raw(Box::new(VSILFILE { file: crate::File::from_handle(handle) })),
            Err(e) => fail(&e, ptr::null_mut()),
        }
    })
}

/// `VSIGetMemFileBuffer`: the bytes of an in-memory file and (in
/// `*pnDataLength`) their length. Without `bUnlinkAndSeize` the pointer is
/// the live buffer, valid until the file grows. With it, the file is
/// removed and the caller owns the buffer (free with `VSIFree`), unless the
/// buffer was lent by `VSIFileFromMemBuffer` without ownership.
#[no_mangle]
pub unsafe extern "C" fn VSIGetMemFileBuffer(
    pszFilename: *const c_char,
    pnDataLength: *mut vsi_l_offset,
    bUnlinkAndSeize: c_int,
) -> *mut GByte {
    guard("VSIGetMemFileBuffer", ptr::null_mut(), || {
        let Some(name) = opt_str(pszFilename) else { return ptr::null_mut() };
        let Some((p, len, owned)) = mem::global().buffer(&name, bUnlinkAndSeize != 0) else {
            return ptr::null_mut();
        };
        if bUnlinkAndSeize != 0 && !owned {
            crate::error::debug("VSIMEM", "File doesn't own the buffer: returning it anyway");
        }
        if !pnDataLength.is_null() {
            *pnDataLength = len as vsi_l_offset;
        }
        p
    })
}

/// libvsi extension: what `/vsimem/` holds right now — bytes allocated,
/// bytes used, live files, and files unlinked but still held open. Returns
/// TRUE, or FALSE if `psStats` is NULL.
#[no_mangle]
pub unsafe extern "C" fn VSIRS_MemGetStats(psStats: *mut VSIRSMemStats) -> c_int {
    guard("VSIRS_MemGetStats", FALSE, || {
        if psStats.is_null() {
            null_pointer("VSIRS_MemGetStats", "psStats");
            return FALSE;
        }
        let s = mem::stats();
        *psStats = VSIRSMemStats {
            nBytesAllocated: s.bytes_allocated,
            nBytesUsed: s.bytes_used,
            nFiles: s.files,
            nUnlinkedOpen: s.unlinked_open,
        };
        TRUE
    })
}

/// libvsi extension: bytes held right now by the random-access indexes of
/// compressed data (`/vsigzip/` files, deflated `/vsizip/` members,
/// `.tar.gz` archives), all files together. Each index stays under
/// `VSIRS_INFLATE_INDEX_LIMIT` (32 MB by default).
#[no_mangle]
pub extern "C" fn VSIRS_ArchiveIndexMemory() -> GUIntBig {
    guard("VSIRS_ArchiveIndexMemory", 0, crate::io::inflate::index_memory_bytes)
}
