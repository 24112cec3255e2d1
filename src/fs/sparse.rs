//! `/vsisparse/<path of an XML description>`: a read-only virtual file
//! assembled from windows of other files and runs of one byte value.
//!
//! ```xml
//! <VSISparseFile>
//!   <Length>1000000</Length>
//!   <SubfileRegion>
//!     <Filename relative="1">data.bin</Filename>
//!     <DestinationOffset>1000</DestinationOffset>
//!     <SourceOffset>0</SourceOffset>
//!     <RegionLength>5000</RegionLength>
//!   </SubfileRegion>
//!   <ConstantRegion>
//!     <DestinationOffset>200000</DestinationOffset>
//!     <RegionLength>100</RegionLength>
//!     <Value>255</Value>
//!   </ConstantRegion>
//! </VSISparseFile>
//! ```
//!
//! As in GDAL: element (and attribute) names are compared without regard to
//! case and the root's own name is not checked; a region is a subfile region
//! when it has a non-empty `Filename` (opened lazily, once, through the
//! registry, relative to the description's directory when its `relative`
//! attribute is a non-zero number), a constant region otherwise; numbers
//! default to 0; `Value` is read as `atoi` and cut to a byte; a missing or
//! zero `Length` is the end of the last region; where regions overlap the
//! first listed wins; bytes no region covers read as zeros. Nesting through
//! regions that are themselves `/vsisparse/` files stops at 32 levels.
//!
//! Where libvsi differs on purpose:
//! - GDAL fills a whole read that *starts* in a hole with zeros, even the
//!   part that runs into later regions; here every byte comes from the
//!   region that covers it.
//! - GDAL reads only the first node of the document, so a description that
//!   starts with an XML declaration or a comment is an empty file there;
//!   here the root element is used.
//! - Offsets and lengths must be unsigned 64-bit decimal numbers, and no
//!   region may end beyond 2^64: negative, overflowing or non-numeric values
//!   are refused with an error (GDAL wraps them or reads 0). Reads near 2^64
//!   do not wrap around.
//! - A file that is not XML is refused (GDAL's lenient parser reads plain
//!   text as an empty description).
//! - Hostile descriptions are bounded: at most [`MAX_DESCRIPTION_BYTES`] of
//!   XML, and all the descriptions nested below one open file together may
//!   be opened [`MAX_NESTED_OPENS`] times and hold [`MAX_NESTED_BYTES`].
//!   So a region referring to its own description fails quickly with an
//!   error naming the cause, whatever spellings of the path it uses.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use once_cell::sync::OnceCell;

use crate::error::{cple, Error, ErrorKind, Result};
use crate::io::{read_full_at, ReadAt, ReadCursor, SharedHandle};
use crate::vfs::{self, FileSystem, Handle, Metadata, OpenOptions, StatFlags};

pub const PREFIX: &str = "/vsisparse/";

/// GDAL's bound on nested `/vsisparse/` opens.
pub const MAX_NESTING: u32 = 32;
/// The largest description read.
pub const MAX_DESCRIPTION_BYTES: u64 = 16 << 20;
/// XML nodes in one description (bounds the parser's memory).
const MAX_XML_NODES: u32 = 1 << 21;
/// Descriptions opened below one open `/vsisparse/` file, all levels together.
pub const MAX_NESTED_OPENS: u64 = 1024;
/// Bytes of XML those nested descriptions may hold together.
pub const MAX_NESTED_BYTES: u64 = 64 << 20;

/// The `/vsisparse/` file system.
pub struct SparseFs;

/// Where a range of the virtual file comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content {
    Constant(u8),
    /// Index into [`Description::files`].
    File(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Region {
    dst: u64,
    src: u64,
    len: u64,
    content: Content,
}

/// A part of the file covered by one region (the first listed where
/// regions overlap); sorted, disjoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    start: u64,
    end: u64,
    region: usize,
}

/// A parsed description.
#[derive(Debug)]
pub struct Description {
    length: u64,
    regions: Vec<Region>,
    segments: Vec<Segment>,
    /// Distinct region file names, opened at most once each.
    files: Vec<String>,
}

impl Description {
    /// Parses the XML text of the description found at `xml_path` (needed
    /// for relative file names).
    pub fn parse(text: &str, xml_path: &str) -> Result<Description> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim().is_empty() {
            return Err(Error::new(ErrorKind::InvalidInput, format!("{xml_path}: empty /vsisparse/ description"))
                .with_errno(0));
        }
        let opts = roxmltree::ParsingOptions { allow_dtd: false, nodes_limit: MAX_XML_NODES, ..Default::default() };
        let doc = roxmltree::Document::parse_with_options(text, opts)
            .map_err(|e| invalid(xml_path, &format!("not a valid XML description: {e}")))?;
        let root = doc.root_element();
        let mut regions = Vec::new();
        let mut files: Vec<String> = Vec::new();
        let mut file_index: HashMap<String, usize> = HashMap::new();
        let is_region = |n: &roxmltree::Node| {
            let name = n.tag_name().name();
            n.is_element() && (name.eq_ignore_ascii_case("SubfileRegion") || name.eq_ignore_ascii_case("ConstantRegion"))
        };
        for (i, node) in root.children().filter(is_region).enumerate() {
            let number = |field: &str| -> Result<u64> {
                match value(node, field) {
                    None => Ok(0),
                    Some(v) => parse_u64(&v).ok_or_else(|| {
                        invalid(
                            xml_path,
                            &format!("{field} '{v}' of region {} is not an unsigned 64-bit number", i + 1),
                        )
                    }),
                }
            };
            let (dst, src, len) = (number("DestinationOffset")?, number("SourceOffset")?, number("RegionLength")?);
            let mut filename = value(node, "Filename").unwrap_or_default();
            let relative = child(node, "Filename")
                .and_then(|f| f.attributes().find(|a| a.name().eq_ignore_ascii_case("relative")))
                .is_some_and(|a| atoi(a.value()) != 0);
            if relative {
                filename = form_filename(&cpl_get_path(xml_path), &filename);
            }
            if dst.checked_add(len).is_none() {
                return Err(invalid(xml_path, &format!("region {} ends beyond 2^64", i + 1)));
            }
            let content = if filename.is_empty() {
                Content::Constant(atoi(&value(node, "Value").unwrap_or_default()) as u8)
            } else {
                if src.checked_add(len).is_none() {
                    return Err(invalid(xml_path, &format!("region {} reads its file beyond 2^64", i + 1)));
                }
                let next = files.len();
                let idx = *file_index.entry(filename.clone()).or_insert(next);
                if idx == next {
                    files.push(filename);
                }
                Content::File(idx)
            };
            regions.push(Region { dst, src, len, content });
        }
        let length = match value(root, "Length") {
            Some(v) => parse_u64(&v).ok_or_else(|| invalid(xml_path, &format!("Length '{v}' is not an unsigned 64-bit number")))?,
            None => 0,
        };
        let length = if length != 0 { length } else { regions.iter().map(|r| r.dst + r.len).max().unwrap_or(0) };
        let segments = segments(&regions);
        Ok(Description { length, regions, segments, files })
    }

    /// The size of the virtual file.
    pub fn length(&self) -> u64 {
        self.length
    }

    /// The segment holding `pos`, or the index of the next one.
    fn locate(&self, pos: u64) -> std::result::Result<Segment, Option<u64>> {
        let i = self.segments.partition_point(|s| s.end <= pos);
        match self.segments.get(i) {
            Some(s) if s.start <= pos => Ok(*s),
            Some(s) => Err(Some(s.start)),
            None => Err(None),
        }
    }
}

/// An error in a description, raised as GDAL raises XML errors.
fn invalid(xml_path: &str, what: &str) -> Error {
    Error::new(ErrorKind::InvalidInput, format!("{xml_path}: {what}")).with_errno(0).with_cpl(cple::APP_DEFINED)
}

/// Disjoint, sorted segments giving each covered byte to the first region
/// listed that covers it. `covered` is the merged union of the regions seen
/// so far: each of its intervals is merged away at most once, so this is
/// O(n log n) whatever the overlaps.
fn segments(regions: &[Region]) -> Vec<Segment> {
    let mut covered: BTreeMap<u64, u64> = BTreeMap::new();
    let mut out = Vec::new();
    for (idx, r) in regions.iter().enumerate() {
        if r.len == 0 {
            continue;
        }
        let (a, b) = (r.dst, r.dst + r.len);
        // Intervals that touch [a, b): the one starting at or before a,
        // then those starting inside.
        let mut touching: Vec<(u64, u64)> = Vec::new();
        if let Some((&s, &e)) = covered.range(..=a).next_back() {
            if e >= a {
                touching.push((s, e));
            }
        }
        touching.extend(covered.range((std::ops::Bound::Excluded(a), std::ops::Bound::Included(b))).map(|(&s, &e)| (s, e)));
        let mut pos = a;
        for &(s, e) in &touching {
            if s > pos {
                out.push(Segment { start: pos, end: s.min(b), region: idx });
            }
            pos = pos.max(e);
        }
        if pos < b {
            out.push(Segment { start: pos, end: b, region: idx });
        }
        let lo = touching.first().map_or(a, |t| t.0.min(a));
        let hi = touching.last().map_or(b, |t| t.1.max(b));
        for (s, _) in touching {
            covered.remove(&s);
        }
        covered.insert(lo, hi);
    }
    out.sort_by_key(|s| s.start);
    out
}

/// The value of a field as `CPLGetXMLValue`: an attribute of that name, or
/// the text of the first child element of that name when it holds only text.
fn value(node: roxmltree::Node, name: &str) -> Option<String> {
    if let Some(a) = node.attributes().find(|a| a.name().eq_ignore_ascii_case(name)) {
        return Some(a.value().to_string());
    }
    let el = child(node, name)?;
    let mut kids = el.children();
    match (kids.next(), kids.next()) {
        (Some(t), None) if t.is_text() => t.text().map(str::to_string),
        _ => None,
    }
}

fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    node.children().find(|c| c.is_element() && c.tag_name().name().eq_ignore_ascii_case(name))
}

/// An unsigned decimal number, blanks around it and a leading `+` allowed.
fn parse_u64(s: &str) -> Option<u64> {
    let t = s.trim_matches(|c: char| c.is_ascii_whitespace());
    let t = t.strip_prefix('+').unwrap_or(t);
    if t.is_empty() || !t.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// C's `atoi` (via `strtol`, saturating at the `long` range).
fn atoi(s: &str) -> i64 {
    let b = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']).as_bytes();
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    let mut v: i64 = 0;
    for &c in digits.iter().take_while(|c| c.is_ascii_digit()) {
        let d = i64::from(c - b'0');
        v = match v.checked_mul(10).and_then(|v| if neg { v.checked_sub(d) } else { v.checked_add(d) }) {
            Some(v) => v,
            None => return if neg { i64::MIN } else { i64::MAX },
        };
    }
    v
}

/// `CPLGetPath`: the directory part, `/` kept for a file at the root.
fn cpl_get_path(path: &str) -> String {
    match path.rfind(['/', '\\']) {
        Some(0) => path[..1].to_string(),
        Some(i) => path[..i].to_string(),
        None => String::new(),
    }
}

/// `CPLFormFilename` without extension: a leading `./` of the name dropped.
fn form_filename(dir: &str, name: &str) -> String {
    let name = name.strip_prefix("./").or_else(|| name.strip_prefix(".\\")).unwrap_or(name);
    vfs::join(dir, name)
}

// ---------------------------------------------------------------------------
// Nesting bounds. While a region of a sparse file is read, the thread knows
// how deep it is and which open file's budget the nested opens charge.

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    static ACTIVE_BUDGET: RefCell<Option<Arc<Budget>>> = const { RefCell::new(None) };
}

/// What the descriptions nested below one open file may cost together.
#[derive(Default, Debug)]
struct Budget {
    opens: AtomicU64,
    bytes: AtomicU64,
}

impl Budget {
    fn charge(&self, xml_path: &str, bytes: u64) -> Result<()> {
        let opens = self.opens.fetch_add(1, Ordering::Relaxed) + 1;
        let total = self.bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if opens > MAX_NESTED_OPENS || total > MAX_NESTED_BYTES {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "{xml_path}: too many nested /vsisparse/ descriptions below one file (more than {MAX_NESTED_OPENS} \
                     opens or {MAX_NESTED_BYTES} bytes); do regions refer back to their own description?"
                ),
            ));
        }
        Ok(())
    }
}

/// Makes `budget` the one nested opens charge, until dropped.
struct BudgetScope(Option<Arc<Budget>>);

impl BudgetScope {
    fn enter(budget: &Arc<Budget>) -> BudgetScope {
        BudgetScope(ACTIVE_BUDGET.with(|b| b.borrow_mut().replace(budget.clone())))
    }
}

impl Drop for BudgetScope {
    fn drop(&mut self) {
        let previous = self.0.take();
        ACTIVE_BUDGET.with(|b| *b.borrow_mut() = previous);
    }
}

/// One level deeper while a region's file is read, until dropped.
struct DepthScope;

impl DepthScope {
    fn enter() -> DepthScope {
        DEPTH.with(|d| d.set(d.get() + 1));
        DepthScope
    }
}

impl Drop for DepthScope {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

// ---------------------------------------------------------------------------

/// Opens another file through the registry (chaining).
fn open_inner(path: &str, access: &str) -> Result<Box<dyn Handle>> {
    if path.len() >= crate::MAX_PATH_LEN {
        return Err(Error::new(ErrorKind::InvalidInput, format!("path too long ({} bytes)", path.len()))
            .with_errno(libc::ENAMETOOLONG));
    }
    vfs::handler_for(path).open(path, &OpenOptions::new(access))
}

/// The description path inside a `/vsisparse/` path.
fn xml_path(path: &str) -> Result<&str> {
    match path.get(..PREFIX.len()) {
        Some(p) if p.eq_ignore_ascii_case(PREFIX) => Ok(&path[PREFIX.len()..]),
        _ => Err(Error::new(ErrorKind::NotFound, format!("{path}: not a /vsisparse/ path")).with_errno(libc::ENOENT)),
    }
}

/// An open sparse file: the description and the region files opened so far.
pub struct SparseSource {
    xml_path: String,
    desc: Description,
    files: Vec<OnceCell<Result<SharedHandle>>>,
    budget: Arc<Budget>,
}

impl SparseSource {
    /// Reads and parses the description at `xml_path`.
    pub fn open(xml_path: &str) -> Result<SparseSource> {
        if DEPTH.with(Cell::get) >= MAX_NESTING {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                format!(
                    "{xml_path}: /vsisparse/ files nested more than {MAX_NESTING} levels deep; does a region refer \
                     back to its own description?"
                ),
            ));
        }
        let mut file = crate::File::open(xml_path)?;
        let mut bytes = Vec::new();
        (&mut file)
            .take(MAX_DESCRIPTION_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::new(ErrorKind::Io, format!("{xml_path}: cannot read the description: {e}")))?;
        let _ = file.close();
        if bytes.len() as u64 > MAX_DESCRIPTION_BYTES {
            return Err(invalid(xml_path, &format!("description larger than {MAX_DESCRIPTION_BYTES} bytes")));
        }
        let budget = match ACTIVE_BUDGET.with(|b| b.borrow().clone()) {
            Some(parent) => {
                parent.charge(xml_path, bytes.len() as u64)?;
                parent
            }
            None => Arc::new(Budget::default()),
        };
        let desc = Description::parse(&String::from_utf8_lossy(&bytes), xml_path)?;
        let files = desc.files.iter().map(|_| OnceCell::new()).collect();
        Ok(SparseSource { xml_path: xml_path.to_string(), desc, files, budget })
    }

    pub fn description(&self) -> &Description {
        &self.desc
    }

    /// The region file, opened on first use (a failure is remembered).
    fn file(&self, idx: usize) -> Result<&SharedHandle> {
        let opened = self.files[idx].get_or_init(|| {
            let name = &self.desc.files[idx];
            open_inner(name, "r").map(SharedHandle::new).map_err(|e| {
                crate::error::debug("/vsisparse/", &format!("Failed to open '{name}'."));
                Error::new(e.kind(), format!("{}: cannot open region file {name}: {e}", self.xml_path))
            })
        });
        opened.as_ref().map_err(Error::clone)
    }

    /// Reads `buf.len()` bytes of region file `idx` at `offset`.
    fn read_file(&self, idx: usize, offset: u64, buf: &mut [u8]) -> Result<usize> {
        let _budget = BudgetScope::enter(&self.budget);
        let file = self.file(idx)?;
        let _depth = DepthScope::enter();
        let got = read_full_at(file, offset, buf)?;
        if got == 0 {
            return Err(Error::new(
                ErrorKind::Io,
                format!("{}: region file {} ends at offset {offset}, before its region", self.xml_path, self.desc.files[idx]),
            ));
        }
        Ok(got)
    }
}

impl ReadAt for SparseSource {
    /// Fills from every region the range crosses; stops early (short count)
    /// at a region whose file fails, and fails if that is the first byte.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        let length = self.desc.length;
        if offset >= length {
            return Ok(0);
        }
        let want = buf.len().min(usize::try_from(length - offset).unwrap_or(usize::MAX));
        let mut done = 0usize;
        while done < want {
            let pos = offset + done as u64;
            let left = want - done;
            match self.desc.locate(pos) {
                Ok(seg) => {
                    let n = left.min(usize::try_from(seg.end - pos).unwrap_or(usize::MAX));
                    let region = &self.desc.regions[seg.region];
                    let out = &mut buf[done..done + n];
                    match region.content {
                        Content::Constant(v) => out.fill(v),
                        Content::File(idx) => {
                            let got = match self.read_file(idx, region.src + (pos - region.dst), out) {
                                Ok(got) => got,
                                Err(e) if done == 0 => return Err(e),
                                Err(_) => return Ok(done),
                            };
                            if got < n {
                                return Ok(done + got);
                            }
                        }
                    }
                    done += n;
                }
                Err(next) => {
                    let gap = next.map_or(u64::MAX, |s| s - pos);
                    let n = left.min(usize::try_from(gap).unwrap_or(usize::MAX));
                    buf[done..done + n].fill(0);
                    done += n;
                }
            }
        }
        Ok(done)
    }

    fn size(&self) -> Result<u64> {
        Ok(self.desc.length)
    }
}

impl Drop for SparseSource {
    fn drop(&mut self) {
        for f in &mut self.files {
            if let Some(Ok(h)) = f.get() {
                let _ = h.close();
            }
        }
    }
}

impl FileSystem for SparseFs {
    fn open(&self, path: &str, options: &OpenOptions) -> Result<Box<dyn Handle>> {
        let xml = xml_path(path)?;
        let access = options.access.as_str();
        if !access.eq_ignore_ascii_case("r") && !access.eq_ignore_ascii_case("rb") {
            return Err(Error::from_errno(libc::EACCES, &format!("{path}: /vsisparse/ files open read-only")));
        }
        Ok(Box::new(ReadCursor::new(SparseSource::open(xml)?)))
    }

    /// The description must parse; the size is its length, the rest is the
    /// description file's own.
    fn stat(&self, path: &str, flags: StatFlags) -> Result<Metadata> {
        let xml = xml_path(path)?;
        let length = SparseSource::open(xml)?.desc.length;
        let mut meta = crate::stat_ex(xml, flags)?;
        meta.size = length;
        if let Some(native) = meta.native.as_mut() {
            native.st_size = length as i64;
        }
        Ok(meta)
    }

    fn read_dir(&self, path: &str, _max_files: usize) -> Result<Vec<String>> {
        Err(Error::from_errno(libc::EACCES, &format!("ReadDir({path})")))
    }
    fn unlink(&self, path: &str) -> Result<()> {
        Err(Error::from_errno(libc::EACCES, &format!("Unlink({path})")))
    }
    fn mkdir(&self, path: &str, _mode: u32) -> Result<()> {
        Err(Error::from_errno(libc::EACCES, &format!("Mkdir({path})")))
    }
    fn rmdir(&self, path: &str) -> Result<()> {
        Err(Error::from_errno(libc::EACCES, &format!("Rmdir({path})")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desc(xml: &str) -> Description {
        Description::parse(xml, "/vsimem/dir/d.xml").unwrap()
    }

    fn constant(dst: u64, len: u64, v: u8) -> Region {
        Region { dst, src: 0, len, content: Content::Constant(v) }
    }

    #[test]
    fn first_listed_region_wins_where_regions_overlap() {
        let r = [constant(0, 4, 1), constant(2, 4, 2), constant(10, 2, 3), constant(0, 20, 4)];
        let segs: Vec<(u64, u64, usize)> = segments(&r).iter().map(|s| (s.start, s.end, s.region)).collect();
        assert_eq!(segs, vec![(0, 4, 0), (4, 6, 1), (6, 10, 3), (10, 12, 2), (12, 20, 3)]);
        let r = [constant(5, 0, 1), constant(5, 5, 2), constant(0, 5, 3)];
        let segs: Vec<(u64, u64, usize)> = segments(&r).iter().map(|s| (s.start, s.end, s.region)).collect();
        assert_eq!(segs, vec![(0, 5, 2), (5, 10, 1)]);
    }

    #[test]
    fn segments_stay_linear_for_many_overlapping_regions() {
        let mut r: Vec<Region> = (0..50_000u64).map(|i| constant(i * 4, 1, 1)).collect();
        r.extend((0..50_000u64).map(|_| constant(0, 200_000, 2)));
        let segs = segments(&r);
        assert_eq!(segs.len(), 100_000);
        assert!(segs.windows(2).all(|w| w[0].end == w[1].start));
    }

    #[test]
    fn fields_follow_gdal() {
        let d = desc(
            "<root><LENGTH> 40 </LENGTH><subfileregion>\
             <filename Relative=\"1\">./a.bin</filename><destinationoffset>+3</destinationoffset>\
             <SourceOffset>7</SourceOffset><RegionLength>2</RegionLength></subfileregion>\
             <ConstantRegion DestinationOffset=\"9\" RegionLength=\"2\" Value=\"-1\"/>\
             <SubfileRegion><Filename relative=\"yes\">/x/b.bin</Filename></SubfileRegion>\
             <ConstantRegion><Filename><x/></Filename><Value>300</Value></ConstantRegion>\
             <Other><RegionLength>5</RegionLength></Other></root>",
        );
        assert_eq!(d.length, 40);
        assert_eq!(d.files, vec!["/vsimem/dir/a.bin".to_string(), "/x/b.bin".to_string()]);
        assert_eq!(d.regions[0], Region { dst: 3, src: 7, len: 2, content: Content::File(0) });
        assert_eq!(d.regions[1], constant(9, 2, 255));
        assert_eq!(d.regions[3].content, Content::Constant(44));
        assert_eq!(d.regions.len(), 4);
        assert_eq!(desc("<a><ConstantRegion><DestinationOffset>5</DestinationOffset><RegionLength>6</RegionLength></ConstantRegion></a>").length, 11);
        assert_eq!(desc("<?xml version=\"1.0\"?><!-- c --><a><Length>7</Length></a>").length, 7);
    }

    #[test]
    fn relative_names_use_the_description_directory() {
        assert_eq!(cpl_get_path("/vsimem/dir/d.xml"), "/vsimem/dir");
        assert_eq!(cpl_get_path("/d.xml"), "/");
        assert_eq!(cpl_get_path("d.xml"), "");
        assert_eq!(form_filename("/", "a"), "/a");
        assert_eq!(form_filename("", "./a"), "a");
    }

    #[test]
    fn hostile_numbers_are_refused_with_a_clear_error() {
        let cases = [
            ("<a><Length>-5</Length></a>", "Length '-5'"),
            ("<a><Length>99999999999999999999999</Length></a>", "Length"),
            ("<a><ConstantRegion><DestinationOffset>-5</DestinationOffset></ConstantRegion></a>", "DestinationOffset '-5' of region 1"),
            ("<a><ConstantRegion><RegionLength>12abc</RegionLength></ConstantRegion></a>", "RegionLength '12abc'"),
            (
                "<a><ConstantRegion><DestinationOffset>18446744073709551610</DestinationOffset><RegionLength>10</RegionLength></ConstantRegion></a>",
                "ends beyond 2^64",
            ),
            (
                "<a><SubfileRegion><Filename>x</Filename><SourceOffset>18446744073709551610</SourceOffset><RegionLength>10</RegionLength></SubfileRegion></a>",
                "beyond 2^64",
            ),
            ("<a><Length>5</Len>", "not a valid XML"),
            ("0123456789", "not a valid XML"),
            ("<!DOCTYPE a [<!ENTITY x \"xx\">]><a>&x;</a>", "not a valid XML"),
        ];
        for (xml, want) in cases {
            let e = Description::parse(xml, "/vsimem/d.xml").unwrap_err();
            assert!(e.message().contains(want), "{xml}: {e}");
            assert_eq!(e.cpl_number(), Some(cple::APP_DEFINED));
        }
        let e = Description::parse(" \n", "/vsimem/d.xml").unwrap_err();
        assert_eq!(e.cpl_number(), None, "an empty file is refused silently, as GDAL");
    }

    #[test]
    fn deeply_nested_xml_does_not_overflow_the_stack() {
        let n = 200_000;
        let xml = format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
        assert_eq!(Description::parse(&xml, "/vsimem/deep.xml").unwrap().length(), 0);
    }

    #[test]
    fn atoi_matches_c() {
        assert_eq!(atoi(" 12abc"), 12);
        assert_eq!(atoi("-1"), -1);
        assert_eq!(atoi("abc"), 0);
        assert_eq!(atoi("99999999999999999999"), i64::MAX);
        assert_eq!(atoi("99999999999999999999") as u8, 255);
    }
}
