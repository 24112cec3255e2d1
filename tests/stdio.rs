//! `/vsistdin/`, `/vsistdout/` and `/vsistdout_redirect/`.
//!
//! Most tests read a file through the `CPL_VSISTDIN_FILE` test hook. The
//! `child_*` tests do their work only when this binary re-runs itself with
//! a real standard input or output (see `run_child`); in a normal run they
//! return at once.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use vsi::error::cple;
use vsi::fs::stdio::set_stdout_redirection;
use vsi::{config, ErrorKind, File, Whence};

/// Standard input and the redirection are process-wide: one test at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

/// A file that `/vsistdin/` reads instead of standard input, from its start
/// at every open; the hook is undone on drop.
struct FakeStdin(PathBuf);

impl FakeStdin {
    fn new(data: &[u8]) -> FakeStdin {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("vsi-stdio-{}-{n}.bin", std::process::id()));
        std::fs::write(&path, data).unwrap();
        config::set("CPL_VSISTDIN_FILE", Some(path.to_str().unwrap()));
        config::set("CPL_VSISTDIN_RESET_POSITION", Some("YES"));
        config::set("CPL_VSISTDIN_FILE_CLOSE", Some("YES"));
        FakeStdin(path)
    }
}

impl Drop for FakeStdin {
    fn drop(&mut self) {
        for key in ["CPL_VSISTDIN_FILE", "CPL_VSISTDIN_RESET_POSITION", "CPL_VSISTDIN_FILE_CLOSE", "CPL_VSISTDIN_BUFFER_LIMIT"] {
            config::set(key, None);
        }
        let _ = std::fs::remove_file(&self.0);
    }
}

fn read_n(f: &mut File, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    let got = f.read_raw(&mut buf).unwrap();
    buf.truncate(got);
    buf
}

fn is_beyond_limit(e: &vsi::Error) -> bool {
    e.kind() == ErrorKind::Unsupported
        && e.cpl_number() == Some(cple::NOT_SUPPORTED)
        && e.message().starts_with("Backward Seek() unsupported on /vsistdin beyond maximum buffer limit")
}

#[test]
fn stdin_seeks_back_into_the_prefix_and_forward_by_reading() {
    let _g = serial();
    let data = pattern(3000);
    let _stdin = FakeStdin::new(&data);
    let mut f = File::open("/vsistdin/").unwrap();
    assert_eq!(read_n(&mut f, 10), &data[..10]);
    f.seek_raw(2, Whence::Set).unwrap();
    assert_eq!(read_n(&mut f, 4), &data[2..6]);
    f.seek_raw(2000, Whence::Set).unwrap();
    assert_eq!(f.tell(), 2000);
    assert_eq!(read_n(&mut f, 4), &data[2000..2004]);
    f.seek_raw(100, Whence::Set).unwrap();
    assert_eq!(read_n(&mut f, 4), &data[100..104]);
    f.seek_raw(0u64.wrapping_sub(10), Whence::Cur).unwrap();
    assert_eq!(f.tell(), 94);
    assert_eq!(read_n(&mut f, 6), &data[94..100]);
    // Past the end: the seek fails and leaves the handle at the end.
    let e = f.seek_raw(4000, Whence::Set).unwrap_err();
    assert!(e.cpl_number().is_none(), "GDAL raises no CPLError here: {e}");
    assert_eq!(f.tell(), 3000);
    assert!(f.write_raw(b"x").unwrap_err().cpl_number() == Some(cple::NOT_SUPPORTED));
    f.close().unwrap();
}

#[test]
fn stdin_seek_end_reads_everything_and_sets_eof_only_past_it() {
    let _g = serial();
    let data = pattern(5000);
    let _stdin = FakeStdin::new(&data);
    let mut f = File::open("/vsistdin/").unwrap();
    let e = f.seek_raw(5, Whence::End).unwrap_err();
    assert_eq!(e.message(), "Seek(xx != 0, SEEK_END) unsupported on /vsistdin");
    f.seek_raw(0, Whence::End).unwrap();
    assert_eq!(f.tell(), 5000);
    assert!(!f.eof());
    assert_eq!(read_n(&mut f, 4), b"");
    assert!(f.eof());
    f.seek_raw(4990, Whence::Set).unwrap();
    assert!(!f.eof());
    assert_eq!(read_n(&mut f, 10), &data[4990..]);
    assert!(!f.eof(), "reading exactly to the end does not set EOF");
    f.seek_raw(0, Whence::Set).unwrap();
    let mut all = Vec::new();
    f.read_to_end(&mut all).unwrap();
    assert_eq!(all, data);
    f.close().unwrap();
}

#[test]
fn stdin_stat_reports_the_size_only_when_asked() {
    let _g = serial();
    let data = pattern(3000);
    let _stdin = FakeStdin::new(&data);
    let m = vsi::stat_ex("/vsistdin/", vsi::StatFlags(vsi::StatFlags::EXISTS)).unwrap();
    assert!(m.is_file());
    assert_eq!(m.size, 0);
    let m = vsi::stat("/vsistdin/").unwrap();
    assert_eq!((m.mode, m.size), (libc::S_IFREG, 3000));
    assert!(vsi::stat("/vsistdin/name").is_err());
    assert!(vsi::stat("/vsistdin?a.b=1").is_err());
    assert_eq!(vsi::stat("/vsistdin?buffer_limit=10").unwrap().size, 3000);
}

#[test]
fn stdin_past_the_limit_only_the_dropped_bytes_are_out_of_reach() {
    let _g = serial();
    let data = pattern(3000);
    let _stdin = FakeStdin::new(&data);
    let mut f = File::open("/vsistdin?buffer_limit=1000").unwrap();
    assert_eq!(read_n(&mut f, 1500), &data[..1500]);
    f.seek_raw(500, Whence::Set).unwrap();
    assert_eq!(read_n(&mut f, 10), &data[500..510]);
    // 510..1110 crosses into 1000..1500, read and dropped.
    let mut buf = [0u8; 600];
    assert!(is_beyond_limit(&f.read_raw(&mut buf).unwrap_err()));
    assert!(!f.error(), "GDAL does not set the error flag for this");
    assert_eq!(f.tell(), 510);
    assert!(is_beyond_limit(&f.seek_raw(1200, Whence::Set).unwrap_err()));
    assert_eq!(read_n(&mut f, 490), &data[510..1000]);
    // Forward moves still work (GDAL 3.6 refuses them once past the limit).
    f.seek_raw(1500, Whence::Set).unwrap();
    f.seek_raw(0, Whence::Cur).unwrap();
    f.seek_raw(2500, Whence::Set).unwrap();
    assert_eq!(read_n(&mut f, 4), &data[2500..2504]);
    f.seek_raw(999, Whence::Set).unwrap();
    assert_eq!(read_n(&mut f, 1), &data[999..1000]);
    f.close().unwrap();

    config::set("CPL_VSISTDIN_BUFFER_LIMIT", Some("100"));
    let mut f = File::open("/vsistdin/").unwrap();
    assert_eq!(read_n(&mut f, 150).len(), 150);
    f.seek_raw(50, Whence::Set).unwrap();
    assert!(is_beyond_limit(&f.read_raw(&mut [0u8; 60]).unwrap_err()));
    f.close().unwrap();
}

#[test]
fn stdin_buffer_limit_only_grows() {
    let _g = serial();
    let data = pattern(3000);
    let _stdin = FakeStdin::new(&data);
    let a = File::open("/vsistdin?buffer_limit=200").unwrap();
    config::set("CPL_VSISTDIN_RESET_POSITION", Some("NO"));
    config::set("CPL_VSISTDIN_FILE_CLOSE", Some("NO"));
    let mut b = File::open("/vsistdin?buffer_limit=10").unwrap();
    assert_eq!(read_n(&mut b, 300).len(), 300);
    b.seek_raw(150, Whence::Set).unwrap();
    assert_eq!(read_n(&mut b, 4), &data[150..154]);
    // Handles share the prefix and the stream: `a` reads what `b` kept.
    let mut a = a;
    assert_eq!(read_n(&mut a, 8), &data[..8]);
    config::set("CPL_VSISTDIN_FILE_CLOSE", Some("YES"));
    a.close().unwrap();
    b.close().unwrap();
}

#[test]
fn stdin_reset_position_starts_the_file_over() {
    let _g = serial();
    let data = pattern(300);
    let _stdin = FakeStdin::new(&data);
    // Without CPL_VSISTDIN_FILE_CLOSE the file stays open between handles;
    // a reset must still read it from its start (GDAL 3.6 would not).
    config::set("CPL_VSISTDIN_FILE_CLOSE", Some("NO"));
    for _ in 0..2 {
        let mut f = File::open("/vsistdin/").unwrap();
        assert_eq!(read_n(&mut f, 300), data);
        f.close().unwrap();
    }
    config::set("CPL_VSISTDIN_FILE_CLOSE", Some("YES"));
    File::open("/vsistdin/").unwrap().close().unwrap();
}

#[test]
fn stdin_names_modes_and_the_allow_switch() {
    let _g = serial();
    let _stdin = FakeStdin::new(b"abc");
    for bad in ["/vsistdin/foo", "/vsistdin?x.y=1", "/vsistdin"] {
        let e = File::open(bad).err().unwrap();
        assert!(e.cpl_number().is_none(), "{bad}: refused silently, as GDAL");
    }
    for ok in ["/vsistdin?buffer_limit=5MB", "/vsistdin/?buffer%5Flimit=-1", "/vsistdin?foo=bar"] {
        File::open(ok).unwrap().close().unwrap();
    }
    for mode in ["wb", "r+b", "w+"] {
        let e = File::open_with("/vsistdin/", mode).err().unwrap();
        assert_eq!(e.message(), "Write or update mode not supported on /vsistdin");
        assert_eq!(e.cpl_number(), Some(cple::NOT_SUPPORTED));
    }
    File::open_with("/vsistdin/", "ab").unwrap().close().unwrap();

    config::set("CPL_ALLOW_VSISTDIN", Some("NO"));
    let e = File::open("/vsistdin/").err().unwrap();
    assert_eq!(e.cpl_number(), Some(cple::NOT_SUPPORTED));
    assert!(e.message().contains("CPL_ALLOW_VSISTDIN"));
    assert!(vsi::stat("/vsistdin/").is_err());
    config::set("CPL_ALLOW_VSISTDIN", None);
    File::open("/vsistdin/").unwrap().close().unwrap();
}

#[test]
fn stdin_empty_input_is_an_empty_file() {
    let _g = serial();
    let _stdin = FakeStdin::new(b"");
    let mut f = File::open("/vsistdin/").unwrap();
    assert_eq!(read_n(&mut f, 10), b"");
    assert!(f.eof());
    assert!(!f.error());
    f.seek_raw(0, Whence::End).unwrap();
    assert_eq!(f.tell(), 0);
    f.close().unwrap();
    assert_eq!(vsi::stat("/vsistdin/").unwrap().size, 0);
    assert_eq!(vsi::ingest(None, Some("/vsistdin/"), None).unwrap(), b"");
}

#[test]
fn stdin_unreadable_input_sets_the_error_flag_with_a_message() {
    let _g = serial();
    let dir = std::env::temp_dir();
    config::set("CPL_VSISTDIN_FILE", Some(dir.to_str().unwrap()));
    config::set("CPL_VSISTDIN_FILE_CLOSE", Some("YES"));
    let mut f = File::open("/vsistdin/").unwrap();
    let e = f.read_raw(&mut [0u8; 10]).unwrap_err();
    assert!(e.message().starts_with("Cannot read /vsistdin/"), "{e}");
    assert!(e.message().ends_with("Is a directory"), "{e}");
    assert!(f.error());
    assert!(!f.eof());
    f.clear_err();
    assert!(!f.error());
    f.close().unwrap();
    config::set("CPL_VSISTDIN_FILE", Some("/nonexistent/vsi-stdin"));
    assert_eq!(File::open("/vsistdin/").err().unwrap().kind(), ErrorKind::NotFound);
    config::set("CPL_VSISTDIN_FILE", None);
    config::set("CPL_VSISTDIN_FILE_CLOSE", None);
}

#[test]
fn copy_file_from_stdin_keeps_everything_past_the_limit() {
    let _g = serial();
    let data = pattern(3 << 20);
    let _stdin = FakeStdin::new(&data);
    vsi::copy_file("/vsistdin/", "/vsimem/stdio/copy.bin", None).unwrap();
    assert!(*vsi::mem::seize("/vsimem/stdio/copy.bin").unwrap() == *data);
    vsi::rmdir_recursive("/vsimem/stdio").unwrap();
}

#[test]
fn ingest_reads_any_stdin_name_as_a_stream() {
    let _g = serial();
    let data = pattern(3000);
    let _stdin = FakeStdin::new(&data);
    assert_eq!(vsi::ingest(None, Some("/vsistdin?buffer_limit=100"), None).unwrap(), data);
    let e = vsi::ingest(None, Some("/vsistdin/"), Some(2999)).unwrap_err();
    assert_eq!(e.message(), "Input file too large to be opened");
}

/// A writer shared with the test, to see what `/vsistdout/` wrote.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>, Arc<Mutex<usize>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        *self.1.lock().unwrap() += 1;
        Ok(())
    }
}

#[test]
fn stdout_counts_bytes_and_allows_only_seeks_that_stay_put() {
    let _g = serial();
    let cap = Captured::default();
    set_stdout_redirection(Some(Box::new(cap.clone())));
    let mut f = File::create("/vsistdout/").unwrap();
    f.write_all(b"hello ").unwrap();
    assert_eq!(f.tell(), 6);
    f.write_all(b"world").unwrap();
    assert_eq!(f.tell(), 11);
    f.seek_raw(0, Whence::Cur).unwrap();
    f.seek_raw(0, Whence::End).unwrap();
    f.seek_raw(11, Whence::Set).unwrap();
    for (off, whence) in [(0, Whence::Set), (1, Whence::Cur), (1, Whence::End), (12, Whence::Set)] {
        let e = f.seek_raw(off, whence).unwrap_err();
        assert_eq!((e.message(), e.cpl_number()), ("Seek() unsupported on /vsistdout", Some(cple::NOT_SUPPORTED)));
    }
    let e = f.read_raw(&mut [0u8; 4]).unwrap_err();
    assert_eq!(e.message(), "Read() unsupported on /vsistdout");
    assert!(f.error());
    assert!(!f.eof());
    f.flush_raw().unwrap();
    f.close().unwrap();
    assert_eq!(cap.0.lock().unwrap().as_slice(), b"hello world");
    assert_eq!(*cap.1.lock().unwrap(), 2, "one flush, one close");

    assert!(vsi::stat("/vsistdout/").is_err());
    for mode in ["rb", "r+", "w+"] {
        let e = File::open_with("/vsistdout/", mode).err().unwrap();
        assert_eq!(e.message(), "Read or update mode not supported on /vsistdout");
    }
    set_stdout_redirection(None);
}

#[test]
fn stdout_redirection_applies_to_open_handles() {
    let _g = serial();
    let (first, second) = (Captured::default(), Captured::default());
    set_stdout_redirection(Some(Box::new(first.clone())));
    let mut f = File::create("/vsistdout/").unwrap();
    f.write_all(b"one,").unwrap();
    set_stdout_redirection(Some(Box::new(second.clone())));
    f.write_all(b"two").unwrap();
    f.close().unwrap();
    set_stdout_redirection(None);
    assert_eq!(first.0.lock().unwrap().as_slice(), b"one,");
    assert_eq!(second.0.lock().unwrap().as_slice(), b"two");
}

#[test]
fn stdout_a_writer_that_writes_nothing_is_an_error() {
    struct Refuse;
    impl Write for Refuse {
        fn write(&mut self, _buf: &[u8]) -> std::io::Result<usize> {
            Ok(0)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Err(std::io::Error::from_raw_os_error(libc::EPIPE))
        }
    }
    let _g = serial();
    set_stdout_redirection(Some(Box::new(Refuse)));
    let mut f = File::create("/vsistdout/").unwrap();
    assert!(f.write_raw(b"abc").is_err());
    assert_eq!(f.tell(), 0);
    let e = f.close().unwrap_err();
    assert_eq!(e.message(), "Cannot flush /vsistdout/: Broken pipe");
    set_stdout_redirection(None);
}

#[test]
fn stdout_redirect_writes_another_file_and_refuses_every_seek() {
    let _g = serial();
    let mut f = File::create("/vsistdout_redirect//vsimem/stdio_redirect/out.txt").unwrap();
    f.write_all(b"first ").unwrap();
    assert_eq!(f.tell(), 6);
    f.write_all(b"second").unwrap();
    let e = f.seek_raw(0, Whence::Cur).unwrap_err();
    assert_eq!(e.message(), "Seek() unsupported on /vsistdout_redirect");
    assert!(f.read_raw(&mut [0u8; 1]).is_err());
    assert!(f.error());
    f.close().unwrap();
    assert_eq!(&*vsi::mem::seize("/vsimem/stdio_redirect/out.txt").unwrap(), b"first second");
    assert!(vsi::stat("/vsistdout_redirect//vsimem/stdio_redirect/out.txt").is_err());
    assert!(File::open_with("/vsistdout_redirect//vsimem/stdio_redirect/out.txt", "rb").is_err());
    let _ = vsi::rmdir_recursive("/vsimem/stdio_redirect");
}

// ---------------------------------------------------------------------------
// Real standard streams: this binary re-run with one `child_*` test.

const CHILD_ENV: &str = "VSI_STDIO_TEST_CHILD";

/// True in the child process started for `name`.
fn in_child(name: &str) -> bool {
    std::env::var(CHILD_ENV).is_ok_and(|v| v == name)
}

/// Runs the test `name` of this binary in a child process with `stdin` as
/// its standard input and `stdout` as its standard output.
fn run_child(name: &str, stdin: Stdio, stdout: Stdio, input: Option<Vec<u8>>) -> Output {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, name)
        .stdin(stdin)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let writer = input.map(|data| {
        let mut pipe = child.stdin.take().unwrap();
        // The child may stop reading early: a broken pipe is fine.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&data);
        })
    });
    let out = child.wait_with_output().unwrap();
    if let Some(w) = writer {
        w.join().unwrap();
    }
    assert!(
        out.status.success(),
        "child {name} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn real_stdin_prefix_limit_and_forward_seeks() {
    run_child("child_real_stdin_prefix_limit_and_forward_seeks", Stdio::piped(), Stdio::null(), Some(pattern(3000)));
}

#[test]
fn child_real_stdin_prefix_limit_and_forward_seeks() {
    if !in_child("child_real_stdin_prefix_limit_and_forward_seeks") {
        return;
    }
    let data = pattern(3000);
    let mut f = File::open("/vsistdin?buffer_limit=1000").unwrap();
    assert_eq!(read_n(&mut f, 1500), &data[..1500]);
    f.seek_raw(500, Whence::Set).unwrap();
    assert_eq!(read_n(&mut f, 10), &data[500..510]);
    assert!(is_beyond_limit(&f.read_raw(&mut [0u8; 600]).unwrap_err()));
    assert!(is_beyond_limit(&f.seek_raw(1200, Whence::Set).unwrap_err()));
    f.seek_raw(2500, Whence::Set).unwrap();
    assert_eq!(read_n(&mut f, 4), &data[2500..2504]);
    f.seek_raw(0, Whence::End).unwrap();
    assert_eq!(f.tell(), 3000);
    assert_eq!(vsi::stat("/vsistdin/").unwrap().size, 3000);
    f.seek_raw(10, Whence::Set).unwrap();
    assert_eq!(read_n(&mut f, 5), &data[10..15]);
    f.close().unwrap();
}

#[test]
fn real_stdin_stat_then_read_within_the_prefix() {
    run_child("child_real_stdin_stat_then_read_within_the_prefix", Stdio::piped(), Stdio::null(), Some(pattern(5000)));
}

#[test]
fn child_real_stdin_stat_then_read_within_the_prefix() {
    if !in_child("child_real_stdin_stat_then_read_within_the_prefix") {
        return;
    }
    assert_eq!(vsi::stat("/vsistdin/").unwrap().size, 5000);
    let mut all = Vec::new();
    File::open("/vsistdin/").unwrap().read_to_end(&mut all).unwrap();
    assert_eq!(all, pattern(5000));
}

#[test]
fn real_stdin_empty() {
    run_child("child_real_stdin_empty", Stdio::null(), Stdio::null(), None);
}

#[test]
fn child_real_stdin_empty() {
    if !in_child("child_real_stdin_empty") {
        return;
    }
    let mut f = File::open("/vsistdin/").unwrap();
    assert_eq!(read_n(&mut f, 10), b"");
    assert!(f.eof() && !f.error());
    f.close().unwrap();
    assert_eq!(vsi::stat("/vsistdin/").unwrap().size, 0);
}

#[test]
fn real_stdin_closed() {
    run_child("child_real_stdin_closed", Stdio::null(), Stdio::null(), None);
}

#[test]
fn child_real_stdin_closed() {
    if !in_child("child_real_stdin_closed") {
        return;
    }
    // Closed here, not by the parent: Rust's runtime would reopen it on
    // /dev/null at start-up.
    // SAFETY: nothing else in this process uses descriptor 0.
    unsafe { libc::close(0) };
    let mut f = File::open("/vsistdin/").unwrap();
    let e = f.read_raw(&mut [0u8; 10]).unwrap_err();
    assert_eq!(e.message(), "Cannot read /vsistdin/ (standard input): Bad file descriptor");
    assert!(f.error());
    f.close().unwrap();
}

#[test]
fn real_stdout_default_goes_to_c_stdout() {
    let out = run_child("child_real_stdout_default_goes_to_c_stdout", Stdio::null(), Stdio::piped(), None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("<through /vsistdout/>"), "{text}");
}

#[test]
fn child_real_stdout_default_goes_to_c_stdout() {
    if !in_child("child_real_stdout_default_goes_to_c_stdout") {
        return;
    }
    let mut f = File::create("/vsistdout/").unwrap();
    f.write_all(b"<through /vsistdout/>\n").unwrap();
    assert_eq!(f.tell(), 22);
    f.close().unwrap();
}

#[test]
fn real_stdout_unwritable() {
    // A descriptor open for reading only: every write fails with EBADF.
    let stdout = std::fs::File::open("/dev/null").unwrap();
    run_child("child_real_stdout_unwritable", Stdio::null(), Stdio::from(stdout), None);
}

#[test]
fn child_real_stdout_unwritable() {
    if !in_child("child_real_stdout_unwritable") {
        return;
    }
    let mut f = File::create("/vsistdout/").unwrap();
    // stdio buffers small writes; the error shows by the close at the latest.
    let big = vec![b'x'; 1 << 16];
    let wrote = f.write_raw(&big);
    let closed = f.close();
    let e = wrote.err().or(closed.err()).expect("writing to an unwritable stdout must fail");
    assert!(e.message().ends_with("Bad file descriptor"), "{e}");
}

#[test]
fn real_stdout_broken_pipe() {
    run_child("child_real_stdout_broken_pipe", Stdio::null(), Stdio::null(), None);
}

#[test]
fn child_real_stdout_broken_pipe() {
    use std::os::fd::AsRawFd;
    if !in_child("child_real_stdout_broken_pipe") {
        return;
    }
    // Standard output becomes a pipe nobody reads, for this test only (the
    // test harness prints to it afterwards). SIGPIPE is ignored in Rust
    // programs, so writes fail with EPIPE.
    let (reader, writer) = pipe();
    drop(reader);
    // SAFETY: plain descriptor juggling on descriptors this test owns.
    let saved = unsafe { libc::dup(1) };
    assert!(saved >= 0);
    assert_eq!(unsafe { libc::dup2(writer.as_raw_fd(), 1) }, 1);
    let mut f = File::create("/vsistdout/").unwrap();
    let big = vec![b'x'; 1 << 16];
    let wrote = f.write_raw(&big);
    let closed = f.close();
    // SAFETY: as above.
    unsafe {
        libc::dup2(saved, 1);
        libc::close(saved);
    }
    let e = wrote.err().or(closed.err()).expect("writing to a closed pipe must fail");
    assert!(e.message().ends_with("Broken pipe"), "{e}");
}

/// A pipe as two `std::fs::File`s (read end, write end).
fn pipe() -> (std::fs::File, std::fs::File) {
    use std::os::fd::FromRawFd;
    let mut fds = [0; 2];
    // SAFETY: fds has room for the two descriptors pipe() returns.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    // SAFETY: both descriptors were just created and are owned here.
    unsafe { (std::fs::File::from_raw_fd(fds[0]), std::fs::File::from_raw_fd(fds[1])) }
}
