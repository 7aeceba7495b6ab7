#!/usr/bin/env python3
"""Record the call graph of `go tool pprof -dot` on the project's fixtures as goldens.

Usage: python3 testdata/gen/graph_golden.py   (from anywhere; needs `go` on PATH)

For every (profile, sample index, option set) in CASES it runs

    go tool pprof -symbolize=none -sample_index=i -unit=U -dot OPTIONS P

(U the sample type's own unit, "count" when empty, so every number is a raw integer) and
writes testdata/golden/graph/<P with / replaced by __>.<i>.<set>.tsv (diffs:
diff.<BASE>.<P>.<i>.<set>.tsv), tab-separated lines:

    profile  P             (relative to testdata/)
    sample_index  i
    base  BASE             (diffs only)
    args  OPTION ...
    N  flat  cum  name                             (one per node)
    E  weight  inline  dotted  from  to            (one per edge; inline, dotted: 1 or 0)

nodes in pprof's order (N1, N2, ...), edges in the order -dot writes them, names as pprof's
tooltips print them (the full node name). Tag boxes (nodelets) are left out. With -diff_base
the base is the first of the pair. Paths are relative to testdata/, where pprof runs.
`parse_dot` is also used by tests/graph.rs' live check, through the same rules in Rust.
"""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden import TESTDATA, sample_types, unit_for  # noqa: E402

OUT = os.path.join(TESTDATA, "golden", "graph")

DEFAULT = ("default", [])
SETS = [
    DEFAULT,
    ("n20", ["-nodecount=20"]),
    ("n0", ["-nodecount=0"]),
    ("nf05-ef01", ["-nodefraction=0.05", "-edgefraction=0.01"]),
    ("n10-nf0-ef0", ["-nodecount=10", "-nodefraction=0", "-edgefraction=0"]),
]

# (profile, sample indices (None: all), option sets)
CASES = [
    ("example/cpu.pb.gz", None, SETS),
    ("example/heap.pb.gz", None, SETS),
    ("example/goroutine.pb.gz", None, [DEFAULT]),
    ("refine/refine-cpu.pb.gz", None, SETS + [
        ("focus-lines", ["-focus=main\\.handle", "-lines"]),
        ("hide", ["-hide=runtime"]),
        ("noinlines", ["-noinlines"]),
        ("n8", ["-nodecount=8"]),
    ]),
    ("refine/refine-heap.pb.gz", None, [DEFAULT, ("n6", ["-nodecount=6"])]),
    ("refine/refine-goroutine.pb.gz", None, [DEFAULT]),
    ("leaks/cache/06.heap.pb.gz", None, [DEFAULT, ("n12", ["-nodecount=12"])]),
]

# (base, target, sample index, option sets): pprof's -diff_base graph.
DIFFS = [
    ("leaks/cache/01.heap.pb.gz", "leaks/cache/06.heap.pb.gz", 3, [DEFAULT, ("n12", ["-nodecount=12"])]),
    ("example/cpu.pb.gz", "example/cpu2.pb.gz", 1, [DEFAULT, ("nf0-ef0", ["-nodefraction=0", "-edgefraction=0"])]),
]

NODE_RE = re.compile(r'^N(\d+) \[label="(.*)" id="node\d+" fontsize=\d+ shape=\w+ tooltip="(.*) \((-?\d+)[A-Za-z]*\)" color=')
EDGE_RE = re.compile(r'^N(\d+) -> N(\d+) \[label=" (-?\d+)[A-Za-z]*(\\n \(inline\))?"(.*)\]$')
FLAT_RE = re.compile(r'(?:^|\\n)(-?\d+)[A-Za-z]* \(-?[\d.]+%\)(?:\\nof -?\d+[A-Za-z]* \(-?[\d.]+%\))?$')


def unescape(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            out.append({"\\": "\\", '"': '"', "l": "\n"}.get(n, "\\" + n))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def parse_dot(text, ctx):
    """-dot text -> (nodes [(name, flat, cum)], edges [(from, to, weight, inline, residual)])."""
    ids, nodes, edges = {}, [], []
    for line in text.splitlines():
        m = NODE_RE.match(line)
        if m:
            label, name, cum = m.group(2), unescape(m.group(3)), int(m.group(4))
            if label.endswith(" of %s" % label.rsplit(" of ", 1)[-1]) and re.search(r'(?:^|\\n)0 of ', label):
                flat = 0
            else:
                f = FLAT_RE.search(label)
                if not f:
                    sys.exit("graph_golden.py: %s: cannot read flat from %r" % (ctx, label))
                flat = int(f.group(1))
            ids[m.group(1)] = name
            nodes.append((name, flat, cum))
            continue
        m = EDGE_RE.match(line)
        if m:
            rest = m.group(5)
            edges.append((ids[m.group(1)], ids[m.group(2)], int(m.group(3)), m.group(4) is not None, 'style="dotted"' in rest))
    return nodes, edges


def run(args, ctx):
    cmd = ["go", "tool", "pprof", "-symbolize=none"] + args
    p = subprocess.run(cmd, cwd=TESTDATA, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("graph_golden.py: %s failed:\n%s" % (" ".join(cmd), p.stderr))
    return parse_dot(p.stdout, ctx)


def write(name, profile, index, base, args, nodes, edges):
    for n in nodes:
        if "\t" in n[0] or "\n" in n[0]:
            sys.exit("graph_golden.py: %s: a name with a tab or newline: %r" % (name, n[0]))
    with open(os.path.join(OUT, name), "w") as f:
        f.write("profile\t%s\n" % profile)
        f.write("sample_index\t%d\n" % index)
        if base:
            f.write("base\t%s\n" % base)
        f.write("args%s\n" % "".join("\t" + a for a in args))
        for n, flat, cum in nodes:
            f.write("N\t%d\t%d\t%s\n" % (flat, cum, n))
        for a, b, w, inline, residual in edges:
            f.write("E\t%d\t%d\t%d\t%s\t%s\n" % (w, inline, residual, a, b))
    print(name, len(nodes), "nodes", len(edges), "edges")


def main():
    os.makedirs(OUT, exist_ok=True)
    for n in os.listdir(OUT):
        if n.endswith(".tsv"):
            os.remove(os.path.join(OUT, n))
    for path, idx, sets in CASES:
        types = sample_types(path)
        for i, (typ, unit, _) in enumerate(types):
            if idx is not None and i not in idx:
                continue
            for set_name, opts in sets:
                args = ["-sample_index=%d" % i, "-unit=" + unit_for(unit), "-dot"] + opts
                nodes, edges = run(args + [path], path)
                write("%s.%d.%s.tsv" % (path.replace("/", "__"), i, set_name), path, i, None, opts, nodes, edges)
    for base, target, i, sets in DIFFS:
        typ, unit, _ = sample_types(target)[i]
        for set_name, opts in sets:
            args = ["-sample_index=%d" % i, "-unit=" + unit_for(unit), "-dot", "-diff_base=" + base] + opts
            nodes, edges = run(args + [target], target)
            name = "diff.%s.%s.%d.%s.tsv" % (base.replace("/", "__"), target.replace("/", "__"), i, set_name)
            write(name, target, i, base, opts, nodes, edges)


if __name__ == "__main__":
    main()
