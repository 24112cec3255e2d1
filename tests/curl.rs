//! `/vsicurl/` against the test HTTP server: what each operation costs in
//! requests and bytes, caching, listings, redirects, retries, faults.

mod common;

use std::io::{Read, Seek, SeekFrom};
use std::time::{Duration, Instant};

use common::http::TestServer;
use vsi::error::vsie;
use vsi::ErrorKind;

fn data(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2654435761).wrapping_add(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

fn curl(srv: &TestServer, path: &str) -> String {
    format!("/vsicurl/{}", srv.url(path))
}

fn read_at(f: &mut vsi::File, off: u64, len: usize) -> Vec<u8> {
    f.seek(SeekFrom::Start(off)).unwrap();
    let mut buf = vec![0u8; len];
    let n = f.read_raw(&mut buf).unwrap();
    buf.truncate(n);
    buf
}

/// The caches are the process's: tests that clear them, or stream a large
/// file through them, run alone, so tests that count cache hits are not
/// disturbed.
static CACHE_USE: std::sync::RwLock<()> = std::sync::RwLock::new(());

fn shared_cache() -> std::sync::RwLockReadGuard<'static, ()> {
    CACHE_USE.read().unwrap_or_else(|e| e.into_inner())
}

/// For tests that clear the caches or fill them.
fn alone() -> std::sync::RwLockWriteGuard<'static, ()> {
    CACHE_USE.write().unwrap_or_else(|e| e.into_inner())
}

/// Sets a config option for this test's thread only.
struct Opt(&'static str);
impl Opt {
    fn set(key: &'static str, value: &str) -> Opt {
        vsi::config::set_thread_local(key, Some(value));
        Opt(key)
    }
}
impl Drop for Opt {
    fn drop(&mut self) {
        vsi::config::set_thread_local(self.0, None);
    }
}

#[test]
fn dotted_name_opens_with_a_listing_and_reads_16k_with_one_get() {
    // Counts connections: no other test may use the pool meanwhile.
    let _cache = alone();
    let srv = TestServer::start();
    let bytes = data(100_000, 1);
    srv.write_file("d/a.bin", &bytes);
    let mut f = vsi::File::open(&curl(&srv, "d/a.bin")).unwrap();
    let s = srv.stats();
    assert_eq!((s.count, s.requests[0].method.as_str(), s.requests[0].path.as_str()), (1, "GET", "/d/"));
    assert!(read_at(&mut f, 0, 16384) == bytes[..16384]);
    let s = srv.stats();
    assert_eq!(s.count, 2, "{:?}", s.requests);
    assert_eq!(s.requests[1].range.as_deref(), Some("bytes=0-16383"));
    assert_eq!(s.connections, 1, "the listing's connection is reused");
    let log = vsi::fs::curl::request_log(&curl(&srv, "d/a.bin"));
    let causes: Vec<&str> = log.iter().map(|e| e.cause.as_str()).collect();
    assert_eq!(causes, ["list directory", "read"]);
    assert_eq!((log[1].status, log[1].bytes, log[1].range), (206, 16384, Some((0, 16383))));
}

#[test]
fn a_name_missing_from_the_listing_fails_without_touching_the_file() {
    let _cache = shared_cache();
    let srv = TestServer::start();
    srv.write_file("d/a.bin", b"x");
    let e = vsi::File::open(&curl(&srv, "d/missing.bin")).err().unwrap();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    let s = srv.stats();
    assert_eq!(s.count, 1);
    assert_eq!(s.requests[0].path, "/d/");
}

#[test]
fn undotted_name_opens_without_requests_then_grows_sequential_downloads() {
    let _cache = shared_cache();
    let srv = TestServer::start();
    let bytes = data(200_000, 2);
    srv.write_file("noext", &bytes);
    let mut f = vsi::File::open(&curl(&srv, "noext")).unwrap();
    assert_eq!(srv.stats().count, 0);
    let mut got = vec![0u8; 100];
    f.read_raw(&mut got).unwrap();
    f.seek(SeekFrom::Start(16384)).unwrap();
    f.read_raw(&mut got).unwrap();
    assert_eq!(got, &bytes[16384..16484]);
    let ranges: Vec<String> = srv.stats().requests.iter().filter_map(|r| r.range.clone()).collect();
    assert_eq!(ranges, ["bytes=0-16383", "bytes=16384-49151"], "GDAL doubles sequential downloads");
    let mut rest = Vec::new();
    f.seek(SeekFrom::Start(0)).unwrap();
    f.read_to_end(&mut rest).unwrap();
    assert_eq!(rest, bytes);
    assert!(f.eof());
}

#[test]
fn stat_probes_once_and_is_cached() {
    let _cache = alone();
    let srv = TestServer::start();
    srv.write_file("s.bin", &data(12345, 3));
    let _cache_only = vsi::stat_ex(&curl(&srv, "s.bin"), vsi::StatFlags(vsi::StatFlags::CACHE_ONLY)).unwrap_err();
    let m = vsi::stat(&curl(&srv, "s.bin")).unwrap();
    assert!(m.is_file());
    assert_eq!(m.size, 12345);
    assert!(m.mtime > 0);
    assert_eq!(srv.stats().count_of("HEAD"), 1);
    assert_eq!(vsi::stat(&curl(&srv, "s.bin")).unwrap().size, 12345);
    let cached = vsi::stat_ex(&curl(&srv, "s.bin"), vsi::StatFlags(vsi::StatFlags::CACHE_ONLY)).unwrap();
    assert_eq!(cached.size, 12345);
    assert_eq!(srv.stats().count, 1, "later stats come from the cache");
    assert!(vsi::stat(&curl(&srv, "nope.bin")).is_err());
    let dir = vsi::stat(&curl(&srv, "sub")).err();
    assert!(dir.is_some(), "no such directory");
    srv.mkdir("sub");
    vsi::net::clear_cache();
    assert!(vsi::stat(&curl(&srv, "sub")).unwrap().is_dir(), "a 301 to sub/ means a directory");
}

#[test]
fn handles_of_one_url_share_downloaded_blocks() {
    let _cache = shared_cache();
    let srv = TestServer::start();
    let bytes = data(300_000, 4);
    srv.write_file("shared", &bytes);
    let mut a = vsi::File::open(&curl(&srv, "shared")).unwrap();
    assert!(read_at(&mut a, 50_000, 40_000) == bytes[50_000..90_000]);
    let before = srv.stats().count;
    let mut b = vsi::File::open(&curl(&srv, "shared")).unwrap();
    assert!(read_at(&mut b, 60_000, 20_000) == bytes[60_000..80_000]);
    assert_eq!(srv.stats().count, before, "the second handle reads the first one's blocks");
}

#[test]
fn two_threads_reading_one_region_download_it_once() {
    let _cache = shared_cache();
    let srv = TestServer::start();
    let bytes = std::sync::Arc::new(data(1 << 20, 5));
    srv.write_file("t.bin", &bytes);
    vsi::stat(&curl(&srv, "t.bin")).unwrap();
    srv.reset();
    srv.set_latency(200);
    let path = curl(&srv, "t.bin");
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let path = path.clone();
            let bytes = bytes.clone();
            std::thread::spawn(move || {
                let mut f = vsi::File::open(&path).unwrap();
                assert!(read_at(&mut f, 100_000, 50_000) == bytes[100_000..150_000]);
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let s = srv.stats();
    assert_eq!(s.count_of("GET"), 1, "{:?}", s.requests);
}

#[test]
fn sequential_reads_keep_requests_in_flight_ahead() {
    let _cache = alone();
    let srv = TestServer::start_with(&["--latency-ms", "20"]);
    let bytes = data(24 << 20, 6);
    srv.write_file("big.bin", &bytes);
    let mut f = vsi::File::open(&curl(&srv, "big.bin")).unwrap();
    let start = Instant::now();
    let mut out = Vec::with_capacity(bytes.len());
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read_raw(&mut buf).unwrap();
        out.extend_from_slice(&buf[..n]);
        if n < buf.len() {
            break;
        }
    }
    let elapsed = start.elapsed();
    assert!(out == bytes, "bytes differ");
    let s = srv.stats();
    let gets = s.count_of("GET");
    // GDAL: 1 + 12 requests of up to 2 MiB, one at a time (>= 13 × 20 ms).
    assert!(gets <= 16, "{gets} GETs: {:?}", s.requests.iter().map(|r| r.range.clone()).collect::<Vec<_>>());
    let bytes_sent: u64 = s.requests.iter().map(|r| r.bytes).sum();
    assert!(bytes_sent <= bytes.len() as u64 + (1 << 20), "downloaded {bytes_sent}");
    eprintln!("24 MiB sequential: {elapsed:?}, {gets} GETs, {} connections", s.connections);
}

#[test]
fn random_reads_cost_one_request_each() {
    let _cache = shared_cache();
    let srv = TestServer::start();
    let bytes = data(8 << 20, 7);
    srv.write_file("r.bin", &bytes);
    let mut f = vsi::File::open(&curl(&srv, "r.bin")).unwrap();
    srv.reset();
    let mut x: u64 = 12345;
    for _ in 0..30 {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let off = (x >> 20) % (bytes.len() as u64 - 65536);
        assert!(read_at(&mut f, off, 65536) == bytes[off as usize..off as usize + 65536]);
    }
    assert!(srv.stats().count <= 30, "{}", srv.stats().count);
}

#[test]
fn multi_range_reads_run_in_parallel_and_merge_close_ranges() {
    let _cache = shared_cache();
    let srv = TestServer::start_with(&["--latency-ms", "150"]);
    let bytes = data(4 << 20, 8);
    srv.write_file("m.bin", &bytes);
    let mut f = vsi::File::open(&curl(&srv, "m.bin")).unwrap();
    srv.reset();
    let offsets: Vec<u64> = (0..64).map(|i| i * 60_000 + 7).collect();
    let mut bufs: Vec<Vec<u8>> = offsets.iter().map(|_| vec![0u8; 1000]).collect();
    let start = Instant::now();
    {
        let mut ranges: Vec<(u64, &mut [u8])> = offsets.iter().copied().zip(bufs.iter_mut().map(|b| &mut b[..])).collect();
        f.read_multi_range(&mut ranges).unwrap();
    }
    let elapsed = start.elapsed();
    for (off, b) in offsets.iter().zip(&bufs) {
        assert_eq!(b.as_slice(), &bytes[*off as usize..*off as usize + 1000]);
    }
    assert_eq!(srv.stats().count, 64);
    assert!(elapsed < Duration::from_millis(150 * 8), "64 ranges took {elapsed:?}");

    // Adjacent and close ranges go in one request.
    srv.reset();
    let mut a = [0u8; 100];
    let mut b = vec![0u8; 100];
    let mut c = vec![0u8; 100];
    f.read_multi_range(&mut [(3_000_000, &mut a[..]), (3_000_100, &mut b[..]), (3_001_000, &mut c[..])]).unwrap();
    assert_eq!(srv.stats().count, 1);
    assert_eq!(c.as_slice(), &bytes[3_001_000..3_001_100]);
    // Cached ranges cost nothing.
    srv.reset();
    let _ = read_at(&mut f, 0, 50_000);
    srv.reset();
    f.read_multi_range(&mut [(10, &mut a[..]), (20_000, &mut b[..])]).unwrap();
    assert_eq!(srv.stats().count, 0);
    assert_eq!(b.as_slice(), &bytes[20_000..20_100]);
}

#[test]
fn listings_of_every_server_style() {
    let _cache = shared_cache();
    let srv = TestServer::start();
    srv.write_file("dir/a.tif", &data(1000, 9));
    srv.write_file("dir/b c.txt", b"hello");
    srv.mkdir("dir/sub");
    for style in ["apache", "nginx", "iis", "ftp"] {
        let mut names = vsi::read_dir(&curl(&srv, &format!("{style}/dir"))).unwrap();
        names.sort();
        assert!(names.contains(&"a.tif".to_string()), "{style}: {names:?}");
        assert!(names.contains(&"sub".to_string()), "{style}: {names:?}");
        assert_eq!(names.len(), 3, "{style}: {names:?}");
    }
    // Entries listed are known without a request.
    srv.reset();
    let m = vsi::stat(&curl(&srv, "nginx/dir/a.tif")).unwrap();
    assert_eq!(m.size, 1000);
    assert_eq!(srv.stats().count, 0);
    let walk = vsi::read_dir_recursive(&curl(&srv, "nginx/dir")).unwrap();
    assert!(walk.contains(&"sub/".to_string()), "{walk:?}");
}

#[test]
fn listing_can_be_disabled() {
    let _cache = shared_cache();
    let srv = TestServer::start();
    srv.write_file("d/x.bin", b"abc");
    let _o = Opt::set("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR");
    let mut f = vsi::File::open(&curl(&srv, "d/x.bin")).unwrap();
    let s = srv.stats();
    assert_eq!((s.count, s.requests[0].method.as_str()), (1, "HEAD"));
    assert_eq!(read_at(&mut f, 0, 10), b"abc");
    let f2 = vsi::File::open(&format!("/vsicurl?list_dir=no&url={}", srv.url("d/x.bin")));
    assert!(f2.is_ok());
}

#[test]
fn redirects_are_followed_and_permanent_ones_remembered() {
    let _cache = shared_cache();
    let srv = TestServer::start();
    let bytes = data(50_000, 10);
    srv.write_file("target.bin", &bytes);
    let _o = Opt::set("GDAL_DISABLE_READDIR_ON_OPEN", "YES");
    let mut f = vsi::File::open(&curl(&srv, "redirect301/target.bin")).unwrap();
    assert!(read_at(&mut f, 1000, 1000) == bytes[1000..2000]);
    let to_redirect = srv.stats().requests.iter().filter(|r| r.path.starts_with("/redirect301/")).count();
    assert_eq!(to_redirect, 1, "after a 301 requests go to the target: {:?}", srv.stats().requests);
    let mut g = vsi::File::open(&curl(&srv, "redirect/target.bin")).unwrap();
    assert!(read_at(&mut g, 40_000, 100) == bytes[40_000..40_100]);
}

#[test]
fn signed_redirects_are_reused_while_valid() {
    let _cache = shared_cache();
    let srv = TestServer::start();
    let bytes = data(200_000, 11);
    srv.write_file("obj.bin", &bytes);
    let _o = Opt::set("GDAL_DISABLE_READDIR_ON_OPEN", "YES");
    let path = format!("/vsicurl/{}?method=GET", srv.url("signed/obj.bin"));
    let mut f = vsi::File::open(&path).unwrap();
    assert!(read_at(&mut f, 0, 100) == bytes[..100]);
    assert!(read_at(&mut f, 150_000, 100) == bytes[150_000..150_100]);
    let s = srv.stats();
    let via_signed = s.requests.iter().filter(|r| r.path.starts_with("/signed/")).count();
    // HEAD (403 on the signed URL) then GET through /signed/; later reads
    // go straight to the signed URL.
    assert!(via_signed <= 2, "{:?}", s.requests);
    assert!(s.requests.iter().any(|r| r.path.contains("Signature=") && r.range.is_some()), "{:?}", s.requests);
}

#[test]
fn endless_redirects_fail_quickly() {
    let _cache = shared_cache();
    let srv = TestServer::start();
    let _o = Opt::set("GDAL_DISABLE_READDIR_ON_OPEN", "YES");
    let start = Instant::now();
    let e = vsi::File::open_ex(&curl(&srv, "loop/0"), "rb", &[]).err().unwrap();
    assert!(start.elapsed() < Duration::from_secs(10));
    assert!(srv.stats().count <= 24, "{}", srv.stats().count);
    let _ = e;
}

#[test]
fn transient_errors_are_retried_as_configured() {
    let _cache = shared_cache();
    let srv = TestServer::start();
    let bytes = data(30_000, 12);
    srv.write_file("retry", &bytes);
    let _o1 = Opt::set("GDAL_HTTP_MAX_RETRY", "2");
    let _o2 = Opt::set("GDAL_HTTP_RETRY_DELAY", "0.01");
    let mut f = vsi::File::open(&curl(&srv, "retry")).unwrap();
    srv.fault("status", &[("code", "503"), ("count", "2")]);
    assert!(read_at(&mut f, 0, 100) == bytes[..100]);
    let statuses: Vec<u16> = srv.stats().requests.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 503, 206]);
    // 404 is not retried.
    srv.reset();
    let _ = vsi::stat(&curl(&srv, "absent"));
    assert_eq!(srv.stats().count, 1);
}

#[test]
fn faults_are_errors_never_wrong_data() {
    let _cache = alone();
    let srv = TestServer::start();
    let bytes = data(500_000, 13);
    srv.write_file("f.bin", &bytes);
    let _o = Opt::set("GDAL_DISABLE_READDIR_ON_OPEN", "YES");
    for (kind, params) in [
        ("drop", vec![("after", "1000"), ("method", "GET")]),
        ("truncate", vec![("after", "1000"), ("method", "GET")]),
        ("lie_length", vec![("delta", "500"), ("method", "GET")]),
        ("ignore_range", vec![("method", "GET")]),
        ("html_error", vec![("method", "GET")]),
    ] {
        vsi::net::clear_cache();
        let mut f = vsi::File::open(&curl(&srv, "f.bin")).unwrap();
        srv.fault(kind, &params);
        f.seek(SeekFrom::Start(100_000)).unwrap();
        let mut buf = vec![0u8; 20_000];
        match f.read_raw(&mut buf) {
            Ok(n) => assert!(n == 0 || buf[..n] == bytes[100_000..100_000 + n], "{kind}: wrong bytes"),
            Err(e) => assert!(!e.message().is_empty(), "{kind}"),
        }
        srv.clear();
        // The next read is right.
        vsi::net::clear_cache();
        let mut g = vsi::File::open(&curl(&srv, "f.bin")).unwrap();
        assert!(read_at(&mut g, 100_000, 1000) == bytes[100_000..101_000], "{kind}: after the fault");
    }
}

#[test]
fn a_server_that_ignores_ranges_is_refused() {
    let _cache = shared_cache();
    let srv = TestServer::start();
    let bytes = data(1 << 20, 14);
    srv.write_file("n.bin", &bytes);
    let mut f = vsi::File::open(&curl(&srv, "norange/n.bin")).unwrap();
    f.seek(SeekFrom::Start(500_000)).unwrap();
    let mut buf = vec![0u8; 100];
    let e = f.read_raw(&mut buf).unwrap_err();
    assert!(e.message().contains("Range downloading not supported"), "{e}");
    assert!(f.error());
}

#[test]
fn http_errors_name_the_url_and_status() {
    let _cache = shared_cache();
    let srv = TestServer::start();
    let _o = Opt::set("GDAL_DISABLE_READDIR_ON_OPEN", "YES");
    let path = curl(&srv, "missing.bin");
    let mut opts = vsi::vfs::OpenOptions::new("rb");
    opts.set_error = true;
    let e = vsi::vfs::handler_for(&path).open(&path, &opts).err().unwrap();
    assert_eq!(e.vsi_code(), vsie::HTTP_ERROR);
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(e.message().starts_with("HTTP response code: 404"), "{e}");
    assert!(e.message().contains(&srv.url("missing.bin")), "{e}");
    let e = vsi::stat_ex(&path, vsi::StatFlags(vsi::StatFlags::ALL.0 | vsi::StatFlags::SET_ERROR)).unwrap_err();
    assert_eq!(e.vsi_code(), vsie::HTTP_ERROR);
    assert!(vsi::File::open_with(&path, "wb").is_err());
}

#[test]
fn clear_cache_and_partial_clear_cache() {
    let _cache = alone();
    let srv = TestServer::start();
    srv.write_file("c/one", &data(1000, 15));
    srv.write_file("c/two", &data(1000, 16));
    let one = curl(&srv, "c/one");
    let two = curl(&srv, "c/two");
    vsi::stat(&one).unwrap();
    vsi::stat(&two).unwrap();
    srv.reset();
    vsi::net::partial_clear_cache(&one);
    vsi::stat(&one).unwrap();
    vsi::stat(&two).unwrap();
    assert_eq!(srv.stats().count, 1, "only the cleared file is asked again");
    vsi::net::clear_cache();
    vsi::stat(&two).unwrap();
    assert_eq!(srv.stats().count, 2);
}

#[test]
fn non_cached_files_are_forgotten_on_close() {
    let _cache = shared_cache();
    let srv = TestServer::start();
    srv.write_file("nc", b"version 1");
    let path = curl(&srv, "nc");
    let _o = Opt::set("CPL_VSIL_CURL_NON_CACHED", &format!("/vsicurl/{}", srv.base()));
    let mut f = vsi::File::open(&path).unwrap();
    assert_eq!(read_at(&mut f, 0, 100), b"version 1");
    f.close().unwrap();
    srv.write_file("nc", b"version 2!");
    let mut g = vsi::File::open(&path).unwrap();
    assert_eq!(read_at(&mut g, 0, 100), b"version 2!");
}

#[test]
fn connections_are_reused_across_requests_and_handles() {
    // Counts connections: no other test may use the pool meanwhile.
    let _cache = alone();
    let srv = TestServer::start();
    for i in 0..5 {
        srv.write_file(&format!("k{i}"), &data(40_000, i));
    }
    for i in 0..5 {
        let mut f = vsi::File::open(&curl(&srv, &format!("k{i}"))).unwrap();
        let _ = read_at(&mut f, 0, 100);
        let _ = read_at(&mut f, 30_000, 100);
    }
    let s = srv.stats();
    assert_eq!(s.count, 10);
    assert_eq!(s.connections, 1, "one keep-alive connection for all");
}

#[test]
fn file_urls_and_option_filenames() {
    let _cache = shared_cache();
    let dir = std::env::temp_dir().join(format!("vsicurl-file-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bytes = data(70_000, 17);
    std::fs::write(dir.join("local.bin"), &bytes).unwrap();
    let path = format!("/vsicurl/file://{}/local.bin", dir.display());
    assert_eq!(vsi::stat(&path).unwrap().size, 70_000);
    let mut f = vsi::File::open(&path).unwrap();
    let mut all = Vec::new();
    f.read_to_end(&mut all).unwrap();
    assert!(all == bytes);
    let encoded = format!("/vsicurl?use_head=no&url=file%3A%2F%2F{}%2Flocal.bin", dir.display().to_string().replace('/', "%2F"));
    let mut g = vsi::File::open(&encoded).unwrap();
    assert!(read_at(&mut g, 69_990, 100) == bytes[69_990..]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn network_statistics_as_gdal_reports_them() {
    let _cache = shared_cache();
    let srv = TestServer::start();
    srv.write_file("stats.bin", &data(40_000, 18));
    let _o = Opt::set("CPL_VSIL_NETWORK_STATS_ENABLED", "YES");
    vsi::net::stats::reset();
    let path = curl(&srv, "stats.bin");
    let mut f = vsi::File::open(&path).unwrap();
    let _ = read_at(&mut f, 0, 1000);
    let json = vsi::net::stats::as_json();
    let escaped = path.replace('/', "\\/");
    assert!(json.contains("\"handlers\":{\n    \"vsicurl\":{"), "{json}");
    assert!(json.contains(&format!("\"{escaped}\":{{")), "{json}");
    assert!(json.contains("\"Read\":{"), "{json}");
    assert!(json.contains("\"ReadDir\":{"), "{json}");
    vsi::net::stats::reset();
}

#[test]
fn timeouts_bound_a_silent_server() {
    let _cache = shared_cache();
    let srv = TestServer::start();
    srv.write_file("slow", &data(1000, 19));
    let _o = Opt::set("GDAL_HTTP_TIMEOUT", "0.5");
    srv.fault("delay", &[("ms", "5000")]);
    let start = Instant::now();
    let r = vsi::stat(&curl(&srv, "slow"));
    assert!(r.is_err());
    assert!(start.elapsed() < Duration::from_secs(3), "{:?}", start.elapsed());
}

#[test]
fn basic_authentication_from_config() {
    let _cache = alone();
    let srv = TestServer::start();
    srv.write_file("secret.bin", b"top secret");
    let path = curl(&srv, "auth/secret.bin");
    let _o = Opt::set("GDAL_DISABLE_READDIR_ON_OPEN", "YES");
    assert!(vsi::File::open(&path).is_err(), "401 without credentials");
    vsi::net::clear_cache();
    let _u = Opt::set("GDAL_HTTP_USERPWD", "user:pass");
    let mut f = vsi::File::open(&path).unwrap();
    assert_eq!(read_at(&mut f, 0, 100), b"top secret");
    let log = vsi::fs::curl::request_log(&path);
    assert!(log.iter().all(|e| !e.url.contains("pass")));
}

#[test]
fn head_fallbacks_to_get() {
    let _cache = shared_cache();
    let srv = TestServer::start();
    srv.write_file("h405", &data(5000, 20));
    srv.write_file("hnolen", &data(6000, 21));
    srv.fault("status", &[("code", "405"), ("method", "HEAD")]);
    assert_eq!(vsi::stat(&curl(&srv, "h405")).unwrap().size, 5000);
    let methods: Vec<String> = srv.stats().requests.iter().map(|r| r.method.clone()).collect();
    assert_eq!(methods, ["HEAD", "GET"], "405 on HEAD: GDAL asks again with GET");
    srv.reset();
    srv.fault("no_length", &[("method", "HEAD")]);
    assert_eq!(vsi::stat(&curl(&srv, "hnolen")).unwrap().size, 6000);
    let s = srv.stats();
    assert_eq!(s.count, 2, "{:?}", s.requests);
    assert_eq!(s.requests[1].range.as_deref(), Some("bytes=0-16383"), "accept-ranges: a ranged GET tells the size");
    srv.reset();
    let mut f = vsi::File::open(&curl(&srv, "hnolen")).unwrap();
    let mut all = Vec::new();
    f.read_to_end(&mut all).unwrap();
    assert!(all == data(6000, 21));
    assert_eq!(srv.stats().count, 0, "the probe's first bytes were cached");
}

#[test]
fn c_functions_for_statistics_and_the_request_log() {
    let _cache = shared_cache();
    use std::ffi::{CStr, CString};
    let srv = TestServer::start();
    srv.write_file("capi.bin", &data(20_000, 22));
    let path = curl(&srv, "capi.bin");
    let mut f = vsi::File::open(&path).unwrap();
    let _ = read_at(&mut f, 0, 10);
    let name = CString::new(path.clone()).unwrap();
    // SAFETY: the functions take valid C strings and return malloc'd text.
    unsafe {
        let p = vsi::capi::net::VSIRS_NetworkLogGetAsJSON(name.as_ptr());
        let text = CStr::from_ptr(p).to_str().unwrap().to_string();
        vsi::capi::strings::VSIFree(p.cast());
        assert!(text.starts_with("[\n  {\"method\":\"GET\""), "{text}");
        assert!(text.contains("\"cause\":\"list directory\""), "{text}");
        assert!(text.contains("\"range\":[0,16383],\"status\":206"), "{text}");
        vsi::capi::net::VSIRS_NetworkLogReset(name.as_ptr());
        let p = vsi::capi::net::VSIRS_NetworkLogGetAsJSON(name.as_ptr());
        assert_eq!(CStr::from_ptr(p).to_bytes(), b"[]");
        vsi::capi::strings::VSIFree(p.cast());
        let p = vsi::capi::net::VSINetworkStatsGetAsSerializedJSON(std::ptr::null_mut());
        assert!(CStr::from_ptr(p).to_bytes().starts_with(b"{\n  \"methods\":{"));
        vsi::capi::strings::VSIFree(p.cast());
        let prefix = CString::new(format!("/vsicurl/{}", srv.base())).unwrap();
        vsi::capi::net::VSICurlPartialClearCache(prefix.as_ptr());
    }
    srv.reset();
    let _ = read_at(&mut f, 0, 10);
    assert_eq!(srv.stats().count, 1, "the partial clear dropped the cached block");
}
