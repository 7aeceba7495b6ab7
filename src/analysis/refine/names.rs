//! How pprof spells things it shows or matches, written as pprof writes them: node names
//! (`graph.NodeInfo.NameComponents`), Go's `filepath.Clean`, `report.trimPath` with its
//! default settings, and `profile.simplifyFunc` (what `-prune_from` matches).

use crate::model::names::basename;
use std::fmt::Write;

/// What identifies a node of pprof's graph (`graph.NodeInfo` without `OrigName`, which the
/// `-top` report leaves empty). Strings are ids into a [`Strings`] table; 0 is `""`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeKey {
    /// Address (0 unless the granularity keeps addresses).
    pub address: u64,
    /// Function name id (0 when the granularity drops names or there is no function).
    pub name: u32,
    /// Cleaned file name id (0 when dropped or unknown).
    pub file: u32,
    /// Line number (0 when dropped or unknown).
    pub lineno: i64,
    /// Function start line: only part of the key when there is no name, as in pprof.
    pub start_line: i64,
    /// Mapping file id: only part of the key when there is no name, as in pprof.
    pub objfile: u32,
}

/// Interned strings, id 0 being `""`.
#[derive(Debug)]
pub struct Strings {
    /// The strings by id.
    pub all: Vec<String>,
    index: rustc_hash::FxHashMap<String, u32>,
}

impl Default for Strings {
    fn default() -> Self {
        let mut index = rustc_hash::FxHashMap::default();
        index.insert(String::new(), 0);
        Strings { all: vec![String::new()], index }
    }
}

impl Strings {
    /// The id of `s`.
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.index.get(s) {
            return id;
        }
        let id = self.all.len() as u32;
        self.all.push(s.to_string());
        self.index.insert(s.to_string(), id);
        id
    }
}

/// pprof's printable name of a node (`NodeInfo.PrintableName`): the address as 16 hex
/// digits when known, the function name, then `file:line`, the file, or for a node without
/// a name the mapping's base name in brackets (`[libc.so.6]`), else `<unknown>`.
pub fn printable_name(k: &NodeKey, s: &Strings, out: &mut String) {
    out.clear();
    let sep = |out: &mut String| {
        if !out.is_empty() {
            out.push(' ');
        }
    };
    if k.address != 0 {
        let _ = write!(out, "{:016x}", k.address);
    }
    let name = &s.all[k.name as usize];
    if !name.is_empty() {
        sep(out);
        out.push_str(name);
    }
    let file = &s.all[k.file as usize];
    if k.lineno != 0 {
        sep(out);
        let _ = write!(out, "{file}:{}", k.lineno);
    } else if !file.is_empty() {
        sep(out);
        out.push_str(file);
    } else if !name.is_empty() {
    } else if k.objfile != 0 {
        sep(out);
        out.push('[');
        out.push_str(&String::from_utf8_lossy(basename(s.all[k.objfile as usize].as_bytes())));
        out.push(']');
    } else {
        sep(out);
        out.push_str("<unknown>");
    }
}

/// A source file name as pprof's `-top` shows it: `report.trimPath` with no `-trim_path`
/// and no `-source_path` (only `/proc/self/cwd/./` and `/proc/self/cwd/` are cut off the
/// front), then `filepath.Clean` unless the name is empty.
pub fn display_file(path: &str) -> String {
    let mut p = path;
    for prefix in ["/proc/self/cwd/./", "/proc/self/cwd/"] {
        if let Some(rest) = p.strip_prefix(prefix) {
            p = rest;
            break;
        }
    }
    if p.is_empty() {
        String::new()
    } else {
        clean(p)
    }
}

/// Go's `path/filepath.Clean` for `/`-separated paths: the shortest equivalent path by
/// purely lexical processing (`a//b` → `a/b`, `a/./b` → `a/b`, `a/x/../b` → `a/b`,
/// `/../a` → `/a`, `""` → `.`).
pub fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    // How many leading ".." a relative path keeps (they cannot be cancelled).
    let mut dotdot = 0;
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.len() > dotdot {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                    dotdot = parts.len();
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::names::simplify_func;

    #[test]
    fn clean_like_go() {
        // Cases from Go's path/filepath tests.
        for (i, o) in [
            ("", "."),
            ("abc", "abc"),
            ("abc/def", "abc/def"),
            (".", "."),
            ("..", ".."),
            ("../..", "../.."),
            ("../../abc", "../../abc"),
            ("/abc", "/abc"),
            ("/", "/"),
            ("abc/", "abc"),
            ("abc/def/", "abc/def"),
            ("a/b/c/", "a/b/c"),
            ("./", "."),
            ("../", ".."),
            ("/abc/", "/abc"),
            ("//abc", "/abc"),
            ("///abc", "/abc"),
            ("abc//def//ghi", "abc/def/ghi"),
            ("abc/./def", "abc/def"),
            ("/./abc/def", "/abc/def"),
            ("abc/.", "abc"),
            ("abc/def/ghi/../jkl", "abc/def/jkl"),
            ("abc/def/../ghi/../jkl", "abc/jkl"),
            ("abc/def/..", "abc"),
            ("abc/def/../..", "."),
            ("/abc/def/../..", "/"),
            ("abc/def/../../..", ".."),
            ("/abc/def/../../..", "/"),
            ("abc/def/../../../ghi/jkl/../../../mno", "../../mno"),
            ("/../abc", "/abc"),
            ("abc/./../def", "def"),
            ("abc//./../def", "def"),
            ("abc/../../././../def", "../../def"),
        ] {
            assert_eq!(clean(i), o, "Clean({i:?})");
        }
    }

    #[test]
    fn simplify_like_pprof() {
        assert_eq!(simplify_func("main.(*T).f"), "main.");
        assert_eq!(simplify_func(".foo(int)"), "foo");
        assert_eq!(simplify_func("ns::(anonymous namespace)::f(int)"), "ns::(anonymous namespace)::f");
        assert_eq!(simplify_func("Foo::operator()(int)"), "Foo::operator()");
        assert_eq!(simplify_func("runtime.mallocgc"), "runtime.mallocgc");
        assert_eq!(simplify_func("type:.hash.x.key·2"), "type:.hash.x.key·2");
        assert_eq!(simplify_func("é·(x)"), "é·");
    }

    #[test]
    fn names_like_pprof() {
        let mut s = Strings::default();
        let (f, file, obj) = (s.intern("main.f"), s.intern("holdout/main.go"), s.intern("/usr/lib/libc.so.6"));
        let mut out = String::new();
        let k = NodeKey { address: 0, name: f, file: 0, lineno: 0, start_line: 0, objfile: 0 };
        printable_name(&k, &s, &mut out);
        assert_eq!(out, "main.f");
        printable_name(&NodeKey { file, lineno: 31, ..k }, &s, &mut out);
        assert_eq!(out, "main.f holdout/main.go:31");
        printable_name(&NodeKey { address: 0x437a71, file, lineno: 250, ..k }, &s, &mut out);
        assert_eq!(out, "0000000000437a71 main.f holdout/main.go:250");
        printable_name(&NodeKey { name: 0, file, ..k }, &s, &mut out);
        assert_eq!(out, "holdout/main.go");
        printable_name(&NodeKey { name: 0, objfile: obj, ..k }, &s, &mut out);
        assert_eq!(out, "[libc.so.6]");
        printable_name(&NodeKey { name: 0, address: 0x10, ..k }, &s, &mut out);
        assert_eq!(out, "0000000000000010 <unknown>");
        assert_eq!(display_file("/proc/self/cwd/./a//b.go"), "a/b.go");
    }
}
