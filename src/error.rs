//! The error type of the safe API, and the two thread-local "last error"
//! records GDAL keeps: the VSI one (`VSIGetLastErrorNo/Msg`) and the CPL one
//! (`CPLGetLastErrorNo/Type/Msg`) with its handler stack.

use std::cell::RefCell;
use std::ffi::{CStr, CString};
use std::fmt;
use std::os::raw::{c_char, c_int};

use parking_lot::Mutex;

/// `VSIE_*` codes of `cpl_vsi_error.h`.
pub mod vsie {
    pub const NONE: i32 = 0;
    pub const FILE_ERROR: i32 = 1;
    pub const HTTP_ERROR: i32 = 2;
    pub const AWS_ERROR: i32 = 5;
    pub const AWS_ACCESS_DENIED: i32 = 6;
    pub const AWS_BUCKET_NOT_FOUND: i32 = 7;
    pub const AWS_OBJECT_NOT_FOUND: i32 = 8;
    pub const AWS_INVALID_CREDENTIALS: i32 = 9;
    pub const AWS_SIGNATURE_DOES_NOT_MATCH: i32 = 10;
}

/// `CPLE_*` numbers of `cpl_error.h`.
pub mod cple {
    pub const NONE: i32 = 0;
    pub const APP_DEFINED: i32 = 1;
    pub const OUT_OF_MEMORY: i32 = 2;
    pub const FILE_IO: i32 = 3;
    pub const OPEN_FAILED: i32 = 4;
    pub const ILLEGAL_ARG: i32 = 5;
    pub const NOT_SUPPORTED: i32 = 6;
    pub const ASSERTION_FAILED: i32 = 7;
    pub const NO_WRITE_ACCESS: i32 = 8;
    pub const USER_INTERRUPT: i32 = 9;
    pub const OBJECT_NULL: i32 = 10;
    pub const HTTP_RESPONSE: i32 = 11;
}

/// `CPLErr` classes.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    None = 0,
    Debug = 1,
    Warning = 2,
    Failure = 3,
    Fatal = 4,
}

impl ErrorClass {
    pub fn from_raw(v: c_int) -> ErrorClass {
        match v {
            0 => ErrorClass::None,
            1 => ErrorClass::Debug,
            2 => ErrorClass::Warning,
            4 => ErrorClass::Fatal,
            _ => ErrorClass::Failure,
        }
    }
}

/// What went wrong, in terms a caller can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    AlreadyExists,
    PermissionDenied,
    IsADirectory,
    NotADirectory,
    DirectoryNotEmpty,
    InvalidInput,
    Unsupported,
    OutOfMemory,
    Io,
}

impl ErrorKind {
    fn from_errno(errno: i32) -> ErrorKind {
        match errno {
            libc::ENOENT => ErrorKind::NotFound,
            libc::EEXIST => ErrorKind::AlreadyExists,
            libc::EACCES | libc::EPERM | libc::EROFS => ErrorKind::PermissionDenied,
            libc::EISDIR => ErrorKind::IsADirectory,
            libc::ENOTDIR => ErrorKind::NotADirectory,
            libc::ENOTEMPTY => ErrorKind::DirectoryNotEmpty,
            libc::EINVAL | libc::ENAMETOOLONG => ErrorKind::InvalidInput,
            libc::ENOSYS | libc::EOPNOTSUPP => ErrorKind::Unsupported,
            libc::ENOMEM => ErrorKind::OutOfMemory,
            _ => ErrorKind::Io,
        }
    }

    fn errno(self) -> i32 {
        match self {
            ErrorKind::NotFound => libc::ENOENT,
            ErrorKind::AlreadyExists => libc::EEXIST,
            ErrorKind::PermissionDenied => libc::EACCES,
            ErrorKind::IsADirectory => libc::EISDIR,
            ErrorKind::NotADirectory => libc::ENOTDIR,
            ErrorKind::DirectoryNotEmpty => libc::ENOTEMPTY,
            ErrorKind::InvalidInput => libc::EINVAL,
            ErrorKind::Unsupported => libc::EOPNOTSUPP,
            ErrorKind::OutOfMemory => libc::ENOMEM,
            ErrorKind::Io => libc::EIO,
        }
    }
}

/// An error from a file system operation.
///
/// Besides its kind and message it remembers whether GDAL would also raise a
/// `CPLError` for this failure (most VSI failures only set `errno`), so the C
/// face reports exactly as GDAL does.
#[derive(Debug, Clone)]
pub struct Error {
    kind: ErrorKind,
    errno: i32,
    vsi_code: i32,
    message: String,
    /// `Some(CPLE_*)` when GDAL emits a `CPLError(CE_Failure, n, ...)` here.
    cpl_number: Option<i32>,
}

pub type Result<T> = std::result::Result<T, Error>;

/// Option names whose values are secrets when they appear inside a path
/// (`/vsicrypt/key=...,file=...`): their values never reach a message.
const SECRET_OPTIONS: [&str; 2] = ["key=", "key_b64="];

/// `text` with the value of every secret option replaced by `***` (up to
/// the next `,`, `&` or `/`).
pub fn redact(text: &str) -> std::borrow::Cow<'_, str> {
    let lower = text.to_ascii_lowercase();
    let mut hits: Vec<(usize, usize)> = Vec::new();
    for name in SECRET_OPTIONS {
        let mut from = 0;
        while let Some(i) = lower[from..].find(name) {
            let start = from + i + name.len();
            // Only a whole option name: "key=" but not "monkey=".
            let whole = from + i == 0 || !lower.as_bytes()[from + i - 1].is_ascii_alphanumeric();
            let end = lower[start..].find([',', '&', '/']).map_or(lower.len(), |j| start + j);
            if whole && end > start {
                hits.push((start, end));
            }
            from = start;
        }
    }
    if hits.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    hits.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for (start, end) in hits {
        if start < pos {
            continue;
        }
        out.push_str(&text[pos..start]);
        out.push_str("***");
        pos = end;
    }
    out.push_str(&text[pos..]);
    std::borrow::Cow::Owned(out)
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        let message = message.into();
        let message = redact(&message).into_owned();
        Error { kind, errno: kind.errno(), vsi_code: vsie::FILE_ERROR, message, cpl_number: None }
    }

    /// An error from an OS call, with the `strerror` text after `context`.
    pub fn from_errno(errno: i32, context: &str) -> Error {
        let text = strerror(errno);
        let message = if context.is_empty() { text } else { format!("{}: {text}", redact(context)) };
        Error { kind: ErrorKind::from_errno(errno), errno, vsi_code: vsie::FILE_ERROR, message, cpl_number: None }
    }

    /// The current `errno`, as left by the last failed libc call.
    pub fn last_os_error(context: &str) -> Error {
        Error::from_errno(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO), context)
    }

    pub fn not_found(path: &str) -> Error {
        Error::from_errno(libc::ENOENT, path)
    }

    /// Marks the error as one GDAL also raises through `CPLError`.
    pub fn with_cpl(mut self, cpl_number: i32) -> Error {
        self.cpl_number = Some(cpl_number);
        self
    }

    pub fn with_errno(mut self, errno: i32) -> Error {
        self.errno = errno;
        self
    }

    /// Sets the `VSIE_*` code the VSI last error gets (`vsie::HTTP_ERROR`
    /// for HTTP failures; `vsie::NONE` where GDAL records no VSI error).
    pub fn with_vsi_code(mut self, code: i32) -> Error {
        self.vsi_code = code;
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
    pub fn errno(&self) -> i32 {
        self.errno
    }
    pub fn vsi_code(&self) -> i32 {
        self.vsi_code
    }
    pub fn message(&self) -> &str {
        &self.message
    }
    pub fn cpl_number(&self) -> Option<i32> {
        self.cpl_number
    }

    /// Records this error the way GDAL would: `errno`, the VSI last error,
    /// and a `CPLError` when GDAL raises one for it.
    pub fn report(&self) {
        self.report_as(true)
    }

    /// As [`Error::report`]; `record_vsi: false` leaves the VSI last error
    /// alone, for calls whose caller did not ask for it (`VSIFOpenExL` with
    /// `bSetError` FALSE, `VSIStatExL` without `VSI_STAT_SET_ERROR_FLAG`).
    pub fn report_as(&self, record_vsi: bool) {
        set_errno(self.errno);
        if record_vsi {
            set_vsi_error(self.vsi_code, &self.message);
        }
        if let Some(n) = self.cpl_number {
            cpl_error(ErrorClass::Failure, n, &self.message);
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> std::io::Error {
        use std::io::ErrorKind as K;
        let kind = match e.kind {
            ErrorKind::NotFound => K::NotFound,
            ErrorKind::AlreadyExists => K::AlreadyExists,
            ErrorKind::PermissionDenied => K::PermissionDenied,
            ErrorKind::InvalidInput => K::InvalidInput,
            ErrorKind::Unsupported => K::Unsupported,
            ErrorKind::OutOfMemory => K::OutOfMemory,
            _ => K::Other,
        };
        std::io::Error::new(kind, e)
    }
}

pub fn strerror(errno: i32) -> String {
    std::io::Error::from_raw_os_error(errno)
        .to_string()
        .split(" (os error")
        .next()
        .unwrap_or_default()
        .to_string()
}

pub fn set_errno(errno: i32) {
    // SAFETY: __errno_location always returns this thread's errno slot.
    unsafe { *libc::__errno_location() = errno };
}

// ---------------------------------------------------------------------------
// VSI last error (cpl_vsi_error.h): thread-local, never printed.

/// GDAL caps messages near 1 MB; keep the same bound.
const MAX_MESSAGE: usize = 1 << 20;

struct LastError {
    number: i32,
    class: ErrorClass,
    message: CString,
}

impl LastError {
    fn empty() -> LastError {
        LastError { number: 0, class: ErrorClass::None, message: CString::default() }
    }
    fn set(&mut self, number: i32, class: ErrorClass, message: &str) {
        self.number = number;
        self.class = class;
        self.message = to_cstring(message);
    }
}

/// A C string of `message`, cut at an interior NUL and at the size cap.
pub fn to_cstring(message: &str) -> CString {
    let raw = crate::rawstr::encode(message);
    let mut bytes: &[u8] = &raw;
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        bytes = &bytes[..nul];
    }
    bytes = &bytes[..bytes.len().min(MAX_MESSAGE)];
    CString::new(bytes).unwrap_or_default()
}

thread_local! {
    static VSI_LAST: RefCell<LastError> = RefCell::new(LastError::empty());
    static CPL_LAST: RefCell<LastError> = RefCell::new(LastError::empty());
    static HANDLER_STACK: RefCell<Vec<RawHandler>> = const { RefCell::new(Vec::new()) };
}

pub fn set_vsi_error(number: i32, message: &str) {
    let _ = VSI_LAST.try_with(|e| e.borrow_mut().set(number, ErrorClass::Failure, message));
}

pub fn reset_vsi_error() {
    let _ = VSI_LAST.try_with(|e| *e.borrow_mut() = LastError::empty());
}

pub fn vsi_error_number() -> i32 {
    VSI_LAST.with(|e| e.borrow().number)
}

/// Pointer to this thread's last VSI message; valid until the next VSI
/// error or reset on this thread.
pub fn vsi_error_message_ptr() -> *const c_char {
    VSI_LAST.with(|e| e.borrow().message.as_ptr())
}

pub fn vsi_error_message() -> String {
    VSI_LAST.with(|e| crate::rawstr::decode(e.borrow().message.to_bytes()).into_owned())
}

// ---------------------------------------------------------------------------
// CPL errors: last error record plus the handler chain of cpl_error.h.

/// `CPLErrorHandler`: `void (*)(CPLErr, CPLErrorNum, const char *)`.
pub type RawHandler = unsafe extern "C" fn(c_int, c_int, *const c_char);

/// Where errors go when no thread-local handler is pushed.
#[derive(Clone, Copy)]
pub enum GlobalHandler {
    /// GDAL's default: print to stderr.
    Default,
    /// `CPLSetErrorHandler(NULL)`: record only, print nothing.
    Silent,
    Custom(RawHandler),
}

static GLOBAL_HANDLER: Mutex<GlobalHandler> = Mutex::new(GlobalHandler::Default);

/// Raises a CPL error: records it as this thread's last error and passes it
/// to the active handler (GDAL records every class, debug included).
pub fn cpl_error(class: ErrorClass, number: i32, message: &str) {
    let _ = CPL_LAST.try_with(|e| e.borrow_mut().set(number, class, message));
    dispatch(class, number, message);
}

/// Passes a message to the active handler without recording it.
fn dispatch(class: ErrorClass, number: i32, message: &str) {
    let text = to_cstring(message);
    let pushed = HANDLER_STACK.try_with(|s| s.borrow().last().copied()).ok().flatten();
    let handler = match pushed {
        Some(h) => GlobalHandler::Custom(h),
        None => *GLOBAL_HANDLER.lock(),
    };
    match handler {
        // SAFETY: the caller installed this handler for exactly this call shape.
        GlobalHandler::Custom(h) => unsafe { h(class as c_int, number, text.as_ptr()) },
        GlobalHandler::Default => default_handler(class, number, &text),
        GlobalHandler::Silent => {}
    }
}

/// GDAL's default output: `ERROR n: msg` / `Warning n: msg` on stderr,
/// the message's bytes as they are.
pub fn default_handler(class: ErrorClass, number: i32, message: &CStr) {
    use std::io::Write;
    let prefix = match class {
        ErrorClass::Debug | ErrorClass::None => String::new(),
        ErrorClass::Warning => format!("Warning {number}: "),
        _ => format!("ERROR {number}: "),
    };
    let mut line = prefix.into_bytes();
    line.extend_from_slice(message.to_bytes());
    line.push(b'\n');
    let _ = std::io::stderr().write_all(&line);
}

/// `CPLDebug`: passes "category: message" to the handler when `CPL_DEBUG`
/// is ON or names the category.
pub fn debug(category: &str, message: &str) {
    // As GDAL: ON (any case), an empty value, or a value naming the
    // category (case-insensitive substring) enables it.
    let enabled = crate::config::get("CPL_DEBUG").is_some_and(|v| {
        v.is_empty() || v.eq_ignore_ascii_case("ON") || v.to_ascii_lowercase().contains(&category.to_ascii_lowercase())
    });
    if enabled {
        dispatch(ErrorClass::Debug, 0, &format!("{category}: {message}"));
    }
}

/// Sets the process-wide handler, returning the previous one.
pub fn set_global_handler(h: GlobalHandler) -> GlobalHandler {
    std::mem::replace(&mut *GLOBAL_HANDLER.lock(), h)
}

pub fn push_handler(h: RawHandler) {
    let _ = HANDLER_STACK.try_with(|s| s.borrow_mut().push(h));
}

pub fn pop_handler() {
    let _ = HANDLER_STACK.try_with(|s| s.borrow_mut().pop());
}

pub fn reset_cpl_error() {
    let _ = CPL_LAST.try_with(|e| *e.borrow_mut() = LastError::empty());
}

pub fn cpl_error_number() -> i32 {
    CPL_LAST.with(|e| e.borrow().number)
}

pub fn cpl_error_class() -> ErrorClass {
    CPL_LAST.with(|e| e.borrow().class)
}

pub fn cpl_error_message_ptr() -> *const c_char {
    CPL_LAST.with(|e| e.borrow().message.as_ptr())
}

pub fn cpl_error_message() -> String {
    CPL_LAST.with(|e| crate::rawstr::decode(e.borrow().message.to_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_paths_never_reach_messages() {
        let e = Error::not_found("/vsicrypt/key=SECRET123,file=/vsimem/x");
        assert!(!e.message().contains("SECRET123"), "{e}");
        assert!(e.message().contains("/vsicrypt/key=***,file=/vsimem/x"), "{e}");
        assert_eq!(redact("a key_b64=QUJD&x=1"), "a key_b64=***&x=1");
        assert_eq!(redact("monkey=banana"), "monkey=banana");
        assert_eq!(redact("/vsicrypt/KEY=abc"), "/vsicrypt/KEY=***");
    }
}
