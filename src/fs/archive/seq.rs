//! Forward reading of an archive's structures (a zip central directory,
//! tar headers) from a positional source, through one buffer, so that
//! thousands of small records cost a few large reads.

use crate::error::{Error, ErrorKind, Result};
use crate::io::ReadAt;

const CHUNK: usize = 256 * 1024;

pub struct SeqReader<'a> {
    src: &'a dyn ReadAt,
    buf: Vec<u8>,
    /// Source offset of `buf[0]`.
    buf_start: u64,
    /// Bytes of `buf` that hold data.
    buf_len: usize,
    pos: u64,
}

impl<'a> SeqReader<'a> {
    pub fn new(src: &'a dyn ReadAt, pos: u64) -> SeqReader<'a> {
        SeqReader { src, buf: Vec::new(), buf_start: pos, buf_len: 0, pos }
    }

    pub fn pos(&self) -> u64 {
        self.pos
    }

    /// Moves forward or backward to `pos`.
    pub fn seek(&mut self, pos: u64) {
        self.pos = pos;
    }

    /// The next `n` bytes, or `None` when the source ends first.
    pub fn take(&mut self, n: usize) -> Result<Option<&[u8]>> {
        let end = self.pos.checked_add(n as u64).ok_or_else(|| Error::new(ErrorKind::InvalidInput, "offset overflow"))?;
        let have = self.pos >= self.buf_start && end <= self.buf_start + self.buf_len as u64;
        if !have {
            let want = n.max(CHUNK);
            if self.buf.len() < want {
                self.buf.resize(want, 0);
            }
            let got = crate::io::read_full_at(self.src, self.pos, &mut self.buf[..want])?;
            self.buf_start = self.pos;
            self.buf_len = got;
            if got < n {
                return Ok(None);
            }
        }
        let from = (self.pos - self.buf_start) as usize;
        self.pos = end;
        Ok(Some(&self.buf[from..from + n]))
    }
}
