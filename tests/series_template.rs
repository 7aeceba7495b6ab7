//! A snapshot built against the previous file's template (`decode::series`, what the
//! browser's engine worker does for every file after the first) must be exactly the model the
//! usual build makes: checked on profgen series (every sample matches), and on files changed
//! so that they stop matching at the start, in the middle or at the end, have more or fewer
//! samples, other locations, or pruning.

use profdrop::analysis::top::top_table;
use profdrop::decode::gzip::gunzip;
use profdrop::decode::pb;
use profdrop::decode::series::Template;
use profdrop::decode::{Limits, NoProgress, StreamDecoder};
use profdrop::model::Profile;
use prost::Message;

/// Decodes `raw` (uncompressed protobuf) as the worker does, following `from`.
fn decode(raw: &[u8], from: Option<Template>) -> (Profile, Option<Template>) {
    let mut dec = StreamDecoder::new(Limits::default(), true).with_preview(false).with_template(from);
    dec.size_hint(raw.len());
    // In pieces, as they come from the inflate worker.
    for piece in raw.chunks(256 << 10) {
        dec.push(piece).expect("push");
    }
    dec.finish_series(&mut NoProgress, &mut |_| {}).expect("decode")
}

/// The usual build.
fn plain(raw: &[u8]) -> Profile {
    let mut dec = StreamDecoder::new(Limits::default(), true).with_preview(false);
    dec.push(raw).expect("push");
    dec.finish(&mut NoProgress).expect("decode")
}

fn assert_same(a: &Profile, b: &Profile, what: &str) {
    assert_eq!(*a.stacks.offsets, *b.stacks.offsets, "{what}: stack offsets");
    assert_eq!(*a.stacks.frames, *b.stacks.frames, "{what}: stack frames");
    assert_eq!(a.sample_stack, b.sample_stack, "{what}: sample stacks");
    assert_eq!(a.values, b.values, "{what}: values");
    assert_eq!(a.sample_labels, b.sample_labels, "{what}: sample labels");
    assert_eq!(a.label_sets.sets, b.label_sets.sets, "{what}: label sets");
    assert_eq!(a.functions.raw, b.functions.raw, "{what}: functions");
    assert_eq!(a.functions.files, b.functions.files, "{what}: function files");
    assert_eq!(a.sample_types, b.sample_types, "{what}: sample types");
    assert_eq!(a.time_nanos, b.time_nanos, "{what}: time");
    for st in 0..a.sample_types.len() {
        assert_eq!(top_table(a, st), top_table(b, st), "{what}: top table of sample type {st}");
    }
}

/// Snapshots 1..=3 of a profgen series (same program and stacks, other values), inflated.
fn series(test: &str) -> Vec<Vec<u8>> {
    let dir = std::env::temp_dir().join(format!("profdrop-series-template-{}-{test}", std::process::id()));
    let st = std::process::Command::new(env!("CARGO_BIN_EXE_profgen"))
        .args(["--series", "3"])
        .arg(&dir)
        .args(["--samples", "3000"])
        .output()
        .expect("run profgen");
    assert!(st.status.success(), "profgen: {}", String::from_utf8_lossy(&st.stderr));
    let out = (1..=3)
        .map(|k| {
            gunzip(&std::fs::read(dir.join(format!("heap-{k:04}.pb.gz"))).expect("read snapshot"), usize::MAX, &mut NoProgress).unwrap()
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    out
}

/// `raw` changed by `f` on its prost form.
fn changed(raw: &[u8], f: impl FnOnce(&mut pb::Profile)) -> Vec<u8> {
    let mut p = pb::Profile::decode(raw).expect("prost decode");
    f(&mut p);
    p.encode_to_vec()
}

#[test]
fn a_series_follows_its_template_to_the_end_and_shares_its_stacks() {
    let s = series("follows");
    let (first, mut t) = decode(&s[0], None);
    assert!(t.is_some(), "a protobuf file makes a template");
    assert_same(&first, &plain(&s[0]), "snapshot 1");
    let mut prev = first;
    for (k, raw) in s.iter().enumerate().skip(1) {
        let (p, next) = decode(raw, t.take());
        assert_same(&p, &plain(raw), &format!("snapshot {}", k + 1));
        // Every sample matched: the stacks are the previous snapshot's columns themselves.
        assert!(p.stacks.frames.same(&prev.stacks.frames), "snapshot {} holds its own copy of the stacks", k + 1);
        // Its first table is summed when asked (checked above), not while it was built.
        assert!(p.top_cache.is_none());
        t = next;
        prev = p;
    }
}

#[test]
fn files_that_stop_matching_build_the_same_model_as_without_a_template() {
    let s = series("stops");
    let (_, t) = decode(&s[0], None);
    let t = t.expect("template");
    let half = |p: &pb::Profile| p.sample.len() / 2;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "second half reversed",
            changed(&s[1], |p| {
                let h = half(p);
                p.sample[h..].reverse();
            }),
        ),
        (
            "first sample moved to the end",
            changed(&s[1], |p| {
                let x = p.sample.remove(0);
                p.sample.push(x);
            }),
        ),
        (
            "one sample in the middle loses its leaf",
            changed(&s[1], |p| {
                let h = half(p);
                p.sample[h].location_id.remove(0);
            }),
        ),
        (
            "one sample in the middle gets an existing stack of a later sample",
            changed(&s[1], |p| {
                let h = half(p);
                p.sample[h].location_id = p.sample[h + 7].location_id.clone();
            }),
        ),
        (
            "the last sample has a new stack",
            changed(&s[1], |p| {
                let last = p.sample.last_mut().unwrap();
                let first = last.location_id[0];
                last.location_id.push(first);
            }),
        ),
        (
            "fewer samples",
            changed(&s[1], |p| {
                let h = half(p);
                p.sample.truncate(h);
            }),
        ),
        (
            "more samples",
            changed(&s[1], |p| {
                let extra: Vec<pb::Sample> = p.sample.iter().take(50).cloned().rev().collect();
                p.sample.extend(extra);
            }),
        ),
        ("no samples", changed(&s[1], |p| p.sample.clear())),
        (
            "a location's function changed",
            changed(&s[1], |p| {
                let f = p.location[3].line[0].function_id;
                let g = p.function.iter().map(|x| x.id).find(|&g| g != f).unwrap();
                p.location[3].line[0].function_id = g;
            }),
        ),
        (
            "pruned by drop_frames",
            changed(&s[1], |p| {
                p.string_table.push(b"runtime\\..*".to_vec());
                p.drop_frames = p.string_table.len() as i64 - 1;
            }),
        ),
    ];
    for (what, raw) in &cases {
        let (p, _) = decode(raw, Some(t.clone()));
        assert_same(&p, &plain(raw), what);
    }
    // Another program: nothing in common.
    let other = changed(&s[0], |p| {
        for l in &mut p.location {
            l.id += 1000;
        }
        for smp in &mut p.sample {
            for id in &mut smp.location_id {
                *id += 1000;
            }
        }
    });
    let (p, _) = decode(&other, Some(t));
    assert_same(&p, &plain(&other), "other location ids");
}
