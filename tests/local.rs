//! Local files through the safe API.

use std::io::{Read, Write};

use vsi::{File, RangeStatus, Whence};

fn scratch(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("vsi-local-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.to_str().unwrap().to_string()
}

#[test]
fn read_write_seek_and_append() {
    let d = scratch("rw");
    let p = format!("{d}/f.txt");
    let mut f = File::create(&p).unwrap();
    f.write_all(b"hello world").unwrap();
    f.close().unwrap();
    // "a" appends whatever the offset.
    let mut f = File::open_with(&p, "a").unwrap();
    f.seek_raw(0, Whence::Set).unwrap();
    f.write_all(b"!").unwrap();
    f.close().unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"hello world!");
    // r+ interleaves reads and writes at the right offsets.
    let mut f = File::open_with(&p, "r+b").unwrap();
    let mut five = [0u8; 5];
    f.read_exact(&mut five).unwrap();
    f.write_all(b"_").unwrap();
    let mut rest = String::new();
    f.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "world!");
    f.close().unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"hello_world!");
    assert!(File::open_with(&p, "zz").is_err(), "invalid access strings fail");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn files_over_4_gib_and_holes() {
    let d = scratch("big");
    let p = format!("{d}/sparse.bin");
    let mut f = File::create(&p).unwrap();
    let far = 5u64 << 30;
    f.seek_raw(far, Whence::Set).unwrap();
    f.write_raw(b"end").unwrap();
    f.flush_raw().unwrap();
    if vsi::supports_sparse_files(&d) {
        assert_eq!(f.range_status(0, 1 << 20), RangeStatus::Hole);
        assert_eq!(f.range_status(far, 3), RangeStatus::Data);
    }
    f.close().unwrap();
    assert_eq!(vsi::stat(&p).unwrap().size, far + 3);
    let mut f = File::open(&p).unwrap();
    f.seek_raw(far, Whence::Set).unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(f.read_raw(&mut buf).unwrap(), 3);
    assert!(f.eof());
    assert_eq!(&buf[..3], b"end");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn directories_and_listing() {
    let d = scratch("dirs");
    assert!(vsi::read_dir(&d).unwrap().contains(&".".to_string()), "local listings keep dot entries");
    vsi::mkdir_recursive(&format!("{d}/a/b/c"), 0o755).unwrap();
    vsi::mkdir_recursive(&format!("{d}/a/b/c"), 0o755).unwrap();
    assert!(vsi::mkdir(&format!("{d}/a"), 0o755).is_err());
    std::fs::write(format!("{d}/a/b/file"), b"x").unwrap();
    assert!(vsi::mkdir_recursive(&format!("{d}/a/b/file"), 0o755).is_err());
    assert!(vsi::rmdir(&format!("{d}/a")).is_err(), "rmdir of a non-empty directory fails");
    let mut listing = vsi::read_dir_recursive(&d).unwrap();
    listing.sort();
    assert_eq!(listing, vec!["a/", "a/b/", "a/b/c/", "a/b/file"]);
    vsi::rmdir_recursive(&format!("{d}/a")).unwrap();
    assert!(!vsi::exists(&format!("{d}/a")));
    assert!(vsi::rmdir_recursive("/").is_err());
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn copy_sync_ingest_and_overwrite_across_file_systems() {
    let d = scratch("copy");
    let src = format!("{d}/src.bin");
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(&src, &data).unwrap();
    vsi::copy_file(&src, "/vsimem/t_copy/dst.bin", None).unwrap();
    let ingested = vsi::ingest(None, Some("/vsimem/t_copy/dst.bin"), None).unwrap();
    assert_eq!(ingested, data);
    assert!(vsi::ingest(None, Some("/vsimem/t_copy/dst.bin"), Some(10)).is_err());

    std::fs::create_dir_all(format!("{d}/tree/sub")).unwrap();
    std::fs::write(format!("{d}/tree/sub/x"), b"x").unwrap();
    vsi::sync(&format!("{d}/tree/"), "/vsimem/t_copy/mirror", true).unwrap();
    assert_eq!(vsi::ingest(None, Some("/vsimem/t_copy/mirror/sub/x"), None).unwrap(), b"x");

    let mut target = File::open_with(&src, "rb+").unwrap();
    vsi::overwrite_file(&mut target, "/vsimem/t_copy/mirror/sub/x").unwrap();
    target.close().unwrap();
    assert_eq!(std::fs::read(&src).unwrap(), b"x");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn too_long_paths_are_refused() {
    let long = format!("/tmp/{}", "x".repeat(9000));
    assert!(File::open(&long).is_err());
    assert!(vsi::stat(&long).is_err());
}
