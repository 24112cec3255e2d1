//! The `/vsimem/` memory report must move exactly with what the files hold.
//! One test in its own binary: the figures are process-wide.

use vsi::File;

#[test]
fn stats_track_files_bytes_and_unlinked_open_exactly() {
    let base = vsi::mem::stats();
    vsi::mem::write_file("/vsimem/stats/a", &[1u8; 1000]).unwrap();
    let s = vsi::mem::stats();
    assert_eq!(s.files, base.files + 1);
    assert_eq!(s.bytes_used, base.bytes_used + 1000);
    assert!(s.bytes_allocated >= base.bytes_allocated + 1000);

    let f = File::open("/vsimem/stats/a").unwrap();
    vsi::unlink("/vsimem/stats/a").unwrap();
    let s = vsi::mem::stats();
    assert_eq!(s.unlinked_open, base.unlinked_open + 1);
    assert_eq!(s.files, base.files + 1, "the bytes live on in the handle");
    f.close().unwrap();
    assert_eq!(vsi::mem::stats(), base, "closing the last handle frees everything");

    // Replacing a file by name frees the old one at once when nothing holds it.
    vsi::mem::write_file("/vsimem/stats/b", &[0u8; 10]).unwrap();
    vsi::unlink("/vsimem/stats/b").unwrap();
    assert_eq!(vsi::mem::stats(), base);

    // Seizing hands the bytes over: /vsimem/ no longer counts them.
    vsi::mem::write_file("/vsimem/stats/c", &[0u8; 6 << 20]).unwrap();
    let seized = vsi::mem::seize("/vsimem/stats/c").unwrap();
    assert_eq!(seized.len(), 6 << 20);
    assert_eq!(vsi::mem::stats(), base);
    drop(seized);

    vsi::rmdir_recursive("/vsimem/stats").unwrap();
}
