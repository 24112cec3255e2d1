//! Splitting `/vsizip/...` and `/vsitar/...` paths into the archive and the
//! name inside it, exactly as GDAL's `VSIArchiveFilesystemHandler::SplitFilename`.
//!
//! Three forms: `/vsizip/{archive}/inner` (braces nest, for archives without
//! a recognized extension), `/vsizip/vsimem/a.zip/inner` (chaining without
//! a double slash), and the extension scan: the path is scanned left to
//! right for a recognized extension, and the text up to it is the archive
//! when it exists as a file. GDAL's limits are kept: at most four
//! extension hits are tried, and the archive stats made while scanning nest
//! at most three deep on a thread (a path naming archives in archives in
//! archives would otherwise cost time exponential in its length).

use std::cell::Cell;

use crate::error::{cple, cpl_error, ErrorClass, Result};

/// What a path names inside an archive handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// The archive file, a path any handler may serve.
    pub archive: String,
    /// The name inside it, `..` compacted, without a trailing slash; empty
    /// for the archive itself.
    pub inner: String,
}

thread_local! {
    /// Archive stats in progress on this thread during extension scans,
    /// shared by every archive handler, as GDAL's thread-local counter.
    static SCAN_DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// GDAL refuses a fourth nested archive stat during extension scans.
const MAX_SCAN_DEPTH: u32 = 3;
/// GDAL stops scanning at the fifth extension hit.
const MAX_EXTENSION_HITS: u32 = 5;

fn is_slash(c: u8) -> bool {
    c == b'/' || c == b'\\'
}

/// `a/../b` becomes `b` and `x/a/../b` becomes `x/b`, as GDAL's
/// `CompactFilename` (a leading `../` and a trailing `/..` stay).
pub fn compact(name: &str) -> String {
    if !name.contains("/../") {
        return name.to_string();
    }
    let mut s = name.as_bytes().to_vec();
    while let Some(p) = find(&s, b"/../") {
        if p == 0 {
            break;
        }
        let mut prev = p - 1;
        while prev != 0 && s[prev] != b'/' {
            prev -= 1;
        }
        let tail = s[p + 4..].to_vec();
        if prev == 0 {
            s = tail;
        } else {
            s.truncate(prev + 1);
            s.extend_from_slice(&tail);
        }
    }
    // Only ASCII bytes were removed around `/`, so this stays valid UTF-8.
    String::from_utf8(s).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn without_trailing_slash(mut s: String) -> String {
    if s.as_bytes().last().is_some_and(|&c| is_slash(c)) {
        s.pop();
    }
    s
}

/// Splits `path` for the handler of `prefix` (`"/vsizip"`, no final slash).
/// `exists(candidate)` says whether a candidate archive is a file (GDAL:
/// in the content cache, or a stat with EXISTS|NATURE that is not a
/// directory). `None` when the path names no archive.
pub fn split(
    prefix: &str,
    extensions: &[String],
    path: &str,
    exists: &mut dyn FnMut(&str) -> bool,
) -> Result<Option<Split>> {
    if path == prefix {
        return Ok(None);
    }
    let bytes = path.as_bytes();
    let plen = prefix.len();
    if bytes.get(plen + 1) == Some(&b'{') {
        return Ok(split_braces(&path[plen + 1..], exists));
    }
    // "/vsizip/vsimem/a.zip" names "/vsimem/a.zip": strip "/vsizip" only.
    let chained = path.len() >= plen + 4 && path.starts_with(prefix) && &bytes[plen..plen + 4] == b"/vsi";
    let rest = if chained {
        &path[plen..]
    } else if path.len() > plen {
        &path[plen + 1..]
    } else {
        return Ok(None);
    };
    if SCAN_DEPTH.with(Cell::get) >= MAX_SCAN_DEPTH {
        // Raised where it happens, as GDAL does: the stat that reached this
        // level only sees a missing file.
        cpl_error(
            ErrorClass::Failure,
            cple::APP_DEFINED,
            "Too deep recursion level in VSIArchiveFilesystemHandler::SplitFilename()",
        );
        return Ok(None);
    }
    let rb = rest.as_bytes();
    // Bytes an extension can start with, to skip the others at once.
    let mut starts = [false; 256];
    for ext in extensions {
        if let Some(&c) = ext.as_bytes().first() {
            starts[usize::from(c.to_ascii_lowercase())] = true;
            starts[usize::from(c.to_ascii_uppercase())] = true;
        }
    }
    let mut attempts = 0;
    let mut i = 0;
    while i < rb.len() {
        if !starts[usize::from(rb[i])] {
            i += 1;
            continue;
        }
        let hit = extensions.iter().find(|ext| {
            let e = ext.as_bytes();
            !e.is_empty() && rb.len() - i >= e.len() && rb[i..i + e.len()].eq_ignore_ascii_case(e)
        });
        if let Some(ext) = hit {
            attempts += 1;
            if attempts == MAX_EXTENSION_HITS {
                break;
            }
            let end = i + ext.len();
            let followed_by_slash = rb.get(end).is_some_and(|&c| is_slash(c));
            // Not followed by a separator: the candidate is the whole rest.
            let candidate = if followed_by_slash { &rest[..end] } else { rest };
            SCAN_DEPTH.with(|d| d.set(d.get() + 1));
            let found = exists(candidate);
            SCAN_DEPTH.with(|d| d.set(d.get() - 1));
            if found {
                let inner = if followed_by_slash { compact(&rest[end + 1..]) } else { String::new() };
                return Ok(Some(Split { archive: candidate.to_string(), inner: without_trailing_slash(inner) }));
            }
        }
        i += 1;
    }
    Ok(None)
}

/// `{archive}` followed by nothing or by a separator and the inner name.
fn split_braces(from_brace: &str, exists: &mut dyn FnMut(&str) -> bool) -> Option<Split> {
    let b = from_brace.as_bytes();
    let mut depth = 0usize;
    let mut close = None;
    for (i, &c) in b.iter().enumerate() {
        if c == b'{' {
            depth += 1;
        } else if c == b'}' {
            depth -= 1;
            if depth == 0 {
                close = Some(i);
                break;
            }
        }
    }
    let close = close?;
    let archive = &from_brace[1..close];
    if !exists(archive) {
        return None;
    }
    let inner = match b.get(close + 1) {
        None => String::new(),
        Some(&c) if is_slash(c) => compact(&from_brace[close + 2..]),
        Some(_) => return None,
    };
    Some(Split { archive: archive.to_string(), inner: without_trailing_slash(inner) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exts() -> Vec<String> {
        [".zip", ".kmz", ".dwf", ".ods", ".xlsx", ".xlsm"].iter().map(|s| s.to_string()).collect()
    }

    fn sp(path: &str, files: &[&str]) -> Option<(String, String)> {
        let mut exists = |p: &str| files.contains(&p);
        split("/vsizip", &exts(), path, &mut exists).unwrap().map(|s| (s.archive, s.inner))
    }

    fn pair(a: &str, b: &str) -> Option<(String, String)> {
        Some((a.to_string(), b.to_string()))
    }

    #[test]
    fn compacts_parent_references_like_gdal() {
        assert_eq!(compact("a/../b"), "b");
        assert_eq!(compact("x/a/../b"), "x/b");
        assert_eq!(compact("x/y/a/../../b"), "x/b");
        assert_eq!(compact("../b"), "../b");
        assert_eq!(compact("/../b"), "/../b");
        assert_eq!(compact("/a/../b"), "b");
        assert_eq!(compact("a/.."), "a/..");
    }

    #[test]
    fn splits_by_extension_scan() {
        assert_eq!(sp("/vsizip//abs/a.zip/f.txt", &["/abs/a.zip"]), pair("/abs/a.zip", "f.txt"));
        assert_eq!(sp("/vsizip/rel/a.ZIP/d/", &["rel/a.ZIP"]), pair("rel/a.ZIP", "d"));
        assert_eq!(sp("/vsizip/vsimem/a.zip/x", &["/vsimem/a.zip"]), pair("/vsimem/a.zip", "x"));
        assert_eq!(sp("/vsizip//vsimem/a.zip", &["/vsimem/a.zip"]), pair("/vsimem/a.zip", ""));
        assert_eq!(sp("/vsizip//vsimem/a.zip\\x\\y", &["/vsimem/a.zip"]), pair("/vsimem/a.zip", "x\\y"));
        // The first existing candidate wins.
        assert_eq!(sp("/vsizip//m/a.zip/b.zip/c", &["/m/a.zip/b.zip"]), pair("/m/a.zip/b.zip", "c"));
        // An extension not followed by a separator makes the whole rest the candidate.
        assert_eq!(sp("/vsizip//m/a.zipper", &["/m/a.zipper"]), pair("/m/a.zipper", ""));
        assert_eq!(sp("/vsizip//m/a.zip", &[]), None);
        assert_eq!(sp("/vsizip", &[]), None);
        assert_eq!(sp("/vsizip/", &[]), None);
        assert_eq!(sp("/vsizip//m/x/a.zip/b/../c/", &["/m/x/a.zip"]), pair("/m/x/a.zip", "c"));
    }

    #[test]
    fn stops_at_the_fifth_extension_hit() {
        let p = "/vsizip//m/1.zip/2.zip/3.zip/4.zip/5.zip/x";
        assert_eq!(sp(p, &["/m/1.zip/2.zip/3.zip/4.zip"]), pair("/m/1.zip/2.zip/3.zip/4.zip", "5.zip/x"));
        assert_eq!(sp(p, &["/m/1.zip/2.zip/3.zip/4.zip/5.zip"]), None);
    }

    #[test]
    fn splits_braces_with_nesting() {
        assert_eq!(sp("/vsizip/{/m/a.bin}/x/y", &["/m/a.bin"]), pair("/m/a.bin", "x/y"));
        assert_eq!(sp("/vsizip/{/m/a.bin}", &["/m/a.bin"]), pair("/m/a.bin", ""));
        assert_eq!(sp("/vsizip/{/m/a.bin}/", &["/m/a.bin"]), pair("/m/a.bin", ""));
        assert_eq!(sp("/vsizip/{/m/a.bin}x", &["/m/a.bin"]), None);
        assert_eq!(sp("/vsizip/{/m/a.bin", &["/m/a.bin"]), None);
        assert_eq!(
            sp("/vsizip/{/vsizip/{/m/a.bin}/in.zip}/f", &["/vsizip/{/m/a.bin}/in.zip"]),
            pair("/vsizip/{/m/a.bin}/in.zip", "f")
        );
        assert_eq!(sp("/vsizip/{/m/a.bin}/f", &[]), None);
    }

    #[test]
    fn nested_scans_stop_at_three_levels() {
        fn nested(level: u32) -> Result<Option<Split>> {
            let mut exists = |p: &str| {
                assert!(level < 3, "{p}: a fourth level must be refused before its stat");
                let inner = nested(level + 1).unwrap();
                if level == 2 {
                    assert!(inner.is_none(), "the fourth nested scan is refused");
                }
                false
            };
            split("/vsizip", &exts(), "/vsizip//m/a.zip/x", &mut exists)
        }
        assert_eq!(nested(0).unwrap(), None);
        assert_eq!(SCAN_DEPTH.with(Cell::get), 0);
        SCAN_DEPTH.with(|d| d.set(3));
        crate::error::reset_cpl_error();
        let r = split("/vsizip", &exts(), "/vsizip//m/a.zip/x", &mut |_| true);
        SCAN_DEPTH.with(|d| d.set(0));
        assert_eq!(r.unwrap(), None);
        assert!(crate::error::cpl_error_message().contains("Too deep recursion level"));
    }
}
