#!/usr/bin/env python3
"""Record `go tool pprof -top` output for the testdata fixtures as golden TSVs.

Usage: python3 testdata/gen/golden.py   (from anywhere; needs `go` on PATH)

For every *.pb.gz under testdata/ (except gen/ and golden/) and every sample
type index i it runs

    go tool pprof -symbolize=none -trim=false -sample_index=i -unit=U -top P

and writes testdata/golden/top/<P with / replaced by __>.<i>.<type>.tsv.
For every pair in DIFF_PAIRS it runs the same with -diff_base=BASE on TARGET
and writes testdata/golden/diff/<pair>.<i>.<type>.tsv. U is the sample type's
own unit ("count" when the unit is empty or "count"), so every value pprof
prints is an exact integer; the unit suffix (B, ns) is stripped.

All paths are relative to testdata/ and pprof runs with testdata/ as its
working directory.
"""

import concurrent.futures
import os
import re
import subprocess
import sys

TESTDATA = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(TESTDATA, "golden")

LEAK_SCENARIOS = ["cache", "subslice", "goroutines", "deferloop", "tickers", "growbuf", "healthy"]
GOROUTINE_SCENARIOS = ["goroutines", "healthy"]


def snapshots(scenario, kind):
    d = os.path.join(TESTDATA, "leaks", scenario)
    suffix = "." + kind + ".pb.gz"
    names = sorted(n for n in os.listdir(d) if n.endswith(suffix))
    if len(names) < 2:
        sys.exit("golden.py: need at least 2 %s snapshots in %s" % (kind, d))
    return ["leaks/%s/%s" % (scenario, n) for n in names]


def diff_pairs():
    """(pairname, base, target): first vs last snapshot of every series."""
    pairs = []
    for s in LEAK_SCENARIOS:
        snaps = snapshots(s, "heap")
        pairs.append(("leaks_%s_heap" % s, snaps[0], snaps[-1]))
    for s in GOROUTINE_SCENARIOS:
        snaps = snapshots(s, "goroutine")
        pairs.append(("leaks_%s_goroutine" % s, snaps[0], snaps[-1]))
    pairs.append(("example_cpu", "example/cpu.pb.gz", "example/cpu2.pb.gz"))
    return pairs


def pprof(*args):
    cmd = ["go", "tool", "pprof", "-symbolize=none"] + list(args)
    p = subprocess.run(cmd, cwd=TESTDATA, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("golden.py: %s failed:\n%s" % (" ".join(cmd), p.stderr))
    return p.stdout


def sample_types(path):
    """[(type, unit, dflt_marker)] from the first line after 'Samples:' in -raw."""
    lines = pprof("-raw", path).splitlines()
    i = lines.index("Samples:")
    out = []
    for tok in lines[i + 1].split():
        dflt = tok.endswith("[dflt]")
        if dflt:
            tok = tok[: -len("[dflt]")]
        typ, unit = tok.split("/", 1)
        out.append((typ, unit, dflt))
    return out


def default_type(path, types):
    """pprof's default sample type: DefaultSampleType if set, else the last.

    Taken from the 'Type:' line of a plain -top (that is what pprof itself
    picks) and cross-checked against the [dflt] marker of -raw.
    """
    m = re.search(r"^Type: (\S+)$", pprof("-top", path), re.M)
    if not m:
        sys.exit("golden.py: no Type: line for %s" % path)
    name = m.group(1)
    marked = [t for t, _, d in types if d]
    expect = marked[0] if marked else types[-1][0]
    if name != expect:
        sys.exit("golden.py: %s: pprof default %s, expected %s" % (path, name, expect))
    return name


def unit_for(unit):
    return "count" if unit in ("", "count") else unit


VALUE_RE = re.compile(r"^(-?\d+)([A-Za-z]*)$")


def parse_value(s, ctx):
    m = VALUE_RE.match(s)
    if not m:
        sys.exit("golden.py: %s: non-integer value %r" % (ctx, s))
    return int(m.group(1))


def parse_top(text, typ, ctx):
    """Returns (total, [(function, flat, cum)]) in pprof's output order."""
    lines = text.splitlines()
    m = re.search(r"^Type: (\S+)$", text, re.M)
    if not m or m.group(1) != typ:
        sys.exit("golden.py: %s: expected Type: %s" % (ctx, typ))
    total = None
    rows = []
    in_rows = False
    for line in lines:
        if in_rows:
            f = line.split(None, 5)
            if len(f) != 6:
                sys.exit("golden.py: %s: bad row %r" % (ctx, line))
            name = f[5]
            for suffix in (" (inline)", " (partial-inline)"):
                if name.endswith(suffix):
                    name = name[: -len(suffix)]
            rows.append((name, parse_value(f[0], ctx), parse_value(f[3], ctx)))
            continue
        m = re.match(r"^Showing nodes accounting for (\S+), \S+ of (\S+) total$", line)
        if m:
            total = parse_value(m.group(2), ctx)
        elif line.split() == ["flat", "flat%", "sum%", "cum", "cum%"]:
            in_rows = True
    if total is None or not in_rows:
        sys.exit("golden.py: %s: unexpected pprof output:\n%s" % (ctx, text))
    return total, rows


def write_tsv(path, header, rows):
    with open(path, "w") as f:
        f.write(header + "\n")
        f.write("function\tflat\tcum\n")
        for name, flat, cum in rows:
            f.write("%s\t%d\t%d\n" % (name, flat, cum))


def top_job(path, i, typ, unit, is_default):
    u = unit_for(unit)
    ctx = "%s[%d]" % (path, i)
    out = pprof("-trim=false", "-sample_index=%d" % i, "-unit=" + u, "-top", path)
    total, rows = parse_top(out, typ, ctx)
    name = "%s.%d.%s.tsv" % (path.replace("/", "__"), i, typ)
    header = "# profile=%s sample_index=%d sample_type=%s unit=%s total=%d default=%d" % (
        path, i, typ, u, total, 1 if is_default else 0)
    write_tsv(os.path.join(GOLDEN, "top", name), header, rows)
    return name


def diff_job(pair, base, target, i, typ, unit, normalize=False):
    u = unit_for(unit)
    ctx = "%s[%d]" % (pair, i)
    flags = ["-normalize"] if normalize else []
    out = pprof("-trim=false", "-sample_index=%d" % i, "-unit=" + u, *flags,
                "-diff_base=" + base, "-top", target)
    total, rows = parse_top(out, typ, ctx)
    name = "%s.%d.%s.tsv" % (pair, i, typ)
    header = "# base=%s target=%s sample_index=%d sample_type=%s unit=%s total=%d" % (
        base, target, i, typ, u, total)
    write_tsv(os.path.join(GOLDEN, "diff-normalize" if normalize else "diff", name), header, rows)
    return name


def main():
    profiles = []
    for dirpath, dirnames, filenames in os.walk(TESTDATA):
        rel = os.path.relpath(dirpath, TESTDATA)
        if rel.split(os.sep)[0] in ("gen", "golden", "hostile"):
            dirnames[:] = []
            continue
        for n in filenames:
            if n.endswith(".pb.gz"):
                profiles.append(os.path.relpath(os.path.join(dirpath, n), TESTDATA).replace(os.sep, "/"))
    profiles.sort()

    for sub in ("top", "diff", "diff-normalize"):
        d = os.path.join(GOLDEN, sub)
        os.makedirs(d, exist_ok=True)
        for n in os.listdir(d):
            if n.endswith(".tsv"):
                os.remove(os.path.join(d, n))

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
        types = dict(zip(profiles, ex.map(sample_types, profiles)))
        defaults = dict(zip(profiles, ex.map(lambda p: default_type(p, types[p]), profiles)))
        jobs = []
        for p in profiles:
            for i, (typ, unit, _) in enumerate(types[p]):
                jobs.append(ex.submit(top_job, p, i, typ, unit, typ == defaults[p]))
        pairs = diff_pairs()
        for pair, base, target in pairs:
            if [t[:2] for t in types[base]] != [t[:2] for t in types[target]]:
                sys.exit("golden.py: %s: sample types differ" % pair)
            for i, (typ, unit, _) in enumerate(types[target]):
                jobs.append(ex.submit(diff_job, pair, base, target, i, typ, unit))
                jobs.append(ex.submit(diff_job, pair, base, target, i, typ, unit, True))
        names = [j.result() for j in jobs]

    with open(os.path.join(GOLDEN, "diff", "pairs.tsv"), "w") as f:
        f.write("pair\tbase\ttarget\n")
        for pair, base, target in pairs:
            f.write("%s\t%s\t%s\n" % (pair, base, target))
    print("golden.py: %d profiles, %d diff pairs, %d golden tables" % (
        len(profiles), len(pairs), len(names)))


if __name__ == "__main__":
    main()
