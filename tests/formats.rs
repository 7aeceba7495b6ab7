//! The other profilers' formats (issue 19) on profdrop's own fixtures (testdata/formats, made
//! by testdata/formats/gen.py with node, py-spy, perf and by hand): every number in
//! testdata/formats/expected.tsv (the producing tool's own count, or the file read by the
//! generator, a second reader) equals profdrop's top table; `perf script` files give exactly
//! the stacks and counts of inferno's `collapse-perf`; each file is sniffed as its format,
//! gzipped too; and a folded profile goes through every view (top, flame, peek, diff, leaks).

mod common;
use common::*;
use profdrop::analysis::top::top_table;
use profdrop::decode::{decode, sniff, Format, StacksKind};
use profdrop::engine::Engine;
use profdrop::model::Profile;
use profdrop::protocol::{FlameSource, Request, Response};
use std::collections::BTreeMap;

fn fixture(name: &str) -> Vec<u8> {
    let path = root().join("testdata/formats").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn totals_equal_what_the_producing_tools_report() {
    let text = String::from_utf8(fixture("expected.tsv")).unwrap();
    let mut errors = Vec::new();
    let mut n = 0;
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let (file, ty, what, want) = (f[0], f[1], f[2], f[3].parse::<i64>().unwrap());
        let p = decode(&fixture(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let Some(i) = p.sample_type_index(ty) else {
            errors.push(format!("{file}: no sample type {ty}: {:?}", p.sample_types));
            continue;
        };
        let (rows, total) = top_table(&p, i);
        let got = if what == "total" {
            total
        } else {
            let (kind, name) = what.split_once('(').unwrap();
            let name = name.strip_suffix(')').unwrap();
            let Some(id) = p.functions.get(name.as_bytes()) else {
                errors.push(format!("{file}: no function {name:?}"));
                continue;
            };
            let r = rows.iter().find(|r| r.func == id);
            match kind {
                "flat" => r.map_or(0, |r| r.flat),
                _ => r.map_or(0, |r| r.cum),
            }
        };
        if got != want {
            errors.push(format!("{file} {ty} {what}: profdrop {got}, expected {want} ({})", f[4]));
        }
        n += 1;
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    assert!(n >= 15, "only {n} rows");
}

/// The profile as folded lines (`root;…;leaf` → value of sample type 0), samples with the
/// same stack added up.
fn folded(p: &Profile) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for (s, &v) in p.sample_stack.iter().zip(&p.values[0]) {
        let names: Vec<&str> = p.stacks.get(*s).iter().rev().map(|&f| p.functions.names[f as usize].as_str()).collect();
        *out.entry(names.join(";")).or_insert(0) += v;
    }
    out
}

/// inferno's `collapse-perf` with its default options, as folded lines.
fn inferno(perf: &[u8]) -> BTreeMap<String, i64> {
    use inferno::collapse::Collapse;
    let mut out = Vec::new();
    let mut opt = inferno::collapse::perf::Options::default();
    opt.nthreads = 1;
    inferno::collapse::perf::Folder::from(opt).collapse(perf, &mut out).unwrap();
    let mut m = BTreeMap::new();
    for line in String::from_utf8(out).unwrap().lines() {
        let (stack, n) = line.rsplit_once(' ').unwrap();
        *m.entry(stack.to_string()).or_insert(0) += n.parse::<i64>().unwrap();
    }
    m
}

#[test]
fn perf_script_gives_inferno_s_stacks_and_counts() {
    // The fixture from perf, then variants the fixture does not have: periods (one space before
    // the event), a second event type, a one-frame sample on its event line, Java and Go
    // names, inlined `a->b` frames, unknown symbols, comm with spaces and pid/tid.
    let variants = b"# comment\nV8 WorkerThread 24636/25607 [000] 94564.109216: 300 cycles:u:\n\t7f1 Lorg/mozilla/Foo;.call(Lorg/Bar;)V (/tmp/perf-1.map)\n\t7f2 net/http.(*Client).Do+0x1f (/bin/go)\n\t7f3 [unknown] (/lib/x86_64/libc.so.6)\n\t0 [unknown] ([unknown])\n\nfalse 64414 20110.539270:      34467 cycles:u:  ffffffff9aa3c8de [unknown] ([unknown])\njava 25607 4794564.109216: 25 cycles:u:\n\t7f1 Lorg/mozilla/Foo;.call(Lorg/Bar;)V (/tmp/perf-1.map)\n\t7f5 a->b->c (/tmp/perf-1.map)\n\t7f6 std::vector<int>::push_back(int const&) (/bin/x)\n\t7f7 (anonymous namespace)::f(int) (/bin/x)\n\nx 1 2.0: 5 instructions:u:\n\t1 g (/bin/x)\n\nprog 1 1.0: 25 cycles:u:\n\t1 f (/bin/x)\n\t\x00\xff nonsense\n\t2 main (/bin/x)\n\nnot an event line at all\n\t3 g (/bin/x)\n\n".to_vec();
    for (name, bytes) in [("c.perf", fixture("c.perf")), ("variants", variants)] {
        let p = decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = inferno(&bytes);
        assert!(!want.is_empty(), "{name}: inferno read no stack");
        assert_eq!(folded(&p), want, "{name}: profdrop (left) and inferno (right) differ");
    }
}

/// A gzip member holding `data` (CRC-32 computed bit by bit).
fn gzip(data: &[u8]) -> Vec<u8> {
    let mut crc = !0u32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend(miniz_oxide::deflate::compress_to_vec(data, 6));
    out.extend((!crc).to_le_bytes());
    out.extend((data.len() as u32).to_le_bytes());
    out
}

#[test]
fn each_fixture_is_sniffed_as_its_format_gzipped_or_not() {
    for (file, kind) in [
        ("node.cpuprofile", StacksKind::CpuProfile),
        ("node.heapprofile", StacksKind::HeapProfile),
        ("pyspy.speedscope.json", StacksKind::Speedscope),
        ("multi.speedscope.json", StacksKind::Speedscope),
        ("pyspy.folded", StacksKind::Folded),
        ("async.folded", StacksKind::Folded),
        ("c.perf", StacksKind::PerfScript),
    ] {
        let bytes = fixture(file);
        assert_eq!(sniff(&bytes), Ok(Format::Stacks(kind)), "{file}");
        let plain = decode(&bytes).unwrap();
        let gz = decode(&gzip(&bytes)).unwrap_or_else(|e| panic!("{file} gzipped: {e}"));
        assert_eq!(folded(&plain), folded(&gz), "{file}");
        assert!(gz.format.ends_with("(gzip)"), "{}", gz.format);
    }
}

#[test]
fn a_file_in_no_format_is_told_what_profdrop_reads() {
    for bytes in [&b"hello, this is not a profile\n"[..], b"{\"traceEvents\":[]}", b"{\"a\":1}"] {
        let e = decode(bytes).unwrap_err().to_string();
        for name in ["pprof protobuf", "folded stacks", "perf script", "speedscope", ".cpuprofile", ".heapprofile"] {
            assert!(e.contains(name), "{e:?} should name {name}");
        }
    }
}

#[test]
fn a_folded_profile_works_in_every_view() {
    // Two snapshots of one program, built so the diff and the growth are known: `leak` grows
    // 10 → 20 → 30, `steady` stays at 5.
    let snap = |n: i64| format!("main;leak {n}\nmain;steady 5\n");
    let mut en = Engine::new();
    for (id, n) in [(1, 10), (2, 20), (3, 30)] {
        let s = en.load(id, &format!("s{id}.folded"), snap(n).into_bytes(), &mut profdrop::decode::NoProgress).unwrap();
        assert_eq!(s.sample_types[0].name, "samples");
    }
    let st = "samples".to_string();
    match en.handle(Request::Top { id: 1, sample_type: st.clone(), order: Default::default(), limit: 0, refine: Default::default() }) {
        Response::Top { total, .. } => assert_eq!(total, 15),
        other => panic!("{other:?}"),
    }
    match en.handle(Request::Diff { base: 1, target: 3, sample_type: st.clone(), normalize: false, refine: Default::default() }) {
        Response::Diff { base_total, target_total, rows, .. } => {
            assert_eq!((base_total, target_total), (15, 35));
            let leak = rows.iter().find(|r| r.name == "leak").expect("leak row");
            assert_eq!((leak.base, leak.target), (10, 30));
        }
        other => panic!("{other:?}"),
    }
    let flame = en.handle(Request::Flame {
        source: FlameSource::Single { id: 2 },
        sample_type: st.clone(),
        focus: None,
        zoom: vec![],
        search: String::new(),
        min_fraction: 0.0,
        refine: Default::default(),
        inverted: false,
        pivot: None,
    });
    assert!(matches!(flame, Response::Flame { total: 25, .. }), "{flame:?}");
    let peek = en.handle(Request::Peek { id: 1, sample_type: st.clone(), regex: "main".into(), limit: 0, refine: Default::default() });
    assert!(matches!(peek, Response::Peek { .. }), "{peek:?}");
    let leaks = en.handle(Request::Leaks { ids: vec![1, 2, 3], sample_type: st.clone(), refine: Default::default() });
    assert!(matches!(leaks, Response::Leaks { .. }), "{leaks:?}");
    // The user says the counts are nanoseconds: same numbers, in that unit, same type name.
    match en.handle(Request::SetUnit { id: 1, unit: "nanoseconds".into() }) {
        Response::UnitSet(s) => assert_eq!((s.sample_types[0].name.as_str(), s.sample_types[0].unit.as_str()), ("samples", "nanoseconds")),
        other => panic!("{other:?}"),
    }
    match en.handle(Request::Top { id: 1, sample_type: st, order: Default::default(), limit: 0, refine: Default::default() }) {
        Response::Top { total, unit, .. } => assert_eq!((total, unit.as_str()), (15, "nanoseconds")),
        other => panic!("{other:?}"),
    }
    assert!(matches!(en.handle(Request::SetUnit { id: 1, unit: "parsecs".into() }), Response::Error { .. }));
}
