//! Functions on open files (`VSILFILE *`).

use std::os::raw::{c_char, c_int, c_void};
use std::ptr;

use super::strings::name_values;
use super::types::*;
use super::{fail, guard, null_pointer, opt_str, req_str};
use crate::error::{Error, ErrorKind};
use crate::{File, RangeStatus, Whence};

/// Borrows the file behind a handle, reporting NULL.
unsafe fn file<'a>(fp: *mut VSILFILE, func: &str) -> Option<&'a mut File> {
    if fp.is_null() {
        null_pointer(func, "fp");
        return None;
    }
    Some(&mut (*fp).file)
}

fn into_handle(file: File) -> *mut VSILFILE {
    Box::into_raw(Box::new(VSILFILE { file }))
}

/// `VSIFOpenL`: NULL on failure (see `errno` and `VSIGetLastErrorMsg`).
#[no_mangle]
pub unsafe extern "C" fn VSIFOpenL(pszFilename: *const c_char, pszAccess: *const c_char) -> *mut VSILFILE {
    VSIFOpenEx2L(pszFilename, pszAccess, FALSE, ptr::null())
}

/// `VSIFOpenExL`.
#[no_mangle]
pub unsafe extern "C" fn VSIFOpenExL(pszFilename: *const c_char, pszAccess: *const c_char, bSetError: c_int) -> *mut VSILFILE {
    VSIFOpenEx2L(pszFilename, pszAccess, bSetError, ptr::null())
}

/// `VSIFOpenEx2L`: with handler-specific `KEY=VALUE` options. With
/// `bSetError`, a failure is recorded for `VSIGetLastErrorNo/Msg`; `errno`
/// is set either way.
#[no_mangle]
pub unsafe extern "C" fn VSIFOpenEx2L(
    pszFilename: *const c_char,
    pszAccess: *const c_char,
    bSetError: c_int,
    papszOptions: CSLConstList,
) -> *mut VSILFILE {
    guard("VSIFOpenEx2L", ptr::null_mut(), || {
        let Some(path) = req_str(pszFilename, "VSIFOpenL", "pszFilename") else { return ptr::null_mut() };
        let Some(access) = req_str(pszAccess, "VSIFOpenL", "pszAccess") else { return ptr::null_mut() };
        let opts = name_values(papszOptions);
        let opts: Vec<(&str, &str)> = opts.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        match File::open_ex(&path, &access, &opts) {
            Ok(f) => into_handle(f),
            Err(e) => {
                e.report_as(bSetError != 0);
                ptr::null_mut()
            }
        }
    })
}

/// `VSIFCloseL`: 0 on success, -1 on failure; the handle is freed either way.
#[no_mangle]
pub unsafe extern "C" fn VSIFCloseL(fp: *mut VSILFILE) -> c_int {
    guard("VSIFCloseL", -1, || {
        if fp.is_null() {
            null_pointer("VSIFCloseL", "fp");
            return -1;
        }
        let handle = Box::from_raw(fp);
        match handle.file.close() {
            Ok(()) => 0,
            Err(e) => fail(&e, -1),
        }
    })
}

/// `VSIFSeekL`: 0 on success, -1 on failure. Offsets are unsigned.
#[no_mangle]
pub unsafe extern "C" fn VSIFSeekL(fp: *mut VSILFILE, nOffset: vsi_l_offset, nWhence: c_int) -> c_int {
    guard("VSIFSeekL", -1, || {
        let Some(f) = file(fp, "VSIFSeekL") else { return -1 };
        let Some(whence) = Whence::from_raw(nWhence) else {
            return fail(&Error::from_errno(libc::EINVAL, "VSIFSeekL(): invalid whence"), -1);
        };
        match f.seek_raw(nOffset, whence) {
            Ok(()) => 0,
            Err(e) => fail(&e, -1),
        }
    })
}

/// `VSIFTellL`.
#[no_mangle]
pub unsafe extern "C" fn VSIFTellL(fp: *mut VSILFILE) -> vsi_l_offset {
    guard("VSIFTellL", 0, || file(fp, "VSIFTellL").map_or(0, |f| f.tell()))
}

/// `VSIRewindL`: seek to 0, result ignored.
#[no_mangle]
pub unsafe extern "C" fn VSIRewindL(fp: *mut VSILFILE) {
    VSIFSeekL(fp, 0, libc::SEEK_SET);
}

/// `VSIFReadL`: the number of complete objects read (fread semantics).
#[no_mangle]
pub unsafe extern "C" fn VSIFReadL(pBuffer: *mut c_void, nSize: usize, nCount: usize, fp: *mut VSILFILE) -> usize {
    guard("VSIFReadL", 0, || {
        let Some(f) = file(fp, "VSIFReadL") else { return 0 };
        let Some(total) = nSize.checked_mul(nCount) else {
            return fail(&Error::new(ErrorKind::InvalidInput, "VSIFReadL(): size overflow"), 0);
        };
        if total == 0 {
            return 0;
        }
        if pBuffer.is_null() {
            null_pointer("VSIFReadL", "pBuffer");
            return 0;
        }
        let buf = std::slice::from_raw_parts_mut(pBuffer as *mut u8, total);
        match f.read_raw(buf) {
            Ok(n) => n / nSize,
            Err(e) => fail(&e, 0),
        }
    })
}

/// `VSIFWriteL`: the number of complete objects written.
#[no_mangle]
pub unsafe extern "C" fn VSIFWriteL(pBuffer: *const c_void, nSize: usize, nCount: usize, fp: *mut VSILFILE) -> usize {
    guard("VSIFWriteL", 0, || {
        let Some(f) = file(fp, "VSIFWriteL") else { return 0 };
        let Some(total) = nSize.checked_mul(nCount) else {
            return fail(&Error::new(ErrorKind::InvalidInput, "VSIFWriteL(): size overflow"), 0);
        };
        if total == 0 {
            return 0;
        }
        if pBuffer.is_null() {
            null_pointer("VSIFWriteL", "pBuffer");
            return 0;
        }
        let buf = std::slice::from_raw_parts(pBuffer as *const u8, total);
        match f.write_raw(buf) {
            Ok(n) => n / nSize,
            Err(e) => fail(&e, 0),
        }
    })
}

/// `VSIFEofL`: non-zero once a read hit the end of file.
#[no_mangle]
pub unsafe extern "C" fn VSIFEofL(fp: *mut VSILFILE) -> c_int {
    guard("VSIFEofL", 0, || file(fp, "VSIFEofL").map_or(0, |f| f.eof() as c_int))
}

/// `VSIFErrorL`: non-zero once a read failed for another reason than EOF.
#[no_mangle]
pub unsafe extern "C" fn VSIFErrorL(fp: *mut VSILFILE) -> c_int {
    guard("VSIFErrorL", 0, || file(fp, "VSIFErrorL").map_or(0, |f| f.error() as c_int))
}

/// `VSIFClearErrL`: clears the EOF and error flags.
#[no_mangle]
pub unsafe extern "C" fn VSIFClearErrL(fp: *mut VSILFILE) {
    guard("VSIFClearErrL", (), || {
        if let Some(f) = file(fp, "VSIFClearErrL") {
            f.clear_err()
        }
    })
}

/// `VSIFTruncateL`: 0 on success, -1 on failure; the offset is unchanged.
#[no_mangle]
pub unsafe extern "C" fn VSIFTruncateL(fp: *mut VSILFILE, nNewSize: vsi_l_offset) -> c_int {
    guard("VSIFTruncateL", -1, || {
        let Some(f) = file(fp, "VSIFTruncateL") else { return -1 };
        match f.truncate(nNewSize) {
            Ok(()) => 0,
            Err(e) => fail(&e, -1),
        }
    })
}

/// `VSIFFlushL`: 0 on success, -1 on failure.
#[no_mangle]
pub unsafe extern "C" fn VSIFFlushL(fp: *mut VSILFILE) -> c_int {
    guard("VSIFFlushL", -1, || {
        let Some(f) = file(fp, "VSIFFlushL") else { return -1 };
        match f.flush_raw() {
            Ok(()) => 0,
            Err(e) => fail(&e, -1),
        }
    })
}

/// `VSIFPutcL`: writes one byte; 1 on success, 0 on failure.
#[no_mangle]
pub unsafe extern "C" fn VSIFPutcL(nChar: c_int, fp: *mut VSILFILE) -> c_int {
    let byte = nChar as u8;
    VSIFWriteL(&byte as *const u8 as *const c_void, 1, 1, fp) as c_int
}

/// Writes a formatted string (used by the C shim behind `VSIFPrintfL`);
/// returns the bytes written.
#[no_mangle]
pub unsafe extern "C" fn VSIRS_WriteString(fp: *mut VSILFILE, pszText: *const c_char) -> c_int {
    if pszText.is_null() {
        return 0;
    }
    // The formatted bytes as they are, UTF-8 or not.
    let text = std::ffi::CStr::from_ptr(pszText).to_bytes();
    VSIFWriteL(text.as_ptr() as *const c_void, 1, text.len(), fp) as c_int
}

/// `VSIFGetRangeStatusL`: whether a range holds data, a hole, or unknown.
#[no_mangle]
pub unsafe extern "C" fn VSIFGetRangeStatusL(fp: *mut VSILFILE, nStart: vsi_l_offset, nLength: vsi_l_offset) -> VSIRangeStatus {
    guard("VSIFGetRangeStatusL", VSIRangeStatus::VSI_RANGE_STATUS_UNKNOWN, || {
        match file(fp, "VSIFGetRangeStatusL").map(|f| f.range_status(nStart, nLength)) {
            Some(RangeStatus::Data) => VSIRangeStatus::VSI_RANGE_STATUS_DATA,
            Some(RangeStatus::Hole) => VSIRangeStatus::VSI_RANGE_STATUS_HOLE,
            _ => VSIRangeStatus::VSI_RANGE_STATUS_UNKNOWN,
        }
    })
}

/// `VSIFGetNativeFileDescriptorL`: the OS descriptor of a local file, as a
/// pointer; NULL for virtual files.
#[no_mangle]
pub unsafe extern "C" fn VSIFGetNativeFileDescriptorL(fp: *mut VSILFILE) -> *mut c_void {
    guard("VSIFGetNativeFileDescriptorL", ptr::null_mut(), || {
        file(fp, "VSIFGetNativeFileDescriptorL").and_then(|f| f.native_fd()).map_or(ptr::null_mut(), |fd| fd as isize as *mut c_void)
    })
}

/// `VSIFReadMultiRangeL`: reads `nRanges` ascending ranges; 0 on success,
/// -1 if any could not be read whole. The file offset is kept.
#[no_mangle]
pub unsafe extern "C" fn VSIFReadMultiRangeL(
    nRanges: c_int,
    ppData: *mut *mut c_void,
    panOffsets: *const vsi_l_offset,
    panSizes: *const usize,
    fp: *mut VSILFILE,
) -> c_int {
    guard("VSIFReadMultiRangeL", -1, || {
        let Some(f) = file(fp, "VSIFReadMultiRangeL") else { return -1 };
        if nRanges <= 0 {
            return 0;
        }
        if ppData.is_null() || panOffsets.is_null() || panSizes.is_null() {
            null_pointer("VSIFReadMultiRangeL", "ppData/panOffsets/panSizes");
            return -1;
        }
        let n = nRanges as usize;
        let mut ranges = Vec::with_capacity(n);
        for i in 0..n {
            let size = *panSizes.add(i);
            let data = *ppData.add(i) as *mut u8;
            if data.is_null() && size > 0 {
                null_pointer("VSIFReadMultiRangeL", "ppData[i]");
                return -1;
            }
            let buf: &mut [u8] = if size == 0 { &mut [] } else { std::slice::from_raw_parts_mut(data, size) };
            ranges.push((*panOffsets.add(i), buf));
        }
        match f.read_multi_range(&mut ranges) {
            Ok(()) => 0,
            Err(e) => fail(&e, -1),
        }
    })
}

/// `VSIIngestFile`: reads a whole file into a malloc'd, NUL-terminated
/// buffer (`*ppabyRet`, freed with `VSIFree`). TRUE on success.
#[no_mangle]
pub unsafe extern "C" fn VSIIngestFile(
    fp: *mut VSILFILE,
    pszFilename: *const c_char,
    ppabyRet: *mut *mut GByte,
    pnSize: *mut vsi_l_offset,
    nMaxSize: GIntBig,
) -> c_int {
    guard("VSIIngestFile", FALSE, || {
        if ppabyRet.is_null() {
            null_pointer("VSIIngestFile", "ppabyRet");
            return FALSE;
        }
        *ppabyRet = ptr::null_mut();
        if !pnSize.is_null() {
            *pnSize = 0;
        }
        let path = opt_str(pszFilename);
        let max = (nMaxSize >= 0).then_some(nMaxSize as u64);
        let file_ref = if fp.is_null() { None } else { Some(&mut (*fp).file) };
        if file_ref.is_none() && path.is_none() {
            null_pointer("VSIIngestFile", "fp and pszFilename");
            return FALSE;
        }
        match crate::ingest(file_ref, path.as_deref(), max) {
            Ok(data) => {
                let p = super::strings::malloc_bytes(&data, true);
                if p.is_null() {
                    return fail(&crate::fs::mem::out_of_memory("ingest buffer"), FALSE);
                }
                *ppabyRet = p;
                if !pnSize.is_null() {
                    *pnSize = data.len() as vsi_l_offset;
                }
                TRUE
            }
            Err(e) => fail(&e, FALSE),
        }
    })
}

/// `VSIOverwriteFile`: replaces the content of `fpTarget` (opened "rb+")
/// with the file `pszSourceFilename`. TRUE on success.
#[no_mangle]
pub unsafe extern "C" fn VSIOverwriteFile(fpTarget: *mut VSILFILE, pszSourceFilename: *const c_char) -> c_int {
    guard("VSIOverwriteFile", FALSE, || {
        let Some(f) = file(fpTarget, "VSIOverwriteFile") else { return FALSE };
        let Some(src) = req_str(pszSourceFilename, "VSIOverwriteFile", "pszSourceFilename") else { return FALSE };
        match crate::overwrite_file(f, &src) {
            Ok(()) => TRUE,
            Err(e) => fail(&e, FALSE),
        }
    })
}
