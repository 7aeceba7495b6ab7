//! Which of the user's source files is the one a profile names: the longest common suffix of
//! whole path components wins (so `-trimpath` module paths, absolute build paths and a folder
//! picked anywhere in a checkout all match), and at least the file names must be equal.

/// Path components, `/` or `\` separated, empty ones and `.` dropped.
fn parts(p: &str) -> Vec<&str> {
    p.split(['/', '\\']).filter(|c| !c.is_empty() && *c != ".").collect()
}

/// How many trailing components two paths share.
pub fn common_suffix(a: &str, b: &str) -> usize {
    let (a, b) = (parts(a), parts(b));
    a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count()
}

/// The index in `have` of the file matching the profile's path `want`: the most trailing
/// components in common (at least one: the file name), then the shortest path, then the first.
pub fn best_match(want: &str, have: &[String]) -> Option<usize> {
    let mut best: Option<(usize, usize, usize)> = None; // (common, len, index)
    for (i, h) in have.iter().enumerate() {
        let c = common_suffix(want, h);
        if c == 0 {
            continue;
        }
        let n = parts(h).len();
        if best.is_none_or(|(bc, bn, _)| c > bc || (c == bc && n < bn)) {
            best = Some((c, n, i));
        }
    }
    best.map(|b| b.2)
}

/// Is this the name of a source file the source view may need (what a folder or module zip
/// is read for; everything else in it is skipped)?
pub fn is_source_name(name: &str) -> bool {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    if base.starts_with('.') {
        return false;
    }
    let ext = base.rsplit_once('.').map(|x| x.1).unwrap_or("");
    matches!(
        ext,
        "go" | "s"
            | "S"
            | "c"
            | "h"
            | "cc"
            | "cpp"
            | "cxx"
            | "hpp"
            | "hh"
            | "rs"
            | "py"
            | "java"
            | "kt"
            | "js"
            | "ts"
            | "m"
            | "mm"
            | "swift"
            | "zig"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(x: &[&str]) -> Vec<String> {
        x.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_longest_path_suffix_wins() {
        let have = v(&["source/main.go", "source/store/store.go", "other/main.go", "main.go"]);
        // -trimpath module path: gen/source/main.go shares "source/main.go" with the first.
        assert_eq!(best_match("profdrop/testdata/gen/source/main.go", &have), Some(0));
        assert_eq!(best_match("profdrop/testdata/gen/source/store/store.go", &have), Some(1));
        // Only the file name in common: the shortest path of that name.
        assert_eq!(best_match("/home/ci/build/cmd/x/main.go", &have), Some(3));
        assert_eq!(best_match("runtime/proc.go", &have), None);
        assert_eq!(best_match("C:\\src\\other\\main.go", &have), Some(2));
        assert_eq!(common_suffix("a/./b//c.go", "b/c.go"), 2);
    }

    #[test]
    fn source_names() {
        assert!(is_source_name("mod/pkg/a.go") && is_source_name("x/asm_amd64.s"));
        assert!(!is_source_name("go.mod") && !is_source_name("README.md") && !is_source_name("pkg/.hidden.go"));
    }
}
