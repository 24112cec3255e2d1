//! Configuration options, as `CPLSetConfigOption` and friends keep them.
//!
//! Lookup order: this thread's options, then the process-wide ones, then the
//! environment. Every option libvsi reads is listed in [`KNOWN_OPTIONS`] with
//! its default; nothing else in the crate reads the environment directly.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::{CStr, CString};
use std::os::raw::c_char;

use once_cell::sync::Lazy;
use parking_lot::RwLock;

/// An option libvsi understands: its name, its default, and what it does.
pub struct OptionDoc {
    pub name: &'static str,
    pub default: &'static str,
    pub doc: &'static str,
}

/// The one table of options read by libvsi.
pub const KNOWN_OPTIONS: &[OptionDoc] = &[
    OptionDoc { name: "CPL_DEBUG", default: "OFF", doc: "print CPLDebug messages through the default error handler" },
    OptionDoc { name: "CPL_ALLOW_VSISTDIN", default: "YES", doc: "NO makes /vsistdin/ refuse to open or stat" },
    OptionDoc {
        name: "CPL_VSISTDIN_BUFFER_LIMIT",
        default: "1048576",
        doc: "bytes of standard input kept for seeking back (MB/GB suffixes, -1 unlimited); the limit only grows",
    },
    OptionDoc { name: "CPL_VSISTDIN_FILE", default: "stdin", doc: "test hook: a file /vsistdin/ reads instead of standard input" },
    OptionDoc {
        name: "CPL_VSISTDIN_RESET_POSITION",
        default: "NO",
        doc: "test hook: the next /vsistdin/ open starts CPL_VSISTDIN_FILE over from its beginning",
    },
    OptionDoc {
        name: "CPL_VSISTDIN_FILE_CLOSE",
        default: "NO",
        doc: "test hook: closing a /vsistdin/ handle closes CPL_VSISTDIN_FILE (back to standard input)",
    },
    OptionDoc { name: "VSICRYPT_ADD_KEY_CHECK", default: "NO", doc: "/vsicrypt/ creation: store a key check in the header" },
    OptionDoc { name: "VSICRYPT_ALG", default: "AES", doc: "/vsicrypt/ creation: cipher (AES, DES_EDE2 or DES_EDE3 in this build)" },
    OptionDoc { name: "VSICRYPT_FREETEXT", default: "", doc: "/vsicrypt/ creation: text stored unencrypted in the header" },
    OptionDoc { name: "VSICRYPT_IV", default: "random", doc: "/vsicrypt/ creation: the IV, one block of text (for tests only)" },
    OptionDoc { name: "VSICRYPT_KEY", default: "", doc: "/vsicrypt/ key as text (GENERATE_IT at creation: a random key)" },
    OptionDoc {
        name: "VSICRYPT_KEY_B64",
        default: "",
        doc: "/vsicrypt/ key in Base64, used when VSICRYPT_KEY is unset; receives a generated key",
    },
    OptionDoc { name: "VSICRYPT_MODE", default: "CBC", doc: "/vsicrypt/ creation: CBC, CFB, OFB, CTR or CBC_CTS" },
    OptionDoc { name: "VSICRYPT_SECTOR_SIZE", default: "512", doc: "/vsicrypt/ creation: bytes encrypted together" },
    OptionDoc { name: "VSI_CACHE", default: "NO", doc: "read local files opened \"r\"/\"rb\" through a block cache" },
    OptionDoc { name: "VSI_CACHE_SIZE", default: "25000000", doc: "bytes each VSI_CACHE cache may hold (KB/MB/GB suffixes allowed)" },
    OptionDoc {
        name: "VSIRS_CACHE_TOTAL_LIMIT",
        default: "unset",
        doc: "bytes all block caches of the process may hold together (each keeps at least one block)",
    },
    OptionDoc {
        name: "VSIRS_MEM_REPORT_AT_EXIT",
        default: "NO",
        doc: "at process exit, print to stderr every /vsimem/ file never unlinked and the bytes it holds",
    },
];

static GLOBAL: Lazy<RwLock<HashMap<String, CString>>> = Lazy::new(|| RwLock::new(HashMap::new()));

thread_local! {
    static THREAD_LOCAL: RefCell<HashMap<String, CString>> = RefCell::new(HashMap::new());
}

fn to_c(value: &str) -> CString {
    crate::error::to_cstring(value)
}

/// Option names are case-insensitive, as in GDAL (the environment is not).
fn norm(key: &str) -> String {
    key.to_ascii_uppercase()
}

/// Runs `f` on this thread's options; `None` once they are destroyed (at
/// thread or process exit), so late readers see "unset" instead of a panic.
fn with_thread_local<R>(f: impl FnOnce(&mut HashMap<String, CString>) -> R) -> Option<R> {
    THREAD_LOCAL.try_with(|m| f(&mut m.borrow_mut())).ok()
}

/// `CPLSetConfigOption`: `None` removes the option.
pub fn set(key: &str, value: Option<&str>) {
    let mut map = GLOBAL.write();
    match value {
        Some(v) => {
            map.insert(norm(key), to_c(v));
        }
        None => {
            map.remove(&norm(key));
        }
    }
}

/// `CPLSetThreadLocalConfigOption`: `None` removes the option.
pub fn set_thread_local(key: &str, value: Option<&str>) {
    with_thread_local(|map| match value {
        Some(v) => {
            map.insert(norm(key), to_c(v));
        }
        None => {
            map.remove(&norm(key));
        }
    });
}

/// The effective value of an option, or `None` when it is set nowhere.
pub fn get(key: &str) -> Option<String> {
    if let Some(v) = get_thread_local(key) {
        return Some(v);
    }
    if let Some(v) = get_global(key) {
        return Some(v);
    }
    std::env::var_os(key).map(|v| {
        use std::os::unix::ffi::OsStrExt;
        crate::rawstr::decode(v.as_bytes()).into_owned()
    })
}

pub fn get_thread_local(key: &str) -> Option<String> {
    with_thread_local(|m| m.get(&norm(key)).map(|v| crate::rawstr::decode(v.to_bytes()).into_owned())).flatten()
}

pub fn get_global(key: &str) -> Option<String> {
    GLOBAL.read().get(&norm(key)).map(|v| crate::rawstr::decode(v.to_bytes()).into_owned())
}

/// The option's value, or `default`.
pub fn get_or(key: &str, default: &str) -> String {
    get(key).unwrap_or_else(|| default.to_string())
}

/// GDAL's `CPLTestBool`: NO, FALSE, OFF and 0 (any case) are false, any
/// other value is true.
pub fn parse_bool(value: &str) -> bool {
    !(value.eq_ignore_ascii_case("NO")
        || value.eq_ignore_ascii_case("FALSE")
        || value.eq_ignore_ascii_case("OFF")
        || value == "0")
}

pub fn get_bool(key: &str, default: bool) -> bool {
    get(key).map_or(default, |v| parse_bool(&v))
}

/// Pointer lookups for the C face. Like GDAL's, a pointer stays valid until
/// the same option is set again on the same scope.
pub mod raw {
    use super::*;

    pub fn thread_local_ptr(key: &str) -> Option<*const c_char> {
        with_thread_local(|m| m.get(&norm(key)).map(|v| v.as_ptr())).flatten()
    }

    pub fn global_ptr(key: &str) -> Option<*const c_char> {
        GLOBAL.read().get(&norm(key)).map(|v| v.as_ptr())
    }

    /// `CPLGetConfigOption` without the default: thread-local, global, then
    /// `getenv`.
    pub fn effective_ptr(key: &CStr) -> Option<*const c_char> {
        let name = key.to_str().ok()?;
        if let Some(p) = thread_local_ptr(name).or_else(|| global_ptr(name)) {
            return Some(p);
        }
        // SAFETY: key is a valid C string; getenv returns NULL or a pointer
        // into the environment.
        let p = unsafe { libc::getenv(key.as_ptr()) };
        (!p.is_null()).then_some(p as *const c_char)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_local_overrides_global_which_overrides_env() {
        std::env::set_var("VSIRS_TEST_PRECEDENCE", "env");
        assert_eq!(get("VSIRS_TEST_PRECEDENCE").as_deref(), Some("env"));
        set("VSIRS_TEST_PRECEDENCE", Some("global"));
        assert_eq!(get("VSIRS_TEST_PRECEDENCE").as_deref(), Some("global"));
        set_thread_local("VSIRS_TEST_PRECEDENCE", Some("local"));
        assert_eq!(get("VSIRS_TEST_PRECEDENCE").as_deref(), Some("local"));
        let other = std::thread::spawn(|| get("VSIRS_TEST_PRECEDENCE")).join().unwrap();
        assert_eq!(other.as_deref(), Some("global"));
        set_thread_local("VSIRS_TEST_PRECEDENCE", None);
        set("VSIRS_TEST_PRECEDENCE", None);
        assert_eq!(get("VSIRS_TEST_PRECEDENCE").as_deref(), Some("env"));
    }

    #[test]
    fn names_are_case_insensitive() {
        set("vsirs_test_case", Some("x"));
        assert_eq!(get("VSIRS_TEST_CASE").as_deref(), Some("x"));
        set("VSIRS_Test_Case", None);
        assert_eq!(get_global("vsirs_test_case"), None);
    }

    #[test]
    fn bool_spellings_follow_cpl_test_bool() {
        for no in ["NO", "no", "False", "OFF", "0"] {
            assert!(!parse_bool(no), "{no}");
        }
        for yes in ["YES", "TRUE", "on", "1", "anything"] {
            assert!(parse_bool(yes), "{yes}");
        }
    }
}
