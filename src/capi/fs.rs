//! Path functions: stat, directories, unlink, rename, copy, sync.

use std::ffi::CString;
use std::os::raw::{c_char, c_int, c_long, c_void};
use std::ptr;

use super::strings::{from_csl, name_values, to_csl};
use super::types::*;
use super::{fail, guard, null_pointer, opt_str, req_str};
use crate::error::{Error, ErrorKind};
use crate::vfs::WalkOptions;
use crate::{Metadata, StatFlags};

/// Runs a path operation returning `()`, mapping to GDAL's 0 / -1.
unsafe fn status(func: &str, path: *const c_char, op: impl FnOnce(&str) -> crate::Result<()>) -> c_int {
    guard(func, -1, || {
        let Some(p) = req_str(path, func, "pszPath") else { return -1 };
        match op(&p) {
            Ok(()) => 0,
            Err(e) => fail(&e, -1),
        }
    })
}

fn fill_stat(meta: &Metadata, out: &mut VSIStatBufL) {
    match meta.native {
        Some(st) => *out = st,
        None => {
            // SAFETY: an all-zero stat64 is a valid value.
            *out = unsafe { std::mem::zeroed() };
            out.st_mode = meta.mode;
            out.st_size = meta.size as i64;
            out.st_mtime = meta.mtime;
        }
    }
}

/// `VSIStatL`: 0 on success, -1 on failure.
#[no_mangle]
pub unsafe extern "C" fn VSIStatL(pszFilename: *const c_char, psStatBuf: *mut VSIStatBufL) -> c_int {
    VSIStatExL(pszFilename, psStatBuf, 0)
}

/// `VSIStatExL`: `nFlags` (`VSI_STAT_*_FLAG`) lets handlers skip work; 0
/// means all.
#[no_mangle]
pub unsafe extern "C" fn VSIStatExL(pszFilename: *const c_char, psStatBuf: *mut VSIStatBufL, nFlags: c_int) -> c_int {
    guard("VSIStatExL", -1, || {
        let Some(path) = req_str(pszFilename, "VSIStatExL", "pszFilename") else { return -1 };
        if psStatBuf.is_null() {
            null_pointer("VSIStatExL", "psStatBuf");
            return -1;
        }
        match crate::stat_ex(&path, StatFlags(nFlags as u32)) {
            Ok(meta) => {
                fill_stat(&meta, &mut *psStatBuf);
                0
            }
            Err(e) => {
                e.report_as(nFlags & VSI_STAT_SET_ERROR_FLAG != 0);
                -1
            }
        }
    })
}

/// `VSIReadDir`: the names in a directory (free with `CSLDestroy`); NULL if
/// it is not a directory or is empty.
#[no_mangle]
pub unsafe extern "C" fn VSIReadDir(pszPath: *const c_char) -> *mut *mut c_char {
    VSIReadDirEx(pszPath, 0)
}

/// `VSIReadDirEx`: with `nMaxFiles > 0`, at most `nMaxFiles + 1` names.
#[no_mangle]
pub unsafe extern "C" fn VSIReadDirEx(pszPath: *const c_char, nMaxFiles: c_int) -> *mut *mut c_char {
    guard("VSIReadDirEx", ptr::null_mut(), || {
        let Some(path) = req_str(pszPath, "VSIReadDirEx", "pszPath") else { return ptr::null_mut() };
        match crate::read_dir_ex(&path, nMaxFiles.max(0) as usize) {
            Ok(names) => to_csl(&names),
            Err(e) => fail(&e, ptr::null_mut()),
        }
    })
}

/// `VSIReadDirRecursive`: relative paths, directories suffixed with `/`.
#[no_mangle]
pub unsafe extern "C" fn VSIReadDirRecursive(pszPath: *const c_char) -> *mut *mut c_char {
    guard("VSIReadDirRecursive", ptr::null_mut(), || {
        let Some(path) = req_str(pszPath, "VSIReadDirRecursive", "pszPath") else { return ptr::null_mut() };
        match crate::read_dir_recursive(&path) {
            Ok(names) => to_csl(&names),
            Err(e) => fail(&e, ptr::null_mut()),
        }
    })
}

/// `VSIOpenDir`: a walk of `pszPath` down to `nRecurseDepth` levels (-1 for
/// all). Options: `PREFIX=`, `NAME_AND_TYPE_ONLY=YES`. NULL if not a
/// directory.
#[no_mangle]
pub unsafe extern "C" fn VSIOpenDir(pszPath: *const c_char, nRecurseDepth: c_int, papszOptions: *const *const c_char) -> *mut VSIDIR {
    guard("VSIOpenDir", ptr::null_mut(), || {
        let Some(path) = req_str(pszPath, "VSIOpenDir", "pszPath") else { return ptr::null_mut() };
        let mut opts = WalkOptions { depth: nRecurseDepth, ..Default::default() };
        for (k, v) in name_values(papszOptions) {
            if k.eq_ignore_ascii_case("PREFIX") {
                opts.prefix = Some(v);
            } else if k.eq_ignore_ascii_case("NAME_AND_TYPE_ONLY") {
                opts.name_and_type_only = crate::config::parse_bool(&v);
            }
        }
        match crate::walk(&path, &opts) {
            Ok(entries) => Box::into_raw(Box::new(VSIDIR {
                entries: entries.into_iter(),
                name: CString::default(),
                current: VSIDIREntry {
                    pszName: ptr::null_mut(),
                    nMode: 0,
                    nSize: 0,
                    nMTime: 0,
                    bModeKnown: 0,
                    bSizeKnown: 0,
                    bMTimeKnown: 0,
                    papszExtra: ptr::null_mut(),
                },
            })),
            Err(e) => fail(&e, ptr::null_mut()),
        }
    })
}

/// `VSIGetNextDirEntry`: the next entry, or NULL at the end. The entry
/// belongs to the `VSIDIR`.
#[no_mangle]
pub unsafe extern "C" fn VSIGetNextDirEntry(dir: *mut VSIDIR) -> *const VSIDIREntry {
    guard("VSIGetNextDirEntry", ptr::null(), || {
        if dir.is_null() {
            null_pointer("VSIGetNextDirEntry", "dir");
            return ptr::null();
        }
        let d = &mut *dir;
        let Some(e) = d.entries.next() else { return ptr::null() };
        d.name = crate::error::to_cstring(&e.name);
        d.current = VSIDIREntry {
            pszName: d.name.as_ptr() as *mut c_char,
            nMode: e.mode.unwrap_or(0) as c_int,
            nSize: e.size.unwrap_or(0),
            nMTime: e.mtime.unwrap_or(0),
            bModeKnown: e.mode.is_some() as c_char,
            bSizeKnown: e.size.is_some() as c_char,
            bMTimeKnown: e.mtime.is_some() as c_char,
            papszExtra: ptr::null_mut(),
        };
        &d.current
    })
}

/// `VSICloseDir`.
#[no_mangle]
pub unsafe extern "C" fn VSICloseDir(dir: *mut VSIDIR) {
    guard("VSICloseDir", (), || {
        if !dir.is_null() {
            drop(Box::from_raw(dir));
        }
    })
}

/// `VSIMkdir`: 0 on success, -1 on failure (an existing path fails).
#[no_mangle]
pub unsafe extern "C" fn VSIMkdir(pszPathname: *const c_char, mode: c_long) -> c_int {
    status("VSIMkdir", pszPathname, |p| crate::mkdir(p, mode as u32))
}

/// `VSIMkdirRecursive`: creates missing parents; an existing directory is
/// success.
#[no_mangle]
pub unsafe extern "C" fn VSIMkdirRecursive(pszPathname: *const c_char, mode: c_long) -> c_int {
    status("VSIMkdirRecursive", pszPathname, |p| crate::mkdir_recursive(p, mode as u32))
}

/// `VSIRmdir`.
#[no_mangle]
pub unsafe extern "C" fn VSIRmdir(pszDirname: *const c_char) -> c_int {
    status("VSIRmdir", pszDirname, crate::rmdir)
}

/// `VSIRmdirRecursive`: removes a directory and all it holds.
#[no_mangle]
pub unsafe extern "C" fn VSIRmdirRecursive(pszDirname: *const c_char) -> c_int {
    status("VSIRmdirRecursive", pszDirname, crate::rmdir_recursive)
}

/// `VSIUnlink`.
#[no_mangle]
pub unsafe extern "C" fn VSIUnlink(pszFilename: *const c_char) -> c_int {
    status("VSIUnlink", pszFilename, crate::unlink)
}

/// `VSIUnlinkBatch`: a malloc'd array of TRUE/FALSE, one per file (free
/// with `VSIFree`); NULL if the list is empty or spans several handlers.
#[no_mangle]
pub unsafe extern "C" fn VSIUnlinkBatch(papszFiles: CSLConstList) -> *mut c_int {
    guard("VSIUnlinkBatch", ptr::null_mut(), || {
        let files = from_csl(papszFiles);
        let refs: Vec<&str> = files.iter().map(String::as_str).collect();
        match crate::unlink_batch(&refs) {
            Ok(flags) => {
                let out = libc::malloc(flags.len() * std::mem::size_of::<c_int>()) as *mut c_int;
                if !out.is_null() {
                    for (i, ok) in flags.iter().enumerate() {
                        *out.add(i) = *ok as c_int;
                    }
                }
                out
            }
            Err(e) => fail(&e, ptr::null_mut()),
        }
    })
}

/// `VSIRename`: the handler of the old path decides.
#[no_mangle]
pub unsafe extern "C" fn VSIRename(oldpath: *const c_char, newpath: *const c_char) -> c_int {
    guard("VSIRename", -1, || {
        let Some(to) = req_str(newpath, "VSIRename", "newpath") else { return -1 };
        status("VSIRename", oldpath, |from| crate::rename(from, &to))
    })
}

/// Adapts a C progress callback to the safe API's.
fn progress_adapter(func: GDALProgressFunc, data: *mut c_void) -> Option<impl FnMut(f64) -> bool> {
    func.map(move |f| move |done: f64| unsafe { f(done, c"".as_ptr(), data) != 0 })
}

/// `VSICopyFile`: copies `pszSource` (or the open `fpSource`) to
/// `pszTarget`; `nSourceSize` may be `(vsi_l_offset)-1` for unknown.
/// 0 on success, -1 on failure (the target is then removed).
#[no_mangle]
pub unsafe extern "C" fn VSICopyFile(
    pszSource: *const c_char,
    pszTarget: *const c_char,
    fpSource: *mut VSILFILE,
    nSourceSize: vsi_l_offset,
    _papszOptions: *const *const c_char,
    pProgressFunc: GDALProgressFunc,
    pProgressData: *mut c_void,
) -> c_int {
    guard("VSICopyFile", -1, || {
        let target = match opt_str(pszTarget) {
            Some(t) if !t.is_empty() => t,
            _ => {
                return fail(&Error::new(ErrorKind::InvalidInput, "VSICopyFile(): no target given").with_cpl(crate::error::cple::APP_DEFINED), -1)
            }
        };
        let mut progress = progress_adapter(pProgressFunc, pProgressData);
        let progress = progress.as_mut().map(|p| p as &mut dyn FnMut(f64) -> bool);
        let size = (nSourceSize != vsi_l_offset::MAX).then_some(nSourceSize);
        let outcome = if !fpSource.is_null() {
            crate::copy_from(&mut (*fpSource).file, &target, size, progress)
        } else if let Some(src) = opt_str(pszSource) {
            crate::copy_file(&src, &target, progress)
        } else {
            Err(Error::new(ErrorKind::InvalidInput, "VSICopyFile(): pszSource or fpSource must be set").with_cpl(crate::error::cple::APP_DEFINED))
        };
        match outcome {
            Ok(()) => 0,
            Err(e) => fail(&e, -1),
        }
    })
}

/// `VSISync`: rsync-like copy of a file or directory tree. TRUE on success.
/// Option `RECURSIVE=NO` limits it to the top level. `*ppapszOutputs` is
/// set to NULL.
#[no_mangle]
pub unsafe extern "C" fn VSISync(
    pszSource: *const c_char,
    pszTarget: *const c_char,
    papszOptions: *const *const c_char,
    _pProgressFunc: GDALProgressFunc,
    _pProgressData: *mut c_void,
    ppapszOutputs: *mut *mut *mut c_char,
) -> c_int {
    guard("VSISync", FALSE, || {
        if !ppapszOutputs.is_null() {
            *ppapszOutputs = ptr::null_mut();
        }
        let Some(src) = req_str(pszSource, "VSISync", "pszSource") else { return FALSE };
        let Some(dst) = req_str(pszTarget, "VSISync", "pszTarget") else { return FALSE };
        let recursive = name_values(papszOptions)
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("RECURSIVE"))
            .is_none_or(|(_, v)| crate::config::parse_bool(v));
        match crate::sync(&src, &dst, recursive) {
            Ok(()) => TRUE,
            Err(e) => fail(&e, FALSE),
        }
    })
}

/// `VSIGetDiskFreeSpace`: bytes free, or -1 when unknown.
#[no_mangle]
pub unsafe extern "C" fn VSIGetDiskFreeSpace(pszDirname: *const c_char) -> GIntBig {
    guard("VSIGetDiskFreeSpace", -1, || {
        opt_str(pszDirname).and_then(|p| crate::disk_free_space(&p)).unwrap_or(-1)
    })
}

/// `VSIIsCaseSensitiveFS`.
#[no_mangle]
pub unsafe extern "C" fn VSIIsCaseSensitiveFS(pszFilename: *const c_char) -> c_int {
    guard("VSIIsCaseSensitiveFS", TRUE, || opt_str(pszFilename).map_or(TRUE, |p| crate::is_case_sensitive(&p) as c_int))
}

/// `VSISupportsSparseFiles`.
#[no_mangle]
pub unsafe extern "C" fn VSISupportsSparseFiles(pszPath: *const c_char) -> c_int {
    guard("VSISupportsSparseFiles", FALSE, || opt_str(pszPath).is_some_and(|p| crate::supports_sparse_files(&p)) as c_int)
}

/// `VSIGetFileSystemsPrefixes`: free with `CSLDestroy`.
#[no_mangle]
pub extern "C" fn VSIGetFileSystemsPrefixes() -> *mut *mut c_char {
    guard("VSIGetFileSystemsPrefixes", ptr::null_mut(), || to_csl(&crate::file_system_prefixes()))
}
