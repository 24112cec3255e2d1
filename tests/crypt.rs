//! `/vsicrypt/` through the safe API: GDAL's format byte for byte, round
//! trips in every mode, keys from every source, damaged and truncated
//! files, random operation sequences checked against `/vsimem/`, chaining.

use std::io::Read;
use std::sync::Mutex;

use vsi::fs::crypt;
use vsi::{config, File, Whence};

/// Serialises the tests that touch process-wide state (the global key and
/// global config options), or that need it absent.
static GLOBAL_STATE: Mutex<()> = Mutex::new(());

fn lock_globals() -> std::sync::MutexGuard<'static, ()> {
    GLOBAL_STATE.lock().unwrap_or_else(|e| e.into_inner())
}

const KEY: &str = "DONT_USE_IN_PROD";

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn put(path: &str, access: &str, data: &[u8]) {
    let mut f = File::open_with(path, access).unwrap_or_else(|e| panic!("open {path}: {e}"));
    assert_eq!(f.write_raw(data).unwrap(), data.len());
    f.close().unwrap();
}

fn get(path: &str) -> Vec<u8> {
    let mut out = Vec::new();
    File::open(path).unwrap_or_else(|e| panic!("open {path}: {e}")).read_to_end(&mut out).unwrap();
    out
}

fn raw(path: &str) -> Vec<u8> {
    vsi::mem::with_bytes(path, |b| b.to_vec()).unwrap_or_else(|| panic!("{path} does not exist"))
}

fn open_err(path: &str, access: &str) -> String {
    match File::open_with(path, access) {
        Ok(_) => panic!("{access} open of {path} succeeded"),
        Err(e) => e.message().to_string(),
    }
}

/// Bytes start, start+step, ... (mod 256).
fn seq(n: usize, start: u8, step: u8) -> Vec<u8> {
    (0..n).map(|i| start.wrapping_add((i as u8).wrapping_mul(step))).collect()
}

/// A small seeded generator (xorshift64*), so failures replay.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

// Files written by tests/vectors/crypt_vectors.cpp with Crypto++ (the
// library GDAL's /vsicrypt/ uses) from GDAL's documentation of the format.
// Key "DONT_USE_IN_PROD", IV "0123456789ABCDEF", sector size 32, payload
// 'a'..'z' repeated over 96 bytes.

/// Mode CBC, free text "my free text", with a key check.
const CRYPTOPP_CBC_FILE: &str = "56534943525950544a0001002000000010303132333435363738394142434445\
    460c006d79206672656520746578741020486668578f60388fbb3e7ee64f3736\
    60000000000000000000b72479faa87c6a14cb034ccd8b0a8a53fbe9f92a27e0\
    a70e50635a5ce73647c61211dbe6eac5ca47b2a3e5b210e1dc3b109ca1acf65d\
    5e9f661d2603e150c3eab5dc32ddb3d1cfa2938970bd24972ec926cea86f2616\
    a4a140d279070a148fa7";

fn payload96() -> Vec<u8> {
    (0..96).map(|i| b'a' + (i % 26) as u8).collect()
}

#[test]
fn writes_gdal_files_byte_for_byte() {
    let expected = hex(&cryptopp_vector("file CBC"));
    let path = "/vsicrypt/key=DONT_USE_IN_PROD,iv=0123456789ABCDEF,sector_size=32,freetext=my free text,\
                add_key_check=yes,file=/vsimem/crypt_exact_cbc.bin";
    put(path, "wb", &payload96());
    assert_eq!(raw("/vsimem/crypt_exact_cbc.bin"), expected);

    let expected = hex(&cryptopp_vector("file CBC_CTS"));
    let path = "/vsicrypt/key=DONT_USE_IN_PROD,iv=0123456789ABCDEF,sector_size=32,mode=CBC_CTS,\
                file=/vsimem/crypt_exact_cts.bin";
    put(path, "wb", &payload96());
    assert_eq!(raw("/vsimem/crypt_exact_cts.bin"), expected);

    // An empty file with every default is the 46-byte header alone.
    let path = "/vsicrypt/key=DONT_USE_IN_PROD,iv=0123456789ABCDEF,file=/vsimem/crypt_exact_empty.bin";
    File::create(path).unwrap().close().unwrap();
    assert_eq!(raw("/vsimem/crypt_exact_empty.bin"), hex(&cryptopp_vector("file empty")));
    for p in ["/vsimem/crypt_exact_cbc.bin", "/vsimem/crypt_exact_cts.bin", "/vsimem/crypt_exact_empty.bin"] {
        vsi::unlink(p).unwrap();
    }
}

#[test]
fn reads_files_written_with_cryptopp() {
    vsi::mem::write_file("/vsimem/crypt_pp_cbc.bin", &hex(CRYPTOPP_CBC_FILE)).unwrap();
    assert_eq!(get("/vsicrypt/key=DONT_USE_IN_PROD,file=/vsimem/crypt_pp_cbc.bin"), payload96());
    assert_eq!(vsi::stat("/vsicrypt/key=DONT_USE_IN_PROD,file=/vsimem/crypt_pp_cbc.bin").unwrap().size, 96);

    // CTR, 100 bytes: the last sector's 28 bytes past the payload hold 0x5a
    // (GDAL puts random bytes there); they never show.
    let mut payload = payload96();
    payload.extend_from_slice(b"0123");
    vsi::mem::write_file("/vsimem/crypt_pp_ctr.bin", &hex(&cryptopp_vector("file CTR"))).unwrap();
    let path = "/vsicrypt/key=DONT_USE_IN_PROD,file=/vsimem/crypt_pp_ctr.bin";
    assert_eq!(get(path), payload);
    // Extending in update mode shows zeros there, not the old tail.
    let mut f = File::open_with(path, "r+b").unwrap();
    f.seek_raw(102, Whence::Set).unwrap();
    f.write_raw(b"Z").unwrap();
    f.close().unwrap();
    payload.extend_from_slice(b"\0\0Z");
    assert_eq!(get(path), payload);
    vsi::unlink("/vsimem/crypt_pp_cbc.bin").unwrap();
    vsi::unlink("/vsimem/crypt_pp_ctr.bin").unwrap();
}

#[test]
fn round_trips_in_every_mode_and_sector_size() {
    let modes = ["CBC", "CFB", "OFB", "CTR", "CBC_CTS"];
    let keys = ["DONT_USE_IN_PROD", "DONT_USE_IN_PROD_24BYTES", "DONT_USE_IN_PRODDONT_USE_IN_PROD"];
    for (m, mode) in modes.iter().enumerate() {
        for sector in [16usize, 32, 48, 512, 4096, 65520] {
            if *mode == "CBC_CTS" && sector < 32 {
                continue;
            }
            let key = keys[(m + sector) % keys.len()];
            let under = format!("/vsimem/crypt_rt_{mode}_{sector}.bin");
            let path = format!("/vsicrypt/key={key},mode={mode},sector_size={sector},file={under}");
            for len in [0, 1, 15, 16, 17, sector - 1, sector, sector + 1, 3 * sector + 5] {
                let data = seq(len, len as u8, 13);
                put(&path, "wb", &data);
                assert_eq!(get(&path), data, "{mode} sector {sector} length {len}");
                assert_eq!(vsi::stat(&path).unwrap().size, len as u64);
                let header = 46;
                let sectors = len.div_ceil(sector);
                assert_eq!(raw(&under).len(), header + sectors * sector, "{mode} {sector} {len}: whole sectors");
                // The plaintext is nowhere in the file.
                if len >= 16 {
                    assert!(!raw(&under).windows(16).any(|w| w == &data[..16]));
                }
            }
            vsi::unlink(&under).unwrap();
        }
    }
}

#[test]
fn triple_des_files_round_trip() {
    for (alg, key) in [("DES_EDE2", "0123456789abcdef"), ("DES_EDE3", "0123456789abcdefghijklmn")] {
        for mode in ["CBC", "CTR", "CBC_CTS"] {
            let path = format!("/vsicrypt/key={key},alg={alg},mode={mode},sector_size=16,file=/vsimem/crypt_des.bin");
            let data = seq(100, 1, 3);
            put(&path, "wb", &data);
            assert_eq!(get(&path), data, "{alg} {mode}");
            // 8-byte IV: a 38-byte header.
            assert_eq!(raw("/vsimem/crypt_des.bin").len(), 38 + 112);
        }
    }
    vsi::unlink("/vsimem/crypt_des.bin").unwrap();
}

#[test]
fn a_wrong_key_is_refused_when_the_file_has_a_key_check() {
    let file = "/vsimem/crypt_wrong_key.bin";
    put(&format!("/vsicrypt/key={KEY},add_key_check=yes,file={file}"), "wb", b"hello");
    for access in ["rb", "r+b", "a"] {
        let msg = open_err(&format!("/vsicrypt/key=dont_use_in_prod,file={file}"), access);
        assert!(msg.starts_with("Bad key"), "{msg}");
        assert!(msg.contains(file) && !msg.contains("dont_use_in_prod"), "{msg}");
    }
    let e = vsi::stat(&format!("/vsicrypt/key=dont_use_in_prod,file={file}")).unwrap_err();
    assert!(e.message().starts_with("Bad key"));
    // An invalid key length is also refused, without echoing the key.
    let msg = open_err(&format!("/vsicrypt/key=short_key,file={file}"), "rb");
    assert!(msg.contains("Invalid key length") && !msg.contains("short_key"), "{msg}");

    // Without a key check a wrong key reads garbage, as in GDAL.
    put(&format!("/vsicrypt/key={KEY},file={file}"), "wb", b"hello");
    let garbage = get(&format!("/vsicrypt/key=dont_use_in_prod,file={file}"));
    assert_eq!(garbage.len(), 5);
    assert_ne!(garbage, b"hello");
    vsi::unlink(file).unwrap();
}

#[test]
fn keys_come_from_options_config_and_the_global_key() {
    let _g = lock_globals();
    let file = "/vsimem/crypt_keys.bin";
    let plain = "/vsicrypt//vsimem/crypt_keys.bin";
    put(&format!("/vsicrypt/key={KEY},add_key_check=yes,file={file}"), "wb", b"hello");

    // No key anywhere.
    let msg = open_err(plain, "rb");
    assert!(msg.starts_with("Encryption key not defined"), "{msg}");
    // key_b64= (with and without padding).
    assert_eq!(get(&format!("/vsicrypt/key_b64=RE9OVF9VU0VfSU5fUFJPRA==,file={file}")), b"hello");
    assert_eq!(get(&format!("/vsicrypt/key_b64=RE9OVF9VU0VfSU5fUFJPRA,file={file}")), b"hello");
    let msg = open_err(&format!("/vsicrypt/key_b64=not*base64,file={file}"), "rb");
    assert!(msg.contains("not valid Base64") && !msg.contains("not*base64"), "{msg}");
    // Config options, thread-local here.
    config::set_thread_local("VSICRYPT_KEY", Some(KEY));
    assert_eq!(get(plain), b"hello");
    config::set_thread_local("VSICRYPT_KEY", None);
    config::set_thread_local("VSICRYPT_KEY_B64", Some("RE9OVF9VU0VfSU5fUFJPRA=="));
    assert_eq!(get(plain), b"hello");
    // key= wins over the config.
    assert!(open_err(&format!("/vsicrypt/key=dont_use_in_prod,file={file}"), "rb").starts_with("Bad key"));
    config::set_thread_local("VSICRYPT_KEY_B64", None);
    // The global key (VSISetCryptKey) comes last.
    crypt::set_key(Some(KEY.as_bytes()));
    assert_eq!(get(plain), b"hello");
    assert_eq!(get(&format!("/vsicrypt/key={KEY},file={file}")), b"hello");
    assert!(open_err(&format!("/vsicrypt/key=dont_use_in_prod,file={file}"), "rb").starts_with("Bad key"));
    crypt::set_key(Some(b"bbc"));
    assert!(open_err(plain, "rb").contains("Invalid key length"));
    assert!(open_err(plain, "wb+").starts_with("Key is too short: 3 bytes"));
    crypt::set_key(None);
    assert!(open_err(plain, "rb").starts_with("Encryption key not defined"));
    // Stat needs the key only for a key check.
    assert!(vsi::stat(plain).unwrap_err().message().starts_with("Encryption key not defined"));
    put(&format!("/vsicrypt/key={KEY},file={file}"), "wb", b"hello");
    assert_eq!(vsi::stat(plain).unwrap().size, 5);
    vsi::unlink(file).unwrap();
}

#[test]
fn generate_it_makes_a_key_and_installs_it() {
    let _g = lock_globals();
    let file = "/vsimem/crypt_generated.bin";
    config::set("VSICRYPT_KEY_B64", None);
    put(&format!("/vsicrypt/key=GENERATE_IT,add_key_check=yes,file={file}"), "wb", b"hello");
    let b64 = config::get("VSICRYPT_KEY_B64").expect("the generated key is installed");
    assert_eq!(b64.len(), 44, "a 32-byte key in Base64");
    assert_eq!(get("/vsicrypt//vsimem/crypt_generated.bin"), b"hello");
    config::set("VSICRYPT_KEY_B64", None);
    assert_eq!(get(&format!("/vsicrypt/key_b64={b64},file={file}")), b"hello");
    assert!(vsi::stat(&format!("/vsicrypt/{file}")).is_err(), "no key for the key check");
    vsi::unlink(file).unwrap();
}

#[test]
fn creation_options_are_checked_before_the_file_is_touched() {
    let file = "/vsimem/crypt_options.bin";
    vsi::mem::write_file(file, b"precious").unwrap();
    let cases = [
        ("sector_size=1", "Sector size (1) is not a multiple of block size (16)"),
        ("sector_size=24", "Sector size (24) is not a multiple of block size (16)"),
        ("sector_size=16,mode=CBC_CTS", "should be at least twice larger"),
        ("iv=TOO_SHORT", "IV should be 16 byte large"),
        ("alg=Blowfish", "Cipher algorithm not supported in this build: Blowfish"),
    ];
    for (opts, expected) in cases {
        let msg = open_err(&format!("/vsicrypt/key={KEY},{opts},file={file}"), "wb");
        assert!(msg.contains(expected), "{opts}: {msg}");
    }
    assert!(open_err(&format!("/vsicrypt/key=a,file={file}"), "wb").starts_with("Key is too short: 1 bytes"));
    assert!(open_err(&format!("/vsicrypt/key=DONT_USE_IN_PROD_X,file={file}"), "wb").contains("Invalid key length"));
    assert_eq!(raw(file), b"precious");
    assert!(File::open_with(&format!("/vsicrypt/key={KEY},file={file}"), "foo").is_err());
    // Unknown names and out-of-range sector sizes fall back, as in GDAL.
    for opts in ["alg=invalid", "mode=invalid", "sector_size=0", "sector_size=70000", "sector_size=junk"] {
        put(&format!("/vsicrypt/key={KEY},{opts},file={file}"), "wb", b"hello");
        assert_eq!(get(&format!("/vsicrypt/key={KEY},file={file}")), b"hello", "{opts}");
        assert_eq!(raw(file).len(), 46 + 512, "{opts}: AES, CBC, 512");
    }
    vsi::unlink(file).unwrap();
}

#[test]
fn free_text_is_stored_in_clear_in_the_header() {
    let file = "/vsimem/crypt_freetext.bin";
    put(&format!("/vsicrypt/key={KEY},freetext=my_free_text,file={file}"), "wb", b"x");
    let bytes = raw(file);
    assert!(bytes.windows(12).any(|w| w == b"my_free_text"));
    assert_eq!(bytes.len(), 46 + 12 + 512);
    assert_eq!(get(&format!("/vsicrypt/key={KEY},file={file}")), b"x");
    vsi::unlink(file).unwrap();
}

#[test]
fn damaged_headers_fail_cleanly() {
    let file = "/vsimem/crypt_damaged.bin";
    let path = format!("/vsicrypt/key={KEY},file={file}");
    put(&format!("/vsicrypt/key={KEY},add_key_check=yes,sector_size=32,file={file}"), "wb", &seq(70, 0, 1));
    let good = raw(file);
    let header_len = good[8] as usize;
    // Every byte of the header set to 0, 127 and 255: a clean error, or
    // (for bytes GDAL does not check, like the IV) a file that reads.
    for i in 0..header_len {
        for v in [0u8, 127, 255] {
            let mut b = good.clone();
            b[i] = v;
            vsi::mem::write_file(file, &b).unwrap();
            match File::open(&path) {
                Err(e) => assert!(!e.message().is_empty() && !e.message().contains(KEY)),
                Ok(mut f) => {
                    let mut out = Vec::new();
                    let _ = f.read_to_end(&mut out);
                }
            }
        }
    }
    // And every truncation of it.
    for n in 0..header_len {
        vsi::mem::write_file(file, &good[..n]).unwrap();
        assert!(File::open(&path).is_err(), "header cut at {n}");
    }
    vsi::mem::write_file(file, b"plain text, not encrypted").unwrap();
    assert!(open_err(&path, "rb").starts_with("Invalid signature"));
    assert!(vsi::stat(&path).unwrap_err().message().starts_with("Invalid signature"));
    // GDAL's own case: an 8-byte IV for AES.
    let mut b = b"VSICRYPT".to_vec();
    b.extend_from_slice(&[38, 0, 1, 0, 0, 2, 0, 0, 8, 32, 13, 169, 71, 154, 208, 22, 32]);
    b.extend_from_slice(&[0; 13]);
    assert_eq!(b.len(), 38);
    vsi::mem::write_file(file, &b).unwrap();
    assert!(open_err(&path, "rb").starts_with("Inconsistent initial vector"));
    vsi::unlink(file).unwrap();
}

#[test]
fn truncated_files_give_a_clear_error() {
    let file = "/vsimem/crypt_truncated.bin";
    let path = format!("/vsicrypt/key={KEY},sector_size=32,file={file}");
    let data = seq(100, 7, 1);
    put(&path, "wb", &data);
    let good = raw(file);
    assert_eq!(good.len(), 46 + 128);
    for cut in [46 + 127, 46 + 96, 46 + 80, 46 + 33, 46 + 1, 46] {
        vsi::mem::write_file(file, &good[..cut]).unwrap();
        let intact = (cut - 46) / 32 * 32;
        let mut f = File::open(&path).unwrap();
        let mut buf = vec![0u8; intact];
        assert_eq!(f.read_raw(&mut buf).unwrap(), intact);
        assert_eq!(buf, data[..intact]);
        let mut rest = vec![0u8; 200];
        let e = f.read_raw(&mut rest).unwrap_err();
        assert!(e.message().starts_with("Truncated /vsicrypt/ file"), "{}", e.message());
        assert!(f.error() && !f.eof());
        assert_eq!(f.tell(), intact as u64, "a failed read leaves the offset");
        // A whole-file read fails too: no silent short result.
        f.seek_raw(0, Whence::Set).unwrap();
        let mut all = Vec::new();
        assert!(f.read_to_end(&mut all).is_err());
        f.close().unwrap();
        // Writing into a missing sector needs its old content: refused.
        let mut f = File::open_with(&path, "r+b").unwrap();
        f.seek_raw(intact as u64 + 5, Whence::Set).unwrap();
        assert!(f.write_raw(b"x").is_err());
        let _ = f.close();
    }
    vsi::unlink(file).unwrap();
}

#[test]
fn access_modes_follow_gdal() {
    let file = "/vsimem/crypt_access.bin";
    let path = format!("/vsicrypt/key={KEY},file={file}");
    // "w": write only.
    let mut f = File::open_with(&path, "wb").unwrap();
    f.write_raw(b"hello").unwrap();
    f.seek_raw(0, Whence::Set).unwrap();
    assert!(f.read_raw(&mut [0u8; 5]).is_err());
    assert!(f.error());
    f.close().unwrap();
    // "r": read only.
    let mut f = File::open(&path).unwrap();
    assert!(f.write_raw(b"x").is_err());
    assert!(f.truncate(0).is_err());
    f.close().unwrap();
    // "a": appends to an existing file, creates a missing one.
    let mut f = File::open_with(&path, "ab").unwrap();
    assert_eq!(f.tell(), 5);
    f.write_raw(b" world").unwrap();
    f.close().unwrap();
    assert_eq!(get(&path), b"hello world");
    vsi::unlink(file).unwrap();
    put(&path, "a", b"new");
    assert_eq!(get(&path), b"new");
    // "w+": read back what was written before closing.
    let mut f = File::open_with(&path, "w+b").unwrap();
    f.write_raw(&seq(1000, 0, 1)).unwrap();
    f.seek_raw(500, Whence::Set).unwrap();
    let mut buf = [0u8; 10];
    assert_eq!(f.read_raw(&mut buf).unwrap(), 10);
    assert_eq!(buf[..], seq(1000, 0, 1)[500..510]);
    f.seek_raw(0, Whence::End).unwrap();
    assert_eq!(f.tell(), 1000);
    assert_eq!(f.read_raw(&mut buf).unwrap(), 0);
    assert!(f.eof());
    f.close().unwrap();
    // A missing file.
    assert!(File::open(&format!("/vsicrypt/key={KEY},file=/vsimem/crypt_missing.bin")).is_err());
    assert!(File::open_with(&format!("/vsicrypt/key={KEY},file=/nonexistent/dir/f.bin"), "wb").is_err());
    vsi::unlink(file).unwrap();
}

/// GDAL's autotest vsicrypt_5: writes past the end of a partial last
/// sector show zeros in the gap.
#[test]
fn gaps_past_the_end_read_as_zeros() {
    let path = format!("/vsicrypt/key={KEY},file=/vsimem/crypt_gaps.bin");
    put(&path, "wb+", b"ab");
    let mut f = File::open_with(&path, "rb+").unwrap();
    f.seek_raw(3, Whence::Set).unwrap();
    f.write_raw(b"d").unwrap();
    f.close().unwrap();
    assert_eq!(get(&path), b"ab\0d");
    let mut f = File::open_with(&path, "rb+").unwrap();
    f.read_raw(&mut [0u8; 1]).unwrap();
    f.seek_raw(5, Whence::Set).unwrap();
    f.write_raw(b"f").unwrap();
    f.close().unwrap();
    assert_eq!(get(&path), b"ab\0d\0f");
    let mut f = File::open_with(&path, "rb+").unwrap();
    f.read_raw(&mut [0u8; 1]).unwrap();
    f.seek_raw(512, Whence::Set).unwrap();
    f.write_raw(b"Z").unwrap();
    f.seek_raw(7, Whence::Set).unwrap();
    f.write_raw(b"h").unwrap();
    f.close().unwrap();
    let content = get(&path);
    assert_eq!(&content[..8], b"ab\0d\0f\0h");
    assert!(content[8..512].iter().all(|&b| b == 0));
    assert_eq!(&content[512..], b"Z");
    // Far past the end, across whole sectors.
    let mut f = File::open_with(&path, "rb+").unwrap();
    f.seek_raw(5000, Whence::Set).unwrap();
    f.write_raw(b"end").unwrap();
    f.close().unwrap();
    let content = get(&path);
    assert_eq!(content.len(), 5003);
    assert!(content[513..5000].iter().all(|&b| b == 0));
    vsi::unlink("/vsimem/crypt_gaps.bin").unwrap();
}

#[test]
fn truncate_shrinks_and_grows_with_zeros() {
    let file = "/vsimem/crypt_trunc.bin";
    let path = format!("/vsicrypt/key={KEY},sector_size=32,file={file}");
    let mut f = File::open_with(&path, "wb+").unwrap();
    f.write_raw(&[0xaa; 100]).unwrap();
    f.truncate(40).unwrap();
    assert_eq!(raw(file).len(), 46 + 64);
    f.truncate(150).unwrap();
    f.seek_raw(0, Whence::Set).unwrap();
    let mut buf = vec![0u8; 200];
    assert_eq!(f.read_raw(&mut buf).unwrap(), 150);
    assert!(buf[..40].iter().all(|&b| b == 0xaa));
    assert!(buf[40..150].iter().all(|&b| b == 0), "grown bytes read as zeros");
    f.close().unwrap();
    assert_eq!(raw(file).len(), 46 + 160);
    assert_eq!(vsi::stat(&path).unwrap().size, 150);
    let content = get(&path);
    assert!(content[40..].iter().all(|&b| b == 0));
    vsi::unlink(file).unwrap();
}

/// Seeded random writes, reads, seeks and truncations on a `/vsicrypt/`
/// file and on a `/vsimem/` file must give the same bytes and flags.
#[test]
fn random_operations_match_vsimem() {
    let modes = ["CBC", "CFB", "OFB", "CTR", "CBC_CTS"];
    for seed in 1..=150u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let mode = modes[(seed % 5) as usize];
        let sector = [32, 48, 64, 512][(seed / 5 % 4) as usize];
        let under = format!("/vsimem/crypt_random_{seed}.bin");
        let test_path = format!("/vsicrypt/key={KEY},mode={mode},sector_size={sector},file={under}");
        let ref_path = format!("/vsimem/crypt_random_ref_{seed}.bin");
        let mut t = File::open_with(&test_path, "wb+").unwrap();
        let mut r = File::open_with(&ref_path, "wb+").unwrap();
        let ctx = |i: usize, what: &str| format!("seed {seed} ({mode}, sector {sector}) op {i}: {what}");
        for i in 0..40 {
            match rng.below(10) {
                0..=3 => {
                    let off = rng.below(1500);
                    let len = 1 + rng.below(120) as usize;
                    let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                    t.seek_raw(off, Whence::Set).unwrap();
                    r.seek_raw(off, Whence::Set).unwrap();
                    assert_eq!(t.write_raw(&data).unwrap(), len, "{}", ctx(i, "write"));
                    r.write_raw(&data).unwrap();
                }
                4..=6 => {
                    let off = rng.below(1700);
                    let len = 1 + rng.below(200) as usize;
                    t.seek_raw(off, Whence::Set).unwrap();
                    r.seek_raw(off, Whence::Set).unwrap();
                    let (mut a, mut b) = (vec![0u8; len], vec![0u8; len]);
                    let na = t.read_raw(&mut a).unwrap();
                    let nb = r.read_raw(&mut b).unwrap();
                    assert_eq!(a[..na], b[..nb], "{}", ctx(i, "read"));
                    assert_eq!(t.eof(), r.eof(), "{}", ctx(i, "eof"));
                    assert_eq!(t.tell(), r.tell());
                }
                7 => {
                    let size = rng.below(1700);
                    t.truncate(size).unwrap();
                    r.truncate(size).unwrap();
                }
                8 => {
                    t.seek_raw(0, Whence::End).unwrap();
                    r.seek_raw(0, Whence::End).unwrap();
                    assert_eq!(t.tell(), r.tell(), "{}", ctx(i, "size"));
                    t.flush_raw().unwrap();
                }
                _ => {
                    // Close and reopen for update.
                    t.close().unwrap();
                    t = File::open_with(&test_path, "r+b").unwrap();
                }
            }
        }
        t.close().unwrap();
        r.close().unwrap();
        let expected = raw(&ref_path);
        assert_eq!(get(&test_path), expected, "seed {seed}: final content");
        assert_eq!(vsi::stat(&test_path).unwrap().size, expected.len() as u64);
        assert_eq!(raw(&under).len(), 46 + expected.len().div_ceil(sector) * sector);
        vsi::unlink(&under).unwrap();
        vsi::unlink(&ref_path).unwrap();
    }
}

#[test]
fn chains_over_local_files_and_itself() {
    let dir = std::env::temp_dir().join(format!("vsi-crypt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let local = dir.join("f.bin");
    let local = local.to_str().unwrap();
    let path = format!("/vsicrypt/key={KEY},file={local}");
    let data = seq(10_000, 0, 7);
    put(&path, "wb", &data);
    assert_eq!(get(&path), data);
    assert_eq!(std::fs::read(local).unwrap().len(), 46 + 20 * 512);
    assert_eq!(vsi::stat(&path).unwrap().size, 10_000);
    // Rename and list through the handler, on the file beneath.
    let renamed = dir.join("g.bin");
    vsi::rename(&path, &format!("/vsicrypt/{}", renamed.to_str().unwrap())).unwrap();
    assert!(std::path::Path::new(&renamed).exists());
    let names = vsi::read_dir(&format!("/vsicrypt/{}", dir.to_str().unwrap())).unwrap();
    assert!(names.contains(&"g.bin".to_string()), "{names:?}");
    vsi::unlink(&format!("/vsicrypt/{}", renamed.to_str().unwrap())).unwrap();
    assert!(!std::path::Path::new(&renamed).exists());
    std::fs::remove_dir_all(&dir).unwrap();

    // /vsicrypt/ over /vsicrypt/ over /vsimem/: two keys, two layers.
    let inner = "/vsicrypt/key=ANOTHER_KEY_0123,mode=CTR,file=/vsimem/crypt_twice.bin";
    let outer = format!("/vsicrypt/key={KEY},file={inner}");
    put(&outer, "wb", &data);
    assert_eq!(get(&outer), data);
    assert_eq!(get(inner).len(), 46 + 20 * 512);
    assert_eq!(raw("/vsimem/crypt_twice.bin").len(), 46 + (46 + 20 * 512usize).div_ceil(512) * 512);
    // Copies go through any handler.
    vsi::copy_file(&outer, "/vsimem/crypt_copy.bin", None).unwrap();
    assert_eq!(raw("/vsimem/crypt_copy.bin"), data);
    vsi::unlink("/vsimem/crypt_copy.bin").unwrap();
    vsi::unlink("/vsimem/crypt_twice.bin").unwrap();
}

#[test]
fn paths_without_options_and_with_commas() {
    let _g = lock_globals();
    crypt::set_key(Some(KEY.as_bytes()));
    put("/vsicrypt//vsimem/crypt,with,commas.bin", "wb", b"commas");
    assert_eq!(get(&format!("/vsicrypt/key={KEY},file=/vsimem/crypt,with,commas.bin")), b"commas");
    assert_eq!(get("/vsicrypt//vsimem/crypt,with,commas.bin"), b"commas");
    crypt::set_key(None);
    vsi::unlink("/vsimem/crypt,with,commas.bin").unwrap();
}

#[test]
fn reinstalling_the_handler_is_harmless() {
    crypt::install();
    crypt::install();
    assert!(vsi::vfs::prefixes().contains(&"/vsicrypt/".to_string()));
    let path = format!("/vsicrypt/key={KEY},file=/vsimem/crypt_install.bin");
    put(&path, "wb", b"x");
    assert_eq!(get(&path), b"x");
    vsi::unlink("/vsimem/crypt_install.bin").unwrap();
}

#[test]
fn large_sequential_io_round_trips() {
    let path = format!("/vsicrypt/key={KEY},mode=CTR,sector_size=4096,file=/vsimem/crypt_large.bin");
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i.wrapping_mul(2654435761) >> 24) as u8).collect();
    let mut f = File::create(&path).unwrap();
    for chunk in data.chunks(65536 + 7) {
        f.write_raw(chunk).unwrap();
    }
    f.close().unwrap();
    assert_eq!(get(&path), data);
    vsi::unlink("/vsimem/crypt_large.bin").unwrap();
}

/// The reference files of tests/vectors/crypt_vectors.cpp, by the start of
/// their description there.
fn cryptopp_vector(name: &str) -> String {
    let all = [
        ("file CBC", CRYPTOPP_CBC_FILE),
        ("file CBC_CTS", CRYPTOPP_CTS_FILE),
        ("file CTR", CRYPTOPP_CTR_FILE),
        ("file empty", CRYPTOPP_EMPTY_FILE),
    ];
    all.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string()).unwrap()
}

/// Mode CBC_CTS, no free text, no key check.
const CRYPTOPP_CTS_FILE: &str = "56534943525950542e0001002000000410303132333435363738394142434445\
    4600000060000000000000000000fbe9f92a27e0a70e50635a5ce73647c6b724\
    79faa87c6a14cb034ccd8b0a8a53109ca1acf65d5e9f661d2603e150c3ea1211\
    dbe6eac5ca47b2a3e5b210e1dc3b26cea86f2616a4a140d279070a148fa7b5dc\
    32ddb3d1cfa2938970bd24972ec9";
/// Mode CTR, 100 bytes ('a'..'z' over 96, then "0123"); the last sector's
/// bytes past the payload are 0x5a.
const CRYPTOPP_CTR_FILE: &str = "56534943525950542e0001002000000310303132333435363738394142434445\
    4600000064000000000000000000e6987df457fd1c11d402948c97f335346804\
    1482d8a0904c284b516e37f7b4aff4ea660d58d387cf185e0b465146d5ba14eb\
    e75313bdf87936d396ee47741b8439e032703984bfe7649c1241ef2e5b029bc4\
    fd3dac95aff49229fb9a53a7564115d44387a83ba94aaca372e1ad6b2812e80c\
    e691d8020e61716a1275e6af616e";
/// An empty file with every default: AES, CBC, sector 512, no key check.
const CRYPTOPP_EMPTY_FILE: &str = "56534943525950542e0001000002000010303132333435363738394142434445\
    4600000000000000000000000000";

#[test]
fn secrets_never_appear_in_errors() {
    let secret = "SECRET_KEY_16B_X";
    let inner = format!("/vsicrypt/key={secret},file=/vsimem/crypt_secret_inner.bin");
    let cases = [
        (format!("/vsicrypt/key={secret},file=/vsimem/crypt_no_dir/missing.bin"), "rb"),
        (format!("/vsicrypt/key={secret},file=/vsimem/crypt_missing.bin"), "r+b"),
        // Forgotten "file=": the whole rest is taken as the path.
        (format!("/vsicrypt/key={secret},/vsimem/crypt_missing.bin"), "rb"),
        // A key inside the wrapped path.
        (format!("/vsicrypt/key={KEY},file={inner}"), "rb"),
        (format!("/vsicrypt/key_b64=U0VDUkVUX0tFWV8xNkJfWA==,file={inner}"), "rb"),
    ];
    for (path, access) in &cases {
        let msg = open_err(path, access);
        assert!(!msg.contains(secret) && !msg.contains("U0VDUkVU"), "{msg}");
    }
    // A bad key of the inner layer, reported through the outer one.
    put(&format!("/vsicrypt/key={secret},add_key_check=yes,file=/vsimem/crypt_secret_inner.bin"), "wb", b"x");
    let msg = open_err(
        &format!("/vsicrypt/key={KEY},file=/vsicrypt/key=WRONG_KEY_16B_XX,file=/vsimem/crypt_secret_inner.bin"),
        "rb",
    );
    assert!(msg.starts_with("Bad key") && !msg.contains("WRONG_KEY"), "{msg}");
    let e = vsi::stat("/vsicrypt/key=WRONG_KEY_16B_XX,file=/vsimem/crypt_secret_inner.bin").unwrap_err();
    assert!(!e.message().contains("WRONG_KEY"));
    vsi::unlink("/vsimem/crypt_secret_inner.bin").unwrap();
}

#[test]
fn chains_with_subfile_both_ways() {
    let data = seq(3000, 5, 11);
    put(&format!("/vsicrypt/key={KEY},mode=OFB,file=/vsimem/crypt_sub_inner.bin"), "wb", &data);
    let encrypted = raw("/vsimem/crypt_sub_inner.bin");
    // An encrypted file embedded 100 bytes into a container.
    let mut container = vec![0xee; 100];
    container.extend_from_slice(&encrypted);
    container.extend_from_slice(&[0xee; 50]);
    vsi::mem::write_file("/vsimem/crypt_container.bin", &container).unwrap();
    let path = format!("/vsicrypt/key={KEY},file=/vsisubfile/100_{},/vsimem/crypt_container.bin", encrypted.len());
    assert_eq!(get(&path), data);
    assert_eq!(vsi::stat(&path).unwrap().size, 3000);
    // A window of the plaintext.
    let window = format!("/vsisubfile/1000_500,/vsicrypt/key={KEY},file=/vsimem/crypt_sub_inner.bin");
    assert_eq!(get(&window), data[1000..1500]);
    vsi::unlink("/vsimem/crypt_sub_inner.bin").unwrap();
    vsi::unlink("/vsimem/crypt_container.bin").unwrap();
}
