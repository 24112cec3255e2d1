//! Directory listings served over HTTP and FTP, parsed as GDAL does: Apache,
//! nginx, IIS and Subversion index pages, FTP `LIST` output (Unix `ls -l`
//! lines) and names-only `NLST`, and S3 `ListBucketResult` documents.
//!
//! The index-page parser follows GDAL's heuristics line by line: a page is
//! a listing once its title names the directory, and then every line with a
//! relative link is an entry, with the date and size Apache or IIS print
//! beside it.

use once_cell::sync::Lazy;
use regex::Regex;

/// One entry of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    /// As the server spells it (an HTML href stays URL-escaped, as in GDAL).
    pub name: String,
    pub is_dir: bool,
    /// Only exact sizes above 0 are reported: listings print `-` or `0` for
    /// unknown, and Apache's rounded `98K` would cut reads short if taken as
    /// 98 (as GDAL takes it).
    pub size: Option<u64>,
    /// Unix time, 0 when unknown.
    pub mtime: i64,
}

const MONTHS: [&str; 12] = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December",
];

fn month_index(name: &str) -> Option<u32> {
    MONTHS.iter().position(|m| m.len() >= 3 && name.len() >= 3 && m[..3].eq_ignore_ascii_case(&name[..3])).map(|i| i as u32)
}

/// Apache/nginx: `17-May-2010 12:26   1234`.
static APACHE_DATE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(\d\d)-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-(\d{4}) (\d\d):(\d\d) *(?:([1-9][0-9]*)(?:\s|<|$))?")
        .expect("valid regex")
});

/// IIS: `Friday, 21 April 2006 12:05 p.m.     48062343`.
static IIS_DATE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"(\d{1,2}) (January|February|March|April|May|June|July|August|September|October|November|December) (\d{4}) +(\d{1,2}):(\d\d) (a\.m\.|p\.m\.) *(?:([1-9][0-9]*)(?:\s|<|$))?",
    )
    .expect("valid regex")
});

/// IIS, US style: `Sunday, June 20, 2010  6:46 PM    233170905`.
static IIS_US_DATE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r", (January|February|March|April|May|June|July|August|September|October|November|December) (\d{1,2}), (\d{4}) +(\d{1,2}):(\d\d) (AM|PM) *(?:([1-9][0-9]*)(?:\s|<|$))?",
    )
    .expect("valid regex")
});

/// The date and size printed on a listing line, as (mtime, size).
fn date_and_size(line: &str) -> Option<(i64, u64)> {
    let num = |s: Option<regex::Match>| s.and_then(|m| m.as_str().parse::<i64>().ok());
    let size = |s: Option<regex::Match>| s.and_then(|m| m.as_str().parse::<u64>().ok()).unwrap_or(0);
    let valid = |d: i64, y: i64, h: i64, mi: i64| (1..=31).contains(&d) && y >= 1900 && (0..=24).contains(&h) && (0..60).contains(&mi);
    if let Some(c) = APACHE_DATE.captures(line) {
        let (d, y, h, mi) = (num(c.get(1))?, num(c.get(3))?, num(c.get(4))?, num(c.get(5))?);
        let m = month_index(c.get(2)?.as_str())?;
        return valid(d, y, h, mi).then(|| (super::unix_time(y, m + 1, d as u32, h as u32, mi as u32, 0), size(c.get(6))));
    }
    if let Some(c) = IIS_DATE.captures(line) {
        let (d, y, mut h, mi) = (num(c.get(1))?, num(c.get(3))?, num(c.get(4))?, num(c.get(5))?);
        if &c[6] == "p.m." {
            h += 12;
        }
        let m = month_index(c.get(2)?.as_str())?;
        return valid(d, y, h, mi).then(|| (super::unix_time(y, m + 1, d as u32, h as u32, mi as u32, 0), size(c.get(7))));
    }
    if let Some(c) = IIS_US_DATE.captures(line) {
        let (d, y, mut h, mi) = (num(c.get(2))?, num(c.get(3))?, num(c.get(4))?, num(c.get(5))?);
        if &c[6] == "PM" {
            h += 12;
        }
        let m = month_index(c.get(1)?.as_str())?;
        return valid(d, y, h, mi).then(|| (super::unix_time(y, m + 1, d as u32, h as u32, mi as u32, 0), size(c.get(7))));
    }
    None
}

/// The path of `url` after its host (`/a/b` of `http://h/a/b`); "" when
/// there is none.
pub fn url_path(url: &str) -> &str {
    for scheme in ["http://", "https://", "ftp://"] {
        if url.len() >= scheme.len() && url[..scheme.len()].eq_ignore_ascii_case(scheme) {
            let rest = &url[scheme.len()..];
            return rest.find('/').map_or("", |i| &rest[i..]);
        }
    }
    ""
}

static LINE_BREAK: Lazy<Regex> = Lazy::new(|| Regex::new(r"(?i)\n|<br>").expect("valid regex"));

/// Parses an HTML index page of the directory at `url` (no trailing `/`).
/// `None` when the page is not a listing; stops after `max_files + 1`
/// entries when `max_files > 0`.
pub fn parse_html(url: &str, page: &str, max_files: usize) -> Option<Vec<ListEntry>> {
    let dir = url_path(url);
    let title_prefix = "<title>Index of ";
    let suffix = format!("{dir}</title>");
    let suffix_slash = format!("{dir}/</title>");
    let ftp_title = format!("FTP Listing of {dir}/");
    let old_apache = format!("<TITLE>Index of {dir}</TITLE>");
    let unescaped_title = dir.contains('%').then(|| format!("{title_prefix}{}</title>", super::percent_decode(dir)));

    let mut entries = Vec::new();
    let mut tables = 0;
    let mut is_listing = false;
    // A line ends at "\n" or "<br>"; GDAL ignores text after the last one.
    let mut start = 0;
    while let Some(end) = LINE_BREAK.find_at(page, start).map(|m| m.start()) {
        let line = &page[start..end];
        start = end + 1;
        if line.contains("<table") {
            tables += 1;
            if tables == 2 {
                return None;
            }
        }
        if !is_listing
            && ((line.contains(title_prefix) && (line.contains(&suffix) || line.contains(&suffix_slash)))
                || line.contains(&ftp_title)
                || line.contains(&old_apache)
                || unescaped_title.as_ref().is_some_and(|t| line.contains(t.as_str())))
        {
            is_listing = true;
        } else if !is_listing && line.contains("<title>") {
            // Subversion ("gdal - Revision 20739: /trunk/x") or IIS ("host - /dir/").
            let sub = line.find(": ").or_else(|| line.find("- "));
            if let Some(i) = sub {
                let rest = &line[i + 2..];
                if let Some(t) = rest.find("</title>") {
                    let mut sub_dir = &rest[..t];
                    if let Some(s) = sub_dir.strip_suffix('/') {
                        sub_dir = s;
                    }
                    if dir.contains(sub_dir) {
                        is_listing = true;
                    }
                }
            }
        } else if is_listing
            && (line.contains("<a href=\"") || line.contains("<A HREF=\""))
            && !line.contains("<a href=\"http://")
            && !line.contains("Parent Directory")
        {
            let at = line.find("<a href=\"").or_else(|| line.find("<A HREF=\"")).unwrap_or(0) + "<a href=\"".len();
            let Some(quote) = line[at..].find('"') else { continue };
            let href = &line[at..at + quote];
            if href.starts_with("?C=") || href.starts_with("?N=") {
                continue;
            }
            let (mtime, size) = date_and_size(line).unwrap_or((0, 0));
            let (href, is_dir) = match href.strip_suffix('/') {
                Some(h) => (h, true),
                None => (href, false),
            };
            // Some servers link from the root: keep the last component.
            let name = href.rsplit('/').next().unwrap_or(href);
            if name.is_empty() || name == "." || name == ".." {
                continue;
            }
            entries.push(ListEntry { name: name.to_string(), is_dir, size: (size > 0).then_some(size), mtime });
            if max_files > 0 && entries.len() > max_files {
                break;
            }
        }
    }
    is_listing.then_some(entries)
}

/// One `ls -l` line of an FTP `LIST`: permissions, links, owner, group,
/// size, month, day, year or time, name (a link's target dropped).
fn parse_ftp_line(line: &str, current_year: i64) -> Option<ListEntry> {
    let mut rest = line.trim_start_matches(' ');
    let mut token = || -> Option<&str> {
        let t = rest.trim_start_matches(' ');
        if t.is_empty() {
            return None;
        }
        let end = t.find(' ').unwrap_or(t.len());
        let (tok, r) = t.split_at(end);
        rest = r.trim_start_matches(' ');
        Some(tok)
    };
    let perms = token()?;
    if perms.len() != 10 {
        return None;
    }
    for _ in 0..3 {
        token()?;
    }
    let size_tok = token()?;
    let kind = perms.as_bytes()[0];
    let size = if kind == b'-' { Some(size_tok.chars().take_while(|c| c.is_ascii_digit()).collect::<String>().parse().unwrap_or(0)) } else { None };
    let month = token()?;
    if month.len() != 3 {
        return None;
    }
    let day = token()?;
    if day.is_empty() || day.len() > 2 {
        return None;
    }
    let year_or_time = token()?;
    if year_or_time.len() != 4 && year_or_time.len() != 5 {
        return None;
    }
    if rest.is_empty() {
        return None;
    }
    let mut name = rest;
    if kind == b'l' {
        if let Some(i) = name.find(" -> ") {
            name = &name[..i];
        }
    }
    let m = month_index(month);
    let d: u32 = day.parse().unwrap_or(0);
    let mtime = match m {
        Some(m) if (1..=31).contains(&d) => {
            if year_or_time.len() == 4 {
                super::unix_time(super::retry::atoi(year_or_time), m + 1, d, 0, 0, 0)
            } else {
                let h = super::retry::atoi(&year_or_time[..2]) as u32;
                let mi = super::retry::atoi(&year_or_time[3..]) as u32;
                super::unix_time(current_year, m + 1, d, h, mi, 0)
            }
        }
        _ => 0,
    };
    Some(ListEntry { name: name.to_string(), is_dir: kind == b'd', size, mtime })
}

/// True when `name` climbs above where it starts (`../x`, `a/../../x`).
pub fn has_unbalanced_traversal(name: &str) -> bool {
    let mut depth: i64 = 0;
    for part in name.split(['/', '\\']) {
        match part {
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            "" | "." => {}
            _ => depth += 1,
        }
    }
    false
}

/// Parses an FTP `LIST` answer. `None` when a line is not in `ls -l` form
/// (GDAL then asks again for names only).
pub fn parse_ftp(text: &str, max_files: usize, current_year: i64) -> Option<Vec<ListEntry>> {
    let mut out = Vec::new();
    let mut lines: Vec<&str> = text.split('\n').collect();
    // Text after the last line break is not a line.
    lines.pop();
    for raw in lines {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let entry = parse_ftp_line(line, current_year)?;
        if entry.name == "." || entry.name == ".." {
            continue;
        }
        if has_unbalanced_traversal(&entry.name) {
            crate::error::cpl_error(
                crate::error::ErrorClass::Warning,
                crate::error::cple::APP_DEFINED,
                &format!("Ignoring '{}' that has a path traversal pattern", entry.name),
            );
            continue;
        }
        out.push(entry);
        if max_files > 0 && out.len() > max_files {
            break;
        }
    }
    Some(out)
}

/// Parses an FTP `NLST` answer: one name per line.
pub fn parse_ftp_names(text: &str) -> Vec<ListEntry> {
    let mut lines: Vec<&str> = text.split('\n').collect();
    lines.pop();
    lines
        .into_iter()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.is_empty() && *l != "." && *l != ".." && !has_unbalanced_traversal(l))
        .map(|l| ListEntry { name: l.to_string(), is_dir: false, size: None, mtime: 0 })
        .collect()
}

/// Parses an S3 `ListBucketResult` served at a plain HTTP URL: the direct
/// children of its prefix. `None` when the document is not one, or is
/// truncated (GDAL then reports no listing).
pub fn parse_s3_xml(text: &str, max_files: usize) -> Option<Vec<ListEntry>> {
    let doc = roxmltree::Document::parse(text).ok()?;
    let root = doc.root_element();
    if root.tag_name().name() != "ListBucketResult" {
        return None;
    }
    let child_text = |n: roxmltree::Node, tag: &str| -> Option<String> {
        n.children().find(|c| c.tag_name().name() == tag).and_then(|c| c.text()).map(str::to_string)
    };
    if child_text(root, "IsTruncated").is_some_and(|t| t.eq_ignore_ascii_case("true")) {
        return None;
    }
    let prefix = child_text(root, "Prefix").unwrap_or_default();
    let ignored = ["GLACIER", "DEEP_ARCHIVE"];
    let mut out: Vec<ListEntry> = Vec::new();
    for node in root.children().filter(|n| n.is_element()) {
        match node.tag_name().name() {
            "Contents" => {
                let Some(key) = child_text(node, "Key") else { continue };
                if child_text(node, "StorageClass").is_some_and(|c| ignored.contains(&c.as_str())) {
                    continue;
                }
                let Some(name) = key.strip_prefix(&prefix) else { continue };
                if name.is_empty() {
                    continue;
                }
                let size = child_text(node, "Size").and_then(|s| s.parse().ok());
                let mtime = child_text(node, "LastModified").and_then(|t| super::parse_iso8601(&t)).unwrap_or(0);
                match name.split_once('/') {
                    None => out.push(ListEntry { name: name.to_string(), is_dir: false, size, mtime }),
                    Some((dir, _)) => {
                        if !out.iter().any(|e| e.name == dir) {
                            out.push(ListEntry { name: dir.to_string(), is_dir: true, size: None, mtime: 0 });
                        }
                    }
                }
            }
            "CommonPrefixes" => {
                let Some(p) = child_text(node, "Prefix") else { continue };
                let name = p.strip_prefix(&prefix).unwrap_or(&p).trim_end_matches('/');
                if !name.is_empty() && !out.iter().any(|e| e.name == name) {
                    out.push(ListEntry { name: name.to_string(), is_dir: true, size: None, mtime: 0 });
                }
            }
            _ => {}
        }
        if max_files > 0 && out.len() > max_files {
            break;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An Apache 2.4 index page (mod_autoindex, default FancyIndexing).
    const APACHE: &str = r#"<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 3.2 Final//EN">
<html>
 <head>
  <title>Index of /gdal/data/gtiff</title>
 </head>
 <body>
<h1>Index of /gdal/data/gtiff</h1>
<pre><img src="/icons/blank.gif" alt="Icon "> <a href="?C=N;O=D">Name</a>                    <a href="?C=M;O=A">Last modified</a>      <a href="?C=S;O=A">Size</a>  <a href="?C=D;O=A">Description</a><hr><img src="/icons/back.gif" alt="[PARENTDIR]"> <a href="/gdal/data/">Parent Directory</a>                             -   
<img src="/icons/folder.gif" alt="[DIR]"> <a href="sub/">sub/</a>                    17-May-2010 12:26    -   
<img src="/icons/image2.gif" alt="[IMG]"> <a href="byte.tif">byte.tif</a>                20-Sep-2012 08:01  736   
<img src="/icons/image2.gif" alt="[IMG]"> <a href="my%20file.tif">my file.tif</a>            01-Jan-2020 00:00  1.2K  
<hr></pre>
</body></html>
"#;

    /// An nginx autoindex page.
    const NGINX: &str = "<html>\r\n<head><title>Index of /data/</title></head>\r\n<body>\r\n<h1>Index of /data/</h1><hr><pre><a href=\"../\">../</a>\r\n<a href=\"dir/\">dir/</a>                                               03-Apr-2016 12:07                   -\r\n<a href=\"a.bin\">a.bin</a>                                              03-Apr-2016 12:07             1000000\r\n</pre><hr></body>\r\n</html>\r\n";

    /// An IIS 6 listing (ortho.linz.govt.nz style).
    const IIS: &str = "<html><head><title>ortho.linz.govt.nz - /tifs/1994_95/</title></head><body><H1>ortho.linz.govt.nz - /tifs/1994_95/</H1><hr>\r\n\r\n<pre><A HREF=\"/tifs/\">[To Parent Directory]</A><br><br>        Friday, 21 April 2006 12:05 p.m.     48062343 <A HREF=\"/tifs/1994_95/m35a_fy_94_95.tif\">m35a_fy_94_95.tif</A><br>       Sunday, June 20, 2010  6:46 PM    233170905 <A HREF=\"/tifs/1994_95/NWF2007LULCForSDE.zip\">NWF2007LULCForSDE.zip</A><br>        Friday, 21 April 2006 12:05 p.m.        &lt;dir&gt; <A HREF=\"/tifs/1994_95/subdir/\">subdir</A><br></pre><hr></body></html>\r\n";

    #[test]
    fn apache_listing_with_dates_and_sizes() {
        let e = parse_html("http://download.osgeo.org/gdal/data/gtiff", APACHE, 0).unwrap();
        let names: Vec<&str> = e.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["sub", "byte.tif", "my%20file.tif"]);
        assert!(e[0].is_dir && e[0].size.is_none());
        assert_eq!(e[0].mtime, 1274099160, "17-May-2010 12:26 UTC");
        assert_eq!((e[1].is_dir, e[1].size), (false, Some(736)));
        assert_eq!(e[2].size, None, "1.2K is no size (GDAL would read 1 and cut reads there)");
    }

    #[test]
    fn nginx_listing_and_trailing_slash_title() {
        let e = parse_html("http://127.0.0.1:8080/data", NGINX, 0).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!((e[0].name.as_str(), e[0].is_dir), ("dir", true));
        assert_eq!((e[1].name.as_str(), e[1].size, e[1].mtime), ("a.bin", Some(1000000), 1459685220));
        assert_eq!(parse_html("http://127.0.0.1:8080/data", NGINX, 1).unwrap().len(), 2, "stops after max + 1");
    }

    #[test]
    fn iis_listing_both_date_styles() {
        let e = parse_html("http://ortho.linz.govt.nz/tifs/1994_95", IIS, 0).unwrap();
        let names: Vec<&str> = e.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["m35a_fy_94_95.tif", "NWF2007LULCForSDE.zip", "subdir"]);
        assert_eq!(e[0].size, Some(48062343));
        assert_eq!(e[0].mtime, super::super::unix_time(2006, 4, 21, 24, 5, 0), "GDAL adds 12 to 12 p.m.");
        assert_eq!((e[1].size, e[1].mtime), (Some(233170905), super::super::unix_time(2010, 6, 20, 18, 46, 0)));
        assert!(e[2].is_dir);
    }

    #[test]
    fn pages_that_are_not_listings() {
        assert!(parse_html("http://h/data", "<html><title>Welcome</title>\n<a href=\"x\">x</a>\n</html>\n", 0).is_none());
        let two_tables = "<title>Index of /d</title>\n<table>\n<table>\n<a href=\"x\">x</a>\n";
        assert!(parse_html("http://h/d", two_tables, 0).is_none());
        let svn = "<html><head><title>gdal - Revision 20739: /trunk/autotest</title></head>\n<li><a href=\"gcore/\">gcore/</a></li>\n";
        assert_eq!(parse_html("http://svn.osgeo.org/gdal/trunk/autotest", svn, 0).unwrap()[0].name, "gcore");
        let escaped = "<title>Index of /a b</title>\n<a href=\"f\">f</a>\n";
        assert_eq!(parse_html("http://h/a%20b", escaped, 0).unwrap().len(), 1);
    }

    #[test]
    fn ftp_list_lines() {
        let text = "-rw-r--r--    1 10003    100           430 Jul 04  2008 COPYING\r\n\
lrwxrwxrwx    1 ftp      ftp            28 Jun 14 14:13 MPlayer -> mirrors/mplayerhq.hu/MPlayer\r\n\
drwxr-xr-x  280 1003  1003  6656 Aug 26 04:17 gnu\r\n\
-rw-r--r--    1 ftp ftp 1 Jan 01  2000 ../escape\r\n";
        let e = parse_ftp(text, 0, 2024).unwrap();
        assert_eq!(e.len(), 3);
        assert_eq!((e[0].name.as_str(), e[0].size, e[0].mtime), ("COPYING", Some(430), super::super::unix_time(2008, 7, 4, 0, 0, 0)));
        assert_eq!(e[1].name, "MPlayer");
        assert!(e[2].is_dir && e[2].size.is_none());
        assert_eq!(e[2].mtime, super::super::unix_time(2024, 8, 26, 4, 17, 0));
        assert!(parse_ftp("total 3\n", 0, 2024).is_none(), "not ls -l: ask for names only");
        assert_eq!(parse_ftp_names("a\r\nb\n.\n").len(), 2);
    }

    #[test]
    fn s3_listing_at_an_http_url() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>dir/</Prefix><IsTruncated>false</IsTruncated>
<Contents><Key>dir/a.tif</Key><LastModified>2020-01-02T03:04:05.000Z</LastModified><Size>12</Size></Contents>
<Contents><Key>dir/cold.tif</Key><Size>1</Size><StorageClass>GLACIER</StorageClass></Contents>
<CommonPrefixes><Prefix>dir/sub/</Prefix></CommonPrefixes></ListBucketResult>"#;
        let e = parse_s3_xml(xml, 0).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!((e[0].name.as_str(), e[0].size, e[0].mtime), ("a.tif", Some(12), super::super::unix_time(2020, 1, 2, 3, 4, 5)));
        assert_eq!((e[1].name.as_str(), e[1].is_dir), ("sub", true));
        assert!(parse_s3_xml(&xml.replace("false", "true"), 0).is_none());
    }

    #[test]
    fn traversal_detection() {
        assert!(has_unbalanced_traversal("../x"));
        assert!(has_unbalanced_traversal("a/../../x"));
        assert!(!has_unbalanced_traversal("a/../x"));
        assert!(!has_unbalanced_traversal("a..b"));
    }
}
