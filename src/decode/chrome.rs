//! Chrome's and Node's JavaScript profiles: a `.cpuprofile` (DevTools' JavaScript profiler
//! "Save", `node --cpu-prof`: a tree of `nodes`, the node of each sample and the µs between
//! samples) and a `.heapprofile` (DevTools' "Allocation sampling", `node --heap-prof`: a tree
//! under `head` with each node's sampled live bytes, `selfSize`).
//!
//! A cpuprofile gives two sample types: `samples` (count; each sample is 1) and `cpu`
//! (nanoseconds; as DevTools' own data model, a sample lasts until the next sample's
//! timestamp, and the last until `endTime`, so the total is `endTime` − the first sample's
//! timestamp). Samples are ordered by timestamp first, as DevTools does when deltas are
//! negative. A file without `samples` (old exporters) gives each node's `hitCount`. A
//! heapprofile gives `inuse_space` (bytes): every node's `selfSize`.
//!
//! Names: `functionName`, or `(anonymous) URL:LINE` for a function without a name (so that
//! anonymous functions of different places stay apart); the `(root)` node is not a frame;
//! `(program)`, `(idle)` and `(garbage collector)` are kept as V8 names them.

use super::error::{DecodeError, Limits};
use super::json::{self, Doc, Value};
use super::stacks::Builder;
use crate::model::{Profile, ValueType};
use rustc_hash::FxHashMap;

fn bad(what: impl Into<String>) -> DecodeError {
    DecodeError::Malformed(what.into())
}

/// JSON nesting a file may have beyond its call stacks' own.
const NESTING: usize = 16;

fn doc(b: &[u8], limits: &Limits) -> Result<Doc, DecodeError> {
    json::parse(b, limits.max_stack_depth.saturating_mul(2).saturating_add(NESTING), limits.max_entries.saturating_mul(4))
}

/// A node's function name (see the module's documentation) and URL.
fn frame_name(d: &Doc, call_frame: Option<u32>) -> (String, String) {
    let Some(cf) = call_frame else { return ("(unknown)".into(), String::new()) };
    let name = d.str(d.field(cf, "functionName")).unwrap_or("");
    let url = d.str(d.field(cf, "url")).unwrap_or("").to_string();
    if !name.is_empty() {
        return (name.to_string(), url);
    }
    let line = d.num(d.field(cf, "lineNumber")).unwrap_or(-1.0);
    let name = if url.is_empty() { "(anonymous)".to_string() } else { format!("(anonymous) {url}:{}", line as i64 + 1) };
    (name, url)
}

/// A whole number from a JSON number (ids, counts, times).
fn int(d: &Doc, v: Option<u32>, what: &str) -> Result<i64, DecodeError> {
    let n = d.num(v).ok_or_else(|| bad(format!("{what} is not a number")))?;
    if n.fract() != 0.0 || n.abs() > 9.0e15 {
        return Err(bad(format!("{what} is not a whole number ({n})")));
    }
    Ok(n as i64)
}

/// Parses a `.cpuprofile`.
pub fn parse_cpu(b: &[u8], limits: &Limits) -> Result<Profile, DecodeError> {
    let d = doc(b, limits)?;
    let root = d.root();
    let nodes = d.arr(d.field(root, "nodes")).ok_or_else(|| bad("a cpuprofile has a \"nodes\" array"))?;
    if nodes.len() > limits.max_entries {
        return Err(DecodeError::Limit { what: "node count".into(), limit: limits.max_entries });
    }
    // Node ids → index; parents from children lists (or each node's `parent`).
    let mut index: FxHashMap<i64, u32> = FxHashMap::default();
    for (i, &n) in nodes.iter().enumerate() {
        let id = int(&d, d.field(n, "id"), "a node's id")?;
        if index.insert(id, i as u32).is_some() {
            return Err(bad(format!("node id {id} is used twice")));
        }
    }
    let mut parent: Vec<u32> = vec![u32::MAX; nodes.len()];
    for (i, &n) in nodes.iter().enumerate() {
        if let Some(p) = d.field(n, "parent").filter(|&p| !matches!(d.get(p), Value::Null)) {
            let p = int(&d, Some(p), "a node's parent")?;
            parent[i] = *index.get(&p).ok_or_else(|| bad(format!("node {i} names parent {p}, which is no node")))?;
        }
    }
    for (i, &n) in nodes.iter().enumerate() {
        for &c in d.arr(d.field(n, "children")).unwrap_or(&[]) {
            let c = int(&d, Some(c), "a child id")?;
            let ci = *index.get(&c).ok_or_else(|| bad(format!("child {c} is no node")))? as usize;
            if parent[ci] != u32::MAX && parent[ci] != i as u32 {
                return Err(bad(format!("node {c} has two parents")));
            }
            parent[ci] = i as u32;
        }
    }
    let names: Vec<(String, String)> = nodes.iter().map(|&n| frame_name(&d, d.field(n, "callFrame"))).collect();

    let samples = d.arr(d.field(root, "samples"));
    let mut count = vec![0i64; nodes.len()];
    let mut time = vec![0i64; nodes.len()];
    let types;
    if let Some(samples) = samples {
        let deltas = d.arr(d.field(root, "timeDeltas")).unwrap_or(&[]);
        if !deltas.is_empty() && deltas.len() != samples.len() {
            return Err(bad(format!("{} samples but {} timeDeltas", samples.len(), deltas.len())));
        }
        let start = d.num(d.field(root, "startTime")).unwrap_or(0.0);
        let end = d.num(d.field(root, "endTime"));
        // Timestamps in µs (as floats: integers up to 2^53 are exact), then in time order.
        let mut at: Vec<(f64, u32)> = Vec::with_capacity(samples.len());
        let mut t = start;
        for (k, &s) in samples.iter().enumerate() {
            let id = int(&d, Some(s), "a sample")?;
            let node = *index.get(&id).ok_or_else(|| bad(format!("sample {k} is node {id}, which is no node")))?;
            if let Some(&dt) = deltas.get(k) {
                t += d.num(Some(dt)).ok_or_else(|| bad(format!("timeDeltas[{k}] is not a number")))?;
            }
            at.push((t, node));
        }
        at.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (k, &(t, node)) in at.iter().enumerate() {
            let next = at.get(k + 1).map(|n| n.0).or(end).unwrap_or(t);
            count[node as usize] += 1;
            let ns = ((next - t).max(0.0) * 1000.0).round();
            if !ns.is_finite() || ns > 9.0e15 {
                return Err(bad(format!("sample {k} lasts {ns} ns")));
            }
            time[node as usize] += ns as i64;
        }
        types =
            vec![ValueType { name: "samples".into(), unit: "count".into() }, ValueType { name: "cpu".into(), unit: "nanoseconds".into() }];
    } else {
        for (i, &n) in nodes.iter().enumerate() {
            count[i] = d.field(n, "hitCount").map(|h| int(&d, Some(h), "a hitCount")).transpose()?.unwrap_or(0).max(0);
        }
        types = vec![ValueType { name: "samples".into(), unit: "count".into() }];
    }
    let default = types.len() - 1;
    let mut out = Builder::new(types, default, "Chrome cpuprofile", limits);
    let ids = stacks_of(&mut out, &parent, &names, limits, |i| count[i] != 0 || time[i] != 0)?;
    for (i, stack) in ids {
        out.add(&stack, 0, 0, count[i])?;
        if default == 1 {
            out.add(&stack, 0, 1, time[i])?;
        }
    }
    let p = out.profile();
    if let (Some(s), Some(e)) = (d.num(d.field(root, "startTime")), d.num(d.field(root, "endTime"))) {
        if e > s && (e - s) < 9.0e12 {
            p.duration_nanos = ((e - s) * 1000.0) as i64;
        }
    }
    Ok(out.finish())
}

/// The root-first function stacks of the nodes `wanted` picks: each node's ancestors, less a
/// `(root)` node at the top. Refuses cycles and stacks deeper than the limit.
fn stacks_of(
    out: &mut Builder,
    parent: &[u32],
    names: &[(String, String)],
    limits: &Limits,
    wanted: impl Fn(usize) -> bool,
) -> Result<Vec<(usize, Vec<u32>)>, DecodeError> {
    let mut funcs: Vec<u32> = vec![u32::MAX; names.len()];
    let mut all = Vec::new();
    for i in (0..parent.len()).filter(|&i| wanted(i)) {
        let mut chain = Vec::new();
        let mut n = i as u32;
        loop {
            if chain.len() > limits.max_stack_depth || chain.len() > parent.len() {
                return Err(if chain.len() > parent.len() {
                    bad("the nodes' parents form a cycle")
                } else {
                    DecodeError::Limit { what: "stack depth".into(), limit: limits.max_stack_depth }
                });
            }
            let up = parent[n as usize];
            if up == u32::MAX && names[n as usize].0 == "(root)" {
                break;
            }
            if funcs[n as usize] == u32::MAX {
                let (name, url) = &names[n as usize];
                funcs[n as usize] = out.func(name.as_bytes(), url.as_bytes())?;
            }
            chain.push(funcs[n as usize]);
            if up == u32::MAX {
                break;
            }
            n = up;
        }
        chain.reverse();
        all.push((i, chain));
    }
    Ok(all)
}

/// Parses a `.heapprofile`.
pub fn parse_heap(b: &[u8], limits: &Limits) -> Result<Profile, DecodeError> {
    let d = doc(b, limits)?;
    let head = d.field(d.root(), "head").ok_or_else(|| bad("a heapprofile has a \"head\" node"))?;
    // Walk the tree without recursion: (node, parent index).
    let mut parent: Vec<u32> = Vec::new();
    let mut names = Vec::new();
    let mut size: Vec<i64> = Vec::new();
    let mut todo = vec![(head, u32::MAX)];
    while let Some((n, up)) = todo.pop() {
        if !matches!(d.get(n), Value::Obj(_)) {
            return Err(bad("a heap profile node is not an object"));
        }
        if parent.len() >= limits.max_entries {
            return Err(DecodeError::Limit { what: "node count".into(), limit: limits.max_entries });
        }
        let me = parent.len() as u32;
        parent.push(up);
        names.push(frame_name(&d, d.field(n, "callFrame")));
        let s = d.field(n, "selfSize").map(|s| int(&d, Some(s), "a selfSize")).transpose()?.unwrap_or(0);
        if s < 0 {
            return Err(bad(format!("selfSize {s} is negative")));
        }
        size.push(s);
        for &c in d.arr(d.field(n, "children")).unwrap_or(&[]).iter().rev() {
            todo.push((c, me));
        }
    }
    let types = vec![ValueType { name: "inuse_space".into(), unit: "bytes".into() }];
    let mut out = Builder::new(types, 0, "Chrome heapprofile", limits);
    for (i, stack) in stacks_of(&mut out, &parent, &names, limits, |i| size[i] != 0)? {
        out.add(&stack, 0, 0, size[i])?;
    }
    Ok(out.finish())
}

/// Which of the two a JSON head is: `Some(true)` a cpuprofile, `Some(false)` a heapprofile.
pub(super) fn sniff(head: &str) -> Option<bool> {
    let has = |k: &str| head.contains(k);
    if has("\"callFrame\"") && has("\"head\"") && (has("\"selfSize\"") || !has("\"nodes\"")) {
        return Some(false);
    }
    if has("\"nodes\"") && (has("\"callFrame\"") || has("\"startTime\"")) {
        return Some(true);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::top::top_table;

    fn flat_cum(p: &Profile, ty: usize, name: &str) -> (i64, i64) {
        let (rows, _) = top_table(p, ty);
        let id = p.functions.get(name.as_bytes()).unwrap_or_else(|| panic!("no {name}: {:?}", p.functions.names));
        rows.iter().find(|r| r.func == id).map(|r| (r.flat, r.cum)).unwrap_or((0, 0))
    }

    const CPU: &str = r#"{"nodes":[
        {"id":1,"callFrame":{"functionName":"(root)","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1},"hitCount":0,"children":[2,4]},
        {"id":2,"callFrame":{"functionName":"main","scriptId":"1","url":"file:///a.js","lineNumber":0,"columnNumber":0},"hitCount":1,"children":[3]},
        {"id":3,"callFrame":{"functionName":"","scriptId":"1","url":"file:///a.js","lineNumber":9,"columnNumber":4},"hitCount":2},
        {"id":4,"callFrame":{"functionName":"(idle)","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1},"hitCount":1}],
        "startTime":1000,"endTime":1100,"samples":[3,2,4,3],"timeDeltas":[10,20,-5,40]}"#;

    #[test]
    fn cpuprofile_times_follow_devtools() {
        // Timestamps 1010 (node 3), 1030 (2), 1025 (4), 1065 (3); in time order 3@1010, 4@1025,
        // 2@1030, 3@1065, end 1100: node 3 lasts 15 + 35 µs, node 4 5 µs, node 2 35 µs.
        let p = parse_cpu(CPU.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(p.sample_types[p.default_sample_type].name, "cpu");
        assert_eq!(top_table(&p, 0).1, 4);
        assert_eq!(top_table(&p, 1).1, 90_000);
        assert_eq!(flat_cum(&p, 1, "(anonymous) file:///a.js:10"), (50_000, 50_000));
        assert_eq!(flat_cum(&p, 1, "main"), (35_000, 85_000));
        assert_eq!(flat_cum(&p, 0, "(idle)"), (1, 1));
        assert!(p.functions.get(b"(root)").is_none());
    }

    #[test]
    fn cpuprofile_refusals() {
        let l = Limits::default();
        assert_eq!(parse_cpu(br#"{"nodes":[{"id":1,"children":[1]}],"samples":[1]}"#, &l).unwrap_err().kind(), "Malformed");
        let cyc = br#"{"nodes":[{"id":1,"children":[2]},{"id":2,"children":[1]}],"samples":[1]}"#;
        assert!(parse_cpu(cyc, &l).unwrap_err().to_string().contains("cycle"));
        assert!(parse_cpu(br#"{"nodes":[{"id":1}],"samples":[7]}"#, &l).unwrap_err().to_string().contains("no node"));
    }

    #[test]
    fn heapprofile_sums_self_sizes() {
        let h = br#"{"head":{"callFrame":{"functionName":"(root)","url":""},"selfSize":0,"id":1,"children":[
            {"callFrame":{"functionName":"main","url":"a.js","lineNumber":0},"selfSize":100,"id":2,"children":[
              {"callFrame":{"functionName":"alloc","url":"a.js","lineNumber":5},"selfSize":4096,"id":3,"children":[]}]},
            {"callFrame":{"functionName":"alloc","url":"a.js","lineNumber":5},"selfSize":50,"id":4,"children":[]}]},
            "samples":[]}"#;
        let p = parse_heap(h, &Limits::default()).unwrap();
        assert_eq!(top_table(&p, 0).1, 4246);
        assert_eq!(flat_cum(&p, 0, "alloc"), (4146, 4146));
        assert_eq!(flat_cum(&p, 0, "main"), (100, 4196));
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff(CPU), Some(true));
        assert_eq!(sniff(r#"{"head":{"callFrame":{},"selfSize":0"#), Some(false));
        assert_eq!(sniff(r#"{"traceEvents":[]}"#), None);
    }
}
