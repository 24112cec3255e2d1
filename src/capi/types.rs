//! The C types and constants of `cpl_port.h`, `cpl_vsi.h`, `cpl_error.h` and
//! `cpl_vsi_error.h`, with GDAL's names and layouts.

use std::os::raw::{c_char, c_int, c_longlong, c_uchar, c_ulonglong};

pub type GByte = c_uchar;
pub type GIntBig = c_longlong;
pub type GUIntBig = c_ulonglong;
/// Offsets are unsigned 64-bit, as in GDAL.
pub type vsi_l_offset = GUIntBig;
pub type CPLErrorNum = c_int;
pub type VSIErrorNum = c_int;
/// `CPLErr`: one of the `CE_*` values.
pub type CPLErr = c_int;

/// A read-only string list: `char **` in C, `const char *const *` in C++
/// (declared in the header's preamble, as GDAL does).
pub type CSLConstList = *const *const c_char;

/// `struct stat64` (declared in the header's preamble, not generated).
pub type VSIStatBufL = libc::stat64;

/// An open file (`VSILFILE *`), opaque to C.
pub struct VSILFILE {
    pub(crate) file: crate::File,
}

/// A directory walk (`VSIDIR *`), opaque to C.
pub struct VSIDIR {
    pub(crate) entries: std::vec::IntoIter<crate::DirEntry>,
    /// Storage behind `current.pszName`, valid until the next entry.
    pub(crate) name: std::ffi::CString,
    pub(crate) current: VSIDIREntry,
}

/// One entry of a directory walk; owned by its `VSIDIR`, valid until the
/// next `VSIGetNextDirEntry` or `VSICloseDir`.
#[repr(C)]
pub struct VSIDIREntry {
    pub pszName: *mut c_char,
    pub nMode: c_int,
    pub nSize: vsi_l_offset,
    pub nMTime: GIntBig,
    pub bModeKnown: c_char,
    pub bSizeKnown: c_char,
    pub bMTimeKnown: c_char,
    pub papszExtra: *mut *mut c_char,
}

/// `VSIRangeStatus`.
#[repr(C)]
pub enum VSIRangeStatus {
    VSI_RANGE_STATUS_UNKNOWN = 0,
    VSI_RANGE_STATUS_DATA = 1,
    VSI_RANGE_STATUS_HOLE = 2,
}

/// `CPLErrorHandler`.
pub type CPLErrorHandler = Option<unsafe extern "C" fn(CPLErr, CPLErrorNum, *const c_char)>;

/// `GDALProgressFunc`: returns FALSE to cancel.
pub type GDALProgressFunc = Option<unsafe extern "C" fn(f64, *const c_char, *mut std::ffi::c_void) -> c_int>;

/// `VSIWriteFunction`: an `fwrite`-like function (`VSIStdoutSetRedirection`).
pub type VSIWriteFunction = Option<unsafe extern "C" fn(*const std::ffi::c_void, usize, usize, *mut libc::FILE) -> usize>;

/// What `/vsimem/` holds right now (see `VSIRS_MemGetStats`).
#[repr(C)]
pub struct VSIRSMemStats {
    /// Bytes allocated by buffers /vsimem/ owns (what free() gives back).
    pub nBytesAllocated: GUIntBig,
    /// Sum of the lengths of all in-memory files, including caller buffers.
    pub nBytesUsed: GUIntBig,
    /// In-memory file objects alive: named, anonymous, or unlinked but open.
    pub nFiles: GUIntBig,
    /// Files unlinked (or replaced) while a handle still keeps them alive.
    pub nUnlinkedOpen: GUIntBig,
}

pub const TRUE: c_int = 1;
pub const FALSE: c_int = 0;

pub const VSI_STAT_EXISTS_FLAG: c_int = 0x1;
pub const VSI_STAT_NATURE_FLAG: c_int = 0x2;
pub const VSI_STAT_SIZE_FLAG: c_int = 0x4;
pub const VSI_STAT_SET_ERROR_FLAG: c_int = 0x8;
pub const VSI_STAT_CACHE_ONLY: c_int = 0x10;

pub const VSIE_None: c_int = 0;
pub const VSIE_FileError: c_int = 1;
pub const VSIE_HttpError: c_int = 2;
pub const VSIE_AWSError: c_int = 5;
pub const VSIE_AWSAccessDenied: c_int = 6;
pub const VSIE_AWSBucketNotFound: c_int = 7;
pub const VSIE_AWSObjectNotFound: c_int = 8;
pub const VSIE_AWSInvalidCredentials: c_int = 9;
pub const VSIE_AWSSignatureDoesNotMatch: c_int = 10;

pub const CE_None: c_int = 0;
pub const CE_Debug: c_int = 1;
pub const CE_Warning: c_int = 2;
pub const CE_Failure: c_int = 3;
pub const CE_Fatal: c_int = 4;

pub const CPLE_None: c_int = 0;
pub const CPLE_AppDefined: c_int = 1;
pub const CPLE_OutOfMemory: c_int = 2;
pub const CPLE_FileIO: c_int = 3;
pub const CPLE_OpenFailed: c_int = 4;
pub const CPLE_IllegalArg: c_int = 5;
pub const CPLE_NotSupported: c_int = 6;
pub const CPLE_AssertionFailed: c_int = 7;
pub const CPLE_NoWriteAccess: c_int = 8;
pub const CPLE_UserInterrupt: c_int = 9;
pub const CPLE_ObjectNull: c_int = 10;
pub const CPLE_HttpResponse: c_int = 11;
pub const CPLE_AWSBucketNotFound: c_int = 12;
pub const CPLE_AWSObjectNotFound: c_int = 13;
pub const CPLE_AWSAccessDenied: c_int = 14;
pub const CPLE_AWSInvalidCredentials: c_int = 15;
pub const CPLE_AWSSignatureDoesNotMatch: c_int = 16;
pub const CPLE_AWSError: c_int = 17;
