//! `/vsisubfile/` through the safe API: windows of /vsimem/, local files
//! and other windows, update mode, stat, and windows beyond 4 GiB.

use std::io::{Read, Seek, SeekFrom, Write};

use vsi::{File, Whence};

fn mem_file(path: &str, data: &[u8]) {
    let mut f = File::create(path).unwrap();
    f.write_all(data).unwrap();
    f.close().unwrap();
}

fn read_all(path: &str) -> Vec<u8> {
    let mut v = Vec::new();
    File::open(path).unwrap().read_to_end(&mut v).unwrap();
    v
}

fn scratch(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("vsi-subfile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.to_str().unwrap().to_string()
}

#[test]
fn bounded_window_reads_stats_and_stops_at_its_end() {
    mem_file("/vsimem/subfile_t/a.bin", b"0123456789ABCDEFGHIJ");
    let p = "/vsisubfile/5_10,/vsimem/subfile_t/a.bin";
    assert_eq!(read_all(p), b"56789ABCDE");
    assert_eq!(vsi::stat(p).unwrap().size, 10);
    assert!(vsi::stat(p).unwrap().is_file());
    let mut f = File::open(p).unwrap();
    let mut buf = [0u8; 4];
    f.seek(SeekFrom::Start(8)).unwrap();
    assert_eq!(f.read_raw(&mut buf).unwrap(), 2);
    assert_eq!(&buf[..2], b"DE");
    assert!(f.eof());
    assert_eq!(f.seek(SeekFrom::End(0)).unwrap(), 10);
    assert_eq!(f.len().unwrap(), 10);
    // Unbounded and clamped windows.
    assert_eq!(read_all("/vsisubfile/15,/vsimem/subfile_t/a.bin"), b"FGHIJ");
    assert_eq!(read_all("/vsisubfile/15_-1,/vsimem/subfile_t/a.bin"), b"FGHIJ");
    assert_eq!(read_all("/vsisubfile/18_100,/vsimem/subfile_t/a.bin"), b"IJ");
    assert_eq!(vsi::stat("/vsisubfile/18_100,/vsimem/subfile_t/a.bin").unwrap().size, 100);
    assert_eq!(vsi::stat("/vsisubfile/30,/vsimem/subfile_t/a.bin").unwrap().size, 0);
    vsi::rmdir_recursive("/vsimem/subfile_t").unwrap();
}

#[test]
fn bad_paths_fail_with_a_clear_error() {
    mem_file("/vsimem/subfile_bad/a.bin", b"0123456789");
    for bad in ["/vsisubfile/5_10/vsimem/subfile_bad/a.bin", "/vsisubfile/5", "/vsisubfile/", "/vsisubfile"] {
        let e = File::open(bad).err().unwrap();
        assert_eq!(e.errno(), libc::ENOENT, "{bad}");
        assert!(vsi::stat(bad).is_err());
    }
    let e = File::open("/vsisubfile/5_10/vsimem/subfile_bad/a.bin").err().unwrap();
    assert!(e.message().contains("expected /vsisubfile/<offset>[_<size>],<filename>"), "{e}");
    let e = File::open("/vsisubfile/11,/vsimem/subfile_bad/a.bin").err().unwrap();
    assert!(e.message().contains("beyond the end"), "{e}");
    assert!(File::open("/vsisubfile/18446744073709551615_2,/vsimem/subfile_bad/a.bin").is_err());
    assert!(File::open_with("/vsisubfile/18446744073709551615_2,/vsimem/subfile_bad/a.bin", "r+b").is_err());
    assert!(File::open("/vsisubfile/0,/vsimem/subfile_bad/missing").is_err());
    assert!(vsi::unlink("/vsisubfile/0,/vsimem/subfile_bad/a.bin").is_err());
    assert!(vsi::read_dir("/vsisubfile/0,/vsimem/subfile_bad").is_err());
    assert!(vsi::exists("/vsimem/subfile_bad/a.bin"));
    vsi::rmdir_recursive("/vsimem/subfile_bad").unwrap();
}

#[test]
fn update_mode_writes_inside_the_window_only() {
    mem_file("/vsimem/subfile_u/a.bin", b"0123456789");
    // "w" means "r+": no truncation.
    let mut f = File::open_with("/vsisubfile/2_4,/vsimem/subfile_u/a.bin", "wb").unwrap();
    assert_eq!(f.write_raw(b"abcdef").unwrap(), 4);
    assert_eq!(f.write_raw(b"x").unwrap(), 0);
    assert_eq!(f.tell(), 4);
    f.seek_raw(1, Whence::Set).unwrap();
    let mut two = [0u8; 2];
    f.read_exact(&mut two).unwrap();
    assert_eq!(&two, b"bc");
    f.close().unwrap();
    assert_eq!(read_all("/vsimem/subfile_u/a.bin"), b"01abcd6789");
    // The containing file must exist.
    assert!(File::open_with("/vsisubfile/0_4,/vsimem/subfile_u/new.bin", "wb").is_err());
    assert!(!vsi::exists("/vsimem/subfile_u/new.bin"));
    // An unbounded window grows the file.
    let mut f = File::open_with("/vsisubfile/8,/vsimem/subfile_u/a.bin", "r+b").unwrap();
    f.seek(SeekFrom::End(0)).unwrap();
    f.write_all(b"XY").unwrap();
    f.close().unwrap();
    assert_eq!(read_all("/vsimem/subfile_u/a.bin"), b"01abcd6789XY");
    // Read-only windows refuse writes.
    let mut f = File::open("/vsisubfile/0_4,/vsimem/subfile_u/a.bin").unwrap();
    assert!(f.write_raw(b"no").is_err());
    vsi::rmdir_recursive("/vsimem/subfile_u").unwrap();
}

#[test]
fn windows_chain_over_windows_and_local_files() {
    let d = scratch("chain");
    let local = format!("{d}/l.bin");
    std::fs::write(&local, b"abcdefghijklmnopqrstuvwxyz").unwrap();
    let p = format!("/vsisubfile/2_3,/vsisubfile/10_10,{local}");
    assert_eq!(read_all(&p), b"mno");
    assert_eq!(vsi::stat(&p).unwrap().size, 3);
    let mut f = File::open_with(&format!("/vsisubfile/1_2,/vsisubfile/3,{local}"), "r+b").unwrap();
    f.write_all(b"EF").unwrap();
    f.close().unwrap();
    assert_eq!(std::fs::read(&local).unwrap(), b"abcdEFghijklmnopqrstuvwxyz");
    // A stat of a local window keeps the native fields.
    let m = vsi::stat(&format!("/vsisubfile/20,{local}")).unwrap();
    assert_eq!(m.size, 6);
    assert_eq!(m.native.unwrap().st_size, 6);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn multi_range_reads_work_in_both_modes() {
    mem_file("/vsimem/subfile_mr/a.bin", b"0123456789ABCDEFGHIJ");
    for access in ["rb", "r+b"] {
        let mut f = File::open_with("/vsisubfile/5_10,/vsimem/subfile_mr/a.bin", access).unwrap();
        f.seek_raw(3, Whence::Set).unwrap();
        let (mut a, mut b) = ([0u8; 3], [0u8; 4]);
        f.read_multi_range(&mut [(0, &mut a[..]), (6, &mut b[..])]).unwrap();
        assert_eq!((&a, &b), (b"567", b"BCDE"), "{access}");
        assert_eq!(f.tell(), 3);
        let mut c = [0u8; 4];
        assert!(f.read_multi_range(&mut [(8, &mut c[..])]).is_err(), "{access}: past the window");
    }
    vsi::rmdir_recursive("/vsimem/subfile_mr").unwrap();
}

#[test]
fn windows_beyond_4_gib_of_a_sparse_local_file() {
    let d = scratch("big");
    if !vsi::supports_sparse_files(&d) {
        eprintln!("scratch file system without holes: skipped");
        return;
    }
    let p = format!("{d}/big.bin");
    let gib = 1u64 << 30;
    let mut f = File::create(&p).unwrap();
    f.seek_raw(5 * gib, Whence::Set).unwrap();
    f.write_all(b"TAIL").unwrap();
    f.close().unwrap();
    let w = format!("/vsisubfile/{}_8,{p}", 5 * gib - 4);
    assert_eq!(read_all(&w), b"\0\0\0\0TAIL");
    let w = format!("/vsisubfile/{},{p}", 4 * gib + 1);
    assert_eq!(vsi::stat(&w).unwrap().size, gib + 3);
    let mut f = File::open(&w).unwrap();
    assert_eq!(f.seek(SeekFrom::End(-4)).unwrap(), gib - 1);
    let mut t = [0u8; 4];
    f.read_exact(&mut t).unwrap();
    assert_eq!(&t, b"TAIL");
    let mut f = File::open_with(&format!("/vsisubfile/{}_2,{p}", 5 * gib + 1), "r+b").unwrap();
    assert_eq!(f.write_raw(b"aix").unwrap(), 2);
    f.close().unwrap();
    let mut f = File::open(&p).unwrap();
    f.seek_raw(5 * gib, Whence::Set).unwrap();
    let mut t = [0u8; 4];
    f.read_exact(&mut t).unwrap();
    assert_eq!(&t, b"TaiL");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn windows_beyond_4_gib_of_a_sparse_description() {
    mem_file(
        "/vsimem/subfile_big/d.xml",
        b"<VSISparseFile><Length>10737418240</Length><ConstantRegion>\
          <DestinationOffset>6000000000</DestinationOffset><RegionLength>3</RegionLength>\
          <Value>55</Value></ConstantRegion></VSISparseFile>",
    );
    let p = "/vsisubfile/5999999999_5,/vsisparse//vsimem/subfile_big/d.xml";
    assert_eq!(read_all(p), [0, 55, 55, 55, 0]);
    assert_eq!(vsi::stat("/vsisubfile/6000000000,/vsisparse//vsimem/subfile_big/d.xml").unwrap().size, 4737418240);
    vsi::rmdir_recursive("/vsimem/subfile_big").unwrap();
}
