//! `/vsicurl_streaming/` against the test HTTP server: one GET per file read
//! sequentially, the first megabyte kept for seeks back, forward seeks by
//! skipping, sizes from HEAD, retries and faults. Every test counts requests.

mod common;

use common::http::TestServer;
use vsi::{File, StatFlags, Whence};

const MIB: usize = 1 << 20;

fn pattern(len: usize, seed: u32) -> Vec<u8> {
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

fn streaming(srv: &TestServer, path: &str) -> String {
    format!("/vsicurl_streaming/{}", srv.url(path))
}

/// Compares byte strings without printing megabytes when they differ.
#[track_caller]
fn same(got: impl AsRef<[u8]>, want: impl AsRef<[u8]>) {
    let (g, w) = (got.as_ref(), want.as_ref());
    let first = g.iter().zip(w).position(|(a, b)| a != b);
    assert!(g == w, "{} bytes read, {} expected, first difference at {first:?}", g.len(), w.len());
}

fn read_at(f: &mut File, offset: u64, len: usize) -> Vec<u8> {
    f.seek_raw(offset, Whence::Set).unwrap();
    let mut buf = vec![0u8; len];
    let n = f.read_raw(&mut buf).unwrap_or(0);
    buf.truncate(n);
    buf
}

/// Sets thread-local options for the test's thread, removed on drop.
struct Options(Vec<&'static str>);
impl Options {
    fn set(pairs: &[(&'static str, &str)]) -> Options {
        for (k, v) in pairs {
            vsi::config::set_thread_local(k, Some(v));
        }
        Options(pairs.iter().map(|(k, _)| *k).collect())
    }
}
impl Drop for Options {
    fn drop(&mut self) {
        for k in &self.0 {
            vsi::config::set_thread_local(k, None);
        }
    }
}

#[test]
fn sequential_read_is_one_get() {
    let srv = TestServer::start();
    let data = pattern(3 * MIB + 12345, 1);
    srv.write_file("big.bin", &data);
    let mut f = File::open(&streaming(&srv, "big.bin")).unwrap();
    let mut got = Vec::new();
    let mut buf = vec![0u8; 65536];
    loop {
        let n = f.read_raw(&mut buf).unwrap();
        got.extend_from_slice(&buf[..n]);
        if n < buf.len() {
            break;
        }
    }
    assert_eq!(got.len(), data.len());
    assert!(got == data, "bytes differ");
    assert!(f.eof() && !f.error());
    let st = srv.stats();
    assert_eq!((st.count, st.count_of("GET")), (1, 1), "{:?}", st.requests);
    assert_eq!(st.requests[0].range, None, "no Range header");
    assert_eq!(st.bytes, data.len() as u64);
}

#[test]
fn seeks_back_into_the_first_megabyte_cost_nothing() {
    let srv = TestServer::start();
    let data = pattern(3 * MIB, 2);
    srv.write_file("a.bin", &data);
    let mut f = File::open(&streaming(&srv, "a.bin")).unwrap();
    same(read_at(&mut f, 0, 1000), &data[..1000]);
    same(read_at(&mut f, 700_000, 500_000), &data[700_000..1_200_000]);
    // Back into the first megabyte: served from the copy kept.
    same(read_at(&mut f, 10, 100_000), &data[10..100_010]);
    same(read_at(&mut f, 1_000_000, 48_576), &data[1_000_000..MIB]);
    // Forward seek: skips in the same stream.
    same(read_at(&mut f, 2 * MIB as u64, 4096), &data[2 * MIB..2 * MIB + 4096]);
    assert_eq!(srv.stats().count, 1, "one GET so far");
    // Back past the first megabyte: the GET starts over.
    same(read_at(&mut f, MIB as u64 + 5, 4096), &data[MIB + 5..MIB + 5 + 4096]);
    let st = srv.stats();
    assert_eq!((st.count, st.count_of("GET")), (2, 2), "{:?}", st.requests);
}

#[test]
fn seek_end_uses_the_announced_size_or_a_head() {
    let srv = TestServer::start();
    let data = pattern(200_000, 3);
    srv.write_file("s.bin", &data);
    // Open reads the first byte, so the GET has announced the size.
    let mut f = File::open(&streaming(&srv, "s.bin")).unwrap();
    f.seek_raw(0, Whence::End).unwrap();
    assert_eq!(f.tell(), 200_000);
    same(read_at(&mut f, 199_990, 100), &data[199_990..]);
    assert!(f.eof());
    drop(f);
    assert_eq!(srv.stats().count, 1);
    // A stat asking for the size costs one HEAD, then nothing (cached).
    srv.write_file("t.bin", &data[..1234]);
    srv.reset();
    let path = streaming(&srv, "t.bin");
    assert_eq!(vsi::stat(&path).unwrap().size, 1234);
    assert_eq!(vsi::stat(&path).unwrap().size, 1234);
    let st = srv.stats();
    assert_eq!((st.count, st.count_of("HEAD")), (1, 1), "{:?}", st.requests);
    // VSICurlClearCache forgets it.
    vsi::net::clear_cache();
    assert_eq!(vsi::stat(&path).unwrap().size, 1234);
    assert_eq!(srv.stats().count_of("HEAD"), 2);
}

#[test]
fn stat_tells_files_directories_and_missing_names_apart() {
    let srv = TestServer::start();
    srv.write_file("d/x.bin", b"0123456789");
    let m = vsi::stat(&streaming(&srv, "d/x.bin")).unwrap();
    assert!(m.is_file() && m.size == 10);
    let m = vsi::stat(&streaming(&srv, "d")).unwrap();
    assert!(m.is_dir(), "a 301 to d/ means a directory");
    assert!(vsi::stat(&streaming(&srv, "d/missing.bin")).is_err());
    // Without the size flag, existence is learnt by reading the first byte.
    srv.write_file("d/y.bin", b"abc");
    srv.reset();
    vsi::stat_ex(&streaming(&srv, "d/y.bin"), StatFlags(StatFlags::EXISTS)).unwrap();
    assert_eq!(srv.stats().count_of("GET"), 1);
    assert!(vsi::read_dir(&streaming(&srv, "d")).unwrap_or_default().is_empty(), "no listing");
}

#[test]
fn missing_files_do_not_open_and_writes_are_refused() {
    let srv = TestServer::start();
    assert!(File::open(&streaming(&srv, "nope.bin")).is_err());
    let st = srv.stats();
    assert_eq!((st.count, st.requests[0].status), (1, 404));
    srv.write_file("r.bin", b"x");
    srv.reset();
    assert!(File::open_with(&streaming(&srv, "r.bin"), "wb").is_err());
    assert!(File::open_with(&streaming(&srv, "r.bin"), "r+b").is_err());
    assert_eq!(srv.stats().count, 0, "refused before any request");
}

#[test]
fn error_statuses_are_retried_when_asked() {
    let srv = TestServer::start();
    let data = pattern(100_000, 4);
    srv.write_file("r.bin", &data);
    srv.fault("status", &[("code", "503"), ("retry_after", "1"), ("count", "2")]);
    {
        let _o = Options::set(&[("GDAL_HTTP_MAX_RETRY", "3"), ("GDAL_HTTP_RETRY_DELAY", "0.01")]);
        let mut f = File::open(&streaming(&srv, "r.bin")).unwrap();
        same(read_at(&mut f, 0, 100_000), &data);
    }
    let st = srv.stats();
    let codes: Vec<u16> = st.requests.iter().map(|r| r.status).collect();
    assert_eq!(codes, [503, 503, 200]);
    // Without retries, a 429 fails the open with one request (another
    // name: existence, once known, is cached).
    srv.write_file("r2.bin", &data);
    srv.reset();
    srv.fault("status", &[("code", "429"), ("retry_after", "1")]);
    assert!(File::open(&streaming(&srv, "r2.bin")).is_err());
    assert_eq!(srv.stats().count, 1);
}

#[test]
fn a_connection_reset_mid_body_is_retried_from_the_offset() {
    let srv = TestServer::start();
    let data = pattern(2 * MIB, 5);
    srv.write_file("c.bin", &data);
    let _o = Options::set(&[("GDAL_HTTP_MAX_RETRY", "2"), ("GDAL_HTTP_RETRY_DELAY", "0.01")]);
    srv.fault("drop", &[("after", "1500000")]);
    let mut f = File::open(&streaming(&srv, "c.bin")).unwrap();
    same(read_at(&mut f, 0, 2 * MIB), &data);
    assert!(!f.error());
    let st = srv.stats();
    assert_eq!(st.count, 2, "{:?}", st.requests);
}

#[test]
fn a_truncated_body_sets_the_error_flag() {
    let srv = TestServer::start();
    let data = pattern(500_000, 6);
    srv.write_file("t.bin", &data);
    srv.fault("truncate", &[("after", "300000")]);
    let mut f = File::open(&streaming(&srv, "t.bin")).unwrap();
    let got = read_at(&mut f, 0, 500_000);
    same(&got, &data[..300_000]);
    assert!(f.error() && !f.eof());
    assert_eq!(srv.stats().count, 1, "transfer errors are not retried by default");
}

#[test]
fn redirects_auth_and_slow_bodies() {
    let srv = TestServer::start();
    let data = pattern(300_000, 7);
    srv.write_file("p/q.bin", &data);
    let mut f = File::open(&streaming(&srv, "redirect/p/q.bin")).unwrap();
    same(read_at(&mut f, 0, 300_000), &data);
    drop(f);
    let mut f = File::open(&streaming(&srv, "signed/p/q.bin?expires_in=60")).unwrap();
    same(read_at(&mut f, 100, 1000), &data[100..1100]);
    drop(f);
    assert!(File::open(&streaming(&srv, "auth/p/q.bin")).is_err(), "401 without credentials");
    {
        // Another URL: the failure above is remembered for its URL.
        let _o = Options::set(&[("GDAL_HTTP_USERPWD", "user:pass")]);
        let mut f = File::open(&streaming(&srv, "auth/p/../p/q.bin")).unwrap();
        same(read_at(&mut f, 0, 10), &data[..10]);
    }
    assert!(File::open(&streaming(&srv, "loop/0")).is_err(), "endless redirects end");
    srv.fault("slow", &[("rate", "400000")]);
    let mut f = File::open(&streaming(&srv, "p/q.bin")).unwrap();
    same(read_at(&mut f, 0, 300_000), &data);
}

#[test]
fn closing_mid_stream_stops_the_download() {
    let srv = TestServer::start();
    let data = pattern(8 * MIB, 8);
    srv.write_file("big.bin", &data);
    let mut f = File::open(&streaming(&srv, "big.bin")).unwrap();
    same(read_at(&mut f, 0, 100), &data[..100]);
    f.close().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let st = srv.stats();
    assert_eq!(st.count, 1);
    assert!(st.bytes < 4 * MIB as u64, "the transfer was abandoned ({} bytes sent)", st.bytes);
}

#[test]
fn multi_range_reads_go_through_the_stream() {
    let srv = TestServer::start();
    let data = pattern(1_500_000, 9);
    srv.write_file("m.bin", &data);
    let mut f = File::open(&streaming(&srv, "m.bin")).unwrap();
    let (mut a, mut b, mut c) = (vec![0u8; 100], vec![0u8; 5000], vec![0u8; 7]);
    f.read_multi_range(&mut [(10, &mut a[..]), (900_000, &mut b[..]), (1_400_000, &mut c[..])]).unwrap();
    assert_eq!((&a[..], &b[..], &c[..]), (&data[10..110], &data[900_000..905_000], &data[1_400_000..1_400_007]));
    assert_eq!(srv.stats().count, 1);
}

#[test]
fn bodies_without_length_or_with_a_wrong_one() {
    let srv = TestServer::start();
    let data = pattern(400_000, 10);
    srv.write_file("n.bin", &data);
    srv.write_file("l.bin", &data);
    // Chunked, no Content-Length: the size is known once the body ended.
    srv.fault("no_length", &[("method", "GET")]);
    let mut f = File::open(&streaming(&srv, "n.bin")).unwrap();
    same(read_at(&mut f, 0, 500_000), &data);
    f.seek_raw(0, Whence::End).unwrap();
    assert_eq!(f.tell(), 400_000);
    assert_eq!(srv.stats().count, 1, "no HEAD needed");
    // A Content-Length shorter than the file: the body stops there.
    srv.fault("lie_length", &[("delta", "-1000"), ("method", "GET")]);
    let mut f = File::open(&streaming(&srv, "l.bin")).unwrap();
    same(read_at(&mut f, 0, 500_000), &data[..399_000]);
    assert!(f.eof() && !f.error());
    // Longer than the file: the transfer ends early, an error.
    srv.write_file("m.bin", &data);
    srv.fault("lie_length", &[("delta", "1000"), ("method", "GET")]);
    let mut f = File::open(&streaming(&srv, "m.bin")).unwrap();
    same(read_at(&mut f, 0, 500_000), &data);
    assert!(f.error());
}
