//! Block caches: `VSI_CACHE` on local files, `/vsicached?`, and the Rust API.

use vsi::{File, Whence};

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

fn read_at(f: &mut File, offset: u64, len: usize) -> Vec<u8> {
    f.seek_raw(offset, Whence::Set).unwrap();
    let mut buf = vec![0u8; len];
    let n = f.read_raw(&mut buf).unwrap();
    buf.truncate(n);
    buf
}

#[test]
fn cached_reads_match_the_file_and_serve_from_the_cache() {
    let data = pattern(300_000);
    vsi::mem::write_file("/vsimem/t_cache/a.bin", &data).unwrap();
    let mut f = File::open("/vsimem/t_cache/a.bin").unwrap().into_cached(4096, 1 << 20).unwrap();
    // Reads of every shape and alignment return the file's bytes.
    let mut seed = 7u64;
    for _ in 0..500 {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let off = (seed >> 33) % 310_000;
        let len = ((seed >> 13) % 20_000) as usize;
        let got = read_at(&mut f, off, len);
        let start = (off as usize).min(data.len());
        let end = (start + len).min(data.len());
        assert_eq!(got, &data[start..end], "offset {off} len {len}");
    }
    // Overwrite the file underneath: cached blocks keep their old content,
    // which shows the reads above were served by the cache.
    vsi::mem::write_file("/vsimem/t_cache/a.bin", &vec![0u8; 300_000]).unwrap();
    assert_eq!(read_at(&mut f, 0, 100), &data[..100]);
    // Past the end: nothing, and EOF.
    assert!(read_at(&mut f, 300_000, 10).is_empty());
    assert!(f.eof());
    assert!(f.write_raw(b"x").is_err(), "cached files are read-only");
}

#[test]
fn vsicached_prefix_wraps_any_file_and_forwards_stat() {
    let data = pattern(100_000);
    vsi::mem::write_file("/vsimem/t_cache/b.bin", &data).unwrap();
    let path = "/vsicached?file=%2Fvsimem%2Ft_cache%2Fb.bin&chunk_size=1KB&cache_size=8KB";
    assert_eq!(vsi::stat(path).unwrap().size, 100_000);
    let mut f = File::open(path).unwrap();
    assert_eq!(read_at(&mut f, 50_000, 30_000), &data[50_000..80_000], "a read larger than the cache");
    assert_eq!(f.len().unwrap(), 100_000);
    assert!(File::open_with(path, "r+").is_err(), "only read-only access");
    assert!(File::open("/vsicached?chunk_size=1KB").is_err(), "file= is mandatory");
}

#[test]
fn vsi_cache_option_wraps_local_read_only_opens() {
    let dir = std::env::temp_dir().join(format!("vsi-cache-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("c.bin");
    let data = pattern(200_000);
    std::fs::write(&p, &data).unwrap();
    let p = p.to_str().unwrap().to_string();
    vsi::config::set_thread_local("VSI_CACHE", Some("YES"));
    let mut f = File::open(&p).unwrap();
    vsi::config::set_thread_local("VSI_CACHE", None);
    assert_eq!(read_at(&mut f, 1000, 5000), &data[1000..6000]);
    // A cached handle has no file descriptor of its own and keeps old bytes.
    assert!(f.native_fd().is_none());
    std::fs::write(&p, vec![1u8; 200_000]).unwrap();
    assert_eq!(read_at(&mut f, 1000, 10), &data[1000..1010]);
    // Without the option, opens are direct.
    let g = File::open(&p).unwrap();
    assert!(g.native_fd().is_some());
    std::fs::remove_dir_all(&dir).unwrap();
}
