//! gzip container parsing (RFC 1952) around miniz_oxide's raw inflate, with an output cap
//! and progress reports. Multi-member streams (concatenated gzip files) are read whole.

use super::{DecodeError, Progress, Stage};
use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;

/// Does this start with the gzip magic?
pub fn is_gzip(b: &[u8]) -> bool {
    b.len() >= 2 && b[0] == 0x1f && b[1] == 0x8b
}

const CHUNK: usize = 1 << 20;

/// Decompresses a whole gzip file, refusing to produce more than `cap` bytes.
pub fn gunzip(input: &[u8], cap: usize, progress: &mut dyn Progress) -> Result<Vec<u8>, DecodeError> {
    let mut out: Vec<u8> = Vec::new();
    let mut pos = 0usize;
    // Size from the last member's trailer (ISIZE, mod 2^32) as a capacity hint only: a
    // truncated file ends in arbitrary bytes.
    if input.len() >= 18 {
        let n = input.len();
        let isize = u32::from_le_bytes([input[n - 4], input[n - 3], input[n - 2], input[n - 1]]) as usize;
        if isize <= cap && isize <= input.len().saturating_mul(32) {
            out.reserve_exact(isize);
        }
    }
    let mut member = 0;
    while pos < input.len() {
        if member > 0 && !is_gzip(&input[pos..]) {
            // Trailing garbage after a complete member: ignored, like gzip(1) with a warning.
            break;
        }
        let body = header_len(&input[pos..]).map_err(|e| shift(e, pos))? + pos;
        let start = out.len();
        let used = inflate_raw(input, body, cap, &mut out, progress)?;
        if used + 8 > input.len() {
            return Err(DecodeError::TruncatedGzip(input.len()));
        }
        // The trailer: CRC32 and size of this member's data, as gzip(1) and Go check them.
        let t = &input[used..used + 8];
        let crc = u32::from_le_bytes([t[0], t[1], t[2], t[3]]);
        let size = u32::from_le_bytes([t[4], t[5], t[6], t[7]]);
        if crc32(&out[start..]) != crc {
            return Err(DecodeError::BadGzip { offset: used, what: "checksum mismatch (the file is damaged)".into() });
        }
        if (out.len() - start) as u32 != size {
            return Err(DecodeError::BadGzip { offset: used + 4, what: "length mismatch (the file is damaged)".into() });
        }
        pos = used + 8;
        member += 1;
    }
    Ok(out)
}

fn shift(e: DecodeError, by: usize) -> DecodeError {
    match e {
        DecodeError::BadGzip { offset, what } => DecodeError::BadGzip { offset: offset + by, what },
        DecodeError::TruncatedGzip(_) => DecodeError::TruncatedGzip(by),
        e => e,
    }
}

/// Length of a gzip member header.
fn header_len(b: &[u8]) -> Result<usize, DecodeError> {
    let trunc = || DecodeError::TruncatedGzip(b.len());
    if b.len() < 10 {
        return Err(trunc());
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

/// Inflates the raw deflate stream starting at `start`, appending to `out`. Returns the input
/// offset just past the deflate data.
fn inflate_raw(
    input: &[u8],
    start: usize,
    cap: usize,
    out: &mut Vec<u8>,
    progress: &mut dyn Progress,
) -> Result<usize, DecodeError> {
    let mut d = Box::<DecompressorOxide>::default();
    let mut in_pos = start;
    let mut out_pos = out.len();
    if out.capacity() - out.len() < CHUNK {
        out.reserve(CHUNK.max(out.len() / 2));
    }
    out.resize(out.capacity().min(cap.saturating_add(1)).max(out_pos + 1), 0);
    let total = input.len().max(1) as f64;
    loop {
        let end = (in_pos + CHUNK).min(input.len());
        let more = end < input.len();
        let mut flags = inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
        if more {
            flags |= inflate_flags::TINFL_FLAG_HAS_MORE_INPUT;
        }
        let (status, n_in, n_out) = decompress(&mut d, &input[in_pos..end], out, out_pos, flags);
        in_pos += n_in;
        out_pos += n_out;
        if out_pos > cap {
            out.clear();
            return Err(DecodeError::TooLarge { limit_mb: cap >> 20 });
        }
        match status {
            TINFLStatus::Done => {
                out.truncate(out_pos);
                return Ok(in_pos);
            }
            TINFLStatus::HasMoreOutput => {
                if out_pos >= cap {
                    out.clear();
                    return Err(DecodeError::TooLarge { limit_mb: cap >> 20 });
                }
                let grow = out.len().max(CHUNK).min(cap + 1 - out.len());
                out.resize(out.len() + grow, 0);
            }
            TINFLStatus::NeedsMoreInput => {
                if !more {
                    return Err(DecodeError::TruncatedGzip(input.len()));
                }
                if !progress.report(Stage::Inflating, in_pos as f64 / total) {
                    return Err(DecodeError::Cancelled);
                }
            }
            TINFLStatus::FailedCannotMakeProgress => return Err(DecodeError::TruncatedGzip(input.len())),
            other => {
                return Err(DecodeError::BadGzip { offset: in_pos, what: format!("{other:?}") });
            }
        }
    }
}

/// CRC-32 (IEEE), slice-by-8.
pub fn crc32(data: &[u8]) -> u32 {
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
    let mut crc = !0u32;
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
