//! Reading a zip's central directory, as GDAL's minizip does
//! (`cpl_minizip_unzip.cpp`): the end-of-central-directory record found
//! by scanning back over the last 64 KiB, the zip64 locator and record
//! first, data before the archive (self-extracting archives) tolerated by
//! shifting every offset, and member names decoded as UTF-8 from the
//! Info-ZIP Unicode path extra field, from UTF-8 when flag bit 11 says so,
//! or else from `CPL_ZIP_ENCODING` (CP437 by default).
//!
//! Every length read from the archive is checked against the bytes at
//! hand: a damaged directory ends the listing, it never reads out of
//! bounds or allocates what the archive claims.

use crate::error::{Error, ErrorKind, Result};
use crate::fs::archive::seq::SeqReader;
use crate::io::{read_full_at, ReadAt};

const EOCD_SIG: u32 = 0x0605_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
pub const LOCAL_SIG: u32 = 0x0403_4b50;
/// minizip looks this far back from the end for the end records.
const MAX_BACK: u64 = 0xffff;
/// GDAL reads names into an 8 KiB buffer.
const MAX_NAME: usize = 8192;
pub const CENTRAL_HEADER_LEN: usize = 46;
pub const LOCAL_HEADER_LEN: usize = 30;

pub fn u16le(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}
pub fn u32le(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}
pub fn u64le(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

/// Where the central directory is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Directory {
    /// Entry count from the end record; 0xFFFF: read until the headers stop.
    pub entries: u64,
    pub offset: u64,
    pub size: u64,
    /// Bytes before the archive proper (self-extracting archives): added to
    /// every offset the archive stores.
    pub shift: u64,
}

/// One central directory record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentralEntry {
    pub name: String,
    /// The name's length as stored (the local header must agree).
    pub raw_name_len: u16,
    pub flags: u16,
    pub method: u16,
    pub dos_time: u32,
    pub crc: u32,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    /// Absolute offset of the local header (shift included).
    pub local_offset: u64,
}

fn bad(msg: &str) -> Error {
    Error::new(ErrorKind::InvalidInput, msg.to_string())
}

/// The offset of the last `sig` in the last 64 KiB of the file, as
/// minizip's backward scan finds it (an offset of 0 counts as not found).
fn search_back(src: &dyn ReadAt, file_size: u64, sig: u32) -> Result<Option<u64>> {
    let back = file_size.min(MAX_BACK);
    if back <= 4 {
        return Ok(None);
    }
    let start = file_size - back;
    let mut tail = vec![0u8; back as usize];
    if read_full_at(src, start, &mut tail)? != tail.len() {
        return Ok(None);
    }
    let sig = sig.to_le_bytes();
    let found = tail.windows(4).rposition(|w| w == sig).map(|i| start + i as u64);
    Ok(found.filter(|&p| p != 0))
}

fn read_exact_at(src: &dyn ReadAt, offset: u64, buf: &mut [u8]) -> Result<bool> {
    Ok(read_full_at(src, offset, buf)? == buf.len())
}

/// The zip64 end record's position, when a valid zip64 locator leads to it.
fn search_zip64(src: &dyn ReadAt, file_size: u64) -> Result<Option<u64>> {
    let Some(loc) = search_back(src, file_size, ZIP64_LOCATOR_SIG)? else { return Ok(None) };
    let mut b = [0u8; 20];
    if !read_exact_at(src, loc, &mut b)? || u32le(&b, 4) != 0 {
        return Ok(None);
    }
    let record = u64le(&b, 8);
    // Some writers declare 0 disks.
    if !matches!(u32le(&b, 16), 0 | 1) {
        return Ok(None);
    }
    let mut sig = [0u8; 4];
    if !read_exact_at(src, record, &mut sig)? || u32le(&sig, 0) != ZIP64_EOCD_SIG {
        return Ok(None);
    }
    Ok(Some(record))
}

/// Finds the central directory of the zip in `src`.
pub fn locate(src: &dyn ReadAt) -> Result<Directory> {
    let file_size = src.size()?;
    let not_zip = || bad("not a zip file (no end of central directory record)");
    let (central_pos, entries, size, offset) = if let Some(pos) = search_zip64(src, file_size)? {
        let mut b = [0u8; 56];
        if !read_exact_at(src, pos, &mut b)? {
            return Err(not_zip());
        }
        let (disk, disk_cd, here, total) = (u32le(&b, 16), u32le(&b, 20), u64le(&b, 24), u64le(&b, 32));
        if here != total || disk != 0 || disk_cd != 0 {
            return Err(bad("multi-disk zip archives are not supported"));
        }
        (pos, total, u64le(&b, 40), u64le(&b, 48))
    } else {
        let pos = search_back(src, file_size, EOCD_SIG)?.ok_or_else(not_zip)?;
        let mut b = [0u8; 22];
        if !read_exact_at(src, pos, &mut b)? {
            return Err(not_zip());
        }
        let (disk, disk_cd, here, total) = (u16le(&b, 4), u16le(&b, 6), u16le(&b, 8), u16le(&b, 10));
        if here != total || disk != 0 || disk_cd != 0 {
            return Err(bad("multi-disk zip archives are not supported"));
        }
        (pos, u64::from(total), u64::from(u32le(&b, 12)), u64::from(u32le(&b, 16)))
    };
    let end = offset.checked_add(size).ok_or_else(|| bad("corrupt zip: central directory beyond 2^64"))?;
    if central_pos < end {
        return Err(bad("corrupt zip: central directory overlaps its end record"));
    }
    Ok(Directory { entries, offset, size, shift: central_pos - end })
}

/// Reads the central directory, calling `each` per record in order. Stops
/// quietly at the first record that is not one (as minizip does); `Err`
/// only when not even the first record is readable.
pub fn read_entries(
    src: &dyn ReadAt,
    dir: &Directory,
    mut each: impl FnMut(CentralEntry) -> Result<()>,
) -> Result<()> {
    let mut rd = SeqReader::new(src, dir.offset.checked_add(dir.shift).ok_or_else(|| bad("corrupt zip"))?);
    let mut count: u64 = 0;
    loop {
        if count > 0 && dir.entries != 0xffff && count == dir.entries {
            return Ok(());
        }
        let entry = match read_one(&mut rd, dir.shift)? {
            Some(e) => e,
            None if count == 0 => return Err(bad("corrupt zip: no central directory record")),
            None => return Ok(()),
        };
        each(entry)?;
        count += 1;
    }
}

fn read_one(rd: &mut SeqReader<'_>, shift: u64) -> Result<Option<CentralEntry>> {
    let Some(h) = rd.take(CENTRAL_HEADER_LEN)? else { return Ok(None) };
    if u32le(h, 0) != CENTRAL_SIG {
        return Ok(None);
    }
    let flags = u16le(h, 8);
    let method = u16le(h, 10);
    let dos_time = u32le(h, 12);
    let crc = u32le(h, 16);
    let mut compressed_size = u64::from(u32le(h, 20));
    let mut uncompressed_size = u64::from(u32le(h, 24));
    let name_len = u16le(h, 28);
    let extra_len = usize::from(u16le(h, 30));
    let comment_len = usize::from(u16le(h, 32));
    let disk_start = u16le(h, 34);
    let mut local_offset = u64::from(u32le(h, 42));
    let Some(var) = rd.take(usize::from(name_len) + extra_len + comment_len)? else { return Ok(None) };
    let raw_name = &var[..usize::from(name_len)];
    let extra = &var[usize::from(name_len)..usize::from(name_len) + extra_len];
    let mut utf8_name = None;
    let mut at = 0;
    while at + 4 <= extra.len() {
        let id = u16le(extra, at);
        let len = usize::from(u16le(extra, at + 2));
        let Some(data) = extra.get(at + 4..at + 4 + len) else { break };
        match id {
            0x0001 => {
                let mut fields = data.chunks_exact(8).map(|c| u64le(c, 0));
                if uncompressed_size == 0xFFFF_FFFF {
                    uncompressed_size = fields.next().unwrap_or(uncompressed_size);
                }
                if compressed_size == 0xFFFF_FFFF {
                    compressed_size = fields.next().unwrap_or(compressed_size);
                }
                if local_offset == 0xFFFF_FFFF {
                    local_offset = fields.next().unwrap_or(local_offset);
                }
                let _ = disk_start;
            }
            // Info-ZIP Unicode path: used when it matches the stored name.
            0x7075 if len > 5 && raw_name.len() <= MAX_NAME && data[0] == 1 && u32le(data, 1) == crc32fast::hash(raw_name) => {
                utf8_name = Some(nul_terminated(&data[5..]).to_vec());
            }
            _ => {}
        }
        at += 4 + len;
    }
    let name = match utf8_name {
        Some(n) => crate::rawstr::decode(&n).into_owned(),
        None if flags & (1 << 11) != 0 => crate::rawstr::decode(nul_terminated(raw_name)).into_owned(),
        None => decode_legacy(nul_terminated(raw_name)),
    };
    let local_offset = local_offset.checked_add(shift).ok_or_else(|| bad("corrupt zip: member offset beyond 2^64"))?;
    Ok(Some(CentralEntry {
        name,
        raw_name_len: name_len,
        flags,
        method,
        dos_time,
        crc,
        compressed_size,
        uncompressed_size,
        local_offset,
    }))
}

/// A name as C reads it: up to the first NUL, at most 8 KiB.
fn nul_terminated(b: &[u8]) -> &[u8] {
    let b = &b[..b.len().min(MAX_NAME)];
    match b.iter().position(|&c| c == 0) {
        Some(i) => &b[..i],
        None => b,
    }
}

/// A name without a UTF-8 mark, recoded from `CPL_ZIP_ENCODING`.
fn decode_legacy(raw: &[u8]) -> String {
    if raw.is_ascii() {
        return String::from_utf8_lossy(raw).into_owned();
    }
    let encoding = crate::config::get_or("CPL_ZIP_ENCODING", "CP437").to_ascii_uppercase();
    match encoding.as_str() {
        "CP437" | "IBM437" => raw.iter().map(|&b| cp437(b)).collect(),
        "ISO-8859-1" | "ISO8859-1" | "LATIN1" => raw.iter().map(|&b| char::from(b)).collect(),
        // UTF-8 or an encoding this build cannot convert: the bytes as they are.
        _ => crate::rawstr::decode(raw).into_owned(),
    }
}

/// Code page 437 (the original IBM PC set) to Unicode.
fn cp437(b: u8) -> char {
    const HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{a0}";
    if b < 0x80 {
        char::from(b)
    } else {
        HIGH.chars().nth(usize::from(b - 0x80)).unwrap_or('?')
    }
}

/// A DOS date and time as seconds since 1970, read as UTC, as GDAL's
/// `CPLYMDHMSToUnixTime` reads minizip's broken-down time.
pub fn dos_time_to_unix(dos: u32) -> i64 {
    let date = dos >> 16;
    let mday = i64::from(date & 0x1f);
    let mut mon = i64::from((date & 0x1e0) >> 5);
    if mon > 0 {
        mon -= 1;
    }
    let year = i64::from((date & 0xfe00) >> 9) + 1980;
    let hour = i64::from((dos & 0xf800) >> 11);
    let min = i64::from((dos & 0x7e0) >> 5);
    let sec = 2 * i64::from(dos & 0x1f);
    if mon >= 12 {
        return -1;
    }
    const DAYS: [i64; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let leaps_thru = |y: i64| y / 4 - y / 100 + y / 400;
    let mut days = mday - 1;
    for (m, d) in DAYS.iter().enumerate().take(mon as usize) {
        days += d + i64::from(m == 1 && leap(year));
    }
    days += (year - 1970) * 365 + leaps_thru(year - 1) - leaps_thru(1969);
    sec + min * 60 + hour * 3600 + days * 86400
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dos_times_read_as_utc() {
        // 2021-03-04 05:06:08
        let dos = ((2021 - 1980) << 25) | (3 << 21) | (4 << 16) | (5 << 11) | (6 << 5) | 4;
        assert_eq!(dos_time_to_unix(dos), 1_614_834_368);
        // 1980-01-01 00:00:00
        assert_eq!(dos_time_to_unix((1 << 21) | (1 << 16)), 315_532_800);
        // 2000-02-29 (leap day) 23:59:58
        let dos = ((2000 - 1980) << 25) | (2 << 21) | (29 << 16) | (23 << 11) | (59 << 5) | 29;
        assert_eq!(dos_time_to_unix(dos), 951_868_798);
        // Month 13 is invalid.
        assert_eq!(dos_time_to_unix(13 << 21), -1);
    }

    #[test]
    fn cp437_maps_the_high_half() {
        assert_eq!(cp437(0x80), 'Ç');
        assert_eq!(cp437(0x81), 'ü');
        assert_eq!(cp437(0xe1), 'ß');
        assert_eq!(cp437(0xff), '\u{a0}');
        assert_eq!(decode_legacy(b"caf\x82"), "café");
    }
}
