#!/usr/bin/env python3
"""Writes profdrop's own fixtures of pprof's legacy formats (testdata/legacy/) and records
what `go tool pprof` makes of them (testdata/golden/legacy/).

Python 3 standard library only; deterministic (same bytes on every run). Each fixture is
written from its format's definition, as the program that wrote the format did:

  go-heap.txt            Go's legacy heap profile (runtime/pprof before Go 1.9, and
                         ?debug=1 since): `heap profile: inuse: bytes [alloc: bytes] @
                         heap/<2*MemProfileRate>`, records `n: b [n: b] @ pcs`, `#` symbol
                         lines and the `# runtime.MemStats` footer; one record without pcs.
  tcmalloc-heapz.txt     gperftools/tcmalloc heapz (`@ heapz_v2/524288`, leading spaces),
                         then `--- Memory map: ---` with a `name=value` line and `$name`
                         in the paths.
  heapprofile.txt        an old `@ heapprofile` heap profile (no un-sampling) with a
                         /proc/self/maps after `MAPPED_LIBRARIES:`.
  growthz.txt            `@ growthz`.
  contentionz.txt        a C++ contention profile: `cycles/second`, `sampling period`, then
                         `delay count @ pcs`, then a memory map.
  go-mutex.txt           Go's legacy mutex profile (`--- mutex:`, ?debug=1).
  java-heapz.txt         Java `--- heapz 1 ---`: `format`, `resolution`, `bytes count @`
                         records, then the symbol table (`0xADDR function (file:line)`).
  java-contentionz.txt   Java `--- contentionz 1 ---` in microseconds, sampling period 100.
  threadcreate.txt       Go's `threadcreate profile: total N`.
  cpu-32le.prof, cpu-32be.prof, cpu-64le.prof, cpu-64be.prof
                         gperftools' binary CPU profile (`CPUPROFILE=`): header words
                         0, 3, 0, period (µs), 0; records count, depth, pcs; trailer 0, 1, 0;
                         then /proc/self/maps. Every sample has the signal handler's frame
                         second (pprof removes it) and some repeat the leaf + 1 (pprof
                         removes the copy).
  java-cpu.prof          the Java agent's binary CPU profile (header word 3 = 1), then its
                         symbol table.

Usage (from anywhere):
    python3 testdata/legacy/gen.py            # write the fixtures
    python3 testdata/legacy/gen.py --golden   # also record the goldens (needs `go`)

Goldens: for every fixture and sample type i (types read from `go tool pprof -raw`):
    go tool pprof -symbolize=none -trim=false -sample_index=i -unit=U -top FILE
in testdata/golden/legacy/<file>.<i>.<type>.tsv, in golden/top's format (see
testdata/README.md). tests/legacy.rs compares profdrop's top tables with them.
"""

import os
import re
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.path.dirname(HERE)
GOLDEN = os.path.join(TESTDATA, "golden", "legacy")

FILES = {}


def put(name, data):
    if isinstance(data, str):
        data = data.encode()
    FILES[name] = data


def go_heap():
    # (inuse n, inuse bytes, alloc n, alloc bytes, pcs). MemProfileRate 512 KiB.
    recs = [
        (2, 65536, 10, 327680, [0x4a1f23, 0x4a2001, 0x42f0aa]),
        (1, 4096, 300, 1228800, [0x4a1f23, 0x4b7710, 0x42f0aa]),
        (0, 0, 5, 5242880, [0x4c0001, 0x42f0aa]),
        (3, 96, 3, 96, []),
        (1, 1048576, 1, 1048576, [0x4d0100]),
    ]
    tot = [sum(r[i] for r in recs) for i in range(4)]
    out = ["heap profile: %d: %d [%d: %d] @ heap/%d\n" % (tot[0], tot[1], tot[2], tot[3], 2 * 524288)]
    for n, b, an, ab, pcs in recs:
        out.append("%d: %d [%d: %d] @%s\n" % (n, b, an, ab, "".join(" %#x" % pc for pc in pcs)))
        for pc in pcs:
            out.append("#\t%#x\tmain.f%x+0x1f\t/src/main.go:%d\n" % (pc - 1, pc & 0xff, pc & 0x3f))
        out.append("\n")
    out.append("\n# runtime.MemStats\n# Alloc = 1118448\n# TotalAlloc = 7847760\n# NumGC = 4\n")
    put("go-heap.txt", "".join(out))


def tcmalloc_heapz():
    recs = [
        (3, 24576, [0x400a10, 0x400b20, 0x7f0000001234]),
        (1, 1048576, [0x400a10, 0x400c30]),
        (17, 544, [0x7f0000002000, 0x400c30]),
    ]
    n = sum(r[0] for r in recs)
    b = sum(r[1] for r in recs)
    out = ["heap profile: %6d: %8d [%6d: %8d] @ heapz_v2/524288\n" % (n, b, n, b)]
    for c, s, pcs in recs:
        out.append("%6d: %8d [%6d: %8d] @%s\n" % (c, s, c, s, "".join(" %#x" % pc for pc in pcs)))
    out.append("--- Memory map: ---\n\tsource=/opt/app\n")
    out.append("  00400000-00500000: $source/server\n  7f0000000000-7f0000100000: /lib/libc-2.31.so\n")
    put("tcmalloc-heapz.txt", "".join(out))


PROC_MAPS = (
    "00400000-00500000 r-xp 00000000 08:01 1234       /usr/bin/server\n"
    "00500000-00510000 rw-p 00100000 08:01 1234       /usr/bin/server\n"
    "7f0000000000-7f0000100000 r-xp 00000000 08:01 99 /lib/x86_64-linux-gnu/libc-2.31.so\n"
    "7f0000100000-7f0000300000 ---p 00100000 08:01 99 /lib/x86_64-linux-gnu/libc-2.31.so\n"
    "7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0  [stack]\n"
)


def heapprofile():
    out = ["heap profile:      4:    40960 [    12:   122880] @ heapprofile\n",
           "     3:    30720 [     9:    92160] @ 0x400100 0x400200\n",
           "     1:    10240 [     3:    30720] @ 0x7f0000000500 0x400200\n",
           "\nMAPPED_LIBRARIES:\n", PROC_MAPS]
    put("heapprofile.txt", "".join(out))


def growthz():
    put("growthz.txt", "heap profile:    2:  2097152 [    2:  2097152] @ growthz\n"
        "     1:  1048576 [     1:  1048576] @ 0x400100 0x400200\n"
        "     1:  1048576 [     1:  1048576] @ 0x400300\n")


def contentionz():
    out = ["--- contentionz 1 ---\n", "cycles/second = 2000000000\n", "sampling period = 10\n",
           "ms since reset = 123456\n",
           "  4000000    3 @ 0x400100 0x400200 0x400300\n",
           "   500000    1 @ 0x7f0000000100 0x400300\n",
           "       12    7 @ 0x400400\n",
           "--- Memory map: ---\n", PROC_MAPS]
    put("contentionz.txt", "".join(out))


def go_mutex():
    out = ["--- mutex:\n", "cycles/second=2394406489\n", "sampling period=5\n",
           "1849826 3 @ 0x44c1f7 0x46cb35 0x4580d1\n",
           "#\t0x44c1f6\tsync.(*Mutex).Unlock+0x46\t/go/src/sync/mutex.go:190\n",
           "\n",
           "294403 1 @ 0x44c1f7 0x4a3b0e\n"]
    put("go-mutex.txt", "".join(out))


JAVA_SYMBOLS = (
    " 0x00000001 com.example.Server.handle (Server.java:42)\n"
    " 0x00000002 com.example.Server.main (Server.java:10)\n"
    " 0x00000003 java.util.HashMap.resize (HashMap.java:704)\n"
    " 0x00000004 GC\n"
    " 0x00000005 libjvm_stub (/usr/lib/jvm/lib/server/libjvm.so)\n"
    " 0x00000006 a generated stub/JIT frame\n"
    " 0x00000007 com.example.Cache.put (Cache.java:-1)\n"
)


def java_heapz():
    out = ["--- heapz 1 ---\n", "format = java\n", "resolution = bytes\n",
           "       1048576     2 @ 0x00000003 0x00000007 0x00000001 0x00000002\n",
           "          4096    64 @ 0x00000007 0x00000001 0x00000002\n",
           "           512     1 @ 0x00000005 0x00000002\n",
           "            64     4 @ 0x00000009 0x00000002\n",
           "\n", JAVA_SYMBOLS]
    put("java-heapz.txt", "".join(out))


def java_contentionz():
    out = ["--- contentionz 1 ---\n", "format = java\n", "resolution = microseconds\n",
           "sampling period = 100\n", "ms since reset = 6019923\n",
           "            12     1 @ 0x00000007 0x00000001 0x00000002\n",
           "             3     2 @ 0x00000004\n",
           "             7     1 @ 0x00000006 0x00000002\n",
           "\n", JAVA_SYMBOLS]
    put("java-contentionz.txt", "".join(out))


def threadcreate():
    put("threadcreate.txt", "threadcreate profile: total 4\n"
        "2 @ 0x44cb3 0x45045 0x461e0\n1 @ 0x44cb3 0x5192d\n1 @ 0x440e2\n")


def cpu(fmt, name):
    period = 10000  # µs
    wide = struct.calcsize(fmt) == 8
    lib = 0x7f0000000000 if wide else 0xf7000000  # libc's base (PROC_MAPS / PROC_MAPS_32)
    handler = lib + 0x50  # the signal handler's frame, second in every sample
    samples = [
        (50, [0x400100, handler, 0x400201, 0x400301]),
        (30, [0x400110, handler, 0x400111, 0x400301]),  # leaf repeated as its caller + 1
        (15, [lib + 0x900, handler, 0x400201, 0x400301]),
        (5, [0x400500, handler]),
    ]
    words = [0, 3, 0, period, 0]
    for count, pcs in samples:
        words += [count, len(pcs)] + pcs
    words += [0, 1, 0]
    data = b"".join(struct.pack(fmt, w) for w in words)
    maps = PROC_MAPS if wide else PROC_MAPS.replace("7f0000000000-7f0000100000", "f7000000-f7100000")
    put(name, data + maps.encode())


def java_cpu():
    words = [0, 3, 1, 10000, 0]
    for count, pcs in [(9, [3, 7, 1, 2]), (4, [4]), (2, [6, 2]), (1, [8, 2])]:
        words += [count, len(pcs)] + pcs
    words += [0, 1, 0]
    put("java-cpu.prof", b"".join(struct.pack("<Q", w) for w in words) + JAVA_SYMBOLS.encode())


def sample_types(path):
    p = subprocess.run(["go", "tool", "pprof", "-symbolize=none", "-raw", path], capture_output=True, text=True,
                       env=dict(os.environ, PPROF_BINARY_PATH="/nonexistent"))
    if p.returncode != 0:
        sys.exit("gen.py: pprof -raw %s: %s" % (path, p.stderr))
    lines = p.stdout.splitlines()
    i = lines.index("Samples:")
    types = []
    for t in lines[i + 1].split():
        dflt = t.endswith("[dflt]")
        name, unit = t.replace("[dflt]", "").split("/")
        types.append((name, unit, dflt))
    return types


def record(name):
    path = os.path.join(HERE, name)
    types = sample_types(path)
    has_dflt = any(d for *_, d in types)
    for i, (st, unit, dflt) in enumerate(types):
        u = "count" if unit in ("", "count") else unit
        cmd = ["go", "tool", "pprof", "-symbolize=none", "-trim=false", "-sample_index=%d" % i, "-unit=" + u, "-top", path]
        p = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, PPROF_BINARY_PATH="/nonexistent"))
        if p.returncode != 0:
            sys.exit("gen.py: %s: %s" % (" ".join(cmd), p.stderr))
        suffix = {"bytes": "B", "nanoseconds": "ns", "microseconds": "us", "milliseconds": "ms"}.get(u, "")
        unit_rx = re.escape(suffix) if suffix else ""
        total = None
        rows = []
        body = False
        for line in p.stdout.splitlines():
            m = re.match(r"Showing nodes accounting for (-?\d+)%s, [\d.]+%% of (-?\d+)%s total" % (unit_rx, unit_rx), line)
            if m:
                total = int(m.group(2))
                continue
            if line.strip().startswith("flat"):
                body = True
                continue
            if body and line.strip():
                f = line.split(None, 5)
                flat, cum = f[0], f[3]
                vals = []
                for v in (flat, cum):
                    if v == "0":  # pprof prints a zero without its unit
                        vals.append(0)
                    elif re.fullmatch(r"-?\d+%s" % unit_rx, v):
                        vals.append(int(v[:len(v) - len(suffix)]))
                    else:
                        sys.exit("gen.py: %s: value %r is not an exact integer" % (name, v))
                fn = re.sub(r" \((partial-)?inline\)$", "", f[5])
                rows.append((fn, vals[0], vals[1]))
        if total is None:
            if "Showing nodes" in p.stdout:
                sys.exit("gen.py: %s: cannot read the total:\n%s" % (name, p.stdout))
            total = 0
        default = dflt if has_dflt else i == len(types) - 1
        out = os.path.join(GOLDEN, "%s.%d.%s.tsv" % (name, i, st))
        with open(out, "w", encoding="utf-8", newline="\n") as f:
            f.write("# profile=legacy/%s sample_index=%d sample_type=%s unit=%s total=%d default=%d\n"
                    % (name, i, st, u, total, int(default)))
            f.write("function\tflat\tcum\n")
            for fn, fl, cu in rows:
                f.write("%s\t%d\t%d\n" % (fn, fl, cu))


def main():
    go_heap()
    tcmalloc_heapz()
    heapprofile()
    growthz()
    contentionz()
    go_mutex()
    java_heapz()
    java_contentionz()
    threadcreate()
    cpu("<I", "cpu-32le.prof")
    cpu(">I", "cpu-32be.prof")
    cpu("<Q", "cpu-64le.prof")
    cpu(">Q", "cpu-64be.prof")
    java_cpu()
    for name, data in FILES.items():
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
    if "--golden" in sys.argv[1:]:
        os.makedirs(GOLDEN, exist_ok=True)
        for old in os.listdir(GOLDEN):
            os.remove(os.path.join(GOLDEN, old))
        for name in sorted(FILES):
            record(name)
    print("%d legacy fixtures" % len(FILES), file=sys.stderr)


if __name__ == "__main__":
    main()
