//! Small writers of zip and tar archives for the archive tests: exactly the
//! bytes each test needs, including damaged ones, without outside tools.

#![allow(dead_code)]

use std::io::Write;

/// One zip member to write.
pub struct ZipEntry<'a> {
    pub name: &'a str,
    pub data: &'a [u8],
    pub deflate: bool,
    /// Overrides the CRC written (to make a CRC mismatch).
    pub crc: Option<u32>,
    /// Overrides the uncompressed size written (to make a lying size).
    pub size: Option<u32>,
}

impl<'a> ZipEntry<'a> {
    pub fn stored(name: &'a str, data: &'a [u8]) -> ZipEntry<'a> {
        ZipEntry { name, data, deflate: false, crc: None, size: None }
    }
    pub fn deflated(name: &'a str, data: &'a [u8]) -> ZipEntry<'a> {
        ZipEntry { name, data, deflate: true, crc: None, size: None }
    }
}

/// DOS time of 2021-03-04 05:06:08.
pub const DOS_TIME: u32 = ((2021 - 1980) << 25) | (3 << 21) | (4 << 16) | (5 << 11) | (6 << 5) | 4;
/// The same instant as seconds since 1970 (UTC).
pub const DOS_TIME_UNIX: i64 = 1_614_834_368;

pub fn zip(entries: &[ZipEntry<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let payload = if e.deflate {
            let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
            enc.write_all(e.data).unwrap();
            enc.finish().unwrap()
        } else {
            e.data.to_vec()
        };
        let crc = e.crc.unwrap_or_else(|| crc32fast::hash(e.data));
        let size = e.size.unwrap_or(e.data.len() as u32);
        let method: u16 = if e.deflate { 8 } else { 0 };
        let offset = out.len() as u32;
        let mut fixed = Vec::new();
        fixed.extend_from_slice(&20u16.to_le_bytes());
        fixed.extend_from_slice(&0u16.to_le_bytes());
        fixed.extend_from_slice(&method.to_le_bytes());
        fixed.extend_from_slice(&DOS_TIME.to_le_bytes());
        fixed.extend_from_slice(&crc.to_le_bytes());
        fixed.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        fixed.extend_from_slice(&size.to_le_bytes());
        fixed.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        fixed.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&fixed);
        out.extend_from_slice(e.name.as_bytes());
        out.extend_from_slice(&payload);
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&fixed);
        central.extend_from_slice(&[0u8; 10]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(e.name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    let count = entries.len().min(0xffff) as u16;
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A ustar header block for `name` (at most 100 bytes) of type `kind`.
pub fn tar_header(name: &[u8], size: u64, kind: u8) -> [u8; 512] {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name);
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0001750\0");
    h[116..124].copy_from_slice(b"0001750\0");
    h[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
    h[136..148].copy_from_slice(format!("{:011o}\0", 1_600_000_000u64).as_bytes());
    h[156] = kind;
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    h
}

fn pad(out: &mut Vec<u8>) {
    while out.len() % 512 != 0 {
        out.push(0);
    }
}

/// Appends a member (header, data, padding) of type `kind`.
pub fn tar_member(out: &mut Vec<u8>, name: &[u8], data: &[u8], kind: u8) {
    out.extend_from_slice(&tar_header(name, data.len() as u64, kind));
    out.extend_from_slice(data);
    pad(out);
}

/// A tar of regular files, with the two zero blocks at the end.
pub fn tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data) in entries {
        tar_member(&mut out, name.as_bytes(), data, b'0');
    }
    out.extend_from_slice(&[0u8; 1024]);
    out
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// Writes `bytes` as a `/vsimem/` file.
pub fn put(path: &str, bytes: &[u8]) {
    let mut f = vsi::File::create(path).unwrap();
    f.write_all(bytes).unwrap();
    f.close().unwrap();
}

pub fn read_all(path: &str) -> vsi::Result<Vec<u8>> {
    use std::io::Read;
    let mut f = vsi::File::open(path)?;
    let mut v = Vec::new();
    f.read_to_end(&mut v).map_err(|e| vsi::Error::new(vsi::ErrorKind::Io, e.to_string()))?;
    Ok(v)
}

/// Text of `n` numbered lines, easy to check at any offset.
pub fn lines(n: usize) -> Vec<u8> {
    (0..n).flat_map(|i| format!("line {i:07}\n").into_bytes()).collect()
}
