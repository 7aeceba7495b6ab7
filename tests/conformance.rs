//! Conformance: every profile pprof reads in both shared corpora (`../shared/corpus/public`
//! and `../shared/corpus/real`: protobuf and the legacy formats), every sample type, against
//! `go tool pprof -top`'s exact integers (`oracle/` in each); the files pprof refuses,
//! against what pprof says about them; and the streaming decoder against the prost
//! reference on every protobuf file.

mod common;
use common::*;
use profdrop::analysis::top::top_table;
use profdrop::decode::{decode, decode_prost, gzip, sniff, DecodeError, Format, NoProgress, TextKind};
use std::path::{Path, PathBuf};

/// One row of an oracle's `index.tsv`.
struct Entry {
    file: String,
    format: String,
    index: usize,
    sample_type: String,
    default: bool,
    tsv: String,
    check: String,
}

fn index(dir: &Path) -> Vec<Entry> {
    let text = std::fs::read_to_string(dir.join("oracle/index.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            assert!(f.len() >= 11, "{}: short index row {line:?}", dir.display());
            Entry {
                file: f[0].into(),
                format: f[1].into(),
                index: f[2].parse().unwrap_or(usize::MAX),
                sample_type: f[3].into(),
                default: f[5] == "yes",
                tsv: f[9].into(),
                check: f[10].into(),
            }
        })
        .collect()
}

fn is_protobuf(format: &str) -> bool {
    format.starts_with("pprof proto") || format.starts_with("proto raw")
}

/// pprof's legacy formats (`legacy text`, `legacy binary` in the oracle index).
fn is_legacy(format: &str) -> bool {
    format.starts_with("legacy")
}

/// The top table pprof makes of a goroutine `debug=1` text profile: pprof reads its
/// `count @ addresses` records and skips the `#` symbol lines as comments, so every frame is
/// an address without a mapping: one node, `<unknown>`, holding every record. profdrop names
/// the frames from those `#` lines instead; its records and counts are pprof's, which this
/// checks: the sum over records (each has a stack) must be pprof's one node.
fn as_pprof_reads_debug1(p: &profdrop::model::Profile, i: usize) -> Vec<(String, i64, i64)> {
    let sum: i64 = p.sample_stack.iter().zip(&p.values[i]).filter(|(s, _)| !p.stacks.get(**s).is_empty()).map(|(_, v)| *v).sum();
    if sum == 0 {
        return Vec::new();
    }
    vec![("<unknown>".to_string(), sum, sum)]
}

#[test]
fn top_tables_equal_go_tool_pprof() {
    let mut total_checked = 0;
    for dir in corpora() {
        let mut checked = 0;
        let mut legacy = 0;
        let mut errors = Vec::new();
        let mut defaults: std::collections::HashMap<String, (Option<usize>, usize)> = Default::default();
        for e in index(&dir) {
            if !(is_protobuf(&e.format) || is_legacy(&e.format)) || !e.check.starts_with("ok") {
                continue;
            }
            let bytes = std::fs::read(dir.join(&e.file)).unwrap();
            // A debug=1 text profile with symbol lines: profdrop names its frames, pprof
            // does not (see `as_pprof_reads_debug1`).
            let debug1_symbols = sniff(&bytes) == Ok(Format::Text(TextKind::Count))
                && String::from_utf8_lossy(&bytes).lines().any(|l| l.starts_with("#\t0x"));
            let p = decode(&bytes).unwrap_or_else(|err| panic!("{}: {err}", e.file));
            let i = e.index;
            assert_eq!(p.sample_types[i].name, e.sample_type, "{}: sample type {i}", e.file);
            let d = defaults.entry(e.file.clone()).or_insert((None, p.default_sample_type));
            if e.default {
                d.0 = Some(i);
            }
            d.1 = d.1.max(i);
            let want = read_golden(&dir.join("oracle").join(&e.tsv));
            let (rows, total) = top_table(&p, i);
            if total != want.int("total") {
                errors.push(format!("{} {}: total {total}, pprof {}", e.file, e.sample_type, want.get("total")));
            }
            let got: Vec<(String, i64, i64)> = if debug1_symbols {
                as_pprof_reads_debug1(&p, i)
            } else {
                rows.iter().map(|r| (escape(&p.functions.raw[r.func as usize]), r.flat, r.cum)).collect()
            };
            errors.extend(compare_rows(&format!("{} {}", e.file, e.sample_type), &got, &want.rows));
            checked += 1;
            legacy += usize::from(is_legacy(&e.format));
        }
        // Default sample type: the one marked in the oracle, else the last.
        for (file, (marked, last)) in &defaults {
            let p = decode(&std::fs::read(dir.join(file)).unwrap()).unwrap();
            assert_eq!(p.default_sample_type, marked.unwrap_or(*last), "{file}: default sample type");
        }
        assert!(errors.is_empty(), "{}: {} differences from go tool pprof:\n{}", dir.display(), errors.len(), errors.join("\n"));
        assert!(checked >= 30, "{}: only {checked} tables checked: the oracle index looks incomplete", dir.display());
        if dir == corpus() {
            // 20 legacy tables: 19 of the 9 legacy files (binary CPU, heap, contention,
            // threadcreate, Java's) and 1 of the goroutine debug=1 text.
            assert!(legacy >= 20, "{}: only {legacy} legacy tables checked", dir.display());
        }
        eprintln!("conformance: {checked} tables of {} equal go tool pprof's ({legacy} of legacy files)", dir.display());
        total_checked += checked;
    }
    assert!(total_checked >= 90, "only {total_checked} tables checked over both corpora");
}

/// The files `go tool pprof` refuses (`UNREADABLE` in the oracle index), each against what
/// pprof said about it: its reason must hold for the file, and profdrop's outcome must be
/// the one that reason calls for. A refusal with a reason not listed here fails the test.
#[test]
fn the_files_pprof_refuses_are_what_pprof_says_they_are() {
    let mut seen = 0;
    for dir in corpora() {
        for e in index(&dir).into_iter().filter(|e| e.check.starts_with("UNREADABLE")) {
            let bytes = std::fs::read(dir.join(&e.file)).unwrap();
            let plain = inflated(&bytes);
            let why = &e.check;
            if why.contains("unrecognized profile format") && e.format == "legacy text" {
                // pprof cannot read Go's goroutine debug=2 dumps; profdrop reads them as such.
                assert_eq!(sniff(&plain), Ok(Format::Text(TextKind::Dump)), "{}: pprof says {why:?}", e.file);
                let p = decode(&bytes).unwrap_or_else(|err| panic!("{}: a goroutine dump must load: {err}", e.file));
                assert!(p.num_samples() > 0, "{}: no goroutines", e.file);
                assert_eq!(p.goroutines.len(), p.num_samples(), "{}: every goroutine has its details", e.file);
                assert_eq!(p.total(0), p.num_samples() as i64, "{}: one count per goroutine", e.file);
            } else if why.contains("found function with reserved ID=0") {
                // pprof refuses a Function whose id is 0: the reference decoder must see one.
                // Id 0 cannot be referenced, so the locations that name the function by
                // another id point nowhere: a malformed profile, refused at the model stage,
                // by both decoders alike.
                assert_eq!(sniff(&plain), Ok(Format::Protobuf), "{}", e.file);
                assert!(has_function_id_0(&plain), "{}: pprof says {why:?} but the file has no function with id 0", e.file);
                let fast = decode(&bytes).expect_err(&e.file);
                let reference = decode_prost(&plain).expect_err(&e.file);
                assert!(matches!(fast, DecodeError::Malformed(_)), "{}: {fast:?}", e.file);
                assert_eq!(fast.stage(), "model", "{}", e.file);
                assert!(fast.to_string().contains("missing function"), "{}: {fast}", e.file);
                assert_eq!(fast, reference, "{}: both decoders refuse it alike", e.file);
            } else {
                panic!("{}: pprof refuses it ({why:?}) and this test has no expectation for that reason: add one", e.file);
            }
            seen += 1;
        }
    }
    assert!(seen >= 4, "only {seen} refused files: expected pyroscope_dotnet-pprof-73 and the 3 debug=2 dumps");
}

/// Does this protobuf hold a `Function` message (field 5) whose `id` (field 1) is 0?
fn has_function_id_0(plain: &[u8]) -> bool {
    use prost::Message;
    let pb = profdrop::decode::pb::Profile::decode(plain).expect("the reference decoder reads it");
    pb.function.iter().any(|f| f.id == 0)
}

fn inflated(bytes: &[u8]) -> Vec<u8> {
    if gzip::is_gzip(bytes) {
        gzip::gunzip(bytes, 1 << 30, &mut NoProgress).unwrap()
    } else {
        bytes.to_vec()
    }
}

fn assert_same(fast: &profdrop::model::Profile, reference: &profdrop::model::Profile, name: &str) {
    assert_eq!(fast.functions.names, reference.functions.names, "{name}");
    assert_eq!(fast.sample_stack, reference.sample_stack, "{name}");
    assert_eq!(fast.stacks.frames, reference.stacks.frames, "{name}");
    assert_eq!(fast.values, reference.values, "{name}");
    assert_eq!(fast.label_sets.sets, reference.label_sets.sets, "{name}");
    assert_eq!(fast.sample_labels, reference.sample_labels, "{name}");
    assert_eq!(fast.sample_types, reference.sample_types, "{name}");
}

fn corpus_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    out.sort();
    out
}

/// On every corpus file that is protobuf (after gzip), the streaming decoder and the prost
/// reference agree: both give the same model, or both refuse the file. A file only one of
/// them reads fails the test.
#[test]
fn the_streaming_decoder_equals_the_prost_reference_on_every_corpus_profile() {
    let mut compared = 0;
    let mut both_refuse = Vec::new();
    let mut one_fails = Vec::new();
    // Every protobuf file pprof reads must be among those compared.
    let mut readable = std::collections::BTreeSet::new();
    for dir in corpora() {
        readable.extend(index(&dir).into_iter().filter(|e| is_protobuf(&e.format) && e.check.starts_with("ok")).map(|e| dir.join(e.file)));
        let refused: Vec<String> = index(&dir).into_iter().filter(|e| e.check.starts_with("UNREADABLE")).map(|e| e.file).collect();
        for path in corpus_files(&dir) {
            let bytes = std::fs::read(&path).unwrap();
            let name = path.display().to_string();
            let Ok(Format::Protobuf) = sniff(&inflated_or_empty(&bytes)) else { continue };
            let plain = inflated(&bytes);
            match (decode(&bytes), decode_prost(&plain)) {
                (Ok(fast), Ok(reference)) => {
                    assert_same(&fast, &reference, &name);
                    readable.remove(&path);
                    compared += 1;
                }
                // Both refuse it: only a file pprof refuses too (checked against pprof's reason
                // above), and for the same reason.
                (Err(a), Err(b)) if a == b && refused.iter().any(|f| path.ends_with(f)) => {}
                (Err(a), Err(b)) => both_refuse.push(format!("{name}: {a} / reference: {b}")),
                (Ok(_), Err(b)) => one_fails.push(format!("{name}: only the reference refuses it: {b}")),
                (Err(a), Ok(_)) => one_fails.push(format!("{name}: only the streaming decoder refuses it: {a}")),
            }
        }
    }
    assert!(one_fails.is_empty(), "the two decoders disagree:\n{}", one_fails.join("\n"));
    assert!(both_refuse.is_empty(), "protobuf corpus files pprof reads but both decoders refuse:\n{}", both_refuse.join("\n"));
    assert!(readable.is_empty(), "protobuf profiles of the oracle not compared: {readable:?}");
    assert!(compared >= 35, "only {compared} profiles compared");
    eprintln!("conformance: {compared} corpus profiles decode alike in both decoders");
}

fn inflated_or_empty(bytes: &[u8]) -> Vec<u8> {
    if gzip::is_gzip(bytes) {
        gzip::gunzip(bytes, 1 << 30, &mut NoProgress).unwrap_or_default()
    } else {
        bytes.to_vec()
    }
}

#[test]
fn a_reference_error_is_a_wire_error_without_an_offset() {
    // (The reference's errors carry no offset; the comparison above only needs both to fail.)
    let e = decode_prost(&[0x0a, 0x05, 0x01]).unwrap_err();
    assert!(matches!(e, DecodeError::Protobuf { offset: None, .. }), "{e:?}");
}
