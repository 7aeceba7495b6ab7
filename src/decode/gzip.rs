//! gzip container parsing (RFC 1952) around miniz_oxide's raw inflate, with an output cap
//! and progress reports. Multi-member streams (concatenated gzip files) are read whole.

use super::error::{DecodeError, Progress, Stage};
use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;

/// Does this start with the gzip magic?
pub fn is_gzip(b: &[u8]) -> bool {
    b.len() >= 2 && b[0] == 0x1f && b[1] == 0x8b
}

const CHUNK: usize = 1 << 20;

/// The size a gzip file of `file_len` bytes probably inflates to, from its last 4 bytes
/// (the last member's size field, mod 2^32), when that is a size a profile could have: at
/// most `cap`, and between half and 16 times the file (a truncated file ends in arbitrary
/// bytes). A hint only: it sizes buffers, and decides nothing.
pub fn size_hint(file_len: usize, trailer: [u8; 4], cap: usize) -> Option<usize> {
    let hint = u32::from_le_bytes(trailer) as usize;
    (file_len >= 18 && hint <= cap && hint >= file_len / 2 && hint <= file_len.saturating_mul(16)).then_some(hint)
}
/// History a deflate stream may refer back to.
const HISTORY: usize = 32 << 10;

/// Decompresses a whole gzip file, refusing to produce more than `cap` bytes.
pub fn gunzip(input: &[u8], cap: usize, progress: &mut dyn Progress) -> Result<Vec<u8>, DecodeError> {
    let mut gz = GzInflater::whole(cap);
    // Size from the last member's trailer (ISIZE, mod 2^32) as a capacity hint only: a
    // truncated file ends in arbitrary bytes.
    if input.len() >= 18 {
        let n = input.len();
        let isize = u32::from_le_bytes([input[n - 4], input[n - 3], input[n - 2], input[n - 1]]) as usize;
        if isize <= cap && isize <= input.len().saturating_mul(32) {
            gz.win.reserve_exact(isize + 64);
        }
    }
    let total = input.len().max(1) as f64;
    let mut at = 0;
    loop {
        let end = (at + CHUNK).min(input.len());
        gz.feed(&input[at..end], end == input.len(), &mut |_| {})?;
        at = end;
        if at == input.len() {
            return Ok(gz.into_output());
        }
        if !progress.report(Stage::Inflating, at as f64 / total) {
            return Err(DecodeError::Cancelled);
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    /// A member header is next.
    Header,
    /// Inside a member's deflate data.
    Body,
    /// The 8-byte CRC/size trailer is next.
    Trailer,
    /// A member ended: another one or trailing bytes follow.
    Between,
    /// Trailing bytes after the last member, ignored like gzip(1) does (with a warning).
    Garbage,
}

/// A gzip stream (RFC 1952, multi-member) inflated as its compressed bytes arrive, in pieces
/// of any size: a header, trailer or magic split over two pieces is held back until whole.
///
/// [`GzInflater::streaming`] hands the output on through `emit` and keeps only the last
/// 32 KiB of history plus one chunk, so a file of any size inflates in bounded memory;
/// [`GzInflater::whole`] keeps everything (that is [`gunzip`]). Both check each member's
/// CRC-32 and length, and refuse output past `cap`.
pub struct GzInflater {
    cap: usize,
    /// Compressed bytes received so far.
    received: usize,
    part: Part,
    /// The tail of the input received so far that is not used yet (a split header…).
    held: Vec<u8>,
    d: Box<DecompressorOxide>,
    /// Output: history, then output not yet handed on (from `flushed`), up to `pos`.
    win: Vec<u8>,
    pos: usize,
    flushed: usize,
    /// Output bytes over all members.
    total_out: usize,
    member_out: usize,
    crc: u32,
    members: usize,
    keep_all: bool,
}

impl GzInflater {
    /// An inflater that keeps the whole output ([`GzInflater::into_output`]).
    pub fn whole(cap: usize) -> GzInflater {
        GzInflater::new(cap, true, 0)
    }

    /// An inflater that hands output on in pieces of at most `chunk` + 32 KiB bytes (the
    /// history is only kept once there is that much) and keeps only what back-references need.
    pub fn streaming(cap: usize, chunk: usize) -> GzInflater {
        GzInflater::new(cap, false, HISTORY + chunk.max(HISTORY))
    }

    fn new(cap: usize, keep_all: bool, window: usize) -> GzInflater {
        GzInflater {
            cap,
            received: 0,
            part: Part::Header,
            held: Vec::new(),
            d: Box::default(),
            win: vec![0; window],
            pos: 0,
            flushed: 0,
            total_out: 0,
            member_out: 0,
            crc: 0,
            members: 0,
            keep_all,
        }
    }

    /// Output bytes produced so far.
    pub fn produced(&self) -> usize {
        self.total_out
    }

    /// The whole output of an inflater made by [`GzInflater::whole`].
    pub fn into_output(mut self) -> Vec<u8> {
        self.win.truncate(self.pos);
        self.win
    }

    /// Takes the next piece of compressed input (`last`: no more follows) and hands on the
    /// output it completes. With `last`, a stream that has not ended is an error.
    pub fn feed(&mut self, input: &[u8], last: bool, emit: &mut dyn FnMut(&[u8])) -> Result<(), DecodeError> {
        let joined;
        let data: &[u8] = if self.held.is_empty() {
            input
        } else {
            let mut j = std::mem::take(&mut self.held);
            j.extend_from_slice(input);
            joined = j;
            &joined
        };
        // Offset of `data[0]` in the whole compressed stream.
        let base = self.received + input.len() - data.len();
        self.received += input.len();
        let truncated = DecodeError::TruncatedGzip(self.received);
        let mut i = 0;
        loop {
            let rest = &data[i..];
            match self.part {
                Part::Header => {
                    if rest.is_empty() && (!last || self.members > 0) {
                        break;
                    }
                    match header_len(rest) {
                        Ok(n) => {
                            i += n;
                            self.part = Part::Body;
                            *self.d = DecompressorOxide::default();
                            self.crc = 0;
                            self.member_out = 0;
                        }
                        Err(DecodeError::TruncatedGzip(_)) if !last => {
                            self.held = rest.to_vec();
                            break;
                        }
                        Err(DecodeError::TruncatedGzip(_)) => return Err(truncated),
                        Err(DecodeError::BadGzip { offset, what }) => return Err(DecodeError::BadGzip { offset: base + i + offset, what }),
                        Err(e) => return Err(e),
                    }
                }
                Part::Body => {
                    let (used, ended) = self.inflate(rest, base + i, last, emit)?;
                    i += used;
                    if !ended {
                        break;
                    }
                    self.part = Part::Trailer;
                }
                Part::Trailer => {
                    if rest.len() < 8 {
                        if last {
                            return Err(truncated);
                        }
                        self.held = rest.to_vec();
                        break;
                    }
                    // CRC-32 and size of this member's data, checked as gzip(1) and Go do.
                    let crc = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
                    let size = u32::from_le_bytes([rest[4], rest[5], rest[6], rest[7]]);
                    if self.crc != crc {
                        return Err(DecodeError::BadGzip { offset: base + i, what: "checksum mismatch (the file is damaged)".into() });
                    }
                    if self.member_out as u32 != size {
                        return Err(DecodeError::BadGzip { offset: base + i + 4, what: "length mismatch (the file is damaged)".into() });
                    }
                    i += 8;
                    self.members += 1;
                    self.part = Part::Between;
                }
                Part::Between => {
                    if rest.len() < 2 {
                        if !last {
                            self.held = rest.to_vec();
                        }
                        break;
                    }
                    self.part = if is_gzip(rest) { Part::Header } else { Part::Garbage };
                }
                Part::Garbage => break,
            }
        }
        if !self.keep_all && self.pos > self.flushed {
            emit(&self.win[self.flushed..self.pos]);
            self.flushed = self.pos;
        }
        Ok(())
    }

    /// Inflates from `input` (which starts at compressed offset `at`) until the member's
    /// deflate data ends or the input runs out. Returns the bytes used and whether it ended.
    fn inflate(&mut self, input: &[u8], at: usize, last: bool, emit: &mut dyn FnMut(&[u8])) -> Result<(usize, bool), DecodeError> {
        let mut used = 0;
        loop {
            self.make_room(emit)?;
            let mut flags = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
            if !last {
                flags |= inflate_flags::TINFL_FLAG_HAS_MORE_INPUT;
            }
            let (status, n_in, n_out) = decompress(&mut self.d, &input[used..], &mut self.win, self.pos, flags);
            self.crc = crc32_update(self.crc, &self.win[self.pos..self.pos + n_out]);
            used += n_in;
            self.pos += n_out;
            self.total_out += n_out;
            self.member_out += n_out;
            if self.total_out > self.cap {
                self.win = Vec::new();
                return Err(DecodeError::TooLarge { limit_mb: self.cap >> 20 });
            }
            match status {
                TINFLStatus::Done => return Ok((used, true)),
                TINFLStatus::HasMoreOutput => {}
                TINFLStatus::NeedsMoreInput if !last => return Ok((used, false)),
                TINFLStatus::NeedsMoreInput | TINFLStatus::FailedCannotMakeProgress => {
                    return Err(DecodeError::TruncatedGzip(self.received))
                }
                other => return Err(DecodeError::BadGzip { offset: at + used, what: format!("{other:?}") }),
            }
        }
    }

    /// Makes room for more output: grows the buffer (whole) or hands on what is new and keeps
    /// the last 32 KiB as history (streaming).
    fn make_room(&mut self, emit: &mut dyn FnMut(&[u8])) -> Result<(), DecodeError> {
        if self.pos < self.win.len() {
            return Ok(());
        }
        if self.keep_all {
            // Up to the capacity reserved from the size hint, else doubling.
            let len = self.win.len();
            let most = self.cap.saturating_add(1);
            let mut to = if self.win.capacity() > len {
                self.win.capacity()
            } else {
                // Doubling; past half the cap the next doubling could only overshoot it, so
                // go to the cap in one step (one copy of the buffer, not two).
                let double = len.saturating_add(len.max(CHUNK));
                if double > most / 2 {
                    most
                } else {
                    double
                }
            };
            to = to.min(most);
            if to <= len {
                return Err(DecodeError::TooLarge { limit_mb: self.cap >> 20 });
            }
            self.win.reserve_exact(to - len);
            self.win.resize(to, 0);
        } else {
            emit(&self.win[self.flushed..self.pos]);
            let keep = HISTORY.min(self.pos);
            self.win.copy_within(self.pos - keep..self.pos, 0);
            self.pos = keep;
            self.flushed = keep;
        }
        Ok(())
    }
}

/// Length of a gzip member header.
fn header_len(b: &[u8]) -> Result<usize, DecodeError> {
    let trunc = || DecodeError::TruncatedGzip(b.len());
    if b.len() < 10 {
        return Err(trunc());
    }
    if b[..2] != [0x1f, 0x8b] {
        return Err(DecodeError::BadGzip { offset: 0, what: "not a gzip header".into() });
    }
    if b[2] != 8 {
        return Err(DecodeError::BadGzip { offset: 2, what: format!("unknown compression method {}", b[2]) });
    }
    let flg = b[3];
    if flg & 0xe0 != 0 {
        return Err(DecodeError::BadGzip { offset: 3, what: "reserved header flags set".into() });
    }
    let mut p = 10;
    if flg & 0x04 != 0 {
        if b.len() < p + 2 {
            return Err(trunc());
        }
        let xlen = u16::from_le_bytes([b[p], b[p + 1]]) as usize;
        p += 2 + xlen;
    }
    for bit in [0x08u8, 0x10] {
        if flg & bit != 0 {
            match b.get(p..).and_then(|r| r.iter().position(|&c| c == 0)) {
                Some(z) => p += z + 1,
                None => return Err(trunc()),
            }
        }
    }
    if flg & 0x02 != 0 {
        p += 2;
    }
    if p > b.len() {
        return Err(trunc());
    }
    Ok(p)
}

/// CRC-32 (IEEE), slice-by-8.
pub fn crc32(data: &[u8]) -> u32 {
    crc32_update(0, data)
}

/// Continues a CRC-32: `crc32_update(crc32(a), b) == crc32(a ++ b)`.
pub fn crc32_update(crc: u32, data: &[u8]) -> u32 {
    static TABLES: std::sync::OnceLock<Box<[[u32; 256]; 8]>> = std::sync::OnceLock::new();
    let t = TABLES.get_or_init(|| {
        let mut t = Box::new([[0u32; 256]; 8]);
        for i in 0..256u32 {
            let mut c = i;
            for _ in 0..8 {
                c = if c & 1 != 0 { 0xedb8_8320 ^ (c >> 1) } else { c >> 1 };
            }
            t[0][i as usize] = c;
        }
        for i in 0..256 {
            for k in 1..8 {
                let prev = t[k - 1][i];
                t[k][i] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
            }
        }
        t
    });
    let mut crc = !crc;
    let mut chunks = data.chunks_exact(8);
    for c in &mut chunks {
        let lo = u32::from_le_bytes([c[0], c[1], c[2], c[3]]) ^ crc;
        let hi = u32::from_le_bytes([c[4], c[5], c[6], c[7]]);
        crc = t[7][(lo & 0xff) as usize]
            ^ t[6][((lo >> 8) & 0xff) as usize]
            ^ t[5][((lo >> 16) & 0xff) as usize]
            ^ t[4][(lo >> 24) as usize]
            ^ t[3][(hi & 0xff) as usize]
            ^ t[2][((hi >> 8) & 0xff) as usize]
            ^ t[1][((hi >> 16) & 0xff) as usize]
            ^ t[0][(hi >> 24) as usize];
    }
    for &b in chunks.remainder() {
        crc = t[0][((crc ^ b as u32) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

#[cfg(test)]
mod tests {
    #[test]
    fn crc32_known_values() {
        assert_eq!(super::crc32(b""), 0);
        assert_eq!(super::crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(super::crc32(b"The quick brown fox jumps over the lazy dog"), 0x414f_a339);
    }
}
