//! The header of a `/vsicrypt/` file, byte for byte as GDAL writes it, and
//! the per-sector IV.
//!
//! ```text
//! off  size  field (integers little-endian)
//! 0    8     "VSICRYPT"
//! 8    2     header size, signature included
//! 10   1     major version (1)
//! 11   1     minor version (0)
//! 12   2     sector size
//! 14   1     algorithm code
//! 15   1     mode code
//! 16   1     IV length N, then N bytes of IV
//! ..   2     free text length T, then T bytes (stored in clear)
//! ..   1     key check length K (0: none), then K bytes
//! ..   8     payload (plaintext) size
//! ..   2     extra content length E, then E bytes
//! ```
//! The encrypted sectors follow immediately.

use super::cipher::{Alg, Mode};
use crate::error::{cple, Error, ErrorKind, Result};
use crate::vfs::Whence;
use crate::File;

pub const SIGNATURE: &[u8; 8] = b"VSICRYPT";
pub const MAJOR_VERSION: u8 = 1;
pub const MINOR_VERSION: u8 = 0;

/// Bytes of the header besides the variable-length fields.
const FIXED_LEN: usize = 8 + 2 + 1 + 1 + 2 + 1 + 1 + 1 + 2 + 1 + 8 + 2;
/// Signature and header size: what must be read to know the rest's length.
const PREAMBLE_LEN: usize = 10;

/// A decoded header. Holds nothing secret: the IV and the key check are
/// public by design.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// As stored; the sectors start at this offset.
    pub header_size: u16,
    pub minor_version: u8,
    pub sector_size: u16,
    pub alg: Alg,
    pub mode: Mode,
    pub iv: Vec<u8>,
    pub free_text: Vec<u8>,
    /// Empty when the file has no key check.
    pub key_check: Vec<u8>,
    pub payload_size: u64,
    pub extra: Vec<u8>,
}

/// The IV of the sector at plaintext `offset`: the header's IV with its
/// first min(8, len) bytes XORed with the offset's little-endian bytes.
pub fn sector_iv(iv: &[u8], offset: u64) -> Vec<u8> {
    let mut out = iv.to_vec();
    for (b, o) in out.iter_mut().zip(offset.to_le_bytes()) {
        *b ^= o;
    }
    out
}

fn invalid(cpl: i32, message: String) -> Error {
    Error::new(ErrorKind::InvalidInput, message).with_cpl(cpl)
}

impl Header {
    /// A version 1.0 header for a new, empty file.
    pub fn new(
        sector_size: u16,
        alg: Alg,
        mode: Mode,
        iv: Vec<u8>,
        free_text: Vec<u8>,
        key_check: Vec<u8>,
    ) -> Result<Header> {
        let len = FIXED_LEN + iv.len() + free_text.len() + key_check.len();
        let header_size = u16::try_from(len).map_err(|_| {
            invalid(cple::APP_DEFINED, format!("Header too large ({len} bytes): the free text is too long"))
        })?;
        if iv.len() > 255 || key_check.len() > 255 {
            return Err(invalid(cple::APP_DEFINED, "IV or key check longer than 255 bytes".into()));
        }
        Ok(Header {
            header_size,
            minor_version: MINOR_VERSION,
            sector_size,
            alg,
            mode,
            iv,
            free_text,
            key_check,
            payload_size: 0,
            extra: Vec::new(),
        })
    }

    /// The bytes of the header. Its length is `header_size` for every
    /// header made by [`Header::new`] or decoded from a 1.0 file.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.header_size as usize);
        out.extend_from_slice(SIGNATURE);
        out.extend_from_slice(&self.header_size.to_le_bytes());
        out.push(MAJOR_VERSION);
        out.push(self.minor_version);
        out.extend_from_slice(&self.sector_size.to_le_bytes());
        out.push(self.alg.code());
        out.push(self.mode.code());
        out.push(self.iv.len() as u8);
        out.extend_from_slice(&self.iv);
        out.extend_from_slice(&(self.free_text.len() as u16).to_le_bytes());
        out.extend_from_slice(&self.free_text);
        out.push(self.key_check.len() as u8);
        out.extend_from_slice(&self.key_check);
        out.extend_from_slice(&self.payload_size.to_le_bytes());
        out.extend_from_slice(&(self.extra.len() as u16).to_le_bytes());
        out.extend_from_slice(&self.extra);
        out
    }

    /// Decodes a header from the first bytes of a file (`name` is only for
    /// messages). Checks what GDAL checks, with GDAL's words first, and
    /// also refuses what would break later: a sector size of 0, and a
    /// header size that does not match the fields of a 1.0 header.
    pub fn decode(bytes: &[u8], name: &str) -> Result<Header> {
        if bytes.len() < SIGNATURE.len() || &bytes[..SIGNATURE.len()] != SIGNATURE {
            return Err(invalid(cple::APP_DEFINED, format!("Invalid signature: {name} is not a /vsicrypt/ file")));
        }
        let mut r = Reader { bytes, pos: SIGNATURE.len(), name };
        let header_size = r.u16()?;
        if (header_size as usize) < 8 + 2 + 1 + 1 {
            return Err(invalid(cple::APP_DEFINED, format!("Invalid header size : {header_size} in {name}")));
        }
        let major = r.u8()?;
        let minor_version = r.u8()?;
        if major != MAJOR_VERSION {
            return Err(invalid(cple::APP_DEFINED, format!("Unhandled major version : {major} in {name}")));
        }
        if minor_version != MINOR_VERSION {
            crate::error::debug("VSICRYPT", &format!("Minor version in file is {minor_version}"));
        }
        let sector_size = r.u16()?;
        let alg_code = r.u8()?;
        let mode_code = r.u8()?;
        let alg = Alg::from_code(alg_code).ok_or_else(|| {
            Error::new(ErrorKind::Unsupported, format!("Unsupported cipher algorithm {alg_code} in {name}"))
                .with_cpl(cple::NOT_SUPPORTED)
        })?;
        let mode = Mode::from_code(mode_code).ok_or_else(|| {
            Error::new(ErrorKind::Unsupported, format!("Unsupported cipher block mode {mode_code} in {name}"))
                .with_cpl(cple::NOT_SUPPORTED)
        })?;
        let iv_len = r.u8()? as usize;
        let iv = r.take(iv_len)?.to_vec();
        let free_len = r.u16()? as usize;
        let free_text = r.take(free_len)?.to_vec();
        let check_len = r.u8()? as usize;
        let key_check = r.take(check_len)?.to_vec();
        let payload_size = u64::from_le_bytes(r.take(8)?.try_into().expect("8 bytes"));
        let extra_len = r.u16()? as usize;
        let extra = r.take(extra_len)?.to_vec();
        // A later 1.x may append fields that 1.0 readers skip; a 1.0
        // header is exactly its fields, and no header can be shorter.
        let parsed = r.pos;
        let stored = header_size as usize;
        if stored < parsed || (minor_version == MINOR_VERSION && stored != parsed) {
            return Err(invalid(
                cple::APP_DEFINED,
                format!("Invalid header size : {header_size} in {name} (its fields take {parsed} bytes)"),
            ));
        }
        if sector_size == 0 {
            return Err(invalid(cple::APP_DEFINED, format!("Invalid sector size : 0 in {name}")));
        }
        Ok(Header { header_size, minor_version, sector_size, alg, mode, iv, free_text, key_check, payload_size, extra })
    }

    /// Reads and decodes the header at the start of `file`.
    pub fn read_from(file: &mut File, name: &str) -> Result<Header> {
        file.seek_raw(0, Whence::Set)?;
        let mut bytes = vec![0u8; PREAMBLE_LEN];
        let n = read_full(file, &mut bytes)?;
        bytes.truncate(n);
        if n == PREAMBLE_LEN && &bytes[..SIGNATURE.len()] == SIGNATURE {
            let size = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
            if size > PREAMBLE_LEN {
                bytes.resize(size, 0);
                let m = read_full(file, &mut bytes[PREAMBLE_LEN..])?;
                bytes.truncate(PREAMBLE_LEN + m);
            }
        }
        Header::decode(&bytes, name)
    }

    /// The plaintext offset just past the last sector the payload uses.
    pub fn sectors_end(&self) -> u64 {
        round_up(self.payload_size, self.sector_size as u64)
    }
}

/// `n` rounded up to a multiple of `s` (saturating near `u64::MAX`).
pub fn round_up(n: u64, s: u64) -> u64 {
    match n % s {
        0 => n,
        r => n.saturating_add(s - r),
    }
}

/// Reads until `buf` is full or the file ends; returns the bytes read.
pub fn read_full(file: &mut File, buf: &mut [u8]) -> Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        let n = file.read_raw(&mut buf[done..])?;
        if n == 0 {
            break;
        }
        done += n;
    }
    Ok(done)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    name: &'a str,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.bytes.len() - self.pos < n {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("Cannot read header of {}: it is truncated", self.name),
            )
            .with_cpl(cple::FILE_IO));
        }
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    // Headers of files written by tests/vectors/crypt_vectors.cpp (with
    // Crypto++, from GDAL's documentation of the format).
    /// An empty file with the defaults: AES, CBC, sector 512, IV
    /// "0123456789ABCDEF", no free text, no key check.
    const EMPTY_FILE: &str = "56534943525950542e0001000002000010303132333435363738394142434445\
        4600000000000000000000000000";
    /// CBC, sector 32, free text "my free text", a key check for the key
    /// "DONT_USE_IN_PROD", 96 bytes of payload.
    const CBC_HEADER: &str = "56534943525950544a0001002000000010303132333435363738394142434445\
        460c006d79206672656520746578741020486668578f60388fbb3e7ee64f3736\
        60000000000000000000";

    #[test]
    fn decodes_and_reencodes_gdal_headers_byte_for_byte() {
        let bytes = hex(EMPTY_FILE);
        assert_eq!(bytes.len(), 46, "GDAL's empty file is 46 bytes");
        let h = Header::decode(&bytes, "f").unwrap();
        assert_eq!(h.header_size, 46);
        assert_eq!((h.sector_size, h.alg, h.mode), (512, Alg::Aes, Mode::Cbc));
        assert_eq!(h.iv, b"0123456789ABCDEF");
        assert!(h.free_text.is_empty() && h.key_check.is_empty() && h.extra.is_empty());
        assert_eq!(h.payload_size, 0);
        assert_eq!(h.encode(), bytes);

        let bytes = hex(CBC_HEADER);
        let h = Header::decode(&bytes, "f").unwrap();
        assert_eq!(h.header_size as usize, bytes.len());
        assert_eq!((h.sector_size, h.mode), (32, Mode::Cbc));
        assert_eq!(h.free_text, b"my free text");
        assert_eq!(h.key_check.len(), 16);
        assert_eq!(h.payload_size, 96);
        assert_eq!(h.encode(), bytes);

        let made =
            Header::new(32, Alg::Aes, Mode::Cbc, h.iv.clone(), h.free_text.clone(), h.key_check.clone()).unwrap();
        assert_eq!(Header { payload_size: 96, ..made }.encode(), bytes);
    }

    #[test]
    fn sector_iv_xors_the_little_endian_offset_into_the_first_eight_bytes() {
        let iv: Vec<u8> = (0xa0..=0xaf).collect();
        // Worked by hand: a0^08 a1^07 a2^06 a3^05 a4^04 a5^03 a6^02 a7^01, rest kept.
        assert_eq!(
            sector_iv(&iv, 0x0102030405060708),
            [0xa8, 0xa6, 0xa4, 0xa6, 0xa0, 0xa6, 0xa4, 0xa6, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf]
        );
        assert_eq!(sector_iv(&iv, 0), iv);
        assert_eq!(&sector_iv(&iv, u64::MAX)[..8], &[0x5f, 0x5e, 0x5d, 0x5c, 0x5b, 0x5a, 0x59, 0x58]);
        assert_eq!(sector_iv(&[1, 2], 0x0300), [1, 1], "short IVs take only their own length");
    }

    #[test]
    fn every_truncation_of_a_header_is_refused() {
        let bytes = hex(CBC_HEADER);
        for n in 0..bytes.len() {
            let e = Header::decode(&bytes[..n], "f").unwrap_err();
            assert!(e.cpl_number().is_some(), "{n}: {}", e.message());
        }
    }

    #[test]
    fn damaged_fields_get_gdal_messages() {
        let good = hex(EMPTY_FILE);
        let damaged = |at: usize, value: u8| {
            let mut b = good.clone();
            b[at] = value;
            Header::decode(&b, "f.bin").unwrap_err().message().to_string()
        };
        assert!(damaged(0, b'X').starts_with("Invalid signature"));
        assert!(damaged(8, 11).starts_with("Invalid header size : 11"));
        assert!(damaged(8, 47).starts_with("Invalid header size : 47"));
        assert!(damaged(10, 2).starts_with("Unhandled major version : 2"));
        assert!(damaged(14, 15).starts_with("Unsupported cipher algorithm 15"));
        assert!(damaged(15, 5).starts_with("Unsupported cipher block mode 5"));
        assert!(damaged(16, 17).starts_with("Cannot read header"));
        let mut zero_sector = good.clone();
        zero_sector[12] = 0;
        zero_sector[13] = 0;
        assert!(Header::decode(&zero_sector, "f").unwrap_err().message().contains("sector size"));
        // Messages name the file.
        assert!(damaged(0, 0).contains("f.bin"));
    }

    #[test]
    fn a_later_minor_version_may_have_a_longer_header() {
        let mut b = hex(EMPTY_FILE);
        b[11] = 1;
        b[8] = 50;
        b.extend_from_slice(&[0; 4]);
        let h = Header::decode(&b, "f").unwrap();
        assert_eq!((h.minor_version, h.header_size), (1, 50));
    }

    #[test]
    fn free_text_too_long_for_the_header_is_refused() {
        assert!(Header::new(512, Alg::Aes, Mode::Cbc, vec![0; 16], vec![b'x'; 65535], Vec::new()).is_err());
        assert!(Header::new(512, Alg::Aes, Mode::Cbc, vec![0; 16], vec![b'x'; 65000], Vec::new()).is_ok());
    }
}
