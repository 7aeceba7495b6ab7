#!/usr/bin/env python3
"""Record `go tool pprof -list REGEX -source_path DIR` as golden listings.

Usage: python3 testdata/gen/golden_source.py   (needs `go` on PATH; run by source.sh)

The profiles name their files by module path (profdrop/testdata/gen/source/main.go, built
with -trimpath). DIR is a temporary folder holding a link `profdrop` to the repository, so
pprof finds those files exactly where the path says. For every case it runs

    go tool pprof -symbolize=none -trim=false -sample_index=i -unit=U -list REGEX OPTIONS P

and writes testdata/golden/source/<P with / replaced by __>.<i>.<case>.tsv:

    # profile=P sample_index=i sample_type=T unit=U total=N regex=R args=OPTIONS (percent-encoded)
    routine<TAB>function<TAB>file (as pprof prints it)<TAB>flat<TAB>cum
    line<TAB>number<TAB>flat<TAB>cum         (every line pprof prints, "." is 0)
    error<TAB>text                           (a routine whose file pprof could not read)
"""

import os
import re
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden  # noqa: E402

OUT = os.path.join(golden.GOLDEN, "source")
REPO = os.path.dirname(golden.TESTDATA)

CPU = "source/source-cpu.pb.gz"
HEAP = "source/source-heap.pb.gz"

# (profile, sample index or None for the default, case name, regex, options)
CASES = [
    (CPU, None, "crunch", "main\\.crunch", []),
    (CPU, None, "main", "main\\.", []),
    (CPU, None, "inlined", "main\\.(mix|square)", []),
    (CPU, None, "fib", "^main\\.fib$", []),
    (CPU, None, "store", "store\\.", []),
    (CPU, None, "all", ".", []),
    (CPU, None, "noinlines", "main\\.", ["-noinlines"]),
    (CPU, None, "focus", "main\\.", ["-focus=main\\.fib"]),
    (CPU, None, "ignore", "main\\.", ["-ignore=store"]),
    (CPU, None, "hide-inlined", "main\\.", ["-hide=main\\.(mix|square)"]),
    (CPU, None, "show_from", "main\\.", ["-show_from=main\\.crunch"]),
    (CPU, None, "prune_from", "main\\.", ["-prune_from=main\\.crunch"]),
    (CPU, 0, "samples", "main\\.crunch", []),
    (HEAP, None, "allocate", "main\\.allocate", []),
    (HEAP, None, "store", "store\\.", []),
    (HEAP, 0, "alloc_objects", "main\\.|store\\.", []),
    (HEAP, 1, "alloc_space", "main\\.|store\\.", []),
    (HEAP, None, "tagfocus", "main\\.allocate", ["-tagfocus=bytes=1kb:64kb"]),
]

ROUTINE_RE = re.compile(r"^ROUTINE =+ (.*) in (.*)$")
SUMS_RE = re.compile(r"^\s*(\S+)\s+(\S+) \(flat, cum\)")
LINE_RE = re.compile(r"^\s*(\S+)\s+(\S+)\s+(\d+):")


def value(s, ctx):
    return 0 if s == "." else golden.parse_value(s, ctx)


def parse(text, ctx):
    out = []
    lines = text.splitlines()
    if not lines or not lines[0].startswith("Total: "):
        sys.exit("golden_source.py: %s: unexpected output:\n%s" % (ctx, text))
    total = value(lines[0][len("Total: "):], ctx)
    i = 1
    while i < len(lines):
        m = ROUTINE_RE.match(lines[i])
        if m:
            s = SUMS_RE.match(lines[i + 1])
            if not s:
                sys.exit("golden_source.py: %s: no sums after %r" % (ctx, lines[i]))
            out.append("routine\t%s\t%s\t%d\t%d" % (m.group(1), m.group(2), value(s.group(1), ctx), value(s.group(2), ctx)))
            i += 2
            continue
        if lines[i].startswith(" Error: "):
            # The text names the temporary source path: only the file stays.
            out.append("error\t%s" % re.sub(r" on path .*$", "", lines[i][len(" Error: "):]))
        elif lines[i].startswith("No source information for "):
            out.append("nosource\t%s" % lines[i][len("No source information for "):])
        else:
            m = LINE_RE.match(lines[i])
            if not m:
                sys.exit("golden_source.py: %s: bad line %r" % (ctx, lines[i]))
            out.append("line\t%s\t%d\t%d" % (m.group(3), value(m.group(1), ctx), value(m.group(2), ctx)))
        i += 1
    return total, out


def main():
    os.makedirs(OUT, exist_ok=True)
    for n in os.listdir(OUT):
        if n.endswith(".tsv"):
            os.remove(os.path.join(OUT, n))
    with tempfile.TemporaryDirectory() as d:
        os.symlink(REPO, os.path.join(d, "profdrop"))
        names = set()
        for path, idx, name, regex, args in CASES:
            types = golden.sample_types(path)
            if idx is None:
                dflt = [i for i, t in enumerate(types) if t[2]]
                idx = dflt[-1] if dflt else len(types) - 1
            typ, unit, _ = types[idx]
            u = golden.unit_for(unit)
            ctx = "%s[%d] -list %s %s" % (path, idx, regex, " ".join(args))
            text = golden.pprof("-trim=false", "-sample_index=%d" % idx, "-unit=" + u, "-source_path=" + d,
                                "-list=" + regex, *args, path)
            total, rows = parse(text, ctx)
            fname = "%s.%d.%s.tsv" % (path.replace("/", "__"), idx, name)
            if fname in names:
                sys.exit("golden_source.py: two cases write %s" % fname)
            names.add(fname)
            enc = "%20".join(urllib.parse.quote(a, safe="") for a in args)
            header = "# profile=%s sample_index=%d sample_type=%s unit=%s total=%d regex=%s args=%s" % (
                path, idx, typ, u, total, urllib.parse.quote(regex, safe=""), enc)
            with open(os.path.join(OUT, fname), "w") as f:
                f.write(header + "\n")
                for r in rows:
                    f.write(r + "\n")
    print("golden_source.py: %d golden listings in %s" % (len(names), OUT))


if __name__ == "__main__":
    main()
