//! Carrying C's arbitrary bytes through Rust strings without loss.
//!
//! GDAL treats paths, option values and messages as plain bytes: a Latin-1
//! file name `caf\xe9.txt` must reach the file system as those bytes, and
//! come back from a listing the same. The safe API speaks `&str`, so the C
//! face decodes C strings with [`decode`]: valid UTF-8 is kept as is, and
//! each byte that is not valid UTF-8 becomes one code point of the last
//! private-use plane (U+10FF80 + byte - 0x80). [`encode`] turns such a
//! string back into the original bytes wherever bytes leave the crate
//! (libc calls, C strings). Real names never use those code points.

use std::borrow::Cow;

const BASE: u32 = 0x10_FF00;

fn escaped_byte(c: char) -> Option<u8> {
    let v = c as u32;
    (BASE + 0x80..=BASE + 0xFF).contains(&v).then(|| (v - BASE) as u8)
}

/// Bytes from C as a string, escaping bytes that are not valid UTF-8.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for &b in chunk.invalid() {
            out.push(char::from_u32(BASE + u32::from(b)).expect("a valid scalar value"));
        }
    }
    Cow::Owned(out)
}

/// The bytes a [`decode`]d string came from.
pub fn encode(s: &str) -> Cow<'_, [u8]> {
    if !s.chars().any(|c| escaped_byte(c).is_some()) {
        return Cow::Borrowed(s.as_bytes());
    }
    let mut out = Vec::with_capacity(s.len());
    let mut buf = [0u8; 4];
    for c in s.chars() {
        match escaped_byte(c) {
            Some(b) => out.push(b),
            None => out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes()),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_utf8_bytes_survive_the_round_trip() {
        for bytes in [&b"caf\xe9.txt"[..], b"na\xefve", b"\xff\xfe", b"plain", "caf\u{e9}".as_bytes(), b"\xc3"] {
            let s = decode(bytes);
            assert_eq!(&*encode(&s), bytes);
        }
        assert_ne!(decode(b"caf\xe9"), decode(b"caf\xe8"), "distinct bytes stay distinct names");
        assert!(matches!(decode(b"ascii"), Cow::Borrowed(_)));
    }
}
