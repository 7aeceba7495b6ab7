//! A gzipped `profile.proto` written by hand (the page carries no protobuf library): the
//! profile as a view shows it — refined, merged, or a diff's two sides — that `go tool pprof`
//! and every pprof reader open.
//!
//! Samples keep their locations (pprof's [`Locations`]: addresses, lines, inlined frames and
//! mappings, where the decoder kept them; one location per function for a refined or text
//! profile), every value column and their labels. The profile's `drop_frames` was applied
//! when it was read, so it is not written again.
//!
//! A diff is written as `go tool pprof -proto -diff_base=BASE TARGET` writes it: the target's
//! samples, then the base's with their values negated and the label `pprof::base=true`
//! (pprof then takes the base's total as the percentage base, as `-diff_base` does).

use crate::model::locations::{Locations, NO_INDEX};
use crate::model::{Label, Profile, ValueType};
use rustc_hash::FxHashMap;

/// The label pprof puts on a diff's base samples (`profile.Sample.DiffBaseSample`).
pub const DIFF_BASE_LABEL: &str = "pprof::base";

/// One part of an export: a profile, the value columns written (by index into its sample
/// types), a scale for its values (a normalized diff's target) and whether it is a diff's base.
pub struct Part<'a> {
    /// The profile.
    pub profile: &'a Profile,
    /// Its value columns written, in order.
    pub columns: Vec<usize>,
    /// Values are multiplied by this and rounded half away from zero (pprof's `ScaleN`).
    pub ratio: f64,
    /// A diff's base: values negated, labelled [`DIFF_BASE_LABEL`].
    pub base: bool,
}

/// The whole profile, every sample type, gzipped.
pub fn export_profile(p: &Profile) -> Vec<u8> {
    let part = Part { profile: p, columns: (0..p.sample_types.len()).collect(), ratio: 1.0, base: false };
    gzip(&encode(&[part], p.default_sample_type))
}

/// A diff of `target` against `base` on one sample type each (`bst`, `tst`), the target scaled
/// by `ratio` (pprof's `-normalize`; 1 otherwise), gzipped.
pub fn export_diff(base: &Profile, bst: usize, target: &Profile, tst: usize, ratio: f64) -> Vec<u8> {
    let parts = [
        Part { profile: target, columns: vec![tst], ratio, base: false },
        Part { profile: base, columns: vec![bst], ratio: 1.0, base: true },
    ];
    gzip(&encode(&parts, 0))
}

/// The `profile.proto` bytes (not compressed) of the parts' samples, the first part's
/// metadata and sample types (its `columns`), `default` naming the default one.
pub fn encode(parts: &[Part<'_>], default: usize) -> Vec<u8> {
    let first = parts[0].profile;
    let mut st = Strings::default();
    let mut out = Vec::new();
    let types: Vec<&ValueType> = parts[0].columns.iter().map(|&c| &first.sample_types[c]).collect();
    for t in &types {
        let (a, b) = (st.id(&t.name), st.id(&t.unit));
        let mut m = Vec::new();
        field_varint(&mut m, 1, a);
        field_varint(&mut m, 2, b);
        field_bytes(&mut out, 1, &m);
    }
    // Locations, functions and mappings of every part, ids shifted part by part.
    let mut loc0 = 0u64;
    let (mut func0, mut map0) = (0u64, 0u64);
    let mut locs_body = Vec::new();
    let mut funcs_body = Vec::new();
    let mut maps_body = Vec::new();
    let mut samples = Vec::new();
    let mut m = Vec::new();
    let mut ids = Vec::new();
    let mut vals: Vec<i64> = Vec::new();
    for part in parts {
        let p = part.profile;
        let made = p.locations();
        // (Locations always follow the samples; a mismatch would be a bug, and the function
        // stacks are then the safe answer.)
        let own;
        let l: &Locations = if made.sample_off.len() == p.num_samples() + 1 {
            &made
        } else {
            own = Locations::from_functions(p);
            &own
        };
        for (i, file) in l.mapping_file.iter().enumerate() {
            m.clear();
            field_varint(&mut m, 1, map0 + i as u64 + 1);
            field_varint(&mut m, 5, st.id(file));
            field_varint(&mut m, 6, st.id(&l.mapping_build_id[i]));
            for f in 7..=10 {
                field_varint(&mut m, f, 1); // has_functions, filenames, line numbers, inline frames
            }
            field_bytes(&mut maps_body, 3, &m);
        }
        for f in 0..l.func_name.len() {
            m.clear();
            field_varint(&mut m, 1, func0 + f as u64 + 1);
            field_varint(&mut m, 2, st.id(&l.func_name[f]));
            field_varint(&mut m, 3, st.id(&l.func_system_name[f]));
            field_varint(&mut m, 4, st.id(&l.func_file[f]));
            field_varint(&mut m, 5, l.func_start_line[f] as u64);
            field_bytes(&mut funcs_body, 5, &m);
        }
        for loc in 0..l.len() {
            m.clear();
            field_varint(&mut m, 1, loc0 + loc as u64 + 1);
            if l.mapping[loc] != NO_INDEX {
                field_varint(&mut m, 2, map0 + l.mapping[loc] as u64 + 1);
            }
            field_varint(&mut m, 3, l.address[loc]);
            for line in l.lines(loc as u32) {
                let mut lm = Vec::new();
                if l.line_func[line] != NO_INDEX {
                    field_varint(&mut lm, 1, func0 + l.line_func[line] as u64 + 1);
                }
                field_varint(&mut lm, 2, l.line_no[line] as u64);
                field_bytes(&mut m, 4, &lm);
            }
            field_bytes(&mut locs_body, 4, &m);
        }
        let scaled = (part.ratio != 1.0).then(|| merged_values(p, l, &part.columns));
        for i in 0..p.num_samples() {
            vals.clear();
            match &scaled {
                None => vals.extend(part.columns.iter().map(|&c| p.values[c][i])),
                Some(sums) => match &sums[i] {
                    // (A sample merged into an earlier one, or all zero once scaled: pprof's
                    // ScaleN drops it.)
                    None => continue,
                    Some(v) => vals.extend(v.iter().map(|&v| (v as f64 * part.ratio).round() as i64)),
                },
            }
            if scaled.is_some() && vals.iter().all(|&v| v == 0) {
                continue;
            }
            for v in vals.iter_mut() {
                if part.base {
                    *v = v.wrapping_neg();
                }
            }
            m.clear();
            ids.clear();
            ids.extend(l.sample(i).iter().map(|&x| loc0 + x as u64 + 1));
            packed(&mut m, 1, &ids);
            let uv: Vec<u64> = vals.iter().map(|&v| v as u64).collect();
            packed(&mut m, 2, &uv);
            for lab in &p.label_sets.sets[p.sample_labels[i] as usize] {
                label(&mut m, &mut st, lab);
            }
            if part.base {
                let lab = Label { key: DIFF_BASE_LABEL.into(), str: Some("true".into()), num: 0, unit: String::new() };
                label(&mut m, &mut st, &lab);
            }
            field_bytes(&mut samples, 2, &m);
        }
        loc0 += l.len() as u64;
        func0 += l.func_name.len() as u64;
        map0 += l.mapping_file.len() as u64;
    }
    out.extend_from_slice(&samples);
    out.extend_from_slice(&maps_body);
    out.extend_from_slice(&locs_body);
    out.extend_from_slice(&funcs_body);
    // Metadata (ids into the string table, which is written last but numbered already).
    let tail = {
        let mut t = Vec::new();
        if first.time_nanos != 0 {
            field_varint(&mut t, 9, first.time_nanos as u64);
        }
        if first.duration_nanos != 0 {
            field_varint(&mut t, 10, first.duration_nanos as u64);
        }
        if let Some(pt) = &first.period_type {
            let mut m = Vec::new();
            field_varint(&mut m, 1, st.id(&pt.name));
            field_varint(&mut m, 2, st.id(&pt.unit));
            field_bytes(&mut t, 11, &m);
        }
        if first.period != 0 {
            field_varint(&mut t, 12, first.period as u64);
        }
        for c in &first.comments {
            field_varint(&mut t, 13, st.id(c));
        }
        // pprof's default is the last sample type unless one is named.
        if default + 1 != types.len() {
            if let Some(t0) = types.get(default) {
                field_varint(&mut t, 14, st.id(&t0.name));
            }
        }
        t
    };
    for s in &st.list {
        field_bytes(&mut out, 6, s.as_bytes());
    }
    out.extend_from_slice(&tail);
    out
}

/// pprof scales a profile (`-normalize`) after merging its samples that have the same
/// locations and labels (`profile.Merge`), so rounding applies to their sum: per sample, the
/// summed values of its group at the group's first sample, `None` at the others.
fn merged_values(p: &Profile, l: &Locations, columns: &[usize]) -> Vec<Option<Vec<i64>>> {
    let mut first: FxHashMap<(&[u32], u32), usize> = FxHashMap::default();
    let mut out: Vec<Option<Vec<i64>>> = vec![None; p.num_samples()];
    for i in 0..p.num_samples() {
        let at = *first.entry((l.sample(i), p.sample_labels[i])).or_insert(i);
        let sums = out[at].get_or_insert_with(|| vec![0; columns.len()]);
        for (s, &c) in sums.iter_mut().zip(columns) {
            *s = s.wrapping_add(p.values[c][i]);
        }
    }
    out
}

fn label(m: &mut Vec<u8>, st: &mut Strings, lab: &Label) {
    let mut lm = Vec::new();
    field_varint(&mut lm, 1, st.id(&lab.key));
    match &lab.str {
        Some(s) => field_varint(&mut lm, 2, st.id(s)),
        None => {
            field_varint(&mut lm, 3, lab.num as u64);
            if !lab.unit.is_empty() {
                field_varint(&mut lm, 4, st.id(&lab.unit));
            }
        }
    }
    field_bytes(m, 3, &lm);
}

/// The string table: `""` first, as profile.proto requires.
struct Strings {
    list: Vec<String>,
    index: FxHashMap<String, u64>,
}

impl Default for Strings {
    fn default() -> Self {
        let mut index = FxHashMap::default();
        index.insert(String::new(), 0);
        Strings { list: vec![String::new()], index }
    }
}

impl Strings {
    fn id(&mut self, s: &str) -> u64 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.list.len() as u64;
        self.list.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A varint field (zero is the default and is left out, as protobuf encoders do).
fn field_varint(out: &mut Vec<u8>, field: u32, v: u64) {
    if v != 0 {
        varint(out, (field as u64) << 3);
        varint(out, v);
    }
}

fn field_bytes(out: &mut Vec<u8>, field: u32, b: &[u8]) {
    varint(out, (field as u64) << 3 | 2);
    varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn packed(out: &mut Vec<u8>, field: u32, vs: &[u64]) {
    if vs.is_empty() {
        return;
    }
    let mut body = Vec::with_capacity(vs.len() * 2);
    for &v in vs {
        varint(&mut body, v);
    }
    field_bytes(out, field, &body);
}

/// A gzip member (RFC 1952) holding `data`, deflated.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend_from_slice(&miniz_oxide::deflate::compress_to_vec(data, 6));
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// CRC-32 (IEEE), as gzip checks it.
fn crc32(data: &[u8]) -> u32 {
    let mut table = [0u32; 256];
    for (i, t) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
        *t = c;
    }
    !data.iter().fold(!0u32, |c, &b| table[((c ^ b as u32) & 0xff) as usize] ^ (c >> 8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_check_value() {
        // The standard check value of CRC-32/ISO-HDLC.
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn varints_as_protobuf_writes_them() {
        let mut v = Vec::new();
        varint(&mut v, 300);
        assert_eq!(v, [0xac, 0x02]);
        v.clear();
        varint(&mut v, (-1i64) as u64);
        assert_eq!(v, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    }
}
