#!/usr/bin/env python3
"""Makes the fixtures of testdata/formats/ (issue 19) with the producing tools, and
expected.tsv with the numbers the tools report or that this script reads from the files
itself (a second reader, independent of profdrop's decoders). tests/formats.rs checks every
row. Run from anywhere (needs node, py-spy, gcc and perf; each fixture is skipped with a
note when its tool is missing, keeping the old file):

    python3 testdata/formats/gen.py

Fixtures:
  node.cpuprofile        node --cpu-prof on work.js
  node.heapprofile       node --heap-prof on work.js
  pyspy.speedscope.json  py-spy record -f speedscope on work.py (one profile per thread)
  pyspy.folded           py-spy record -f raw on work.py (folded, `func (file:line)` frames)
  c.perf                 perf record -g -e cpu-clock,task-clock on work.c, then perf script
  async.folded           written here: async-profiler's collapsed output with frame type
                         suffixes (`_[j]`, `_[i]`, `_[k]`), counts chosen so the sums are known
  multi.speedscope.json  written here: a sampled profile in milliseconds, an evented one in
                         microseconds and a sampled one without unit, in one file

expected.tsv columns: file, sample type, what (`total`, `flat(NAME)`, `cum(NAME)`), value,
where the number comes from.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
rows = []


def row(file, ty, what, value, source):
    rows.append((file, ty, what, str(value), source))


def have(tool):
    if shutil.which(tool):
        return True
    print(f"note: {tool} not found; keeping the old fixtures that need it", file=sys.stderr)
    return False


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def node_name(cf):
    """profdrop's name of a V8 call frame (see src/decode/chrome.rs)."""
    if cf.get("functionName"):
        return cf["functionName"]
    if cf.get("url"):
        return f"(anonymous) {cf['url']}:{cf.get('lineNumber', -1) + 1}"
    return "(anonymous)"


def make_node(tmp):
    if not have("node"):
        return
    work = os.path.join(HERE, "work.js")
    run(["node", "--cpu-prof", "--cpu-prof-dir", tmp, "--cpu-prof-name", "p.cpuprofile", "--cpu-prof-interval", "1000", work])
    run(["node", "--heap-prof", "--heap-prof-dir", tmp, "--heap-prof-name", "p.heapprofile", "--heap-prof-interval", "8192", work])
    shutil.copy(os.path.join(tmp, "p.cpuprofile"), os.path.join(HERE, "node.cpuprofile"))
    shutil.copy(os.path.join(tmp, "p.heapprofile"), os.path.join(HERE, "node.heapprofile"))


def expect_node():
    with open(os.path.join(HERE, "node.cpuprofile")) as f:
        cpu = json.load(f)
    by_id = {n["id"]: n for n in cpu["nodes"]}
    row("node.cpuprofile", "samples", "total", len(cpu["samples"]), "len(samples)")
    # (Not the nodes' hitCount: V8 counts hits that it leaves out of `samples`, and DevTools
    # reads `samples`.)
    t, stamps = cpu["startTime"], []
    for s, dt in zip(cpu["samples"], cpu["timeDeltas"]):
        t += dt
        stamps.append((t, s))
    stamps.sort(key=lambda x: x[0])
    row("node.cpuprofile", "cpu", "total", (cpu["endTime"] - stamps[0][0]) * 1000, "endTime - first sample's timestamp (DevTools)")
    flat = {}
    for s in cpu["samples"]:
        name = node_name(by_id[s]["callFrame"])
        flat[name] = flat.get(name, 0) + 1
    for name in ("fib", "(program)"):
        if name in flat:
            row("node.cpuprofile", "samples", f"flat({name})", flat[name], "samples whose node is the function")
    with open(os.path.join(HERE, "node.heapprofile")) as f:
        heap = json.load(f)
    total, flat, todo = 0, {}, [heap["head"]]
    while todo:
        n = todo.pop()
        total += n["selfSize"]
        name = node_name(n["callFrame"])
        flat[name] = flat.get(name, 0) + n["selfSize"]
        todo.extend(n.get("children", []))
    row("node.heapprofile", "inuse_space", "total", total, "sum of selfSize (DevTools' total)")
    big = max(flat, key=flat.get)
    row("node.heapprofile", "inuse_space", f"flat({big})", flat[big], "selfSize of its nodes")


def make_pyspy(tmp):
    if not have("py-spy"):
        return
    work = os.path.join(HERE, "work.py")
    said = {}
    for fmt, out in (("speedscope", "pyspy.speedscope.json"), ("raw", "pyspy.folded")):
        path = os.path.join(HERE, out)
        r = run(["py-spy", "record", "-r", "200", "-f", fmt, "-o", path, "--", sys.executable, work])
        said[out] = int(re.search(r"Samples: (\d+)", r.stdout + r.stderr).group(1))
    with open(os.path.join(HERE, "pyspy.said"), "w") as f:
        json.dump(said, f)


def expect_pyspy():
    with open(os.path.join(HERE, "pyspy.said")) as f:
        said = json.load(f)
    row("pyspy.folded", "samples", "total", said["pyspy.folded"], "py-spy's 'Samples: N'")
    with open(os.path.join(HERE, "pyspy.speedscope.json")) as f:
        d = json.load(f)
    n = sum(len(p["samples"]) for p in d["profiles"])
    assert n == said["pyspy.speedscope.json"], (n, said)
    ns = sum(round(w * 1e9) for p in d["profiles"] for w in p["weights"])
    row("pyspy.speedscope.json", "time", "total", ns, f"sum of weights in ns ({n} samples, py-spy's 'Samples: {n}')")


def make_perf(tmp):
    if not (have("perf") and have("gcc")):
        return
    exe = os.path.join(tmp, "work")
    run(["gcc", "-O1", "-g", "-fno-omit-frame-pointer", "-o", exe, os.path.join(HERE, "work.c")])
    data = os.path.join(tmp, "perf.data")
    run(["perf", "record", "-q", "-e", "cpu-clock,task-clock", "-F", "500", "-g", "-o", data, exe])
    out = run(["perf", "script", "-i", data]).stdout
    # The binary's temporary path, made stable.
    with open(os.path.join(HERE, "c.perf"), "w") as f:
        f.write(out.replace(exe, "/tmp/work"))
    rep = run(["perf", "report", "-i", data, "--stdio", "-n", "--sort", "comm"]).stdout
    said = dict((e, int(n)) for n, e in re.findall(r"# Samples: (\d+)\s+of event '([^']+)'", rep))
    with open(os.path.join(HERE, "perf.said"), "w") as f:
        json.dump(said, f)


def expect_perf():
    with open(os.path.join(HERE, "perf.said")) as f:
        said = json.load(f)
    # perf script writes "2000000  cpu-clock:" (two spaces): no period for the collapsers,
    # so each cpu-clock sample counts 1 and task-clock samples are left out.
    row("c.perf", "samples", "total", said["cpu-clock"], "perf report: '# Samples: N of event cpu-clock'")


ASYNC = """\
# async-profiler -e cpu -o collapsed style, with -a (annotated frame types)
java/lang/Thread.run_[j];Main.main_[j];Main.work_[i];Main.leaf_[j] 40
java/lang/Thread.run_[j];Main.main_[0];Main.work_[1];Main.leaf_[0] 2
java/lang/Thread.run_[j];Main.main_[j];Main.alloc_[j];java.lang.String_[k] 7
java/lang/Thread.run_[j];Main.main_[j];Main.alloc_[j];java.lang.String_[i] 3
[unknown_Java];__sched_yield_[k] 5
"""


def make_async():
    with open(os.path.join(HERE, "async.folded"), "w") as f:
        f.write(ASYNC)
    row("async.folded", "samples", "total", 57, "40+2+7+3+5, written so")
    row("async.folded", "samples", "flat(Main.leaf)", 42, "40+2: the JIT and interpreted frames are one function")
    row("async.folded", "samples", "cum(Main.main)", 52, "40+2+7+3")
    row("async.folded", "samples", "flat(java.lang.String)", 10, "7+3")


def make_multi():
    d = {
        "$schema": "https://www.speedscope.app/file-format-schema.json",
        "exporter": "testdata/formats/gen.py",
        "name": "three profiles",
        "activeProfileIndex": 0,
        "shared": {"frames": [{"name": "main", "file": "m.rb", "line": 1}, {"name": "work", "file": "m.rb", "line": 5}, {"name": "io"}]},
        "profiles": [
            {"type": "sampled", "name": "main thread", "unit": "milliseconds", "startValue": 0, "endValue": 60,
             "samples": [[0, 1], [0, 1], [0, 2], [0]], "weights": [10, 20, 25, 5]},
            {"type": "evented", "name": "worker", "unit": "microseconds", "startValue": 100, "endValue": 1100,
             "events": [{"type": "O", "frame": 0, "at": 100}, {"type": "O", "frame": 1, "at": 300},
                        {"type": "O", "frame": 2, "at": 400}, {"type": "C", "frame": 2, "at": 900},
                        {"type": "C", "frame": 1, "at": 1000}, {"type": "C", "frame": 0, "at": 1100}]},
            {"type": "sampled", "name": "allocations", "unit": "bytes", "startValue": 0, "endValue": 3,
             "samples": [[0, 1], [0, 2]], "weights": [4096, 1024]},
        ],
    }
    with open(os.path.join(HERE, "multi.speedscope.json"), "w") as f:
        json.dump(d, f, indent=1)
    row("multi.speedscope.json", "time", "total", 61_000_000, "60 ms sampled + 1000 µs evented")
    row("multi.speedscope.json", "time", "flat(io)", 25_500_000, "25 ms + 400..900 µs")
    row("multi.speedscope.json", "time", "cum(work)", 30_700_000, "10+20 ms + 300..1000 µs")
    row("multi.speedscope.json", "space", "total", 5120, "4096 + 1024")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        make_node(tmp)
        make_pyspy(tmp)
        make_perf(tmp)
    expect_node()
    expect_pyspy()
    expect_perf()
    make_async()
    make_multi()
    with open(os.path.join(HERE, "expected.tsv"), "w") as f:
        f.write("file\ttype\twhat\tvalue\tsource\n")
        for r in rows:
            f.write("\t".join(r) + "\n")


if __name__ == "__main__":
    main()
