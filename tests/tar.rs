//! `/vsitar/` reading through the safe API: ustar, GNU long names, pax
//! headers, `.tgz`, and damaged archives.

mod archive_util;

use std::io::{Read, Seek, SeekFrom};

use archive_util::*;

#[test]
fn reads_ustar_gnu_and_pax_names() {
    let mut t = Vec::new();
    tar_member(&mut t, b"a.txt", b"plain", b'0');
    tar_member(&mut t, b"dir/", b"", b'5');
    let long = format!("{}/long.txt", "L".repeat(150));
    let mut name = long.clone().into_bytes();
    name.push(0);
    tar_member(&mut t, b"././@LongLink", &name, b'L');
    tar_member(&mut t, b"LLLL", b"gnu", b'0');
    tar_member(&mut t, b"././@LongLink", b"target-name\0", b'K');
    tar_member(&mut t, b"link", b"", b'2');
    let pax_path = format!("{}/pax.txt", "P".repeat(120));
    let record = format!("path={pax_path}\n");
    let len = record.len() + 4; // "NNN " prefix with a 3-digit length
    let pax = format!("{len} {record}");
    tar_member(&mut t, b"PaxHeaders/x", pax.as_bytes(), b'x');
    tar_member(&mut t, b"truncated-name", b"pax data", b'0');
    t.extend_from_slice(&[0u8; 1024]);
    put("/vsimem/tartest/a.tar", &t);
    let all = vsi::read_dir_recursive("/vsitar//vsimem/tartest/a.tar").unwrap();
    assert!(all.contains(&"a.txt".to_string()) && all.contains(&"dir/".to_string()), "{all:?}");
    assert!(all.contains(&long) && all.contains(&pax_path) && all.contains(&"link".to_string()), "{all:?}");
    assert_eq!(all.len(), 7, "{all:?}");
    assert_eq!(read_all(&format!("/vsitar//vsimem/tartest/a.tar/{long}")).unwrap(), b"gnu");
    assert_eq!(read_all(&format!("/vsitar//vsimem/tartest/a.tar/{pax_path}")).unwrap(), b"pax data");
    let m = vsi::stat("/vsitar//vsimem/tartest/a.tar/a.txt").unwrap();
    assert_eq!((m.size, m.mtime), (5, 1_600_000_000));
    assert!(vsi::stat("/vsitar//vsimem/tartest/a.tar/dir").unwrap().is_dir());
    vsi::rmdir_recursive("/vsimem/tartest").unwrap();
}

#[test]
fn reads_gzipped_tars_with_random_access() {
    let text = lines(100_000);
    let t = tar(&[("small.txt", b"small"), ("big.txt", &text), ("after.txt", b"after")]);
    put("/vsimem/tgz/a.tgz", &gzip(&t));
    put("/vsimem/tgz/b.tar.gz", &gzip(&t));
    assert_eq!(vsi::read_dir("/vsitar//vsimem/tgz/a.tgz").unwrap(), ["small.txt", "big.txt", "after.txt"]);
    assert_eq!(read_all("/vsitar//vsimem/tgz/b.tar.gz/after.txt").unwrap(), b"after");
    let mut f = vsi::File::open("/vsitar//vsimem/tgz/a.tgz/big.txt").unwrap();
    let mut buf = [0u8; 13];
    for &line in &[90_000usize, 5, 50_000, 99_999] {
        f.seek(SeekFrom::Start(line as u64 * 13)).unwrap();
        f.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, format!("line {line:07}\n").as_bytes());
    }
    vsi::rmdir_recursive("/vsimem/tgz").unwrap();
}

#[test]
fn damaged_tars_fail_cleanly() {
    let t = tar(&[("a.txt", b"hello"), ("b.txt", &lines(300))]);
    for cut in (0..t.len()).step_by(101) {
        put("/vsimem/tarbad/t.tar", &t[..cut]);
        let _ = vsi::read_dir_recursive("/vsitar//vsimem/tarbad/t.tar");
        let _ = read_all("/vsitar//vsimem/tarbad/t.tar/b.txt");
    }
    let gz = gzip(&t);
    for cut in (0..gz.len()).step_by(13) {
        put("/vsimem/tarbad/t.tgz", &gz[..cut]);
        let _ = vsi::read_dir_recursive("/vsitar//vsimem/tarbad/t.tgz");
        let _ = read_all("/vsitar//vsimem/tarbad/t.tgz/b.txt");
    }
    // A size field that claims more than the archive holds: the member
    // reads short, nothing is allocated for the claim.
    let mut huge = Vec::new();
    tar_member(&mut huge, b"huge.bin", b"", b'0');
    huge[124..136].copy_from_slice(b"77777777777\0");
    put("/vsimem/tarbad/h.tar", &huge);
    assert_eq!(vsi::stat("/vsitar//vsimem/tarbad/h.tar/huge.bin").unwrap().size, 0o77777777777);
    assert!(read_all("/vsitar//vsimem/tarbad/h.tar/huge.bin").unwrap().is_empty());
    put("/vsimem/tarbad/g.tar", b"garbage");
    assert!(vsi::stat("/vsitar//vsimem/tarbad/g.tar").is_err());
    assert!(vsi::File::open_with("/vsitar//vsimem/tarbad/t.tar/a.txt", "r+").is_err());
    vsi::rmdir_recursive("/vsimem/tarbad").unwrap();
}
