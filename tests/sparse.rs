//! `/vsisparse/` through the safe API: assembly from regions of /vsimem/
//! and local files, holes, Length, 10 GB descriptions, chaining, and
//! hostile descriptions (bad numbers, not XML, regions referring to their
//! own description) that must fail cleanly and quickly.

use std::io::{Read, Seek, SeekFrom, Write};
use std::time::{Duration, Instant};

use vsi::{File, Whence};

fn put(path: &str, data: &[u8]) {
    let mut f = File::create(path).unwrap();
    f.write_all(data).unwrap();
    f.close().unwrap();
}

fn read_at(path: &str, offset: u64, n: usize) -> Vec<u8> {
    let mut f = File::open(path).unwrap();
    f.seek_raw(offset, Whence::Set).unwrap();
    let mut buf = vec![0xEEu8; n];
    let got = f.read_raw(&mut buf).unwrap();
    buf.truncate(got);
    buf
}

fn constant(dst: u64, len: u64, value: u8) -> String {
    format!(
        "<ConstantRegion><DestinationOffset>{dst}</DestinationOffset><RegionLength>{len}</RegionLength>\
         <Value>{value}</Value></ConstantRegion>"
    )
}

fn subfile(name: &str, relative: bool, dst: u64, src: u64, len: u64) -> String {
    format!(
        "<SubfileRegion><Filename relative=\"{}\">{name}</Filename><DestinationOffset>{dst}</DestinationOffset>\
         <SourceOffset>{src}</SourceOffset><RegionLength>{len}</RegionLength></SubfileRegion>",
        relative as i32
    )
}

#[test]
fn regions_holes_and_length_assemble_the_file() {
    put("/vsimem/sparse_a/data.bin", b"0123456789ABCDEFGHIJ");
    let xml = format!(
        "<VSISparseFile><Length>40</Length>{}{}{}</VSISparseFile>",
        subfile("data.bin", true, 10, 5, 8),
        constant(18, 4, 0xFF),
        subfile("/vsimem/sparse_a/data.bin", false, 30, 16, 4)
    );
    put("/vsimem/sparse_a/d.xml", xml.as_bytes());
    let p = "/vsisparse//vsimem/sparse_a/d.xml";
    let mut all = Vec::new();
    File::open(p).unwrap().read_to_end(&mut all).unwrap();
    let mut want = vec![0u8; 40];
    want[10..18].copy_from_slice(b"56789ABC");
    want[18..22].fill(0xFF);
    want[30..34].copy_from_slice(b"GHIJ");
    assert_eq!(all, want);
    // A read starting in a hole gets the regions after it (GDAL zero-fills).
    assert_eq!(read_at(p, 2, 20), want[2..22]);
    assert_eq!(read_at(p, 22, 12), want[22..34]);
    assert_eq!(vsi::stat(p).unwrap().size, 40);
    // EOF only past the end; seeks beyond it are allowed.
    let mut f = File::open(p).unwrap();
    f.seek(SeekFrom::Start(36)).unwrap();
    let mut buf = [0u8; 4];
    assert_eq!(f.read_raw(&mut buf).unwrap(), 4);
    assert!(!f.eof());
    assert_eq!(f.read_raw(&mut buf).unwrap(), 0);
    assert!(f.eof());
    assert_eq!(f.seek(SeekFrom::End(5)).unwrap(), 45);
    assert!(f.write_raw(b"x").is_err(), "sparse files are read-only");
    // Multi-range reads cross regions.
    let (mut a, mut b) = ([0u8; 4], [0u8; 6]);
    f.read_multi_range(&mut [(16, &mut a[..]), (28, &mut b[..])]).unwrap();
    assert_eq!((&a[..], &b[..]), (&want[16..20], &want[28..34]));
    assert!(f.read_multi_range(&mut [(38, &mut a[..])]).is_err());
    vsi::rmdir_recursive("/vsimem/sparse_a").unwrap();
}

#[test]
fn derived_length_overlaps_and_names_in_any_case() {
    put(
        "/vsimem/sparse_b/d.xml",
        b"<vsisparsefile><constantregion><destinationoffset>4</destinationoffset>\
          <regionlength>3</regionlength><value>65</value></constantregion>\
          <CONSTANTREGION DESTINATIONOFFSET=\"5\" REGIONLENGTH=\"5\" VALUE=\"66\"/></vsisparsefile>",
    );
    let p = "/vsisparse//vsimem/sparse_b/d.xml";
    assert_eq!(vsi::stat(p).unwrap().size, 10);
    assert_eq!(read_at(p, 0, 20), b"\0\0\0\0AAABBB");
    put(
        "/vsimem/sparse_b/cut.xml",
        format!("<Root><Length>6</Length>{}</Root>", constant(2, 10, 67)).as_bytes(),
    );
    assert_eq!(read_at("/vsisparse//vsimem/sparse_b/cut.xml", 0, 20), b"\0\0CCCC");
    vsi::rmdir_recursive("/vsimem/sparse_b").unwrap();
}

#[test]
fn ten_gb_description_costs_nothing() {
    let gib = 1u64 << 30;
    put("/vsimem/sparse_big/data.bin", b"0123456789");
    let xml = format!(
        "<VSISparseFile><Length>{}</Length>{}{}</VSISparseFile>",
        10 * gib,
        constant(5 * gib, 4, 90),
        subfile("data.bin", true, 9 * gib, 2, 8)
    );
    put("/vsimem/sparse_big/d.xml", xml.as_bytes());
    let p = "/vsisparse//vsimem/sparse_big/d.xml";
    let start = Instant::now();
    assert_eq!(vsi::stat(p).unwrap().size, 10 * gib);
    let mut f = File::open(p).unwrap();
    assert_eq!(f.seek(SeekFrom::End(0)).unwrap(), 10 * gib);
    assert_eq!(read_at(p, 5 * gib - 2, 8), b"\0\0ZZZZ\0\0");
    assert_eq!(read_at(p, 9 * gib - 1, 10), b"\x0023456789\0");
    assert_eq!(read_at(p, 10 * gib - 3, 8), b"\0\0\0");
    let w = format!("/vsisubfile/{},{p}", 9 * gib + 4);
    assert_eq!(vsi::stat(&w).unwrap().size, gib - 4);
    assert_eq!(read_at(&w, 0, 4), b"6789");
    assert!(start.elapsed() < Duration::from_secs(5));
    vsi::rmdir_recursive("/vsimem/sparse_big").unwrap();
}

#[test]
fn local_descriptions_and_chained_regions() {
    let dir = std::env::temp_dir().join(format!("vsi-sparse-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let d = dir.to_str().unwrap();
    std::fs::write(format!("{d}/abc.bin"), b"abcdefghijklmnopqrstuvwxyz").unwrap();
    put("/vsimem/sparse_c/data.bin", b"0123456789");
    let xml = format!(
        "<VSISparseFile>{}{}{}</VSISparseFile>",
        subfile("abc.bin", true, 0, 0, 3),
        subfile("/vsisubfile/4_3,/vsimem/sparse_c/data.bin", false, 3, 0, 3),
        subfile(&format!("/vsisubfile/20,{d}/abc.bin"), false, 6, 1, 2)
    );
    std::fs::write(format!("{d}/d.xml"), &xml).unwrap();
    let p = format!("/vsisparse/{d}/d.xml");
    assert_eq!(read_at(&p, 0, 16), b"abc456vw");
    let m = vsi::stat(&p).unwrap();
    assert_eq!(m.size, 8);
    assert_eq!(m.native.unwrap().st_size, 8);
    // The description itself inside a window of another file.
    let inner = "<VSISparseFile><Length>4</Length><ConstantRegion><RegionLength>2</RegionLength><Value>49</Value></ConstantRegion></VSISparseFile>";
    put("/vsimem/sparse_c/wrapped.bin", format!("JUNK{inner}JUNK").as_bytes());
    let p = format!("/vsisparse//vsisubfile/4_{},/vsimem/sparse_c/wrapped.bin", inner.len());
    assert_eq!(read_at(&p, 0, 8), b"11\0\0");
    std::fs::remove_dir_all(&dir).unwrap();
    vsi::rmdir_recursive("/vsimem/sparse_c").unwrap();
}

#[test]
fn refused_modes_and_path_operations() {
    put("/vsimem/sparse_d/d.xml", format!("<a>{}</a>", constant(0, 1, 1)).as_bytes());
    let p = "/vsisparse//vsimem/sparse_d/d.xml";
    assert!(File::open_with(p, "r").is_ok());
    assert!(File::open_with(p, "RB").is_ok());
    for mode in ["r+b", "rb+", "wb", "a"] {
        let e = File::open_with(p, mode).err().unwrap();
        assert_eq!(e.errno(), libc::EACCES, "{mode}");
    }
    assert_eq!(File::open("/vsisparse//vsimem/sparse_d/missing.xml").err().unwrap().errno(), libc::ENOENT);
    assert!(vsi::unlink(p).is_err());
    assert!(vsi::mkdir("/vsisparse//vsimem/sparse_d/x", 0o755).is_err());
    assert!(vsi::read_dir("/vsisparse//vsimem/sparse_d").is_err());
    assert!(vsi::exists("/vsimem/sparse_d/d.xml"));
    vsi::rmdir_recursive("/vsimem/sparse_d").unwrap();
}

#[test]
fn missing_and_short_region_files_set_the_error_flag() {
    put("/vsimem/sparse_e/data.bin", b"0123456789");
    let xml = format!(
        "<VSISparseFile><Length>16</Length>{}{}{}</VSISparseFile>",
        constant(0, 4, 67),
        subfile("nope.bin", true, 4, 0, 4),
        subfile("data.bin", true, 8, 6, 8)
    );
    put("/vsimem/sparse_e/d.xml", xml.as_bytes());
    let mut f = File::open("/vsisparse//vsimem/sparse_e/d.xml").unwrap();
    let mut buf = [0u8; 8];
    // Bytes before the missing file come back, with the error flag.
    f.seek_raw(2, Whence::Set).unwrap();
    assert_eq!(f.read_raw(&mut buf).unwrap(), 2);
    assert!(f.error() && !f.eof());
    assert_eq!(f.tell(), 4);
    let e = f.read_raw(&mut buf).unwrap_err();
    assert!(e.message().contains("cannot open region file /vsimem/sparse_e/nope.bin"), "{e}");
    f.clear_err();
    // The region runs past the end of its file: a short read.
    f.seek_raw(8, Whence::Set).unwrap();
    assert_eq!(f.read_raw(&mut buf).unwrap(), 4);
    assert_eq!(&buf[..4], b"6789");
    assert!(f.error() && !f.eof());
    vsi::rmdir_recursive("/vsimem/sparse_e").unwrap();
}

#[test]
fn hostile_descriptions_fail_with_a_clear_error() {
    let cases: [(&str, &str); 8] = [
        ("<a><Length>-1</Length></a>", "Length '-1'"),
        ("<a><Length>99999999999999999999999</Length></a>", "not an unsigned 64-bit number"),
        ("<a><ConstantRegion><DestinationOffset>-5</DestinationOffset></ConstantRegion></a>", "DestinationOffset '-5'"),
        ("<a><ConstantRegion><DestinationOffset>18446744073709551615</DestinationOffset><RegionLength>2</RegionLength></ConstantRegion></a>", "beyond 2^64"),
        ("<a><Length>5</Len>", "not a valid XML description"),
        ("0123456789", "not a valid XML description"),
        ("<!DOCTYPE a [<!ENTITY l \"lol\"><!ENTITY l2 \"&l;&l;&l;&l;\">]><a>&l2;</a>", "not a valid XML description"),
        ("", "empty /vsisparse/ description"),
    ];
    for (i, (xml, want)) in cases.iter().enumerate() {
        let path = format!("/vsimem/sparse_h/{i}.xml");
        put(&path, xml.as_bytes());
        let e = File::open(&format!("/vsisparse/{path}")).err().unwrap();
        assert!(e.message().contains(want), "{xml}: {e}");
        assert!(vsi::stat(&format!("/vsisparse/{path}")).is_err());
    }
    // The largest lengths work without wrapping around.
    put(
        "/vsimem/sparse_h/max.xml",
        format!("<a><Length>{}</Length>{}</a>", u64::MAX, constant(u64::MAX - 6, 5, 72)).as_bytes(),
    );
    let p = "/vsisparse//vsimem/sparse_h/max.xml";
    assert_eq!(read_at(p, u64::MAX - 16, 32), b"\0\0\0\0\0\0\0\0\0\0HHHHH\0");
    let mut f = File::open(p).unwrap();
    f.seek_raw(0, Whence::End).unwrap();
    assert_eq!(f.tell(), u64::MAX);
    let mut buf = [0u8; 4];
    assert_eq!(f.read_raw(&mut buf).unwrap(), 0);
    assert!(f.eof());
    vsi::rmdir_recursive("/vsimem/sparse_h").unwrap();
}

#[test]
fn a_region_referring_to_its_own_description_fails_quickly() {
    put(
        "/vsimem/sparse_self/s.xml",
        format!("<a><Length>8</Length>{}</a>", subfile("/vsisparse//vsimem/sparse_self/s.xml", false, 0, 0, 8))
            .as_bytes(),
    );
    let start = Instant::now();
    let mut f = File::open("/vsisparse//vsimem/sparse_self/s.xml").unwrap();
    let mut buf = [0u8; 8];
    let e = f.read_raw(&mut buf).unwrap_err();
    assert!(e.message().contains("more than 32 levels"), "{e}");
    assert!(f.error());
    // Through a relative name and a window: the same bound.
    put(
        "/vsimem/sparse_self/w.xml",
        format!("<a>{}</a>", subfile("/vsisubfile/0,/vsisparse//vsimem/sparse_self/w.xml", false, 0, 0, 8)).as_bytes(),
    );
    let mut f = File::open("/vsisparse//vsimem/sparse_self/w.xml").unwrap();
    assert!(f.read_raw(&mut buf).is_err());
    // A self reference that lands on a constant region terminates.
    put(
        "/vsimem/sparse_self/ok.xml",
        format!("<a>{}{}</a>", constant(0, 4, 68), subfile("/vsisparse//vsimem/sparse_self/ok.xml", false, 4, 1, 3))
            .as_bytes(),
    );
    assert_eq!(read_at("/vsisparse//vsimem/sparse_self/ok.xml", 0, 8), b"DDDDDDD");
    assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
    vsi::rmdir_recursive("/vsimem/sparse_self").unwrap();
}

#[test]
fn nested_opens_below_one_file_are_bounded() {
    // Every byte comes from another description under a different name
    // (a window of it), so each is opened anew: 1100 nested opens below one
    // file, more than the budget of 1024. A description referring to itself
    // under many spellings is stopped the same way.
    let k = 1100u64;
    put("/vsimem/sparse_many/n.xml", format!("<a>{}</a>", constant(0, 1, 7)).as_bytes());
    let mut xml = format!("<a><Length>{k}</Length>");
    for i in 0..k {
        let name = format!("/vsisubfile/0_{},/vsisparse//vsimem/sparse_many/n.xml", 100_000 + i);
        xml.push_str(&subfile(&name, false, i, 0, 1));
    }
    xml.push_str("</a>");
    put("/vsimem/sparse_many/m.xml", xml.as_bytes());
    let start = Instant::now();
    let mut f = File::open("/vsisparse//vsimem/sparse_many/m.xml").unwrap();
    let mut buf = vec![0u8; k as usize];
    let got = f.read_raw(&mut buf).unwrap();
    assert_eq!(got, 1024, "stopped by the budget");
    assert!(buf[..got].iter().all(|&b| b == 7));
    assert!(f.error());
    let e = f.read_raw(&mut buf).unwrap_err();
    assert!(e.message().contains("too many nested /vsisparse/ descriptions"), "{e}");
    assert!(start.elapsed() < Duration::from_secs(30), "{:?}", start.elapsed());
    drop(f);
    // A new open has a budget of its own.
    let mut f = File::open("/vsisparse//vsimem/sparse_many/m.xml").unwrap();
    f.seek_raw(1050, Whence::Set).unwrap();
    assert_eq!(f.read_raw(&mut buf[..50]).unwrap(), 50);
    drop(f);
    vsi::rmdir_recursive("/vsimem/sparse_many").unwrap();
}
