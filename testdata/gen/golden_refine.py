#!/usr/bin/env python3
"""Record `go tool pprof -top` with refinement options as golden TSVs.

Usage: python3 testdata/gen/golden_refine.py   (needs `go` on PATH; run by refine.sh)

For every (profile, sample index, option set) in CASES it runs

    go tool pprof -symbolize=none -trim=false -sample_index=i -unit=U -top OPTIONS P

and writes testdata/golden/refine/<P with / replaced by __>.<i>.<set>.tsv, in
the format of testdata/golden/top (see golden.py) with two more keys in the
first line: args (the options, percent-encoded, separated by %20) and mean
(1 with -mean, whose Type: line is mean_<type>). The total is pprof's, which
is the whole profile's (before any filter).
"""

import concurrent.futures
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden  # noqa: E402  (reuses its pprof runner and -top parser)

OUT = os.path.join(golden.GOLDEN, "refine")

GRANULARITIES = [
    ("functions", ["-functions"]),
    ("filefunctions", ["-filefunctions"]),
    ("files", ["-files"]),
    ("lines", ["-lines"]),
    ("addresses", ["-addresses"]),
    ("noinlines", ["-noinlines"]),
    ("lines-noinlines", ["-lines", "-noinlines"]),
    ("addresses-noinlines", ["-addresses", "-noinlines"]),
    ("files-noinlines", ["-files", "-noinlines"]),
]

CPU = [
    ("focus", ["-focus=main\\.walk"]),
    ("focus-file", ["-focus=refine/main\\.go"]),
    ("focus-mapping", ["-focus=gen-refine/refine$"]),
    ("hide-mapping", ["-hide=gen-refine/refine$"]),
    ("ignore", ["-ignore=main\\.ping"]),
    ("focus-ignore", ["-focus=main\\.serve", "-ignore=handleUsers"]),
    ("hide", ["-hide=runtime"]),
    ("hide-inlined", ["-hide=main\\.(mix|square)"]),
    ("show", ["-show=main\\."]),
    ("show-inlined", ["-show=square"]),
    ("show_from", ["-show_from=main\\.serve"]),
    ("show_from-recursive", ["-show_from=main\\.(walk|pong)"]),
    ("show_from-inlined", ["-show_from=main\\.mix"]),
    ("prune_from", ["-prune_from=main\\.checksum"]),
    ("prune_from-inlined", ["-prune_from=main\\.(mix|square)"]),
    ("prune_from-method", ["-prune_from=runtime\\.\\(\\*mcache\\)"]),
    ("tagfocus", ["-tagfocus=handler=/api/users"]),
    ("tagfocus-bare", ["-tagfocus=/api/orders"]),
    ("tagfocus-list", ["-tagfocus=handler=orders,healthz"]),
    ("tagfocus-bare-list", ["-tagfocus=tenant:b,handler:/api/users"]),
    ("tagignore", ["-tagignore=tenant=b"]),
    ("tagfocus-tagignore", ["-tagfocus=handler=/api/users", "-tagignore=tenant=a"]),
    ("tagshow", ["-tagshow=handler"]),
    ("taghide", ["-taghide=tenant"]),
    ("nothing", ["-focus=^nosuchfunction$"]),
    ("combo-focus-hide-lines", ["-focus=main\\.handle", "-hide=runtime", "-lines"]),
    ("combo-tag-ignore-files", ["-tagfocus=tenant=b", "-ignore=ping", "-files"]),
    ("combo-showfrom-prune-noinlines", ["-show_from=main\\.serve\\.func1", "-prune_from=main\\.checksum", "-noinlines"]),
    ("combo-all", ["-focus=main\\.", "-ignore=healthz", "-hide=main\\.mix", "-show=main\\.", "-show_from=main\\.serve",
                   "-tagfocus=handler=/api", "-tagignore=tenant=a", "-prune_from=main\\.checksum", "-addresses"]),
] + GRANULARITIES

HEAP = [
    ("focus", ["-focus=main\\.allocBig"]),
    ("ignore", ["-ignore=buildIndex"]),
    ("hide", ["-hide=main\\.main"]),
    ("tagfocus-1kb-up", ["-tagfocus=bytes=1kb:"]),
    ("tagfocus-upto-64", ["-tagfocus=:64"]),
    ("tagfocus-upto-64b", ["-tagfocus=:64b"]),
    ("tagfocus-1mb-2mb", ["-tagfocus=bytes=1mb:2mb"]),
    ("tagfocus-1kb-3mb", ["-tagfocus=1kb:3mb"]),
    ("tagfocus-1kb", ["-tagfocus=bytes=1kb"]),
    ("tagfocus-1024", ["-tagfocus=bytes=1024"]),
    ("tagignore-64kb", ["-tagignore=bytes=64kb"]),
    ("tagfocus-other-key", ["-tagfocus=request=1kb:"]),
    ("combo-tag-lines", ["-tagfocus=bytes=:4kb", "-lines"]),
] + GRANULARITIES

GOROUTINE = [
    ("tagfocus", ["-tagfocus=pool=io"]),
    ("tagignore", ["-tagignore=pool=cpu"]),
    ("tagfocus-bare", ["-tagfocus=pool:cpu"]),
    ("focus", ["-focus=main\\.park"]),
    ("show_from", ["-show_from=main\\.park"]),
    ("lines", ["-lines"]),
    ("files", ["-files"]),
    ("combo", ["-tagfocus=pool=io", "-hide=runtime", "-addresses"]),
]

EXAMPLE = [
    ("focus", ["-focus=encoding/json"]),
    ("ignore", ["-ignore=runtime\\.mallocgc"]),
    ("hide", ["-hide=^runtime\\."]),
    ("show", ["-show=^main\\."]),
    ("show_from", ["-show_from=main\\.busyWork"]),
    ("prune_from", ["-prune_from=^sort\\."]),
] + GRANULARITIES

MEAN = [
    ("refine/refine-cpu.pb.gz", 1, "mean", ["-mean"]),
    ("refine/refine-heap.pb.gz", 3, "mean", ["-mean"]),
    ("refine/refine-heap.pb.gz", 1, "mean-focus", ["-mean", "-focus=main\\.alloc"]),
    ("example/heap.pb.gz", 3, "mean-lines", ["-mean", "-lines"]),
]


def cases():
    out = []

    def add(path, sets, indices=None):
        types = golden.sample_types(path)
        if indices is None:
            dflt = [i for i, t in enumerate(types) if t[2]]
            indices = dflt[-1:] or [len(types) - 1]
        for i in indices:
            for name, args in sets:
                out.append((path, i, types[i], name, args, False))

    add("refine/refine-cpu.pb.gz", CPU)
    add("refine/refine-cpu.pb.gz", [("focus", CPU[0][1]), ("tagfocus", ["-tagfocus=handler=/api/users"])], [0])
    add("refine/refine-heap.pb.gz", HEAP, [3])
    add("refine/refine-heap.pb.gz", HEAP[:8], [0, 1])
    add("refine/refine-goroutine.pb.gz", GOROUTINE, [0])
    add("example/cpu.pb.gz", EXAMPLE)
    add("example/heap.pb.gz", EXAMPLE, [1, 3])
    add("example/goroutine.pb.gz", EXAMPLE[:4] + GRANULARITIES[:4], [0])
    for path, i, name, args in MEAN:
        out.append((path, i, golden.sample_types(path)[i], name, args, True))
    return out


def job(path, i, typ, name, args, mean):
    t, unit, _ = typ
    u = golden.unit_for(unit)
    ctx = "%s[%d] %s" % (path, i, " ".join(args))
    text = golden.pprof("-trim=false", "-sample_index=%d" % i, "-unit=" + u, "-top", *args, path)
    total, rows = golden.parse_top(text, ("mean_" + t) if mean else t, ctx)
    fname = "%s.%d.%s.tsv" % (path.replace("/", "__"), i, name)
    enc = "%20".join(urllib.parse.quote(a, safe="") for a in args)
    header = "# profile=%s sample_index=%d sample_type=%s unit=%s total=%d mean=%d args=%s" % (
        path, i, t, u, total, 1 if mean else 0, enc)
    golden.write_tsv(os.path.join(OUT, fname), header, rows)
    return fname


def main():
    os.makedirs(OUT, exist_ok=True)
    for n in os.listdir(OUT):
        if n.endswith(".tsv"):
            os.remove(os.path.join(OUT, n))
    all_cases = cases()
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        names = list(ex.map(lambda c: job(*c), all_cases))
    if len(set(names)) != len(names):
        sys.exit("golden_refine.py: two cases write the same file")
    print("golden_refine.py: %d golden tables in %s" % (len(names), OUT))


if __name__ == "__main__":
    main()
