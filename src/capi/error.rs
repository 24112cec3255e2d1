//! The two last-error APIs (`VSIGetLastError*`, `CPLGetLastError*`) and the
//! CPL error handler stack.

use std::ffi::CStr;
use std::os::raw::c_char;

use super::types::{CPLErr, CPLErrorHandler, CPLErrorNum, VSIErrorNum};
use super::{guard, opt_str};
use crate::error::{self, ErrorClass, GlobalHandler};

/// `VSIGetLastErrorNo`: this thread's last VSI error, `VSIE_None` if none.
#[no_mangle]
pub extern "C" fn VSIGetLastErrorNo() -> VSIErrorNum {
    guard("VSIGetLastErrorNo", 0, error::vsi_error_number)
}

/// `VSIGetLastErrorMsg`: never NULL; "" when nothing was posted.
#[no_mangle]
pub extern "C" fn VSIGetLastErrorMsg() -> *const c_char {
    guard("VSIGetLastErrorMsg", c"".as_ptr(), error::vsi_error_message_ptr)
}

/// `VSIErrorReset`.
#[no_mangle]
pub extern "C" fn VSIErrorReset() {
    guard("VSIErrorReset", (), error::reset_vsi_error)
}

/// Records a VSI error with an already formatted message (what `VSIError`
/// does after formatting). A libvsi extension, usable without varargs.
#[no_mangle]
pub unsafe extern "C" fn VSIRS_VSIErrorMsg(nErrNo: VSIErrorNum, pszMsg: *const c_char) {
    guard("VSIRS_VSIErrorMsg", (), || error::set_vsi_error(nErrNo, &opt_str(pszMsg).unwrap_or_default()))
}

/// Raises a CPL error with an already formatted message (what `CPLError`
/// does after formatting). A libvsi extension, usable without varargs.
#[no_mangle]
pub unsafe extern "C" fn VSIRS_CPLErrorMsg(eErrClass: CPLErr, nErrNo: CPLErrorNum, pszMsg: *const c_char) {
    guard("VSIRS_CPLErrorMsg", (), || {
        error::cpl_error(ErrorClass::from_raw(eErrClass), nErrNo, &opt_str(pszMsg).unwrap_or_default())
    })
}

/// `CPLGetLastErrorNo`.
#[no_mangle]
pub extern "C" fn CPLGetLastErrorNo() -> CPLErrorNum {
    guard("CPLGetLastErrorNo", 0, error::cpl_error_number)
}

/// `CPLGetLastErrorType`.
#[no_mangle]
pub extern "C" fn CPLGetLastErrorType() -> CPLErr {
    guard("CPLGetLastErrorType", 0, || error::cpl_error_class() as CPLErr)
}

/// `CPLGetLastErrorMsg`: never NULL; "" when nothing was raised.
#[no_mangle]
pub extern "C" fn CPLGetLastErrorMsg() -> *const c_char {
    guard("CPLGetLastErrorMsg", c"".as_ptr(), error::cpl_error_message_ptr)
}

/// `CPLErrorReset`.
#[no_mangle]
pub extern "C" fn CPLErrorReset() {
    guard("CPLErrorReset", (), error::reset_cpl_error)
}

/// `CPLSetErrorHandler`: sets the process-wide handler (NULL restores the
/// default) and returns the previous one.
#[no_mangle]
pub extern "C" fn CPLSetErrorHandler(pfnErrorHandlerNew: CPLErrorHandler) -> CPLErrorHandler {
    guard("CPLSetErrorHandler", None, || {
        let new = match pfnErrorHandlerNew {
            Some(h) => GlobalHandler::Custom(h),
            None => GlobalHandler::Silent,
        };
        match error::set_global_handler(new) {
            GlobalHandler::Default => Some(CPLDefaultErrorHandler),
            GlobalHandler::Silent => None,
            GlobalHandler::Custom(h) => Some(h),
        }
    })
}

/// `CPLPushErrorHandler`: a handler for this thread, on top of the stack.
#[no_mangle]
pub extern "C" fn CPLPushErrorHandler(pfnErrorHandlerNew: CPLErrorHandler) {
    guard("CPLPushErrorHandler", (), || error::push_handler(pfnErrorHandlerNew.unwrap_or(CPLQuietErrorHandler)))
}

/// `CPLPopErrorHandler`.
#[no_mangle]
pub extern "C" fn CPLPopErrorHandler() {
    guard("CPLPopErrorHandler", (), error::pop_handler)
}

/// `CPLQuietErrorHandler`: swallows everything.
#[no_mangle]
pub unsafe extern "C" fn CPLQuietErrorHandler(_eErrClass: CPLErr, _nError: CPLErrorNum, _pszErrorMsg: *const c_char) {}

/// `CPLDefaultErrorHandler`: `ERROR n: msg` / `Warning n: msg` on stderr.
#[no_mangle]
pub unsafe extern "C" fn CPLDefaultErrorHandler(eErrClass: CPLErr, nError: CPLErrorNum, pszErrorMsg: *const c_char) {
    guard("CPLDefaultErrorHandler", (), || {
        let msg = if pszErrorMsg.is_null() { c"" } else { CStr::from_ptr(pszErrorMsg) };
        error::default_handler(ErrorClass::from_raw(eErrClass), nError, msg)
    })
}

/// `CPLDebug` with an already formatted message: passed to the handler as
/// "category: message" when `CPL_DEBUG` is ON or names the category. A
/// libvsi extension, usable without varargs.
#[no_mangle]
pub unsafe extern "C" fn VSIRS_CPLDebugMsg(pszCategory: *const c_char, pszMsg: *const c_char) {
    guard("VSIRS_CPLDebugMsg", (), || {
        error::debug(&opt_str(pszCategory).unwrap_or_default(), &opt_str(pszMsg).unwrap_or_default())
    })
}
