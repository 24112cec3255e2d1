//! `CPLSetConfigOption` and friends.

use std::ffi::CStr;
use std::os::raw::c_char;


use super::{guard, opt_str};
use crate::config;

/// `CPLSetConfigOption`: sets a process-wide option; NULL value removes it.
/// Pointers previously returned for this key become invalid.
#[no_mangle]
pub unsafe extern "C" fn CPLSetConfigOption(pszKey: *const c_char, pszValue: *const c_char) {
    guard("CPLSetConfigOption", (), || {
        if let Some(key) = opt_str(pszKey) {
            config::set(&key, opt_str(pszValue).as_deref());
        }
    })
}

/// `CPLSetThreadLocalConfigOption`: as `CPLSetConfigOption`, for this thread
/// only, taking precedence over the process-wide value.
#[no_mangle]
pub unsafe extern "C" fn CPLSetThreadLocalConfigOption(pszKey: *const c_char, pszValue: *const c_char) {
    guard("CPLSetThreadLocalConfigOption", (), || {
        if let Some(key) = opt_str(pszKey) {
            config::set_thread_local(&key, opt_str(pszValue).as_deref());
        }
    })
}

/// `CPLGetConfigOption`: thread-local, then process-wide, then environment,
/// then `pszDefault`. The result is not to be freed.
#[no_mangle]
pub unsafe extern "C" fn CPLGetConfigOption(pszKey: *const c_char, pszDefault: *const c_char) -> *const c_char {
    guard("CPLGetConfigOption", pszDefault, || {
        if pszKey.is_null() {
            return pszDefault;
        }
        config::raw::effective_ptr(CStr::from_ptr(pszKey)).unwrap_or(pszDefault)
    })
}

/// `CPLGetThreadLocalConfigOption`: this thread's value only.
#[no_mangle]
pub unsafe extern "C" fn CPLGetThreadLocalConfigOption(pszKey: *const c_char, pszDefault: *const c_char) -> *const c_char {
    guard("CPLGetThreadLocalConfigOption", pszDefault, || {
        opt_str(pszKey).and_then(|k| config::raw::thread_local_ptr(&k)).unwrap_or(pszDefault)
    })
}

/// `CPLGetGlobalConfigOption`: the process-wide value only.
#[no_mangle]
pub unsafe extern "C" fn CPLGetGlobalConfigOption(pszKey: *const c_char, pszDefault: *const c_char) -> *const c_char {
    guard("CPLGetGlobalConfigOption", pszDefault, || {
        opt_str(pszKey).and_then(|k| config::raw::global_ptr(&k)).unwrap_or(pszDefault)
    })
}

/// `CPLTestBool`: FALSE for NO, FALSE, OFF and 0 (any case), TRUE otherwise.
#[no_mangle]
pub unsafe extern "C" fn CPLTestBool(pszValue: *const c_char) -> std::os::raw::c_int {
    guard("CPLTestBool", 0, || opt_str(pszValue).is_some_and(|v| config::parse_bool(&v)) as _)
}

