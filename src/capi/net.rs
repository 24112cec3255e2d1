//! The network functions of `cpl_vsi.h`: cache clearing and network
//! statistics, and libvsi's per-file request log.

use std::os::raw::c_char;
use std::ptr;

use super::strings::malloc_str;
use super::{guard, req_str};
use crate::net;

/// `VSICurlClearCache`: forgets everything the network file systems cache
/// (file properties, downloaded blocks, directory listings) and closes
/// idle connections.
#[no_mangle]
pub unsafe extern "C" fn VSICurlClearCache() {
    guard("VSICurlClearCache", (), net::clear_cache)
}

/// `VSICurlPartialClearCache`: forgets what is cached for files and
/// directories whose names start with `pszFilenamePrefix` (which must start
/// with a network prefix such as `/vsicurl/`).
#[no_mangle]
pub unsafe extern "C" fn VSICurlPartialClearCache(pszFilenamePrefix: *const c_char) {
    guard("VSICurlPartialClearCache", (), || {
        if let Some(prefix) = req_str(pszFilenamePrefix, "VSICurlPartialClearCache", "pszFilenamePrefix") {
            net::partial_clear_cache(&prefix);
        }
    })
}

/// `VSICurlAuthParametersChanged`: credentials changed, so cached "does not
/// exist" answers and directory listings are asked for again.
#[no_mangle]
pub unsafe extern "C" fn VSICurlAuthParametersChanged() {
    guard("VSICurlAuthParametersChanged", (), net::auth_parameters_changed)
}

/// `VSINetworkStatsReset`: clears the network statistics; whether they are
/// collected (`CPL_VSIL_NETWORK_STATS_ENABLED`) is read again at the next
/// request.
#[no_mangle]
pub unsafe extern "C" fn VSINetworkStatsReset() {
    guard("VSINetworkStatsReset", (), net::stats::reset)
}

/// `VSINetworkStatsGetAsSerializedJSON`: the network statistics as GDAL's
/// JSON (requests and bytes per method, per handler, file and action).
/// Free with `VSIFree`. `papszOptions` is unused.
#[no_mangle]
pub unsafe extern "C" fn VSINetworkStatsGetAsSerializedJSON(papszOptions: *mut *mut c_char) -> *mut c_char {
    let _ = papszOptions;
    guard("VSINetworkStatsGetAsSerializedJSON", ptr::null_mut(), || malloc_str(&net::stats::as_json()))
}

/// libvsi extension: every request made for the file `pszFilename` (its full
/// `/vsicurl/...` name, as opened), oldest first, as a JSON array. Each
/// element has `method`, `url` (secrets redacted), `range` (`[first, last]`
/// byte or null), `status` (0 when no answer came), `bytes` (body bytes
/// received), `start_ms` (when it started, in milliseconds since the
/// process's first logged request), `ms` (duration), `cause` (why it was made: "size probe",
/// "list directory", "read", "read-ahead", "multi-range read", ...) and
/// `error` (string or null). Requests made to open the file, such as the
/// listing of its directory, are included. The last 4096 requests of each
/// of the last 1024 files used are kept. Free with `VSIFree`; NULL if
/// `pszFilename` is NULL.
#[no_mangle]
pub unsafe extern "C" fn VSIRS_NetworkLogGetAsJSON(pszFilename: *const c_char) -> *mut c_char {
    guard("VSIRS_NetworkLogGetAsJSON", ptr::null_mut(), || {
        match req_str(pszFilename, "VSIRS_NetworkLogGetAsJSON", "pszFilename") {
            Some(name) => malloc_str(&net::stats::request_log_json(&name)),
            None => ptr::null_mut(),
        }
    })
}

/// libvsi extension: forgets the request log of `pszFilename`, or of every
/// file when it is NULL.
#[no_mangle]
pub unsafe extern "C" fn VSIRS_NetworkLogReset(pszFilename: *const c_char) {
    guard("VSIRS_NetworkLogReset", (), || {
        let name = super::opt_str(pszFilename);
        net::stats::clear_request_log(name.as_deref());
    })
}
