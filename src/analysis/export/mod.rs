//! Exports: what the page hands out of a profile, as files other tools open. Pure encoders
//! over the model; the engine picks the profile (refined, merged, a diff's two sides) and the
//! page downloads the bytes.
//!
//! - [`pprof`]: a gzipped `profile.proto` (`go tool pprof` reads it; a diff as pprof's own
//!   `-diff_base` merge, base samples negated and labelled `pprof::base`).
//! - [`folded`]: folded stacks, root first (`main;f;g 123`), as inferno, flamegraph.pl and
//!   speedscope read them.
//! - [`csv`]: the top, diff, leak and label tables, exact integers.
//! - [`svg`]: a standalone, interactive flame graph.

pub mod csv;
pub mod folded;
pub mod pprof;
pub mod svg;

/// Standard base64 (RFC 4648, with padding): binary files cross from the worker to the page
/// inside JSON text.
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        out.push(A[(n >> 18) as usize & 63] as char);
        out.push(A[(n >> 12) as usize & 63] as char);
        out.push(if c.len() > 1 { A[(n >> 6) as usize & 63] as char } else { '=' });
        out.push(if c.len() > 2 { A[n as usize & 63] as char } else { '=' });
    }
    out
}

/// The inverse of [`base64`]; `None` for text that is not standard base64.
pub fn unbase64(text: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let b = text.as_bytes();
    if !b.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(b.len() / 4 * 3);
    for c in b.chunks(4) {
        let pad = c.iter().rev().take_while(|&&x| x == b'=').count();
        if pad > 2 {
            return None;
        }
        let mut n = 0u32;
        for &x in &c[..4 - pad] {
            n = n << 6 | val(x)?;
        }
        n <<= 6 * pad as u32;
        out.push((n >> 16) as u8);
        if pad < 2 {
            out.push((n >> 8) as u8);
        }
        if pad < 1 {
            out.push(n as u8);
        }
    }
    Some(out)
}

/// A file name made safe to offer for download: the profile's display name without what a
/// file system refuses (`/`, `\`, control characters, …), never empty.
pub fn file_stem(name: &str) -> String {
    let stem = name.trim_end_matches(".gz").trim_end_matches(".pb").trim_end_matches(".pprof");
    let s: String = stem.chars().map(|c| if c.is_control() || "/\\:*?\"<>|".contains(c) { '_' } else { c }).collect();
    let s = s.trim_matches(|c: char| c == '.' || c.is_whitespace()).to_string();
    if s.is_empty() {
        "profile".to_string()
    } else {
        s.chars().take(100).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        // RFC 4648 section 10.
        for (plain, enc) in
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]
        {
            assert_eq!(base64(plain.as_bytes()), enc);
            assert_eq!(unbase64(enc).unwrap(), plain.as_bytes());
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(unbase64(&base64(&all)).unwrap(), all);
        assert!(unbase64("Zm9").is_none());
        assert!(unbase64("Z!9v").is_none());
    }

    #[test]
    fn file_stems_are_safe() {
        assert_eq!(file_stem("heap.pb.gz"), "heap");
        assert_eq!(file_stem("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(file_stem("a\nb<c>.pb.gz (2)"), "a_b_c_.pb.gz (2)");
        assert_eq!(file_stem(".."), "profile");
    }
}
