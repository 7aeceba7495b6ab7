#!/usr/bin/env python3
"""Record `go tool pprof -peek` output for the project's example fixtures as goldens.

Usage: python3 testdata/gen/peek_golden.py   (from anywhere; needs `go` on PATH)

For every profile in PROFILES and every sample type index i it runs

    go tool pprof -symbolize=none -trim=false -sample_index=i -unit=U -peek REGEX P

with REGEX = "." (every function: the whole report) and U the sample type's own unit
("count" when empty), and writes pprof's output unchanged to
testdata/golden/peek/<P with / replaced by __>.<i>.<type>.txt. tests/peek.rs parses it.
Paths are relative to testdata/, where pprof runs.
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden import TESTDATA, sample_types, unit_for  # noqa: E402

PROFILES = [
    "example/heap.pb.gz",
    "example/cpu.pb.gz",
    "example/goroutine.pb.gz",
    "leaks/cache/06.heap.pb.gz",
]
OUT = os.path.join(TESTDATA, "golden", "peek")


def main():
    os.makedirs(OUT, exist_ok=True)
    for n in os.listdir(OUT):
        if n.endswith(".txt"):
            os.remove(os.path.join(OUT, n))
    for path in PROFILES:
        for i, (typ, unit, _) in enumerate(sample_types(path)):
            cmd = ["go", "tool", "pprof", "-symbolize=none", "-trim=false", "-sample_index=%d" % i,
                   "-unit=" + unit_for(unit), "-peek", ".", path]
            p = subprocess.run(cmd, cwd=TESTDATA, capture_output=True, text=True)
            if p.returncode != 0:
                sys.exit("peek_golden.py: %s failed:\n%s" % (" ".join(cmd), p.stderr))
            name = "%s.%d.%s.txt" % (path.replace("/", "__"), i, typ)
            with open(os.path.join(OUT, name), "w") as f:
                f.write(p.stdout)
            print(name)


if __name__ == "__main__":
    main()
