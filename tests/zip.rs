//! `/vsizip/` reading through the safe API: listings, stat, stored and
//! deflated members with random access, the single-file rule, chaining,
//! shared indexes, and damaged archives.

mod archive_util;

use std::io::{Read, Seek, SeekFrom};

use archive_util::*;
use vsi::Whence;

#[test]
fn lists_and_stats_members_and_directories() {
    let text = lines(20000);
    put(
        "/vsimem/ziptest/a.zip",
        &zip(&[
            ZipEntry::stored("a.txt", b"hello"),
            ZipEntry::stored("dir/", b""),
            ZipEntry::deflated("dir/b.txt", &text),
            ZipEntry::stored("impl/sub/c.txt", b"c"),
        ]),
    );
    assert_eq!(vsi::read_dir("/vsizip//vsimem/ziptest/a.zip").unwrap(), ["a.txt", "dir", "impl"]);
    assert_eq!(vsi::read_dir("/vsizip//vsimem/ziptest/a.zip/impl").unwrap(), ["sub"]);
    assert_eq!(
        vsi::read_dir_recursive("/vsizip/vsimem/ziptest/a.zip").unwrap(),
        ["a.txt", "dir/", "dir/b.txt", "impl/", "impl/sub/", "impl/sub/c.txt"]
    );
    let m = vsi::stat("/vsizip//vsimem/ziptest/a.zip/dir/b.txt").unwrap();
    assert!(m.is_file() && m.size == text.len() as u64 && m.mtime == DOS_TIME_UNIX);
    assert!(vsi::stat("/vsizip//vsimem/ziptest/a.zip/impl/sub/").unwrap().is_dir());
    assert!(vsi::stat("/vsizip//vsimem/ziptest/a.zip").unwrap().is_dir());
    assert!(vsi::stat("/vsizip//vsimem/ziptest/a.zip/nothere").is_err());
    assert_eq!(read_all("/vsizip//vsimem/ziptest/a.zip/dir/b.txt").unwrap(), text);
    assert!(vsi::File::open("/vsizip//vsimem/ziptest/a.zip/dir").is_err());
    let e = vsi::File::open("/vsizip//vsimem/ziptest/a.zip").err().unwrap();
    assert!(e.message().starts_with("Support only 1 file in archive file /vsimem/ziptest/a.zip"), "{e}");
    vsi::rmdir_recursive("/vsimem/ziptest").unwrap();
}

#[test]
fn random_access_in_a_deflated_member() {
    let text = lines(300_000); // 3.6 MB
    put("/vsimem/ziprand/r.zip", &zip(&[ZipEntry::deflated("t.txt", &text)]));
    let mut f = vsi::File::open("/vsizip//vsimem/ziprand/r.zip").unwrap();
    let mut buf = [0u8; 13];
    for &line in &[250_000usize, 10, 299_999, 120_000, 0, 250_001] {
        f.seek(SeekFrom::Start(line as u64 * 13)).unwrap();
        f.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, format!("line {line:07}\n").as_bytes());
    }
    // A second handle shares the checkpoints the first one made.
    let mut g = vsi::File::open("/vsizip//vsimem/ziprand/r.zip").unwrap();
    g.seek(SeekFrom::Start(200_000 * 13)).unwrap();
    g.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"line 0200000\n");
    assert_eq!(g.len().unwrap(), text.len() as u64);
    vsi::rmdir_recursive("/vsimem/ziprand").unwrap();
}

#[test]
fn a_crc_mismatch_sets_the_error_flag_after_a_full_read() {
    let text = lines(1000);
    let mut bad = ZipEntry::deflated("bad.txt", &text);
    bad.crc = Some(0x1234_5678);
    put("/vsimem/zipcrc/c.zip", &zip(&[bad, ZipEntry::deflated("good.txt", &text)]));
    let mut f = vsi::File::open("/vsizip//vsimem/zipcrc/c.zip/bad.txt").unwrap();
    let mut all = vec![0u8; text.len()];
    assert_eq!(f.read_raw(&mut all).unwrap(), text.len());
    assert!(f.error(), "CRC mismatch must set the error flag");
    let mut g = vsi::File::open("/vsizip//vsimem/zipcrc/c.zip/good.txt").unwrap();
    assert_eq!(g.read_raw(&mut all).unwrap(), text.len());
    assert!(!g.error());
    vsi::rmdir_recursive("/vsimem/zipcrc").unwrap();
}

#[test]
fn a_lying_size_never_yields_more_than_declared() {
    let zeros = vec![0u8; 8 << 20];
    let mut bomb = ZipEntry::deflated("bomb.bin", &zeros);
    bomb.size = Some(1000);
    put("/vsimem/zipliar/l.zip", &zip(&[bomb]));
    let mut f = vsi::File::open("/vsizip//vsimem/zipliar/l.zip").unwrap();
    let mut buf = vec![0u8; 1 << 20];
    let n = f.read_raw(&mut buf).unwrap();
    assert_eq!(n, 1000);
    assert_eq!(f.len().unwrap(), 1000);
    vsi::rmdir_recursive("/vsimem/zipliar").unwrap();
}

#[test]
fn archives_chain_through_the_registry() {
    let inner = zip(&[ZipEntry::stored("deep.txt", b"deep")]);
    let tar_bytes = tar(&[("t.txt", b"in tar")]);
    put(
        "/vsimem/zipchain/outer.zip",
        &zip(&[ZipEntry::deflated("inner.zip", &inner), ZipEntry::stored("in.tar", &tar_bytes)]),
    );
    assert_eq!(read_all("/vsizip//vsizip//vsimem/zipchain/outer.zip/inner.zip/deep.txt").unwrap(), b"deep");
    assert_eq!(read_all("/vsizip/{/vsizip/{/vsimem/zipchain/outer.zip}/inner.zip}/deep.txt").unwrap(), b"deep");
    assert_eq!(read_all("/vsitar//vsizip//vsimem/zipchain/outer.zip/in.tar/t.txt").unwrap(), b"in tar");
    let len = vsi::stat("/vsimem/zipchain/outer.zip").unwrap().size;
    let sub = format!("/vsizip/{{/vsisubfile/0_{len},/vsimem/zipchain/outer.zip}}/in.tar");
    assert_eq!(read_all(&sub).unwrap(), tar_bytes);
    // Deep {} nesting is refused, not a stack overflow.
    let mut path = "/vsimem/zipchain/outer.zip".to_string();
    for _ in 0..200 {
        path = format!("/vsizip/{{{path}}}/x.zip");
    }
    assert!(vsi::stat(&path).is_err());
    vsi::rmdir_recursive("/vsimem/zipchain").unwrap();
}

#[test]
fn a_changed_archive_is_listed_again() {
    put("/vsimem/zipchg/c.zip", &zip(&[ZipEntry::stored("one.txt", b"1")]));
    assert_eq!(vsi::read_dir("/vsizip//vsimem/zipchg/c.zip").unwrap(), ["one.txt"]);
    put("/vsimem/zipchg/c.zip", &zip(&[ZipEntry::stored("one.txt", b"1"), ZipEntry::stored("two.txt", b"2")]));
    assert_eq!(vsi::read_dir("/vsizip//vsimem/zipchg/c.zip").unwrap(), ["one.txt", "two.txt"]);
    vsi::unlink("/vsimem/zipchg/c.zip").unwrap();
    assert!(vsi::read_dir("/vsizip//vsimem/zipchg/c.zip").is_err());
    vsi::rmdir_recursive("/vsimem/zipchg").unwrap();
}

#[test]
fn many_members_are_found_by_name() {
    let names: Vec<String> = (0..30_000).map(|i| format!("d{}/f{i:06}.txt", i % 10)).collect();
    let entries: Vec<ZipEntry<'_>> = names.iter().map(|n| ZipEntry::stored(n, n.as_bytes())).collect();
    put("/vsimem/zipmany/m.zip", &zip(&entries));
    for i in (0..30_000).step_by(997) {
        let p = format!("/vsizip//vsimem/zipmany/m.zip/{}", names[i]);
        assert_eq!(vsi::stat(&p).unwrap().size, names[i].len() as u64);
    }
    assert_eq!(vsi::read_dir("/vsizip//vsimem/zipmany/m.zip/d3").unwrap().len(), 3000);
    assert_eq!(read_all("/vsizip//vsimem/zipmany/m.zip/d7/f012347.txt").unwrap(), b"d7/f012347.txt");
    vsi::rmdir_recursive("/vsimem/zipmany").unwrap();
}

#[test]
fn damaged_archives_fail_cleanly() {
    let text = lines(5000);
    let good = zip(&[ZipEntry::stored("a.txt", b"hello"), ZipEntry::deflated("b.txt", &text)]);
    // Every truncation, and every single-byte corruption of the directory,
    // gives an error or data, never a panic or a hang.
    for cut in (0..good.len()).step_by(7) {
        put("/vsimem/zipbad/t.zip", &good[..cut]);
        let _ = vsi::read_dir_recursive("/vsizip//vsimem/zipbad/t.zip");
        let _ = read_all("/vsizip//vsimem/zipbad/t.zip/b.txt");
    }
    let cd = good.len() - 22 - 2 * 46 - 10;
    for at in cd..good.len() {
        let mut bad = good.clone();
        bad[at] ^= 0xff;
        put("/vsimem/zipbad/c.zip", &bad);
        let _ = vsi::read_dir_recursive("/vsizip//vsimem/zipbad/c.zip");
        let _ = read_all("/vsizip//vsimem/zipbad/c.zip/b.txt");
        let _ = read_all("/vsizip//vsimem/zipbad/c.zip");
    }
    put("/vsimem/zipbad/g.zip", b"not a zip");
    assert!(vsi::stat("/vsizip//vsimem/zipbad/g.zip").is_err());
    assert!(vsi::File::open("/vsizip//vsimem/zipbad/g.zip/a.txt").is_err());
    vsi::rmdir_recursive("/vsimem/zipbad").unwrap();
}

#[test]
fn write_access_is_refused_for_now() {
    put("/vsimem/zipw/w.zip", &zip(&[ZipEntry::stored("a.txt", b"a")]));
    assert!(vsi::File::open_with("/vsizip//vsimem/zipw/w.zip/a.txt", "r+b").is_err());
    assert!(vsi::File::create("/vsizip//vsimem/zipw/w.zip/new.txt").is_err());
    let mut f = vsi::File::open("/vsizip//vsimem/zipw/w.zip/a.txt").unwrap();
    assert!(f.write_raw(b"x").is_err());
    f.seek_raw(0, Whence::End).unwrap();
    assert_eq!(f.tell(), 1);
    vsi::rmdir_recursive("/vsimem/zipw").unwrap();
}

#[test]
fn threads_read_one_member_together() {
    let text = lines(200_000);
    put("/vsimem/zipthr/t.zip", &zip(&[ZipEntry::deflated("t.txt", &text)]));
    let handles: Vec<_> = (0..4)
        .map(|k| {
            std::thread::spawn(move || {
                let mut f = vsi::File::open("/vsizip//vsimem/zipthr/t.zip/t.txt").unwrap();
                let mut buf = [0u8; 13];
                for j in 0..50usize {
                    let line = (j * 7919 + k * 104_729) % 200_000;
                    f.seek(SeekFrom::Start(line as u64 * 13)).unwrap();
                    f.read_exact(&mut buf).unwrap();
                    assert_eq!(&buf, format!("line {line:07}\n").as_bytes());
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    vsi::rmdir_recursive("/vsimem/zipthr").unwrap();
}
