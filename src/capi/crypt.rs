//! `/vsicrypt/`: installing the handler and setting the key.

use std::os::raw::c_int;

use super::guard;
use super::types::GByte;
use crate::fs::crypt;

/// `VSIInstallCryptFileHandler`: (re)installs the `/vsicrypt/` handler. It
/// is installed from the start; calling this again is harmless.
#[no_mangle]
pub extern "C" fn VSIInstallCryptFileHandler() {
    guard("VSIInstallCryptFileHandler", (), crypt::install)
}

/// `VSISetCryptKey`: installs the key `/vsicrypt/` uses when neither the
/// path nor the config options give one (the bytes are copied). NULL or a
/// size of 0 clears the previous key and wipes its copy.
#[no_mangle]
pub unsafe extern "C" fn VSISetCryptKey(pabyKey: *const GByte, nKeySize: c_int) {
    guard("VSISetCryptKey", (), || {
        if pabyKey.is_null() || nKeySize <= 0 {
            crypt::set_key(None);
        } else {
            crypt::set_key(Some(std::slice::from_raw_parts(pabyKey, nKeySize as usize)));
        }
    })
}
