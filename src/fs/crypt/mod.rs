//! `/vsicrypt/`: files encrypted sector by sector in GDAL's format, with
//! random access for reading and writing.
//!
//! A file is a header ([`Header`]) followed by the plaintext cut into
//! sectors of a fixed size, each encrypted on its own with the header's
//! algorithm and mode and an IV derived from the sector's offset, so any
//! sector can be read or rewritten alone. The file under the encryption is
//! opened through the registry, so `/vsicrypt/` works over any handler.
//!
//! Paths: `/vsicrypt/<path>` or `/vsicrypt/opt1=v1,opt2=v2,...,file=<path>`
//! (`file=` last, so the path may hold commas). The key comes from `key=`
//! or `VSICRYPT_KEY` (raw bytes), else `key_b64=` or `VSICRYPT_KEY_B64`,
//! else the key given to [`set_key`] (`VSISetCryptKey`).
//!
//! Keys are wiped from memory when dropped and never appear in errors,
//! logs or `Debug` output. Like GDAL's format, this gives confidentiality
//! only: there is no authentication, and without a key check a wrong key
//! reads as garbage.
//!
//! Where this differs from GDAL, deliberately:
//! - options are read only from the part before `file=`, and only whole
//!   option names match (GDAL searches the whole path for `name=`);
//! - a generated key (`key=GENERATE_IT`) is put in `VSICRYPT_KEY_B64` but
//!   never printed (GDAL prints it unless `VSICRYPT_DISPLAY_GENERATED_KEY=NO`);
//! - creation options are all checked before the file is created, so a bad
//!   option does not clobber an existing file;
//! - growing a file with truncate makes zeros, as on any other file (GDAL
//!   leaves undecryptable bytes there), and `SEEK_END` adds its offset;
//! - a sector inside the payload that the file does not hold whole
//!   (a truncated file) is an error, for reads and for writes that must
//!   read it, instead of an early end of file;
//! - stat of a directory reports the directory.

mod cipher;
mod header;

use std::sync::Arc;

use base64::Engine;
use parking_lot::Mutex;
use zeroize::Zeroizing;

pub use cipher::{Alg, CipherSpec, Key, Mode, SectorCipher};
pub use header::{sector_iv, Header, MAJOR_VERSION, MINOR_VERSION, SIGNATURE};

use crate::config;
use crate::error::{cple, ErrorClass};
use crate::error::{Error, ErrorKind, Result};
use crate::io::Position;
use crate::vfs::{FileSystem, Handle, Metadata, OpenOptions, StatFlags, Whence};
use crate::File;
use header::{read_full, round_up};

pub const PREFIX: &str = "/vsicrypt/";

/// The key of `VSISetCryptKey`, used when a path and the config give none.
static GLOBAL_KEY: Mutex<Option<Key>> = Mutex::new(None);

/// `VSISetCryptKey`: installs the key used when neither the path nor the
/// config options give one; `None` or an empty key clears (and wipes) it.
pub fn set_key(key: Option<&[u8]>) {
    *GLOBAL_KEY.lock() = key.filter(|k| !k.is_empty()).map(Key::new);
}

fn global_key() -> Option<Key> {
    GLOBAL_KEY.lock().clone()
}

/// `VSIInstallCryptFileHandler`: (re)registers the handler.
pub fn install() {
    crate::vfs::install(PREFIX, Arc::new(CryptFs));
}

fn no_key() -> Error {
    Error::new(
        ErrorKind::InvalidInput,
        "Encryption key not defined as key/key_b64 parameter, VSICRYPT_KEY/VSICRYPT_KEY_B64 configuration option \
         or VSISetCryptKey() API",
    )
    .with_cpl(cple::APP_DEFINED)
}

/// A `/vsicrypt/` path: its options and the path of the file it wraps.
struct CryptPath<'a> {
    options: &'a str,
    file: &'a str,
}

impl<'a> CryptPath<'a> {
    fn parse(path: &'a str) -> CryptPath<'a> {
        // The registry also hands over "/vsicrypt" and "/vsicrypt\...".
        let rest = path.get(PREFIX.len()..).unwrap_or("");
        let mut from = 0;
        while let Some(i) = rest[from..].find("file=").map(|i| i + from) {
            if i == 0 || rest.as_bytes()[i - 1] == b',' {
                return CryptPath { options: &rest[..i], file: &rest[i + "file=".len()..] };
            }
            from = i + 1;
        }
        CryptPath { options: "", file: rest }
    }

    /// The value of option `name` (case-sensitive, as GDAL's).
    fn option(&self, name: &str) -> Option<&'a str> {
        self.options.split(',').find_map(|kv| kv.split_once('=').filter(|(k, _)| *k == name).map(|(_, v)| v))
    }

    /// Option `name`, else config option `config_name`, else `default`.
    fn setting(&self, name: &str, config_name: &str, default: &str) -> String {
        self.option(name).map(str::to_string).or_else(|| config::get(config_name)).unwrap_or_else(|| default.into())
    }

    /// The key from the path or the config: `key=`, `VSICRYPT_KEY`, and
    /// when those are empty or `GENERATE_IT`, `key_b64=` or
    /// `VSICRYPT_KEY_B64`. `None` when none gives one.
    fn key(&self) -> Result<Option<Key>> {
        let text =
            self.option("key").filter(|k| !k.is_empty()).map(|k| Key::new(k.as_bytes())).or_else(|| {
                config::get("VSICRYPT_KEY").filter(|k| !k.is_empty()).map(|k| Key::from_vec(k.into_bytes()))
            });
        if text.as_ref().is_some_and(|k| !is_generate_it(k)) {
            return Ok(text);
        }
        let b64 = self
            .option("key_b64")
            .filter(|k| !k.is_empty())
            .map(|k| Zeroizing::new(k.to_string()))
            .or_else(|| config::get("VSICRYPT_KEY_B64").filter(|k| !k.is_empty()).map(Zeroizing::new));
        match b64 {
            Some(b64) => {
                let bytes = base64_engine().decode(b64.trim().as_bytes()).map_err(|_| {
                    Error::new(ErrorKind::InvalidInput, "The key_b64 parameter or VSICRYPT_KEY_B64 is not valid Base64")
                        .with_cpl(cple::APP_DEFINED)
                })?;
                Ok(Some(Key::from_vec(bytes)).filter(|k| !k.is_empty()).or(text))
            }
            None => Ok(text),
        }
    }

    /// The key to use: the path's or config's, else the global one.
    fn effective_key(&self) -> Result<Key> {
        self.key()?.or_else(global_key).ok_or_else(no_key)
    }
}

fn is_generate_it(key: &Key) -> bool {
    key.as_bytes().eq_ignore_ascii_case(b"GENERATE_IT")
}

/// Standard Base64, padding optional.
fn base64_engine() -> base64::engine::GeneralPurpose {
    let config = base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    base64::engine::GeneralPurpose::new(&base64::alphabet::STANDARD, config)
}

fn warn(message: &str) {
    crate::error::cpl_error(ErrorClass::Warning, cple::NOT_SUPPORTED, message);
}

/// C's `atoi`: leading blanks, a sign, digits; 0 when there are none.
fn atoi(s: &str) -> i64 {
    let s = s.trim_start();
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut n: i64 = 0;
    for c in digits.bytes().take_while(u8::is_ascii_digit) {
        n = n.saturating_mul(10).saturating_add((c - b'0') as i64);
    }
    if neg {
        -n
    } else {
        n
    }
}

fn random_bytes(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf).map_err(|e| Error::new(ErrorKind::Io, format!("Cannot get random bytes from the OS: {e}")))
}

/// Checks that `cipher` can run `header`'s sectors, and the key check.
fn check_header(header: &Header, cipher: &SectorCipher, name: &str) -> Result<()> {
    let bs = cipher.block_size();
    if header.iv.len() != bs {
        return Err(Error::new(ErrorKind::InvalidInput, format!("Inconsistent initial vector in {name}"))
            .with_cpl(cple::APP_DEFINED));
    }
    if !header.key_check.is_empty() && !constant_time_eq(&cipher.key_check(&header.iv), &header.key_check) {
        return Err(Error::new(
            ErrorKind::PermissionDenied,
            format!("Bad key: it does not match the key check stored in {name}"),
        )
        .with_cpl(cple::APP_DEFINED));
    }
    check_sector_size(header.sector_size as usize, bs, header.mode)
}

fn check_sector_size(sector_size: usize, bs: usize, mode: Mode) -> Result<()> {
    if sector_size % bs != 0 {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!("Sector size ({sector_size}) is not a multiple of block size ({bs})"),
        )
        .with_cpl(cple::APP_DEFINED));
    }
    if mode == Mode::CbcCts && sector_size < 2 * bs {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "Sector size ({sector_size}) should be at least twice larger than the block size ({bs}) in CBC_CTS."
            ),
        )
        .with_cpl(cple::APP_DEFINED));
    }
    Ok(())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `text` with the values of `key=` and `key_b64=` options replaced by
/// `***`: a wrapped path may itself be a `/vsicrypt/` path with a key.
fn redact(text: &str) -> std::borrow::Cow<'_, str> {
    let starts_option = |i: usize| i == 0 || matches!(text.as_bytes()[i - 1], b',' | b'/');
    let mut out = String::new();
    let mut copied = 0;
    let mut i = 0;
    while i < text.len() {
        let name_len = ["key=", "key_b64="].iter().find(|n| text[i..].starts_with(**n)).map(|n| n.len());
        match name_len {
            Some(n) if starts_option(i) => {
                let value_end = text[i + n..].find(',').map_or(text.len(), |e| i + n + e);
                out.push_str(&text[copied..i + n]);
                out.push_str("***");
                copied = value_end;
                i = value_end;
            }
            _ => i += text[i..].chars().next().map_or(1, char::len_utf8),
        }
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    std::borrow::Cow::Owned(out)
}

/// `e` with any key in its message redacted.
fn scrub(e: Error) -> Error {
    let std::borrow::Cow::Owned(message) = redact(e.message()) else { return e };
    let mut clean = Error::new(e.kind(), message).with_errno(e.errno());
    if let Some(n) = e.cpl_number() {
        clean = clean.with_cpl(n);
    }
    clean
}

/// The cipher for an existing file's header, checked against its key check.
fn keyed_cipher(header: &Header, key: &Key, name: &str) -> Result<SectorCipher> {
    if header.alg.spec().is_none() {
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!("Cipher algorithm not supported in this build: {}", header.alg.code()),
        )
        .with_cpl(cple::APP_DEFINED));
    }
    let cipher = SectorCipher::new(header.alg, header.mode, key.as_bytes())?;
    check_header(header, &cipher, name)?;
    Ok(cipher)
}

/// The `/vsicrypt/` file system.
pub struct CryptFs;

impl CryptFs {
    /// Wraps an already opened encrypted file.
    fn wrap_existing(
        &self,
        mut base: File,
        p: &CryptPath,
        key: &Key,
        can_read: bool,
        can_write: bool,
    ) -> Result<CryptHandle> {
        let header = Header::read_from(&mut base, p.file)?;
        let cipher = keyed_cipher(&header, key, p.file)?;
        Ok(CryptHandle::new(base, p.file, header, cipher, can_read, can_write))
    }

    /// Creates (or truncates) an encrypted file with the creation options.
    fn create(&self, p: &CryptPath, key: Key, can_read: bool) -> Result<CryptHandle> {
        let alg_name = p.setting("alg", "VSICRYPT_ALG", "AES");
        let alg = Alg::from_name(&alg_name).unwrap_or_else(|| {
            warn(&format!("Unsupported cipher algorithm: {alg_name}. Using AES instead"));
            Alg::Aes
        });
        let mode_name = p.setting("mode", "VSICRYPT_MODE", "CBC");
        let mode = Mode::from_name(&mode_name).unwrap_or_else(|| {
            warn(&format!("Unsupported cipher block mode: {mode_name}. Using CBC instead"));
            Mode::Cbc
        });
        let free_text = p.setting("freetext", "VSICRYPT_FREETEXT", "");
        let iv_text = p.setting("iv", "VSICRYPT_IV", "");
        let mut sector_size = atoi(&p.setting("sector_size", "VSICRYPT_SECTOR_SIZE", "512"));
        if sector_size <= 0 || sector_size >= 65535 {
            warn("Invalid value for sector_size. Defaulting to 512.");
            sector_size = 512;
        }
        let add_key_check = config::parse_bool(&p.setting("add_key_check", "VSICRYPT_ADD_KEY_CHECK", "NO"));

        let Some(spec) = alg.spec() else {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!("Cipher algorithm not supported in this build: {alg_name}"),
            )
            .with_cpl(cple::APP_DEFINED));
        };
        let iv = if iv_text.is_empty() {
            let mut iv = vec![0u8; spec.block_size];
            random_bytes(&mut iv)?;
            iv
        } else if iv_text.len() != spec.block_size {
            return Err(Error::new(ErrorKind::InvalidInput, format!("IV should be {} byte large", spec.block_size))
                .with_cpl(cple::APP_DEFINED));
        } else {
            iv_text.into_bytes()
        };
        let key = if is_generate_it(&key) {
            let mut bytes = Zeroizing::new(vec![0u8; spec.max_key]);
            random_bytes(&mut bytes)?;
            let b64 = Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(&*bytes));
            config::set("VSICRYPT_KEY_B64", Some(&b64));
            crate::error::debug(
                "VSICRYPT",
                "A key has been generated and installed in the VSICRYPT_KEY_B64 configuration option",
            );
            Key::new(&bytes)
        } else {
            key
        };
        if key.len() < spec.min_key {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!("Key is too short: {} bytes. Should be at least {} bytes", key.len(), spec.min_key),
            )
            .with_cpl(cple::APP_DEFINED));
        }
        let cipher = SectorCipher::new(alg, mode, key.as_bytes())?;
        check_sector_size(sector_size as usize, spec.block_size, mode)?;
        let key_check = if add_key_check { cipher.key_check(&iv) } else { Vec::new() };
        let header = Header::new(sector_size as u16, alg, mode, iv, free_text.into_bytes(), key_check)?;

        let mut base = File::open_with(p.file, "wb+")?;
        let bytes = header.encode();
        if base.write_raw(&bytes)? != bytes.len() {
            return Err(
                Error::new(ErrorKind::Io, format!("Cannot write the header of {}", p.file)).with_cpl(cple::FILE_IO)
            );
        }
        Ok(CryptHandle::new(base, p.file, header, cipher, can_read, true))
    }

    fn open_handle(&self, path: &str, options: &OpenOptions) -> Result<CryptHandle> {
        let p = CryptPath::parse(path);
        let key = p.effective_key()?;
        let access = options.access.as_str();
        let update = access.contains('+');
        let handle = if access.contains('r') {
            let base_access = if access.contains('b') { access.to_string() } else { format!("{access}b") };
            self.wrap_existing(File::open_with(p.file, &base_access)?, &p, &key, true, update)?
        } else if access.contains('w') {
            self.create(&p, key, update)?
        } else if access.contains('a') {
            // GDAL: append to an existing file, else create one.
            match File::open_with(p.file, "rb+") {
                Err(_) => self.create(&p, key, true)?,
                Ok(base) => {
                    let mut h = self.wrap_existing(base, &p, &key, true, true)?;
                    h.pos.offset = h.header.payload_size;
                    h
                }
            }
        } else {
            return Err(Error::new(ErrorKind::InvalidInput, format!("Invalid access mode '{access}'")));
        };
        Ok(handle)
    }

    fn stat_file(&self, path: &str, flags: StatFlags) -> Result<Metadata> {
        let p = CryptPath::parse(path);
        let mut meta = crate::stat_ex(p.file, flags)?;
        if meta.is_dir() {
            return Ok(meta);
        }
        let mut f = File::open(p.file)?;
        let header = Header::read_from(&mut f, p.file)?;
        let _ = f.close();
        if !header.key_check.is_empty() {
            keyed_cipher(&header, &p.effective_key()?, p.file)?;
        }
        meta.size = header.payload_size;
        if let Some(native) = meta.native.as_mut() {
            native.st_size = header.payload_size as i64;
        }
        Ok(meta)
    }
}

impl FileSystem for CryptFs {
    fn open(&self, path: &str, options: &OpenOptions) -> Result<Box<dyn Handle>> {
        self.open_handle(path, options).map(|h| Box::new(h) as Box<dyn Handle>).map_err(scrub)
    }

    /// The wrapped file's metadata with the plaintext size of the header.
    /// The key is needed only when the file has a key check.
    fn stat(&self, path: &str, flags: StatFlags) -> Result<Metadata> {
        self.stat_file(path, flags).map_err(scrub)
    }

    fn read_dir(&self, path: &str, max_files: usize) -> Result<Vec<String>> {
        crate::read_dir_ex(CryptPath::parse(path).file, max_files).map_err(scrub)
    }

    fn unlink(&self, path: &str) -> Result<()> {
        crate::unlink(CryptPath::parse(path).file).map_err(scrub)
    }

    fn rename(&self, from: &str, to: &str) -> Result<()> {
        let to = if to.starts_with(PREFIX) { CryptPath::parse(to).file } else { to };
        crate::rename(CryptPath::parse(from).file, to).map_err(scrub)
    }
}

/// An open `/vsicrypt/` file: one sector of plaintext cached, written back
/// when another sector is needed, on flush and on close.
struct CryptHandle {
    base: Option<File>,
    /// The wrapped file's path, for messages (never the `/vsicrypt/` path,
    /// which may hold the key).
    name: String,
    header: Header,
    cipher: SectorCipher,
    can_read: bool,
    can_write: bool,
    pos: Position,
    /// Plaintext of the sector at `buf_sector`; bytes past the payload are 0.
    buf: Zeroizing<Vec<u8>>,
    buf_sector: Option<u64>,
    dirty: bool,
    /// Plaintext offset up to which the file holds sectors (a multiple of
    /// the sector size); sectors past it read as zeros.
    disk_end: u64,
    header_dirty: bool,
}

impl CryptHandle {
    fn new(
        base: File,
        name: &str,
        header: Header,
        cipher: SectorCipher,
        can_read: bool,
        can_write: bool,
    ) -> CryptHandle {
        let sector = header.sector_size as usize;
        CryptHandle {
            base: Some(base),
            name: redact(name).into_owned(),
            disk_end: header.sectors_end(),
            header,
            cipher,
            can_read,
            can_write,
            pos: Position::default(),
            buf: Zeroizing::new(vec![0u8; sector]),
            buf_sector: None,
            dirty: false,
            header_dirty: false,
        }
    }

    fn sector_size(&self) -> u64 {
        self.header.sector_size as u64
    }

    fn base(&mut self) -> Result<&mut File> {
        self.base.as_mut().ok_or_else(|| Error::new(ErrorKind::Io, "File already closed"))
    }

    /// Where the sector at plaintext `sector` lives in the wrapped file.
    fn disk_offset(&self, sector: u64) -> Result<u64> {
        (self.header.header_size as u64)
            .checked_add(sector)
            .filter(|o| o.checked_add(self.sector_size()).is_some())
            .ok_or_else(|| Error::new(ErrorKind::InvalidInput, "offset too large for /vsicrypt/"))
    }

    fn truncated(&self, sector: u64) -> Error {
        Error::new(
            ErrorKind::Io,
            format!(
                "Truncated /vsicrypt/ file {}: the sector at plaintext offset {sector} is missing or incomplete \
                 (the header announces {} bytes)",
                self.name, self.header.payload_size
            ),
        )
        .with_cpl(cple::FILE_IO)
    }

    /// Reads `out.len()` bytes (whole sectors) starting at plaintext
    /// `sector` from the wrapped file, and decrypts them.
    fn read_sectors(&mut self, sector: u64, out: &mut [u8]) -> Result<()> {
        let offset = self.disk_offset(sector)?;
        let base = self.base()?;
        base.seek_raw(offset, Whence::Set)?;
        if read_full(base, out)? != out.len() {
            return Err(self.truncated(sector));
        }
        let s = self.header.sector_size as usize;
        for (i, chunk) in out.chunks_exact_mut(s).enumerate() {
            let iv = sector_iv(&self.header.iv, sector + (i * s) as u64);
            self.cipher.decrypt(&iv, chunk);
        }
        Ok(())
    }

    /// Encrypts the plaintext of one sector and writes it. Bytes past the
    /// payload are filled with random bytes first, as GDAL does, so that
    /// no known plaintext is encrypted.
    fn write_sector(&mut self, sector: u64, plain: &[u8]) -> Result<()> {
        let mut data = Zeroizing::new(plain.to_vec());
        if sector + self.sector_size() > self.header.payload_size {
            let keep = self.header.payload_size.saturating_sub(sector) as usize;
            random_bytes(&mut data[keep..])?;
        }
        self.cipher.encrypt(&sector_iv(&self.header.iv, sector), &mut data);
        let offset = self.disk_offset(sector)?;
        let base = self.base()?;
        base.seek_raw(offset, Whence::Set)?;
        if base.write_raw(&data)? != data.len() {
            return Err(Error::new(ErrorKind::Io, format!("Cannot write an encrypted sector of {}", self.name))
                .with_cpl(cple::FILE_IO));
        }
        self.disk_end = self.disk_end.max(sector + self.sector_size());
        Ok(())
    }

    /// Writes the cached sector back if it changed.
    fn flush_sector(&mut self) -> Result<()> {
        if let (true, Some(sector)) = (self.dirty, self.buf_sector) {
            let plain = std::mem::take(&mut self.buf);
            let outcome = self.write_sector(sector, &plain);
            self.buf = plain;
            outcome?;
        }
        self.dirty = false;
        Ok(())
    }

    /// Makes the sector at `sector` the cached one.
    fn load(&mut self, sector: u64) -> Result<()> {
        if self.buf_sector == Some(sector) {
            return Ok(());
        }
        self.flush_sector()?;
        self.buf_sector = None;
        let mut buf = std::mem::take(&mut self.buf);
        let outcome = if sector >= self.disk_end {
            buf.fill(0);
            Ok(())
        } else {
            self.read_sectors(sector, &mut buf)
        };
        if outcome.is_ok() {
            // Past the payload lie random bytes (or a truncated file's old
            // data): they read as the zeros a later extension must show.
            let keep = self.header.payload_size.saturating_sub(sector).min(buf.len() as u64) as usize;
            buf[keep..].fill(0);
            self.buf_sector = Some(sector);
        }
        self.buf = buf;
        outcome
    }

    /// Grows the payload to `new_size`, the new bytes reading as zeros:
    /// the old last sector's tail is cleared, and every sector from the end
    /// of the file up to `zeros_end` is written as encrypted zeros.
    fn grow(&mut self, new_size: u64, zeros_end: u64) -> Result<()> {
        let s = self.sector_size();
        let old = self.header.payload_size;
        if old % s != 0 {
            // Loading clears its tail; it is written back as part of the
            // larger payload.
            self.load(old - old % s)?;
            self.dirty = true;
        }
        self.header.payload_size = new_size;
        self.header_dirty = true;
        let zeros = Zeroizing::new(vec![0u8; s as usize]);
        let mut sector = self.disk_end;
        while sector < zeros_end {
            if self.buf_sector != Some(sector) {
                self.write_sector(sector, &zeros)?;
            }
            sector += s;
        }
        Ok(())
    }

    fn write_header(&mut self) -> Result<()> {
        let bytes = self.header.encode();
        let base = self.base()?;
        base.seek_raw(0, Whence::Set)?;
        if base.write_raw(&bytes)? != bytes.len() {
            return Err(
                Error::new(ErrorKind::Io, format!("Cannot write the header of {}", self.name)).with_cpl(cple::FILE_IO)
            );
        }
        self.header_dirty = false;
        Ok(())
    }

    fn read_into(&mut self, out: &mut [u8]) -> Result<()> {
        let s = self.sector_size();
        let mut pos = self.pos.offset;
        let mut done = 0;
        while done < out.len() {
            let sector = pos - pos % s;
            let within = (pos - sector) as usize;
            let rest = &mut out[done..];
            // Whole sectors not in the cache go straight from the wrapped
            // file into the caller's buffer.
            let cached = self.buf_sector.filter(|_| self.dirty);
            let mut run = 0u64;
            if within == 0 {
                while (run + 1) * s <= rest.len() as u64
                    && sector + (run + 1) * s <= self.disk_end
                    && cached != Some(sector + run * s)
                {
                    run += 1;
                }
            }
            if run > 0 {
                let n = (run * s) as usize;
                self.read_sectors(sector, &mut rest[..n])?;
                done += n;
                pos += n as u64;
                continue;
            }
            self.load(sector)?;
            let n = rest.len().min(s as usize - within);
            rest[..n].copy_from_slice(&self.buf[within..within + n]);
            done += n;
            pos += n as u64;
        }
        Ok(())
    }

    fn write_from(&mut self, data: &[u8]) -> Result<usize> {
        let s = self.sector_size();
        let end = self.pos.offset.checked_add(data.len() as u64).filter(|e| self.disk_offset(round_up(*e, s)).is_ok());
        if end.is_none() {
            return Err(Error::new(ErrorKind::InvalidInput, "offset too large for /vsicrypt/"));
        }
        if self.pos.offset > self.header.payload_size {
            let pos = self.pos.offset;
            self.grow(pos, pos - pos % s)?;
        }
        let mut done = 0;
        while done < data.len() {
            let sector = self.pos.offset - self.pos.offset % s;
            let within = (self.pos.offset - sector) as usize;
            let n = (data.len() - done).min(s as usize - within);
            let whole = within == 0 && n == s as usize;
            let step = if whole {
                // Overwritten entirely: no need to read it.
                if self.buf_sector != Some(sector) {
                    self.flush_sector().map(|_| self.buf_sector = Some(sector))
                } else {
                    Ok(())
                }
            } else {
                self.load(sector)
            };
            if let Err(e) = step {
                return if done > 0 { Ok(done) } else { Err(e) };
            }
            self.buf[within..within + n].copy_from_slice(&data[done..done + n]);
            self.dirty = true;
            done += n;
            self.pos.offset += n as u64;
            if self.pos.offset > self.header.payload_size {
                self.header.payload_size = self.pos.offset;
                self.header_dirty = true;
            }
        }
        Ok(done)
    }

    /// Shrinks or grows (with zeros) the plaintext; the wrapped file keeps
    /// exactly the sectors the new size needs.
    fn resize(&mut self, size: u64) -> Result<()> {
        let s = self.sector_size();
        let end = round_up(size, s);
        let new_len = self.disk_offset(end)?;
        self.flush_sector()?;
        if size > self.header.payload_size {
            self.grow(size, end)?;
            self.flush_sector()?;
        } else if size < self.header.payload_size {
            self.header.payload_size = size;
            self.header_dirty = true;
            // The cached sector may hold bytes now past the end.
            self.buf_sector = None;
        }
        self.base()?.truncate(new_len)?;
        self.disk_end = end;
        Ok(())
    }

    fn not_writable() -> Error {
        Error::new(ErrorKind::PermissionDenied, "File not opened for writing").with_errno(libc::EBADF)
    }
}

impl Handle for CryptHandle {
    /// Reads from the current offset. A sector the file should hold but
    /// does not (a truncated file) fails the whole read, with the offset
    /// unchanged and the error flag set.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if !self.can_read {
            self.pos.error = true;
            return Err(Error::new(ErrorKind::PermissionDenied, "File not opened for reading").with_errno(libc::EBADF));
        }
        if self.pos.offset >= self.header.payload_size {
            self.pos.eof = true;
            return Ok(0);
        }
        let n = (self.header.payload_size - self.pos.offset).min(buf.len() as u64) as usize;
        if let Err(e) = self.read_into(&mut buf[..n]) {
            self.pos.error = true;
            return Err(scrub(e));
        }
        self.pos.offset += n as u64;
        if n < buf.len() {
            self.pos.eof = true;
        }
        Ok(n)
    }

    fn write(&mut self, buf: &[u8]) -> Result<usize> {
        if !self.can_write {
            return Err(Self::not_writable());
        }
        if buf.is_empty() {
            return Ok(0);
        }
        self.write_from(buf).map_err(scrub)
    }

    fn seek(&mut self, offset: u64, whence: Whence) -> Result<()> {
        let size = self.header.payload_size;
        self.pos.seek(offset, whence, || Ok(size))
    }

    crate::position_accessors!(pos);

    fn flush(&mut self) -> Result<()> {
        if !self.can_write {
            return Ok(());
        }
        self.flush_sector().map_err(scrub)?;
        if self.header_dirty {
            self.write_header().map_err(scrub)?;
        }
        self.base()?.flush_raw().map_err(scrub)
    }

    /// Shrinks the plaintext, or grows it with zeros.
    fn truncate(&mut self, size: u64) -> Result<()> {
        if !self.can_write {
            return Err(Self::not_writable());
        }
        self.resize(size).map_err(scrub)
    }

    fn close(&mut self) -> Result<()> {
        if self.base.is_none() {
            return Ok(());
        }
        let flushed = self.flush();
        let closed = self.base.take().map_or(Ok(()), File::close).map_err(scrub);
        flushed.and(closed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_options_and_the_wrapped_file() {
        let p = CryptPath::parse("/vsicrypt/key=abc,mode=CTR,file=/vsimem/a,b.bin");
        assert_eq!((p.options, p.file), ("key=abc,mode=CTR,", "/vsimem/a,b.bin"));
        assert_eq!(p.option("key"), Some("abc"));
        assert_eq!(p.option("mode"), Some("CTR"));
        assert_eq!(p.option("alg"), None);
        let p = CryptPath::parse("/vsicrypt//vsimem/a.bin");
        assert_eq!((p.options, p.file), ("", "/vsimem/a.bin"));
        assert_eq!(p.option("key"), None);
        // Only a whole option name matches, and only before file=.
        let p = CryptPath::parse("/vsicrypt/freetext=myfile=x,monkey=1,file=/vsimem/key=zzz");
        assert_eq!(p.file, "/vsimem/key=zzz");
        assert_eq!(p.option("freetext"), Some("myfile=x"));
        assert_eq!(p.option("key"), None);
        assert_eq!(CryptPath::parse("/vsicrypt").file, "");
        assert_eq!(CryptPath::parse("/vsicrypt\\C:\\a.bin").file, "C:\\a.bin");
        // A Base64 key keeps its padding.
        assert_eq!(CryptPath::parse("/vsicrypt/key_b64=YQ==,file=f").option("key_b64"), Some("YQ=="));
    }

    #[test]
    fn keys_are_redacted_from_messages() {
        assert_eq!(redact("/vsicrypt/key=SECRET,file=/vsimem/x"), "/vsicrypt/key=***,file=/vsimem/x");
        assert_eq!(
            redact("a /vsicrypt/key_b64=U0VD,mode=CTR,file=f: gone"),
            "a /vsicrypt/key_b64=***,mode=CTR,file=f: gone"
        );
        assert_eq!(redact("key=SECRET"), "key=***");
        assert_eq!(redact("/vsimem/monkey=1"), "/vsimem/monkey=1");
        assert_eq!(redact("plain ü text"), "plain ü text");
        let e = scrub(Error::new(ErrorKind::NotFound, "/vsicrypt/key=SECRET,file=/x: nope").with_cpl(cple::FILE_IO));
        assert_eq!(e.message(), "/vsicrypt/key=***,file=/x: nope");
        assert_eq!((e.kind(), e.cpl_number()), (ErrorKind::NotFound, Some(cple::FILE_IO)));
    }

    #[test]
    fn atoi_reads_like_c() {
        assert_eq!(atoi("512"), 512);
        assert_eq!(atoi("  16abc"), 16);
        assert_eq!(atoi("-3"), -3);
        assert_eq!(atoi("junk"), 0);
        assert_eq!(atoi(""), 0);
        assert_eq!(atoi("99999999999999999999999"), i64::MAX);
    }
}
