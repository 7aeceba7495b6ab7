//! pprof's legacy binary CPU profiles (`profilez`, gperftools' `CPUPROFILE` files, Go's CPU
//! profiles before Go 1.9), read as pprof's `parseCPU` reads them.
//!
//! Words of 32 or 64 bits in either byte order (the header tells which): the header
//! `0, 3, 0 (C++) or 1 (Java), period in µs, 0`; then records `count, depth, address…`; the
//! trailer `0, 1, 0`; then text: the memory map (C++, Go) or the symbol table (Java). For
//! C++ and Go, a caller frame that nearly every sample shares (pushed by the signal handler)
//! is removed, up to twice, and so is a leaf duplicated by the unwinder, as pprof does.

use super::error::{DecodeError, Limits};
use super::legacy::{frame_info, vt, JavaSymbols, Legacy, MapParser};
use crate::model::Profile;

/// A word reader: the word size and byte order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Word {
    bytes: usize,
    big: bool,
}

/// The four word kinds in pprof's order of trying.
const WORDS: [Word; 4] =
    [Word { bytes: 4, big: false }, Word { bytes: 4, big: true }, Word { bytes: 8, big: false }, Word { bytes: 8, big: true }];

impl Word {
    fn get(self, b: &[u8], at: usize) -> Option<u64> {
        let w = b.get(at..at.checked_add(self.bytes)?)?;
        let mut v = 0u64;
        if self.big {
            for &c in w {
                v = v << 8 | c as u64;
            }
        } else {
            for &c in w.iter().rev() {
                v = v << 8 | c as u64;
            }
        }
        Some(v)
    }
}

/// The header of a legacy CPU profile, if the bytes start with one: the word kind, whether
/// the program was Java, and the sampling period in microseconds.
fn header(b: &[u8]) -> Option<(Word, bool, u64)> {
    for w in WORDS {
        let n: Vec<Option<u64>> = (0..5).map(|i| w.get(b, i * w.bytes)).collect();
        let [Some(n1), Some(n2), Some(n3), Some(n4), Some(n5)] = n[..] else { continue };
        if n1 == 0 && n2 == 3 && (n3 == 0 || n3 == 1) && n4 > 0 && n5 == 0 {
            return Some((w, n3 == 1, n4));
        }
    }
    None
}

/// Do these first bytes start a legacy CPU profile? `Some(java)` if they do.
pub fn sniff(b: &[u8]) -> Option<bool> {
    header(b).map(|(_, java, _)| java)
}

/// Parses a legacy binary CPU profile.
pub fn parse(b: &[u8], limits: &Limits) -> Result<Profile, DecodeError> {
    let Some((w, java, period_us)) = header(b) else {
        return Err(DecodeError::Malformed("not a legacy CPU profile: the header words are not 0, 3, 0 or 1, period, 0".into()));
    };
    let period = (period_us as i64).wrapping_mul(1000);
    let mut p = Legacy::new(
        vec![vt("samples", "count"), vt("cpu", "nanoseconds")],
        if java { "legacy Java CPU profile (binary)" } else { "legacy CPU profile (binary)" },
        limits,
    );
    p.period_type = Some(vt("cpu", "nanoseconds"));
    p.period = period;
    // Records (pprof's parseCPUSamples): a short read ends the data, as in pprof.
    let mut at = 5 * w.bytes;
    let mut addrs = Vec::new();
    let mut rest_from = b.len();
    while at < b.len() {
        let record = at;
        let count = w.get(b, at);
        let depth = count.and_then(|_| w.get(b, at + w.bytes));
        let (Some(count), Some(depth)) = (count, depth) else {
            return Err(DecodeError::Malformed(format!("legacy CPU profile: the record at byte {record} is cut short")));
        };
        at += 2 * w.bytes;
        let left = b.len() - at;
        // pprof's own check (it counts 4-byte words whatever the word size).
        if depth > (left / 4) as u64 {
            return Err(DecodeError::Malformed(format!(
                "legacy CPU profile: the record at byte {record} has {depth} frames but only {left} bytes follow"
            )));
        }
        addrs.clear();
        let mut short = false;
        for _ in 0..depth {
            match w.get(b, at) {
                Some(a) => {
                    addrs.push(a);
                    at += w.bytes;
                }
                None => {
                    // pprof reads 0 for a word that is cut short, and stops after this record.
                    addrs.push(0);
                    short = true;
                }
            }
        }
        if count == 0 && depth == 1 && addrs[0] == 0 {
            rest_from = if short { b.len() } else { at };
            break;
        }
        if !java {
            // Return addresses: -1 lands on the call (not for the leaf, which is no call).
            for a in addrs.iter_mut().skip(1) {
                *a = a.wrapping_sub(1);
            }
        }
        if addrs.len() > limits.max_stack_depth {
            return Err(DecodeError::Limit { what: "stack depth".into(), limit: limits.max_stack_depth });
        }
        p.add_sample(&[count as i64, (count as i64).wrapping_mul(period)], &addrs, None)?;
        if short {
            at = b.len();
        }
    }
    let rest = String::from_utf8_lossy(&b[rest_from.min(b.len())..]);
    if java {
        JavaSymbols::new().read(&rest, &mut p)?;
    } else {
        strip_signal_frames(&mut p);
        let mut mp = MapParser::new();
        let mut maps = Vec::new();
        let mut lines: Vec<&str> = rest.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
        if rest.ends_with('\n') || rest.is_empty() {
            lines.pop();
        }
        for l in lines {
            mp.line(l, &mut maps, limits)?;
        }
        p.mappings = maps;
        // pprof's cleanupDuplicateLocations: a leaf that the unwinder also gave as its
        // caller (adjusted by -1) is there once.
        p.remove_frames_where(|a| (a.len() > 1 && a[0] == a[1].wrapping_add(1)).then_some(1));
    }
    frame_info(&mut p);
    p.finish()
}

/// pprof's heuristic: if the second frame of (nearly) every sample is one address, it is the
/// signal handler's frame: it goes, up to two times.
fn strip_signal_frames(p: &mut Legacy) {
    let n = p.num_samples();
    let margin = n / 32;
    for _ in 0..2 {
        let seconds = p.second_frames();
        let mut counts: rustc_hash::FxHashMap<u64, usize> = Default::default();
        for a in seconds.iter().flatten() {
            *counts.entry(*a).or_default() += 1;
        }
        // At most one address can reach n - margin (two would need 2(n - margin) <= n).
        let Some((&addr, _)) = counts.iter().find(|&(_, &c)| c >= n - margin) else { continue };
        p.remove_frames_where(|a| (a.len() > 1 && a[1] == addr).then_some(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: Word, v: &[u64]) -> Vec<u8> {
        let mut out = Vec::new();
        for &x in v {
            let b = x.to_le_bytes();
            let mut b = b[..w.bytes].to_vec();
            if w.big {
                b.reverse();
            }
            out.extend(b);
        }
        out
    }

    #[test]
    fn every_word_kind_is_read() {
        for w in WORDS {
            let mut b = words(w, &[0, 3, 0, 10000, 0, 5, 2, 0x1000, 0x2001, 0, 1, 0]);
            b.extend_from_slice(b"00001000-00003000 r-xp 00000000 00:00 0 /bin/prog\n");
            assert_eq!(sniff(&b), Some(false), "{w:?}");
            let prof = parse(&b, &Limits::default()).unwrap();
            assert_eq!(prof.values, vec![vec![5], vec![50_000_000]], "{w:?}");
            assert_eq!(prof.functions.names, vec!["[prog]"], "{w:?}");
        }
    }

    #[test]
    fn a_cut_record_is_an_error_not_a_panic() {
        let w = WORDS[0];
        let b = words(w, &[0, 3, 0, 10000, 0, 5, 1000, 1]);
        assert!(parse(&b, &Limits::default()).is_err());
        let b = words(w, &[0, 3, 0, 10000, 0, 5]);
        assert!(parse(&b, &Limits::default()).is_err());
    }
}
