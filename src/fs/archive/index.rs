//! The listing of one archive, built once and shared by every stat,
//! directory listing and open of its members.
//!
//! Names follow GDAL's rules (`GetContentOfArchive`): a leading `./` is
//! dropped, `\` becomes `/`, a trailing `/` marks a directory; names that
//! end up empty, start with `/` or hold `//` are not listed, and neither
//! (unlike GDAL) are names with a `..` component, so no listed name can
//! point outside the archive. The first of duplicate names wins, and every
//! parent directory of a name is listed (an implicit directory, with the
//! time of the entry that introduced it). Lookups are a hash probe and each
//! directory keeps its children in archive order, so a stat or a listing
//! costs the same in an archive of ten entries or of a million.

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};

use crate::error::{Error, ErrorKind, Result};

/// No entry (end of a child list, or no member behind an implicit directory).
pub const NONE: u32 = u32::MAX;

/// One listed name.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    name_start: u32,
    name_len: u32,
    first_child: u32,
    next_sibling: u32,
    /// The member behind the name; [`NONE`] for an implicit directory.
    pub member: u32,
    pub is_dir: bool,
    pub size: u64,
    pub mtime: i64,
}

/// One of the first members as the archive stores them, before any name
/// rule: what GDAL's single-file shortcut looks at.
#[derive(Debug, Clone)]
pub struct Head {
    pub raw_name: String,
    pub member: u32,
    pub size: u64,
    pub mtime: i64,
}

impl Head {
    /// A leading directory entry the single-file rule skips.
    pub fn is_dir_like(&self) -> bool {
        self.raw_name.is_empty() || self.raw_name.ends_with(['/', '\\'])
    }
}

/// The listing of an archive, with the format's record of each member.
pub struct Listing<M> {
    names: String,
    entries: Vec<Entry>,
    table: HashTable<u32>,
    hasher: DefaultHashBuilder,
    root_first_child: u32,
    members: Vec<M>,
    head: Vec<Head>,
}

impl<M> Listing<M> {
    fn name_of(&self, e: &Entry) -> &str {
        &self.names[e.name_start as usize..(e.name_start + e.name_len) as usize]
    }

    /// The full name of entry `i`.
    pub fn name(&self, i: u32) -> &str {
        self.name_of(&self.entries[i as usize])
    }

    pub fn entry(&self, i: u32) -> &Entry {
        &self.entries[i as usize]
    }

    /// The entry of `name` (exact, case-sensitive).
    pub fn find(&self, name: &str) -> Option<u32> {
        let h = self.hasher.hash_one(name);
        self.table.find(h, |&i| self.name(i) == name).copied()
    }

    /// Entries directly below `dir` (`None`: the root), in archive order.
    pub fn children(&self, dir: Option<u32>) -> impl Iterator<Item = u32> + '_ {
        let mut next = match dir {
            None => self.root_first_child,
            Some(d) => self.entries[d as usize].first_child,
        };
        std::iter::from_fn(move || {
            (next != NONE).then(|| {
                let i = next;
                next = self.entries[i as usize].next_sibling;
                i
            })
        })
    }

    /// The last component of entry `i`'s name.
    pub fn base_name(&self, i: u32) -> &str {
        let n = self.name(i);
        n.rsplit('/').next().unwrap_or(n)
    }

    /// Every listed entry, in listing order.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn member(&self, m: u32) -> &M {
        &self.members[m as usize]
    }

    pub fn members(&self) -> &[M] {
        &self.members
    }

    /// The first (up to three) members as stored.
    pub fn head(&self) -> &[Head] {
        &self.head
    }

    /// How many members the archive holds, listed or not.
    pub fn member_count(&self) -> usize {
        self.members.len()
    }
}

/// Collects the members of an archive in the order the format reads them.
pub struct ListingBuilder<M> {
    listing: Listing<M>,
    /// Last child of each entry (and of the root, at the end), for appending
    /// in archive order.
    last_child: Vec<u32>,
    root_last_child: u32,
}

impl<M> Default for ListingBuilder<M> {
    fn default() -> Self {
        ListingBuilder::new()
    }
}

impl<M> ListingBuilder<M> {
    pub fn new() -> ListingBuilder<M> {
        ListingBuilder {
            listing: Listing {
                names: String::new(),
                entries: Vec::new(),
                table: HashTable::new(),
                hasher: DefaultHashBuilder::default(),
                root_first_child: NONE,
                members: Vec::new(),
                head: Vec::new(),
            },
            last_child: Vec::new(),
            root_last_child: NONE,
        }
    }

    /// Members added so far.
    pub fn member_count(&self) -> usize {
        self.listing.members.len()
    }

    /// Adds the next member of the archive under its stored name.
    pub fn push(&mut self, raw_name: &str, size: u64, mtime: i64, member: M) -> Result<()> {
        let l = &mut self.listing;
        if l.members.len() >= NONE as usize - 1 {
            return Err(Error::new(ErrorKind::Unsupported, "too many members in archive"));
        }
        let m = l.members.len() as u32;
        l.members.push(member);
        if l.head.len() < 3 {
            l.head.push(Head { raw_name: raw_name.to_string(), member: m, size, mtime });
        }
        let Some((name, is_dir)) = stripped(raw_name) else { return Ok(()) };
        if name.is_empty() || name.starts_with('/') || name.contains("//") {
            return Ok(());
        }
        if name.split('/').any(|c| c == "..") {
            crate::error::debug("VSIArchive", &format!("ignoring member {name}: it names a parent directory"));
            return Ok(());
        }
        if self.listing.find(&name).is_some() {
            return Ok(());
        }
        for (k, _) in name.match_indices('/') {
            if self.listing.find(&name[..k]).is_none() {
                self.add(&name[..k], Entry::new(NONE, true, 0, mtime))?;
            }
        }
        self.add(&name, Entry::new(m, is_dir, size, mtime))
    }

    fn add(&mut self, name: &str, mut entry: Entry) -> Result<()> {
        let l = &mut self.listing;
        let too_big = || Error::new(ErrorKind::Unsupported, "archive names too long in total");
        entry.name_start = u32::try_from(l.names.len()).map_err(|_| too_big())?;
        entry.name_len = u32::try_from(name.len()).map_err(|_| too_big())?;
        if u32::try_from(l.names.len() + name.len()).is_err() {
            return Err(too_big());
        }
        l.names.push_str(name);
        let i = l.entries.len() as u32;
        let parent = match name.rfind('/') {
            Some(k) => l.find(&name[..k]),
            None => None,
        };
        l.entries.push(entry);
        self.last_child.push(NONE);
        match parent {
            None => {
                if self.root_last_child == NONE {
                    l.root_first_child = i;
                } else {
                    l.entries[self.root_last_child as usize].next_sibling = i;
                }
                self.root_last_child = i;
            }
            Some(p) => {
                let last = self.last_child[p as usize];
                if last == NONE {
                    l.entries[p as usize].first_child = i;
                } else {
                    l.entries[last as usize].next_sibling = i;
                }
                self.last_child[p as usize] = i;
            }
        }
        let Listing { table, hasher, names, entries, .. } = l;
        let h = hasher.hash_one(name);
        table.insert_unique(h, i, |&j| {
            let e = &entries[j as usize];
            hasher.hash_one(&names[e.name_start as usize..(e.name_start + e.name_len) as usize])
        });
        Ok(())
    }

    pub fn finish(mut self) -> Listing<M> {
        self.listing.names.shrink_to_fit();
        self.listing.entries.shrink_to_fit();
        self.listing.members.shrink_to_fit();
        self.listing
    }
}

impl Entry {
    fn new(member: u32, is_dir: bool, size: u64, mtime: i64) -> Entry {
        Entry { name_start: 0, name_len: 0, first_child: NONE, next_sibling: NONE, member, is_dir, size, mtime }
    }
}

/// GDAL's `GetStrippedFilename`: `None` for a bare `./`. The directory mark
/// is read before `\` is turned into `/`, as GDAL does.
fn stripped(raw: &str) -> Option<(String, bool)> {
    let name = match raw.strip_prefix("./") {
        Some("") => return None,
        Some(rest) => rest,
        None => raw,
    };
    let is_dir = name.ends_with('/');
    let mut s = name.replace('\\', "/");
    if is_dir {
        s.pop();
    }
    Some((s, is_dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(names: &[&str]) -> Listing<usize> {
        let mut b = ListingBuilder::new();
        for (i, n) in names.iter().enumerate() {
            b.push(n, i as u64 * 10, i as i64, i).unwrap();
        }
        b.finish()
    }

    fn kids(l: &Listing<usize>, dir: Option<&str>) -> Vec<String> {
        let d = dir.map(|d| l.find(d).unwrap());
        l.children(d).map(|i| l.base_name(i).to_string()).collect()
    }

    #[test]
    fn applies_gdal_name_rules() {
        let l = build(&["./a.txt", "d/", "d/x", "e/f/g.txt", "/abs", "x//y", "./", "a.txt", "w\\v.txt", "../up", "q/../../up"]);
        assert_eq!(kids(&l, None), ["a.txt", "d", "e", "w"]);
        assert_eq!(kids(&l, Some("d")), ["x"]);
        assert_eq!(kids(&l, Some("e")), ["f"]);
        assert_eq!(kids(&l, Some("e/f")), ["g.txt"]);
        assert_eq!(kids(&l, Some("w")), ["v.txt"]);
        // The first duplicate wins.
        let a = l.entry(l.find("a.txt").unwrap());
        assert_eq!((a.size, a.member), (0, 0));
        // Implicit directories take the time of the entry that made them.
        let e = l.entry(l.find("e/f").unwrap());
        assert!(e.is_dir && e.member == NONE && e.mtime == 3);
        assert!(l.find("/abs").is_none() && l.find("x//y").is_none() && l.find("x").is_none());
        assert!(l.find("..").is_none() && l.find("../up").is_none() && l.find("q").is_none());
        assert_eq!(l.member_count(), 11);
        assert_eq!(l.head().len(), 3);
        assert!(!l.head()[0].is_dir_like() && l.head()[1].is_dir_like());
    }

    #[test]
    fn a_trailing_backslash_is_not_a_directory_mark() {
        let l = build(&["dir\\"]);
        // As GDAL: the name becomes "dir/", a file, below an implicit "dir".
        assert!(l.find("dir").is_some_and(|i| l.entry(i).is_dir));
        assert!(l.find("dir/").is_some_and(|i| !l.entry(i).is_dir));
    }

    #[test]
    fn lookups_scale_to_many_members() {
        let names: Vec<String> = (0..20000).map(|i| format!("dir{}/f{i}.txt", i % 7)).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let l = build(&refs);
        assert_eq!(l.len(), 20007);
        assert_eq!(l.entry(l.find("dir3/f10.txt").unwrap()).member, 10);
        assert_eq!(kids(&l, Some("dir0")).len(), 2858);
    }
}
