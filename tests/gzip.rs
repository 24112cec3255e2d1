//! `/vsigzip/` through the safe API: random and sequential reads against the
//! uncompressed bytes, concatenated members and header flags, the
//! `.properties` sidecar, writing, bad input, a gzip bomb, the shared
//! index, and chaining over `/vsimem/`, `/vsisubfile/` and local files.

use std::io::{Read, Seek, SeekFrom, Write};

use vsi::io::inflate::index_memory_bytes;
use vsi::{File, StatFlags, Whence};

/// Seeded text-like bytes.
fn text(len: usize, seed: u64) -> Vec<u8> {
    const WORDS: [&str; 10] = ["lorem ", "ipsum ", "dolor\n", "sit ", "amet ", "gdal ", "raster ", "17 ", "vsi ", "zip "];
    let mut s = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        out.extend_from_slice(WORDS[(s % 10) as usize].as_bytes());
        if s % 61 == 0 {
            out.extend_from_slice(&s.to_be_bytes());
        }
    }
    out.truncate(len);
    out
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn crc32(data: &[u8]) -> u32 {
    let mut c = flate2::Crc::new();
    c.update(data);
    c.sum()
}

fn put(path: &str, data: &[u8]) {
    vsi::mem::write_file(path, data).unwrap();
}

fn read_all(path: &str) -> Vec<u8> {
    let mut v = Vec::new();
    File::open(path).unwrap().read_to_end(&mut v).unwrap();
    v
}

fn scratch(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("vsi-gzip-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.to_str().unwrap().to_string()
}

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 11
    }
}

#[test]
fn random_reads_and_seeks_match_the_uncompressed_bytes() {
    let plain = text(3_000_000, 42);
    put("/vsimem/gzip_rand/a.gz", &gzip(&plain));
    let p = "/vsigzip//vsimem/gzip_rand/a.gz";
    let mut f = File::open(p).unwrap();
    let mut rng = Lcg(7);
    let mut buf = vec![0u8; 70_000];
    for _ in 0..200 {
        let off = rng.next() % (plain.len() as u64 + 100);
        let len = (rng.next() % 70_000) as usize;
        f.seek(SeekFrom::Start(off)).unwrap();
        let n = f.read_raw(&mut buf[..len]).unwrap();
        let end = (off as usize).saturating_add(len).min(plain.len());
        let expect = plain.get(off as usize..end).unwrap_or(&[]);
        assert_eq!(&buf[..n], expect, "at {off} len {len}");
        // GDAL's decompressing handles: only a read returning nothing sets
        // EOF, and leaves the offset at the end.
        assert_eq!(f.eof(), n == 0 && len > 0, "EOF only on an empty read");
        let end = if n == 0 && len > 0 { off.min(plain.len() as u64) } else { off + n as u64 };
        assert_eq!(f.tell(), end);
    }
    // SEEK_CUR backwards and forwards.
    f.seek_raw(1_000_000, Whence::Set).unwrap();
    f.seek_raw((-5000i64) as u64, Whence::Cur).unwrap();
    assert_eq!(f.tell(), 995_000);
    let n = f.read_raw(&mut buf[..10]).unwrap();
    assert_eq!(&buf[..n], &plain[995_000..995_010]);
    // SEEK_END lands at the end of the data.
    assert_eq!(f.seek(SeekFrom::End(0)).unwrap(), plain.len() as u64);
    assert_eq!(f.read_raw(&mut buf[..10]).unwrap(), 0);
    assert!(f.eof());
    f.close().unwrap();
    // Sequential read of everything, and stat.
    assert!(read_all(p) == plain);
    assert_eq!(vsi::stat(p).unwrap().size, plain.len() as u64);
    vsi::rmdir_recursive("/vsimem/gzip_rand").unwrap();
}

#[test]
fn stat_decodes_the_size_once_and_writes_the_properties_file() {
    let plain = text(400_000, 3);
    let gz = gzip(&plain);
    put("/vsimem/gzip_props/a.gz", &gz);
    let p = "/vsigzip//vsimem/gzip_props/a.gz";
    // Without the size flag: the underlying file's own stat.
    let m = vsi::stat_ex(p, StatFlags(StatFlags::EXISTS)).unwrap();
    assert!(m.is_file());
    let m = vsi::stat(p).unwrap();
    assert_eq!(m.size, plain.len() as u64);
    let props = String::from_utf8(read_all("/vsimem/gzip_props/a.gz.properties")).unwrap();
    assert_eq!(props, format!("compressed_size={}\nuncompressed_size={}\n", gz.len(), plain.len()));
    // The index is complete and shared with the next open.
    let index = vsi::fs::gzip::cached_index("/vsimem/gzip_props/a.gz").unwrap();
    assert_eq!(index.uncompressed_len(), Some(plain.len() as u64));

    // A .properties for another compressed size is ignored; a matching one is
    // trusted by stat, as GDAL (reads still return the real bytes).
    put("/vsimem/gzip_props/b.gz", &gz);
    put("/vsimem/gzip_props/b.gz.properties", format!("compressed_size={}\nuncompressed_size=7\n", gz.len()).as_bytes());
    assert_eq!(vsi::stat("/vsigzip//vsimem/gzip_props/b.gz").unwrap().size, 7);
    assert_eq!(read_all("/vsigzip//vsimem/gzip_props/b.gz"), plain);
    put("/vsimem/gzip_props/c.gz", &gz);
    put("/vsimem/gzip_props/c.gz.properties", b"compressed_size=1\nuncompressed_size=7\n");
    assert_eq!(vsi::stat("/vsigzip//vsimem/gzip_props/c.gz").unwrap().size, plain.len() as u64);

    // CPL_VSIL_GZIP_WRITE_PROPERTIES=NO: nothing written.
    put("/vsimem/gzip_props/d.gz", &gz);
    vsi::config::set_thread_local("CPL_VSIL_GZIP_WRITE_PROPERTIES", Some("NO"));
    assert_eq!(vsi::stat("/vsigzip//vsimem/gzip_props/d.gz").unwrap().size, plain.len() as u64);
    vsi::config::set_thread_local("CPL_VSIL_GZIP_WRITE_PROPERTIES", None);
    assert!(!vsi::exists("/vsimem/gzip_props/d.gz.properties"));
    vsi::rmdir_recursive("/vsimem/gzip_props").unwrap();
}

#[test]
fn concatenated_members_and_every_header_flag() {
    let a = text(100_000, 1);
    let b = text(50_000, 2);
    let mut gz = gzip(&a);
    // FTEXT, FHCRC, FEXTRA, FNAME, FCOMMENT, as Python's gzip module or
    // gzip -N can write them.
    let mut member = vec![0x1f, 0x8b, 8, 0x1f, 0x78, 0x56, 0x34, 0x12, 2, 3];
    member.extend_from_slice(&[4, 0, b'A', b'P', 0, 0]);
    member.extend_from_slice(b"original-name.txt\0");
    member.extend_from_slice(b"a comment\0");
    let hcrc = crc32(&member) as u16;
    member.extend_from_slice(&hcrc.to_le_bytes());
    member.extend_from_slice(&deflate(&b));
    member.extend_from_slice(&crc32(&b).to_le_bytes());
    member.extend_from_slice(&(b.len() as u32).to_le_bytes());
    gz.extend_from_slice(&member);
    gz.extend_from_slice(&gzip(b"")); // an empty member
    gz.extend_from_slice(&gzip(b"tail"));
    put("/vsimem/gzip_members/a.gz", &gz);
    let mut all = a.clone();
    all.extend_from_slice(&b);
    all.extend_from_slice(b"tail");
    let p = "/vsigzip//vsimem/gzip_members/a.gz";
    assert_eq!(read_all(p), all);
    assert_eq!(vsi::stat(p).unwrap().size, all.len() as u64);
    let mut f = File::open(p).unwrap();
    f.seek(SeekFrom::Start(99_990)).unwrap();
    let mut buf = [0u8; 20];
    f.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, &all[99_990..100_010]);
    vsi::rmdir_recursive("/vsimem/gzip_members").unwrap();
}

#[test]
fn written_files_read_back_with_gdal_header_and_zlib_mode() {
    let plain = text(1_000_000, 9);
    let mut f = File::create("/vsigzip//vsimem/gzip_write/a.gz").unwrap();
    for chunk in plain.chunks(33_333) {
        f.write_all(chunk).unwrap();
    }
    assert_eq!(f.tell(), plain.len() as u64);
    f.seek_raw(0, Whence::Cur).unwrap();
    f.seek_raw(0, Whence::End).unwrap();
    f.seek_raw(plain.len() as u64, Whence::Set).unwrap();
    let e = f.seek_raw(0, Whence::Set).unwrap_err();
    assert!(e.message().contains("Seeking on writable compressed data streams not supported"), "{e}");
    let mut buf = [0u8; 4];
    assert!(f.read_raw(&mut buf).is_err());
    f.close().unwrap();
    let gz = vsi::mem::with_bytes("/vsimem/gzip_write/a.gz", |b| b.to_vec()).unwrap();
    assert_eq!(&gz[..10], &[0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03]);
    let mut d = flate2::read::GzDecoder::new(&gz[..]);
    let mut back = Vec::new();
    d.read_to_end(&mut back).unwrap();
    assert_eq!(back, plain);
    assert_eq!(read_all("/vsigzip//vsimem/gzip_write/a.gz"), plain);

    // 'z': a zlib stream.
    let mut f = File::open_with("/vsigzip//vsimem/gzip_write/b.z", "wbz").unwrap();
    f.write_all(b"zlib data").unwrap();
    f.close().unwrap();
    let z = vsi::mem::with_bytes("/vsimem/gzip_write/b.z", |b| b.to_vec()).unwrap();
    let mut d = flate2::read::ZlibDecoder::new(&z[..]);
    let mut s = String::new();
    d.read_to_string(&mut s).unwrap();
    assert_eq!(s, "zlib data");

    // w+ is refused; so are writes on a read handle.
    let e = File::open_with("/vsigzip//vsimem/gzip_write/c.gz", "w+b").err().unwrap();
    assert!(e.message().contains("Write+update (w+) not supported"), "{e}");
    let mut r = File::open("/vsigzip//vsimem/gzip_write/a.gz").unwrap();
    assert!(r.write_raw(b"x").is_err());
    vsi::rmdir_recursive("/vsimem/gzip_write").unwrap();
}

#[test]
fn bad_input_fails_with_clear_errors() {
    let plain = text(300_000, 5);
    let gz = gzip(&plain);
    let dir = "/vsimem/gzip_bad";
    // Not gzip: open fails; stat without the size flag still works.
    put(&format!("{dir}/plain.txt"), b"just text");
    assert!(File::open(&format!("/vsigzip/{dir}/plain.txt")).is_err());
    assert!(vsi::stat_ex(&format!("/vsigzip/{dir}/plain.txt"), StatFlags(StatFlags::EXISTS)).is_ok());
    assert!(vsi::stat(&format!("/vsigzip/{dir}/plain.txt")).is_err());
    assert!(File::open("/vsigzip//vsimem/gzip_bad/missing.gz").is_err());

    let damaged = |edit: &dyn Fn(&mut Vec<u8>)| {
        let mut g = gz.clone();
        edit(&mut g);
        g
    };
    let n = gz.len();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("crc", damaged(&|g| g[n - 6] ^= 1), "CRC error"),
        ("size", damaged(&|g| g[n - 2] ^= 1), "size mismatch"),
        ("truncated", gz[..n * 2 / 3].to_vec(), "truncated"),
        ("notrailer", gz[..n - 5].to_vec(), "trailer"),
        ("garbage", [&gz[..], b"GARBAGE"].concat(), "trailing garbage"),
        ("corrupt", damaged(&|g| g[2000..2100].fill(0xee)), ""),
        ("header", damaged(&|g| g[2] = 9), "unsupported gzip header"),
    ];
    for (name, bytes, what) in cases {
        let base = format!("{dir}/{name}.gz");
        put(&base, &bytes);
        let p = format!("/vsigzip/{base}");
        let e = vsi::stat(&p).unwrap_err();
        assert!(e.message().contains(what), "{name}: {e}");
        let mut f = File::open(&p).unwrap();
        let mut buf = vec![0u8; 400_000];
        let n = f.read_raw(&mut buf).unwrap_or(0);
        assert!(n < plain.len() || f.error(), "{name}: {n}");
        assert!(f.error(), "{name}: the error flag is set");
        assert!(!f.eof(), "{name}: not EOF");
        if name != "corrupt" {
            assert!(buf[..n] == plain[..n], "{name}: the good bytes are right");
        }
        assert!(f.seek_raw(0, Whence::End).is_err(), "{name}");
        f.close().unwrap();
    }
    // Zero padding after the last member is allowed.
    put(&format!("{dir}/padded.gz"), &[&gz[..], &[0u8; 512][..]].concat());
    assert_eq!(read_all(&format!("/vsigzip/{dir}/padded.gz")), plain);
    vsi::rmdir_recursive(dir).unwrap();
}

#[test]
fn a_gzip_bomb_streams_without_growing_memory() {
    // 256 MiB of zeros: 64 members of 4 MiB, about 260 KiB of gzip.
    let member = gzip(&vec![0u8; 4 << 20]);
    let bomb = member.repeat(64);
    assert!(bomb.len() < 300_000);
    put("/vsimem/gzip_bomb/bomb.gz", &bomb);
    let p = "/vsigzip//vsimem/gzip_bomb/bomb.gz";
    vsi::config::set_thread_local("CPL_VSIL_GZIP_WRITE_PROPERTIES", Some("NO"));
    assert_eq!(vsi::stat(p).unwrap().size, 256 << 20);
    vsi::config::set_thread_local("CPL_VSIL_GZIP_WRITE_PROPERTIES", None);
    let index = vsi::fs::gzip::cached_index("/vsimem/gzip_bomb/bomb.gz").unwrap();
    assert!(index.memory_bytes() < 1 << 20, "{index:?}");
    assert!(index_memory_bytes() >= index.memory_bytes());
    let mut f = File::open(p).unwrap();
    f.seek(SeekFrom::Start((255 << 20) + 7)).unwrap();
    let mut buf = [1u8; 64];
    f.read_exact(&mut buf).unwrap();
    assert_eq!(buf, [0u8; 64]);
    vsi::rmdir_recursive("/vsimem/gzip_bomb").unwrap();
}

#[test]
fn handles_share_one_index() {
    let plain = text(2_000_000, 77);
    put("/vsimem/gzip_share/a.gz", &gzip(&plain));
    let p = "/vsigzip//vsimem/gzip_share/a.gz";
    let mut a = File::open(p).unwrap();
    let mut all = Vec::new();
    a.read_to_end(&mut all).unwrap();
    assert_eq!(all, plain);
    let index = vsi::fs::gzip::cached_index("/vsimem/gzip_share/a.gz").unwrap();
    let made = index.checkpoints();
    assert!(made > 2, "{index:?}");
    assert_eq!(index.uncompressed_len(), Some(plain.len() as u64));
    // Another handle, open at the same time, seeks with the same index.
    let mut b = File::open(p).unwrap();
    assert_eq!(b.seek(SeekFrom::End(0)).unwrap(), plain.len() as u64);
    b.seek(SeekFrom::Start(1_999_000)).unwrap();
    let mut buf = [0u8; 1000];
    b.read_exact(&mut buf).unwrap();
    assert_eq!(&buf[..], &plain[1_999_000..]);
    assert_eq!(index.checkpoints(), made);
    assert!(std::sync::Arc::ptr_eq(&index, &vsi::fs::gzip::cached_index("/vsimem/gzip_share/a.gz").unwrap()));
    // A new version of the file gets a new index.
    drop((a, b));
    let other = text(10_000, 78);
    put("/vsimem/gzip_share/a.gz", &gzip(&other));
    assert_eq!(read_all(p), other);
    assert!(!std::sync::Arc::ptr_eq(&index, &vsi::fs::gzip::cached_index("/vsimem/gzip_share/a.gz").unwrap()));

    // Threads with their own handles on one file.
    put("/vsimem/gzip_share/t.gz", &gzip(&plain));
    let plain = std::sync::Arc::new(plain);
    let threads: Vec<_> = (0..3u64)
        .map(|t| {
            let plain = plain.clone();
            std::thread::spawn(move || {
                let mut f = File::open("/vsigzip//vsimem/gzip_share/t.gz").unwrap();
                let mut rng = Lcg(t);
                let mut buf = [0u8; 4096];
                for _ in 0..50 {
                    let off = rng.next() % (plain.len() as u64 - 4096);
                    f.seek(SeekFrom::Start(off)).unwrap();
                    f.read_exact(&mut buf).unwrap();
                    assert_eq!(&buf[..], &plain[off as usize..off as usize + 4096]);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    vsi::rmdir_recursive("/vsimem/gzip_share").unwrap();
}

#[test]
fn chains_over_subfile_and_local_files() {
    let plain = text(200_000, 31);
    let gz = gzip(&plain);
    // A gzip stored inside a bigger file, read through /vsisubfile/.
    let mut outer = vec![b'#'; 1000];
    outer.extend_from_slice(&gz);
    outer.extend_from_slice(&[b'#'; 500]);
    put("/vsimem/gzip_chain/outer.bin", &outer);
    let p = format!("/vsigzip//vsisubfile/1000_{},/vsimem/gzip_chain/outer.bin", gz.len());
    assert_eq!(read_all(&p), plain);
    vsi::config::set_thread_local("CPL_VSIL_GZIP_WRITE_PROPERTIES", Some("NO"));
    assert_eq!(vsi::stat(&p).unwrap().size, plain.len() as u64);
    vsi::config::set_thread_local("CPL_VSIL_GZIP_WRITE_PROPERTIES", None);

    // A local file written through /vsigzip/, then read by flate2 and back.
    let dir = scratch("chain");
    let local = format!("{dir}/a.gz");
    let mut f = File::create(&format!("/vsigzip/{local}")).unwrap();
    f.write_all(&plain).unwrap();
    f.close().unwrap();
    let mut back = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&local).unwrap()).read_to_end(&mut back).unwrap();
    assert_eq!(back, plain);
    let m = vsi::stat(&format!("/vsigzip/{local}")).unwrap();
    assert_eq!(m.size, plain.len() as u64);
    assert!(m.native.is_some_and(|n| n.st_size == plain.len() as i64));
    assert!(std::path::Path::new(&format!("{local}.properties")).exists());
    assert!(read_all(&format!("/vsigzip/{local}")) == plain);
    std::fs::remove_dir_all(&dir).unwrap();
    vsi::rmdir_recursive("/vsimem/gzip_chain").unwrap();
}

#[test]
fn path_operations_are_refused() {
    assert!(vsi::read_dir("/vsigzip//vsimem/").is_err());
    assert!(vsi::mkdir("/vsigzip//vsimem/gzip_x", 0o755).is_err());
    assert!(vsi::unlink("/vsigzip//vsimem/gzip_x.gz").is_err());
    assert!(File::open("/vsigzip/").is_err());
}
