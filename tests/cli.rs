//! Tests of the `vsi` command line tool, run as a separate process.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

const BIN: &str = env!("CARGO_BIN_EXE_vsi");

/// 2000-02-29T00:00:00Z: a leap day, to check the date conversion.
const T0: u64 = 951_782_400;
const T0_TEXT: &str = "2000-02-29T00:00:00Z";

/// A unique directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().subsec_nanos();
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("vsi-cli-{tag}-{}-{n}-{nanos}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn path(&self) -> &Path {
        &self.0
    }
    /// `rel` under the directory, as a string argument.
    fn p(&self, rel: &str) -> String {
        self.0.join(rel).to_str().unwrap().to_string()
    }
    fn write(&self, rel: &str, data: impl AsRef<[u8]>) {
        let path = self.0.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, data).unwrap();
    }
    fn read(&self, rel: &str) -> Vec<u8> {
        fs::read(self.0.join(rel)).unwrap()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl std::fmt::Debug for Out {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

fn run_full(cwd: Option<&Path>, args: &[&str], stdin: Option<&[u8]>) -> (i32, Vec<u8>, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let mut child = cmd.spawn().expect("run vsi");
    if let Some(data) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(data).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    (out.status.code().expect("exit code"), out.stdout, String::from_utf8(out.stderr).unwrap())
}

fn run_in(cwd: &Path, args: &[&str]) -> Out {
    let (code, stdout, stderr) = run_full(Some(cwd), args, None);
    Out { code, stdout: String::from_utf8(stdout).unwrap(), stderr }
}

fn run(args: &[&str]) -> Out {
    let (code, stdout, stderr) = run_full(None, args, None);
    Out { code, stdout: String::from_utf8(stdout).unwrap(), stderr }
}

/// Runs `vsi script -` with `script` on standard input.
fn script_in(cwd: &Path, script: &str) -> Out {
    let (code, stdout, stderr) = run_full(Some(cwd), &["script", "-"], Some(script.as_bytes()));
    Out { code, stdout: String::from_utf8(stdout).unwrap(), stderr }
}

#[track_caller]
fn ok(out: &Out) {
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stderr, "", "{out:?}");
}

fn set_mtime(path: &Path, secs: u64) {
    let f = fs::File::open(path).unwrap();
    f.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(secs)).unwrap();
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

/// Replaces ISO-8601 UTC times (`YYYY-MM-DDTHH:MM:SSZ`) with that pattern.
fn mask_times(s: &str) -> String {
    const PAT: &[u8] = b"dddd-dd-ddTdd:dd:ddZ";
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        let is_time = b.len() - i >= PAT.len()
            && PAT.iter().zip(&b[i..]).all(|(p, c)| if *p == b'd' { c.is_ascii_digit() } else { p == c });
        if is_time {
            out.push_str("YYYY-MM-DDTHH:MM:SSZ");
            i += PAT.len();
        } else {
            let ch = s[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// A small tree: a.txt (5 bytes), b.bin (3), sub/c.csv (10), sub/deep/d (0).
fn sample_tree(t: &TempDir) -> String {
    t.write("tree/b.bin", [0u8, 1, 2]);
    t.write("tree/a.txt", "hello");
    t.write("tree/sub/c.csv", "x,y\n1,2\n3\n");
    t.write("tree/sub/deep/d", "");
    for f in ["tree/a.txt", "tree/b.bin", "tree/sub/c.csv", "tree/sub/deep/d"] {
        set_mtime(&t.path().join(f), T0);
    }
    t.p("tree")
}

// ---------------------------------------------------------------------------
// usage errors

#[test]
fn usage_errors_exit_2() {
    for args in [&[][..], &["frobnicate"], &["ls", "--bogus"], &["cp", "only-one"], &["cat"], &["script"]] {
        let out = run(args);
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(out.stderr.contains("error:") || out.stderr.contains("Usage:"), "{out:?}");
        assert_eq!(out.stdout, "");
    }
    let help = run(&["--help"]);
    ok(&help);
    assert!(help.stdout.contains("script"), "{help:?}");
}

// ---------------------------------------------------------------------------
// ls

#[test]
fn ls_short_sorted_and_skips_dots() {
    let t = TempDir::new("ls");
    let tree = sample_tree(&t);
    let out = run(&["ls", &tree]);
    ok(&out);
    assert_eq!(out.stdout, "a.txt\nb.bin\nsub\n");
}

#[test]
fn ls_long_format() {
    let t = TempDir::new("lsl");
    let tree = sample_tree(&t);
    let out = run(&["ls", "-l", &tree]);
    ok(&out);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{out:?}");
    // Sizes are right-aligned to the widest of the listing (the local
    // directory's size has a file-system-dependent width).
    let width = lines[2].split_whitespace().nth(1).unwrap().len();
    assert_eq!(lines[0], format!("- {:>width$} {T0_TEXT} a.txt", 5));
    assert_eq!(lines[1], format!("- {:>width$} {T0_TEXT} b.bin", 3));
    assert!(lines[2].starts_with("d ") && lines[2].ends_with(" sub"), "{out:?}");
}

#[test]
fn ls_recursive() {
    let t = TempDir::new("lsr");
    let tree = sample_tree(&t);
    let out = run(&["ls", "-R", &tree]);
    ok(&out);
    assert_eq!(out.stdout, "a.txt\nb.bin\nsub/\nsub/c.csv\nsub/deep/\nsub/deep/d\n");

    let out = run(&["ls", "-l", "-R", &tree]);
    ok(&out);
    let names: Vec<&str> = out.stdout.lines().map(|l| l.rsplit(' ').next().unwrap()).collect();
    assert_eq!(names, ["a.txt", "b.bin", "sub", "sub/c.csv", "sub/deep", "sub/deep/d"]);
    let types: String = out.stdout.lines().map(|l| l.chars().next().unwrap()).collect();
    assert_eq!(types, "--d-d-");
    let c = out.stdout.lines().find(|l| l.ends_with(" sub/c.csv")).unwrap();
    assert_eq!(c.split_whitespace().collect::<Vec<_>>(), ["-", "10", T0_TEXT, "sub/c.csv"]);
}

#[test]
fn ls_file_operand_and_several_operands() {
    let t = TempDir::new("lsf");
    let tree = sample_tree(&t);
    let file = t.p("tree/a.txt");
    let out = run(&["ls", &file]);
    ok(&out);
    assert_eq!(out.stdout, format!("{file}\n"));

    let out = run(&["ls", "-l", &file]);
    ok(&out);
    assert_eq!(out.stdout, format!("- 5 {T0_TEXT} {file}\n"));

    // Files first, then each directory under a header.
    let sub = t.p("tree/sub");
    let out = run(&["ls", &sub, &file, &tree]);
    ok(&out);
    assert_eq!(out.stdout, format!("{file}\n\n{sub}:\nc.csv\ndeep\n\n{tree}:\na.txt\nb.bin\nsub\n"));
}

#[test]
fn ls_default_is_current_directory() {
    let t = TempDir::new("lsdot");
    sample_tree(&t);
    let out = run_in(&t.path().join("tree"), &["ls"]);
    ok(&out);
    assert_eq!(out.stdout, "a.txt\nb.bin\nsub\n");
}

#[test]
fn ls_missing_path_reports_and_continues() {
    let t = TempDir::new("lsmiss");
    sample_tree(&t);
    let missing = t.p("nope");
    let out = run(&["ls", &missing, &t.p("tree/sub")]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.stderr, format!("vsi: ls: {missing}: No such file or directory\n"));
    assert_eq!(out.stdout, format!("{}:\nc.csv\ndeep\n", t.p("tree/sub")));
}

// ---------------------------------------------------------------------------
// stat

#[test]
fn stat_file_and_directory() {
    let t = TempDir::new("stat");
    sample_tree(&t);
    let file = t.p("tree/a.txt");
    set_mode(Path::new(&file), 0o640);
    let out = run(&["stat", &file]);
    ok(&out);
    assert_eq!(out.stdout, format!("file: {file}\ntype: regular file\nsize: 5\nmtime: {T0_TEXT}\nmode: 100640\n"));

    let dir = t.p("tree/sub");
    set_mode(Path::new(&dir), 0o750);
    let out = run(&["stat", &file, &dir]);
    ok(&out);
    let second = out.stdout.split("\n\n").nth(1).expect("blank line between paths");
    let lines: Vec<&str> = second.lines().collect();
    assert_eq!(lines[0], format!("file: {dir}"));
    assert_eq!(lines[1], "type: directory");
    assert_eq!(lines[4], "mode: 040750");
}

#[test]
fn stat_missing() {
    let out = run(&["stat", "/vsimem/not/there"]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, "vsi: stat: /vsimem/not/there: No such file or directory\n");
}

// ---------------------------------------------------------------------------
// cat

#[test]
fn cat_concatenates() {
    let t = TempDir::new("cat");
    sample_tree(&t);
    let out = run(&["cat", &t.p("tree/a.txt"), &t.p("tree/sub/c.csv"), &t.p("tree/sub/deep/d")]);
    ok(&out);
    assert_eq!(out.stdout, "hellox,y\n1,2\n3\n");
}

#[test]
fn cat_large_binary_file() {
    let t = TempDir::new("catbig");
    // 3 MiB + a bit: several chunks and a partial one.
    let data: Vec<u8> = (0..(3 << 20) + 12345u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    t.write("big.bin", &data);
    let (code, stdout, stderr) = run_full(None, &["cat", &t.p("big.bin")], None);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert!(stdout == data, "cat output differs ({} vs {} bytes)", stdout.len(), data.len());
}

#[test]
fn cat_errors() {
    let t = TempDir::new("caterr");
    sample_tree(&t);
    let (missing, dir, good) = (t.p("missing.txt"), t.p("tree/sub"), t.p("tree/a.txt"));
    let out = run(&["cat", &missing, &dir, &good]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(
        out.stderr,
        format!("vsi: cat: {missing}: No such file or directory\nvsi: cat: {dir}: Is a directory\n")
    );
    // The remaining operand is still printed.
    assert_eq!(out.stdout, "hello");
}

// ---------------------------------------------------------------------------
// cp

#[test]
fn cp_file_to_file_and_into_directory() {
    let t = TempDir::new("cp");
    sample_tree(&t);
    ok(&run(&["cp", &t.p("tree/a.txt"), &t.p("copy.txt")]));
    assert_eq!(t.read("copy.txt"), b"hello");

    // Overwrites an existing file.
    t.write("copy.txt", "something longer than hello");
    ok(&run(&["cp", &t.p("tree/b.bin"), &t.p("copy.txt")]));
    assert_eq!(t.read("copy.txt"), [0, 1, 2]);

    // Into an existing directory, several sources.
    fs::create_dir(t.path().join("dest")).unwrap();
    ok(&run(&["cp", &t.p("tree/a.txt"), &t.p("tree/sub/c.csv"), &t.p("dest")]));
    assert_eq!(t.read("dest/a.txt"), b"hello");
    assert_eq!(t.read("dest/c.csv"), b"x,y\n1,2\n3\n");

    // "DST/" is a directory, created with its parents.
    ok(&run(&["cp", &t.p("tree/a.txt"), &format!("{}/", t.p("new/deeper"))]));
    assert_eq!(t.read("new/deeper/a.txt"), b"hello");
}

#[test]
fn cp_recursive() {
    let t = TempDir::new("cpr");
    let tree = sample_tree(&t);
    // To a new name: the copy is that directory.
    ok(&run(&["cp", "-r", &tree, &t.p("copy")]));
    assert_eq!(t.read("copy/a.txt"), b"hello");
    assert_eq!(t.read("copy/sub/c.csv"), b"x,y\n1,2\n3\n");
    assert_eq!(t.read("copy/sub/deep/d"), b"");
    // Into an existing directory: DST/basename.
    ok(&run(&["cp", "-r", &tree, &t.p("copy")]));
    assert_eq!(t.read("copy/tree/sub/c.csv"), b"x,y\n1,2\n3\n");
    let listing = run(&["ls", "-R", &t.p("copy/tree")]);
    assert_eq!(listing.stdout, "a.txt\nb.bin\nsub/\nsub/c.csv\nsub/deep/\nsub/deep/d\n");
}

#[test]
fn cp_errors() {
    let t = TempDir::new("cperr");
    let tree = sample_tree(&t);
    let file = t.p("tree/a.txt");

    let out = run(&["cp", &tree, &t.p("x")]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr, format!("vsi: cp: {tree}: is a directory (not copied; use -r)\n"));

    let missing = t.p("missing");
    let out = run(&["cp", &missing, &t.p("x")]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr, format!("vsi: cp: {missing}: No such file or directory\n"));

    // Copying a file onto itself must not destroy it.
    let out = run(&["cp", &file, &file]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr, format!("vsi: cp: {file}: '{file}' and '{file}' are the same file\n"));
    assert_eq!(t.read("tree/a.txt"), b"hello");
    let out = run(&["cp", &file, &tree]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("are the same file"), "{out:?}");
    assert_eq!(t.read("tree/a.txt"), b"hello");

    // Several sources need a directory.
    let out = run(&["cp", &file, &file, &t.p("plain")]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr, format!("vsi: cp: {}: target is not a directory (several sources given)\n", t.p("plain")));

    // A directory into itself.
    let inside = t.p("tree/sub/again");
    let out = run(&["cp", "-r", &tree, &inside]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.starts_with(&format!("vsi: cp: {tree}: cannot copy a directory into itself")), "{out:?}");
    assert!(!Path::new(&inside).exists());

    // Target directory missing.
    let target = t.p("no/such/dir/f");
    let out = run(&["cp", &file, &target]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr, format!("vsi: cp: {target}: No such file or directory\n"));
}

// ---------------------------------------------------------------------------
// rm and mkdir

#[test]
fn rm_files_and_trees() {
    let t = TempDir::new("rm");
    let tree = sample_tree(&t);
    let file = t.p("tree/a.txt");
    ok(&run(&["rm", &file]));
    assert!(!Path::new(&file).exists());

    let out = run(&["rm", &file]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr, format!("vsi: rm: {file}: No such file or directory\n"));
    ok(&run(&["rm", "-f", &file]));

    let out = run(&["rm", &tree]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr, format!("vsi: rm: {tree}: Is a directory\n"));
    assert!(Path::new(&tree).exists());

    ok(&run(&["rm", "-r", &tree]));
    assert!(!Path::new(&tree).exists());

    let out = run_in(t.path(), &["rm", "-r", "."]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr, "vsi: rm: .: refusing to remove '.' or '..'\n");
}

#[test]
fn rm_recursive_does_not_follow_symlinks() {
    let t = TempDir::new("rmlink");
    t.write("victim/precious.txt", "keep me");
    t.write("tree/own.txt", "x");
    std::os::unix::fs::symlink(t.path().join("victim"), t.path().join("tree/link")).unwrap();
    std::os::unix::fs::symlink(t.path().join("victim"), t.path().join("dirlink")).unwrap();
    ok(&run(&["rm", "-r", &t.p("tree")]));
    assert!(!t.path().join("tree").exists());
    ok(&run(&["rm", "-r", &t.p("dirlink")]));
    assert!(fs::symlink_metadata(t.path().join("dirlink")).is_err());
    assert_eq!(t.read("victim/precious.txt"), b"keep me");
}

#[test]
fn mkdir_plain_and_parents() {
    let t = TempDir::new("mkdir");
    let d = t.p("d");
    ok(&run(&["mkdir", &d]));
    assert!(Path::new(&d).is_dir());

    let out = run(&["mkdir", &d]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr, format!("vsi: mkdir: {d}: File exists\n"));

    let deep = t.p("a/b/c");
    let out = run(&["mkdir", &deep]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr, format!("vsi: mkdir: {deep}: No such file or directory\n"));

    ok(&run(&["mkdir", "-p", &deep, &d]));
    assert!(Path::new(&deep).is_dir());
    // Relative, with a trailing slash.
    ok(&run_in(t.path(), &["mkdir", "-p", "rel/x/y/"]));
    assert!(t.path().join("rel/x/y").is_dir());

    t.write("file", "");
    let out = run(&["mkdir", "-p", &t.p("file")]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr, format!("vsi: mkdir: {}: File exists\n", t.p("file")));
}

// ---------------------------------------------------------------------------
// script mode with /vsimem/

#[test]
fn script_roundtrip_through_vsimem() {
    let t = TempDir::new("script");
    sample_tree(&t);
    let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    t.write("tree/big.bin", &big);
    let script = r#"
        # comment line, then a blank one

        cp -r tree /vsimem/s/            # trailing comment
        ls -R /vsimem/s
        stat /vsimem/s/tree/a.txt
        cat /vsimem/s/tree/a.txt "/vsimem/s/tree/sub/c.csv"
        mkdir /vsimem/s/empty
        mkdir -p /vsimem/s/p/q/
        cp /vsimem/s/tree/big.bin "out dir/"
        cp -r /vsimem/s/tree back
        rm -r /vsimem/s/tree
        rm -r /vsimem/s/empty
        ls -l -R /vsimem/
        echo done
    "#;
    let out = script_in(t.path(), script);
    ok(&out);
    let expected = "\
tree/
tree/a.txt
tree/b.bin
tree/big.bin
tree/sub/
tree/sub/c.csv
tree/sub/deep/
tree/sub/deep/d
file: /vsimem/s/tree/a.txt
type: regular file
size: 5
mtime: YYYY-MM-DDTHH:MM:SSZ
mode: 100000
hellox,y
1,2
3
d 0 YYYY-MM-DDTHH:MM:SSZ s
d 0 YYYY-MM-DDTHH:MM:SSZ s/p
d 0 YYYY-MM-DDTHH:MM:SSZ s/p/q
done
";
    assert_eq!(mask_times(&out.stdout), expected);
    assert_eq!(t.read("out dir/big.bin"), big);
    assert_eq!(t.read("back/sub/c.csv"), b"x,y\n1,2\n3\n");
    assert_eq!(t.read("back/sub/deep/d"), b"");
    assert_eq!(t.read("back/b.bin"), [0, 1, 2]);
}

#[test]
fn vsimem_does_not_outlive_the_process() {
    let t = TempDir::new("gone");
    let out = script_in(t.path(), "mkdir /vsimem/kept\nls /vsimem/\n");
    ok(&out);
    assert_eq!(out.stdout, "kept\n");
    let out = run(&["ls", "/vsimem/kept"]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr, "vsi: ls: /vsimem/kept: No such file or directory\n");
}

#[test]
fn script_stops_at_first_failure() {
    let t = TempDir::new("stop");
    let script = "echo one\ncat /vsimem/missing.txt\necho two\n";
    let out = script_in(t.path(), script);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout, "one\n");
    assert_eq!(
        out.stderr,
        "vsi: cat: /vsimem/missing.txt: No such file or directory\n\
         vsi: script: <stdin>:2: stopped at the first failure\n"
    );
}

#[test]
fn script_usage_errors_exit_2() {
    let t = TempDir::new("susage");
    let out = script_in(t.path(), "echo one\nls --bogus\necho two\n");
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(out.stdout, "one\n");
    assert!(out.stderr.starts_with("vsi: script: <stdin>:2: unexpected argument '--bogus'"), "{out:?}");

    let out = script_in(t.path(), "echo \"never closed\n");
    assert_eq!(out.code, 2);
    assert_eq!(out.stderr, "vsi: script: <stdin>:1: unterminated double quote\n");

    let out = script_in(t.path(), "frobnicate x\n");
    assert_eq!(out.code, 2);
    assert!(out.stderr.starts_with("vsi: script: <stdin>:1: unrecognized subcommand 'frobnicate'"), "{out:?}");
}

#[test]
fn script_from_file_quoting_and_nesting() {
    let t = TempDir::new("sfile");
    t.write("my data/a b.txt", "spaced");
    t.write("inner.vsi", "cat '/vsimem/q/a b.txt'\n");
    t.write(
        "outer.vsi",
        "cp \"my data/a b.txt\" /vsimem/q/\necho \"quoted \\\"word\\\"\" 'single # not a comment' back\\ slash\nscript inner.vsi\n",
    );
    let out = run_in(t.path(), &["script", "outer.vsi"]);
    ok(&out);
    assert_eq!(out.stdout, "quoted \"word\" single # not a comment back slash\nspaced");

    // A script can itself live in /vsimem/ (written by an earlier line).
    t.write(
        "writer.vsi",
        "cp inner.vsi /vsimem/inner.vsi\ncp \"my data/a b.txt\" /vsimem/q/\nscript /vsimem/inner.vsi\n",
    );
    let out = run_in(t.path(), &["script", "writer.vsi"]);
    ok(&out);
    assert_eq!(out.stdout, "spaced");

    let out = run_in(t.path(), &["script", "missing.vsi"]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr, "vsi: script: missing.vsi: No such file or directory\n");
}

#[test]
fn script_recursion_is_bounded() {
    let t = TempDir::new("srec");
    t.write("self.vsi", "script self.vsi\n");
    let out = run_in(t.path(), &["script", "self.vsi"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.starts_with("vsi: script: self.vsi: scripts nested too deeply\n"), "{out:?}");
}

#[test]
fn vsimem_errors_in_script() {
    let t = TempDir::new("memerr");
    let out = script_in(t.path(), "mkdir /vsimem/a/b\n");
    assert_eq!(out.code, 1);
    assert!(out.stderr.starts_with("vsi: mkdir: /vsimem/a/b: No such file or directory\n"), "{out:?}");

    let out = script_in(t.path(), "mkdir /vsimem/d\nrm /vsimem/d\nrm /vsimem/d\n");
    assert_eq!(out.code, 1);
    assert!(out.stderr.starts_with("vsi: rm: /vsimem/d: Is a directory\n"), "{out:?}");

    let out = script_in(t.path(), "cp -r /vsimem/ /vsimem/inside\n");
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("cannot copy a directory into itself"), "{out:?}");
}

// ---------------------------------------------------------------------------
// the bundled demo

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn bundled_demo_script() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Run from a private copy of the repository's examples/ so that the
    // demo's local output directory (target/vsi-demo) is ours alone.
    let t = TempDir::new("demo");
    copy_dir(&repo.join("examples"), &t.path().join("examples"));
    let out = run_in(t.path(), &["script", "examples/demo.vsi"]);
    ok(&out);
    let expected = fs::read_to_string(repo.join("examples/demo.out")).unwrap();
    assert_eq!(mask_times(&out.stdout), expected);
    // What was copied back out matches the originals.
    assert_eq!(t.read("target/vsi-demo/data/readme.txt"), t.read("examples/data/readme.txt"));
    assert_eq!(t.read("target/vsi-demo/points-copy.csv"), t.read("examples/data/sub/points.csv"));
    // Running it again gives the same output (it clears its output first).
    let again = run_in(t.path(), &["script", "examples/demo.vsi"]);
    ok(&again);
    assert_eq!(mask_times(&again.stdout), expected);
}

#[test]
fn mask_times_helper() {
    assert_eq!(mask_times("a 2024-01-02T03:04:05Z b"), "a YYYY-MM-DDTHH:MM:SSZ b");
    assert_eq!(mask_times("2024-01-02 x é"), "2024-01-02 x é");
}

/// Runs `vsi script -` with the exit report on; returns (status, stderr).
fn script_with_exit_report(script: &str) -> (i32, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(["script", "-"]).env("VSIRS_MEM_REPORT_AT_EXIT", "YES");
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    child.stdin.take().unwrap().write_all(script.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn exit_report_names_vsimem_files_never_unlinked() {
    let data = std::env::temp_dir().join(format!("vsi-exit-report-{}.txt", std::process::id()));
    std::fs::write(&data, b"12345").unwrap();
    let (code, stderr) = script_with_exit_report(&format!(
        "cp {0} /vsimem/left/behind.txt\ncp {0} /vsimem/gone.txt\nrm /vsimem/gone.txt\n",
        data.display()
    ));
    std::fs::remove_file(&data).unwrap();
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("1 file(s) never unlinked"), "{stderr}");
    assert!(stderr.contains("/vsimem/left/behind.txt (5 bytes)"), "{stderr}");
    assert!(!stderr.contains("gone.txt"), "{stderr}");

    let (code, stderr) = script_with_exit_report("mkdir -p /vsimem/empty\n");
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("0 file(s) never unlinked, 0 unlinked but still open, 0 bytes allocated"), "{stderr}");

    // Without the option, nothing is printed.
    let out = run(&["ls", "/vsimem/"]);
    assert!(!out.stderr.contains("at exit"), "{out:?}");
}

// ---------------------------------------------------------------------------
// Standard streams: /vsistdin/ and /vsistdout/.

fn stdio_pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 % 253) as u8).collect()
}

/// Runs `vsi` with `stdin` as standard input (`input` fed from a thread when
/// piped, so a child that writes while it reads cannot deadlock) and
/// `stdout` as standard output (captured when piped).
fn run_stdio(cwd: Option<&Path>, args: &[&str], stdin: Stdio, input: Option<Vec<u8>>, stdout: Stdio) -> (i32, Vec<u8>, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(args).stdin(stdin).stdout(stdout).stderr(Stdio::piped());
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let mut child = cmd.spawn().expect("run vsi");
    let feeder = input.map(|data| {
        let mut pipe = child.stdin.take().unwrap();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&data);
        })
    });
    let out = child.wait_with_output().unwrap();
    if let Some(f) = feeder {
        f.join().unwrap();
    }
    (out.status.code().expect("exit code"), out.stdout, String::from_utf8(out.stderr).unwrap())
}

#[test]
fn cp_from_stdin_keeps_what_lies_past_the_seekable_prefix() {
    let t = TempDir::new("stdin-cp");
    // Three times the 1 MiB prefix: a stat before the copy would lose data.
    let data = stdio_pattern(3 << 20);
    let (code, _, stderr) =
        run_stdio(None, &["cp", "/vsistdin/", &t.p("out.bin")], Stdio::piped(), Some(data.clone()), Stdio::piped());
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert!(t.read("out.bin") == data);
}

#[test]
fn cat_stdin_and_cp_stdin_to_stdout_stream_everything() {
    let data = stdio_pattern(3 << 20);
    for args in [&["cat", "/vsistdin/"][..], &["cp", "/vsistdin/", "/vsistdout/"][..]] {
        let (code, stdout, stderr) = run_stdio(None, args, Stdio::piped(), Some(data.clone()), Stdio::piped());
        assert_eq!((code, stderr.as_str()), (0, ""), "{args:?}");
        assert!(stdout == data, "{args:?}: {} bytes out of {}", stdout.len(), data.len());
    }
}

#[test]
fn stat_stdin_reads_it_to_learn_the_size() {
    let (code, stdout, stderr) =
        run_stdio(None, &["stat", "/vsistdin/"], Stdio::piped(), Some(stdio_pattern(12345)), Stdio::piped());
    assert_eq!((code, stderr.as_str()), (0, ""));
    let text = String::from_utf8(stdout).unwrap();
    assert!(text.contains("type: regular file\nsize: 12345\n"), "{text}");
}

#[test]
fn cp_to_stdout_writes_the_files_in_order() {
    let t = TempDir::new("stdout-cp");
    t.write("a.txt", "first\n");
    t.write("b.txt", "second\n");
    let out = run_in(t.path(), &["cp", "a.txt", "/vsistdout/"]);
    ok(&out);
    assert_eq!(out.stdout, "first\n");
    let out = run_in(t.path(), &["cp", "a.txt", "b.txt", "/vsistdout/"]);
    ok(&out);
    assert_eq!(out.stdout, "first\nsecond\n");
    // What the tool prints itself and what goes through /vsistdout/ keep
    // their order.
    let out = script_in(t.path(), "echo before\ncp b.txt /vsistdout/\necho after\ncp a.txt /vsistdout\n");
    ok(&out);
    assert_eq!(out.stdout, "before\nsecond\nafter\nfirst\n");
}

#[test]
fn stdin_into_vsimem_within_a_script() {
    let t = TempDir::new("stdin-script");
    t.write("s.vsi", "cp /vsistdin/ /vsimem/in.txt\nstat /vsimem/in.txt\ncat /vsimem/in.txt\n");
    let (code, stdout, stderr) =
        run_stdio(Some(t.path()), &["script", "s.vsi"], Stdio::piped(), Some(b"piped text\n".to_vec()), Stdio::piped());
    assert_eq!((code, stderr.as_str()), (0, ""));
    let text = String::from_utf8(stdout).unwrap();
    assert!(text.contains("size: 11\n"), "{text}");
    assert!(text.ends_with("piped text\n"), "{text}");
}

#[test]
fn empty_stdin_is_an_empty_file() {
    let t = TempDir::new("stdin-empty");
    let out = run(&["cp", "/vsistdin/", &t.p("out.bin")]);
    ok(&out);
    assert_eq!(t.read("out.bin"), b"");
    let out = run(&["cat", "/vsistdin/"]);
    ok(&out);
    assert_eq!(out.stdout, "");
}

#[test]
fn unreadable_stdin_is_a_clear_error() {
    let t = TempDir::new("stdin-dir");
    // A directory as standard input: every read fails with EISDIR.
    let dir = fs::File::open(t.path()).unwrap();
    let (code, stdout, stderr) = run_stdio(None, &["cat", "/vsistdin/"], Stdio::from(dir), None, Stdio::piped());
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty());
    assert_eq!(stderr, "vsi: cat: /vsistdin/: Cannot read /vsistdin/ (standard input): Is a directory\n");
    let dir = fs::File::open(t.path()).unwrap();
    let (code, _, stderr) = run_stdio(None, &["cp", "/vsistdin/", &t.p("out")], Stdio::from(dir), None, Stdio::piped());
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("Is a directory"), "{stderr}");
    assert!(!t.path().join("out").exists(), "a failed copy leaves no target");
}

#[test]
fn unwritable_stdout_is_a_clear_error() {
    let t = TempDir::new("stdout-bad");
    t.write("big.bin", stdio_pattern(1 << 20));
    // Open for reading only: writes fail with EBADF.
    let stdout = fs::File::open("/dev/null").unwrap();
    let (code, _, stderr) = run_stdio(None, &["cp", &t.p("big.bin"), "/vsistdout/"], Stdio::null(), None, Stdio::from(stdout));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.starts_with("vsi: cp: "), "{stderr}");
    assert!(stderr.contains("/vsistdout/: Bad file descriptor"), "{stderr}");
}

#[test]
fn stdout_closed_by_the_reader_is_a_clear_error_not_a_hang() {
    use std::os::fd::FromRawFd;
    let t = TempDir::new("stdout-pipe");
    t.write("big.bin", stdio_pattern(4 << 20));
    let mut fds = [0; 2];
    // SAFETY: fds has room for the two descriptors.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    // SAFETY: both descriptors are new and owned here.
    let (reader, writer) = unsafe { (fs::File::from_raw_fd(fds[0]), fs::File::from_raw_fd(fds[1])) };
    drop(reader);
    let started = std::time::Instant::now();
    let (code, _, stderr) = run_stdio(None, &["cp", &t.p("big.bin"), "/vsistdout/"], Stdio::null(), None, Stdio::from(writer));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("/vsistdout/: Broken pipe"), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn cat_subfile_of_stdin_and_of_a_file() {
    let t = TempDir::new("subfile-cat");
    t.write("ten.txt", "0123456789");
    let out = run(&["cat", &format!("/vsisubfile/2_3,{}", t.p("ten.txt"))]);
    ok(&out);
    assert_eq!(out.stdout, "234");
    let (code, stdout, stderr) =
        run_stdio(None, &["cat", "/vsisubfile/4_5,/vsistdin/"], Stdio::piped(), Some(b"0123456789".to_vec()), Stdio::piped());
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert_eq!(stdout, b"45678");
}
