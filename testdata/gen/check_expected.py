#!/usr/bin/env python3
"""Check testdata/leaks/expected.tsv against the generated snapshots.

Usage: python3 testdata/gen/check_expected.py [-v]

For each row (scenario, kind, sample_type, expected_rank1_function) it decodes
the first and the last <kind> snapshot of testdata/leaks/<scenario>/ (plain
gzip + protobuf decoding, no pprof needed), subtracts first from last per
stack, and attributes each stack's delta to its *leaf-most user frame*: the
innermost function of the program's own code (package main or
profdrop/testdata/gen/...) or of a library under a dotted import path
(example.com/acme/cache), looking through runtime and standard-library frames
(time.NewTicker -> main.pollUpstream, runtime.gopark -> main.waitForever). Stacks without any user frame are grouped under
"(no user frame)".

The rank-1 function is the user function with the largest growth, provided
that growth reaches the threshold (64 KiB for inuse_space, 5 goroutines for
goroutine); otherwise the answer is "-" (no leak). Exits non-zero if any row
disagrees. With -v it also prints, per row, the top attributions and the
value of the expected function in every snapshot.
"""

import gzip
import os
import sys

TESTDATA = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
THRESHOLD = {"inuse_space": 64 << 10, "goroutine": 5}
NO_USER = "(no user frame)"


def varint(b, i):
    x = s = 0
    while True:
        c = b[i]
        i += 1
        x |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return x, i


def fields(b):
    """Yields (field_number, wire_type, value) of one protobuf message."""
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        f, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(b, i)
        elif wt == 2:
            n, i = varint(b, i)
            v = b[i:i + n]
            i += n
        elif wt == 1:
            v = b[i:i + 8]
            i += 8
        elif wt == 5:
            v = b[i:i + 4]
            i += 4
        else:
            raise ValueError("unsupported wire type %d" % wt)
        yield f, wt, v


def ints(wt, v):
    """A repeated int field: packed (wire type 2) or a single varint."""
    if wt == 0:
        return [v]
    out, i = [], 0
    while i < len(v):
        x, i = varint(v, i)
        out.append(x)
    return out


def signed(x):
    return x - (1 << 64) if x >= 1 << 63 else x


def load(path):
    """Returns (sample_type_names, [(stack_leaf_first, values)])."""
    data = gzip.open(path).read()
    strings, stypes, samples, locs, funcs = [], [], [], {}, {}
    for f, wt, v in fields(data):
        if f == 1:  # sample_type
            t = {ff: vv for ff, _, vv in fields(v)}
            stypes.append(t.get(1, 0))
        elif f == 2:  # sample
            lids, vals = [], []
            for ff, w, vv in fields(v):
                if ff == 1:
                    lids += ints(w, vv)
                elif ff == 2:
                    vals += [signed(x) for x in ints(w, vv)]
            samples.append((lids, vals))
        elif f == 4:  # location
            lid, fids = 0, []
            for ff, _, vv in fields(v):
                if ff == 1:
                    lid = vv
                elif ff == 4:  # line: function_id is field 1
                    fids.append({a: c for a, _, c in fields(vv)}.get(1, 0))
            locs[lid] = fids  # innermost (inlined) function first
        elif f == 5:  # function
            t = {ff: vv for ff, _, vv in fields(v)}
            funcs[t.get(1, 0)] = t.get(2, 0)
        elif f == 6:
            strings.append(v.decode())
    out = []
    for lids, vals in samples:
        stack = tuple(strings[funcs[fid]] for lid in lids for fid in locs[lid])
        out.append((stack, vals))
    return [strings[s] for s in stypes], out


def is_user(fn):
    """The program's own code (package main, profdrop/testdata/gen/...) or a
    library under a dotted import path (example.com/acme/cache): Go's standard
    library has no dot in its path's first element."""
    if fn.startswith("main.") or fn.startswith("profdrop/"):
        return True
    return "/" in fn and "." in fn.split("/", 1)[0]


def attribute(path, sample_type):
    types, samples = load(path)
    idx = types.index(sample_type)
    acc = {}
    for stack, vals in samples:
        owner = next((fn for fn in stack if is_user(fn)), NO_USER)
        acc[owner] = acc.get(owner, 0) + vals[idx]
    return acc


def series(scenario, kind):
    d = os.path.join(TESTDATA, "leaks", scenario)
    suffix = "." + kind + ".pb.gz"
    return [os.path.join(d, n) for n in sorted(os.listdir(d)) if n.endswith(suffix)]


def main():
    verbose = "-v" in sys.argv[1:]
    failed = False
    with open(os.path.join(TESTDATA, "leaks", "expected.tsv")) as f:
        rows = [l.rstrip("\n").split("\t") for l in f if l.strip()]
    for scenario, kind, stype, expected in rows[1:]:
        snaps = series(scenario, kind)
        per_snap = [attribute(p, stype) for p in snaps]
        first, last = per_snap[0], per_snap[-1]
        delta = {k: last.get(k, 0) - first.get(k, 0) for k in set(first) | set(last)}
        ranked = sorted(delta.items(), key=lambda kv: (-kv[1], kv[0]))
        users = [(k, v) for k, v in ranked if k != NO_USER]
        got = users[0][0] if users and users[0][1] >= THRESHOLD[stype] else "-"
        ok = got == expected
        failed |= not ok
        print("%-4s %-10s %-9s %-11s expected=%-18s got=%-18s growth=%d" % (
            "ok" if ok else "FAIL", scenario, kind, stype, expected, got,
            users[0][1] if users else 0))
        if verbose:
            for k, v in ranked[:4]:
                print("       %+10d  %s" % (v, k))
            watch = expected if expected != "-" else (users[0][0] if users else NO_USER)
            print("       %s per snapshot: %s" % (
                watch, " ".join(str(s.get(watch, 0)) for s in per_snap)))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
