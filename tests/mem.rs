//! `/vsimem/` through the safe API. Each test works under its own directory
//! so tests can run in parallel.

use std::io::{Read, Seek, SeekFrom, Write};

use vsi::{File, Whence};

fn read_all(path: &str) -> Vec<u8> {
    let mut v = Vec::new();
    File::open(path).unwrap().read_to_end(&mut v).unwrap();
    v
}

#[test]
fn write_then_read_back_with_std_traits() {
    let mut f = File::create("/vsimem/t_rw/a.bin").unwrap();
    f.write_all(b"0123456789").unwrap();
    f.seek(SeekFrom::Start(2)).unwrap();
    f.write_all(b"ab").unwrap();
    f.close().unwrap();
    assert_eq!(read_all("/vsimem/t_rw/a.bin"), b"01ab456789");
    let mut f = File::open("/vsimem/t_rw/a.bin").unwrap();
    assert_eq!(f.seek(SeekFrom::End(-3)).unwrap(), 7);
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    assert_eq!(s, "789");
}

#[test]
fn short_read_sets_eof_but_exact_read_does_not() {
    vsi::mem::write_file("/vsimem/t_eof/f", b"abcd").unwrap();
    let mut f = File::open("/vsimem/t_eof/f").unwrap();
    let mut buf = [0u8; 4];
    assert_eq!(f.read_raw(&mut buf).unwrap(), 4);
    assert!(!f.eof());
    assert_eq!(f.read_raw(&mut buf).unwrap(), 0);
    assert!(f.eof());
    f.seek_raw(1, Whence::Set).unwrap();
    assert!(!f.eof());
    assert_eq!(f.read_raw(&mut buf).unwrap(), 3);
    assert!(f.eof());
    assert_eq!(f.tell(), 4);
}

#[test]
fn modes_follow_gdal() {
    let p = "/vsimem/t_modes/f";
    assert!(File::open_with(p, "r").is_err(), "r on a missing file fails");
    vsi::mem::write_file(p, b"hello").unwrap();
    // "a" starts at the end but honours later seeks.
    let mut f = File::open_with(p, "a").unwrap();
    assert_eq!(f.tell(), 5);
    f.write_raw(b"!").unwrap();
    f.seek_raw(0, Whence::Set).unwrap();
    f.write_raw(b"J").unwrap();
    let mut buf = [0u8; 1];
    assert!(f.read_raw(&mut buf).is_err(), "a-only handles cannot read");
    assert!(f.error());
    f.close().unwrap();
    assert_eq!(read_all(p), b"Jello!");
    // "r" handles cannot write; "r+" can, without truncating.
    let mut f = File::open_with(p, "rb").unwrap();
    assert!(f.write_raw(b"x").is_err());
    let mut f = File::open_with(p, "r+b").unwrap();
    f.write_raw(b"Y").unwrap();
    drop(f);
    assert_eq!(read_all(p), b"Yello!");
    // "w" truncates.
    File::open_with(p, "wb").unwrap().close().unwrap();
    assert_eq!(vsi::stat(p).unwrap().size, 0);
}

#[test]
fn writing_past_the_end_and_truncating_zero_fill() {
    let p = "/vsimem/t_zero/f";
    let mut f = File::create(p).unwrap();
    f.seek_raw(4, Whence::Set).unwrap();
    f.write_raw(b"xy").unwrap();
    f.truncate(3).unwrap();
    f.truncate(8).unwrap();
    assert_eq!(f.tell(), 6, "truncate keeps the offset");
    f.close().unwrap();
    assert_eq!(read_all(p), b"\0\0\0\0\0\0\0\0");
}

#[test]
fn unlink_while_open_keeps_bytes_until_close() {
    let p = "/vsimem/t_unlink/f";
    vsi::mem::write_file(p, b"old").unwrap();
    let mut f = File::open_with(p, "r+").unwrap();
    vsi::unlink(p).unwrap();
    assert!(vsi::stat(p).is_err());
    vsi::mem::write_file(p, b"new content").unwrap();
    let mut buf = [0u8; 3];
    assert_eq!(f.read_raw(&mut buf).unwrap(), 3);
    assert_eq!(&buf, b"old");
    f.write_raw(b"er").unwrap();
    assert_eq!(f.len().unwrap(), 5);
    f.close().unwrap();
    assert_eq!(read_all(p), b"new content", "the new file is independent");
}

#[test]
fn seize_removes_the_file_and_open_handles_see_it_empty() {
    let p = "/vsimem/t_seize/f";
    vsi::mem::write_file(p, b"payload").unwrap();
    let mut f = File::open(p).unwrap();
    let buf = vsi::mem::seize(p).unwrap();
    assert_eq!(&*buf, b"payload");
    assert!(buf.is_owned());
    assert!(vsi::stat(p).is_err());
    assert_eq!(f.len().unwrap(), 0);
    assert!(vsi::mem::seize(p).is_none());
}

#[test]
fn large_file_survives_growth_and_seize() {
    let p = "/vsimem/t_large/f";
    let mut f = File::create(p).unwrap();
    let chunk: Vec<u8> = (0..(1 << 20)).map(|i| (i * 7 % 256) as u8).collect();
    for _ in 0..24 {
        f.write_all(&chunk).unwrap();
    }
    f.close().unwrap();
    assert_eq!(vsi::stat(p).unwrap().size, 24 << 20);
    let mut f = File::open(p).unwrap();
    f.seek_raw(13 << 20, Whence::Set).unwrap();
    let mut back = vec![0u8; 1 << 20];
    f.read_exact(&mut back).unwrap();
    assert_eq!(back, chunk);
    drop(f);
    let seized = vsi::mem::seize(p).unwrap();
    assert_eq!(seized.len(), 24 << 20);
    assert_eq!(&seized[(5 << 20)..(6 << 20)], &chunk[..]);
}

#[test]
fn paths_are_normalised() {
    vsi::mem::write_file("/vsimem/t_norm//a\\b.txt/", b"1").unwrap();
    assert!(vsi::stat("/vsimem/t_norm/a/b.txt").unwrap().is_file());
    assert!(vsi::stat("/vsimem\\t_norm\\a").unwrap().is_dir());
    assert!(vsi::stat("/vsimem").unwrap().is_dir());
    assert!(vsi::stat("/vsimem/").unwrap().is_dir());
}

#[test]
fn parents_are_implicit_but_mkdir_does_not_create_them() {
    vsi::mem::write_file("/vsimem/t_dirs/a/b/c.txt", b"").unwrap();
    assert!(vsi::stat("/vsimem/t_dirs/a").unwrap().is_dir());
    assert_eq!(vsi::read_dir("/vsimem/t_dirs/a").unwrap(), vec!["b"]);
    vsi::mkdir("/vsimem/t_dirs/x/y", 0o755).unwrap();
    assert!(vsi::stat("/vsimem/t_dirs/x").is_err());
    assert!(vsi::mkdir("/vsimem/t_dirs/x/y", 0o755).is_err(), "mkdir of an existing path fails");
    assert!(File::open("/vsimem/t_dirs/a").is_err(), "a directory is not a file");
    assert_eq!(vsi::read_dir("/vsimem/t_dirs/empty_or_missing").unwrap(), Vec::<String>::new());
}

#[test]
fn rename_moves_subtrees_and_replaces_targets() {
    vsi::mem::write_file("/vsimem/t_ren/src/a", b"A").unwrap();
    vsi::mem::write_file("/vsimem/t_ren/src/d/b", b"B").unwrap();
    vsi::mem::write_file("/vsimem/t_ren/dst/a", b"old").unwrap();
    vsi::rename("/vsimem/t_ren/src", "/vsimem/t_ren/dst").unwrap();
    assert_eq!(read_all("/vsimem/t_ren/dst/a"), b"A");
    assert_eq!(read_all("/vsimem/t_ren/dst/d/b"), b"B");
    assert!(vsi::stat("/vsimem/t_ren/src").is_err());
    assert!(vsi::rename("/vsimem/t_ren/dst/a", "/tmp/elsewhere").is_err());
    vsi::rename("/vsimem/t_ren/dst/a", "/vsimem/t_ren/dst/a").unwrap();
}

#[test]
fn recursive_listing_and_removal() {
    vsi::mem::write_file("/vsimem/t_rec/a/1", b"").unwrap();
    vsi::mem::write_file("/vsimem/t_rec/a/2", b"").unwrap();
    vsi::mem::write_file("/vsimem/t_rec/b", b"").unwrap();
    assert_eq!(vsi::read_dir_recursive("/vsimem/t_rec").unwrap(), vec!["a/", "a/1", "a/2", "b"]);
    vsi::rmdir_recursive("/vsimem/t_rec").unwrap();
    assert!(vsi::stat("/vsimem/t_rec/a/1").is_err());
    assert!(vsi::rmdir_recursive("/vsimem/t_rec").is_err());
}

#[test]
fn max_files_cuts_listing_at_n_plus_one() {
    for i in 0..10 {
        vsi::mem::write_file(&format!("/vsimem/t_max/f{i}"), b"").unwrap();
    }
    assert_eq!(vsi::read_dir_ex("/vsimem/t_max", 3).unwrap().len(), 4);
    assert_eq!(vsi::read_dir_ex("/vsimem/t_max", 0).unwrap().len(), 10);
}

#[test]
fn max_length_suffix_caps_growth() {
    let p = "/vsimem/t_maxlen/f||maxlength=4";
    let mut f = File::create(p).unwrap();
    assert_eq!(f.write_raw(b"1234").unwrap(), 4);
    assert!(f.write_raw(b"5").is_err());
}

#[test]
fn threads_on_different_files_and_one_shared_file() {
    vsi::mem::write_file("/vsimem/t_thr/shared", &vec![7u8; 1 << 20]).unwrap();
    let workers: Vec<_> = (0..4)
        .map(|t| {
            std::thread::spawn(move || {
                let own = format!("/vsimem/t_thr/own{t}");
                for round in 0..50u8 {
                    let data = vec![round ^ t as u8; 4096];
                    vsi::mem::write_file(&own, &data).unwrap();
                    assert_eq!(read_all(&own), data);
                    let shared = read_all("/vsimem/t_thr/shared");
                    assert!(shared.len() == 1 << 20 && shared.iter().all(|&b| b == 7));
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
}
