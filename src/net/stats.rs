//! Network statistics as GDAL keeps them (`VSINetworkStatsGetAsSerializedJSON`,
//! `VSINetworkStatsReset`), and, beyond GDAL, a per-file request log: every
//! request made for a file, with its range, status, bytes, time and cause.
//!
//! GDAL's statistics are a tree: totals, then per handler, per file and per
//! action, following a context each thread enters (file system, file,
//! action) around its network operations. Only the first context of each
//! kind counts, so a `Stat` that probes a file's size is counted under the
//! `Stat` action of that file.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI8, Ordering};

use lru::LruCache;
use parking_lot::Mutex;

// ---------------------------------------------------------------------------
// GDAL's statistics.

/// -1 unknown (read the config option on next use), 0 off, 1 on.
static ENABLED: AtomicI8 = AtomicI8::new(-1);

/// True when `CPL_VSIL_NETWORK_STATS_ENABLED` (or `CPL_VSIL_SHOW_NETWORK_STATS`)
/// was set when first checked since the last reset.
pub fn enabled() -> bool {
    match ENABLED.load(Ordering::Relaxed) {
        1 => true,
        0 => false,
        _ => {
            let show = crate::config::get_bool("CPL_VSIL_SHOW_NETWORK_STATS", false);
            let on = show || crate::config::get_bool("CPL_VSIL_NETWORK_STATS_ENABLED", false);
            if show {
                register_show_at_exit();
            }
            ENABLED.store(on as i8, Ordering::Relaxed);
            on
        }
    }
}

fn register_show_at_exit() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    extern "C" fn show() {
        use std::io::Write;
        let _ = writeln!(std::io::stdout(), "Network statistics:\n{}", as_json());
    }
    // SAFETY: registering a plain extern "C" function with atexit.
    ONCE.call_once(|| unsafe {
        libc::atexit(show);
    });
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ContextKind {
    FileSystem,
    File,
    Action,
}

thread_local! {
    static CONTEXT: RefCell<Vec<(ContextKind, String)>> = const { RefCell::new(Vec::new()) };
}

/// Leaves a context when dropped.
pub struct ContextGuard {
    pushed: bool,
}

impl Drop for ContextGuard {
    fn drop(&mut self) {
        if self.pushed {
            let _ = CONTEXT.try_with(|c| c.borrow_mut().pop());
        }
    }
}

fn enter(kind: ContextKind, name: &str) -> ContextGuard {
    if !enabled() {
        return ContextGuard { pushed: false };
    }
    let pushed = CONTEXT.try_with(|c| c.borrow_mut().push((kind, name.to_string()))).is_ok();
    ContextGuard { pushed }
}

/// Counts what follows under a file system (its prefix, `/vsicurl/`).
pub fn enter_fs(prefix: &str) -> ContextGuard {
    enter(ContextKind::FileSystem, prefix)
}

/// Counts what follows under a file (its full `/vsi...` name).
pub fn enter_file(name: &str) -> ContextGuard {
    enter(ContextKind::File, name)
}

/// Counts what follows under an action (`Read`, `Stat`, `ReadDir`, ...).
pub fn enter_action(name: &str) -> ContextGuard {
    enter(ContextKind::Action, name)
}

/// This thread's context, to carry to a worker thread.
pub fn current_context() -> Vec<(ContextKind, String)> {
    CONTEXT.try_with(|c| c.borrow().clone()).unwrap_or_default()
}

/// Enters a context captured by [`current_context`] on another thread.
pub fn enter_context(ctx: &[(ContextKind, String)]) -> Vec<ContextGuard> {
    ctx.iter().map(|(k, n)| enter(*k, n)).collect()
}

#[derive(Debug, Default, Clone, Copy)]
struct Counters {
    head: u64,
    get: u64,
    put: u64,
    post: u64,
    delete: u64,
    get_down: u64,
    put_up: u64,
    post_down: u64,
    post_up: u64,
}

#[derive(Debug, Default)]
struct Node {
    counters: Counters,
    children: BTreeMap<(ContextKind, String), Node>,
}

static TREE: Mutex<Option<Node>> = Mutex::new(None);

/// Counts one request of `method` with the bytes it sent and received.
pub fn log_method(method: &str, uploaded: u64, downloaded: u64) {
    if !enabled() {
        return;
    }
    let ctx = current_context();
    let mut guard = TREE.lock();
    let mut node = guard.get_or_insert_with(Node::default);
    let mut seen = [false; 3];
    bump(&mut node.counters, method, uploaded, downloaded);
    for (kind, name) in ctx {
        let slot = kind as usize;
        if seen[slot] {
            continue;
        }
        seen[slot] = true;
        node = node.children.entry((kind, name)).or_default();
        bump(&mut node.counters, method, uploaded, downloaded);
    }
}

fn bump(c: &mut Counters, method: &str, up: u64, down: u64) {
    match method {
        "HEAD" => c.head += 1,
        "GET" => {
            c.get += 1;
            c.get_down += down;
        }
        "PUT" => {
            c.put += 1;
            c.put_up += up;
        }
        "POST" => {
            c.post += 1;
            c.post_up += up;
            c.post_down += down;
        }
        "DELETE" => c.delete += 1,
        _ => {}
    }
}

/// `VSINetworkStatsReset`: clears the counts; whether they are kept is
/// decided again at the next request.
pub fn reset() {
    *TREE.lock() = None;
    ENABLED.store(-1, Ordering::Relaxed);
}

/// A JSON value printed as json-c prints it in GDAL's pretty mode.
enum Json {
    Int(u64),
    Obj(Vec<(String, Json)>),
}

impl Json {
    /// Adds `value` at a `/`-separated path, creating objects on the way.
    fn add_path(&mut self, path: &str, value: Json) {
        let Json::Obj(items) = self else { return };
        match path.split_once('/') {
            None => items.push((path.to_string(), value)),
            Some((head, rest)) => {
                let idx = match items.iter().position(|(k, v)| k == head && matches!(v, Json::Obj(_))) {
                    Some(i) => i,
                    None => {
                        items.push((head.to_string(), Json::Obj(Vec::new())));
                        items.len() - 1
                    }
                };
                items[idx].1.add_path(rest, value);
            }
        }
    }

    fn write(&self, out: &mut String, level: usize) {
        match self {
            Json::Int(n) => out.push_str(&n.to_string()),
            Json::Obj(items) => {
                out.push('{');
                for (i, (k, v)) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push('\n');
                    out.push_str(&"  ".repeat(level + 1));
                    out.push('"');
                    escape_json(k, out);
                    out.push_str("\":");
                    v.write(out, level + 1);
                }
                if !items.is_empty() {
                    out.push('\n');
                    out.push_str(&"  ".repeat(level));
                }
                out.push('}');
            }
        }
    }
}

/// json-c's escaping: also `/` as `\/`.
pub(crate) fn escape_json(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
}

impl Node {
    fn to_json(&self) -> Json {
        let c = &self.counters;
        let mut methods = Json::Obj(Vec::new());
        for (path, n) in [
            ("HEAD/count", c.head),
            ("GET/count", c.get),
            ("GET/downloaded_bytes", c.get_down),
            ("PUT/count", c.put),
            ("PUT/uploaded_bytes", c.put_up),
            ("POST/count", c.post),
            ("POST/uploaded_bytes", c.post_up),
            ("POST/downloaded_bytes", c.post_down),
            ("DELETE/count", c.delete),
        ] {
            if n != 0 {
                methods.add_path(path, Json::Int(n));
            }
        }
        let mut obj = Json::Obj(vec![("methods".to_string(), methods)]);
        let mut files: Option<usize> = None;
        for ((kind, name), child) in &self.children {
            let value = child.to_json();
            match kind {
                ContextKind::FileSystem => {
                    let short = name.strip_prefix('/').unwrap_or(name);
                    let short = short.strip_suffix('/').unwrap_or(short);
                    obj.add_path(&format!("handlers/{short}"), value);
                }
                ContextKind::File => {
                    let Json::Obj(items) = &mut obj else { continue };
                    let idx = *files.get_or_insert_with(|| {
                        items.push(("files".to_string(), Json::Obj(Vec::new())));
                        items.len() - 1
                    });
                    if let Json::Obj(f) = &mut items[idx].1 {
                        f.push((name.clone(), value));
                    }
                }
                ContextKind::Action => obj.add_path(&format!("actions/{name}"), value),
            }
        }
        obj
    }
}

/// `VSINetworkStatsGetAsSerializedJSON`: GDAL's JSON text, byte for byte.
pub fn as_json() -> String {
    let guard = TREE.lock();
    let empty = Node::default();
    let mut out = String::new();
    guard.as_ref().unwrap_or(&empty).to_json().write(&mut out, 0);
    out
}

// ---------------------------------------------------------------------------
// The per-file request log (libvsi's own).

/// One request made on behalf of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    pub method: String,
    /// The URL requested, secrets redacted.
    pub url: String,
    /// Inclusive byte range asked for.
    pub range: Option<(u64, u64)>,
    /// HTTP status; 0 when none came.
    pub status: u32,
    /// Body bytes received.
    pub bytes: u64,
    /// When the request started: milliseconds since the first request the
    /// process logged.
    pub start_ms: f64,
    /// Wall time of the request, in milliseconds.
    pub millis: f64,
    /// Why it was made ("read", "read-ahead", "size probe", "list parent directory", ...).
    pub cause: String,
    /// The transport error, if any.
    pub error: Option<String>,
}

static EPOCH: once_cell::sync::Lazy<std::time::Instant> = once_cell::sync::Lazy::new(std::time::Instant::now);

/// Milliseconds from the log's epoch (its first use) to `t`.
pub fn since_start(t: std::time::Instant) -> f64 {
    t.saturating_duration_since(*EPOCH).as_secs_f64() * 1000.0
}

/// Files whose logs are kept; the least recently used go first.
const LOG_FILES: usize = 1024;
/// Entries kept per file; the oldest go first.
const LOG_ENTRIES: usize = 4096;

static LOGS: Mutex<Option<LruCache<String, Vec<LogEntry>>>> = Mutex::new(None);

pub fn log_request(file: &str, entry: LogEntry) {
    let mut guard = LOGS.lock();
    let logs = guard.get_or_insert_with(|| LruCache::new(std::num::NonZeroUsize::new(LOG_FILES).unwrap()));
    if let Some(v) = logs.get_mut(file) {
        if v.len() >= LOG_ENTRIES {
            v.remove(0);
        }
        v.push(entry);
    } else {
        logs.put(file.to_string(), vec![entry]);
    }
}

/// The requests made for `file` (its full `/vsi...` name), oldest first.
pub fn request_log(file: &str) -> Vec<LogEntry> {
    LOGS.lock().as_mut().and_then(|l| l.get(file).cloned()).unwrap_or_default()
}

/// Forgets the log of `file`, or of every file.
pub fn clear_request_log(file: Option<&str>) {
    let mut guard = LOGS.lock();
    match (guard.as_mut(), file) {
        (Some(l), Some(f)) => {
            l.pop(f);
        }
        (_, None) => *guard = None,
        _ => {}
    }
}

/// The log of `file` as a JSON array of objects with keys `method`, `url`,
/// `range` (`[start, end]` or null), `status`, `bytes`, `ms`, `cause`,
/// `error` (string or null).
pub fn request_log_json(file: &str) -> String {
    let mut out = String::from("[");
    for (i, e) in request_log(file).iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("\n  {\"method\":\"");
        escape_json(&e.method, &mut out);
        out.push_str("\",\"url\":\"");
        escape_json(&e.url, &mut out);
        out.push_str("\",\"range\":");
        match e.range {
            Some((a, b)) => out.push_str(&format!("[{a},{b}]")),
            None => out.push_str("null"),
        }
        out.push_str(&format!(
            ",\"status\":{},\"bytes\":{},\"start_ms\":{:.3},\"ms\":{:.3},\"cause\":\"",
            e.status, e.bytes, e.start_ms, e.millis
        ));
        escape_json(&e.cause, &mut out);
        out.push_str("\",\"error\":");
        match &e.error {
            Some(msg) => {
                out.push('"');
                escape_json(msg, &mut out);
                out.push('"');
            }
            None => out.push_str("null"),
        }
        out.push('}');
    }
    out.push_str(if out.len() > 1 { "\n]" } else { "]" });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_matches_json_c_pretty_output() {
        let mut root = Node::default();
        bump(&mut root.counters, "HEAD", 0, 0);
        let fs = root.children.entry((ContextKind::FileSystem, "/vsicurl/".into())).or_default();
        bump(&mut fs.counters, "HEAD", 0, 0);
        let action = fs.children.entry((ContextKind::Action, "Stat".into())).or_default();
        bump(&mut action.counters, "HEAD", 0, 0);
        let file = action.children.entry((ContextKind::File, "/vsicurl/file:///tmp/a.bin".into())).or_default();
        bump(&mut file.counters, "HEAD", 0, 0);
        let mut out = String::new();
        root.to_json().write(&mut out, 0);
        // Captured from GDAL 3.6's VSINetworkStatsGetAsSerializedJSON.
        let expected = r#"{
  "methods":{
    "HEAD":{
      "count":1
    }
  },
  "handlers":{
    "vsicurl":{
      "methods":{
        "HEAD":{
          "count":1
        }
      },
      "actions":{
        "Stat":{
          "methods":{
            "HEAD":{
              "count":1
            }
          },
          "files":{
            "\/vsicurl\/file:\/\/\/tmp\/a.bin":{
              "methods":{
                "HEAD":{
                  "count":1
                }
              }
            }
          }
        }
      }
    }
  }
}"#;
        assert_eq!(out, expected);
        let mut empty = String::new();
        Node::default().to_json().write(&mut empty, 0);
        assert_eq!(empty, "{\n  \"methods\":{}\n}");
    }

    #[test]
    fn get_bytes_and_other_methods() {
        let mut root = Node::default();
        bump(&mut root.counters, "GET", 0, 10);
        bump(&mut root.counters, "GET", 0, 5);
        bump(&mut root.counters, "PUT", 7, 0);
        let mut out = String::new();
        root.to_json().write(&mut out, 0);
        assert!(out.contains("\"GET\":{\n      \"count\":2,\n      \"downloaded_bytes\":15\n    }"), "{out}");
        assert!(out.contains("\"PUT\":{\n      \"count\":1,\n      \"uploaded_bytes\":7\n    }"), "{out}");
    }

    #[test]
    fn request_log_keeps_entries_per_file() {
        let name = "/vsicurl/http://log.test/a";
        clear_request_log(Some(name));
        let entry = LogEntry {
            method: "GET".into(),
            url: "http://log.test/a".into(),
            range: Some((0, 16383)),
            status: 206,
            bytes: 16384,
            start_ms: 0.0,
            millis: 1.5,
            cause: "read".into(),
            error: None,
        };
        log_request(name, entry.clone());
        assert_eq!(request_log(name), vec![entry]);
        let json = request_log_json(name);
        assert!(json.contains("\"range\":[0,16383],\"status\":206,\"bytes\":16384"), "{json}");
        clear_request_log(Some(name));
        assert_eq!(request_log_json(name), "[]");
    }
}
