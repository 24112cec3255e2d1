//! The block ciphers and modes of `/vsicrypt/`, with the semantics of
//! Crypto++ (which GDAL uses): full-block CFB, a whole-block big-endian
//! counter for CTR, Crypto++'s ciphertext stealing for CBC_CTS, and never any
//! padding. A sector is always a whole number of blocks.

use std::fmt;

use aes::cipher::generic_array::GenericArray;
use aes::cipher::{
    AsyncStreamCipher, BlockCipher, BlockDecrypt, BlockDecryptMut, BlockEncrypt, BlockEncryptMut, InnerIvInit, KeyInit,
    StreamCipherCore,
};
use aes::{Aes128, Aes192, Aes256};
use ctr::flavors::{Ctr128BE, Ctr64BE, CtrFlavor};
use des::{TdesEde2, TdesEde3};
use zeroize::Zeroizing;

use crate::error::{cple, Error, ErrorKind, Result};

/// Cipher algorithms, by their code in the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    Aes = 0,
    Blowfish = 1,
    Camellia = 2,
    Cast256 = 3,
    DesEde2 = 4,
    DesEde3 = 5,
    Mars = 6,
    Idea = 7,
    Rc5 = 8,
    Rc6 = 9,
    Serpent = 10,
    Shacal2 = 11,
    Skipjack = 12,
    Twofish = 13,
    Xtea = 14,
}

const ALGS: [(Alg, &str); 15] = [
    (Alg::Aes, "AES"),
    (Alg::Blowfish, "Blowfish"),
    (Alg::Camellia, "Camellia"),
    (Alg::Cast256, "CAST256"),
    (Alg::DesEde2, "DES_EDE2"),
    (Alg::DesEde3, "DES_EDE3"),
    (Alg::Mars, "MARS"),
    (Alg::Idea, "IDEA"),
    (Alg::Rc5, "RC5"),
    (Alg::Rc6, "RC6"),
    (Alg::Serpent, "Serpent"),
    (Alg::Shacal2, "SHACAL2"),
    (Alg::Skipjack, "SKIPJACK"),
    (Alg::Twofish, "Twofish"),
    (Alg::Xtea, "XTEA"),
];

/// Sizes of a cipher this build can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CipherSpec {
    pub block_size: usize,
    pub min_key: usize,
    pub max_key: usize,
}

impl Alg {
    pub fn from_code(code: u8) -> Option<Alg> {
        ALGS.get(code as usize).map(|(a, _)| *a)
    }
    pub fn code(self) -> u8 {
        self as u8
    }
    /// GDAL's names, compared without regard to case.
    pub fn from_name(name: &str) -> Option<Alg> {
        ALGS.iter().find(|(_, n)| n.eq_ignore_ascii_case(name)).map(|(a, _)| *a)
    }
    pub fn name(self) -> &'static str {
        ALGS[self as usize].1
    }
    /// The algorithms this build implements: AES, and the two Triple DES
    /// variants of GDAL's Crypto++ DLL builds.
    pub fn spec(self) -> Option<CipherSpec> {
        match self {
            Alg::Aes => Some(CipherSpec { block_size: 16, min_key: 16, max_key: 32 }),
            Alg::DesEde2 => Some(CipherSpec { block_size: 8, min_key: 16, max_key: 16 }),
            Alg::DesEde3 => Some(CipherSpec { block_size: 8, min_key: 24, max_key: 24 }),
            _ => None,
        }
    }
}

/// Block cipher modes of operation, by their code in the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Cbc = 0,
    Cfb = 1,
    Ofb = 2,
    Ctr = 3,
    CbcCts = 4,
}

const MODES: [(Mode, &str); 5] =
    [(Mode::Cbc, "CBC"), (Mode::Cfb, "CFB"), (Mode::Ofb, "OFB"), (Mode::Ctr, "CTR"), (Mode::CbcCts, "CBC_CTS")];

impl Mode {
    pub fn from_code(code: u8) -> Option<Mode> {
        MODES.get(code as usize).map(|(m, _)| *m)
    }
    pub fn code(self) -> u8 {
        self as u8
    }
    pub fn from_name(name: &str) -> Option<Mode> {
        MODES.iter().find(|(_, n)| n.eq_ignore_ascii_case(name)).map(|(m, _)| *m)
    }
    pub fn name(self) -> &'static str {
        MODES[self as usize].1
    }
}

/// Key bytes: wiped when dropped, never printed.
#[derive(Clone, Default)]
pub struct Key(Zeroizing<Vec<u8>>);

impl Key {
    pub fn new(bytes: &[u8]) -> Key {
        Key(Zeroizing::new(bytes.to_vec()))
    }
    pub fn from_vec(bytes: Vec<u8>) -> Key {
        Key(Zeroizing::new(bytes))
    }
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key(<redacted, {} bytes>)", self.0.len())
    }
}

/// The plaintext GDAL encrypts to make the key check: its first
/// min(32, block size) bytes, in CBC, with the IV of offset 2^64-1.
const KEY_CHECK_PLAINTEXT: [u8; 32] = [
    0xDB, 0x31, 0xB9, 0x1B, 0xD3, 0x1C, 0xFA, 0x3E, 0x84, 0x06, 0xC1, 0x42, 0xC3, 0xEC, 0xCD, 0x9A, 0x02, 0x36, 0x22,
    0x15, 0x58, 0x88, 0x74, 0x65, 0x00, 0x2F, 0x98, 0xBC, 0x69, 0x22, 0xE1, 0x63,
];

/// A keyed cipher (round keys are wiped on drop by the cipher crates).
#[derive(Clone)]
enum Keyed {
    Aes128(Aes128),
    Aes192(Aes192),
    Aes256(Aes256),
    TdesEde2(TdesEde2),
    TdesEde3(TdesEde3),
}

/// One algorithm, mode and key: encrypts and decrypts whole sectors.
#[derive(Clone)]
pub struct SectorCipher {
    keyed: Keyed,
    mode: Mode,
}

impl fmt::Debug for SectorCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SectorCipher")
            .field("mode", &self.mode)
            .field("block_size", &self.block_size())
            .finish_non_exhaustive()
    }
}

/// Runs `$body` with `$c` bound to the concrete cipher and `$flavor` to the
/// CTR flavor that counts over the whole block.
macro_rules! with_cipher {
    ($keyed:expr, |$c:ident, $flavor:ident| $body:expr) => {
        match $keyed {
            Keyed::Aes128($c) => {
                type $flavor = Ctr128BE;
                $body
            }
            Keyed::Aes192($c) => {
                type $flavor = Ctr128BE;
                $body
            }
            Keyed::Aes256($c) => {
                type $flavor = Ctr128BE;
                $body
            }
            Keyed::TdesEde2($c) => {
                type $flavor = Ctr64BE;
                $body
            }
            Keyed::TdesEde3($c) => {
                type $flavor = Ctr64BE;
                $body
            }
        }
    };
}

impl SectorCipher {
    /// Keys `alg` in `mode`. As GDAL, a key longer than the cipher's maximum
    /// is cut to it; any other length the cipher does not take is an error.
    pub fn new(alg: Alg, mode: Mode, key: &[u8]) -> Result<SectorCipher> {
        let Some(spec) = alg.spec() else {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!("Cipher algorithm not supported in this build: {}", alg.name()),
            )
            .with_cpl(cple::APP_DEFINED));
        };
        let key = &key[..key.len().min(spec.max_key)];
        let keyed = match (alg, key.len()) {
            (Alg::Aes, 16) => Keyed::Aes128(Aes128::new(GenericArray::from_slice(key))),
            (Alg::Aes, 24) => Keyed::Aes192(Aes192::new(GenericArray::from_slice(key))),
            (Alg::Aes, 32) => Keyed::Aes256(Aes256::new(GenericArray::from_slice(key))),
            (Alg::DesEde2, 16) => Keyed::TdesEde2(TdesEde2::new(GenericArray::from_slice(key))),
            (Alg::DesEde3, 24) => Keyed::TdesEde3(TdesEde3::new(GenericArray::from_slice(key))),
            (_, n) => {
                let valid = match alg {
                    Alg::Aes => "16, 24 or 32",
                    Alg::DesEde2 => "16",
                    _ => "24",
                };
                return Err(Error::new(
                    ErrorKind::InvalidInput,
                    format!("Invalid key length for {}: {n} bytes ({valid} expected)", alg.name()),
                )
                .with_cpl(cple::APP_DEFINED));
            }
        };
        Ok(SectorCipher { keyed, mode })
    }

    pub fn block_size(&self) -> usize {
        match self.keyed {
            Keyed::Aes128(_) | Keyed::Aes192(_) | Keyed::Aes256(_) => 16,
            Keyed::TdesEde2(_) | Keyed::TdesEde3(_) => 8,
        }
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Encrypts `data` in place. `iv` is one block; `data` a whole number of
    /// blocks (at least two in CBC_CTS).
    pub fn encrypt(&self, iv: &[u8], data: &mut [u8]) {
        let mode = self.mode;
        with_cipher!(&self.keyed, |c, F| encrypt_with::<_, F>(c, mode, iv, data))
    }

    /// Decrypts `data` in place; the inverse of [`SectorCipher::encrypt`].
    pub fn decrypt(&self, iv: &[u8], data: &mut [u8]) {
        let mode = self.mode;
        with_cipher!(&self.keyed, |c, F| decrypt_with::<_, F>(c, mode, iv, data))
    }

    /// The key check of GDAL's header: always CBC, over the first
    /// min(32, block size) bytes of a fixed value, with the IV of the
    /// offset 0xFFFFFFFFFFFFFFFF.
    pub fn key_check(&self, header_iv: &[u8]) -> Vec<u8> {
        let iv = super::header::sector_iv(header_iv, u64::MAX);
        let mut data = KEY_CHECK_PLAINTEXT[..self.block_size().min(32)].to_vec();
        with_cipher!(&self.keyed, |c, F| encrypt_with::<_, F>(c, Mode::Cbc, &iv, &mut data));
        data
    }
}

fn encrypt_with<C, F>(cipher: &C, mode: Mode, iv: &[u8], data: &mut [u8])
where
    C: BlockCipher + BlockEncrypt + BlockDecrypt + Clone,
    F: CtrFlavor<C::BlockSize>,
{
    let bs = C::block_size();
    if iv.len() != bs || data.len() % bs != 0 {
        debug_assert!(false, "sector and IV are validated before use");
        return;
    }
    let iv = GenericArray::from_slice(iv);
    match mode {
        Mode::Cbc => cbc_encrypt(cipher, iv, data),
        Mode::Cfb => cfb_mode::Encryptor::<C>::inner_iv_init(cipher.clone(), iv).encrypt(data),
        Mode::Ofb => ofb::OfbCore::<C>::inner_iv_init(cipher.clone(), iv).apply_keystream_partial(data.into()),
        Mode::Ctr => ctr::CtrCore::<C, F>::inner_iv_init(cipher.clone(), iv).apply_keystream_partial(data.into()),
        Mode::CbcCts => {
            // Crypto++ steals from the next-to-last block; when the data is
            // a whole number of blocks that is CBC with the last two
            // ciphertext blocks swapped.
            cbc_encrypt(cipher, iv, data);
            swap_last_two_blocks(data, bs);
        }
    }
}

fn decrypt_with<C, F>(cipher: &C, mode: Mode, iv: &[u8], data: &mut [u8])
where
    C: BlockCipher + BlockEncrypt + BlockDecrypt + Clone,
    F: CtrFlavor<C::BlockSize>,
{
    let bs = C::block_size();
    if iv.len() != bs || data.len() % bs != 0 {
        debug_assert!(false, "sector and IV are validated before use");
        return;
    }
    let iv = GenericArray::from_slice(iv);
    match mode {
        Mode::Cbc => cbc_decrypt(cipher, iv, data),
        Mode::Cfb => cfb_mode::Decryptor::<C>::inner_iv_init(cipher.clone(), iv).decrypt(data),
        Mode::Ofb => ofb::OfbCore::<C>::inner_iv_init(cipher.clone(), iv).apply_keystream_partial(data.into()),
        Mode::Ctr => ctr::CtrCore::<C, F>::inner_iv_init(cipher.clone(), iv).apply_keystream_partial(data.into()),
        Mode::CbcCts => {
            swap_last_two_blocks(data, bs);
            cbc_decrypt(cipher, iv, data);
        }
    }
}

fn cbc_encrypt<C>(cipher: &C, iv: &GenericArray<u8, C::BlockSize>, data: &mut [u8])
where
    C: BlockCipher + BlockEncrypt + Clone,
{
    let mut enc = cbc::Encryptor::<C>::inner_iv_init(cipher.clone(), iv);
    for block in data.chunks_exact_mut(C::block_size()) {
        enc.encrypt_block_mut(GenericArray::from_mut_slice(block));
    }
}

fn cbc_decrypt<C>(cipher: &C, iv: &GenericArray<u8, C::BlockSize>, data: &mut [u8])
where
    C: BlockCipher + BlockDecrypt + Clone,
{
    let mut dec = cbc::Decryptor::<C>::inner_iv_init(cipher.clone(), iv);
    for block in data.chunks_exact_mut(C::block_size()) {
        dec.decrypt_block_mut(GenericArray::from_mut_slice(block));
    }
}

fn swap_last_two_blocks(data: &mut [u8], bs: usize) {
    let n = data.len();
    if n >= 2 * bs {
        let (a, b) = data[n - 2 * bs..].split_at_mut(bs);
        a.swap_with_slice(b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values computed with Crypto++ 8.7 (the library GDAL's
    // /vsicrypt/ uses), through the calls GDAL makes: see
    // tests/vectors/crypt_vectors.cpp. A few were cross-checked with
    // Python's `cryptography` (AES CFB, CTR).

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    /// Bytes start, start+step, start+2*step, ... (mod 256).
    fn seq(n: usize, start: u8, step: u8) -> Vec<u8> {
        (0..n).map(|i| start.wrapping_add((i as u8).wrapping_mul(step))).collect()
    }

    /// The IV of the sector at 0x0102030405060708 with header IV a0..af.
    fn iv_at_offset() -> Vec<u8> {
        super::super::header::sector_iv(&seq(16, 0xa0, 1), 0x0102030405060708)
    }

    fn check(alg: Alg, mode: Mode, key: &[u8], iv: &[u8], plain: &[u8], expected: &str) {
        let c = SectorCipher::new(alg, mode, key).unwrap();
        let mut data = plain.to_vec();
        c.encrypt(iv, &mut data);
        assert_eq!(data, hex(expected), "{alg:?} {mode:?} with a {}-byte key", key.len());
        c.decrypt(iv, &mut data);
        assert_eq!(data, plain, "{alg:?} {mode:?} round trip");
    }

    #[test]
    fn aes128_every_mode_matches_cryptopp() {
        let key = seq(16, 0, 1);
        let plain = seq(64, 3, 7);
        let iv = iv_at_offset();
        check(
            Alg::Aes,
            Mode::Cbc,
            &key,
            &iv,
            &plain,
            "132590a769454b1d02134b33449ab20da5ee9c1946cccaad10c355acba4574db\
            3aab60094cb9cc1e3b8b3e9bdb6402da2eddfdfeeffcfcbda7479e1585af4d41",
        );
        check(
            Alg::Aes,
            Mode::Cfb,
            &key,
            &iv,
            &plain,
            "2010cbbc44eb224c4c6f37c3ef78837b7445e7993444d5a30bf232937c10f9d3\
            8fee669f5d048ac35bdb6feda96218ce8eb25847087f752cb040b586f952ba92",
        );
        check(
            Alg::Aes,
            Mode::Ofb,
            &key,
            &iv,
            &plain,
            "2010cbbc44eb224c4c6f37c3ef78837b28503f315d5c539c93877da4e2871163\
            c053b1e1a31ade76770030f8715e37aa5987665bcfa6ebd9968ca6d8d877c96f",
        );
        check(
            Alg::Aes,
            Mode::Ctr,
            &key,
            &iv,
            &plain,
            "2010cbbc44eb224c4c6f37c3ef78837b6a329fe150f977055eeb6ef2cc820f77\
            cda2dc2695d6d594b8e4b539d0029e9bebf0437d5e26ec49599f8ce979a5070f",
        );
        check(
            Alg::Aes,
            Mode::CbcCts,
            &key,
            &iv,
            &plain,
            "132590a769454b1d02134b33449ab20da5ee9c1946cccaad10c355acba4574db\
            2eddfdfeeffcfcbda7479e1585af4d413aab60094cb9cc1e3b8b3e9bdb6402da",
        );
    }

    #[test]
    fn aes192_every_mode_matches_cryptopp() {
        let key = seq(24, 0, 1);
        let plain = seq(64, 3, 7);
        let iv = iv_at_offset();
        check(
            Alg::Aes,
            Mode::Cbc,
            &key,
            &iv,
            &plain,
            "7ff441e788270fdd4474363c2c5558dda6601ce359a577150479e2ff5cb0ac02\
            6cbe4aea4c816417b4174256dc9e322a00c4d5e975ea97c0efb890ab3248af4f",
        );
        check(
            Alg::Aes,
            Mode::Cfb,
            &key,
            &iv,
            &plain,
            "ce846acf0886c9e40d3bd0cf5c5c54a095c0cabf937a8a90f0dc8bc4a7b18576\
            1d332ab7425fcafead2ae1e8238094f1efe772f54f55e988b29955c715c3d0bd",
        );
        check(
            Alg::Aes,
            Mode::Ofb,
            &key,
            &iv,
            &plain,
            "ce846acf0886c9e40d3bd0cf5c5c54a0b11ecb57f0aac2a09705aed254c3fc31\
            ef529b0fa807b4e68dcf67482674b33a4243c9bd6e6deefc58dd3141fbcaad26",
        );
        check(
            Alg::Aes,
            Mode::Ctr,
            &key,
            &iv,
            &plain,
            "ce846acf0886c9e40d3bd0cf5c5c54a007e78d4c5718a9b3e1355fae56d09958\
            3cd00a17ff5df26a0d019f5588677d8a37f3b94ec7b7736600bbe1736fb47221",
        );
        check(
            Alg::Aes,
            Mode::CbcCts,
            &key,
            &iv,
            &plain,
            "7ff441e788270fdd4474363c2c5558dda6601ce359a577150479e2ff5cb0ac02\
            00c4d5e975ea97c0efb890ab3248af4f6cbe4aea4c816417b4174256dc9e322a",
        );
    }

    #[test]
    fn aes256_every_mode_matches_cryptopp() {
        let key = seq(32, 0, 1);
        let plain = seq(64, 3, 7);
        let iv = iv_at_offset();
        check(
            Alg::Aes,
            Mode::Cbc,
            &key,
            &iv,
            &plain,
            "ec6f6b4d257a774e85b61ceeea7ae878a511e8c1b599f3db3849c4ed683194c8\
            619b0d08e2deb27215afb68ad9a467ea6bdad1df0a3251f45bf9ea6ad72ba8fb",
        );
        check(
            Alg::Aes,
            Mode::Cfb,
            &key,
            &iv,
            &plain,
            "558da5ad916baf6428e58dd874abed646f5d4ddafa58a894c76462af2cd5aa35\
            3fbc448ac06444d9a8e6695c3d857772d60a2881623cbbaa2087aad25ac058b0",
        );
        check(
            Alg::Aes,
            Mode::Ofb,
            &key,
            &iv,
            &plain,
            "558da5ad916baf6428e58dd874abed64f230845ba60179873a63fcf239e23cc9\
            382376fd5c92bff2010239007be56be663ca3d10a625038b30a6e2a8b9b9283e",
        );
        check(
            Alg::Aes,
            Mode::Ctr,
            &key,
            &iv,
            &plain,
            "558da5ad916baf6428e58dd874abed64e835ad326d6926313039f08336f4408e\
            205463b75e6257f43478c471d421dd8624c5c8cabcfedcb89b865b78d078f29d",
        );
        check(
            Alg::Aes,
            Mode::CbcCts,
            &key,
            &iv,
            &plain,
            "ec6f6b4d257a774e85b61ceeea7ae878a511e8c1b599f3db3849c4ed683194c8\
            6bdad1df0a3251f45bf9ea6ad72ba8fb619b0d08e2deb27215afb68ad9a467ea",
        );
    }

    #[test]
    fn key_check_matches_cryptopp() {
        let iv = seq(16, 0xa0, 1);
        let c = SectorCipher::new(Alg::Aes, Mode::Ctr, &seq(16, 0, 1)).unwrap();
        assert_eq!(c.key_check(&iv), hex("64467c77d191867c396f07781ce369ab"));
        let c = SectorCipher::new(Alg::Aes, Mode::Ctr, &seq(24, 0, 1)).unwrap();
        assert_eq!(c.key_check(&iv), hex("8227854cecb1f86aae4325cf756dfb72"));
        let c = SectorCipher::new(Alg::Aes, Mode::Ctr, &seq(32, 0, 1)).unwrap();
        assert_eq!(c.key_check(&iv), hex("7e56e0d68a91c42af43feda5c22580f7"));
        let c = SectorCipher::new(Alg::DesEde3, Mode::Cbc, &seq(24, 0x10, 3)).unwrap();
        assert_eq!(c.key_check(&seq(8, 0xa0, 1)), hex("cc15557778401f41"));
    }

    #[test]
    fn cbc_cts_of_two_blocks_swaps_them() {
        let key = seq(16, 0, 1);
        check(
            Alg::Aes,
            Mode::CbcCts,
            &key,
            &seq(16, 0xa0, 1),
            &seq(32, 3, 7),
            "2c7125f02eae1dcf959cf1f87dca8f3d43b9c056cc9c709a426c2b4267f87ffd",
        );
    }

    #[test]
    fn ctr_counts_over_the_whole_block() {
        // From ff..ff the counter wraps to 00..00, and from 00*8 ff*8 the
        // carry runs into the first half: Crypto++'s whole-block counter.
        let key = seq(16, 0, 1);
        check(
            Alg::Aes,
            Mode::Ctr,
            &key,
            &[0xff; 16],
            &seq(48, 3, 7),
            "3f4e0e2ad121af175f95ebc9590ede7fb5dbbabf0819c626c4fd38a266060da5\
                        90ace26d6ac6b90a525994d352ca6846",
        );
        let mut iv = [0u8; 16];
        iv[8..].fill(0xff);
        check(
            Alg::Aes,
            Mode::Ctr,
            &key,
            &iv,
            &seq(32, 3, 7),
            "3aadfe12157e7f9c84904a7313e1f17e60621be26b3d9a0adb11137df7704c02",
        );
    }

    #[test]
    fn triple_des_every_mode_matches_cryptopp() {
        let iv = seq(8, 0xa0, 1);
        let plain = seq(32, 3, 7);
        let k2 = seq(16, 0x10, 3);
        let k3 = seq(24, 0x10, 3);
        check(
            Alg::DesEde2,
            Mode::Cbc,
            &k2,
            &iv,
            &plain,
            "4bccb5f2fc2e06a9b25207942d7825a4fdf2fde4080d2a677b0bfb2cc53c0878",
        );
        check(
            Alg::DesEde3,
            Mode::Cbc,
            &k3,
            &iv,
            &plain,
            "48de27de6cb8635e1bcb9bc3ac3a353d92ee107feb076dbd333ddcbf44f42bb4",
        );
        check(
            Alg::DesEde2,
            Mode::Cfb,
            &k2,
            &iv,
            &plain,
            "a95443856ac11f296dfce2a9178ff8f9c558aa0ff973093dfdc060ac928134b5",
        );
        check(
            Alg::DesEde3,
            Mode::Cfb,
            &k3,
            &iv,
            &plain,
            "8ec244b0accb532ac4e98cf68dab0c1e4f8c3fe435120ce5a8cd533485edc2f6",
        );
        check(
            Alg::DesEde2,
            Mode::Ofb,
            &k2,
            &iv,
            &plain,
            "a95443856ac11f29daead98425f3b34e6107b5ee97d4a6b7b3a3dadb02dbd973",
        );
        check(
            Alg::DesEde3,
            Mode::Ofb,
            &k3,
            &iv,
            &plain,
            "8ec244b0accb532a5d613e23506bbfb09ae77a48b2bca8499c3b4c6ceae093cc",
        );
        check(
            Alg::DesEde2,
            Mode::Ctr,
            &k2,
            &iv,
            &plain,
            "a95443856ac11f29648cbf5b87a7e52528b0d9ee1cf4f2ef58eaa8c7a222ec26",
        );
        check(
            Alg::DesEde3,
            Mode::Ctr,
            &k3,
            &iv,
            &plain,
            "8ec244b0accb532a8b2dc72fc1b1c79caf23bf6302937faebed02a58bdad594c",
        );
        check(
            Alg::DesEde2,
            Mode::CbcCts,
            &k2,
            &iv,
            &plain,
            "4bccb5f2fc2e06a9b25207942d7825a47b0bfb2cc53c0878fdf2fde4080d2a67",
        );
        check(
            Alg::DesEde3,
            Mode::CbcCts,
            &k3,
            &iv,
            &plain,
            "48de27de6cb8635e1bcb9bc3ac3a353d333ddcbf44f42bb492ee107feb076dbd",
        );
    }

    #[test]
    fn keys_longer_than_the_maximum_are_cut_and_other_lengths_refused() {
        let long = seq(40, 0, 1);
        let mut a = seq(32, 3, 7);
        let mut b = a.clone();
        SectorCipher::new(Alg::Aes, Mode::Cbc, &long).unwrap().encrypt(&[0; 16], &mut a);
        SectorCipher::new(Alg::Aes, Mode::Cbc, &long[..32]).unwrap().encrypt(&[0; 16], &mut b);
        assert_eq!(a, b);
        for n in [0, 1, 15, 17, 20, 23, 25, 31] {
            let e = SectorCipher::new(Alg::Aes, Mode::Cbc, &seq(n, 0, 1)).unwrap_err();
            assert!(e.message().contains("Invalid key length"), "{n}: {}", e.message());
        }
        assert!(SectorCipher::new(Alg::DesEde3, Mode::Cbc, &seq(16, 0, 1)).is_err());
        let e = SectorCipher::new(Alg::Blowfish, Mode::Cbc, &seq(16, 0, 1)).unwrap_err();
        assert!(e.message().contains("not supported in this build"));
    }

    #[test]
    fn debug_output_never_shows_key_bytes() {
        let key = Key::new(b"SECRET_KEY_BYTES");
        let shown = format!("{key:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
        let c = SectorCipher::new(Alg::Aes, Mode::Cbc, key.as_bytes()).unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("SECRET") && !shown.contains("83, 69, 67"), "{shown}");
    }

    #[test]
    fn names_and_codes_follow_gdal() {
        assert_eq!(Alg::from_name("aes"), Some(Alg::Aes));
        assert_eq!(Alg::from_name("des_ede3"), Some(Alg::DesEde3));
        assert_eq!(Alg::from_code(14), Some(Alg::Xtea));
        assert_eq!(Alg::from_code(15), None);
        assert_eq!(Mode::from_name("cbc_cts"), Some(Mode::CbcCts));
        assert_eq!(Mode::CbcCts.code(), 4);
        assert_eq!(Mode::from_code(5), None);
    }
}
