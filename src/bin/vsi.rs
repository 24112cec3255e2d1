//! `vsi`: a small command line tool over libvsi's safe API.
//!
//! Every path goes through the VSI registry, so local paths, `/vsimem/` and
//! any prefix registered later are handled alike. Because `/vsimem/` lives
//! only as long as the process, `vsi script FILE` runs several commands in
//! one process.
//!
//! Errors are printed as `vsi: <command>: <path>: <message>`; the exit status
//! is 0 on success, 1 when an operation failed and 2 on a usage error.

use std::fmt;
use std::io::{self, BufWriter, Read, Write};
use std::process::ExitCode;

use clap::error::ErrorKind as ClapErrorKind;
use clap::{Parser, Subcommand};
use vsi::vfs::{self, WalkOptions};
use vsi::{DirEntry, Metadata};

const AFTER_HELP: &str = "\
Paths are anything libvsi understands: local paths, /vsimem/... (in-memory
files, gone when the process exits), and any other registered prefix.
/vsistdin/ reads standard input and /vsistdout/ writes standard output:
`vsi cp /vsistdin/ /vsimem/x`, `vsi cp file /vsistdout/`, `vsi cat /vsistdin/`.

Since /vsimem/ dies with the process, `vsi script FILE` runs one command per
line in a single process, stopping at the first failure. Lines use the same
syntax as the command line (without the leading `vsi`); `#` starts a comment;
words may be quoted with double or single quotes. Relative paths are relative
to the current directory, e.g. from the repository root:

    vsi script examples/demo.vsi

Exit status: 0 success, 1 an operation failed, 2 usage error.";

#[derive(Parser, Debug)]
#[command(name = "vsi", version, about = "GDAL-style virtual file system tool (libvsi)", after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// List directories, sorted by name ("." and ".." are skipped); a file
    /// operand prints that file.
    Ls {
        /// Long format: type (d/-), size, mtime (ISO-8601 UTC), name.
        #[arg(short = 'l')]
        long: bool,
        /// Recursive: every entry below the directory, as relative paths
        /// (directories end with "/" in the short format).
        #[arg(short = 'R', long = "recursive")]
        recursive: bool,
        #[arg(value_name = "PATH", default_value = ".")]
        paths: Vec<String>,
    },
    /// Show type, size, mtime and mode (octal), one field per line.
    Stat {
        #[arg(value_name = "PATH", required = true)]
        paths: Vec<String>,
    },
    /// Copy file contents to standard output.
    Cat {
        #[arg(value_name = "PATH", required = true)]
        paths: Vec<String>,
    },
    /// Copy files (and with -r directory trees) from any path to any path.
    ///
    /// If DST is an existing directory, or ends with "/" (it is then created
    /// with its parents when missing), sources are copied into it.
    #[command(override_usage = "vsi cp [-r] SRC... DST")]
    Cp {
        /// Copy directories recursively.
        #[arg(short = 'r', short_alias = 'R', long = "recursive")]
        recursive: bool,
        /// SRC... DST
        #[arg(value_name = "PATH", required = true, num_args = 2..)]
        paths: Vec<String>,
    },
    /// Remove files (and with -r directory trees).
    Rm {
        /// Remove directories and their contents.
        #[arg(short = 'r', short_alias = 'R', long = "recursive")]
        recursive: bool,
        /// Ignore paths that do not exist.
        #[arg(short = 'f', long = "force")]
        force: bool,
        #[arg(value_name = "PATH", required = true)]
        paths: Vec<String>,
    },
    /// Create directories.
    Mkdir {
        /// Create missing parents; an existing directory is not an error.
        #[arg(short = 'p', long = "parents")]
        parents: bool,
        #[arg(value_name = "PATH", required = true)]
        paths: Vec<String>,
    },
    /// Run commands from FILE ("-" for standard input), one per line, in
    /// this process; stop at the first failure.
    Script {
        #[arg(value_name = "FILE")]
        file: String,
    },
    /// Print the words, separated by spaces (handy in scripts).
    Echo {
        #[arg(value_name = "WORD", allow_hyphen_values = true, trailing_var_arg = true)]
        words: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Ok = 0,
    Failed = 1,
    Usage = 2,
}

impl Status {
    fn and(self, other: Status) -> Status {
        if (other as u8) > (self as u8) {
            other
        } else {
            self
        }
    }
}

/// One failed operation: the path it concerns and why.
#[derive(Debug)]
struct Fail {
    path: String,
    msg: String,
}

type Res<T = ()> = Result<T, Fail>;

impl Fail {
    fn new(path: impl Into<String>, msg: impl Into<String>) -> Fail {
        Fail { path: path.into(), msg: msg.into() }
    }

    /// A library error about `path`. Messages often start with the path
    /// already ("p: No such file or directory"); that prefix is not repeated.
    fn vsi(path: &str, e: &vsi::Error) -> Fail {
        Fail::vsi_any(&[path], e)
    }

    /// A library error about one of `paths` (the first when the message
    /// names none of them).
    fn vsi_any(paths: &[&str], e: &vsi::Error) -> Fail {
        let msg = e.message();
        for p in paths {
            if let Some(rest) = msg.strip_prefix(p).and_then(|r| r.strip_prefix(": ")) {
                return Fail::new(*p, rest);
            }
        }
        let msg = if msg.is_empty() { format!("{:?}", e.kind()) } else { msg.to_string() };
        Fail::new(paths[0], msg)
    }

    fn errno(path: &str, errno: i32) -> Fail {
        Fail::new(path, vsi::error::strerror(errno))
    }

    fn io(path: &str, e: &io::Error) -> Fail {
        let text = e.to_string();
        let text = text.split(" (os error").next().unwrap_or_default();
        Fail::new(path, text)
    }
}

struct Ctx {
    out: BufWriter<io::Stdout>,
    script_depth: usize,
}

impl Ctx {
    fn new() -> Ctx {
        Ctx { out: BufWriter::with_capacity(64 * 1024, io::stdout()), script_depth: 0 }
    }

    fn report(&mut self, cmd: &str, f: &Fail) {
        let _ = self.out.flush();
        eprintln!("vsi: {cmd}: {}: {}", vsi::error::redact(&f.path), vsi::error::redact(&f.msg));
    }

    fn note(&mut self, text: fmt::Arguments) {
        let _ = self.out.flush();
        eprintln!("vsi: {text}");
    }

    /// Writes to standard output. A closed pipe (`vsi cat f | head`) ends
    /// the process quietly with status 1.
    fn write(&mut self, bytes: &[u8]) -> Res {
        self.out.write_all(bytes).map_err(|e| stdout_error(&e))
    }

    fn line(&mut self, args: fmt::Arguments) -> Res {
        self.out.write_fmt(args).and_then(|_| self.out.write_all(b"\n")).map_err(|e| stdout_error(&e))
    }

    fn flush(&mut self) -> Res {
        self.out.flush().map_err(|e| stdout_error(&e))
    }
}

fn stdout_error(e: &io::Error) -> Fail {
    if e.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(Status::Failed as i32);
    }
    Fail::io("stdout", e)
}

// ---------------------------------------------------------------------------
// Path helpers

/// `p` without trailing separators ("/" stays "/").
fn trim_sep(p: &str) -> &str {
    let t = p.trim_end_matches(['/', '\\']);
    if t.is_empty() && !p.is_empty() {
        &p[..1]
    } else {
        t
    }
}

fn ends_with_sep(p: &str) -> bool {
    p.ends_with('/') || p.ends_with('\\')
}

fn basename(p: &str) -> &str {
    let t = p.trim_end_matches(['/', '\\']);
    t.rsplit(['/', '\\']).next().unwrap_or(t)
}

/// A comparable spelling: `\` → `/`, repeated and trailing `/` removed.
fn normalize(p: &str) -> String {
    let mut s = String::with_capacity(p.len());
    for c in p.chars().map(|c| if c == '\\' { '/' } else { c }) {
        if c == '/' && s.ends_with('/') {
            continue;
        }
        s.push(c);
    }
    if s.len() > 1 && s.ends_with('/') {
        s.pop();
    }
    s
}

/// Served by the default (local) handler, i.e. no registered prefix.
fn is_local(p: &str) -> bool {
    vfs::same_handler(p, ".")
}

fn same_file(a: &str, b: &str) -> bool {
    let (Ok(ma), Ok(mb)) = (vsi::stat(a), vsi::stat(b)) else { return false };
    if let (Some(na), Some(nb)) = (ma.native, mb.native) {
        return na.st_dev == nb.st_dev && na.st_ino == nb.st_ino;
    }
    vfs::same_handler(a, b) && normalize(a) == normalize(b)
}

/// `mkdir` that refuses a missing parent, which some handlers (`/vsimem/`,
/// as GDAL's) would otherwise accept, leaving an unreachable directory.
fn mkdir_checked(path: &str) -> vsi::Result<()> {
    let path = trim_sep(path);
    let parent = vfs::parent_path(path);
    if !parent.is_empty() {
        match vsi::stat(parent) {
            Ok(m) if !m.is_dir() => return Err(vsi::Error::from_errno(libc::ENOTDIR, path)),
            Ok(_) => {}
            Err(_) => return Err(vsi::Error::from_errno(libc::ENOENT, path)),
        }
    }
    vsi::mkdir(path, 0o755)
}

/// `mkdir -p`: like `vsi::mkdir_recursive`, but also for relative paths
/// whose first component is missing and for paths ending with "/" (both
/// fail in the library's version).
fn mkdir_p(path: &str) -> vsi::Result<()> {
    let path = trim_sep(path);
    match vsi::stat(path) {
        Ok(m) if m.is_dir() => return Ok(()),
        Ok(_) => return Err(vsi::Error::from_errno(libc::EEXIST, path)),
        Err(_) => {}
    }
    let parent = trim_sep(vfs::parent_path(path));
    if !parent.is_empty() && parent.len() < path.len() && vsi::stat(parent).is_err() {
        mkdir_p(parent)?;
    }
    vsi::mkdir(path, 0o755).or_else(|e| if vsi::stat(path).is_ok_and(|m| m.is_dir()) { Ok(()) } else { Err(e) })
}

/// `/vsistdin/` is read once, and a stat reads it to the end: never stat
/// it before reading it.
fn is_stdin(p: &str) -> bool {
    vsi::fs::stdio::is_stdin(p)
}

/// `/vsistdout/` (and `/vsistdout_redirect/...`): a write-only stream, not
/// a directory even when spelled with a trailing "/".
fn is_stdout(p: &str) -> bool {
    vsi::fs::stdio::is_stdout(p)
}

fn is_dot_or_dotdot(p: &str) -> bool {
    matches!(basename(p), "." | "..")
}

// ---------------------------------------------------------------------------
// Formatting

/// Seconds since the epoch as ISO-8601 UTC, e.g. `2024-02-29T13:05:00Z`.
fn iso8601(t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs % 3600 / 60, secs % 60)
}

fn type_char(mode: Option<u32>) -> char {
    match mode.map(|m| m & libc::S_IFMT) {
        Some(libc::S_IFDIR) => 'd',
        Some(libc::S_IFREG) => '-',
        Some(libc::S_IFLNK) => 'l',
        Some(libc::S_IFIFO) => 'p',
        Some(libc::S_IFCHR) => 'c',
        Some(libc::S_IFBLK) => 'b',
        Some(libc::S_IFSOCK) => 's',
        _ => '?',
    }
}

fn type_name(mode: u32) -> &'static str {
    match mode & libc::S_IFMT {
        libc::S_IFDIR => "directory",
        libc::S_IFREG => "regular file",
        libc::S_IFLNK => "symbolic link",
        libc::S_IFIFO => "fifo",
        libc::S_IFCHR => "character device",
        libc::S_IFBLK => "block device",
        libc::S_IFSOCK => "socket",
        _ => "unknown",
    }
}

fn entry_of(name: &str, m: &Metadata) -> DirEntry {
    DirEntry { name: name.to_string(), mode: Some(m.mode), size: Some(m.size), mtime: Some(m.mtime) }
}

/// Prints entries; `slash_dirs` marks directories with a trailing "/" in
/// the short format.
fn print_entries(ctx: &mut Ctx, entries: &[DirEntry], long: bool, slash_dirs: bool) -> Res {
    if !long {
        for e in entries {
            let slash = if slash_dirs && e.is_dir() { "/" } else { "" };
            ctx.line(format_args!("{}{slash}", e.name))?;
        }
        return Ok(());
    }
    let size_text = |e: &DirEntry| e.size.map_or_else(|| "?".to_string(), |s| s.to_string());
    let width = entries.iter().map(|e| size_text(e).len()).max().unwrap_or(1);
    for e in entries {
        let mtime = e.mtime.map_or_else(|| "?".to_string(), iso8601);
        ctx.line(format_args!("{} {:>width$} {:<20} {}", type_char(e.mode), size_text(e), mtime, e.name))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Commands

fn cmd_ls(ctx: &mut Ctx, long: bool, recursive: bool, paths: &[String]) -> Status {
    let mut status = Status::Ok;
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for p in paths {
        match vsi::stat(p) {
            Ok(m) if m.is_dir() => dirs.push(p.as_str()),
            Ok(m) => files.push(entry_of(p, &m)),
            Err(e) => {
                ctx.report("ls", &Fail::vsi(p, &e));
                status = Status::Failed;
            }
        }
    }
    let mut listing = || -> Res<Status> {
        let mut status = Status::Ok;
        print_entries(ctx, &files, long, false)?;
        let headers = paths.len() > 1;
        for (i, dir) in dirs.iter().enumerate() {
            if headers {
                if i > 0 || !files.is_empty() {
                    ctx.line(format_args!(""))?;
                }
                ctx.line(format_args!("{dir}:"))?;
            }
            let opts = WalkOptions { depth: if recursive { -1 } else { 0 }, prefix: None, name_and_type_only: !long };
            match vsi::walk(dir, &opts) {
                Ok(mut entries) => {
                    entries.retain(|e| e.name != "." && e.name != "..");
                    entries.sort_by(|a, b| a.name.split('/').cmp(b.name.split('/')));
                    print_entries(ctx, &entries, long, recursive)?;
                }
                Err(e) => {
                    ctx.report("ls", &Fail::vsi(dir, &e));
                    status = Status::Failed;
                }
            }
        }
        Ok(status)
    };
    match listing() {
        Ok(s) => status.and(s),
        Err(f) => {
            ctx.report("ls", &f);
            Status::Failed
        }
    }
}

fn cmd_stat(ctx: &mut Ctx, paths: &[String]) -> Status {
    let mut status = Status::Ok;
    let mut first = true;
    for p in paths {
        let shown = vsi::stat(p).map_err(|e| Fail::vsi(p, &e)).and_then(|m| {
            if !first {
                ctx.line(format_args!(""))?;
            }
            ctx.line(format_args!("file: {p}"))?;
            ctx.line(format_args!("type: {}", type_name(m.mode)))?;
            ctx.line(format_args!("size: {}", m.size))?;
            ctx.line(format_args!("mtime: {}", iso8601(m.mtime)))?;
            ctx.line(format_args!("mode: {:06o}", m.mode))
        });
        match shown {
            Ok(()) => first = false,
            Err(f) => {
                ctx.report("stat", &f);
                status = Status::Failed;
            }
        }
    }
    status
}

const CAT_CHUNK: usize = 1 << 20;

fn cat_one(ctx: &mut Ctx, path: &str, buf: &mut [u8]) -> Res {
    // A stat of /vsistdin/ would read (and mostly drop) the whole stream.
    if !is_stdin(path) {
        let m = vsi::stat(path).map_err(|e| Fail::vsi(path, &e))?;
        if m.is_dir() {
            return Err(Fail::errno(path, libc::EISDIR));
        }
    }
    let mut f = vsi::File::open(path).map_err(|e| Fail::vsi(path, &e))?;
    loop {
        let n = f.read_raw(buf).map_err(|e| Fail::vsi(path, &e))?;
        ctx.write(&buf[..n])?;
        if n < buf.len() {
            if f.error() {
                return Err(Fail::new(path, "read error"));
            }
            break;
        }
    }
    f.close().map_err(|e| Fail::vsi(path, &e))
}

fn cmd_cat(ctx: &mut Ctx, paths: &[String]) -> Status {
    let mut status = Status::Ok;
    let mut buf = vec![0u8; CAT_CHUNK];
    for p in paths {
        if let Err(f) = cat_one(ctx, p, &mut buf) {
            ctx.report("cat", &f);
            status = Status::Failed;
        }
    }
    if let Err(f) = ctx.flush() {
        ctx.report("cat", &f);
        status = Status::Failed;
    }
    status
}

fn copy_file(src: &str, dst: &str) -> Res {
    if !is_stdin(src) && same_file(src, dst) {
        return Err(Fail::new(src, format!("'{src}' and '{dst}' are the same file")));
    }
    vsi::copy_file(src, dst, None).map_err(|e| Fail::vsi_any(&[src, dst], &e))
}

/// Copies the directory `src` to `dst` (created when missing). Reports each
/// failure and carries on with the rest of the tree.
fn copy_tree(ctx: &mut Ctx, src: &str, dst: &str) -> Status {
    let (ns, nd) = (normalize(src), normalize(dst));
    if vfs::same_handler(src, dst) && (nd == ns || nd.starts_with(&format!("{}/", ns.trim_end_matches('/')))) {
        ctx.report("cp", &Fail::new(src, format!("cannot copy a directory into itself ('{dst}')")));
        return Status::Failed;
    }
    let made = match vsi::stat(dst) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(Fail::errno(dst, libc::ENOTDIR)),
        Err(_) => mkdir_checked(dst).map_err(|e| Fail::vsi(trim_sep(dst), &e)),
    };
    if let Err(f) = made {
        ctx.report("cp", &f);
        return Status::Failed;
    }
    let opts = WalkOptions { depth: -1, prefix: None, name_and_type_only: true };
    let mut entries = match vsi::walk(src, &opts) {
        Ok(e) => e,
        Err(e) => {
            ctx.report("cp", &Fail::vsi(src, &e));
            return Status::Failed;
        }
    };
    entries.retain(|e| e.name != "." && e.name != "..");
    entries.sort_by(|a, b| a.name.split('/').cmp(b.name.split('/')));
    let mut status = Status::Ok;
    for e in entries {
        let (s, d) = (vfs::join(src, &e.name), vfs::join(dst, &e.name));
        let done = if e.is_dir() {
            match vsi::stat(&d) {
                Ok(m) if m.is_dir() => Ok(()),
                Ok(_) => Err(Fail::errno(&d, libc::ENOTDIR)),
                Err(_) => vsi::mkdir(&d, 0o755).map_err(|err| Fail::vsi(&d, &err)),
            }
        } else {
            copy_file(&s, &d)
        };
        if let Err(f) = done {
            ctx.report("cp", &f);
            status = Status::Failed;
        }
    }
    status
}

fn cmd_cp(ctx: &mut Ctx, recursive: bool, paths: &[String]) -> Status {
    let (srcs, dst) = paths.split_at(paths.len() - 1);
    let dst = dst[0].as_str();
    let dst_meta = vsi::stat(dst).ok();
    let mut into_dir = dst_meta.is_some_and(|m| m.is_dir());
    if !into_dir {
        let fail = if dst_meta.is_some() && (ends_with_sep(dst) || srcs.len() > 1) {
            Some(Fail::errno(dst, libc::ENOTDIR))
        } else if srcs.len() > 1 && !ends_with_sep(dst) && !is_stdout(dst) {
            Some(Fail::new(dst, "target is not a directory (several sources given)"))
        } else {
            None
        };
        if let Some(f) = fail {
            ctx.report("cp", &f);
            return Status::Failed;
        }
    }
    // What was printed before goes out before what is copied to stdout.
    if is_stdout(dst) {
        if let Err(f) = ctx.flush() {
            ctx.report("cp", &f);
            return Status::Failed;
        }
    }
    let mut status = Status::Ok;
    for src in srcs {
        let smeta = if is_stdin(src) {
            Metadata::file(0, 0)
        } else {
            match vsi::stat(src) {
                Ok(m) => m,
                Err(e) => {
                    ctx.report("cp", &Fail::vsi(src, &e));
                    status = Status::Failed;
                    continue;
                }
            }
        };
        if smeta.is_dir() && !recursive {
            ctx.report("cp", &Fail::new(src.as_str(), "is a directory (not copied; use -r)"));
            status = Status::Failed;
            continue;
        }
        // "DST/" names a directory: create it on first use.
        if !into_dir && ends_with_sep(dst) && !is_stdout(dst) {
            if let Err(e) = mkdir_p(dst) {
                ctx.report("cp", &Fail::vsi(trim_sep(dst), &e));
                return Status::Failed;
            }
            into_dir = true;
        }
        let target = if !into_dir {
            dst.to_string()
        } else {
            match basename(src) {
                "" | "." | ".." if smeta.is_dir() => dst.to_string(),
                "" | "." | ".." => {
                    ctx.report("cp", &Fail::new(src.as_str(), "cannot tell the name of the copy"));
                    status = Status::Failed;
                    continue;
                }
                name => vfs::join(dst, name),
            }
        };
        if smeta.is_dir() {
            status = status.and(copy_tree(ctx, src, &target));
        } else if let Err(f) = copy_file(src, &target) {
            ctx.report("cp", &f);
            status = Status::Failed;
        }
    }
    status
}

fn rm_one(path: &str, recursive: bool, force: bool) -> Res {
    if is_dot_or_dotdot(path) {
        return Err(Fail::new(path, "refusing to remove '.' or '..'"));
    }
    // Local trees: do not follow symbolic links (the generic recursive
    // removal stats through them and would empty the directories they
    // point to), and remove a link itself rather than its target.
    if is_local(path) {
        if let Ok(lm) = std::fs::symlink_metadata(path) {
            if lm.file_type().is_symlink() {
                return vsi::unlink(path).map_err(|e| Fail::vsi(path, &e));
            }
            if lm.is_dir() && recursive {
                return std::fs::remove_dir_all(path).map_err(|e| Fail::io(path, &e));
            }
        }
    }
    let m = match vsi::stat(path) {
        Ok(m) => m,
        Err(e) if force && e.kind() == vsi::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Fail::vsi(path, &e)),
    };
    if m.is_dir() {
        if !recursive {
            return Err(Fail::errno(path, libc::EISDIR));
        }
        vsi::rmdir_recursive(path).map_err(|e| Fail::vsi(path, &e))
    } else {
        vsi::unlink(path).map_err(|e| Fail::vsi(path, &e))
    }
}

fn cmd_rm(ctx: &mut Ctx, recursive: bool, force: bool, paths: &[String]) -> Status {
    let mut status = Status::Ok;
    for p in paths {
        if let Err(f) = rm_one(p, recursive, force) {
            ctx.report("rm", &f);
            status = Status::Failed;
        }
    }
    status
}

fn cmd_mkdir(ctx: &mut Ctx, parents: bool, paths: &[String]) -> Status {
    let mut status = Status::Ok;
    for p in paths {
        let path = trim_sep(p);
        let made = if parents { mkdir_p(path) } else { mkdir_checked(path) };
        if let Err(e) = made {
            ctx.report("mkdir", &Fail::vsi(path, &e));
            status = Status::Failed;
        }
    }
    status
}

// ---------------------------------------------------------------------------
// Scripts

const MAX_SCRIPT_DEPTH: usize = 16;

/// Splits a script line into words like a shell would: blanks separate
/// words, `#` at the start of a word starts a comment, `"..."` groups (with
/// `\"` and `\\` escapes), `'...'` groups literally, `\` escapes one
/// character outside quotes.
fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '#' if !in_word => break,
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        None => return Err("unterminated double quote".into()),
                        Some('"') => break,
                        Some('\\') if matches!(chars.peek(), Some('"' | '\\')) => cur.push(chars.next().unwrap()),
                        Some(c) => cur.push(c),
                    }
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        None => return Err("unterminated single quote".into()),
                        Some('\'') => break,
                        Some(c) => cur.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                cur.push(chars.next().unwrap_or('\\'));
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

fn read_script(file: &str) -> Res<String> {
    let mut bytes = Vec::new();
    if file == "-" {
        io::stdin().lock().read_to_end(&mut bytes).map_err(|e| Fail::io("-", &e))?;
    } else {
        let m = vsi::stat(file).map_err(|e| Fail::vsi(file, &e))?;
        if m.is_dir() {
            return Err(Fail::errno(file, libc::EISDIR));
        }
        let mut f = vsi::File::open(file).map_err(|e| Fail::vsi(file, &e))?;
        f.read_to_end(&mut bytes).map_err(|e| Fail::io(file, &e))?;
    }
    String::from_utf8(bytes).map_err(|_| Fail::new(file, "script is not valid UTF-8"))
}

fn cmd_script(ctx: &mut Ctx, file: &str) -> Status {
    if ctx.script_depth >= MAX_SCRIPT_DEPTH {
        ctx.report("script", &Fail::new(file, "scripts nested too deeply"));
        return Status::Failed;
    }
    let text = match read_script(file) {
        Ok(t) => t,
        Err(f) => {
            ctx.report("script", &f);
            return Status::Failed;
        }
    };
    let name = if file == "-" { "<stdin>" } else { file };
    for (i, line) in text.lines().enumerate() {
        let lineno = i + 1;
        let words = match split_words(line) {
            Ok(w) => w,
            Err(msg) => {
                ctx.note(format_args!("script: {name}:{lineno}: {msg}"));
                return Status::Usage;
            }
        };
        if words.is_empty() {
            continue;
        }
        let cli = match Cli::try_parse_from(std::iter::once("vsi".to_string()).chain(words)) {
            Ok(cli) => cli,
            Err(e) if matches!(e.kind(), ClapErrorKind::DisplayHelp | ClapErrorKind::DisplayVersion) => {
                if let Err(f) = ctx.write(e.to_string().as_bytes()) {
                    ctx.report("script", &f);
                    return Status::Failed;
                }
                continue;
            }
            Err(e) => {
                let text = e.to_string();
                let text = text.trim_end().strip_prefix("error: ").unwrap_or(text.trim_end()).to_string();
                ctx.note(format_args!("script: {name}:{lineno}: {text}"));
                return Status::Usage;
            }
        };
        ctx.script_depth += 1;
        let status = run(ctx, cli.cmd);
        ctx.script_depth -= 1;
        if status != Status::Ok {
            ctx.note(format_args!("script: {name}:{lineno}: stopped at the first failure"));
            return status;
        }
    }
    Status::Ok
}

fn cmd_echo(ctx: &mut Ctx, words: &[String]) -> Status {
    match ctx.line(format_args!("{}", words.join(" "))) {
        Ok(()) => Status::Ok,
        Err(f) => {
            ctx.report("echo", &f);
            Status::Failed
        }
    }
}

fn run(ctx: &mut Ctx, cmd: Cmd) -> Status {
    match cmd {
        Cmd::Ls { long, recursive, paths } => cmd_ls(ctx, long, recursive, &paths),
        Cmd::Stat { paths } => cmd_stat(ctx, &paths),
        Cmd::Cat { paths } => cmd_cat(ctx, &paths),
        Cmd::Cp { recursive, paths } => cmd_cp(ctx, recursive, &paths),
        Cmd::Rm { recursive, force, paths } => cmd_rm(ctx, recursive, force, &paths),
        Cmd::Mkdir { parents, paths } => cmd_mkdir(ctx, parents, &paths),
        Cmd::Script { file } => cmd_script(ctx, &file),
        Cmd::Echo { words } => cmd_echo(ctx, &words),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut ctx = Ctx::new();
    let mut status = run(&mut ctx, cli.cmd);
    if let Err(f) = ctx.flush() {
        ctx.report("output", &f);
        status = status.and(Status::Failed);
    }
    ExitCode::from(status as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso8601(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(iso8601(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn words() {
        assert_eq!(split_words("  ls -l  /vsimem/ # list").unwrap(), ["ls", "-l", "/vsimem/"]);
        assert_eq!(split_words(r#"cp "a b" 'c\d' e\ f "q\"x""#).unwrap(), ["cp", "a b", r"c\d", "e f", "q\"x"]);
        assert_eq!(split_words(r#"echo a#b "" """#).unwrap(), ["echo", "a#b", "", ""]);
        assert!(split_words("cat \"open").is_err());
        assert!(split_words("# only a comment").unwrap().is_empty());
    }

    #[test]
    fn paths() {
        assert_eq!(trim_sep("/vsimem/a/"), "/vsimem/a");
        assert_eq!(trim_sep("/"), "/");
        assert_eq!(basename("/vsimem/a/b/"), "b");
        assert_eq!(normalize("/vsimem//a\\b/"), "/vsimem/a/b");
    }
}
