//! String lists (`char **`, NULL-terminated, every piece from malloc) and
//! the allocation functions of `cpl_vsi.h`. Everything handed to C comes
//! from libc's allocator so `VSIFree`, `CSLDestroy` and `free` release it.

use std::ffi::CStr;
use std::os::raw::{c_char, c_int, c_void};
use std::ptr;

use super::guard;
use super::types::CSLConstList;

/// A malloc'd copy of `s` (NUL-terminated), or NULL if malloc fails.
pub(crate) fn malloc_str(s: &str) -> *mut c_char {
    let raw = crate::rawstr::encode(s);
    let bytes: &[u8] = &raw;
    let len = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    // SAFETY: we write len bytes and a NUL into a block of len + 1.
    unsafe {
        let p = libc::malloc(len + 1) as *mut u8;
        if !p.is_null() {
            ptr::copy_nonoverlapping(bytes.as_ptr(), p, len);
            *p.add(len) = 0;
        }
        p as *mut c_char
    }
}

/// A malloc'd copy of `bytes`.
pub(crate) fn malloc_bytes(bytes: &[u8], extra_nul: bool) -> *mut u8 {
    let size = bytes.len() + usize::from(extra_nul);
    // SAFETY: the block holds `size` bytes; we fill them all.
    unsafe {
        let p = libc::malloc(size.max(1)) as *mut u8;
        if !p.is_null() {
            ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
            if extra_nul {
                *p.add(bytes.len()) = 0;
            }
        }
        p
    }
}

/// A CSL list of `items`; NULL for an empty list, as GDAL returns.
pub(crate) fn to_csl<S: AsRef<str>>(items: &[S]) -> *mut *mut c_char {
    if items.is_empty() {
        return ptr::null_mut();
    }
    // SAFETY: room for every pointer plus the terminating NULL.
    unsafe {
        let list = libc::calloc(items.len() + 1, std::mem::size_of::<*mut c_char>()) as *mut *mut c_char;
        if list.is_null() {
            return list;
        }
        for (i, s) in items.iter().enumerate() {
            *list.add(i) = malloc_str(s.as_ref());
        }
        list
    }
}

/// Reads a CSL list into Rust strings (NULL → empty).
pub(crate) unsafe fn from_csl(list: *const *const c_char) -> Vec<String> {
    let mut out = Vec::new();
    if list.is_null() {
        return out;
    }
    let mut i = 0;
    loop {
        let p = *list.add(i);
        if p.is_null() {
            break;
        }
        out.push(crate::rawstr::decode(CStr::from_ptr(p).to_bytes()).into_owned());
        i += 1;
    }
    out
}

/// Splits `KEY=VALUE` (or `KEY:VALUE`) items of an options list.
pub(crate) unsafe fn name_values(list: *const *const c_char) -> Vec<(String, String)> {
    from_csl(list)
        .into_iter()
        .filter_map(|item| {
            let i = item.find(['=', ':'])?;
            Some((item[..i].to_string(), item[i + 1..].to_string()))
        })
        .collect()
}

/// `CSLDestroy`: frees every string then the list; NULL is fine.
#[no_mangle]
pub unsafe extern "C" fn CSLDestroy(papszStrList: *mut *mut c_char) {
    guard("CSLDestroy", (), || {
        if papszStrList.is_null() {
            return;
        }
        let mut i = 0;
        loop {
            let p = *papszStrList.add(i);
            if p.is_null() {
                break;
            }
            libc::free(p.cast());
            i += 1;
        }
        libc::free(papszStrList.cast());
    })
}

/// `CSLCount`: number of strings; NULL → 0.
#[no_mangle]
pub unsafe extern "C" fn CSLCount(papszStrList: CSLConstList) -> c_int {
    guard("CSLCount", 0, || {
        if papszStrList.is_null() {
            return 0;
        }
        let mut n = 0;
        while !(*papszStrList.add(n)).is_null() {
            n += 1;
        }
        n as c_int
    })
}

/// `CSLAddString`: appends a copy of `pszNewString`, reallocating the list.
#[no_mangle]
pub unsafe extern "C" fn CSLAddString(papszStrList: *mut *mut c_char, pszNewString: *const c_char) -> *mut *mut c_char {
    guard("CSLAddString", papszStrList, || {
        if pszNewString.is_null() {
            return papszStrList;
        }
        let n = CSLCount(papszStrList as *const *const c_char) as usize;
        let list = libc::realloc(papszStrList.cast(), (n + 2) * std::mem::size_of::<*mut c_char>()) as *mut *mut c_char;
        if list.is_null() {
            return papszStrList;
        }
        *list.add(n) = libc::strdup(pszNewString);
        *list.add(n + 1) = ptr::null_mut();
        list
    })
}

/// `CSLFetchNameValue`: the value of `KEY=VALUE` (or `KEY:VALUE`), key
/// compared without case; NULL if absent. Points into the list.
#[no_mangle]
pub unsafe extern "C" fn CSLFetchNameValue(papszStrList: CSLConstList, pszName: *const c_char) -> *const c_char {
    guard("CSLFetchNameValue", ptr::null(), || {
        if papszStrList.is_null() || pszName.is_null() {
            return ptr::null();
        }
        let key = CStr::from_ptr(pszName).to_bytes();
        let mut i = 0;
        loop {
            let p = *papszStrList.add(i);
            if p.is_null() {
                return ptr::null();
            }
            let item = CStr::from_ptr(p).to_bytes();
            if item.len() > key.len()
                && item[..key.len()].eq_ignore_ascii_case(key)
                && (item[key.len()] == b'=' || item[key.len()] == b':')
            {
                return p.add(key.len() + 1);
            }
            i += 1;
        }
    })
}

/// `VSIMalloc`: plain `malloc`.
#[no_mangle]
pub unsafe extern "C" fn VSIMalloc(nSize: usize) -> *mut c_void {
    libc::malloc(nSize)
}

/// `VSICalloc`: plain `calloc`.
#[no_mangle]
pub unsafe extern "C" fn VSICalloc(nCount: usize, nSize: usize) -> *mut c_void {
    libc::calloc(nCount, nSize)
}

/// `VSIRealloc`: plain `realloc`.
#[no_mangle]
pub unsafe extern "C" fn VSIRealloc(pData: *mut c_void, nNewSize: usize) -> *mut c_void {
    libc::realloc(pData, nNewSize)
}

/// `VSIFree`: plain `free`; NULL is fine.
#[no_mangle]
pub unsafe extern "C" fn VSIFree(pData: *mut c_void) {
    libc::free(pData)
}

/// `VSIStrdup`: a malloc'd copy. GDAL crashes on NULL; we return a copy of "".
#[no_mangle]
pub unsafe extern "C" fn VSIStrdup(pszString: *const c_char) -> *mut c_char {
    if pszString.is_null() {
        return libc::strdup(c"".as_ptr());
    }
    libc::strdup(pszString)
}
