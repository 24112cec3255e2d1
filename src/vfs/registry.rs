//! The prefix registry: which handler serves a path.
//!
//! GDAL keeps prefixes in a byte-ordered map and returns the first one that
//! starts the path, so `/vsicurl/` wins over `/vsicurl_streaming/` only by
//! order; we keep the same order and the same two lenient matches (a
//! backslash for the final `/`, and the prefix without its final `/`).

use std::sync::Arc;

use once_cell::sync::OnceCell;
use parking_lot::RwLock;

use super::FileSystem;

pub struct Registry {
    /// Sorted by prefix, byte-wise.
    handlers: Vec<(String, Arc<dyn FileSystem>)>,
    default: Option<Arc<dyn FileSystem>>,
}

static REGISTRY: OnceCell<RwLock<Registry>> = OnceCell::new();

/// The populated registry. `init` installs the built-in handlers the first
/// time; it is passed in by the layer above so `vfs` knows no handler.
fn registry() -> &'static RwLock<Registry> {
    REGISTRY.get_or_init(|| {
        let mut r = Registry { handlers: Vec::new(), default: None };
        crate::install_builtin_handlers(&mut r);
        RwLock::new(r)
    })
}

impl Registry {
    /// Registers `fs` for `prefix`; "" replaces the default (local) handler.
    pub fn add(&mut self, prefix: &str, fs: Arc<dyn FileSystem>) {
        if prefix.is_empty() {
            self.default = Some(fs);
            return;
        }
        match self.handlers.binary_search_by(|(p, _)| p.as_str().cmp(prefix)) {
            Ok(i) => self.handlers[i].1 = fs,
            Err(i) => self.handlers.insert(i, (prefix.to_string(), fs)),
        }
    }

    fn lookup(&self, path: &str) -> Option<(&str, Arc<dyn FileSystem>)> {
        let p = path.as_bytes();
        for (prefix, fs) in &self.handlers {
            let k = prefix.as_bytes();
            let matches = p.starts_with(k)
                // "/vsimem\foo" is served by "/vsimem/".
                || (k.ends_with(b"/") && p.len() >= k.len()
                    && p[..k.len() - 1] == k[..k.len() - 1] && p[k.len() - 1] == b'\\')
                // "/vsimem" is served by "/vsimem/".
                || (p.len() + 1 == k.len() && k.starts_with(p));
            if matches {
                return Some((prefix.as_str(), fs.clone()));
            }
        }
        None
    }
}

/// The handler serving `path` (the default local handler when no prefix
/// matches).
pub fn handler_for(path: &str) -> Arc<dyn FileSystem> {
    let reg = registry().read();
    match reg.lookup(path) {
        Some((_, fs)) => fs,
        None => reg.default.clone().expect("a default handler is always installed"),
    }
}

/// Installs (or replaces) the handler of `prefix`.
pub fn install(prefix: &str, fs: Arc<dyn FileSystem>) {
    registry().write().add(prefix, fs);
}

/// `VSIGetFileSystemsPrefixes`: every registered prefix in registry order,
/// without the default and internal (`?`-terminated curl) ones.
pub fn prefixes() -> Vec<String> {
    registry().read().handlers.iter().map(|(p, _)| p.clone()).filter(|p| p != "/vsicurl?").collect()
}

/// True when `a` and `b` are served by the same handler object.
pub fn same_handler(a: &str, b: &str) -> bool {
    Arc::ptr_eq(&handler_for(a), &handler_for(b))
}
