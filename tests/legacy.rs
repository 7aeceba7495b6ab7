//! pprof's legacy formats on profdrop's own fixtures (testdata/legacy, written by
//! testdata/legacy/gen.py from each format's definition): every top table equals what
//! `go tool pprof -symbolize=none -trim=false -top` printed for it (testdata/golden/legacy),
//! and each file is sniffed as the format it was written in.

mod common;
use common::*;
use profdrop::analysis::top::top_table;
use profdrop::decode::{decode, sniff, Format, LegacyKind, TextKind};

fn fixture(name: &str) -> Vec<u8> {
    let path = root().join("testdata/legacy").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn legacy_top_tables_equal_recorded_pprof_output() {
    let dir = root().join("testdata/golden/legacy");
    let mut errors = Vec::new();
    let mut files = std::collections::BTreeSet::new();
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let g = read_golden(&entry.unwrap().path());
        let rel = g.get("profile").to_string();
        let name = rel.strip_prefix("legacy/").expect("a legacy fixture");
        let p = decode(&fixture(name)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let i: usize = g.get("sample_index").parse().unwrap();
        assert_eq!(p.sample_types[i].name, g.get("sample_type"), "{rel}");
        let unit = if p.sample_types[i].unit.is_empty() { "count" } else { p.sample_types[i].unit.as_str() };
        assert_eq!(unit, g.get("unit"), "{rel}: unit of {}", g.get("sample_type"));
        if g.get("default") == "1" {
            assert_eq!(p.default_sample_type, i, "{rel}: default sample type");
        }
        let (rows, total) = top_table(&p, i);
        let label = format!("{rel} {}", g.get("sample_type"));
        if total != g.int("total") {
            errors.push(format!("{label}: total {total}, pprof {}", g.get("total")));
        }
        let got: Vec<_> = rows.iter().map(|r| (escape(&p.functions.raw[r.func as usize]), r.flat, r.cum)).collect();
        errors.extend(compare_rows(&label, &got, &g.rows));
        files.insert(name.to_string());
        n += 1;
    }
    assert!(errors.is_empty(), "{} differences from go tool pprof:\n{}", errors.len(), errors.join("\n"));
    assert_eq!(files.len(), 14, "legacy fixtures with goldens: {files:?}");
    assert!(n >= 31, "only {n} golden tables");
}

#[test]
fn each_legacy_fixture_is_sniffed_as_its_format() {
    use LegacyKind::*;
    for (name, want) in [
        ("go-heap.txt", Format::Legacy(Heap)),
        ("tcmalloc-heapz.txt", Format::Legacy(Heap)),
        ("heapprofile.txt", Format::Legacy(Heap)),
        ("growthz.txt", Format::Legacy(Heap)),
        ("contentionz.txt", Format::Legacy(Contention)),
        ("go-mutex.txt", Format::Legacy(Contention)),
        ("java-heapz.txt", Format::Legacy(JavaHeap)),
        ("java-contentionz.txt", Format::Legacy(JavaContention)),
        ("threadcreate.txt", Format::Text(TextKind::Count)),
        ("cpu-32le.prof", Format::Legacy(Cpu)),
        ("cpu-32be.prof", Format::Legacy(Cpu)),
        ("cpu-64le.prof", Format::Legacy(Cpu)),
        ("cpu-64be.prof", Format::Legacy(Cpu)),
        ("java-cpu.prof", Format::Legacy(JavaCpu)),
    ] {
        assert_eq!(sniff(&fixture(name)), Ok(want), "{name}");
    }
}

/// The four word layouts of one CPU profile are one profile.
#[test]
fn every_word_size_and_byte_order_reads_alike() {
    let first = decode(&fixture("cpu-32le.prof")).unwrap();
    for name in ["cpu-32be.prof", "cpu-64le.prof", "cpu-64be.prof"] {
        let p = decode(&fixture(name)).unwrap();
        assert_eq!(p.values, first.values, "{name}");
        assert_eq!(p.functions.names, first.functions.names, "{name}");
        assert_eq!(p.stacks.frames, first.stacks.frames, "{name}");
    }
}

/// A legacy profile keeps pprof's locations: the addresses (after pprof's -1 on return
/// addresses), their mappings from the memory map, and Java's symbol lines.
#[test]
fn legacy_profiles_keep_their_addresses_and_mappings() {
    let p = decode(&fixture("cpu-64le.prof")).unwrap();
    let l = p.locations();
    assert!(!l.from_functions);
    // gen.py's first sample: leaf 0x400100 (not adjusted), callers 0x400201 and 0x400301
    // (each - 1); the signal handler's frame second is gone.
    assert_eq!(l.sample(0).iter().map(|&x| l.address[x as usize]).collect::<Vec<_>>(), vec![0x400100, 0x400200, 0x400300]);
    let m = l.mapping[l.sample(0)[0] as usize] as usize;
    assert_eq!(l.mapping_file[m], "/usr/bin/server");
    let j = decode(&fixture("java-heapz.txt")).unwrap();
    let l = j.locations();
    let leaf = l.sample(0)[0];
    let line = l.lines(leaf).start;
    assert_eq!(l.func_name[l.line_func[line] as usize], "java.util.HashMap.resize");
    assert_eq!(l.line_no[line], 704);
}
