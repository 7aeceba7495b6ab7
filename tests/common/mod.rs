//! Shared helpers for the native integration tests: TSV goldens and name escaping.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The public corpus beside the repository (`../shared/corpus/public`), or `PROFDROP_CORPUS`.
/// Panics with a clear message when it is missing: conformance must never pass silently.
pub fn corpus() -> PathBuf {
    corpus_dir("public", "PROFDROP_CORPUS")
}

/// The second, real-world corpus (`../shared/corpus/real`), or `PROFDROP_REAL_CORPUS`; panics
/// with a clear message when it is missing.
pub fn real_corpus() -> PathBuf {
    corpus_dir("real", "PROFDROP_REAL_CORPUS")
}

/// Both corpora.
pub fn corpora() -> Vec<PathBuf> {
    vec![corpus(), real_corpus()]
}

fn corpus_dir(name: &str, var: &str) -> PathBuf {
    let dir = std::env::var_os(var).map(PathBuf::from).unwrap_or_else(|| root().join("../shared/corpus").join(name));
    assert!(
        dir.join("oracle/index.tsv").is_file(),
        "the shared {name} corpus is missing: expected {}/oracle/index.tsv (set {var} to its folder). \
         Conformance against go tool pprof cannot run without it.",
        dir.display()
    );
    dir
}

/// A golden table: metadata from the `# k=v …` line and (function, flat, cum) rows.
pub struct Golden {
    pub meta: std::collections::HashMap<String, String>,
    pub rows: Vec<(String, i64, i64)>,
}

impl Golden {
    pub fn get(&self, k: &str) -> &str {
        self.meta.get(k).map(|s| s.as_str()).unwrap_or_else(|| panic!("golden has no {k}"))
    }
    pub fn int(&self, k: &str) -> i64 {
        self.get(k).parse().unwrap_or_else(|_| panic!("golden {k} is not an integer"))
    }
}

pub fn read_golden(path: &Path) -> Golden {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let head = lines.next().expect("metadata line");
    let meta = head
        .trim_start_matches('#')
        .split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(lines.next(), Some("function\tflat\tcum"), "{}", path.display());
    let rows = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut it = l.rsplitn(3, '\t');
            let cum = it.next().unwrap().parse().unwrap();
            let flat = it.next().unwrap().parse().unwrap();
            (it.next().unwrap().to_string(), flat, cum)
        })
        .collect();
    Golden { meta, rows }
}

/// Escapes raw name bytes as the oracle does: `\\`, `\t`, `\n`, `\r`; other control bytes and
/// bytes that are not valid UTF-8 as `\xNN`.
pub fn escape(raw: &[u8]) -> String {
    let mut out = String::new();
    let mut rest = raw;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                push_valid(&mut out, s);
                break;
            }
            Err(e) => {
                let (ok, bad) = rest.split_at(e.valid_up_to());
                push_valid(&mut out, std::str::from_utf8(ok).unwrap());
                let n = e.error_len().unwrap_or(bad.len());
                for b in &bad[..n] {
                    out.push_str(&format!("\\x{b:02x}"));
                }
                rest = &bad[n..];
            }
        }
    }
    out
}

fn push_valid(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
}

/// Compares rows and returns a readable list of differences (empty when equal).
pub fn compare_rows(label: &str, got: &[(String, i64, i64)], want: &[(String, i64, i64)]) -> Vec<String> {
    let mut errs = Vec::new();
    if got.len() != want.len() {
        errs.push(format!("{label}: {} rows, pprof has {}", got.len(), want.len()));
    }
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        if g != w {
            errs.push(format!("{label}: row {i}: got {g:?}, pprof {w:?}"));
            if errs.len() > 5 {
                break;
            }
        }
    }
    errs
}

/// Is `go tool pprof` here, for the live comparison named `what`? Without it the test fails,
/// unless the user opted out with `PROFDROP_NO_GO=1`: then it says loudly that `what` was
/// skipped, and the caller returns.
pub fn have_go(what: &str) -> bool {
    let ok =
        std::process::Command::new("go").args(["tool", "pprof", "-h"]).output().is_ok_and(|o| !o.stderr.is_empty() || o.status.success());
    if ok {
        return true;
    }
    if std::env::var("PROFDROP_NO_GO").as_deref() == Ok("1") {
        eprintln!("\n*** SKIPPED: {what} was NOT checked against go tool pprof (PROFDROP_NO_GO=1 and no `go` on PATH) ***\n");
        return false;
    }
    panic!(
        "`go tool pprof` is needed for {what}, and `go` is not on PATH. \
         Install Go (apt-get install golang-go), or set PROFDROP_NO_GO=1 to skip this test."
    );
}

/// A table: (name, flat, cum) rows.
pub type Rows = Vec<(String, i64, i64)>;

/// pprof's `-top` output: its total and rows (name without the inline marker, flat, cum).
pub fn parse_top(text: &str, ctx: &str) -> (i64, Rows) {
    let int = |s: &str| -> i64 {
        let end = s.find(|c: char| !(c.is_ascii_digit() || c == '-')).unwrap_or(s.len());
        s[..end].parse().unwrap_or_else(|_| panic!("{ctx}: not an integer: {s:?}"))
    };
    let mut total = None;
    let mut rows = Vec::new();
    let mut in_rows = false;
    for line in text.lines() {
        if in_rows {
            let mut rest = line;
            let mut fields = Vec::new();
            for _ in 0..5 {
                rest = rest.trim_start();
                let end = rest.find(char::is_whitespace).unwrap_or_else(|| panic!("{ctx}: bad row {line:?}"));
                fields.push(&rest[..end]);
                rest = &rest[end..];
            }
            let mut name = rest.trim_start();
            for suffix in [" (inline)", " (partial-inline)"] {
                name = name.strip_suffix(suffix).unwrap_or(name);
            }
            rows.push((name.to_string(), int(fields[0]), int(fields[3])));
        } else if let Some(rest) = line.strip_prefix("Showing nodes accounting for ") {
            let t = rest.rsplit(" of ").next().unwrap().trim_end_matches(" total");
            total = Some(int(t));
        } else if line.split_whitespace().eq(["flat", "flat%", "sum%", "cum", "cum%"]) {
            in_rows = true;
        }
    }
    (total.unwrap_or_else(|| panic!("{ctx}: unexpected pprof output:\n{text}")), rows)
}

/// The refinement that pprof's command-line options ask for (`-focus=RE`, `-lines`, …).
pub fn refine_from_args(args: &[String]) -> profdrop::analysis::refine::Refine {
    let mut r = profdrop::analysis::refine::Refine::default();
    for a in args.iter().filter(|a| !a.is_empty()) {
        let (k, v) = a.trim_start_matches('-').split_once('=').unwrap_or((a.trim_start_matches('-'), ""));
        let v = v.to_string();
        match k {
            "focus" => r.focus = v,
            "ignore" => r.ignore = v,
            "hide" => r.hide = v,
            "show" => r.show = v,
            "show_from" => r.show_from = v,
            "prune_from" => r.prune_from = v,
            "tagfocus" => r.tagfocus = v,
            "tagignore" => r.tagignore = v,
            "tagshow" => r.tagshow = v,
            "taghide" => r.taghide = v,
            "noinlines" => r.noinlines = true,
            "mean" => r.mean = true,
            g => r.granularity = profdrop::analysis::refine::Granularity::parse(g).unwrap_or_else(|| panic!("unknown pprof option {a}")),
        }
    }
    r
}

/// `%XX` decoded (the goldens' `args`).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}
