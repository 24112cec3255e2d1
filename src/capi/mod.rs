//! The C face: GDAL's `cpl_vsi.h` functions with their names, signatures,
//! return conventions and ownership rules, each a thin translation of the
//! safe API. Every function goes through [`guard`], checks its pointers, and
//! reports failures through the last-error API.
//!
//! Variadic functions (`VSIFPrintfL`, `CPLError`, `VSIError`, `CPLDebug`)
//! cannot be defined in stable Rust; `shim.c` formats their message and calls
//! the non-variadic functions exported here.

#![allow(non_snake_case, non_camel_case_types, non_upper_case_globals, improper_ctypes, clippy::missing_safety_doc)]

pub mod config;
pub mod crypt;
pub mod error;
pub mod file;
pub mod fs;
pub mod mem;
pub mod net;
pub mod stdout;
pub mod strings;
pub mod types;

use std::ffi::CStr;
use std::os::raw::{c_char, c_int};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::{cple, ErrorClass};

// Keep the C shim's exported functions in the link: nothing in Rust calls
// them, and an unreferenced archive member would be dropped.
extern "C" {
    fn VSIFPrintfL(fp: *mut types::VSILFILE, fmt: *const c_char, ...) -> c_int;
    fn CPLError(class: c_int, number: c_int, fmt: *const c_char, ...);
    fn VSIError(number: c_int, fmt: *const c_char, ...);
    fn CPLDebug(category: *const c_char, fmt: *const c_char, ...);
}
#[used]
static KEEP_PRINTF: unsafe extern "C" fn(*mut types::VSILFILE, *const c_char, ...) -> c_int = VSIFPrintfL;
#[used]
static KEEP_CPLERROR: unsafe extern "C" fn(c_int, c_int, *const c_char, ...) = CPLError;
#[used]
static KEEP_VSIERROR: unsafe extern "C" fn(c_int, *const c_char, ...) = VSIError;
#[used]
static KEEP_CPLDEBUG: unsafe extern "C" fn(*const c_char, *const c_char, ...) = CPLDebug;

/// Runs `f`, turning a panic into a reported failure and `default`: a panic
/// must never unwind into C.
pub(crate) fn guard<R>(func: &str, default: R, f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            let msg = format!("internal error in {func}: {what}");
            crate::error::set_vsi_error(crate::error::vsie::FILE_ERROR, &msg);
            crate::error::cpl_error(ErrorClass::Failure, cple::ASSERTION_FAILED, &msg);
            default
        }
    }
}

/// Reports a NULL where a pointer was required, in GDAL's words.
pub(crate) fn null_pointer(func: &str, arg: &str) {
    let msg = format!("Pointer '{arg}' is NULL in '{func}'.");
    crate::error::set_vsi_error(crate::error::vsie::FILE_ERROR, &msg);
    crate::error::cpl_error(ErrorClass::Failure, cple::OBJECT_NULL, &msg);
}

/// Borrows a C string as a string, keeping bytes that are not UTF-8 (see
/// `rawstr`); `None` for NULL.
pub(crate) unsafe fn opt_str<'a>(p: *const c_char) -> Option<std::borrow::Cow<'a, str>> {
    if p.is_null() {
        None
    } else {
        Some(crate::rawstr::decode(CStr::from_ptr(p).to_bytes()))
    }
}

/// Like [`opt_str`] but reports a NULL as an error.
pub(crate) unsafe fn req_str<'a>(p: *const c_char, func: &str, arg: &str) -> Option<std::borrow::Cow<'a, str>> {
    let s = opt_str(p);
    if s.is_none() {
        null_pointer(func, arg);
    }
    s
}

/// Reports `e` and returns `value`: the common failure path.
pub(crate) fn fail<T>(e: &crate::Error, value: T) -> T {
    e.report();
    value
}
