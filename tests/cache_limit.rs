//! The process-wide cap on all block caches together (its own binary: the
//! total is process-wide).

use vsi::io::block_cache::total_cached_bytes;
use vsi::{File, Whence};

#[test]
fn total_limit_bounds_many_caches_and_closing_gives_memory_back() {
    const CHUNK: usize = 4096;
    const FILES: usize = 50;
    vsi::config::set("VSIRS_CACHE_TOTAL_LIMIT", Some("64KB"));
    let data = vec![5u8; 64 * CHUNK];
    let mut open = Vec::new();
    for i in 0..FILES {
        let path = format!("/vsimem/t_limit/{i}.bin");
        vsi::mem::write_file(&path, &data).unwrap();
        let mut f = File::open(&path).unwrap().into_cached(CHUNK, 1 << 20).unwrap();
        let mut buf = vec![0u8; data.len()];
        f.seek_raw(0, Whence::Set).unwrap();
        assert_eq!(f.read_raw(&mut buf).unwrap(), data.len());
        assert_eq!(buf, data);
        // Each cache alone may hold 1 MiB; together they stay near 64 KiB,
        // each keeping at most one block beyond the limit.
        assert!(total_cached_bytes() <= 65536 + (open.len() as u64 + 1) * CHUNK as u64, "{}", total_cached_bytes());
        open.push(f);
    }
    drop(open);
    assert_eq!(total_cached_bytes(), 0, "closing every cached file frees every block");
    vsi::config::set("VSIRS_CACHE_TOTAL_LIMIT", None);
}
